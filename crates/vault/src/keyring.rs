//! The master keys and the blind-index key of one installation, kept as files in
//! the data folder's `keys/` directory:
//!
//! ```text
//! keys/
//!   master-1.key   32 random bytes (64 hex digits); wraps data keys
//!   master-2.key   after `fanguai keys rotate`; older ones stay until retired
//!   current        the id of the master key new data keys are wrapped under
//!   index.key      32 random bytes; HMAC key of the blind indexes, never rotated
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::str::FromStr;

use rand::RngCore;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

use crate::error::{Result, VaultError};
use crate::secret::Secret;

/// Name of the key directory inside a data folder.
pub const KEYS_DIR_NAME: &str = "keys";
/// Length of every key in the ring, in bytes.
pub const KEY_LEN: usize = 32;

const CURRENT_FILE: &str = "current";
const INDEX_KEY_FILE: &str = "index.key";
const MASTER_PREFIX: &str = "master-";
const MASTER_SUFFIX: &str = ".key";

/// Identifies a master key. Ids count up from 1 with each rotation and are
/// written into every wrapped data key, so the ring can find the key that
/// opens it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MasterKeyId(u32);

impl MasterKeyId {
    pub const FIRST: MasterKeyId = MasterKeyId(1);

    pub fn new(id: u32) -> Result<Self> {
        if id == 0 {
            return Err(VaultError::InvalidInput {
                field: "master key id",
                reason: "ids start at 1".into(),
            });
        }
        Ok(MasterKeyId(id))
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// File name of this master key inside `keys/`.
    pub fn file_name(self) -> String {
        format!("{MASTER_PREFIX}{}{MASTER_SUFFIX}", self.0)
    }

    fn next(self) -> Result<Self> {
        self.0
            .checked_add(1)
            .map(MasterKeyId)
            .ok_or_else(|| VaultError::InvalidInput {
                field: "master key id",
                reason: "no id left after 4294967295".into(),
            })
    }
}

impl fmt::Display for MasterKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for MasterKeyId {
    type Err = VaultError;

    fn from_str(s: &str) -> Result<Self> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VaultError::InvalidInput {
                field: "master key id",
                reason: format!("{s:?} is not a positive decimal number"),
            });
        }
        let id: u32 = s.parse().map_err(|_| VaultError::InvalidInput {
            field: "master key id",
            reason: format!("{s:?} is too large"),
        })?;
        MasterKeyId::new(id)
    }
}

/// The keys of one installation, loaded into memory.
///
/// Master keys only ever encrypt data keys (see `wrap`/`unwrap`); the index key
/// only ever feeds HMAC (see `blind_index`). Keeping the two apart means a
/// master-key rotation never invalidates the blind indexes stored in the
/// database.
pub struct KeyRing {
    current: MasterKeyId,
    masters: BTreeMap<MasterKeyId, Secret<[u8; KEY_LEN]>>,
    index_key: Secret<[u8; KEY_LEN]>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("current", &self.current)
            .field("masters", &self.masters.keys().collect::<Vec<_>>())
            .field("index_key", &self.index_key)
            .finish()
    }
}

impl KeyRing {
    /// Makes a fresh key directory: master key 1 (current) and an index key.
    /// Refuses if `dir` already holds any key or pointer file, since
    /// overwriting a key destroys every record sealed under it.
    pub fn create(dir: &Path) -> Result<KeyRing> {
        if dir.exists() {
            if has_key_files(dir)? {
                return Err(VaultError::KeysExist {
                    dir: dir.to_path_buf(),
                });
            }
        } else {
            create_private_dir(dir)?;
        }
        let master = random_key();
        let index_key = random_key();
        let id = MasterKeyId::FIRST;
        write_new_file(
            &dir.join(id.file_name()),
            hex_line(master.expose()).as_slice(),
        )?;
        write_new_file(
            &dir.join(INDEX_KEY_FILE),
            hex_line(index_key.expose()).as_slice(),
        )?;
        // Written last: a directory left without `current` by a crash is
        // reported by `open` instead of silently used half-made.
        write_new_file(&dir.join(CURRENT_FILE), format!("{id}\n").as_bytes())?;
        sync_dir(dir)?;
        KeyRing::from_parts(id, [(id, master)], index_key)
    }

    /// Loads the key directory, checking that the current master key and the
    /// index key are present, have the right length, and are not readable by
    /// other users.
    pub fn open(dir: &Path) -> Result<KeyRing> {
        if !dir.is_dir() {
            return Err(VaultError::KeyDirMissing {
                path: dir.to_path_buf(),
            });
        }
        let current = read_current(dir)?;
        let mut masters = BTreeMap::new();
        for id in master_ids_on_disk(dir)? {
            let key = read_key_file(&dir.join(id.file_name()), "master key")?;
            masters.insert(id, key);
        }
        if !masters.contains_key(&current) {
            return Err(VaultError::KeyFileMissing {
                what: "master key",
                path: dir.join(current.file_name()),
            });
        }
        let index_key = read_key_file(&dir.join(INDEX_KEY_FILE), "index key")?;
        Ok(KeyRing {
            current,
            masters,
            index_key,
        })
    }

    /// Adds a new master key and makes it current. Older master keys stay, so
    /// every wrapped data key remains readable while the store re-wraps them
    /// (`KeyRing::rewrap`) in batches. Running servers keep wrapping under the
    /// key that was current when they started, until they are restarted.
    pub fn rotate(dir: &Path) -> Result<MasterKeyId> {
        let ring = KeyRing::open(dir)?;
        let highest = ring
            .masters
            .keys()
            .next_back()
            .copied()
            .unwrap_or(ring.current);
        let id = highest.max(ring.current).next()?;
        let key = random_key();
        write_new_file(&dir.join(id.file_name()), hex_line(key.expose()).as_slice())?;
        sync_dir(dir)?;
        replace_file(dir, CURRENT_FILE, format!("{id}\n").as_bytes())?;
        Ok(id)
    }

    /// Deletes an old master key. Only the caller can know that no wrapped
    /// key still names it (the store counts rows per `WrappedKey::master_key_id`);
    /// retiring a key that is still used makes those records unreadable.
    pub fn retire(dir: &Path, id: MasterKeyId) -> Result<()> {
        let ring = KeyRing::open(dir)?;
        if id == ring.current {
            return Err(VaultError::RetireCurrent { id: id.get() });
        }
        if !ring.masters.contains_key(&id) {
            return Err(VaultError::UnknownMasterKey { id: id.get() });
        }
        let path = dir.join(id.file_name());
        fs::remove_file(&path).map_err(|source| VaultError::Io {
            action: "delete",
            path: path.clone(),
            source,
        })?;
        sync_dir(dir)
    }

    /// Builds a ring from keys held in memory: for tests and throw-away demo
    /// installations. `current` must be one of `masters`.
    pub fn from_parts(
        current: MasterKeyId,
        masters: impl IntoIterator<Item = (MasterKeyId, Secret<[u8; KEY_LEN]>)>,
        index_key: Secret<[u8; KEY_LEN]>,
    ) -> Result<KeyRing> {
        let masters: BTreeMap<_, _> = masters.into_iter().collect();
        if !masters.contains_key(&current) {
            return Err(VaultError::UnknownMasterKey { id: current.get() });
        }
        Ok(KeyRing {
            current,
            masters,
            index_key,
        })
    }

    /// A ring of fresh random keys that exists only in memory.
    pub fn ephemeral() -> KeyRing {
        let id = MasterKeyId::FIRST;
        KeyRing {
            current: id,
            masters: BTreeMap::from([(id, random_key())]),
            index_key: random_key(),
        }
    }

    pub fn current_id(&self) -> MasterKeyId {
        self.current
    }

    pub fn master_ids(&self) -> impl Iterator<Item = MasterKeyId> + '_ {
        self.masters.keys().copied()
    }

    pub(crate) fn current_master(&self) -> (MasterKeyId, &[u8; KEY_LEN]) {
        // `current` is checked to be in `masters` by every constructor.
        let key = self.masters.get(&self.current).map(Secret::expose);
        (
            self.current,
            key.expect("current master key is in the ring"),
        )
    }

    pub(crate) fn master(&self, id: MasterKeyId) -> Result<&[u8; KEY_LEN]> {
        self.masters
            .get(&id)
            .map(Secret::expose)
            .ok_or(VaultError::UnknownMasterKey { id: id.get() })
    }

    pub(crate) fn index_key(&self) -> &[u8; KEY_LEN] {
        self.index_key.expose()
    }
}

pub(crate) fn random_key() -> Secret<[u8; KEY_LEN]> {
    let mut key = Secret::new([0u8; KEY_LEN]);
    OsRng.fill_bytes(key.expose_mut());
    key
}

/// Key files are written as hex so they survive being printed for a paper
/// backup or pasted through a terminal.
fn hex_line(key: &[u8; KEY_LEN]) -> Zeroizing<[u8; 2 * KEY_LEN + 1]> {
    let mut line = Zeroizing::new([0u8; 2 * KEY_LEN + 1]);
    hex::encode_to_slice(key, &mut line[..2 * KEY_LEN]).expect("buffer is twice the key length");
    line[2 * KEY_LEN] = b'\n';
    line
}

fn has_key_files(dir: &Path) -> Result<bool> {
    if [CURRENT_FILE, INDEX_KEY_FILE]
        .iter()
        .any(|name| dir.join(name).exists())
    {
        return Ok(true);
    }
    Ok(!master_ids_on_disk(dir)?.is_empty())
}

fn master_ids_on_disk(dir: &Path) -> Result<Vec<MasterKeyId>> {
    let io_err = |source| VaultError::Io {
        action: "list",
        path: dir.to_path_buf(),
        source,
    };
    let mut ids = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_err)? {
        let entry = entry.map_err(io_err)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(id) = name
            .strip_prefix(MASTER_PREFIX)
            .and_then(|rest| rest.strip_suffix(MASTER_SUFFIX))
        else {
            continue;
        };
        let id = id
            .parse::<MasterKeyId>()
            .map_err(|e| VaultError::KeyFileInvalid {
                path: entry.path(),
                reason: format!("the file name should be master-<id>.key ({e})"),
            })?;
        ids.push(id);
    }
    ids.sort();
    Ok(ids)
}

fn read_current(dir: &Path) -> Result<MasterKeyId> {
    let path = dir.join(CURRENT_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(VaultError::KeyFileMissing {
                what: "current master key pointer",
                path,
            });
        }
        Err(source) => {
            return Err(VaultError::Io {
                action: "read",
                path,
                source,
            });
        }
    };
    text.trim()
        .parse()
        .map_err(|e: VaultError| VaultError::CurrentPointerInvalid {
            path,
            reason: e.to_string(),
        })
}

fn read_key_file(path: &Path, what: &'static str) -> Result<Secret<[u8; KEY_LEN]>> {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(VaultError::KeyFileMissing {
                what,
                path: path.to_path_buf(),
            });
        }
        Err(source) => {
            return Err(VaultError::Io {
                action: "inspect",
                path: path.to_path_buf(),
                source,
            });
        }
    };
    check_private(path, &meta)?;
    let raw = Zeroizing::new(fs::read(path).map_err(|source| VaultError::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    })?);
    parse_key(path, &raw)
}

/// A key file holds either the 32 raw bytes or 64 hex digits (optionally
/// followed by a newline), so a key restored from a paper backup works too.
fn parse_key(path: &Path, raw: &[u8]) -> Result<Secret<[u8; KEY_LEN]>> {
    let mut key = Secret::new([0u8; KEY_LEN]);
    if raw.len() == KEY_LEN {
        key.expose_mut().copy_from_slice(raw);
        return Ok(key);
    }
    let text = raw.trim_ascii();
    if text.len() != 2 * KEY_LEN {
        return Err(VaultError::KeyFileLength {
            path: path.to_path_buf(),
            found: raw.len(),
        });
    }
    hex::decode_to_slice(text, key.expose_mut()).map_err(|_| VaultError::KeyFileInvalid {
        path: path.to_path_buf(),
        reason: "64 characters but not hexadecimal digits".into(),
    })?;
    Ok(key)
}

#[cfg(unix)]
fn check_private(path: &Path, meta: &fs::Metadata) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(VaultError::KeyFilePermissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &fs::Metadata) -> Result<()> {
    Ok(())
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| VaultError::Io {
            action: "create",
            path: dir.to_path_buf(),
            source,
        })
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|source| VaultError::Io {
        action: "create",
        path: dir.to_path_buf(),
        source,
    })
}

/// Creates a file that only the owner can read, failing if it exists. The mode
/// is set at creation: a chmod afterwards would leave a window in which the
/// key is readable by others.
fn write_new_file(path: &Path, contents: &[u8]) -> Result<()> {
    let io_err = |source| VaultError::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io_err)?;
    file.write_all(contents).map_err(io_err)?;
    file.sync_all().map_err(io_err)
}

/// Replaces `dir/name` atomically, so a crash leaves either the old or the new
/// contents and never an empty pointer.
fn replace_file(dir: &Path, name: &str, contents: &[u8]) -> Result<()> {
    let tmp = dir.join(format!("{name}.tmp"));
    match fs::remove_file(&tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(VaultError::Io {
                action: "delete",
                path: tmp,
                source,
            });
        }
    }
    write_new_file(&tmp, contents)?;
    let target = dir.join(name);
    fs::rename(&tmp, &target).map_err(|source| VaultError::Io {
        action: "replace",
        path: target,
        source,
    })?;
    sync_dir(dir)
}

/// Makes the creation, rename or removal of directory entries durable.
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|source| VaultError::Io {
                action: "sync",
                path: dir.to_path_buf(),
                source,
            })?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_key_id_parses_strictly() {
        assert_eq!("7".parse::<MasterKeyId>().unwrap().get(), 7);
        for bad in ["", "0", "-1", "+3", " 3", "x", "4294967296"] {
            assert!(bad.parse::<MasterKeyId>().is_err(), "{bad:?} accepted");
        }
        assert_eq!(MasterKeyId::new(12).unwrap().file_name(), "master-12.key");
    }

    #[test]
    fn key_parses_from_raw_and_hex() {
        let p = Path::new("keys/master-1.key");
        let raw: Vec<u8> = (0..32).collect();
        assert_eq!(
            parse_key(p, &raw).unwrap().expose().as_slice(),
            raw.as_slice()
        );
        let hex_text = format!("{}\n", hex::encode(&raw));
        assert_eq!(
            parse_key(p, hex_text.as_bytes())
                .unwrap()
                .expose()
                .as_slice(),
            raw.as_slice()
        );
        assert!(matches!(
            parse_key(p, b"abc"),
            Err(VaultError::KeyFileLength { found: 3, .. })
        ));
        let not_hex = "z".repeat(64);
        assert!(matches!(
            parse_key(p, not_hex.as_bytes()),
            Err(VaultError::KeyFileInvalid { .. })
        ));
    }

    #[test]
    fn from_parts_requires_current_in_ring() {
        let err = KeyRing::from_parts(
            MasterKeyId::new(2).unwrap(),
            [(MasterKeyId::FIRST, random_key())],
            random_key(),
        )
        .unwrap_err();
        assert!(matches!(err, VaultError::UnknownMasterKey { id: 2 }));
    }

    #[test]
    fn random_keys_differ() {
        assert_ne!(random_key().expose(), random_key().expose());
    }
}

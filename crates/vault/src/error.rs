use std::path::PathBuf;

/// Everything that can go wrong in the vault. Messages name the file or field
/// and say what to do, because the reader is often an operator at a terminal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    #[error("key directory {} does not exist — run `fanguai init` or restore keys/ from backup", .path.display())]
    KeyDirMissing { path: PathBuf },

    #[error("{} already holds keys; refusing to overwrite them, because data sealed under a lost key is gone for good", .dir.display())]
    KeysExist { dir: PathBuf },

    #[error("{what} file {} is missing — run `fanguai init` or restore keys/ from backup", .path.display())]
    KeyFileMissing { what: &'static str, path: PathBuf },

    #[error("key file {} holds {found} bytes; a key is 32 raw bytes or 64 hexadecimal digits — restore it from backup", .path.display())]
    KeyFileLength { path: PathBuf, found: usize },

    #[error("key file {} is not valid: {reason} — restore it from backup", .path.display())]
    KeyFileInvalid { path: PathBuf, reason: String },

    #[error("key file {} can be read by other users (mode {mode:04o}) — run `chmod 600 {}`", .path.display(), .path.display())]
    KeyFilePermissions { path: PathBuf, mode: u32 },

    #[error("{} does not name a master key: {reason}", .path.display())]
    CurrentPointerInvalid { path: PathBuf, reason: String },

    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("master key {id} is not in the key ring — restore keys/master-{id}.key from backup")]
    UnknownMasterKey { id: u32 },

    #[error(
        "master key {id} is the current one; run `fanguai keys rotate` and re-wrap the data keys before retiring it"
    )]
    RetireCurrent { id: u32 },

    #[error(
        "{what} could not be opened: wrong key, wrong associated data, or the bytes were altered"
    )]
    Decrypt { what: &'static str },

    #[error("{what} is malformed: {reason}")]
    Malformed { what: &'static str, reason: String },

    #[error("{what} has format version {version}, which this build does not know")]
    UnsupportedVersion { what: &'static str, version: u8 },

    #[error("{field} is invalid: {reason}")]
    InvalidInput { field: &'static str, reason: String },

    #[error("password hashing failed: {reason}")]
    PasswordHashing { reason: String },
}

pub type Result<T, E = VaultError> = std::result::Result<T, E>;

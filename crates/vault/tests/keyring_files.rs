//! The key directory on disk: creation, the operator-facing errors of `open`,
//! rotation and retirement.

use std::fs;
use std::path::{Path, PathBuf};

use fanguai_vault::{DataKey, FieldAad, KeyRing, MasterKeyId, VaultError, WrappedKey};

fn keys_dir() -> (tempfile::TempDir, PathBuf) {
    let data = tempfile::tempdir().unwrap();
    let keys = data.path().join(fanguai_vault::KEYS_DIR_NAME);
    (data, keys)
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn create_writes_private_hex_files_and_open_reads_them() {
    let (_data, keys) = keys_dir();
    let created = KeyRing::create(&keys).unwrap();
    assert_eq!(created.current_id(), MasterKeyId::FIRST);
    assert_eq!(fs::read_to_string(keys.join("current")).unwrap(), "1\n");
    for name in ["master-1.key", "index.key"] {
        let text = fs::read_to_string(keys.join(name)).unwrap();
        assert_eq!(text.len(), 65, "{name}");
        assert!(
            text.trim_end().bytes().all(|b| b.is_ascii_hexdigit()),
            "{name}"
        );
        #[cfg(unix)]
        assert_eq!(mode(&keys.join(name)), 0o600, "{name}");
    }
    #[cfg(unix)]
    assert_eq!(mode(&keys), 0o700);
    assert_ne!(
        fs::read(keys.join("master-1.key")).unwrap(),
        fs::read(keys.join("index.key")).unwrap()
    );

    let opened = KeyRing::open(&keys).unwrap();
    let key = DataKey::generate();
    let wrapped = created.wrap(&key, "victim:1");
    assert!(opened.unwrap(&wrapped, "victim:1").is_ok());
    assert_eq!(
        created.blind_index("phone", "13800138000"),
        opened.blind_index("phone", "13800138000")
    );
}

#[test]
fn create_in_an_existing_empty_directory_works() {
    let (_data, keys) = keys_dir();
    fs::create_dir(&keys).unwrap();
    fs::write(keys.join("README"), "kept").unwrap();
    KeyRing::create(&keys).unwrap();
    assert!(keys.join("master-1.key").exists());
}

#[test]
fn create_refuses_when_any_key_file_exists() {
    for existing in ["current", "index.key", "master-4.key"] {
        let (_data, keys) = keys_dir();
        fs::create_dir(&keys).unwrap();
        fs::write(keys.join(existing), "x").unwrap();
        let err = KeyRing::create(&keys).unwrap_err();
        assert!(
            matches!(err, VaultError::KeysExist { .. }),
            "{existing}: {err}"
        );
        assert_eq!(fs::read_to_string(keys.join(existing)).unwrap(), "x");
    }
    let (_data, keys) = keys_dir();
    KeyRing::create(&keys).unwrap();
    let before = fs::read(keys.join("master-1.key")).unwrap();
    assert!(KeyRing::create(&keys).is_err());
    assert_eq!(fs::read(keys.join("master-1.key")).unwrap(), before);
}

#[test]
fn open_explains_a_missing_directory() {
    let (_data, keys) = keys_dir();
    let err = KeyRing::open(&keys).unwrap_err();
    assert!(matches!(err, VaultError::KeyDirMissing { .. }));
    assert!(
        err.to_string()
            .contains("run `fanguai init` or restore keys/ from backup"),
        "{err}"
    );
}

#[test]
fn open_explains_a_missing_master_key() {
    let (_data, keys) = keys_dir();
    KeyRing::create(&keys).unwrap();
    fs::remove_file(keys.join("master-1.key")).unwrap();
    let err = KeyRing::open(&keys).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("master key file "), "{text}");
    assert!(
        text.contains(
            "keys/master-1.key is missing — run `fanguai init` or restore keys/ from backup"
        ),
        "{text}"
    );
}

#[test]
fn open_explains_missing_index_key_and_pointer() {
    let (_data, keys) = keys_dir();
    KeyRing::create(&keys).unwrap();
    fs::rename(keys.join("index.key"), keys.join("index.key.bak")).unwrap();
    let err = KeyRing::open(&keys).unwrap_err();
    assert!(
        matches!(
            err,
            VaultError::KeyFileMissing {
                what: "index key",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("index.key is missing"), "{err}");
    fs::rename(keys.join("index.key.bak"), keys.join("index.key")).unwrap();

    fs::remove_file(keys.join("current")).unwrap();
    let err = KeyRing::open(&keys).unwrap_err();
    assert!(matches!(err, VaultError::KeyFileMissing { .. }), "{err}");
    assert!(err.to_string().contains("current"), "{err}");
}

#[test]
fn open_rejects_a_bad_pointer() {
    let (_data, keys) = keys_dir();
    KeyRing::create(&keys).unwrap();
    fs::write(keys.join("current"), "first\n").unwrap();
    let err = KeyRing::open(&keys).unwrap_err();
    assert!(
        matches!(err, VaultError::CurrentPointerInvalid { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("\"first\""), "{err}");

    fs::write(keys.join("current"), "5").unwrap();
    let err = KeyRing::open(&keys).unwrap_err();
    assert!(err.to_string().contains("master-5.key is missing"), "{err}");
}

#[test]
fn open_rejects_wrong_length_and_non_hex() {
    let (_data, keys) = keys_dir();
    KeyRing::create(&keys).unwrap();
    let path = keys.join("master-1.key");
    let good = fs::read(&path).unwrap();

    fs::write(&path, &good[..40]).unwrap();
    let err = KeyRing::open(&keys).unwrap_err();
    assert!(
        matches!(err, VaultError::KeyFileLength { found: 40, .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("master-1.key holds 40 bytes"),
        "{err}"
    );

    fs::write(&path, "g".repeat(64)).unwrap();
    let err = KeyRing::open(&keys).unwrap_err();
    assert!(matches!(err, VaultError::KeyFileInvalid { .. }), "{err}");
}

#[test]
fn open_accepts_raw_key_bytes() {
    let (_data, keys) = keys_dir();
    let ring = KeyRing::create(&keys).unwrap();
    let wrapped = ring.wrap(&DataKey::generate(), "s");
    let path = keys.join("master-1.key");
    let raw = hex::decode(fs::read_to_string(&path).unwrap().trim()).unwrap();
    fs::write(&path, &raw).unwrap();
    assert!(KeyRing::open(&keys).unwrap().unwrap(&wrapped, "s").is_ok());
}

#[cfg(unix)]
#[test]
fn open_refuses_key_files_others_can_read() {
    let (_data, keys) = keys_dir();
    KeyRing::create(&keys).unwrap();
    for (name, loose) in [
        ("master-1.key", 0o644),
        ("index.key", 0o640),
        ("master-1.key", 0o604),
    ] {
        let path = keys.join(name);
        set_mode(&path, loose);
        let err = KeyRing::open(&keys).unwrap_err();
        assert!(
            matches!(err, VaultError::KeyFilePermissions { mode, .. } if mode == loose),
            "{err}"
        );
        let text = err.to_string();
        assert!(
            text.contains(name) && text.contains(&format!("chmod 600 {}", path.display())),
            "{text}"
        );
        set_mode(&path, 0o600);
    }
    set_mode(&keys.join("master-1.key"), 0o400);
    KeyRing::open(&keys).unwrap();
}

#[test]
fn open_rejects_a_misnamed_master_key() {
    let (_data, keys) = keys_dir();
    KeyRing::create(&keys).unwrap();
    fs::copy(keys.join("master-1.key"), keys.join("master-new.key")).unwrap();
    let err = KeyRing::open(&keys).unwrap_err();
    assert!(matches!(err, VaultError::KeyFileInvalid { .. }), "{err}");
    assert!(err.to_string().contains("master-new.key"), "{err}");
}

#[test]
fn rotate_adds_a_current_key_and_keeps_old_data_readable() {
    let (_data, keys) = keys_dir();
    let before = KeyRing::create(&keys).unwrap();
    let key = DataKey::generate();
    let aad = FieldAad::new("victims", "name", "0193");
    let sealed = key.seal_str("赵六", &aad);
    let wrapped = before.wrap(&key, "victim:0193");
    let index_before = before.blind_index("resident_id", "110101199003071234");

    let two = KeyRing::rotate(&keys).unwrap();
    assert_eq!(two.get(), 2);
    assert_eq!(
        fs::read_to_string(keys.join("current")).unwrap().trim(),
        "2"
    );
    assert!(!keys.join("current.tmp").exists());
    #[cfg(unix)]
    assert_eq!(mode(&keys.join("master-2.key")), 0o600);

    let after = KeyRing::open(&keys).unwrap();
    assert_eq!(after.current_id(), two);
    assert_eq!(
        after.master_ids().map(MasterKeyId::get).collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(after.needs_rewrap(&wrapped));
    let rewrapped = after.rewrap(&wrapped, "victim:0193").unwrap();
    assert_eq!(rewrapped.master_key_id(), two);
    let opened = after.unwrap(&rewrapped, "victim:0193").unwrap();
    assert_eq!(opened.open_str(&sealed, &aad).unwrap().as_str(), "赵六");
    assert_eq!(
        after.blind_index("resident_id", "110101199003071234"),
        index_before
    );
    assert_eq!(after.wrap(&opened, "victim:0193").master_key_id(), two);

    assert_eq!(KeyRing::rotate(&keys).unwrap().get(), 3);
}

#[test]
fn rotate_survives_a_leftover_temporary_pointer() {
    let (_data, keys) = keys_dir();
    KeyRing::create(&keys).unwrap();
    fs::write(keys.join("current.tmp"), "9").unwrap();
    assert_eq!(KeyRing::rotate(&keys).unwrap().get(), 2);
    assert_eq!(KeyRing::open(&keys).unwrap().current_id().get(), 2);
}

#[test]
fn retire_removes_only_old_keys() {
    let (_data, keys) = keys_dir();
    let first = KeyRing::create(&keys).unwrap();
    let old_wrap = first.wrap(&DataKey::generate(), "s");
    let err = KeyRing::retire(&keys, MasterKeyId::FIRST).unwrap_err();
    assert!(matches!(err, VaultError::RetireCurrent { id: 1 }), "{err}");
    assert!(err.to_string().contains("fanguai keys rotate"), "{err}");

    KeyRing::rotate(&keys).unwrap();
    let ghost = MasterKeyId::new(9).unwrap();
    assert!(matches!(
        KeyRing::retire(&keys, ghost),
        Err(VaultError::UnknownMasterKey { id: 9 })
    ));
    KeyRing::retire(&keys, MasterKeyId::FIRST).unwrap();
    assert!(!keys.join("master-1.key").exists());

    let ring = KeyRing::open(&keys).unwrap();
    assert_eq!(
        ring.master_ids().map(MasterKeyId::get).collect::<Vec<_>>(),
        [2]
    );
    let stored = WrappedKey::from_bytes(old_wrap.as_bytes()).unwrap();
    let err = ring.unwrap(&stored, "s").unwrap_err();
    assert!(
        err.to_string()
            .contains("restore keys/master-1.key from backup"),
        "{err}"
    );
    // Ids are never reused, so a stale wrapped key cannot meet a different key 1.
    assert_eq!(KeyRing::rotate(&keys).unwrap().get(), 3);
}

//! No key-bearing type may show its bytes through `Debug` (or `Display`),
//! since those are what end up in logs and error reports.

use crate::keyring::{KEY_LEN, MasterKeyId};
use crate::password::PasswordPolicy;
use crate::{DataKey, KeyRing, Secret, TotpSecret};

/// The spellings a key could leak in: hex either case, base32, and Rust's
/// own array formatting (also just a run of its first bytes).
fn assert_hidden(shown: &str, key: &[u8]) {
    let forms = [
        hex::encode(key),
        hex::encode_upper(key),
        data_encoding::BASE32_NOPAD.encode(key),
        format!("{key:?}"),
        format!("{:?}", &key[..4])
            .trim_matches(['[', ']'])
            .to_owned(),
    ];
    for form in forms {
        assert!(!shown.contains(&form), "{shown:?} shows {form:?}");
    }
}

const MASTER: [u8; KEY_LEN] = [0xa7; KEY_LEN];
const INDEX: [u8; KEY_LEN] = [0x3c; KEY_LEN];

fn ring() -> KeyRing {
    let id = MasterKeyId::FIRST;
    KeyRing::from_parts(id, [(id, Secret::new(MASTER))], Secret::new(INDEX)).unwrap()
}

#[test]
fn secret_hides_its_value() {
    let s = Secret::new(MASTER);
    assert_hidden(&format!("{s:?} {s} {s:#?}"), &MASTER);
    let p = Secret::new(String::from("correct horse battery staple"));
    assert!(!format!("{p:?}{p}").contains("horse"));
}

#[test]
fn key_ring_hides_master_and_index_keys() {
    let shown = format!("{:?} {:#?}", ring(), ring());
    assert_hidden(&shown, &MASTER);
    assert_hidden(&shown, &INDEX);
    assert!(shown.contains("current"), "{shown}");
}

#[test]
fn data_key_hides_its_bytes() {
    let key = DataKey::generate();
    assert_hidden(&format!("{key:?} {key:#?}"), key.0.expose());
}

#[test]
fn wrapped_key_shows_only_its_master_key_id() {
    let key = DataKey::generate();
    let wrapped = ring().wrap(&key, "victim:1");
    let shown = format!("{wrapped:?}");
    assert_hidden(&shown, key.0.expose());
    assert_hidden(&shown, &wrapped.as_bytes()[5..]);
    assert!(shown.contains("master_key_id"), "{shown}");
}

#[test]
fn totp_secret_hides_its_seed() {
    let secret = TotpSecret::generate();
    let shown = format!("{secret:?} {:?} {}", secret.to_base32(), secret.to_base32());
    assert_hidden(&shown, secret.expose_bytes());
    let uri = secret.otpauth_uri("fanguai", "li").unwrap();
    assert_hidden(&format!("{uri:?} {uri}"), secret.expose_bytes());
}

#[test]
fn password_hash_is_not_shown() {
    let policy = PasswordPolicy::new(64, 1, 1).unwrap();
    let hashed = policy.hash("pw").unwrap();
    let shown = format!("{hashed:?}");
    assert!(!shown.contains("argon2"), "{shown}");
    let salt_and_hash = hashed.as_str().rsplit('$').take(2).collect::<Vec<_>>();
    for part in salt_and_hash {
        assert!(!shown.contains(part), "{shown}");
    }
}

#[test]
fn errors_do_not_carry_key_material() {
    let key = DataKey::generate();
    let aad = crate::FieldAad::new("t", "c", "1");
    let err = DataKey::generate()
        .open(&key.seal(b"secret value", &aad), &aad)
        .unwrap_err();
    let shown = format!("{err:?} {err}");
    assert_hidden(&shown, key.0.expose());
    assert!(!shown.contains("secret value"));
}

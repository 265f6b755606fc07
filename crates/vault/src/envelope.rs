//! Envelope encryption: each person (or other subject) gets a random data key;
//! personal fields are sealed under it, and the data key is stored wrapped
//! under the current master key. Deleting the wrapped key makes every field
//! sealed under it unreadable (crypto-shredding) without touching those rows.

use std::fmt;

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use rand::RngCore;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

use crate::canonical::Canonical;
use crate::error::{Result, VaultError};
use crate::keyring::{KEY_LEN, KeyRing, MasterKeyId, random_key};
use crate::secret::Secret;

/// Format version of sealed fields: `0x01 ‖ nonce (24) ‖ ciphertext ‖ tag (16)`.
pub const SEALED_FORMAT_V1: u8 = 1;
/// Format version of wrapped keys: `0x01 ‖ master key id (u32 BE) ‖ nonce (24) ‖ encrypted key (32) ‖ tag (16)`.
pub const WRAPPED_FORMAT_V1: u8 = 1;

const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const SEALED_HEADER_LEN: usize = 1 + NONCE_LEN;
const WRAPPED_HEADER_LEN: usize = 1 + 4 + NONCE_LEN;

// Labels keep the associated data of fields and of wrapped keys apart, and
// carry the format version so a future format cannot be confused with this one.
const FIELD_LABEL: &str = "fanguai.field.v1";
const WRAP_LABEL: &str = "fanguai.data-key.v1";

/// Where a sealed value belongs. It is authenticated with the ciphertext, so a
/// value copied into another row, column or table does not open there.
///
/// `row_id` must be known before the row is written (the store assigns ids in
/// the application, not by the database) and spelled the same way every time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldAad<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row_id: &'a str,
}

impl<'a> FieldAad<'a> {
    pub fn new(table: &'a str, column: &'a str, row_id: &'a str) -> Self {
        FieldAad {
            table,
            column,
            row_id,
        }
    }

    /// The associated data exactly as authenticated: a label, then table,
    /// column and row id, each length-prefixed (see [`Canonical`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        Canonical::new()
            .str(FIELD_LABEL)
            .str(self.table)
            .str(self.column)
            .str(self.row_id)
            .finish()
    }
}

/// The key that seals one subject's fields. It exists in clear only in memory;
/// the store keeps it as a [`WrappedKey`].
pub struct DataKey(pub(crate) Secret<[u8; KEY_LEN]>);

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataKey({:?})", self.0)
    }
}

impl DataKey {
    pub fn generate() -> DataKey {
        DataKey(random_key())
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.0.expose().into())
    }

    /// Encrypts with a fresh random nonce: sealing the same value twice gives
    /// different bytes, so equal ciphertexts reveal nothing. Equality look-ups
    /// go through blind indexes instead.
    pub fn seal(&self, plaintext: &[u8], aad: &FieldAad<'_>) -> Vec<u8> {
        let mut out = Vec::with_capacity(SEALED_HEADER_LEN + plaintext.len() + TAG_LEN);
        out.push(SEALED_FORMAT_V1);
        out.extend_from_slice(&random_nonce());
        out.extend_from_slice(plaintext);
        let (header, body) = out.split_at_mut(SEALED_HEADER_LEN);
        let nonce = XNonce::from_slice(&header[1..]);
        let tag = self
            .cipher()
            .encrypt_in_place_detached(nonce, &aad.to_bytes(), body)
            .expect("XChaCha20-Poly1305 accepts messages far longer than any field");
        out.extend_from_slice(&tag);
        out
    }

    /// Decrypts a value made by [`DataKey::seal`] for the same `aad`. The
    /// plaintext is wiped from memory when the returned buffer is dropped.
    pub fn open(&self, sealed: &[u8], aad: &FieldAad<'_>) -> Result<Zeroizing<Vec<u8>>> {
        const WHAT: &str = "sealed field";
        let Some(&version) = sealed.first() else {
            return Err(VaultError::Malformed {
                what: WHAT,
                reason: "empty".into(),
            });
        };
        if version != SEALED_FORMAT_V1 {
            return Err(VaultError::UnsupportedVersion {
                what: WHAT,
                version,
            });
        }
        if sealed.len() < SEALED_HEADER_LEN + TAG_LEN {
            return Err(VaultError::Malformed {
                what: WHAT,
                reason: format!(
                    "{} bytes, shorter than the {} bytes of header and tag",
                    sealed.len(),
                    SEALED_HEADER_LEN + TAG_LEN
                ),
            });
        }
        let nonce = XNonce::from_slice(&sealed[1..SEALED_HEADER_LEN]);
        let (body, tag) =
            sealed[SEALED_HEADER_LEN..].split_at(sealed.len() - SEALED_HEADER_LEN - TAG_LEN);
        let mut plain = Zeroizing::new(body.to_vec());
        self.cipher()
            .decrypt_in_place_detached(nonce, &aad.to_bytes(), &mut plain, Tag::from_slice(tag))
            .map_err(|_| VaultError::Decrypt { what: WHAT })?;
        Ok(plain)
    }

    pub fn seal_str(&self, plaintext: &str, aad: &FieldAad<'_>) -> Vec<u8> {
        self.seal(plaintext.as_bytes(), aad)
    }

    pub fn open_str(&self, sealed: &[u8], aad: &FieldAad<'_>) -> Result<Zeroizing<String>> {
        let mut plain = self.open(sealed, aad)?;
        let bytes = std::mem::take(&mut *plain);
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Zeroizing::new(text)),
            Err(e) => {
                // Authenticated but not text: a caller sealed bytes and opens a
                // string. Wipe what was decrypted before reporting it.
                let mut bytes = e.into_bytes();
                zeroize::Zeroize::zeroize(&mut bytes);
                Err(VaultError::Malformed {
                    what: "sealed field",
                    reason: "the plaintext is not UTF-8 text".into(),
                })
            }
        }
    }
}

/// A data key encrypted under a master key, as the store persists it. It names
/// the master key it was made with, so old rows stay readable after rotation.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKey(Vec<u8>);

impl fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrappedKey")
            .field("master_key_id", &self.master_key_id())
            .finish_non_exhaustive()
    }
}

impl WrappedKey {
    /// Length in bytes of a version-1 wrapped key.
    pub const LEN: usize = WRAPPED_HEADER_LEN + KEY_LEN + TAG_LEN;

    /// Reads a wrapped key back from the store, checking its version, length
    /// and master key id (authenticity is checked by `KeyRing::unwrap`).
    pub fn from_bytes(bytes: &[u8]) -> Result<WrappedKey> {
        const WHAT: &str = "wrapped data key";
        let Some(&version) = bytes.first() else {
            return Err(VaultError::Malformed {
                what: WHAT,
                reason: "empty".into(),
            });
        };
        if version != WRAPPED_FORMAT_V1 {
            return Err(VaultError::UnsupportedVersion {
                what: WHAT,
                version,
            });
        }
        if bytes.len() != Self::LEN {
            return Err(VaultError::Malformed {
                what: WHAT,
                reason: format!("{} bytes, expected {}", bytes.len(), Self::LEN),
            });
        }
        let id = u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
        MasterKeyId::new(id).map_err(|_| VaultError::Malformed {
            what: WHAT,
            reason: "master key id 0".into(),
        })?;
        Ok(WrappedKey(bytes.to_vec()))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.clone()
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// The master key this was wrapped under; the store can keep it in a
    /// column to find rows that still need re-wrapping after a rotation.
    pub fn master_key_id(&self) -> MasterKeyId {
        let id = u32::from_be_bytes([self.0[1], self.0[2], self.0[3], self.0[4]]);
        MasterKeyId::new(id).expect("checked when the wrapped key was built")
    }
}

fn wrap_aad(id: MasterKeyId, subject: &str) -> Vec<u8> {
    Canonical::new()
        .str(WRAP_LABEL)
        .u64(id.get().into())
        .str(subject)
        .finish()
}

fn random_nonce() -> [u8; NONCE_LEN] {
    // 192-bit nonces: random choice never repeats in practice, so no counter
    // has to be kept across processes sharing one database.
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    nonce
}

impl KeyRing {
    /// Encrypts `key` under the current master key. `subject` names what the
    /// key protects (e.g. `victim:<id>`) and is authenticated, so a wrapped key
    /// copied onto another subject does not unwrap there.
    pub fn wrap(&self, key: &DataKey, subject: &str) -> WrappedKey {
        let (id, master) = self.current_master();
        let mut out = Vec::with_capacity(WrappedKey::LEN);
        out.push(WRAPPED_FORMAT_V1);
        out.extend_from_slice(&id.get().to_be_bytes());
        out.extend_from_slice(&random_nonce());
        out.extend_from_slice(key.0.expose());
        let (header, body) = out.split_at_mut(WRAPPED_HEADER_LEN);
        let nonce = XNonce::from_slice(&header[5..]);
        let tag = XChaCha20Poly1305::new(master.into())
            .encrypt_in_place_detached(nonce, &wrap_aad(id, subject), body)
            .expect("a 32-byte key is a valid XChaCha20-Poly1305 message");
        out.extend_from_slice(&tag);
        WrappedKey(out)
    }

    /// Decrypts a wrapped key with the master key it names.
    pub fn unwrap(&self, wrapped: &WrappedKey, subject: &str) -> Result<DataKey> {
        let id = wrapped.master_key_id();
        let master = self.master(id)?;
        let bytes = wrapped.as_bytes();
        let nonce = XNonce::from_slice(&bytes[5..WRAPPED_HEADER_LEN]);
        let (body, tag) = bytes[WRAPPED_HEADER_LEN..].split_at(KEY_LEN);
        let mut key = Secret::new([0u8; KEY_LEN]);
        key.expose_mut().copy_from_slice(body);
        XChaCha20Poly1305::new(master.into())
            .decrypt_in_place_detached(
                nonce,
                &wrap_aad(id, subject),
                key.expose_mut(),
                Tag::from_slice(tag),
            )
            .map_err(|_| VaultError::Decrypt {
                what: "wrapped data key",
            })?;
        Ok(DataKey(key))
    }

    /// Re-encrypts a wrapped key under the current master key. The data key
    /// itself is unchanged, so no sealed field has to be touched: rotation is a
    /// batch update of the wrapped-key rows while the service keeps running.
    pub fn rewrap(&self, wrapped: &WrappedKey, subject: &str) -> Result<WrappedKey> {
        let key = self.unwrap(wrapped, subject)?;
        Ok(self.wrap(&key, subject))
    }

    /// Whether `wrapped` was made under a master key other than the current one.
    pub fn needs_rewrap(&self, wrapped: &WrappedKey) -> bool {
        wrapped.master_key_id() != self.current_id()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const AAD: FieldAad<'static> = FieldAad {
        table: "victims",
        column: "name",
        row_id: "0193a1",
    };

    #[test]
    fn seal_then_open_round_trips() {
        let key = DataKey::generate();
        let sealed = key.seal_str("张三", &AAD);
        assert_eq!(sealed[0], SEALED_FORMAT_V1);
        assert_eq!(sealed.len(), 1 + 24 + "张三".len() + 16);
        assert_eq!(key.open_str(&sealed, &AAD).unwrap().as_str(), "张三");
    }

    #[test]
    fn sealing_twice_gives_different_bytes() {
        let key = DataKey::generate();
        assert_ne!(
            key.seal(b"13800138000", &AAD),
            key.seal(b"13800138000", &AAD)
        );
    }

    #[test]
    fn moved_ciphertext_does_not_open() {
        let key = DataKey::generate();
        let sealed = key.seal_str("110101199003071234", &AAD);
        for moved in [
            FieldAad {
                row_id: "0193a2",
                ..AAD
            },
            FieldAad {
                column: "resident_id",
                ..AAD
            },
            FieldAad {
                table: "reporters",
                ..AAD
            },
        ] {
            assert!(matches!(
                key.open(&sealed, &moved),
                Err(VaultError::Decrypt { .. })
            ));
        }
    }

    #[test]
    fn aad_fields_cannot_slide_into_each_other() {
        let a = FieldAad {
            table: "ab",
            column: "c",
            row_id: "1",
        };
        let b = FieldAad {
            table: "a",
            column: "bc",
            row_id: "1",
        };
        assert_ne!(a.to_bytes(), b.to_bytes());
        let key = DataKey::generate();
        assert!(key.open(&key.seal(b"x", &a), &b).is_err());
    }

    #[test]
    fn open_reports_malformed_input() {
        let key = DataKey::generate();
        assert!(matches!(
            key.open(&[], &AAD),
            Err(VaultError::Malformed { .. })
        ));
        assert!(matches!(
            key.open(&[9; 60], &AAD),
            Err(VaultError::UnsupportedVersion { version: 9, .. })
        ));
        assert!(matches!(
            key.open(&[1; 30], &AAD),
            Err(VaultError::Malformed { .. })
        ));
    }

    #[test]
    fn open_str_refuses_non_text() {
        let key = DataKey::generate();
        let sealed = key.seal(&[0xff, 0xfe], &AAD);
        assert!(matches!(
            key.open_str(&sealed, &AAD),
            Err(VaultError::Malformed { .. })
        ));
    }

    #[test]
    fn wrap_unwrap_and_subject_binding() {
        let ring = KeyRing::ephemeral();
        let key = DataKey::generate();
        let sealed = key.seal_str("李四", &AAD);
        let wrapped = ring.wrap(&key, "victim:1");
        assert_eq!(wrapped.as_bytes().len(), WrappedKey::LEN);
        assert_eq!(wrapped.master_key_id(), ring.current_id());
        let back = ring.unwrap(&wrapped, "victim:1").unwrap();
        assert_eq!(back.open_str(&sealed, &AAD).unwrap().as_str(), "李四");
        assert!(matches!(
            ring.unwrap(&wrapped, "victim:2"),
            Err(VaultError::Decrypt { .. })
        ));
    }

    #[test]
    fn wrapped_key_survives_the_store() {
        let ring = KeyRing::ephemeral();
        let wrapped = ring.wrap(&DataKey::generate(), "s");
        let again = WrappedKey::from_bytes(wrapped.as_bytes()).unwrap();
        assert_eq!(again, wrapped);
        assert!(ring.unwrap(&again, "s").is_ok());
        assert!(WrappedKey::from_bytes(&wrapped.as_bytes()[..50]).is_err());
        let mut v2 = wrapped.clone().into_bytes();
        v2[0] = 2;
        assert!(matches!(
            WrappedKey::from_bytes(&v2),
            Err(VaultError::UnsupportedVersion { version: 2, .. })
        ));
        let mut id0 = wrapped.into_bytes();
        id0[1..5].copy_from_slice(&[0, 0, 0, 0]);
        assert!(WrappedKey::from_bytes(&id0).is_err());
    }

    #[test]
    fn rotation_keeps_old_wraps_readable_and_rewrap_moves_them() {
        let k1 = random_key();
        let k1_copy = Secret::new(*k1.expose());
        let index = random_key();
        let index_copy = Secret::new(*index.expose());
        let one = MasterKeyId::FIRST;
        let two = MasterKeyId::new(2).unwrap();
        let old_ring = KeyRing::from_parts(one, [(one, k1)], index).unwrap();
        let key = DataKey::generate();
        let sealed = key.seal_str("王五", &AAD);
        let wrapped = old_ring.wrap(&key, "victim:9");

        let new_ring =
            KeyRing::from_parts(two, [(one, k1_copy), (two, random_key())], index_copy).unwrap();
        assert!(new_ring.needs_rewrap(&wrapped));
        assert!(new_ring.unwrap(&wrapped, "victim:9").is_ok());
        let moved = new_ring.rewrap(&wrapped, "victim:9").unwrap();
        assert_eq!(moved.master_key_id(), two);
        assert!(!new_ring.needs_rewrap(&moved));
        let back = new_ring.unwrap(&moved, "victim:9").unwrap();
        assert_eq!(back.open_str(&sealed, &AAD).unwrap().as_str(), "王五");
        // The ring from before the rotation does not hold key 2.
        assert!(matches!(
            old_ring.unwrap(&moved, "victim:9"),
            Err(VaultError::UnknownMasterKey { id: 2 })
        ));
    }

    #[test]
    fn another_ring_cannot_unwrap() {
        let wrapped = KeyRing::ephemeral().wrap(&DataKey::generate(), "s");
        assert!(matches!(
            KeyRing::ephemeral().unwrap(&wrapped, "s"),
            Err(VaultError::Decrypt { .. })
        ));
    }

    proptest! {
        #[test]
        fn round_trip_any_bytes(plain in proptest::collection::vec(any::<u8>(), 0..512),
                                table in "[a-z_]{1,12}", column in "[a-z_]{1,12}", row in ".{0,20}") {
            let key = DataKey::generate();
            let aad = FieldAad::new(&table, &column, &row);
            let sealed = key.seal(&plain, &aad);
            let opened = key.open(&sealed, &aad).unwrap();
            prop_assert_eq!(opened.as_slice(), plain.as_slice());
        }

        #[test]
        fn any_flipped_bit_is_refused(plain in proptest::collection::vec(any::<u8>(), 0..64),
                                      pos in any::<prop::sample::Index>(), bit in 0u8..8) {
            let key = DataKey::generate();
            let mut sealed = key.seal(&plain, &AAD);
            let i = pos.index(sealed.len());
            sealed[i] ^= 1 << bit;
            prop_assert!(key.open(&sealed, &AAD).is_err());
        }

        #[test]
        fn truncated_or_extended_is_refused(plain in proptest::collection::vec(any::<u8>(), 0..64),
                                            cut in 1usize..20, extra in proptest::collection::vec(any::<u8>(), 1..8)) {
            let key = DataKey::generate();
            let sealed = key.seal(&plain, &AAD);
            let cut = cut.min(sealed.len());
            prop_assert!(key.open(&sealed[..sealed.len() - cut], &AAD).is_err());
            let mut longer = sealed.clone();
            longer.extend_from_slice(&extra);
            prop_assert!(key.open(&longer, &AAD).is_err());
        }

        #[test]
        fn wrong_aad_is_refused(plain in proptest::collection::vec(any::<u8>(), 0..64),
                                a in "[a-z0-9]{0,8}", b in "[a-z0-9]{0,8}") {
            prop_assume!(a != b);
            let key = DataKey::generate();
            let sealed = key.seal(&plain, &FieldAad::new("t", "c", &a));
            prop_assert!(key.open(&sealed, &FieldAad::new("t", "c", &b)).is_err());
        }

        /// Crypto-shredding rests on this: once a subject's data key is gone,
        /// no other key opens what was sealed under it.
        #[test]
        fn no_other_data_key_opens_a_sealed_value(plain in proptest::collection::vec(any::<u8>(), 0..64)) {
            let owner = DataKey::generate();
            let sealed = owner.seal(&plain, &AAD);
            for _ in 0..8 {
                prop_assert!(DataKey::generate().open(&sealed, &AAD).is_err());
            }
        }

        #[test]
        fn any_flipped_bit_of_a_wrapped_key_is_refused(pos in 0usize..WrappedKey::LEN, bit in 0u8..8) {
            let ring = KeyRing::ephemeral();
            let mut bytes = ring.wrap(&DataKey::generate(), "s").into_bytes();
            bytes[pos] ^= 1 << bit;
            // A damaged header is refused when read back, anything else when unwrapped.
            if let Ok(tampered) = WrappedKey::from_bytes(&bytes) {
                prop_assert!(ring.unwrap(&tampered, "s").is_err());
            }
        }
    }
}

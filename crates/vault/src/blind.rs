//! Blind indexes: a keyed hash of a normalized value, stored beside its sealed
//! form so exact look-ups (“who has this ID number?”) work without decrypting
//! every row. Only equality can be searched; see docs/keys-and-crypto.md for
//! what an index still reveals.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::keyring::KeyRing;

impl KeyRing {
    /// `hex(HMAC-SHA256(index key, kind ‖ 0x00 ‖ normalized))`.
    ///
    /// `kind` (e.g. `"resident_id"`, `"phone"`) keeps equal strings of
    /// different kinds apart; it is a constant of the calling code and must not
    /// contain a NUL byte, which would make the separator ambiguous.
    /// `normalized` must already be in the one canonical spelling of its domain
    /// type, because `"138 0013 8000"` and `"13800138000"` hash differently.
    ///
    /// # Panics
    /// If `kind` contains a NUL byte.
    pub fn blind_index(&self, kind: &str, normalized: &str) -> String {
        assert!(
            !kind.contains('\0'),
            "blind index kind {kind:?} contains a NUL byte"
        );
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.index_key())
            .expect("HMAC accepts keys of any length");
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(normalized.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyring::{KEY_LEN, MasterKeyId};
    use crate::secret::Secret;

    fn ring_with_index_key(index: [u8; KEY_LEN]) -> KeyRing {
        let id = MasterKeyId::FIRST;
        KeyRing::from_parts(id, [(id, Secret::new([7; KEY_LEN]))], Secret::new(index)).unwrap()
    }

    #[test]
    fn matches_a_plain_hmac_computation() {
        // Independent computation of the documented formula.
        let ring = ring_with_index_key([0x0b; KEY_LEN]);
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&[0x0b; KEY_LEN]).unwrap();
        mac.update(b"phone\x0013800138000");
        let want = hex::encode(mac.finalize().into_bytes());
        assert_eq!(ring.blind_index("phone", "13800138000"), want);
        assert_eq!(want.len(), 64);
    }

    #[test]
    fn stable_for_equal_input_and_separated_by_kind_and_key() {
        let ring = ring_with_index_key([1; KEY_LEN]);
        let a = ring.blind_index("resident_id", "110101199003071234");
        assert_eq!(a, ring.blind_index("resident_id", "110101199003071234"));
        assert_ne!(a, ring.blind_index("phone", "110101199003071234"));
        assert_ne!(a, ring.blind_index("resident_id", "110101199003071235"));
        assert_ne!(
            a,
            ring_with_index_key([2; KEY_LEN]).blind_index("resident_id", "110101199003071234")
        );
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(ring.blind_index("ab", "c"), ring.blind_index("a", "bc"));
    }

    #[test]
    #[should_panic(expected = "NUL")]
    fn kind_with_nul_is_a_programming_error() {
        ring_with_index_key([1; KEY_LEN]).blind_index("a\0b", "c");
    }
}

/// Unambiguous byte encoding of a sequence of fields, used wherever bytes are
/// authenticated or hashed: the associated data of sealed fields and wrapped
/// keys, and the canonical form of audit events.
///
/// Each field is an 8-byte big-endian length followed by its bytes, so
/// `("a|b", "c")` and `("a", "b|c")` can never encode the same. An absent
/// optional field is the length `u64::MAX` with no bytes, which no present
/// field can produce; so `None` and `Some("")` differ. Integers are encoded as
/// 8-byte big-endian fields. A reader must know the field order — it is a
/// fixed schema, not a self-describing format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Canonical {
    buf: Vec<u8>,
}

const ABSENT: u64 = u64::MAX;

impl Canonical {
    pub fn new() -> Self {
        Canonical { buf: Vec::new() }
    }

    pub fn bytes(&mut self, value: &[u8]) -> &mut Self {
        self.buf
            .extend_from_slice(&(value.len() as u64).to_be_bytes());
        self.buf.extend_from_slice(value);
        self
    }

    pub fn str(&mut self, value: &str) -> &mut Self {
        self.bytes(value.as_bytes())
    }

    pub fn u64(&mut self, value: u64) -> &mut Self {
        self.bytes(&value.to_be_bytes())
    }

    pub fn i64(&mut self, value: i64) -> &mut Self {
        self.bytes(&value.to_be_bytes())
    }

    pub fn opt_str(&mut self, value: Option<&str>) -> &mut Self {
        self.opt_bytes(value.map(str::as_bytes))
    }

    pub fn opt_bytes(&mut self, value: Option<&[u8]>) -> &mut Self {
        match value {
            Some(v) => self.bytes(v),
            None => {
                self.buf.extend_from_slice(&ABSENT.to_be_bytes());
                self
            }
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Takes the encoded bytes, leaving the builder empty; works at the end
    /// of a chain (`Canonical::new().str(a).u64(b).finish()`).
    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn layout_is_length_prefixed() {
        let got = Canonical::new().str("ab").opt_str(None).u64(7).finish();
        let mut want = vec![0, 0, 0, 0, 0, 0, 0, 2, b'a', b'b'];
        want.extend_from_slice(&[0xff; 8]);
        want.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7]);
        assert_eq!(got, want);
    }

    #[test]
    fn absent_differs_from_empty() {
        assert_ne!(
            Canonical::new().opt_str(None).finish(),
            Canonical::new().opt_str(Some("")).finish()
        );
    }

    proptest! {
        #[test]
        fn distinct_field_lists_encode_differently(
            a in proptest::collection::vec(".{0,6}", 1..4),
            b in proptest::collection::vec(".{0,6}", 1..4),
        ) {
            let enc = |v: &[String]| {
                let mut c = Canonical::new();
                for s in v {
                    c.str(s);
                }
                c.finish()
            };
            prop_assert_eq!(a == b, enc(&a) == enc(&b));
        }
    }
}

//! The tracking code and secret a reporter keeps to follow a tip.
//!
//! The code is read aloud over the phone and copied from paper, so it uses Crockford's
//! base32 alphabet (`0-9 A-Z` without `I L O U`) and reads the look-alikes as the digits
//! they resemble (`O` → `0`, `I`/`L` → `1`); letter case, spaces, hyphens and full-width
//! forms do not matter. It shows as three groups of four: `ABCD-EFGH-JKM5`.
//!
//! Eleven characters carry 55 random bits; the twelfth is a check character computed in
//! GF(32) with a distinct weight for each position, so that **every single wrong
//! character and every swap of two different characters is detected**: a typo is told
//! apart from a code that does not exist, without a database look-up.
//!
//! The code only names the tip. The secret ([`TipSecret`]) proves the holder is the
//! reporter: the service generates it, shows it once, and stores only its hash.

use std::fmt;

use crate::ids::fold_full_width;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LEN: usize = 12;
const PAYLOAD_LEN: usize = CODE_LEN - 1;
const SECRET_LEN: usize = 16;
const GROUP: usize = 4;

/// The field polynomial x⁵ + x² + 1, primitive over GF(2): powers of x run through all
/// 31 non-zero elements, so the eleven payload weights are distinct and differ from the
/// check character's weight 1.
const POLY: u8 = 0b10_0101;

fn gf32_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0b10_0000 != 0 {
            a ^= POLY;
        }
    }
    product
}

/// Weight of position `i` of the code: x^(11 − i), so the check character weighs 1.
fn weight(i: usize) -> u8 {
    (0..CODE_LEN - 1 - i).fold(1, |w, _| gf32_mul(w, 2))
}

/// The check value of the first eleven symbols: the weighted sum that makes the weighted
/// sum of all twelve zero.
fn check_value(payload: &[u8]) -> u8 {
    payload
        .iter()
        .enumerate()
        .fold(0, |acc, (i, &v)| acc ^ gf32_mul(weight(i), v))
}

fn symbol_value(c: char) -> Option<u8> {
    let c = fold_full_width(c).to_ascii_uppercase();
    let c = match c {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    };
    ALPHABET
        .iter()
        .position(|&a| a as char == c)
        .map(|p| p as u8)
}

fn is_group_separator(c: char) -> bool {
    let c = fold_full_width(c);
    c == '-' || c.is_whitespace() || c == '—' || c == '–'
}

/// Reads `text` as symbol values, skipping separators.
fn symbols(text: &str, expected: usize) -> Result<Vec<u8>, TrackingCodeError> {
    let mut out = Vec::with_capacity(expected);
    for (i, c) in text.chars().enumerate() {
        if is_group_separator(c) {
            continue;
        }
        match symbol_value(c) {
            Some(v) => out.push(v),
            None => {
                return Err(TrackingCodeError::Character {
                    position: i + 1,
                    found: c,
                });
            }
        }
    }
    if out.is_empty() {
        return Err(TrackingCodeError::Empty);
    }
    if out.len() != expected {
        return Err(TrackingCodeError::Length {
            expected,
            found: out.len(),
        });
    }
    Ok(out)
}

/// Takes `count` 5-bit symbols from the low bits of `bytes` (little-endian).
fn symbols_from_bytes(bytes: &[u8], count: usize) -> Vec<u8> {
    let mut value: u128 = 0;
    for (i, b) in bytes.iter().enumerate() {
        value |= u128::from(*b) << (8 * i);
    }
    (0..count)
        .map(|i| ((value >> (5 * i)) & 0x1f) as u8)
        .collect()
}

fn render(values: &[u8]) -> String {
    values
        .iter()
        .map(|&v| ALPHABET[v as usize] as char)
        .collect()
}

fn grouped(compact: &str) -> String {
    let chars: Vec<char> = compact.chars().collect();
    chars
        .chunks(GROUP)
        .map(|g| g.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Why a text is not a tracking code or secret. Positions count characters from 1 in the
/// text as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrackingCodeError {
    #[error("the code is empty")]
    Empty,
    #[error("character {position} ({found:?}) is not a letter or digit of the code")]
    Character { position: usize, found: char },
    #[error("the code has {expected} letters and digits, found {found}")]
    Length { expected: usize, found: usize },
    #[error("the code contains a typing error: please check every character")]
    Check,
}

impl TrackingCodeError {
    pub fn code(&self) -> &'static str {
        match self {
            TrackingCodeError::Empty => "tracking_code.empty",
            TrackingCodeError::Character { .. } => "tracking_code.character",
            TrackingCodeError::Length { .. } => "tracking_code.length",
            TrackingCodeError::Check => "tracking_code.check",
        }
    }
}

/// The public name of a tip: twelve symbols, the last a check character.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackingCode([u8; CODE_LEN]);

impl TrackingCode {
    /// Builds a code from random bytes the caller drew from a secure generator; the low 55
    /// bits are used. The domain draws no randomness itself so that it stays pure.
    pub fn from_entropy(bytes: [u8; 7]) -> TrackingCode {
        let payload = symbols_from_bytes(&bytes, PAYLOAD_LEN);
        let mut values = [0u8; CODE_LEN];
        values[..PAYLOAD_LEN].copy_from_slice(&payload);
        values[PAYLOAD_LEN] = check_value(&payload);
        TrackingCode(values.map(|v| ALPHABET[v as usize]))
    }

    /// Reads a code as a person typed it: `abcd efgh jkm5`, `ABCD-EFGH-JKM5`,
    /// `ＡＢＣＤ－…`. The check character must agree.
    pub fn parse(s: &str) -> Result<TrackingCode, TrackingCodeError> {
        let values = symbols(s, CODE_LEN)?;
        let expected = check_value(&values[..PAYLOAD_LEN]);
        if expected != values[PAYLOAD_LEN] {
            return Err(TrackingCodeError::Check);
        }
        let mut out = [0u8; CODE_LEN];
        for (o, v) in out.iter_mut().zip(&values) {
            *o = ALPHABET[*v as usize];
        }
        Ok(TrackingCode(out))
    }

    /// Twelve characters without separators: the form stored and looked up.
    pub fn compact(&self) -> String {
        self.0.iter().map(|&b| b as char).collect()
    }

    /// `ABCD-EFGH-JKM5`: the form shown and printed.
    pub fn grouped(&self) -> String {
        grouped(&self.compact())
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

impl fmt::Debug for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrackingCode({})", self.grouped())
    }
}

/// The reporter's secret: sixteen symbols (80 random bits) of the same alphabet, shown as
/// `ABCD-EFGH-JKMN-PQRS`. It has no check character: a wrong secret and a mistyped one
/// must look the same to whoever tries them.
///
/// Holds the clear text only until it is hashed or shown once: `Debug` prints `***`,
/// there is no `Display`, `Clone` or serialisation.
pub struct TipSecret(String);

impl TipSecret {
    /// Builds a secret from random bytes the caller drew from a secure generator.
    pub fn from_entropy(bytes: [u8; 10]) -> TipSecret {
        TipSecret(render(&symbols_from_bytes(&bytes, SECRET_LEN)))
    }

    /// Reads a secret as a person typed it, with the same folding as [`TrackingCode`].
    pub fn parse(s: &str) -> Result<TipSecret, TrackingCodeError> {
        Ok(TipSecret(render(&symbols(s, SECRET_LEN)?)))
    }

    /// The canonical form (sixteen upper-case symbols, no separators): what is hashed, so
    /// that every way of typing the same secret gives the same hash.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `ABCD-EFGH-JKMN-PQRS`: the form shown to the reporter once.
    pub fn grouped(&self) -> String {
        grouped(&self.0)
    }
}

impl fmt::Debug for TipSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TipSecret(***)")
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn weights_are_distinct_and_non_zero() {
        let w: Vec<u8> = (0..CODE_LEN).map(weight).collect();
        assert_eq!(w[CODE_LEN - 1], 1);
        for (i, a) in w.iter().enumerate() {
            assert_ne!(*a, 0);
            for b in &w[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn field_multiplication_has_inverses() {
        // Every non-zero element has an inverse exactly when the polynomial is irreducible.
        for a in 1..32u8 {
            assert_eq!(
                (1..32u8).filter(|&b| gf32_mul(a, b) == 1).count(),
                1,
                "element {a}"
            );
        }
    }

    #[test]
    fn all_zero_entropy_gives_a_valid_code() {
        let code = TrackingCode::from_entropy([0; 7]);
        assert_eq!(code.grouped(), "0000-0000-0000");
        assert_eq!(TrackingCode::parse("0000-0000-0000"), Ok(code));
    }

    #[test]
    fn known_code_round_trips_in_every_typed_form() {
        let code = TrackingCode::from_entropy([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde]);
        let g = code.grouped();
        assert_eq!(g.len(), 14);
        assert_eq!(&g[4..5], "-");
        assert_eq!(&g[9..10], "-");
        for typed in [
            g.clone(),
            g.to_lowercase(),
            code.compact(),
            g.replace('-', " "),
            format!("  {}  ", g),
            g.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        char::from_u32(c as u32 + 0xFEE0).unwrap()
                    } else {
                        c
                    }
                })
                .collect(),
        ] {
            assert_eq!(TrackingCode::parse(&typed), Ok(code), "{typed}");
        }
    }

    #[test]
    fn look_alike_letters_read_as_digits() {
        let code = TrackingCode::from_entropy([0; 7]);
        assert_eq!(TrackingCode::parse("OOOO-oooo-0000"), Ok(code));
        let one = TrackingCode::parse("1111-1111-111X");
        // Whatever its validity, I and L must read exactly like 1.
        assert_eq!(TrackingCode::parse("IiLl-1111-111X"), one);
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(TrackingCode::parse(""), Err(TrackingCodeError::Empty));
        assert_eq!(TrackingCode::parse(" - "), Err(TrackingCodeError::Empty));
        assert_eq!(
            TrackingCode::parse("ABCD-EFGH-JKM"),
            Err(TrackingCodeError::Length {
                expected: 12,
                found: 11
            })
        );
        assert_eq!(
            TrackingCode::parse("ABCD-EFGU-JKMN"),
            Err(TrackingCodeError::Character {
                position: 9,
                found: 'U'
            })
        );
        assert_eq!(
            TrackingCode::parse("ABCD-EFGH-JK*N"),
            Err(TrackingCodeError::Character {
                position: 13,
                found: '*'
            })
        );
        assert_eq!(TrackingCodeError::Check.code(), "tracking_code.check");
    }

    #[test]
    fn secret_parses_and_hides() {
        let s = TipSecret::from_entropy([0xff; 10]);
        assert_eq!(s.expose(), "ZZZZZZZZZZZZZZZZ");
        assert_eq!(s.grouped(), "ZZZZ-ZZZZ-ZZZZ-ZZZZ");
        assert_eq!(format!("{s:?}"), "TipSecret(***)");
        let typed = TipSecret::parse("zzzz zzzz zzzz zzzz").unwrap();
        assert_eq!(typed.expose(), s.expose());
        assert_eq!(
            TipSecret::parse("ZZZZ-ZZZZ-ZZZZ").unwrap_err(),
            TrackingCodeError::Length {
                expected: 16,
                found: 12
            }
        );
    }

    proptest! {
        #[test]
        fn generated_codes_parse(bytes in any::<[u8; 7]>()) {
            let code = TrackingCode::from_entropy(bytes);
            prop_assert_eq!(TrackingCode::parse(&code.grouped()), Ok(code));
            prop_assert_eq!(TrackingCode::parse(&code.compact().to_lowercase()), Ok(code));
        }

        #[test]
        fn every_single_substitution_is_caught(bytes in any::<[u8; 7]>()) {
            let compact: Vec<u8> = TrackingCode::from_entropy(bytes).compact().into_bytes();
            for pos in 0..CODE_LEN {
                for &sub in ALPHABET.iter().filter(|&&a| a != compact[pos]) {
                    let mut typo = compact.clone();
                    typo[pos] = sub;
                    let typo = String::from_utf8(typo).unwrap();
                    prop_assert_eq!(TrackingCode::parse(&typo), Err(TrackingCodeError::Check), "{}", typo);
                }
            }
        }

        #[test]
        fn every_swap_of_two_different_characters_is_caught(bytes in any::<[u8; 7]>()) {
            let compact: Vec<u8> = TrackingCode::from_entropy(bytes).compact().into_bytes();
            for i in 0..CODE_LEN {
                for j in i + 1..CODE_LEN {
                    if compact[i] == compact[j] {
                        continue;
                    }
                    let mut typo = compact.clone();
                    typo.swap(i, j);
                    let typo = String::from_utf8(typo).unwrap();
                    prop_assert_eq!(TrackingCode::parse(&typo), Err(TrackingCodeError::Check), "{}", typo);
                }
            }
        }

        #[test]
        fn parse_never_panics(s in ".{0,40}") {
            let _ = TrackingCode::parse(&s);
            let _ = TipSecret::parse(&s);
        }
    }
}

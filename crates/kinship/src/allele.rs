//! Alleles as repeat numbers in tenths.
//!
//! STR alleles are named by their repeat count, with microvariants written after a dot
//! as the number of extra bases (`9.3` = nine full repeats and three bases). Keeping the
//! value in tenths (`9.3` → 93) makes alleles small, ordered and exactly comparable.
//! Three codes outside the ladder share the type: `OL` (off-ladder: typed but not named,
//! never used in a likelihood ratio) and `X`/`Y` (Amelogenin).

use std::fmt;
use std::str::FromStr;

/// One allele: a repeat number in tenths, or one of the special codes [`Allele::OFF_LADDER`],
/// [`Allele::X`], [`Allele::Y`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Allele(u16);

/// The largest repeat number accepted, in tenths (999.9 repeats). Real STR alleles stay
/// below 100 repeats; some tables list fragment lengths in base pairs (a few hundred), which
/// must still fit.
const MAX_TENTHS: u16 = 9999;

impl Allele {
    /// Off-ladder: a peak the software could not name.
    pub const OFF_LADDER: Allele = Allele(u16::MAX);
    /// Amelogenin X.
    pub const X: Allele = Allele(u16::MAX - 2);
    /// Amelogenin Y.
    pub const Y: Allele = Allele(u16::MAX - 1);

    /// An allele from its repeat number in tenths (`93` = `9.3`); `None` above 999.9.
    pub const fn from_tenths(tenths: u16) -> Option<Allele> {
        if tenths <= MAX_TENTHS { Some(Allele(tenths)) } else { None }
    }

    /// The repeat number in tenths, or `None` for the special codes.
    pub const fn tenths(self) -> Option<u16> {
        if self.0 <= MAX_TENTHS { Some(self.0) } else { None }
    }

    /// The raw code: tenths for ladder alleles, reserved values at the top of `u16` for
    /// `OL`, `X` and `Y`. Stable; used by compact encodings.
    pub const fn code(self) -> u16 {
        self.0
    }

    /// Inverse of [`Allele::code`].
    pub const fn from_code(code: u16) -> Option<Allele> {
        match code {
            c if c <= MAX_TENTHS => Some(Allele(c)),
            c if c == Self::OFF_LADDER.0 || c == Self::X.0 || c == Self::Y.0 => Some(Allele(c)),
            _ => None,
        }
    }

    pub const fn is_off_ladder(self) -> bool {
        self.0 == Self::OFF_LADDER.0
    }

    /// `X` or `Y`.
    pub const fn is_sex(self) -> bool {
        self.0 == Self::X.0 || self.0 == Self::Y.0
    }

    /// A named ladder allele (a repeat number), usable in likelihood ratios.
    pub const fn is_repeat(self) -> bool {
        self.0 <= MAX_TENTHS
    }

    /// Whole repeat steps between two ladder alleles (`15` → `17` = 2), or `None` when the
    /// difference is not a whole number of repeats (`9.3` → `10`) or either is not a
    /// repeat number.
    pub fn steps_to(&self, other: &Allele) -> Option<u32> {
        let d = self.distance_tenths(other)?;
        if d % 10 == 0 { Some(d / 10) } else { None }
    }

    /// Distance in tenths of a repeat between two ladder alleles (`9.3` → `10` = 7).
    pub fn distance_tenths(&self, other: &Allele) -> Option<u32> {
        let (a, b) = (self.tenths()?, other.tenths()?);
        Some(u32::from(a.abs_diff(b)))
    }
}

impl fmt::Display for Allele {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::OFF_LADDER => f.write_str("OL"),
            Self::X => f.write_str("X"),
            Self::Y => f.write_str("Y"),
            Allele(t) if t % 10 == 0 => write!(f, "{}", t / 10),
            Allele(t) => write!(f, "{}.{}", t / 10, t % 10),
        }
    }
}

impl fmt::Debug for Allele {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Allele({self})")
    }
}

/// Why a text is not an allele.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("allele {input:?}: {reason}")]
pub struct AlleleError {
    pub input: String,
    pub reason: &'static str,
}

impl FromStr for Allele {
    type Err = AlleleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let err = |reason| AlleleError { input: text.to_owned(), reason };
        if text.is_empty() {
            return Err(err("empty"));
        }
        if text.eq_ignore_ascii_case("OL") {
            return Ok(Self::OFF_LADDER);
        }
        if text.eq_ignore_ascii_case("X") {
            return Ok(Self::X);
        }
        if text.eq_ignore_ascii_case("Y") {
            return Ok(Self::Y);
        }
        let (whole, tenth) = match text.split_once('.') {
            Some((w, t)) => (w, Some(t)),
            None => (text, None),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("expected a repeat number such as 16 or 9.3, or OL"));
        }
        if whole.len() > 3 {
            return Err(err("repeat number above 999"));
        }
        let whole: u16 = whole.parse().map_err(|_| err("repeat number out of range"))?;
        let tenth: u16 = match tenth {
            None => 0,
            Some(t) if t.len() == 1 && t.as_bytes()[0].is_ascii_digit() => u16::from(t.as_bytes()[0] - b'0'),
            Some(_) => return Err(err("a microvariant has exactly one digit after the dot (9.3)")),
        };
        Ok(Allele(whole * 10 + tenth))
    }
}

impl serde::Serialize for Allele {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Allele {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Allele {
        s.parse().unwrap()
    }

    #[test]
    fn parses_repeats_and_microvariants() {
        assert_eq!(a("9.3").tenths(), Some(93));
        assert_eq!(a("16").tenths(), Some(160));
        assert_eq!(a("2.2").tenths(), Some(22));
        assert_eq!(a(" 31.2 ").tenths(), Some(312));
        assert_eq!(a("437").tenths(), Some(4370));
        assert_eq!(a("ol"), Allele::OFF_LADDER);
        assert_eq!(a("x"), Allele::X);
    }

    #[test]
    fn displays_as_written() {
        for s in ["9.3", "16", "2.2", "0", "999.9", "OL", "X", "Y", "17.4"] {
            assert_eq!(a(s).to_string(), s);
        }
    }

    #[test]
    fn refuses_garbage() {
        for s in ["", "9.", ".3", "9.33", "-1", "1e2", "abc", "1000", "9,3", "+9"] {
            assert!(s.parse::<Allele>().is_err(), "{s:?} should be refused");
        }
    }

    #[test]
    fn steps() {
        assert_eq!(a("15").steps_to(&a("17")), Some(2));
        assert_eq!(a("17").steps_to(&a("15")), Some(2));
        assert_eq!(a("9.3").steps_to(&a("10.3")), Some(1));
        assert_eq!(a("9.3").steps_to(&a("10")), None);
        assert_eq!(a("9.3").distance_tenths(&a("10")), Some(7));
        assert_eq!(a("15").steps_to(&Allele::OFF_LADDER), None);
    }

    #[test]
    fn codes_round_trip() {
        for al in [a("9.3"), Allele::OFF_LADDER, Allele::X, Allele::Y, a("0")] {
            assert_eq!(Allele::from_code(al.code()), Some(al));
        }
        assert_eq!(Allele::from_code(10_000), None);
        assert_eq!(Allele::from_tenths(10_000), None);
    }

    #[test]
    fn order_is_by_repeat_number() {
        assert!(a("9.3") < a("10"));
        assert!(a("10") < a("10.1"));
        assert!(a("99") < Allele::OFF_LADDER);
    }
}

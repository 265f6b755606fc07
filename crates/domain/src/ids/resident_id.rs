//! Resident identity numbers (居民身份证号码), GB 11643-1999.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use super::{china_today, fold_full_width};
use crate::divisions::DivisionCode;

/// Weights of the 17 digits in the ISO 7064 MOD 11-2 check: 2^(17-i) mod 11.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder of the weighted sum mod 11.
const CHECK: [u8; 11] = *b"10X98765432";

/// Nobody alive was born earlier, and the 15-digit numbers imply the 1900s.
const EARLIEST_BIRTH_YEAR: i32 = 1900;

/// A resident identity number: 18 characters (6-digit division code of first
/// registration, birth date YYYYMMDD, 3-digit sequence whose parity gives the sex, MOD 11-2
/// check character), or a legacy 15-digit number (birth date YYMMDD in the 1900s, no check
/// character) issued before 1999.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResidentId {
    /// As entered, normalised: ASCII, upper-case X, 15 or 18 characters.
    text: String,
    division: DivisionCode,
    birth: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn name_zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// Why a text is not a resident ID number. Positions count from 1 over the number with
/// spaces removed. The messages never repeat the number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResidentIdError {
    #[error("the ID number is empty")]
    Empty,
    #[error("an ID number has 18 characters (or 15 for the old numbers), found {found}")]
    Length { found: usize },
    #[error(
        "character {position} of the ID number is {found:?}; only digits are allowed, and X only last"
    )]
    Character { position: usize, found: char },
    #[error("the ID number's birth date (characters 7 to {end}) is not a date")]
    BirthDate { end: usize },
    #[error("the ID number's birth date is before {EARLIEST_BIRTH_YEAR}")]
    BirthDateTooEarly,
    #[error("the ID number's birth date is in the future")]
    BirthDateInFuture,
    #[error("the ID number's first six digits, {code}, are not a division code used since 1981")]
    Division { code: String },
    #[error("the ID number's check character is wrong; a digit may be mistyped")]
    CheckDigit,
}

impl ResidentIdError {
    pub fn code(&self) -> &'static str {
        match self {
            ResidentIdError::Empty => "resident_id.empty",
            ResidentIdError::Length { .. } => "resident_id.length",
            ResidentIdError::Character { .. } => "resident_id.character",
            ResidentIdError::BirthDate { .. } => "resident_id.birth_date",
            ResidentIdError::BirthDateTooEarly => "resident_id.birth_date_too_early",
            ResidentIdError::BirthDateInFuture => "resident_id.birth_date_future",
            ResidentIdError::Division { .. } => "resident_id.division",
            ResidentIdError::CheckDigit => "resident_id.check_digit",
        }
    }
}

/// The MOD 11-2 check character of the first 17 digits of an ID number, or `None` when
/// `first17` is not 17 ASCII digits.
pub fn check_character(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    (b.len() == 17 && b.iter().all(u8::is_ascii_digit)).then(|| check_of_digits(b))
}

/// The check character of 17 ASCII digits (the caller has checked them).
fn check_of_digits(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    char::from(CHECK[(sum % 11) as usize])
}

impl ResidentId {
    /// Parses an ID number, judging the birth date against today's date in China.
    pub fn parse(s: &str) -> Result<ResidentId, ResidentIdError> {
        Self::parse_at(s, china_today())
    }

    /// Parses an ID number, judging the birth date against `today`.
    ///
    /// Accepted: surrounding and inner spaces (people copy numbers in groups), full-width
    /// digits and X from Chinese input methods, and a lower-case x.
    pub fn parse_at(s: &str, today: Date) -> Result<ResidentId, ResidentIdError> {
        let text: String = s
            .chars()
            .map(fold_full_width)
            .filter(|c| *c != ' ')
            .map(|c| if c == 'x' { 'X' } else { c })
            .collect();
        let text = text.trim().to_owned();
        let len = text.chars().count();
        match len {
            0 => return Err(ResidentIdError::Empty),
            15 | 18 => {}
            found => return Err(ResidentIdError::Length { found }),
        }
        for (i, c) in text.chars().enumerate() {
            let last_of_18 = len == 18 && i == 17;
            if !(c.is_ascii_digit() || (last_of_18 && c == 'X')) {
                return Err(ResidentIdError::Character {
                    position: i + 1,
                    found: c,
                });
            }
        }
        let digits = text.as_bytes();

        let (year, date_end) = if len == 18 {
            (number(&digits[6..10]) as i32, 14)
        } else {
            (1900 + number(&digits[6..8]) as i32, 12)
        };
        let month = number(&digits[date_end - 4..date_end - 2]);
        let day = number(&digits[date_end - 2..date_end]);
        let birth = Month::try_from(month as u8)
            .ok()
            .and_then(|m| Date::from_calendar_date(year, m, day as u8).ok())
            .ok_or(ResidentIdError::BirthDate { end: date_end })?;
        if year < EARLIEST_BIRTH_YEAR {
            return Err(ResidentIdError::BirthDateTooEarly);
        }
        if birth > today {
            return Err(ResidentIdError::BirthDateInFuture);
        }

        let division = DivisionCode::from_known_digits(number(&digits[..6])).ok_or_else(|| {
            ResidentIdError::Division {
                code: text[..6].to_owned(),
            }
        })?;

        if len == 18 && check_of_digits(&digits[..17]) != char::from(digits[17]) {
            return Err(ResidentIdError::CheckDigit);
        }
        Ok(ResidentId {
            text,
            division,
            birth,
        })
    }

    /// The number as entered, normalised (ASCII, upper-case X): 18 or 15 characters.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True for a 15-digit number issued before 1999.
    pub fn is_legacy(&self) -> bool {
        self.text.len() == 15
    }

    /// The 18-character form: itself, or a 15-digit number with the century inserted
    /// and its check character appended, as the issuing authority converted them.
    pub fn to_eighteen(&self) -> ResidentId {
        ResidentId {
            text: self.eighteen(),
            division: self.division,
            birth: self.birth,
        }
    }

    fn eighteen(&self) -> String {
        if !self.is_legacy() {
            return self.text.clone();
        }
        let first17 = format!("{}19{}", &self.text[..6], &self.text[6..]);
        let check = check_of_digits(first17.as_bytes());
        format!("{first17}{check}")
    }

    pub fn birth_date(&self) -> Date {
        self.birth
    }

    /// From the parity of the last sequence digit: odd for men, even for women.
    pub fn sex(&self) -> Sex {
        let seq_last = self.text.as_bytes()[if self.is_legacy() { 14 } else { 16 }];
        if (seq_last - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The division code of first registration (which may since have been retired).
    pub fn division(&self) -> DivisionCode {
        self.division
    }

    /// The first four characters (province and prefecture) and the last four, the rest
    /// starred: `4302**********123X`, or `4302*******1234` for a 15-digit number. The
    /// county and the birth date stay hidden; the last four are what staff and the
    /// person compare on the telephone.
    pub fn masked(&self) -> String {
        let n = self.text.len();
        format!(
            "{}{}{}",
            &self.text[..4],
            "*".repeat(n - 8),
            &self.text[n - 4..]
        )
    }

    /// The text a blind index is computed from: the 18-character form, so that a
    /// person's old 15-digit and new 18-digit numbers find each other.
    pub fn normalized_for_index(&self) -> String {
        self.eighteen()
    }
}

fn number(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
}

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentId({})", self.masked())
    }
}

impl Serialize for ResidentId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for ResidentId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ResidentId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2025 - 06 - 01);

    /// Builds a valid number from its parts.
    fn make(division: &str, birth: &str, seq: &str) -> String {
        let first17 = format!("{division}{birth}{seq}");
        format!("{first17}{}", check_character(&first17).unwrap())
    }

    fn parse(s: &str) -> Result<ResidentId, ResidentIdError> {
        ResidentId::parse_at(s, TODAY)
    }

    #[test]
    fn the_standard_example_checks() {
        // The worked example of GB 11643-1999: 北京市朝阳区, born 1949-12-31, sequence 002
        // (even: a woman), check character X.
        assert_eq!(check_character("11010519491231002"), Some('X'));
        let id = parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), date!(1949 - 12 - 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.division().to_string(), "110105");
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(format!("{id:?}"), "ResidentId(1101**********002X)");
    }

    #[test]
    fn retired_division_codes_stay_valid() {
        let s = make("430221", "19900307", "123");
        let id = parse(&s).unwrap();
        assert_eq!(id.division().to_string(), "430221");
        assert_eq!(id.sex(), Sex::Male);
    }

    #[test]
    fn spacing_case_and_full_width_are_normalised() {
        let s = make("430221", "19900307", "124");
        let spaced = format!(" {} {} {} ", &s[..6], &s[6..14], &s[14..]);
        assert_eq!(parse(&spaced).unwrap().as_str(), s);
        let full: String = s
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
            .collect();
        assert_eq!(parse(&full).unwrap().as_str(), s);
        assert_eq!(
            parse("11010519491231002x").unwrap().as_str(),
            "11010519491231002X"
        );
        assert_eq!(
            parse("１１０１０５１９４９１２３１００２ｘ")
                .unwrap()
                .as_str(),
            "11010519491231002X"
        );
    }

    #[test]
    fn every_failure_names_its_reason() {
        let good = make("430202", "20010228", "456");
        assert!(parse(&good).is_ok());
        let wrong_check = if good.ends_with('0') { '1' } else { '0' };
        let cases: Vec<(String, &str)> = vec![
            (String::new(), "resident_id.empty"),
            ("   ".into(), "resident_id.empty"),
            ("4302021990".into(), "resident_id.length"),
            (format!("{}A", &good[..17]), "resident_id.character"),
            (format!("43020X{}", &good[6..]), "resident_id.character"),
            (make("430202", "20010229", "456"), "resident_id.birth_date"),
            (make("430202", "19901301", "456"), "resident_id.birth_date"),
            (make("430202", "19900100", "456"), "resident_id.birth_date"),
            (
                make("430202", "18991231", "456"),
                "resident_id.birth_date_too_early",
            ),
            (
                make("430202", "20250602", "456"),
                "resident_id.birth_date_future",
            ),
            (make("999999", "19900101", "456"), "resident_id.division"),
            (make("432101", "19900101", "456"), "resident_id.division"),
            (
                format!("{}{wrong_check}", &good[..17]),
                "resident_id.check_digit",
            ),
            ("430202900101".into(), "resident_id.length"),
            ("43020290013245X".into(), "resident_id.character"),
            ("430202901301324".into(), "resident_id.birth_date"),
        ];
        for (s, code) in cases {
            let e = parse(&s).unwrap_err();
            assert_eq!(e.code(), code, "{s}: {e}");
            if s.len() >= 15 {
                assert!(!e.to_string().contains(&s), "{e} repeats the number");
            }
        }
        assert!(
            parse(&make("430202", "20250601", "456")).is_ok(),
            "born today"
        );
        assert_eq!(
            parse(&format!("{}A", &good[..17])).unwrap_err(),
            ResidentIdError::Character {
                position: 18,
                found: 'A'
            }
        );
    }

    #[test]
    fn legacy_numbers_convert_to_eighteen() {
        let old = "430221900307123";
        let id = parse(old).unwrap();
        assert!(id.is_legacy());
        assert_eq!(id.birth_date(), date!(1990 - 03 - 07));
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.masked(), "4302*******7123");
        let new = id.to_eighteen();
        assert_eq!(new.as_str(), make("430221", "19900307", "123"));
        assert!(!new.is_legacy());
        assert_eq!(id.normalized_for_index(), new.as_str());
        assert_eq!(parse(new.as_str()).unwrap(), new);
        assert_eq!(new.sex(), id.sex());
        assert_eq!(new.birth_date(), id.birth_date());
    }

    #[test]
    fn city_district_codes_of_old_numbers_are_accepted() {
        assert!(parse(&make("440301", "19850615", "321")).is_ok());
    }

    #[test]
    fn serde_checks_the_number() {
        let s = make("430212", "20180101", "002");
        let id: ResidentId = serde_json::from_str(&format!("\"{s}\"")).unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{s}\""));
        let wrong = format!("{}{}", &s[..17], if s.ends_with('0') { '1' } else { '0' });
        assert!(serde_json::from_str::<ResidentId>(&format!("\"{wrong}\"")).is_err());
    }
}

//! Telephone numbers in mainland China: mobiles and landlines with their area code.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::fold_full_width;

/// A mainland telephone number.
///
/// Mobile: 11 digits `1[3-9]xxxxxxxxx`. Landline: trunk `0`, area code, and a 7- or
/// 8-digit subscriber number not starting with 0 or 1. Area codes are `010` and `02x`
/// (three digits with the 0) or `0xxx` (four), which is how the length of the area code
/// is known when the number is written without a separator.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone {
    /// National digits only: `13812345678`, `073122334455`.
    digits: String,
    /// The written form: `13812345678`, `0731-22334455`.
    written: String,
    /// Length of the area code with its 0; 0 for a mobile.
    area_len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    Mobile,
    Landline,
}

/// Why a text is not a telephone number. Positions count characters from 1 in the text
/// as given. The messages never repeat the number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("the phone number is empty")]
    Empty,
    #[error(
        "character {position} of the phone number is {found:?}; use digits, spaces, hyphens or brackets"
    )]
    Character { position: usize, found: char },
    #[error("only mainland China numbers (+86) are accepted")]
    Country,
    #[error("a mobile number has 11 digits, found {found}")]
    MobileLength { found: usize },
    #[error("a mobile number starts with 13 to 19")]
    MobilePrefix,
    #[error("the area code is not a mainland area code")]
    AreaCode,
    #[error("a landline number has 7 or 8 digits after the area code, found {found}")]
    SubscriberLength { found: usize },
    #[error("a landline number after the area code cannot start with 0 or 1")]
    SubscriberStart,
    #[error("a phone number starts with 1 (mobile) or with the area code's 0 (landline)")]
    Format,
}

impl PhoneError {
    pub fn code(&self) -> &'static str {
        match self {
            PhoneError::Empty => "phone.empty",
            PhoneError::Character { .. } => "phone.character",
            PhoneError::Country => "phone.country",
            PhoneError::MobileLength { .. } => "phone.mobile_length",
            PhoneError::MobilePrefix => "phone.mobile_prefix",
            PhoneError::AreaCode => "phone.area_code",
            PhoneError::SubscriberLength { .. } => "phone.subscriber_length",
            PhoneError::SubscriberStart => "phone.subscriber_start",
            PhoneError::Format => "phone.format",
        }
    }
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '(' | ')' | '.' | '\t')
}

impl Phone {
    /// Accepts an optional `+86`, `0086` or `86` country prefix (after which a landline's
    /// trunk 0 may be missing or written as `(0)`), spaces, hyphens, dots and brackets,
    /// and full-width forms.
    pub fn parse(s: &str) -> Result<Phone, PhoneError> {
        let folded: Vec<char> = s.chars().map(fold_full_width).collect();
        let mut digits = String::with_capacity(folded.len());
        let mut plus = false;
        for (i, &c) in folded.iter().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if digits.is_empty() && !plus => plus = true,
                c if is_separator(c) => {}
                found => {
                    return Err(PhoneError::Character {
                        position: i + 1,
                        found,
                    });
                }
            }
        }
        if digits.is_empty() {
            return Err(if plus {
                PhoneError::Country
            } else {
                PhoneError::Empty
            });
        }

        let mut national: &str = &digits;
        let international = if plus {
            national = national.strip_prefix("86").ok_or(PhoneError::Country)?;
            true
        } else if let Some(rest) = national.strip_prefix("0086") {
            national = rest;
            true
        } else if national.len() == 13 && national.starts_with("861") {
            national = &national[2..];
            true
        } else {
            false
        };

        // After +86 the trunk 0 is dropped, so Beijing's 010 appears as 10 — which no
        // mobile number starts with.
        let beijing_without_trunk = international && national.starts_with("10");
        if national.starts_with('1') && !beijing_without_trunk {
            return Self::mobile(national);
        }
        let landline = match (international, national.starts_with('0')) {
            (_, true) => national.to_owned(),
            (true, false) => format!("0{national}"),
            (false, false) => return Err(PhoneError::Format),
        };
        Self::landline(landline)
    }

    fn mobile(d: &str) -> Result<Phone, PhoneError> {
        if d.len() != 11 {
            return Err(PhoneError::MobileLength { found: d.len() });
        }
        if !matches!(d.as_bytes()[1], b'3'..=b'9') {
            return Err(PhoneError::MobilePrefix);
        }
        Ok(Phone {
            digits: d.to_owned(),
            written: d.to_owned(),
            area_len: 0,
        })
    }

    fn landline(d: String) -> Result<Phone, PhoneError> {
        let b = d.as_bytes();
        let area_len = match b.get(1) {
            Some(b'1') if b.get(2) == Some(&b'0') => 3,
            Some(b'2') => 3,
            Some(b'3'..=b'9') => 4,
            _ => return Err(PhoneError::AreaCode),
        };
        if d.len() <= area_len {
            return Err(PhoneError::SubscriberLength { found: 0 });
        }
        let subscriber = &d[area_len..];
        if !(7..=8).contains(&subscriber.len()) {
            return Err(PhoneError::SubscriberLength {
                found: subscriber.len(),
            });
        }
        if matches!(subscriber.as_bytes()[0], b'0' | b'1') {
            return Err(PhoneError::SubscriberStart);
        }
        let written = format!("{}-{}", &d[..area_len], &d[area_len..]);
        Ok(Phone {
            digits: d,
            written,
            area_len,
        })
    }

    pub fn kind(&self) -> PhoneKind {
        if self.area_len == 0 {
            PhoneKind::Mobile
        } else {
            PhoneKind::Landline
        }
    }

    /// The normal written form: `13812345678`, `0731-22334455`.
    pub fn as_str(&self) -> &str {
        &self.written
    }

    /// International form for SMS gateways: `+8613812345678`, `+8673122334455`.
    pub fn e164(&self) -> String {
        match self.kind() {
            PhoneKind::Mobile => format!("+86{}", self.digits),
            PhoneKind::Landline => format!("+86{}", &self.digits[1..]),
        }
    }

    /// Digits only, national form: the text a blind index is computed from, so that
    /// `+86 138-1234-5678` and `13812345678` find each other.
    pub fn normalized_for_index(&self) -> String {
        self.digits.clone()
    }

    /// `138****5678`; `0731-****4455`: the area code and the last four digits stay.
    pub fn masked(&self) -> String {
        let n = self.digits.len();
        match self.kind() {
            PhoneKind::Mobile => format!("{}****{}", &self.digits[..3], &self.digits[n - 4..]),
            PhoneKind::Landline => {
                let hidden = n - self.area_len - 4;
                format!(
                    "{}-{}{}",
                    &self.digits[..self.area_len],
                    "*".repeat(hidden),
                    &self.digits[n - 4..]
                )
            }
        }
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl Serialize for Phone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Phone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Phone::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Phone {
        match Phone::parse(s) {
            Ok(p) => p,
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    #[test]
    fn mobiles_in_their_many_spellings() {
        for s in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "+86 138 1234 5678",
            "+8613812345678",
            "0086 13812345678",
            "8613812345678",
            "(+86) 138.1234.5678",
            "１３８１２３４５６７８",
            "＋８６－１３８１２３４５６７８",
        ] {
            let p = ok(s);
            assert_eq!(p.kind(), PhoneKind::Mobile, "{s}");
            assert_eq!(p.as_str(), "13812345678", "{s}");
            assert_eq!(p.masked(), "138****5678");
            assert_eq!(p.e164(), "+8613812345678");
            assert_eq!(p.normalized_for_index(), "13812345678");
        }
        assert_eq!(format!("{:?}", ok("19912345678")), "Phone(199****5678)");
    }

    #[test]
    fn landlines_keep_their_area_code() {
        for s in [
            "0731-22334455",
            "073122334455",
            "(0731) 2233 4455",
            "+86 731 22334455",
            "+86 (0)731 22334455",
        ] {
            let p = ok(s);
            assert_eq!(p.kind(), PhoneKind::Landline, "{s}");
            assert_eq!(p.as_str(), "0731-22334455", "{s}");
            assert_eq!(p.masked(), "0731-****4455");
            assert_eq!(p.e164(), "+8673122334455");
        }
        assert_eq!(ok("010 6234 5678").as_str(), "010-62345678");
        assert_eq!(ok("+86 10 6234 5678").as_str(), "010-62345678");
        assert_eq!(ok("010-62345678").e164(), "+861062345678");
        assert_eq!(ok("02087654321").as_str(), "020-87654321");
        assert_eq!(ok("0731-2233445").as_str(), "0731-2233445");
        assert_eq!(ok("0731-2233445").masked(), "0731-***3445");
    }

    #[test]
    fn failures_name_their_reason() {
        let cases = [
            ("", "phone.empty"),
            ("  - ", "phone.empty"),
            ("138x1234567", "phone.character"),
            ("+1 415 555 0100", "phone.country"),
            ("+", "phone.country"),
            ("1381234567", "phone.mobile_length"),
            ("138123456789", "phone.mobile_length"),
            ("12812345678", "phone.mobile_prefix"),
            ("0112345678", "phone.area_code"),
            ("0-12345678", "phone.area_code"),
            ("0731-223344", "phone.subscriber_length"),
            ("0731-223344556", "phone.subscriber_length"),
            ("0731", "phone.subscriber_length"),
            ("0731-02233445", "phone.subscriber_start"),
            ("4008123123", "phone.format"),
            ("110", "phone.mobile_length"),
        ];
        for (s, code) in cases {
            let e = Phone::parse(s).unwrap_err();
            assert_eq!(e.code(), code, "{s:?}: {e}");
        }
        assert_eq!(
            Phone::parse("138x").unwrap_err(),
            PhoneError::Character {
                position: 4,
                found: 'x'
            }
        );
    }

    #[test]
    fn serde_uses_the_written_form() {
        let p: Phone = serde_json::from_str("\"+86 731 2233 4455\"").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"0731-22334455\"");
        assert!(serde_json::from_str::<Phone>("\"12345\"").is_err());
    }
}

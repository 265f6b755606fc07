//! The reason a person gives for reading protected data.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::is_bidi_control;

const MIN: usize = 4;
const MAX: usize = 500;

/// A stated purpose (查阅事由) for reading protected data or breaking the glass: 4 to 500
/// characters after trimming, with at least one letter or digit (any script), line
/// breaks allowed, other control characters refused. It is written to the audit log and
/// shown to the record's owner, so it is kept as typed apart from line-ending
/// normalisation.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Purpose(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PurposeError {
    #[error("a stated purpose has at least {MIN} characters, found {found}")]
    TooShort { found: usize },
    #[error("a stated purpose has at most {MAX} characters, found {found}")]
    TooLong { found: usize },
    #[error("character {position} of the stated purpose is a control character")]
    Control { position: usize },
    #[error("a stated purpose says something in words")]
    NoWords,
}

impl PurposeError {
    pub fn code(&self) -> &'static str {
        match self {
            PurposeError::TooShort { .. } => "purpose.too_short",
            PurposeError::TooLong { .. } => "purpose.too_long",
            PurposeError::Control { .. } => "purpose.control",
            PurposeError::NoWords => "purpose.no_words",
        }
    }
}

impl Purpose {
    pub fn parse(s: &str) -> Result<Purpose, PurposeError> {
        let text = s.replace("\r\n", "\n").replace('\r', "\n");
        let text = text.trim();
        if let Some(position) = text
            .chars()
            .position(|c| (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c))
        {
            return Err(PurposeError::Control {
                position: position + 1,
            });
        }
        let found = text.chars().count();
        if found < MIN {
            return Err(PurposeError::TooShort { found });
        }
        if found > MAX {
            return Err(PurposeError::TooLong { found });
        }
        if !text.chars().any(char::is_alphanumeric) {
            return Err(PurposeError::NoWords);
        }
        Ok(Purpose(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Purpose({:?})", self.0)
    }
}

impl Serialize for Purpose {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Purpose {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Purpose::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_text_as_typed() {
        assert_eq!(Purpose::parse("  核查线索 ").unwrap().as_str(), "核查线索");
        assert_eq!(
            Purpose::parse("line one\r\nline two").unwrap().as_str(),
            "line one\nline two"
        );
        assert_eq!(
            Purpose::parse(&"查".repeat(500))
                .unwrap()
                .as_str()
                .chars()
                .count(),
            500
        );
    }

    #[test]
    fn failures_name_their_reason() {
        assert_eq!(
            Purpose::parse("查看").unwrap_err(),
            PurposeError::TooShort { found: 2 }
        );
        assert_eq!(
            Purpose::parse("    ").unwrap_err(),
            PurposeError::TooShort { found: 0 }
        );
        assert_eq!(
            Purpose::parse(&"查".repeat(501)).unwrap_err(),
            PurposeError::TooLong { found: 501 }
        );
        assert_eq!(
            Purpose::parse("....!!!!").unwrap_err().code(),
            "purpose.no_words"
        );
        assert_eq!(
            Purpose::parse("核查\u{0000}线索").unwrap_err(),
            PurposeError::Control { position: 3 }
        );
        assert_eq!(
            Purpose::parse("核查\u{202E}线索").unwrap_err().code(),
            "purpose.control"
        );
    }
}

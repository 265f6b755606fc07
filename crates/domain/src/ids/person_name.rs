//! Names of people: staff, victims, reporters, missing persons.

use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use super::is_bidi_control;

const MAX: usize = 64;

/// A person's name as written: 1 to 64 characters, surrounding whitespace removed,
/// inner runs of whitespace (including the full-width space) collapsed to one space, no
/// control characters. Any script is accepted: victims come from many places, and a name
/// is recorded as the person writes it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonNameError {
    #[error("the name is empty")]
    Empty,
    #[error("a name has at most {MAX} characters, found {found}")]
    TooLong { found: usize },
    #[error("character {position} of the name is a control character")]
    Control { position: usize },
}

impl PersonNameError {
    pub fn code(&self) -> &'static str {
        match self {
            PersonNameError::Empty => "person_name.empty",
            PersonNameError::TooLong { .. } => "person_name.too_long",
            PersonNameError::Control { .. } => "person_name.control",
        }
    }
}

impl PersonName {
    /// Control characters include the bidirectional overrides, which would make a name
    /// display differently from how it is stored and searched.
    pub fn parse(s: &str) -> Result<PersonName, PersonNameError> {
        let mut out = String::with_capacity(s.len());
        let mut pending_space = false;
        for (i, c) in s.chars().enumerate() {
            if c.is_whitespace() {
                pending_space = !out.is_empty();
                continue;
            }
            if c.is_control() || is_bidi_control(c) {
                return Err(PersonNameError::Control { position: i + 1 });
            }
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
        let found = out.chars().count();
        if found == 0 {
            return Err(PersonNameError::Empty);
        }
        if found > MAX {
            return Err(PersonNameError::TooLong { found });
        }
        Ok(PersonName(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The masked form shown without need-to-know: 张*, 欧阳**, J*** D**
    /// (see [`crate::mask::name`]).
    pub fn masked(&self) -> String {
        crate::mask::name(&self.0)
    }

    /// Number of user-perceived characters, for layouts.
    pub fn grapheme_count(&self) -> usize {
        self.0.graphemes(true).count()
    }
}

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonName({})", self.masked())
    }
}

impl Serialize for PersonName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PersonName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PersonName::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_collapses_whitespace() {
        assert_eq!(PersonName::parse("  张三 ").unwrap().as_str(), "张三");
        assert_eq!(
            PersonName::parse("John \t  Doe").unwrap().as_str(),
            "John Doe"
        );
        assert_eq!(
            PersonName::parse("阿卜杜拉·艾则孜").unwrap().as_str(),
            "阿卜杜拉·艾则孜"
        );
        assert_eq!(
            PersonName::parse("欧阳\u{3000}娜娜").unwrap().as_str(),
            "欧阳 娜娜"
        );
        assert_eq!(PersonName::parse("李").unwrap().as_str(), "李");
        assert_eq!(
            PersonName::parse(&"名".repeat(64))
                .unwrap()
                .as_str()
                .chars()
                .count(),
            64
        );
    }

    #[test]
    fn failures_name_their_reason() {
        assert_eq!(
            PersonName::parse("").unwrap_err().code(),
            "person_name.empty"
        );
        assert_eq!(
            PersonName::parse(" \u{3000}\n ").unwrap_err().code(),
            "person_name.empty"
        );
        assert_eq!(
            PersonName::parse(&"名".repeat(65)).unwrap_err(),
            PersonNameError::TooLong { found: 65 }
        );
        assert_eq!(
            PersonName::parse("张\u{0007}三").unwrap_err(),
            PersonNameError::Control { position: 2 }
        );
        assert_eq!(
            PersonName::parse("\u{202E}三张").unwrap_err().code(),
            "person_name.control"
        );
    }

    #[test]
    fn debug_never_shows_the_name() {
        let n = PersonName::parse("欧阳娜娜").unwrap();
        assert_eq!(format!("{n:?}"), "PersonName(欧阳**)");
        assert_eq!(n.grapheme_count(), 4);
    }
}

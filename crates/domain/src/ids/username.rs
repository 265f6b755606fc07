//! Login names of staff accounts.

use std::fmt;

use serde::{Deserialize, Serialize};

const MIN: usize = 3;
const MAX: usize = 32;

/// 3 to 32 characters of `a-z 0-9 . _ -`, starting with a letter or digit, lower-cased.
///
/// Upper-case letters are folded so that `Zhang.Wei` and `zhang.wei` cannot be two
/// accounts. A leading `.`, `_` or `-` is refused: such names read as options on the
/// command line (`fanguai user -x`) and as hidden files in exports.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("a username has at least {MIN} characters, found {found}")]
    TooShort { found: usize },
    #[error("a username has at most {MAX} characters, found {found}")]
    TooLong { found: usize },
    #[error("character {position} of the username is {found:?}; use a-z, 0-9, '.', '_' or '-'")]
    Character { position: usize, found: char },
    #[error("a username starts with a letter or a digit")]
    Start,
}

impl UsernameError {
    pub fn code(&self) -> &'static str {
        match self {
            UsernameError::TooShort { .. } => "username.too_short",
            UsernameError::TooLong { .. } => "username.too_long",
            UsernameError::Character { .. } => "username.character",
            UsernameError::Start => "username.start",
        }
    }
}

impl Username {
    /// Surrounding whitespace is ignored.
    pub fn parse(s: &str) -> Result<Username, UsernameError> {
        let s = s.trim();
        let found = s.chars().count();
        if found < MIN {
            return Err(UsernameError::TooShort { found });
        }
        if found > MAX {
            return Err(UsernameError::TooLong { found });
        }
        let mut out = String::with_capacity(s.len());
        for (i, c) in s.chars().enumerate() {
            let c = c.to_ascii_lowercase();
            if !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')) {
                return Err(UsernameError::Character {
                    position: i + 1,
                    found: c,
                });
            }
            out.push(c);
        }
        if !out.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(UsernameError::Start);
        }
        Ok(Username(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Username({:?})", self.0)
    }
}

impl Serialize for Username {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Username {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Username::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_cases_and_trims() {
        assert_eq!(
            Username::parse("  Zhang.Wei_01 ").unwrap().as_str(),
            "zhang.wei_01"
        );
        assert_eq!(Username::parse("abc").unwrap().as_str(), "abc");
        assert_eq!(Username::parse(&"a".repeat(32)).unwrap().as_str().len(), 32);
        assert_eq!(
            Username::parse("liaison.womens-federation")
                .unwrap()
                .as_str(),
            "liaison.womens-federation"
        );
    }

    #[test]
    fn failures_name_their_reason() {
        let cases = [
            ("ab", "username.too_short"),
            ("", "username.too_short"),
            (&*"a".repeat(33), "username.too_long"),
            ("zhang wei", "username.character"),
            ("张伟伟", "username.character"),
            ("ÄBC", "username.character"),
            ("-rf", "username.start"),
            (".hidden", "username.start"),
        ];
        for (s, code) in cases {
            assert_eq!(Username::parse(s).unwrap_err().code(), code, "{s:?}");
        }
        assert_eq!(
            Username::parse("ab@c").unwrap_err(),
            UsernameError::Character {
                position: 3,
                found: '@'
            }
        );
    }
}

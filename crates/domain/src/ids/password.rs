//! The password policy for staff accounts.

use std::fmt;

const MIN: usize = 12;
/// Long enough for any passphrase; short enough that hashing a hostile input is cheap.
const MAX: usize = 128;

/// A new password that meets the staff policy. Holds the clear text only until it is
/// hashed: `Debug` prints `***`, there is no `Display`, `Clone` or serialisation, and
/// [`Password::expose`] is the one way to read it.
///
/// Checking a login needs no policy and does not use this type: a password set under an
/// older policy must still let its owner in to change it.
pub struct Password(String);

/// The classes of characters the policy counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Lower,
    Upper,
    Digit,
    Other,
}

fn class(c: char) -> Class {
    if c.is_lowercase() {
        Class::Lower
    } else if c.is_uppercase() {
        Class::Upper
    } else if c.is_numeric() {
        Class::Digit
    } else {
        Class::Other
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password has at least {MIN} characters, found {found}")]
    TooShort { found: usize },
    #[error("a password has at most {MAX} characters, found {found}")]
    TooLong { found: usize },
    #[error(
        "a password mixes at least two kinds of characters (lower case, upper case, digits, others)"
    )]
    OneClass,
    #[error("a password must not contain the username")]
    ContainsUsername,
    #[error("character {position} of the password is a control character")]
    Control { position: usize },
}

impl PasswordError {
    pub fn code(&self) -> &'static str {
        match self {
            PasswordError::TooShort { .. } => "password.too_short",
            PasswordError::TooLong { .. } => "password.too_long",
            PasswordError::OneClass => "password.one_class",
            PasswordError::ContainsUsername => "password.contains_username",
            PasswordError::Control { .. } => "password.control",
        }
    }
}

impl Password {
    /// At least 12 characters (counted as Unicode scalar values), at most 128, not all of
    /// one class, no control characters, and not containing `username` in any letter
    /// case. Spaces count: passphrases are welcome.
    pub fn parse(s: &str, username: &str) -> Result<Password, PasswordError> {
        let found = s.chars().count();
        if let Some(position) = s.chars().position(char::is_control) {
            return Err(PasswordError::Control {
                position: position + 1,
            });
        }
        if found < MIN {
            return Err(PasswordError::TooShort { found });
        }
        if found > MAX {
            return Err(PasswordError::TooLong { found });
        }
        let first = s.chars().next().map(class);
        if s.chars().all(|c| Some(class(c)) == first) {
            return Err(PasswordError::OneClass);
        }
        // A valid username has at least three characters; a shorter one is no real name
        // and would only forbid passwords containing a common letter.
        let username = username.trim().to_lowercase();
        if username.chars().count() >= 3 && s.to_lowercase().contains(&username) {
            return Err(PasswordError::ContainsUsername);
        }
        Ok(Password(s.to_owned()))
    }

    /// The clear text, for the password hasher.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_reasonable_passwords() {
        for p in [
            "correct horse battery",
            "Tr0ub4dor&3xyz",
            "株洲反拐联席会议2009",
            "abcdefghijk1",
        ] {
            assert_eq!(Password::parse(p, "zhang.wei").unwrap().expose(), p);
        }
    }

    #[test]
    fn failures_name_their_reason() {
        let cases = [
            ("Short1", "password.too_short"),
            ("abcdefghijkl", "password.one_class"),
            ("123456789012", "password.one_class"),
            ("反对拐卖妇女儿童行动计划", "password.one_class"),
            ("xxZhang.Wei2009", "password.contains_username"),
            ("tab\there12345", "password.control"),
        ];
        for (p, code) in cases {
            assert_eq!(
                Password::parse(p, "zhang.wei").unwrap_err().code(),
                code,
                "{p:?}"
            );
        }
        let long = format!("a1{}", "b".repeat(127));
        assert_eq!(
            Password::parse(&long, "x").unwrap_err(),
            PasswordError::TooLong { found: 129 }
        );
        assert_eq!(
            Password::parse("密码12345678", "u").unwrap_err(),
            PasswordError::TooShort { found: 10 }
        );
    }

    #[test]
    fn debug_hides_the_text() {
        let p = Password::parse("correct horse battery", "admin").unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
    }
}

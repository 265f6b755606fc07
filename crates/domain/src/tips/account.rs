//! Account references: bank cards, payment and chat accounts that reporters name.
//!
//! Traffickers are paid and arrange meetings through accounts, so an account seen in two
//! tips or two cases is a strong link. Reporters write them in many ways ("微信 abc_123",
//! "6222 0212 3456 7890"), so the text is kept as written and compared through a key.

use std::fmt;

use crate::ids::{fold_full_width, is_bidi_control};

/// Fewer significant characters than this cannot tell accounts apart: "微信" alone, or a
/// three-digit fragment, would link unrelated reports.
const MIN_KEY_CHARS: usize = 4;

/// Why a text is not an account reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountRefError {
    #[error("the account is empty")]
    Empty,
    #[error("an account has at most {max} characters, found {found}", max = AccountRef::MAX_CHARS)]
    TooLong { found: usize },
    #[error("character {position} of the account is a control character")]
    Control { position: usize },
}

impl AccountRefError {
    pub fn code(&self) -> &'static str {
        match self {
            AccountRefError::Empty => "account.empty",
            AccountRefError::TooLong { .. } => "account.too_long",
            AccountRefError::Control { .. } => "account.control",
        }
    }
}

/// An account as the reporter wrote it (trimmed, at most 100 characters).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AccountRef(String);

impl AccountRef {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(s: &str) -> Result<AccountRef, AccountRefError> {
        let t = s.trim();
        for (i, c) in t.chars().enumerate() {
            if c.is_control() || is_bidi_control(c) {
                return Err(AccountRefError::Control { position: i + 1 });
            }
        }
        let found = t.chars().count();
        if found == 0 {
            return Err(AccountRefError::Empty);
        }
        if found > Self::MAX_CHARS {
            return Err(AccountRefError::TooLong { found });
        }
        Ok(AccountRef(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The letters and digits only, ASCII folded to lower case: `6222-0212 3456` and
    /// `62220212３４５６` give the same key. `None` when too little is left to compare.
    pub fn match_key(&self) -> Option<String> {
        let key: String = self
            .0
            .chars()
            .map(fold_full_width)
            .filter(|c| c.is_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        (key.chars().count() >= MIN_KEY_CHARS).then_some(key)
    }

    /// The last four characters stay, other letters and digits are starred: enough for a person to
    /// recognise an account they hold, too little to use it.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        let keep = chars.len().min(4);
        let hidden = chars.len() - keep;
        chars
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                if i < hidden && c.is_alphanumeric() {
                    '*'
                } else {
                    c
                }
            })
            .collect()
    }
}

impl fmt::Debug for AccountRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountRef({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_layout() {
        let a = AccountRef::parse("6222 0212-3456 7890").unwrap();
        let b = AccountRef::parse("６２２２０２１２３４５６７８９０").unwrap();
        assert_eq!(a.match_key(), b.match_key());
        assert_eq!(a.match_key().as_deref(), Some("6222021234567890"));
        let w1 = AccountRef::parse("微信 ABC_123").unwrap();
        let w2 = AccountRef::parse("微信abc123").unwrap();
        assert_eq!(w1.match_key(), w2.match_key());
    }

    #[test]
    fn short_keys_do_not_compare() {
        assert_eq!(AccountRef::parse("微信").unwrap().match_key(), None);
        assert_eq!(AccountRef::parse("a-b-c").unwrap().match_key(), None);
        assert!(AccountRef::parse("abcd").unwrap().match_key().is_some());
    }

    #[test]
    fn limits_and_errors() {
        assert_eq!(
            AccountRef::parse("   ").unwrap_err(),
            AccountRefError::Empty
        );
        assert_eq!(
            AccountRef::parse(&"1".repeat(101)).unwrap_err(),
            AccountRefError::TooLong { found: 101 }
        );
        assert!(AccountRef::parse(&"1".repeat(100)).is_ok());
        assert_eq!(
            AccountRef::parse("ab\tc").unwrap_err(),
            AccountRefError::Control { position: 3 }
        );
        assert_eq!(
            AccountRef::parse("ab\tc").unwrap_err().code(),
            "account.control"
        );
    }

    #[test]
    fn debug_masks() {
        let a = AccountRef::parse("6222 0212").unwrap();
        assert_eq!(format!("{a:?}"), "AccountRef(**** 0212)");
    }
}

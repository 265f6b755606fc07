//! Values people type in, each with one parsing constructor.
//!
//! A value that exists has been checked; code that holds a [`ResidentId`] never checks it
//! again. Every error enum has a `code()` — a stable dotted string such as
//! `"resident_id.check_digit"` that the web layer maps to a zh-CN or English message —
//! and an English `Display` for logs. Errors never repeat the personal value they reject.
//!
//! Types that carry personal data ([`ResidentId`], [`Phone`], [`PersonName`]) print their
//! masked form under `Debug` and have no `Display`, so that a stray `{:?}` in a log line
//! or an error report cannot leak them; the full value is reached only through `as_str()`.

mod password;
mod person_name;
mod phone;
mod purpose;
mod resident_id;
mod username;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use crate::divisions::{DivisionCode, DivisionCodeError};
pub use password::{Password, PasswordError};
pub use person_name::{PersonName, PersonNameError};
pub use phone::{Phone, PhoneError, PhoneKind};
pub use purpose::{Purpose, PurposeError};
pub use resident_id::{ResidentId, ResidentIdError, Sex, check_character};
pub use username::{Username, UsernameError};

/// Every `code()` a parse error of this crate can return, for the web layer's test that
/// each has a message in every locale.
pub const ERROR_CODES: &[&str] = &[
    "resident_id.empty",
    "resident_id.length",
    "resident_id.character",
    "resident_id.birth_date",
    "resident_id.birth_date_too_early",
    "resident_id.birth_date_future",
    "resident_id.division",
    "resident_id.check_digit",
    "division_code.length",
    "division_code.character",
    "division_code.unknown",
    "phone.empty",
    "phone.character",
    "phone.country",
    "phone.mobile_length",
    "phone.mobile_prefix",
    "phone.area_code",
    "phone.subscriber_length",
    "phone.subscriber_start",
    "phone.format",
    "username.too_short",
    "username.too_long",
    "username.character",
    "username.start",
    "person_name.empty",
    "person_name.too_long",
    "person_name.control",
    "password.too_short",
    "password.too_long",
    "password.one_class",
    "password.contains_username",
    "password.control",
    "purpose.too_short",
    "purpose.too_long",
    "purpose.control",
    "purpose.no_words",
    "role.unknown",
    "roles.conflict",
];

/// The identifier of a user account, as the store issued it. Opaque here: the policy only
/// compares identifiers, so any non-empty text the store uses will do.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(String);

/// The identifier of a unit (a member unit such as `psb`, or a unit an administrator
/// added), as the store issued it. Opaque, like [`UserId`].
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnitId(String);

macro_rules! opaque_id {
    ($t:ident) => {
        impl $t {
            pub fn new(id: impl Into<String>) -> Self {
                $t(id.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl From<String> for $t {
            fn from(s: String) -> Self {
                $t(s)
            }
        }
        impl From<&str> for $t {
            fn from(s: &str) -> Self {
                $t(s.to_owned())
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($t), self.0)
            }
        }
    };
}
opaque_id!(UserId);
opaque_id!(UnitId);

/// Chinese input methods often produce full-width forms (`１３８`, `Ｘ`, `（`); they mean
/// the same as their ASCII counterparts, so they are folded before anything is checked.
pub(crate) fn fold_full_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Today's date in China (UTC+8). Birth dates are written in local time, so a child born
/// this morning in Zhuzhou must not be "in the future" because UTC is still on yesterday.
pub(crate) fn china_today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
}

/// Characters that reorder text on screen (bidirectional overrides and isolates). In a
/// name or a stated purpose they serve only to make the displayed text differ from the
/// stored one.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::role::{Role, RoleSetError, UnknownRole};

    #[test]
    fn error_codes_lists_every_variant_once() {
        let codes: Vec<&str> = [
            ResidentIdError::Empty.code(),
            ResidentIdError::Length { found: 0 }.code(),
            ResidentIdError::Character {
                position: 1,
                found: 'a',
            }
            .code(),
            ResidentIdError::BirthDate { end: 14 }.code(),
            ResidentIdError::BirthDateTooEarly.code(),
            ResidentIdError::BirthDateInFuture.code(),
            ResidentIdError::Division {
                code: String::new(),
            }
            .code(),
            ResidentIdError::CheckDigit.code(),
            DivisionCodeError::Length { found: 0 }.code(),
            DivisionCodeError::Character {
                position: 1,
                found: 'a',
            }
            .code(),
            DivisionCodeError::Unknown {
                code: String::new(),
            }
            .code(),
            PhoneError::Empty.code(),
            PhoneError::Character {
                position: 1,
                found: 'a',
            }
            .code(),
            PhoneError::Country.code(),
            PhoneError::MobileLength { found: 0 }.code(),
            PhoneError::MobilePrefix.code(),
            PhoneError::AreaCode.code(),
            PhoneError::SubscriberLength { found: 0 }.code(),
            PhoneError::SubscriberStart.code(),
            PhoneError::Format.code(),
            UsernameError::TooShort { found: 0 }.code(),
            UsernameError::TooLong { found: 0 }.code(),
            UsernameError::Character {
                position: 1,
                found: 'a',
            }
            .code(),
            UsernameError::Start.code(),
            PersonNameError::Empty.code(),
            PersonNameError::TooLong { found: 0 }.code(),
            PersonNameError::Control { position: 1 }.code(),
            PasswordError::TooShort { found: 0 }.code(),
            PasswordError::TooLong { found: 0 }.code(),
            PasswordError::OneClass.code(),
            PasswordError::ContainsUsername.code(),
            PasswordError::Control { position: 1 }.code(),
            PurposeError::TooShort { found: 0 }.code(),
            PurposeError::TooLong { found: 0 }.code(),
            PurposeError::Control { position: 1 }.code(),
            PurposeError::NoWords.code(),
            UnknownRole {
                given: String::new(),
            }
            .code(),
            RoleSetError::Conflict(Role::Admin, Role::Auditor).code(),
        ]
        .to_vec();
        assert_eq!(codes, ERROR_CODES);
        assert_eq!(codes.iter().collect::<BTreeSet<_>>().len(), codes.len());
    }

    #[test]
    fn full_width_forms_fold_to_ascii() {
        let folded: String = "１３８－（Ｘｘ）＋　"
            .chars()
            .map(fold_full_width)
            .collect();
        assert_eq!(folded, "138-(Xx)+ ");
    }
}

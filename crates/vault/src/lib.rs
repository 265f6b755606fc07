//! Cryptography of fanguai: the key ring, envelope encryption of personal
//! fields, blind indexes, password and TOTP verification, and the audit hash
//! chain. No database access: the store persists the bytes made here.
//!
//! See `docs/keys-and-crypto.md` for the key hierarchy and operating
//! procedures (rotation, backup, crypto-shredding).
#![forbid(unsafe_code)]

mod blind;
mod canonical;
pub mod chain;
pub mod envelope;
mod error;
pub mod keyring;
pub mod password;
#[cfg(test)]
mod redaction_tests;
mod secret;
pub mod totp;

pub use canonical::Canonical;
pub use chain::{
    AuditFields, BreakKind, ChainBreak, ChainHead, ChainVerifier, FIRST_SEQ, GENESIS, event_hash,
    verify_chain, verify_chain_from,
};
pub use envelope::{DataKey, FieldAad, SEALED_FORMAT_V1, WRAPPED_FORMAT_V1, WrappedKey};
pub use error::{Result, VaultError};
pub use keyring::{KEY_LEN, KEYS_DIR_NAME, KeyRing, MasterKeyId};
pub use password::{HashedPassword, PasswordPolicy};
pub use secret::Secret;
pub use totp::{TOTP_DIGITS, TOTP_SECRET_LEN, TOTP_STEP_SECS, TotpSecret, qr_svg, step_at};
pub use zeroize::Zeroizing;

//! Rows as stored. Plain data: meaning and validation live in the service and domain.
//!
//! Encrypted columns (`*_enc`, `wrapped`) are opaque bytes to the store; `Debug` shows
//! only their length so that a logged row never carries ciphertext or key material.

use std::fmt;

/// Shows a byte field in `Debug` output as its length only.
struct Redacted<'a>(&'a [u8]);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0.len())
    }
}

fn redacted_opt(v: &Option<Vec<u8>>) -> Option<Redacted<'_>> {
    v.as_deref().map(Redacted)
}

/// A member unit of the joint conference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitRow {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub duties_zh: String,
    pub duties_en: String,
    pub is_lead: bool,
    pub sort_order: i64,
    pub liaison_user_id: Option<String>,
    pub created_at: i64,
}

/// A user account. Personal fields are ciphertext under the data key `data_key_id`.
#[derive(Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub unit_id: String,
    /// Stored as a comma-separated list, so a role name must not contain a comma.
    pub roles: Vec<String>,
    pub display_name_enc: Vec<u8>,
    pub phone_enc: Option<Vec<u8>>,
    pub phone_bidx: Option<String>,
    pub data_key_id: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub totp_secret_enc: Option<Vec<u8>>,
    pub totp_enrolled: bool,
    pub totp_last_step: Option<i64>,
    pub disabled: bool,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl fmt::Debug for UserRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("unit_id", &self.unit_id)
            .field("roles", &self.roles)
            .field("display_name_enc", &Redacted(&self.display_name_enc))
            .field("phone_enc", &redacted_opt(&self.phone_enc))
            .field("phone_bidx", &self.phone_bidx.as_ref().map(|_| "***"))
            .field("data_key_id", &self.data_key_id)
            .field("password_hash", &"***")
            .field("must_change_password", &self.must_change_password)
            .field("totp_secret_enc", &redacted_opt(&self.totp_secret_enc))
            .field("totp_enrolled", &self.totp_enrolled)
            .field("totp_last_step", &self.totp_last_step)
            .field("disabled", &self.disabled)
            .field("failed_logins", &self.failed_logins)
            .field("locked_until", &self.locked_until)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

/// A server-side login session, found by the hash of the cookie's token.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: String,
    /// "password" after the first factor, "full" after the second.
    pub stage: String,
    pub csrf_token: String,
    pub lang: String,
    pub created_at: i64,
    pub last_seen: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl fmt::Debug for SessionRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionRow")
            .field("id_hash", &"***")
            .field("user_id", &self.user_id)
            .field("stage", &self.stage)
            .field("csrf_token", &"***")
            .field("lang", &self.lang)
            .field("created_at", &self.created_at)
            .field("last_seen", &self.last_seen)
            .field("ip", &self.ip)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// A per-person data key, wrapped by a master key. Destroying it (empty `wrapped`,
/// `destroyed_at` set) makes every field encrypted under it unreadable for good.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKeyRow {
    pub id: String,
    /// What the key protects, e.g. "user:<id>" or "victim:<id>"; one key per subject.
    pub subject: String,
    pub wrapped: Vec<u8>,
    pub master_key_id: String,
    pub created_at: i64,
    pub destroyed_at: Option<i64>,
}

impl fmt::Debug for DataKeyRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKeyRow")
            .field("id", &self.id)
            .field("subject", &self.subject)
            .field("wrapped", &Redacted(&self.wrapped))
            .field("master_key_id", &self.master_key_id)
            .field("created_at", &self.created_at)
            .field("destroyed_at", &self.destroyed_at)
            .finish()
    }
}

/// One link of the audit hash chain. Fields that do not apply hold an empty string,
/// except `actor_user_id`, which is `None` for the public and the system itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEventRow {
    pub seq: i64,
    pub at: i64,
    pub request_id: String,
    pub actor_user_id: Option<String>,
    pub actor_username: String,
    pub actor_unit: String,
    pub actor_role: String,
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    pub purpose: String,
    pub outcome: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_lengths_not_secrets() {
        let user = UserRow {
            id: "u1".into(),
            username: "alice".into(),
            unit_id: "psb".into(),
            roles: vec!["investigator".into()],
            display_name_enc: vec![0xAB; 40],
            phone_enc: Some(vec![0xCD; 12]),
            phone_bidx: Some("bidx-secret".into()),
            data_key_id: "k1".into(),
            password_hash: "$argon2id$secret".into(),
            must_change_password: false,
            totp_secret_enc: None,
            totp_enrolled: false,
            totp_last_step: None,
            disabled: false,
            failed_logins: 0,
            locked_until: None,
            created_at: 1,
            updated_at: 2,
        };
        let shown = format!("{user:?}");
        assert!(shown.contains("<40 bytes>"), "{shown}");
        assert!(shown.contains("<12 bytes>"), "{shown}");
        assert!(!shown.contains("171"), "{shown}");
        assert!(!shown.contains("argon2"), "{shown}");
        assert!(!shown.contains("bidx-secret"), "{shown}");

        let key = DataKeyRow {
            id: "k1".into(),
            subject: "user:u1".into(),
            wrapped: vec![7; 72],
            master_key_id: "m1".into(),
            created_at: 1,
            destroyed_at: None,
        };
        let shown = format!("{key:?}");
        assert!(
            shown.contains("<72 bytes>") && !shown.contains("7, 7"),
            "{shown}"
        );

        let session = SessionRow {
            id_hash: "hash-of-token".into(),
            user_id: "u1".into(),
            stage: "full".into(),
            csrf_token: "csrf-value".into(),
            lang: "zh-CN".into(),
            created_at: 1,
            last_seen: 2,
            ip: None,
            user_agent: None,
        };
        let shown = format!("{session:?}");
        assert!(
            !shown.contains("hash-of-token") && !shown.contains("csrf-value"),
            "{shown}"
        );
    }
}

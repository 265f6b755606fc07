//! One error type at the service boundary; the web layer maps it to HTTP in one place.

use fanguai_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The policy refused the action; the refusal has been audited.
    #[error("refused: {code}")]
    Refused { code: &'static str },
    /// Input that does not parse. `field` names the form field, `code` is a stable
    /// message key the web layer translates.
    #[error("invalid {field}: {code}")]
    Invalid { field: &'static str, code: String },
    #[error("authentication failed: {0:?}")]
    Auth(AuthFailure),
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// Why a login step or a session was not accepted. Wrong usernames and wrong passwords
/// are one variant so that a caller cannot probe which usernames exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    BadCredentials,
    /// Locked after repeated failures until this unix time (seconds).
    Locked {
        until: i64,
    },
    Disabled,
    BadCode,
    /// No session, or it expired after the idle timeout.
    SessionExpired,
    /// The session has not completed the second factor.
    SecondFactorPending,
}

impl ServiceError {
    pub fn invalid(field: &'static str, code: impl Into<String>) -> Self {
        ServiceError::Invalid {
            field,
            code: code.into(),
        }
    }
    pub fn internal(e: impl std::fmt::Display) -> Self {
        ServiceError::Internal(e.to_string())
    }
    /// A stable code for logs and JSON bodies.
    pub fn code(&self) -> String {
        match self {
            ServiceError::Refused { code } => format!("refused.{code}"),
            ServiceError::Invalid { code, .. } => code.clone(),
            ServiceError::Auth(a) => match a {
                AuthFailure::BadCredentials => "auth.bad_credentials".into(),
                AuthFailure::Locked { .. } => "auth.locked".into(),
                AuthFailure::Disabled => "auth.disabled".into(),
                AuthFailure::BadCode => "auth.bad_code".into(),
                AuthFailure::SessionExpired => "auth.session_expired".into(),
                AuthFailure::SecondFactorPending => "auth.second_factor_pending".into(),
            },
            ServiceError::NotFound(_) => "not_found".into(),
            ServiceError::Conflict(_) => "conflict".into(),
            ServiceError::Unavailable(_) => "unavailable".into(),
            ServiceError::Internal(_) => "internal".into(),
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { what } => ServiceError::Conflict(what),
            StoreError::NotFound => ServiceError::NotFound("record"),
            StoreError::Unreachable { .. } => ServiceError::Unavailable(e.to_string()),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

impl From<fanguai_vault::VaultError> for ServiceError {
    fn from(e: fanguai_vault::VaultError) -> Self {
        ServiceError::Internal(format!("vault: {e}"))
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

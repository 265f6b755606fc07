use thiserror::Error;

/// Everything the store can report to its callers.
///
/// Database-specific failures are classified in `dialect.rs`, so callers see the same
/// variant for the same situation on SQLite and on PostgreSQL.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database could not be opened or reached. The URL never carries a password here.
    #[error("cannot connect to database {url_redacted}: {source}")]
    Unreachable {
        url_redacted: String,
        #[source]
        source: sqlx::Error,
    },

    /// The database URL is not one the store understands.
    #[error("database URL {url_redacted} is not usable: {reason}")]
    InvalidUrl {
        url_redacted: String,
        reason: String,
    },

    /// A unique or referential rule would be broken, e.g. "username already exists".
    #[error("conflict: {what}")]
    Conflict { what: String },

    /// The row to update or delete does not exist.
    #[error("record not found")]
    NotFound,

    /// A value cannot be stored as given (names the field and the reason).
    #[error("invalid value for {field}: {reason}")]
    Invalid { field: &'static str, reason: String },

    /// A migration failed to apply or no longer matches what was applied.
    #[error("migration {name} failed: {source}")]
    Migration {
        name: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// The database was migrated by a newer release than this binary.
    #[error(
        "the database schema is at version {db}, newer than this binary knows ({binary}); \
         run a newer fanguai release against this database"
    )]
    NewerSchema { db: i64, binary: i64 },

    /// The operation exists only on the other backend; the message says what to use instead.
    #[error("{operation} is not available on this database: {hint}")]
    NotSupported {
        operation: &'static str,
        hint: &'static str,
    },

    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
}

impl StoreError {
    /// Maps a failed statement to `Conflict` when it broke a unique or foreign-key rule,
    /// leaving every other failure as `Sqlx`.
    pub(crate) fn from_statement(err: sqlx::Error) -> StoreError {
        match crate::dialect::classify_violation(&err) {
            Some(v) => StoreError::Conflict { what: v.describe() },
            None => StoreError::Sqlx(err),
        }
    }
}

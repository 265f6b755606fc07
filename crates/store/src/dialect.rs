//! Every piece of SQL or behaviour that differs between SQLite and PostgreSQL.
//!
//! The rest of the crate writes one statement for both backends (`$N` placeholders,
//! TEXT/BIGINT columns, application-made ids); whatever cannot be written that way is
//! decided here, from the `Backend`, so a reader can see all the differences at once.

use std::time::Duration;

use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyPoolOptions;
use sqlx::error::ErrorKind;

use crate::{Backend, StoreError};

/// Column type for binary values in migrations, substituted for the `{{blob}}` token.
pub(crate) fn blob_type(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "BLOB",
        Backend::Postgres => "BYTEA",
    }
}

/// Turns an embedded migration into SQL for this backend.
pub(crate) fn render_migration(backend: Backend, sql: &str) -> String {
    sql.replace("{{blob}}", blob_type(backend))
}

/// Reads the backend from the scheme of a database URL.
pub(crate) fn backend_from_url(url: &str) -> Result<Backend, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::InvalidUrl {
            url_redacted: crate::url::redact(url),
            reason: "the scheme must be sqlite: or postgres://".to_owned(),
        })
    }
}

/// An in-memory SQLite database lives and dies with its one connection.
fn is_sqlite_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// Pool settings for the backend.
///
/// An in-memory SQLite database exists once per connection, so its pool holds exactly
/// one connection that is never retired; a caller that holds a `Tx` and asks for a
/// second connection will wait on itself there, which is why in-memory databases are
/// for throw-away tools only. A file database keeps a few connections: WAL lets the
/// readers run beside the one writer.
pub(crate) fn pool_options(backend: Backend, url: &str) -> AnyPoolOptions {
    let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
    let options = match backend {
        Backend::Sqlite if is_sqlite_memory(url) => options
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None),
        Backend::Sqlite => options.max_connections(8),
        Backend::Postgres => options.max_connections(10),
    };
    options.after_connect(move |conn, _meta| {
        Box::pin(async move { configure_connection(backend, conn).await })
    })
}

/// Settings every new connection needs before it serves its first query.
async fn configure_connection(
    backend: Backend,
    conn: &mut AnyConnection,
) -> Result<(), sqlx::Error> {
    match backend {
        Backend::Sqlite => {
            // busy_timeout first, so that switching to WAL waits for a writer instead of
            // failing when another process holds the database.
            sqlx::query("PRAGMA busy_timeout = 5000")
                .execute(&mut *conn)
                .await?;
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&mut *conn)
                .await?;
            // NORMAL is durable in WAL mode except for the last commits before a power loss.
            sqlx::query("PRAGMA synchronous = NORMAL")
                .execute(&mut *conn)
                .await?;
            sqlx::query("PRAGMA foreign_keys = ON")
                .execute(&mut *conn)
                .await?;
        }
        Backend::Postgres => {}
    }
    Ok(())
}

/// The statement that opens a write transaction.
///
/// SQLite's default deferred transaction takes the write lock only at its first write;
/// two such transactions that both read first then deadlock on the upgrade, and one
/// fails with "database is locked". `BEGIN IMMEDIATE` takes the lock up front and waits
/// (busy_timeout) instead. PostgreSQL locks rows as it writes, so its plain BEGIN is right.
pub(crate) fn begin_write_statement(backend: Backend) -> Option<&'static str> {
    match backend {
        Backend::Sqlite => Some("BEGIN IMMEDIATE"),
        Backend::Postgres => None,
    }
}

/// Whether a table exists in the current database (schema).
pub(crate) async fn table_exists(
    backend: Backend,
    conn: &mut AnyConnection,
    table: &str,
) -> Result<bool, sqlx::Error> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = $1"
        }
        Backend::Postgres => {
            "SELECT count(*) AS n FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let row = sqlx::query(sql).bind(table).fetch_one(&mut *conn).await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Arbitrary constant naming fanguai's migration lock among PostgreSQL advisory locks.
const MIGRATION_LOCK_KEY: i64 = 0x6661_6e67_7561_6901;

/// Makes concurrent `migrate` runs (several servers starting at once) take turns.
/// Must run inside the migration transaction; the lock ends with it.
pub(crate) async fn lock_for_migration(
    backend: Backend,
    conn: &mut AnyConnection,
) -> Result<(), sqlx::Error> {
    match backend {
        // The migration transaction was opened with BEGIN IMMEDIATE: it already holds
        // the database's only write lock.
        Backend::Sqlite => Ok(()),
        Backend::Postgres => {
            // pg_advisory_xact_lock returns `void`, which the Any driver cannot decode;
            // counting the one row it produces gives a plain BIGINT.
            sqlx::query("SELECT count(*) AS n FROM (SELECT pg_advisory_xact_lock($1)) AS l")
                .bind(MIGRATION_LOCK_KEY)
                .fetch_one(&mut *conn)
                .await?;
            Ok(())
        }
    }
}

/// Writes a consistent copy of a live SQLite database to `out` without stopping writers.
pub(crate) async fn backup_into(
    backend: Backend,
    conn: &mut AnyConnection,
    out: &str,
) -> Result<(), StoreError> {
    match backend {
        Backend::Sqlite => {
            sqlx::query("VACUUM INTO $1")
                .bind(out)
                .execute(&mut *conn)
                .await?;
            Ok(())
        }
        Backend::Postgres => Err(StoreError::NotSupported {
            operation: "backup to a file",
            hint: "back up PostgreSQL with pg_dump (and restore with pg_restore)",
        }),
    }
}

/// Quotes an identifier for PostgreSQL, doubling embedded quotes.
#[cfg(any(test, feature = "testing"))]
pub(crate) fn quote_pg_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Creates an empty PostgreSQL database (used to give each test its own).
#[cfg(any(test, feature = "testing"))]
pub(crate) async fn create_pg_database(
    admin: &mut AnyConnection,
    name: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("CREATE DATABASE {}", quote_pg_ident(name)))
        .persistent(false)
        .execute(&mut *admin)
        .await?;
    Ok(())
}

/// Drops a PostgreSQL database even while connections to it are still open.
#[cfg(any(test, feature = "testing"))]
pub(crate) async fn drop_pg_database(
    admin: &mut AnyConnection,
    name: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
        quote_pg_ident(name)
    ))
    .persistent(false)
    .execute(&mut *admin)
    .await?;
    Ok(())
}

/// A broken integrity rule, described the same way on both backends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Violation {
    /// `table` and the comma-separated `columns` that must be unique; `columns` is
    /// "primary key" when PostgreSQL names only the primary key constraint.
    Unique {
        table: String,
        columns: String,
    },
    ForeignKey,
}

impl Violation {
    pub(crate) fn describe(&self) -> String {
        match self {
            Violation::Unique { table, columns } => match (table.as_str(), columns.as_str()) {
                ("users", "username") => "username already exists".to_owned(),
                ("data_keys", "subject") => "a data key for this subject already exists".to_owned(),
                (table, "id" | "primary key") => {
                    format!("a {table} record with this id already exists")
                }
                (table, columns) => {
                    format!("a {table} record with the same {columns} already exists")
                }
            },
            Violation::ForeignKey => {
                "a referenced record does not exist or is still referenced".to_owned()
            }
        }
    }
}

/// Recognises unique and foreign-key violations from either backend.
///
/// SQLite reports "UNIQUE constraint failed: users.username"; PostgreSQL reports the
/// table and the constraint name, which the migrations spell `<table>_<columns>_key`
/// (PostgreSQL's own default) so the columns can be read back from it.
pub(crate) fn classify_violation(err: &sqlx::Error) -> Option<Violation> {
    let sqlx::Error::Database(db) = err else {
        return None;
    };
    match db.kind() {
        ErrorKind::UniqueViolation => {
            if let Some(rest) = db.message().split("constraint failed: ").nth(1) {
                // SQLite: "t.a, t.b"
                let mut table = String::new();
                let mut columns = Vec::new();
                for part in rest.split(", ") {
                    if let Some((t, c)) = part.trim().split_once('.') {
                        table = t.to_owned();
                        columns.push(c.to_owned());
                    }
                }
                return Some(Violation::Unique {
                    table,
                    columns: columns.join(", "),
                });
            }
            let table = db.table().unwrap_or_default().to_owned();
            let constraint = db.constraint().unwrap_or_default();
            let columns = if constraint == format!("{table}_pkey") {
                "primary key".to_owned()
            } else {
                constraint
                    .strip_prefix(&format!("{table}_"))
                    .and_then(|c| c.strip_suffix("_key"))
                    .unwrap_or(constraint)
                    .to_owned()
            };
            Some(Violation::Unique { table, columns })
        }
        ErrorKind::ForeignKeyViolation => Some(Violation::ForeignKey),
        _ => None,
    }
}

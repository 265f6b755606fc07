//! Persistence for fanguai: one code path and one migration set for SQLite (the
//! embedded default) and PostgreSQL (production), through sqlx's `Any` driver.
//!
//! Repositories are modules of free functions taking `&mut Conn`, so the same call
//! works on a pooled connection (reads) and inside a [`Tx`] (writes together with their
//! audit event). Backend differences live only in `dialect.rs`.
#![forbid(unsafe_code)]

mod dialect;
mod error;
mod migrate;
mod model;
mod url;

pub mod audit;
pub mod cases;
pub mod data_keys;
pub mod sessions;
pub mod settings;
pub mod tips;
pub mod units;
pub mod users;

#[cfg(feature = "testing")]
pub mod testing;

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::path::Path;

use sqlx::Connection;
use sqlx::any::Any;
use sqlx::pool::PoolConnection;
use sqlx::{AnyConnection, AnyPool};

pub use error::StoreError;
pub use model::{AuditEventRow, DataKeyRow, SessionRow, UnitRow, UserRow};
pub use url::redact as redact_url;

/// The connection type repositories take; both a [`Tx`] and a pooled connection deref to it.
pub type Conn = AnyConnection;

/// Re-exported so callers name the same sqlx version as the store.
pub use sqlx;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pool of connections to one database. Cheap to clone: clones share the pool.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .field("connections", &self.pool.size())
            .finish()
    }
}

impl Store {
    /// Opens a pool on `sqlite://PATH?mode=rwc` (creates the file), `sqlite://PATH`
    /// (must exist), `sqlite::memory:` or `postgres://…`, and checks that one connection
    /// works. Errors name the URL with its password hidden.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = dialect::backend_from_url(url)?;
        let unreachable = |source| StoreError::Unreachable {
            url_redacted: url::redact(url),
            source,
        };
        // The pool retries a refused connection until its acquire timeout, which would
        // keep an operator waiting half a minute to learn the URL is wrong; a single
        // direct attempt first fails at once and names the cause.
        let probe = AnyConnection::connect(url).await.map_err(unreachable)?;
        let _ = probe.close().await;
        let pool = dialect::pool_options(backend, url)
            .connect(url)
            .await
            .map_err(unreachable)?;
        Ok(Store { pool, backend })
    }

    /// Brings the schema to this binary's version and returns the names of the
    /// migrations it applied (none when already current). Safe to run concurrently from
    /// several processes. Refuses a database migrated by a newer binary.
    pub async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        migrate::run(self).await
    }

    /// Names of the migrations `migrate` would apply, without changing anything.
    pub async fn pending_migrations(&self) -> Result<Vec<String>, StoreError> {
        migrate::pending(self).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that a connection can be had and answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        conn.ping().await?;
        Ok(())
    }

    /// Opens a write transaction. On SQLite it holds the database's write lock from the
    /// start, so writers queue (up to the busy timeout) instead of deadlocking.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let inner = match dialect::begin_write_statement(self.backend) {
            Some(statement) => self.pool.begin_with(statement).await?,
            None => self.pool.begin().await?,
        };
        Ok(Tx { inner })
    }

    /// A pooled connection for reads outside a transaction.
    pub async fn conn(&self) -> Result<PoolConnection<Any>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    /// Writes a consistent copy of a SQLite database to `out` while it stays in use
    /// (`VACUUM INTO`). `out` must not exist yet. On PostgreSQL this is an error that
    /// points to pg_dump.
    pub async fn backup_sqlite_to(&self, out: &Path) -> Result<(), StoreError> {
        let out = out.to_str().ok_or_else(|| StoreError::Invalid {
            field: "backup path",
            reason: format!("{} is not valid UTF-8", out.display()),
        })?;
        let mut conn = self.conn().await?;
        dialect::backup_into(self.backend, &mut conn, out).await
    }

    /// Waits for borrowed connections to come back, then closes them all.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A database transaction. Commit it explicitly; dropping it rolls back.
pub struct Tx {
    inner: sqlx::Transaction<'static, Any>,
}

impl fmt::Debug for Tx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tx")
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.inner.commit().await?)
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        Ok(self.inner.rollback().await?)
    }
}

impl Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}

/// Reads a 0/1 BIGINT column as a bool.
pub(crate) fn flag(v: i64) -> bool {
    v != 0
}

/// Writes a bool as the 0/1 BIGINT both backends store.
pub(crate) fn flag_value(b: bool) -> i64 {
    i64::from(b)
}

//! Throw-away databases for integration tests, here and in the crates built on the store.
//!
//! Each `TestDb` is a migrated database nobody else uses: a SQLite file in its own
//! temporary folder, or a PostgreSQL database created for it on the server named by
//! `TEST_DATABASE_URL`. Dropping the `TestDb` removes it, also when the test panicked.

use std::path::{Path, PathBuf};

use sqlx::AnyConnection;
use sqlx::Connection;

use crate::{Store, dialect, url};

/// The environment variable naming a PostgreSQL server for tests, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`; its database is only used to create
/// and drop the per-test databases.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

#[derive(Debug)]
enum Cleanup {
    Sqlite { dir: tempfile::TempDir },
    Postgres { admin_url: String, database: String },
}

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDb {
    store: Store,
    url: String,
    cleanup: Cleanup,
}

impl TestDb {
    /// A migrated SQLite database in a fresh temporary file.
    pub async fn sqlite() -> TestDb {
        let db = TestDb::sqlite_unmigrated().await;
        db.store
            .migrate()
            .await
            .expect("migrating the test SQLite database");
        db
    }

    /// An empty SQLite database in a fresh temporary file, for tests of migration itself.
    pub async fn sqlite_unmigrated() -> TestDb {
        let dir = tempfile::Builder::new()
            .prefix("fanguai-test-")
            .tempdir()
            .expect("creating a temporary folder for the test database");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("fanguai.db").display()
        );
        let store = Store::connect(&url)
            .await
            .expect("opening the test SQLite database");
        TestDb {
            store,
            url,
            cleanup: Cleanup::Sqlite { dir },
        }
    }

    /// A migrated PostgreSQL database of its own, or `None` when `TEST_DATABASE_URL` is
    /// not set. Panics when it is set but the server cannot be used.
    pub async fn postgres_from_env() -> Option<TestDb> {
        let db = TestDb::postgres_unmigrated_from_env().await?;
        db.store
            .migrate()
            .await
            .expect("migrating the test PostgreSQL database");
        Some(db)
    }

    /// An empty PostgreSQL database of its own, or `None` without `TEST_DATABASE_URL`.
    pub async fn postgres_unmigrated_from_env() -> Option<TestDb> {
        let admin_url = std::env::var(TEST_DATABASE_URL)
            .ok()
            .filter(|u| !u.is_empty())?;
        sqlx::any::install_default_drivers();
        let database = format!("fanguai_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = AnyConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "{TEST_DATABASE_URL}={} cannot be reached: {e}",
                    url::redact(&admin_url)
                )
            });
        dialect::create_pg_database(&mut admin, &database)
            .await
            .unwrap_or_else(|e| panic!("creating test database {database}: {e}"));
        let _ = admin.close().await;
        // From here on the guard owns the database, so a failure below still drops it.
        let cleanup = Cleanup::Postgres {
            admin_url: admin_url.clone(),
            database: database.clone(),
        };
        let url = url::with_database(&admin_url, &database)
            .unwrap_or_else(|| panic!("{TEST_DATABASE_URL} is not a postgres:// URL"));
        let store = match Store::connect(&url).await {
            Ok(store) => store,
            Err(e) => {
                drop_postgres(admin_url, database);
                panic!("connecting to the test database: {e}");
            }
        };
        Some(TestDb {
            store,
            url,
            cleanup,
        })
    }

    /// The store on this database (a clone shares the pool).
    pub fn store(&self) -> Store {
        self.store.clone()
    }

    /// The URL of this database, e.g. to open a second store on it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The temporary folder of a SQLite test database (for backup files and the like).
    pub fn sqlite_dir(&self) -> Option<&Path> {
        match &self.cleanup {
            Cleanup::Sqlite { dir } => Some(dir.path()),
            Cleanup::Postgres { .. } => None,
        }
    }

    /// A path that does not exist yet, inside a folder removed with this `TestDb`; a
    /// PostgreSQL `TestDb` makes it in the system's temporary folder.
    pub fn scratch_path(&self, name: &str) -> PathBuf {
        match &self.cleanup {
            Cleanup::Sqlite { dir } => dir.path().join(name),
            Cleanup::Postgres { database, .. } => {
                std::env::temp_dir().join(format!("{database}-{name}"))
            }
        }
    }
}

/// Drops a test database from a thread of its own: `Drop` may run inside a tokio runtime
/// (where blocking on another future is not allowed) or during a panic.
fn drop_postgres(admin_url: String, database: String) {
    let worker = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("building a runtime to drop the test database");
        runtime.block_on(async {
            let mut admin = AnyConnection::connect(&admin_url).await?;
            dialect::drop_pg_database(&mut admin, &database).await?;
            admin.close().await
        })
    });
    match worker.join() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => eprintln!("could not drop a test database; drop it by hand: {e}"),
        Err(_) => eprintln!("dropping a test database panicked; drop it by hand"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres {
            admin_url,
            database,
        } = &self.cleanup
        {
            drop_postgres(admin_url.clone(), database.clone());
        }
        // A SQLite TempDir removes itself when the fields drop, after this.
    }
}

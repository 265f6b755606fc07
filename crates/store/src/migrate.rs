//! The embedded migration set and its runner.
//!
//! One ordered list of `.sql` files serves both backends (`{{blob}}` is rendered by
//! `dialect.rs`). Each applied migration is recorded in `schema_migrations` with a
//! checksum of its text, so an edited migration is caught instead of silently differing
//! between databases migrated before and after the edit.

use sqlx::Row;

use crate::{Backend, Store, StoreError, dialect};

/// One schema step. `version` orders the steps and never repeats.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Append only: an applied migration is never edited, a change is a new file.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_initial",
        sql: include_str!("../migrations/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "0002_tips",
        sql: include_str!("../migrations/0002_tips.sql"),
    },
    Migration {
        version: 3,
        name: "0003_cases",
        sql: include_str!("../migrations/0003_cases.sql"),
    },
];

fn newest_known() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// FNV-1a over the migration text. It only has to notice accidental edits; nobody gains
/// anything by forging it, since whoever can edit the binary's migrations can edit more.
fn checksum(sql: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in sql.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)";

#[derive(Debug)]
struct Applied {
    version: i64,
    name: String,
    checksum: String,
}

async fn applied(conn: &mut sqlx::AnyConnection) -> Result<Vec<Applied>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await?;
    rows.iter()
        .map(|r| {
            Ok(Applied {
                version: r.try_get("version")?,
                name: r.try_get("name")?,
                checksum: r.try_get("checksum")?,
            })
        })
        .collect()
}

/// Compares what the database has applied with what this binary carries and returns
/// the migrations still to apply.
fn plan(applied: &[Applied]) -> Result<Vec<Migration>, StoreError> {
    if let Some(newest) = applied.iter().map(|a| a.version).max()
        && newest > newest_known()
    {
        return Err(StoreError::NewerSchema {
            db: newest,
            binary: newest_known(),
        });
    }
    let mut pending = Vec::new();
    for m in MIGRATIONS {
        match applied.iter().find(|a| a.version == m.version) {
            Some(a) if a.checksum != checksum(m.sql) => {
                return Err(StoreError::Migration {
                    name: m.name.to_owned(),
                    source: format!(
                        "was applied as {} with checksum {}, but this binary's text has checksum {}; \
                         applied migrations must never be edited",
                        a.name,
                        a.checksum,
                        checksum(m.sql)
                    )
                    .into(),
                });
            }
            Some(_) => {}
            None => pending.push(*m),
        }
    }
    Ok(pending)
}

/// Splits a migration into its statements: each ends with `;` at the end of a line.
/// Migrations therefore hold no statement with a line-ending `;` inside it (no function
/// bodies); they are plain DDL and seed rows. Statements go one by one because
/// PostgreSQL prepares one statement at a time.
fn statements(sql: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in sql.split_inclusive('\n') {
        offset += line.len();
        if line.trim_end().ends_with(';') && !line.trim_start().starts_with("--") {
            out.push(sql[start..offset].trim());
            start = offset;
        }
    }
    let rest = sql[start..].trim();
    // What follows the last `;` can only be comments; anything else is a statement
    // missing its terminator, and running it still shows the mistake.
    if rest
        .lines()
        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with("--"))
    {
        out.push(rest);
    }
    out
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

pub(crate) async fn pending(store: &Store) -> Result<Vec<String>, StoreError> {
    let mut conn = store.conn().await?;
    if !dialect::table_exists(store.backend(), &mut conn, "schema_migrations").await? {
        return Ok(MIGRATIONS.iter().map(|m| m.name.to_owned()).collect());
    }
    let applied = applied(&mut conn).await?;
    Ok(plan(&applied)?
        .into_iter()
        .map(|m| m.name.to_owned())
        .collect())
}

/// Applies every pending migration in one transaction: either the schema moves to the
/// binary's version or it stays where it was.
pub(crate) async fn run(store: &Store) -> Result<Vec<String>, StoreError> {
    let backend: Backend = store.backend();
    let mut tx = store.begin().await?;
    dialect::lock_for_migration(backend, &mut tx).await?;
    sqlx::query(CREATE_TABLE)
        .persistent(false)
        .execute(&mut *tx)
        .await?;
    let applied = applied(&mut tx).await?;
    let pending = plan(&applied)?;
    let mut names = Vec::with_capacity(pending.len());
    for m in pending {
        let sql = dialect::render_migration(backend, m.sql);
        let failed = |source: sqlx::Error| StoreError::Migration {
            name: m.name.to_owned(),
            source: Box::new(source),
        };
        for statement in statements(&sql) {
            sqlx::query(statement)
                .persistent(false)
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
        }
        sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
            .bind(m.version)
            .bind(m.name)
            .bind(checksum(m.sql))
            .bind(now_millis())
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        tracing::info!(migration = m.name, "applied migration");
        names.push(m.name.to_owned());
    }
    tx.commit().await?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_and_match_file_names() {
        let mut last = 0;
        for m in MIGRATIONS {
            assert!(
                m.version > last,
                "{} does not come after version {last}",
                m.name
            );
            let prefix: i64 = m.name.split('_').next().unwrap().parse().unwrap();
            assert_eq!(prefix, m.version, "{}", m.name);
            last = m.version;
        }
    }

    #[test]
    fn edited_migration_is_refused() {
        let applied = vec![Applied {
            version: 1,
            name: "0001_initial".into(),
            checksum: "0".into(),
        }];
        let err = plan(&applied).unwrap_err();
        assert!(
            matches!(err, StoreError::Migration { ref name, .. } if name == "0001_initial"),
            "{err}"
        );
    }

    #[test]
    fn newer_database_is_refused() {
        let applied = vec![Applied {
            version: newest_known() + 1,
            name: "9999_future".into(),
            checksum: "x".into(),
        }];
        match plan(&applied) {
            Err(StoreError::NewerSchema { db, binary }) => {
                assert_eq!((db, binary), (newest_known() + 1, newest_known()));
            }
            other => panic!("expected NewerSchema, got {other:?}"),
        }
    }

    #[test]
    fn splits_statements_at_line_ending_semicolons() {
        let sql = "-- header; not a statement;\nCREATE TABLE a (\n  x TEXT -- a comment; inside\n);\n\nINSERT INTO a VALUES ('1;2');\n-- trailing comment\n";
        assert_eq!(
            statements(sql),
            vec![
                "-- header; not a statement;\nCREATE TABLE a (\n  x TEXT -- a comment; inside\n);",
                "INSERT INTO a VALUES ('1;2');",
            ]
        );
        assert_eq!(statements("SELECT 1"), vec!["SELECT 1"]);
    }

    #[test]
    fn every_migration_splits_into_statements() {
        for m in MIGRATIONS {
            let parts = statements(m.sql);
            assert!(parts.len() > 1, "{}", m.name);
            for p in parts {
                assert!(
                    p.ends_with(';'),
                    "{}: statement without terminator: {p}",
                    m.name
                );
            }
        }
    }

    #[test]
    fn checksum_notices_a_one_byte_change() {
        assert_ne!(
            checksum("CREATE TABLE a (x TEXT)"),
            checksum("CREATE TABLE a (y TEXT)")
        );
        assert_eq!(checksum(""), "cbf29ce484222325");
    }
}

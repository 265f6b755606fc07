//! Per-person data keys, wrapped by a master key.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Conn, DataKeyRow, StoreError};

const COLUMNS: &str = "id, subject, wrapped, master_key_id, created_at, destroyed_at";

fn from_row(r: &AnyRow) -> Result<DataKeyRow, sqlx::Error> {
    Ok(DataKeyRow {
        id: r.try_get("id")?,
        subject: r.try_get("subject")?,
        wrapped: r.try_get("wrapped")?,
        master_key_id: r.try_get("master_key_id")?,
        created_at: r.try_get("created_at")?,
        destroyed_at: r.try_get("destroyed_at")?,
    })
}

/// `Conflict` when the subject already has a key.
pub async fn insert(c: &mut Conn, key: &DataKeyRow) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO data_keys ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
    ))
    .bind(&key.id)
    .bind(&key.subject)
    .bind(&key.wrapped)
    .bind(&key.master_key_id)
    .bind(key.created_at)
    .bind(key.destroyed_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

pub async fn get(c: &mut Conn, id: &str) -> Result<Option<DataKeyRow>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM data_keys WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

pub async fn by_subject(c: &mut Conn, subject: &str) -> Result<Option<DataKeyRow>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM data_keys WHERE subject = $1"
    ))
    .bind(subject)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Up to `limit` live keys still wrapped by `master_key_id`, by id. Re-wrapping a batch
/// under the new master key takes it out of this list, so calling again until it comes
/// back empty walks every key once, whatever else is being written meanwhile.
pub async fn list_wrapped_by(
    c: &mut Conn,
    master_key_id: &str,
    limit: i64,
) -> Result<Vec<DataKeyRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM data_keys WHERE master_key_id = $1 AND destroyed_at IS NULL ORDER BY id LIMIT $2"
    ))
    .bind(master_key_id)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Stores the key re-wrapped under another master key. `NotFound` for an unknown id;
/// `Conflict` for a destroyed key, which must stay unrecoverable.
pub async fn update_wrapped(
    c: &mut Conn,
    id: &str,
    wrapped: &[u8],
    master_key_id: &str,
) -> Result<(), StoreError> {
    let result = sqlx::query(
        "UPDATE data_keys SET wrapped = $2, master_key_id = $3 WHERE id = $1 AND destroyed_at IS NULL",
    )
    .bind(id)
    .bind(wrapped)
    .bind(master_key_id)
    .execute(&mut *c)
    .await?;
    if result.rows_affected() == 0 {
        return Err(match get(c, id).await? {
            Some(_) => StoreError::Conflict {
                what: "the data key has been destroyed".to_owned(),
            },
            None => StoreError::NotFound,
        });
    }
    Ok(())
}

/// Crypto-shredding: overwrites the wrapped key with nothing and records when. Every
/// field encrypted under this key becomes unreadable for good. Destroying twice keeps
/// the first time. `NotFound` for an unknown id.
pub async fn destroy(c: &mut Conn, id: &str, at: i64) -> Result<(), StoreError> {
    let result = sqlx::query(
        "UPDATE data_keys SET wrapped = $2, destroyed_at = COALESCE(destroyed_at, $3) WHERE id = $1",
    )
    .bind(id)
    .bind(Vec::<u8>::new())
    .bind(at)
    .execute(&mut *c)
    .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// How many live keys each master key wraps, by master key id (shows rotation progress).
pub async fn count_by_master(c: &mut Conn) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT master_key_id, count(*) AS n FROM data_keys WHERE destroyed_at IS NULL \
         GROUP BY master_key_id ORDER BY master_key_id",
    )
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.try_get("master_key_id")?, r.try_get("n")?)))
        .collect::<Result<_, sqlx::Error>>()?)
}

//! Server-side login sessions, shared by every `fanguai serve` process on the database.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Conn, SessionRow, StoreError};

const COLUMNS: &str =
    "id_hash, user_id, stage, csrf_token, lang, created_at, last_seen, ip, user_agent";

fn from_row(r: &AnyRow) -> Result<SessionRow, sqlx::Error> {
    Ok(SessionRow {
        id_hash: r.try_get("id_hash")?,
        user_id: r.try_get("user_id")?,
        stage: r.try_get("stage")?,
        csrf_token: r.try_get("csrf_token")?,
        lang: r.try_get("lang")?,
        created_at: r.try_get("created_at")?,
        last_seen: r.try_get("last_seen")?,
        ip: r.try_get("ip")?,
        user_agent: r.try_get("user_agent")?,
    })
}

pub async fn insert(c: &mut Conn, session: &SessionRow) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO sessions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    ))
    .bind(&session.id_hash)
    .bind(&session.user_id)
    .bind(&session.stage)
    .bind(&session.csrf_token)
    .bind(&session.lang)
    .bind(session.created_at)
    .bind(session.last_seen)
    .bind(&session.ip)
    .bind(&session.user_agent)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

pub async fn get(c: &mut Conn, id_hash: &str) -> Result<Option<SessionRow>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM sessions WHERE id_hash = $1"
    ))
    .bind(id_hash)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Records activity. `NotFound` when the session is gone (logged out or expired).
pub async fn touch(c: &mut Conn, id_hash: &str, last_seen: i64) -> Result<(), StoreError> {
    let result = sqlx::query("UPDATE sessions SET last_seen = $2 WHERE id_hash = $1")
        .bind(id_hash)
        .bind(last_seen)
        .execute(&mut *c)
        .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Replaces everything but `id_hash` and `created_at` (e.g. stage after the second
/// factor, a new CSRF token, the language). `NotFound` when the session is gone.
pub async fn update(c: &mut Conn, session: &SessionRow) -> Result<(), StoreError> {
    let result = sqlx::query(
        "UPDATE sessions SET user_id = $2, stage = $3, csrf_token = $4, lang = $5, last_seen = $6, \
         ip = $7, user_agent = $8 WHERE id_hash = $1",
    )
    .bind(&session.id_hash)
    .bind(&session.user_id)
    .bind(&session.stage)
    .bind(&session.csrf_token)
    .bind(&session.lang)
    .bind(session.last_seen)
    .bind(&session.ip)
    .bind(&session.user_agent)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Returns whether the session existed; deleting twice is not an error (double logout).
pub async fn delete(c: &mut Conn, id_hash: &str) -> Result<bool, StoreError> {
    let result = sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(&mut *c)
        .await?;
    Ok(result.rows_affected() > 0)
}

/// Ends every session of a user (password change, account disabled); returns how many.
pub async fn delete_for_user(c: &mut Conn, user_id: &str) -> Result<u64, StoreError> {
    let result = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *c)
        .await?;
    Ok(result.rows_affected())
}

/// Removes sessions last seen strictly before `idle_before`; returns how many.
pub async fn delete_expired(c: &mut Conn, idle_before: i64) -> Result<u64, StoreError> {
    let result = sqlx::query("DELETE FROM sessions WHERE last_seen < $1")
        .bind(idle_before)
        .execute(&mut *c)
        .await?;
    Ok(result.rows_affected())
}

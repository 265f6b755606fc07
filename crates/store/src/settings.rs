//! Small named values the system keeps about itself (e.g. when the demo data was made).

use sqlx::Row;

use crate::{Conn, StoreError};

pub async fn get(c: &mut Conn, key: &str) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT value FROM settings WHERE name = $1")
        .bind(key)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.map(|r| r.try_get("value")).transpose()?)
}

/// Creates or replaces the value.
pub async fn set(c: &mut Conn, key: &str, value: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO settings (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(&mut *c)
    .await?;
    Ok(())
}

//! Member units of the joint conference.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Conn, StoreError, UnitRow, flag, flag_value};

const COLUMNS: &str =
    "id, name_zh, name_en, duties_zh, duties_en, is_lead, sort_order, liaison_user_id, created_at";

fn from_row(r: &AnyRow) -> Result<UnitRow, sqlx::Error> {
    Ok(UnitRow {
        id: r.try_get("id")?,
        name_zh: r.try_get("name_zh")?,
        name_en: r.try_get("name_en")?,
        duties_zh: r.try_get("duties_zh")?,
        duties_en: r.try_get("duties_en")?,
        is_lead: flag(r.try_get("is_lead")?),
        sort_order: r.try_get("sort_order")?,
        liaison_user_id: r.try_get("liaison_user_id")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn insert(c: &mut Conn, unit: &UnitRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO units (id, name_zh, name_en, duties_zh, duties_en, is_lead, sort_order, liaison_user_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&unit.id)
    .bind(&unit.name_zh)
    .bind(&unit.name_en)
    .bind(&unit.duties_zh)
    .bind(&unit.duties_en)
    .bind(flag_value(unit.is_lead))
    .bind(unit.sort_order)
    .bind(&unit.liaison_user_id)
    .bind(unit.created_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

pub async fn get(c: &mut Conn, id: &str) -> Result<Option<UnitRow>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM units WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// All units in their display order (`sort_order`, then id for equal orders).
pub async fn list(c: &mut Conn) -> Result<Vec<UnitRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM units ORDER BY sort_order, id"
    ))
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Sets or clears the unit's liaison. `NotFound` when the unit, or the given user, does
/// not exist.
pub async fn set_liaison(
    c: &mut Conn,
    unit_id: &str,
    user_id: Option<&str>,
) -> Result<(), StoreError> {
    let result = match user_id {
        Some(user_id) => {
            sqlx::query(
                "UPDATE units SET liaison_user_id = $2 \
                 WHERE id = $1 AND EXISTS (SELECT 1 FROM users WHERE users.id = $2)",
            )
            .bind(unit_id)
            .bind(user_id)
            .execute(&mut *c)
            .await?
        }
        None => {
            sqlx::query("UPDATE units SET liaison_user_id = NULL WHERE id = $1")
                .bind(unit_id)
                .execute(&mut *c)
                .await?
        }
    };
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

//! User accounts.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Conn, StoreError, UserRow, flag, flag_value};

const COLUMNS: &str = "id, username, unit_id, roles, display_name_enc, phone_enc, phone_bidx, data_key_id, \
     password_hash, must_change_password, totp_secret_enc, totp_enrolled, totp_last_step, disabled, \
     failed_logins, locked_until, created_at, updated_at";

/// Joins roles into the stored comma list, refusing names the list could not give back.
fn encode_roles(roles: &[String]) -> Result<String, StoreError> {
    for role in roles {
        if role.is_empty() || role.contains(',') || role.trim() != role {
            return Err(StoreError::Invalid {
                field: "users.roles",
                reason: format!(
                    "role {role:?} must be non-empty, without commas or surrounding spaces"
                ),
            });
        }
    }
    Ok(roles.join(","))
}

fn decode_roles(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect()
}

fn from_row(r: &AnyRow) -> Result<UserRow, sqlx::Error> {
    Ok(UserRow {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        unit_id: r.try_get("unit_id")?,
        roles: decode_roles(&r.try_get::<String, _>("roles")?),
        display_name_enc: r.try_get("display_name_enc")?,
        phone_enc: r.try_get("phone_enc")?,
        phone_bidx: r.try_get("phone_bidx")?,
        data_key_id: r.try_get("data_key_id")?,
        password_hash: r.try_get("password_hash")?,
        must_change_password: flag(r.try_get("must_change_password")?),
        totp_secret_enc: r.try_get("totp_secret_enc")?,
        totp_enrolled: flag(r.try_get("totp_enrolled")?),
        totp_last_step: r.try_get("totp_last_step")?,
        disabled: flag(r.try_get("disabled")?),
        failed_logins: r.try_get("failed_logins")?,
        locked_until: r.try_get("locked_until")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// `Conflict` ("username already exists") when the username is taken; `Conflict` too when
/// the unit does not exist.
pub async fn insert(c: &mut Conn, user: &UserRow) -> Result<(), StoreError> {
    let roles = encode_roles(&user.roles)?;
    sqlx::query(&format!(
        "INSERT INTO users ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
    ))
    .bind(&user.id)
    .bind(&user.username)
    .bind(&user.unit_id)
    .bind(roles)
    .bind(&user.display_name_enc)
    .bind(&user.phone_enc)
    .bind(&user.phone_bidx)
    .bind(&user.data_key_id)
    .bind(&user.password_hash)
    .bind(flag_value(user.must_change_password))
    .bind(&user.totp_secret_enc)
    .bind(flag_value(user.totp_enrolled))
    .bind(user.totp_last_step)
    .bind(flag_value(user.disabled))
    .bind(user.failed_logins)
    .bind(user.locked_until)
    .bind(user.created_at)
    .bind(user.updated_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

pub async fn get(c: &mut Conn, id: &str) -> Result<Option<UserRow>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Exact, case-sensitive match: usernames are compared as stored.
pub async fn by_username(c: &mut Conn, username: &str) -> Result<Option<UserRow>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE username = $1"))
        .bind(username)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// All users, by username.
pub async fn list(c: &mut Conn) -> Result<Vec<UserRow>, StoreError> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM users ORDER BY username"))
        .fetch_all(&mut *c)
        .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// The users of one unit, by username.
pub async fn list_by_unit(c: &mut Conn, unit_id: &str) -> Result<Vec<UserRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM users WHERE unit_id = $1 ORDER BY username"
    ))
    .bind(unit_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Replaces every column but `id` and `created_at` with the given row's values; the
/// caller sets `updated_at`. `NotFound` when no user has this id.
pub async fn update(c: &mut Conn, user: &UserRow) -> Result<(), StoreError> {
    let roles = encode_roles(&user.roles)?;
    let result = sqlx::query(
        "UPDATE users SET username = $2, unit_id = $3, roles = $4, display_name_enc = $5, phone_enc = $6, \
         phone_bidx = $7, data_key_id = $8, password_hash = $9, must_change_password = $10, \
         totp_secret_enc = $11, totp_enrolled = $12, totp_last_step = $13, disabled = $14, \
         failed_logins = $15, locked_until = $16, updated_at = $17 \
         WHERE id = $1",
    )
    .bind(&user.id)
    .bind(&user.username)
    .bind(&user.unit_id)
    .bind(roles)
    .bind(&user.display_name_enc)
    .bind(&user.phone_enc)
    .bind(&user.phone_bidx)
    .bind(&user.data_key_id)
    .bind(&user.password_hash)
    .bind(flag_value(user.must_change_password))
    .bind(&user.totp_secret_enc)
    .bind(flag_value(user.totp_enrolled))
    .bind(user.totp_last_step)
    .bind(flag_value(user.disabled))
    .bind(user.failed_logins)
    .bind(user.locked_until)
    .bind(user.updated_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn count(c: &mut Conn) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT count(*) AS n FROM users")
        .fetch_one(&mut *c)
        .await?;
    Ok(row.try_get("n")?)
}

/// Stores the failed-login counter and lock-out the caller decided on; a successful
/// login passes `0` and `None`.
pub async fn record_failed_login(
    c: &mut Conn,
    id: &str,
    failed: i64,
    locked_until: Option<i64>,
) -> Result<(), StoreError> {
    let result =
        sqlx::query("UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1")
            .bind(id)
            .bind(failed)
            .bind(locked_until)
            .execute(&mut *c)
            .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_the_comma_list() {
        let roles = vec!["investigator".to_owned(), "liaison".to_owned()];
        assert_eq!(decode_roles(&encode_roles(&roles).unwrap()), roles);
        assert_eq!(
            decode_roles(&encode_roles(&[]).unwrap()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn role_with_comma_is_refused() {
        let err = encode_roles(&["a,b".to_owned()]).unwrap_err();
        assert!(err.to_string().contains("users.roles"), "{err}");
        assert!(encode_roles(&[String::new()]).is_err());
        assert!(encode_roles(&[" admin".to_owned()]).is_err());
    }
}

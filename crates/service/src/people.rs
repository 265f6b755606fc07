//! Personal fields of staff accounts: sealed with a data key of their own, wrapped by the
//! master key. The same mechanism carries victims, reporters and suspects.

use fanguai_store::{Conn, data_keys};
use fanguai_store::{DataKeyRow, UserRow};
use fanguai_vault::envelope::{DataKey, FieldAad};
use fanguai_vault::totp::TotpSecret;

use crate::app::App;
use crate::error::{Result, ServiceError};

pub(crate) fn user_subject(user_id: &str) -> String {
    format!("user:{user_id}")
}

/// Creates and stores the data key of a new subject; returns its id and the key.
pub(crate) async fn new_key(c: &mut Conn, app: &App, subject: &str) -> Result<(String, DataKey)> {
    let ring = app.ring();
    let key = DataKey::generate();
    let wrapped = ring.wrap(&key, subject);
    let id = uuid::Uuid::now_v7().to_string();
    data_keys::insert(
        c,
        &DataKeyRow {
            id: id.clone(),
            subject: subject.to_string(),
            wrapped: wrapped.to_bytes(),
            master_key_id: ring.current_id().to_string(),
            created_at: app.now_ms(),
            destroyed_at: None,
        },
    )
    .await?;
    Ok((id, key))
}

/// The data key of a subject. A destroyed key (crypto-shredded) yields `Gone`.
pub(crate) async fn key_of(c: &mut Conn, app: &App, key_id: &str) -> Result<DataKey> {
    let row = data_keys::get(c, key_id)
        .await?
        .ok_or(ServiceError::NotFound("data key"))?;
    if row.destroyed_at.is_some() {
        return Err(ServiceError::NotFound("data key destroyed"));
    }
    let wrapped = fanguai_vault::envelope::WrappedKey::from_bytes(&row.wrapped)?;
    match app.ring().unwrap(&wrapped, &row.subject) {
        // Another process rotated the master key and re-wrapped this data key.
        Err(fanguai_vault::VaultError::UnknownMasterKey { .. }) if app.refresh_ring()? => {
            Ok(app.ring().unwrap(&wrapped, &row.subject)?)
        }
        other => Ok(other?),
    }
}

/// Seals one field of any table; the associated data binds it to table, column and row.
pub(crate) fn seal_field(
    key: &DataKey,
    table: &str,
    column: &str,
    row_id: &str,
    value: &[u8],
) -> Vec<u8> {
    key.seal(value, &FieldAad::new(table, column, row_id))
}

/// Opens a field sealed by [`seal_field`] for the same table, column and row.
pub(crate) fn open_field(
    key: &DataKey,
    table: &str,
    column: &str,
    row_id: &str,
    sealed: &[u8],
) -> Result<fanguai_vault::Zeroizing<Vec<u8>>> {
    Ok(key.open(sealed, &FieldAad::new(table, column, row_id))?)
}

pub(crate) fn seal(key: &DataKey, column: &str, user_id: &str, value: &str) -> Result<Vec<u8>> {
    Ok(seal_field(key, "users", column, user_id, value.as_bytes()))
}

pub(crate) fn open(key: &DataKey, column: &str, user_id: &str, sealed: &[u8]) -> Result<String> {
    let plain = open_field(key, "users", column, user_id, sealed)?;
    String::from_utf8(plain.to_vec()).map_err(ServiceError::internal)
}

pub(crate) async fn open_display_name(c: &mut Conn, app: &App, user: &UserRow) -> Result<String> {
    let key = key_of(c, app, &user.data_key_id).await?;
    open(&key, "display_name", &user.id, &user.display_name_enc)
}

pub(crate) async fn open_phone(c: &mut Conn, app: &App, user: &UserRow) -> Result<Option<String>> {
    let Some(enc) = &user.phone_enc else {
        return Ok(None);
    };
    let key = key_of(c, app, &user.data_key_id).await?;
    open(&key, "phone", &user.id, enc).map(Some)
}

pub(crate) async fn seal_totp(
    c: &mut Conn,
    app: &App,
    user: &UserRow,
    secret: &TotpSecret,
) -> Result<Vec<u8>> {
    let key = key_of(c, app, &user.data_key_id).await?;
    seal(&key, "totp_secret", &user.id, secret.to_base32().expose())
}

pub(crate) async fn open_totp(
    c: &mut Conn,
    app: &App,
    user: &UserRow,
    sealed: &[u8],
) -> Result<TotpSecret> {
    let key = key_of(c, app, &user.data_key_id).await?;
    let b32 = open(&key, "totp_secret", &user.id, sealed)?;
    TotpSecret::from_base32(&b32).map_err(ServiceError::internal)
}

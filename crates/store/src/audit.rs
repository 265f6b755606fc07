//! The audit log: an append-only, hash-chained list of events.
//!
//! Each event stores the hash of the one before it (`prev_hash`) and its own `hash`,
//! computed by the caller's hasher (the vault owns the hash function). The single row
//! of `audit_head` holds the last seq and hash; every append updates that row *first*,
//! so concurrent appends queue on its lock and each sees the head its predecessor
//! committed. An event is written in the same transaction as the change it records.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Connection, Row};

use crate::{AuditEventRow, Conn, StoreError};

/// An event to append; `seq`, `prev_hash` and `hash` are assigned by [`append`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewAuditEvent {
    pub at: i64,
    pub request_id: String,
    pub actor_user_id: Option<String>,
    pub actor_username: String,
    pub actor_unit: String,
    pub actor_role: String,
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    pub purpose: String,
    pub outcome: String,
    pub detail: String,
}

/// Which events to list or count. Every `Some` narrows the result; `None` matches all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The acting user, by id or by username: an auditor may know either, and the
    /// username recorded at the time still finds events of an account renamed since.
    pub user: Option<String>,
    /// The acting user's unit (`actor_unit`).
    pub unit: Option<String>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub action: Option<String>,
    /// Events at or after this time (unix ms).
    pub from: Option<i64>,
    /// Events strictly before this time (unix ms).
    pub to: Option<i64>,
    /// At most this many events (`list` only); 0 or less lists all.
    pub limit: i64,
    /// Skips this many of the newest events (`list` only).
    pub offset: i64,
}

const COLUMNS: &str = "seq, at, request_id, actor_user_id, actor_username, actor_unit, actor_role, action, \
     record_type, record_id, purpose, outcome, detail, prev_hash, hash";

fn from_row(r: &AnyRow) -> Result<AuditEventRow, sqlx::Error> {
    Ok(AuditEventRow {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        request_id: r.try_get("request_id")?,
        actor_user_id: r.try_get("actor_user_id")?,
        actor_username: r.try_get("actor_username")?,
        actor_unit: r.try_get("actor_unit")?,
        actor_role: r.try_get("actor_role")?,
        action: r.try_get("action")?,
        record_type: r.try_get("record_type")?,
        record_id: r.try_get("record_id")?,
        purpose: r.try_get("purpose")?,
        outcome: r.try_get("outcome")?,
        detail: r.try_get("detail")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// Appends `ev` as the next link of the chain and returns it as stored.
///
/// `hasher(prev_hash, event)` receives the event with `seq` and `prev_hash` filled in
/// and `hash` empty, and returns the event's hash. Called on a [`crate::Tx`], the event
/// commits or rolls back with the change it records; called on a plain connection, it
/// runs in a transaction of its own.
pub async fn append(
    c: &mut Conn,
    ev: NewAuditEvent,
    hasher: impl Fn(&str, &AuditEventRow) -> String,
) -> Result<AuditEventRow, StoreError> {
    if c.is_in_transaction() {
        append_in_tx(c, ev, &hasher).await
    } else {
        let mut tx = c.begin().await?;
        let row = append_in_tx(&mut tx, ev, &hasher).await?;
        tx.commit().await?;
        Ok(row)
    }
}

async fn append_in_tx(
    c: &mut Conn,
    ev: NewAuditEvent,
    hasher: &impl Fn(&str, &AuditEventRow) -> String,
) -> Result<AuditEventRow, StoreError> {
    // Writing before reading: on PostgreSQL the UPDATE waits for any other appender's
    // commit and then returns the head that one left; on SQLite the write lock is taken
    // here at the latest, never upgraded from a read lock.
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *c)
        .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev_hash: String = head.try_get("hash")?;

    let mut row = AuditEventRow {
        seq,
        at: ev.at,
        request_id: ev.request_id,
        actor_user_id: ev.actor_user_id,
        actor_username: ev.actor_username,
        actor_unit: ev.actor_unit,
        actor_role: ev.actor_role,
        action: ev.action,
        record_type: ev.record_type,
        record_id: ev.record_id,
        purpose: ev.purpose,
        outcome: ev.outcome,
        detail: ev.detail,
        prev_hash,
        hash: String::new(),
    };
    row.hash = hasher(&row.prev_hash, &row);

    sqlx::query(&format!(
        "INSERT INTO audit_events ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    ))
    .bind(row.seq)
    .bind(row.at)
    .bind(&row.request_id)
    .bind(&row.actor_user_id)
    .bind(&row.actor_username)
    .bind(&row.actor_unit)
    .bind(&row.actor_role)
    .bind(&row.action)
    .bind(&row.record_type)
    .bind(&row.record_id)
    .bind(&row.purpose)
    .bind(&row.outcome)
    .bind(&row.detail)
    .bind(&row.prev_hash)
    .bind(&row.hash)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;

    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&row.hash)
        .execute(&mut *c)
        .await?;
    Ok(row)
}

enum Param {
    Text(String),
    Int(i64),
}

/// Builds the WHERE clause for a filter, numbering placeholders from `$1`.
fn where_clause(f: &AuditFilter) -> (String, Vec<Param>) {
    let mut conditions: Vec<String> = Vec::new();
    let mut params = Vec::new();
    let mut add = |template: &str, value: Param| {
        params.push(value);
        conditions.push(template.replace("$n", &format!("${}", params.len())));
    };
    if let Some(user) = &f.user {
        add(
            "(actor_user_id = $n OR actor_username = $n)",
            Param::Text(user.clone()),
        );
    }
    let exact = [
        ("actor_unit = $n", &f.unit),
        ("record_type = $n", &f.record_type),
        ("record_id = $n", &f.record_id),
        ("action = $n", &f.action),
    ];
    for (template, value) in exact {
        if let Some(v) = value {
            add(template, Param::Text(v.clone()));
        }
    }
    if let Some(from) = f.from {
        add("at >= $n", Param::Int(from));
    }
    if let Some(to) = f.to {
        add("at < $n", Param::Int(to));
    }
    if conditions.is_empty() {
        (String::new(), params)
    } else {
        (format!(" WHERE {}", conditions.join(" AND ")), params)
    }
}

fn bind_all<'q>(
    mut query: Query<'q, Any, AnyArguments<'q>>,
    params: Vec<Param>,
) -> Query<'q, Any, AnyArguments<'q>> {
    for p in params {
        query = match p {
            Param::Text(v) => query.bind(v),
            Param::Int(v) => query.bind(v),
        };
    }
    query
}

/// Matching events, newest first.
pub async fn list(c: &mut Conn, filter: &AuditFilter) -> Result<Vec<AuditEventRow>, StoreError> {
    let (clause, mut params) = where_clause(filter);
    let mut sql = format!("SELECT {COLUMNS} FROM audit_events{clause} ORDER BY seq DESC");
    // Both backends accept LIMIT/OFFSET; a missing limit is written as "all rows" with
    // the largest BIGINT, which neither backend treats specially.
    params.push(Param::Int(if filter.limit > 0 {
        filter.limit
    } else {
        i64::MAX
    }));
    sql.push_str(&format!(" LIMIT ${}", params.len()));
    params.push(Param::Int(filter.offset.max(0)));
    sql.push_str(&format!(" OFFSET ${}", params.len()));
    let rows = bind_all(sqlx::query(&sql), params)
        .fetch_all(&mut *c)
        .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// How many events match, ignoring `limit` and `offset`.
pub async fn count(c: &mut Conn, filter: &AuditFilter) -> Result<i64, StoreError> {
    let (clause, params) = where_clause(filter);
    let sql = format!("SELECT count(*) AS n FROM audit_events{clause}");
    let row = bind_all(sqlx::query(&sql), params)
        .fetch_one(&mut *c)
        .await?;
    Ok(row.try_get("n")?)
}

/// Up to `limit` events with `seq > after_seq`, oldest first: verification walks the
/// chain in batches, passing the last seq it saw.
pub async fn scan(
    c: &mut Conn,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<AuditEventRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
    ))
    .bind(after_seq)
    .bind(limit.max(0))
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// The last appended seq and hash; `(0, "000…0")` before the first event.
pub async fn head(c: &mut Conn) -> Result<(i64, String), StoreError> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *c)
        .await?;
    Ok((row.try_get("seq")?, row.try_get("hash")?))
}

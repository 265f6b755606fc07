//! Tips (举报线索): the tip rows, their blind indexes, history, photos, later additions
//! by the reporter, referrals and no-action reviews.
//!
//! Every `*_enc` column is ciphertext under the tip's data key; the store neither knows
//! nor checks what is inside. `Debug` of the rows shows ciphertext as its length only.

use std::fmt;

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Conn, StoreError, flag, flag_value};

/// The largest photo the store accepts (5 MiB), as the migration's check says too.
pub const MAX_PHOTO_BYTES: i64 = 5 * 1024 * 1024;

/// The states a tip row may hold (the domain's `TipStateKind` ids).
pub const STATES: &[&str] = &[
    "received",
    "acknowledged",
    "under_review",
    "no_action_pending",
    "decided",
];

/// Kinds of blind-indexed identifiers.
pub const IDENTIFIER_KINDS: &[&str] = &["phone", "plate", "account"];

struct Len<'a>(Option<&'a [u8]>);

impl fmt::Debug for Len<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(b) => write!(f, "<{} bytes>", b.len()),
            None => f.write_str("None"),
        }
    }
}

/// One tip as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct TipRow {
    pub id: String,
    pub tracking_code: String,
    pub secret_hash: String,
    pub source_kind: String,
    pub source_detail: Option<String>,
    pub owner_unit_id: String,
    pub division: String,
    pub occurred_date: String,
    pub occurred_time: Option<String>,
    /// JSON list of `{count, sex, age_band}`; no one is named in it.
    pub people_at_risk: String,
    pub child_involved: bool,
    pub immediate_danger: bool,
    pub urgency: String,
    pub received_at: i64,
    pub ack_deadline: i64,
    pub state: String,
    pub assignee_user_id: Option<String>,
    pub acknowledged_at: Option<i64>,
    pub escalated_at: Option<i64>,
    pub decision: Option<String>,
    pub case_ref: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub entered_by: Option<String>,
    pub data_key_id: String,
    pub what_happened_enc: Vec<u8>,
    pub address_enc: Option<Vec<u8>>,
    pub suspects_enc: Option<Vec<u8>>,
    pub vehicles_enc: Option<Vec<u8>>,
    pub phones_enc: Option<Vec<u8>>,
    pub accounts_enc: Option<Vec<u8>>,
    pub contact_enc: Option<Vec<u8>>,
    pub updated_at: i64,
}

impl fmt::Debug for TipRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TipRow")
            .field("id", &self.id)
            .field("tracking_code", &"***")
            .field("secret_hash", &"***")
            .field("source_kind", &self.source_kind)
            .field("owner_unit_id", &self.owner_unit_id)
            .field("division", &self.division)
            .field("urgency", &self.urgency)
            .field("received_at", &self.received_at)
            .field("ack_deadline", &self.ack_deadline)
            .field("state", &self.state)
            .field("assignee_user_id", &self.assignee_user_id)
            .field("escalated_at", &self.escalated_at)
            .field("decision", &self.decision)
            .field("what_happened_enc", &Len(Some(&self.what_happened_enc)))
            .field("contact_enc", &Len(self.contact_enc.as_deref()))
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, tracking_code, secret_hash, source_kind, source_detail, owner_unit_id, \
     division, occurred_date, occurred_time, people_at_risk, child_involved, immediate_danger, \
     urgency, received_at, ack_deadline, state, assignee_user_id, acknowledged_at, escalated_at, \
     decision, case_ref, decided_by, decided_at, entered_by, data_key_id, what_happened_enc, \
     address_enc, suspects_enc, vehicles_enc, phones_enc, accounts_enc, contact_enc, updated_at";

fn from_row(r: &AnyRow) -> Result<TipRow, sqlx::Error> {
    Ok(TipRow {
        id: r.try_get("id")?,
        tracking_code: r.try_get("tracking_code")?,
        secret_hash: r.try_get("secret_hash")?,
        source_kind: r.try_get("source_kind")?,
        source_detail: r.try_get("source_detail")?,
        owner_unit_id: r.try_get("owner_unit_id")?,
        division: r.try_get("division")?,
        occurred_date: r.try_get("occurred_date")?,
        occurred_time: r.try_get("occurred_time")?,
        people_at_risk: r.try_get("people_at_risk")?,
        child_involved: flag(r.try_get("child_involved")?),
        immediate_danger: flag(r.try_get("immediate_danger")?),
        urgency: r.try_get("urgency")?,
        received_at: r.try_get("received_at")?,
        ack_deadline: r.try_get("ack_deadline")?,
        state: r.try_get("state")?,
        assignee_user_id: r.try_get("assignee_user_id")?,
        acknowledged_at: r.try_get("acknowledged_at")?,
        escalated_at: r.try_get("escalated_at")?,
        decision: r.try_get("decision")?,
        case_ref: r.try_get("case_ref")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        entered_by: r.try_get("entered_by")?,
        data_key_id: r.try_get("data_key_id")?,
        what_happened_enc: r.try_get("what_happened_enc")?,
        address_enc: r.try_get("address_enc")?,
        suspects_enc: r.try_get("suspects_enc")?,
        vehicles_enc: r.try_get("vehicles_enc")?,
        phones_enc: r.try_get("phones_enc")?,
        accounts_enc: r.try_get("accounts_enc")?,
        contact_enc: r.try_get("contact_enc")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn check_state(state: &str) -> Result<(), StoreError> {
    if STATES.contains(&state) {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            field: "tips.state",
            reason: format!("{state:?} is not one of {}", STATES.join(", ")),
        })
    }
}

/// `Conflict` ("tracking code already exists") when the code is taken.
pub async fn insert(c: &mut Conn, t: &TipRow) -> Result<(), StoreError> {
    check_state(&t.state)?;
    let placeholders = (1..=33)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(&format!(
        "INSERT INTO tips ({COLUMNS}) VALUES ({placeholders})"
    ))
    .bind(&t.id)
    .bind(&t.tracking_code)
    .bind(&t.secret_hash)
    .bind(&t.source_kind)
    .bind(&t.source_detail)
    .bind(&t.owner_unit_id)
    .bind(&t.division)
    .bind(&t.occurred_date)
    .bind(&t.occurred_time)
    .bind(&t.people_at_risk)
    .bind(flag_value(t.child_involved))
    .bind(flag_value(t.immediate_danger))
    .bind(&t.urgency)
    .bind(t.received_at)
    .bind(t.ack_deadline)
    .bind(&t.state)
    .bind(&t.assignee_user_id)
    .bind(t.acknowledged_at)
    .bind(t.escalated_at)
    .bind(&t.decision)
    .bind(&t.case_ref)
    .bind(&t.decided_by)
    .bind(t.decided_at)
    .bind(&t.entered_by)
    .bind(&t.data_key_id)
    .bind(&t.what_happened_enc)
    .bind(&t.address_enc)
    .bind(&t.suspects_enc)
    .bind(&t.vehicles_enc)
    .bind(&t.phones_enc)
    .bind(&t.accounts_enc)
    .bind(&t.contact_enc)
    .bind(t.updated_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

pub async fn get(c: &mut Conn, id: &str) -> Result<Option<TipRow>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM tips WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

pub async fn by_tracking_code(c: &mut Conn, code: &str) -> Result<Option<TipRow>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM tips WHERE tracking_code = $1"
    ))
    .bind(code)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Writes the workflow columns (state, assignment, escalation, decision). The reporter's
/// content is never rewritten. `NotFound` when the tip does not exist.
pub async fn update_workflow(c: &mut Conn, t: &TipRow) -> Result<(), StoreError> {
    check_state(&t.state)?;
    let done = sqlx::query(
        "UPDATE tips SET state = $2, assignee_user_id = $3, acknowledged_at = $4, \
         escalated_at = $5, decision = $6, case_ref = $7, decided_by = $8, decided_at = $9, \
         updated_at = $10 WHERE id = $1",
    )
    .bind(&t.id)
    .bind(&t.state)
    .bind(&t.assignee_user_id)
    .bind(t.acknowledged_at)
    .bind(t.escalated_at)
    .bind(&t.decision)
    .bind(&t.case_ref)
    .bind(&t.decided_by)
    .bind(t.decided_at)
    .bind(t.updated_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Which tips a list shows. Every condition given must hold; an empty filter lists all.
#[derive(Debug, Clone, Default)]
pub struct TipFilter {
    /// Tips of this unit, or assigned to `or_assignee` (either suffices when both are set).
    pub owner_unit: Option<String>,
    pub or_assignee: Option<String>,
    pub state: Option<String>,
    /// Only tips still unacknowledged after their deadline at this time (unix ms).
    pub overdue_at: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// Tips matching `f`, most urgent deadline first among the undecided, then newest.
pub async fn list(c: &mut Conn, f: &TipFilter) -> Result<Vec<TipRow>, StoreError> {
    let mut sql = format!("SELECT {COLUMNS} FROM tips WHERE 1 = 1");
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    match (&f.owner_unit, &f.or_assignee) {
        (Some(_), Some(_)) => {
            sql.push_str(&format!(
                " AND (owner_unit_id = {} OR assignee_user_id = {})",
                next(),
                next()
            ));
        }
        (Some(_), None) => sql.push_str(&format!(" AND owner_unit_id = {}", next())),
        (None, Some(_)) => sql.push_str(&format!(" AND assignee_user_id = {}", next())),
        (None, None) => {}
    }
    if f.state.is_some() {
        sql.push_str(&format!(" AND state = {}", next()));
    }
    if f.overdue_at.is_some() {
        sql.push_str(&format!(
            " AND state = 'received' AND ack_deadline < {}",
            next()
        ));
    }
    sql.push_str(&format!(
        " ORDER BY CASE WHEN state = 'decided' THEN 1 ELSE 0 END, ack_deadline, received_at DESC, id \
         LIMIT {} OFFSET {}",
        next(),
        next()
    ));
    let mut q = sqlx::query(&sql);
    if let Some(u) = &f.owner_unit {
        q = q.bind(u);
    }
    if let Some(a) = &f.or_assignee {
        q = q.bind(a);
    }
    if let Some(s) = &f.state {
        q = q.bind(s);
    }
    if let Some(t) = f.overdue_at {
        q = q.bind(t);
    }
    let limit = if f.limit <= 0 { 500 } else { f.limit };
    q = q.bind(limit).bind(f.offset.max(0));
    let rows = q.fetch_all(&mut *c).await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Unacknowledged tips past their deadline that were not escalated yet.
pub async fn due_for_escalation(c: &mut Conn, now: i64) -> Result<Vec<TipRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM tips WHERE state = 'received' AND ack_deadline < $1 \
         AND escalated_at IS NULL ORDER BY ack_deadline, id"
    ))
    .bind(now)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Marks a tip escalated unless another process did first; returns whether this call did.
pub async fn mark_escalated(c: &mut Conn, id: &str, at: i64) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE tips SET escalated_at = $2, updated_at = $2 WHERE id = $1 AND escalated_at IS NULL",
    )
    .bind(id)
    .bind(at)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Undecided tips in `division` received in `[from, to]`, for duplicate checks.
pub async fn open_in_division(
    c: &mut Conn,
    division: &str,
    from: i64,
    to: i64,
) -> Result<Vec<TipRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM tips WHERE division = $1 AND received_at >= $2 \
         AND received_at <= $3 AND state <> 'decided' ORDER BY received_at, id"
    ))
    .bind(division)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Stores the blind indexes of a tip's identifiers; repeats are kept once.
pub async fn add_identifier(
    c: &mut Conn,
    tip_id: &str,
    kind: &str,
    bidx: &str,
) -> Result<(), StoreError> {
    if !IDENTIFIER_KINDS.contains(&kind) {
        return Err(StoreError::Invalid {
            field: "tip_identifiers.kind",
            reason: format!("{kind:?} is not one of {}", IDENTIFIER_KINDS.join(", ")),
        });
    }
    sqlx::query(
        "INSERT INTO tip_identifiers (tip_id, kind, bidx) VALUES ($1, $2, $3) \
         ON CONFLICT (tip_id, kind, bidx) DO NOTHING",
    )
    .bind(tip_id)
    .bind(kind)
    .bind(bidx)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

/// Ids of undecided tips other than `except` sharing any of `(kind, bidx)`.
pub async fn open_sharing_identifiers(
    c: &mut Conn,
    except: &str,
    identifiers: &[(String, String)],
) -> Result<Vec<String>, StoreError> {
    let mut out: Vec<String> = Vec::new();
    for (kind, bidx) in identifiers {
        let rows = sqlx::query(
            "SELECT DISTINCT i.tip_id FROM tip_identifiers i JOIN tips t ON t.id = i.tip_id \
             WHERE i.kind = $1 AND i.bidx = $2 AND i.tip_id <> $3 AND t.state <> 'decided'",
        )
        .bind(kind)
        .bind(bidx)
        .bind(except)
        .fetch_all(&mut *c)
        .await?;
        for r in rows {
            let id: String = r.try_get("tip_id")?;
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The identifiers of one tip, as `(kind, bidx)`.
pub async fn identifiers_of(
    c: &mut Conn,
    tip_id: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    let rows =
        sqlx::query("SELECT kind, bidx FROM tip_identifiers WHERE tip_id = $1 ORDER BY kind, bidx")
            .bind(tip_id)
            .fetch_all(&mut *c)
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("kind")?, r.try_get("bidx")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

/// One entry of a tip's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipEventRow {
    pub id: String,
    pub tip_id: String,
    pub at: i64,
    pub actor_user_id: Option<String>,
    pub kind: String,
    pub detail: String,
}

pub async fn add_event(c: &mut Conn, e: &TipEventRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO tip_events (id, tip_id, at, actor_user_id, kind, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&e.id)
    .bind(&e.tip_id)
    .bind(e.at)
    .bind(&e.actor_user_id)
    .bind(&e.kind)
    .bind(&e.detail)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

/// A tip's history, oldest first.
pub async fn events(c: &mut Conn, tip_id: &str) -> Result<Vec<TipEventRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, tip_id, at, actor_user_id, kind, detail FROM tip_events \
         WHERE tip_id = $1 ORDER BY at, id",
    )
    .bind(tip_id)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TipEventRow {
                id: r.try_get("id")?,
                tip_id: r.try_get("tip_id")?,
                at: r.try_get("at")?,
                actor_user_id: r.try_get("actor_user_id")?,
                kind: r.try_get("kind")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

/// A photo, sealed after its metadata was removed.
#[derive(Clone, PartialEq, Eq)]
pub struct TipPhotoRow {
    pub id: String,
    pub tip_id: String,
    pub position: i64,
    pub content_type: String,
    pub size_bytes: i64,
    pub photo_enc: Vec<u8>,
    pub created_at: i64,
}

impl fmt::Debug for TipPhotoRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TipPhotoRow")
            .field("id", &self.id)
            .field("tip_id", &self.tip_id)
            .field("position", &self.position)
            .field("content_type", &self.content_type)
            .field("size_bytes", &self.size_bytes)
            .field("photo_enc", &Len(Some(&self.photo_enc)))
            .finish()
    }
}

/// `Invalid` for a size outside 1 byte … 5 MiB; the database checks it as well.
pub async fn add_photo(c: &mut Conn, p: &TipPhotoRow) -> Result<(), StoreError> {
    if p.size_bytes <= 0 || p.size_bytes > MAX_PHOTO_BYTES {
        return Err(StoreError::Invalid {
            field: "tip_photos.size_bytes",
            reason: format!("{} bytes is outside 1 … {MAX_PHOTO_BYTES}", p.size_bytes),
        });
    }
    sqlx::query(
        "INSERT INTO tip_photos (id, tip_id, position, content_type, size_bytes, photo_enc, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&p.id)
    .bind(&p.tip_id)
    .bind(p.position)
    .bind(&p.content_type)
    .bind(p.size_bytes)
    .bind(&p.photo_enc)
    .bind(p.created_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

const PHOTO_COLUMNS: &str = "id, tip_id, position, content_type, size_bytes, photo_enc, created_at";

fn photo_from_row(r: &AnyRow) -> Result<TipPhotoRow, sqlx::Error> {
    Ok(TipPhotoRow {
        id: r.try_get("id")?,
        tip_id: r.try_get("tip_id")?,
        position: r.try_get("position")?,
        content_type: r.try_get("content_type")?,
        size_bytes: r.try_get("size_bytes")?,
        photo_enc: r.try_get("photo_enc")?,
        created_at: r.try_get("created_at")?,
    })
}

/// A tip's photos in order.
pub async fn photos(c: &mut Conn, tip_id: &str) -> Result<Vec<TipPhotoRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {PHOTO_COLUMNS} FROM tip_photos WHERE tip_id = $1 ORDER BY position"
    ))
    .bind(tip_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(photo_from_row).collect::<Result<_, _>>()?)
}

/// Something the reporter added with code and secret.
#[derive(Clone, PartialEq, Eq)]
pub struct TipAdditionRow {
    pub id: String,
    pub tip_id: String,
    pub at: i64,
    pub text_enc: Vec<u8>,
}

impl fmt::Debug for TipAdditionRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TipAdditionRow")
            .field("id", &self.id)
            .field("tip_id", &self.tip_id)
            .field("at", &self.at)
            .field("text_enc", &Len(Some(&self.text_enc)))
            .finish()
    }
}

pub async fn add_addition(c: &mut Conn, a: &TipAdditionRow) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO tip_additions (id, tip_id, at, text_enc) VALUES ($1, $2, $3, $4)")
        .bind(&a.id)
        .bind(&a.tip_id)
        .bind(a.at)
        .bind(&a.text_enc)
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_statement)?;
    Ok(())
}

pub async fn additions(c: &mut Conn, tip_id: &str) -> Result<Vec<TipAdditionRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, tip_id, at, text_enc FROM tip_additions WHERE tip_id = $1 ORDER BY at, id",
    )
    .bind(tip_id)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TipAdditionRow {
                id: r.try_get("id")?,
                tip_id: r.try_get("tip_id")?,
                at: r.try_get("at")?,
                text_enc: r.try_get("text_enc")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

/// A tip referred to another unit. One per tip: a tip is decided once.
#[derive(Clone, PartialEq, Eq)]
pub struct TipReferralRow {
    pub tip_id: String,
    pub to_unit_id: String,
    pub reason_enc: Vec<u8>,
    pub referred_by: String,
    pub referred_at: i64,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<i64>,
}

impl fmt::Debug for TipReferralRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TipReferralRow")
            .field("tip_id", &self.tip_id)
            .field("to_unit_id", &self.to_unit_id)
            .field("reason_enc", &Len(Some(&self.reason_enc)))
            .field("referred_by", &self.referred_by)
            .field("referred_at", &self.referred_at)
            .field("acknowledged_by", &self.acknowledged_by)
            .field("acknowledged_at", &self.acknowledged_at)
            .finish()
    }
}

const REFERRAL_COLUMNS: &str =
    "tip_id, to_unit_id, reason_enc, referred_by, referred_at, acknowledged_by, acknowledged_at";

fn referral_from_row(r: &AnyRow) -> Result<TipReferralRow, sqlx::Error> {
    Ok(TipReferralRow {
        tip_id: r.try_get("tip_id")?,
        to_unit_id: r.try_get("to_unit_id")?,
        reason_enc: r.try_get("reason_enc")?,
        referred_by: r.try_get("referred_by")?,
        referred_at: r.try_get("referred_at")?,
        acknowledged_by: r.try_get("acknowledged_by")?,
        acknowledged_at: r.try_get("acknowledged_at")?,
    })
}

/// `Conflict` when the tip was referred already.
pub async fn insert_referral(c: &mut Conn, r: &TipReferralRow) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO tip_referrals ({REFERRAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))
    .bind(&r.tip_id)
    .bind(&r.to_unit_id)
    .bind(&r.reason_enc)
    .bind(&r.referred_by)
    .bind(r.referred_at)
    .bind(&r.acknowledged_by)
    .bind(r.acknowledged_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

pub async fn referral(c: &mut Conn, tip_id: &str) -> Result<Option<TipReferralRow>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {REFERRAL_COLUMNS} FROM tip_referrals WHERE tip_id = $1"
    ))
    .bind(tip_id)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.as_ref().map(referral_from_row).transpose()?)
}

/// Records the receiving unit's acknowledgement once; returns whether this call did.
pub async fn acknowledge_referral(
    c: &mut Conn,
    tip_id: &str,
    by: &str,
    at: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE tip_referrals SET acknowledged_by = $2, acknowledged_at = $3 \
         WHERE tip_id = $1 AND acknowledged_at IS NULL",
    )
    .bind(tip_id)
    .bind(by)
    .bind(at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(done.rows_affected() == 1)
}

/// Referrals to a unit, unacknowledged first, then newest.
pub async fn referrals_to(c: &mut Conn, unit_id: &str) -> Result<Vec<TipReferralRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {REFERRAL_COLUMNS} FROM tip_referrals WHERE to_unit_id = $1 \
         ORDER BY CASE WHEN acknowledged_at IS NULL THEN 0 ELSE 1 END, referred_at DESC, tip_id"
    ))
    .bind(unit_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .iter()
        .map(referral_from_row)
        .collect::<Result<_, _>>()?)
}

/// A proposal to take no action and its second review.
#[derive(Clone, PartialEq, Eq)]
pub struct NoActionReviewRow {
    pub id: String,
    pub tip_id: String,
    pub reason_enc: Vec<u8>,
    pub proposed_by: String,
    pub proposed_at: i64,
    /// `pending`, `approved` or `rejected`.
    pub outcome: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
}

impl fmt::Debug for NoActionReviewRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NoActionReviewRow")
            .field("id", &self.id)
            .field("tip_id", &self.tip_id)
            .field("reason_enc", &Len(Some(&self.reason_enc)))
            .field("proposed_by", &self.proposed_by)
            .field("proposed_at", &self.proposed_at)
            .field("outcome", &self.outcome)
            .field("reviewed_by", &self.reviewed_by)
            .field("reviewed_at", &self.reviewed_at)
            .finish()
    }
}

const REVIEW_COLUMNS: &str =
    "id, tip_id, reason_enc, proposed_by, proposed_at, outcome, reviewed_by, reviewed_at";

fn review_from_row(r: &AnyRow) -> Result<NoActionReviewRow, sqlx::Error> {
    Ok(NoActionReviewRow {
        id: r.try_get("id")?,
        tip_id: r.try_get("tip_id")?,
        reason_enc: r.try_get("reason_enc")?,
        proposed_by: r.try_get("proposed_by")?,
        proposed_at: r.try_get("proposed_at")?,
        outcome: r.try_get("outcome")?,
        reviewed_by: r.try_get("reviewed_by")?,
        reviewed_at: r.try_get("reviewed_at")?,
    })
}

pub async fn insert_review(c: &mut Conn, r: &NoActionReviewRow) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO tip_no_action_reviews ({REVIEW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(&r.id)
    .bind(&r.tip_id)
    .bind(&r.reason_enc)
    .bind(&r.proposed_by)
    .bind(r.proposed_at)
    .bind(&r.outcome)
    .bind(&r.reviewed_by)
    .bind(r.reviewed_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

/// A tip's reviews, oldest first.
pub async fn reviews(c: &mut Conn, tip_id: &str) -> Result<Vec<NoActionReviewRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {REVIEW_COLUMNS} FROM tip_no_action_reviews WHERE tip_id = $1 ORDER BY proposed_at, id"
    ))
    .bind(tip_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(review_from_row).collect::<Result<_, _>>()?)
}

/// Closes a pending review as `approved` or `rejected`; `NotFound` when none is pending.
pub async fn resolve_review(
    c: &mut Conn,
    id: &str,
    outcome: &str,
    by: &str,
    at: i64,
) -> Result<(), StoreError> {
    if outcome != "approved" && outcome != "rejected" {
        return Err(StoreError::Invalid {
            field: "tip_no_action_reviews.outcome",
            reason: format!("{outcome:?} is neither approved nor rejected"),
        });
    }
    let done = sqlx::query(
        "UPDATE tip_no_action_reviews SET outcome = $2, reviewed_by = $3, reviewed_at = $4 \
         WHERE id = $1 AND outcome = 'pending'",
    )
    .bind(id)
    .bind(outcome)
    .bind(by)
    .bind(at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

// ---- figures ----

/// Which tips the figures count: those received in `[from_ms, to_ms)`, optionally of
/// one owner unit and one area (a division code prefix: `4302` a prefecture).
#[derive(Debug, Clone, Default)]
pub struct TipFigureFilter {
    pub from_ms: i64,
    pub to_ms: i64,
    pub owner_unit: Option<String>,
    pub division_prefix: Option<String>,
    /// The moment an unacknowledged tip's deadline is judged against (unix ms).
    pub now_ms: i64,
}

/// Raw counts of the tips received in a period; the service turns them into medians and
/// shares with the domain's KPI rules. Lists of `(key, count)` are sorted by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TipFigureCounts {
    pub received: i64,
    pub by_source: Vec<(String, i64)>,
    pub by_urgency: Vec<(String, i64)>,
    /// By decision (`open_case`, `join_case`, `refer`, `no_action`); undecided apart.
    pub by_decision: Vec<(String, i64)>,
    pub undecided: i64,
    /// Acknowledged by the deadline.
    pub ack_on_time: i64,
    /// Acknowledged after the deadline.
    pub ack_late: i64,
    /// Not acknowledged and the deadline has passed.
    pub unacknowledged_overdue: i64,
    /// Not acknowledged and still within the deadline.
    pub unacknowledged_in_time: i64,
    /// Receipt-to-acknowledgement time of every acknowledged tip, in ms, ascending.
    pub ack_durations_ms: Vec<i64>,
}

/// Counts for the tips received in the filter's period. Only the columns the figures
/// need are read: no content, no reporter.
pub async fn figures(c: &mut Conn, f: &TipFigureFilter) -> Result<TipFigureCounts, StoreError> {
    let mut sql = String::from(
        "SELECT source_kind, urgency, decision, received_at, ack_deadline, acknowledged_at \
         FROM tips WHERE received_at >= $1 AND received_at < $2",
    );
    let mut binds: Vec<String> = Vec::new();
    if let Some(u) = &f.owner_unit {
        binds.push(u.clone());
        sql.push_str(&format!(" AND owner_unit_id = ${}", binds.len() + 2));
    }
    if let Some(p) = &f.division_prefix {
        // A prefix that is not all digits could carry LIKE wildcards.
        if p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) {
            return Err(StoreError::Invalid {
                field: "division_prefix",
                reason: format!("{p:?} is not a run of digits"),
            });
        }
        binds.push(format!("{p}%"));
        sql.push_str(&format!(" AND division LIKE ${}", binds.len() + 2));
    }
    let mut q = sqlx::query(&sql).bind(f.from_ms).bind(f.to_ms);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *c).await?;
    let mut out = TipFigureCounts::default();
    let mut source = std::collections::BTreeMap::<String, i64>::new();
    let mut urgency = std::collections::BTreeMap::<String, i64>::new();
    let mut decision = std::collections::BTreeMap::<String, i64>::new();
    for r in &rows {
        out.received += 1;
        *source.entry(r.try_get("source_kind")?).or_default() += 1;
        *urgency.entry(r.try_get("urgency")?).or_default() += 1;
        match r.try_get::<Option<String>, _>("decision")? {
            Some(d) => *decision.entry(d).or_default() += 1,
            None => out.undecided += 1,
        }
        let received: i64 = r.try_get("received_at")?;
        let deadline: i64 = r.try_get("ack_deadline")?;
        match r.try_get::<Option<i64>, _>("acknowledged_at")? {
            Some(at) if at <= deadline => {
                out.ack_on_time += 1;
                out.ack_durations_ms.push((at - received).max(0));
            }
            Some(at) => {
                out.ack_late += 1;
                out.ack_durations_ms.push((at - received).max(0));
            }
            None if deadline < f.now_ms => out.unacknowledged_overdue += 1,
            None => out.unacknowledged_in_time += 1,
        }
    }
    out.by_source = source.into_iter().collect();
    out.by_urgency = urgency.into_iter().collect();
    out.by_decision = decision.into_iter().collect();
    out.ack_durations_ms.sort_unstable();
    Ok(out)
}

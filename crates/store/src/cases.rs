//! Criminal cases: the case file, its history, the people on it, gangs, serial-case links,
//! key areas, special operations and supervision.
//!
//! Dates of procedure are `YYYY-MM-DD` text (China time), compared as text; moments are
//! unix milliseconds. Sealed columns (`*_enc`) are opaque bytes here.

use std::fmt;

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Conn, StoreError, flag, flag_value};

struct Redacted<'a>(&'a [u8]);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0.len())
    }
}

/// Joins a list for a comma-separated column, refusing items the list could not give back.
pub fn encode_list(field: &'static str, items: &[String]) -> Result<String, StoreError> {
    for item in items {
        if item.is_empty() || item.contains(',') || item.trim() != item {
            return Err(StoreError::Invalid {
                field,
                reason: format!("item {item:?} must be non-empty, without commas or surrounding spaces"),
            });
        }
    }
    Ok(items.join(","))
}

pub fn decode_list(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One case file. `state` is the domain's state id; the columns after it hold what each
/// state needs to be rebuilt.
#[derive(Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub id: String,
    pub owner_unit_id: String,
    pub state: String,
    pub receipt_number: Option<String>,
    pub division: String,
    pub occurred_on: String,
    pub tip_id: Option<String>,
    pub summary_enc: Vec<u8>,
    pub data_key_id: String,
    pub article: Option<String>,
    pub acts: Vec<String>,
    pub means: Vec<String>,
    pub exploitation: Vec<String>,
    pub missing_person: bool,
    pub accepted_on: Option<String>,
    pub review_started_on: Option<String>,
    pub review_extension: Option<String>,
    pub review_approver: Option<String>,
    pub registered_on: Option<String>,
    pub fast_track: Option<String>,
    pub solved_on: Option<String>,
    pub end_reason: Option<String>,
    pub transfer_to_name: Option<String>,
    pub transfer_to_division: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl fmt::Debug for CaseRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaseRow")
            .field("id", &self.id)
            .field("owner_unit_id", &self.owner_unit_id)
            .field("state", &self.state)
            .field("division", &self.division)
            .field("summary_enc", &Redacted(&self.summary_enc))
            .finish_non_exhaustive()
    }
}

const CASE_COLUMNS: &str = "id, owner_unit_id, state, receipt_number, division, occurred_on, tip_id, \
     summary_enc, data_key_id, article, acts, means, exploitation, missing_person, accepted_on, \
     review_started_on, review_extension, review_approver, registered_on, fast_track, solved_on, \
     end_reason, transfer_to_name, transfer_to_division, created_by, created_at, updated_at";

fn case_from_row(r: &AnyRow) -> Result<CaseRow, sqlx::Error> {
    Ok(CaseRow {
        id: r.try_get("id")?,
        owner_unit_id: r.try_get("owner_unit_id")?,
        state: r.try_get("state")?,
        receipt_number: r.try_get("receipt_number")?,
        division: r.try_get("division")?,
        occurred_on: r.try_get("occurred_on")?,
        tip_id: r.try_get("tip_id")?,
        summary_enc: r.try_get("summary_enc")?,
        data_key_id: r.try_get("data_key_id")?,
        article: r.try_get("article")?,
        acts: decode_list(&r.try_get::<String, _>("acts")?),
        means: decode_list(&r.try_get::<String, _>("means")?),
        exploitation: decode_list(&r.try_get::<String, _>("exploitation")?),
        missing_person: flag(r.try_get("missing_person")?),
        accepted_on: r.try_get("accepted_on")?,
        review_started_on: r.try_get("review_started_on")?,
        review_extension: r.try_get("review_extension")?,
        review_approver: r.try_get("review_approver")?,
        registered_on: r.try_get("registered_on")?,
        fast_track: r.try_get("fast_track")?,
        solved_on: r.try_get("solved_on")?,
        end_reason: r.try_get("end_reason")?,
        transfer_to_name: r.try_get("transfer_to_name")?,
        transfer_to_division: r.try_get("transfer_to_division")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// `Conflict` when the tip already became a case or the unit does not exist.
pub async fn insert(c: &mut Conn, row: &CaseRow) -> Result<(), StoreError> {
    let placeholders: Vec<String> = (1..=27).map(|i| format!("${i}")).collect();
    sqlx::query(&format!(
        "INSERT INTO cases ({CASE_COLUMNS}) VALUES ({})",
        placeholders.join(", ")
    ))
    .bind(&row.id)
    .bind(&row.owner_unit_id)
    .bind(&row.state)
    .bind(&row.receipt_number)
    .bind(&row.division)
    .bind(&row.occurred_on)
    .bind(&row.tip_id)
    .bind(&row.summary_enc)
    .bind(&row.data_key_id)
    .bind(&row.article)
    .bind(encode_list("cases.acts", &row.acts)?)
    .bind(encode_list("cases.means", &row.means)?)
    .bind(encode_list("cases.exploitation", &row.exploitation)?)
    .bind(flag_value(row.missing_person))
    .bind(&row.accepted_on)
    .bind(&row.review_started_on)
    .bind(&row.review_extension)
    .bind(&row.review_approver)
    .bind(&row.registered_on)
    .bind(&row.fast_track)
    .bind(&row.solved_on)
    .bind(&row.end_reason)
    .bind(&row.transfer_to_name)
    .bind(&row.transfer_to_division)
    .bind(&row.created_by)
    .bind(row.created_at)
    .bind(row.updated_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

/// Writes every mutable column of the case. `NotFound` when it does not exist.
pub async fn update(c: &mut Conn, row: &CaseRow) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE cases SET state = $2, receipt_number = $3, division = $4, occurred_on = $5, \
         summary_enc = $6, article = $7, acts = $8, means = $9, exploitation = $10, \
         missing_person = $11, accepted_on = $12, review_started_on = $13, review_extension = $14, \
         review_approver = $15, registered_on = $16, fast_track = $17, solved_on = $18, \
         end_reason = $19, transfer_to_name = $20, transfer_to_division = $21, updated_at = $22, \
         owner_unit_id = $23 WHERE id = $1",
    )
    .bind(&row.id)
    .bind(&row.state)
    .bind(&row.receipt_number)
    .bind(&row.division)
    .bind(&row.occurred_on)
    .bind(&row.summary_enc)
    .bind(&row.article)
    .bind(encode_list("cases.acts", &row.acts)?)
    .bind(encode_list("cases.means", &row.means)?)
    .bind(encode_list("cases.exploitation", &row.exploitation)?)
    .bind(flag_value(row.missing_person))
    .bind(&row.accepted_on)
    .bind(&row.review_started_on)
    .bind(&row.review_extension)
    .bind(&row.review_approver)
    .bind(&row.registered_on)
    .bind(&row.fast_track)
    .bind(&row.solved_on)
    .bind(&row.end_reason)
    .bind(&row.transfer_to_name)
    .bind(&row.transfer_to_division)
    .bind(row.updated_at)
    .bind(&row.owner_unit_id)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn get(c: &mut Conn, id: &str) -> Result<Option<CaseRow>, StoreError> {
    let row = sqlx::query(&format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.as_ref().map(case_from_row).transpose()?)
}

/// Which cases a list shows. The scopes are alternatives (a case matching any is
/// listed); `state` narrows the result.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Every case in the city.
    pub all: bool,
    /// Cases owned by this unit.
    pub owner_unit: Option<String>,
    /// Cases this user is assigned to.
    pub assigned_to: Option<String>,
    /// Cases referred to this unit.
    pub referred_to: Option<String>,
    pub state: Option<String>,
    pub limit: i64,
}

/// Cases by the filter, newest first.
pub async fn list(c: &mut Conn, f: &CaseFilter) -> Result<Vec<CaseRow>, StoreError> {
    let mut scopes = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    if f.all {
        scopes.push("1 = 1".to_owned());
    }
    if let Some(u) = &f.owner_unit {
        binds.push(u.clone());
        scopes.push(format!("owner_unit_id = ${}", binds.len()));
    }
    if let Some(u) = &f.assigned_to {
        binds.push(u.clone());
        scopes.push(format!(
            "EXISTS (SELECT 1 FROM case_assignments a WHERE a.case_id = cases.id AND a.user_id = ${})",
            binds.len()
        ));
    }
    if let Some(u) = &f.referred_to {
        binds.push(u.clone());
        scopes.push(format!(
            "EXISTS (SELECT 1 FROM case_referrals r WHERE r.case_id = cases.id AND r.unit_id = ${})",
            binds.len()
        ));
    }
    if scopes.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE ({})",
        scopes.join(" OR ")
    );
    if let Some(s) = &f.state {
        binds.push(s.clone());
        sql.push_str(&format!(" AND state = ${}", binds.len()));
    }
    let limit = if f.limit > 0 { f.limit } else { 500 };
    sql.push_str(&format!(" ORDER BY created_at DESC, id DESC LIMIT {limit}"));
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *c).await?;
    Ok(rows.iter().map(case_from_row).collect::<Result<_, _>>()?)
}

/// Cases in `division` (exactly) that happened between the two days, both included.
pub async fn in_division_between(
    c: &mut Conn,
    division: &str,
    from: &str,
    to: &str,
) -> Result<Vec<CaseRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE division = $1 AND occurred_on >= $2 AND occurred_on <= $3"
    ))
    .bind(division)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(case_from_row).collect::<Result<_, _>>()?)
}

// ---- assignments and referrals ----

pub async fn assign(
    c: &mut Conn,
    case_id: &str,
    user_id: &str,
    by: &str,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_assignments (case_id, user_id, assigned_by, assigned_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(case_id)
    .bind(user_id)
    .bind(by)
    .bind(at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

/// `NotFound` when the user was not assigned.
pub async fn unassign(c: &mut Conn, case_id: &str, user_id: &str) -> Result<(), StoreError> {
    let done = sqlx::query("DELETE FROM case_assignments WHERE case_id = $1 AND user_id = $2")
        .bind(case_id)
        .bind(user_id)
        .execute(&mut *c)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The users assigned to a case, in the order they were assigned.
pub async fn assignees(c: &mut Conn, case_id: &str) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query(
        "SELECT user_id FROM case_assignments WHERE case_id = $1 ORDER BY assigned_at, user_id",
    )
    .bind(case_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get("user_id"))
        .collect::<Result<_, _>>()?)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseReferralRow {
    pub case_id: String,
    pub unit_id: String,
    pub reason: String,
    pub referred_by: String,
    pub referred_at: i64,
}

/// `Conflict` when the case was already referred to the unit.
pub async fn refer(c: &mut Conn, r: &CaseReferralRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_referrals (case_id, unit_id, reason, referred_by, referred_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&r.case_id)
    .bind(&r.unit_id)
    .bind(&r.reason)
    .bind(&r.referred_by)
    .bind(r.referred_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

pub async fn referrals(c: &mut Conn, case_id: &str) -> Result<Vec<CaseReferralRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT case_id, unit_id, reason, referred_by, referred_at FROM case_referrals \
         WHERE case_id = $1 ORDER BY referred_at, unit_id",
    )
    .bind(case_id)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CaseReferralRow {
                case_id: r.try_get("case_id")?,
                unit_id: r.try_get("unit_id")?,
                reason: r.try_get("reason")?,
                referred_by: r.try_get("referred_by")?,
                referred_at: r.try_get("referred_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

// ---- history ----

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEventRow {
    pub id: String,
    pub case_id: String,
    /// Filled by [`append_event`].
    pub seq: i64,
    pub event: String,
    pub from_state: String,
    pub to_state: String,
    pub actor_user_id: String,
    pub reason: String,
    pub at: i64,
}

/// Appends an event to the case's history and returns its number (1, 2, …).
pub async fn append_event(c: &mut Conn, e: &CaseEventRow) -> Result<i64, StoreError> {
    let next: i64 =
        sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM case_events WHERE case_id = $1")
            .bind(&e.case_id)
            .fetch_one(&mut *c)
            .await?
            .try_get("next")?;
    sqlx::query(
        "INSERT INTO case_events (id, case_id, seq, event, from_state, to_state, actor_user_id, reason, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&e.id)
    .bind(&e.case_id)
    .bind(next)
    .bind(&e.event)
    .bind(&e.from_state)
    .bind(&e.to_state)
    .bind(&e.actor_user_id)
    .bind(&e.reason)
    .bind(e.at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(next)
}

pub async fn events(c: &mut Conn, case_id: &str) -> Result<Vec<CaseEventRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, case_id, seq, event, from_state, to_state, actor_user_id, reason, at \
         FROM case_events WHERE case_id = $1 ORDER BY seq",
    )
    .bind(case_id)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CaseEventRow {
                id: r.try_get("id")?,
                case_id: r.try_get("case_id")?,
                seq: r.try_get("seq")?,
                event: r.try_get("event")?,
                from_state: r.try_get("from_state")?,
                to_state: r.try_get("to_state")?,
                actor_user_id: r.try_get("actor_user_id")?,
                reason: r.try_get("reason")?,
                at: r.try_get("at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

// ---- people, gangs, identifiers ----

/// A person on a case: victim, suspect or gang member.
#[derive(Clone, PartialEq, Eq)]
pub struct CasePersonRow {
    pub id: String,
    pub case_id: String,
    pub role: String,
    pub data_key_id: String,
    pub name_enc: Vec<u8>,
    pub id_number_enc: Option<Vec<u8>>,
    pub phone_enc: Option<Vec<u8>>,
    pub address_enc: Option<Vec<u8>>,
    pub id_number_bidx: Option<String>,
    pub phone_bidx: Option<String>,
    pub sex: Option<String>,
    pub age_at_event: Option<i64>,
    pub suspect_role: Option<String>,
    pub gang_id: Option<String>,
    pub in_custody_on: Option<String>,
    pub rescued_on: Option<String>,
    pub victim_archive_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl fmt::Debug for CasePersonRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CasePersonRow")
            .field("id", &self.id)
            .field("case_id", &self.case_id)
            .field("role", &self.role)
            .field("name_enc", &Redacted(&self.name_enc))
            .finish_non_exhaustive()
    }
}

const PERSON_COLUMNS: &str = "id, case_id, role, data_key_id, name_enc, id_number_enc, phone_enc, \
     address_enc, id_number_bidx, phone_bidx, sex, age_at_event, suspect_role, gang_id, in_custody_on, \
     rescued_on, victim_archive_id, created_at, updated_at";

fn person_from_row(r: &AnyRow) -> Result<CasePersonRow, sqlx::Error> {
    Ok(CasePersonRow {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        role: r.try_get("role")?,
        data_key_id: r.try_get("data_key_id")?,
        name_enc: r.try_get("name_enc")?,
        id_number_enc: r.try_get("id_number_enc")?,
        phone_enc: r.try_get("phone_enc")?,
        address_enc: r.try_get("address_enc")?,
        id_number_bidx: r.try_get("id_number_bidx")?,
        phone_bidx: r.try_get("phone_bidx")?,
        sex: r.try_get("sex")?,
        age_at_event: r.try_get("age_at_event")?,
        suspect_role: r.try_get("suspect_role")?,
        gang_id: r.try_get("gang_id")?,
        in_custody_on: r.try_get("in_custody_on")?,
        rescued_on: r.try_get("rescued_on")?,
        victim_archive_id: r.try_get("victim_archive_id")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub async fn insert_person(c: &mut Conn, p: &CasePersonRow) -> Result<(), StoreError> {
    let placeholders: Vec<String> = (1..=19).map(|i| format!("${i}")).collect();
    sqlx::query(&format!(
        "INSERT INTO case_people ({PERSON_COLUMNS}) VALUES ({})",
        placeholders.join(", ")
    ))
    .bind(&p.id)
    .bind(&p.case_id)
    .bind(&p.role)
    .bind(&p.data_key_id)
    .bind(&p.name_enc)
    .bind(&p.id_number_enc)
    .bind(&p.phone_enc)
    .bind(&p.address_enc)
    .bind(&p.id_number_bidx)
    .bind(&p.phone_bidx)
    .bind(&p.sex)
    .bind(p.age_at_event)
    .bind(&p.suspect_role)
    .bind(&p.gang_id)
    .bind(&p.in_custody_on)
    .bind(&p.rescued_on)
    .bind(&p.victim_archive_id)
    .bind(p.created_at)
    .bind(p.updated_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

/// Updates the facts that change during an investigation: custody, rescue, gang,
/// the victim archive link. `NotFound` when the person is not on the case.
pub async fn update_person_status(c: &mut Conn, p: &CasePersonRow) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE case_people SET suspect_role = $3, gang_id = $4, in_custody_on = $5, rescued_on = $6, \
         victim_archive_id = $7, updated_at = $8 WHERE id = $1 AND case_id = $2",
    )
    .bind(&p.id)
    .bind(&p.case_id)
    .bind(&p.suspect_role)
    .bind(&p.gang_id)
    .bind(&p.in_custody_on)
    .bind(&p.rescued_on)
    .bind(&p.victim_archive_id)
    .bind(p.updated_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn person(c: &mut Conn, id: &str) -> Result<Option<CasePersonRow>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {PERSON_COLUMNS} FROM case_people WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.as_ref().map(person_from_row).transpose()?)
}

/// The people on a case, in the order they were added.
pub async fn people(c: &mut Conn, case_id: &str) -> Result<Vec<CasePersonRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {PERSON_COLUMNS} FROM case_people WHERE case_id = $1 ORDER BY created_at, id"
    ))
    .bind(case_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(person_from_row).collect::<Result<_, _>>()?)
}

/// Which blind index of a person to search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonIndex {
    IdNumber,
    Phone,
}

/// People whose ID number or phone has this blind index, in any case.
pub async fn people_by_index(
    c: &mut Conn,
    index: PersonIndex,
    bidx: &str,
) -> Result<Vec<CasePersonRow>, StoreError> {
    let column = match index {
        PersonIndex::IdNumber => "id_number_bidx",
        PersonIndex::Phone => "phone_bidx",
    };
    let rows = sqlx::query(&format!(
        "SELECT {PERSON_COLUMNS} FROM case_people WHERE {column} = $1 ORDER BY created_at, id"
    ))
    .bind(bidx)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(person_from_row).collect::<Result<_, _>>()?)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GangRow {
    pub id: String,
    pub case_id: String,
    pub code_name: String,
    pub broken_up_on: Option<String>,
    pub created_at: i64,
}

pub async fn insert_gang(c: &mut Conn, g: &GangRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO gangs (id, case_id, code_name, broken_up_on, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&g.id)
    .bind(&g.case_id)
    .bind(&g.code_name)
    .bind(&g.broken_up_on)
    .bind(g.created_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

/// `NotFound` when the gang is not on the case.
pub async fn set_gang_broken_up(
    c: &mut Conn,
    case_id: &str,
    gang_id: &str,
    on: &str,
) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE gangs SET broken_up_on = $3 WHERE id = $1 AND case_id = $2")
        .bind(gang_id)
        .bind(case_id)
        .bind(on)
        .execute(&mut *c)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn gangs(c: &mut Conn, case_id: &str) -> Result<Vec<GangRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, case_id, code_name, broken_up_on, created_at FROM gangs WHERE case_id = $1 ORDER BY created_at, id",
    )
    .bind(case_id)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(GangRow {
                id: r.try_get("id")?,
                case_id: r.try_get("case_id")?,
                code_name: r.try_get("code_name")?,
                broken_up_on: r.try_get("broken_up_on")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

#[derive(Clone, PartialEq, Eq)]
pub struct CaseIdentifierRow {
    pub id: String,
    pub case_id: String,
    /// `phone`, `vehicle` or `account`.
    pub kind: String,
    pub value_enc: Vec<u8>,
    pub bidx: String,
    pub created_at: i64,
}

impl fmt::Debug for CaseIdentifierRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaseIdentifierRow")
            .field("id", &self.id)
            .field("case_id", &self.case_id)
            .field("kind", &self.kind)
            .field("value_enc", &Redacted(&self.value_enc))
            .finish_non_exhaustive()
    }
}

/// `Conflict` when the case already has this identifier.
pub async fn insert_identifier(c: &mut Conn, i: &CaseIdentifierRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_identifiers (id, case_id, kind, value_enc, bidx, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&i.id)
    .bind(&i.case_id)
    .bind(&i.kind)
    .bind(&i.value_enc)
    .bind(&i.bidx)
    .bind(i.created_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

fn identifier_from_row(r: &AnyRow) -> Result<CaseIdentifierRow, sqlx::Error> {
    Ok(CaseIdentifierRow {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        kind: r.try_get("kind")?,
        value_enc: r.try_get("value_enc")?,
        bidx: r.try_get("bidx")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn identifiers(c: &mut Conn, case_id: &str) -> Result<Vec<CaseIdentifierRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, case_id, kind, value_enc, bidx, created_at FROM case_identifiers WHERE case_id = $1 ORDER BY created_at, id",
    )
    .bind(case_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(identifier_from_row).collect::<Result<_, _>>()?)
}

/// Identifiers of this kind and blind index, in any case.
pub async fn identifiers_by_index(
    c: &mut Conn,
    kind: &str,
    bidx: &str,
) -> Result<Vec<CaseIdentifierRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, case_id, kind, value_enc, bidx, created_at FROM case_identifiers WHERE kind = $1 AND bidx = $2 ORDER BY created_at, id",
    )
    .bind(kind)
    .bind(bidx)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(identifier_from_row).collect::<Result<_, _>>()?)
}

// ---- serial-case links ----

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseLinkRow {
    pub id: String,
    /// The smaller of the two case ids.
    pub case_a: String,
    pub case_b: String,
    pub score: i64,
    /// Reason ids, comma-separated lists are built by [`encode_list`].
    pub reasons: Vec<String>,
    pub status: String,
    pub review_reason: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
    pub proposed_at: i64,
}

const LINK_COLUMNS: &str = "id, case_a, case_b, score, reasons, status, review_reason, reviewed_by, reviewed_at, proposed_at";

fn link_from_row(r: &AnyRow) -> Result<CaseLinkRow, sqlx::Error> {
    Ok(CaseLinkRow {
        id: r.try_get("id")?,
        case_a: r.try_get("case_a")?,
        case_b: r.try_get("case_b")?,
        score: r.try_get("score")?,
        reasons: decode_list(&r.try_get::<String, _>("reasons")?),
        status: r.try_get("status")?,
        review_reason: r.try_get("review_reason")?,
        reviewed_by: r.try_get("reviewed_by")?,
        reviewed_at: r.try_get("reviewed_at")?,
        proposed_at: r.try_get("proposed_at")?,
    })
}

pub async fn link_between(
    c: &mut Conn,
    case_a: &str,
    case_b: &str,
) -> Result<Option<CaseLinkRow>, StoreError> {
    let (a, b) = if case_a <= case_b { (case_a, case_b) } else { (case_b, case_a) };
    let row = sqlx::query(&format!(
        "SELECT {LINK_COLUMNS} FROM case_links WHERE case_a = $1 AND case_b = $2"
    ))
    .bind(a)
    .bind(b)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.as_ref().map(link_from_row).transpose()?)
}

/// Inserts a proposal, or refreshes the score and reasons of one still proposed. A link
/// already confirmed or rejected keeps its review. Returns the stored link.
pub async fn propose_link(c: &mut Conn, l: &CaseLinkRow) -> Result<CaseLinkRow, StoreError> {
    if l.case_a >= l.case_b {
        return Err(StoreError::Invalid {
            field: "case_links.case_a",
            reason: "case_a must sort before case_b".into(),
        });
    }
    match link_between(c, &l.case_a, &l.case_b).await? {
        Some(existing) if existing.status != "proposed" => Ok(existing),
        Some(existing) => {
            sqlx::query("UPDATE case_links SET score = $2, reasons = $3 WHERE id = $1")
                .bind(&existing.id)
                .bind(l.score)
                .bind(encode_list("case_links.reasons", &l.reasons)?)
                .execute(&mut *c)
                .await?;
            Ok(CaseLinkRow {
                score: l.score,
                reasons: l.reasons.clone(),
                ..existing
            })
        }
        None => {
            sqlx::query(&format!(
                "INSERT INTO case_links ({LINK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ))
            .bind(&l.id)
            .bind(&l.case_a)
            .bind(&l.case_b)
            .bind(l.score)
            .bind(encode_list("case_links.reasons", &l.reasons)?)
            .bind(&l.status)
            .bind(&l.review_reason)
            .bind(&l.reviewed_by)
            .bind(l.reviewed_at)
            .bind(l.proposed_at)
            .execute(&mut *c)
            .await
            .map_err(StoreError::from_statement)?;
            Ok(l.clone())
        }
    }
}

pub async fn link(c: &mut Conn, id: &str) -> Result<Option<CaseLinkRow>, StoreError> {
    let row = sqlx::query(&format!("SELECT {LINK_COLUMNS} FROM case_links WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.as_ref().map(link_from_row).transpose()?)
}

/// Records the review of a proposed link. `Conflict` when it was reviewed already.
pub async fn review_link(
    c: &mut Conn,
    id: &str,
    status: &str,
    reason: &str,
    by: &str,
    at: i64,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE case_links SET status = $2, review_reason = $3, reviewed_by = $4, reviewed_at = $5 \
         WHERE id = $1 AND status = 'proposed'",
    )
    .bind(id)
    .bind(status)
    .bind(reason)
    .bind(by)
    .bind(at)
    .execute(&mut *c)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            what: "case link already reviewed".into(),
        });
    }
    Ok(())
}

/// Links touching a case, best score first.
pub async fn links_of(c: &mut Conn, case_id: &str) -> Result<Vec<CaseLinkRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {LINK_COLUMNS} FROM case_links WHERE case_a = $1 OR case_b = $1 ORDER BY score DESC, id"
    ))
    .bind(case_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(link_from_row).collect::<Result<_, _>>()?)
}

// ---- key areas ----

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAreaRow {
    pub id: String,
    pub division: String,
    pub name: String,
    pub status: String,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAreaStepRow {
    pub key_area_id: String,
    pub seq: i64,
    pub status: String,
    pub on_date: String,
    pub by_user_id: String,
    pub at: i64,
}

pub async fn insert_key_area(c: &mut Conn, k: &KeyAreaRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO key_areas (id, division, name, status, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&k.id)
    .bind(&k.division)
    .bind(&k.name)
    .bind(&k.status)
    .bind(&k.created_by)
    .bind(k.created_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

/// Appends a status step (seq counts from 1) and sets the area's current status.
pub async fn add_key_area_step(c: &mut Conn, s: &KeyAreaStepRow) -> Result<i64, StoreError> {
    let next: i64 = sqlx::query(
        "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM key_area_history WHERE key_area_id = $1",
    )
    .bind(&s.key_area_id)
    .fetch_one(&mut *c)
    .await?
    .try_get("next")?;
    sqlx::query(
        "INSERT INTO key_area_history (key_area_id, seq, status, on_date, by_user_id, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&s.key_area_id)
    .bind(next)
    .bind(&s.status)
    .bind(&s.on_date)
    .bind(&s.by_user_id)
    .bind(s.at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    let done = sqlx::query("UPDATE key_areas SET status = $2 WHERE id = $1")
        .bind(&s.key_area_id)
        .bind(&s.status)
        .execute(&mut *c)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(next)
}

fn key_area_from_row(r: &AnyRow) -> Result<KeyAreaRow, sqlx::Error> {
    Ok(KeyAreaRow {
        id: r.try_get("id")?,
        division: r.try_get("division")?,
        name: r.try_get("name")?,
        status: r.try_get("status")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn key_area(c: &mut Conn, id: &str) -> Result<Option<KeyAreaRow>, StoreError> {
    let row = sqlx::query(
        "SELECT id, division, name, status, created_by, created_at FROM key_areas WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.as_ref().map(key_area_from_row).transpose()?)
}

pub async fn key_areas(c: &mut Conn) -> Result<Vec<KeyAreaRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, division, name, status, created_by, created_at FROM key_areas ORDER BY division, name, id",
    )
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(key_area_from_row).collect::<Result<_, _>>()?)
}

pub async fn key_area_history(
    c: &mut Conn,
    key_area_id: &str,
) -> Result<Vec<KeyAreaStepRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT key_area_id, seq, status, on_date, by_user_id, at FROM key_area_history WHERE key_area_id = $1 ORDER BY seq",
    )
    .bind(key_area_id)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(KeyAreaStepRow {
                key_area_id: r.try_get("key_area_id")?,
                seq: r.try_get("seq")?,
                status: r.try_get("status")?,
                on_date: r.try_get("on_date")?,
                by_user_id: r.try_get("by_user_id")?,
                at: r.try_get("at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

// ---- special operations ----

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRow {
    pub id: String,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub areas: Vec<String>,
    pub created_by: String,
    pub created_at: i64,
}

pub async fn insert_operation(c: &mut Conn, o: &OperationRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO special_operations (id, name, starts_on, ends_on, areas, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&o.id)
    .bind(&o.name)
    .bind(&o.starts_on)
    .bind(&o.ends_on)
    .bind(encode_list("special_operations.areas", &o.areas)?)
    .bind(&o.created_by)
    .bind(o.created_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

fn operation_from_row(r: &AnyRow) -> Result<OperationRow, sqlx::Error> {
    Ok(OperationRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        starts_on: r.try_get("starts_on")?,
        ends_on: r.try_get("ends_on")?,
        areas: decode_list(&r.try_get::<String, _>("areas")?),
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn operation(c: &mut Conn, id: &str) -> Result<Option<OperationRow>, StoreError> {
    let row = sqlx::query(
        "SELECT id, name, starts_on, ends_on, areas, created_by, created_at FROM special_operations WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.as_ref().map(operation_from_row).transpose()?)
}

/// Operations, latest start first.
pub async fn operations(c: &mut Conn) -> Result<Vec<OperationRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, name, starts_on, ends_on, areas, created_by, created_at FROM special_operations ORDER BY starts_on DESC, id",
    )
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(operation_from_row).collect::<Result<_, _>>()?)
}

/// `Conflict` when the case is already counted under the operation.
pub async fn attach_case(
    c: &mut Conn,
    operation_id: &str,
    case_id: &str,
    by: &str,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO operation_cases (operation_id, case_id, attached_by, attached_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(operation_id)
    .bind(case_id)
    .bind(by)
    .bind(at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

/// The cases counted under an operation.
pub async fn operation_cases(c: &mut Conn, operation_id: &str) -> Result<Vec<CaseRow>, StoreError> {
    let cols: Vec<String> = CASE_COLUMNS
        .split(", ")
        .map(|col| format!("k.{}", col.trim()))
        .collect();
    let rows = sqlx::query(&format!(
        "SELECT {} FROM operation_cases o JOIN cases k ON k.id = o.case_id WHERE o.operation_id = $1 ORDER BY o.attached_at, k.id",
        cols.join(", ")
    ))
    .bind(operation_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(case_from_row).collect::<Result<_, _>>()?)
}

/// Ids of the operations a case is counted under.
pub async fn operations_of_case(c: &mut Conn, case_id: &str) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query("SELECT operation_id FROM operation_cases WHERE case_id = $1 ORDER BY attached_at")
        .bind(case_id)
        .fetch_all(&mut *c)
        .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get("operation_id"))
        .collect::<Result<_, _>>()?)
}

// ---- supervision ----

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisionRow {
    pub id: String,
    pub case_id: String,
    pub level: String,
    pub opened_on: String,
    pub deadline: String,
    pub concluded_on: Option<String>,
    pub opened_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstructionRow {
    pub supervision_id: String,
    pub seq: i64,
    pub at: i64,
    pub author_user_id: String,
    pub text: String,
}

const SUPERVISION_COLUMNS: &str =
    "id, case_id, level, opened_on, deadline, concluded_on, opened_by, created_at";

fn supervision_from_row(r: &AnyRow) -> Result<SupervisionRow, sqlx::Error> {
    Ok(SupervisionRow {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        level: r.try_get("level")?,
        opened_on: r.try_get("opened_on")?,
        deadline: r.try_get("deadline")?,
        concluded_on: r.try_get("concluded_on")?,
        opened_by: r.try_get("opened_by")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn insert_supervision(c: &mut Conn, s: &SupervisionRow) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO supervisions ({SUPERVISION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(&s.id)
    .bind(&s.case_id)
    .bind(&s.level)
    .bind(&s.opened_on)
    .bind(&s.deadline)
    .bind(&s.concluded_on)
    .bind(&s.opened_by)
    .bind(s.created_at)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(())
}

/// Writes level, deadline and conclusion. `NotFound` when the supervision does not exist.
pub async fn update_supervision(c: &mut Conn, s: &SupervisionRow) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE supervisions SET level = $2, deadline = $3, concluded_on = $4 WHERE id = $1",
    )
    .bind(&s.id)
    .bind(&s.level)
    .bind(&s.deadline)
    .bind(&s.concluded_on)
    .execute(&mut *c)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn supervision(c: &mut Conn, id: &str) -> Result<Option<SupervisionRow>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {SUPERVISION_COLUMNS} FROM supervisions WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.as_ref().map(supervision_from_row).transpose()?)
}

/// Every supervision, or those of one case; open ones first, nearest deadline first.
pub async fn supervisions(
    c: &mut Conn,
    case_id: Option<&str>,
) -> Result<Vec<SupervisionRow>, StoreError> {
    let order = "ORDER BY CASE WHEN concluded_on IS NULL THEN 0 ELSE 1 END, deadline, id";
    let rows = match case_id {
        Some(id) => {
            sqlx::query(&format!(
                "SELECT {SUPERVISION_COLUMNS} FROM supervisions WHERE case_id = $1 {order}"
            ))
            .bind(id)
            .fetch_all(&mut *c)
            .await?
        }
        None => {
            sqlx::query(&format!("SELECT {SUPERVISION_COLUMNS} FROM supervisions {order}"))
                .fetch_all(&mut *c)
                .await?
        }
    };
    Ok(rows.iter().map(supervision_from_row).collect::<Result<_, _>>()?)
}

pub async fn add_instruction(c: &mut Conn, i: &InstructionRow) -> Result<i64, StoreError> {
    let next: i64 = sqlx::query(
        "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM supervision_instructions WHERE supervision_id = $1",
    )
    .bind(&i.supervision_id)
    .fetch_one(&mut *c)
    .await?
    .try_get("next")?;
    sqlx::query(
        "INSERT INTO supervision_instructions (supervision_id, seq, at, author_user_id, text) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&i.supervision_id)
    .bind(next)
    .bind(i.at)
    .bind(&i.author_user_id)
    .bind(&i.text)
    .execute(&mut *c)
    .await
    .map_err(StoreError::from_statement)?;
    Ok(next)
}

pub async fn instructions(
    c: &mut Conn,
    supervision_id: &str,
) -> Result<Vec<InstructionRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT supervision_id, seq, at, author_user_id, text FROM supervision_instructions \
         WHERE supervision_id = $1 ORDER BY seq",
    )
    .bind(supervision_id)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(InstructionRow {
                supervision_id: r.try_get("supervision_id")?,
                seq: r.try_get("seq")?,
                at: r.try_get("at")?,
                author_user_id: r.try_get("author_user_id")?,
                text: r.try_get("text")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

// ---- figures ----

/// Which cases the figures count: a period of days (both included), optionally one
/// owner unit and one area (a division code prefix: `43` a province, `4302` a
/// prefecture, `430202` a county).
#[derive(Debug, Clone, Default)]
pub struct FigureFilter {
    pub from: String,
    pub to: String,
    pub owner_unit: Option<String>,
    pub division_prefix: Option<String>,
}

/// Raw counts for one period; the service turns them into rates with the domain's KPI
/// rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FigureCounts {
    pub accepted: i64,
    pub registered: i64,
    /// (registered_on, solved_on) of every case solved in the period.
    pub solved: Vec<(String, String)>,
    pub rescued: i64,
    pub caught: i64,
    pub gangs_broken_up: i64,
}

fn scope_sql(f: &FigureFilter, alias: &str, binds: &mut Vec<String>) -> String {
    let mut sql = String::new();
    if let Some(u) = &f.owner_unit {
        binds.push(u.clone());
        sql.push_str(&format!(" AND {alias}.owner_unit_id = ${}", binds.len()));
    }
    if let Some(p) = &f.division_prefix {
        if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) {
            binds.push(format!("{p}%"));
            sql.push_str(&format!(" AND {alias}.division LIKE ${}", binds.len()));
        }
    }
    sql
}

async fn count(c: &mut Conn, sql: &str, binds: &[String]) -> Result<i64, StoreError> {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(b);
    }
    Ok(q.fetch_one(&mut *c).await?.try_get("n")?)
}

pub async fn figures(c: &mut Conn, f: &FigureFilter) -> Result<FigureCounts, StoreError> {
    let period = |column: &str, binds: &mut Vec<String>| {
        binds.push(f.from.clone());
        binds.push(f.to.clone());
        format!(
            "{column} >= ${} AND {column} <= ${}",
            binds.len() - 1,
            binds.len()
        )
    };
    let mut out = FigureCounts::default();
    for (column, slot) in [("accepted_on", 0), ("registered_on", 1)] {
        let mut binds = Vec::new();
        let p = period(&format!("k.{column}"), &mut binds);
        let s = scope_sql(f, "k", &mut binds);
        let n = count(c, &format!("SELECT COUNT(*) AS n FROM cases k WHERE {p}{s}"), &binds).await?;
        if slot == 0 {
            out.accepted = n;
        } else {
            out.registered = n;
        }
    }
    {
        let mut binds = Vec::new();
        let p = period("k.solved_on", &mut binds);
        let s = scope_sql(f, "k", &mut binds);
        let sql = format!(
            "SELECT k.registered_on, k.solved_on FROM cases k WHERE k.registered_on IS NOT NULL AND {p}{s} ORDER BY k.solved_on"
        );
        let mut q = sqlx::query_as::<_, (String, String)>(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        out.solved = q.fetch_all(&mut *c).await?;
    }
    for (column, slot) in [("rescued_on", 0), ("in_custody_on", 1)] {
        let mut binds = Vec::new();
        let p = period(&format!("p.{column}"), &mut binds);
        let s = scope_sql(f, "k", &mut binds);
        let n = count(
            c,
            &format!("SELECT COUNT(*) AS n FROM case_people p JOIN cases k ON k.id = p.case_id WHERE {p}{s}"),
            &binds,
        )
        .await?;
        if slot == 0 {
            out.rescued = n;
        } else {
            out.caught = n;
        }
    }
    {
        let mut binds = Vec::new();
        let p = period("g.broken_up_on", &mut binds);
        let s = scope_sql(f, "k", &mut binds);
        out.gangs_broken_up = count(
            c,
            &format!("SELECT COUNT(*) AS n FROM gangs g JOIN cases k ON k.id = g.case_id WHERE {p}{s}"),
            &binds,
        )
        .await?;
    }
    Ok(out)
}

/// A victim on a case registered in the period: sex, age on the day of the crime, the
/// case's forms of exploitation and the day of the crime. For figures by sex, age
/// category and form of exploitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VictimFigureRow {
    pub sex: Option<String>,
    pub age_at_event: Option<i64>,
    pub exploitation: Vec<String>,
    pub occurred_on: String,
}

pub async fn victims_for_figures(
    c: &mut Conn,
    f: &FigureFilter,
) -> Result<Vec<VictimFigureRow>, StoreError> {
    let mut binds = vec![f.from.clone(), f.to.clone()];
    let scope = scope_sql(f, "k", &mut binds);
    let sql = format!(
        "SELECT p.sex, p.age_at_event, k.exploitation, k.occurred_on FROM case_people p \
         JOIN cases k ON k.id = p.case_id WHERE p.role = 'victim' \
         AND k.registered_on >= $1 AND k.registered_on <= $2{scope} ORDER BY p.id"
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *c).await?;
    rows.iter()
        .map(|r| {
            Ok(VictimFigureRow {
                sex: r.try_get("sex")?,
                age_at_event: r.try_get("age_at_event")?,
                exploitation: decode_list(&r.try_get::<String, _>("exploitation")?),
                occurred_on: r.try_get("occurred_on")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_round_trip_and_refuse_commas() {
        let items = vec!["a".to_owned(), "b_c".to_owned()];
        assert_eq!(decode_list(&encode_list("f", &items).unwrap()), items);
        assert!(decode_list("").is_empty());
        assert!(encode_list("f", &["a,b".to_owned()]).is_err());
        assert!(encode_list("f", &[" a".to_owned()]).is_err());
        assert!(encode_list("f", &[String::new()]).is_err());
    }

    #[test]
    fn area_filters_take_digits_only() {
        let mut binds = Vec::new();
        let f = FigureFilter {
            division_prefix: Some("43' OR 1=1".into()),
            ..Default::default()
        };
        assert_eq!(scope_sql(&f, "k", &mut binds), "");
        let f = FigureFilter {
            division_prefix: Some("4302".into()),
            owner_unit: Some("psb".into()),
            ..Default::default()
        };
        assert_eq!(
            scope_sql(&f, "k", &mut binds),
            " AND k.owner_unit_id = $1 AND k.division LIKE $2"
        );
        assert_eq!(binds, vec!["psb".to_owned(), "4302%".to_owned()]);
    }
}

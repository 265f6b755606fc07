//! The audit log: one hash-chained event per write, per read of personal data and per
//! refusal, written in the transaction of the change it describes.

use fanguai_store::AuditEventRow;
use fanguai_store::Conn;
use fanguai_store::audit::{self, AuditFilter, NewAuditEvent};
use fanguai_vault::chain;
use serde::Serialize;

use crate::app::App;
use crate::auth::Actor;
use crate::ctx::RequestCtx;
use crate::error::{Result, ServiceError};

/// What an audit event says happened; the who/when/where come from the actor and context.
#[derive(Debug, Clone, Default)]
pub(crate) struct Event<'a> {
    pub action: &'a str,
    pub record_type: &'a str,
    pub record_id: &'a str,
    pub purpose: &'a str,
    pub outcome: &'a str,
    pub detail: String,
}

impl<'a> Event<'a> {
    /// An event about one staff account, the subject of most sign-in and admin events.
    pub fn user(action: &'a str, user_id: &'a str, outcome: &'a str) -> Self {
        Event {
            action,
            record_type: "user",
            record_id: user_id,
            outcome,
            ..Default::default()
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// The canonical bytes of an event: every field but the hashes, length-prefixed so that
/// moving text from one field to the next changes the hash.
pub(crate) fn canonical(row: &AuditEventRow) -> Vec<u8> {
    let mut c = chain::Canonical::new();
    c.u64(row.seq as u64)
        .i64(row.at)
        .str(&row.request_id)
        .str(row.actor_user_id.as_deref().unwrap_or(""))
        .str(&row.actor_username)
        .str(&row.actor_unit)
        .str(&row.actor_role)
        .str(&row.action)
        .str(&row.record_type)
        .str(&row.record_id)
        .str(&row.purpose)
        .str(&row.outcome)
        .str(&row.detail);
    c.finish()
}

fn hash_row(prev: &str, row: &AuditEventRow) -> String {
    chain::event_hash(prev, &canonical(row))
}

/// Appends one event. `actor` is `None` for anonymous attempts (a failed login names the
/// username tried in `detail`, never the password).
pub(crate) async fn record(
    c: &mut Conn,
    app: &App,
    ctx: &RequestCtx,
    actor: Option<&Actor>,
    ev: Event<'_>,
) -> Result<()> {
    let new = NewAuditEvent {
        at: app.now_ms(),
        request_id: ctx.request_id.clone(),
        actor_user_id: actor.map(|a| a.user_id.clone()),
        actor_username: actor.map(|a| a.username.clone()).unwrap_or_default(),
        actor_unit: actor.map(|a| a.unit_id.clone()).unwrap_or_default(),
        actor_role: actor.map(|a| a.roles_label()).unwrap_or_default(),
        action: ev.action.to_string(),
        record_type: ev.record_type.to_string(),
        record_id: ev.record_id.to_string(),
        purpose: ev.purpose.to_string(),
        outcome: ev.outcome.to_string(),
        detail: ev.detail,
    };
    audit::append(c, new, hash_row).await?;
    Ok(())
}

/// Records a refusal in its own transaction and returns the error to hand back.
pub(crate) async fn refuse(
    app: &App,
    ctx: &RequestCtx,
    actor: &Actor,
    action: &str,
    code: &'static str,
) -> ServiceError {
    let res: Result<()> = async {
        let mut tx = app.store().begin().await?;
        record(
            &mut tx,
            app,
            ctx,
            Some(actor),
            Event {
                action,
                outcome: "refused",
                detail: code.to_string(),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    match res {
        Ok(()) => ServiceError::Refused { code },
        Err(e) => e,
    }
}

/// Filters of the audit page; every field optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AuditQuery {
    pub user: Option<String>,
    pub unit: Option<String>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub action: Option<String>,
    /// Unix milliseconds, inclusive.
    pub from_ms: Option<i64>,
    /// Unix milliseconds, exclusive.
    pub to_ms: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEventView {
    pub seq: i64,
    pub at_ms: i64,
    pub request_id: String,
    pub username: String,
    pub unit: String,
    pub role: String,
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    pub purpose: String,
    pub outcome: String,
    pub detail: String,
    pub hash: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditPage {
    pub events: Vec<AuditEventView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The state of the hash chain.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChainStatus {
    Intact { events: i64, head_hash: String },
    Broken { first_broken_seq: i64, kind: String },
}

/// Reads the whole chain in batches and checks every link. Used by the audit page and
/// by `fanguai audit verify`.
pub async fn verify_chain(store: &fanguai_store::Store) -> Result<ChainStatus> {
    Ok(verify_chain_after(store, None).await?.0)
}

/// A prefix of the chain already checked: the last event's seq and hash, and how many
/// events it holds.
#[derive(Debug, Clone)]
pub(crate) struct VerifiedPrefix {
    pub seq: i64,
    pub hash: String,
    pub events: i64,
    /// When the whole chain was last walked from the first event.
    pub full_at_ms: i64,
}

/// Checks the chain, starting after `prefix` when given (events up to it were checked
/// before) or from the first event.
async fn verify_chain_after(
    store: &fanguai_store::Store,
    prefix: Option<&VerifiedPrefix>,
) -> Result<(ChainStatus, i64)> {
    let mut c = store.conn().await?;
    let (head_seq, head_hash) = audit::head(&mut c).await?;
    let (mut verifier, mut after, mut count) = match prefix {
        Some(p) => (
            chain::ChainVerifier::resume(p.seq as u64 + 1, &p.hash),
            p.seq,
            p.events,
        ),
        None => (chain::ChainVerifier::new(), 0i64, 0i64),
    };
    loop {
        let batch = audit::scan(&mut c, after, 1000).await?;
        if batch.is_empty() {
            break;
        }
        for row in &batch {
            if let Err(b) =
                verifier.push(row.seq as u64, &row.prev_hash, &row.hash, &canonical(row))
            {
                let status = ChainStatus::Broken {
                    first_broken_seq: b.seq as i64,
                    kind: format!("{:?}", b.kind).to_lowercase(),
                };
                return Ok((status, head_seq));
            }
            count += 1;
            after = row.seq;
        }
    }
    // Rows deleted from the end leave the head pointing past the last event.
    let last_hash = if verifier.events() == 0 {
        prefix
            .map(|p| p.hash.clone())
            .unwrap_or_else(|| chain::GENESIS.to_string())
    } else {
        verifier.last_hash().to_string()
    };
    if after != head_seq || last_hash != head_hash {
        let status = ChainStatus::Broken {
            first_broken_seq: after + 1,
            kind: "truncated".into(),
        };
        return Ok((status, head_seq));
    }
    Ok((
        ChainStatus::Intact {
            events: count,
            head_hash,
        },
        head_seq,
    ))
}

/// The auditors' desk: reading the log and checking the chain. Reading the log is itself
/// audited.
#[derive(Debug)]
pub struct AuditDesk {
    pub(crate) app: App,
    pub(crate) actor: Actor,
    pub(crate) ctx: RequestCtx,
}

impl AuditDesk {
    pub async fn list(&self, q: &AuditQuery) -> Result<AuditPage> {
        let per_page = q.per_page.unwrap_or(50).clamp(1, 500);
        let page = q.page.unwrap_or(1).max(1);
        let filter = AuditFilter {
            user: nonempty(&q.user),
            unit: nonempty(&q.unit),
            record_type: nonempty(&q.record_type),
            record_id: nonempty(&q.record_id),
            action: nonempty(&q.action),
            from: q.from_ms,
            to: q.to_ms,
            limit: per_page,
            offset: (page - 1) * per_page,
        };
        let mut tx = self.app.store().begin().await?;
        let rows = audit::list(&mut tx, &filter).await?;
        let total = audit::count(&mut tx, &filter).await?;
        record(
            &mut tx,
            &self.app,
            &self.ctx,
            Some(&self.actor),
            Event {
                action: "audit.read",
                record_type: "audit_log",
                outcome: "ok",
                detail: format!("page {page}, {} events", rows.len()),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(AuditPage {
            events: rows.into_iter().map(view).collect(),
            total,
            page,
            per_page,
        })
    }

    /// The chain status for the audit page. New events are checked at every call; the
    /// whole chain again at least every ten minutes, so a page view stays cheap on a
    /// long log. `fanguai audit verify` always walks the whole chain.
    pub async fn verify(&self) -> Result<ChainStatus> {
        const FULL_EVERY_MS: i64 = 10 * 60 * 1000;
        let now = self.app.now_ms();
        let cached = self
            .app
            .inner
            .audit_verified
            .lock()
            .expect("audit cache lock")
            .clone();
        let prefix = cached.filter(|p| now - p.full_at_ms < FULL_EVERY_MS);
        let (status, head_seq) = verify_chain_after(self.app.store(), prefix.as_ref()).await?;
        let fresh = match &status {
            ChainStatus::Intact { events, head_hash } => Some(VerifiedPrefix {
                seq: head_seq,
                hash: head_hash.clone(),
                events: *events,
                full_at_ms: prefix.map(|p| p.full_at_ms).unwrap_or(now),
            }),
            ChainStatus::Broken { .. } => None,
        };
        *self
            .app
            .inner
            .audit_verified
            .lock()
            .expect("audit cache lock") = fresh;
        Ok(status)
    }
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn view(r: AuditEventRow) -> AuditEventView {
    AuditEventView {
        seq: r.seq,
        at_ms: r.at,
        request_id: r.request_id,
        username: r.actor_username,
        unit: r.actor_unit,
        role: r.actor_role,
        action: r.action,
        record_type: r.record_type,
        record_id: r.record_id,
        purpose: r.purpose,
        outcome: r.outcome,
        detail: r.detail,
        hash: r.hash,
    }
}

//! Tips (举报线索): the public reporting line and the staff desk that triages every tip to
//! exactly one recorded decision.
//!
//! - [`PublicTipDesk`] (no login, `App::public_tips`): submit, follow the status with the
//!   tracking code and secret, add information.
//! - [`TipDesk`] (`Session::tips`): enter tips from the phone line, walk-ins, letters,
//!   mandatory reporters, other units and regions; list; acknowledge and assign; decide;
//!   the second review of "no action"; referrals; duplicates; revealing the reporter.
//! - [`App::escalate_overdue_tips`] runs every minute and [`App::overdue_for`] feeds the
//!   home pages of the duty supervisor and the joint-conference office.
//!
//! What the reporter wrote is sealed under a data key of the tip (`tip:<id>`); every read
//! of it and every change is audited in the transaction that does it.

pub mod demo;
mod photos;
mod store;

use fanguai_domain::DivisionCode;
use fanguai_domain::divisions;
use fanguai_domain::ids::Purpose;
use fanguai_domain::org::LEAD_UNIT_ID;
use fanguai_domain::policy::{self, Action, Decision};
use fanguai_domain::role::Role;
use fanguai_domain::tips::{
    MandatoryReporter, NoActionReason, ProposedDecision, PublicStatus, PublicTipForm,
    ReferralReason, TipEvent, TipFormErrors, TipSecret, TipSource, TipStateKind, TipUrgency,
    TrackingCode, ValidTip, duplicate_score,
};
use fanguai_store::tips::{self as repo, TipFilter, TipRow};
use fanguai_store::{units, users};
use serde::Serialize;

use crate::app::App;
use crate::audit_log::{self, Event, record};
use crate::auth::{Actor, Session};
use crate::ctx::RequestCtx;
use crate::error::{Result, ServiceError};

pub use photos::{MAX_PHOTO_BYTES, MAX_PHOTOS};
use store::{Loaded, Sealed};

/// A photo as uploaded; its type is read from the bytes.
#[derive(Clone)]
pub struct PhotoUpload {
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for PhotoUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PhotoUpload(<{} bytes>)", self.bytes.len())
    }
}

/// What the reporter keeps: shown once, never stored in clear.
#[derive(Clone)]
pub struct TipReceipt {
    pub tip_id: String,
    /// `ABCD-EFGH-JKM5`.
    pub tracking_code: String,
    /// `ABCD-EFGH-JKMN-PQRS`.
    pub secret: String,
}

impl std::fmt::Debug for TipReceipt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TipReceipt")
            .field("tip_id", &self.tip_id)
            .field("tracking_code", &self.tracking_code)
            .field("secret", &"***")
            .finish()
    }
}

/// One line of a tip list. `masked` lists (office, convenor) carry no text.
#[derive(Debug, Clone, Serialize)]
pub struct TipSummary {
    pub id: String,
    pub received_at_ms: i64,
    pub ack_deadline_ms: i64,
    pub urgency: TipUrgency,
    pub state: &'static str,
    pub source: String,
    pub division: String,
    pub division_name: String,
    pub owner_unit_id: String,
    pub assignee_user_id: Option<String>,
    pub assignee_username: Option<String>,
    pub overdue: bool,
    pub escalated: bool,
    pub decision: Option<String>,
    pub masked: bool,
    /// The first words of what happened; `None` when masked.
    pub excerpt: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RiskGroupView {
    pub count: u32,
    pub sex: &'static str,
    pub age_band: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub at_ms: i64,
    pub actor_username: Option<String>,
    pub kind: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhotoMeta {
    pub id: String,
    pub content_type: String,
    pub size_bytes: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AdditionView {
    pub at_ms: i64,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReferralView {
    pub tip_id: String,
    pub to_unit_id: String,
    pub reason: String,
    pub referred_at_ms: i64,
    pub acknowledged_at_ms: Option<i64>,
    pub acknowledged_by: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoActionView {
    pub reason: String,
    pub proposed_by: String,
    pub proposed_at_ms: i64,
}

/// A tip as the triage page shows it. Masked for the office and convenor: no text, no
/// identifiers, no photos.
#[derive(Debug, Clone, Serialize)]
pub struct TipDetail {
    pub summary: TipSummary,
    pub occurred_date: String,
    pub occurred_time: Option<String>,
    pub people_at_risk: Vec<RiskGroupView>,
    pub child_involved: bool,
    pub immediate_danger: bool,
    pub what_happened: Option<String>,
    pub address: Option<String>,
    pub suspects: Vec<String>,
    pub vehicles: Vec<String>,
    pub phones: Vec<String>,
    pub accounts: Vec<String>,
    pub has_contact: bool,
    pub photos: Vec<PhotoMeta>,
    pub additions: Vec<AdditionView>,
    pub history: Vec<HistoryEntry>,
    pub case_ref: Option<String>,
    pub referral: Option<ReferralView>,
    pub no_action_pending: Option<NoActionView>,
    /// What this actor may do now: ids of `TipEventKind` plus `reveal_reporter`.
    pub actions: Vec<&'static str>,
}

/// A possible duplicate shown at triage.
#[derive(Debug, Clone, Serialize)]
pub struct DuplicateView {
    pub tip_id: String,
    pub score: u32,
    /// Reason ids: `same_phone`, `same_account`, `same_vehicle`, `same_place_and_time`,
    /// `similar_text`.
    pub reasons: Vec<&'static str>,
    pub received_at_ms: i64,
    pub state: &'static str,
}

/// The reporter's identity, revealed to the assigned investigator or their supervisor.
#[derive(Clone, Serialize)]
pub struct ReporterView {
    pub name: Option<String>,
    pub phone: Option<String>,
}

impl std::fmt::Debug for ReporterView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReporterView(***)")
    }
}

/// The case a decision opens or joins, written with the decision.
enum CaseLink<'a> {
    None,
    Open,
    Join(&'a str),
}

/// The decision an investigator records.
#[derive(Debug, Clone)]
pub enum DecisionInput {
    OpenCase,
    JoinCase { case_id: String },
    Refer { to_unit: String, reason: String },
    NoAction { reason: String },
}

/// Reads a staff-entered source: `phone_line`, `walk_in`, `letter`,
/// `mandatory_reporter` (detail: `school`, `hospital`, `hotel`, `community_grid`),
/// `other_unit` (detail: unit id) or `other_region` (detail: division code).
pub fn parse_source(kind: &str, detail: &str) -> Result<TipSource> {
    let detail = detail.trim();
    Ok(match kind.trim() {
        "phone_line" => TipSource::PhoneLine,
        "walk_in" => TipSource::WalkIn,
        "letter" => TipSource::Letter,
        "mandatory_reporter" => TipSource::MandatoryReporter(
            MandatoryReporter::ALL
                .into_iter()
                .find(|m| m.id() == detail)
                .ok_or_else(|| {
                    ServiceError::invalid("source_detail", "tip.source.reporter_unknown")
                })?,
        ),
        "other_unit" => {
            if fanguai_domain::org::member_unit(detail).is_none() {
                return Err(ServiceError::invalid("source_detail", "unit.unknown"));
            }
            TipSource::OtherUnit(detail.into())
        }
        "other_region" => TipSource::OtherRegion(
            DivisionCode::parse(detail)
                .map_err(|e| ServiceError::invalid("source_detail", e.code()))?,
        ),
        _ => return Err(ServiceError::invalid("source", "tip.source.unknown")),
    })
}

fn source_detail(s: &TipSource) -> Option<String> {
    match s {
        TipSource::MandatoryReporter(m) => Some(m.id().to_owned()),
        TipSource::OtherUnit(u) => Some(u.as_str().to_owned()),
        TipSource::OtherRegion(d) => Some(format!("{:06}", d.as_u32())),
        _ => None,
    }
}

fn transition_error(e: fanguai_domain::tips::TipError) -> ServiceError {
    ServiceError::invalid("event", e.code())
}

fn ts(ms: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

fn ms(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

impl App {
    /// The public reporting line: no login.
    pub fn public_tips(&self, ctx: &RequestCtx) -> PublicTipDesk {
        PublicTipDesk {
            app: self.clone(),
            ctx: ctx.clone(),
        }
    }

    /// Marks every tip still unacknowledged after its deadline as escalated, once, with a
    /// history entry and an audit event. The server runs it every minute. Returns how many
    /// tips it escalated.
    pub async fn escalate_overdue_tips(&self, ctx: &RequestCtx) -> Result<usize> {
        let now = self.now_ms();
        let mut tx = self.store().begin().await?;
        let due = repo::due_for_escalation(&mut tx, now).await?;
        let mut n = 0;
        for t in &due {
            if !repo::mark_escalated(&mut tx, &t.id, now).await? {
                continue;
            }
            n += 1;
            store::history(
                &mut tx,
                &t.id,
                now,
                None,
                "escalated",
                "duty_supervisor,office",
            )
            .await?;
            record(
                &mut tx,
                self,
                ctx,
                None,
                Event {
                    action: "tip.escalate",
                    record_type: "tip",
                    record_id: &t.id,
                    outcome: "ok",
                    detail: format!(
                        "unacknowledged {} min after the deadline; to duty supervisor and office",
                        (now - t.ack_deadline) / 60_000
                    ),
                    ..Default::default()
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Overdue tips for a home page: a supervisor sees their unit's, the office and
    /// convenor all of them (masked); everyone else none. Lists carry no personal data.
    pub async fn overdue_for(&self, session: &Session) -> Result<Vec<TipSummary>> {
        let actor = &session.actor;
        let now = self.now_ms();
        let (owner_unit, masked) = if actor.roles.contains(&Role::Supervisor) {
            (Some(actor.unit_id.clone()), false)
        } else if actor
            .roles
            .iter()
            .any(|r| matches!(r, Role::Office | Role::Convenor))
        {
            (None, true)
        } else {
            return Ok(Vec::new());
        };
        if !matches!(
            policy::decide(&actor.policy(), &Action::ViewHome),
            Decision::Allow
        ) {
            return Ok(Vec::new());
        }
        let mut c = self.store().conn().await?;
        let rows = repo::list(
            &mut c,
            &TipFilter {
                owner_unit,
                overdue_at: Some(now),
                limit: 200,
                ..Default::default()
            },
        )
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(store::summary(&mut c, r, now, masked, None).await?);
        }
        Ok(out)
    }
}

/// The public reporting line.
#[derive(Debug, Clone)]
pub struct PublicTipDesk {
    app: App,
    ctx: RequestCtx,
}

impl PublicTipDesk {
    /// Checks the form against the service's clock; every problem is reported by field.
    pub fn validate(&self, form: &PublicTipForm) -> std::result::Result<ValidTip, TipFormErrors> {
        form.validate(ts(self.app.now_ms()))
    }

    /// Stores a public tip for the police (the lead unit) and returns its tracking code
    /// and secret, which are shown to the reporter once.
    pub async fn submit(&self, tip: &ValidTip, photos: &[PhotoUpload]) -> Result<TipReceipt> {
        store::create(
            &self.app,
            &self.ctx,
            None,
            tip,
            &TipSource::PublicWebForm,
            LEAD_UNIT_ID,
            photos,
        )
        .await
    }

    /// The public status of a tip: received, being handled or closed. A wrong secret and
    /// an unknown code give the same `NotFound` after the same work.
    pub async fn status(&self, code: &str, secret: &str) -> Result<PublicStatus> {
        let mut c = self.app.store().conn().await?;
        let row = store::by_code_and_secret(&mut c, &self.app, code, secret).await?;
        let loaded = Loaded::load(&mut c, &self.app, row).await?;
        Ok(loaded.state.public_status())
    }

    /// Adds what the reporter remembered later; sealed like the tip and shown to staff.
    pub async fn add_information(&self, code: &str, secret: &str, text: &str) -> Result<()> {
        let text = text.trim();
        let chars = text.chars().count();
        if chars < 2 {
            return Err(ServiceError::invalid("text", "tip.addition.too_short"));
        }
        if chars > 5000 {
            return Err(ServiceError::invalid("text", "tip.addition.too_long"));
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(ServiceError::invalid("text", "tip.addition.control"));
        }
        let mut tx = self.app.store().begin().await?;
        let row = store::by_code_and_secret(&mut tx, &self.app, code, secret).await?;
        let now = self.app.now_ms();
        let sealed = Sealed::for_row(&mut tx, &self.app, &row).await?;
        let id = uuid::Uuid::now_v7().to_string();
        repo::add_addition(
            &mut tx,
            &repo::TipAdditionRow {
                id: id.clone(),
                tip_id: row.id.clone(),
                at: now,
                text_enc: sealed.seal("tip_additions", "text", &id, text.as_bytes()),
            },
        )
        .await?;
        store::history(&mut tx, &row.id, now, None, "information_added", "").await?;
        record(
            &mut tx,
            &self.app,
            &self.ctx,
            None,
            Event {
                action: "tip.add_information",
                record_type: "tip",
                record_id: &row.id,
                outcome: "ok",
                detail: format!("{chars} characters from the reporter"),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The staff desk for tips. Handed out by [`Session::tips`] to roles that may enter
/// tips; each use case asks the policy again with the facts of the tip.
#[derive(Debug, Clone)]
pub struct TipDesk {
    pub(crate) app: App,
    pub(crate) actor: Actor,
    pub(crate) ctx: RequestCtx,
}

/// What the policy said about reading one tip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReadLevel {
    Full,
    Masked,
}

impl TipDesk {
    fn is(&self, role: Role) -> bool {
        self.actor.roles.contains(&role)
    }

    async fn refuse(&self, action: &str, reason: policy::DenyReason) -> ServiceError {
        audit_log::refuse(&self.app, &self.ctx, &self.actor, action, reason.code()).await
    }

    async fn may_read(&self, row: &TipRow) -> Result<ReadLevel> {
        let action = Action::ReadTip {
            owner_unit: row.owner_unit_id.clone().into(),
            assigned_to: row.assignee_user_id.clone().map(Into::into),
        };
        match policy::decide(&self.actor.policy(), &action) {
            Decision::Allow => Ok(ReadLevel::Full),
            Decision::AllowMasked => Ok(ReadLevel::Masked),
            Decision::Deny(reason) => Err(self.refuse("tip.read", reason).await),
        }
    }

    async fn may_triage(&self, row: &TipRow) -> Result<()> {
        let action = Action::TriageTip {
            owner_unit: row.owner_unit_id.clone().into(),
            assigned_to: row.assignee_user_id.clone().map(Into::into),
        };
        match policy::decide(&self.actor.policy(), &action) {
            Decision::Allow => Ok(()),
            Decision::AllowMasked => Err(self.refuse("tip.triage", policy::DenyReason::Role).await),
            Decision::Deny(reason) => Err(self.refuse("tip.triage", reason).await),
        }
    }

    async fn supervises(
        &self,
        c: &mut fanguai_store::Conn,
        assignee: Option<&str>,
    ) -> Result<bool> {
        if !self.is(Role::Supervisor) {
            return Ok(false);
        }
        let Some(a) = assignee else { return Ok(false) };
        Ok(users::get(c, a)
            .await?
            .is_some_and(|u| u.unit_id == self.actor.unit_id))
    }

    async fn tip(&self, c: &mut fanguai_store::Conn, id: &str) -> Result<TipRow> {
        repo::get(c, id).await?.ok_or(ServiceError::NotFound("tip"))
    }

    /// Enters a tip received by phone, in person, by letter, from a mandatory reporter,
    /// another unit or another region. Police staff enter it for their own unit; other
    /// units' staff hand it to the police.
    pub async fn enter(
        &self,
        source: &TipSource,
        tip: &ValidTip,
        photos: &[PhotoUpload],
    ) -> Result<TipReceipt> {
        if source.is_public() && *source == TipSource::PublicWebForm {
            return Err(ServiceError::invalid("source", "tip.source.unknown"));
        }
        let owner = if self.is(Role::Investigator) || self.is(Role::Supervisor) {
            self.actor.unit_id.clone()
        } else {
            LEAD_UNIT_ID.to_owned()
        };
        store::create(
            &self.app,
            &self.ctx,
            Some(&self.actor),
            tip,
            source,
            &owner,
            photos,
        )
        .await
    }

    /// Validates a form against the service's clock.
    pub fn validate(&self, form: &PublicTipForm) -> std::result::Result<ValidTip, TipFormErrors> {
        form.validate(ts(self.app.now_ms()))
    }

    /// Tips this actor may see: investigators their unit's and those assigned to them,
    /// supervisors their unit's, the office and convenor all of them masked.
    pub async fn list(&self) -> Result<Vec<TipSummary>> {
        let probe = Action::ReadTip {
            owner_unit: self.actor.unit_id.clone().into(),
            assigned_to: None,
        };
        let masked = match policy::decide(&self.actor.policy(), &probe) {
            Decision::Allow => false,
            Decision::AllowMasked => true,
            Decision::Deny(reason) => return Err(self.refuse("tip.list", reason).await),
        };
        let now = self.app.now_ms();
        let mut tx = self.app.store().begin().await?;
        let filter = if masked {
            TipFilter::default()
        } else {
            TipFilter {
                owner_unit: Some(self.actor.unit_id.clone()),
                or_assignee: Some(self.actor.user_id.clone()),
                ..Default::default()
            }
        };
        let rows = repo::list(&mut tx, &filter).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let excerpt = if masked {
                None
            } else {
                let sealed = Sealed::for_row(&mut tx, &self.app, r).await?;
                Some(excerpt(&sealed.open_text(
                    "what_happened",
                    &r.id,
                    &r.what_happened_enc,
                )?))
            };
            out.push(store::summary(&mut tx, r, now, masked, excerpt).await?);
        }
        record(
            &mut tx,
            &self.app,
            &self.ctx,
            Some(&self.actor),
            Event {
                action: "tip.list",
                record_type: "tip",
                outcome: "ok",
                detail: format!("{} tips{}", out.len(), if masked { ", masked" } else { "" }),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// One tip with its history; masked for the office and convenor. Audited.
    pub async fn get(&self, id: &str) -> Result<TipDetail> {
        let mut c = self.app.store().conn().await?;
        let row = self.tip(&mut c, id).await?;
        drop(c);
        let level = self.may_read(&row).await?;
        let mut tx = self.app.store().begin().await?;
        let now = self.app.now_ms();
        let loaded = Loaded::load(&mut tx, &self.app, row.clone()).await?;
        let masked = level == ReadLevel::Masked;
        let supervises = self
            .supervises(&mut tx, row.assignee_user_id.as_deref())
            .await?;
        let mut detail = loaded.detail(&mut tx, &self.app, now, masked).await?;
        detail.actions = self.actions_for(&row, &loaded, supervises);
        record(
            &mut tx,
            &self.app,
            &self.ctx,
            Some(&self.actor),
            Event {
                action: "tip.read",
                record_type: "tip",
                record_id: &row.id,
                outcome: "ok",
                detail: if masked {
                    "masked".into()
                } else {
                    String::new()
                },
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(detail)
    }

    fn actions_for(&self, row: &TipRow, loaded: &Loaded, supervises: bool) -> Vec<&'static str> {
        let pol = self.actor.policy();
        let triage = matches!(
            policy::decide(
                &pol,
                &Action::TriageTip {
                    owner_unit: row.owner_unit_id.clone().into(),
                    assigned_to: row.assignee_user_id.clone().map(Into::into),
                }
            ),
            Decision::Allow
        );
        let mut out = Vec::new();
        for kind in loaded.state.allowed_events() {
            use fanguai_domain::tips::TipEventKind as K;
            let ok = match kind {
                K::AcknowledgeReferral => loaded
                    .referral
                    .as_ref()
                    .is_some_and(|r| r.to_unit_id == self.actor.unit_id),
                K::Reassign | K::ApproveNoAction | K::RejectNoAction => {
                    triage && self.is(Role::Supervisor)
                }
                _ => triage,
            };
            if ok {
                out.push(kind.id());
            }
        }
        let reveal = matches!(
            policy::decide(
                &pol,
                &Action::RevealReporter {
                    owner_unit: row.owner_unit_id.clone().into(),
                    assigned_to: row.assignee_user_id.clone().map(Into::into),
                    supervisor_of_assignee: supervises,
                }
            ),
            Decision::Allow
        );
        if reveal && row.contact_enc.is_some() {
            out.push("reveal_reporter");
        }
        out
    }

    /// Applies one event of the tip's state machine after the policy allowed triage.
    async fn transition(&self, id: &str, event: TipEvent, note: &str) -> Result<()> {
        self.transition_linked(id, event, note, CaseLink::None)
            .await
    }

    /// The case desk acting for the same person in the same request.
    fn case_desk(&self) -> crate::cases::CaseDesk {
        crate::cases::CaseDesk {
            app: self.app.clone(),
            actor: self.actor.clone(),
            ctx: self.ctx.clone(),
        }
    }

    /// Applies one event and, in the same transaction, opens or joins the case the
    /// decision names: a decision is never stored without its case, nor a case without
    /// its decision.
    async fn transition_linked(
        &self,
        id: &str,
        event: TipEvent,
        note: &str,
        link: CaseLink<'_>,
    ) -> Result<()> {
        let mut c = self.app.store().conn().await?;
        let row = self.tip(&mut c, id).await?;
        drop(c);
        if !matches!(event, TipEvent::AcknowledgeReferral) {
            self.may_triage(&row).await?;
        }
        let cases = self.case_desk();
        if matches!(link, CaseLink::Open) {
            // Asked before the write transaction opens: a refusal is audited in its own.
            cases.may_open().await?;
        }
        let mut tx = self.app.store().begin().await?;
        // Re-read inside the write transaction: another request may have moved the tip.
        let row = self.tip(&mut tx, id).await?;
        let loaded = Loaded::load(&mut tx, &self.app, row).await?;
        let now = self.app.now_ms();
        let next = loaded
            .state
            .apply(&event, &self.actor.policy(), ts(now))
            .map_err(transition_error)?;
        // The case is checked once the tip may take the decision, so that a tip already
        // decided says so rather than naming the case; nothing is written before.
        let (mut tx, joined) = match link {
            CaseLink::Join(case_id) => {
                match cases.writable(tx, case_id, "tip.join_case").await {
                    Ok((tx, case)) => (tx, Some(case)),
                    Err(ServiceError::NotFound(_)) => {
                        return Err(ServiceError::invalid("case_id", "tip.case_id.unknown"));
                    }
                    // The refusal is already audited; the form names the field.
                    Err(ServiceError::Refused { .. }) => {
                        return Err(ServiceError::invalid("case_id", "tip.case_id.refused"));
                    }
                    Err(e) => return Err(e),
                }
            }
            _ => (tx, None),
        };
        let kind = event.kind().id();
        let opened = match (&link, &next) {
            (CaseLink::Open, fanguai_domain::tips::TipState::Decided { .. }) => {
                let report = crate::cases::NewCaseReport {
                    summary: loaded.sealed.open_text(
                        "what_happened",
                        &loaded.row.id,
                        &loaded.row.what_happened_enc,
                    )?,
                    division: loaded.row.division.clone(),
                    occurred_on: loaded.row.occurred_date.clone(),
                    missing_person: false,
                };
                Some(
                    cases
                        .create_in(&mut tx, &report, Some(loaded.row.id.clone()))
                        .await?,
                )
            }
            _ => None,
        };
        store::save_transition(
            &mut tx,
            &self.app,
            &loaded,
            &next,
            &event,
            &self.actor,
            now,
            opened.as_ref().map(|c| c.id.as_str()),
        )
        .await?;
        if let Some(case) = &joined {
            cases.tip_joined(&mut tx, case, &loaded.row.id).await?;
        }
        let note = match &opened {
            Some(case) => format!("case {}", case.id),
            None => note.to_owned(),
        };
        let note = note.as_str();
        store::history(
            &mut tx,
            &loaded.row.id,
            now,
            Some(&self.actor.user_id),
            kind,
            note,
        )
        .await?;
        record(
            &mut tx,
            &self.app,
            &self.ctx,
            Some(&self.actor),
            Event {
                action: "tip.triage",
                record_type: "tip",
                record_id: &loaded.row.id,
                outcome: "ok",
                detail: format!(
                    "{kind}: {} -> {}{}",
                    loaded.state.kind().id(),
                    next.kind().id(),
                    if note.is_empty() {
                        String::new()
                    } else {
                        format!(" ({note})")
                    }
                ),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn check_assignee(&self, owner_unit: &str, assignee: &str) -> Result<()> {
        let mut c = self.app.store().conn().await?;
        let Some(u) = users::get(&mut c, assignee).await? else {
            return Err(ServiceError::invalid("assignee", "tip.assignee.unknown"));
        };
        let roles = crate::auth::parse_roles(&u.roles);
        if u.disabled
            || u.unit_id != owner_unit
            || !roles
                .iter()
                .any(|r| matches!(r, Role::Investigator | Role::Supervisor))
        {
            return Err(ServiceError::invalid(
                "assignee",
                "tip.assignee.not_investigator",
            ));
        }
        Ok(())
    }

    /// Acknowledges (签收) the tip and assigns it to an investigator of the owning unit.
    pub async fn acknowledge(&self, id: &str, assignee_user_id: &str) -> Result<()> {
        let mut c = self.app.store().conn().await?;
        let row = self.tip(&mut c, id).await?;
        drop(c);
        self.may_triage(&row).await?;
        self.check_assignee(&row.owner_unit_id, assignee_user_id)
            .await?;
        self.transition(
            id,
            TipEvent::Acknowledge {
                assignee: assignee_user_id.into(),
            },
            "",
        )
        .await
    }

    /// A supervisor gives the tip to another investigator.
    pub async fn reassign(&self, id: &str, assignee_user_id: &str) -> Result<()> {
        let mut c = self.app.store().conn().await?;
        let row = self.tip(&mut c, id).await?;
        drop(c);
        self.may_triage(&row).await?;
        self.check_assignee(&row.owner_unit_id, assignee_user_id)
            .await?;
        self.transition(
            id,
            TipEvent::Reassign {
                assignee: assignee_user_id.into(),
            },
            "",
        )
        .await
    }

    pub async fn start_review(&self, id: &str) -> Result<()> {
        self.transition(id, TipEvent::StartReview, "").await
    }

    /// Records the decision; no action waits for a second supervisor's approval.
    pub async fn decide(&self, id: &str, input: &DecisionInput) -> Result<()> {
        let (proposed, note) = match input {
            DecisionInput::OpenCase => (ProposedDecision::OpenCase, String::new()),
            DecisionInput::JoinCase { case_id } => {
                let case_id = case_id.trim();
                if case_id.is_empty()
                    || case_id.chars().count() > 64
                    || case_id.chars().any(char::is_control)
                {
                    return Err(ServiceError::invalid("case_id", "tip.case_id.invalid"));
                }
                (
                    ProposedDecision::JoinCase(fanguai_domain::cases::CaseId::new(case_id)),
                    format!("case {case_id}"),
                )
            }
            DecisionInput::Refer { to_unit, reason } => {
                let to = to_unit.trim();
                let mut c = self.app.store().conn().await?;
                if units::get(&mut c, to).await?.is_none() {
                    return Err(ServiceError::invalid("to_unit", "unit.unknown"));
                }
                let reason = ReferralReason::parse(reason)
                    .map_err(|e| ServiceError::invalid("reason", e.code()))?;
                (
                    ProposedDecision::Refer {
                        to: to.into(),
                        reason,
                    },
                    format!("to {to}"),
                )
            }
            DecisionInput::NoAction { reason } => (
                ProposedDecision::NoAction(
                    NoActionReason::parse(reason)
                        .map_err(|e| ServiceError::invalid("reason", e.code()))?,
                ),
                String::new(),
            ),
        };
        let link = match input {
            DecisionInput::OpenCase => CaseLink::Open,
            DecisionInput::JoinCase { case_id } => CaseLink::Join(case_id.trim()),
            _ => CaseLink::None,
        };
        self.transition_linked(id, TipEvent::Decide(proposed), &note, link)
            .await
    }

    /// The second reviewer, a supervisor other than the proposer, approves no action.
    pub async fn approve_no_action(&self, id: &str) -> Result<()> {
        self.transition(id, TipEvent::ApproveNoAction, "").await
    }

    /// The second reviewer sends the tip back for more work.
    pub async fn reject_no_action(&self, id: &str) -> Result<()> {
        self.transition(id, TipEvent::RejectNoAction, "").await
    }

    /// The receiving unit takes up a referral.
    pub async fn acknowledge_referral(&self, id: &str) -> Result<()> {
        let mut c = self.app.store().conn().await?;
        let referral = repo::referral(&mut c, id).await?;
        drop(c);
        match referral {
            Some(r) if r.to_unit_id == self.actor.unit_id => {}
            Some(_) => {
                return Err(self
                    .refuse("tip.acknowledge_referral", policy::DenyReason::NotReferred)
                    .await);
            }
            None => return Err(ServiceError::NotFound("referral")),
        }
        self.transition(id, TipEvent::AcknowledgeReferral, "").await
    }

    /// Tips referred to the actor's unit, unacknowledged first, with what the unit needs
    /// to act: what happened, where, when, and the referral reason. Never the reporter.
    pub async fn referral_inbox(&self) -> Result<Vec<(ReferralView, TipSummary, String)>> {
        let now = self.app.now_ms();
        let mut tx = self.app.store().begin().await?;
        let refs = repo::referrals_to(&mut tx, &self.actor.unit_id).await?;
        let mut out = Vec::with_capacity(refs.len());
        for r in refs {
            let row = self.tip(&mut tx, &r.tip_id).await?;
            let sealed = Sealed::for_row(&mut tx, &self.app, &row).await?;
            let text = sealed.open_text("what_happened", &row.id, &row.what_happened_enc)?;
            let view = store::referral_view(&sealed, &r)?;
            let summary = store::summary(&mut tx, &row, now, false, Some(excerpt(&text))).await?;
            out.push((view, summary, text));
        }
        record(
            &mut tx,
            &self.app,
            &self.ctx,
            Some(&self.actor),
            Event {
                action: "tip.referral_inbox",
                record_type: "tip",
                outcome: "ok",
                detail: format!("{} referrals", out.len()),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Open tips that may report the same thing, scored by the domain's rules.
    pub async fn duplicates(&self, id: &str) -> Result<Vec<DuplicateView>> {
        let mut c = self.app.store().conn().await?;
        let row = self.tip(&mut c, id).await?;
        drop(c);
        self.may_triage(&row).await?;
        let mut tx = self.app.store().begin().await?;
        let me = Loaded::load(&mut tx, &self.app, row.clone()).await?;
        let Some(mine) = me.valid_tip(&mut tx, &self.app).await? else {
            tx.commit().await?;
            return Ok(Vec::new());
        };
        let ids = repo::identifiers_of(&mut tx, &row.id).await?;
        let mut candidates = repo::open_sharing_identifiers(&mut tx, &row.id, &ids).await?;
        const MONTH_MS: i64 = 31 * 24 * 3600 * 1000;
        for t in repo::open_in_division(
            &mut tx,
            &row.division,
            row.received_at - MONTH_MS,
            row.received_at + MONTH_MS,
        )
        .await?
        {
            if t.id != row.id && !candidates.contains(&t.id) {
                candidates.push(t.id);
            }
        }
        let mut out = Vec::new();
        for cid in &candidates {
            let other_row = self.tip(&mut tx, cid).await?;
            let other = Loaded::load(&mut tx, &self.app, other_row).await?;
            let Some(theirs) = other.valid_tip(&mut tx, &self.app).await? else {
                continue;
            };
            let a = duplicate_score(&mine, &theirs);
            if a.is_possible_duplicate() {
                out.push(DuplicateView {
                    tip_id: other.row.id.clone(),
                    score: a.score,
                    reasons: a.reasons.iter().map(|r| r.id()).collect(),
                    received_at_ms: other.row.received_at,
                    state: other.state.kind().id(),
                });
            }
        }
        out.sort_by(|a, b| b.score.cmp(&a.score).then(a.tip_id.cmp(&b.tip_id)));
        record(
            &mut tx,
            &self.app,
            &self.ctx,
            Some(&self.actor),
            Event {
                action: "tip.duplicates",
                record_type: "tip",
                record_id: &row.id,
                outcome: "ok",
                detail: format!(
                    "{} candidates compared, {} possible duplicates",
                    candidates.len(),
                    out.len()
                ),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Who reported, for the assigned investigator or their supervisor, with a stated
    /// purpose that the audit log keeps.
    pub async fn reveal_reporter(&self, id: &str, purpose: &str) -> Result<ReporterView> {
        let purpose =
            Purpose::parse(purpose).map_err(|e| ServiceError::invalid("purpose", e.code()))?;
        let mut c = self.app.store().conn().await?;
        let row = self.tip(&mut c, id).await?;
        let supervises = self
            .supervises(&mut c, row.assignee_user_id.as_deref())
            .await?;
        drop(c);
        let action = Action::RevealReporter {
            owner_unit: row.owner_unit_id.clone().into(),
            assigned_to: row.assignee_user_id.clone().map(Into::into),
            supervisor_of_assignee: supervises,
        };
        if let Decision::Deny(reason) = policy::decide(&self.actor.policy(), &action) {
            return Err(self.refuse("tip.reveal_reporter", reason).await);
        }
        let mut tx = self.app.store().begin().await?;
        let sealed = Sealed::for_row(&mut tx, &self.app, &row).await?;
        let view = match &row.contact_enc {
            Some(enc) => {
                let c: store::StoredContact = sealed.open_json("contact", &row.id, enc)?;
                ReporterView {
                    name: c.name,
                    phone: c.phone,
                }
            }
            None => ReporterView {
                name: None,
                phone: None,
            },
        };
        store::history(
            &mut tx,
            &row.id,
            self.app.now_ms(),
            Some(&self.actor.user_id),
            "reporter_revealed",
            "",
        )
        .await?;
        record(
            &mut tx,
            &self.app,
            &self.ctx,
            Some(&self.actor),
            Event {
                action: "tip.reveal_reporter",
                record_type: "tip",
                record_id: &row.id,
                purpose: purpose.as_str(),
                outcome: "ok",
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(view)
    }

    /// A photo's bytes (metadata already removed) for someone who may read the tip in
    /// full. Audited.
    pub async fn photo(&self, tip_id: &str, photo_id: &str) -> Result<(String, Vec<u8>)> {
        let mut c = self.app.store().conn().await?;
        let row = self.tip(&mut c, tip_id).await?;
        drop(c);
        if self.may_read(&row).await? != ReadLevel::Full {
            return Err(self.refuse("tip.photo", policy::DenyReason::Role).await);
        }
        let mut tx = self.app.store().begin().await?;
        let sealed = Sealed::for_row(&mut tx, &self.app, &row).await?;
        let p = repo::photos(&mut tx, &row.id)
            .await?
            .into_iter()
            .find(|p| p.id == photo_id)
            .ok_or(ServiceError::NotFound("photo"))?;
        let bytes = sealed.open("tip_photos", "photo", &p.id, &p.photo_enc)?;
        record(
            &mut tx,
            &self.app,
            &self.ctx,
            Some(&self.actor),
            Event {
                action: "tip.photo",
                record_type: "tip",
                record_id: &row.id,
                outcome: "ok",
                detail: format!("photo {}", p.position + 1),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok((p.content_type, bytes))
    }

    /// Investigators and supervisors of the actor's unit, for the assignment form.
    pub async fn assignable(&self) -> Result<Vec<(String, String)>> {
        let mut c = self.app.store().conn().await?;
        let mut out = Vec::new();
        for u in users::list_by_unit(&mut c, &self.actor.unit_id).await? {
            let roles = crate::auth::parse_roles(&u.roles);
            if !u.disabled
                && roles
                    .iter()
                    .any(|r| matches!(r, Role::Investigator | Role::Supervisor))
            {
                out.push((u.id, u.username));
            }
        }
        Ok(out)
    }
}

fn excerpt(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        s.push('…');
    }
    s
}

pub(crate) fn division_name(code: &str) -> String {
    DivisionCode::parse(code)
        .ok()
        .and_then(divisions::lookup)
        .map(|d| d.place_name())
        .unwrap_or_else(|| code.to_owned())
}

pub(crate) fn state_id(kind: TipStateKind) -> &'static str {
    kind.id()
}

pub(crate) fn new_tracking() -> (TrackingCode, TipSecret) {
    use rand::RngCore;
    let mut rng = rand::thread_rng();
    let mut a = [0u8; 7];
    let mut b = [0u8; 10];
    rng.fill_bytes(&mut a);
    rng.fill_bytes(&mut b);
    (TrackingCode::from_entropy(a), TipSecret::from_entropy(b))
}

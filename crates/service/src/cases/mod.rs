//! Criminal cases (案件): the investigators' case file from the first report (接报) to
//! prosecution (移送起诉), through the domain's state machine, with the people on the
//! case sealed per person, serial-case links, key areas, special operations, supervision
//! (督办) and the figures of the joint conference.
//!
//! Access, per case, is the policy's: investigators their unit's cases (masked unless
//! assigned) and those assigned to them; supervisors their unit; units a case was
//! referred to see it masked; the office and convenor see masked summaries and figures;
//! everyone else is refused. Every write, every read of a case file and every refusal is
//! audited.

mod demo;
mod figures;
mod links;
mod oversight;
mod persons;
pub(crate) mod records;

use fanguai_domain::cases::{
    Authority, CaseError, CaseEvent, CaseEventKind, CaseReason, CaseState, CaseStateKind,
    Classification, FastTrack, ReceiptNumber, ReviewExtension, SolveFacts,
};
use fanguai_domain::mask;
use fanguai_domain::policy::{self, Action, Decision, DenyReason};
use fanguai_domain::role::Role;
use fanguai_store::cases::{self as repo, CaseEventRow, CaseFilter, CaseReferralRow, CaseRow};
use fanguai_store::{Conn, units, users};
use serde::{Deserialize, Serialize};

pub use demo::seed_cases;
pub use figures::{
    CountView, FigureQuery, FiguresView, TipDecisionsView, TipFiguresView, VictimGroupView,
    YearBefore,
};
pub use links::{LinkView, SeriesEdge, SeriesNode, SeriesView};
pub use oversight::{
    InstructionView, KeyAreaStepView, KeyAreaView, NewKeyArea, NewOperation, NewSupervision,
    OperationView, SupervisionView,
};
pub use persons::{
    GangView, IdentifierView, NewCasePerson, NewIdentifier, PersonStatus, PersonView, SearchHit,
};

use crate::app::App;
use crate::audit_log::{Event, record};
use crate::auth::Actor;
use crate::ctx::RequestCtx;
use crate::error::{Result, ServiceError};
use records::{date_text, input_date, input_division, state_of, today, write_state};

/// What a report needs to become a case file (接报).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewCaseReport {
    /// What was reported: sealed, shown only to those with full access.
    pub summary: String,
    /// Where it happened: a division code (a county for serial-case proposals).
    pub division: String,
    /// When it happened, `YYYY-MM-DD`.
    pub occurred_on: String,
    /// A report of a missing person (失踪): a missing child or girl under 18 is
    /// registered at once.
    #[serde(default)]
    pub missing_person: bool,
}

/// One transition as a form or the API sends it: `event` is a domain event id
/// (`accept`, `start_review`, …); the other fields are read when that event needs them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TransitionInput {
    pub event: String,
    #[serde(default)]
    pub receipt_number: String,
    /// `check_clues` (7 days) or `complex_approved` (30 days; a supervisor's approval).
    #[serde(default)]
    pub extension: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub facts_proven: bool,
    #[serde(default)]
    pub suspect_identified: bool,
    #[serde(default)]
    pub suspect_in_custody: bool,
    #[serde(default)]
    pub authority_name: String,
    #[serde(default)]
    pub authority_division: String,
}

/// The classification as ids: article number (`240`), act ids (`selling`), means ids
/// (`deception`), exploitation ids (`labour`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ClassificationInput {
    #[serde(default)]
    pub article: String,
    #[serde(default)]
    pub acts: Vec<String>,
    #[serde(default)]
    pub means: Vec<String>,
    #[serde(default)]
    pub exploitation: Vec<String>,
    #[serde(default)]
    pub missing_person: bool,
}

/// One line of a case list. Carries no personal data, so masked readers get it whole.
#[derive(Debug, Clone, Serialize)]
pub struct CaseSummary {
    pub id: String,
    pub state: &'static str,
    pub state_term_zh: &'static str,
    pub state_label_zh: &'static str,
    pub state_label_en: &'static str,
    pub receipt_number: Option<String>,
    pub owner_unit_id: String,
    pub division: String,
    /// The district's name: what masked views show of the place.
    pub place: String,
    pub occurred_on: String,
    pub article: Option<String>,
    pub registered_on: Option<String>,
    pub solved_on: Option<String>,
    pub review_deadline: Option<String>,
    pub review_overdue: bool,
    pub fast_track: Option<String>,
    /// The reader sees this case masked (张*, age band, district).
    pub masked: bool,
    pub created_at_ms: i64,
}

/// One event of the case's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryView {
    pub seq: i64,
    pub event: String,
    pub from_state: String,
    pub to_state: String,
    pub actor: String,
    pub reason: String,
    pub at_ms: i64,
}

/// A case file as one reader may see it: masked readers get no summary text, no reasons
/// tied to people and masked people.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub summary: CaseSummary,
    pub text: Option<String>,
    pub classification: ClassificationInput,
    pub end_reason: Option<String>,
    pub transfer_to: Option<String>,
    pub assignees: Vec<String>,
    pub referred_to: Vec<String>,
    pub people: Vec<PersonView>,
    pub gangs: Vec<GangView>,
    pub identifiers: Vec<IdentifierView>,
    pub history: Vec<HistoryView>,
    /// Events the reader may apply now (empty without write access).
    pub next_events: Vec<&'static str>,
    pub can_write: bool,
    pub can_assign: bool,
    pub links: Vec<LinkView>,
    pub supervisions: Vec<SupervisionView>,
    pub operations: Vec<String>,
    /// The tip this case was opened from, then the tips that joined it.
    pub tips: Vec<CaseTipView>,
}

/// The history event written on a case when a tip joins it; its reason is the tip's id.
pub(crate) const TIP_JOINED: &str = "tip_joined";

/// A tip that opened or joined a case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseTipView {
    pub tip_id: String,
    /// `opened` (the tip became this case) or `joined`.
    pub how: &'static str,
}

/// A refusal of the state machine: its code, which the interface translates; the
/// domain's own message is logged for whoever reads the server's log.
fn transition_error(e: &CaseError) -> ServiceError {
    tracing::debug!(refusal = %e, "case transition refused");
    ServiceError::invalid("event", e.code())
}

/// The case desk. Handed out by `Session::cases` to roles that work on cases or oversee
/// them; each use case still asks the policy about the case at hand.
#[derive(Debug)]
pub struct CaseDesk {
    pub(crate) app: App,
    pub(crate) actor: Actor,
    pub(crate) ctx: RequestCtx,
}

/// How this actor may see one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sight {
    Full,
    Masked,
}

pub(crate) struct Facts {
    pub assigned: bool,
    pub referred: bool,
}

impl CaseDesk {
    pub(crate) fn has_role(&self, role: Role) -> bool {
        self.actor.roles.contains(&role)
    }

    async fn facts(&self, c: &mut Conn, case_id: &str) -> Result<Facts> {
        let assigned = repo::assignees(c, case_id)
            .await?
            .contains(&self.actor.user_id);
        let referred = repo::referrals(c, case_id)
            .await?
            .iter()
            .any(|r| r.unit_id == self.actor.unit_id);
        Ok(Facts { assigned, referred })
    }

    pub(crate) fn decide(&self, action: &Action) -> Decision {
        policy::decide(&self.actor.policy(), action)
    }

    fn read_decision(&self, row: &CaseRow, f: &Facts) -> Decision {
        self.decide(&Action::ReadCase {
            owner_unit: row.owner_unit_id.clone().into(),
            assigned: f.assigned,
            referred_to_actor_unit: f.referred,
        })
    }

    fn write_decision(&self, row: &CaseRow, f: &Facts) -> Decision {
        self.decide(&Action::WriteCase {
            owner_unit: row.owner_unit_id.clone().into(),
            assigned: f.assigned,
        })
    }

    /// Records a refusal about one record in its own transaction; returns the error.
    pub(crate) async fn refuse(
        &self,
        action: &str,
        record_type: &str,
        record_id: &str,
        reason: DenyReason,
    ) -> ServiceError {
        let code = reason.code();
        let res: Result<()> = async {
            let mut tx = self.app.store().begin().await?;
            record(
                &mut tx,
                &self.app,
                &self.ctx,
                Some(&self.actor),
                Event {
                    action,
                    record_type,
                    record_id,
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

    pub(crate) async fn audit(
        &self,
        c: &mut Conn,
        action: &str,
        record_type: &str,
        record_id: &str,
        detail: String,
    ) -> Result<()> {
        record(
            c,
            &self.app,
            &self.ctx,
            Some(&self.actor),
            Event {
                action,
                record_type,
                record_id,
                outcome: "ok",
                detail,
                ..Default::default()
            },
        )
        .await
    }

    /// Loads a case inside `tx` and checks that the actor may write it; on refusal the
    /// transaction is dropped before the refusal is recorded.
    pub(crate) async fn writable(
        &self,
        mut tx: fanguai_store::Tx,
        case_id: &str,
        action: &str,
    ) -> Result<(fanguai_store::Tx, CaseRow)> {
        let Some(row) = repo::get(&mut tx, case_id).await? else {
            return Err(ServiceError::NotFound("case"));
        };
        let f = self.facts(&mut tx, case_id).await?;
        if let Decision::Deny(r) = self.write_decision(&row, &f) {
            drop(tx);
            return Err(self.refuse(action, "case", case_id, r).await);
        }
        Ok((tx, row))
    }

    /// Loads a case and how the actor may see it, refusing (audited) when not at all.
    pub(crate) async fn readable(
        &self,
        c: &mut Conn,
        case_id: &str,
    ) -> Result<std::result::Result<(CaseRow, Sight), DenyReason>> {
        let Some(row) = repo::get(c, case_id).await? else {
            return Err(ServiceError::NotFound("case"));
        };
        let f = self.facts(c, case_id).await?;
        Ok(match self.read_decision(&row, &f) {
            Decision::Allow => Ok((row, Sight::Full)),
            Decision::AllowMasked => Ok((row, Sight::Masked)),
            Decision::Deny(r) => Err(r),
        })
    }

    pub(crate) fn summary(&self, row: &CaseRow, sight: Sight) -> CaseSummary {
        let kind = records::parse_state_kind(&row.state).unwrap_or(CaseStateKind::Reported);
        let state = state_of(row).ok();
        let deadline = state.as_ref().and_then(CaseState::review_deadline);
        let place = fanguai_domain::DivisionCode::parse(&row.division)
            .map(mask::district_only)
            .unwrap_or_else(|_| row.division.clone());
        CaseSummary {
            id: row.id.clone(),
            state: kind.id(),
            state_term_zh: kind.term_zh(),
            state_label_zh: kind.label_zh(),
            state_label_en: kind.label_en(),
            receipt_number: row.receipt_number.clone(),
            owner_unit_id: row.owner_unit_id.clone(),
            division: row.division.clone(),
            place,
            occurred_on: row.occurred_on.clone(),
            article: row.article.clone(),
            registered_on: row.registered_on.clone(),
            solved_on: row.solved_on.clone(),
            review_deadline: deadline.map(date_text),
            review_overdue: state
                .as_ref()
                .is_some_and(|s| s.is_review_overdue(records::now(&self.app))),
            fast_track: row.fast_track.clone(),
            masked: sight == Sight::Masked,
            created_at_ms: row.created_at,
        }
    }

    // ---- registering a report ----

    /// Registers a report (接报) in the actor's unit; the actor is assigned to it.
    pub async fn register_report(&self, report: &NewCaseReport) -> Result<CaseSummary> {
        self.create(report, None).await
    }

    /// Opens a case from a tip whose decision is "open a case". A tip becomes at most one
    /// case (`Conflict` otherwise).
    pub async fn open_from_tip(&self, tip_id: &str, report: &NewCaseReport) -> Result<CaseSummary> {
        let tip_id = tip_id.trim();
        if tip_id.is_empty() {
            return Err(ServiceError::invalid("tip_id", "case.tip_id.empty"));
        }
        self.create(report, Some(tip_id.to_owned())).await
    }

    async fn create(&self, report: &NewCaseReport, tip_id: Option<String>) -> Result<CaseSummary> {
        self.may_open().await?;
        let mut tx = self.app.store().begin().await?;
        let row = self.create_in(&mut tx, report, tip_id).await?;
        tx.commit().await?;
        Ok(self.summary(&row, Sight::Full))
    }

    /// Asks the policy whether the actor may open a case in their unit; a refusal is
    /// audited. Called before any write transaction, since the refusal is recorded in one.
    pub(crate) async fn may_open(&self) -> Result<()> {
        if let Decision::Deny(r) = self.decide(&Action::OpenCase {
            unit: self.actor.unit_id.clone().into(),
        }) {
            return Err(self.refuse("case.open", "case", "", r).await);
        }
        Ok(())
    }

    /// Writes a new case file inside the caller's transaction, so that a tip's decision
    /// and the case it opens are committed together or not at all. The caller has
    /// checked [`Self::may_open`].
    pub(crate) async fn create_in(
        &self,
        c: &mut Conn,
        report: &NewCaseReport,
        tip_id: Option<String>,
    ) -> Result<CaseRow> {
        let summary = report.summary.trim();
        let n = summary.chars().count();
        if !(10..=5000).contains(&n) {
            return Err(ServiceError::invalid("summary", "case.summary.length"));
        }
        if summary
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(ServiceError::invalid("summary", "case.summary.control"));
        }
        let division = input_division("division", &report.division)?;
        let occurred = input_date("occurred_on", &report.occurred_on)?;
        if occurred > today(&self.app) {
            return Err(ServiceError::invalid("occurred_on", "case.date.future"));
        }
        let id = uuid::Uuid::now_v7().to_string();
        let now = self.app.now_ms();
        let (key_id, key) =
            crate::people::new_key(c, &self.app, &records::case_subject(&id)).await?;
        let row = CaseRow {
            id: id.clone(),
            owner_unit_id: self.actor.unit_id.clone(),
            state: CaseStateKind::Reported.id().to_owned(),
            receipt_number: None,
            division: division.to_string(),
            occurred_on: date_text(occurred),
            tip_id: tip_id.clone(),
            summary_enc: records::seal(&key, "cases", "summary", &id, summary),
            data_key_id: key_id,
            article: None,
            acts: vec![],
            means: vec![],
            exploitation: vec![],
            missing_person: report.missing_person,
            accepted_on: None,
            review_started_on: None,
            review_extension: None,
            review_approver: None,
            registered_on: None,
            fast_track: None,
            solved_on: None,
            end_reason: None,
            transfer_to_name: None,
            transfer_to_division: None,
            created_by: self.actor.user_id.clone(),
            created_at: now,
            updated_at: now,
        };
        repo::insert(c, &row).await.map_err(|e| match e {
            fanguai_store::StoreError::Conflict { .. } if tip_id.is_some() => {
                ServiceError::Conflict("this tip already became a case".into())
            }
            other => other.into(),
        })?;
        repo::assign(c, &id, &self.actor.user_id, &self.actor.user_id, now).await?;
        self.history(c, &id, "report", "", CaseStateKind::Reported.id(), "")
            .await?;
        links::propose_for(self, c, &row).await?;
        let detail = match &tip_id {
            Some(t) => format!("from tip {t}"),
            None => "report".to_owned(),
        };
        self.audit(c, "case.register", "case", &id, detail).await?;
        Ok(row)
    }

    /// Records on the case, inside the caller's transaction, that a tip joined it. The
    /// caller has loaded the case through [`Self::writable`] in the same transaction.
    pub(crate) async fn tip_joined(&self, c: &mut Conn, row: &CaseRow, tip_id: &str) -> Result<()> {
        self.history(c, &row.id, TIP_JOINED, &row.state, &row.state, tip_id)
            .await?;
        self.audit(
            c,
            "case.tip_joined",
            "case",
            &row.id,
            format!("tip {tip_id}"),
        )
        .await
    }

    async fn history(
        &self,
        c: &mut Conn,
        case_id: &str,
        event: &str,
        from: &str,
        to: &str,
        reason: &str,
    ) -> Result<()> {
        repo::append_event(
            c,
            &CaseEventRow {
                id: uuid::Uuid::now_v7().to_string(),
                case_id: case_id.to_owned(),
                seq: 0,
                event: event.to_owned(),
                from_state: from.to_owned(),
                to_state: to.to_owned(),
                actor_user_id: self.actor.user_id.clone(),
                reason: reason.to_owned(),
                at: self.app.now_ms(),
            },
        )
        .await?;
        Ok(())
    }

    // ---- lifecycle ----

    /// Builds the domain event a transition form describes, or says which field is wrong.
    fn event_of(
        &self,
        input: &TransitionInput,
        fast_track: Option<FastTrack>,
    ) -> Result<CaseEvent> {
        let kind = CaseEventKind::ALL
            .into_iter()
            .find(|k| k.id() == input.event.trim())
            .ok_or_else(|| ServiceError::invalid("event", "case.event.unknown"))?;
        let reason = || {
            CaseReason::parse(&input.reason).map_err(|e| ServiceError::invalid("reason", e.code()))
        };
        Ok(match kind {
            CaseEventKind::Accept => CaseEvent::Accept {
                receipt: ReceiptNumber::parse(&input.receipt_number)
                    .map_err(|e| ServiceError::invalid("receipt_number", e.code()))?,
            },
            CaseEventKind::StartReview => CaseEvent::StartReview,
            CaseEventKind::ExtendReview => CaseEvent::ExtendReview(match input.extension.trim() {
                "check_clues" => ReviewExtension::CheckClues,
                "complex_approved" => {
                    // The 30-day period needs the approval of a superior; the approving
                    // supervisor is recorded as the approver.
                    if !self.has_role(Role::Supervisor) {
                        return Err(ServiceError::invalid(
                            "extension",
                            "case.review.approval_required",
                        ));
                    }
                    ReviewExtension::ComplexApproved {
                        approver: self.actor.user_id.clone().into(),
                    }
                }
                _ => {
                    return Err(ServiceError::invalid(
                        "extension",
                        "case.review.extension_unknown",
                    ));
                }
            }),
            CaseEventKind::Register => CaseEvent::Register,
            CaseEventKind::FastTrackRegister => {
                CaseEvent::FastTrackRegister(fast_track.ok_or_else(|| {
                    ServiceError::invalid("event", "case.fast_track.not_eligible")
                })?)
            }
            CaseEventKind::DeclineRegistration => {
                CaseEvent::DeclineRegistration { reason: reason()? }
            }
            CaseEventKind::StartInvestigation => CaseEvent::StartInvestigation,
            CaseEventKind::Solve => CaseEvent::Solve(SolveFacts {
                facts_proven: input.facts_proven,
                suspect_identified: input.suspect_identified,
                suspect_in_custody: input.suspect_in_custody,
            }),
            CaseEventKind::ConcludeInvestigation => CaseEvent::ConcludeInvestigation,
            CaseEventKind::TransferForProsecution => CaseEvent::TransferForProsecution,
            CaseEventKind::Withdraw => CaseEvent::Withdraw { reason: reason()? },
            CaseEventKind::TransferJurisdiction => {
                let division = input_division("authority_division", &input.authority_division)?;
                CaseEvent::TransferJurisdiction {
                    to: Authority::new(&input.authority_name, division)
                        .map_err(|e| ServiceError::invalid("authority_name", e.code()))?,
                }
            }
        })
    }

    /// Applies one lifecycle event through the domain's state machine. A refusal carries
    /// the domain's code and message.
    pub async fn transition(&self, case_id: &str, input: &TransitionInput) -> Result<CaseSummary> {
        let tx = self.app.store().begin().await?;
        let (mut tx, mut row) = self.writable(tx, case_id, "case.transition").await?;
        let from = state_of(&row)?;
        let kind = CaseEventKind::ALL
            .into_iter()
            .find(|k| k.id() == input.event.trim())
            .ok_or_else(|| ServiceError::invalid("event", "case.event.unknown"))?;
        // An event the state does not accept is refused before its fields are read, so
        // the answer names the transition, not a missing field.
        if !from.kind().allowed_events().contains(&kind) {
            return Err(transition_error(&CaseError::NotAllowed {
                from: from.kind(),
                event: kind,
                allowed: from.kind().allowed_events(),
            }));
        }
        let fast_track = if kind == CaseEventKind::FastTrackRegister {
            persons::fast_track_for(&mut tx, &row).await?
        } else {
            None
        };
        let event = self.event_of(input, fast_track)?;
        let next = from
            .apply(&event, records::now(&self.app))
            .map_err(|e| transition_error(&e))?;
        let reason = match &event {
            CaseEvent::DeclineRegistration { reason } | CaseEvent::Withdraw { reason } => {
                reason.as_str().to_owned()
            }
            CaseEvent::TransferJurisdiction { to } => format!("{} ({})", to.name(), to.division()),
            CaseEvent::Accept { receipt } => receipt.as_str().to_owned(),
            CaseEvent::ExtendReview(x) => x.id().to_owned(),
            CaseEvent::FastTrackRegister(ft) => ft.reason().id().to_owned(),
            _ => String::new(),
        };
        self.apply_state(&mut tx, &mut row, &from, &next, event.kind().id(), &reason)
            .await?;
        // A missing child's case goes from acceptance straight to registration.
        self.register_at_once_if_due(&mut tx, &mut row).await?;
        self.audit(
            &mut tx,
            "case.transition",
            "case",
            case_id,
            format!("{} -> {}", from.kind().id(), row.state),
        )
        .await?;
        tx.commit().await?;
        Ok(self.summary(&row, Sight::Full))
    }

    /// Registers an accepted missing-person case at once (立即立案) when a victim is a
    /// child under 14 or a girl aged 14 to 17, with the proof the domain's rule returns.
    /// Called wherever a case can become eligible: acceptance, a new victim, a new
    /// classification.
    pub(crate) async fn register_at_once_if_due(
        &self,
        c: &mut Conn,
        row: &mut CaseRow,
    ) -> Result<bool> {
        if row.state != CaseStateKind::Accepted.id() {
            return Ok(false);
        }
        let Some(ft) = persons::fast_track_for(c, row).await? else {
            return Ok(false);
        };
        let from = state_of(row)?;
        let next = from
            .apply(&CaseEvent::FastTrackRegister(ft), records::now(&self.app))
            .map_err(ServiceError::internal)?;
        self.apply_state(
            c,
            row,
            &from,
            &next,
            CaseEventKind::FastTrackRegister.id(),
            ft.reason().id(),
        )
        .await?;
        Ok(true)
    }

    pub(crate) async fn apply_state(
        &self,
        c: &mut Conn,
        row: &mut CaseRow,
        from: &CaseState,
        next: &CaseState,
        event: &str,
        reason: &str,
    ) -> Result<()> {
        write_state(row, next);
        row.updated_at = self.app.now_ms();
        repo::update(c, row).await?;
        self.history(
            c,
            &row.id,
            event,
            from.kind().id(),
            next.kind().id(),
            reason,
        )
        .await
    }

    /// Sets the classification (article, acts, means, form of exploitation).
    pub async fn classify(
        &self,
        case_id: &str,
        input: &ClassificationInput,
    ) -> Result<CaseSummary> {
        let mut c = Classification {
            missing_person_report: input.missing_person,
            ..Classification::default()
        };
        if !input.article.trim().is_empty() {
            c.article = Some(
                records::parse_article(&input.article)
                    .ok_or_else(|| ServiceError::invalid("article", "case.article.unknown"))?,
            );
        }
        for a in input.acts.iter().filter(|s| !s.trim().is_empty()) {
            let act = records::parse_act(a)
                .ok_or_else(|| ServiceError::invalid("acts", "case.act.unknown"))?;
            if !c.acts.contains(&act) {
                c.acts.push(act);
            }
        }
        for m in input.means.iter().filter(|s| !s.trim().is_empty()) {
            let means = records::parse_means(m)
                .ok_or_else(|| ServiceError::invalid("means", "case.means.unknown"))?;
            if !c.means.contains(&means) {
                c.means.push(means);
            }
        }
        for e in input.exploitation.iter().filter(|s| !s.trim().is_empty()) {
            let form = records::parse_exploitation(e).ok_or_else(|| {
                ServiceError::invalid("exploitation", "case.exploitation.unknown")
            })?;
            if !c.exploitation.contains(&form) {
                c.exploitation.push(form);
            }
        }
        let tx = self.app.store().begin().await?;
        let (mut tx, mut row) = self.writable(tx, case_id, "case.classify").await?;
        records::write_classification(&mut row, &c);
        row.updated_at = self.app.now_ms();
        repo::update(&mut tx, &row).await?;
        self.register_at_once_if_due(&mut tx, &mut row).await?;
        self.audit(
            &mut tx,
            "case.classify",
            "case",
            case_id,
            format!("article {}", c.article.map_or("-", records::article_id)),
        )
        .await?;
        tx.commit().await?;
        Ok(self.summary(&row, Sight::Full))
    }

    // ---- assignment and referral ----

    /// Assigns an investigator of any unit to a case of the supervisor's unit.
    pub async fn assign(&self, case_id: &str, username: &str) -> Result<()> {
        let mut tx = self.app.store().begin().await?;
        let Some(row) = repo::get(&mut tx, case_id).await? else {
            return Err(ServiceError::NotFound("case"));
        };
        if let Decision::Deny(r) = self.decide(&Action::AssignCase {
            owner_unit: row.owner_unit_id.clone().into(),
        }) {
            drop(tx);
            return Err(self.refuse("case.assign", "case", case_id, r).await);
        }
        let user = users::by_username(&mut tx, username.trim().to_lowercase().as_str())
            .await?
            .ok_or_else(|| ServiceError::invalid("username", "case.assignee.unknown"))?;
        let roles = crate::auth::parse_roles(&user.roles);
        if !roles.contains(&Role::Investigator) && !roles.contains(&Role::Supervisor) {
            return Err(ServiceError::invalid(
                "username",
                "case.assignee.not_investigator",
            ));
        }
        repo::assign(
            &mut tx,
            case_id,
            &user.id,
            &self.actor.user_id,
            self.app.now_ms(),
        )
        .await
        .map_err(|e| match e {
            fanguai_store::StoreError::Conflict { .. } => {
                ServiceError::Conflict("already assigned".into())
            }
            other => other.into(),
        })?;
        self.audit(
            &mut tx,
            "case.assign",
            "case",
            case_id,
            format!("assigned {}", user.id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Refers a case to another member unit, which then sees it masked.
    pub async fn refer(&self, case_id: &str, unit_id: &str, reason: &str) -> Result<()> {
        let reason = reason.trim();
        if !(2..=500).contains(&reason.chars().count()) {
            return Err(ServiceError::invalid(
                "reason",
                "case.referral.reason_length",
            ));
        }
        let tx = self.app.store().begin().await?;
        let (mut tx, row) = self.writable(tx, case_id, "case.refer").await?;
        if units::get(&mut tx, unit_id).await?.is_none() {
            return Err(ServiceError::invalid("unit_id", "unit.unknown"));
        }
        if unit_id == row.owner_unit_id {
            return Err(ServiceError::invalid("unit_id", "case.referral.own_unit"));
        }
        repo::refer(
            &mut tx,
            &CaseReferralRow {
                case_id: case_id.to_owned(),
                unit_id: unit_id.to_owned(),
                reason: reason.to_owned(),
                referred_by: self.actor.user_id.clone(),
                referred_at: self.app.now_ms(),
            },
        )
        .await
        .map_err(|e| match e {
            fanguai_store::StoreError::Conflict { .. } => {
                ServiceError::Conflict("already referred to this unit".into())
            }
            other => other.into(),
        })?;
        self.audit(
            &mut tx,
            "case.refer",
            "case",
            case_id,
            format!("to {unit_id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- reading ----

    /// The cases this actor may see, newest first, optionally in one state. Investigators
    /// and supervisors: their unit's and those assigned to them; referred cases; the
    /// office and convenor: every case, masked.
    pub async fn list(&self, state: Option<&str>) -> Result<Vec<CaseSummary>> {
        let state = match state.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(
                records::parse_state_kind(s)
                    .ok_or_else(|| ServiceError::invalid("state", "case.state.unknown"))?
                    .id()
                    .to_owned(),
            ),
            None => None,
        };
        let city = self.decide(&Action::ViewMaskedSummary {
            scope: policy::Scope::City,
        });
        let works_cases = self.has_role(Role::Investigator) || self.has_role(Role::Supervisor);
        let filter = CaseFilter {
            all: city.is_allowed() && !works_cases,
            owner_unit: works_cases.then(|| self.actor.unit_id.clone()),
            assigned_to: Some(self.actor.user_id.clone()),
            referred_to: Some(self.actor.unit_id.clone()),
            state,
            limit: 500,
        };
        let mut tx = self.app.store().begin().await?;
        let rows = repo::list(&mut tx, &filter).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let f = self.facts(&mut tx, &row.id).await?;
            match self.read_decision(row, &f) {
                Decision::Allow => out.push(self.summary(row, Sight::Full)),
                Decision::AllowMasked => out.push(self.summary(row, Sight::Masked)),
                Decision::Deny(_) => {}
            }
        }
        self.audit(
            &mut tx,
            "case.list",
            "case",
            "",
            format!("{} cases", out.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// One case file, masked when the policy says so. The read is audited.
    pub async fn get(&self, case_id: &str) -> Result<CaseView> {
        let mut tx = self.app.store().begin().await?;
        let (row, sight) = match self.readable(&mut tx, case_id).await? {
            Ok(x) => x,
            Err(r) => {
                drop(tx);
                return Err(self.refuse("case.read", "case", case_id, r).await);
            }
        };
        let f = self.facts(&mut tx, case_id).await?;
        let can_write = sight == Sight::Full && self.write_decision(&row, &f).is_allowed();
        let can_assign = self
            .decide(&Action::AssignCase {
                owner_unit: row.owner_unit_id.clone().into(),
            })
            .is_allowed();
        let text = if sight == Sight::Full {
            let key = records::key(&mut tx, &self.app, &row.data_key_id).await?;
            Some(records::open(
                &key,
                "cases",
                "summary",
                &row.id,
                &row.summary_enc,
            )?)
        } else {
            None
        };
        let mut assignees = Vec::new();
        for u in repo::assignees(&mut tx, case_id).await? {
            if let Some(user) = users::get(&mut tx, &u).await? {
                assignees.push(user.username);
            }
        }
        let referred_to = repo::referrals(&mut tx, case_id)
            .await?
            .into_iter()
            .map(|r| r.unit_id)
            .collect();
        let mut history = Vec::new();
        let mut tips: Vec<CaseTipView> = row
            .tip_id
            .iter()
            .map(|t| CaseTipView {
                tip_id: t.clone(),
                how: "opened",
            })
            .collect();
        for e in repo::events(&mut tx, case_id).await? {
            if e.event == TIP_JOINED && !tips.iter().any(|t| t.tip_id == e.reason) {
                tips.push(CaseTipView {
                    tip_id: e.reason.clone(),
                    how: "joined",
                });
            }
            let actor = users::get(&mut tx, &e.actor_user_id)
                .await?
                .map_or_else(|| e.actor_user_id.clone(), |u| u.username);
            history.push(HistoryView {
                seq: e.seq,
                event: e.event,
                from_state: e.from_state,
                to_state: e.to_state,
                actor,
                // Reasons may name people; masked readers see that there was one.
                reason: if sight == Sight::Full || e.reason.is_empty() {
                    e.reason
                } else {
                    "***".into()
                },
                at_ms: e.at,
            });
        }
        let people = persons::views(self, &mut tx, &row, sight).await?;
        let gangs = persons::gang_views(&mut tx, case_id).await?;
        let identifiers = if sight == Sight::Full {
            persons::identifier_views(self, &mut tx, &row).await?
        } else {
            Vec::new()
        };
        let links = links::views(&mut tx, case_id).await?;
        let supervisions = oversight::supervisions_of(self, &mut tx, Some(case_id)).await?;
        let operations = repo::operations_of_case(&mut tx, case_id).await?;
        let kind = records::parse_state_kind(&row.state).unwrap_or(CaseStateKind::Reported);
        // Registration at once is offered only when the case qualifies for it.
        let fast_track_ok = persons::fast_track_for(&mut tx, &row).await?.is_some();
        let next_events = if can_write {
            kind.allowed_events()
                .iter()
                .filter(|e| **e != CaseEventKind::FastTrackRegister || fast_track_ok)
                .map(|e| e.id())
                .collect()
        } else {
            Vec::new()
        };
        let class = records::classification_of(&row);
        let view = CaseView {
            summary: self.summary(&row, sight),
            text,
            classification: ClassificationInput {
                article: class
                    .article
                    .map(records::article_id)
                    .unwrap_or("")
                    .to_owned(),
                acts: row.acts.clone(),
                means: row.means.clone(),
                exploitation: row.exploitation.clone(),
                missing_person: row.missing_person,
            },
            end_reason: if sight == Sight::Full {
                row.end_reason.clone()
            } else {
                None
            },
            transfer_to: row.transfer_to_name.as_ref().map(|n| {
                format!(
                    "{n} ({})",
                    row.transfer_to_division.clone().unwrap_or_default()
                )
            }),
            assignees,
            referred_to,
            people,
            gangs,
            identifiers,
            history,
            next_events,
            can_write,
            can_assign,
            links,
            supervisions,
            operations,
            tips,
        };
        self.audit(
            &mut tx,
            "case.read",
            "case",
            case_id,
            if sight == Sight::Full {
                "full"
            } else {
                "masked"
            }
            .to_owned(),
        )
        .await?;
        tx.commit().await?;
        Ok(view)
    }
}

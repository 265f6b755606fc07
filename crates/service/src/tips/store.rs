//! Between the tip rows and the domain: sealing and opening a tip's fields, rebuilding its
//! state for the state machine, and writing a transition back.

use fanguai_domain::cases::CaseId;
use fanguai_domain::tips::{
    Assignment, DecisionRecord, NoActionProposal, NoActionReason, PublicTipForm, Referral,
    ReferralReason, ReferralState, RiskGroupForm, TipDecision, TipEvent, TipSecret, TipSource,
    TipState, TipUrgency, TrackingCode, ValidTip, ack_deadline,
};
use fanguai_store::Conn;
use fanguai_store::tips::{self as repo, NoActionReviewRow, TipEventRow, TipReferralRow, TipRow};
use fanguai_store::users;
use fanguai_vault::DataKey;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::{
    AdditionView, HistoryEntry, NoActionView, PhotoMeta, PhotoUpload, ReferralView, RiskGroupView,
    TipDetail, TipReceipt, TipSummary, division_name, ms, new_tracking, photos, source_detail,
    state_id, ts,
};
use crate::app::App;
use crate::audit_log::{Event, record};
use crate::auth::Actor;
use crate::ctx::RequestCtx;
use crate::error::{Result, ServiceError};
use crate::people;

const TABLE: &str = "tips";

pub(crate) fn subject(tip_id: &str) -> String {
    format!("tip:{tip_id}")
}

/// The data key of one tip, with the sealing helpers bound to it.
pub(crate) struct Sealed {
    key: DataKey,
}

impl Sealed {
    pub async fn for_row(c: &mut Conn, app: &App, row: &TipRow) -> Result<Sealed> {
        Ok(Sealed {
            key: people::key_of(c, app, &row.data_key_id).await?,
        })
    }
    pub fn seal(&self, table: &str, column: &str, id: &str, value: &[u8]) -> Vec<u8> {
        people::seal_field(&self.key, table, column, id, value)
    }
    pub fn open(&self, table: &str, column: &str, id: &str, enc: &[u8]) -> Result<Vec<u8>> {
        Ok(people::open_field(&self.key, table, column, id, enc)?.to_vec())
    }
    pub fn open_text(&self, column: &str, id: &str, enc: &[u8]) -> Result<String> {
        self.open_text_in(TABLE, column, id, enc)
    }
    pub fn open_text_in(&self, table: &str, column: &str, id: &str, enc: &[u8]) -> Result<String> {
        String::from_utf8(self.open(table, column, id, enc)?).map_err(ServiceError::internal)
    }
    pub fn open_json<T: DeserializeOwned>(&self, column: &str, id: &str, enc: &[u8]) -> Result<T> {
        serde_json::from_slice(&self.open(TABLE, column, id, enc)?).map_err(ServiceError::internal)
    }
    fn seal_json<T: Serialize>(&self, column: &str, id: &str, v: &T) -> Result<Vec<u8>> {
        let bytes = serde_json::to_vec(v).map_err(ServiceError::internal)?;
        Ok(self.seal(TABLE, column, id, &bytes))
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) struct StoredContact {
    pub name: Option<String>,
    pub phone: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct StoredRiskGroup {
    count: u32,
    sex: String,
    age_band: Option<String>,
}

/// Stores a new tip with its identifiers and photos, and returns the receipt.
pub(crate) async fn create(
    app: &App,
    ctx: &RequestCtx,
    actor: Option<&Actor>,
    tip: &ValidTip,
    source: &TipSource,
    owner_unit: &str,
    uploads: &[PhotoUpload],
) -> Result<TipReceipt> {
    if uploads.len() > photos::MAX_PHOTOS {
        return Err(ServiceError::invalid("photos", "tip.photo.too_many"));
    }
    let cleaned = uploads
        .iter()
        .map(|p| photos::clean(&p.bytes))
        .collect::<Result<Vec<_>>>()?;
    let now = app.now_ms();
    let id = uuid::Uuid::now_v7().to_string();
    let (code, secret) = new_tracking();
    let urgency = tip.urgency();
    let deadline = ms(ack_deadline(ts(now), urgency));
    let ring = app.ring();
    let mut tx = app.store().begin().await?;
    let (key_id, key) = people::new_key(&mut tx, app, &subject(&id)).await?;
    let sealed = Sealed { key };
    let list = |v: Vec<String>| (!v.is_empty()).then_some(v);
    let groups: Vec<StoredRiskGroup> = tip
        .people_at_risk()
        .iter()
        .map(|g| StoredRiskGroup {
            count: g.count,
            sex: g.sex.id().to_owned(),
            age_band: g.age_band.map(|a| a.id().to_owned()),
        })
        .collect();
    let contact = tip.contact().map(|c| StoredContact {
        name: c.name.as_ref().map(|n| n.as_str().to_owned()),
        phone: c.phone.as_ref().map(|p| p.as_str().to_owned()),
    });
    let when = tip.when();
    let row = TipRow {
        id: id.clone(),
        tracking_code: code.compact(),
        secret_hash: secret_hash(app, &code, &secret),
        source_kind: source.kind_id().to_owned(),
        source_detail: source_detail(source),
        owner_unit_id: owner_unit.to_owned(),
        division: format!("{:06}", tip.division().as_u32()),
        occurred_date: format!(
            "{:04}-{:02}-{:02}",
            when.date.year(),
            u8::from(when.date.month()),
            when.date.day()
        ),
        occurred_time: when
            .time
            .map(|t| format!("{:02}:{:02}", t.hour(), t.minute())),
        people_at_risk: serde_json::to_string(&groups).map_err(ServiceError::internal)?,
        child_involved: tip.child_involved(),
        immediate_danger: tip.immediate_danger(),
        urgency: urgency.id().to_owned(),
        received_at: now,
        ack_deadline: deadline,
        state: "received".into(),
        assignee_user_id: None,
        acknowledged_at: None,
        escalated_at: None,
        decision: None,
        case_ref: None,
        decided_by: None,
        decided_at: None,
        entered_by: actor.map(|a| a.user_id.clone()),
        data_key_id: key_id,
        what_happened_enc: sealed.seal(TABLE, "what_happened", &id, tip.what_happened().as_bytes()),
        address_enc: tip
            .address()
            .map(|a| sealed.seal(TABLE, "address", &id, a.as_bytes())),
        suspects_enc: list(tip.suspects().to_vec())
            .map(|v| sealed.seal_json("suspects", &id, &v))
            .transpose()?,
        vehicles_enc: list(
            tip.vehicles()
                .iter()
                .map(|v| v.as_str().to_owned())
                .collect(),
        )
        .map(|v| sealed.seal_json("vehicles", &id, &v))
        .transpose()?,
        phones_enc: list(tip.phones().iter().map(|p| p.as_str().to_owned()).collect())
            .map(|v| sealed.seal_json("phones", &id, &v))
            .transpose()?,
        accounts_enc: list(
            tip.accounts()
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
        )
        .map(|v| sealed.seal_json("accounts", &id, &v))
        .transpose()?,
        contact_enc: contact
            .as_ref()
            .map(|c| sealed.seal_json("contact", &id, c))
            .transpose()?,
        updated_at: now,
    };
    repo::insert(&mut tx, &row).await?;
    for p in tip.phones() {
        repo::add_identifier(
            &mut tx,
            &id,
            "phone",
            &ring.blind_index("phone", p.as_str()),
        )
        .await?;
    }
    for v in tip.vehicles() {
        repo::add_identifier(
            &mut tx,
            &id,
            "plate",
            &ring.blind_index("plate", v.as_str()),
        )
        .await?;
    }
    for a in tip.accounts() {
        if let Some(k) = a.match_key() {
            repo::add_identifier(&mut tx, &id, "account", &ring.blind_index("account", &k)).await?;
        }
    }
    for (i, (kind, bytes)) in cleaned.iter().enumerate() {
        let pid = uuid::Uuid::now_v7().to_string();
        repo::add_photo(
            &mut tx,
            &repo::TipPhotoRow {
                id: pid.clone(),
                tip_id: id.clone(),
                position: i as i64,
                content_type: kind.content_type().to_owned(),
                size_bytes: bytes.len() as i64,
                photo_enc: sealed.seal("tip_photos", "photo", &pid, bytes),
                created_at: now,
            },
        )
        .await?;
    }
    history(
        &mut tx,
        &id,
        now,
        actor.map(|a| a.user_id.as_str()),
        "received",
        source.kind_id(),
    )
    .await?;
    record(
        &mut tx,
        app,
        ctx,
        actor,
        Event {
            action: "tip.submit",
            record_type: "tip",
            record_id: &id,
            outcome: "ok",
            detail: format!(
                "source {}, {}, {} photos",
                source.kind_id(),
                urgency.id(),
                cleaned.len()
            ),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(TipReceipt {
        tip_id: id,
        tracking_code: code.grouped(),
        secret: secret.grouped(),
    })
}

fn secret_hash(app: &App, code: &TrackingCode, secret: &TipSecret) -> String {
    app.ring().blind_index(
        "tip_secret",
        &format!("{}:{}", code.compact(), secret.expose()),
    )
}

/// Compares without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The tip behind a code and secret. An unknown code, a wrong secret and a malformed
/// secret all take the same path (one look-up, one HMAC, one comparison) and give the same
/// `NotFound`. Only a code that fails its own check character is reported as a typing
/// error, which says nothing about any tip.
pub(crate) async fn by_code_and_secret(
    c: &mut Conn,
    app: &App,
    code: &str,
    secret: &str,
) -> Result<TipRow> {
    let code =
        TrackingCode::parse(code).map_err(|e| ServiceError::invalid("tracking_code", e.code()))?;
    let parsed = TipSecret::parse(secret);
    let row = repo::by_tracking_code(c, &code.compact()).await?;
    let presented = match &parsed {
        Ok(s) => secret_hash(app, &code, s),
        Err(_) => app
            .ring()
            .blind_index("tip_secret", &format!("{}:", code.compact())),
    };
    const NONE: &str = "0000000000000000000000000000000000000000000000000000000000000000";
    let stored = row.as_ref().map_or(NONE, |r| r.secret_hash.as_str());
    let equal = constant_time_eq(presented.as_bytes(), stored.as_bytes());
    match row {
        Some(r) if equal && parsed.is_ok() => Ok(r),
        _ => Err(ServiceError::NotFound("tip")),
    }
}

pub(crate) async fn history(
    c: &mut Conn,
    tip_id: &str,
    at: i64,
    actor: Option<&str>,
    kind: &str,
    detail: &str,
) -> Result<()> {
    repo::add_event(
        c,
        &TipEventRow {
            id: uuid::Uuid::now_v7().to_string(),
            tip_id: tip_id.to_owned(),
            at,
            actor_user_id: actor.map(str::to_owned),
            kind: kind.to_owned(),
            detail: detail.to_owned(),
        },
    )
    .await?;
    Ok(())
}

async fn username(c: &mut Conn, id: Option<&str>) -> Result<Option<String>> {
    match id {
        Some(id) => Ok(users::get(c, id).await?.map(|u| u.username)),
        None => Ok(None),
    }
}

pub(crate) async fn summary(
    c: &mut Conn,
    row: &TipRow,
    now: i64,
    masked: bool,
    excerpt: Option<String>,
) -> Result<TipSummary> {
    Ok(TipSummary {
        id: row.id.clone(),
        received_at_ms: row.received_at,
        ack_deadline_ms: row.ack_deadline,
        urgency: if row.urgency == "urgent" {
            TipUrgency::Urgent
        } else {
            TipUrgency::Normal
        },
        state: STATE_IDS
            .iter()
            .copied()
            .find(|s| *s == row.state)
            .unwrap_or("received"),
        source: row.source_kind.clone(),
        division: row.division.clone(),
        division_name: division_name(&row.division),
        owner_unit_id: row.owner_unit_id.clone(),
        assignee_user_id: row.assignee_user_id.clone(),
        assignee_username: username(c, row.assignee_user_id.as_deref()).await?,
        overdue: row.state == "received" && now > row.ack_deadline,
        escalated: row.escalated_at.is_some(),
        decision: row.decision.clone(),
        masked,
        excerpt: if masked { None } else { excerpt },
    })
}

const STATE_IDS: [&str; 5] = [
    "received",
    "acknowledged",
    "under_review",
    "no_action_pending",
    "decided",
];

pub(crate) fn referral_view(sealed: &Sealed, r: &TipReferralRow) -> Result<ReferralView> {
    Ok(ReferralView {
        tip_id: r.tip_id.clone(),
        to_unit_id: r.to_unit_id.clone(),
        reason: sealed.open_text_in("tip_referrals", "reason", &r.tip_id, &r.reason_enc)?,
        referred_at_ms: r.referred_at,
        acknowledged_at_ms: r.acknowledged_at,
        acknowledged_by: r.acknowledged_by.clone(),
    })
}

/// A tip with its state rebuilt for the domain's state machine.
pub(crate) struct Loaded {
    pub row: TipRow,
    pub state: TipState,
    pub referral: Option<TipReferralRow>,
    pub pending_review: Option<NoActionReviewRow>,
    pub sealed: Sealed,
}

fn corrupt(what: &str) -> ServiceError {
    ServiceError::Internal(format!("stored tip is inconsistent: {what}"))
}

impl Loaded {
    pub async fn load(c: &mut Conn, app: &App, row: TipRow) -> Result<Loaded> {
        let sealed = Sealed::for_row(c, app, &row).await?;
        let referral = repo::referral(c, &row.id).await?;
        let reviews = repo::reviews(c, &row.id).await?;
        let pending_review = reviews
            .iter()
            .rev()
            .find(|r| r.outcome == "pending")
            .cloned();
        let approved = reviews.iter().rev().find(|r| r.outcome == "approved");
        let assignment = match (&row.assignee_user_id, row.acknowledged_at) {
            (Some(a), Some(at)) => Some(Assignment {
                assignee: a.clone().into(),
                acknowledged_at: ts(at),
            }),
            _ => None,
        };
        let need_assignment = || {
            assignment
                .clone()
                .ok_or_else(|| corrupt("assignment missing"))
        };
        let review_reason = |r: &NoActionReviewRow| -> Result<NoActionReason> {
            let text =
                sealed.open_text_in("tip_no_action_reviews", "reason", &r.id, &r.reason_enc)?;
            NoActionReason::parse(&text).map_err(|_| corrupt("no-action reason"))
        };
        let state = match row.state.as_str() {
            "received" => TipState::Received,
            "acknowledged" => TipState::Acknowledged(need_assignment()?),
            "under_review" => TipState::UnderReview(need_assignment()?),
            "no_action_pending" => {
                let p = pending_review
                    .as_ref()
                    .ok_or_else(|| corrupt("pending review missing"))?;
                TipState::NoActionPending {
                    assignment: need_assignment()?,
                    proposal: NoActionProposal {
                        reason: review_reason(p)?,
                        proposed_by: p.proposed_by.clone().into(),
                        proposed_at: ts(p.proposed_at),
                    },
                }
            }
            "decided" => {
                let decision = match row.decision.as_deref() {
                    Some("open_case") => TipDecision::OpenCase,
                    Some("join_case") => TipDecision::JoinCase(CaseId::new(
                        row.case_ref
                            .clone()
                            .ok_or_else(|| corrupt("case reference missing"))?,
                    )),
                    Some("refer") => {
                        let r = referral
                            .as_ref()
                            .ok_or_else(|| corrupt("referral missing"))?;
                        let reason = sealed.open_text_in(
                            "tip_referrals",
                            "reason",
                            &r.tip_id,
                            &r.reason_enc,
                        )?;
                        TipDecision::Refer(Referral {
                            to: r.to_unit_id.clone().into(),
                            reason: ReferralReason::parse(&reason)
                                .map_err(|_| corrupt("referral reason"))?,
                            state: match (&r.acknowledged_by, r.acknowledged_at) {
                                (Some(by), Some(at)) => ReferralState::Acknowledged {
                                    by: by.clone().into(),
                                    at: ts(at),
                                },
                                _ => ReferralState::Pending,
                            },
                        })
                    }
                    Some("no_action") => {
                        let a = approved.ok_or_else(|| corrupt("approved review missing"))?;
                        TipDecision::NoAction {
                            reason: review_reason(a)?,
                            approved_by: a
                                .reviewed_by
                                .clone()
                                .ok_or_else(|| corrupt("reviewer missing"))?
                                .into(),
                        }
                    }
                    _ => return Err(corrupt("decision missing")),
                };
                TipState::Decided {
                    assignment: need_assignment()?,
                    record: DecisionRecord {
                        decision,
                        decided_by: row
                            .decided_by
                            .clone()
                            .ok_or_else(|| corrupt("decided_by missing"))?
                            .into(),
                        decided_at: ts(row
                            .decided_at
                            .ok_or_else(|| corrupt("decided_at missing"))?),
                    },
                }
            }
            other => return Err(corrupt(other)),
        };
        Ok(Loaded {
            row,
            state,
            referral,
            pending_review,
            sealed,
        })
    }

    fn list<T: DeserializeOwned>(&self, column: &str, enc: &Option<Vec<u8>>) -> Result<Vec<T>> {
        match enc {
            Some(e) => self.sealed.open_json(column, &self.row.id, e),
            None => Ok(Vec::new()),
        }
    }

    /// The tip as the domain's form would have produced it, for duplicate scoring.
    /// `None` if the stored content no longer passes today's checks (e.g. a division
    /// that was abolished since).
    pub async fn valid_tip(&self, _c: &mut Conn, _app: &App) -> Result<Option<ValidTip>> {
        let r = &self.row;
        let groups: Vec<StoredRiskGroup> =
            serde_json::from_str(&r.people_at_risk).map_err(ServiceError::internal)?;
        let form = PublicTipForm {
            what_happened: self
                .sealed
                .open_text("what_happened", &r.id, &r.what_happened_enc)?,
            division: r.division.clone(),
            address: match &r.address_enc {
                Some(e) => self.sealed.open_text("address", &r.id, e)?,
                None => String::new(),
            },
            date: r.occurred_date.clone(),
            time: r.occurred_time.clone().unwrap_or_default(),
            people_at_risk: groups
                .into_iter()
                .map(|g| RiskGroupForm {
                    count: g.count.to_string(),
                    sex: g.sex,
                    age_band: g.age_band.unwrap_or_default(),
                })
                .collect(),
            suspects: self.list("suspects", &r.suspects_enc)?,
            vehicles: self.list("vehicles", &r.vehicles_enc)?,
            phones: self.list("phones", &r.phones_enc)?,
            accounts: self.list("accounts", &r.accounts_enc)?,
            child_involved: r.child_involved,
            immediate_danger: r.immediate_danger,
            contact: Default::default(),
        };
        Ok(form.validate(ts(r.received_at)).ok())
    }

    pub async fn detail(
        &self,
        c: &mut Conn,
        app: &App,
        now: i64,
        masked: bool,
    ) -> Result<TipDetail> {
        let _ = app;
        let r = &self.row;
        let groups: Vec<StoredRiskGroup> =
            serde_json::from_str(&r.people_at_risk).map_err(ServiceError::internal)?;
        let people_at_risk = groups
            .iter()
            .map(|g| RiskGroupView {
                count: g.count,
                sex: match g.sex.as_str() {
                    "female" => "female",
                    "male" => "male",
                    "mixed" => "mixed",
                    _ => "unknown",
                },
                age_band: g.age_band.as_deref().and_then(|a| {
                    fanguai_domain::mask::AgeBand::ALL
                        .into_iter()
                        .find(|b| b.id() == a)
                        .map(|b| b.id())
                }),
            })
            .collect();
        let mut history = Vec::new();
        for e in repo::events(c, &r.id).await? {
            history.push(HistoryEntry {
                at_ms: e.at,
                actor_username: username(c, e.actor_user_id.as_deref()).await?,
                kind: e.kind,
                detail: e.detail,
            });
        }
        let text = if masked {
            None
        } else {
            Some(
                self.sealed
                    .open_text("what_happened", &r.id, &r.what_happened_enc)?,
            )
        };
        let summary = summary(c, r, now, masked, text.as_deref().map(super::excerpt)).await?;
        let mut d = TipDetail {
            summary,
            occurred_date: r.occurred_date.clone(),
            occurred_time: r.occurred_time.clone(),
            people_at_risk,
            child_involved: r.child_involved,
            immediate_danger: r.immediate_danger,
            what_happened: text,
            address: None,
            suspects: Vec::new(),
            vehicles: Vec::new(),
            phones: Vec::new(),
            accounts: Vec::new(),
            has_contact: r.contact_enc.is_some(),
            photos: Vec::new(),
            additions: Vec::new(),
            history,
            case_ref: r.case_ref.clone(),
            referral: None,
            no_action_pending: None,
            actions: Vec::new(),
        };
        if masked {
            return Ok(d);
        }
        d.address = match &r.address_enc {
            Some(e) => Some(self.sealed.open_text("address", &r.id, e)?),
            None => None,
        };
        d.suspects = self.list("suspects", &r.suspects_enc)?;
        d.vehicles = self.list("vehicles", &r.vehicles_enc)?;
        d.phones = self.list("phones", &r.phones_enc)?;
        d.accounts = self.list("accounts", &r.accounts_enc)?;
        d.photos = repo::photos(c, &r.id)
            .await?
            .into_iter()
            .map(|p| PhotoMeta {
                id: p.id,
                content_type: p.content_type,
                size_bytes: p.size_bytes,
            })
            .collect();
        for a in repo::additions(c, &r.id).await? {
            d.additions.push(AdditionView {
                at_ms: a.at,
                text: self
                    .sealed
                    .open_text_in("tip_additions", "text", &a.id, &a.text_enc)?,
            });
        }
        d.referral = self
            .referral
            .as_ref()
            .map(|x| referral_view(&self.sealed, x))
            .transpose()?;
        if let Some(p) = &self.pending_review {
            d.no_action_pending = Some(NoActionView {
                reason: self.sealed.open_text_in(
                    "tip_no_action_reviews",
                    "reason",
                    &p.id,
                    &p.reason_enc,
                )?,
                proposed_by: username(c, Some(&p.proposed_by))
                    .await?
                    .unwrap_or_else(|| p.proposed_by.clone()),
                proposed_at_ms: p.proposed_at,
            });
        }
        Ok(d)
    }
}

/// Writes the state the domain computed, with the side records its event implies.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn save_transition(
    c: &mut Conn,
    _app: &App,
    loaded: &Loaded,
    next: &TipState,
    event: &TipEvent,
    actor: &Actor,
    now: i64,
    opened_case: Option<&str>,
) -> Result<()> {
    let mut row = loaded.row.clone();
    row.state = state_id(next.kind()).to_owned();
    if let Some(a) = next.assignment() {
        row.assignee_user_id = Some(a.assignee.as_str().to_owned());
        row.acknowledged_at = Some(ms(a.acknowledged_at));
    }
    if let TipState::Decided { record, .. } = next {
        row.decision = Some(record.decision.id().to_owned());
        row.decided_by = Some(record.decided_by.as_str().to_owned());
        row.decided_at = Some(ms(record.decided_at));
        match &record.decision {
            TipDecision::JoinCase(case) => row.case_ref = Some(case.as_str().to_owned()),
            TipDecision::OpenCase => row.case_ref = opened_case.map(str::to_owned),
            _ => {}
        }
    }
    row.updated_at = now;
    let sealed = &loaded.sealed;
    match (event, next) {
        (TipEvent::Decide(_), TipState::NoActionPending { proposal, .. }) => {
            let id = uuid::Uuid::now_v7().to_string();
            repo::insert_review(
                c,
                &NoActionReviewRow {
                    id: id.clone(),
                    tip_id: row.id.clone(),
                    reason_enc: sealed.seal(
                        "tip_no_action_reviews",
                        "reason",
                        &id,
                        proposal.reason.as_str().as_bytes(),
                    ),
                    proposed_by: actor.user_id.clone(),
                    proposed_at: now,
                    outcome: "pending".into(),
                    reviewed_by: None,
                    reviewed_at: None,
                },
            )
            .await?;
        }
        (TipEvent::Decide(_), TipState::Decided { record, .. }) => {
            if let TipDecision::Refer(r) = &record.decision {
                repo::insert_referral(
                    c,
                    &TipReferralRow {
                        tip_id: row.id.clone(),
                        to_unit_id: r.to.as_str().to_owned(),
                        reason_enc: sealed.seal(
                            "tip_referrals",
                            "reason",
                            &row.id,
                            r.reason.as_str().as_bytes(),
                        ),
                        referred_by: actor.user_id.clone(),
                        referred_at: now,
                        acknowledged_by: None,
                        acknowledged_at: None,
                    },
                )
                .await?;
            }
        }
        (TipEvent::ApproveNoAction | TipEvent::RejectNoAction, _) => {
            let p = loaded
                .pending_review
                .as_ref()
                .ok_or_else(|| corrupt("pending review missing"))?;
            let outcome = if matches!(event, TipEvent::ApproveNoAction) {
                "approved"
            } else {
                "rejected"
            };
            repo::resolve_review(c, &p.id, outcome, &actor.user_id, now).await?;
        }
        (TipEvent::AcknowledgeReferral, _) => {
            let first = repo::acknowledge_referral(c, &row.id, &actor.user_id, now).await?;
            first
                .then_some(())
                .ok_or_else(|| ServiceError::Conflict("referral already acknowledged".into()))?;
        }
        _ => {}
    }
    repo::update_workflow(c, &row).await?;
    Ok(())
}

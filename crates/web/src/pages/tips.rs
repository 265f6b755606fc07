//! The staff desk for tips (举报线索): the list with deadlines, entry of tips received by
//! phone, in person, by letter or from other units, the triage page of one tip with the
//! actions its state and the actor's role allow, and the inbox of tips referred to the
//! actor's unit. Every read and every step goes through the service's `TipDesk`, which
//! asks the policy and writes the audit log; this module only shows what it returns.

use askama::Template;
use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use fanguai_domain::{org::MEMBER_UNITS, policy::Capability, tips::MandatoryReporter};
use fanguai_service::{
    DecisionInput, DuplicateView, ReporterView, ServiceError, TipDesk, TipDetail, TipSummary,
    parse_source,
};
use serde::Deserialize;

use super::{Chrome, FieldErrors, format_time, local_path, render, render_status, see_other};
use crate::{
    AppState,
    context::Signed,
    error::WebError,
    extract::{Form, Path, Query},
    public::form::{self, ReportInput, TipFormView, TipUpload},
};

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/tips", get(list))
        .route(
            "/tips/new",
            get(new_form)
                .post(enter)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/tips/referrals", get(referrals))
        .route("/tips/{id}", get(detail))
        .route("/tips/{id}/photos/{photo}", get(photo))
        .route("/tips/{id}/acknowledge", post(acknowledge))
        .route("/tips/{id}/reassign", post(reassign))
        .route("/tips/{id}/start-review", post(start_review))
        .route("/tips/{id}/decide", post(decide))
        .route("/tips/{id}/approve-no-action", post(approve_no_action))
        .route("/tips/{id}/reject-no-action", post(reject_no_action))
        .route(
            "/tips/{id}/acknowledge-referral",
            post(acknowledge_referral),
        )
        .route("/tips/{id}/reveal", post(reveal))
}

/// A tip line as the list and the home page show it, in the page language.
#[derive(Debug, Clone)]
pub struct TipRow {
    pub id: String,
    pub short_id: String,
    pub received: String,
    pub deadline: String,
    pub urgent: bool,
    pub urgency: String,
    pub state_id: &'static str,
    pub state: String,
    pub source: String,
    pub place: String,
    pub assignee: String,
    pub overdue: bool,
    pub escalated: bool,
    pub decision: Option<String>,
    pub excerpt: Option<String>,
}

fn label(chrome: &Chrome, prefix: &str, id: &str) -> String {
    let key = format!("{prefix}-{id}");
    if chrome.tr.has(&key) {
        chrome.t(&key)
    } else {
        id.to_owned()
    }
}

impl TipRow {
    pub fn of(chrome: &Chrome, s: &TipSummary) -> TipRow {
        let urgency = s.urgency.id();
        TipRow {
            id: s.id.clone(),
            short_id: s
                .id
                .chars()
                .rev()
                .take(8)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect(),
            received: format_time(s.received_at_ms),
            deadline: format_time(s.ack_deadline_ms),
            urgent: urgency == "urgent",
            urgency: label(chrome, "tips-urgency", urgency),
            state_id: s.state,
            state: label(chrome, "tips-state", s.state),
            source: label(chrome, "tips-source", &s.source),
            place: s.division_name.clone(),
            assignee: s.assignee_username.clone().unwrap_or_default(),
            overdue: s.overdue,
            escalated: s.escalated,
            decision: s
                .decision
                .as_deref()
                .map(|d| label(chrome, "tips-decision", d)),
            excerpt: s.excerpt.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "tips/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<TipRow>,
    total: usize,
    masked: bool,
    filter: ListQuery,
    states: Vec<(&'static str, String)>,
    may_enter: bool,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    overdue: String,
}

impl ListQuery {
    fn keeps(&self, s: &TipSummary) -> bool {
        (self.state.is_empty() || s.state == self.state)
            && (self.urgency.is_empty() || s.urgency.id() == self.urgency)
            && (self.overdue.is_empty() || s.overdue)
    }
}

const STATES: [&str; 5] = [
    "received",
    "acknowledged",
    "under_review",
    "no_action_pending",
    "decided",
];

pub async fn list(signed: Signed, Query(q): Query<ListQuery>) -> Result<Html<String>, WebError> {
    let desk = signed.session.tips().await?;
    let all = desk.list().await?;
    let chrome = Chrome::new(&signed.ctx);
    let masked = all.iter().any(|s| s.masked);
    let mut kept: Vec<&TipSummary> = all.iter().filter(|s| q.keeps(s)).collect();
    // What needs someone now first: overdue, then urgent, then by deadline.
    kept.sort_by_key(|s| (!s.overdue, s.state == "decided", s.ack_deadline_ms));
    let rows = kept.iter().map(|s| TipRow::of(&chrome, s)).collect();
    let states = STATES
        .iter()
        .map(|s| (*s, label(&chrome, "tips-state", s)))
        .collect();
    render(&ListPage {
        rows,
        total: all.len(),
        masked,
        filter: q,
        states,
        may_enter: signed
            .session
            .permissions()
            .contains(&Capability::SubmitTip),
        chrome,
    })
}

#[derive(Template)]
#[template(path = "tips/new.html")]
struct NewPage {
    chrome: Chrome,
    form: TipFormView,
    source: String,
    source_reporter: String,
    source_unit: String,
    source_region: String,
    sources: Vec<(&'static str, String)>,
    reporters: Vec<(&'static str, String)>,
    units: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "tips/entered.html")]
struct EnteredPage {
    chrome: Chrome,
    tip_id: String,
    tracking_code: String,
    secret: String,
    may_read: bool,
}

const STAFF_SOURCES: [&str; 6] = [
    "phone_line",
    "walk_in",
    "letter",
    "mandatory_reporter",
    "other_unit",
    "other_region",
];

fn unit_choices(chrome: &Chrome) -> Vec<(&'static str, String)> {
    MEMBER_UNITS
        .iter()
        .map(|u| (u.id, chrome.pick(u.name_zh, u.name_en).to_owned()))
        .collect()
}

fn new_page(chrome: Chrome, input: ReportInput, errors: FieldErrors, photos_lost: bool) -> NewPage {
    let sources = STAFF_SOURCES
        .iter()
        .map(|s| (*s, label(&chrome, "tips-source", s)))
        .collect();
    let reporters = MandatoryReporter::ALL
        .iter()
        .map(|m| (m.id(), label(&chrome, "tips-reporter", m.id())))
        .collect();
    let units = unit_choices(&chrome);
    NewPage {
        source: input.other("source").to_owned(),
        source_reporter: input.other("source_reporter").to_owned(),
        source_unit: input.other("source_unit").to_owned(),
        source_region: input.other("source_region").to_owned(),
        form: TipFormView::new(&chrome.tr, input, errors, photos_lost),
        sources,
        reporters,
        units,
        chrome,
    }
}

pub async fn new_form(signed: Signed) -> Result<Html<String>, WebError> {
    signed.session.tips().await?;
    render(&new_page(
        Chrome::new(&signed.ctx),
        ReportInput::default(),
        FieldErrors::default(),
        false,
    ))
}

pub async fn enter(signed: Signed, upload: TipUpload) -> Result<Response, WebError> {
    let desk = signed.session.tips().await?;
    let input = ReportInput::from_fields(&upload.fields)?;
    let had_photos = !upload.photos.is_empty();
    let tr = signed.ctx.tr.clone();
    let again = |errors: FieldErrors, input: ReportInput| {
        render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_page(Chrome::new(&signed.ctx), input, errors, had_photos),
        )
    };
    let kind = input.other("source");
    let detail = match kind {
        "mandatory_reporter" => input.other("source_reporter"),
        "other_unit" => input.other("source_unit"),
        "other_region" => input.other("source_region"),
        _ => "",
    };
    let source = parse_source(kind, detail);
    let tip = desk.validate(&input.to_form());
    let (source, tip) = match (source, tip) {
        (Ok(s), Ok(t)) => (s, t),
        (s, t) => {
            let mut errors = match t {
                Err(e) => form::form_errors(&tr, &e),
                Ok(_) => FieldErrors::default(),
            };
            if let Err(ServiceError::Invalid { field, code }) = s {
                errors.add(field, form::message_for(&tr, &code));
            }
            return Ok(again(errors, input));
        }
    };
    match desk.enter(&source, &tip, &upload.photos).await {
        Ok(receipt) => {
            let page = EnteredPage {
                chrome: Chrome::new(&signed.ctx),
                may_read: signed.session.permissions().contains(&Capability::Tips),
                tip_id: receipt.tip_id.clone(),
                tracking_code: receipt.tracking_code.clone(),
                secret: receipt.secret.clone(),
            };
            Ok(render_status(StatusCode::CREATED, &page))
        }
        Err(e) => Ok(again(form::service_field_error(&tr, e)?, input)),
    }
}

/// A fact of the tip in the page language.
struct GroupLine {
    count: u32,
    sex: String,
    age: String,
}

struct HistoryLine {
    at: String,
    actor: String,
    kind: String,
    detail: String,
}

struct DuplicateLine {
    id: String,
    short_id: String,
    score: u32,
    reasons: Vec<String>,
    received: String,
    state: String,
}

#[derive(Template)]
#[template(path = "tips/detail.html")]
struct DetailPage {
    chrome: Chrome,
    tip: TipDetail,
    row: TipRow,
    groups: Vec<GroupLine>,
    history: Vec<HistoryLine>,
    additions: Vec<(String, String)>,
    duplicates: Vec<DuplicateLine>,
    assignable: Vec<(String, String)>,
    units: Vec<(&'static str, String)>,
    referral_unit: String,
    no_action_by: String,
    reporter: Option<ReporterView>,
    errors: FieldErrors,
    input: ActionInput,
    notice: Option<String>,
}

impl DetailPage {
    fn may(&self, action: &'static str) -> bool {
        self.tip.actions.contains(&action)
    }

    fn assigning(&self) -> bool {
        self.may("acknowledge") || self.may("reassign")
    }

    fn time(&self, ms: &i64) -> String {
        format_time(*ms)
    }
}

/// What was typed into one of the action forms, kept when it comes back with an error.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ActionInput {
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    case_id: String,
    #[serde(default)]
    to_unit: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    done: Option<String>,
}

fn unit_name(chrome: &Chrome, id: &str) -> String {
    MEMBER_UNITS.iter().find(|u| u.id == id).map_or_else(
        || id.to_owned(),
        |u| chrome.pick(u.name_zh, u.name_en).to_owned(),
    )
}

async fn detail_page(
    signed: &Signed,
    desk: &TipDesk,
    id: &str,
    errors: FieldErrors,
    input: ActionInput,
    reporter: Option<ReporterView>,
    notice: Option<String>,
) -> Result<DetailPage, WebError> {
    let tip = desk.get(id).await?;
    let chrome = Chrome::new(&signed.ctx);
    let triage = tip
        .actions
        .iter()
        .any(|a| matches!(*a, "acknowledge" | "reassign" | "start_review" | "decide"));
    let duplicates = if triage {
        desk.duplicates(id)
            .await?
            .iter()
            .map(|d: &DuplicateView| DuplicateLine {
                id: d.tip_id.clone(),
                short_id: d
                    .tip_id
                    .chars()
                    .rev()
                    .take(8)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect(),
                score: d.score,
                reasons: d
                    .reasons
                    .iter()
                    .map(|r| label(&chrome, "tips-duplicate", r))
                    .collect(),
                received: format_time(d.received_at_ms),
                state: label(&chrome, "tips-state", d.state),
            })
            .collect()
    } else {
        Vec::new()
    };
    let assignable = if tip
        .actions
        .iter()
        .any(|a| matches!(*a, "acknowledge" | "reassign"))
    {
        desk.assignable().await?
    } else {
        Vec::new()
    };
    let groups = tip
        .people_at_risk
        .iter()
        .map(|g| GroupLine {
            count: g.count,
            sex: label(&chrome, "tip-sex", g.sex),
            age: match g.age_band {
                Some(b) => chrome.t1("tip-age-years", "band", b),
                None => chrome.t("tip-age-unknown"),
            },
        })
        .collect();
    let history = tip
        .history
        .iter()
        .map(|h| HistoryLine {
            at: format_time(h.at_ms),
            actor: h
                .actor_username
                .clone()
                .unwrap_or_else(|| chrome.t("tips-history-system")),
            kind: label(&chrome, "tips-history", &h.kind),
            detail: h.detail.clone(),
        })
        .collect();
    let additions = tip
        .additions
        .iter()
        .map(|a| (format_time(a.at_ms), a.text.clone()))
        .collect();
    let referral_unit = tip
        .referral
        .as_ref()
        .map(|r| unit_name(&chrome, &r.to_unit_id))
        .unwrap_or_default();
    let no_action_by = tip
        .no_action_pending
        .as_ref()
        .map(|n| n.proposed_by.clone())
        .unwrap_or_default();
    // A tip is never referred to the unit that holds it.
    let units = unit_choices(&chrome)
        .into_iter()
        .filter(|(id, _)| *id != tip.summary.owner_unit_id)
        .collect();
    Ok(DetailPage {
        row: TipRow::of(&chrome, &tip.summary),
        groups,
        history,
        additions,
        duplicates,
        assignable,
        units,
        referral_unit,
        no_action_by,
        reporter,
        errors,
        input,
        notice,
        tip,
        chrome,
    })
}

pub async fn detail(
    signed: Signed,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Result<Html<String>, WebError> {
    let desk = signed.session.tips().await?;
    let notice = q.done.as_deref().and_then(|d| {
        let key = format!("tips-done-{d}");
        signed.ctx.tr.has(&key).then(|| signed.ctx.tr.t(&key))
    });
    render(
        &detail_page(
            &signed,
            &desk,
            &id,
            FieldErrors::default(),
            ActionInput::default(),
            None,
            notice,
        )
        .await?,
    )
}

/// After a step: back to the tip (or where the form asked), or the tip again with the
/// refusal beside its field.
async fn after_step(
    signed: &Signed,
    desk: &TipDesk,
    id: &str,
    input: ActionInput,
    done: &str,
    result: Result<(), ServiceError>,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => {
            let to = match input.next.as_deref() {
                Some(n) => local_path(Some(n)).to_owned(),
                None => format!("/tips/{id}?done={done}"),
            };
            Ok(see_other(&to))
        }
        Err(ServiceError::Invalid { field, code }) => {
            let mut errors = FieldErrors::default();
            errors.add(field, form::message_for(&signed.ctx.tr, &code));
            let page = detail_page(signed, desk, id, errors, input, None, None).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn acknowledge(
    signed: Signed,
    Path(id): Path<String>,
    Form(input): Form<ActionInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.tips().await?;
    let r = desk.acknowledge(&id, input.assignee.trim()).await;
    after_step(&signed, &desk, &id, input, "acknowledged", r).await
}

pub async fn reassign(
    signed: Signed,
    Path(id): Path<String>,
    Form(input): Form<ActionInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.tips().await?;
    let r = desk.reassign(&id, input.assignee.trim()).await;
    after_step(&signed, &desk, &id, input, "reassigned", r).await
}

pub async fn start_review(
    signed: Signed,
    Path(id): Path<String>,
    Form(input): Form<ActionInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.tips().await?;
    let r = desk.start_review(&id).await;
    after_step(&signed, &desk, &id, input, "review_started", r).await
}

pub async fn decide(
    signed: Signed,
    Path(id): Path<String>,
    Form(input): Form<ActionInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.tips().await?;
    let decision = match input.decision.as_str() {
        "open_case" => DecisionInput::OpenCase,
        "join_case" => DecisionInput::JoinCase {
            case_id: input.case_id.clone(),
        },
        "refer" => DecisionInput::Refer {
            to_unit: input.to_unit.clone(),
            reason: input.reason.clone(),
        },
        "no_action" => DecisionInput::NoAction {
            reason: input.reason.clone(),
        },
        _ => {
            let r = Err(ServiceError::invalid("decision", "tip.decision.unknown"));
            return after_step(&signed, &desk, &id, input, "decided", r).await;
        }
    };
    let done = if input.decision == "no_action" {
        "no_action_proposed"
    } else {
        "decided"
    };
    let r = desk.decide(&id, &decision).await;
    after_step(&signed, &desk, &id, input, done, r).await
}

pub async fn approve_no_action(
    signed: Signed,
    Path(id): Path<String>,
    Form(input): Form<ActionInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.tips().await?;
    let r = desk.approve_no_action(&id).await;
    after_step(&signed, &desk, &id, input, "no_action_approved", r).await
}

pub async fn reject_no_action(
    signed: Signed,
    Path(id): Path<String>,
    Form(input): Form<ActionInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.tips().await?;
    let r = desk.reject_no_action(&id).await;
    after_step(&signed, &desk, &id, input, "no_action_rejected", r).await
}

pub async fn acknowledge_referral(
    signed: Signed,
    Path(id): Path<String>,
    Form(input): Form<ActionInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.tips().await?;
    match desk.acknowledge_referral(&id).await {
        Ok(()) => Ok(see_other(local_path(
            input
                .next
                .as_deref()
                .or(Some("/tips/referrals?done=acknowledged")),
        ))),
        Err(e) => Err(e.into()),
    }
}

pub async fn reveal(
    signed: Signed,
    Path(id): Path<String>,
    Form(input): Form<ActionInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.tips().await?;
    match desk.reveal_reporter(&id, &input.purpose).await {
        Ok(reporter) => {
            let page = detail_page(
                &signed,
                &desk,
                &id,
                FieldErrors::default(),
                ActionInput::default(),
                Some(reporter),
                None,
            )
            .await?;
            Ok(render(&page)?.into_response())
        }
        Err(e) => after_step(&signed, &desk, &id, input, "revealed", Err(e)).await,
    }
}

/// A photo of the tip, served only through the desk (which checks full read access
/// and audits the view). Never cached.
pub async fn photo(
    signed: Signed,
    Path((id, photo)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let desk = signed.session.tips().await?;
    let (content_type, bytes) = desk.photo(&id, &photo).await?;
    let mut res = bytes.into_response();
    let ct = match content_type.as_str() {
        "image/jpeg" | "image/png" | "image/webp" => content_type,
        _ => "application/octet-stream".to_owned(),
    };
    if let Ok(v) = HeaderValue::from_str(&ct) {
        res.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline"),
    );
    Ok(res)
}

struct ReferralLine {
    id: String,
    short_id: String,
    referred: String,
    reason: String,
    acknowledged: Option<String>,
    place: String,
    when: String,
    text: String,
}

#[derive(Template)]
#[template(path = "tips/referrals.html")]
struct ReferralsPage {
    chrome: Chrome,
    lines: Vec<ReferralLine>,
    notice: Option<String>,
}

pub async fn referrals(
    signed: Signed,
    Query(q): Query<DetailQuery>,
) -> Result<Html<String>, WebError> {
    let desk = signed.session.tips().await?;
    let inbox = desk.referral_inbox().await?;
    let chrome = Chrome::new(&signed.ctx);
    let lines = inbox
        .into_iter()
        .map(|(r, s, text)| ReferralLine {
            short_id: TipRow::of(&chrome, &s).short_id,
            id: r.tip_id.clone(),
            referred: format_time(r.referred_at_ms),
            reason: r.reason,
            acknowledged: r.acknowledged_at_ms.map(format_time),
            place: s.division_name,
            when: format_time(s.received_at_ms),
            text,
        })
        .collect();
    let notice = (q.done.as_deref() == Some("acknowledged"))
        .then(|| chrome.t("tips-done-referral_acknowledged"));
    render(&ReferralsPage {
        chrome,
        lines,
        notice,
    })
}

//! The case pages (案件): the list by state, a new report, the case file with the next
//! steps of the procedure as forms, people, links and supervision, the series graph,
//! figures, key areas, special operations and supervision. Every handler first asks the
//! session for the case desk; the desk asks the policy for each case, masks what the
//! reader may only see masked, and audits reads, writes and refusals.

use askama::Template;
use axum::{
    Router,
    http::StatusCode,
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use fanguai_domain::cases::{
    CriminalArticle, ExploitationForm, TraffickingAct, CaseStateKind,
};
use fanguai_service::cases::{
    FigureQuery, FiguresView, KeyAreaView, NewKeyArea, NewOperation, NewSupervision,
    OperationView, SearchHit, SeriesView, SupervisionView, TipFiguresView,
};
use fanguai_service::{
    CaseDesk, CaseSummary, CaseView, ClassificationInput, NewCasePerson, NewCaseReport,
    NewIdentifier, PersonStatus, ServiceError, TransitionInput,
};
use serde::Deserialize;

use super::{Chrome, FieldErrors, format_time, render, render_status, see_other};
use crate::{
    AppState,
    context::Signed,
    error::WebError,
    extract::{Form, Path, Query},
    i18n::Tr,
};

/// Error codes of the case desk and the domain's case rules that the interface
/// translates (`invalid-<code>` with dots as dashes).
pub const CASE_ERROR_CODES: &[&str] = &[
    "case.date.invalid",
    "case.date.future",
    "case.division.unknown",
    "case.summary.length",
    "case.summary.control",
    "case.tip_id.empty",
    "case.event.unknown",
    "case.fast_track.not_eligible",
    "case.review.approval_required",
    "case.review.extension_unknown",
    "case.article.unknown",
    "case.act.unknown",
    "case.means.unknown",
    "case.exploitation.unknown",
    "case.assignee.unknown",
    "case.assignee.not_investigator",
    "case.referral.reason_length",
    "case.referral.own_unit",
    "case.state.unknown",
    "case.person.role_unknown",
    "case.person.sex_unknown",
    "case.person.age_range",
    "case.person.not_suspect",
    "case.person.not_victim",
    "case.text.invalid",
    "case.account.too_short",
    "case.identifier.kind_unknown",
    "case.gang.unknown",
    "case.gang.name_length",
    "case.search.empty",
    "case.unknown",
    "case_link.reason_length",
    "operation.case_outside",
    "supervision.level_unknown",
    "figures.period.reversed",
    "figures.area.invalid",
];

/// The case pages. Static paths (`/cases/figures`) win over `/cases/{id}`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list).post(create))
        .route("/cases/new", get(new_form))
        .route("/cases/search", post(search))
        .route("/cases/figures", get(figures))
        .route("/cases/key-areas", get(key_areas).post(add_key_area))
        .route("/cases/key-areas/{id}/advance", post(advance_key_area))
        .route("/cases/operations", get(operations).post(add_operation))
        .route("/cases/supervision", get(supervision).post(open_supervision))
        .route("/cases/supervision/{id}", post(act_on_supervision))
        .route("/cases/links/{id}/review", post(review_link))
        .route("/cases/{id}", get(show))
        .route("/cases/{id}/series", get(series))
        .route("/cases/{id}/transition", post(transition))
        .route("/cases/{id}/classification", post(classify))
        .route("/cases/{id}/people", post(add_person))
        .route("/cases/{id}/people/{person}/status", post(person_status))
        .route("/cases/{id}/identifiers", post(add_identifier))
        .route("/cases/{id}/gangs", post(add_gang))
        .route("/cases/{id}/gangs/{gang}/break-up", post(break_up_gang))
        .route("/cases/{id}/assign", post(assign))
        .route("/cases/{id}/refer", post(refer))
        .route("/cases/{id}/operations", post(attach))
}

// ---- labels ----

fn event_label(tr: &Tr, id: &str) -> String {
    match id {
        "report" => tr.t("case-event-report"),
        "accept" => tr.t("case-event-accept"),
        "start_review" => tr.t("case-event-start-review"),
        "extend_review" => tr.t("case-event-extend-review"),
        "register" => tr.t("case-event-register"),
        "fast_track_register" => tr.t("case-event-fast-track"),
        "decline_registration" => tr.t("case-event-decline"),
        "start_investigation" => tr.t("case-event-start-investigation"),
        "solve" => tr.t("case-event-solve"),
        "conclude_investigation" => tr.t("case-event-conclude"),
        "transfer_for_prosecution" => tr.t("case-event-prosecution"),
        "withdraw" => tr.t("case-event-withdraw"),
        "transfer_jurisdiction" => tr.t("case-event-transfer"),
        "tip_joined" => tr.t("case-event-tip-joined"),
        other => other.to_owned(),
    }
}

fn role_label(tr: &Tr, id: &str) -> String {
    match id {
        "victim" => tr.t("case-person-victim"),
        "suspect" => tr.t("case-person-suspect"),
        "gang_member" => tr.t("case-person-gang-member"),
        other => other.to_owned(),
    }
}

fn reason_label(tr: &Tr, id: &str) -> String {
    match id {
        "shared_suspect" => tr.t("case-link-shared-suspect"),
        "shared_phone" => tr.t("case-link-shared-phone"),
        "shared_account" => tr.t("case-link-shared-account"),
        "shared_vehicle" => tr.t("case-link-shared-vehicle"),
        "same_place_and_time" => tr.t("case-link-same-place"),
        other => other.to_owned(),
    }
}

fn link_status_label(tr: &Tr, id: &str) -> String {
    match id {
        "proposed" => tr.t("case-link-proposed"),
        "confirmed" => tr.t("case-link-confirmed"),
        "rejected" => tr.t("case-link-rejected"),
        other => other.to_owned(),
    }
}

fn state_label(chrome: &Chrome, id: &str) -> String {
    CaseStateKind::ALL
        .into_iter()
        .find(|k| k.id() == id)
        .map_or_else(
            || id.to_owned(),
            |k| {
                if chrome.is_en() {
                    format!("{} ({})", k.label_en(), k.term_zh())
                } else {
                    k.label_zh().to_owned()
                }
            },
        )
}

fn unit_label(chrome: &Chrome, id: &str) -> String {
    fanguai_domain::org::member_unit(id).map_or_else(
        || id.to_owned(),
        |u| chrome.pick(u.name_zh, u.name_en).to_owned(),
    )
}

fn article_label(chrome: &Chrome, number: &str) -> String {
    CriminalArticle::ALL
        .into_iter()
        .find(|a| a.number() == number)
        .map_or_else(
            || number.to_owned(),
            |a| format!("{} {}", a.number(), chrome.pick(a.name_zh(), a.name_en())),
        )
}

const ACT_IDS: [(&str, TraffickingAct); 6] = [
    ("abducting", TraffickingAct::Abducting),
    ("kidnapping", TraffickingAct::Kidnapping),
    ("buying", TraffickingAct::Buying),
    ("selling", TraffickingAct::Selling),
    ("delivering", TraffickingAct::Delivering),
    ("transiting", TraffickingAct::Transiting),
];

/// A choice of a select or a checkbox list: id, label, chosen.
#[derive(Debug)]
pub struct Choice {
    pub id: String,
    pub label: String,
    pub chosen: bool,
}

/// One line of a list.
#[derive(Debug)]
pub struct CaseLine {
    pub id: String,
    pub state: String,
    pub receipt: String,
    pub unit: String,
    pub place: String,
    pub occurred_on: String,
    pub article: String,
    pub masked: bool,
    pub overdue: bool,
}

fn line(chrome: &Chrome, c: &CaseSummary) -> CaseLine {
    CaseLine {
        id: c.id.clone(),
        state: state_label(chrome, c.state),
        receipt: c.receipt_number.clone().unwrap_or_default(),
        unit: unit_label(chrome, &c.owner_unit_id),
        place: c.place.clone(),
        occurred_on: c.occurred_on.clone(),
        article: c.article.as_deref().map(|a| article_label(chrome, a)).unwrap_or_default(),
        masked: c.masked,
        overdue: c.review_overdue,
    }
}

fn roles_of(signed: &Signed) -> (bool, bool) {
    use fanguai_service::Role;
    let roles = &signed.session.actor().roles;
    let works = roles.contains(&Role::Investigator) || roles.contains(&Role::Supervisor);
    let oversees = roles.contains(&Role::Office) || roles.contains(&Role::Convenor);
    (works, oversees)
}

/// An input error of a form, in the page language; anything else stays an error page.
fn input_error(tr: &Tr, e: ServiceError) -> Result<(StatusCode, String, String), WebError> {
    let web = WebError::from(&e);
    match &e {
        ServiceError::Invalid { field, .. } => {
            Ok((web.status, (*field).to_owned(), web.message(tr)))
        }
        ServiceError::Conflict(_) => Ok((web.status, String::new(), web.message(tr))),
        _ => Err(web),
    }
}

// ---- list ----

#[derive(Template)]
#[template(path = "cases/list.html")]
struct ListPage {
    chrome: Chrome,
    states: Vec<Choice>,
    cases: Vec<CaseLine>,
    can_open: bool,
    oversees: bool,
    hits: Option<Vec<HitLine>>,
    search_error: Option<String>,
}

#[derive(Debug)]
pub struct HitLine {
    pub case_id: String,
    pub role: String,
    pub state: String,
    pub masked: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    state: String,
}

fn state_choices(chrome: &Chrome, chosen: &str) -> Vec<Choice> {
    CaseStateKind::ALL
        .into_iter()
        .map(|k| Choice {
            id: k.id().to_owned(),
            label: state_label(chrome, k.id()),
            chosen: k.id() == chosen,
        })
        .collect()
}

async fn list_page(
    signed: &Signed,
    desk: &CaseDesk,
    state: &str,
    hits: Option<Vec<SearchHit>>,
    search_error: Option<String>,
) -> Result<ListPage, WebError> {
    let chrome = Chrome::new(&signed.ctx);
    let cases = desk.list(Some(state)).await?;
    let (works, oversees) = roles_of(signed);
    Ok(ListPage {
        states: state_choices(&chrome, state),
        cases: cases.iter().map(|c| line(&chrome, c)).collect(),
        can_open: works,
        oversees,
        hits: hits.map(|h| {
            h.into_iter()
                .map(|h| HitLine {
                    role: role_label(&signed.ctx.tr, &h.role),
                    state: state_label(&chrome, &h.state),
                    case_id: h.case_id,
                    masked: h.masked,
                })
                .collect()
        }),
        search_error,
        chrome,
    })
}

pub async fn list(signed: Signed, Query(q): Query<ListQuery>) -> Result<Html<String>, WebError> {
    let desk = signed.session.cases().await?;
    render(&list_page(&signed, &desk, &q.state, None, None).await?)
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    phone: String,
}

/// Searches by ID number or phone through the blind indexes. A POST, so the number is
/// never in a URL.
pub async fn search(signed: Signed, Form(f): Form<SearchForm>) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    match desk.search_person(&f.id_number, &f.phone).await {
        Ok(hits) => Ok(render(&list_page(&signed, &desk, "", Some(hits), None).await?)?.into_response()),
        Err(e) => {
            let (status, _, message) = input_error(&signed.ctx.tr, e)?;
            let page = list_page(&signed, &desk, "", None, Some(message)).await?;
            Ok(render_status(status, &page))
        }
    }
}

// ---- new report ----

#[derive(Debug, Default, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    summary: String,
    #[serde(default)]
    division: String,
    #[serde(default)]
    occurred_on: String,
    #[serde(default)]
    missing_person: Option<String>,
}

#[derive(Template)]
#[template(path = "cases/new.html")]
struct NewPage {
    chrome: Chrome,
    input: ReportForm,
    errors: FieldErrors,
    visible: &'static [&'static str],
}

const REPORT_FIELDS: &[&str] = &["summary", "division", "occurred_on"];

pub async fn new_form(signed: Signed) -> Result<Html<String>, WebError> {
    signed.session.cases().await?;
    render(&NewPage {
        chrome: Chrome::new(&signed.ctx),
        input: ReportForm::default(),
        errors: FieldErrors::default(),
        visible: REPORT_FIELDS,
    })
}

pub async fn create(signed: Signed, Form(input): Form<ReportForm>) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let report = NewCaseReport {
        summary: input.summary.clone(),
        division: input.division.clone(),
        occurred_on: input.occurred_on.clone(),
        missing_person: input.missing_person.is_some(),
    };
    match desk.register_report(&report).await {
        Ok(c) => Ok(see_other(&format!("/cases/{}", c.id))),
        Err(e) => {
            let (status, field, message) = input_error(&signed.ctx.tr, e)?;
            let mut errors = FieldErrors::default();
            errors.add(&field, message);
            Ok(render_status(
                status,
                &NewPage {
                    chrome: Chrome::new(&signed.ctx),
                    input,
                    errors,
                    visible: REPORT_FIELDS,
                },
            ))
        }
    }
}

// ---- the case file ----

/// One form of a next step: the event and which inputs it needs.
#[derive(Debug)]
pub struct StepForm {
    pub event: &'static str,
    pub label: String,
    pub needs_receipt: bool,
    pub needs_reason: bool,
    pub needs_extension: bool,
    pub needs_facts: bool,
    pub needs_authority: bool,
    pub danger: bool,
}

#[derive(Debug)]
pub struct PersonLine {
    pub id: String,
    pub role: String,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub address: String,
    pub sex: String,
    pub age: String,
    pub custody: String,
    pub rescued: String,
    pub is_victim: bool,
    pub masked: bool,
}

#[derive(Debug)]
pub struct HistoryLine {
    pub time: String,
    pub event: String,
    pub to: String,
    pub actor: String,
    pub reason: String,
}

#[derive(Debug)]
pub struct LinkLine {
    pub id: String,
    pub other: String,
    pub score: i64,
    pub reasons: String,
    pub status: String,
    pub proposed: bool,
    pub review: String,
}

#[derive(Template)]
#[template(path = "cases/detail.html")]
struct DetailPage {
    chrome: Chrome,
    id: String,
    state: String,
    term: String,
    summary: CaseSummary,
    text: Option<String>,
    article: String,
    classification: Vec<String>,
    end_reason: Option<String>,
    transfer_to: Option<String>,
    assignees: Vec<String>,
    referred: Vec<String>,
    steps: Vec<StepForm>,
    people: Vec<PersonLine>,
    gangs: Vec<(String, String, String)>,
    identifiers: Vec<(String, String)>,
    history: Vec<HistoryLine>,
    links: Vec<LinkLine>,
    /// The tips that opened or joined the case: id and how, translated.
    tips: Vec<(String, String)>,
    supervisions: Vec<SupervisionView>,
    operations: Vec<(String, String)>,
    can_write: bool,
    can_assign: bool,
    articles: Vec<Choice>,
    acts: Vec<Choice>,
    exploitation: Vec<Choice>,
    units: Vec<Choice>,
    error: Option<String>,
}

fn step_form(tr: &Tr, event: &'static str) -> StepForm {
    StepForm {
        event,
        label: event_label(tr, event),
        needs_receipt: event == "accept",
        needs_reason: matches!(event, "decline_registration" | "withdraw"),
        needs_extension: event == "extend_review",
        needs_facts: event == "solve",
        needs_authority: event == "transfer_jurisdiction",
        danger: matches!(event, "decline_registration" | "withdraw" | "transfer_jurisdiction"),
    }
}

async fn detail_page(
    signed: &Signed,
    desk: &CaseDesk,
    id: &str,
    error: Option<String>,
) -> Result<DetailPage, WebError> {
    let v: CaseView = desk.get(id).await?;
    let chrome = Chrome::new(&signed.ctx);
    let tr = &signed.ctx.tr;
    let kind = CaseStateKind::ALL
        .into_iter()
        .find(|k| k.id() == v.summary.state)
        .unwrap_or(CaseStateKind::Reported);
    let mut classification = Vec::new();
    for a in &v.classification.acts {
        if let Some((_, act)) = ACT_IDS.iter().find(|(i, _)| i == a) {
            classification.push(chrome.pick(act.name_zh(), act.name_en()).to_owned());
        }
    }
    for e in &v.classification.exploitation {
        if let Some(f) = ExploitationForm::ALL.into_iter().find(|f| f.id() == e) {
            classification.push(chrome.pick(f.name_zh(), f.name_en()).to_owned());
        }
    }
    let operations_all = if v.operations.is_empty() {
        Vec::new()
    } else {
        desk.operations().await?
    };
    let operations = v
        .operations
        .iter()
        .map(|o| {
            let name = operations_all
                .iter()
                .find(|x| &x.id == o)
                .map_or_else(|| o.clone(), |x| x.name.clone());
            (o.clone(), name)
        })
        .collect();
    let units = fanguai_domain::org::MEMBER_UNITS
        .iter()
        .filter(|u| u.id != v.summary.owner_unit_id)
        .map(|u| Choice {
            id: u.id.to_owned(),
            label: chrome.pick(u.name_zh, u.name_en).to_owned(),
            chosen: false,
        })
        .collect();
    Ok(DetailPage {
        id: v.summary.id.clone(),
        state: state_label(&chrome, v.summary.state),
        term: kind.term_zh().to_owned(),
        article: v
            .summary
            .article
            .as_deref()
            .map(|a| article_label(&chrome, a))
            .unwrap_or_default(),
        classification,
        text: v.text.clone(),
        end_reason: v.end_reason.clone(),
        transfer_to: v.transfer_to.clone(),
        assignees: v.assignees.clone(),
        referred: v.referred_to.iter().map(|u| unit_label(&chrome, u)).collect(),
        steps: v.next_events.iter().map(|e| step_form(tr, e)).collect(),
        people: v
            .people
            .iter()
            .map(|p| PersonLine {
                id: p.id.clone(),
                role: role_label(tr, &p.role),
                name: p.name.clone(),
                id_number: p.id_number.clone().unwrap_or_default(),
                phone: p.phone.clone().unwrap_or_default(),
                address: p.address.clone().unwrap_or_default(),
                sex: match p.sex.as_deref() {
                    Some("female") => tr.t("case-sex-female"),
                    Some("male") => tr.t("case-sex-male"),
                    _ => String::new(),
                },
                age: match (p.age, &p.age_band_zh, &p.age_band_en) {
                    (Some(a), _, _) => a.to_string(),
                    (None, Some(zh), Some(en)) => chrome.pick(zh, en).to_owned(),
                    _ => String::new(),
                },
                custody: p.in_custody_on.clone().unwrap_or_default(),
                rescued: p.rescued_on.clone().unwrap_or_default(),
                is_victim: p.role == "victim",
                masked: p.masked,
            })
            .collect(),
        gangs: v
            .gangs
            .iter()
            .map(|g| (g.id.clone(), g.code_name.clone(), g.broken_up_on.clone().unwrap_or_default()))
            .collect(),
        identifiers: v
            .identifiers
            .iter()
            .map(|i| {
                let kind = match i.kind.as_str() {
                    "phone" => tr.t("case-identifier-phone"),
                    "vehicle" => tr.t("case-identifier-vehicle"),
                    _ => tr.t("case-identifier-account"),
                };
                (kind, i.value.clone())
            })
            .collect(),
        history: v
            .history
            .iter()
            .map(|h| HistoryLine {
                time: format_time(h.at_ms),
                event: event_label(tr, &h.event),
                to: state_label(&chrome, &h.to_state),
                actor: h.actor.clone(),
                reason: h.reason.clone(),
            })
            .collect(),
        links: v
            .links
            .iter()
            .map(|l| LinkLine {
                id: l.id.clone(),
                other: l.other_case_id.clone(),
                score: l.score,
                reasons: l
                    .reasons
                    .iter()
                    .map(|r| reason_label(tr, r))
                    .collect::<Vec<_>>()
                    .join("、"),
                status: link_status_label(tr, &l.status),
                proposed: l.status == "proposed",
                review: match (&l.reviewed_by, &l.review_reason) {
                    (Some(by), Some(r)) => format!("{by}: {r}"),
                    _ => String::new(),
                },
            })
            .collect(),
        tips: v
            .tips
            .iter()
            .map(|t| {
                let how = if t.how == "opened" {
                    tr.t("case-tip-opened")
                } else {
                    tr.t("case-tip-joined")
                };
                (t.tip_id.clone(), how)
            })
            .collect(),
        supervisions: v.supervisions.clone(),
        operations,
        can_write: v.can_write,
        can_assign: v.can_assign,
        articles: CriminalArticle::ALL
            .into_iter()
            .map(|a| Choice {
                id: a.number().to_owned(),
                label: format!("{} {}", a.number(), chrome.pick(a.name_zh(), a.name_en())),
                chosen: v.classification.article == a.number(),
            })
            .collect(),
        acts: ACT_IDS
            .iter()
            .map(|(id, a)| Choice {
                id: (*id).to_owned(),
                label: chrome.pick(a.name_zh(), a.name_en()).to_owned(),
                chosen: v.classification.acts.iter().any(|x| x == id),
            })
            .collect(),
        exploitation: ExploitationForm::ALL
            .into_iter()
            .map(|f| Choice {
                id: f.id().to_owned(),
                label: chrome.pick(f.name_zh(), f.name_en()).to_owned(),
                chosen: v.classification.exploitation.iter().any(|x| x == f.id()),
            })
            .collect(),
        units,
        error,
        summary: v.summary,
        chrome,
    })
}

pub async fn show(signed: Signed, Path(id): Path<String>) -> Result<Html<String>, WebError> {
    let desk = signed.session.cases().await?;
    render(&detail_page(&signed, &desk, &id, None).await?)
}

/// After a write: back to the case file, or the case file again with the message of an
/// input error.
async fn after(
    signed: &Signed,
    desk: &CaseDesk,
    id: &str,
    result: Result<(), ServiceError>,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(see_other(&format!("/cases/{id}"))),
        Err(e) => {
            let (status, _, message) = input_error(&signed.ctx.tr, e)?;
            let page = detail_page(signed, desk, id, Some(message)).await?;
            Ok(render_status(status, &page))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct StepInput {
    #[serde(default)]
    event: String,
    #[serde(default)]
    receipt_number: String,
    #[serde(default)]
    extension: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    facts_proven: Option<String>,
    #[serde(default)]
    suspect_identified: Option<String>,
    #[serde(default)]
    suspect_in_custody: Option<String>,
    #[serde(default)]
    authority_name: String,
    #[serde(default)]
    authority_division: String,
}

pub async fn transition(
    signed: Signed,
    Path(id): Path<String>,
    Form(f): Form<StepInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let input = TransitionInput {
        event: f.event,
        receipt_number: f.receipt_number,
        extension: f.extension,
        reason: f.reason,
        facts_proven: f.facts_proven.is_some(),
        suspect_identified: f.suspect_identified.is_some(),
        suspect_in_custody: f.suspect_in_custody.is_some(),
        authority_name: f.authority_name,
        authority_division: f.authority_division,
    };
    let r = desk.transition(&id, &input).await.map(|_| ());
    after(&signed, &desk, &id, r).await
}

#[derive(Debug, Default, Deserialize)]
pub struct ClassifyInput {
    #[serde(default)]
    article: String,
    #[serde(default)]
    acts: Vec<String>,
    #[serde(default)]
    exploitation: Vec<String>,
    #[serde(default)]
    missing_person: Option<String>,
}

pub async fn classify(
    signed: Signed,
    Path(id): Path<String>,
    Form(f): Form<ClassifyInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let input = ClassificationInput {
        article: f.article,
        acts: f.acts,
        means: Vec::new(),
        exploitation: f.exploitation,
        missing_person: f.missing_person.is_some(),
    };
    let r = desk.classify(&id, &input).await.map(|_| ());
    after(&signed, &desk, &id, r).await
}

#[derive(Debug, Default, Deserialize)]
pub struct PersonInput {
    #[serde(default)]
    role: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    age: String,
    #[serde(default)]
    suspect_role: String,
}

pub async fn add_person(
    signed: Signed,
    Path(id): Path<String>,
    Form(f): Form<PersonInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let age = match f.age.trim() {
        "" => None,
        a => match a.parse::<u16>() {
            Ok(n) => Some(n),
            Err(_) => {
                let r = Err(ServiceError::invalid("age", "case.person.age_range"));
                return after(&signed, &desk, &id, r).await;
            }
        },
    };
    let p = NewCasePerson {
        role: f.role,
        name: f.name,
        id_number: f.id_number,
        phone: f.phone,
        address: f.address,
        sex: f.sex,
        age,
        suspect_role: f.suspect_role,
        ..Default::default()
    };
    let r = desk.add_person(&id, &p).await.map(|_| ());
    after(&signed, &desk, &id, r).await
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusInput {
    #[serde(default)]
    in_custody_on: String,
    #[serde(default)]
    rescued_on: String,
}

pub async fn person_status(
    signed: Signed,
    Path((id, person)): Path<(String, String)>,
    Form(f): Form<StatusInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let s = PersonStatus {
        in_custody_on: f.in_custody_on,
        rescued_on: f.rescued_on,
        ..Default::default()
    };
    let r = desk.update_person(&id, &person, &s).await;
    after(&signed, &desk, &id, r).await
}

#[derive(Debug, Default, Deserialize)]
pub struct IdentifierInput {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    value: String,
}

pub async fn add_identifier(
    signed: Signed,
    Path(id): Path<String>,
    Form(f): Form<IdentifierInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let r = desk
        .add_identifier(&id, &NewIdentifier { kind: f.kind, value: f.value })
        .await
        .map(|_| ());
    after(&signed, &desk, &id, r).await
}

#[derive(Debug, Default, Deserialize)]
pub struct GangInput {
    #[serde(default)]
    code_name: String,
    #[serde(default)]
    broken_up_on: String,
}

pub async fn add_gang(
    signed: Signed,
    Path(id): Path<String>,
    Form(f): Form<GangInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let r = desk.add_gang(&id, &f.code_name).await.map(|_| ());
    after(&signed, &desk, &id, r).await
}

pub async fn break_up_gang(
    signed: Signed,
    Path((id, gang)): Path<(String, String)>,
    Form(f): Form<GangInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let r = desk.break_up_gang(&id, &gang, &f.broken_up_on).await;
    after(&signed, &desk, &id, r).await
}

#[derive(Debug, Default, Deserialize)]
pub struct AssignInput {
    #[serde(default)]
    username: String,
}

pub async fn assign(
    signed: Signed,
    Path(id): Path<String>,
    Form(f): Form<AssignInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let r = desk.assign(&id, &f.username).await;
    after(&signed, &desk, &id, r).await
}

#[derive(Debug, Default, Deserialize)]
pub struct ReferInput {
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    reason: String,
}

pub async fn refer(
    signed: Signed,
    Path(id): Path<String>,
    Form(f): Form<ReferInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let r = desk.refer(&id, &f.unit_id, &f.reason).await;
    after(&signed, &desk, &id, r).await
}

#[derive(Debug, Default, Deserialize)]
pub struct ReviewInput {
    #[serde(default)]
    case_id: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

pub async fn review_link(
    signed: Signed,
    Path(link): Path<String>,
    Form(f): Form<ReviewInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let r = desk
        .review_link(&link, f.decision == "confirm", &f.reason)
        .await
        .map(|_| ());
    after(&signed, &desk, &f.case_id, r).await
}

#[derive(Debug, Default, Deserialize)]
pub struct AttachInput {
    #[serde(default)]
    operation_id: String,
}

pub async fn attach(
    signed: Signed,
    Path(id): Path<String>,
    Form(f): Form<AttachInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let r = desk.attach_to_operation(&f.operation_id, &id).await;
    after(&signed, &desk, &id, r).await
}

// ---- series ----

#[derive(Debug)]
pub struct GraphNode {
    pub x: i32,
    pub y: i32,
    pub label: String,
    pub kind: &'static str,
    pub href: Option<String>,
}

#[derive(Debug)]
pub struct GraphEdge {
    pub x1: i32,
    pub y1: i32,
    pub x2: i32,
    pub y2: i32,
    pub kind: String,
}

#[derive(Template)]
#[template(path = "cases/series.html")]
struct SeriesPage {
    chrome: Chrome,
    id: String,
    cases: Vec<CaseLine>,
    people: Vec<(String, String, String)>,
    nodes: Vec<GraphNode>,
    edges: Vec<GraphEdge>,
    width: i32,
    height: i32,
}

/// Places the series on two rings: cases inside, people outside, each ring in the
/// order the service listed them. Drawn as SVG on the server: no script, nothing to
/// vendor, and the page works printed.
pub fn layout(series: &SeriesView, size: i32) -> (Vec<GraphNode>, Vec<GraphEdge>) {
    let centre = f64::from(size) / 2.0;
    let ring = |kind: &str| series.nodes.iter().filter(|n| n.kind == kind).count().max(1);
    let (n_cases, n_people) = (ring("case"), ring("person"));
    let mut placed = std::collections::HashMap::new();
    let mut nodes = Vec::new();
    let (mut i_case, mut i_person) = (0usize, 0usize);
    for n in &series.nodes {
        let (i, count, radius) = if n.kind == "case" {
            i_case += 1;
            (i_case - 1, n_cases, if n_cases == 1 { 0.0 } else { centre * 0.35 })
        } else {
            i_person += 1;
            (i_person - 1, n_people, centre * 0.78)
        };
        let angle = std::f64::consts::TAU * (i as f64) / (count as f64) - std::f64::consts::FRAC_PI_2;
        let x = (centre + radius * angle.cos()).round() as i32;
        let y = (centre + radius * angle.sin()).round() as i32;
        placed.insert(n.id.clone(), (x, y));
        nodes.push(GraphNode {
            x,
            y,
            label: n.label.clone(),
            kind: n.kind,
            href: n
                .id
                .strip_prefix("case:")
                .map(|id| format!("/cases/{id}")),
        });
    }
    let edges = series
        .edges
        .iter()
        .filter_map(|e| {
            let (x1, y1) = *placed.get(&e.from)?;
            let (x2, y2) = *placed.get(&e.to)?;
            Some(GraphEdge {
                x1,
                y1,
                x2,
                y2,
                kind: e.kind.clone(),
            })
        })
        .collect();
    (nodes, edges)
}

pub async fn series(signed: Signed, Path(id): Path<String>) -> Result<Html<String>, WebError> {
    let desk = signed.session.cases().await?;
    let s = desk.series(&id).await?;
    let chrome = Chrome::new(&signed.ctx);
    let size = 480;
    let (nodes, edges) = layout(&s, size);
    render(&SeriesPage {
        id,
        cases: s.cases.iter().map(|c| line(&chrome, c)).collect(),
        people: s
            .people
            .iter()
            .map(|p| (role_label(&signed.ctx.tr, &p.role), p.name.clone(), p.id_number.clone().unwrap_or_default()))
            .collect(),
        nodes,
        edges,
        width: size,
        height: size,
        chrome,
    })
}

// ---- figures ----

#[derive(Template)]
#[template(path = "cases/figures.html")]
struct FiguresPage {
    chrome: Chrome,
    query: FigureQuery,
    figures: Option<FiguresView>,
    rate: String,
    unit: String,
    previous_rate: String,
    registered_change: String,
    solved_change: String,
    rate_change: String,
    tips: Option<TipSection>,
    error: Option<String>,
}

/// One labelled figure of the tips section; `id` names the cell for tests and scripts.
struct FigureRow {
    id: String,
    label: String,
    value: String,
}

struct TipSection {
    summary: Vec<FigureRow>,
    sources: Vec<FigureRow>,
    urgencies: Vec<FigureRow>,
    decisions: Vec<FigureRow>,
    acknowledgement: Vec<FigureRow>,
}

fn tip_section(chrome: &Chrome, f: &TipFiguresView) -> TipSection {
    let row = |id: &str, label: String, value: String| FigureRow {
        id: format!("tipfig-{id}"),
        label,
        value,
    };
    let percent = |p: Option<f64>| p.map_or_else(|| "—".to_owned(), |p| format!("{p:.1}%"));
    let minutes = |m: Option<i64>| {
        m.map_or_else(|| "—".to_owned(), |m| chrome.t1("tips-figures-minutes", "minutes", m))
    };
    let d = &f.decisions;
    TipSection {
        summary: vec![row(
            "received",
            chrome.t("tips-figures-received"),
            f.received.to_string(),
        )],
        sources: f
            .by_source
            .iter()
            .map(|c| {
                row(
                    &format!("source-{}", c.key),
                    chrome.t(&format!("tips-source-{}", c.key)),
                    c.count.to_string(),
                )
            })
            .collect(),
        urgencies: f
            .by_urgency
            .iter()
            .map(|c| {
                row(
                    &format!("urgency-{}", c.key),
                    chrome.t(&format!("tips-urgency-{}", c.key)),
                    c.count.to_string(),
                )
            })
            .collect(),
        decisions: [
            ("open_case", d.open_case),
            ("join_case", d.join_case),
            ("refer", d.refer),
            ("no_action", d.no_action),
        ]
        .into_iter()
        .map(|(k, n)| {
            row(
                &format!("decision-{k}"),
                chrome.t(&format!("tips-decision-{k}")),
                n.to_string(),
            )
        })
        .chain(std::iter::once(row(
            "undecided",
            chrome.t("tips-figures-undecided"),
            d.undecided.to_string(),
        )))
        .collect(),
        acknowledgement: vec![
            row(
                "ack-on-time",
                chrome.t("tips-figures-ack-on-time"),
                f.acknowledged_on_time.to_string(),
            ),
            row(
                "ack-late",
                chrome.t("tips-figures-ack-late"),
                f.acknowledged_late.to_string(),
            ),
            row(
                "unack-overdue",
                chrome.t("tips-figures-unack-overdue"),
                f.unacknowledged_overdue.to_string(),
            ),
            row(
                "unack-in-time",
                chrome.t("tips-figures-unack-in-time"),
                f.unacknowledged_in_time.to_string(),
            ),
            row(
                "overdue-share",
                chrome.t("tips-figures-overdue-share"),
                percent(f.overdue_share_percent),
            ),
            row(
                "actionable-share",
                chrome.t("tips-figures-actionable-share"),
                percent(f.actionable_share_percent),
            ),
            row(
                "median-ack",
                chrome.t("tips-figures-median-ack"),
                minutes(f.median_ack_minutes),
            ),
            row(
                "p90-ack",
                chrome.t("tips-figures-p90-ack"),
                minutes(f.p90_ack_minutes),
            ),
        ],
    }
}

pub async fn figures(signed: Signed, Query(q): Query<FigureQuery>) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let chrome = Chrome::new(&signed.ctx);
    let both = match desk.figures(&q).await {
        Ok(f) => desk.tip_figures(&q).await.map(|t| (f, t)),
        Err(e) => Err(e),
    };
    match both {
        Ok((f, t)) => {
            let tips = Some(tip_section(&chrome, &t));
            let rate = f
                .clearance_rate_percent
                .map_or_else(|| "—".to_owned(), |r| format!("{r:.1}%"));
            let unit = f
                .unit
                .as_deref()
                .map_or_else(|| chrome.t("case-figures-city"), |u| unit_label(&chrome, u));
            let signed_change = |n: i64| if n > 0 { format!("+{n}") } else { n.to_string() };
            let previous_rate = f
                .previous
                .clearance_rate_percent
                .map_or_else(|| "—".to_owned(), |r| format!("{r:.1}%"));
            let rate_change = f
                .rate_change_points
                .map_or_else(|| "—".to_owned(), |p| chrome.t1("case-figures-points", "points", format!("{p:+.1}")));
            Ok(render(&FiguresPage {
                registered_change: signed_change(f.registered_change),
                solved_change: signed_change(f.solved_change),
                previous_rate,
                rate_change,
                tips,
                query: q,
                figures: Some(f),
                rate,
                unit,
                error: None,
                chrome,
            })?
            .into_response())
        }
        Err(e) => {
            let (status, _, message) = input_error(&signed.ctx.tr, e)?;
            Ok(render_status(
                status,
                &FiguresPage {
                    query: q,
                    figures: None,
                    rate: String::new(),
                    unit: String::new(),
                    previous_rate: String::new(),
                    registered_change: String::new(),
                    solved_change: String::new(),
                    rate_change: String::new(),
                    tips: None,
                    error: Some(message),
                    chrome,
                },
            ))
        }
    }
}

// ---- key areas, operations, supervision ----

#[derive(Template)]
#[template(path = "cases/key_areas.html")]
struct KeyAreasPage {
    chrome: Chrome,
    areas: Vec<KeyAreaView>,
    manage: bool,
    error: Option<String>,
}

async fn key_areas_page(signed: &Signed, desk: &CaseDesk, error: Option<String>) -> Result<KeyAreasPage, WebError> {
    Ok(KeyAreasPage {
        chrome: Chrome::new(&signed.ctx),
        areas: desk.key_areas().await?,
        manage: roles_of(signed).1,
        error,
    })
}

pub async fn key_areas(signed: Signed) -> Result<Html<String>, WebError> {
    let desk = signed.session.cases().await?;
    render(&key_areas_page(&signed, &desk, None).await?)
}

async fn back_to(
    signed: &Signed,
    desk: &CaseDesk,
    to: &str,
    result: Result<(), ServiceError>,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(see_other(to)),
        Err(e) => {
            let (status, _, message) = input_error(&signed.ctx.tr, e)?;
            match to {
                "/cases/key-areas" => Ok(render_status(status, &key_areas_page(signed, desk, Some(message)).await?)),
                "/cases/operations" => Ok(render_status(status, &operations_page(signed, desk, Some(message)).await?)),
                _ => Ok(render_status(status, &supervision_page(signed, desk, Some(message)).await?)),
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct KeyAreaInput {
    #[serde(default)]
    division: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    listed_on: String,
    #[serde(default)]
    on: String,
}

pub async fn add_key_area(signed: Signed, Form(f): Form<KeyAreaInput>) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let r = desk
        .add_key_area(&NewKeyArea { division: f.division, name: f.name, listed_on: f.listed_on })
        .await
        .map(|_| ());
    back_to(&signed, &desk, "/cases/key-areas", r).await
}

pub async fn advance_key_area(
    signed: Signed,
    Path(id): Path<String>,
    Form(f): Form<KeyAreaInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let r = desk.advance_key_area(&id, &f.on).await.map(|_| ());
    back_to(&signed, &desk, "/cases/key-areas", r).await
}

#[derive(Template)]
#[template(path = "cases/operations.html")]
struct OperationsPage {
    chrome: Chrome,
    operations: Vec<(OperationView, Vec<CaseLine>)>,
    manage: bool,
    error: Option<String>,
}

async fn operations_page(signed: &Signed, desk: &CaseDesk, error: Option<String>) -> Result<OperationsPage, WebError> {
    let chrome = Chrome::new(&signed.ctx);
    let operations = desk
        .operations()
        .await?
        .into_iter()
        .map(|o| {
            let lines = o.cases.iter().map(|c| line(&chrome, c)).collect();
            (o, lines)
        })
        .collect();
    Ok(OperationsPage {
        operations,
        manage: roles_of(signed).1,
        error,
        chrome,
    })
}

pub async fn operations(signed: Signed) -> Result<Html<String>, WebError> {
    let desk = signed.session.cases().await?;
    render(&operations_page(&signed, &desk, None).await?)
}

#[derive(Debug, Default, Deserialize)]
pub struct OperationInput {
    #[serde(default)]
    name: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    /// Division codes separated by spaces or commas.
    #[serde(default)]
    areas: String,
}

pub async fn add_operation(signed: Signed, Form(f): Form<OperationInput>) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let areas = f
        .areas
        .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let r = desk
        .add_operation(&NewOperation { name: f.name, starts_on: f.starts_on, ends_on: f.ends_on, areas })
        .await
        .map(|_| ());
    back_to(&signed, &desk, "/cases/operations", r).await
}

#[derive(Template)]
#[template(path = "cases/supervision.html")]
struct SupervisionPage {
    chrome: Chrome,
    supervisions: Vec<SupervisionView>,
    error: Option<String>,
}

async fn supervision_page(signed: &Signed, desk: &CaseDesk, error: Option<String>) -> Result<SupervisionPage, WebError> {
    Ok(SupervisionPage {
        chrome: Chrome::new(&signed.ctx),
        supervisions: desk.supervisions().await?,
        error,
    })
}

pub async fn supervision(signed: Signed) -> Result<Html<String>, WebError> {
    let desk = signed.session.cases().await?;
    render(&supervision_page(&signed, &desk, None).await?)
}

#[derive(Debug, Default, Deserialize)]
pub struct SupervisionInput {
    #[serde(default)]
    case_id: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    action: String,
}

pub async fn open_supervision(signed: Signed, Form(f): Form<SupervisionInput>) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let r = desk
        .open_supervision(&NewSupervision { case_id: f.case_id.trim().to_owned(), level: f.level, deadline: f.deadline })
        .await
        .map(|_| ());
    back_to(&signed, &desk, "/cases/supervision", r).await
}

pub async fn act_on_supervision(
    signed: Signed,
    Path(id): Path<String>,
    Form(f): Form<SupervisionInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    let r = match f.action.as_str() {
        "instruct" => desk.instruct(&id, &f.text).await,
        "raise" => desk.raise_supervision(&id, &f.level, &f.deadline).await,
        "conclude" => desk.conclude_supervision(&id).await,
        _ => Err(ServiceError::invalid("action", "case.event.unknown")),
    }
    .map(|_| ());
    back_to(&signed, &desk, "/cases/supervision", r).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanguai_service::cases::{SeriesEdge, SeriesNode};

    #[test]
    fn a_series_is_laid_out_inside_the_picture() {
        let s = SeriesView {
            cases: vec![],
            people: vec![],
            nodes: vec![
                SeriesNode { id: "case:a".into(), kind: "case", label: "A".into(), role: None },
                SeriesNode { id: "case:b".into(), kind: "case", label: "B".into(), role: None },
                SeriesNode { id: "person:1".into(), kind: "person", label: "张*".into(), role: Some("suspect".into()) },
            ],
            edges: vec![
                SeriesEdge { from: "case:a".into(), to: "case:b".into(), kind: "link".into() },
                SeriesEdge { from: "person:1".into(), to: "case:a".into(), kind: "suspect".into() },
                SeriesEdge { from: "person:9".into(), to: "case:a".into(), kind: "suspect".into() },
            ],
        };
        let (nodes, edges) = layout(&s, 400);
        assert_eq!(nodes.len(), 3);
        assert!(nodes.iter().all(|n| (0..=400).contains(&n.x) && (0..=400).contains(&n.y)));
        // The two cases sit apart on the inner ring; the person on the outer ring.
        assert_ne!((nodes[0].x, nodes[0].y), (nodes[1].x, nodes[1].y));
        assert_eq!(nodes[0].href.as_deref(), Some("/cases/a"));
        assert_eq!(nodes[2].href, None);
        // An edge to a node that is not drawn is left out.
        assert_eq!(edges.len(), 2);
        assert_eq!((edges[0].x1, edges[0].y1), (nodes[0].x, nodes[0].y));
    }
}

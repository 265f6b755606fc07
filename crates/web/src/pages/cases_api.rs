//! The case desk as JSON under `/api/v1/cases`, for the same session and with the CSRF
//! token in `X-CSRF-Token` on writes. Bodies mirror the service's inputs; answers are
//! the service's views, already masked for the reader.

use axum::{
    Json as AxumJson, Router,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use fanguai_service::cases::{
    FigureQuery, NewKeyArea, NewOperation, NewSupervision, TipFiguresView,
};
use fanguai_service::{
    CaseSummary, ClassificationInput, NewCasePerson, NewCaseReport, NewIdentifier,
    PersonStatus, TransitionInput,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::{
    AppState,
    context::Signed,
    error::{ErrorBody, WebError},
    extract::{Json, Path, Query},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/cases", get(list).post(create))
        .route("/v1/cases/search", post(search))
        .route("/v1/cases/figures", get(figures))
        .route("/v1/tips/figures", get(tip_figures))
        .route("/v1/cases/key-areas", get(key_areas).post(add_key_area))
        .route("/v1/cases/key-areas/{id}/advance", post(advance_key_area))
        .route("/v1/cases/operations", get(operations).post(add_operation))
        .route("/v1/cases/supervisions", get(supervisions).post(open_supervision))
        .route("/v1/cases/supervisions/{id}/instructions", post(instruct))
        .route("/v1/cases/supervisions/{id}/raise", post(raise_supervision))
        .route("/v1/cases/supervisions/{id}/conclude", post(conclude_supervision))
        .route("/v1/cases/{id}/gangs", post(add_gang))
        .route("/v1/cases/{id}/gangs/{gang}/break-up", post(break_up_gang))
        .route("/v1/cases/links/{id}/review", post(review_link))
        .route("/v1/cases/{id}", get(get_case))
        .route("/v1/cases/{id}/series", get(series))
        .route("/v1/cases/{id}/transitions", post(transition))
        .route("/v1/cases/{id}/classification", put(classify))
        .route("/v1/cases/{id}/people", post(add_person))
        .route("/v1/cases/{id}/people/{person}", put(person_status))
        .route("/v1/cases/{id}/identifiers", post(add_identifier))
        .route("/v1/cases/{id}/assignees", post(assign))
        .route("/v1/cases/{id}/referrals", post(refer))
        .route("/v1/cases/{id}/operations", post(attach))
}

#[derive(Debug, OpenApi)]
#[openapi(
    paths(list, create, search, figures, tip_figures, key_areas, add_key_area, advance_key_area, operations,
          add_operation, supervisions, open_supervision, instruct, raise_supervision,
        conclude_supervision, add_gang, break_up_gang, review_link, get_case, series,
          transition, classify, add_person, person_status, add_identifier, assign, refer, attach),
    components(schemas(CaseSummaryDto, NewCaseDto, TransitionDto, ClassificationDto, PersonDto,
          PersonStatusDto, IdentifierDto, AssignDto, ReferDto, ReviewDto, SearchDto, AttachDto,
          KeyAreaDto, AdvanceDto, OperationDto, SupervisionDto, InstructionDto, RaiseDto, GangDto, BreakUpDto, ViewDto,
          TipFiguresDto, CountDto, TipDecisionsDto)),
    tags((name = "cases", description = "Criminal cases (案件): lifecycle, people, serial links, key areas, special operations, supervision and figures"))
)]
pub struct CasesApi;

/// One line of a case list; no personal data.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummaryDto {
    pub id: String,
    /// The domain's state id, e.g. `under_registration_review`.
    pub state: String,
    /// The procedural term: 接报, 受案登记, 立案审查, 立案, 破案…
    pub state_term_zh: String,
    pub state_label_en: String,
    pub receipt_number: Option<String>,
    pub owner_unit_id: String,
    pub division: String,
    pub place: String,
    pub occurred_on: String,
    pub article: Option<String>,
    pub registered_on: Option<String>,
    pub solved_on: Option<String>,
    pub review_deadline: Option<String>,
    pub review_overdue: bool,
    pub fast_track: Option<String>,
    pub masked: bool,
}

impl From<CaseSummary> for CaseSummaryDto {
    fn from(c: CaseSummary) -> Self {
        CaseSummaryDto {
            id: c.id,
            state: c.state.to_owned(),
            state_term_zh: c.state_term_zh.to_owned(),
            state_label_en: c.state_label_en.to_owned(),
            receipt_number: c.receipt_number,
            owner_unit_id: c.owner_unit_id,
            division: c.division,
            place: c.place,
            occurred_on: c.occurred_on,
            article: c.article,
            registered_on: c.registered_on,
            solved_on: c.solved_on,
            review_deadline: c.review_deadline,
            review_overdue: c.review_overdue,
            fast_track: c.fast_track,
            masked: c.masked,
        }
    }
}

/// A view of the service as JSON — a case file, a series graph, figures, key areas,
/// operations or supervisions — masked for the reader. Its fields are those of the
/// service's view types (`CaseView`, `SeriesView`, `FiguresView`…).
#[derive(Debug, Serialize, ToSchema)]
pub struct ViewDto {}

fn view<T: Serialize>(v: T) -> Result<AxumJson<T>, WebError> {
    Ok(AxumJson(v))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCaseDto {
    pub summary: String,
    pub division: String,
    /// `YYYY-MM-DD`.
    pub occurred_on: String,
    #[serde(default)]
    pub missing_person: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionDto {
    /// `accept`, `start_review`, `extend_review`, `register`, `fast_track_register`,
    /// `decline_registration`, `start_investigation`, `solve`, `conclude_investigation`,
    /// `transfer_for_prosecution`, `withdraw`, `transfer_jurisdiction`.
    pub event: String,
    #[serde(default)]
    pub receipt_number: String,
    /// `check_clues` or `complex_approved`.
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

#[derive(Debug, Deserialize, ToSchema)]
pub struct ClassificationDto {
    /// Article number: `240`, `241`, `262-1`…
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

#[derive(Debug, Deserialize, ToSchema)]
pub struct PersonDto {
    /// `victim`, `suspect` or `gang_member`.
    pub role: String,
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub age: Option<u16>,
    #[serde(default)]
    pub suspect_role: String,
    #[serde(default)]
    pub gang_id: String,
    #[serde(default)]
    pub victim_archive_id: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PersonStatusDto {
    #[serde(default)]
    pub in_custody_on: String,
    #[serde(default)]
    pub rescued_on: String,
    #[serde(default)]
    pub gang_id: String,
    #[serde(default)]
    pub victim_archive_id: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct IdentifierDto {
    /// `phone`, `vehicle` or `account`.
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignDto {
    pub username: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReferDto {
    pub unit_id: String,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewDto {
    pub confirm: bool,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SearchDto {
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AttachDto {
    pub operation_id: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct KeyAreaDto {
    pub division: String,
    pub name: String,
    #[serde(default)]
    pub listed_on: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AdvanceDto {
    #[serde(default)]
    pub on: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OperationDto {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub areas: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SupervisionDto {
    pub case_id: String,
    /// `city`, `province` or `ministry`.
    pub level: String,
    pub deadline: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InstructionDto {
    pub text: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RaiseDto {
    /// `province` or `ministry`: only upwards.
    pub level: String,
    /// A new deadline, `YYYY-MM-DD`; blank keeps the old one.
    #[serde(default)]
    pub deadline: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GangDto {
    pub code_name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BreakUpDto {
    /// `YYYY-MM-DD`.
    pub broken_up_on: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// A state id; all states when absent.
    pub state: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FigureParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub unit: Option<String>,
    pub area: Option<String>,
}

/// Cases the reader may see, newest first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(ListParams),
    responses((status = 200, body = [CaseSummaryDto]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(signed: Signed, Query(p): Query<ListParams>) -> Result<AxumJson<Vec<CaseSummaryDto>>, WebError> {
    let cases = signed.session.cases().await?.list(p.state.as_deref()).await?;
    Ok(AxumJson(cases.into_iter().map(Into::into).collect()))
}

/// Registers a report (接报) in the reader's unit.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCaseDto,
    responses((status = 201, body = CaseSummaryDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(signed: Signed, Json(b): Json<NewCaseDto>) -> Result<Response, WebError> {
    let c = signed
        .session
        .cases()
        .await?
        .register_report(&NewCaseReport {
            summary: b.summary,
            division: b.division,
            occurred_on: b.occurred_on,
            missing_person: b.missing_person,
        })
        .await?;
    Ok((StatusCode::CREATED, AxumJson(CaseSummaryDto::from(c))).into_response())
}

/// Cases of a person by ID number or phone, through blind indexes only.
#[utoipa::path(post, path = "/api/v1/cases/search", tag = "cases", request_body = SearchDto,
    responses((status = 200, body = ViewDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn search(signed: Signed, Json(b): Json<SearchDto>) -> Result<Response, WebError> {
    Ok(view(signed.session.cases().await?.search_person(&b.id_number, &b.phone).await?)?.into_response())
}

/// Figures per period and area: received, registered, solved, clearance rate, cold
/// cases apart, rescued, caught, gangs broken up.
#[utoipa::path(get, path = "/api/v1/cases/figures", tag = "cases", params(FigureParams),
    responses((status = 200, body = ViewDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn figures(signed: Signed, Query(p): Query<FigureParams>) -> Result<Response, WebError> {
    let q = FigureQuery {
        from: p.from.unwrap_or_default(),
        to: p.to.unwrap_or_default(),
        unit: p.unit.unwrap_or_default(),
        area: p.area.unwrap_or_default(),
    };
    Ok(view(signed.session.cases().await?.figures(&q).await?)?.into_response())
}

/// Figures of the tips received in a period and area; counts only.
#[derive(Debug, Serialize, ToSchema)]
pub struct TipFiguresDto {
    /// First day, `YYYY-MM-DD` (the city's days, UTC+8).
    pub from: String,
    /// Last day, included.
    pub to: String,
    /// The unit counted; `null`: the whole city.
    pub unit: Option<String>,
    /// The division code prefix counted; `null`: all.
    pub area: Option<String>,
    pub received: u64,
    /// By source id (`public_web_form`, `phone_line`, …).
    pub by_source: Vec<CountDto>,
    /// By urgency (`urgent`, `normal`).
    pub by_urgency: Vec<CountDto>,
    /// What became of the tips received in the period, as of now.
    pub decisions: TipDecisionsDto,
    pub acknowledged_on_time: u64,
    pub acknowledged_late: u64,
    pub unacknowledged_overdue: u64,
    pub unacknowledged_in_time: u64,
    /// (Late + overdue) ÷ received, per cent; `null` when nothing was received.
    pub overdue_share_percent: Option<f64>,
    /// (Opened + joined a case) ÷ decided, per cent; `null` when nothing was decided.
    pub actionable_share_percent: Option<f64>,
    /// Median receipt-to-acknowledgement time, whole minutes.
    pub median_ack_minutes: Option<i64>,
    /// 90th percentile (nearest rank) of that time, whole minutes.
    pub p90_ack_minutes: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountDto {
    pub key: String,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TipDecisionsDto {
    pub open_case: u64,
    pub join_case: u64,
    pub refer: u64,
    pub no_action: u64,
    pub undecided: u64,
}

impl From<TipFiguresView> for TipFiguresDto {
    fn from(v: TipFiguresView) -> Self {
        let list = |l: Vec<fanguai_service::cases::CountView>| {
            l.into_iter()
                .map(|c| CountDto {
                    key: c.key,
                    count: c.count,
                })
                .collect()
        };
        TipFiguresDto {
            from: v.from,
            to: v.to,
            unit: v.unit,
            area: v.area,
            received: v.received,
            by_source: list(v.by_source),
            by_urgency: list(v.by_urgency),
            decisions: TipDecisionsDto {
                open_case: v.decisions.open_case,
                join_case: v.decisions.join_case,
                refer: v.decisions.refer,
                no_action: v.decisions.no_action,
                undecided: v.decisions.undecided,
            },
            acknowledged_on_time: v.acknowledged_on_time,
            acknowledged_late: v.acknowledged_late,
            unacknowledged_overdue: v.unacknowledged_overdue,
            unacknowledged_in_time: v.unacknowledged_in_time,
            overdue_share_percent: v.overdue_share_percent,
            actionable_share_percent: v.actionable_share_percent,
            median_ack_minutes: v.median_ack_minutes,
            p90_ack_minutes: v.p90_ack_minutes,
        }
    }
}

/// Tip figures per period and area: received, by source, urgency and decision,
/// acknowledged on time or late, median and 90th percentile time to acknowledge. The
/// same readers as the case figures.
#[utoipa::path(get, path = "/api/v1/tips/figures", tag = "tips", params(FigureParams),
    responses((status = 200, body = TipFiguresDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn tip_figures(
    signed: Signed,
    Query(p): Query<FigureParams>,
) -> Result<Response, WebError> {
    let q = FigureQuery {
        from: p.from.unwrap_or_default(),
        to: p.to.unwrap_or_default(),
        unit: p.unit.unwrap_or_default(),
        area: p.area.unwrap_or_default(),
    };
    let v = signed.session.cases().await?.tip_figures(&q).await?;
    Ok(AxumJson(TipFiguresDto::from(v)).into_response())
}

/// Key areas with their rectification status.
#[utoipa::path(get, path = "/api/v1/cases/key-areas", tag = "cases",
    responses((status = 200, body = ViewDto), (status = 403, body = ErrorBody)))]
pub async fn key_areas(signed: Signed) -> Result<Response, WebError> {
    Ok(view(signed.session.cases().await?.key_areas().await?)?.into_response())
}

/// Lists a key area (office and convenor).
#[utoipa::path(post, path = "/api/v1/cases/key-areas", tag = "cases", request_body = KeyAreaDto,
    responses((status = 201, body = ViewDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_key_area(signed: Signed, Json(b): Json<KeyAreaDto>) -> Result<Response, WebError> {
    let k = signed
        .session
        .cases()
        .await?
        .add_key_area(&NewKeyArea { division: b.division, name: b.name, listed_on: b.listed_on })
        .await?;
    Ok((StatusCode::CREATED, view(k)?).into_response())
}

/// Moves a key area to its next rectification status.
#[utoipa::path(post, path = "/api/v1/cases/key-areas/{id}/advance", tag = "cases", request_body = AdvanceDto,
    params(("id" = String, Path, description = "key area id")),
    responses((status = 200, body = ViewDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn advance_key_area(signed: Signed, Path(id): Path<String>, Json(b): Json<AdvanceDto>) -> Result<Response, WebError> {
    Ok(view(signed.session.cases().await?.advance_key_area(&id, &b.on).await?)?.into_response())
}

/// Special operations with the cases counted under them.
#[utoipa::path(get, path = "/api/v1/cases/operations", tag = "cases",
    responses((status = 200, body = ViewDto), (status = 403, body = ErrorBody)))]
pub async fn operations(signed: Signed) -> Result<Response, WebError> {
    Ok(view(signed.session.cases().await?.operations().await?)?.into_response())
}

/// Starts a special operation (office and convenor).
#[utoipa::path(post, path = "/api/v1/cases/operations", tag = "cases", request_body = OperationDto,
    responses((status = 201, body = ViewDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_operation(signed: Signed, Json(b): Json<OperationDto>) -> Result<Response, WebError> {
    let o = signed
        .session
        .cases()
        .await?
        .add_operation(&NewOperation { name: b.name, starts_on: b.starts_on, ends_on: b.ends_on, areas: b.areas })
        .await?;
    Ok((StatusCode::CREATED, view(o)?).into_response())
}

/// Every supervision (office and convenor).
#[utoipa::path(get, path = "/api/v1/cases/supervisions", tag = "cases",
    responses((status = 200, body = ViewDto), (status = 403, body = ErrorBody)))]
pub async fn supervisions(signed: Signed) -> Result<Response, WebError> {
    Ok(view(signed.session.cases().await?.supervisions().await?)?.into_response())
}

/// Puts a case under supervision with a deadline.
#[utoipa::path(post, path = "/api/v1/cases/supervisions", tag = "cases", request_body = SupervisionDto,
    responses((status = 201, body = ViewDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn open_supervision(signed: Signed, Json(b): Json<SupervisionDto>) -> Result<Response, WebError> {
    let s = signed
        .session
        .cases()
        .await?
        .open_supervision(&NewSupervision { case_id: b.case_id, level: b.level, deadline: b.deadline })
        .await?;
    Ok((StatusCode::CREATED, view(s)?).into_response())
}

/// Adds an instruction to a supervision's log.
#[utoipa::path(post, path = "/api/v1/cases/supervisions/{id}/instructions", tag = "cases", request_body = InstructionDto,
    params(("id" = String, Path, description = "supervision id")),
    responses((status = 200, body = ViewDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn instruct(signed: Signed, Path(id): Path<String>, Json(b): Json<InstructionDto>) -> Result<Response, WebError> {
    Ok(view(signed.session.cases().await?.instruct(&id, &b.text).await?)?.into_response())
}

/// Confirms or rejects a proposed serial-case link, once, with a reason.
#[utoipa::path(post, path = "/api/v1/cases/links/{id}/review", tag = "cases", request_body = ReviewDto,
    params(("id" = String, Path, description = "link id")),
    responses((status = 200, body = ViewDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review_link(signed: Signed, Path(id): Path<String>, Json(b): Json<ReviewDto>) -> Result<Response, WebError> {
    Ok(view(signed.session.cases().await?.review_link(&id, b.confirm, &b.reason).await?)?.into_response())
}

/// A case file, masked when the policy says so. The read is audited.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = ViewDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_case(signed: Signed, Path(id): Path<String>) -> Result<Response, WebError> {
    Ok(view(signed.session.cases().await?.get(&id).await?)?.into_response())
}

/// The series a case belongs to: cases, people and a graph (nodes and edges).
#[utoipa::path(get, path = "/api/v1/cases/{id}/series", tag = "cases",
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = ViewDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn series(signed: Signed, Path(id): Path<String>) -> Result<Response, WebError> {
    Ok(view(signed.session.cases().await?.series(&id).await?)?.into_response())
}

/// Applies one lifecycle event through the state machine; anything else is refused
/// with `case.transition.not_allowed`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/transitions", tag = "cases", request_body = TransitionDto,
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseSummaryDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transition(signed: Signed, Path(id): Path<String>, Json(b): Json<TransitionDto>) -> Result<AxumJson<CaseSummaryDto>, WebError> {
    let input = TransitionInput {
        event: b.event,
        receipt_number: b.receipt_number,
        extension: b.extension,
        reason: b.reason,
        facts_proven: b.facts_proven,
        suspect_identified: b.suspect_identified,
        suspect_in_custody: b.suspect_in_custody,
        authority_name: b.authority_name,
        authority_division: b.authority_division,
    };
    Ok(AxumJson(signed.session.cases().await?.transition(&id, &input).await?.into()))
}

/// Sets the classification.
#[utoipa::path(put, path = "/api/v1/cases/{id}/classification", tag = "cases", request_body = ClassificationDto,
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseSummaryDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn classify(signed: Signed, Path(id): Path<String>, Json(b): Json<ClassificationDto>) -> Result<AxumJson<CaseSummaryDto>, WebError> {
    let input = ClassificationInput {
        article: b.article,
        acts: b.acts,
        means: b.means,
        exploitation: b.exploitation,
        missing_person: b.missing_person,
    };
    Ok(AxumJson(signed.session.cases().await?.classify(&id, &input).await?.into()))
}

/// Adds a person; the ID number is validated and stored sealed with a blind index.
#[utoipa::path(post, path = "/api/v1/cases/{id}/people", tag = "cases", request_body = PersonDto,
    params(("id" = String, Path, description = "case id")),
    responses((status = 201, body = ViewDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_person(signed: Signed, Path(id): Path<String>, Json(b): Json<PersonDto>) -> Result<Response, WebError> {
    let p = NewCasePerson {
        role: b.role,
        name: b.name,
        id_number: b.id_number,
        phone: b.phone,
        address: b.address,
        sex: b.sex,
        age: b.age,
        suspect_role: b.suspect_role,
        gang_id: b.gang_id,
        victim_archive_id: b.victim_archive_id,
    };
    let v = signed.session.cases().await?.add_person(&id, &p).await?;
    Ok((StatusCode::CREATED, view(v)?).into_response())
}

/// Records custody, rescue, gang membership or the victim archive link.
#[utoipa::path(put, path = "/api/v1/cases/{id}/people/{person}", tag = "cases", request_body = PersonStatusDto,
    params(("id" = String, Path, description = "case id"), ("person" = String, Path, description = "person id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn person_status(signed: Signed, Path((id, person)): Path<(String, String)>, Json(b): Json<PersonStatusDto>) -> Result<StatusCode, WebError> {
    let s = PersonStatus {
        in_custody_on: b.in_custody_on,
        rescued_on: b.rescued_on,
        gang_id: b.gang_id,
        victim_archive_id: b.victim_archive_id,
    };
    signed.session.cases().await?.update_person(&id, &person, &s).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a phone, vehicle plate or account; links to cases sharing it are proposed.
#[utoipa::path(post, path = "/api/v1/cases/{id}/identifiers", tag = "cases", request_body = IdentifierDto,
    params(("id" = String, Path, description = "case id")),
    responses((status = 201, body = ViewDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_identifier(signed: Signed, Path(id): Path<String>, Json(b): Json<IdentifierDto>) -> Result<Response, WebError> {
    let v = signed
        .session
        .cases()
        .await?
        .add_identifier(&id, &NewIdentifier { kind: b.kind, value: b.value })
        .await?;
    Ok((StatusCode::CREATED, view(v)?).into_response())
}

/// Assigns an investigator (supervisors of the owning unit).
#[utoipa::path(post, path = "/api/v1/cases/{id}/assignees", tag = "cases", request_body = AssignDto,
    params(("id" = String, Path, description = "case id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign(signed: Signed, Path(id): Path<String>, Json(b): Json<AssignDto>) -> Result<StatusCode, WebError> {
    signed.session.cases().await?.assign(&id, &b.username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Refers a case to another member unit, which then sees it masked.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", tag = "cases", request_body = ReferDto,
    params(("id" = String, Path, description = "case id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn refer(signed: Signed, Path(id): Path<String>, Json(b): Json<ReferDto>) -> Result<StatusCode, WebError> {
    signed.session.cases().await?.refer(&id, &b.unit_id, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Counts a case under a special operation.
#[utoipa::path(post, path = "/api/v1/cases/{id}/operations", tag = "cases", request_body = AttachDto,
    params(("id" = String, Path, description = "case id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn attach(signed: Signed, Path(id): Path<String>, Json(b): Json<AttachDto>) -> Result<StatusCode, WebError> {
    signed.session.cases().await?.attach_to_operation(&b.operation_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Raises a supervision's level, optionally with a new deadline.
#[utoipa::path(post, path = "/api/v1/cases/supervisions/{id}/raise", tag = "cases", request_body = RaiseDto,
    params(("id" = String, Path, description = "supervision id")),
    responses((status = 200, body = ViewDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn raise_supervision(
    signed: Signed,
    Path(id): Path<String>,
    Json(b): Json<RaiseDto>,
) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    Ok(view(desk.raise_supervision(&id, &b.level, &b.deadline).await?)?.into_response())
}

/// Concludes a supervision today.
#[utoipa::path(post, path = "/api/v1/cases/supervisions/{id}/conclude", tag = "cases",
    params(("id" = String, Path, description = "supervision id")),
    responses((status = 200, body = ViewDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn conclude_supervision(signed: Signed, Path(id): Path<String>) -> Result<Response, WebError> {
    let desk = signed.session.cases().await?;
    Ok(view(desk.conclude_supervision(&id).await?)?.into_response())
}

/// Adds a gang (团伙) to a case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/gangs", tag = "cases", request_body = GangDto,
    params(("id" = String, Path, description = "case id")),
    responses((status = 201, body = ViewDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_gang(signed: Signed, Path(id): Path<String>, Json(b): Json<GangDto>) -> Result<Response, WebError> {
    let g = signed.session.cases().await?.add_gang(&id, &b.code_name).await?;
    Ok((StatusCode::CREATED, view(g)?).into_response())
}

/// Records the day a gang was broken up (打掉).
#[utoipa::path(post, path = "/api/v1/cases/{id}/gangs/{gang}/break-up", tag = "cases", request_body = BreakUpDto,
    params(("id" = String, Path, description = "case id"), ("gang" = String, Path, description = "gang id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn break_up_gang(
    signed: Signed,
    Path((id, gang)): Path<(String, String)>,
    Json(b): Json<BreakUpDto>,
) -> Result<StatusCode, WebError> {
    signed
        .session
        .cases()
        .await?
        .break_up_gang(&id, &gang, &b.broken_up_on)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

//! `/api/v1/tips` (staff, signed in) and `/api/v1/public/tips` (the public line, no
//! login): the same use cases as the pages, through the same desks.
//!
//! Public writes need the double-submit CSRF token like every write: the `fg_csrf`
//! cookie the server sets on any request, echoed in `X-CSRF-Token`.

use axum::{
    Json as AxumJson, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use fanguai_domain::tips::{ContactForm, PublicTipForm, RiskGroupForm, TipFormErrors};
use fanguai_service::{TipDetail, TipSummary};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::{
    AppState,
    context::{RequestContext, Signed},
    error::{ErrorBody, ErrorDetail, WebError},
    extract::{Json, Path},
    public::form::message_for,
    security::rate_limit::RetryAfter,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/tips", get(list_tips))
        .route("/v1/tips/{id}", get(get_tip))
        .route("/v1/public/tips", post(submit_public_tip))
        .route("/v1/public/tips/status", post(public_tip_status))
        .route("/v1/public/tips/information", post(add_public_information))
}

#[derive(Debug, OpenApi)]
#[openapi(
    paths(list_tips, get_tip, submit_public_tip, public_tip_status, add_public_information),
    components(schemas(
        TipSummaryDto, TipDetailDto, RiskGroupDto, HistoryDto, PublicTipRequest, RiskGroupRequest,
        ContactRequest, TipReceiptDto, TrackingRequest, PublicStatusDto, AddInformationRequest,
        FormErrorsDto, FieldErrorDto
    )),
    tags((name = "tips", description = "Tips (举报线索): staff desk"),
         (name = "public", description = "The public reporting line, no login"))
)]
pub struct TipsApi;

/// One tip in a list. `masked` lists (office, convenor) carry no excerpt.
#[derive(Debug, Serialize, ToSchema)]
pub struct TipSummaryDto {
    pub id: String,
    pub received_at_ms: i64,
    pub ack_deadline_ms: i64,
    /// `urgent` (acknowledge within 1 hour) or `normal` (24 hours).
    pub urgency: String,
    /// `received`, `acknowledged`, `under_review`, `no_action_pending`, `decided`.
    pub state: String,
    pub source: String,
    /// County code.
    pub division: String,
    pub division_name: String,
    pub owner_unit_id: String,
    pub assignee_username: Option<String>,
    pub overdue: bool,
    pub escalated: bool,
    /// `open_case`, `join_case`, `refer`, `no_action` once decided.
    pub decision: Option<String>,
    pub masked: bool,
    pub excerpt: Option<String>,
}

impl From<&TipSummary> for TipSummaryDto {
    fn from(s: &TipSummary) -> Self {
        TipSummaryDto {
            id: s.id.clone(),
            received_at_ms: s.received_at_ms,
            ack_deadline_ms: s.ack_deadline_ms,
            urgency: s.urgency.id().to_owned(),
            state: s.state.to_owned(),
            source: s.source.clone(),
            division: s.division.clone(),
            division_name: s.division_name.clone(),
            owner_unit_id: s.owner_unit_id.clone(),
            assignee_username: s.assignee_username.clone(),
            overdue: s.overdue,
            escalated: s.escalated,
            decision: s.decision.clone(),
            masked: s.masked,
            excerpt: s.excerpt.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RiskGroupDto {
    pub count: u32,
    pub sex: String,
    pub age_band: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryDto {
    pub at_ms: i64,
    pub actor_username: Option<String>,
    pub kind: String,
    pub detail: String,
}

/// One tip. Masked (office, convenor): no text, identifiers, photos or additions. The
/// reporter's identity is never part of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TipDetailDto {
    pub summary: TipSummaryDto,
    pub occurred_date: String,
    pub occurred_time: Option<String>,
    pub people_at_risk: Vec<RiskGroupDto>,
    pub child_involved: bool,
    pub immediate_danger: bool,
    pub what_happened: Option<String>,
    pub address: Option<String>,
    pub suspects: Vec<String>,
    pub vehicles: Vec<String>,
    pub phones: Vec<String>,
    pub accounts: Vec<String>,
    pub has_contact: bool,
    pub photo_ids: Vec<String>,
    pub additions: Vec<String>,
    pub history: Vec<HistoryDto>,
    pub case_ref: Option<String>,
    pub referred_to_unit: Option<String>,
    /// What the caller may do now (event ids, `reveal_reporter`).
    pub actions: Vec<String>,
}

impl From<TipDetail> for TipDetailDto {
    fn from(d: TipDetail) -> Self {
        TipDetailDto {
            summary: TipSummaryDto::from(&d.summary),
            occurred_date: d.occurred_date,
            occurred_time: d.occurred_time,
            people_at_risk: d
                .people_at_risk
                .iter()
                .map(|g| RiskGroupDto {
                    count: g.count,
                    sex: g.sex.to_owned(),
                    age_band: g.age_band.map(str::to_owned),
                })
                .collect(),
            child_involved: d.child_involved,
            immediate_danger: d.immediate_danger,
            what_happened: d.what_happened,
            address: d.address,
            suspects: d.suspects,
            vehicles: d.vehicles,
            phones: d.phones,
            accounts: d.accounts,
            has_contact: d.has_contact,
            photo_ids: d.photos.into_iter().map(|p| p.id).collect(),
            additions: d.additions.into_iter().map(|a| a.text).collect(),
            history: d
                .history
                .into_iter()
                .map(|h| HistoryDto {
                    at_ms: h.at_ms,
                    actor_username: h.actor_username,
                    kind: h.kind,
                    detail: h.detail,
                })
                .collect(),
            case_ref: d.case_ref,
            referred_to_unit: d.referral.map(|r| r.to_unit_id),
            actions: d.actions.into_iter().map(str::to_owned).collect(),
        }
    }
}

/// Tips the caller may see: investigators their unit's and those assigned to them,
/// supervisors their unit's, office and convenor all of them masked.
#[utoipa::path(get, path = "/api/v1/tips", tag = "tips",
    responses((status = 200, body = [TipSummaryDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_tips(signed: Signed) -> Result<AxumJson<Vec<TipSummaryDto>>, WebError> {
    let tips = signed.session.tips().await?.list().await?;
    Ok(AxumJson(tips.iter().map(TipSummaryDto::from).collect()))
}

/// One tip with its history (audited).
#[utoipa::path(get, path = "/api/v1/tips/{id}", tag = "tips",
    params(("id" = String, Path, description = "tip id")),
    responses((status = 200, body = TipDetailDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn get_tip(
    signed: Signed,
    Path(id): Path<String>,
) -> Result<AxumJson<TipDetailDto>, WebError> {
    let tip = signed.session.tips().await?.get(&id).await?;
    Ok(AxumJson(tip.into()))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RiskGroupRequest {
    /// Digits, 1–999.
    pub count: String,
    /// `female`, `male`, `mixed`, `unknown`.
    pub sex: String,
    /// `0-2`, `3-5`, `6-13`, `14-17`, `18-24`, `25-34`, `35-44`, `45-59`, `60+`, `unknown`.
    pub age_band: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct ContactRequest {
    pub name: String,
    pub phone: String,
}

/// A public tip, with the same rules as the web form (photos only through the form).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct PublicTipRequest {
    /// 10–5000 characters.
    pub what_happened: String,
    /// Six-digit code of a county-level division in use.
    pub division: String,
    pub address: String,
    /// `YYYY-MM-DD`, China time.
    pub date: String,
    /// `HH:MM`, optional.
    pub time: String,
    pub people_at_risk: Vec<RiskGroupRequest>,
    pub suspects: Vec<String>,
    pub vehicles: Vec<String>,
    pub phones: Vec<String>,
    pub accounts: Vec<String>,
    pub child_involved: bool,
    pub immediate_danger: bool,
    pub contact: ContactRequest,
}

impl From<PublicTipRequest> for PublicTipForm {
    fn from(r: PublicTipRequest) -> Self {
        PublicTipForm {
            what_happened: r.what_happened,
            division: r.division,
            address: r.address,
            date: r.date,
            time: r.time,
            people_at_risk: r
                .people_at_risk
                .into_iter()
                .map(|g| RiskGroupForm {
                    count: g.count,
                    sex: g.sex,
                    age_band: g.age_band,
                })
                .collect(),
            suspects: r.suspects,
            vehicles: r.vehicles,
            phones: r.phones,
            accounts: r.accounts,
            child_involved: r.child_involved,
            immediate_danger: r.immediate_danger,
            contact: ContactForm {
                name: r.contact.name,
                phone: r.contact.phone,
            },
        }
    }
}

/// Shown once: the reporter needs both to follow the tip.
#[derive(Debug, Serialize, ToSchema)]
pub struct TipReceiptDto {
    pub tracking_code: String,
    pub secret: String,
    pub urgency: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorDto {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// Every problem of a submitted tip, each under its field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormErrorsDto {
    /// The first problem, in the shape of every API error.
    pub error: ErrorDetail,
    pub errors: Vec<FieldErrorDto>,
}

fn form_errors(ctx: &RequestContext, e: &TipFormErrors) -> Response {
    let errors: Vec<FieldErrorDto> = e
        .errors()
        .iter()
        .map(|x| FieldErrorDto {
            field: x.field.clone(),
            code: x.code.to_owned(),
            message: message_for(&ctx.tr, x.code),
        })
        .collect();
    let first = errors.first().map_or_else(
        || ErrorDetail {
            code: "invalid".into(),
            message: ctx.tr.t("error-invalid"),
            field: None,
        },
        |f| ErrorDetail {
            code: f.code.clone(),
            message: f.message.clone(),
            field: Some(f.field.clone()),
        },
    );
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        AxumJson(FormErrorsDto {
            error: first,
            errors,
        }),
    )
        .into_response()
}

fn rate_limited(RetryAfter(wait): RetryAfter) -> WebError {
    let mut e = WebError::rate_limited(wait);
    e.message_key = "report-rate-limited".into();
    e
}

/// Submits a tip to the police without logging in. Rate limited per client address.
#[utoipa::path(post, path = "/api/v1/public/tips", tag = "public", request_body = PublicTipRequest,
    params(("X-CSRF-Token" = String, Header, description = "the value of the fg_csrf cookie")),
    responses((status = 201, body = TipReceiptDto), (status = 422, body = FormErrorsDto), (status = 429, body = ErrorBody)))]
pub async fn submit_public_tip(
    State(state): State<AppState>,
    ctx: RequestContext,
    Json(body): Json<PublicTipRequest>,
) -> Result<Response, WebError> {
    let limiter = state.report_limiter();
    limiter.check(ctx.ip).map_err(rate_limited)?;
    let desk = state.app().public_tips(&ctx.service);
    let tip = match desk.validate(&PublicTipForm::from(body)) {
        Ok(t) => t,
        Err(e) => return Ok(form_errors(&ctx, &e)),
    };
    let receipt = desk.submit(&tip, &[]).await?;
    limiter.spend(ctx.ip);
    Ok((
        StatusCode::CREATED,
        AxumJson(TipReceiptDto {
            tracking_code: receipt.tracking_code.clone(),
            secret: receipt.secret.clone(),
            urgency: tip.urgency().id().to_owned(),
        }),
    )
        .into_response())
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct TrackingRequest {
    pub tracking_code: String,
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicStatusDto {
    /// `received`, `being_handled` or `closed`; nothing else about the tip.
    pub status: String,
}

/// The public status of a tip. An unknown code and a wrong secret both answer 404.
#[utoipa::path(post, path = "/api/v1/public/tips/status", tag = "public", request_body = TrackingRequest,
    params(("X-CSRF-Token" = String, Header, description = "the value of the fg_csrf cookie")),
    responses((status = 200, body = PublicStatusDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn public_tip_status(
    State(state): State<AppState>,
    ctx: RequestContext,
    Json(body): Json<TrackingRequest>,
) -> Result<AxumJson<PublicStatusDto>, WebError> {
    state
        .report_status_limiter()
        .take(ctx.ip)
        .map_err(rate_limited)?;
    let status = state
        .app()
        .public_tips(&ctx.service)
        .status(&body.tracking_code, &body.secret)
        .await?;
    Ok(AxumJson(PublicStatusDto {
        status: status.id().to_owned(),
    }))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AddInformationRequest {
    pub tracking_code: String,
    pub secret: String,
    /// 2–5000 characters.
    pub text: String,
}

/// Adds what the reporter remembered later.
#[utoipa::path(post, path = "/api/v1/public/tips/information", tag = "public", request_body = AddInformationRequest,
    params(("X-CSRF-Token" = String, Header, description = "the value of the fg_csrf cookie")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn add_public_information(
    State(state): State<AppState>,
    ctx: RequestContext,
    Json(body): Json<AddInformationRequest>,
) -> Result<StatusCode, WebError> {
    state
        .report_status_limiter()
        .take(ctx.ip)
        .map_err(rate_limited)?;
    state
        .app()
        .public_tips(&ctx.service)
        .add_information(&body.tracking_code, &body.secret, &body.text)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

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
use fanguai_service::{
    DecisionInput, DuplicateView, ReporterView, ServiceError, TipDesk, TipDetail, TipSummary,
    parse_source,
};
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
        // Bodies with photos were already read within the upload limit by the CSRF guard.
        .route("/v1/tips", get(list_tips).post(enter_tip).layer(axum::extract::DefaultBodyLimit::disable()))
        .route("/v1/tips/referrals", get(referrals))
        .route("/v1/tips/{id}", get(get_tip))
        .route("/v1/tips/{id}/duplicates", get(duplicates))
        .route("/v1/tips/{id}/acknowledge", post(acknowledge))
        .route("/v1/tips/{id}/reassign", post(reassign))
        .route("/v1/tips/{id}/start-review", post(start_review))
        .route("/v1/tips/{id}/decide", post(decide))
        .route("/v1/tips/{id}/approve-no-action", post(approve_no_action))
        .route("/v1/tips/{id}/reject-no-action", post(reject_no_action))
        .route(
            "/v1/tips/{id}/acknowledge-referral",
            post(acknowledge_referral),
        )
        .route("/v1/tips/{id}/reveal", post(reveal))
        // The body was already read within the upload limit by the CSRF guard.
        .route("/v1/public/tips", post(submit_public_tip).layer(axum::extract::DefaultBodyLimit::disable()))
        .route("/v1/public/tips/status", post(public_tip_status))
        .route("/v1/public/tips/information", post(add_public_information))
}

#[derive(Debug, OpenApi)]
#[openapi(
    paths(
        list_tips, get_tip, enter_tip, referrals, duplicates, acknowledge, reassign, start_review, decide,
        approve_no_action, reject_no_action, acknowledge_referral, reveal,
        submit_public_tip, public_tip_status, add_public_information
    ),
    components(schemas(
        StaffTipRequest, StaffTipReceiptDto, AssigneeRequest, DecideRequest, RevealRequest, ReporterDto,
        DuplicateDto, ReferralDto, TipSummaryDto, TipDetailDto, RiskGroupDto, HistoryDto, PublicTipRequest, RiskGroupRequest,
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

/// A public tip, with the same rules as the web form.
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
    /// Up to 5 photos, each the standard base64 of a JPEG, PNG or WebP file of at most
    /// 5 MiB; location and other metadata are removed before storage.
    pub photos: Vec<String>,
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
    field_errors(
        ctx,
        e.errors()
            .iter()
            .map(|x| (x.field.clone(), x.code.to_owned())),
    )
}

/// A 422 listing every `(field, code)` problem, the first also as `error`.
fn field_errors(
    ctx: &RequestContext,
    problems: impl Iterator<Item = (String, String)>,
) -> Response {
    let errors: Vec<FieldErrorDto> = problems
        .map(|(field, code)| FieldErrorDto {
            message: message_for(&ctx.tr, &code),
            field,
            code,
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

/// Photos of a JSON request, decoded from base64; a damaged one is a 422 naming it.
/// The service checks type, size and count, and strips metadata.
#[allow(clippy::result_large_err)]
fn decode_photos(
    ctx: &RequestContext,
    encoded: &mut Vec<String>,
    prefix: &str,
) -> Result<Vec<fanguai_service::PhotoUpload>, Response> {
    std::mem::take(encoded)
        .iter()
        .enumerate()
        .map(|(i, p)| {
            data_encoding::BASE64
                .decode(p.trim().as_bytes())
                .map(|bytes| fanguai_service::PhotoUpload { bytes })
                .map_err(|_| {
                    let problem = (format!("{prefix}photos[{i}]"), "tip.photo.malformed".to_owned());
                    field_errors(ctx, std::iter::once(problem))
                })
        })
        .collect()
}

/// Submits a tip to the police without logging in. Rate limited per client address.
#[utoipa::path(post, path = "/api/v1/public/tips", tag = "public", request_body = PublicTipRequest,
    params(("X-CSRF-Token" = String, Header, description = "the value of the fg_csrf cookie")),
    responses((status = 201, body = TipReceiptDto), (status = 422, body = FormErrorsDto), (status = 429, body = ErrorBody)))]
pub async fn submit_public_tip(
    State(state): State<AppState>,
    ctx: RequestContext,
    Json(mut body): Json<PublicTipRequest>,
) -> Result<Response, WebError> {
    let limiter = state.report_limiter();
    limiter.check(ctx.ip).map_err(rate_limited)?;
    let desk = state.app().public_tips(&ctx.service);
    let photos = match decode_photos(&ctx, &mut body.photos, "") {
        Ok(p) => p,
        Err(response) => return Ok(response),
    };
    let tip = match desk.validate(&PublicTipForm::from(body)) {
        Ok(t) => t,
        Err(e) => return Ok(form_errors(&ctx, &e)),
    };
    let receipt = desk.submit(&tip, &photos).await?;
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

/// A tip entered by staff: the reporting form's fields plus where it came from.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct StaffTipRequest {
    /// `phone_line`, `walk_in`, `letter`, `mandatory_reporter`, `other_unit`, `other_region`.
    pub source: String,
    /// For `mandatory_reporter`: `school`, `hospital`, `hotel`, `community_grid`; for
    /// `other_unit`: a member unit id; for `other_region`: a six-digit division code.
    pub source_detail: String,
    /// The tip itself, with the same rules as the public form.
    pub tip: PublicTipRequest,
}

/// The entered tip; tracking code and secret are shown once, to hand to the reporter.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffTipReceiptDto {
    pub tip_id: String,
    pub tracking_code: String,
    pub secret: String,
    pub urgency: String,
}

/// Enters a tip received by phone, in person, by letter, from a mandatory reporter,
/// another unit or another region, with photos as in the public request. Police staff
/// enter it for their own unit; other units' staff hand it to the police.
#[utoipa::path(post, path = "/api/v1/tips", tag = "tips", request_body = StaffTipRequest,
    params(("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses((status = 201, body = StaffTipReceiptDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = FormErrorsDto)))]
pub async fn enter_tip(
    signed: Signed,
    Json(mut body): Json<StaffTipRequest>,
) -> Result<Response, WebError> {
    let desk = signed.session.tips().await?;
    let photos = match decode_photos(&signed.ctx, &mut body.tip.photos, "tip.") {
        Ok(p) => p,
        Err(response) => return Ok(response),
    };
    let source = parse_source(&body.source, &body.source_detail);
    let tip = desk.validate(&PublicTipForm::from(body.tip));
    let (source, tip) = match (source, tip) {
        (Ok(s), Ok(t)) => (s, t),
        (s, t) => {
            // Every problem at once, the source's first, under the request's own names.
            let mut problems = Vec::new();
            if let Err(ServiceError::Invalid { field, code }) = &s {
                problems.push(((*field).to_owned(), code.clone()));
            } else if let Err(e) = s {
                return Err(e.into());
            }
            if let Err(e) = t {
                problems.extend(
                    e.errors()
                        .iter()
                        .map(|x| (format!("tip.{}", x.field), x.code.to_owned())),
                );
            }
            return Ok(field_errors(&signed.ctx, problems.into_iter()));
        }
    };
    let receipt = desk.enter(&source, &tip, &photos).await?;
    Ok((
        StatusCode::CREATED,
        AxumJson(StaffTipReceiptDto {
            tip_id: receipt.tip_id.clone(),
            tracking_code: receipt.tracking_code.clone(),
            secret: receipt.secret.clone(),
            urgency: tip.urgency().id().to_owned(),
        }),
    )
        .into_response())
}

/// After a step, the tip as the caller now sees it.
async fn tip_now(desk: &TipDesk, id: &str) -> Result<AxumJson<TipDetailDto>, WebError> {
    Ok(AxumJson(desk.get(id).await?.into()))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AssigneeRequest {
    /// User id of an investigator or supervisor of the tip's unit.
    pub assignee: String,
}

/// Acknowledges a received tip and assigns it (within the 1 or 24 hour deadline).
#[utoipa::path(post, path = "/api/v1/tips/{id}/acknowledge", tag = "tips", request_body = AssigneeRequest,
    params(("id" = String, Path, description = "tip id"), ("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses((status = 200, body = TipDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn acknowledge(
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<AssigneeRequest>,
) -> Result<AxumJson<TipDetailDto>, WebError> {
    let desk = signed.session.tips().await?;
    desk.acknowledge(&id, body.assignee.trim()).await?;
    tip_now(&desk, &id).await
}

/// Hands an acknowledged tip to another investigator or supervisor of its unit.
#[utoipa::path(post, path = "/api/v1/tips/{id}/reassign", tag = "tips", request_body = AssigneeRequest,
    params(("id" = String, Path, description = "tip id"), ("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses((status = 200, body = TipDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn reassign(
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<AssigneeRequest>,
) -> Result<AxumJson<TipDetailDto>, WebError> {
    let desk = signed.session.tips().await?;
    desk.reassign(&id, body.assignee.trim()).await?;
    tip_now(&desk, &id).await
}

/// Starts the review of an acknowledged tip.
#[utoipa::path(post, path = "/api/v1/tips/{id}/start-review", tag = "tips",
    params(("id" = String, Path, description = "tip id"), ("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses((status = 200, body = TipDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn start_review(
    signed: Signed,
    Path(id): Path<String>,
) -> Result<AxumJson<TipDetailDto>, WebError> {
    let desk = signed.session.tips().await?;
    desk.start_review(&id).await?;
    tip_now(&desk, &id).await
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct DecideRequest {
    /// `open_case`, `join_case`, `refer` or `no_action` (the last waits for a second
    /// supervisor).
    pub decision: String,
    /// For `join_case`: the case to join.
    pub case_id: String,
    /// For `refer`: the member unit id.
    pub to_unit: String,
    /// For `refer` and `no_action`: why (at least 20 characters for `no_action`).
    pub reason: String,
}

/// Records the decision on a tip under review.
#[utoipa::path(post, path = "/api/v1/tips/{id}/decide", tag = "tips", request_body = DecideRequest,
    params(("id" = String, Path, description = "tip id"), ("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses((status = 200, body = TipDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn decide(
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<DecideRequest>,
) -> Result<AxumJson<TipDetailDto>, WebError> {
    let desk = signed.session.tips().await?;
    let decision = match body.decision.trim() {
        "open_case" => DecisionInput::OpenCase,
        "join_case" => DecisionInput::JoinCase {
            case_id: body.case_id,
        },
        "refer" => DecisionInput::Refer {
            to_unit: body.to_unit,
            reason: body.reason,
        },
        "no_action" => DecisionInput::NoAction {
            reason: body.reason,
        },
        _ => return Err(ServiceError::invalid("decision", "tip.decision.unknown").into()),
    };
    desk.decide(&id, &decision).await?;
    tip_now(&desk, &id).await
}

/// Approves a proposal to take no action (a supervisor other than the proposer).
#[utoipa::path(post, path = "/api/v1/tips/{id}/approve-no-action", tag = "tips",
    params(("id" = String, Path, description = "tip id"), ("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses((status = 200, body = TipDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn approve_no_action(
    signed: Signed,
    Path(id): Path<String>,
) -> Result<AxumJson<TipDetailDto>, WebError> {
    let desk = signed.session.tips().await?;
    desk.approve_no_action(&id).await?;
    tip_now(&desk, &id).await
}

/// Rejects a proposal to take no action: the tip goes back under review.
#[utoipa::path(post, path = "/api/v1/tips/{id}/reject-no-action", tag = "tips",
    params(("id" = String, Path, description = "tip id"), ("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses((status = 200, body = TipDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn reject_no_action(
    signed: Signed,
    Path(id): Path<String>,
) -> Result<AxumJson<TipDetailDto>, WebError> {
    let desk = signed.session.tips().await?;
    desk.reject_no_action(&id).await?;
    tip_now(&desk, &id).await
}

/// The receiving unit takes up a tip referred to it. It never reads the tip itself,
/// so the answer is empty.
#[utoipa::path(post, path = "/api/v1/tips/{id}/acknowledge-referral", tag = "tips",
    params(("id" = String, Path, description = "tip id"), ("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn acknowledge_referral(
    signed: Signed,
    Path(id): Path<String>,
) -> Result<StatusCode, WebError> {
    signed
        .session
        .tips()
        .await?
        .acknowledge_referral(&id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RevealRequest {
    /// Why the reporter's identity is needed; recorded in the audit log.
    pub purpose: String,
}

/// The reporter's identity. Never cached by the client; every reveal is audited.
#[derive(Serialize, ToSchema)]
pub struct ReporterDto {
    pub name: Option<String>,
    pub phone: Option<String>,
}

impl std::fmt::Debug for ReporterDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReporterDto(***)")
    }
}

impl From<ReporterView> for ReporterDto {
    fn from(r: ReporterView) -> Self {
        ReporterDto {
            name: r.name,
            phone: r.phone,
        }
    }
}

/// Reveals who reported the tip, to its assigned investigator or their supervisor, for
/// a stated purpose.
#[utoipa::path(post, path = "/api/v1/tips/{id}/reveal", tag = "tips", request_body = RevealRequest,
    params(("id" = String, Path, description = "tip id"), ("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses((status = 200, body = ReporterDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn reveal(
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<RevealRequest>,
) -> Result<Response, WebError> {
    let reporter = signed
        .session
        .tips()
        .await?
        .reveal_reporter(&id, &body.purpose)
        .await?;
    let mut res = AxumJson(ReporterDto::from(reporter)).into_response();
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

/// A tip that may report the same thing.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateDto {
    pub tip_id: String,
    pub score: u32,
    /// `same_phone`, `same_account`, `same_vehicle`, `same_place_and_time`, `similar_text`.
    pub reasons: Vec<String>,
    pub received_at_ms: i64,
    pub state: String,
}

impl From<&DuplicateView> for DuplicateDto {
    fn from(d: &DuplicateView) -> Self {
        DuplicateDto {
            tip_id: d.tip_id.clone(),
            score: d.score,
            reasons: d.reasons.iter().map(|r| (*r).to_owned()).collect(),
            received_at_ms: d.received_at_ms,
            state: d.state.to_owned(),
        }
    }
}

/// Possible duplicates of a tip, most likely first (for those who triage it).
#[utoipa::path(get, path = "/api/v1/tips/{id}/duplicates", tag = "tips",
    params(("id" = String, Path, description = "tip id")),
    responses((status = 200, body = [DuplicateDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn duplicates(
    signed: Signed,
    Path(id): Path<String>,
) -> Result<AxumJson<Vec<DuplicateDto>>, WebError> {
    let found = signed.session.tips().await?.duplicates(&id).await?;
    Ok(AxumJson(found.iter().map(DuplicateDto::from).collect()))
}

/// A tip referred to the caller's unit: what it needs to act, never the reporter.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralDto {
    pub tip_id: String,
    pub to_unit_id: String,
    pub reason: String,
    pub referred_at_ms: i64,
    pub acknowledged_at_ms: Option<i64>,
    pub received_at_ms: i64,
    /// County code and name.
    pub division: String,
    pub division_name: String,
    /// What happened, as reported.
    pub text: String,
}

/// Tips referred to the caller's unit, unacknowledged first.
#[utoipa::path(get, path = "/api/v1/tips/referrals", tag = "tips",
    responses((status = 200, body = [ReferralDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn referrals(signed: Signed) -> Result<AxumJson<Vec<ReferralDto>>, WebError> {
    let inbox = signed.session.tips().await?.referral_inbox().await?;
    Ok(AxumJson(
        inbox
            .into_iter()
            .map(|(r, s, text)| ReferralDto {
                tip_id: r.tip_id,
                to_unit_id: r.to_unit_id,
                reason: r.reason,
                referred_at_ms: r.referred_at_ms,
                acknowledged_at_ms: r.acknowledged_at_ms,
                received_at_ms: s.received_at_ms,
                division: s.division,
                division_name: s.division_name,
                text,
            })
            .collect(),
    ))
}

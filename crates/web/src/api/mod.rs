//! The JSON API under `/api/v1`: the same capabilities as the pages, for the same
//! session (cookie) and with the CSRF token in `X-CSRF-Token` on writes. Described by the
//! OpenAPI document at `/api/openapi.json`.

mod dto;
pub mod tips;

use axum::{
    Json as AxumJson, Router,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use fanguai_service::{Assignment, AuditQuery, NewUser};
use utoipa::OpenApi;

pub use dto::*;

use crate::{
    AppState,
    context::Signed,
    error::{ErrorBody, ErrorDetail, WebError},
    extract::{Json, Path, Query},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(crate::pages::cases_api::routes())
        .merge(tips::routes())
        .route("/openapi.json", get(openapi_json))
        .route("/v1/me", get(me))
        .route("/v1/units", get(units))
        .route("/v1/users", get(list_users).post(create_user))
        .route("/v1/users/{id}/disable", post(disable_user))
        .route("/v1/users/{id}/enable", post(enable_user))
        .route("/v1/users/{id}/reset-password", post(reset_password))
        .route("/v1/users/{id}/reset-2fa", post(reset_2fa))
        .route("/v1/users/{id}/assignment", put(assign_user))
        .route("/v1/audit", get(audit))
        .route("/v1/audit/verify", get(audit_verify))
}

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "fanguai API",
        description = "JSON API of the anti-trafficking joint conference system. Authenticate by signing in \
through the web form; the session cookie then authorizes API calls. Every write needs the session's CSRF \
token in the X-CSRF-Token header (it is in the `csrf-token` meta tag of every page and in GET /api/v1/me)."
    ),
    paths(me, units, list_users, create_user, disable_user, enable_user, reset_password, reset_2fa, assign_user, audit, audit_verify),
    components(schemas(
        ErrorBody, ErrorDetail, MeDto, UnitDto, MemberDto, UserDto, NewUserDto, CreatedUserDto, AssignmentDto,
        PasswordResetDto, AuditEventDto, AuditPageDto, ChainStatusDto
    )),
    tags((name = "account", description = "The signed-in user"), (name = "directory", description = "Member units"),
         (name = "users", description = "Account administration (admins)"), (name = "audit", description = "Audit log (auditors)"))
)]
pub struct ApiDoc;

/// The OpenAPI document.
pub async fn openapi_json() -> Response {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::pages::cases_api::CasesApi::openapi());
    doc.merge(tips::TipsApi::openapi());
    AxumJson(doc).into_response()
}

/// The signed-in user, what they may do, and the CSRF token for writes.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = MeDto), (status = 401, body = ErrorBody)))]
pub async fn me(signed: Signed) -> AxumJson<MeDto> {
    AxumJson(MeDto::of(&signed))
}

/// The member units with their duties, liaison and members.
#[utoipa::path(get, path = "/api/v1/units", tag = "directory",
    responses((status = 200, body = [UnitDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn units(signed: Signed) -> Result<AxumJson<Vec<UnitDto>>, WebError> {
    let units = signed.session.directory().await?.units().await?;
    Ok(AxumJson(units.into_iter().map(UnitDto::from).collect()))
}

/// Every account (admins only).
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = [UserDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_users(signed: Signed) -> Result<AxumJson<Vec<UserDto>>, WebError> {
    let users = signed.session.admin().await?.list_users().await?;
    Ok(AxumJson(users.into_iter().map(UserDto::from).collect()))
}

/// Creates an account; the answer carries its one-time initial password.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserDto,
    params(("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses((status = 201, body = CreatedUserDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create_user(
    signed: Signed,
    Json(body): Json<NewUserDto>,
) -> Result<Response, WebError> {
    let new = NewUser {
        username: body.username,
        display_name: body.display_name,
        phone: body.phone.filter(|p| !p.trim().is_empty()),
        unit_id: body.unit_id,
        roles: body.roles,
    };
    let (user, password) = signed.session.admin().await?.create_user(&new).await?;
    let created = CreatedUserDto {
        user: UserDto::from(user),
        initial_password: password,
    };
    Ok((StatusCode::CREATED, AxumJson(created)).into_response())
}

/// Disables an account and ends its sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "users",
    params(("id" = String, Path, description = "user id"), ("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses((status = 200, body = UserDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn disable_user(
    signed: Signed,
    Path(id): Path<String>,
) -> Result<AxumJson<UserDto>, WebError> {
    Ok(AxumJson(
        signed.session.admin().await?.disable(&id).await?.into(),
    ))
}

/// Enables a disabled account.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "users",
    params(("id" = String, Path, description = "user id"), ("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses((status = 200, body = UserDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn enable_user(
    signed: Signed,
    Path(id): Path<String>,
) -> Result<AxumJson<UserDto>, WebError> {
    Ok(AxumJson(
        signed.session.admin().await?.enable(&id).await?.into(),
    ))
}

/// Sets a new one-time password, returned once.
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", tag = "users",
    params(("id" = String, Path, description = "user id"), ("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses((status = 200, body = PasswordResetDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reset_password(
    signed: Signed,
    Path(id): Path<String>,
) -> Result<AxumJson<PasswordResetDto>, WebError> {
    let (user, password) = signed.session.admin().await?.reset_password(&id).await?;
    Ok(AxumJson(PasswordResetDto {
        user: user.into(),
        initial_password: password,
    }))
}

/// Removes the authenticator; the user enrols again at the next login.
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-2fa", tag = "users",
    params(("id" = String, Path, description = "user id"), ("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses((status = 200, body = UserDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reset_2fa(
    signed: Signed,
    Path(id): Path<String>,
) -> Result<AxumJson<UserDto>, WebError> {
    Ok(AxumJson(
        signed.session.admin().await?.reset_2fa(&id).await?.into(),
    ))
}

/// Moves an account to a unit and sets its roles.
#[utoipa::path(put, path = "/api/v1/users/{id}/assignment", tag = "users", request_body = AssignmentDto,
    params(("id" = String, Path, description = "user id"), ("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses((status = 200, body = UserDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn assign_user(
    signed: Signed,
    Path(id): Path<String>,
    Json(body): Json<AssignmentDto>,
) -> Result<AxumJson<UserDto>, WebError> {
    let a = Assignment {
        unit_id: body.unit_id,
        roles: body.roles,
    };
    Ok(AxumJson(
        signed.session.admin().await?.assign(&id, &a).await?.into(),
    ))
}

/// Audit events, newest first, filtered and paginated (auditors only).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = AuditPageDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn audit(
    signed: Signed,
    Query(p): Query<AuditParams>,
) -> Result<AxumJson<AuditPageDto>, WebError> {
    let q = AuditQuery {
        user: p.user,
        unit: p.unit,
        record_type: p.record_type,
        record_id: p.record_id,
        action: p.action,
        from_ms: p.from_ms,
        to_ms: p.to_ms,
        page: p.page,
        per_page: p.per_page,
    };
    Ok(AxumJson(
        signed.session.auditor().await?.list(&q).await?.into(),
    ))
}

/// Checks every link of the audit hash chain.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = ChainStatusDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn audit_verify(signed: Signed) -> Result<AxumJson<ChainStatusDto>, WebError> {
    Ok(AxumJson(
        signed.session.auditor().await?.verify().await?.into(),
    ))
}

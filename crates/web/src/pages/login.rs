//! Login in two steps (password, then TOTP or first enrolment), logout, and the language
//! switch. The session id changes when the second factor succeeds, so an id seen before
//! login is worth nothing after it.

use std::time::Duration;

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use fanguai_service::{AuthFailure, LoginOutcome, ServiceError, SessionToken};
use serde::Deserialize;

use super::{Chrome, local_path, render, render_status, see_other};
use crate::{
    AppState,
    context::{Auth, RequestContext},
    error::WebError,
    extract::{Form, Query},
    i18n::Lang,
    security::cookies,
};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    username: String,
    expired: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    chrome: Chrome,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "enrol.html")]
pub(super) struct EnrolPage {
    pub chrome: Chrome,
    pub qr_svg: String,
    pub secret: String,
    pub action: &'static str,
    /// Replacing the authenticator of a signed-in user rather than a first enrolment.
    pub reenrol: bool,
    pub error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    expired: Option<String>,
}

pub async fn form(ctx: RequestContext, Query(q): Query<LoginQuery>) -> Result<Response, WebError> {
    if matches!(ctx.auth, Auth::Signed { .. }) {
        return Ok(see_other("/"));
    }
    let expired = q.expired.is_some() || matches!(ctx.auth, Auth::Anonymous { expired: true });
    let page = LoginPage {
        chrome: Chrome::new(&ctx),
        username: String::new(),
        expired,
        error: None,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginForm")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for TotpForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpForm(***)")
    }
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    Form(form): Form<LoginForm>,
) -> Response {
    let username = form.username.trim().to_owned();
    let again = |status: StatusCode, message: String| {
        let page = LoginPage {
            chrome: Chrome::new(&ctx),
            username: username.clone(),
            expired: false,
            error: Some(message),
        };
        render_status(status, &page)
    };
    if username.is_empty() || form.password.is_empty() {
        return again(StatusCode::UNPROCESSABLE_ENTITY, ctx.tr.t("login-missing"));
    }
    if let Err(wait) = state.login_limiter().check(ctx.ip, &username) {
        tracing::warn!("login rate limit reached");
        let mut res = again(
            StatusCode::TOO_MANY_REQUESTS,
            ctx.tr.t("error-rate-limited"),
        );
        let secs = wait.0.as_secs().max(1);
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        return res;
    }
    match state
        .app()
        .login(&ctx.service, &username, &form.password)
        .await
    {
        Ok(outcome) => {
            drop_old_session(&state, &ctx).await;
            match outcome {
                LoginOutcome::Complete { token } => signed_in(&state, &ctx, token).await,
                LoginOutcome::TotpRequired { token } => {
                    with_session_cookie(&state, see_other("/login/totp"), &token)
                }
                LoginOutcome::EnrolmentRequired { token } => {
                    with_session_cookie(&state, see_other("/login/enrol"), &token)
                }
            }
        }
        Err(e) => {
            let status = WebError::from(&e).status;
            again(status, auth_message(&ctx, &e))
        }
    }
}

/// The sentence for a failed login step; a lock names the time it ends.
fn auth_message(ctx: &RequestContext, e: &ServiceError) -> String {
    match e {
        ServiceError::Auth(AuthFailure::Locked { until }) => ctx.tr.t1(
            "auth-locked-until",
            "time",
            &super::format_time(until.saturating_mul(1000)),
        ),
        other => WebError::from(other).message(&ctx.tr),
    }
}

/// A login over an existing session (for instance a pending second factor abandoned)
/// ends that session first, so one browser never holds two.
async fn drop_old_session(state: &AppState, ctx: &RequestContext) {
    let token = match &ctx.auth {
        Auth::Pending { token } | Auth::Signed { token, .. } => token,
        Auth::Anonymous { .. } => return,
    };
    if let Err(e) = state.app().logout(&ctx.service, token).await {
        tracing::warn!(error = %e, "could not end the previous session");
    }
}

pub(crate) fn with_session_cookie(
    state: &AppState,
    mut res: Response,
    token: &SessionToken,
) -> Response {
    let secure = state.config().secure_cookies;
    res.headers_mut().append(
        header::SET_COOKIE,
        cookies::build(
            cookies::session_cookie_name(secure),
            token.as_str(),
            None,
            secure,
        ),
    );
    res
}

/// The pending session's token, or where to send a request that has none.
fn pending(ctx: &RequestContext) -> Result<&SessionToken, &'static str> {
    match &ctx.auth {
        Auth::Pending { token } => Ok(token),
        Auth::Signed { .. } => Err("/"),
        Auth::Anonymous { expired: true } => Err("/login?expired=1"),
        Auth::Anonymous { expired: false } => Err("/login"),
    }
}

pub async fn totp_form(ctx: RequestContext) -> Response {
    if let Err(to) = pending(&ctx) {
        return see_other(to);
    }
    render_status(
        StatusCode::OK,
        &TotpPage {
            chrome: Chrome::new(&ctx),
            error: None,
        },
    )
}

#[derive(Deserialize)]
pub struct TotpForm {
    #[serde(default)]
    code: String,
}

pub async fn totp_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    Form(form): Form<TotpForm>,
) -> Response {
    let token = match pending(&ctx) {
        Ok(t) => t.clone(),
        Err(to) => return see_other(to),
    };
    match state
        .app()
        .verify_totp(&ctx.service, &token, &form.code)
        .await
    {
        Ok(new) => signed_in(&state, &ctx, new).await,
        Err(ServiceError::Auth(AuthFailure::SecondFactorPending)) => see_other("/login/enrol"),
        Err(ServiceError::Auth(AuthFailure::SessionExpired)) => expired(&state),
        Err(e) => {
            let status = WebError::from(&e).status;
            render_status(
                status,
                &TotpPage {
                    chrome: Chrome::new(&ctx),
                    error: Some(auth_message(&ctx, &e)),
                },
            )
        }
    }
}

pub async fn enrol_form(State(state): State<AppState>, ctx: RequestContext) -> Response {
    let token = match pending(&ctx) {
        Ok(t) => t.clone(),
        Err(to) => return see_other(to),
    };
    enrol_page(&state, &ctx, &token, StatusCode::OK, None).await
}

async fn enrol_page(
    state: &AppState,
    ctx: &RequestContext,
    token: &SessionToken,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    match state.app().enrolment(&ctx.service, token).await {
        Ok(e) => render_status(
            status,
            &EnrolPage {
                chrome: Chrome::new(ctx),
                qr_svg: e.qr_svg,
                secret: e.secret_base32,
                action: "/login/enrol",
                reenrol: false,
                error,
            },
        ),
        Err(ServiceError::Auth(AuthFailure::SecondFactorPending)) => see_other("/login/totp"),
        Err(ServiceError::Auth(AuthFailure::SessionExpired)) => expired(state),
        Err(e) => WebError::from(e).into_response(),
    }
}

pub async fn enrol_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    Form(form): Form<TotpForm>,
) -> Response {
    let token = match pending(&ctx) {
        Ok(t) => t.clone(),
        Err(to) => return see_other(to),
    };
    match state
        .app()
        .confirm_enrolment(&ctx.service, &token, &form.code)
        .await
    {
        Ok(new) => signed_in(&state, &ctx, new).await,
        Err(ServiceError::Auth(AuthFailure::SecondFactorPending)) => see_other("/login/totp"),
        Err(ServiceError::Auth(AuthFailure::SessionExpired)) => expired(&state),
        Err(e @ ServiceError::Auth(AuthFailure::Locked { .. })) => {
            let page = LoginPage {
                chrome: Chrome::new(&ctx),
                username: String::new(),
                expired: false,
                error: Some(auth_message(&ctx, &e)),
            };
            render_status(StatusCode::FORBIDDEN, &page)
        }
        Err(e) => {
            let status = WebError::from(&e).status;
            enrol_page(&state, &ctx, &token, status, Some(auth_message(&ctx, &e))).await
        }
    }
}

/// After the second factor: the new session remembers the language in use.
async fn signed_in(state: &AppState, ctx: &RequestContext, token: SessionToken) -> Response {
    if let Ok(session) = state.app().session(&ctx.service, &token).await
        && session.lang() != ctx.lang
        && let Err(e) = session.set_lang(&token, ctx.lang).await
    {
        tracing::warn!(error = %e, "could not store the session language");
    }
    with_session_cookie(state, see_other("/"), &token)
}

fn expired(state: &AppState) -> Response {
    let secure = state.config().secure_cookies;
    let mut res = see_other("/login?expired=1");
    res.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookies::session_cookie_name(secure), secure),
    );
    res
}

pub async fn logout(State(state): State<AppState>, ctx: RequestContext) -> Response {
    if let Auth::Pending { token } | Auth::Signed { token, .. } = &ctx.auth
        && let Err(e) = state.app().logout(&ctx.service, token).await
    {
        return WebError::from(e).into_response();
    }
    let secure = state.config().secure_cookies;
    let mut res = see_other("/login");
    res.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookies::session_cookie_name(secure), secure),
    );
    res
}

#[derive(Debug, Deserialize)]
pub struct LangForm {
    lang: String,
    next: Option<String>,
}

/// Remembered in a year-long cookie (so the login page is in the chosen language next
/// time) and in the session.
pub async fn switch_lang(
    State(state): State<AppState>,
    ctx: RequestContext,
    Form(form): Form<LangForm>,
) -> Response {
    let Some(lang) = Lang::parse(&form.lang) else {
        return WebError::bad_request("lang").into_response();
    };
    if let Auth::Signed { token, session } = &ctx.auth
        && let Err(e) = session.set_lang(token, lang).await
    {
        return WebError::from(e).into_response();
    }
    let secure = state.config().secure_cookies;
    let mut res = see_other(local_path(form.next.as_deref()));
    res.headers_mut().append(
        header::SET_COOKIE,
        cookies::build(
            cookies::LANG_COOKIE,
            lang.as_str(),
            Some(Duration::from_secs(365 * 24 * 3600)),
            secure,
        ),
    );
    res
}

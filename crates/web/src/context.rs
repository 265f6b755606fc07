//! The per-request context: who is asking (resolved once from the session cookie), in
//! which language, with which CSRF token. Also the single choke point where bodies of
//! state-changing requests are size-limited and CSRF-checked, and where pending errors
//! are rendered, so no handler can forget either.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Arc,
};

use axum::{
    body::Body,
    extract::{ConnectInfo, FromRequestParts, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use fanguai_service::{AuthFailure, ServiceError, Session, SessionToken};

use crate::{
    AppState,
    error::{LoginRedirect, PendingError, WebError},
    i18n::{Lang, Tr},
    pages,
    security::{cookies, csrf},
};

/// Everything a handler needs to know about the request besides its own input.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub ip: IpAddr,
    pub lang: Lang,
    /// The token that forms and htmx requests of this page must send back.
    pub csrf: String,
    pub auth: Auth,
    /// The same facts in the form the service records in the audit log.
    pub service: fanguai_service::RequestCtx,
    pub path: String,
    pub tr: Tr,
}

#[derive(Debug, Clone)]
pub enum Auth {
    Anonymous {
        /// A session cookie was sent but its session is gone (idle timeout, logout
        /// elsewhere, account disabled).
        expired: bool,
    },
    /// Password accepted, second factor outstanding.
    Pending { token: SessionToken },
    Signed {
        token: SessionToken,
        session: Box<Session>,
    },
}

impl RequestContext {
    pub fn is_api(&self) -> bool {
        is_api_path(&self.path)
    }

    pub fn session(&self) -> Option<&Session> {
        match &self.auth {
            Auth::Signed { session, .. } => Some(session),
            _ => None,
        }
    }

    pub fn user_id(&self) -> Option<&str> {
        self.session().map(|s| s.actor().user_id.as_str())
    }
}

pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Paths answered without looking up a session: they carry no personal data and are
/// requested often (assets, probes).
fn is_sessionless(method: &Method, path: &str) -> bool {
    method == Method::GET
        && (path.starts_with("/static/") || path == "/healthz" || path == "/readyz")
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, WebError> {
        parts
            .extensions
            .get::<Arc<RequestContext>>()
            .map(|c| (**c).clone())
            .ok_or_else(WebError::internal)
    }
}

/// A fully signed-in session (password and, where the role needs it, second factor).
/// Requests without one are sent to the login form (pages) or get 401 (API).
#[derive(Debug, Clone)]
pub struct Signed {
    pub ctx: RequestContext,
    pub session: Session,
    pub token: SessionToken,
}

impl Signed {
    fn from_ctx(ctx: RequestContext) -> Result<Signed, WebError> {
        match ctx.auth.clone() {
            Auth::Signed { token, session } => Ok(Signed {
                ctx,
                session: *session,
                token,
            }),
            Auth::Pending { .. } => Err(WebError::login_required(LoginRedirect::SecondFactor)),
            Auth::Anonymous { expired: true } => {
                Err(WebError::login_required(LoginRedirect::Expired))
            }
            Auth::Anonymous { expired: false } => {
                Err(WebError::login_required(LoginRedirect::Fresh))
            }
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Signed {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        let signed = Signed::from_ctx(RequestContext::from_request_parts(parts, state).await?)?;
        if signed.session.must_change_password() {
            // An administrator knows the initial password; nothing else may happen under
            // it until the user has chosen their own.
            let mut e = WebError::new(
                StatusCode::FORBIDDEN,
                "auth.must_change_password",
                "account-must-change-password",
            );
            if !signed.ctx.is_api() {
                e.status = StatusCode::SEE_OTHER;
            }
            return Err(e);
        }
        Ok(signed)
    }
}

/// Like [`Signed`], but also admits a user who must still change the initial password:
/// only the own-account pages and logout use it.
#[derive(Debug, Clone)]
pub struct SignedAny(pub Signed);

impl<S: Send + Sync> FromRequestParts<S> for SignedAny {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        Ok(SignedAny(Signed::from_ctx(
            RequestContext::from_request_parts(parts, state).await?,
        )?))
    }
}

fn client_ip(state: &AppState, req: &Request) -> IpAddr {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if state.config().trust_forwarded_for {
        // The proxy appends the address it saw; earlier entries are the client's claim.
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

fn header_str(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The middleware. See the module documentation.
pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let request_id = header_str(req.headers(), "x-request-id").unwrap_or_default();
    let ip = client_ip(&state, &req);
    let secure = state.config().secure_cookies;
    let service_ctx = fanguai_service::RequestCtx {
        request_id: request_id.clone(),
        ip: Some(ip.to_string()),
        user_agent: header_str(req.headers(), header::USER_AGENT)
            .map(|ua| ua.chars().take(200).collect()),
    };
    let cookie_lang = cookies::read(req.headers(), cookies::LANG_COOKIE).and_then(Lang::parse);

    let mut set_cookies: Vec<HeaderValue> = Vec::new();
    let (auth, session_csrf) = if is_sessionless(&method, &path) {
        (Auth::Anonymous { expired: false }, None)
    } else {
        match resolve_session(&state, &service_ctx, req.headers()).await {
            Ok(found) => found,
            Err(e) => {
                let ctx = bare_context(
                    &state,
                    request_id,
                    ip,
                    cookie_lang.unwrap_or_default(),
                    path,
                    service_ctx,
                );
                return render(&state, &ctx, e.into_response());
            }
        }
    };
    if matches!(auth, Auth::Anonymous { expired: true }) {
        set_cookies.push(cookies::clear(cookies::session_cookie_name(secure), secure));
    }
    let lang = cookie_lang
        .or_else(|| match &auth {
            Auth::Signed { session, .. } => Some(session.lang()),
            _ => None,
        })
        .unwrap_or_default();
    let sessionless = is_sessionless(&method, &path);
    let csrf = match session_csrf {
        Some(token) => token,
        // Assets and probes render no form; a Set-Cookie would only spoil their caching.
        None if sessionless => String::new(),
        None => match cookies::read(req.headers(), cookies::csrf_cookie_name(secure)) {
            Some(t) if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) => t.to_owned(),
            _ => {
                let t = csrf::new_token();
                set_cookies.push(cookies::build(
                    cookies::csrf_cookie_name(secure),
                    &t,
                    None,
                    secure,
                ));
                t
            }
        },
    };
    let ctx = Arc::new(RequestContext {
        request_id,
        ip,
        lang,
        csrf,
        auth,
        service: service_ctx,
        path,
        tr: state.locales().tr(lang),
    });

    let mut req = req;
    if !is_safe(&method) {
        req = match guard_body(&state, &ctx, req).await {
            Ok(req) => req,
            Err(e) => return finish(&state, &ctx, e.into_response(), set_cookies),
        };
    }
    req.extensions_mut().insert(ctx.clone());
    let res = next.run(req).await;
    finish(&state, &ctx, res, set_cookies)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn bare_context(
    state: &AppState,
    request_id: String,
    ip: IpAddr,
    lang: Lang,
    path: String,
    service: fanguai_service::RequestCtx,
) -> RequestContext {
    RequestContext {
        request_id,
        ip,
        lang,
        csrf: String::new(),
        auth: Auth::Anonymous { expired: false },
        service,
        path,
        tr: state.locales().tr(lang),
    }
}

/// Looks the session cookie up. A pending (second-factor) session has a CSRF token of
/// its own; an expired one leaves the request anonymous.
async fn resolve_session(
    state: &AppState,
    ctx: &fanguai_service::RequestCtx,
    headers: &HeaderMap,
) -> Result<(Auth, Option<String>), WebError> {
    let secure = state.config().secure_cookies;
    let Some(raw) = cookies::read(headers, cookies::session_cookie_name(secure)) else {
        return Ok((Auth::Anonymous { expired: false }, None));
    };
    if raw.is_empty() || raw.len() > 128 {
        return Ok((Auth::Anonymous { expired: true }, None));
    }
    let token = SessionToken::new(raw);
    match state.app().session(ctx, &token).await {
        Ok(session) => {
            let csrf = session.csrf_token().to_owned();
            Ok((
                Auth::Signed {
                    token,
                    session: Box::new(session),
                },
                Some(csrf),
            ))
        }
        Err(ServiceError::Auth(AuthFailure::SecondFactorPending)) => {
            match state.app().pending_csrf(&token).await {
                Ok(csrf) => Ok((Auth::Pending { token }, Some(csrf))),
                Err(ServiceError::Auth(_)) => Ok((Auth::Anonymous { expired: true }, None)),
                Err(e) => Err(e.into()),
            }
        }
        Err(ServiceError::Auth(_)) => Ok((Auth::Anonymous { expired: true }, None)),
        Err(e) => Err(e.into()),
    }
}

/// Buffers the body of a state-changing request within the configured limit and checks
/// its CSRF token (header first, then the form field).
async fn guard_body(
    state: &AppState,
    ctx: &RequestContext,
    req: Request,
) -> Result<Request, WebError> {
    let limit = crate::public::upload_limit(&ctx.path, state.config().report_body_limit)
        .unwrap_or(state.config().body_limit);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(WebError::payload_too_large());
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| WebError::payload_too_large())?;
    let presented = match parts
        .headers
        .get(csrf::HEADER)
        .and_then(|v| v.to_str().ok())
    {
        Some(h) => Some(h.to_owned()),
        None => {
            let content_type = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if content_type.starts_with("application/x-www-form-urlencoded") {
                csrf::token_in_form(&bytes)
            } else if content_type.starts_with("multipart/form-data") {
                csrf::token_in_multipart(content_type, &bytes)
            } else {
                None
            }
        }
    };
    match presented {
        Some(p) if csrf::matches(&ctx.csrf, &p) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => {
            tracing::warn!(path = %ctx.path, "request refused: missing or wrong CSRF token");
            Err(WebError::csrf())
        }
    }
}

/// The user id recorded in the access log line.
#[derive(Debug, Clone)]
pub struct LoggedUser(pub String);

fn finish(
    state: &AppState,
    ctx: &RequestContext,
    res: Response,
    set_cookies: Vec<HeaderValue>,
) -> Response {
    let mut res = render(state, ctx, res);
    for c in set_cookies {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    if let Some(user) = ctx.user_id() {
        res.extensions_mut().insert(LoggedUser(user.to_owned()));
    }
    res
}

/// Turns a pending [`WebError`], or a bare error status produced by the framework
/// (unknown method, timeout, oversized body), into the page or JSON the client reads.
fn render(state: &AppState, ctx: &RequestContext, res: Response) -> Response {
    let error = match res.extensions().get::<PendingError>() {
        Some(PendingError(e)) => e.clone(),
        None if res.status().is_client_error() || res.status().is_server_error() => {
            if res.headers().contains_key(header::CONTENT_TYPE) {
                return res;
            }
            match res.status() {
                StatusCode::NOT_FOUND => WebError::not_found(),
                StatusCode::METHOD_NOT_ALLOWED => WebError::method_not_allowed(),
                StatusCode::REQUEST_TIMEOUT => WebError::timeout(),
                StatusCode::PAYLOAD_TOO_LARGE => WebError::payload_too_large(),
                StatusCode::TOO_MANY_REQUESTS => {
                    WebError::rate_limited(std::time::Duration::from_secs(1))
                }
                s if s.is_server_error() => WebError::internal(),
                _ => WebError::bad_request("request"),
            }
        }
        None => return res,
    };
    if error.code == "auth.must_change_password" && !ctx.is_api() {
        let mut r = (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, "/account?must_change=1")],
        )
            .into_response();
        r.headers_mut().insert(
            "hx-redirect",
            HeaderValue::from_static("/account?must_change=1"),
        );
        return r;
    }
    let mut out = if ctx.is_api() {
        error.to_json(&ctx.tr)
    } else {
        error.to_html(|e| pages::error_page(state, ctx, e))
    };
    // Keep headers the handler or a layer set (e.g. Allow on 405).
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE
            && name != header::CONTENT_LENGTH
            && !out.headers().contains_key(name)
        {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

//! The one place where failures become HTTP: every handler returns [`WebError`], and the
//! request context middleware renders it as a localized HTML page or, under `/api`, as
//! `{"error": {"code", "message", "field"?}}`.

use std::time::Duration;

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use fanguai_service::{AuthFailure, ServiceError};
use serde::Serialize;

use crate::i18n::Tr;

/// A failure on its way to the client. Carries a stable `code`, the Fluent key of the
/// message the user reads, and optionally the form field it concerns.
#[derive(Debug, Clone)]
pub struct WebError {
    pub status: StatusCode,
    pub code: String,
    pub message_key: String,
    pub field: Option<String>,
    pub retry_after: Option<Duration>,
    /// A page request without a usable session goes to the login form instead of an
    /// error page; `expired` selects the "session expired" notice there.
    pub login_redirect: Option<LoginRedirect>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRedirect {
    Fresh,
    Expired,
    SecondFactor,
}

impl WebError {
    pub fn new(status: StatusCode, code: &str, message_key: &str) -> Self {
        WebError {
            status,
            code: code.to_owned(),
            message_key: message_key.to_owned(),
            field: None,
            retry_after: None,
            login_redirect: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn bad_request(field: &str) -> Self {
        WebError::new(StatusCode::BAD_REQUEST, "bad_request", "error-bad-request").with_field(field)
    }
    pub fn not_found() -> Self {
        WebError::new(StatusCode::NOT_FOUND, "not_found", "error-not-found")
    }
    pub fn method_not_allowed() -> Self {
        WebError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "error-method-not-allowed",
        )
    }
    pub fn forbidden() -> Self {
        WebError::new(StatusCode::FORBIDDEN, "forbidden", "error-forbidden")
    }
    pub fn csrf() -> Self {
        WebError::new(StatusCode::FORBIDDEN, "csrf", "error-csrf")
    }
    pub fn payload_too_large() -> Self {
        WebError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "error-payload-too-large",
        )
    }
    pub fn timeout() -> Self {
        WebError::new(StatusCode::REQUEST_TIMEOUT, "timeout", "error-timeout")
    }
    pub fn internal() -> Self {
        WebError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "error-internal",
        )
    }
    pub fn unavailable() -> Self {
        WebError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "error-unavailable",
        )
    }
    pub fn rate_limited(wait: Duration) -> Self {
        let mut e = WebError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "error-rate-limited",
        );
        e.retry_after = Some(wait);
        e
    }
    pub fn login_required(kind: LoginRedirect) -> Self {
        let (code, key) = match kind {
            LoginRedirect::Fresh => ("auth.login_required", "error-login-required"),
            LoginRedirect::Expired => ("auth.session_expired", "auth-session-expired"),
            LoginRedirect::SecondFactor => {
                ("auth.second_factor_pending", "auth-second-factor-pending")
            }
        };
        let mut e = WebError::new(StatusCode::UNAUTHORIZED, code, key);
        e.login_redirect = Some(kind);
        e
    }
    /// A field that failed validation, with the Fluent key of the explanation.
    pub fn invalid(field: &str, message_key: &str) -> Self {
        WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message_key).with_field(field)
    }

    /// The sentence a person reads, in the request's language.
    pub fn message(&self, tr: &Tr) -> String {
        if tr.has(&self.message_key) {
            tr.t(&self.message_key)
        } else {
            // Codes coming from the service may be newer than the locale files; the
            // generic text for the status still tells the user what happened.
            tr.t(generic_key(self.status))
        }
    }

    /// Renders the JSON error body used under `/api`.
    pub fn to_json(&self, tr: &Tr) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.clone(),
                message: self.message(tr),
                field: self.field.clone(),
            },
        };
        let mut res = (self.status, Json(body)).into_response();
        self.add_retry_after(&mut res);
        res
    }

    /// Renders a full HTML page (or, for a page needing login, a redirect to the login
    /// form that htmx also follows).
    pub fn to_html(&self, page: impl FnOnce(&WebError) -> String) -> Response {
        if let Some(kind) = self.login_redirect {
            let to = match kind {
                LoginRedirect::Fresh => "/login",
                LoginRedirect::Expired => "/login?expired=1",
                LoginRedirect::SecondFactor => "/login/second-factor",
            };
            let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
            res.headers_mut()
                .insert("hx-redirect", HeaderValue::from_static(to));
            return res;
        }
        let mut res = (self.status, Html(page(self))).into_response();
        self.add_retry_after(&mut res);
        res
    }

    fn add_retry_after(&self, res: &mut Response) {
        if let Some(wait) = self.retry_after {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
    }
}

/// Every message key this module can produce, for the locale completeness test.
pub const MESSAGE_KEYS: &[&str] = &[
    "error-bad-request",
    "error-login-required",
    "error-forbidden",
    "error-csrf",
    "error-not-found",
    "error-method-not-allowed",
    "error-timeout",
    "error-conflict",
    "error-payload-too-large",
    "error-invalid",
    "error-json-expected",
    "error-rate-limited",
    "error-internal",
    "error-unavailable",
    "auth-bad-credentials",
    "auth-bad-code",
    "auth-locked",
    "auth-disabled",
    "auth-session-expired",
    "auth-second-factor-pending",
    "account-must-change-password",
];

fn generic_key(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "error-bad-request",
        401 => "error-login-required",
        403 => "error-forbidden",
        404 => "error-not-found",
        405 => "error-method-not-allowed",
        408 => "error-timeout",
        409 => "error-conflict",
        413 => "error-payload-too-large",
        422 => "error-invalid",
        429 => "error-rate-limited",
        503 => "error-unavailable",
        _ => "error-internal",
    }
}

/// JSON shape of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `auth.bad_credentials`, `refused.need_to_know`.
    pub code: String,
    /// Human-readable message in the request's language.
    pub message: String,
    /// The input field the error concerns, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Fluent ids cannot contain dots; service codes such as `username.too_short` become
/// `invalid-username-too_short`.
pub fn invalid_key(code: &str) -> String {
    format!("invalid-{}", code.replace('.', "-"))
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        WebError::from(&e)
    }
}

impl From<&ServiceError> for WebError {
    fn from(e: &ServiceError) -> Self {
        let code = e.code();
        let mut web = match e {
            ServiceError::Refused { .. } => {
                WebError::new(StatusCode::FORBIDDEN, &code, "error-forbidden")
            }
            ServiceError::Invalid { field, code } => {
                WebError::new(StatusCode::UNPROCESSABLE_ENTITY, code, &invalid_key(code))
                    .with_field(*field)
            }
            ServiceError::Auth(failure) => match failure {
                AuthFailure::BadCredentials => {
                    WebError::new(StatusCode::UNAUTHORIZED, &code, "auth-bad-credentials")
                }
                AuthFailure::BadCode => {
                    WebError::new(StatusCode::UNAUTHORIZED, &code, "auth-bad-code")
                }
                AuthFailure::Locked { .. } => {
                    WebError::new(StatusCode::FORBIDDEN, &code, "auth-locked")
                }
                AuthFailure::Disabled => {
                    WebError::new(StatusCode::FORBIDDEN, &code, "auth-disabled")
                }
                AuthFailure::SessionExpired => WebError::login_required(LoginRedirect::Expired),
                AuthFailure::SecondFactorPending => {
                    WebError::login_required(LoginRedirect::SecondFactor)
                }
            },
            ServiceError::NotFound(_) => {
                WebError::new(StatusCode::NOT_FOUND, &code, "error-not-found")
            }
            ServiceError::Conflict(_) => {
                WebError::new(StatusCode::CONFLICT, &code, "error-conflict")
            }
            ServiceError::Unavailable(_) => WebError::unavailable(),
            ServiceError::Internal(_) => WebError::internal(),
        };
        if matches!(e, ServiceError::Internal(_) | ServiceError::Unavailable(_)) {
            // The detail may name tables or keys; it goes to the log (already scoped to
            // the request id), never to the client.
            tracing::error!(error = %e, "service failure");
            web.code = code;
        }
        web
    }
}

/// Marks a response as an error that still needs rendering; the context middleware
/// turns it into HTML or JSON once it knows the language and the kind of request.
#[derive(Debug, Clone)]
pub(crate) struct PendingError(pub WebError);

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let mut res = self.status.into_response();
        res.extensions_mut().insert(PendingError(self));
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_errors_map_to_the_documented_statuses() {
        let cases = [
            (
                ServiceError::Refused {
                    code: "need_to_know",
                },
                403,
            ),
            (ServiceError::invalid("username", "username.taken"), 422),
            (ServiceError::Auth(AuthFailure::BadCredentials), 401),
            (ServiceError::Auth(AuthFailure::BadCode), 401),
            (ServiceError::Auth(AuthFailure::Locked { until: 0 }), 403),
            (ServiceError::Auth(AuthFailure::SessionExpired), 401),
            (ServiceError::NotFound("user"), 404),
            (ServiceError::Conflict("username".into()), 409),
            (ServiceError::Internal("secret detail".into()), 500),
            (ServiceError::Unavailable("down".into()), 503),
        ];
        for (e, status) in cases {
            let w = WebError::from(e);
            assert_eq!(w.status.as_u16(), status, "{w:?}");
        }
        let w = WebError::from(ServiceError::invalid("username", "username.taken"));
        assert_eq!(w.field.as_deref(), Some("username"));
        assert_eq!(w.message_key, "invalid-username-taken");
    }

    #[test]
    fn page_requests_without_session_redirect_to_login() {
        let res = WebError::login_required(LoginRedirect::Expired).to_html(|_| String::new());
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()[header::LOCATION], "/login?expired=1");
    }

    #[test]
    fn rate_limit_sets_retry_after_in_whole_seconds() {
        let locales = crate::i18n::Locales::load().unwrap();
        let res = WebError::rate_limited(Duration::from_millis(1500))
            .to_json(&locales.tr(crate::i18n::Lang::En));
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.headers()[header::RETRY_AFTER], "2");
    }
}

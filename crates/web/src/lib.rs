//! The web face of fanguai: server-rendered HTML pages (askama + htmx) and the JSON API
//! under `/api/v1`, both over the use cases of `fanguai-service`.
//!
//! ```text
//! let state = AppState::new(app, WebConfig::default())?;
//! fanguai_web::serve(listener, state, shutdown_signal).await?;
//! ```
//! Every response carries strict security headers; every state-changing request must
//! carry the CSRF token of its session (or, before login, of the double-submit cookie);
//! every failure is rendered by [`error::WebError`] in the request's language.
#![forbid(unsafe_code)]

pub mod api;
pub mod assets;
pub mod context;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod pages;
pub mod public;
pub mod security;

use std::{future::Future, io, net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    Router,
    extract::{Request, State},
    http::{HeaderName, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use fanguai_service::App;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
};
use tracing::Instrument;

use crate::{
    context::LoggedUser,
    error::WebError,
    i18n::{LocaleError, Locales},
    security::rate_limit::{AddressLimiter, LoginLimiter, LoginRateLimit, Rate},
};

/// Settings of the HTTP layer; the use cases have their own in `ServiceConfig`.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Marks cookies `Secure` (with the `__Host-` prefix) and sends HSTS. On whenever the
    /// server is reached over HTTPS, which is every deployment except a local demo.
    pub secure_cookies: bool,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    pub login_rate: LoginRateLimit,
    /// Requests taking longer are answered with 408.
    pub request_timeout: Duration,
    /// Take the client address from the last `X-Forwarded-For` entry. Only for servers
    /// that are reachable solely through a reverse proxy, else clients choose their
    /// address and slip past the login rate limit.
    pub trust_forwarded_for: bool,
    /// Public tips accepted per client address; invalid submissions do not count.
    pub report_rate: Rate,
    /// Status look-ups and additions of the public tip line per client address.
    pub report_status_rate: Rate,
    /// Largest body of a public tip with its photos (the only route allowed more than
    /// `body_limit`).
    pub report_body_limit: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: true,
            body_limit: 1024 * 1024,
            login_rate: LoginRateLimit::default(),
            request_timeout: Duration::from_secs(30),
            trust_forwarded_for: false,
            // A person rarely reports more than a couple of things at once; five in ten
            // minutes leaves room for a family behind one address.
            report_rate: Rate {
                burst: 5,
                refill: Duration::from_secs(120),
            },
            report_status_rate: Rate {
                burst: 20,
                refill: Duration::from_secs(30),
            },
            report_body_limit: fanguai_service::MAX_PHOTOS * fanguai_service::MAX_PHOTO_BYTES
                + 1024 * 1024,
        }
    }
}

/// Shared by every request: the service, the web settings, the locales and the login
/// rate limiter.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<StateInner>,
}

#[derive(Debug)]
struct StateInner {
    app: App,
    config: WebConfig,
    locales: Locales,
    limiter: LoginLimiter,
    report_limiter: AddressLimiter,
    report_status_limiter: AddressLimiter,
}

impl AppState {
    /// Fails only if the embedded locale files do not parse.
    pub fn new(app: App, config: WebConfig) -> Result<AppState, LocaleError> {
        let locales = Locales::load()?;
        let limiter = LoginLimiter::new(config.login_rate);
        let report_limiter = AddressLimiter::new(config.report_rate);
        let report_status_limiter = AddressLimiter::new(config.report_status_rate);
        Ok(AppState {
            inner: Arc::new(StateInner {
                app,
                config,
                locales,
                limiter,
                report_limiter,
                report_status_limiter,
            }),
        })
    }

    pub fn app(&self) -> &App {
        &self.inner.app
    }

    pub fn config(&self) -> &WebConfig {
        &self.inner.config
    }

    pub fn locales(&self) -> &Locales {
        &self.inner.locales
    }

    pub fn login_limiter(&self) -> &LoginLimiter {
        &self.inner.limiter
    }

    /// Submissions of the public tip line, per client address.
    pub fn report_limiter(&self) -> &AddressLimiter {
        &self.inner.report_limiter
    }

    /// Status look-ups and additions of the public tip line, per client address.
    pub fn report_status_limiter(&self) -> &AddressLimiter {
        &self.inner.report_status_limiter
    }
}

/// The complete application: pages, API, assets, probes, and every layer.
pub fn router(state: AppState) -> Router {
    let hsts = state.config().secure_cookies;
    let timeout = state.config().request_timeout;
    let x_request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(pages::routes())
        .merge(public::routes(state.config().report_body_limit))
        .merge(pages::tips::routes(state.config().report_body_limit))
        .nest("/api", api::routes())
        .route("/static/{hash}/{*name}", get(assets::serve))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .fallback(fallback)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            context::middleware,
        ))
        .layer(middleware::map_response(
            move |mut res: Response| async move {
                security::headers::apply(res.headers_mut(), hsts);
                res
            },
        ))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(middleware::from_fn(access_log))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .with_state(state)
}

/// Serves until `shutdown` completes, then finishes the requests in flight. Client
/// addresses reach the login rate limiter through the connection info.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let service = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
}

async fn fallback() -> WebError {
    WebError::not_found()
}

/// Liveness: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers through the service.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.app().ready().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response()
        }
    }
}

/// One line per request with only what is safe to keep: method, path without the query
/// (queries can carry search terms about people), status, latency, request id and user
/// id. The request id also tags every line logged while handling the request.
async fn access_log(req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let span = tracing::info_span!("request", request_id = %request_id);
    let started = std::time::Instant::now();
    let res = next.run(req).instrument(span.clone()).await;
    let user = res
        .extensions()
        .get::<LoggedUser>()
        .map(|u| u.0.as_str())
        .unwrap_or("-");
    span.in_scope(|| {
        tracing::info!(
            method = %method,
            path = %path,
            status = res.status().as_u16(),
            latency_ms = started.elapsed().as_millis() as u64,
            user_id = user,
            "request"
        );
    });
    res
}

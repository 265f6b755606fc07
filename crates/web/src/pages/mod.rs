//! Server-rendered pages. Each page is an askama template whose struct holds a
//! [`Chrome`] (layout, navigation, language, CSRF token) and the view model the service
//! returned, already masked for the actor.

mod account;
mod admin_users;
mod audit;
pub mod cases;
pub mod cases_api;
mod home;
mod login;
pub mod tips;
mod units;

use askama::Template;
use axum::{
    Router,
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use fanguai_domain::policy::Capability;
use fanguai_service::{Role, Session};

use crate::{
    AppState, assets,
    context::{Auth, RequestContext},
    error::WebError,
    i18n::{Lang, Tr},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(cases::routes())
        .route("/", get(home::show))
        .route("/login", get(login::form).post(login::submit))
        .route(
            "/login/totp",
            get(login::totp_form).post(login::totp_submit),
        )
        .route(
            "/login/enrol",
            get(login::enrol_form).post(login::enrol_submit),
        )
        .route("/logout", post(login::logout))
        .route("/lang", post(login::switch_lang))
        .route("/units", get(units::show))
        .route(
            "/admin/users",
            get(admin_users::list).post(admin_users::create),
        )
        .route("/admin/users/new", get(admin_users::new_form))
        .route("/admin/users/{id}", get(admin_users::edit_form))
        .route("/admin/users/{id}/assignment", post(admin_users::assign))
        .route("/admin/users/{id}/disable", post(admin_users::disable))
        .route("/admin/users/{id}/enable", post(admin_users::enable))
        .route("/admin/users/{id}/liaison", post(admin_users::make_liaison))
        .route(
            "/admin/users/{id}/reset-password",
            post(admin_users::reset_password),
        )
        .route("/admin/users/{id}/reset-2fa", post(admin_users::reset_2fa))
        .route("/audit", get(audit::show))
        .route("/account", get(account::show))
        .route("/account/password", post(account::change_password))
        .route("/account/2fa", post(account::start_reenrolment))
        .route("/account/2fa/confirm", post(account::confirm_reenrolment))
}

/// One entry of the main navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// The signed-in user as the header shows them.
#[derive(Debug, Clone)]
pub struct UserBadge {
    pub display_name: String,
    pub unit: String,
}

/// What the base layout needs on every page.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub tr: Tr,
    pub lang: Lang,
    pub csrf: String,
    pub path: String,
    pub nav: Vec<NavItem>,
    pub user: Option<UserBadge>,
    pub css_url: String,
    pub js_url: String,
    pub htmx_url: String,
    pub icon_url: String,
}

impl Chrome {
    pub fn new(ctx: &RequestContext) -> Chrome {
        let tr = ctx.tr.clone();
        let (nav, user) = match &ctx.auth {
            Auth::Signed { session, .. } => (
                nav_for(session, &tr, &ctx.path),
                Some(badge(session, ctx.lang)),
            ),
            _ => (Vec::new(), None),
        };
        Chrome {
            lang: ctx.lang,
            csrf: ctx.csrf.clone(),
            path: ctx.path.clone(),
            nav,
            user,
            css_url: assets::url("app.css").unwrap_or_default(),
            js_url: assets::url("app.js").unwrap_or_default(),
            htmx_url: assets::url("vendor/htmx.min.js").unwrap_or_default(),
            icon_url: assets::url("favicon.svg").unwrap_or_default(),
            tr,
        }
    }

    /// Translated text for `key`.
    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }

    /// Translated text with one argument.
    pub fn t1(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.tr.t1(key, name, &value)
    }

    pub fn lang_tag(&self) -> &'static str {
        self.lang.as_str()
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    /// Name of a role in the page language.
    pub fn role(&self, role: &Role) -> String {
        self.pick(role.name_zh(), role.name_en()).to_owned()
    }

    /// Picks the text in the page language from a pair stored in both.
    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.lang == Lang::En && !en.is_empty() {
            en
        } else {
            zh
        }
    }
}

fn badge(session: &Session, lang: Lang) -> UserBadge {
    let a = session.actor();
    let unit = if lang == Lang::En && !a.unit_name_en.is_empty() {
        &a.unit_name_en
    } else {
        &a.unit_name_zh
    };
    UserBadge {
        display_name: a.display_name.clone(),
        unit: unit.clone(),
    }
}

/// Pages this session may open, from the policy's own list of capabilities, so a link
/// is shown exactly when following it would be allowed.
fn nav_for(session: &Session, tr: &Tr, path: &str) -> Vec<NavItem> {
    let caps = permissions::allowed_pages(session);
    let mut items = vec![("/", "nav-home")];
    for page in caps {
        items.push(page);
    }
    items.push(("/account", "nav-account"));
    items
        .into_iter()
        .map(|(href, key)| NavItem {
            href,
            label: tr.t(key),
            current: if href == "/" {
                path == "/"
            } else {
                path == href || path.starts_with(&format!("{href}/"))
            },
        })
        .collect()
}

/// The Fluent key describing a capability on the home page.
pub fn capability_key(c: &Capability) -> String {
    format!("cap-{}", c.id())
}

/// The stable id of a capability, as the API reports it.
pub fn capability_id(c: &Capability) -> String {
    c.id().to_owned()
}

pub(crate) mod permissions {
    use fanguai_domain::policy::Capability;
    use fanguai_service::Session;

    /// Navigation entries (path, label key) that the capabilities of `session` open.
    pub fn allowed_pages(session: &Session) -> Vec<(&'static str, &'static str)> {
        let caps = session.permissions();
        let mut pages = Vec::new();
        if caps.contains(&Capability::ViewUnitDirectory) {
            pages.push(("/units", "nav-units"));
        }
        if caps.contains(&Capability::ManageUsers) {
            pages.push(("/admin/users", "nav-users"));
        }
        if caps.contains(&Capability::Cases) {
            pages.push(("/cases", "nav-cases"));
        }
        if caps.contains(&Capability::Tips) {
            pages.push(("/tips", "nav-tips"));
        } else if caps.contains(&Capability::SubmitTip) {
            // Units outside the police record tips and receive referrals, nothing more.
            pages.push(("/tips/referrals", "nav-tip-referrals"));
        }
        if caps.contains(&Capability::ViewAuditLog) {
            pages.push(("/audit", "nav-audit"));
        }
        pages
    }
}

/// Renders a template, or a 500 if the template fails (which a test would have caught).
pub fn render<T: Template>(page: &T) -> Result<Html<String>, WebError> {
    page.render().map(Html).map_err(|e| {
        tracing::error!(error = %e, "template rendering failed");
        WebError::internal()
    })
}

/// Renders a template with a non-200 status (forms shown again with errors).
pub fn render_status<T: Template>(status: StatusCode, page: &T) -> Response {
    match render(page) {
        Ok(html) => (status, html).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A 303 to `to`, which htmx also follows.
pub fn see_other(to: &str) -> Response {
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert("hx-redirect", v);
    }
    res
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    status: u16,
    message: String,
    error: &'a WebError,
}

/// The HTML page for an error, in the request's language.
pub fn error_page(_state: &AppState, ctx: &RequestContext, error: &WebError) -> String {
    let page = ErrorPage {
        chrome: Chrome::new(ctx),
        status: error.status.as_u16(),
        message: error.message(&ctx.tr),
        error,
    };
    page.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "error page rendering failed");
        format!(
            "<!doctype html><title>{0}</title><p>{0}</p>",
            error.status.as_u16()
        )
    })
}

/// A form field's error message, shown beside the field.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: String) {
        self.0.push((field.to_owned(), message));
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Errors not tied to a visible field.
    pub fn general(&self, visible: &[&str]) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(f, _)| !visible.contains(&f.as_str()))
            .map(|(_, m)| m.as_str())
            .collect()
    }
}

/// A moment (unix milliseconds) as people in the city read it: China Standard Time,
/// which has no daylight saving.
pub fn format_time(unix_ms: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .map(|t| t.to_offset(time::macros::offset!(+8)))
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| unix_ms.to_string())
}

/// A safe local redirect target: an absolute path on this site, never another origin.
pub fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.contains("://") =>
        {
            p
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_targets_stay_on_this_site() {
        assert_eq!(local_path(Some("/units")), "/units");
        assert_eq!(local_path(Some("//evil.example")), "/");
        assert_eq!(local_path(Some("https://evil.example")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn times_are_shown_in_china_standard_time() {
        assert_eq!(format_time(0), "1970-01-01 08:00:00");
        assert_eq!(format_time(1_700_000_000_000), "2023-11-15 06:13:20");
    }
}

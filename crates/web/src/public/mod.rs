//! The public reporting line (举报): anyone, without an account, in Chinese or English,
//! on a phone. `/report` takes a tip with up to five photos and hands back a tracking
//! code and secret once; `/report/status` shows, for that code and secret, only whether
//! the tip was received, is being handled or is closed, and takes additional
//! information. A wrong secret and an unknown code give the same page.
//!
//! Submissions and look-ups are rate limited per client address, so a flood from one
//! address blocks only that address.

pub mod form;

use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    response::{Html, IntoResponse, Response},
    routing::get,
};
use fanguai_domain::tips::PublicStatus;
use fanguai_service::ServiceError;
use serde::Deserialize;

use crate::{
    AppState,
    context::RequestContext,
    error::WebError,
    extract::{Form, Query},
    pages::{Chrome, FieldErrors, render, render_status},
    security::rate_limit::RetryAfter,
};
use form::{Picker, ReportInput, TipFormView, TipUpload};

/// Paths whose requests may carry photos, and so a body above the usual limit.
pub fn takes_uploads(path: &str) -> bool {
    upload_limit(path, 1).is_some()
}

/// The body limit of a path that takes photos, from the limit for raw photo bytes:
/// the JSON API carries them in base64, a third larger.
pub fn upload_limit(path: &str, photo_bytes: usize) -> Option<usize> {
    match path {
        "/report" | "/tips/new" => Some(photo_bytes),
        "/api/v1/public/tips" | "/api/v1/tips" => Some(photo_bytes / 3 * 4 + 64 * 1024),
        _ => None,
    }
}

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/report",
            get(report_form)
                .post(report_submit)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/report/divisions", get(divisions))
        .route("/report/status", get(status_form).post(status_check))
        .route("/report/status/add", axum::routing::post(status_add))
}

fn rate_limited(RetryAfter(wait): RetryAfter) -> WebError {
    let mut e = WebError::rate_limited(wait);
    e.message_key = "report-rate-limited".into();
    e
}

#[derive(Template)]
#[template(path = "public/report.html")]
struct ReportPage {
    chrome: Chrome,
    form: TipFormView,
}

#[derive(Template)]
#[template(path = "public/report_done.html")]
struct ReceiptPage {
    chrome: Chrome,
    tracking_code: String,
    secret: String,
    urgent: bool,
}

#[derive(Template)]
#[template(path = "public/divisions.html")]
struct PickerFragment {
    chrome: Chrome,
    form: PickerOnly,
}

/// The picker template reads `form.picker`, as inside the whole form.
struct PickerOnly {
    picker: Picker,
}

pub async fn report_form(ctx: RequestContext) -> Result<Html<String>, WebError> {
    let form = TipFormView::new(
        &ctx.tr,
        ReportInput::default(),
        FieldErrors::default(),
        false,
    );
    render(&ReportPage {
        chrome: Chrome::new(&ctx),
        form,
    })
}

pub async fn report_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    upload: TipUpload,
) -> Result<Response, WebError> {
    let limiter = state.report_limiter();
    limiter.check(ctx.ip).map_err(rate_limited)?;
    let input = ReportInput::from_fields(&upload.fields)?;
    let desk = state.app().public_tips(&ctx.service);
    let had_photos = !upload.photos.is_empty();
    let again = |errors: FieldErrors, input: ReportInput| {
        let form = TipFormView::new(&ctx.tr, input, errors, had_photos);
        render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ReportPage {
                chrome: Chrome::new(&ctx),
                form,
            },
        )
    };
    let tip = match desk.validate(&input.to_form()) {
        Ok(tip) => tip,
        Err(errors) => return Ok(again(form::form_errors(&ctx.tr, &errors), input)),
    };
    match desk.submit(&tip, &upload.photos).await {
        Ok(receipt) => {
            limiter.spend(ctx.ip);
            let page = ReceiptPage {
                chrome: Chrome::new(&ctx),
                tracking_code: receipt.tracking_code.clone(),
                secret: receipt.secret.clone(),
                urgent: tip.urgency() == fanguai_domain::tips::TipUrgency::Urgent,
            };
            Ok(render_status(StatusCode::CREATED, &page))
        }
        Err(e) => Ok(again(form::service_field_error(&ctx.tr, e)?, input)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PickerQuery {
    #[serde(default)]
    province: String,
    #[serde(default)]
    prefecture: String,
    #[serde(default)]
    division: String,
}

/// The picker again after one of its selects changed (htmx swaps it in place).
pub async fn divisions(
    ctx: RequestContext,
    Query(q): Query<PickerQuery>,
) -> Result<Html<String>, WebError> {
    render(&PickerFragment {
        chrome: Chrome::new(&ctx),
        form: PickerOnly {
            picker: Picker::new(&q.province, &q.prefecture, &q.division),
        },
    })
}

#[derive(Template)]
#[template(path = "public/status.html")]
struct StatusPage {
    chrome: Chrome,
    code: String,
    secret: String,
    /// `None` until a code and secret matched.
    status: Option<StatusView>,
    errors: FieldErrors,
    not_found: bool,
    added: bool,
    text: String,
}

struct StatusView {
    id: &'static str,
    label: String,
    explanation: String,
}

impl StatusView {
    fn of(chrome: &Chrome, s: PublicStatus) -> StatusView {
        StatusView {
            id: s.id(),
            label: chrome.t(&format!("report-status-{}", s.id())),
            explanation: chrome.t(&format!("report-status-{}-text", s.id())),
        }
    }
}

impl StatusPage {
    fn blank(ctx: &RequestContext) -> StatusPage {
        StatusPage {
            chrome: Chrome::new(ctx),
            code: String::new(),
            secret: String::new(),
            status: None,
            errors: FieldErrors::default(),
            not_found: false,
            added: false,
            text: String::new(),
        }
    }
}

pub async fn status_form(ctx: RequestContext) -> Result<Html<String>, WebError> {
    render(&StatusPage::blank(&ctx))
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusInput {
    #[serde(default)]
    code: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    text: String,
}

/// The status page for a code and secret that did not match, or whose code has a typing
/// error. A wrong secret and an unknown code give exactly this page.
fn lookup_failed(ctx: &RequestContext, input: &StatusInput, e: ServiceError) -> Response {
    let mut page = StatusPage::blank(ctx);
    page.code = input.code.clone();
    let status = match e {
        ServiceError::NotFound(_) => {
            page.not_found = true;
            StatusCode::NOT_FOUND
        }
        ServiceError::Invalid { field, code } => {
            page.errors.add(
                if field == "tracking_code" {
                    "code"
                } else {
                    field
                },
                form::message_for(&ctx.tr, &code),
            );
            StatusCode::UNPROCESSABLE_ENTITY
        }
        other => return WebError::from(other).into_response(),
    };
    render_status(status, &page)
}

pub async fn status_check(
    State(state): State<AppState>,
    ctx: RequestContext,
    Form(input): Form<StatusInput>,
) -> Result<Response, WebError> {
    state
        .report_status_limiter()
        .take(ctx.ip)
        .map_err(rate_limited)?;
    let desk = state.app().public_tips(&ctx.service);
    match desk.status(&input.code, &input.secret).await {
        Ok(s) => {
            let chrome = Chrome::new(&ctx);
            let page = StatusPage {
                status: Some(StatusView::of(&chrome, s)),
                chrome,
                code: input.code.trim().to_owned(),
                secret: input.secret.trim().to_owned(),
                errors: FieldErrors::default(),
                not_found: false,
                added: false,
                text: String::new(),
            };
            Ok(render(&page)?.into_response())
        }
        Err(e) => Ok(lookup_failed(&ctx, &input, e)),
    }
}

pub async fn status_add(
    State(state): State<AppState>,
    ctx: RequestContext,
    Form(input): Form<StatusInput>,
) -> Result<Response, WebError> {
    state
        .report_status_limiter()
        .take(ctx.ip)
        .map_err(rate_limited)?;
    let desk = state.app().public_tips(&ctx.service);
    // The status first: a wrong code or secret must look the same here as on the look-up.
    let status = match desk.status(&input.code, &input.secret).await {
        Ok(s) => s,
        Err(e) => return Ok(lookup_failed(&ctx, &input, e)),
    };
    let chrome = Chrome::new(&ctx);
    let mut page = StatusPage {
        status: Some(StatusView::of(&chrome, status)),
        chrome,
        code: input.code.trim().to_owned(),
        secret: input.secret.trim().to_owned(),
        errors: FieldErrors::default(),
        not_found: false,
        added: false,
        text: String::new(),
    };
    match desk
        .add_information(&input.code, &input.secret, &input.text)
        .await
    {
        Ok(()) => {
            page.added = true;
            Ok(render(&page)?.into_response())
        }
        Err(ServiceError::Invalid { field, code }) => {
            page.errors.add(field, form::message_for(&ctx.tr, &code));
            page.text = input.text;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(ServiceError::NotFound(_)) => {
            Ok(lookup_failed(&ctx, &input, ServiceError::NotFound("tip")))
        }
        Err(e) => Err(e.into()),
    }
}

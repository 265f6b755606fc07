//! The audit log, for auditors only: filters, pages, and the state of the hash chain.

use askama::Template;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use fanguai_service::{AuditQuery, ChainStatus};
use serde::{Deserialize, Serialize};

use super::{Chrome, FieldErrors, format_time, render_status};
use crate::{context::Signed, error::WebError, extract::Query, i18n::Tr};

/// The filter form as typed; times are `datetime-local` values in China Standard Time.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct AuditFilter {
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub record_type: String,
    #[serde(default)]
    pub record_id: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<i64>,
}

pub const PER_PAGE: i64 = 50;

/// Parses a `datetime-local` value (`2024-05-01T08:30`, seconds optional) read as
/// China Standard Time into unix milliseconds.
pub fn parse_local_time(value: &str) -> Option<i64> {
    let value = value.trim();
    let with_secs = if value.len() == 16 {
        format!("{value}:00")
    } else {
        value.to_owned()
    };
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let t = time::PrimitiveDateTime::parse(&with_secs, &fmt).ok()?;
    let at = t.assume_offset(time::macros::offset!(+8));
    Some((at.unix_timestamp_nanos() / 1_000_000) as i64)
}

impl AuditFilter {
    /// The service query, or the fields whose time does not parse.
    pub fn to_query(&self, tr: &Tr) -> Result<AuditQuery, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut time = |field: &str, value: &str| {
            if value.trim().is_empty() {
                return None;
            }
            let parsed = parse_local_time(value);
            if parsed.is_none() {
                errors.add(field, tr.t("audit-bad-time"));
            }
            parsed
        };
        let from_ms = time("from", &self.from);
        let to_ms = time("to", &self.to);
        if !errors.is_empty() {
            return Err(errors);
        }
        let opt = |s: &String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(AuditQuery {
            user: opt(&self.user),
            unit: opt(&self.unit),
            record_type: opt(&self.record_type),
            record_id: opt(&self.record_id),
            action: opt(&self.action),
            from_ms,
            to_ms,
            page: Some(self.page.unwrap_or(1).max(1)),
            per_page: Some(PER_PAGE),
        })
    }

    fn href(&self, page: i64) -> String {
        let mut f = self.clone();
        f.page = Some(page);
        format!(
            "/audit?{}",
            serde_html_form::to_string(&f).unwrap_or_default()
        )
    }
}

struct EventRow {
    seq: i64,
    time: String,
    username: String,
    unit: String,
    role: String,
    action: String,
    record_type: String,
    record_id: String,
    outcome: String,
    purpose: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    filter: AuditFilter,
    filter_fields: &'static [&'static str],
    errors: FieldErrors,
    chain_intact: bool,
    chain_text: String,
    events: Vec<EventRow>,
    total: i64,
    page_text: String,
    prev: Option<String>,
    next: Option<String>,
}

pub fn chain_text(tr: &Tr, status: &ChainStatus) -> (bool, String) {
    match status {
        ChainStatus::Intact { events, .. } => (true, tr.t1("audit-chain-intact", "count", events)),
        ChainStatus::Broken {
            first_broken_seq,
            kind,
        } => (
            false,
            tr.t_args(
                "audit-chain-broken",
                &[
                    ("seq", first_broken_seq.to_string()),
                    ("kind", kind.clone()),
                ],
            ),
        ),
    }
}

/// Units and roles are stored by id; people read names. Ids that name nothing known
/// (an old role, a unit since removed) are shown as stored.
fn unit_label(chrome: &Chrome, id: &str) -> String {
    fanguai_domain::org::member_unit(id).map_or_else(
        || id.to_owned(),
        |u| chrome.pick(u.name_zh, u.name_en).to_owned(),
    )
}

fn role_label(chrome: &Chrome, ids: &str) -> String {
    ids.split(',')
        .filter(|r| !r.is_empty())
        .map(|r| {
            fanguai_domain::Role::parse(r).map_or_else(|_| r.to_owned(), |role| chrome.role(&role))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn show(signed: Signed, Query(filter): Query<AuditFilter>) -> Result<Response, WebError> {
    let desk = signed.session.auditor().await?;
    let chain = desk.verify().await?;
    let tr = &signed.ctx.tr;
    let (chain_intact, chain_text) = chain_text(tr, &chain);
    let chrome = Chrome::new(&signed.ctx);
    let (status, errors, result) = match filter.to_query(tr) {
        Ok(q) => (
            StatusCode::OK,
            FieldErrors::default(),
            Some(desk.list(&q).await?),
        ),
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors, None),
    };
    let (events, total, page, pages) = match &result {
        Some(p) => {
            let pages = ((p.total + p.per_page - 1) / p.per_page).max(1);
            let rows = p
                .events
                .iter()
                .map(|e| EventRow {
                    seq: e.seq,
                    time: format_time(e.at_ms),
                    username: e.username.clone(),
                    unit: unit_label(&chrome, &e.unit),
                    role: role_label(&chrome, &e.role),
                    action: e.action.clone(),
                    record_type: e.record_type.clone(),
                    record_id: e.record_id.clone(),
                    outcome: e.outcome.clone(),
                    purpose: e.purpose.clone(),
                    detail: e.detail.clone(),
                })
                .collect();
            (rows, p.total, p.page, pages)
        }
        None => (Vec::new(), 0, 1, 1),
    };
    let page_text = tr.t_args(
        "pager-position",
        &[("page", page.to_string()), ("pages", pages.to_string())],
    );
    let prev = (page > 1).then(|| filter.href(page - 1));
    let next = (page < pages).then(|| filter.href(page + 1));
    let view = AuditPage {
        chrome,
        filter,
        filter_fields: &["from", "to"],
        errors,
        chain_intact,
        chain_text,
        events,
        total,
        page_text,
        prev,
        next,
    };
    Ok(render_status(status, &view).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_read_as_china_standard_time() {
        assert_eq!(parse_local_time("1970-01-01T08:00"), Some(0));
        assert_eq!(
            parse_local_time("2023-11-15T06:13:20"),
            Some(1_700_000_000_000)
        );
        assert_eq!(parse_local_time("2023-13-01T00:00"), None);
        assert_eq!(parse_local_time("yesterday"), None);
    }

    #[test]
    fn page_links_keep_the_filters() {
        let f = AuditFilter {
            user: "zhang".into(),
            action: "auth.login".into(),
            ..Default::default()
        };
        let href = f.href(3);
        assert!(href.starts_with("/audit?"), "{href}");
        assert!(
            href.contains("user=zhang")
                && href.contains("action=auth.login")
                && href.contains("page=3"),
            "{href}"
        );
    }
}

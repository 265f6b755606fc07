//! The landing page: who you are, and what the policy lets you do.

use askama::Template;
use axum::{extract::State, response::Html};

use super::{Chrome, render};
use crate::{context::Signed, error::WebError};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    display_name: String,
    username: String,
    unit: String,
    roles: Vec<String>,
    may: Vec<String>,
    /// Overdue tips for the duty supervisor (their unit's) and the office (all, masked);
    /// `None` for everyone else, who see no panel.
    overdue: Option<Vec<super::tips::TipRow>>,
}

pub async fn show(
    State(state): State<crate::AppState>,
    signed: Signed,
) -> Result<Html<String>, WebError> {
    let chrome = Chrome::new(&signed.ctx);
    let actor = signed.session.actor();
    let unit = chrome
        .pick(&actor.unit_name_zh, &actor.unit_name_en)
        .to_owned();
    let roles = actor.roles.iter().map(|r| chrome.role(r)).collect();
    let may = signed
        .session
        .permissions()
        .iter()
        .map(|c| chrome.t(&super::capability_key(c)))
        .collect();
    let overdue = if signed.session.actor().roles.iter().any(|r| {
        matches!(
            r,
            fanguai_service::Role::Supervisor
                | fanguai_service::Role::Office
                | fanguai_service::Role::Convenor
        )
    }) {
        let tips = state.app().overdue_for(&signed.session).await?;
        Some(
            tips.iter()
                .map(|t| super::tips::TipRow::of(&chrome, t))
                .collect(),
        )
    } else {
        None
    };
    render(&HomePage {
        overdue,
        display_name: actor.display_name.clone(),
        username: actor.username.clone(),
        unit,
        roles,
        may,
        chrome,
    })
}

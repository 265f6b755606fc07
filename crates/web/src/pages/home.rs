//! The landing page: who you are, and what the policy lets you do.

use askama::Template;
use axum::response::Html;

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
}

pub async fn show(signed: Signed) -> Result<Html<String>, WebError> {
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
    render(&HomePage {
        display_name: actor.display_name.clone(),
        username: actor.username.clone(),
        unit,
        roles,
        may,
        chrome,
    })
}

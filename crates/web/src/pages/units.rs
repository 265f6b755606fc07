//! The member-unit directory: the units of the joint conference, their written duties,
//! liaison and members, in the page language.

use askama::Template;
use axum::response::Html;
use fanguai_service::MemberView;

use super::{Chrome, render};
use crate::{context::Signed, error::WebError};

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    chrome: Chrome,
    count: usize,
    units: Vec<UnitCard>,
}

struct UnitCard {
    id: String,
    name: String,
    duties: String,
    is_lead: bool,
    liaison: Option<String>,
    members: Vec<String>,
}

fn member_line(chrome: &Chrome, m: &MemberView) -> String {
    let roles: Vec<String> = m.roles.iter().map(|r| chrome.role(r)).collect();
    if roles.is_empty() {
        m.display_name.clone()
    } else {
        format!("{} ({})", m.display_name, roles.join(", "))
    }
}

pub async fn show(signed: Signed) -> Result<Html<String>, WebError> {
    let desk = signed.session.directory().await?;
    let units = desk.units().await?;
    let chrome = Chrome::new(&signed.ctx);
    let cards: Vec<UnitCard> = units
        .iter()
        .map(|u| UnitCard {
            id: u.id.clone(),
            name: chrome.pick(&u.name_zh, &u.name_en).to_owned(),
            duties: chrome.pick(&u.duties_zh, &u.duties_en).to_owned(),
            is_lead: u.is_lead,
            liaison: u.liaison.as_ref().map(|m| member_line(&chrome, m)),
            members: u.members.iter().map(|m| member_line(&chrome, m)).collect(),
        })
        .collect();
    render(&UnitsPage {
        count: cards.len(),
        units: cards,
        chrome,
    })
}

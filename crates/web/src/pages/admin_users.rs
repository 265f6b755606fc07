//! User administration, for admins only: the admin desk is the only way in, and the
//! service refuses (and audits) anyone else before any of this runs.

use askama::Template;
use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use fanguai_service::{AdminDesk, Assignment, NewUser, Role, ServiceError, UserView};
use serde::Deserialize;

use super::{Chrome, FieldErrors, render, render_status, see_other};
use crate::{
    context::Signed,
    error::WebError,
    extract::{Form, Path, Query},
};

struct UserRow {
    id: String,
    username: String,
    display_name: String,
    unit: String,
    roles: Vec<String>,
    disabled: bool,
    locked: bool,
    totp_enrolled: bool,
    must_change_password: bool,
    liaison: bool,
}

#[derive(Template)]
#[template(path = "users_list.html")]
struct ListPage {
    chrome: Chrome,
    notice: Option<String>,
    users: Vec<UserRow>,
}

/// What the admin typed, kept when the form comes back with errors.
#[derive(Debug, Default, Deserialize)]
pub struct UserInput {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    roles: Vec<String>,
}

impl UserInput {
    pub fn has_role(&self, id: &str) -> bool {
        self.roles.iter().any(|r| r == id)
    }
}

#[derive(Template)]
#[template(path = "user_form.html")]
struct FormPage {
    chrome: Chrome,
    title: String,
    submit: String,
    action: String,
    creating: bool,
    input: UserInput,
    errors: FieldErrors,
    visible_fields: &'static [&'static str],
    units: Vec<(String, String)>,
    roles: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "user_secret.html")]
struct SecretPage {
    chrome: Chrome,
    username: String,
    password: String,
}

const CREATE_FIELDS: &[&str] = &["username", "display_name", "phone", "unit_id", "roles"];
const ASSIGN_FIELDS: &[&str] = &["unit_id", "roles"];

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    done: Option<String>,
}

async fn unit_names(desk: &AdminDesk, chrome: &Chrome) -> Result<Vec<(String, String)>, WebError> {
    Ok(desk
        .units()
        .await?
        .into_iter()
        .map(|(id, zh, en)| (id, chrome.pick(&zh, &en).to_owned()))
        .collect())
}

fn role_choices(chrome: &Chrome) -> Vec<(&'static str, String)> {
    Role::ALL.iter().map(|r| (r.id(), chrome.role(r))).collect()
}

pub async fn list(signed: Signed, Query(q): Query<ListQuery>) -> Result<Html<String>, WebError> {
    let desk = signed.session.admin().await?;
    let users = desk.list_users().await?;
    let chrome = Chrome::new(&signed.ctx);
    let units = unit_names(&desk, &chrome).await?;
    let unit_name = |id: &str| {
        units
            .iter()
            .find(|u| u.0 == id)
            .map_or_else(|| id.to_owned(), |u| u.1.clone())
    };
    let rows = users
        .iter()
        .map(|u| UserRow {
            id: u.id.clone(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            unit: unit_name(&u.unit_id),
            roles: u.roles.iter().map(|r| chrome.role(r)).collect(),
            disabled: u.disabled,
            locked: u.locked,
            totp_enrolled: u.totp_enrolled,
            must_change_password: u.must_change_password,
            liaison: u.liaison,
        })
        .collect();
    let notice = q.done.as_deref().and_then(|d| match d {
        "assigned" | "disabled" | "enabled" | "reset-2fa" | "liaison" => {
            Some(chrome.t(&format!("users-done-{d}")))
        }
        _ => None,
    });
    render(&ListPage {
        chrome,
        notice,
        users: rows,
    })
}

async fn form_page(
    signed: &Signed,
    desk: &AdminDesk,
    editing: Option<&UserView>,
    input: UserInput,
    errors: FieldErrors,
) -> Result<FormPage, WebError> {
    let chrome = Chrome::new(&signed.ctx);
    let units = unit_names(desk, &chrome).await?;
    let roles = role_choices(&chrome);
    Ok(match editing {
        None => FormPage {
            title: chrome.t("users-new"),
            submit: chrome.t("users-create"),
            action: "/admin/users".into(),
            creating: true,
            visible_fields: CREATE_FIELDS,
            input,
            errors,
            units,
            roles,
            chrome,
        },
        Some(u) => FormPage {
            title: chrome.t1("users-edit-title", "username", &u.username),
            submit: chrome.t("users-save"),
            action: format!("/admin/users/{}/assignment", u.id),
            creating: false,
            visible_fields: ASSIGN_FIELDS,
            input,
            errors,
            units,
            roles,
            chrome,
        },
    })
}

pub async fn new_form(signed: Signed) -> Result<Html<String>, WebError> {
    let desk = signed.session.admin().await?;
    render(
        &form_page(
            &signed,
            &desk,
            None,
            UserInput::default(),
            FieldErrors::default(),
        )
        .await?,
    )
}

/// A refusal of the input (a field that does not parse, a username taken) goes back to
/// the form beside its field; anything else is an error page.
fn field_error(signed: &Signed, e: ServiceError) -> Result<FieldErrors, WebError> {
    let web = WebError::from(&e);
    let field = match &e {
        ServiceError::Invalid { field, .. } => (*field).to_owned(),
        ServiceError::Conflict(_) => "username".to_owned(),
        _ => return Err(web),
    };
    let mut errors = FieldErrors::default();
    let message = if matches!(e, ServiceError::Conflict(_)) {
        signed.ctx.tr.t("users-username-taken")
    } else {
        web.message(&signed.ctx.tr)
    };
    errors.add(&field, message);
    Ok(errors)
}

pub async fn create(signed: Signed, Form(input): Form<UserInput>) -> Result<Response, WebError> {
    let desk = signed.session.admin().await?;
    let new = NewUser {
        username: input.username.trim().to_owned(),
        display_name: input.display_name.trim().to_owned(),
        phone: Some(input.phone.trim().to_owned()).filter(|p| !p.is_empty()),
        unit_id: input.unit_id.clone(),
        roles: input.roles.clone(),
    };
    match desk.create_user(&new).await {
        Ok((user, password)) => {
            let page = SecretPage {
                chrome: Chrome::new(&signed.ctx),
                username: user.username,
                password,
            };
            Ok(render_status(StatusCode::CREATED, &page))
        }
        Err(e) => {
            let errors = field_error(&signed, e)?;
            let page = form_page(&signed, &desk, None, input, errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

async fn find_user(desk: &AdminDesk, id: &str) -> Result<UserView, WebError> {
    desk.list_users()
        .await?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or_else(WebError::not_found)
}

pub async fn edit_form(signed: Signed, Path(id): Path<String>) -> Result<Html<String>, WebError> {
    let desk = signed.session.admin().await?;
    let user = find_user(&desk, &id).await?;
    let input = UserInput {
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        unit_id: user.unit_id.clone(),
        roles: user.roles.iter().map(|r| r.id().to_owned()).collect(),
        ..UserInput::default()
    };
    render(&form_page(&signed, &desk, Some(&user), input, FieldErrors::default()).await?)
}

pub async fn assign(
    signed: Signed,
    Path(id): Path<String>,
    Form(input): Form<UserInput>,
) -> Result<Response, WebError> {
    let desk = signed.session.admin().await?;
    let assignment = Assignment {
        unit_id: input.unit_id.clone(),
        roles: input.roles.clone(),
    };
    match desk.assign(&id, &assignment).await {
        Ok(_) => Ok(see_other("/admin/users?done=assigned")),
        Err(e) => {
            let errors = field_error(&signed, e)?;
            let user = find_user(&desk, &id).await?;
            let page = form_page(&signed, &desk, Some(&user), input, errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

pub async fn disable(signed: Signed, Path(id): Path<String>) -> Result<Response, WebError> {
    signed.session.admin().await?.disable(&id).await?;
    Ok(see_other("/admin/users?done=disabled"))
}

pub async fn make_liaison(signed: Signed, Path(id): Path<String>) -> Result<Response, WebError> {
    signed.session.admin().await?.make_liaison(&id).await?;
    Ok(see_other("/admin/users?done=liaison"))
}

pub async fn enable(signed: Signed, Path(id): Path<String>) -> Result<Response, WebError> {
    signed.session.admin().await?.enable(&id).await?;
    Ok(see_other("/admin/users?done=enabled"))
}

pub async fn reset_2fa(signed: Signed, Path(id): Path<String>) -> Result<Response, WebError> {
    signed.session.admin().await?.reset_2fa(&id).await?;
    Ok(see_other("/admin/users?done=reset-2fa"))
}

pub async fn reset_password(signed: Signed, Path(id): Path<String>) -> Result<Response, WebError> {
    let (user, password) = signed.session.admin().await?.reset_password(&id).await?;
    let page = SecretPage {
        chrome: Chrome::new(&signed.ctx),
        username: user.username,
        password,
    };
    Ok(render(&page)?.into_response())
}

//! The user's own account: password change (forced after an initial password) and
//! re-enrolment of the authenticator.

use askama::Template;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use fanguai_service::ServiceError;
use serde::Deserialize;

use super::{Chrome, FieldErrors, login::EnrolPage, render_status, see_other};
use crate::{
    context::SignedAny,
    error::WebError,
    extract::{Form, Query},
};

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    must_change: bool,
    notice: Option<String>,
    username: String,
    display_name: String,
    phone: Option<String>,
    totp_enrolled: bool,
    errors: FieldErrors,
    password_fields: &'static [&'static str],
}

#[derive(Debug, Deserialize)]
pub struct AccountQuery {
    done: Option<String>,
}

async fn page(
    SignedAny(signed): &SignedAny,
    status: StatusCode,
    notice: Option<String>,
    errors: FieldErrors,
) -> Response {
    let me = match signed.session.account().me().await {
        Ok(me) => me,
        Err(e) => return WebError::from(e).into_response(),
    };
    let view = AccountPage {
        chrome: Chrome::new(&signed.ctx),
        must_change: me.must_change_password,
        notice,
        username: me.username,
        display_name: me.display_name,
        phone: me.phone,
        totp_enrolled: me.totp_enrolled,
        errors,
        password_fields: &[
            "current_password",
            "new_password",
            "confirm_password",
            "code",
        ],
    };
    render_status(status, &view)
}

pub async fn show(signed: SignedAny, Query(q): Query<AccountQuery>) -> Response {
    let notice = q.done.as_deref().and_then(|d| match d {
        "password" | "2fa" => Some(signed.0.ctx.tr.t(&format!("account-done-{d}"))),
        _ => None,
    });
    page(&signed, StatusCode::OK, notice, FieldErrors::default()).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

impl std::fmt::Debug for PasswordForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordForm(***)")
    }
}

/// Errors tied to a field go beside it; others become an error page.
fn field_errors(signed: &SignedAny, e: ServiceError) -> Result<FieldErrors, WebError> {
    let web = WebError::from(&e);
    let field = match &e {
        ServiceError::Invalid { field, .. } => (*field).to_owned(),
        ServiceError::Auth(fanguai_service::AuthFailure::BadCode) => "code".to_owned(),
        _ => return Err(web),
    };
    let mut errors = FieldErrors::default();
    errors.add(&field, web.message(&signed.0.ctx.tr));
    Ok(errors)
}

pub async fn change_password(signed: SignedAny, Form(form): Form<PasswordForm>) -> Response {
    let tr = &signed.0.ctx.tr;
    if form.new_password != form.confirm_password {
        let mut errors = FieldErrors::default();
        errors.add("confirm_password", tr.t("account-passwords-differ"));
        return page(&signed, StatusCode::UNPROCESSABLE_ENTITY, None, errors).await;
    }
    let desk = signed.0.session.account();
    match desk
        .change_password(
            &form.current_password,
            &form.new_password,
            Some(&signed.0.token),
        )
        .await
    {
        Ok(()) => see_other("/account?done=password"),
        Err(e) => match field_errors(&signed, e) {
            Ok(errors) => page(&signed, StatusCode::UNPROCESSABLE_ENTITY, None, errors).await,
            Err(web) => web.into_response(),
        },
    }
}

pub async fn start_reenrolment(SignedAny(signed): SignedAny) -> Response {
    match signed.session.account().start_reenrolment().await {
        Ok(e) => render_status(
            StatusCode::OK,
            &EnrolPage {
                chrome: Chrome::new(&signed.ctx),
                qr_svg: e.qr_svg,
                secret: e.secret_base32,
                action: "/account/2fa/confirm",
                reenrol: true,
                error: None,
            },
        ),
        Err(e) => WebError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

impl std::fmt::Debug for CodeForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeForm(***)")
    }
}

/// A wrong code sends the user back to the account page: the pending secret stays, but
/// showing it again would keep it on screen longer than needed, so they start over.
pub async fn confirm_reenrolment(signed: SignedAny, Form(form): Form<CodeForm>) -> Response {
    match signed
        .0
        .session
        .account()
        .confirm_reenrolment(&form.code)
        .await
    {
        Ok(()) => see_other("/account?done=2fa"),
        Err(e) => match field_errors(&signed, e) {
            Ok(errors) => page(&signed, StatusCode::UNPROCESSABLE_ENTITY, None, errors).await,
            Err(web) => web.into_response(),
        },
    }
}

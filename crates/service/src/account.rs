//! The user's own account: password and authenticator.

use fanguai_domain::ids::Password;
use fanguai_store::{sessions, settings, users};
use fanguai_vault::{password, totp};
use serde::Serialize;

use crate::app::App;
use crate::audit_log::{Event, record};
use crate::auth::{Actor, Enrolment, load_pending_totp};
use crate::ctx::RequestCtx;
use crate::error::{AuthFailure, Result, ServiceError};
use crate::people;

#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub unit_id: String,
    pub totp_enrolled: bool,
    pub must_change_password: bool,
}

#[derive(Debug)]
pub struct AccountDesk {
    pub(crate) app: App,
    pub(crate) actor: Actor,
    pub(crate) ctx: RequestCtx,
}

impl AccountDesk {
    /// The user's own record; their own phone number in full.
    pub async fn me(&self) -> Result<AccountView> {
        let mut c = self.app.store().conn().await?;
        let u = users::get(&mut c, &self.actor.user_id)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        Ok(AccountView {
            username: u.username.clone(),
            display_name: people::open_display_name(&mut c, &self.app, &u).await?,
            phone: people::open_phone(&mut c, &self.app, &u).await?,
            unit_id: u.unit_id.clone(),
            totp_enrolled: u.totp_enrolled,
            must_change_password: u.must_change_password,
        })
    }

    /// Changes the password after checking the current one. Other sessions of the user
    /// end; the one making the change stays.
    pub async fn change_password(
        &self,
        current: &str,
        new: &str,
        keep_session: Option<&crate::SessionToken>,
    ) -> Result<()> {
        let mut tx = self.app.store().begin().await?;
        let mut u = users::get(&mut tx, &self.actor.user_id)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        if !password::verify(current, &u.password_hash) {
            record(
                &mut tx,
                &self.app,
                &self.ctx,
                Some(&self.actor),
                Event::user("account.change_password", &u.id, "failed")
                    .with_detail("wrong current password"),
            )
            .await?;
            tx.commit().await?;
            return Err(ServiceError::invalid(
                "current_password",
                "auth.bad_credentials",
            ));
        }
        let new = Password::parse(new, &u.username)
            .map_err(|e| ServiceError::invalid("new_password", e.code()))?;
        if password::verify(new.expose(), &u.password_hash) {
            return Err(ServiceError::invalid("new_password", "password.unchanged"));
        }
        u.password_hash = password::hash(new.expose())?.into_string();
        u.must_change_password = false;
        u.updated_at = self.app.now_ms();
        users::update(&mut tx, &u).await?;
        // Other sessions of the user end; the one making the change stays.
        let kept = match keep_session {
            Some(t) => sessions::get(&mut tx, &t.id_hash()).await?,
            None => None,
        };
        sessions::delete_for_user(&mut tx, &u.id).await?;
        if let Some(row) = kept.filter(|r| r.user_id == u.id) {
            sessions::insert(&mut tx, &row).await?;
        }
        record(
            &mut tx,
            &self.app,
            &self.ctx,
            Some(&self.actor),
            Event::user("account.change_password", &u.id, "ok"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A new authenticator secret, pending until confirmed; the old one keeps working
    /// until then.
    pub async fn start_reenrolment(&self) -> Result<Enrolment> {
        let mut tx = self.app.store().begin().await?;
        let u = users::get(&mut tx, &self.actor.user_id)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        let secret = totp::TotpSecret::generate();
        let sealed = people::seal_totp(&mut tx, &self.app, &u, &secret).await?;
        settings::set(&mut tx, &App::pending_totp_key(&u.id), &hex::encode(sealed)).await?;
        record(
            &mut tx,
            &self.app,
            &self.ctx,
            Some(&self.actor),
            Event::user("account.reenrol_started", &u.id, "ok"),
        )
        .await?;
        tx.commit().await?;
        self.app.enrolment_of(&secret, &u.username)
    }

    /// Replaces the authenticator once a code from the new one is shown.
    pub async fn confirm_reenrolment(&self, code: &str) -> Result<()> {
        let mut tx = self.app.store().begin().await?;
        let mut u = users::get(&mut tx, &self.actor.user_id)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        let Some(sealed) = load_pending_totp(&mut tx, &self.app, &u).await? else {
            return Err(ServiceError::invalid("code", "enrolment.none_pending"));
        };
        let secret = people::open_totp(&mut tx, &self.app, &u, &sealed).await?;
        let Some(step) = secret.verify(code.trim(), (self.app.now_ms() / 1000) as u64, None) else {
            record(
                &mut tx,
                &self.app,
                &self.ctx,
                Some(&self.actor),
                Event::user("account.reenrol", &u.id, "failed").with_detail("wrong code"),
            )
            .await?;
            tx.commit().await?;
            return Err(ServiceError::Auth(AuthFailure::BadCode));
        };
        u.totp_secret_enc = Some(sealed);
        u.totp_enrolled = true;
        u.totp_last_step = Some(step as i64);
        u.updated_at = self.app.now_ms();
        users::update(&mut tx, &u).await?;
        settings::set(&mut tx, &App::pending_totp_key(&u.id), "").await?;
        record(
            &mut tx,
            &self.app,
            &self.ctx,
            Some(&self.actor),
            Event::user("account.reenrol", &u.id, "ok"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

//! Login with password and TOTP, server-side sessions, and the capability handles a
//! session hands out.

use fanguai_domain::policy::{self, Action, Decision};
use fanguai_domain::role::Role;
use fanguai_store::{Conn, sessions, settings, units, users};
use fanguai_store::{SessionRow, UserRow};
use fanguai_vault::{password, totp};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::account::AccountDesk;
use crate::app::App;
use crate::audit_log::{self, AuditDesk, Event, record};
use crate::ctx::{ActorView, Lang, RequestCtx};
use crate::directory::DirectoryDesk;
use crate::error::{AuthFailure, Result, ServiceError};
use crate::people;
use crate::users::AdminDesk;

const STAGE_PASSWORD: &str = "password";
const STAGE_FULL: &str = "full";

/// The opaque session token kept in the browser's cookie. Only its SHA-256 is stored, so
/// a copy of the database does not let anyone take over a session.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    pub fn new(s: impl Into<String>) -> Self {
        SessionToken(s.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    fn generate() -> Self {
        let mut b = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut b);
        SessionToken(hex::encode(b))
    }
    pub(crate) fn id_hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

#[derive(Debug)]
pub enum LoginOutcome {
    /// Signed in; the role needs no second factor.
    Complete { token: SessionToken },
    /// Password accepted; a TOTP code must follow.
    TotpRequired { token: SessionToken },
    /// Password accepted; the user has no authenticator yet and must enrol.
    EnrolmentRequired { token: SessionToken },
}

/// What an authenticator app needs to enrol.
#[derive(Clone)]
pub struct Enrolment {
    pub secret_base32: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Password accepted, second factor outstanding.
    PasswordOnly,
    Full,
}

/// The user behind a request, as the policy sees them.
#[derive(Debug, Clone)]
pub(crate) struct Actor {
    pub user_id: String,
    pub username: String,
    pub unit_id: String,
    pub roles: Vec<Role>,
    pub second_factor: bool,
}

impl Actor {
    pub fn roles_label(&self) -> String {
        self.roles
            .iter()
            .map(|r| r.id())
            .collect::<Vec<_>>()
            .join(",")
    }
    pub fn policy(&self) -> policy::Actor {
        policy::Actor {
            user_id: self.user_id.clone().into(),
            unit_id: self.unit_id.clone().into(),
            roles: self.roles.iter().copied().collect(),
            second_factor_verified: self.second_factor,
        }
    }
    fn needs_second_factor(&self) -> bool {
        self.roles.iter().any(|r| r.requires_second_factor())
    }
}

pub(crate) fn parse_roles(roles: &[String]) -> Vec<Role> {
    roles.iter().filter_map(|r| Role::parse(r).ok()).collect()
}

fn actor_of(u: &UserRow, second_factor: bool) -> Actor {
    Actor {
        user_id: u.id.clone(),
        username: u.username.clone(),
        unit_id: u.unit_id.clone(),
        roles: parse_roles(&u.roles),
        second_factor,
    }
}

/// A signed-in session. Hands out the desks its actor is allowed to use.
#[derive(Debug, Clone)]
pub struct Session {
    pub(crate) app: App,
    pub(crate) actor: Actor,
    pub(crate) ctx: RequestCtx,
    view: ActorView,
    csrf: String,
    lang: Lang,
    stage: Stage,
    must_change_password: bool,
}

impl Session {
    pub fn actor(&self) -> &ActorView {
        &self.view
    }
    pub fn csrf_token(&self) -> &str {
        &self.csrf
    }
    pub fn lang(&self) -> Lang {
        self.lang
    }
    pub fn stage(&self) -> Stage {
        self.stage
    }
    pub fn must_change_password(&self) -> bool {
        self.must_change_password
    }

    /// Every action of the policy this session may take now, for the home page.
    pub fn permissions(&self) -> Vec<policy::Capability> {
        policy::capabilities(&self.actor.policy())
    }

    /// Asks the policy; a refusal is audited.
    async fn allow(&self, action: Action, name: &str) -> Result<()> {
        match policy::decide(&self.actor.policy(), &action) {
            Decision::Allow | Decision::AllowMasked => Ok(()),
            Decision::Deny(reason) => {
                Err(audit_log::refuse(&self.app, &self.ctx, &self.actor, name, reason.code()).await)
            }
        }
    }

    pub fn account(&self) -> AccountDesk {
        AccountDesk {
            app: self.app.clone(),
            actor: self.actor.clone(),
            ctx: self.ctx.clone(),
        }
    }
    pub async fn directory(&self) -> Result<DirectoryDesk> {
        self.allow(Action::ViewUnitDirectory, "directory.view")
            .await?;
        Ok(DirectoryDesk {
            app: self.app.clone(),
            actor: self.actor.clone(),
            ctx: self.ctx.clone(),
        })
    }
    pub async fn admin(&self) -> Result<AdminDesk> {
        self.allow(Action::ManageUsers, "users.manage").await?;
        Ok(AdminDesk {
            app: self.app.clone(),
            actor: self.actor.clone(),
            ctx: self.ctx.clone(),
        })
    }
    pub async fn auditor(&self) -> Result<AuditDesk> {
        self.allow(Action::ViewAuditLog, "audit.view").await?;
        Ok(AuditDesk {
            app: self.app.clone(),
            actor: self.actor.clone(),
            ctx: self.ctx.clone(),
        })
    }

    /// The tips desk, for every role that may enter a tip; each use case asks the policy
    /// again with the facts of the tip.
    pub async fn tips(&self) -> Result<crate::tips::TipDesk> {
        self.allow(Action::SubmitTip, "tips.open").await?;
        Ok(crate::tips::TipDesk {
            app: self.app.clone(),
            actor: self.actor.clone(),
            ctx: self.ctx.clone(),
        })
    }

    /// The case desk, for the roles that work on cases or oversee them: investigators,
    /// supervisors, units cases are referred to, the office and the convenor. Each use
    /// case asks the policy again with the facts of the case.
    pub async fn cases(&self) -> Result<crate::cases::CaseDesk> {
        self.allow(
            Action::ReadCase {
                owner_unit: self.actor.unit_id.clone().into(),
                assigned: true,
                referred_to_actor_unit: true,
            },
            "case.desk",
        )
        .await?;
        Ok(crate::cases::CaseDesk {
            app: self.app.clone(),
            actor: self.actor.clone(),
            ctx: self.ctx.clone(),
        })
    }

    /// Remembers the language for this session.
    pub async fn set_lang(&self, token: &SessionToken, lang: Lang) -> Result<()> {
        let mut c = self.app.store().conn().await?;
        if let Some(mut row) = sessions::get(&mut c, &token.id_hash()).await? {
            row.lang = lang.as_str().to_string();
            sessions::update(&mut c, &row).await?;
        }
        Ok(())
    }
}

impl App {
    /// Step one: username and password. Unknown users and wrong passwords fail the same
    /// way and take the same time.
    pub async fn login(
        &self,
        ctx: &RequestCtx,
        username: &str,
        pass: &str,
    ) -> Result<LoginOutcome> {
        let now = self.now_ms();
        let name = username.trim().to_lowercase();
        let mut tx = self.store().begin().await?;
        let Some(mut user) = users::by_username(&mut tx, &name).await? else {
            password::burn_time(pass);
            record(
                &mut tx,
                self,
                ctx,
                None,
                Event {
                    action: "auth.login",
                    record_type: "user",
                    outcome: "failed",
                    detail: "unknown username".into(),
                    ..Default::default()
                },
            )
            .await?;
            tx.commit().await?;
            return Err(ServiceError::Auth(AuthFailure::BadCredentials));
        };
        let actor = actor_of(&user, false);
        if let Some(until) = user.locked_until.filter(|u| *u > now) {
            password::burn_time(pass);
            record(
                &mut tx,
                self,
                ctx,
                Some(&actor),
                Event::user("auth.login", &user.id, "refused").with_detail("account locked"),
            )
            .await?;
            tx.commit().await?;
            return Err(ServiceError::Auth(AuthFailure::Locked {
                until: until / 1000,
            }));
        }
        if !password::verify(pass, &user.password_hash) {
            let err = self
                .count_failure(&mut tx, ctx, &actor, &mut user, "wrong password")
                .await?;
            tx.commit().await?;
            return Err(err);
        }
        if user.disabled {
            record(
                &mut tx,
                self,
                ctx,
                Some(&actor),
                Event::user("auth.login", &user.id, "refused").with_detail("account disabled"),
            )
            .await?;
            tx.commit().await?;
            return Err(ServiceError::Auth(AuthFailure::Disabled));
        }
        let token = SessionToken::generate();
        let needs_2fa = actor.needs_second_factor();
        let stage = if needs_2fa {
            STAGE_PASSWORD
        } else {
            STAGE_FULL
        };
        sessions::insert(
            &mut tx,
            &self.session_row(&token, &user.id, stage, ctx, Lang::default()),
        )
        .await?;
        if !needs_2fa {
            user.failed_logins = 0;
            user.locked_until = None;
            users::record_failed_login(&mut tx, &user.id, 0, None).await?;
        }
        record(
            &mut tx,
            self,
            ctx,
            Some(&actor),
            Event {
                action: if needs_2fa {
                    "auth.password"
                } else {
                    "auth.login"
                },
                record_type: "user",
                record_id: &user.id,
                outcome: "ok",
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(if !needs_2fa {
            LoginOutcome::Complete { token }
        } else if user.totp_enrolled {
            LoginOutcome::TotpRequired { token }
        } else {
            LoginOutcome::EnrolmentRequired { token }
        })
    }

    /// Counts a wrong password or code; the threshold-th failure locks the account.
    async fn count_failure(
        &self,
        c: &mut Conn,
        ctx: &RequestCtx,
        actor: &Actor,
        user: &mut UserRow,
        what: &str,
    ) -> Result<ServiceError> {
        let now = self.now_ms();
        let failed = user.failed_logins + 1;
        let (failed, locked_until) = if failed >= self.config().lockout_threshold {
            (0, Some(now + self.config().lockout_secs * 1000))
        } else {
            (failed, None)
        };
        users::record_failed_login(c, &user.id, failed, locked_until).await?;
        user.failed_logins = failed;
        user.locked_until = locked_until;
        record(
            c,
            self,
            ctx,
            Some(actor),
            Event {
                action: "auth.login",
                record_type: "user",
                record_id: &user.id,
                outcome: "failed",
                detail: if locked_until.is_some() {
                    format!("{what}; account locked")
                } else {
                    what.to_string()
                },
                ..Default::default()
            },
        )
        .await?;
        Ok(match locked_until {
            Some(until) => {
                // Everything the account had open ends with the lock.
                sessions::delete_for_user(c, &user.id).await?;
                ServiceError::Auth(AuthFailure::Locked {
                    until: until / 1000,
                })
            }
            None if what.contains("code") => ServiceError::Auth(AuthFailure::BadCode),
            None => ServiceError::Auth(AuthFailure::BadCredentials),
        })
    }

    fn session_row(
        &self,
        token: &SessionToken,
        user_id: &str,
        stage: &str,
        ctx: &RequestCtx,
        lang: Lang,
    ) -> SessionRow {
        let now = self.now_ms();
        let mut csrf = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut csrf);
        SessionRow {
            id_hash: token.id_hash(),
            user_id: user_id.to_string(),
            stage: stage.to_string(),
            csrf_token: hex::encode(csrf),
            lang: lang.as_str().to_string(),
            created_at: now,
            last_seen: now,
            ip: ctx.ip.clone(),
            user_agent: ctx
                .user_agent
                .clone()
                .map(|s| s.chars().take(200).collect()),
        }
    }

    /// Loads a pending (password-only) session and its user.
    async fn pending(&self, c: &mut Conn, token: &SessionToken) -> Result<(SessionRow, UserRow)> {
        let row = self.live_session(c, token).await?;
        if row.stage != STAGE_PASSWORD {
            return Err(ServiceError::Auth(AuthFailure::SessionExpired));
        }
        let user = users::get(c, &row.user_id)
            .await?
            .ok_or(ServiceError::Auth(AuthFailure::SessionExpired))?;
        if user.disabled {
            return Err(ServiceError::Auth(AuthFailure::Disabled));
        }
        if user.locked_until.is_some_and(|u| u > self.now_ms()) {
            return Err(ServiceError::Auth(AuthFailure::Locked {
                until: user.locked_until.unwrap_or(0) / 1000,
            }));
        }
        Ok((row, user))
    }

    /// A session that exists and has not idled out; an idle one is deleted.
    async fn live_session(&self, c: &mut Conn, token: &SessionToken) -> Result<SessionRow> {
        let hash = token.id_hash();
        let Some(row) = sessions::get(c, &hash).await? else {
            return Err(ServiceError::Auth(AuthFailure::SessionExpired));
        };
        if self.now_ms() - row.last_seen > self.config().session_idle_secs * 1000 {
            sessions::delete(c, &hash).await?;
            return Err(ServiceError::Auth(AuthFailure::SessionExpired));
        }
        Ok(row)
    }

    /// Replaces a pending session by a full one with a new id, so a token seen before
    /// login is worth nothing after it.
    async fn promote(
        &self,
        c: &mut Conn,
        old: &SessionRow,
        ctx: &RequestCtx,
    ) -> Result<SessionToken> {
        sessions::delete(c, &old.id_hash).await?;
        let token = SessionToken::generate();
        let lang = Lang::parse(&old.lang).unwrap_or_default();
        sessions::insert(
            c,
            &self.session_row(&token, &old.user_id, STAGE_FULL, ctx, lang),
        )
        .await?;
        Ok(token)
    }

    /// Step two for enrolled users: the TOTP code. Returns the new session token.
    pub async fn verify_totp(
        &self,
        ctx: &RequestCtx,
        token: &SessionToken,
        code: &str,
    ) -> Result<SessionToken> {
        let mut tx = self.store().begin().await?;
        let (row, mut user) = self.pending(&mut tx, token).await?;
        let actor = actor_of(&user, false);
        let Some(enc) = user.totp_secret_enc.clone().filter(|_| user.totp_enrolled) else {
            return Err(ServiceError::Auth(AuthFailure::SecondFactorPending));
        };
        let secret = people::open_totp(&mut tx, self, &user, &enc).await?;
        let now_secs = self.now_ms() / 1000;
        let last = user.totp_last_step.map(|s| s as u64);
        let Some(step) = secret.verify(code.trim(), now_secs as u64, last) else {
            let err = self
                .count_failure(&mut tx, ctx, &actor, &mut user, "wrong code")
                .await?;
            tx.commit().await?;
            return Err(err);
        };
        user.totp_last_step = Some(step as i64);
        user.failed_logins = 0;
        user.locked_until = None;
        user.updated_at = self.now_ms();
        users::update(&mut tx, &user).await?;
        let new = self.promote(&mut tx, &row, ctx).await?;
        record(
            &mut tx,
            self,
            ctx,
            Some(&actor_of(&user, true)),
            Event::user("auth.login", &user.id, "ok").with_detail("password and TOTP"),
        )
        .await?;
        tx.commit().await?;
        Ok(new)
    }

    /// The secret and QR code for a first enrolment. Asking again shows the same secret
    /// until it is confirmed.
    pub async fn enrolment(&self, ctx: &RequestCtx, token: &SessionToken) -> Result<Enrolment> {
        let mut tx = self.store().begin().await?;
        let (_row, mut user) = self.pending(&mut tx, token).await?;
        if user.totp_enrolled {
            return Err(ServiceError::Auth(AuthFailure::SecondFactorPending));
        }
        let secret = match user.totp_secret_enc.clone() {
            Some(enc) => people::open_totp(&mut tx, self, &user, &enc).await?,
            None => {
                let s = totp::TotpSecret::generate();
                user.totp_secret_enc = Some(people::seal_totp(&mut tx, self, &user, &s).await?);
                user.updated_at = self.now_ms();
                users::update(&mut tx, &user).await?;
                record(
                    &mut tx,
                    self,
                    ctx,
                    Some(&actor_of(&user, false)),
                    Event::user("auth.enrolment_started", &user.id, "ok"),
                )
                .await?;
                s
            }
        };
        tx.commit().await?;
        self.enrolment_of(&secret, &user.username)
    }

    pub(crate) fn enrolment_of(
        &self,
        secret: &totp::TotpSecret,
        username: &str,
    ) -> Result<Enrolment> {
        let uri = secret.otpauth_uri(&self.config().totp_issuer, username)?;
        Ok(Enrolment {
            secret_base32: secret.to_base32().expose().clone(),
            qr_svg: totp::qr_svg(uri.expose())?,
            otpauth_uri: uri.expose().clone(),
        })
    }

    /// Confirms a first enrolment with a code from the new authenticator; signs in.
    pub async fn confirm_enrolment(
        &self,
        ctx: &RequestCtx,
        token: &SessionToken,
        code: &str,
    ) -> Result<SessionToken> {
        let mut tx = self.store().begin().await?;
        let (row, mut user) = self.pending(&mut tx, token).await?;
        let actor = actor_of(&user, false);
        let Some(enc) = user.totp_secret_enc.clone().filter(|_| !user.totp_enrolled) else {
            return Err(ServiceError::Auth(AuthFailure::SecondFactorPending));
        };
        let secret = people::open_totp(&mut tx, self, &user, &enc).await?;
        let Some(step) = secret.verify(code.trim(), (self.now_ms() / 1000) as u64, None) else {
            let err = self
                .count_failure(&mut tx, ctx, &actor, &mut user, "wrong code")
                .await?;
            tx.commit().await?;
            return Err(err);
        };
        user.totp_enrolled = true;
        user.totp_last_step = Some(step as i64);
        user.failed_logins = 0;
        user.locked_until = None;
        user.updated_at = self.now_ms();
        users::update(&mut tx, &user).await?;
        let new = self.promote(&mut tx, &row, ctx).await?;
        record(
            &mut tx,
            self,
            ctx,
            Some(&actor_of(&user, true)),
            Event::user("auth.enrolled", &user.id, "ok"),
        )
        .await?;
        tx.commit().await?;
        Ok(new)
    }

    /// The session behind a token. Refreshes the idle timer. A session that has not
    /// finished the second factor is refused here: pages see only full sessions.
    pub async fn session(&self, ctx: &RequestCtx, token: &SessionToken) -> Result<Session> {
        let mut c = self.store().conn().await?;
        let mut row = self.live_session(&mut c, token).await?;
        if row.stage != STAGE_FULL {
            return Err(ServiceError::Auth(AuthFailure::SecondFactorPending));
        }
        let Some(user) = users::get(&mut c, &row.user_id).await? else {
            sessions::delete(&mut c, &row.id_hash).await?;
            return Err(ServiceError::Auth(AuthFailure::SessionExpired));
        };
        if user.disabled {
            sessions::delete(&mut c, &row.id_hash).await?;
            return Err(ServiceError::Auth(AuthFailure::SessionExpired));
        }
        let now = self.now_ms();
        // One write per request is wasted effort; a few seconds of slack is harmless.
        if now - row.last_seen > 5_000 {
            sessions::touch(&mut c, &row.id_hash, now).await?;
            row.last_seen = now;
        }
        let unit = units::get(&mut c, &user.unit_id).await?;
        let display_name = people::open_display_name(&mut c, self, &user).await?;
        let actor = actor_of(&user, true);
        let view = ActorView {
            user_id: user.id.clone(),
            username: user.username.clone(),
            display_name,
            unit_id: user.unit_id.clone(),
            unit_name_zh: unit.as_ref().map(|u| u.name_zh.clone()).unwrap_or_default(),
            unit_name_en: unit.as_ref().map(|u| u.name_en.clone()).unwrap_or_default(),
            roles: actor.roles.clone(),
        };
        Ok(Session {
            app: self.clone(),
            actor,
            ctx: ctx.clone(),
            view,
            csrf: row.csrf_token.clone(),
            lang: Lang::parse(&row.lang).unwrap_or_default(),
            stage: Stage::Full,
            must_change_password: user.must_change_password,
        })
    }

    /// The CSRF token of a pending session (the second-factor forms need one too).
    pub async fn pending_csrf(&self, token: &SessionToken) -> Result<String> {
        let mut c = self.store().conn().await?;
        let row = self.live_session(&mut c, token).await?;
        Ok(row.csrf_token)
    }

    pub async fn logout(&self, ctx: &RequestCtx, token: &SessionToken) -> Result<()> {
        let mut tx = self.store().begin().await?;
        if let Some(row) = sessions::get(&mut tx, &token.id_hash()).await? {
            sessions::delete(&mut tx, &row.id_hash).await?;
            if let Some(user) = users::get(&mut tx, &row.user_id).await? {
                record(
                    &mut tx,
                    self,
                    ctx,
                    Some(&actor_of(&user, row.stage == STAGE_FULL)),
                    Event::user("auth.logout", &user.id, "ok"),
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes idle sessions; run periodically by the server.
    pub async fn sweep_sessions(&self) -> Result<u64> {
        let mut c = self.store().conn().await?;
        let cutoff = self.now_ms() - self.config().session_idle_secs * 1000;
        Ok(sessions::delete_expired(&mut c, cutoff).await?)
    }

    /// Pending secrets of a re-enrolment live apart from the confirmed one, so a user
    /// who abandons re-enrolment keeps a working authenticator.
    pub(crate) fn pending_totp_key(user_id: &str) -> String {
        format!("totp_pending:{user_id}")
    }
}

pub(crate) async fn load_pending_totp(
    c: &mut Conn,
    app: &App,
    user: &UserRow,
) -> Result<Option<Vec<u8>>> {
    let _ = app;
    // An empty value marks a re-enrolment that was confirmed or reset.
    match settings::get(c, &App::pending_totp_key(&user.id))
        .await?
        .filter(|v| !v.is_empty())
    {
        Some(hexed) => Ok(Some(hex::decode(hexed).map_err(ServiceError::internal)?)),
        None => Ok(None),
    }
}

//! Account administration: the admins' desk, and the same use cases for the operator at
//! the command line.

use fanguai_domain::ids::{Password, PersonName, Phone, Username};
use fanguai_domain::role::{Role, RoleSet};
use fanguai_store::UserRow;
use fanguai_store::{Conn, sessions, settings, units, users};
use fanguai_vault::password;
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::audit_log::{Event, record};
use crate::auth::{Actor, parse_roles};
use crate::ctx::RequestCtx;
use crate::error::{Result, ServiceError};
use crate::people;

#[derive(Debug, Clone, Deserialize)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub phone: Option<String>,
    pub unit_id: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Assignment {
    pub unit_id: String,
    pub roles: Vec<String>,
}

/// An account as the admin pages show it. The phone is masked: admins manage accounts,
/// they do not call people.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub phone_masked: Option<String>,
    pub unit_id: String,
    pub roles: Vec<Role>,
    pub disabled: bool,
    pub totp_enrolled: bool,
    pub locked: bool,
    pub must_change_password: bool,
    /// Named liaison (联络员) of their unit to the joint conference.
    pub liaison: bool,
}

/// A one-time password shown once to the admin who made it.
pub(crate) fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let body: String = (0..16)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    // Guarantees the mix of classes the password policy asks for.
    format!("{body}-7a")
}

fn parse_role_list(roles: &[String]) -> Result<Vec<Role>> {
    if roles.is_empty() {
        return Err(ServiceError::invalid("roles", "roles.empty"));
    }
    let mut out = Vec::new();
    for r in roles {
        let role = Role::parse(r).map_err(|e| ServiceError::invalid("roles", e.code()))?;
        if !out.contains(&role) {
            out.push(role);
        }
    }
    // Separation of duties: an auditor audits and does nothing else, an admin runs no cases.
    RoleSet::checked(out.iter().copied()).map_err(|e| ServiceError::invalid("roles", e.code()))?;
    Ok(out)
}

async fn check_unit(c: &mut Conn, unit_id: &str) -> Result<()> {
    match units::get(c, unit_id).await? {
        Some(_) => Ok(()),
        None => Err(ServiceError::invalid("unit_id", "unit.unknown")),
    }
}

/// Account use cases shared by the admin desk and the command line. `actor` is `None`
/// for the operator at the command line, who holds the keys anyway.
pub(crate) struct Accounts<'a> {
    pub app: &'a App,
    pub actor: Option<&'a Actor>,
    pub ctx: &'a RequestCtx,
}

impl Accounts<'_> {
    async fn view(&self, c: &mut Conn, u: &UserRow) -> Result<UserView> {
        let phone = people::open_phone(c, self.app, u).await?;
        Ok(UserView {
            id: u.id.clone(),
            username: u.username.clone(),
            display_name: people::open_display_name(c, self.app, u).await?,
            phone_masked: phone
                .and_then(|p| Phone::parse(&p).ok())
                .map(|p| p.masked()),
            unit_id: u.unit_id.clone(),
            roles: parse_roles(&u.roles),
            disabled: u.disabled,
            totp_enrolled: u.totp_enrolled,
            locked: u.locked_until.is_some_and(|t| t > self.app.now_ms()),
            must_change_password: u.must_change_password,
            liaison: units::get(c, &u.unit_id)
                .await?
                .and_then(|unit| unit.liaison_user_id)
                .as_deref()
                == Some(u.id.as_str()),
        })
    }

    pub async fn list(&self) -> Result<Vec<UserView>> {
        let mut tx = self.app.store().begin().await?;
        let rows = users::list(&mut tx).await?;
        let mut out = Vec::with_capacity(rows.len());
        for u in &rows {
            out.push(self.view(&mut tx, u).await?);
        }
        record(
            &mut tx,
            self.app,
            self.ctx,
            self.actor,
            Event {
                action: "users.list",
                record_type: "user",
                outcome: "ok",
                detail: format!("{} accounts", rows.len()),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Creates an account with a one-time password (or the given one) that must be
    /// changed at first login.
    pub async fn create(
        &self,
        new: &NewUser,
        password_given: Option<&str>,
    ) -> Result<(UserView, String)> {
        let username = Username::parse(&new.username)
            .map_err(|e| ServiceError::invalid("username", e.code()))?;
        let name = PersonName::parse(&new.display_name)
            .map_err(|e| ServiceError::invalid("display_name", e.code()))?;
        let phone = match new
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => Some(Phone::parse(p).map_err(|e| ServiceError::invalid("phone", e.code()))?),
            None => None,
        };
        let roles = parse_role_list(&new.roles)?;
        let pass = match password_given {
            Some(p) => Password::parse(p, username.as_str())
                .map_err(|e| ServiceError::invalid("password", e.code()))?
                .expose()
                .to_string(),
            None => generate_password(),
        };
        let mut tx = self.app.store().begin().await?;
        check_unit(&mut tx, &new.unit_id).await?;
        if users::by_username(&mut tx, username.as_str())
            .await?
            .is_some()
        {
            return Err(ServiceError::invalid("username", "username.taken"));
        }
        let id = uuid::Uuid::now_v7().to_string();
        let (key_id, key) = people::new_key(&mut tx, self.app, &people::user_subject(&id)).await?;
        let now = self.app.now_ms();
        let ring = self.app.ring();
        let row = UserRow {
            id: id.clone(),
            username: username.as_str().to_string(),
            unit_id: new.unit_id.clone(),
            roles: roles.iter().map(|r| r.id().to_string()).collect(),
            display_name_enc: people::seal(&key, "display_name", &id, name.as_str())?,
            phone_enc: phone
                .as_ref()
                .map(|p| people::seal(&key, "phone", &id, p.as_str()))
                .transpose()?,
            phone_bidx: phone
                .as_ref()
                .map(|p| ring.blind_index("phone", p.as_str())),
            data_key_id: key_id,
            password_hash: password::hash(&pass)?.into_string(),
            must_change_password: password_given.is_none(),
            totp_secret_enc: None,
            totp_enrolled: false,
            totp_last_step: None,
            disabled: false,
            failed_logins: 0,
            locked_until: None,
            created_at: now,
            updated_at: now,
        };
        users::insert(&mut tx, &row).await?;
        record(
            &mut tx,
            self.app,
            self.ctx,
            self.actor,
            Event {
                action: "users.create",
                record_type: "user",
                record_id: &id,
                outcome: "ok",
                detail: format!(
                    "username {}, unit {}, roles {}",
                    row.username,
                    row.unit_id,
                    row.roles.join(",")
                ),
                ..Default::default()
            },
        )
        .await?;
        let view = self.view(&mut tx, &row).await?;
        tx.commit().await?;
        Ok((view, pass))
    }

    /// Loads a user by id or username.
    async fn find(&self, c: &mut Conn, who: &str) -> Result<UserRow> {
        if let Some(u) = users::get(c, who).await? {
            return Ok(u);
        }
        users::by_username(c, &who.trim().to_lowercase())
            .await?
            .ok_or(ServiceError::NotFound("user"))
    }

    /// Applies `change` to one account and records `action`; sessions end when asked.
    async fn change(
        &self,
        who: &str,
        action: &str,
        end_sessions: bool,
        change: impl FnOnce(&mut UserRow) -> Result<String>,
    ) -> Result<UserView> {
        let mut tx = self.app.store().begin().await?;
        let mut u = self.find(&mut tx, who).await?;
        let detail = change(&mut u)?;
        u.updated_at = self.app.now_ms();
        users::update(&mut tx, &u).await?;
        if end_sessions {
            sessions::delete_for_user(&mut tx, &u.id).await?;
        }
        record(
            &mut tx,
            self.app,
            self.ctx,
            self.actor,
            Event {
                action,
                record_type: "user",
                record_id: &u.id,
                outcome: "ok",
                detail,
                ..Default::default()
            },
        )
        .await?;
        let view = self.view(&mut tx, &u).await?;
        tx.commit().await?;
        Ok(view)
    }

    fn not_self(&self, who_id: &str, field: &'static str) -> Result<()> {
        if self.actor.is_some_and(|a| a.user_id == who_id) {
            return Err(ServiceError::invalid(field, "users.not_on_self"));
        }
        Ok(())
    }

    pub async fn set_disabled(&self, who: &str, disabled: bool) -> Result<UserView> {
        let self_id = self.actor.map(|a| a.user_id.clone());
        let res = self
            .change(
                who,
                if disabled {
                    "users.disable"
                } else {
                    "users.enable"
                },
                disabled,
                |u| {
                    if disabled && self_id.as_deref() == Some(u.id.as_str()) {
                        return Err(ServiceError::invalid("user", "users.not_on_self"));
                    }
                    u.disabled = disabled;
                    if !disabled {
                        u.failed_logins = 0;
                        u.locked_until = None;
                    }
                    Ok(String::new())
                },
            )
            .await?;
        Ok(res)
    }

    /// A new one-time password; the user must change it at next login.
    pub async fn reset_password(
        &self,
        who: &str,
        given: Option<&str>,
    ) -> Result<(UserView, String)> {
        let mut pass = String::new();
        let view = self
            .change(who, "users.reset_password", true, |u| {
                pass = match given {
                    Some(p) => Password::parse(p, &u.username)
                        .map_err(|e| ServiceError::invalid("password", e.code()))?
                        .expose()
                        .to_string(),
                    None => generate_password(),
                };
                u.password_hash = password::hash(&pass)?.into_string();
                u.must_change_password = given.is_none();
                u.failed_logins = 0;
                u.locked_until = None;
                Ok(String::new())
            })
            .await?;
        Ok((view, pass))
    }

    /// Forgets the authenticator; the user enrols again at next login.
    pub async fn reset_2fa(&self, who: &str) -> Result<UserView> {
        let view = self
            .change(who, "users.reset_2fa", true, |u| {
                u.totp_secret_enc = None;
                u.totp_enrolled = false;
                u.totp_last_step = None;
                Ok(String::new())
            })
            .await?;
        let mut c = self.app.store().conn().await?;
        settings::set(&mut c, &App::pending_totp_key(&view.id), "").await?;
        Ok(view)
    }

    /// Names an active account the liaison of its own unit; the unit's previous liaison
    /// stops being it.
    pub async fn make_liaison(&self, who: &str) -> Result<UserView> {
        let mut tx = self.app.store().begin().await?;
        let u = self.find(&mut tx, who).await?;
        if u.disabled {
            return Err(ServiceError::invalid("user", "users.disabled"));
        }
        units::set_liaison(&mut tx, &u.unit_id, Some(&u.id)).await?;
        record(
            &mut tx,
            self.app,
            self.ctx,
            self.actor,
            Event {
                action: "units.set_liaison",
                record_type: "unit",
                record_id: &u.unit_id,
                outcome: "ok",
                detail: format!("liaison {}", u.username),
                ..Default::default()
            },
        )
        .await?;
        let view = self.view(&mut tx, &u).await?;
        tx.commit().await?;
        Ok(view)
    }

    pub async fn assign(&self, who: &str, a: &Assignment) -> Result<UserView> {
        let roles = parse_role_list(&a.roles)?;
        {
            let mut c = self.app.store().conn().await?;
            check_unit(&mut c, &a.unit_id).await?;
            let u = self.find(&mut c, who).await?;
            // An admin who removes their own admin role could leave nobody to undo it.
            if !roles.contains(&Role::Admin) {
                self.not_self(&u.id, "roles")?;
            }
        }
        let unit = a.unit_id.clone();
        self.change(who, "users.assign", true, move |u| {
            u.unit_id = unit;
            u.roles = roles.iter().map(|r| r.id().to_string()).collect();
            Ok(format!("unit {}, roles {}", u.unit_id, u.roles.join(",")))
        })
        .await
    }
}

/// The admins' desk. Holds no way to reach case, tip or victim data.
#[derive(Debug)]
pub struct AdminDesk {
    pub(crate) app: App,
    pub(crate) actor: Actor,
    pub(crate) ctx: RequestCtx,
}

impl AdminDesk {
    fn accounts(&self) -> Accounts<'_> {
        Accounts {
            app: &self.app,
            actor: Some(&self.actor),
            ctx: &self.ctx,
        }
    }
    pub async fn list_users(&self) -> Result<Vec<UserView>> {
        self.accounts().list().await
    }
    /// Returns the account and its one-time password, to be shown once.
    pub async fn create_user(&self, new: &NewUser) -> Result<(UserView, String)> {
        self.accounts().create(new, None).await
    }
    pub async fn disable(&self, user_id: &str) -> Result<UserView> {
        self.accounts().set_disabled(user_id, true).await
    }
    pub async fn enable(&self, user_id: &str) -> Result<UserView> {
        self.accounts().set_disabled(user_id, false).await
    }
    pub async fn reset_password(&self, user_id: &str) -> Result<(UserView, String)> {
        self.accounts().reset_password(user_id, None).await
    }
    pub async fn reset_2fa(&self, user_id: &str) -> Result<UserView> {
        self.accounts().reset_2fa(user_id).await
    }
    pub async fn assign(&self, user_id: &str, a: &Assignment) -> Result<UserView> {
        self.accounts().assign(user_id, a).await
    }
    /// Names the account the liaison of its unit to the joint conference.
    pub async fn make_liaison(&self, user_id: &str) -> Result<UserView> {
        self.accounts().make_liaison(user_id).await
    }
    /// The units an account can be assigned to.
    pub async fn units(&self) -> Result<Vec<(String, String, String)>> {
        let mut c = self.app.store().conn().await?;
        Ok(units::list(&mut c)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name_zh, u.name_en))
            .collect())
    }
}

/// The operator's account commands (`fanguai user …`). Whoever runs them holds the data
/// folder and its keys; their actions are audited as the system.
#[derive(Debug)]
pub struct OperatorDesk {
    pub(crate) app: App,
    pub(crate) ctx: RequestCtx,
}

impl App {
    pub fn operator(&self, ctx: RequestCtx) -> OperatorDesk {
        OperatorDesk {
            app: self.clone(),
            ctx,
        }
    }
}

impl OperatorDesk {
    fn accounts(&self) -> Accounts<'_> {
        Accounts {
            app: &self.app,
            actor: None,
            ctx: &self.ctx,
        }
    }
    pub async fn add(&self, new: &NewUser, password: Option<&str>) -> Result<(UserView, String)> {
        self.accounts().create(new, password).await
    }
    pub async fn disable(&self, who: &str) -> Result<UserView> {
        self.accounts().set_disabled(who, true).await
    }
    pub async fn reset_password(&self, who: &str) -> Result<(UserView, String)> {
        self.accounts().reset_password(who, None).await
    }
    pub async fn reset_2fa(&self, who: &str) -> Result<UserView> {
        self.accounts().reset_2fa(who).await
    }
    pub async fn list(&self) -> Result<Vec<UserView>> {
        self.accounts().list().await
    }
}

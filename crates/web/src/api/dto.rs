//! The API's own types: the contract that clients see and that the OpenAPI document
//! describes, converted from the service's views.

use fanguai_service::{
    AuditEventView, AuditPage, ChainStatus, MemberView, Role, UnitView, UserView,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::context::Signed;

fn role_ids(roles: &[Role]) -> Vec<String> {
    roles.iter().map(|r| r.id().to_owned()).collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub unit_id: String,
    pub unit_name_zh: String,
    pub unit_name_en: String,
    /// Role ids, e.g. `admin`, `auditor`, `liaison`.
    pub roles: Vec<String>,
    /// Interface language of the session: `zh-CN` or `en`.
    pub lang: String,
    pub must_change_password: bool,
    /// What the access policy lets this user do.
    pub permissions: Vec<String>,
    /// Send this in `X-CSRF-Token` on every write.
    pub csrf_token: String,
}

impl MeDto {
    pub fn of(signed: &Signed) -> MeDto {
        let a = signed.session.actor();
        MeDto {
            user_id: a.user_id.clone(),
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            unit_id: a.unit_id.clone(),
            unit_name_zh: a.unit_name_zh.clone(),
            unit_name_en: a.unit_name_en.clone(),
            roles: role_ids(&a.roles),
            lang: signed.ctx.lang.as_str().to_owned(),
            must_change_password: signed.session.must_change_password(),
            permissions: signed
                .session
                .permissions()
                .iter()
                .map(crate::pages::capability_id)
                .collect(),
            csrf_token: signed.session.csrf_token().to_owned(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
}

impl From<MemberView> for MemberDto {
    fn from(m: MemberView) -> Self {
        MemberDto {
            roles: role_ids(&m.roles),
            user_id: m.user_id,
            username: m.username,
            display_name: m.display_name,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDto {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub duties_zh: String,
    pub duties_en: String,
    /// The unit that leads the joint conference.
    pub is_lead: bool,
    pub liaison: Option<MemberDto>,
    pub members: Vec<MemberDto>,
}

impl From<UnitView> for UnitDto {
    fn from(u: UnitView) -> Self {
        UnitDto {
            id: u.id,
            name_zh: u.name_zh,
            name_en: u.name_en,
            duties_zh: u.duties_zh,
            duties_en: u.duties_en,
            is_lead: u.is_lead,
            liaison: u.liaison.map(MemberDto::from),
            members: u.members.into_iter().map(MemberDto::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: String,
    pub username: String,
    pub display_name: String,
    /// Masked: administrators manage accounts, they do not call people.
    pub phone_masked: Option<String>,
    pub unit_id: String,
    pub roles: Vec<String>,
    pub disabled: bool,
    pub totp_enrolled: bool,
    pub locked: bool,
    pub must_change_password: bool,
}

impl From<UserView> for UserDto {
    fn from(u: UserView) -> Self {
        UserDto {
            roles: role_ids(&u.roles),
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            phone_masked: u.phone_masked,
            unit_id: u.unit_id,
            disabled: u.disabled,
            totp_enrolled: u.totp_enrolled,
            locked: u.locked,
            must_change_password: u.must_change_password,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserDto {
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub phone: Option<String>,
    pub unit_id: String,
    pub roles: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUserDto {
    pub user: UserDto,
    /// Shown once; the user must change it at first login.
    pub initial_password: String,
}

impl std::fmt::Debug for CreatedUserDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedUserDto")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, ToSchema)]
pub struct PasswordResetDto {
    pub user: UserDto,
    /// Shown once; the user must change it at next login.
    pub initial_password: String,
}

impl std::fmt::Debug for PasswordResetDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordResetDto")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignmentDto {
    pub unit_id: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Username of the actor.
    pub user: Option<String>,
    /// Unit id of the actor.
    pub unit: Option<String>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    /// Action, e.g. `auth.login`.
    pub action: Option<String>,
    /// Unix milliseconds, inclusive.
    pub from_ms: Option<i64>,
    /// Unix milliseconds, exclusive.
    pub to_ms: Option<i64>,
    /// From 1.
    pub page: Option<i64>,
    /// 1 to 500, default 50.
    pub per_page: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventDto {
    pub seq: i64,
    /// Unix milliseconds.
    pub at_ms: i64,
    pub request_id: String,
    pub username: String,
    pub unit: String,
    pub role: String,
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    pub purpose: String,
    pub outcome: String,
    pub detail: String,
    pub hash: String,
}

impl From<AuditEventView> for AuditEventDto {
    fn from(e: AuditEventView) -> Self {
        AuditEventDto {
            seq: e.seq,
            at_ms: e.at_ms,
            request_id: e.request_id,
            username: e.username,
            unit: e.unit,
            role: e.role,
            action: e.action,
            record_type: e.record_type,
            record_id: e.record_id,
            purpose: e.purpose,
            outcome: e.outcome,
            detail: e.detail,
            hash: e.hash,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPageDto {
    pub events: Vec<AuditEventDto>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl From<AuditPage> for AuditPageDto {
    fn from(p: AuditPage) -> Self {
        AuditPageDto {
            events: p.events.into_iter().map(AuditEventDto::from).collect(),
            total: p.total,
            page: p.page,
            per_page: p.per_page,
        }
    }
}

/// `intact` with the number of events and the head hash, or `broken` with the first
/// event whose link fails.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainStatusDto {
    /// `intact` or `broken`.
    pub status: String,
    pub events: Option<i64>,
    pub head_hash: Option<String>,
    pub first_broken_seq: Option<i64>,
    /// What is wrong at the first broken event, e.g. `hash`, `link`, `gap`, `truncated`.
    pub kind: Option<String>,
}

impl From<ChainStatus> for ChainStatusDto {
    fn from(c: ChainStatus) -> Self {
        match c {
            ChainStatus::Intact { events, head_hash } => ChainStatusDto {
                status: "intact".into(),
                events: Some(events),
                head_hash: Some(head_hash),
                first_broken_seq: None,
                kind: None,
            },
            ChainStatus::Broken {
                first_broken_seq,
                kind,
            } => ChainStatusDto {
                status: "broken".into(),
                events: None,
                head_hash: None,
                first_broken_seq: Some(first_broken_seq),
                kind: Some(kind),
            },
        }
    }
}

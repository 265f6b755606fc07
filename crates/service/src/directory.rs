//! The member-unit directory of the joint conference.

use fanguai_store::{units, users};
use serde::Serialize;

use crate::Role;
use crate::app::App;
use crate::audit_log::{Event, record};
use crate::auth::{Actor, parse_roles};
use crate::ctx::RequestCtx;
use crate::error::Result;
use crate::people;

#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitView {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub duties_zh: String,
    pub duties_en: String,
    pub is_lead: bool,
    pub liaison: Option<MemberView>,
    pub members: Vec<MemberView>,
}

#[derive(Debug)]
pub struct DirectoryDesk {
    pub(crate) app: App,
    pub(crate) actor: Actor,
    pub(crate) ctx: RequestCtx,
}

impl DirectoryDesk {
    /// Every member unit with its duties, liaison and active members. Members' names are
    /// staff names, shown to colleagues; the read is audited like any other.
    pub async fn units(&self) -> Result<Vec<UnitView>> {
        let mut tx = self.app.store().begin().await?;
        let all_units = units::list(&mut tx).await?;
        let all_users = users::list(&mut tx).await?;
        let mut out = Vec::with_capacity(all_units.len());
        for u in all_units {
            let mut members = Vec::new();
            for m in all_users
                .iter()
                .filter(|m| m.unit_id == u.id && !m.disabled)
            {
                members.push(MemberView {
                    user_id: m.id.clone(),
                    username: m.username.clone(),
                    display_name: people::open_display_name(&mut tx, &self.app, m).await?,
                    roles: parse_roles(&m.roles),
                });
            }
            let liaison = u
                .liaison_user_id
                .as_ref()
                .and_then(|id| members.iter().find(|m| &m.user_id == id).cloned());
            out.push(UnitView {
                id: u.id,
                name_zh: u.name_zh,
                name_en: u.name_en,
                duties_zh: u.duties_zh,
                duties_en: u.duties_en,
                is_lead: u.is_lead,
                liaison,
                members,
            });
        }
        record(
            &mut tx,
            &self.app,
            &self.ctx,
            Some(&self.actor),
            Event {
                action: "directory.view",
                record_type: "unit",
                outcome: "ok",
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }
}

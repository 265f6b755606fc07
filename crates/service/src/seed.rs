//! Reference data every installation starts with, the first admin, and the synthetic
//! data of `fanguai demo`.

use fanguai_domain::org::MEMBER_UNITS;
use fanguai_store::UnitRow;
use fanguai_store::{units, users};
use fanguai_vault::totp::TotpSecret;

use crate::Role;
use crate::app::App;
use crate::audit_log::{Event, record};
use crate::ctx::RequestCtx;
use crate::error::Result;
use crate::people;
use crate::users::{Accounts, NewUser};

/// Inserts the 24 member units of the joint conference that are not there yet.
pub async fn member_units(app: &App, ctx: &RequestCtx) -> Result<usize> {
    let mut tx = app.store().begin().await?;
    let mut added = 0;
    for (i, u) in MEMBER_UNITS.iter().enumerate() {
        if units::get(&mut tx, u.id).await?.is_some() {
            continue;
        }
        units::insert(
            &mut tx,
            &UnitRow {
                id: u.id.to_string(),
                name_zh: u.name_zh.to_string(),
                name_en: u.name_en.to_string(),
                duties_zh: u.duties_zh.to_string(),
                duties_en: u.duties_en.to_string(),
                is_lead: u.lead,
                sort_order: i as i64,
                liaison_user_id: None,
                created_at: app.now_ms(),
            },
        )
        .await?;
        added += 1;
    }
    if added > 0 {
        record(
            &mut tx,
            app,
            ctx,
            None,
            Event {
                action: "units.seed",
                record_type: "unit",
                outcome: "ok",
                detail: format!("{added} member units"),
                ..Default::default()
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(added)
}

/// The first administrator of a new installation, with a one-time password.
pub async fn first_admin(app: &App, ctx: &RequestCtx) -> Result<(String, String)> {
    let acc = Accounts {
        app,
        actor: None,
        ctx,
    };
    let (view, pass) = acc
        .create(
            &NewUser {
                username: "admin".into(),
                display_name: "系统管理员".into(),
                phone: None,
                unit_id: MEMBER_UNITS[0].id.to_string(),
                roles: vec![Role::Admin.id().to_string()],
            },
            None,
        )
        .await?;
    Ok((view.username, pass))
}

/// A login of the demo, printed when the demo starts.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub unit_id: String,
    pub unit_name_zh: String,
    pub totp_secret: Option<String>,
}

/// The demo's password for every account: known, because the data is fake.
pub const DEMO_PASSWORD: &str = "Demo-Password-2009";

/// Accounts for every role, plus one liaison per member unit. Names are obviously
/// invented (示例 = "example"), phones come from a range no operator issues.
pub async fn demo(app: &App, ctx: &RequestCtx) -> Result<Vec<DemoAccount>> {
    member_units(app, ctx).await?;
    let staff: &[(&str, &str, Role, &str)] = &[
        ("admin", "示例·管理员", Role::Admin, "psb"),
        ("convenor", "示例·召集人", Role::Convenor, "psb"),
        ("office", "示例·办公室", Role::Office, "psb"),
        ("investigator", "示例·侦查员甲", Role::Investigator, "psb"),
        ("investigator2", "示例·侦查员乙", Role::Investigator, "psb"),
        ("supervisor", "示例·督导", Role::Supervisor, "psb"),
        ("lab", "示例·实验室", Role::Lab, "psb"),
        ("caseworker", "示例·社工", Role::Caseworker, "civil-affairs"),
        (
            "caseworker.wf",
            "示例·妇联社工",
            Role::Caseworker,
            "womens-federation",
        ),
        ("auditor", "示例·审计", Role::Auditor, "psb"),
    ];
    let mut out = Vec::new();
    let acc = Accounts {
        app,
        actor: None,
        ctx,
    };
    let mut n = 0u32;
    let mut add = |username: String, name: String, role: Role, unit: String| {
        n += 1;
        (
            username,
            name,
            role,
            unit,
            format!("170{:08}", 10_000_000 + n),
        )
    };
    let mut planned = Vec::new();
    for (u, name, role, unit) in staff {
        planned.push(add(
            u.to_string(),
            name.to_string(),
            *role,
            unit.to_string(),
        ));
    }
    for u in MEMBER_UNITS.iter() {
        planned.push(add(
            format!("liaison.{}", u.id),
            format!("示例·{}联络员", u.name_zh),
            Role::Liaison,
            u.id.to_string(),
        ));
    }
    for (username, name, role, unit, phone) in planned {
        let (view, _) = acc
            .create(
                &NewUser {
                    username,
                    display_name: name,
                    phone: Some(phone),
                    unit_id: unit.clone(),
                    roles: vec![role.id().into()],
                },
                Some(DEMO_PASSWORD),
            )
            .await?;
        let totp = if role.requires_second_factor() {
            Some(enrol(app, &view.id).await?)
        } else {
            None
        };
        let mut c = app.store().conn().await?;
        if role == Role::Liaison {
            units::set_liaison(&mut c, &unit, Some(&view.id)).await?;
        }
        let unit_name_zh = units::get(&mut c, &unit)
            .await?
            .map(|u| u.name_zh)
            .unwrap_or_default();
        out.push(DemoAccount {
            username: view.username,
            password: DEMO_PASSWORD.to_string(),
            role,
            unit_id: unit,
            unit_name_zh,
            totp_secret: totp,
        });
    }
    crate::tips::demo::seed_tips(app, ctx).await?;
    crate::cases::seed_cases(app, ctx).await?;
    Ok(out)
}

/// Enrols an authenticator for a demo account so the printed secret works at once.
async fn enrol(app: &App, user_id: &str) -> Result<String> {
    let mut tx = app.store().begin().await?;
    let mut u = users::get(&mut tx, user_id)
        .await?
        .ok_or(crate::ServiceError::NotFound("user"))?;
    let secret = TotpSecret::generate();
    u.totp_secret_enc = Some(people::seal_totp(&mut tx, app, &u, &secret).await?);
    u.totp_enrolled = true;
    users::update(&mut tx, &u).await?;
    tx.commit().await?;
    Ok(secret.to_base32().expose().clone())
}

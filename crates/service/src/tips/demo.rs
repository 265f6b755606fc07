//! Synthetic tips of the demo, one or more in every state. All text is invented and says
//! so (示例 = "example"); phone numbers come from a range no operator issues.

use fanguai_domain::tips::{ContactForm, PublicTipForm, RiskGroupForm, TipSource};
use fanguai_store::users;

use super::{DecisionInput, TipDesk};
use crate::app::App;
use crate::auth::{Actor, parse_roles};
use crate::ctx::RequestCtx;
use crate::error::{Result, ServiceError};

async fn desk(app: &App, ctx: &RequestCtx, username: &str) -> Result<TipDesk> {
    let mut c = app.store().conn().await?;
    let u = users::by_username(&mut c, username)
        .await?
        .ok_or(ServiceError::NotFound("demo user"))?;
    Ok(TipDesk {
        app: app.clone(),
        actor: Actor {
            user_id: u.id.clone(),
            username: u.username.clone(),
            unit_id: u.unit_id.clone(),
            roles: parse_roles(&u.roles),
            second_factor: true,
        },
        ctx: ctx.clone(),
    })
}

fn form(n: u32, what: &str, child: bool, phone: &str) -> PublicTipForm {
    PublicTipForm {
        what_happened: format!("【示例数据 #{n}】{what}"),
        division: "430102".into(),
        address: format!("示例路{n}号（虚构地址）"),
        date: "2025-05-01".into(),
        time: "20:30".into(),
        people_at_risk: vec![RiskGroupForm {
            count: "1".into(),
            sex: if child {
                "female".into()
            } else {
                "male".into()
            },
            age_band: if child { "6-13".into() } else { "25-34".into() },
        }],
        suspects: vec!["示例：中年男子，口音不详（虚构）".into()],
        vehicles: if n % 2 == 0 {
            vec!["湘A12345".into()]
        } else {
            vec![]
        },
        phones: vec![phone.into()],
        accounts: vec![],
        child_involved: child,
        immediate_danger: false,
        contact: ContactForm {
            name: "示例·举报人".into(),
            phone: "17000000099".into(),
        },
    }
}

/// Adds demo tips in every state: received (urgent and normal), acknowledged, under
/// review, no action awaiting the second review, and decided by each decision, with one
/// referral acknowledged and one still waiting. Needs the demo accounts.
pub async fn seed_tips(app: &App, ctx: &RequestCtx) -> Result<usize> {
    let inv = desk(app, ctx, "investigator").await?;
    let sup = desk(app, ctx, "supervisor").await?;
    let labour = desk(app, ctx, "liaison.labour").await?;
    let public = app.public_tips(ctx);
    let texts: [(&str, bool); 10] = [
        ("有人在车站附近带着一名哭闹的小女孩，形迹可疑。", true),
        (
            "网上有人发布高薪招工广告，要求先交押金并扣押身份证。",
            false,
        ),
        ("工地上有几名工人说被限制离开，工资长期被扣。", false),
        ("邻居家来了一个不会说本地话的年轻女子，很少出门。", false),
        ("有人在医院附近打听哪里可以买到婴儿。", true),
        ("小区里有一辆面包车多次夜间接送未成年人。", true),
        ("有人在聊天群里介绍跨境婚姻，收取高额费用。", false),
        ("饭店老板拒绝让员工回家，员工看起来很害怕。", false),
        ("有人说可以帮忙介绍去外地打工，但不告诉具体地点。", false),
        ("学校附近有陌生人多次向学生搭讪并询问家庭情况。", true),
    ];
    let mut ids = Vec::new();
    for (i, (what, child)) in texts.iter().enumerate() {
        let n = i as u32 + 1;
        let f = form(n, what, *child, &format!("170000001{n:02}"));
        let tip = public
            .validate(&f)
            .map_err(|e| ServiceError::Internal(format!("demo tip {n}: {e}")))?;
        let receipt = if i % 3 == 0 {
            public.submit(&tip, &[]).await?
        } else {
            inv.enter(&TipSource::PhoneLine, &tip, &[]).await?
        };
        ids.push(receipt.tip_id);
    }
    let me = inv.actor.user_id.clone();
    // #1 and #2 stay received.
    // #3 acknowledged.
    sup.acknowledge(&ids[2], &me).await?;
    // #4 under review.
    inv.acknowledge(&ids[3], &me).await?;
    inv.start_review(&ids[3]).await?;
    // #5..#10 reviewed and decided (or proposed).
    for id in &ids[4..] {
        inv.acknowledge(id, &me).await?;
        inv.start_review(id).await?;
    }
    let no_action = DecisionInput::NoAction {
        reason: "示例：经核实为正常家庭探亲，现场走访无异常，举报人亦确认误会。".into(),
    };
    inv.decide(&ids[4], &no_action).await?;
    inv.decide(&ids[5], &DecisionInput::OpenCase).await?;
    let opened = inv
        .get(&ids[5])
        .await?
        .case_ref
        .ok_or_else(|| ServiceError::Internal("demo tip 6 opened no case".into()))?;
    inv.decide(&ids[6], &DecisionInput::JoinCase { case_id: opened })
        .await?;
    let refer = DecisionInput::Refer {
        to_unit: "labour".into(),
        reason: "示例：属劳动争议，移交劳动保障部门处理".into(),
    };
    inv.decide(&ids[7], &refer).await?;
    inv.decide(&ids[8], &refer).await?;
    labour.acknowledge_referral(&ids[8]).await?;
    inv.decide(&ids[9], &no_action).await?;
    sup.approve_no_action(&ids[9]).await?;
    Ok(ids.len())
}

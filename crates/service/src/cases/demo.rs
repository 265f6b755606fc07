//! Synthetic cases for `fanguai demo`: one in every state of the lifecycle, people whose
//! names say they are examples (示例), identity numbers built for the demo with a valid
//! check character, phones from a range no operator issues, a serial-case pair, a key
//! area, a special operation and a supervision.

use fanguai_domain::ids::check_character;
use fanguai_store::users;

use super::{
    CaseDesk, ClassificationInput, NewCasePerson, NewCaseReport, NewIdentifier, NewKeyArea,
    NewOperation, NewSupervision, PersonStatus, TransitionInput,
};
use crate::app::App;
use crate::auth::{Actor, parse_roles};
use crate::ctx::RequestCtx;
use crate::error::{Result, ServiceError};

async fn desk_of(app: &App, ctx: &RequestCtx, username: &str) -> Result<CaseDesk> {
    let mut c = app.store().conn().await?;
    let u = users::by_username(&mut c, username)
        .await?
        .ok_or(ServiceError::NotFound("demo account"))?;
    Ok(CaseDesk {
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

/// A demo identity number: Zhuzhou's 荷塘区, the birth date, a sequence whose parity
/// gives the sex, and the computed check character.
fn demo_id(birth: &str, seq: u16, female: bool) -> String {
    let seq = if female { seq * 2 } else { seq * 2 + 1 } % 1000;
    let first17 = format!("430202{birth}{seq:03}");
    let check = check_character(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

fn ev(event: &str) -> TransitionInput {
    TransitionInput {
        event: event.into(),
        ..Default::default()
    }
}

/// Walks a new case through `events` from 接报.
async fn walk(desk: &CaseDesk, id: &str, events: &[TransitionInput]) -> Result<()> {
    for e in events {
        desk.transition(id, e).await?;
    }
    Ok(())
}

/// Adds the demo cases. Needs the demo accounts (`investigator`, `investigator2`,
/// `supervisor`, `office`).
pub async fn seed_cases(app: &App, ctx: &RequestCtx) -> Result<usize> {
    let inv = desk_of(app, ctx, "investigator").await?;
    let sup = desk_of(app, ctx, "supervisor").await?;
    let office = desk_of(app, ctx, "office").await?;
    let today = super::records::today(app);
    let day = |days_ago: i64| super::records::date_text(today - time::Duration::days(days_ago));
    let report = |text: &str, division: &str, days_ago: i64, missing: bool| NewCaseReport {
        summary: format!("示例案情：{text}（演示数据，纯属虚构）"),
        division: division.into(),
        occurred_on: day(days_ago),
        missing_person: missing,
    };
    let accept = |n: u32| TransitionInput {
        event: "accept".into(),
        receipt_number: format!("示例受案字〔2026〕{n:04}号"),
        ..Default::default()
    };
    let solve = TransitionInput {
        event: "solve".into(),
        facts_proven: true,
        suspect_identified: true,
        suspect_in_custody: true,
        ..Default::default()
    };
    let reason = |event: &str, text: &str| TransitionInput {
        event: event.into(),
        reason: text.into(),
        ..Default::default()
    };
    let registered_path = [accept(0), ev("start_review"), ev("register")];

    let mut made = 0;
    // 接报
    inv.register_report(&report(
        "群众来电反映某劳务中介扣押务工人员证件",
        "430203",
        2,
        false,
    ))
    .await?;
    made += 1;
    // 受案登记
    let c = inv
        .register_report(&report("某小区出现陌生人员向儿童搭讪", "430204", 3, false))
        .await?;
    walk(&inv, &c.id, &[accept(101)]).await?;
    made += 1;
    // 立案审查, extended to check clues
    let c = inv
        .register_report(&report("网络招聘以高薪诱骗女性赴外地", "430211", 5, false))
        .await?;
    walk(
        &inv,
        &c.id,
        &[
            accept(102),
            ev("start_review"),
            TransitionInput {
                event: "extend_review".into(),
                extension: "check_clues".into(),
                ..Default::default()
            },
        ],
    )
    .await?;
    made += 1;
    // 不予立案
    let c = inv
        .register_report(&report("邻里纠纷被误报为拐卖", "430202", 20, false))
        .await?;
    walk(
        &inv,
        &c.id,
        &[
            accept(103),
            ev("start_review"),
            reason(
                "decline_registration",
                "经审查系家庭成员间探视纠纷，没有犯罪事实。",
            ),
        ],
    )
    .await?;
    made += 1;
    // 立案 at once: a missing child
    let c = inv
        .register_report(&report("七岁男孩放学后失踪", "430202", 1, true))
        .await?;
    inv.add_person(
        &c.id,
        &NewCasePerson {
            role: "victim".into(),
            name: "示例·小明".into(),
            sex: "male".into(),
            age: Some(7),
            ..Default::default()
        },
    )
    .await?;
    walk(&inv, &c.id, &[accept(104)]).await?;
    made += 1;
    // 侦查, with a suspect shared with the solved case below (a serial-case proposal)
    let shared_suspect = demo_id("19800101", 11, false);
    let c1 = inv
        .register_report(&report("务工人员被强迫在砖厂劳动", "430202", 40, false))
        .await?;
    walk(&inv, &c1.id, &registered_path).await?;
    walk(&inv, &c1.id, &[ev("start_investigation")]).await?;
    inv.classify(
        &c1.id,
        &ClassificationInput {
            article: "244".into(),
            exploitation: vec!["labour".into()],
            means: vec!["coercion".into()],
            ..Default::default()
        },
    )
    .await?;
    inv.add_person(
        &c1.id,
        &NewCasePerson {
            role: "suspect".into(),
            name: "示例·张某甲".into(),
            id_number: shared_suspect.clone(),
            phone: "17000000101".into(),
            suspect_role: "主犯".into(),
            ..Default::default()
        },
    )
    .await?;
    inv.add_identifier(
        &c1.id,
        &NewIdentifier {
            kind: "vehicle".into(),
            value: "湘B12345".into(),
        },
    )
    .await?;
    made += 1;
    // 破案 → 侦查终结 → 移送起诉, and 破案 alone
    let mut solved_ids = Vec::new();
    for (i, text) in ["以介绍工作为名拐卖妇女", "收买被拐卖的妇女", "贩卖婴儿"]
        .iter()
        .enumerate()
    {
        let c = inv
            .register_report(&report(text, "430202", 60 + 10 * i as i64, false))
            .await?;
        walk(&inv, &c.id, &registered_path).await?;
        walk(&inv, &c.id, &[ev("start_investigation")]).await?;
        inv.classify(
            &c.id,
            &ClassificationInput {
                article: if i == 1 { "241" } else { "240" }.into(),
                acts: vec![if i == 1 { "buying" } else { "selling" }.into()],
                exploitation: vec![
                    if i == 2 {
                        "illegal_adoption"
                    } else {
                        "forced_marriage"
                    }
                    .into(),
                ],
                ..Default::default()
            },
        )
        .await?;
        let victim = inv
            .add_person(
                &c.id,
                &NewCasePerson {
                    role: "victim".into(),
                    name: format!("示例·受害人{}", i + 1),
                    id_number: demo_id("20000301", 20 + i as u16, true),
                    ..Default::default()
                },
            )
            .await?;
        let suspect = inv
            .add_person(
                &c.id,
                &NewCasePerson {
                    role: "suspect".into(),
                    name: format!("示例·李某{}", i + 1),
                    id_number: if i == 0 {
                        shared_suspect.clone()
                    } else {
                        demo_id("19750615", 30 + i as u16, false)
                    },
                    ..Default::default()
                },
            )
            .await?;
        let gang = inv.add_gang(&c.id, &format!("示例{}号团伙", i + 1)).await?;
        inv.update_person(
            &c.id,
            &suspect.id,
            &PersonStatus {
                in_custody_on: day(5),
                gang_id: gang.id.clone(),
                ..Default::default()
            },
        )
        .await?;
        inv.update_person(
            &c.id,
            &victim.id,
            &PersonStatus {
                rescued_on: day(5),
                ..Default::default()
            },
        )
        .await?;
        inv.break_up_gang(&c.id, &gang.id, &day(5)).await?;
        walk(&inv, &c.id, std::slice::from_ref(&solve)).await?;
        match i {
            0 => walk(&inv, &c.id, &[ev("conclude_investigation")]).await?,
            1 => {
                walk(
                    &inv,
                    &c.id,
                    &[ev("conclude_investigation"), ev("transfer_for_prosecution")],
                )
                .await?
            }
            _ => {}
        }
        solved_ids.push(c.id);
        made += 1;
    }
    // 撤案
    let c = inv
        .register_report(&report("疑似组织儿童乞讨", "430203", 30, false))
        .await?;
    walk(&inv, &c.id, &registered_path).await?;
    walk(
        &inv,
        &c.id,
        &[reason(
            "withdraw",
            "查明系监护人带子女街头卖艺，不构成犯罪，依法撤案。",
        )],
    )
    .await?;
    made += 1;
    // 移送管辖
    let c = inv
        .register_report(&report("外省线索：被拐妇女现居外地", "430211", 15, false))
        .await?;
    walk(
        &inv,
        &c.id,
        &[
            accept(105),
            TransitionInput {
                event: "transfer_jurisdiction".into(),
                authority_name: "示例市公安局某分局".into(),
                authority_division: "440304".into(),
                ..Default::default()
            },
        ],
    )
    .await?;
    made += 1;

    // The serial pair: confirm the proposal between the investigating and the first
    // solved case.
    let view = inv.get(&c1.id).await?;
    if let Some(link) = view.links.iter().find(|l| l.other_case_id == solved_ids[0]) {
        inv.review_link(&link.id, true, "同一犯罪嫌疑人身份证号，作案手法相同")
            .await?;
    }
    // The supervisor puts a second investigator on the serial case.
    sup.assign(&c1.id, "investigator2").await?;

    office
        .add_key_area(&NewKeyArea {
            division: "430202".into(),
            name: "示例·荷塘区劳务市场周边".into(),
            listed_on: day(90),
        })
        .await?;
    let op = office
        .add_operation(&NewOperation {
            name: "示例·打拐专项行动".into(),
            starts_on: day(120),
            ends_on: day(0),
            areas: vec!["430200".into()],
        })
        .await?;
    for id in &solved_ids {
        inv.attach_to_operation(&op.id, id).await?;
    }
    let s = office
        .open_supervision(&NewSupervision {
            case_id: c1.id.clone(),
            level: "city".into(),
            deadline: super::records::date_text(today + time::Duration::days(30)),
        })
        .await?;
    office
        .instruct(&s.id, "示例督办意见：十五日内查清用工链条并抓获在逃人员。")
        .await?;
    Ok(made)
}

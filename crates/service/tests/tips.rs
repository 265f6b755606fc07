//! Tips: the public line, deadlines and escalation, exactly one decision, the two-person
//! rule for no action, referrals, revealing the reporter, and who is refused what.

mod common;
use common::*;
use fanguai_domain::tips::{ContactForm, PublicStatus, PublicTipForm, RiskGroupForm, TipSource};
use fanguai_service::{AuditQuery, DecisionInput, PhotoUpload, ServiceError, Session, TipReceipt};

fn form(what: &str, child: bool, phone: &str) -> PublicTipForm {
    PublicTipForm {
        what_happened: what.into(),
        division: "430102".into(),
        address: "示例路1号".into(),
        date: "2025-05-01".into(),
        time: "20:30".into(),
        people_at_risk: vec![RiskGroupForm {
            count: "1".into(),
            sex: "female".into(),
            age_band: if child { "6-13".into() } else { "25-34".into() },
        }],
        suspects: vec!["中年男子，穿黑色外套".into()],
        vehicles: vec!["湘A12345".into()],
        phones: vec![phone.into()],
        accounts: vec![],
        child_involved: child,
        immediate_danger: false,
        contact: ContactForm {
            name: "测试举报人".into(),
            phone: "17000000099".into(),
        },
    }
}

async fn submit(t: &TestApp, what: &str, child: bool, phone: &str) -> TipReceipt {
    let desk = t.app.public_tips(&ctx());
    let tip = desk.validate(&form(what, child, phone)).unwrap();
    desk.submit(&tip, &[]).await.unwrap()
}

fn refused<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> &'static str {
    match r {
        Err(ServiceError::Refused { code }) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn invalid<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> String {
    match r {
        Err(ServiceError::Invalid { code, .. }) => code,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn not_found<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> String {
    match r {
        Err(e @ ServiceError::NotFound(_)) => e.to_string(),
        other => panic!("expected NotFound, got {other:?}"),
    }
}

/// The police staff and the other units every test needs.
async fn staff(t: &TestApp) -> Staff {
    Staff {
        inv: t.user("inv", "psb", "investigator").await,
        inv2: t.user("inv2", "psb", "investigator").await,
        sup: t.user("sup", "psb", "supervisor").await,
        sup2: t.user("sup2", "psb", "supervisor").await,
    }
}

struct Staff {
    inv: String,
    inv2: String,
    sup: String,
    sup2: String,
}

async fn desk(s: &Session) -> fanguai_service::TipDesk {
    s.tips().await.unwrap()
}

async fn reviewed(t: &TestApp, st: &Staff, what: &str) -> (TipReceipt, Session) {
    let r = submit(t, what, false, "13900001111").await;
    let inv = t.session("inv").await;
    let d = desk(&inv).await;
    d.acknowledge(&r.tip_id, &st.inv).await.unwrap();
    d.start_review(&r.tip_id).await.unwrap();
    (r, inv)
}

both_backends!(public_status_and_wrong_secret_look_like_unknown_code, |t| {
    let r = submit(
        &t,
        "车站附近有人带着一名哭闹的小女孩，形迹可疑。",
        true,
        "13900001111",
    )
    .await;
    let public = t.app.public_tips(&ctx());
    assert_eq!(
        public.status(&r.tracking_code, &r.secret).await.unwrap(),
        PublicStatus::Received
    );
    // Typed loosely: lower case, spaces instead of hyphens.
    let loose = r.tracking_code.to_lowercase().replace('-', " ");
    assert_eq!(
        public
            .status(&loose, &r.secret.to_lowercase())
            .await
            .unwrap(),
        PublicStatus::Received
    );
    let other = submit(
        &t,
        "另一条举报：网上招工广告要求先交押金。",
        false,
        "13900002222",
    )
    .await;
    let wrong_secret = not_found(public.status(&r.tracking_code, &other.secret).await);
    let unknown_code = {
        // A well-formed code (its check character agrees) that no tip has.
        let mut code = None;
        for _ in 0..50 {
            let c = submit(
                &t,
                "第三条举报：工地工人被限制离开，工资长期被扣。",
                false,
                "13900003333",
            )
            .await;
            code.get_or_insert(c.tracking_code.clone());
        }
        let c = code.unwrap();
        // Swap to another tip's code with r's secret: still unknown to that secret.
        not_found(public.status(&c, &r.secret).await)
    };
    assert_eq!(wrong_secret, unknown_code);
    assert_eq!(
        not_found(public.status(&r.tracking_code, "short").await),
        wrong_secret
    );
    assert_eq!(
        invalid(public.status("ABCD-EFGH-JKMN", &r.secret).await),
        "tracking_code.check"
    );
    // Adding information needs both, and shows up for the investigator.
    assert_eq!(
        not_found(
            public
                .add_information(&r.tracking_code, &other.secret, "补充：车牌号后两位是45")
                .await
        ),
        wrong_secret
    );
    public
        .add_information(&r.tracking_code, &r.secret, "补充：车牌号后两位是45")
        .await
        .unwrap();
    t.user("inv", "psb", "investigator").await;
    let inv = t.session("inv").await;
    let d = desk(&inv).await.get(&r.tip_id).await.unwrap();
    assert_eq!(d.additions.len(), 1);
    assert_eq!(d.additions[0].text, "补充：车牌号后两位是45");
    assert_eq!(d.summary.state, "received");
    assert!(format!("{r:?}").contains("***") && !format!("{r:?}").contains(&r.secret));
});

both_backends!(deadlines_escalation_and_home_panels, |t| {
    staff(&t).await;
    t.user("office", "psb", "office").await;
    let urgent = submit(
        &t,
        "有人在医院附近打听哪里可以买到婴儿。",
        true,
        "13900001111",
    )
    .await;
    let normal = submit(
        &t,
        "饭店老板拒绝让员工回家，员工看起来很害怕。",
        false,
        "13900002222",
    )
    .await;
    let sup = t.session("sup").await;
    let list = desk(&sup).await.list().await.unwrap();
    let u = list.iter().find(|s| s.id == urgent.tip_id).unwrap();
    let n = list.iter().find(|s| s.id == normal.tip_id).unwrap();
    assert_eq!(u.ack_deadline_ms - u.received_at_ms, 3_600_000);
    assert_eq!(n.ack_deadline_ms - n.received_at_ms, 24 * 3_600_000);
    assert!(!u.overdue);

    assert_eq!(t.app.escalate_overdue_tips(&ctx()).await.unwrap(), 0);
    t.app.clock().advance_secs(3600 + 60);
    assert_eq!(t.app.escalate_overdue_tips(&ctx()).await.unwrap(), 1);
    assert_eq!(
        t.app.escalate_overdue_tips(&ctx()).await.unwrap(),
        0,
        "once"
    );

    let sup = t.session("sup").await;
    let panel = t.app.overdue_for(&sup).await.unwrap();
    assert_eq!(panel.len(), 1);
    assert_eq!(panel[0].id, urgent.tip_id);
    assert!(panel[0].escalated && panel[0].overdue && !panel[0].masked);
    let office = t.session("office").await;
    let panel = t.app.overdue_for(&office).await.unwrap();
    assert_eq!(panel.len(), 1);
    assert!(panel[0].masked && panel[0].excerpt.is_none());
    let inv = t.session("inv").await;
    assert!(t.app.overdue_for(&inv).await.unwrap().is_empty());
    let d = desk(&sup).await.get(&urgent.tip_id).await.unwrap();
    assert!(d.history.iter().any(|h| h.kind == "escalated"));

    // Acknowledged late: off the overdue panel, the escalation stays on record.
    desk(&sup)
        .await
        .acknowledge(&urgent.tip_id, &sup.actor().user_id)
        .await
        .unwrap();
    assert!(t.app.overdue_for(&sup).await.unwrap().is_empty());
    t.app.clock().advance_secs(23 * 3600);
    assert_eq!(t.app.escalate_overdue_tips(&ctx()).await.unwrap(), 1);
    let sup = t.session("sup").await;
    let panel = t.app.overdue_for(&sup).await.unwrap();
    assert_eq!(
        panel.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        [normal.tip_id]
    );
});

both_backends!(every_tip_ends_with_exactly_one_decision, |t| {
    let st = staff(&t).await;
    let (r, inv) = reviewed(&t, &st, "小区里有一辆面包车多次夜间接送未成年人。").await;
    let public = t.app.public_tips(&ctx());
    assert_eq!(
        public.status(&r.tracking_code, &r.secret).await.unwrap(),
        PublicStatus::BeingHandled
    );
    let d = desk(&inv).await;
    d.decide(&r.tip_id, &DecisionInput::OpenCase).await.unwrap();
    assert_eq!(
        invalid(
            d.decide(
                &r.tip_id,
                &DecisionInput::JoinCase {
                    case_id: "C-1".into()
                }
            )
            .await
        ),
        "tip.transition.not_allowed"
    );
    assert_eq!(
        public.status(&r.tracking_code, &r.secret).await.unwrap(),
        PublicStatus::Closed
    );
    let detail = d.get(&r.tip_id).await.unwrap();
    assert_eq!(detail.summary.decision.as_deref(), Some("open_case"));
    assert_eq!(detail.actions, ["reveal_reporter"], "no transition is left");
    let kinds: Vec<_> = detail.history.iter().map(|h| h.kind.as_str()).collect();
    assert_eq!(kinds, ["received", "acknowledge", "start_review", "decide"]);

    // Join the case the first tip opened; the case reference is kept.
    let opened = detail
        .case_ref
        .clone()
        .expect("the opened case is referenced");
    let (r2, _) = reviewed(&t, &st, "有人在聊天群里介绍跨境婚姻，收取高额费用。").await;
    d.decide(
        &r2.tip_id,
        &DecisionInput::JoinCase {
            case_id: opened.clone(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        d.get(&r2.tip_id).await.unwrap().case_ref.as_deref(),
        Some(opened.as_str())
    );

    // Order is enforced: no decision before the review started.
    let r3 = submit(
        &t,
        "学校附近有陌生人多次向学生搭讪询问家庭情况。",
        true,
        "13900004444",
    )
    .await;
    assert_eq!(
        invalid(d.decide(&r3.tip_id, &DecisionInput::OpenCase).await),
        "tip.transition.not_allowed"
    );
    // An assignee must be an investigator of the owning unit.
    t.user("cw.civil", "civil-affairs", "caseworker").await;
    let cw_id = t.user("cw.psb", "psb", "caseworker").await;
    assert_eq!(
        invalid(d.acknowledge(&r3.tip_id, &cw_id).await),
        "tip.assignee.not_investigator"
    );
    let _ = st.inv2;
});

both_backends!(no_action_needs_reason_and_a_second_supervisor, |t| {
    let st = staff(&t).await;
    let (r, inv) = reviewed(&t, &st, "邻居家来了一个不会说本地话的年轻女子。").await;
    let d = desk(&inv).await;
    assert_eq!(
        invalid(
            d.decide(
                &r.tip_id,
                &DecisionInput::NoAction {
                    reason: "无异常".into()
                }
            )
            .await
        ),
        "tip.no_action_reason.too_short"
    );
    let reason = "经走访核实，该女子系邻居亲属，来此探亲，证件齐全，本人确认自愿。";
    d.decide(
        &r.tip_id,
        &DecisionInput::NoAction {
            reason: reason.into(),
        },
    )
    .await
    .unwrap();
    let public = t.app.public_tips(&ctx());
    assert_eq!(
        public.status(&r.tracking_code, &r.secret).await.unwrap(),
        PublicStatus::BeingHandled,
        "no action takes effect only when approved"
    );
    let detail = d.get(&r.tip_id).await.unwrap();
    assert_eq!(detail.summary.state, "no_action_pending");
    assert_eq!(detail.no_action_pending.as_ref().unwrap().reason, reason);
    // The investigator cannot approve their own proposal.
    assert_eq!(
        invalid(d.approve_no_action(&r.tip_id).await),
        "tip.transition.role_required"
    );
    // A supervisor sends it back; the investigator decides otherwise.
    let sup = desk(&t.session("sup").await).await;
    sup.reject_no_action(&r.tip_id).await.unwrap();
    assert_eq!(
        d.get(&r.tip_id).await.unwrap().summary.state,
        "under_review"
    );

    // A supervisor who proposed cannot approve; another supervisor can.
    sup.decide(
        &r.tip_id,
        &DecisionInput::NoAction {
            reason: reason.into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        invalid(sup.approve_no_action(&r.tip_id).await),
        "tip.no_action.same_reviewer"
    );
    let sup2 = desk(&t.session("sup2").await).await;
    sup2.approve_no_action(&r.tip_id).await.unwrap();
    assert_eq!(
        public.status(&r.tracking_code, &r.secret).await.unwrap(),
        PublicStatus::Closed
    );
    let detail = d.get(&r.tip_id).await.unwrap();
    assert_eq!(detail.summary.decision.as_deref(), Some("no_action"));
    let _ = (st.sup, st.sup2);
});

both_backends!(
    referral_is_seen_and_acknowledged_by_the_receiving_unit,
    |t| {
        let st = staff(&t).await;
        t.user("liaison.labour", "labour", "liaison").await;
        t.user("cw.civil", "civil-affairs", "caseworker").await;
        let (r, inv) = reviewed(&t, &st, "工地上有几名工人说工资长期被扣，想回家。").await;
        let d = desk(&inv).await;
        assert_eq!(
            invalid(
                d.decide(
                    &r.tip_id,
                    &DecisionInput::Refer {
                        to_unit: "psb".into(),
                        reason: "移交本单位".into()
                    }
                )
                .await
            ),
            "tip.referral.own_unit"
        );
        d.decide(
            &r.tip_id,
            &DecisionInput::Refer {
                to_unit: "labour".into(),
                reason: "属劳动争议，移交劳动保障部门".into(),
            },
        )
        .await
        .unwrap();
        let public = t.app.public_tips(&ctx());
        assert_eq!(
            public.status(&r.tracking_code, &r.secret).await.unwrap(),
            PublicStatus::BeingHandled
        );
        // Another unit cannot acknowledge, and sees nothing in its inbox.
        let cw = desk(&t.session("cw.civil").await).await;
        assert!(cw.referral_inbox().await.unwrap().is_empty());
        assert_eq!(
            refused(cw.acknowledge_referral(&r.tip_id).await),
            "not_referred"
        );
        assert_eq!(refused(cw.get(&r.tip_id).await), "role");

        let labour = desk(&t.session("liaison.labour").await).await;
        let inbox = labour.referral_inbox().await.unwrap();
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox[0].0.reason, "属劳动争议，移交劳动保障部门");
        assert_eq!(inbox[0].2, "工地上有几名工人说工资长期被扣，想回家。");
        assert!(inbox[0].0.acknowledged_at_ms.is_none());
        labour.acknowledge_referral(&r.tip_id).await.unwrap();
        assert_eq!(
            public.status(&r.tracking_code, &r.secret).await.unwrap(),
            PublicStatus::Closed
        );
        assert!(labour.acknowledge_referral(&r.tip_id).await.is_err());
        assert!(
            labour.referral_inbox().await.unwrap()[0]
                .0
                .acknowledged_at_ms
                .is_some()
        );
    }
);

both_backends!(
    reporter_revealed_only_to_assignee_and_supervisor_with_purpose,
    |t| {
        let st = staff(&t).await;
        t.user("office", "psb", "office").await;
        let (r, inv) = reviewed(&t, &st, "有人说可以帮忙介绍去外地打工，但不告诉地点。").await;
        let d = desk(&inv).await;
        assert!(
            d.get(&r.tip_id)
                .await
                .unwrap()
                .actions
                .contains(&"reveal_reporter")
        );
        assert_eq!(
            invalid(d.reveal_reporter(&r.tip_id, "").await),
            "purpose.too_short"
        );
        let purpose = "需要回访举报人核实车辆信息";
        let who = d.reveal_reporter(&r.tip_id, purpose).await.unwrap();
        assert_eq!(who.name.as_deref(), Some("测试举报人"));
        assert_eq!(who.phone.as_deref(), Some("17000000099"));
        let sup = desk(&t.session("sup").await).await;
        assert!(sup.reveal_reporter(&r.tip_id, purpose).await.is_ok());
        let inv2 = desk(&t.session("inv2").await).await;
        assert!(
            !inv2
                .get(&r.tip_id)
                .await
                .unwrap()
                .actions
                .contains(&"reveal_reporter")
        );
        assert_eq!(
            refused(inv2.reveal_reporter(&r.tip_id, purpose).await),
            "not_assigned"
        );
        let office = desk(&t.session("office").await).await;
        assert_eq!(
            refused(office.reveal_reporter(&r.tip_id, purpose).await),
            "role"
        );

        t.user("auditor", "psb", "auditor").await;
        let audit = t.session("auditor").await.auditor().await.unwrap();
        let page = audit
            .list(&AuditQuery {
                action: Some("tip.reveal_reporter".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        let ok: Vec<_> = page.events.iter().filter(|e| e.outcome == "ok").collect();
        assert_eq!(ok.len(), 2);
        assert!(
            ok.iter()
                .all(|e| e.purpose == purpose && e.record_id == r.tip_id)
        );
        assert_eq!(
            page.events
                .iter()
                .filter(|e| e.outcome == "refused")
                .count(),
            2
        );
        let _ = st.inv;
    }
);

both_backends!(refusals_and_masking_by_role, |t| {
    staff(&t).await;
    t.user("office", "psb", "office").await;
    t.user("convenor", "psb", "convenor").await;
    t.user("cw.civil", "civil-affairs", "caseworker").await;
    t.user("admin2", "psb", "admin").await;
    t.user("auditor", "psb", "auditor").await;
    t.user("lab", "psb", "lab").await;
    t.user("inv.j", "justice", "investigator").await;
    let r = submit(
        &t,
        "网上有人发布高薪招工广告，要求先交押金并扣押身份证。",
        false,
        "13900001111",
    )
    .await;

    for (who, code) in [
        ("admin2", "admin_no_case_data"),
        ("auditor", "role"),
        ("lab", "role"),
    ] {
        assert_eq!(refused(t.session(who).await.tips().await), code, "{who}");
    }
    let cw = desk(&t.session("cw.civil").await).await;
    assert_eq!(refused(cw.list().await), "role");
    assert_eq!(refused(cw.get(&r.tip_id).await), "role");
    let other = desk(&t.session("inv.j").await).await;
    assert_eq!(refused(other.get(&r.tip_id).await), "unit");
    assert_eq!(refused(other.duplicates(&r.tip_id).await), "unit");
    assert!(other.list().await.unwrap().is_empty());

    for who in ["office", "convenor"] {
        let d = desk(&t.session(who).await).await;
        let list = d.list().await.unwrap();
        assert_eq!(list.len(), 1);
        assert!(list[0].masked && list[0].excerpt.is_none(), "{who}");
        let detail = d.get(&r.tip_id).await.unwrap();
        assert!(detail.summary.masked);
        assert!(
            detail.what_happened.is_none() && detail.phones.is_empty() && detail.address.is_none()
        );
        assert!(detail.actions.is_empty());
        assert_eq!(refused(d.acknowledge(&r.tip_id, "x").await), "role");
        assert_eq!(refused(d.start_review(&r.tip_id).await), "role");
    }
    let inv = desk(&t.session("inv").await).await;
    let list = inv.list().await.unwrap();
    assert!(!list[0].masked);
    assert!(list[0].excerpt.as_deref().unwrap().starts_with("网上有人"));
    let detail = inv.get(&r.tip_id).await.unwrap();
    assert_eq!(detail.phones, ["13900001111"]);
    assert_eq!(detail.vehicles, ["湘A12345"]);
    assert!(detail.actions.contains(&"acknowledge"));
});

both_backends!(staff_entry_and_duplicates, |t| {
    let st = staff(&t).await;
    t.user("liaison.education", "education", "liaison").await;
    let inv = desk(&t.session("inv").await).await;
    let a = submit(
        &t,
        "车站附近有人带着一名哭闹的小女孩，形迹可疑。",
        true,
        "13900001111",
    )
    .await;
    let school = desk(&t.session("liaison.education").await).await;
    let tip = school
        .validate(&form(
            "学校报告：一名学生说有陌生男子在校门口多次接触她。",
            true,
            "13900001111",
        ))
        .unwrap();
    let b = school
        .enter(
            &fanguai_service::parse_source("mandatory_reporter", "school").unwrap(),
            &tip,
            &[],
        )
        .await
        .unwrap();
    let unrelated = {
        let mut f = form(
            "完全不同的事情，在另外的地方发生，与此无关的说明文字。",
            false,
            "13900009999",
        );
        f.vehicles = vec!["粤B54321".into()];
        f.division = "430103".into();
        let p = t.app.public_tips(&ctx());
        p.submit(&p.validate(&f).unwrap(), &[]).await.unwrap()
    };
    let dups = inv.duplicates(&a.tip_id).await.unwrap();
    assert_eq!(dups.len(), 1, "{dups:?}");
    assert_eq!(dups[0].tip_id, b.tip_id);
    assert!(dups[0].reasons.contains(&"same_phone"));
    assert!(dups[0].score >= 40);
    assert!(!dups.iter().any(|d| d.tip_id == unrelated.tip_id));
    // A liaison's tip goes to the police, marked with its source.
    let detail = inv.get(&b.tip_id).await.unwrap();
    assert_eq!(detail.summary.owner_unit_id, "psb");
    assert_eq!(detail.summary.source, "mandatory_reporter");
    // Staff phone-line entry by an investigator.
    let tip = inv
        .validate(&form(
            "举报电话：有人在火车站拉客介绍工作。",
            false,
            "13900005555",
        ))
        .unwrap();
    inv.enter(&TipSource::PhoneLine, &tip, &[]).await.unwrap();
    assert!(matches!(
        fanguai_service::parse_source("fax", ""),
        Err(ServiceError::Invalid {
            field: "source",
            ..
        })
    ));
    let _ = st;
});

/// A JPEG whose EXIF block carries a GPS position.
fn jpeg_with_gps() -> Vec<u8> {
    fn seg(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![0xFF, marker];
        v.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        v.extend_from_slice(body);
        v
    }
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
    exif.extend_from_slice(b"GPSLatitude 28.1937N GPSLongitude 112.9788E");
    let mut v = vec![0xFF, 0xD8];
    v.extend(seg(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    v.extend(seg(0xE1, &exif));
    v.extend(seg(0xDB, &[0u8; 65]));
    v.extend(seg(0xDA, &[1, 2, 3]));
    v.extend_from_slice(&[0x12, 0x34, 0xFF, 0xD9]);
    v
}

both_backends!(photos_are_checked_and_stripped, |t| {
    staff(&t).await;
    let public = t.app.public_tips(&ctx());
    let tip = public
        .validate(&form(
            "拍到了可疑车辆和人员的照片，请核查。",
            false,
            "13900001111",
        ))
        .unwrap();
    let photo = PhotoUpload {
        bytes: jpeg_with_gps(),
    };
    let r = public
        .submit(&tip, std::slice::from_ref(&photo))
        .await
        .unwrap();
    let inv = desk(&t.session("inv").await).await;
    let detail = inv.get(&r.tip_id).await.unwrap();
    assert_eq!(detail.photos.len(), 1);
    assert_eq!(detail.photos[0].content_type, "image/jpeg");
    let (ct, bytes) = inv.photo(&r.tip_id, &detail.photos[0].id).await.unwrap();
    assert_eq!(ct, "image/jpeg");
    let has = |n: &[u8]| bytes.windows(n.len()).any(|w| w == n);
    assert!(!has(b"GPSLatitude") && !has(b"Exif"));
    assert!(bytes.ends_with(&[0x12, 0x34, 0xFF, 0xD9]));

    let six = vec![photo.clone(); 6];
    assert_eq!(
        invalid(public.submit(&tip, &six).await),
        "tip.photo.too_many"
    );
    let gif = PhotoUpload {
        bytes: b"GIF89a\x01\0\x01\0".to_vec(),
    };
    assert_eq!(invalid(public.submit(&tip, &[gif]).await), "tip.photo.type");
    let mut big = jpeg_with_gps();
    big.resize(fanguai_service::MAX_PHOTO_BYTES + 1, 0);
    assert_eq!(
        invalid(public.submit(&tip, &[PhotoUpload { bytes: big }]).await),
        "tip.photo.too_large"
    );
    // The office reads masked and gets no photo.
    t.user("office", "psb", "office").await;
    let office = desk(&t.session("office").await).await;
    assert_eq!(
        refused(office.photo(&r.tip_id, &detail.photos[0].id).await),
        "role"
    );
});

async fn count(t: &TestApp, sql: &str, arg: &str) -> i64 {
    let mut c = t.app.store().conn().await.unwrap();
    fanguai_store::sqlx::query_scalar::<_, i64>(sql)
        .bind(arg)
        .fetch_one(&mut *c)
        .await
        .unwrap()
}

both_backends!(
    open_case_and_join_case_write_the_case_with_the_decision,
    |t| {
        let st = staff(&t).await;
        t.user("inv.labour", "labour", "investigator").await;
        let (r, inv) = reviewed(&t, &st, "有人在车站附近带着一名哭闹的小女孩，形迹可疑。").await;
        let d = desk(&inv).await;
        d.decide(&r.tip_id, &DecisionInput::OpenCase).await.unwrap();
        let tip = d.get(&r.tip_id).await.unwrap();
        let case_id = tip.case_ref.clone().expect("the tip names its case");
        let cases = inv.cases().await.unwrap();
        let case = cases.get(&case_id).await.unwrap();
        assert_eq!(case.summary.owner_unit_id, "psb");
        assert_eq!(case.summary.division, "430102");
        assert_eq!(case.summary.occurred_on, "2025-05-01");
        assert_eq!(
            case.text.as_deref(),
            Some("有人在车站附近带着一名哭闹的小女孩，形迹可疑。")
        );
        assert_eq!(case.assignees, ["inv"]);
        assert_eq!(case.tips.len(), 1);
        assert_eq!(
            (case.tips[0].tip_id.as_str(), case.tips[0].how),
            (r.tip_id.as_str(), "opened")
        );
        assert!(
            tip.history
                .iter()
                .any(|h| h.kind == "decide" && h.detail.contains(&case_id)),
            "the decision's history names the case"
        );

        // Joining: the link is recorded on both sides.
        let (r2, _) = reviewed(&t, &st, "有人在聊天群里介绍跨境婚姻，收取高额费用。").await;
        d.decide(
            &r2.tip_id,
            &DecisionInput::JoinCase {
                case_id: format!(" {case_id} "),
            },
        )
        .await
        .unwrap();
        assert_eq!(
            d.get(&r2.tip_id).await.unwrap().case_ref.as_deref(),
            Some(case_id.as_str())
        );
        let case = cases.get(&case_id).await.unwrap();
        let tips: Vec<_> = case
            .tips
            .iter()
            .map(|t| (t.tip_id.clone(), t.how))
            .collect();
        assert_eq!(
            tips,
            [(r.tip_id.clone(), "opened"), (r2.tip_id.clone(), "joined")]
        );
        assert!(
            case.history
                .iter()
                .any(|h| h.event == "tip_joined" && h.reason == r2.tip_id)
        );

        // An unknown case: a field error, nothing written.
        let (r3, _) = reviewed(&t, &st, "工地上有几名工人说被限制离开，工资长期被扣。").await;
        let before_cases = count(
            &t,
            "SELECT COUNT(*) FROM cases WHERE owner_unit_id = $1",
            "psb",
        )
        .await;
        match d
            .decide(
                &r3.tip_id,
                &DecisionInput::JoinCase {
                    case_id: "no-such-case".into(),
                },
            )
            .await
        {
            Err(ServiceError::Invalid { field, code }) => {
                assert_eq!((field, code.as_str()), ("case_id", "tip.case_id.unknown"));
            }
            other => panic!("expected a field error, got {other:?}"),
        }
        let t3 = d.get(&r3.tip_id).await.unwrap();
        assert_eq!(t3.summary.state, "under_review");
        assert!(t3.case_ref.is_none() && t3.summary.decision.is_none());

        // A case of another unit: refused (audited), nothing written on either side.
        let labour_case = t
            .session("inv.labour")
            .await
            .cases()
            .await
            .unwrap()
            .register_report(&fanguai_service::cases::NewCaseReport {
                summary: "劳动监察发现工地扣押工人身份证件。".into(),
                division: "430102".into(),
                occurred_on: "2025-04-01".into(),
                missing_person: false,
            })
            .await
            .unwrap();
        let events_before = count(
            &t,
            "SELECT COUNT(*) FROM case_events WHERE case_id = $1",
            &labour_case.id,
        )
        .await;
        let refusals_before = count(
            &t,
            "SELECT COUNT(*) FROM audit_events WHERE action = $1 AND outcome <> 'ok'",
            "tip.join_case",
        )
        .await;
        match d
            .decide(
                &r3.tip_id,
                &DecisionInput::JoinCase {
                    case_id: labour_case.id.clone(),
                },
            )
            .await
        {
            Err(ServiceError::Invalid { field, code }) => {
                assert_eq!((field, code.as_str()), ("case_id", "tip.case_id.refused"));
            }
            other => panic!("expected a field error, got {other:?}"),
        }
        let t3 = d.get(&r3.tip_id).await.unwrap();
        assert_eq!(t3.summary.state, "under_review");
        assert!(t3.case_ref.is_none());
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM case_events WHERE case_id = $1",
                &labour_case.id
            )
            .await,
            events_before
        );
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM audit_events WHERE action = $1 AND outcome <> 'ok'",
                "tip.join_case"
            )
            .await,
            refusals_before + 1,
            "the refusal is audited"
        );
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM cases WHERE owner_unit_id = $1",
                "psb"
            )
            .await,
            before_cases
        );

        // A tip opens at most one case: deciding again is refused by the tip, no case added.
        assert_eq!(
            invalid(d.decide(&r.tip_id, &DecisionInput::OpenCase).await),
            "tip.transition.not_allowed"
        );
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM cases WHERE tip_id = $1",
                &r.tip_id
            )
            .await,
            1
        );

        // The tip refused a case is still open to a decision.
        d.decide(&r3.tip_id, &DecisionInput::OpenCase)
            .await
            .unwrap();
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM cases WHERE tip_id = $1",
                &r3.tip_id
            )
            .await,
            1
        );
    }
);

both_backends!(demo_has_tips_in_every_state, |t| {
    t.user("investigator", "psb", "investigator").await;
    t.user("supervisor", "psb", "supervisor").await;
    t.user("liaison.labour", "labour", "liaison").await;
    assert_eq!(
        fanguai_service::seed_tips(&t.app, &ctx()).await.unwrap(),
        10
    );
    let mut c = t.app.store().conn().await.unwrap();
    let list = fanguai_store::tips::list(&mut c, &Default::default())
        .await
        .unwrap();
    for state in fanguai_store::tips::STATES {
        assert!(
            list.iter().any(|r| r.state == *state),
            "no demo tip in state {state}"
        );
    }
    for decision in ["open_case", "join_case", "refer", "no_action"] {
        assert!(
            list.iter().any(|r| r.decision.as_deref() == Some(decision)),
            "{decision}"
        );
    }
});

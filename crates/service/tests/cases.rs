//! The case desk: the whole lifecycle through the domain's state machine, fast-track
//! registration, serial-case proposals, blind-index search, masked views, oversight,
//! figures, and every refusal per role — each audited.

mod common;
use common::*;
use fanguai_domain::cases::{CaseEventKind, CaseStateKind};
use fanguai_domain::ids::check_character;
use fanguai_service::cases::{FigureQuery, NewKeyArea, NewOperation, NewSupervision};
use fanguai_service::{
    AuditQuery, CaseDesk, ClassificationInput, NewCasePerson, NewCaseReport, NewIdentifier,
    PersonStatus, ServiceError, TransitionInput,
};
use fanguai_store::sqlx;

fn refused<T: std::fmt::Debug>(r: Result<T, ServiceError>, code: &str) {
    match r {
        Err(ServiceError::Refused { code: c }) => assert_eq!(c, code),
        other => panic!("expected refusal {code}, got {other:?}"),
    }
}

fn invalid<T: std::fmt::Debug>(r: Result<T, ServiceError>, field: &str, code: &str) {
    match r {
        Err(ServiceError::Invalid { field: f, code: c }) => {
            assert_eq!((f, c.as_str()), (field, code))
        }
        other => panic!("expected invalid {field}/{code}, got {other:?}"),
    }
}

fn report(text: &str) -> NewCaseReport {
    NewCaseReport {
        summary: format!("测试案情：{text}，供测试使用"),
        division: "430202".into(),
        occurred_on: "2026-01-10".into(),
        missing_person: false,
    }
}

fn ev(event: &str) -> TransitionInput {
    TransitionInput {
        event: event.into(),
        ..Default::default()
    }
}

fn accept() -> TransitionInput {
    TransitionInput {
        event: "accept".into(),
        receipt_number: "株公（荷）受案字〔2026〕0001号".into(),
        ..Default::default()
    }
}

fn with_reason(event: &str) -> TransitionInput {
    TransitionInput {
        event: event.into(),
        reason: "经审查没有犯罪事实发生，依法处理。".into(),
        ..Default::default()
    }
}

fn solve() -> TransitionInput {
    TransitionInput {
        event: "solve".into(),
        facts_proven: true,
        suspect_identified: true,
        suspect_in_custody: true,
        ..Default::default()
    }
}

fn transfer() -> TransitionInput {
    TransitionInput {
        event: "transfer_jurisdiction".into(),
        authority_name: "深圳市公安局福田分局".into(),
        authority_division: "440304".into(),
        ..Default::default()
    }
}

fn id_number(birth: &str, seq: u16) -> String {
    let first17 = format!("430202{birth}{seq:03}");
    format!("{first17}{}", check_character(&first17).unwrap())
}

// Investigators inv1/inv2 and supervisor sup1 of the police, an investigator of
// another unit, office, convenor, caseworker, admin, auditor, lab and liaison.
async fn staff(t: &TestApp) {
    for (u, unit, role) in [
        ("inv1", "psb", "investigator"),
        ("inv2", "psb", "investigator"),
        ("sup1", "psb", "supervisor"),
        ("inv.other", "labour", "investigator"),
        ("office1", "psb", "office"),
        ("convenor1", "psb", "convenor"),
        ("cw1", "civil-affairs", "caseworker"),
        ("admin1", "psb", "admin"),
        ("auditor1", "psb", "auditor"),
        ("lab1", "psb", "lab"),
        ("liaison1", "education", "liaison"),
    ] {
        t.user(u, unit, role).await;
    }
}

async fn desk(t: &TestApp, u: &str) -> CaseDesk {
    t.session(u).await.cases().await.unwrap()
}

async fn state_of(d: &CaseDesk, id: &str) -> String {
    d.get(id).await.unwrap().summary.state.to_owned()
}

async fn audit_count(t: &TestApp, action: &str, outcome: &str) -> i64 {
    let mut c = t.app.store().conn().await.unwrap();
    sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM audit_events WHERE action = $1 AND outcome = $2",
    )
    .bind(action)
    .bind(outcome)
    .fetch_one(&mut *c)
    .await
    .unwrap()
}

// Every path through the lifecycle the domain allows, each checked at every step.
both_backends!(lifecycle_paths, |t| {
    staff(&t).await;
    let inv = desk(&t, "inv1").await;
    let sup = desk(&t, "sup1").await;
    let paths: Vec<(Vec<TransitionInput>, &str)> = vec![
        (vec![accept()], "accepted"),
        (
            vec![accept(), ev("start_review")],
            "under_registration_review",
        ),
        (
            vec![
                accept(),
                ev("start_review"),
                with_reason("decline_registration"),
            ],
            "not_registered",
        ),
        (vec![accept(), transfer()], "transferred_jurisdiction"),
        (
            vec![accept(), ev("start_review"), transfer()],
            "transferred_jurisdiction",
        ),
        (
            vec![
                accept(),
                ev("start_review"),
                ev("register"),
                with_reason("withdraw"),
            ],
            "withdrawn",
        ),
        (
            vec![accept(), ev("start_review"), ev("register"), transfer()],
            "transferred_jurisdiction",
        ),
        (
            vec![
                accept(),
                ev("start_review"),
                ev("register"),
                ev("start_investigation"),
                with_reason("withdraw"),
            ],
            "withdrawn",
        ),
        (
            vec![
                accept(),
                ev("start_review"),
                ev("register"),
                ev("start_investigation"),
                transfer(),
            ],
            "transferred_jurisdiction",
        ),
        (
            vec![
                accept(),
                ev("start_review"),
                TransitionInput {
                    event: "extend_review".into(),
                    extension: "check_clues".into(),
                    ..Default::default()
                },
                ev("register"),
                ev("start_investigation"),
                solve(),
                ev("conclude_investigation"),
                ev("transfer_for_prosecution"),
            ],
            "transferred_for_prosecution",
        ),
    ];
    for (events, end) in paths {
        let c = inv.register_report(&report("路径测试")).await.unwrap();
        assert_eq!(c.state, "reported");
        for e in &events {
            let s = inv.transition(&c.id, e).await.unwrap();
            assert_eq!(state_of(&inv, &c.id).await, s.state);
        }
        let view = inv.get(&c.id).await.unwrap();
        assert_eq!(view.summary.state, end);
        assert_eq!(view.history.len(), events.len() + 1);
        assert_eq!(view.history[0].event, "report");
        assert!(view.history.iter().all(|h| h.actor == "inv1"));
        let kind = CaseStateKind::ALL
            .into_iter()
            .find(|k| k.id() == end)
            .unwrap();
        // Registration at once is only offered to a qualifying missing-person case.
        let offered: Vec<&str> = kind
            .allowed_events()
            .iter()
            .filter(|e| **e != CaseEventKind::FastTrackRegister)
            .map(|e| e.id())
            .collect();
        assert_eq!(view.next_events, offered);
        if kind.is_final() {
            // A final state takes no event at all.
            for e in CaseEventKind::ALL {
                invalid(
                    inv.transition(&c.id, &ev(e.id())).await,
                    "event",
                    "case.transition.not_allowed",
                );
            }
        }
    }
    // The 30-day extension needs a supervisor's approval.
    let c = inv.register_report(&report("复杂案件")).await.unwrap();
    inv.transition(&c.id, &accept()).await.unwrap();
    inv.transition(&c.id, &ev("start_review")).await.unwrap();
    let complex = TransitionInput {
        event: "extend_review".into(),
        extension: "complex_approved".into(),
        ..Default::default()
    };
    invalid(
        inv.transition(&c.id, &complex).await,
        "extension",
        "case.review.approval_required",
    );
    let s = sup.transition(&c.id, &complex).await.unwrap();
    assert_eq!(s.state, "under_registration_review");
    assert!(s.review_deadline.is_some());
    // Extensions only lengthen.
    invalid(
        sup.transition(
            &c.id,
            &TransitionInput {
                event: "extend_review".into(),
                extension: "check_clues".into(),
                ..Default::default()
            },
        )
        .await,
        "event",
        "case.review.extension_not_longer",
    );
});

// Every state refuses every event it does not accept, with the domain's code, and
// leaves the case unchanged.
both_backends!(lifecycle_refusals, |t| {
    staff(&t).await;
    let inv = desk(&t, "inv1").await;
    let c = inv.register_report(&report("拒绝测试")).await.unwrap();
    let route = [
        accept(),
        ev("start_review"),
        ev("register"),
        ev("start_investigation"),
        solve(),
        ev("conclude_investigation"),
    ];
    for step in route.iter() {
        let here = state_of(&inv, &c.id).await;
        let kind = CaseStateKind::ALL
            .into_iter()
            .find(|k| k.id() == here)
            .unwrap();
        for e in CaseEventKind::ALL {
            if !kind.allowed_events().contains(&e) {
                invalid(
                    inv.transition(&c.id, &ev(e.id())).await,
                    "event",
                    "case.transition.not_allowed",
                );
                assert_eq!(state_of(&inv, &c.id).await, here);
            }
        }
        inv.transition(&c.id, step).await.unwrap();
    }
    // Field checks of allowed events.
    let d = inv.register_report(&report("字段测试")).await.unwrap();
    invalid(
        inv.transition(
            &d.id,
            &TransitionInput {
                event: "accept".into(),
                ..Default::default()
            },
        )
        .await,
        "receipt_number",
        "receipt_number.length",
    );
    invalid(
        inv.transition(&d.id, &ev("fly")).await,
        "event",
        "case.event.unknown",
    );
    inv.transition(&d.id, &accept()).await.unwrap();
    inv.transition(&d.id, &ev("start_review")).await.unwrap();
    invalid(
        inv.transition(
            &d.id,
            &TransitionInput {
                event: "decline_registration".into(),
                reason: "太短".into(),
                ..Default::default()
            },
        )
        .await,
        "reason",
        "case_reason.too_short",
    );
    inv.transition(&d.id, &ev("register")).await.unwrap();
    inv.transition(&d.id, &ev("start_investigation"))
        .await
        .unwrap();
    // 破案 needs all three facts.
    let mut partial = solve();
    partial.suspect_in_custody = false;
    invalid(
        inv.transition(&d.id, &partial).await,
        "event",
        "case.solve.conditions_unmet",
    );
    assert_eq!(state_of(&inv, &d.id).await, "investigating");
    // Fast-track only for an accepted missing-person case.
    invalid(
        inv.transition(&d.id, &ev("fast_track_register")).await,
        "event",
        "case.transition.not_allowed",
    );
});

// A missing child, or a girl of 14 to 17, is registered at once; others wait for review.
both_backends!(fast_track_registration, |t| {
    staff(&t).await;
    let inv = desk(&t, "inv1").await;
    let missing = |text: &str| NewCaseReport {
        missing_person: true,
        ..report(text)
    };
    let victim = |name: &str, sex: &str, age: u16| NewCasePerson {
        role: "victim".into(),
        name: name.into(),
        sex: sex.into(),
        age: Some(age),
        ..Default::default()
    };
    // Victim known before acceptance: acceptance registers at once.
    let c = inv.register_report(&missing("七岁儿童失踪")).await.unwrap();
    inv.add_person(&c.id, &victim("王小明", "male", 7))
        .await
        .unwrap();
    let s = inv.transition(&c.id, &accept()).await.unwrap();
    assert_eq!(s.state, "registered");
    assert_eq!(s.fast_track.as_deref(), Some("missing_child_under_14"));
    let v = inv.get(&c.id).await.unwrap();
    assert_eq!(
        v.history
            .iter()
            .map(|h| h.event.as_str())
            .collect::<Vec<_>>(),
        ["report", "accept", "fast_track_register"]
    );
    // Victim added after acceptance: registered when added.
    let c = inv
        .register_report(&missing("十六岁女孩失踪"))
        .await
        .unwrap();
    inv.transition(&c.id, &accept()).await.unwrap();
    inv.add_person(&c.id, &victim("李小红", "female", 16))
        .await
        .unwrap();
    let v = inv.get(&c.id).await.unwrap();
    assert_eq!(v.summary.state, "registered");
    assert_eq!(
        v.summary.fast_track.as_deref(),
        Some("missing_girl_under_18")
    );
    // A boy of 16 and a woman of 18 are not fast-tracked; explicit request refused.
    for (sex, age) in [("male", 16), ("female", 18)] {
        let c = inv.register_report(&missing("成年人失踪")).await.unwrap();
        inv.add_person(&c.id, &victim("赵某", sex, age))
            .await
            .unwrap();
        assert_eq!(
            inv.transition(&c.id, &accept()).await.unwrap().state,
            "accepted"
        );
        invalid(
            inv.transition(&c.id, &ev("fast_track_register")).await,
            "event",
            "case.fast_track.not_eligible",
        );
    }
    // Not a missing-person report: a child victim does not skip review.
    let c = inv.register_report(&report("儿童被拐")).await.unwrap();
    inv.add_person(&c.id, &victim("钱小", "male", 5))
        .await
        .unwrap();
    assert_eq!(
        inv.transition(&c.id, &accept()).await.unwrap().state,
        "accepted"
    );
    // A case classified as a missing-person report after acceptance is registered then.
    let c = inv.register_report(&report("儿童失踪，后补分类")).await.unwrap();
    inv.add_person(&c.id, &victim("吴小", "female", 9)).await.unwrap();
    assert_eq!(inv.transition(&c.id, &accept()).await.unwrap().state, "accepted");
    let s = inv
        .classify(
            &c.id,
            &ClassificationInput {
                missing_person: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(s.state, "registered");
    // The age from the ID number counts: born 2015, crime in 2026.
    let c = inv
        .register_report(&missing("儿童失踪，身份证"))
        .await
        .unwrap();
    inv.transition(&c.id, &accept()).await.unwrap();
    inv.add_person(
        &c.id,
        &NewCasePerson {
            role: "victim".into(),
            name: "孙小".into(),
            id_number: id_number("20150301", 12),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(state_of(&inv, &c.id).await, "registered");
});

// People: IDs validated, sealed, found only by blind index; masked for masked readers.
both_backends!(people_and_blind_index_search, |t| {
    staff(&t).await;
    let inv = desk(&t, "inv1").await;
    let c = inv.register_report(&report("人员测试")).await.unwrap();
    let rid = id_number("19850704", 21);
    let p = NewCasePerson {
        role: "suspect".into(),
        name: "张三丰".into(),
        id_number: rid.clone(),
        phone: "13912345678".into(),
        address: "株洲市荷塘区示例路1号".into(),
        ..Default::default()
    };
    let added = inv.add_person(&c.id, &p).await.unwrap();
    assert_eq!(added.sex.as_deref(), Some("male"));
    // Wrong check digit, retired-format errors and unknown roles are named by field.
    let mut bad = p.clone();
    bad.id_number = format!(
        "{}{}",
        &rid[..17],
        if rid.ends_with('0') { '1' } else { '0' }
    );
    invalid(
        inv.add_person(&c.id, &bad).await,
        "id_number",
        "resident_id.check_digit",
    );
    bad.id_number = "12345".into();
    invalid(
        inv.add_person(&c.id, &bad).await,
        "id_number",
        "resident_id.length",
    );
    bad.id_number = String::new();
    bad.role = "witness".into();
    invalid(
        inv.add_person(&c.id, &bad).await,
        "role",
        "case.person.role_unknown",
    );
    // A legacy 15-digit number finds the same person as the 18-digit one.
    let legacy = format!("{}{}", &rid[..6], &rid[8..17]);
    let hits = inv.search_person(&legacy, "").await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].case_id, c.id);
    assert_eq!(
        inv.search_person("", "139-1234-5678").await.unwrap().len(),
        1
    );
    assert!(
        inv.search_person(&id_number("19850704", 22), "")
            .await
            .unwrap()
            .is_empty()
    );
    invalid(
        inv.search_person("", "").await,
        "id_number",
        "case.search.empty",
    );
    // Nothing readable in the database.
    let mut db = t.app.store().conn().await.unwrap();
    type Sealed = (Vec<u8>, Option<Vec<u8>>, Option<String>);
    let rows: Vec<Sealed> =
        sqlx::query_as("SELECT name_enc, id_number_enc, id_number_bidx FROM case_people")
            .fetch_all(&mut *db)
            .await
            .unwrap();
    for (name, id, bidx) in rows {
        assert!(!String::from_utf8_lossy(&name).contains("张三丰"));
        assert!(!String::from_utf8_lossy(&id.unwrap()).contains(&rid));
        assert!(!bidx.unwrap().contains(&rid));
    }
    drop(db);
    // Full for the assigned investigator, masked for a colleague of the unit.
    let full = inv.get(&c.id).await.unwrap();
    assert_eq!(full.people[0].name, "张三丰");
    assert_eq!(full.people[0].id_number.as_deref(), Some(rid.as_str()));
    assert!(full.text.unwrap().contains("人员测试"));
    let other = desk(&t, "inv2").await;
    let masked = other.get(&c.id).await.unwrap();
    assert!(masked.summary.masked);
    assert_eq!(masked.people[0].name, "张**");
    assert_ne!(masked.people[0].id_number.as_deref(), Some(rid.as_str()));
    assert!(masked.people[0].address.is_none());
    assert!(masked.text.is_none());
    assert!(masked.next_events.is_empty());
    // A masked reader's search shows the hit as masked.
    assert!(other.search_person(&rid, "").await.unwrap()[0].masked);
    // Custody and rescue facts.
    inv.update_person(
        &c.id,
        &added.id,
        &PersonStatus {
            in_custody_on: "2026-01-20".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    invalid(
        inv.update_person(
            &c.id,
            &added.id,
            &PersonStatus {
                rescued_on: "2026-01-20".into(),
                ..Default::default()
            },
        )
        .await,
        "rescued_on",
        "case.person.not_victim",
    );
    assert_eq!(
        inv.get(&c.id).await.unwrap().people[0]
            .in_custody_on
            .as_deref(),
        Some("2026-01-20")
    );
    assert!(audit_count(&t, "case.person.search", "ok").await >= 4);
});

// Links are proposed on write for shared suspects, phones, vehicles, accounts and
// place-and-time; investigators confirm or reject each once; a series forms.
both_backends!(serial_case_links, |t| {
    staff(&t).await;
    let inv = desk(&t, "inv1").await;
    let a = inv.register_report(&report("系列甲")).await.unwrap();
    let mut far = report("系列乙");
    far.division = "430211".into();
    far.occurred_on = "2025-06-01".into();
    let b = inv.register_report(&far).await.unwrap();
    let mut other_place = report("无关");
    other_place.division = "430204".into();
    let c = inv.register_report(&other_place).await.unwrap();
    // Different county and months apart: nothing proposed yet.
    assert!(inv.get(&a.id).await.unwrap().links.is_empty());
    let shared = id_number("19790203", 31);
    for id in [&a.id, &b.id] {
        inv.add_person(
            id,
            &NewCasePerson {
                role: "suspect".into(),
                name: "周某".into(),
                id_number: shared.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        inv.add_identifier(
            id,
            &NewIdentifier {
                kind: "vehicle".into(),
                value: "湘B12345".into(),
            },
        )
        .await
        .unwrap();
        inv.add_identifier(
            id,
            &NewIdentifier {
                kind: "account".into(),
                value: "6222 0212 3456 7890".into(),
            },
        )
        .await
        .unwrap();
    }
    invalid(
        inv.add_identifier(
            &c.id,
            &NewIdentifier {
                kind: "vehicle".into(),
                value: "ABC".into(),
            },
        )
        .await,
        "value",
        "plate.province",
    );
    let links = inv.get(&a.id).await.unwrap().links;
    assert_eq!(links.len(), 1);
    let l = &links[0];
    assert_eq!(l.other_case_id, b.id);
    assert_eq!(l.status, "proposed");
    assert_eq!(l.score, 100);
    for r in ["shared_suspect", "shared_vehicle", "shared_account"] {
        assert!(l.reasons.iter().any(|x| x == r), "{r} in {:?}", l.reasons);
    }
    // Same county within 30 days alone proposes a weak link.
    let mut near = report("邻近");
    near.occurred_on = "2026-01-25".into();
    let d = inv.register_report(&near).await.unwrap();
    let dl = inv.get(&d.id).await.unwrap().links;
    assert_eq!(dl.len(), 1);
    assert_eq!(
        (dl[0].other_case_id.as_str(), dl[0].score),
        (a.id.as_str(), 20)
    );
    // Review: a caseworker cannot, the investigator can, once.
    refused(
        desk_or(&t, "cw1")
            .await
            .review_link(&l.id, true, "同一嫌疑人")
            .await,
        "role",
    );
    let reviewed = inv
        .review_link(&l.id, true, "同一嫌疑人身份证号")
        .await
        .unwrap();
    assert_eq!(reviewed.status, "confirmed");
    assert_eq!(reviewed.reviewed_by.as_deref(), Some("inv1"));
    invalid(
        inv.review_link(&l.id, false, "再次审查").await,
        "link",
        "case_link.already_reviewed",
    );
    let rejected = inv
        .review_link(&dl[0].id, false, "仅地点相近，无其他关联")
        .await
        .unwrap();
    assert_eq!(rejected.status, "rejected");
    // The series: two cases, one person node for the shared suspect, edges.
    let s = inv.series(&a.id).await.unwrap();
    assert_eq!(s.cases.len(), 2);
    assert_eq!(s.nodes.iter().filter(|n| n.kind == "person").count(), 1);
    assert_eq!(s.edges.iter().filter(|e| e.kind == "link").count(), 1);
    assert_eq!(s.edges.iter().filter(|e| e.kind == "suspect").count(), 2);
    // The office sees the series masked.
    let o = desk(&t, "office1").await.series(&a.id).await.unwrap();
    assert!(o.cases.iter().all(|c| c.masked));
    assert!(o.people.iter().all(|p| p.masked && p.name == "周*"));
});

async fn desk_or(t: &TestApp, u: &str) -> CaseDesk {
    desk(t, u).await
}

// Who reaches what: the desk, lists, single cases and writes, per role — each refusal
// audited.
both_backends!(access_per_role, |t| {
    staff(&t).await;
    let inv = desk(&t, "inv1").await;
    let c = inv.register_report(&report("权限测试")).await.unwrap();
    // No desk at all for admin, auditor, lab, liaison.
    for (u, code) in [
        ("admin1", "admin_no_case_data"),
        ("auditor1", "role"),
        ("lab1", "role"),
        ("liaison1", "role"),
    ] {
        refused(t.session(u).await.cases().await, code);
    }
    assert_eq!(audit_count(&t, "case.desk", "refused").await, 4);
    // Opening a case: investigators and supervisors only.
    for u in ["office1", "convenor1", "cw1"] {
        refused(
            desk(&t, u).await.register_report(&report("无权")).await,
            "role",
        );
    }
    // Reading: another unit's investigator is refused; the caseworker only when referred.
    refused(desk(&t, "inv.other").await.get(&c.id).await, "unit");
    refused(desk(&t, "cw1").await.get(&c.id).await, "not_referred");
    assert!(desk(&t, "cw1").await.list(None).await.unwrap().is_empty());
    inv.refer(&c.id, "civil-affairs", "被害人救助")
        .await
        .unwrap();
    let cw = desk(&t, "cw1").await;
    assert!(cw.get(&c.id).await.unwrap().summary.masked);
    assert_eq!(cw.list(None).await.unwrap().len(), 1);
    // Office and convenor: masked summaries of every case, no writes.
    for u in ["office1", "convenor1"] {
        let d = desk(&t, u).await;
        let list = d.list(None).await.unwrap();
        assert_eq!(list.len(), 1);
        assert!(list[0].masked);
        assert!(d.get(&c.id).await.unwrap().text.is_none());
        refused(d.transition(&c.id, &accept()).await, "role");
    }
    // Writing: a colleague not assigned is refused; the supervisor may; assignment opens it.
    let inv2 = desk(&t, "inv2").await;
    refused(inv2.transition(&c.id, &accept()).await, "not_assigned");
    refused(inv2.assign(&c.id, "inv2").await, "role");
    refused(
        desk(&t, "inv.other")
            .await
            .transition(&c.id, &accept())
            .await,
        "unit",
    );
    let sup = desk(&t, "sup1").await;
    assert!(!sup.get(&c.id).await.unwrap().summary.masked);
    sup.assign(&c.id, "inv2").await.unwrap();
    inv2.transition(&c.id, &accept()).await.unwrap();
    assert!(!inv2.get(&c.id).await.unwrap().summary.masked);
    // Lists by state.
    assert_eq!(inv.list(Some("accepted")).await.unwrap().len(), 1);
    assert!(inv.list(Some("registered")).await.unwrap().is_empty());
    invalid(inv.list(Some("lost")).await, "state", "case.state.unknown");
    assert!(
        desk(&t, "inv.other")
            .await
            .list(None)
            .await
            .unwrap()
            .is_empty()
    );
    // Every refusal above is in the audit log with the case id.
    let mut db = t.app.store().conn().await.unwrap();
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE outcome = 'refused' AND record_id = $1",
    )
    .bind(&c.id)
    .fetch_one(&mut *db)
    .await
    .unwrap();
    assert_eq!(n, 7);
    drop(db);
    // Reads and writes are audited too.
    assert_eq!(audit_count(&t, "case.read", "ok").await, 5);
    assert!(audit_count(&t, "case.transition", "ok").await >= 1);
    // The auditor can find the case's events.
    let page = t
        .session("auditor1")
        .await
        .auditor()
        .await
        .unwrap()
        .list(&AuditQuery {
            record_id: Some(c.id.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(page.total >= 10);
});

// Tips become cases once; classification ids are checked.
both_backends!(tips_and_classification, |t| {
    staff(&t).await;
    let inv = desk(&t, "inv1").await;
    let c = inv
        .open_from_tip("tip-123", &report("举报转案"))
        .await
        .unwrap();
    assert!(matches!(
        inv.open_from_tip("tip-123", &report("再次转案")).await,
        Err(ServiceError::Conflict(_))
    ));
    invalid(
        inv.open_from_tip(" ", &report("空")).await,
        "tip_id",
        "case.tip_id.empty",
    );
    let mut r = report("x");
    r.summary = "短".into();
    invalid(
        inv.register_report(&r).await,
        "summary",
        "case.summary.length",
    );
    let mut r = report("未来的案件");
    r.occurred_on = "2999-01-01".into();
    invalid(
        inv.register_report(&r).await,
        "occurred_on",
        "case.date.future",
    );
    let mut r = report("未知地区");
    r.division = "999999".into();
    assert!(matches!(
        inv.register_report(&r).await,
        Err(ServiceError::Invalid {
            field: "division",
            ..
        })
    ));
    inv.classify(
        &c.id,
        &ClassificationInput {
            article: "240".into(),
            acts: vec!["selling".into(), "transiting".into()],
            means: vec!["deception".into()],
            exploitation: vec!["forced_marriage".into()],
            missing_person: false,
        },
    )
    .await
    .unwrap();
    let v = inv.get(&c.id).await.unwrap();
    assert_eq!(v.summary.article.as_deref(), Some("240"));
    assert_eq!(v.classification.acts, ["selling", "transiting"]);
    invalid(
        inv.classify(
            &c.id,
            &ClassificationInput {
                article: "999".into(),
                ..Default::default()
            },
        )
        .await,
        "article",
        "case.article.unknown",
    );
    invalid(
        inv.classify(
            &c.id,
            &ClassificationInput {
                acts: vec!["stealing".into()],
                ..Default::default()
            },
        )
        .await,
        "acts",
        "case.act.unknown",
    );
});

// Key areas, special operations and supervision: the office manages them; investigators
// attach their cases; everyone else is refused.
both_backends!(oversight, |t| {
    staff(&t).await;
    let inv = desk(&t, "inv1").await;
    let office = desk(&t, "office1").await;
    refused(
        inv.add_key_area(&NewKeyArea {
            division: "430202".into(),
            name: "某劳务市场".into(),
            listed_on: String::new(),
        })
        .await,
        "role",
    );
    let k = office
        .add_key_area(&NewKeyArea {
            division: "430202".into(),
            name: "某劳务市场".into(),
            listed_on: "2026-01-01".into(),
        })
        .await
        .unwrap();
    assert_eq!(k.status, "listed");
    let k = office.advance_key_area(&k.id, "2026-02-01").await.unwrap();
    assert_eq!(
        (k.status, k.next),
        ("rectifying", Some("confirm_rectified"))
    );
    invalid(
        office.advance_key_area(&k.id, "2026-01-15").await,
        "on",
        "key_area.out_of_order",
    );
    let k = office.advance_key_area(&k.id, "2026-03-01").await.unwrap();
    let k = office.advance_key_area(&k.id, "2026-04-01").await.unwrap();
    assert_eq!((k.status, k.next), ("delisted", None));
    invalid(
        office.advance_key_area(&k.id, "").await,
        "status",
        "key_area.transition.not_allowed",
    );
    assert_eq!(inv.key_areas().await.unwrap()[0].history.len(), 4);

    let c = inv.register_report(&report("专项行动案件")).await.unwrap();
    invalid(
        office
            .add_operation(&NewOperation {
                name: "春季行动".into(),
                starts_on: "2026-03-01".into(),
                ends_on: "2026-02-01".into(),
                areas: vec!["430200".into()],
            })
            .await,
        "ends_on",
        "operation.ends_before_start",
    );
    let op = office
        .add_operation(&NewOperation {
            name: "冬季行动".into(),
            starts_on: "2026-01-01".into(),
            ends_on: "2026-02-28".into(),
            areas: vec!["430200".into()],
        })
        .await
        .unwrap();
    let outside = office
        .add_operation(&NewOperation {
            name: "外地行动".into(),
            starts_on: "2026-01-01".into(),
            ends_on: "2026-02-28".into(),
            areas: vec!["440300".into()],
        })
        .await
        .unwrap();
    refused(
        desk(&t, "inv2")
            .await
            .attach_to_operation(&op.id, &c.id)
            .await,
        "not_assigned",
    );
    inv.attach_to_operation(&op.id, &c.id).await.unwrap();
    invalid(
        inv.attach_to_operation(&outside.id, &c.id).await,
        "operation_id",
        "operation.case_outside",
    );
    let ops = office.operations().await.unwrap();
    let counted = ops.iter().find(|o| o.id == op.id).unwrap();
    assert_eq!((counted.cases_counted, counted.cases.len()), (1, 1));
    assert!(counted.cases[0].masked);

    refused(
        inv.open_supervision(&NewSupervision {
            case_id: c.id.clone(),
            level: "city".into(),
            deadline: "2999-01-01".into(),
        })
        .await,
        "role",
    );
    let s = office
        .open_supervision(&NewSupervision {
            case_id: c.id.clone(),
            level: "city".into(),
            deadline: "2999-01-01".into(),
        })
        .await
        .unwrap();
    assert!(!s.overdue);
    let s = office.instruct(&s.id, "七日内查明资金流向").await.unwrap();
    assert_eq!(s.instructions.len(), 1);
    assert_eq!(s.instructions[0].author, "office1");
    invalid(
        office.raise_supervision(&s.id, "city", "").await,
        "level",
        "supervision.not_higher_level",
    );
    let s = office
        .raise_supervision(&s.id, "province", "")
        .await
        .unwrap();
    assert_eq!(s.level, "province");
    // The investigator sees the supervision on the case.
    assert_eq!(
        inv.get(&c.id).await.unwrap().supervisions[0]
            .instructions
            .len(),
        1
    );
    refused(inv.instruct(&s.id, "自行批示").await, "role");
    let s = office.conclude_supervision(&s.id).await.unwrap();
    assert!(s.concluded_on.is_some());
    invalid(
        office.instruct(&s.id, "结束后").await,
        "text",
        "supervision.concluded",
    );
    assert_eq!(
        desk(&t, "convenor1")
            .await
            .supervisions()
            .await
            .unwrap()
            .len(),
        1
    );
    refused(inv.supervisions().await, "role");
});

// Figures per period and area, with the clearance rate and cold cases apart.
both_backends!(figures, |t| {
    staff(&t).await;
    let inv = desk(&t, "inv1").await;
    let mut solved_ids = Vec::new();
    for i in 0..3 {
        let c = inv
            .register_report(&report(&format!("统计{i}")))
            .await
            .unwrap();
        inv.transition(&c.id, &accept()).await.unwrap();
        inv.transition(&c.id, &ev("start_review")).await.unwrap();
        inv.transition(&c.id, &ev("register")).await.unwrap();
        if i < 2 {
            inv.transition(&c.id, &ev("start_investigation"))
                .await
                .unwrap();
            inv.transition(&c.id, &solve()).await.unwrap();
            solved_ids.push(c.id);
        }
    }
    let v = inv
        .add_person(
            &solved_ids[0],
            &NewCasePerson {
                role: "victim".into(),
                name: "吴某".into(),
                sex: "female".into(),
                age: Some(20),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    inv.update_person(
        &solved_ids[0],
        &v.id,
        &PersonStatus {
            rescued_on: "2026-01-11".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    inv.classify(
        &solved_ids[1],
        &ClassificationInput { exploitation: vec!["illegal_adoption".into()], ..Default::default() },
    )
    .await
    .unwrap();
    for (name, sex, age) in [("郑婴", "male", Some(0)), ("冯某", "", None)] {
        inv.add_person(
            &solved_ids[1],
            &NewCasePerson { role: "victim".into(), name: name.into(), sex: sex.into(), age, ..Default::default() },
        )
        .await
        .unwrap();
    }
    let g = inv.add_gang(&solved_ids[0], "甲团伙").await.unwrap();
    inv.break_up_gang(&solved_ids[0], &g.id, "2026-01-12")
        .await
        .unwrap();
    let all = FigureQuery {
        from: "2026-01-01".into(),
        to: "2999-12-31".into(),
        ..Default::default()
    };
    let f = inv.figures(&all).await.unwrap();
    assert_eq!(f.unit.as_deref(), Some("psb"));
    assert_eq!(
        (f.received, f.registered, f.solved, f.cold_solved),
        (3, 3, 2, 0)
    );
    let rate = f.clearance_rate_percent.unwrap();
    assert!((rate - 200.0 / 3.0).abs() < 1e-9, "{rate}");
    assert_eq!((f.rescued, f.gangs_broken_up), (1, 1));
    // A woman of 20 in a case without a recorded form of exploitation, an infant boy
    // in an illegal adoption, and a victim whose age is not known yet.
    let groups: Vec<_> = f.victims.iter().map(|g| (g.sex, g.category, g.exploitation, g.count)).collect();
    assert_eq!(
        groups,
        [("female", "woman", "other", 1), ("male", "infant", "illegal_adoption", 1)]
    );
    assert_eq!(f.victims_unknown, 1);
    // The same days a year earlier (2025-01-01 to 2998-12-31) hold the same cases: no
    // change. This year alone against last year: the whole count is new.
    assert_eq!(
        (f.previous.registered, f.registered_change, f.solved_change),
        (3, 0, 0)
    );
    assert_eq!((f.previous.from.as_str(), f.previous.to.as_str()), ("2025-01-01", "2998-12-31"));
    assert_eq!(f.rate_change_points, Some(0.0));
    // This year to date (the default period) against the same days last year.
    let this_year = inv.figures(&FigureQuery::default()).await.unwrap();
    assert_eq!(
        (this_year.previous.registered, this_year.registered_change, this_year.rate_change_points),
        (0, 3, None)
    );
    // Another county: nothing.
    let f = inv
        .figures(&FigureQuery {
            area: "430211".into(),
            ..all.clone()
        })
        .await
        .unwrap();
    assert_eq!((f.received, f.clearance_rate_percent), (0, None));
    // The city for the office; not for an investigator asking for another unit.
    let f = desk(&t, "office1").await.figures(&all).await.unwrap();
    assert_eq!((f.unit, f.registered), (None, 3));
    refused(
        inv.figures(&FigureQuery {
            unit: "civil-affairs".into(),
            ..all.clone()
        })
        .await,
        "unit",
    );
    invalid(
        inv.figures(&FigureQuery {
            from: "2026-02-01".into(),
            to: "2026-01-01".into(),
            ..Default::default()
        })
        .await,
        "to",
        "figures.period.reversed",
    );
    invalid(
        inv.figures(&FigureQuery {
            area: "43x".into(),
            ..Default::default()
        })
        .await,
        "area",
        "figures.area.invalid",
    );
});

// The demo data holds a case in every state, a confirmed serial link, a key area, an
// operation with its cases and a supervision with an instruction.
both_backends!(demo_cases_cover_every_state, |t| {
    fanguai_service::seed::demo(&t.app, &ctx()).await.unwrap();
    let mut db = t.app.store().conn().await.unwrap();
    let states: Vec<String> = sqlx::query_scalar("SELECT DISTINCT state FROM cases")
        .fetch_all(&mut *db)
        .await
        .unwrap();
    for k in CaseStateKind::ALL {
        assert!(
            states.iter().any(|s| s == k.id()),
            "no demo case is {}",
            k.id()
        );
    }
    for (sql, min) in [
        (
            "SELECT COUNT(*) FROM case_links WHERE status = 'confirmed'",
            1,
        ),
        ("SELECT COUNT(*) FROM key_areas", 1),
        ("SELECT COUNT(*) FROM operation_cases", 3),
        ("SELECT COUNT(*) FROM supervision_instructions", 1),
        ("SELECT COUNT(*) FROM cases WHERE fast_track IS NOT NULL", 1),
    ] {
        let n: i64 = sqlx::query_scalar(sql).fetch_one(&mut *db).await.unwrap();
        assert!(n >= min, "{sql}: {n}");
    }
});

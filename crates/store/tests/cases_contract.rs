//! The cases repository behaves the same on SQLite and, with `TEST_DATABASE_URL`, on
//! PostgreSQL.

use fanguai_store::cases::{
    self, CaseEventRow, CaseFilter, CaseIdentifierRow, CaseLinkRow, CasePersonRow,
    CaseReferralRow, CaseRow, FigureFilter, GangRow, InstructionRow, KeyAreaRow, KeyAreaStepRow,
    OperationRow, PersonIndex, SupervisionRow,
};
use fanguai_store::testing::TestDb;
use fanguai_store::{Store, StoreError, UnitRow, UserRow, units, users};

macro_rules! contract {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = TestDb::sqlite().await;
                super::$name(&db.store()).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match TestDb::postgres_from_env().await {
                    Some(db) => super::$name(&db.store()).await,
                    None => eprintln!("TEST_DATABASE_URL is not set: PostgreSQL run skipped"),
                }
            }
        }
    )*};
}

contract!(
    cases_round_trip_and_update,
    lists_by_scope_and_state,
    history_numbers_events,
    assignments_and_referrals,
    people_found_by_blind_index_only,
    identifiers_gangs_and_links,
    key_areas_operations_supervision,
    figures_by_period_and_area,
);

async fn seed(store: &Store) {
    let mut tx = store.begin().await.unwrap();
    for (i, id) in ["psb", "civil"].iter().enumerate() {
        units::insert(
            &mut tx,
            &UnitRow {
                id: id.to_string(),
                name_zh: format!("{id}单位"),
                name_en: format!("{id} unit"),
                duties_zh: "职责".into(),
                duties_en: "duties".into(),
                is_lead: i == 0,
                sort_order: i as i64,
                liaison_user_id: None,
                created_at: 1,
            },
        )
        .await
        .unwrap();
    }
    for (id, unit) in [("u1", "psb"), ("u2", "psb"), ("u3", "civil")] {
        users::insert(
            &mut tx,
            &UserRow {
                id: id.into(),
                username: format!("user-{id}"),
                unit_id: unit.into(),
                roles: vec!["investigator".into()],
                display_name_enc: vec![1],
                phone_enc: None,
                phone_bidx: None,
                data_key_id: format!("key-{id}"),
                password_hash: "x".into(),
                must_change_password: false,
                totp_secret_enc: None,
                totp_enrolled: false,
                totp_last_step: None,
                disabled: false,
                failed_logins: 0,
                locked_until: None,
                created_at: 1,
                updated_at: 1,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

fn case(id: &str, unit: &str, state: &str, created_at: i64) -> CaseRow {
    CaseRow {
        id: id.into(),
        owner_unit_id: unit.into(),
        state: state.into(),
        receipt_number: None,
        division: "430202".into(),
        occurred_on: "2026-03-01".into(),
        tip_id: None,
        summary_enc: vec![0, 1, 2, 255],
        data_key_id: format!("key-{id}"),
        article: Some("trafficking240".into()),
        acts: vec!["selling".into(), "transiting".into()],
        means: vec![],
        exploitation: vec!["labour".into()],
        missing_person: false,
        accepted_on: None,
        review_started_on: None,
        review_extension: None,
        review_approver: None,
        registered_on: None,
        fast_track: None,
        solved_on: None,
        end_reason: None,
        transfer_to_name: None,
        transfer_to_division: None,
        created_by: "u1".into(),
        created_at,
        updated_at: created_at,
    }
}

fn person(id: &str, case_id: &str, role: &str) -> CasePersonRow {
    CasePersonRow {
        id: id.into(),
        case_id: case_id.into(),
        role: role.into(),
        data_key_id: format!("key-{id}"),
        name_enc: vec![7, 7],
        id_number_enc: Some(vec![1]),
        phone_enc: None,
        address_enc: None,
        id_number_bidx: Some(format!("id-{id}")),
        phone_bidx: None,
        sex: Some("female".into()),
        age_at_event: Some(15),
        suspect_role: None,
        gang_id: None,
        in_custody_on: None,
        rescued_on: None,
        victim_archive_id: None,
        created_at: 10,
        updated_at: 10,
    }
}

async fn cases_round_trip_and_update(store: &Store) {
    seed(store).await;
    let mut c = store.conn().await.unwrap();
    let mut k = case("c1", "psb", "reported", 100);
    cases::insert(&mut c, &k).await.unwrap();
    assert_eq!(cases::get(&mut c, "c1").await.unwrap(), Some(k.clone()));
    assert_eq!(cases::get(&mut c, "nope").await.unwrap(), None);
    k.state = "accepted".into();
    k.receipt_number = Some("株公（荷）受案字〔2026〕0123号".into());
    k.accepted_on = Some("2026-03-02".into());
    k.missing_person = true;
    k.means = vec!["deception".into()];
    k.updated_at = 200;
    cases::update(&mut c, &k).await.unwrap();
    assert_eq!(cases::get(&mut c, "c1").await.unwrap(), Some(k.clone()));
    let ghost = case("ghost", "psb", "reported", 1);
    assert!(matches!(cases::update(&mut c, &ghost).await, Err(StoreError::NotFound)));
    // An unknown unit, and a tip that already became a case, are conflicts.
    assert!(matches!(
        cases::insert(&mut c, &case("c2", "nowhere", "reported", 1)).await,
        Err(StoreError::Conflict { .. })
    ));
    let mut t1 = case("c3", "psb", "reported", 1);
    t1.tip_id = Some("tip-1".into());
    cases::insert(&mut c, &t1).await.unwrap();
    let mut t2 = case("c4", "psb", "reported", 1);
    t2.tip_id = Some("tip-1".into());
    assert!(matches!(cases::insert(&mut c, &t2).await, Err(StoreError::Conflict { .. })));
    // A list value with a comma could not be read back.
    let mut bad = case("c5", "psb", "reported", 1);
    bad.acts = vec!["a,b".into()];
    assert!(matches!(
        cases::insert(&mut c, &bad).await,
        Err(StoreError::Invalid { field: "cases.acts", .. })
    ));
    assert!(!format!("{k:?}").contains("255"));
}

async fn lists_by_scope_and_state(store: &Store) {
    seed(store).await;
    let mut c = store.conn().await.unwrap();
    cases::insert(&mut c, &case("a", "psb", "reported", 1)).await.unwrap();
    cases::insert(&mut c, &case("b", "psb", "registered", 2)).await.unwrap();
    cases::insert(&mut c, &case("x", "civil", "registered", 3)).await.unwrap();
    cases::insert(&mut c, &case("y", "civil", "reported", 4)).await.unwrap();
    cases::assign(&mut c, "x", "u1", "u2", 5).await.unwrap();
    cases::refer(
        &mut c,
        &CaseReferralRow {
            case_id: "y".into(),
            unit_id: "psb".into(),
            reason: "labour side".into(),
            referred_by: "u3".into(),
            referred_at: 6,
        },
    )
    .await
    .unwrap();
    let ids = |rows: Vec<CaseRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    let f = CaseFilter {
        owner_unit: Some("psb".into()),
        ..Default::default()
    };
    assert_eq!(ids(cases::list(&mut c, &f).await.unwrap()), ["b", "a"]);
    let f = CaseFilter {
        owner_unit: Some("psb".into()),
        assigned_to: Some("u1".into()),
        ..Default::default()
    };
    assert_eq!(ids(cases::list(&mut c, &f).await.unwrap()), ["x", "b", "a"]);
    let f = CaseFilter {
        owner_unit: Some("psb".into()),
        assigned_to: Some("u1".into()),
        state: Some("registered".into()),
        ..Default::default()
    };
    assert_eq!(ids(cases::list(&mut c, &f).await.unwrap()), ["x", "b"]);
    let f = CaseFilter {
        referred_to: Some("psb".into()),
        ..Default::default()
    };
    assert_eq!(ids(cases::list(&mut c, &f).await.unwrap()), ["y"]);
    let f = CaseFilter {
        all: true,
        limit: 2,
        ..Default::default()
    };
    assert_eq!(ids(cases::list(&mut c, &f).await.unwrap()), ["y", "x"]);
    // No scope lists nothing rather than everything.
    assert!(cases::list(&mut c, &CaseFilter::default()).await.unwrap().is_empty());
    let near = cases::in_division_between(&mut c, "430202", "2026-02-01", "2026-03-31")
        .await
        .unwrap();
    assert_eq!(near.len(), 4);
    assert!(cases::in_division_between(&mut c, "430202", "2026-03-02", "2026-03-31")
        .await
        .unwrap()
        .is_empty());
}

async fn history_numbers_events(store: &Store) {
    seed(store).await;
    let mut tx = store.begin().await.unwrap();
    cases::insert(&mut tx, &case("c1", "psb", "reported", 1)).await.unwrap();
    for (i, (ev, from, to)) in [("accept", "reported", "accepted"), ("start_review", "accepted", "under_registration_review")]
        .iter()
        .enumerate()
    {
        let seq = cases::append_event(
            &mut tx,
            &CaseEventRow {
                id: format!("e{i}"),
                case_id: "c1".into(),
                seq: 0,
                event: ev.to_string(),
                from_state: from.to_string(),
                to_state: to.to_string(),
                actor_user_id: "u1".into(),
                reason: String::new(),
                at: 10 + i as i64,
            },
        )
        .await
        .unwrap();
        assert_eq!(seq, i as i64 + 1);
    }
    tx.commit().await.unwrap();
    let mut c = store.conn().await.unwrap();
    let evs = cases::events(&mut c, "c1").await.unwrap();
    assert_eq!(
        evs.iter().map(|e| (e.seq, e.event.as_str())).collect::<Vec<_>>(),
        [(1, "accept"), (2, "start_review")]
    );
    assert!(cases::events(&mut c, "other").await.unwrap().is_empty());
}

async fn assignments_and_referrals(store: &Store) {
    seed(store).await;
    let mut c = store.conn().await.unwrap();
    cases::insert(&mut c, &case("c1", "psb", "reported", 1)).await.unwrap();
    cases::assign(&mut c, "c1", "u2", "u1", 5).await.unwrap();
    cases::assign(&mut c, "c1", "u1", "u1", 6).await.unwrap();
    assert!(matches!(
        cases::assign(&mut c, "c1", "u1", "u1", 7).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        cases::assign(&mut c, "c1", "nobody", "u1", 7).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(cases::assignees(&mut c, "c1").await.unwrap(), ["u2", "u1"]);
    cases::unassign(&mut c, "c1", "u2").await.unwrap();
    assert!(matches!(cases::unassign(&mut c, "c1", "u2").await, Err(StoreError::NotFound)));
    assert_eq!(cases::assignees(&mut c, "c1").await.unwrap(), ["u1"]);
    let r = CaseReferralRow {
        case_id: "c1".into(),
        unit_id: "civil".into(),
        reason: "victim care".into(),
        referred_by: "u1".into(),
        referred_at: 9,
    };
    cases::refer(&mut c, &r).await.unwrap();
    assert!(matches!(cases::refer(&mut c, &r).await, Err(StoreError::Conflict { .. })));
    assert_eq!(cases::referrals(&mut c, "c1").await.unwrap(), vec![r]);
}

async fn people_found_by_blind_index_only(store: &Store) {
    seed(store).await;
    let mut c = store.conn().await.unwrap();
    cases::insert(&mut c, &case("c1", "psb", "reported", 1)).await.unwrap();
    cases::insert(&mut c, &case("c2", "psb", "reported", 2)).await.unwrap();
    let mut p1 = person("p1", "c1", "suspect");
    p1.id_number_bidx = Some("same".into());
    p1.phone_bidx = Some("phone-1".into());
    let mut p2 = person("p2", "c2", "gang_member");
    p2.id_number_bidx = Some("same".into());
    cases::insert_person(&mut c, &p1).await.unwrap();
    cases::insert_person(&mut c, &p2).await.unwrap();
    cases::insert_person(&mut c, &person("p3", "c2", "victim")).await.unwrap();
    assert!(cases::insert_person(&mut c, &person("p4", "c2", "witness")).await.is_err());
    let found = cases::people_by_index(&mut c, PersonIndex::IdNumber, "same").await.unwrap();
    assert_eq!(found.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["p1", "p2"]);
    let found = cases::people_by_index(&mut c, PersonIndex::Phone, "phone-1").await.unwrap();
    assert_eq!(found, vec![p1.clone()]);
    assert_eq!(cases::people(&mut c, "c2").await.unwrap().len(), 2);
    p1.in_custody_on = Some("2026-03-05".into());
    p1.suspect_role = Some("principal".into());
    p1.updated_at = 99;
    cases::update_person_status(&mut c, &p1).await.unwrap();
    assert_eq!(cases::person(&mut c, "p1").await.unwrap(), Some(p1.clone()));
    let mut wrong_case = p1.clone();
    wrong_case.case_id = "c2".into();
    assert!(matches!(
        cases::update_person_status(&mut c, &wrong_case).await,
        Err(StoreError::NotFound)
    ));
    assert!(!format!("{p1:?}").contains("same"));
}

async fn identifiers_gangs_and_links(store: &Store) {
    seed(store).await;
    let mut c = store.conn().await.unwrap();
    for (id, at) in [("c1", 1), ("c2", 2), ("c3", 3)] {
        cases::insert(&mut c, &case(id, "psb", "reported", at)).await.unwrap();
    }
    let ident = |id: &str, case_id: &str, kind: &str, bidx: &str| CaseIdentifierRow {
        id: id.into(),
        case_id: case_id.into(),
        kind: kind.into(),
        value_enc: vec![3, 3],
        bidx: bidx.into(),
        created_at: 1,
    };
    cases::insert_identifier(&mut c, &ident("i1", "c1", "vehicle", "v")).await.unwrap();
    cases::insert_identifier(&mut c, &ident("i2", "c2", "vehicle", "v")).await.unwrap();
    cases::insert_identifier(&mut c, &ident("i3", "c2", "account", "v")).await.unwrap();
    assert!(matches!(
        cases::insert_identifier(&mut c, &ident("i4", "c2", "vehicle", "v")).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(cases::insert_identifier(&mut c, &ident("i5", "c2", "ship", "v")).await.is_err());
    let found = cases::identifiers_by_index(&mut c, "vehicle", "v").await.unwrap();
    assert_eq!(found.iter().map(|i| i.case_id.as_str()).collect::<Vec<_>>(), ["c1", "c2"]);
    assert_eq!(cases::identifiers(&mut c, "c2").await.unwrap().len(), 2);

    let g = GangRow {
        id: "g1".into(),
        case_id: "c1".into(),
        code_name: "甲团伙".into(),
        broken_up_on: None,
        created_at: 1,
    };
    cases::insert_gang(&mut c, &g).await.unwrap();
    cases::set_gang_broken_up(&mut c, "c1", "g1", "2026-04-01").await.unwrap();
    assert!(matches!(
        cases::set_gang_broken_up(&mut c, "c2", "g1", "2026-04-01").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        cases::gangs(&mut c, "c1").await.unwrap()[0].broken_up_on.as_deref(),
        Some("2026-04-01")
    );

    let link = CaseLinkRow {
        id: "l1".into(),
        case_a: "c1".into(),
        case_b: "c2".into(),
        score: 35,
        reasons: vec!["shared_vehicle".into()],
        status: "proposed".into(),
        review_reason: None,
        reviewed_by: None,
        reviewed_at: None,
        proposed_at: 5,
    };
    assert_eq!(cases::propose_link(&mut c, &link).await.unwrap(), link);
    let reversed = CaseLinkRow {
        case_a: "c2".into(),
        case_b: "c1".into(),
        ..link.clone()
    };
    assert!(matches!(
        cases::propose_link(&mut c, &reversed).await,
        Err(StoreError::Invalid { .. })
    ));
    // A second proposal refreshes the score of the same link.
    let stronger = CaseLinkRow {
        id: "l-other".into(),
        score: 55,
        reasons: vec!["shared_vehicle".into(), "same_place_and_time".into()],
        ..link.clone()
    };
    let stored = cases::propose_link(&mut c, &stronger).await.unwrap();
    assert_eq!((stored.id.as_str(), stored.score), ("l1", 55));
    assert_eq!(cases::link_between(&mut c, "c2", "c1").await.unwrap().unwrap().id, "l1");
    cases::review_link(&mut c, "l1", "rejected", "不同车辆，仅号牌相似", "u1", 9)
        .await
        .unwrap();
    assert!(matches!(
        cases::review_link(&mut c, "l1", "confirmed", "again", "u1", 10).await,
        Err(StoreError::Conflict { .. })
    ));
    // A reviewed link keeps its review when proposed again.
    let again = cases::propose_link(&mut c, &stronger).await.unwrap();
    assert_eq!(again.status, "rejected");
    assert_eq!(again.reviewed_by.as_deref(), Some("u1"));
    assert_eq!(cases::links_of(&mut c, "c2").await.unwrap().len(), 1);
    assert!(cases::links_of(&mut c, "c3").await.unwrap().is_empty());
    assert_eq!(cases::link(&mut c, "l1").await.unwrap().unwrap().status, "rejected");
}

async fn key_areas_operations_supervision(store: &Store) {
    seed(store).await;
    let mut c = store.conn().await.unwrap();
    cases::insert(&mut c, &case("c1", "psb", "registered", 1)).await.unwrap();
    let k = KeyAreaRow {
        id: "k1".into(),
        division: "430202".into(),
        name: "荷塘区某劳务市场".into(),
        status: "listed".into(),
        created_by: "u1".into(),
        created_at: 1,
    };
    cases::insert_key_area(&mut c, &k).await.unwrap();
    for (status, day) in [("listed", "2026-01-01"), ("rectifying", "2026-02-01")] {
        cases::add_key_area_step(
            &mut c,
            &KeyAreaStepRow {
                key_area_id: "k1".into(),
                seq: 0,
                status: status.into(),
                on_date: day.into(),
                by_user_id: "u1".into(),
                at: 2,
            },
        )
        .await
        .unwrap();
    }
    assert_eq!(cases::key_area(&mut c, "k1").await.unwrap().unwrap().status, "rectifying");
    assert_eq!(cases::key_areas(&mut c).await.unwrap().len(), 1);
    let steps = cases::key_area_history(&mut c, "k1").await.unwrap();
    assert_eq!(steps.iter().map(|s| s.seq).collect::<Vec<_>>(), [1, 2]);

    let op = OperationRow {
        id: "o1".into(),
        name: "春季打拐专项行动".into(),
        starts_on: "2026-03-01".into(),
        ends_on: "2026-05-31".into(),
        areas: vec!["4302".into(), "430202".into()],
        created_by: "u1".into(),
        created_at: 1,
    };
    cases::insert_operation(&mut c, &op).await.unwrap();
    assert_eq!(cases::operation(&mut c, "o1").await.unwrap(), Some(op.clone()));
    assert_eq!(cases::operations(&mut c).await.unwrap(), vec![op]);
    cases::attach_case(&mut c, "o1", "c1", "u1", 3).await.unwrap();
    assert!(matches!(
        cases::attach_case(&mut c, "o1", "c1", "u1", 4).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(cases::operation_cases(&mut c, "o1").await.unwrap()[0].id, "c1");
    assert_eq!(cases::operations_of_case(&mut c, "c1").await.unwrap(), ["o1"]);

    let mut s = SupervisionRow {
        id: "s1".into(),
        case_id: "c1".into(),
        level: "city".into(),
        opened_on: "2026-03-01".into(),
        deadline: "2026-04-01".into(),
        concluded_on: None,
        opened_by: "u1".into(),
        created_at: 1,
    };
    cases::insert_supervision(&mut c, &s).await.unwrap();
    for (i, text) in ["一周内查明资金流向", "两周内抓获主犯"].iter().enumerate() {
        let seq = cases::add_instruction(
            &mut c,
            &InstructionRow {
                supervision_id: "s1".into(),
                seq: 0,
                at: 10 + i as i64,
                author_user_id: "u1".into(),
                text: text.to_string(),
            },
        )
        .await
        .unwrap();
        assert_eq!(seq, i as i64 + 1);
    }
    s.level = "province".into();
    s.concluded_on = Some("2026-03-20".into());
    cases::update_supervision(&mut c, &s).await.unwrap();
    assert_eq!(cases::supervision(&mut c, "s1").await.unwrap(), Some(s.clone()));
    assert_eq!(cases::supervisions(&mut c, Some("c1")).await.unwrap(), vec![s.clone()]);
    assert_eq!(cases::supervisions(&mut c, None).await.unwrap().len(), 1);
    assert_eq!(cases::instructions(&mut c, "s1").await.unwrap()[1].text, "两周内抓获主犯");
}

async fn figures_by_period_and_area(store: &Store) {
    seed(store).await;
    let mut c = store.conn().await.unwrap();
    let mut a = case("a", "psb", "solved", 1);
    a.accepted_on = Some("2026-03-01".into());
    a.registered_on = Some("2026-03-02".into());
    a.solved_on = Some("2026-03-20".into());
    let mut b = case("b", "psb", "registered", 2);
    b.division = "430203".into();
    b.accepted_on = Some("2026-03-05".into());
    b.registered_on = Some("2026-03-05".into());
    let mut old = case("old", "civil", "solved", 3);
    old.division = "110101".into();
    old.accepted_on = Some("2024-01-01".into());
    old.registered_on = Some("2024-01-02".into());
    old.solved_on = Some("2026-03-10".into());
    for k in [&a, &b, &old] {
        cases::insert(&mut c, k).await.unwrap();
    }
    let mut v = person("v1", "a", "victim");
    v.rescued_on = Some("2026-03-20".into());
    let mut s = person("s1", "a", "suspect");
    s.in_custody_on = Some("2026-03-19".into());
    let mut s2 = person("s2", "old", "suspect");
    s2.in_custody_on = Some("2026-02-28".into());
    for p in [&v, &s, &s2] {
        cases::insert_person(&mut c, p).await.unwrap();
    }
    cases::insert_gang(
        &mut c,
        &GangRow {
            id: "g".into(),
            case_id: "a".into(),
            code_name: "团伙".into(),
            broken_up_on: Some("2026-03-20".into()),
            created_at: 1,
        },
    )
    .await
    .unwrap();
    let march = FigureFilter {
        from: "2026-03-01".into(),
        to: "2026-03-31".into(),
        ..Default::default()
    };
    // Victims of cases registered in the period, with the case's forms of exploitation.
    let victims = cases::victims_for_figures(&mut c, &march).await.unwrap();
    assert_eq!(
        victims,
        vec![cases::VictimFigureRow {
            sex: Some("female".into()),
            age_at_event: Some(15),
            exploitation: vec!["labour".into()],
            occurred_on: "2026-03-01".into(),
        }]
    );
    let f = cases::figures(&mut c, &march).await.unwrap();
    assert_eq!((f.accepted, f.registered), (2, 2));
    assert_eq!(
        f.solved,
        vec![
            ("2024-01-02".to_owned(), "2026-03-10".to_owned()),
            ("2026-03-02".to_owned(), "2026-03-20".to_owned())
        ]
    );
    assert_eq!((f.rescued, f.caught, f.gangs_broken_up), (1, 1, 1));
    let county = FigureFilter {
        division_prefix: Some("430202".into()),
        ..march.clone()
    };
    let f = cases::figures(&mut c, &county).await.unwrap();
    assert_eq!((f.accepted, f.registered, f.solved.len()), (1, 1, 1));
    let unit = FigureFilter {
        owner_unit: Some("civil".into()),
        ..march
    };
    let f = cases::figures(&mut c, &unit).await.unwrap();
    assert_eq!((f.accepted, f.registered, f.solved.len(), f.caught), (0, 0, 1, 0));
}

//! The tips tables on both backends: round trips, workflow updates, the overdue and
//! escalation queries, blind-index look-ups, history, photos, referrals and reviews.

use fanguai_store::testing::TestDb;
use fanguai_store::tips::{
    self, NoActionReviewRow, TipAdditionRow, TipEventRow, TipFigureCounts, TipFigureFilter,
    TipFilter, TipPhotoRow, TipReferralRow, TipRow,
};
use fanguai_store::{Store, StoreError, UnitRow, UserRow, units, users};

macro_rules! contract {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = TestDb::sqlite().await;
                super::$name(&db).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match TestDb::postgres_from_env().await {
                    Some(db) => super::$name(&db).await,
                    None => eprintln!("TEST_DATABASE_URL is not set: PostgreSQL run skipped"),
                }
            }
        }
    )*};
}

contract!(
    tip_round_trip_keeps_every_field,
    tracking_code_is_unique,
    workflow_update_leaves_content_alone,
    unknown_state_is_refused,
    lists_by_unit_assignee_and_overdue,
    escalation_happens_once,
    identifiers_find_open_tips_only,
    history_photos_and_additions,
    photo_size_is_limited,
    referral_is_acknowledged_once,
    reviews_resolve_once,
    figures_count_by_period_area_and_unit,
);

const T0: i64 = 1_750_000_000_000;

async fn seed(store: &Store) {
    let mut c = store.conn().await.unwrap();
    for (i, id) in ["psb", "labour"].iter().enumerate() {
        units::insert(
            &mut c,
            &UnitRow {
                id: (*id).to_owned(),
                name_zh: format!("{id}单位"),
                name_en: format!("{id} unit"),
                duties_zh: "职责".into(),
                duties_en: "duties".into(),
                is_lead: i == 0,
                sort_order: i as i64,
                liaison_user_id: None,
                created_at: T0,
            },
        )
        .await
        .unwrap();
    }
    for (id, unit) in [("u1", "psb"), ("u2", "psb"), ("u3", "labour")] {
        users::insert(
            &mut c,
            &UserRow {
                id: id.into(),
                username: format!("user.{id}"),
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
                created_at: T0,
                updated_at: T0,
            },
        )
        .await
        .unwrap();
    }
}

fn tip(id: &str, code: &str, received_at: i64, deadline: i64) -> TipRow {
    TipRow {
        id: id.into(),
        tracking_code: code.into(),
        secret_hash: format!("hash-{id}"),
        source_kind: "public_web_form".into(),
        source_detail: None,
        owner_unit_id: "psb".into(),
        division: "430102".into(),
        occurred_date: "2025-06-01".into(),
        occurred_time: Some("21:30".into()),
        people_at_risk: r#"[{"count":1,"sex":"female","age_band":"6-13"}]"#.into(),
        child_involved: true,
        immediate_danger: false,
        urgency: "urgent".into(),
        received_at,
        ack_deadline: deadline,
        state: "received".into(),
        assignee_user_id: None,
        acknowledged_at: None,
        escalated_at: None,
        decision: None,
        case_ref: None,
        decided_by: None,
        decided_at: None,
        entered_by: None,
        data_key_id: format!("key-tip-{id}"),
        what_happened_enc: vec![0, 1, 2, 255],
        address_enc: Some(vec![3]),
        suspects_enc: Some(vec![4, 4]),
        vehicles_enc: None,
        phones_enc: Some(vec![5]),
        accounts_enc: None,
        contact_enc: Some(vec![6, 0, 6]),
        updated_at: received_at,
    }
}

async fn tip_round_trip_keeps_every_field(db: &TestDb) {
    seed(&db.store()).await;
    let mut c = db.store().conn().await.unwrap();
    let t = tip("t1", "ABCDEFGHJKM5", T0, T0 + 3_600_000);
    tips::insert(&mut c, &t).await.unwrap();
    assert_eq!(tips::get(&mut c, "t1").await.unwrap(), Some(t.clone()));
    assert_eq!(
        tips::by_tracking_code(&mut c, "ABCDEFGHJKM5")
            .await
            .unwrap(),
        Some(t.clone())
    );
    assert_eq!(
        tips::by_tracking_code(&mut c, "ABCDEFGHJKM6")
            .await
            .unwrap(),
        None
    );
    assert_eq!(tips::get(&mut c, "nope").await.unwrap(), None);
    let dbg = format!("{t:?}");
    assert!(
        !dbg.contains("ABCDEFGHJKM5") && !dbg.contains("hash-t1"),
        "{dbg}"
    );
}

async fn tracking_code_is_unique(db: &TestDb) {
    seed(&db.store()).await;
    let mut c = db.store().conn().await.unwrap();
    tips::insert(&mut c, &tip("t1", "SAME", T0, T0))
        .await
        .unwrap();
    let err = tips::insert(&mut c, &tip("t2", "SAME", T0, T0))
        .await
        .unwrap_err();
    match err {
        StoreError::Conflict { what } => assert!(what.contains("tracking_code"), "{what}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

async fn workflow_update_leaves_content_alone(db: &TestDb) {
    seed(&db.store()).await;
    let mut c = db.store().conn().await.unwrap();
    let mut t = tip("t1", "C1", T0, T0 + 1000);
    tips::insert(&mut c, &t).await.unwrap();
    t.state = "decided".into();
    t.assignee_user_id = Some("u1".into());
    t.acknowledged_at = Some(T0 + 10);
    t.decision = Some("join_case".into());
    t.case_ref = Some("case-7".into());
    t.decided_by = Some("u1".into());
    t.decided_at = Some(T0 + 20);
    t.updated_at = T0 + 20;
    let mut changed_content = t.clone();
    changed_content.what_happened_enc = vec![9, 9, 9];
    tips::update_workflow(&mut c, &changed_content)
        .await
        .unwrap();
    assert_eq!(tips::get(&mut c, "t1").await.unwrap(), Some(t));

    let mut missing = tip("zz", "C2", T0, T0);
    missing.state = "acknowledged".into();
    assert!(matches!(
        tips::update_workflow(&mut c, &missing).await,
        Err(StoreError::NotFound)
    ));
    // An assignee who does not exist breaks the foreign key.
    let mut ghost = tips::get(&mut c, "t1").await.unwrap().unwrap();
    ghost.assignee_user_id = Some("ghost".into());
    assert!(matches!(
        tips::update_workflow(&mut c, &ghost).await,
        Err(StoreError::Conflict { .. })
    ));
}

async fn unknown_state_is_refused(db: &TestDb) {
    seed(&db.store()).await;
    let mut c = db.store().conn().await.unwrap();
    let mut t = tip("t1", "C1", T0, T0);
    t.state = "lost".into();
    match tips::insert(&mut c, &t).await {
        Err(StoreError::Invalid { field, reason }) => {
            assert_eq!(field, "tips.state");
            assert!(reason.contains("lost"));
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

async fn lists_by_unit_assignee_and_overdue(db: &TestDb) {
    seed(&db.store()).await;
    let mut c = db.store().conn().await.unwrap();
    tips::insert(&mut c, &tip("a", "CA", T0, T0 + 100))
        .await
        .unwrap();
    let mut b = tip("b", "CB", T0, T0 + 50);
    b.owner_unit_id = "labour".into();
    tips::insert(&mut c, &b).await.unwrap();
    let mut d = tip("d", "CD", T0, T0 + 10);
    d.owner_unit_id = "labour".into();
    d.state = "acknowledged".into();
    d.assignee_user_id = Some("u1".into());
    d.acknowledged_at = Some(T0 + 5);
    tips::insert(&mut c, &d).await.unwrap();

    let ids = |rows: Vec<TipRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    let all = tips::list(&mut c, &TipFilter::default()).await.unwrap();
    assert_eq!(ids(all), ["d", "b", "a"], "earliest deadline first");
    let psb = tips::list(
        &mut c,
        &TipFilter {
            owner_unit: Some("psb".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(ids(psb), ["a"]);
    let psb_or_mine = tips::list(
        &mut c,
        &TipFilter {
            owner_unit: Some("psb".into()),
            or_assignee: Some("u1".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(ids(psb_or_mine), ["d", "a"]);
    // At T0+60 only b is overdue: a's deadline is later, d was acknowledged.
    let overdue = tips::list(
        &mut c,
        &TipFilter {
            overdue_at: Some(T0 + 60),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(ids(overdue), ["b"]);
    // At the deadline itself a tip is not yet overdue.
    let at_deadline = tips::list(
        &mut c,
        &TipFilter {
            overdue_at: Some(T0 + 50),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(at_deadline.is_empty());
    let page = tips::list(
        &mut c,
        &TipFilter {
            limit: 1,
            offset: 1,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(ids(page), ["b"]);
}

async fn escalation_happens_once(db: &TestDb) {
    seed(&db.store()).await;
    let mut c = db.store().conn().await.unwrap();
    tips::insert(&mut c, &tip("a", "CA", T0, T0 + 100))
        .await
        .unwrap();
    tips::insert(&mut c, &tip("b", "CB", T0, T0 + 1000))
        .await
        .unwrap();
    let due = tips::due_for_escalation(&mut c, T0 + 500).await.unwrap();
    assert_eq!(due.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["a"]);
    assert!(tips::mark_escalated(&mut c, "a", T0 + 500).await.unwrap());
    assert!(!tips::mark_escalated(&mut c, "a", T0 + 600).await.unwrap());
    assert!(
        tips::due_for_escalation(&mut c, T0 + 500)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        tips::get(&mut c, "a").await.unwrap().unwrap().escalated_at,
        Some(T0 + 500)
    );
}

async fn identifiers_find_open_tips_only(db: &TestDb) {
    seed(&db.store()).await;
    let mut c = db.store().conn().await.unwrap();
    tips::insert(&mut c, &tip("a", "CA", T0, T0)).await.unwrap();
    tips::insert(&mut c, &tip("b", "CB", T0, T0)).await.unwrap();
    let mut closed = tip("z", "CZ", T0, T0);
    closed.state = "decided".into();
    closed.decision = Some("open_case".into());
    tips::insert(&mut c, &closed).await.unwrap();
    for id in ["a", "b", "z"] {
        tips::add_identifier(&mut c, id, "phone", "P1")
            .await
            .unwrap();
    }
    tips::add_identifier(&mut c, "a", "phone", "P1")
        .await
        .unwrap();
    tips::add_identifier(&mut c, "a", "plate", "V1")
        .await
        .unwrap();
    assert_eq!(
        tips::identifiers_of(&mut c, "a").await.unwrap(),
        [
            ("phone".to_owned(), "P1".to_owned()),
            ("plate".to_owned(), "V1".to_owned())
        ]
    );
    let mine = tips::identifiers_of(&mut c, "a").await.unwrap();
    let found = tips::open_sharing_identifiers(&mut c, "a", &mine)
        .await
        .unwrap();
    assert_eq!(found, ["b"]);
    assert!(matches!(
        tips::add_identifier(&mut c, "a", "email", "E").await,
        Err(StoreError::Invalid { .. })
    ));
    let near = tips::open_in_division(&mut c, "430102", T0 - 1, T0 + 1)
        .await
        .unwrap();
    assert_eq!(near.len(), 2, "the decided tip is not a candidate");
}

async fn history_photos_and_additions(db: &TestDb) {
    seed(&db.store()).await;
    let mut c = db.store().conn().await.unwrap();
    tips::insert(&mut c, &tip("a", "CA", T0, T0)).await.unwrap();
    for (i, kind) in ["received", "acknowledged"].iter().enumerate() {
        tips::add_event(
            &mut c,
            &TipEventRow {
                id: format!("e{i}"),
                tip_id: "a".into(),
                at: T0 + i as i64,
                actor_user_id: (i > 0).then(|| "u1".to_owned()),
                kind: (*kind).into(),
                detail: String::new(),
            },
        )
        .await
        .unwrap();
    }
    let ev = tips::events(&mut c, "a").await.unwrap();
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[1].actor_user_id.as_deref(), Some("u1"));
    let bytes: Vec<u8> = (0..=255u8).collect();
    let photo = TipPhotoRow {
        id: "p1".into(),
        tip_id: "a".into(),
        position: 0,
        content_type: "image/png".into(),
        size_bytes: 256,
        photo_enc: bytes.clone(),
        created_at: T0,
    };
    tips::add_photo(&mut c, &photo).await.unwrap();
    assert_eq!(tips::photos(&mut c, "a").await.unwrap(), [photo.clone()]);
    assert!(!format!("{photo:?}").contains("255"));
    let mut same_pos = photo.clone();
    same_pos.id = "p2".into();
    assert!(matches!(
        tips::add_photo(&mut c, &same_pos).await,
        Err(StoreError::Conflict { .. })
    ));
    let add = TipAdditionRow {
        id: "x1".into(),
        tip_id: "a".into(),
        at: T0 + 9,
        text_enc: vec![7, 7],
    };
    tips::add_addition(&mut c, &add).await.unwrap();
    assert_eq!(tips::additions(&mut c, "a").await.unwrap(), [add]);
}

async fn photo_size_is_limited(db: &TestDb) {
    seed(&db.store()).await;
    let mut c = db.store().conn().await.unwrap();
    tips::insert(&mut c, &tip("a", "CA", T0, T0)).await.unwrap();
    let too_big = TipPhotoRow {
        id: "p1".into(),
        tip_id: "a".into(),
        position: 0,
        content_type: "image/jpeg".into(),
        size_bytes: tips::MAX_PHOTO_BYTES + 1,
        photo_enc: vec![1],
        created_at: T0,
    };
    match tips::add_photo(&mut c, &too_big).await {
        Err(StoreError::Invalid { field, .. }) => assert_eq!(field, "tip_photos.size_bytes"),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

async fn referral_is_acknowledged_once(db: &TestDb) {
    seed(&db.store()).await;
    let mut c = db.store().conn().await.unwrap();
    tips::insert(&mut c, &tip("a", "CA", T0, T0)).await.unwrap();
    let r = TipReferralRow {
        tip_id: "a".into(),
        to_unit_id: "labour".into(),
        reason_enc: vec![1, 2],
        referred_by: "u1".into(),
        referred_at: T0 + 1,
        acknowledged_by: None,
        acknowledged_at: None,
    };
    tips::insert_referral(&mut c, &r).await.unwrap();
    assert!(matches!(
        tips::insert_referral(&mut c, &r).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        tips::referrals_to(&mut c, "labour").await.unwrap(),
        [r.clone()]
    );
    assert!(tips::referrals_to(&mut c, "psb").await.unwrap().is_empty());
    assert!(
        tips::acknowledge_referral(&mut c, "a", "u3", T0 + 2)
            .await
            .unwrap()
    );
    assert!(
        !tips::acknowledge_referral(&mut c, "a", "u3", T0 + 3)
            .await
            .unwrap()
    );
    let got = tips::referral(&mut c, "a").await.unwrap().unwrap();
    assert_eq!(got.acknowledged_by.as_deref(), Some("u3"));
    assert_eq!(got.acknowledged_at, Some(T0 + 2));
}

async fn reviews_resolve_once(db: &TestDb) {
    seed(&db.store()).await;
    let mut c = db.store().conn().await.unwrap();
    tips::insert(&mut c, &tip("a", "CA", T0, T0)).await.unwrap();
    let r = NoActionReviewRow {
        id: "r1".into(),
        tip_id: "a".into(),
        reason_enc: vec![5],
        proposed_by: "u1".into(),
        proposed_at: T0,
        outcome: "pending".into(),
        reviewed_by: None,
        reviewed_at: None,
    };
    tips::insert_review(&mut c, &r).await.unwrap();
    tips::resolve_review(&mut c, "r1", "rejected", "u2", T0 + 1)
        .await
        .unwrap();
    assert!(matches!(
        tips::resolve_review(&mut c, "r1", "approved", "u2", T0 + 2).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        tips::resolve_review(&mut c, "r1", "maybe", "u2", T0 + 2).await,
        Err(StoreError::Invalid { .. })
    ));
    let all = tips::reviews(&mut c, "a").await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].outcome, "rejected");
    assert_eq!(all[0].reviewed_by.as_deref(), Some("u2"));
}

async fn figures_count_by_period_area_and_unit(db: &TestDb) {
    seed(&db.store()).await;
    let mut c = db.store().conn().await.unwrap();
    let h = 3_600_000;
    // t1: urgent web tip, acknowledged after 10 min (on time), opened a case.
    let mut t1 = tip("f1", "FIG000000001", T0, T0 + h);
    t1.acknowledged_at = Some(T0 + 600_000);
    t1.decision = Some("open_case".into());
    t1.state = "decided".into();
    // t2: normal hotline tip of another county, acknowledged 2 h late, referred.
    let mut t2 = tip("f2", "FIG000000002", T0 + h, T0 + 2 * h);
    t2.source_kind = "hotline".into();
    t2.urgency = "normal".into();
    t2.division = "430203".into();
    t2.acknowledged_at = Some(T0 + 4 * h);
    t2.decision = Some("refer".into());
    t2.state = "decided".into();
    // t3: labour's tip, never acknowledged, deadline passed.
    let mut t3 = tip("f3", "FIG000000003", T0 + 2 * h, T0 + 3 * h);
    t3.owner_unit_id = "labour".into();
    // t4: not acknowledged yet, deadline still ahead of "now".
    let t4 = tip("f4", "FIG000000004", T0 + 5 * h, T0 + 10 * h);
    // t5: outside the period.
    let t5 = tip("f5", "FIG000000005", T0 + 24 * h, T0 + 25 * h);
    for t in [&t1, &t2, &t3, &t4, &t5] {
        tips::insert(&mut c, t).await.unwrap();
        tips::update_workflow(&mut c, t).await.unwrap();
    }
    let all = TipFigureFilter {
        from_ms: T0,
        to_ms: T0 + 24 * h,
        now_ms: T0 + 6 * h,
        ..Default::default()
    };
    let got = tips::figures(&mut c, &all).await.unwrap();
    assert_eq!(
        got,
        TipFigureCounts {
            received: 4,
            by_source: vec![("hotline".into(), 1), ("public_web_form".into(), 3)],
            by_urgency: vec![("normal".into(), 1), ("urgent".into(), 3)],
            by_decision: vec![("open_case".into(), 1), ("refer".into(), 1)],
            undecided: 2,
            ack_on_time: 1,
            ack_late: 1,
            unacknowledged_overdue: 1,
            unacknowledged_in_time: 1,
            ack_durations_ms: vec![600_000, 3 * h],
        }
    );
    let psb_county = TipFigureFilter {
        owner_unit: Some("psb".into()),
        division_prefix: Some("430102".into()),
        ..all.clone()
    };
    let got = tips::figures(&mut c, &psb_county).await.unwrap();
    assert_eq!(got.received, 2);
    assert_eq!(got.ack_durations_ms, vec![600_000]);
    assert_eq!(got.unacknowledged_in_time, 1);
    let prefecture = TipFigureFilter {
        division_prefix: Some("4302".into()),
        ..all.clone()
    };
    assert_eq!(
        tips::figures(&mut c, &prefecture).await.unwrap().received,
        1
    );
    let wild = TipFigureFilter {
        division_prefix: Some("43%".into()),
        ..all
    };
    assert!(matches!(
        tips::figures(&mut c, &wild).await,
        Err(StoreError::Invalid {
            field: "division_prefix",
            ..
        })
    ));
}

//! Capability handles refuse the roles that lack a right, refusals are audited, personal
//! fields are never stored in plaintext, the audit chain detects tampering, and keys can
//! be rotated and shredded.

mod common;
use common::*;
use fanguai_service::{AuditQuery, ChainStatus, NewUser, ServiceError};
use fanguai_store::sqlx;

fn refused<T: std::fmt::Debug>(r: Result<T, ServiceError>) {
    assert!(
        matches!(r, Err(ServiceError::Refused { .. })),
        "expected a refusal, got {r:?}"
    );
}

both_backends!(each_desk_refuses_roles_without_the_right, |t| {
    for (u, unit, role) in [
        ("admin1", "psb", "admin"),
        ("auditor1", "psb", "auditor"),
        ("inv1", "psb", "investigator"),
        ("office1", "psb", "office"),
        ("cw1", "civil-affairs", "caseworker"),
        ("liaison1", "education", "liaison"),
        ("lab1", "psb", "lab"),
        ("convenor1", "psb", "convenor"),
        ("sup1", "psb", "supervisor"),
    ] {
        t.user(u, unit, role).await;
    }
    for u in [
        "auditor1",
        "inv1",
        "office1",
        "cw1",
        "liaison1",
        "lab1",
        "convenor1",
        "sup1",
    ] {
        refused(t.session(u).await.admin().await);
    }
    for u in [
        "admin1",
        "inv1",
        "office1",
        "cw1",
        "liaison1",
        "lab1",
        "convenor1",
        "sup1",
    ] {
        refused(t.session(u).await.auditor().await);
    }
    t.session("admin1").await.admin().await.unwrap();
    let audit = t.session("auditor1").await.auditor().await.unwrap();
    for u in [
        "admin1",
        "auditor1",
        "inv1",
        "office1",
        "cw1",
        "liaison1",
        "lab1",
        "convenor1",
        "sup1",
    ] {
        t.session(u).await.directory().await.unwrap();
    }
    // Every refusal above is in the log, with who asked.
    let page = audit
        .list(&AuditQuery {
            action: Some("users.manage".into()),
            per_page: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    let refusals: Vec<_> = page
        .events
        .iter()
        .filter(|e| e.outcome == "refused")
        .collect();
    assert_eq!(refusals.len(), 8, "{:?}", page.events);
    assert!(
        refusals
            .iter()
            .any(|e| e.username == "cw1" && e.unit == "civil-affairs")
    );
});

both_backends!(admin_account_management, |t| {
    t.user("admin1", "psb", "admin").await;
    let admin = t.session("admin1").await.admin().await.unwrap();
    let (v, once) = admin
        .create_user(&NewUser {
            username: "Zheng.Shi".into(),
            display_name: "郑十".into(),
            phone: Some("+86 139-0013-9000".into()),
            unit_id: "womens-federation".into(),
            roles: vec!["caseworker".into()],
        })
        .await
        .unwrap();
    assert_eq!(v.username, "zheng.shi");
    assert_eq!(v.phone_masked.as_deref(), Some("139****9000"));
    assert!(v.must_change_password);
    t.app.login(&ctx(), "zheng.shi", &once).await.unwrap();
    // Bad input names the field and writes nothing.
    let before = admin.list_users().await.unwrap().len();
    for (field, new) in [
        (
            "username",
            NewUser {
                username: "x".into(),
                ..nu()
            },
        ),
        (
            "unit_id",
            NewUser {
                unit_id: "no-such-unit".into(),
                ..nu()
            },
        ),
        (
            "roles",
            NewUser {
                roles: vec!["emperor".into()],
                ..nu()
            },
        ),
        (
            "roles",
            NewUser {
                roles: vec!["auditor".into(), "investigator".into()],
                ..nu()
            },
        ),
        (
            "phone",
            NewUser {
                phone: Some("12345".into()),
                ..nu()
            },
        ),
        (
            "username",
            NewUser {
                username: "zheng.shi".into(),
                ..nu()
            },
        ),
    ] {
        match admin.create_user(&new).await {
            Err(ServiceError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert_eq!(admin.list_users().await.unwrap().len(), before);
    let v = admin
        .assign(
            &v.id,
            &fanguai_service::Assignment {
                unit_id: "health".into(),
                roles: vec!["liaison".into()],
            },
        )
        .await
        .unwrap();
    assert_eq!(v.unit_id, "health");
    let (_, again) = admin.reset_password(&v.id).await.unwrap();
    assert_ne!(again, once);
    assert!(t.app.login(&ctx(), "zheng.shi", &once).await.is_err());
    let v = admin.reset_2fa(&v.id).await.unwrap();
    assert!(!v.totp_enrolled);
});

fn nu() -> NewUser {
    NewUser {
        username: "new.user".into(),
        display_name: "新用户".into(),
        phone: None,
        unit_id: "psb".into(),
        roles: vec!["office".into()],
    }
}

both_backends!(audit_chain_detects_edit_delete_and_reorder, |t| {
    t.user("inv1", "psb", "investigator").await;
    t.session("inv1").await;
    assert!(matches!(
        fanguai_service::verify_chain(&t.db.store()).await.unwrap(),
        ChainStatus::Intact { .. }
    ));
    let mut c = t.db.store().conn().await.unwrap();

    sqlx::query("UPDATE audit_events SET detail = 'nothing happened' WHERE seq = 3")
        .execute(&mut *c)
        .await
        .unwrap();
    match fanguai_service::verify_chain(&t.db.store()).await.unwrap() {
        ChainStatus::Broken {
            first_broken_seq, ..
        } => assert_eq!(first_broken_seq, 3),
        s => panic!("edit not detected: {s:?}"),
    }
});

both_backends!(audit_chain_detects_deletion, |t| {
    t.user("inv1", "psb", "investigator").await;
    t.session("inv1").await;
    let mut c = t.db.store().conn().await.unwrap();
    sqlx::query("DELETE FROM audit_events WHERE seq = 2")
        .execute(&mut *c)
        .await
        .unwrap();
    match fanguai_service::verify_chain(&t.db.store()).await.unwrap() {
        ChainStatus::Broken {
            first_broken_seq, ..
        } => assert!(first_broken_seq <= 3, "{first_broken_seq}"),
        s => panic!("deletion not detected: {s:?}"),
    }
    // Deleting the newest event is caught by the chain head.
    let db2 = &t.db;
    let _ = db2;
});

both_backends!(audit_chain_detects_truncation_and_reorder, |t| {
    t.user("inv1", "psb", "investigator").await;
    t.session("inv1").await;
    let mut c = t.db.store().conn().await.unwrap();
    let (head, _) = fanguai_store::audit::head(&mut c).await.unwrap();
    sqlx::query(&format!("DELETE FROM audit_events WHERE seq = {head}"))
        .execute(&mut *c)
        .await
        .unwrap();
    assert!(matches!(
        fanguai_service::verify_chain(&t.db.store()).await.unwrap(),
        ChainStatus::Broken { .. }
    ));

    // Swapping two events' contents (same seqs, order changed) breaks the chain too.
    sqlx::query("UPDATE audit_events SET seq = -1 WHERE seq = 2")
        .execute(&mut *c)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_events SET seq = 2 WHERE seq = 3")
        .execute(&mut *c)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_events SET seq = 3 WHERE seq = -1")
        .execute(&mut *c)
        .await
        .unwrap();
    match fanguai_service::verify_chain(&t.db.store()).await.unwrap() {
        ChainStatus::Broken {
            first_broken_seq, ..
        } => assert_eq!(first_broken_seq, 2),
        s => panic!("reorder not detected: {s:?}"),
    }
});

both_backends!(shredding_makes_fields_unreadable_and_is_audited, |t| {
    t.user("admin1", "psb", "admin").await;
    let victim = t.user("leaver", "health", "caseworker").await;
    t.app
        .shred_subject(&ctx(), &format!("user:{victim}"), "retention period ended")
        .await
        .unwrap();
    let admin = t.session("admin1").await.admin().await.unwrap();
    assert!(
        admin.list_users().await.is_err(),
        "a shredded field cannot be decrypted"
    );
    let auditor = {
        t.user("auditor1", "psb", "auditor").await;
        t.session("auditor1").await.auditor().await.unwrap()
    };
    let page = auditor
        .list(&AuditQuery {
            action: Some("keys.shred".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.events.len(), 1);
    assert_eq!(page.events[0].purpose, "retention period ended");
});

both_backends!(rotation_rewraps_every_data_key, |t| {
    // The test app seeded units only, so every data key below is wrapped by this ring.
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    fanguai_vault::KeyRing::create(&keys).unwrap();
    let app = fanguai_service::App::open(
        t.db.store().clone(),
        fanguai_vault::KeyRing::open(&keys).unwrap(),
        Default::default(),
    )
    .await
    .unwrap();
    let op = app.operator(ctx());
    op.add(&nu(), Some(PASSWORD)).await.unwrap();
    op.add(
        &NewUser {
            username: "second.user".into(),
            ..nu()
        },
        Some(PASSWORD),
    )
    .await
    .unwrap();
    fanguai_vault::KeyRing::rotate(&keys).unwrap();
    app.replace_ring(fanguai_vault::KeyRing::open(&keys).unwrap());
    let r = app.rewrap_data_keys(&ctx()).await.unwrap();
    assert_eq!((r.rewrapped, r.remaining_old), (2, 0));
    // Readable under the new master key alone once the old one is retired.
    let mut ids: Vec<_> = fanguai_vault::KeyRing::open(&keys)
        .unwrap()
        .master_ids()
        .collect();
    ids.sort();
    fanguai_vault::KeyRing::retire(&keys, ids[0]).unwrap();
    app.replace_ring(fanguai_vault::KeyRing::open(&keys).unwrap());
    let names: Vec<_> = op
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.display_name)
        .collect();
    assert_eq!(names, vec!["新用户".to_string(), "新用户".to_string()]);
});

both_backends!(
    a_running_server_follows_a_rotation_by_another_process,
    |t| {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        fanguai_vault::KeyRing::create(&keys).unwrap();
        let cfg = fanguai_service::ServiceConfig {
            keys_dir: Some(keys.clone()),
            ..Default::default()
        };
        let server = fanguai_service::App::open(
            t.db.store().clone(),
            fanguai_vault::KeyRing::open(&keys).unwrap(),
            cfg.clone(),
        )
        .await
        .unwrap();
        server
            .operator(ctx())
            .add(&nu(), Some(PASSWORD))
            .await
            .unwrap();
        // `fanguai keys rotate` in another process: new master key, every data key re-wrapped.
        let operator = fanguai_service::App::open(
            t.db.store().clone(),
            fanguai_vault::KeyRing::open(&keys).unwrap(),
            cfg,
        )
        .await
        .unwrap();
        fanguai_vault::KeyRing::rotate(&keys).unwrap();
        operator.replace_ring(fanguai_vault::KeyRing::open(&keys).unwrap());
        assert_eq!(
            operator.rewrap_data_keys(&ctx()).await.unwrap().rewrapped,
            1
        );
        // The server still holds the old ring in memory, and reads on without a restart.
        let names: Vec<_> = server
            .operator(ctx())
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|v| v.display_name)
            .collect();
        assert_eq!(names, vec!["新用户".to_string()]);
    }
);

both_backends!(
    the_audit_page_checks_new_events_and_rechecks_the_whole_chain,
    |t| {
        t.user("auditor1", "psb", "auditor").await;
        let desk = t.session("auditor1").await.auditor().await.unwrap();
        assert!(matches!(
            desk.verify().await.unwrap(),
            ChainStatus::Intact { .. }
        ));
        // New events after the checked prefix are checked on the next view.
        t.user("inv1", "psb", "investigator").await;
        let ChainStatus::Intact { events, .. } = desk.verify().await.unwrap() else {
            panic!()
        };
        let mut c = t.db.store().conn().await.unwrap();
        let (head, _) = fanguai_store::audit::head(&mut c).await.unwrap();
        assert_eq!(events, head);
        sqlx::query(&format!(
            "UPDATE audit_events SET detail = 'forged' WHERE seq = {head}"
        ))
        .execute(&mut *c)
        .await
        .unwrap();
        t.user("inv2", "psb", "investigator").await;
        // An edit inside the checked prefix shows within ten minutes, when the whole chain is walked again.
        t.app.clock().advance_secs(11 * 60);
        match desk.verify().await.unwrap() {
            ChainStatus::Broken {
                first_broken_seq, ..
            } => assert_eq!(first_broken_seq, head),
            s => panic!("{s:?}"),
        }
    }
);

both_backends!(admins_name_the_liaison_of_a_unit, |t| {
    t.user("admin1", "psb", "admin").await;
    let a = t.user("first", "health", "liaison").await;
    let b = t.user("second", "health", "caseworker").await;
    let admin = t.session("admin1").await.admin().await.unwrap();
    assert!(admin.make_liaison(&a).await.unwrap().liaison);
    assert!(admin.make_liaison(&b).await.unwrap().liaison);
    let list = admin.list_users().await.unwrap();
    assert!(!list.iter().find(|u| u.id == a).unwrap().liaison, "one liaison per unit");
    admin.disable(&a).await.unwrap();
    assert!(matches!(admin.make_liaison(&a).await, Err(ServiceError::Invalid { .. })));
    let units = t.session("admin1").await.directory().await.unwrap().units().await.unwrap();
    let health = units.iter().find(|u| u.id == "health").unwrap();
    assert_eq!(health.liaison.as_ref().map(|m| m.user_id.as_str()), Some(b.as_str()));
});

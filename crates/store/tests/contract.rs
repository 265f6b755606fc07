//! The store's contract: every test runs on SQLite (a fresh temporary file) and, when
//! `TEST_DATABASE_URL` names a PostgreSQL server, on a fresh PostgreSQL database too.
//! Both backends must give the same answers.

use std::collections::HashSet;

use fanguai_store::audit::{self, AuditFilter, NewAuditEvent};
use fanguai_store::testing::TestDb;
use fanguai_store::{
    AuditEventRow, Backend, DataKeyRow, SessionRow, Store, StoreError, UnitRow, UserRow, data_keys,
    sessions, settings, units, users,
};
use sqlx::Row;

/// Runs each named `async fn(&TestDb)` on a migrated database of each backend.
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

/// Same, on databases that have not been migrated yet.
macro_rules! contract_unmigrated {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = TestDb::sqlite_unmigrated().await;
                super::$name(&db).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match TestDb::postgres_unmigrated_from_env().await {
                    Some(db) => super::$name(&db).await,
                    None => eprintln!("TEST_DATABASE_URL is not set: PostgreSQL run skipped"),
                }
            }
        }
    )*};
}

contract_unmigrated!(
    migrate_is_idempotent,
    concurrent_migrations_apply_once,
    newer_schema_is_refused
);
contract!(
    placeholders_are_numbered,
    ping_and_backend,
    units_round_trip,
    users_round_trip,
    username_conflict_is_named,
    user_needs_existing_unit,
    sessions_round_trip,
    sessions_follow_their_user,
    data_keys_round_trip,
    data_key_rotation_in_batches,
    data_key_destruction,
    blobs_keep_every_byte,
    settings_round_trip,
    rollback_leaves_nothing,
    audit_chain_links,
    audit_filters,
    concurrent_audit_appends_keep_the_chain,
    backup,
);

// ---------------------------------------------------------------------------------
// Fixtures

fn unit(id: &str, sort_order: i64) -> UnitRow {
    UnitRow {
        id: id.to_owned(),
        name_zh: format!("{id}单位"),
        name_en: format!("{id} unit"),
        duties_zh: "职责".to_owned(),
        duties_en: "duties".to_owned(),
        is_lead: sort_order == 1,
        sort_order,
        liaison_user_id: None,
        created_at: 1_700_000_000_000 + sort_order,
    }
}

fn user(id: &str, username: &str, unit_id: &str) -> UserRow {
    UserRow {
        id: id.to_owned(),
        username: username.to_owned(),
        unit_id: unit_id.to_owned(),
        roles: vec!["investigator".to_owned(), "liaison".to_owned()],
        display_name_enc: vec![1, 2, 3, 0, 255],
        phone_enc: Some(vec![9, 8, 7]),
        phone_bidx: Some(format!("bidx-{id}")),
        data_key_id: format!("key-{id}"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        must_change_password: true,
        totp_secret_enc: None,
        totp_enrolled: false,
        totp_last_step: None,
        disabled: false,
        failed_logins: 0,
        locked_until: None,
        created_at: 1_700_000_000_000,
        updated_at: 1_700_000_000_000,
    }
}

fn session(id_hash: &str, user_id: &str, last_seen: i64) -> SessionRow {
    SessionRow {
        id_hash: id_hash.to_owned(),
        user_id: user_id.to_owned(),
        stage: "password".to_owned(),
        csrf_token: format!("csrf-{id_hash}"),
        lang: "zh-CN".to_owned(),
        created_at: last_seen,
        last_seen,
        ip: Some("192.0.2.7".to_owned()),
        user_agent: None,
    }
}

fn data_key(id: &str, subject: &str, master: &str) -> DataKeyRow {
    DataKeyRow {
        id: id.to_owned(),
        subject: subject.to_owned(),
        wrapped: format!("wrapped {id} under {master}").into_bytes(),
        master_key_id: master.to_owned(),
        created_at: 1_700_000_000_000,
        destroyed_at: None,
    }
}

fn event(
    action: &str,
    actor: Option<&str>,
    unit: &str,
    record: (&str, &str),
    at: i64,
) -> NewAuditEvent {
    NewAuditEvent {
        at,
        request_id: format!("req-{at}"),
        actor_user_id: actor.map(str::to_owned),
        actor_username: actor.map(|a| format!("name-of-{a}")).unwrap_or_default(),
        actor_unit: unit.to_owned(),
        actor_role: "investigator".to_owned(),
        action: action.to_owned(),
        record_type: record.0.to_owned(),
        record_id: record.1.to_owned(),
        purpose: String::new(),
        outcome: "ok".to_owned(),
        detail: String::new(),
    }
}

/// A stand-in for the vault's chain hash: deterministic, covers every field, and
/// differs when any of them does.
fn test_hash(prev: &str, e: &AuditEventRow) -> String {
    assert!(
        e.hash.is_empty(),
        "the hasher must see the event without its hash"
    );
    let text = format!(
        "{prev}|{}|{}|{}|{:?}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
        e.seq,
        e.at,
        e.request_id,
        e.actor_user_id,
        e.actor_username,
        e.actor_unit,
        e.actor_role,
        e.action,
        e.record_type,
        e.record_id,
        e.purpose,
        e.outcome,
        e.detail
    );
    let mut out = String::new();
    for salt in 0u64..4 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ salt;
        for b in text.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

async fn seed_unit_and_user(store: &Store) {
    let mut tx = store.begin().await.unwrap();
    units::insert(&mut tx, &unit("psb", 1)).await.unwrap();
    users::insert(&mut tx, &user("u1", "alice", "psb"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Walks the whole chain in small batches and checks every link; returns its length.
async fn verify_chain(store: &Store) -> i64 {
    let mut conn = store.conn().await.unwrap();
    let mut prev_hash = GENESIS.to_owned();
    let mut last_seq = 0;
    loop {
        let batch = audit::scan(&mut conn, last_seq, 7).await.unwrap();
        if batch.is_empty() {
            break;
        }
        for e in batch {
            assert_eq!(e.seq, last_seq + 1, "gap or reorder before seq {}", e.seq);
            assert_eq!(
                e.prev_hash, prev_hash,
                "seq {} does not link to its predecessor",
                e.seq
            );
            let mut unhashed = e.clone();
            unhashed.hash.clear();
            assert_eq!(
                e.hash,
                test_hash(&e.prev_hash, &unhashed),
                "seq {} hash",
                e.seq
            );
            prev_hash = e.hash;
            last_seq = e.seq;
        }
    }
    assert_eq!(audit::head(&mut conn).await.unwrap(), (last_seq, prev_hash));
    last_seq
}

// ---------------------------------------------------------------------------------
// Migrations

async fn migrate_is_idempotent(db: &TestDb) {
    let store = db.store();
    // Every migration is pending on a new database, in order, starting with the first.
    let all = store.pending_migrations().await.unwrap();
    assert_eq!(all.first().map(String::as_str), Some("0001_initial"));
    assert!(all.contains(&"0002_tips".to_owned()), "{all:?}");
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(sorted, all, "migrations apply in the order of their names");
    assert_eq!(store.migrate().await.unwrap(), all);
    assert!(store.pending_migrations().await.unwrap().is_empty());
    assert!(store.migrate().await.unwrap().is_empty());
    let mut conn = store.conn().await.unwrap();
    assert_eq!(
        audit::head(&mut conn).await.unwrap(),
        (0, GENESIS.to_owned())
    );
    let recorded: i64 = sqlx::query("SELECT count(*) AS n FROM schema_migrations")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(recorded, all.len() as i64);
}

async fn concurrent_migrations_apply_once(db: &TestDb) {
    let known = db.store().pending_migrations().await.unwrap().len();
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let url = db.url().to_owned();
        tasks.push(tokio::spawn(async move {
            let store = Store::connect(&url).await.unwrap();
            let applied = store.migrate().await.unwrap();
            store.close().await;
            applied
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap().len();
    }
    assert_eq!(total, known, "each migration must be applied exactly once");
    assert!(db.store().pending_migrations().await.unwrap().is_empty());
}

async fn newer_schema_is_refused(db: &TestDb) {
    let store = db.store();
    let known = store.migrate().await.unwrap().len() as i64;
    let mut conn = store.conn().await.unwrap();
    sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
        .bind(999_i64)
        .bind("0999_from_the_future")
        .bind("0")
        .bind(0_i64)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    for result in [store.migrate().await, store.pending_migrations().await] {
        match result {
            Err(StoreError::NewerSchema { db, binary }) => assert_eq!((db, binary), (999, known)),
            other => panic!("expected NewerSchema, got {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------
// Basics

async fn placeholders_are_numbered(db: &TestDb) {
    let mut conn = db.store().conn().await.unwrap();
    // Out of order and reused: SQLite must bind by number, as PostgreSQL does.
    let row = sqlx::query("SELECT $2 AS second, $1 AS first, $1 AS again")
        .bind("one")
        .bind("two")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(row.try_get::<String, _>("first").unwrap(), "one");
    assert_eq!(row.try_get::<String, _>("second").unwrap(), "two");
    assert_eq!(row.try_get::<String, _>("again").unwrap(), "one");
}

async fn ping_and_backend(db: &TestDb) {
    let store = db.store();
    store.ping().await.unwrap();
    let expected = if db.url().starts_with("sqlite:") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    assert_eq!(store.backend(), expected);
}

// ---------------------------------------------------------------------------------
// Repositories

async fn units_round_trip(db: &TestDb) {
    let store = db.store();
    let mut tx = store.begin().await.unwrap();
    for (id, order) in [("women", 3), ("psb", 1), ("civil", 2)] {
        units::insert(&mut tx, &unit(id, order)).await.unwrap();
    }
    users::insert(&mut tx, &user("u1", "alice", "civil"))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut c = store.conn().await.unwrap();
    assert_eq!(
        units::get(&mut c, "civil").await.unwrap(),
        Some(unit("civil", 2))
    );
    assert_eq!(units::get(&mut c, "nope").await.unwrap(), None);
    let order: Vec<String> = units::list(&mut c)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(order, ["psb", "civil", "women"]);
    assert!(units::get(&mut c, "psb").await.unwrap().unwrap().is_lead);

    units::set_liaison(&mut c, "civil", Some("u1"))
        .await
        .unwrap();
    assert_eq!(
        units::get(&mut c, "civil")
            .await
            .unwrap()
            .unwrap()
            .liaison_user_id
            .as_deref(),
        Some("u1")
    );
    units::set_liaison(&mut c, "civil", None).await.unwrap();
    assert_eq!(
        units::get(&mut c, "civil")
            .await
            .unwrap()
            .unwrap()
            .liaison_user_id,
        None
    );
    assert!(matches!(
        units::set_liaison(&mut c, "nope", None).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        units::set_liaison(&mut c, "civil", Some("ghost")).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        units::get(&mut c, "civil")
            .await
            .unwrap()
            .unwrap()
            .liaison_user_id,
        None
    );

    match units::insert(&mut c, &unit("psb", 9)).await {
        Err(StoreError::Conflict { what }) => {
            assert_eq!(what, "a units record with this id already exists")
        }
        other => panic!("expected Conflict, got {other:?}"),
    }
}

async fn users_round_trip(db: &TestDb) {
    let store = db.store();
    let mut tx = store.begin().await.unwrap();
    units::insert(&mut tx, &unit("psb", 1)).await.unwrap();
    units::insert(&mut tx, &unit("civil", 2)).await.unwrap();
    let alice = user("u1", "alice", "psb");
    let bob = UserRow {
        roles: vec![],
        phone_enc: None,
        phone_bidx: None,
        ..user("u2", "bob", "civil")
    };
    let carol = user("u3", "carol", "psb");
    for u in [&carol, &alice, &bob] {
        users::insert(&mut tx, u).await.unwrap();
    }
    tx.commit().await.unwrap();

    let mut c = store.conn().await.unwrap();
    assert_eq!(
        users::get(&mut c, "u1").await.unwrap().as_ref(),
        Some(&alice)
    );
    assert_eq!(users::get(&mut c, "u2").await.unwrap().as_ref(), Some(&bob));
    assert_eq!(users::get(&mut c, "nobody").await.unwrap(), None);
    assert_eq!(
        users::by_username(&mut c, "carol").await.unwrap().as_ref(),
        Some(&carol)
    );
    assert_eq!(users::by_username(&mut c, "Carol").await.unwrap(), None);
    let names: Vec<String> = users::list(&mut c)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["alice", "bob", "carol"]);
    let psb: Vec<String> = users::list_by_unit(&mut c, "psb")
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(psb, ["u1", "u3"]);
    assert_eq!(users::count(&mut c).await.unwrap(), 3);

    let changed = UserRow {
        username: "alice2".to_owned(),
        unit_id: "civil".to_owned(),
        roles: vec!["caseworker".to_owned()],
        display_name_enc: vec![42; 3],
        phone_enc: None,
        phone_bidx: None,
        data_key_id: "key-other".to_owned(),
        password_hash: "$argon2id$new".to_owned(),
        must_change_password: false,
        totp_secret_enc: Some(vec![0, 0, 7]),
        totp_enrolled: true,
        totp_last_step: Some(57_000_123),
        disabled: true,
        failed_logins: 2,
        locked_until: Some(1_800_000_000_000),
        created_at: 5, // not updatable: stays as inserted
        updated_at: 1_700_000_009_999,
        ..alice.clone()
    };
    users::update(&mut c, &changed).await.unwrap();
    let stored = users::get(&mut c, "u1").await.unwrap().unwrap();
    assert_eq!(
        stored,
        UserRow {
            created_at: alice.created_at,
            ..changed.clone()
        }
    );
    assert!(matches!(
        users::update(
            &mut c,
            &UserRow {
                id: "ghost".into(),
                ..changed.clone()
            }
        )
        .await,
        Err(StoreError::NotFound)
    ));

    users::record_failed_login(&mut c, "u2", 3, Some(1_900_000_000_000))
        .await
        .unwrap();
    let bob_now = users::get(&mut c, "u2").await.unwrap().unwrap();
    assert_eq!(
        (bob_now.failed_logins, bob_now.locked_until),
        (3, Some(1_900_000_000_000))
    );
    users::record_failed_login(&mut c, "u2", 0, None)
        .await
        .unwrap();
    let bob_now = users::get(&mut c, "u2").await.unwrap().unwrap();
    assert_eq!((bob_now.failed_logins, bob_now.locked_until), (0, None));
    assert!(matches!(
        users::record_failed_login(&mut c, "ghost", 1, None).await,
        Err(StoreError::NotFound)
    ));

    match users::insert(
        &mut c,
        &UserRow {
            roles: vec!["a,b".into()],
            ..user("u9", "x", "psb")
        },
    )
    .await
    {
        Err(StoreError::Invalid { field, .. }) => assert_eq!(field, "users.roles"),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

async fn username_conflict_is_named(db: &TestDb) {
    let store = db.store();
    seed_unit_and_user(&store).await;
    let mut c = store.conn().await.unwrap();
    match users::insert(&mut c, &user("u2", "alice", "psb")).await {
        Err(StoreError::Conflict { what }) => assert_eq!(what, "username already exists"),
        other => panic!("expected Conflict, got {other:?}"),
    }
    users::insert(&mut c, &user("u2", "bob", "psb"))
        .await
        .unwrap();
    match users::update(&mut c, &user("u2", "alice", "psb")).await {
        Err(StoreError::Conflict { what }) => assert_eq!(what, "username already exists"),
        other => panic!("expected Conflict on rename, got {other:?}"),
    }
    match users::insert(&mut c, &user("u1", "carol", "psb")).await {
        Err(StoreError::Conflict { what }) => {
            assert_eq!(what, "a users record with this id already exists")
        }
        other => panic!("expected Conflict on id, got {other:?}"),
    }
    assert_eq!(users::count(&mut c).await.unwrap(), 2);
}

async fn user_needs_existing_unit(db: &TestDb) {
    let mut c = db.store().conn().await.unwrap();
    match users::insert(&mut c, &user("u1", "alice", "no-such-unit")).await {
        Err(StoreError::Conflict { what }) => assert!(what.contains("referenced record"), "{what}"),
        other => panic!("expected Conflict, got {other:?}"),
    }
    assert_eq!(users::count(&mut c).await.unwrap(), 0);
}

async fn sessions_round_trip(db: &TestDb) {
    let store = db.store();
    seed_unit_and_user(&store).await;
    let mut c = store.conn().await.unwrap();
    users::insert(&mut c, &user("u2", "bob", "psb"))
        .await
        .unwrap();

    let s1 = session("h1", "u1", 1_000);
    sessions::insert(&mut c, &s1).await.unwrap();
    sessions::insert(&mut c, &session("h2", "u1", 2_000))
        .await
        .unwrap();
    sessions::insert(&mut c, &session("h3", "u2", 3_000))
        .await
        .unwrap();
    sessions::insert(&mut c, &session("h4", "u2", 4_000))
        .await
        .unwrap();
    assert_eq!(
        sessions::get(&mut c, "h1").await.unwrap().as_ref(),
        Some(&s1)
    );
    assert_eq!(sessions::get(&mut c, "nope").await.unwrap(), None);
    assert!(matches!(
        sessions::insert(&mut c, &s1).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        sessions::insert(&mut c, &session("h9", "ghost", 1)).await,
        Err(StoreError::Conflict { .. })
    ));

    sessions::touch(&mut c, "h1", 1_500).await.unwrap();
    assert_eq!(
        sessions::get(&mut c, "h1")
            .await
            .unwrap()
            .unwrap()
            .last_seen,
        1_500
    );
    assert!(matches!(
        sessions::touch(&mut c, "nope", 1).await,
        Err(StoreError::NotFound)
    ));

    let upgraded = SessionRow {
        stage: "full".into(),
        csrf_token: "fresh".into(),
        lang: "en".into(),
        last_seen: 1_600,
        ip: None,
        user_agent: Some("Firefox".into()),
        created_at: 0, // not updatable
        ..s1.clone()
    };
    sessions::update(&mut c, &upgraded).await.unwrap();
    assert_eq!(
        sessions::get(&mut c, "h1").await.unwrap(),
        Some(SessionRow {
            created_at: s1.created_at,
            ..upgraded.clone()
        })
    );
    assert!(matches!(
        sessions::update(
            &mut c,
            &SessionRow {
                id_hash: "nope".into(),
                ..upgraded
            }
        )
        .await,
        Err(StoreError::NotFound)
    ));

    // h1 at 1600, h2 at 2000, h3 at 3000, h4 at 4000
    assert_eq!(sessions::delete_expired(&mut c, 2_000).await.unwrap(), 1);
    assert_eq!(sessions::get(&mut c, "h1").await.unwrap(), None);
    assert!(sessions::get(&mut c, "h2").await.unwrap().is_some());
    assert_eq!(sessions::delete_for_user(&mut c, "u2").await.unwrap(), 2);
    assert_eq!(sessions::get(&mut c, "h4").await.unwrap(), None);
    assert!(sessions::delete(&mut c, "h2").await.unwrap());
    assert!(!sessions::delete(&mut c, "h2").await.unwrap());
}

async fn sessions_follow_their_user(db: &TestDb) {
    let store = db.store();
    seed_unit_and_user(&store).await;
    let mut c = store.conn().await.unwrap();
    sessions::insert(&mut c, &session("h1", "u1", 1))
        .await
        .unwrap();
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind("u1")
        .execute(&mut *c)
        .await
        .unwrap();
    assert_eq!(
        sessions::get(&mut c, "h1").await.unwrap(),
        None,
        "ON DELETE CASCADE"
    );
}

async fn data_keys_round_trip(db: &TestDb) {
    let mut c = db.store().conn().await.unwrap();
    let k1 = data_key("k1", "user:u1", "m1");
    data_keys::insert(&mut c, &k1).await.unwrap();
    assert_eq!(
        data_keys::get(&mut c, "k1").await.unwrap().as_ref(),
        Some(&k1)
    );
    assert_eq!(
        data_keys::by_subject(&mut c, "user:u1")
            .await
            .unwrap()
            .as_ref(),
        Some(&k1)
    );
    assert_eq!(
        data_keys::by_subject(&mut c, "user:u2").await.unwrap(),
        None
    );
    assert_eq!(data_keys::get(&mut c, "k2").await.unwrap(), None);
    match data_keys::insert(&mut c, &data_key("k2", "user:u1", "m1")).await {
        Err(StoreError::Conflict { what }) => {
            assert_eq!(what, "a data key for this subject already exists")
        }
        other => panic!("expected Conflict, got {other:?}"),
    }
}

async fn data_key_rotation_in_batches(db: &TestDb) {
    let mut c = db.store().conn().await.unwrap();
    for i in 0..25 {
        data_keys::insert(
            &mut c,
            &data_key(&format!("k{i:02}"), &format!("victim:{i}"), "m1"),
        )
        .await
        .unwrap();
    }
    data_keys::insert(&mut c, &data_key("z", "victim:z", "m0"))
        .await
        .unwrap();
    data_keys::destroy(&mut c, "k03", 1).await.unwrap();
    assert_eq!(
        data_keys::count_by_master(&mut c).await.unwrap(),
        vec![("m0".to_owned(), 1), ("m1".to_owned(), 24)]
    );

    let mut rewrapped = HashSet::new();
    let mut batches = 0;
    loop {
        let batch = data_keys::list_wrapped_by(&mut c, "m1", 10).await.unwrap();
        if batch.is_empty() {
            break;
        }
        assert!(batch.len() <= 10);
        batches += 1;
        for k in batch {
            assert_eq!(k.master_key_id, "m1");
            let wrapped = format!("wrapped {} under m2", k.id).into_bytes();
            data_keys::update_wrapped(&mut c, &k.id, &wrapped, "m2")
                .await
                .unwrap();
            assert!(rewrapped.insert(k.id), "a key came back after rotation");
        }
    }
    assert_eq!((rewrapped.len(), batches), (24, 3));
    assert!(!rewrapped.contains("k03"), "destroyed keys are not rotated");
    assert_eq!(
        data_keys::count_by_master(&mut c).await.unwrap(),
        vec![("m0".to_owned(), 1), ("m2".to_owned(), 24)]
    );
    let k07 = data_keys::get(&mut c, "k07").await.unwrap().unwrap();
    assert_eq!(
        (k07.master_key_id.as_str(), k07.wrapped.as_slice()),
        ("m2", &b"wrapped k07 under m2"[..])
    );
    assert!(matches!(
        data_keys::update_wrapped(&mut c, "ghost", b"x", "m2").await,
        Err(StoreError::NotFound)
    ));
}

async fn data_key_destruction(db: &TestDb) {
    let mut c = db.store().conn().await.unwrap();
    data_keys::insert(&mut c, &data_key("k1", "victim:1", "m1"))
        .await
        .unwrap();
    data_keys::destroy(&mut c, "k1", 1_000).await.unwrap();
    let k = data_keys::get(&mut c, "k1").await.unwrap().unwrap();
    assert!(k.wrapped.is_empty());
    assert_eq!(k.destroyed_at, Some(1_000));
    data_keys::destroy(&mut c, "k1", 2_000).await.unwrap();
    assert_eq!(
        data_keys::get(&mut c, "k1")
            .await
            .unwrap()
            .unwrap()
            .destroyed_at,
        Some(1_000)
    );
    match data_keys::update_wrapped(&mut c, "k1", b"resurrected", "m2").await {
        Err(StoreError::Conflict { what }) => assert!(what.contains("destroyed"), "{what}"),
        other => panic!("expected Conflict, got {other:?}"),
    }
    assert!(
        data_keys::get(&mut c, "k1")
            .await
            .unwrap()
            .unwrap()
            .wrapped
            .is_empty()
    );
    assert!(matches!(
        data_keys::destroy(&mut c, "ghost", 1).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        data_keys::list_wrapped_by(&mut c, "m1", 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(data_keys::count_by_master(&mut c).await.unwrap().is_empty());
}

async fn blobs_keep_every_byte(db: &TestDb) {
    let store = db.store();
    let every_byte: Vec<u8> = (0..=255u8).collect();
    let reversed: Vec<u8> = every_byte.iter().rev().copied().collect();
    let mut tx = store.begin().await.unwrap();
    units::insert(&mut tx, &unit("psb", 1)).await.unwrap();
    let u = UserRow {
        display_name_enc: every_byte.clone(),
        phone_enc: Some(reversed.clone()),
        totp_secret_enc: Some(vec![0; 1024]),
        ..user("u1", "alice", "psb")
    };
    users::insert(&mut tx, &u).await.unwrap();
    data_keys::insert(
        &mut tx,
        &DataKeyRow {
            wrapped: every_byte.repeat(3),
            ..data_key("k1", "user:u1", "m1")
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut c = store.conn().await.unwrap();
    let back = users::get(&mut c, "u1").await.unwrap().unwrap();
    assert_eq!(back.display_name_enc, every_byte);
    assert_eq!(back.phone_enc, Some(reversed));
    assert_eq!(back.totp_secret_enc, Some(vec![0; 1024]));
    assert_eq!(
        data_keys::get(&mut c, "k1").await.unwrap().unwrap().wrapped,
        every_byte.repeat(3)
    );
}

async fn settings_round_trip(db: &TestDb) {
    let mut c = db.store().conn().await.unwrap();
    assert_eq!(
        settings::get(&mut c, "demo.created_at").await.unwrap(),
        None
    );
    settings::set(&mut c, "demo.created_at", "1700000000000")
        .await
        .unwrap();
    settings::set(&mut c, "site.name", "反拐联席会议")
        .await
        .unwrap();
    settings::set(&mut c, "demo.created_at", "1800000000000")
        .await
        .unwrap();
    assert_eq!(
        settings::get(&mut c, "demo.created_at")
            .await
            .unwrap()
            .as_deref(),
        Some("1800000000000")
    );
    assert_eq!(
        settings::get(&mut c, "site.name").await.unwrap().as_deref(),
        Some("反拐联席会议")
    );
}

// ---------------------------------------------------------------------------------
// Transactions and the audit chain

async fn rollback_leaves_nothing(db: &TestDb) {
    let store = db.store();

    let mut tx = store.begin().await.unwrap();
    units::insert(&mut tx, &unit("psb", 1)).await.unwrap();
    users::insert(&mut tx, &user("u1", "alice", "psb"))
        .await
        .unwrap();
    audit::append(
        &mut tx,
        event("user.create", None, "", ("user", "u1"), 1),
        test_hash,
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();

    {
        // Dropped without commit, as when a use case returns early with an error.
        let mut tx = store.begin().await.unwrap();
        units::insert(&mut tx, &unit("civil", 2)).await.unwrap();
        settings::set(&mut tx, "k", "v").await.unwrap();
        audit::append(
            &mut tx,
            event("unit.create", None, "", ("unit", "civil"), 2),
            test_hash,
        )
        .await
        .unwrap();
    }

    let mut c = store.conn().await.unwrap();
    assert!(units::list(&mut c).await.unwrap().is_empty());
    assert_eq!(users::count(&mut c).await.unwrap(), 0);
    assert_eq!(settings::get(&mut c, "k").await.unwrap(), None);
    assert_eq!(
        audit::count(&mut c, &AuditFilter::default()).await.unwrap(),
        0
    );
    assert_eq!(audit::head(&mut c).await.unwrap(), (0, GENESIS.to_owned()));
    drop(c);

    // The chain goes on from where the committed data left it.
    let mut tx = store.begin().await.unwrap();
    units::insert(&mut tx, &unit("psb", 1)).await.unwrap();
    let e = audit::append(
        &mut tx,
        event("unit.create", None, "", ("unit", "psb"), 3),
        test_hash,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!((e.seq, e.prev_hash.as_str()), (1, GENESIS));
    assert_eq!(verify_chain(&store).await, 1);
}

async fn audit_chain_links(db: &TestDb) {
    let store = db.store();
    let mut appended = Vec::new();
    for i in 0..5 {
        let mut tx = store.begin().await.unwrap();
        appended.push(
            audit::append(
                &mut tx,
                event("victim.read", Some("u1"), "psb", ("victim", "v1"), i),
                test_hash,
            )
            .await
            .unwrap(),
        );
        tx.commit().await.unwrap();
    }
    // Outside a transaction, append makes its own.
    let mut c = store.conn().await.unwrap();
    appended.push(
        audit::append(&mut c, event("login", None, "", ("", ""), 9), test_hash)
            .await
            .unwrap(),
    );
    drop(c);

    assert_eq!(
        appended.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(appended[0].prev_hash, GENESIS);
    for pair in appended.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
    assert_eq!(appended[5].actor_user_id, None);
    assert_eq!(verify_chain(&store).await, 6);

    // A tampered event is visible to verification.
    let mut c = store.conn().await.unwrap();
    sqlx::query("UPDATE audit_events SET detail = $1 WHERE seq = $2")
        .bind("edited")
        .bind(3_i64)
        .execute(&mut *c)
        .await
        .unwrap();
    let e3 = audit::scan(&mut c, 2, 1).await.unwrap().remove(0);
    let mut unhashed = e3.clone();
    unhashed.hash.clear();
    assert_ne!(e3.hash, test_hash(&e3.prev_hash, &unhashed));
}

async fn audit_filters(db: &TestDb) {
    let store = db.store();
    let mut tx = store.begin().await.unwrap();
    let plan = [
        ("victim.read", Some("u1"), "psb", ("victim", "v1"), 100),
        ("victim.update", Some("u1"), "psb", ("victim", "v1"), 200),
        ("victim.read", Some("u2"), "civil", ("victim", "v2"), 300),
        ("case.read", Some("u2"), "civil", ("case", "c1"), 400),
        ("tip.submit", None, "", ("tip", "t1"), 500),
    ];
    for (action, actor, unit, record, at) in plan {
        audit::append(&mut tx, event(action, actor, unit, record, at), test_hash)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    let mut c = store.conn().await.unwrap();
    let seqs = |rows: Vec<AuditEventRow>| rows.into_iter().map(|e| e.seq).collect::<Vec<_>>();
    let all = AuditFilter::default();
    assert_eq!(
        seqs(audit::list(&mut c, &all).await.unwrap()),
        [5, 4, 3, 2, 1]
    );
    assert_eq!(audit::count(&mut c, &all).await.unwrap(), 5);

    let cases: Vec<(AuditFilter, Vec<i64>)> = vec![
        (
            AuditFilter {
                user: Some("u1".into()),
                ..all.clone()
            },
            vec![2, 1],
        ),
        (
            AuditFilter {
                user: Some("name-of-u2".into()),
                ..all.clone()
            },
            vec![4, 3],
        ),
        (
            AuditFilter {
                unit: Some("civil".into()),
                ..all.clone()
            },
            vec![4, 3],
        ),
        (
            AuditFilter {
                record_type: Some("victim".into()),
                ..all.clone()
            },
            vec![3, 2, 1],
        ),
        (
            AuditFilter {
                record_type: Some("victim".into()),
                record_id: Some("v1".into()),
                ..all.clone()
            },
            vec![2, 1],
        ),
        (
            AuditFilter {
                action: Some("victim.read".into()),
                ..all.clone()
            },
            vec![3, 1],
        ),
        (
            AuditFilter {
                from: Some(200),
                to: Some(400),
                ..all.clone()
            },
            vec![3, 2],
        ),
        (
            AuditFilter {
                from: Some(450),
                ..all.clone()
            },
            vec![5],
        ),
        (
            AuditFilter {
                user: Some("u2".into()),
                action: Some("victim.read".into()),
                ..all.clone()
            },
            vec![3],
        ),
        (
            AuditFilter {
                user: Some("nobody".into()),
                ..all.clone()
            },
            vec![],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(
            seqs(audit::list(&mut c, &filter).await.unwrap()),
            expected,
            "{filter:?}"
        );
        assert_eq!(
            audit::count(&mut c, &filter).await.unwrap(),
            expected.len() as i64,
            "{filter:?}"
        );
    }

    let page = AuditFilter {
        limit: 2,
        offset: 1,
        ..all.clone()
    };
    assert_eq!(seqs(audit::list(&mut c, &page).await.unwrap()), [4, 3]);
    assert_eq!(
        audit::count(&mut c, &page).await.unwrap(),
        5,
        "count ignores paging"
    );
    let past_end = AuditFilter {
        limit: 2,
        offset: 10,
        ..all.clone()
    };
    assert!(audit::list(&mut c, &past_end).await.unwrap().is_empty());

    assert_eq!(seqs(audit::scan(&mut c, 0, 2).await.unwrap()), [1, 2]);
    assert_eq!(seqs(audit::scan(&mut c, 2, 100).await.unwrap()), [3, 4, 5]);
    assert!(audit::scan(&mut c, 5, 100).await.unwrap().is_empty());
}

async fn concurrent_audit_appends_keep_the_chain(db: &TestDb) {
    const TASKS: i64 = 20;
    const EACH: i64 = 5;
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let store = db.store();
        tasks.push(tokio::spawn(async move {
            for i in 0..EACH {
                // Like a use case: read, write data, append its event, commit.
                let mut tx = store.begin().await.unwrap();
                let key = format!("counter.{t}");
                let n: i64 = settings::get(&mut tx, &key)
                    .await
                    .unwrap()
                    .map_or(0, |v| v.parse().unwrap());
                settings::set(&mut tx, &key, &(n + 1).to_string())
                    .await
                    .unwrap();
                let at = t * 1_000 + i;
                audit::append(
                    &mut tx,
                    event("setting.set", None, "", ("setting", &key), at),
                    test_hash,
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(verify_chain(&db.store()).await, TASKS * EACH);
    let mut c = db.store().conn().await.unwrap();
    for t in 0..TASKS {
        let n = settings::get(&mut c, &format!("counter.{t}"))
            .await
            .unwrap();
        assert_eq!(n.as_deref(), Some(EACH.to_string().as_str()));
    }
}

async fn backup(db: &TestDb) {
    let store = db.store();
    seed_unit_and_user(&store).await;
    let mut c = store.conn().await.unwrap();
    audit::append(
        &mut c,
        event("user.create", None, "", ("user", "u1"), 1),
        test_hash,
    )
    .await
    .unwrap();
    drop(c);
    let out = db.scratch_path("backup.db");

    match store.backend() {
        Backend::Sqlite => {
            store.backup_sqlite_to(&out).await.unwrap();
            let copy = Store::connect(&format!("sqlite://{}", out.display()))
                .await
                .unwrap();
            assert!(copy.pending_migrations().await.unwrap().is_empty());
            let mut c = copy.conn().await.unwrap();
            assert_eq!(
                users::get(&mut c, "u1").await.unwrap(),
                Some(user("u1", "alice", "psb"))
            );
            assert_eq!(audit::head(&mut c).await.unwrap().0, 1);
            drop(c);
            copy.close().await;
            // An existing file is never overwritten.
            assert!(store.backup_sqlite_to(&out).await.is_err());
        }
        Backend::Postgres => match store.backup_sqlite_to(&out).await {
            Err(e @ StoreError::NotSupported { .. }) => {
                assert!(e.to_string().contains("pg_dump"), "{e}")
            }
            other => panic!("expected NotSupported, got {other:?}"),
        },
    }
}

// ---------------------------------------------------------------------------------
// Connecting

#[tokio::test]
async fn unreachable_postgres_is_named_without_password() {
    let err = Store::connect("postgres://fanguai:hunter2@127.0.0.1:1/fanguai?connect_timeout=2")
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Unreachable { .. }), "{err:?}");
    assert!(
        text.contains("postgres://fanguai:***@127.0.0.1:1/fanguai"),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
}

#[tokio::test]
async fn missing_sqlite_file_is_not_created_without_rwc() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.db");
    let err = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains("absent.db"), "{err}");
    assert!(!path.exists());
}

#[tokio::test]
async fn unknown_scheme_is_refused() {
    let err = Store::connect("mysql://root:pw@localhost/db")
        .await
        .unwrap_err();
    match &err {
        StoreError::InvalidUrl {
            url_redacted,
            reason,
        } => {
            assert_eq!(url_redacted, "mysql://root:***@localhost/db");
            assert!(
                reason.contains("sqlite:") && reason.contains("postgres://"),
                "{reason}"
            );
        }
        other => panic!("expected InvalidUrl, got {other:?}"),
    }
}

#[tokio::test]
async fn in_memory_sqlite_keeps_its_data_across_calls() {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    units::insert(&mut tx, &unit("psb", 1)).await.unwrap();
    tx.commit().await.unwrap();
    let mut c = store.conn().await.unwrap();
    assert_eq!(units::list(&mut c).await.unwrap().len(), 1);
}

#[tokio::test]
async fn sqlite_connections_use_wal_and_foreign_keys() {
    let db = TestDb::sqlite().await;
    let mut c = db.store().conn().await.unwrap();
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut *c)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(mode.to_lowercase(), "wal");
    let fk: i64 = sqlx::query("PRAGMA foreign_keys")
        .fetch_one(&mut *c)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(fk, 1);
    let busy: i64 = sqlx::query("PRAGMA busy_timeout")
        .fetch_one(&mut *c)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(busy, 5000);
    let sync: i64 = sqlx::query("PRAGMA synchronous")
        .fetch_one(&mut *c)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(sync, 1, "NORMAL");
}

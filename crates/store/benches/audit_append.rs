//! How many audited writes per second the store sustains: every write and every read of
//! personal data appends to one hash chain, so this bounds the requests per second.
//!
//! Runs on SQLite (a temporary file) and, with `TEST_DATABASE_URL`, on PostgreSQL:
//!     cargo bench -p fanguai-store --bench audit_append
//! Prints transactions per second for one writer and for 20 concurrent writers, each
//! transaction writing one row of data and its audit event.

use std::time::{Duration, Instant};

use fanguai_store::audit::{self, NewAuditEvent};
use fanguai_store::testing::TestDb;
use fanguai_store::{AuditEventRow, Store, settings};

/// Stands in for the vault's SHA-256 chain hash, whose cost is not the store's.
fn hash(prev: &str, e: &AuditEventRow) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in prev
        .bytes()
        .chain(e.seq.to_le_bytes())
        .chain(e.action.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}{h:016x}{h:016x}{h:016x}")
}

fn event(writer: usize, i: usize) -> NewAuditEvent {
    NewAuditEvent {
        at: 1_700_000_000_000 + i as i64,
        request_id: format!("req-{writer}-{i}"),
        actor_user_id: Some(format!("user-{writer}")),
        actor_username: format!("user{writer}"),
        actor_unit: "psb".to_owned(),
        actor_role: "investigator".to_owned(),
        action: "victim.update".to_owned(),
        record_type: "victim".to_owned(),
        record_id: format!("victim-{i}"),
        purpose: String::new(),
        outcome: "ok".to_owned(),
        detail: String::new(),
    }
}

async fn audited_write(store: &Store, writer: usize, i: usize) {
    let mut tx = store.begin().await.expect("begin");
    settings::set(&mut tx, &format!("bench.{writer}"), &i.to_string())
        .await
        .expect("write");
    audit::append(&mut tx, event(writer, i), hash)
        .await
        .expect("append");
    tx.commit().await.expect("commit");
}

async fn run(label: &str, db: TestDb) {
    let store = db.store();
    const SEQUENTIAL: usize = 2_000;
    let start = Instant::now();
    for i in 0..SEQUENTIAL {
        audited_write(&store, 0, i).await;
    }
    report(label, "1 writer", SEQUENTIAL, start.elapsed());

    const WRITERS: usize = 20;
    const EACH: usize = 200;
    let start = Instant::now();
    let tasks: Vec<_> = (1..=WRITERS)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..EACH {
                    audited_write(&store, w, i).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("writer task");
    }
    report(label, "20 writers", WRITERS * EACH, start.elapsed());

    let mut c = store.conn().await.expect("conn");
    let (seq, _) = audit::head(&mut c).await.expect("head");
    assert_eq!(seq as usize, SEQUENTIAL + WRITERS * EACH);
    let start = Instant::now();
    let mut after = 0;
    loop {
        let batch = audit::scan(&mut c, after, 1_000).await.expect("scan");
        let Some(last) = batch.last() else { break };
        after = last.seq;
    }
    report(label, "chain scan", seq as usize, start.elapsed());
}

fn report(backend: &str, case: &str, n: usize, took: Duration) {
    println!(
        "{backend:<10} {case:<11} {n:>6} in {:>7.3} s = {:>8.0} /s",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    run("sqlite", TestDb::sqlite().await).await;
    match TestDb::postgres_from_env().await {
        Some(db) => run("postgres", db).await,
        None => println!("postgres   skipped: set TEST_DATABASE_URL to measure it"),
    }
}

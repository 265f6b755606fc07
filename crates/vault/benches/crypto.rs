//! Cost of the vault's operations per call, to size request budgets and
//! batch jobs (master-key rotation, chain verification).
//! Run: `cargo bench -p fanguai-vault --bench crypto`

use divan::{Bencher, black_box};
use fanguai_vault::chain::{AuditFields, ChainVerifier, GENESIS, event_hash};
use fanguai_vault::password::PasswordPolicy;
use fanguai_vault::{DataKey, FieldAad, KeyRing, TotpSecret};

fn main() {
    divan::main();
}

const AAD: FieldAad<'static> = FieldAad {
    table: "victims",
    column: "name",
    row_id: "01936f4e-8a5b-7c3d-9e2f-1a2b3c4d5e6f",
};

/// A name-sized field and a long free-text note.
#[divan::bench(args = [16, 4096])]
fn seal(bencher: Bencher, len: usize) {
    let key = DataKey::generate();
    let plain = vec![0x61u8; len];
    bencher.bench_local(|| key.seal(black_box(&plain), &AAD));
}

#[divan::bench(args = [16, 4096])]
fn open(bencher: Bencher, len: usize) {
    let key = DataKey::generate();
    let sealed = key.seal(&vec![0x61u8; len], &AAD);
    bencher.bench_local(|| key.open(black_box(&sealed), &AAD).unwrap());
}

#[divan::bench]
fn wrap(bencher: Bencher) {
    let ring = KeyRing::ephemeral();
    let key = DataKey::generate();
    bencher.bench_local(|| ring.wrap(&key, black_box("victim:01936f4e")));
}

#[divan::bench]
fn unwrap(bencher: Bencher) {
    let ring = KeyRing::ephemeral();
    let wrapped = ring.wrap(&DataKey::generate(), "victim:01936f4e");
    bencher.bench_local(|| ring.unwrap(black_box(&wrapped), "victim:01936f4e").unwrap());
}

/// One row of a master-key rotation.
#[divan::bench]
fn rewrap(bencher: Bencher) {
    let ring = KeyRing::ephemeral();
    let wrapped = ring.wrap(&DataKey::generate(), "victim:01936f4e");
    bencher.bench_local(|| ring.rewrap(black_box(&wrapped), "victim:01936f4e").unwrap());
}

#[divan::bench]
fn blind_index(bencher: Bencher) {
    let ring = KeyRing::ephemeral();
    bencher.bench_local(|| ring.blind_index("resident_id", black_box("110101199003071234")));
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn password_hash_owasp(bencher: Bencher) {
    bencher.bench_local(|| {
        PasswordPolicy::OWASP
            .hash(black_box("correct horse battery staple"))
            .unwrap()
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn password_verify_owasp(bencher: Bencher) {
    let hashed = PasswordPolicy::OWASP
        .hash("correct horse battery staple")
        .unwrap();
    bencher.bench_local(|| hashed.verify(black_box("correct horse battery staple")));
}

#[divan::bench]
fn totp_verify(bencher: Bencher) {
    let secret = TotpSecret::generate();
    let now = 1_700_000_000;
    let code = secret.code_at(now);
    bencher.bench_local(|| secret.verify(black_box(&code), now, None));
}

fn audit_canonical(seq: u64) -> Vec<u8> {
    AuditFields {
        seq,
        at: "2025-03-01T08:00:00.000000Z",
        request_id: Some("01936f4e-8a5b-7c3d-9e2f-1a2b3c4d5e6f"),
        actor: Some("01936f4e-0000-7000-8000-000000000007"),
        unit: Some("psb-city"),
        role: Some("investigator"),
        action: "victim.read",
        record_type: Some("victim"),
        record_id: Some("01936f4e-8a5b-7c3d-9e2f-000000000042"),
        purpose: Some("case 2025-0117"),
        outcome: "ok",
        detail: None,
    }
    .canonical()
}

/// Verification of a 10 000-event chain, canonical bytes already built.
#[divan::bench(sample_count = 20)]
fn verify_chain_10k(bencher: Bencher) {
    let mut prev = GENESIS.to_owned();
    let rows: Vec<(u64, String, String, Vec<u8>)> = (1..=10_000)
        .map(|seq| {
            let canonical = audit_canonical(seq);
            let hash = event_hash(&prev, &canonical);
            let row = (seq, prev.clone(), hash.clone(), canonical);
            prev = hash;
            row
        })
        .collect();
    bencher.bench_local(|| {
        let mut v = ChainVerifier::new();
        for (seq, prev, hash, canonical) in &rows {
            v.push(*seq, prev, hash, canonical).unwrap();
        }
        v.events()
    });
}

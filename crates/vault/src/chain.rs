//! The audit log's hash chain. Each event stores the hash of the one before
//! it and its own hash over that link and its canonical bytes, so editing,
//! removing, inserting or reordering any event breaks the chain at a point
//! `verify_chain` names.

use std::fmt;

use sha2::{Digest, Sha256};

pub use crate::canonical::Canonical;

/// The `prev_hash` of the first event: 64 zero hex digits.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Sequence number of the first event.
pub const FIRST_SEQ: u64 = 1;

/// Lower-case hex SHA-256 over the 64 ASCII characters of `prev_hash`
/// followed by `canonical`. Hashing the hex text (not decoded bytes) lets an
/// auditor re-check an event with `sha256sum` alone.
pub fn event_hash(prev_hash: &str, canonical: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical);
    hex::encode(hasher.finalize())
}

/// The fields of one audit event in their fixed canonical order. Store and
/// verifier both build the bytes here, so they cannot drift apart. Text
/// fields are hashed exactly as stored: `at` in particular must be kept as
/// the same text (e.g. RFC 3339 UTC at fixed precision) on every backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditFields<'a> {
    pub seq: u64,
    pub at: &'a str,
    pub request_id: Option<&'a str>,
    pub actor: Option<&'a str>,
    pub unit: Option<&'a str>,
    pub role: Option<&'a str>,
    pub action: &'a str,
    pub record_type: Option<&'a str>,
    pub record_id: Option<&'a str>,
    pub purpose: Option<&'a str>,
    pub outcome: &'a str,
    pub detail: Option<&'a str>,
}

impl AuditFields<'_> {
    pub fn canonical(&self) -> Vec<u8> {
        Canonical::new()
            .str("fanguai.audit.v1")
            .u64(self.seq)
            .str(self.at)
            .opt_str(self.request_id)
            .opt_str(self.actor)
            .opt_str(self.unit)
            .opt_str(self.role)
            .str(self.action)
            .opt_str(self.record_type)
            .opt_str(self.record_id)
            .opt_str(self.purpose)
            .str(self.outcome)
            .opt_str(self.detail)
            .finish()
    }
}

/// How the chain broke at the reported event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakKind {
    /// The stored hash does not match the event's contents: the event (or its
    /// hash) was altered.
    Edited,
    /// The sequence number skips ahead: events before this one were removed.
    Gap,
    /// The sequence number repeats or goes back: events were duplicated or
    /// put out of order.
    Reordered,
    /// The event's `prev_hash` is not the hash of the event before it: an
    /// event was removed and the rest renumbered, one was inserted, or the
    /// previous event was edited and re-hashed.
    WrongPrev,
}

/// The first event at which the chain does not hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: u64,
    /// The sequence number the chain expected at this position.
    pub expected_seq: u64,
    pub kind: BreakKind,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = self.seq;
        match self.kind {
            BreakKind::Edited => write!(
                f,
                "audit event {seq} was altered: its hash does not match its contents"
            ),
            BreakKind::Gap if seq - 1 == self.expected_seq => write!(
                f,
                "audit event {} is missing: the next event present is {seq}",
                self.expected_seq
            ),
            BreakKind::Gap => write!(
                f,
                "audit events {} to {} are missing: the next event present is {seq}",
                self.expected_seq,
                seq - 1
            ),
            BreakKind::Reordered => write!(
                f,
                "audit event {seq} is out of order or duplicated: expected event {}",
                self.expected_seq
            ),
            BreakKind::WrongPrev => write!(
                f,
                "audit event {seq} does not link to the event before it: an event was removed, inserted or re-hashed"
            ),
        }
    }
}

impl std::error::Error for ChainBreak {}

/// Where a verified chain ends, for reports and for checking a later segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainHead {
    /// Number of events verified.
    pub events: u64,
    /// Sequence number of the last event, if there was any.
    pub last_seq: Option<u64>,
    /// Hash of the last event, or the starting `prev_hash` if there was none.
    pub last_hash: String,
}

/// Checks events one at a time, in storage order, so a log far larger than
/// memory can be read in batches. The first failing `push` names the first
/// broken event; pushing after a failure keeps failing.
#[derive(Clone, Debug)]
pub struct ChainVerifier {
    expected_seq: u64,
    expected_prev: String,
    events: u64,
    last_seq: Option<u64>,
    broken: Option<ChainBreak>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier::new()
    }
}

impl ChainVerifier {
    /// Expects the chain's first event: `FIRST_SEQ`, linked to `GENESIS`.
    pub fn new() -> Self {
        ChainVerifier::resume(FIRST_SEQ, GENESIS)
    }

    /// Expects event `next_seq` linked to `prev_hash`: continues from the head
    /// of an earlier verification.
    pub fn resume(next_seq: u64, prev_hash: &str) -> Self {
        ChainVerifier {
            expected_seq: next_seq,
            expected_prev: prev_hash.to_owned(),
            events: 0,
            last_seq: None,
            broken: None,
        }
    }

    pub fn push(
        &mut self,
        seq: u64,
        prev_hash: &str,
        hash: &str,
        canonical: &[u8],
    ) -> Result<(), ChainBreak> {
        if let Some(b) = self.broken {
            return Err(b);
        }
        let kind = if event_hash(prev_hash, canonical) != hash {
            Some(BreakKind::Edited)
        } else if seq > self.expected_seq {
            Some(BreakKind::Gap)
        } else if seq < self.expected_seq {
            Some(BreakKind::Reordered)
        } else if prev_hash != self.expected_prev {
            Some(BreakKind::WrongPrev)
        } else {
            None
        };
        if let Some(kind) = kind {
            let b = ChainBreak {
                seq,
                expected_seq: self.expected_seq,
                kind,
            };
            self.broken = Some(b);
            return Err(b);
        }
        hash.clone_into(&mut self.expected_prev);
        self.expected_seq = seq.saturating_add(1);
        self.events += 1;
        self.last_seq = Some(seq);
        Ok(())
    }

    /// Hash of the last accepted event (the starting `prev_hash` before any).
    /// Compare it with a head kept elsewhere to detect events cut from the end.
    pub fn last_hash(&self) -> &str {
        &self.expected_prev
    }

    pub fn last_seq(&self) -> Option<u64> {
        self.last_seq
    }

    /// The sequence number the next event must carry.
    pub fn next_seq(&self) -> u64 {
        self.expected_seq
    }

    pub fn events(&self) -> u64 {
        self.events
    }

    pub fn head(&self) -> ChainHead {
        ChainHead {
            events: self.events,
            last_seq: self.last_seq,
            last_hash: self.expected_prev.clone(),
        }
    }
}

/// Verifies a whole chain from its first event (`FIRST_SEQ`, `GENESIS`).
/// Items are `(seq, prev_hash, hash, canonical bytes)` in storage order.
pub fn verify_chain<I, P, H, C>(events: I) -> Result<ChainHead, ChainBreak>
where
    I: IntoIterator<Item = (u64, P, H, C)>,
    P: AsRef<str>,
    H: AsRef<str>,
    C: AsRef<[u8]>,
{
    verify_chain_from(FIRST_SEQ, GENESIS, events)
}

/// Verifies a segment that starts at `first_seq`, whose first event must link
/// to `prev_hash` (the `last_hash` of an earlier verification).
pub fn verify_chain_from<I, P, H, C>(
    first_seq: u64,
    prev_hash: &str,
    events: I,
) -> Result<ChainHead, ChainBreak>
where
    I: IntoIterator<Item = (u64, P, H, C)>,
    P: AsRef<str>,
    H: AsRef<str>,
    C: AsRef<[u8]>,
{
    let mut verifier = ChainVerifier::resume(first_seq, prev_hash);
    for (seq, prev, hash, canonical) in events {
        verifier.push(seq, prev.as_ref(), hash.as_ref(), canonical.as_ref())?;
    }
    Ok(verifier.head())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Row = (u64, String, String, Vec<u8>);

    fn fields(seq: u64, detail: &str) -> Vec<u8> {
        AuditFields {
            seq,
            at: "2025-01-02T03:04:05.000000Z",
            request_id: Some("req-1"),
            actor: Some("user:7"),
            unit: Some("psb"),
            role: Some("investigator"),
            action: "victim.read",
            record_type: Some("victim"),
            record_id: Some("42"),
            purpose: Some("case 2025-17"),
            outcome: "ok",
            detail: if detail.is_empty() {
                None
            } else {
                Some(detail)
            },
        }
        .canonical()
    }

    fn chain(n: u64) -> Vec<Row> {
        let mut prev = GENESIS.to_owned();
        (FIRST_SEQ..FIRST_SEQ + n)
            .map(|seq| {
                let canonical = fields(seq, &format!("event {seq}"));
                let hash = event_hash(&prev, &canonical);
                let row = (seq, prev.clone(), hash.clone(), canonical);
                prev = hash;
                row
            })
            .collect()
    }

    /// Recomputes hashes from `from` onward, as a forger who edits the table would.
    fn rehash_from(rows: &mut [Row], from: usize) {
        for i in from..rows.len() {
            let prev = if i == 0 {
                GENESIS.to_owned()
            } else {
                rows[i - 1].2.clone()
            };
            rows[i].1 = prev.clone();
            rows[i].2 = event_hash(&prev, &rows[i].3);
        }
    }

    fn kind(rows: Vec<Row>) -> Option<(u64, BreakKind)> {
        verify_chain(rows).err().map(|b| (b.seq, b.kind))
    }

    #[test]
    fn genesis_is_64_zero_hex_digits() {
        assert_eq!(GENESIS.len(), 64);
        assert!(GENESIS.bytes().all(|b| b == b'0'));
    }

    #[test]
    fn event_hash_is_sha256_of_prev_text_then_canonical() {
        // sha256("") and sha256("abc") from FIPS 180-2.
        assert_eq!(
            event_hash("", b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            event_hash("a", b"bc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn intact_chain_verifies() {
        let rows = chain(5);
        let last = rows[4].2.clone();
        let head = verify_chain(rows).unwrap();
        assert_eq!(
            head,
            ChainHead {
                events: 5,
                last_seq: Some(5),
                last_hash: last
            }
        );
        let empty: Vec<Row> = Vec::new();
        assert_eq!(verify_chain(empty).unwrap().last_hash, GENESIS);
    }

    #[test]
    fn segment_continues_from_a_checkpoint() {
        let rows = chain(6);
        let head = verify_chain(rows[..3].to_vec()).unwrap();
        assert!(verify_chain_from(4, &head.last_hash, rows[3..].to_vec()).is_ok());
        assert_eq!(
            verify_chain_from(4, GENESIS, rows[3..].to_vec())
                .unwrap_err()
                .kind,
            BreakKind::WrongPrev
        );
    }

    #[test]
    fn edited_content_is_detected() {
        let mut rows = chain(5);
        rows[2].3 = fields(3, "nothing to see");
        assert_eq!(kind(rows), Some((3, BreakKind::Edited)));
    }

    #[test]
    fn edited_and_rehashed_event_breaks_the_next_link() {
        let mut rows = chain(5);
        rows[2].3 = fields(3, "nothing to see");
        rows[2].2 = event_hash(&rows[2].1, &rows[2].3);
        assert_eq!(kind(rows), Some((4, BreakKind::WrongPrev)));
    }

    #[test]
    fn removed_event_is_a_gap() {
        let mut rows = chain(5);
        rows.remove(2);
        let err = verify_chain(rows).unwrap_err();
        assert_eq!(
            (err.seq, err.expected_seq, err.kind),
            (4, 3, BreakKind::Gap)
        );
        assert_eq!(
            err.to_string(),
            "audit event 3 is missing: the next event present is 4"
        );
    }

    #[test]
    fn removed_first_events_are_detected() {
        let mut rows = chain(5);
        rows.drain(0..3);
        let err = verify_chain(rows).unwrap_err();
        assert_eq!((err.seq, err.kind), (4, BreakKind::Gap));
        assert_eq!(
            err.to_string(),
            "audit events 1 to 3 are missing: the next event present is 4"
        );
    }

    #[test]
    fn swapped_events_are_reordered() {
        let mut rows = chain(5);
        rows.swap(1, 2);
        assert_eq!(kind(rows), Some((3, BreakKind::Gap)));
        let mut rows = chain(5);
        let dup = rows[1].clone();
        rows.insert(2, dup);
        assert_eq!(kind(rows), Some((2, BreakKind::Reordered)));
    }

    #[test]
    fn removal_with_renumbering_and_rehashing_is_caught_at_the_link() {
        // A forger deletes event 3, renumbers the later events and re-hashes
        // each one; the first of them still names the deleted event's hash
        // as its predecessor.
        let mut rows = chain(5);
        rows.remove(2);
        for (i, row) in rows.iter_mut().enumerate().skip(2) {
            row.0 = i as u64 + 1;
            row.3 = fields(row.0, "renumbered");
            row.2 = event_hash(&row.1, &row.3);
        }
        assert_eq!(kind(rows), Some((3, BreakKind::WrongPrev)));
    }

    #[test]
    fn a_fully_rewritten_tail_verifies_so_heads_must_be_kept_elsewhere() {
        // The chain proves internal consistency; an attacker who rewrites
        // everything after an event produces a valid chain. Comparing the head
        // with a copy kept outside the database is what catches this.
        let original = chain(5);
        let mut forged = original.clone();
        forged[3].3 = fields(4, "forged");
        rehash_from(&mut forged, 3);
        let head = verify_chain(forged).unwrap();
        assert_ne!(head.last_hash, original[4].2);
    }

    #[test]
    fn canonical_form_distinguishes_absent_and_empty_fields() {
        let base = AuditFields {
            seq: 1,
            at: "t",
            request_id: None,
            actor: None,
            unit: None,
            role: None,
            action: "a",
            record_type: None,
            record_id: None,
            purpose: None,
            outcome: "ok",
            detail: None,
        };
        assert_ne!(
            base.canonical(),
            AuditFields {
                detail: Some(""),
                ..base
            }
            .canonical()
        );
        assert_ne!(
            AuditFields {
                actor: Some("ab"),
                unit: Some("c"),
                ..base
            }
            .canonical(),
            AuditFields {
                actor: Some("a"),
                unit: Some("bc"),
                ..base
            }
            .canonical()
        );
    }

    #[test]
    fn verifier_in_batches_matches_and_stays_broken() {
        let rows = chain(7);
        let mut v = ChainVerifier::new();
        for batch in rows.chunks(3) {
            for (seq, prev, hash, canonical) in batch {
                v.push(*seq, prev, hash, canonical).unwrap();
            }
        }
        assert_eq!(v.head(), verify_chain(rows.clone()).unwrap());
        assert_eq!((v.events(), v.last_seq(), v.next_seq()), (7, Some(7), 8));
        assert_eq!(v.last_hash(), rows[6].2);

        let mut v = ChainVerifier::new();
        let (seq, prev, _, canonical) = &rows[0];
        let err = v.push(*seq, prev, "beef", canonical).unwrap_err();
        assert_eq!(err.kind, BreakKind::Edited);
        // A later intact event cannot clear the failure.
        let (seq, prev, hash, canonical) = &rows[1];
        assert_eq!(v.push(*seq, prev, hash, canonical), Err(err));
    }

    proptest! {
        #[test]
        fn any_single_byte_edit_is_detected(n in 1u64..12, victim in any::<prop::sample::Index>(),
                                            pos in any::<prop::sample::Index>(), bit in 0u8..8) {
            let mut rows = chain(n);
            let i = victim.index(rows.len());
            let p = pos.index(rows[i].3.len());
            rows[i].3[p] ^= 1 << bit;
            let seq = rows[i].0;
            prop_assert_eq!(kind(rows), Some((seq, BreakKind::Edited)));
        }

        #[test]
        fn any_single_removal_is_detected(n in 2u64..12, victim in any::<prop::sample::Index>()) {
            let mut rows = chain(n);
            let i = victim.index(rows.len() - 1); // removing the last event is only visible against a kept head
            rows.remove(i);
            prop_assert!(verify_chain(rows).is_err());
        }
    }
}

//! Segmented, copy-on-write storage of encoded records.
//!
//! A pool is a list of immutable-by-default segments behind `Arc`s plus a small growing
//! tail. A query clones the list of `Arc`s under a short read lock and then scans without
//! any lock, so adds and removals never wait for a scan and a scan never sees a record
//! half written. Writers change a segment through `Arc::make_mut`: in place when no
//! query holds it, on a private copy when one does (the query keeps the old version
//! until it finishes and drops it).
//!
//! Removal sets a tombstone; a segment whose tombstones pass a quarter of its records is
//! rewritten without them. Full tails are sealed and merged with their neighbours while
//! sizes stay within [`MAX_SEGMENT`], like a binary counter, so a long series of single
//! adds copies each record only a logarithmic number of times.

use std::sync::Arc;

use super::kernel::{LANES, Lane, MISSING};

/// Records a tail takes before it is sealed.
pub const SEAL_AT: usize = 4096;
/// Largest segment built by merging.
pub const MAX_SEGMENT: usize = 65_536;

/// Stable identity of a stored record; ids grow in insertion order.
pub type RecordId = u32;

/// One run of records in the block layout of [`super::kernel`].
#[derive(Debug, Clone)]
pub struct Segment<M> {
    slots: usize,
    width: usize,
    lanes: Vec<Lane>,
    ids: Vec<RecordId>,
    meta: Vec<M>,
    dead: Vec<u64>,
    dead_count: usize,
}

impl<M: Clone> Segment<M> {
    pub fn new(slots: usize, width: usize) -> Self {
        Segment { slots, width, lanes: Vec::new(), ids: Vec::new(), meta: Vec::new(), dead: Vec::new(), dead_count: 0 }
    }

    /// Records stored, dead ones included (they keep their lanes until compaction).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn alive(&self) -> usize {
        self.len() - self.dead_count
    }

    /// Columns this segment stores; columns added to the panel later are absent here.
    pub fn width(&self) -> usize {
        self.width
    }

    pub fn lanes(&self) -> &[Lane] {
        &self.lanes
    }

    pub fn meta(&self, pos: usize) -> &M {
        &self.meta[pos]
    }

    pub fn id(&self, pos: usize) -> RecordId {
        self.ids[pos]
    }

    pub fn first_id(&self) -> Option<RecordId> {
        self.ids.first().copied()
    }

    /// Bytes of allele codes, padding of the last block included.
    pub fn code_bytes(&self) -> usize {
        self.lanes.len() * LANES
    }

    fn stride(&self) -> usize {
        self.width * self.slots
    }

    pub fn is_dead(&self, pos: usize) -> bool {
        self.dead[pos / 64] >> (pos % 64) & 1 == 1
    }

    /// The codes of one record, column-major: `width × slots` bytes.
    pub fn codes(&self, pos: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.stride());
        self.codes_into(pos, &mut out);
        out
    }

    /// One code of one record: `column`, `slot` (0..slots).
    #[inline]
    pub fn code_at(&self, pos: usize, column: usize, slot: usize) -> u8 {
        if column >= self.width {
            return MISSING;
        }
        let (block, lane) = (pos / LANES, pos % LANES);
        self.lanes[block * self.stride() + column * self.slots + slot].0[lane]
    }

    /// As [`Segment::codes`], into a reused buffer.
    pub fn codes_into(&self, pos: usize, out: &mut Vec<u8>) {
        let (block, lane) = (pos / LANES, pos % LANES);
        let start = block * self.stride();
        out.clear();
        out.extend(self.lanes[start..start + self.stride()].iter().map(|l| l.0[lane]));
    }

    /// Appends a record. `codes` is column-major with `slots` codes per column and may be
    /// shorter than the segment's width (the remaining columns are missing).
    pub fn push(&mut self, id: RecordId, codes: &[u8], meta: M) {
        debug_assert!(codes.len() <= self.stride() && codes.len().is_multiple_of(self.slots));
        debug_assert!(self.ids.last().is_none_or(|&last| last < id), "ids must grow");
        let pos = self.len();
        let (block, lane) = (pos / LANES, pos % LANES);
        if lane == 0 {
            self.lanes.resize(self.lanes.len() + self.stride(), Lane::EMPTY);
        }
        if pos.is_multiple_of(64) {
            self.dead.push(0);
        }
        let start = block * self.stride();
        for (l, &code) in self.lanes[start..start + codes.len()].iter_mut().zip(codes) {
            l.0[lane] = code;
        }
        self.ids.push(id);
        self.meta.push(meta);
    }

    /// Marks a record dead. Returns false if it already was.
    pub fn kill(&mut self, pos: usize) -> bool {
        let bit = 1u64 << (pos % 64);
        let word = &mut self.dead[pos / 64];
        if *word & bit != 0 {
            return false;
        }
        *word |= bit;
        self.dead_count += 1;
        true
    }

    /// Position of a record by id (ids are sorted).
    pub fn position(&self, id: RecordId) -> Option<usize> {
        self.ids.binary_search(&id).ok()
    }

    /// A copy without dead records, `width` columns wide (at least the current width).
    pub fn compacted(&self, width: usize) -> Segment<M> {
        let mut out = Segment::new(self.slots, width.max(self.width));
        out.append_alive(self);
        out
    }

    /// Appends the live records of `other`, which must hold later ids and be no wider.
    pub fn append_alive(&mut self, other: &Segment<M>) {
        debug_assert!(other.width <= self.width && other.slots == self.slots);
        for pos in 0..other.len() {
            if !other.is_dead(pos) {
                let codes = other.codes(pos);
                self.push(other.ids[pos], &codes, other.meta[pos].clone());
            }
        }
    }

    /// Whether the record has any allele at all (a record with none cannot be compared).
    pub fn has_codes(codes: &[u8]) -> bool {
        codes.iter().any(|&c| c != MISSING)
    }
}

/// All records of one kind: sealed segments plus the tail that takes new records.
#[derive(Debug, Clone)]
pub struct Pool<M> {
    slots: usize,
    sealed: Vec<Arc<Segment<M>>>,
    tail: Arc<Segment<M>>,
}

impl<M: Clone> Pool<M> {
    pub fn new(slots: usize) -> Self {
        Pool { slots, sealed: Vec::new(), tail: Arc::new(Segment::new(slots, 0)) }
    }

    pub fn slots(&self) -> usize {
        self.slots
    }

    /// Every segment with records, for a query to scan without holding any lock.
    pub fn snapshot(&self) -> Vec<Arc<Segment<M>>> {
        let mut all: Vec<_> = self.sealed.iter().filter(|s| s.alive() > 0).cloned().collect();
        if self.tail.alive() > 0 {
            all.push(self.tail.clone());
        }
        all
    }

    pub fn alive(&self) -> usize {
        self.sealed.iter().map(|s| s.alive()).sum::<usize>() + self.tail.alive()
    }

    pub fn code_bytes(&self) -> usize {
        self.sealed.iter().map(|s| s.code_bytes()).sum::<usize>() + self.tail.code_bytes()
    }

    pub fn segments(&self) -> usize {
        self.sealed.len() + usize::from(!self.tail.is_empty())
    }

    /// Appends a record; `width` is the panel's current width, which the tail grows to.
    pub fn push(&mut self, id: RecordId, codes: &[u8], meta: M, width: usize) {
        if self.tail.width() < width {
            let wider = self.tail.compacted(width);
            self.tail = Arc::new(wider);
        }
        Arc::make_mut(&mut self.tail).push(id, codes, meta);
        if self.tail.len() >= SEAL_AT {
            self.seal(width);
        }
    }

    fn seal(&mut self, width: usize) {
        let full = std::mem::replace(&mut self.tail, Arc::new(Segment::new(self.slots, width)));
        let full = if full.dead_count > 0 { Arc::new(full.compacted(full.width())) } else { full };
        if !full.is_empty() {
            self.sealed.push(full);
        }
        // Merge equal-sized neighbours from the end, like carrying in a binary counter.
        while let [.., a, b] = self.sealed.as_slice() {
            if a.alive() + b.alive() > MAX_SEGMENT || a.alive() > b.alive() {
                break;
            }
            let b = self.sealed.pop().expect("two segments");
            let a = self.sealed.pop().expect("two segments");
            let mut merged = a.compacted(a.width().max(b.width()));
            merged.append_alive(&b);
            self.sealed.push(Arc::new(merged));
        }
    }

    /// Tombstones a record by id; rewrites its segment once a quarter of it is dead.
    pub fn remove(&mut self, id: RecordId) -> bool {
        if let Some(pos) = self.tail.position(id) {
            return Arc::make_mut(&mut self.tail).kill(pos);
        }
        // Sealed segments hold increasing, disjoint id ranges.
        let idx = self.sealed.partition_point(|s| s.first_id().is_some_and(|f| f <= id));
        let Some(idx) = idx.checked_sub(1) else { return false };
        let Some(pos) = self.sealed[idx].position(id) else { return false };
        let seg = Arc::make_mut(&mut self.sealed[idx]);
        if !seg.kill(pos) {
            return false;
        }
        if seg.dead_count * 4 > seg.len() {
            let fresh = seg.compacted(seg.width());
            if fresh.is_empty() {
                self.sealed.remove(idx);
            } else {
                self.sealed[idx] = Arc::new(fresh);
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(i: u32, width: usize) -> Vec<u8> {
        (0..width * 2).map(|c| ((i as usize * 7 + c * 3) % 200 + 1) as u8).collect()
    }

    #[test]
    fn push_and_read_back_across_blocks_and_seals() {
        let mut pool: Pool<u32> = Pool::new(2);
        let n = SEAL_AT as u32 * 3 + 77;
        for i in 0..n {
            pool.push(i, &record(i, 5), i, 5);
        }
        assert_eq!(pool.alive(), n as usize);
        let mut seen = 0;
        for seg in pool.snapshot() {
            for pos in 0..seg.len() {
                let id = seg.id(pos);
                assert_eq!(*seg.meta(pos), id);
                assert_eq!(seg.codes(pos), record(id, 5));
                seen += 1;
            }
        }
        assert_eq!(seen, n);
    }

    #[test]
    fn width_grows_and_old_records_read_missing_in_new_columns() {
        let mut pool: Pool<u32> = Pool::new(2);
        pool.push(0, &record(0, 2), 0, 2);
        pool.push(1, &record(1, 3), 1, 3);
        let segs = pool.snapshot();
        assert_eq!(segs.len(), 1);
        assert_eq!(segs[0].width(), 3);
        let mut first = record(0, 2);
        first.extend([MISSING, MISSING]);
        assert_eq!(segs[0].codes(0), first);
        assert_eq!(segs[0].codes(1), record(1, 3));
    }

    #[test]
    fn removal_hides_and_compacts_without_touching_a_held_snapshot() {
        let mut pool: Pool<u32> = Pool::new(2);
        let n = SEAL_AT as u32 * 2;
        for i in 0..n {
            pool.push(i, &record(i, 4), i, 4);
        }
        let held = pool.snapshot();
        for i in (0..n).step_by(2) {
            assert!(pool.remove(i));
        }
        assert!(!pool.remove(0), "second removal of the same id");
        assert!(!pool.remove(n + 5), "unknown id");
        assert_eq!(pool.alive(), n as usize / 2);
        // Compaction dropped the dead lanes.
        assert!(pool.code_bytes() < held.iter().map(|s| s.code_bytes()).sum::<usize>());
        for seg in pool.snapshot() {
            for pos in 0..seg.len() {
                assert!(seg.is_dead(pos) || seg.id(pos) % 2 == 1);
            }
        }
        // The snapshot taken before still sees every record alive.
        assert_eq!(held.iter().map(|s| s.alive()).sum::<usize>(), n as usize);
    }
}

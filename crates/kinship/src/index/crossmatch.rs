//! Every child against every parent and every couple.
//!
//! The rejection pass is cache-blocked: parents are cut into runs of blocks that fit in
//! a core's L2 cache (512 KiB by default: a quarter of a 2 MiB L2, which leaves room for
//! the children's constants and the memoised indices, measured faster than 256 KiB and
//! 1 MiB), and each run is compared with *all* children before the next run is loaded,
//! so parents are read from memory once per crossmatch instead of once per child. The children's query constants are a small sequential
//! stream beside it. Runs are handed to the worker threads (one per core by default)
//! from a shared counter, so a slow run does not hold up the others.
//!
//! Each survivor gets its exact combined index right away, from per-locus indices
//! memoised per thread ([`super::score`]), so survivors are never stored; only pairs at
//! or above the threshold are kept, and those get the full computation for the report.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde::Serialize;

use crate::conclusion::Conclusion;
use crate::freq::FreqTable;
use crate::lr::{self, KinshipResult, LrParams, Relation};

use super::kernel::{self, ChildOfCouple, GROUP, GroupScan, Isa, LANES, MISSING, Rule, SharesAllele};
use super::score::{Bound, DuoScorer, Fixed, Kind, Scorer};
use super::segment::Segment;
use super::panel::Panel;
use super::{CoupleMeta, KinshipIndex, PersonMeta, couple_at, need, person_at, small_codes};

/// How a crossmatch runs and what it reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossmatchOptions {
    /// Pairs below this combined index are not reported.
    pub min_cpi: f64,
    /// Most loci inconsistent with Mendelian inheritance a pair may have.
    pub max_inconsistent: u32,
    /// Worker threads; 0 = one per available core.
    pub threads: usize,
    /// Bytes of parent records compared with all children before moving on; should fit
    /// in one core's L2 cache.
    pub block_bytes: usize,
}

impl Default for CrossmatchOptions {
    fn default() -> Self {
        CrossmatchOptions { min_cpi: 10_000.0, max_inconsistent: 2, threads: 0, block_bytes: 512 << 10 }
    }
}

/// A child and a parent (or couple) whose combined index reached the threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossmatchPair {
    pub child: String,
    /// The parent's or the couple's code.
    pub candidate: String,
    /// Mother and father codes when the candidate is a couple.
    pub members: Option<[String; 2]>,
    pub relation: Relation,
    pub cpi: f64,
    pub probability: f64,
    pub inconsistent_loci: u32,
    pub shared_loci: u32,
    pub conclusion: Conclusion,
}

/// The outcome of a crossmatch, with its size and timings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossmatchReport {
    pub table: String,
    pub params: LrParams,
    pub options: CrossmatchOptions,
    pub threads: usize,
    pub children: usize,
    pub parents: usize,
    pub couples: usize,
    /// Child × record comparisons made by the rejection pass.
    pub comparisons: u64,
    /// Pairs that passed it and got an exact combined index.
    pub survivors: u64,
    /// The rejection pass with the exact combined index of every survivor.
    pub pass_seconds: f64,
    /// The full computation (per-locus report) of the pairs reported.
    pub report_seconds: f64,
    /// Pairs at or above `min_cpi`, highest combined index first.
    pub pairs: Vec<CrossmatchPair>,
}

/// A kept pair: pool (0 parents, 1 couples), child number, segment number, position.
type Hit = (u8, u32, u32, u32);

impl KinshipIndex {
    /// Compares every stored child with every stored parent (duo) and couple (trio
    /// evidence) and returns the pairs at or above `options.min_cpi`.
    pub fn crossmatch(&self, table: &FreqTable, params: &LrParams, options: &CrossmatchOptions) -> CrossmatchReport {
        let snap = self.full_snapshot();
        let threads = if options.threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            options.threads
        };
        let children: Vec<(Arc<Segment<PersonMeta>>, usize)> = snap
            .children
            .iter()
            .flat_map(|seg| (0..seg.len()).filter(|&p| !seg.is_dead(p)).map(move |p| (seg.clone(), p)))
            .collect();
        let panel = &*snap.panel;
        let width = panel.width();
        let table_has: Vec<bool> = (0..width).map(|c| table.has_locus(panel.locus(c))).collect();
        let codes = child_codes(&children, &table_has, width);
        let mut report = CrossmatchReport {
            table: table.name.clone(),
            params: params.clone(),
            options: options.clone(),
            threads,
            children: children.len(),
            parents: snap.parents.iter().map(|s| s.alive()).sum(),
            couples: snap.couples.iter().map(|s| s.alive()).sum(),
            comparisons: 0,
            survivors: 0,
            pass_seconds: 0.0,
            report_seconds: 0.0,
            pairs: Vec::new(),
        };
        report.comparisons = ((report.parents + report.couples) * children.len()) as u64;

        let started = Instant::now();
        let pass = Pass { panel, width, max_inconsistent: options.max_inconsistent, threads, block_bytes: options.block_bytes };
        let keep = |cpi: f64, inconsistent: u32| inconsistent <= options.max_inconsistent && cpi >= options.min_cpi;
        let child_overflow = |c: u32| {
            let (seg, pos) = &children[c as usize];
            seg.meta(*pos).overflow
        };
        let row = |c: u32| &codes[c as usize * width..(c as usize + 1) * width];
        // Survivors of one child in one run come together: the child is bound once for them.
        let duo_survivor = |(scorer, bound, bound_to): &mut (DuoScorer<'_>, Bound, Option<u32>),
                            c: u32,
                            s: u32,
                            seg: &Segment<PersonMeta>,
                            p: u32| {
            let meta = seg.meta(p as usize);
            if meta.overflow || child_overflow(c) {
                return Some((0, c, s, p));
            }
            if *bound_to != Some(c) {
                scorer.bind_with(|col| row(c).get(col).copied(), bound);
                *bound_to = Some(c);
            }
            let pos = p as usize;
            let score = scorer.score(bound, meta.sex, |col| [seg.code_at(pos, col, 0), seg.code_at(pos, col, 1)]);
            keep(score.cpi, score.inconsistent_loci).then_some((0, c, s, p))
        };
        let duo_state = || (DuoScorer::new(panel, table, params, Fixed::None), Bound::default(), None);
        let (mut hits, survivors) = if params.single_as_dropout {
            pass.run(&snap.parents, &duo_rules::<true>(&codes), duo_state, duo_survivor)
        } else {
            pass.run(&snap.parents, &duo_rules::<false>(&codes), duo_state, duo_survivor)
        };
        report.survivors += survivors;
        let couple_survivor = |(scorer, buf, child, child_is): &mut (Scorer<'_>, Vec<u8>, Vec<u8>, Option<u32>),
                               c: u32,
                               s: u32,
                               seg: &Segment<CoupleMeta>,
                               p: u32| {
            let meta = seg.meta(p as usize);
            if meta.mother.overflow || meta.father.overflow || child_overflow(c) {
                return Some((1, c, s, p));
            }
            seg.codes_into(p as usize, buf);
            if *child_is != Some(c) {
                child.clear();
                child.extend(row(c).iter().flatten());
                *child_is = Some(c);
            }
            let score = scorer.score(child, buf, 0);
            keep(score.cpi, score.inconsistent_loci).then_some((1, c, s, p))
        };
        let couple_state = || (Scorer::new(panel, table, params, Kind::Couple, Fixed::None), Vec::new(), Vec::new(), None);
        let (couple_hits, survivors) = if params.single_as_dropout {
            pass.run(&snap.couples, &couple_rules::<true>(&codes), couple_state, couple_survivor)
        } else {
            pass.run(&snap.couples, &couple_rules::<false>(&codes), couple_state, couple_survivor)
        };
        report.survivors += survivors;
        hits.extend(couple_hits);
        report.pass_seconds = started.elapsed().as_secs_f64();

        let started = Instant::now();
        let child_at = |i: u32| {
            let (seg, pos) = &children[i as usize];
            person_at(panel, seg, *pos)
        };
        let mut pairs = parallel_map(&hits, threads, |&(pool, c, s, p)| {
            let child = child_at(c);
            let r;
            let pair = if pool == 0 {
                let parent = person_at(panel, &snap.parents[s as usize], p as usize);
                r = lr::duo(&child, &parent, table, params);
                pair(child.code, parent.code, None, &r)
            } else {
                let seg = &snap.couples[s as usize];
                let (mother, father) = couple_at(panel, seg, p as usize);
                r = lr::couple(&child, &mother, &father, table, params);
                pair(child.code, seg.meta(p as usize).code.to_string(), Some([mother.code, father.code]), &r)
            };
            keep(r.cpi, r.inconsistent_loci).then_some(pair)
        });
        pairs.sort_by(|a, b| {
            b.cpi.total_cmp(&a.cpi).then_with(|| a.child.cmp(&b.child)).then_with(|| a.candidate.cmp(&b.candidate))
        });
        report.pairs = pairs;
        report.report_seconds = started.elapsed().as_secs_f64();
        report
    }
}

fn pair(child: String, candidate: String, members: Option<[String; 2]>, r: &KinshipResult) -> CrossmatchPair {
    CrossmatchPair {
        child,
        candidate,
        members,
        relation: r.relation,
        cpi: r.cpi,
        probability: r.probability,
        inconsistent_loci: r.inconsistent_loci,
        shared_loci: r.shared_loci,
        conclusion: r.conclusion,
    }
}

/// Each child's codes per panel column, with columns the table lacks blanked, as
/// `(first, second)` where a single allele has `second == MISSING`.
fn child_codes(children: &[(Arc<Segment<PersonMeta>>, usize)], table_has: &[bool], width: usize) -> Vec<[u8; 2]> {
    let mut out = vec![[MISSING; 2]; children.len() * width];
    for (row, (seg, pos)) in out.chunks_exact_mut(width.max(1)).zip(children) {
        let codes = seg.codes(*pos);
        for (c, pair) in codes.chunks_exact(2).enumerate() {
            if table_has[c] {
                row[c] = [pair[0], pair[1]];
            }
        }
    }
    out
}

fn duo_rules<const D: bool>(codes: &[[u8; 2]]) -> Vec<SharesAllele<D>> {
    codes
        .iter()
        .map(|&[a, b]| match b {
            MISSING if D => SharesAllele { alleles: [MISSING; 2] },
            MISSING => SharesAllele { alleles: [a, a] },
            b => SharesAllele { alleles: [a, b] },
        })
        .collect()
}

fn couple_rules<const D: bool>(codes: &[[u8; 2]]) -> Vec<ChildOfCouple<D>> {
    codes
        .iter()
        .map(|&[a, b]| match b {
            MISSING => ChildOfCouple { alleles: [a, a], second_is_any: D && a != MISSING },
            b => ChildOfCouple { alleles: [a, b], second_is_any: false },
        })
        .collect()
}

/// The cache-blocked rejection pass over one pool.
struct Pass<'a> {
    panel: &'a Panel,
    width: usize,
    max_inconsistent: u32,
    threads: usize,
    block_bytes: usize,
}

impl Pass<'_> {
    /// Runs the pass on all threads; each survivor (child, segment number, segment,
    /// position) goes to `survivor` with the thread's state from `init`, which keeps it
    /// or not. Returns the kept pairs and the number of survivors.
    fn run<M, R, S>(
        &self,
        segments: &[Arc<Segment<M>>],
        rules: &[R],
        init: impl Fn() -> S + Sync,
        survivor: impl Fn(&mut S, u32, u32, &Segment<M>, u32) -> Option<Hit> + Sync,
    ) -> (Vec<Hit>, u64)
    where
        M: Clone + Send + Sync,
        R: Rule,
    {
        let width = self.width;
        let children = rules.len().checked_div(width).unwrap_or(0);
        // Work items: (segment, first block, end block).
        let mut items = Vec::new();
        for (s, seg) in segments.iter().enumerate() {
            let block_bytes = (seg.width() * R::SLOTS * LANES).max(1);
            let per_item = (self.block_bytes / block_bytes).max(1);
            let blocks = seg.len().div_ceil(LANES);
            let mut b = 0;
            while b < blocks {
                items.push((s, b, (b + per_item).min(blocks)));
                b += per_item;
            }
        }
        let small: Vec<bool> = segments.iter().map(|seg| small_codes(self.panel, seg.width())).collect();
        let isa = Isa::detect();
        let next = AtomicUsize::new(0);
        let worker = || {
            let mut state = init();
            let mut hits = Vec::new();
            let mut survivors = 0u64;
            let mut outs = vec![Vec::new(); GROUP];
            let mut scratch = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(s, b0, b1)) = items.get(i) else { break };
                let seg = &*segments[s];
                let stride = seg.width() * R::SLOTS;
                let lanes = &seg.lanes()[b0 * stride..b1 * stride];
                let first = b0 * LANES;
                let len = (seg.len() - first).min((b1 - b0) * LANES);
                // GROUP children at a time share each load of the parents' lanes.
                for (g, rows) in rules.chunks(width.max(1) * GROUP).enumerate() {
                    let rows: Vec<&[R]> = rows.chunks_exact(width.max(1)).take(children).collect();
                    let queries: Vec<&[R]> = rows.iter().map(|row| &row[..seg.width()]).collect();
                    let needs: Vec<u8> = rows.iter().map(|row| need(row, seg.width(), self.max_inconsistent)).collect();
                    outs.iter_mut().for_each(Vec::clear);
                    let group = GroupScan { lanes, queries: &queries, needs: &needs, len, base: first as u32, small_codes: small[s] };
                    kernel::scan_group(isa, group, &mut scratch, &mut outs);
                    for (k, positions) in outs.iter().enumerate().take(queries.len()) {
                        let child = (g * GROUP + k) as u32;
                        for &p in positions {
                            if !seg.is_dead(p as usize) {
                                survivors += 1;
                                hits.extend(survivor(&mut state, child, s as u32, seg, p));
                            }
                        }
                    }
                }
            }
            (hits, survivors)
        };
        let mut all = Vec::new();
        let mut survivors = 0;
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..self.threads.max(1)).map(|_| scope.spawn(worker)).collect();
            for h in handles {
                let (hits, n) = h.join().expect("crossmatch worker panicked");
                all.extend(hits);
                survivors += n;
            }
        });
        (all, survivors)
    }
}

/// Maps items on `threads` threads, keeping the `Some` results (in no particular order).
fn parallel_map<T: Sync, U: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> Option<U> + Sync) -> Vec<U> {
    let next = AtomicUsize::new(0);
    const CHUNK: usize = 64;
    let mut out = Vec::new();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                        if start >= items.len() {
                            break;
                        }
                        mine.extend(items[start..(start + CHUNK).min(items.len())].iter().filter_map(&f));
                    }
                    mine
                })
            })
            .collect();
        for h in handles {
            out.extend(h.join().expect("crossmatch worker panicked"));
        }
    });
    out
}

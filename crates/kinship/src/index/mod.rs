//! The in-memory search index.
//!
//! Three pools hold what a database search compares: **children** (rescued, of unknown
//! origin, street children), **parents** of missing children, and **couples** (both
//! parents registered together). A child is searched against parents (duo evidence) and
//! couples (trio evidence, [`crate::lr::couple`]); a parent or a couple is searched
//! against children. Relatives and reference samples are not indexed: siblings and
//! grandparents may share no allele, so the Mendelian rejection pass cannot serve them.
//!
//! A search runs in two steps. The rejection pass ([`kernel`]) streams every record's
//! allele codes once and keeps those with at most `max_inconsistent` loci that break
//! Mendelian inheritance (default 2, so that one or two mutations survive). The pass is
//! conservative by construction: it only compares loci the exact ratio compares too and
//! treats everything it cannot judge as compatible, so it never drops a record the exact
//! ratio would keep. Survivors are rebuilt as [`Profile`]s and get the exact likelihood
//! ratio; those whose exact count of inconsistent loci is still within the limit are
//! ranked by combined index, with the margin to the next candidate.
//!
//! Adds and removals may run while searches do; see [`segment`] for how (copy-on-write
//! segments behind `Arc`s, tombstones, compaction). The layout is described in
//! `docs/kinship-search.md`.

pub mod crossmatch;
pub mod kernel;
pub mod panel;
pub mod score;
pub mod segment;

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde::Serialize;

use crate::conclusion::Conclusion;
use crate::freq::FreqTable;
use crate::lr::{self, Kinship, KinshipResult, LrParams, Relation};
use crate::profile::{Genotype, Profile, SampleCategory};

use kernel::{ChildOfCouple, CoupleOfChild, MISSING, Rule, Scan, SharesAllele};
use panel::{Encoded, Panel};
use score::{Bound, DuoScorer, Fixed, Kind as ScoreKind, Score, Scorer};
use segment::{Pool, RecordId, Segment};

pub use crossmatch::{CrossmatchOptions, CrossmatchPair, CrossmatchReport};

/// What a stored person carries beside its allele codes.
#[derive(Debug, Clone)]
struct PersonMeta {
    code: Arc<str>,
    category: SampleCategory,
    kit: Option<Arc<str>>,
    /// Genotypes without column codes (Amelogenin, `OL`, overflow), restored exactly.
    extras: Box<[(String, Genotype)]>,
    /// What the likelihood ratio reads from Amelogenin ([`score::sex_key`]).
    sex: u8,
    /// Some extra genotype would enter a likelihood ratio (an allele beyond a full
    /// column, a locus beyond the last column): score by the full computation.
    overflow: bool,
}

#[derive(Debug, Clone)]
struct CoupleMeta {
    code: Arc<str>,
    mother: PersonMeta,
    father: PersonMeta,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PoolKind {
    Parents,
    Children,
    Couples,
}

#[derive(Debug, Clone, Copy)]
struct Location {
    pool: PoolKind,
    id: RecordId,
}

#[derive(Debug, Clone)]
struct State {
    panel: Arc<Panel>,
    parents: Pool<PersonMeta>,
    children: Pool<PersonMeta>,
    couples: Pool<CoupleMeta>,
    by_code: HashMap<Arc<str>, Location>,
    kits: HashMap<String, Arc<str>>,
    next_id: RecordId,
}

/// The in-memory kinship index. Shareable between threads (`&self` everywhere).
#[derive(Debug)]
pub struct KinshipIndex {
    state: RwLock<State>,
}

/// Why the index refused a record or a query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    #[error("sample code {code:?} is already in the index")]
    DuplicateCode { code: String },
    #[error("sample {code:?} is a {category} sample: only children, parents of missing children and couples are searched by Mendelian rejection (use the sibling ratios for relatives)")]
    NotSearchable { code: String, category: SampleCategory },
    #[error("couple {couple:?}: member {member:?} is a {category} sample, not a parent")]
    CoupleMember { couple: String, member: String, category: SampleCategory },
    #[error("sample code {code:?} is not in the index")]
    UnknownCode { code: String },
    #[error("profile {code:?} has no comparable locus (only sex markers or off-ladder alleles)")]
    NothingToCompare { code: String },
    #[error("the index is full ({max} records were added over its lifetime)")]
    Full { max: u64 },
}

/// How a search ranks and filters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchOptions {
    /// Candidates returned per list.
    pub top: usize,
    /// Most loci inconsistent with Mendelian inheritance a candidate may have.
    pub max_inconsistent: u32,
    /// Candidates below this combined index are not returned.
    pub min_cpi: f64,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions { top: 10, max_inconsistent: 2, min_cpi: 0.0 }
    }
}

/// Which side of a search the query is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryKind {
    /// A child, searched against parents and couples.
    Child,
    /// A parent of a missing child, searched against children.
    Parent,
    /// A couple, searched against children.
    Couple,
}

/// One ranked candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// 1 for the best candidate of its list.
    pub rank: usize,
    /// The candidate record: a parent's, a child's or a couple's code.
    pub code: String,
    /// Mother and father codes when the candidate is a couple.
    pub members: Option<[String; 2]>,
    pub relation: Relation,
    pub cpi: f64,
    pub probability: f64,
    pub inconsistent_loci: u32,
    pub shared_loci: u32,
    pub conclusion: Conclusion,
    /// This candidate's combined index divided by the next one's (`None` when nobody
    /// follows): how clearly it stands out.
    pub margin: Option<f64>,
    /// The full comparison, for a report.
    #[serde(skip)]
    pub result: KinshipResult,
}

/// The answer to one search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchReport {
    pub query: String,
    pub kind: QueryKind,
    pub table: String,
    pub params: LrParams,
    pub options: SearchOptions,
    /// Records the rejection pass looked at.
    pub scanned: u64,
    /// Records that passed it and got an exact likelihood ratio.
    pub survivors: u64,
    /// For a child: single parents by duo evidence.
    pub parents: Vec<Candidate>,
    /// For a child: couples by trio evidence.
    pub couples: Vec<Candidate>,
    /// For a parent or a couple: children.
    pub children: Vec<Candidate>,
}

/// Sizes of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndexStats {
    pub parents: usize,
    pub children: usize,
    pub couples: usize,
    /// Locus columns.
    pub loci: usize,
    /// Bytes of allele codes scanned by the rejection pass, block padding included.
    pub code_bytes: usize,
    pub segments: usize,
}

impl Default for KinshipIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl KinshipIndex {
    pub fn new() -> Self {
        KinshipIndex {
            state: RwLock::new(State {
                panel: Arc::new(Panel::default()),
                parents: Pool::new(2),
                children: Pool::new(2),
                couples: Pool::new(4),
                by_code: HashMap::new(),
                kits: HashMap::new(),
                next_id: 0,
            }),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        // A writer that panicked left no half-made record behind (records are pushed whole
        // after encoding), so the state is still usable.
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a child (rescued / unknown origin / street) or a parent of a missing child.
    pub fn add(&self, profile: &Profile) -> Result<(), IndexError> {
        let pool = if profile.category.is_child() {
            PoolKind::Children
        } else if profile.category == SampleCategory::ParentOfMissingChild {
            PoolKind::Parents
        } else {
            return Err(IndexError::NotSearchable { code: profile.code.clone(), category: profile.category });
        };
        let mut st = self.write();
        let st = &mut *st;
        let id = st.reserve(&profile.code)?;
        let encoded = st.encode(profile);
        if !Segment::<PersonMeta>::has_codes(&encoded.codes) {
            return Err(IndexError::NothingToCompare { code: profile.code.clone() });
        }
        let meta = st.person_meta(profile, encoded.extras);
        let width = st.panel.width();
        let target = if pool == PoolKind::Children { &mut st.children } else { &mut st.parents };
        target.push(id, &encoded.codes, meta.clone(), width);
        st.commit(meta.code, Location { pool, id });
        Ok(())
    }

    /// Adds a couple registered together as the parents of a missing child.
    pub fn add_couple(&self, code: &str, mother: &Profile, father: &Profile) -> Result<(), IndexError> {
        for member in [mother, father] {
            if member.category.is_child() {
                return Err(IndexError::CoupleMember {
                    couple: code.to_owned(),
                    member: member.code.clone(),
                    category: member.category,
                });
            }
        }
        let mut st = self.write();
        let st = &mut *st;
        let id = st.reserve(code)?;
        let m = st.encode(mother);
        let f = st.encode(father);
        let width = st.panel.width();
        let mut codes = vec![MISSING; width * 4];
        for c in 0..width {
            let pick = |e: &Encoded, s: usize| e.codes.get(c * 2 + s).copied().unwrap_or(MISSING);
            codes[c * 4..c * 4 + 4].copy_from_slice(&[pick(&m, 0), pick(&m, 1), pick(&f, 0), pick(&f, 1)]);
        }
        if !Segment::<CoupleMeta>::has_codes(&codes) {
            return Err(IndexError::NothingToCompare { code: code.to_owned() });
        }
        let meta = CoupleMeta {
            code: Arc::from(code),
            mother: st.person_meta(mother, m.extras),
            father: st.person_meta(father, f.extras),
        };
        st.couples.push(id, &codes, meta.clone(), width);
        st.commit(meta.code, Location { pool: PoolKind::Couples, id });
        Ok(())
    }

    /// Removes a profile or couple by code; false if it was not there. Searches that
    /// started before may still return it; searches that start after do not.
    pub fn remove(&self, code: &str) -> bool {
        let mut st = self.write();
        let Some(loc) = st.by_code.remove(code) else { return false };
        match loc.pool {
            PoolKind::Parents => st.parents.remove(loc.id),
            PoolKind::Children => st.children.remove(loc.id),
            PoolKind::Couples => st.couples.remove(loc.id),
        }
    }

    pub fn contains(&self, code: &str) -> bool {
        self.read().by_code.contains_key(code)
    }

    pub fn stats(&self) -> IndexStats {
        let st = self.read();
        IndexStats {
            parents: st.parents.alive(),
            children: st.children.alive(),
            couples: st.couples.alive(),
            loci: st.panel.width(),
            code_bytes: st.parents.code_bytes() + st.children.code_bytes() + st.couples.code_bytes(),
            segments: st.parents.segments() + st.children.segments() + st.couples.segments(),
        }
    }

    /// The stored profile of a person, rebuilt from the index.
    pub fn profile(&self, code: &str) -> Option<Profile> {
        let st = self.read();
        let loc = *st.by_code.get(code)?;
        match loc.pool {
            PoolKind::Couples => None,
            PoolKind::Parents => find(&st.parents, loc.id).map(|(seg, pos)| person_at(&st.panel, &seg, pos)),
            PoolKind::Children => find(&st.children, loc.id).map(|(seg, pos)| person_at(&st.panel, &seg, pos)),
        }
    }

    /// The stored mother and father of a couple.
    pub fn couple(&self, code: &str) -> Option<(Profile, Profile)> {
        let st = self.read();
        let loc = *st.by_code.get(code)?;
        if loc.pool != PoolKind::Couples {
            return None;
        }
        find(&st.couples, loc.id).map(|(seg, pos)| couple_at(&st.panel, &seg, pos))
    }

    /// Searches for a stored sample or couple by its code.
    pub fn search_code(
        &self,
        code: &str,
        table: &FreqTable,
        params: &LrParams,
        options: &SearchOptions,
    ) -> Result<SearchReport, IndexError> {
        if let Some((mother, father)) = self.couple(code) {
            return Ok(self.search_couple(code, &mother, &father, table, params, options));
        }
        let profile = self.profile(code).ok_or_else(|| IndexError::UnknownCode { code: code.to_owned() })?;
        self.search(&profile, table, params, options)
    }

    /// Searches a child against parents and couples, or a parent against children.
    pub fn search(
        &self,
        query: &Profile,
        table: &FreqTable,
        params: &LrParams,
        options: &SearchOptions,
    ) -> Result<SearchReport, IndexError> {
        let kind = if query.category.is_child() {
            QueryKind::Child
        } else if query.category == SampleCategory::ParentOfMissingChild {
            QueryKind::Parent
        } else {
            return Err(IndexError::NotSearchable { code: query.code.clone(), category: query.category });
        };
        let snap = self.snapshot(kind);
        let mut report = SearchReport {
            query: query.code.clone(),
            kind,
            table: table.name.clone(),
            params: params.clone(),
            options: options.clone(),
            scanned: 0,
            survivors: 0,
            parents: Vec::new(),
            couples: Vec::new(),
            children: Vec::new(),
        };
        let dropout = params.single_as_dropout;
        let panel = &*snap.panel;
        let person_rules = person_rules(panel, query, table, dropout);
        let codes = score::query_codes(panel, query);
        match kind {
            QueryKind::Child => {
                let hits = scan_pool(panel, &snap.parents, &person_rules, dropout, options, &mut report);
                let mut scorer = DuoScorer::new(panel, table, params, Fixed::Child(query));
                let mut bound = Bound::default();
                scorer.bind(&codes, &mut bound);
                let scored = hits
                    .into_iter()
                    .map(|(seg, pos)| {
                        let meta = seg.meta(pos);
                        let score = if meta.overflow {
                            exact(Kinship::Duo { child: query, parent: &person_at(panel, &seg, pos) }, table, params)
                        } else {
                            scorer.score(&mut bound, meta.sex, |c| [seg.code_at(pos, c, 0), seg.code_at(pos, c, 1)])
                        };
                        Scored { code: meta.code.clone(), score, hit: (seg, pos) }
                    })
                    .collect();
                report.parents = rank(scored, options, |(seg, pos)| {
                    (None, lr::duo(query, &person_at(panel, seg, *pos), table, params))
                });
                let rules = child_of_couple_rules(panel, query, table, dropout);
                let hits = scan_pool(panel, &snap.couples, &rules, dropout, options, &mut report);
                let mut scorer = Scorer::new(panel, table, params, ScoreKind::Couple, Fixed::Child(query));
                let scored = hits
                    .into_iter()
                    .map(|(seg, pos)| {
                        let meta = seg.meta(pos);
                        let score = if meta.mother.overflow || meta.father.overflow {
                            let (m, f) = couple_at(panel, &seg, pos);
                            exact(Kinship::Couple { child: query, mother: &m, father: &f }, table, params)
                        } else {
                            scorer.score(&codes, &seg.codes(pos), 0)
                        };
                        Scored { code: meta.code.clone(), score, hit: (seg, pos) }
                    })
                    .collect();
                report.couples = rank(scored, options, |(seg, pos)| {
                    let (mother, father) = couple_at(panel, seg, *pos);
                    let r = lr::couple(query, &mother, &father, table, params);
                    (Some([mother.code, father.code]), r)
                });
            }
            QueryKind::Parent | QueryKind::Couple => {
                let hits = scan_pool(panel, &snap.children, &person_rules, dropout, options, &mut report);
                let mut scorer = DuoScorer::new(panel, table, params, Fixed::Parent(query));
                let mut bound = Bound::default();
                scorer.bind(&codes, &mut bound);
                let scored = hits
                    .into_iter()
                    .map(|(seg, pos)| {
                        let meta = seg.meta(pos);
                        let score = if meta.overflow {
                            exact(Kinship::Duo { child: &person_at(panel, &seg, pos), parent: query }, table, params)
                        } else {
                            scorer.score(&mut bound, 0, |c| [seg.code_at(pos, c, 0), seg.code_at(pos, c, 1)])
                        };
                        Scored { code: meta.code.clone(), score, hit: (seg, pos) }
                    })
                    .collect();
                report.children = rank(scored, options, |(seg, pos)| {
                    (None, lr::duo(&person_at(panel, seg, *pos), query, table, params))
                });
            }
        }
        Ok(report)
    }

    /// Searches a couple (both parents of a missing child) against children.
    pub fn search_couple(
        &self,
        code: &str,
        mother: &Profile,
        father: &Profile,
        table: &FreqTable,
        params: &LrParams,
        options: &SearchOptions,
    ) -> SearchReport {
        let snap = self.snapshot(QueryKind::Couple);
        let mut report = SearchReport {
            query: code.to_owned(),
            kind: QueryKind::Couple,
            table: table.name.clone(),
            params: params.clone(),
            options: options.clone(),
            scanned: 0,
            survivors: 0,
            parents: Vec::new(),
            couples: Vec::new(),
            children: Vec::new(),
        };
        let dropout = params.single_as_dropout;
        let panel = &*snap.panel;
        let rules = couple_of_child_rules(panel, mother, father, table, dropout);
        let hits = scan_pool(panel, &snap.children, &rules, dropout, options, &mut report);
        let (m, f) = (score::query_codes(panel, mother), score::query_codes(panel, father));
        let codes: Vec<u8> = m.chunks_exact(2).zip(f.chunks_exact(2)).flat_map(|(m, f)| [m[0], m[1], f[0], f[1]]).collect();
        let mut scorer = Scorer::new(panel, table, params, ScoreKind::Couple, Fixed::Couple { mother, father });
        let scored = hits
            .into_iter()
            .map(|(seg, pos)| {
                let meta = seg.meta(pos);
                let score = if meta.overflow {
                    exact(Kinship::Couple { child: &person_at(panel, &seg, pos), mother, father }, table, params)
                } else {
                    scorer.score(&seg.codes(pos), &codes, 0)
                };
                Scored { code: meta.code.clone(), score, hit: (seg, pos) }
            })
            .collect();
        report.children = rank(scored, options, |(seg, pos)| {
            (None, lr::couple(&person_at(panel, seg, *pos), mother, father, table, params))
        });
        report
    }

    /// Only the rejection pass of [`KinshipIndex::search`], without exact ratios: how
    /// many records it scanned and how many survived. For measuring the pass.
    pub fn rejection_pass(
        &self,
        query: &Profile,
        table: &FreqTable,
        params: &LrParams,
        options: &SearchOptions,
    ) -> Result<(u64, u64), IndexError> {
        let kind = if query.category.is_child() {
            QueryKind::Child
        } else if query.category == SampleCategory::ParentOfMissingChild {
            QueryKind::Parent
        } else {
            return Err(IndexError::NotSearchable { code: query.code.clone(), category: query.category });
        };
        let snap = self.snapshot(kind);
        let mut report = SearchReport {
            query: String::new(),
            kind,
            table: String::new(),
            params: LrParams::default(),
            options: options.clone(),
            scanned: 0,
            survivors: 0,
            parents: Vec::new(),
            couples: Vec::new(),
            children: Vec::new(),
        };
        let dropout = params.single_as_dropout;
        let panel = &*snap.panel;
        let rules = person_rules(panel, query, table, dropout);
        if kind == QueryKind::Child {
            scan_pool(panel, &snap.parents, &rules, dropout, options, &mut report);
            let rules = child_of_couple_rules(&snap.panel, query, table, dropout);
            scan_pool(panel, &snap.couples, &rules, dropout, options, &mut report);
        } else {
            scan_pool(panel, &snap.children, &rules, dropout, options, &mut report);
        }
        Ok((report.scanned, report.survivors))
    }

    fn snapshot(&self, kind: QueryKind) -> Snapshot {
        let st = self.read();
        let (parents, couples, children) = match kind {
            QueryKind::Child => (st.parents.snapshot(), st.couples.snapshot(), Vec::new()),
            QueryKind::Parent | QueryKind::Couple => (Vec::new(), Vec::new(), st.children.snapshot()),
        };
        Snapshot { panel: st.panel.clone(), parents, couples, children }
    }

    fn full_snapshot(&self) -> Snapshot {
        let st = self.read();
        Snapshot {
            panel: st.panel.clone(),
            parents: st.parents.snapshot(),
            couples: st.couples.snapshot(),
            children: st.children.snapshot(),
        }
    }
}

/// What a query scans, taken under a short read lock.
struct Snapshot {
    panel: Arc<Panel>,
    parents: Vec<Arc<Segment<PersonMeta>>>,
    couples: Vec<Arc<Segment<CoupleMeta>>>,
    children: Vec<Arc<Segment<PersonMeta>>>,
}

impl State {
    /// Checks the code is free and hands out the next id; nothing is changed yet.
    fn reserve(&self, code: &str) -> Result<RecordId, IndexError> {
        if self.by_code.contains_key(code) {
            return Err(IndexError::DuplicateCode { code: code.to_owned() });
        }
        if self.next_id == RecordId::MAX {
            return Err(IndexError::Full { max: u64::from(RecordId::MAX) });
        }
        Ok(self.next_id)
    }

    fn commit(&mut self, code: Arc<str>, loc: Location) {
        self.by_code.insert(code, loc);
        self.next_id += 1;
    }

    fn encode(&mut self, profile: &Profile) -> Encoded {
        match self.panel.lookup(&profile.loci) {
            Some(known) => known,
            None => Arc::make_mut(&mut self.panel).encode(&profile.loci),
        }
    }

    fn person_meta(&mut self, profile: &Profile, extras: Vec<(String, Genotype)>) -> PersonMeta {
        let kit = profile.kit.as_deref().map(|k| match self.kits.entry(k.to_owned()) {
            Entry::Occupied(e) => e.get().clone(),
            Entry::Vacant(e) => e.insert(Arc::from(k)).clone(),
        });
        let overflow = extras.iter().any(|(locus, g)| Panel::is_comparable(locus, g));
        PersonMeta {
            code: Arc::from(profile.code.as_str()),
            category: profile.category,
            kit,
            extras: extras.into_boxed_slice(),
            sex: score::sex_key(profile.sex()),
            overflow,
        }
    }
}

fn find<M: Clone>(pool: &Pool<M>, id: RecordId) -> Option<(Arc<Segment<M>>, usize)> {
    pool.snapshot().into_iter().find_map(|seg| seg.position(id).filter(|&p| !seg.is_dead(p)).map(|p| (seg, p)))
}

fn rebuild(panel: &Panel, codes: &[u8], meta: &PersonMeta) -> Profile {
    let mut loci: std::collections::BTreeMap<String, Genotype> = panel.decode(codes).into_iter().collect();
    loci.extend(meta.extras.iter().cloned());
    Profile { code: meta.code.to_string(), category: meta.category, kit: meta.kit.as_deref().map(str::to_owned), loci }
}

fn person_at(panel: &Panel, seg: &Segment<PersonMeta>, pos: usize) -> Profile {
    rebuild(panel, &seg.codes(pos), seg.meta(pos))
}

fn couple_at(panel: &Panel, seg: &Segment<CoupleMeta>, pos: usize) -> (Profile, Profile) {
    let codes = seg.codes(pos);
    let mother: Vec<u8> = codes.chunks_exact(4).flat_map(|c| [c[0], c[1]]).collect();
    let father: Vec<u8> = codes.chunks_exact(4).flat_map(|c| [c[2], c[3]]).collect();
    let meta = seg.meta(pos);
    (rebuild(panel, &mother, &meta.mother), rebuild(panel, &father, &meta.father))
}

/// The two codes of a query genotype at a column, if the exact ratio would compare it.
fn query_codes(panel: &Panel, column: usize, profile: &Profile, table: &FreqTable) -> Option<(u8, Option<u8>)> {
    let locus = panel.locus(column);
    if !table.has_locus(locus) {
        return None;
    }
    let genotype = profile.loci.get(locus)?;
    if !Panel::is_comparable(locus, genotype) {
        return None;
    }
    let (a, b) = genotype.alleles();
    Some((panel.code(column, a), b.map(|b| panel.code(column, b))))
}

/// Rules for a person against stored persons.
fn person_rules(panel: &Panel, query: &Profile, table: &FreqTable, dropout: bool) -> Vec<[u8; 2]> {
    (0..panel.width())
        .map(|c| match query_codes(panel, c, query, table) {
            Some((a, Some(b))) => [a, b],
            // A single allele cannot exclude under drop-out: its partner could be anything.
            Some((_, None)) if dropout => [MISSING; 2],
            Some((a, None)) => [a, a],
            None => [MISSING; 2],
        })
        .collect()
}

fn child_of_couple_rules(panel: &Panel, child: &Profile, table: &FreqTable, dropout: bool) -> Vec<([u8; 2], bool)> {
    (0..panel.width())
        .map(|c| match query_codes(panel, c, child, table) {
            Some((a, Some(b))) => ([a, b], false),
            Some((a, None)) if dropout => ([a, a], true),
            Some((a, None)) => ([a, a], false),
            None => ([MISSING; 2], false),
        })
        .collect()
}

type CoupleRule = ([u8; 2], [u8; 2], bool, bool);

fn couple_of_child_rules(
    panel: &Panel,
    mother: &Profile,
    father: &Profile,
    table: &FreqTable,
    dropout: bool,
) -> Vec<CoupleRule> {
    let absent = ([MISSING; 2], [MISSING; 2], false, false);
    (0..panel.width())
        .map(|c| {
            let (Some(m), Some(f)) = (query_codes(panel, c, mother, table), query_codes(panel, c, father, table))
            else {
                return absent;
            };
            let side = |(a, b): (u8, Option<u8>)| match b {
                Some(b) => ([a, b], false),
                None => ([a, a], dropout),
            };
            let ((m, m_any), (f, f_any)) = (side(m), side(f));
            (m, f, m_any, f_any)
        })
        .collect()
}

/// Turns per-column query codes into a kernel rule of the right drop-out reading.
trait IntoRule<const D: bool> {
    type Rule: Rule;
    fn rule(&self) -> Self::Rule;
}

impl<const D: bool> IntoRule<D> for [u8; 2] {
    type Rule = SharesAllele<D>;
    fn rule(&self) -> SharesAllele<D> {
        SharesAllele { alleles: *self }
    }
}

impl<const D: bool> IntoRule<D> for ([u8; 2], bool) {
    type Rule = ChildOfCouple<D>;
    fn rule(&self) -> ChildOfCouple<D> {
        ChildOfCouple { alleles: self.0, second_is_any: self.1 }
    }
}

impl<const D: bool> IntoRule<D> for CoupleRule {
    type Rule = CoupleOfChild<D>;
    fn rule(&self) -> CoupleOfChild<D> {
        CoupleOfChild { mother: self.0, father: self.1, mother_any: self.2, father_any: self.3 }
    }
}

/// Runs the rejection pass over a pool; returns the live survivors.
fn scan_pool<M, Q>(
    panel: &Panel,
    segments: &[Arc<Segment<M>>],
    query: &[Q],
    dropout: bool,
    options: &SearchOptions,
    report: &mut SearchReport,
) -> Vec<(Arc<Segment<M>>, usize)>
where
    M: Clone,
    Q: IntoRule<true> + IntoRule<false>,
{
    if dropout {
        scan_pool_with::<M, <Q as IntoRule<true>>::Rule>(panel, segments, &rules::<true, Q>(query), options, report)
    } else {
        scan_pool_with::<M, <Q as IntoRule<false>>::Rule>(panel, segments, &rules::<false, Q>(query), options, report)
    }
}

fn rules<const D: bool, Q: IntoRule<D>>(query: &[Q]) -> Vec<Q::Rule> {
    query.iter().map(IntoRule::<D>::rule).collect()
}

/// Whether every code of the first `width` columns is below 64 (see
/// [`kernel::Scan::small_codes`]).
pub(crate) fn small_codes(panel: &Panel, width: usize) -> bool {
    (0..width).all(|c| panel.alleles_at(c) < 64)
}

/// Compatible columns a record needs to survive: the query's comparable columns within
/// `width`, less the inconsistencies allowed.
pub(crate) fn need<R: Rule>(rules: &[R], width: usize, max_inconsistent: u32) -> u8 {
    let present = rules[..width].iter().filter(|r| !r.is_absent()).count() as u32;
    present.saturating_sub(max_inconsistent) as u8
}

fn scan_pool_with<M: Clone, R: Rule>(
    panel: &Panel,
    segments: &[Arc<Segment<M>>],
    rules: &[R],
    options: &SearchOptions,
    report: &mut SearchReport,
) -> Vec<(Arc<Segment<M>>, usize)> {
    let mut hits = Vec::new();
    let mut positions = Vec::new();
    for seg in segments {
        positions.clear();
        let width = seg.width();
        kernel::scan(
            Scan {
                lanes: seg.lanes(),
                query: &rules[..width],
                need: need(rules, width, options.max_inconsistent),
                len: seg.len(),
                base: 0,
                small_codes: small_codes(panel, width),
            },
            &mut positions,
        );
        report.scanned += seg.alive() as u64;
        for &p in &positions {
            if !seg.is_dead(p as usize) {
                hits.push((seg.clone(), p as usize));
            }
        }
    }
    report.survivors += hits.len() as u64;
    hits
}

/// A survivor with its exact score, before ranking.
struct Scored<H> {
    code: Arc<str>,
    score: Score,
    hit: H,
}

/// The combined index by the likelihood-ratio code, without per-locus details.
fn exact(kinship: Kinship<'_>, table: &FreqTable, params: &LrParams) -> Score {
    let c = lr::combined(kinship, table, params);
    Score { cpi: c.cpi, inconsistent_loci: c.inconsistent_loci, shared_loci: c.shared_loci }
}

/// Keeps candidates within the limits, orders them by combined index (then code, so the
/// order is total), fills in ranks and margins, and runs the full computation for the
/// reported ones only.
fn rank<H>(
    scored: Vec<Scored<H>>,
    options: &SearchOptions,
    mut full: impl FnMut(&H) -> (Option<[String; 2]>, KinshipResult),
) -> Vec<Candidate> {
    let mut kept: Vec<Scored<H>> = scored
        .into_iter()
        .filter(|s| s.score.inconsistent_loci <= options.max_inconsistent && s.score.cpi >= options.min_cpi)
        .collect();
    kept.sort_by(|a, b| b.score.cpi.total_cmp(&a.score.cpi).then_with(|| a.code.cmp(&b.code)));
    let next: Vec<Option<f64>> = (0..kept.len().min(options.top)).map(|i| kept.get(i + 1).map(|n| n.score.cpi)).collect();
    kept.truncate(options.top);
    kept.into_iter()
        .zip(next)
        .enumerate()
        .map(|(i, (s, next))| {
            let (members, r) = full(&s.hit);
            debug_assert_eq!(r.cpi.to_bits(), s.score.cpi.to_bits(), "memoised and full combined index differ");
            Candidate {
                rank: i + 1,
                code: s.code.to_string(),
                members,
                relation: r.relation,
                cpi: r.cpi,
                probability: r.probability,
                inconsistent_loci: r.inconsistent_loci,
                shared_loci: r.shared_loci,
                conclusion: r.conclusion,
                margin: next.map(|n| r.cpi / n),
                result: r,
            }
        })
        .collect()
}

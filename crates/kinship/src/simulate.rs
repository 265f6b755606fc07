//! Family simulation: how well database search finds true parents.
//!
//! Parents are real people: pairs drawn from the 1,036 NIST genotypes. Their child
//! inherits one allele from each by Mendelian transmission, with stepwise mutation at the
//! configured rate per meiosis, allele drop-out (a heterozygous locus shows one peak) and
//! missing loci. Each family registers the father alone (a duo search must find him) and
//! the couple (a trio search must find them together). They are mixed into `unrelated`
//! profiles drawn from the frequency table; pairs of those also form unrelated couples.
//! Every child is then searched, and the report says how often the true parent or couple
//! ranks first and how many unrelated candidates reach the support threshold.
//!
//! The NIST people are mostly not East Asian (African American, Caucasian, Hispanic,
//! 97 Asian) while the default table is East Asian: the likelihood ratios use the table's
//! frequencies, so a parent's alleles that are rare in the table make their match look
//! stronger than it would in a matching population. The report states this.

use std::collections::BTreeMap;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::allele::Allele;
use crate::conclusion::SUPPORT_THRESHOLD;
use crate::freq::FreqTable;
use crate::index::{Candidate, IndexError, KinshipIndex, SearchOptions};
use crate::locus::locus_key;
use crate::lr::LrParams;
use crate::profile::{Genotype, Profile, SampleCategory};

/// The NIST 1036 genotypes shipped with the product (public domain, Hill et al. 2013,
/// Steffen et al. 2017).
pub const NIST_1036: &str = include_str!("../../../data/str/nist1036-genotypes.csv");

/// The East Asian norSTR allele frequencies shipped with the product (MIT licence).
pub const EAST_ASIA_NORSTR: &str = include_str!("../../../data/str/east-asia-norstr-2023.txt");

/// Name under which the shipped East Asian table is cited.
pub const EAST_ASIA_NORSTR_NAME: &str = "norSTR East Asian 2023";

/// The shipped East Asian frequency table.
pub fn east_asia_table() -> FreqTable {
    FreqTable::load_norstr(EAST_ASIA_NORSTR, EAST_ASIA_NORSTR_NAME).expect("the shipped table is valid")
}

/// The 20 CODIS core loci, typed by every kit used in China and present in both shipped
/// data sets.
pub const CODIS_20: [&str; 20] = [
    "CSF1PO", "D3S1358", "D5S818", "D7S820", "D8S1179", "D13S317", "D16S539", "D18S51", "D21S11", "FGA", "TH01",
    "TPOX", "vWA", "D1S1656", "D2S441", "D2S1338", "D10S1248", "D12S391", "D19S433", "D22S1045",
];

/// One person of the seed genotype file.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedPerson {
    pub sample: String,
    pub population: String,
    /// Locus key → the two alleles.
    pub loci: BTreeMap<String, (Allele, Allele)>,
}

/// A problem in the seed genotype file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeedError {
    #[error("line 1: the header must start with Sample,Pop and continue with LOCUS.1,LOCUS.2 pairs")]
    Header,
    #[error("line 1: column {column:?}: {reason}")]
    Column { column: String, reason: String },
    #[error("line {line}: {fields} fields, the header has {expected}")]
    Width { line: usize, fields: usize, expected: usize },
    #[error("line {line}, column {column}: {reason}")]
    Allele { line: usize, column: String, reason: String },
    #[error("no genotypes in the file")]
    Empty,
}

/// Reads `Sample,Pop,LOCUS.1,LOCUS.2,…`; a locus with an empty allele is left out.
pub fn parse_seed_genotypes(text: &str) -> Result<Vec<SeedPerson>, SeedError> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or(SeedError::Empty)?;
    let columns: Vec<&str> = header.split(',').map(str::trim).collect();
    if columns.len() < 4 || !(columns.len() - 2).is_multiple_of(2) || !columns[0].eq_ignore_ascii_case("sample") {
        return Err(SeedError::Header);
    }
    let mut loci = Vec::new();
    for pair in columns[2..].chunks_exact(2) {
        let (Some(a), Some(b)) = (pair[0].strip_suffix(".1"), pair[1].strip_suffix(".2")) else {
            return Err(SeedError::Column { column: pair[0].to_owned(), reason: "expected LOCUS.1 then LOCUS.2".into() });
        };
        if a != b {
            return Err(SeedError::Column { column: pair[1].to_owned(), reason: format!("follows {}", pair[0]) });
        }
        let key = locus_key(a).map_err(|e| SeedError::Column { column: pair[0].to_owned(), reason: e.to_string() })?;
        loci.push(key.into_owned());
    }
    let mut people = Vec::new();
    for (index, line) in lines {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != columns.len() {
            return Err(SeedError::Width { line: index + 1, fields: fields.len(), expected: columns.len() });
        }
        let mut person = SeedPerson { sample: fields[0].to_owned(), population: fields[1].to_owned(), loci: BTreeMap::new() };
        for (l, locus) in loci.iter().enumerate() {
            let (a, b) = (fields[2 + 2 * l], fields[3 + 2 * l]);
            if a.is_empty() || b.is_empty() {
                continue;
            }
            let parse = |text: &str, col: usize| {
                text.parse::<Allele>().map_err(|e| SeedError::Allele {
                    line: index + 1,
                    column: columns[col].to_owned(),
                    reason: e.to_string(),
                })
            };
            person.loci.insert(locus.clone(), (parse(a, 2 + 2 * l)?, parse(b, 3 + 2 * l)?));
        }
        people.push(person);
    }
    if people.is_empty() {
        return Err(SeedError::Empty);
    }
    Ok(people)
}

/// What to simulate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulateOptions {
    pub families: usize,
    pub unrelated: usize,
    /// Loci typed (locus keys); the default is [`CODIS_20`].
    pub loci: Vec<String>,
    pub seed: u64,
    /// Probability that a heterozygous locus of a child shows only one allele.
    pub dropout: f64,
    /// Probability that a locus of a child is not typed.
    pub missing: f64,
    /// Mutation rates per meiosis used to make children (the LR uses `params`).
    pub mutation_paternal: f64,
    pub mutation_maternal: f64,
    pub search: SearchOptions,
}

impl SimulateOptions {
    pub fn new(families: usize, unrelated: usize) -> Self {
        let params = LrParams::default();
        SimulateOptions {
            families,
            unrelated,
            loci: CODIS_20.iter().map(|l| (*l).to_owned()).collect(),
            seed: 1,
            dropout: 0.01,
            missing: 0.01,
            mutation_paternal: params.mutation_paternal,
            mutation_maternal: params.mutation_maternal,
            // Every candidate is kept so that false ones above the threshold are counted.
            search: SearchOptions { top: usize::MAX, ..SearchOptions::default() },
        }
    }
}

/// Why a simulation could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimulateError {
    #[error("seed genotypes: {0}")]
    Seed(#[from] SeedError),
    #[error("locus {locus:?} is not in the seed genotypes")]
    LocusNotInSeed { locus: String },
    #[error("locus {locus:?} is not in the frequency table {table:?}, so unrelated profiles cannot be drawn there")]
    LocusNotInTable { locus: String, table: String },
    #[error("{field} = {value}: {reason}")]
    Option { field: &'static str, value: String, reason: &'static str },
    #[error("index: {0}")]
    Index(#[from] IndexError),
}

/// How one kind of search did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchOutcome {
    pub searches: usize,
    /// Searches whose first candidate is the true parent (duo) or couple (trio).
    pub rank1: usize,
    pub rank1_rate: f64,
    /// Searches where the truth was not among the candidates at all (more inconsistent
    /// loci than allowed, e.g. two mutations plus a drop-out).
    pub truth_missed: usize,
    /// Searches where the truth reached the support threshold.
    pub truth_supported: usize,
    /// Median log10 combined index of the truth, over searches that found it.
    pub truth_median_log10_cpi: f64,
    /// Unrelated candidates at or above the support threshold, over all searches.
    pub false_candidates: usize,
    /// Searches with at least one unrelated candidate at or above the threshold.
    pub searches_with_false_candidates: usize,
    /// Searches where an unrelated candidate outranked the truth.
    pub outranked_by_unrelated: usize,
    /// Unrelated candidates within the inconsistency limit, over all searches.
    pub unrelated_candidates: usize,
    /// Highest combined index of any unrelated candidate (0 when there was none).
    pub max_false_cpi: f64,
}

/// The whole simulation report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationReport {
    pub families: usize,
    pub unrelated: usize,
    pub unrelated_couples: usize,
    pub loci: Vec<String>,
    pub table: String,
    pub params: LrParams,
    pub options: SimulateOptions,
    pub support_threshold: f64,
    /// Founders (parents) who are real seed people, each used once.
    pub real_founders: usize,
    /// Founders assembled locus by locus from random seed people, once the real ones
    /// are used up (unrelated to each other and to everyone in practice).
    pub mosaic_founders: usize,
    /// Mutations, drop-outs and missing loci actually put into the children.
    pub child_mutations: usize,
    pub child_dropouts: usize,
    pub child_missing_loci: usize,
    pub duo: SearchOutcome,
    pub trio: SearchOutcome,
    pub build_seconds: f64,
    pub search_seconds: f64,
    pub note: String,
}

/// Draws alleles by a table's frequencies.
pub(crate) struct Sampler {
    /// Per locus: alleles with cumulative frequencies (normalised to 1).
    loci: Vec<(Vec<Allele>, Vec<f64>)>,
}

impl Sampler {
    pub(crate) fn new(table: &FreqTable, loci: &[String]) -> Result<Sampler, SimulateError> {
        let mut out = Vec::new();
        for locus in loci {
            let alleles: Vec<(Allele, f64)> = table.alleles(locus).collect();
            if alleles.is_empty() {
                return Err(SimulateError::LocusNotInTable { locus: locus.clone(), table: table.name.clone() });
            }
            let total: f64 = alleles.iter().map(|(_, f)| f).sum();
            let mut acc = 0.0;
            let cumulative = alleles.iter().map(|(_, f)| {
                acc += f / total;
                acc
            });
            out.push((alleles.iter().map(|(a, _)| *a).collect(), cumulative.collect()));
        }
        Ok(Sampler { loci: out })
    }

    pub(crate) fn draw(&self, locus: usize, rng: &mut StdRng) -> Allele {
        let (alleles, cumulative) = &self.loci[locus];
        let u: f64 = rng.r#gen();
        let i = cumulative.partition_point(|&c| c < u).min(alleles.len() - 1);
        alleles[i]
    }

    /// A profile of `loci` drawn from the table.
    pub(crate) fn profile(&self, loci: &[String], code: String, rng: &mut StdRng) -> Profile {
        let mut p = Profile { code, category: SampleCategory::ParentOfMissingChild, kit: None, loci: BTreeMap::new() };
        for (l, locus) in loci.iter().enumerate() {
            let g = Genotype::new(self.draw(l, rng), self.draw(l, rng));
            p.loci.insert(locus.clone(), g);
        }
        p
    }
}

/// Parents for the families. Every real seed person is used at most once, so that no
/// two families are related; after that, founders are mosaics: each locus's genotype
/// from a different random seed person.
struct Founders<'a> {
    order: Vec<&'a SeedPerson>,
    all: &'a [&'a SeedPerson],
    loci: &'a [String],
    real_used: usize,
    mosaics: usize,
}

impl<'a> Founders<'a> {
    fn new(all: &'a [&'a SeedPerson], loci: &'a [String], rng: &mut StdRng) -> Self {
        let mut order = all.to_vec();
        // Fisher–Yates, so that the families use the real people in random order.
        for i in (1..order.len()).rev() {
            order.swap(i, rng.gen_range(0..=i));
        }
        Founders { order, all, loci, real_used: 0, mosaics: 0 }
    }

    fn next(&mut self, rng: &mut StdRng) -> SeedPerson {
        if let Some(p) = self.order.pop() {
            self.real_used += 1;
            return p.clone();
        }
        self.mosaics += 1;
        let mut p = SeedPerson { sample: format!("mosaic-{}", self.mosaics), population: "mosaic".into(), loci: BTreeMap::new() };
        for l in self.loci {
            let source = self.all[rng.gen_range(0..self.all.len())];
            p.loci.insert(l.clone(), source.loci[l]);
        }
        p
    }
}

/// Counts of what went into the children.
#[derive(Default)]
struct Damage {
    mutations: usize,
    dropouts: usize,
    missing: usize,
}

/// One allele passed through a meiosis: the parent's allele, moved one repeat up or
/// down with probability `rate`.
fn transmit(allele: Allele, rate: f64, rng: &mut StdRng, damage: &mut Damage) -> Allele {
    if rate > 0.0
        && rng.r#gen::<f64>() < rate
        && let Some(t) = allele.tenths()
    {
        let moved = if t >= 20 && rng.r#gen::<bool>() { t - 10 } else { t + 10 };
        if let Some(m) = Allele::from_tenths(moved) {
            damage.mutations += 1;
            return m;
        }
    }
    allele
}

fn pick(pair: (Allele, Allele), rng: &mut StdRng) -> Allele {
    if rng.r#gen::<bool>() { pair.0 } else { pair.1 }
}

/// Runs the simulation. `params` is what the likelihood ratios use.
pub fn simulate(
    seed_people: &[SeedPerson],
    table: &FreqTable,
    params: &LrParams,
    options: &SimulateOptions,
) -> Result<SimulationReport, SimulateError> {
    let check = |field: &'static str, v: f64| {
        if (0.0..=1.0).contains(&v) {
            Ok(())
        } else {
            Err(SimulateError::Option { field, value: v.to_string(), reason: "must lie between 0 and 1" })
        }
    };
    check("dropout", options.dropout)?;
    check("missing", options.missing)?;
    check("mutation_paternal", options.mutation_paternal)?;
    check("mutation_maternal", options.mutation_maternal)?;
    if options.families == 0 {
        return Err(SimulateError::Option { field: "families", value: "0".into(), reason: "at least one family" });
    }
    let loci: Vec<String> = options
        .loci
        .iter()
        .map(|l| locus_key(l).map(|k| k.into_owned()).unwrap_or_else(|_| l.clone()))
        .collect();
    // Seed people typed at every chosen locus.
    for locus in &loci {
        if !seed_people.iter().any(|p| p.loci.contains_key(locus)) {
            return Err(SimulateError::LocusNotInSeed { locus: locus.clone() });
        }
    }
    let founders: Vec<&SeedPerson> =
        seed_people.iter().filter(|p| loci.iter().all(|l| p.loci.contains_key(l))).collect();
    if founders.len() < 2 {
        return Err(SimulateError::Option {
            field: "loci",
            value: loci.join(","),
            reason: "fewer than two seed people are typed at all of them",
        });
    }
    let sampler = Sampler::new(table, &loci)?;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut pool = Founders::new(&founders, &loci, &mut rng);
    let started = Instant::now();
    let index = KinshipIndex::new();
    let mut damage = Damage::default();

    let seed_profile = |p: &SeedPerson, code: String| {
        let mut out = Profile { code, category: SampleCategory::ParentOfMissingChild, kit: None, loci: BTreeMap::new() };
        for l in &loci {
            let (a, b) = p.loci[l];
            out.loci.insert(l.clone(), Genotype::new(a, b));
        }
        out
    };
    let mut children = Vec::with_capacity(options.families);
    for f in 0..options.families {
        let father_seed = &pool.next(&mut rng);
        let mother_seed = &pool.next(&mut rng);
        let father = seed_profile(father_seed, format!("F{f:06}"));
        let mother = seed_profile(mother_seed, format!("M{f:06}"));
        let mut child =
            Profile { code: format!("C{f:06}"), category: SampleCategory::RescuedChild, kit: None, loci: BTreeMap::new() };
        for l in &loci {
            let paternal = transmit(pick(father_seed.loci[l], &mut rng), options.mutation_paternal, &mut rng, &mut damage);
            let maternal = transmit(pick(mother_seed.loci[l], &mut rng), options.mutation_maternal, &mut rng, &mut damage);
            if rng.r#gen::<f64>() < options.missing {
                damage.missing += 1;
                continue;
            }
            let g = if paternal != maternal && rng.r#gen::<f64>() < options.dropout {
                damage.dropouts += 1;
                Genotype::Single(if rng.r#gen::<bool>() { paternal } else { maternal })
            } else {
                Genotype::new(paternal, maternal)
            };
            child.loci.insert(l.clone(), g);
        }
        index.add(&father)?;
        index.add_couple(&format!("FM{f:06}"), &mother, &father)?;
        children.push((child, father.code.clone(), format!("FM{f:06}")));
    }
    let mut previous: Option<Profile> = None;
    let mut unrelated_couples = 0;
    for u in 0..options.unrelated {
        let p = sampler.profile(&loci, format!("U{u:07}"), &mut rng);
        index.add(&p)?;
        match previous.take() {
            None => previous = Some(p),
            Some(mother) => {
                index.add_couple(&format!("UC{:07}", u / 2), &mother, &p)?;
                unrelated_couples += 1;
            }
        }
    }
    let build_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut duo = Tally::default();
    let mut trio = Tally::default();
    for (child, father, couple) in &children {
        let report = index.search(child, table, params, &options.search)?;
        duo.add(&report.parents, father);
        trio.add(&report.couples, couple);
    }
    let search_seconds = started.elapsed().as_secs_f64();
    let (real_founders, mosaic_founders) = (pool.real_used, pool.mosaics);
    drop(pool);
    Ok(SimulationReport {
        families: options.families,
        unrelated: options.unrelated,
        unrelated_couples,
        loci,
        table: table.name.clone(),
        params: params.clone(),
        options: options.clone(),
        support_threshold: SUPPORT_THRESHOLD,
        real_founders,
        mosaic_founders,
        child_mutations: damage.mutations,
        child_dropouts: damage.dropouts,
        child_missing_loci: damage.missing,
        duo: duo.finish(),
        trio: trio.finish(),
        build_seconds,
        search_seconds,
        note: format!(
            "families are built from NIST 1036 genotypes (US population groups, 97 of 1,036 Asian); likelihood ratios use the frequencies of {:?}, so alleles rare in that table make true matches look stronger than in a matching population",
            table.name
        ),
    })
}

#[derive(Default)]
struct Tally {
    searches: usize,
    rank1: usize,
    missed: usize,
    supported: usize,
    truth_log10: Vec<f64>,
    false_candidates: usize,
    with_false: usize,
    outranked: usize,
    unrelated: usize,
    max_false: f64,
}

impl Tally {
    fn add(&mut self, candidates: &[Candidate], truth: &str) {
        self.searches += 1;
        let position = candidates.iter().position(|c| c.code == truth);
        match position {
            Some(0) => self.rank1 += 1,
            Some(_) => self.outranked += 1,
            None => self.missed += 1,
        }
        if let Some(p) = position {
            let cpi = candidates[p].cpi;
            self.truth_log10.push(cpi.log10());
            if cpi >= SUPPORT_THRESHOLD {
                self.supported += 1;
            }
        }
        let false_hits = candidates.iter().filter(|c| c.code != truth && c.cpi >= SUPPORT_THRESHOLD).count();
        self.false_candidates += false_hits;
        self.with_false += usize::from(false_hits > 0);
        for c in candidates.iter().filter(|c| c.code != truth) {
            self.unrelated += 1;
            self.max_false = self.max_false.max(c.cpi);
        }
    }

    fn finish(mut self) -> SearchOutcome {
        self.truth_log10.sort_by(f64::total_cmp);
        let median = match self.truth_log10.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => self.truth_log10[n / 2],
            n => (self.truth_log10[n / 2 - 1] + self.truth_log10[n / 2]) / 2.0,
        };
        SearchOutcome {
            searches: self.searches,
            rank1: self.rank1,
            rank1_rate: self.rank1 as f64 / self.searches.max(1) as f64,
            truth_missed: self.missed,
            truth_supported: self.supported,
            truth_median_log10_cpi: median,
            false_candidates: self.false_candidates,
            searches_with_false_candidates: self.with_false,
            outranked_by_unrelated: self.outranked,
            unrelated_candidates: self.unrelated,
            max_false_cpi: self.max_false,
        }
    }
}

impl std::fmt::Display for SimulationReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "simulation: {} families, {} unrelated profiles ({} unrelated couples), {} loci, seed {}",
            self.families,
            self.unrelated,
            self.unrelated_couples,
            self.loci.len(),
            self.options.seed
        )?;
        writeln!(f, "loci: {}", self.loci.join(","))?;
        writeln!(
            f,
            "founders: {} real seed people (each once), {} assembled locus by locus from seed genotypes",
            self.real_founders, self.mosaic_founders
        )?;
        writeln!(
            f,
            "table: {}; theta {}; mutation {}/{} (LR); children: {} mutations, {} drop-outs, {} missing loci",
            self.table,
            self.params.theta,
            self.params.mutation_paternal,
            self.params.mutation_maternal,
            self.child_mutations,
            self.child_dropouts,
            self.child_missing_loci
        )?;
        writeln!(f, "note: {}", self.note)?;
        for (name, o) in [("duo (father alone)", &self.duo), ("trio (couple)", &self.trio)] {
            writeln!(
                f,
                "{name}: rank-1 {}/{} = {:.2}%; truth missed {}; outranked by unrelated {}; truth >= {} in {}; median log10 CPI of truth {:.1}",
                o.rank1,
                o.searches,
                100.0 * o.rank1_rate,
                o.truth_missed,
                o.outranked_by_unrelated,
                self.support_threshold,
                o.truth_supported,
                o.truth_median_log10_cpi
            )?;
            let highest = if o.unrelated_candidates == 0 { "none".to_owned() } else { format!("{:.3e}", o.max_false_cpi) };
            writeln!(
                f,
                "  false candidates >= {}: {} in total, in {} of {} searches ({:.3} per search); {} unrelated candidates within the inconsistency limit, highest CPI {highest}",
                self.support_threshold,
                o.false_candidates,
                o.searches_with_false_candidates,
                o.searches,
                o.false_candidates as f64 / o.searches.max(1) as f64,
                o.unrelated_candidates,
            )?;
        }
        write!(f, "build {:.1} s, searches {:.1} s", self.build_seconds, self.search_seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shipped_seed_genotypes() {
        let people = parse_seed_genotypes(NIST_1036).unwrap();
        assert_eq!(people.len(), 1036);
        assert!(people[0].loci.contains_key("Penta D"), "Penta_D maps to the canonical key");
        assert!(people.iter().filter(|p| p.population == "Asian").count() == 97);
        let full = people.iter().filter(|p| CODIS_20.iter().all(|l| p.loci.contains_key(*l))).count();
        assert!(full > 1000, "{full}");
    }

    #[test]
    fn a_small_simulation_finds_the_true_parents() {
        let people = parse_seed_genotypes(NIST_1036).unwrap();
        let table = east_asia_table();
        let mut options = SimulateOptions::new(30, 3000);
        options.seed = 3;
        let r = simulate(&people, &table, &LrParams::default(), &options).unwrap();
        assert_eq!((r.duo.searches, r.trio.searches), (30, 30));
        assert_eq!((r.real_founders, r.mosaic_founders), (60, 0));
        assert_eq!(r.unrelated_couples, 1500);
        // Twenty loci and a few thousand unrelated people: the couple is first every time
        // or nearly; the report's counts add up.
        assert!(r.trio.rank1 >= 28, "{r}");
        assert_eq!(r.duo.rank1 + r.duo.outranked_by_unrelated + r.duo.truth_missed, 30);
        assert!(r.note.contains("NIST") && r.note.contains(&table.name));
        let r = simulate(&people, &table, &LrParams::default(), &SimulateOptions::new(530, 0)).unwrap();
        assert_eq!(r.real_founders + r.mosaic_founders, 1060);
        assert!(r.mosaic_founders >= 1060 - people.len());
        assert!(r.real_founders <= people.len(), "a real person is a founder once at most");
    }

    #[test]
    fn bad_options_are_refused_by_name() {
        let people = parse_seed_genotypes(NIST_1036).unwrap();
        let table = east_asia_table();
        let mut o = SimulateOptions::new(1, 1);
        o.dropout = 1.5;
        let err = simulate(&people, &table, &LrParams::default(), &o).unwrap_err();
        assert!(err.to_string().contains("dropout"), "{err}");
        let mut o = SimulateOptions::new(1, 1);
        o.loci = vec!["D6S1043".into()];
        let err = simulate(&people, &table, &LrParams::default(), &o).unwrap_err();
        assert!(matches!(err, SimulateError::LocusNotInTable { .. }), "{err}");
    }

    #[test]
    fn seed_errors_name_the_line_and_column() {
        let err = parse_seed_genotypes("Sample,Pop,TPOX.1,TPOX.2\nA,AA,8,x9\n").unwrap_err();
        assert!(matches!(&err, SeedError::Allele { line: 2, column, .. } if column == "TPOX.2"), "{err}");
        let err = parse_seed_genotypes("Sample,Pop,TPOX.1,FGA.2\n").unwrap_err();
        assert!(matches!(err, SeedError::Column { .. }), "{err}");
        let err = parse_seed_genotypes("Sample,Pop,TPOX.1,TPOX.2\nA,AA,8\n").unwrap_err();
        assert_eq!(err, SeedError::Width { line: 2, fields: 3, expected: 4 });
    }
}

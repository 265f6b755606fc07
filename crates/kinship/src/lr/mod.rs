//! Kinship likelihood ratios.
//!
//! Every index is a ratio of two probabilities of the typed genotypes, one under the
//! stated relationship (H1) and one under "unrelated" (H2), computed per locus and
//! multiplied over the loci both persons have. All probabilities are built from one
//! rule, the Balding–Nichols sampling formula ([`theta`]): the alleles of untyped
//! founders are drawn conditioned on every founder allele already seen, jointly across
//! the typed persons, as R Familias does. With θ = 0 this is the product rule and every
//! index reduces to the textbook formula (Brenner's table for duos, obligate-allele
//! logic for trios).
//!
//! Mendelian inconsistencies are explained by stepwise mutation ([`mutation`]) and
//! counted; the conclusion follows [`crate::conclusion`].

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::conclusion::Conclusion;
use crate::profile::{Genotype, Sex};

/// Model parameters. Every result carries the parameters it was computed with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LrParams {
    /// Coancestry coefficient θ (F_ST), 0 ≤ θ < 0.5; 0.01–0.03 typical.
    pub theta: f64,
    /// Mutation rate per paternal meiosis.
    pub mutation_paternal: f64,
    /// Mutation rate per maternal meiosis.
    pub mutation_maternal: f64,
    /// Rates for particular loci (by locus key), replacing the two above.
    pub per_locus_mutation: BTreeMap<String, MutationRates>,
    /// Factor applied to the rate for a change that is not a whole number of repeats
    /// (`9.3` → `10`): such changes are not stepwise, so they are much rarer.
    pub non_integer_factor: f64,
    /// Read a single allele as a heterozygote whose second allele dropped out (any
    /// allele, including the same one) instead of a homozygote.
    pub single_as_dropout: bool,
    /// Sex of the alleged parent in duo and trio cases, to choose the mutation rate;
    /// when unset, Amelogenin decides, and failing that the paternal rate is used.
    pub alleged_sex: Option<Sex>,
}

/// Paternal and maternal mutation rates of one locus.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MutationRates {
    pub paternal: f64,
    pub maternal: f64,
}

impl Default for LrParams {
    fn default() -> Self {
        LrParams {
            theta: 0.0,
            mutation_paternal: 0.002,
            mutation_maternal: 0.0005,
            per_locus_mutation: BTreeMap::new(),
            non_integer_factor: 0.01,
            single_as_dropout: false,
            alleged_sex: None,
        }
    }
}

impl LrParams {
    /// Checks every parameter's range.
    pub fn validate(&self) -> Result<(), ParamError> {
        if !(0.0..0.5).contains(&self.theta) {
            return Err(ParamError { field: "theta".into(), reason: format!("{} is outside [0, 0.5)", self.theta) });
        }
        let rate = |field: String, v: f64| {
            if (0.0..1.0).contains(&v) { Ok(()) } else { Err(ParamError { field, reason: format!("{v} is outside [0, 1)") }) }
        };
        rate("mutation_paternal".into(), self.mutation_paternal)?;
        rate("mutation_maternal".into(), self.mutation_maternal)?;
        rate("non_integer_factor".into(), self.non_integer_factor)?;
        for (locus, r) in &self.per_locus_mutation {
            match crate::locus::locus_key(locus) {
                Ok(key) if key == locus.as_str() => {}
                Ok(key) => {
                    return Err(ParamError {
                        field: format!("per_locus_mutation.{locus}"),
                        reason: format!("loci are keyed by their canonical name: use {key:?}"),
                    });
                }
                Err(e) => return Err(ParamError { field: format!("per_locus_mutation.{locus}"), reason: e.to_string() }),
            }
            rate(format!("per_locus_mutation.{locus}.paternal"), r.paternal)?;
            rate(format!("per_locus_mutation.{locus}.maternal"), r.maternal)?;
        }
        Ok(())
    }

    /// Sets the mutation rates of one locus, given by any spelling of its name.
    pub fn set_locus_rates(&mut self, locus: &str, rates: MutationRates) -> Result<(), ParamError> {
        let key = crate::locus::locus_key(locus)
            .map_err(|e| ParamError { field: "per_locus_mutation".into(), reason: e.to_string() })?;
        self.per_locus_mutation.insert(key.into_owned(), rates);
        self.validate()
    }

    /// The mutation rate of one meiosis at a locus.
    pub fn mutation_rate(&self, locus: &str, parent: Sex) -> f64 {
        match (self.per_locus_mutation.get(locus), parent) {
            (Some(r), Sex::Male) => r.paternal,
            (Some(r), Sex::Female) => r.maternal,
            (None, Sex::Male) => self.mutation_paternal,
            (None, Sex::Female) => self.mutation_maternal,
        }
    }
}

/// A parameter out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parameter {field}: {reason}")]
pub struct ParamError {
    pub field: String,
    pub reason: String,
}

/// The relationship a likelihood ratio tests against "unrelated".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// One alleged parent and the child.
    Duo,
    /// One alleged parent, the child, and the child's known other parent.
    Trio,
    /// Both parents alleged together (a couple registered as the parents of a missing
    /// child) against an unrelated child.
    Couple,
    /// Full siblings (IBD k0, k1, k2 = ¼, ½, ¼).
    FullSib,
    /// Half siblings, grandparent–grandchild, or uncle/aunt–nephew/niece (½, ½, 0).
    HalfSib,
}

impl Relation {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Duo => "duo",
            Self::Trio => "trio",
            Self::Couple => "couple",
            Self::FullSib => "fullsib",
            Self::HalfSib => "halfsib",
        }
    }
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Relation {
    type Err = ParamError;

    /// `duo`, `trio`, `couple`, `fullsib`, `halfsib` (also `full_sib`, `half-sib`, …).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace(['_', '-', ' '], "");
        Ok(match key.as_str() {
            "duo" => Self::Duo,
            "trio" => Self::Trio,
            "couple" => Self::Couple,
            "fullsib" => Self::FullSib,
            "halfsib" => Self::HalfSib,
            _ => {
                return Err(ParamError {
                    field: "relation".into(),
                    reason: format!("{s:?} is not one of duo, trio, couple, fullsib, halfsib"),
                });
            }
        })
    }
}

/// The part a person plays in a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Child,
    AllegedParent,
    /// The child's undisputed other parent in a trio.
    KnownParent,
    /// The alleged mother of a couple.
    Mother,
    /// The alleged father of a couple.
    Father,
    /// First person of a sibling comparison.
    First,
    /// Second person of a sibling comparison.
    Second,
}

/// A person in a comparison, by sample code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub role: Role,
    pub code: String,
}

/// One person's genotype at a locus, as shown in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TypedGenotype {
    pub role: Role,
    pub genotype: Genotype,
}

/// How a Mendelian inconsistency was explained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MutationUse {
    /// Mutations assumed under the stated relationship (1 in almost every case).
    pub mutations: u32,
    /// Repeat steps of the assumed mutations, summed; a non-integer change counts as its
    /// repeat distance rounded up.
    pub steps: u32,
    /// Whether a non-integer (non-stepwise) change was needed.
    pub non_integer: bool,
}

/// The index of one locus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocusResult {
    pub locus: String,
    pub genotypes: Vec<TypedGenotype>,
    /// The likelihood ratio at this locus (PI for parentage, SI for siblings).
    pub index: f64,
    /// False when the stated relationship needs more mutations than "unrelated" does —
    /// an apparent exclusion at this locus.
    pub consistent: bool,
    pub mutation: Option<MutationUse>,
    /// What a reader must know: mutation assumed, minimum frequency used, …
    pub note: Option<String>,
}

/// Why a locus did not enter the combined index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Amelogenin and Y markers carry no autosomal kinship evidence.
    SexMarker,
    /// Not typed in every person compared.
    NotTypedInAll,
    /// An `OL` (off-ladder) allele: not guessed.
    OffLadder,
    /// The frequency table has no such locus.
    NotInTable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedLocus {
    pub locus: String,
    pub reason: SkipReason,
}

/// A complete kinship comparison, with everything a report shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KinshipResult {
    pub relation: Relation,
    pub persons: Vec<Person>,
    /// Combined index: the product of the per-locus indices.
    pub cpi: f64,
    /// Probability of the relationship at prior ½: CPI / (CPI + 1).
    pub probability: f64,
    pub inconsistent_loci: u32,
    /// Loci that entered the combined index.
    pub shared_loci: u32,
    pub conclusion: Conclusion,
    /// Next step for an inconclusive result.
    pub advice: Option<String>,
    pub loci: Vec<LocusResult>,
    pub skipped: Vec<SkippedLocus>,
    /// Name of the frequency table used.
    pub table: String,
    /// Minimum allele frequency applied.
    pub min_freq: f64,
    pub params: LrParams,
}

pub(crate) mod couple;
pub(crate) mod duo;
pub mod mutation;
pub(crate) mod siblings;
pub mod theta;
pub(crate) mod trio;


use crate::conclusion::conclude;
use crate::freq::{FreqSource, FreqTable};
use crate::locus::is_sex_marker;
use crate::profile::Profile;
use mutation::{Acc, Meiosis, Term};
use theta::{Frame, MAX_SYMBOLS, Urn};

/// The ordered ways a child genotype splits into (allele from the first parent, allele
/// from the second).
pub(crate) fn splits(child: (usize, usize)) -> impl Iterator<Item = (usize, usize)> {
    let (a, b) = child;
    let second = if a == b { None } else { Some((b, a)) };
    std::iter::once((a, b)).chain(second)
}

/// A person's genotype at a locus in frame symbols: known, or one shown allele plus any
/// allele (the drop-out model of a single peak).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Candidates {
    Fixed(usize, usize),
    ShownPlusAny(usize),
}

impl Candidates {
    fn len(self, frame: &Frame) -> usize {
        match self {
            Candidates::Fixed(..) => 1,
            Candidates::ShownPlusAny(_) => frame.n,
        }
    }

    fn get(self, i: usize) -> (usize, usize) {
        match self {
            Candidates::Fixed(a, b) => (a, b),
            Candidates::ShownPlusAny(a) => (a, i),
        }
    }
}

/// The structure of a comparison: who are the typed founders, and how the dependent
/// person (child, second sibling) relates to them under H1.
#[derive(Debug, Clone, Copy)]
enum Model {
    Duo { alleged: Meiosis },
    Trio { alleged: Meiosis, known: Meiosis },
    Couple { father: Meiosis, mother: Meiosis },
    Siblings(siblings::Ibd),
}

/// P(data | H1) and P(data | H2) at one locus. `founders` are the typed persons drawn
/// first (alleged parent(s), known parent, first sibling), `dependent` the child or
/// second sibling. Founder genotype probabilities are included, so that drop-out
/// candidates are weighed correctly; they cancel otherwise.
fn likelihoods(model: Model, frame: &Frame, founders: &[Candidates], dependent: Candidates, theta: f64) -> (Acc, Acc) {
    let mut h1 = Acc::default();
    let mut h2 = Acc::default();
    let mut chosen = [(0usize, 0usize); 2];
    walk_founders(frame, founders, 0, Urn::new(theta), 1.0, &mut chosen, &mut |chosen, urn, weight| {
        for i in 0..dependent.len(frame) {
            let child = dependent.get(i);
            let (r, u) = match model {
                Model::Duo { alleged } => {
                    (duo::related(frame, urn, chosen[0], child, alleged), duo::unrelated(frame, urn, child))
                }
                Model::Trio { alleged, known } => (
                    trio::related(frame, chosen[0], chosen[1], child, alleged, known),
                    trio::unrelated(frame, urn, chosen[1], child, known),
                ),
                Model::Couple { father, mother } => {
                    (couple::related(frame, chosen[0], chosen[1], child, father, mother), duo::unrelated(frame, urn, child))
                }
                Model::Siblings(ibd) => {
                    let mut r = Acc::default();
                    r.add(Term::mendelian(siblings::related(frame, urn, chosen[0], child, ibd)));
                    (r, duo::unrelated(frame, urn, child))
                }
            };
            h1.merge(r.scaled(weight));
            h2.merge(u.scaled(weight));
        }
    });
    (h1, h2)
}

fn walk_founders(
    frame: &Frame,
    founders: &[Candidates],
    index: usize,
    urn: Urn,
    weight: f64,
    chosen: &mut [(usize, usize); 2],
    visit: &mut impl FnMut(&[(usize, usize); 2], &Urn, f64),
) {
    let Some(&candidates) = founders.get(index) else {
        visit(chosen, &urn, weight);
        return;
    };
    for i in 0..candidates.len(frame) {
        let g = candidates.get(i);
        let mut next = urn;
        let p = next.draw_genotype(frame, g.0, g.1);
        chosen[index] = g;
        walk_founders(frame, founders, index + 1, next, weight * p, chosen, visit);
    }
}

/// Picks the alleged parent's sex for the mutation rate: parameter, then Amelogenin,
/// then paternal (said so in the notes).
fn alleged_sex(params: &LrParams, alleged: &Profile) -> (Sex, Option<&'static str>) {
    match (params.alleged_sex, alleged.sex()) {
        (Some(sex), _) | (None, Some(sex)) => (sex, None),
        (None, None) => (Sex::Male, Some("alleged parent's sex unknown: paternal rate used")),
    }
}

const fn other_sex(sex: Sex) -> Sex {
    match sex {
        Sex::Male => Sex::Female,
        Sex::Female => Sex::Male,
    }
}

const fn rate_name(sex: Sex) -> &'static str {
    match sex {
        Sex::Male => "paternal",
        Sex::Female => "maternal",
    }
}

/// The persons of a comparison, by role.
#[derive(Debug, Clone, Copy)]
pub enum Kinship<'a> {
    Duo { child: &'a Profile, parent: &'a Profile },
    /// `known` is the child's undisputed other parent.
    Trio { child: &'a Profile, alleged: &'a Profile, known: &'a Profile },
    Couple { child: &'a Profile, mother: &'a Profile, father: &'a Profile },
    FullSib(&'a Profile, &'a Profile),
    /// Also grandparent–grandchild and uncle/aunt–nephew/niece.
    HalfSib(&'a Profile, &'a Profile),
}

/// The combined index alone, without per-locus details: for ranking many candidates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Combined {
    pub cpi: f64,
    pub inconsistent_loci: u32,
    pub shared_loci: u32,
}

/// Persons with their roles (founders first, the dependent person last) and the sex of
/// each parent position (for mutation rates).
struct Setup<'a> {
    relation: Relation,
    persons: [(Role, &'a Profile); 3],
    count: usize,
    parent_sexes: [Option<Sex>; 2],
    sex_note: Option<&'static str>,
}

impl<'a> Setup<'a> {
    fn new(kinship: Kinship<'a>, params: &LrParams) -> Setup<'a> {
        let (relation, persons, count, parent_sexes, sex_note) = match kinship {
            Kinship::Duo { child, parent } => {
                let (sex, note) = alleged_sex(params, parent);
                let persons = [(Role::AllegedParent, parent), (Role::Child, child), (Role::Child, child)];
                (Relation::Duo, persons, 2, [Some(sex), None], note)
            }
            Kinship::Trio { child, alleged, known } => {
                let (sex, note) = alleged_sex(params, alleged);
                let persons = [(Role::AllegedParent, alleged), (Role::KnownParent, known), (Role::Child, child)];
                (Relation::Trio, persons, 3, [Some(sex), Some(other_sex(sex))], note)
            }
            Kinship::Couple { child, mother, father } => {
                let persons = [(Role::Father, father), (Role::Mother, mother), (Role::Child, child)];
                (Relation::Couple, persons, 3, [Some(Sex::Male), Some(Sex::Female)], None)
            }
            Kinship::FullSib(a, b) => {
                (Relation::FullSib, [(Role::First, a), (Role::Second, b), (Role::Second, b)], 2, [None, None], None)
            }
            Kinship::HalfSib(a, b) => {
                (Relation::HalfSib, [(Role::First, a), (Role::Second, b), (Role::Second, b)], 2, [None, None], None)
            }
        };
        Setup { relation, persons, count, parent_sexes, sex_note }
    }

    fn persons(&self) -> &[(Role, &'a Profile)] {
        &self.persons[..self.count]
    }
}

/// What happens to one locus.
// Lives on the stack for one locus at a time; boxing the large variant would allocate
// per locus.
#[allow(clippy::large_enum_variant)]
enum LocusOutcome {
    Skipped(SkipReason),
    Computed(LocusCore),
}

/// Visits every locus typed in any of the persons, in key order, with each person's
/// genotype there. The profiles' loci are sorted maps, so this is a merge.
fn each_locus<'p>(persons: &[(Role, &'p Profile)], mut visit: impl FnMut(&'p str, &[Option<Genotype>])) {
    let mut iters: [Option<std::collections::btree_map::Iter<'p, String, Genotype>>; 3] = [None, None, None];
    let mut heads: [Option<(&'p String, &'p Genotype)>; 3] = [None; 3];
    for (i, (_, p)) in persons.iter().enumerate() {
        let mut it = p.loci.iter();
        heads[i] = it.next();
        iters[i] = Some(it);
    }
    let n = persons.len();
    loop {
        let Some(locus) = heads[..n].iter().flatten().map(|(k, _)| *k).min() else { return };
        let mut genotypes = [None; 3];
        for i in 0..n {
            if let Some((k, g)) = heads[i] {
                if k == locus {
                    genotypes[i] = Some(*g);
                    heads[i] = iters[i].as_mut().and_then(Iterator::next);
                }
            }
        }
        visit(locus.as_str(), &genotypes[..n]);
    }
}

fn outcome(setup: &Setup<'_>, locus: &str, genotypes: &[Option<Genotype>], table: &FreqTable, params: &LrParams) -> LocusOutcome {
    if is_sex_marker(locus) {
        return LocusOutcome::Skipped(SkipReason::SexMarker);
    }
    let mut typed = [Genotype::Single(crate::Allele::OFF_LADDER); 3];
    for (slot, g) in typed.iter_mut().zip(genotypes) {
        match g {
            Some(g) => *slot = *g,
            None => return LocusOutcome::Skipped(SkipReason::NotTypedInAll),
        }
    }
    let typed = &typed[..genotypes.len()];
    if typed.iter().any(|g| {
        let (a, b) = g.alleles();
        !a.is_repeat() || b.is_some_and(|b| !b.is_repeat())
    }) {
        return LocusOutcome::Skipped(SkipReason::OffLadder);
    }
    let Some(freqs) = table.locus_alleles(locus) else {
        return LocusOutcome::Skipped(SkipReason::NotInTable);
    };
    LocusOutcome::Computed(locus_core(setup, locus, typed, freqs, table, params))
}

/// Everything computed at one locus, without allocation.
struct LocusCore {
    genotypes: [Genotype; 3],
    frame: Frame,
    sources: [FreqSource; MAX_SYMBOLS],
    dropout: bool,
    any_single: bool,
    h1: Acc,
    h2: Acc,
    index: f64,
    consistent: bool,
}

fn locus_core(
    setup: &Setup<'_>,
    locus: &str,
    genotypes: &[Genotype],
    freqs: &[(crate::Allele, f64)],
    table: &FreqTable,
    params: &LrParams,
) -> LocusCore {
    let mut frame = Frame::new();
    let mut sources = [FreqSource::Table; MAX_SYMBOLS];
    let mut symbol = |frame: &mut Frame, allele: crate::Allele| {
        let before = frame.n;
        let mut source = FreqSource::Table;
        let s = frame.symbol(allele, || {
            let l = table.lookup_in_slice(Some(freqs), allele);
            source = l.source;
            l.value
        });
        if frame.n > before {
            sources[s] = source;
        }
        s
    };
    let any_single = genotypes.iter().any(|g| matches!(g, Genotype::Single(_)));
    let dropout = params.single_as_dropout && any_single;
    let mut shown = [(0usize, None::<usize>); 3];
    for (i, g) in genotypes.iter().enumerate() {
        let (a, b) = g.alleles();
        shown[i] = (symbol(&mut frame, a), b.map(|b| symbol(&mut frame, b)));
    }
    if dropout {
        frame.add_other();
    }
    let mut candidates = [Candidates::Fixed(0, 0); 3];
    for (slot, (a, b)) in candidates.iter_mut().zip(shown.iter().take(genotypes.len())) {
        *slot = match (b, dropout) {
            (Some(b), _) => Candidates::Fixed(*a, *b),
            (None, false) => Candidates::Fixed(*a, *a),
            (None, true) => Candidates::ShownPlusAny(*a),
        };
    }
    let meiosis = |position: usize| {
        let sex = setup.parent_sexes[position].unwrap_or(Sex::Male);
        Meiosis {
            mu: params.mutation_rate(locus, sex),
            non_integer_factor: params.non_integer_factor,
            parent_bit: 1 << position,
        }
    };
    let n = genotypes.len();
    let (model, founders) = match setup.relation {
        Relation::Duo => (Model::Duo { alleged: meiosis(0) }, &candidates[..1]),
        Relation::Trio => (Model::Trio { alleged: meiosis(0), known: meiosis(1) }, &candidates[..2]),
        Relation::Couple => (Model::Couple { father: meiosis(0), mother: meiosis(1) }, &candidates[..2]),
        Relation::FullSib => (Model::Siblings(siblings::FULL), &candidates[..1]),
        Relation::HalfSib => (Model::Siblings(siblings::HALF), &candidates[..1]),
    };
    let (h1, h2) = likelihoods(model, &frame, founders, candidates[n - 1], params.theta);
    let (index, consistent) = match (h1.best, h2.best) {
        (Some(a), Some(b)) => (a.value / b.value, a.mutations <= b.mutations),
        (None, Some(_)) => (0.0, false),
        (_, None) => (1.0, true),
    };
    let mut all = [Genotype::Single(crate::Allele::OFF_LADDER); 3];
    all[..n].copy_from_slice(genotypes);
    LocusCore { genotypes: all, frame, sources, dropout, any_single, h1, h2, index, consistent }
}

/// The per-locus report: genotypes, index, and the notes a reader must see.
fn locus_result(setup: &Setup<'_>, locus: &str, core: &LocusCore, table: &FreqTable, params: &LrParams) -> LocusResult {
    let mut notes: Vec<String> = Vec::new();
    let frame = &core.frame;
    for (allele, source) in frame.alleles[..frame.n].iter().zip(&core.sources) {
        let Some(allele) = allele else { continue };
        match *source {
            FreqSource::Table => {}
            FreqSource::Absent => notes.push(format!(
                "allele {allele} not in table {}: minimum frequency {} used",
                table.name, table.min_freq
            )),
            FreqSource::RaisedToMinimum { table_value } => notes.push(format!(
                "allele {allele} frequency {table_value} below the minimum: {} used",
                table.min_freq
            )),
        }
    }
    if core.any_single {
        notes.push(if core.dropout {
            "single allele read as that allele plus any allele (drop-out)".to_owned()
        } else {
            "single allele read as homozygous".to_owned()
        });
    }
    match (core.h1.best, core.h2.best) {
        (None, Some(_)) => notes.push("no explanation under the stated relationship, even with mutation".to_owned()),
        (_, None) => notes.push("no explanation under either hypothesis: locus carries no evidence".to_owned()),
        _ => {}
    }
    let persons = setup.persons();
    let mutation = core.h1.best.filter(|t| t.mutations > 0);
    if let Some(t) = mutation {
        let mut who = Vec::new();
        for (position, (role, _)) in persons.iter().enumerate().take(2) {
            if t.parents & (1 << position) != 0 {
                let sex = setup.parent_sexes[position].unwrap_or(Sex::Male);
                let rate = params.mutation_rate(locus, sex);
                who.push(format!("{} ({} rate {rate})", role_name(*role), rate_name(sex)));
            }
        }
        let kind = if t.non_integer {
            format!("{} repeat step(s), not a whole number of repeats: rate × {}", t.steps, params.non_integer_factor)
        } else {
            format!("{} repeat step(s)", t.steps)
        };
        notes.push(format!("mutation assumed in {}: {kind}", who.join(" and ")));
        if position_is_alleged(setup.relation, t.parents) {
            if let Some(s) = setup.sex_note {
                notes.push(s.to_owned());
            }
        }
    }
    if matches!(setup.relation, Relation::Trio) && core.h2.best.is_some_and(|t| t.mutations > 0) {
        notes.push("known parent and child share no allele: known parent mutation assumed in both hypotheses".to_owned());
    }
    LocusResult {
        locus: locus.to_owned(),
        genotypes: persons
            .iter()
            .zip(&core.genotypes)
            .map(|((role, _), g)| TypedGenotype { role: *role, genotype: *g })
            .collect(),
        index: core.index,
        consistent: core.consistent,
        mutation: mutation.map(|t| MutationUse { mutations: t.mutations, steps: t.steps, non_integer: t.non_integer }),
        note: if notes.is_empty() { None } else { Some(notes.join("; ")) },
    }
}

fn position_is_alleged(relation: Relation, parents: u8) -> bool {
    matches!(relation, Relation::Duo | Relation::Trio) && parents & 1 != 0
}

const fn role_name(role: Role) -> &'static str {
    match role {
        Role::Child => "child",
        Role::AllegedParent => "alleged parent",
        Role::KnownParent => "known parent",
        Role::Mother => "mother",
        Role::Father => "father",
        Role::First => "first person",
        Role::Second => "second person",
    }
}

/// A full comparison with per-locus details, skipped loci and the conclusion.
///
/// `params` should have passed [`LrParams::validate`]; out-of-range values give
/// meaningless numbers, not errors.
pub fn compare(kinship: Kinship<'_>, table: &FreqTable, params: &LrParams) -> KinshipResult {
    let setup = Setup::new(kinship, params);
    let mut loci = Vec::new();
    let mut skipped = Vec::new();
    let mut cpi = 1.0;
    let mut inconsistent = 0u32;
    each_locus(setup.persons(), |locus, genotypes| match outcome(&setup, locus, genotypes, table, params) {
        LocusOutcome::Skipped(reason) => skipped.push(SkippedLocus { locus: locus.to_owned(), reason }),
        LocusOutcome::Computed(core) => {
            cpi *= core.index;
            inconsistent += u32::from(!core.consistent);
            loci.push(locus_result(&setup, locus, &core, table, params));
        }
    });
    let relation = setup.relation;
    let conclusion = conclude(relation, cpi, inconsistent);
    KinshipResult {
        relation,
        persons: setup.persons().iter().map(|(role, p)| Person { role: *role, code: p.code.clone() }).collect(),
        cpi,
        probability: cpi / (cpi + 1.0),
        inconsistent_loci: inconsistent,
        shared_loci: loci.len() as u32,
        conclusion,
        advice: conclusion.advice(relation).map(str::to_owned),
        loci,
        skipped,
        table: table.name.clone(),
        min_freq: table.min_freq,
        params: params.clone(),
    }
}

/// The combined index of a comparison without building the per-locus report; the same
/// numbers as [`compare`], without allocation.
pub fn combined(kinship: Kinship<'_>, table: &FreqTable, params: &LrParams) -> Combined {
    let setup = Setup::new(kinship, params);
    let mut out = Combined { cpi: 1.0, inconsistent_loci: 0, shared_loci: 0 };
    each_locus(setup.persons(), |locus, genotypes| {
        if let LocusOutcome::Computed(core) = outcome(&setup, locus, genotypes, table, params) {
            out.cpi *= core.index;
            out.inconsistent_loci += u32::from(!core.consistent);
            out.shared_loci += 1;
        }
    });
    out
}

/// Duo: one alleged parent and the child.
pub fn duo(child: &Profile, parent: &Profile, table: &FreqTable, params: &LrParams) -> KinshipResult {
    compare(Kinship::Duo { child, parent }, table, params)
}

/// Trio: the alleged parent, and the child's known other parent (mother or father; the
/// known parent is taken to be of the other sex than the alleged one).
pub fn trio(child: &Profile, alleged: &Profile, known: &Profile, table: &FreqTable, params: &LrParams) -> KinshipResult {
    compare(Kinship::Trio { child, alleged, known }, table, params)
}

/// Couple: a mother and a father alleged together, against an unrelated child.
pub fn couple(child: &Profile, mother: &Profile, father: &Profile, table: &FreqTable, params: &LrParams) -> KinshipResult {
    compare(Kinship::Couple { child, mother, father }, table, params)
}

/// Full siblings (k = ¼, ½, ¼).
pub fn full_sib(a: &Profile, b: &Profile, table: &FreqTable, params: &LrParams) -> KinshipResult {
    compare(Kinship::FullSib(a, b), table, params)
}

/// Half siblings; the same index serves grandparent–grandchild and uncle/aunt–nephew/niece
/// (k = ½, ½, 0).
pub fn half_sib(a: &Profile, b: &Profile, table: &FreqTable, params: &LrParams) -> KinshipResult {
    compare(Kinship::HalfSib(a, b), table, params)
}

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
            rate(format!("per_locus_mutation.{locus}.paternal"), r.paternal)?;
            rate(format!("per_locus_mutation.{locus}.maternal"), r.maternal)?;
        }
        Ok(())
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

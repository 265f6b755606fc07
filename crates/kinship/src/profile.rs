//! STR profiles: a sample code, its category, and one genotype per typed locus.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::allele::{Allele, AlleleError};
use crate::locus::{LocusError, locus_key};

/// Who a sample comes from. Searches compare the parent side against the child side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SampleCategory {
    /// A parent whose child is missing (寻亲父母).
    ParentOfMissingChild,
    /// A child rescued from traffickers (被解救儿童).
    RescuedChild,
    /// A child whose origin is unknown (来历不明儿童).
    ChildOfUnknownOrigin,
    /// A street or begging child (流浪乞讨儿童).
    StreetChild,
    /// Another relative of a missing child (sibling, grandparent, aunt or uncle).
    Relative,
    /// A reference sample (proficiency test, known person).
    Reference,
}

impl SampleCategory {
    pub const ALL: [SampleCategory; 6] = [
        Self::ParentOfMissingChild,
        Self::RescuedChild,
        Self::ChildOfUnknownOrigin,
        Self::StreetChild,
        Self::Relative,
        Self::Reference,
    ];

    /// The snake_case name used in files, JSON and on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ParentOfMissingChild => "parent_of_missing_child",
            Self::RescuedChild => "rescued_child",
            Self::ChildOfUnknownOrigin => "child_of_unknown_origin",
            Self::StreetChild => "street_child",
            Self::Relative => "relative",
            Self::Reference => "reference",
        }
    }

    /// Samples searched for their parents (the "child side").
    pub const fn is_child(self) -> bool {
        matches!(self, Self::RescuedChild | Self::ChildOfUnknownOrigin | Self::StreetChild)
    }

    /// Samples that look for a child (the "family side").
    pub const fn is_family(self) -> bool {
        matches!(self, Self::ParentOfMissingChild | Self::Relative)
    }
}

impl fmt::Display for SampleCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SampleCategory {
    type Err = ProfileError;

    /// Accepts the snake_case names, with `-` or spaces for `_`, and the short forms
    /// `parent`, `rescued`, `unknown_origin`, `street`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        let category = match key.as_str() {
            "parent_of_missing_child" | "parent" => Self::ParentOfMissingChild,
            "rescued_child" | "rescued" => Self::RescuedChild,
            "child_of_unknown_origin" | "unknown_origin" => Self::ChildOfUnknownOrigin,
            "street_child" | "street" => Self::StreetChild,
            "relative" => Self::Relative,
            "reference" => Self::Reference,
            _ => return Err(ProfileError::Category { input: s.trim().to_owned() }),
        };
        Ok(category)
    }
}

/// Sex read from Amelogenin, used to pick the paternal or maternal mutation rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

/// The alleles seen at one locus.
///
/// `Two(a, b)` always has `a <= b` when built through [`Genotype::new`] or
/// [`Genotype::from_alleles`]; `Two(a, a)` is a homozygote the analyst wrote out twice.
/// `Single(a)` is one peak: a homozygote *or* a heterozygote whose second allele dropped
/// out. The likelihood-ratio model decides which (see `LrParams::single_as_dropout`);
/// by default it is read as homozygous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Genotype {
    Two(Allele, Allele),
    Single(Allele),
}

impl Genotype {
    /// Two alleles in sorted order.
    pub fn new(a: Allele, b: Allele) -> Genotype {
        if a <= b { Genotype::Two(a, b) } else { Genotype::Two(b, a) }
    }

    /// One or two alleles as typed; more than two is a mixture and refused.
    pub fn from_alleles(alleles: &[Allele]) -> Result<Genotype, GenotypeError> {
        match *alleles {
            [] => Err(GenotypeError::Empty),
            [a] => Ok(Genotype::Single(a)),
            [a, b] => Ok(Genotype::new(a, b)),
            _ => Err(GenotypeError::TooMany { count: alleles.len() }),
        }
    }

    /// The first (smaller) allele and the second when there are two.
    pub fn alleles(&self) -> (Allele, Option<Allele>) {
        match *self {
            Genotype::Two(a, b) => (a, Some(b)),
            Genotype::Single(a) => (a, None),
        }
    }

    /// The same genotype with alleles in sorted order (a no-op for genotypes built
    /// through the constructors).
    pub fn normalized(self) -> Genotype {
        match self {
            Genotype::Two(a, b) => Genotype::new(a, b),
            single => single,
        }
    }

    pub fn contains(&self, allele: Allele) -> bool {
        match *self {
            Genotype::Two(a, b) => a == allele || b == allele,
            Genotype::Single(a) => a == allele,
        }
    }

    /// An `OL` allele makes the locus unusable for likelihood ratios.
    pub fn has_off_ladder(&self) -> bool {
        self.contains(Allele::OFF_LADDER)
    }
}

impl fmt::Display for Genotype {
    /// `15,16`, `15,15` (written out twice) or `15` (one peak).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Genotype::Two(a, b) => write!(f, "{a},{b}"),
            Genotype::Single(a) => write!(f, "{a}"),
        }
    }
}

impl FromStr for Genotype {
    type Err = GenotypeError;

    /// `15,16`, `15,15` or `15`, as [`Genotype`]'s `Display` writes it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut alleles = Vec::with_capacity(2);
        for part in s.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            alleles.push(part.parse::<Allele>().map_err(GenotypeError::Allele)?);
        }
        Genotype::from_alleles(&alleles)
    }
}

/// Genotypes travel in JSON as the text a lab writes: `"15,16"`.
impl Serialize for Genotype {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Genotype {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Why a list of alleles is not a genotype.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenotypeError {
    #[error("no alleles")]
    Empty,
    #[error("{count} alleles at one locus: a mixture, not a single-source profile")]
    TooMany { count: usize },
    #[error("{0}")]
    Allele(AlleleError),
}

/// One sample's STR profile. The code is the only identifier: the lab never sees names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub code: String,
    pub category: SampleCategory,
    /// The typing kit, when known (e.g. "Goldeneye 20A").
    pub kit: Option<String>,
    /// Genotypes by locus key (see [`crate::locus::locus_key`]).
    pub loci: BTreeMap<String, Genotype>,
}

/// The longest sample code accepted.
pub const MAX_CODE_LEN: usize = 64;

impl Profile {
    /// An empty profile; the code must be non-empty, at most 64 characters, without
    /// control characters, `;` or `=`.
    pub fn new(code: &str, category: SampleCategory) -> Result<Profile, ProfileError> {
        let code = code.trim();
        if code.is_empty() {
            return Err(ProfileError::EmptyCode);
        }
        if code.chars().count() > MAX_CODE_LEN {
            return Err(ProfileError::CodeTooLong { code: code.to_owned() });
        }
        if let Some(found) = code.chars().find(|c| c.is_control() || matches!(c, ';' | '=')) {
            return Err(ProfileError::CodeCharacter { code: code.to_owned(), found });
        }
        Ok(Profile { code: code.to_owned(), category, kit: None, loci: BTreeMap::new() })
    }

    /// Adds a genotype under the locus's canonical key; a locus given twice is an error.
    pub fn insert(&mut self, locus: &str, genotype: Genotype) -> Result<(), ProfileError> {
        let key = locus_key(locus).map_err(|source| ProfileError::Locus { input: locus.to_owned(), source })?;
        if self.loci.contains_key(key.as_ref()) {
            return Err(ProfileError::DuplicateLocus { locus: key.into_owned() });
        }
        self.loci.insert(key.into_owned(), genotype.normalized());
        Ok(())
    }

    /// Parses the inline form `D3S1358=15,16;vWA=14,17;TH01=9.3,9.3`.
    ///
    /// Loci are separated by `;`, alleles by `,`; white space around items is ignored and
    /// a trailing `;` is allowed. One allele (`TH01=9.3`) is a single peak, two equal
    /// alleles (`TH01=9.3,9.3`) an explicit homozygote.
    pub fn parse_inline(text: &str, code: &str, category: SampleCategory) -> Result<Profile, ProfileError> {
        let mut profile = Profile::new(code, category)?;
        for (index, entry) in text.split(';').enumerate() {
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            let position = index + 1;
            let (locus, alleles) = entry
                .split_once('=')
                .ok_or_else(|| ProfileError::MissingEquals { position, entry: entry.to_owned() })?;
            let mut parsed = Vec::with_capacity(2);
            for allele in alleles.split(',') {
                let allele = allele.trim();
                if allele.is_empty() {
                    continue;
                }
                parsed.push(allele.parse::<Allele>().map_err(|source| ProfileError::Allele {
                    locus: locus.trim().to_owned(),
                    source,
                })?);
            }
            let genotype = Genotype::from_alleles(&parsed)
                .map_err(|source| ProfileError::Genotype { locus: locus.trim().to_owned(), source })?;
            profile.insert(locus, genotype)?;
        }
        if profile.loci.is_empty() {
            return Err(ProfileError::NoLoci { code: profile.code });
        }
        Ok(profile)
    }

    /// The inline form read by [`Profile::parse_inline`].
    pub fn to_inline(&self) -> String {
        let mut out = String::new();
        for (locus, genotype) in &self.loci {
            if !out.is_empty() {
                out.push(';');
            }
            out.push_str(locus);
            out.push('=');
            out.push_str(&genotype.to_string());
        }
        out
    }

    pub fn genotype(&self, locus: &str) -> Option<&Genotype> {
        self.loci.get(locus)
    }

    /// Sex from Amelogenin: X only → female, X and Y → male; otherwise unknown.
    pub fn sex(&self) -> Option<Sex> {
        match self.loci.get("Amelogenin")? {
            Genotype::Two(Allele::X, Allele::Y) => Some(Sex::Male),
            Genotype::Two(Allele::X, Allele::X) | Genotype::Single(Allele::X) => Some(Sex::Female),
            _ => None,
        }
    }
}

/// Why a profile could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("sample code is empty")]
    EmptyCode,
    #[error("sample code {code:?} is longer than {MAX_CODE_LEN} characters")]
    CodeTooLong { code: String },
    #[error("sample code {code:?} contains {found:?}")]
    CodeCharacter { code: String, found: char },
    #[error("unknown sample category {input:?} (expected one of parent_of_missing_child, rescued_child, child_of_unknown_origin, street_child, relative, reference)")]
    Category { input: String },
    #[error("entry {position} {entry:?}: expected LOCUS=allele,allele")]
    MissingEquals { position: usize, entry: String },
    #[error("locus {input:?}: {source}")]
    Locus { input: String, source: LocusError },
    #[error("locus {locus}: {source}")]
    Allele { locus: String, source: AlleleError },
    #[error("locus {locus}: {source}")]
    Genotype { locus: String, source: GenotypeError },
    #[error("locus {locus} is given twice")]
    DuplicateLocus { locus: String },
    #[error("profile {code} has no loci")]
    NoLoci { code: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Allele {
        s.parse().unwrap()
    }

    #[test]
    fn parses_inline_profiles() {
        let p = Profile::parse_inline(
            " D3S1358=16,15; vwa=14,17;THO1=9.3,9.3;TPOX=8;AMEL=X,Y;",
            "C-001",
            SampleCategory::RescuedChild,
        )
        .unwrap();
        assert_eq!(p.code, "C-001");
        assert_eq!(p.loci["D3S1358"], Genotype::Two(a("15"), a("16")));
        assert_eq!(p.loci["vWA"], Genotype::Two(a("14"), a("17")));
        assert_eq!(p.loci["TH01"], Genotype::Two(a("9.3"), a("9.3")));
        assert_eq!(p.loci["TPOX"], Genotype::Single(a("8")));
        assert_eq!(p.sex(), Some(Sex::Male));
        let again = Profile::parse_inline(&p.to_inline(), "C-001", SampleCategory::RescuedChild).unwrap();
        assert_eq!(again, p);
    }

    #[test]
    fn inline_errors_name_the_problem() {
        let cat = SampleCategory::Reference;
        assert_eq!(Profile::parse_inline("D3S1358=15", " ", cat), Err(ProfileError::EmptyCode));
        assert!(matches!(
            Profile::parse_inline("D3S1358=15;vWA", "c", cat),
            Err(ProfileError::MissingEquals { position: 2, .. })
        ));
        assert!(matches!(
            Profile::parse_inline("D3S1358=15,16,17", "c", cat),
            Err(ProfileError::Genotype { source: GenotypeError::TooMany { count: 3 }, .. })
        ));
        assert!(matches!(
            Profile::parse_inline("vWA=14;VWA=15", "c", cat),
            Err(ProfileError::DuplicateLocus { locus }) if locus == "vWA"
        ));
        assert!(matches!(Profile::parse_inline("vWA=1x", "c", cat), Err(ProfileError::Allele { .. })));
        assert!(matches!(Profile::parse_inline("vWA=", "c", cat), Err(ProfileError::Genotype { .. })));
        assert!(matches!(Profile::parse_inline(" ; ", "c", cat), Err(ProfileError::NoLoci { .. })));
        let err = Profile::parse_inline("vWA=1x", "c", cat).unwrap_err().to_string();
        assert!(err.contains("vWA") && err.contains("1x"), "{err}");
    }

    #[test]
    fn categories_parse() {
        for c in SampleCategory::ALL {
            assert_eq!(c.as_str().parse::<SampleCategory>().unwrap(), c);
        }
        assert_eq!("Rescued Child".parse::<SampleCategory>().unwrap(), SampleCategory::RescuedChild);
        assert!("aunt".parse::<SampleCategory>().is_err());
    }

    #[test]
    fn genotype_is_sorted() {
        assert_eq!(Genotype::new(a("17"), a("9.3")), Genotype::Two(a("9.3"), a("17")));
        assert_eq!(Genotype::Two(a("17"), a("9")).normalized(), Genotype::Two(a("9"), a("17")));
        assert!(Genotype::new(a("OL"), a("9")).has_off_ladder());
    }
}

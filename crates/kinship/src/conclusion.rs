//! Conclusions as Chinese paternity-testing labs report them (GB/T 37223-2018 practice).
//!
//! In order:
//! 1. three or more loci inconsistent with Mendelian inheritance → **excluded**;
//! 2. combined index ≥ 10,000 → **supports** the stated relationship;
//! 3. combined index < 0.0001 → **supports non-parentage** (not related as stated);
//! 4. otherwise **inconclusive**: type more loci, or test the other parent.
//!
//! The sibling relations have no Mendelian exclusion (siblings may share nothing), so
//! for them only rules 2–4 apply, with the same thresholds read for the stated
//! relationship.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::lr::Relation;

/// Combined index at or above which the relationship is supported.
pub const SUPPORT_THRESHOLD: f64 = 10_000.0;
/// Combined index below which non-parentage is supported.
pub const NON_PARENTAGE_THRESHOLD: f64 = 0.0001;
/// Number of inconsistent loci from which parentage is excluded.
pub const EXCLUSION_LOCI: u32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conclusion {
    SupportsParentage,
    Excluded,
    SupportsNonParentage,
    Inconclusive,
}

impl Conclusion {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SupportsParentage => "supports_parentage",
            Self::Excluded => "excluded",
            Self::SupportsNonParentage => "supports_non_parentage",
            Self::Inconclusive => "inconclusive",
        }
    }

    /// What the lab should do next, for an inconclusive result.
    pub const fn advice(self, relation: Relation) -> Option<&'static str> {
        match (self, relation) {
            (Self::Inconclusive, Relation::Duo) => {
                Some("inconclusive: type more loci, or test the other parent together with this one (trio)")
            }
            (Self::Inconclusive, Relation::Trio | Relation::Couple) => Some("inconclusive: type more loci"),
            (Self::Inconclusive, Relation::FullSib | Relation::HalfSib) => {
                Some("inconclusive: type more loci, or test a parent or another relative")
            }
            _ => None,
        }
    }
}

impl fmt::Display for Conclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The conclusion for a combined index and the number of inconsistent loci.
pub fn conclude(relation: Relation, cpi: f64, inconsistent_loci: u32) -> Conclusion {
    let parentage = matches!(relation, Relation::Duo | Relation::Trio | Relation::Couple);
    if parentage && inconsistent_loci >= EXCLUSION_LOCI {
        Conclusion::Excluded
    } else if cpi >= SUPPORT_THRESHOLD {
        Conclusion::SupportsParentage
    } else if cpi < NON_PARENTAGE_THRESHOLD {
        Conclusion::SupportsNonParentage
    } else {
        Conclusion::Inconclusive
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_in_order() {
        use Conclusion::*;
        assert_eq!(conclude(Relation::Duo, 1e9, 3), Excluded);
        assert_eq!(conclude(Relation::Duo, 1e9, 2), SupportsParentage);
        assert_eq!(conclude(Relation::Trio, 10_000.0, 0), SupportsParentage);
        assert_eq!(conclude(Relation::Trio, 9_999.99, 0), Inconclusive);
        assert_eq!(conclude(Relation::Couple, 0.0001, 1), Inconclusive);
        assert_eq!(conclude(Relation::Duo, 0.000_099, 1), SupportsNonParentage);
        assert_eq!(conclude(Relation::FullSib, 1e5, 5), SupportsParentage);
        assert!(Inconclusive.advice(Relation::Duo).unwrap().contains("other parent"));
        assert_eq!(SupportsParentage.advice(Relation::Duo), None);
    }
}

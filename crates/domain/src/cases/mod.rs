//! Criminal cases (刑事案件) of trafficking and related crimes.
//!
//! - [`state`]: the lifecycle of a police criminal case, from 接报 (report received) to
//!   移送起诉 (transfer for prosecution), as a pure transition function.
//! - [`review`]: the registration-review clock (立案审查期限).
//! - [`classification`]: the Criminal Law article, the act, the victim's category by age
//!   and sex, and the international (Palermo protocol) view used for statistics.
//! - [`fast_track`]: the rule that a missing child, or a missing girl under 18, is
//!   registered at once.
//! - [`links`]: proposing links between cases that may be one series (系列案件).
//! - [`supervision`]: supervision (督办), key areas (重点地区) and special operations
//!   (专项行动).

pub mod classification;
pub mod fast_track;
pub mod links;
pub mod review;
pub mod state;
pub mod supervision;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use classification::{
    Classification, CriminalArticle, ExploitationForm, PalermoAct, PalermoMeans, TraffickingAct,
    VictimCategory, VictimCategoryError, victim_category,
};
pub use fast_track::{FastTrack, FastTrackReason, VictimAtEvent, fast_track_registration};
pub use links::{
    BlindIndex, BlindIndexError, CaseFacts, LinkError, LinkReason, LinkReview, LinkReviewEvent,
    link_score, propose_links,
};
pub use review::{ReviewExtension, review_deadline};
pub use state::{
    Authority, AuthorityError, CaseError, CaseEvent, CaseEventKind, CaseReason, CaseReasonError,
    CaseState, CaseStateKind, ReceiptNumber, ReceiptNumberError, SolveCondition, SolveFacts,
};
pub use supervision::{
    Instruction, KeyArea, KeyAreaError, KeyAreaEvent, OperationError, RectificationStatus,
    SpecialOperation, Supervision, SupervisionError, SupervisionLevel, counts_toward,
    division_within,
};

/// The identifier of a case, as the store issued it. Opaque here: the domain only
/// compares identifiers.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(String);

impl CaseId {
    pub fn new(id: impl Into<String>) -> CaseId {
        CaseId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaseId({:?})", self.0)
    }
}

/// Every error code of this module's errors, for the locale files.
pub const ERROR_CODES: &[&str] = &[
    "authority.control",
    "authority.name_length",
    "blind_index.character",
    "blind_index.length",
    "case.review.expired",
    "case.review.extension_not_longer",
    "case.solve.conditions_unmet",
    "case.transition.not_allowed",
    "case_link.already_reviewed",
    "case_link.role_required",
    "case_reason.control",
    "case_reason.too_long",
    "case_reason.too_short",
    "key_area.name_control",
    "key_area.name_length",
    "key_area.out_of_order",
    "key_area.transition.not_allowed",
    "operation.ends_before_start",
    "operation.name_control",
    "operation.name_length",
    "operation.no_area",
    "receipt_number.control",
    "receipt_number.length",
    "supervision.concluded",
    "supervision.concluded_before_opening",
    "supervision.deadline_not_after_opening",
    "supervision.instruction_control",
    "supervision.instruction_length",
    "supervision.instruction_out_of_order",
    "supervision.not_higher_level",
    "victim.born_after_event",
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::ERROR_CODES;

    /// Every code-shaped string literal with one of `prefixes` in `source`.
    fn literals<'a>(source: &'a str, prefixes: &[&str]) -> BTreeSet<&'a str> {
        let mut out = BTreeSet::new();
        for (start, _) in source.match_indices('"') {
            let rest = &source[start + 1..];
            let Some(end) = rest.find('"') else { continue };
            let lit = &rest[..end];
            let shaped = lit.contains('.')
                && lit
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
            if shaped && prefixes.iter().any(|p| lit.starts_with(&format!("{p}."))) {
                out.insert(lit);
            }
        }
        out
    }

    #[test]
    fn error_codes_lists_every_code_in_the_sources_once() {
        let found: BTreeSet<&str> = SOURCES.iter().flat_map(|s| literals(s, PREFIXES)).collect();
        let listed: BTreeSet<&str> = ERROR_CODES.iter().copied().collect();
        assert_eq!(listed.len(), ERROR_CODES.len(), "no code listed twice");
        assert_eq!(found, listed);
    }

    const PREFIXES: &[&str] = &[
        "case",
        "case_reason",
        "receipt_number",
        "authority",
        "case_link",
        "blind_index",
        "supervision",
        "key_area",
        "operation",
        "victim",
    ];
    const SOURCES: &[&str] = &[
        include_str!("classification.rs"),
        include_str!("fast_track.rs"),
        include_str!("links.rs"),
        include_str!("review.rs"),
        include_str!("state.rs"),
        include_str!("supervision.rs"),
    ];
}

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

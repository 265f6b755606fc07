//! Tips (举报线索): what the public and the member units report, and what becomes of it.
//!
//! The action plan asks for a reporting system (举报制度) that encourages everyone to
//! report trafficking, and faster discovery of cases. The rule that shapes this module is
//! that **no tip may vanish**: every tip is acknowledged by a named investigator within a
//! deadline that depends on its urgency, and ends with exactly one recorded
//! [`TipDecision`]. A decision to take no action needs a written reason and a second
//! person's approval before it takes effect.
//!
//! - [`form`]: the public submission ([`PublicTipForm`]) parsed into a [`ValidTip`], with
//!   every error naming its field.
//! - [`source`]: where a tip came from.
//! - [`urgency`]: urgent or not, the acknowledgement deadline and escalation.
//! - [`state`]: the tip's states and the pure transition function.
//! - [`tracking`]: the tracking code and secret the reporter keeps to follow the tip.
//! - [`duplicate`]: scoring whether two tips report the same thing.
//! - [`plate`] and [`account`]: vehicle plates and account references, which cases share.

pub mod account;
pub mod duplicate;
pub mod form;
pub mod plate;
pub mod source;
pub mod state;
pub mod tracking;
pub mod urgency;

pub use account::{AccountRef, AccountRefError};
pub use duplicate::{
    DuplicateAssessment, DuplicateReason, POSSIBLE_DUPLICATE_THRESHOLD, duplicate_score,
    text_similarity,
};
pub use form::{
    Contact, ContactForm, PublicTipForm, RiskGroup, RiskGroupForm, RiskSex, TipFieldError,
    TipFormErrors, TipWhen, ValidTip,
};
pub use plate::{PlateError, PlateKind, VehiclePlate};
pub use source::{MandatoryReporter, TipSource};
pub use state::{
    Assignment, DecisionRecord, NoActionProposal, NoActionReason, ProposedDecision, PublicStatus,
    ReasonField, Referral, ReferralReason, ReferralState, TipDecision, TipError, TipEvent,
    TipEventKind, TipReasonError, TipState, TipStateKind,
};
pub use tracking::{TipSecret, TrackingCode, TrackingCodeError};
pub use urgency::{AckClock, Escalation, EscalationTarget, TipUrgency, ack_deadline};

/// Every error code of this module's own errors, for the locale files: the form's field
/// errors, the transition refusals, and the plate, account, reason and tracking-code
/// parsers. Values parsed by their own types (phones, names, division codes) keep the
/// codes listed in [`crate::ids::ERROR_CODES`].
pub const ERROR_CODES: &[&str] = &[
    "account.control",
    "account.empty",
    "account.too_long",
    "plate.authority",
    "plate.character",
    "plate.empty",
    "plate.length",
    "plate.new_energy_format",
    "plate.province",
    "tip.accounts.too_many",
    "tip.address.control",
    "tip.address.too_long",
    "tip.date.before_1950",
    "tip.date.format",
    "tip.date.future",
    "tip.date.required",
    "tip.division.not_county",
    "tip.division.not_in_use",
    "tip.division.required",
    "tip.no_action.same_reviewer",
    "tip.no_action_reason.control",
    "tip.no_action_reason.too_long",
    "tip.no_action_reason.too_short",
    "tip.people_at_risk.age_band.unknown_value",
    "tip.people_at_risk.count.format",
    "tip.people_at_risk.count.range",
    "tip.people_at_risk.required",
    "tip.people_at_risk.sex.unknown_value",
    "tip.people_at_risk.too_many_groups",
    "tip.people_at_risk.total_too_large",
    "tip.phones.too_many",
    "tip.referral.own_unit",
    "tip.referral.wrong_unit",
    "tip.referral_reason.control",
    "tip.referral_reason.too_long",
    "tip.referral_reason.too_short",
    "tip.suspects.control",
    "tip.suspects.too_long",
    "tip.suspects.too_many",
    "tip.time.format",
    "tip.time.future",
    "tip.transition.not_allowed",
    "tip.transition.not_assignee",
    "tip.transition.role_required",
    "tip.vehicles.too_many",
    "tip.what_happened.control",
    "tip.what_happened.too_long",
    "tip.what_happened.too_short",
    "tracking_code.character",
    "tracking_code.check",
    "tracking_code.empty",
    "tracking_code.length",
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

    const PREFIXES: &[&str] = &["tip", "plate", "account", "tracking_code"];
    const SOURCES: &[&str] = &[
        include_str!("account.rs"),
        include_str!("duplicate.rs"),
        include_str!("form.rs"),
        include_str!("plate.rs"),
        include_str!("source.rs"),
        include_str!("state.rs"),
        include_str!("tracking.rs"),
        include_str!("urgency.rs"),
    ];
}

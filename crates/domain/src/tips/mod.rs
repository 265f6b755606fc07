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

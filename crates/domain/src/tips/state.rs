//! The life of a tip, as a pure transition function.
//!
//! ```text
//! Received ──acknowledge──▶ Acknowledged ──start_review──▶ UnderReview ──decide──▶ Decided
//!                             (assigned to an investigator)        │  ▲
//!                                                   decide(no action) reject_no_action
//!                                                                  ▼  │
//!                                                            NoActionPending ──approve──▶ Decided
//! ```
//!
//! Every tip ends with exactly one [`TipDecision`]: open a case, join an existing case,
//! refer to another unit (which must acknowledge the referral), or take no action. No
//! action is the one decision that could make a real report vanish, so it needs a written
//! reason of at least [`NoActionReason::MIN_CHARS`] characters and takes effect only when a
//! second person, a supervisor other than the one who proposed it, approves.

use std::fmt;

use time::OffsetDateTime;

use crate::cases::CaseId;
use crate::ids::{UnitId, UserId, is_bidi_control};
use crate::policy::Actor;
use crate::role::Role;

/// Who holds the tip, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub assignee: UserId,
    /// When the tip was first acknowledged; a reassignment keeps it, because the
    /// acknowledgement deadline was met (or missed) then.
    pub acknowledged_at: OffsetDateTime,
}

/// Which written reason a [`TipReasonError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReasonField {
    NoAction,
    Referral,
}

impl ReasonField {
    fn id(self) -> &'static str {
        match self {
            ReasonField::NoAction => "no_action_reason",
            ReasonField::Referral => "referral_reason",
        }
    }
}

/// Why a text is not an acceptable written reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TipReasonError {
    #[error("the {} must have at least {min} characters, found {found}", .field.id())]
    TooShort {
        field: ReasonField,
        min: usize,
        found: usize,
    },
    #[error("the {} may have at most {max} characters, found {found}", .field.id())]
    TooLong {
        field: ReasonField,
        max: usize,
        found: usize,
    },
    #[error("character {position} of the {} is a control character", .field.id())]
    Control { field: ReasonField, position: usize },
}

impl TipReasonError {
    pub fn code(&self) -> &'static str {
        use ReasonField::*;
        match self {
            TipReasonError::TooShort {
                field: NoAction, ..
            } => "tip.no_action_reason.too_short",
            TipReasonError::TooShort {
                field: Referral, ..
            } => "tip.referral_reason.too_short",
            TipReasonError::TooLong {
                field: NoAction, ..
            } => "tip.no_action_reason.too_long",
            TipReasonError::TooLong {
                field: Referral, ..
            } => "tip.referral_reason.too_long",
            TipReasonError::Control {
                field: NoAction, ..
            } => "tip.no_action_reason.control",
            TipReasonError::Control {
                field: Referral, ..
            } => "tip.referral_reason.control",
        }
    }

    pub fn field(&self) -> ReasonField {
        match self {
            TipReasonError::TooShort { field, .. }
            | TipReasonError::TooLong { field, .. }
            | TipReasonError::Control { field, .. } => *field,
        }
    }
}

/// Trims, keeps line breaks and tabs, refuses other control and bidirectional
/// characters, and counts characters (not bytes: a Chinese sentence of 20 characters is a
/// real sentence).
fn parse_reason(
    s: &str,
    field: ReasonField,
    min: usize,
    max: usize,
) -> Result<String, TipReasonError> {
    let t = s.trim();
    for (i, c) in t.chars().enumerate() {
        if (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c) {
            return Err(TipReasonError::Control {
                field,
                position: i + 1,
            });
        }
    }
    let found = t.chars().count();
    if found < min {
        return Err(TipReasonError::TooShort { field, min, found });
    }
    if found > max {
        return Err(TipReasonError::TooLong { field, max, found });
    }
    Ok(t.to_owned())
}

/// The written reason for taking no action on a tip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoActionReason(String);

impl NoActionReason {
    /// Long enough that "no clue" or "duplicate" alone will not do: the reviewer must be
    /// able to judge the decision from the reason.
    pub const MIN_CHARS: usize = 20;
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(s: &str) -> Result<NoActionReason, TipReasonError> {
        parse_reason(s, ReasonField::NoAction, Self::MIN_CHARS, Self::MAX_CHARS).map(NoActionReason)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a tip is referred to another unit: what that unit is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralReason(String);

impl ReferralReason {
    pub const MIN_CHARS: usize = 2;
    pub const MAX_CHARS: usize = 1000;

    pub fn parse(s: &str) -> Result<ReferralReason, TipReasonError> {
        parse_reason(s, ReasonField::Referral, Self::MIN_CHARS, Self::MAX_CHARS).map(ReferralReason)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A proposal to take no action, waiting for a second reviewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoActionProposal {
    pub reason: NoActionReason,
    pub proposed_by: UserId,
    pub proposed_at: OffsetDateTime,
}

/// Whether the receiving unit has taken up a referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralState {
    Pending,
    Acknowledged { by: UserId, at: OffsetDateTime },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub to: UnitId,
    pub reason: ReferralReason,
    pub state: ReferralState,
}

/// What became of a tip: exactly one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TipDecision {
    /// Open a new criminal case from the tip.
    OpenCase,
    /// The tip adds to a case already open.
    JoinCase(CaseId),
    /// Another unit handles it (labour inspection, civil affairs, another police
    /// authority…).
    Refer(Referral),
    /// Nothing to act on, approved by a second reviewer.
    NoAction {
        reason: NoActionReason,
        approved_by: UserId,
    },
}

impl TipDecision {
    pub fn id(&self) -> &'static str {
        match self {
            TipDecision::OpenCase => "open_case",
            TipDecision::JoinCase(_) => "join_case",
            TipDecision::Refer(_) => "refer",
            TipDecision::NoAction { .. } => "no_action",
        }
    }
}

/// The decision with who took it and when. For no action, `decided_by` proposed it and
/// `decided_at` is the moment of approval, when it took effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    pub decision: TipDecision,
    pub decided_by: UserId,
    pub decided_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TipState {
    Received,
    Acknowledged(Assignment),
    UnderReview(Assignment),
    NoActionPending {
        assignment: Assignment,
        proposal: NoActionProposal,
    },
    Decided {
        assignment: Assignment,
        record: DecisionRecord,
    },
}

/// The states without their data, for errors, lists and storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TipStateKind {
    Received,
    Acknowledged,
    UnderReview,
    NoActionPending,
    Decided,
}

impl TipStateKind {
    pub const ALL: [TipStateKind; 5] = [
        TipStateKind::Received,
        TipStateKind::Acknowledged,
        TipStateKind::UnderReview,
        TipStateKind::NoActionPending,
        TipStateKind::Decided,
    ];

    pub fn id(self) -> &'static str {
        match self {
            TipStateKind::Received => "received",
            TipStateKind::Acknowledged => "acknowledged",
            TipStateKind::UnderReview => "under_review",
            TipStateKind::NoActionPending => "no_action_pending",
            TipStateKind::Decided => "decided",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TipStateKind::Received => "已接收",
            TipStateKind::Acknowledged => "已签收",
            TipStateKind::UnderReview => "核查中",
            TipStateKind::NoActionPending => "不予处理待审批",
            TipStateKind::Decided => "已处理",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            TipStateKind::Received => "received",
            TipStateKind::Acknowledged => "acknowledged",
            TipStateKind::UnderReview => "under review",
            TipStateKind::NoActionPending => "no action, awaiting approval",
            TipStateKind::Decided => "decided",
        }
    }
}

impl fmt::Display for TipStateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A decision as the investigator proposes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProposedDecision {
    OpenCase,
    JoinCase(CaseId),
    Refer { to: UnitId, reason: ReferralReason },
    NoAction(NoActionReason),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TipEvent {
    /// Take the tip in and assign it to an investigator (who may be the actor).
    Acknowledge {
        assignee: UserId,
    },
    /// A supervisor gives the tip to another investigator.
    Reassign {
        assignee: UserId,
    },
    StartReview,
    Decide(ProposedDecision),
    ApproveNoAction,
    /// The second reviewer sends the tip back for more work.
    RejectNoAction,
    /// The unit a tip was referred to takes it up.
    AcknowledgeReferral,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TipEventKind {
    Acknowledge,
    Reassign,
    StartReview,
    Decide,
    ApproveNoAction,
    RejectNoAction,
    AcknowledgeReferral,
}

impl TipEventKind {
    pub const ALL: [TipEventKind; 7] = [
        TipEventKind::Acknowledge,
        TipEventKind::Reassign,
        TipEventKind::StartReview,
        TipEventKind::Decide,
        TipEventKind::ApproveNoAction,
        TipEventKind::RejectNoAction,
        TipEventKind::AcknowledgeReferral,
    ];

    pub fn id(self) -> &'static str {
        match self {
            TipEventKind::Acknowledge => "acknowledge",
            TipEventKind::Reassign => "reassign",
            TipEventKind::StartReview => "start_review",
            TipEventKind::Decide => "decide",
            TipEventKind::ApproveNoAction => "approve_no_action",
            TipEventKind::RejectNoAction => "reject_no_action",
            TipEventKind::AcknowledgeReferral => "acknowledge_referral",
        }
    }
}

impl fmt::Display for TipEventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl TipEvent {
    pub fn kind(&self) -> TipEventKind {
        match self {
            TipEvent::Acknowledge { .. } => TipEventKind::Acknowledge,
            TipEvent::Reassign { .. } => TipEventKind::Reassign,
            TipEvent::StartReview => TipEventKind::StartReview,
            TipEvent::Decide(_) => TipEventKind::Decide,
            TipEvent::ApproveNoAction => TipEventKind::ApproveNoAction,
            TipEvent::RejectNoAction => TipEventKind::RejectNoAction,
            TipEvent::AcknowledgeReferral => TipEventKind::AcknowledgeReferral,
        }
    }
}

fn list(kinds: &[TipEventKind]) -> String {
    if kinds.is_empty() {
        "none".to_owned()
    } else {
        kinds.iter().map(|k| k.id()).collect::<Vec<_>>().join(", ")
    }
}

fn roles(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.id())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TipError {
    #[error("a tip in state {from} cannot take the event {event}; allowed: {}", list(.allowed))]
    NotAllowed {
        from: TipStateKind,
        event: TipEventKind,
        allowed: Vec<TipEventKind>,
    },
    #[error("the event {event} needs the role {}", roles(.any_of))]
    RoleRequired {
        event: TipEventKind,
        any_of: &'static [Role],
    },
    #[error("only the assigned investigator or a supervisor may take the event {event}")]
    NotAssignee { event: TipEventKind },
    #[error(
        "a decision to take no action must be approved by a supervisor other than the one who proposed it"
    )]
    SameReviewer,
    #[error("only the unit the tip was referred to can acknowledge the referral")]
    WrongUnit,
    #[error("a tip cannot be referred to the referring unit itself")]
    ReferToOwnUnit,
}

impl TipError {
    pub fn code(&self) -> &'static str {
        match self {
            TipError::NotAllowed { .. } => "tip.transition.not_allowed",
            TipError::RoleRequired { .. } => "tip.transition.role_required",
            TipError::NotAssignee { .. } => "tip.transition.not_assignee",
            TipError::SameReviewer => "tip.no_action.same_reviewer",
            TipError::WrongUnit => "tip.referral.wrong_unit",
            TipError::ReferToOwnUnit => "tip.referral.own_unit",
        }
    }
}

const TRIAGE_ROLES: &[Role] = &[Role::Investigator, Role::Supervisor];
const SUPERVISOR: &[Role] = &[Role::Supervisor];
const REFERRAL_ROLES: &[Role] = &[
    Role::Investigator,
    Role::Supervisor,
    Role::Caseworker,
    Role::Liaison,
];

fn require_role(
    actor: &Actor,
    event: TipEventKind,
    any_of: &'static [Role],
) -> Result<(), TipError> {
    if any_of.iter().any(|r| actor.roles.contains(*r)) {
        Ok(())
    } else {
        Err(TipError::RoleRequired { event, any_of })
    }
}

fn require_assignee_or_supervisor(
    actor: &Actor,
    a: &Assignment,
    event: TipEventKind,
) -> Result<(), TipError> {
    require_role(actor, event, TRIAGE_ROLES)?;
    if actor.user_id == a.assignee || actor.roles.contains(Role::Supervisor) {
        Ok(())
    } else {
        Err(TipError::NotAssignee { event })
    }
}

/// What the reporter sees when checking a tip with its code and secret: never who holds
/// it or what was decided, only whether it is being dealt with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublicStatus {
    Received,
    BeingHandled,
    Closed,
}

impl PublicStatus {
    pub fn id(self) -> &'static str {
        match self {
            PublicStatus::Received => "received",
            PublicStatus::BeingHandled => "being_handled",
            PublicStatus::Closed => "closed",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PublicStatus::Received => "已收到",
            PublicStatus::BeingHandled => "处理中",
            PublicStatus::Closed => "已办结",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            PublicStatus::Received => "received",
            PublicStatus::BeingHandled => "being handled",
            PublicStatus::Closed => "closed",
        }
    }
}

impl TipState {
    pub fn kind(&self) -> TipStateKind {
        match self {
            TipState::Received => TipStateKind::Received,
            TipState::Acknowledged(_) => TipStateKind::Acknowledged,
            TipState::UnderReview(_) => TipStateKind::UnderReview,
            TipState::NoActionPending { .. } => TipStateKind::NoActionPending,
            TipState::Decided { .. } => TipStateKind::Decided,
        }
    }

    pub fn assignment(&self) -> Option<&Assignment> {
        match self {
            TipState::Received => None,
            TipState::Acknowledged(a) | TipState::UnderReview(a) => Some(a),
            TipState::NoActionPending { assignment, .. } | TipState::Decided { assignment, .. } => {
                Some(assignment)
            }
        }
    }

    pub fn decision(&self) -> Option<&TipDecision> {
        match self {
            TipState::Decided { record, .. } => Some(&record.decision),
            _ => None,
        }
    }

    /// A referral still waiting for the receiving unit, if the tip was referred.
    fn pending_referral(&self) -> Option<&Referral> {
        match self.decision() {
            Some(TipDecision::Refer(r)) if r.state == ReferralState::Pending => Some(r),
            _ => None,
        }
    }

    /// The events this state accepts (whoever the actor is).
    pub fn allowed_events(&self) -> Vec<TipEventKind> {
        use TipEventKind as E;
        match self {
            TipState::Received => vec![E::Acknowledge],
            TipState::Acknowledged(_) => vec![E::Reassign, E::StartReview],
            TipState::UnderReview(_) => vec![E::Reassign, E::Decide],
            TipState::NoActionPending { .. } => vec![E::ApproveNoAction, E::RejectNoAction],
            TipState::Decided { .. } => {
                if self.pending_referral().is_some() {
                    vec![E::AcknowledgeReferral]
                } else {
                    vec![]
                }
            }
        }
    }

    /// Whether nothing more can happen to the tip: decided, and any referral taken up.
    pub fn is_final(&self) -> bool {
        self.allowed_events().is_empty()
    }

    pub fn public_status(&self) -> PublicStatus {
        match self {
            TipState::Received => PublicStatus::Received,
            TipState::Acknowledged(_)
            | TipState::UnderReview(_)
            | TipState::NoActionPending { .. } => PublicStatus::BeingHandled,
            // Until the receiving unit takes it up, the referred tip is still on its way.
            TipState::Decided { .. } if self.pending_referral().is_some() => {
                PublicStatus::BeingHandled
            }
            TipState::Decided { .. } => PublicStatus::Closed,
        }
    }

    /// The state after `event` by `actor` at `now`, or why not. The state itself is not
    /// changed: the caller stores the new state together with its audit event.
    pub fn apply(
        &self,
        event: &TipEvent,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<TipState, TipError> {
        let kind = event.kind();
        let allowed = self.allowed_events();
        if !allowed.contains(&kind) {
            return Err(TipError::NotAllowed {
                from: self.kind(),
                event: kind,
                allowed,
            });
        }
        match (self, event) {
            (TipState::Received, TipEvent::Acknowledge { assignee }) => {
                require_role(actor, kind, TRIAGE_ROLES)?;
                Ok(TipState::Acknowledged(Assignment {
                    assignee: assignee.clone(),
                    acknowledged_at: now,
                }))
            }
            (
                TipState::Acknowledged(a) | TipState::UnderReview(a),
                TipEvent::Reassign { assignee },
            ) => {
                require_role(actor, kind, SUPERVISOR)?;
                let a = Assignment {
                    assignee: assignee.clone(),
                    acknowledged_at: a.acknowledged_at,
                };
                Ok(match self {
                    TipState::Acknowledged(_) => TipState::Acknowledged(a),
                    _ => TipState::UnderReview(a),
                })
            }
            (TipState::Acknowledged(a), TipEvent::StartReview) => {
                require_assignee_or_supervisor(actor, a, kind)?;
                Ok(TipState::UnderReview(a.clone()))
            }
            (TipState::UnderReview(a), TipEvent::Decide(proposed)) => {
                require_assignee_or_supervisor(actor, a, kind)?;
                let decision = match proposed {
                    ProposedDecision::NoAction(reason) => {
                        return Ok(TipState::NoActionPending {
                            assignment: a.clone(),
                            proposal: NoActionProposal {
                                reason: reason.clone(),
                                proposed_by: actor.user_id.clone(),
                                proposed_at: now,
                            },
                        });
                    }
                    ProposedDecision::OpenCase => TipDecision::OpenCase,
                    ProposedDecision::JoinCase(id) => TipDecision::JoinCase(id.clone()),
                    ProposedDecision::Refer { to, reason } => {
                        if *to == actor.unit_id {
                            return Err(TipError::ReferToOwnUnit);
                        }
                        TipDecision::Refer(Referral {
                            to: to.clone(),
                            reason: reason.clone(),
                            state: ReferralState::Pending,
                        })
                    }
                };
                Ok(TipState::Decided {
                    assignment: a.clone(),
                    record: DecisionRecord {
                        decision,
                        decided_by: actor.user_id.clone(),
                        decided_at: now,
                    },
                })
            }
            (
                TipState::NoActionPending {
                    assignment,
                    proposal,
                },
                TipEvent::ApproveNoAction,
            ) => {
                require_role(actor, kind, SUPERVISOR)?;
                if actor.user_id == proposal.proposed_by {
                    return Err(TipError::SameReviewer);
                }
                Ok(TipState::Decided {
                    assignment: assignment.clone(),
                    record: DecisionRecord {
                        decision: TipDecision::NoAction {
                            reason: proposal.reason.clone(),
                            approved_by: actor.user_id.clone(),
                        },
                        decided_by: proposal.proposed_by.clone(),
                        decided_at: now,
                    },
                })
            }
            (
                TipState::NoActionPending {
                    assignment,
                    proposal,
                },
                TipEvent::RejectNoAction,
            ) => {
                require_role(actor, kind, SUPERVISOR)?;
                if actor.user_id == proposal.proposed_by {
                    return Err(TipError::SameReviewer);
                }
                Ok(TipState::UnderReview(assignment.clone()))
            }
            (TipState::Decided { assignment, record }, TipEvent::AcknowledgeReferral) => {
                let Some(referral) = self.pending_referral() else {
                    return Err(TipError::NotAllowed {
                        from: self.kind(),
                        event: kind,
                        allowed,
                    });
                };
                if actor.unit_id != referral.to {
                    return Err(TipError::WrongUnit);
                }
                require_role(actor, kind, REFERRAL_ROLES)?;
                let mut record = record.clone();
                record.decision = TipDecision::Refer(Referral {
                    state: ReferralState::Acknowledged {
                        by: actor.user_id.clone(),
                        at: now,
                    },
                    ..referral.clone()
                });
                Ok(TipState::Decided {
                    assignment: assignment.clone(),
                    record,
                })
            }
            // allowed_events and the arms above list the same pairs; should they ever
            // differ, refusing is the safe answer.
            _ => Err(TipError::NotAllowed {
                from: self.kind(),
                event: kind,
                allowed,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_count_characters_not_bytes() {
        // Twenty Chinese characters are enough; nineteen are not.
        let twenty = "经核查举报地址为正规幼儿园无异常情况无".to_owned();
        assert_eq!(twenty.chars().count(), 19);
        assert_eq!(
            NoActionReason::parse(&twenty).unwrap_err(),
            TipReasonError::TooShort {
                field: ReasonField::NoAction,
                min: 20,
                found: 19
            }
        );
        let ok = format!("{twenty}。");
        assert_eq!(
            NoActionReason::parse(&format!("  {ok}\n"))
                .unwrap()
                .as_str(),
            ok
        );
    }

    #[test]
    fn reasons_refuse_control_characters_but_keep_line_breaks() {
        let with_break = "第一行说明情况很详细。\n第二行说明处理依据完整。";
        assert!(NoActionReason::parse(with_break).is_ok());
        let e = NoActionReason::parse("abcdefghij\u{7}klmnopqrstuv").unwrap_err();
        assert_eq!(e.code(), "tip.no_action_reason.control");
        assert_eq!(
            e,
            TipReasonError::Control {
                field: ReasonField::NoAction,
                position: 11
            }
        );
        let e = ReferralReason::parse("请\u{202E}核实").unwrap_err();
        assert_eq!(e.code(), "tip.referral_reason.control");
    }

    #[test]
    fn reason_limits() {
        assert_eq!(
            ReferralReason::parse(" 查 ").unwrap_err().code(),
            "tip.referral_reason.too_short"
        );
        assert!(ReferralReason::parse("核查").is_ok());
        let long = "字".repeat(1001);
        assert_eq!(
            ReferralReason::parse(&long).unwrap_err(),
            TipReasonError::TooLong {
                field: ReasonField::Referral,
                max: 1000,
                found: 1001
            }
        );
        assert_eq!(
            NoActionReason::parse(&"字".repeat(2001))
                .unwrap_err()
                .code(),
            "tip.no_action_reason.too_long"
        );
        assert!(NoActionReason::parse(&"字".repeat(2000)).is_ok());
    }

    #[test]
    fn error_messages_list_the_allowed_events() {
        let e = TipError::NotAllowed {
            from: TipStateKind::UnderReview,
            event: TipEventKind::Acknowledge,
            allowed: vec![TipEventKind::Reassign, TipEventKind::Decide],
        };
        assert_eq!(
            e.to_string(),
            "a tip in state under_review cannot take the event acknowledge; allowed: reassign, decide"
        );
        let e = TipError::NotAllowed {
            from: TipStateKind::Decided,
            event: TipEventKind::Decide,
            allowed: vec![],
        };
        assert!(e.to_string().ends_with("allowed: none"));
        let e = TipError::RoleRequired {
            event: TipEventKind::Acknowledge,
            any_of: TRIAGE_ROLES,
        };
        assert_eq!(
            e.to_string(),
            "the event acknowledge needs the role investigator or supervisor"
        );
    }

    #[test]
    fn kinds_have_distinct_ids_and_labels() {
        let ids: std::collections::HashSet<_> = TipStateKind::ALL.iter().map(|k| k.id()).collect();
        assert_eq!(ids.len(), TipStateKind::ALL.len());
        let zh: std::collections::HashSet<_> =
            TipStateKind::ALL.iter().map(|k| k.label_zh()).collect();
        assert_eq!(zh.len(), TipStateKind::ALL.len());
        let ev: std::collections::HashSet<_> = TipEventKind::ALL.iter().map(|k| k.id()).collect();
        assert_eq!(ev.len(), TipEventKind::ALL.len());
    }
}

//! The lifecycle of a police criminal case, as a pure transition function.
//!
//! ```text
//! 接报 Reported ─accept─▶ 受案登记 Accepted ─start_review─▶ 立案审查 UnderRegistrationReview
//!                              │                                 │        │
//!                              └──fast_track_register──┐   register   decline_registration
//!                                                      ▼         ▼        ▼
//!                                              立案 Registered   不予立案 NotRegistered
//!                                                      │ start_investigation
//!                                                      ▼
//!                                              侦查 Investigating ─solve─▶ 破案 Solved
//!                                                  ─conclude_investigation─▶ 侦查终结
//!                                                  ─transfer_for_prosecution─▶ 移送起诉
//! side branches: withdraw (撤案) from Registered or Investigating;
//!                transfer_jurisdiction (移送管辖) from Accepted, review, Registered, Investigating.
//! ```
//!
//! Anything else is refused with an error that names the state, the event and the events
//! the state accepts. A case is solved (破案) only when the facts of the crime are proven,
//! the suspect is identified, and the suspect (or the main suspect) is in custody: the
//! event carries the three facts and each missing one is named in the refusal.

use std::fmt;

use time::macros::offset;
use time::{Date, OffsetDateTime};

use super::fast_track::{FastTrack, FastTrackReason};
use super::review::{ReviewExtension, review_deadline};
use crate::divisions::DivisionCode;
use crate::ids::is_bidi_control;

fn china_date(now: OffsetDateTime) -> Date {
    now.to_offset(offset!(+8)).date()
}

fn has_control(s: &str) -> Option<usize> {
    s.chars()
        .position(|c| (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c))
        .map(|i| i + 1)
}

/// Why a text is not a receipt number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptNumberError {
    #[error("a receipt number has {min} to {max} characters, found {found}", min = ReceiptNumber::MIN_CHARS, max = ReceiptNumber::MAX_CHARS)]
    Length { found: usize },
    #[error("character {position} of the receipt number is a control character or a line break")]
    Control { position: usize },
}

impl ReceiptNumberError {
    pub fn code(&self) -> &'static str {
        match self {
            ReceiptNumberError::Length { .. } => "receipt_number.length",
            ReceiptNumberError::Control { .. } => "receipt_number.control",
        }
    }
}

/// The number on the acceptance receipt (受案回执) handed to the person who reported.
/// Its form differs between police systems (`A4302025100002026030001`,
/// `株公（荷）受案字〔2026〕0123号`), so any single line of 4 to 60 characters is kept as
/// written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReceiptNumber(String);

impl ReceiptNumber {
    pub const MIN_CHARS: usize = 4;
    pub const MAX_CHARS: usize = 60;

    pub fn parse(s: &str) -> Result<ReceiptNumber, ReceiptNumberError> {
        let t = s.trim();
        if let Some(position) = t.chars().position(|c| c.is_control() || is_bidi_control(c)) {
            return Err(ReceiptNumberError::Control {
                position: position + 1,
            });
        }
        let found = t.chars().count();
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&found) {
            return Err(ReceiptNumberError::Length { found });
        }
        Ok(ReceiptNumber(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a text is not a written reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseReasonError {
    #[error("the reason must have at least {min} characters, found {found}", min = CaseReason::MIN_CHARS)]
    TooShort { found: usize },
    #[error("the reason may have at most {max} characters, found {found}", max = CaseReason::MAX_CHARS)]
    TooLong { found: usize },
    #[error("character {position} of the reason is a control character")]
    Control { position: usize },
}

impl CaseReasonError {
    pub fn code(&self) -> &'static str {
        match self {
            CaseReasonError::TooShort { .. } => "case_reason.too_short",
            CaseReasonError::TooLong { .. } => "case_reason.too_long",
            CaseReasonError::Control { .. } => "case_reason.control",
        }
    }
}

/// The written reason for not registering or for withdrawing a case: the reporter may
/// ask for it to be reconsidered (复议), so it must say something.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaseReason(String);

impl CaseReason {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(s: &str) -> Result<CaseReason, CaseReasonError> {
        let t = s.trim();
        if let Some(position) = has_control(t) {
            return Err(CaseReasonError::Control { position });
        }
        let found = t.chars().count();
        if found < Self::MIN_CHARS {
            return Err(CaseReasonError::TooShort { found });
        }
        if found > Self::MAX_CHARS {
            return Err(CaseReasonError::TooLong { found });
        }
        Ok(CaseReason(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorityError {
    #[error("the authority's name has 2 to 100 characters, found {found}")]
    NameLength { found: usize },
    #[error("character {position} of the authority's name is a control character")]
    Control { position: usize },
}

impl AuthorityError {
    pub fn code(&self) -> &'static str {
        match self {
            AuthorityError::NameLength { .. } => "authority.name_length",
            AuthorityError::Control { .. } => "authority.control",
        }
    }
}

/// The authority a case is transferred to (移送管辖): its name and where it sits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Authority {
    name: String,
    division: DivisionCode,
}

impl Authority {
    pub fn new(name: &str, division: DivisionCode) -> Result<Authority, AuthorityError> {
        let t = name.trim();
        if let Some(position) = t.chars().position(|c| c.is_control() || is_bidi_control(c)) {
            return Err(AuthorityError::Control {
                position: position + 1,
            });
        }
        let found = t.chars().count();
        if !(2..=100).contains(&found) {
            return Err(AuthorityError::NameLength { found });
        }
        Ok(Authority {
            name: t.to_owned(),
            division,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn division(&self) -> DivisionCode {
        self.division
    }
}

/// The three facts that make a case solved (破案).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SolveFacts {
    /// 犯罪事实已有证据证明.
    pub facts_proven: bool,
    /// 犯罪嫌疑人已经查明.
    pub suspect_identified: bool,
    /// The suspect, or the main suspect of several, is in custody (已归案).
    pub suspect_in_custody: bool,
}

/// One of the [`SolveFacts`], named in a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SolveCondition {
    FactsProven,
    SuspectIdentified,
    SuspectInCustody,
}

impl SolveCondition {
    pub fn id(self) -> &'static str {
        match self {
            SolveCondition::FactsProven => "facts_proven",
            SolveCondition::SuspectIdentified => "suspect_identified",
            SolveCondition::SuspectInCustody => "suspect_in_custody",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            SolveCondition::FactsProven => "犯罪事实已有证据证明",
            SolveCondition::SuspectIdentified => "犯罪嫌疑人已经查明",
            SolveCondition::SuspectInCustody => "犯罪嫌疑人或主要犯罪嫌疑人已归案",
        }
    }
}

impl SolveFacts {
    /// The conditions not met, in a fixed order; empty when the case may be solved.
    pub fn missing(&self) -> Vec<SolveCondition> {
        let mut out = Vec::new();
        if !self.facts_proven {
            out.push(SolveCondition::FactsProven);
        }
        if !self.suspect_identified {
            out.push(SolveCondition::SuspectIdentified);
        }
        if !self.suspect_in_custody {
            out.push(SolveCondition::SuspectInCustody);
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseState {
    /// 接报: a report has come in.
    Reported,
    /// 受案登记: accepted, a receipt handed out.
    Accepted {
        receipt: ReceiptNumber,
        accepted_on: Date,
    },
    /// 立案审查: deciding whether to register, against the review clock.
    UnderRegistrationReview {
        receipt: ReceiptNumber,
        started: Date,
        extension: ReviewExtension,
    },
    /// 立案: registered as a criminal case.
    Registered {
        registered_on: Date,
        fast_track: Option<FastTrackReason>,
    },
    /// 不予立案.
    NotRegistered { reason: CaseReason },
    /// 侦查.
    Investigating { registered_on: Date },
    /// 破案.
    Solved {
        registered_on: Date,
        solved_on: Date,
    },
    /// 侦查终结.
    InvestigationConcluded {
        registered_on: Date,
        solved_on: Date,
    },
    /// 移送起诉 (移送审查起诉): handed to the procuratorate.
    TransferredForProsecution {
        registered_on: Date,
        solved_on: Date,
    },
    /// 撤案.
    Withdrawn { reason: CaseReason },
    /// 移送管辖: handed to another authority.
    TransferredJurisdiction { to: Authority },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseStateKind {
    Reported,
    Accepted,
    UnderRegistrationReview,
    Registered,
    NotRegistered,
    Investigating,
    Solved,
    InvestigationConcluded,
    TransferredForProsecution,
    Withdrawn,
    TransferredJurisdiction,
}

impl CaseStateKind {
    pub const ALL: [CaseStateKind; 11] = [
        CaseStateKind::Reported,
        CaseStateKind::Accepted,
        CaseStateKind::UnderRegistrationReview,
        CaseStateKind::Registered,
        CaseStateKind::NotRegistered,
        CaseStateKind::Investigating,
        CaseStateKind::Solved,
        CaseStateKind::InvestigationConcluded,
        CaseStateKind::TransferredForProsecution,
        CaseStateKind::Withdrawn,
        CaseStateKind::TransferredJurisdiction,
    ];

    pub fn id(self) -> &'static str {
        match self {
            CaseStateKind::Reported => "reported",
            CaseStateKind::Accepted => "accepted",
            CaseStateKind::UnderRegistrationReview => "under_registration_review",
            CaseStateKind::Registered => "registered",
            CaseStateKind::NotRegistered => "not_registered",
            CaseStateKind::Investigating => "investigating",
            CaseStateKind::Solved => "solved",
            CaseStateKind::InvestigationConcluded => "investigation_concluded",
            CaseStateKind::TransferredForProsecution => "transferred_for_prosecution",
            CaseStateKind::Withdrawn => "withdrawn",
            CaseStateKind::TransferredJurisdiction => "transferred_jurisdiction",
        }
    }

    /// The term of criminal procedure: 立案, 破案, 移送起诉…
    pub fn term_zh(self) -> &'static str {
        match self {
            CaseStateKind::Reported => "接报",
            CaseStateKind::Accepted => "受案登记",
            CaseStateKind::UnderRegistrationReview => "立案审查",
            CaseStateKind::Registered => "立案",
            CaseStateKind::NotRegistered => "不予立案",
            CaseStateKind::Investigating => "侦查",
            CaseStateKind::Solved => "破案",
            CaseStateKind::InvestigationConcluded => "侦查终结",
            CaseStateKind::TransferredForProsecution => "移送起诉",
            CaseStateKind::Withdrawn => "撤案",
            CaseStateKind::TransferredJurisdiction => "移送管辖",
        }
    }

    /// The state as a status label in a zh-CN interface.
    pub fn label_zh(self) -> &'static str {
        match self {
            CaseStateKind::Reported => "已接报",
            CaseStateKind::Accepted => "已受案",
            CaseStateKind::UnderRegistrationReview => "立案审查中",
            CaseStateKind::Registered => "已立案",
            CaseStateKind::NotRegistered => "不予立案",
            CaseStateKind::Investigating => "侦查中",
            CaseStateKind::Solved => "已破案",
            CaseStateKind::InvestigationConcluded => "侦查终结",
            CaseStateKind::TransferredForProsecution => "已移送起诉",
            CaseStateKind::Withdrawn => "已撤案",
            CaseStateKind::TransferredJurisdiction => "已移送管辖",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CaseStateKind::Reported => "Reported",
            CaseStateKind::Accepted => "Accepted",
            CaseStateKind::UnderRegistrationReview => "Under registration review",
            CaseStateKind::Registered => "Registered",
            CaseStateKind::NotRegistered => "Not registered",
            CaseStateKind::Investigating => "Investigating",
            CaseStateKind::Solved => "Solved",
            CaseStateKind::InvestigationConcluded => "Investigation concluded",
            CaseStateKind::TransferredForProsecution => "Transferred for prosecution",
            CaseStateKind::Withdrawn => "Withdrawn",
            CaseStateKind::TransferredJurisdiction => "Transferred to another jurisdiction",
        }
    }

    /// The events this state accepts.
    pub fn allowed_events(self) -> &'static [CaseEventKind] {
        use CaseEventKind as E;
        match self {
            CaseStateKind::Reported => &[E::Accept],
            CaseStateKind::Accepted => &[
                E::StartReview,
                E::FastTrackRegister,
                E::TransferJurisdiction,
            ],
            CaseStateKind::UnderRegistrationReview => &[
                E::ExtendReview,
                E::Register,
                E::DeclineRegistration,
                E::TransferJurisdiction,
            ],
            CaseStateKind::Registered => {
                &[E::StartInvestigation, E::Withdraw, E::TransferJurisdiction]
            }
            CaseStateKind::Investigating => &[E::Solve, E::Withdraw, E::TransferJurisdiction],
            CaseStateKind::Solved => &[E::ConcludeInvestigation],
            CaseStateKind::InvestigationConcluded => &[E::TransferForProsecution],
            CaseStateKind::NotRegistered
            | CaseStateKind::TransferredForProsecution
            | CaseStateKind::Withdrawn
            | CaseStateKind::TransferredJurisdiction => &[],
        }
    }

    /// Whether the case has left the police's hands or ended there.
    pub fn is_final(self) -> bool {
        self.allowed_events().is_empty()
    }
}

impl fmt::Display for CaseStateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseEvent {
    Accept {
        receipt: ReceiptNumber,
    },
    StartReview,
    ExtendReview(ReviewExtension),
    Register,
    /// Registration at once, by the missing-child rule.
    FastTrackRegister(FastTrack),
    DeclineRegistration {
        reason: CaseReason,
    },
    StartInvestigation,
    Solve(SolveFacts),
    ConcludeInvestigation,
    TransferForProsecution,
    Withdraw {
        reason: CaseReason,
    },
    TransferJurisdiction {
        to: Authority,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseEventKind {
    Accept,
    StartReview,
    ExtendReview,
    Register,
    FastTrackRegister,
    DeclineRegistration,
    StartInvestigation,
    Solve,
    ConcludeInvestigation,
    TransferForProsecution,
    Withdraw,
    TransferJurisdiction,
}

impl CaseEventKind {
    pub const ALL: [CaseEventKind; 12] = [
        CaseEventKind::Accept,
        CaseEventKind::StartReview,
        CaseEventKind::ExtendReview,
        CaseEventKind::Register,
        CaseEventKind::FastTrackRegister,
        CaseEventKind::DeclineRegistration,
        CaseEventKind::StartInvestigation,
        CaseEventKind::Solve,
        CaseEventKind::ConcludeInvestigation,
        CaseEventKind::TransferForProsecution,
        CaseEventKind::Withdraw,
        CaseEventKind::TransferJurisdiction,
    ];

    pub fn id(self) -> &'static str {
        match self {
            CaseEventKind::Accept => "accept",
            CaseEventKind::StartReview => "start_review",
            CaseEventKind::ExtendReview => "extend_review",
            CaseEventKind::Register => "register",
            CaseEventKind::FastTrackRegister => "fast_track_register",
            CaseEventKind::DeclineRegistration => "decline_registration",
            CaseEventKind::StartInvestigation => "start_investigation",
            CaseEventKind::Solve => "solve",
            CaseEventKind::ConcludeInvestigation => "conclude_investigation",
            CaseEventKind::TransferForProsecution => "transfer_for_prosecution",
            CaseEventKind::Withdraw => "withdraw",
            CaseEventKind::TransferJurisdiction => "transfer_jurisdiction",
        }
    }
}

impl fmt::Display for CaseEventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl CaseEvent {
    pub fn kind(&self) -> CaseEventKind {
        match self {
            CaseEvent::Accept { .. } => CaseEventKind::Accept,
            CaseEvent::StartReview => CaseEventKind::StartReview,
            CaseEvent::ExtendReview(_) => CaseEventKind::ExtendReview,
            CaseEvent::Register => CaseEventKind::Register,
            CaseEvent::FastTrackRegister(_) => CaseEventKind::FastTrackRegister,
            CaseEvent::DeclineRegistration { .. } => CaseEventKind::DeclineRegistration,
            CaseEvent::StartInvestigation => CaseEventKind::StartInvestigation,
            CaseEvent::Solve(_) => CaseEventKind::Solve,
            CaseEvent::ConcludeInvestigation => CaseEventKind::ConcludeInvestigation,
            CaseEvent::TransferForProsecution => CaseEventKind::TransferForProsecution,
            CaseEvent::Withdraw { .. } => CaseEventKind::Withdraw,
            CaseEvent::TransferJurisdiction { .. } => CaseEventKind::TransferJurisdiction,
        }
    }
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn ids(items: &[SolveCondition]) -> String {
    items.iter().map(|c| c.id()).collect::<Vec<_>>().join(", ")
}

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("a case in state {from} ({}) cannot take the event {event}; allowed: {}", .from.term_zh(), list(.allowed))]
    NotAllowed {
        from: CaseStateKind,
        event: CaseEventKind,
        allowed: &'static [CaseEventKind],
    },
    #[error("the case cannot be marked solved: not met: {}", ids(.missing))]
    SolveConditionsUnmet { missing: Vec<SolveCondition> },
    #[error("the review period is already {current}; an extension must make it longer")]
    ExtensionNotLonger { current: &'static str },
    #[error("the review period ended on {deadline}; it can no longer be extended")]
    ReviewExpired { deadline: Date },
}

impl CaseError {
    pub fn code(&self) -> &'static str {
        match self {
            CaseError::NotAllowed { .. } => "case.transition.not_allowed",
            CaseError::SolveConditionsUnmet { .. } => "case.solve.conditions_unmet",
            CaseError::ExtensionNotLonger { .. } => "case.review.extension_not_longer",
            CaseError::ReviewExpired { .. } => "case.review.expired",
        }
    }
}

impl CaseState {
    pub fn kind(&self) -> CaseStateKind {
        match self {
            CaseState::Reported => CaseStateKind::Reported,
            CaseState::Accepted { .. } => CaseStateKind::Accepted,
            CaseState::UnderRegistrationReview { .. } => CaseStateKind::UnderRegistrationReview,
            CaseState::Registered { .. } => CaseStateKind::Registered,
            CaseState::NotRegistered { .. } => CaseStateKind::NotRegistered,
            CaseState::Investigating { .. } => CaseStateKind::Investigating,
            CaseState::Solved { .. } => CaseStateKind::Solved,
            CaseState::InvestigationConcluded { .. } => CaseStateKind::InvestigationConcluded,
            CaseState::TransferredForProsecution { .. } => CaseStateKind::TransferredForProsecution,
            CaseState::Withdrawn { .. } => CaseStateKind::Withdrawn,
            CaseState::TransferredJurisdiction { .. } => CaseStateKind::TransferredJurisdiction,
        }
    }

    /// The day the case was registered (立案), once it has been.
    pub fn registered_on(&self) -> Option<Date> {
        match self {
            CaseState::Registered { registered_on, .. }
            | CaseState::Investigating { registered_on }
            | CaseState::Solved { registered_on, .. }
            | CaseState::InvestigationConcluded { registered_on, .. }
            | CaseState::TransferredForProsecution { registered_on, .. } => Some(*registered_on),
            _ => None,
        }
    }

    /// The day the case was solved (破案), once it has been.
    pub fn solved_on(&self) -> Option<Date> {
        match self {
            CaseState::Solved { solved_on, .. }
            | CaseState::InvestigationConcluded { solved_on, .. }
            | CaseState::TransferredForProsecution { solved_on, .. } => Some(*solved_on),
            _ => None,
        }
    }

    /// The last day of the registration review, while under review.
    pub fn review_deadline(&self) -> Option<Date> {
        match self {
            CaseState::UnderRegistrationReview {
                started, extension, ..
            } => Some(review_deadline(*started, extension)),
            _ => None,
        }
    }

    /// Whether the registration review has run past its last day.
    pub fn is_review_overdue(&self, now: OffsetDateTime) -> bool {
        self.review_deadline().is_some_and(|d| china_date(now) > d)
    }

    /// The state after `event` at `now`, or why not. Dates are taken in China time.
    pub fn apply(&self, event: &CaseEvent, now: OffsetDateTime) -> Result<CaseState, CaseError> {
        let from = self.kind();
        let kind = event.kind();
        let allowed = from.allowed_events();
        let refuse = || CaseError::NotAllowed {
            from,
            event: kind,
            allowed,
        };
        if !allowed.contains(&kind) {
            return Err(refuse());
        }
        let today = china_date(now);
        match (self, event) {
            (CaseState::Reported, CaseEvent::Accept { receipt }) => Ok(CaseState::Accepted {
                receipt: receipt.clone(),
                accepted_on: today,
            }),
            (CaseState::Accepted { receipt, .. }, CaseEvent::StartReview) => {
                Ok(CaseState::UnderRegistrationReview {
                    receipt: receipt.clone(),
                    started: today,
                    extension: ReviewExtension::None,
                })
            }
            (CaseState::Accepted { .. }, CaseEvent::FastTrackRegister(ft)) => {
                Ok(CaseState::Registered {
                    registered_on: today,
                    fast_track: Some(ft.reason()),
                })
            }
            (
                CaseState::UnderRegistrationReview {
                    receipt,
                    started,
                    extension,
                },
                CaseEvent::ExtendReview(next),
            ) => {
                if next.rank() <= extension.rank() {
                    return Err(CaseError::ExtensionNotLonger {
                        current: extension.id(),
                    });
                }
                let deadline = review_deadline(*started, extension);
                if today > deadline {
                    return Err(CaseError::ReviewExpired { deadline });
                }
                Ok(CaseState::UnderRegistrationReview {
                    receipt: receipt.clone(),
                    started: *started,
                    extension: next.clone(),
                })
            }
            (CaseState::UnderRegistrationReview { .. }, CaseEvent::Register) => {
                Ok(CaseState::Registered {
                    registered_on: today,
                    fast_track: None,
                })
            }
            (
                CaseState::UnderRegistrationReview { .. },
                CaseEvent::DeclineRegistration { reason },
            ) => Ok(CaseState::NotRegistered {
                reason: reason.clone(),
            }),
            (CaseState::Registered { registered_on, .. }, CaseEvent::StartInvestigation) => {
                Ok(CaseState::Investigating {
                    registered_on: *registered_on,
                })
            }
            (CaseState::Investigating { registered_on }, CaseEvent::Solve(facts)) => {
                let missing = facts.missing();
                if !missing.is_empty() {
                    return Err(CaseError::SolveConditionsUnmet { missing });
                }
                Ok(CaseState::Solved {
                    registered_on: *registered_on,
                    solved_on: today,
                })
            }
            (
                CaseState::Solved {
                    registered_on,
                    solved_on,
                },
                CaseEvent::ConcludeInvestigation,
            ) => Ok(CaseState::InvestigationConcluded {
                registered_on: *registered_on,
                solved_on: *solved_on,
            }),
            (
                CaseState::InvestigationConcluded {
                    registered_on,
                    solved_on,
                },
                CaseEvent::TransferForProsecution,
            ) => Ok(CaseState::TransferredForProsecution {
                registered_on: *registered_on,
                solved_on: *solved_on,
            }),
            (
                CaseState::Registered { .. } | CaseState::Investigating { .. },
                CaseEvent::Withdraw { reason },
            ) => Ok(CaseState::Withdrawn {
                reason: reason.clone(),
            }),
            (
                CaseState::Accepted { .. }
                | CaseState::UnderRegistrationReview { .. }
                | CaseState::Registered { .. }
                | CaseState::Investigating { .. },
                CaseEvent::TransferJurisdiction { to },
            ) => Ok(CaseState::TransferredJurisdiction { to: to.clone() }),
            // allowed_events and the arms above list the same pairs; should they ever
            // differ, refusing is the safe answer.
            _ => Err(refuse()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_numbers() {
        assert_eq!(
            ReceiptNumber::parse(" A4302025100002026030001 ")
                .unwrap()
                .as_str(),
            "A4302025100002026030001"
        );
        assert!(ReceiptNumber::parse("株公（荷）受案字〔2026〕0123号").is_ok());
        assert_eq!(
            ReceiptNumber::parse("A12").unwrap_err(),
            ReceiptNumberError::Length { found: 3 }
        );
        assert_eq!(
            ReceiptNumber::parse(&"1".repeat(61)).unwrap_err().code(),
            "receipt_number.length"
        );
        assert_eq!(
            ReceiptNumber::parse("A123\n456").unwrap_err(),
            ReceiptNumberError::Control { position: 5 }
        );
    }

    #[test]
    fn reasons() {
        assert_eq!(
            CaseReason::parse("没有犯罪事实").unwrap_err(),
            CaseReasonError::TooShort { found: 6 }
        );
        assert!(CaseReason::parse("经审查没有犯罪事实发生，不予立案").is_ok());
        assert_eq!(
            CaseReason::parse(&"字".repeat(2001)).unwrap_err().code(),
            "case_reason.too_long"
        );
        assert_eq!(
            CaseReason::parse("经审查没有犯罪\u{0}事实发生")
                .unwrap_err()
                .code(),
            "case_reason.control"
        );
    }

    #[test]
    fn authorities() {
        let d = DivisionCode::parse("440304").unwrap();
        let a = Authority::new(" 深圳市公安局福田分局 ", d).unwrap();
        assert_eq!(a.name(), "深圳市公安局福田分局");
        assert_eq!(a.division(), d);
        assert_eq!(
            Authority::new("局", d).unwrap_err(),
            AuthorityError::NameLength { found: 1 }
        );
        assert_eq!(
            Authority::new("公安\u{202E}局", d).unwrap_err().code(),
            "authority.control"
        );
    }

    #[test]
    fn solve_facts_name_what_is_missing() {
        assert_eq!(
            SolveFacts::default().missing(),
            vec![
                SolveCondition::FactsProven,
                SolveCondition::SuspectIdentified,
                SolveCondition::SuspectInCustody
            ]
        );
        let almost = SolveFacts {
            facts_proven: true,
            suspect_identified: true,
            suspect_in_custody: false,
        };
        assert_eq!(almost.missing(), vec![SolveCondition::SuspectInCustody]);
        let all = SolveFacts {
            facts_proven: true,
            suspect_identified: true,
            suspect_in_custody: true,
        };
        assert!(all.missing().is_empty());
        let e = CaseError::SolveConditionsUnmet {
            missing: almost.missing(),
        };
        assert_eq!(
            e.to_string(),
            "the case cannot be marked solved: not met: suspect_in_custody"
        );
    }

    #[test]
    fn labels_are_distinct() {
        for f in [
            CaseStateKind::id,
            CaseStateKind::term_zh,
            CaseStateKind::label_zh,
            CaseStateKind::label_en,
        ] {
            let set: std::collections::HashSet<_> =
                CaseStateKind::ALL.iter().map(|k| f(*k)).collect();
            assert_eq!(set.len(), CaseStateKind::ALL.len());
        }
        let ev: std::collections::HashSet<_> = CaseEventKind::ALL.iter().map(|k| k.id()).collect();
        assert_eq!(ev.len(), CaseEventKind::ALL.len());
    }
}

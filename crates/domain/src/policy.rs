//! Who may do what: the access policy as one pure function, [`decide`].
//!
//! The service layer describes the actor and the action, including the facts about the
//! record that matter (whose unit owns it, whether the actor is assigned, what was
//! referred to the actor's unit); the policy answers [`Decision::Allow`],
//! [`Decision::AllowMasked`] (the masked record only: 张*, age band, district) or
//! [`Decision::Deny`] with a reason whose code the interface can explain.
//!
//! The rules, in short (`docs/access-policy.md` has the full matrix, which the tests
//! check against this code):
//! - need-to-know: full personal details only for the owning unit's assigned staff,
//!   the units a victim was referred to (only the sections referred), and the
//!   investigators of a linked case; everyone else with a reason to see the record sees
//!   it masked;
//! - admins never read case, tip, victim or DNA data; auditors read only the audit log;
//!   office and convenor see figures and masked records only; the lab sees DNA profiles
//!   by sample code only;
//! - an account holding a role that requires a second factor may, until it has passed
//!   one this session, only see its home page and enrol an authenticator;
//! - an account whose roles conflict (see [`Role::conflicts_with`]) may do nothing but
//!   manage its own account until an admin corrects it.
//!
//! Every `match` here names every role and every action: a new action does not compile
//! until each role has been given an answer.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::ids::{UnitId, UserId};
use crate::role::{Role, RoleSet};

/// The person asking, as the session knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub unit_id: UnitId,
    pub roles: RoleSet,
    /// Whether the session passed a second factor (TOTP) after the password.
    pub second_factor_verified: bool,
}

/// Changes a person makes to their own account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountChange {
    /// Set up an authenticator app: the one thing a session without a second factor may
    /// do besides seeing its home page.
    EnrolSecondFactor,
    ChangePassword,
    /// Sign out other sessions.
    EndSessions,
    /// Language and similar settings.
    Preferences,
}

/// Which figures or summaries: one unit's, or the whole city's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    City,
    Unit(UnitId),
}

/// Records that can be opened by breaking the glass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Tip,
    Case,
    Victim,
}

/// The parts of a victim's dedicated archive (专门档案). A referral names the sections
/// the receiving unit needs; the rest stay closed to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VictimSection {
    /// Name, ID number, photos, date of birth: what identifies the person.
    Identity,
    /// Phone numbers, addresses, family contacts.
    Contact,
    /// Medical and psychological treatment.
    Health,
    /// Shelter, relief, training and other services.
    Care,
    /// Legal aid, statements, court matters.
    Legal,
    /// Return assessment (回归评估) and follow-up of living conditions.
    Reintegration,
}

impl VictimSection {
    pub const ALL: [VictimSection; 6] = [
        VictimSection::Identity,
        VictimSection::Contact,
        VictimSection::Health,
        VictimSection::Care,
        VictimSection::Legal,
        VictimSection::Reintegration,
    ];

    pub fn id(self) -> &'static str {
        match self {
            VictimSection::Identity => "identity",
            VictimSection::Contact => "contact",
            VictimSection::Health => "health",
            VictimSection::Care => "care",
            VictimSection::Legal => "legal",
            VictimSection::Reintegration => "reintegration",
        }
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of victim sections, e.g. those referred to a unit.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct VictimSections(u8);

impl VictimSections {
    pub const NONE: VictimSections = VictimSections(0);
    pub const ALL: VictimSections = VictimSections((1 << VictimSection::ALL.len()) - 1);
    /// What investigators of a linked case need: who the person is, how to reach them,
    /// and the legal side. Health, care and reintegration records are not evidence and
    /// stay with the carers.
    pub const INVESTIGATION: VictimSections = VictimSections(
        VictimSection::Identity.bit() | VictimSection::Contact.bit() | VictimSection::Legal.bit(),
    );

    pub const fn contains(self, s: VictimSection) -> bool {
        self.0 & s.bit() != 0
    }
    pub const fn with(self, s: VictimSection) -> VictimSections {
        VictimSections(self.0 | s.bit())
    }
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = VictimSection> {
        VictimSection::ALL
            .into_iter()
            .filter(move |s| self.contains(*s))
    }
}

impl FromIterator<VictimSection> for VictimSections {
    fn from_iter<I: IntoIterator<Item = VictimSection>>(iter: I) -> Self {
        iter.into_iter()
            .fold(VictimSections::NONE, VictimSections::with)
    }
}

impl fmt::Debug for VictimSections {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(VictimSection::id))
            .finish()
    }
}

/// Everything an actor can ask to do, with the facts about the record that the decision
/// depends on. Booleans such as `assigned` are about the actor asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    ViewHome,
    ManageOwnAccount(AccountChange),
    /// The member units, their duties and contact people.
    ViewUnitDirectory,
    ManageUsers,
    ManageUnits,
    ManageConfiguration,
    RotateKeys,
    ViewAuditLog,
    /// Check the audit hash chain for edits and gaps (reveals no event's content).
    VerifyAuditChain,
    /// Aggregated figures: counts, clearance rate, share of victims helped.
    ViewFigures {
        scope: Scope,
    },
    /// Lists of masked records (张*, age band, district) for supervision.
    ViewMaskedSummary {
        scope: Scope,
    },
    /// Meetings, tasks and supervision (督办) of the joint conference.
    ManageConferenceTasks,
    /// A unit's tasks, implementation plan (实施计划), activities.
    ViewUnitWork {
        unit: UnitId,
    },
    EditUnitWork {
        unit: UnitId,
    },
    /// Member units report to law enforcement (the plan's reporting system).
    SubmitTip,
    /// A tip's content; the reporter's identity is [`Action::RevealReporter`].
    ReadTip {
        owner_unit: UnitId,
        assigned_to: Option<UserId>,
    },
    /// Accept, reject, assign or turn into a case.
    TriageTip {
        owner_unit: UnitId,
        assigned_to: Option<UserId>,
    },
    /// Who reported. `supervisor_of_assignee`: the actor supervises the assigned
    /// investigator.
    RevealReporter {
        owner_unit: UnitId,
        assigned_to: Option<UserId>,
        supervisor_of_assignee: bool,
    },
    /// Register (立案) a case in `unit`.
    OpenCase {
        unit: UnitId,
    },
    /// `assigned`: the actor is on the case. `referred_to_actor_unit`: the case was
    /// referred to the actor's unit.
    ReadCase {
        owner_unit: UnitId,
        assigned: bool,
        referred_to_actor_unit: bool,
    },
    WriteCase {
        owner_unit: UnitId,
        assigned: bool,
    },
    AssignCase {
        owner_unit: UnitId,
    },
    /// Open a dedicated archive for a rescued person in `unit`.
    RegisterVictim {
        unit: UnitId,
    },
    /// `assigned`: the actor is the person's assigned carer in the owning unit.
    /// `referred_sections`: sections under an active referral to the actor's unit.
    /// `linked_case_investigator`: the actor investigates a case linked to the person.
    ReadVictim {
        owner_unit: UnitId,
        section: VictimSection,
        assigned: bool,
        referred_sections: VictimSections,
        linked_case_investigator: bool,
    },
    WriteVictim {
        owner_unit: UnitId,
        section: VictimSection,
        assigned: bool,
        referred_sections: VictimSections,
        linked_case_investigator: bool,
    },
    /// Refer a victim (some sections) to another unit for care.
    ReferVictim {
        owner_unit: UnitId,
        assigned: bool,
        linked_case_investigator: bool,
    },
    /// Open a record one has no assignment to, in an emergency, with a stated purpose;
    /// audited and notified to the owner. Never reveals a reporter.
    BreakGlass {
        record: RecordKind,
    },
    /// STR profiles, by sample code only.
    ReadDnaProfile,
    RecordDnaProfile,
    RunKinshipSearch,
    ManageFrequencyTables,
}

impl Action {
    /// A stable id for logs and the audit trail.
    pub fn id(&self) -> &'static str {
        match self {
            Action::ViewHome => "home.view",
            Action::ManageOwnAccount(AccountChange::EnrolSecondFactor) => {
                "account.enrol_second_factor"
            }
            Action::ManageOwnAccount(AccountChange::ChangePassword) => "account.change_password",
            Action::ManageOwnAccount(AccountChange::EndSessions) => "account.end_sessions",
            Action::ManageOwnAccount(AccountChange::Preferences) => "account.preferences",
            Action::ViewUnitDirectory => "directory.view",
            Action::ManageUsers => "users.manage",
            Action::ManageUnits => "units.manage",
            Action::ManageConfiguration => "configuration.manage",
            Action::RotateKeys => "keys.rotate",
            Action::ViewAuditLog => "audit.view",
            Action::VerifyAuditChain => "audit.verify",
            Action::ViewFigures { .. } => "figures.view",
            Action::ViewMaskedSummary { .. } => "summaries.view",
            Action::ManageConferenceTasks => "conference_tasks.manage",
            Action::ViewUnitWork { .. } => "unit_work.view",
            Action::EditUnitWork { .. } => "unit_work.edit",
            Action::SubmitTip => "tip.submit",
            Action::ReadTip { .. } => "tip.read",
            Action::TriageTip { .. } => "tip.triage",
            Action::RevealReporter { .. } => "tip.reveal_reporter",
            Action::OpenCase { .. } => "case.open",
            Action::ReadCase { .. } => "case.read",
            Action::WriteCase { .. } => "case.write",
            Action::AssignCase { .. } => "case.assign",
            Action::RegisterVictim { .. } => "victim.register",
            Action::ReadVictim { .. } => "victim.read",
            Action::WriteVictim { .. } => "victim.write",
            Action::ReferVictim { .. } => "victim.refer",
            Action::BreakGlass { .. } => "break_glass",
            Action::ReadDnaProfile => "dna.read",
            Action::RecordDnaProfile => "dna.record",
            Action::RunKinshipSearch => "kinship.search",
            Action::ManageFrequencyTables => "frequency_tables.manage",
        }
    }
}

/// The policy's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    Allow,
    /// The masked record only (张*, age band, district; no contact details, no ID).
    AllowMasked,
    Deny(DenyReason),
}

impl Decision {
    /// Allowed, fully or masked.
    pub fn is_allowed(self) -> bool {
        !matches!(self, Decision::Deny(_))
    }
    pub fn is_masked(self) -> bool {
        self == Decision::AllowMasked
    }
    pub fn deny_reason(self) -> Option<DenyReason> {
        match self {
            Decision::Deny(r) => Some(r),
            _ => None,
        }
    }
    /// The more generous of two decisions by different roles of one actor.
    fn or(self, other: Decision) -> Decision {
        match (self, other) {
            (Decision::Allow, _) | (_, Decision::Allow) => Decision::Allow,
            (Decision::AllowMasked, _) | (_, Decision::AllowMasked) => Decision::AllowMasked,
            (Decision::Deny(a), Decision::Deny(b)) => {
                Decision::Deny(if b.specificity() > a.specificity() {
                    b
                } else {
                    a
                })
            }
        }
    }
}

/// Why an action was refused. The codes are stable: the interface explains them and the
/// audit log records them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum DenyReason {
    #[error("no role of this account may do this")]
    Role,
    #[error("the record belongs to another unit")]
    Unit,
    #[error("only the staff assigned to the record may do this")]
    NotAssigned,
    #[error("the record, or this section of it, was not referred to your unit")]
    NotReferred,
    #[error("only investigators of a linked case may do this")]
    NotLinked,
    #[error("this section of the record is outside your need to know")]
    Section,
    #[error("sign in with your second factor first")]
    SecondFactorRequired,
    #[error("administrators do not see case, tip, victim or DNA data")]
    AdminNoCaseData,
    #[error("this account holds roles that exclude each other; an administrator must correct them")]
    RoleConflict,
    #[error("this account has no role yet")]
    NoRole,
}

impl DenyReason {
    pub const ALL: [DenyReason; 10] = [
        DenyReason::Role,
        DenyReason::Unit,
        DenyReason::NotAssigned,
        DenyReason::NotReferred,
        DenyReason::NotLinked,
        DenyReason::Section,
        DenyReason::SecondFactorRequired,
        DenyReason::AdminNoCaseData,
        DenyReason::RoleConflict,
        DenyReason::NoRole,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DenyReason::Role => "role",
            DenyReason::Unit => "unit",
            DenyReason::NotAssigned => "not_assigned",
            DenyReason::NotReferred => "not_referred",
            DenyReason::NotLinked => "not_linked",
            DenyReason::Section => "section",
            DenyReason::SecondFactorRequired => "second_factor_required",
            DenyReason::AdminNoCaseData => "admin_no_case_data",
            DenyReason::RoleConflict => "role_conflict",
            DenyReason::NoRole => "no_role",
        }
    }

    /// When an actor's roles all refuse, the reason shown is the one that says most
    /// about what would make the action possible.
    fn specificity(self) -> u8 {
        match self {
            DenyReason::Section => 9,
            DenyReason::NotAssigned => 8,
            DenyReason::NotReferred => 7,
            DenyReason::NotLinked => 6,
            DenyReason::Unit => 5,
            DenyReason::AdminNoCaseData => 4,
            DenyReason::Role => 3,
            DenyReason::SecondFactorRequired | DenyReason::RoleConflict | DenyReason::NoRole => 0,
        }
    }
}

/// Decides whether `actor` may take `action`.
pub fn decide(actor: &Actor, action: &Action) -> Decision {
    if *action == Action::ViewHome {
        return Decision::Allow;
    }
    // Before the second factor, the session has proven only the password, which is the
    // thing an attacker is most likely to have: it may enrol an authenticator (for an
    // account that has none, the service offers nothing else) and nothing more, and it
    // learns nothing about what the account could do.
    if actor.roles.requires_second_factor() && !actor.second_factor_verified {
        return match action {
            Action::ManageOwnAccount(AccountChange::EnrolSecondFactor) => Decision::Allow,
            _ => Decision::Deny(DenyReason::SecondFactorRequired),
        };
    }
    if let Action::ManageOwnAccount(_) = action {
        return Decision::Allow;
    }
    if actor.roles.conflict().is_some() {
        return Decision::Deny(DenyReason::RoleConflict);
    }
    actor
        .roles
        .iter()
        .map(|role| decide_for_role(role, actor, action))
        .reduce(Decision::or)
        .unwrap_or(Decision::Deny(DenyReason::NoRole))
}

fn decide_for_role(role: Role, actor: &Actor, action: &Action) -> Decision {
    use Decision::{Allow, AllowMasked, Deny};
    use DenyReason::{AdminNoCaseData, NotAssigned, NotLinked, NotReferred, Section, Unit};
    use Role::{
        Admin, Auditor, Caseworker, Convenor, Investigator, Lab, Liaison, Office, Supervisor,
    };
    const NO: Decision = Deny(DenyReason::Role);
    const NO_ADMIN: Decision = Deny(AdminNoCaseData);

    let own = |unit: &UnitId| *unit == actor.unit_id;
    let own_scope = |scope: &Scope| matches!(scope, Scope::Unit(u) if own(u));
    let is_me = |user: &Option<UserId>| user.as_ref() == Some(&actor.user_id);
    let allow_if = |cond: bool, otherwise: DenyReason| if cond { Allow } else { Deny(otherwise) };

    match action {
        Action::ViewHome | Action::ManageOwnAccount(_) | Action::ViewUnitDirectory => match role {
            Investigator | Supervisor | Caseworker | Lab | Liaison | Office | Convenor
            | Auditor | Admin => Allow,
        },
        Action::ManageUsers
        | Action::ManageUnits
        | Action::ManageConfiguration
        | Action::RotateKeys => match role {
            Admin => Allow,
            Investigator | Supervisor | Caseworker | Lab | Liaison | Office | Convenor
            | Auditor => NO,
        },
        Action::ViewAuditLog => match role {
            Auditor => Allow,
            Investigator | Supervisor | Caseworker | Lab | Liaison | Office | Convenor | Admin => {
                NO
            }
        },
        Action::VerifyAuditChain => match role {
            Auditor | Admin => Allow,
            Investigator | Supervisor | Caseworker | Lab | Liaison | Office | Convenor => NO,
        },
        Action::ViewFigures { scope } => match role {
            Office | Convenor => Allow,
            Investigator | Supervisor | Caseworker | Liaison => allow_if(own_scope(scope), Unit),
            Lab | Auditor => NO,
            Admin => NO_ADMIN,
        },
        Action::ViewMaskedSummary { scope } => match role {
            Office | Convenor => Allow,
            Investigator | Supervisor | Caseworker => allow_if(own_scope(scope), Unit),
            Lab | Liaison | Auditor => NO,
            Admin => NO_ADMIN,
        },
        Action::ManageConferenceTasks => match role {
            Office | Convenor => Allow,
            Investigator | Supervisor | Caseworker | Lab | Liaison | Auditor | Admin => NO,
        },
        Action::ViewUnitWork { unit } => match role {
            // The conference shares plans between units; they name no one.
            Liaison | Office | Convenor => Allow,
            Investigator | Supervisor | Caseworker | Lab => allow_if(own(unit), Unit),
            Auditor | Admin => NO,
        },
        Action::EditUnitWork { unit } => match role {
            Liaison => allow_if(own(unit), Unit),
            Investigator | Supervisor | Caseworker | Lab | Office | Convenor | Auditor | Admin => {
                NO
            }
        },
        Action::SubmitTip => match role {
            Investigator | Supervisor | Caseworker | Liaison | Office | Convenor => Allow,
            Lab | Auditor => NO,
            Admin => NO_ADMIN,
        },
        Action::ReadTip {
            owner_unit,
            assigned_to,
        } => match role {
            Investigator | Supervisor => allow_if(own(owner_unit) || is_me(assigned_to), Unit),
            Office | Convenor => AllowMasked,
            Caseworker | Lab | Liaison | Auditor => NO,
            Admin => NO_ADMIN,
        },
        Action::TriageTip {
            owner_unit,
            assigned_to,
        } => match role {
            Investigator | Supervisor => allow_if(own(owner_unit) || is_me(assigned_to), Unit),
            Caseworker | Lab | Liaison | Office | Convenor | Auditor => NO,
            Admin => NO_ADMIN,
        },
        Action::RevealReporter {
            owner_unit,
            assigned_to,
            supervisor_of_assignee,
        } => {
            let not_mine = if own(owner_unit) { NotAssigned } else { Unit };
            match role {
                Investigator => allow_if(is_me(assigned_to), not_mine),
                Supervisor => allow_if(
                    is_me(assigned_to)
                        || (own(owner_unit) && assigned_to.is_some() && *supervisor_of_assignee),
                    not_mine,
                ),
                Caseworker | Lab | Liaison | Office | Convenor | Auditor => NO,
                Admin => NO_ADMIN,
            }
        }
        Action::OpenCase { unit } => match role {
            Investigator | Supervisor => allow_if(own(unit), Unit),
            Caseworker | Lab | Liaison | Office | Convenor | Auditor => NO,
            Admin => NO_ADMIN,
        },
        Action::ReadCase {
            owner_unit,
            assigned,
            referred_to_actor_unit,
        } => match role {
            Investigator if *assigned => Allow,
            Investigator if own(owner_unit) || *referred_to_actor_unit => AllowMasked,
            Investigator => Deny(Unit),
            Supervisor if *assigned || own(owner_unit) => Allow,
            Supervisor if *referred_to_actor_unit => AllowMasked,
            Supervisor => Deny(Unit),
            Caseworker if *referred_to_actor_unit => AllowMasked,
            Caseworker => Deny(NotReferred),
            Office | Convenor => AllowMasked,
            Lab | Liaison | Auditor => NO,
            Admin => NO_ADMIN,
        },
        Action::WriteCase {
            owner_unit,
            assigned,
        } => match role {
            Investigator if *assigned => Allow,
            Investigator => Deny(if own(owner_unit) { NotAssigned } else { Unit }),
            Supervisor => allow_if(*assigned || own(owner_unit), Unit),
            Caseworker | Lab | Liaison | Office | Convenor | Auditor => NO,
            Admin => NO_ADMIN,
        },
        Action::AssignCase { owner_unit } => match role {
            Supervisor => allow_if(own(owner_unit), Unit),
            Investigator | Caseworker | Lab | Liaison | Office | Convenor | Auditor => NO,
            Admin => NO_ADMIN,
        },
        Action::RegisterVictim { unit } => match role {
            Investigator | Supervisor | Caseworker => allow_if(own(unit), Unit),
            Lab | Liaison | Office | Convenor | Auditor => NO,
            Admin => NO_ADMIN,
        },
        Action::ReadVictim {
            owner_unit,
            section,
            assigned,
            referred_sections,
            linked_case_investigator,
        } => {
            let investigates = *linked_case_investigator;
            let identity = *section == VictimSection::Identity;
            match role {
                Caseworker if own(owner_unit) && *assigned => Allow,
                Caseworker if referred_sections.contains(*section) => Allow,
                Caseworker if own(owner_unit) && identity => AllowMasked,
                Caseworker if own(owner_unit) => Deny(NotAssigned),
                Caseworker => Deny(NotReferred),
                Investigator | Supervisor if investigates => {
                    allow_if(VictimSections::INVESTIGATION.contains(*section), Section)
                }
                Investigator => Deny(NotLinked),
                Supervisor if own(owner_unit) && identity => AllowMasked,
                Supervisor if own(owner_unit) => Deny(Section),
                Supervisor => Deny(NotLinked),
                Office | Convenor if identity => AllowMasked,
                Office | Convenor => Deny(Section),
                Lab | Liaison | Auditor => NO,
                Admin => NO_ADMIN,
            }
        }
        Action::WriteVictim {
            owner_unit,
            section,
            assigned,
            referred_sections,
            linked_case_investigator,
        } => match role {
            Caseworker if own(owner_unit) && *assigned => Allow,
            Caseworker if referred_sections.contains(*section) => Allow,
            Caseworker if own(owner_unit) => Deny(NotAssigned),
            Caseworker => Deny(NotReferred),
            Investigator | Supervisor if *linked_case_investigator => {
                allow_if(VictimSections::INVESTIGATION.contains(*section), Section)
            }
            Investigator | Supervisor => Deny(NotLinked),
            Lab | Liaison | Office | Convenor | Auditor => NO,
            Admin => NO_ADMIN,
        },
        Action::ReferVictim {
            owner_unit,
            assigned,
            linked_case_investigator,
        } => match role {
            Caseworker if own(owner_unit) => allow_if(*assigned, NotAssigned),
            Caseworker => Deny(Unit),
            Investigator | Supervisor => allow_if(*linked_case_investigator, NotLinked),
            Lab | Liaison | Office | Convenor | Auditor => NO,
            Admin => NO_ADMIN,
        },
        Action::BreakGlass { record } => match role {
            Investigator | Supervisor => Allow,
            Caseworker => allow_if(*record == RecordKind::Victim, DenyReason::Role),
            Lab | Liaison | Office | Convenor | Auditor => NO,
            Admin => NO_ADMIN,
        },
        Action::ReadDnaProfile | Action::RecordDnaProfile | Action::RunKinshipSearch => {
            match role {
                Lab => Allow,
                Investigator | Supervisor | Caseworker | Liaison | Office | Convenor | Auditor => {
                    NO
                }
                Admin => NO_ADMIN,
            }
        }
        Action::ManageFrequencyTables => match role {
            // The lab knows which validated table applies; the admin may load it for them.
            Lab | Admin => Allow,
            Investigator | Supervisor | Caseworker | Liaison | Office | Convenor | Auditor => NO,
        },
    }
}

/// What a session can reach, for menus and the home page. Each capability holds when
/// the policy allows (fully or masked) at least one of its probe actions in the most
/// favourable context for the actor (own unit, assigned, referred, linked), so menus
/// can never offer what the policy refuses everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    ManageOwnAccount,
    ViewUnitDirectory,
    ManageUsers,
    ManageUnits,
    ManageConfiguration,
    RotateKeys,
    ViewAuditLog,
    VerifyAuditChain,
    /// Own unit's figures.
    ViewFigures,
    /// The whole city's figures.
    ViewCityFigures,
    ViewMaskedSummaries,
    ManageConferenceTasks,
    ViewUnitWork,
    EditUnitWork,
    SubmitTip,
    Tips,
    Cases,
    Victims,
    BreakGlass,
    DnaProfiles,
    KinshipSearch,
    FrequencyTables,
}

impl Capability {
    pub const ALL: [Capability; 22] = [
        Capability::ManageOwnAccount,
        Capability::ViewUnitDirectory,
        Capability::ManageUsers,
        Capability::ManageUnits,
        Capability::ManageConfiguration,
        Capability::RotateKeys,
        Capability::ViewAuditLog,
        Capability::VerifyAuditChain,
        Capability::ViewFigures,
        Capability::ViewCityFigures,
        Capability::ViewMaskedSummaries,
        Capability::ManageConferenceTasks,
        Capability::ViewUnitWork,
        Capability::EditUnitWork,
        Capability::SubmitTip,
        Capability::Tips,
        Capability::Cases,
        Capability::Victims,
        Capability::BreakGlass,
        Capability::DnaProfiles,
        Capability::KinshipSearch,
        Capability::FrequencyTables,
    ];

    /// A stable id for templates and translation keys.
    pub fn id(self) -> &'static str {
        match self {
            Capability::ManageOwnAccount => "own_account",
            Capability::ViewUnitDirectory => "unit_directory",
            Capability::ManageUsers => "users",
            Capability::ManageUnits => "units",
            Capability::ManageConfiguration => "configuration",
            Capability::RotateKeys => "keys",
            Capability::ViewAuditLog => "audit_log",
            Capability::VerifyAuditChain => "audit_verify",
            Capability::ViewFigures => "figures",
            Capability::ViewCityFigures => "city_figures",
            Capability::ViewMaskedSummaries => "masked_summaries",
            Capability::ManageConferenceTasks => "conference_tasks",
            Capability::ViewUnitWork => "unit_work",
            Capability::EditUnitWork => "unit_work_edit",
            Capability::SubmitTip => "submit_tip",
            Capability::Tips => "tips",
            Capability::Cases => "cases",
            Capability::Victims => "victims",
            Capability::BreakGlass => "break_glass",
            Capability::DnaProfiles => "dna_profiles",
            Capability::KinshipSearch => "kinship_search",
            Capability::FrequencyTables => "frequency_tables",
        }
    }

    fn probes(self, actor: &Actor) -> Vec<Action> {
        let own = || actor.unit_id.clone();
        match self {
            Capability::ManageOwnAccount => [
                AccountChange::EnrolSecondFactor,
                AccountChange::ChangePassword,
                AccountChange::EndSessions,
                AccountChange::Preferences,
            ]
            .map(Action::ManageOwnAccount)
            .to_vec(),
            Capability::ViewUnitDirectory => vec![Action::ViewUnitDirectory],
            Capability::ManageUsers => vec![Action::ManageUsers],
            Capability::ManageUnits => vec![Action::ManageUnits],
            Capability::ManageConfiguration => vec![Action::ManageConfiguration],
            Capability::RotateKeys => vec![Action::RotateKeys],
            Capability::ViewAuditLog => vec![Action::ViewAuditLog],
            Capability::VerifyAuditChain => vec![Action::VerifyAuditChain],
            Capability::ViewFigures => vec![Action::ViewFigures {
                scope: Scope::Unit(own()),
            }],
            Capability::ViewCityFigures => vec![Action::ViewFigures { scope: Scope::City }],
            Capability::ViewMaskedSummaries => vec![
                Action::ViewMaskedSummary {
                    scope: Scope::Unit(own()),
                },
                Action::ViewMaskedSummary { scope: Scope::City },
            ],
            Capability::ManageConferenceTasks => vec![Action::ManageConferenceTasks],
            Capability::ViewUnitWork => vec![Action::ViewUnitWork { unit: own() }],
            Capability::EditUnitWork => vec![Action::EditUnitWork { unit: own() }],
            Capability::SubmitTip => vec![Action::SubmitTip],
            Capability::Tips => {
                vec![Action::ReadTip {
                    owner_unit: own(),
                    assigned_to: Some(actor.user_id.clone()),
                }]
            }
            Capability::Cases => {
                vec![Action::ReadCase {
                    owner_unit: own(),
                    assigned: true,
                    referred_to_actor_unit: true,
                }]
            }
            Capability::Victims => vec![Action::ReadVictim {
                owner_unit: own(),
                section: VictimSection::Identity,
                assigned: true,
                referred_sections: VictimSections::ALL,
                linked_case_investigator: true,
            }],
            Capability::BreakGlass => [RecordKind::Tip, RecordKind::Case, RecordKind::Victim]
                .map(|record| Action::BreakGlass { record })
                .to_vec(),
            Capability::DnaProfiles => vec![Action::ReadDnaProfile],
            Capability::KinshipSearch => vec![Action::RunKinshipSearch],
            Capability::FrequencyTables => vec![Action::ManageFrequencyTables],
        }
    }
}

impl Serialize for Capability {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// Every capability the actor holds now, in [`Capability::ALL`] order.
pub fn capabilities(actor: &Actor) -> Vec<Capability> {
    Capability::ALL
        .into_iter()
        .filter(|c| {
            c.probes(actor)
                .iter()
                .any(|a| decide(actor, a).is_allowed())
        })
        .collect()
}

//! The roles a staff account can hold.
//!
//! | role | typical unit | works on |
//! |---|---|---|
//! | investigator | PSB | tips, criminal cases, victims linked to own cases |
//! | supervisor | PSB | oversees the unit's investigators, their tips and cases |
//! | caseworker | Civil Affairs, Women's Federation, Health, Justice, Labour… | rescued victims of own unit or referred to it |
//! | lab | PSB forensic lab | DNA profiles and kinship searches, by sample code only |
//! | liaison | every member unit | own unit's tasks, plans, activities |
//! | office | joint-conference office | meetings, tasks, supervision, evaluation; personal data masked |
//! | convenor | PSB deputy director | everything aggregated; personal data masked |
//! | auditor | discipline / oversight | the audit log, nothing else |
//! | admin | IT | accounts, units, configuration; no case data |

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Investigator,
    Supervisor,
    Caseworker,
    Lab,
    Liaison,
    Office,
    Convenor,
    Auditor,
    Admin,
}

/// A role id that names no role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{given:?} is not a role; the roles are {}", Role::ALL.map(Role::id).join(", "))]
pub struct UnknownRole {
    pub given: String,
}

impl UnknownRole {
    pub fn code(&self) -> &'static str {
        "role.unknown"
    }
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Investigator,
        Role::Supervisor,
        Role::Caseworker,
        Role::Lab,
        Role::Liaison,
        Role::Office,
        Role::Convenor,
        Role::Auditor,
        Role::Admin,
    ];

    pub fn all() -> &'static [Role] {
        &Role::ALL
    }

    /// The stable id stored with accounts and used in URLs and logs.
    pub const fn id(self) -> &'static str {
        match self {
            Role::Investigator => "investigator",
            Role::Supervisor => "supervisor",
            Role::Caseworker => "caseworker",
            Role::Lab => "lab",
            Role::Liaison => "liaison",
            Role::Office => "office",
            Role::Convenor => "convenor",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    /// The role with this id (surrounding whitespace and letter case ignored).
    pub fn parse(s: &str) -> Result<Role, UnknownRole> {
        let t = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.id().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownRole {
                given: s.to_owned(),
            })
    }

    pub const fn name_zh(self) -> &'static str {
        match self {
            Role::Investigator => "侦查员",
            Role::Supervisor => "办案主管",
            Role::Caseworker => "救助社工",
            Role::Lab => "DNA检验员",
            Role::Liaison => "联络员",
            Role::Office => "联席办工作人员",
            Role::Convenor => "召集人",
            Role::Auditor => "审计监督员",
            Role::Admin => "系统管理员",
        }
    }

    pub const fn name_en(self) -> &'static str {
        match self {
            Role::Investigator => "Investigator",
            Role::Supervisor => "Supervisor",
            Role::Caseworker => "Caseworker",
            Role::Lab => "Lab analyst",
            Role::Liaison => "Liaison",
            Role::Office => "Conference office",
            Role::Convenor => "Convenor",
            Role::Auditor => "Auditor",
            Role::Admin => "Administrator",
        }
    }

    /// Whether an account with this role must pass a second factor (TOTP) before it may
    /// do anything but enrol one.
    ///
    /// Every role but the liaison's sees personal data or controls who does:
    /// investigators, supervisors and caseworkers read victims and reporters; the lab holds
    /// genetic profiles; office and convenor see masked records, which together with case
    /// facts can still point to a person in a small county; the auditor reads who looked
    /// at whom, and the stated purposes name people; the admin creates the accounts that
    /// read everything. The liaison works on the unit's tasks, plans and activities and
    /// sees no one's record.
    pub const fn requires_second_factor(self) -> bool {
        match self {
            Role::Investigator
            | Role::Supervisor
            | Role::Caseworker
            | Role::Lab
            | Role::Office
            | Role::Convenor
            | Role::Auditor
            | Role::Admin => true,
            Role::Liaison => false,
        }
    }

    /// Whether one account may not hold both roles (separation of duties): the auditor
    /// checks everyone's actions and so holds no other role; the admin, who makes
    /// accounts, holds no role that reads case data or the audit log (a liaison's unit
    /// work is allowed, for the small unit whose IT person is also its liaison).
    pub const fn conflicts_with(self, other: Role) -> bool {
        if self as u8 == other as u8 {
            return false;
        }
        match (self, other) {
            (Role::Auditor, _) | (_, Role::Auditor) => true,
            (Role::Admin, Role::Liaison) | (Role::Liaison, Role::Admin) => false,
            (Role::Admin, _) | (_, Role::Admin) => true,
            _ => false,
        }
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A set of roles. Building one never fails, so that an account whose stored roles break
/// a rule can still be loaded and shown; [`RoleSet::checked`] is for accounts being
/// created or edited, and the policy refuses a set with a conflict (see
/// [`RoleSet::conflict`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RoleSet(u16);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleSetError {
    #[error(transparent)]
    Unknown(#[from] UnknownRole),
    #[error("one account cannot be both {} and {}", .0.id(), .1.id())]
    Conflict(Role, Role),
}

impl RoleSetError {
    pub fn code(&self) -> &'static str {
        match self {
            RoleSetError::Unknown(e) => e.code(),
            RoleSetError::Conflict(..) => "roles.conflict",
        }
    }
}

impl RoleSet {
    pub const EMPTY: RoleSet = RoleSet(0);

    pub const fn single(role: Role) -> RoleSet {
        RoleSet(role.bit())
    }

    /// A set for an account being created or edited: refuses conflicting roles.
    pub fn checked(roles: impl IntoIterator<Item = Role>) -> Result<RoleSet, RoleSetError> {
        let set: RoleSet = roles.into_iter().collect();
        match set.conflict() {
            Some((a, b)) => Err(RoleSetError::Conflict(a, b)),
            None => Ok(set),
        }
    }

    /// Parses role ids (as stored or submitted) and checks them like [`RoleSet::checked`].
    pub fn parse<S: AsRef<str>>(ids: impl IntoIterator<Item = S>) -> Result<RoleSet, RoleSetError> {
        let roles = ids
            .into_iter()
            .map(|s| Role::parse(s.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        RoleSet::checked(roles)
    }

    pub const fn contains(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    pub fn insert(&mut self, role: Role) {
        self.0 |= role.bit();
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The roles in [`Role::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |r| self.contains(*r))
    }

    /// The first pair of roles that one account may not hold together.
    pub fn conflict(self) -> Option<(Role, Role)> {
        self.iter()
            .find_map(|a| self.iter().find(|b| a.conflicts_with(*b)).map(|b| (a, b)))
    }

    /// Whether any role in the set requires a second factor.
    pub fn requires_second_factor(self) -> bool {
        self.iter().any(Role::requires_second_factor)
    }
}

impl FromIterator<Role> for RoleSet {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Self {
        let mut s = RoleSet::EMPTY;
        for r in iter {
            s.insert(r);
        }
        s
    }
}

impl From<Role> for RoleSet {
    fn from(r: Role) -> Self {
        RoleSet::single(r)
    }
}

impl fmt::Debug for RoleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(Role::id)).finish()
    }
}

impl Serialize for RoleSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        for r in Role::all() {
            assert_eq!(Role::parse(r.id()), Ok(*r));
            assert_eq!(Role::parse(&format!(" {} ", r.id().to_uppercase())), Ok(*r));
            assert_eq!(serde_json::to_string(r).unwrap(), format!("\"{}\"", r.id()));
            assert!(!r.name_zh().is_empty() && !r.name_en().is_empty());
        }
        let ids: std::collections::HashSet<_> = Role::ALL.map(Role::id).into_iter().collect();
        assert_eq!(ids.len(), 9);
        let e = Role::parse("root").unwrap_err();
        assert_eq!(e.code(), "role.unknown");
        assert!(e.to_string().contains("investigator"));
    }

    #[test]
    fn only_the_liaison_works_without_a_second_factor() {
        let without: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| !r.requires_second_factor())
            .collect();
        assert_eq!(without, [Role::Liaison]);
    }

    #[test]
    fn separation_of_duties() {
        assert!(RoleSet::checked([Role::Investigator, Role::Supervisor]).is_ok());
        assert!(RoleSet::checked([Role::Caseworker, Role::Liaison]).is_ok());
        assert!(RoleSet::checked([Role::Admin, Role::Liaison]).is_ok());
        assert_eq!(
            RoleSet::checked([Role::Admin, Role::Investigator]),
            Err(RoleSetError::Conflict(Role::Investigator, Role::Admin))
        );
        assert_eq!(
            RoleSet::checked([Role::Auditor, Role::Liaison])
                .unwrap_err()
                .code(),
            "roles.conflict"
        );
        assert_eq!(
            RoleSet::checked([Role::Admin, Role::Auditor])
                .unwrap_err()
                .code(),
            "roles.conflict"
        );
        for a in Role::ALL {
            assert!(!a.conflicts_with(a));
            for b in Role::ALL {
                assert_eq!(a.conflicts_with(b), b.conflicts_with(a), "{a} {b}");
            }
        }
        assert_eq!(
            RoleSet::parse(["lab", "nobody"]).unwrap_err().code(),
            "role.unknown"
        );
    }

    #[test]
    fn sets_behave_like_sets() {
        let s: RoleSet = [Role::Office, Role::Investigator, Role::Office]
            .into_iter()
            .collect();
        assert_eq!(s.len(), 2);
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            [Role::Investigator, Role::Office]
        );
        assert!(s.contains(Role::Office) && !s.contains(Role::Lab));
        assert!(RoleSet::EMPTY.is_empty());
        assert_eq!(format!("{s:?}"), r#"{"investigator", "office"}"#);
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"["investigator","office"]"#
        );
        assert!(!RoleSet::single(Role::Liaison).requires_second_factor());
        assert!(s.requires_second_factor());
    }
}

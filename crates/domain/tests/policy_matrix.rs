//! The access policy against an explicit table: every role × every action, in
//! representative contexts (own unit / other unit, assigned / not, referred / not,
//! linked / not). The same table is published in docs/access-policy.md, and a test keeps
//! the two identical.

use std::collections::BTreeSet;

use fanguai_domain::policy::{
    AccountChange, Action, Actor, Capability, Decision, DenyReason, RecordKind, Scope,
    VictimSection, capabilities, decide,
};
use fanguai_domain::{Role, RoleSet, UnitId, UserId};

/// Column order of the table.
const ROLES: [Role; 9] = [
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

/// Legend of the table.
const LEGEND: [(char, &str); 9] = [
    ('A', "allow"),
    ('M', "allow masked (张*, age band, district)"),
    ('r', "deny: `role`"),
    ('u', "deny: `unit`"),
    ('n', "deny: `not_assigned`"),
    ('f', "deny: `not_referred`"),
    ('l', "deny: `not_linked`"),
    ('s', "deny: `section`"),
    ('X', "deny: `admin_no_case_data`"),
];

fn symbol(d: Decision) -> char {
    match d {
        Decision::Allow => 'A',
        Decision::AllowMasked => 'M',
        Decision::Deny(DenyReason::Role) => 'r',
        Decision::Deny(DenyReason::Unit) => 'u',
        Decision::Deny(DenyReason::NotAssigned) => 'n',
        Decision::Deny(DenyReason::NotReferred) => 'f',
        Decision::Deny(DenyReason::NotLinked) => 'l',
        Decision::Deny(DenyReason::Section) => 's',
        Decision::Deny(DenyReason::AdminNoCaseData) => 'X',
        Decision::Deny(other) => panic!("{other:?} cannot occur for a verified single-role actor"),
    }
}

fn me() -> UserId {
    UserId::new("me")
}
fn colleague() -> Option<UserId> {
    Some(UserId::new("colleague"))
}
fn own() -> UnitId {
    UnitId::new("own-unit")
}
fn other() -> UnitId {
    UnitId::new("other-unit")
}

fn actor(roles: impl Into<RoleSet>, verified: bool) -> Actor {
    Actor {
        user_id: me(),
        unit_id: own(),
        roles: roles.into(),
        second_factor_verified: verified,
    }
}

struct Row {
    situation: &'static str,
    expected: &'static str,
    action: Action,
}

fn row(situation: &'static str, expected: &'static str, action: Action) -> Row {
    Row {
        situation,
        expected,
        action,
    }
}

fn victim(
    owner: UnitId,
    section: VictimSection,
    assigned: bool,
    referred: &[VictimSection],
    linked: bool,
) -> Action {
    Action::ReadVictim {
        owner_unit: owner,
        section,
        assigned,
        referred_sections: referred.iter().copied().collect(),
        linked_case_investigator: linked,
    }
}

fn write_victim(
    owner: UnitId,
    section: VictimSection,
    assigned: bool,
    referred: &[VictimSection],
    linked: bool,
) -> Action {
    Action::WriteVictim {
        owner_unit: owner,
        section,
        assigned,
        referred_sections: referred.iter().copied().collect(),
        linked_case_investigator: linked,
    }
}

/// The expected decisions. Columns: investigator, supervisor, caseworker, lab, liaison,
/// office, convenor, auditor, admin. The actor belongs to "own unit" and is "me".
#[rustfmt::skip]
fn matrix() -> Vec<Row> {
    use Action::*;
    use VictimSection::{Care, Health, Identity, Legal};
    vec![
        //   situation                                          Inv Sup Cw  Lab Lia Off Cnv Aud Adm
        row("home page",                                       "A   A   A   A   A   A   A   A   A", ViewHome),
        row("own account: enrol second factor",                "A   A   A   A   A   A   A   A   A", ManageOwnAccount(AccountChange::EnrolSecondFactor)),
        row("own account: change password",                    "A   A   A   A   A   A   A   A   A", ManageOwnAccount(AccountChange::ChangePassword)),
        row("own account: end other sessions",                 "A   A   A   A   A   A   A   A   A", ManageOwnAccount(AccountChange::EndSessions)),
        row("own account: preferences",                        "A   A   A   A   A   A   A   A   A", ManageOwnAccount(AccountChange::Preferences)),
        row("unit directory",                                  "A   A   A   A   A   A   A   A   A", ViewUnitDirectory),
        row("manage users",                                    "r   r   r   r   r   r   r   r   A", ManageUsers),
        row("manage units",                                    "r   r   r   r   r   r   r   r   A", ManageUnits),
        row("manage configuration",                            "r   r   r   r   r   r   r   r   A", ManageConfiguration),
        row("rotate keys",                                     "r   r   r   r   r   r   r   r   A", RotateKeys),
        row("audit log",                                       "r   r   r   r   r   r   r   A   r", ViewAuditLog),
        row("verify audit chain",                              "r   r   r   r   r   r   r   A   A", VerifyAuditChain),
        row("figures: own unit",                               "A   A   A   r   A   A   A   r   X", ViewFigures { scope: Scope::Unit(own()) }),
        row("figures: other unit",                             "u   u   u   r   u   A   A   r   X", ViewFigures { scope: Scope::Unit(other()) }),
        row("figures: whole city",                             "u   u   u   r   u   A   A   r   X", ViewFigures { scope: Scope::City }),
        row("masked summaries: own unit",                      "A   A   A   r   r   A   A   r   X", ViewMaskedSummary { scope: Scope::Unit(own()) }),
        row("masked summaries: other unit",                    "u   u   u   r   r   A   A   r   X", ViewMaskedSummary { scope: Scope::Unit(other()) }),
        row("masked summaries: whole city",                    "u   u   u   r   r   A   A   r   X", ViewMaskedSummary { scope: Scope::City }),
        row("conference meetings and tasks",                   "r   r   r   r   r   A   A   r   r", ManageConferenceTasks),
        row("unit work: view own unit's",                      "A   A   A   A   A   A   A   r   r", ViewUnitWork { unit: own() }),
        row("unit work: view other unit's",                    "u   u   u   u   A   A   A   r   r", ViewUnitWork { unit: other() }),
        row("unit work: edit own unit's",                      "r   r   r   r   A   r   r   r   r", EditUnitWork { unit: own() }),
        row("unit work: edit other unit's",                    "r   r   r   r   u   r   r   r   r", EditUnitWork { unit: other() }),
        row("submit a tip",                                    "A   A   A   r   A   A   A   r   X", SubmitTip),
        row("read tip: own unit, unassigned",                  "A   A   r   r   r   M   M   r   X", ReadTip { owner_unit: own(), assigned_to: None }),
        row("read tip: own unit, assigned to me",              "A   A   r   r   r   M   M   r   X", ReadTip { owner_unit: own(), assigned_to: Some(me()) }),
        row("read tip: own unit, assigned to a colleague",     "A   A   r   r   r   M   M   r   X", ReadTip { owner_unit: own(), assigned_to: colleague() }),
        row("read tip: other unit, assigned to me",            "A   A   r   r   r   M   M   r   X", ReadTip { owner_unit: other(), assigned_to: Some(me()) }),
        row("read tip: other unit, not mine",                  "u   u   r   r   r   M   M   r   X", ReadTip { owner_unit: other(), assigned_to: colleague() }),
        row("triage tip: own unit, unassigned",                "A   A   r   r   r   r   r   r   X", TriageTip { owner_unit: own(), assigned_to: None }),
        row("triage tip: other unit, assigned to me",          "A   A   r   r   r   r   r   r   X", TriageTip { owner_unit: other(), assigned_to: Some(me()) }),
        row("triage tip: other unit, not mine",                "u   u   r   r   r   r   r   r   X", TriageTip { owner_unit: other(), assigned_to: None }),
        row("reporter: own unit's tip, assigned to me",        "A   A   r   r   r   r   r   r   X", RevealReporter { owner_unit: own(), assigned_to: Some(me()), supervisor_of_assignee: false }),
        row("reporter: own unit's tip, assignee I supervise",  "n   A   r   r   r   r   r   r   X", RevealReporter { owner_unit: own(), assigned_to: colleague(), supervisor_of_assignee: true }),
        row("reporter: own unit's tip, a colleague's",         "n   n   r   r   r   r   r   r   X", RevealReporter { owner_unit: own(), assigned_to: colleague(), supervisor_of_assignee: false }),
        row("reporter: own unit's tip, unassigned",            "n   n   r   r   r   r   r   r   X", RevealReporter { owner_unit: own(), assigned_to: None, supervisor_of_assignee: false }),
        row("reporter: other unit's tip, assigned to me",      "A   A   r   r   r   r   r   r   X", RevealReporter { owner_unit: other(), assigned_to: Some(me()), supervisor_of_assignee: false }),
        row("reporter: other unit's tip, assignee supervised", "u   u   r   r   r   r   r   r   X", RevealReporter { owner_unit: other(), assigned_to: colleague(), supervisor_of_assignee: true }),
        row("open case: own unit",                             "A   A   r   r   r   r   r   r   X", OpenCase { unit: own() }),
        row("open case: other unit",                           "u   u   r   r   r   r   r   r   X", OpenCase { unit: other() }),
        row("read case: own unit, assigned",                   "A   A   f   r   r   M   M   r   X", ReadCase { owner_unit: own(), assigned: true, referred_to_actor_unit: false }),
        row("read case: own unit, not assigned",               "M   A   f   r   r   M   M   r   X", ReadCase { owner_unit: own(), assigned: false, referred_to_actor_unit: false }),
        row("read case: other unit, assigned",                 "A   A   f   r   r   M   M   r   X", ReadCase { owner_unit: other(), assigned: true, referred_to_actor_unit: false }),
        row("read case: other unit, referred to mine",         "M   M   M   r   r   M   M   r   X", ReadCase { owner_unit: other(), assigned: false, referred_to_actor_unit: true }),
        row("read case: other unit, neither",                  "u   u   f   r   r   M   M   r   X", ReadCase { owner_unit: other(), assigned: false, referred_to_actor_unit: false }),
        row("write case: own unit, assigned",                  "A   A   r   r   r   r   r   r   X", WriteCase { owner_unit: own(), assigned: true }),
        row("write case: own unit, not assigned",              "n   A   r   r   r   r   r   r   X", WriteCase { owner_unit: own(), assigned: false }),
        row("write case: other unit, assigned",                "A   A   r   r   r   r   r   r   X", WriteCase { owner_unit: other(), assigned: true }),
        row("write case: other unit, not assigned",            "u   u   r   r   r   r   r   r   X", WriteCase { owner_unit: other(), assigned: false }),
        row("assign case: own unit",                           "r   A   r   r   r   r   r   r   X", AssignCase { owner_unit: own() }),
        row("assign case: other unit",                         "r   u   r   r   r   r   r   r   X", AssignCase { owner_unit: other() }),
        row("register victim: own unit",                       "A   A   A   r   r   r   r   r   X", RegisterVictim { unit: own() }),
        row("register victim: other unit",                     "u   u   u   r   r   r   r   r   X", RegisterVictim { unit: other() }),
        row("victim identity: own unit, assigned",             "l   M   A   r   r   M   M   r   X", victim(own(), Identity, true, &[], false)),
        row("victim health: own unit, assigned",               "l   s   A   r   r   s   s   r   X", victim(own(), Health, true, &[], false)),
        row("victim identity: own unit, not assigned",         "l   M   M   r   r   M   M   r   X", victim(own(), Identity, false, &[], false)),
        row("victim health: own unit, not assigned",           "l   s   n   r   r   s   s   r   X", victim(own(), Health, false, &[], false)),
        row("victim health: other unit, health referred",      "l   l   A   r   r   s   s   r   X", victim(other(), Health, false, &[Health], false)),
        row("victim identity: other unit, health referred",    "l   l   f   r   r   M   M   r   X", victim(other(), Identity, false, &[Health], false)),
        row("victim identity: other unit, linked case",        "A   A   f   r   r   M   M   r   X", victim(other(), Identity, false, &[], true)),
        row("victim health: other unit, linked case",          "s   s   f   r   r   s   s   r   X", victim(other(), Health, false, &[], true)),
        row("victim identity: other unit, no link",            "l   l   f   r   r   M   M   r   X", victim(other(), Identity, false, &[], false)),
        row("write victim care: own unit, assigned",           "l   l   A   r   r   r   r   r   X", write_victim(own(), Care, true, &[], false)),
        row("write victim care: own unit, not assigned",       "l   l   n   r   r   r   r   r   X", write_victim(own(), Care, false, &[], false)),
        row("write victim health: other unit, referred",       "l   l   A   r   r   r   r   r   X", write_victim(other(), Health, false, &[Health], false)),
        row("write victim legal: other unit, linked case",     "A   A   f   r   r   r   r   r   X", write_victim(other(), Legal, false, &[], true)),
        row("write victim health: other unit, linked case",    "s   s   f   r   r   r   r   r   X", write_victim(other(), Health, false, &[], true)),
        row("refer victim: own unit, assigned",                "l   l   A   r   r   r   r   r   X", ReferVictim { owner_unit: own(), assigned: true, linked_case_investigator: false }),
        row("refer victim: own unit, not assigned",            "l   l   n   r   r   r   r   r   X", ReferVictim { owner_unit: own(), assigned: false, linked_case_investigator: false }),
        row("refer victim: other unit, linked case",           "A   A   u   r   r   r   r   r   X", ReferVictim { owner_unit: other(), assigned: false, linked_case_investigator: true }),
        row("break glass: tip",                                "A   A   r   r   r   r   r   r   X", BreakGlass { record: RecordKind::Tip }),
        row("break glass: case",                               "A   A   r   r   r   r   r   r   X", BreakGlass { record: RecordKind::Case }),
        row("break glass: victim",                             "A   A   A   r   r   r   r   r   X", BreakGlass { record: RecordKind::Victim }),
        row("DNA profile: read (by sample code)",              "r   r   r   A   r   r   r   r   X", ReadDnaProfile),
        row("DNA profile: record",                             "r   r   r   A   r   r   r   r   X", RecordDnaProfile),
        row("kinship search",                                  "r   r   r   A   r   r   r   r   X", RunKinshipSearch),
        row("allele frequency tables",                         "r   r   r   A   r   r   r   r   A", ManageFrequencyTables),
    ]
}

fn expected_symbols(r: &Row) -> Vec<char> {
    let s: Vec<char> = r
        .expected
        .split_whitespace()
        .map(|c| c.chars().next().unwrap())
        .collect();
    assert_eq!(
        s.len(),
        ROLES.len(),
        "row {:?} needs one entry per role",
        r.situation
    );
    s
}

/// Numbers every action variant. No wildcard: a new variant does not compile here until
/// it is given a number, and then [`every_action_variant_is_in_the_table`] fails until
/// the table has a row for it.
fn variant(a: &Action) -> usize {
    match a {
        Action::ViewHome => 0,
        Action::ManageOwnAccount(_) => 1,
        Action::ViewUnitDirectory => 2,
        Action::ManageUsers => 3,
        Action::ManageUnits => 4,
        Action::ManageConfiguration => 5,
        Action::RotateKeys => 6,
        Action::ViewAuditLog => 7,
        Action::VerifyAuditChain => 8,
        Action::ViewFigures { .. } => 9,
        Action::ViewMaskedSummary { .. } => 10,
        Action::ManageConferenceTasks => 11,
        Action::ViewUnitWork { .. } => 12,
        Action::EditUnitWork { .. } => 13,
        Action::SubmitTip => 14,
        Action::ReadTip { .. } => 15,
        Action::TriageTip { .. } => 16,
        Action::RevealReporter { .. } => 17,
        Action::OpenCase { .. } => 18,
        Action::ReadCase { .. } => 19,
        Action::WriteCase { .. } => 20,
        Action::AssignCase { .. } => 21,
        Action::RegisterVictim { .. } => 22,
        Action::ReadVictim { .. } => 23,
        Action::WriteVictim { .. } => 24,
        Action::ReferVictim { .. } => 25,
        Action::BreakGlass { .. } => 26,
        Action::ReadDnaProfile => 27,
        Action::RecordDnaProfile => 28,
        Action::RunKinshipSearch => 29,
        Action::ManageFrequencyTables => 30,
    }
}
const VARIANTS: usize = 31;

#[test]
fn every_action_variant_is_in_the_table() {
    let covered: BTreeSet<usize> = matrix().iter().map(|r| variant(&r.action)).collect();
    let missing: Vec<usize> = (0..VARIANTS).filter(|v| !covered.contains(v)).collect();
    assert!(
        missing.is_empty(),
        "action variants without a row: {missing:?}"
    );
}

#[test]
fn every_role_and_action_decides_as_the_table_says() {
    let mut wrong = Vec::new();
    for r in matrix() {
        for (role, want) in ROLES.iter().zip(expected_symbols(&r)) {
            let got = symbol(decide(&actor(*role, true), &r.action));
            if got != want {
                wrong.push(format!(
                    "{:<50} {:<12} expected {want}, got {got}",
                    r.situation,
                    role.id()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn admins_auditors_office_and_convenor_never_read_personal_data_in_full() {
    let personal = |a: &Action| {
        matches!(
            a,
            Action::ReadTip { .. }
                | Action::RevealReporter { .. }
                | Action::ReadCase { .. }
                | Action::ReadVictim { .. }
                | Action::ViewMaskedSummary { .. }
                | Action::BreakGlass { .. }
                | Action::ReadDnaProfile
        )
    };
    for r in matrix().iter().filter(|r| personal(&r.action)) {
        assert_eq!(
            decide(&actor(Role::Admin, true), &r.action),
            Decision::Deny(DenyReason::AdminNoCaseData)
        );
        assert_eq!(
            decide(&actor(Role::Auditor, true), &r.action),
            Decision::Deny(DenyReason::Role)
        );
        // Summaries are masked by construction; records open masked or not at all.
        if !matches!(r.action, Action::ViewMaskedSummary { .. }) {
            for role in [Role::Office, Role::Convenor] {
                assert_ne!(
                    decide(&actor(role, true), &r.action),
                    Decision::Allow,
                    "{role} {}",
                    r.situation
                );
            }
        }
    }
}

#[test]
fn without_the_second_factor_only_home_and_enrolment() {
    for role in ROLES {
        let unverified = actor(role, false);
        let verified = actor(role, true);
        for r in matrix() {
            let got = decide(&unverified, &r.action);
            if !role.requires_second_factor() {
                assert_eq!(got, decide(&verified, &r.action), "{role} {}", r.situation);
            } else if matches!(
                r.action,
                Action::ViewHome | Action::ManageOwnAccount(AccountChange::EnrolSecondFactor)
            ) {
                assert_eq!(got, Decision::Allow, "{role} {}", r.situation);
            } else {
                assert_eq!(
                    got,
                    Decision::Deny(DenyReason::SecondFactorRequired),
                    "{role} {}",
                    r.situation
                );
            }
        }
    }
    // One role that needs the factor is enough to hold the whole session back.
    let mixed = actor(RoleSet::from_iter([Role::Liaison, Role::Caseworker]), false);
    assert_eq!(
        decide(&mixed, &Action::EditUnitWork { unit: own() }),
        Decision::Deny(DenyReason::SecondFactorRequired)
    );
}

#[test]
fn several_roles_get_the_most_generous_answer() {
    for a in ROLES {
        for b in ROLES {
            if a.conflicts_with(b) {
                continue;
            }
            let both = actor(RoleSet::from_iter([a, b]), true);
            for r in matrix() {
                let da = decide(&actor(a, true), &r.action);
                let db = decide(&actor(b, true), &r.action);
                let d = decide(&both, &r.action);
                let want = if da == Decision::Allow || db == Decision::Allow {
                    Decision::Allow
                } else if da.is_masked() || db.is_masked() {
                    Decision::AllowMasked
                } else {
                    d
                };
                assert_eq!(d, want, "{a}+{b} {}", r.situation);
                if let Decision::Deny(reason) = d {
                    assert!(Some(reason) == da.deny_reason() || Some(reason) == db.deny_reason());
                }
            }
        }
    }
    // The reason shown is the one that says what would help.
    let caseworker_liaison = actor(RoleSet::from_iter([Role::Caseworker, Role::Liaison]), true);
    let action = victim(own(), VictimSection::Health, false, &[], false);
    assert_eq!(
        decide(&caseworker_liaison, &action),
        Decision::Deny(DenyReason::NotAssigned)
    );
}

#[test]
fn conflicting_roles_and_no_roles_reach_only_their_own_account() {
    let conflicted = actor(RoleSet::from_iter([Role::Admin, Role::Investigator]), true);
    let none = actor(RoleSet::EMPTY, true);
    for r in matrix() {
        let own_account = matches!(r.action, Action::ViewHome | Action::ManageOwnAccount(_));
        let c = decide(&conflicted, &r.action);
        let n = decide(&none, &r.action);
        if own_account {
            assert_eq!(
                (c, n),
                (Decision::Allow, Decision::Allow),
                "{}",
                r.situation
            );
        } else {
            assert_eq!(
                c,
                Decision::Deny(DenyReason::RoleConflict),
                "{}",
                r.situation
            );
            assert_eq!(n, Decision::Deny(DenyReason::NoRole), "{}", r.situation);
        }
    }
}

#[test]
fn deny_codes_are_stable_and_distinct() {
    let codes: Vec<&str> = DenyReason::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(
        codes,
        [
            "role",
            "unit",
            "not_assigned",
            "not_referred",
            "not_linked",
            "section",
            "second_factor_required",
            "admin_no_case_data",
            "role_conflict",
            "no_role"
        ]
    );
}

#[test]
fn action_ids_are_distinct_per_kind() {
    let mut seen = std::collections::BTreeMap::new();
    for r in matrix() {
        let prev = seen.insert(r.action.id(), variant(&r.action));
        assert!(
            prev.is_none_or(|v| v == variant(&r.action)),
            "{} names two kinds of action",
            r.action.id()
        );
    }
}

#[test]
fn capabilities_follow_the_policy() {
    use Capability::*;
    let expect: [(Role, &[Capability]); 9] = [
        (
            Role::Investigator,
            &[
                ManageOwnAccount,
                ViewUnitDirectory,
                ViewFigures,
                ViewMaskedSummaries,
                ViewUnitWork,
                SubmitTip,
                Tips,
                Cases,
                Victims,
                BreakGlass,
            ],
        ),
        (
            Role::Supervisor,
            &[
                ManageOwnAccount,
                ViewUnitDirectory,
                ViewFigures,
                ViewMaskedSummaries,
                ViewUnitWork,
                SubmitTip,
                Tips,
                Cases,
                Victims,
                BreakGlass,
            ],
        ),
        (
            Role::Caseworker,
            &[
                ManageOwnAccount,
                ViewUnitDirectory,
                ViewFigures,
                ViewMaskedSummaries,
                ViewUnitWork,
                SubmitTip,
                Cases,
                Victims,
                BreakGlass,
            ],
        ),
        (
            Role::Lab,
            &[
                ManageOwnAccount,
                ViewUnitDirectory,
                ViewUnitWork,
                DnaProfiles,
                KinshipSearch,
                FrequencyTables,
            ],
        ),
        (
            Role::Liaison,
            &[
                ManageOwnAccount,
                ViewUnitDirectory,
                ViewFigures,
                ViewUnitWork,
                EditUnitWork,
                SubmitTip,
            ],
        ),
        (
            Role::Office,
            &[
                ManageOwnAccount,
                ViewUnitDirectory,
                ViewFigures,
                ViewCityFigures,
                ViewMaskedSummaries,
                ManageConferenceTasks,
                ViewUnitWork,
                SubmitTip,
                Tips,
                Cases,
                Victims,
            ],
        ),
        (
            Role::Convenor,
            &[
                ManageOwnAccount,
                ViewUnitDirectory,
                ViewFigures,
                ViewCityFigures,
                ViewMaskedSummaries,
                ManageConferenceTasks,
                ViewUnitWork,
                SubmitTip,
                Tips,
                Cases,
                Victims,
            ],
        ),
        (
            Role::Auditor,
            &[
                ManageOwnAccount,
                ViewUnitDirectory,
                ViewAuditLog,
                VerifyAuditChain,
            ],
        ),
        (
            Role::Admin,
            &[
                ManageOwnAccount,
                ViewUnitDirectory,
                ManageUsers,
                ManageUnits,
                ManageConfiguration,
                RotateKeys,
                VerifyAuditChain,
                FrequencyTables,
            ],
        ),
    ];
    for (role, caps) in expect {
        assert_eq!(capabilities(&actor(role, true)), caps, "{role}");
        let before_factor = capabilities(&actor(role, false));
        if role.requires_second_factor() {
            assert_eq!(before_factor, [ManageOwnAccount], "{role}");
        } else {
            assert_eq!(before_factor, caps, "{role}");
        }
    }
    let ids: BTreeSet<&str> = Capability::ALL.iter().map(|c| c.id()).collect();
    assert_eq!(ids.len(), Capability::ALL.len());
}

/// Renders the table as Markdown, as published in docs/access-policy.md.
fn render() -> String {
    let mut out = String::new();
    out.push_str("| situation | action |");
    for r in ROLES {
        out.push_str(&format!(" {} |", r.id()));
    }
    out.push_str("\n|---|---|");
    for _ in ROLES {
        out.push_str(":-:|");
    }
    out.push('\n');
    for r in matrix() {
        out.push_str(&format!("| {} | `{}` |", r.situation, r.action.id()));
        for s in expected_symbols(&r) {
            out.push_str(&format!(" {s} |"));
        }
        out.push('\n');
    }
    out.push('\n');
    for (s, meaning) in LEGEND {
        out.push_str(&format!("- **{s}** {meaning}\n"));
    }
    out
}

#[test]
fn the_published_matrix_is_this_table() {
    let doc = include_str!("../../../docs/access-policy.md");
    let start = "<!-- matrix:start -->\n";
    let end = "<!-- matrix:end -->";
    let published = doc
        .split_once(start)
        .and_then(|(_, rest)| rest.split_once(end))
        .map(|(table, _)| table)
        .unwrap_or_default();
    let table = render();
    assert!(
        published == table,
        "docs/access-policy.md differs from the tested table; between the markers it should read:\n{table}"
    );
}

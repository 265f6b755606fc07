//! Tips: every state against every event, who may do what, the four-eyes rule for taking
//! no action, referrals, what the reporter sees, the public form, urgency and duplicates.

use fanguai_domain::cases::CaseId;
use fanguai_domain::ids::{UnitId, UserId};
use fanguai_domain::policy::Actor;
use fanguai_domain::role::Role;
use fanguai_domain::tips::{
    AckClock, Assignment, ContactForm, DecisionRecord, DuplicateReason, NoActionProposal,
    NoActionReason, ProposedDecision, PublicStatus, PublicTipForm, Referral, ReferralReason,
    ReferralState, RiskGroupForm, RiskSex, TipDecision, TipError, TipEvent, TipEventKind, TipState,
    TipStateKind, TipUrgency, TrackingCode, ValidTip, duplicate_score,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-03-02 10:00 +8);
const ACKED: OffsetDateTime = datetime!(2026-03-01 20:00 +8);

fn actor(user: &str, unit: &str, roles: &[Role]) -> Actor {
    Actor {
        user_id: UserId::new(user),
        unit_id: UnitId::new(unit),
        roles: roles.iter().copied().collect(),
        second_factor_verified: true,
    }
}

fn inv1() -> Actor {
    actor("inv1", "psb", &[Role::Investigator])
}
fn inv2() -> Actor {
    actor("inv2", "psb", &[Role::Investigator])
}
fn sup1() -> Actor {
    actor("sup1", "psb", &[Role::Supervisor])
}
fn sup2() -> Actor {
    actor("sup2", "psb", &[Role::Supervisor])
}
fn caseworker() -> Actor {
    actor("cw1", "civil_affairs", &[Role::Caseworker])
}

fn assignment() -> Assignment {
    Assignment {
        assignee: UserId::new("inv1"),
        acknowledged_at: ACKED,
    }
}

fn no_action_reason() -> NoActionReason {
    NoActionReason::parse("经现场核查，举报所述为正常务工介绍，当事人均已成年且自愿，无拐卖迹象。")
        .unwrap()
}

fn referral_reason() -> ReferralReason {
    ReferralReason::parse("涉及流浪未成年人救助，请民政部门核实并安置").unwrap()
}

fn decided(decision: TipDecision) -> TipState {
    TipState::Decided {
        assignment: assignment(),
        record: DecisionRecord {
            decision,
            decided_by: UserId::new("inv1"),
            decided_at: ACKED,
        },
    }
}

fn referral(state: ReferralState) -> TipDecision {
    TipDecision::Refer(Referral {
        to: UnitId::new("civil_affairs"),
        reason: referral_reason(),
        state,
    })
}

/// One state of every kind, and every kind of decision.
fn samples() -> Vec<(&'static str, TipState)> {
    vec![
        ("received", TipState::Received),
        ("acknowledged", TipState::Acknowledged(assignment())),
        ("under_review", TipState::UnderReview(assignment())),
        (
            "no_action_pending",
            TipState::NoActionPending {
                assignment: assignment(),
                proposal: NoActionProposal {
                    reason: no_action_reason(),
                    proposed_by: UserId::new("inv1"),
                    proposed_at: ACKED,
                },
            },
        ),
        ("decided_open_case", decided(TipDecision::OpenCase)),
        (
            "decided_join_case",
            decided(TipDecision::JoinCase(CaseId::new("case-7"))),
        ),
        (
            "decided_referral_pending",
            decided(referral(ReferralState::Pending)),
        ),
        (
            "decided_referral_acknowledged",
            decided(referral(ReferralState::Acknowledged {
                by: UserId::new("cw1"),
                at: NOW,
            })),
        ),
        (
            "decided_no_action",
            decided(TipDecision::NoAction {
                reason: no_action_reason(),
                approved_by: UserId::new("sup2"),
            }),
        ),
    ]
}

/// Each event with an actor who may take it whenever the state allows it.
fn event(kind: TipEventKind) -> (TipEvent, Actor) {
    match kind {
        TipEventKind::Acknowledge => (
            TipEvent::Acknowledge {
                assignee: UserId::new("inv1"),
            },
            inv1(),
        ),
        TipEventKind::Reassign => (
            TipEvent::Reassign {
                assignee: UserId::new("inv2"),
            },
            sup1(),
        ),
        TipEventKind::StartReview => (TipEvent::StartReview, inv1()),
        TipEventKind::Decide => (TipEvent::Decide(ProposedDecision::OpenCase), inv1()),
        TipEventKind::ApproveNoAction => (TipEvent::ApproveNoAction, sup2()),
        TipEventKind::RejectNoAction => (TipEvent::RejectNoAction, sup2()),
        TipEventKind::AcknowledgeReferral => (TipEvent::AcknowledgeReferral, caseworker()),
    }
}

use TipStateKind::{Acknowledged as Ack, Decided as Dec, UnderReview as Rev};
const X: Option<TipStateKind> = None;

/// Columns, in order: acknowledge, reassign, start_review, decide, approve_no_action,
/// reject_no_action, acknowledge_referral. `X` = refused.
#[rustfmt::skip]
const TABLE: [(&str, [Option<TipStateKind>; 7]); 9] = [
    //                                 ack        reassign   review     decide     approve    reject     ack_ref
    ("received",                      [Some(Ack), X,         X,         X,         X,         X,         X        ]),
    ("acknowledged",                  [X,         Some(Ack), Some(Rev), X,         X,         X,         X        ]),
    ("under_review",                  [X,         Some(Rev), X,         Some(Dec), X,         X,         X        ]),
    ("no_action_pending",             [X,         X,         X,         X,         Some(Dec), Some(Rev), X        ]),
    ("decided_open_case",             [X,         X,         X,         X,         X,         X,         X        ]),
    ("decided_join_case",             [X,         X,         X,         X,         X,         X,         X        ]),
    ("decided_referral_pending",      [X,         X,         X,         X,         X,         X,         Some(Dec)]),
    ("decided_referral_acknowledged", [X,         X,         X,         X,         X,         X,         X        ]),
    ("decided_no_action",             [X,         X,         X,         X,         X,         X,         X        ]),
];

#[test]
fn every_state_against_every_event() {
    let samples = samples();
    assert_eq!(samples.len(), TABLE.len());
    let mut cells = 0;
    for ((name, state), (row_name, row)) in samples.iter().zip(TABLE) {
        assert_eq!(*name, row_name, "rows in the order of the samples");
        for (kind, expected) in TipEventKind::ALL.into_iter().zip(row) {
            cells += 1;
            let (ev, who) = event(kind);
            let result = state.apply(&ev, &who, NOW);
            match expected {
                Some(to) => {
                    let next = result
                        .unwrap_or_else(|e| panic!("{name} + {kind}: expected {to}, refused: {e}"));
                    assert_eq!(next.kind(), to, "{name} + {kind}");
                }
                None => {
                    let err = result.expect_err(&format!("{name} + {kind} must be refused"));
                    assert_eq!(
                        err,
                        TipError::NotAllowed {
                            from: state.kind(),
                            event: kind,
                            allowed: state.allowed_events()
                        },
                        "{name} + {kind}"
                    );
                    assert_eq!(err.code(), "tip.transition.not_allowed");
                }
            }
        }
        let accepted: Vec<TipEventKind> = TipEventKind::ALL
            .into_iter()
            .zip(row)
            .filter(|(_, r)| r.is_some())
            .map(|(e, _)| e)
            .collect();
        assert_eq!(state.allowed_events(), accepted, "allowed events of {name}");
        assert_eq!(state.is_final(), accepted.is_empty(), "{name}");
    }
    assert_eq!(cells, 9 * 7);
}

#[test]
fn every_state_maps_to_one_public_status() {
    let expected = [
        PublicStatus::Received,
        PublicStatus::BeingHandled,
        PublicStatus::BeingHandled,
        PublicStatus::BeingHandled,
        PublicStatus::Closed,
        PublicStatus::Closed,
        PublicStatus::BeingHandled,
        PublicStatus::Closed,
        PublicStatus::Closed,
    ];
    for ((name, state), want) in samples().iter().zip(expected) {
        assert_eq!(state.public_status(), want, "{name}");
        assert!(["received", "being_handled", "closed"].contains(&state.public_status().id()));
    }
}

#[test]
fn every_final_state_holds_exactly_one_decision() {
    for (name, state) in samples() {
        assert_eq!(
            state.is_final(),
            state.decision().is_some() && state.public_status() == PublicStatus::Closed,
            "{name}"
        );
    }
}

#[test]
fn only_triage_roles_acknowledge() {
    let ev = TipEvent::Acknowledge {
        assignee: UserId::new("inv1"),
    };
    for who in [
        caseworker(),
        actor("adm", "psb", &[Role::Admin]),
        actor("off", "psb", &[Role::Office]),
    ] {
        let err = TipState::Received.apply(&ev, &who, NOW).unwrap_err();
        assert_eq!(err.code(), "tip.transition.role_required");
    }
    let s = TipState::Received.apply(&ev, &sup1(), NOW).unwrap();
    assert_eq!(
        s,
        TipState::Acknowledged(Assignment {
            assignee: UserId::new("inv1"),
            acknowledged_at: NOW
        })
    );
}

#[test]
fn only_the_assignee_or_a_supervisor_works_the_tip() {
    let acked = TipState::Acknowledged(assignment());
    let err = acked
        .apply(&TipEvent::StartReview, &inv2(), NOW)
        .unwrap_err();
    assert_eq!(
        err,
        TipError::NotAssignee {
            event: TipEventKind::StartReview
        }
    );
    assert_eq!(err.code(), "tip.transition.not_assignee");
    assert!(acked.apply(&TipEvent::StartReview, &sup1(), NOW).is_ok());

    let review = TipState::UnderReview(assignment());
    let decide = TipEvent::Decide(ProposedDecision::JoinCase(CaseId::new("case-9")));
    assert_eq!(
        review.apply(&decide, &inv2(), NOW).unwrap_err().code(),
        "tip.transition.not_assignee"
    );
    let s = review.apply(&decide, &inv1(), NOW).unwrap();
    assert_eq!(
        s.decision(),
        Some(&TipDecision::JoinCase(CaseId::new("case-9")))
    );

    // Reassigning is a supervisor's; the acknowledgement time stays.
    let err = review
        .apply(
            &TipEvent::Reassign {
                assignee: UserId::new("inv2"),
            },
            &inv1(),
            NOW,
        )
        .unwrap_err();
    assert_eq!(err.code(), "tip.transition.role_required");
    let s = review
        .apply(
            &TipEvent::Reassign {
                assignee: UserId::new("inv2"),
            },
            &sup1(),
            NOW,
        )
        .unwrap();
    assert_eq!(
        s,
        TipState::UnderReview(Assignment {
            assignee: UserId::new("inv2"),
            acknowledged_at: ACKED
        })
    );
    // And now the new assignee works it, the old one no longer.
    assert!(s.apply(&decide, &inv2(), NOW).is_ok());
    assert!(s.apply(&decide, &inv1(), NOW).is_err());
}

#[test]
fn no_action_needs_a_second_supervisor() {
    let review = TipState::UnderReview(assignment());
    let propose = TipEvent::Decide(ProposedDecision::NoAction(no_action_reason()));
    let pending = review.apply(&propose, &inv1(), NOW).unwrap();
    assert_eq!(pending.kind(), TipStateKind::NoActionPending);
    assert_eq!(pending.public_status(), PublicStatus::BeingHandled);
    assert_eq!(pending.decision(), None, "no decision before approval");

    // The investigator cannot approve; nor can a supervisor approve their own proposal.
    assert_eq!(
        pending
            .apply(&TipEvent::ApproveNoAction, &inv2(), NOW)
            .unwrap_err()
            .code(),
        "tip.transition.role_required"
    );
    let own = review.apply(&propose, &sup1(), NOW).unwrap();
    assert_eq!(
        own.apply(&TipEvent::ApproveNoAction, &sup1(), NOW)
            .unwrap_err(),
        TipError::SameReviewer
    );
    assert_eq!(
        own.apply(&TipEvent::RejectNoAction, &sup1(), NOW)
            .unwrap_err()
            .code(),
        "tip.no_action.same_reviewer"
    );
    assert!(own.apply(&TipEvent::ApproveNoAction, &sup2(), NOW).is_ok());

    // A different supervisor approves: the decision takes effect then.
    let approved_at = NOW + Duration::hours(3);
    let closed = pending
        .apply(&TipEvent::ApproveNoAction, &sup2(), approved_at)
        .unwrap();
    assert_eq!(
        closed,
        TipState::Decided {
            assignment: assignment(),
            record: DecisionRecord {
                decision: TipDecision::NoAction {
                    reason: no_action_reason(),
                    approved_by: UserId::new("sup2")
                },
                decided_by: UserId::new("inv1"),
                decided_at: approved_at,
            },
        }
    );
    assert_eq!(closed.public_status(), PublicStatus::Closed);
    assert!(closed.is_final());
}

#[test]
fn rejected_no_action_returns_for_more_work() {
    let review = TipState::UnderReview(assignment());
    let pending = review
        .apply(
            &TipEvent::Decide(ProposedDecision::NoAction(no_action_reason())),
            &inv1(),
            NOW,
        )
        .unwrap();
    let back = pending
        .apply(&TipEvent::RejectNoAction, &sup2(), NOW)
        .unwrap();
    assert_eq!(back, review);
    // Then another decision can be taken.
    let s = back
        .apply(&TipEvent::Decide(ProposedDecision::OpenCase), &inv1(), NOW)
        .unwrap();
    assert_eq!(s.decision(), Some(&TipDecision::OpenCase));
}

#[test]
fn no_action_reasons_must_say_something() {
    let err = NoActionReason::parse("无线索").unwrap_err();
    assert_eq!(err.code(), "tip.no_action_reason.too_short");
    assert!(err.to_string().contains("at least 20"), "{err}");
}

#[test]
fn referrals_are_acknowledged_by_the_receiving_unit() {
    let review = TipState::UnderReview(assignment());
    let refer = |to: &str| {
        TipEvent::Decide(ProposedDecision::Refer {
            to: UnitId::new(to),
            reason: referral_reason(),
        })
    };
    assert_eq!(
        review.apply(&refer("psb"), &inv1(), NOW).unwrap_err(),
        TipError::ReferToOwnUnit
    );

    let referred = review.apply(&refer("civil_affairs"), &inv1(), NOW).unwrap();
    assert_eq!(referred.public_status(), PublicStatus::BeingHandled);
    assert!(!referred.is_final());

    let other_unit = actor("hr", "labour", &[Role::Liaison]);
    assert_eq!(
        referred
            .apply(&TipEvent::AcknowledgeReferral, &other_unit, NOW)
            .unwrap_err(),
        TipError::WrongUnit
    );
    let admin = actor("adm", "civil_affairs", &[Role::Admin]);
    assert_eq!(
        referred
            .apply(&TipEvent::AcknowledgeReferral, &admin, NOW)
            .unwrap_err()
            .code(),
        "tip.transition.role_required"
    );

    let later = NOW + Duration::hours(5);
    let taken = referred
        .apply(&TipEvent::AcknowledgeReferral, &caseworker(), later)
        .unwrap();
    let Some(TipDecision::Refer(r)) = taken.decision() else {
        panic!("still a referral")
    };
    assert_eq!(
        r.state,
        ReferralState::Acknowledged {
            by: UserId::new("cw1"),
            at: later
        }
    );
    assert_eq!(r.to, UnitId::new("civil_affairs"));
    assert_eq!(taken.public_status(), PublicStatus::Closed);
    assert!(taken.is_final());
    assert_eq!(
        taken
            .apply(&TipEvent::AcknowledgeReferral, &caseworker(), later)
            .unwrap_err()
            .code(),
        "tip.transition.not_allowed"
    );
}

#[test]
fn a_tip_walks_from_receipt_to_one_decision() {
    let received_at = datetime!(2026-03-02 08:00 +8);
    let clock = AckClock::new(received_at, TipUrgency::Urgent);
    let mut s = TipState::Received;
    assert!(
        clock
            .escalation(&s, datetime!(2026-03-02 08:59 +8))
            .is_none()
    );
    let e = clock
        .escalation(&s, datetime!(2026-03-02 09:15 +8))
        .unwrap();
    assert_eq!(e.overdue_by, Duration::minutes(15));

    s = s
        .apply(
            &TipEvent::Acknowledge {
                assignee: UserId::new("inv1"),
            },
            &sup1(),
            datetime!(2026-03-02 09:20 +8),
        )
        .unwrap();
    assert!(
        clock
            .escalation(&s, datetime!(2026-03-02 12:00 +8))
            .is_none()
    );
    assert!(clock.missed_deadline(&s, datetime!(2026-03-02 12:00 +8)));
    assert_eq!(clock.time_to_acknowledge(&s), Some(Duration::minutes(80)));
    s = s
        .apply(
            &TipEvent::StartReview,
            &inv1(),
            datetime!(2026-03-02 09:30 +8),
        )
        .unwrap();
    s = s
        .apply(
            &TipEvent::Decide(ProposedDecision::OpenCase),
            &inv1(),
            datetime!(2026-03-02 11:00 +8),
        )
        .unwrap();
    assert!(s.is_final());
    assert_eq!(s.public_status(), PublicStatus::Closed);
    // The acknowledgement time survives every later state.
    assert_eq!(clock.time_to_acknowledge(&s), Some(Duration::minutes(80)));
}

// ---- the public form ----

fn form() -> PublicTipForm {
    PublicTipForm {
        what_happened: "火车站附近有一名中年男子带着一个哭闹的小女孩，孩子一直喊不认识他。"
            .to_owned(),
        division: "430203".to_owned(),
        address: "株洲火车站东广场".to_owned(),
        date: "2026-03-02".to_owned(),
        time: "08:40".to_owned(),
        people_at_risk: vec![RiskGroupForm {
            count: "1".into(),
            sex: "female".into(),
            age_band: "3-5".into(),
        }],
        suspects: vec![
            "男，约40岁，黑色夹克，说外地口音".to_owned(),
            "  ".to_owned(),
        ],
        vehicles: vec!["湘B·12345".to_owned()],
        phones: vec!["138 0000 1234".to_owned()],
        accounts: vec![],
        child_involved: false,
        immediate_danger: true,
        contact: ContactForm::default(),
    }
}

#[test]
fn a_complete_form_becomes_a_valid_tip() {
    let tip = form().validate(NOW).unwrap();
    assert_eq!(tip.division().to_string(), "430203");
    assert_eq!(tip.address(), Some("株洲火车站东广场"));
    assert_eq!(tip.when().date, time::macros::date!(2026 - 03 - 02));
    assert_eq!(tip.when().time, Some(time::macros::time!(08:40)));
    assert_eq!(tip.people_at_risk_total(), 1);
    assert_eq!(tip.people_at_risk()[0].sex, RiskSex::Female);
    assert_eq!(tip.suspects().len(), 1, "blank rows are skipped");
    assert_eq!(tip.vehicles()[0].as_str(), "湘B12345");
    assert_eq!(tip.phones()[0].as_str(), "13800001234");
    assert!(tip.contact().is_none(), "anonymous");
    assert!(
        tip.involves_minor(),
        "a 3–5-year-old is a minor even without the tick"
    );
    assert_eq!(tip.urgency(), TipUrgency::Urgent);
    // Debug never shows what the reporter wrote.
    let dbg = format!("{tip:?}");
    assert!(
        !dbg.contains("小女孩") && !dbg.contains("13800001234") && !dbg.contains("12345"),
        "{dbg}"
    );
}

#[test]
fn urgency_follows_the_content() {
    let adult = |child: bool, danger: bool| {
        let mut f = form();
        f.people_at_risk = vec![RiskGroupForm {
            count: "2".into(),
            sex: "female".into(),
            age_band: "18-24".into(),
        }];
        f.child_involved = child;
        f.immediate_danger = danger;
        f.validate(NOW).unwrap().urgency()
    };
    assert_eq!(adult(false, false), TipUrgency::Normal);
    assert_eq!(adult(true, false), TipUrgency::Urgent);
    assert_eq!(adult(false, true), TipUrgency::Urgent);
    let mut f = form();
    f.immediate_danger = false;
    f.people_at_risk = vec![
        RiskGroupForm {
            count: "3".into(),
            sex: "mixed".into(),
            age_band: "".into(),
        },
        RiskGroupForm {
            count: "1".into(),
            sex: "male".into(),
            age_band: "14-17".into(),
        },
    ];
    assert_eq!(f.validate(NOW).unwrap().urgency(), TipUrgency::Urgent);
    f.people_at_risk.pop();
    assert_eq!(
        f.validate(NOW).unwrap().urgency(),
        TipUrgency::Normal,
        "unknown age is not assumed minor"
    );
}

fn codes(f: PublicTipForm) -> Vec<(String, &'static str)> {
    f.validate(NOW)
        .unwrap_err()
        .codes()
        .into_iter()
        .map(|(f, c)| (f.to_owned(), c))
        .collect()
}

fn one(f: PublicTipForm) -> (String, &'static str) {
    let c = codes(f);
    assert_eq!(c.len(), 1, "{c:?}");
    c.into_iter().next().unwrap()
}

/// A change to a valid form that breaks one field.
type Breakage = Box<dyn Fn(&mut PublicTipForm)>;

#[test]
fn every_field_error_names_its_field() {
    let cases: Vec<(Breakage, &str, &str)> = vec![
        (
            Box::new(|f| f.what_happened = "有人贩卖".into()),
            "what_happened",
            "tip.what_happened.too_short",
        ),
        (
            Box::new(|f| f.what_happened = "字".repeat(5001)),
            "what_happened",
            "tip.what_happened.too_long",
        ),
        (
            Box::new(|f| f.what_happened = "有人\u{202E}在火车站拐带小孩子".into()),
            "what_happened",
            "tip.what_happened.control",
        ),
        (
            Box::new(|f| f.division = "".into()),
            "division",
            "tip.division.required",
        ),
        (
            Box::new(|f| f.division = "4302".into()),
            "division",
            "division_code.length",
        ),
        (
            Box::new(|f| f.division = "430299".into()),
            "division",
            "division_code.unknown",
        ),
        (
            Box::new(|f| f.division = "430200".into()),
            "division",
            "tip.division.not_county",
        ),
        (
            Box::new(|f| f.division = "430000".into()),
            "division",
            "tip.division.not_county",
        ),
        (
            Box::new(|f| f.division = "430221".into()),
            "division",
            "tip.division.not_in_use",
        ),
        (
            Box::new(|f| f.address = "路".repeat(201)),
            "address",
            "tip.address.too_long",
        ),
        (
            Box::new(|f| f.date = "".into()),
            "date",
            "tip.date.required",
        ),
        (
            Box::new(|f| f.date = "2026/03/02".into()),
            "date",
            "tip.date.format",
        ),
        (
            Box::new(|f| f.date = "2026-02-30".into()),
            "date",
            "tip.date.format",
        ),
        (
            Box::new(|f| f.date = "2026-03-03".into()),
            "date",
            "tip.date.future",
        ),
        (
            Box::new(|f| f.date = "1949-12-31".into()),
            "date",
            "tip.date.before_1950",
        ),
        (
            Box::new(|f| f.time = "8点".into()),
            "time",
            "tip.time.format",
        ),
        (
            Box::new(|f| f.time = "10:01".into()),
            "time",
            "tip.time.future",
        ),
        (
            Box::new(|f| f.people_at_risk.clear()),
            "people_at_risk",
            "tip.people_at_risk.required",
        ),
        (
            Box::new(|f| f.people_at_risk = vec![RiskGroupForm::default(); 3]),
            "people_at_risk",
            "tip.people_at_risk.required",
        ),
        (
            Box::new(|f| f.people_at_risk[0].count = "0".into()),
            "people_at_risk[0].count",
            "tip.people_at_risk.count.range",
        ),
        (
            Box::new(|f| f.people_at_risk[0].count = "1000".into()),
            "people_at_risk[0].count",
            "tip.people_at_risk.count.range",
        ),
        (
            Box::new(|f| f.people_at_risk[0].count = "几个".into()),
            "people_at_risk[0].count",
            "tip.people_at_risk.count.format",
        ),
        (
            Box::new(|f| f.people_at_risk[0].sex = "girl".into()),
            "people_at_risk[0].sex",
            "tip.people_at_risk.sex.unknown_value",
        ),
        (
            Box::new(|f| f.people_at_risk[0].age_band = "3-6".into()),
            "people_at_risk[0].age_band",
            "tip.people_at_risk.age_band.unknown_value",
        ),
        (
            Box::new(|f| {
                f.people_at_risk = vec![
                    RiskGroupForm {
                        count: "600".into(),
                        ..RiskGroupForm::default()
                    },
                    RiskGroupForm {
                        count: "400".into(),
                        ..RiskGroupForm::default()
                    },
                ]
            }),
            "people_at_risk",
            "tip.people_at_risk.total_too_large",
        ),
        (
            Box::new(|f| {
                f.people_at_risk = vec![
                    RiskGroupForm {
                        count: "1".into(),
                        ..RiskGroupForm::default()
                    };
                    21
                ]
            }),
            "people_at_risk",
            "tip.people_at_risk.too_many_groups",
        ),
        (
            Box::new(|f| f.suspects = vec!["高".repeat(501)]),
            "suspects[0]",
            "tip.suspects.too_long",
        ),
        (
            Box::new(|f| f.suspects = vec!["男".into(); 21]),
            "suspects",
            "tip.suspects.too_many",
        ),
        (
            Box::new(|f| f.vehicles = vec!["".into(), "湘B123".into()]),
            "vehicles[1]",
            "plate.length",
        ),
        (
            Box::new(|f| f.vehicles = vec!["湘B12345".into(); 11]),
            "vehicles",
            "tip.vehicles.too_many",
        ),
        (
            Box::new(|f| f.phones = vec!["12345".into()]),
            "phones[0]",
            "phone.mobile_length",
        ),
        (
            Box::new(|f| f.phones = vec!["13800001234".into(); 11]),
            "phones",
            "tip.phones.too_many",
        ),
        (
            Box::new(|f| f.accounts = vec!["6".repeat(101)]),
            "accounts[0]",
            "account.too_long",
        ),
        (
            Box::new(|f| f.accounts = vec!["62220212".into(); 11]),
            "accounts",
            "tip.accounts.too_many",
        ),
        (
            Box::new(|f| {
                f.contact = ContactForm {
                    name: "张\u{7}三".into(),
                    phone: "".into(),
                }
            }),
            "contact.name",
            "person_name.control",
        ),
        (
            Box::new(|f| {
                f.contact = ContactForm {
                    name: "".into(),
                    phone: "+1 555 0100".into(),
                }
            }),
            "contact.phone",
            "phone.country",
        ),
    ];
    for (change, field, code) in cases {
        let mut f = form();
        change(&mut f);
        assert_eq!(one(f), (field.to_owned(), code), "expected {field} {code}");
    }
}

#[test]
fn all_problems_are_reported_at_once() {
    let mut f = form();
    f.what_happened = "短".into();
    f.division = "430200".into();
    f.date = "明天".into();
    f.phones = vec!["13800001234".into(), "".into(), "12345".into()];
    f.people_at_risk[0].sex = "x".into();
    let err = f.validate(NOW).unwrap_err();
    assert_eq!(
        err.codes(),
        vec![
            ("what_happened", "tip.what_happened.too_short"),
            ("division", "tip.division.not_county"),
            ("date", "tip.date.format"),
            (
                "people_at_risk[0].sex",
                "tip.people_at_risk.sex.unknown_value"
            ),
            ("phones[2]", "phone.mobile_length"),
        ]
    );
    assert_eq!(err.for_field("division").count(), 1);
    assert!(
        err.to_string()
            .starts_with("the tip form has 5 problem(s): what_happened: "),
        "{err}"
    );
}

#[test]
fn dates_are_china_dates() {
    // 23:30 UTC on 1 March is already 2 March in China: a tip about "today" is fine.
    let mut f = form();
    f.time = "".into();
    assert!(f.clone().validate(datetime!(2026-03-01 23:30 UTC)).is_ok());
    assert_eq!(
        one_at(f, datetime!(2026-03-01 15:30 UTC)),
        ("date".to_owned(), "tip.date.future")
    );
}

fn one_at(f: PublicTipForm, now: OffsetDateTime) -> (String, &'static str) {
    let e = f.validate(now).unwrap_err();
    assert_eq!(e.errors().len(), 1, "{e}");
    (e.errors()[0].field.clone(), e.errors()[0].code)
}

#[test]
fn full_width_and_duplicates_are_tidied() {
    let mut f = form();
    f.division = "４３０２０３".into();
    f.date = "２０２６-０３-０１".into();
    f.time = "２１：０５".into();
    f.phones = vec!["13800001234".into(), "+86 138-0000-1234".into()];
    f.people_at_risk[0].count = "１２".into();
    f.contact = ContactForm {
        name: " 李 四 ".into(),
        phone: "".into(),
    };
    let tip = f.validate(NOW).unwrap();
    assert_eq!(tip.division().to_string(), "430203");
    assert_eq!(tip.when().time, Some(time::macros::time!(21:05)));
    assert_eq!(tip.phones().len(), 1);
    assert_eq!(tip.people_at_risk_total(), 12);
    assert_eq!(
        tip.contact().unwrap().name.as_ref().unwrap().as_str(),
        "李 四"
    );
}

// ---- duplicates ----

fn tip(edit: impl FnOnce(&mut PublicTipForm)) -> ValidTip {
    let mut f = form();
    edit(&mut f);
    f.validate(NOW).unwrap()
}

#[test]
fn shared_phone_alone_flags_a_duplicate() {
    let a = tip(|f| {
        f.division = "430281".into();
        f.date = "2025-06-01".into();
        f.vehicles.clear();
        f.what_happened = "有人以介绍工作为名带走三名年轻女子".into();
    });
    let b = tip(|f| {
        f.vehicles.clear();
        f.what_happened = "The man at the station asked for money for the girl".into();
    });
    let d = duplicate_score(&a, &b);
    assert_eq!(d.reasons.len(), 1, "{:?}", d.reasons);
    assert!(matches!(d.reasons[0], DuplicateReason::SamePhone(_)));
    assert_eq!(d.score, 45);
    assert!(d.is_possible_duplicate());
}

#[test]
fn place_and_time_alone_do_not() {
    let a = tip(|f| {
        f.phones.clear();
        f.vehicles.clear();
        f.what_happened = "有人以介绍工作为名带走三名年轻女子".into();
        f.time = "".into();
        f.date = "2026-02-27".into();
    });
    let b = tip(|f| {
        f.phones.clear();
        f.vehicles.clear();
        f.what_happened = "The man at the station asked for money for the girl".into();
        f.time = "09:00".into();
    });
    // 27 February (whole day) to 2 March 09:00 is 57 hours apart.
    let d = duplicate_score(&a, &b);
    assert_eq!(d.score, 25);
    let DuplicateReason::SamePlaceAndTime { gap, .. } = d.reasons[0] else {
        panic!("{:?}", d.reasons)
    };
    assert_eq!(gap, Duration::hours(57));
    assert!(!d.is_possible_duplicate());

    // Four days apart is too far.
    let far = tip(|f| {
        f.phones.clear();
        f.vehicles.clear();
        f.what_happened = "Someone saw a van near the labour market".into();
        f.date = "2026-02-25".into();
        f.time = "08:00".into();
    });
    assert_eq!(duplicate_score(&far, &b).score, 0);
}

#[test]
fn the_same_event_told_twice_scores_high_and_symmetrically() {
    let a = tip(|_| {});
    let b = tip(|f| {
        f.what_happened = "火车站东广场一名中年男子带着一个小女孩，小女孩哭闹说不认识他。".into();
        f.vehicles = vec!["湘b12345".into()];
        f.phones.clear();
        f.accounts = vec!["6222 0212 3456".into()];
        f.time = "08:55".into();
    });
    let ab = duplicate_score(&a, &b);
    let ba = duplicate_score(&b, &a);
    assert_eq!(ab.score, ba.score);
    assert!(
        ab.reasons
            .iter()
            .any(|r| matches!(r, DuplicateReason::SameVehicle(_)))
    );
    assert!(
        ab.reasons
            .iter()
            .any(|r| matches!(r, DuplicateReason::SamePlaceAndTime { .. }))
    );
    assert!(
        ab.reasons
            .iter()
            .any(|r| matches!(r, DuplicateReason::SimilarText { .. }))
    );
    assert!(ab.score >= 65 && ab.score <= 100, "{}", ab.score);
    assert_eq!(duplicate_score(&a, &a).score, 100);
}

#[test]
fn tracking_codes_reject_typos() {
    let code = TrackingCode::from_entropy([7, 1, 2, 3, 4, 5, 6]);
    let typed = code.grouped().to_lowercase().replace('-', " ");
    assert_eq!(TrackingCode::parse(&typed), Ok(code));
    let mut chars: Vec<char> = code.compact().chars().collect();
    chars[3] = if chars[3] == 'A' { 'B' } else { 'A' };
    let typo: String = chars.into_iter().collect();
    assert_eq!(
        TrackingCode::parse(&typo).unwrap_err().code(),
        "tracking_code.check"
    );
}

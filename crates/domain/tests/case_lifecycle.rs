//! The criminal-case state machine: every state against every event, the solve rule,
//! the review clock and its extensions, and registration at once for missing children.

use fanguai_domain::DivisionCode;
use fanguai_domain::cases::{
    Authority, CaseError, CaseEvent, CaseEventKind, CaseReason, CaseState, CaseStateKind,
    Classification, FastTrackReason, ReceiptNumber, ReviewExtension, SolveCondition, SolveFacts,
    VictimAtEvent, fast_track_registration,
};
use fanguai_domain::ids::{Sex, UserId};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

/// 10:00 in China on 2 March 2026.
const NOW: OffsetDateTime = datetime!(2026-03-02 02:00 UTC);
const TODAY: Date = date!(2026 - 03 - 02);

fn receipt() -> ReceiptNumber {
    ReceiptNumber::parse("A4302025100002026030001").unwrap()
}

fn reason() -> CaseReason {
    CaseReason::parse("经审查，报案所述情况不构成犯罪，不予立案。").unwrap()
}

fn authority() -> Authority {
    Authority::new(
        "湘潭市公安局雨湖分局",
        DivisionCode::parse("430302").unwrap(),
    )
    .unwrap()
}

fn all_facts() -> SolveFacts {
    SolveFacts {
        facts_proven: true,
        suspect_identified: true,
        suspect_in_custody: true,
    }
}

fn missing_child_fast_track() -> fanguai_domain::cases::FastTrack {
    let classification = Classification {
        missing_person_report: true,
        ..Classification::default()
    };
    fast_track_registration(
        &classification,
        &[VictimAtEvent::with_age(Some(Sex::Male), Some(4))],
    )
    .unwrap()
}

/// One state of each kind, with plausible data.
fn sample(kind: CaseStateKind) -> CaseState {
    let reg = date!(2026 - 01 - 05);
    let solved = date!(2026 - 02 - 20);
    match kind {
        CaseStateKind::Reported => CaseState::Reported,
        CaseStateKind::Accepted => CaseState::Accepted {
            receipt: receipt(),
            accepted_on: TODAY,
        },
        CaseStateKind::UnderRegistrationReview => CaseState::UnderRegistrationReview {
            receipt: receipt(),
            started: TODAY,
            extension: ReviewExtension::None,
        },
        CaseStateKind::Registered => CaseState::Registered {
            registered_on: reg,
            fast_track: None,
        },
        CaseStateKind::NotRegistered => CaseState::NotRegistered { reason: reason() },
        CaseStateKind::Investigating => CaseState::Investigating { registered_on: reg },
        CaseStateKind::Solved => CaseState::Solved {
            registered_on: reg,
            solved_on: solved,
        },
        CaseStateKind::InvestigationConcluded => CaseState::InvestigationConcluded {
            registered_on: reg,
            solved_on: solved,
        },
        CaseStateKind::TransferredForProsecution => CaseState::TransferredForProsecution {
            registered_on: reg,
            solved_on: solved,
        },
        CaseStateKind::Withdrawn => CaseState::Withdrawn { reason: reason() },
        CaseStateKind::TransferredJurisdiction => {
            CaseState::TransferredJurisdiction { to: authority() }
        }
    }
}

/// One event of each kind, with data that passes every check but the transition itself.
fn event(kind: CaseEventKind) -> CaseEvent {
    match kind {
        CaseEventKind::Accept => CaseEvent::Accept { receipt: receipt() },
        CaseEventKind::StartReview => CaseEvent::StartReview,
        CaseEventKind::ExtendReview => CaseEvent::ExtendReview(ReviewExtension::CheckClues),
        CaseEventKind::Register => CaseEvent::Register,
        CaseEventKind::FastTrackRegister => {
            CaseEvent::FastTrackRegister(missing_child_fast_track())
        }
        CaseEventKind::DeclineRegistration => CaseEvent::DeclineRegistration { reason: reason() },
        CaseEventKind::StartInvestigation => CaseEvent::StartInvestigation,
        CaseEventKind::Solve => CaseEvent::Solve(all_facts()),
        CaseEventKind::ConcludeInvestigation => CaseEvent::ConcludeInvestigation,
        CaseEventKind::TransferForProsecution => CaseEvent::TransferForProsecution,
        CaseEventKind::Withdraw => CaseEvent::Withdraw { reason: reason() },
        CaseEventKind::TransferJurisdiction => CaseEvent::TransferJurisdiction { to: authority() },
    }
}

use CaseStateKind::{
    Accepted as A, Investigating as I, InvestigationConcluded as C, NotRegistered as N,
    Registered as G, Reported as R, Solved as S, TransferredForProsecution as P,
    TransferredJurisdiction as J, UnderRegistrationReview as U, Withdrawn as W,
};

const X: Option<CaseStateKind> = None;

/// Columns, in order: accept, start_review, extend_review, register, fast_track_register,
/// decline_registration, start_investigation, solve, conclude_investigation,
/// transfer_for_prosecution, withdraw, transfer_jurisdiction. `X` = refused.
#[rustfmt::skip]
const TABLE: [(CaseStateKind, [Option<CaseStateKind>; 12]); 11] = [
    //            acc      start    extend   reg      fast     decline  inv      solve    concl    pros     withdr   jurisd
    (R, [Some(A), X,       X,       X,       X,       X,       X,       X,       X,       X,       X,       X      ]),
    (A, [X,       Some(U), X,       X,       Some(G), X,       X,       X,       X,       X,       X,       Some(J)]),
    (U, [X,       X,       Some(U), Some(G), X,       Some(N), X,       X,       X,       X,       X,       Some(J)]),
    (G, [X,       X,       X,       X,       X,       X,       Some(I), X,       X,       X,       Some(W), Some(J)]),
    (N, [X,       X,       X,       X,       X,       X,       X,       X,       X,       X,       X,       X      ]),
    (I, [X,       X,       X,       X,       X,       X,       X,       Some(S), X,       X,       Some(W), Some(J)]),
    (S, [X,       X,       X,       X,       X,       X,       X,       X,       Some(C), X,       X,       X      ]),
    (C, [X,       X,       X,       X,       X,       X,       X,       X,       X,       Some(P), X,       X      ]),
    (P, [X,       X,       X,       X,       X,       X,       X,       X,       X,       X,       X,       X      ]),
    (W, [X,       X,       X,       X,       X,       X,       X,       X,       X,       X,       X,       X      ]),
    (J, [X,       X,       X,       X,       X,       X,       X,       X,       X,       X,       X,       X      ]),
];

#[test]
fn every_state_against_every_event() {
    let states: Vec<CaseStateKind> = TABLE.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        states,
        CaseStateKind::ALL.to_vec(),
        "the table covers every state once, in order"
    );
    let mut cells = 0;
    for (from, row) in TABLE {
        let state = sample(from);
        assert_eq!(state.kind(), from);
        for (ev_kind, expected) in CaseEventKind::ALL.into_iter().zip(row) {
            cells += 1;
            let result = state.apply(&event(ev_kind), NOW);
            match expected {
                Some(to) => {
                    let next = result.unwrap_or_else(|e| {
                        panic!("{from} + {ev_kind}: expected {to}, refused: {e}")
                    });
                    assert_eq!(next.kind(), to, "{from} + {ev_kind}");
                }
                None => {
                    let err = result.expect_err(&format!("{from} + {ev_kind} must be refused"));
                    assert_eq!(
                        err,
                        CaseError::NotAllowed {
                            from,
                            event: ev_kind,
                            allowed: from.allowed_events()
                        },
                        "{from} + {ev_kind}"
                    );
                    assert_eq!(err.code(), "case.transition.not_allowed");
                    let msg = err.to_string();
                    assert!(
                        msg.contains(from.id()) && msg.contains(ev_kind.id()),
                        "{msg}"
                    );
                    for a in from.allowed_events() {
                        assert!(msg.contains(a.id()), "{msg} should list {a}");
                    }
                }
            }
        }
        // The allowed list is exactly the accepted columns of the row.
        let accepted: Vec<CaseEventKind> = CaseEventKind::ALL
            .into_iter()
            .zip(row)
            .filter(|(_, r)| r.is_some())
            .map(|(e, _)| e)
            .collect();
        let mut listed = from.allowed_events().to_vec();
        listed.sort_by_key(|e| CaseEventKind::ALL.iter().position(|x| x == e));
        assert_eq!(listed, accepted, "allowed events of {from}");
        assert_eq!(from.is_final(), accepted.is_empty());
    }
    assert_eq!(cells, 11 * 12);
}

#[test]
fn refusal_names_state_event_and_allowed_events() {
    let err = sample(CaseStateKind::Registered)
        .apply(&CaseEvent::Solve(all_facts()), NOW)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a case in state registered (立案) cannot take the event solve; allowed: start_investigation, withdraw, transfer_jurisdiction"
    );
    let err = sample(CaseStateKind::Withdrawn)
        .apply(&CaseEvent::StartInvestigation, NOW)
        .unwrap_err();
    assert!(err.to_string().ends_with("allowed: none"), "{err}");
}

#[test]
fn solved_only_when_all_three_facts_hold() {
    let investigating = sample(CaseStateKind::Investigating);
    for mask in 0..8u8 {
        let facts = SolveFacts {
            facts_proven: mask & 1 != 0,
            suspect_identified: mask & 2 != 0,
            suspect_in_custody: mask & 4 != 0,
        };
        let result = investigating.apply(&CaseEvent::Solve(facts), NOW);
        if mask == 7 {
            assert_eq!(
                result.unwrap(),
                CaseState::Solved {
                    registered_on: date!(2026 - 01 - 05),
                    solved_on: TODAY
                }
            );
        } else {
            let mut missing = Vec::new();
            if mask & 1 == 0 {
                missing.push(SolveCondition::FactsProven);
            }
            if mask & 2 == 0 {
                missing.push(SolveCondition::SuspectIdentified);
            }
            if mask & 4 == 0 {
                missing.push(SolveCondition::SuspectInCustody);
            }
            let err = result.unwrap_err();
            assert_eq!(err.code(), "case.solve.conditions_unmet");
            assert_eq!(
                err,
                CaseError::SolveConditionsUnmet { missing },
                "mask {mask}"
            );
        }
    }
}

#[test]
fn the_whole_road_to_prosecution_keeps_its_dates() {
    let day = |d: u8| datetime!(2026-03-01 10:00 +8).replace_day(d).unwrap();
    let mut s = CaseState::Reported;
    s = s
        .apply(&CaseEvent::Accept { receipt: receipt() }, day(1))
        .unwrap();
    assert_eq!(
        s,
        CaseState::Accepted {
            receipt: receipt(),
            accepted_on: date!(2026 - 03 - 01)
        }
    );
    s = s.apply(&CaseEvent::StartReview, day(2)).unwrap();
    assert_eq!(s.review_deadline(), Some(date!(2026 - 03 - 05)));
    s = s.apply(&CaseEvent::Register, day(4)).unwrap();
    assert_eq!(s.registered_on(), Some(date!(2026 - 03 - 04)));
    s = s.apply(&CaseEvent::StartInvestigation, day(5)).unwrap();
    s = s.apply(&CaseEvent::Solve(all_facts()), day(20)).unwrap();
    s = s.apply(&CaseEvent::ConcludeInvestigation, day(25)).unwrap();
    s = s
        .apply(&CaseEvent::TransferForProsecution, day(28))
        .unwrap();
    assert_eq!(
        s,
        CaseState::TransferredForProsecution {
            registered_on: date!(2026 - 03 - 04),
            solved_on: date!(2026 - 03 - 20)
        }
    );
    assert!(s.kind().is_final());
    assert_eq!(s.review_deadline(), None);
}

#[test]
fn dates_are_taken_in_china_time() {
    // 17:30 UTC on 1 March is 01:30 on 2 March in China.
    let s = CaseState::Reported
        .apply(
            &CaseEvent::Accept { receipt: receipt() },
            datetime!(2026-03-01 17:30 UTC),
        )
        .unwrap();
    assert_eq!(
        s,
        CaseState::Accepted {
            receipt: receipt(),
            accepted_on: date!(2026 - 03 - 02)
        }
    );
}

#[test]
fn review_extensions_only_grow_and_only_in_time() {
    let started = date!(2026 - 03 - 01);
    let review = |extension| CaseState::UnderRegistrationReview {
        receipt: receipt(),
        started,
        extension,
    };
    let at = |d: &str| {
        OffsetDateTime::parse(
            &format!("{d}T12:00:00+08:00"),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
    };
    let complex = ReviewExtension::ComplexApproved {
        approver: UserId::new("deputy.chief"),
    };

    // Ordinary → clues → complex, each before the current deadline.
    let s = review(ReviewExtension::None);
    assert_eq!(s.review_deadline(), Some(date!(2026 - 03 - 04)));
    let s = s
        .apply(
            &CaseEvent::ExtendReview(ReviewExtension::CheckClues),
            at("2026-03-04"),
        )
        .unwrap();
    assert_eq!(s.review_deadline(), Some(date!(2026 - 03 - 08)));
    let s = s
        .apply(&CaseEvent::ExtendReview(complex.clone()), at("2026-03-08"))
        .unwrap();
    assert_eq!(s.review_deadline(), Some(date!(2026 - 03 - 31)));
    assert_eq!(s, review(complex.clone()));

    // Never shorter, never the same.
    for (current, requested) in [
        (ReviewExtension::CheckClues, ReviewExtension::None),
        (ReviewExtension::CheckClues, ReviewExtension::CheckClues),
        (complex.clone(), ReviewExtension::CheckClues),
        (ReviewExtension::None, ReviewExtension::None),
    ] {
        let err = review(current.clone())
            .apply(&CaseEvent::ExtendReview(requested), at("2026-03-02"))
            .unwrap_err();
        assert_eq!(
            err,
            CaseError::ExtensionNotLonger {
                current: current.id()
            }
        );
        assert_eq!(err.code(), "case.review.extension_not_longer");
    }

    // Too late: the 3 days ended on 4 March.
    let err = review(ReviewExtension::None)
        .apply(
            &CaseEvent::ExtendReview(ReviewExtension::CheckClues),
            at("2026-03-05"),
        )
        .unwrap_err();
    assert_eq!(
        err,
        CaseError::ReviewExpired {
            deadline: date!(2026 - 03 - 04)
        }
    );
    assert_eq!(err.code(), "case.review.expired");
}

#[test]
fn overdue_review_is_visible_but_does_not_block_the_decision() {
    let s = CaseState::UnderRegistrationReview {
        receipt: receipt(),
        started: date!(2026 - 03 - 01),
        extension: ReviewExtension::None,
    };
    assert!(!s.is_review_overdue(datetime!(2026-03-04 23:59 +8)));
    assert!(s.is_review_overdue(datetime!(2026-03-05 00:00 +8)));
    // A late decision is still a decision: the delay is for supervision to see, and
    // refusing to register would leave the case nowhere.
    let registered = s
        .apply(&CaseEvent::Register, datetime!(2026-03-10 09:00 +8))
        .unwrap();
    assert_eq!(registered.kind(), CaseStateKind::Registered);
    assert!(!registered.is_review_overdue(datetime!(2026-03-10 09:00 +8)));
}

#[test]
fn missing_children_and_girls_are_registered_at_once() {
    let accepted = sample(CaseStateKind::Accepted);
    let missing = Classification {
        missing_person_report: true,
        ..Classification::default()
    };

    // A 12-year-old boy, reported missing: registered the same day, no review.
    let boy = VictimAtEvent::from_birth_date(Some(Sex::Male), date!(2013 - 09 - 01), TODAY);
    let ft = fast_track_registration(&missing, &[boy]).unwrap();
    let s = accepted
        .apply(&CaseEvent::FastTrackRegister(ft), NOW)
        .unwrap();
    assert_eq!(
        s,
        CaseState::Registered {
            registered_on: TODAY,
            fast_track: Some(FastTrackReason::MissingChildUnder14)
        }
    );

    // A 16-year-old girl: also at once.
    let girl = VictimAtEvent::from_birth_date(Some(Sex::Female), date!(2009 - 09 - 01), TODAY);
    let ft = fast_track_registration(&missing, &[girl]).unwrap();
    assert_eq!(ft.reason(), FastTrackReason::MissingGirlUnder18);
    let s = accepted
        .apply(&CaseEvent::FastTrackRegister(ft), NOW)
        .unwrap();
    assert_eq!(s.kind(), CaseStateKind::Registered);

    // A 16-year-old boy, or a girl of 18: the ordinary review.
    let older_boy = VictimAtEvent::from_birth_date(Some(Sex::Male), date!(2009 - 09 - 01), TODAY);
    assert_eq!(fast_track_registration(&missing, &[older_boy]), None);
    let woman = VictimAtEvent::from_birth_date(Some(Sex::Female), date!(2008 - 03 - 02), TODAY);
    assert_eq!(fast_track_registration(&missing, &[woman]), None);

    // The fast track is only from acceptance: a report needs its receipt first, and a
    // case under review is registered by the ordinary event.
    let ft = missing_child_fast_track();
    assert_eq!(
        CaseState::Reported
            .apply(&CaseEvent::FastTrackRegister(ft), NOW)
            .unwrap_err()
            .code(),
        "case.transition.not_allowed"
    );
    assert!(
        sample(CaseStateKind::UnderRegistrationReview)
            .apply(&CaseEvent::FastTrackRegister(ft), NOW)
            .is_err()
    );
}

#[test]
fn every_state_has_labels_in_both_languages_and_its_term() {
    let expected_terms = [
        "接报",
        "受案登记",
        "立案审查",
        "立案",
        "不予立案",
        "侦查",
        "破案",
        "侦查终结",
        "移送起诉",
        "撤案",
        "移送管辖",
    ];
    for (kind, term) in CaseStateKind::ALL.into_iter().zip(expected_terms) {
        assert_eq!(kind.term_zh(), term);
        assert!(!kind.label_zh().is_empty() && !kind.label_en().is_empty());
        assert!(kind.label_en().is_ascii(), "{}", kind.label_en());
        assert!(!kind.label_zh().is_ascii(), "{}", kind.label_zh());
    }
}

#[test]
fn withdrawal_and_transfer_keep_their_reason_and_target() {
    let s = sample(CaseStateKind::Investigating)
        .apply(&CaseEvent::Withdraw { reason: reason() }, NOW)
        .unwrap();
    assert_eq!(s, CaseState::Withdrawn { reason: reason() });
    let s = sample(CaseStateKind::UnderRegistrationReview)
        .apply(&CaseEvent::TransferJurisdiction { to: authority() }, NOW)
        .unwrap();
    let CaseState::TransferredJurisdiction { to } = s else {
        panic!("expected a transfer")
    };
    assert_eq!(to.name(), "湘潭市公安局雨湖分局");
    assert_eq!(to.division(), DivisionCode::parse("430302").unwrap());
}

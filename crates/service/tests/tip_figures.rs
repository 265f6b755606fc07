//! Tip figures per period, area and unit on both backends: counts by source, urgency and
//! decision, acknowledgement on time or late with its median and 90th percentile, the
//! city's day boundaries, and who may read them.

mod common;
use common::*;
use fanguai_service::ServiceError;
use fanguai_service::cases::{CountView, FigureQuery, TipDecisionsView};
use fanguai_store::tips::{self, TipRow};

/// 2026-01-05 00:00 in the city (UTC+8), unix ms.
const DAY: i64 = 1_767_542_400_000;
const MIN: i64 = 60_000;
/// A deadline no test clock reaches.
const FAR: i64 = 32_503_680_000_000;

fn tip(id: &str, received_at: i64, deadline: i64) -> TipRow {
    TipRow {
        id: id.into(),
        tracking_code: format!("FIGTIP{id:0>6}"),
        secret_hash: format!("hash-{id}"),
        source_kind: "public_web_form".into(),
        source_detail: None,
        owner_unit_id: "psb".into(),
        division: "430102".into(),
        occurred_date: "2026-01-04".into(),
        occurred_time: None,
        people_at_risk: "[]".into(),
        child_involved: false,
        immediate_danger: false,
        urgency: "urgent".into(),
        received_at,
        ack_deadline: deadline,
        state: "received".into(),
        assignee_user_id: None,
        acknowledged_at: None,
        escalated_at: None,
        decision: None,
        case_ref: None,
        decided_by: None,
        decided_at: None,
        entered_by: None,
        data_key_id: format!("key-{id}"),
        what_happened_enc: vec![1],
        address_enc: None,
        suspects_enc: None,
        vehicles_enc: None,
        phones_enc: None,
        accounts_enc: None,
        contact_enc: None,
        updated_at: received_at,
    }
}

fn acked(mut t: TipRow, after_min: i64, decision: Option<&str>) -> TipRow {
    t.acknowledged_at = Some(t.received_at + after_min * MIN);
    t.state = if decision.is_some() {
        "decided"
    } else {
        "acknowledged"
    }
    .into();
    t.decision = decision.map(str::to_owned);
    t
}

fn refused<T: std::fmt::Debug>(r: Result<T, ServiceError>, code: &str) {
    match r {
        Err(ServiceError::Refused { code: c }) => assert_eq!(c, code),
        other => panic!("expected refusal {code}, got {other:?}"),
    }
}

fn counts(v: &[CountView]) -> Vec<(&str, u64)> {
    v.iter().map(|c| (c.key.as_str(), c.count)).collect()
}

both_backends!(tip_figures, |t| {
    for (u, unit, role) in [
        ("inv1", "psb", "investigator"),
        ("inv.other", "labour", "investigator"),
        ("office1", "psb", "office"),
        ("admin1", "psb", "admin"),
        ("auditor1", "psb", "auditor"),
        ("lab1", "psb", "lab"),
    ] {
        t.user(u, unit, role).await;
    }
    let h = 60 * MIN;
    let mut hotline = tip("a2", DAY + 2 * h, DAY + 26 * h);
    hotline.source_kind = "phone_line".into();
    hotline.urgency = "normal".into();
    let mut labour = tip("a5", DAY + 5 * h, DAY + 6 * h);
    labour.owner_unit_id = "labour".into();
    labour.division = "430203".into();
    let rows = [
        // Acknowledged after 10, 30, 50 and 90 minutes (deadline 1 h: the last is late).
        acked(tip("a1", DAY + h, DAY + 2 * h), 10, Some("open_case")),
        acked(hotline, 30, Some("refer")),
        acked(tip("a3", DAY + 3 * h, DAY + 4 * h), 50, Some("no_action")),
        acked(tip("a4", DAY + 4 * h, DAY + 5 * h), 90, None),
        // Labour's tip in another county: never acknowledged, deadline passed.
        labour,
        // The last minute of the day: still unacknowledged, deadline ahead.
        tip("a6", DAY + 24 * h - MIN, FAR),
        // The last minute of the day before and the first of the day after.
        tip("b1", DAY - MIN, DAY),
        tip("b2", DAY + 24 * h, FAR),
    ];
    {
        let mut c = t.app.store().conn().await.unwrap();
        for r in &rows {
            tips::insert(&mut c, r).await.unwrap();
        }
    }
    let day = FigureQuery {
        from: "2026-01-05".into(),
        to: "2026-01-05".into(),
        ..Default::default()
    };
    let office = t.session("office1").await.cases().await.unwrap();
    let f = office.tip_figures(&day).await.unwrap();
    assert_eq!((f.unit.as_deref(), f.received), (None, 6));
    assert_eq!(
        counts(&f.by_source),
        [("phone_line", 1), ("public_web_form", 5)]
    );
    assert_eq!(counts(&f.by_urgency), [("normal", 1), ("urgent", 5)]);
    assert_eq!(
        f.decisions,
        TipDecisionsView {
            open_case: 1,
            join_case: 0,
            refer: 1,
            no_action: 1,
            undecided: 3,
        }
    );
    assert_eq!(
        (
            f.acknowledged_on_time,
            f.acknowledged_late,
            f.unacknowledged_overdue,
            f.unacknowledged_in_time
        ),
        (3, 1, 1, 1)
    );
    // Median of 10, 30, 50, 90 min: (30 + 50) / 2 = 40; nearest-rank 90th: rank 4 → 90.
    assert_eq!(
        (f.median_ack_minutes, f.p90_ack_minutes),
        (Some(40), Some(90))
    );
    // Late (a4) and overdue (a5) of 6 received; open_case of 3 decided.
    let share = f.overdue_share_percent.unwrap();
    assert!((share - 200.0 / 6.0).abs() < 1e-9, "{share}");
    let share = f.actionable_share_percent.unwrap();
    assert!((share - 100.0 / 3.0).abs() < 1e-9, "{share}");

    // Two days: the first minute of the next day joins.
    let two = FigureQuery {
        to: "2026-01-06".into(),
        ..day.clone()
    };
    assert_eq!(office.tip_figures(&two).await.unwrap().received, 7);

    // One county; one unit.
    let f = office
        .tip_figures(&FigureQuery {
            area: "430203".into(),
            ..day.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        (f.received, f.unacknowledged_overdue, f.median_ack_minutes),
        (1, 1, None)
    );
    assert_eq!(f.actionable_share_percent, None);
    let inv = t.session("inv1").await.cases().await.unwrap();
    let f = inv.tip_figures(&day).await.unwrap();
    assert_eq!((f.unit.as_deref(), f.received), (Some("psb"), 5));

    // An investigator sees only the own unit; admin, auditor and lab see none.
    refused(
        inv.tip_figures(&FigureQuery {
            unit: "labour".into(),
            ..day.clone()
        })
        .await,
        "unit",
    );
    for u in ["admin1", "auditor1", "lab1"] {
        let d = t.session(u).await.cases().await;
        match d {
            Ok(d) => assert!(
                matches!(d.tip_figures(&day).await, Err(ServiceError::Refused { .. })),
                "{u}"
            ),
            Err(e) => assert!(matches!(e, ServiceError::Refused { .. }), "{u}: {e:?}"),
        }
    }
    // Invalid input names its field.
    match office
        .tip_figures(&FigureQuery {
            area: "43%".into(),
            ..day.clone()
        })
        .await
    {
        Err(ServiceError::Invalid { field, .. }) => assert_eq!(field, "area"),
        other => panic!("{other:?}"),
    }
});

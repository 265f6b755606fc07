//! Tip figures on the case figures page and at `/api/v1/tips/figures`: hand-counted
//! values in both languages, the city's day boundaries, the OpenAPI path, and refusals
//! for the roles that see no figures.

mod common;

use common::TestApp;
use fanguai_store::tips::{self, TipRow};
use reqwest::StatusCode;

on_both_databases!(tip_figures_beside_the_case_figures);

/// 2026-01-05 00:00 in the city (UTC+8), unix ms.
const DAY: i64 = 1_767_542_400_000;
const MIN: i64 = 60_000;
const FAR: i64 = 32_503_680_000_000;

fn tip(id: &str, received_at: i64, deadline: i64) -> TipRow {
    TipRow {
        id: id.into(),
        tracking_code: format!("WEBFIG{id:0>6}"),
        secret_hash: format!("hash-{id}"),
        source_kind: "public_web_form".into(),
        source_detail: None,
        owner_unit_id: "psb".into(),
        division: "430202".into(),
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

fn cell(body: &str, id: &str) -> String {
    let at = body
        .find(&format!("id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no cell {id}"));
    let rest = &body[at + id.len() + 6..];
    rest[..rest.find('<').unwrap()].to_owned()
}

async fn tip_figures_beside_the_case_figures(app: &TestApp) {
    let h = 60 * MIN;
    let mut a = tip("w1", DAY + h, DAY + 2 * h);
    a.acknowledged_at = Some(DAY + h + 20 * MIN);
    a.decision = Some("join_case".into());
    a.state = "decided".into();
    let mut b = tip("w2", DAY + 3 * h, DAY + 4 * h);
    b.source_kind = "walk_in".into();
    b.urgency = "normal".into();
    b.acknowledged_at = Some(DAY + 5 * h);
    b.state = "acknowledged".into();
    // The minute before the period: not counted.
    let c = tip("w3", DAY - MIN, FAR);
    {
        let mut conn = app.service.store().conn().await.unwrap();
        for t in [&a, &b, &c] {
            tips::insert(&mut conn, t).await.unwrap();
        }
    }
    let query = "from=2026-01-05&to=2026-01-05";
    let office = app.signed_in("office").await;
    let page = office.get_page(&format!("/cases/figures?{query}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains("举报线索");
    page.assert_contains("签收用时中位数");
    assert_eq!(cell(&page.body, "tipfig-received"), "2");
    assert_eq!(cell(&page.body, "tipfig-source-walk_in"), "1");
    assert_eq!(cell(&page.body, "tipfig-urgency-urgent"), "1");
    assert_eq!(cell(&page.body, "tipfig-decision-join_case"), "1");
    assert_eq!(cell(&page.body, "tipfig-undecided"), "1");
    assert_eq!(cell(&page.body, "tipfig-ack-late"), "1");
    // 20 and 120 minutes: median 70, nearest-rank 90th percentile 120.
    assert_eq!(cell(&page.body, "tipfig-median-ack"), "70 分钟");
    assert_eq!(cell(&page.body, "tipfig-p90-ack"), "120 分钟");
    assert_eq!(cell(&page.body, "tipfig-overdue-share"), "50.0%");
    assert_eq!(cell(&page.body, "tipfig-actionable-share"), "100.0%");
    office.set_cookie("lang", "en");
    let page = office.get_page(&format!("/cases/figures?{query}")).await;
    page.assert_contains("Tips (举报线索)");
    assert_eq!(cell(&page.body, "tipfig-p90-ack"), "120 min");

    let r = office
        .get_json(&format!("/api/v1/tips/figures?{query}&area=4302"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!(j["received"], 2);
    assert_eq!(j["area"], "4302");
    assert_eq!(j["decisions"]["join_case"], 1);
    assert_eq!(j["decisions"]["undecided"], 1);
    assert_eq!(
        (
            j["acknowledged_on_time"].clone(),
            j["acknowledged_late"].clone()
        ),
        (1.into(), 1.into())
    );
    assert_eq!(
        (
            j["median_ack_minutes"].clone(),
            j["p90_ack_minutes"].clone()
        ),
        (70.into(), 120.into())
    );
    assert_eq!(j["by_source"][0]["key"], "public_web_form");
    assert_eq!(j["by_source"][1]["count"], 1);
    let other = office
        .get_json(&format!("/api/v1/tips/figures?{query}&area=4301"))
        .await
        .json();
    assert_eq!(other["received"], 0);
    assert!(other["median_ack_minutes"].is_null());
    let bad = office.get_json("/api/v1/tips/figures?area=43x").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The investigator sees the own unit, not another's.
    let inv = app.signed_in("investigator").await;
    let r = inv.get_json(&format!("/api/v1/tips/figures?{query}")).await;
    assert_eq!(
        (r.status, r.json()["unit"].clone()),
        (StatusCode::OK, "psb".into())
    );
    let r = inv
        .get_json(&format!("/api/v1/tips/figures?{query}&unit=labour"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for u in ["admin", "auditor", "lab"] {
        let b = app.signed_in(u).await;
        assert_eq!(
            b.get_json(&format!("/api/v1/tips/figures?{query}"))
                .await
                .status,
            StatusCode::FORBIDDEN,
            "{u}"
        );
        assert_eq!(
            b.get_page(&format!("/cases/figures?{query}")).await.status,
            StatusCode::FORBIDDEN,
            "{u}"
        );
    }
    let doc = office.get_json("/api/openapi.json").await.json();
    assert!(doc["paths"].get("/api/v1/tips/figures").is_some());
    assert!(doc["components"]["schemas"].get("TipFiguresDto").is_some());
}

//! Tip triage through the JSON API only: staff entry, every step to a decision, the
//! referral inbox, duplicates and the reporter's identity, with the refusals per role
//! and the CSRF header, on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.

mod common;

use common::{Account, Browser, Page, TEST_PASSWORD, TestApp, code_for};
use fanguai_service::{NewUser, RequestCtx, Role};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn today() -> String {
    // China time; the tests' clock is the service's real clock at start.
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8));
    now.date().to_string()
}

fn tip_body(text: &str, phone: &str) -> Value {
    json!({
        "what_happened": text,
        "division": "430212",
        "address": "渌口镇汽车站旁",
        "date": today(),
        "people_at_risk": [{"count": "2", "sex": "female", "age_band": "6-13"}],
        "phones": [phone],
        "contact": {"name": "王举报", "phone": "13912345678"}
    })
}

async fn extra_account(app: &TestApp, username: &str, role: Role, unit: &str) -> Account {
    app.service
        .operator(RequestCtx::cli("test-seed"))
        .add(
            &NewUser {
                username: username.into(),
                display_name: format!("示例·{username}"),
                phone: None,
                unit_id: unit.into(),
                roles: vec![role.id().into()],
            },
            Some(TEST_PASSWORD),
        )
        .await
        .expect("adding an account");
    let mut account = Account {
        username: username.into(),
        password: TEST_PASSWORD.into(),
        display_name: username.into(),
        role,
        unit_id: unit.into(),
        totp_secret: None,
    };
    if role.requires_second_factor() {
        account.totp_secret = Some(app.enrol(&account).await);
    }
    account
}

async fn sign_in(app: &TestApp, a: &Account) -> Browser {
    let b = app.browser();
    app.service.clock().advance_secs(30);
    let code = a.totp_secret.as_ref().map(|s| code_for(s, &app.service));
    b.login(&a.username, &a.password, code.as_deref()).await;
    b
}

async fn post(b: &Browser, path: &str, body: Value) -> Page {
    b.send_json(Method::POST, path, &body).await
}

fn error_field(p: &Page) -> String {
    p.json()["error"]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Enters a tip as `b` and returns its id.
async fn enter(b: &Browser, text: &str, phone: &str) -> String {
    let res = post(
        b,
        "/api/v1/tips",
        json!({"source": "phone_line", "tip": tip_body(text, phone)}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let r = res.json();
    assert!(
        r["tracking_code"].as_str().is_some_and(|c| c.len() == 14),
        "{r}"
    );
    assert!(r["secret"].as_str().is_some_and(|c| c.len() == 19), "{r}");
    r["tip_id"].as_str().unwrap().to_owned()
}

async fn tip_followed_to_a_referral(app: &TestApp) {
    let inv = app.signed_in("investigator").await;
    let me = inv.get_json("/api/v1/me").await.json()["user_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // An entry with an unknown source and a short text: every problem under its field.
    let bad = post(
        &inv,
        "/api/v1/tips",
        json!({"source": "carrier_pigeon", "tip": {"what_happened": "短", "division": "430212", "date": today()}}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(error_field(&bad), "source");
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        fields.contains(&"tip.what_happened".to_owned())
            && fields.contains(&"tip.people_at_risk".to_owned()),
        "{fields:?}"
    );
    let bad = post(
        &inv,
        "/api/v1/tips",
        json!({"source": "mandatory_reporter", "source_detail": "zoo", "tip": tip_body("学校老师发现一名学生长期缺课,家长说孩子被亲戚带去外地打工。", "13700137000")}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(error_field(&bad), "source_detail");
    // Photos go as base64; a damaged one is named under the tip.
    let mut with_photo = tip_body("学校老师发现一名学生长期缺课,家长说孩子被亲戚带去外地打工。", "13700137000");
    with_photo["photos"] = json!(["%%%"]);
    let bad = post(&inv, "/api/v1/tips", json!({"source": "phone_line", "tip": with_photo})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(error_field(&bad), "tip.photos[0]");

    let first = enter(
        &inv,
        "工厂里有十几个工人被扣押身份证,每天工作十六个小时不给工资。",
        "13500135000",
    )
    .await;
    let id = enter(
        &inv,
        "同一个工厂又有人打电话来,说工人被锁在宿舍里不让出门。",
        "13500135000",
    )
    .await;
    let tip = inv.get_json(&format!("/api/v1/tips/{id}")).await.json();
    assert_eq!(tip["summary"]["state"], "received");
    assert_eq!(tip["summary"]["source"], "phone_line");

    // The same phone number: the first tip is offered as a duplicate.
    let dups = inv.get_json(&format!("/api/v1/tips/{id}/duplicates")).await;
    assert_eq!(dups.status, StatusCode::OK, "{}", dups.body);
    let dups = dups.json();
    let hit = dups
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["tip_id"] == first.as_str())
        .unwrap_or_else(|| panic!("{dups}"));
    assert!(
        hit["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "same_phone"),
        "{hit}"
    );

    let res = post(
        &inv,
        &format!("/api/v1/tips/{id}/acknowledge"),
        json!({"assignee": "no-such-user"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(error_field(&res), "assignee");
    let res = post(
        &inv,
        &format!("/api/v1/tips/{id}/acknowledge"),
        json!({"assignee": me}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let tip = res.json();
    assert_eq!(tip["summary"]["state"], "acknowledged");
    assert_eq!(tip["summary"]["assignee_username"], "investigator");
    assert!(
        tip["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "reveal_reporter"),
        "{tip}"
    );

    // The reporter: a purpose is required, and the answer is not cached.
    let res = post(
        &inv,
        &format!("/api/v1/tips/{id}/reveal"),
        json!({"purpose": ""}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(error_field(&res), "purpose");
    assert!(!res.body.contains("王举报"));
    let res = post(
        &inv,
        &format!("/api/v1/tips/{id}/reveal"),
        json!({"purpose": "回访举报人核实工厂的具体位置"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.json()["name"], "王举报");
    assert_eq!(res.json()["phone"], "13912345678");
    assert_eq!(
        res.headers.get("cache-control").unwrap().to_str().unwrap(),
        "no-store"
    );
    // Another investigator of the unit, not assigned, is refused.
    let other = app.signed_in("investigator2").await;
    let res = post(
        &other,
        &format!("/api/v1/tips/{id}/reveal"),
        json!({"purpose": "回访举报人核实工厂的具体位置"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    assert!(!res.body.contains("王举报"));

    // Only a supervisor hands a tip to someone else: refused under `event`.
    let me2 = other.get_json("/api/v1/me").await.json()["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = post(
        &inv,
        &format!("/api/v1/tips/{id}/reassign"),
        json!({"assignee": me2}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(error_field(&res), "event");

    let res = post(&inv, &format!("/api/v1/tips/{id}/start-review"), json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.json()["summary"]["state"], "under_review");
    // Starting it twice is refused under `event`.
    let res = post(&inv, &format!("/api/v1/tips/{id}/start-review"), json!({})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(error_field(&res), "event");

    let decide = format!("/api/v1/tips/{id}/decide");
    let res = post(&inv, &decide, json!({"decision": "shrug"})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(error_field(&res), "decision");
    let res = post(
        &inv,
        &decide,
        json!({"decision": "refer", "to_unit": "labour", "reason": ""}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(error_field(&res), "reason");
    let res = post(
        &inv,
        &decide,
        json!({"decision": "refer", "to_unit": "labour", "reason": "劳动争议,请劳动监察核查欠薪和扣押证件情况"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let tip = res.json();
    assert_eq!(tip["summary"]["state"], "decided");
    assert_eq!(tip["summary"]["decision"], "refer");
    assert_eq!(tip["referred_to_unit"], "labour");

    // The labour bureau sees it in its inbox, never the reporter, and takes it up.
    let labour = extra_account(app, "labour.inspector", Role::Caseworker, "labour").await;
    let lb = sign_in(app, &labour).await;
    let inbox = lb.get_json("/api/v1/tips/referrals").await;
    assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.body);
    assert!(!inbox.body.contains("王举报") && !inbox.body.contains("13912345678"));
    let inbox = inbox.json();
    let line = inbox
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tip_id"] == id.as_str())
        .unwrap_or_else(|| panic!("{inbox}"));
    assert_eq!(line["to_unit_id"], "labour");
    assert!(line["acknowledged_at_ms"].is_null());
    assert!(line["text"].as_str().unwrap().contains("锁在宿舍"));
    assert_eq!(
        lb.get_json(&format!("/api/v1/tips/{id}")).await.status,
        StatusCode::FORBIDDEN
    );
    // Another unit cannot take it up.
    let edu = app.signed_in("liaison.education").await;
    let res = post(
        &edu,
        &format!("/api/v1/tips/{id}/acknowledge-referral"),
        json!({}),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    let res = post(
        &lb,
        &format!("/api/v1/tips/{id}/acknowledge-referral"),
        json!({}),
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.body);
    let inbox = lb.get_json("/api/v1/tips/referrals").await.json();
    let line = inbox
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tip_id"] == id.as_str())
        .unwrap();
    assert!(line["acknowledged_at_ms"].as_i64().is_some(), "{line}");
}

async fn no_action_needs_a_second_supervisor(app: &TestApp) {
    let sup1 = extra_account(app, "supervisor.a", Role::Supervisor, "psb").await;
    let sup2 = extra_account(app, "supervisor.b", Role::Supervisor, "psb").await;
    let a = sign_in(app, &sup1).await;
    let id = enter(
        &a,
        "邻居家新来一个年轻女子,不会说本地话,很少出门,怀疑是被买来的。",
        "13400134000",
    )
    .await;
    let me = a.get_json("/api/v1/me").await.json()["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = post(
        &a,
        &format!("/api/v1/tips/{id}/acknowledge"),
        json!({"assignee": me}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    // Handed to the investigator and taken back.
    let inv = app.signed_in("investigator").await;
    let inv_id = inv.get_json("/api/v1/me").await.json()["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reassign = format!("/api/v1/tips/{id}/reassign");
    let res = post(&a, &reassign, json!({"assignee": inv_id})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.json()["summary"]["assignee_username"], "investigator");
    let res = post(&a, &reassign, json!({"assignee": ""})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(error_field(&res), "assignee");
    let res = post(&a, &reassign, json!({"assignee": me})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.json()["summary"]["assignee_username"], "supervisor.a");
    post(&a, &format!("/api/v1/tips/{id}/start-review"), json!({})).await;
    let decide = format!("/api/v1/tips/{id}/decide");
    let res = post(
        &a,
        &decide,
        json!({"decision": "no_action", "reason": "太短"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(error_field(&res), "reason");
    let reason = "经走访核实,该女子系合法务工人员,持有有效证件,本人否认被拐卖,无违法犯罪事实。";
    let res = post(
        &a,
        &decide,
        json!({"decision": "no_action", "reason": reason}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.json()["summary"]["state"], "no_action_pending");
    // The proposer cannot approve their own proposal.
    let res = post(
        &a,
        &format!("/api/v1/tips/{id}/approve-no-action"),
        json!({}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(error_field(&res), "event");

    // The second supervisor sends it back once, then approves the next proposal.
    let b = sign_in(app, &sup2).await;
    let res = post(
        &b,
        &format!("/api/v1/tips/{id}/reject-no-action"),
        json!({}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.json()["summary"]["state"], "under_review");
    let res = post(
        &a,
        &decide,
        json!({"decision": "no_action", "reason": reason}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let res = post(
        &b,
        &format!("/api/v1/tips/{id}/approve-no-action"),
        json!({}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let tip = res.json();
    assert_eq!(tip["summary"]["state"], "decided");
    assert_eq!(tip["summary"]["decision"], "no_action");
}

async fn refusals_per_role_and_csrf(app: &TestApp) {
    let inv = app.signed_in("investigator").await;
    let id = enter(
        &inv,
        "小区里有一户人家经常有不同的孩子出入,孩子们看起来营养不良。",
        "13200132000",
    )
    .await;
    let me = inv.get_json("/api/v1/me").await.json()["user_id"]
        .as_str()
        .unwrap()
        .to_owned();

    for who in ["admin", "auditor", "lab"] {
        let b = app.signed_in(who).await;
        let entry = post(
            &b,
            "/api/v1/tips",
            json!({"source": "walk_in", "tip": tip_body("有人在车站招工,说去外地月薪两万,已经带走了好几个人。", "13100131000")}),
        )
        .await;
        assert_eq!(entry.status, StatusCode::FORBIDDEN, "{who}: {}", entry.body);
        for (path, body) in [
            ("acknowledge", json!({"assignee": me})),
            ("reassign", json!({"assignee": me})),
            ("start-review", json!({})),
            ("decide", json!({"decision": "open_case"})),
            ("approve-no-action", json!({})),
            ("reject-no-action", json!({})),
            ("acknowledge-referral", json!({})),
            ("reveal", json!({"purpose": "回访举报人核实情况"})),
        ] {
            let res = post(&b, &format!("/api/v1/tips/{id}/{path}"), body).await;
            assert_eq!(
                res.status,
                StatusCode::FORBIDDEN,
                "{who} {path}: {}",
                res.body
            );
            assert_eq!(
                res.json()["error"]["code"]
                    .as_str()
                    .unwrap()
                    .split('.')
                    .next(),
                Some("refused"),
                "{who} {path}"
            );
        }
        for path in [
            "/api/v1/tips/referrals".to_owned(),
            format!("/api/v1/tips/{id}/duplicates"),
        ] {
            let res = b.get_json(&path).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{who} {path}");
        }
    }
    assert_eq!(
        app.browser()
            .get_json(&format!("/api/v1/tips/{id}/duplicates"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // Writes without the session's CSRF token, or with a wrong one, change nothing.
    let path = format!("/api/v1/tips/{id}/acknowledge");
    let body = json!({"assignee": me}).to_string();
    for token in [None, Some("not-the-token")] {
        let res = inv
            .request(Method::POST, &path, |r| {
                let r = r
                    .header("content-type", "application/json")
                    .body(body.clone());
                match token {
                    Some(t) => r.header("x-csrf-token", t),
                    None => r,
                }
            })
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
        assert_eq!(res.json()["error"]["code"], "csrf");
    }
    let res = inv
        .request(Method::POST, "/api/v1/tips", |r| {
            r.header("content-type", "application/json").body(
                json!({"source": "walk_in", "tip": tip_body("有人在车站招工,说去外地月薪两万,已经带走了好几个人。", "13100131000")})
                    .to_string(),
            )
        })
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    let tip = inv.get_json(&format!("/api/v1/tips/{id}")).await.json();
    assert_eq!(tip["summary"]["state"], "received");
    assert_eq!(
        inv.get_json("/api/v1/tips")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn openapi_lists_the_steps(app: &TestApp) {
    let doc = app.browser().get_json("/api/openapi.json").await.json();
    for (path, method) in [
        ("/api/v1/tips", "post"),
        ("/api/v1/tips/referrals", "get"),
        ("/api/v1/tips/{id}/duplicates", "get"),
        ("/api/v1/tips/{id}/acknowledge", "post"),
        ("/api/v1/tips/{id}/reassign", "post"),
        ("/api/v1/tips/{id}/start-review", "post"),
        ("/api/v1/tips/{id}/decide", "post"),
        ("/api/v1/tips/{id}/approve-no-action", "post"),
        ("/api/v1/tips/{id}/reject-no-action", "post"),
        ("/api/v1/tips/{id}/acknowledge-referral", "post"),
        ("/api/v1/tips/{id}/reveal", "post"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing from OpenAPI"
        );
    }
    for schema in [
        "StaffTipRequest",
        "StaffTipReceiptDto",
        "AssigneeRequest",
        "DecideRequest",
        "RevealRequest",
        "ReporterDto",
        "DuplicateDto",
        "ReferralDto",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "schema {schema} missing"
        );
    }
    assert_eq!(
        doc["paths"]["/api/v1/tips/{id}/reveal"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]["$ref"],
        "#/components/schemas/RevealRequest"
    );
}

on_both_databases!(
    tip_followed_to_a_referral,
    no_action_needs_a_second_supervisor,
    refusals_per_role_and_csrf,
    openapi_lists_the_steps,
);

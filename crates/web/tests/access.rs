//! Every role is refused the pages and endpoints it must not use, and its menu offers
//! only what it may open.

mod common;

use common::TestApp;
use reqwest::{Method, StatusCode};

on_both_databases!(
    admin_manages_users_but_cannot_read_the_audit_log,
    auditor_reads_the_audit_log_but_cannot_manage_users,
    other_roles_reach_neither_administration_nor_audit,
    anonymous_requests_are_sent_to_login,
);

const ADMIN_ONLY_PAGES: &[&str] = &["/admin/users", "/admin/users/new"];
const AUDIT_ONLY_PAGES: &[&str] = &["/audit"];
const ADMIN_ONLY_API: &[&str] = &["/api/v1/users"];
const AUDIT_ONLY_API: &[&str] = &["/api/v1/audit", "/api/v1/audit/verify"];

async fn assert_refused(b: &common::Browser, pages: &[&str], api: &[&str]) {
    for path in pages {
        let res = b.get_page(path).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path} must be refused");
        res.assert_contains("您无权执行此操作");
    }
    for path in api {
        let res = b.get_json(path).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path} must be refused");
        assert!(
            res.json()["error"]["code"]
                .as_str()
                .unwrap()
                .starts_with("refused."),
            "{}",
            res.body
        );
    }
}

async fn admin_manages_users_but_cannot_read_the_audit_log(app: &TestApp) {
    let b = app.signed_in("admin").await;
    assert_refused(&b, AUDIT_ONLY_PAGES, AUDIT_ONLY_API).await;
    let home = b.get_page("/").await;
    assert!(
        home.body.contains("href=\"/admin/users\"") && !home.body.contains("href=\"/audit\""),
        "{}",
        home.body
    );
    for path in ADMIN_ONLY_PAGES {
        assert_eq!(b.get_page(path).await.status, StatusCode::OK, "{path}");
    }
    // Creating a user through the form shows the one-time password once.
    b.get_page("/admin/users/new").await;
    let res = b
        .post_form(
            "/admin/users",
            &[
                ("username", "caseworker.health"),
                ("display_name", "示例·卫生社工"),
                ("phone", ""),
                ("unit_id", "health"),
                ("roles", "caseworker"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.assert_contains("id=\"one-time-password\"");
    // A taken username comes back beside its field, with the input kept.
    b.get_page("/admin/users/new").await;
    let again = b
        .post_form(
            "/admin/users",
            &[
                ("username", "caseworker.health"),
                ("display_name", "示例·重复"),
                ("unit_id", "health"),
                ("roles", "caseworker"),
            ],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    again.assert_contains("id=\"username-error\"");
    again.assert_contains("value=\"示例·重复\"");
    // An invalid username is explained beside the field.
    let bad = b
        .post_form(
            "/admin/users",
            &[
                ("username", "-x"),
                ("display_name", "示例"),
                ("unit_id", "health"),
                ("roles", "caseworker"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("id=\"username-error\"");
}

async fn auditor_reads_the_audit_log_but_cannot_manage_users(app: &TestApp) {
    let b = app.signed_in("auditor").await;
    assert_refused(&b, ADMIN_ONLY_PAGES, ADMIN_ONLY_API).await;
    let users_id = "some-user";
    let res = b
        .send_json(
            Method::POST,
            &format!("/api/v1/users/{users_id}/disable"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    let page = b.get_page("/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("data-status=\"intact\"");
    // The refusals just made are in the log, and the filter finds them.
    let refused = b.get_page("/audit?user=auditor&action=users.manage").await;
    assert_eq!(refused.status, StatusCode::OK);
    refused.assert_contains("users.manage");
    // The request id reaches the audit log through the service context.
    let traced = b
        .request(Method::GET, "/api/v1/users", |r| {
            r.header("x-request-id", "trace-refusal-1")
        })
        .await;
    assert_eq!(traced.status, StatusCode::FORBIDDEN);
    let events = b
        .get_json("/api/v1/audit?action=users.manage&per_page=500")
        .await
        .json();
    assert!(
        events["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["request_id"] == "trace-refusal-1"),
        "{events}"
    );
    let verify = b.get_json("/api/v1/audit/verify").await;
    assert_eq!(verify.status, StatusCode::OK);
    assert_eq!(verify.json()["status"], "intact");
    let page1 = b.get_json("/api/v1/audit?per_page=2&page=1").await.json();
    assert_eq!(page1["events"].as_array().unwrap().len(), 2);
    assert!(page1["total"].as_i64().unwrap() > 2);
    let bad_time = b.get_page("/audit?from=yesterday").await;
    assert_eq!(bad_time.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad_time.assert_contains("id=\"from-error\"");
    bad_time.assert_contains("value=\"yesterday\"");
}

async fn other_roles_reach_neither_administration_nor_audit(app: &TestApp) {
    for username in [
        "investigator",
        "caseworker",
        "lab",
        "office",
        "convenor",
        "liaison.psb",
    ] {
        let b = app.signed_in(username).await;
        assert_refused(
            &b,
            &[ADMIN_ONLY_PAGES, AUDIT_ONLY_PAGES].concat(),
            &[ADMIN_ONLY_API, AUDIT_ONLY_API].concat(),
        )
        .await;
        let home = b.get_page("/").await;
        assert!(
            !home.body.contains("href=\"/admin/users\"") && !home.body.contains("href=\"/audit\""),
            "{username} sees links it may not follow"
        );
    }
}

async fn anonymous_requests_are_sent_to_login(app: &TestApp) {
    let b = app.browser();
    for path in ["/", "/units", "/admin/users", "/audit", "/account"] {
        let res = b.get_page(path).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(res.location(), Some("/login"), "{path}");
    }
    for path in [
        "/api/v1/me",
        "/api/v1/units",
        "/api/v1/users",
        "/api/v1/audit",
    ] {
        let res = b.get_json(path).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(res.json()["error"]["code"], "auth.login_required");
    }
}

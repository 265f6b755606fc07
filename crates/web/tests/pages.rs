//! The pages people use, in both languages, and the JSON API beside them.

mod common;

use common::TestApp;
use reqwest::{Method, StatusCode};

on_both_databases!(
    language_choice_is_remembered,
    unit_directory_lists_the_member_units_in_the_page_language,
    home_lists_what_the_policy_allows,
    admin_actions_work_through_the_api,
    openapi_document_lists_the_paths,
);

async fn language_choice_is_remembered(app: &TestApp) {
    let b = app.browser();
    let login = b.get_page("/login").await;
    login.assert_contains("<html lang=\"zh-CN\">");
    login.assert_contains("用户名");
    let res = b
        .post_form("/lang", &[("lang", "en"), ("next", "/login")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), Some("/login"));
    assert_eq!(b.cookie("lang").as_deref(), Some("en"));
    let login = b.get_page("/login").await;
    login.assert_contains("<html lang=\"en\">");
    login.assert_contains("Username");

    // The session learns the language at login and keeps it without the cookie.
    let acc = app.account("liaison.education").clone();
    b.login(&acc.username, &acc.password, None).await;
    b.forget_cookie("lang");
    let me = b.get_json("/api/v1/me").await.json();
    assert_eq!(me["lang"], "en");
    b.get_page("/").await.assert_contains("<html lang=\"en\">");
    // Switching back while signed in changes both.
    b.post_form("/lang", &[("lang", "zh-CN"), ("next", "/units")])
        .await;
    b.forget_cookie("lang");
    b.get_page("/units")
        .await
        .assert_contains("<html lang=\"zh-CN\">");
    // An unsafe "next" never leads off the site.
    let res = b
        .post_form("/lang", &[("lang", "en"), ("next", "//evil.example/")])
        .await;
    assert_eq!(res.location(), Some("/"));
}

async fn unit_directory_lists_the_member_units_in_the_page_language(app: &TestApp) {
    let b = app.signed_in("office").await;
    let zh = b.get_page("/units").await;
    assert_eq!(zh.status, StatusCode::OK);
    assert_eq!(zh.body.matches("class=\"panel unit\"").count(), 24);
    zh.assert_contains("市妇联");
    zh.assert_contains("牵头单位");
    b.set_cookie("lang", "en");
    let en = b.get_page("/units").await;
    en.assert_contains("Lead unit");
    let api = b.get_json("/api/v1/units").await.json();
    let units = api.as_array().unwrap();
    assert_eq!(units.len(), 24);
    let psb = units.iter().find(|u| u["id"] == "psb").unwrap();
    assert_eq!(psb["is_lead"], true);
    en.assert_contains(psb["name_en"].as_str().unwrap());
    let liaison = psb["liaison"]["username"].as_str().unwrap();
    assert_eq!(liaison, "liaison.psb");
}

async fn home_lists_what_the_policy_allows(app: &TestApp) {
    let b = app.signed_in("auditor").await;
    let home = b.get_page("/").await;
    home.assert_contains("查阅审计日志");
    assert!(!home.body.contains("管理用户账户"));
    let me = b.get_json("/api/v1/me").await.json();
    let perms: Vec<&str> = me["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        perms.contains(&"audit_log") && !perms.contains(&"users"),
        "{perms:?}"
    );
}

async fn admin_actions_work_through_the_api(app: &TestApp) {
    let b = app.signed_in("admin").await;
    let created = b
        .send_json(
            Method::POST,
            "/api/v1/users",
            &serde_json::json!({"username": "api.user", "display_name": "示例·接口", "phone": "17000000999", "unit_id": "justice", "roles": ["caseworker"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let user = created.json()["user"].clone();
    let id = user["id"].as_str().unwrap();
    assert_ne!(
        user["phone_masked"], "17000000999",
        "the admin sees the phone masked"
    );
    let invalid = b
        .send_json(Method::POST, "/api/v1/users", &serde_json::json!({"username": "x", "display_name": "示例", "unit_id": "justice", "roles": ["caseworker"]}))
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid.json()["error"]["field"], "username");
    assert_eq!(invalid.json()["error"]["code"], "username.too_short");
    let missing = b
        .send_json(
            Method::POST,
            "/api/v1/users",
            &serde_json::json!({"username": "abc"}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);

    let moved = b
        .send_json(
            Method::PUT,
            &format!("/api/v1/users/{id}/assignment"),
            &serde_json::json!({"unit_id": "health", "roles": ["caseworker", "liaison"]}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.json()["unit_id"], "health");
    let reset = b
        .send_json(
            Method::POST,
            &format!("/api/v1/users/{id}/reset-password"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK);
    assert!(reset.json()["initial_password"].as_str().unwrap().len() >= 12);
    let disabled = b
        .send_json(
            Method::POST,
            &format!("/api/v1/users/{id}/disable"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(disabled.json()["disabled"], true);
    let enabled = b
        .send_json(
            Method::POST,
            &format!("/api/v1/users/{id}/enable"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(enabled.json()["disabled"], false);
    let unknown = b
        .send_json(
            Method::POST,
            "/api/v1/users/no-such-id/disable",
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // The same through the pages.
    let list = b.get_page("/admin/users").await;
    list.assert_contains("api.user");
    let res = b
        .post_form(&format!("/admin/users/{id}/disable"), &[])
        .await;
    assert_eq!(res.location(), Some("/admin/users?done=disabled"));
    b.get_page("/admin/users?done=disabled")
        .await
        .assert_contains("账户已停用");
    // A disabled account cannot be named liaison; an enabled one can, and the directory shows it.
    let refused = b.post_form(&format!("/admin/users/{id}/liaison"), &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    b.post_form(&format!("/admin/users/{id}/enable"), &[]).await;
    let res = b.post_form(&format!("/admin/users/{id}/liaison"), &[]).await;
    assert_eq!(res.location(), Some("/admin/users?done=liaison"));
    b.get_page("/admin/users?done=liaison")
        .await
        .assert_contains("已设为本单位联络员");
    let units = b.get_json("/api/v1/units").await.json();
    let health = units.as_array().unwrap().iter().find(|u| u["id"] == "health").unwrap().clone();
    assert_eq!(health["liaison"]["user_id"], id, "{health}");
}

async fn openapi_document_lists_the_paths(app: &TestApp) {
    let b = app.browser();
    let res = b.get_json("/api/openapi.json").await;
    assert_eq!(res.status, StatusCode::OK);
    let doc = res.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/me",
        "/api/v1/units",
        "/api/v1/users",
        "/api/v1/users/{id}/disable",
        "/api/v1/users/{id}/enable",
        "/api/v1/users/{id}/reset-password",
        "/api/v1/users/{id}/reset-2fa",
        "/api/v1/users/{id}/assignment",
        "/api/v1/audit",
        "/api/v1/audit/verify",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    assert!(paths["/api/v1/users"].get("post").is_some());
    assert!(paths["/api/v1/users/{id}/assignment"].get("put").is_some());
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

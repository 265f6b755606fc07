//! Security headers, CSRF, body limit, error pages, request ids.

mod common;

use common::TestApp;
use reqwest::{Method, StatusCode, header};

on_both_databases!(
    every_response_carries_the_security_headers,
    writes_without_the_csrf_token_are_refused,
    oversized_bodies_get_a_localized_413,
    unknown_routes_get_a_localized_404,
    request_ids_are_generated_or_propagated,
    static_assets_are_fingerprinted_and_cached,
);

async fn every_response_carries_the_security_headers(app: &TestApp) {
    let b = app.browser();
    let login = b.get_page("/login").await;
    let missing = b.get_page("/no/such/page").await;
    let api = b.get_json("/api/v1/me").await;
    for page in [&login, &missing, &api] {
        let h = &page.headers;
        assert_eq!(
            h[header::CONTENT_SECURITY_POLICY],
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; \
base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        );
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert!(h.contains_key("permissions-policy"));
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        // Served over plain HTTP in tests, so no HSTS.
        assert!(!h.contains_key(header::STRICT_TRANSPORT_SECURITY));
    }
    // No inline script or style anywhere in the page: everything comes from /static.
    assert!(
        !login.body.contains("<script>") && !login.body.contains("style="),
        "{}",
        login.body
    );
    for c in login.set_cookies() {
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Path=/"),
            "{c}"
        );
    }
}

async fn writes_without_the_csrf_token_are_refused(app: &TestApp) {
    let admin = app.account("admin").clone();
    // Before login: the double-submit cookie must match the form field.
    let b = app.browser();
    b.get_page("/login").await;
    let no_token = b
        .post_form_raw(
            "/login",
            &[
                ("username".into(), admin.username.clone()),
                ("password".into(), admin.password.clone()),
            ],
        )
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    no_token.assert_contains("表单已失效");
    let wrong = b
        .post_form_raw(
            "/login",
            &[
                ("username".into(), admin.username.clone()),
                ("password".into(), admin.password.clone()),
                ("csrf".into(), "0".repeat(64)),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(
        b.cookie("fg_session").is_none(),
        "no session may start without the token"
    );

    // Signed in: forms and API writes need the session's token.
    let b = app.signed_in("admin").await;
    let users = b.get_json("/api/v1/users").await;
    let some_id = users
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "caseworker")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/admin/users/{some_id}/reset-2fa");
    let res = b.post_form_raw(&path, &[]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = b
        .request(
            Method::POST,
            &format!("/api/v1/users/{some_id}/disable"),
            |r| r.header("x-csrf-token", "f".repeat(64)),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.json()["error"]["code"], "csrf");
    // The account was not touched.
    let after = b.get_json("/api/v1/users").await.json();
    let user = after
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == some_id.as_str())
        .unwrap();
    assert_eq!(user["disabled"], false);
    // With the header the same write goes through.
    let ok = b
        .send_json(
            Method::POST,
            &format!("/api/v1/users/{some_id}/disable"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.json()["disabled"], true);
}

async fn oversized_bodies_get_a_localized_413(app: &TestApp) {
    let b = app.browser();
    b.get_page("/login").await;
    let big = "x".repeat(2 * 1024 * 1024);
    let csrf = b.csrf();
    let res = b
        .post_form_raw(
            "/login",
            &[
                ("username".into(), big.clone()),
                ("password".into(), "p".into()),
                ("csrf".into(), csrf),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    res.assert_contains("提交的内容过大");
    let signed = app.signed_in("admin").await;
    let res = signed
        .send_json(Method::POST, "/api/v1/users", &serde_json::json!({ "username": big, "display_name": "x", "unit_id": "psb", "roles": [] }))
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.json()["error"]["code"], "payload_too_large");
}

async fn unknown_routes_get_a_localized_404(app: &TestApp) {
    let b = app.browser();
    let page = b.get_page("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    page.assert_contains("找不到您要访问的页面");
    page.assert_contains("<html lang=\"zh-CN\">");

    b.set_cookie("lang", "en");
    let page = b.get_page("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    page.assert_contains("The page you asked for does not exist.");

    let api = b.get_json("/api/v1/no-such-thing").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.json()["error"]["code"], "not_found");
    assert_eq!(
        api.json()["error"]["message"],
        "The page you asked for does not exist."
    );

    b.forget_cookie("lang");
    let wrong_method = b.get_page("/logout").await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    wrong_method.assert_contains("不支持此请求方式");
}

async fn request_ids_are_generated_or_propagated(app: &TestApp) {
    let b = app.browser();
    let generated = b.get_page("/healthz").await;
    let id = generated.headers["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let given = b
        .request(Method::GET, "/healthz", |r| {
            r.header("x-request-id", "trace-42")
        })
        .await;
    assert_eq!(given.headers["x-request-id"], "trace-42");
}

async fn static_assets_are_fingerprinted_and_cached(app: &TestApp) {
    let b = app.browser();
    let page = b.get_page("/login").await;
    let marker = "rel=\"stylesheet\" href=\"";
    let css_at = page.body.find(marker).expect("a stylesheet link") + marker.len();
    let rest = &page.body[css_at..];
    let url = &rest[..rest.find('"').unwrap()];
    // A fresh browser, which has no CSRF cookie yet.
    let css = app.browser().get_page(url).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(
        css.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert!(
        css.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/")
    );
    let htmx = &page.body[page
        .body
        .find("vendor/htmx.min.js")
        .expect("htmx is linked")
        - 30..];
    assert!(htmx.contains("/static/"));
}

/// With HTTPS deployments' settings: `Secure`, `__Host-` names and HSTS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_deployments_mark_cookies_secure_and_send_hsts() {
    let config = fanguai_web::WebConfig {
        secure_cookies: true,
        ..fanguai_web::WebConfig::default()
    };
    let app = TestApp::start(common::Backend::Sqlite, config)
        .await
        .expect("SQLite is always available");
    let page = app.browser().get_page("/login").await;
    assert_eq!(
        page.headers[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000; includeSubDomains"
    );
    let cookies = page.set_cookies();
    assert!(!cookies.is_empty());
    for c in cookies {
        assert!(c.starts_with("__Host-") && c.contains("; Secure"), "{c}");
    }
    // The test client sends cookies back over plain HTTP, as a proxy terminating TLS
    // would; the session works under the prefixed name.
    let b = app.signed_in("office").await;
    assert!(b.cookie("__Host-fg_session").is_some() && b.cookie("fg_session").is_none());
    app.stop().await;
}

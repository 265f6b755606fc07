//! Login, second factor, enrolment, lockout, session rotation and expiry.

mod common;

use common::{TestApp, code_for};
use reqwest::{Method, StatusCode};

on_both_databases!(
    login_with_password_and_totp_reaches_home,
    session_id_rotates_at_login,
    five_wrong_passwords_lock_the_account,
    wrong_totp_code_is_refused_with_a_message,
    idle_sessions_expire,
    first_login_enrols_an_authenticator,
    logout_ends_the_session,
    login_attempts_are_rate_limited,
    initial_password_must_be_changed_first,
);

async fn login_with_password_and_totp_reaches_home(app: &TestApp) {
    let b = app.signed_in("investigator").await;
    let home = b.get_page("/").await;
    assert_eq!(home.status, StatusCode::OK);
    home.assert_contains("示例·侦查员甲");
    home.assert_contains("市公安局");
    let me = b.get_json("/api/v1/me").await.json();
    assert_eq!(me["username"], "investigator");
    assert_eq!(me["roles"][0], "investigator");
}

async fn session_id_rotates_at_login(app: &TestApp) {
    let acc = app.account("auditor").clone();
    let b = app.browser();
    b.get_page("/login").await;
    let res = b
        .post_form(
            "/login",
            &[("username", &acc.username), ("password", &acc.password)],
        )
        .await;
    assert_eq!(res.location(), Some("/login/totp"));
    let pending = b.cookie("fg_session").expect("a pending session cookie");
    // The pending session opens no page.
    let home = b.get_page("/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    b.get_page("/login/totp").await;
    app.service.clock().advance_secs(30);
    let code = code_for(acc.totp_secret.as_ref().unwrap(), &app.service);
    let res = b.post_form("/login/totp", &[("code", &code)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let full = b.cookie("fg_session").expect("a full session cookie");
    assert_ne!(pending, full, "the session id must change at login");
    assert_eq!(b.get_page("/audit").await.status, StatusCode::OK);
    // Someone holding the pre-login id gets nothing.
    let thief = app.browser();
    thief.set_cookie("fg_session", &pending);
    let res = thief.get_page("/audit").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), Some("/login?expired=1"));
}

async fn five_wrong_passwords_lock_the_account(app: &TestApp) {
    let acc = app.account("caseworker").clone();
    let b = app.browser();
    b.get_page("/login").await;
    for i in 1..=4 {
        let res = b
            .post_form(
                "/login",
                &[
                    ("username", &acc.username),
                    ("password", "wrong-password-1"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        res.assert_contains("用户名或密码错误");
        res.assert_contains("value=\"caseworker\"");
    }
    let fifth = b
        .post_form(
            "/login",
            &[
                ("username", &acc.username),
                ("password", "wrong-password-1"),
            ],
        )
        .await;
    assert_eq!(fifth.status, StatusCode::FORBIDDEN);
    fifth.assert_contains("账户已被锁定至");
    // Even the right password is refused now.
    let right = b
        .post_form(
            "/login",
            &[("username", &acc.username), ("password", &acc.password)],
        )
        .await;
    assert_eq!(right.status, StatusCode::FORBIDDEN);
    assert!(b.cookie("fg_session").is_none());
    // After the lock time the account opens again.
    app.service.clock().advance_secs(16 * 60);
    let later = b
        .post_form(
            "/login",
            &[("username", &acc.username), ("password", &acc.password)],
        )
        .await;
    assert_eq!(later.status, StatusCode::SEE_OTHER, "{}", later.body);
}

async fn wrong_totp_code_is_refused_with_a_message(app: &TestApp) {
    let acc = app.account("lab").clone();
    let b = app.browser();
    b.set_cookie("lang", "en");
    b.get_page("/login").await;
    let res = b
        .post_form(
            "/login",
            &[("username", &acc.username), ("password", &acc.password)],
        )
        .await;
    assert_eq!(res.location(), Some("/login/totp"));
    b.get_page("/login/totp").await;
    // Past the step used at enrolment, which would be refused as a replay.
    app.service.clock().advance_secs(30);
    let real = code_for(acc.totp_secret.as_ref().unwrap(), &app.service);
    let wrong = format!(
        "{:06}",
        (real.parse::<u32>().unwrap() + 500_000) % 1_000_000
    );
    let res = b.post_form("/login/totp", &[("code", &wrong)]).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    res.assert_contains("Wrong or expired code");
    assert_eq!(b.get_page("/").await.status, StatusCode::SEE_OTHER);
    // The right code still works after a wrong one.
    let res = b.post_form("/login/totp", &[("code", &real)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(b.get_page("/").await.status, StatusCode::OK);
}

async fn idle_sessions_expire(app: &TestApp) {
    let b = app.signed_in("office").await;
    assert_eq!(b.get_page("/").await.status, StatusCode::OK);
    app.service.clock().advance_secs(31 * 60);
    let res = b.get_page("/").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), Some("/login?expired=1"));
    let login = b.get_page("/login?expired=1").await;
    login.assert_contains("您的会话已过期");
    let api = b.get_json("/api/v1/me").await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
}

async fn first_login_enrols_an_authenticator(app: &TestApp) {
    // An admin resets the investigator's authenticator; the next login must enrol.
    let admin = app.signed_in("admin").await;
    let users = admin.get_json("/api/v1/users").await.json();
    let id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "investigator2")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/users/{id}/reset-2fa"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.json()["totp_enrolled"], false);

    let acc = app.account("investigator2").clone();
    let b = app.browser();
    b.get_page("/login").await;
    let res = b
        .post_form(
            "/login",
            &[("username", &acc.username), ("password", &acc.password)],
        )
        .await;
    assert_eq!(res.location(), Some("/login/enrol"));
    let page = b.get_page("/login/enrol").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<svg");
    let at = page
        .body
        .find("id=\"totp-secret\">")
        .expect("the secret is shown")
        + "id=\"totp-secret\">".len();
    let secret = page.body[at..at + page.body[at..].find('<').unwrap()]
        .trim()
        .to_owned();
    let wrong = b.post_form("/login/enrol", &[("code", "12345")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    wrong.assert_contains(&secret);
    let code = code_for(&secret, &app.service);
    let ok = b.post_form("/login/enrol", &[("code", &code)]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), Some("/"));
    assert_eq!(b.get_page("/").await.status, StatusCode::OK);
}

async fn logout_ends_the_session(app: &TestApp) {
    let b = app.signed_in("convenor").await;
    let token = b.cookie("fg_session").unwrap();
    let res = b.post_form("/logout", &[]).await;
    assert_eq!(res.location(), Some("/login"));
    assert!(b.cookie("fg_session").is_none());
    let replay = app.browser();
    replay.set_cookie("fg_session", &token);
    assert_eq!(
        replay.get_json("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn login_attempts_are_rate_limited(app: &TestApp) {
    // The default allows 10 tries per username in a burst; an unknown username never
    // locks, so only the rate limit stops the 11th.
    let b = app.browser();
    b.get_page("/login").await;
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let res = b
            .post_form(
                "/login",
                &[("username", "nobody.here"), ("password", "guess-guess-1")],
            )
            .await;
        statuses.push(res.status);
        if res.status == StatusCode::TOO_MANY_REQUESTS {
            res.assert_contains("尝试次数过多");
            assert!(res.headers.contains_key("retry-after"));
        }
    }
    assert_eq!(&statuses[..10], &[StatusCode::UNAUTHORIZED; 10]);
    assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS);
}

async fn initial_password_must_be_changed_first(app: &TestApp) {
    let admin = app.signed_in("admin").await;
    let created = admin
        .send_json(
            Method::POST,
            "/api/v1/users",
            &serde_json::json!({"username": "liaison.new", "display_name": "示例·新联络员", "unit_id": "education", "roles": ["liaison"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let initial = created.json()["initial_password"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = app.browser();
    b.login("liaison.new", &initial, None).await;
    let res = b.get_page("/units").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), Some("/account?must_change=1"));
    let account = b.get_page("/account").await;
    account.assert_contains("初始密码");
    let mismatch = b
        .post_form(
            "/account/password",
            &[
                ("current_password", &initial),
                ("new_password", "Neue-Passwort-2024"),
                ("confirm_password", "other"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    mismatch.assert_contains("两次输入的新密码不一致");
    let ok = b
        .post_form(
            "/account/password",
            &[
                ("current_password", &initial),
                ("new_password", "Neue-Passwort-2024"),
                ("confirm_password", "Neue-Passwort-2024"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(b.get_page("/units").await.status, StatusCode::OK);
}

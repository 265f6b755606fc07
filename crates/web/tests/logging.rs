//! What the server logs while people sign in and manage accounts: one line per request
//! with its request id, and never a password, code, token, secret or personal field.

mod common;

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use common::{Backend, TEST_PASSWORD, TestApp};
use reqwest::StatusCode;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_lines_carry_request_ids_and_no_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .expect("the only subscriber of this test binary");

    let app = TestApp::start(Backend::Sqlite, TestApp::config())
        .await
        .expect("SQLite is always available");
    let admin = app.signed_in("admin").await;
    let session_token = admin.cookie("fg_session").unwrap();
    let csrf = admin.csrf();
    admin.get_page("/admin/users/new").await;
    let created = admin
        .post_form(
            "/admin/users",
            &[
                ("username", "log.check"),
                ("display_name", "示例·日志核对"),
                ("phone", "17012345678"),
                ("unit_id", "health"),
                ("roles", "caseworker"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let marker = "id=\"one-time-password\">";
    let at = created.body.find(marker).unwrap() + marker.len();
    let initial_password = created.body[at..at + created.body[at..].find('<').unwrap()].to_owned();
    admin.get_page("/audit?user=query.secret.term").await;

    let guesser = app.browser();
    guesser.get_page("/login").await;
    guesser
        .post_form(
            "/login",
            &[("username", "admin"), ("password", "Wrong-Guess-Secret-42")],
        )
        .await;
    let admin_totp = app.account("admin").totp_secret.clone().unwrap();
    app.stop().await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.lines().any(|l| l.contains("request_id=")
            && l.contains("method=POST")
            && l.contains("path=/admin/users")
            && l.contains("status=201")),
        "no access line for the user creation:\n{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains("path=/audit") && l.contains("status=403")),
        "{log}"
    );
    let admin_id = app_user_id(&log);
    assert!(
        admin_id.is_some(),
        "access lines name the signed-in user:\n{log}"
    );

    for secret in [
        TEST_PASSWORD,
        "Wrong-Guess-Secret-42",
        initial_password.as_str(),
        admin_totp.as_str(),
        session_token.as_str(),
        csrf.as_str(),
        "17012345678",
        "示例·日志核对",
        "query.secret.term",
    ] {
        assert!(!log.contains(secret), "the log contains {secret:?}:\n{log}");
    }
}

fn app_user_id(log: &str) -> Option<&str> {
    log.split("user_id=")
        .nth(1)
        .map(|rest| rest.split_whitespace().next().unwrap_or_default())
        .filter(|id| *id != "-")
}

//! A service on a throw-away database, with typed helpers for signing in.
#![allow(dead_code)]

use fanguai_service::{
    App, LoginOutcome, NewUser, RequestCtx, ServiceConfig, Session, SessionToken, seed,
};
use fanguai_store::testing::TestDb;
use fanguai_vault::KeyRing;
use fanguai_vault::totp::TotpSecret;

pub const PASSWORD: &str = "correct-Horse-battery-9";

pub struct TestApp {
    pub app: App,
    pub db: TestDb,
    secrets: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

pub fn ctx() -> RequestCtx {
    RequestCtx {
        request_id: format!("test-{}", uuid::Uuid::new_v4()),
        ip: Some("127.0.0.1".into()),
        user_agent: None,
    }
}

impl TestApp {
    pub async fn on(db: TestDb) -> TestApp {
        let app = App::open(
            db.store().clone(),
            KeyRing::ephemeral(),
            ServiceConfig::default(),
        )
        .await
        .unwrap();
        seed::member_units(&app, &ctx()).await.unwrap();
        TestApp {
            app,
            db,
            secrets: Default::default(),
        }
    }

    /// Creates an account with `PASSWORD`.
    pub async fn user(&self, username: &str, unit: &str, role: &str) -> String {
        let (v, _) = self
            .app
            .operator(ctx())
            .add(
                &NewUser {
                    username: username.into(),
                    display_name: format!("测试·{username}"),
                    phone: Some("13800138000".into()),
                    unit_id: unit.into(),
                    roles: vec![role.into()],
                },
                Some(PASSWORD),
            )
            .await
            .unwrap();
        v.id
    }

    /// Signs in, enrolling an authenticator when asked; returns the full session token
    /// and the TOTP secret.
    pub async fn sign_in(&self, username: &str) -> (SessionToken, Option<TotpSecret>) {
        match self.app.login(&ctx(), username, PASSWORD).await.unwrap() {
            LoginOutcome::Complete { token } => (token, None),
            LoginOutcome::EnrolmentRequired { token } => {
                let e = self.app.enrolment(&ctx(), &token).await.unwrap();
                let secret = TotpSecret::from_base32(&e.secret_base32).unwrap();
                let code = secret.code_at(self.now_secs());
                let full = self
                    .app
                    .confirm_enrolment(&ctx(), &token, &code)
                    .await
                    .unwrap();
                self.secrets
                    .lock()
                    .unwrap()
                    .insert(username.to_string(), e.secret_base32.clone());
                (full, Some(secret))
            }
            LoginOutcome::TotpRequired { token } => {
                let b32 = self
                    .secrets
                    .lock()
                    .unwrap()
                    .get(username)
                    .cloned()
                    .expect("enrolled by this test app");
                let secret = TotpSecret::from_base32(&b32).unwrap();
                // A code of a step already used is refused as a replay.
                self.app.clock().advance_secs(30);
                let full = self
                    .app
                    .verify_totp(&ctx(), &token, &secret.code_at(self.now_secs()))
                    .await
                    .unwrap();
                (full, Some(secret))
            }
        }
    }

    pub async fn session(&self, username: &str) -> Session {
        let (token, _) = self.sign_in(username).await;
        self.app.session(&ctx(), &token).await.unwrap()
    }

    pub fn now_secs(&self) -> u64 {
        (self.app.clock().now_ms() / 1000) as u64
    }
}

/// Runs a test body on SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, |$t:ident| $body:block) => {
        mod $name {
            use super::*;
            async fn body($t: TestApp) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                body(TestApp::on(fanguai_store::testing::TestDb::sqlite().await).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match fanguai_store::testing::TestDb::postgres_from_env().await {
                    Some(db) => body(TestApp::on(db).await).await,
                    None => eprintln!("TEST_DATABASE_URL not set: PostgreSQL run skipped"),
                }
            }
        }
    };
}

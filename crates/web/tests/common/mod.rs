//! The real application in-process on port 0, over a fresh database per test, with
//! typed helpers that behave like a browser (cookie jar, CSRF token from the page).

#![allow(dead_code)]

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use fanguai_service::{App, NewUser, RequestCtx, Role, ServiceConfig};
use fanguai_store::testing::TestDb;
use fanguai_vault::{KeyRing, totp::TotpSecret};
use fanguai_web::{AppState, WebConfig};
use reqwest::{Method, StatusCode, header};
use tokio::{sync::oneshot, task::JoinHandle};

/// The password of every seeded account (known: the data is fake).
pub const TEST_PASSWORD: &str = "Test-Password-2009";

/// Seeded accounts: username, display name, role, unit.
pub const SEED_ACCOUNTS: &[(&str, &str, Role, &str)] = &[
    ("admin", "示例·管理员", Role::Admin, "psb"),
    ("convenor", "示例·召集人", Role::Convenor, "psb"),
    ("office", "示例·办公室", Role::Office, "psb"),
    ("investigator", "示例·侦查员甲", Role::Investigator, "psb"),
    ("investigator2", "示例·侦查员乙", Role::Investigator, "psb"),
    ("lab", "示例·实验室", Role::Lab, "psb"),
    ("caseworker", "示例·社工", Role::Caseworker, "civil-affairs"),
    ("auditor", "示例·审计", Role::Auditor, "psb"),
    ("liaison.psb", "示例·公安联络员", Role::Liaison, "psb"),
    (
        "liaison.education",
        "示例·教育联络员",
        Role::Liaison,
        "education",
    ),
];

#[derive(Debug, Clone)]
pub struct Account {
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: String,
    pub totp_secret: Option<String>,
}

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub addr: SocketAddr,
    pub service: App,
    pub accounts: Vec<Account>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    // Dropped last: the server must stop before its database disappears.
    _db: TestDb,
}

impl TestApp {
    /// Starts the app on `backend`; `None` when that backend is not configured here
    /// (PostgreSQL without `TEST_DATABASE_URL`).
    pub async fn start(backend: Backend, config: WebConfig) -> Option<TestApp> {
        let db = match backend {
            Backend::Sqlite => TestDb::sqlite().await,
            Backend::Postgres => TestDb::postgres_from_env().await?,
        };
        let service = App::open(db.store(), KeyRing::ephemeral(), ServiceConfig::default())
            .await
            .expect("opening the service on the test database");
        let state = AppState::new(service.clone(), config).expect("embedded locales parse");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding port 0");
        let addr = listener.local_addr().expect("local address");
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(fanguai_web::serve(listener, state, async move {
            let _ = rx.await;
        }));
        let mut app = TestApp {
            base: format!("http://{addr}"),
            addr,
            service,
            accounts: Vec::new(),
            shutdown: Some(tx),
            server: Some(server),
            _db: db,
        };
        app.wait_ready().await;
        app.seed().await;
        Some(app)
    }

    /// The member units and one account per role (two investigators, two liaisons).
    /// Accounts whose role needs a second factor enrol their authenticator through the
    /// login pages, as a person would on first login.
    async fn seed(&mut self) {
        let ctx = RequestCtx::cli("test-seed");
        fanguai_service::seed::member_units(&self.service, &ctx)
            .await
            .expect("seeding member units");
        let operator = self.service.operator(ctx);
        for (username, display_name, role, unit_id) in SEED_ACCOUNTS {
            let new = NewUser {
                username: username.to_string(),
                display_name: display_name.to_string(),
                phone: None,
                unit_id: unit_id.to_string(),
                roles: vec![role.id().to_string()],
            };
            let (view, _) = operator
                .add(&new, Some(TEST_PASSWORD))
                .await
                .expect("seeding an account");
            if *role == Role::Liaison {
                let mut c = self
                    .service
                    .store()
                    .conn()
                    .await
                    .expect("a database connection");
                fanguai_store::units::set_liaison(&mut c, unit_id, Some(&view.id))
                    .await
                    .expect("naming the liaison");
            }
            let mut account = Account {
                username: username.to_string(),
                password: TEST_PASSWORD.to_string(),
                display_name: display_name.to_string(),
                role: *role,
                unit_id: unit_id.to_string(),
                totp_secret: None,
            };
            if role.requires_second_factor() {
                account.totp_secret = Some(self.enrol(&account).await);
            }
            self.accounts.push(account);
        }
    }

    /// First login of an account without authenticator: reads the secret from the
    /// enrolment page and confirms it with a code. Returns the secret.
    pub async fn enrol(&self, account: &Account) -> String {
        let b = self.browser();
        b.get_page("/login").await;
        let res = b
            .post_form(
                "/login",
                &[
                    ("username", &account.username),
                    ("password", &account.password),
                ],
            )
            .await;
        assert_eq!(res.location(), Some("/login/enrol"), "{}", res.body);
        let page = b.get_page("/login/enrol").await;
        let marker = "id=\"totp-secret\">";
        let at = page
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no secret on the enrolment page:\n{}", page.body))
            + marker.len();
        let secret = page.body[at..at + page.body[at..].find('<').unwrap()]
            .trim()
            .to_owned();
        let code = code_for(&secret, &self.service);
        let res = b.post_form("/login/enrol", &[("code", &code)]).await;
        assert_eq!(
            res.location(),
            Some("/"),
            "enrolment refused:\n{}",
            res.body
        );
        b.get_page("/").await;
        b.post_form("/logout", &[]).await;
        secret
    }

    /// Test configuration: plain HTTP, so cookies are not `Secure`.
    pub fn config() -> WebConfig {
        WebConfig {
            secure_cookies: false,
            ..WebConfig::default()
        }
    }

    /// Polls `/healthz` until the server answers; never sleeps a fixed time.
    async fn wait_ready(&self) {
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(r) = http.get(format!("{}/healthz", self.base)).send().await
                && r.status().is_success()
            {
                return;
            }
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("the server did not answer /healthz");
    }

    pub fn account(&self, username: &str) -> &Account {
        self.accounts
            .iter()
            .find(|a| a.username == username)
            .unwrap_or_else(|| panic!("no demo account {username}"))
    }

    /// The current code of a demo account's authenticator, at the service's clock.
    pub fn totp_code(&self, username: &str) -> String {
        let secret = self
            .account(username)
            .totp_secret
            .clone()
            .expect("account has an authenticator");
        code_for(&secret, &self.service)
    }

    /// A new browser: its own cookie jar, no session.
    pub fn browser(&self) -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("http client"),
            base: self.base.clone(),
            jar: Arc::new(Mutex::new(BTreeMap::new())),
            csrf: Arc::new(Mutex::new(None)),
        }
    }

    /// A browser signed in as a demo account (password, then TOTP when the role needs
    /// it). Moves the service clock past the last used TOTP step so a second login of
    /// the same account in one test is not refused as a replay.
    pub async fn signed_in(&self, username: &str) -> Browser {
        let b = self.browser();
        let account = self.account(username).clone();
        self.service.clock().advance_secs(30);
        let totp = account
            .totp_secret
            .as_ref()
            .map(|s| code_for(s, &self.service));
        b.login(&account.username, &account.password, totp.as_deref())
            .await;
        b
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("server task")
                .expect("server ended cleanly");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

pub fn code_for(secret_base32: &str, service: &App) -> String {
    let secret = TotpSecret::from_base32(secret_base32).expect("demo TOTP secret parses");
    secret.code_at((service.clock().now_ms() / 1000) as u64)
}

/// One response, read in full.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `content` of `<meta name="csrf-token">`.
    pub fn csrf(&self) -> Option<String> {
        let at = self.body.find("name=\"csrf-token\" content=\"")?;
        let rest = &self.body[at + "name=\"csrf-token\" content=\"".len()..];
        Some(rest[..rest.find('"')?].to_owned())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    pub fn assert_contains(&self, text: &str) {
        assert!(
            self.body.contains(text),
            "expected {text:?} in a {} page:\n{}",
            self.status,
            self.body
        );
    }
}

/// A cookie-keeping client that acts like a browser without JavaScript.
#[derive(Clone)]
pub struct Browser {
    http: reqwest::Client,
    pub base: String,
    jar: Arc<Mutex<BTreeMap<String, String>>>,
    csrf: Arc<Mutex<Option<String>>>,
}

impl Browser {
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar.lock().unwrap().get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.jar
            .lock()
            .unwrap()
            .insert(name.to_owned(), value.to_owned());
    }

    pub fn forget_cookie(&self, name: &str) {
        self.jar.lock().unwrap().remove(name);
    }

    /// The CSRF token of the last HTML page seen.
    pub fn csrf(&self) -> String {
        self.csrf
            .lock()
            .unwrap()
            .clone()
            .expect("no page with a CSRF token seen yet")
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Page {
        let cookie_header = {
            let jar = self.jar.lock().unwrap();
            jar.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if !cookie_header.is_empty() {
            req = req.header(header::COOKIE, cookie_header);
        }
        let res = build(req)
            .send()
            .await
            .unwrap_or_else(|e| panic!("request to {path}: {e}"));
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.text().await.expect("response body");
        let page = Page {
            status,
            headers,
            body,
        };
        {
            let mut jar = self.jar.lock().unwrap();
            for c in page.set_cookies() {
                let pair = c.split(';').next().unwrap_or_default();
                let Some((name, value)) = pair.split_once('=') else {
                    continue;
                };
                if value.is_empty() || c.contains("Max-Age=0") {
                    jar.remove(name);
                } else {
                    jar.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        if let Some(token) = page.csrf() {
            *self.csrf.lock().unwrap() = Some(token);
        }
        page
    }

    pub async fn get_page(&self, path: &str) -> Page {
        self.request(Method::GET, path, |r| r).await
    }

    /// Posts a form with the CSRF token of the last page seen.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        all.push(("csrf".into(), self.csrf()));
        self.post_form_raw(path, &all).await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_form_raw(&self, path: &str, fields: &[(String, String)]) -> Page {
        let body = serde_html_form::to_string(fields).expect("form encoding");
        self.request(Method::POST, path, |r| {
            r.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body)
        })
        .await
    }

    pub async fn get_json(&self, path: &str) -> Page {
        self.request(Method::GET, path, |r| {
            r.header(header::ACCEPT, "application/json")
        })
        .await
    }

    /// Sends JSON with the CSRF header, as an API client of a signed-in session does.
    pub async fn send_json(&self, method: Method, path: &str, body: &serde_json::Value) -> Page {
        let token = self.csrf();
        let body = body.to_string();
        self.request(method, path, |r| {
            r.header(header::CONTENT_TYPE, "application/json")
                .header("x-csrf-token", token)
                .body(body)
        })
        .await
    }

    /// Logs in through the forms: password, then the TOTP code if one is asked for.
    /// Panics with the page shown if a step fails.
    pub async fn login(&self, username: &str, password: &str, totp: Option<&str>) {
        let page = self.get_page("/login").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let res = self
            .post_form("/login", &[("username", username), ("password", password)])
            .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "login of {username} refused:\n{}",
            res.body
        );
        match res.location() {
            Some("/") => {}
            Some("/login/totp") => {
                let code = totp.unwrap_or_else(|| panic!("{username} needs a TOTP code"));
                self.get_page("/login/totp").await;
                let res = self.post_form("/login/totp", &[("code", code)]).await;
                assert_eq!(
                    res.status,
                    StatusCode::SEE_OTHER,
                    "TOTP of {username} refused:\n{}",
                    res.body
                );
                assert_eq!(res.location(), Some("/"));
            }
            other => panic!("unexpected redirect after password: {other:?}"),
        }
        // Load a page so the session's CSRF token is known. An account still on its
        // initial password is sent to its account page first.
        let home = self.get_page("/").await;
        if home.location() == Some("/account?must_change=1") {
            let account = self.get_page("/account?must_change=1").await;
            assert_eq!(account.status, StatusCode::OK, "{}", account.body);
        } else {
            assert_eq!(home.status, StatusCode::OK, "{}", home.body);
        }
    }
}

/// Runs a test body on SQLite, and on PostgreSQL too when `TEST_DATABASE_URL` is set.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::common::TestApp::start($crate::common::Backend::Sqlite, $crate::common::TestApp::config())
                        .await
                        .expect("SQLite is always available");
                    super::$name(&app).await;
                    app.stop().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    match $crate::common::TestApp::start($crate::common::Backend::Postgres, $crate::common::TestApp::config()).await {
                        Some(app) => {
                            super::$name(&app).await;
                            app.stop().await;
                        }
                        None => eprintln!("skipped on PostgreSQL: TEST_DATABASE_URL is not set"),
                    }
                }
            )*
        }
    };
}

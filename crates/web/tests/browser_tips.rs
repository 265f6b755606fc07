//! A tip from a phone to a decision, in headless Chromium over WebDriver: a member of
//! the public reports from a 390×844 window (the size of a common phone), picks the
//! county through the chained selects, and writes down the tracking code; an
//! investigator logs in with password and TOTP, acknowledges the tip, reviews it and
//! decides to open a case; the reporter then sees the report closed.
//!
//! Needs `chromedriver` and `chromium` (Debian packages `chromium-driver`, `chromium`).
//! Without them the test fails, unless `FANGUAI_SKIP_BROWSER=1` says to skip it.

mod common;

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use common::{Backend, TestApp, code_for};
use fantoccini::{Client, ClientBuilder, Locator, error::CmdError};
use hyper_util::client::legacy::connect::HttpConnector;

/// Ends chromedriver (and the browser it started) however the test ends.
struct Driver {
    child: Child,
    url: String,
    profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_chromedriver() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("CHROMEDRIVER") {
        return Some(PathBuf::from(p)).filter(|p| p.exists());
    }
    std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("chromedriver"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .chain([
            PathBuf::from("/usr/bin/chromedriver"),
            PathBuf::from("/usr/lib/chromium/chromedriver"),
        ])
        .find(|p| p.is_file())
}

fn find_chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

async fn start_driver(path: &PathBuf) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", path.display()));
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        profile: tempfile::tempdir().expect("a fresh browser profile folder"),
    };
    let http = reqwest::Client::new();
    for _ in 0..400 {
        if let Ok(r) = http.get(format!("{}/status", driver.url)).send().await
            && r.status().is_success()
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("chromedriver did not answer on {}", driver.url);
}

async fn choose(client: &Client, select: &str, value: &str) -> Result<(), CmdError> {
    // The option appears when htmx has swapped the picker in.
    let option = format!("{select} option[value='{value}']");
    client.wait().for_element(Locator::Css(&option)).await?;
    client
        .find(Locator::Css(select))
        .await?
        .select_by_value(value)
        .await
}

async fn fill(client: &Client, css: &str, text: &str) -> Result<(), CmdError> {
    client.find(Locator::Css(css)).await?.send_keys(text).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tip_from_a_phone_is_followed_to_a_decision() {
    let skip = std::env::var("FANGUAI_SKIP_BROWSER").is_ok_and(|v| v == "1");
    let (Some(chromedriver), Some(chromium)) = (find_chromedriver(), find_chromium()) else {
        if skip {
            eprintln!(
                "browser test skipped: FANGUAI_SKIP_BROWSER=1 and chromedriver/chromium are not installed"
            );
            return;
        }
        panic!(
            "the browser test needs chromedriver and chromium (Debian: apt-get install chromium chromium-driver); \
set FANGUAI_SKIP_BROWSER=1 to skip it on a machine without them"
        );
    };
    let app = TestApp::start(Backend::Sqlite, TestApp::config())
        .await
        .expect("SQLite is always available");
    let driver = start_driver(&chromedriver).await;
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage",
                format!("--user-data-dir={}", driver.profile.path().display()),
            ]
        }),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session in headless Chromium");
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
        .to_string();

    let result = async {
        client.set_window_size(390, 844).await?;
        client.goto(&format!("{}/report", app.base)).await?;
        // The page fits the phone's width: nothing to scroll sideways.
        let width = client
            .execute("return document.documentElement.scrollWidth;", vec![])
            .await?;
        let inner = client.execute("return window.innerWidth;", vec![]).await?;
        assert!(
            width.as_u64().unwrap() <= inner.as_u64().unwrap(),
            "the report form is {width}px wide in a {inner}px window"
        );

        fill(
            &client,
            "#what_happened",
            "在火车站广场看到一名男子带着两个哭闹的小女孩,孩子喊着要找妈妈,男子很慌张。",
        )
        .await?;
        client
            .find(Locator::Css("#child_involved"))
            .await?
            .click()
            .await?;
        choose(&client, "#province", "430000").await?;
        choose(&client, "#prefecture", "430200").await?;
        choose(&client, "#division", "430212").await?;
        fill(&client, "#address", "火车站广场").await?;
        // A date input types in the browser's locale; set the value the form sends.
        client
            .execute(
                "document.getElementById('date').value = arguments[0];",
                vec![serde_json::json!(today)],
            )
            .await?;
        fill(&client, "#people-0-count", "2").await?;
        client
            .find(Locator::Css("#people-0-sex"))
            .await?
            .select_by_value("female")
            .await?;
        client
            .find(Locator::Css("#people-0-age"))
            .await?
            .select_by_value("3-5")
            .await?;
        client
            .find(Locator::Css("#report-submit"))
            .await?
            .click()
            .await?;

        let code = client
            .wait()
            .for_element(Locator::Css("#tracking-code"))
            .await?
            .text()
            .await?;
        let secret = client
            .find(Locator::Css("#tracking-secret"))
            .await?
            .text()
            .await?;
        assert_eq!(code.len(), 14, "{code}");
        assert_eq!(secret.len(), 19, "{secret}");
        client.find(Locator::Css("#write-down")).await?;

        // An investigator at a desk.
        client.set_window_size(1280, 900).await?;
        let acc = app.account("investigator").clone();
        client.goto(&format!("{}/login", app.base)).await?;
        fill(&client, "#username", &acc.username).await?;
        fill(&client, "#password", &acc.password).await?;
        client
            .find(Locator::Css("#login-submit"))
            .await?
            .click()
            .await?;
        let code_field = client.wait().for_element(Locator::Css("#code")).await?;
        app.service.clock().advance_secs(30);
        code_field
            .send_keys(&code_for(acc.totp_secret.as_ref().unwrap(), &app.service))
            .await?;
        client
            .find(Locator::Css("#totp-submit"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .for_element(Locator::Css("#home-unit"))
            .await?;

        client
            .find(Locator::Css("a[href='/tips']"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .for_element(Locator::Css("#tip-table tr[data-state='received'] a"))
            .await?
            .click()
            .await?;
        let text = client
            .wait()
            .for_element(Locator::Css("#tip-text"))
            .await?
            .text()
            .await?;
        assert!(text.contains("火车站广场"), "{text}");
        client
            .find(Locator::Css("#assign-submit"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .for_element(Locator::Css("#start-review"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .for_element(Locator::Css("#decision-open_case"))
            .await?
            .click()
            .await?;
        client
            .find(Locator::Css("#decide-submit"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .for_element(Locator::Css("#tip-state[data-state='decided']"))
            .await?;
        let decision = client
            .find(Locator::Css("#tip-decision"))
            .await?
            .text()
            .await?;
        assert_eq!(decision, "立案侦查(新案件)");

        // The reporter, back on the phone, sees the report closed.
        client.set_window_size(390, 844).await?;
        client.goto(&format!("{}/report/status", app.base)).await?;
        fill(&client, "#code", &code).await?;
        fill(&client, "#secret", &secret).await?;
        client
            .find(Locator::Css("#status-submit"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .for_element(Locator::Css("#tip-status[data-status='closed']"))
            .await?;
        Ok::<(), CmdError>(())
    }
    .await;
    let _ = client.close().await;
    drop(driver);
    result.expect("browser steps");
    app.stop().await;
}

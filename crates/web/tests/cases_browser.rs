//! An investigator on a phone-sized window in headless Chromium: opens the case list
//! from the navigation, registers a report, accepts it with a receipt number, and opens
//! the series graph — all with the site's strict Content-Security-Policy in force.
//!
//! Needs `chromedriver` and `chromium`; without them the test fails, unless
//! `FANGUAI_SKIP_BROWSER=1` says to skip it.

mod common;

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use common::{Backend, TestApp, code_for};
use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

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

fn first_file(paths: &[&str]) -> Option<PathBuf> {
    paths.iter().map(PathBuf::from).find(|p| p.is_file())
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
        profile: tempfile::tempdir().expect("a browser profile folder"),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_investigator_registers_and_accepts_a_case_on_a_phone() {
    let skip = std::env::var("FANGUAI_SKIP_BROWSER").is_ok_and(|v| v == "1");
    let chromedriver = std::env::var("CHROMEDRIVER")
        .ok()
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| first_file(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]));
    let chromium = first_file(&["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]);
    let (Some(chromedriver), Some(chromium)) = (chromedriver, chromium) else {
        if skip {
            eprintln!("browser test skipped: FANGUAI_SKIP_BROWSER=1 and chromedriver/chromium are not installed");
            return;
        }
        panic!("the browser test needs chromedriver and chromium; set FANGUAI_SKIP_BROWSER=1 to skip it");
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
                "--disable-dev-shm-usage", "--window-size=390,844",
                format!("--user-data-dir={}", driver.profile.path().display()),
            ]
        }),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session in headless Chromium");

    let result = async {
        let acc = app.account("investigator").clone();
        client.goto(&format!("{}/login", app.base)).await?;
        client.find(Locator::Css("#username")).await?.send_keys(&acc.username).await?;
        client.find(Locator::Css("#password")).await?.send_keys(&acc.password).await?;
        client.find(Locator::Css("#login-submit")).await?.click().await?;
        let code_field = client.wait().for_element(Locator::Css("#code")).await?;
        app.service.clock().advance_secs(30);
        code_field
            .send_keys(&code_for(acc.totp_secret.as_ref().unwrap(), &app.service))
            .await?;
        client.find(Locator::Css("#totp-submit")).await?.click().await?;
        client.wait().for_element(Locator::Css("#home-unit")).await?;

        client.find(Locator::Css("a[href='/cases']")).await?.click().await?;
        client.wait().for_element(Locator::Css("#new-case")).await?.click().await?;
        client
            .wait()
            .for_element(Locator::Css("#c-summary"))
            .await?
            .send_keys("群众报称一名女孩被人以打工为名带往外地")
            .await?;
        client.find(Locator::Css("#c-division")).await?.send_keys("430202").await?;
        // A date input takes the digits in the browser's locale order; set it directly.
        client
            .execute(
                "document.getElementById('c-occurred').value = '2026-01-10'; return true;",
                vec![],
            )
            .await?;
        client.find(Locator::Css("#case-form button[type=submit]")).await?.click().await?;

        let state = client.wait().for_element(Locator::Css("#case-state")).await?;
        assert_eq!(state.attr("data-state").await?.as_deref(), Some("reported"));
        client
            .find(Locator::Css("#step-accept input[name=receipt_number]"))
            .await?
            .send_keys("株公（荷）受案字〔2026〕0009号")
            .await?;
        client.find(Locator::Css("#step-accept button")).await?.click().await?;
        client
            .wait()
            .for_element(Locator::Css("#case-state[data-state='accepted']"))
            .await?;
        let history = client.find_all(Locator::Css("#case-history li")).await?;
        assert_eq!(history.len(), 2);

        client.find(Locator::Css("#series-link")).await?.click().await?;
        client.wait().for_element(Locator::Css("#series-graph")).await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = client.close().await;
    drop(driver);
    result.expect("browser steps");
    app.stop().await;
}

//! A person's path through the product in headless Chromium, driven over WebDriver:
//! log in with password and TOTP, switch the language, open the unit directory and
//! read a unit's name.
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
use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

/// Ends chromedriver (and the browser it started) however the test ends.
struct Driver {
    child: Child,
    url: String,
    _profile: tempfile::TempDir,
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
    let profile = tempfile::tempdir().expect("a fresh browser profile folder");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _profile: profile,
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
async fn a_person_logs_in_switches_language_and_reads_the_directory() {
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
                "--disable-dev-shm-usage", "--window-size=1280,900",
                format!("--user-data-dir={}", driver._profile.path().display()),
            ]
        }),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session in headless Chromium");

    let result = async {
        let acc = app.account("office").clone();
        client.goto(&format!("{}/login", app.base)).await?;
        client
            .find(Locator::Css("#username"))
            .await?
            .send_keys(&acc.username)
            .await?;
        client
            .find(Locator::Css("#password"))
            .await?
            .send_keys(&acc.password)
            .await?;
        client
            .find(Locator::Css("#login-submit"))
            .await?
            .click()
            .await?;

        let code_field = client.wait().for_element(Locator::Css("#code")).await?;
        app.service.clock().advance_secs(30);
        let code = code_for(acc.totp_secret.as_ref().unwrap(), &app.service);
        code_field.send_keys(&code).await?;
        client
            .find(Locator::Css("#totp-submit"))
            .await?
            .click()
            .await?;

        let unit = client
            .wait()
            .for_element(Locator::Css("#home-unit"))
            .await?;
        assert_eq!(unit.text().await?, "市公安局");
        let html_lang = client
            .find(Locator::Css("html"))
            .await?
            .attr("lang")
            .await?;
        assert_eq!(html_lang.as_deref(), Some("zh-CN"));

        client
            .find(Locator::Css("#switch-lang"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .for_element(Locator::XPath("//html[@lang='en']"))
            .await?;
        assert_eq!(
            client
                .find(Locator::Css("#home-unit"))
                .await?
                .text()
                .await?,
            "Municipal Public Security Bureau"
        );

        client
            .find(Locator::LinkText("Member units"))
            .await?
            .click()
            .await?;
        let first = client
            .wait()
            .for_element(Locator::Css("#unit-list .unit-name"))
            .await?;
        assert_eq!(first.text().await?, "Municipal Public Security Bureau");
        let names = client
            .find_all(Locator::Css("#unit-list .unit-name"))
            .await?;
        assert_eq!(names.len(), 24);
        assert_eq!(names[23].text().await?, "Municipal Women's Federation");

        // The choice survives a new page load.
        client.goto(&format!("{}/", app.base)).await?;
        let html_lang = client
            .find(Locator::Css("html"))
            .await?
            .attr("lang")
            .await?;
        assert_eq!(html_lang.as_deref(), Some("en"));
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = client.close().await;
    drop(driver);
    result.expect("browser steps");
    app.stop().await;
}

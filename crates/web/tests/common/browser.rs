//! Headless Chromium over WebDriver for the browser tests: finds chromedriver and
//! Chromium, starts the driver on a free port, and opens a session with a window of the
//! size asked for. Without them a test fails, unless `FANGUAI_SKIP_BROWSER=1` says to
//! skip it (CI installs Debian's `chromium` and `chromium-driver`).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;

/// Ends chromedriver (and the browser it started) however the test ends.
pub struct Driver {
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
        .map(|paths| std::env::split_paths(&paths).map(|d| d.join("chromedriver")).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([PathBuf::from("/usr/bin/chromedriver"), PathBuf::from("/usr/lib/chromium/chromedriver")])
        .find(|p| p.is_file())
}

fn find_chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

async fn start_driver(path: &PathBuf) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
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
    // Readiness by polling the driver's status endpoint, not by sleeping a fixed time.
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

/// A WebDriver session in headless Chromium with a `width`×`height` window, or `None`
/// when the browser is missing and `FANGUAI_SKIP_BROWSER=1` allows skipping.
pub async fn headless(width: u32, height: u32) -> Option<(Driver, Client)> {
    let skip = std::env::var("FANGUAI_SKIP_BROWSER").is_ok_and(|v| v == "1");
    let (Some(chromedriver), Some(chromium)) = (find_chromedriver(), find_chromium()) else {
        if skip {
            eprintln!("browser test skipped: FANGUAI_SKIP_BROWSER=1 and chromedriver/chromium are not installed");
            return None;
        }
        panic!(
            "the browser test needs chromedriver and chromium (Debian: apt-get install chromium chromium-driver); \
set FANGUAI_SKIP_BROWSER=1 to skip it on a machine without them"
        );
    };
    let driver = start_driver(&chromedriver).await;
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", driver.profile.path().display()),
            ]
        }),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session in headless Chromium");
    Some((driver, client))
}

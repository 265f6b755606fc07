//! An investigator on a phone-sized window in headless Chromium: opens the case list
//! from the navigation, registers a report, accepts it with a receipt number, and opens
//! the series graph — all with the site's strict Content-Security-Policy in force.
//!
//! Needs `chromedriver` and `chromium`; without them the test fails, unless
//! `FANGUAI_SKIP_BROWSER=1` says to skip it.

mod common;
#[path = "common/browser.rs"]
mod browser;

use common::{Backend, TestApp, code_for};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_investigator_registers_and_accepts_a_case_on_a_phone() {
    let Some((driver, client)) = browser::headless(390, 844).await else {
        return;
    };
    let app = TestApp::start(Backend::Sqlite, TestApp::config())
        .await
        .expect("SQLite is always available");

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

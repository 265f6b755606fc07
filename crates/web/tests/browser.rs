//! A person's path through the product in headless Chromium, driven over WebDriver:
//! log in with password and TOTP, switch the language, open the unit directory and
//! read a unit's name.
//!
//! Needs `chromedriver` and `chromium` (Debian packages `chromium-driver`, `chromium`).
//! Without them the test fails, unless `FANGUAI_SKIP_BROWSER=1` says to skip it.

mod common;
#[path = "common/browser.rs"]
mod browser;

use common::{Backend, TestApp, code_for};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_logs_in_switches_language_and_reads_the_directory() {
    let Some((driver, client)) = browser::headless(1280, 900).await else {
        return;
    };
    let app = TestApp::start(Backend::Sqlite, TestApp::config())
        .await
        .expect("SQLite is always available");

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

//! A tip from a phone to a decision, in headless Chromium over WebDriver: a member of
//! the public reports from a 390×844 window (the size of a common phone), picks the
//! county through the chained selects, and writes down the tracking code; an
//! investigator logs in with password and TOTP, acknowledges the tip, reviews it and
//! decides to open a case; the reporter then sees the report closed.
//!
//! Needs `chromedriver` and `chromium` (Debian packages `chromium-driver`, `chromium`).
//! Without them the test fails, unless `FANGUAI_SKIP_BROWSER=1` says to skip it.

mod common;
#[path = "common/browser.rs"]
mod browser;

use common::{Backend, TestApp, code_for};
use fantoccini::{Client, Locator, error::CmdError};

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
    let Some((driver, client)) = browser::headless(1280, 900).await else {
        return;
    };
    let app = TestApp::start(Backend::Sqlite, TestApp::config())
        .await
        .expect("SQLite is always available");
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

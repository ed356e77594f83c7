//! The real app window, driven through WebDriver under Xvfb.
//!
//! One test function drives one app at a time: the app is single-instance,
//! so two windows of it cannot be tested side by side.

use callout_tests::app::AppSession;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_window_renders_and_calls_commands() {
    let session = AppSession::start().await;

    // The UI rendered and got the version from the `app_info` command.
    let version = session.element(r#"[data-testid="app-version"]"#).await;
    let expected = format!("v{}", env!("CARGO_PKG_VERSION"));
    let shown = session
        .wait_for("the version from app_info", || {
            let version = version.clone();
            let expected = expected.clone();
            async move {
                let text = version.text().await.ok()?;
                (text == expected).then_some(text)
            }
        })
        .await;
    assert_eq!(shown, expected);
    let backend = session.element(r#"[data-testid="keychain-backend"]"#).await;
    assert_eq!(backend.text().await.unwrap(), "Secret Service");

    // Clicking "Check keychain" runs a real round trip in the Secret Service.
    session
        .client
        .find(Locator::Css("#check-keychain"))
        .await
        .expect("the Check keychain button")
        .click()
        .await
        .expect("click Check keychain");
    let result = session.element(r#"[data-testid="keychain-result"]"#).await;
    let (class, text) = session
        .wait_for("the keychain check to finish", || {
            let result = result.clone();
            async move {
                let class = result.attr("class").await.ok()??;
                let finished = class.contains("status-ok") || class.contains("status-error");
                finished.then_some((class, result.text().await.ok()?))
            }
        })
        .await;
    assert!(
        class.contains("status-ok"),
        "keychain check failed in the app: {text}"
    );
    assert!(text.contains("stored, read back and deleted"), "{text}");
    session.screenshot("keychain-checked").await;

    // Closing to the tray and a second launch (single instance): tray_resident.rs.
    session.close().await;
}

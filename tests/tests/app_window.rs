//! The real app window, driven through WebDriver under Xvfb.
//!
//! One test function drives one app at a time: the app is single-instance,
//! so two windows of it cannot be tested side by side.

use std::process::Command;
use std::time::{Duration, Instant};

use callout_tests::app::{AppSession, PATIENCE};
use callout_tests::workspace_binary;
use callout_tests::x11::Display;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_window_renders_calls_commands_hides_on_close_and_is_single_instance() {
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

    // Closing the window (the title bar's ×) hides it; the app lives on in the tray.
    let display = Display::open();
    let window = session
        .wait_for("the app window on the X display", || {
            let shown = display
                .windows_titled("Callout Lab")
                .into_iter()
                .find(|&window| display.is_shown(window));
            async move { shown }
        })
        .await;
    display.request_close(window);
    session
        .wait_for("the window to hide after a close request", || {
            let hidden = !display.is_shown(window);
            async move { hidden.then_some(()) }
        })
        .await;
    let title = session
        .client
        .title()
        .await
        .expect("the app lives on after close");
    assert_eq!(title, "Callout Lab");

    // A second launch hands over to the running app, which shows its window
    // again, and exits at once.
    let mut second = Command::new(workspace_binary("callout-lab"))
        .spawn()
        .expect("launch a second instance");
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = second.try_wait().expect("poll the second instance") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            panic!("the second launch did not exit: single instance is not working");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "the second launch failed: {status}");
    session
        .wait_for(
            "the running app to show its window for the second launch",
            || {
                let shown = display.is_shown(window);
                async move { shown.then_some(()) }
            },
        )
        .await;
    assert_eq!(session.client.title().await.unwrap(), "Callout Lab");

    session.close().await;
}

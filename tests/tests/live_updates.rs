#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

//! Changes made by another process reach the open window on their own: a
//! person with the app open runs `callout` in a terminal against the same
//! home — authorize, send, import a request — and the window follows
//! without a reload or a click.

use callout_tests::app::{AppSession, browser_script, callout, fresh_home};

const SANDBOX_STATUS: &str =
    r#"[data-testid="credential-row"][data-name="Sandbox"] [data-testid="credential-status"]"#;

/// The timeline rows of `kind` the window shows.
fn rows_of(kind: &str) -> String {
    format!(r#"[data-testid="timeline-event"][data-kind="{kind}"]"#)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_users_authorize_send_and_import_appear_in_the_open_window() {
    let home = fresh_home("live-updates");
    let session = AppSession::start_with(&home, &[]).await;
    session.click(r#"[data-testid="nav-credentials"]"#).await;
    session
        .wait_for_text(SANDBOX_STATUS, "Sandbox not authorized yet", |text| {
            text.contains("not authorized")
        })
        .await;

    // `callout authorize Sandbox` in a terminal: the Credentials view the
    // app has open turns valid.
    let browser = browser_script(&home);
    callout(&home, &[("BROWSER", &browser)], &["authorize", "Sandbox"]);
    session
        .wait_for_text(SANDBOX_STATUS, "the terminal's authorization", |text| {
            text.starts_with("valid")
        })
        .await;

    // The Timeline view open, with the authorization in it and no request yet.
    session.click(r#"[data-testid="nav-timeline"]"#).await;
    session
        .wait_for("the authorization in the timeline", || async {
            let rows = session.texts(&rows_of("authorized")).await;
            rows.iter().any(|row| row.contains("Sandbox")).then_some(())
        })
        .await;
    assert!(
        session.texts(&rows_of("requestSent")).await.is_empty(),
        "nothing was sent yet"
    );

    // `callout send` in a terminal: its request appears in the open view.
    callout(
        &home,
        &[],
        &[
            "send",
            "callout:Sandbox/rfc6750/accounts",
            "-H",
            "Accept: application/json",
        ],
    );
    let sent = session
        .wait_for("the terminal's request in the timeline", || async {
            let rows = session.texts(&rows_of("requestSent")).await;
            rows.into_iter().find(|row| row.contains("Sandbox"))
        })
        .await;
    assert!(sent.contains("/rfc6750/accounts"), "{sent}");
    session.screenshot("live-updates-timeline").await;

    // A request file written into an open collection (by another editor, a
    // `git pull`): the request editor's tree shows it.
    session.click(r#"[data-testid="nav-editor"]"#).await;
    session
        .element(r#"[data-testid="request-item"][data-name="RFC 6750 API call"]"#)
        .await;
    std::fs::write(
        home.join("collections/My requests/from-the-terminal.toml"),
        "name = \"From the terminal\"\nmethod = \"GET\"\nurl = \"callout:Sandbox/wso2/accounts\"\n",
    )
    .expect("write a request file into the collection");
    session
        .element(r#"[data-testid="request-item"][data-name="From the terminal"]"#)
        .await;
    session.close().await;
}

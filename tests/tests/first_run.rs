#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

//! The first-run story in the real app window, in five steps and without
//! any account: a new user (1) authorizes the embedded Sandbox credential in
//! the "browser", (2) sends the SOAP sample, (3) lets the 20-second token
//! expire — the story's only wait, the token's own lifetime — (4) sends
//! again and watches the SOAP 500 fault be detected, refreshed and retried —
//! with the Salesforce verdict saying a Named Credential would not have
//! refreshed — then (5) finds the fault and the refresh in the timeline. And the error state: a bad merge field is pointed at, and
//! nothing is sent.
//!
//! The person at the browser is stood in for by a `$BROWSER` script that
//! submits the sandbox's sign-in page.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

use callout_core::credential_store::{CredentialStore, Identity, read_definitions};
use callout_core::home::Home;
use callout_core::oauth::TokenSet;
use callout_sandbox::SandboxStats;
use callout_tests::app::{AppSession, fresh_home};
use fantoccini::Locator;
use fantoccini::key::Key;

const SANDBOX_ROW: &str = r#"[data-testid="credential-row"][data-name="Sandbox"]"#;
const SANDBOX_STATUS: &str =
    r#"[data-testid="credential-row"][data-name="Sandbox"] [data-testid="credential-status"]"#;
const SOAP_SAMPLE: &str = r#"[data-testid="request-item"][data-name="Salesforce SOAP query"]"#;

/// What the app's embedded sandbox has been asked, read over HTTP from the
/// URL the Sandbox credential points at.
fn sandbox_stats(home: &Path) -> SandboxStats {
    let credentials = read_definitions(&home.join("credentials.toml")).expect("credentials file");
    let sandbox = credentials
        .iter()
        .find(|credential| credential.name == "Sandbox")
        .expect("the Sandbox credential");
    let authority = sandbox
        .endpoint
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("host:port")
        .to_string();
    let mut stream = TcpStream::connect(&authority).expect("connect to the sandbox");
    write!(
        stream,
        "GET /_sandbox/stats HTTP/1.0\r\nHost: {authority}\r\n\r\n"
    )
    .expect("ask for stats");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("read the stats");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body)
        .expect("an HTTP response");
    serde_json::from_str(body).expect("stats JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_sees_a_soap_expiry_detected_refreshed_and_retried_in_five_steps() {
    let home = fresh_home("first-run");
    let browser = callout_tests::app::browser_script(&home);
    let session = AppSession::start_with(&home, &[("BROWSER", browser)]).await;

    // 1. The Sandbox credential is there on first run; authorize it.
    session.click(r#"[data-testid="nav-credentials"]"#).await;
    session
        .wait_for_text(SANDBOX_STATUS, "Sandbox not authorized yet", |text| {
            text.contains("not authorized")
        })
        .await;
    session.click(SANDBOX_ROW).await;
    session.click(r#"[data-testid="authorize"]"#).await;
    session
        .wait_for_text(SANDBOX_STATUS, "Sandbox authorized", |text| {
            text.starts_with("valid")
        })
        .await;
    session
        .wait_for_text(
            r#"[data-testid="token-masked"]"#,
            "a masked token",
            |text| text.contains('…'),
        )
        .await;

    // 2. Send the SOAP query sample: 200, not expired.
    session.click(r#"[data-testid="nav-editor"]"#).await;
    session.click(SOAP_SAMPLE).await;
    session.click(r#"[data-testid="send"]"#).await;
    session
        .wait_for_text(
            r#"[data-testid="response-status"]"#,
            "the first response",
            |text| text.contains("200"),
        )
        .await;
    let ours = session
        .wait_for_text(r#"[data-testid="verdict-ours"]"#, "our verdict", |text| {
            !text.is_empty()
        })
        .await;
    assert!(ours.contains("the token was accepted"), "{ours}");

    // 3. The 20-second token expires (the keeper leaves the Sandbox alone).
    session.click(r#"[data-testid="nav-credentials"]"#).await;
    session
        .wait_for_text(SANDBOX_STATUS, "the Sandbox token to expire", |text| {
            text.contains("expired")
        })
        .await;
    // The stored expiry is in whole seconds and the provider counts from its
    // own issue time: two seconds past it, the provider agrees.
    session
        .wait_for("the provider's expiry to pass", || async {
            let expires_at = stored_tokens(&home).expires_at?;
            (std::time::SystemTime::now() >= expires_at + std::time::Duration::from_secs(2))
                .then_some(())
        })
        .await;

    // 4. Send again: SOAP 500 INVALID_SESSION_ID, detected, refreshed, retried.
    session.click(r#"[data-testid="nav-editor"]"#).await;
    session.click(r#"[data-testid="send"]"#).await;
    assert_eq!(
        session.attempt_steps(3).await,
        ["sent", "refreshed", "sent"]
    );
    let status = session
        .wait_for_text(
            r#"[data-testid="response-status"]"#,
            "the retried response",
            |text| text.contains("200"),
        )
        .await;
    assert!(status.contains("200"), "{status}");
    let attempts = session
        .element(r#"[data-testid="attempts"]"#)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        attempts.contains("INVALID_SESSION_ID") && attempts.contains("500"),
        "the attempts should show the SOAP 500 fault: {attempts}"
    );
    let salesforce = session
        .element(r#"[data-testid="verdict-salesforce"]"#)
        .await
        .text()
        .await
        .unwrap();
    // The verdict panel shows the verdicts of the first response, where the fault was.
    assert!(
        salesforce.contains("would not"),
        "the Salesforce verdict should say a Named Credential would not refresh: {salesforce}"
    );
    // The refused first attempt opens: the request as sent and the fault
    // that came back, though the retry's 200 is the response shown.
    session
        .click(r#"[data-testid="attempt"][data-step="sent"]"#)
        .await;
    let opened = session
        .wait_for_text(
            r#"[data-testid="attempt-detail-status"]"#,
            "the first attempt opened",
            |text| text.contains("500"),
        )
        .await;
    assert!(opened.contains("500"), "{opened}");
    let fault = session
        .wait_for("the fault's body", || async {
            let bodies = session
                .texts(r#"[data-testid="attempt-detail-body"]"#)
                .await;
            bodies
                .into_iter()
                .find(|body| body.contains("INVALID_SESSION_ID"))
        })
        .await;
    assert!(fault.contains("faultcode"), "{fault}");
    session
        .client
        .execute(
            "document.querySelector('[data-testid=\"attempt-detail\"]').scrollIntoView();",
            vec![],
        )
        .await
        .expect("scroll to the opened attempt");
    session.screenshot("first-run-attempt-opened").await;
    session
        .click(r#"[data-testid="attempt-detail-close"]"#)
        .await;
    session
        .wait_for_text(
            r#"[data-testid="response-status"]"#,
            "the final response again",
            |text| text.contains("200"),
        )
        .await;
    // The first-run guide ticks its last step from the same events.
    session
        .wait_for_text(
            r#"[data-testid="getting-started"]"#,
            "the guide's last step",
            |text| text.contains("fault was detected, the token refreshed"),
        )
        .await;
    session.screenshot("first-run-verdict").await;
    let stats = sandbox_stats(&home);
    assert_eq!(stats.token_count("authorization_code", "ok"), 1);
    assert_eq!(stats.token_count("refresh_token", "ok"), 1);
    assert_eq!(stats.api_count("salesforce_soap", "invalid_session"), 1);

    // 5. The timeline shows the refresh: its row names the credential, the
    // rule that triggered it and its outcome, beside the fault it answered.
    session.click(r#"[data-testid="nav-timeline"]"#).await;
    session.element(r#"[data-testid="timeline-picture"]"#).await;
    // The rows are read from the page (`textContent`): WebKitWebDriver
    // reports no text for the list's absolutely placed rows.
    let rows_saying = |kind: &'static str, words: &'static str| {
        let session = &session;
        async move {
            let texts = session
                .client
                .execute(
                    "return Array.from(document.querySelectorAll(arguments[0]), \
                     (row) => row.textContent);",
                    vec![serde_json::json!(format!(
                        r#"[data-testid="timeline-event"][data-kind="{kind}"]"#
                    ))],
                )
                .await
                .ok()?;
            texts
                .as_array()?
                .iter()
                .filter_map(serde_json::Value::as_str)
                .find(|text| text.contains(words))
                .map(str::to_string)
        }
    };
    let refreshed = session
        .wait_for("the refresh in the timeline", || {
            rows_saying("refreshAttempt", "refreshed")
        })
        .await;
    assert!(
        refreshed.contains("Sandbox") && refreshed.contains("soap.invalid_session"),
        "the refresh row should name the credential and the rule: {refreshed}"
    );
    // Three verdicts (sent, sent again, retried); the one of the fault says so.
    let detected = session
        .wait_for("the detected expiry in the timeline", || {
            rows_saying("verdict", "expiry detected")
        })
        .await;
    assert!(detected.contains("Sandbox"), "{detected}");
    // Every event of the send is in before the picture is read: a mark
    // looked up while events still arrive may be drawn again under the click.
    session
        .wait_for("the retry and its verdict in the timeline", || async {
            let verdicts = session
                .texts(r#"[data-testid="timeline-event"][data-kind="verdict"]"#)
                .await;
            let retried = session
                .texts(r#"[data-testid="timeline-event"][data-kind="retry"]"#)
                .await;
            (verdicts.len() >= 3 && !retried.is_empty()).then_some(())
        })
        .await;
    // At the default range the fault, the refresh and the retry came within
    // milliseconds: one group mark that says how many it holds and opens
    // into marks that can each be told apart.
    let (group, count) = session
        .wait_for("a group mark of the expiry's cluster", || async {
            let groups = session
                .client
                .find_all(Locator::Css(r#"[data-testid="timeline-group"]"#))
                .await
                .ok()?;
            for group in groups {
                let count: usize = group.attr("data-count").await.ok()??.parse().ok()?;
                if count >= 3 {
                    return Some((group, count));
                }
            }
            None
        })
        .await;
    let marks_before = session
        .texts(r#"[data-testid="timeline-mark"]"#)
        .await
        .len();
    group.click().await.expect("open the group");
    session
        .wait_for("the group opened into its marks", || async {
            // Looked up again: a redraw may have replaced the element clicked.
            let expanded = session
                .texts(r#"[data-testid="timeline-group"][aria-expanded="true"]"#)
                .await;
            let marks = session
                .texts(r#"[data-testid="timeline-mark"]"#)
                .await
                .len();
            (!expanded.is_empty() && marks >= marks_before + count).then_some(())
        })
        .await;
    session.screenshot("first-run-timeline-group").await;
    // "All" fits the picture to the events (the default follows the last 5 min).
    let all = session
        .client
        .find(Locator::XPath("//button[normalize-space()='All']"))
        .await
        .expect("the All range button");
    all.click().await.expect("click All");
    assert_eq!(
        all.attr("aria-pressed")
            .await
            .expect("read aria-pressed")
            .as_deref(),
        Some("true"),
        "the All range is the one shown"
    );
    session.screenshot("first-run-timeline").await;

    session.close().await;
    assert_no_secret_at_rest(&home);
}

/// The Sandbox credential's tokens as the app stored them in the keychain.
fn stored_tokens(home: &Path) -> TokenSet {
    let store = CredentialStore::new(Home::at(home).expect("the app's home"));
    let credential = store.get("Sandbox").expect("the Sandbox credential");
    let identity = Identity::for_credential(&credential, None);
    store
        .authorization("Sandbox", &identity)
        .expect("read the authorization")
        .tokens
        .expect("the Sandbox has tokens")
}

/// Every file the app wrote under its home — definitions, saved requests,
/// settings, the timeline database, the webview's storage and cache — is
/// searched for the Sandbox credential's live tokens and client secret,
/// read from the keychain: none is there.
fn assert_no_secret_at_rest(home: &Path) {
    let store = CredentialStore::new(Home::at(home).expect("the app's home"));
    let tokens = stored_tokens(home);
    let client_secret = store
        .client_secret("Sandbox")
        .expect("read the client secret")
        .expect("the Sandbox has a client secret");
    let mut secrets = vec![
        tokens.access_token.expose().to_string(),
        client_secret.expose().to_string(),
    ];
    secrets.extend(tokens.refresh_token.map(|token| token.expose().to_string()));
    let mut pending = vec![home.to_path_buf()];
    let mut files = 0;
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("list a directory") {
                pending.push(entry.expect("a directory entry").path());
            }
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue; // a socket or a file gone meanwhile
        };
        files += 1;
        for secret in &secrets {
            assert!(
                !bytes
                    .windows(secret.len())
                    .any(|window| window == secret.as_bytes()),
                "{} holds a secret",
                path.display()
            );
        }
    }
    assert!(files > 3, "the app wrote files to search ({files})");
    let line = format!(
        "secrets at rest (app): {} secrets searched in {files} files: 0 found",
        secrets.len()
    );
    println!("{line}");
    // Kept for `make test`'s summary.
    let figures = Path::new(env!("CARGO_TARGET_TMPDIR")).join("figures");
    let _ = std::fs::create_dir_all(&figures);
    let _ = std::fs::write(figures.join("secrets-app.txt"), format!("{line}\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_merge_field_is_pointed_at_and_nothing_is_sent() {
    let home = fresh_home("bad-merge-field");
    let session = AppSession::start_with(&home, &[]).await;
    session.click(r#"[data-testid="nav-editor"]"#).await;
    session.click(SOAP_SAMPLE).await;
    let body = session
        .element(r#"[data-testid="body-editor"] .cm-content"#)
        .await;
    body.click().await.expect("focus the body editor");
    // At the very start of the body: line 1, column 1.
    body.send_keys(&format!(
        "{}{}",
        char::from(Key::Control),
        char::from(Key::Home)
    ))
    .await
    .expect("go to the start");
    body.send_keys("{!$Credential.OAuthTokn}")
        .await
        .expect("type a misspelt merge field");
    let before = sandbox_stats(&home);
    session.click(r#"[data-testid="send"]"#).await;
    let error = session
        .wait_for_text(
            r#"[data-testid="editor-error"]"#,
            "the editor to point at the bad merge field",
            |text| text.contains("OAuthTokn"),
        )
        .await;
    assert!(error.contains("line 1, column 1"), "{error}");
    session.screenshot("bad-merge-field").await;
    assert_eq!(
        sandbox_stats(&home),
        before,
        "a request with a bad merge field must not be sent"
    );
    session.close().await;
}

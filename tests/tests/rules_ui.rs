#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

//! Teaching the detector in the real app window: the sandbox's in-house API
//! answers a dead token with HTTP 200 and `E_SESSION_EXPIRED`, which no
//! built-in rule calls an expiry — the send passes for a success. "This
//! means the token expired" proposes the rule from the kept send (the
//! `$.error.code` it needs), Save adds it, and the same dead token then
//! refreshes and retries to the accounts. The Rules view lists the rule as
//! the user's, opens it, checks a new file against the last response, and
//! removes it.
//!
//! The token is killed at the embedded sandbox (`POST /_sandbox/faults`,
//! `expire_token`), never by waiting on its lifetime.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

use callout_core::credential_store::read_definitions;
use callout_tests::app::{AppSession, authorize_sandbox, callout, click_shown, fresh_home};

const URL: &str = r#"[data-testid="url"]"#;
const WSO2_SAMPLE: &str = r#"[data-testid="request-item"][data-name="WSO2-style API call"]"#;

/// `host:port` of the app's embedded sandbox: where the Sandbox credential points.
fn sandbox_authority(home: &Path) -> String {
    let credentials = read_definitions(&home.join("credentials.toml")).expect("credentials file");
    let sandbox = credentials
        .iter()
        .find(|credential| credential.name == "Sandbox")
        .expect("the Sandbox credential");
    sandbox
        .endpoint
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("host:port")
        .to_string()
}

/// Makes the Sandbox credential's stored token a fresh one (`callout token
/// --refresh`), and returns it.
fn fresh_token(home: &Path) -> String {
    let output = callout(home, &[], &["token", "Sandbox", "--refresh", "--json"]);
    let token: serde_json::Value = serde_json::from_slice(&output.stdout).expect("token JSON");
    token["accessToken"]
        .as_str()
        .expect("an access token")
        .to_string()
}

/// Kills the token the app will send next: a fresh one, expired at once
/// at the sandbox (its refresh token still works).
fn kill_token(home: &Path) {
    let token = fresh_token(home);
    let authority = sandbox_authority(home);
    let body = serde_json::json!({ "fault": "expire_token", "token": token }).to_string();
    let mut stream = TcpStream::connect(&authority).expect("connect to the sandbox");
    write!(
        stream,
        "POST /_sandbox/faults HTTP/1.0\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("ask for the expiry");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("read the answer");
    assert!(
        response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200"),
        "the sandbox refused to expire the token: {response}"
    );
}

/// Sends the open request and waits for its response's body to hold `expected`.
async fn send_and_wait(session: &AppSession, expected: &str) -> String {
    // The last response goes first, so a stale one is never taken for this one.
    session
        .client
        .execute(
            "document.querySelectorAll('[data-testid=\"attempt\"]').forEach((e) => e.remove());",
            vec![],
        )
        .await
        .unwrap();
    session.click(r#"[data-testid="send"]"#).await;
    session
        .wait_for(&format!("a response with {expected}"), || async {
            session
                .texts(r#"[data-testid="response-body"]"#)
                .await
                .into_iter()
                .find(|body| body.contains(expected))
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_that_means_expired_is_taught_from_the_response_and_then_refreshed() {
    let home = fresh_home("rules-ui");
    let session = AppSession::start_with(&home, &[]).await;
    authorize_sandbox(&home);

    // The in-house API through the Sandbox credential.
    session.click(r#"[data-testid="nav-editor"]"#).await;
    session.click(WSO2_SAMPLE).await;
    let url = session.element(URL).await;
    url.clear().await.unwrap();
    url.send_keys("callout:Sandbox/inhouse/accounts")
        .await
        .unwrap();

    // 1. A live token: the accounts.
    fresh_token(&home);
    let body = send_and_wait(&session, "accounts").await;
    assert!(!body.contains("E_SESSION_EXPIRED"), "{body}");
    assert_eq!(session.attempt_steps(1).await, ["sent"]);

    // 2. A dead token: HTTP 200 with E_SESSION_EXPIRED, and the verdict is fooled.
    kill_token(&home);
    send_and_wait(&session, "E_SESSION_EXPIRED").await;
    assert_eq!(session.attempt_steps(1).await, ["sent"]);
    let status = session
        .element(r#"[data-testid="response-status"]"#)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(status, "HTTP 200");
    let ours = session
        .element(r#"[data-testid="verdict-ours"]"#)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        ours.contains("not expired"),
        "no built-in rule calls it an expiry: {ours}"
    );
    session.screenshot("rules-fooled").await;

    // 3. "This means the token expired": the rule the send needed.
    session.click(r#"[data-testid="teach-expired"]"#).await;
    let conditions = session
        .wait_for_text(
            r#"[data-testid="proposal-conditions"]"#,
            "the proposed conditions",
            |text| !text.is_empty(),
        )
        .await;
    assert!(
        conditions.contains("$.error.code") && conditions.contains("E_SESSION_EXPIRED"),
        "{conditions}"
    );
    let text = session
        .element(r#"[data-testid="proposal-text"]"#)
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(text.contains("means = \"expired\""), "{text}");
    assert!(text.contains("hosts = [\"127.0.0.1\"]"), "{text}");
    session.screenshot("rules-proposal").await;
    session.click(r#"[data-testid="proposal-save"]"#).await;
    session
        .wait_for("the proposal dialog to close", || async {
            session
                .texts(r#"[data-testid="proposal"]"#)
                .await
                .is_empty()
                .then_some(())
        })
        .await;
    let saved: Vec<String> = std::fs::read_dir(home.join("rules"))
        .expect("the rules folder")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let rule_id = saved[0].trim_end_matches(".toml").to_string();
    assert!(rule_id.starts_with("taught.127_0_0_1."), "{rule_id}");

    // 4. The same kind of dead token now refreshes and retries to the accounts.
    kill_token(&home);
    send_and_wait(&session, "accounts").await;
    assert_eq!(
        session.attempt_steps(3).await,
        ["sent", "refreshed", "sent"]
    );
    let status = session
        .element(r#"[data-testid="response-status"]"#)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(status, "HTTP 200");
    let ours = session
        .element(r#"[data-testid="verdict-ours"]"#)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        ours.contains(&rule_id),
        "the verdict names the rule: {ours}"
    );
    session.screenshot("rules-recovered").await;

    // 5. The Rules view: the rule is yours, opens, and goes.
    session.click(r#"[data-testid="nav-rules"]"#).await;
    let row = format!(r#"[data-testid="rule-row"][data-id="{rule_id}"]"#);
    let listed = session
        .wait_for_text(&row, "the taught rule in the list", |text| {
            text.contains("yours")
        })
        .await;
    assert!(listed.contains("expired"), "{listed}");
    let first = session
        .element(r#"[data-testid="rule-row"]"#)
        .await
        .attr("data-id")
        .await
        .unwrap();
    assert_eq!(first.as_deref(), Some(rule_id.as_str()), "yours come first");
    session.click(&row).await;
    let detail = session
        .wait_for_text(
            r#"[data-testid="rule-detail-conditions"]"#,
            "the rule's conditions",
            |text| text.contains("E_SESSION_EXPIRED"),
        )
        .await;
    assert!(detail.contains("$.error.code"), "{detail}");
    let filter = session.element(r#"[data-testid="rules-filter"]"#).await;
    filter.send_keys("slack").await.unwrap();
    session
        .wait_for_text(
            r#"[data-testid="rules-list"]"#,
            "only Slack's rules",
            |text| text.contains("slack.") && !text.contains(&rule_id),
        )
        .await;
    filter.clear().await.unwrap();
    session.element(&row).await;
    session.screenshot("rules-view").await;

    // A new file is checked as it is written, against the last response.
    session.click(r#"[data-testid="new-rule-file"]"#).await;
    let check = session
        .wait_for_text(
            r#"[data-testid="rule-check"]"#,
            "the template's check",
            |text| text.contains("The last response"),
        )
        .await;
    assert!(
        check.contains("my_api.session_expired example 1: HTTP 200 from 127.0.0.1 matches"),
        "{check}"
    );
    assert!(
        check.contains("The last response matches no rule of this file"),
        "the last response is the accounts: {check}"
    );
    session.screenshot("rules-new-file").await;
    session
        .click(r#"[data-testid="rule-file-editor"] button.ghost"#)
        .await;

    click_shown(
        &session,
        &format!(r#"[data-testid="rule-row"][data-id="{rule_id}"] + [data-testid="remove-rule"]"#),
    )
    .await;
    session
        .click(r#"[data-testid="modal"] button.danger"#)
        .await;
    session
        .wait_for("the rule to be gone from the list", || async {
            session.texts(&row).await.is_empty().then_some(())
        })
        .await;
    assert_eq!(std::fs::read_dir(home.join("rules")).unwrap().count(), 0);
    session.close().await;
}

//! A full scenario — authorize in the browser, send, refresh with rotation
//! after an expired session, a keeper run, a process killed in the middle of
//! a refresh, a failing token endpoint, a timeline export — and then every
//! file in the home (definitions, saved requests, the timeline database with
//! its journal, lock files, the export) and everything the commands printed
//! is searched for every token the provider ever issued and the client
//! secret: none is found. Only `callout token`, whose job it is, prints one.

use std::process::Output;
use std::time::{Duration, Instant};

use callout_core::{PAUSE_AT, PAUSE_FILE};
use callout_sandbox::{Sandbox, SandboxConfig, TokenFault};

use crate::common::{self, TestHome, assert_ok, stderr, stdout};

const SOAP_URL: &str = "callout:Full/services/Soap/u/59.0";

/// Output a secret must never appear in.
struct Printed(Vec<(String, Vec<u8>)>);

impl Printed {
    fn keep(&mut self, what: &str, output: &Output, stdout_too: bool) {
        self.0
            .push((format!("{what} (stderr)"), output.stderr.clone()));
        if stdout_too {
            self.0
                .push((format!("{what} (stdout)"), output.stdout.clone()));
        }
    }
}

fn send_soap(home: &TestHome, soap: &str) -> Output {
    home.send_soap(SOAP_URL, soap)
}

#[test]
fn after_a_full_scenario_no_file_and_no_message_holds_a_secret() {
    let sandbox = Sandbox::start(SandboxConfig {
        rotate_refresh_tokens: true,
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut home = TestHome::new();
    let mut printed = Printed(Vec::new());
    let soap = callout_core::requests::soap_query_envelope("SELECT Id FROM Account");

    // A keep-alive of one second: the keeper's refresh below is due for certain.
    home.add(&sandbox, "Full", "auth-code", &["--keep-alive", "1"]);
    let authorized = home.authorize_in_browser("Full");
    assert_ok(&authorized);
    printed.keep("authorize", &authorized, true);

    let token = home.run(&["token", "Full"]);
    assert_ok(&token);
    printed.keep("token", &token, false);
    let first = stdout(&token).trim().to_string();

    let sent = send_soap(&home, &soap);
    assert_ok(&sent);
    printed.keep("send", &sent, true);

    // The session dies at the provider: fault, refresh (rotating), retry.
    assert!(sandbox.expire_access_token(&first));
    let recovered = send_soap(&home, &soap);
    assert_ok(&recovered);
    printed.keep("send after expiry", &recovered, true);
    assert!(stdout(&recovered).contains("\"refreshed\""));

    // The keeper renews: the refresh token has gone unused for longer than
    // the keep-alive interval once a second has passed.
    let refreshes = sandbox.stats().token_count("refresh_token", "ok");
    let before_keep = home.run(&["token", "Full"]);
    assert_ok(&before_keep);
    printed.keep("token before keep", &before_keep, false);
    std::thread::sleep(Duration::from_millis(1_100));
    let kept = home.run(&["keep", "--once"]);
    assert_ok(&kept);
    printed.keep("keep", &kept, true);
    assert!(
        stdout(&kept)
            .lines()
            .any(|line| line.contains("Full: refresh") && line.contains(" → refreshed: token ")),
        "the keeper refreshed Full: {}",
        stdout(&kept)
    );
    assert_eq!(
        sandbox.stats().token_count("refresh_token", "ok"),
        refreshes + 1
    );
    let after_keep = home.run(&["token", "Full"]);
    assert_ok(&after_keep);
    printed.keep("token after keep", &after_keep, false);
    assert_ne!(
        stdout(&after_keep).trim(),
        stdout(&before_keep).trim(),
        "the keeper stored the renewed token"
    );

    // A refresh killed after the provider answered and the tokens were stored.
    let marker = home.path().join("paused");
    let mut child = home
        .command(&["token", "Full", "--refresh"])
        .env(PAUSE_AT, "refresh-stored")
        .env(PAUSE_FILE, &marker)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !marker.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the refresh ended early"
        );
        assert!(Instant::now() < deadline, "the refresh never paused");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // A token endpoint that fails; the error names its answer, not a token.
    sandbox.inject_fault(TokenFault::InvalidGrant, 1);
    let refused = home.run(&["token", "Full", "--refresh"]);
    printed.keep("refused refresh", &refused, true);
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("invalid_grant"),
        "the error names the provider's answer: {}",
        stderr(&refused)
    );

    // Re-authorize and send once more, then export the timeline.
    let again = home.authorize_in_browser("Full");
    assert_ok(&again);
    printed.keep("authorize again", &again, true);
    let last = send_soap(&home, &soap);
    assert_ok(&last);
    printed.keep("last send", &last, true);
    let export = home.run(&["timeline", "Full", "--json"]);
    assert_ok(&export);
    std::fs::write(home.path().join("timeline-export.jsonl"), &export.stdout).unwrap();
    assert!(stdout(&export).contains("tokenIssued"));
    let listed = home.run(&["credential", "list"]);
    assert_ok(&listed);
    printed.keep("credential list", &listed, true);

    let mut secrets: Vec<String> = sandbox
        .issued_tokens()
        .iter()
        .map(|token| token.expose().to_string())
        .collect();
    assert!(
        secrets.len() >= 8,
        "the scenario issued tokens to look for: {}",
        secrets.len()
    );
    secrets.push(sandbox.client_secret().to_string());
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();

    common::assert_no_secret_in_files(home.path(), &secrets);
    for (what, bytes) in &printed.0 {
        for secret in &secrets {
            assert!(
                !bytes
                    .windows(secret.len())
                    .any(|window| window == secret.as_bytes()),
                "{what} holds a secret"
            );
        }
    }
    common::report_figures(
        "secrets-cli",
        &format!(
            "secrets at rest (CLI): {} tokens and the client secret searched in every file of \
             the home and {} outputs: 0 found",
            secrets.len() - 1,
            printed.0.len()
        ),
    );
}

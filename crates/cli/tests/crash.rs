//! A `callout` process killed (SIGKILL) at each step of a refresh with
//! refresh-token rotation, then a fresh process: the credential works, or —
//! only when the provider rotated and the answer was lost with the process —
//! it says "needs re-authorization" and why. The kill happens at pause
//! points (`callout_core::pause`) the test asks for, so it lands exactly.

use std::process::Child;
use std::time::{Duration, Instant};

use callout_core::{PAUSE_AT, PAUSE_FILE};
use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::{TestHome, assert_ok, stderr, stdout};

/// Starts `callout token NAME --refresh`, waits until it reaches `point`, and
/// kills it there.
fn kill_refresh_at(home: &TestHome, name: &str, point: &str) {
    let mut child = paused_at(home, &["token", name, "--refresh"], point);
    kill(&mut child);
}

/// Starts `callout ARGS` and returns it once it stands at pause `point`.
fn paused_at(home: &TestHome, args: &[&str], point: &str) -> Child {
    let marker = home.path().join(format!("paused-{point}"));
    let mut child = home
        .command(args)
        .env(PAUSE_AT, point)
        .env(PAUSE_FILE, &marker)
        .spawn()
        .unwrap();
    wait_for(&mut child, &format!("reaching {point}"), || marker.exists());
    child
}

/// Waits until `done`, failing if `child` ends first or it takes a minute.
fn wait_for(child: &mut Child, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("`callout` ended ({status}) before {what}");
        }
        assert!(Instant::now() < deadline, "a minute went by without {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn kill(child: &mut Child) {
    child.kill().unwrap(); // SIGKILL: no destructor, no cleanup runs
    let status = child.wait().unwrap();
    assert!(!status.success());
}

/// Runs `callout token` with `args` and returns the access token it printed,
/// after checking it succeeded and printed one `sandbox` issued.
fn printed_token(sandbox: &Sandbox, home: &TestHome, args: &[&str]) -> String {
    let output = home.run(args);
    assert_ok(&output);
    let token = stdout(&output).trim().to_string();
    assert!(
        sandbox
            .issued_tokens()
            .iter()
            .any(|issued| issued.expose() == token),
        "`callout {}` printed no token the provider issued: {token:?}",
        args.join(" ")
    );
    token
}

fn authorized(sandbox: &Sandbox, home: &mut TestHome, name: &str) -> String {
    home.add(sandbox, name, "auth-code", &[]);
    assert_ok(&home.authorize_in_browser(name));
    printed_token(sandbox, home, &["token", name])
}

#[test]
fn killed_before_the_token_request_the_credential_works() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let before = authorized(&sandbox, &mut home, "Locked");
    kill_refresh_at(&home, "Locked", "refresh-locked");
    assert_eq!(sandbox.stats().token_total("refresh_token"), 0);
    // The lock died with the process; the next one refreshes at once.
    let after = printed_token(&sandbox, &home, &["token", "Locked", "--refresh"]);
    assert_ne!(after, before);
    assert_eq!(sandbox.stats().token_count("refresh_token", "ok"), 1);
}

#[test]
fn killed_after_the_new_tokens_were_stored_the_credential_works() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let before = authorized(&sandbox, &mut home, "Stored");
    kill_refresh_at(&home, "Stored", "refresh-stored");
    let stored = printed_token(&sandbox, &home, &["token", "Stored"]);
    assert_ne!(stored, before, "the new access token was kept");
    // The rotated refresh token was stored with it: refreshing still works.
    assert_ok(&home.run(&["token", "Stored", "--refresh"]));
    assert_eq!(sandbox.stats().token_count("refresh_token", "ok"), 2);
    assert_eq!(
        sandbox
            .stats()
            .token_count("refresh_token", "invalid_grant"),
        0
    );
}

#[test]
fn killed_after_the_provider_rotated_but_before_storing_it_needs_reauthorization_and_says_why() {
    let sandbox = Sandbox::start(SandboxConfig {
        rotate_refresh_tokens: true,
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut home = TestHome::new();
    let before = authorized(&sandbox, &mut home, "Answered");
    kill_refresh_at(&home, "Answered", "refresh-answered");
    assert_eq!(sandbox.stats().token_count("refresh_token", "ok"), 1);
    // What was stored is untouched: the old access token is still served while it lives.
    let token = printed_token(&sandbox, &home, &["token", "Answered"]);
    assert_eq!(token, before);
    // But its refresh token was rotated away with the lost answer.
    let refresh = home.run(&["token", "Answered", "--refresh"]);
    assert_eq!(refresh.status.code(), Some(3), "{}", stderr(&refresh));
    let message = stderr(&refresh);
    assert!(
        message.contains("needs re-authorization: the provider refused the refresh token")
            && message.contains("invalid_grant"),
        "{message}"
    );
    // And one authorization makes it whole again.
    assert_ok(&home.authorize_in_browser("Answered"));
    assert_ok(&home.run(&["token", "Answered", "--refresh"]));
}

#[test]
fn a_retry_goes_out_while_the_new_tokens_are_being_stored_and_a_kill_then_keeps_the_old_ones() {
    let sandbox = Sandbox::start(SandboxConfig {
        rotate_refresh_tokens: false,
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut home = TestHome::new();
    let before = authorized(&sandbox, &mut home, "Alongside");
    assert!(sandbox.expire_access_token(&before));
    // The send stands still just before storing the refreshed tokens; its
    // retry goes out anyway, with the new token.
    let mut child = paused_at(
        &home,
        &[
            "send",
            "callout:Alongside/services/data/v59.0/query?q=SELECT+Id+FROM+Account",
        ],
        "refresh-answered",
    );
    wait_for(&mut child, "its retry being answered", || {
        sandbox.stats().api_count("salesforce_rest", "ok") == 1
    });
    assert_eq!(sandbox.stats().token_count("refresh_token", "ok"), 1);
    kill(&mut child);
    // Killed before the store: the keychain holds what it held (the
    // provider did not rotate, so the credential refreshes again).
    let token = printed_token(&sandbox, &home, &["token", "Alongside"]);
    assert_eq!(token, before);
    assert_ok(&home.run(&["token", "Alongside", "--refresh"]));
    assert_eq!(sandbox.stats().token_count("refresh_token", "ok"), 2);
}

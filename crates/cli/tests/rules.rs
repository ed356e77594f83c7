//! `callout rules` and the user's own expiry rules at work: an in-house API
//! that answers a dead token with HTTP 200 and `success: false` is called a
//! success until the user adds a rule for it (written, or taught from the
//! fooled send); then the same send refreshes and retries, and `explain`
//! names the rule and its source.

use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::{TestHome, assert_ok, stderr, stdout};

const INHOUSE_RULES: &str = r#"# Our billing API says "session expired" on HTTP 200.
service = "Billing (in-house)"
hosts = ["127.0.0.1"]

[[rule]]
id = "billing.session_expired"
means = "expired"
status = [200]
when = [
  { json = "$.success", equals = false },
  { json = "$.error.code", equals = "E_SESSION_EXPIRED" },
]
says = "the billing API answers a dead session with success false and error E_SESSION_EXPIRED on HTTP 200"
source = "https://wiki.example.com/billing/errors"

[[rule.example]]
status = 200
headers = ["Content-Type: application/json"]
body = '{"success":false,"error":{"code":"E_SESSION_EXPIRED","message":"Your session has timed out."}}'

[[rule.not]]
why = "a validation error"
status = 200
headers = ["Content-Type: application/json"]
body = '{"success":false,"error":{"code":"E_AMOUNT","message":"The amount is negative."}}'
"#;

/// A home with credential `Billing` (the password grant) for the
/// sandbox's in-house API, authorized; and that API's URL.
fn billing_home(sandbox: &Sandbox) -> (TestHome, String) {
    let mut home = TestHome::new();
    let endpoint = format!("{}/inhouse", sandbox.base_url());
    home.add_for_endpoint(sandbox, "Billing", "password", &endpoint, &[]);
    assert_ok(&home.authorize_sandbox_user("Billing"));
    (home, endpoint)
}

/// `callout send callout:Billing/accounts --json`, succeeded, as JSON.
fn send(home: &TestHome) -> serde_json::Value {
    let output = home.run(&["send", "callout:Billing/accounts", "--json"]);
    assert_ok(&output);
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn a_rule_the_user_adds_makes_an_expiry_on_200_refresh_and_retry() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let (home, endpoint) = billing_home(&sandbox);

    // Without the rule, the dead token's answer passes for a success.
    let token = stdout(&home.run(&["token", "Billing"])).trim().to_string();
    assert!(sandbox.expire_access_token(&token));
    let fooled = send(&home);
    assert_eq!(crate::common::attempt_steps(&fooled), ["sent"]);
    assert_eq!(fooled["verdict"]["expired"], false);
    assert!(
        fooled["body"]
            .as_str()
            .unwrap()
            .contains("E_SESSION_EXPIRED"),
        "{fooled:#}"
    );

    // The rule file, tested, then added.
    let file = home.path().join("billing-rules.toml");
    std::fs::write(&file, INHOUSE_RULES).unwrap();
    let test = home.run(&["rules", "test", file.to_str().unwrap()]);
    assert_ok(&test);
    assert!(
        stdout(&test)
            .contains("ok   billing.session_expired not 1: it does not match a validation error"),
        "{}",
        stdout(&test)
    );
    assert_ok(&home.run(&["rules", "add", file.to_str().unwrap()]));
    let listed = stdout(&home.run(&["rules", "list", "--service", "billing"]));
    assert!(listed.contains("billing.session_expired"), "{listed}");
    assert!(listed.contains("(yours)"), "{listed}");

    // The same dead token now refreshes and the retry gets the accounts.
    let recovered = send(&home);
    assert_eq!(
        crate::common::attempt_steps(&recovered),
        ["sent", "refreshed", "sent"]
    );
    assert_eq!(
        recovered["attempts"][0]["verdict"]["rule"],
        "billing.session_expired"
    );
    assert!(
        recovered["body"].as_str().unwrap().contains("\"accounts\""),
        "{recovered:#}"
    );
    assert_eq!(sandbox.stats().api_count("inhouse", "invalid_token"), 2);
    assert_eq!(sandbox.stats().api_count("inhouse", "ok"), 1);

    // explain names the rule, its file and its source.
    let explain = home.run(&[
        "explain",
        "--status",
        "200",
        "-H",
        "Content-Type: application/json",
        "--body",
        r#"{"success":false,"error":{"code":"E_SESSION_EXPIRED"}}"#,
        "--url",
        &endpoint,
    ]);
    assert_ok(&explain);
    let said = stdout(&explain);
    assert!(
        said.starts_with("expired: yes (billing.session_expired)"),
        "{said}"
    );
    assert!(
        said.contains(
            "(your rule billing.session_expired in billing-rules.toml, \
             https://wiki.example.com/billing/errors)"
        ),
        "{said}"
    );
}

#[test]
fn a_rule_file_that_fails_its_own_examples_is_not_added() {
    let home = TestHome::new();
    let broken = INHOUSE_RULES.replace("E_SESSION_EXPIRED\" }", "E_EXPIRED\" }");
    let file = home.path().join("billing.toml");
    std::fs::write(&file, broken).unwrap();
    let test = home.run(&["rules", "test", file.to_str().unwrap()]);
    assert_eq!(test.status.code(), Some(1));
    assert!(
        stdout(&test).contains("FAIL billing.session_expired example 1: HTTP 200 from 127.0.0.1"),
        "{}",
        stdout(&test)
    );
    let add = home.run(&["rules", "add", file.to_str().unwrap()]);
    assert_eq!(add.status.code(), Some(2));
    assert!(
        stderr(&add).contains("billing.toml: rule billing.session_expired example 1"),
        "{}",
        stderr(&add)
    );
    assert!(!home.path().join("rules").exists(), "nothing was kept");

    let unreadable = home.path().join("bad.toml");
    std::fs::write(&unreadable, "service = \"X\"\n[[rule]\n").unwrap();
    let test = home.run(&["rules", "test", unreadable.to_str().unwrap()]);
    assert_eq!(test.status.code(), Some(2));
    assert!(
        stderr(&test).contains("bad.toml at line 2, column"),
        "{}",
        stderr(&test)
    );
}

#[test]
fn a_broken_rule_file_in_the_home_stops_a_send_and_is_named() {
    let home = TestHome::new();
    let rules = home.path().join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(rules.join("mine.toml"), "service = 1\n").unwrap();
    let send = home.run(&["send", "https://127.0.0.1:9/x"]);
    assert_ne!(send.status.code(), Some(0));
    assert!(
        stderr(&send).contains("mine.toml: `service = \"NAME\"` is missing"),
        "{}",
        stderr(&send)
    );
}

#[test]
fn a_rule_taught_from_a_fooled_send_makes_the_next_one_recover() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let (home, _) = billing_home(&sandbox);
    // A fine answer first, then one the dead token gets.
    assert_eq!(send(&home)["verdict"]["expired"], false);
    let token = stdout(&home.run(&["token", "Billing"])).trim().to_string();
    assert!(sandbox.expire_access_token(&token));
    let fooled = send(&home);
    assert_eq!(crate::common::attempt_steps(&fooled), ["sent"]);
    let history: serde_json::Value =
        serde_json::from_slice(&home.run(&["history", "--json"]).stdout).unwrap();
    let id = history[0]["id"].as_i64().unwrap().to_string();

    let proposal = home.run(&["rules", "teach", &id, "--expired", "--service", "Billing"]);
    assert_ok(&proposal);
    let text = stdout(&proposal);
    assert!(
        text.contains("{ json = \"$.error.code\", equals = \"E_SESSION_EXPIRED\" }"),
        "{text}"
    );
    assert!(text.contains("credentials = [\"Billing\"]"), "{text}");
    assert!(
        stderr(&proposal).contains("checked against 1 fine answer of the same host"),
        "{}",
        stderr(&proposal)
    );
    assert!(!home.path().join("rules").exists(), "printed, not saved");
    assert_ok(&home.run(&["rules", "teach", &id, "--expired", "--save"]));

    let recovered = send(&home);
    assert_eq!(
        crate::common::attempt_steps(&recovered),
        ["sent", "refreshed", "sent"]
    );
    assert!(
        recovered["attempts"][0]["verdict"]["reason"]
            .as_str()
            .unwrap()
            .contains(&format!("history #{id}")),
        "{recovered:#}"
    );
}

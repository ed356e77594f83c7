//! `callout explain` as a user runs it.

use std::path::PathBuf;
use std::process::{Command, Output};

fn callout(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callout"))
        .args(args)
        .output()
        .expect("run callout")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures/verdicts")
        .join(name)
}

/// The body part of a raw-HTTP fixture, written to a temporary file.
fn body_file(name: &str) -> PathBuf {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    let body = text.split_once("\n\n").unwrap().1;
    let path = std::env::temp_dir().join(format!("callout-explain-{}-{name}", std::process::id()));
    std::fs::write(&path, body).unwrap();
    path
}

#[test]
fn a_soap_500_is_expiry_that_salesforce_would_not_refresh() {
    let body = body_file("soap11_partner_invalid_session.http");
    let output = callout(&[
        "explain",
        "--status",
        "500",
        "-H",
        "Content-Type: text/xml",
        "--body-file",
        body.to_str().unwrap(),
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["expired"], true);
    assert_eq!(json["rule"], "soap.invalid_session");
    assert!(
        json["reason"]
            .as_str()
            .unwrap()
            .contains("sf:INVALID_SESSION_ID")
    );
    assert_eq!(json["salesforce"]["wouldRefresh"], false);
    assert!(
        json["salesforce"]["reason"]
            .as_str()
            .unwrap()
            .contains("never on 5xx")
    );
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["expired", "reason", "rule", "salesforce"]);
}

#[test]
fn a_header_alone_can_decide() {
    let output = callout(&[
        "explain",
        "--status",
        "401",
        "-H",
        r#"WWW-Authenticate: Bearer realm="example", error="invalid_token", error_description="The access token expired""#,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "expired: yes (rfc6750.invalid_token)\n  HTTP 401 with WWW-Authenticate: Bearer \
         error=\"invalid_token\" (\"The access token expired\"): the access token expired or was \
         revoked.\nsalesforce: would refresh\n  A Named Credential refreshes the token and \
         retries once on HTTP 401.\n"
    );
}

#[test]
fn insufficient_scope_is_not_expiry() {
    let output = callout(&[
        "explain",
        "--status",
        "403",
        "-H",
        r#"WWW-Authenticate: Bearer error="insufficient_scope""#,
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["expired"], false);
    assert_eq!(json["rule"], serde_json::Value::Null);
    assert!(
        json["reason"]
            .as_str()
            .unwrap()
            .contains("insufficient_scope")
    );
}

#[test]
fn a_credential_adds_its_custom_rules() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("credentials.toml"),
        r#"
[[credentials]]
name = "Legacy_ERP"
endpoint = "https://erp.example"

[[credentials.expiryRules]]
name = "erp-session"
statuses = [400]
bodyPattern = "SESSION_TIMEOUT"

[credentials.salesforce]
additionalRefreshStatusCodes = [400]
"#,
    )
    .unwrap();
    let output = callout(&[
        "explain",
        "--status",
        "400",
        "--body",
        "<e>SESSION_TIMEOUT</e>",
        "--home",
        home.path().to_str().unwrap(),
        "--credential",
        "legacy_erp",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["rule"], "custom:erp-session");
    assert_eq!(json["salesforce"]["wouldRefresh"], true);

    let output = callout(&[
        "explain",
        "--status",
        "400",
        "--home",
        home.path().to_str().unwrap(),
        "--credential",
        "Nope",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "callout explain: unknown credential \"Nope\" in callout:Nope; known credentials: \
         Legacy_ERP\n"
    );
}

#[test]
fn bad_input_is_a_usage_error() {
    let output = callout(&["explain", "--status", "42"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("42"), "{}", stderr(&output));

    let output = callout(&[
        "explain",
        "--status",
        "401",
        "--body-file",
        "/nonexistent/body.xml",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .starts_with("callout explain: cannot read the body from /nonexistent/body.xml:"),
        "{}",
        stderr(&output)
    );

    let output = callout(&["explain", "--status", "401", "-H", "no colon here"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "callout explain: invalid header \"no colon here\": write it as \"Name: value\"\n"
    );
}

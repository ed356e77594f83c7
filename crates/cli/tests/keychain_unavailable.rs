//! No Secret Service on the session bus: every command that needs the
//! keychain says so and what to do, exits 1, and writes nothing — no
//! credential definition without its secret, and never a secret in a file
//! as a fallback.

use std::process::Output;

use callout_core::credential::{AuthProtocol, Credential};
use callout_core::credential_store::write_definitions;

use crate::common::{self, KEYCHAIN_ADVICE, TestHome, stderr};

/// `callout ARGS` with the session bus pointing nowhere.
fn without_keychain(home: &TestHome, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = home.command(args);
    command.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    match stdin {
        None => command.output().unwrap(),
        Some(text) => common::output_with_stdin(command, text),
    }
}

#[test]
fn adding_a_credential_without_a_keychain_fails_clearly_and_writes_nothing() {
    let home = TestHome::new();
    let output = without_keychain(
        &home,
        &[
            "credential",
            "add",
            "Api",
            "--flow",
            "client-credentials",
            "--endpoint",
            "https://api.example.com",
            "--token-url",
            "https://login.example.com/token",
            "--client-id",
            "app",
            "--client-secret-stdin",
        ],
        Some("a-client-secret-that-must-not-land-anywhere\n"),
    );
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.starts_with("callout credential: the OS keychain is unavailable"),
        "{message}"
    );
    assert!(message.contains(KEYCHAIN_ADVICE), "{message}");
    assert!(!home.path().join("credentials.toml").exists());
    common::assert_no_secret_in_files(
        home.path(),
        &["a-client-secret-that-must-not-land-anywhere"],
    );
}

#[test]
fn doctor_and_token_say_the_keychain_is_unavailable() {
    let home = TestHome::new();
    let mut api = Credential::new("Api", "https://api.example.com");
    api.protocol = AuthProtocol::ClientCredentials;
    api.client_id = Some("app".into());
    api.token_url = Some("https://login.example.com/token".into());
    write_definitions(&home.path().join("credentials.toml"), &[api]).unwrap();
    let doctor = without_keychain(&home, &["doctor"], None);
    assert_eq!(doctor.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&doctor.stdout).contains("keychain (Secret Service): FAILED"),
        "{}",
        String::from_utf8_lossy(&doctor.stdout)
    );
    let token = without_keychain(&home, &["token", "Api"], None);
    assert_eq!(token.status.code(), Some(1), "{}", stderr(&token));
    let message = stderr(&token);
    assert!(
        message.contains("the OS keychain is unavailable"),
        "{message}"
    );
    assert!(message.contains(KEYCHAIN_ADVICE), "{message}");
}

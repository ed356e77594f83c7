//! The `callout` binary as a user runs it.

use std::process::Command;

fn callout(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_callout"))
        .args(args)
        .output()
        .expect("run callout")
}

#[test]
fn help_lists_every_subcommand_and_nothing_unbuilt() {
    let output = callout(&["--help"]);
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for subcommand in [
        "credential",
        "authorize",
        "token",
        "send",
        "explain",
        "timeline",
        "keep",
        "sandbox",
        "import",
        "export",
        "doctor",
    ] {
        assert!(
            help.lines()
                .any(|line| line.trim_start().starts_with(subcommand)),
            "`callout --help` does not list `{subcommand}`:\n{help}"
        );
    }
    // A walk-through that is not built is not offered.
    assert!(
        !help
            .lines()
            .any(|line| line.trim_start().starts_with("demo")),
        "{help}"
    );
    let demo = callout(&["demo"]);
    assert_eq!(demo.status.code(), Some(2));
    assert!(
        String::from_utf8(demo.stderr)
            .unwrap()
            .contains("unrecognized subcommand 'demo'")
    );
}

#[test]
fn version_names_the_program() {
    let output = callout(&["--version"]);
    assert!(output.status.success());
    let version = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        version.trim(),
        format!("callout {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn an_unknown_subcommand_is_a_usage_error() {
    let output = callout(&["frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("unrecognized subcommand 'frobnicate'"),
        "{stderr}"
    );
}

#[test]
fn doctor_checks_the_real_keychain() {
    let output = callout(&["doctor"]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "doctor failed:\n{stdout}");
    assert!(stdout.contains("keychain (Secret Service): ok"), "{stdout}");
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    // The reading end is gone before the first line is written: the first
    // write fails with EPIPE, as `callout rules list | head -1` meets it.
    let home = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_callout"))
        .args(["rules", "list"])
        .env("CALLOUT_HOME", home.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(141), "{stderr}");
}

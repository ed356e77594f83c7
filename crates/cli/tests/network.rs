//! `callout send` to a server whose CA this machine does not trust: trusted
//! through `SSL_CERT_FILE` (the OS trust store as rustls-native-certs reads
//! it), `--ca-file`, or the settings' `extraCaFile`; refused otherwise with
//! the words that say how to trust it.

use std::process::Command;

use callout_sandbox::tls::{TLS_HELLO, TestCa, TlsServer};

use crate::common::{TestHome, assert_ok, stderr, stdout};

struct Company {
    server: TlsServer,
    ca_file: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn company_server() -> Company {
    let ca = TestCa::new("Callout Test Company Root").unwrap();
    let server = TlsServer::start(&ca.issue(&["localhost"]).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("company-root.pem");
    ca.write_pem(&ca_file).unwrap();
    Company {
        server,
        ca_file,
        _dir: dir,
    }
}

/// `callout send URL` with no trust or proxy from the environment this
/// test runs in.
fn send(home: &TestHome, url: &str, extra: &[&str]) -> Command {
    let mut args = vec!["send", url];
    args.extend_from_slice(extra);
    let mut command = home.command(&args);
    for name in [
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "CALLOUT_CA_FILE",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        command.env_remove(name);
    }
    command
}

#[test]
fn an_untrusted_server_is_refused_with_how_to_trust_its_ca() {
    let company = company_server();
    let home = TestHome::new();
    let url = format!("https://localhost:{}/hello", company.server.port());

    let refused = send(&home, &url, &[]).output().unwrap();
    assert!(!refused.status.success());
    let said = stderr(&refused);
    assert!(
        said.contains(
            "add your company's root CA to the OS trust store or Settings → Extra CA file \
             (--ca-file)"
        ),
        "{said}"
    );
    assert_eq!(company.server.answered(), 0);
}

#[test]
fn the_os_trust_store_is_used() {
    let company = company_server();
    let home = TestHome::new();
    let url = format!("https://localhost:{}/hello", company.server.port());

    let trusted = send(&home, &url, &[])
        .env("SSL_CERT_FILE", &company.ca_file)
        .output()
        .unwrap();
    assert_ok(&trusted);
    assert!(stdout(&trusted).contains(TLS_HELLO), "{}", stdout(&trusted));
    assert_eq!(company.server.answered(), 1);
}

#[test]
fn an_extra_ca_file_is_trusted_from_the_flag_or_the_settings() {
    let company = company_server();
    let home = TestHome::new();
    let url = format!("https://localhost:{}/hello", company.server.port());
    let ca_file = company.ca_file.to_str().unwrap();

    let flagged = send(&home, &url, &["--ca-file", ca_file]).output().unwrap();
    assert_ok(&flagged);
    assert!(stdout(&flagged).contains(TLS_HELLO), "{}", stdout(&flagged));

    let settings = serde_json::json!({ "extraCaFile": ca_file });
    std::fs::write(home.path().join("settings.json"), settings.to_string()).unwrap();
    let configured = send(&home, &url, &[]).output().unwrap();
    assert_ok(&configured);
    assert_eq!(company.server.answered(), 2);

    let missing = send(&home, &url, &["--ca-file", "/nowhere/root.pem"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    let said = stderr(&missing);
    assert!(said.contains("/nowhere/root.pem"), "{said}");
}

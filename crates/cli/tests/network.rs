//! `callout send` to a server whose CA this machine does not trust: trusted
//! through `SSL_CERT_FILE` (the OS trust store as rustls-native-certs reads
//! it), `--ca-file`, or the settings' `extraCaFile`; refused otherwise with
//! the words that say how to trust it.

use std::process::Command;

use callout_sandbox::tls::{TLS_HELLO, TestCa, TlsServer};
use callout_sandbox::{Sandbox, SandboxConfig};

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

/// `callout credential add --client-certificate FILE --client-key FILE`:
/// the key goes to the keychain, the certificate to the definition, and a
/// send through the credential presents it to a server that demands one.
#[test]
fn a_credential_with_a_client_certificate_reaches_a_server_demanding_one() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let server_ca = TestCa::new("Callout Test Server Root").unwrap();
    let clients = TestCa::new("Callout Test Client Root").unwrap();
    let server = TlsServer::requiring_client_certificates(
        &server_ca.issue(&["localhost"]).unwrap(),
        &clients,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (ca_file, cert_file, key_file) = (
        dir.path().join("server-root.pem"),
        dir.path().join("client.pem"),
        dir.path().join("client.key"),
    );
    server_ca.write_pem(&ca_file).unwrap();
    let issued = clients.issue(&["partner-client"]).unwrap();
    std::fs::write(&cert_file, &issued.certificate_pem).unwrap();
    std::fs::write(&key_file, &issued.key_pem).unwrap();
    let endpoint = format!("https://localhost:{}", server.port());
    let ca = ["--ca-file", ca_file.to_str().unwrap()];

    let mut home = TestHome::new();
    home.add_for_endpoint(&sandbox, "Plain", "client-credentials", &endpoint, &[]);
    let refused = send(&home, "callout:Plain/hello", &ca).output().unwrap();
    assert!(!refused.status.success());
    let said = stderr(&refused);
    assert!(
        said.contains("The server asks for a client certificate"),
        "{said}"
    );
    assert!(said.contains("--client-certificate"), "{said}");

    home.add_for_endpoint(
        &sandbox,
        "Partner",
        "client-credentials",
        &endpoint,
        &[
            "--client-certificate",
            cert_file.to_str().unwrap(),
            "--client-key",
            key_file.to_str().unwrap(),
        ],
    );
    let definitions = std::fs::read_to_string(home.path().join("credentials.toml")).unwrap();
    assert!(definitions.contains("BEGIN CERTIFICATE"), "{definitions}");
    assert!(!definitions.contains("PRIVATE KEY"), "{definitions}");
    assert!(home.store().client_key("Partner").unwrap().is_some());
    let shown = home.run(&["credential", "show", "Partner"]);
    assert_ok(&shown);
    assert!(
        stdout(&shown).contains("client cert:     CN=partner-client, valid until "),
        "{}",
        stdout(&shown)
    );

    let sent = send(&home, "callout:Partner/hello", &ca).output().unwrap();
    assert_ok(&sent);
    assert!(stdout(&sent).contains(TLS_HELLO), "{}", stdout(&sent));
    assert_eq!(server.answered(), 1);

    // Without it again, the key leaves the keychain.
    assert_ok(&home.run(&["credential", "edit", "Partner", "--no-client-certificate"]));
    assert!(home.store().client_key("Partner").unwrap().is_none());
    let refused = send(&home, "callout:Partner/hello", &ca).output().unwrap();
    assert!(!refused.status.success());
    assert_eq!(server.answered(), 1);

    // From a PKCS#12 bundle, its password on standard input.
    let bundle = dir.path().join("partner.p12");
    std::fs::write(
        &bundle,
        issued.pkcs12(dir.path(), "bundle-pass", &[]).unwrap(),
    )
    .unwrap();
    let bundle = bundle.to_str().unwrap();
    let edit = [
        "credential",
        "edit",
        "Partner",
        "--client-certificate",
        bundle,
        "--client-certificate-password-stdin",
    ];
    let wrong = home.run_with_stdin(&edit, "not-the-password\n");
    assert!(!wrong.status.success());
    assert!(
        stderr(&wrong).contains("did not open with this password"),
        "{}",
        stderr(&wrong)
    );
    assert_ok(&home.run_with_stdin(&edit, "bundle-pass\n"));
    let sent = send(&home, "callout:Partner/hello", &ca).output().unwrap();
    assert_ok(&sent);
    assert_eq!(server.answered(), 2);
}

#[test]
fn a_key_of_another_certificate_is_refused_when_added() {
    let clients = TestCa::new("Callout Test Client Root").unwrap();
    let (mine, other) = (
        clients.issue(&["mine"]).unwrap(),
        clients.issue(&["other"]).unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let (cert_file, key_file) = (dir.path().join("mine.pem"), dir.path().join("other.key"));
    std::fs::write(&cert_file, &mine.certificate_pem).unwrap();
    std::fs::write(&key_file, &other.key_pem).unwrap();
    let home = TestHome::new();
    let output = home.run(&[
        "credential",
        "add",
        "Partner",
        "--flow",
        "auth-code",
        "--endpoint",
        "https://partner.example.com",
        "--auth-url",
        "https://login.example.com/authorize",
        "--token-url",
        "https://login.example.com/token",
        "--client-id",
        "abc",
        "--client-certificate",
        cert_file.to_str().unwrap(),
        "--client-key",
        key_file.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let said = stderr(&output);
    assert!(said.contains("belongs to another certificate"), "{said}");
    assert!(
        !home.path().join("credentials.toml").exists() || home.store().load().unwrap().is_empty()
    );
}

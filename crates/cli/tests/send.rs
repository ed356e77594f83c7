//! `callout send` as a user runs it, against a loopback server.

#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

const TOKEN: &str = "00Dxx-cli-token-value-7788";

const SOAP_FAULT: &str = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;

/// A request as the test server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    url: String,
    authorization: Option<String>,
    body: String,
}

/// Answers every request with a SOAP 500 INVALID_SESSION_ID fault and
/// records what it saw.
struct Api {
    server: Arc<tiny_http::Server>,
    seen: Arc<Mutex<Vec<Seen>>>,
    thread: Option<JoinHandle<()>>,
}

impl Api {
    fn start() -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let server = Arc::clone(&server);
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut body = String::new();
                    request.as_reader().read_to_string(&mut body).unwrap();
                    let authorization = request
                        .headers()
                        .iter()
                        .find(|h| h.field.equiv("Authorization"))
                        .map(|h| h.value.to_string());
                    seen.lock().unwrap().push(Seen {
                        method: request.method().to_string(),
                        url: request.url().to_string(),
                        authorization,
                        body,
                    });
                    let response = tiny_http::Response::from_string(SOAP_FAULT)
                        .with_status_code(500)
                        .with_header(
                            tiny_http::Header::from_bytes("Content-Type", "text/xml").unwrap(),
                        );
                    request.respond(response).unwrap();
                }
            })
        };
        Self {
            server,
            seen,
            thread: Some(thread),
        }
    }

    fn base_url(&self) -> String {
        format!("http://{}", self.server.server_addr().to_ip().unwrap())
    }
}

impl Drop for Api {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn callout(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callout"))
        .args(args)
        .env("CALLOUT_TEST_TOKEN", TOKEN)
        .env_remove("CALLOUT_CREDENTIALS")
        .output()
        .expect("run callout")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn credentials_file(base: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "callout-send-{}-{}.json",
        std::process::id(),
        base.rsplit(':').next().unwrap()
    ));
    std::fs::write(
        &path,
        format!(
            r#"{{"credentials":[{{"name":"Sales_API","endpoint":"{base}","salesforce":{{"allowMergeFieldsInBody":true}}}}]}}"#
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_callout_url_is_sent_with_the_token_and_judged() {
    let api = Api::start();
    let credentials = credentials_file(&api.base_url());
    let output = callout(&[
        "send",
        "callout:Sales_API/services/Soap/u/62.0",
        "-H",
        "Content-Type: text/xml",
        "-d",
        "<sessionId>{!$Credential.OAuthToken}</sessionId>",
        "--credentials",
        credentials.to_str().unwrap(),
        "--token-env",
        "CALLOUT_TEST_TOKEN",
        "--json",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["attempts", "body", "headers", "status", "verdict"]);
    assert!(
        text(&output.stdout).starts_with("{\n  \"status\": 500,\n  \"headers\": ["),
        "printed in the documented order"
    );
    assert_eq!(json["status"], 500);
    assert_eq!(json["body"], SOAP_FAULT);
    assert_eq!(json["verdict"]["rule"], "soap.invalid_session");
    assert_eq!(json["verdict"]["salesforce"]["wouldRefresh"], false);
    assert_eq!(json["attempts"][0]["step"], "sent");
    assert_eq!(json["attempts"][1]["step"], "refreshSkipped");
    assert!(
        !text(&output.stdout).contains(TOKEN),
        "the token never reaches the output"
    );

    let seen = api.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST", "-d implies POST");
    assert_eq!(seen[0].url, "/services/Soap/u/62.0");
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some(&*format!("Bearer {TOKEN}"))
    );
    assert_eq!(seen[0].body, format!("<sessionId>{TOKEN}</sessionId>"));
}

#[test]
fn the_human_output_ends_with_verdicts_and_attempts() {
    let api = Api::start();
    let body = std::env::temp_dir().join(format!("callout-send-body-{}.xml", std::process::id()));
    std::fs::write(&body, "<x/>").unwrap();
    let output = callout(&[
        "send",
        "-X",
        "PUT",
        &format!("{}/plain", api.base_url()),
        "-d",
        &format!("@{}", body.display()),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("HTTP 500\n"), "{stdout}");
    assert!(
        stdout.contains(SOAP_FAULT),
        "not a terminal: the body as it came\n{stdout}"
    );
    assert!(
        stdout.contains("\nexpired: yes (soap.invalid_session)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\nsalesforce: would not refresh\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(&format!(
            "attempts:\n  - #1 PUT {}/plain -> HTTP 500, expired (soap.invalid_session)\n  - not \
             refreshed: the URL names no credential (use callout:NAME/...), so there is no token \
             to refresh\n",
            api.base_url()
        )),
        "{stdout}"
    );
    let seen = api.seen.lock().unwrap().clone();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].body.as_str()),
        ("PUT", "<x/>")
    );
}

#[test]
fn an_unknown_credential_lists_the_known_ones() {
    let credentials = credentials_file("http://127.0.0.1:9");
    let output = callout(&[
        "send",
        "callout:Nope/x",
        "--credentials",
        credentials.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        "callout send: unknown credential \"Nope\" in callout:Nope; known credentials: Sales_API\n"
    );
}

#[test]
fn a_merge_field_error_names_its_position() {
    let credentials = credentials_file("http://127.0.0.1:8");
    let output = callout(&[
        "send",
        "callout:Sales_API/x",
        "-d",
        "line one\n  {!$Credential.Secret}",
        "--credentials",
        credentials.to_str().unwrap(),
        "--token-env",
        "CALLOUT_TEST_TOKEN",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).starts_with(
            "callout send: unknown merge field {!$Credential.Secret} in the body at line 2, \
             column 3;"
        ),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn no_response_is_a_failure() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let output = callout(&["send", &format!("http://127.0.0.1:{port}/x")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).starts_with(&format!(
            "callout send: could not reach http://127.0.0.1:{port}/x: could not connect"
        )),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_missing_token_variable_is_named() {
    let output = Command::new(env!("CARGO_BIN_EXE_callout"))
        .args([
            "send",
            "http://127.0.0.1:9/x",
            "--token-env",
            "CALLOUT_NOT_SET_ANYWHERE",
        ])
        .env_remove("CALLOUT_NOT_SET_ANYWHERE")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        "callout send: environment variable CALLOUT_NOT_SET_ANYWHERE is not set (or not UTF-8)\n"
    );
}

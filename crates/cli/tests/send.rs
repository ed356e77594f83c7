//! `callout send` as a user runs it: against a loopback server, and against
//! the sandbox with tokens from the real keychain, refreshed for real.

use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::{self, TestHome, assert_no_secret_in_files, assert_ok, stderr, stdout};

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

/// `callout ARGS` with no home of its own (plain URLs need none).
fn callout(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callout"))
        .args(args)
        .env_remove("CALLOUT_HOME")
        .output()
        .expect("run callout")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// A home with credential `Sales_API` for the API at `endpoint`, authorized
/// by client credentials at the sandbox; returns the home and its token.
fn home_with_sales_api(sandbox: &Sandbox, endpoint: &str) -> (TestHome, String) {
    let mut home = TestHome::new();
    home.add_for_endpoint(
        sandbox,
        "Sales_API",
        "client-credentials",
        endpoint,
        &["--allow-merge-fields-in-body"],
    );
    assert_ok(&home.run(&["authorize", "Sales_API"]));
    let token = stdout(&home.run(&["token", "Sales_API"]))
        .trim()
        .to_string();
    assert!(!token.is_empty());
    (home, token)
}

pub(crate) const SOAP_QUERY: &str = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Header><urn:SessionHeader><urn:sessionId>{!$Credential.OAuthToken}</urn:sessionId></urn:SessionHeader></soapenv:Header><soapenv:Body><urn:query><urn:queryString>SELECT Id, Name FROM Account</urn:queryString></urn:query></soapenv:Body></soapenv:Envelope>"#;

#[test]
fn an_expired_soap_session_is_refreshed_from_the_keychain_and_retried_to_200() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(
        &sandbox,
        "Sandbox",
        "password",
        &["--allow-merge-fields-in-body"],
    );
    assert_ok(&home.authorize_sandbox_user("Sandbox"));
    let token = stdout(&home.run(&["token", "Sandbox"])).trim().to_string();
    assert!(
        sandbox.expire_access_token(&token),
        "the sandbox knows the token"
    );

    let output = home.run(&[
        "send",
        "callout:sandbox/services/Soap/u/59.0",
        "-H",
        "Content-Type: text/xml",
        "-H",
        "SOAPAction: \"\"",
        "-d",
        SOAP_QUERY,
        "--json",
    ]);
    assert_ok(&output);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["status"], 200, "{json:#}");
    assert!(json["body"].as_str().unwrap().contains("<queryResponse>"));
    let steps = common::attempt_steps(&json);
    assert_eq!(steps, ["sent", "refreshed", "sent"]);
    let first = &json["attempts"][0];
    assert_eq!(first["status"], 500);
    assert_eq!(first["verdict"]["rule"], "soap.invalid_session");
    assert_eq!(first["verdict"]["salesforce"]["wouldRefresh"], false);

    let stats = sandbox.stats();
    assert_eq!(stats.token_count("refresh_token", "ok"), 1);
    assert_eq!(stats.api_count("salesforce_soap", "invalid_session"), 1);
    assert_eq!(stats.api_count("salesforce_soap", "ok"), 1);
    let fresh = stdout(&home.run(&["token", "Sandbox"])).trim().to_string();
    assert_ne!(fresh, token, "the refreshed token is the one stored now");
    assert!(
        !text(&output.stdout).contains(&fresh),
        "no token in the output"
    );
}

#[test]
fn a_callout_url_is_sent_with_the_token_and_judged() {
    let api = Api::start();
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let (home, token) = home_with_sales_api(&sandbox, &api.base_url());
    let output = home.run(&[
        "send",
        "callout:Sales_API/services/Soap/u/62.0",
        "-H",
        "Content-Type: text/xml",
        "-d",
        "<sessionId>{!$Credential.OAuthToken}</sessionId>",
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
    // This API faults every time: one refresh (a new client-credentials
    // token), one retry, and no more.
    let steps = common::attempt_steps(&json);
    assert_eq!(steps, ["sent", "refreshed", "sent"]);
    assert_eq!(sandbox.stats().token_count("client_credentials", "ok"), 2);
    assert!(
        !text(&output.stdout).contains(&token),
        "the token never reaches the output"
    );

    let seen = api.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].method, "POST", "-d implies POST");
    assert_eq!(seen[0].url, "/services/Soap/u/62.0");
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some(&*format!("Bearer {token}"))
    );
    assert_eq!(seen[0].body, format!("<sessionId>{token}</sessionId>"));
    let retried_with = seen[1].authorization.as_deref().unwrap();
    assert_ne!(
        retried_with,
        format!("Bearer {token}"),
        "retried with the new token"
    );
    assert_eq!(
        seen[1].body,
        format!("<sessionId>{}</sessionId>", &retried_with[7..])
    );
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
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let (home, _) = home_with_sales_api(&sandbox, "http://127.0.0.1:9");
    let output = home.run(&["send", "callout:Nope/x"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        "callout send: unknown credential \"Nope\" in callout:Nope; known credentials: Sales_API\n"
    );
}

#[test]
fn a_merge_field_error_names_its_position() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let (home, _) = home_with_sales_api(&sandbox, "http://127.0.0.1:8");
    let output = home.run(&[
        "send",
        "callout:Sales_API/x",
        "-d",
        "line one\n  {!$Credential.Secret}",
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
fn a_credential_never_authorized_says_to_authorize_it() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    // Browser sign-in needs a person; client credentials would just be minted.
    home.add(&sandbox, "Fresh", "auth-code", &[]);
    let output = home.run(&["send", "callout:Fresh/services/data/v59.0/query?q=x"]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("callout authorize"), "{stderr}");
    assert_eq!(sandbox.stats().api_count("salesforce_rest", "ok"), 0);
}

#[test]
fn a_broken_merge_field_is_refused_before_a_stale_token_is_refreshed() {
    use callout_core::credential_store::Identity;
    use std::time::{Duration, SystemTime};

    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let (home, _token) = home_with_sales_api(&sandbox, &sandbox.base_url());
    // The stored token is past its expiry: any send that got as far as the
    // token would refresh it first.
    let store = home.store();
    let mut authorization = store
        .authorization("Sales_API", &Identity::NamedPrincipal)
        .unwrap();
    let tokens = authorization.tokens.as_mut().unwrap();
    tokens.issued_at = SystemTime::now() - Duration::from_secs(7_200);
    tokens.expires_at = Some(SystemTime::now() - Duration::from_secs(3_600));
    store
        .set_authorization("Sales_API", &Identity::NamedPrincipal, &authorization)
        .unwrap();
    let before = sandbox.stats();

    let output = home.run(&[
        "send",
        "callout:Sales_API/services/Soap/u/59.0",
        "-d",
        "<a>{!$Credential.OAuthTokn}</a>",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("unknown merge field {!$Credential.OAuthTokn} in the body"),
        "{}",
        text(&output.stderr)
    );
    let after = sandbox.stats();
    assert_eq!(after, before, "nothing reached the provider or the APIs");
    let kept = store
        .authorization("Sales_API", &Identity::NamedPrincipal)
        .unwrap()
        .tokens
        .unwrap();
    let stale = authorization.tokens.unwrap();
    assert_eq!(
        kept.access_token.expose(),
        stale.access_token.expose(),
        "the stale token was not refreshed"
    );
}

#[test]
fn a_password_grant_credential_calls_a_bearer_api_with_its_token() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let api = format!("{}/rfc6750", sandbox.base_url());
    home.add_for_endpoint(&sandbox, "Grant", "password", &api, &["--scope", "read"]);
    assert_ok(&home.authorize_sandbox_user("Grant"));
    let output = home.run(&["send", "callout:Grant/accounts", "--json"]);
    assert_ok(&output);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["status"], 200, "{json:#}");
    assert_eq!(common::attempt_steps(&json), ["sent"]);
    let stats = sandbox.stats();
    assert_eq!(stats.api_count("rfc6750", "ok"), 1, "{stats:?}");
    assert_eq!(stats.token_count("password", "ok"), 1);
}

#[test]
fn basic_authentication_sends_the_login_on_every_call_and_has_nothing_to_authorize() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.forget_on_drop("Legacy");
    let api = format!("{}/basic", sandbox.base_url());
    let add = |extra: &[&str], stdin: &str| {
        let mut args = vec![
            "credential",
            "add",
            "Legacy",
            "--flow",
            "basic",
            "--endpoint",
            &api,
        ];
        args.extend_from_slice(extra);
        home.run_with_stdin(&args, stdin)
    };
    let no_username = add(&["--password-stdin"], "sandbox-password\n");
    assert_eq!(no_username.status.code(), Some(2));
    assert!(
        stderr(&no_username).contains("needs the username it sends (--username)"),
        "{}",
        stderr(&no_username)
    );
    let no_password = add(&["--username", "sandbox-user"], "");
    assert!(
        stderr(&no_password).contains("needs the password it sends (--password-stdin)"),
        "{}",
        stderr(&no_password)
    );
    let added = add(
        &["--username", "sandbox-user", "--password-stdin"],
        "sandbox-password\n",
    );
    assert_ok(&added);
    assert!(
        stdout(&added).contains("password in the keychain"),
        "{}",
        stdout(&added)
    );
    assert!(
        !stdout(&added).contains("callout authorize"),
        "{}",
        stdout(&added)
    );

    let authorize = home.run(&["authorize", "Legacy"]);
    assert_eq!(authorize.status.code(), Some(1));
    assert!(
        stderr(&authorize).contains("Basic authentication has nothing to authorize"),
        "{}",
        stderr(&authorize)
    );

    for _ in 0..2 {
        let output = home.run(&["send", "callout:Legacy/accounts", "--json"]);
        assert_ok(&output);
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(json["status"], 200, "{json:#}");
    }
    assert_eq!(sandbox.stats().api_count("basic", "ok"), 2);

    let wrong = home.run_with_stdin(
        &["credential", "edit", "Legacy", "--password-stdin"],
        "not-the-password\n",
    );
    assert!(
        stdout(&wrong).contains("password replaced in the keychain"),
        "{}",
        stdout(&wrong)
    );
    let refused = home.run(&["send", "callout:Legacy/accounts", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(json["status"], 401, "{json:#}");
    assert_eq!(common::attempt_steps(&json), ["sent", "refreshSkipped"]);
    let reason = json["attempts"][1]["reason"].as_str().unwrap();
    assert!(
        reason.contains("uses password authentication (Basic): it has no token to refresh"),
        "{reason}"
    );
    assert_eq!(sandbox.stats().api_count("basic", "wrong_login"), 1);
    assert_no_secret_in_files(home.path(), &["sandbox-password", "not-the-password"]);
    assert_ok(&home.run(&["credential", "remove", "Legacy"]));
}

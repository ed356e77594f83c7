//! The sandbox over real sockets: every endpoint, every fault, and the
//! PRODUCT.md expiry scenarios end to end with plain HTTP calls.
//!
//! Lifetime rules run on a `ManualClock`, so no call has to land before a
//! real lifetime ends; the one scenario on the real clock (an idle refresh
//! token) waits for the condition, never for a duration.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use callout_sandbox::{
    ManualClock, PendingFault, RequestLog, Sandbox, SandboxConfig, SandboxStats, TokenFault, jwt,
};
use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-sandbox-test";

// ---------------------------------------------------------------- helpers

fn http() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

fn start(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config).expect("sandbox starts")
}

fn start_default() -> Sandbox {
    start(SandboxConfig::default())
}

fn with_manual_clock(config: SandboxConfig) -> (Sandbox, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let sandbox = Sandbox::with_clock(config, clock.clone()).expect("sandbox starts");
    (sandbox, clock)
}

fn json_of(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

fn post_form(url: &str, pairs: &[(&str, &str)]) -> Response {
    http().post(url).form(pairs).send().unwrap()
}

/// POSTs to `/token` with the client's id and secret in the body.
fn token(sandbox: &Sandbox, pairs: &[(&str, &str)]) -> (u16, Value) {
    let mut all = vec![
        ("client_id", sandbox.client_id()),
        ("client_secret", sandbox.client_secret()),
    ];
    all.extend_from_slice(pairs);
    json_of(post_form(&sandbox.token_url(), &all))
}

fn assert_oauth_error(result: &(u16, Value), status: u16, code: &str) {
    assert_eq!(result.0, status, "unexpected status for {}", result.1);
    assert_eq!(result.1["error"], code, "unexpected body {}", result.1);
    assert!(
        result.1["error_description"].is_string(),
        "no description in {}",
        result.1
    );
}

fn password_tokens(sandbox: &Sandbox) -> (String, String) {
    let (status, body) = token(
        sandbox,
        &[
            ("grant_type", "password"),
            ("username", &sandbox.config().username),
            ("password", &sandbox.config().password),
        ],
    );
    assert_eq!(status, 200, "{body}");
    (
        body["access_token"].as_str().unwrap().to_string(),
        body["refresh_token"].as_str().unwrap().to_string(),
    )
}

fn refresh(sandbox: &Sandbox, refresh_token: &str) -> (u16, Value) {
    token(
        sandbox,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
}

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// What `/authorize` gets from a browser: the query of the GET and the fields of the form.
fn authorization_params<'a>(
    sandbox: &'a Sandbox,
    redirect_uri: &'a str,
    code_challenge: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("response_type", "code"),
        ("client_id", sandbox.client_id()),
        ("redirect_uri", redirect_uri),
        ("scope", "api read"),
        ("state", "st-8271"),
        ("code_challenge", code_challenge),
        ("code_challenge_method", "S256"),
    ]
}

/// Opens `/authorize` as a browser would.
fn open_authorize(sandbox: &Sandbox, redirect_uri: &str, code_challenge: &str) -> Response {
    http()
        .get(sandbox.authorize_url())
        .query(&authorization_params(sandbox, redirect_uri, code_challenge))
        .send()
        .unwrap()
}

/// Submits the sign-in form with `decision` and returns the redirect's query pairs.
fn submit_sign_in(sandbox: &Sandbox, redirect_uri: &str, decision: &str) -> Vec<(String, String)> {
    let code_challenge = challenge(VERIFIER);
    let mut fields = authorization_params(sandbox, redirect_uri, &code_challenge);
    fields.extend([
        ("username", sandbox.config().username.as_str()),
        ("password", sandbox.config().password.as_str()),
        ("decision", decision),
    ]);
    let response = post_form(&sandbox.authorize_url(), &fields);
    assert_eq!(response.status().as_u16(), 302);
    redirect_query(&response, redirect_uri)
}

fn redirect_query(response: &Response, redirect_uri: &str) -> Vec<(String, String)> {
    let location = response.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with(redirect_uri),
        "redirected to {location}"
    );
    let url = url::Url::parse(location).unwrap();
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn soap_envelope(session_id: Option<&str>, soql: &str) -> String {
    let header = session_id
        .map(|id| {
            format!("<urn:SessionHeader><urn:sessionId>{id}</urn:sessionId></urn:SessionHeader>")
        })
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Header>{header}</soapenv:Header><soapenv:Body><urn:query><urn:queryString>{soql}</urn:queryString></urn:query></soapenv:Body></soapenv:Envelope>"#
    )
}

fn soap(sandbox: &Sandbox, body: String) -> (u16, String) {
    let response = http()
        .post(sandbox.soap_url())
        .header("Content-Type", "text/xml; charset=UTF-8")
        .header("SOAPAction", "\"\"")
        .body(body)
        .send()
        .unwrap();
    (response.status().as_u16(), response.text().unwrap())
}

fn rest_query(sandbox: &Sandbox, access_token: &str, soql: &str) -> (u16, Value) {
    json_of(
        http()
            .get(sandbox.rest_query_url())
            .query(&[("q", soql)])
            .bearer_auth(access_token)
            .send()
            .unwrap(),
    )
}

fn get_with_bearer(url: &str, access_token: &str) -> Response {
    http().get(url).bearer_auth(access_token).send().unwrap()
}

/// Polls `condition` until it holds; fails after a generous deadline.
fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Introspects with the client's credentials in a Basic header.
fn introspect(sandbox: &Sandbox, token: &str) -> (u16, Value) {
    json_of(
        http()
            .post(sandbox.introspection_url())
            .basic_auth(sandbox.client_id(), Some(sandbox.client_secret()))
            .form(&[("token", token)])
            .send()
            .unwrap(),
    )
}

fn introspect_active(sandbox: &Sandbox, token: &str) -> bool {
    let (status, body) = introspect(sandbox, token);
    assert_eq!(status, 200);
    body["active"].as_bool().unwrap()
}

fn http_stats(sandbox: &Sandbox) -> SandboxStats {
    let response = http()
        .get(format!("{}/_sandbox/stats", sandbox.base_url()))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.json().unwrap()
}

fn post_fault(sandbox: &Sandbox, command: Value) -> (u16, Value) {
    json_of(
        http()
            .post(format!("{}/_sandbox/faults", sandbox.base_url()))
            .json(&command)
            .send()
            .unwrap(),
    )
}

// ---------------------------------------------------------------- the PRODUCT.md scenarios

#[test]
fn soap_call_with_an_expired_session_gets_the_500_invalid_session_fault() {
    let (sandbox, clock) = with_manual_clock(SandboxConfig::default());
    let (access, _) = password_tokens(&sandbox);
    let (status, live) = soap(
        &sandbox,
        soap_envelope(Some(&access), "SELECT Id, Name FROM Account"),
    );
    assert_eq!(status, 200, "{live}");
    assert!(live.contains("<queryResponse>"));

    clock.advance(sandbox.config().access_ttl);
    let (status, fault) = soap(
        &sandbox,
        soap_envelope(Some(&access), "SELECT Id FROM Account"),
    );
    assert_eq!(status, 500);
    assert!(
        fault.contains("<faultcode>sf:INVALID_SESSION_ID</faultcode>"),
        "{fault}"
    );
    assert!(fault.contains("<sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode>"));
    assert!(fault.contains("xmlns:sf=\"urn:fault.partner.soap.sforce.com\""));
}

#[test]
fn rest_call_with_an_expired_token_gets_401_invalid_session_id() {
    let (sandbox, clock) = with_manual_clock(SandboxConfig {
        omit_expires_in: true,
        ..SandboxConfig::default()
    });
    let (access, _) = password_tokens(&sandbox);
    assert_eq!(
        rest_query(&sandbox, &access, "SELECT Id FROM Account").0,
        200
    );

    clock.advance(sandbox.config().access_ttl);
    let response = http()
        .get(sandbox.rest_query_url())
        .query(&[("q", "SELECT Id FROM Account")])
        .bearer_auth(&access)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(
        response.text().unwrap(),
        r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#
    );
}

#[test]
fn refresh_token_unused_past_its_idle_lifetime_gets_invalid_grant() {
    let sandbox = start(SandboxConfig {
        refresh_idle_ttl: Some(Duration::from_secs(1)),
        ..SandboxConfig::default()
    });
    let (_, refresh_token) = password_tokens(&sandbox);
    wait_until("the refresh token went idle", || {
        !introspect_active(&sandbox, &refresh_token)
    });
    let result = refresh(&sandbox, &refresh_token);
    assert_oauth_error(&result, 400, "invalid_grant");
    assert!(
        result.1["error_description"]
            .as_str()
            .unwrap()
            .contains("idle")
    );
}

#[test]
fn rotated_away_refresh_token_gets_invalid_grant() {
    let sandbox = start_default();
    let (_, first) = password_tokens(&sandbox);
    let (status, rotated) = refresh(&sandbox, &first);
    assert_eq!(status, 200);
    let second = rotated["refresh_token"].as_str().unwrap();
    assert_ne!(second, first);

    let reuse = refresh(&sandbox, &first);
    assert_oauth_error(&reuse, 400, "invalid_grant");
    assert!(
        reuse.1["error_description"]
            .as_str()
            .unwrap()
            .contains("rotated")
    );
    assert_eq!(
        refresh(&sandbox, second).0,
        200,
        "the newest refresh token still works"
    );
    assert_eq!(
        sandbox
            .stats()
            .token_count("refresh_token", "invalid_grant"),
        1
    );
}

// ---------------------------------------------------------------- refresh-token rules (manual clock)

#[test]
fn idle_lifetime_restarts_with_each_use_when_not_rotating() {
    let (sandbox, clock) = with_manual_clock(SandboxConfig {
        rotate_refresh_tokens: false,
        refresh_idle_ttl: Some(Duration::from_secs(100)),
        ..SandboxConfig::default()
    });
    let (_, refresh_token) = password_tokens(&sandbox);
    clock.advance(Duration::from_secs(99));
    let (status, body) = refresh(&sandbox, &refresh_token);
    assert_eq!(status, 200);
    assert!(
        body.get("refresh_token").is_none(),
        "no rotation: no new refresh token"
    );
    clock.advance(Duration::from_secs(99));
    assert_eq!(
        refresh(&sandbox, &refresh_token).0,
        200,
        "used 99 s ago: alive"
    );
    clock.advance(Duration::from_secs(100));
    assert_oauth_error(&refresh(&sandbox, &refresh_token), 400, "invalid_grant");
}

#[test]
fn absolute_lifetime_ends_the_family_even_when_rotating() {
    let (sandbox, clock) = with_manual_clock(SandboxConfig {
        refresh_absolute_ttl: Some(Duration::from_secs(300)),
        ..SandboxConfig::default()
    });
    let (_, mut refresh_token) = password_tokens(&sandbox);
    for _ in 0..2 {
        clock.advance(Duration::from_secs(140));
        let (status, body) = refresh(&sandbox, &refresh_token);
        assert_eq!(status, 200, "{body}");
        refresh_token = body["refresh_token"].as_str().unwrap().to_string();
    }
    clock.advance(Duration::from_secs(20));
    let result = refresh(&sandbox, &refresh_token);
    assert_oauth_error(&result, 400, "invalid_grant");
    assert!(
        result.1["error_description"]
            .as_str()
            .unwrap()
            .contains("absolute")
    );
}

#[test]
fn access_tokens_live_exactly_their_lifetime_on_the_injected_clock() {
    let (sandbox, clock) = with_manual_clock(SandboxConfig::default());
    let (access, _) = password_tokens(&sandbox);
    clock.advance(Duration::from_secs(59));
    assert_eq!(
        rest_query(&sandbox, &access, "SELECT Id FROM Account").0,
        200
    );
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        rest_query(&sandbox, &access, "SELECT Id FROM Account").0,
        401
    );
}

#[test]
fn refresh_may_narrow_but_not_widen_the_scope() {
    let sandbox = start_default();
    let (status, body) = token(
        &sandbox,
        &[
            ("grant_type", "password"),
            ("username", &sandbox.config().username),
            ("password", &sandbox.config().password),
            ("scope", "api read"),
        ],
    );
    assert_eq!(status, 200);
    let refresh_token = body["refresh_token"].as_str().unwrap();
    let widened = token(
        &sandbox,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("scope", "write"),
        ],
    );
    assert_oauth_error(&widened, 400, "invalid_scope");
    let (status, narrowed) = token(
        &sandbox,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("scope", "read"),
        ],
    );
    assert_eq!(status, 200);
    assert_eq!(narrowed["scope"], "read");
}

// ---------------------------------------------------------------- discovery and /authorize

#[test]
fn discovery_documents_point_at_this_instance() {
    let sandbox = start_default();
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let (status, metadata) = json_of(
            http()
                .get(format!("{}{path}", sandbox.base_url()))
                .send()
                .unwrap(),
        );
        assert_eq!(status, 200);
        assert_eq!(metadata["issuer"], sandbox.base_url());
        assert_eq!(metadata["token_endpoint"], sandbox.token_url());
        assert_eq!(metadata["authorization_endpoint"], sandbox.authorize_url());
        assert_eq!(
            metadata["device_authorization_endpoint"],
            sandbox.device_authorization_url()
        );
        assert_eq!(metadata["revocation_endpoint"], sandbox.revocation_url());
        assert_eq!(
            metadata["introspection_endpoint"],
            sandbox.introspection_url()
        );
        assert_eq!(
            metadata["code_challenge_methods_supported"],
            json!(["S256"])
        );
        assert!(
            metadata["grant_types_supported"]
                .as_array()
                .unwrap()
                .contains(&json!(JWT_BEARER))
        );
    }
    let home = http()
        .get(sandbox.base_url())
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(home.contains(sandbox.client_id()));
}

#[test]
fn authorization_code_with_pkce_from_sign_in_page_to_tokens() {
    let sandbox = start_default();
    let redirect_uri = "http://127.0.0.1:49152/callback";
    let code_challenge = challenge(VERIFIER);
    let page = open_authorize(&sandbox, redirect_uri, &code_challenge);
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().unwrap();
    assert!(html.contains("<form method=\"post\" action=\"/authorize\">"));
    assert!(html.contains(&format!("value=\"{code_challenge}\"")));
    assert!(html.contains("name=\"decision\" value=\"allow\""));

    let redirect = submit_sign_in(&sandbox, redirect_uri, "allow");
    assert_eq!(param(&redirect, "state"), Some("st-8271"));
    let code = param(&redirect, "code").unwrap();

    let exchange = |verifier: &str| {
        json_of(post_form(
            &sandbox.token_url(),
            &[
                ("grant_type", "authorization_code"),
                ("client_id", sandbox.client_id()),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("code_verifier", verifier),
            ],
        ))
    };
    let wrong = exchange(&"x".repeat(43));
    assert_oauth_error(&wrong, 400, "invalid_grant");
    let (status, tokens) = exchange(VERIFIER);
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 60);
    assert_eq!(tokens["scope"], "api read");
    assert!(tokens["refresh_token"].is_string());
    assert_oauth_error(&exchange(VERIFIER), 400, "invalid_grant");
}

#[test]
fn authorization_code_must_be_redeemed_with_the_same_redirect_uri() {
    let sandbox = start_default();
    let redirect = submit_sign_in(&sandbox, "http://127.0.0.1:50000/callback", "allow");
    let code = param(&redirect, "code").unwrap();
    let result = json_of(post_form(
        &sandbox.token_url(),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", sandbox.client_id()),
            ("code", code),
            ("redirect_uri", "http://127.0.0.1:50001/callback"),
            ("code_verifier", VERIFIER),
        ],
    ));
    assert_oauth_error(&result, 400, "invalid_grant");
    let missing_verifier = json_of(post_form(
        &sandbox.token_url(),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", sandbox.client_id()),
            ("code", code),
            ("redirect_uri", "http://127.0.0.1:50000/callback"),
        ],
    ));
    assert_oauth_error(&missing_verifier, 400, "invalid_request");
}

#[test]
fn authorization_code_expires_on_the_injected_clock() {
    let (sandbox, clock) = with_manual_clock(SandboxConfig::default());
    let redirect_uri = "http://127.0.0.1:50002/callback";
    let redirect = submit_sign_in(&sandbox, redirect_uri, "allow");
    clock.advance(sandbox.config().code_ttl);
    let result = json_of(post_form(
        &sandbox.token_url(),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", sandbox.client_id()),
            ("code", param(&redirect, "code").unwrap()),
            ("redirect_uri", redirect_uri),
            ("code_verifier", VERIFIER),
        ],
    ));
    assert_oauth_error(&result, 400, "invalid_grant");
}

#[test]
fn denying_at_the_sign_in_page_redirects_with_access_denied_and_state() {
    let sandbox = start_default();
    let redirect = submit_sign_in(&sandbox, "http://127.0.0.1:1234/callback", "deny");
    assert_eq!(param(&redirect, "error"), Some("access_denied"));
    assert_eq!(param(&redirect, "state"), Some("st-8271"));
    assert_eq!(param(&redirect, "code"), None);
}

#[test]
fn wrong_password_at_the_sign_in_page_shows_the_page_again() {
    let sandbox = start_default();
    let code_challenge = challenge(VERIFIER);
    let mut fields = authorization_params(&sandbox, "http://127.0.0.1:1/callback", &code_challenge);
    fields.extend([
        ("username", "sandbox-user"),
        ("password", "nope"),
        ("decision", "allow"),
    ]);
    let response = post_form(&sandbox.authorize_url(), &fields);
    assert_eq!(response.status().as_u16(), 401);
    assert!(
        response
            .text()
            .unwrap()
            .contains("Wrong username or password")
    );
}

#[test]
fn authorize_refuses_plain_pkce_missing_pkce_and_bad_response_types_by_redirect() {
    let sandbox = start_default();
    let redirect_uri = "http://127.0.0.1:4000/callback";
    let code_challenge = challenge(VERIFIER);
    let cases: [(&str, Option<&str>, &str); 3] = [
        ("code_challenge_method", Some("plain"), "invalid_request"),
        ("code_challenge", None, "invalid_request"),
        ("response_type", Some("token"), "unsupported_response_type"),
    ];
    for (name, value, error) in cases {
        let params: Vec<(&str, &str)> =
            authorization_params(&sandbox, redirect_uri, &code_challenge)
                .into_iter()
                .filter_map(|(k, v)| {
                    if k == name {
                        value.map(|value| (k, value))
                    } else {
                        Some((k, v))
                    }
                })
                .collect();
        let response = http()
            .get(sandbox.authorize_url())
            .query(&params)
            .send()
            .unwrap();
        assert_eq!(response.status().as_u16(), 302, "{name}={value:?}");
        let redirect = redirect_query(&response, redirect_uri);
        assert_eq!(param(&redirect, "error"), Some(error), "{name}={value:?}");
        assert_eq!(param(&redirect, "state"), Some("st-8271"));
    }
}

#[test]
fn authorize_never_redirects_to_unregistered_uris_or_for_unknown_clients() {
    let sandbox = start_default();
    let code_challenge = challenge(VERIFIER);
    for redirect_uri in [
        "http://evil.example:4000/callback",
        "http://127.0.0.1:4000/elsewhere",
        "https://127.0.0.1:4000/callback",
    ] {
        let response = open_authorize(&sandbox, redirect_uri, &code_challenge);
        assert_eq!(response.status().as_u16(), 400, "{redirect_uri}");
        assert!(response.headers().get("location").is_none());
        assert!(response.text().unwrap().contains("not registered"));
    }
    let mut params =
        authorization_params(&sandbox, "http://127.0.0.1:4000/callback", &code_challenge);
    params[1] = ("client_id", "someone-else");
    let response = http()
        .get(sandbox.authorize_url())
        .query(&params)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert!(response.headers().get("location").is_none());
}

// ---------------------------------------------------------------- the other grants

#[test]
fn client_credentials_by_basic_header_and_by_body() {
    let sandbox = start_default();
    let (status, by_basic) = json_of(
        http()
            .post(sandbox.token_url())
            .basic_auth(sandbox.client_id(), Some(sandbox.client_secret()))
            .form(&[("grant_type", "client_credentials"), ("scope", "read")])
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{by_basic}");
    assert_eq!(by_basic["scope"], "read");
    assert!(by_basic.get("refresh_token").is_none());

    let (status, by_body) = token(&sandbox, &[("grant_type", "client_credentials")]);
    assert_eq!(status, 200);
    assert_eq!(by_body["scope"], sandbox.config().default_scope);
    assert_eq!(sandbox.stats().token_count("client_credentials", "ok"), 2);
}

#[test]
fn client_authentication_failures_are_rfc_6749_errors() {
    let sandbox = start_default();
    let response = http()
        .post(sandbox.token_url())
        .basic_auth(sandbox.client_id(), Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .unwrap();
    assert_eq!(
        response.headers()["www-authenticate"].to_str().unwrap(),
        "Basic realm=\"callout-sandbox\""
    );
    assert_oauth_error(&json_of(response), 401, "invalid_client");

    let public = json_of(post_form(
        &sandbox.token_url(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", sandbox.client_id()),
        ],
    ));
    assert_oauth_error(&public, 401, "invalid_client");
    let nobody = json_of(post_form(
        &sandbox.token_url(),
        &[("grant_type", "client_credentials")],
    ));
    assert_oauth_error(&nobody, 401, "invalid_client");
}

#[test]
fn token_endpoint_answers_bad_requests_with_400_json() {
    let sandbox = start_default();
    assert_oauth_error(&token(&sandbox, &[]), 400, "invalid_request");
    assert_oauth_error(
        &token(&sandbox, &[("grant_type", "implicit")]),
        400,
        "unsupported_grant_type",
    );
    assert_oauth_error(
        &token(&sandbox, &[("grant_type", "refresh_token")]),
        400,
        "invalid_request",
    );
    assert_oauth_error(
        &token(
            &sandbox,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", "made-up"),
            ],
        ),
        400,
        "invalid_grant",
    );
    assert_oauth_error(
        &token(
            &sandbox,
            &[("grant_type", "client_credentials"), ("scope", "admin")],
        ),
        400,
        "invalid_scope",
    );
    let garbage = http()
        .post(sandbox.token_url())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0xfe, b'%', b'&', b'=', b'='])
        .send()
        .unwrap();
    assert_oauth_error(&json_of(garbage), 400, "invalid_request");
    let response = http()
        .post(sandbox.token_url())
        .form(&[("grant_type", "password")])
        .send()
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "no-store");
    let stats = sandbox.stats();
    assert_eq!(stats.token_count("missing", "invalid_request"), 2);
    assert_eq!(
        stats.token_count("unsupported", "unsupported_grant_type"),
        1
    );
}

#[test]
fn password_grant_checks_the_sandbox_user() {
    let sandbox = start_default();
    let (access, refresh_token) = password_tokens(&sandbox);
    assert!(access.starts_with("00D"));
    assert!(refresh_token.starts_with("5Aep"));
    let wrong = token(
        &sandbox,
        &[
            ("grant_type", "password"),
            ("username", "sandbox-user"),
            ("password", "guess"),
        ],
    );
    assert_oauth_error(&wrong, 400, "invalid_grant");
}

fn assertion(sandbox: &Sandbox, changes: Value) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut claims = json!({
        "iss": sandbox.client_id(),
        "sub": "sandbox-user",
        "aud": sandbox.base_url(),
        "exp": now + 300,
    });
    for (key, value) in changes.as_object().unwrap() {
        claims[key] = value.clone();
    }
    jwt::sign_hs256(&claims, sandbox.client_secret().as_bytes())
}

#[test]
fn jwt_bearer_checks_signature_issuer_subject_audience_and_expiry() {
    let sandbox = start_default();
    let grant = |assertion: &str| {
        json_of(post_form(
            &sandbox.token_url(),
            &[("grant_type", JWT_BEARER), ("assertion", assertion)],
        ))
    };
    let (status, body) = grant(&assertion(&sandbox, json!({})));
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("refresh_token").is_none(),
        "JWT bearer has no refresh token"
    );
    let (status, _) = grant(&assertion(&sandbox, json!({"aud": [sandbox.token_url()]})));
    assert_eq!(status, 200, "the token URL is an accepted audience");

    for (changes, hint) in [
        (json!({"exp": 1_000}), "expired"),
        (json!({"aud": "https://login.salesforce.com"}), "aud"),
        (json!({"iss": "someone-else"}), "iss"),
        (json!({"sub": ""}), "sub"),
    ] {
        let result = grant(&assertion(&sandbox, changes.clone()));
        assert_oauth_error(&result, 400, "invalid_grant");
        let description = result.1["error_description"].as_str().unwrap();
        assert!(description.contains(hint), "{changes}: {description}");
    }
    let forged = jwt::sign_hs256(
        &json!({"iss": sandbox.client_id(), "sub": "u", "aud": sandbox.base_url(), "exp": u64::MAX / 2}),
        b"not-the-secret",
    );
    assert_oauth_error(&grant(&forged), 400, "invalid_grant");
    assert_oauth_error(&grant("not-a-jwt"), 400, "invalid_grant");
    assert_eq!(sandbox.stats().token_count("jwt_bearer", "ok"), 2);
}

fn device_authorization(sandbox: &Sandbox) -> Value {
    let (status, body) = json_of(post_form(
        &sandbox.device_authorization_url(),
        &[("client_id", sandbox.client_id()), ("scope", "api")],
    ));
    assert_eq!(status, 200, "{body}");
    body
}

fn poll_device(sandbox: &Sandbox, device_code: &str) -> (u16, Value) {
    json_of(post_form(
        &sandbox.token_url(),
        &[
            ("grant_type", DEVICE_CODE),
            ("client_id", sandbox.client_id()),
            ("device_code", device_code),
        ],
    ))
}

fn decide_device(sandbox: &Sandbox, user_code: &str, decision: &str) -> u16 {
    post_form(
        &format!("{}/device", sandbox.base_url()),
        &[("user_code", user_code), ("decision", decision)],
    )
    .status()
    .as_u16()
}

#[test]
fn device_flow_pending_then_approved_at_the_verification_page() {
    let (sandbox, clock) = with_manual_clock(SandboxConfig::default());
    let started = device_authorization(&sandbox);
    let device_code = started["device_code"].as_str().unwrap();
    let user_code = started["user_code"].as_str().unwrap();
    assert_eq!(
        started["verification_uri"],
        format!("{}/device", sandbox.base_url())
    );
    assert_eq!(started["interval"], 5);

    assert_oauth_error(
        &poll_device(&sandbox, device_code),
        400,
        "authorization_pending",
    );
    assert_oauth_error(&poll_device(&sandbox, device_code), 400, "slow_down");
    clock.advance(Duration::from_secs(5));

    let page = http()
        .get(started["verification_uri_complete"].as_str().unwrap())
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains(&format!("value=\"{user_code}\"")));
    assert_eq!(decide_device(&sandbox, "zzzz-zzzz", "allow"), 400);
    assert_eq!(
        decide_device(&sandbox, &user_code.to_lowercase(), "allow"),
        200
    );
    assert_eq!(
        decide_device(&sandbox, user_code, "allow"),
        400,
        "a user code works once"
    );

    let (status, tokens) = poll_device(&sandbox, device_code);
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["scope"], "api");
    assert!(tokens["refresh_token"].is_string());
    assert_oauth_error(&poll_device(&sandbox, device_code), 400, "invalid_grant");
}

#[test]
fn device_flow_denied_and_expired() {
    let (sandbox, clock) = with_manual_clock(SandboxConfig::default());
    let denied = device_authorization(&sandbox);
    assert_eq!(
        decide_device(&sandbox, denied["user_code"].as_str().unwrap(), "deny"),
        200
    );
    assert_oauth_error(
        &poll_device(&sandbox, denied["device_code"].as_str().unwrap()),
        400,
        "access_denied",
    );

    let expired = device_authorization(&sandbox);
    clock.advance(sandbox.config().device_code_ttl);
    assert_oauth_error(
        &poll_device(&sandbox, expired["device_code"].as_str().unwrap()),
        400,
        "expired_token",
    );
    assert_oauth_error(&poll_device(&sandbox, "unknown"), 400, "invalid_grant");
}

// ---------------------------------------------------------------- token options

#[test]
fn jwt_access_tokens_carry_exp_and_are_accepted_by_the_apis() {
    let sandbox = start(SandboxConfig {
        jwt_access_tokens: true,
        access_ttl: Duration::from_secs(120),
        ..SandboxConfig::default()
    });
    let (status, body) = token(&sandbox, &[("grant_type", "client_credentials")]);
    assert_eq!(status, 200);
    let access = body["access_token"].as_str().unwrap();
    let payload = access.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        120
    );
    assert_eq!(claims["iss"], sandbox.base_url());
    assert_eq!(
        rest_query(&sandbox, access, "SELECT Id FROM Account").0,
        200
    );
}

#[test]
fn expires_in_can_be_left_out_as_salesforce_does() {
    let sandbox = start(SandboxConfig {
        omit_expires_in: true,
        ..SandboxConfig::default()
    });
    let (status, body) = token(&sandbox, &[("grant_type", "client_credentials")]);
    assert_eq!(status, 200);
    assert!(body.get("expires_in").is_none(), "{body}");
    assert_eq!(body["instance_url"], sandbox.base_url());
}

// ---------------------------------------------------------------- revoke and introspect

#[test]
fn revocation_kills_access_and_refresh_tokens() {
    let sandbox = start_default();
    let (access, refresh_token) = password_tokens(&sandbox);
    assert!(introspect_active(&sandbox, &access));
    assert!(introspect_active(&sandbox, &refresh_token));
    for token in [&access, &refresh_token, &"never-issued".to_string()] {
        let response = http()
            .post(sandbox.revocation_url())
            .basic_auth(sandbox.client_id(), Some(sandbox.client_secret()))
            .form(&[("token", token.as_str())])
            .send()
            .unwrap();
        assert_eq!(
            response.status().as_u16(),
            200,
            "RFC 7009: 200 even for unknown tokens"
        );
    }
    assert!(!introspect_active(&sandbox, &access));
    assert!(!introspect_active(&sandbox, &refresh_token));
    assert_oauth_error(&refresh(&sandbox, &refresh_token), 400, "invalid_grant");
    assert_eq!(
        rest_query(&sandbox, &access, "SELECT Id FROM Account").0,
        401
    );
    let missing = json_of(post_form(
        &sandbox.revocation_url(),
        &[("client_id", sandbox.client_id())],
    ));
    assert_oauth_error(&missing, 400, "invalid_request");
}

#[test]
fn introspection_describes_live_tokens_and_requires_client_authentication() {
    let (sandbox, clock) = with_manual_clock(SandboxConfig::default());
    let (access, _) = password_tokens(&sandbox);
    let (status, body) = json_of(
        http()
            .post(sandbox.introspection_url())
            .form(&[
                ("token", access.as_str()),
                ("client_id", sandbox.client_id()),
                ("client_secret", sandbox.client_secret()),
            ])
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
    assert_eq!(body["active"], true);
    assert_eq!(body["client_id"], sandbox.client_id());
    assert_eq!(body["username"], "sandbox-user");
    assert_eq!(
        body["exp"].as_u64().unwrap() - body["iat"].as_u64().unwrap(),
        60
    );

    clock.advance(Duration::from_secs(60));
    assert_eq!(
        introspect(&sandbox, &access),
        (200, json!({"active": false}))
    );

    let anonymous = json_of(post_form(
        &sandbox.introspection_url(),
        &[("token", access.as_str())],
    ));
    assert_oauth_error(&anonymous, 401, "invalid_client");
}

// ---------------------------------------------------------------- the APIs

#[test]
fn soap_query_answers_a_partner_query_response() {
    let sandbox = start_default();
    let access = sandbox.issue_tokens("api").access_token;
    let (status, xml) = soap(
        &sandbox,
        soap_envelope(
            Some(access.expose()),
            "SELECT Id, Name FROM Account LIMIT 2",
        ),
    );
    assert_eq!(status, 200, "{xml}");
    assert!(xml.contains("<queryResponse><result xsi:type=\"QueryResult\"><done>true</done>"));
    assert!(xml.contains("<sf:Name>Acme Corporation</sf:Name>"));
    assert!(xml.contains("<size>2</size>"));

    let (status, fault) = soap(
        &sandbox,
        soap_envelope(Some(access.expose()), "SELECT Id FROM Opportunity"),
    );
    assert_eq!(status, 500);
    assert!(
        fault.contains("<faultcode>sf:INVALID_TYPE</faultcode>"),
        "a fault, but not a session fault"
    );
    let stats = sandbox.stats();
    assert_eq!(stats.api_count("salesforce_soap", "ok"), 1);
    assert_eq!(stats.api_count("salesforce_soap", "query_error"), 1);
}

#[test]
fn soap_without_session_header_or_with_unknown_session_gets_invalid_session_id() {
    let sandbox = start_default();
    for session in [None, Some("00Dmadeup!AQ")] {
        let (status, fault) = soap(&sandbox, soap_envelope(session, "SELECT Id FROM Account"));
        assert_eq!(status, 500);
        assert!(
            fault.contains("<faultcode>sf:INVALID_SESSION_ID</faultcode>"),
            "{fault}"
        );
    }
    assert_eq!(
        sandbox
            .stats()
            .api_count("salesforce_soap", "invalid_session"),
        2
    );
}

#[test]
fn malformed_soap_requests_get_400_client_faults_not_panics() {
    let sandbox = start_default();
    for body in [
        String::new(),
        "<not-closed".to_string(),
        "{\"json\": true}".to_string(),
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"/>".to_string(),
    ] {
        let (status, fault) = soap(&sandbox, body.clone());
        assert_eq!(status, 400, "{body}");
        assert!(
            fault.contains("<faultcode>soapenv:Client</faultcode>"),
            "{fault}"
        );
    }
    let response = http()
        .post(sandbox.soap_url())
        .body(vec![0xc3, 0x28])
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(
        http_stats(&sandbox).api_count("salesforce_soap", "bad_request"),
        5
    );
}

#[test]
fn rest_query_returns_records_and_salesforce_errors() {
    let sandbox = start_default();
    let access = sandbox.issue_tokens("api").access_token;
    let (status, body) = rest_query(&sandbox, access.expose(), "SELECT Id, Name FROM Account");
    assert_eq!(status, 200);
    assert_eq!(body["totalSize"], 3);
    assert_eq!(body["done"], true);
    assert_eq!(body["records"][0]["attributes"]["type"], "Account");
    assert_eq!(body["records"][0]["Name"], "Acme Corporation");

    let (status, error) = rest_query(&sandbox, access.expose(), "SELECT Nope FROM Account");
    assert_eq!(
        (status, &error[0]["errorCode"]),
        (400, &json!("INVALID_FIELD"))
    );
    let no_query = http()
        .get(sandbox.rest_query_url())
        .bearer_auth(access.expose())
        .send()
        .unwrap();
    assert_eq!(json_of(no_query).1[0]["errorCode"], "MALFORMED_QUERY");
    let (status, body) = json_of(
        http()
            .get(sandbox.rest_query_url())
            .query(&[("q", "SELECT Id FROM Account")])
            .send()
            .unwrap(),
    );
    assert_eq!(
        (status, &body[0]["errorCode"]),
        (401, &json!("INVALID_SESSION_ID"))
    );

    let slash = get_with_bearer(
        &format!("{}/?q=SELECT+Id+FROM+Contact", sandbox.rest_query_url()),
        access.expose(),
    );
    assert_eq!(json_of(slash).1["totalSize"], 2);
    let other = format!(
        "{}/services/data/v59.0/sobjects/Account",
        sandbox.base_url()
    );
    let (status, body) = json_of(get_with_bearer(&other, access.expose()));
    assert_eq!((status, &body[0]["errorCode"]), (404, &json!("NOT_FOUND")));
}

#[test]
fn wso2_dead_token_gets_401_json_without_www_authenticate() {
    let sandbox = start_default();
    let access = sandbox.issue_tokens("api").access_token;
    let url = format!("{}/wso2/accounts", sandbox.base_url());
    let (status, body) = json_of(get_with_bearer(&url, access.expose()));
    assert_eq!(status, 200);
    assert_eq!(body["count"], 3);

    assert!(sandbox.expire_access_token(access.expose()));
    let response = get_with_bearer(&url, access.expose());
    assert_eq!(response.status().as_u16(), 401);
    assert!(response.headers().get("www-authenticate").is_none());
    assert_eq!(
        response.text().unwrap(),
        r#"{"message":"unauthorized request, please refresh your access token","statusCode":401,"error":"Unauthorized"}"#
    );
    let (status, missing) = json_of(http().get(&url).send().unwrap());
    assert_eq!((status, &missing["code"]), (401, &json!("900902")));
    let stats = sandbox.stats();
    assert_eq!(stats.api_count("wso2", "ok"), 1);
    assert_eq!(stats.api_count("wso2", "invalid_token"), 1);
    assert_eq!(stats.api_count("wso2", "missing_token"), 1);
}

#[test]
fn rfc6750_challenges_for_missing_dead_and_underscoped_tokens() {
    let sandbox = start_default();
    let url = format!("{}/rfc6750/accounts", sandbox.base_url());
    let challenge_of = |response: &Response| {
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_string()
    };

    let missing = http().get(&url).send().unwrap();
    assert_eq!(missing.status().as_u16(), 401);
    assert_eq!(challenge_of(&missing), "Bearer realm=\"callout-sandbox\"");

    let reader = sandbox.issue_tokens("read").access_token;
    assert_eq!(
        get_with_bearer(&url, reader.expose()).status().as_u16(),
        200
    );
    let write = http()
        .post(&url)
        .bearer_auth(reader.expose())
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(write.status().as_u16(), 403);
    let challenge = challenge_of(&write);
    assert!(
        challenge.starts_with("Bearer realm=\"callout-sandbox\", error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(challenge.ends_with("scope=\"write\""), "{challenge}");
    assert_eq!(json_of(write).1["error"], "insufficient_scope");

    sandbox.expire_access_token(reader.expose());
    let dead = get_with_bearer(&url, reader.expose());
    assert_eq!(dead.status().as_u16(), 401);
    assert_eq!(
        challenge_of(&dead),
        "Bearer realm=\"callout-sandbox\", error=\"invalid_token\", error_description=\"The access token expired\""
    );
    let unknown = get_with_bearer(&url, "made-up");
    assert!(challenge_of(&unknown).contains("error=\"invalid_token\""));

    let malformed = http()
        .get(&url)
        .header("Authorization", "Bearer")
        .send()
        .unwrap();
    assert_eq!(malformed.status().as_u16(), 400);
    assert!(challenge_of(&malformed).contains("error=\"invalid_request\""));
    assert_eq!(
        sandbox.stats().api_count("rfc6750", "insufficient_scope"),
        1
    );
}

// ---------------------------------------------------------------- faults

#[test]
fn every_token_fault_answers_the_next_n_token_requests_then_stops() {
    let sandbox = start(SandboxConfig {
        hang_for: Duration::from_secs(1),
        ..SandboxConfig::default()
    });
    let client_credentials = || {
        http()
            .post(sandbox.token_url())
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", sandbox.client_id()),
                ("client_secret", sandbox.client_secret()),
            ])
            .send()
            .unwrap()
    };
    for fault in TokenFault::ALL {
        sandbox.inject_fault(fault, 2);
        for _ in 0..2 {
            let response = client_credentials();
            let status = response.status().as_u16();
            let content_type = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_string();
            let body = response.text().unwrap();
            let parsed: Option<Value> = serde_json::from_str(&body).ok();
            match fault {
                TokenFault::ServerError => {
                    assert_eq!(status, 500);
                    assert_eq!(parsed.unwrap()["error"], "server_error");
                }
                TokenFault::HtmlErrorPage => {
                    assert_eq!(status, 503);
                    assert!(content_type.starts_with("text/html"));
                    assert!(body.starts_with("<!DOCTYPE html>"));
                }
                TokenFault::MalformedJson => {
                    assert_eq!(status, 200);
                    assert!(content_type.starts_with("application/json"));
                    assert!(parsed.is_none(), "body must not parse: {body}");
                }
                TokenFault::MissingAccessToken => {
                    assert_eq!(status, 200);
                    let parsed = parsed.unwrap();
                    assert_eq!(parsed["token_type"], "Bearer");
                    assert!(parsed.get("access_token").is_none());
                }
                TokenFault::InvalidGrant => {
                    assert_eq!(status, 400);
                    assert_eq!(parsed.unwrap()["error"], "invalid_grant");
                }
                TokenFault::Hang => assert_eq!(status, 504),
                TokenFault::Redirect => {
                    assert_eq!(status, 302);
                    assert!(body.contains("https://sso.example.invalid/login"), "{body}");
                }
                TokenFault::HugeExpiresIn | TokenFault::ZeroExpiresIn => {
                    // The grant is answered for real, with the fault's lifetime.
                    assert_eq!(status, 200);
                    let parsed = parsed.unwrap();
                    assert!(parsed["access_token"].is_string(), "{body}");
                    let expected = match fault {
                        TokenFault::HugeExpiresIn => i64::MAX as u64,
                        _ => 0,
                    };
                    assert_eq!(parsed["expires_in"], expected);
                }
            }
        }
        assert_eq!(
            client_credentials().status().as_u16(),
            200,
            "after {fault} ran out"
        );
        assert_eq!(
            sandbox
                .stats()
                .token_count("client_credentials", &format!("fault_{fault}")),
            2
        );
    }
    assert_eq!(
        sandbox.stats().token_count("client_credentials", "ok"),
        TokenFault::ALL.len() as u64
    );
}

#[test]
fn a_hang_outlasts_the_client_timeout_without_blocking_other_requests() {
    let sandbox = start(SandboxConfig {
        hang_for: Duration::from_secs(3_600),
        ..SandboxConfig::default()
    });
    sandbox.inject_fault(TokenFault::Hang, 1);
    let hung = std::thread::scope(|scope| {
        let hanging = scope.spawn(|| {
            Client::builder()
                .timeout(Duration::from_millis(500))
                .build()
                .unwrap()
                .post(sandbox.token_url())
                .form(&[("grant_type", "client_credentials")])
                .send()
        });
        wait_until("the hang has taken its fault", || {
            sandbox.pending_faults().is_empty()
        });
        let (status, _) = token(&sandbox, &[("grant_type", "client_credentials")]);
        assert_eq!(status, 200, "other requests are served during a hang");
        hanging.join().unwrap()
    });
    let error = hung.expect_err("the hanging request must time out on the client side");
    assert!(error.is_timeout(), "{error}");

    // Stopping must not wait for the hour-long hang still holding a request.
    let (stopped, on_stop) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        drop(sandbox);
        let _ = stopped.send(());
    });
    assert!(
        on_stop.recv_timeout(Duration::from_secs(30)).is_ok(),
        "dropping the sandbox waited for the hang"
    );
}

#[test]
fn oversized_bodies_are_refused_with_413() {
    let sandbox = start_default();
    let response = http()
        .post(sandbox.token_url())
        .body(vec![b'a'; 2 * 1024 * 1024])
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    assert_eq!(
        sandbox.stats().token_total("missing"),
        0,
        "never reached /token"
    );
}

#[test]
fn faults_expiry_and_revocation_are_driven_over_http_too() {
    let sandbox = start_default();
    let (status, body) = post_fault(&sandbox, json!({"fault": "server_error", "count": 2}));
    assert_eq!(status, 200);
    assert_eq!(
        body["pending"],
        json!([{"fault": "server_error", "count": 2}])
    );
    assert_eq!(
        sandbox.pending_faults(),
        vec![PendingFault {
            fault: TokenFault::ServerError,
            count: 2
        }]
    );
    assert_eq!(
        token(&sandbox, &[("grant_type", "client_credentials")]).0,
        500
    );
    let cleared = json_of(
        http()
            .delete(format!("{}/_sandbox/faults", sandbox.base_url()))
            .send()
            .unwrap(),
    );
    assert_eq!(cleared.1["pending"], json!([]));
    assert_eq!(
        token(&sandbox, &[("grant_type", "client_credentials")]).0,
        200
    );

    let (access, refresh_token) = password_tokens(&sandbox);
    let (_, expired) = post_fault(&sandbox, json!({"fault": "expire_token", "token": access}));
    assert_eq!(expired["expired"], true);
    assert_eq!(
        rest_query(&sandbox, &access, "SELECT Id FROM Account").0,
        401
    );
    let (_, unknown) = post_fault(&sandbox, json!({"fault": "expire_token", "token": "nope"}));
    assert_eq!(unknown["expired"], false);

    assert_eq!(
        post_fault(&sandbox, json!({"fault": "revoke_refresh_tokens"})).0,
        200
    );
    assert_oauth_error(&refresh(&sandbox, &refresh_token), 400, "invalid_grant");
    assert_eq!(post_fault(&sandbox, json!({"fault": "nap"})).0, 400);
    assert_eq!(
        post_fault(&sandbox, json!({"fault": "expire_token"})).0,
        400
    );
}

#[test]
fn revoke_all_refresh_tokens_and_expire_from_rust() {
    let sandbox = start_default();
    let (access, first) = password_tokens(&sandbox);
    let (_, second) = password_tokens(&sandbox);
    sandbox.revoke_all_refresh_tokens();
    for refresh_token in [&first, &second] {
        assert_oauth_error(&refresh(&sandbox, refresh_token), 400, "invalid_grant");
    }
    assert!(sandbox.expire_access_token(&access));
    assert!(!sandbox.expire_access_token("never-issued"));
    assert!(!introspect_active(&sandbox, &access));
}

#[test]
fn stats_over_http_equal_stats_from_rust() {
    let sandbox = start_default();
    let (access, refresh_token) = password_tokens(&sandbox);
    refresh(&sandbox, &refresh_token);
    refresh(&sandbox, &refresh_token);
    rest_query(&sandbox, &access, "SELECT Id FROM Account");
    sandbox.inject_fault(TokenFault::MalformedJson, 1);
    refresh(&sandbox, &refresh_token);

    let stats = http_stats(&sandbox);
    assert_eq!(stats, sandbox.stats());
    assert_eq!(stats.token_count("password", "ok"), 1);
    assert_eq!(stats.token_count("refresh_token", "ok"), 1);
    assert_eq!(stats.token_count("refresh_token", "invalid_grant"), 1);
    assert_eq!(
        stats.token_count("refresh_token", "fault_malformed_json"),
        1
    );
    assert_eq!(stats.token_total("refresh_token"), 3);
    assert_eq!(stats.api_count("salesforce_rest", "ok"), 1);
    let raw: Value = http()
        .get(format!("{}/_sandbox/stats", sandbox.base_url()))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(raw["tokenRequests"]["password"]["ok"], 1);
    assert_eq!(raw["apiCalls"]["salesforce_rest"]["ok"], 1);
}

// ---------------------------------------------------------------- instances, logging, secrecy

#[test]
fn many_sandboxes_run_in_parallel_without_sharing_anything() {
    let sandboxes: Vec<Sandbox> = std::thread::scope(|scope| {
        let starting: Vec<_> = (0..4).map(|_| scope.spawn(start_default)).collect();
        starting
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .collect()
    });
    let mut ports: Vec<u16> = sandboxes.iter().map(Sandbox::port).collect();
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports.len(), 4, "each sandbox has a port of its own");
    assert!(
        sandboxes
            .iter()
            .all(|sandbox| sandbox.base_url().starts_with("http://127.0.0.1:"))
    );

    let (access, _) = password_tokens(&sandboxes[0]);
    assert_eq!(
        rest_query(&sandboxes[0], &access, "SELECT Id FROM Account").0,
        200
    );
    assert_eq!(
        rest_query(&sandboxes[1], &access, "SELECT Id FROM Account").0,
        401
    );
    sandboxes[2].inject_fault(TokenFault::ServerError, 1);
    assert_eq!(
        token(&sandboxes[3], &[("grant_type", "client_credentials")]).0,
        200
    );
    assert_eq!(
        token(&sandboxes[2], &[("grant_type", "client_credentials")]).0,
        500,
        "the fault went to the sandbox it was injected into"
    );
    assert_eq!(sandboxes[1].stats().token_total("password"), 0);
}

/// A refresh storm's shape: a thousand calls at once, each on a connection of
/// its own. Every one gets its answer (none is left waiting for the client's
/// timeout) and the sandbox counts each once.
#[test]
fn a_thousand_concurrent_calls_are_all_answered() {
    const CALLS: usize = 1000;
    let sandbox = start_default();
    let (access, _) = password_tokens(&sandbox);
    let url = sandbox.rest_query_url();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let outcomes: Vec<Result<u16, String>> = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let calls: Vec<_> = (0..CALLS)
            .map(|_| {
                let call = client
                    .get(&url)
                    .query(&[("q", "SELECT Id FROM Account")])
                    .bearer_auth(&access);
                tokio::spawn(async move {
                    call.send()
                        .await
                        .map(|response| response.status().as_u16())
                        .map_err(|error| format!("{error:?}"))
                })
            })
            .collect();
        let mut outcomes = Vec::with_capacity(CALLS);
        for call in calls {
            outcomes.push(call.await.unwrap());
        }
        outcomes
    });
    let failed: Vec<_> = outcomes
        .iter()
        .filter(|outcome| **outcome != Ok(200))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {CALLS} calls were not answered 200, e.g. {:?}",
        failed.len(),
        failed[0]
    );
    assert_eq!(
        sandbox.stats().api_count("salesforce_rest", "ok"),
        CALLS as u64
    );
}

#[test]
fn a_port_in_use_is_a_clear_start_error_and_a_dropped_sandbox_frees_its_port() {
    let first = start_default();
    let port = first.port();
    let error = Sandbox::start(SandboxConfig {
        port,
        ..SandboxConfig::default()
    })
    .unwrap_err();
    assert_eq!(error.kind(), callout_core::ErrorKind::SandboxStart);
    assert!(
        error.to_string().contains(&format!("127.0.0.1:{port}")),
        "{error}"
    );
    let base_url = first.base_url();
    drop(first);
    assert!(
        http().get(&base_url).send().is_err(),
        "nothing listens after drop"
    );
}

#[test]
fn every_request_is_logged_once_without_tokens() {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    let sandbox = start(SandboxConfig {
        log: Some(RequestLog::new(move |line| {
            sink.lock().unwrap().push(line.clone())
        })),
        ..SandboxConfig::default()
    });
    // Every place a token travels: a token response, a refresh token in a
    // form body, an access token in a Bearer header, in a SOAP session
    // header and in a query string.
    let (access, refresh_token) = password_tokens(&sandbox);
    let (status, renewed) = refresh(&sandbox, &refresh_token);
    assert_eq!(status, 200, "{renewed}");
    let renewed_access = renewed["access_token"].as_str().unwrap().to_string();
    let renewed_refresh = renewed["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(
        rest_query(&sandbox, &renewed_access, "SELECT Id FROM Account").0,
        200
    );
    let (status, _) = soap(
        &sandbox,
        soap_envelope(Some(&renewed_access), "SELECT Id FROM Account"),
    );
    assert_eq!(status, 200);
    let in_query = http()
        .get(sandbox.rest_query_url())
        .query(&[("q", "SELECT Id FROM Account"), ("access_token", &access)])
        .send()
        .unwrap();
    assert_eq!(in_query.status().as_u16(), 401);

    let logged = lines.lock().unwrap().clone();
    let shown: Vec<String> = logged.iter().map(ToString::to_string).collect();
    let everything = format!("{shown:?} {logged:?}");
    for (what, secret) in [
        ("the first access token", access.as_str()),
        ("the first refresh token", refresh_token.as_str()),
        ("the renewed access token", renewed_access.as_str()),
        ("the renewed refresh token", renewed_refresh.as_str()),
        ("the client secret", sandbox.client_secret()),
        ("the user's password", sandbox.config().password.as_str()),
    ] {
        assert!(
            !everything.contains(secret),
            "the log shows {what}: {everything}"
        );
    }
    assert_eq!(
        shown,
        [
            "POST /token -> 200 ok",
            "POST /token -> 200 ok",
            "GET /services/data/v59.0/query -> 200 ok",
            "POST /services/Soap/u/59.0 -> 200 ok",
            "GET /services/data/v59.0/query -> 401 invalid_session",
        ]
    );
}

#[test]
fn debug_output_never_shows_tokens_or_secrets() {
    let sandbox = start_default();
    let issued = sandbox.issue_tokens("api");
    let printed = format!("{issued:?} {sandbox:?}");
    assert!(!printed.contains(issued.access_token.expose()));
    assert!(!printed.contains(issued.refresh_token.as_ref().unwrap().expose()));
    assert!(!printed.contains(sandbox.client_secret()));
}

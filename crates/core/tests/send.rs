//! The send pipeline end to end over real loopback sockets: render → send →
//! verdict → refresh → re-render → retry once, with every attempt recorded.

use std::io::Write;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use callout_core::credential::{Credential, CredentialSecrets, CredentialSet};
use callout_core::detect::Verdict;
use callout_core::send::{
    Attempt, Call, Draft, Outcome, RefreshFuture, Refresher, Sender, Timeouts,
};
use callout_core::{Error, ErrorKind};
use flate2::Compression;
use flate2::write::GzEncoder;

/// A request as the test server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type", content_type.to_string())],
            body: body.into(),
        }
    }
}

/// A tiny_http server on 127.0.0.1:0 answering with `handler`, recording
/// every request it saw. Stops when dropped.
struct TestServer {
    server: Arc<tiny_http::Server>,
    seen: Arc<Mutex<Vec<Seen>>>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    fn start(handler: impl Fn(&Seen) -> Reply + Send + 'static) -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let server = Arc::clone(&server);
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut body = String::new();
                    request.as_reader().read_to_string(&mut body).unwrap();
                    let request_seen = Seen {
                        method: request.method().to_string(),
                        url: request.url().to_string(),
                        headers: request
                            .headers()
                            .iter()
                            .map(|h| (h.field.to_string(), h.value.to_string()))
                            .collect(),
                        body,
                    };
                    let reply = handler(&request_seen);
                    seen.lock().unwrap().push(request_seen);
                    let mut response =
                        tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
                    for (name, value) in reply.headers {
                        response.add_header(
                            tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
                                .unwrap(),
                        );
                    }
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

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Hands out a fixed token (or fails), counting calls.
struct TestRefresher {
    token: Option<&'static str>,
    calls: AtomicUsize,
}

impl TestRefresher {
    fn giving(token: &'static str) -> Self {
        Self {
            token: Some(token),
            calls: AtomicUsize::new(0),
        }
    }

    fn failing() -> Self {
        Self {
            token: None,
            calls: AtomicUsize::new(0),
        }
    }
}

impl Refresher for TestRefresher {
    fn refresh<'a>(
        &'a self,
        credential: &'a Credential,
        _: &'a Verdict,
        _: &'a CredentialSecrets,
    ) -> RefreshFuture<'a> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            match self.token {
                Some(token) => Ok(CredentialSecrets::with_token(token).into()),
                None => Err(Error::Refresh {
                    credential: credential.name.clone(),
                    detail: "the token endpoint answered invalid_grant".into(),
                }),
            }
        })
    }
}

const DEAD: &str = "00Dxx-dead-session-token-0001";
const FRESH: &str = "00Dxx-fresh-session-token-0002";

const SOAP_FAULT: &str = r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;
const SOAP_OK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com"><soapenv:Body><queryResponse><result><size>0</size></result></queryResponse></soapenv:Body></soapenv:Envelope>"#;

/// A Salesforce-like SOAP endpoint: a 500 INVALID_SESSION_ID fault unless
/// the SessionHeader carries the fresh token.
fn soap_api() -> TestServer {
    TestServer::start(|seen| {
        if seen
            .body
            .contains(&format!("<urn:sessionId>{FRESH}</urn:sessionId>"))
        {
            Reply::new(200, "text/xml; charset=utf-8", SOAP_OK)
        } else {
            Reply::new(500, "text/xml; charset=utf-8", SOAP_FAULT)
        }
    })
}

fn credential(base: &str) -> Credential {
    let mut credential = Credential::new("Sales_API", base);
    credential.salesforce.allow_merge_fields_in_body = true;
    credential
}

fn soap_draft() -> Draft {
    Draft::new("POST", "callout:Sales_API/services/Soap/u/62.0")
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("SOAPAction", "query")
        .body(
            "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
             xmlns:urn=\"urn:partner.soap.sforce.com\"><soapenv:Header><urn:SessionHeader>\
             <urn:sessionId>{!$Credential.OAuthToken}</urn:sessionId></urn:SessionHeader>\
             </soapenv:Header><soapenv:Body><urn:query><urn:queryString>SELECT Id FROM Account\
             </urn:queryString></urn:query></soapenv:Body></soapenv:Envelope>",
        )
}

fn sender() -> Sender {
    Sender::new(Timeouts::default()).unwrap()
}

/// Sends the SOAP query to `api` as credential Sales_API with the dead token.
async fn send_soap_with_dead_token(api: &TestServer, refresher: Option<&dyn Refresher>) -> Outcome {
    let credentials = CredentialSet::new(vec![credential(&api.base_url())]).unwrap();
    sender()
        .send(
            &Call::resolve(&soap_draft(), &credentials).unwrap(),
            &CredentialSecrets::with_token(DEAD),
            refresher,
        )
        .await
        .unwrap()
}

/// The attempts as JSON with what varies from run to run (the port, how long
/// each exchange took) replaced.
fn without_port(text: &str, base: &str) -> String {
    let durations = regex::Regex::new(r#""(durationMs|elapsedMs)": \d+"#).unwrap();
    let dates = regex::Regex::new(r#"("name": "date",\s*"value": )"[^"]*""#).unwrap();
    let text = text.replace(base, "http://127.0.0.1:PORT");
    let text = durations.replace_all(&text, r#""$1": "(varies)""#);
    dates.replace_all(&text, r#"$1"(varies)""#).into_owned()
}

#[tokio::test]
async fn an_expired_soap_session_is_refreshed_and_retried_once() {
    let api = soap_api();
    let refresher = TestRefresher::giving(FRESH);
    let outcome = send_soap_with_dead_token(&api, Some(&refresher)).await;

    assert_eq!(outcome.response.status, 200);
    assert!(!outcome.verdict.expired);
    assert_eq!(refresher.calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        outcome
            .refreshed
            .as_ref()
            .unwrap()
            .access_token
            .as_ref()
            .unwrap()
            .expose(),
        FRESH
    );

    let seen = api.seen();
    assert_eq!(seen.len(), 2);
    assert!(
        seen.iter()
            .all(|s| s.method == "POST" && s.url == "/services/Soap/u/62.0")
    );
    assert!(seen[0].body.contains(DEAD));
    assert_eq!(
        seen[0].header("Authorization"),
        Some(&*format!("Bearer {DEAD}"))
    );
    assert!(seen[1].body.contains(FRESH));
    assert_eq!(
        seen[1].header("Authorization"),
        Some(&*format!("Bearer {FRESH}"))
    );

    match &outcome.attempts[..] {
        [
            Attempt::Sent {
                number: 1,
                status: 500,
                verdict: first,
                response: first_response,
                ..
            },
            Attempt::Refreshed {
                credential,
                trigger,
                already_refreshed: false,
                not_stored: None,
            },
            Attempt::Sent {
                number: 2,
                status: 200,
                verdict: second,
                response: second_response,
                ..
            },
        ] => {
            assert!(first.expired);
            // The refused attempt keeps its own response (the fault), so it
            // can be opened after the retry succeeded.
            assert!(
                first_response.body.text().contains("INVALID_SESSION_ID"),
                "{first_response:?}"
            );
            assert_eq!(second_response.status, 200);
            assert_eq!(first.rule.as_deref(), Some("soap.invalid_session"));
            assert!(!first.salesforce.would_refresh);
            assert_eq!(credential, "Sales_API");
            assert_eq!(trigger.as_deref(), Some("soap.invalid_session"));
            assert!(!second.expired);
        }
        other => panic!("unexpected attempts: {other:#?}"),
    }

    // What the timeline records never holds a token.
    let attempts = serde_json::to_string_pretty(&outcome.attempts).unwrap();
    assert!(
        !attempts.contains(DEAD) && !attempts.contains(FRESH),
        "{attempts}"
    );
    insta::assert_snapshot!(
        "soap_refresh_attempts",
        without_port(&attempts, &api.base_url())
    );
}

#[tokio::test]
async fn a_second_expiry_is_not_retried_again() {
    let api = TestServer::start(|_| {
        Reply::new(
            401,
            "application/json",
            r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#,
        )
    });
    let credentials = CredentialSet::new(vec![credential(&api.base_url())]).unwrap();
    let refresher = TestRefresher::giving(FRESH);
    let outcome = sender()
        .send(
            &Call::resolve(
                &Draft::new("GET", "callout:Sales_API/services/data/v62.0/limits"),
                &credentials,
            )
            .unwrap(),
            &CredentialSecrets::with_token(DEAD),
            Some(&refresher),
        )
        .await
        .unwrap();
    assert_eq!(api.seen().len(), 2, "one request and exactly one retry");
    assert_eq!(refresher.calls.load(Ordering::SeqCst), 1);
    assert_eq!(outcome.attempts.len(), 3);
    assert!(outcome.verdict.expired);
    assert_eq!(
        outcome.verdict.rule.as_deref(),
        Some("salesforce.rest.invalid_session")
    );
    assert!(outcome.verdict.salesforce.would_refresh);
}

#[tokio::test]
async fn a_failed_refresh_is_recorded_and_not_retried() {
    let api = soap_api();
    let refresher = TestRefresher::failing();
    let outcome = send_soap_with_dead_token(&api, Some(&refresher)).await;
    assert_eq!(api.seen().len(), 1);
    assert_eq!(outcome.response.status, 500);
    assert!(outcome.refreshed.is_none());
    match &outcome.attempts[..] {
        [Attempt::Sent { .. }, Attempt::RefreshFailed { error, .. }] => {
            assert_eq!(error.kind, ErrorKind::Refresh);
            assert_eq!(
                error.message,
                "refreshing credential \"Sales_API\" failed: the token endpoint answered \
                 invalid_grant"
            );
        }
        other => panic!("unexpected attempts: {other:#?}"),
    }
}

#[tokio::test]
async fn without_a_refresher_the_expiry_is_reported() {
    let api = soap_api();
    let outcome = send_soap_with_dead_token(&api, None).await;
    assert_eq!(api.seen().len(), 1);
    match &outcome.attempts[..] {
        [Attempt::Sent { .. }, Attempt::RefreshSkipped { reason }] => assert_eq!(
            reason,
            "no refresher is available for credential \"Sales_API\""
        ),
        other => panic!("unexpected attempts: {other:#?}"),
    }
}

#[tokio::test]
async fn plain_urls_are_sent_as_written() {
    let api = TestServer::start(|_| Reply::new(200, "application/json", r#"{"ok":true}"#));
    let draft = Draft::new("PATCH", format!("{}/things/1?x=1", api.base_url()))
        .header("X-Trace", "abc")
        .body("{\"name\":\"n\"}");
    let outcome = sender()
        .send(
            &Call::resolve(&draft, &CredentialSet::default()).unwrap(),
            &CredentialSecrets::default(),
            None,
        )
        .await
        .unwrap();
    let seen = api.seen();
    assert_eq!(seen[0].method, "PATCH");
    assert_eq!(seen[0].url, "/things/1?x=1");
    assert_eq!(seen[0].header("X-Trace"), Some("abc"));
    assert_eq!(seen[0].header("Authorization"), None);
    assert_eq!(seen[0].body, "{\"name\":\"n\"}");
    assert_eq!(outcome.response.body.text(), r#"{"ok":true}"#);
    assert_eq!(outcome.attempts.len(), 1);
}

#[tokio::test]
async fn compressed_and_large_responses_are_read() {
    let fault = SOAP_FAULT.as_bytes().to_vec();
    let api = TestServer::start(move |seen| {
        if seen.url == "/gzip" {
            let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
            encoder.write_all(&fault).unwrap();
            let mut reply = Reply::new(500, "text/xml", encoder.finish().unwrap());
            reply.headers.push(("Content-Encoding", "gzip".into()));
            reply
        } else if seen.url == "/br" {
            // Only when the request said it takes brotli, as a server would.
            assert!(
                seen.header("Accept-Encoding")
                    .is_some_and(|accepted| accepted.contains("br")),
                "the client offers br: {:?}",
                seen.header("Accept-Encoding")
            );
            let mut body = Vec::new();
            let mut encoder = brotli::CompressorWriter::new(&mut body, 4096, 5, 22);
            encoder.write_all(&fault).unwrap();
            drop(encoder);
            let mut reply = Reply::new(500, "text/xml", body);
            reply.headers.push(("Content-Encoding", "br".into()));
            reply
        } else {
            let records = "<records><Name>INVALID_SESSION_ID</Name></records>".repeat(100_000);
            Reply::new(200, "text/xml", format!("<result>{records}</result>"))
        }
    });
    let sender = sender();
    let fetch = |path: &'static str| {
        let (sender, draft) = (
            sender.clone(),
            Draft::new("GET", format!("{}{path}", api.base_url())),
        );
        async move {
            let none = CredentialSet::default();
            let call = Call::resolve(&draft, &none).unwrap();
            sender
                .send(&call, &CredentialSecrets::default(), None)
                .await
                .unwrap()
        }
    };
    for coded in ["/gzip", "/br"] {
        let outcome = fetch(coded).await;
        assert_eq!(
            outcome.verdict.rule.as_deref(),
            Some("soap.invalid_session"),
            "the {coded} body is decoded and read"
        );
        assert!(outcome.response.body.text().starts_with("<?xml"));
    }

    let outcome = fetch("/large").await;
    assert!(outcome.response.body.bytes().len() > 5_000_000);
    assert!(!outcome.response.truncated);
    assert!(!outcome.verdict.expired);
}

#[tokio::test]
async fn an_unrenderable_draft_sends_nothing() {
    let api = soap_api();
    let credentials = CredentialSet::new(vec![credential(&api.base_url())]).unwrap();
    let draft = Draft::new("POST", "callout:Sales_API/x").body("{!$Credential.Token}");
    let error = sender()
        .send(
            &Call::resolve(&draft, &credentials).unwrap(),
            &CredentialSecrets::with_token(DEAD),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::UnknownMergeField {
                line: 1,
                column: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(api.seen().is_empty());
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/x");
    let error = sender()
        .send(
            &Call::resolve(&Draft::new("GET", url.clone()), &CredentialSet::default()).unwrap(),
            &CredentialSecrets::default(),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport);
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("could not reach {url}: could not connect")),
        "{message}"
    );
}

#[tokio::test]
async fn a_silent_server_times_out() {
    // Accepted by the kernel's backlog, never answered.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/slow", listener.local_addr().unwrap());
    let sender = Sender::new(Timeouts {
        connect: Duration::from_secs(5),
        total: Duration::from_millis(300),
    })
    .unwrap();
    let error = sender
        .send(
            &Call::resolve(&Draft::new("GET", url.clone()), &CredentialSet::default()).unwrap(),
            &CredentialSecrets::default(),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("could not reach {url}: no response before the timeout")
    );
    drop(listener);
}

#[tokio::test]
async fn bad_headers_and_methods_are_named() {
    let credentials = CredentialSet::default();
    let secrets = CredentialSecrets::default();
    let sender = sender();
    let bad_name = Draft::new("GET", "http://127.0.0.1:9/x").header("Bad Name", "v");
    assert_eq!(
        sender
            .send(
                &Call::resolve(&bad_name, &credentials).unwrap(),
                &secrets,
                None
            )
            .await
            .unwrap_err()
            .to_string(),
        "invalid header \"Bad Name\": it is not a valid header name"
    );
    let bad_method = Draft::new("GE T", "http://127.0.0.1:9/x");
    assert_eq!(
        sender
            .send(
                &Call::resolve(&bad_method, &credentials).unwrap(),
                &secrets,
                None
            )
            .await
            .unwrap_err()
            .to_string(),
        "invalid HTTP method \"GE T\": use a method such as GET, POST, PUT, PATCH or DELETE"
    );
}

/// A server that holds every request it reads unanswered until `release`
/// is set, then answers those and every later one, until it has answered
/// `total`. `held` is how many it holds right now; the thread returns the
/// most it ever held at once.
struct HoldingServer {
    held: Arc<AtomicUsize>,
    release: Arc<std::sync::atomic::AtomicBool>,
    thread: JoinHandle<usize>,
}

impl HoldingServer {
    fn start(listener: TcpListener, total: usize) -> Self {
        use std::io::{BufRead, BufReader};
        let held_now = Arc::new(AtomicUsize::new(0));
        let release = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (count, released) = (Arc::clone(&held_now), Arc::clone(&release));
        listener.set_nonblocking(true).unwrap();
        let thread = std::thread::spawn(move || {
            let (mut held, mut answered, mut most) = (Vec::new(), 0, 0);
            while answered < total {
                match listener.accept() {
                    Ok((stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        let mut reader = BufReader::new(stream.try_clone().unwrap());
                        let mut line = String::new();
                        while reader.read_line(&mut line).unwrap() > 2 {
                            line.clear();
                        }
                        held.push(stream);
                        most = most.max(held.len());
                        count.store(held.len(), Ordering::SeqCst);
                    }
                    Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(error) => panic!("accept failed: {error}"),
                }
                if released.load(Ordering::SeqCst) {
                    for mut stream in held.drain(..) {
                        stream
                            .write_all(
                                b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                            )
                            .unwrap();
                        answered += 1;
                    }
                    count.store(0, Ordering::SeqCst);
                }
            }
            most
        });
        Self {
            held: held_now,
            release,
            thread,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_reaches_one_origin_at_most_32_requests_at_a_time() {
    const CALLS: usize = 40;
    let limit = callout_core::send::MAX_IN_FLIGHT_PER_ORIGIN;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/burst", listener.local_addr().unwrap());
    let server = HoldingServer::start(listener, CALLS);
    let sender = Sender::new(Timeouts::default()).unwrap();
    let credentials = CredentialSet::new(Vec::new()).unwrap();
    let calls: Vec<_> = (0..CALLS)
        .map(|_| {
            let (sender, credentials, url) = (sender.clone(), credentials.clone(), url.clone());
            tokio::spawn(async move {
                let draft = Draft::new("GET", url);
                sender
                    .send(
                        &Call::resolve(&draft, &credentials).unwrap(),
                        &CredentialSecrets::default(),
                        None,
                    )
                    .await
                    .map(|outcome| outcome.response.status)
            })
        })
        .collect();

    // Every call is accounted for once it is either held by the server or
    // waiting at the sender's gate: none can still be on its way, so what
    // the server holds then is all that was let through. (Held is read
    // first: a call leaves the gate before it reaches the server, so it is
    // never counted twice.)
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let (held, waiting) = loop {
        let held = server.held.load(Ordering::SeqCst);
        let waiting = sender.calls_waiting_for_a_turn();
        if held + waiting == CALLS {
            break (held, waiting);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not every call arrived or waits: {held} held, {waiting} waiting"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert_eq!(held, limit, "requests the server held at once");
    assert_eq!(waiting, CALLS - limit, "calls waiting for a turn");

    server.release.store(true, Ordering::SeqCst);
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), 200);
    }
    assert_eq!(
        server.thread.join().unwrap(),
        limit,
        "the most requests the server ever held at once"
    );
    assert_eq!(sender.calls_waiting_for_a_turn(), 0);
}

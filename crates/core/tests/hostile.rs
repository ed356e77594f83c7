//! Hostile responses: entity-expansion bombs, absurd nesting, invalid
//! UTF-8, huge bodies and header floods over a real loopback socket. Each is
//! answered with a bounded verdict (or error) that says what was not read —
//! never a hang, a crash, or memory that grows with the attacker's input.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread::{self, JoinHandle};

use callout_core::credential::{CredentialSecrets, CredentialSet};
use callout_core::detect::Detector;
use callout_core::send::{Call, Draft, MAX_RESPONSE_BYTES, Outcome, Sender, Timeouts};
use callout_core::{Error, Result};

const ENVELOPE_OPEN: &str =
    r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>"#;

#[test]
fn an_entity_expansion_bomb_is_not_expanded_and_the_verdict_says_so() {
    let laughs = format!(
        r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
{ENVELOPE_OPEN}<soapenv:Fault><faultcode>&lol9;</faultcode><faultstring>&lol9;</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#
    );
    let verdict = Detector::default().verdict(500, &[], laughs.as_bytes());
    assert!(!verdict.expired);
    assert!(
        verdict
            .reason
            .ends_with("the XML body uses the entity &lol9; which is not expanded (entities a document declares itself are never expanded, so an entity-expansion bomb stays small)."),
        "{}",
        verdict.reason
    );
}

#[test]
fn absurd_nesting_stops_early_with_a_note() {
    let json = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    let verdict = Detector::default().verdict(401, &[], json.as_bytes());
    assert_eq!(verdict.rule.as_deref(), Some("http.401"));
    assert!(
        verdict
            .reason
            .contains("the JSON body could not be parsed (recursion limit exceeded"),
        "{}",
        verdict.reason
    );
    let xml = format!("{}{}", "<a>".repeat(200_000), "</a>".repeat(200_000));
    let verdict = Detector::default().verdict(500, &[], xml.as_bytes());
    assert!(
        verdict
            .reason
            .contains("the XML body nests deeper than 256 elements"),
        "{}",
        verdict.reason
    );
}

#[test]
fn invalid_utf8_does_not_hide_a_session_fault() {
    let mut body = format!(
        "{ENVELOPE_OPEN}<soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>"
    )
    .into_bytes();
    body.extend_from_slice(&[0xff, 0xfe, 0x80]);
    body.extend_from_slice(b"</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>");
    let verdict = Detector::default().verdict(500, &[], &body);
    assert_eq!(verdict.rule.as_deref(), Some("soap.invalid_session"));
    assert!(
        verdict.reason.contains("not valid UTF-8"),
        "{}",
        verdict.reason
    );
}

/// A one-shot HTTP server on a loopback port that answers the first request
/// with `head` (status line and headers) and then `body_len` bytes made by
/// `body_byte`.
fn serve_once(head: String, body: Vec<u8>, repeat: usize) -> (String, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hostile", listener.local_addr().unwrap());
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request);
        // The client may hang up once it has read enough: that is the point.
        let _ = stream.write_all(head.as_bytes());
        for _ in 0..repeat {
            if stream.write_all(&body).is_err() {
                break;
            }
        }
    });
    (url, server)
}

fn send(url: &str) -> Result<Outcome> {
    let sender = Sender::new(Timeouts::default()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(sender.send(
        &Call::resolve(&Draft::new("GET", url), &CredentialSet::default()).unwrap(),
        &CredentialSecrets::default(),
        None,
    ))
}

#[test]
fn a_100_mb_response_is_cut_at_the_limit_and_judged_on_what_was_kept() {
    let chunk = "<sf:r>INVALID_SESSION_ID mention</sf:r>"
        .repeat(1_000)
        .into_bytes();
    let repeat = 100 * 1024 * 1024 / chunk.len() + 1;
    let total = chunk.len() * repeat + ENVELOPE_OPEN.len();
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {total}\r\n\r\n{ENVELOPE_OPEN}"
    );
    let (url, server) = serve_once(head, chunk, repeat);
    let outcome = send(&url).unwrap();
    server.join().unwrap();
    assert!(outcome.response.truncated);
    assert_eq!(outcome.response.body.bytes().len(), MAX_RESPONSE_BYTES);
    assert!(!outcome.verdict.expired, "{}", outcome.verdict.reason);
    assert!(
        outcome.verdict.reason.contains("16 MiB"),
        "the verdict should say it read only part of the body: {}",
        outcome.verdict.reason
    );
}

#[test]
fn a_header_flood_is_refused_with_a_clear_error() {
    let mut head = String::from("HTTP/1.1 200 OK\r\n");
    for n in 0..10_000 {
        head.push_str(&format!("X-Flood-{n}: {}\r\n", "v".repeat(64)));
    }
    head.push_str("Content-Length: 0\r\n\r\n");
    let (url, server) = serve_once(head, Vec::new(), 0);
    let error = send(&url).unwrap_err();
    server.join().unwrap();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("could not reach {url}")),
        "{message}"
    );
    assert!(message.contains("message head is too large"), "{message}");
}

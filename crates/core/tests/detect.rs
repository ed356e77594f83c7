//! Expiry verdicts on the responses real services send (fixtures under
//! `fixtures/verdicts/`, one raw HTTP response per file), on compressed,
//! huge and broken bodies, and on random input.

use std::io::Write;
use std::path::Path;

use callout_core::credential::{Credential, ExpiryRule};
use callout_core::detect::catalog::Sample;
use callout_core::detect::{Detector, Verdict};
use callout_core::send::Header;
use flate2::Compression;
use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
use proptest::prelude::*;

/// A raw HTTP response: status line, headers, blank line, body.
fn read_fixture(path: &Path) -> (u16, Vec<Header>, Vec<u8>) {
    let text = std::fs::read_to_string(path).unwrap();
    let sample = Sample::parse_recorded(&text).unwrap();
    (sample.status, sample.headers, sample.body.into_bytes())
}

fn fixture(name: &str) -> Verdict {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/verdicts")
        .join(format!("{name}.http"));
    let (status, headers, body) = read_fixture(&path);
    Detector::default().verdict(status, &headers, &body)
}

/// `reason` with the JSON parser's own description of a body it could not
/// parse (the parenthesis after our words, however many it nests) replaced
/// by a placeholder.
fn without_parser_words(reason: &str) -> String {
    const OURS: &str = "the JSON body could not be parsed (";
    let Some(at) = reason.find(OURS) else {
        return reason.to_string();
    };
    let words = at + OURS.len();
    let mut depth = 1;
    for (offset, c) in reason[words..].char_indices() {
        depth += match c {
            '(' => 1,
            ')' => -1,
            _ => 0,
        };
        if depth == 0 {
            let end = words + offset;
            return format!("{}[the parser's words]{}", &reason[..words], &reason[end..]);
        }
    }
    panic!("the parser's words are never closed: {reason}");
}

#[test]
fn verdict_sentences_for_every_fixture() {
    insta::glob!("fixtures/verdicts/*.http", |path| {
        let (status, headers, body) = read_fixture(path);
        let mut verdict = Detector::default().verdict(status, &headers, &body);
        // The snapshot holds our words: what serde_json says about a body
        // it cannot parse is its own, and may change with any upgrade.
        verdict.reason = without_parser_words(&verdict.reason);
        insta::assert_json_snapshot!(verdict);
    });
}

/// What each fixture must conclude, independent of the sentence wording.
#[test]
fn every_fixture_reaches_the_right_conclusion() {
    let expected: &[(&str, Option<&str>, bool)] = &[
        (
            "soap11_partner_invalid_session",
            Some("soap.invalid_session"),
            false,
        ),
        (
            "soap11_enterprise_invalid_session",
            Some("soap.invalid_session"),
            false,
        ),
        (
            "soap11_exception_code_only",
            Some("soap.invalid_session"),
            false,
        ),
        (
            "soap11_default_namespace_fault",
            Some("soap.invalid_session"),
            false,
        ),
        (
            "soap12_invalid_session_subcode",
            Some("soap.invalid_session"),
            false,
        ),
        ("soap11_invalid_field_is_not_expiry", None, false),
        ("soap_200_mentions_invalid_session", None, false),
        (
            "soap11_session_fault_on_200",
            Some("soap.invalid_session"),
            false,
        ),
        (
            "soap12_session_subcode_on_200",
            Some("soap.invalid_session"),
            false,
        ),
        ("soap11_other_fault_on_200_is_not_expiry", None, false),
        (
            "salesforce_rest_invalid_session",
            Some("salesforce.rest.invalid_session"),
            true,
        ),
        (
            "salesforce_rest_invalid_session_xml",
            Some("salesforce.rest.invalid_session"),
            true,
        ),
        ("rest_200_mentions_invalid_session", None, false),
        (
            "wso2_refresh_message",
            Some("wso2.refresh_token_message"),
            true,
        ),
        ("rfc6750_invalid_token", Some("rfc6750.invalid_token"), true),
        ("rfc6750_bare_challenge", Some("http.401"), true),
        ("rfc6750_insufficient_scope", None, false),
        ("rfc6750_invalid_request", None, false),
        (
            "msgraph_invalid_authentication_token",
            Some("msgraph.invalid_authentication_token"),
            true,
        ),
        (
            "google_unauthenticated",
            Some("google.unauthenticated"),
            true,
        ),
        ("github_bad_credentials", Some("http.401"), true),
        ("github_403_missing_scope", None, false),
        ("aws_expired_token_json", Some("aws.expired_token"), false),
        ("aws_expired_token_xml", Some("aws.expired_token"), false),
        ("rate_limited_429", None, false),
        ("html_error_page_502", None, false),
        ("server_error_503_json", None, false),
        ("malformed_xml_500", None, false),
        ("invalid_json_401", Some("http.401"), true),
        ("ok_200", None, false),
        ("not_found_404", None, false),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/verdicts");
    assert_eq!(
        std::fs::read_dir(dir).unwrap().count(),
        expected.len(),
        "every fixture has an expected conclusion"
    );
    for (name, rule, salesforce_refreshes) in expected {
        let verdict = fixture(name);
        assert_eq!(verdict.rule.as_deref(), *rule, "{name}: {verdict:#?}");
        assert_eq!(verdict.expired, rule.is_some(), "{name}: {verdict:#?}");
        assert_eq!(
            verdict.salesforce.would_refresh, *salesforce_refreshes,
            "{name}: {verdict:#?}"
        );
        assert!(verdict.reason.ends_with('.'), "{name}: {}", verdict.reason);
    }
}

#[test]
fn the_salesforce_soap_sample_explains_both_sides() {
    let verdict = fixture("soap11_partner_invalid_session");
    assert_eq!(
        verdict.reason,
        "HTTP 500 carries a SOAP 1.1 fault with fault code sf:INVALID_SESSION_ID \
         ({urn:fault.partner.soap.sforce.com}INVALID_SESSION_ID): the session (access token) \
         expired or is invalid."
    );
    assert_eq!(
        verdict.salesforce.reason,
        "A Named Credential refreshes only on HTTP 401 and never on 5xx, so it would not have \
         refreshed on this HTTP 500 and the callout would have failed."
    );
}

fn compress(encoder: &str, data: &[u8]) -> Vec<u8> {
    match encoder {
        "gzip" => {
            let mut e = GzEncoder::new(Vec::new(), Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "deflate" => {
            let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "raw-deflate" => {
            let mut e = DeflateEncoder::new(Vec::new(), Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        other => panic!("no encoder {other}"),
    }
}

#[test]
fn compressed_bodies_are_read() {
    let (status, headers, body) = read_fixture(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/verdicts/soap11_partner_invalid_session.http"),
    );
    for (encoding, encoder) in [
        ("gzip", "gzip"),
        ("deflate", "deflate"),
        ("deflate", "raw-deflate"),
    ] {
        let mut headers = headers.clone();
        headers.push(Header::new("Content-Encoding", encoding));
        let verdict = Detector::default().verdict(status, &headers, &compress(encoder, &body));
        assert_eq!(
            verdict.rule.as_deref(),
            Some("soap.invalid_session"),
            "{encoder}: {verdict:#?}"
        );
    }
}

#[test]
fn a_corrupt_compressed_body_is_said_to_be_unreadable() {
    let headers = [
        Header::new("Content-Encoding", "gzip"),
        Header::new("Content-Type", "text/xml"),
    ];
    let verdict = Detector::default().verdict(500, &headers, b"\x1f\x8bnot really gzip");
    assert!(!verdict.expired);
    assert!(
        verdict.reason.starts_with(
            "HTTP 500 is a server error, not token expiry; the body is marked \
             Content-Encoding: gzip but could not be decompressed ("
        ),
        "{}",
        verdict.reason
    );
    assert!(
        verdict
            .reason
            .ends_with("), so the body was not fully examined."),
        "{}",
        verdict.reason
    );
}

#[test]
fn an_unknown_encoding_is_named() {
    let headers = [Header::new("Content-Encoding", "zstd")];
    let verdict = Detector::default().verdict(401, &headers, b"\x28\xb5\x2f\xfd");
    assert_eq!(verdict.rule.as_deref(), Some("http.401"));
    assert!(
        verdict
            .reason
            .contains("the body is encoded as \"zstd\", which cannot be decoded here"),
        "{}",
        verdict.reason
    );
}

#[test]
fn invalid_utf8_is_noted_but_not_fatal() {
    let verdict = Detector::default().verdict(
        401,
        &[],
        b"[{\"errorCode\":\"INVALID_SESSION_ID\",\"message\":\"\xff\xfe\"}]",
    );
    assert_eq!(
        verdict.rule.as_deref(),
        Some("salesforce.rest.invalid_session")
    );
    assert!(
        verdict.reason.contains("not valid UTF-8"),
        "{}",
        verdict.reason
    );
}

/// A multi-megabyte SOAP response: the fault after 8 MB of payload is still
/// found, and a multi-megabyte success is not mistaken for a fault.
#[test]
fn multi_megabyte_bodies_are_scanned() {
    let filler =
        "<sf:record><sf:Name>INVALID_SESSION_ID mention</sf:Name></sf:record>".repeat(120_000);
    let success = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:sobject.partner.soap.sforce.com"><soapenv:Body><queryResponse>{filler}</queryResponse></soapenv:Body></soapenv:Envelope>"#
    );
    assert!(success.len() > 8_000_000);
    let verdict = Detector::default().verdict(200, &[], success.as_bytes());
    assert!(!verdict.expired);

    let fault = format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Header>{filler}</soapenv:Header><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>expired</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#
    );
    let verdict = Detector::default().verdict(500, &[], fault.as_bytes());
    assert_eq!(verdict.rule.as_deref(), Some("soap.invalid_session"));

    let json = format!("{{\"error\":\"{}\"}}", "x".repeat(3_000_000));
    let verdict = Detector::default().verdict(401, &[], json.as_bytes());
    assert_eq!(verdict.rule.as_deref(), Some("http.401"));
    assert!(
        verdict
            .reason
            .contains("the JSON body is larger than 1024 KiB, so it was not parsed"),
        "{}",
        verdict.reason
    );
}

#[test]
fn custom_rules_and_additional_codes_come_from_the_credential() {
    let mut credential = Credential::new("Legacy_ERP", "https://erp.example");
    credential.expiry_rules.push(ExpiryRule {
        name: "erp-session".into(),
        statuses: vec![400],
        body_pattern: r"SESSION_(EXPIRED|TIMEOUT)".into(),
    });
    credential.salesforce.additional_refresh_status_codes = vec![400];
    let detector = Detector::for_credential(&credential).unwrap();

    let verdict = detector.verdict(400, &[], b"<error>SESSION_TIMEOUT</error>");
    assert_eq!(verdict.rule.as_deref(), Some("custom:erp-session"));
    assert_eq!(
        verdict.reason,
        "HTTP 400 matches custom rule \"erp-session\": the body matches \
         /SESSION_(EXPIRED|TIMEOUT)/."
    );
    assert!(verdict.salesforce.would_refresh);
    assert_eq!(
        verdict.salesforce.reason,
        "HTTP 400 is one of this credential's additional status codes for token refresh, so a \
         Named Credential refreshes and retries once."
    );

    // Wrong status: the rule does not apply.
    let verdict = detector.verdict(409, &[], b"<error>SESSION_TIMEOUT</error>");
    assert!(!verdict.expired);
    assert_eq!(
        verdict.salesforce.reason,
        "A Named Credential refreshes only on HTTP 401 or 400, so it would not refresh on HTTP 409."
    );
}

#[test]
fn verdicts_serialize_in_camel_case() {
    let json = serde_json::to_value(fixture("rfc6750_invalid_token")).unwrap();
    assert_eq!(json["expired"], true);
    assert_eq!(json["rule"], "rfc6750.invalid_token");
    assert_eq!(json["salesforce"]["wouldRefresh"], true);
    assert!(json["salesforce"]["reason"].is_string());
}

fn any_headers() -> impl Strategy<Value = Vec<Header>> {
    let name = prop_oneof![
        Just("Content-Type".to_string()),
        Just("Content-Encoding".to_string()),
        Just("WWW-Authenticate".to_string()),
        Just("x-amzn-ErrorType".to_string()),
        Just("Retry-After".to_string()),
        "[A-Za-z-]{1,12}",
    ];
    let value = prop_oneof![
        Just("gzip".to_string()),
        Just("deflate, gzip".to_string()),
        Just("text/xml; charset=iso-8859-1".to_string()),
        Just("Bearer error=\"invalid_token".to_string()),
        Just("Bearer ,=,\"\\".to_string()),
        ".{0,40}",
    ];
    proptest::collection::vec((name, value).prop_map(|(n, v)| Header::new(n, v)), 0..4)
}

fn any_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        // XML-ish soup built from the pieces the scanner cares about.
        proptest::collection::vec(
            prop_oneof![
                Just("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">"),
                Just("<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\">"),
                Just("<s:Body>"),
                Just("<s:Fault>"),
                Just("<env:Fault><env:Code><env:Value>"),
                Just("<env:Subcode><env:Value>"),
                Just("<faultcode>"),
                Just("</faultcode>"),
                Just("sf:INVALID_SESSION_ID"),
                Just("<exceptionCode>"),
                Just("&amp;&#x41;&#xFFFFFF;&bogus;"),
                Just("<![CDATA[x]]>"),
                Just("</s:Fault></s:Body>"),
                Just("<Errors><Error><errorCode>"),
                Just("\u{feff}<?xml version=\"1.0\"?>"),
                Just("<"),
                Just(">"),
                Just("\""),
            ],
            0..40,
        )
        .prop_map(|pieces| pieces.concat().into_bytes()),
        // JSON-ish soup.
        proptest::collection::vec(
            prop_oneof![
                Just("{"),
                Just("}"),
                Just("["),
                Just("]"),
                Just("\"errorCode\":"),
                Just("\"INVALID_SESSION_ID\""),
                Just("\"error\":"),
                Just("\"code\":"),
                Just("\"status\":\"UNAUTHENTICATED\""),
                Just("\"__type\":\"#ExpiredToken\""),
                Just("\"message\":\"please refresh your access token\""),
                Just(","),
                Just("1e999"),
            ],
            0..30,
        )
        .prop_map(|pieces| pieces.concat().into_bytes()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever comes back, the detector answers with one sentence and never
    /// panics; a success is never expiry.
    #[test]
    fn the_detector_never_panics(status in 100u16..1000, headers in any_headers(), body in any_body()) {
        let verdict = Detector::default().verdict(status, &headers, &body);
        prop_assert!(verdict.reason.ends_with('.'));
        prop_assert!(!verdict.salesforce.reason.is_empty());
        if status < 400 {
            prop_assert!(!verdict.expired);
        }
        prop_assert_eq!(verdict.expired, verdict.rule.is_some());
        if status == 401 {
            prop_assert!(verdict.salesforce.would_refresh);
            prop_assert!(verdict.expired);
        }
        if (500..600).contains(&status) {
            prop_assert!(!verdict.salesforce.would_refresh);
        }
    }
}

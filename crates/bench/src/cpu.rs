//! In-process figures: `detect_mb_s`, `detect_ratio`, `render_ratio`,
//! `timeline_query_ms`.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use callout_core::credential::CredentialSet;
use callout_core::detect::Detector;
use callout_core::merge;
use callout_core::send::{Call, Header};
use callout_core::timeline::{EventDetail, Query, RefreshOutcome, RefreshTrigger, Timeline};
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use serde_json::json;

use crate::fixtures;
use crate::report::{Figure, Pair, cpu_time_us, median, time_us};
use crate::{BenchError, Result};

/// The size of the detection benchmark's response (just under the 16 MiB
/// the detector examines, so the fault at the end is read).
pub const DETECT_BYTES: usize = 16_000_000;

/// Every event of a plain quick-xml scan, counted: the least any XML
/// verdict has to do.
fn bare_scan(bytes: &[u8]) -> Result<u64> {
    let mut reader = Reader::from_reader(bytes);
    let mut events = 0u64;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return Ok(events),
            Ok(_) => events += 1,
            Err(error) => {
                return Err(BenchError::Check {
                    what: format!("the bare scan failed on the fault response: {error}"),
                });
            }
        }
    }
}

/// `detect_mb_s` and `detect_ratio`.
pub fn detect(iterations: usize) -> Result<Vec<Figure>> {
    let body = fixtures::fault_response(DETECT_BYTES);
    let headers = vec![Header::new("Content-Type", "text/xml; charset=utf-8")];
    let detector = Detector::default();
    let verdict = detector.verdict(500, &headers, &body);
    if !verdict.expired || verdict.rule.as_deref() != Some("soap.invalid_session") {
        return Err(BenchError::Check {
            what: format!(
                "detect: the verdict on the 16 MB fault is not soap.invalid_session: {}",
                verdict.reason
            ),
        });
    }
    let events = bare_scan(&body)?;
    let mut pair = Pair::new("us of thread CPU time");
    for _ in 0..iterations {
        let (verdict_us, verdict) =
            cpu_time_us(|| detector.verdict(black_box(500), black_box(&headers), black_box(&body)));
        black_box(verdict);
        let (scan_us, scanned) = cpu_time_us(|| bare_scan(black_box(&body)));
        black_box(scanned?);
        pair.candidate.push(verdict_us);
        pair.baseline.push(scan_us);
    }
    let seconds = median(&pair.candidate) / 1e6;
    let mb_s = body.len() as f64 / 1e6 / seconds;
    let throughput = Figure::report(
        "detect_mb_s",
        mb_s,
        "MB/s",
        "Detector::verdict on a 16 MB SOAP 500 whose INVALID_SESSION_ID fault is at the end",
    )
    .with_extra(json!({ "bytes": body.len(), "medianUs": median(&pair.candidate) }));
    let ratio = Figure::ratio(
        "detect_ratio",
        &pair,
        1.5,
        "Detector::verdict on the 16 MB fault response",
        "a bare quick-xml Reader event scan of the same bytes",
    )
    .with_extra(json!({
        "bytes": body.len(),
        "xmlEvents": events,
        "candidateMedianUs": median(&pair.candidate),
        "baselineMedianUs": median(&pair.baseline),
    }));
    let catalog = catalog_cost(&detector, &headers, &body, iterations)?;
    Ok([vec![throughput, ratio], catalog].concat())
}

/// Small responses of the shapes the catalog knows, each from a host it
/// has rules for: (URL, status, content type, body).
const TYPICAL: [(&str, u16, &str, &str); 5] = [
    (
        "https://api.dropboxapi.com/2/files/list_folder",
        401,
        "application/json",
        r#"{"error_summary":"expired_access_token/..","error":{".tag":"expired_access_token"}}"#,
    ),
    (
        "https://slack.com/api/conversations.list",
        200,
        "application/json; charset=utf-8",
        r#"{"ok":true,"channels":[{"id":"C012AB3CD","name":"general","is_channel":true,"created":1449252889,"creator":"W012A3BCD","is_archived":false,"is_general":true,"topic":{"value":"Company-wide announcements","creator":"","last_set":0}},{"id":"C061EG9T2","name":"random","is_channel":true,"created":1449252889,"creator":"W012A3BCD","is_archived":false,"is_general":false,"topic":{"value":"Non-work banter","creator":"","last_set":0}}],"response_metadata":{"next_cursor":"dGVhbTpDMDYxRkE1UEI="}}"#,
    ),
    (
        "https://acme.my.salesforce.com/services/Soap/u/59.0",
        500,
        "text/xml; charset=utf-8",
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#,
    ),
    (
        "https://graph.facebook.com/v19.0/me",
        400,
        "application/json",
        r#"{"error":{"message":"Error validating access token: Session has expired on Tuesday, 10-Dec-24 15:00:00 PST.","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"A1b2C3"}}"#,
    ),
    (
        "https://api.example.com/v1/orders",
        200,
        "application/json",
        r#"{"orders":[{"id":1,"total":12.5},{"id":2,"total":7.25}],"next":null}"#,
    ),
];

/// One of [`TYPICAL`], with a detector for its host, with and without the
/// catalog.
struct Typical<'a> {
    with: Detector,
    without: Detector,
    status: u16,
    headers: Vec<Header>,
    body: &'a [u8],
}

/// `catalog_ratio` and `catalog_small_ratio`: what the built-in catalog
/// adds to a verdict, on the 16 MB fault and on small responses of the
/// shapes it knows, against the same detector without it.
fn catalog_cost(
    detector: &Detector,
    headers: &[Header],
    body: &[u8],
    iterations: usize,
) -> Result<Vec<Figure>> {
    let bare = detector.clone().without_catalog();
    let mut large = Pair::new("us of thread CPU time");
    for _ in 0..iterations {
        let (with_us, verdict) =
            cpu_time_us(|| detector.verdict(black_box(500), black_box(headers), black_box(body)));
        black_box(verdict);
        let (without_us, verdict) =
            cpu_time_us(|| bare.verdict(black_box(500), black_box(headers), black_box(body)));
        black_box(verdict);
        large.candidate.push(with_us);
        large.baseline.push(without_us);
    }
    let typical: Vec<Typical<'_>> = TYPICAL
        .iter()
        .map(|(url, status, kind, body)| {
            let with = Detector::default().for_url(url);
            Typical {
                without: with.clone().without_catalog(),
                with,
                status: *status,
                headers: vec![Header::new("Content-Type", *kind)],
                body: body.as_bytes(),
            }
        })
        .collect();
    // The catalog must decide the shapes it knows (else this measures
    // nothing): Dropbox's and Meta's expiries are its rules.
    for response in &typical {
        let status = response.status;
        let verdict = response
            .with
            .verdict(status, &response.headers, response.body);
        if status == 401 || status == 400 {
            let decided = verdict
                .rule
                .as_deref()
                .is_some_and(|rule| rule.starts_with("dropbox.") || rule.starts_with("meta."));
            if !decided {
                return Err(BenchError::Check {
                    what: format!(
                        "catalog: no catalog rule decided HTTP {status}: {}",
                        verdict.reason
                    ),
                });
            }
        }
    }
    let mut small = Pair::new("us of thread CPU time for the 5 responses, 200 times each");
    for _ in 0..iterations * 4 {
        let (with_us, ()) = cpu_time_us(|| {
            for _ in 0..200 {
                for response in &typical {
                    black_box(response.with.verdict(
                        black_box(response.status),
                        &response.headers,
                        response.body,
                    ));
                }
            }
        });
        let (without_us, ()) = cpu_time_us(|| {
            for _ in 0..200 {
                for response in &typical {
                    black_box(response.without.verdict(
                        black_box(response.status),
                        &response.headers,
                        response.body,
                    ));
                }
            }
        });
        small.candidate.push(with_us);
        small.baseline.push(without_us);
    }
    Ok(vec![
        Figure::ratio(
            "catalog_ratio",
            &large,
            1.10,
            "Detector::verdict on the 16 MB fault response, with the built-in expiry catalog",
            "the same verdict without the catalog",
        ),
        Figure::ratio(
            "catalog_small_ratio",
            &small,
            f64::INFINITY,
            "Detector::verdict on 5 small responses of shapes the catalog knows (Dropbox 401, Slack 200, Salesforce SOAP 500, Meta 400, a plain 200), each from its service's host",
            "the same verdicts without the catalog",
        )
        .with_target("reported", true),
    ])
}

/// Plain `str::replace` of the same fields, the URL prefix and the header
/// values: the least rendering can do.
fn plain_render(
    url: &str,
    headers: &[(String, String)],
    body: &str,
    fields: &[(&str, &str)],
    endpoint: &str,
) -> (String, Vec<(String, String)>, String) {
    let url = url.replacen("callout:Render", endpoint, 1);
    let mut body = body.to_string();
    for (field, value) in fields {
        body = body.replace(field, value);
    }
    let headers = headers
        .iter()
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    (url, headers, body)
}

/// `render_ratio`: `merge::render` of a 10 KB envelope with 20 merge
/// fields (and materializing the request) against plain replacement.
pub fn render(samples: usize, batch: usize) -> Result<Figure> {
    let endpoint = "https://bench.example.my.salesforce.com";
    let mut credential = callout_core::credential::Credential::new("Render", endpoint);
    credential.client_id = Some("bench-consumer-key".into());
    credential.salesforce.allow_merge_fields_in_body = true;
    credential.salesforce.generate_authorization_header = false;
    let credentials = CredentialSet::new(vec![credential])
        .map_err(BenchError::engine("define the credential"))?;
    let token = "00Dbench!AQ0AQ.bench.token.value.for.rendering.only";
    let secrets = fixtures::full_secrets(token);
    let draft = fixtures::soap_draft("Render", fixtures::envelope(&fixtures::render_fields()));
    let body = draft.body.clone().unwrap_or_default();
    let headers: Vec<(String, String)> = draft
        .headers
        .iter()
        .map(|header| (header.name.clone(), header.value.clone()))
        .collect();
    let fields = [
        ("{!$Credential.OAuthToken}", token),
        ("{!$Credential.Username}", "bench.user@example.com"),
        ("{!$Credential.Password}", "bench-password"),
        ("{!$Credential.OAuthConsumerKey}", "bench-consumer-key"),
        ("{!$Credential.AuthorizationMethod}", "Bearer"),
    ];
    let render_once = || {
        let call = Call::resolve(&draft, &credentials)?;
        merge::render(&call, &secrets).map(|rendered| {
            (
                rendered.expose_url(),
                rendered.expose_headers(),
                rendered.expose_body().unwrap_or_default(),
            )
        })
    };
    let engine = render_once().map_err(BenchError::engine("render the envelope"))?;
    let plain = plain_render(&draft.url, &headers, &body, &fields, endpoint);
    if engine != plain {
        return Err(BenchError::Check {
            what: "render: the engine's and the plain replacement's requests differ".into(),
        });
    }
    let mut pair = Pair::new("us of thread CPU time per render");
    for _ in 0..samples {
        let (engine_us, _) = cpu_time_us(|| {
            for _ in 0..batch {
                let _ = black_box(render_once());
            }
        });
        let (plain_us, _) = cpu_time_us(|| {
            for _ in 0..batch {
                black_box(plain_render(
                    black_box(&draft.url),
                    &headers,
                    black_box(&body),
                    &fields,
                    endpoint,
                ));
            }
        });
        pair.candidate.push(engine_us / batch as f64);
        pair.baseline.push(plain_us / batch as f64);
    }
    Ok(Figure::ratio(
        "render_ratio",
        &pair,
        2.0,
        "merge::render of a 10 KB envelope with 20 merge fields, request materialized",
        "str::replace of the same 20 fields (and the callout: prefix)",
    ))
}

/// An event of one of the kinds a send and a refresh record.
fn event(n: u64) -> EventDetail {
    match n % 5 {
        0 => EventDetail::RequestSent {
            method: "POST".into(),
            url: "https://bench.example.com/services/Soap/u/59.0".into(),
            status: Some(if n.is_multiple_of(3) { 500 } else { 200 }),
            duration_ms: Some(40 + n % 200),
            error: None,
        },
        1 => EventDetail::Verdict {
            expired: n.is_multiple_of(3),
            rule: (n.is_multiple_of(3)).then(|| "soap.invalid_session".to_string()),
            reason: "HTTP 500 carries a SOAP 1.1 fault with fault code sf:INVALID_SESSION_ID."
                .into(),
            salesforce_would_refresh: false,
            salesforce_reason: "A Named Credential refreshes only on HTTP 401.".into(),
        },
        2 => EventDetail::RefreshAttempt {
            trigger: RefreshTrigger::Rule {
                id: "soap.invalid_session".into(),
            },
            outcome: RefreshOutcome::Refreshed,
            error: None,
            duration_ms: 120 + n % 50,
        },
        3 => EventDetail::Retry { attempt: 2 },
        _ => EventDetail::KeychainError {
            message: "the keychain is locked".into(),
        },
    }
}

/// `timeline_query_ms`: the last hour of one credential among 100 000
/// events over 50 credentials and 30 days, in a real SQLite file.
pub fn timeline(events: u64, samples: usize) -> Result<Figure> {
    const CREDENTIALS: u64 = 50;
    const DAYS: u64 = 30;
    let dir = tempfile::tempdir().map_err(|error| BenchError::Io {
        what: "create a temp dir for the timeline".into(),
        source: error,
    })?;
    let timeline = Timeline::open(&dir.path().join("timeline.sqlite3"))
        .map_err(BenchError::engine("open the timeline"))?;
    let now = SystemTime::now();
    let span = Duration::from_secs(DAYS * 24 * 3_600);
    let all: Vec<(String, EventDetail, SystemTime)> = (0..events)
        .map(|n| {
            // Spread evenly over the span, newest last; credentials interleaved.
            let back = span.mul_f64(1.0 - (n as f64 + 0.5) / events as f64);
            (
                format!("Credential_{}", n % CREDENTIALS),
                event(n),
                now - back,
            )
        })
        .collect();
    let (insert_us, inserted) = time_us(|| {
        all.chunks(10_000)
            .try_for_each(|chunk| timeline.append_all(chunk))
    });
    inserted.map_err(BenchError::engine("insert the events"))?;
    let query = Query {
        credential: Some("credential_7".into()),
        since: Some(now - Duration::from_secs(3_600)),
        ..Query::default()
    };
    let found = timeline
        .query(&query)
        .map_err(BenchError::engine("query the timeline"))?
        .len();
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let (us, result) = time_us(|| timeline.query(black_box(&query)));
        black_box(result.map_err(BenchError::engine("query the timeline"))?);
        times.push(us / 1e3);
    }
    let mut figure = Figure::report(
        "timeline_query_ms",
        median(&times),
        "ms",
        "Timeline::query for the last hour of one credential among 100 000 events \
         (50 credentials, 30 days; SQLite file in a temp dir)",
    );
    figure.raw_unit = Some("ms".into());
    figure.candidate = Some(times);
    Ok(figure.with_extra(json!({
        "events": events,
        "matched": found,
        "insertMs": insert_us / 1e3,
    })))
}

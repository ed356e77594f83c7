//! Evaluating assertions against what a send produced, and extracting values.
//!
//! # Guarantees
//! - [`evaluate`] never panics and always answers: an assertion that cannot
//!   be evaluated (its [`Assertion::problem`], a body that is not JSON or
//!   XML, a JSONPath or XPath that does not parse, an XPath prefix the
//!   response does not declare) fails, with a message that says why.
//! - A message is one sentence a person reads in a run's report:
//!   `expected status 2xx, got 401`, `$.records[0].Name is "Globex", expected "Acme"`.
//! - `actual` is what was found, cut to [`SHOWN_CHARS`] characters (on a
//!   character boundary); several values (headers of one name, JSONPath or
//!   XPath nodes) are joined by ", ".
//! - Where a path finds several values, equals/contains/matches pass when
//!   any of them does; exists passes when there is at least one, absent
//!   when there is none.
//!
//! # How values read
//! A JSON string node is its text; a number, `true`, `false` or `null` is
//! its JSON text (`3` equals "3"); an object or array is serde_json's
//! compact text. An XML element is its string value (the text inside it),
//! an attribute its value (see [`crate::xpath`] for the XPath subset). A
//! header is matched by name whatever its case. The body's `equals` ignores
//! white space at both ends.

use regex::Regex;
use serde::Serialize;
use serde_json::Value;
use serde_json_path::JsonPath;
use ts_rs::TS;

use super::{Assertion, Check, ExtractFrom, Extraction, Subject};
use crate::detect::Verdict;
use crate::http::Received;
use crate::send::{Attempt, Outcome};
use crate::xpath::XPath;

/// How many characters of a found value `actual` and messages show.
const SHOWN_CHARS: usize = 200;

/// What an assertion is evaluated against: the last response, every attempt
/// of the send and the verdict on the last response.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub response: &'a Received,
    pub attempts: &'a [Attempt],
    pub verdict: &'a Verdict,
}

impl<'a> Evidence<'a> {
    pub fn of(outcome: &'a Outcome) -> Self {
        Self {
            response: &outcome.response,
            attempts: &outcome.attempts,
            verdict: &outcome.verdict,
        }
    }
}

/// An assertion's result: passed or not, what was found, and why in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AssertionResult {
    pub assertion: Assertion,
    pub passed: bool,
    /// What the subject was, shortened (none when it was not there).
    pub actual: Option<String>,
    /// Why it passed or failed, one sentence.
    pub message: String,
}

/// The status an assertion expects: any of some codes or classes, such as
/// `200`, `2xx` or `200, 201, 4xx`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StatusExpectation {
    accepted: Vec<StatusPattern>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusPattern {
    /// One code, `200`.
    Code(u16),
    /// A class by its first digit, `2xx`.
    Class(u16),
}

impl StatusExpectation {
    /// Reads `200`, `2xx` (or `2XX`) or a comma-separated list of them; the
    /// error names the part that is neither.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(
                "a status assertion needs a code such as 200, a class such as 2xx, or a list such as 200, 201"
                    .to_string(),
            );
        }
        let accepted = text
            .split(',')
            .map(|part| StatusPattern::parse(part.trim(), text))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { accepted })
    }

    fn accepts(&self, status: u16) -> bool {
        self.accepted.iter().any(|pattern| match pattern {
            StatusPattern::Code(code) => *code == status,
            StatusPattern::Class(class) => status / 100 == *class,
        })
    }

    /// `200`, `2xx`, `200 or 201`.
    fn describe(&self) -> String {
        let parts: Vec<String> = self
            .accepted
            .iter()
            .map(|pattern| match pattern {
                StatusPattern::Code(code) => code.to_string(),
                StatusPattern::Class(class) => format!("{class}xx"),
            })
            .collect();
        parts.join(" or ")
    }
}

impl StatusPattern {
    /// One entry of the status `whole`.
    fn parse(part: &str, whole: &str) -> Result<Self, String> {
        let in_list = if part == whole {
            String::new()
        } else {
            format!(" in \"{whole}\"")
        };
        if part.is_empty() {
            return Err(format!(
                "the status list \"{whole}\" has an empty entry (a comma too many?)"
            ));
        }
        let bytes = part.as_bytes();
        let first = bytes[0];
        let is_class = bytes.len() == 3 && bytes[1..].eq_ignore_ascii_case(b"xx");
        let is_code = bytes.len() == 3 && bytes.iter().all(u8::is_ascii_digit);
        if (is_class || is_code) && !(b'1'..=b'5').contains(&first) {
            return Err(format!(
                "\"{part}\"{in_list} is not an HTTP status: statuses run from 100 to 599"
            ));
        }
        if is_class {
            return Ok(Self::Class(u16::from(first - b'0')));
        }
        match part.parse::<u16>() {
            Ok(code) if is_code => Ok(Self::Code(code)),
            _ => Err(format!(
                "\"{part}\"{in_list} is not a status code such as 200 or a class such as 2xx"
            )),
        }
    }
}

/// Evaluates `assertion` against `evidence`.
pub fn evaluate(assertion: &Assertion, evidence: &Evidence<'_>) -> AssertionResult {
    let judgement = match assertion.problem() {
        Some(problem) => Judgement::failed(problem),
        None => match assertion.subject {
            Subject::Status => judge_status(assertion, evidence.response),
            Subject::Header => judge_header(assertion, evidence.response),
            Subject::Json => {
                let path = assertion.path.trim();
                match json_values(path, evidence.response) {
                    Ok(found) => judge_values(
                        assertion,
                        path,
                        &found,
                        &format!("{path} finds nothing in the body"),
                    ),
                    Err(reason) => Judgement::failed(reason),
                }
            }
            Subject::Xpath => {
                let path = assertion.path.trim();
                match xml_values(path, evidence.response) {
                    Ok(found) => judge_values(
                        assertion,
                        path,
                        &found,
                        &format!("{path} finds nothing in the body"),
                    ),
                    Err(reason) => Judgement::failed(reason),
                }
            }
            Subject::Body => judge_body(assertion, evidence.response),
            Subject::Time => judge_time(assertion, evidence.response),
            Subject::Expiry => judge_expiry(assertion, evidence),
            Subject::Salesforce => judge_salesforce(assertion, evidence),
        },
    };
    AssertionResult {
        assertion: assertion.clone(),
        passed: judgement.passed,
        actual: judgement.actual,
        message: judgement.message,
    }
}

/// The value `extraction` takes from `response`, or why there is none.
pub fn extract(extraction: &Extraction, response: &Received) -> Result<String, String> {
    if let Some(problem) = extraction.problem() {
        return Err(problem);
    }
    let variable = extraction.variable.trim();
    let path = extraction.path.trim();
    let (place, found) = match extraction.from {
        ExtractFrom::Json => (path.to_string(), json_values(path, response)),
        ExtractFrom::Xpath => (path.to_string(), xml_values(path, response)),
        ExtractFrom::Header => (
            format!("header {path}"),
            Ok(header_values(response, path)
                .into_iter()
                .map(str::to_string)
                .collect()),
        ),
    };
    match found {
        Ok(values) => values.into_iter().next().ok_or_else(|| {
            format!("cannot set \"{variable}\" from {place}: the response has nothing there")
        }),
        Err(reason) => Err(format!("cannot set \"{variable}\" from {place}: {reason}")),
    }
}

/// An assertion's outcome before it is paired with the assertion.
struct Judgement {
    passed: bool,
    actual: Option<String>,
    message: String,
}

impl Judgement {
    fn failed(message: String) -> Self {
        Self {
            passed: false,
            actual: None,
            message,
        }
    }
}

fn judge_status(assertion: &Assertion, response: &Received) -> Judgement {
    let expected = match StatusExpectation::parse(&assertion.value) {
        Ok(expected) => expected,
        Err(problem) => return Judgement::failed(problem),
    };
    let status = response.status;
    let passed = expected.accepts(status);
    Judgement {
        passed,
        actual: Some(status.to_string()),
        message: if passed {
            format!("status {status} is {}", expected.describe())
        } else {
            format!("expected status {}, got {status}", expected.describe())
        },
    }
}

fn judge_header(assertion: &Assertion, response: &Received) -> Judgement {
    let name = assertion.path.trim();
    let found: Vec<String> = header_values(response, name)
        .into_iter()
        .map(str::to_string)
        .collect();
    judge_values(
        assertion,
        &format!("header {name}"),
        &found,
        &format!("the response has no header {name}"),
    )
}

fn judge_body(assertion: &Assertion, response: &Received) -> Judgement {
    let text = response.body.text();
    if assertion.check == Check::Equals {
        let trimmed = Assertion {
            value: assertion.value.trim().to_string(),
            ..assertion.clone()
        };
        return judge_values(&trimmed, "the body", &[text.trim().to_string()], "");
    }
    judge_values(assertion, "the body", &[text], "")
}

fn judge_time(assertion: &Assertion, response: &Received) -> Judgement {
    let limit = match assertion.value.trim().parse::<u64>() {
        Ok(limit) => limit,
        Err(_) => {
            return Judgement::failed(format!(
                "the time limit \"{}\" is not a whole number of milliseconds",
                assertion.value
            ));
        }
    };
    let took = response.elapsed_ms;
    let passed = took < limit;
    Judgement {
        passed,
        actual: Some(format!("{took} ms")),
        message: if passed {
            format!("the response took {took} ms, under {limit} ms")
        } else {
            format!("the response took {took} ms, expected under {limit} ms")
        },
    }
}

fn judge_expiry(assertion: &Assertion, evidence: &Evidence<'_>) -> Judgement {
    let (fate, story) = token_fate(evidence);
    let (passed, expectation) = match assertion.value.trim() {
        "recovered" => (fate == Fate::Recovered, "the token to expire and recover"),
        _ => (fate == Fate::NoExpiry, "no token expiry"),
    };
    Judgement {
        passed,
        actual: Some(fate.word().to_string()),
        message: if passed {
            story
        } else {
            format!("expected {expectation}, but {story}")
        },
    }
}

fn judge_salesforce(assertion: &Assertion, evidence: &Evidence<'_>) -> Judgement {
    // The first response is the one that met the problem; a retry that
    // worked says nothing about what Salesforce would have done with it.
    let salesforce = evidence
        .attempts
        .iter()
        .find_map(|attempt| match attempt {
            Attempt::Sent { verdict, .. } => Some(&verdict.salesforce),
            _ => None,
        })
        .unwrap_or(&evidence.verdict.salesforce);
    let expected = assertion.value.trim() == "true";
    let would = salesforce.would_refresh;
    let reason = &salesforce.reason;
    Judgement {
        passed: would == expected,
        actual: Some(would.to_string()),
        message: match (would == expected, would) {
            (true, true) => format!("a Salesforce Named Credential would refresh: {reason}"),
            (true, false) => format!("a Salesforce Named Credential would not refresh: {reason}"),
            (false, true) => format!(
                "expected a Salesforce Named Credential not to refresh, but it would: {reason}"
            ),
            (false, false) => format!(
                "expected a Salesforce Named Credential to refresh, but it would not: {reason}"
            ),
        },
    }
}

/// Compares `found` (the values of `what`: "header Content-Type",
/// "$.records[0].Name", "the body") with the assertion's value by its
/// check; `missing` is the sentence for finding nothing.
fn judge_values(assertion: &Assertion, what: &str, found: &[String], missing: &str) -> Judgement {
    let actual = (!found.is_empty()).then(|| shorten(&found.join(", ")));
    let shown = match found {
        [one] => format!("is \"{}\"", shorten(one)),
        several => format!(
            "has the values {}",
            several
                .iter()
                .map(|value| format!("\"{}\"", shorten(value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let expected = &assertion.value;
    let shown_expected = shorten(expected);
    let (passed, message) = match assertion.check {
        Check::Exists if found.is_empty() => (false, missing.to_string()),
        Check::Exists => (true, format!("{what} {shown}")),
        Check::Absent if found.is_empty() => (true, format!("{missing}, as expected")),
        Check::Absent => (false, format!("{what} {shown}, expected it absent")),
        Check::Equals | Check::Contains | Check::Matches if found.is_empty() => {
            let verb = match assertion.check {
                Check::Equals => "equal",
                Check::Contains => "contain",
                _ => "match",
            };
            (
                false,
                format!("{missing}, expected it to {verb} \"{shown_expected}\""),
            )
        }
        Check::Matches => {
            let pattern = match Regex::new(expected) {
                Ok(pattern) => pattern,
                Err(error) => {
                    return Judgement {
                        passed: false,
                        actual,
                        message: format!(
                            "the pattern \"{shown_expected}\" is not a regular expression: {error}"
                        ),
                    };
                }
            };
            match found.iter().find(|value| pattern.is_match(value)) {
                Some(hit) => (
                    true,
                    format!(
                        "{what} is \"{}\", which matches \"{shown_expected}\"",
                        shorten(hit)
                    ),
                ),
                None => (
                    false,
                    format!("{what} {shown}, which does not match \"{shown_expected}\""),
                ),
            }
        }
        Check::Contains => match found.iter().find(|value| value.contains(expected.as_str())) {
            Some(hit) => (
                true,
                format!(
                    "{what} is \"{}\", which contains \"{shown_expected}\"",
                    shorten(hit)
                ),
            ),
            None => (
                false,
                format!("{what} {shown}, which does not contain \"{shown_expected}\""),
            ),
        },
        Check::Equals if found.iter().any(|value| value == expected) => {
            (true, format!("{what} is \"{shown_expected}\""))
        }
        Check::Equals => (
            false,
            format!("{what} {shown}, expected \"{shown_expected}\""),
        ),
        Check::LessThan => (
            false,
            format!("{what} cannot be checked with \"less than\""),
        ),
    };
    Judgement {
        passed,
        actual,
        message,
    }
}

/// The values of every header named `name`, whatever its case.
fn header_values<'r>(response: &'r Received, name: &str) -> Vec<&'r str> {
    response
        .headers
        .iter()
        .filter(|header| header.name.trim().eq_ignore_ascii_case(name))
        .map(|header| header.value.as_str())
        .collect()
}

/// The text of each node the JSONPath `path` finds in the body.
fn json_values(path: &str, response: &Received) -> Result<Vec<String>, String> {
    let query = JsonPath::parse(path)
        .map_err(|error| format!("the JSONPath \"{path}\" is not valid: {error}"))?;
    let document: Value = serde_json::from_slice(response.body.bytes())
        .map_err(|error| format!("the body is not JSON: {error}"))?;
    Ok(query
        .query(&document)
        .all()
        .into_iter()
        .map(json_text)
        .collect())
}

/// A string as it is; anything else as compact JSON text.
fn json_text(node: &Value) -> String {
    match node {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The value of each node the XPath `path` selects in the body.
fn xml_values(path: &str, response: &Received) -> Result<Vec<String>, String> {
    let expression = XPath::parse(path)?;
    let text = response.body.text();
    let document = roxmltree::Document::parse(&text)
        .map_err(|error| format!("the body is not XML: {error}"))?;
    expression.values(&document)
}

/// What became of the token during a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// No response said it expired, nothing was refreshed.
    NoExpiry,
    /// It expired, was refreshed, and the last response was not refused.
    Recovered,
    /// It expired (or was refreshed) and the send did not end well.
    NotRecovered,
}

impl Fate {
    fn word(self) -> &'static str {
        match self {
            Fate::NoExpiry => "none",
            Fate::Recovered => "recovered",
            Fate::NotRecovered => "not recovered",
        }
    }
}

/// The token's fate, and the sentence that tells it: "the token expired
/// (rule soap.invalid_session), was refreshed and the retry answered 200".
fn token_fate(evidence: &Evidence<'_>) -> (Fate, String) {
    let attempts = evidence.attempts;
    let first_expired = attempts
        .iter()
        .enumerate()
        .find_map(|(index, attempt)| match attempt {
            Attempt::Sent { verdict, .. } if verdict.expired => Some((index, verdict)),
            _ => None,
        });
    let (index, verdict) = match first_expired {
        Some(found) => found,
        // Evidence without attempts: only the final verdict tells.
        None if evidence.verdict.expired => (attempts.len(), evidence.verdict),
        None => {
            let refreshed = attempts.iter().any(|attempt| {
                matches!(
                    attempt,
                    Attempt::Refreshed { .. } | Attempt::RefreshFailed { .. }
                )
            });
            return if refreshed {
                (
                    Fate::NotRecovered,
                    "no response said the token expired, yet a refresh was attempted".to_string(),
                )
            } else {
                (
                    Fate::NoExpiry,
                    format!(
                        "no token expired (the response answered {})",
                        evidence.response.status
                    ),
                )
            };
        }
    };
    let expired = format!("the token expired ({})", cause(verdict));
    let later = attempts.get(index + 1..).unwrap_or_default();
    let refresh = later.iter().enumerate().find(|(_, attempt)| {
        matches!(
            attempt,
            Attempt::Refreshed { .. }
                | Attempt::RefreshFailed { .. }
                | Attempt::RefreshSkipped { .. }
        )
    });
    match refresh {
        None => (
            Fate::NotRecovered,
            format!("{expired} and was not refreshed"),
        ),
        Some((_, Attempt::RefreshFailed { error, .. })) => (
            Fate::NotRecovered,
            format!("{expired} and refreshing failed: {}", error.message),
        ),
        Some((_, Attempt::RefreshSkipped { reason })) => (
            Fate::NotRecovered,
            format!("{expired} and nothing was refreshed: {reason}"),
        ),
        Some((at, refresh)) => {
            // Another call may have renewed the refused token already: this
            // send took the new token instead of asking the provider again.
            let refreshed = match refresh {
                Attempt::Refreshed {
                    already_refreshed: true,
                    ..
                } => "took the token another call had just refreshed",
                _ => "was refreshed",
            };
            let retry = later
                .get(at + 1..)
                .unwrap_or_default()
                .iter()
                .find(|attempt| matches!(attempt, Attempt::Sent { .. } | Attempt::Failed { .. }));
            if !evidence.verdict.expired {
                let status = match retry {
                    Some(Attempt::Sent { status, .. }) => *status,
                    _ => evidence.response.status,
                };
                return (
                    Fate::Recovered,
                    format!("{expired}, {refreshed} and the retry answered {status}"),
                );
            }
            let after = match retry {
                Some(Attempt::Sent {
                    status, verdict, ..
                }) => format!("the retry was refused too ({status}, {})", cause(verdict)),
                Some(Attempt::Failed { error, .. }) => {
                    format!("the retry failed: {}", error.message)
                }
                _ => "the request was not retried".to_string(),
            };
            (
                Fate::NotRecovered,
                format!("{expired}, {refreshed}, but {after}"),
            )
        }
    }
}

/// `rule soap.invalid_session`, or the verdict's reason when no rule is named.
fn cause(verdict: &Verdict) -> String {
    match &verdict.rule {
        Some(rule) => format!("rule {rule}"),
        None => verdict.reason.clone(),
    }
}

/// `text` cut to [`SHOWN_CHARS`] characters, with "…" when it was cut.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::SalesforceVerdict;
    use crate::http::{Header, ResponseBody};
    use crate::merge::DisplayRequest;
    use crate::{ErrorKind, ErrorReport};

    /// A Salesforce partner API `query` answer: soapenv on the envelope, the
    /// body in the default namespace urn:partner.soap.sforce.com, fields in
    /// the sObject namespace `sf`.
    const SOAP_QUERY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:sf="urn:sobject.partner.soap.sforce.com"><soapenv:Body><queryResponse xmlns="urn:partner.soap.sforce.com"><result xsi:type="QueryResult"><done>true</done><queryLocator xsi:nil="true"/><records xsi:type="sf:sObject"><sf:type>Account</sf:type><sf:Id>001000000000001AAA</sf:Id><sf:Name>Acme</sf:Name></records><size>1</size></result></queryResponse></soapenv:Body></soapenv:Envelope>"#;

    /// The fault Salesforce's SOAP API answers an expired session with.
    const SOAP_INVALID_SESSION: &str = r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session. Session not found, missing session hash: abc123</faultstring><detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode><sf:exceptionMessage>Invalid Session ID found in SessionHeader: Illegal Session. Session not found, missing session hash: abc123</sf:exceptionMessage></sf:UnexpectedErrorFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;

    /// A REST API query result.
    const REST_QUERY: &str = r#"{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Account","url":"/services/data/v61.0/sobjects/Account/001000000000001AAA"},"Id":"001000000000001AAA","Name":"Acme","Rating":null}]}"#;

    /// WSO2 API Manager's answer to an expired access token.
    const WSO2_401: &str = r#"{"fault":{"code":900901,"message":"Invalid Credentials","description":"Invalid Credentials. Make sure you have provided the correct security credentials"}}"#;

    fn received(status: u16, headers: &[(&str, &str)], body: &str) -> Received {
        Received {
            status,
            headers: headers
                .iter()
                .map(|(name, value)| Header::new(*name, *value))
                .collect(),
            body: ResponseBody(body.as_bytes().to_vec()),
            truncated: false,
            elapsed_ms: 120,
        }
    }

    fn verdict(expired: bool, rule: Option<&str>, would_refresh: bool, why: &str) -> Verdict {
        Verdict {
            expired,
            rule: rule.map(str::to_string),
            reason: format!("reason: {why}"),
            salesforce: SalesforceVerdict {
                would_refresh,
                reason: why.to_string(),
            },
        }
    }

    fn fine() -> Verdict {
        verdict(false, None, false, "the response is a success")
    }

    fn invalid_session() -> Verdict {
        verdict(
            true,
            Some("soap.invalid_session"),
            true,
            "a SOAP fault INVALID_SESSION_ID is what Named Credentials refresh on",
        )
    }

    fn request() -> DisplayRequest {
        DisplayRequest {
            method: "POST".into(),
            url: "https://acme.my.salesforce.com/services/Soap/u/61.0".into(),
            headers: Vec::new(),
            body: None,
        }
    }

    fn sent(number: u32, response: Received, verdict: Verdict) -> Attempt {
        Attempt::Sent {
            number,
            request: request(),
            status: response.status,
            duration_ms: response.elapsed_ms,
            verdict,
            response,
        }
    }

    fn refreshed() -> Attempt {
        Attempt::Refreshed {
            credential: "acme-sandbox".into(),
            trigger: Some("soap.invalid_session".into()),
            already_refreshed: false,
            not_stored: None,
        }
    }

    fn report(message: &str) -> ErrorReport {
        ErrorReport {
            kind: ErrorKind::Refresh,
            message: message.into(),
            location: None,
            at: None,
        }
    }

    fn assertion(subject: Subject, path: &str, check: Check, value: &str) -> Assertion {
        Assertion {
            subject,
            path: path.into(),
            check,
            value: value.into(),
        }
    }

    /// Evaluates against one response that came back as the only attempt.
    fn on(response: &Received, assertion: &Assertion) -> AssertionResult {
        let verdict = fine();
        let attempts = [sent(1, response.clone(), fine())];
        evaluate(
            assertion,
            &Evidence {
                response,
                attempts: &attempts,
                verdict: &verdict,
            },
        )
    }

    fn passes(response: &Received, assertion: &Assertion) -> AssertionResult {
        let result = on(response, assertion);
        assert!(
            result.passed,
            "{}: {}",
            assertion.describe(),
            result.message
        );
        result
    }

    fn fails(response: &Received, assertion: &Assertion) -> AssertionResult {
        let result = on(response, assertion);
        assert!(
            !result.passed,
            "{}: {}",
            assertion.describe(),
            result.message
        );
        result
    }

    fn status(value: &str) -> Assertion {
        assertion(Subject::Status, "", Check::Equals, value)
    }

    #[test]
    fn status_matches_a_code_a_class_or_a_list() {
        let ok = received(200, &[], "");
        let created = received(201, &[], "");
        let unauthorized = received(401, &[], WSO2_401);
        passes(&ok, &status("200"));
        let result = fails(&created, &status("200"));
        assert_eq!(result.message, "expected status 200, got 201");
        assert_eq!(result.actual.as_deref(), Some("201"));
        passes(&created, &status("2xx"));
        passes(&unauthorized, &status("4XX"));
        let result = fails(&unauthorized, &status("2xx"));
        assert_eq!(result.message, "expected status 2xx, got 401");
        passes(&created, &status("200, 201"));
        passes(&unauthorized, &status("200,4xx"));
        let result = fails(&received(500, &[], ""), &status("200, 201, 4xx"));
        assert_eq!(result.message, "expected status 200 or 201 or 4xx, got 500");
        fails(&received(301, &[], ""), &status("2xx"));
    }

    #[test]
    fn a_bad_status_text_names_the_bad_part() {
        let cases = [
            ("ok", "\"ok\" is not a status code"),
            ("20", "\"20\" is not a status code"),
            ("2000", "\"2000\" is not a status code"),
            ("200, 2x", "\"2x\" in \"200, 2x\""),
            ("200, 6xx", "\"6xx\" in \"200, 6xx\" is not an HTTP status"),
            ("099", "\"099\" is not an HTTP status"),
            ("200,", "has an empty entry"),
            ("!x", "\"!x\" is not a status code"),
            ("", "needs a code such as 200"),
        ];
        for (text, words) in cases {
            let error = StatusExpectation::parse(text).unwrap_err();
            assert!(error.contains(words), "{text}: {error}");
        }
        let result = fails(&received(200, &[], ""), &status("2xx, abc"));
        assert!(result.message.contains("\"abc\""), "{}", result.message);
    }

    #[test]
    fn an_assertion_with_a_problem_fails_with_the_problem() {
        let response = received(200, &[("Content-Type", "application/json")], REST_QUERY);
        let result = fails(
            &response,
            &assertion(Subject::Header, " ", Check::Exists, ""),
        );
        assert_eq!(result.message, "a header assertion needs a header name");
        assert_eq!(result.actual, None);
        let result = fails(
            &response,
            &assertion(Subject::Body, "", Check::Matches, "(acme"),
        );
        assert!(
            result.message.contains("not a regular expression"),
            "{}",
            result.message
        );
        let result = fails(
            &response,
            &assertion(Subject::Status, "", Check::Contains, "200"),
        );
        assert_eq!(
            result.message,
            "a status assertion cannot check \"contains\""
        );
    }

    #[test]
    fn headers_match_by_name_in_any_case_and_any_of_several_passes() {
        let response = received(
            401,
            &[
                ("Content-Type", "application/json; charset=UTF-8"),
                ("www-authenticate", "Basic realm=\"WSO2 API Manager\""),
                (
                    "WWW-Authenticate",
                    "OAuth2 realm=\"WSO2 API Manager\", error=\"invalid_token\"",
                ),
            ],
            WSO2_401,
        );
        let header =
            |name: &str, check: Check, value: &str| assertion(Subject::Header, name, check, value);
        passes(
            &response,
            &header(
                "content-type",
                Check::Equals,
                "application/json; charset=UTF-8",
            ),
        );
        let result = fails(
            &response,
            &header("Content-Type", Check::Equals, "application/json"),
        );
        assert_eq!(
            result.message,
            "header Content-Type is \"application/json; charset=UTF-8\", expected \"application/json\""
        );
        passes(&response, &header("Content-Type", Check::Contains, "json"));
        fails(&response, &header("Content-Type", Check::Contains, "xml"));
        let result = passes(
            &response,
            &header("WWW-Authenticate", Check::Contains, "invalid_token"),
        );
        assert_eq!(
            result.actual.as_deref(),
            Some(
                "Basic realm=\"WSO2 API Manager\", OAuth2 realm=\"WSO2 API Manager\", error=\"invalid_token\""
            )
        );
        passes(
            &response,
            &header(
                "WWW-Authenticate",
                Check::Matches,
                "^OAuth2 .*error=\"invalid_token\"",
            ),
        );
        let result = fails(
            &response,
            &header("WWW-Authenticate", Check::Matches, "^Bearer"),
        );
        assert!(
            result.message.contains("has the values"),
            "{}",
            result.message
        );
        passes(&response, &header("WWW-AUTHENTICATE", Check::Exists, ""));
        let result = fails(&response, &header("Location", Check::Exists, ""));
        assert_eq!(result.message, "the response has no header Location");
        assert_eq!(result.actual, None);
        passes(&response, &header("Location", Check::Absent, ""));
        let result = fails(&response, &header("content-type", Check::Absent, ""));
        assert!(
            result.message.ends_with("expected it absent"),
            "{}",
            result.message
        );
        let result = fails(&response, &header("Location", Check::Equals, "/x"));
        assert_eq!(
            result.message,
            "the response has no header Location, expected it to equal \"/x\""
        );
    }

    #[test]
    fn json_paths_compare_strings_numbers_booleans_and_objects_as_text() {
        let response = received(200, &[], REST_QUERY);
        let json =
            |path: &str, check: Check, value: &str| assertion(Subject::Json, path, check, value);
        passes(&response, &json("$.records[0].Name", Check::Equals, "Acme"));
        let result = fails(
            &response,
            &json("$.records[0].Name", Check::Equals, "Globex"),
        );
        assert_eq!(
            result.message,
            "$.records[0].Name is \"Acme\", expected \"Globex\""
        );
        assert_eq!(result.actual.as_deref(), Some("Acme"));
        passes(&response, &json("$.totalSize", Check::Equals, "1"));
        passes(&response, &json("$.done", Check::Equals, "true"));
        fails(&response, &json("$.done", Check::Equals, "\"true\""));
        passes(
            &response,
            &json("$.records[0].Rating", Check::Equals, "null"),
        );
        passes(
            &response,
            &json(
                "$.records[0].attributes",
                Check::Equals,
                r#"{"type":"Account","url":"/services/data/v61.0/sobjects/Account/001000000000001AAA"}"#,
            ),
        );
        passes(&response, &json("$.records[0].Id", Check::Contains, "001"));
        fails(&response, &json("$.records[0].Id", Check::Contains, "003"));
        passes(
            &response,
            &json("$.records[0].Id", Check::Matches, "^001[0-9A-Za-z]{15}$"),
        );
        let result = fails(&response, &json("$.records[0].Id", Check::Matches, "^003"));
        assert_eq!(
            result.message,
            "$.records[0].Id is \"001000000000001AAA\", which does not match \"^003\""
        );
        passes(&response, &json("$.records[0].Id", Check::Exists, ""));
        let result = fails(&response, &json("$.records[1].Id", Check::Exists, ""));
        assert_eq!(result.message, "$.records[1].Id finds nothing in the body");
        passes(&response, &json("$.nextRecordsUrl", Check::Absent, ""));
        fails(&response, &json("$.done", Check::Absent, ""));
    }

    #[test]
    fn json_paths_with_several_nodes_pass_when_any_node_does() {
        let response = received(
            200,
            &[],
            r#"{"records":[{"Name":"Acme"},{"Name":"Globex"},{"Name":"Initech"}]}"#,
        );
        let json =
            |check: Check, value: &str| assertion(Subject::Json, "$.records[*].Name", check, value);
        let result = passes(&response, &json(Check::Equals, "Globex"));
        assert_eq!(result.actual.as_deref(), Some("Acme, Globex, Initech"));
        let result = fails(&response, &json(Check::Equals, "Umbrella"));
        assert_eq!(
            result.message,
            "$.records[*].Name has the values \"Acme\", \"Globex\", \"Initech\", expected \"Umbrella\""
        );
        passes(&response, &json(Check::Contains, "tech"));
        passes(&response, &json(Check::Matches, "^Glo"));
        passes(&response, &json(Check::Exists, ""));
        fails(&response, &json(Check::Absent, ""));
    }

    #[test]
    fn wso2_fault_fields_read_as_text() {
        let response = received(401, &[("Content-Type", "application/json")], WSO2_401);
        passes(
            &response,
            &assertion(Subject::Json, "$.fault.code", Check::Equals, "900901"),
        );
        passes(
            &response,
            &assertion(
                Subject::Json,
                "$.fault.message",
                Check::Equals,
                "Invalid Credentials",
            ),
        );
        passes(
            &response,
            &assertion(
                Subject::Json,
                "$..description",
                Check::Contains,
                "security credentials",
            ),
        );
    }

    #[test]
    fn a_body_that_is_not_json_fails_saying_where_it_broke() {
        let soap = received(200, &[], SOAP_QUERY);
        let result = fails(
            &soap,
            &assertion(Subject::Json, "$.done", Check::Exists, ""),
        );
        assert_eq!(
            result.message,
            "the body is not JSON: expected value at line 1 column 1"
        );
        assert_eq!(result.actual, None);
        let cut = received(200, &[], "{\"done\": true,\n \"records\": [");
        let result = fails(&cut, &assertion(Subject::Json, "$.done", Check::Absent, ""));
        assert!(
            result.message.starts_with("the body is not JSON: "),
            "{}",
            result.message
        );
        assert!(
            result.message.contains("line 2 column 13"),
            "{}",
            result.message
        );
    }

    #[test]
    fn an_invalid_jsonpath_fails_naming_the_path() {
        let response = received(200, &[], REST_QUERY);
        let result = fails(
            &response,
            &assertion(Subject::Json, "$.records[", Check::Exists, ""),
        );
        assert!(
            result
                .message
                .starts_with("the JSONPath \"$.records[\" is not valid: at position"),
            "{}",
            result.message
        );
        let result = fails(
            &response,
            &assertion(Subject::Json, "records.Name", Check::Exists, ""),
        );
        assert!(
            result.message.contains("\"records.Name\""),
            "{}",
            result.message
        );
    }

    #[test]
    fn xpaths_find_salesforce_soap_values_with_the_documents_prefixes() {
        let response = received(
            200,
            &[("Content-Type", "text/xml;charset=UTF-8")],
            SOAP_QUERY,
        );
        let xpath =
            |path: &str, check: Check, value: &str| assertion(Subject::Xpath, path, check, value);
        passes(&response, &xpath("//sf:Name", Check::Equals, "Acme"));
        let result = fails(
            &response,
            &xpath("//records[1]/sf:Name", Check::Equals, "Globex"),
        );
        assert_eq!(
            result.message,
            "//records[1]/sf:Name is \"Acme\", expected \"Globex\""
        );
        passes(&response, &xpath("//result/size", Check::Equals, "1"));
        passes(
            &response,
            &xpath(
                "/soapenv:Envelope/soapenv:Body//done",
                Check::Equals,
                "true",
            ),
        );
        passes(
            &response,
            &xpath("//records/@xsi:type", Check::Equals, "sf:sObject"),
        );
        passes(
            &response,
            &xpath("//records[sf:Name='Acme']/sf:Id", Check::Contains, "001"),
        );
        passes(&response, &xpath("//sf:Id", Check::Matches, "^001\\w{15}$"));
        fails(&response, &xpath("//sf:Id", Check::Matches, "^003"));
        passes(&response, &xpath("//sf:Id", Check::Exists, ""));
        let result = fails(&response, &xpath("//sf:result", Check::Exists, ""));
        assert_eq!(result.message, "//sf:result finds nothing in the body");
        passes(
            &response,
            &xpath("//queryLocator/text()", Check::Absent, ""),
        );
        fails(&response, &xpath("//done", Check::Absent, ""));
    }

    #[test]
    fn xpaths_read_the_invalid_session_fault() {
        let response = received(500, &[], SOAP_INVALID_SESSION);
        let xpath =
            |path: &str, check: Check, value: &str| assertion(Subject::Xpath, path, check, value);
        passes(
            &response,
            &xpath("//faultcode", Check::Equals, "sf:INVALID_SESSION_ID"),
        );
        passes(
            &response,
            &xpath("//sf:exceptionCode", Check::Equals, "INVALID_SESSION_ID"),
        );
        passes(
            &response,
            &xpath(
                "//soapenv:Fault/faultstring",
                Check::Contains,
                "Illegal Session",
            ),
        );
        fails(&response, &xpath("//sf:Name", Check::Exists, ""));
    }

    #[test]
    fn an_xpath_with_an_undeclared_prefix_or_a_non_xml_body_fails_saying_so() {
        let soap = received(200, &[], SOAP_QUERY);
        let result = fails(
            &soap,
            &assertion(Subject::Xpath, "//ns1:result", Check::Exists, ""),
        );
        assert!(
            result.message.contains("the prefix \"ns1\""),
            "{}",
            result.message
        );
        assert!(
            result.message.contains("sf, soapenv, xsi"),
            "{}",
            result.message
        );
        let result = fails(
            &soap,
            &assertion(Subject::Xpath, "//records[", Check::Exists, ""),
        );
        assert!(
            result.message.contains("\"//records[\""),
            "{}",
            result.message
        );
        assert!(
            result.message.contains("at character 11"),
            "{}",
            result.message
        );
        let json = received(200, &[], REST_QUERY);
        let result = fails(
            &json,
            &assertion(Subject::Xpath, "//done", Check::Equals, "true"),
        );
        assert!(
            result.message.starts_with("the body is not XML: "),
            "{}",
            result.message
        );
    }

    #[test]
    fn the_body_is_compared_as_text() {
        let response = received(200, &[], &format!("\n  {SOAP_QUERY}\n"));
        let body = |check: Check, value: &str| assertion(Subject::Body, "", check, value);
        passes(&response, &body(Check::Equals, SOAP_QUERY));
        passes(&response, &body(Check::Equals, &format!(" {SOAP_QUERY}\n")));
        let result = fails(&response, &body(Check::Equals, "<done>true</done>"));
        assert!(
            result.message.starts_with("the body is \"<?xml"),
            "{}",
            result.message
        );
        passes(&response, &body(Check::Contains, "<done>true</done>"));
        let result = fails(&response, &body(Check::Contains, "<done>false</done>"));
        assert!(
            result
                .message
                .ends_with("which does not contain \"<done>false</done>\""),
            "{}",
            result.message
        );
        passes(&response, &body(Check::Matches, r"<size>\d+</size>"));
        fails(&response, &body(Check::Matches, r"<size>0</size>"));
    }

    #[test]
    fn actual_is_shortened_on_a_character_boundary() {
        let long = "é".repeat(500);
        let result = fails(
            &received(200, &[], &long),
            &assertion(Subject::Body, "", Check::Contains, "x"),
        );
        let actual = result.actual.unwrap_or_default();
        assert_eq!(actual.chars().count(), SHOWN_CHARS + 1);
        assert!(actual.ends_with("é…"), "{actual}");
        let short = passes(
            &received(200, &[], "ok"),
            &assertion(Subject::Body, "", Check::Equals, "ok"),
        );
        assert_eq!(short.actual.as_deref(), Some("ok"));
    }

    #[test]
    fn time_passes_only_under_the_limit() {
        let response = received(200, &[], ""); // took 120 ms
        let time = |limit: &str| assertion(Subject::Time, "", Check::LessThan, limit);
        let result = passes(&response, &time("800"));
        assert_eq!(result.message, "the response took 120 ms, under 800 ms");
        let result = fails(&response, &time("100"));
        assert_eq!(
            result.message,
            "the response took 120 ms, expected under 100 ms"
        );
        assert_eq!(result.actual.as_deref(), Some("120 ms"));
        fails(&response, &time("120"));
    }

    fn on_attempts(assertion: &Assertion, attempts: &[Attempt]) -> AssertionResult {
        let (response, verdict) = attempts
            .iter()
            .rev()
            .find_map(|attempt| match attempt {
                Attempt::Sent {
                    response, verdict, ..
                } => Some((response.clone(), verdict.clone())),
                _ => None,
            })
            .unwrap_or_else(|| (received(200, &[], ""), fine()));
        evaluate(
            assertion,
            &Evidence {
                response: &response,
                attempts,
                verdict: &verdict,
            },
        )
    }

    /// Expired, refreshed, retried: what a send does with a SOAP session
    /// that expired.
    fn recovered_send() -> Vec<Attempt> {
        vec![
            sent(
                1,
                received(500, &[], SOAP_INVALID_SESSION),
                invalid_session(),
            ),
            refreshed(),
            sent(2, received(200, &[], SOAP_QUERY), fine()),
        ]
    }

    #[test]
    fn expiry_none_passes_only_when_nothing_expired_or_was_refreshed() {
        let none = assertion(Subject::Expiry, "", Check::Equals, "none");
        let result = on_attempts(&none, &[sent(1, received(200, &[], SOAP_QUERY), fine())]);
        assert!(result.passed, "{}", result.message);
        assert_eq!(
            result.message,
            "no token expired (the response answered 200)"
        );
        assert_eq!(result.actual.as_deref(), Some("none"));
        let result = on_attempts(&none, &recovered_send());
        assert!(!result.passed);
        assert_eq!(
            result.message,
            "expected no token expiry, but the token expired (rule soap.invalid_session), was refreshed and the retry answered 200"
        );
        let result = on_attempts(
            &none,
            &[sent(1, received(200, &[], SOAP_QUERY), fine()), refreshed()],
        );
        assert!(!result.passed, "{}", result.message);
    }

    #[test]
    fn expiry_recovered_needs_an_expiry_a_refresh_and_a_good_retry() {
        let recovered = assertion(Subject::Expiry, "", Check::Equals, "recovered");
        let result = on_attempts(&recovered, &recovered_send());
        assert!(result.passed, "{}", result.message);
        assert_eq!(
            result.message,
            "the token expired (rule soap.invalid_session), was refreshed and the retry answered 200"
        );
        assert_eq!(result.actual.as_deref(), Some("recovered"));

        let mut attempts = recovered_send();
        attempts[1] = Attempt::Refreshed {
            credential: "acme-sandbox".into(),
            trigger: None,
            already_refreshed: true,
            not_stored: None,
        };
        let result = on_attempts(&recovered, &attempts);
        assert!(result.passed, "{}", result.message);
        assert!(
            result.message.ends_with(
                "took the token another call had just refreshed and the retry answered 200"
            ),
            "{}",
            result.message
        );

        let result = on_attempts(
            &recovered,
            &[sent(1, received(200, &[], SOAP_QUERY), fine())],
        );
        assert!(!result.passed);
        assert_eq!(
            result.message,
            "expected the token to expire and recover, but no token expired (the response answered 200)"
        );

        let expired = || {
            sent(
                1,
                received(500, &[], SOAP_INVALID_SESSION),
                invalid_session(),
            )
        };
        let cases: [(Vec<Attempt>, &str); 4] = [
            (
                vec![expired()],
                "the token expired (rule soap.invalid_session) and was not refreshed",
            ),
            (
                vec![
                    expired(),
                    Attempt::RefreshFailed {
                        credential: "acme-sandbox".into(),
                        trigger: None,
                        error: report("the refresh token was revoked"),
                    },
                ],
                "and refreshing failed: the refresh token was revoked",
            ),
            (
                vec![
                    expired(),
                    refreshed(),
                    sent(
                        2,
                        received(500, &[], SOAP_INVALID_SESSION),
                        invalid_session(),
                    ),
                ],
                "was refreshed, but the retry was refused too (500, rule soap.invalid_session)",
            ),
            (
                vec![
                    expired(),
                    Attempt::RefreshSkipped {
                        reason: "the request names no credential".into(),
                    },
                ],
                "and nothing was refreshed: the request names no credential",
            ),
        ];
        for (attempts, words) in cases {
            let result = on_attempts(&recovered, &attempts);
            assert!(!result.passed, "{}", result.message);
            assert!(result.message.contains(words), "{}", result.message);
            assert_eq!(result.actual.as_deref(), Some("not recovered"));
        }
    }

    #[test]
    fn salesforce_refreshes_is_read_from_the_first_response() {
        let salesforce = |value: &str| assertion(Subject::Salesforce, "", Check::Equals, value);
        let result = on_attempts(&salesforce("true"), &recovered_send());
        assert!(result.passed, "{}", result.message);
        assert_eq!(
            result.message,
            "a Salesforce Named Credential would refresh: a SOAP fault INVALID_SESSION_ID is what Named Credentials refresh on"
        );
        assert_eq!(result.actual.as_deref(), Some("true"));
        let result = on_attempts(&salesforce("false"), &recovered_send());
        assert!(!result.passed);
        assert!(
            result.message.starts_with(
                "expected a Salesforce Named Credential not to refresh, but it would: a SOAP fault"
            ),
            "{}",
            result.message
        );
        let wso2 = [sent(
            1,
            received(401, &[], WSO2_401),
            verdict(
                true,
                Some("wso2.invalid_credentials"),
                false,
                "a 401 without a Salesforce session error",
            ),
        )];
        let result = on_attempts(&salesforce("false"), &wso2);
        assert!(result.passed, "{}", result.message);
        assert!(
            result.message.contains("would not refresh: a 401 without"),
            "{}",
            result.message
        );
    }

    #[test]
    fn extraction_takes_the_first_value() {
        let rest = received(
            200,
            &[("Sforce-Limit-Info", "api-usage=7/15000")],
            REST_QUERY,
        );
        let soap = received(200, &[], SOAP_QUERY);
        let from = |variable: &str, from: ExtractFrom, path: &str| Extraction {
            variable: variable.into(),
            from,
            path: path.into(),
        };
        assert_eq!(
            extract(
                &from("account_id", ExtractFrom::Json, "$.records[0].Id"),
                &rest
            ),
            Ok("001000000000001AAA".to_string())
        );
        assert_eq!(
            extract(&from("total", ExtractFrom::Json, "$.totalSize"), &rest),
            Ok("1".to_string())
        );
        assert_eq!(
            extract(
                &from("record_type", ExtractFrom::Json, "$..attributes.type"),
                &rest
            ),
            Ok("Account".to_string())
        );
        assert_eq!(
            extract(&from("first", ExtractFrom::Json, "$.records[0].attributes"), &rest),
            Ok(r#"{"type":"Account","url":"/services/data/v61.0/sobjects/Account/001000000000001AAA"}"#.to_string())
        );
        assert_eq!(
            extract(&from("account_id", ExtractFrom::Xpath, "//sf:Id"), &soap),
            Ok("001000000000001AAA".to_string())
        );
        assert_eq!(
            extract(
                &from("first_field", ExtractFrom::Xpath, "//records/*"),
                &soap
            ),
            Ok("Account".to_string())
        );
        assert_eq!(
            extract(
                &from("limits", ExtractFrom::Header, "sforce-limit-info"),
                &rest
            ),
            Ok("api-usage=7/15000".to_string())
        );
    }

    #[test]
    fn extraction_errors_name_the_variable_and_the_path() {
        let rest = received(200, &[], REST_QUERY);
        let soap = received(200, &[], SOAP_QUERY);
        let from = |from: ExtractFrom, path: &str| Extraction {
            variable: "account_id".into(),
            from,
            path: path.into(),
        };
        let cases = [
            (
                from(ExtractFrom::Json, "$.id"),
                &rest,
                "cannot set \"account_id\" from $.id: the response has nothing there",
            ),
            (
                from(ExtractFrom::Json, "$.id"),
                &soap,
                "cannot set \"account_id\" from $.id: the body is not JSON: expected value at line 1 column 1",
            ),
            (
                from(ExtractFrom::Header, "Location"),
                &rest,
                "cannot set \"account_id\" from header Location: the response has nothing there",
            ),
            (
                from(ExtractFrom::Xpath, "//sf:Id"),
                &rest,
                "cannot set \"account_id\" from //sf:Id: the body is not XML",
            ),
            (
                from(ExtractFrom::Xpath, "//Id2"),
                &soap,
                "cannot set \"account_id\" from //Id2: the response has nothing there",
            ),
        ];
        for (extraction, response, words) in cases {
            let error = extract(&extraction, response).unwrap_err();
            assert!(error.starts_with(words), "{error}");
        }
        let unnamed = Extraction {
            variable: "account id".into(),
            from: ExtractFrom::Json,
            path: "$.id".into(),
        };
        assert!(
            extract(&unnamed, &rest)
                .unwrap_err()
                .contains("cannot name a variable")
        );
    }

    #[test]
    fn evidence_of_an_outcome_is_its_last_response_attempts_and_verdict() {
        let attempts = recovered_send();
        let outcome = Outcome {
            request: request(),
            lint: Vec::new(),
            response: received(200, &[], SOAP_QUERY),
            verdict: fine(),
            attempts,
            refreshed: None,
            refreshed_before_sending: false,
        };
        let evidence = Evidence::of(&outcome);
        let result = evaluate(
            &assertion(Subject::Expiry, "", Check::Equals, "recovered"),
            &evidence,
        );
        assert!(result.passed, "{}", result.message);
        assert_eq!(evidence.attempts.len(), 3);
    }
}

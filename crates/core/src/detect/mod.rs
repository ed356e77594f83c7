//! Expiry detection: for every response, whether the access token expired,
//! which rule says so, and why, in one sentence naming the evidence; and what
//! a Salesforce Named Credential would have done with the same response.
//!
//! The rules, in the order they are tried:
//! 1. the credential's custom rules (`custom:<name>`);
//! 2. a success or redirect is never expiry, whatever its body mentions —
//!    except a 2xx whose SOAP envelope's Body holds a Fault (some SOAP stacks
//!    answer faults on HTTP 200), judged as rule 3 judges it;
//! 3. a SOAP 1.1 / 1.2 fault: a session fault (`INVALID_SESSION_ID` as the
//!    fault code, a subcode or an `exceptionCode`) is `soap.invalid_session`;
//!    any other fault is not expiry;
//! 4. service error bodies: Salesforce REST `INVALID_SESSION_ID` (JSON and XML),
//!    Microsoft Graph `InvalidAuthenticationToken`, Google `UNAUTHENTICATED`,
//!    AWS `ExpiredToken`, WSO2's "please refresh your access token";
//! 5. RFC 6750 `WWW-Authenticate: Bearer error="invalid_token"`;
//! 6. any other 401 (`http.401`);
//! 7. everything else is not expiry, with the reason (403 `insufficient_scope`,
//!    429, HTML error pages, 5xx, ...).

pub(crate) mod body;
pub use body::pretty;
pub mod catalog;
pub mod teach;
pub(crate) mod xml;

use regex::Regex;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::Result;
use crate::credential::{Credential, ExpiryRule, SalesforceOptions, is_allowed_refresh_code};
use crate::http::{Header, header_value};

use body::Kind;
use xml::Fault;

/// The detector's answer for one response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Verdict {
    pub expired: bool,
    /// The stable id of the rule that decided, e.g. `soap.invalid_session`.
    pub rule: Option<String>,
    /// One sentence naming the evidence.
    pub reason: String,
    pub salesforce: SalesforceVerdict,
}

/// What a Salesforce Named Credential would have done with the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SalesforceVerdict {
    pub would_refresh: bool,
    pub reason: String,
}

/// The words that, in a successful response, are a mention and not a signal.
const MENTIONS: [&str; 6] = [
    "INVALID_SESSION_ID",
    "invalid_token",
    "InvalidAuthenticationToken",
    "UNAUTHENTICATED",
    "ExpiredToken",
    "refresh your access token",
];

/// Classifies responses, with a credential's custom rules and Salesforce
/// options, or with the built-in rules only ([`Detector::default`]).
#[derive(Debug, Clone, Default)]
pub struct Detector {
    rules: Vec<(ExpiryRule, Regex)>,
    salesforce: SalesforceOptions,
    /// The host the response came from (lowercase): which catalog rules
    /// apply. `None`: only those for any host.
    host: Option<String>,
    /// Rules in the catalog's format a user added, tried before the
    /// built-in catalog.
    user_rules: Option<std::sync::Arc<catalog::Catalog>>,
    /// The credential the send went through: which user rules apply.
    credential: Option<String>,
    /// The built-in catalog is left out (to measure what it costs).
    without_catalog: bool,
}

/// A rule's conclusion before the Salesforce verdict is added.
struct Finding {
    expired: bool,
    rule: Option<String>,
    reason: String,
}

impl Finding {
    fn expired(rule: &str, reason: String) -> Self {
        Self {
            expired: true,
            rule: Some(rule.to_string()),
            reason,
        }
    }

    fn fine(reason: String) -> Self {
        Self {
            expired: false,
            rule: None,
            reason,
        }
    }

    /// What a catalog rule concludes: its service's sign of an expired
    /// token, or a failure a refresh cannot cure and what will.
    fn of_catalog(rule: &catalog::Rule, status: u16) -> Self {
        let named = if rule.built_in {
            format!("catalog rule {}, {}", rule.id, rule.source)
        } else {
            format!("your rule {} in {}, {}", rule.id, rule.file, rule.source)
        };
        match rule.means {
            catalog::Means::Expired => Self::expired(
                &rule.id,
                format!(
                    "HTTP {status} is how {} says the access token expired: {} ({named})",
                    rule.service, rule.says
                ),
            ),
            catalog::Means::NotExpiry => Self {
                expired: false,
                rule: Some(rule.id.clone()),
                reason: format!(
                    "HTTP {status} from {} is not an expired token, and refreshing cannot help:                      {}; {} ({named})",
                    rule.service,
                    rule.says,
                    rule.fix.as_deref().unwrap_or("see the source")
                ),
            },
        }
    }
}

impl Detector {
    /// A detector with `credential`'s custom rules and Salesforce options.
    pub fn for_credential(credential: &Credential) -> Result<Self> {
        let rules = credential
            .expiry_rules
            .iter()
            .map(|rule| Ok((rule.clone(), rule.pattern(&credential.name)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            rules,
            salesforce: credential.salesforce.clone(),
            host: None,
            user_rules: None,
            credential: Some(credential.name.clone()),
            without_catalog: false,
        })
    }

    /// The same detector without the built-in catalog: its cost is
    /// measured against this.
    pub fn without_catalog(mut self) -> Self {
        self.without_catalog = true;
        self
    }

    /// The same detector trying `rules` (a user's, in the catalog's
    /// format) before the built-in catalog.
    pub fn with_rules(mut self, rules: std::sync::Arc<catalog::Catalog>) -> Self {
        self.user_rules = Some(rules);
        self
    }

    /// The same detector for a response from `url`'s host, whose catalog
    /// rules then apply (a URL without a host: only rules for any host).
    pub fn for_url(mut self, url: &str) -> Self {
        self.host = url::Url::parse(url.trim())
            .ok()
            .and_then(|url| url.host_str().map(str::to_ascii_lowercase));
        self
    }

    /// The verdict for one response. Never panics, whatever the input.
    pub fn verdict(&self, status: u16, headers: &[Header], raw_body: &[u8]) -> Verdict {
        let body = body::read(headers, raw_body);
        let finding = self.finding(status, headers, &body);
        let mut reason = finding.reason;
        if let Some(problem) = &body.problem {
            reason = format!("{reason}; {problem}, so the body was not fully examined");
        }
        let salesforce = self.salesforce_verdict(status, finding.expired);
        Verdict {
            expired: finding.expired,
            rule: finding.rule,
            reason: format!("{reason}."),
            salesforce,
        }
    }

    fn finding(&self, status: u16, headers: &[Header], body: &body::Body<'_>) -> Finding {
        if let Some(found) = self.custom_rule(status, &body.text) {
            return found;
        }
        let seen = catalog::Seen::new(status, headers, body);
        let host = self.host.as_deref();
        let found = self
            .user_rules
            .as_ref()
            .and_then(|rules| rules.find(host, self.credential.as_deref(), &seen))
            .or_else(|| {
                (!self.without_catalog)
                    .then(|| catalog::built_in().find(host, None, &seen))
                    .flatten()
            });
        if let Some(rule) = found {
            return Finding::of_catalog(rule, status);
        }
        if status < 400 {
            // Some SOAP stacks answer a fault on HTTP 200: a Fault in the
            // envelope's Body is a fault whatever the status. A body that
            // only mentions the words stays a success.
            if (200..300).contains(&status)
                && body.kind == Kind::Xml
                && body.text.contains("Fault")
                && let Some(fault) = seen.xml().and_then(|facts| facts.fault.as_ref())
            {
                return soap_fault(status, fault);
            }
            return success(status, &body.text);
        }
        let xml = seen.xml();
        if let Some(fault) = xml.and_then(|facts| facts.fault.as_ref()) {
            let found = soap_fault(status, fault);
            return match xml.and_then(|facts| facts.problem.as_ref()) {
                Some(problem) if !found.expired => {
                    Finding::fine(format!("{}; {problem}", found.reason))
                }
                _ => found,
            };
        }
        let (json, json_problem) = match seen.json_read() {
            Some(Ok(value)) => (Some(value), None),
            Some(Err(problem)) => (None, Some(problem.clone())),
            None => (None, None),
        };
        let xml_codes: &[String] = xml.map_or(&[], |facts| &facts.error_codes);
        if let Some(found) = service_error(status, headers, json, xml_codes) {
            return found;
        }
        let challenge = header_value(headers, "www-authenticate").map(bearer_challenge);
        if let Some(challenge) = &challenge
            && challenge.error.as_deref() == Some("invalid_token")
        {
            return Finding::expired(
                "rfc6750.invalid_token",
                format!(
                    "HTTP {status} with WWW-Authenticate: Bearer error=\"invalid_token\"{}: \
                         the access token expired or was revoked",
                    described(challenge.description.as_deref())
                ),
            );
        }
        let mut reason = not_expired(status, challenge.as_ref(), headers, body.kind);
        let problem = xml.and_then(|facts| facts.problem.clone()).or(json_problem);
        if let Some(problem) = problem {
            reason = format!("{reason}; {problem}");
        }
        if status == 401 {
            Finding::expired("http.401", reason)
        } else {
            Finding::fine(reason)
        }
    }

    fn custom_rule(&self, status: u16, text: &str) -> Option<Finding> {
        self.rules.iter().find_map(|(rule, pattern)| {
            let status_matches = rule.statuses.is_empty() || rule.statuses.contains(&status);
            (status_matches && pattern.is_match(text)).then(|| {
                Finding::expired(
                    &rule.id(),
                    format!(
                        "HTTP {status} matches custom rule \"{}\": the body matches /{}/",
                        rule.name, rule.body_pattern
                    ),
                )
            })
        })
    }

    fn salesforce_verdict(&self, status: u16, expired: bool) -> SalesforceVerdict {
        let additional: Vec<u16> = self
            .salesforce
            .additional_refresh_status_codes
            .iter()
            .copied()
            .filter(|&code| is_allowed_refresh_code(code) && code != 401)
            .collect();
        let codes = if additional.is_empty() {
            "HTTP 401".to_string()
        } else {
            let list: Vec<String> = additional.iter().map(u16::to_string).collect();
            format!("HTTP 401 or {}", list.join(", "))
        };
        if status == 401 {
            return SalesforceVerdict {
                would_refresh: true,
                reason: "A Named Credential refreshes the token and retries once on HTTP 401."
                    .into(),
            };
        }
        if additional.contains(&status) {
            return SalesforceVerdict {
                would_refresh: true,
                reason: format!(
                    "HTTP {status} is one of this credential's additional status codes for \
                     token refresh, so a Named Credential refreshes and retries once."
                ),
            };
        }
        if status < 400 && !expired {
            return SalesforceVerdict {
                would_refresh: false,
                reason: format!(
                    "A Named Credential refreshes only on {codes}; HTTP {status} needs no refresh."
                ),
            };
        }
        let reason = match (expired, (500..600).contains(&status)) {
            (true, true) => format!(
                "A Named Credential refreshes only on {codes} and never on 5xx, so it would not \
                 have refreshed on this HTTP {status} and the callout would have failed."
            ),
            (true, false) => format!(
                "A Named Credential refreshes only on {codes}, so it would not have refreshed \
                 on this HTTP {status} and the callout would have failed."
            ),
            (false, _) => format!(
                "A Named Credential refreshes only on {codes}, so it would not refresh on HTTP \
                 {status}."
            ),
        };
        SalesforceVerdict {
            would_refresh: false,
            reason,
        }
    }
}

/// A success or redirect: never expiry, even when the body mentions the words.
fn success(status: u16, text: &str) -> Finding {
    let kind = match status {
        300..=399 => "is a redirect, not an authentication failure",
        200..=299 => "is a success",
        _ => "is informational, not an authentication failure",
    };
    let mention = MENTIONS.iter().find(|word| text.contains(**word));
    Finding::fine(match mention {
        Some(word) => format!(
            "HTTP {status} {kind}: the body mentions {word}, but a successful response is not \
             expiry"
        ),
        None if (200..300).contains(&status) => {
            format!("HTTP {status} {kind}: the token was accepted")
        }
        None => format!("HTTP {status} {kind}"),
    })
}

fn soap_fault(status: u16, fault: &Fault) -> Finding {
    let version = fault.version.label();
    let session = "INVALID_SESSION_ID";
    let code_text = fault.code.as_ref().map_or_else(
        || "no fault code".to_string(),
        |code| match &code.namespace {
            Some(namespace) if code.raw.contains(':') => {
                format!("fault code {} ({{{namespace}}}{})", code.raw, code.local)
            }
            _ => format!("fault code {}", code.raw),
        },
    );
    if fault
        .code
        .as_ref()
        .is_some_and(|code| code.local == session)
    {
        return Finding::expired(
            "soap.invalid_session",
            format!(
                "HTTP {status} carries a {version} fault with {code_text}: the session (access \
                 token) expired or is invalid"
            ),
        );
    }
    if let Some(subcode) = fault.subcodes.iter().find(|code| code.local == session) {
        return Finding::expired(
            "soap.invalid_session",
            format!(
                "HTTP {status} carries a {version} fault whose subcode is {}: the session \
                 (access token) expired or is invalid",
                subcode.raw
            ),
        );
    }
    if fault.exception_codes.iter().any(|code| code == session) {
        return Finding::expired(
            "soap.invalid_session",
            format!(
                "HTTP {status} carries a {version} fault with exceptionCode {session}: the \
                 session (access token) expired or is invalid"
            ),
        );
    }
    if let (None, Some(start)) = (&fault.code, &fault.cut_off_code) {
        return Finding::fine(format!(
            "HTTP {status} carries a {version} fault whose fault code is cut off after \
             {start}, so whether it is a session fault cannot be told"
        ));
    }
    let detail = match fault.exception_codes.first() {
        Some(exception) => format!("{code_text} and exceptionCode {exception}"),
        None => code_text,
    };
    Finding::fine(format!(
        "HTTP {status} carries a {version} fault with {detail}, which is not a session fault"
    ))
}

/// Service-specific error bodies (and AWS's error-type header).
fn service_error(
    status: u16,
    headers: &[Header],
    json: Option<&Value>,
    xml_codes: &[String],
) -> Option<Finding> {
    let session = "INVALID_SESSION_ID";
    if let Some(json) = json {
        if salesforce_error_codes(json).any(|code| code == session) {
            return Some(Finding::expired(
                "salesforce.rest.invalid_session",
                format!(
                    "HTTP {status} with Salesforce errorCode {session}{}: the session (access \
                     token) expired or is invalid",
                    described(salesforce_message(json))
                ),
            ));
        }
        let error = json.get("error");
        if let Some(code) = error.and_then(|e| e.get("code")).and_then(Value::as_str)
            && code == "InvalidAuthenticationToken"
        {
            return Some(Finding::expired(
                "msgraph.invalid_authentication_token",
                format!(
                    "HTTP {status} with Microsoft Graph error code {code}{}: the access \
                         token expired or is not valid",
                    described(error.and_then(|e| e.get("message")).and_then(Value::as_str))
                ),
            ));
        }
        if let Some(google) = error.and_then(|e| e.get("status")).and_then(Value::as_str)
            && google == "UNAUTHENTICATED"
        {
            return Some(Finding::expired(
                "google.unauthenticated",
                format!(
                    "HTTP {status} with Google error status {google}{}: the access token \
                         expired or is invalid",
                    described(error.and_then(|e| e.get("message")).and_then(Value::as_str))
                ),
            ));
        }
    }
    let aws_code = header_value(headers, "x-amzn-errortype")
        .map(|value| value.split(':').next().unwrap_or(value).trim().to_string())
        .into_iter()
        .chain(json.into_iter().flat_map(aws_json_codes))
        .chain(xml_codes.iter().cloned())
        .find(|code| code == "ExpiredToken" || code == "ExpiredTokenException");
    if let Some(code) = aws_code {
        return Some(Finding::expired(
            "aws.expired_token",
            format!("HTTP {status} with AWS error code {code}: the security token expired"),
        ));
    }
    if xml_codes.iter().any(|code| code == session) {
        return Some(Finding::expired(
            "salesforce.rest.invalid_session",
            format!(
                "HTTP {status} with Salesforce errorCode {session} (XML): the session (access \
                 token) expired or is invalid"
            ),
        ));
    }
    let message = json
        .and_then(|json| json.get("message"))
        .and_then(Value::as_str);
    if let Some(message) = message
        && message
            .to_ascii_lowercase()
            .contains("refresh your access token")
    {
        return Some(Finding::expired(
            "wso2.refresh_token_message",
            format!(
                "HTTP {status} with the message \"{}\" (WSO2 API Manager): the access token \
                     expired",
                clip(message)
            ),
        ));
    }
    None
}

/// `errorCode`s of a Salesforce REST error array (or a single error object).
fn salesforce_error_codes(json: &Value) -> impl Iterator<Item = &str> {
    let items: Vec<&Value> = match json {
        Value::Array(items) => items.iter().collect(),
        object @ Value::Object(_) => vec![object],
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|item| item.get("errorCode").and_then(Value::as_str))
}

fn salesforce_message(json: &Value) -> Option<&str> {
    match json {
        Value::Array(items) => items.first()?.get("message")?.as_str(),
        other => other.get("message")?.as_str(),
    }
}

/// AWS error codes in JSON bodies: `__type` (after any `#`), `code`, `Error.Code`.
fn aws_json_codes(json: &Value) -> Vec<String> {
    let mut codes = Vec::new();
    if let Some(kind) = json.get("__type").and_then(Value::as_str) {
        codes.push(kind.rsplit('#').next().unwrap_or(kind).to_string());
    }
    for code in [
        json.get("code"),
        json.get("Code"),
        json.get("Error").and_then(|e| e.get("Code")),
    ]
    .into_iter()
    .flatten()
    .filter_map(Value::as_str)
    {
        codes.push(code.to_string());
    }
    codes
}

/// The sentence for a response no expiry rule matched (a 401 is still
/// expiry: `http.401`).
fn not_expired(
    status: u16,
    challenge: Option<&Challenge>,
    headers: &[Header],
    kind: Kind,
) -> String {
    let challenge_note = match challenge {
        Some(Challenge {
            bearer: true,
            error: Some(error),
            ..
        }) => format!(" with WWW-Authenticate: Bearer error=\"{error}\""),
        Some(Challenge {
            bearer: true,
            error: None,
            ..
        }) => " with a WWW-Authenticate: Bearer challenge that names no error".to_string(),
        _ => String::new(),
    };
    match status {
        401 => format!(
            "HTTP 401 Unauthorized{challenge_note}: the token was rejected, and no more specific \
             signal says why"
        ),
        403 if challenge.and_then(|c| c.error.as_deref()) == Some("insufficient_scope") => {
            "HTTP 403 with WWW-Authenticate: Bearer error=\"insufficient_scope\": the token is \
             valid but lacks a scope, which a refresh does not add"
                .into()
        }
        403 => format!(
            "HTTP 403 Forbidden{challenge_note}: the token was accepted but is not allowed to do \
             this, which is not expiry"
        ),
        429 => {
            let retry = header_value(headers, "retry-after")
                .map(|after| format!(" (Retry-After: {})", clip(after)))
                .unwrap_or_default();
            format!("HTTP 429 Too Many Requests is rate limiting, not expiry{retry}")
        }
        _ if kind == Kind::Html => format!(
            "HTTP {status} returned an HTML page, not an API error, and carries no expiry signal"
        ),
        500..=599 => format!("HTTP {status} is a server error, not token expiry"),
        400 if challenge.and_then(|c| c.error.as_deref()) == Some("invalid_request") => {
            "HTTP 400 with WWW-Authenticate: Bearer error=\"invalid_request\": the request is \
             malformed, which is not expiry"
                .into()
        }
        _ => format!("HTTP {status} is not an authentication failure and carries no expiry signal"),
    }
}

/// What a `WWW-Authenticate` header says, as far as Bearer tokens go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Challenge {
    bearer: bool,
    error: Option<String>,
    description: Option<String>,
}

/// Reads the Bearer challenge's `error` and `error_description` parameters.
fn bearer_challenge(header: &str) -> Challenge {
    let mut challenge = Challenge::default();
    let Some(start) = find_ignore_case(header, "bearer") else {
        return challenge;
    };
    challenge.bearer = true;
    let mut rest = &header[start + "bearer".len()..];
    while let Some((name, value, after)) = next_param(rest) {
        if name.eq_ignore_ascii_case("error") {
            challenge.error.get_or_insert(value);
        } else if name.eq_ignore_ascii_case("error_description") {
            challenge.description.get_or_insert(value);
        }
        rest = after;
    }
    challenge
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .to_ascii_lowercase()
        .find(&needle.to_ascii_lowercase())
}

/// The next `name=value` or `name="quoted value"` parameter in `text`.
fn next_param(text: &str) -> Option<(String, String, &str)> {
    let text = text.trim_start_matches([' ', ',', '\t']);
    let eq = text.find('=')?;
    let name = text[..eq].trim();
    let name = name.rsplit([' ', ',']).next().unwrap_or(name).to_string();
    let after = text[eq + 1..].trim_start();
    if let Some(quoted) = after.strip_prefix('"') {
        let mut value = String::new();
        let mut escaped = false;
        for (index, c) in quoted.char_indices() {
            match c {
                _ if escaped => {
                    value.push(c);
                    escaped = false;
                }
                '\\' => escaped = true,
                '"' => return Some((name, value, &quoted[index + 1..])),
                _ => value.push(c),
            }
        }
        Some((name, value, ""))
    } else {
        let end = after.find([',', ' ']).unwrap_or(after.len());
        Some((name, after[..end].to_string(), &after[end..]))
    }
}

/// ` ("text")` for a message worth quoting, or nothing.
fn described(message: Option<&str>) -> String {
    match message.map(str::trim) {
        Some(text) if !text.is_empty() => format!(" (\"{}\")", clip(text)),
        _ => String::new(),
    }
}

/// At most 120 characters of a quoted text.
fn clip(text: &str) -> String {
    const MAX: usize = 120;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let short: String = text.chars().take(MAX).collect();
        format!("{short}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_challenges_are_parsed() {
        let challenge = bearer_challenge(
            r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#,
        );
        assert!(challenge.bearer);
        assert_eq!(challenge.error.as_deref(), Some("invalid_token"));
        assert_eq!(
            challenge.description.as_deref(),
            Some("The access token expired")
        );
        let bare = bearer_challenge(r#"Bearer realm="example""#);
        assert_eq!(bare.error, None);
        let unquoted = bearer_challenge("Bearer error=invalid_token");
        assert_eq!(unquoted.error.as_deref(), Some("invalid_token"));
        assert_eq!(bearer_challenge("Basic realm=\"x\""), Challenge::default());
    }

    #[test]
    fn only_valid_additional_codes_count() {
        let detector = Detector {
            rules: Vec::new(),
            salesforce: SalesforceOptions {
                additional_refresh_status_codes: vec![403, 500],
                ..SalesforceOptions::default()
            },
            host: None,
            user_rules: None,
            credential: None,
            without_catalog: false,
        };
        assert!(detector.verdict(403, &[], b"").salesforce.would_refresh);
        assert!(!detector.verdict(500, &[], b"").salesforce.would_refresh);
    }
}

//! The catalog of how real APIs say "your token expired" — and the 401s
//! that say refreshing cannot help — as data: readable TOML rule files, one
//! per service, shipped inside the binary (`catalog/*.toml`), in the same
//! format users write their own in.
//!
//! # The format
//! ```toml
//! service = "Slack Web API"
//! hosts = ["slack.com"]            # a host and its subdomains; "*" is any host
//!
//! [[rule]]
//! id = "slack.token_expired"
//! means = "expired"                # or "not_expiry": refreshing cannot help
//! status = [200]                   # the statuses it applies to
//! when = [                         # every condition must hold
//!   { json = "$.ok", equals = false },
//!   { json = "$.error", in = ["token_expired", "invalid_auth"] },
//! ]
//! says = "Slack answers an expired token on HTTP 200 with ok false and error token_expired"
//! source = "https://api.slack.com/authentication/rotation"
//! fix = "..."                      # for not_expiry: what will fix it
//!
//! [[rule.example]]                 # a response it must match
//! status = 200
//! headers = ["Content-Type: application/json"]
//! body = '{"ok":false,"error":"token_expired"}'
//!
//! [[rule.not]]                     # a neighbouring response it must not match
//! why = "a rate limit"
//! status = 429
//! body = '{"ok":false,"error":"ratelimited"}'
//! ```
//! A condition names one subject — `json` (a JSONPath into a JSON body),
//! `xpath` (the XPath subset of [`crate::xpath`] into an XML body),
//! `header` (a header's name), `body` (`body = true`: the whole text),
//! `soap_fault` (`soap_fault = true`: the SOAP fault's codes — its code,
//! subcodes and `exceptionCode`s, local names), `xml_error_code` (`= true`:
//! the `errorCode`/`Code` values of a non-SOAP XML error document) — and one
//! check: `equals`, `in` (a list), `contains`, `matches` (a regular
//! expression), or `exists` (true or false). JSON values compare as JSON
//! (`equals = false` is the boolean); everything else as text.
//!
//! A file (or one rule) may name `credentials = ["Acme"]`: its rules then
//! apply only to sends through those credentials (a user's rule for one
//! credential).
//!
//! A rule applies only to its hosts and statuses; its examples and
//! counter-examples are its tests (`callout rules test`, and the catalog's
//! own test runs every one).

use std::cell::OnceCell;
use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;
use serde_json_path::JsonPath;

use super::body::{self, Kind};
use super::xml;
use crate::http::Header;
use crate::xpath::XPath;

/// The built-in rule files: (file name, text), one per service.
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "amazon_sp_api.toml",
        include_str!("catalog/amazon_sp_api.toml"),
    ),
    ("apigee.toml", include_str!("catalog/apigee.toml")),
    ("atlassian.toml", include_str!("catalog/atlassian.toml")),
    ("auth0.toml", include_str!("catalog/auth0.toml")),
    (
        "aws_api_gateway.toml",
        include_str!("catalog/aws_api_gateway.toml"),
    ),
    ("aws_cognito.toml", include_str!("catalog/aws_cognito.toml")),
    ("azure_apim.toml", include_str!("catalog/azure_apim.toml")),
    (
        "azure_resource_manager.toml",
        include_str!("catalog/azure_resource_manager.toml"),
    ),
    ("bitbucket.toml", include_str!("catalog/bitbucket.toml")),
    ("discord.toml", include_str!("catalog/discord.toml")),
    ("docusign.toml", include_str!("catalog/docusign.toml")),
    ("dropbox.toml", include_str!("catalog/dropbox.toml")),
    ("ebay.toml", include_str!("catalog/ebay.toml")),
    ("feishu.toml", include_str!("catalog/feishu.toml")),
    ("fitbit.toml", include_str!("catalog/fitbit.toml")),
    ("github.toml", include_str!("catalog/github.toml")),
    ("gitlab.toml", include_str!("catalog/gitlab.toml")),
    ("google.toml", include_str!("catalog/google.toml")),
    ("graphql.toml", include_str!("catalog/graphql.toml")),
    ("hubspot.toml", include_str!("catalog/hubspot.toml")),
    ("kong.toml", include_str!("catalog/kong.toml")),
    ("linkedin.toml", include_str!("catalog/linkedin.toml")),
    ("mailchimp.toml", include_str!("catalog/mailchimp.toml")),
    ("marketo.toml", include_str!("catalog/marketo.toml")),
    ("meta.toml", include_str!("catalog/meta.toml")),
    (
        "microsoft_identity.toml",
        include_str!("catalog/microsoft_identity.toml"),
    ),
    ("netsuite.toml", include_str!("catalog/netsuite.toml")),
    ("notion.toml", include_str!("catalog/notion.toml")),
    ("okta.toml", include_str!("catalog/okta.toml")),
    ("pardot.toml", include_str!("catalog/pardot.toml")),
    ("paypal.toml", include_str!("catalog/paypal.toml")),
    ("quickbooks.toml", include_str!("catalog/quickbooks.toml")),
    ("ringcentral.toml", include_str!("catalog/ringcentral.toml")),
    ("salesforce.toml", include_str!("catalog/salesforce.toml")),
    ("slack.toml", include_str!("catalog/slack.toml")),
    ("spotify.toml", include_str!("catalog/spotify.toml")),
    ("square.toml", include_str!("catalog/square.toml")),
    ("strava.toml", include_str!("catalog/strava.toml")),
    ("stripe.toml", include_str!("catalog/stripe.toml")),
    ("twitch.toml", include_str!("catalog/twitch.toml")),
    ("vk.toml", include_str!("catalog/vk.toml")),
    ("wechat.toml", include_str!("catalog/wechat.toml")),
    ("wssecurity.toml", include_str!("catalog/wssecurity.toml")),
    ("xero.toml", include_str!("catalog/xero.toml")),
    ("yahoo.toml", include_str!("catalog/yahoo.toml")),
    ("zoho.toml", include_str!("catalog/zoho.toml")),
    ("zoom.toml", include_str!("catalog/zoom.toml")),
];

/// What a rule concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Means {
    /// The access token expired or was revoked: refresh and retry.
    Expired,
    /// An authentication failure a refresh cannot cure (consent revoked, a
    /// scope or client mismatch, an API key): no refresh is spent on it.
    NotExpiry,
}

impl Means {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "expired" => Some(Means::Expired),
            "not_expiry" => Some(Means::NotExpiry),
            _ => None,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Means::Expired => "expired",
            Means::NotExpiry => "not_expiry",
        }
    }
}

/// A response a rule is tested with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub status: u16,
    pub headers: Vec<Header>,
    pub body: String,
    /// For a counter-example: what it is instead.
    pub why: Option<String>,
}

impl Sample {
    /// A recorded response, as a file holds it: the status line, the
    /// headers, a blank line, the body (line ends `\n` or `\r\n`). An
    /// error names the line that is not what it should be.
    pub fn parse_recorded(text: &str) -> Result<Sample, String> {
        let text = text.replace("\r\n", "\n");
        let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status_line = lines.next().unwrap_or_default();
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse::<u16>().ok())
            .filter(|code| (100..=999).contains(code))
            .ok_or_else(|| {
                format!(
                    "line 1 must be a status line such as \"HTTP/1.1 401 Unauthorized\", not \
                     \"{status_line}\""
                )
            })?;
        let headers = lines
            .enumerate()
            .map(|(index, line)| {
                Header::parse(line).map_err(|error| format!("line {}: {error}", index + 2))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Sample {
            status,
            headers,
            body: body.to_string(),
            why: None,
        })
    }
}

/// One rule, compiled.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub service: String,
    pub means: Means,
    /// Empty: every status from 400 up.
    pub statuses: Vec<u16>,
    /// Lowercase; `*` is any host.
    pub hosts: Vec<String>,
    /// The credentials whose sends it applies to; empty: any send.
    pub credentials: Vec<String>,
    conditions: Vec<Condition>,
    /// The rule as written, one line per condition, for display.
    pub conditions_shown: Vec<String>,
    pub says: String,
    pub source: String,
    pub fix: Option<String>,
    pub examples: Vec<Sample>,
    pub counter_examples: Vec<Sample>,
    /// The file it came from.
    pub file: String,
    /// Part of the catalog built into Callout Lab (not a user's rule).
    pub built_in: bool,
}

#[derive(Debug, Clone)]
enum Subject {
    Json(JsonPath),
    XPath(XPath),
    Header(String),
    Body,
    SoapFault,
    XmlErrorCode,
}

#[derive(Debug, Clone)]
enum Check {
    Equals(Value),
    In(Vec<Value>),
    Contains(String),
    Matches(Regex),
    Exists(bool),
}

#[derive(Debug, Clone)]
struct Condition {
    subject: Subject,
    check: Check,
}

/// A set of rules, in order: the first that matches decides.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub rules: Vec<Rule>,
}

/// The catalog built into Callout Lab.
pub fn built_in() -> &'static Catalog {
    static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
        let mut catalog = Catalog::default();
        for (file, text) in BUILT_IN {
            // The catalog's test reads every file; one that does not read
            // is left out rather than stopping every verdict.
            if let Ok(rules) = parse_file(text, file) {
                catalog.rules.extend(rules.into_iter().map(|rule| Rule {
                    built_in: true,
                    ..rule
                }));
            }
        }
        catalog
    });
    &CATALOG
}

/// A response as the rules see it: the body's JSON and XML read at most
/// once, and only when a rule asks.
pub(crate) struct Seen<'a> {
    pub status: u16,
    pub headers: &'a [Header],
    pub body: &'a body::Body<'a>,
    json: OnceCell<Option<Result<Value, String>>>,
    xml: OnceCell<Option<xml::Facts>>,
    document: OnceCell<Option<roxmltree::Document<'a>>>,
}

impl<'a> Seen<'a> {
    pub(crate) fn new(status: u16, headers: &'a [Header], body: &'a body::Body<'a>) -> Self {
        Self {
            status,
            headers,
            body,
            json: OnceCell::new(),
            xml: OnceCell::new(),
            document: OnceCell::new(),
        }
    }

    /// The body as an XML tree (for XPath), when it is well-formed XML.
    pub(crate) fn document(&self) -> Option<&roxmltree::Document<'a>> {
        self.document
            .get_or_init(|| {
                let body: &'a body::Body<'a> = self.body;
                (body.kind == Kind::Xml)
                    .then(|| roxmltree::Document::parse(&body.text).ok())
                    .flatten()
            })
            .as_ref()
    }

    /// The body as JSON, when it is JSON small enough to parse.
    pub(crate) fn json(&self) -> Option<&Value> {
        self.json_read().and_then(|read| read.as_ref().ok())
    }

    /// The body read as JSON, or why it could not be (`None`: it is not
    /// JSON).
    pub(crate) fn json_read(&self) -> Option<&Result<Value, String>> {
        self.json
            .get_or_init(|| {
                (self.body.kind == Kind::Json).then(|| {
                    if self.body.text.len() > body::MAX_JSON_BYTES {
                        return Err(format!(
                            "the JSON body is larger than {} KiB, so it was not parsed",
                            body::MAX_JSON_BYTES / 1024
                        ));
                    }
                    serde_json::from_str(&self.body.text)
                        .map_err(|error| format!("the JSON body could not be parsed ({error})"))
                })
            })
            .as_ref()
    }

    /// What the XML scan found, when the body is XML.
    pub(crate) fn xml(&self) -> Option<&xml::Facts> {
        self.xml
            .get_or_init(|| (self.body.kind == Kind::Xml).then(|| xml::scan(&self.body.text)))
            .as_ref()
    }
}

impl Catalog {
    /// The first rule for `host` and the response's status whose every
    /// condition holds.
    pub(crate) fn find(
        &self,
        host: Option<&str>,
        credential: Option<&str>,
        seen: &Seen<'_>,
    ) -> Option<&Rule> {
        self.rules.iter().find(|rule| {
            rule.applies(host, seen.status) && rule.is_for(credential) && rule.holds(seen)
        })
    }

    /// The rule with `id`, if any.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|rule| rule.id == id)
    }
}

impl Rule {
    /// Whether the rule is for `host` (`None`: only rules for any host) and
    /// `status`.
    pub fn applies(&self, host: Option<&str>, status: u16) -> bool {
        let status_fits = if self.statuses.is_empty() {
            status >= 400
        } else {
            self.statuses.contains(&status)
        };
        status_fits && self.hosts.iter().any(|pattern| host_fits(pattern, host))
    }

    /// Whether the rule applies to sends through `credential`.
    pub fn is_for(&self, credential: Option<&str>) -> bool {
        self.credentials.is_empty()
            || credential.is_some_and(|name| {
                self.credentials
                    .iter()
                    .any(|wanted| wanted.eq_ignore_ascii_case(name))
            })
    }

    fn holds(&self, seen: &Seen<'_>) -> bool {
        self.conditions
            .iter()
            .all(|condition| condition.holds(seen))
    }

    /// Whether `sample` (sent from `host`) matches the rule.
    pub fn matches(&self, host: Option<&str>, sample: &Sample) -> bool {
        let body = body::read(&sample.headers, sample.body.as_bytes());
        let seen = Seen::new(sample.status, &sample.headers, &body);
        self.applies(host, sample.status) && self.holds(&seen)
    }

    /// A host the rule applies to, for testing it: its first, or
    /// `api.example.com` for a rule of any host.
    pub fn sample_host(&self) -> String {
        match self.hosts.first().map(String::as_str) {
            None | Some("*") => "api.example.com".into(),
            Some(host) => host.to_string(),
        }
    }
}

/// How one example or counter-example of a rule fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleCheck {
    pub rule: String,
    /// "example 1", "not 2".
    pub sample: String,
    pub passed: bool,
    /// What happened, one sentence.
    pub message: String,
}

/// Runs every rule's examples (each must match, from one of the rule's
/// hosts) and counter-examples (none may), and checks that a rule for
/// some hosts does not match its example from another host.
pub fn check_samples(rules: &[Rule]) -> Vec<SampleCheck> {
    let mut checks = Vec::new();
    for rule in rules {
        let host = rule.sample_host();
        if rule.examples.is_empty() {
            checks.push(SampleCheck {
                rule: rule.id.clone(),
                sample: "examples".into(),
                passed: false,
                message: "the rule has no [[rule.example]]: give a response it must match".into(),
            });
        }
        for (index, example) in rule.examples.iter().enumerate() {
            let matched = rule.matches(Some(&host), example);
            let elsewhere = !rule.hosts.iter().any(|pattern| pattern == "*")
                && rule.matches(Some("callout-lab.invalid"), example);
            checks.push(SampleCheck {
                rule: rule.id.clone(),
                sample: format!("example {}", index + 1),
                passed: matched && !elsewhere,
                message: match (matched, elsewhere) {
                    (false, _) => format!("HTTP {} from {host} does not match", example.status),
                    (true, true) => "it matches from a host the rule is not for too".into(),
                    (true, false) => format!("HTTP {} from {host} matches", example.status),
                },
            });
        }
        for (index, counter) in rule.counter_examples.iter().enumerate() {
            let matched = rule.matches(Some(&host), counter);
            let why = counter.why.as_deref().unwrap_or("a neighbouring response");
            checks.push(SampleCheck {
                rule: rule.id.clone(),
                sample: format!("not {}", index + 1),
                passed: !matched,
                message: if matched {
                    format!("it matches {why}, which it must not")
                } else {
                    format!("it does not match {why}")
                },
            });
        }
    }
    checks
}

/// Whether `host` is `pattern` or one of its subdomains (`*`: any host).
fn host_fits(pattern: &str, host: Option<&str>) -> bool {
    if pattern == "*" {
        return true;
    }
    let Some(host) = host else {
        return false;
    };
    let host = host.trim_end_matches('.');
    host.eq_ignore_ascii_case(pattern)
        || (host.len() > pattern.len()
            && host.as_bytes()[host.len() - pattern.len() - 1] == b'.'
            && host[host.len() - pattern.len()..].eq_ignore_ascii_case(pattern))
}

impl Condition {
    fn holds(&self, seen: &Seen<'_>) -> bool {
        match &self.subject {
            Subject::Json(path) => {
                let Some(document) = seen.json() else {
                    return matches!(self.check, Check::Exists(false));
                };
                let found: Vec<&Value> = path.query(document).all();
                self.check.holds_json(&found)
            }
            Subject::XPath(path) => {
                let found = seen
                    .document()
                    .and_then(|document| path.values(document).ok())
                    .unwrap_or_default();
                let found: Vec<&str> = found.iter().map(String::as_str).collect();
                self.check.holds_text(&found)
            }
            Subject::Header(name) => {
                let found: Vec<&str> = seen
                    .headers
                    .iter()
                    .filter(|header| header.name.trim().eq_ignore_ascii_case(name))
                    .map(|header| header.value.as_str())
                    .collect();
                self.check.holds_text(&found)
            }
            Subject::Body => self.check.holds_text(&[&seen.body.text]),
            Subject::SoapFault => {
                let codes: Vec<&str> = seen
                    .xml()
                    .and_then(|facts| facts.fault.as_ref())
                    .map(|fault| {
                        fault
                            .code
                            .iter()
                            .chain(fault.subcodes.iter())
                            .map(|code| code.local.as_str())
                            .chain(fault.exception_codes.iter().map(String::as_str))
                            .collect()
                    })
                    .unwrap_or_default();
                self.check.holds_text(&codes)
            }
            Subject::XmlErrorCode => {
                let codes: Vec<&str> = seen
                    .xml()
                    .map(|facts| facts.error_codes.iter().map(String::as_str).collect())
                    .unwrap_or_default();
                self.check.holds_text(&codes)
            }
        }
    }
}

impl Check {
    fn holds_json(&self, found: &[&Value]) -> bool {
        match self {
            Check::Exists(wanted) => found.is_empty() != *wanted,
            Check::Equals(value) => found.iter().any(|node| json_equals(node, value)),
            Check::In(values) => found
                .iter()
                .any(|node| values.iter().any(|value| json_equals(node, value))),
            Check::Contains(part) => found.iter().any(|node| json_text(node).contains(part)),
            Check::Matches(pattern) => found.iter().any(|node| pattern.is_match(&json_text(node))),
        }
    }

    fn holds_text(&self, found: &[&str]) -> bool {
        let text_of = |value: &Value| match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        match self {
            Check::Exists(wanted) => found.is_empty() != *wanted,
            Check::Equals(value) => found.iter().any(|text| *text == text_of(value)),
            Check::In(values) => found
                .iter()
                .any(|text| values.iter().any(|value| *text == text_of(value))),
            Check::Contains(part) => found.iter().any(|text| text.contains(part.as_str())),
            Check::Matches(pattern) => found.iter().any(|text| pattern.is_match(text)),
        }
    }
}

/// JSON equality, a number also equal to the same number written as text
/// (`"190"` and `190`: services differ in which they send).
fn json_equals(node: &Value, value: &Value) -> bool {
    match (node, value) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::String(text), Value::Number(number))
        | (Value::Number(number), Value::String(text)) => {
            text.trim().parse::<f64>().ok() == number.as_f64()
        }
        _ => node == value,
    }
}

fn json_text(node: &Value) -> String {
    match node {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Reads a rule file; `file` names it in errors. An error names the rule
/// (by its id, or its number) and the field.
pub fn parse_file(text: &str, file: &str) -> Result<Vec<Rule>, String> {
    let table: toml::Table = text.parse().map_err(|error: toml::de::Error| {
        let place = error
            .span()
            .map(|span| {
                let (line, column) = line_column(text, span.start);
                format!(" at line {line}, column {column}")
            })
            .unwrap_or_default();
        format!("{file}{place}: {}", error.message())
    })?;
    let service = string(&table, "service")
        .ok_or_else(|| format!("{file}: `service = \"NAME\"` is missing"))?;
    let file_hosts = match table.get("hosts") {
        Some(hosts) => hosts_of(hosts).map_err(|error| format!("{file}: {error}"))?,
        None => vec!["*".to_string()],
    };
    let file_credentials = match table.get("credentials") {
        Some(names) => credentials_of(names).map_err(|error| format!("{file}: {error}"))?,
        None => Vec::new(),
    };
    for key in table.keys() {
        if !matches!(key.as_str(), "service" | "hosts" | "credentials" | "rule") {
            return Err(format!(
                "{file}: unknown field `{key}` (a file has service, hosts, credentials and \
                 [[rule]] tables)"
            ));
        }
    }
    let rules = match table.get("rule") {
        Some(toml::Value::Array(rules)) => rules,
        Some(_) => return Err(format!("{file}: `rule` must be [[rule]] tables")),
        None => return Err(format!("{file}: the file has no [[rule]]")),
    };
    let mut seen_ids = BTreeSet::new();
    let mut parsed = Vec::with_capacity(rules.len());
    for (index, rule) in rules.iter().enumerate() {
        let toml::Value::Table(rule) = rule else {
            return Err(format!("{file}: rule {} is not a table", index + 1));
        };
        let id = string(rule, "id").unwrap_or_default();
        let named = if id.is_empty() {
            format!("{file}: rule {}", index + 1)
        } else {
            format!("{file}: rule {id}")
        };
        let rule = parse_rule(rule, &service, (&file_hosts, &file_credentials), file)
            .map_err(|error| format!("{named}: {error}"))?;
        if !seen_ids.insert(rule.id.clone()) {
            return Err(format!("{named}: the id is used twice in the file"));
        }
        parsed.push(rule);
    }
    Ok(parsed)
}

fn parse_rule(
    table: &toml::Table,
    service: &str,
    (file_hosts, file_credentials): (&[String], &[String]),
    file: &str,
) -> Result<Rule, String> {
    const FIELDS: [&str; 12] = [
        "id",
        "means",
        "status",
        "hosts",
        "credentials",
        "when",
        "says",
        "source",
        "fix",
        "example",
        "not",
        "service",
    ];
    if let Some(unknown) = table.keys().find(|key| !FIELDS.contains(&key.as_str())) {
        return Err(format!("unknown field `{unknown}`"));
    }
    let id = string(table, "id").ok_or("`id` is missing")?;
    if id.is_empty() || id.chars().any(char::is_whitespace) {
        return Err("`id` must be a word such as slack.token_expired".into());
    }
    let means_text = string(table, "means").ok_or("`means` is missing (expired or not_expiry)")?;
    let means = Means::parse(&means_text)
        .ok_or_else(|| format!("`means = \"{means_text}\"`: use \"expired\" or \"not_expiry\""))?;
    let statuses = match table.get("status") {
        None => Vec::new(),
        Some(toml::Value::Integer(code)) => vec![status_code(*code)?],
        Some(toml::Value::Array(codes)) => codes
            .iter()
            .map(|code| match code {
                toml::Value::Integer(code) => status_code(*code),
                other => Err(format!("`status` holds {other}, not a status code")),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(format!(
                "`status = {other}`: give a code or a list of codes"
            ));
        }
    };
    let hosts = match table.get("hosts") {
        Some(hosts) => hosts_of(hosts)?,
        None => file_hosts.to_vec(),
    };
    let credentials = match table.get("credentials") {
        Some(names) => credentials_of(names)?,
        None => file_credentials.to_vec(),
    };
    let when = match table.get("when") {
        Some(toml::Value::Array(conditions)) => conditions,
        _ => return Err("`when = [ ... ]` is missing: a rule needs at least one condition".into()),
    };
    if when.is_empty() {
        return Err("`when` is empty: a rule needs at least one condition".into());
    }
    let mut conditions = Vec::with_capacity(when.len());
    let mut conditions_shown = Vec::with_capacity(when.len());
    for (index, condition) in when.iter().enumerate() {
        let toml::Value::Table(condition) = condition else {
            return Err(format!("condition {} is not a table", index + 1));
        };
        let (parsed, shown) = parse_condition(condition)
            .map_err(|error| format!("condition {}: {error}", index + 1))?;
        conditions.push(parsed);
        conditions_shown.push(shown);
    }
    let says =
        string(table, "says").ok_or("`says` is missing: one sentence of what the service sends")?;
    let source = string(table, "source").ok_or("`source` is missing: where this is documented")?;
    let fix = string(table, "fix");
    if means == Means::NotExpiry && fix.is_none() {
        return Err("a not_expiry rule needs `fix`: what will fix it".into());
    }
    let examples = samples(table, "example")?;
    let counter_examples = samples(table, "not")?;
    Ok(Rule {
        id,
        service: string(table, "service").unwrap_or_else(|| service.to_string()),
        means,
        statuses,
        hosts,
        credentials,
        conditions,
        conditions_shown,
        says,
        source,
        fix,
        examples,
        counter_examples,
        file: file.to_string(),
        built_in: false,
    })
}

/// A condition, and how it reads: `json $.error equals "token_expired"`.
fn parse_condition(table: &toml::Table) -> Result<(Condition, String), String> {
    const SUBJECTS: [&str; 6] = [
        "json",
        "xpath",
        "header",
        "body",
        "soap_fault",
        "xml_error_code",
    ];
    const CHECKS: [&str; 5] = ["equals", "in", "contains", "matches", "exists"];
    if let Some(unknown) = table
        .keys()
        .find(|key| !SUBJECTS.contains(&key.as_str()) && !CHECKS.contains(&key.as_str()))
    {
        return Err(format!(
            "unknown key `{unknown}` (a condition has one of json, xpath, header, body, \
             soap_fault, xml_error_code and one of equals, in, contains, matches, exists)"
        ));
    }
    let subjects: Vec<&str> = SUBJECTS
        .into_iter()
        .filter(|key| table.contains_key(*key))
        .collect();
    let [subject_key] = subjects[..] else {
        return Err(format!(
            "name one subject (json, xpath, header, body, soap_fault or xml_error_code), not {}",
            if subjects.is_empty() {
                "none".into()
            } else {
                subjects.join(" and ")
            }
        ));
    };
    let checks: Vec<&str> = CHECKS
        .into_iter()
        .filter(|key| table.contains_key(*key))
        .collect();
    let [check_key] = checks[..] else {
        return Err(format!(
            "give one check (equals, in, contains, matches or exists), not {}",
            if checks.is_empty() {
                "none".into()
            } else {
                checks.join(" and ")
            }
        ));
    };
    let subject_value = &table[subject_key];
    let subject = match subject_key {
        "json" => {
            let path = subject_value
                .as_str()
                .ok_or("`json` must be a JSONPath such as \"$.error\"")?;
            Subject::Json(
                JsonPath::parse(path)
                    .map_err(|error| format!("the JSONPath \"{path}\" is not valid: {error}"))?,
            )
        }
        "xpath" => {
            let path = subject_value
                .as_str()
                .ok_or("`xpath` must be an XPath such as \"//faultcode\"")?;
            Subject::XPath(XPath::parse(path)?)
        }
        "header" => Subject::Header(
            subject_value
                .as_str()
                .filter(|name| !name.trim().is_empty())
                .ok_or("`header` must be a header's name")?
                .trim()
                .to_string(),
        ),
        key => {
            if subject_value.as_bool() != Some(true) {
                return Err(format!("write `{key} = true`"));
            }
            match key {
                "body" => Subject::Body,
                "soap_fault" => Subject::SoapFault,
                _ => Subject::XmlErrorCode,
            }
        }
    };
    let value = &table[check_key];
    let check = match check_key {
        "equals" => Check::Equals(json_of(value)?),
        "in" => match value {
            toml::Value::Array(values) if !values.is_empty() => {
                Check::In(values.iter().map(json_of).collect::<Result<_, _>>()?)
            }
            _ => return Err("`in` must be a list of values".into()),
        },
        "contains" => Check::Contains(value.as_str().ok_or("`contains` must be text")?.to_string()),
        "matches" => {
            let pattern = value
                .as_str()
                .ok_or("`matches` must be a regular expression")?;
            Check::Matches(
                Regex::new(pattern).map_err(|error| {
                    format!("\"{pattern}\" is not a regular expression: {error}")
                })?,
            )
        }
        _ => Check::Exists(value.as_bool().ok_or("`exists` must be true or false")?),
    };
    let shown_subject = match subject_key {
        "json" | "xpath" | "header" => format!(
            "{subject_key} {}",
            subject_value.as_str().unwrap_or_default()
        ),
        "body" => "the body".to_string(),
        "soap_fault" => "the SOAP fault's codes".to_string(),
        _ => "the XML error codes".to_string(),
    };
    let shown_value = match value {
        toml::Value::Array(values) => values
            .iter()
            .map(toml::Value::to_string)
            .collect::<Vec<_>>()
            .join(" or "),
        other => other.to_string(),
    };
    let verb = match check_key {
        "in" => "is one of",
        "exists" => "exists:",
        other => other,
    };
    Ok((
        Condition { subject, check },
        format!("{shown_subject} {verb} {shown_value}"),
    ))
}

fn json_of(value: &toml::Value) -> Result<Value, String> {
    Ok(match value {
        toml::Value::String(text) => Value::String(text.clone()),
        toml::Value::Boolean(flag) => Value::Bool(*flag),
        toml::Value::Integer(number) => Value::from(*number),
        toml::Value::Float(number) => serde_json::Number::from_f64(*number)
            .map(Value::Number)
            .ok_or("a number that is not finite")?,
        other => return Err(format!("{other} is not text, a number or true/false")),
    })
}

fn samples(table: &toml::Table, key: &str) -> Result<Vec<Sample>, String> {
    let Some(value) = table.get(key) else {
        return Ok(Vec::new());
    };
    let toml::Value::Array(samples) = value else {
        return Err(format!("`{key}` must be [[rule.{key}]] tables"));
    };
    samples
        .iter()
        .enumerate()
        .map(|(index, sample)| {
            let at = format!("{key} {}", index + 1);
            let toml::Value::Table(sample) = sample else {
                return Err(format!("{at} is not a table"));
            };
            if let Some(unknown) = sample
                .keys()
                .find(|field| !matches!(field.as_str(), "status" | "headers" | "body" | "why"))
            {
                return Err(format!(
                    "{at}: unknown field `{unknown}` (status, headers, body, why)"
                ));
            }
            let status = match sample.get("status") {
                Some(toml::Value::Integer(code)) => {
                    status_code(*code).map_err(|error| format!("{at}: {error}"))?
                }
                _ => return Err(format!("{at}: `status` is missing")),
            };
            let headers = match sample.get("headers") {
                None => Vec::new(),
                Some(toml::Value::Array(lines)) => lines
                    .iter()
                    .map(|line| {
                        let line = line
                            .as_str()
                            .ok_or(format!("{at}: a header must be text"))?;
                        Header::parse(line).map_err(|error| format!("{at}: {error}"))
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => {
                    return Err(format!("{at}: `headers` must be a list of \"Name: value\""));
                }
            };
            Ok(Sample {
                status,
                headers,
                body: string(sample, "body").unwrap_or_default(),
                why: string(sample, "why"),
            })
        })
        .collect()
}

fn status_code(code: i64) -> Result<u16, String> {
    u16::try_from(code)
        .ok()
        .filter(|code| (100..=999).contains(code))
        .ok_or_else(|| format!("{code} is not an HTTP status code"))
}

fn hosts_of(value: &toml::Value) -> Result<Vec<String>, String> {
    let toml::Value::Array(hosts) = value else {
        return Err("`hosts` must be a list such as [\"slack.com\"]".into());
    };
    if hosts.is_empty() {
        return Err("`hosts` is empty: give the service's hosts, or [\"*\"] for any".into());
    }
    hosts
        .iter()
        .map(|host| {
            let host = host.as_str().ok_or("`hosts` must hold text")?.trim();
            let valid = host == "*"
                || (!host.is_empty()
                    && host
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'));
            if valid {
                Ok(host.to_ascii_lowercase())
            } else {
                Err(format!(
                    "\"{host}\" is not a host name (the rule applies to its subdomains too)"
                ))
            }
        })
        .collect()
}

fn credentials_of(value: &toml::Value) -> Result<Vec<String>, String> {
    let toml::Value::Array(names) = value else {
        return Err("`credentials` must be a list of credential names".into());
    };
    names
        .iter()
        .map(|name| {
            name.as_str()
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map(str::to_string)
                .ok_or_else(|| "`credentials` must hold credential names".to_string())
        })
        .collect()
}

fn string(table: &toml::Table, key: &str) -> Option<String> {
    table
        .get(key)
        .and_then(toml::Value::as_str)
        .map(str::to_string)
}

/// 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |rest| rest.chars().count())
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Detector;

    fn catalog_dir() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/detect/catalog")
    }

    /// Every rule file in the catalog's folder, read.
    fn files() -> Vec<(String, Vec<Rule>)> {
        let mut names: Vec<String> = std::fs::read_dir(catalog_dir())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".toml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|name| {
                let text = std::fs::read_to_string(catalog_dir().join(&name)).unwrap();
                let rules = parse_file(&text, &name).unwrap_or_else(|error| panic!("{error}"));
                (name, rules)
            })
            .collect()
    }

    #[test]
    fn every_rule_file_reads_and_is_built_in() {
        let listed: Vec<&str> = BUILT_IN.iter().map(|(name, _)| *name).collect();
        for (name, rules) in files() {
            assert!(listed.contains(&name.as_str()), "{name} is not in BUILT_IN");
            assert!(!rules.is_empty(), "{name}");
        }
        let built: usize = files().iter().map(|(_, rules)| rules.len()).sum();
        assert_eq!(built_in().rules.len(), built, "every built-in rule reads");
    }

    #[test]
    fn every_rule_matches_its_examples_and_none_of_its_counter_examples() {
        let mut failed = Vec::new();
        let mut ids = BTreeSet::new();
        for (name, rules) in files() {
            for rule in &rules {
                assert!(ids.insert(rule.id.clone()), "{}: id used twice", rule.id);
                assert!(
                    !rule.counter_examples.is_empty(),
                    "{}: no [[rule.not]]",
                    rule.id
                );
                assert!(rule.source.starts_with("https://"), "{}: source", rule.id);
            }
            for check in check_samples(&rules) {
                if !check.passed {
                    failed.push(format!(
                        "{name}: {} {}: {}",
                        check.rule, check.sample, check.message
                    ));
                }
            }
        }
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }

    /// Through the whole detector: each example reaches its own rule (no
    /// rule before it takes it, no built-in rule shadows it), with the
    /// verdict its rule means; no counter-example reaches it.
    #[test]
    fn the_detector_reaches_each_rule_from_its_examples() {
        let mut failed = Vec::new();
        // The folder's files (built in or not yet), as the detector holds them.
        let folder = std::sync::Arc::new(Catalog {
            rules: files().into_iter().flat_map(|(_, rules)| rules).collect(),
        });
        for rule in &folder.rules {
            let detector = Detector::default()
                .for_url(&format!("https://{}/x", rule.sample_host()))
                .with_rules(std::sync::Arc::clone(&folder));
            for (index, example) in rule.examples.iter().enumerate() {
                let verdict =
                    detector.verdict(example.status, &example.headers, example.body.as_bytes());
                let expired = rule.means == Means::Expired;
                if verdict.rule.as_deref() != Some(rule.id.as_str()) || verdict.expired != expired {
                    failed.push(format!(
                        "{} example {}: {:?} {}",
                        rule.id,
                        index + 1,
                        verdict.rule,
                        verdict.reason
                    ));
                }
                assert!(verdict.reason.contains(&rule.source), "{}", verdict.reason);
            }
            for (index, counter) in rule.counter_examples.iter().enumerate() {
                let verdict =
                    detector.verdict(counter.status, &counter.headers, counter.body.as_bytes());
                if verdict.rule.as_deref() == Some(rule.id.as_str()) {
                    failed.push(format!("{} not {}: reached the rule", rule.id, index + 1));
                }
            }
        }
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }

    #[test]
    fn a_rule_is_only_for_its_hosts() {
        let slack = built_in()
            .rules
            .iter()
            .find(|rule| rule.id == "slack.token_expired")
            .unwrap();
        let example = &slack.examples[0];
        assert!(slack.matches(Some("slack.com"), example));
        assert!(slack.matches(Some("api.slack.com"), example));
        assert!(slack.matches(Some("API.Slack.com."), example));
        assert!(!slack.matches(Some("notslack.com"), example));
        assert!(!slack.matches(Some("slack.com.evil.test"), example));
        assert!(!slack.matches(None, example));
        let elsewhere = Detector::default()
            .for_url("https://api.example.com/x")
            .verdict(example.status, &example.headers, example.body.as_bytes());
        assert!(!elsewhere.expired, "{}", elsewhere.reason);
    }

    #[test]
    fn a_recorded_response_reads_or_names_the_line_that_is_wrong() {
        let sample =
            Sample::parse_recorded("HTTP/1.1 401 Unauthorized\r\nX-A: 1\r\n\r\n{\"e\":1}").unwrap();
        assert_eq!(sample.status, 401);
        assert_eq!(sample.headers, [Header::new("X-A", "1")]);
        assert_eq!(sample.body, "{\"e\":1}");
        assert_eq!(
            Sample::parse_recorded("401\n\n").unwrap_err(),
            "line 1 must be a status line such as \"HTTP/1.1 401 Unauthorized\", not \"401\""
        );
        assert!(
            Sample::parse_recorded("HTTP/1.1 200 OK\nno colon\n\n")
                .unwrap_err()
                .starts_with("line 2: ")
        );
    }

    #[test]
    fn an_xpath_condition_reads_the_documents_own_prefixes() {
        let text = r#"
service = "Legacy SOAP"
hosts = ["legacy.test"]

[[rule]]
id = "legacy.ticket_expired"
means = "expired"
status = [200]
when = [{ xpath = "//lg:Status/lg:Code", equals = "TICKET_EXPIRED" }]
says = "the legacy service answers an expired ticket with Status/Code TICKET_EXPIRED on HTTP 200"
source = "https://legacy.test/docs"

[[rule.example]]
status = 200
headers = ["Content-Type: text/xml"]
body = '<r:Reply xmlns:r="urn:reply" xmlns:lg="urn:legacy"><lg:Status><lg:Code>TICKET_EXPIRED</lg:Code></lg:Status></r:Reply>'

[[rule.not]]
why = "the same code outside Status"
status = 200
headers = ["Content-Type: text/xml"]
body = '<r:Reply xmlns:r="urn:reply" xmlns:lg="urn:legacy"><lg:Note><lg:Code>TICKET_EXPIRED</lg:Code></lg:Note><lg:Status><lg:Code>OK</lg:Code></lg:Status></r:Reply>'
"#;
        let rules = parse_file(text, "legacy.toml").unwrap();
        assert_eq!(
            rules[0].conditions_shown,
            ["xpath //lg:Status/lg:Code equals \"TICKET_EXPIRED\""]
        );
        let checks = check_samples(&rules);
        assert!(checks.iter().all(|check| check.passed), "{checks:#?}");
        let broken = text.replace("//lg:Status/lg:Code", "//lg:Status[");
        assert!(
            parse_file(&broken, "legacy.toml")
                .unwrap_err()
                .starts_with("legacy.toml: rule legacy.ticket_expired: condition 1:")
        );
    }

    #[test]
    fn a_broken_rule_file_names_the_rule_and_the_field() {
        let cases = [
            (
                "service = \"X\"\n[[rule]]\nid = \"x.a\"\n",
                "x.toml: rule x.a: `means` is missing",
            ),
            (
                "[[rule]]\nid = \"x\"",
                "x.toml: `service = \"NAME\"` is missing",
            ),
            (
                "service = \"X\"\nhosts = [\"a b\"]\n[[rule]]",
                "x.toml: \"a b\" is not a host name",
            ),
            (
                "service = \"X\"\n[[rule]]\nid = \"x.a\"\nmeans = \"expired\"\nwhen = [{ json = \"$.a\", body = true, equals = 1 }]",
                "x.toml: rule x.a: condition 1: name one subject (json, xpath, header, body, \
                 soap_fault or xml_error_code), not json and body",
            ),
            (
                "service = \"X\"\n[[rule]]\nid = \"x.a\"\nmeans = \"expired\"\nwhen = [{ json = \"$[\", equals = 1 }]",
                "x.toml: rule x.a: condition 1: the JSONPath \"$[\" is not valid",
            ),
            (
                "service = \"X\"\n[[rule]]\nid = \"x.a\"\nmeans = \"gone\"",
                "x.toml: rule x.a: `means = \"gone\"`: use \"expired\" or \"not_expiry\"",
            ),
            (
                "service = \"X\"\n[[rule]]\nid = \"x.a\"\nmeans = \"not_expiry\"\nwhen = [{ body = true, contains = \"x\" }]\nsays = \"s\"\nsource = \"https://x\"",
                "x.toml: rule x.a: a not_expiry rule needs `fix`",
            ),
            ("service = \"X\"\n[[rule]\n", "x.toml at line 2, column"),
        ];
        for (text, expected) in cases {
            let error = parse_file(text, "x.toml").unwrap_err();
            assert!(
                error.starts_with(expected),
                "{error}\n  expected: {expected}"
            );
        }
    }
}

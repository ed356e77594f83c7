//! What a token endpoint answers (RFC 6749 §5.1, §5.2), read the way real
//! providers send it: `expires_in` as a number, a string or not at all
//! (Salesforce), JWT access tokens whose `exp` tells the expiry, error bodies
//! in the standard shape and in others, and HTML pages where JSON belongs.
//!
//! No number a provider sends can make this panic. An expiry that cannot be
//! told — `expires_in` too large to add to the clock, or one that ends at or
//! before the moment the answer arrived (`expires_in: 0`, a JWT `exp` in the
//! past) — is an *unknown* expiry: such a token is used until a response
//! says it expired, and the keeper keeps it alive on its unknown-expiry
//! schedule, instead of every send and every keeper run refreshing it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::Secret;

/// How long an excerpt of an unexpected answer may be.
const EXCERPT_CHARS: usize = 160;

/// Where a token's expiry came from, so a person can tell how far to trust it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ExpirySource {
    /// The token response's `expires_in`.
    ExpiresIn,
    /// The `exp` claim of a JWT access token.
    JwtExp,
    /// The provider's introspection endpoint (RFC 7662).
    Introspection,
    /// Nothing says when the token expires (Salesforce sends no `expires_in`),
    /// or what it says cannot be used (an `expires_in` of 0, or one too
    /// large for the clock).
    Unknown,
}

/// The tokens a successful token response carries.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: Secret,
    pub token_type: String,
    pub refresh_token: Option<Secret>,
    pub id_token: Option<Secret>,
    /// Scopes granted, when the response lists them.
    pub scopes: Vec<String>,
    pub issued_at: SystemTime,
    pub expires_at: Option<SystemTime>,
    pub expiry_source: ExpirySource,
    /// Whether the access token is a JWT (its claims can be shown decoded).
    pub is_jwt: bool,
    /// Where the API the token opens lives, when the provider says
    /// (Salesforce's `instance_url`: the org's own host, not the login
    /// host). Not a secret; kept and refreshed with the tokens.
    pub instance_url: Option<String>,
}

impl TokenSet {
    /// The access token's lifetime from issue, when known.
    pub fn lifetime(&self) -> Option<Duration> {
        self.expires_at
            .and_then(|expires_at| expires_at.duration_since(self.issued_at).ok())
    }

    /// An opaque token set for unit tests: issued at `issued_at`, expiring at
    /// `expires_at` (unknown when `None`), without a refresh token.
    #[cfg(test)]
    pub(crate) fn for_test(issued_at: SystemTime, expires_at: Option<SystemTime>) -> Self {
        TokenSet {
            access_token: Secret::new("at"),
            token_type: "Bearer".into(),
            refresh_token: None,
            id_token: None,
            scopes: Vec::new(),
            issued_at,
            expires_at,
            expiry_source: if expires_at.is_some() {
                ExpirySource::ExpiresIn
            } else {
                ExpirySource::Unknown
            },
            is_jwt: false,
            instance_url: None,
        }
    }

    /// Whether the access token is expired at `now`, or will be within
    /// `margin`. `None` when its expiry is unknown.
    pub fn expires_within(&self, now: SystemTime, margin: Duration) -> Option<bool> {
        self.expires_at.map(|expires_at| {
            now.checked_add(margin)
                .is_none_or(|horizon| horizon >= expires_at)
        })
    }
}

/// Why a token endpoint's answer could not be used. Each names what the
/// provider actually said, so a person can act on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenResponseError {
    /// A well-formed OAuth error (RFC 6749 §5.2), or a non-standard one that
    /// still has an `error` member.
    #[error("the token endpoint refused (HTTP {status}): {error}{}", describe(.description))]
    Refused {
        status: u16,
        error: String,
        description: Option<String>,
    },
    /// An HTML page (a login page, a proxy's error page) instead of JSON.
    #[error(
        "the token endpoint answered HTTP {status} with an HTML page instead of JSON: {excerpt}"
    )]
    Html { status: u16, excerpt: String },
    /// Something that is not JSON at all, or broken JSON.
    #[error(
        "the token endpoint answered HTTP {status} with a body that is not valid JSON ({detail}): {excerpt}"
    )]
    MalformedJson {
        status: u16,
        detail: String,
        excerpt: String,
    },
    /// JSON, but no `access_token` in it.
    #[error("the token endpoint answered HTTP {status} without an access_token: {excerpt}")]
    MissingAccessToken { status: u16, excerpt: String },
    /// An error status with no OAuth error in the body.
    #[error("the token endpoint failed with HTTP {status}: {excerpt}")]
    Failed { status: u16, excerpt: String },
}

impl TokenResponseError {
    /// The OAuth error code, when the provider sent one.
    pub fn oauth_error(&self) -> Option<&str> {
        match self {
            TokenResponseError::Refused { error, .. } => Some(error),
            _ => None,
        }
    }

    /// `invalid_grant`: the refresh token (or code) is expired, revoked or
    /// rotated away, so only a new authorization helps.
    pub fn needs_reauthorization(&self) -> bool {
        self.oauth_error() == Some("invalid_grant")
    }
}

fn describe(description: &Option<String>) -> String {
    description
        .as_deref()
        .map(|text| format!(" ({text})"))
        .unwrap_or_default()
}

/// Reads a token endpoint's answer. `now` is when the response arrived: the
/// base for `expires_in`.
pub fn parse_token_response(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    now: SystemTime,
) -> Result<TokenSet, TokenResponseError> {
    let text = String::from_utf8_lossy(body);
    if looks_like_html(content_type, &text) {
        return Err(TokenResponseError::Html {
            status,
            excerpt: html_excerpt(&text),
        });
    }
    let json: Value = match serde_json::from_str(&text) {
        Ok(json) => json,
        Err(error) if (200..300).contains(&status) => {
            return Err(TokenResponseError::MalformedJson {
                status,
                detail: error.to_string(),
                excerpt: excerpt(&text),
            });
        }
        Err(_) => {
            return Err(TokenResponseError::Failed {
                status,
                excerpt: excerpt(&text),
            });
        }
    };
    let Some(object) = json.as_object() else {
        return Err(TokenResponseError::MalformedJson {
            status,
            detail: "expected a JSON object".to_string(),
            excerpt: excerpt(&text),
        });
    };
    if let Some(error) = oauth_error(object) {
        return Err(TokenResponseError::Refused {
            status,
            error,
            description: string_member(object, "error_description"),
        });
    }
    if !(200..300).contains(&status) {
        return Err(TokenResponseError::Failed {
            status,
            excerpt: excerpt(&text),
        });
    }
    let Some(access_token) = string_member(object, "access_token").filter(|t| !t.is_empty()) else {
        return Err(TokenResponseError::MissingAccessToken {
            status,
            excerpt: excerpt(&redacted_json(object)),
        });
    };
    Ok(token_set(object, access_token, now))
}

fn token_set(object: &Map<String, Value>, access_token: String, now: SystemTime) -> TokenSet {
    let claims = jwt_claims(&access_token);
    let from_expires_in = expires_in(object)
        .and_then(|seconds| expiry_after(now, Duration::from_secs(seconds)))
        .map(|at| (at, ExpirySource::ExpiresIn));
    let from_exp = || {
        claims
            .as_ref()
            .and_then(|claims| claims.get("exp"))
            .and_then(unix_time)
            .and_then(|exp| usable_expiry(now, exp))
            .map(|at| (at, ExpirySource::JwtExp))
    };
    let (expires_at, expiry_source) = match from_expires_in.or_else(from_exp) {
        Some((at, source)) => (Some(at), source),
        None => (None, ExpirySource::Unknown),
    };
    TokenSet {
        access_token: Secret::new(access_token),
        token_type: string_member(object, "token_type").unwrap_or_else(|| "Bearer".to_string()),
        refresh_token: string_member(object, "refresh_token")
            .filter(|token| !token.is_empty())
            .map(Secret::new),
        id_token: string_member(object, "id_token").map(Secret::new),
        scopes: string_member(object, "scope")
            .map(|scope| scope.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default(),
        issued_at: now,
        expires_at,
        expiry_source,
        is_jwt: claims.is_some(),
        instance_url: string_member(object, "instance_url").filter(|url| is_http_url(url)),
    }
}

/// Whether `text` is an absolute http(s) URL with a host: what an
/// `instance_url` must be to route calls to.
fn is_http_url(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
}

/// `expires_in` as a number of seconds, also when sent as a string
/// (`"3600"`) or a float. Absent, negative or unreadable → `None`.
fn expires_in(object: &Map<String, Value>) -> Option<u64> {
    match object.get("expires_in")? {
        Value::Number(number) => number.as_u64().or_else(|| {
            number
                .as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .map(|f| f as u64)
        }),
        Value::String(text) => text.trim().parse::<u64>().ok(),
        _ => None,
    }
}

/// The `error` member when it is an OAuth error code. Some providers nest it
/// (`{"error": {"code": ..., "message": ...}}`); that counts too.
fn oauth_error(object: &Map<String, Value>) -> Option<String> {
    match object.get("error")? {
        Value::String(code) if !code.is_empty() => Some(code.clone()),
        Value::Object(nested) => string_member(nested, "code")
            .or_else(|| string_member(nested, "status"))
            .or_else(|| string_member(nested, "message")),
        _ => None,
    }
}

fn string_member(object: &Map<String, Value>, name: &str) -> Option<String> {
    match object.get(name)? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A Unix time in seconds (a JWT's `exp`, an introspection answer's `exp`);
/// `None` when it is not a number or lies beyond what the clock can hold.
pub(crate) fn unix_time(value: &Value) -> Option<SystemTime> {
    let seconds = value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(|f| f as u64)
    })?;
    UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

/// When a token issued at `issued` expires, told by a lifetime: `None` (an
/// unknown expiry) for a lifetime of zero or one too long for the clock.
pub(crate) fn expiry_after(issued: SystemTime, lifetime: Duration) -> Option<SystemTime> {
    issued
        .checked_add(lifetime)
        .and_then(|at| usable_expiry(issued, at))
}

/// `expires_at` when it comes after `issued`; an expiry at or before the
/// token's issue would make every use of it a refresh, so it counts as
/// unknown.
pub(crate) fn usable_expiry(issued: SystemTime, expires_at: SystemTime) -> Option<SystemTime> {
    (expires_at > issued).then_some(expires_at)
}

/// The decoded claims of a JWT (header.payload.signature), without checking
/// its signature: used only to show claims and read `exp`.
pub fn jwt_claims(token: &str) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(claims) => Some(claims),
        _ => None,
    }
}

/// A copy of a token response with every token replaced by a mask, for
/// error messages.
fn redacted_json(object: &Map<String, Value>) -> String {
    let mut copy = object.clone();
    for name in ["access_token", "refresh_token", "id_token"] {
        if let Some(value) = copy.get_mut(name) {
            *value = Value::String("[redacted]".to_string());
        }
    }
    Value::Object(copy).to_string()
}

fn looks_like_html(content_type: Option<&str>, text: &str) -> bool {
    if content_type.is_some_and(|kind| kind.to_ascii_lowercase().contains("text/html")) {
        return true;
    }
    let start = text.trim_start();
    let head: String = start
        .chars()
        .take(15)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// An HTML page told in a line: its `<title>` when it has one, else its text.
fn html_excerpt(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>")) {
        let title_start = start + "<title>".len();
        if title_start <= end {
            let title = collapse_whitespace(&html[title_start..end]);
            if !title.is_empty() {
                return format!("page titled \"{}\"", truncate(&title));
            }
        }
    }
    let mut text = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(ch),
            _ => {}
        }
    }
    excerpt(&text)
}

fn excerpt(text: &str) -> String {
    let collapsed = collapse_whitespace(text);
    if collapsed.is_empty() {
        return "(empty body)".to_string();
    }
    format!("\"{}\"", truncate(&collapsed))
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(text: &str) -> String {
    if text.chars().count() <= EXCERPT_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(EXCERPT_CHARS).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn parse(status: u16, body: &str) -> Result<TokenSet, TokenResponseError> {
        parse_token_response(status, Some("application/json"), body.as_bytes(), at(1_000))
    }

    fn jwt(claims: &str) -> String {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims);
        format!("{header}.{payload}.c2lnbmF0dXJl")
    }

    #[test]
    fn a_standard_response_gives_expiry_from_expires_in() {
        let tokens = parse(
            200,
            r#"{"access_token":"at-1","token_type":"Bearer","expires_in":3600,
                "refresh_token":"rt-1","scope":"api refresh_token"}"#,
        )
        .unwrap();
        assert_eq!(tokens.access_token.expose(), "at-1");
        assert_eq!(
            tokens.refresh_token.as_ref().map(Secret::expose),
            Some("rt-1")
        );
        assert_eq!(tokens.expires_at, Some(at(4_600)));
        assert_eq!(tokens.expiry_source, ExpirySource::ExpiresIn);
        assert_eq!(tokens.lifetime(), Some(Duration::from_secs(3600)));
        assert_eq!(tokens.scopes, ["api", "refresh_token"]);
        assert!(!tokens.is_jwt);
    }

    #[test]
    fn a_salesforce_response_names_its_instance_and_no_expiry() {
        // Salesforce's web server flow answer: no expires_in, issued_at in
        // milliseconds (not an expiry), the org's own host as instance_url.
        let tokens = parse(
            200,
            r#"{"access_token":"00Dxx!AQ4AQ","refresh_token":"5Aep861","signature":"CMJ4l+",
                "scope":"refresh_token api","instance_url":"https://acme.my.salesforce.com",
                "id":"https://login.salesforce.com/id/00Dxx/005xx","token_type":"Bearer",
                "issued_at":"1278448832702"}"#,
        )
        .unwrap();
        assert_eq!(
            tokens.instance_url.as_deref(),
            Some("https://acme.my.salesforce.com")
        );
        assert_eq!(tokens.expires_at, None);
        assert_eq!(tokens.expiry_source, ExpirySource::Unknown);
        let odd = parse(
            200,
            r#"{"access_token":"a","instance_url":"acme.my.salesforce.com"}"#,
        )
        .unwrap();
        assert_eq!(odd.instance_url, None, "not a URL: no place to route to");
    }

    #[test]
    fn expires_in_as_a_string_or_a_float_is_read() {
        let as_string = parse(200, r#"{"access_token":"a","expires_in":"120"}"#).unwrap();
        assert_eq!(as_string.expires_at, Some(at(1_120)));
        let as_float = parse(200, r#"{"access_token":"a","expires_in":59.9}"#).unwrap();
        assert_eq!(as_float.expires_at, Some(at(1_059)));
    }

    #[test]
    fn salesforce_sends_no_expires_in_so_expiry_is_unknown() {
        let tokens = parse(
            200,
            r#"{"access_token":"00D5g!AQ4AQ","signature":"x","scope":"api","instance_url":"https://example.my.salesforce.com","id":"https://login.salesforce.com/id/00D/005","token_type":"Bearer","issued_at":"1700000000000"}"#,
        )
        .unwrap();
        assert_eq!(tokens.expires_at, None);
        assert_eq!(tokens.expiry_source, ExpirySource::Unknown);
        assert_eq!(tokens.expires_within(at(5_000), Duration::ZERO), None);
        assert!(tokens.refresh_token.is_none());
    }

    #[test]
    fn a_jwt_access_token_without_expires_in_expires_at_its_exp() {
        let token = jwt(r#"{"sub":"dev","exp":1300,"iat":1000}"#);
        let tokens = parse(200, &format!(r#"{{"access_token":"{token}"}}"#)).unwrap();
        assert!(tokens.is_jwt);
        assert_eq!(tokens.expires_at, Some(at(1_300)));
        assert_eq!(tokens.expiry_source, ExpirySource::JwtExp);
        assert_eq!(
            tokens.expires_within(at(1_250), Duration::from_secs(60)),
            Some(true)
        );
        assert_eq!(
            tokens.expires_within(at(1_200), Duration::from_secs(60)),
            Some(false)
        );
    }

    #[test]
    fn expires_in_wins_over_the_jwt_exp() {
        let token = jwt(r#"{"exp":99999}"#);
        let tokens = parse(
            200,
            &format!(r#"{{"access_token":"{token}","expires_in":10}}"#),
        )
        .unwrap();
        assert_eq!(tokens.expires_at, Some(at(1_010)));
        assert_eq!(tokens.expiry_source, ExpirySource::ExpiresIn);
    }

    #[test]
    fn a_lifetime_too_large_for_the_clock_is_an_unknown_expiry_not_a_panic() {
        for body in [
            r#"{"access_token":"a","refresh_token":"r","expires_in":9223372036854775807}"#,
            r#"{"access_token":"a","expires_in":18446744073709551615}"#,
            r#"{"access_token":"a","expires_in":"18446744073709551615"}"#,
            r#"{"access_token":"a","expires_in":1e300}"#,
        ] {
            let tokens = parse(200, body).unwrap();
            assert_eq!(tokens.expires_at, None, "{body}");
            assert_eq!(tokens.expiry_source, ExpirySource::Unknown, "{body}");
            assert_eq!(tokens.lifetime(), None);
        }
        let huge_exp = jwt(r#"{"exp":18446744073709551615}"#);
        let tokens = parse(200, &format!(r#"{{"access_token":"{huge_exp}"}}"#)).unwrap();
        assert_eq!(tokens.expiry_source, ExpirySource::Unknown);
        // A lifetime the clock can hold, however long, is kept.
        let decades = parse(200, r#"{"access_token":"a","expires_in":3153600000}"#).unwrap();
        assert_eq!(decades.expires_at, Some(at(1_000 + 3_153_600_000)));
    }

    #[test]
    fn a_zero_lifetime_or_a_past_exp_is_an_unknown_expiry() {
        let zero = parse(200, r#"{"access_token":"a","expires_in":0}"#).unwrap();
        assert_eq!(
            (zero.expires_at, zero.expiry_source),
            (None, ExpirySource::Unknown)
        );
        assert_eq!(zero.expires_within(at(1_000), Duration::ZERO), None);
        // A zero expires_in does not hide a usable exp...
        let token = jwt(r#"{"exp":1300}"#);
        let with_exp = parse(
            200,
            &format!(r#"{{"access_token":"{token}","expires_in":"0"}}"#),
        )
        .unwrap();
        assert_eq!(with_exp.expires_at, Some(at(1_300)));
        assert_eq!(with_exp.expiry_source, ExpirySource::JwtExp);
        // ...but an exp at or before the answer is no expiry either.
        let stale = jwt(r#"{"exp":1000}"#);
        let past = parse(200, &format!(r#"{{"access_token":"{stale}"}}"#)).unwrap();
        assert_eq!(past.expiry_source, ExpirySource::Unknown);
    }

    #[test]
    fn a_margin_past_the_end_of_the_clock_counts_as_expiring() {
        let tokens = TokenSet::for_test(at(0), Some(at(10)));
        let end_of_time = UNIX_EPOCH + Duration::from_secs(i64::MAX as u64 / 2);
        assert_eq!(
            tokens.expires_within(end_of_time, Duration::MAX),
            Some(true)
        );
    }

    #[test]
    fn an_rfc_6749_error_is_refused_with_code_and_description() {
        let error = parse(
            400,
            r#"{"error":"invalid_grant","error_description":"refresh token expired (idle)"}"#,
        )
        .unwrap_err();
        assert!(error.needs_reauthorization());
        assert_eq!(
            error.to_string(),
            "the token endpoint refused (HTTP 400): invalid_grant (refresh token expired (idle))"
        );
    }

    #[test]
    fn a_non_standard_error_shape_is_still_understood() {
        let error = parse(401, r#"{"error":"server_error"}"#).unwrap_err();
        assert_eq!(error.oauth_error(), Some("server_error"));
        assert!(!error.needs_reauthorization());
        let nested = parse(
            400,
            r#"{"error":{"code":"invalid_client","message":"bad"}}"#,
        );
        assert_eq!(nested.unwrap_err().oauth_error(), Some("invalid_client"));
    }

    #[test]
    fn an_html_page_is_named_by_its_title() {
        let error = parse_token_response(
            502,
            Some("text/html; charset=utf-8"),
            b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad</h1></body></html>",
            at(0),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the token endpoint answered HTTP 502 with an HTML page instead of JSON: \
             page titled \"502 Bad Gateway\""
        );
    }

    #[test]
    fn an_html_page_served_as_json_is_still_recognised() {
        let error = parse(200, "<!DOCTYPE html>\n<html><body>Sign in</body></html>").unwrap_err();
        assert!(
            matches!(error, TokenResponseError::Html { status: 200, .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("Sign in"), "{error}");
    }

    #[test]
    fn broken_json_is_reported_with_an_excerpt() {
        let error = parse(200, r#"{"access_token":"a","#).unwrap_err();
        let TokenResponseError::MalformedJson {
            status, excerpt, ..
        } = &error
        else {
            panic!("expected MalformedJson, got {error:?}");
        };
        assert_eq!(*status, 200);
        assert_eq!(excerpt, r#""{"access_token":"a",""#);
    }

    #[test]
    fn a_response_without_access_token_says_so_without_leaking_other_tokens() {
        let error = parse(200, r#"{"refresh_token":"rt-secret","expires_in":60}"#).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("without an access_token"), "{message}");
        assert!(!message.contains("rt-secret"), "{message}");
        assert!(message.contains("[redacted]"), "{message}");
    }

    #[test]
    fn a_server_error_without_json_is_a_failure_with_an_excerpt() {
        let error = parse(500, "Internal Server Error").unwrap_err();
        assert_eq!(
            error.to_string(),
            "the token endpoint failed with HTTP 500: \"Internal Server Error\""
        );
        let empty = parse(503, "").unwrap_err();
        assert!(empty.to_string().ends_with("(empty body)"), "{empty}");
    }

    #[test]
    fn long_excerpts_are_cut() {
        let body = "x".repeat(1000);
        let TokenResponseError::Failed { excerpt, .. } = parse(500, &body).unwrap_err() else {
            panic!("expected Failed");
        };
        assert_eq!(excerpt.chars().count(), EXCERPT_CHARS + 3);
        assert!(excerpt.ends_with("…\""));
    }

    #[test]
    fn jwt_claims_rejects_what_is_not_a_jwt() {
        assert!(jwt_claims("opaque-token").is_none());
        assert!(jwt_claims("a.b").is_none());
        assert!(jwt_claims("a.!!!.c").is_none());
        assert!(jwt_claims(&format!("h.{}.s", URL_SAFE_NO_PAD.encode("[1,2]"))).is_none());
        assert!(jwt_claims("h.e30.s").is_some_and(|claims| claims.is_empty()));
    }

    #[test]
    fn the_debug_form_never_shows_tokens() {
        let tokens = parse(
            200,
            r#"{"access_token":"at-visible?","refresh_token":"rt-visible?"}"#,
        )
        .unwrap();
        let debug = format!("{tokens:?}");
        assert!(!debug.contains("visible?"), "{debug}");
    }
}

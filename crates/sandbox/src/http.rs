//! The slice of HTTP the sandbox speaks: a request read whole into an
//! [`Incoming`], an answer built whole as a [`Reply`].
//!
//! Handlers are plain functions from `Incoming` to `Reply`, so the socket code in
//! `server.rs` stays the only place that touches the HTTP library.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

/// A request as the handlers see it.
pub(crate) struct Incoming {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What the `Authorization` header says about a bearer token.
pub(crate) enum Bearer {
    Missing,
    /// Present, but not `Bearer <token>` (another scheme, or empty).
    Malformed,
    Token(String),
}

impl Incoming {
    /// The first header of that name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn query_params(&self) -> Params {
        Params::parse(self.query.as_bytes())
    }

    /// The body as `application/x-www-form-urlencoded` parameters. A body that is
    /// not a form simply yields parameters the handler will find missing.
    pub fn form(&self) -> Params {
        Params::parse(&self.body)
    }

    pub fn bearer(&self) -> Bearer {
        let Some(value) = self.header("authorization") else {
            return Bearer::Missing;
        };
        match value.trim().split_once(' ') {
            Some((scheme, token))
                if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
            {
                Bearer::Token(token.trim().to_string())
            }
            _ => Bearer::Malformed,
        }
    }

    /// `Authorization: Basic` credentials, decoded as RFC 6749 §2.3.1 asks
    /// (base64 of form-encoded `id:secret`). `Some(None)` means a Basic header
    /// that could not be decoded.
    pub fn basic_credentials(&self) -> Option<Option<(String, String)>> {
        let value = self.header("authorization")?;
        let (scheme, encoded) = value.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        Some(decode_basic(encoded.trim()))
    }
}

impl Incoming {
    /// A user's `Authorization: Basic` login as RFC 7617 has it (base64 of
    /// `user:password`, UTF-8, no form encoding); `None` without one.
    pub fn basic_login(&self) -> Option<(String, String)> {
        let value = self.header("authorization")?;
        let (scheme, encoded) = value.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
        let (user, password) = decoded.split_once(':')?;
        Some((user.to_string(), password.to_string()))
    }
}

fn decode_basic(encoded: &str) -> Option<(String, String)> {
    let decoded = STANDARD.decode(encoded).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((form_decode(id), form_decode(secret)))
}

fn form_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("v={text}").as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

/// Decoded `name=value` pairs from a query string or a form body.
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(bytes: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(bytes)
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect(),
        )
    }

    /// The value of a parameter; an empty value counts as absent (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| value.as_str())
    }
}

/// A complete answer, plus a one-word `outcome` for the request log.
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub outcome: String,
}

impl Reply {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".to_string(), content_type.to_string())],
            body: body.into(),
            outcome: if status < 400 { "ok" } else { "error" }.to_string(),
        }
    }

    pub fn json(status: u16, value: &Value) -> Self {
        Self::new(status, "application/json;charset=UTF-8", value.to_string())
    }

    pub fn html(status: u16, page: String) -> Self {
        Self::new(status, "text/html;charset=UTF-8", page)
    }

    pub fn xml(status: u16, document: String) -> Self {
        Self::new(status, "text/xml;charset=UTF-8", document)
    }

    pub fn redirect(location: &str) -> Self {
        Self::new(302, "text/plain;charset=UTF-8", "redirecting").with_header("Location", location)
    }

    pub fn not_found(path: &str) -> Self {
        Self::json(
            404,
            &serde_json::json!({"error": "not_found", "message": format!("no sandbox endpoint at {path}")}),
        )
        .with_outcome("not_found")
    }

    pub fn method_not_allowed(allowed: &str) -> Self {
        Self::json(
            405,
            &serde_json::json!({"error": "method_not_allowed", "message": format!("use {allowed}")}),
        )
        .with_header("Allow", allowed)
        .with_outcome("method_not_allowed")
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn with_outcome(mut self, outcome: impl Into<String>) -> Self {
        self.outcome = outcome.into();
        self
    }

    /// Token-endpoint answers must not be cached (RFC 6749 §5.1).
    pub fn no_store(self) -> Self {
        self.with_header("Cache-Control", "no-store")
            .with_header("Pragma", "no-cache")
    }

    #[cfg(test)]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Escapes text for HTML and XML content and attribute values.
pub(crate) fn escape_markup(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
pub(crate) fn incoming(
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Incoming {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Incoming {
        method: method.to_string(),
        path: path.to_string(),
        query: query.to_string(),
        headers: headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let encoded = STANDARD.encode("my%20client:s%3Acret");
        let request = incoming(
            "POST",
            "/token",
            &[("Authorization", &format!("Basic {encoded}"))],
            "",
        );
        assert_eq!(
            request.basic_credentials(),
            Some(Some(("my client".to_string(), "s:cret".to_string())))
        );
    }

    #[test]
    fn undecodable_basic_header_is_reported_not_ignored() {
        let request = incoming("POST", "/token", &[("authorization", "Basic !!!")], "");
        assert_eq!(request.basic_credentials(), Some(None));
        let bearer = incoming("POST", "/token", &[("authorization", "Bearer abc")], "");
        assert_eq!(bearer.basic_credentials(), None);
    }

    #[test]
    fn bearer_header_shapes() {
        let token = incoming("GET", "/", &[("Authorization", "bearer  abc ")], "");
        assert!(matches!(token.bearer(), Bearer::Token(t) if t == "abc"));
        let other = incoming("GET", "/", &[("Authorization", "Basic abc")], "");
        assert!(matches!(other.bearer(), Bearer::Malformed));
        let none = incoming("GET", "/", &[], "");
        assert!(matches!(none.bearer(), Bearer::Missing));
    }

    #[test]
    fn empty_parameters_count_as_absent() {
        let params = Params::parse(b"a=&b=2&%ZZ=x");
        assert_eq!(params.get("a"), None);
        assert_eq!(params.get("b"), Some("2"));
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape_markup("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}

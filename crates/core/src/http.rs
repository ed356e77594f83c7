//! Plain HTTP types, the bottom layer of core: a request as the user wrote
//! it ([`Draft`]), a header, a response as it came back ([`Received`]), and
//! transport errors in words that never name the URL (it may carry a
//! secret). Nothing here knows merge fields, credentials or tokens.

use serde::{Deserialize, Serialize, Serializer};
use ts_rs::TS;

use crate::{Error, Result};

/// One HTTP header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Header {
    pub name: String,
    pub value: String,
}

impl Header {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }

    /// Parses `Name: value`, as curl's `-H` takes it.
    pub fn parse(line: &str) -> Result<Self> {
        let Some((name, value)) = line.split_once(':') else {
            return Err(Error::InvalidHeader {
                name: line.trim().to_string(),
                reason: "write it as \"Name: value\"".into(),
            });
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::InvalidHeader {
                name: line.trim().to_string(),
                reason: "the header name is empty".into(),
            });
        }
        Ok(Self::new(name, value.trim()))
    }
}

/// The first value of header `name` (ASCII case-insensitive).
pub fn header_value<'a>(headers: &'a [Header], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|header| header.name.eq_ignore_ascii_case(name))
        .map(|header| header.value.as_str())
}

/// A request as the user wrote it: merge fields unreplaced, the URL possibly
/// `callout:NAME/...`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Draft {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<Header>,
    #[serde(default)]
    pub body: Option<String>,
}

impl Draft {
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            method: method.into(),
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push(Header::new(name, value));
        self
    }

    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }
}

/// The most response bytes kept; the rest is dropped and `truncated` is set.
pub const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// A response as it came back (body already decompressed by the client).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Received {
    pub status: u16,
    pub headers: Vec<Header>,
    #[ts(type = "string")]
    pub body: ResponseBody,
    /// The body was longer than [`MAX_RESPONSE_BYTES`] and was cut there.
    pub truncated: bool,
    /// From sending the request until the whole body had arrived.
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

/// Response body bytes; serialized as text (invalid UTF-8 replaced).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseBody(pub Vec<u8>);

impl ResponseBody {
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

impl Serialize for ResponseBody {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&String::from_utf8_lossy(&self.0))
    }
}

/// A transport error in words, without the URL (it may carry a secret).
pub(crate) fn describe_transport_error(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "no response before the timeout".into();
    }
    let what = if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the response body could not be read"
    } else {
        "the request failed"
    };
    let detail = chain(error);
    format!("{what}: {detail}{}", tls_advice(&detail))
}

/// What to change when a TLS handshake failed for a reason a person can fix.
fn tls_advice(detail: &str) -> &'static str {
    if detail.contains("invalid peer certificate: UnknownIssuer") {
        ". The server's certificate is not signed by a CA this machine trusts: add your \
         company's root CA to the OS trust store or Settings → Extra CA file (--ca-file)"
    } else if detail.contains("CertificateRequired") {
        ". The server asks for a client certificate: give the credential its certificate \
         and key (--client-certificate, --client-key)"
    } else {
        ""
    }
}

/// The messages of an error's sources, outermost first. reqwest's own
/// message is left out: it names the URL, which may carry a secret.
fn causes(error: &reqwest::Error) -> Vec<String> {
    let mut parts = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    parts
}

/// An error and its sources, joined with ": ", URL removed.
pub(crate) fn chain(error: &reqwest::Error) -> String {
    let mut parts = causes(error);
    if parts.is_empty() {
        // reqwest's own message names the URL, which may carry a secret.
        parts.push("no further detail".to_string());
    }
    parts.dedup();
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_parse_like_curl() {
        assert_eq!(
            Header::parse("Content-Type:  text/xml ").unwrap(),
            Header::new("Content-Type", "text/xml")
        );
        assert_eq!(
            Header::parse("X-Empty:").unwrap(),
            Header::new("X-Empty", "")
        );
        assert_eq!(
            Header::parse("no colon").unwrap_err().to_string(),
            "invalid header \"no colon\": write it as \"Name: value\""
        );
    }

    #[test]
    fn header_lookup_ignores_case() {
        let headers = [Header::new("WWW-Authenticate", "Bearer")];
        assert_eq!(header_value(&headers, "www-authenticate"), Some("Bearer"));
        assert_eq!(header_value(&headers, "x"), None);
    }
}

//! A request as an Apex snippet, so a request tested here moves into
//! Salesforce unchanged: an `HttpRequest` with the `callout:NAME/...`
//! endpoint, merge fields kept as merge fields, and — in comments — the Named
//! Credential settings it needs and, where Salesforce would miss an expiry,
//! the known workaround.
//!
//! Request text reaches the snippet only through [`literal`] and [`comment`],
//! which escape backslashes and every [unsafe](super::is_unsafe) character
//! (line breaks of any kind, controls, bidirectional overrides): an imported
//! URL or header can neither end a `//` comment nor a string, nor make the
//! snippet read differently from what it does.

use std::fmt::Write as _;

use crate::credential::{Credential, CredentialSet};
use crate::endpoint::Call;
use crate::http::Draft;
use crate::merge::{self, Location, MergeField, Segment, looks_like_soap};
use crate::{Error, Result};

/// Writes `draft` as Apex. A plain `http(s)://` URL works too; the snippet
/// then says what Salesforce needs to allow it.
pub fn export(draft: &Draft, credentials: &CredentialSet) -> Result<String> {
    let call = Call::resolve(draft, credentials)?;
    let credential = call.credential;
    let url_fields = merge::parse(&draft.url, &Location::url())?;
    let mut header_uses = Vec::new();
    for header in &draft.headers {
        let segments = merge::parse(&header.value, &Location::header(&header.name))?;
        if has_fields(&segments) {
            header_uses.push(header.name.trim().to_string());
        }
    }
    let body = draft.body.as_deref().filter(|body| !body.is_empty());
    let body_segments = match body {
        Some(body) => merge::parse(body, &Location::body())?,
        None => Vec::new(),
    };
    let own_authorization = draft
        .headers
        .iter()
        .any(|h| h.name.trim().eq_ignore_ascii_case("Authorization"));

    let mut out = String::new();
    let method = draft.method.trim().to_ascii_uppercase();
    if method.is_empty() {
        return Err(Error::Export {
            format: "Apex",
            detail: "the request has no method".into(),
        });
    }
    comment(&mut out, &format!("{method} {}", draft.url.trim()));
    match credential {
        Some(credential) => settings_comment(
            &mut out,
            credential,
            &header_uses,
            has_fields(&body_segments),
            own_authorization,
        ),
        None => {
            let origin = origin(call.rest);
            comment(
                &mut out,
                &format!(
                    "A plain URL: add {origin} to Remote Site Settings, or better, make it a \
                     Named Credential and use callout:NAME/..."
                ),
            );
            if has_fields(&body_segments) || !header_uses.is_empty() {
                return Err(Error::Export {
                    format: "Apex",
                    detail: "merge fields need a callout:NAME/... URL that names the credential \
                             they come from"
                        .into(),
                });
            }
        }
    }
    if has_fields(&url_fields) {
        comment(
            &mut out,
            "Salesforce does not replace merge fields in the endpoint: the URL is sent as written.",
        );
    }
    if let (Some(credential), Some(body)) = (credential, body)
        && looks_like_soap(body)
        && carries_token(&body_segments)
    {
        soap_workaround(&mut out, credential, &draft.url);
    }

    out.push_str("HttpRequest req = new HttpRequest();\n");
    let _ = writeln!(out, "req.setEndpoint({});", literal(draft.url.trim()));
    let _ = writeln!(out, "req.setMethod({});", literal(&method));
    for header in &draft.headers {
        let _ = writeln!(
            out,
            "req.setHeader({}, {});",
            literal(header.name.trim()),
            literal(&header.value)
        );
    }
    if let Some(body) = body {
        let _ = writeln!(out, "req.setBody({});", multiline_literal(body));
    }
    out.push_str("HttpResponse res = new Http().send(req);\n");
    out.push_str("System.debug(res.getStatusCode() + ' ' + res.getBody());\n");
    Ok(out)
}

fn has_fields(segments: &[Segment]) -> bool {
    segments
        .iter()
        .any(|s| matches!(s, Segment::Field(_) | Segment::Formula(_)))
}

fn carries_token(segments: &[Segment]) -> bool {
    segments.iter().any(|segment| {
        matches!(
            segment,
            Segment::Field(usage) if matches!(
                usage.field,
                MergeField::OAuthToken | MergeField::AuthorizationHeaderValue
            )
        )
    })
}

fn settings_comment(
    out: &mut String,
    credential: &Credential,
    header_uses: &[String],
    body_uses: bool,
    own_authorization: bool,
) {
    comment(
        out,
        &format!(
            "Named Credential \"{}\" needs these settings:",
            credential.name
        ),
    );
    let generate = match (
        own_authorization,
        credential.protocol.authorization_method(),
    ) {
        (true, _) => "off (the request sets its own Authorization header)".to_string(),
        (false, Some(method)) => format!("on (Salesforce adds \"Authorization: {method} ...\")"),
        (false, None) => "off (no authentication)".to_string(),
    };
    comment(out, &format!("  Generate Authorization Header: {generate}"));
    let header = if header_uses.is_empty() {
        "off (no header uses a merge field)".to_string()
    } else {
        format!("on (merge fields in {})", header_uses.join(", "))
    };
    comment(
        out,
        &format!("  Allow Merge Fields in HTTP Header: {header}"),
    );
    let body = if body_uses {
        "on (the body uses merge fields)"
    } else {
        "off (the body uses no merge field)"
    };
    comment(out, &format!("  Allow Merge Fields in HTTP Body: {body}"));
}

/// The comment for a SOAP call that carries the token in its body: Salesforce
/// will not refresh it, and what to do instead.
fn soap_workaround(out: &mut String, credential: &Credential, url: &str) {
    let version = soap_api_version(url).unwrap_or("60.0");
    let name = &credential.name;
    for line in [
        String::new(),
        "Salesforce will NOT refresh this token when it expires: the SOAP body carries it".into(),
        "through a merge field, and an expired session answers HTTP 500 with an".into(),
        "INVALID_SESSION_ID fault, on which a Named Credential never refreshes (Salesforce".into(),
        "knowledge article 000381864). The known workaround: call a REST endpoint through".into(),
        "the same credential first; its 401 makes Salesforce refresh the token:".into(),
        "  HttpRequest ping = new HttpRequest();".into(),
        format!("  ping.setEndpoint('callout:{name}/services/data/v{version}/limits');"),
        "  ping.setMethod('GET');".into(),
        "  new Http().send(ping);".into(),
        String::new(),
    ] {
        comment(out, &line);
    }
}

/// `60.0` from `.../services/Soap/u/60.0` (or `/c/`).
fn soap_api_version(url: &str) -> Option<&str> {
    let lower = url.to_ascii_lowercase();
    let at = lower
        .find("/services/soap/u/")
        .or_else(|| lower.find("/services/soap/c/"))?;
    let rest = &url[at + "/services/soap/u/".len()..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let version = &rest[..end];
    (!version.is_empty() && version.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .then_some(version)
}

fn origin(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => parsed.origin().ascii_serialization(),
        Err(_) => url.to_string(),
    }
}

/// An Apex string literal.
pub(super) fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    escape(&mut out, text, true);
    out.push('\'');
    out
}

/// One `//` comment line holding `text`: a line break in it is written as
/// `\n`, so it never ends the comment early (and a backslash as `\\`, so no
/// `\u000a` in it means a line feed either).
pub(super) fn comment(out: &mut String, text: &str) {
    out.push_str("//");
    if !text.is_empty() {
        out.push(' ');
        escape(out, text, false);
    }
    out.push('\n');
}

/// `text` with Apex string escapes for backslashes, `'` (when `quote`) and
/// every unsafe character: `\n`, `\r`, `\t`, `\b`, `\f`, or `\uHHHH`.
pub(super) fn escape(out: &mut String, text: &str, quote: bool) {
    for c in text.chars() {
        match c {
            '\'' if quote => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if super::is_unsafe(c) => {
                // Apex has no escape above U+FFFF; the unsafe ones are all below.
                let mut units = [0; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            other => out.push(other),
        }
    }
}

/// A body as one literal per line, joined with `+`, so it reads like the body.
fn multiline_literal(text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if lines.len() <= 1 {
        return literal(text);
    }
    let parts: Vec<String> = lines.iter().map(|line| literal(line)).collect();
    format!("\n    {}\n", parts.join("\n    + "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apex_literals_escape_quotes_backslashes_and_newlines() {
        assert_eq!(literal("it's a\\b\n"), r"'it\'s a\\b\n'");
        assert_eq!(multiline_literal("one"), "'one'");
        assert_eq!(
            multiline_literal("<a>\n  <b/>\n</a>"),
            "\n    '<a>\\n'\n    + '  <b/>\\n'\n    + '</a>'\n"
        );
    }

    #[test]
    fn finds_the_soap_api_version() {
        assert_eq!(
            soap_api_version("callout:Org/services/Soap/u/59.0"),
            Some("59.0")
        );
        assert_eq!(
            soap_api_version("callout:Org/services/Soap/c/61.0/x"),
            Some("61.0")
        );
        assert_eq!(soap_api_version("callout:Org/services/data"), None);
    }

    #[test]
    fn merge_fields_without_a_named_credential_cannot_go_to_apex() {
        let draft =
            Draft::new("GET", "https://x.test/a").header("X-T", "{!$Credential.OAuthToken}");
        let error = export(&draft, &CredentialSet::default()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot export the request as Apex: merge fields need a callout:NAME/... URL that \
             names the credential they come from"
        );
    }

    #[test]
    fn literals_and_comments_escape_every_line_break_and_control() {
        assert_eq!(
            literal("a\r\nb\u{85}c\u{2028}d\u{2029}e\u{202e}f\u{0}\u{8}\u{c}\u{1b}"),
            r"'a\r\nb\u0085c\u2028d\u2029e\u202ef\u0000\b\f\u001b'"
        );
        let mut out = String::new();
        comment(
            &mut out,
            "GET https://x.test/\n}System.debug('a');\r\u{2028}\\u000a'",
        );
        assert_eq!(
            out,
            "// GET https://x.test/\\n}System.debug('a');\\r\\u2028\\\\u000a'\n"
        );
        let mut empty = String::new();
        comment(&mut empty, "");
        assert_eq!(empty, "//\n");
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_one_literal_and_one_comment_line(
            text in super::super::tests::MIXED_TEXT
        ) {
            let quoted = literal(&text);
            proptest::prop_assert!(!quoted.chars().any(super::super::is_unsafe), "{quoted:?}");
            // The string closes at the last character and nowhere before.
            let mut chars = quoted.chars().skip(1);
            let mut length = 1;
            while let Some(c) = chars.next() {
                length += 1;
                match c {
                    '\\' => {
                        chars.next();
                        length += 1;
                    }
                    '\'' => break,
                    _ => {}
                }
            }
            proptest::prop_assert_eq!(length, quoted.chars().count(), "{:?}", quoted);
            let mut line = String::new();
            comment(&mut line, &text);
            let body = line.strip_suffix('\n').unwrap_or_default();
            proptest::prop_assert!(body.starts_with("//"), "{line:?}");
            proptest::prop_assert!(!body.chars().any(super::super::is_unsafe), "{line:?}");
        }
    }
}

//! HAR 1.2 recordings in (a browser's network log, saved from its developer
//! tools): one request per recorded entry, in the order recorded, in a
//! folder per host, named "METHOD /path"; the same call recorded twice comes
//! in twice (the collection numbers the files). Responses are not kept.
//!
//! What it guarantees:
//! - no credential comes in. A recording holds the browser's live session;
//!   the `Authorization`, `Proxy-Authorization` and `Cookie` headers, every
//!   header whose name says it carries a secret (a token, a key, a session,
//!   a password, a CSRF value...), and the values of such query parameters,
//!   form fields, JSON members and XML elements (a SOAP `sessionId`) are
//!   left out. Each is named in a note, never its value;
//! - the browser's own headers (HTTP/2 pseudo-headers such as `:authority`,
//!   `Host`, `Content-Length`, `Connection`, `Accept-Encoding`, `sec-*`...)
//!   are dropped, since the sender sets its own, and named in a note;
//! - every request is one [`check_request`](super::check_request) accepts and
//!   [`SavedRequest::validate`](crate::requests::SavedRequest::validate)
//!   saves; an entry that cannot be (or is not an http(s) call, or is a
//!   script, style sheet, image, font or media file) is left out and counted
//!   in a note;
//! - a file that cannot be read is an [`Error::Import`] saying where (line
//!   and column) or what it lacks.

use std::collections::BTreeMap;

use serde_json::Value;

use super::incoming::{Incoming, IncomingRequest, checked_request};
use super::openapi::{Node, clean, stem};
use crate::http::{Draft, Header};
use crate::requests::BodyKind;
use crate::{Error, Result};

/// Reads a HAR file's text; `source` names it (a file name): errors say it
/// and the collection is named after it.
pub fn import(text: &str, source: &str) -> Result<Incoming> {
    let root = parse(text, source)?;
    let log = root
        .get("log")
        .filter(|log| log.is_object())
        .ok_or_else(|| {
            refuse(format!(
                "{} has no \"log\" object: is it a HAR file (saved from a browser's network \
                 panel)?",
                shown(source)
            ))
        })?;
    let entries = log
        .get("entries")
        .and_then(Value::as_array)
        .ok_or_else(|| refuse(format!("{} has no log.entries list", shown(source))))?;
    let mut importer = Importer::default();
    for (index, entry) in entries.iter().enumerate() {
        importer.entry(index, entry);
    }
    let name = stem(source)
        .or_else(|| {
            let title = log.pointer("/pages/0/title")?.as_str()?;
            Some(clean(title)).filter(|title| !title.is_empty())
        })
        .unwrap_or_else(|| "Recording".into());
    let notes = importer.notes();
    Ok(Incoming {
        name,
        requests: importer.requests,
        variables: BTreeMap::new(),
        environments: Vec::new(),
        credentials: Vec::new(),
        notes,
    })
}

fn refuse(detail: impl Into<String>) -> Error {
    Error::Import {
        what: "HAR file",
        detail: detail.into(),
    }
}

fn shown(source: &str) -> String {
    let source = clean(source);
    if source.is_empty() {
        "the file".into()
    } else {
        source
    }
}

fn parse(text: &str, source: &str) -> Result<Value> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|error| {
        let (line, column) = (error.line(), error.column());
        let message =
            error
                .to_string()
                .replacen(&format!(" at line {line} column {column}"), "", 1);
        refuse(format!(
            "{} is not valid JSON (line {line}, column {column}: {message})",
            shown(source)
        ))
    })
}

/// Headers the browser sets for itself, which the sender sets its own way
/// (lower case); `sec-fetch-*`, `sec-ch-*` and pseudo-headers too.
const BROWSER_HEADERS: [&str; 17] = [
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "accept-encoding",
    "upgrade-insecure-requests",
    "priority",
    "pragma",
    "cache-control",
    "dnt",
    "purpose",
    "x-client-data",
];

fn is_browser_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with(':')
        || name.starts_with("sec-fetch-")
        || name.starts_with("sec-ch-")
        || name == "sec-gpc"
        || name == "sec-purpose"
        || BROWSER_HEADERS.contains(&name.as_str())
}

/// Whether a header, parameter, field or element called `name` carries a
/// credential: its name says token, secret, password, key, session,
/// signature, CSRF...
fn is_secret(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase();
    let exact = [
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "auth",
        "key",
        "sig",
        "pwd",
        "pass",
        "sid",
    ];
    let parts = [
        "token",
        "secret",
        "password",
        "passwd",
        "apikey",
        "api-key",
        "api_key",
        "session",
        "csrf",
        "xsrf",
        "signature",
        "credential",
        "bearer",
        "assertion",
        "x-auth",
        "jwt",
        "private_key",
        "privatekey",
        "access_key",
        "accesskey",
    ];
    exact.contains(&name.as_str()) || parts.iter().any(|part| name.contains(part))
}

/// Resource types a browser records that are not API calls.
const STATIC_TYPES: [&str; 8] = [
    "script",
    "stylesheet",
    "image",
    "font",
    "media",
    "manifest",
    "texttrack",
    "ping",
];

#[derive(Default)]
struct Importer {
    requests: Vec<IncomingRequest>,
    /// Browser headers dropped, by lower-case name (the first spelling seen).
    dropped: BTreeMap<String, String>,
    /// What was left out as a secret ("the Cookie header") and the
    /// requests it was left out of, in the order first met.
    secrets: Vec<(String, Vec<String>)>,
    /// Entries left out, one sentence each.
    notes: Vec<String>,
    static_files: usize,
    not_http: usize,
}

impl Importer {
    fn entry(&mut self, index: usize, entry: &Value) {
        let place = format!("entry {}", index + 1);
        let Some(request) = entry.get("request").filter(|request| request.is_object()) else {
            self.notes
                .push(format!("{place} was left out: it records no request"));
            return;
        };
        let kind = entry
            .get("_resourceType")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        if STATIC_TYPES.contains(&kind.as_str()) {
            self.static_files += 1;
            return;
        }
        let method = text(request.get("method")).trim().to_ascii_uppercase();
        let raw_url = text(request.get("url")).trim().to_string();
        let parsed = url::Url::parse(&raw_url).ok();
        let Some(parsed) =
            parsed.filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
        else {
            self.not_http += 1;
            return;
        };
        if method == "CONNECT" {
            self.not_http += 1;
            return;
        }
        let name = clean(&format!("{method} {}", parsed.path()));
        let folder = match (parsed.host_str(), parsed.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            (None, _) => String::new(),
        };
        let url = self.url(&raw_url, &name);
        let mut headers = self.headers(request.get("headers"), &name);
        let body = self.body(request.get("postData"), &name);
        let (body, body_kind) = match body {
            Some((body, kind, media)) => {
                if !media.is_empty()
                    && !headers
                        .iter()
                        .any(|header| header.name.eq_ignore_ascii_case("Content-Type"))
                {
                    headers.push(Header::new("Content-Type", media));
                }
                (Some(body), kind)
            }
            None => (None, BodyKind::None),
        };
        let draft = Draft {
            method,
            url,
            headers,
            body,
        };
        let left_out = |problem| format!("{place} (\"{name}\") was left out: {problem}");
        let request = match checked_request(&name, draft, left_out, |request| {
            request.body_kind = body_kind;
        }) {
            Ok(request) => request,
            Err(note) => {
                self.notes.push(note);
                return;
            }
        };
        let folders = if folder.is_empty() {
            Vec::new()
        } else {
            vec![clean(&folder)]
        };
        self.requests.push(IncomingRequest { folders, request });
    }

    /// Records that `what` was left out of request `name`.
    fn secret(&mut self, what: String, name: &str) {
        match self
            .secrets
            .iter_mut()
            .find(|(known, _)| known.eq_ignore_ascii_case(&what))
        {
            Some((_, names)) => names.push(name.to_string()),
            None => self.secrets.push((what, vec![name.to_string()])),
        }
    }

    /// The recorded URL without a user name or password and without the
    /// values of secret query (and fragment) parameters.
    fn url(&mut self, url: &str, name: &str) -> String {
        let (before_fragment, fragment) = match url.split_once('#') {
            Some((before, fragment)) => (before, Some(fragment)),
            None => (url, None),
        };
        let (base, query) = match before_fragment.split_once('?') {
            Some((base, query)) => (base, Some(query)),
            None => (before_fragment, None),
        };
        let mut out = self.without_user(base, name);
        if let Some(query) = query {
            out.push('?');
            out.push_str(&self.scrub_pairs(query, "query parameter", name));
        }
        if let Some(fragment) = fragment {
            out.push('#');
            if fragment.contains('=') {
                out.push_str(&self.scrub_pairs(fragment, "fragment parameter", name));
            } else {
                out.push_str(fragment);
            }
        }
        out
    }

    /// `base` (scheme, authority, path) without `user:password@`.
    fn without_user(&mut self, base: &str, name: &str) -> String {
        let Some((scheme, rest)) = base.split_once("://") else {
            return base.to_string();
        };
        let end = rest.find(['/', '\\']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(end);
        match authority.rsplit_once('@') {
            Some((_, host)) => {
                self.secret("the user name and password in the URL".into(), name);
                format!("{scheme}://{host}{path}")
            }
            None => base.to_string(),
        }
    }

    /// `a=1&b=2` with the values of secret names emptied; the rest as
    /// recorded.
    fn scrub_pairs(&mut self, pairs: &str, what: &str, name: &str) -> String {
        pairs
            .split('&')
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                let decoded: String = url::form_urlencoded::parse(key.as_bytes())
                    .map(|(key, _)| key.into_owned())
                    .next()
                    .unwrap_or_default();
                if is_secret(&decoded) && !value.is_empty() {
                    self.secret(format!("the value of {what} {}", clean(&decoded)), name);
                    format!("{key}=")
                } else {
                    pair.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The recorded headers less the browser's own and the secret ones.
    fn headers(&mut self, headers: Option<&Value>, name: &str) -> Vec<Header> {
        let mut kept = Vec::new();
        for header in headers.and_then(Value::as_array).into_iter().flatten() {
            let header_name = text(header.get("name")).trim().to_string();
            if header_name.is_empty() {
                continue;
            }
            if is_browser_header(&header_name) {
                self.dropped
                    .entry(header_name.to_ascii_lowercase())
                    .or_insert_with(|| clean(&header_name));
                continue;
            }
            if is_secret(&header_name) {
                self.secret(format!("the {} header", clean(&header_name)), name);
                continue;
            }
            let mut value = text(header.get("value"));
            if header_name.eq_ignore_ascii_case("Referer") {
                value = self.url(&value, name);
            }
            kept.push(Header::new(header_name, value));
        }
        kept
    }

    /// The recorded body (its text, or its form fields), its secret values
    /// emptied, how the editor shows it and its media type.
    fn body(&mut self, post: Option<&Value>, name: &str) -> Option<(String, BodyKind, String)> {
        let post = post?;
        let media = text(post.get("mimeType")).trim().to_string();
        let lower = media.to_ascii_lowercase();
        if post.get("encoding").and_then(Value::as_str) == Some("base64")
            || lower.starts_with("multipart/")
        {
            let what = if lower.starts_with("multipart/") {
                clean(&media)
            } else {
                "binary (base64)".into()
            };
            self.notes.push(format!(
                "\"{name}\": its {what} body was left out (Callout Lab sends JSON, XML, text \
                 and form-urlencoded bodies, and a multipart body may hold files the recording \
                 lacks)"
            ));
            return None;
        }
        let mut body = text(post.get("text"));
        let is_form = lower.starts_with("application/x-www-form-urlencoded");
        if body.is_empty() {
            let params = post.get("params").and_then(Value::as_array)?;
            let pairs: Vec<String> = params
                .iter()
                .map(|param| format!("{}={}", text(param.get("name")), text(param.get("value"))))
                .collect();
            body = pairs.join("&");
        }
        if body.is_empty() {
            return None;
        }
        let essence = lower.split(';').next().unwrap_or("").trim().to_string();
        let json = essence.ends_with("/json") || essence.ends_with("+json");
        let xml = essence.ends_with("/xml") || essence.ends_with("+xml");
        let kind = if is_form {
            body = self.scrub_pairs(&body, "form field", name);
            BodyKind::Text
        } else if json || (essence.is_empty() && body.trim_start().starts_with(['{', '['])) {
            body = self.scrub_json(body, name);
            BodyKind::Json
        } else if xml || body.trim_start().starts_with('<') {
            body = self.scrub_xml(&body, name);
            BodyKind::Xml
        } else {
            BodyKind::Text
        };
        Some((body, kind, media))
    }

    /// A JSON body with the values of secret members emptied (written
    /// again only when one was, in the same order and layout style).
    fn scrub_json(&mut self, body: String, name: &str) -> String {
        let Ok(mut tree) = serde_json::from_str::<Node>(&body) else {
            return body;
        };
        let mut found = Vec::new();
        scrub_node(&mut tree, &mut found);
        if found.is_empty() {
            return body;
        }
        for member in found {
            self.secret(format!("the value of JSON member \"{member}\""), name);
        }
        let written = if body.contains('\n') {
            serde_json::to_string_pretty(&tree)
        } else {
            serde_json::to_string(&tree)
        };
        written.unwrap_or_default()
    }

    /// An XML body with the text of secret elements (`<sessionId>`)
    /// emptied.
    fn scrub_xml(&mut self, body: &str, name: &str) -> String {
        let mut out = String::with_capacity(body.len());
        let mut rest = body;
        // `<name ...>text</name>` with no child element: emptied when
        // `name` (without its prefix) says it is a secret.
        while let Some(open) = rest.find('<') {
            out.push_str(&rest[..open]);
            let tag = &rest[open..];
            let Some(close) = tag.find('>') else {
                out.push_str(tag);
                return out;
            };
            let start = &tag[..=close];
            out.push_str(start);
            rest = &tag[close + 1..];
            let element = start
                .trim_start_matches('<')
                .trim_end_matches('>')
                .split_whitespace()
                .next()
                .unwrap_or("");
            if element.starts_with(['/', '?', '!']) || element.ends_with('/') {
                continue;
            }
            let local = element.rsplit(':').next().unwrap_or(element);
            let end_tag = format!("</{element}>");
            if let Some(content_end) = rest.find('<')
                && rest[content_end..].starts_with(&end_tag)
                && content_end > 0
                && is_secret(local)
                && !rest[..content_end].trim().is_empty()
            {
                self.secret(format!("the text of XML element {}", clean(local)), name);
                rest = &rest[content_end..];
            }
        }
        out.push_str(rest);
        out
    }

    fn notes(&mut self) -> Vec<String> {
        let mut notes = Vec::new();
        for (what, names) in &self.secrets {
            let count = names.len();
            let mut shown: Vec<String> = Vec::new();
            for name in names {
                let quoted = format!("\"{name}\"");
                if !shown.contains(&quoted) {
                    shown.push(quoted);
                }
            }
            let more = shown.len().saturating_sub(3);
            shown.truncate(3);
            let listed = if more > 0 {
                format!("{} and {more} more", shown.join(", "))
            } else {
                shown.join(", ")
            };
            notes.push(format!(
                "{what} was left out of {count} request{} ({listed}): it carries a credential \
                 of the recorded session. Send {} through a credential instead (a URL \
                 callout:NAME/... adds its token) or keep the value as a secret variable \
                 (callout env set NAME --secret)",
                if count == 1 { "" } else { "s" },
                if count == 1 { "it" } else { "them" }
            ));
        }
        if !self.dropped.is_empty() {
            let names: Vec<&str> = self.dropped.values().map(String::as_str).collect();
            notes.push(format!(
                "the browser's own headers were left out (the sender sets its own): {}",
                names.join(", ")
            ));
        }
        if self.static_files > 0 {
            notes.push(format!(
                "{} entr{} for scripts, style sheets, images, fonts and media {} left out",
                self.static_files,
                if self.static_files == 1 { "y" } else { "ies" },
                if self.static_files == 1 {
                    "was"
                } else {
                    "were"
                }
            ));
        }
        if self.not_http > 0 {
            notes.push(format!(
                "{} entr{} that {} not http(s) request{} (data:, blob:, WebSocket...) {} left out",
                self.not_http,
                if self.not_http == 1 { "y" } else { "ies" },
                if self.not_http == 1 { "is" } else { "are" },
                if self.not_http == 1 { "" } else { "s" },
                if self.not_http == 1 { "was" } else { "were" }
            ));
        }
        if self.requests.is_empty() {
            notes.push("the recording holds no request to import".into());
        }
        notes.append(&mut self.notes);
        notes
    }
}

/// Empties, in place, the values of the members of `node` whose names say
/// they are secrets; their names go to `found`.
fn scrub_node(node: &mut Node, found: &mut Vec<String>) {
    match node {
        Node::Map(entries) => {
            for (key, value) in entries {
                let holds_value = !matches!(value, Node::Null)
                    && !matches!(value, Node::Text(text) if text.is_empty());
                if is_secret(key) && holds_value {
                    *value = Node::Text(String::new());
                    let key = clean(key);
                    if !found.contains(&key) {
                        found.push(key);
                    }
                } else {
                    scrub_node(value, found);
                }
            }
        }
        Node::List(items) => {
            for item in items {
                scrub_node(item, found);
            }
        }
        _ => {}
    }
}

/// A JSON string as it is, a number or boolean written out, else nothing.
fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::Bool(flag)) => flag.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::collection::Collection;
    use crate::interop::incoming;
    use crate::interop::incoming::tests::{has_note, headers};
    use crate::requests::SavedRequest;

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/fixtures/har/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).unwrap()
    }

    fn shop() -> Incoming {
        import(&fixture("shop.chrome.har"), "shop.chrome.har").unwrap()
    }

    fn request<'i>(incoming: &'i Incoming, method: &str, url: &str) -> &'i SavedRequest {
        &incoming
            .requests
            .iter()
            .find(|r| r.request.method == method && r.request.url == url)
            .unwrap_or_else(|| panic!("no {method} {url}"))
            .request
    }

    /// The secret values the fixture recorded (`SECRET-...`).
    fn recorded_secrets(text: &str) -> Vec<String> {
        let pattern = regex::Regex::new("SECRET-[A-Za-z0-9-]+").unwrap();
        let mut found: Vec<String> = pattern
            .find_iter(text)
            .map(|m| m.as_str().to_string())
            .collect();
        found.sort();
        found.dedup();
        found
    }

    /// Every file below `dir`, read.
    fn all_text(dir: &Path) -> String {
        let mut text = String::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                text.push_str(&all_text(&path));
            } else {
                text.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
        text
    }

    #[test]
    fn a_chrome_recording_is_one_request_per_call_in_a_folder_per_host() {
        let shop = shop();
        assert_eq!(shop.name, "shop.chrome");
        let listed: Vec<String> = shop
            .requests
            .iter()
            .map(|r| {
                format!(
                    "{}/{} = {} {}",
                    r.folders.join("/"),
                    r.request.name,
                    r.request.method,
                    r.request.url
                )
            })
            .collect();
        assert_eq!(
            listed,
            [
                "shop.example.com/GET /api/orders = GET https://shop.example.com/api/orders?status=paid&access_token=",
                "shop.example.com/POST /api/orders = POST https://shop.example.com/api/orders",
                "shop.example.com/POST /account/login = POST https://shop.example.com/account/login",
                "api.partner.example:8443/GET /v1/rates = GET https://api.partner.example:8443/v1/rates?currency=EUR",
                "shop.example.com/GET /api/orders = GET https://shop.example.com/api/orders?status=paid&page=2",
                "acme.my.salesforce.com/POST /services/Soap/u/59.0 = POST https://acme.my.salesforce.com/services/Soap/u/59.0",
            ]
        );
        // The same call twice is kept twice; the writer numbers the files.
        assert_eq!(
            &shop.paths()[..2],
            [
                "shop.example.com/get-api-orders.toml",
                "shop.example.com/post-api-orders.toml"
            ]
        );
        assert_eq!(shop.paths()[4], "shop.example.com/get-api-orders-2.toml");
        assert!(shop.variables.is_empty() && shop.environments.is_empty());
        assert!(shop.credentials.is_empty());

        // A JSON POST: its headers less the browser's and the secret ones,
        // its body as recorded (order and layout) but the card token.
        let post = request(&shop, "POST", "https://shop.example.com/api/orders");
        assert_eq!(
            headers(post),
            [
                ("accept", "application/json, text/plain, */*"),
                ("accept-language", "en-GB,en;q=0.9"),
                (
                    "user-agent",
                    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                     Chrome/124.0.0.0 Safari/537.36"
                ),
                ("content-type", "application/json"),
                ("origin", "https://shop.example.com"),
            ]
        );
        assert_eq!(post.body_kind, BodyKind::Json);
        assert_eq!(
            post.body.as_deref(),
            Some(
                r#"{"customerId":"c_42","items":[{"sku":"SKU-1","quantity":2}],"note":"leave at door","payment":{"cardToken":""}}"#
            )
        );
        // A form post: the password's value left out, the rest as recorded.
        let login = request(&shop, "POST", "https://shop.example.com/account/login");
        assert_eq!(login.body_kind, BodyKind::Text);
        assert_eq!(
            login.body.as_deref(),
            Some("username=ada%40example.com&password=&remember=on")
        );
        // A SOAP call: its sessionId emptied, the query kept.
        let soap = request(
            &shop,
            "POST",
            "https://acme.my.salesforce.com/services/Soap/u/59.0",
        );
        assert_eq!(soap.body_kind, BodyKind::Xml);
        let body = soap.body.as_deref().unwrap();
        assert!(body.contains("<urn:sessionId></urn:sessionId>"), "{body}");
        assert!(body.contains("<urn:queryString>SELECT Id FROM Account</urn:queryString>"));
        assert_eq!(
            headers(soap),
            [
                ("Content-Type", "text/xml; charset=UTF-8"),
                ("SOAPAction", "\"\"")
            ]
        );
        assert!(has_note(&shop, &["2 entries for scripts", "left out"]));
    }

    #[test]
    fn no_secret_of_the_recording_comes_in_and_each_left_out_is_named() {
        let text = fixture("shop.chrome.har");
        let secrets = recorded_secrets(&text);
        assert_eq!(secrets.len(), 8, "{secrets:?}");
        let shop = import(&text, "shop.chrome.har").unwrap();
        let parent = tempfile::tempdir().unwrap();
        incoming::write(parent.path(), &shop).unwrap();
        let everything = format!("{shop:?}{}", all_text(parent.path()));
        for secret in &secrets {
            assert!(!everything.contains(secret.as_str()), "{secret} came in");
        }
        for incoming in &shop.requests {
            for header in &incoming.request.headers {
                let name = header.name.to_ascii_lowercase();
                assert!(!["authorization", "cookie", "x-api-key"].contains(&name.as_str()));
            }
        }
        assert!(has_note(
            &shop,
            &[
                "the authorization header was left out of 3 requests",
                "\"GET /api/orders\"",
                "callout:NAME"
            ]
        ));
        assert!(has_note(
            &shop,
            &["the cookie header was left out of 4 requests"]
        ));
        assert!(has_note(
            &shop,
            &["the X-Api-Key header", "\"GET /v1/rates\""]
        ));
        assert!(has_note(&shop, &["query parameter access_token"]));
        assert!(has_note(
            &shop,
            &["form field password", "\"POST /account/login\""]
        ));
        assert!(has_note(&shop, &["JSON member \"cardToken\""]));
        assert!(has_note(&shop, &["XML element sessionId"]));
    }

    #[test]
    fn the_browsers_own_headers_are_dropped_and_named() {
        let shop = shop();
        for incoming in &shop.requests {
            for header in &incoming.request.headers {
                assert!(!is_browser_header(&header.name), "{}", header.name);
            }
        }
        assert!(has_note(
            &shop,
            &[
                "the browser's own headers were left out",
                ":authority",
                "accept-encoding",
                "content-length",
                "Host",
                "Connection",
                "sec-fetch-mode"
            ]
        ));
    }

    #[test]
    fn every_imported_request_saves_and_reads_back_as_a_collection() {
        let shop = shop();
        let parent = tempfile::tempdir().unwrap();
        let written = incoming::write(parent.path(), &shop).unwrap();
        let opened = Collection::open(Path::new(&written.root)).unwrap();
        assert!(opened.unreadable().is_empty(), "{:?}", opened.unreadable());
        let files = opened.requests();
        assert_eq!(files.len(), shop.requests.len());
        for (path, incoming) in shop.paths().iter().zip(&shop.requests) {
            let file = opened.find(path).unwrap_or_else(|| panic!("no {path}"));
            assert_eq!(file.request.name, incoming.request.name);
            assert_eq!(file.request.method, incoming.request.method);
            assert_eq!(file.request.url, incoming.request.url);
            assert_eq!(file.request.headers, incoming.request.headers);
            assert_eq!(file.request.body, incoming.request.body);
        }
    }

    #[test]
    fn urls_lose_their_user_and_secret_parameters_only() {
        let mut importer = Importer::default();
        let cases = [
            (
                "https://ada:pw@api.example/v1/x?a=1&api_key=k1&b=%20",
                "https://api.example/v1/x?a=1&api_key=&b=%20",
            ),
            (
                "https://app.example/callback#access_token=t1&state=xyz",
                "https://app.example/callback#access_token=&state=xyz",
            ),
            (
                "https://app.example/#/orders",
                "https://app.example/#/orders",
            ),
            (
                "https://app.example/?q=token",
                "https://app.example/?q=token",
            ),
        ];
        for (url, expected) in cases {
            assert_eq!(importer.url(url, "r"), expected);
        }
        assert!(is_secret("X-Amz-Security-Token"));
        assert!(is_secret("client_secret"));
        assert!(is_secret("Proxy-Authorization"));
        assert!(!is_secret("Accept"));
        assert!(!is_secret("page"));
    }

    #[test]
    fn referers_binary_and_multipart_bodies_and_odd_entries() {
        let har = serde_json::json!({"log": {"entries": [
            {"request": {"method": "GET", "url": "https://a.example/x",
                "headers": [{"name": "Referer", "value": "https://a.example/cb?code=1&session_state=s9"}]}},
            {"request": {"method": "POST", "url": "https://a.example/up",
                "postData": {"mimeType": "multipart/form-data; boundary=xyz", "text": "--xyz\r\n"}}},
            {"request": {"method": "POST", "url": "https://a.example/bin",
                "postData": {"mimeType": "application/octet-stream", "text": "AAAA", "encoding": "base64"}}},
            {"request": {"method": "GET", "url": "wss://a.example/socket"}},
            {"request": {"method": "GET", "url": "https://a.example/bad\npath"}},
            {"response": {}},
            {"request": {"method": "PATCH", "url": "https://a.example/p",
                "postData": {"mimeType": "application/x-www-form-urlencoded",
                             "params": [{"name": "a", "value": "1"}, {"name": "refresh_token", "value": "r1"}]}}}
        ]}});
        let odd = import(&har.to_string(), "odd.har").unwrap();
        let listed: Vec<&str> = odd
            .requests
            .iter()
            .map(|r| r.request.name.as_str())
            .collect();
        assert_eq!(listed, ["GET /x", "POST /up", "POST /bin", "PATCH /p"]);
        assert_eq!(
            headers(&odd.requests[0].request),
            [("Referer", "https://a.example/cb?code=1&session_state=")]
        );
        assert_eq!(odd.requests[1].request.body, None);
        assert_eq!(odd.requests[2].request.body, None);
        assert_eq!(
            odd.requests[3].request.body.as_deref(),
            Some("a=1&refresh_token=")
        );
        assert_eq!(
            headers(&odd.requests[3].request),
            [("Content-Type", "application/x-www-form-urlencoded")]
        );
        assert!(has_note(
            &odd,
            &["\"POST /up\"", "multipart/form-data", "left out"]
        ));
        assert!(has_note(&odd, &["\"POST /bin\"", "binary"]));
        assert!(has_note(&odd, &["1 entry that is not http(s) request"]));
        assert!(has_note(&odd, &["entry 5", "left out", "line feed"]));
        assert!(has_note(
            &odd,
            &["entry 6 was left out: it records no request"]
        ));
        assert!(!format!("{odd:?}").contains("s9") && !format!("{odd:?}").contains("r1"));
    }

    #[test]
    fn what_is_not_a_har_file_is_refused_with_where_or_why() {
        let cases = [
            (
                "{\"log\": {\"entries\": [\n  {\"request\": }]}}",
                "cannot import the HAR file: x.har is not valid JSON (line 2, column 15:",
            ),
            (
                "{\"openapi\": \"3.1.0\"}",
                "cannot import the HAR file: x.har has no \"log\" object",
            ),
            (
                "{\"log\": {\"version\": \"1.2\"}}",
                "cannot import the HAR file: x.har has no log.entries list",
            ),
        ];
        for (text, expected) in cases {
            let error = import(text, "x.har").unwrap_err();
            assert!(matches!(error, Error::Import { .. }));
            let error = error.to_string();
            assert!(error.starts_with(expected), "{error}");
        }
    }

    #[test]
    fn truncated_recordings_never_panic() {
        let text = fixture("shop.chrome.har");
        let secrets = recorded_secrets(&text);
        let ends: Vec<usize> = text
            .char_indices()
            .map(|(at, _)| at)
            .chain([text.len()])
            .collect();
        for &end in ends.iter().step_by(5) {
            // Cut JSON is refused; a prefix ending a document still imports.
            if let Ok(imported) = import(&text[..end], "cut.har") {
                let shown = format!("{imported:?}");
                assert!(
                    secrets
                        .iter()
                        .all(|secret| !shown.contains(secret.as_str()))
                );
            }
        }
    }
}

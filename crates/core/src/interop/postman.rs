//! Postman collections (v2.1, and v2.0, which reads the same here) in:
//! requests with their folders, headers and bodies; OAuth 2 auth blocks
//! become credential drafts — without their secrets, which belong in the
//! keychain and are never imported into files.

use std::collections::BTreeMap;

use serde_json::Value;

use super::incoming::checked_request;
use crate::credential::{AuthProtocol, ClientAuth, Credential};
use crate::http::{Draft, Header};
use crate::requests::{BodyKind, SavedRequest};
use crate::{Error, Result};

/// What a collection holds, ready to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    pub name: String,
    /// Requests named "Folder / Sub-folder / Request", in collection order.
    pub requests: Vec<SavedRequest>,
    /// Each request's folders, outermost first (beside `requests`).
    pub folders: Vec<Vec<String>>,
    /// The collection's variables.
    pub variables: BTreeMap<String, String>,
    /// Variables the requests use that the collection gives no value.
    pub unknown_variables: Vec<String>,
    /// One draft per distinct OAuth 2 configuration, without secrets.
    pub credentials: Vec<Credential>,
    /// What was left out or changed, one sentence each.
    pub notes: Vec<String>,
}

fn refuse(detail: impl Into<String>) -> Error {
    Error::Import {
        what: "Postman collection",
        detail: detail.into(),
    }
}

/// `json` parsed, or `refuse`'s error saying where it is not JSON.
pub(super) fn parse_json(json: &str, refuse: impl Fn(String) -> Error) -> Result<Value> {
    serde_json::from_str(json).map_err(|error| {
        refuse(format!(
            "it is not valid JSON (line {}, column {}: {error})",
            error.line(),
            error.column()
        ))
    })
}

/// Reads a collection from its JSON text, its `{{variables}}` replaced by
/// the collection's values (the saved requests have no variables).
pub fn import(json: &str) -> Result<Collection> {
    import_with(json, false)
}

/// Reads a collection from its JSON text for a collection on disk, which
/// has variables: every `{{variable}}` stays as written.
pub fn import_keeping_variables(json: &str) -> Result<Collection> {
    import_with(json, true)
}

fn import_with(json: &str, keep_variables: bool) -> Result<Collection> {
    let root = parse_json(json, refuse)?;
    let info = root
        .get("info")
        .ok_or_else(|| refuse("it has no \"info\" object: is this a Postman collection export?"))?;
    let schema = info.get("schema").and_then(Value::as_str).unwrap_or("");
    if !schema.contains("/collection/v2.") {
        return Err(refuse(format!(
            "info.schema is \"{schema}\"; export the collection as Collection v2.1 in Postman"
        )));
    }
    let name = text(info.get("name")).unwrap_or_else(|| "Postman".to_string());
    let mut importer = Importer {
        variables: variables(root.get("variable")),
        keep_variables,
        collection: name.clone(),
        ..Importer::default()
    };
    let items = root
        .get("item")
        .and_then(Value::as_array)
        .ok_or_else(|| refuse("it has no \"item\" list"))?;
    importer.items(items, &[], root.get("auth"), "item")?;
    let mut notes = importer.notes;
    let unknown_variables: Vec<String> = importer.unresolved.keys().cloned().collect();
    for variable in importer.unresolved.keys().filter(|_| !keep_variables) {
        notes.push(format!(
            "{{{{{}}}}} has no value in the collection's variables and was left as written",
            variable.escape_debug()
        ));
    }
    Ok(Collection {
        name,
        requests: importer.requests,
        folders: importer.folders,
        variables: importer.variables,
        unknown_variables,
        credentials: importer.credentials.into_values().collect(),
        notes,
    })
}

#[derive(Debug, Default)]
struct Importer {
    collection: String,
    variables: BTreeMap<String, String>,
    /// Leave `{{variables}}` as written (a collection on disk has them).
    keep_variables: bool,
    unresolved: BTreeMap<String, ()>,
    requests: Vec<SavedRequest>,
    folders: Vec<Vec<String>>,
    /// Credential drafts keyed by their name.
    credentials: BTreeMap<String, Credential>,
    notes: Vec<String>,
}

impl Importer {
    fn items(
        &mut self,
        items: &[Value],
        folders: &[String],
        inherited_auth: Option<&Value>,
        path: &str,
    ) -> Result<()> {
        for (index, item) in items.iter().enumerate() {
            let here = format!("{path}[{index}]");
            let name = text(item.get("name")).unwrap_or_else(|| format!("Request {}", index + 1));
            let auth = item.get("auth").or(inherited_auth);
            if let Some(children) = item.get("item").and_then(Value::as_array) {
                let mut inner = folders.to_vec();
                inner.push(name);
                self.items(children, &inner, auth, &format!("{here}.item"))?;
            } else if let Some(request) = item.get("request") {
                let mut full = folders.to_vec();
                full.push(name);
                let before = self.requests.len();
                self.request(&full.join(" / "), request, auth, &here)?;
                if self.requests.len() > before {
                    self.folders.push(folders.to_vec());
                }
            } else {
                return Err(refuse(format!(
                    "{here} (\"{}\") is neither a folder nor a request",
                    name.escape_debug()
                )));
            }
        }
        Ok(())
    }

    fn request(
        &mut self,
        name: &str,
        request: &Value,
        inherited_auth: Option<&Value>,
        path: &str,
    ) -> Result<()> {
        // A request may be a bare URL string.
        let (method, raw_url, headers, body, auth) = match request {
            Value::String(url) => ("GET".to_string(), url.clone(), &Value::Null, None, None),
            _ => (
                text(request.get("method")).unwrap_or_else(|| "GET".to_string()),
                url_of(request.get("url")).ok_or_else(|| {
                    refuse(format!(
                        "{path}.request (\"{}\") has no URL",
                        name.escape_debug()
                    ))
                })?,
                request.get("header").unwrap_or(&Value::Null),
                request.get("body"),
                request.get("auth"),
            ),
        };
        let url = self.resolve(&raw_url).trim().to_string();
        let draft = Draft {
            method: method.trim().to_ascii_uppercase(),
            url,
            headers: self.headers(headers),
            body: None,
        };
        // One request that cannot be kept is left out and named; the rest
        // of the collection still comes in.
        let left_out = |reason: String| {
            format!(
                "\"{}\" ({path}) was not imported: {reason}",
                name.escape_debug()
            )
        };
        let checked = checked_request(name, draft, left_out, |saved| {
            if let Some(body) = body {
                self.body(saved, body);
            }
            if let Some(auth) = auth.or(inherited_auth) {
                self.auth(saved, auth);
            }
        });
        match checked {
            Ok(request) => self.requests.push(request),
            Err(note) => self.notes.push(note),
        }
        Ok(())
    }

    fn headers(&mut self, headers: &Value) -> Vec<Header> {
        enabled(Some(headers))
            .filter_map(|header| {
                let name = text(header.get("key"))?;
                let value = text(header.get("value")).unwrap_or_default();
                Some(Header::new(self.resolve(&name), self.resolve(&value)))
            })
            .collect()
    }

    fn body(&mut self, saved: &mut SavedRequest, body: &Value) {
        let mode = body.get("mode").and_then(Value::as_str).unwrap_or("raw");
        match mode {
            "raw" => {
                let raw = text(body.get("raw")).unwrap_or_default();
                if raw.is_empty() {
                    return;
                }
                let language = body
                    .pointer("/options/raw/language")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                saved.body_kind = match language {
                    "json" => BodyKind::Json,
                    "xml" | "html" => BodyKind::Xml,
                    _ if raw.trim_start().starts_with('<') => BodyKind::Xml,
                    _ if raw.trim_start().starts_with(['{', '[']) => BodyKind::Json,
                    _ => BodyKind::Text,
                };
                saved.body = Some(self.resolve(&raw));
            }
            "urlencoded" => {
                let pairs: Vec<(String, String)> = enabled(body.get("urlencoded"))
                    .filter_map(|p| {
                        Some((
                            self.resolve(&text(p.get("key"))?),
                            self.resolve(&text(p.get("value")).unwrap_or_default()),
                        ))
                    })
                    .collect();
                let encoded = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs)
                    .finish();
                saved.body = Some(encoded);
                saved.body_kind = BodyKind::Text;
                if !saved
                    .headers
                    .iter()
                    .any(|h| h.name.eq_ignore_ascii_case("Content-Type"))
                {
                    saved.headers.push(Header::new(
                        "Content-Type",
                        "application/x-www-form-urlencoded",
                    ));
                }
            }
            "graphql" => {
                let query = body
                    .pointer("/graphql/query")
                    .cloned()
                    .unwrap_or(Value::Null);
                let variables = body
                    .pointer("/graphql/variables")
                    .and_then(Value::as_str)
                    .and_then(|v| serde_json::from_str::<Value>(v).ok())
                    .unwrap_or(Value::Null);
                let json = serde_json::json!({ "query": query, "variables": variables });
                saved.body = Some(json.to_string());
                saved.body_kind = BodyKind::Json;
            }
            other => self.notes.push(format!(
                "\"{}\": its {} body was not imported; Callout Lab sends raw, JSON, XML and \
                 form-urlencoded bodies",
                saved.name.escape_debug(),
                other.escape_debug()
            )),
        }
    }

    fn auth(&mut self, saved: &mut SavedRequest, auth: &Value) {
        let kind = auth.get("type").and_then(Value::as_str).unwrap_or("noauth");
        match kind {
            "noauth" | "inherit" => {}
            "oauth2" => self.oauth2(saved, auth),
            "bearer" => {
                saved.headers.push(Header::new(
                    "Authorization",
                    "Bearer {!$Credential.OAuthToken}",
                ));
                self.notes.push(format!(
                    "\"{}\": its bearer token was not imported (a secret); the request sends \
                     {{!$Credential.OAuthToken}} instead — point it at a credential",
                    saved.name.escape_debug()
                ));
            }
            other => self.notes.push(format!(
                "\"{}\": {} authentication was not imported; set it up as a credential",
                saved.name.escape_debug(),
                other.escape_debug()
            )),
        }
    }

    /// An OAuth 2 block: a credential draft (once per distinct
    /// configuration), and the request rewritten to `callout:NAME/...` when
    /// its URL is absolute.
    fn oauth2(&mut self, saved: &mut SavedRequest, auth: &Value) {
        // A credential needs real endpoints: the collection's values go in,
        // even when the requests keep their `{{variables}}`.
        let keep_variables = std::mem::replace(&mut self.keep_variables, false);
        self.oauth2_resolved(saved, auth);
        self.keep_variables = keep_variables;
    }

    fn oauth2_resolved(&mut self, saved: &mut SavedRequest, auth: &Value) {
        let settings: BTreeMap<String, String> = key_values(auth.get("oauth2"))
            .into_iter()
            .map(|(key, value)| (key, self.resolve(&value)))
            .collect();
        let get = |key: &str| settings.get(key).cloned();
        let protocol = match get("grant_type").as_deref() {
            Some("client_credentials") => AuthProtocol::ClientCredentials,
            Some("password") => AuthProtocol::Password,
            Some("implicit") => {
                self.notes.push(format!(
                    "\"{}\": the implicit grant is obsolete (OAuth 2.0 Security BCP); the \
                     credential uses authorization code with PKCE instead",
                    saved.name.escape_debug()
                ));
                AuthProtocol::AuthorizationCode
            }
            _ => AuthProtocol::AuthorizationCode,
        };
        let url = self.resolve(&saved.url);
        let parsed = url::Url::parse(&url).ok().filter(|url| url.has_host());
        let origin_and_rest = parsed.as_ref().and_then(|parsed| {
            let rest = after_authority(&url)?;
            Some((parsed.origin().ascii_serialization(), rest.to_string()))
        });
        let Some((origin, rest)) = origin_and_rest else {
            self.notes.push(format!(
                "\"{}\": its OAuth 2 settings were not imported because its URL ({}) is not \
                 absolute",
                saved.name.escape_debug(),
                saved.url
            ));
            return;
        };
        let mut credential = Credential::new(String::new(), origin.clone());
        credential.protocol = protocol;
        credential.client_id = get("clientId");
        credential.token_url = get("accessTokenUrl");
        credential.auth_url = get("authUrl");
        credential.scopes = get("scope")
            .map(|scope| scope.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        if get("client_authentication").as_deref() == Some("body") {
            credential.client_auth = ClientAuth::Body;
        }
        let name = self.credential_name(&credential);
        credential.name = name.clone();
        if !self.credentials.contains_key(&name) {
            if get("clientSecret").is_some_and(|secret| !secret.is_empty()) {
                self.notes.push(format!(
                    "credential {name}: the client secret was not imported (secrets stay out of \
                     files); add it with `callout credential add` or the app, which keep it in \
                     the OS keychain"
                ));
            }
            if get("accessToken").is_some_and(|token| !token.is_empty()) {
                self.notes.push(format!(
                    "credential {name}: the collection's saved access token was not imported; \
                     authorize the credential instead"
                ));
            }
            self.credentials.insert(name.clone(), credential);
        }
        let user_info = parsed.map(|url| (!url.username().is_empty(), url.password().is_some()));
        let left_out = match user_info {
            Some((_, true)) => Some("the user name and password in its URL were"),
            Some((true, false)) => Some("the user name in its URL was"),
            _ => None,
        };
        if let Some(left_out) = left_out {
            self.notes.push(format!(
                "\"{}\": {left_out} not imported; credential {name} signs the request in",
                saved.name.escape_debug()
            ));
        }
        saved.url = format!("callout:{name}{rest}");
    }

    /// A valid credential name for a configuration: the collection's name,
    /// numbered when the collection has several configurations.
    fn credential_name(&self, credential: &Credential) -> String {
        if let Some((name, _)) = self.credentials.iter().find(|(_, known)| {
            Credential {
                name: String::new(),
                ..(*known).clone()
            } == *credential
        }) {
            return name.clone();
        }
        let base = developer_name(
            &self.collection,
            "Imported",
            crate::credential::MAX_NAME_LEN,
        );
        if self.credentials.is_empty() {
            base
        } else {
            format!("{base}_{}", self.credentials.len() + 1)
        }
    }

    /// Replaces `{{variable}}` with the collection's value; unknown ones stay
    /// as written (and are named in a note).
    fn resolve(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            match after.find("}}") {
                Some(end) => {
                    let name = after[..end].trim();
                    match self.variables.get(name) {
                        Some(_) if self.keep_variables => {
                            out.push_str(&rest[start..start + 2 + end + 2]);
                        }
                        Some(value) => out.push_str(value),
                        None => {
                            self.unresolved.insert(name.to_string(), ());
                            out.push_str(&rest[start..start + 2 + end + 2]);
                        }
                    }
                    rest = &after[end + 2..];
                }
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// A Salesforce-style developer name from free text: letters, digits and
/// single underscores, starting with a letter (text that does not is put
/// after `prefix` and an underscore), at most `max` characters and not
/// ending with an underscore.
pub(crate) fn developer_name(text: &str, prefix: &str, max: usize) -> String {
    let mut name = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('_') {
            name.push('_');
        }
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name = format!("{prefix}_{name}");
    }
    let name: String = name.chars().take(max).collect();
    name.trim_end_matches('_').to_string()
}

/// A JSON string, number or boolean as text.
pub(crate) fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// A URL given as a string or as Postman's object (`raw`, or the parts).
fn url_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(url) => Some(url.clone()),
        object => {
            if let Some(raw) = text(object.get("raw")) {
                return Some(raw);
            }
            let protocol = text(object.get("protocol")).unwrap_or_else(|| "https".into());
            let host = join(object.get("host"), ".")?;
            let port = text(object.get("port"))
                .map(|port| format!(":{port}"))
                .unwrap_or_default();
            let path = join(object.get("path"), "/").unwrap_or_default();
            let query: Vec<String> = enabled(object.get("query"))
                .filter_map(|pair| {
                    let key = text(pair.get("key"))?;
                    Some(match text(pair.get("value")) {
                        Some(value) => format!("{key}={value}"),
                        None => key,
                    })
                })
                .collect();
            let query = if query.is_empty() {
                String::new()
            } else {
                format!("?{}", query.join("&"))
            };
            let hash = text(object.get("hash"))
                .map(|hash| format!("#{hash}"))
                .unwrap_or_default();
            Some(format!("{protocol}://{host}{port}/{path}{query}{hash}"))
        }
    }
}

fn join(value: Option<&Value>, separator: &str) -> Option<String> {
    match value? {
        Value::String(text) => Some(text.clone()),
        Value::Array(parts) => Some(
            parts
                .iter()
                .filter_map(|part| text(Some(part)).or_else(|| text(part.get("value"))))
                .collect::<Vec<_>>()
                .join(separator),
        ),
        _ => None,
    }
}

/// The entries of a Postman list (headers, query or form pairs) that are not
/// `"disabled": true`.
pub(crate) fn enabled(list: Option<&Value>) -> impl Iterator<Item = &Value> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|entry| {
            !entry
                .get("disabled")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        })
}

/// What follows the authority (`user@host:port`) of an absolute URL, as
/// written: the path, query and fragment. Read from the text itself, not from
/// the parsed URL, whose host may be punycode, whose default port and user
/// are dropped and whose path is percent-encoded (`{{variable}}` stays as
/// written); the authority ends where a URL parser ends it, at the first
/// `/`, `?`, `#` or `\` after the slashes.
pub(crate) fn after_authority(url: &str) -> Option<&str> {
    let (_, after_scheme) = url.split_once(':')?;
    let authority = after_scheme.trim_start_matches(['/', '\\']);
    let end = authority
        .find(['/', '?', '#', '\\'])
        .unwrap_or(authority.len());
    Some(&authority[end..])
}

/// Postman's `[{key, value}]` lists (variables, auth settings) as a map.
fn key_values(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|pair| Some((text(pair.get("key"))?, text(pair.get("value"))?)))
                .collect()
        })
        .unwrap_or_default()
}

fn variables(value: Option<&Value>) -> BTreeMap<String, String> {
    key_values(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn developer_names_are_valid() {
        let max = crate::credential::MAX_NAME_LEN;
        let name = |text: &str| developer_name(text, "Imported", max);
        assert_eq!(name("Acme CRM — API (v2)"), "Acme_CRM_API_v2");
        assert_eq!(name("2024 tests"), "Imported_2024_tests");
        assert_eq!(name("!!!"), "Imported");
        assert_eq!(name("Orders API!"), "Orders_API");
        assert_eq!(developer_name("1 a", "API", max), "API_1_a");
        for text in ["ab ".repeat(60), format!("{} b", "a".repeat(max - 1))] {
            let long = name(&text);
            assert!(long.len() <= max && !long.ends_with('_'), "{long}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_collection() {
        let cases = [
            (
                "{",
                "cannot import the Postman collection: it is not valid JSON (line 1, column 1",
            ),
            (
                "{}",
                "cannot import the Postman collection: it has no \"info\" object",
            ),
            (
                r#"{"info":{"schema":"https://schema.getpostman.com/json/collection/v1.0.0/collection.json"}}"#,
                "cannot import the Postman collection: info.schema is",
            ),
            (
                r#"{"info":{"schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},"item":[{"name":"x"}]}"#,
                "cannot import the Postman collection: item[0] (\"x\") is neither a folder nor a request",
            ),
        ];
        for (json, expected) in cases {
            let error = import(json).unwrap_err().to_string();
            assert!(error.starts_with(expected), "{error}");
        }
    }

    #[test]
    fn what_follows_the_authority_is_read_as_written() {
        let cases = [
            ("https://bücher.example/path?q=1", "/path?q=1"),
            ("https://api.example:443/v1/{{id}}", "/v1/{{id}}"),
            ("https://u:p@api.example?x=1", "?x=1"),
            ("https://api.example#top", "#top"),
            ("https://api.example", ""),
            ("https:\\\\api.example\\v1", "\\v1"),
        ];
        for (url, rest) in cases {
            assert_eq!(after_authority(url), Some(rest), "{url}");
        }
    }

    /// The `callout:` URL an OAuth 2 request with `url` comes in as, and the
    /// endpoint of its credential.
    fn imported_oauth2(url: &str) -> (String, String) {
        let json = serde_json::json!({
            "info": {
                "name": "One",
                "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
            },
            "auth": {"type": "oauth2", "oauth2": [{"key": "clientId", "value": "app"}]},
            "item": [{"name": "r", "request": {"method": "GET", "url": url}}]
        });
        let collection = import(&json.to_string()).unwrap();
        (
            collection.requests[0].url.clone(),
            collection.credentials[0].endpoint.clone(),
        )
    }

    #[test]
    fn oauth2_urls_keep_their_path_whatever_the_authority_looks_like() {
        let cases = [
            (
                "https://bücher.example/path",
                "https://xn--bcher-kva.example",
            ),
            ("https://api.example:443/v1/items", "https://api.example"),
            (
                "https://reader:s3cret@api.example/v1/me",
                "https://api.example",
            ),
            ("  https://api.example/v1/x", "https://api.example"),
            ("https://API.Example/v1/y?q=1#f", "https://api.example"),
        ];
        let paths = ["/path", "/v1/items", "/v1/me", "/v1/x", "/v1/y?q=1#f"];
        for ((url, endpoint), path) in cases.into_iter().zip(paths) {
            let (imported, origin) = imported_oauth2(url);
            assert_eq!(imported, format!("callout:One{path}"), "{url}");
            assert_eq!(origin, endpoint, "{url}");
        }
    }
}

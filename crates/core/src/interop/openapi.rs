//! OpenAPI 3.0 and 3.1 and Swagger 2.0 documents in, written in JSON or
//! YAML: one request per operation, in a folder named after its first tag,
//! sent to `{{baseUrl}}` (the first server; one environment per further
//! server), with its path parameters as `{{variables}}`, its required query
//! parameters, its header parameters and an example body. Security schemes
//! become credential drafts (OAuth 2 and OpenID Connect) or notes saying
//! what to set up.
//!
//! What it guarantees:
//! - nothing secret comes in: a document says how to sign in, never with
//!   what, and a credential draft holds endpoints, scopes and flows only;
//! - `$ref`s are followed within the document only, and every chain of
//!   them and every example a bounded number of steps: a cycle or a
//!   document built to blow up gives a smaller example, never a hang;
//! - every request is one [`check_request`](super::check_request) accepts
//!   and [`SavedRequest::validate`](crate::requests::SavedRequest::validate)
//!   saves; an operation that cannot be is left out and named in a note, as
//!   is everything else left out;
//! - a document that cannot be read is an [`Error::Import`] saying where
//!   (line and column) or what it lacks.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::incoming::{Incoming, IncomingRequest, checked_request};
use super::postman::developer_name;
use crate::credential::{AuthProtocol, Credential};
use crate::http::{Draft, Header};
use crate::requests::BodyKind;
use crate::{Error, Result};

/// Reads an OpenAPI 3.0 or 3.1 or a Swagger 2.0 document, in JSON or YAML.
/// `source` names it (a file name or a URL): errors say it, a document
/// without a title is named after it, and relative server URLs are resolved
/// against it when it is a URL.
pub fn import(text: &str, source: &str) -> Result<Incoming> {
    let root = parse(text, source)?;
    let dialect = dialect(&root, source)?;
    Ok(Importer::new(&root, dialect, source).import())
}

/// The variable every request URL starts with: the server.
const BASE_URL: &str = "baseUrl";

/// The operations of a path item, in the order OpenAPI lists them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// How many `$ref`s one chain may follow before it is taken for a cycle.
const MAX_HOPS: usize = 32;

/// How many schema nodes one generated example may visit, and how deep.
const EXAMPLE_BUDGET: usize = 400;
const EXAMPLE_DEPTH: usize = 16;

/// The longest request, folder or collection name made (in characters).
const MAX_NAME: usize = 100;

fn refuse(detail: impl Into<String>) -> Error {
    Error::Import {
        what: "OpenAPI document",
        detail: detail.into(),
    }
}

/// `source` as errors name it: its unsafe characters replaced, or "the
/// document" when it is empty.
fn shown(source: &str) -> String {
    let source: String = source
        .chars()
        .map(|c| if super::is_unsafe(c) { '?' } else { c })
        .collect();
    if source.trim().is_empty() {
        "the document".into()
    } else {
        source.trim().to_string()
    }
}

// ---------------------------------------------------------------------------
// The document as a tree, its keys in the order written.

/// A parsed document: JSON's values, with each object's keys in the order
/// they were written, so requests and example bodies keep the order people
/// wrote paths and properties in.
/// (The HAR importer reads JSON bodies with it too, to keep their order.)
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Text(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

static NULL: Node = Node::Null;

impl Node {
    /// The value of `key` in a map (its first, when written twice).
    fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value)
    }

    fn str(&self) -> Option<&str> {
        match self {
            Node::Text(text) => Some(text),
            _ => None,
        }
    }

    fn list(&self) -> &[Node] {
        match self {
            Node::List(items) => items,
            _ => &[],
        }
    }

    fn entries(&self) -> &[(String, Node)] {
        match self {
            Node::Map(entries) => entries,
            _ => &[],
        }
    }

    /// A string, number or boolean as text.
    fn scalar(&self) -> Option<String> {
        match self {
            Node::Text(text) => Some(text.clone()),
            Node::Number(number) => Some(number.to_string()),
            Node::Bool(flag) => Some(flag.to_string()),
            _ => None,
        }
    }

    fn is_true(&self, key: &str) -> bool {
        matches!(self.get(key), Some(Node::Bool(true)))
    }

    /// The value as one text: a scalar as it is, a list's items joined by
    /// `separator`, a map as compact JSON, null as nothing.
    fn text(&self, separator: &str) -> String {
        match self {
            Node::Null => String::new(),
            Node::List(items) => items
                .iter()
                .map(|item| item.text(separator))
                .collect::<Vec<_>>()
                .join(separator),
            Node::Map(_) => serde_json::to_string(self).unwrap_or_default(),
            scalar => scalar.scalar().unwrap_or_default(),
        }
    }

    fn number(value: f64) -> Node {
        serde_json::Number::from_f64(value).map_or(Node::Null, Node::Number)
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Node::Null => serializer.serialize_unit(),
            Node::Bool(flag) => serializer.serialize_bool(*flag),
            Node::Number(number) => number.serialize(serializer),
            Node::Text(text) => serializer.serialize_str(text),
            Node::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Map(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> de::Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON or YAML value")
    }

    fn visit_bool<E>(self, value: bool) -> std::result::Result<Node, E> {
        Ok(Node::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> std::result::Result<Node, E> {
        Ok(Node::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> std::result::Result<Node, E> {
        Ok(Node::Number(value.into()))
    }

    fn visit_i128<E>(self, value: i128) -> std::result::Result<Node, E> {
        Ok(Node::Text(value.to_string()))
    }

    fn visit_u128<E>(self, value: u128) -> std::result::Result<Node, E> {
        Ok(Node::Text(value.to_string()))
    }

    fn visit_f64<E>(self, value: f64) -> std::result::Result<Node, E> {
        Ok(Node::number(value))
    }

    fn visit_str<E>(self, value: &str) -> std::result::Result<Node, E> {
        Ok(Node::Text(value.to_string()))
    }

    fn visit_string<E>(self, value: String) -> std::result::Result<Node, E> {
        Ok(Node::Text(value))
    }

    fn visit_none<E>(self) -> std::result::Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_unit<E>(self) -> std::result::Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, inner: D) -> std::result::Result<Node, D::Error> {
        Node::deserialize(inner)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Node, A::Error> {
        let mut entries: Vec<(String, Node)> = Vec::new();
        let mut merges = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value: Node = map.next_value()?;
            let key = match key {
                Node::Null => "null".to_string(),
                other => other.text(","),
            };
            if key == "<<" {
                merges.push(value);
            } else {
                entries.push((key, value));
            }
        }
        // YAML's merge keys: the merged maps' entries this one lacks.
        for merged in merges {
            let maps = match merged {
                Node::List(items) => items,
                other => vec![other],
            };
            for (key, value) in maps.into_iter().flat_map(|map| match map {
                Node::Map(entries) => entries,
                _ => Vec::new(),
            }) {
                if !entries.iter().any(|(known, _)| *known == key) {
                    entries.push((key, value));
                }
            }
        }
        Ok(Node::Map(entries))
    }

    /// A YAML value with a tag (`!something value`): the value.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> std::result::Result<Node, A::Error> {
        let (_tag, variant): (Node, _) = data.variant()?;
        variant.newtype_variant()
    }
}

/// `text` read as JSON when it starts with `{`, else as YAML.
fn parse(text: &str, source: &str) -> Result<Node> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|error| {
            let (line, column) = (error.line(), error.column());
            refuse(format!(
                "{} is not valid JSON (line {line}, column {column}: {})",
                shown(source),
                without_position(&error.to_string(), line, column)
            ))
        });
    }
    serde_yaml_ng::from_str(text).map_err(|error| {
        let message = error.to_string();
        refuse(match error.location() {
            Some(at) => format!(
                "{} is not valid YAML (line {}, column {}: {})",
                shown(source),
                at.line(),
                at.column(),
                without_position(&message, at.line(), at.column())
            ),
            None => format!("{} is not valid YAML ({message})", shown(source)),
        })
    })
}

/// A parser's message without the " at line L column C" it ends with.
fn without_position(message: &str, line: usize, column: usize) -> String {
    message.replacen(&format!(" at line {line} column {column}"), "", 1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Swagger2,
    OpenApi3,
}

fn dialect(root: &Node, source: &str) -> Result<Dialect> {
    let not_one = |what: &str| {
        refuse(format!(
            "{} {what}: is it an OpenAPI or Swagger document?",
            shown(source)
        ))
    };
    if !matches!(root, Node::Map(_)) {
        return Err(not_one("holds no keys"));
    }
    if let Some(version) = root.get("openapi") {
        let version = version.scalar().unwrap_or_default();
        return if version.starts_with("3.") {
            Ok(Dialect::OpenApi3)
        } else {
            Err(refuse(format!(
                "{} says openapi \"{}\": Callout Lab reads OpenAPI 3.0 and 3.1 and Swagger 2.0",
                shown(source),
                version.escape_debug()
            )))
        };
    }
    if let Some(version) = root.get("swagger") {
        let version = version.scalar().unwrap_or_default();
        return if version == "2.0" || version == "2" {
            Ok(Dialect::Swagger2)
        } else {
            Err(refuse(format!(
                "{} says swagger \"{}\": Callout Lab reads Swagger 2.0 and OpenAPI 3.0 and 3.1",
                shown(source),
                version.escape_debug()
            )))
        };
    }
    Err(not_one(
        "has neither an \"openapi\" nor a \"swagger\" key at the top",
    ))
}

// ---------------------------------------------------------------------------
// Small helpers on text.

/// `text` on one line: unsafe characters and runs of white space made one
/// space, trimmed, at most [`MAX_NAME`] characters.
pub(super) fn clean(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if super::is_unsafe(c) { ' ' } else { c })
        .collect();
    let words: Vec<&str> = spaced.split_whitespace().collect();
    words.join(" ").chars().take(MAX_NAME).collect()
}

/// A name as `{{variable}}` takes it: letters, digits, `_`, `-` and `.`.
fn variable_name(name: &str) -> String {
    let name: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "param".into()
    } else if name.eq_ignore_ascii_case(BASE_URL) {
        format!("{name}_param")
    } else {
        name
    }
}

fn is_json(media: &str) -> bool {
    let media = media.split(';').next().unwrap_or("").trim();
    media.ends_with("/json") || media.ends_with("+json")
}

fn is_xml(media: &str) -> bool {
    let media = media.split(';').next().unwrap_or("").trim();
    media.ends_with("/xml") || media.ends_with("+xml")
}

fn is_form(media: &str) -> bool {
    media.starts_with("application/x-www-form-urlencoded")
}

/// The host (and port) of `url`, to name an environment by.
fn host_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    Some(match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// Whether `url` is an absolute http(s) URL with a host.
fn is_absolute(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
}

/// `reference` (a `$ref`'s local part, after `#`) decoded: JSON pointer
/// tokens with their percent escapes undone.
fn pointer_tokens(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|token| {
            let bytes = token.as_bytes();
            let mut decoded = Vec::with_capacity(bytes.len());
            let mut index = 0;
            while index < bytes.len() {
                let hex = bytes
                    .get(index + 1..index + 3)
                    .and_then(|hex| std::str::from_utf8(hex).ok())
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok());
                match (bytes[index], hex) {
                    (b'%', Some(byte)) => {
                        decoded.push(byte);
                        index += 3;
                    }
                    (byte, _) => {
                        decoded.push(byte);
                        index += 1;
                    }
                }
            }
            String::from_utf8_lossy(&decoded)
                .replace("~1", "/")
                .replace("~0", "~")
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The import.

/// A server: its URL (variables filled in, no trailing slash) and a name
/// for its environment.
struct Server {
    url: String,
    label: String,
}

/// A request body: its text, how the editor shows it, its media type.
struct Body {
    text: String,
    kind: BodyKind,
    media: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Json,
    Form,
    Xml,
    Text,
}

struct Importer<'a> {
    root: &'a Node,
    dialect: Dialect,
    source: &'a str,
    title: String,
    requests: Vec<IncomingRequest>,
    variables: BTreeMap<String, String>,
    /// Path variables no operation gives a value, each with an operation
    /// that uses it.
    unvalued: BTreeMap<String, String>,
    /// Optional query parameters left out.
    optional_queries: usize,
    notes: Vec<String>,
    /// `$ref`s that could not be followed, each named once.
    broken: BTreeSet<String>,
}

impl<'a> Importer<'a> {
    fn new(root: &'a Node, dialect: Dialect, source: &'a str) -> Self {
        let title = root
            .get("info")
            .and_then(|info| info.get("title"))
            .and_then(Node::scalar)
            .map(|title| clean(&title))
            .filter(|title| !title.is_empty())
            .or_else(|| stem(source))
            .unwrap_or_else(|| "OpenAPI".into());
        Self {
            root,
            dialect,
            source,
            title,
            requests: Vec::new(),
            variables: BTreeMap::new(),
            unvalued: BTreeMap::new(),
            optional_queries: 0,
            notes: Vec::new(),
            broken: BTreeSet::new(),
        }
    }

    fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    fn import(mut self) -> Incoming {
        let servers = self.servers();
        let base = servers.first().map(|server| server.url.clone());
        self.variables
            .insert(BASE_URL.into(), base.clone().unwrap_or_default());
        let environments = environments(&servers);
        self.operations();
        for (variable, operation) in std::mem::take(&mut self.unvalued) {
            if !self.variables.contains_key(&variable) {
                self.note(format!(
                    "{{{{{variable}}}}} (a path parameter of \"{operation}\" and maybe others) \
                     has no example in the document: give it a value in collection.toml or an \
                     environment (callout env set {variable}=...)"
                ));
            }
        }
        if self.optional_queries > 0 {
            let count = self.optional_queries;
            self.note(format!(
                "{count} optional query parameter{} left out of the URLs; add those you need",
                if count == 1 { " was" } else { "s were" }
            ));
        }
        let endpoint = base.filter(|base| is_absolute(base));
        let credentials = self.security(endpoint.as_deref());
        Incoming {
            name: self.title,
            requests: self.requests,
            variables: self.variables,
            environments,
            credentials,
            notes: self.notes,
        }
    }

    // -- references ----------------------------------------------------------

    /// What `reference` points at in this document; a reference elsewhere or
    /// to nothing is named in a note (once) and gives `None`.
    fn lookup(&mut self, reference: &str) -> Option<&'a Node> {
        let found = reference.strip_prefix('#').and_then(|pointer| {
            let mut node = self.root;
            for token in pointer_tokens(pointer) {
                node = match node {
                    Node::Map(_) => node.get(&token)?,
                    Node::List(items) => items.get(token.parse::<usize>().ok()?)?,
                    _ => return None,
                };
            }
            Some(node)
        });
        if found.is_none() && self.broken.insert(reference.to_string()) {
            let shown = clean(reference);
            self.note(if reference.starts_with('#') {
                format!("$ref \"{shown}\" names nothing in the document; what uses it was left out")
            } else {
                format!(
                    "$ref \"{shown}\" points outside the document; what uses it was left out \
                     (bundle the document into one file first)"
                )
            });
        }
        found
    }

    /// `node`, or what its `$ref` chain ends at (null when it breaks or
    /// loops).
    fn deref(&mut self, mut node: &'a Node) -> &'a Node {
        for _ in 0..MAX_HOPS {
            let Some(reference) = node.get("$ref").and_then(Node::str) else {
                return node;
            };
            match self.lookup(reference) {
                Some(target) => node = target,
                None => return &NULL,
            }
        }
        let looped = node
            .get("$ref")
            .and_then(Node::str)
            .map(clean)
            .unwrap_or_default();
        self.note(format!(
            "$ref \"{looped}\" is part of a loop of references; what uses it was left out"
        ));
        &NULL
    }

    // -- servers -------------------------------------------------------------

    fn servers(&mut self) -> Vec<Server> {
        let mut servers = match self.dialect {
            Dialect::OpenApi3 => {
                let root = self.root;
                let listed = root.get("servers").map(Node::list).unwrap_or_default();
                listed
                    .iter()
                    .filter_map(|server| self.server(server))
                    .collect()
            }
            Dialect::Swagger2 => self.swagger_servers(),
        };
        if servers.is_empty()
            && let Some(url) = self.against_source("")
        {
            servers.push(Server {
                label: host_of(&url).unwrap_or_else(|| "Server".into()),
                url,
            });
        }
        match servers.first() {
            None => self.note(
                "the document names no server: set baseUrl to the API's address (https://...) \
                 in collection.toml (callout env set baseUrl=https://...)"
                    .into(),
            ),
            Some(first) if !is_absolute(&first.url) => {
                let url = clean(&first.url);
                self.note(format!(
                    "the server \"{url}\" is not an absolute http(s) URL: set baseUrl to the \
                     API's address (https://...) in collection.toml (callout env set \
                     baseUrl=https://...)"
                ));
            }
            Some(_) => {}
        }
        servers
    }

    /// An OpenAPI 3 server, its variables given their defaults.
    fn server(&mut self, server: &'a Node) -> Option<Server> {
        let server = self.deref(server);
        let mut url = server.get("url")?.scalar()?.trim().to_string();
        for (name, variable) in server
            .get("variables")
            .map(Node::entries)
            .unwrap_or_default()
        {
            let value = variable
                .get("default")
                .and_then(Node::scalar)
                .or_else(|| variable.get("enum")?.list().first()?.scalar());
            if let Some(value) = value {
                url = url.replace(&format!("{{{name}}}"), &value);
            }
        }
        if url.contains('{') {
            let shown = clean(&url);
            self.note(format!(
                "the server \"{shown}\" has a variable without a default; fill it in where \
                 baseUrl is set"
            ));
        }
        let url = self.against_source(&url).unwrap_or(url);
        let url = url.trim_end_matches('/').to_string();
        let label = server
            .get("description")
            .and_then(Node::str)
            .map(clean)
            .filter(|text| !text.is_empty() && text.chars().count() <= 40)
            .or_else(|| host_of(&url))
            .unwrap_or_else(|| "Server".into());
        Some(Server { url, label })
    }

    /// Swagger 2.0's host, basePath and schemes: one server per scheme.
    fn swagger_servers(&mut self) -> Vec<Server> {
        let root = self.root;
        let base_path = root
            .get("basePath")
            .and_then(Node::scalar)
            .unwrap_or_default();
        let base_path = base_path.trim().trim_end_matches('/');
        let base_path = if base_path.is_empty() || base_path.starts_with('/') {
            base_path.to_string()
        } else {
            format!("/{base_path}")
        };
        let Some(host) = root.get("host").and_then(Node::scalar) else {
            let url = self
                .against_source(&base_path)
                .unwrap_or_else(|| base_path.clone());
            return vec![Server {
                label: host_of(&url).unwrap_or_else(|| "Server".into()),
                url: url.trim_end_matches('/').to_string(),
            }];
        };
        let host = host.trim().trim_end_matches('/').to_string();
        let mut schemes: Vec<String> = root
            .get("schemes")
            .map(Node::list)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::scalar)
            .map(|scheme| scheme.to_ascii_lowercase())
            .filter(|scheme| scheme == "http" || scheme == "https")
            .collect();
        if schemes.is_empty() {
            let from_source = url::Url::parse(self.source)
                .ok()
                .map(|url| url.scheme().to_string())
                .filter(|scheme| scheme == "http");
            schemes.push(from_source.unwrap_or_else(|| "https".into()));
        }
        schemes
            .into_iter()
            .map(|scheme| Server {
                url: format!("{scheme}://{host}{base_path}"),
                label: format!("{host} ({scheme})"),
            })
            .collect()
    }

    /// `url` made absolute against the document's own URL, when it is
    /// relative and the source is a URL; `None` otherwise.
    fn against_source(&self, url: &str) -> Option<String> {
        if is_absolute(url) {
            return None;
        }
        let source = url::Url::parse(self.source.trim())
            .ok()
            .filter(|source| matches!(source.scheme(), "http" | "https"))?;
        let joined = source.join(url).ok()?;
        let joined = if url.is_empty() {
            // A document served with no server: its origin.
            source.join("/").ok()?
        } else {
            joined
        };
        Some(joined.to_string().trim_end_matches('/').to_string())
    }

    // -- operations ----------------------------------------------------------

    fn operations(&mut self) {
        let root = self.root;
        let paths = root.get("paths").map(Node::entries).unwrap_or_default();
        for (path, item) in paths {
            if path.starts_with("x-") {
                continue;
            }
            let item = self.deref(item);
            for (key, operation) in item.entries() {
                if let Some(method) = METHODS.iter().find(|method| key == *method) {
                    self.operation(path, method, item, operation);
                }
            }
        }
        if self.requests.is_empty() {
            self.note("the document describes no operations".into());
        }
        let webhooks = root
            .get("webhooks")
            .map_or(0, |hooks| hooks.entries().len());
        if webhooks > 0 {
            self.note(format!(
                "{webhooks} webhook{} left out: the API sends those requests, it does not \
                 receive them",
                if webhooks == 1 { " was" } else { "s were" }
            ));
        }
    }

    fn operation(&mut self, path: &str, method: &str, item: &'a Node, operation: &'a Node) {
        let operation = self.deref(operation);
        let method = method.to_ascii_uppercase();
        let name = ["summary", "operationId"]
            .into_iter()
            .filter_map(|key| operation.get(key)?.scalar())
            .map(|text| clean(&text))
            .find(|text| !text.is_empty())
            .unwrap_or_else(|| clean(&format!("{method} {path}")));
        let folders: Vec<String> = operation
            .get("tags")
            .and_then(|tags| tags.list().first())
            .and_then(Node::scalar)
            .map(|tag| clean(&tag))
            .filter(|tag| !tag.is_empty())
            .into_iter()
            .collect();
        let parameters = self.parameters(item, operation);
        let url = self.url(path, &parameters, &name);
        let mut headers = self.header_parameters(&parameters);
        let cookies: Vec<String> = parameters
            .iter()
            .filter(|parameter| place(parameter) == "cookie")
            .filter_map(|parameter| parameter.get("name")?.scalar())
            .map(|cookie| clean(&cookie))
            .collect();
        if !cookies.is_empty() {
            self.note(format!(
                "\"{name}\": its cookie parameter{} {} left out; add a Cookie header if the API \
                 needs {}",
                if cookies.len() == 1 { "" } else { "s" },
                cookies.join(", "),
                if cookies.len() == 1 { "it" } else { "them" }
            ));
        }
        let body = match self.dialect {
            Dialect::OpenApi3 => self.body(operation, &name),
            Dialect::Swagger2 => self.swagger_body(operation, &parameters, &name),
        };
        let has = |headers: &[Header], wanted: &str| {
            headers
                .iter()
                .any(|header| header.name.eq_ignore_ascii_case(wanted))
        };
        if let Some(accept) = self.accept(operation)
            && !has(&headers, "Accept")
        {
            headers.push(Header::new("Accept", accept));
        }
        if let Some(body) = &body
            && !has(&headers, "Content-Type")
        {
            headers.push(Header::new("Content-Type", body.media.clone()));
        }
        if operation.get("callbacks").is_some() {
            self.note(format!(
                "\"{name}\": its callbacks were left out (requests the API sends, not receives)"
            ));
        }
        let (body, body_kind) = match body {
            Some(body) => (Some(body.text), body.kind),
            None => (None, BodyKind::None),
        };
        let draft = Draft {
            method: method.clone(),
            url,
            headers,
            body,
        };
        let left_out = |problem| {
            format!(
                "\"{name}\" ({method} {}) was not imported: {problem}",
                clean(path)
            )
        };
        let request = match checked_request(&name, draft, left_out, |request| {
            request.body_kind = body_kind;
        }) {
            Ok(request) => request,
            Err(note) => {
                self.note(note);
                return;
            }
        };
        self.requests.push(IncomingRequest { folders, request });
    }

    /// The path item's and the operation's parameters, resolved; the
    /// operation's win over the path item's of the same name and place.
    fn parameters(&mut self, item: &'a Node, operation: &'a Node) -> Vec<&'a Node> {
        let mut parameters: Vec<&'a Node> = Vec::new();
        for list in [item.get("parameters"), operation.get("parameters")] {
            for parameter in list.map(Node::list).unwrap_or_default() {
                let parameter = self.deref(parameter);
                let Some(name) = parameter.get("name").and_then(Node::scalar) else {
                    continue;
                };
                let same = |known: &&'a Node| {
                    place(known) == place(parameter)
                        && known.get("name").and_then(Node::scalar).as_deref() == Some(&name)
                };
                match parameters.iter_mut().find(|known| same(known)) {
                    Some(slot) => *slot = parameter,
                    None => parameters.push(parameter),
                }
            }
        }
        parameters
    }

    /// `{{baseUrl}}` and the path, its parameters `{{variables}}`, then the
    /// required query parameters with example values.
    fn url(&mut self, path: &str, parameters: &[&'a Node], operation: &str) -> String {
        let mut url = format!("{{{{{BASE_URL}}}}}");
        if !path.starts_with('/') {
            url.push('/');
        }
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            url.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                url.push_str(&rest[open..]);
                rest = "";
                break;
            };
            let name = &after[..close];
            let variable = variable_name(name);
            url.push_str(&format!("{{{{{variable}}}}}"));
            self.path_value(name, &variable, parameters, operation);
            rest = &after[close + 1..];
        }
        url.push_str(rest);
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        let mut any = false;
        for parameter in parameters.iter().filter(|p| place(p) == "query") {
            if !parameter.is_true("required") {
                self.optional_queries += 1;
                continue;
            }
            let Some(name) = parameter.get("name").and_then(Node::scalar) else {
                continue;
            };
            let value = self.sample(parameter);
            let values = match &value {
                Node::List(items) if !items.is_empty() => items.iter().collect(),
                other => vec![other],
            };
            for value in values {
                query.append_pair(&name, &value.text(","));
                any = true;
            }
        }
        if any {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&query.finish());
        }
        url
    }

    /// Gives path variable `variable` the example value of the path
    /// parameter `name`, unless a value is known; notes it when none is.
    fn path_value(&mut self, name: &str, variable: &str, parameters: &[&'a Node], operation: &str) {
        if self.variables.contains_key(variable) {
            return;
        }
        let parameter = parameters.iter().find(|parameter| {
            place(parameter) == "path"
                && parameter.get("name").and_then(Node::scalar).as_deref() == Some(name)
        });
        match parameter.and_then(|parameter| self.given_value(parameter)) {
            Some(value) => {
                self.variables.insert(variable.into(), value.text(","));
                self.unvalued.remove(variable);
            }
            None => {
                self.unvalued
                    .entry(variable.into())
                    .or_insert_with(|| operation.to_string());
            }
        }
    }

    /// The header parameters that are required or have an example (not
    /// Accept, Content-Type or Authorization, which OpenAPI says to ignore).
    fn header_parameters(&mut self, parameters: &[&'a Node]) -> Vec<Header> {
        let mut headers = Vec::new();
        for parameter in parameters.iter().filter(|p| place(p) == "header") {
            let Some(name) = parameter.get("name").and_then(Node::scalar) else {
                continue;
            };
            let name = name.trim().to_string();
            if ["accept", "content-type", "authorization"]
                .contains(&name.to_ascii_lowercase().as_str())
            {
                continue;
            }
            let given = self.given_value(parameter);
            if given.is_none() && !parameter.is_true("required") {
                continue;
            }
            let value = given.unwrap_or_else(|| self.sample(parameter));
            headers.push(Header::new(name, value.text(",")));
        }
        headers
    }

    /// The schema of a parameter (Swagger 2.0's parameters are their own).
    fn parameter_schema(&mut self, parameter: &'a Node) -> Option<&'a Node> {
        match self.dialect {
            Dialect::Swagger2 => Some(parameter),
            Dialect::OpenApi3 => {
                let schema = parameter
                    .get("schema")
                    .or_else(|| parameter.get("content")?.entries().first()?.1.get("schema"))?;
                Some(self.deref(schema))
            }
        }
    }

    /// A value the document gives a parameter: its example, first example,
    /// its schema's example, default or first enum value.
    fn given_value(&mut self, parameter: &'a Node) -> Option<Node> {
        for key in ["example", "x-example"] {
            if let Some(example) = parameter.get(key) {
                return Some(example.clone());
            }
        }
        if let Some(examples) = parameter.get("examples") {
            for (_, example) in examples.entries() {
                let example = self.deref(example);
                if let Some(value) = example.get("value") {
                    return Some(value.clone());
                }
            }
        }
        let schema = self.parameter_schema(parameter)?;
        given_in_schema(schema)
    }

    /// A value for a parameter: the one the document gives, or one made
    /// from its schema.
    fn sample(&mut self, parameter: &'a Node) -> Node {
        if let Some(value) = self.given_value(parameter) {
            return value;
        }
        match self.parameter_schema(parameter) {
            Some(schema) => self.example(schema),
            None => Node::Text(String::new()),
        }
    }

    // -- bodies --------------------------------------------------------------

    /// An OpenAPI 3 operation's request body: JSON when it takes JSON, else
    /// a form, XML or text.
    fn body(&mut self, operation: &'a Node, name: &str) -> Option<Body> {
        let body = self.deref(operation.get("requestBody")?);
        let content = body.get("content").map(Node::entries).unwrap_or_default();
        if content.is_empty() {
            return None;
        }
        let pick = |wanted: &dyn Fn(&str) -> bool| {
            content
                .iter()
                .find(|(media, _)| wanted(&media.to_ascii_lowercase()))
        };
        let chosen = pick(&is_json)
            .map(|found| (found, Shape::Json))
            .or_else(|| pick(&is_form).map(|found| (found, Shape::Form)))
            .or_else(|| pick(&is_xml).map(|found| (found, Shape::Xml)))
            .or_else(|| pick(&|media| media.starts_with("text/")).map(|found| (found, Shape::Text)))
            .or_else(|| pick(&|media| media.contains('*')).map(|found| (found, Shape::Json)));
        let Some(((media, content), shape)) = chosen else {
            let kinds: Vec<String> = content.iter().map(|(media, _)| clean(media)).collect();
            self.note(format!(
                "\"{name}\": its {} body was left out: Callout Lab sends JSON, XML, text and \
                 form-urlencoded bodies",
                kinds.join(" or ")
            ));
            return None;
        };
        let content = self.deref(content);
        let schema = content.get("schema");
        let example = match self.given_example(content, name) {
            Some(example) => example,
            None => match schema {
                Some(schema) => self.example(schema),
                None => Node::Map(Vec::new()),
            },
        };
        let media = if media.contains('*') {
            "application/json".to_string()
        } else {
            media.trim().to_string()
        };
        Some(self.render(example, schema, shape, media))
    }

    /// The example a media type gives: its `example`, or its first
    /// `examples` entry's value.
    fn given_example(&mut self, content: &'a Node, name: &str) -> Option<Node> {
        if let Some(example) = content.get("example") {
            return Some(example.clone());
        }
        for (_, example) in content
            .get("examples")
            .map(Node::entries)
            .unwrap_or_default()
        {
            let example = self.deref(example);
            if let Some(value) = example.get("value") {
                return Some(value.clone());
            }
            if example.get("externalValue").is_some() {
                self.note(format!(
                    "\"{name}\": its example body is in a file of its own (externalValue) and \
                     was left out"
                ));
            }
        }
        None
    }

    /// A Swagger 2.0 operation's body: its `body` parameter, or its
    /// `formData` parameters as a form.
    fn swagger_body(
        &mut self,
        operation: &'a Node,
        parameters: &[&'a Node],
        name: &str,
    ) -> Option<Body> {
        let root = self.root;
        let consumes: Vec<String> = operation
            .get("consumes")
            .or_else(|| root.get("consumes"))
            .map(Node::list)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::scalar)
            .map(|media| media.trim().to_string())
            .collect();
        let find = |wanted: &dyn Fn(&str) -> bool| {
            consumes
                .iter()
                .find(|media| wanted(&media.to_ascii_lowercase()))
                .cloned()
        };
        if let Some(parameter) = parameters.iter().find(|p| place(p) == "body") {
            let schema = parameter.get("schema");
            let example = match parameter.get("x-example") {
                Some(example) => example.clone(),
                None => match schema {
                    Some(schema) => self.example(schema),
                    None => Node::Map(Vec::new()),
                },
            };
            let chosen = if consumes.is_empty() {
                Some(("application/json".to_string(), Shape::Json))
            } else {
                find(&is_json)
                    .map(|media| (media, Shape::Json))
                    .or_else(|| find(&is_xml).map(|media| (media, Shape::Xml)))
                    .or_else(|| find(&|media| media.starts_with("text/")).map(|m| (m, Shape::Text)))
            };
            let Some((media, shape)) = chosen else {
                self.note(format!(
                    "\"{name}\": its {} body was left out: Callout Lab sends JSON, XML, text and \
                     form-urlencoded bodies",
                    consumes
                        .iter()
                        .map(|m| clean(m))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ));
                return None;
            };
            return Some(self.render(example, schema, shape, media));
        }
        let fields: Vec<&'a Node> = parameters
            .iter()
            .copied()
            .filter(|p| place(p) == "formData")
            .collect();
        if fields.is_empty() {
            return None;
        }
        let has_file = fields
            .iter()
            .any(|field| field.get("type").and_then(Node::str) == Some("file"));
        let form = find(&is_form);
        if has_file || (form.is_none() && !consumes.is_empty()) {
            self.note(format!(
                "\"{name}\": its multipart form (file upload) was left out: Callout Lab sends \
                 JSON, XML, text and form-urlencoded bodies"
            ));
            return None;
        }
        let mut entries = Vec::new();
        for field in fields {
            if let Some(field_name) = field.get("name").and_then(Node::scalar) {
                entries.push((field_name, self.sample(field)));
            }
        }
        let media = form.unwrap_or_else(|| "application/x-www-form-urlencoded".into());
        Some(self.render(Node::Map(entries), None, Shape::Form, media))
    }

    /// `example` written out as a body of `shape`.
    fn render(
        &mut self,
        example: Node,
        schema: Option<&'a Node>,
        shape: Shape,
        media: String,
    ) -> Body {
        let (text, kind) = match (shape, example) {
            (Shape::Json, Node::Text(text)) if text.trim_start().starts_with(['{', '[']) => {
                (text, BodyKind::Json)
            }
            (Shape::Json, example) => (
                serde_json::to_string_pretty(&example).unwrap_or_default(),
                BodyKind::Json,
            ),
            (Shape::Form, Node::Map(entries)) => {
                let mut form = url::form_urlencoded::Serializer::new(String::new());
                for (key, value) in &entries {
                    match value {
                        Node::List(items) => {
                            for item in items {
                                form.append_pair(key, &item.text(","));
                            }
                        }
                        other => {
                            form.append_pair(key, &other.text(","));
                        }
                    }
                }
                (form.finish(), BodyKind::Text)
            }
            (Shape::Form | Shape::Text, example) => (example.text(","), BodyKind::Text),
            (Shape::Xml, Node::Text(text)) => (text, BodyKind::Xml),
            (Shape::Xml, example) => {
                let root = self.xml_name(schema);
                let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
                write_xml(&mut xml, &root, &example, 0);
                (xml, BodyKind::Xml)
            }
        };
        Body { text, kind, media }
    }

    /// The root element of an XML body: the schema's `xml.name`, or the
    /// name of the schema it refers to.
    fn xml_name(&mut self, schema: Option<&'a Node>) -> String {
        let Some(schema) = schema else {
            return "root".into();
        };
        let referred = schema
            .get("$ref")
            .and_then(Node::str)
            .and_then(|reference| reference.rsplit('/').next())
            .map(str::to_string);
        let resolved = self.deref(schema);
        resolved
            .get("xml")
            .and_then(|xml| xml.get("name"))
            .and_then(Node::scalar)
            .or(referred)
            .map(|name| xml_element_name(&name))
            .unwrap_or_else(|| "root".into())
    }

    /// The media type the operation answers with, to accept: JSON when it
    /// offers JSON, else its first; none for a wildcard.
    fn accept(&mut self, operation: &'a Node) -> Option<String> {
        let offered: Vec<String> = match self.dialect {
            Dialect::Swagger2 => {
                let root = self.root;
                operation
                    .get("produces")
                    .or_else(|| root.get("produces"))
                    .map(Node::list)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Node::scalar)
                    .collect()
            }
            Dialect::OpenApi3 => {
                let responses = operation
                    .get("responses")
                    .map(Node::entries)
                    .unwrap_or_default();
                let chosen = responses
                    .iter()
                    .find(|(status, _)| status.starts_with('2'))
                    .or_else(|| responses.iter().find(|(status, _)| status == "default"));
                match chosen {
                    Some((_, response)) => self
                        .deref(response)
                        .get("content")
                        .map(Node::entries)
                        .unwrap_or_default()
                        .iter()
                        .map(|(media, _)| media.clone())
                        .collect(),
                    None => Vec::new(),
                }
            }
        };
        let offered: Vec<String> = offered
            .iter()
            .map(|media| media.trim().to_string())
            .collect();
        offered
            .iter()
            .find(|media| is_json(&media.to_ascii_lowercase()))
            .or_else(|| offered.first())
            .filter(|media| !media.contains('*') && !media.is_empty())
            .cloned()
    }

    // -- examples from schemas -------------------------------------------------

    /// An example value for `schema`: its own example when it has one, else
    /// one made from its shape (objects with their properties, arrays of one
    /// item, an enum's first value, strings by their format).
    fn example(&mut self, schema: &'a Node) -> Node {
        let mut budget = EXAMPLE_BUDGET;
        self.generate(schema, &mut Vec::new(), &mut budget, 0)
            .unwrap_or(Node::Map(Vec::new()))
    }

    fn generate(
        &mut self,
        schema: &'a Node,
        stack: &mut Vec<&'a str>,
        budget: &mut usize,
        depth: usize,
    ) -> Option<Node> {
        if *budget == 0 || depth > EXAMPLE_DEPTH {
            return None;
        }
        *budget -= 1;
        if let Some(reference) = schema.get("$ref").and_then(Node::str) {
            // A schema met again inside itself ends there.
            if stack.contains(&reference) {
                return None;
            }
            let target = self.lookup(reference)?;
            stack.push(reference);
            let value = self.generate(target, stack, budget, depth + 1);
            stack.pop();
            return value;
        }
        if let Some(value) = given_in_schema(schema) {
            return Some(value);
        }
        if let Some(parts) = schema.get("allOf") {
            let mut merged: Vec<(String, Node)> = Vec::new();
            let mut other = None;
            for part in parts.list() {
                match self.generate(part, stack, budget, depth + 1) {
                    Some(Node::Map(entries)) => merge(&mut merged, entries),
                    Some(value) => other = Some(value),
                    None => {}
                }
            }
            if schema.get("properties").is_some()
                && let Some(Node::Map(own)) = self.object(schema, stack, budget, depth)
            {
                merge(&mut merged, own);
            }
            return Some(match other {
                Some(value) if merged.is_empty() => value,
                _ => Node::Map(merged),
            });
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(first) = schema.get(key).and_then(|options| options.list().first()) {
                return self.generate(first, stack, budget, depth + 1);
            }
        }
        match type_of(schema) {
            "object" => self.object(schema, stack, budget, depth),
            "array" => Some(Node::List(
                schema
                    .get("items")
                    .and_then(|items| self.generate(items, stack, budget, depth + 1))
                    .into_iter()
                    .collect(),
            )),
            "string" => Some(Node::Text(string_example(
                schema.get("format").and_then(Node::str).unwrap_or(""),
            ))),
            "integer" | "number" => Some(match schema.get("minimum") {
                Some(Node::Number(minimum)) if minimum.as_f64().is_some_and(|m| m > 0.0) => {
                    Node::Number(minimum.clone())
                }
                _ => Node::Number(0.into()),
            }),
            "boolean" => Some(Node::Bool(true)),
            "null" => Some(Node::Null),
            "file" => Some(Node::Text(String::new())),
            _ => Some(Node::Map(Vec::new())),
        }
    }

    /// An object's example: each property not read-only, or one entry of
    /// its additional properties when it lists none.
    fn object(
        &mut self,
        schema: &'a Node,
        stack: &mut Vec<&'a str>,
        budget: &mut usize,
        depth: usize,
    ) -> Option<Node> {
        let mut entries = Vec::new();
        let properties = schema
            .get("properties")
            .map(Node::entries)
            .unwrap_or_default();
        for (name, property) in properties {
            if property.is_true("readOnly") || self.deref(property).is_true("readOnly") {
                continue;
            }
            if let Some(value) = self.generate(property, stack, budget, depth + 1) {
                entries.push((name.clone(), value));
            }
        }
        if properties.is_empty()
            && let Some(additional @ Node::Map(_)) = schema.get("additionalProperties")
            && let Some(value) = self.generate(additional, stack, budget, depth + 1)
        {
            entries.push(("key".into(), value));
        }
        Some(Node::Map(entries))
    }

    // -- security ------------------------------------------------------------

    /// Credential drafts for the OAuth 2 and OpenID Connect schemes, notes
    /// for the rest; `endpoint` is the first server's absolute URL.
    fn security(&mut self, endpoint: Option<&str>) -> Vec<Credential> {
        let root = self.root;
        let schemes = match self.dialect {
            Dialect::OpenApi3 => root
                .get("components")
                .and_then(|components| components.get("securitySchemes")),
            Dialect::Swagger2 => root.get("securityDefinitions"),
        };
        let required = self.required_scopes();
        let mut drafts: Vec<Credential> = Vec::new();
        for (key, scheme) in schemes.map(Node::entries).unwrap_or_default() {
            let scheme = self.deref(scheme);
            let shown_key = clean(key);
            let kind = scheme.get("type").and_then(Node::str).unwrap_or("");
            let wanted = required.get(key).cloned().unwrap_or_default();
            match kind {
                "oauth2" => self.oauth2(key, scheme, endpoint, &wanted, &mut drafts),
                "openIdConnect" => {
                    self.open_id_connect(key, scheme, endpoint, &wanted, &mut drafts)
                }
                "http" => {
                    let http = scheme
                        .get("scheme")
                        .and_then(Node::scalar)
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    self.note(match http.as_str() {
                        "bearer" => format!(
                            "security scheme \"{shown_key}\" (HTTP bearer token): send the \
                             requests through a credential that gets the token — set \
                             baseUrl = \"callout:NAME\" (callout env set baseUrl=callout:NAME); \
                             a callout: URL adds the credential's token"
                        ),
                        "basic" => basic_note(&shown_key),
                        other => format!(
                            "security scheme \"{shown_key}\" (HTTP {}) was not imported: \
                             Callout Lab signs in with OAuth 2 or Basic credentials",
                            clean(other)
                        ),
                    });
                }
                "basic" => self.note(basic_note(&shown_key)),
                "apiKey" => {
                    let name = scheme
                        .get("name")
                        .and_then(Node::scalar)
                        .unwrap_or_default();
                    let place = scheme.get("in").and_then(Node::scalar).unwrap_or_default();
                    let variable = variable_name(&name);
                    let how = match place.as_str() {
                        "query" => {
                            format!("the query parameter {}={{{{{variable}}}}}", clean(&name))
                        }
                        "cookie" => format!("the cookie {}={{{{{variable}}}}}", clean(&name)),
                        _ => format!("the header {}: {{{{{variable}}}}}", clean(&name)),
                    };
                    self.note(format!(
                        "security scheme \"{shown_key}\" takes an API key, which is not imported: \
                         keep it as a secret variable (callout env set {variable} --secret, held \
                         in the OS keychain) and send it as {how}"
                    ));
                }
                "mutualTLS" => self.note(format!(
                    "security scheme \"{shown_key}\" (mutual TLS): give a credential the client \
                     certificate and set baseUrl = \"callout:NAME\""
                )),
                other => self.note(format!(
                    "security scheme \"{shown_key}\" of type \"{}\" was not imported",
                    clean(other)
                )),
            }
        }
        if let Some(first) = drafts.first() {
            let names: Vec<&str> = drafts.iter().map(|draft| draft.name.as_str()).collect();
            let name = &first.name;
            self.note(format!(
                "to send the requests through a credential, set baseUrl = \"callout:{name}\" \
                 (callout env set baseUrl=callout:{name}, or in an environment; drafts: {}): a \
                 callout: URL goes to the credential's endpoint with its token, refreshed when \
                 it expires",
                names.join(", ")
            ));
        }
        drafts
    }

    /// The scopes the document's security requirements ask of each scheme,
    /// in the order first asked.
    fn required_scopes(&mut self) -> BTreeMap<String, Vec<String>> {
        let root = self.root;
        let mut lists: Vec<&'a Node> = root.get("security").into_iter().collect();
        for (path, item) in root.get("paths").map(Node::entries).unwrap_or_default() {
            if path.starts_with("x-") {
                continue;
            }
            let item = self.deref(item);
            for (key, operation) in item.entries() {
                if METHODS.contains(&key.as_str())
                    && let Some(security) = operation.get("security")
                {
                    lists.push(security);
                }
            }
        }
        let mut required: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for requirement in lists.iter().flat_map(|list| list.list()) {
            for (scheme, scopes) in requirement.entries() {
                let known = required.entry(scheme.clone()).or_default();
                for scope in scopes.list().iter().filter_map(Node::scalar) {
                    if !known.contains(&scope) {
                        known.push(scope);
                    }
                }
            }
        }
        required
    }

    fn oauth2(
        &mut self,
        key: &str,
        scheme: &'a Node,
        endpoint: Option<&str>,
        wanted: &[String],
        drafts: &mut Vec<Credential>,
    ) {
        let flows: Vec<(&str, &'a Node)> = match self.dialect {
            Dialect::OpenApi3 => scheme
                .get("flows")
                .map(Node::entries)
                .unwrap_or_default()
                .iter()
                .map(|(flow, settings)| (flow.as_str(), settings))
                .collect(),
            Dialect::Swagger2 => {
                let flow = match scheme.get("flow").and_then(Node::str).unwrap_or("") {
                    "accessCode" => "authorizationCode",
                    "application" => "clientCredentials",
                    other => other,
                };
                vec![(flow, scheme)]
            }
        };
        let usable = flows
            .iter()
            .filter(|(flow, _)| protocol_of(flow).is_some())
            .count();
        let shown_key = clean(key);
        for (flow, settings) in flows {
            let Some(protocol) = protocol_of(flow) else {
                self.note(if flow == "implicit" {
                    format!(
                        "security scheme \"{shown_key}\": its implicit flow was not made a \
                         credential; the implicit grant is obsolete (OAuth 2.0 Security BCP) — \
                         use the authorization code flow with PKCE if the provider offers it"
                    )
                } else {
                    format!(
                        "security scheme \"{shown_key}\": its flow \"{}\" was not made a \
                         credential",
                        clean(flow)
                    )
                });
                continue;
            };
            let Some(endpoint) = endpoint else {
                self.note(format!(
                    "security scheme \"{shown_key}\": its {} flow was not made a credential \
                     because the document names no absolute server URL for its endpoint; add \
                     it with callout credential add",
                    protocol.words()
                ));
                continue;
            };
            let url = |key: &str| {
                settings
                    .get(key)
                    .and_then(Node::scalar)
                    .map(|url| against(endpoint, url.trim()))
            };
            let mut credential = Credential::new(String::new(), endpoint);
            credential.protocol = protocol;
            credential.token_url = url("tokenUrl");
            if protocol == AuthProtocol::AuthorizationCode {
                credential.auth_url = url("authorizationUrl");
            }
            // The scopes the operations ask for that this flow offers; all
            // it offers when none is asked for.
            let offered: Vec<String> = settings
                .get("scopes")
                .map(Node::entries)
                .unwrap_or_default()
                .iter()
                .map(|(scope, _)| scope.clone())
                .collect();
            let asked: Vec<String> = wanted
                .iter()
                .filter(|scope| offered.is_empty() || offered.contains(scope))
                .cloned()
                .collect();
            credential.scopes = if asked.is_empty() { offered } else { asked };
            let suffix = (usable > 1).then_some(match protocol {
                AuthProtocol::ClientCredentials => "ClientCredentials",
                AuthProtocol::Password => "Password",
                _ => "AuthCode",
            });
            credential.name = self.credential_name(key, suffix, drafts);
            self.draft(credential, &shown_key, drafts);
        }
    }

    fn open_id_connect(
        &mut self,
        key: &str,
        scheme: &'a Node,
        endpoint: Option<&str>,
        wanted: &[String],
        drafts: &mut Vec<Credential>,
    ) {
        let shown_key = clean(key);
        let url = scheme
            .get("openIdConnectUrl")
            .and_then(Node::scalar)
            .unwrap_or_default();
        let url = url.trim();
        let issuer = url
            .trim_end_matches('/')
            .strip_suffix("/.well-known/openid-configuration");
        let (Some(issuer), Some(endpoint)) = (issuer, endpoint) else {
            self.note(format!(
                "security scheme \"{shown_key}\" (OpenID Connect, discovery at \"{}\") was not \
                 made a credential: add one with callout credential add --issuer ISSUER (the \
                 discovery URL without /.well-known/openid-configuration)",
                clean(url)
            ));
            return;
        };
        let mut credential = Credential::new(String::new(), endpoint);
        credential.issuer = Some(against(endpoint, issuer));
        credential.scopes = vec!["openid".to_string()];
        for scope in wanted {
            if !credential.scopes.contains(scope) {
                credential.scopes.push(scope.clone());
            }
        }
        credential.name = self.credential_name(key, None, drafts);
        self.draft(credential, &shown_key, drafts);
    }

    /// Keeps `credential` as a draft when it is well formed, with a note of
    /// what it still needs; notes why not otherwise.
    fn draft(&mut self, credential: Credential, scheme: &str, drafts: &mut Vec<Credential>) {
        if let Err(error) = credential.validate() {
            self.note(format!(
                "security scheme \"{scheme}\": its {} flow was not made a credential: {error}",
                credential.protocol.words()
            ));
            return;
        }
        let secret = if credential.protocol.needs_client_secret() {
            " and its client secret"
        } else {
            ""
        };
        self.note(format!(
            "credential {} ({} flow, from security scheme \"{scheme}\") needs the client id the \
             provider registered for Callout Lab{secret}: add {} with callout credential edit \
             {} or in the app (secrets go to the OS keychain, never into files)",
            credential.name,
            credential.protocol.words(),
            if secret.is_empty() { "it" } else { "them" },
            credential.name
        ));
        drafts.push(credential);
    }

    /// A credential name for scheme `key`: the API's title and the scheme's
    /// name (and the flow's when the scheme has several), numbered when
    /// taken.
    fn credential_name(&self, key: &str, suffix: Option<&str>, drafts: &[Credential]) -> String {
        let max = crate::credential::MAX_NAME_LEN;
        let suffix = suffix
            .map(|suffix| format!("_{suffix}"))
            .unwrap_or_default();
        let base = developer_name(
            &format!("{} {key}", self.title),
            "API",
            max - suffix.len() - 3,
        );
        let base = format!("{base}{suffix}");
        let taken = |name: &str| drafts.iter().any(|draft| draft.is_named(name));
        let mut name = base.clone();
        let mut number = 2;
        while taken(&name) {
            name = format!("{base}_{number}");
            number += 1;
        }
        name
    }
}

/// The environments: one per server after the first, named after it.
fn environments(servers: &[Server]) -> Vec<(String, BTreeMap<String, String>)> {
    let mut environments: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    for server in servers.iter().skip(1) {
        let mut name = server.label.clone();
        let mut number = 2;
        while environments
            .iter()
            .any(|(known, _)| known.eq_ignore_ascii_case(&name))
        {
            name = format!("{} {number}", server.label);
            number += 1;
        }
        environments.push((
            name,
            BTreeMap::from([(BASE_URL.to_string(), server.url.clone())]),
        ));
    }
    environments
}

/// Where a parameter goes (`path`, `query`, `header`, `cookie`, `body`,
/// `formData`).
fn place(parameter: &Node) -> &str {
    parameter.get("in").and_then(Node::str).unwrap_or("")
}

/// The protocol of an OAuth 2 flow a credential can use.
fn protocol_of(flow: &str) -> Option<AuthProtocol> {
    match flow {
        "authorizationCode" => Some(AuthProtocol::AuthorizationCode),
        "clientCredentials" => Some(AuthProtocol::ClientCredentials),
        "password" => Some(AuthProtocol::Password),
        _ => None,
    }
}

fn basic_note(scheme: &str) -> String {
    format!(
        "security scheme \"{scheme}\" (HTTP Basic): the user name and password are not \
         imported; add a credential with password authentication (callout credential add \
         --flow basic) and set baseUrl = \"callout:NAME\""
    )
}

/// `url` as written when absolute, else resolved against `base`.
fn against(base: &str, url: &str) -> String {
    if is_absolute(url) {
        return url.to_string();
    }
    url::Url::parse(base)
        .and_then(|base| base.join(url))
        .map_or_else(|_| url.to_string(), |joined| joined.to_string())
}

/// A file name's stem (`orders.yaml` → `orders`), or a URL's last
/// segment's.
pub(super) fn stem(source: &str) -> Option<String> {
    let last = source
        .trim()
        .trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()?;
    let last = last.split(['?', '#']).next().unwrap_or(last);
    let stem = match last.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => last,
    };
    let stem = clean(stem);
    (!stem.is_empty()).then_some(stem)
}

/// A schema's own value: its example, first example, const, default or
/// first enum value.
fn given_in_schema(schema: &Node) -> Option<Node> {
    schema
        .get("example")
        .or_else(|| schema.get("examples").and_then(|list| list.list().first()))
        .or_else(|| schema.get("const"))
        .or_else(|| schema.get("default"))
        .or_else(|| schema.get("enum").and_then(|list| list.list().first()))
        .cloned()
}

/// A schema's type: the first of its types that is not null, or what its
/// keywords say it is.
fn type_of(schema: &Node) -> &str {
    match schema.get("type") {
        Some(Node::Text(kind)) => kind,
        Some(Node::List(kinds)) => kinds
            .iter()
            .filter_map(Node::str)
            .find(|kind| *kind != "null")
            .or_else(|| kinds.first().and_then(Node::str))
            .unwrap_or(""),
        _ if schema.get("properties").is_some() || schema.get("additionalProperties").is_some() => {
            "object"
        }
        _ if schema.get("items").is_some() => "array",
        _ => "",
    }
}

/// A string for a format, as API documentation shows them.
fn string_example(format: &str) -> String {
    match format {
        "date" => "2025-01-31",
        "date-time" => "2025-01-31T09:30:00Z",
        "time" => "09:30:00",
        "email" => "user@example.com",
        "uuid" => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "uri" | "url" | "iri" => "https://example.com",
        "hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        "byte" => "U3dhZ2dlciByb2Nrcw==",
        "binary" => "",
        _ => "string",
    }
    .to_string()
}

/// `entries` into `merged`, a key already there taking the new value.
fn merge(merged: &mut Vec<(String, Node)>, entries: Vec<(String, Node)>) {
    for (key, value) in entries {
        match merged.iter_mut().find(|(known, _)| *known == key) {
            Some(slot) => slot.1 = value,
            None => merged.push((key, value)),
        }
    }
}

/// `name` as an XML element name: letters, digits, `_`, `-`, `.` (a
/// prefix's colon too), starting with a letter or `_`.
fn xml_element_name(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        name
    } else {
        format!("_{name}")
    }
}

fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `value` as element `name`: a map's entries as child elements, a list
/// as the element repeated, a scalar as text.
fn write_xml(out: &mut String, name: &str, value: &Node, depth: usize) {
    let indent = "  ".repeat(depth);
    match value {
        Node::List(items) => {
            for item in items {
                write_xml(out, name, item, depth);
            }
        }
        Node::Map(entries) => {
            out.push_str(&format!("{indent}<{name}>\n"));
            for (key, child) in entries {
                write_xml(out, &xml_element_name(key), child, depth + 1);
            }
            out.push_str(&format!("{indent}</{name}>\n"));
        }
        Node::Null => out.push_str(&format!("{indent}<{name}/>\n")),
        scalar => out.push_str(&format!(
            "{indent}<{name}>{}</{name}>\n",
            escape_xml(&scalar.text(","))
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::collection::Collection;
    use crate::interop::incoming;
    use crate::interop::incoming::tests::{has_note, headers, values};
    use crate::requests::SavedRequest;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/openapi/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(path).unwrap()
    }

    const FIXTURES: [&str; 3] = [
        "orders.openapi31.yaml",
        "notes.openapi30.json",
        "petstore.swagger20.yaml",
    ];

    /// Each request as "folder/name METHOD url".
    fn listed(incoming: &Incoming) -> Vec<String> {
        incoming
            .requests
            .iter()
            .map(|r| {
                let mut path = r.folders.clone();
                path.push(r.request.name.clone());
                format!("{} {} {}", path.join("/"), r.request.method, r.request.url)
            })
            .collect()
    }

    fn request<'i>(incoming: &'i Incoming, name: &str) -> &'i SavedRequest {
        &incoming
            .requests
            .iter()
            .find(|r| r.request.name == name)
            .unwrap_or_else(|| panic!("no request {name}: {:?}", listed(incoming)))
            .request
    }

    #[test]
    fn an_openapi_31_yaml_document_is_one_request_per_operation_in_tag_folders() {
        let orders = import(&fixture("orders.openapi31.yaml"), "orders.openapi31.yaml").unwrap();
        assert_eq!(orders.name, "Acme Orders API");
        assert_eq!(
            listed(&orders),
            [
                "Orders/List orders GET {{baseUrl}}/orders?status=pending",
                "Orders/Create an order POST {{baseUrl}}/orders",
                "Orders/Get an order GET {{baseUrl}}/orders/{{orderId}}?expand=items&expand=customer",
                "Orders/cancelOrder DELETE {{baseUrl}}/orders/{{orderId}}",
                "Shipments/Track a shipment GET {{baseUrl}}/orders/{{orderId}}/shipments/{{shipmentId}}",
                "GET /health GET {{baseUrl}}/health",
            ]
        );
        // The servers: the first (its variables' defaults) is baseUrl, the
        // second an environment; the path parameter's example a variable.
        assert_eq!(
            orders.variables,
            values(&[
                ("baseUrl", "https://eu.api.acme.example/v2"),
                ("orderId", "ord_1001")
            ])
        );
        assert_eq!(
            orders.environments,
            [(
                "Sandbox".to_string(),
                values(&[("baseUrl", "https://sandbox.acme.example/v2-beta")])
            )]
        );
        assert!(
            has_note(&orders, &["{{shipmentId}}", "no example"]),
            "{:#?}",
            orders.notes
        );
        assert!(has_note(
            &orders,
            &["1 optional query parameter was left out"]
        ));

        // Header parameters (a $ref'd one with its example, a required uuid),
        // Accept from the response, Content-Type from the body.
        let create = request(&orders, "Create an order");
        assert_eq!(
            headers(create),
            [
                ("X-Request-Id", "req-7f3a"),
                ("Idempotency-Key", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
                ("Accept", "application/json"),
                ("Content-Type", "application/json"),
            ]
        );
        // The body, made from the schema through $refs: properties in the
        // order written, read-only `id` left out, the recursive `referredBy`
        // ended, arrays of one item, the enum's first value, formats.
        assert_eq!(create.body_kind, BodyKind::Json);
        let body = create.body.as_deref().unwrap();
        let parsed: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({
                "customer": {"email": "user@example.com"},
                "items": [{"sku": "SKU-123", "quantity": 1,
                           "price": {"amount": 19.99, "currency": "EUR"}}],
                "shipTo": {"street": "string", "city": "Lyon", "country": "FR"},
                "status": "pending",
                "placedAt": "2025-01-31T09:30:00Z",
                "giftWrap": true
            })
        );
        let at = |key: &str| body.find(&format!("\"{key}\"")).unwrap();
        assert!(
            at("customer") < at("items") && at("items") < at("shipTo"),
            "{body}"
        );
        // A request without a body has neither a body nor a Content-Type.
        let list = request(&orders, "List orders");
        assert_eq!(list.body, None);
        assert_eq!(
            headers(list),
            [("X-Request-Id", "req-7f3a"), ("Accept", "application/json")]
        );
    }

    #[test]
    fn oauth2_flows_become_credential_drafts_without_secrets_and_other_schemes_notes() {
        let orders = import(&fixture("orders.openapi31.yaml"), "orders.openapi31.yaml").unwrap();
        let [code, client] = orders.credentials.as_slice() else {
            panic!("{:#?}", orders.credentials);
        };
        assert_eq!(code.name, "Acme_Orders_API_acmeOAuth_AuthCode");
        assert_eq!(code.protocol, AuthProtocol::AuthorizationCode);
        assert_eq!(code.endpoint, "https://eu.api.acme.example/v2");
        assert_eq!(
            code.auth_url.as_deref(),
            Some("https://login.acme.example/oauth2/authorize")
        );
        assert_eq!(
            code.token_url.as_deref(),
            Some("https://login.acme.example/oauth2/token")
        );
        // The scopes the operations ask for, not `admin`.
        assert_eq!(code.scopes, ["orders:read", "orders:write"]);
        assert_eq!(code.client_id, None);
        code.validate().unwrap();

        assert_eq!(client.name, "Acme_Orders_API_acmeOAuth_ClientCredentials");
        assert_eq!(client.protocol, AuthProtocol::ClientCredentials);
        // A relative token URL, against the server.
        assert_eq!(
            client.token_url.as_deref(),
            Some("https://eu.api.acme.example/oauth2/token")
        );
        assert_eq!(client.scopes, ["orders:read"]);

        assert!(has_note(
            &orders,
            &[
                "credential Acme_Orders_API_acmeOAuth_ClientCredentials",
                "client secret"
            ]
        ));
        assert!(has_note(
            &orders,
            &["\"acmeKey\"", "API key", "X-Acme-Key", "--secret"]
        ));
        assert!(
            has_note(
                &orders,
                &[
                    "baseUrl = \"callout:Acme_Orders_API_acmeOAuth_AuthCode\"",
                    "token"
                ]
            ),
            "{:#?}",
            orders.notes
        );
        // Requests keep {{baseUrl}}: no Authorization header is made up.
        for incoming in &orders.requests {
            assert!(incoming.request.url.starts_with("{{baseUrl}}/"));
            assert!(
                !incoming
                    .request
                    .headers
                    .iter()
                    .any(|h| h.name.eq_ignore_ascii_case("Authorization"))
            );
        }
    }

    #[test]
    fn an_openapi_30_json_document_with_xml_form_and_examples() {
        let notes = import(&fixture("notes.openapi30.json"), "notes.openapi30.json").unwrap();
        assert_eq!(
            listed(&notes),
            [
                "Notes/Read a note GET {{baseUrl}}/notes/{{noteId}}",
                "Notes/Replace a note (XML) PUT {{baseUrl}}/notes/{{noteId}}",
                "Notes/createNote POST {{baseUrl}}/notes",
                "Sign in with a form POST {{baseUrl}}/login",
                "POST /attachments POST {{baseUrl}}/attachments",
            ]
        );
        // The trailing slash of the server is dropped.
        assert_eq!(
            notes.variables,
            values(&[("baseUrl", "https://notes.example.com/api/v1")])
        );
        assert!(notes.environments.is_empty());
        // JSON offered beside XML: JSON is accepted.
        assert_eq!(
            headers(request(&notes, "Read a note")),
            [("Accept", "application/json")]
        );
        // XML only: an XML body, named after the schema's xml.name, escaped.
        let put = request(&notes, "Replace a note (XML)");
        assert_eq!(put.body_kind, BodyKind::Xml);
        assert_eq!(
            put.body.as_deref(),
            Some(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<note>\n  <title>Groceries &amp; \
                 more</title>\n  <tags>home</tags>\n</note>\n"
            )
        );
        assert_eq!(headers(put), [("Content-Type", "application/xml")]);
        // `examples`: the first one's value.
        let create = request(&notes, "createNote");
        let parsed: serde_json::Value =
            serde_json::from_str(create.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({"title": "Shopping", "body": "Milk, eggs", "tags": ["home"]})
        );
        // A form-urlencoded body.
        let login = request(&notes, "Sign in with a form");
        assert_eq!(login.body.as_deref(), Some("username=ada&remember=true"));
        assert_eq!(login.body_kind, BodyKind::Text);
        assert_eq!(
            headers(login),
            [("Content-Type", "application/x-www-form-urlencoded")]
        );
        // Multipart is left out and said.
        assert_eq!(request(&notes, "POST /attachments").body, None);
        assert!(has_note(
            &notes,
            &["POST /attachments", "multipart/form-data", "left out"]
        ));
        assert!(has_note(
            &notes,
            &["\"Read a note\"", "cookie parameter session"]
        ));
        assert!(has_note(&notes, &["{{noteId}}", "no example"]));

        // OpenID Connect: a draft that discovers its endpoints from the issuer.
        let [oidc] = notes.credentials.as_slice() else {
            panic!("{:#?}", notes.credentials);
        };
        assert_eq!(oidc.name, "Notes_oidc");
        assert_eq!(oidc.protocol, AuthProtocol::AuthorizationCode);
        assert_eq!(
            oidc.issuer.as_deref(),
            Some("https://id.example.com/realms/notes")
        );
        assert_eq!(oidc.endpoint, "https://notes.example.com/api/v1");
        assert_eq!(oidc.scopes, ["openid", "notes.read"]);
        assert!(has_note(&notes, &["\"jwt\"", "bearer", "callout:NAME"]));
        assert!(has_note(
            &notes,
            &["\"basicAuth\"", "Basic", "--flow basic"]
        ));
    }

    #[test]
    fn a_swagger_20_yaml_document_with_definitions_and_an_access_code_flow() {
        let pets = import(
            &fixture("petstore.swagger20.yaml"),
            "petstore.swagger20.yaml",
        )
        .unwrap();
        assert_eq!(pets.name, "Swagger Petstore");
        assert_eq!(
            listed(&pets),
            [
                "pet/Add a new pet to the store POST {{baseUrl}}/pet",
                "pet/Finds Pets by status GET {{baseUrl}}/pet/findByStatus?status=available",
                "pet/Find pet by ID GET {{baseUrl}}/pet/{{petId}}",
                "pet/Updates a pet in the store with form data POST {{baseUrl}}/pet/{{petId}}",
                "pet/uploads an image POST {{baseUrl}}/pet/{{petId}}/uploadImage",
                "store/Place an order for a pet POST {{baseUrl}}/store/order",
            ]
        );
        // host + basePath, the first scheme; the second an environment.
        assert_eq!(
            pets.variables,
            values(&[
                ("baseUrl", "https://petstore.swagger.io/v2"),
                ("petId", "10")
            ])
        );
        assert_eq!(
            pets.environments,
            [(
                "petstore.swagger.io (http)".to_string(),
                values(&[("baseUrl", "http://petstore.swagger.io/v2")])
            )]
        );
        let add = request(&pets, "Add a new pet to the store");
        assert_eq!(
            headers(add),
            [
                ("Accept", "application/json"),
                ("Content-Type", "application/json")
            ]
        );
        let parsed: serde_json::Value = serde_json::from_str(add.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({
                "id": 0,
                "category": {"id": 0, "name": "string"},
                "name": "doggie",
                "photoUrls": ["string"],
                "tags": [{"id": 0, "name": "string"}],
                "status": "available"
            })
        );
        let form = request(&pets, "Updates a pet in the store with form data");
        assert_eq!(form.body.as_deref(), Some("name=string&status=available"));
        assert_eq!(
            headers(form),
            [
                ("Accept", "application/json"),
                ("Content-Type", "application/x-www-form-urlencoded")
            ]
        );
        assert_eq!(request(&pets, "uploads an image").body, None);
        assert!(has_note(&pets, &["\"uploads an image\"", "multipart"]));

        let [code] = pets.credentials.as_slice() else {
            panic!("{:#?}", pets.credentials);
        };
        assert_eq!(code.name, "Swagger_Petstore_petstore_auth");
        assert_eq!(code.protocol, AuthProtocol::AuthorizationCode);
        assert_eq!(code.endpoint, "https://petstore.swagger.io/v2");
        assert_eq!(
            code.auth_url.as_deref(),
            Some("https://petstore.swagger.io/oauth/authorize")
        );
        assert_eq!(
            code.token_url.as_deref(),
            Some("https://petstore.swagger.io/oauth/token")
        );
        assert_eq!(code.scopes, ["write:pets", "read:pets"]);
        assert!(has_note(
            &pets,
            &["\"legacy_implicit\"", "implicit", "obsolete"]
        ));
        assert!(has_note(&pets, &["\"api_key\"", "API key"]));
    }

    #[test]
    fn every_imported_request_saves_and_reads_back_as_a_collection() {
        for name in FIXTURES {
            let imported = import(&fixture(name), name).unwrap();
            let parent = tempfile::tempdir().unwrap();
            let written = incoming::write(parent.path(), &imported).unwrap();
            let opened = Collection::open(Path::new(&written.root)).unwrap();
            assert!(
                opened.unreadable().is_empty(),
                "{name}: {:?}",
                opened.unreadable()
            );
            assert_eq!(opened.variables, imported.variables, "{name}");
            assert_eq!(opened.requests().len(), imported.requests.len(), "{name}");
            for (path, incoming) in imported.paths().iter().zip(&imported.requests) {
                let file = opened
                    .find(path)
                    .unwrap_or_else(|| panic!("{name}: no {path}"));
                let (saved, wanted) = (&file.request, &incoming.request);
                assert_eq!(saved.name, wanted.name, "{name}");
                assert_eq!(saved.method, wanted.method, "{name}");
                assert_eq!(saved.url, wanted.url, "{name}");
                assert_eq!(saved.headers, wanted.headers, "{name}");
                assert_eq!(saved.body, wanted.body, "{name}");
            }
            for (environment, variables) in &imported.environments {
                let file = crate::collection::file_safe(environment);
                assert_eq!(&opened.environment(&file).unwrap(), variables, "{name}");
            }
        }
    }

    #[test]
    fn what_is_not_an_openapi_document_is_refused_with_where_or_why() {
        let cases = [
            (
                "{\"openapi\": \"3.1.0\",\n  \"paths\": {,}}",
                "api.json",
                "cannot import the OpenAPI document: api.json is not valid JSON (line 2, column 13:",
            ),
            (
                "openapi: 3.1.0\ninfo:\n  title: [broken\npaths: {}\n",
                "api.yaml",
                "cannot import the OpenAPI document: api.yaml is not valid YAML (line 4, column 6:",
            ),
            (
                "openapi: 3.0.0\n  info: x\n",
                "api.yaml",
                "cannot import the OpenAPI document: api.yaml is not valid YAML (line 2, column 7:",
            ),
            (
                "{\"info\": {\"title\": \"x\"}, \"paths\": {}}",
                "api.json",
                "cannot import the OpenAPI document: api.json has neither an \"openapi\" nor a \
                 \"swagger\" key at the top: is it an OpenAPI or Swagger document?",
            ),
            (
                "just some text",
                "",
                "cannot import the OpenAPI document: the document holds no keys",
            ),
            (
                "openapi: 2.0.0\n",
                "api.yaml",
                "cannot import the OpenAPI document: api.yaml says openapi \"2.0.0\"",
            ),
            (
                "swagger: 1.2\n",
                "api.yaml",
                "cannot import the OpenAPI document: api.yaml says swagger \"1.2\"",
            ),
        ];
        for (text, source, expected) in cases {
            let error = import(text, source).unwrap_err();
            assert!(matches!(error, Error::Import { .. }));
            let error = error.to_string();
            assert!(error.starts_with(expected), "{error}");
        }
    }

    #[test]
    fn references_that_loop_break_or_leave_the_document_end_and_are_named() {
        let text = r##"
openapi: 3.0.3
info: {title: Loops}
servers: [{url: "https://loops.example"}]
paths:
  /a:
    $ref: '#/paths/~1b'
  /b:
    post:
      summary: Post a tree
      parameters:
        - $ref: '#/components/parameters/Missing'
        - $ref: 'common.yaml#/components/parameters/Page'
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Tree'}
  /c:
    get:
      summary: Loop of aliases
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/A'}
components:
  schemas:
    A: {$ref: '#/components/schemas/B'}
    B: {$ref: '#/components/schemas/A'}
    Tree:
      type: object
      properties:
        label: {type: string, example: root}
        children:
          type: array
          items: {$ref: '#/components/schemas/Tree'}
        both: {allOf: [{$ref: '#/components/schemas/Tree'}, {$ref: '#/components/schemas/Tree'}]}
"##;
        let loops = import(text, "loops.yaml").unwrap();
        // /a is /b by reference: the operation twice, once per path.
        assert_eq!(
            listed(&loops),
            [
                "Post a tree POST {{baseUrl}}/a",
                "Post a tree POST {{baseUrl}}/b",
                "Loop of aliases GET {{baseUrl}}/c",
            ]
        );
        let tree: serde_json::Value =
            serde_json::from_str(request(&loops, "Post a tree").body.as_deref().unwrap()).unwrap();
        assert_eq!(
            tree,
            serde_json::json!({"label": "root", "children": [], "both": {}})
        );
        assert_eq!(
            request(&loops, "Loop of aliases").body.as_deref(),
            Some("{}")
        );
        assert!(has_note(
            &loops,
            &["#/components/parameters/Missing", "names nothing"]
        ));
        assert!(has_note(
            &loops,
            &["common.yaml#/components/parameters/Page", "outside"]
        ));
    }

    #[test]
    fn a_wide_document_built_to_blow_up_stays_small() {
        // Each level refers to the next twice: 2^30 nodes if followed.
        let mut schemas = String::new();
        for level in 0..30 {
            schemas.push_str(&format!(
                "    L{level}: {{type: object, properties: {{a: {{$ref: '#/components/schemas/L{n}'}}, b: {{$ref: '#/components/schemas/L{n}'}}}}}}\n",
                n = level + 1
            ));
        }
        schemas.push_str("    L30: {type: string}\n");
        let text = format!(
            "openapi: 3.1.0\ninfo: {{title: Wide}}\npaths:\n  /x:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: {{$ref: '#/components/schemas/L0'}}\ncomponents:\n  schemas:\n{schemas}"
        );
        let started = std::time::Instant::now();
        let wide = import(&text, "wide.yaml").unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        let body = wide.requests[0].request.body.as_deref().unwrap();
        assert!(body.len() < 64 * 1024, "{}", body.len());
    }

    #[test]
    fn servers_relative_to_a_documents_url_and_no_server_at_all() {
        let text =
            "openapi: 3.0.0\ninfo: {title: Rel}\nservers: [{url: /api}]\npaths:\n  /x: {get: {}}\n";
        let from_url = import(text, "https://docs.example.com/specs/rel.yaml").unwrap();
        assert_eq!(
            from_url.variables["baseUrl"],
            "https://docs.example.com/api"
        );
        let from_file = import(text, "rel.yaml").unwrap();
        assert_eq!(from_file.variables["baseUrl"], "/api");
        assert!(has_note(&from_file, &["\"/api\"", "not an absolute"]));

        let none = "openapi: 3.0.0\npaths:\n  /x: {get: {}}\n";
        let nameless = import(none, "/home/ada/specs/billing.yaml").unwrap();
        assert_eq!(nameless.name, "billing");
        assert_eq!(nameless.variables["baseUrl"], "");
        assert!(has_note(&nameless, &["names no server"]));
        let served = import(none, "https://api.example.com/openapi.json").unwrap();
        assert_eq!(served.variables["baseUrl"], "https://api.example.com");
    }

    #[test]
    fn unsafe_names_and_values_are_cleaned_or_left_out_and_named() {
        let text = r#"{
  "openapi": "3.0.0",
  "info": {"title": "Odd\u0007 API"},
  "servers": [{"url": "https://odd.example"}],
  "paths": {
    "/ok": {"get": {"summary": "Two\nlines\u202e here", "tags": ["\u0000Tag"]}},
    "/bad\nline": {"get": {"summary": "Broken path"}},
    "/header": {"get": {"summary": "Bad header", "parameters": [
      {"name": "X-Bad", "in": "header", "required": true, "example": "a\r\nX-Admin: 1"}
    ]}}
  }
}"#;
        let odd = import(text, "odd.json").unwrap();
        assert_eq!(odd.name, "Odd API");
        assert_eq!(listed(&odd), ["Tag/Two lines here GET {{baseUrl}}/ok"]);
        assert!(has_note(
            &odd,
            &["\"Broken path\"", "not imported", "line feed"]
        ));
        assert!(has_note(&odd, &["\"Bad header\"", "not imported", "X-Bad"]));
        assert!(!odd.notes.iter().any(|note| note.contains("X-Admin")));
    }

    #[test]
    fn yaml_anchors_merge_keys_and_tags_are_read() {
        let text = r#"
openapi: 3.0.0
info: {title: Anchors}
servers: [{url: "https://a.example"}]
x-common: &common
  tags: [Shared]
  responses: {'200': {description: ok}}
paths:
  /one:
    get:
      <<: *common
      summary: One
  /two:
    get:
      <<: *common
      summary: !custom Two
"#;
        let anchors = import(text, "anchors.yaml").unwrap();
        assert_eq!(
            listed(&anchors),
            [
                "Shared/One GET {{baseUrl}}/one",
                "Shared/Two GET {{baseUrl}}/two"
            ]
        );
    }

    #[test]
    fn truncated_documents_never_panic() {
        for name in FIXTURES {
            let text = fixture(name);
            let ends: Vec<usize> = text
                .char_indices()
                .map(|(at, _)| at)
                .chain([text.len()])
                .collect();
            for &end in ends.iter().step_by(3) {
                if let Ok(imported) = import(&text[..end], name) {
                    for incoming in &imported.requests {
                        let r = &incoming.request;
                        assert_eq!(
                            super::super::check_request(&r.method, &r.url, &r.headers),
                            Ok(())
                        );
                        r.validate().unwrap();
                    }
                }
            }
        }
    }
}

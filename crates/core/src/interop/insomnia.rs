//! Insomnia exports in, as a collection ([`Incoming`]): v4 (`_type: export`,
//! `__export_format: 4`: a flat `resources` list linked by `parentId`, in
//! JSON or in the YAML older Insomnia wrote) and v5 (YAML, `type:
//! collection.insomnia.rest/5.0`: a nested `collection` whose folders have
//! `children`, and `environments` with `subEnvironments`).
//!
//! What comes in: request groups as folders; each request's method, URL
//! (its enabled query `parameters` appended), enabled headers (a folder's
//! headers too, the request's own winning), and body (its text; form
//! parameters as form-urlencoded text); the base environment as the
//! collection's variables, each sub environment as an environment (nested
//! objects flattened to `a.b` names). Insomnia's `{{ _.name }}` becomes
//! `{{name}}`. An OAuth 2 block (the request's, or its folder's when the
//! request inherits) becomes a credential draft and the request goes to
//! `callout:NAME/...` ([`Drafts`]).
//!
//! What is left out is named in a note, one sentence each: every secret (a
//! client secret, a saved token, a password, a bearer token, an API key, an
//! environment value whose name says token, secret, password, key or
//! session — [`looks_secret`]), `{% ... %}` tags and template expressions
//! Callout Lab does not run (left as written), scripts, multipart and file
//! bodies, gRPC and WebSocket requests, cookies, the design document.
//! Nothing secret reaches the result: not a value, not a URL's password.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;

use super::incoming::{Incoming, IncomingRequest, checked_request};
use super::postman::{after_authority, developer_name, enabled, text};
use crate::credential::{AuthProtocol, ClientAuth, Credential};
use crate::http::{Draft, Header};
use crate::requests::{BodyKind, SavedRequest};
use crate::variables::is_name;
use crate::{Error, Result};

/// Folders nested deeper than this are cut there (and named).
const MAX_DEPTH: usize = 64;

/// How long a credential name made of the collection's is at most: short
/// enough to be numbered.
const BASE_NAME_LEN: usize = 70;

/// Reads an Insomnia export (v4 JSON or YAML, v5 YAML) from its text;
/// `source` (a file name) prefixes errors and names the collection when
/// the export does not.
pub fn import(text: &str, source: &str) -> Result<Incoming> {
    let refuse = |detail: String| Error::Import {
        what: "Insomnia export",
        detail: if source.is_empty() {
            detail
        } else {
            format!("{source}: {detail}")
        },
    };
    let root = parse(text, &refuse)?;
    let fallback = fallback_name(source);
    let export = if root.get("_type").and_then(Value::as_str) == Some("export") {
        match root.get("__export_format").and_then(Value::as_i64) {
            Some(4) => v4(&root, &fallback, &refuse)?,
            other => {
                return Err(refuse(format!(
                    "it is an Insomnia export of format {}; export it from Insomnia as \
                     \"Insomnia v4\" or \"Insomnia v5\"",
                    other.map_or_else(|| "unknown".to_string(), |n| n.to_string())
                )));
            }
        }
    } else {
        let kind = root.get("type").and_then(Value::as_str).unwrap_or("");
        if kind.starts_with("collection.insomnia.rest/5")
            || kind.starts_with("spec.insomnia.rest/5")
        {
            v5(&root, &fallback, &refuse)?
        } else if kind.contains(".insomnia.rest/") {
            return Err(refuse(format!(
                "it is an Insomnia \"{}\" file, not a collection; export the collection",
                kind.escape_debug()
            )));
        } else {
            return Err(refuse(
                "it is neither an Insomnia v4 export (`_type: export`) nor a v5 collection \
                 (`type: collection.insomnia.rest/5.0`)"
                    .into(),
            ));
        }
    };
    Ok(Importer::run(export))
}

/// The text as a JSON value: JSON when it looks like JSON (for its line and
/// column), else YAML.
fn parse(text: &str, refuse: &dyn Fn(String) -> Error) -> Result<Value> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with(['{', '[']) {
        return serde_json::from_str(text).map_err(|error| {
            refuse(format!(
                "it is not valid JSON (line {}, column {}: {})",
                error.line(),
                error.column(),
                without_mark(&error.to_string())
            ))
        });
    }
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|error| {
        let at = error.location().map_or_else(String::new, |at| {
            format!("line {}, column {}: ", at.line(), at.column())
        });
        refuse(format!(
            "it is neither JSON nor valid YAML ({at}{})",
            without_mark(&error.to_string())
        ))
    })?;
    Ok(json_of(yaml))
}

/// A parser's message without the " at line L column C" it appends.
fn without_mark(message: &str) -> &str {
    message
        .split_once(" at line ")
        .map_or(message, |(message, _)| message)
}

/// A YAML value as JSON: keys as text, tags dropped.
fn json_of(yaml: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Yaml;
    match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(flag) => Value::Bool(flag),
        Yaml::Number(number) => {
            if let Some(n) = number.as_i64() {
                Value::from(n)
            } else if let Some(n) = number.as_u64() {
                Value::from(n)
            } else {
                number
                    .as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(|| Value::String(number.to_string()), Value::Number)
            }
        }
        Yaml::String(text) => Value::String(text),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(json_of).collect()),
        Yaml::Mapping(map) => Value::Object(
            map.into_iter()
                .filter_map(|(key, value)| {
                    let key = match key {
                        Yaml::String(text) => text,
                        Yaml::Number(number) => number.to_string(),
                        Yaml::Bool(flag) => flag.to_string(),
                        Yaml::Null => "null".to_string(),
                        _ => return None,
                    };
                    Some((key, json_of(value)))
                })
                .collect(),
        ),
        Yaml::Tagged(tagged) => json_of(tagged.value),
    }
}

/// "orders" for "exports/orders.yaml": the name when the export has none.
fn fallback_name(source: &str) -> String {
    let file = source.rsplit(['/', '\\']).next().unwrap_or(source);
    let stem = file.split('.').next().unwrap_or(file).trim();
    if stem.is_empty() {
        "Insomnia".to_string()
    } else {
        stem.to_string()
    }
}

/// An export read into one shape, whichever version it was.
struct Export<'a> {
    name: String,
    items: Vec<Item<'a>>,
    environments: Vec<Environment<'a>>,
    notes: Vec<String>,
}

enum Item<'a> {
    Folder {
        name: String,
        value: &'a Value,
        children: Vec<Item<'a>>,
    },
    Request(&'a Value),
    /// A gRPC, WebSocket, Socket.IO or MCP request: named and left out.
    Other {
        name: String,
        kind: &'static str,
    },
}

/// A base environment and its sub environments (which have none).
struct Environment<'a> {
    name: String,
    data: Option<&'a Value>,
    subs: Vec<Environment<'a>>,
}

/// The text at `key` when it is not blank.
fn given(value: &Value, key: &str) -> Option<String> {
    text(value.get(key)).filter(|text| !text.trim().is_empty())
}

fn name_of(value: &Value) -> Option<String> {
    given(value, "name").map(|name| name.trim().to_string())
}

fn disabled(value: &Value) -> bool {
    value.get("disabled").and_then(Value::as_bool) == Some(true)
}

/// The enabled name and value pairs of `list` (query parameters, form
/// fields) with a name, their templates converted.
fn pairs(list: Option<&Value>, tags: &mut Vec<String>) -> Vec<(String, String)> {
    enabled(list)
        .filter_map(|pair| {
            let name = given(pair, "name")?;
            let value = text(pair.get("value")).unwrap_or_default();
            Some((convert(&name, tags), convert(&value, tags)))
        })
        .collect()
}

/// The kind of a request Callout Lab does not send, by its type or id.
fn other_kind(kind_or_id: &str) -> Option<&'static str> {
    let kinds = [
        ("grpc", "gRPC"),
        ("ws-req", "WebSocket"),
        ("websocket", "WebSocket"),
        ("socketio", "Socket.IO"),
        ("mcp", "MCP"),
    ];
    kinds
        .iter()
        .find(|(prefix, _)| kind_or_id.starts_with(prefix))
        .map(|(_, kind)| *kind)
}

/// v4: the flat resources made a tree by their `parentId`s, each level in
/// Insomnia's order (`metaSortKey`). Resources whose parents form a loop
/// are left out and counted.
fn v4<'a>(root: &'a Value, fallback: &str, refuse: &dyn Fn(String) -> Error) -> Result<Export<'a>> {
    let resources = root
        .get("resources")
        .and_then(Value::as_array)
        .ok_or_else(|| refuse("it has no `resources` list".into()))?;
    struct Node<'a> {
        id: &'a str,
        parent: Option<&'a str>,
        kind: &'a str,
        value: &'a Value,
        sort: f64,
    }
    let nodes: Vec<Node<'a>> = resources
        .iter()
        .map(|value| Node {
            id: value.get("_id").and_then(Value::as_str).unwrap_or(""),
            parent: value.get("parentId").and_then(Value::as_str),
            kind: value.get("_type").and_then(Value::as_str).unwrap_or(""),
            value,
            sort: value
                .get("metaSortKey")
                .and_then(Value::as_f64)
                .unwrap_or(0.0),
        })
        .collect();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (index, node) in nodes.iter().enumerate() {
        if !node.id.is_empty() {
            ids.entry(node.id).or_insert(index);
        }
    }
    let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, node) in nodes.iter().enumerate() {
        if let Some(parent) = node.parent {
            children.entry(parent).or_default().push(index);
        }
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| nodes[*a].sort.total_cmp(&nodes[*b].sort).then(a.cmp(b)));
    }
    let is_item =
        |kind: &str| matches!(kind, "request" | "request_group") || other_kind(kind).is_some();
    let workspaces: Vec<usize> = (0..nodes.len())
        .filter(|&index| nodes[index].kind == "workspace")
        .collect();
    // Items whose parent is no resource of the export hang from the top.
    let orphans: Vec<usize> = (0..nodes.len())
        .filter(|&index| {
            is_item(nodes[index].kind)
                && nodes[index]
                    .parent
                    .is_none_or(|parent| !ids.contains_key(parent))
        })
        .collect();

    let mut notes = Vec::new();
    let mut seen: HashSet<usize> = HashSet::new();
    fn tree<'a>(
        parent: &str,
        depth: usize,
        nodes: &[Node<'a>],
        children: &HashMap<&str, Vec<usize>>,
        seen: &mut HashSet<usize>,
        notes: &mut Vec<String>,
    ) -> Vec<Item<'a>> {
        let mut items = Vec::new();
        for &index in children.get(parent).map(Vec::as_slice).unwrap_or(&[]) {
            if !seen.insert(index) {
                continue;
            }
            let node = &nodes[index];
            items.extend(item(
                node.kind, node.id, node.value, depth, nodes, children, seen, notes,
            ));
        }
        items
    }
    #[allow(clippy::too_many_arguments)]
    fn item<'a>(
        kind: &str,
        id: &str,
        value: &'a Value,
        depth: usize,
        nodes: &[Node<'a>],
        children: &HashMap<&str, Vec<usize>>,
        seen: &mut HashSet<usize>,
        notes: &mut Vec<String>,
    ) -> Option<Item<'a>> {
        match kind {
            "request" => Some(Item::Request(value)),
            "request_group" | "workspace" => {
                let name = name_of(value).unwrap_or_else(|| "Folder".to_string());
                if depth >= MAX_DEPTH {
                    notes.push(format!(
                        "folder \"{}\" is nested more than {MAX_DEPTH} deep; what is in it was \
                         not imported",
                        name.escape_debug()
                    ));
                    return None;
                }
                let children = if id.is_empty() {
                    Vec::new()
                } else {
                    tree(id, depth + 1, nodes, children, seen, notes)
                };
                Some(Item::Folder {
                    name,
                    value,
                    children,
                })
            }
            other => other_kind(other).map(|kind| Item::Other {
                name: name_of(value).unwrap_or_else(|| "Request".to_string()),
                kind,
            }),
        }
    }

    let mut items = Vec::new();
    let name;
    if let [only] = workspaces.as_slice() {
        let workspace = &nodes[*only];
        seen.insert(*only);
        name = name_of(workspace.value).unwrap_or_else(|| fallback.to_string());
        items = tree(workspace.id, 0, &nodes, &children, &mut seen, &mut notes);
    } else {
        name = fallback.to_string();
        for &index in &workspaces {
            seen.insert(index);
            let node = &nodes[index];
            items.extend(item(
                "workspace",
                node.id,
                node.value,
                0,
                &nodes,
                &children,
                &mut seen,
                &mut notes,
            ));
        }
    }
    for index in orphans {
        if seen.insert(index) {
            let node = &nodes[index];
            items.extend(item(
                node.kind, node.id, node.value, 0, &nodes, &children, &mut seen, &mut notes,
            ));
        }
    }
    let lost = (0..nodes.len())
        .filter(|index| is_item(nodes[*index].kind) && !seen.contains(index))
        .count();
    if lost > 0 {
        notes.push(format!(
            "{lost} request(s) or folder(s) were not imported: their parentId leads in a loop \
             or to something that is not a folder"
        ));
    }

    // Environments: a base one's parent is a workspace, a sub one's parent
    // is its base environment.
    let environment_ids: HashSet<&str> = nodes
        .iter()
        .filter(|node| node.kind == "environment")
        .map(|node| node.id)
        .collect();
    let mut environments = Vec::new();
    let mut bases: Vec<&Node> = nodes
        .iter()
        .filter(|node| {
            node.kind == "environment"
                && node
                    .parent
                    .is_none_or(|parent| !environment_ids.contains(parent))
        })
        .collect();
    bases.sort_by(|a, b| a.sort.total_cmp(&b.sort));
    for base in bases {
        let mut subs: Vec<&Node> = nodes
            .iter()
            .filter(|node| {
                node.kind == "environment" && node.parent == Some(base.id) && !base.id.is_empty()
            })
            .collect();
        subs.sort_by(|a, b| a.sort.total_cmp(&b.sort));
        environments.push(Environment {
            name: name_of(base.value).unwrap_or_else(|| "Base Environment".into()),
            data: base.value.get("data"),
            subs: subs
                .into_iter()
                .map(|sub| Environment {
                    name: name_of(sub.value).unwrap_or_default(),
                    data: sub.value.get("data"),
                    subs: Vec::new(),
                })
                .collect(),
        });
    }

    let count = |kind: &str| nodes.iter().filter(|node| node.kind == kind).count();
    let cookies: usize = nodes
        .iter()
        .filter(|node| node.kind == "cookie_jar")
        .filter_map(|node| node.value.get("cookies").and_then(Value::as_array))
        .map(Vec::len)
        .sum();
    let spec = nodes
        .iter()
        .any(|node| node.kind == "api_spec" && given(node.value, "contents").is_some());
    left_out_extras(&mut notes, cookies, spec, count("unit_test"));
    Ok(Export {
        name,
        items,
        environments,
        notes,
    })
}

fn left_out_extras(notes: &mut Vec<String>, cookies: usize, spec: bool, tests: usize) {
    if cookies > 0 {
        notes.push(format!(
            "the cookie jar's {cookies} cookie(s) were not imported (cookies may hold sessions)"
        ));
    }
    if spec {
        notes.push(
            "the API design document was not imported; import it as an OpenAPI document".into(),
        );
    }
    if tests > 0 {
        notes.push(format!(
            "{tests} Insomnia unit test(s) (JavaScript) were not imported; state what a \
             response must hold as [[assert]] tables"
        ));
    }
}

/// v5: the nested collection as it is, folders by their `children`.
fn v5<'a>(root: &'a Value, fallback: &str, refuse: &dyn Fn(String) -> Error) -> Result<Export<'a>> {
    let name = name_of(root).unwrap_or_else(|| fallback.to_string());
    let items = match root.get("collection") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(items)) => items.as_slice(),
        Some(_) => return Err(refuse("its `collection` is not a list".into())),
    };
    let mut notes = Vec::new();
    fn walk<'a>(
        items: &'a [Value],
        path: &str,
        depth: usize,
        notes: &mut Vec<String>,
    ) -> Vec<Item<'a>> {
        let mut out = Vec::new();
        for (index, value) in items.iter().enumerate() {
            let here = format!("{path}[{index}]");
            if !value.is_object() {
                notes.push(format!(
                    "{here} is neither a folder nor a request and was skipped"
                ));
                continue;
            }
            let id = value
                .pointer("/meta/id")
                .and_then(Value::as_str)
                .unwrap_or("");
            let children = value.get("children").and_then(Value::as_array);
            let is_request = value.get("method").is_some();
            if children.is_some() || (!is_request && id.starts_with("fld_")) {
                let name = name_of(value).unwrap_or_else(|| "Folder".to_string());
                if depth >= MAX_DEPTH {
                    notes.push(format!(
                        "folder \"{}\" is nested more than {MAX_DEPTH} deep; what is in it was \
                         not imported",
                        name.escape_debug()
                    ));
                    continue;
                }
                let children = children.map_or_else(Vec::new, |children| {
                    walk(children, &format!("{here}.children"), depth + 1, notes)
                });
                out.push(Item::Folder {
                    name,
                    value,
                    children,
                });
            } else if is_request {
                out.push(Item::Request(value));
            } else {
                let kind = other_kind(id).unwrap_or(if value.get("protoMethodName").is_some() {
                    "gRPC"
                } else {
                    "unknown"
                });
                out.push(Item::Other {
                    name: name_of(value).unwrap_or_else(|| here.clone()),
                    kind,
                });
            }
        }
        out
    }
    let items = walk(items, "collection", 0, &mut notes);
    let environments = match root.get("environments") {
        Some(base @ Value::Object(_)) => vec![Environment {
            name: name_of(base).unwrap_or_else(|| "Base Environment".into()),
            data: base.get("data"),
            subs: base
                .get("subEnvironments")
                .and_then(Value::as_array)
                .map(|subs| {
                    subs.iter()
                        .map(|sub| Environment {
                            name: name_of(sub).unwrap_or_default(),
                            data: sub.get("data"),
                            subs: Vec::new(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }],
        _ => Vec::new(),
    };
    let cookies = root
        .pointer("/cookieJar/cookies")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let spec = root
        .pointer("/spec/contents")
        .is_some_and(|contents| !contents.is_null());
    left_out_extras(&mut notes, cookies, spec, 0);
    Ok(Export {
        name,
        items,
        environments,
        notes,
    })
}

/// What a folder hands down to what is in it.
#[derive(Clone, Default)]
struct Inherited<'a> {
    folders: Vec<String>,
    /// The folders' enabled headers, the innermost first.
    headers: Vec<Header>,
    /// The nearest folder's authentication.
    auth: Option<&'a Value>,
}

struct Importer {
    name: String,
    variables: BTreeMap<String, String>,
    environments: Vec<(String, BTreeMap<String, String>)>,
    requests: Vec<IncomingRequest>,
    drafts: Drafts,
    notes: Vec<String>,
    /// Requests numbered for those without a name.
    unnamed: usize,
}

impl Importer {
    fn run(export: Export) -> Incoming {
        let mut importer = Importer {
            name: export.name.clone(),
            variables: BTreeMap::new(),
            environments: Vec::new(),
            requests: Vec::new(),
            drafts: Drafts::new(&export.name),
            notes: Vec::new(),
            unnamed: 0,
        };
        importer.environments(&export.environments);
        importer.items(&export.items, &Inherited::default());
        let mut notes = importer.notes;
        notes.extend(export.notes);
        Incoming {
            name: importer.name,
            requests: importer.requests,
            variables: importer.variables,
            environments: importer.environments,
            credentials: importer.drafts.into_credentials(),
            notes,
        }
    }

    fn environments(&mut self, environments: &[Environment]) {
        let mut taken: BTreeSet<String> = BTreeSet::new();
        for base in environments {
            let place = format!("base environment \"{}\"", base.name.escape_debug());
            let values = flatten(base.data, &place, &mut self.notes);
            for (name, value) in keep_values(&place, values, &[], &mut self.notes) {
                self.variables.entry(name).or_insert(value);
            }
            for (index, sub) in base.subs.iter().enumerate() {
                let first = if sub.name.is_empty() {
                    format!("Environment {}", index + 1)
                } else {
                    sub.name.clone()
                };
                let mut name = first.clone();
                let mut number = 2;
                while !taken.insert(crate::collection::file_safe(&name).to_lowercase()) {
                    name = format!("{first} {number}");
                    number += 1;
                }
                let place = format!("environment \"{}\"", name.escape_debug());
                let values = flatten(sub.data, &place, &mut self.notes);
                let kept = keep_values(&place, values, &[], &mut self.notes);
                self.environments.push((name, kept));
            }
        }
    }

    fn items(&mut self, items: &[Item], inherited: &Inherited) {
        for item in items {
            match item {
                Item::Folder {
                    name,
                    value,
                    children,
                } => {
                    let mut inner = inherited.clone();
                    inner.folders.push(name.clone());
                    let mut headers = self.headers(value.get("headers"), &mut Vec::new());
                    headers.extend(inner.headers);
                    inner.headers = headers;
                    if let Some(auth) = value
                        .get("authentication")
                        .filter(|auth| auth.get("type").is_some())
                    {
                        inner.auth = Some(auth);
                    }
                    let folder = inner.folders.join(" / ");
                    if let Some(Value::Object(variables)) = value.get("environment")
                        && !variables.is_empty()
                    {
                        let names: Vec<&str> = variables.keys().map(String::as_str).collect();
                        self.notes.push(format!(
                            "folder \"{}\": its variables ({}) were not imported; add them to \
                             collection.toml or an environment (secret ones with `callout env \
                             set NAME --secret`)",
                            folder.escape_debug(),
                            names.join(", ")
                        ));
                    }
                    self.scripts(value, &format!("folder \"{}\"", folder.escape_debug()));
                    self.items(children, &inner);
                }
                Item::Request(value) => self.request(value, inherited),
                Item::Other { name, kind } => self.notes.push(format!(
                    "\"{}\" is a {kind} request, which Callout Lab does not send; it was not \
                     imported",
                    name.escape_debug()
                )),
            }
        }
    }

    /// Enabled headers with a name, their templates converted.
    fn headers(&mut self, headers: Option<&Value>, tags: &mut Vec<String>) -> Vec<Header> {
        enabled(headers)
            .filter_map(|header| {
                let name = given(header, "name")?;
                let value = text(header.get("value")).unwrap_or_default();
                Some(Header::new(
                    convert(name.trim(), tags),
                    convert(&value, tags),
                ))
            })
            .collect()
    }

    fn scripts(&mut self, value: &Value, what: &str) {
        let scripts = [
            value.get("preRequestScript"),
            value.get("afterResponseScript"),
            value.pointer("/scripts/preRequest"),
            value.pointer("/scripts/afterResponse"),
        ];
        if scripts
            .iter()
            .any(|script| text(*script).is_some_and(|script| !script.trim().is_empty()))
        {
            self.notes.push(format!(
                "{what}: its scripts (JavaScript) were not imported; state what a response must \
                 hold as [[assert]] tables and hand values on with [[extract]]"
            ));
        }
    }

    fn request(&mut self, value: &Value, inherited: &Inherited) {
        let name = name_of(value).unwrap_or_else(|| {
            self.unnamed += 1;
            format!("Request {}", self.unnamed)
        });
        let mut full = inherited.folders.clone();
        full.push(name.clone());
        let full = full.join(" / ");
        let mut tags: Vec<String> = Vec::new();
        let mut url = convert(text(value.get("url")).unwrap_or_default().trim(), &mut tags);
        if !url.is_empty() && !url.contains("://") && !url.starts_with("{{") {
            // Insomnia sends a URL without a scheme over http.
            url = format!("http://{url}");
        }
        let parameters = pairs(value.get("parameters"), &mut tags);
        append_query(&mut url, &parameters);
        let mut headers = self.headers(value.get("headers"), &mut tags);
        for header in &inherited.headers {
            if !headers
                .iter()
                .any(|own| own.name.eq_ignore_ascii_case(&header.name))
            {
                headers.push(header.clone());
            }
        }
        let draft = Draft {
            method: text(value.get("method"))
                .unwrap_or_else(|| "GET".into())
                .trim()
                .to_ascii_uppercase(),
            url,
            headers,
            body: None,
        };
        let quoted = format!("\"{}\"", full.escape_debug());
        let left_out = |reason: String| format!("{quoted} was not imported: {reason}");
        if draft.url.is_empty() {
            self.notes.push(left_out("it has no URL".into()));
            return;
        }
        let checked = checked_request(&name, draft, left_out, |saved| {
            if let Some(body) = value.get("body").filter(|body| body.is_object()) {
                self.body(saved, body, &quoted, &mut tags);
            }
            let own = value
                .get("authentication")
                .filter(|auth| auth.get("type").is_some());
            if let Some(auth) = own.or(inherited.auth) {
                self.auth(saved, auth, &quoted, &mut tags);
            }
            self.scripts(value, &quoted);
            if !tags.is_empty() {
                tags.sort();
                tags.dedup();
                self.notes.push(format!(
                    "{quoted}: {} {} left as written; Callout Lab does not run Insomnia's \
                     template tags — give the value a variable (an [[extract]] of an earlier \
                     request can set it)",
                    tags.join(", "),
                    if tags.len() == 1 { "was" } else { "were" }
                ));
            }
        });
        match checked {
            Ok(request) => self.requests.push(IncomingRequest {
                folders: inherited.folders.clone(),
                request,
            }),
            Err(note) => self.notes.push(note),
        }
    }

    fn body(
        &mut self,
        saved: &mut SavedRequest,
        body: &Value,
        quoted: &str,
        tags: &mut Vec<String>,
    ) {
        let mime = text(body.get("mimeType")).unwrap_or_default();
        let essence = mime
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let content = text(body.get("text")).unwrap_or_default();
        match essence.as_str() {
            "application/x-www-form-urlencoded" => {
                let pairs = pairs(body.get("params"), tags);
                saved.body = Some(form_urlencoded(&pairs));
                saved.body_kind = BodyKind::Text;
            }
            "multipart/form-data" => {
                self.notes.push(format!(
                    "{quoted}: its multipart form body was not imported; Callout Lab sends text \
                     bodies (JSON, XML, form-urlencoded, text)"
                ));
                return;
            }
            _ if given(body, "fileName").is_some() => {
                self.notes.push(format!(
                    "{quoted}: its body is a file on the exporting machine and was not imported"
                ));
                return;
            }
            _ => {
                if content.is_empty() {
                    return;
                }
                let content = convert(&content, tags);
                let sniffed = content.trim_start();
                saved.body_kind = match essence.as_str() {
                    json if json.contains("json") || json == "application/graphql" => {
                        BodyKind::Json
                    }
                    xml if xml.contains("xml") => BodyKind::Xml,
                    "" if sniffed.starts_with('<') => BodyKind::Xml,
                    "" if sniffed.starts_with(['{', '[']) => BodyKind::Json,
                    _ => BodyKind::Text,
                };
                saved.body = Some(content);
            }
        }
        // Insomnia sends the body's type unless a header says otherwise;
        // GraphQL goes as JSON.
        let content_type = match essence.as_str() {
            "" => return,
            "application/graphql" => "application/json".to_string(),
            _ => mime.trim().to_string(),
        };
        if !saved
            .headers
            .iter()
            .any(|header| header.name.eq_ignore_ascii_case("Content-Type"))
            && super::check_request("GET", "x", &[Header::new("Content-Type", &content_type)])
                .is_ok()
        {
            saved
                .headers
                .push(Header::new("Content-Type", content_type));
        }
    }

    fn auth(
        &mut self,
        saved: &mut SavedRequest,
        auth: &Value,
        quoted: &str,
        tags: &mut Vec<String>,
    ) {
        if disabled(auth) {
            return;
        }
        let kind = auth.get("type").and_then(Value::as_str).unwrap_or("none");
        let setting = |key: &str, tags: &mut Vec<String>| {
            given(auth, key).map(|value| convert(value.trim(), tags))
        };
        match kind {
            "none" | "" => {}
            "oauth2" => {
                let grant = setting("grantType", tags).unwrap_or_default();
                let mut settings = OAuthSettings::for_grant(&grant, quoted);
                settings.token_url = setting("accessTokenUrl", tags);
                settings.auth_url = setting("authorizationUrl", tags);
                settings.client_id = setting("clientId", tags);
                settings.scope = setting("scope", tags);
                settings.audience = setting("audience", tags);
                settings.username = setting("username", tags);
                if auth.get("credentialsInBody").and_then(Value::as_bool) == Some(true) {
                    settings.client_auth = ClientAuth::Body;
                }
                if settings.protocol == AuthProtocol::AuthorizationCode
                    && auth.get("usePkce").and_then(Value::as_bool) == Some(false)
                    && grant == "authorization_code"
                {
                    settings.notes.push(
                        "Insomnia had PKCE off; Callout Lab always uses PKCE with the \
                         authorization code flow"
                            .into(),
                    );
                }
                for (key, words) in [
                    ("clientSecret", "the client secret"),
                    ("accessToken", "the saved access token"),
                    ("refreshToken", "the saved refresh token"),
                    ("password", "the password"),
                ] {
                    if given(auth, key).is_some() {
                        settings.left_out.push(words);
                    }
                }
                let variables = self.variables.clone();
                let lookup = |name: &str| variables.get(name).cloned();
                self.drafts
                    .attach(saved, settings, &lookup, &mut self.notes);
            }
            "bearer" => {
                let token = setting("token", tags).unwrap_or_default();
                let prefix = setting("prefix", tags).unwrap_or_else(|| "Bearer".into());
                token_header(
                    saved,
                    "Authorization",
                    &prefix,
                    &token,
                    "bearer token",
                    quoted,
                    &mut self.notes,
                );
            }
            "apikey" => {
                let key = setting("key", tags).unwrap_or_default();
                let value = setting("value", tags).unwrap_or_default();
                let place = setting("addTo", tags).unwrap_or_else(|| "header".into());
                if place == "queryParams" && variable_only(&value).is_some() && !key.is_empty() {
                    append_query(&mut saved.url, &[(key, value.clone())]);
                    self.notes.push(variable_note(quoted, "API key", &value));
                } else if place == "header" && !key.is_empty() {
                    token_header(saved, &key, "", &value, "API key", quoted, &mut self.notes);
                } else {
                    self.notes.push(format!(
                        "{quoted}: its API key authentication was not imported (the key is a \
                         secret); send it from a secret variable"
                    ));
                }
            }
            "basic" | "digest" | "ntlm" => {
                let user = setting("username", tags)
                    .map(|user| format!(" (username {})", user.escape_debug()))
                    .unwrap_or_default();
                self.notes.push(format!(
                    "{quoted}: its {kind} authentication{user} was not imported and its password \
                     was left out (a secret); make a credential with `callout credential add \
                     --flow basic` and send the request to callout:NAME"
                ));
            }
            other => self.notes.push(format!(
                "{quoted}: its {} authentication was not imported (its secrets were left out); \
                 set it up as a credential",
                other.escape_debug()
            )),
        }
    }
}

/// Sends `token` in header `name` (after `prefix`) when it is a variable
/// alone (its value, a secret, stays in a secret variable); a token
/// written out is a secret itself and is left out. Either way a note says
/// so.
pub(super) fn token_header(
    saved: &mut SavedRequest,
    name: &str,
    prefix: &str,
    token: &str,
    what: &str,
    quoted: &str,
    notes: &mut Vec<String>,
) {
    if variable_only(token).is_some() {
        let value = if prefix.is_empty() {
            token.to_string()
        } else {
            format!("{prefix} {token}")
        };
        if !saved
            .headers
            .iter()
            .any(|header| header.name.eq_ignore_ascii_case(name))
            && super::check_request("GET", "x", &[Header::new(name, &value)]).is_ok()
        {
            saved.headers.push(Header::new(name, value));
        }
        notes.push(variable_note(quoted, what, token));
    } else if token.trim().is_empty() {
        notes.push(format!(
            "{quoted}: its {what} authentication has no value and was not imported; point the \
             request at a credential"
        ));
    } else {
        notes.push(format!(
            "{quoted}: its {what} was left out (a secret); send the request to callout:NAME with \
             a credential, or keep the {what} in a secret variable (`callout env set NAME \
             --secret`) and send it from there"
        ));
    }
}

fn variable_note(quoted: &str, what: &str, variable: &str) -> String {
    let name = variable_only(variable).unwrap_or("NAME");
    format!(
        "{quoted}: its {what} comes from {variable}; give it with `callout env set {name} \
         --secret`, or bind it to a credential's {{!$Credential.OAuthToken}}"
    )
}

/// The name of the variable `text` is and nothing else (`{{token}}`).
pub(super) fn variable_only(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
    is_name(inner).then_some(inner)
}

/// `pairs` as `application/x-www-form-urlencoded`, `{{variables}}` kept.
pub(super) fn form_urlencoded(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name, true), encode(value, false)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Appends `pairs` to `url`'s query, `{{variables}}` kept.
pub(super) fn append_query(url: &mut String, pairs: &[(String, String)]) {
    for (name, value) in pairs {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&encode(name, true));
        if !value.is_empty() {
            url.push('=');
            url.push_str(&encode(value, false));
        }
    }
}

/// `text` with what would end a query pair percent-encoded, but not inside
/// `{{...}}` or `{%...%}` (a variable or a tag stays as written).
fn encode(text: &str, is_name: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let template = ["{{", "{%"].iter().filter_map(|open| rest.find(open)).min();
        let (plain, tail) = match template {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        for c in plain.chars() {
            match c {
                ' ' => out.push_str("%20"),
                '&' => out.push_str("%26"),
                '#' => out.push_str("%23"),
                '+' => out.push_str("%2B"),
                '=' if is_name => out.push_str("%3D"),
                c => out.push(c),
            }
        }
        if tail.is_empty() {
            break;
        }
        let close = if tail.starts_with("{{") { "}}" } else { "%}" };
        match tail[2..].find(close) {
            Some(end) => {
                out.push_str(&tail[..end + 4]);
                rest = &tail[end + 4..];
            }
            None => {
                out.push_str(tail);
                break;
            }
        }
    }
    out
}

/// Insomnia's `{{ _.name }}` (and `{{ name }}`, `{{ _['name'] }}`) as
/// `{{name}}`. A `{% tag %}` or an expression (`{{ _.a | upper }}`) stays
/// as written and is added to `left`.
fn convert(text: &str, left: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = ["{{", "{%"].iter().filter_map(|open| rest.find(open)).min();
        let Some(start) = next else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let tag = tail.starts_with("{%");
        let close = if tag { "%}" } else { "}}" };
        let Some(end) = tail[2..].find(close).map(|at| at + 2) else {
            out.push_str(tail);
            break;
        };
        let whole = &tail[..end + 2];
        let inner = tail[2..end].trim();
        if tag {
            let word = inner.split_whitespace().next().unwrap_or("");
            left.push(format!("{{% {word} %}}"));
            out.push_str(whole);
        } else {
            let name = inner
                .strip_prefix("_.")
                .or_else(|| {
                    inner
                        .strip_prefix("_[")
                        .and_then(|name| name.strip_suffix(']'))
                        .map(|name| name.trim().trim_matches(['\'', '"']))
                })
                .unwrap_or(inner)
                .trim();
            if is_name(name) {
                out.push_str("{{");
                out.push_str(name);
                out.push_str("}}");
            } else {
                left.push(whole.chars().take(60).collect());
                out.push_str(whole);
            }
        }
        rest = &tail[end + 2..];
    }
    out
}

/// An environment's `data` as `a.b` names and text values, in order;
/// templates converted.
fn flatten(data: Option<&Value>, place: &str, notes: &mut Vec<String>) -> Vec<(String, String)> {
    fn walk(prefix: &str, value: &Value, out: &mut Vec<(String, String)>, tags: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    let name = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    walk(&name, value, out, tags);
                }
            }
            Value::String(text) => out.push((prefix.to_string(), convert(text, tags))),
            Value::Null => out.push((prefix.to_string(), String::new())),
            Value::Array(_) => out.push((prefix.to_string(), value.to_string())),
            other => out.push((prefix.to_string(), other.to_string())),
        }
    }
    let mut out = Vec::new();
    let mut tags = Vec::new();
    if let Some(data @ Value::Object(_)) = data {
        walk("", data, &mut out, &mut tags);
    }
    if !tags.is_empty() {
        tags.sort();
        tags.dedup();
        notes.push(format!(
            "{place}: {} left as written; Callout Lab does not run Insomnia's template tags",
            tags.join(", ")
        ));
    }
    out
}

/// Whether a variable's name says it holds a secret: token, secret,
/// password, key or session in it (any case), unless it names a URL
/// (`token_url`, `keyVaultUri`).
pub(super) fn looks_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let url = ["url", "uri", "endpoint"]
        .iter()
        .any(|end| lower.ends_with(end));
    !url && ["token", "secret", "password", "passwd", "key", "session"]
        .iter()
        .any(|word| lower.contains(word))
}

/// The values of `place` that can be kept: a secret one (named in
/// `secrets`, or [`looks_secret`]) is left out and named, as is one whose
/// name cannot be a variable's.
pub(super) fn keep_values(
    place: &str,
    values: Vec<(String, String)>,
    secrets: &[String],
    notes: &mut Vec<String>,
) -> BTreeMap<String, String> {
    let mut kept = BTreeMap::new();
    let mut secret = Vec::new();
    let mut unnamed = Vec::new();
    for (name, value) in values {
        if !is_name(&name) {
            unnamed.push(format!("\"{}\"", name.escape_debug()));
        } else if secrets.contains(&name) || looks_secret(&name) {
            secret.push(name);
        } else {
            kept.entry(name).or_insert(value);
        }
    }
    secret.extend(
        secrets
            .iter()
            .filter(|name| !secret.contains(name))
            .cloned()
            .collect::<Vec<_>>(),
    );
    if !secret.is_empty() {
        secret.sort();
        secret.dedup();
        let env = place
            .strip_prefix("environment ")
            .map(|name| format!(" --env {name}"))
            .unwrap_or_default();
        notes.push(match secret.as_slice() {
            [one] => format!(
                "{place}: the value of {one} was left out (a secret); give it with `callout env \
                 set {one} --secret{env}`"
            ),
            _ => format!(
                "{place}: the values of {} were left out (secrets); give each with `callout env \
                 set NAME --secret{env}`",
                secret.join(", ")
            ),
        });
    }
    if !unnamed.is_empty() {
        notes.push(format!(
            "{place}: {} cannot name a variable (a letter or _, then letters, digits, _, - or .) \
             and {} left out",
            unnamed.join(", "),
            if unnamed.len() == 1 { "was" } else { "were" }
        ));
    }
    kept
}

/// `{{name}}` in `text` replaced with what `lookup` gives (values may use
/// variables too, a few levels deep); unknown ones stay as written.
pub(super) fn resolve(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut current = text.to_string();
    for _ in 0..8 {
        let mut out = String::with_capacity(current.len());
        let mut rest = current.as_str();
        let mut changed = false;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            match lookup(after[..end].trim()) {
                Some(value) => {
                    out.push_str(&value);
                    changed = true;
                }
                None => out.push_str(&rest[start..start + end + 4]),
            }
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        current = out;
        if !changed {
            break;
        }
    }
    current
}

/// OAuth 2 settings as an export gives them: what a credential draft is
/// made of, and the secrets that were there (in words), which are not.
#[derive(Debug, Clone)]
pub(super) struct OAuthSettings {
    pub protocol: AuthProtocol,
    pub token_url: Option<String>,
    pub auth_url: Option<String>,
    pub client_id: Option<String>,
    pub scope: Option<String>,
    pub audience: Option<String>,
    pub client_auth: ClientAuth,
    /// The password grant's user, said in a note (it is given when signing in).
    pub username: Option<String>,
    /// "the client secret", ...: secrets the export held, left out.
    pub left_out: Vec<&'static str>,
    /// What else the draft's note says.
    pub notes: Vec<String>,
}

impl OAuthSettings {
    /// Settings of the grant type `grant` (`authorization_code`,
    /// `client_credentials`, `password`, ...) of request `quoted`.
    pub(super) fn for_grant(grant: &str, quoted: &str) -> Self {
        let mut notes = Vec::new();
        let protocol = match grant {
            "client_credentials" => AuthProtocol::ClientCredentials,
            "password" => AuthProtocol::Password,
            "authorization_code" | "" => AuthProtocol::AuthorizationCode,
            "implicit" => {
                notes.push(format!(
                    "{quoted} used the implicit grant, which is obsolete (OAuth 2.0 Security \
                     BCP); the draft uses authorization code with PKCE instead"
                ));
                AuthProtocol::AuthorizationCode
            }
            other => {
                notes.push(format!(
                    "{quoted} used the {} grant; the draft uses authorization code with PKCE \
                     instead",
                    other.escape_debug()
                ));
                AuthProtocol::AuthorizationCode
            }
        };
        Self {
            protocol,
            token_url: None,
            auth_url: None,
            client_id: None,
            scope: None,
            audience: None,
            client_auth: ClientAuth::Basic,
            username: None,
            left_out: Vec::new(),
            notes,
        }
    }
}

/// The credential drafts of one import: one per distinct OAuth 2
/// configuration, named after the collection (numbered from the second).
#[derive(Debug, Default)]
pub(super) struct Drafts {
    base: String,
    credentials: Vec<Credential>,
}

impl Drafts {
    pub(super) fn new(collection: &str) -> Self {
        Self {
            base: developer_name(collection, "Imported", BASE_NAME_LEN),
            credentials: Vec::new(),
        }
    }

    pub(super) fn into_credentials(self) -> Vec<Credential> {
        self.credentials
    }

    /// A draft for `settings` (once per configuration), and `saved` sent
    /// through it: its URL, its variables filled in by `lookup`, becomes
    /// `callout:NAME/...` with the path as written. A URL that is not
    /// absolute then keeps the request as it is (named in a note).
    pub(super) fn attach(
        &mut self,
        saved: &mut SavedRequest,
        settings: OAuthSettings,
        lookup: &dyn Fn(&str) -> Option<String>,
        notes: &mut Vec<String>,
    ) {
        let quoted = format!("\"{}\"", saved.name.escape_debug());
        let absolute = |url: &str| {
            url::Url::parse(url)
                .ok()
                .filter(|parsed| parsed.has_host() && matches!(parsed.scheme(), "http" | "https"))
        };
        // The variable a URL starts with is filled in, the rest kept as
        // written (`{{base_url}}/v{{version}}/x`); all of them when that
        // is not enough.
        let trimmed = saved.url.trim();
        let head = trimmed
            .strip_prefix("{{")
            .and_then(|after| after.find("}}"))
            .map_or(0, |end| end + 4);
        let mut url = format!("{}{}", resolve(&trimmed[..head], lookup), &trimmed[head..]);
        if absolute(&url).is_none() {
            url = resolve(trimmed, lookup);
        }
        let (Some(parsed), Some(rest)) = (absolute(&url), after_authority(&url)) else {
            notes.push(format!(
                "{quoted}: its OAuth 2 settings were not imported because its URL does not \
                 start with http:// or https:// once the collection's variables are filled in; \
                 make a credential and send the request to callout:NAME"
            ));
            return;
        };
        let mut credential = Credential::new(String::new(), parsed.origin().ascii_serialization());
        credential.protocol = settings.protocol;
        credential.client_auth = settings.client_auth;
        let mut unresolved = Vec::new();
        let mut field = |value: Option<String>, words: &'static str, is_url: bool| {
            let value = resolve(value?.trim(), lookup);
            let usable = !value.contains("{{")
                && (!is_url
                    || (!value.contains(char::is_whitespace)
                        && url::Url::parse(&value).is_ok_and(|url| {
                            matches!(url.scheme(), "http" | "https") && url.host().is_some()
                        })));
            if usable {
                Some(value)
            } else {
                unresolved.push(words);
                None
            }
        };
        credential.token_url = field(settings.token_url, "token URL", true);
        if credential.protocol == AuthProtocol::AuthorizationCode {
            credential.auth_url = field(settings.auth_url, "authorization URL", true);
        }
        credential.client_id = field(settings.client_id, "client id", false);
        credential.scopes = field(settings.scope, "scope", false)
            .map(|scope| {
                scope
                    .split(|c: char| c.is_whitespace() || c == ',')
                    .filter(|scope| !scope.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let name = self.name_for(&credential);
        credential.name = name.clone();
        if let Err(error) = credential.validate() {
            notes.push(format!(
                "{quoted}: its OAuth 2 settings were not imported: {error}"
            ));
            return;
        }
        // The path comes from a variable's value when the URL starts with
        // one: it is checked as the URL was.
        let sent = format!("callout:{name}{rest}");
        if let Err(reason) = super::check_request(&saved.method, &sent, &saved.headers) {
            notes.push(format!(
                "{quoted}: its OAuth 2 settings were not imported: once its variables are \
                 filled in, {reason}"
            ));
            return;
        }
        if !self.credentials.iter().any(|known| known.name == name) {
            let mut said = vec![format!(
                "credential {name}: a draft from the OAuth 2 settings of {quoted} ({}, endpoint \
                 {}); requests that use them now go to callout:{name}",
                credential.protocol.words(),
                credential.endpoint
            )];
            if !settings.left_out.is_empty() {
                said.push(format!(
                    "{} {} left out (secrets stay out of files)",
                    join_words(&settings.left_out),
                    if settings.left_out.len() == 1 {
                        "was"
                    } else {
                        "were"
                    },
                ));
            }
            if settings.left_out.contains(&"the client secret") {
                said.push(format!(
                    "add the client secret with `callout credential edit {name} \
                     --client-secret-stdin` or the app, which keep it in the OS keychain"
                ));
            }
            if !unresolved.is_empty() {
                said.push(format!(
                    "its {} could not be filled in from the collection's variables and {} left \
                     out: set {} on the credential",
                    join_words(&unresolved),
                    if unresolved.len() == 1 { "was" } else { "were" },
                    if unresolved.len() == 1 { "it" } else { "them" }
                ));
            }
            if let Some(audience) = &settings.audience {
                said.push(format!(
                    "the audience \"{}\" has no place in a credential and was not imported",
                    audience.escape_debug()
                ));
            }
            if credential.protocol == AuthProtocol::Password {
                let user = settings.username.as_deref().unwrap_or("USER");
                said.push(format!(
                    "authorize it with `callout authorize {name} --username {}` (the password \
                     is asked then)",
                    user.escape_debug()
                ));
            }
            said.extend(settings.notes);
            notes.push(said.join("; "));
            self.credentials.push(credential);
        }
        if parsed.password().is_some() {
            notes.push(format!(
                "{quoted}: the user name and password in its URL were left out; credential \
                 {name} signs the request in"
            ));
        }
        saved.url = sent;
    }

    /// The name of the draft with `credential`'s configuration, or a new
    /// one: the collection's name, numbered from the second.
    fn name_for(&self, credential: &Credential) -> String {
        if let Some(known) = self.credentials.iter().find(|known| {
            Credential {
                name: String::new(),
                ..(*known).clone()
            } == *credential
        }) {
            return known.name.clone();
        }
        let mut number = self.credentials.len() + 1;
        loop {
            let name = if number == 1 {
                self.base.clone()
            } else {
                format!("{}_{number}", self.base)
            };
            if !self.credentials.iter().any(|known| known.is_named(&name)) {
                return name;
            }
            number += 1;
        }
    }
}

/// "a, b and c".
fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::collection::Collection;
    use crate::interop::incoming::tests::{has_note, values};

    const V4: &str = include_str!("../../tests/fixtures/insomnia/acme-v4.json");
    const V5: &str = include_str!("../../tests/fixtures/insomnia/acme-v5.yaml");

    /// Every secret the fixtures hold: none may come out.
    const SECRETS: [&str; 12] = [
        "cl1ent-s3cret-value",
        "saved-acc3ss-t0ken",
        "saved-refr3sh-t0ken",
        "b4se-cl1ent-s3cret",
        "pr0d-ap1-key-value",
        "dev-acc3ss-t0ken",
        "lit3ral-bearer-t0ken",
        "c00kie-sess1on",
        "v5-cl1ent-s3cret",
        "v5-st4ging-t0ken",
        "v5-pr0d-sess1on",
        "v5-b4sic-passw0rd",
    ];

    fn request<'a>(incoming: &'a Incoming, name: &str) -> &'a IncomingRequest {
        incoming
            .requests
            .iter()
            .find(|request| request.request.name == name)
            .unwrap_or_else(|| panic!("no request {name}"))
    }

    fn header<'a>(request: &'a SavedRequest, name: &str) -> Option<&'a str> {
        crate::http::header_value(&request.headers, name)
    }

    #[test]
    fn a_v4_export_comes_in_with_its_folders_requests_and_environments() {
        let incoming = import(V4, "acme-v4.json").unwrap();
        assert_eq!(incoming.name, "Acme CRM");
        let order: Vec<(String, Vec<String>)> = incoming
            .requests
            .iter()
            .map(|request| (request.request.name.clone(), request.folders.clone()))
            .collect();
        let folders = |names: &[&str]| names.iter().map(|name| name.to_string()).collect();
        assert_eq!(
            order,
            [
                ("List accounts".to_string(), folders(&["Accounts"])),
                ("Create account".to_string(), folders(&["Accounts"])),
                (
                    "Query accounts (SOAP)".to_string(),
                    folders(&["Accounts", "SOAP"])
                ),
                ("Log in (form)".to_string(), folders(&[])),
            ]
        );

        // OAuth 2: a draft, and the request sent through it with its path
        // as written.
        let list = &request(&incoming, "List accounts").request;
        assert_eq!(list.method, "GET");
        assert_eq!(
            list.url,
            "callout:Acme_CRM/services/data/v{{api_version}}/query?q=SELECT%20Id,%20Name%20FROM%20Account"
        );
        assert_eq!(list.headers, [Header::new("Accept", "application/json")]);
        assert_eq!(incoming.credentials.len(), 1);
        let credential = &incoming.credentials[0];
        assert_eq!(credential.name, "Acme_CRM");
        assert_eq!(credential.endpoint, "https://api.acme.example");
        assert_eq!(credential.protocol, AuthProtocol::AuthorizationCode);
        assert_eq!(credential.client_id.as_deref(), Some("acme-desktop-client"));
        assert_eq!(
            credential.token_url.as_deref(),
            Some("https://login.acme.example/services/oauth2/token")
        );
        assert_eq!(
            credential.auth_url.as_deref(),
            Some("https://login.acme.example/services/oauth2/authorize")
        );
        assert_eq!(credential.scopes, ["api", "refresh_token"]);
        credential.validate().unwrap();
        assert!(has_note(
            &incoming,
            &[
                "credential Acme_CRM",
                "the client secret, the saved access token and the saved refresh token were left out",
                "--client-secret-stdin"
            ]
        ));

        // SOAP: the envelope as written, its variable converted.
        let soap = &request(&incoming, "Query accounts (SOAP)").request;
        assert_eq!(soap.method, "POST");
        assert_eq!(soap.url, "{{base_url}}/services/Soap/u/{{api_version}}");
        assert_eq!(soap.body_kind, BodyKind::Xml);
        let envelope = soap.body.as_deref().unwrap();
        assert!(envelope.starts_with("<?xml version=\"1.0\""), "{envelope}");
        assert!(envelope.contains("<urn:sessionId>{{access_token}}</urn:sessionId>"));
        assert_eq!(
            soap.headers,
            [
                Header::new("Content-Type", "text/xml; charset=UTF-8"),
                Header::new("SOAPAction", "\"\""),
            ]
        );

        // JSON: the tag left as written and named; the written-out bearer
        // token left out and named.
        let create = &request(&incoming, "Create account").request;
        assert_eq!(create.body_kind, BodyKind::Json);
        assert_eq!(
            create.body.as_deref(),
            Some("{\n  \"Name\": \"Acme {% uuid 'v4' %}\",\n  \"Owner\": \"{{username}}\"\n}")
        );
        assert_eq!(header(create, "Content-Type"), Some("application/json"));
        assert_eq!(header(create, "Authorization"), None);
        assert!(has_note(
            &incoming,
            &[
                "\"Accounts / Create account\"",
                "{% uuid %} was left as written"
            ]
        ));
        assert!(has_note(
            &incoming,
            &["\"Accounts / Create account\"", "bearer token was left out"]
        ));

        // A form: its enabled parameters, encoded.
        let login = &request(&incoming, "Log in (form)").request;
        assert_eq!(
            login.body.as_deref(),
            Some("username={{username}}&return%20to=/home?tab=1%26x=2")
        );
        assert_eq!(
            header(login, "Content-Type"),
            Some("application/x-www-form-urlencoded")
        );

        assert_eq!(
            incoming.variables,
            values(&[
                ("api_version", "59.0"),
                (
                    "auth.token_url",
                    "https://login.acme.example/services/oauth2/token"
                ),
                ("base_url", "https://api.acme.example"),
            ])
        );
        assert_eq!(
            incoming.environments,
            [
                (
                    "Development".to_string(),
                    values(&[
                        ("base_url", "https://dev.acme.example"),
                        ("username", "dev@acme.example")
                    ])
                ),
                (
                    "Production".to_string(),
                    values(&[("base_url", "https://api.acme.example")])
                ),
            ]
        );
        for words in [
            &["base environment", "client_secret was left out"][..],
            &[
                "environment \"Development\"",
                "access_token was left out",
                "--env \"Development\"",
            ],
            &["environment \"Production\"", "api_key was left out"],
            &["\"Stream events\" is a gRPC request"],
            &["1 cookie(s) were not imported"],
            &["folder \"Accounts\"", "page_size"],
        ] {
            assert!(
                has_note(&incoming, words),
                "{words:?} in {:#?}",
                incoming.notes
            );
        }
        assert!(
            !has_note(&incoming, &["design document"]),
            "the spec is empty"
        );
    }

    #[test]
    fn a_v5_export_comes_in_with_inherited_headers_and_authentication() {
        let incoming = import(V5, "acme-v5.yaml").unwrap();
        assert_eq!(incoming.name, "Acme CRM v5");
        let names: Vec<&str> = incoming
            .requests
            .iter()
            .map(|request| request.request.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "List accounts",
                "Query accounts (SOAP)",
                "Create account",
                "Limits"
            ]
        );
        assert_eq!(
            request(&incoming, "Query accounts (SOAP)").folders,
            ["Accounts", "SOAP"]
        );

        // The folder's OAuth 2 block, inherited: client credentials.
        let list = &request(&incoming, "List accounts").request;
        assert_eq!(
            list.url,
            "callout:Acme_CRM_v5/services/data/v{{api_version}}/query?q=SELECT%20Id,%20Name%20FROM%20Account"
        );
        assert_eq!(
            list.headers,
            [
                Header::new("Accept", "application/json"),
                Header::new("X-Client", "callout-import-test"),
            ],
            "the request's own header wins over its folder's"
        );
        let [credential] = incoming.credentials.as_slice() else {
            panic!("{:?}", incoming.credentials);
        };
        assert_eq!(credential.name, "Acme_CRM_v5");
        assert_eq!(credential.protocol, AuthProtocol::ClientCredentials);
        assert_eq!(credential.client_auth, ClientAuth::Body);
        assert_eq!(credential.auth_url, None);
        assert_eq!(
            credential.token_url.as_deref(),
            Some("https://login.acme.example/services/oauth2/token")
        );
        assert_eq!(credential.scopes, ["api"]);
        credential.validate().unwrap();
        assert!(has_note(
            &incoming,
            &["credential Acme_CRM_v5", "the client secret was left out"]
        ));
        assert!(has_note(
            &incoming,
            &["\"Accounts / List accounts\"", "scripts"]
        ));

        // `type: none` stops the folder's authentication.
        let soap = &request(&incoming, "Query accounts (SOAP)").request;
        assert_eq!(soap.url, "{{base_url}}/services/Soap/u/{{api_version}}");
        assert_eq!(soap.body_kind, BodyKind::Xml);
        assert!(
            soap.body
                .as_deref()
                .unwrap()
                .contains("<urn:sessionId>{{session_id}}</urn:sessionId>")
        );
        assert_eq!(header(soap, "Content-Type"), Some("text/xml"));
        assert_eq!(header(soap, "Accept"), Some("application/xml"));
        assert_eq!(header(soap, "X-Off"), None);

        // A bearer token that is a variable is sent from it.
        let create = &request(&incoming, "Create account").request;
        assert_eq!(
            header(create, "Authorization"),
            Some("Bearer {{api_token}}")
        );
        assert!(
            create
                .body
                .as_deref()
                .unwrap()
                .contains("\"Owner\": \"{{owner.email}}\"")
        );
        assert!(has_note(&incoming, &["{% faker %} was left as written"]));

        let limits = &request(&incoming, "Limits").request;
        assert_eq!(header(limits, "Authorization"), None);
        assert!(has_note(
            &incoming,
            &[
                "\"Limits\"",
                "basic authentication (username integration@acme.example)",
                "password was left out"
            ]
        ));
        assert!(has_note(
            &incoming,
            &["\"Event stream\" is a WebSocket request"]
        ));

        assert_eq!(
            incoming.variables,
            values(&[
                ("api_version", "59.0"),
                ("base_url", "https://api.acme.example"),
                ("login_url", "https://login.acme.example"),
                ("owner.email", "owner@acme.example"),
            ])
        );
        assert_eq!(
            incoming.environments,
            [
                (
                    "Staging".to_string(),
                    values(&[("base_url", "https://staging.acme.example")])
                ),
                (
                    "Production".to_string(),
                    values(&[("base_url", "https://api.acme.example")])
                ),
            ]
        );
        assert!(has_note(
            &incoming,
            &["\"Staging\"", "api_token was left out"]
        ));
        assert!(has_note(
            &incoming,
            &["\"Production\"", "session_id was left out"]
        ));
    }

    #[test]
    fn a_v4_export_written_as_yaml_reads_the_same() {
        let json: Value = serde_json::from_str(V4).unwrap();
        let yaml = serde_yaml_ng::to_string(&json).unwrap();
        assert!(!yaml.trim_start().starts_with('{'));
        assert_eq!(
            import(&yaml, "acme-v4.yaml").unwrap(),
            import(V4, "acme-v4.json").unwrap()
        );
    }

    #[test]
    fn no_secret_reaches_the_result_nor_the_collection_written() {
        for (text, source) in [(V4, "acme-v4.json"), (V5, "acme-v5.yaml")] {
            for secret in SECRETS {
                let in_fixture = text.contains(secret);
                let incoming = import(text, source).unwrap();
                let shown = format!("{incoming:?}");
                assert!(!shown.contains(secret), "{secret} from {source}");
                if !in_fixture {
                    continue;
                }
                let parent = tempfile::tempdir().unwrap();
                let written = super::super::incoming::write(parent.path(), &incoming).unwrap();
                for file in files(Path::new(&written.root)) {
                    let text = std::fs::read_to_string(&file).unwrap();
                    assert!(!text.contains(secret), "{secret} in {}", file.display());
                }
            }
        }
    }

    fn files(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                found.extend(files(&path));
            } else {
                found.push(path);
            }
        }
        found
    }

    #[test]
    fn every_request_saves_as_a_collection() {
        for (text, source) in [(V4, "acme-v4.json"), (V5, "acme-v5.yaml")] {
            let incoming = import(text, source).unwrap();
            let parent = tempfile::tempdir().unwrap();
            let written = super::super::incoming::write(parent.path(), &incoming).unwrap();
            let opened = Collection::open(Path::new(&written.root)).unwrap();
            assert!(opened.unreadable().is_empty(), "{:?}", opened.unreadable());
            let mut saved: Vec<String> = opened
                .requests()
                .iter()
                .map(|file| file.named_path())
                .collect();
            let mut expected: Vec<String> = incoming
                .requests
                .iter()
                .map(|request| {
                    let mut path = request.folders.clone();
                    path.push(request.request.name.clone());
                    path.join("/")
                })
                .collect();
            saved.sort();
            expected.sort();
            assert_eq!(saved, expected, "{source}");
            assert_eq!(opened.variables, incoming.variables);
            let environments: Vec<String> = incoming
                .environments
                .iter()
                .map(|(name, _)| name.clone())
                .collect();
            let mut listed = opened.environments().unwrap();
            listed.sort();
            let mut environments = environments;
            environments.sort();
            assert_eq!(listed, environments);
            for file in opened.requests() {
                let own = &request(&incoming, &file.request.name).request;
                assert_eq!(file.request.url, own.url);
                assert_eq!(file.request.body, own.body);
                assert_eq!(file.request.headers, own.headers);
            }
        }
    }

    #[test]
    fn broken_exports_are_refused_with_where() {
        let cases = [
            (
                "{\"_type\": \"export\",\n  \"resources\": [\n  }",
                "acme.json: it is not valid JSON (line 3, column 3",
            ),
            (
                "type: collection.insomnia.rest/5.0\ncollection:\n  - name: x\n   bad: [\n",
                "acme.json: it is neither JSON nor valid YAML (line 4, column",
            ),
            (
                r#"{"_type": "export", "__export_format": 3, "resources": []}"#,
                "acme.json: it is an Insomnia export of format 3",
            ),
            (
                r#"{"_type": "export", "__export_format": 4}"#,
                "acme.json: it has no `resources` list",
            ),
            (
                "type: collection.insomnia.rest/5.0\ncollection: 3\n",
                "acme.json: its `collection` is not a list",
            ),
            (
                "type: environment.insomnia.rest/5.0\nname: Env\n",
                "acme.json: it is an Insomnia \"environment.insomnia.rest/5.0\" file",
            ),
            (
                "{\"info\": {}}",
                "acme.json: it is neither an Insomnia v4 export",
            ),
            (
                "- just\n- a list\n",
                "acme.json: it is neither an Insomnia v4 export",
            ),
        ];
        for (text, expected) in cases {
            let error = import(text, "acme.json").unwrap_err();
            let shown = error.to_string();
            assert!(
                shown.starts_with(&format!("cannot import the Insomnia export: {expected}")),
                "{shown}"
            );
        }
    }

    #[test]
    fn truncated_exports_never_panic() {
        for text in [V4, V5] {
            let mut cut = 0;
            while cut < text.len() {
                if text.is_char_boundary(cut) {
                    let _ = import(&text[..cut], "cut");
                }
                cut += 13;
            }
        }
    }

    #[test]
    fn parent_loops_and_odd_resources_are_named_not_followed() {
        let json = serde_json::json!({
            "_type": "export",
            "__export_format": 4,
            "resources": [
                {"_id": "wrk", "_type": "workspace", "name": "Loops"},
                {"_id": "a", "_type": "request_group", "parentId": "b", "name": "A"},
                {"_id": "b", "_type": "request_group", "parentId": "a", "name": "B"},
                {"_id": "r", "_type": "request", "parentId": "a", "url": "https://x.test"},
                {"_id": "ok", "_type": "request", "parentId": "nowhere", "method": "get",
                 "url": "x.test/a b", "name": ""},
                {"_id": "bad", "_type": "request", "parentId": "wrk", "name": "Bad",
                 "url": "https://x.test/\nX", "method": "GET"},
                {"_id": "empty", "_type": "request", "parentId": "wrk", "name": "Empty"},
                7,
                {"_type": "environment", "parentId": "wrk", "data": {"a b": "1", "list": [1, 2]}}
            ]
        });
        let incoming = import(&json.to_string(), "").unwrap();
        let [only] = incoming.requests.as_slice() else {
            panic!("{:?}", incoming.requests);
        };
        assert_eq!(only.request.name, "Request 1");
        assert_eq!(only.request.method, "GET");
        assert_eq!(only.request.url, "http://x.test/a b");
        assert!(has_note(
            &incoming,
            &["3 request(s) or folder(s) were not imported"]
        ));
        assert!(has_note(
            &incoming,
            &["\"Bad\" was not imported", "line feed"]
        ));
        assert!(has_note(
            &incoming,
            &["\"Empty\" was not imported: it has no URL"]
        ));
        assert!(has_note(&incoming, &["\"a b\" cannot name a variable"]));
        assert_eq!(incoming.variables, values(&[("list", "[1,2]")]));
    }

    #[test]
    fn insomnia_templates_become_variables_and_tags_stay() {
        let cases = [
            ("{{ _.base_url }}/x", "{{base_url}}/x", 0),
            ("{{base_url}}", "{{base_url}}", 0),
            ("{{ _['my-var'] }}", "{{my-var}}", 0),
            ("{{ _.a.b }}", "{{a.b}}", 0),
            ("{{ _.a | upper }}", "{{ _.a | upper }}", 1),
            (
                "id={% uuid 'v4' %}&t={% now 'iso' %}",
                "id={% uuid 'v4' %}&t={% now 'iso' %}",
                2,
            ),
            ("{{ unclosed", "{{ unclosed", 0),
            ("{% unclosed", "{% unclosed", 0),
            ("é{{ _.é }}", "é{{ _.é }}", 1),
        ];
        for (text, expected, left) in cases {
            let mut tags = Vec::new();
            assert_eq!(convert(text, &mut tags), expected, "{text}");
            assert_eq!(tags.len(), left, "{text}: {tags:?}");
        }
    }

    #[test]
    fn query_parameters_keep_variables_as_written() {
        let mut url = "https://x.test/a?b=1".to_string();
        append_query(
            &mut url,
            &[
                ("q".into(), "a b&c#d+e".into()),
                ("k=1".into(), "{{v & w}}".into()),
                ("flag".into(), String::new()),
            ],
        );
        assert_eq!(
            url,
            "https://x.test/a?b=1&q=a%20b%26c%23d%2Be&k%3D1={{v & w}}&flag"
        );
    }

    #[test]
    fn a_variable_that_would_break_the_url_keeps_the_request_as_it_was() {
        let mut drafts = Drafts::new("Acme");
        let mut notes = Vec::new();
        let mut saved =
            SavedRequest::from_draft("", "r", crate::http::Draft::new("GET", "{{base}}/x"));
        let mut settings = OAuthSettings::for_grant("client_credentials", "\"r\"");
        settings.token_url = Some("https://a.test/token".into());
        let lookup = |_: &str| Some("https://a.test/v1\u{0}".to_string());
        drafts.attach(&mut saved, settings, &lookup, &mut notes);
        assert_eq!(saved.url, "{{base}}/x");
        assert!(drafts.into_credentials().is_empty());
        assert!(notes[0].contains("control character (U+0000)"), "{notes:?}");
    }

    #[test]
    fn credential_names_are_valid_developer_names() {
        assert_eq!(Drafts::new("Acme CRM — API (v2)").base, "Acme_CRM_API_v2");
        assert_eq!(Drafts::new("2024 tests").base, "Imported_2024_tests");
        assert_eq!(Drafts::new("!!!").base, "Imported");
        let long = Drafts::new(&"ab ".repeat(60)).base;
        assert!(long.len() <= 70 && !long.ends_with('_'), "{long}");
        let mut drafts = Drafts::new("Acme");
        let mut notes = Vec::new();
        for (url, token) in [
            ("https://a.test/x", "https://a.test/token"),
            ("https://b.test/y", "https://a.test/token"),
            ("https://a.test/z", "https://a.test/token"),
        ] {
            let mut saved = SavedRequest::from_draft("", "r", crate::http::Draft::new("GET", url));
            let mut settings = OAuthSettings::for_grant("client_credentials", "\"r\"");
            settings.token_url = Some(token.into());
            settings.client_id = Some("id".into());
            drafts.attach(&mut saved, settings, &|_| None, &mut notes);
        }
        let names: Vec<String> = drafts
            .into_credentials()
            .into_iter()
            .map(|credential| credential.name)
            .collect();
        assert_eq!(names, ["Acme", "Acme_2"], "one draft per configuration");
    }
}

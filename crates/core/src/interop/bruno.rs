//! Bruno collections in, as a collection ([`Incoming`]): a folder with a
//! `bruno.json` (its name), one `.bru` file per request, directories as
//! folders (a `folder.bru` names one and orders it), `collection.bru` (the
//! collection's headers, authentication and variables) and
//! `environments/NAME.bru`.
//!
//! What comes in: each request's method, URL (its `:name` path parameters
//! filled in, enabled query parameters it lacks appended), enabled headers
//! (its folders' and the collection's too, the nearest winning), body
//! (JSON, XML, text, SPARQL, GraphQL, form-urlencoded), `assert` lines as
//! [`Assertion`]s where one says the same (`res.status: eq 200` → status,
//! `res.body.a.b: eq x` → JSONPath `$.a.b`, `res.headers.x`, `res.body`,
//! `res.responseTime: lt N`), `vars:post-response` lines that take a value
//! from the body or a header as [`Extraction`]s; the collection's variables;
//! each environment. An OAuth 2 block (the request's, or its folder's or
//! the collection's when it inherits) becomes a credential draft and the
//! request goes to `callout:NAME/...` (as Insomnia's do:
//! [`super::insomnia`]).
//!
//! What is left out is named in a note, one sentence each: every secret (a
//! client secret, a password, a bearer token or API key written out, an
//! environment's `vars:secret`, a value whose name says token, secret,
//! password, key or session), scripts and tests (JavaScript), request and
//! folder variables, assertions with no equivalent, multipart and file
//! bodies. The `.env` file beside a collection (Bruno's `process.env`) is
//! never read.
//!
//! The Bru language is read by [`parse_bru`]: blocks `name {` ... `}` (the
//! `}` at the start of a line) holding `key: value` lines (`~key` disabled,
//! `'''` for a value of several lines, indented by four), text (a body,
//! a script, docs: indented by two, the indentation removed) or, for
//! `vars:secret [ a, b ]`, a list. Errors name the file and the line.
//!
//! Bruno's newer YAML collection format (`opencollection.yml`, `.yml`
//! requests) is not read yet: such a folder is refused with a sentence
//! saying so.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::incoming::{Incoming, IncomingRequest, checked_request};
use super::insomnia::{
    Drafts, OAuthSettings, append_query, form_urlencoded, keep_values, token_header, variable_only,
};
use crate::assertion::{Assertion, Check, ExtractFrom, Extraction, Subject};
use crate::credential::{AuthProtocol, ClientAuth};
use crate::http::{Draft, Header};
use crate::requests::{BodyKind, SavedRequest};
use crate::{Error, Result};

/// Directories deeper than this are not read.
const MAX_DEPTH: usize = 32;
/// The most `.bru` files read from one collection.
const MAX_FILES: usize = 20_000;

/// A Bru file: its blocks in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bru {
    pub blocks: Vec<Block>,
}

/// One block: `name {` ... `}`, or `name [` ... `]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub name: String,
    /// The line it starts on, from 1.
    pub line: usize,
    pub content: Content,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// `key: value` lines.
    Pairs(Vec<Pair>),
    /// A body, a script, docs: the text with its indentation removed.
    Text(String),
    /// `[ a, b ]`: the values as pairs with empty values.
    List(Vec<Pair>),
}

/// `key: value` (or a list's item); `~key` is written disabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub key: String,
    pub value: String,
    pub enabled: bool,
    pub line: usize,
}

impl Bru {
    /// The first block named `name`.
    pub fn block(&self, name: &str) -> Option<&Block> {
        self.blocks.iter().find(|block| block.name == name)
    }

    /// The enabled pairs of block `name` (none when it is not there).
    pub fn pairs(&self, name: &str) -> Vec<&Pair> {
        match self.block(name).map(|block| &block.content) {
            Some(Content::Pairs(pairs) | Content::List(pairs)) => {
                pairs.iter().filter(|pair| pair.enabled).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The enabled value of `key` in block `name`, when not blank.
    pub fn value(&self, name: &str, key: &str) -> Option<&str> {
        self.pairs(name)
            .into_iter()
            .find(|pair| pair.key == key)
            .map(|pair| pair.value.as_str())
            .filter(|value| !value.trim().is_empty())
    }

    /// The text of block `name`, when it is a text block that is there.
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.block(name).map(|block| &block.content) {
            Some(Content::Text(text)) => Some(text),
            _ => None,
        }
    }
}

/// Reads a Bru file; an error names the line.
pub fn parse_bru(text: &str) -> Result<Bru> {
    parse(text).map_err(|(line, detail)| Error::Import {
        what: "Bruno file",
        detail: format!("line {line}: {detail}"),
    })
}

const METHODS: [&str; 9] = [
    "get", "post", "put", "patch", "delete", "options", "head", "connect", "trace",
];

/// Whether block `name` holds text rather than `key: value` lines: the
/// bodies but forms, scripts, tests, docs, and any block this reader does
/// not know (kept whole, never misread).
fn is_text_block(name: &str) -> bool {
    let pairs = METHODS.contains(&name)
        || matches!(
            name,
            "meta"
                | "headers"
                | "query"
                | "params:query"
                | "params:path"
                | "vars"
                | "vars:pre-request"
                | "vars:post-response"
                | "assert"
                | "auth"
                | "settings"
                | "body:form-urlencoded"
                | "body:multipart-form"
                | "body:file"
        )
        || name.starts_with("auth:");
    !pairs
}

type Located = (usize, String);

fn parse(text: &str) -> std::result::Result<Bru, Located> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect();
    let mut blocks = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let number = index + 1;
        let trimmed = lines[index].trim();
        if trimmed.is_empty() {
            index += 1;
            continue;
        }
        let name_end = trimmed
            .find(|c: char| c.is_whitespace() || c == '{' || c == '[')
            .unwrap_or(trimmed.len());
        let name = &trimmed[..name_end];
        let after = trimmed[name_end..].trim_start();
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_'));
        if !valid || !after.starts_with(['{', '[']) {
            return Err((
                number,
                format!(
                    "expected a block such as `meta {{`, found \"{}\"",
                    excerpt(trimmed)
                ),
            ));
        }
        if let Some(rest) = after.strip_prefix('[') {
            let (items, end) = list(&lines, index, rest, name)?;
            blocks.push(Block {
                name: name.to_string(),
                line: number,
                content: Content::List(items),
            });
            index = end + 1;
            continue;
        }
        let rest = after[1..].trim();
        let content_of = |pairs: Vec<Pair>, text: String| {
            if is_text_block(name) {
                Content::Text(text)
            } else {
                Content::Pairs(pairs)
            }
        };
        if rest == "}" {
            blocks.push(Block {
                name: name.to_string(),
                line: number,
                content: content_of(Vec::new(), String::new()),
            });
            index += 1;
            continue;
        }
        if !rest.is_empty() {
            return Err((
                number,
                format!("nothing may follow `{name} {{` on its line"),
            ));
        }
        let (content, end) = if is_text_block(name) {
            let (text, end) = text_block(&lines, index, name)?;
            (Content::Text(text), end)
        } else {
            let (pairs, end) = pairs_block(&lines, index, name)?;
            (Content::Pairs(pairs), end)
        };
        blocks.push(Block {
            name: name.to_string(),
            line: number,
            content,
        });
        index = end + 1;
    }
    Ok(Bru { blocks })
}

/// At most 40 characters of `text`, for an error.
fn excerpt(text: &str) -> String {
    let short: String = text.chars().take(40).collect();
    let more = if short.len() < text.len() { "…" } else { "" };
    format!("{}{more}", short.escape_debug())
}

/// The line after block `name` (opened at `open`) that closes it: the first
/// that starts with `}`, with nothing after it.
fn closing(
    lines: &[&str],
    from: usize,
    open: usize,
    name: &str,
) -> std::result::Result<usize, Located> {
    let end = (from..lines.len())
        .find(|&index| lines[index].starts_with('}'))
        .ok_or_else(|| {
            (
                open + 1,
                format!("block `{name}` is never closed: a line starting with `}}` closes it"),
            )
        })?;
    check_closed(lines, end, name)?;
    Ok(end)
}

fn check_closed(lines: &[&str], end: usize, name: &str) -> std::result::Result<(), Located> {
    if lines[end][1..].trim().is_empty() {
        Ok(())
    } else {
        Err((
            end + 1,
            format!("nothing may follow the `}}` that closes `{name}`"),
        ))
    }
}

/// `line` without up to `width` spaces (or one tab) it starts with.
fn dedent(line: &str, width: usize) -> &str {
    if let Some(rest) = line.strip_prefix('\t') {
        return rest;
    }
    let spaces = line.len() - line.trim_start_matches(' ').len();
    &line[spaces.min(width)..]
}

fn text_block(
    lines: &[&str],
    open: usize,
    name: &str,
) -> std::result::Result<(String, usize), Located> {
    let end = closing(lines, open + 1, open, name)?;
    let body: Vec<&str> = lines[open + 1..end]
        .iter()
        .skip_while(|line| line.trim().is_empty())
        .map(|line| dedent(line, 2))
        .collect();
    Ok((body.join("\n"), end))
}

fn pairs_block(
    lines: &[&str],
    open: usize,
    name: &str,
) -> std::result::Result<(Vec<Pair>, usize), Located> {
    let mut pairs = Vec::new();
    let mut index = open + 1;
    loop {
        let Some(line) = lines.get(index) else {
            return Err((
                open + 1,
                format!("block `{name}` is never closed: a line starting with `}}` closes it"),
            ));
        };
        if line.starts_with('}') {
            check_closed(lines, index, name)?;
            return Ok((pairs, index));
        }
        let number = index + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            index += 1;
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            return Err((
                number,
                format!(
                    "expected `name: value` in block `{name}`, found \"{}\"",
                    excerpt(trimmed)
                ),
            ));
        };
        let key = key.trim();
        let (key, enabled) = match key.strip_prefix('~') {
            Some(key) => (key.trim(), false),
            None => (key, true),
        };
        if key.is_empty() {
            return Err((
                number,
                format!("a line of block `{name}` has no name before `:`"),
            ));
        }
        let mut value = value.trim().to_string();
        if let Some(after) = value.strip_prefix("'''").map(str::to_string) {
            match after.strip_suffix("'''") {
                Some(inner) if !after.is_empty() => value = inner.trim().to_string(),
                _ => {
                    let (text, end) = multiline(lines, index, &after, key)?;
                    value = text;
                    index = end;
                }
            }
        }
        pairs.push(Pair {
            key: key.to_string(),
            value,
            enabled,
            line: number,
        });
        index += 1;
    }
}

/// A `'''` value that starts on line `open` after `first`: its lines up to
/// the closing `'''`, each without the four spaces it is indented by.
fn multiline(
    lines: &[&str],
    open: usize,
    first: &str,
    key: &str,
) -> std::result::Result<(String, usize), Located> {
    let mut parts: Vec<&str> = Vec::new();
    if !first.trim().is_empty() {
        parts.push(first);
    }
    let mut index = open + 1;
    loop {
        let Some(line) = lines.get(index) else {
            return Err((
                open + 1,
                format!("the ''' text of `{key}` is never closed with '''"),
            ));
        };
        if let Some(at) = line.find("'''") {
            let before = &line[..at];
            if !before.trim().is_empty() {
                parts.push(dedent(before, 4));
            }
            if !line[at + 3..].trim().is_empty() {
                return Err((
                    index + 1,
                    format!("nothing may follow the ''' that closes `{key}`"),
                ));
            }
            return Ok((parts.join("\n").trim().to_string(), index));
        }
        parts.push(dedent(line, 4));
        index += 1;
    }
}

/// `name [` ... `]` from line `open` (`rest`: what follows the `[`): its
/// items, separated by commas or line breaks (`~item` disabled).
fn list(
    lines: &[&str],
    open: usize,
    rest: &str,
    name: &str,
) -> std::result::Result<(Vec<Pair>, usize), Located> {
    let mut items = Vec::new();
    let mut index = open;
    let mut text = rest;
    loop {
        let (inside, done) = match text.find(']') {
            Some(at) => {
                if !text[at + 1..].trim().is_empty() {
                    return Err((
                        index + 1,
                        format!("nothing may follow the `]` that closes `{name}`"),
                    ));
                }
                (&text[..at], true)
            }
            None => (text, false),
        };
        for item in inside
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
        {
            let (key, enabled) = match item.strip_prefix('~') {
                Some(key) => (key.trim(), false),
                None => (item, true),
            };
            items.push(Pair {
                key: key.to_string(),
                value: String::new(),
                enabled,
                line: index + 1,
            });
        }
        if done {
            return Ok((items, index));
        }
        index += 1;
        match lines.get(index) {
            Some(line) => text = line,
            None => {
                return Err((
                    open + 1,
                    format!("the list `{name} [` is never closed with `]`"),
                ));
            }
        }
    }
}

fn refuse(detail: impl Into<String>) -> Error {
    Error::Import {
        what: "Bruno collection",
        detail: detail.into(),
    }
}

/// Reads the Bruno collection in `dir`: `bruno.json`, every `.bru` file
/// below it (directories `bruno.json` ignores, hidden ones and symbolic
/// links left alone).
pub fn import_dir(dir: &Path) -> Result<Incoming> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|error| Error::Storage {
            action: "read",
            path: path.display().to_string(),
            detail: error.to_string(),
        })
    };
    let config = dir.join("bruno.json");
    if !config.is_file() {
        let yaml = ["opencollection.yml", "opencollection.yaml"]
            .iter()
            .any(|file| dir.join(file).is_file());
        return Err(refuse(if yaml {
            format!(
                "{} is in Bruno's YAML (OpenCollection) format, which Callout Lab does not read \
                 yet; keep the collection in Bruno's .bru format to import it",
                dir.display()
            )
        } else {
            format!(
                "{} has no bruno.json: is it a Bruno collection folder?",
                dir.display()
            )
        }));
    }
    let config_text = read(&config)?;
    let ignored: Vec<String> = serde_json::from_str::<Value>(&config_text)
        .ok()
        .and_then(|config| config.get("ignore").cloned())
        .and_then(|ignore| serde_json::from_value(ignore).ok())
        .unwrap_or_else(|| vec!["node_modules".to_string(), ".git".to_string()]);
    let mut files = vec![("bruno.json".to_string(), config_text)];
    let mut yaml = 0;
    collect(dir, "", 0, &ignored, &mut files, &mut yaml, &read)?;
    let mut incoming = import_files(&files)?;
    if yaml > 0 {
        incoming.notes.push(format!(
            "{yaml} YAML file(s) in the collection were not read: Bruno's YAML format is not \
             supported yet"
        ));
    }
    Ok(incoming)
}

fn collect(
    dir: &Path,
    prefix: &str,
    depth: usize,
    ignored: &[String],
    files: &mut Vec<(String, String)>,
    yaml: &mut usize,
    read: &dyn Fn(&Path) -> Result<String>,
) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|error| Error::Storage {
        action: "read",
        path: dir.display().to_string(),
        detail: error.to_string(),
    })?;
    let mut entries: Vec<_> = entries.filter_map(std::result::Result::ok).collect();
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let relative = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        if name.starts_with('.') || kind.is_symlink() {
            continue;
        }
        if kind.is_dir() {
            if depth < MAX_DEPTH
                && !ignored
                    .iter()
                    .any(|ignore| ignore == &name || ignore == &relative)
            {
                collect(
                    &entry.path(),
                    &relative,
                    depth + 1,
                    ignored,
                    files,
                    yaml,
                    read,
                )?;
            }
        } else if name.ends_with(".bru") {
            if files.len() >= MAX_FILES {
                return Err(refuse(format!(
                    "it has more than {MAX_FILES} .bru files; import a smaller folder"
                )));
            }
            files.push((relative, read(&entry.path())?));
        } else if name.ends_with(".yml") || name.ends_with(".yaml") {
            *yaml += 1;
        }
    }
    Ok(())
}

/// A folder of the collection while it is read.
#[derive(Default)]
struct Folder<'a> {
    /// Its name as shown (its `folder.bru`'s, else the directory's).
    name: String,
    seq: f64,
    bru: Option<&'a Bru>,
    /// Requests: (seq, name, path, file).
    requests: Vec<(f64, String, &'a str, &'a Bru)>,
    folders: BTreeMap<String, Folder<'a>>,
}

/// Reads a Bruno collection from its files: `(path, text)` with paths
/// relative to the collection, `/`-separated (`bruno.json`,
/// `collection.bru`, `accounts/folder.bru`, `accounts/list.bru`,
/// `environments/dev.bru`); files not ending in `.bru` other than
/// `bruno.json` are not read.
pub fn import_files(files: &[(String, String)]) -> Result<Incoming> {
    let config = files
        .iter()
        .find(|(path, _)| path == "bruno.json")
        .ok_or_else(|| refuse("it has no bruno.json: is it a Bruno collection folder?"))?;
    let config: Value = serde_json::from_str(&config.1).map_err(|error| {
        refuse(format!(
            "bruno.json, line {}, column {}: it is not valid JSON",
            error.line(),
            error.column()
        ))
    })?;
    let name = config
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .unwrap_or("Bruno")
        .to_string();
    let mut parsed: Vec<(&str, Bru)> = Vec::new();
    for (path, text) in files {
        if path.ends_with(".bru") {
            let bru = parse(text)
                .map_err(|(line, detail)| refuse(format!("{path}, line {line}: {detail}")))?;
            parsed.push((path.as_str(), bru));
        }
    }
    let mut importer = Importer {
        incoming: Incoming {
            name: name.clone(),
            ..Incoming::default()
        },
        drafts: Drafts::new(&name),
        collection: None,
    };
    let mut root = Folder::default();
    let mut environments = Vec::new();
    for (path, bru) in &parsed {
        match path.rsplit_once('/') {
            None if *path == "collection.bru" => importer.collection = Some(bru),
            Some(("environments", file)) => {
                environments.push((file.trim_end_matches(".bru").to_string(), bru));
            }
            _ => {
                let (dirs, file) = path.rsplit_once('/').unwrap_or(("", path));
                if dirs.split('/').count() > MAX_DEPTH {
                    importer.note(format!(
                        "{path} is nested more than {MAX_DEPTH} folders deep and was not read"
                    ));
                    continue;
                }
                let mut folder = &mut root;
                for dir in dirs.split('/').filter(|dir| !dir.is_empty()) {
                    folder = folder
                        .folders
                        .entry(dir.to_string())
                        .or_insert_with(|| Folder {
                            name: dir.to_string(),
                            seq: f64::MAX,
                            ..Folder::default()
                        });
                }
                if file == "folder.bru" {
                    folder.bru = Some(bru);
                    if let Some(name) = bru.value("meta", "name") {
                        folder.name = name.trim().to_string();
                    }
                    folder.seq = seq(bru);
                } else {
                    let name = bru.value("meta", "name").map_or_else(
                        || file.trim_end_matches(".bru").to_string(),
                        |name| name.trim().to_string(),
                    );
                    folder.requests.push((seq(bru), name, path, bru));
                }
            }
        }
    }
    importer.collection_settings();
    importer.environments(&environments);
    importer.folder(&root, &[], &[]);
    let mut incoming = importer.incoming;
    incoming.credentials = importer.drafts.into_credentials();
    Ok(incoming)
}

fn seq(bru: &Bru) -> f64 {
    bru.value("meta", "seq")
        .and_then(|seq| seq.trim().parse::<f64>().ok())
        .filter(|seq| seq.is_finite())
        .unwrap_or(f64::MAX)
}

struct Importer<'a> {
    incoming: Incoming,
    drafts: Drafts,
    collection: Option<&'a Bru>,
}

/// A request's authentication: its mode, and the file whose `auth:MODE`
/// block has its settings (the request's, or the folder's or collection's
/// it inherits from).
struct AuthFrom<'a> {
    mode: String,
    bru: &'a Bru,
}

impl<'a> Importer<'a> {
    fn note(&mut self, note: String) {
        self.incoming.notes.push(note);
    }

    /// The collection's variables, and what of `collection.bru` is left out.
    fn collection_settings(&mut self) {
        let Some(collection) = self.collection else {
            return;
        };
        let values = pair_values(collection.pairs("vars:pre-request"));
        let kept = keep_values("collection.bru", values, &[], &mut self.incoming.notes);
        self.incoming.variables = kept;
        self.left_out_of(collection, "collection.bru", false);
    }

    fn environments(&mut self, environments: &[(String, &Bru)]) {
        for (name, bru) in environments {
            let secrets: Vec<String> = bru
                .pairs("vars:secret")
                .iter()
                .map(|pair| pair.key.clone())
                .collect();
            let place = format!("environment \"{}\"", name.escape_debug());
            let values = pair_values(bru.pairs("vars"));
            let kept = keep_values(&place, values, &secrets, &mut self.incoming.notes);
            self.incoming.environments.push((name.clone(), kept));
        }
    }

    /// Scripts and tests of a request, a folder or the collection, named;
    /// a folder's or the collection's post-response variables too.
    fn left_out_of(&mut self, bru: &Bru, what: &str, request: bool) {
        let scripts: Vec<&str> = [
            ("script:pre-request", "pre-request script"),
            ("script:post-response", "post-response script"),
            ("tests", "tests"),
        ]
        .into_iter()
        .filter(|(name, _)| bru.text(name).is_some_and(|text| !text.trim().is_empty()))
        .map(|(_, words)| words)
        .collect();
        if !scripts.is_empty() {
            self.note(format!(
                "{what}: left out its {} (JavaScript), which Callout Lab does not run; state \
                 what a response must hold as [[assert]] tables and hand values on with \
                 [[extract]]",
                scripts.join(" and ")
            ));
        }
        if !request && !bru.pairs("vars:post-response").is_empty() {
            self.note(format!(
                "{what}: its post-response variables were not imported; give each request that \
                 sets one an [[extract]]"
            ));
        }
    }

    /// The requests of `folder` (by seq, then name), then its folders.
    fn folder(&mut self, folder: &Folder<'a>, names: &[String], chain: &[&'a Bru]) {
        let mut requests: Vec<&(f64, String, &str, &Bru)> = folder.requests.iter().collect();
        requests.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        for (_, name, path, bru) in requests {
            self.request(name, path, bru, names, chain);
        }
        let mut folders: Vec<&Folder> = folder.folders.values().collect();
        folders.sort_by(|a, b| a.seq.total_cmp(&b.seq).then_with(|| a.name.cmp(&b.name)));
        for inner in folders {
            let mut names = names.to_vec();
            names.push(inner.name.clone());
            let mut chain = chain.to_vec();
            if let Some(bru) = inner.bru {
                chain.push(bru);
                let what = format!("folder \"{}\"", names.join(" / ").escape_debug());
                self.left_out_of(bru, &what, false);
                let variables: Vec<String> = bru
                    .pairs("vars:pre-request")
                    .iter()
                    .map(|pair| pair.key.clone())
                    .collect();
                if !variables.is_empty() {
                    self.note(format!(
                        "{what}: its variables ({}) were not imported; add them to \
                         collection.toml or an environment",
                        variables.join(", ")
                    ));
                }
            }
            self.folder(inner, &names, &chain);
        }
    }

    fn request(
        &mut self,
        name: &str,
        path: &str,
        bru: &Bru,
        folders: &[String],
        chain: &[&'a Bru],
    ) {
        let quoted = format!("\"{}\" ({path})", name.escape_debug());
        let kind = bru.value("meta", "type").unwrap_or("http").trim();
        let method = bru
            .blocks
            .iter()
            .find(|block| METHODS.contains(&block.name.as_str()));
        let Some(method) = method.filter(|_| matches!(kind, "http" | "graphql")) else {
            self.note(format!(
                "{quoted} was not imported: it is not an HTTP request ({kind})",
            ));
            return;
        };
        let setting = |key: &str| -> Option<String> {
            let Content::Pairs(pairs) = &method.content else {
                return None;
            };
            pairs
                .iter()
                .find(|pair| pair.enabled && pair.key == key)
                .map(|pair| pair.value.trim().to_string())
                .filter(|value| !value.is_empty())
        };
        let mut url = setting("url").unwrap_or_default();
        for param in bru.pairs("params:path") {
            if !param.value.is_empty() {
                url = fill_path_parameter(&url, &param.key, &param.value);
            }
        }
        let mut query = bru.pairs("params:query");
        query.extend(bru.pairs("query"));
        let present: Vec<String> = url
            .split_once('?')
            .map(|(_, query)| {
                query
                    .split('&')
                    .map(|pair| pair.split('=').next().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default();
        let missing: Vec<(String, String)> = query
            .into_iter()
            .filter(|param| !present.contains(&param.key))
            .map(|param| (param.key.clone(), param.value.clone()))
            .collect();
        append_query(&mut url, &missing);

        let mut headers: Vec<Header> = Vec::new();
        let sources = std::iter::once(bru)
            .chain(chain.iter().rev().copied())
            .chain(self.collection);
        for source in sources {
            for pair in source.pairs("headers") {
                if !headers
                    .iter()
                    .any(|header| header.name.eq_ignore_ascii_case(&pair.key))
                {
                    headers.push(Header::new(pair.key.clone(), pair.value.clone()));
                }
            }
        }
        let draft = Draft {
            method: method.name.to_ascii_uppercase(),
            url,
            headers,
            body: None,
        };
        let left_out = |reason: String| format!("{quoted} was not imported: {reason}");
        if draft.url.is_empty() {
            self.note(left_out("it has no URL".into()));
            return;
        }
        let checked = checked_request(name, draft, left_out, |saved| {
            let mode = setting("body").unwrap_or_else(|| {
                if kind == "graphql" {
                    "graphql".into()
                } else {
                    "none".into()
                }
            });
            self.body(saved, bru, &mode, &quoted);
            let auth = setting("auth").unwrap_or_else(|| "none".into());
            let from = if auth == "inherit" {
                self.inherited_auth(chain)
            } else {
                Some(AuthFrom { mode: auth, bru })
            };
            if let Some(from) = from {
                self.auth(saved, &from, &quoted);
            }
            self.assertions(saved, bru, &quoted);
            self.extractions(saved, bru, &quoted);
            let variables: Vec<String> = bru
                .pairs("vars:pre-request")
                .iter()
                .map(|pair| pair.key.clone())
                .collect();
            if !variables.is_empty() {
                self.note(format!(
                    "{quoted}: its request variables ({}) were not imported; add them to \
                     collection.toml or an environment",
                    variables.join(", ")
                ));
            }
            self.left_out_of(bru, &quoted, true);
        });
        match checked {
            Ok(request) => self.incoming.requests.push(IncomingRequest {
                folders: folders.to_vec(),
                request,
            }),
            Err(note) => self.note(note),
        }
    }

    /// The authentication an `inherit` request gets: its nearest folder's
    /// that says a mode other than `inherit`, else the collection's.
    fn inherited_auth(&self, chain: &[&'a Bru]) -> Option<AuthFrom<'a>> {
        chain
            .iter()
            .rev()
            .copied()
            .chain(self.collection)
            .find_map(|bru| {
                let mode = bru.value("auth", "mode")?.trim();
                (mode != "inherit").then(|| AuthFrom {
                    mode: mode.to_string(),
                    bru,
                })
            })
    }

    fn body(&mut self, saved: &mut SavedRequest, bru: &Bru, mode: &str, quoted: &str) {
        let (text, kind, content_type) = match mode {
            "none" | "" => return,
            "json" => (
                bru.text("body:json").or(bru.text("body")),
                BodyKind::Json,
                "application/json",
            ),
            "xml" => (bru.text("body:xml"), BodyKind::Xml, "application/xml"),
            "text" => (bru.text("body:text"), BodyKind::Text, "text/plain"),
            "sparql" => (
                bru.text("body:sparql"),
                BodyKind::Text,
                "application/sparql-query",
            ),
            "formUrlEncoded" => {
                let pairs: Vec<(String, String)> = bru
                    .pairs("body:form-urlencoded")
                    .into_iter()
                    .map(|pair| (pair.key.clone(), pair.value.clone()))
                    .collect();
                saved.body = Some(form_urlencoded(&pairs));
                saved.body_kind = BodyKind::Text;
                content_type_unless_given(saved, "application/x-www-form-urlencoded");
                return;
            }
            "graphql" => {
                let query = bru.text("body:graphql").unwrap_or("");
                let variables = bru
                    .text("body:graphql:vars")
                    .map(str::trim)
                    .filter(|vars| !vars.is_empty())
                    .unwrap_or("null");
                saved.body = Some(format!(
                    "{{\"query\": {}, \"variables\": {variables}}}",
                    Value::String(query.to_string())
                ));
                saved.body_kind = BodyKind::Json;
                content_type_unless_given(saved, "application/json");
                return;
            }
            other => {
                self.note(format!(
                    "{quoted}: its {} body was not imported; Callout Lab sends JSON, XML, text \
                     and form-urlencoded bodies",
                    match other {
                        "multipartForm" => "multipart form",
                        "file" => "file",
                        other => other,
                    }
                    .escape_debug()
                ));
                return;
            }
        };
        let Some(text) = text.filter(|text| !text.trim().is_empty()) else {
            return;
        };
        saved.body = Some(text.to_string());
        saved.body_kind = kind;
        content_type_unless_given(saved, content_type);
    }

    fn auth(&mut self, saved: &mut SavedRequest, from: &AuthFrom, quoted: &str) {
        let bru = from.bru;
        let block = format!("auth:{}", from.mode);
        let get = |key: &str| bru.value(&block, key).map(|value| value.trim().to_string());
        let notes = &mut self.incoming.notes;
        match from.mode.as_str() {
            "none" => {}
            "bearer" => {
                let token = get("token").unwrap_or_default();
                token_header(
                    saved,
                    "Authorization",
                    "Bearer",
                    &token,
                    "bearer token",
                    quoted,
                    notes,
                );
            }
            "apikey" => {
                let key = get("key").unwrap_or_default();
                let value = get("value").unwrap_or_default();
                let placement = get("placement").unwrap_or_else(|| "header".into());
                if placement == "queryparams" && !key.is_empty() && variable_only(&value).is_some()
                {
                    append_query(&mut saved.url, &[(key, value.clone())]);
                    notes.push(format!(
                        "{quoted}: its API key comes from {value}; give it with `callout env set \
                         {} --secret`",
                        variable_only(&value).unwrap_or("NAME")
                    ));
                } else if placement == "header" && !key.is_empty() {
                    token_header(saved, &key, "", &value, "API key", quoted, notes);
                } else {
                    notes.push(format!(
                        "{quoted}: its API key authentication was not imported (the key is a \
                         secret); send it from a secret variable"
                    ));
                }
            }
            "oauth2" => {
                let grant = get("grant_type").unwrap_or_default();
                let mut settings = OAuthSettings::for_grant(&grant, quoted);
                settings.token_url = get("access_token_url");
                settings.auth_url = get("authorization_url");
                settings.client_id = get("client_id");
                settings.scope = get("scope");
                settings.username = get("username");
                if get("credentials_placement").as_deref() == Some("body") {
                    settings.client_auth = ClientAuth::Body;
                }
                if settings.protocol == AuthProtocol::AuthorizationCode
                    && grant == "authorization_code"
                    && get("pkce").as_deref() != Some("true")
                {
                    settings.notes.push(
                        "Bruno had PKCE off; Callout Lab always uses PKCE with the authorization \
                         code flow"
                            .into(),
                    );
                }
                for (key, words) in [
                    ("client_secret", "the client secret"),
                    ("password", "the password"),
                ] {
                    if get(key).is_some() {
                        settings.left_out.push(words);
                    }
                }
                let variables = &self.incoming.variables;
                let environments = &self.incoming.environments;
                let lookup = |name: &str| {
                    variables.get(name).cloned().or_else(|| {
                        environments
                            .iter()
                            .find_map(|(_, values)| values.get(name).cloned())
                    })
                };
                self.drafts.attach(saved, settings, &lookup, notes);
            }
            "basic" | "digest" | "ntlm" | "wsse" => {
                let user = get("username")
                    .map(|user| format!(" (username {})", user.escape_debug()))
                    .unwrap_or_default();
                notes.push(format!(
                    "{quoted}: its {} authentication{user} was not imported and its password was \
                     left out (a secret); make a credential with `callout credential add --flow \
                     basic` and send the request to callout:NAME",
                    from.mode
                ));
            }
            other => notes.push(format!(
                "{quoted}: its {} authentication was not imported (its secrets were left out); \
                 set it up as a credential",
                other.escape_debug()
            )),
        }
    }

    fn assertions(&mut self, saved: &mut SavedRequest, bru: &Bru, quoted: &str) {
        let mut left = Vec::new();
        for pair in bru.pairs("assert") {
            match assertion(&pair.key, &pair.value) {
                Some(assertion) => saved.assertions.push(assertion),
                None => left.push(format!("`{}: {}`", pair.key, pair.value)),
            }
        }
        if !left.is_empty() {
            self.note(format!(
                "{quoted}: {} {} no equivalent and {} not imported",
                left.join(", "),
                if left.len() == 1 { "has" } else { "have" },
                if left.len() == 1 { "was" } else { "were" }
            ));
        }
    }

    fn extractions(&mut self, saved: &mut SavedRequest, bru: &Bru, quoted: &str) {
        let mut left = Vec::new();
        for pair in bru.pairs("vars:post-response") {
            let variable = pair.key.trim_start_matches('@').to_string();
            let source = pair.value.trim();
            let extraction = match response_part(source) {
                Some(Part::Json(path)) if path != "$" => Some(Extraction {
                    variable,
                    from: ExtractFrom::Json,
                    path,
                }),
                Some(Part::Header(name)) => Some(Extraction {
                    variable,
                    from: ExtractFrom::Header,
                    path: name,
                }),
                _ => None,
            }
            .filter(|extraction| extraction.problem().is_none());
            match extraction {
                Some(extraction) => saved.extract.push(extraction),
                None => left.push(format!("`{}: {}`", pair.key, pair.value)),
            }
        }
        if !left.is_empty() {
            self.note(format!(
                "{quoted}: the post-response variable(s) {} take more than a value of the body \
                 or a header and were not imported",
                left.join(", ")
            ));
        }
    }
}

fn pair_values(pairs: Vec<&Pair>) -> Vec<(String, String)> {
    pairs
        .into_iter()
        .map(|pair| {
            (
                pair.key.trim_start_matches('@').to_string(),
                pair.value.clone(),
            )
        })
        .collect()
}

fn content_type_unless_given(saved: &mut SavedRequest, content_type: &str) {
    if !saved
        .headers
        .iter()
        .any(|header| header.name.eq_ignore_ascii_case("Content-Type"))
    {
        saved
            .headers
            .push(Header::new("Content-Type", content_type));
    }
}

/// `url` with each path segment `:name` replaced by `value`.
fn fill_path_parameter(url: &str, name: &str, value: &str) -> String {
    let (before, after) = match url.find(['?', '#']) {
        Some(at) => url.split_at(at),
        None => (url, ""),
    };
    let placeholder = format!(":{name}");
    let filled: Vec<&str> = before
        .split('/')
        .map(|segment| {
            if segment == placeholder {
                value
            } else {
                segment
            }
        })
        .collect();
    format!("{}{after}", filled.join("/"))
}

/// What a Bruno expression of the response names.
enum Part {
    Status,
    Time,
    /// A JSONPath (`$` for the whole body).
    Json(String),
    Header(String),
}

/// `res.status`, `res.responseTime`, `res.body...`, `res.headers.x` (or
/// `res.headers['x']`) as the part of the response it names.
fn response_part(expression: &str) -> Option<Part> {
    let rest = expression.trim().strip_prefix("res.")?;
    match rest {
        "status" => return Some(Part::Status),
        "responseTime" => return Some(Part::Time),
        _ => {}
    }
    if let Some(path) = rest.strip_prefix("body") {
        if path.is_empty() {
            return Some(Part::Json("$".into()));
        }
        if !path.starts_with(['.', '[']) {
            return None;
        }
        let path = format!("${path}");
        return serde_json_path::JsonPath::parse(&path)
            .is_ok()
            .then_some(Part::Json(path));
    }
    let name = rest.strip_prefix("headers")?;
    let name = name
        .strip_prefix('.')
        .or_else(|| {
            name.strip_prefix('[')
                .and_then(|name| name.strip_suffix(']'))
                .map(|name| name.trim().trim_matches(['\'', '"']))
        })?
        .trim();
    let token = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
    token.then(|| Part::Header(name.to_string()))
}

/// A Bruno assertion (`res.status: eq 200`) as one of ours, when one says
/// the same.
fn assertion(key: &str, expression: &str) -> Option<Assertion> {
    let expression = expression.trim();
    let (operator, operand) = match expression.split_once(char::is_whitespace) {
        Some((operator, operand)) if is_operator(operator) => (operator, operand.trim()),
        None if is_operator(expression) => (expression, ""),
        // No operator: Bruno reads it as `eq`.
        _ => ("eq", expression),
    };
    let operand = unquote(operand);
    let part = response_part(key)?;
    let make = |subject: Subject, path: String, check: Check, value: String| Assertion {
        subject,
        path,
        check,
        value,
    };
    let assertion = match (part, operator) {
        (Part::Status, "eq") => make(Subject::Status, String::new(), Check::Equals, operand),
        (Part::Status, "in") => make(
            Subject::Status,
            String::new(),
            Check::Equals,
            operand
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(',')
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (Part::Time, "lt") => make(Subject::Time, String::new(), Check::LessThan, operand),
        (Part::Time, "lte") => {
            let limit = operand.parse::<u64>().ok()?.checked_add(1)?;
            make(
                Subject::Time,
                String::new(),
                Check::LessThan,
                limit.to_string(),
            )
        }
        (Part::Json(path), operator) if path == "$" => {
            let check = value_check(operator)?;
            make(
                Subject::Body,
                String::new(),
                check,
                pattern(operator, operand),
            )
        }
        (Part::Json(path), operator) => path_assertion(Subject::Json, path, operator, operand)?,
        (Part::Header(name), operator) => path_assertion(Subject::Header, name, operator, operand)?,
        _ => return None,
    };
    assertion.problem().is_none().then_some(assertion)
}

fn path_assertion(
    subject: Subject,
    path: String,
    operator: &str,
    operand: String,
) -> Option<Assertion> {
    let (check, value) = match operator {
        "isDefined" => (Check::Exists, String::new()),
        "isUndefined" => (Check::Absent, String::new()),
        other => (value_check(other)?, pattern(other, operand)),
    };
    Some(Assertion {
        subject,
        path,
        check,
        value,
    })
}

fn value_check(operator: &str) -> Option<Check> {
    Some(match operator {
        "eq" => Check::Equals,
        "contains" => Check::Contains,
        "matches" | "startsWith" | "endsWith" => Check::Matches,
        _ => return None,
    })
}

/// The value of a check: a pattern for `startsWith`/`endsWith`.
fn pattern(operator: &str, operand: String) -> String {
    match operator {
        "startsWith" => format!("^{}", regex::escape(&operand)),
        "endsWith" => format!("{}$", regex::escape(&operand)),
        _ => operand,
    }
}

fn is_operator(word: &str) -> bool {
    matches!(
        word,
        "eq" | "neq"
            | "gt"
            | "gte"
            | "lt"
            | "lte"
            | "in"
            | "notIn"
            | "contains"
            | "notContains"
            | "length"
            | "matches"
            | "notMatches"
            | "startsWith"
            | "endsWith"
            | "between"
            | "isEmpty"
            | "isNotEmpty"
            | "isNull"
            | "isUndefined"
            | "isDefined"
            | "isTruthy"
            | "isFalsy"
            | "isJson"
            | "isNumber"
            | "isString"
            | "isBoolean"
            | "isArray"
    )
}

/// `"Acme"` or `'Acme'` as `Acme`; anything else as it is.
fn unquote(text: &str) -> String {
    for quote in ['"', '\''] {
        if let Some(inner) = text
            .strip_prefix(quote)
            .and_then(|inner| inner.strip_suffix(quote))
        {
            return inner.to_string();
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::collection::Collection;
    use crate::credential::Credential;
    use crate::interop::incoming::tests::{has_note, values};

    /// Every secret the fixture holds: none may come out.
    const SECRETS: [&str; 6] = [
        "bru-l1teral-bearer-t0ken",
        "bru-cl1ent-s3cret",
        "bru-b4sic-passw0rd",
        "bru-passw0rd",
        "bru-l0gin-s3cret",
        "bru-pr0d-ap1-t0ken",
    ];

    fn fixture() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bruno")
    }

    /// The fixture's files as `import_files` takes them.
    fn fixture_files() -> Vec<(String, String)> {
        let mut files = Vec::new();
        fn walk(dir: &Path, prefix: &str, files: &mut Vec<(String, String)>) {
            let mut entries: Vec<_> = std::fs::read_dir(dir)
                .unwrap()
                .map(|entry| entry.unwrap())
                .collect();
            entries.sort_by_key(|entry| entry.file_name());
            for entry in entries {
                let name = entry.file_name().to_string_lossy().into_owned();
                let relative = if prefix.is_empty() {
                    name
                } else {
                    format!("{prefix}/{name}")
                };
                if entry.path().is_dir() {
                    walk(&entry.path(), &relative, files);
                } else {
                    files.push((relative, std::fs::read_to_string(entry.path()).unwrap()));
                }
            }
        }
        walk(&fixture(), "", &mut files);
        files
    }

    fn request<'a>(incoming: &'a Incoming, name: &str) -> &'a IncomingRequest {
        incoming
            .requests
            .iter()
            .find(|request| request.request.name == name)
            .unwrap_or_else(|| panic!("no request {name}"))
    }

    fn credential<'a>(incoming: &'a Incoming, name: &str) -> &'a Credential {
        incoming
            .credentials
            .iter()
            .find(|credential| credential.name == name)
            .unwrap_or_else(|| panic!("no credential {name} in {:?}", incoming.credentials))
    }

    #[test]
    fn a_collection_folder_comes_in_with_folders_requests_and_environments() {
        let incoming = import_dir(&fixture()).unwrap();
        assert_eq!(incoming.name, "Acme Bruno");
        let order: Vec<(&str, Vec<&str>)> = incoming
            .requests
            .iter()
            .map(|request| {
                (
                    request.request.name.as_str(),
                    request.folders.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                ("Log in", vec![]),
                ("List accounts", vec!["Accounts"]),
                ("Create account", vec!["Accounts"]),
                ("Get account", vec!["Accounts"]),
                ("Query accounts (SOAP)", vec!["SOAP calls"]),
            ]
        );
        assert_eq!(
            incoming.variables,
            values(&[
                ("apiVersion", "59.0"),
                ("baseUrl", "https://api.acme.example"),
                ("soqlAll", "SELECT Id, Name\nFROM Account"),
            ])
        );
        assert_eq!(
            incoming.environments,
            [
                (
                    "dev".to_string(),
                    values(&[
                        ("baseUrl", "https://dev.acme.example"),
                        ("loginUrl", "https://login.acme.example"),
                    ])
                ),
                (
                    "prod".to_string(),
                    values(&[
                        ("baseUrl", "https://api.acme.example"),
                        ("loginUrl", "https://login.acme.example"),
                    ])
                ),
            ]
        );
        assert!(has_note(
            &incoming,
            &[
                "environment \"dev\"",
                "accessToken, sessionId were left out",
                "--env \"dev\""
            ]
        ));
        assert!(has_note(
            &incoming,
            &["environment \"prod\"", "apiToken, sessionId were left out"]
        ));
        assert!(has_note(&incoming, &["folder \"Accounts\"", "pageSize"]));
    }

    #[test]
    fn oauth2_blocks_become_drafts_with_their_secrets_named() {
        let incoming = import_dir(&fixture()).unwrap();
        // The request's own block: the password grant, its endpoint from
        // the collection's variables, its token URL from an environment's.
        let login = &request(&incoming, "Log in").request;
        assert_eq!(login.url, "callout:Acme_Bruno/login");
        let password = credential(&incoming, "Acme_Bruno");
        assert_eq!(password.protocol, AuthProtocol::Password);
        assert_eq!(password.endpoint, "https://api.acme.example");
        assert_eq!(
            password.token_url.as_deref(),
            Some("https://login.acme.example/services/oauth2/token")
        );
        assert_eq!(password.client_id.as_deref(), Some("acme-integration"));
        assert_eq!(password.scopes, ["api"]);
        password.validate().unwrap();
        assert!(has_note(
            &incoming,
            &[
                "credential Acme_Bruno:",
                "the client secret and the password were left out",
                "--username integration@acme.example"
            ]
        ));
        assert_eq!(
            login.body.as_deref(),
            Some("username=integration@acme.example&returnTo=/home?tab=1%26x=2")
        );
        assert_eq!(
            crate::http::header_value(&login.headers, "Content-Type"),
            Some("application/x-www-form-urlencoded")
        );

        // `auth: inherit` through the folder to the collection's block.
        let list = &request(&incoming, "List accounts").request;
        assert_eq!(
            list.url,
            "callout:Acme_Bruno_2/services/data/v{{apiVersion}}/query?q=SELECT+Id,Name+FROM+Account"
        );
        let code = credential(&incoming, "Acme_Bruno_2");
        assert_eq!(code.protocol, AuthProtocol::AuthorizationCode);
        assert_eq!(code.client_auth, ClientAuth::Body);
        assert_eq!(
            code.auth_url.as_deref(),
            Some("https://login.acme.example/services/oauth2/authorize")
        );
        assert_eq!(code.scopes, ["api", "refresh_token"]);
        code.validate().unwrap();
        assert_eq!(incoming.credentials.len(), 2);
        assert!(has_note(
            &incoming,
            &["credential Acme_Bruno_2:", "the client secret was left out"]
        ));
    }

    #[test]
    fn requests_keep_their_headers_bodies_assertions_and_extractions() {
        let incoming = import_dir(&fixture()).unwrap();
        let list = &request(&incoming, "List accounts").request;
        assert_eq!(
            list.headers,
            [
                Header::new("Accept", "application/json"),
                Header::new("X-Collection", "acme"),
            ]
        );
        let assertion = |subject, path: &str, check, value: &str| Assertion {
            subject,
            path: path.into(),
            check,
            value: value.into(),
        };
        assert_eq!(
            list.assertions,
            [
                assertion(Subject::Status, "", Check::Equals, "200"),
                assertion(Subject::Json, "$.records[0].Name", Check::Equals, "Acme"),
                assertion(Subject::Header, "content-type", Check::Contains, "json"),
                assertion(Subject::Time, "", Check::LessThan, "2000"),
                assertion(Subject::Json, "$.done", Check::Exists, ""),
            ]
        );
        assert!(has_note(
            &incoming,
            &["`res.body.totalSize: gt 0` has no equivalent"]
        ));
        assert_eq!(
            list.extract,
            [Extraction {
                variable: "accountId".into(),
                from: ExtractFrom::Json,
                path: "$.records[0].Id".into(),
            }]
        );
        assert!(has_note(
            &incoming,
            &["`total: res.body.records.length * 2`"]
        ));
        assert!(has_note(
            &incoming,
            &["\"List accounts\"", "left out its tests (JavaScript)"]
        ));

        let create = &request(&incoming, "Create account").request;
        assert_eq!(create.body_kind, BodyKind::Json);
        assert_eq!(
            create.body.as_deref(),
            Some("{\n  \"Name\": \"{{accountName}}\",\n  \"Industry\": \"Manufacturing\"\n}")
        );
        assert_eq!(
            create.headers,
            [
                Header::new("X-Collection", "acme"),
                Header::new("Content-Type", "application/json"),
                Header::new("Authorization", "Bearer {{accessToken}}"),
            ]
        );
        assert!(has_note(&incoming, &["\"Create account\"", "accountName"]));
        assert!(has_note(
            &incoming,
            &["\"Create account\"", "left out its pre-request script"]
        ));

        let get = &request(&incoming, "Get account").request;
        assert_eq!(
            get.url,
            "{{baseUrl}}/services/data/v{{apiVersion}}/sobjects/Account/001xx000003DGb2AAG"
        );
        assert!(has_note(
            &incoming,
            &[
                "\"Get account\"",
                "basic authentication (username integration@acme.example)"
            ]
        ));

        let soap = &request(&incoming, "Query accounts (SOAP)").request;
        assert_eq!(soap.url, "{{baseUrl}}/services/Soap/u/{{apiVersion}}");
        assert_eq!(soap.body_kind, BodyKind::Xml);
        let envelope = soap.body.as_deref().unwrap();
        assert!(
            envelope.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope")
        );
        assert!(envelope.contains("\n  <soapenv:Header>\n    <urn:SessionHeader>\n"));
        assert!(envelope.ends_with("</soapenv:Envelope>"));
        assert_eq!(
            soap.headers,
            [
                Header::new("Content-Type", "text/xml; charset=UTF-8"),
                Header::new("SOAPAction", "\"\""),
                Header::new("X-Soap-Client", "callout"),
                Header::new("X-Collection", "acme"),
            ]
        );
        assert!(has_note(
            &incoming,
            &[
                "\"Query accounts (SOAP)\"",
                "its bearer token was left out (a secret)"
            ]
        ));
        assert_eq!(
            soap.assertions,
            [
                assertion(Subject::Status, "", Check::Equals, "200"),
                assertion(Subject::Body, "", Check::Contains, "<done>true</done>"),
            ]
        );
    }

    #[test]
    fn no_secret_reaches_the_result_nor_the_collection_written() {
        let incoming = import_dir(&fixture()).unwrap();
        let shown = format!("{incoming:?}");
        let parent = tempfile::tempdir().unwrap();
        let written = super::super::incoming::write(parent.path(), &incoming).unwrap();
        let mut texts = vec![shown];
        let mut stack = vec![PathBuf::from(&written.root)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    texts.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        let fixture: String = fixture_files().into_iter().map(|(_, text)| text).collect();
        for secret in SECRETS {
            assert!(fixture.contains(secret), "the fixture holds {secret}");
            for text in &texts {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
        }
    }

    #[test]
    fn every_request_saves_as_a_collection() {
        let incoming = import_dir(&fixture()).unwrap();
        let parent = tempfile::tempdir().unwrap();
        let written = super::super::incoming::write(parent.path(), &incoming).unwrap();
        let opened = Collection::open(Path::new(&written.root)).unwrap();
        assert!(opened.unreadable().is_empty(), "{:?}", opened.unreadable());
        assert_eq!(opened.requests().len(), incoming.requests.len());
        assert_eq!(opened.variables, incoming.variables);
        assert_eq!(opened.environments().unwrap(), ["dev", "prod"]);
        for file in opened.requests() {
            let own = &request(&incoming, &file.request.name).request;
            assert_eq!(file.request.url, own.url);
            assert_eq!(file.request.body, own.body);
            assert_eq!(file.request.headers, own.headers);
            assert_eq!(file.request.assertions, own.assertions);
            assert_eq!(file.request.extract, own.extract);
        }
        assert_eq!(
            import_files(&fixture_files()).unwrap(),
            incoming,
            "reading the folder is reading its files"
        );
    }

    #[test]
    fn bru_files_read_as_blocks() {
        let text = "meta {\n  name: A: B\n  seq: 2\n}\n\nheaders {\n  ~X-Off: 1\n  Accept: */*\n}\r\n\
                    body:json {\n\n  {\n    \"a\": \"}\"\n  }\n}\n\
                    docs {\n  '''not a value'''\n}\n\
                    vars:pre-request {\n  sql: '''\n    SELECT Id\n      FROM Account\n  '''\n  one: '''x'''\n}\n\
                    vars:secret [\n  a,\n  ~b, c\n]\n\
                    example {\n  name: nested\n  request: {\n    url: x\n  }\n}\n\
                    empty {}\n";
        let bru = parse_bru(text).unwrap();
        let names: Vec<&str> = bru.blocks.iter().map(|block| block.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "meta",
                "headers",
                "body:json",
                "docs",
                "vars:pre-request",
                "vars:secret",
                "example",
                "empty"
            ]
        );
        assert_eq!(bru.value("meta", "name"), Some("A: B"));
        let headers = match &bru.blocks[1].content {
            Content::Pairs(pairs) => pairs.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(headers[0].key, "X-Off");
        assert!(!headers[0].enabled);
        assert_eq!(headers[1].line, 8);
        assert_eq!(bru.pairs("headers").len(), 1);
        assert_eq!(bru.text("body:json"), Some("{\n  \"a\": \"}\"\n}"));
        assert_eq!(bru.text("docs"), Some("'''not a value'''"));
        assert_eq!(
            bru.value("vars:pre-request", "sql"),
            Some("SELECT Id\n  FROM Account")
        );
        assert_eq!(bru.value("vars:pre-request", "one"), Some("x"));
        let secret: Vec<&str> = bru
            .pairs("vars:secret")
            .iter()
            .map(|pair| pair.key.as_str())
            .collect();
        assert_eq!(secret, ["a", "c"]);
        assert_eq!(
            bru.text("example"),
            Some("name: nested\nrequest: {\n  url: x\n}")
        );
        assert_eq!(bru.text("empty"), Some(""));
    }

    #[test]
    fn broken_bru_files_are_refused_at_their_line() {
        let cases = [
            (
                "meta {\n  name: x\n",
                "line 1: block `meta` is never closed",
            ),
            (
                "meta {\n  name x\n}\n",
                "line 2: expected `name: value` in block `meta`, found \"name x\"",
            ),
            (
                "meta {\n  : x\n}\n",
                "line 2: a line of block `meta` has no name before `:`",
            ),
            (
                "meta {\n  name: x\n} trailing\n",
                "line 3: nothing may follow the `}` that closes `meta`",
            ),
            (
                "\n\nname: x\n",
                "line 3: expected a block such as `meta {`, found \"name: x\"",
            ),
            (
                "get { url: x }\n",
                "line 1: nothing may follow `get {` on its line",
            ),
            (
                "vars {\n  a: '''\n    text\n}\n",
                "line 2: the ''' text of `a` is never closed",
            ),
            (
                "vars:secret [ a,\n b\n",
                "line 1: the list `vars:secret [` is never closed",
            ),
            (
                "body:json {\n  {}\n",
                "line 1: block `body:json` is never closed",
            ),
            (
                "vars:secret [ a ] b\n",
                "line 1: nothing may follow the `]` that closes `vars:secret`",
            ),
        ];
        for (text, expected) in cases {
            let error = parse_bru(text).unwrap_err().to_string();
            assert!(
                error.starts_with(&format!("cannot import the Bruno file: {expected}")),
                "{text:?}: {error}"
            );
        }
        let mut files = fixture_files();
        files.push((
            "accounts/broken.bru".into(),
            "meta {\n  name: Broken\n\nget {\n".into(),
        ));
        let error = import_files(&files).unwrap_err().to_string();
        assert_eq!(
            error,
            "cannot import the Bruno collection: accounts/broken.bru, line 4: expected `name: \
             value` in block `meta`, found \"get {\""
        );
    }

    #[test]
    fn what_is_not_a_bru_collection_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let error = import_dir(dir.path()).unwrap_err().to_string();
        assert!(error.contains("has no bruno.json"), "{error}");
        std::fs::write(dir.path().join("opencollection.yml"), "info:\n  name: X\n").unwrap();
        let error = import_dir(dir.path()).unwrap_err().to_string();
        assert!(
            error.contains("Bruno's YAML (OpenCollection) format"),
            "{error}"
        );
        let error = import_files(&[("bruno.json".into(), "{\n  \"name\": \n".into())])
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("cannot import the Bruno collection: bruno.json, line 3, column 0"),
            "{error}"
        );
    }

    #[test]
    fn truncated_files_never_panic() {
        let files = fixture_files();
        for (index, (path, text)) in files.iter().enumerate() {
            for cut in 0..=text.len() {
                if !text.is_char_boundary(cut) {
                    continue;
                }
                let _ = parse_bru(&text[..cut]);
                if cut % 5 == 0 {
                    let mut broken = files.clone();
                    broken[index] = (path.clone(), text[..cut].to_string());
                    let _ = import_files(&broken);
                }
            }
        }
    }

    #[test]
    fn bruno_assertions_map_where_ours_say_the_same() {
        let equals = |subject, path: &str, check, value: &str| {
            Some(Assertion {
                subject,
                path: path.into(),
                check,
                value: value.into(),
            })
        };
        let cases = [
            (
                "res.status",
                "eq 201",
                equals(Subject::Status, "", Check::Equals, "201"),
            ),
            (
                "res.status",
                "200",
                equals(Subject::Status, "", Check::Equals, "200"),
            ),
            (
                "res.status",
                "in [200, 201]",
                equals(Subject::Status, "", Check::Equals, "200, 201"),
            ),
            ("res.status", "neq 500", None),
            (
                "res.responseTime",
                "lte 99",
                equals(Subject::Time, "", Check::LessThan, "100"),
            ),
            (
                "res.body.a.b",
                "eq 'x y'",
                equals(Subject::Json, "$.a.b", Check::Equals, "x y"),
            ),
            (
                "res.body[0].id",
                "isUndefined",
                equals(Subject::Json, "$[0].id", Check::Absent, ""),
            ),
            (
                "res.body.name",
                "startsWith A.",
                equals(Subject::Json, "$.name", Check::Matches, "^A\\."),
            ),
            (
                "res.body",
                "matches ^ok",
                equals(Subject::Body, "", Check::Matches, "^ok"),
            ),
            (
                "res.headers['x-id']",
                "isDefined",
                equals(Subject::Header, "x-id", Check::Exists, ""),
            ),
            ("res.headers.x", "matches (", None),
            ("res.body.a b", "eq 1", None),
            ("res.body.items", "length 3", None),
            ("res('x')", "eq 1", None),
            ("req.url", "eq 1", None),
        ];
        for (key, value, expected) in cases {
            assert_eq!(assertion(key, value), expected, "{key}: {value}");
        }
    }

    #[test]
    fn path_parameters_fill_their_segments_only() {
        assert_eq!(
            fill_path_parameter("{{b}}/a/:id/x:id?q=:id", "id", "7"),
            "{{b}}/a/7/x:id?q=:id"
        );
    }
}

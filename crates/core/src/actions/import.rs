//! Bringing work in from elsewhere: the one place the app's Import menu and
//! `callout import ...` end.
//!
//! An import reads what it is given (a file, a folder, a URL, or text the
//! app already read), makes it a collection in a directory of its own (all
//! or nothing, [`incoming::write`]) and adds its credential drafts —
//! definitions only, never a secret: each one it needs is named in the
//! report. Salesforce metadata brings credentials only. A dry run reads
//! and reports the same, and writes nothing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::credential_store::CredentialStore;
use crate::interop::incoming::{self, Incoming, Written};
use crate::interop::{bruno, har, insomnia, openapi, sfdx, wsdl};
use crate::workbench::Workbench;
use crate::{Error, Result};

/// The largest document a URL may answer with (a Salesforce metadata WSDL
/// is about 1 MiB).
pub const MAX_FETCHED_BYTES: usize = 16 * 1024 * 1024;

/// How long fetching a URL may take.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(30);

/// The kinds of work another tool wrote that can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ImportKind {
    /// Salesforce metadata: an SFDX project's Named Credentials, External
    /// Credentials and Auth Providers (a folder).
    Sfdx,
    /// A WSDL 1.1 document.
    Wsdl,
    /// An OpenAPI 3.x or Swagger 2.0 document (JSON or YAML).
    Openapi,
    /// An Insomnia export (v4 JSON or v5 YAML).
    Insomnia,
    /// A Bruno collection (a folder of `.bru` files, or its YAML format).
    Bruno,
    /// A HAR recording (a browser's network log).
    Har,
}

impl ImportKind {
    pub const ALL: [ImportKind; 6] = [
        ImportKind::Sfdx,
        ImportKind::Wsdl,
        ImportKind::Openapi,
        ImportKind::Insomnia,
        ImportKind::Bruno,
        ImportKind::Har,
    ];

    /// What the kind is called in messages.
    pub fn words(self) -> &'static str {
        match self {
            ImportKind::Sfdx => "Salesforce metadata",
            ImportKind::Wsdl => "WSDL",
            ImportKind::Openapi => "OpenAPI document",
            ImportKind::Insomnia => "Insomnia export",
            ImportKind::Bruno => "Bruno collection",
            ImportKind::Har => "HAR recording",
        }
    }

    /// Whether the kind is read from a folder rather than from one file.
    pub fn is_folder(self) -> bool {
        matches!(self, ImportKind::Sfdx | ImportKind::Bruno)
    }
}

/// Where what is imported comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "from")]
#[ts(export)]
pub enum ImportInput {
    /// A file or folder on this machine, or an `http(s)://` URL (for the
    /// kinds read from one file).
    Path { path: String },
    /// A file's text, already read (the app's file picker); `name` is its
    /// file name, for messages and the collection's name.
    Text { name: String, text: String },
    /// A folder's files, already read (the app's folder picker): paths
    /// relative to the folder, `/`-separated, and their text. Bruno only.
    Files {
        name: String,
        files: Vec<(String, String)>,
    },
}

/// Where an imported collection goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Read and report; write nothing.
    pub dry_run: bool,
    /// Make this directory the collection (it must not exist) instead of a
    /// new one in the workbench's collections directory; it is not opened.
    pub into: Option<PathBuf>,
}

/// What an import made, or in a dry run would make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportReport {
    pub kind: ImportKind,
    /// What was read, as given.
    pub source: String,
    /// The collection made (none for Salesforce metadata).
    pub collection: Option<Written>,
    /// The collection was opened in the app.
    pub opened: bool,
    /// Credential drafts added (definitions only).
    pub credentials_added: Vec<String>,
    /// Credentials of the same name that exist already, kept as they are.
    pub credentials_kept: Vec<String>,
    /// Each secret the new credentials need, and how to supply it.
    pub to_supply: Vec<String>,
    /// What was left out or needs doing, one sentence each.
    pub notes: Vec<String>,
    /// Nothing was written.
    pub dry_run: bool,
}

/// Imports `input` as `kind`: a collection (opened in the workbench unless
/// `options.into` names its directory) and its credential drafts, or in a
/// dry run a report of them. `client` fetches a URL (the app's and the
/// CLI's, with their proxies and trust).
pub async fn import(
    workbench: &Workbench,
    store: &CredentialStore,
    client: &reqwest::Client,
    kind: ImportKind,
    input: &ImportInput,
    options: &ImportOptions,
) -> Result<ImportReport> {
    let source = match input {
        ImportInput::Path { path } => path.clone(),
        ImportInput::Text { name, .. } | ImportInput::Files { name, .. } => name.clone(),
    };
    let mut report = ImportReport {
        kind,
        source: source.clone(),
        collection: None,
        opened: false,
        credentials_added: Vec::new(),
        credentials_kept: Vec::new(),
        to_supply: Vec::new(),
        notes: Vec::new(),
        dry_run: options.dry_run,
    };
    if kind == ImportKind::Sfdx {
        let ImportInput::Path { path } = input else {
            return Err(refuse(
                kind,
                "Salesforce metadata is read from a folder on this machine: give its path".into(),
            ));
        };
        let read = sfdx::import(Path::new(path))?;
        report.to_supply = read.to_supply;
        report.notes = read.notes;
        add_credentials(store, &read.credentials, options.dry_run, &mut report)?;
        return Ok(report);
    }
    let incoming = read_incoming(client, kind, input, &source).await?;
    let collection = match (&options.into, options.dry_run) {
        (Some(into), true) => incoming::plan_at(into, &incoming),
        (None, true) => incoming::plan(workbench.collections_dir(), &incoming),
        (Some(into), false) => incoming::write_at(into, &incoming)?,
        (None, false) => {
            let written = incoming::write(workbench.collections_dir(), &incoming)?;
            workbench.open(Path::new(&written.root))?;
            report.opened = true;
            written
        }
    };
    report.notes = incoming.notes.clone();
    add_credentials(store, &incoming.credentials, options.dry_run, &mut report)?;
    report.collection = Some(collection);
    Ok(report)
}

/// Adds the drafts that do not exist yet (in a dry run, only sorts them).
fn add_credentials(
    store: &CredentialStore,
    credentials: &[crate::credential::Credential],
    dry_run: bool,
    report: &mut ImportReport,
) -> Result<()> {
    let (added, kept) = if dry_run {
        incoming::sort_credentials(store, credentials)?
    } else {
        incoming::add_credentials(store, credentials)?
    };
    report.credentials_added = added;
    report.credentials_kept = kept;
    Ok(())
}

/// Reads `input` as `kind` into a collection not written yet.
pub async fn read_incoming(
    client: &reqwest::Client,
    kind: ImportKind,
    input: &ImportInput,
    source: &str,
) -> Result<Incoming> {
    match input {
        ImportInput::Files { files, .. } if kind == ImportKind::Bruno => bruno::import_files(files),
        ImportInput::Files { .. } => Err(refuse(
            kind,
            format!("{} is one file, not a folder: give the file", kind.words()),
        )),
        ImportInput::Text { text, .. } => parse_incoming(kind, text, source),
        ImportInput::Path { path } if is_url(path) => {
            if kind.is_folder() {
                return Err(refuse(
                    kind,
                    format!(
                        "{} is a folder: give its path on this machine, not a URL",
                        kind.words()
                    ),
                ));
            }
            let text = fetch(client, kind, path).await?;
            parse_incoming(kind, &text, source)
        }
        ImportInput::Path { path } => {
            let path = Path::new(path);
            if kind == ImportKind::Bruno {
                return bruno::import_dir(path);
            }
            if path.is_dir() {
                return Err(refuse(
                    kind,
                    format!(
                        "{} is a folder: give the {} file",
                        path.display(),
                        kind.words()
                    ),
                ));
            }
            let text = std::fs::read_to_string(path).map_err(|error| {
                refuse(kind, format!("cannot read {}: {error}", path.display()))
            })?;
            parse_incoming(kind, &text, source)
        }
    }
}

/// The text of a `kind` document read as a collection; `source` names it
/// in messages.
pub fn parse_incoming(kind: ImportKind, text: &str, source: &str) -> Result<Incoming> {
    match kind {
        ImportKind::Openapi => openapi::import(text, source),
        ImportKind::Wsdl => wsdl::import(text, source),
        ImportKind::Insomnia => insomnia::import(text, source),
        ImportKind::Har => har::import(text, source),
        ImportKind::Bruno => bruno::import_files(&[(file_name(source), text.to_string())]),
        ImportKind::Sfdx => Err(refuse(
            kind,
            "Salesforce metadata is read from a folder on this machine: give its path".into(),
        )),
    }
}

fn file_name(source: &str) -> String {
    Path::new(source).file_name().map_or_else(
        || source.to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

fn is_url(text: &str) -> bool {
    let lower = text.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// The text a URL answers with: a 2xx, at most [`MAX_FETCHED_BYTES`], within
/// [`FETCH_TIMEOUT`].
async fn fetch(client: &reqwest::Client, kind: ImportKind, url: &str) -> Result<String> {
    let cannot = |detail: String| refuse(kind, format!("cannot fetch {url}: {detail}"));
    let parsed = url::Url::parse(url.trim()).map_err(|error| cannot(error.to_string()))?;
    let mut response = client
        .get(parsed)
        .timeout(FETCH_TIMEOUT)
        .send()
        .await
        .map_err(|error| cannot(crate::http::describe_transport_error(&error)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(cannot(format!(
            "the server answered HTTP {}",
            status.as_u16()
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| cannot(error.to_string()))?
    {
        if body.len() + chunk.len() > MAX_FETCHED_BYTES {
            return Err(cannot(format!(
                "the answer is larger than {} MiB",
                MAX_FETCHED_BYTES / 1024 / 1024
            )));
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| cannot("the answer is not UTF-8 text".into()))
}

fn refuse(kind: ImportKind, detail: String) -> Error {
    Error::Import {
        what: kind.words(),
        detail,
    }
}

//! What every importer of another tool's work produces — a collection read
//! from an OpenAPI document, a WSDL, an Insomnia or Bruno export, a HAR
//! recording — and the one place it is written to disk as a collection
//! ([`crate::collection`]).
//!
//! An importer only reads: it returns an [`Incoming`] (requests with their
//! folders, variables, environments, credential drafts without secrets, and
//! notes naming what was left out). [`write`] then makes the collection in a
//! directory of its own, all or nothing: it is built in a hidden sibling
//! directory and renamed into place when every file is written, so a
//! failure leaves nothing half-written. A dry run ([`plan`]) says what would
//! be made and writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use crate::collection::{
    self, COLLECTION_FILE, Collection, ENVIRONMENTS_DIR, file_safe, join, slug,
};
use crate::credential::Credential;
use crate::credential_store::CredentialStore;
use crate::http::Draft;
use crate::requests::SavedRequest;
use crate::{Error, Result};

/// A collection read from elsewhere, not written yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Incoming {
    /// The collection's name (its directory's, made file-safe).
    pub name: String,
    /// Its requests in order, each with its folders.
    pub requests: Vec<IncomingRequest>,
    /// The collection's own variables (`collection.toml`).
    pub variables: BTreeMap<String, String>,
    /// Environments by name, with their variables.
    pub environments: Vec<(String, BTreeMap<String, String>)>,
    /// Credential definitions the source describes, without secrets.
    pub credentials: Vec<Credential>,
    /// What was left out or needs doing, one sentence each.
    pub notes: Vec<String>,
}

/// One request and the folders it is in, outermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingRequest {
    pub folders: Vec<String>,
    pub request: SavedRequest,
}

/// What an import made (or, in a dry run, would make).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Written {
    /// The collection's name.
    pub name: String,
    /// Its directory.
    pub root: String,
    /// Each request's file path below the root, in order.
    pub files: Vec<String>,
    /// The environments' names.
    pub environments: Vec<String>,
    /// Credential drafts the source describes (their names).
    pub credentials: Vec<String>,
    pub notes: Vec<String>,
    /// Nothing was written.
    pub dry_run: bool,
}

impl Incoming {
    /// A request's file path for each request, in order: its folders made
    /// file-safe, its name as a slug, numbered when two would collide.
    pub fn paths(&self) -> Vec<String> {
        let mut taken: BTreeSet<String> = BTreeSet::new();
        self.requests
            .iter()
            .map(|incoming| {
                let folder: Vec<String> = incoming
                    .folders
                    .iter()
                    .map(|name| file_safe(name))
                    .collect();
                let folder = folder.join("/");
                let stem = slug(&incoming.request.name);
                let mut path = join(&folder, &format!("{stem}.toml"));
                let mut number = 2;
                while !taken.insert(path.to_ascii_lowercase()) {
                    path = join(&folder, &format!("{stem}-{number}.toml"));
                    number += 1;
                }
                path
            })
            .collect()
    }
}

/// A request an importer read, as it comes in: `draft` named `name`, when
/// [`check_request`](super::check_request) accepts it; then `complete` adds
/// what the importer reads after that check (a body, its kind, auth), and the
/// request must be one that can be saved ([`SavedRequest::validate`]).
/// Refused, the error is the note `left_out` makes of the reason, in the
/// importer's words (naming the format and where the request stood).
pub(crate) fn checked_request(
    name: &str,
    draft: Draft,
    left_out: impl Fn(String) -> String,
    complete: impl FnOnce(&mut SavedRequest),
) -> std::result::Result<SavedRequest, String> {
    let mut request = SavedRequest::from_draft("", name, draft);
    super::check_request(&request.method, &request.url, &request.headers).map_err(&left_out)?;
    complete(&mut request);
    request
        .validate()
        .map_err(|error| left_out(error.to_string()))?;
    Ok(request)
}

/// What [`write`] would make of `incoming` in a new directory of `parent`.
pub fn plan(parent: &Path, incoming: &Incoming) -> Written {
    let root = collection::free_dir(parent, &incoming.name);
    written(incoming, &root, true)
}

/// Makes `incoming` a collection in a new directory of `parent`, named
/// after it (numbered when the name is taken), all or nothing.
pub fn write(parent: &Path, incoming: &Incoming) -> Result<Written> {
    let root = collection::free_dir(parent, &incoming.name);
    write_at(&root, incoming)
}

/// Makes `incoming` a collection at `root`, which must not exist, all or
/// nothing.
pub fn write_at(root: &Path, incoming: &Incoming) -> Result<Written> {
    if root.exists() {
        return Err(Error::Storage {
            action: "import into",
            path: root.display().to_string(),
            detail: "it exists already; choose a new directory".into(),
        });
    }
    let parent = root.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|error| Error::Storage {
        action: "create",
        path: parent.display().to_string(),
        detail: error.to_string(),
    })?;
    let staging = staging_dir(root);
    let built = build(&staging, incoming);
    let moved = built.and_then(|()| {
        std::fs::rename(&staging, root).map_err(|error| Error::Storage {
            action: "move the imported collection to",
            path: root.display().to_string(),
            detail: error.to_string(),
        })
    });
    if let Err(error) = moved {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(error);
    }
    Ok(written(incoming, root, false))
}

/// What [`write_at`] would make of `incoming` at `root`.
pub fn plan_at(root: &Path, incoming: &Incoming) -> Written {
    written(incoming, root, true)
}

/// The credential drafts [`add_credentials`] would add, and those it would
/// keep as they are (one of the same name exists).
pub fn sort_credentials(
    store: &CredentialStore,
    credentials: &[Credential],
) -> Result<(Vec<String>, Vec<String>)> {
    let known = store.load()?;
    let (mut added, mut kept) = (Vec::new(), Vec::new());
    for credential in credentials {
        if known.get(&credential.name).is_ok() || added.contains(&credential.name) {
            kept.push(credential.name.clone());
        } else {
            added.push(credential.name.clone());
        }
    }
    Ok((added, kept))
}

/// Adds the credential drafts of an import (definitions only, no secret)
/// that do not exist yet; one of the same name is left as it is. Returns
/// the names added and the names kept.
pub fn add_credentials(
    store: &CredentialStore,
    credentials: &[Credential],
) -> Result<(Vec<String>, Vec<String>)> {
    let (added, kept) = sort_credentials(store, credentials)?;
    for name in &added {
        if let Some(credential) = credentials
            .iter()
            .find(|credential| &credential.name == name)
        {
            store.add(credential.clone())?;
        }
    }
    Ok((added, kept))
}

/// A hidden sibling of `root` to build in.
fn staging_dir(root: &Path) -> PathBuf {
    let name = root
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "collection".into());
    root.with_file_name(format!(".{name}.importing-{}", std::process::id()))
}

fn build(dir: &Path, incoming: &Incoming) -> Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    Collection::create(dir, &incoming.name)?;
    collection::write_variables(&dir.join(COLLECTION_FILE), &incoming.variables)?;
    for (name, variables) in &incoming.environments {
        collection::write_variables(
            &dir.join(ENVIRONMENTS_DIR)
                .join(format!("{}.toml", file_safe(name))),
            variables,
        )?;
    }
    let mut seq_in_folder: BTreeMap<String, i64> = BTreeMap::new();
    for (incoming, path) in incoming.requests.iter().zip(incoming.paths()) {
        let folder = path.rsplit_once('/').map_or("", |(folder, _)| folder);
        let seq = seq_in_folder.entry(folder.to_string()).or_insert(0);
        *seq += 1;
        collection::save_new_request(dir, &path, &incoming.request, *seq)?;
    }
    Ok(())
}

fn written(incoming: &Incoming, root: &Path, dry_run: bool) -> Written {
    Written {
        name: incoming.name.clone(),
        root: root.display().to_string(),
        files: incoming.paths(),
        environments: incoming
            .environments
            .iter()
            .map(|(name, _)| file_safe(name))
            .collect(),
        credentials: incoming
            .credentials
            .iter()
            .map(|credential| credential.name.clone())
            .collect(),
        notes: incoming.notes.clone(),
        dry_run,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Whether one of the notes holds all of `words`.
    pub(crate) fn has_note(incoming: &Incoming, words: &[&str]) -> bool {
        incoming
            .notes
            .iter()
            .any(|note| words.iter().all(|word| note.contains(word)))
    }

    /// A request's headers as name and value pairs.
    pub(crate) fn headers(request: &SavedRequest) -> Vec<(&str, &str)> {
        request
            .headers
            .iter()
            .map(|header| (header.name.as_str(), header.value.as_str()))
            .collect()
    }

    /// Variables as a collection or an environment holds them.
    pub(crate) fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    fn request(name: &str, url: &str) -> SavedRequest {
        SavedRequest::from_draft("", name, Draft::new("GET", url))
    }

    fn incoming() -> Incoming {
        Incoming {
            name: "Orders API".into(),
            requests: vec![
                IncomingRequest {
                    folders: vec!["orders".into()],
                    request: request("List orders", "{{baseUrl}}/orders"),
                },
                IncomingRequest {
                    folders: vec!["orders".into()],
                    request: request("List orders", "{{baseUrl}}/orders?page=2"),
                },
                IncomingRequest {
                    folders: Vec::new(),
                    request: request("Health", "{{baseUrl}}/health"),
                },
            ],
            variables: BTreeMap::from([("baseUrl".into(), "https://api.example.com".into())]),
            environments: vec![(
                "staging".into(),
                BTreeMap::from([("baseUrl".into(), "https://staging.example.com".into())]),
            )],
            credentials: Vec::new(),
            notes: vec!["the API key was left out".into()],
        }
    }

    #[test]
    fn a_dry_run_names_every_file_and_writes_nothing() {
        let parent = tempfile::tempdir().unwrap();
        let planned = plan(parent.path(), &incoming());
        assert!(planned.dry_run);
        assert_eq!(
            planned.files,
            [
                "orders/list-orders.toml",
                "orders/list-orders-2.toml",
                "health.toml"
            ]
        );
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 0);
    }

    #[test]
    fn an_import_is_a_collection_with_its_folders_variables_and_environments() {
        let parent = tempfile::tempdir().unwrap();
        let made = write(parent.path(), &incoming()).unwrap();
        let opened = Collection::open(Path::new(&made.root)).unwrap();
        assert_eq!(opened.name, "Orders API");
        assert_eq!(opened.variables["baseUrl"], "https://api.example.com");
        assert_eq!(opened.environments().unwrap(), ["staging"]);
        let names: Vec<String> = opened
            .requests()
            .iter()
            .map(|file| file.named_path())
            .collect();
        assert_eq!(
            names,
            ["orders/List orders", "orders/List orders", "Health"]
        );
        // A second import beside it gets a directory of its own.
        let again = write(parent.path(), &incoming()).unwrap();
        assert_ne!(again.root, made.root);
    }

    #[test]
    fn a_failed_import_leaves_nothing_behind() {
        let parent = tempfile::tempdir().unwrap();
        let mut broken = incoming();
        // A request without a URL cannot be saved: the whole import fails.
        broken.requests.push(IncomingRequest {
            folders: Vec::new(),
            request: request("No URL", ""),
        });
        let error = write(parent.path(), &broken).unwrap_err().to_string();
        assert!(error.contains("needs a URL"), "{error}");
        assert_eq!(
            std::fs::read_dir(parent.path()).unwrap().count(),
            0,
            "neither the collection nor its staging directory is left"
        );
    }
}

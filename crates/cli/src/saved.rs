//! A saved request as the CLI names it: "Collection/Folder/Request" among
//! the workbench's open collections (the ones the app shows), or
//! "Folder/Request" in the collection of `--collection DIR` (or of the
//! current directory, when it has a `collection.toml`).

use std::collections::BTreeMap;
use std::path::Path;

use callout_core::collection::{COLLECTION_FILE, Collection, Filled, RequestFile, SecretSource};
use callout_core::history::Label;
use callout_core::home::Home;
use callout_core::send::Draft;
use callout_core::workbench::{Opened, Workbench};
use callout_core::{Error, Result};

/// A saved request found, with the environment it is sent with.
pub struct Found {
    pub collection: Collection,
    pub file: RequestFile,
    /// `--env`, else (through the workbench) the one the workbench chose.
    pub environment: Option<String>,
}

impl Found {
    /// How the history (and the app's history per request) names its sends:
    /// "Collection/Folder/Request" and the environment used.
    pub fn label(&self) -> Label {
        Label {
            request: Some(format!(
                "{}/{}",
                self.collection.name,
                self.file.named_path()
            )),
            environment: self.environment.clone(),
        }
    }

    /// The request as written, its `{{variables}}` filled in, secret ones
    /// as `[secret NAME]` (to show or export it; the keychain is not read).
    pub fn fill(&self, overrides: BTreeMap<String, String>) -> Result<Draft> {
        Ok(self.filled(overrides, SecretSource::Masked)?.draft)
    }

    /// The request as written, its `{{variables}}` filled in for a send:
    /// secret ones from the home's keychain.
    pub fn fill_to_send(&self, home: &Home, overrides: BTreeMap<String, String>) -> Result<Filled> {
        self.filled(overrides, SecretSource::Keychain(&home.vault()))
    }

    fn filled(
        &self,
        overrides: BTreeMap<String, String>,
        secrets: SecretSource<'_>,
    ) -> Result<Filled> {
        self.collection.fill(
            &self.file,
            &self.file.request.draft(),
            self.environment.as_deref(),
            overrides,
            secrets,
        )
    }
}

/// The collection directory a command reads: `--collection DIR`, else the
/// current directory when it is a collection; `None`: the workbench.
pub fn local_dir(dir: Option<&Path>) -> Option<&Path> {
    dir.or_else(|| {
        Path::new(COLLECTION_FILE)
            .exists()
            .then_some(Path::new("."))
    })
}

/// The saved request `path`: in the collection at `dir` (see [`local_dir`])
/// with `environment`, or else among the workbench's open collections with
/// `environment` or the one the workbench chose for its collection.
pub fn find(
    home: &Home,
    path: &str,
    dir: Option<&Path>,
    environment: Option<&str>,
) -> Result<Found> {
    if let Some(dir) = local_dir(dir) {
        let collection = Collection::open(dir)?.with_globals(Workbench::new(home).globals()?);
        let file = find_in(&collection, path)?;
        return Ok(Found {
            collection,
            file,
            environment: environment.map(str::to_string),
        });
    }
    let (opened, collection, file): (Opened, _, _) = Workbench::new(home).find_saved(path)?;
    Ok(Found {
        collection,
        file,
        environment: environment.map(str::to_string).or(opened.environment),
    })
}

/// The request at `path` of `collection`: "Folder/Request", its file's
/// path, or either after the collection's name ("Acme/Folder/Request").
fn find_in(collection: &Collection, path: &str) -> Result<RequestFile> {
    if let Some(file) = collection.find(path) {
        return Ok(file.clone());
    }
    let after_name = path
        .trim_start_matches('/')
        .strip_prefix(collection.name.as_str())
        .and_then(|rest| rest.strip_prefix('/'));
    if let Some(file) = after_name.and_then(|rest| collection.find(rest)) {
        return Ok(file.clone());
    }
    collection.request(path).cloned()
}

/// The open collection `given` names: its directory or, failing that, its
/// name. (A collection whose directory is gone is found by its directory.)
pub fn find_open(workbench: &Workbench, given: &str) -> Result<Opened> {
    let open = workbench.list()?;
    let root = std::path::absolute(given)
        .map(|root| root.display().to_string())
        .unwrap_or_else(|_| given.to_string());
    if let Some(opened) = open.iter().find(|opened| opened.root == root) {
        return Ok(opened.clone());
    }
    if Path::new(given).join(COLLECTION_FILE).exists() {
        return Err(Error::Storage {
            action: "use the collection",
            path: root.clone(),
            detail: format!("it is not open: open it first with callout collection open {root}"),
        });
    }
    let mut names = Vec::new();
    for opened in open {
        let Ok(collection) = Collection::open(Path::new(&opened.root)) else {
            continue;
        };
        if collection.name == given {
            return Ok(opened);
        }
        names.push(collection.name);
    }
    Err(Error::Storage {
        action: "find the open collection",
        path: given.to_string(),
        detail: format!(
            "it is neither the directory nor the name of an open collection; open: {}",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        ),
    })
}

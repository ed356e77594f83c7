//! The workbench: which collections ([`crate::collection`]) are open, from
//! anywhere on disk, and the environment each one sends with. Kept in
//! `workbench.json` in the config directory; the app and the CLI read the
//! same file, so `callout send --saved "Collection/Folder/Request"` finds
//! what the window shows.
//!
//! The saved requests of earlier versions (`requests.json`, one flat list)
//! move once, losslessly, into the collection "My requests" in the data
//! directory: every field of every request the user saved becomes a request
//! file, the list's order its `seq`; the old file is kept beside, renamed
//! `requests.json.migrated`. The built-in samples are not copied: they are
//! the templates every install has.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::collection::{self, Collection, RequestFile};
use crate::credential_store::write_atomically;
use crate::home::Home;
use crate::lock::FileLock;
use crate::requests::{REQUESTS_FILE, read_requests};
use crate::{Error, Result};

/// The file of the open collections, in the config directory.
pub const WORKBENCH_FILE: &str = "workbench.json";
/// The global variables, in the config directory: `[variables]`, looked up
/// after a collection's own.
pub const GLOBALS_FILE: &str = "variables.toml";
/// The collection a first run makes (and `requests.json` moves into).
pub const FIRST_COLLECTION: &str = "My requests";

/// One open collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Opened {
    /// The collection's directory (absolute).
    pub root: String,
    /// The environment its requests are sent with; none: only the
    /// collection's own variables.
    #[serde(default)]
    pub environment: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct WorkbenchFile {
    #[serde(default)]
    collections: Vec<Opened>,
}

/// The open collections of one home.
#[derive(Debug, Clone)]
pub struct Workbench {
    file: PathBuf,
    globals: PathBuf,
    lock: PathBuf,
    requests_file: PathBuf,
    collections_dir: PathBuf,
    trash: PathBuf,
}

impl Workbench {
    pub fn new(home: &Home) -> Self {
        Self {
            file: home.config_dir().join(WORKBENCH_FILE),
            globals: home.config_dir().join(GLOBALS_FILE),
            lock: home.locks_dir().join("workbench-file.lock"),
            requests_file: home.config_dir().join(REQUESTS_FILE),
            collections_dir: home.data_dir().join("collections"),
            trash: home.data_dir().join("trash"),
        }
    }

    /// `workbench.json`.
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// The file of the global variables (`variables.toml`; may not exist).
    pub fn globals_file(&self) -> &Path {
        &self.globals
    }

    /// The global variables: every collection's requests may use them,
    /// looked up after the collection's own (none when there is no file).
    pub fn globals(&self) -> Result<BTreeMap<String, String>> {
        collection::read_variables(&self.globals)
    }

    /// Where deleted requests and folders are kept until they are brought back.
    pub fn trash(&self) -> &Path {
        &self.trash
    }

    /// Where collections the app makes go (a new one, an import) unless
    /// the user names a directory.
    pub fn collections_dir(&self) -> &Path {
        &self.collections_dir
    }

    /// The open collections, in the order they were opened. The first call
    /// on a home makes [`FIRST_COLLECTION`], moving `requests.json` into it.
    pub fn list(&self) -> Result<Vec<Opened>> {
        self.edit(|_| Ok(()))
    }

    /// Opens the collection at `root` (it must be one); opening one that is
    /// open already changes nothing. Returns it as opened.
    pub fn open(&self, root: &Path) -> Result<Opened> {
        let root = std::path::absolute(root).map_err(|error| Error::Storage {
            action: "open the collection",
            path: root.display().to_string(),
            detail: error.to_string(),
        })?;
        Collection::open(&root)?;
        let root = root.display().to_string();
        let list = self.edit(|list| {
            if !list.iter().any(|open| open.root == root) {
                list.push(Opened {
                    root: root.clone(),
                    environment: None,
                });
            }
            Ok(())
        })?;
        Ok(list
            .into_iter()
            .find(|open| open.root == root)
            .unwrap_or(Opened {
                root,
                environment: None,
            }))
    }

    /// Closes the collection at `root`; its files stay where they are.
    pub fn close(&self, root: &str) -> Result<()> {
        self.edit(|list| {
            list.retain(|open| open.root != root);
            Ok(())
        })
        .map(|_| ())
    }

    /// Sends the requests of the collection at `root` with `environment`
    /// (none: the collection's own variables only); it must be one of the
    /// collection's.
    pub fn set_environment(&self, root: &str, environment: Option<&str>) -> Result<()> {
        if let Some(name) = environment {
            Collection::open(Path::new(root))?.environment_file(name)?;
        }
        self.edit(|list| {
            let Some(open) = list.iter_mut().find(|open| open.root == root) else {
                return Err(not_open(root));
            };
            open.environment = environment.map(str::to_string);
            Ok(())
        })
        .map(|_| ())
    }

    /// The open collection at `root`, read.
    pub fn collection(&self, root: &str) -> Result<(Opened, Collection)> {
        let Some(open) = self.list()?.into_iter().find(|open| open.root == root) else {
            return Err(not_open(root));
        };
        let collection = Collection::open(Path::new(&open.root))?.with_globals(self.globals()?);
        Ok((open, collection))
    }

    /// The saved request "Collection/Folder/Request" (or "Collection/file
    /// path") among the open collections, with its collection and how it
    /// is open.
    pub fn find_saved(&self, path: &str) -> Result<(Opened, Collection, RequestFile)> {
        let open = self.list()?;
        let mut names = Vec::new();
        for opened in open {
            let Ok(collection) = Collection::open(Path::new(&opened.root)) else {
                continue;
            };
            if let Some(rest) = path
                .strip_prefix(collection.name.as_str())
                .and_then(|rest| rest.strip_prefix('/'))
            {
                let file = collection.request(rest)?.clone();
                return Ok((opened, collection.with_globals(self.globals()?), file));
            }
            names.push(collection.name);
        }
        Err(Error::InvalidUrl {
            url: path.to_string(),
            reason: format!(
                "no open collection is called so: give \"COLLECTION/FOLDER/REQUEST\" with one of \
                 {} or --collection DIR",
                if names.is_empty() {
                    "(none is open)".to_string()
                } else {
                    names.join(", ")
                }
            ),
        })
    }

    /// Reads the list (a first run makes it), changes and writes it back
    /// under the file's lock; returns the list as written.
    fn edit(&self, change: impl FnOnce(&mut Vec<Opened>) -> Result<()>) -> Result<Vec<Opened>> {
        let _lock = FileLock::exclusive(&self.lock)?;
        let (mut list, existed) = match std::fs::read_to_string(&self.file) {
            Ok(text) => {
                let file: WorkbenchFile =
                    serde_json::from_str(&text).map_err(|error| Error::Storage {
                        action: "read",
                        path: self.file.display().to_string(),
                        detail: format!(
                            "it is not the workbench's JSON (line {}, column {}: {error})",
                            error.line(),
                            error.column()
                        ),
                    })?;
                (file.collections, true)
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                (vec![self.first_collection()?], false)
            }
            Err(error) => {
                return Err(Error::Storage {
                    action: "read",
                    path: self.file.display().to_string(),
                    detail: error.to_string(),
                });
            }
        };
        let before = list.clone();
        change(&mut list)?;
        if !existed || list != before {
            let text = serde_json::to_string_pretty(&WorkbenchFile {
                collections: list.clone(),
            })
            .map_err(|error| Error::Storage {
                action: "write",
                path: self.file.display().to_string(),
                detail: error.to_string(),
            })?;
            write_atomically(&self.file, text.as_bytes())?;
        }
        Ok(list)
    }

    /// Makes [`FIRST_COLLECTION`] (or opens it, when it is there from an
    /// earlier install) with the user's saved requests of `requests.json`,
    /// then moves that file aside.
    fn first_collection(&self) -> Result<Opened> {
        let root = self.collections_dir.join(FIRST_COLLECTION);
        if !root.join(collection::COLLECTION_FILE).exists() {
            Collection::create(&root, FIRST_COLLECTION)?;
        }
        if let Some(saved) = read_requests(&self.requests_file)? {
            for (seq, request) in saved.iter().filter(|request| !request.sample).enumerate() {
                let stem = collection::slug(&request.name);
                let mut path = format!("{stem}.toml");
                let mut number = 2;
                while root.join(&path).exists() {
                    path = format!("{stem}-{number}.toml");
                    number += 1;
                }
                collection::save_new_request(&root, &path, request, seq as i64 + 1)?;
            }
            let aside = self.requests_file.with_extension("json.migrated");
            std::fs::rename(&self.requests_file, &aside).map_err(|error| Error::Storage {
                action: "move aside",
                path: self.requests_file.display().to_string(),
                detail: error.to_string(),
            })?;
        }
        Ok(Opened {
            root: root.display().to_string(),
            environment: None,
        })
    }
}

fn not_open(root: &str) -> Error {
    Error::Storage {
        action: "use the collection",
        path: root.to_string(),
        detail: "it is not open (open it first)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Header;
    use crate::requests::{BodyKind, RequestStore, SavedRequest, samples};

    #[test]
    fn saved_requests_move_once_into_my_requests_with_every_field() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path()).unwrap();
        let store = RequestStore::new(&home, "Sandbox");
        let mine = SavedRequest {
            id: String::new(),
            name: "Query accounts".into(),
            method: "POST".into(),
            url: "callout:Acme/services/Soap/u/59.0".into(),
            headers: vec![
                Header::new("Content-Type", "text/xml"),
                Header::new("SOAPAction", "\"\""),
            ],
            body: Some("<a>\n  'quoted' \"and\" \\ back\n</a>\n".into()),
            body_kind: BodyKind::Xml,
            sample: false,
            assertions: Vec::new(),
            extract: Vec::new(),
        };
        let plain = SavedRequest {
            name: "Limits".into(),
            method: "GET".into(),
            url: "https://example.com/limits?a=1&b=2".into(),
            headers: Vec::new(),
            body: None,
            body_kind: BodyKind::None,
            ..mine.clone()
        };
        store.save(mine.clone()).unwrap();
        store.save(plain.clone()).unwrap();
        let before = std::fs::read(dir.path().join(REQUESTS_FILE)).unwrap();

        let workbench = Workbench::new(&home);
        let open = workbench.list().unwrap();
        assert_eq!(open.len(), 1);
        let collection = Collection::open(Path::new(&open[0].root)).unwrap();
        assert_eq!(collection.name, FIRST_COLLECTION);
        let moved: Vec<SavedRequest> = collection
            .requests()
            .iter()
            .map(|file| SavedRequest {
                id: String::new(),
                ..file.request.clone()
            })
            .collect();
        assert_eq!(moved, [mine, plain], "every field, in the list's order");
        let kept = std::fs::read(dir.path().join("requests.json.migrated")).unwrap();
        assert_eq!(kept, before, "the old file is kept as it was");
        assert!(
            String::from_utf8(kept)
                .unwrap()
                .contains(&samples("Sandbox")[0].name)
        );
        assert!(!dir.path().join(REQUESTS_FILE).exists());

        // Once: a second look changes nothing.
        assert_eq!(workbench.list().unwrap(), open);
        assert_eq!(
            Collection::open(Path::new(&open[0].root))
                .unwrap()
                .requests()
                .len(),
            2
        );
    }

    #[test]
    fn collections_open_close_and_keep_their_environment() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(&dir.path().join("home")).unwrap();
        let workbench = Workbench::new(&home);
        let root = dir.path().join("repo/api");
        let collection = Collection::create(&root, "Acme").unwrap();
        collection::set_variable(
            &collection.new_environment_file("Dev").unwrap(),
            "endpoint",
            Some("callout:Acme"),
        )
        .unwrap();
        let opened = workbench.open(&root).unwrap();
        assert_eq!(workbench.list().unwrap().len(), 2);
        workbench.open(&root).unwrap();
        assert_eq!(workbench.list().unwrap().len(), 2, "opened once");

        workbench
            .set_environment(&opened.root, Some("Dev"))
            .unwrap();
        let error = workbench
            .set_environment(&opened.root, Some("Prod"))
            .unwrap_err();
        assert!(error.to_string().contains("it has: Dev"), "{error}");
        assert_eq!(
            workbench
                .collection(&opened.root)
                .unwrap()
                .0
                .environment
                .as_deref(),
            Some("Dev")
        );

        // Global variables: looked up after the collection's own, named "global".
        std::fs::write(
            workbench.globals_file(),
            "[variables]\nendpoint = \"callout:Global\"\nregion = \"eu\"\n",
        )
        .unwrap();
        let path = collection::new_request(
            &root,
            "",
            &crate::requests::SavedRequest::from_draft(
                "",
                "Where",
                crate::http::Draft::new("GET", "{{endpoint}}/{{region}}"),
            ),
        )
        .unwrap();
        let (_, read) = workbench.collection(&opened.root).unwrap();
        let file = read.request(&path).unwrap().clone();
        let (draft, resolved) = read
            .variables_for(&file, Some("Dev"), BTreeMap::new())
            .unwrap()
            .apply(&file.request.draft())
            .unwrap();
        assert_eq!(
            draft.url, "callout:Acme/eu",
            "the environment's endpoint wins"
        );
        let scopes: Vec<(&str, &str)> = resolved
            .iter()
            .map(|r| (r.name.as_str(), r.scope.as_str()))
            .collect();
        assert_eq!(
            scopes,
            [("endpoint", "environment Dev"), ("region", "global")]
        );

        let error = workbench.find_saved("Nope/x").unwrap_err();
        assert!(error.to_string().contains("My requests, Acme"), "{error}");
        workbench.close(&opened.root).unwrap();
        assert_eq!(workbench.list().unwrap().len(), 1);
        assert!(
            root.join("collection.toml").exists(),
            "closing deletes nothing"
        );
        let error = workbench.open(&dir.path().join("repo")).unwrap_err();
        assert!(error.to_string().contains("not a collection"), "{error}");
    }
}

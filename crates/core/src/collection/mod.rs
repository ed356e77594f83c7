//! Collections: a folder of saved requests a person keeps where they like —
//! in the git repository of the code that makes the callouts — one small
//! file per request.
//!
//! # The format
//! A collection is a directory with a `collection.toml` naming it. Below it,
//! every directory is a folder (nested folders allowed) and every other
//! `*.toml` file is one request:
//!
//! ```toml
//! # Why this request exists: comments are kept when the app saves the file.
//! name = "Query accounts"
//! method = "POST"
//! url = "callout:Acme/services/Soap/u/59.0"
//! seq = 2
//!
//! [[header]]
//! name = "Content-Type"
//! value = "text/xml"
//!
//! [body]
//! kind = "xml"
//! text = '''
//! <soapenv:Envelope>...</soapenv:Envelope>
//! '''
//! ```
//!
//! `[[assert]]` and `[[extract]]` tables may follow: what a run checks the
//! response for and the values it hands on (their forms: [`crate::assertion`]).
//!
//! TOML, because a request must read well in a diff and in a code review:
//! one key per line, a body kept verbatim between `'''` (a SOAP envelope
//! needs no escaping), comments a person wrote survive the app's saves
//! (`toml_edit` changes the values in place), and the credentials file is
//! TOML already. Requests are ordered by `seq`, then by name, so a new
//! request changes no other file. Nothing secret is ever written: merge
//! fields stay merge fields, tokens live in the keychain.
//!
//! A file is read once per open and remembered by a [`Stamp`] of its bytes:
//! saving over a file whose bytes changed since (an edit in another editor,
//! a `git pull`) is refused with [`Error::ChangedOnDisk`], never silently
//! overwritten.
//!
//! # Variables, environments and secrets
//! `{{name}}` in a request is filled in from `[variables]` tables: the
//! request file's own, each `folder.toml` above it, the environment's, then
//! `collection.toml`'s (see [`crate::variables`]). An environment is a file
//! `environments/NAME.toml`:
//!
//! ```toml
//! # Values a secret variable has live in the keychain, never here.
//! secrets = ["password", "api_key"]
//!
//! [variables]
//! endpoint = "callout:Acme"
//! username = "integration@acme.example"
//! ```
//!
//! `secrets` (in an environment's file or in `collection.toml`, at the top,
//! before any table) names the secret variables: only their names are in
//! the file, so the file can be committed. A name is either a secret or a
//! plain variable of one file, never both. Each value is kept in the OS
//! keychain ([`Collection::set_secret`], `callout env set NAME --secret`),
//! under the account
//!
//! | secret of | account |
//! | --- | --- |
//! | environment `ENV` | `variable:COLLECTION/ENV/NAME` |
//! | the collection itself | `variable:COLLECTION/NAME` |
//!
//! where `COLLECTION` is the `name` in `collection.toml` (its `%` and `/`
//! written `%25` and `%2F`), not the directory: a clone of the collection
//! elsewhere on disk finds the same secrets, and renaming the collection or
//! the environment leaves them behind (set them again). Reading a
//! collection never touches the keychain; a send reads the secrets the
//! request uses ([`SecretSource::Keychain`]), a preview shows each as
//! `[secret NAME]` without reading it ([`SecretSource::Masked`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::assertion;
use crate::credential_store::write_atomically;
use crate::http::{Draft, Header};
use crate::requests::{BodyKind, SavedRequest};
use crate::source::line_and_column;
use crate::variables::{Resolved, Scope, SecretValues, Variables, stand_in};
use crate::vault::Vault;
use crate::{Error, Result, Secret};

mod bind;
mod edit;
pub use bind::bind;
pub use edit::{Deleted, delete, duplicate, move_to, new_folder, new_request, rename, restore};

/// The file that makes a directory a collection and names it.
pub const COLLECTION_FILE: &str = "collection.toml";
/// Reserved in every folder, for the folder's own settings.
pub const FOLDER_FILE: &str = "folder.toml";
/// Reserved at the root, for environments.
pub const ENVIRONMENTS_DIR: &str = "environments";

/// A collection as read from disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    pub root: PathBuf,
    pub name: String,
    /// Its `[variables]`, for every request in it.
    pub variables: BTreeMap<String, String>,
    /// The names of its own secret variables (`secrets`), whose values are
    /// in the keychain.
    pub secrets: Vec<String>,
    /// Its top-level folders and requests, in order.
    /// The variables every collection has (the home's `variables.toml`,
    /// [`crate::workbench::Workbench::globals`]), looked up after its own;
    /// none until [`Collection::with_globals`].
    pub globals: BTreeMap<String, String>,
    pub items: Vec<Item>,
}

/// A folder or a request of a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Folder(Folder),
    Request(RequestFile),
    /// A request file that cannot be read (broken TOML, a merge conflict
    /// left in it): shown with why, so the rest of the collection stays usable.
    Unreadable(Unreadable),
}

/// A request file that cannot be read, and why (with its line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub path: String,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// The directory's name.
    pub name: String,
    /// Its path below the collection's root, `/`-separated.
    pub path: String,
    /// The `[variables]` of its `folder.toml`, for the requests below it.
    pub variables: BTreeMap<String, String>,
    pub items: Vec<Item>,
}

/// One request file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFile {
    /// Its path below the collection's root, `/`-separated (the request's id).
    pub path: String,
    pub request: SavedRequest,
    /// Its place among its folder's requests, when the file says.
    pub seq: Option<i64>,
    /// Its own `[variables]`.
    pub variables: BTreeMap<String, String>,
    /// What the file held when read: saving checks it is still that.
    pub stamp: Stamp,
}

/// A fingerprint of a file's bytes as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp([u8; 32]);

impl Stamp {
    fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// The stamp as 64 hex digits, as the window keeps it.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// A stamp [`Stamp::to_hex`] wrote.
    pub fn from_hex(text: &str) -> Option<Self> {
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (index, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[index * 2..index * 2 + 2], 16).ok()?;
        }
        Some(Self(bytes))
    }
}

impl RequestFile {
    /// "Accounts/Query accounts": its folders' names and its own, as a
    /// person says it (and `callout send --saved` takes it).
    pub fn named_path(&self) -> String {
        named_path(&self.path, &self.request.name)
    }
}

/// What a request file holds, as serde reads it.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    name: Option<String>,
    method: String,
    url: String,
    #[serde(default)]
    seq: Option<i64>,
    #[serde(default)]
    header: Vec<Header>,
    #[serde(default)]
    body: Option<BodyFields>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
    /// `[[assert]]` tables, read by [`crate::assertion::from_table`].
    #[serde(default, rename = "assert")]
    assertions: Vec<Spanned<toml::Table>>,
    /// `[[extract]]` tables.
    #[serde(default)]
    extract: Vec<Spanned<toml::Table>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct BodyFields {
    #[serde(default)]
    kind: Option<BodyKind>,
    text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CollectionFields {
    name: String,
    #[serde(default)]
    secrets: Vec<Spanned<String>>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
}

/// What a `folder.toml` holds.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct VariablesFile {
    #[serde(default)]
    variables: BTreeMap<String, String>,
}

/// What an environment's file holds.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvironmentFields {
    #[serde(default)]
    secrets: Vec<Spanned<String>>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
}

/// The key of a file's secret variables' names.
const SECRETS_KEY: &str = "secrets";

/// Where the values of secret variables come from when a request's
/// variables are filled in.
#[derive(Debug, Clone, Copy)]
pub enum SecretSource<'a> {
    /// Each secret is filled in as `[secret NAME]` and the keychain is not
    /// read: a preview.
    Masked,
    /// Each secret the request uses is read from this keychain: a send.
    Keychain(&'a Vault),
}

/// A request with its variables filled in.
pub struct Filled {
    /// The request to send (or, for a preview, to show: secrets masked).
    pub draft: Draft,
    /// What each variable resolved to, by name; a secret as `[secret NAME]`.
    pub resolved: Vec<Resolved>,
    /// The secret values `draft` holds (none for a preview): what the
    /// history must never keep.
    pub secrets: SecretValues,
}

/// Shows what was resolved and the secrets' names, never the draft (it may
/// hold their values).
impl std::fmt::Debug for Filled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Filled")
            .field("resolved", &self.resolved)
            .field("secrets", &self.secrets.names())
            .finish_non_exhaustive()
    }
}

impl Collection {
    /// Makes `root` a new collection called `name` (the directory is
    /// created if missing); an existing collection is refused.
    pub fn create(root: &Path, name: &str) -> Result<Self> {
        let file = root.join(COLLECTION_FILE);
        if file.exists() {
            return Err(storage(
                "create a collection in",
                root,
                "it is a collection already".into(),
            ));
        }
        if name.trim().is_empty() {
            return Err(storage(
                "create a collection in",
                root,
                "a collection needs a name".into(),
            ));
        }
        std::fs::create_dir_all(root)
            .map_err(|error| storage("create", root, error.to_string()))?;
        let mut document = toml_edit::Document::new();
        document["name"] = toml_edit::value(name.trim());
        write_atomically(&file, document.to_string().as_bytes())?;
        Self::open(root)
    }

    /// Reads the collection at `root`: its name and every folder and
    /// request below it. A broken file is named with its line and column.
    pub fn open(root: &Path) -> Result<Self> {
        let file = root.join(COLLECTION_FILE);
        let text = read_text(&file)?;
        let fields: CollectionFields =
            toml::from_str(&text).map_err(|error| broken(&file, &text, &error))?;
        let secrets = checked_secrets(&file, &text, fields.secrets, &fields.variables)?;
        Ok(Self {
            root: root.to_path_buf(),
            name: fields.name,
            variables: fields.variables,
            secrets,
            globals: BTreeMap::new(),
            items: read_folder(root, "")?,
        })
    }

    /// This collection with the global variables `globals` (looked up last).
    pub fn with_globals(mut self, globals: BTreeMap<String, String>) -> Self {
        self.globals = globals;
        self
    }

    /// Every request, depth first in order, with its path.
    pub fn requests(&self) -> Vec<&RequestFile> {
        let mut found = Vec::new();
        each_item(&self.items, &mut |item| {
            if let Item::Request(request) = item {
                found.push(request);
            }
        });
        found
    }

    /// Every request file that cannot be read, depth first.
    pub fn unreadable(&self) -> Vec<&Unreadable> {
        let mut found = Vec::new();
        each_item(&self.items, &mut |item| {
            if let Item::Unreadable(file) = item {
                found.push(file);
            }
        });
        found
    }

    /// The request at `path` ("Accounts/Query accounts": its folders' and
    /// its own names, or its file path below the root).
    pub fn find(&self, path: &str) -> Option<&RequestFile> {
        let path = path.trim_matches('/');
        self.requests()
            .into_iter()
            .find(|file| file.path == path || named_path(&file.path, &file.request.name) == path)
    }
}

impl Collection {
    /// [`Collection::find`], or an error naming the collection and the
    /// requests it has.
    pub fn request(&self, path: &str) -> Result<&RequestFile> {
        if let Some(file) = self.unreadable().into_iter().find(|file| file.path == path) {
            return read_request(&self.root.join(&file.path), file.path.clone())
                .and_then(|_| Err(storage("read", &self.root.join(path), file.problem.clone())));
        }
        self.find(path).ok_or_else(|| {
            let known: Vec<String> = self
                .requests()
                .iter()
                .map(|file| named_path(&file.path, &file.request.name))
                .collect();
            Error::InvalidUrl {
                url: path.to_string(),
                reason: format!(
                    "collection \"{}\" ({}) has no such request; {}",
                    self.name,
                    self.root.display(),
                    if known.is_empty() {
                        "it has none yet".to_string()
                    } else {
                        format!("it has: {}", known.join(", "))
                    }
                ),
            }
        })
    }
}

impl Collection {
    /// The environments in `environments/`, by name, sorted.
    pub fn environments(&self) -> Result<Vec<String>> {
        let dir = self.root.join(ENVIRONMENTS_DIR);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(storage("read", &dir, error.to_string())),
        };
        let mut names: Vec<String> = entries
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".toml").map(str::to_string)
            })
            .collect();
        names.sort();
        Ok(names)
    }

    /// The file of the environment `name`, which must exist.
    pub fn environment_file(&self, name: &str) -> Result<PathBuf> {
        let known = self.environments()?;
        if !known.iter().any(|known| known == name) {
            return Err(storage(
                "use the environment of",
                &self.root,
                format!(
                    "it has no environment \"{name}\" ({ENVIRONMENTS_DIR}/{name}.toml); {}",
                    if known.is_empty() {
                        "it has none".to_string()
                    } else {
                        format!("it has: {}", known.join(", "))
                    }
                ),
            ));
        }
        Ok(self
            .root
            .join(ENVIRONMENTS_DIR)
            .join(format!("{name}.toml")))
    }

    /// The file of the environment `name`, new or not: a name that can be a
    /// file's (no `/`, `\\`, leading `.` or control character).
    pub fn new_environment_file(&self, name: &str) -> Result<PathBuf> {
        let usable = !name.trim().is_empty()
            && name.trim() == name
            && !name.starts_with('.')
            && !name
                .chars()
                .any(|c| c.is_control() || matches!(c, '/' | '\\'));
        if !usable {
            return Err(storage(
                "make the environment in",
                &self.root,
                format!(
                    "\"{name}\" cannot name an environment's file: use letters, digits, spaces, - or _"
                ),
            ));
        }
        Ok(self
            .root
            .join(ENVIRONMENTS_DIR)
            .join(format!("{name}.toml")))
    }

    /// The (plain) variables of the environment `name`.
    pub fn environment(&self, name: &str) -> Result<BTreeMap<String, String>> {
        Ok(read_environment(&self.environment_file(name)?)?.0)
    }

    /// The names of the secret variables of the environment `name`, or
    /// (`None`) of the collection itself.
    pub fn secrets(&self, environment: Option<&str>) -> Result<Vec<String>> {
        match environment {
            Some(name) => Ok(read_environment(&self.environment_file(name)?)?.1),
            None => Ok(self.secrets.clone()),
        }
    }

    /// `draft` (the request at `file` as written, or as edited since) with
    /// its `{{variables}}` filled in from [`Collection::variables_for`], and
    /// what each resolved to. Secret variables come from `secrets`: only
    /// those the request uses are read from the keychain, and one the
    /// keychain has no value for is [`Error::MissingSecret`].
    pub fn fill(
        &self,
        file: &RequestFile,
        draft: &Draft,
        environment: Option<&str>,
        overrides: BTreeMap<String, String>,
        secrets: SecretSource<'_>,
    ) -> Result<Filled> {
        let none = SecretValues::default();
        let (masked, resolved) = self
            .scopes(file, environment, overrides.clone(), &none)?
            .apply(draft)?;
        let used: Vec<&str> = resolved
            .iter()
            .filter(|variable| variable.secret)
            .map(|variable| variable.name.as_str())
            .collect();
        let vault = match secrets {
            SecretSource::Keychain(vault) if !used.is_empty() => vault,
            _ => {
                return Ok(Filled {
                    draft: masked,
                    resolved,
                    secrets: none,
                });
            }
        };
        // The environment's scope comes before the collection's: a secret
        // the environment declares is its own.
        let of_environment = match environment {
            Some(name) => self.secrets(Some(name))?,
            None => Vec::new(),
        };
        let mut values = SecretValues::default();
        for name in used {
            let from = environment.filter(|_| of_environment.iter().any(|known| known == name));
            values.insert(name, self.secret_value(vault, from, name)?);
        }
        let (draft, _) = self
            .scopes(file, environment, overrides, &values)?
            .apply(draft)?;
        Ok(Filled {
            draft,
            resolved,
            secrets: values,
        })
    }

    /// The scopes a request's `{{variables}}` are looked up in, first to
    /// last: `overrides` (the command line's `--var`), the request's own,
    /// its folders' (nearest first), the environment's, the collection's.
    /// Secret variables stand as `[secret NAME]`: the keychain is not read.
    pub fn variables_for(
        &self,
        request: &RequestFile,
        environment: Option<&str>,
        overrides: BTreeMap<String, String>,
    ) -> Result<Variables> {
        self.scopes(request, environment, overrides, &SecretValues::default())
    }

    /// [`Collection::variables_for`] with the secrets `known` has filled
    /// in (the others as stand-ins).
    fn scopes(
        &self,
        request: &RequestFile,
        environment: Option<&str>,
        overrides: BTreeMap<String, String>,
        known: &SecretValues,
    ) -> Result<Variables> {
        let secret_scope = |label: String, plain: BTreeMap<String, String>, names: &[String]| {
            let values = names
                .iter()
                .map(|name| {
                    let value = known
                        .get(name)
                        .map_or_else(|| stand_in(name), |value| value.expose().to_string());
                    (name.clone(), value)
                })
                .collect();
            Scope::new(label, plain).with_secrets(values)
        };
        let mut scopes = vec![
            Scope::new("--var", overrides),
            Scope::new(
                format!("request {}", request.path),
                request.variables.clone(),
            ),
        ];
        let mut items = &self.items;
        let mut folders = Vec::new();
        for part in request.path.split('/') {
            let Some(folder) = items.iter().find_map(|item| match item {
                Item::Folder(folder) if folder.name == part => Some(folder),
                _ => None,
            }) else {
                break;
            };
            folders.push(Scope::new(
                format!("folder {}", folder.path),
                folder.variables.clone(),
            ));
            items = &folder.items;
        }
        scopes.extend(folders.into_iter().rev());
        if let Some(name) = environment {
            let (plain, secrets) = read_environment(&self.environment_file(name)?)?;
            scopes.push(secret_scope(format!("environment {name}"), plain, &secrets));
        }
        scopes.push(secret_scope(
            "collection".into(),
            self.variables.clone(),
            &self.secrets,
        ));
        scopes.push(Scope::new("global", self.globals.clone()));
        Ok(Variables::new(scopes))
    }
}

impl Collection {
    /// The keychain account of secret variable `name` of the environment
    /// `environment`, or (`None`) of the collection itself; see the
    /// module's doc.
    pub fn secret_account(&self, environment: Option<&str>, name: &str) -> String {
        let collection = self.name.replace('%', "%25").replace('/', "%2F");
        match environment {
            Some(environment) => format!("variable:{collection}/{environment}/{name}"),
            None => format!("variable:{collection}/{name}"),
        }
    }

    /// The value of secret variable `name` of the environment (`None`: of
    /// the collection itself), from the keychain; none there is
    /// [`Error::MissingSecret`], which says how to set it.
    pub fn secret_value(
        &self,
        vault: &Vault,
        environment: Option<&str>,
        name: &str,
    ) -> Result<Secret> {
        vault
            .read(&self.secret_account(environment, name))?
            .ok_or_else(|| Error::MissingSecret {
                name: name.to_string(),
                collection: self.name.clone(),
                environment: environment.map(str::to_string),
            })
    }

    /// Makes `name` a secret variable of the environment `environment`
    /// (made when new) or (`None`) of the collection itself: `value` goes
    /// into the keychain, the name into the file's `secrets`, and a plain
    /// value the file had for it out of the file. Returns whether there
    /// was such a plain value.
    pub fn set_secret(
        &self,
        vault: &Vault,
        environment: Option<&str>,
        name: &str,
        value: &Secret,
    ) -> Result<bool> {
        let file = match environment {
            Some(environment) => self.new_environment_file(environment)?,
            None => self.root.join(COLLECTION_FILE),
        };
        check_variable_name(&file, name)?;
        if value.expose().is_empty() {
            return Err(storage(
                "set a secret variable in",
                &file,
                format!("\"{name}\" needs a value: a secret variable cannot be empty"),
            ));
        }
        // The file is read (and must be readable) before the keychain is
        // written, so a broken file leaves nothing behind.
        let mut document = parse_document(&file, &read_or_empty(&file)?)?;
        vault.store(&self.secret_account(environment, name), value)?;
        declare_secret(&file, &mut document, name, true)?;
        let had_plain = document
            .get_mut("variables")
            .and_then(toml_edit::Item::as_table_mut)
            .is_some_and(|variables| variables.remove(name).is_some());
        write_document(&file, &document)?;
        Ok(had_plain)
    }

    /// Removes secret variable `name` of the environment `environment` or
    /// (`None`) of the collection itself: its value from the keychain, then
    /// its name from the file. Returns `false` (touching neither) when the
    /// file declares no such secret.
    pub fn unset_secret(
        &self,
        vault: &Vault,
        environment: Option<&str>,
        name: &str,
    ) -> Result<bool> {
        let file = match environment {
            Some(environment) => self.environment_file(environment)?,
            None => self.root.join(COLLECTION_FILE),
        };
        let mut document = parse_document(&file, &read_or_empty(&file)?)?;
        if !declare_secret(&file, &mut document, name, false)? {
            return Ok(false);
        }
        vault.delete_all(&self.secret_account(environment, name))?;
        write_document(&file, &document)?;
        Ok(true)
    }
}

/// Calls `visit` with every item below `items`, depth first in order.
fn each_item<'a>(items: &'a [Item], visit: &mut impl FnMut(&'a Item)) {
    for item in items {
        visit(item);
        if let Item::Folder(folder) = item {
            each_item(&folder.items, visit);
        }
    }
}

/// "Accounts/Query accounts" for the file "Accounts/query.toml" named "Query accounts".
fn named_path(file_path: &str, name: &str) -> String {
    match file_path.rsplit_once('/') {
        Some((folder, _)) => format!("{folder}/{name}"),
        None => name.to_string(),
    }
}

/// Writes `request` to the file at `path` below `root`, keeping the
/// comments and layout of what is there. `seen` is the stamp of the file as
/// it was read (`None`: a new file, which must not exist yet); a file that
/// changed since is left alone ([`Error::ChangedOnDisk`]). Returns the new
/// stamp.
pub fn save_request(
    root: &Path,
    path: &str,
    request: &SavedRequest,
    seen: Option<Stamp>,
) -> Result<Stamp> {
    write_request(root, path, request, seen, None)
}

fn write_request(
    root: &Path,
    path: &str,
    request: &SavedRequest,
    seen: Option<Stamp>,
    seq: Option<i64>,
) -> Result<Stamp> {
    request.validate()?;
    let file = request_path(root, path)?;
    let current = match std::fs::read(&file) {
        Ok(bytes) => Some(bytes),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(storage("read", &file, error.to_string())),
    };
    let unchanged = match (&current, seen) {
        (None, None) => true,
        (Some(bytes), Some(stamp)) => Stamp::of(bytes) == stamp,
        _ => false,
    };
    if !unchanged {
        return Err(Error::ChangedOnDisk {
            path: file.display().to_string(),
        });
    }
    let text = current
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    let mut document = parse_document(&file, &text)?;
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".toml");
    fill(&mut document, request, stem);
    if let Some(seq) = seq {
        set(document.as_table_mut(), "seq", seq.into());
    }
    let written = document.to_string();
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|error| storage("create", parent, error.to_string()))?;
    }
    write_atomically(&file, written.as_bytes())?;
    Ok(Stamp::of(written.as_bytes()))
}

/// Writes `request` as a new file at `path` below `root`, at place `seq`
/// in its folder; an existing file is left alone ([`Error::ChangedOnDisk`]).
pub fn save_new_request(
    root: &Path,
    path: &str,
    request: &SavedRequest,
    seq: i64,
) -> Result<Stamp> {
    write_request(root, path, request, None, Some(seq))
}

/// Sets the document's values to `request`'s, in place: keys it has keep
/// their place and comments, keys it lacks are added in the usual order.
/// A name that is the file's own stem is not written.
fn fill(document: &mut toml_edit::Document, request: &SavedRequest, stem: &str) {
    let table = document.as_table_mut();
    if request.name != stem || table.contains_key("name") {
        set(table, "name", request.name.as_str().into());
    }
    set(
        table,
        "method",
        request.method.trim().to_ascii_uppercase().into(),
    );
    set(table, "url", request.url.as_str().into());
    if request.headers.is_empty() {
        table.remove("header");
    } else {
        let mut headers = toml_edit::ArrayOfTables::new();
        for header in &request.headers {
            let mut row = toml_edit::Table::new();
            row["name"] = toml_edit::value(header.name.as_str());
            row["value"] = toml_edit::value(header.value.as_str());
            headers.push(row);
        }
        table.insert("header", toml_edit::Item::ArrayOfTables(headers));
    }
    fill_checks(table, request);
    let Some(text) = &request.body else {
        table.remove("body");
        return;
    };
    if !table.get("body").is_some_and(toml_edit::Item::is_table) {
        table.insert("body", toml_edit::Item::Table(toml_edit::Table::new()));
    }
    let Some(body) = table
        .get_mut("body")
        .and_then(toml_edit::Item::as_table_mut)
    else {
        return;
    };
    match request.body_kind {
        BodyKind::None => {
            body.remove("kind");
        }
        kind => set(body, "kind", body_kind_word(kind).into()),
    }
    set(body, "text", verbatim(text));
}

/// The `[[assert]]` and `[[extract]]` tables of `request`: left as they are
/// (comments and all) when they state what the request holds, rewritten
/// when not, and put after everything else.
fn fill_checks(table: &mut toml_edit::Table, request: &SavedRequest) {
    keep_or_write(
        table,
        "assert",
        &request.assertions,
        assertion::from_table,
        assertion::to_table,
    );
    keep_or_write(
        table,
        "extract",
        &request.extract,
        assertion::extraction_from_table,
        assertion::extraction_to_table,
    );
}

/// The array of tables `key` stating `held`: kept when it reads as `held`,
/// else written anew from it (none when `held` is empty).
fn keep_or_write<T: PartialEq>(
    table: &mut toml_edit::Table,
    key: &str,
    held: &[T],
    read: fn(&toml::Table) -> std::result::Result<T, String>,
    write: fn(&T) -> toml_edit::Table,
) {
    let stated: Vec<_> = table
        .get(key)
        .and_then(toml_edit::Item::as_array_of_tables)
        .map(|tables| {
            tables
                .iter()
                .map(|table| {
                    toml::from_str::<toml::Table>(&table.to_string())
                        .map_err(|error| error.to_string())
                        .and_then(|table| read(&table))
                })
                .collect()
        })
        .unwrap_or_default();
    let unchanged = stated.len() == held.len()
        && stated
            .iter()
            .zip(held)
            .all(|(read, held)| read.as_ref() == Ok(held));
    if unchanged {
        return;
    }
    table.remove(key);
    if !held.is_empty() {
        let mut tables = toml_edit::ArrayOfTables::new();
        for item in held {
            tables.push(write(item));
        }
        table.insert(key, toml_edit::Item::ArrayOfTables(tables));
    }
}

/// Replaces `key`'s value, keeping the comment and spacing around the old one.
fn set(table: &mut toml_edit::Table, key: &str, mut value: toml_edit::Value) {
    match table.get_mut(key) {
        Some(item) => {
            if let Some(old) = item.as_value() {
                *value.decor_mut() = old.decor().clone();
            }
            *item = toml_edit::Item::Value(value);
        }
        None => {
            table.insert(key, toml_edit::Item::Value(value));
        }
    }
}

fn body_kind_word(kind: BodyKind) -> &'static str {
    match kind {
        BodyKind::None => "none",
        BodyKind::Xml => "xml",
        BodyKind::Json => "json",
        BodyKind::Text => "text",
    }
}

/// `text` as a TOML string that reads as written: a multi-line text between
/// `'''` (quotes and backslashes of an XML or JSON body need no escaping),
/// else an ordinary string.
fn verbatim(text: &str) -> toml_edit::Value {
    let literal_safe = text.contains('\n')
        && !text.contains("'''")
        && !text.ends_with('\'')
        && !text
            .chars()
            .any(|c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{7f}');
    if literal_safe && let Ok(value) = format!("'''\n{text}'''").parse() {
        return value;
    }
    text.into()
}

/// Sets (`Some`) or removes (`None`) the variable `name` in the
/// `[variables]` of `file`, in place: the rest of the file, comments
/// included, stays. Returns whether anything changed.
///
/// A secret variable of the file is refused: its value belongs in the
/// keychain ([`Collection::set_secret`]).
pub fn set_variable(file: &Path, name: &str, value: Option<&str>) -> Result<bool> {
    check_variable_name(file, name)?;
    let mut document = parse_document(file, &read_or_empty(file)?)?;
    if value.is_some()
        && declared_secrets(&document)
            .iter()
            .any(|known| known == name)
    {
        return Err(storage(
            "set a variable in",
            file,
            format!(
                "\"{name}\" is a secret variable there, its value in the keychain: set it as \
                 a secret (--secret), or remove it first (`callout env unset {name}`)"
            ),
        ));
    }
    let root = document.as_table_mut();
    if !root.get("variables").is_some_and(toml_edit::Item::is_table) {
        root.insert("variables", toml_edit::Item::Table(toml_edit::Table::new()));
    }
    let Some(table) = root
        .get_mut("variables")
        .and_then(toml_edit::Item::as_table_mut)
    else {
        return Ok(false);
    };
    let changed = match value {
        Some(value) => {
            let changed = table.get(name).and_then(toml_edit::Item::as_str) != Some(value);
            set(table, name, value.into());
            changed
        }
        None => table.remove(name).is_some(),
    };
    if changed {
        write_document(file, &document)?;
    }
    Ok(changed)
}

/// Refuses `name` unless it can be a variable's name.
fn check_variable_name(file: &Path, name: &str) -> Result<()> {
    if crate::variables::is_name(name) {
        return Ok(());
    }
    Err(storage(
        "set a variable in",
        file,
        format!(
            "\"{name}\" is not a variable name: letters, digits, _, - and ., starting \
             with a letter or _"
        ),
    ))
}

/// The text of `file`, empty when it does not exist.
fn read_or_empty(file: &Path) -> Result<String> {
    match std::fs::read_to_string(file) {
        Ok(text) => Ok(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(error) => Err(storage("read", file, error.to_string())),
    }
}

/// Writes `document` to `file` (made, with its directory, when missing).
fn write_document(file: &Path, document: &toml_edit::Document) -> Result<()> {
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|error| storage("create", parent, error.to_string()))?;
    }
    write_atomically(file, document.to_string().as_bytes())
}

/// The names in the document's `secrets`.
fn declared_secrets(document: &toml_edit::Document) -> Vec<String> {
    document
        .get(SECRETS_KEY)
        .and_then(toml_edit::Item::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(|name| name.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Adds `name` to (`declared`) or removes it from the document's `secrets`,
/// in place (the key goes when its last name does). Returns whether
/// anything changed.
fn declare_secret(
    file: &Path,
    document: &mut toml_edit::Document,
    name: &str,
    declared: bool,
) -> Result<bool> {
    let root = document.as_table_mut();
    if !root.contains_key(SECRETS_KEY) {
        if !declared {
            return Ok(false);
        }
        let mut names = toml_edit::Array::new();
        names.push(name);
        // A top-level key: written before any table, where a reader looks.
        // The comment that opens a file of tables only stays at the top.
        let opening = lead_table(root).and_then(|table| {
            let prefix = table.decor().prefix()?.as_str()?.to_string();
            prefix.contains('#').then(|| {
                table.decor_mut().set_prefix("\n");
                prefix
            })
        });
        root.insert(SECRETS_KEY, toml_edit::value(names));
        if let (Some(opening), Some(decor)) = (opening, root.key_decor_mut(SECRETS_KEY)) {
            decor.set_prefix(opening);
        }
        return Ok(true);
    }
    let Some(names) = root
        .get_mut(SECRETS_KEY)
        .and_then(toml_edit::Item::as_array_mut)
    else {
        return Err(storage(
            "change the secret variables of",
            file,
            "its `secrets` is not a list of names (secrets = [\"password\"])".into(),
        ));
    };
    let at = names.iter().position(|known| known.as_str() == Some(name));
    match (at, declared) {
        (Some(_), true) | (None, false) => Ok(false),
        (None, true) => {
            names.push(name);
            names.fmt();
            Ok(true)
        }
        (Some(at), false) => {
            names.remove(at);
            names.fmt();
            if names.is_empty() {
                let opening = root
                    .key_decor(SECRETS_KEY)
                    .and_then(|decor| decor.prefix()?.as_str().map(str::to_string))
                    .filter(|prefix| prefix.contains('#'));
                root.remove(SECRETS_KEY);
                if let (Some(opening), Some(table)) = (opening, lead_table(root)) {
                    table.decor_mut().set_prefix(opening);
                }
            }
            Ok(true)
        }
    }
}

/// The first table of a root that holds tables only (and `secrets`).
fn lead_table(root: &mut toml_edit::Table) -> Option<&mut toml_edit::Table> {
    let values_only = |(key, item): (&str, &toml_edit::Item)| key != SECRETS_KEY && item.is_value();
    if root.iter().any(values_only) {
        return None;
    }
    root.iter_mut()
        .filter_map(|(_, item)| item.as_table_mut())
        .min_by_key(|table| table.position().unwrap_or(usize::MAX))
}

/// `text` of `file` as an editable document, or where it is broken.
fn parse_document(file: &Path, text: &str) -> Result<toml_edit::Document> {
    text.parse().map_err(|error: toml_edit::TomlError| {
        let (line, column) = error
            .span()
            .map_or((1, 1), |span| line_and_column(text, span.start));
        Error::CollectionFile {
            path: file.display().to_string(),
            line,
            column,
            message: first_line(&error.to_string()),
        }
    })
}

/// Sets the `[variables]` table of `file` (a `collection.toml`, a
/// `folder.toml` or an environment's file) to `variables`, keeping the rest
/// of the file; the file is made when missing.
pub fn write_variables(file: &Path, variables: &BTreeMap<String, String>) -> Result<()> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => return Err(storage("read", file, error.to_string())),
    };
    let mut document = parse_document(file, &text)?;
    let mut table = toml_edit::Table::new();
    for (name, value) in variables {
        table.insert(name, toml_edit::value(value.as_str()));
    }
    document.insert("variables", toml_edit::Item::Table(table));
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|error| storage("create", parent, error.to_string()))?;
    }
    write_atomically(file, document.to_string().as_bytes())
}

/// `path` below `root` as a file path: relative, `/`-separated, ending in
/// `.toml`, no `..`, not a reserved name.
fn request_path(root: &Path, path: &str) -> Result<PathBuf> {
    let invalid = |reason: &str| {
        storage(
            "save the request as",
            &root.join(path),
            format!("a request's path {reason}"),
        )
    };
    if !path.ends_with(".toml") {
        return Err(invalid("must end in .toml"));
    }
    let mut file = root.to_path_buf();
    for part in path.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains('\\') {
            return Err(invalid("must name folders and a file below the collection"));
        }
        file.push(part);
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    if path == COLLECTION_FILE || name == FOLDER_FILE || path.starts_with("environments/") {
        return Err(invalid("uses a name the collection keeps for itself"));
    }
    Ok(file)
}

/// The folders and requests in `dir` (at `prefix` below the root), ordered.
fn read_folder(dir: &Path, prefix: &str) -> Result<Vec<Item>> {
    let entries =
        std::fs::read_dir(dir).map_err(|error| storage("read", dir, error.to_string()))?;
    let mut folders = Vec::new();
    let mut requests = Vec::new();
    let mut unreadable = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| storage("read", dir, error.to_string()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let file_type = entry
            .file_type()
            .map_err(|error| storage("read", &entry.path(), error.to_string()))?;
        if file_type.is_dir() {
            if prefix.is_empty() && name == ENVIRONMENTS_DIR {
                continue;
            }
            let items = read_folder(&entry.path(), &path)?;
            let variables = read_variables(&entry.path().join(FOLDER_FILE))?;
            folders.push(Folder {
                name,
                path,
                variables,
                items,
            });
        } else if name.ends_with(".toml") && name != FOLDER_FILE && path != COLLECTION_FILE {
            match read_request(&entry.path(), path.clone()) {
                Ok(request) => requests.push(request),
                Err(error) => unreadable.push(Unreadable {
                    path,
                    problem: error.to_string(),
                }),
            }
        }
    }
    folders.sort_by(|a, b| a.name.cmp(&b.name));
    requests.sort_by(|a, b| {
        (a.seq.unwrap_or(i64::MAX), &a.request.name, &a.path).cmp(&(
            b.seq.unwrap_or(i64::MAX),
            &b.request.name,
            &b.path,
        ))
    });
    Ok(folders
        .into_iter()
        .map(Item::Folder)
        .chain(requests.into_iter().map(Item::Request))
        .chain(unreadable.into_iter().map(Item::Unreadable))
        .collect())
}

/// Reads one request file.
pub fn read_request(file: &Path, path: String) -> Result<RequestFile> {
    let bytes = std::fs::read(file).map_err(|error| storage("read", file, error.to_string()))?;
    let text = String::from_utf8(bytes.clone()).map_err(|error| Error::CollectionFile {
        path: file.display().to_string(),
        line: 1,
        column: 1,
        message: format!("it is not UTF-8 text ({error})"),
    })?;
    let fields: Fields = toml::from_str(&text).map_err(|error| broken(file, &text, &error))?;
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(&path)
        .trim_end_matches(".toml")
        .to_string();
    let body_kind = match &fields.body {
        None => BodyKind::None,
        Some(body) => body.kind.unwrap_or(BodyKind::Text),
    };
    let at = |span: std::ops::Range<usize>, what: &str, problem: String| {
        let (line, column) = line_and_column(&text, span.start);
        Error::CollectionFile {
            path: file.display().to_string(),
            line,
            column,
            message: format!("{what}: {problem}"),
        }
    };
    let assertions = fields
        .assertions
        .into_iter()
        .map(|table| {
            let span = table.span();
            assertion::from_table(table.get_ref())
                .map_err(|problem| at(span, "this [[assert]]", problem))
        })
        .collect::<Result<Vec<_>>>()?;
    let extract = fields
        .extract
        .into_iter()
        .map(|table| {
            let span = table.span();
            assertion::extraction_from_table(table.get_ref())
                .map_err(|problem| at(span, "this [[extract]]", problem))
        })
        .collect::<Result<Vec<_>>>()?;
    let request = SavedRequest {
        id: path.clone(),
        name: fields.name.unwrap_or(stem),
        method: fields.method,
        url: fields.url,
        headers: fields.header,
        body: fields.body.map(|body| body.text),
        body_kind,
        sample: false,
        assertions,
        extract,
    };
    request.validate().map_err(|error| Error::CollectionFile {
        path: file.display().to_string(),
        line: 1,
        column: 1,
        message: error.to_string(),
    })?;
    Ok(RequestFile {
        path,
        request,
        seq: fields.seq,
        variables: fields.variables,
        stamp: Stamp::of(&bytes),
    })
}

/// The `[variables]` of a folder's file; none when the file does not exist.
pub(crate) fn read_variables(file: &Path) -> Result<BTreeMap<String, String>> {
    let text = read_or_empty(file)?;
    let fields: VariablesFile =
        toml::from_str(&text).map_err(|error| broken(file, &text, &error))?;
    Ok(fields.variables)
}

/// The `[variables]` of an environment's file and the names of its secret
/// variables; none when the file does not exist.
fn read_environment(file: &Path) -> Result<(BTreeMap<String, String>, Vec<String>)> {
    let text = read_or_empty(file)?;
    let fields: EnvironmentFields =
        toml::from_str(&text).map_err(|error| broken(file, &text, &error))?;
    let secrets = checked_secrets(file, &text, fields.secrets, &fields.variables)?;
    Ok((fields.variables, secrets))
}

/// The names in a file's `secrets`: each a variable's name, listed once,
/// and not a plain variable of the file as well (a value in the file is no
/// secret). A wrong one is named at its line and column.
fn checked_secrets(
    file: &Path,
    text: &str,
    declared: Vec<Spanned<String>>,
    variables: &BTreeMap<String, String>,
) -> Result<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for spanned in declared {
        let span = spanned.span();
        let name = spanned.into_inner();
        let problem = if !crate::variables::is_name(&name) {
            Some(format!(
                "\"{name}\" in secrets is not a variable name: letters, digits, _, - and ., \
                 starting with a letter or _"
            ))
        } else if variables.contains_key(&name) {
            Some(format!(
                "\"{name}\" is a secret variable, and [variables] has a value for it too: \
                 remove that value from the file (a secret's value lives in the keychain)"
            ))
        } else if names.contains(&name) {
            Some(format!("\"{name}\" is in secrets twice"))
        } else {
            None
        };
        if let Some(message) = problem {
            let (line, column) = line_and_column(text, span.start);
            return Err(Error::CollectionFile {
                path: file.display().to_string(),
                line,
                column,
                message,
            });
        }
        names.push(name);
    }
    Ok(names)
}

fn read_text(file: &Path) -> Result<String> {
    std::fs::read_to_string(file).map_err(|error| {
        let detail = if error.kind() == std::io::ErrorKind::NotFound {
            format!("it has no {COLLECTION_FILE}: not a collection (create one first)")
        } else {
            error.to_string()
        };
        storage("open the collection", file.parent().unwrap_or(file), detail)
    })
}

fn broken(file: &Path, text: &str, error: &toml::de::Error) -> Error {
    let (line, column) = error
        .span()
        .map_or((1, 1), |span| line_and_column(text, span.start));
    Error::CollectionFile {
        path: file.display().to_string(),
        line,
        column,
        message: first_line(error.message()),
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or(text).trim().to_string()
}

fn storage(action: &'static str, path: &Path, detail: String) -> Error {
    Error::Storage {
        action,
        path: path.display().to_string(),
        detail,
    }
}

pub(crate) fn join(folder: &str, file: &str) -> String {
    if folder.is_empty() {
        file.to_string()
    } else {
        format!("{folder}/{file}")
    }
}

/// A folder's or environment's name as a file name: readable, without path
/// separators, control characters or a leading dot.
pub fn file_safe(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_string();
    if cleaned.is_empty() || cleaned == ENVIRONMENTS_DIR {
        format!("{cleaned}_")
    } else {
        cleaned
    }
}

/// `dir/NAME` for a new collection called `name` (its name made safe for
/// a file), numbered (`NAME 2`, ...) until nothing is there.
pub fn free_dir(dir: &Path, name: &str) -> PathBuf {
    let safe = file_safe(name);
    let mut candidate = dir.join(&safe);
    let mut number = 2;
    while candidate.exists() {
        candidate = dir.join(format!("{safe} {number}"));
        number += 1;
    }
    candidate
}

/// A request's file name from its name: lower case, words joined by `-`.
pub(crate) fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    match slug.as_str() {
        "" => "request".to_string(),
        "collection" | "folder" => format!("{slug}-request"),
        _ => slug,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOAP: &str = "<soapenv:Envelope>\n  <soapenv:Body/>\n</soapenv:Envelope>\n";

    fn soap_request() -> SavedRequest {
        SavedRequest {
            id: String::new(),
            name: "Query accounts".into(),
            method: "post".into(),
            url: "callout:Acme/services/Soap/u/59.0".into(),
            headers: vec![Header::new("Content-Type", "text/xml")],
            body: Some(SOAP.into()),
            body_kind: BodyKind::Xml,
            sample: false,
            assertions: Vec::new(),
            extract: Vec::new(),
        }
    }

    #[test]
    fn a_request_is_written_readably_and_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let collection = Collection::create(dir.path(), "Acme").unwrap();
        assert_eq!(collection.name, "Acme");
        assert!(collection.items.is_empty());
        save_request(dir.path(), "Accounts/query.toml", &soap_request(), None).unwrap();
        let text = std::fs::read_to_string(dir.path().join("Accounts/query.toml")).unwrap();
        assert_eq!(
            text,
            "name = \"Query accounts\"\nmethod = \"POST\"\nurl = \"callout:Acme/services/Soap/u/59.0\"\n\
             \n[[header]]\nname = \"Content-Type\"\nvalue = \"text/xml\"\n\n[body]\nkind = \"xml\"\n\
             text = '''\n<soapenv:Envelope>\n  <soapenv:Body/>\n</soapenv:Envelope>\n'''\n"
        );
        let opened = Collection::open(dir.path()).unwrap();
        let Item::Folder(folder) = &opened.items[0] else {
            panic!("{opened:?}")
        };
        assert_eq!(
            (folder.name.as_str(), folder.path.as_str()),
            ("Accounts", "Accounts")
        );
        let found = opened.find("Accounts/Query accounts").unwrap();
        assert_eq!(found.path, "Accounts/query.toml");
        assert_eq!(found.request.body.as_deref(), Some(SOAP));
        assert_eq!(found.request.method, "POST");
        assert_eq!(found.request.body_kind, BodyKind::Xml);
        assert_eq!(opened.find("Accounts/query.toml"), Some(found));
    }

    #[test]
    fn saving_keeps_comments_and_refuses_a_file_changed_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        Collection::create(dir.path(), "Acme").unwrap();
        let file = dir.path().join("ping.toml");
        std::fs::write(
            &file,
            "# Ask the org whether it is up.\nmethod = \"GET\" # always GET\nurl = \"callout:Acme/ping\"\nseq = 3\n",
        )
        .unwrap();
        let read = read_request(&file, "ping.toml".into()).unwrap();
        assert_eq!((read.request.name.as_str(), read.seq), ("ping", Some(3)));
        let mut changed = read.request.clone();
        changed.url = "callout:Acme/health".into();
        let stamp = save_request(dir.path(), "ping.toml", &changed, Some(read.stamp)).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("# Ask the org whether it is up.\n"),
            "{text}"
        );
        assert!(text.contains("method = \"GET\" # always GET"), "{text}");
        assert!(text.contains("url = \"callout:Acme/health\""), "{text}");
        assert!(text.contains("seq = 3"), "{text}");

        // Someone else edits it: the old stamp no longer saves.
        std::fs::write(&file, text.replace("health", "status")).unwrap();
        let refused = save_request(dir.path(), "ping.toml", &changed, Some(stamp)).unwrap_err();
        assert!(matches!(refused, Error::ChangedOnDisk { .. }), "{refused}");
        assert!(std::fs::read_to_string(&file).unwrap().contains("status"));
        // A new request may not replace an existing file either.
        let taken = save_request(dir.path(), "ping.toml", &changed, None).unwrap_err();
        assert!(matches!(taken, Error::ChangedOnDisk { .. }), "{taken}");
    }

    #[test]
    fn assertions_and_extractions_are_read_kept_with_their_comments_and_written() {
        use crate::assertion::{Assertion, Check, ExtractFrom, Subject};
        let dir = tempfile::tempdir().unwrap();
        Collection::create(dir.path(), "Acme").unwrap();
        let file = dir.path().join("query.toml");
        let written = "method = \"GET\"\nurl = \"callout:Acme/q\"\n\n\
             # The org answers at all.\n[[assert]]\nstatus = \"2xx\" # any success\n\n\
             [[assert]]\njson = \"$.records[0].Id\"\nexists = true\n\n\
             [[extract]]\nvariable = \"account_id\"\njson = \"$.records[0].Id\"\n";
        std::fs::write(&file, written).unwrap();
        let read = read_request(&file, "query.toml".into()).unwrap();
        assert_eq!(
            read.request.assertions,
            [
                Assertion {
                    subject: Subject::Status,
                    path: String::new(),
                    check: Check::Equals,
                    value: "2xx".into(),
                },
                Assertion {
                    subject: Subject::Json,
                    path: "$.records[0].Id".into(),
                    check: Check::Exists,
                    value: String::new(),
                },
            ]
        );
        assert_eq!(read.request.extract[0].from, ExtractFrom::Json);

        // Saved unchanged: the file is left byte for byte, comments and all.
        let stamp =
            save_request(dir.path(), "query.toml", &read.request, Some(read.stamp)).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), written);

        // One more assertion: written as a person would write it.
        let mut changed = read.request.clone();
        changed.assertions.push(Assertion {
            subject: Subject::Time,
            path: String::new(),
            check: Check::LessThan,
            value: "800".into(),
        });
        save_request(dir.path(), "query.toml", &changed, Some(stamp)).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("[[assert]]\ntime_under_ms = 800\n"), "{text}");
        let again = read_request(&file, "query.toml".into()).unwrap();
        assert_eq!(again.request.assertions, changed.assertions);
        assert_eq!(again.request.extract, changed.extract);
    }

    #[test]
    fn a_broken_assertion_is_named_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("query.toml");
        std::fs::write(
            &file,
            "method = \"GET\"\nurl = \"https://x.example/\"\n\n[[assert]]\nstatus = 200\n\n[[assert]]\njson = \"$.id\"\n",
        )
        .unwrap();
        let error = read_request(&file, "query.toml".into())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("line 7") && error.contains("needs what to check"),
            "{error}"
        );
    }

    #[test]
    fn any_body_reads_back_exactly_as_it_was_saved() {
        let dir = tempfile::tempdir().unwrap();
        Collection::create(dir.path(), "Acme").unwrap();
        let bodies = [
            r#"{"a": "b\\c"}"#,
            "<a x=\"1\">\n\t'quoted'\n</a>",
            "ends with a quote'\nreally'",
            "three quotes ''' inside\nand more",
            "windows\r\nline ends\r\n",
            "\nstarts with a newline\n",
            "unicode \u{e9} \u{2713}\n\u{1}control\n",
            "",
        ];
        for (index, body) in bodies.into_iter().enumerate() {
            let mut request = soap_request();
            request.body = Some(body.to_string());
            let path = format!("r{index}.toml");
            save_request(dir.path(), &path, &request, None).unwrap();
            let read = read_request(&dir.path().join(&path), path.clone()).unwrap();
            assert_eq!(read.request.body.as_deref(), Some(body), "{path}");
        }
    }

    #[test]
    fn variables_come_from_the_request_its_folders_the_environment_then_the_collection() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(COLLECTION_FILE),
            "name = \"Acme\"\n[variables]\na = \"collection\"\nb = \"collection\"\nc = \"collection\"\nd = \"collection\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("Outer/Inner")).unwrap();
        std::fs::write(
            dir.path().join("Outer/folder.toml"),
            "[variables]\nb = \"outer\"\nc = \"outer\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("Outer/Inner/folder.toml"),
            "[variables]\nb = \"inner\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("Outer/Inner/r.toml"),
            "method = \"GET\"\nurl = \"https://x.example/{{a}}/{{b}}/{{c}}/{{d}}\"\n[variables]\na = \"request\"\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join(ENVIRONMENTS_DIR)).unwrap();
        std::fs::write(
            dir.path().join("environments/Dev.toml"),
            "[variables]\nc = \"dev\"\nd = \"dev\"\n",
        )
        .unwrap();
        let collection = Collection::open(dir.path()).unwrap();
        assert_eq!(collection.environments().unwrap(), ["Dev"]);
        let file = collection.request("Outer/Inner/r").unwrap();
        let url = |environment: Option<&str>, overrides: &[(&str, &str)]| {
            let overrides = overrides
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let variables = collection
                .variables_for(file, environment, overrides)
                .unwrap();
            variables.apply(&file.request.draft()).unwrap().0.url
        };
        assert_eq!(
            url(None, &[]),
            "https://x.example/request/inner/outer/collection"
        );
        assert_eq!(
            url(Some("Dev"), &[]),
            "https://x.example/request/inner/outer/dev"
        );
        assert_eq!(
            url(Some("Dev"), &[("a", "cli")]),
            "https://x.example/cli/inner/outer/dev"
        );
        let missing = collection
            .variables_for(file, Some("Prod"), BTreeMap::new())
            .unwrap_err();
        assert!(missing.to_string().contains("it has: Dev"), "{missing}");
    }

    /// A collection "Acme/EU" whose own secret is `api_key` and whose
    /// environment Dev's is `password`, and a request using both.
    fn collection_with_secrets(dir: &Path) -> Collection {
        std::fs::write(
            dir.join(COLLECTION_FILE),
            "name = \"Acme/EU\"\nsecrets = [\"api_key\"]\n[variables]\nhost = \"x.example\"\n",
        )
        .unwrap();
        std::fs::create_dir(dir.join(ENVIRONMENTS_DIR)).unwrap();
        std::fs::write(
            dir.join("environments/Dev.toml"),
            "# the test org\nsecrets = [\"password\"]\n\n[variables]\nuser = \"me\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("login.toml"),
            "method = \"POST\"\nurl = \"https://{{host}}/login?key={{api_key}}\"\n\
             [[header]]\nname = \"X-Login\"\nvalue = \"{{user}}:{{password}}\"\n\
             [body]\ntext = \"password={{password}}\"\n",
        )
        .unwrap();
        Collection::open(dir).unwrap()
    }

    #[test]
    fn secrets_are_named_in_the_files_and_a_preview_masks_them_without_the_keychain() {
        let dir = tempfile::tempdir().unwrap();
        let collection = collection_with_secrets(dir.path());
        assert_eq!(collection.secrets, ["api_key"]);
        assert_eq!(collection.secrets(Some("Dev")).unwrap(), ["password"]);
        assert_eq!(
            collection
                .environment("Dev")
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["user"]
        );
        assert_eq!(
            collection.secret_account(Some("Dev"), "password"),
            "variable:Acme%2FEU/Dev/password"
        );
        assert_eq!(
            collection.secret_account(None, "api_key"),
            "variable:Acme%2FEU/api_key"
        );

        let file = collection.request("login.toml").unwrap();
        let filled = collection
            .fill(
                file,
                &file.request.draft(),
                Some("Dev"),
                BTreeMap::new(),
                SecretSource::Masked,
            )
            .unwrap();
        assert_eq!(
            filled.draft.url,
            "https://x.example/login?key=[secret api_key]"
        );
        assert_eq!(filled.draft.headers[0].value, "me:[secret password]");
        assert_eq!(
            filled.draft.body.as_deref(),
            Some("password=[secret password]")
        );
        assert!(filled.secrets.is_empty());
        let shown: Vec<(&str, &str, &str, bool)> = filled
            .resolved
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.scope.as_str(),
                    r.value.as_str(),
                    r.secret,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("api_key", "collection", "[secret api_key]", true),
                ("host", "collection", "x.example", false),
                ("password", "environment Dev", "[secret password]", true),
                ("user", "environment Dev", "me", false),
            ]
        );
        // Overridden on the command line, a name is no secret there.
        let overridden = collection
            .fill(
                file,
                &file.request.draft(),
                Some("Dev"),
                [("password".to_string(), "given".to_string())].into(),
                SecretSource::Masked,
            )
            .unwrap();
        assert_eq!(overridden.draft.headers[0].value, "me:given");
    }

    #[test]
    fn a_secret_with_a_value_in_the_file_or_a_bad_name_is_named_at_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let collection = collection_with_secrets(dir.path());
        let env = dir.path().join("environments/Dev.toml");
        std::fs::write(
            &env,
            "secrets = [\"user\", \"password\"]\n[variables]\npassword = \"leaked\"\n",
        )
        .unwrap();
        let error = collection.environment("Dev").unwrap_err();
        let Error::CollectionFile {
            line,
            column,
            message,
            ..
        } = &error
        else {
            panic!("{error}")
        };
        assert_eq!((*line, *column), (1, 20), "{message}");
        assert!(
            message.contains("\"password\" is a secret variable"),
            "{message}"
        );
        std::fs::write(
            dir.path().join(COLLECTION_FILE),
            "name = \"Acme\"\nsecrets = [\"not a name\"]\n",
        )
        .unwrap();
        let error = Collection::open(dir.path()).unwrap_err().to_string();
        assert!(error.contains("line 2, column 12"), "{error}");
        assert!(error.contains("is not a variable name"), "{error}");
    }

    /// A keychain of its own (the real one: Secret Service in the test
    /// session), so tests never meet each other's or a person's entries.
    fn test_vault() -> Vault {
        Vault::new(format!("callout-lab-test-{}", uuid::Uuid::new_v4()))
    }

    #[test]
    fn a_secret_is_kept_in_the_keychain_sent_from_there_and_removed_from_both() {
        let dir = tempfile::tempdir().unwrap();
        let collection = collection_with_secrets(dir.path());
        let vault = test_vault();
        let env = dir.path().join("environments/Dev.toml");
        std::fs::write(
            &env,
            "# the test org\n[variables]\nuser = \"me\"\npassword = \"in-the-file\" # oops\n",
        )
        .unwrap();
        let value = Secret::new("s3cret {{not a var}} value");
        assert!(
            collection
                .set_secret(&vault, Some("Dev"), "password", &value)
                .unwrap(),
            "the plain value was there"
        );
        let text = std::fs::read_to_string(&env).unwrap();
        assert_eq!(
            text,
            "# the test org\nsecrets = [\"password\"]\n\n[variables]\nuser = \"me\"\n"
        );
        assert!(
            set_variable(&env, "password", Some("plain")).is_err(),
            "a secret is not set in the file"
        );
        collection
            .set_secret(
                &vault,
                None,
                "api_key",
                &Secret::new("k3y-0f-the-collection"),
            )
            .unwrap();
        let own = std::fs::read_to_string(dir.path().join(COLLECTION_FILE)).unwrap();
        assert!(
            own.starts_with("name = \"Acme/EU\"\nsecrets = [\"api_key\"]\n"),
            "declared once: {own}"
        );
        assert_eq!(
            vault
                .read("variable:Acme%2FEU/Dev/password")
                .unwrap()
                .as_ref()
                .map(Secret::expose),
            Some(value.expose())
        );

        let collection = Collection::open(dir.path()).unwrap();
        let file = collection.request("login.toml").unwrap();
        let send = |collection: &Collection| {
            collection.fill(
                file,
                &file.request.draft(),
                Some("Dev"),
                BTreeMap::new(),
                SecretSource::Keychain(&vault),
            )
        };
        let filled = send(&collection).unwrap();
        assert_eq!(
            filled.draft.url,
            "https://x.example/login?key=k3y-0f-the-collection"
        );
        assert_eq!(
            filled.draft.headers[0].value,
            "me:s3cret {{not a var}} value"
        );
        assert_eq!(
            filled.secrets.get("password").map(Secret::expose),
            Some(value.expose())
        );
        assert!(
            filled
                .resolved
                .iter()
                .all(|r| !r.value.contains("s3cret") && !r.value.contains("k3y")),
            "{:?}",
            filled.resolved
        );
        assert!(!format!("{filled:?}").contains("s3cret"), "{filled:?}");

        assert!(
            collection
                .unset_secret(&vault, Some("Dev"), "password")
                .unwrap()
        );
        assert!(
            !collection
                .unset_secret(&vault, Some("Dev"), "password")
                .unwrap()
        );
        assert_eq!(
            std::fs::read_to_string(&env).unwrap(),
            "# the test org\n[variables]\nuser = \"me\"\n"
        );
        assert_eq!(vault.read("variable:Acme%2FEU/Dev/password").unwrap(), None);

        // Declared (a clone of the collection from git), but never set here.
        std::fs::write(
            &env,
            "secrets = [\"password\"]\n[variables]\nuser = \"me\"\n",
        )
        .unwrap();
        let missing = send(&collection).unwrap_err();
        assert!(
            matches!(&missing, Error::MissingSecret { name, .. } if name == "password"),
            "{missing}"
        );
        let message = missing.to_string();
        assert!(
            message.contains(
                "secret variable {{password}} of environment Dev of collection \"Acme/EU\""
            ),
            "{message}"
        );
        assert!(
            message.contains("(`callout env set password --secret --env Dev`)"),
            "{message}"
        );
        assert!(collection.unset_secret(&vault, None, "api_key").unwrap());
        assert!(
            !std::fs::read_to_string(dir.path().join(COLLECTION_FILE))
                .unwrap()
                .contains("secrets")
        );
    }

    #[test]
    fn a_variable_is_set_and_removed_in_place_keeping_comments() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("Dev.toml");
        std::fs::write(
            &file,
            "# the org we test against\n[variables]\nendpoint = \"x\" # bound later\n",
        )
        .unwrap();
        assert!(set_variable(&file, "endpoint", Some("callout:Acme")).unwrap());
        assert!(!set_variable(&file, "endpoint", Some("callout:Acme")).unwrap());
        assert!(set_variable(&file, "version", Some("59.0")).unwrap());
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("# the org we test against\n"), "{text}");
        assert!(
            text.contains("endpoint = \"callout:Acme\" # bound later"),
            "{text}"
        );
        assert!(set_variable(&file, "version", None).unwrap());
        assert!(!set_variable(&file, "version", None).unwrap());
        assert!(set_variable(&file, "not a name", Some("x")).is_err());
    }

    #[test]
    fn requests_are_ordered_by_seq_then_name_and_reserved_files_are_not_requests() {
        let dir = tempfile::tempdir().unwrap();
        Collection::create(dir.path(), "Acme").unwrap();
        for (file, text) in [
            (
                "b.toml",
                "name = \"Bravo\"\nmethod = \"GET\"\nurl = \"https://x.example\"\n",
            ),
            (
                "a.toml",
                "name = \"Alpha\"\nmethod = \"GET\"\nurl = \"https://x.example\"\n",
            ),
            (
                "z.toml",
                "name = \"Zulu\"\nmethod = \"GET\"\nurl = \"https://x.example\"\nseq = 1\n",
            ),
            ("folder.toml", "anything = true\n"),
            ("notes.md", "not a request"),
        ] {
            std::fs::write(dir.path().join(file), text).unwrap();
        }
        std::fs::create_dir(dir.path().join(ENVIRONMENTS_DIR)).unwrap();
        std::fs::write(dir.path().join("environments/Dev.toml"), "x = 1\n").unwrap();
        let names: Vec<String> = Collection::open(dir.path())
            .unwrap()
            .requests()
            .iter()
            .map(|file| file.request.name.clone())
            .collect();
        assert_eq!(names, ["Zulu", "Alpha", "Bravo"]);
    }

    #[test]
    fn a_broken_request_file_is_named_with_its_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        Collection::create(dir.path(), "Acme").unwrap();
        std::fs::write(
            dir.path().join("bad.toml"),
            "method = \"GET\"\nurl = \"https://x.example\"\nheadr = 1\n",
        )
        .unwrap();
        let collection = Collection::open(dir.path()).unwrap();
        assert_eq!(collection.unreadable().len(), 1, "the rest stays usable");
        let error = collection.request("bad.toml").unwrap_err();
        let Error::CollectionFile {
            path,
            line,
            column,
            message,
        } = &error
        else {
            panic!("{error}")
        };
        assert!(path.ends_with("bad.toml"), "{path}");
        assert_eq!((*line, *column), (3, 1), "{message}");
        assert!(message.contains("headr"), "{message}");
        assert!(
            error
                .to_string()
                .contains("does not overwrite a file it cannot read")
        );
    }

    #[test]
    fn a_path_must_stay_inside_the_collection_and_off_its_reserved_names() {
        let root = Path::new("/tmp/acme");
        for path in [
            "../x.toml",
            "a//b.toml",
            "x.json",
            "folder.toml",
            "environments/Dev.toml",
            COLLECTION_FILE,
        ] {
            assert!(request_path(root, path).is_err(), "{path}");
        }
        assert_eq!(
            request_path(root, "Accounts/query.toml").unwrap(),
            root.join("Accounts").join("query.toml")
        );
    }

    #[test]
    fn a_directory_without_its_collection_file_is_not_a_collection() {
        let dir = tempfile::tempdir().unwrap();
        let error = Collection::open(dir.path()).unwrap_err();
        assert!(error.to_string().contains("not a collection"), "{error}");
        Collection::create(dir.path(), "Acme").unwrap();
        assert!(Collection::create(dir.path(), "Again").is_err());
    }
}

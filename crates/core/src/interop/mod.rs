//! Moving requests in and out: curl commands, Apex snippets for Salesforce,
//! Postman collections.

pub mod apex;
pub mod curl;
pub mod postman;
pub mod shell;

use serde::Serialize;
use ts_rs::TS;

use crate::Result;
use crate::credential_store::CredentialStore;
use crate::requests::{RequestStore, SavedRequest};
use crate::send::Draft;

/// A request read from a curl command, named and ready to save, and what of
/// the command was left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportedRequest {
    pub request: SavedRequest,
    pub notes: Vec<String>,
}

/// Reads a curl command into an unsaved request named `name` (default: the
/// method and the URL's path).
pub fn request_from_curl(
    command: &str,
    name: Option<&str>,
    read_file: &dyn Fn(&std::path::Path) -> std::io::Result<String>,
) -> Result<ImportedRequest> {
    let imported = curl::import(command, read_file)?;
    let name = match name {
        Some(name) if !name.trim().is_empty() => name.trim().to_string(),
        _ => default_name(&imported.draft),
    };
    Ok(ImportedRequest {
        request: SavedRequest::from_draft("", &name, imported.draft),
        notes: imported.notes,
    })
}

/// "POST /services/Soap/u/59.0": the method and the URL's path.
fn default_name(draft: &Draft) -> String {
    let path = url::Url::parse(&draft.url)
        .ok()
        .filter(|url| url.has_host())
        .map_or_else(|| draft.url.clone(), |url| url.path().to_string());
    format!("{} {path}", draft.method)
}

/// What saving a Postman collection did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CollectionImport {
    pub name: String,
    pub requests: Vec<SavedRequest>,
    /// Credential definitions added (without secrets).
    pub credentials_added: Vec<String>,
    /// Credentials the collection describes that exist already, left as they are.
    pub credentials_kept: Vec<String>,
    pub notes: Vec<String>,
}

/// Saves a collection's requests and adds its credential drafts that do not
/// exist yet; `dry_run` saves nothing and says what would happen.
pub fn save_collection(
    collection: postman::Collection,
    credentials: &CredentialStore,
    requests: &RequestStore,
    dry_run: bool,
) -> Result<CollectionImport> {
    let known = credentials.load()?;
    let (kept, added): (Vec<_>, Vec<_>) = collection
        .credentials
        .into_iter()
        .partition(|credential| known.get(&credential.name).is_ok());
    let mut saved = Vec::new();
    if dry_run {
        saved = collection.requests;
    } else {
        for credential in &added {
            credentials.add(credential.clone())?;
        }
        for request in collection.requests {
            saved.push(requests.save(request)?);
        }
    }
    Ok(CollectionImport {
        name: collection.name,
        requests: saved,
        credentials_added: added.into_iter().map(|c| c.name).collect(),
        credentials_kept: kept.into_iter().map(|c| c.name).collect(),
        notes: collection.notes,
    })
}

/// The forms a request can be exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ExportFormat {
    Curl,
    Apex,
}

/// `draft` as a curl command or an Apex snippet.
pub fn export(
    draft: &Draft,
    credentials: &crate::credential::CredentialSet,
    format: ExportFormat,
) -> Result<String> {
    match format {
        ExportFormat::Curl => curl::export(draft, credentials),
        ExportFormat::Apex => apex::export(draft, credentials),
    }
}

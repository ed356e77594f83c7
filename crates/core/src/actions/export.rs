//! Taking work out to Salesforce: a credential as metadata files to
//! deploy (`callout credential export`), and recorded responses as Apex
//! test mocks (`callout history mock`). The app and the CLI both end here.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use crate::credential_store::{CredentialStore, write_atomically};
use crate::history::History;
use crate::interop::apex_mock::{self, Recorded};
use crate::interop::sfdx;
use crate::{Error, Result};

/// What exporting a credential as Salesforce metadata wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MetadataExport {
    /// The project directory written into.
    pub root: String,
    /// Each file, relative to the root, `/`-separated.
    pub files: Vec<String>,
    /// The files that existed and were replaced.
    pub replaced: Vec<String>,
    /// What the files leave out of the credential, one sentence each.
    pub notes: Vec<String>,
}

/// Writes credential `name` as Salesforce metadata files (SFDX source
/// layout) into the project directory `out`, made if missing. Every file is
/// checked and made before any is written; each is written whole (a
/// temporary file renamed into place).
pub fn export_credential(
    store: &CredentialStore,
    name: &str,
    out: &Path,
) -> Result<MetadataExport> {
    let credentials = store.load()?;
    let credential = credentials.get(name)?;
    let files = sfdx::export(credential)?;
    let replaced = write_files(out, &files)?;
    Ok(MetadataExport {
        root: out.display().to_string(),
        files: files.into_iter().map(|(relative, _)| relative).collect(),
        replaced,
        notes: sfdx::export_notes(credential),
    })
}

/// Writes each `(relative path, text)` of `files` under `root`, making
/// folders as needed, each file whole (a temporary file renamed into
/// place). Returns the paths that existed and were replaced.
fn write_files(root: &Path, files: &[(String, String)]) -> Result<Vec<String>> {
    let replaced = files
        .iter()
        .filter(|(relative, _)| root.join(relative).exists())
        .map(|(relative, _)| relative.clone())
        .collect();
    for (relative, text) in files {
        let path = root.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|error| Error::Storage {
                action: "create",
                path: parent.display().to_string(),
                detail: error.to_string(),
            })?;
        }
        write_atomically(&path, text.as_bytes())?;
    }
    Ok(replaced)
}

/// Which recorded responses a mock answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockFrom {
    /// History ids, in the order the mock answers with their responses.
    pub ids: Vec<i64>,
    /// Only each send's final response, not every attempt's (a session
    /// fault refreshed and retried is two attempts).
    pub final_only: bool,
}

/// The responses `from` names, in order.
pub fn recorded(history: &History, from: &MockFrom) -> Result<Vec<Recorded>> {
    if from.ids.is_empty() {
        return Err(Error::Export {
            format: "an Apex test mock",
            detail: "name at least one send of the history (callout history lists them)".into(),
        });
    }
    let mut responses = Vec::new();
    for id in &from.ids {
        let kept = history.get(*id)?;
        responses.extend(apex_mock::recorded_from_history(&kept, !from.final_only)?);
    }
    Ok(responses)
}

/// An Apex `HttpCalloutMock` class named `class_name` answering with the
/// responses `from` names, in turn.
pub fn http_callout_mock(history: &History, from: &MockFrom, class_name: &str) -> Result<String> {
    apex_mock::http_callout_mock(class_name, &recorded(history, from)?)
}

/// What writing static-resource mocks made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StaticResourcesExport {
    /// The project directory written into.
    pub root: String,
    /// Each file, relative to the root, `/`-separated.
    pub files: Vec<String>,
    /// The files that existed and were replaced.
    pub replaced: Vec<String>,
    /// The Apex that sets up `StaticResourceCalloutMock`s over them.
    pub snippet: String,
}

/// The responses `from` names as static resources `NAME_1`, `NAME_2`, ...
/// in the SFDX project at `out` (made if missing), and the Apex that mocks
/// callouts with them. Every file is made before any is written.
pub fn static_resource_mocks(
    history: &History,
    from: &MockFrom,
    name: &str,
    out: &Path,
) -> Result<StaticResourcesExport> {
    let responses = recorded(history, from)?;
    let files = apex_mock::static_resources(name, &responses)?;
    let snippet = apex_mock::static_resource_snippet(name, &responses)?;
    let replaced = write_files(out, &files)?;
    Ok(StaticResourcesExport {
        root: out.display().to_string(),
        files: files.into_iter().map(|(relative, _)| relative).collect(),
        replaced,
        snippet,
    })
}

//! The Import menu: work another tool wrote (an OpenAPI document, a WSDL,
//! an Insomnia or Bruno collection, a HAR recording, Salesforce metadata)
//! read by core's one import action, previewed (a dry run) or made a
//! collection and credential drafts. curl and Postman keep their own
//! commands (`interop::import_curl`, `collections::import_postman_collection`).

use std::path::{Path, PathBuf};

use callout_core::actions::import::{self, ImportInput, ImportKind, ImportOptions, ImportReport};
use tauri::{AppHandle, Runtime, State};

use super::{Reply, report};
use crate::state::AppState;
use crate::watch;

/// Imports `input` as `kind` into a new collection in the app's
/// collections directory (opened) with its credential drafts; with
/// `dry_run`, only says what it would make. A URL is fetched through the
/// app's client (its proxies and trust).
#[tauri::command]
pub async fn import_work<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    kind: ImportKind,
    input: ImportInput,
    dry_run: bool,
) -> Reply<ImportReport> {
    let input = match input {
        ImportInput::Path { path } => ImportInput::Path {
            path: expand(&path).display().to_string(),
        },
        other => other,
    };
    let options = ImportOptions {
        dry_run,
        into: None,
    };
    let imported = import::import(
        &state.workbench,
        state.service.store(),
        state.sender.client(),
        kind,
        &input,
        &options,
    )
    .await
    .map_err(report)?;
    if !dry_run {
        watch::check_now(&app);
    }
    Ok(imported)
}

/// A path as typed: `~/` is the user's home; surrounding spaces go.
pub(crate) fn expand(path: &str) -> PathBuf {
    let path = path.trim();
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_path_starting_at_home_is_expanded_and_a_url_is_kept() {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        if let Some(home) = home {
            assert_eq!(expand(" ~/sfdx/app "), home.join("sfdx/app"));
        }
        assert_eq!(
            expand("https://example.com/~/openapi.yaml"),
            PathBuf::from("https://example.com/~/openapi.yaml")
        );
        assert_eq!(expand("/tmp/a b.yaml "), PathBuf::from("/tmp/a b.yaml"));
    }
}

//! Requests in and out of the editor: a pasted curl command, a Postman
//! collection, and a request exported as curl or Apex.

use callout_core::interop::{self, CollectionImport, ExportFormat, ImportedRequest, postman};
use callout_core::send::Draft;
use tauri::{AppHandle, Runtime, State};

use super::{Reply, report};
use crate::state::AppState;
use crate::watch;

/// Reads a pasted curl command into an unsaved request (the editor opens it).
#[tauri::command]
pub fn import_curl(command: String) -> Reply<ImportedRequest> {
    // A pasted command has no working directory: `-d @file` cannot be read.
    let no_files = |path: &std::path::Path| -> std::io::Result<String> {
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            format!(
                "the app does not read files named in a pasted command; paste the body of {} \
                 with --data-raw instead",
                path.display()
            ),
        ))
    };
    interop::request_from_curl(&command, None, &no_files).map_err(report)
}

/// Saves a Postman collection's requests and adds its OAuth 2 settings as
/// credential definitions (never its secrets).
// Off the main thread: it writes the disk and reads the keychain.
#[tauri::command(async)]
pub fn import_postman<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    json: String,
) -> Reply<CollectionImport> {
    let collection = postman::import(&json).map_err(report)?;
    let imported =
        interop::save_collection(collection, state.service.store(), &state.requests, false)
            .map_err(report)?;
    watch::check_now(&app);
    Ok(imported)
}

/// The draft as a curl command (the token from `callout token`) or an Apex snippet.
// Off the main thread: it reads the credentials file.
#[tauri::command(async)]
pub fn export_request(
    state: State<'_, AppState>,
    draft: Draft,
    format: ExportFormat,
) -> Reply<String> {
    let credentials = state.service.store().load().map_err(report)?;
    interop::export(&draft, &credentials, format).map_err(report)
}

//! Requests in and out of the editor: a pasted curl command, a Postman
//! collection, and a request exported as curl or Apex.

use callout_core::interop::{self, ExportFormat, ImportedRequest};
use callout_core::send::Draft;
use tauri::State;

use super::{Reply, report};
use crate::state::AppState;

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

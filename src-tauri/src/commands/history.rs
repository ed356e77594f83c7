//! The history: every send kept, listed overall or per saved request,
//! opened whole, compared, sent again, and made an Apex test mock.

use callout_core::actions;
use callout_core::actions::export::{self, MockFrom};
use callout_core::history::{History, Kept, Sent};
use callout_core::send::Report;
use tauri::{AppHandle, Runtime, State};

use super::{Reply, report};
use crate::state::AppState;
use crate::watch;

/// The newest sends first, at most `limit`; of one saved request
/// ("Collection/Folder/Request") when `request` names one.
// Off the main thread: it reads the disk.
#[tauri::command(async)]
pub fn history(
    state: State<'_, AppState>,
    request: Option<String>,
    limit: u32,
) -> Reply<Vec<Sent>> {
    let history = History::open(&state.home).map_err(report)?;
    history
        .list(request.as_deref(), limit.clamp(1, 1_000))
        .map_err(report)
}

/// One kept send, whole: its report as the response pane shows it.
#[tauri::command(async)]
pub fn history_entry(state: State<'_, AppState>, id: u32) -> Reply<Kept> {
    History::open(&state.home)
        .and_then(|history| history.get(id.into()))
        .map_err(report)
}

/// What changed from send `before` to send `after` (a unified diff).
#[tauri::command(async)]
pub fn history_diff(state: State<'_, AppState>, before: u32, after: u32) -> Reply<String> {
    History::open(&state.home)
        .and_then(|history| history.diff(before.into(), after.into()))
        .map_err(report)
}

/// Sends the request of a kept send again, as it was written (merge fields
/// filled in afresh), kept in the history under the same request.
#[tauri::command]
pub async fn send_again<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: u32,
) -> Reply<Report> {
    let (draft, label) = History::open(&state.home)
        .and_then(|history| history.draft(id.into()))
        .map_err(report)?;
    let outcome =
        actions::send::send_labelled(&state.sender, &state.service, &draft, None, &label).await;
    watch::check_now(&app);
    outcome.map(|outcome| outcome.report()).map_err(report)
}

/// An Apex `HttpCalloutMock` class named `class_name` answering, in turn,
/// with the responses of the kept sends `ids`: every attempt of each
/// (a refreshed and retried send is two), or with `final_only` its last.
// Off the main thread: it reads the disk.
#[tauri::command(async)]
pub fn apex_mock(
    state: State<'_, AppState>,
    ids: Vec<u32>,
    class_name: String,
    final_only: bool,
) -> Reply<String> {
    let from = MockFrom {
        ids: ids.into_iter().map(i64::from).collect(),
        final_only,
    };
    History::open(&state.home)
        .and_then(|history| export::http_callout_mock(&history, &from, class_name.trim()))
        .map_err(report)
}

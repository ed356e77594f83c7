//! The request editor's unsaved drafts (a template, a pasted curl): a
//! preview that renders without sending, and sending through the whole
//! pipeline (live token, verdict, refresh and retry once, timeline).

use callout_core::actions;
use callout_core::requests::{self, Preview};
use callout_core::send::{Draft, Report};
use tauri::{AppHandle, Runtime, State};

use super::{Reply, report};
use crate::state::AppState;
use crate::watch;

/// Renders the draft as it would be sent (secrets masked); never sends.
// Off the main thread: it reads the keychain or the disk.
#[tauri::command(async)]
pub fn preview_request(state: State<'_, AppState>, draft: Draft) -> Preview {
    requests::preview(state.service.store(), &draft)
}

/// Sends the draft (core's send action). A draft that cannot be rendered
/// (an unknown merge field, a bad URL) is rejected with the place of the
/// error before anything is sent — not even a token refresh.
#[tauri::command]
pub async fn send_request<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    draft: Draft,
) -> Reply<Report> {
    let outcome = actions::send::send(&state.sender, &state.service, &draft, None).await;
    // What the send recorded (and a refresh it led to) is told before it answers.
    watch::check_now(&app);
    outcome.map(|outcome| outcome.report()).map_err(report)
}

//! The refresh timeline: filtered events, and an export as JSON lines.

use callout_core::timeline::{self, Event, Timeline};
use callout_core::views::{self, TimelineQuery};
use callout_core::{Error, Result};
use tauri::State;

use super::{Reply, report};
use crate::state::AppState;

fn the_timeline(state: &AppState) -> Result<&Timeline> {
    state
        .service
        .timeline()
        .map(|timeline| timeline.as_ref())
        .ok_or_else(|| Error::Storage {
            action: "open the timeline in",
            path: state.home.data_dir().display().to_string(),
            detail: "the app started without one".into(),
        })
}

/// The events the query selects, oldest first.
// Off the main thread: it reads the keychain or the disk.
#[tauri::command(async)]
pub fn timeline(state: State<'_, AppState>, query: TimelineQuery) -> Reply<Vec<Event>> {
    the_timeline(&state)
        .and_then(|timeline| timeline.query(&timeline::Query::from(&query)))
        .map_err(report)
}

/// Writes the events the query selects to a `.jsonl` file in the data
/// directory's `exports/`; answers its absolute path.
// Off the main thread: it reads the keychain or the disk.
#[tauri::command(async)]
pub fn export_timeline(state: State<'_, AppState>, query: TimelineQuery) -> Reply<String> {
    let dir = state.home.data_dir().join("exports");
    the_timeline(&state)
        .and_then(|timeline| views::export_timeline(timeline, &query, &dir))
        .map(|path| path.display().to_string())
        .map_err(report)
}

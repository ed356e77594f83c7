//! The refresh timeline: filtered events a page at a time, an export as
//! JSON lines, and a timeline file that cannot be used moved aside.

use std::time::SystemTime;

use crate::views::{self, TimelineQuery};
use callout_core::timeline::{Event, Timeline, TimelineTrouble};
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

/// One page of the events the query selects, oldest first: the newest
/// `limit` (at most [`views::TIMELINE_PAGE_MAX`]) before its cursor.
// Off the main thread: it reads the keychain or the disk.
#[tauri::command(async)]
pub fn timeline(state: State<'_, AppState>, query: TimelineQuery) -> Reply<Vec<Event>> {
    the_timeline(&state)
        .and_then(|timeline| views::timeline_page(timeline, &query))
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

/// Why the timeline file is not in use (events are kept in memory
/// meanwhile), or `null` while it is.
#[tauri::command]
pub fn timeline_trouble(state: State<'_, AppState>) -> Reply<Option<TimelineTrouble>> {
    the_timeline(&state).map(Timeline::trouble).map_err(report)
}

/// Renames the timeline file that is not in use and starts a fresh one
/// holding what was kept in memory; answers where the old file went, or
/// `null` when the file is sound again (moved aside by `callout`).
// Off the main thread: it renames, creates and checks files.
#[tauri::command(async)]
pub fn move_timeline_aside(state: State<'_, AppState>) -> Reply<Option<String>> {
    the_timeline(&state)
        .and_then(|timeline| timeline.move_aside(SystemTime::now()))
        .map(|moved| moved.map(|path| path.display().to_string()))
        .map_err(report)
}

//! The app's settings.

use callout_core::settings::Settings;
use tauri::State;

use super::{Reply, report};
use crate::state::AppState;

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Settings {
    state.settings()
}

/// Validates, stores and applies the settings (the keeper's next run uses
/// the new margin; the next copy the new clipboard time).
// Off the main thread: it reads the keychain or the disk.
#[tauri::command(async)]
pub fn save_settings(state: State<'_, AppState>, settings: Settings) -> Reply<Settings> {
    state.save_settings(&settings).map_err(report)
}

//! About the app itself: version, keychain self-check, the embedded sandbox.

use callout_core::about::{self, AppInfo, KeychainCheck};
use callout_sandbox::embedded::SandboxInfo;
use callout_core::{Error, ErrorReport};
use tauri::State;

use super::{Reply, report};
use crate::state::AppState;

#[tauri::command]
pub fn app_info() -> AppInfo {
    about::app_info()
}

/// A real store/read/delete round trip through the OS keychain. Runs off the
/// UI thread: the keychain answers over D-Bus and may prompt to unlock.
#[tauri::command]
pub async fn check_keychain(state: State<'_, AppState>) -> Reply<KeychainCheck> {
    let vault = state.home.vault();
    tauri::async_runtime::spawn_blocking(move || about::check_keychain(&vault))
        .await
        .map_err(|error| stopped("the keychain check", &error))
}

/// Where the embedded sandbox listens and how short its tokens live.
// Off the main thread: it reads the keychain or the disk.
#[tauri::command(async)]
pub fn sandbox_info(state: State<'_, AppState>) -> Reply<SandboxInfo> {
    state.sandbox.as_ref().map(SandboxInfo::of).ok_or_else(|| {
        let detail = state
            .startup_problems
            .first()
            .cloned()
            .unwrap_or_else(|| "it did not start".into());
        report(Error::SandboxStart { port: 0, detail })
    })
}

/// A background task that ended without an answer (it panicked).
pub(crate) fn stopped(what: &str, error: &dyn std::fmt::Display) -> ErrorReport {
    report(Error::Storage {
        action: "finish",
        path: what.to_string(),
        detail: format!("it stopped unexpectedly: {error}"),
    })
}

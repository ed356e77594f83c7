//! The commands the UI calls. Each one parses its input, calls
//! `callout-core` and returns a serialisable result.

use callout_core::about::{self, AppInfo, KeychainCheck};
use callout_core::vault::Vault;

/// State shared by the commands.
#[derive(Debug, Default)]
pub struct ShellState {
    pub vault: Vault,
}

#[tauri::command]
pub fn app_info() -> AppInfo {
    about::app_info()
}

/// A real store/read/delete round trip through the OS keychain. Runs off the
/// UI thread: the keychain answers over D-Bus and may prompt to unlock.
#[tauri::command]
pub async fn check_keychain(state: tauri::State<'_, ShellState>) -> Result<KeychainCheck, String> {
    let vault = state.vault.clone();
    tauri::async_runtime::spawn_blocking(move || about::check_keychain(&vault))
        .await
        .map_err(|error| format!("the keychain check stopped unexpectedly: {error}"))
}

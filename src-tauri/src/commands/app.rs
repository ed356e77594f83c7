//! About the app itself: version, keychain self-check, the embedded sandbox.

use callout_core::about::{self, AppInfo, KeychainCheck};
use callout_core::{Error, ErrorReport};
use callout_sandbox::embedded::SandboxInfo;
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

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

    use std::path::{Path, PathBuf};

    use callout_core::requests::samples;

    use super::*;

    /// Every Salesforce API version in `text`'s URLs (`/services/Soap/u/59.0`,
    /// `/services/data/v59.0`).
    fn versions_in(text: &str) -> Vec<String> {
        let url = regex::Regex::new(r"/services/(?:Soap/[uc]/|data/v)(\d+\.\d+)").unwrap();
        url.captures_iter(text)
            .map(|captures| captures[1].to_string())
            .collect()
    }

    /// The TypeScript files under `dir` that the app or its dev shell runs
    /// (unit tests left out: their URLs are inputs, not what a person sees).
    fn ui_sources(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                ui_sources(&path, found);
            } else if name.ends_with(".ts") && !name.ends_with(".test.ts") {
                found.push(path);
            }
        }
    }

    #[test]
    fn the_ui_shows_the_salesforce_api_version_of_the_engines_samples() {
        assert_eq!(
            versions_in("a Soap/u/1.0, /services/Soap/u/60.0 and /services/data/v61.0/query"),
            ["60.0", "61.0"]
        );
        let engine = app_info().salesforce_api_version;
        let sampled = samples("Sandbox")
            .iter()
            .flat_map(|sample| versions_in(&sample.url))
            .collect::<Vec<_>>();
        assert_eq!(
            sampled,
            [engine.as_str(), engine.as_str()],
            "the samples' URLs"
        );

        let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src");
        let mut sources = Vec::new();
        ui_sources(&ui, &mut sources);
        assert!(
            sources.iter().any(|path| path.ends_with("views/editor.ts")),
            "the UI's sources were not found under {}",
            ui.display()
        );
        let disagreeing = sources
            .iter()
            .flat_map(|path| {
                let text = std::fs::read_to_string(path).unwrap();
                versions_in(&text)
                    .into_iter()
                    .filter(|version| *version != engine)
                    .map(|version| format!("{}: {version}", path.display()))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>();
        assert!(
            disagreeing.is_empty(),
            "the engine's samples use Salesforce API {engine}; the UI should take it from \
             app_info instead of writing {disagreeing:?}"
        );
    }
}

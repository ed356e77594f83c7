//! The keeper in the app: every 15 s, refresh what is due ahead of expiry
//! and keep idle refresh tokens alive (callout-core's keeper, with the
//! margin from the settings in force at each run), then tell the UI, the
//! tray and — when something needs a person — the desktop.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use callout_core::keeper::{Decision, Keeper, KeeperConfig};
use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;
use crate::{events, notify, watch};

/// How often the keeper looks at every credential.
pub const INTERVAL: Duration = Duration::from_secs(15);

/// Runs the keeper on the async runtime until the app ends. Each run is a
/// task of its own: one that panics is logged, and the next run comes on
/// time.
pub fn spawn<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    crate::every(INTERVAL, "a keeper run", move || {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            run_once(&app).await;
        })
    });
}

/// One keeper run and what follows from it.
pub async fn run_once<R: Runtime>(app: &AppHandle<R>) -> Vec<Decision> {
    let state = app.state::<AppState>();
    let config = KeeperConfig {
        margin: state.settings().keeper_margin(),
        ..KeeperConfig::default()
    };
    let keeper = Keeper::new(Arc::clone(&state.service), config);
    let decisions = match keeper.run_once(SystemTime::now()).await {
        Ok(decisions) => decisions,
        Err(error) => {
            eprintln!("callout-lab: the keeper could not run: {error}");
            return Vec::new();
        }
    };
    events::keeper_ran(app, &decisions);
    // What the run recorded and refreshed reaches the window and the tray
    // from the watcher; asked now, it need not wait for its next look.
    watch::check_now(app);
    notify::after_keeper(app, &decisions);
    decisions
}

//! Callout Lab's desktop shell: window, tray, keeper, notifications and the
//! commands the UI calls. Thin over `callout-core`: no domain logic lives here.

pub mod commands;
pub mod compositing;
pub mod events;
pub mod host;
pub mod keeper;
pub mod notify;
pub mod state;
pub mod tray;
pub mod views;
pub mod watch;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use callout_core::oauth::{self, Opener};
use callout_core::timeline::human_duration;
use tauri::async_runtime::JoinHandle;
use tauri::{App, AppHandle, Builder, Manager, RunEvent, Runtime};
use tauri_plugin_opener::OpenerExt;
use tauri_plugin_window_state::StateFlags;

pub use state::{AppState, Launch};

/// The label of the one main window (see `tauri.conf.json`).
pub const MAIN_WINDOW: &str = "main";

/// Registers the plugins the commands use, the commands and the memory of
/// where the window was (see [`commands::session`]); once the app runs,
/// starts the tray and the keeper when `launch` says so. The state comes
/// after the build, from [`start`]: a second launch must hand over to the
/// running app (single instance, in the build) before it opens the home or
/// starts a sandbox of its own. Shared by the real app and the mock-runtime
/// tests, so the tests exercise what ships.
pub fn configure<R: Runtime>(builder: Builder<R>, launch: Launch) -> Builder<R> {
    builder
        .manage(commands::session::KeptSession::default())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .setup(move |app| {
            app.state::<AppState>()
                .set_opener(system_opener(app.handle()));
            notify::install(app.handle());
            if launch.tray {
                tray::install(app.handle())?;
            }
            if launch.keeper {
                keeper::spawn(app.handle());
            }
            Ok(())
        })
        .invoke_handler(commands::handler())
}

/// Opens the home and starts the embedded sandbox (see [`AppState::start`])
/// for a built app, hands the state to it and starts watching the home for
/// changes (see [`watch`]).
pub fn start<R: Runtime>(app: &App<R>, launch: &Launch) -> callout_core::Result<()> {
    let state = AppState::start(launch)?;
    for problem in &state.startup_problems {
        eprintln!("callout-lab: {problem}");
    }
    app.manage(state);
    watch::start(app.handle());
    Ok(())
}

/// Runs a task from `run` every `interval` until the app ends, each a task
/// of its own: one that panics is logged as `what`, and the next comes on
/// time (the keeper's runs, the watcher's looks).
pub(crate) fn every(
    interval: Duration,
    what: &'static str,
    mut run: impl FnMut() -> JoinHandle<()> + Send + 'static,
) {
    tauri::async_runtime::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(error) = run().await {
                eprintln!(
                    "callout-lab: {what} ended abnormally ({error}); the next one comes in {}",
                    human_duration(interval)
                );
            }
        }
    });
}

/// Where sign-in URLs go: `$BROWSER` when set (as the CLI does), else the
/// platform's opener through tauri-plugin-opener.
fn system_opener<R: Runtime>(app: &AppHandle<R>) -> Opener {
    let app = app.clone();
    Arc::new(move |url: &str| {
        if std::env::var_os("BROWSER").is_some_and(|value| !value.is_empty()) {
            return oauth::open_in_browser(url);
        }
        app.opener().open_url(url, None::<&str>).map_err(|error| {
            callout_core::Error::Authorization {
                credential: String::new(),
                detail: format!("the system browser could not be opened ({error})"),
            }
        })
    })
}

/// Starts the desktop app and blocks until the user quits it.
pub fn run() -> ExitCode {
    // Before any thread starts: it may start the app again (same process).
    compositing::choose();
    let builder = Builder::default()
        // Registered first so a second launch exits before doing anything else.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            tray::show_main_window(app);
        }))
        // Size and place are remembered; visibility is not: the app always
        // starts with its window open, whatever it was when it quit.
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(StateFlags::all() & !StateFlags::VISIBLE)
                .build(),
        );
    let launch = Launch::desktop();
    // A second launch exits inside `build`, before `start` opens anything.
    let app = configure(builder, launch.clone())
        .build(tauri::generate_context!())
        .map_err(|error| error.to_string())
        .and_then(|app| {
            start(&app, &launch)
                .map(|()| app)
                .map_err(|e| e.to_string())
        });
    let app = match app {
        Ok(app) => app,
        Err(error) => {
            eprintln!("callout-lab: could not start: {error}");
            return ExitCode::FAILURE;
        }
    };
    app.run(|app, event| {
        // Closing the main window destroys it, and its web process with it;
        // the app stays in the tray until Quit (which exits with a code).
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
            && tray::installed(app)
        {
            api.prevent_exit();
        }
    });
    ExitCode::SUCCESS
}

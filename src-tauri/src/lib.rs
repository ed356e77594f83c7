//! Callout Lab's desktop shell: window, tray and the commands the UI calls.
//! Thin over `callout-core`: no domain logic lives here.

pub mod commands;
mod tray;

use std::process::ExitCode;

use tauri::{Builder, Manager, RunEvent, Runtime, WindowEvent};

/// The label of the one main window (see `tauri.conf.json`).
pub const MAIN_WINDOW: &str = "main";

/// Registers the state, the commands the UI calls and the window behaviour.
/// Shared by the real app and the mock-runtime tests, so the tests exercise
/// what ships.
pub fn configure<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .manage(commands::ShellState::default())
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::check_keychain
        ])
        .on_window_event(|window, event| {
            // Closing the main window keeps the app alive in the tray; Quit ends it.
            if let WindowEvent::CloseRequested { api, .. } = event
                && window.label() == MAIN_WINDOW
            {
                api.prevent_close();
                if let Err(error) = window.hide() {
                    eprintln!("callout-lab: could not hide the window: {error}");
                }
            }
        })
}

/// Starts the desktop app and blocks until the user quits it.
pub fn run() -> ExitCode {
    let builder = Builder::default()
        // Registered first so a second launch exits before doing anything else.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            tray::show_main_window(app);
        }));
    let app = configure(builder)
        .setup(|app| {
            tray::install(app.handle())?;
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(error) => {
            eprintln!("callout-lab: could not start: {error}");
            return ExitCode::FAILURE;
        }
    };
    app.run(|app, event| {
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
        {
            // The last window went away without Quit: stay in the tray.
            if app.get_webview_window(MAIN_WINDOW).is_some() {
                api.prevent_exit();
            }
        }
    });
    ExitCode::SUCCESS
}

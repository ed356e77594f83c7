//! The tray icon and its menu. On Linux the tray sends no click events, so
//! everything is reachable from the menu:
//!
//! ```text
//! Sandbox — valid for 4 min        (disabled: the status line)
//!   Copy live token
//!   Refresh now
//!   Authorize…
//! ───
//! Open Callout Lab
//! Quit
//! ```
//!
//! On Linux a menu, once set, can only have its items changed, not be
//! replaced: status lines are updated in place, and the items of a
//! credential are inserted or removed when credentials come and go.

use std::sync::Mutex;
use std::time::Duration;

use crate::views::{CredentialView, View};
use tauri::menu::{IsMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime, WebviewWindow, WebviewWindowBuilder};

use crate::commands::session;
use crate::commands::tokens::{authorize_credential, copy_live_token, refresh_credential};
use crate::{MAIN_WINDOW, events, notify};

const OPEN: &str = "open";
const QUIT: &str = "quit";
const COPY: &str = "copy:";
const REFRESH: &str = "refresh:";
const AUTHORIZE: &str = "authorize:";

/// How often the status lines' countdowns are brought up to date.
const COUNTDOWN: Duration = Duration::from_secs(5);

/// The menu items of one credential.
struct Entry<R: Runtime> {
    name: String,
    status: MenuItem<R>,
    items: Vec<MenuItem<R>>,
    separator: PredefinedMenuItem<R>,
}

/// The tray menu and its credential entries (managed state).
struct TrayMenu<R: Runtime> {
    menu: Menu<R>,
    entries: Mutex<Vec<Entry<R>>>,
}

pub fn install<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let menu = Menu::with_items(
        app,
        &[
            &MenuItem::with_id(app, OPEN, "Open Callout Lab", true, None::<&str>)?,
            &MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?,
        ],
    )?;
    let mut tray = TrayIconBuilder::with_id("callout-lab")
        .tooltip("Callout Lab")
        .menu(&menu)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()));
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    app.manage(TrayMenu {
        menu,
        entries: Mutex::new(Vec::new()),
    });
    update(app, &events::current_views(app));
    let ticking = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut ticks = tokio::time::interval(COUNTDOWN);
        loop {
            ticks.tick().await;
            update(&ticking, &events::current_views(&ticking));
        }
    });
    Ok(())
}

/// The items of a credential's entry below its status line, in order: the
/// menu item id (which [`on_menu`] acts on) and the label.
pub fn credential_items(name: &str) -> [(String, &'static str); 3] {
    [
        (format!("{COPY}{name}"), "    Copy live token"),
        (format!("{REFRESH}{name}"), "    Refresh now"),
        (format!("{AUTHORIZE}{name}"), "    Authorize…"),
    ]
}

/// What a click on a menu item does: the same functions the commands call.
/// Returns at once; the work runs on the async runtime.
pub fn on_menu<R: Runtime>(app: &AppHandle<R>, id: &str) {
    if id == OPEN {
        show_main_window(app);
    } else if id == QUIT {
        app.exit(0);
    } else if let Some(name) = id.strip_prefix(COPY) {
        let (app, name) = (app.clone(), name.to_string());
        tauri::async_runtime::spawn(async move {
            match copy_live_token(&app, &name).await {
                Ok(copied) => notify::tell(
                    &app,
                    &format!("{name}: token copied"),
                    &format!(
                        "Token {} is on the clipboard for {} s.",
                        copied.fingerprint, copied.clear_after_seconds
                    ),
                    None,
                ),
                Err(error) => notify::tell(
                    &app,
                    &format!("{name}: no token copied"),
                    &error.message,
                    Some(&name),
                ),
            }
        });
    } else if let Some(name) = id.strip_prefix(REFRESH) {
        let (app, name) = (app.clone(), name.to_string());
        tauri::async_runtime::spawn(async move {
            if let Err(error) = refresh_credential(&app, &name).await {
                notify::tell(
                    &app,
                    &format!("{name}: refresh failed"),
                    &error.message,
                    Some(&name),
                );
            }
        });
    } else if let Some(name) = id.strip_prefix(AUTHORIZE) {
        session::navigate_to(app, View::Credentials, Some(name));
        events::navigate(app, View::Credentials, Some(name));
        let (app, name) = (app.clone(), name.to_string());
        tauri::async_runtime::spawn(async move {
            // Progress and the outcome reach the window through events.
            let _ = authorize_credential(&app, &name, None).await;
        });
    }
}

/// "Sandbox — valid for 4 min".
fn status_line(view: &CredentialView) -> String {
    format!("{} — {}", view.credential.name, view.status.line)
}

/// Brings the menu up to date with `views`: status lines changed in place;
/// entries added and removed when the credentials changed. Does nothing
/// when there is no tray (the mock-runtime tests).
pub fn update<R: Runtime>(app: &AppHandle<R>, views: &[CredentialView]) {
    let Some(tray) = app.try_state::<TrayMenu<R>>() else {
        return;
    };
    let mut entries = tray
        .entries
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let same_names = entries.len() == views.len()
        && entries
            .iter()
            .zip(views)
            .all(|(entry, view)| entry.name == view.credential.name);
    let result = if same_names {
        entries
            .iter()
            .zip(views)
            .try_for_each(|(entry, view)| entry.status.set_text(status_line(view)))
    } else {
        rebuild(app, &tray.menu, &mut entries, views)
    };
    if let Err(error) = result {
        eprintln!("callout-lab: could not update the tray menu: {error}");
    }
}

/// Removes every credential entry and inserts one per view, above "Open".
fn rebuild<R: Runtime>(
    app: &AppHandle<R>,
    menu: &Menu<R>,
    entries: &mut Vec<Entry<R>>,
    views: &[CredentialView],
) -> tauri::Result<()> {
    for entry in entries.drain(..) {
        menu.remove(&entry.status)?;
        for item in &entry.items {
            menu.remove(item)?;
        }
        menu.remove(&entry.separator)?;
    }
    let mut position = 0;
    for view in views {
        let name = &view.credential.name;
        let entry = Entry {
            name: name.clone(),
            status: MenuItem::new(app, status_line(view), false, None::<&str>)?,
            items: credential_items(name)
                .into_iter()
                .map(|(id, label)| MenuItem::with_id(app, id, label, true, None::<&str>))
                .collect::<tauri::Result<_>>()?,
            separator: PredefinedMenuItem::separator(app)?,
        };
        let mut items: Vec<&dyn IsMenuItem<R>> = vec![&entry.status];
        items.extend(entry.items.iter().map(|item| item as &dyn IsMenuItem<R>));
        items.push(&entry.separator);
        menu.insert_items(&items, position)?;
        position += items.len();
        entries.push(entry);
    }
    Ok(())
}

/// Whether the tray is up: then the app lives on with no window, until Quit.
pub fn installed<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.try_state::<TrayMenu<R>>().is_some()
}

/// Shows, unminimises and focuses the main window (tray "Open", a second
/// launch of the app, a click on a notification). Closed to the tray, it is
/// gone: it is built again from the app's configuration, in the size and
/// place it had (the window-state plugin), and its page opens where the
/// user was (see [`session`]).
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    let window = match app.get_webview_window(MAIN_WINDOW) {
        Some(window) => window,
        None => match build_main_window(app) {
            Ok(window) => window,
            Err(error) => {
                eprintln!("callout-lab: could not open the window: {error}");
                return;
            }
        },
    };
    let shown = window
        .show()
        .and_then(|()| window.unminimize())
        .and_then(|()| window.set_focus());
    if let Err(error) = shown {
        eprintln!("callout-lab: could not bring the window forward: {error}");
    }
}

/// The main window as `tauri.conf.json` describes it.
fn build_main_window<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == MAIN_WINDOW)
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    WebviewWindowBuilder::from_config(app, config)?.build()
}

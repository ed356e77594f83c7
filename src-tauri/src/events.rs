//! The events the UI listens to (see the contract): their names and the
//! one place each is emitted from. What changed in the home — credentials,
//! timelines, saved requests — is told by the watcher (`watch`) alone,
//! whoever changed it.

use std::time::SystemTime;

use crate::views::{
    ClipboardChecked, CredentialView, Navigate, TimelineAppended, View, credential_views,
};
use callout_core::actions::AuthorizeProgress;
use callout_core::keeper::Decision;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::state::AppState;

pub const CREDENTIALS_CHANGED: &str = "credentials-changed";
pub const AUTHORIZE_PROGRESS: &str = "authorize-progress";
pub const KEEPER_RAN: &str = "keeper-ran";
pub const TIMELINE_APPENDED: &str = "timeline-appended";
pub const NAVIGATE: &str = "navigate";
pub const CLIPBOARD_CHECKED: &str = "clipboard-checked";
pub const REQUESTS_CHANGED: &str = "requests-changed";

/// Every credential with its status now; empty (and logged) when the
/// credentials cannot be read.
pub fn current_views<R: Runtime>(app: &AppHandle<R>) -> Vec<CredentialView> {
    let state = app.state::<AppState>();
    match credential_views(
        state.service.store(),
        state.sandbox_credential(),
        SystemTime::now(),
    ) {
        Ok(views) => views,
        Err(error) => {
            eprintln!("callout-lab: could not read the credentials: {error}");
            Vec::new()
        }
    }
}

/// Tells the UI and the tray that credentials or their tokens changed
/// (from the watcher).
pub fn credentials_changed<R: Runtime>(app: &AppHandle<R>) {
    let views = current_views(app);
    crate::tray::update(app, &views);
    emit(app, CREDENTIALS_CHANGED, &views);
}

pub fn authorize_progress<R: Runtime>(app: &AppHandle<R>, progress: &AuthorizeProgress) {
    emit(app, AUTHORIZE_PROGRESS, progress);
}

pub fn keeper_ran<R: Runtime>(app: &AppHandle<R>, decisions: &[Decision]) {
    emit(app, KEEPER_RAN, decisions);
}

/// Tells the UI that the timeline of `credential` has new events (from
/// the watcher).
pub fn timeline_appended<R: Runtime>(app: &AppHandle<R>, credential: &str) {
    let payload = TimelineAppended {
        credential: credential.to_string(),
    };
    emit(app, TIMELINE_APPENDED, &payload);
}

/// Tells the UI that the saved requests changed (from the watcher).
pub fn requests_changed<R: Runtime>(app: &AppHandle<R>) {
    emit(app, REQUESTS_CHANGED, &());
}

/// Tells the UI that the time a copied token may stay on the clipboard is
/// up, and whether it was cleared (it is left alone when something else was
/// copied meanwhile).
pub fn clipboard_checked<R: Runtime>(app: &AppHandle<R>, checked: &ClipboardChecked) {
    emit(app, CLIPBOARD_CHECKED, checked);
}

/// Brings the window forward on `view` (and `credential`).
pub fn navigate<R: Runtime>(app: &AppHandle<R>, view: View, credential: Option<&str>) {
    crate::tray::show_main_window(app);
    let payload = Navigate {
        view,
        credential: credential.map(str::to_string),
    };
    emit(app, NAVIGATE, &payload);
}

fn emit<R: Runtime, T: serde::Serialize + ?Sized>(app: &AppHandle<R>, event: &str, payload: &T) {
    if let Err(error) = app.emit(event, payload) {
        eprintln!("callout-lab: could not emit {event}: {error}");
    }
}

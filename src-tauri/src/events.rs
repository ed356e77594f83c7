//! The events the UI listens to: declared once (`shell_events!`, from which
//! `ui/src/bindings/events.ts` is generated) and each emitted from one
//! function here. What changed in the home — credentials,
//! timelines, saved requests — is told by the watcher (`watch`) alone,
//! whoever changed it.

use std::time::SystemTime;

use crate::views::{CredentialView, View, credential_views};
use callout_core::keeper::Decision;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::state::AppState;

/// An event the UI listens to: its name and what it carries. The list
/// below is the only place both are written; `ui/src/bindings/events.ts`
/// (the UI's `ShellEvents`) is generated from it by `cargo test`.
pub trait ShellEvent {
    const NAME: &'static str;
    type Payload: serde::Serialize + ts_rs::TS + 'static;
}

/// Declares each event (a unit type implementing [`ShellEvent`]) and, for
/// the bindings, [`visit_events`] over all of them with their doc lines.
macro_rules! shell_events {
    ($( $(#[doc = $doc:literal])+ $event:ident = $name:literal, carrying $payload:ty; )*) => {
        $(
            $(#[doc = $doc])+
            pub struct $event;

            impl ShellEvent for $event {
                const NAME: &'static str = $name;
                type Payload = $payload;
            }
        )*

        /// Something that looks at every event in turn (the bindings' writer).
        #[cfg(test)]
        pub(crate) trait EventVisitor {
            fn event<E: ShellEvent>(&mut self, doc: &[&str]);
        }

        /// Shows `visitor` every event, in the order of the list.
        #[cfg(test)]
        pub(crate) fn visit_events(visitor: &mut impl EventVisitor) {
            $( visitor.event::<$event>(&[$($doc),+]); )*
        }
    };
}

shell_events! {
    /// Every credential with its status, after any change to credentials or tokens.
    CredentialsChanged = "credentials-changed", carrying Vec<CredentialView>;
    /// A step of an authorization in progress (the device code to enter, ...).
    AuthorizeProgress = "authorize-progress", carrying callout_core::actions::AuthorizeProgress;
    /// What the keeper decided for each credential on its last run.
    KeeperRan = "keeper-ran", carrying Vec<Decision>;
    /// A credential's timeline has new events (written by any process).
    TimelineAppended = "timeline-appended", carrying crate::views::TimelineAppended;
    /// Bring a view forward (from the tray or a notification).
    Navigate = "navigate", carrying crate::views::Navigate;
    /// The copied token's time on the clipboard is up; whether it was cleared.
    ClipboardChecked = "clipboard-checked", carrying crate::views::ClipboardChecked;
    /// The open collections, or a file in one, changed: by this app,
    /// another process or editor, a `git pull`.
    CollectionsChanged = "collections-changed", carrying ();
    /// A collection run's steps, before the first is sent.
    RunPlanned = "run-planned", carrying crate::views::RunPlanned;
    /// A step of a collection run went out (its request is being sent).
    RunStepStarted = "run-step-started", carrying crate::views::RunStepStarted;
    /// A step of a collection run finished (passed, failed, errored, skipped).
    RunStep = "run-step", carrying crate::views::RunStepFinished;
    /// A collection run ended (every step done, or stopped): its summary and totals.
    RunFinished = "run-finished", carrying crate::views::RunFinished;
}

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
    emit::<CredentialsChanged, _>(app, &views);
}

pub fn authorize_progress<R: Runtime>(
    app: &AppHandle<R>,
    progress: &callout_core::actions::AuthorizeProgress,
) {
    emit::<AuthorizeProgress, _>(app, progress);
}

pub fn keeper_ran<R: Runtime>(app: &AppHandle<R>, decisions: &[Decision]) {
    emit::<KeeperRan, _>(app, &decisions.to_vec());
}

/// Tells the UI that the timeline of `credential` has new events (from
/// the watcher).
pub fn timeline_appended<R: Runtime>(app: &AppHandle<R>, credential: &str) {
    let payload = crate::views::TimelineAppended {
        credential: credential.to_string(),
    };
    emit::<TimelineAppended, _>(app, &payload);
}

/// Tells the UI that the saved requests changed (from the watcher).
pub fn collections_changed<R: Runtime>(app: &AppHandle<R>) {
    emit::<CollectionsChanged, _>(app, &());
}

/// Tells the UI that a collection run is planned.
pub fn run_planned<R: Runtime>(app: &AppHandle<R>, planned: &crate::views::RunPlanned) {
    emit::<RunPlanned, _>(app, planned);
}

/// Tells the UI that a step of a collection run is being sent.
pub fn run_step_started<R: Runtime>(app: &AppHandle<R>, started: &crate::views::RunStepStarted) {
    emit::<RunStepStarted, _>(app, started);
}

/// Tells the UI that a step of a collection run finished.
pub fn run_step<R: Runtime>(app: &AppHandle<R>, step: &crate::views::RunStepFinished) {
    emit::<RunStep, _>(app, step);
}

/// Tells the UI that a collection run ended.
pub fn run_finished<R: Runtime>(app: &AppHandle<R>, finished: &crate::views::RunFinished) {
    emit::<RunFinished, _>(app, finished);
}

/// Tells the UI that the time a copied token may stay on the clipboard is
/// up, and whether it was cleared (it is left alone when something else was
/// copied meanwhile).
pub fn clipboard_checked<R: Runtime>(app: &AppHandle<R>, checked: &crate::views::ClipboardChecked) {
    emit::<ClipboardChecked, _>(app, checked);
}

/// Brings the window forward on `view` (and `credential`).
pub fn navigate<R: Runtime>(app: &AppHandle<R>, view: View, credential: Option<&str>) {
    crate::tray::show_main_window(app);
    let payload = crate::views::Navigate {
        view,
        credential: credential.map(str::to_string),
    };
    emit::<Navigate, _>(app, &payload);
}

fn emit<E: ShellEvent, R: Runtime>(app: &AppHandle<R>, payload: &E::Payload) {
    if let Err(error) = app.emit(E::NAME, payload) {
        eprintln!("callout-lab: could not emit {}: {error}", E::NAME);
    }
}

//! Where the window was: the view, the credential selected, the request open
//! in the editor with its unsaved draft, and how far the view was scrolled.
//! Closing the window to the tray destroys it (its web process ends with
//! it); a window built again asks for this and opens where the user was.
//!
//! Kept in the app's memory only, never written anywhere: a draft may hold
//! a secret someone typed into a header. It ends with the app.

use std::sync::Mutex;

use callout_core::assertion::{Assertion, Extraction};
use callout_core::requests::BodyKind;
use callout_core::send::Header;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime, State};
use ts_rs::TS;

use crate::views::View;

/// The window's state as the UI last reported it. No `Debug`: the draft
/// may hold a typed secret.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UiSession {
    /// The view shown: an id of the UI's view registry.
    pub view: String,
    /// The credential selected in the Credentials view.
    pub selected_credential: Option<String>,
    /// The request open in the editor, with its draft.
    pub editor: Option<EditorSession>,
    /// How far the shown view was scrolled down, in CSS pixels.
    pub scroll_top: u32,
}

/// The request open in the editor: its key (a saved request's id, or
/// `new:…` for one never saved) and the draft as typed.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EditorSession {
    pub key: String,
    pub draft: SessionDraft,
}

/// A draft in the editor as typed, saved or not.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SessionDraft {
    /// The saved request this draft edits; none for a new one.
    pub saved_id: Option<String>,
    pub name: String,
    pub method: String,
    pub url: String,
    pub headers: Vec<Header>,
    pub body: String,
    pub body_kind: BodyKind,
    pub sample: bool,
    pub assertions: Vec<Assertion>,
    pub extract: Vec<Extraction>,
}

/// The session kept for the next window (managed state, from the start).
#[derive(Default)]
pub struct KeptSession(Mutex<Option<UiSession>>);

impl KeptSession {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<UiSession>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The shell is about to bring the window up on `view` (a notification's
/// click, the tray's Authorize…): a window built for it opens there, since
/// the `navigate` event reaches only a window already listening.
pub fn navigate_to<R: Runtime>(app: &AppHandle<R>, view: View, credential: Option<&str>) {
    let Some(kept) = app.try_state::<KeptSession>() else {
        return;
    };
    let mut session = kept.lock();
    let session = session.get_or_insert_with(UiSession::default);
    let id = serde_json::to_value(view)
        .ok()
        .and_then(|value| value.as_str().map(str::to_string));
    if let Some(id) = id
        && id != session.view
    {
        session.view = id;
        session.scroll_top = 0;
    }
    if let Some(name) = credential {
        session.selected_credential = Some(name.to_string());
    }
}

/// Keeps where the window is, for a window built after this one is closed.
#[tauri::command]
pub fn remember_ui_session(kept: State<'_, KeptSession>, session: UiSession) {
    *kept.lock() = Some(session);
}

/// Where the last window was, if one reported it since the app started.
#[tauri::command]
pub fn ui_session(kept: State<'_, KeptSession>) -> Option<UiSession> {
    kept.lock().clone()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

    use super::*;

    #[test]
    fn a_navigation_moves_the_kept_session_to_its_view_and_credential() {
        let app = tauri::test::mock_app();
        app.manage(KeptSession::default());
        navigate_to(app.handle(), View::Credentials, Some("Sandbox"));
        let kept = app.state::<KeptSession>().lock().clone().unwrap();
        assert_eq!(kept.view, "credentials");
        assert_eq!(kept.selected_credential.as_deref(), Some("Sandbox"));

        *app.state::<KeptSession>().lock() = Some(UiSession {
            view: "editor".into(),
            selected_credential: Some("Other".into()),
            editor: None,
            scroll_top: 240,
        });
        navigate_to(app.handle(), View::Credentials, None);
        let kept = app.state::<KeptSession>().lock().clone().unwrap();
        assert_eq!(kept.view, "credentials");
        assert_eq!(kept.scroll_top, 0);
        assert_eq!(kept.selected_credential.as_deref(), Some("Other"));
    }
}

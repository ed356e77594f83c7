//! Tokens: authorize (one click, with progress and cancel), show a token
//! masked, reveal it on request, copy the live one to the clipboard, refresh
//! now. The tray menu calls [`authorize_credential`],
//! [`copy_live_token`] and [`refresh_credential`] — the same functions as
//! the commands.

use std::sync::Arc;
use std::time::Duration;

use crate::views::{ClipboardChecked, CopyResult, TokenView};
use callout_core::actions::Host;
use callout_core::actions::authorize::{self, AuthorizeOptions};
use callout_core::actions::token::{Freshness, live_token};
use callout_core::credential::Credential;
use callout_core::credential_store::Identity;
use callout_core::oauth::LiveToken;
use callout_core::timeline::fingerprint;
use callout_core::{Error, ErrorKind, ErrorReport, Result, Secret};
use serde::Deserialize;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_clipboard_manager::ClipboardExt;
use ts_rs::TS;

use super::{Reply, report};
use crate::host::Window;
use crate::state::AppState;
use crate::{events, watch};

/// Runs the credential's flow from scratch (also the way to re-authorize):
/// the browser for authorization code, the device page for device code,
/// the client secret for client credentials. Emits `authorize-progress`.
/// `login`: the username and password the password grant trades for
/// tokens, or the subject a JWT bearer credential signs in as (no
/// password); `None` uses the login kept from the last authorization.
#[tauri::command]
pub async fn authorize<R: Runtime>(
    app: AppHandle<R>,
    name: String,
    login: Option<Login>,
) -> Reply<TokenView> {
    authorize_credential(&app, &name, login).await
}

/// A login the window asked for, to authorize with.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Login {
    pub username: String,
    /// The password grant's password; none for a JWT bearer subject.
    pub password: Option<String>,
}

/// Stops the authorization of `name` that waits for the browser.
#[tauri::command]
pub fn cancel_authorize(state: State<'_, AppState>, name: String) -> Reply<()> {
    if state.cancel_authorize(&name) {
        Ok(())
    } else {
        Err(report(Error::Authorization {
            credential: name,
            detail: "no authorization of it is running".into(),
        }))
    }
}

/// The stored token, masked (`null`: not authorized).
// Off the main thread: it reads the keychain or the disk.
#[tauri::command(async)]
pub fn token(state: State<'_, AppState>, name: String) -> Reply<Option<TokenView>> {
    let (credential, stored) = stored_tokens(&state, &name).map_err(report)?;
    let timeline = state.service.timeline().map(|timeline| timeline.as_ref());
    Ok(stored.map(|tokens| TokenView::of(&credential.name, &tokens, timeline)))
}

/// The raw stored access token: only ever sent on an explicit click.
// Off the main thread: it reads the keychain or the disk.
#[tauri::command(async)]
pub fn reveal_token(state: State<'_, AppState>, name: String) -> Reply<String> {
    let (credential, stored) = stored_tokens(&state, &name).map_err(report)?;
    stored
        .map(|tokens| tokens.access_token.expose().to_string())
        .ok_or_else(|| report(not_authorized(&credential)))
}

/// Puts the live token on the clipboard (refreshed first if needed).
#[tauri::command]
pub async fn copy_token<R: Runtime>(app: AppHandle<R>, name: String) -> Reply<CopyResult> {
    copy_live_token(&app, &name).await
}

/// Refreshes the token now, whatever its expiry says.
#[tauri::command]
pub async fn refresh_now<R: Runtime>(app: AppHandle<R>, name: String) -> Reply<TokenView> {
    refresh_credential(&app, &name).await
}

fn stored_tokens(
    state: &AppState,
    name: &str,
) -> Result<(Credential, Option<callout_core::oauth::TokenSet>)> {
    let store = state.service.store();
    let credential = store.get(name)?;
    let identity = Identity::for_credential(&credential, None);
    let tokens = store.authorization(&credential.name, &identity)?.tokens;
    Ok((credential, tokens))
}

fn not_authorized(credential: &Credential) -> Error {
    Error::NeedsReauthorization {
        credential: credential.name.clone(),
        reason: "it has not been authorized yet".into(),
    }
}

fn view<R: Runtime>(app: &AppHandle<R>, live: &LiveToken) -> TokenView {
    let state = app.state::<AppState>();
    let timeline = state.service.timeline().map(|timeline| timeline.as_ref());
    TokenView::of(&live.credential, &live.tokens, timeline)
}

/// The live token of `name` on the clipboard, cleared after the configured
/// time unless the clipboard changed meanwhile. What "Copy live token" in
/// the tray does.
pub async fn copy_live_token<R: Runtime>(app: &AppHandle<R>, name: &str) -> Reply<CopyResult> {
    let state = app.state::<AppState>();
    let live = live_token(&state.service, name, None, Freshness::WhenStale).await;
    watch::check_now(app);
    let live = live.map_err(report)?;
    let token = live.tokens.access_token.clone();
    app.clipboard()
        .write_secret(token.expose())
        .map_err(|error| clipboard_error(&error))?;
    let clear_after = state.settings().clipboard_clear_seconds;
    clear_later(
        app,
        token.clone(),
        Duration::from_secs(u64::from(clear_after)),
    );
    Ok(CopyResult {
        fingerprint: fingerprint(&token),
        clear_after_seconds: clear_after,
    })
}

fn clipboard_error(error: &dyn std::fmt::Display) -> ErrorReport {
    ErrorReport {
        kind: ErrorKind::Storage,
        message: format!("the token could not be put on the clipboard: {error}"),
        location: None,
        at: None,
    }
}

/// Clears the clipboard after `after`, if it still holds `token`, and says
/// so ([`events::clipboard_checked`]).
fn clear_later<R: Runtime>(app: &AppHandle<R>, token: Secret, after: Duration) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(after).await;
        // Reading the clipboard may block on the X server: not on the main thread.
        let checking = app.clone();
        let fingerprint = fingerprint(&token);
        let cleared = tauri::async_runtime::spawn_blocking(move || {
            let clipboard = checking.clipboard();
            clipboard.read_text().ok().as_deref() == Some(token.expose())
                && clipboard.clear().is_ok()
        })
        .await
        .unwrap_or(false);
        events::clipboard_checked(
            &app,
            &ClipboardChecked {
                fingerprint,
                cleared,
            },
        );
    });
}

/// Refreshes `name`'s token now. What "Refresh now" in the tray does.
pub async fn refresh_credential<R: Runtime>(app: &AppHandle<R>, name: &str) -> Reply<TokenView> {
    let state = app.state::<AppState>();
    let result = live_token(&state.service, name, None, Freshness::Now).await;
    watch::check_now(app);
    result.map(|live| view(app, &live)).map_err(report)
}

/// Runs `name`'s flow (core's authorize action) with progress events. What
/// "Authorize…" in the tray does.
pub async fn authorize_credential<R: Runtime>(
    app: &AppHandle<R>,
    name: &str,
    login: Option<Login>,
) -> Reply<TokenView> {
    let state = app.state::<AppState>();
    let credential = state.service.store().get(name).map_err(report)?;
    let name = credential.name.clone();
    let authorizing = state.begin_authorize(&name)?;
    let (username, password) = match login {
        Some(login) => (Some(login.username), login.password.map(Secret::new)),
        None => (None, None),
    };
    let options = AuthorizeOptions {
        cancel: authorizing.cancel.clone(),
        username,
        password,
        ..AuthorizeOptions::default()
    };
    let host: Arc<dyn Host> = Arc::new(Window::new(app));
    let result = authorize::authorize(&state.service, &host, &name, &options).await;
    drop(authorizing);
    watch::check_now(app);
    result.map(|live| view(app, &live)).map_err(report)
}

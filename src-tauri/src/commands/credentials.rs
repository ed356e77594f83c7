//! Named credentials: list with status, check a form, add, edit, rename,
//! remove, discover a provider's endpoints.

use std::time::SystemTime;

use callout_core::credential::Credential;
use callout_core::credential_store::{CredentialStore, Leftovers, NewSecrets};
use callout_core::oauth::flows::{self, ProviderMetadata};
use callout_core::views::{self, CredentialView, FieldProblem};
use callout_core::{Error, Result, Secret};
use tauri::{AppHandle, Runtime, State};

use super::{Reply, report};
use crate::state::AppState;
use crate::watch;

/// Every credential with its status (the Sandbox one from the first run on).
// Off the main thread: it reads the keychain or the disk.
#[tauri::command(async)]
pub fn list_credentials(state: State<'_, AppState>) -> Reply<Vec<CredentialView>> {
    views::credential_views(
        state.service.store(),
        state.sandbox_credential(),
        SystemTime::now(),
    )
    .map_err(report)
}

/// The problems of a credential form, field by field (none: it can be saved).
#[tauri::command]
pub fn validate_credential(credential: Credential) -> Vec<FieldProblem> {
    views::validate(&credential)
}

/// Adds (`previous_name` null) or updates a credential; a different
/// `previous_name` renames it, moving every keychain entry along (see
/// [`CredentialStore::rename`]). A `client_secret` goes to the keychain; null
/// (or empty) keeps the stored one. Keychain entries an earlier credential
/// of the new name left behind are removed, and the answer's `notice` says so.
// Off the main thread: it reads the keychain or the disk.
#[tauri::command(async)]
pub fn save_credential<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    credential: Credential,
    client_secret: Option<String>,
    previous_name: Option<String>,
) -> Reply<CredentialView> {
    let store = state.service.store();
    let problems = views::validate(&credential);
    if !problems.is_empty() {
        return Err(report(Error::InvalidCredential {
            name: credential.name.clone(),
            reason: problems
                .iter()
                .map(|problem| format!("{}: {}", problem.field, problem.message))
                .collect::<Vec<_>>()
                .join("; "),
        }));
    }
    let secret = client_secret
        .filter(|secret| !secret.is_empty())
        .map(Secret::new);
    let result = save(store, &credential, secret, previous_name.as_deref()).and_then(|leftovers| {
        let mut view = views::credential_view(
            store,
            &credential,
            state.sandbox_credential(),
            SystemTime::now(),
        )?;
        view.notice = leftovers.describe();
        Ok(view)
    });
    watch::check_now(&app);
    result.map_err(report)
}

fn save(
    store: &CredentialStore,
    credential: &Credential,
    secret: Option<Secret>,
    previous: Option<&str>,
) -> Result<Leftovers> {
    let leftovers = match previous {
        None => {
            let secrets = NewSecrets {
                client_secret: secret,
                private_key: None,
            };
            return store.add_with_secrets(credential.clone(), &secrets);
        }
        Some(previous) => store.rename(previous, credential.clone())?,
    };
    if let Some(secret) = &secret {
        store.set_client_secret(&credential.name, secret)?;
    }
    Ok(leftovers)
}

/// Removes a credential and every keychain entry of it.
// Off the main thread: it reads the keychain or the disk.
#[tauri::command(async)]
pub fn remove_credential<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
) -> Reply<()> {
    let result = state.service.store().remove(&name);
    watch::check_now(&app);
    result.map(|_| ()).map_err(report)
}

/// Removes the keychain entries of a credential that cannot be read (see
/// [`TokenService::repair`](callout_core::oauth::TokenService::repair): the
/// timeline says so); answers the credential as it is now.
// Off the main thread: it reads the keychain or the disk.
#[tauri::command(async)]
pub fn repair_credential<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
) -> Reply<CredentialView> {
    let store = state.service.store();
    let result = state.service.repair(&name).and_then(|_| {
        views::credential_view(
            store,
            &store.get(&name)?,
            state.sandbox_credential(),
            SystemTime::now(),
        )
    });
    watch::check_now(&app);
    result.map_err(report)
}

/// A provider's endpoints, read from its issuer (OIDC / RFC 8414).
#[tauri::command]
pub async fn discover(state: State<'_, AppState>, issuer: String) -> Reply<ProviderMetadata> {
    flows::discover(state.service.http(), issuer.trim())
        .await
        .map_err(report)
}

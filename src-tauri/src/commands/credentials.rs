//! Named credentials: list with status, check a form, add, edit, rename,
//! remove, discover a provider's endpoints.

use std::time::SystemTime;

use callout_core::credential::Credential;
use callout_core::credential_store::{CredentialStore, Identity};
use callout_core::oauth::flows::{self, ProviderMetadata};
use callout_core::views::{self, CredentialView, FieldProblem};
use callout_core::{Error, Result, Secret};
use tauri::{AppHandle, Runtime, State};

use super::{Reply, report};
use crate::events;
use crate::state::AppState;

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
/// `previous_name` renames it, moving its secrets along. A `client_secret`
/// goes to the keychain; null (or empty) keeps the stored one.
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
    let saved = save(store, &credential, previous_name.as_deref());
    let secret = client_secret.filter(|secret| !secret.is_empty());
    let result = saved
        .and_then(|()| match &secret {
            Some(secret) => {
                store.set_client_secret(&credential.name, &Secret::new(secret.as_str()))
            }
            None => Ok(()),
        })
        .and_then(|()| {
            views::credential_view(
                store,
                &credential,
                state.sandbox_credential(),
                SystemTime::now(),
            )
        });
    events::credentials_changed(&app);
    result.map_err(report)
}

fn save(store: &CredentialStore, credential: &Credential, previous: Option<&str>) -> Result<()> {
    match previous {
        None => store.add(credential.clone()),
        Some(previous) if credential.is_named(previous) => store.update(credential.clone()),
        Some(previous) => rename(store, previous, credential),
    }
}

/// Stores `credential` under its new name with the secrets of `previous`,
/// then removes `previous` and its secrets.
fn rename(store: &CredentialStore, previous: &str, credential: &Credential) -> Result<()> {
    let old = store.get(previous)?;
    store.add(credential.clone())?;
    if let Some(secret) = store.client_secret(&old.name)? {
        store.set_client_secret(&credential.name, &secret)?;
    }
    if let Some(key) = store.private_key(&old.name)? {
        store.set_private_key(&credential.name, &key)?;
    }
    let identity = Identity::for_credential(&old, None);
    let authorization = store.authorization(&old.name, &identity)?;
    if authorization.tokens.is_some() || authorization.username.is_some() {
        store.set_authorization(
            &credential.name,
            &Identity::for_credential(credential, None),
            &authorization,
        )?;
    }
    store.remove(&old.name).map(|_| ())
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
    events::credentials_changed(&app);
    result.map(|_| ()).map_err(report)
}

/// A provider's endpoints, read from its issuer (OIDC / RFC 8414).
#[tauri::command]
pub async fn discover(state: State<'_, AppState>, issuer: String) -> Reply<ProviderMetadata> {
    flows::discover(state.service.http(), issuer.trim())
        .await
        .map_err(report)
}

//! Named credentials: list with status, check a form, add, edit, rename,
//! remove, discover a provider's endpoints.

use std::time::SystemTime;

use crate::views::{self, CredentialView};
use callout_core::Error;
use callout_core::Secret;
use callout_core::actions::credential::{self as action, CredentialInput, SecretsGiven};
use callout_core::actions::export::{self, MetadataExport};
use callout_core::credential::{Credential, FieldProblem, SalesforceOrg};
#[cfg(doc)]
use callout_core::credential_store::CredentialStore;
use callout_core::oauth::{self, ProviderMetadata};
use tauri::{AppHandle, Runtime, State};

use super::imports::expand;
use super::{Reply, report};
use crate::host::Window;
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

/// The problems of a credential form, field by field (none: it can be
/// saved): the definition's, a name in use, a secret the flow needs that is
/// neither given (`client_secret_given`) nor stored for `previous_name`.
// Off the main thread: it reads the credentials file and the keychain.
#[tauri::command(async)]
pub fn validate_credential(
    state: State<'_, AppState>,
    credential: Credential,
    client_secret_given: bool,
    previous_name: Option<String>,
    client_key_given: Option<bool>,
) -> Vec<FieldProblem> {
    let given = SecretsGiven {
        client_secret: client_secret_given,
        private_key: false,
        client_key: client_key_given.unwrap_or(false),
    };
    action::problems(&state.service, &credential, given, previous_name.as_deref())
}

/// Adds (`previous_name` null) or edits a credential (core's credential
/// actions); a different `previous_name` renames it, moving every keychain
/// entry along. A `client_secret` goes to the keychain; null (or empty)
/// keeps the stored one. Keychain entries an earlier credential of the new
/// name left behind are removed, and the answer's `notice` says so.
#[tauri::command]
pub async fn save_credential<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    credential: Credential,
    client_secret: Option<String>,
    previous_name: Option<String>,
    client_key: Option<String>,
) -> Reply<CredentialView> {
    let mut input = CredentialInput::new(credential);
    input.client_secret = client_secret
        .filter(|secret| !secret.is_empty())
        .map(Secret::new);
    // The private key (PEM) of `credential.clientCertificate`: to the keychain.
    input.client_key = client_key.filter(|key| !key.is_empty()).map(Secret::new);
    let saved = match previous_name.as_deref() {
        None => action::add(&state.service, input).await,
        Some(previous) => action::edit(&state.service, previous, input).await,
    };
    let result = saved.and_then(|saved| {
        let mut view = views::credential_view(
            state.service.store(),
            &saved.credential,
            state.sandbox_credential(),
            SystemTime::now(),
        )?;
        view.notice = saved.notice;
        Ok(view)
    });
    watch::check_now(&app);
    result.map_err(report)
}

/// Removes a credential and every keychain entry of it, revoking its
/// tokens at the provider first (core's remove action).
#[tauri::command]
pub async fn remove_credential<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
) -> Reply<()> {
    let result = action::remove(&state.service, &Window::new(&app), &name).await;
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
    let result = action::repair(&state.service, &name).and_then(|_| {
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

/// `credential` made a credential for the Salesforce org `org`
/// (`production`, `sandbox` or a login URL), keeping its name, client id
/// and what the preset does not set (identity, Salesforce switches).
#[tauri::command]
pub fn salesforce_credential(credential: Credential, org: String) -> Reply<Credential> {
    let org = SalesforceOrg::parse(&org).map_err(|reason| {
        report(Error::InvalidCredential {
            name: credential.name.clone(),
            reason: format!("Salesforce org \"{org}\" {reason}"),
        })
    })?;
    let client_id = credential.client_id.clone().unwrap_or_default();
    Ok(Credential {
        identity_type: credential.identity_type,
        salesforce: credential.salesforce.clone(),
        client_certificate: credential.client_certificate.clone(),
        ..Credential::salesforce(credential.name.clone(), &org, &client_id)
    })
}

/// A provider's endpoints, read from its issuer (OIDC / RFC 8414).
#[tauri::command]
pub async fn discover(state: State<'_, AppState>, issuer: String) -> Reply<ProviderMetadata> {
    oauth::discover(state.service.http(), issuer.trim())
        .await
        .map_err(report)
}

/// Writes credential `name` as Salesforce metadata (SFDX source layout:
/// Named Credential, External Credential, Auth Provider) into the project
/// folder `out` (`~/` is the home), made if missing; never a secret.
// Off the main thread: it reads the credentials file and writes files.
#[tauri::command(async)]
pub fn export_credential_metadata(
    state: State<'_, AppState>,
    name: String,
    out: String,
) -> Reply<MetadataExport> {
    export::export_credential(state.service.store(), &name, &expand(&out)).map_err(report)
}

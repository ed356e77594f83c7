//! Send a request the way the product does: the draft checked first, a
//! plain URL sent as written, a `callout:NAME` URL with the credential's
//! live token from the keychain and a refresher that renews it when a
//! response says it expired, every step recorded in the timeline.

use std::sync::Arc;
use std::time::SystemTime;

use crate::credential::CredentialSecrets;
use crate::endpoint;
use crate::history::{DEFAULT_KEEP, History, Label};
use crate::http::Draft;
use crate::oauth::{KeychainRefresher, TokenService};
use crate::send::{self, Attempt, Outcome, Sender};
use crate::settings::SettingsStore;
use crate::variables::SecretValues;
use crate::{Error, Result};

/// Sends `draft` for `user` (a per-user credential's label; `None`: the OS
/// user). A draft that cannot be rendered (an unknown merge field, a bad
/// URL) is refused with the place of the error before anything is sent or
/// refreshed. The send is kept in the history.
pub async fn send(
    sender: &Sender,
    service: &Arc<TokenService>,
    draft: &Draft,
    user: Option<&str>,
) -> Result<Outcome> {
    send_labelled(sender, service, draft, user, &Label::default()).await
}

/// [`send`], kept in the history with what `label` says of it (the saved
/// request, the environment). The history is best effort: a send is never
/// failed for it.
pub async fn send_labelled(
    sender: &Sender,
    service: &Arc<TokenService>,
    draft: &Draft,
    user: Option<&str>,
    label: &Label,
) -> Result<Outcome> {
    send_with_secrets(
        sender,
        service,
        draft,
        user,
        label,
        &SecretValues::default(),
    )
    .await
}

/// [`send_labelled`] of a draft filled in with the values of secret
/// variables `secrets` (a saved request's): they go out in the request, but
/// every request the outcome shows (so the timeline too) has them masked as
/// `[secret NAME]`, and the history keeps none of them.
pub async fn send_with_secrets(
    sender: &Sender,
    service: &Arc<TokenService>,
    draft: &Draft,
    user: Option<&str>,
    label: &Label,
    secrets: &SecretValues,
) -> Result<Outcome> {
    let at = SystemTime::now();
    let clock = std::time::Instant::now();
    let outcome = send_unrecorded(sender, service, draft, user, secrets)
        .await
        .map_err(|error| mask_in_error(error, secrets))?;
    let home = service.store().home();
    let keep = SettingsStore::new(home)
        .load()
        .map_or(DEFAULT_KEEP, |settings| settings.history_retention());
    if let Ok(history) = History::shared(home) {
        let history = crate::locked(&history);
        let _ = history.scrubbing(secrets).record(
            draft,
            &outcome.report(),
            label,
            at,
            clock.elapsed(),
            keep,
        );
    }
    Ok(outcome)
}

async fn send_unrecorded(
    sender: &Sender,
    service: &Arc<TokenService>,
    draft: &Draft,
    user: Option<&str>,
    variables: &SecretValues,
) -> Result<Outcome> {
    let target = endpoint::split(&draft.url)?;
    let credentials = service.store().load_for(&target)?;
    let call = target.resolve(draft, &credentials)?;
    send::check(&call)?;
    let Some(credential) = call.credential else {
        let mut outcome = sender
            .send(&call, &CredentialSecrets::default(), None)
            .await?;
        mask_secret_variables(&mut outcome, variables);
        return Ok(outcome);
    };
    // Basic authentication or none: the secrets carry no token, and the
    // pipeline's refresh step says there is none to renew.
    let refresher = KeychainRefresher::new(Arc::clone(service), user.map(str::to_string));
    let secrets = refresher.secrets(credential).await?;
    let started = SystemTime::now();
    let mut outcome = sender.send(&call, &secrets, Some(&refresher)).await?;
    outcome.refreshed_before_sending = secrets.renewed_before_sending;
    mask_secret_variables(&mut outcome, variables);
    service.record_send(&credential.name, &outcome, started);
    Ok(outcome)
}

/// `error` with the secret variables' values masked where it names the URL.
fn mask_in_error(error: Error, secrets: &SecretValues) -> Error {
    match error {
        Error::InvalidUrl { url, reason } => Error::InvalidUrl {
            url: secrets.scrub(&url),
            reason: secrets.scrub(&reason),
        },
        Error::Transport { url, detail } => Error::Transport {
            url: secrets.scrub(&url),
            detail: secrets.scrub(&detail),
        },
        other => other,
    }
}

/// Every request the outcome shows (the last one, each attempt's) with the
/// secret variables' values as `[secret NAME]`, as merge fields' are masked.
fn mask_secret_variables(outcome: &mut Outcome, secrets: &SecretValues) {
    if secrets.is_empty() {
        return;
    }
    let requests =
        std::iter::once(&mut outcome.request).chain(outcome.attempts.iter_mut().filter_map(
            |attempt| match attempt {
                Attempt::Sent { request, .. } | Attempt::Failed { request, .. } => Some(request),
                _ => None,
            },
        ));
    for request in requests {
        request.url = secrets.scrub(&request.url);
        for header in &mut request.headers {
            header.value = secrets.scrub(&header.value);
        }
        request.body = request.body.as_deref().map(|body| secrets.scrub(body));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_naming_the_url_names_it_with_its_secrets_masked() {
        let mut secrets = SecretValues::default();
        secrets.insert("api_key", crate::Secret::new("k3y-value"));
        let invalid = Error::InvalidUrl {
            url: "ftp://x.example/?key=k3y-value".into(),
            reason: "unsupported scheme".into(),
        };
        let unreached = Error::Transport {
            url: "https://x.example/?key=k3y-value".into(),
            detail: "could not connect".into(),
        };
        for error in [invalid, unreached] {
            let shown = mask_in_error(error, &secrets).to_string();
            assert!(shown.contains("key=[secret api_key]"), "{shown}");
        }
    }
}

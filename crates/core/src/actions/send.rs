//! Send a request the way the product does: the draft checked first, a
//! plain URL sent as written, a `callout:NAME` URL with the credential's
//! live token from the keychain and a refresher that renews it when a
//! response says it expired, every step recorded in the timeline.

use std::sync::Arc;
use std::time::SystemTime;

use crate::Result;
use crate::credential::CredentialSecrets;
use crate::endpoint;
use crate::history::{DEFAULT_KEEP, History, Label};
use crate::http::Draft;
use crate::oauth::{KeychainRefresher, TokenService};
use crate::send::{self, Outcome, Sender};
use crate::settings::SettingsStore;

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
    let at = SystemTime::now();
    let clock = std::time::Instant::now();
    let outcome = send_unrecorded(sender, service, draft, user).await?;
    let home = service.store().home();
    let keep = SettingsStore::new(home)
        .load()
        .map_or(DEFAULT_KEEP, |settings| settings.history_retention());
    if let Ok(history) = History::open(home) {
        let _ = history.record(draft, &outcome.report(), label, at, clock.elapsed(), keep);
    }
    Ok(outcome)
}

async fn send_unrecorded(
    sender: &Sender,
    service: &Arc<TokenService>,
    draft: &Draft,
    user: Option<&str>,
) -> Result<Outcome> {
    let target = endpoint::split(&draft.url)?;
    let credentials = service.store().load_for(&target)?;
    let call = target.resolve(draft, &credentials)?;
    send::check(&call)?;
    let Some(credential) = call.credential else {
        return sender
            .send(&call, &CredentialSecrets::default(), None)
            .await;
    };
    // Basic authentication or none: the secrets carry no token, and the
    // pipeline's refresh step says there is none to renew.
    let refresher = KeychainRefresher::new(Arc::clone(service), user.map(str::to_string));
    let secrets = refresher.secrets(credential).await?;
    let started = SystemTime::now();
    let outcome = sender.send(&call, &secrets, Some(&refresher)).await?;
    service.record_send(&credential.name, &outcome, started);
    Ok(outcome)
}

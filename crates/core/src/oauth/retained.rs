//! Token sets the keychain would not take.
//!
//! A provider that rotates refresh tokens has killed the old one by the time
//! its answer arrives: losing the new set loses the credential. So a set
//! that cannot be stored is held here for as long as the process lives —
//! handed out in place of what the keychain holds (it is the newer), and
//! stored, under the credential's lock, as soon as the keychain takes it:
//! tried again every [`STORE_RETRY`] on a task of its own, and whenever the
//! credential is refreshed. The timeline hears when a set is held and when
//! it is finally stored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::credential_store::{Authorization, CredentialStore, Identity};
use crate::lock::RefreshLocks;
use crate::timeline::{EventDetail, Timeline};
use crate::{Error, locked};

/// How often a held token set is offered to the keychain again.
pub(crate) const STORE_RETRY: Duration = Duration::from_secs(2);

/// The key of one identity of one credential (names ignore case).
pub(crate) fn identity_key(credential: &str, identity: &Identity) -> String {
    format!("{}\n{}", credential.to_ascii_lowercase(), identity.key())
}

/// The held token sets of one home.
#[derive(Debug, Clone)]
pub(crate) struct Retained {
    store: CredentialStore,
    locks: Arc<RefreshLocks>,
    timeline: Option<Arc<Timeline>>,
    held: Arc<Mutex<HashMap<String, Held>>>,
}

#[derive(Debug, Clone)]
struct Held {
    credential: String,
    identity: Identity,
    authorization: Authorization,
    /// What the timeline hears once the set is stored.
    issued: EventDetail,
    /// Why the keychain refused, as last heard.
    problem: String,
}

impl Retained {
    pub(crate) fn new(store: CredentialStore, locks: Arc<RefreshLocks>) -> Self {
        Self {
            store,
            locks,
            timeline: None,
            held: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub(crate) fn set_timeline(&mut self, timeline: Arc<Timeline>) {
        self.timeline = Some(timeline);
    }

    /// The held authorization of an identity, if the keychain has not taken it yet.
    pub(crate) fn get(&self, credential: &str, identity: &Identity) -> Option<Authorization> {
        locked(&self.held)
            .get(&identity_key(credential, identity))
            .map(|held| held.authorization.clone())
    }

    /// Why the identity's tokens are held rather than stored, if they are.
    pub(crate) fn problem(&self, credential: &str, identity: &Identity) -> Option<String> {
        locked(&self.held)
            .get(&identity_key(credential, identity))
            .map(|held| held.problem.clone())
    }

    /// Stores `authorization` as the identity's, or — when the keychain
    /// refuses twice — holds it and keeps trying. `issued` is recorded once
    /// it is stored. Call with the credential's lock held.
    pub(crate) fn store(
        &self,
        credential: &str,
        identity: &Identity,
        authorization: &Authorization,
        issued: Option<EventDetail>,
    ) {
        let first = match self
            .store
            .set_authorization(credential, identity, authorization)
        {
            Ok(()) => return self.stored(credential, identity, issued),
            Err(first) => first,
        };
        match self
            .store
            .set_authorization(credential, identity, authorization)
        {
            Ok(()) => {
                self.record(
                    credential,
                    EventDetail::KeychainError {
                        message: format!("storing the new tokens failed once: {first}"),
                    },
                );
                self.stored(credential, identity, issued);
            }
            Err(error) => self.hold(credential, identity, authorization, issued, &error),
        }
    }

    /// After a store: nothing older is held any more.
    fn stored(&self, credential: &str, identity: &Identity, issued: Option<EventDetail>) {
        locked(&self.held).remove(&identity_key(credential, identity));
        if let Some(issued) = issued {
            self.record(credential, issued);
        }
    }

    fn hold(
        &self,
        credential: &str,
        identity: &Identity,
        authorization: &Authorization,
        issued: Option<EventDetail>,
        error: &Error,
    ) {
        let key = identity_key(credential, identity);
        let problem = error.to_string();
        let running = {
            let mut map = locked(&self.held);
            let previous = map.remove(&key);
            let running = previous.is_some();
            // A set held before this one was never stored: its event is
            // still due when this one is.
            let issued = issued
                .or_else(|| previous.map(|previous| previous.issued))
                .unwrap_or_else(|| EventDetail::KeychainError {
                    message: "the tokens kept in memory are stored now".into(),
                });
            map.insert(
                key.clone(),
                Held {
                    credential: credential.to_string(),
                    identity: identity.clone(),
                    authorization: authorization.clone(),
                    issued,
                    problem: problem.clone(),
                },
            );
            running
        };
        self.record(
            credential,
            EventDetail::KeychainError {
                message: format!(
                    "the new tokens could not be stored ({problem}); they are kept in memory \
                     and used from there, and storing them is tried again every {} s until the \
                     keychain takes them — quitting before then loses them",
                    STORE_RETRY.as_secs()
                ),
            },
        );
        if !running && let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(self.clone().keep_trying(key));
        }
    }

    /// Offers what is held for the identity to the keychain again. Call
    /// with the credential's lock held. True when nothing is held any more.
    pub(crate) fn store_held(&self, credential: &str, identity: &Identity) -> bool {
        self.store_key(&identity_key(credential, identity))
    }

    fn store_key(&self, key: &str) -> bool {
        let Some(held) = locked(&self.held).get(key).cloned() else {
            return true;
        };
        if self.store.get(&held.credential).is_err() {
            // The credential was removed (or its definitions cannot be
            // read): nothing to store its tokens for.
            return self.release(key, &held);
        }
        match self
            .store
            .set_authorization(&held.credential, &held.identity, &held.authorization)
        {
            Ok(()) => {
                // Told before it is let go: once nothing is held, the
                // timeline already says so.
                self.record(&held.credential, held.issued.clone());
                self.release(key, &held)
            }
            Err(error) => {
                if let Some(entry) = locked(&self.held).get_mut(key) {
                    entry.problem = error.to_string();
                }
                false
            }
        }
    }

    /// Drops `held` unless a newer set took its place meanwhile; true when
    /// nothing is held any more.
    fn release(&self, key: &str, held: &Held) -> bool {
        let mut map = locked(&self.held);
        let same = map.get(key).is_some_and(|now| {
            let token = |held: &Held| {
                held.authorization
                    .tokens
                    .as_ref()
                    .map(|tokens| tokens.access_token.clone())
            };
            token(now) == token(held)
        });
        if same {
            map.remove(key);
        }
        same
    }

    /// Tries again every [`STORE_RETRY`], under the credential's lock,
    /// until the keychain has taken the set (or nothing is held).
    async fn keep_trying(self, key: String) {
        loop {
            tokio::time::sleep(STORE_RETRY).await;
            let Some(credential) = locked(&self.held)
                .get(&key)
                .map(|held| held.credential.clone())
            else {
                return;
            };
            let Ok(_guard) = self.locks.acquire(&credential).await else {
                continue;
            };
            if self.store_key(&key) {
                return;
            }
        }
    }

    fn record(&self, credential: &str, detail: EventDetail) {
        record(self.timeline.as_ref(), credential, &detail);
    }
}

/// Appends to `timeline`, if there is one. Recording is best effort: a
/// timeline that cannot be written never stops a token being used.
pub(crate) fn record(timeline: Option<&Arc<Timeline>>, credential: &str, detail: &EventDetail) {
    if let Some(timeline) = timeline {
        let _ = timeline.append(credential, detail, SystemTime::now());
    }
}

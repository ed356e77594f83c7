//! Live tokens: authorize, read from the keychain, refresh when expired —
//! and never lose a token doing it.
//!
//! Guarantees:
//! - One refresh in flight per credential across tasks and processes
//!   ([`RefreshLocks`]). After taking the lock the keychain is read again:
//!   when another task or process has refreshed meanwhile, its token is used
//!   and no request goes to the provider.
//! - A token response is written to the keychain (refresh and access token
//!   together, in one entry) before its access token is handed to anyone, so
//!   a crash after the write never leaves a dead refresh token stored. The
//!   slow part of learning an unknown expiry (introspection) comes after the
//!   write, never between the provider's answer and it.
//! - A token set the keychain will not take is not dropped: it is kept in
//!   memory, used from there, and stored as soon as the keychain takes it
//!   ([`retained`](super::retained)); the timeline says so.
//! - A token endpoint that fails (HTTP 500, an HTML page, broken JSON) leaves
//!   the stored tokens as they were, and the error says what it answered.
//! - `invalid_grant` marks the identity "needs re-authorization" with the
//!   provider's reason — except for client-credentials and password
//!   credentials, which simply mint new tokens.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use super::flows::{self, Grant, TokenCallError};
use super::retained::{Retained, identity_key};
use super::service::{LiveToken, Renewal, TokenService};
use super::status::is_expired;
use crate::credential::{AuthProtocol, Credential, CredentialSecrets};
use crate::credential_store::{Authorization, Identity};
use crate::detect::Verdict;
use crate::lock::RefreshGuard;
use crate::send::{RefreshFuture, Refreshed, Refresher, ReplacementFuture, Storing};
use crate::timeline::{EventDetail, RefreshTrigger, Timeline};
use crate::token::TokenSet;
use crate::{Error, Result, Secret, locked, pause};

impl TokenService {
    /// Renews the token after `failed` was refused (or found expired): one
    /// refresh in flight per credential, and none at all when someone else
    /// already stored a different, unexpired token. Without `failed` (the
    /// caller does not know which token was refused) it always renews.
    pub async fn refresh_after(
        &self,
        credential: &Credential,
        user: Option<&str>,
        failed: Option<&Secret>,
    ) -> Result<LiveToken> {
        self.refresh_for(credential, user, failed, &RefreshTrigger::Manual)
            .await
    }

    /// [`refresh_after`](Self::refresh_after), recording `trigger` as the
    /// reason in the timeline.
    pub async fn refresh_for(
        &self,
        credential: &Credential,
        user: Option<&str>,
        failed: Option<&Secret>,
        trigger: &RefreshTrigger,
    ) -> Result<LiveToken> {
        let identity = self.refused_identity(credential, user, failed);
        let seen = failed.map_or(Seen::Unknown, Seen::Token);
        self.renew(credential, &identity, seen, trigger).await
    }

    /// [`refresh_for`](Self::refresh_for) for a call that retries at once:
    /// new tokens go to the keychain alongside the retry instead of before
    /// it. The credential stays locked until they are stored; the
    /// [`PendingStore`] says when that is, and whether the keychain took
    /// them. Tokens whose expiry is still to be learned are stored first,
    /// as by `refresh_for`.
    pub async fn refresh_alongside(
        &self,
        credential: &Credential,
        user: Option<&str>,
        failed: Option<&Secret>,
        trigger: &RefreshTrigger,
    ) -> Result<(LiveToken, Option<PendingStore>)> {
        let identity = self.refused_identity(credential, user, failed);
        let seen = failed.map_or(Seen::Unknown, Seen::Token);
        self.renew_with(credential, &identity, seen, trigger, Keep::Alongside)
            .await
    }

    /// The identity a refresh is for, noting `failed` as refused by it.
    fn refused_identity(
        &self,
        credential: &Credential,
        user: Option<&str>,
        failed: Option<&Secret>,
    ) -> Identity {
        let identity = Identity::for_credential(credential, user);
        if let Some(failed) = failed {
            locked(&self.refused).insert(Self::renewal_key(credential, &identity), failed.clone());
        }
        identity
    }

    /// Renews when `due` says so of what is stored — asked again under the
    /// credential's lock, so a renewal decided on an earlier read (the
    /// keeper's) is not repeated after another task or process renewed.
    pub async fn refresh_if_due(
        &self,
        credential: &Credential,
        user: Option<&str>,
        trigger: &RefreshTrigger,
        due: &(dyn Fn(&Authorization) -> bool + Sync),
    ) -> Result<LiveToken> {
        let identity = Identity::for_credential(credential, user);
        self.renew(credential, &identity, Seen::Due(due), trigger)
            .await
    }

    pub(super) async fn renew(
        &self,
        credential: &Credential,
        identity: &Identity,
        seen: Seen<'_>,
        trigger: &RefreshTrigger,
    ) -> Result<LiveToken> {
        let (live, _) = self
            .renew_with(credential, identity, seen, trigger, Keep::BeforeReturning)
            .await?;
        Ok(live)
    }

    async fn renew_with(
        &self,
        credential: &Credential,
        identity: &Identity,
        seen: Seen<'_>,
        trigger: &RefreshTrigger,
        keep: Keep,
    ) -> Result<(LiveToken, Option<PendingStore>)> {
        let started = std::time::Instant::now();
        let result = self.renew_locked(credential, identity, seen, keep).await;
        match result {
            Ok((live, Some(unstored))) => {
                // The attempt is recorded once its tokens are stored, after
                // their "issued" event, as when they are stored first.
                let events = self.refresh_events(trigger, started, &Ok(live.clone()));
                let pending = unstored.store_in_background(
                    self.retained.clone(),
                    self.timeline.clone(),
                    events,
                );
                Ok((live, Some(pending)))
            }
            result => {
                let result = result.map(|(live, _)| live);
                self.record_refresh(&credential.name, trigger, started, &result);
                result.map(|live| (live, None))
            }
        }
    }

    pub(super) async fn renew_locked(
        &self,
        credential: &Credential,
        identity: &Identity,
        seen: Seen<'_>,
        keep: Keep,
    ) -> Result<(LiveToken, Option<Unstored>)> {
        let turn = self.locks.turn(&credential.name).await;
        if let Seen::Token(failed) = seen
            && let Some(live) = self.renewed_here(credential, identity, failed)
        {
            return Ok((live, None));
        }
        let guard = turn.lock_file(&self.locks).await?;
        pause::point("refresh-locked");
        self.retained.store_held(&credential.name, identity);
        // What this process last read or wrote, unless someone has written
        // the entry since (then the keychain is read).
        let mut authorization = self.known_authorization(&credential.name, identity)?;
        let (username, password) = (
            authorization.username.clone(),
            authorization.password.clone(),
        );
        let live = |tokens: TokenSet, refreshed| LiveToken {
            credential: credential.name.clone(),
            identity: identity.clone(),
            tokens,
            refreshed,
            username,
            password,
        };
        let now = SystemTime::now();
        let replaced = usable(&authorization).filter(|tokens| {
            !is_expired(tokens, now)
                && match seen {
                    Seen::Token(failed) => *failed != tokens.access_token,
                    Seen::Nothing => true,
                    Seen::Unknown => false,
                    Seen::Due(due) => !due(&authorization),
                }
        });
        if let Some(tokens) = replaced {
            // Another task or process refreshed while we waited for the lock.
            return Ok((live(tokens.clone(), false), None));
        }
        let replaced = authorization
            .tokens
            .as_ref()
            .map(|tokens| tokens.access_token.clone());
        let obtained = self
            .obtain(credential, identity, &mut authorization)
            .await?;
        let tokens = obtained.tokens;
        // Introspection (an unknown expiry) needs the tokens stored first.
        let alongside =
            keep == Keep::Alongside && (tokens.expires_at.is_some() || credential.issuer.is_none());
        let mut unstored = Unstored {
            _guard: guard,
            credential: credential.name.clone(),
            identity: identity.clone(),
            authorization,
            issued: obtained.issued,
        };
        let (fresh, unstored) = if alongside {
            (live(tokens, true), Some(unstored))
        } else {
            unstored.store(&self.retained);
            self.learn_expiry(
                credential,
                identity,
                obtained.secret.as_ref(),
                &mut unstored.authorization,
            )
            .await;
            let tokens = unstored.authorization.tokens.clone().unwrap_or(tokens);
            (live(tokens, true), None)
        };
        if let Some(replaced) = replaced {
            self.remember_renewal(credential, identity, replaced, &fresh);
        }
        Ok((fresh, unstored))
    }

    /// When a response has refused `token` (a refresh was asked for in its
    /// place), the token this process obtained instead, waiting for that
    /// refresh if it is still running here. `None` for any other token, or
    /// when there is no live replacement: nothing is asked of the provider
    /// or the keychain.
    pub async fn renewal_of(
        &self,
        credential: &Credential,
        user: Option<&str>,
        token: &Secret,
    ) -> Option<LiveToken> {
        let identity = Identity::for_credential(credential, user);
        let key = Self::renewal_key(credential, &identity);
        if locked(&self.refused).get(&key) != Some(token) {
            return None;
        }
        let _turn = self.locks.turn(&credential.name).await;
        self.renewed_here(credential, &identity, token)
    }

    pub(super) fn renewal_key(credential: &Credential, identity: &Identity) -> String {
        identity_key(&credential.name, identity)
    }

    /// The token this process obtained in place of `failed`, if it did and
    /// that token has not expired.
    pub(super) fn renewed_here(
        &self,
        credential: &Credential,
        identity: &Identity,
        failed: &Secret,
    ) -> Option<LiveToken> {
        let renewals = locked(&self.renewals);
        let renewal = renewals.get(&Self::renewal_key(credential, identity))?;
        let fresh =
            renewal.replaced == *failed && !is_expired(&renewal.live.tokens, SystemTime::now());
        fresh.then(|| LiveToken {
            refreshed: false,
            ..renewal.live.clone()
        })
    }

    pub(super) fn remember_renewal(
        &self,
        credential: &Credential,
        identity: &Identity,
        replaced: Secret,
        live: &LiveToken,
    ) {
        locked(&self.renewals).insert(
            Self::renewal_key(credential, identity),
            Renewal {
                replaced,
                live: live.clone(),
            },
        );
    }

    /// Gets new tokens with the refresh token, or by minting, and puts them
    /// in `authorization`; the caller stores it. Call with the lock held.
    pub(super) async fn obtain(
        &self,
        credential: &Credential,
        identity: &Identity,
        authorization: &mut Authorization,
    ) -> Result<Obtained> {
        let refresh_token = authorization
            .tokens
            .as_ref()
            .and_then(|tokens| tokens.refresh_token.clone());
        let can_mint = can_mint(credential, authorization);
        if let Some(reason) = authorization
            .needs_reauthorization
            .clone()
            .filter(|_| !can_mint)
        {
            return Err(Error::NeedsReauthorization {
                credential: credential.name.clone(),
                reason,
            });
        }
        let token_url = flows::token_url(&self.http, credential).await?;
        let secret = self.store.known_client_secret(&credential.name)?;
        if let Some(refresh_token) =
            refresh_token.filter(|_| authorization.needs_reauthorization.is_none())
        {
            let grant = Grant::RefreshToken(&refresh_token);
            let http = self.http_for(credential)?;
            match flows::request_tokens(&http, credential, &token_url, secret.as_ref(), &grant)
                .await
            {
                Ok(mut fresh) => {
                    if fresh.refresh_token.is_none() {
                        // No rotation: the refresh token stays valid.
                        fresh.refresh_token = Some(refresh_token.clone());
                    }
                    if fresh.instance_url.is_none() {
                        // Salesforce names the instance on every refresh;
                        // a provider that does not keeps the one it named.
                        fresh.instance_url = authorization
                            .tokens
                            .as_ref()
                            .and_then(|old| old.instance_url.clone());
                    }
                    if fresh.scopes.is_empty() {
                        fresh.scopes = authorization
                            .tokens
                            .as_ref()
                            .map(|old| old.scopes.clone())
                            .unwrap_or_default();
                    }
                    return Ok(Obtained::taken(authorization, fresh, secret));
                }
                Err(error) if error.needs_reauthorization() && !can_mint => {
                    let reason = format!("the provider refused the refresh token: {error}");
                    authorization.needs_reauthorization = Some(reason.clone());
                    self.retained
                        .store(&credential.name, identity, authorization, None);
                    return Err(Error::NeedsReauthorization {
                        credential: credential.name.clone(),
                        reason,
                    });
                }
                Err(error) if error.needs_reauthorization() => {}
                Err(error) => return Err(refresh_error(credential, error)),
            }
        }
        if !can_mint {
            let reason = match &authorization.tokens {
                None => "it has not been authorized yet".to_string(),
                Some(_) => "the access token expired and the provider gave no refresh token \
                            to renew it"
                    .to_string(),
            };
            return Err(Error::NeedsReauthorization {
                credential: credential.name.clone(),
                reason,
            });
        }
        let fresh = self
            .mint(credential, &token_url, secret.as_ref(), authorization)
            .await
            .map_err(|error| refresh_error(credential, error))?;
        Ok(Obtained::taken(authorization, fresh, secret))
    }

    /// Client credentials or the stored password login: new tokens without
    /// a person.
    pub(super) async fn mint(
        &self,
        credential: &Credential,
        token_url: &str,
        secret: Option<&Secret>,
        authorization: &Authorization,
    ) -> std::result::Result<TokenSet, TokenCallError> {
        let http = self.http_for(credential).map_err(TokenCallError::NotSent)?;
        let grant = match (
            credential.protocol,
            &authorization.username,
            &authorization.password,
        ) {
            (AuthProtocol::Password, Some(username), Some(password)) => {
                Grant::Password { username, password }
            }
            (AuthProtocol::JwtBearer, Some(subject), _) => {
                let assertion = self
                    .assertion(credential, subject, token_url, secret)
                    .map_err(TokenCallError::NotSent)?;
                return flows::request_tokens(
                    &http,
                    credential,
                    token_url,
                    secret,
                    &Grant::JwtBearer {
                        assertion: &assertion,
                    },
                )
                .await;
            }
            _ => Grant::ClientCredentials,
        };
        flows::request_tokens(&http, credential, token_url, secret, &grant).await
    }

    /// Once the tokens are stored: an unknown expiry is asked of the
    /// provider's introspection endpoint (slow, and best effort), and what
    /// it tells is stored too.
    pub(super) async fn learn_expiry(
        &self,
        credential: &Credential,
        identity: &Identity,
        secret: Option<&Secret>,
        authorization: &mut Authorization,
    ) {
        let Some(tokens) = authorization.tokens.as_mut() else {
            return;
        };
        if flows::learn_expiry(&self.http, credential, secret, tokens).await {
            self.retained
                .store(&credential.name, identity, authorization, None);
        }
    }
}

/// What the caller of a renewal last saw stored.
#[derive(Clone, Copy)]
pub(super) enum Seen<'a> {
    /// This access token (expired, or refused by the API).
    Token(&'a Secret),
    /// No tokens at all: any valid token stored meanwhile will do.
    Nothing,
    /// Not known: renew whatever is stored.
    Unknown,
    /// A snapshot said a renewal is due: renew when what is stored now
    /// still says so.
    Due(&'a (dyn Fn(&Authorization) -> bool + Sync)),
}

/// When a renewal's new tokens are written to the keychain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Keep {
    /// Before the renewal returns (anyone may rely on them being stored).
    BeforeReturning,
    /// On a blocking thread, while the caller uses them (a retry).
    Alongside,
}

/// New tokens from the provider, put into the identity's authorization
/// but not stored yet.
pub(super) struct Obtained {
    /// The tokens, as put into the authorization.
    tokens: TokenSet,
    /// The timeline's "token issued", recorded once they are stored.
    issued: EventDetail,
    /// The client secret the token request used (introspection uses it too).
    secret: Option<Secret>,
}

impl Obtained {
    /// Puts `fresh` into `authorization` as the identity's tokens, clearing
    /// any "needs re-authorization".
    fn taken(authorization: &mut Authorization, fresh: TokenSet, secret: Option<Secret>) -> Self {
        let previous = authorization
            .tokens
            .as_ref()
            .and_then(|tokens| tokens.refresh_token.clone());
        let issued = EventDetail::token_issued(&fresh, previous.as_ref());
        authorization.tokens = Some(fresh.clone());
        authorization.needs_reauthorization = None;
        Obtained {
            tokens: fresh,
            issued,
            secret,
        }
    }
}

/// An authorization with new tokens, not stored yet, and the credential's
/// lock, held until it is.
pub(super) struct Unstored {
    /// Held, not read: dropping it releases the lock.
    _guard: RefreshGuard,
    credential: String,
    identity: Identity,
    authorization: Authorization,
    issued: EventDetail,
}

impl Unstored {
    /// Stores the tokens in one keychain write. The provider may already
    /// have rotated the old refresh token away: a set the keychain will not
    /// take is kept in memory and stored later, never dropped. The lock is
    /// released when this is dropped.
    fn store(&self, retained: &Retained) {
        pause::point("refresh-answered");
        retained.store(
            &self.credential,
            &self.identity,
            &self.authorization,
            Some(self.issued.clone()),
        );
        pause::point("refresh-stored");
    }

    /// [`store`](Self::store) on a blocking thread, then `events` go to the
    /// timeline.
    fn store_in_background(
        self,
        retained: Retained,
        timeline: Option<Arc<Timeline>>,
        events: Vec<EventDetail>,
    ) -> PendingStore {
        let (credential, identity) = (self.credential.clone(), self.identity.clone());
        PendingStore(tokio::task::spawn_blocking(move || {
            self.store(&retained);
            drop(self);
            for event in &events {
                super::retained::record(timeline.as_ref(), &credential, event);
            }
            retained.problem(&credential, &identity)
        }))
    }
}

/// New tokens on their way into the keychain, alongside the call that uses
/// them.
#[derive(Debug)]
pub struct PendingStore(tokio::task::JoinHandle<Option<String>>);

impl PendingStore {
    /// Waits until the keychain has taken the tokens. `Some` says why it did
    /// not: they are kept in this process's memory, used from there, and
    /// stored as soon as it takes them.
    pub async fn landed(self) -> Option<String> {
        match self.0.await {
            Ok(problem) => problem,
            Err(error) => Some(format!("storing the new tokens stopped: {error}")),
        }
    }
}

/// Who a flow signed in as, kept to mint new tokens later: the password
/// flow's login, or the JWT bearer flow's subject (no password).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Login<'a> {
    pub username: &'a str,
    pub password: Option<&'a Secret>,
}

/// The stored tokens, unless only a new authorization can help.
pub(super) fn usable(authorization: &Authorization) -> Option<&TokenSet> {
    authorization
        .tokens
        .as_ref()
        .filter(|_| authorization.needs_reauthorization.is_none())
        // Only a refresh token (CI mode's start): there is no token to send yet.
        .filter(|tokens| !tokens.access_token.expose().is_empty())
}

/// Whether new tokens can be had without a person: client credentials, a
/// password credential with its login, a JWT bearer credential with its
/// subject.
pub(crate) fn can_mint(credential: &Credential, authorization: &Authorization) -> bool {
    match credential.protocol {
        AuthProtocol::ClientCredentials => true,
        AuthProtocol::Password => {
            authorization.username.is_some() && authorization.password.is_some()
        }
        AuthProtocol::JwtBearer => authorization.username.is_some(),
        _ => false,
    }
}

fn refresh_error(credential: &Credential, error: TokenCallError) -> Error {
    match error {
        TokenCallError::NotSent(error) => error,
        TokenCallError::Response(error) => Error::Refresh {
            credential: credential.name.clone(),
            detail: format!(
                "{error}. The stored tokens were left unchanged; try again, or check the provider"
            ),
        },
    }
}

/// The engine's [`Refresher`] backed by the keychain: hands out live tokens
/// for sending and, when a response says "expired", refreshes for real.
#[derive(Debug)]
pub struct KeychainRefresher {
    service: Arc<TokenService>,
    user: Option<String>,
    /// The access token last handed out per credential: the one a refresh
    /// replaces (a different stored one means someone already refreshed).
    handed_out: Mutex<HashMap<String, Secret>>,
}

impl KeychainRefresher {
    pub fn new(service: Arc<TokenService>, user: Option<String>) -> Self {
        Self {
            service,
            user,
            handed_out: Mutex::new(HashMap::new()),
        }
    }

    /// Secrets to send with (a live token, refreshed first if stale).
    pub async fn secrets(&self, credential: &Credential) -> Result<CredentialSecrets> {
        let secrets = self
            .service
            .secrets(credential, self.user.as_deref())
            .await?;
        if let Some(token) = &secrets.access_token {
            self.remember(credential, token.clone());
        }
        Ok(secrets)
    }

    fn remember(&self, credential: &Credential, token: Secret) {
        locked(&self.handed_out).insert(credential.name.to_ascii_lowercase(), token);
    }

    fn last_handed_out(&self, credential: &Credential) -> Option<Secret> {
        locked(&self.handed_out)
            .get(&credential.name.to_ascii_lowercase())
            .cloned()
    }

    fn secrets_of(live: LiveToken) -> CredentialSecrets {
        CredentialSecrets {
            instance_url: live.tokens.instance_url,
            access_token: Some(live.tokens.access_token),
            username: live.username,
            password: live.password,
            ..CredentialSecrets::default()
        }
    }
}

impl Refresher for KeychainRefresher {
    fn refresh<'a>(
        &'a self,
        credential: &'a Credential,
        verdict: &'a Verdict,
        used: &'a CredentialSecrets,
    ) -> RefreshFuture<'a> {
        Box::pin(async move {
            // The token the refused request carried; without one, the one
            // handed out last.
            let failed = used
                .access_token
                .clone()
                .or_else(|| self.last_handed_out(credential));
            let trigger = match &verdict.rule {
                Some(id) => RefreshTrigger::Rule { id: id.clone() },
                None => RefreshTrigger::Manual,
            };
            // The retry goes out while the new tokens are being stored.
            let (live, pending) = self
                .service
                .refresh_alongside(credential, self.user.as_deref(), failed.as_ref(), &trigger)
                .await?;
            self.remember(credential, live.tokens.access_token.clone());
            let already_refreshed = !live.refreshed;
            Ok(Refreshed {
                secrets: CredentialSecrets {
                    already_refreshed,
                    ..Self::secrets_of(live)
                },
                storing: pending.map(|pending| -> Storing { Box::pin(pending.landed()) }),
            })
        })
    }

    fn replacement<'a>(
        &'a self,
        credential: &'a Credential,
        secrets: &'a CredentialSecrets,
    ) -> ReplacementFuture<'a> {
        Box::pin(async move {
            let token = secrets.access_token.as_ref()?;
            let live = self
                .service
                .renewal_of(credential, self.user.as_deref(), token)
                .await?;
            self.remember(credential, live.tokens.access_token.clone());
            Some(Self::secrets_of(live))
        })
    }
}

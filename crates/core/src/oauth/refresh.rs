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
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::assertion::{self, SigningKey};
use super::flows::{self, Grant, TokenCallError};
use super::lock::RefreshLocks;
use super::retained::{self, Retained, identity_key};
use super::token::TokenSet;
use crate::credential::{AuthProtocol, Credential, CredentialSecrets};
use crate::credential_store::{Authorization, CredentialStore, Identity};
use crate::detect::Verdict;
use crate::home::Home;
use crate::send::{Outcome, RefreshFuture, Refresher, ReplacementFuture};
use crate::timeline::{self, EventDetail, RefreshOutcome, RefreshTrigger, Timeline};
use crate::{Error, ErrorKind, Result, Secret, lock, pause};

/// A token counts as "about to expire" this long before its expiry (or a
/// tenth of its lifetime, when that is shorter).
pub const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// Where a credential stands, as the tray and `credential list` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum CredentialStatus {
    /// No tokens yet.
    NotAuthorized,
    /// Valid for this many more seconds.
    #[serde(rename_all = "camelCase")]
    Valid { remaining_seconds: u64 },
    /// The provider said nothing about expiry (Salesforce).
    ExpiryUnknown,
    /// Expired; a refresh token (or a client secret) may renew it.
    Expired,
    #[serde(rename_all = "camelCase")]
    NeedsReauthorization { reason: String },
}

impl CredentialStatus {
    /// "valid for 12 min", "expired", "needs re-authorization (...)".
    pub fn describe(&self) -> String {
        match self {
            CredentialStatus::NotAuthorized => "not authorized".into(),
            CredentialStatus::Valid { remaining_seconds } => {
                let minutes = remaining_seconds / 60;
                if minutes == 0 {
                    format!("valid for {remaining_seconds} s")
                } else {
                    format!("valid for {minutes} min")
                }
            }
            CredentialStatus::ExpiryUnknown => "valid, expiry unknown".into(),
            CredentialStatus::Expired => "expired".into(),
            CredentialStatus::NeedsReauthorization { reason } => {
                format!("needs re-authorization: {reason}")
            }
        }
    }
}

/// The status of one identity's authorization at `now`.
pub fn status(authorization: &Authorization, now: SystemTime) -> CredentialStatus {
    if let Some(reason) = &authorization.needs_reauthorization {
        return CredentialStatus::NeedsReauthorization {
            reason: reason.clone(),
        };
    }
    let Some(tokens) = &authorization.tokens else {
        return CredentialStatus::NotAuthorized;
    };
    match tokens.expires_at {
        None => CredentialStatus::ExpiryUnknown,
        Some(expires_at) => match expires_at.duration_since(now) {
            Ok(remaining) if !remaining.is_zero() => CredentialStatus::Valid {
                remaining_seconds: remaining.as_secs(),
            },
            _ => CredentialStatus::Expired,
        },
    }
}

/// Whether `tokens` should be renewed before use at `now`: expired, or
/// within [`EXPIRY_MARGIN`] (or a tenth of the lifetime) of expiring.
pub fn is_stale(tokens: &TokenSet, now: SystemTime) -> bool {
    tokens
        .expires_within(now, margin_for(tokens, EXPIRY_MARGIN))
        .unwrap_or(false)
}

/// How long before its expiry `tokens` count as due for renewal: `margin`,
/// or a tenth of their lifetime when that is shorter (a 60 s token is
/// renewed in its last 6 s, not all the time).
pub fn margin_for(tokens: &TokenSet, margin: Duration) -> Duration {
    tokens
        .lifetime()
        .map_or(margin, |lifetime| (lifetime / 10).min(margin))
}

/// Whether `tokens` are expired at `now` (no margin). Unknown expiry: no.
pub fn is_expired(tokens: &TokenSet, now: SystemTime) -> bool {
    tokens.expires_within(now, Duration::ZERO).unwrap_or(false)
}

/// A live access token and where it came from.
#[derive(Debug, Clone)]
pub struct LiveToken {
    pub credential: String,
    pub identity: Identity,
    pub tokens: TokenSet,
    /// Whether this call obtained it from the provider.
    pub refreshed: bool,
    /// The stored login (password flow) or JWT subject, for the
    /// `Username` and `Password` merge fields.
    pub username: Option<String>,
    pub password: Option<Secret>,
}

/// Authorizes credentials, hands out live tokens and refreshes them, for one
/// home. Share one per process (it holds the in-process refresh gates).
#[derive(Debug)]
pub struct TokenService {
    store: CredentialStore,
    locks: Arc<RefreshLocks>,
    /// Token sets the keychain would not take yet.
    retained: Retained,
    http: reqwest::Client,
    /// Where authorizations, tokens and refreshes are recorded, if anywhere.
    timeline: Option<Arc<Timeline>>,
    /// The last token this process obtained per credential and identity,
    /// with the access token it replaced: tasks that waited their turn
    /// behind that refresh, holding the replaced token, take it without
    /// the file lock or the keychain.
    renewals: Mutex<HashMap<String, Renewal>>,
    /// Per credential and identity, the last token a response refused (a
    /// refresh was asked for in its place): a call about to go out with it
    /// takes its replacement instead ([`renewal_of`](Self::renewal_of)).
    refused: Mutex<HashMap<String, Secret>>,
}

#[derive(Debug, Clone)]
struct Renewal {
    replaced: Secret,
    live: LiveToken,
}

impl TokenService {
    /// A service for `home`, calling token endpoints through `http` (build it
    /// with [`flows::token_client`]: no redirects).
    pub fn new(home: &Home, http: reqwest::Client) -> Self {
        let store = CredentialStore::new(home.clone());
        let locks = Arc::new(RefreshLocks::new(home.locks_dir()));
        Self {
            retained: Retained::new(store.clone(), Arc::clone(&locks)),
            store,
            locks,
            http,
            timeline: None,
            renewals: Mutex::new(HashMap::new()),
            refused: Mutex::new(HashMap::new()),
        }
    }

    /// With a token client of its own, recording in the home's timeline.
    pub fn for_home(home: &Home) -> Result<Self> {
        Self::new(home, flows::token_client()?).with_home_timeline()
    }

    /// Records in the home's timeline (`<data dir>/timeline.sqlite3`).
    pub fn with_home_timeline(self) -> Result<Self> {
        let timeline = Timeline::for_home(self.store.home())?;
        Ok(self.with_timeline(Arc::new(timeline)))
    }

    /// Records authorizations, issued tokens and refresh attempts in `timeline`.
    pub fn with_timeline(mut self, timeline: Arc<Timeline>) -> Self {
        self.retained.set_timeline(Arc::clone(&timeline));
        self.timeline = Some(timeline);
        self
    }

    pub fn timeline(&self) -> Option<&Arc<Timeline>> {
        self.timeline.as_ref()
    }

    /// Appends to the timeline, if there is one. Recording is best effort:
    /// a timeline that cannot be written never stops a token being used.
    pub fn record(&self, credential: &str, detail: EventDetail) {
        retained::record(self.timeline.as_ref(), credential, &detail);
    }

    /// Records a send's requests, verdicts and retry (best effort, like
    /// [`record`](Self::record)); `started` is when the send began.
    pub fn record_send(&self, credential: &str, outcome: &Outcome, started: SystemTime) {
        if let Some(timeline) = &self.timeline {
            let _ =
                timeline::record_send(timeline, credential, outcome, started, SystemTime::now());
        }
    }

    /// Removes the keychain entries of credential `name` that cannot be
    /// read (see [`CredentialStore::repair`]) and, when there were any,
    /// says so in the timeline: its tokens may be gone, and whoever shows
    /// its status learns of that from there. Returns the accounts removed.
    pub fn repair(&self, name: &str) -> Result<Vec<String>> {
        let name = self.store.get(name)?.name;
        let removed = self.store.repair(&name)?;
        if !removed.is_empty() {
            self.record(
                &name,
                EventDetail::KeychainError {
                    message: format!(
                        "the unreadable keychain entries {} were removed (repair); authorize \
                         again if its tokens were among them",
                        removed.join(", ")
                    ),
                },
            );
        }
        Ok(removed)
    }

    /// Records how a refresh ended (and a failure's consequences).
    fn record_refresh(
        &self,
        credential: &str,
        trigger: &RefreshTrigger,
        started: std::time::Instant,
        result: &Result<LiveToken>,
    ) {
        let (outcome, error) = match result {
            Ok(live) if live.refreshed => (RefreshOutcome::Refreshed, None),
            Ok(_) => (RefreshOutcome::AlreadyRefreshed, None),
            Err(error) if error.kind() == ErrorKind::NeedsReauthorization => (
                RefreshOutcome::NeedsReauthorization,
                Some(error.to_string()),
            ),
            Err(error) => (RefreshOutcome::Failed, Some(error.to_string())),
        };
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.record(
            credential,
            EventDetail::RefreshAttempt {
                trigger: trigger.clone(),
                outcome,
                error,
                duration_ms,
            },
        );
        match result {
            Err(Error::NeedsReauthorization { reason, .. }) => self.record(
                credential,
                EventDetail::NeedsReauthorization {
                    reason: reason.clone(),
                },
            ),
            Err(error @ (Error::Keychain { .. } | Error::KeychainUnavailable { .. })) => self
                .record(
                    credential,
                    EventDetail::KeychainError {
                        message: error.to_string(),
                    },
                ),
            _ => {}
        }
    }

    pub fn store(&self) -> &CredentialStore {
        &self.store
    }

    /// What an identity of credential `name` is authorized with: the tokens
    /// this process holds because the keychain would not take them, when
    /// there are any (they are the newer), else what the keychain holds.
    pub fn authorization(&self, name: &str, identity: &Identity) -> Result<Authorization> {
        match self.retained.get(name, identity) {
            Some(held) => Ok(held),
            None => self.store.authorization(name, identity),
        }
    }

    /// Why the identity's tokens are kept in memory rather than in the
    /// keychain, while they are.
    pub fn unstored(&self, name: &str, identity: &Identity) -> Option<String> {
        self.retained.problem(name, identity)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The status of a credential's identity now.
    pub fn status(&self, credential: &Credential, user: Option<&str>) -> Result<CredentialStatus> {
        let identity = Identity::for_credential(credential, user);
        let authorization = self.authorization(&credential.name, &identity)?;
        Ok(status(&authorization, SystemTime::now()))
    }

    /// A live access token for credential `name`, refreshed first when it is
    /// expired or about to be.
    pub async fn live_token(&self, name: &str, user: Option<&str>) -> Result<LiveToken> {
        let credential = self.store.get(name)?;
        self.live_token_for(&credential, user).await
    }

    /// [`live_token`](Self::live_token) for a credential already loaded.
    pub async fn live_token_for(
        &self,
        credential: &Credential,
        user: Option<&str>,
    ) -> Result<LiveToken> {
        let identity = Identity::for_credential(credential, user);
        let authorization = self.authorization(&credential.name, &identity)?;
        let now = SystemTime::now();
        if let Some(tokens) = usable(&authorization).filter(|tokens| !is_stale(tokens, now)) {
            return Ok(LiveToken {
                credential: credential.name.clone(),
                identity,
                tokens: tokens.clone(),
                refreshed: false,
                username: authorization.username.clone(),
                password: authorization.password.clone(),
            });
        }
        let stale = authorization.tokens.map(|tokens| tokens.access_token);
        let seen = stale.as_ref().map_or(Seen::Nothing, Seen::Token);
        self.renew(credential, &identity, seen, &RefreshTrigger::Proactive)
            .await
    }

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
        let identity = Identity::for_credential(credential, user);
        if let Some(failed) = failed {
            lock(&self.refused).insert(Self::renewal_key(credential, &identity), failed.clone());
        }
        let seen = failed.map_or(Seen::Unknown, Seen::Token);
        self.renew(credential, &identity, seen, trigger).await
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

    async fn renew(
        &self,
        credential: &Credential,
        identity: &Identity,
        seen: Seen<'_>,
        trigger: &RefreshTrigger,
    ) -> Result<LiveToken> {
        let started = std::time::Instant::now();
        let result = self.renew_locked(credential, identity, seen).await;
        self.record_refresh(&credential.name, trigger, started, &result);
        result
    }

    async fn renew_locked(
        &self,
        credential: &Credential,
        identity: &Identity,
        seen: Seen<'_>,
    ) -> Result<LiveToken> {
        let turn = self.locks.turn(&credential.name).await;
        if let Seen::Token(failed) = seen
            && let Some(live) = self.renewed_here(credential, identity, failed)
        {
            return Ok(live);
        }
        let _guard = turn.lock_file(&self.locks).await?;
        pause::point("refresh-locked");
        self.retained.store_held(&credential.name, identity);
        let mut authorization = self.authorization(&credential.name, identity)?;
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
            return Ok(live(tokens.clone(), false));
        }
        let replaced = authorization
            .tokens
            .as_ref()
            .map(|tokens| tokens.access_token.clone());
        let fresh = self
            .obtain(credential, identity, &mut authorization)
            .await?;
        let fresh = live(fresh, true);
        if let Some(replaced) = replaced {
            self.remember_renewal(credential, identity, replaced, &fresh);
        }
        Ok(fresh)
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
        if lock(&self.refused).get(&key) != Some(token) {
            return None;
        }
        let _turn = self.locks.turn(&credential.name).await;
        self.renewed_here(credential, &identity, token)
    }

    fn renewal_key(credential: &Credential, identity: &Identity) -> String {
        identity_key(&credential.name, identity)
    }

    /// The token this process obtained in place of `failed`, if it did and
    /// that token has not expired.
    fn renewed_here(
        &self,
        credential: &Credential,
        identity: &Identity,
        failed: &Secret,
    ) -> Option<LiveToken> {
        let renewals = lock(&self.renewals);
        let renewal = renewals.get(&Self::renewal_key(credential, identity))?;
        let fresh =
            renewal.replaced == *failed && !is_expired(&renewal.live.tokens, SystemTime::now());
        fresh.then(|| LiveToken {
            refreshed: false,
            ..renewal.live.clone()
        })
    }

    fn remember_renewal(
        &self,
        credential: &Credential,
        identity: &Identity,
        replaced: Secret,
        live: &LiveToken,
    ) {
        lock(&self.renewals).insert(
            Self::renewal_key(credential, identity),
            Renewal {
                replaced,
                live: live.clone(),
            },
        );
    }

    /// Gets new tokens with the refresh token, or by minting, and stores
    /// them before returning. Call with the lock held.
    async fn obtain(
        &self,
        credential: &Credential,
        identity: &Identity,
        authorization: &mut Authorization,
    ) -> Result<TokenSet> {
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
        let secret = self.store.client_secret(&credential.name)?;
        if let Some(refresh_token) =
            refresh_token.filter(|_| authorization.needs_reauthorization.is_none())
        {
            let grant = Grant::RefreshToken(&refresh_token);
            match flows::request_tokens(&self.http, credential, &token_url, secret.as_ref(), &grant)
                .await
            {
                Ok(mut fresh) => {
                    if fresh.refresh_token.is_none() {
                        // No rotation: the refresh token stays valid.
                        fresh.refresh_token = Some(refresh_token.clone());
                    }
                    if fresh.scopes.is_empty() {
                        fresh.scopes = authorization
                            .tokens
                            .as_ref()
                            .map(|old| old.scopes.clone())
                            .unwrap_or_default();
                    }
                    pause::point("refresh-answered");
                    self.keep(credential, identity, authorization, &fresh);
                    pause::point("refresh-stored");
                    self.learn_expiry(credential, identity, secret.as_ref(), authorization)
                        .await;
                    return Ok(authorization.tokens.clone().unwrap_or(fresh));
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
        self.keep(credential, identity, authorization, &fresh);
        self.learn_expiry(credential, identity, secret.as_ref(), authorization)
            .await;
        Ok(authorization.tokens.clone().unwrap_or(fresh))
    }

    /// Client credentials or the stored password login: new tokens without
    /// a person.
    async fn mint(
        &self,
        credential: &Credential,
        token_url: &str,
        secret: Option<&Secret>,
        authorization: &Authorization,
    ) -> std::result::Result<TokenSet, TokenCallError> {
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
                    &self.http,
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
        flows::request_tokens(&self.http, credential, token_url, secret, &grant).await
    }

    /// Stores `fresh` as the identity's tokens (clearing any "needs
    /// re-authorization"), in one keychain write. The provider may already
    /// have rotated the old refresh token away: a set the keychain will not
    /// take is kept in memory and stored later, never dropped. Call with the
    /// credential's lock held.
    fn keep(
        &self,
        credential: &Credential,
        identity: &Identity,
        authorization: &mut Authorization,
        fresh: &TokenSet,
    ) {
        let previous = authorization
            .tokens
            .as_ref()
            .and_then(|tokens| tokens.refresh_token.clone());
        authorization.tokens = Some(fresh.clone());
        authorization.needs_reauthorization = None;
        let issued = EventDetail::token_issued(fresh, previous.as_ref());
        self.retained
            .store(&credential.name, identity, authorization, Some(issued));
    }

    /// Once the tokens are stored: an unknown expiry is asked of the
    /// provider's introspection endpoint (slow, and best effort), and what
    /// it tells is stored too.
    async fn learn_expiry(
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

    /// Authorizes with the client credentials grant (the client secret must
    /// be in the keychain).
    pub async fn authorize_client_credentials(
        &self,
        credential: &Credential,
        user: Option<&str>,
    ) -> Result<LiveToken> {
        let secret =
            self.store
                .client_secret(&credential.name)?
                .ok_or_else(|| Error::Authorization {
                    credential: credential.name.clone(),
                    detail: "the client credentials flow needs a client secret, and the keychain \
                         has none for it; add the credential again with --client-secret-stdin"
                        .into(),
                })?;
        self.authorize_with(
            credential,
            user,
            Some(&secret),
            &Grant::ClientCredentials,
            None,
        )
        .await
    }

    /// Authorizes with the password grant; the login is kept in the keychain
    /// so new tokens can be minted when the refresh token dies.
    pub async fn authorize_password(
        &self,
        credential: &Credential,
        user: Option<&str>,
        username: &str,
        password: &Secret,
    ) -> Result<LiveToken> {
        let secret = self.store.client_secret(&credential.name)?;
        let grant = Grant::Password { username, password };
        self.authorize_with(
            credential,
            user,
            secret.as_ref(),
            &grant,
            Some(Login {
                username,
                password: Some(password),
            }),
        )
        .await
    }

    /// Authorizes with the JWT bearer grant (RFC 7523) for `subject`; the
    /// assertion is signed with the client secret from the keychain and
    /// re-minted whenever the token expires.
    pub async fn authorize_jwt_bearer(
        &self,
        credential: &Credential,
        user: Option<&str>,
        subject: &str,
    ) -> Result<LiveToken> {
        let secret = self.store.client_secret(&credential.name)?;
        let token_url = flows::token_url(&self.http, credential).await?;
        let assertion = self.assertion(credential, subject, &token_url, secret.as_ref())?;
        let grant = Grant::JwtBearer {
            assertion: &assertion,
        };
        self.authorize_with(
            credential,
            user,
            secret.as_ref(),
            &grant,
            Some(Login {
                username: subject,
                password: None,
            }),
        )
        .await
    }

    /// A fresh JWT bearer assertion: signed with the private key when the
    /// keychain has one, else with the client secret; addressed to the
    /// issuer when there is one (Salesforce wants its login URL), else the
    /// token URL.
    fn assertion(
        &self,
        credential: &Credential,
        subject: &str,
        token_url: &str,
        client_secret: Option<&Secret>,
    ) -> Result<Secret> {
        let key = match self.store.private_key(&credential.name)? {
            Some(pem) => Some(SigningKey::PrivateKey(pem)),
            None => client_secret.cloned().map(SigningKey::ClientSecret),
        };
        let audience = credential.issuer.as_deref().unwrap_or(token_url);
        assertion::jwt_bearer_assertion(
            credential,
            subject,
            audience,
            key.as_ref(),
            SystemTime::now(),
        )
    }

    /// Runs one grant and stores its tokens as the identity's new
    /// authorization.
    pub(crate) async fn authorize_with(
        &self,
        credential: &Credential,
        user: Option<&str>,
        secret: Option<&Secret>,
        grant: &Grant<'_>,
        login: Option<Login<'_>>,
    ) -> Result<LiveToken> {
        let token_url = flows::token_url(&self.http, credential).await?;
        let tokens = flows::request_tokens(&self.http, credential, &token_url, secret, grant)
            .await
            .map_err(|error| Error::Authorization {
                credential: credential.name.clone(),
                detail: format!("{} grant: {error}", grant.name()),
            })?;
        self.keep_authorization(credential, user, tokens, login)
            .await
    }

    /// Stores tokens a flow obtained as the identity's new authorization
    /// (clearing "needs re-authorization"), under the credential's lock.
    pub(crate) async fn keep_authorization(
        &self,
        credential: &Credential,
        user: Option<&str>,
        tokens: TokenSet,
        login: Option<Login<'_>>,
    ) -> Result<LiveToken> {
        let secret = self.store.client_secret(&credential.name)?;
        let identity = Identity::for_credential(credential, user);
        let _guard = self.locks.acquire(&credential.name).await?;
        let mut authorization = match self.authorization(&credential.name, &identity) {
            Ok(authorization) => authorization,
            // An unreadable stored entry is replaced: authorizing again repairs it.
            Err(Error::Keychain { .. }) => {
                self.store
                    .reauthorize(&credential.name, &identity, |_| {})?
            }
            Err(other) => return Err(other),
        };
        authorization.tokens = Some(tokens.clone());
        authorization.needs_reauthorization = None;
        if let Some(login) = login {
            authorization.username = Some(login.username.to_string());
            authorization.password = login.password.cloned();
        }
        self.retained
            .store(&credential.name, &identity, &authorization, None);
        self.learn_expiry(credential, &identity, secret.as_ref(), &mut authorization)
            .await;
        let tokens = authorization.tokens.clone().unwrap_or(tokens);
        let flow = serde_json::to_value(credential.protocol)
            .ok()
            .and_then(|value| value.as_str().map(str::to_string))
            .unwrap_or_default();
        self.record(
            &credential.name,
            EventDetail::Authorized {
                flow,
                scopes: tokens.scopes.clone(),
            },
        );
        self.record(&credential.name, EventDetail::token_issued(&tokens, None));
        Ok(LiveToken {
            credential: credential.name.clone(),
            identity,
            tokens,
            refreshed: true,
            username: authorization.username,
            password: authorization.password,
        })
    }

    /// Revokes the identity's stored tokens at the provider (RFC 7009), when
    /// its issuer's metadata names a revocation endpoint. Returns whether a
    /// token was revoked; the keychain is not changed.
    pub async fn revoke(&self, credential: &Credential, user: Option<&str>) -> Result<bool> {
        let Some(issuer) = &credential.issuer else {
            return Ok(false);
        };
        let Some(endpoint) = flows::discover(&self.http, issuer)
            .await?
            .revocation_endpoint
        else {
            return Ok(false);
        };
        let identity = Identity::for_credential(credential, user);
        let Some(tokens) = self.authorization(&credential.name, &identity)?.tokens else {
            return Ok(false);
        };
        let (token, hint) = match &tokens.refresh_token {
            Some(refresh) => (refresh.clone(), "refresh_token"),
            None => (tokens.access_token.clone(), "access_token"),
        };
        let secret = self.store.client_secret(&credential.name)?;
        let form = vec![
            ("token", token.expose().to_string()),
            ("token_type_hint", hint.to_string()),
        ];
        let (status, _, body) =
            flows::post_form(&self.http, credential, &endpoint, secret.as_ref(), form)
                .await
                .map_err(|error| Error::Authorization {
                    credential: credential.name.clone(),
                    detail: format!("revocation: {error}"),
                })?;
        if (200..300).contains(&status) {
            Ok(true)
        } else {
            Err(Error::Authorization {
                credential: credential.name.clone(),
                detail: format!(
                    "revocation at {endpoint} answered HTTP {status}: {}",
                    String::from_utf8_lossy(&body)
                        .chars()
                        .take(160)
                        .collect::<String>()
                ),
            })
        }
    }

    /// The merge-field secrets of a credential: a live token and, for
    /// password credentials, the login.
    pub async fn secrets(
        &self,
        credential: &Credential,
        user: Option<&str>,
    ) -> Result<CredentialSecrets> {
        let identity = Identity::for_credential(credential, user);
        let stored = self.authorization(&credential.name, &identity)?;
        let access_token = match usable(&stored) {
            // As a Named Credential does: send what is stored, expired or
            // not; a response that says it expired is what renews it.
            Some(tokens) if !credential.proactive_refresh => tokens.access_token.clone(),
            _ => {
                self.live_token_for(credential, user)
                    .await?
                    .tokens
                    .access_token
            }
        };
        Ok(CredentialSecrets {
            access_token: Some(access_token),
            username: stored.username,
            password: stored.password,
            ..CredentialSecrets::default()
        })
    }
}

/// What the caller of a renewal last saw stored.
#[derive(Clone, Copy)]
enum Seen<'a> {
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

/// Who a flow signed in as, kept to mint new tokens later: the password
/// flow's login, or the JWT bearer flow's subject (no password).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Login<'a> {
    pub username: &'a str,
    pub password: Option<&'a Secret>,
}

/// The stored tokens, unless only a new authorization can help.
fn usable(authorization: &Authorization) -> Option<&TokenSet> {
    authorization
        .tokens
        .as_ref()
        .filter(|_| authorization.needs_reauthorization.is_none())
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
        lock(&self.handed_out).insert(credential.name.to_ascii_lowercase(), token);
    }

    fn last_handed_out(&self, credential: &Credential) -> Option<Secret> {
        lock(&self.handed_out)
            .get(&credential.name.to_ascii_lowercase())
            .cloned()
    }

    fn secrets_of(live: LiveToken) -> CredentialSecrets {
        CredentialSecrets {
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
            let live = self
                .service
                .refresh_for(credential, self.user.as_deref(), failed.as_ref(), &trigger)
                .await?;
            self.remember(credential, live.tokens.access_token.clone());
            Ok(Self::secrets_of(live))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn tokens(issued: u64, expires: Option<u64>) -> TokenSet {
        TokenSet::for_test(at(issued), expires.map(at))
    }

    #[test]
    fn status_reads_like_the_tray() {
        let mut authorization = Authorization::default();
        assert_eq!(
            status(&authorization, at(0)),
            CredentialStatus::NotAuthorized
        );
        authorization.tokens = Some(tokens(0, Some(3_600)));
        assert_eq!(
            status(&authorization, at(600)).describe(),
            "valid for 50 min"
        );
        assert_eq!(status(&authorization, at(3_600)), CredentialStatus::Expired);
        authorization.tokens = Some(tokens(0, None));
        assert_eq!(
            status(&authorization, at(99_999)),
            CredentialStatus::ExpiryUnknown
        );
        authorization.needs_reauthorization = Some("refresh token revoked".into());
        assert_eq!(
            status(&authorization, at(0)).describe(),
            "needs re-authorization: refresh token revoked"
        );
    }

    #[test]
    fn stale_means_expired_or_within_the_margin() {
        let hour = tokens(0, Some(3_600));
        assert!(!is_stale(&hour, at(3_500)));
        assert!(is_stale(&hour, at(3_571)));
        // A 60 s token is renewed in its last 6 s, not its last 30.
        let minute = tokens(0, Some(60));
        assert!(!is_stale(&minute, at(50)));
        assert!(is_stale(&minute, at(54)));
        assert!(!is_stale(&tokens(0, None), at(1_000_000)));
        assert!(is_expired(&minute, at(60)));
        assert!(!is_expired(&minute, at(59)));
    }
}

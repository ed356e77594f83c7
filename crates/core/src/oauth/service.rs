//! The token service: one per process and home. It authorizes credentials
//! (client credentials, password, JWT bearer; the browser and device flows
//! are in [`browser`](super::browser) and [`device`](super::device)), hands
//! out live tokens, revokes them, and records what it did in the timeline.
//! How a token is renewed is in [`refresh`](super::refresh); what a stored
//! token's state is, in [`status`](super::status).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use super::assertion::{self, SigningKey};
use super::flows::{self, Grant};
use super::refresh::{Login, Seen, usable};
use super::retained::{self, Retained};
use super::status::{CredentialStatus, is_stale, status};
use crate::credential::{AuthProtocol, Credential, CredentialSecrets};
use crate::credential_store::{Authorization, CredentialStore, Identity};
use crate::home::Home;
use crate::lock::RefreshLocks;
use crate::network::{ClientIdentity, IdentityClients, Network};
use crate::send::Outcome;
use crate::settings::SettingsStore;
use crate::timeline::{EventDetail, RefreshOutcome, RefreshTrigger, Timeline};
use crate::token::TokenSet;
use crate::{Error, ErrorKind, Result, Secret};

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
    pub(super) store: CredentialStore,
    pub(super) locks: Arc<RefreshLocks>,
    /// Token sets the keychain would not take yet.
    pub(super) retained: Retained,
    pub(super) http: reqwest::Client,
    /// Token endpoint clients presenting a credential's client certificate.
    pub(super) certified: IdentityClients,
    /// Where authorizations, tokens and refreshes are recorded, if anywhere.
    pub(super) timeline: Option<Arc<Timeline>>,
    /// The last token this process obtained per credential and identity,
    /// with the access token it replaced: tasks that waited their turn
    /// behind that refresh, holding the replaced token, take it without
    /// the file lock or the keychain.
    pub(super) renewals: Mutex<HashMap<String, Renewal>>,
    /// Per credential and identity, the last token a response refused (a
    /// refresh was asked for in its place): a call about to go out with it
    /// takes its replacement instead ([`renewal_of`](Self::renewal_of)).
    pub(super) refused: Mutex<HashMap<String, Secret>>,
}

#[derive(Debug, Clone)]
pub(super) struct Renewal {
    pub(super) replaced: Secret,
    pub(super) live: LiveToken,
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
            certified: IdentityClients::new(|identity| {
                flows::token_client_with(&Network::from_env()?, identity)
            }),
            timeline: None,
            renewals: Mutex::new(HashMap::new()),
            refused: Mutex::new(HashMap::new()),
        }
    }

    /// With a token client of its own (trust and proxies from the home's
    /// settings), recording in the home's timeline.
    pub fn for_home(home: &Home) -> Result<Self> {
        let network = SettingsStore::new(home).network()?;
        Self::new(home, flows::token_client_for(&network)?)
            .with_network(network)
            .with_home_timeline()
    }

    /// Presents client certificates to token endpoints trusting and proxying
    /// as `network` says (without it: the OS trust store and the
    /// environment's proxies).
    pub fn with_network(mut self, network: Network) -> Self {
        self.certified =
            IdentityClients::new(move |identity| flows::token_client_with(&network, identity));
        self
    }

    /// The client for `credential`'s token endpoint: one presenting its
    /// client certificate (RFC 8705), or the shared one.
    pub(crate) fn http_for(&self, credential: &Credential) -> Result<reqwest::Client> {
        let key = match credential.client_certificate {
            Some(_) => self.store.client_key(&credential.name)?,
            None => None,
        };
        match ClientIdentity::of(credential, key.as_ref())? {
            Some(identity) => self.certified.client(&identity),
            None => Ok(self.http.clone()),
        }
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
                crate::send::record_send(timeline, credential, outcome, started, SystemTime::now());
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
    pub(super) fn record_refresh(
        &self,
        credential: &str,
        trigger: &RefreshTrigger,
        started: std::time::Instant,
        result: &Result<LiveToken>,
    ) {
        for event in self.refresh_events(trigger, started, result) {
            self.record(credential, event);
        }
    }

    /// What the timeline hears of how a refresh ended: the attempt, and a
    /// failure's consequences.
    pub(super) fn refresh_events(
        &self,
        trigger: &RefreshTrigger,
        started: std::time::Instant,
        result: &Result<LiveToken>,
    ) -> Vec<EventDetail> {
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
        let mut events = vec![EventDetail::RefreshAttempt {
            trigger: trigger.clone(),
            outcome,
            error,
            duration_ms,
        }];
        match result {
            Err(Error::NeedsReauthorization { reason, .. }) => {
                events.push(EventDetail::NeedsReauthorization {
                    reason: reason.clone(),
                });
            }
            Err(error @ (Error::Keychain { .. } | Error::KeychainUnavailable { .. })) => {
                events.push(EventDetail::KeychainError {
                    message: error.to_string(),
                });
            }
            _ => {}
        }
        events
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

    /// [`authorization`](Self::authorization), from this process's copy of
    /// the keychain entry when nobody has written it since (see
    /// [`CredentialStore::known_authorization`]).
    pub(super) fn known_authorization(
        &self,
        name: &str,
        identity: &Identity,
    ) -> Result<Authorization> {
        match self.retained.get(name, identity) {
            Some(held) => Ok(held),
            None => self.store.known_authorization(name, identity),
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
                    detail: format!(
                        "the client credentials flow needs a client secret, and the keychain \
                         has none for it; edit the credential and give its client secret \
                         (`callout credential edit {} --client-secret-stdin`)",
                        credential.name
                    ),
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
    pub(super) fn assertion(
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
        let tokens = flows::request_tokens(
            &self.http_for(credential)?,
            credential,
            &token_url,
            secret,
            grant,
        )
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
        let (status, _, body) = flows::post_form(
            &self.http_for(credential)?,
            credential,
            &endpoint,
            secret.as_ref(),
            form,
        )
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
        match credential.protocol {
            AuthProtocol::NoAuthentication => return Ok(CredentialSecrets::default()),
            // The login itself, on every call: the username from the
            // definition, the password from the keychain.
            AuthProtocol::Basic => {
                return Ok(CredentialSecrets {
                    username: credential.username.clone(),
                    password: self.store.client_secret(&credential.name)?,
                    ..CredentialSecrets::default()
                });
            }
            _ => {}
        }
        let identity = Identity::for_credential(credential, user);
        let stored = self.authorization(&credential.name, &identity)?;
        let (tokens, renewed_before_sending) = match usable(&stored) {
            // As a Named Credential does: send what is stored, expired or
            // not; a response that says it expired is what renews it.
            Some(tokens) if !credential.proactive_refresh => (tokens.clone(), false),
            _ => {
                let live = self.live_token_for(credential, user).await?;
                (live.tokens, live.refreshed)
            }
        };
        let client_key = match credential.client_certificate {
            Some(_) => self.store.client_key(&credential.name)?,
            None => None,
        };
        Ok(CredentialSecrets {
            instance_url: tokens.instance_url,
            access_token: Some(tokens.access_token),
            username: stored.username,
            password: stored.password,
            client_key,
            renewed_before_sending,
            ..CredentialSecrets::default()
        })
    }
}

//! `callout-sandbox`: an embedded OAuth provider and protected APIs that fail
//! the way real ones do, on `127.0.0.1` only.
//!
//! It serves three users: the tests of every crate (the ground they stand on:
//! a real provider over real sockets, with counters that witness what a
//! client did), the CLI's `callout sandbox`, and the desktop app's first run
//! ([`embedded`]: the sandbox a new user sees a real expiry, refresh and retry
//! against, without any account). `callout-core` never depends on it: the
//! engine talks to the sandbox only over HTTP, as to any provider.
//!
//! Guarantees:
//! - it listens on `127.0.0.1` only; each [`Sandbox`] owns its port (port 0 =
//!   any free one) and its state, so many can run side by side in parallel
//!   tests;
//! - dropping a [`Sandbox`] stops it: requests held by an injected hang are
//!   released at once, connections are closed and its thread is joined;
//! - the [`RequestLog`] never carries a token (no query strings, a fixed
//!   outcome word, a request id only when it is a short plain word);
//! - request bodies above 1 MiB are refused with 413 (reading stops at the
//!   limit);
//! - lifetimes are measured with an injectable [`Clock`]; see
//!   [`Sandbox::with_clock`];
//! - it fails with `callout_core`'s error ([`Error::SandboxStart`] when it
//!   cannot start), so the app and the CLI report it as every other error.
//!
//! | Part | Imitates | Module |
//! | --- | --- | --- |
//! | `/.well-known/openid-configuration`, `/.well-known/oauth-authorization-server` | OIDC discovery, RFC 8414 | `routes` |
//! | `/authorize` + sign-in page | RFC 6749 §4.1 with PKCE S256 (RFC 7636), loopback redirects (RFC 8252) | `authorize`, `pages` |
//! | `/token` | RFC 6749 grants, RFC 7523 JWT bearer (HS256), RFC 8628 device code | `token`, `clients` |
//! | `/device/code`, `/device` | RFC 8628 device authorization and verification page | `device` |
//! | `/revoke`, `/introspect` | RFC 7009, RFC 7662 | `introspect` |
//! | `/services/Soap/u/{v}` | Salesforce partner SOAP API: HTTP 500 `INVALID_SESSION_ID` | `soap`, `soql` |
//! | `/services/data/{v}/query` | Salesforce REST: 401 `INVALID_SESSION_ID` | `apis`, `soql` |
//! | `/wso2/...` | WSO2 API Manager: 401 JSON, no `WWW-Authenticate` | `apis` |
//! | `/rfc6750/...` | RFC 6750 `invalid_token` / `insufficient_scope` challenges | `apis` |
//! | `/inhouse/...` | an in-house API answering errors on HTTP 200 (`success: false`) | `apis` |
//! | `/_sandbox/faults`, `/_sandbox/stats` | fault injection and counters | `faults`, `stats` |
//!
//! The Salesforce API version in its own URLs is the engine's
//! ([`SALESFORCE_API_VERSION`]), the one the sample requests use.

mod apis;
mod authorize;
mod clients;
pub mod clock;
mod device;
pub mod embedded;
mod faults;
mod http;
mod introspect;
pub mod jwt;
mod pages;
mod provider;
mod routes;
mod server;
mod soap;
mod soql;
mod stats;
mod store;
#[cfg(feature = "tls-fixtures")]
pub mod tls;
mod token;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use clock::{Clock, ManualClock, SystemClock};
pub use faults::{PendingFault, TokenFault};
pub use stats::SandboxStats;

use callout_core::credential::SALESFORCE_CALLBACK;
use callout_core::requests::SALESFORCE_API_VERSION;
use callout_core::{Error, Secret};
use provider::{Provider, RefreshPlan};
use store::Grant;

/// The guard of `mutex`, even if a thread panicked while holding it: what
/// this crate guards is changed in one step (an insert, an assignment), so
/// it is never left half made.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// How a sandbox behaves. Start from [`SandboxConfig::default`] and change
/// what a test or user needs: `SandboxConfig { access_ttl: ..., ..Default::default() }`.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Port on 127.0.0.1; 0 picks any free one.
    pub port: u16,
    /// Lifetime of access tokens (default 60 s).
    pub access_ttl: Duration,
    /// A refresh token unused this long is dead (as WSO2's 24 h default).
    pub refresh_idle_ttl: Option<Duration>,
    /// A refresh token family dies this long after the original authorization.
    pub refresh_absolute_ttl: Option<Duration>,
    /// Each refresh returns a new refresh token and kills the one presented.
    pub rotate_refresh_tokens: bool,
    /// Access tokens are HS256 JWTs with `exp`, instead of opaque strings.
    pub jwt_access_tokens: bool,
    /// Leave `expires_in` out of token responses, as Salesforce does.
    pub omit_expires_in: bool,
    /// The registered client.
    pub client_id: String,
    pub client_secret: String,
    /// Registered redirect URIs; loopback ones match on any port (RFC 8252)
    /// unless `exact_redirect_uris`.
    pub redirect_uris: Vec<String>,
    /// Match redirect URIs exactly, port and path included, as Salesforce
    /// and other providers do: anything else gets a `redirect_uri_mismatch`
    /// page and no redirect.
    pub exact_redirect_uris: bool,
    /// Answer as a Salesforce org does: the APIs on an instance of their
    /// own (a second port: another origin than the login host), named by
    /// each token response's `instance_url`; the OAuth endpoints also under
    /// `/services/oauth2/`. [`SandboxConfig::salesforce`] sets the rest
    /// (no `expires_in`, exact-match callbacks).
    pub salesforce: bool,
    /// The sandbox user (sign-in page, password grant, device approval).
    pub username: String,
    pub password: String,
    /// Scopes a client may ask for, and the scope granted when it asks for none.
    pub scopes: Vec<String>,
    pub default_scope: String,
    /// Lifetime of authorization codes.
    pub code_ttl: Duration,
    /// Lifetime of device codes, and the polling interval asked of devices
    /// (polling faster gets `slow_down`).
    pub device_code_ttl: Duration,
    pub device_poll_interval: Duration,
    /// How long an injected [`TokenFault::Hang`] holds a request (it ends
    /// sooner if the sandbox stops).
    pub hang_for: Duration,
    /// Called once per handled request (the CLI prints these).
    pub log: Option<RequestLog>,
}

impl SandboxConfig {
    /// A sandbox that answers like a Salesforce org: token responses
    /// without `expires_in` whose `instance_url` is another origin than the
    /// login host, with `issued_at` in milliseconds; callbacks matched
    /// exactly (`http://localhost:1717/OauthRedirect` registered, as the
    /// Salesforce CLI does); the `/services/oauth2/` endpoint paths.
    pub fn salesforce() -> Self {
        Self {
            salesforce: true,
            omit_expires_in: true,
            exact_redirect_uris: true,
            redirect_uris: vec![SALESFORCE_CALLBACK.into()],
            ..Self::default()
        }
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        let strings = |values: &[&str]| values.iter().map(|value| value.to_string()).collect();
        Self {
            port: 0,
            access_ttl: Duration::from_secs(60),
            refresh_idle_ttl: None,
            refresh_absolute_ttl: None,
            rotate_refresh_tokens: true,
            jwt_access_tokens: false,
            omit_expires_in: false,
            client_id: "callout-lab-sandbox".into(),
            client_secret: "sandbox-secret-not-for-production".into(),
            redirect_uris: strings(&[
                "http://127.0.0.1/callback",
                "http://[::1]/callback",
                "http://localhost/callback",
            ]),
            exact_redirect_uris: false,
            salesforce: false,
            username: "sandbox-user".into(),
            password: "sandbox-password".into(),
            scopes: strings(&[
                "api",
                "read",
                "write",
                "refresh_token",
                "offline_access",
                "openid",
            ]),
            default_scope: "api read write".into(),
            code_ttl: Duration::from_secs(600),
            device_code_ttl: Duration::from_secs(600),
            device_poll_interval: Duration::from_secs(5),
            hang_for: Duration::from_secs(30),
            log: None,
        }
    }
}

/// One handled request, as the request log shows it. Never holds a token:
/// the path has no query string, the outcome is a fixed word and the request
/// id is the caller's `X-Request-Id` only when it is a short plain word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestLogLine {
    pub method: String,
    pub path: String,
    pub status: u16,
    /// `ok`, an OAuth error code, `invalid_session`, `fault_hang`, ...
    pub outcome: String,
    /// The request's `X-Request-Id`, so a log line can be matched to the
    /// call that made it: at most 64 characters of `A-Z a-z 0-9 - _ .`,
    /// anything else is not logged.
    pub request_id: Option<String>,
}

impl fmt::Display for RequestLogLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} -> {} {}",
            self.method, self.path, self.status, self.outcome
        )?;
        match &self.request_id {
            Some(id) => write!(f, " [{id}]"),
            None => Ok(()),
        }
    }
}

/// A callback receiving every [`RequestLogLine`].
#[derive(Clone)]
pub struct RequestLog(Arc<dyn Fn(&RequestLogLine) + Send + Sync>);

impl RequestLog {
    pub fn new(write: impl Fn(&RequestLogLine) + Send + Sync + 'static) -> Self {
        Self(Arc::new(write))
    }

    pub(crate) fn write(&self, line: &RequestLogLine) {
        (self.0)(line);
    }
}

impl fmt::Debug for RequestLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RequestLog(..)")
    }
}

/// Tokens minted directly by [`Sandbox::issue_tokens`].
#[derive(Clone, Debug)]
pub struct IssuedTokens {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub scope: String,
}

/// A running sandbox. Dropping it stops the server: requests held by an
/// injected hang are released at once, connections are closed and the
/// server's thread is joined.
pub struct Sandbox {
    provider: Arc<Provider>,
    server: server::Server,
    /// Salesforce mode: the org's instance, where the APIs answer.
    instance: Option<server::Server>,
}

impl Sandbox {
    /// Starts a sandbox on the real clock.
    pub fn start(config: SandboxConfig) -> Result<Sandbox, Error> {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// Starts a sandbox whose lifetimes follow `clock` (e.g. a [`ManualClock`]).
    pub fn with_clock(config: SandboxConfig, clock: Arc<dyn Clock>) -> Result<Sandbox, Error> {
        let port = config.port;
        let start_error = |detail: String| Error::SandboxStart { port, detail };
        let listener = server::listen(port)
            .map_err(|error| start_error(format!("cannot listen on 127.0.0.1:{port}: {error}")))?;
        let port = listener
            .local_addr()
            .map_err(|error| start_error(format!("the listening socket has no address: {error}")))?
            .port();
        let base_url = format!("http://127.0.0.1:{port}");
        // A Salesforce org's instance is another origin than its login host.
        let instance = if config.salesforce {
            let listener = server::listen(0).map_err(|error| {
                start_error(format!("cannot listen for the org's instance: {error}"))
            })?;
            Some(listener)
        } else {
            None
        };
        let instance_url = match &instance {
            Some(listener) => format!(
                "http://127.0.0.1:{}",
                listener
                    .local_addr()
                    .map_err(|error| start_error(format!(
                        "the instance's socket has no address: {error}"
                    )))?
                    .port()
            ),
            None => base_url.clone(),
        };
        let provider = Arc::new(Provider::new(config, clock, base_url, instance_url));
        let server = server::Server::start(listener, Arc::clone(&provider))
            .map_err(|error| start_error(format!("could not start the server: {error}")))?;
        let instance = instance
            .map(|listener| server::Server::start(listener, Arc::clone(&provider)))
            .transpose()
            .map_err(|error| start_error(format!("could not start the org's instance: {error}")))?;
        Ok(Sandbox {
            provider,
            server,
            instance,
        })
    }

    /// `http://127.0.0.1:PORT`, also the issuer.
    pub fn base_url(&self) -> String {
        self.provider.base_url.clone()
    }

    pub fn port(&self) -> u16 {
        self.server.address().port()
    }

    pub fn token_url(&self) -> String {
        self.provider.oauth_url("/token")
    }

    pub fn authorize_url(&self) -> String {
        self.provider.oauth_url("/authorize")
    }

    pub fn device_authorization_url(&self) -> String {
        self.provider.url("/device/code")
    }

    pub fn revocation_url(&self) -> String {
        self.provider.oauth_url("/revoke")
    }

    pub fn introspection_url(&self) -> String {
        self.provider.oauth_url("/introspect")
    }

    /// Where the APIs answer: the base URL, or in Salesforce mode the org's
    /// instance (what token responses name as `instance_url`).
    pub fn instance_url(&self) -> String {
        self.provider.instance_url.clone()
    }

    /// The partner SOAP endpoint, `.../services/Soap/u/59.0`.
    pub fn soap_url(&self) -> String {
        self.provider
            .api_url(&format!("/services/Soap/u/{SALESFORCE_API_VERSION}"))
    }

    /// The REST query endpoint, `.../services/data/v59.0/query` (add `?q=`).
    pub fn rest_query_url(&self) -> String {
        self.provider
            .api_url(&format!("/services/data/v{SALESFORCE_API_VERSION}/query"))
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.provider.config
    }

    /// The registered client's id.
    pub fn client_id(&self) -> &str {
        &self.provider.config.client_id
    }

    /// The registered client's secret (a sandbox value, not a real secret).
    pub fn client_secret(&self) -> &str {
        &self.provider.config.client_secret
    }

    /// Makes an access or refresh token dead now. False if the sandbox never issued it.
    pub fn expire_access_token(&self, token: &str) -> bool {
        let now = self.provider.now();
        self.provider.store().expire_now(token, now)
    }

    /// Makes every access token issued so far dead from now on, as an
    /// admin's "end all sessions" does. Returns how many were still live.
    pub fn expire_all_access_tokens(&self) -> usize {
        self.expire_access_tokens_older_than(Duration::ZERO)
    }

    /// Makes every live access token at least `age` old dead from now on, as
    /// a provider's session timeout does (younger ones live on). Returns how
    /// many there were.
    pub fn expire_access_tokens_older_than(&self, age: Duration) -> usize {
        let now = self.provider.now();
        self.provider
            .store()
            .expire_access_tokens_older_than(age, now)
    }

    /// Whether `token` is an access token this sandbox issued (not a
    /// refresh token, not unknown).
    pub fn is_access_token(&self, token: &str) -> bool {
        self.provider.store().access.contains_key(token)
    }

    pub fn revoke_all_refresh_tokens(&self) {
        self.provider.store().revoke_all_refresh_tokens();
    }

    /// The next `count` token requests fail with `fault` (after any queued before).
    pub fn inject_fault(&self, fault: TokenFault, count: u32) {
        self.provider.faults().push(fault, count);
    }

    pub fn clear_faults(&self) {
        self.provider.faults().clear();
    }

    pub fn pending_faults(&self) -> Vec<PendingFault> {
        self.provider.faults().pending()
    }

    /// The same counters as `GET /_sandbox/stats`.
    pub fn stats(&self) -> SandboxStats {
        self.provider.stats().clone()
    }

    /// Every access and refresh token this sandbox has issued (it forgets
    /// none, not even rotated or expired ones): what must never be found
    /// written anywhere in clear.
    pub fn issued_tokens(&self) -> Vec<Secret> {
        let store = self.provider.store();
        store
            .access
            .keys()
            .chain(store.refresh.keys())
            .map(|token| Secret::new(token.clone()))
            .collect()
    }

    /// Mints tokens for the sandbox user without an OAuth round trip, as if the
    /// user had just authorized the registered client with `scope`.
    pub fn issue_tokens(&self, scope: &str) -> IssuedTokens {
        let grant = Grant {
            client_id: self.provider.config.client_id.clone(),
            subject: Some(self.provider.config.username.clone()),
            scope: scope.split_whitespace().collect::<Vec<_>>().join(" "),
        };
        let issued = self
            .provider
            .issue(&mut self.provider.store(), grant, RefreshPlan::NewFamily);
        IssuedTokens {
            access_token: Secret::new(issued.access_token),
            refresh_token: issued.refresh_token.map(Secret::new),
            scope: issued.scope,
        }
    }
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.provider.base_url)
            .field(
                "instance",
                &self.instance.as_ref().map(server::Server::address),
            )
            .finish_non_exhaustive()
    }
}

impl Drop for Sandbox {
    /// Releases requests held by an injected hang; the server stops when
    /// dropped next.
    fn drop(&mut self) {
        self.provider.shutdown.trigger();
    }
}

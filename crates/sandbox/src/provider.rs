//! The state one sandbox instance shares between its request threads, and the
//! operations on it that several endpoints need: issuing tokens, judging
//! presented tokens, counting, and the shutdown signal.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::SandboxConfig;
use crate::clock::{Clock, unix_seconds};
use crate::faults::FaultQueue;
use crate::jwt;
use crate::lock;
use crate::stats::SandboxStats;
use crate::store::{
    AccessRecord, AccessState, Grant, RefreshPolicy, RefreshRecord, RefreshStatus, Store,
};

pub(crate) struct Provider {
    pub config: SandboxConfig,
    pub clock: Arc<dyn Clock>,
    pub base_url: String,
    /// Where the APIs answer: `base_url`, or in Salesforce mode the org's
    /// instance on a port of its own.
    pub instance_url: String,
    signing_key: Vec<u8>,
    store: Mutex<Store>,
    faults: Mutex<FaultQueue>,
    stats: Mutex<SandboxStats>,
    pub shutdown: Shutdown,
}

/// Tokens just issued, as the token endpoint reports them.
pub(crate) struct Issued {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scope: String,
    pub issued_at: SystemTime,
}

/// Whether a grant comes with a refresh token, and of which family.
#[derive(Clone, Copy)]
pub(crate) enum RefreshPlan {
    None,
    /// A new authorization: the absolute lifetime starts now.
    NewFamily,
    /// A rotation: the new token keeps the original authorization time.
    Continue {
        family_started: SystemTime,
    },
}

/// A fresh unguessable value (244 random bits), base64url without padding.
pub(crate) fn random_value() -> String {
    let mut bytes = Vec::with_capacity(32);
    bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

impl Provider {
    pub fn new(
        config: SandboxConfig,
        clock: Arc<dyn Clock>,
        base_url: String,
        instance_url: String,
    ) -> Self {
        Self {
            config,
            clock,
            base_url,
            instance_url,
            signing_key: random_value().into_bytes(),
            store: Mutex::default(),
            faults: Mutex::default(),
            stats: Mutex::default(),
            shutdown: Shutdown::default(),
        }
    }

    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    pub fn faults(&self) -> MutexGuard<'_, FaultQueue> {
        lock(&self.faults)
    }

    pub fn stats(&self) -> MutexGuard<'_, SandboxStats> {
        lock(&self.stats)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `path` at the APIs' origin (the org's instance in Salesforce mode).
    pub fn api_url(&self, path: &str) -> String {
        format!("{}{path}", self.instance_url)
    }

    /// An OAuth endpoint as the metadata names it: `/token`, or in
    /// Salesforce mode `/services/oauth2/token`.
    pub fn oauth_url(&self, endpoint: &str) -> String {
        if self.config.salesforce {
            self.url(&format!("/services/oauth2{endpoint}"))
        } else {
            self.url(endpoint)
        }
    }

    /// Whether `request` came to the APIs' origin: always, except in
    /// Salesforce mode, where the APIs live on the org's instance only.
    pub fn at_instance(&self, request: &crate::http::Incoming) -> bool {
        if !self.config.salesforce {
            return true;
        }
        let authority = self
            .instance_url
            .split_once("://")
            .map_or("", |(_, authority)| authority);
        request
            .header("host")
            .is_some_and(|host| host.eq_ignore_ascii_case(authority))
    }

    pub fn refresh_policy(&self) -> RefreshPolicy {
        RefreshPolicy {
            idle: self.config.refresh_idle_ttl,
            absolute: self.config.refresh_absolute_ttl,
        }
    }

    /// Issues an access token (and maybe a refresh token) for `grant`.
    pub fn issue(&self, store: &mut Store, grant: Grant, refresh: RefreshPlan) -> Issued {
        let now = self.now();
        let expires_at = now + self.config.access_ttl;
        let access_token = if self.config.jwt_access_tokens {
            self.jwt_access_token(&grant, now, expires_at)
        } else {
            format!("00DSB0000000001!AQ{}", random_value())
        };
        let refresh_token = self.refresh_token(store, &grant, refresh, now);
        store.access.insert(
            access_token.clone(),
            AccessRecord {
                grant: grant.clone(),
                issued_at: now,
                expires_at,
                revoked: false,
            },
        );
        Issued {
            access_token,
            refresh_token,
            scope: grant.scope,
            issued_at: now,
        }
    }

    fn refresh_token(
        &self,
        store: &mut Store,
        grant: &Grant,
        plan: RefreshPlan,
        now: SystemTime,
    ) -> Option<String> {
        let family_started = match plan {
            RefreshPlan::None => return None,
            RefreshPlan::NewFamily => now,
            RefreshPlan::Continue { family_started } => family_started,
        };
        let token = format!("5Aep861{}", random_value());
        store.refresh.insert(
            token.clone(),
            RefreshRecord {
                grant: grant.clone(),
                family_started,
                last_used: now,
                status: RefreshStatus::Active,
            },
        );
        Some(token)
    }

    fn jwt_access_token(&self, grant: &Grant, now: SystemTime, expires_at: SystemTime) -> String {
        let claims = json!({
            "iss": self.base_url,
            "aud": self.base_url,
            "sub": grant.subject.as_deref().unwrap_or(&grant.client_id),
            "client_id": grant.client_id,
            "scope": grant.scope,
            "iat": unix_seconds(now),
            "exp": unix_seconds(expires_at),
            "jti": uuid::Uuid::new_v4().to_string(),
        });
        jwt::sign_hs256(&claims, &self.signing_key)
    }

    /// The RFC 6749 §5.1 success body (plus Salesforce's `instance_url` and
    /// `issued_at`); `expires_in` is left out when configured so.
    pub fn token_response(&self, issued: &Issued) -> Value {
        let mut body = json!({
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "scope": issued.scope,
            "instance_url": self.instance_url,
            "id": format!("{}/id/00D000000000001/005000000000001", self.base_url),
            "issued_at": millis(issued.issued_at).to_string(),
        });
        if !self.config.omit_expires_in {
            body["expires_in"] = json!(self.config.access_ttl.as_secs());
        }
        if let Some(refresh_token) = &issued.refresh_token {
            body["refresh_token"] = json!(refresh_token);
        }
        body
    }

    /// The grant behind a live access token, or why the token is dead.
    pub fn check_access(&self, token: &str) -> Result<Grant, &'static str> {
        let now = self.now();
        match self.store().access_state(token, now) {
            AccessState::Live(record) => Ok(record.grant.clone()),
            dead => Err(dead.describe()),
        }
    }

    pub fn record_token(&self, grant: &str, outcome: &str) {
        self.stats().record_token(grant, outcome);
    }

    pub fn record_api(&self, endpoint: &str, outcome: &str) {
        self.stats().record_api(endpoint, outcome);
    }
}

fn millis(time: SystemTime) -> u128 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis())
        .unwrap_or(0)
}

/// Set once when the sandbox stops; hanging requests wait on it so a stop is
/// never held up by an injected hang.
#[derive(Default)]
pub(crate) struct Shutdown {
    stopped: Mutex<bool>,
    signal: Condvar,
}

impl Shutdown {
    pub fn trigger(&self) {
        *lock(&self.stopped) = true;
        self.signal.notify_all();
    }

    /// Waits until the shutdown is triggered or `limit` has passed.
    pub fn wait(&self, limit: Duration) {
        let stopped = lock(&self.stopped);
        let _ = self
            .signal
            .wait_timeout_while(stopped, limit, |stopped| !*stopped);
    }
}

/// A provider on a stopped clock, for unit tests that need no socket.
#[cfg(test)]
pub(crate) fn test_provider(config: SandboxConfig) -> Provider {
    let clock = Arc::new(crate::clock::ManualClock::new());
    Provider::new(
        config,
        clock,
        "http://127.0.0.1:1".into(),
        "http://127.0.0.1:2".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(config: SandboxConfig) -> Provider {
        test_provider(config)
    }

    fn grant() -> Grant {
        Grant {
            client_id: "c".into(),
            subject: Some("user".into()),
            scope: "api".into(),
        }
    }

    #[test]
    fn token_response_follows_the_configuration() {
        let plain = provider(SandboxConfig::default());
        let issued = plain.issue(&mut plain.store(), grant(), RefreshPlan::NewFamily);
        let body = plain.token_response(&issued);
        assert_eq!(body["expires_in"], 60);
        assert_eq!(body["token_type"], "Bearer");
        assert!(body["refresh_token"].is_string());

        let salesforce_like = provider(SandboxConfig {
            omit_expires_in: true,
            ..SandboxConfig::default()
        });
        let issued =
            salesforce_like.issue(&mut salesforce_like.store(), grant(), RefreshPlan::None);
        let body = salesforce_like.token_response(&issued);
        assert!(body.get("expires_in").is_none());
        assert!(body.get("refresh_token").is_none());
    }

    #[test]
    fn jwt_access_tokens_carry_exp() {
        let provider = provider(SandboxConfig {
            jwt_access_tokens: true,
            access_ttl: Duration::from_secs(30),
            ..SandboxConfig::default()
        });
        let issued = provider.issue(&mut provider.store(), grant(), RefreshPlan::None);
        let claims = jwt::verify_hs256(&issued.access_token, &provider.signing_key).unwrap();
        let iat = claims["iat"].as_u64().unwrap();
        assert_eq!(claims["exp"].as_u64(), Some(iat + 30));
        assert_eq!(claims["sub"], "user");
    }

    #[test]
    fn shutdown_releases_waiters() {
        let shutdown = Arc::new(Shutdown::default());
        let (released, on_release) = std::sync::mpsc::channel();
        {
            let shutdown = Arc::clone(&shutdown);
            std::thread::spawn(move || {
                shutdown.wait(Duration::from_secs(3_600));
                let _ = released.send(());
            });
        }
        shutdown.trigger();
        // Without the release the waiter would sleep for an hour; the test
        // fails long before that.
        assert!(
            on_release.recv_timeout(Duration::from_secs(30)).is_ok(),
            "the waiter was not released by the shutdown"
        );
    }
}

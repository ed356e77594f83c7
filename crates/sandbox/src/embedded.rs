//! The sandbox the desktop app embeds: started on a free loopback port at
//! launch with short lifetimes (access tokens live 20 s, refresh tokens
//! rotate and die after 10 min unused), and the "Sandbox" credential kept
//! pointed at it, so a new user sees a real expiry, refresh and retry
//! within a minute.
//!
//! Each launch starts a fresh sandbox that knows none of the tokens of the
//! last one: [`provision`] forgets them (and says so in the timeline)
//! instead of leaving tokens that can only fail.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use callout_core::credential::{AuthProtocol, Credential};
use callout_core::credential_store::{Authorization, CredentialStore, Identity};
use callout_core::timeline::{EventDetail, Timeline};
use callout_core::{Error, Result, Secret};

use crate::{Sandbox, SandboxConfig};

/// The name of the credential the app keeps for its embedded sandbox.
pub const CREDENTIAL_NAME: &str = "Sandbox";

/// Access tokens of the embedded sandbox live this long.
pub const ACCESS_TTL: Duration = Duration::from_secs(20);
/// Its refresh tokens die after this long unused.
pub const REFRESH_IDLE_TTL: Duration = Duration::from_secs(10 * 60);

/// What the UI shows about the embedded sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SandboxInfo {
    /// The base URL of its APIs (a credential's endpoint).
    pub url: String,
    pub token_url: String,
    pub authorize_url: String,
    pub device_authorization_url: String,
    /// Its registered test client. The secret is the sandbox's own, known to
    /// anyone who runs it, and protects nothing: a form may fill it in.
    pub client_id: String,
    pub client_secret: String,
    /// Its user's login, as well known: what Basic authentication against
    /// its `/basic` API sends.
    pub username: String,
    pub password: String,
    #[ts(type = "number")]
    pub access_ttl_seconds: u64,
    #[ts(type = "number | null")]
    pub refresh_idle_ttl_seconds: Option<u64>,
}

impl SandboxInfo {
    pub fn of(sandbox: &Sandbox) -> Self {
        let config = sandbox.config();
        Self {
            url: sandbox.base_url(),
            token_url: sandbox.token_url(),
            authorize_url: sandbox.authorize_url(),
            device_authorization_url: sandbox.device_authorization_url(),
            client_id: sandbox.client_id().to_string(),
            client_secret: sandbox.client_secret().to_string(),
            username: config.username.clone(),
            password: config.password.clone(),
            access_ttl_seconds: config.access_ttl.as_secs(),
            refresh_idle_ttl_seconds: config.refresh_idle_ttl.map(|ttl| ttl.as_secs()),
        }
    }
}

/// The embedded sandbox's configuration: any free port, 20 s access tokens,
/// rotating refresh tokens that die after 10 min idle.
pub fn config() -> SandboxConfig {
    SandboxConfig {
        port: 0,
        access_ttl: ACCESS_TTL,
        refresh_idle_ttl: Some(REFRESH_IDLE_TTL),
        rotate_refresh_tokens: true,
        ..SandboxConfig::default()
    }
}

/// Starts the embedded sandbox.
pub fn start() -> Result<Sandbox> {
    Sandbox::start(config())
}

/// The "Sandbox" credential for `sandbox`: authorization code + PKCE with
/// the loopback redirect, the sandbox's client, scopes for every sample API;
/// merge fields allowed in bodies (the SOAP sample carries its session there,
/// as an org would configure it); no proactive refresh by the keeper, so the
/// 20 s token is seen to expire.
pub fn credential(sandbox: &Sandbox) -> Credential {
    let mut credential = Credential::new(CREDENTIAL_NAME, sandbox.base_url());
    credential.protocol = AuthProtocol::AuthorizationCode;
    credential.scopes = ["api", "read", "write", "refresh_token"]
        .map(str::to_string)
        .to_vec();
    credential.salesforce.allow_merge_fields_in_body = true;
    // The keeper's margin (60 s) exceeds the 20 s lifetime: it would refresh
    // every run, and nobody would ever see the expiry the sandbox is for.
    credential.proactive_refresh = false;
    point_at(&mut credential, sandbox);
    credential
}

/// Points `credential` at `sandbox`'s URLs and client.
fn point_at(credential: &mut Credential, sandbox: &Sandbox) {
    credential.endpoint = sandbox.base_url();
    credential.client_id = Some(sandbox.client_id().to_string());
    credential.token_url = Some(sandbox.token_url());
    credential.auth_url = Some(sandbox.authorize_url());
    credential.issuer = Some(sandbox.base_url());
    credential.refresh_idle_seconds = sandbox
        .config()
        .refresh_idle_ttl
        .and_then(|ttl| u32::try_from(ttl.as_secs()).ok());
}

/// Creates the "Sandbox" credential, or points the existing one (keeping
/// the person's other changes) at this `sandbox`; stores its client secret
/// in the keychain; forgets tokens of an earlier sandbox run and records
/// that in `timeline`. Returns the credential as stored.
pub fn provision(
    store: &CredentialStore,
    sandbox: &Sandbox,
    timeline: Option<&Timeline>,
) -> Result<Credential> {
    let existing = match store.get(CREDENTIAL_NAME) {
        Ok(credential) => Some(credential),
        Err(Error::UnknownCredential { .. }) => None,
        Err(other) => return Err(other),
    };
    let credential = match existing {
        Some(mut credential) => {
            point_at(&mut credential, sandbox);
            store.update(credential.clone())?;
            credential
        }
        None => {
            let credential = credential(sandbox);
            store.add(credential.clone())?;
            credential
        }
    };
    store.set_client_secret(&credential.name, &Secret::new(sandbox.client_secret()))?;
    forget_stale_tokens(store, &credential, sandbox, timeline)?;
    Ok(credential)
}

/// Forgets tokens a previous sandbox issued: this one cannot know them.
fn forget_stale_tokens(
    store: &CredentialStore,
    credential: &Credential,
    sandbox: &Sandbox,
    timeline: Option<&Timeline>,
) -> Result<()> {
    let identity = Identity::for_credential(credential, None);
    let what = match store.authorization(&credential.name, &identity) {
        Ok(stored) if stored.tokens.is_none() && stored.needs_reauthorization.is_none() => {
            return Ok(());
        }
        Ok(_) => {
            store.set_authorization(&credential.name, &identity, &Authorization::default())?;
            "the tokens of its previous run, so they were forgotten"
        }
        // Whatever an unreadable entry held was for an earlier run: it is
        // replaced rather than left to stop the app setting up its sandbox.
        Err(Error::Keychain { .. }) => {
            store.reauthorize(&credential.name, &identity, |stored| {
                *stored = Authorization::default();
            })?;
            "what its unreadable keychain entry held, so the entry was replaced"
        }
        Err(other) => return Err(other),
    };
    if let Some(timeline) = timeline {
        let reason = format!(
            "the embedded sandbox started afresh at {} and does not know {what}; authorize \
             again",
            sandbox.base_url()
        );
        // Best effort, as every timeline write: it never stops the app starting.
        let _ = timeline.append(
            &credential.name,
            &EventDetail::NeedsReauthorization { reason },
            SystemTime::now(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use callout_core::requests::samples;

    #[test]
    fn the_soap_sample_is_an_envelope_the_sandbox_reads() {
        let soap = &samples(CREDENTIAL_NAME)[0];
        assert_eq!(soap.name, "Salesforce SOAP query");
        let parsed = crate::soap::parse_envelope(soap.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            parsed.session_id.as_deref(),
            Some("{!$Credential.OAuthToken}")
        );
        assert_eq!(parsed.operation.as_deref(), Some("query"));
        assert_eq!(
            parsed.query_string.as_deref(),
            Some("SELECT Id, Name FROM Account")
        );
    }

    #[test]
    fn the_embedded_config_has_short_lifetimes_and_rotation() {
        let config = config();
        assert_eq!(config.port, 0);
        assert_eq!(config.access_ttl, Duration::from_secs(20));
        assert_eq!(config.refresh_idle_ttl, Some(Duration::from_secs(600)));
        assert!(config.rotate_refresh_tokens);
    }
}

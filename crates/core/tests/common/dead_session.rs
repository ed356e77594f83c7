//! A Salesforce session that died at the embedded sandbox, for the tests
//! that send a SOAP callout through it and see it refreshed and retried.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use callout_core::credential::{AuthProtocol, CredentialSecrets, CredentialSet};
use callout_core::detect::Verdict;
use callout_core::oauth::{KeychainRefresher, TokenSet};
use callout_core::send::{Attempt, Call, Draft, Outcome, Sender, Timeouts};
use callout_sandbox::{Sandbox, SandboxConfig};

use super::TestHome;

/// Credential `Sandbox` for the sandbox's client (merge fields allowed in
/// bodies), authorized an hour ago, whose access token the sandbox has
/// expired while the clock still calls it valid; its secrets read by the
/// keychain-backed refresher the app and the CLI use. Fields drop in the
/// reverse order they were made.
pub struct DeadSession {
    pub credentials: CredentialSet,
    pub secrets: CredentialSecrets,
    pub refresher: KeychainRefresher,
    /// The tokens as authorized, the access token now dead.
    pub seeded: TokenSet,
    pub home: TestHome,
    pub sender: Sender,
    pub sandbox: Sandbox,
}

impl DeadSession {
    /// Starts a sandbox with `config` on a free port and kills the session.
    pub async fn start(config: SandboxConfig) -> Self {
        let sandbox = Sandbox::start(SandboxConfig { port: 0, ..config }).unwrap();
        let sender = Sender::new(Timeouts::default()).unwrap();
        let mut home = TestHome::new();
        let credential = home.add_with(
            &sandbox,
            "Sandbox",
            AuthProtocol::AuthorizationCode,
            |credential| credential.salesforce.allow_merge_fields_in_body = true,
        );
        let seeded = home.seed(
            &sandbox,
            "Sandbox",
            SystemTime::now() + Duration::from_secs(3_600),
        );
        assert!(sandbox.expire_access_token(seeded.access_token.expose()));
        let refresher = KeychainRefresher::new(Arc::clone(&home.service), None);
        let secrets = refresher.secrets(&credential).await.unwrap();
        let credentials = CredentialSet::new(vec![credential]).unwrap();
        Self {
            credentials,
            secrets,
            refresher,
            seeded,
            home,
            sender,
            sandbox,
        }
    }

    /// Sends `draft` (to `callout:Sandbox/...`) with the session's secrets,
    /// refreshing through the refresher when the verdict says so.
    pub async fn send(&self, draft: &Draft) -> Outcome {
        self.sender
            .send(
                &Call::resolve(draft, &self.credentials).unwrap(),
                &self.secrets,
                Some(&self.refresher),
            )
            .await
            .unwrap()
    }

    /// Checks that `outcome` is a SOAP call refused for the dead session
    /// (HTTP 500 `INVALID_SESSION_ID`), refreshed and retried to a 200 with a
    /// new access token, and that the sandbox saw it so; returns the verdict
    /// on the refused attempt.
    pub fn refreshed_and_retried<'o>(&self, outcome: &'o Outcome) -> &'o Verdict {
        let first = match &outcome.attempts[..] {
            [
                Attempt::Sent {
                    number: 1,
                    status: 500,
                    verdict: first,
                    ..
                },
                Attempt::Refreshed { trigger, .. },
                Attempt::Sent {
                    number: 2,
                    status: 200,
                    verdict: second,
                    ..
                },
            ] => {
                assert!(first.expired, "{first:#?}");
                assert_eq!(first.rule.as_deref(), Some("soap.invalid_session"));
                assert_eq!(trigger.as_deref(), Some("soap.invalid_session"));
                assert!(!second.expired, "{second:#?}");
                first
            }
            other => panic!("unexpected attempts: {other:#?}"),
        };
        assert_eq!(outcome.response.status, 200);
        let answer = outcome.response.body.text();
        assert!(answer.contains("queryResponse"), "{answer}");
        let fresh = outcome.refreshed.as_ref().unwrap().access_token.as_ref();
        assert_ne!(fresh.unwrap(), &self.seeded.access_token);
        let stats = self.sandbox.stats();
        assert_eq!(stats.token_count("refresh_token", "ok"), 1);
        assert_eq!(stats.api_count("salesforce_soap", "invalid_session"), 1);
        assert_eq!(stats.api_count("salesforce_soap", "ok"), 1);
        first
    }
}

//! The app's embedded sandbox and its first-run "Sandbox" credential and
//! sample requests, over real sockets and the real keychain.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use callout_core::Secret;
use callout_core::credential::AuthProtocol;
use callout_core::credential_store::{Authorization, Identity};
use callout_core::home::Home;
use callout_core::oauth::{ExpirySource, TokenService, TokenSet};
use callout_core::requests::{self, RequestStore};
use callout_core::send::{Sender, Timeouts};
use callout_core::timeline::{Event, EventDetail, EventKind, Query};
use callout_sandbox::Sandbox;
use callout_sandbox::embedded::{self, CREDENTIAL_NAME};

/// The app's home in a temp dir with its token service (recording in the
/// home's timeline); forgets the Sandbox credential's keychain entries when
/// the test ends.
struct TestHome {
    _dir: tempfile::TempDir,
    home: Home,
    service: Arc<TokenService>,
}

impl TestHome {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path()).unwrap();
        let service = Arc::new(TokenService::for_home(&home).unwrap());
        Self {
            _dir: dir,
            home,
            service,
        }
    }

    /// The credential's timeline, oldest first.
    fn events(&self, name: &str) -> Vec<Event> {
        let timeline = self.service.timeline().unwrap();
        timeline.query(&Query::credential(name)).unwrap()
    }
}

impl Drop for TestHome {
    fn drop(&mut self) {
        let _ = self.service.store().forget_secrets(CREDENTIAL_NAME);
    }
}

/// Stores tokens the sandbox minted, valid for an hour, as "Sandbox"'s.
fn authorize(home: &TestHome, sandbox: &Sandbox) -> TokenSet {
    let issued = sandbox.issue_tokens("api read write refresh_token");
    let tokens = TokenSet {
        access_token: issued.access_token,
        token_type: "Bearer".into(),
        refresh_token: issued.refresh_token,
        id_token: None,
        scopes: vec!["api".into(), "read".into(), "write".into()],
        issued_at: SystemTime::now(),
        expires_at: Some(SystemTime::now() + Duration::from_secs(3_600)),
        expiry_source: ExpirySource::ExpiresIn,
        is_jwt: false,
        instance_url: None,
    };
    let authorization = Authorization {
        tokens: Some(tokens.clone()),
        ..Authorization::default()
    };
    home.service
        .store()
        .set_authorization(CREDENTIAL_NAME, &Identity::NamedPrincipal, &authorization)
        .unwrap();
    tokens
}

#[test]
fn provisioning_creates_the_sandbox_credential_with_its_secret_in_the_keychain() {
    let sandbox = embedded::start().unwrap();
    let home = TestHome::new();
    let timeline = home.service.timeline().map(|t| t.as_ref());
    let credential = embedded::provision(home.service.store(), &sandbox, timeline).unwrap();
    assert_eq!(credential.name, "Sandbox");
    assert_eq!(credential.protocol, AuthProtocol::AuthorizationCode);
    assert_eq!(credential.endpoint, sandbox.base_url());
    assert_eq!(credential.token_url, Some(sandbox.token_url()));
    assert_eq!(credential.auth_url, Some(sandbox.authorize_url()));
    assert_eq!(credential.client_id.as_deref(), Some("callout-lab-sandbox"));
    assert_eq!(credential.refresh_idle_seconds, Some(600));
    assert!(!credential.proactive_refresh);
    assert_eq!(home.service.store().get("sandbox").unwrap(), credential);
    let secret = home.service.store().client_secret("Sandbox").unwrap();
    assert_eq!(secret, Some(Secret::new(sandbox.client_secret())));
    let file = std::fs::read_to_string(home.home.credentials_file()).unwrap();
    assert!(
        !file.contains(sandbox.client_secret()),
        "the secret is in the file"
    );
    // Nothing to forget on a first run, so nothing said.
    assert!(home.events("Sandbox").is_empty());
}

#[test]
fn a_new_sandbox_run_repoints_the_credential_and_forgets_stale_tokens() {
    let first = embedded::start().unwrap();
    let home = TestHome::new();
    let timeline = home.service.timeline().map(|t| t.as_ref());
    let store = home.service.store();
    let mut credential = embedded::provision(store, &first, timeline).unwrap();
    // The person changed something of their own.
    credential.keep_alive_seconds = Some(120);
    store.update(credential).unwrap();
    authorize(&home, &first);
    drop(first);

    let second = embedded::start().unwrap();
    let credential = embedded::provision(store, &second, timeline).unwrap();
    assert_eq!(credential.endpoint, second.base_url());
    assert_eq!(
        credential.keep_alive_seconds,
        Some(120),
        "the person's change stays"
    );
    let stored = store
        .authorization("Sandbox", &Identity::NamedPrincipal)
        .unwrap();
    assert!(stored.tokens.is_none(), "stale tokens were kept");
    let events = home.service.timeline().unwrap().query(&Query {
        kinds: vec![EventKind::NeedsReauthorization],
        ..Query::credential("Sandbox")
    });
    let events = events.unwrap();
    assert_eq!(events.len(), 1);
    match &events[0].event {
        EventDetail::NeedsReauthorization { reason } => {
            assert!(reason.contains("started afresh"), "{reason}");
            assert!(reason.contains(&second.base_url()), "{reason}");
        }
        other => panic!("unexpected event {other:?}"),
    }
}

#[test]
fn an_unreadable_sandbox_entry_shows_broken_and_a_new_sandbox_run_replaces_it() {
    let first = embedded::start().unwrap();
    let home = TestHome::new();
    let timeline = home.service.timeline().map(|t| t.as_ref());
    let store = home.service.store();
    let credential = embedded::provision(store, &first, timeline).unwrap();
    drop(first);
    // Written by a newer version, or by hand.
    store
        .vault()
        .store("sandbox/authorization", &Secret::new("not a token set"))
        .unwrap();

    // Broken, and its client secret is still there.
    let status = home.service.status(&credential, None);
    assert!(
        matches!(status, Err(callout_core::Error::Keychain { .. })),
        "{status:?}"
    );
    assert!(
        store.client_secret(&credential.name).unwrap().is_some(),
        "the client secret looks missing"
    );

    // The next app start sets its sandbox up all the same.
    let second = embedded::start().unwrap();
    let credential = embedded::provision(store, &second, timeline).unwrap();
    assert_eq!(credential.endpoint, second.base_url());
    let stored = store
        .authorization("Sandbox", &Identity::NamedPrincipal)
        .unwrap();
    assert!(stored.tokens.is_none());
    assert_eq!(
        store.client_secret("Sandbox").unwrap().unwrap().expose(),
        second.client_secret()
    );
    let events = home
        .service
        .timeline()
        .unwrap()
        .query(&Query {
            kinds: vec![EventKind::NeedsReauthorization],
            ..Query::credential("Sandbox")
        })
        .unwrap();
    match &events.last().unwrap().event {
        EventDetail::NeedsReauthorization { reason } => {
            assert!(reason.contains("unreadable keychain entry"), "{reason}");
        }
        other => panic!("unexpected event {other:?}"),
    }
}

#[tokio::test]
async fn every_sample_request_gets_an_answer_from_the_sandbox() {
    let sandbox = embedded::start().unwrap();
    let home = TestHome::new();
    embedded::provision(home.service.store(), &sandbox, None).unwrap();
    authorize(&home, &sandbox);
    let sender = Sender::new(Timeouts::default()).unwrap();
    let service = Arc::clone(&home.service);
    let saved = RequestStore::new(&home.home, CREDENTIAL_NAME)
        .list()
        .unwrap();
    assert_eq!(saved, requests::samples(CREDENTIAL_NAME));
    for sample in &saved {
        let outcome = callout_core::actions::send::send(&sender, &service, &sample.draft(), None)
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", sample.name));
        assert_eq!(
            outcome.response.status,
            200,
            "{}: {}",
            sample.name,
            outcome.response.body.text()
        );
        assert!(!outcome.verdict.expired, "{}", sample.name);
    }
    let soap = &saved[0];
    let outcome = callout_core::actions::send::send(&sender, &service, &soap.draft(), None)
        .await
        .unwrap();
    assert!(outcome.response.body.text().contains("queryResponse"));
    assert!(
        outcome
            .lint
            .iter()
            .all(|lint| lint.id != "salesforce.body_merge_disabled"),
        "the Sandbox credential allows merge fields in the body"
    );
}

#[test]
fn a_preview_renders_without_a_token_and_never_sends() {
    let sandbox = embedded::start().unwrap();
    let home = TestHome::new();
    embedded::provision(home.service.store(), &sandbox, None).unwrap();
    let soap = &requests::samples(CREDENTIAL_NAME)[0];
    let preview = requests::preview(home.service.store(), &soap.draft());
    assert_eq!(preview.error, None);
    let request = preview.request.unwrap();
    assert_eq!(request.url, sandbox.soap_url());
    assert!(request.body.unwrap().contains("<urn:sessionId>••••"));
    assert!(sandbox.stats().api_calls.is_empty());

    let mut broken = soap.draft();
    broken.body = Some("<x>{!$Credential.Nope}</x>".into());
    let preview = requests::preview(home.service.store(), &broken);
    let error = preview.error.unwrap();
    assert!(requests::blocks_sending(&error));
    assert_eq!(
        error.at.map(|at| (at.line, at.column)),
        Some((1, 4)),
        "{error:?}"
    );
}

//! Authorization and refresh against the embedded sandbox over real sockets,
//! with secrets in the real Secret Service keychain and definitions in a
//! real file. Each test has its own home (so its own keychain service) and
//! removes its keychain entries when it ends.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use callout_core::credential::{AuthProtocol, ClientAuth, CredentialSecrets, CredentialSet};
use callout_core::credential_store::Identity;
use callout_core::oauth::{self, BrowserOptions, Cancel};
use callout_core::oauth::{CredentialStatus, ExpirySource, KeychainRefresher, TokenService};
use callout_core::send::{Attempt, Call, Draft, Outcome, Refresher, Sender, Timeouts};
use callout_core::timeline::{EventDetail, RefreshOutcome};
use callout_core::{Error, ErrorKind, Secret};
use callout_sandbox::{ManualClock, Sandbox, SandboxConfig, TokenFault};

use crate::common::{self, StandIns, TestHome};

fn expired() -> SystemTime {
    SystemTime::now() - Duration::from_secs(60)
}

fn later() -> SystemTime {
    SystemTime::now() + Duration::from_secs(3_600)
}

/// Every file under `dir`, as bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    found
}

/// No file under the home holds any of `secrets`.
fn assert_no_secret_in_files(dir: &Path, secrets: &[&str]) {
    let files = files(dir);
    assert!(
        files
            .iter()
            .any(|(name, _)| name.ends_with("credentials.toml")),
        "the credentials file exists"
    );
    for (name, bytes) in files {
        for secret in secrets {
            assert!(
                !bytes
                    .windows(secret.len())
                    .any(|window| window == secret.as_bytes()),
                "{name} contains a secret"
            );
        }
    }
}

/// A direct refresh_token request, to ask the sandbox whether a refresh
/// token is still alive (without touching the keychain).
async fn refresh_outcome(sandbox: &Sandbox, refresh_token: &str) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(sandbox.token_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", sandbox.client_id()),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn client_credentials_mint_with_basic_or_body_and_are_reused_while_valid() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let basic = home.add(&sandbox, "Basic_CC", AuthProtocol::ClientCredentials);
    let mut body = home.add(&sandbox, "Body_CC", AuthProtocol::ClientCredentials);
    body.client_auth = ClientAuth::Body;
    home.service.store().update(body.clone()).unwrap();

    let first = home
        .service
        .authorize_client_credentials(&basic, None)
        .await
        .unwrap();
    assert!(first.refreshed);
    assert!(first.tokens.refresh_token.is_none());
    home.service
        .authorize_client_credentials(&body, None)
        .await
        .unwrap();
    assert_eq!(sandbox.stats().token_count("client_credentials", "ok"), 2);

    let again = home.service.live_token("basic_cc", None).await.unwrap();
    assert!(!again.refreshed);
    assert_eq!(again.tokens.access_token, first.tokens.access_token);
    assert_eq!(sandbox.stats().token_total("client_credentials"), 2);
    assert!(matches!(
        home.service.status(&basic, None).unwrap(),
        CredentialStatus::Valid { .. }
    ));

    // Expired: a client-credentials credential just mints a new token.
    let mut stale = home.authorization("Basic_CC");
    stale.tokens.as_mut().unwrap().expires_at = Some(expired());
    home.service
        .store()
        .set_authorization("Basic_CC", &Identity::NamedPrincipal, &stale)
        .unwrap();
    let minted = home.service.live_token("Basic_CC", None).await.unwrap();
    assert!(minted.refreshed);
    assert_ne!(minted.tokens.access_token, first.tokens.access_token);
    assert_eq!(sandbox.stats().token_count("client_credentials", "ok"), 3);

    assert_no_secret_in_files(
        home.dir.path(),
        &[
            sandbox.client_secret(),
            first.tokens.access_token.expose(),
            minted.tokens.access_token.expose(),
        ],
    );
}

#[tokio::test]
async fn a_wrong_client_secret_is_named_and_nothing_is_stored() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Wrong", AuthProtocol::ClientCredentials);
    home.service
        .store()
        .set_client_secret("Wrong", &Secret::new("not-the-secret"))
        .unwrap();
    let error = home
        .service
        .authorize_client_credentials(&credential, None)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Authorization);
    let message = error.to_string();
    assert!(message.contains("invalid_client"), "{message}");
    assert!(!message.contains("not-the-secret"), "{message}");
    assert!(home.authorization("Wrong").tokens.is_none());
}

#[tokio::test]
async fn the_password_grant_authorizes_and_mints_again_when_the_refresh_token_dies() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Pw", AuthProtocol::Password);
    let password = Secret::new(sandbox.config().password.clone());
    let wrong = home
        .service
        .authorize_password(&credential, None, "sandbox-user", &Secret::new("nope"))
        .await
        .unwrap_err();
    assert!(wrong.to_string().contains("invalid_grant"), "{wrong}");

    let first = home
        .service
        .authorize_password(&credential, None, "sandbox-user", &password)
        .await
        .unwrap();
    assert!(first.tokens.refresh_token.is_some());
    let stored = home.authorization("Pw");
    assert_eq!(stored.username.as_deref(), Some("sandbox-user"));
    assert_eq!(stored.password.as_ref(), Some(&password));

    sandbox.revoke_all_refresh_tokens();
    let mut stale = stored.clone();
    stale.tokens.as_mut().unwrap().expires_at = Some(expired());
    home.service
        .store()
        .set_authorization("Pw", &Identity::NamedPrincipal, &stale)
        .unwrap();
    let renewed = home.service.live_token("Pw", None).await.unwrap();
    assert!(renewed.refreshed);
    let stats = sandbox.stats();
    assert_eq!(stats.token_count("refresh_token", "invalid_grant"), 1);
    assert_eq!(stats.token_count("password", "ok"), 2);
    assert!(home.authorization("Pw").needs_reauthorization.is_none());
    assert_no_secret_in_files(
        home.dir.path(),
        &[
            sandbox.client_secret(),
            password.expose(),
            renewed.tokens.access_token.expose(),
            renewed.tokens.refresh_token.as_ref().unwrap().expose(),
        ],
    );
}

#[tokio::test]
async fn a_rotated_refresh_token_is_stored_and_the_old_one_is_dead() {
    let sandbox = Sandbox::start(SandboxConfig {
        rotate_refresh_tokens: true,
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Rotating", AuthProtocol::AuthorizationCode);
    let seeded = home.seed(&sandbox, "Rotating", expired());
    let old_refresh = seeded.refresh_token.clone().unwrap();

    let live = home.service.live_token("Rotating", None).await.unwrap();
    assert!(live.refreshed);
    assert_ne!(live.tokens.access_token, seeded.access_token);
    let new_refresh = live.tokens.refresh_token.clone().unwrap();
    assert_ne!(new_refresh, old_refresh);

    let stored = home.authorization("Rotating").tokens.unwrap();
    assert_eq!(stored.access_token, live.tokens.access_token);
    assert_eq!(stored.refresh_token.as_ref(), Some(&new_refresh));
    assert_eq!(stored.scopes, ["api", "refresh_token"]);

    let (status, body) = refresh_outcome(&sandbox, old_refresh.expose()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, _) = refresh_outcome(&sandbox, new_refresh.expose()).await;
    assert_eq!(status, 200);
    assert_no_secret_in_files(
        home.dir.path(),
        &[
            sandbox.client_secret(),
            old_refresh.expose(),
            new_refresh.expose(),
            live.tokens.access_token.expose(),
        ],
    );
}

#[tokio::test]
async fn an_idle_expired_refresh_token_needs_reauthorization_until_the_browser_flow_runs() {
    let clock = Arc::new(ManualClock::new());
    let sandbox = Sandbox::with_clock(
        SandboxConfig {
            refresh_idle_ttl: Some(Duration::from_secs(24 * 3_600)),
            ..SandboxConfig::default()
        },
        clock.clone(),
    )
    .unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Idle", AuthProtocol::AuthorizationCode);
    home.seed(&sandbox, "Idle", expired());
    clock.advance(Duration::from_secs(25 * 3_600));

    let error = home.service.live_token("Idle", None).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NeedsReauthorization);
    let message = error.to_string();
    assert!(
        message.starts_with("credential \"Idle\" needs re-authorization: the provider refused"),
        "{message}"
    );
    assert!(message.contains("idle lifetime"), "{message}");
    assert!(message.contains("callout authorize Idle"), "{message}");
    match home.service.status(&credential, None).unwrap() {
        CredentialStatus::NeedsReauthorization { reason } => {
            assert!(reason.contains("invalid_grant"), "{reason}")
        }
        other => panic!("unexpected status {other:?}"),
    }
    // Asking again does not go back to the provider.
    let again = home.service.live_token("Idle", None).await.unwrap_err();
    assert!(matches!(again, Error::NeedsReauthorization { .. }));
    assert_eq!(sandbox.stats().token_total("refresh_token"), 1);

    let live = common::sign_in_in_browser(&home, &credential, "allow")
        .await
        .unwrap();
    assert!(live.tokens.refresh_token.is_some());
    assert_eq!(sandbox.stats().token_count("authorization_code", "ok"), 1);
    assert!(matches!(
        home.service.status(&credential, None).unwrap(),
        CredentialStatus::Valid { .. }
    ));
    let token = home.service.live_token("Idle", None).await.unwrap();
    assert!(!token.refreshed);
    assert_eq!(token.tokens.access_token, live.tokens.access_token);
}

#[tokio::test]
async fn a_denied_browser_sign_in_names_the_providers_answer_and_stores_nothing() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Denied", AuthProtocol::AuthorizationCode);
    let error = common::sign_in_in_browser(&home, &credential, "deny")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Authorization);
    assert!(error.to_string().contains("access_denied"), "{error}");
    assert!(home.authorization("Denied").tokens.is_none());
}

#[tokio::test]
async fn a_browser_sign_in_can_be_cancelled() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Cancelled", AuthProtocol::AuthorizationCode);
    let cancel = Cancel::new();
    let on_open = cancel.clone();
    let error = oauth::authorize_in_browser(
        &home.service,
        &credential,
        None,
        BrowserOptions {
            cancel: cancel.clone(),
            // The person closes the window instead of signing in.
            open: Arc::new(move |_url: &str| {
                on_open.cancel();
                Ok(())
            }),
            ..BrowserOptions::default()
        },
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("cancelled"), "{error}");
}

#[tokio::test]
async fn token_endpoint_faults_leave_the_stored_tokens_unchanged() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Faulty", AuthProtocol::AuthorizationCode);
    let seeded = home.seed(&sandbox, "Faulty", expired());
    for (fault, said) in [
        (TokenFault::ServerError, "HTTP 500): server_error"),
        (TokenFault::HtmlErrorPage, "HTTP 503 with an HTML page"),
        (TokenFault::MalformedJson, "not valid JSON"),
        (TokenFault::MissingAccessToken, "without an access_token"),
    ] {
        sandbox.inject_fault(fault, 1);
        let error = home.service.live_token("Faulty", None).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Refresh, "{fault:?}: {error}");
        let message = error.to_string();
        assert!(message.contains(said), "{fault:?}: {message}");
        assert!(message.contains("left unchanged"), "{message}");
        assert!(!message.contains("00DSB0000000001"), "a token in {message}");
        let stored = home.authorization("Faulty");
        let tokens = stored.tokens.unwrap();
        assert_eq!(tokens.access_token, seeded.access_token, "{fault:?}");
        assert_eq!(tokens.refresh_token, seeded.refresh_token, "{fault:?}");
        assert!(stored.needs_reauthorization.is_none());
    }
    // The refresh token survived every fault: the next refresh works.
    let live = home.service.live_token("Faulty", None).await.unwrap();
    assert!(live.refreshed);
    // And the timeline tells each failure with the provider's answer.
    let failures: Vec<String> = home
        .events("Faulty")
        .into_iter()
        .filter_map(|event| match event.event {
            EventDetail::RefreshAttempt {
                outcome: RefreshOutcome::Failed,
                error,
                ..
            } => error,
            _ => None,
        })
        .collect();
    assert_eq!(failures.len(), 4, "{failures:?}");
    assert!(failures[1].contains("HTML page"), "{failures:?}");
}

#[tokio::test]
async fn a_redirecting_token_endpoint_is_not_followed_and_changes_nothing() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Moved", AuthProtocol::AuthorizationCode);
    let seeded = home.seed(&sandbox, "Moved", expired());
    // The product's own token client (`oauth::token_client`).
    let service = TokenService::for_home(&home.home).unwrap();
    sandbox.inject_fault(TokenFault::Redirect, 1);
    let error = service.live_token("Moved", None).await.unwrap_err();
    let message = error.to_string();
    // Followed, the refresh would have gone to https://sso.example.invalid/login
    // with the refresh token and the client secret (and failed as transport).
    assert_eq!(error.kind(), ErrorKind::Refresh, "{message}");
    assert!(message.contains("HTTP 302"), "{message}");
    assert!(message.contains("left unchanged"), "{message}");
    assert_eq!(sandbox.stats().token_total("refresh_token"), 1);
    let tokens = home.authorization("Moved").tokens.unwrap();
    assert_eq!(tokens.refresh_token, seeded.refresh_token);
    assert!(service.live_token("Moved", None).await.unwrap().refreshed);
}

#[tokio::test]
async fn a_silent_token_endpoint_is_named_and_changes_nothing() {
    let sandbox = Sandbox::start(SandboxConfig {
        hang_for: Duration::from_secs(5),
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Silent", AuthProtocol::AuthorizationCode);
    let seeded = home.seed(&sandbox, "Silent", expired());
    // A token client that gives up after one second, as a person would want
    // (the product's waits 30 s).
    let impatient = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let service = TokenService::new(&home.home, impatient);
    sandbox.inject_fault(TokenFault::Hang, 1);
    let error = service.live_token("Silent", None).await.unwrap_err();
    let message = error.to_string();
    assert_eq!(error.kind(), ErrorKind::Transport, "{message}");
    assert!(
        message.contains("/token: no response before the timeout"),
        "{message}"
    );
    let tokens = home.authorization("Silent").tokens.unwrap();
    assert_eq!(tokens.refresh_token, seeded.refresh_token);
    assert!(service.live_token("Silent", None).await.unwrap().refreshed);
}

#[test]
fn two_hundred_concurrent_requests_share_one_refresh() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(4)
        .enable_all()
        .build()
        .unwrap();
    // A lifetime no slow machine outlasts: 200 keychain reads under load can
    // take longer than the default minute, and a stale token refreshes again.
    let sandbox = Sandbox::start(SandboxConfig {
        access_ttl: Duration::from_secs(3_600),
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Busy", AuthProtocol::AuthorizationCode);
    let seeded = home.seed(&sandbox, "Busy", expired());
    let tokens = runtime.block_on(async {
        let tasks: Vec<_> = (0..200)
            .map(|_| {
                let service = Arc::clone(&home.service);
                tokio::spawn(async move { service.live_token("Busy", None).await })
            })
            .collect();
        let mut tokens = Vec::new();
        for task in tasks {
            tokens.push(task.await.unwrap().unwrap().tokens.access_token);
        }
        tokens
    });
    assert!(tokens.iter().all(|token| *token == tokens[0]));
    assert_ne!(tokens[0], seeded.access_token);
    assert_eq!(sandbox.stats().token_total("refresh_token"), 1);
}

#[tokio::test]
async fn without_proactive_refresh_the_expired_token_is_sent_and_the_fault_renews_it() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add_with(
        &sandbox,
        "Watched",
        AuthProtocol::AuthorizationCode,
        |credential| {
            credential.proactive_refresh = false;
            credential.salesforce.allow_merge_fields_in_body = true;
        },
    );
    // Expired by the clock and at the provider.
    let seeded = home.seed(&sandbox, "Watched", expired());
    assert!(sandbox.expire_access_token(seeded.access_token.expose()));
    let draft = Draft::new("POST", "callout:Watched/services/Soap/u/59.0")
        .header("Content-Type", "text/xml")
        .header("SOAPAction", "\"\"")
        .body(callout_core::requests::soap_query_envelope(
            "SELECT Id FROM Account",
        ));
    let sender = Sender::new(Timeouts::default()).unwrap();
    let outcome = callout_core::actions::send::send(&sender, &home.service, &draft, None)
        .await
        .unwrap();
    let steps: Vec<&str> = outcome
        .attempts
        .iter()
        .map(|attempt| match attempt {
            Attempt::Sent { status: 500, .. } => "sent 500",
            Attempt::Sent { status: 200, .. } => "sent 200",
            Attempt::Refreshed { .. } => "refreshed",
            _ => "other",
        })
        .collect();
    assert_eq!(steps, ["sent 500", "refreshed", "sent 200"]);
    assert_eq!(
        sandbox
            .stats()
            .api_count("salesforce_soap", "invalid_session"),
        1
    );
    assert_eq!(sandbox.stats().token_count("refresh_token", "ok"), 1);
}

#[tokio::test]
async fn send_refreshes_for_real_through_the_keychain_and_retries() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Sandbox", AuthProtocol::AuthorizationCode);
    // Valid by the clock, dead at the provider: only the 401 tells.
    let seeded = home.seed(&sandbox, "Sandbox", later());
    assert!(sandbox.expire_access_token(seeded.access_token.expose()));

    let refresher = KeychainRefresher::new(Arc::clone(&home.service), None);
    let secrets = refresher.secrets(&credential).await.unwrap();
    assert_eq!(secrets.access_token.as_ref(), Some(&seeded.access_token));
    let credentials = CredentialSet::new(vec![credential]).unwrap();
    let draft = Draft::new(
        "GET",
        "callout:Sandbox/services/data/v59.0/query?q=SELECT+Id+FROM+Account",
    );
    let outcome = Sender::new(Timeouts::default())
        .unwrap()
        .send(
            &Call::resolve(&draft, &credentials).unwrap(),
            &secrets,
            Some(&refresher),
        )
        .await
        .unwrap();
    assert_eq!(outcome.response.status, 200, "{:?}", outcome.attempts);
    assert!(
        outcome
            .attempts
            .iter()
            .any(|attempt| matches!(attempt, Attempt::Refreshed { .. }))
    );
    let fresh = outcome.refreshed.unwrap().access_token.unwrap();
    assert_ne!(fresh, seeded.access_token);
    let stored = home.authorization("Sandbox").tokens.unwrap();
    assert_eq!(stored.access_token, fresh);
    assert_eq!(sandbox.stats().token_count("refresh_token", "ok"), 1);
}

/// A credential seeded with a token valid by the clock but dead at the
/// provider, and a first call (`callout:NAME/...` REST query) that met its
/// expiry and renewed it.
struct Renewed {
    refresher: KeychainRefresher,
    /// The secrets the first call went out with (their token is dead).
    dead: CredentialSecrets,
    credentials: CredentialSet,
    draft: Draft,
    sender: Sender,
    first: Outcome,
    renewed: Secret,
}

async fn renewed_after_a_first_call(sandbox: &Sandbox, home: &mut TestHome, name: &str) -> Renewed {
    let credential = home.add(sandbox, name, AuthProtocol::AuthorizationCode);
    let seeded = home.seed(sandbox, name, later());
    assert!(sandbox.expire_access_token(seeded.access_token.expose()));
    let refresher = KeychainRefresher::new(Arc::clone(&home.service), None);
    let dead = refresher.secrets(&credential).await.unwrap();
    let credentials = CredentialSet::new(vec![credential]).unwrap();
    let draft = Draft::new(
        "GET",
        format!("callout:{name}/services/data/v59.0/query?q=SELECT+Id+FROM+Account"),
    );
    let sender = Sender::new(Timeouts::default()).unwrap();
    let first = sender
        .send(
            &Call::resolve(&draft, &credentials).unwrap(),
            &dead,
            Some(&refresher),
        )
        .await
        .unwrap();
    let renewed = first.refreshed.clone().unwrap().access_token.unwrap();
    Renewed {
        refresher,
        dead,
        credentials,
        draft,
        sender,
        first,
        renewed,
    }
}

#[tokio::test]
async fn a_fault_that_arrives_after_the_refresh_takes_its_token_without_refreshing_again() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    // Two calls went out with the same token; the first one's fault renewed
    // it before the second one's fault came back.
    let scene = renewed_after_a_first_call(&sandbox, &mut home, "Late").await;
    let Attempt::Sent { verdict, .. } = &scene.first.attempts[0] else {
        panic!("the first attempt was not sent: {:?}", scene.first.attempts);
    };
    let credential = scene.credentials.get("Late").unwrap();
    let late = scene
        .refresher
        .refresh(credential, verdict, &scene.dead)
        .await
        .unwrap();
    assert_eq!(late.secrets.access_token.unwrap(), scene.renewed);
    assert_eq!(
        sandbox.stats().token_total("refresh_token"),
        1,
        "the late fault took the renewed token instead of refreshing it again"
    );
}

#[tokio::test]
async fn a_call_that_starts_after_another_met_the_expiry_goes_out_with_the_renewed_token() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let scene = renewed_after_a_first_call(&sandbox, &mut home, "Later").await;
    // The same (dead) secrets again, through another refresher of the same
    // service (as every send of the app makes one): not sent with them.
    let another = KeychainRefresher::new(Arc::clone(&home.service), None);
    let second = scene
        .sender
        .send(
            &Call::resolve(&scene.draft, &scene.credentials).unwrap(),
            &scene.dead,
            Some(&another),
        )
        .await
        .unwrap();
    assert!(
        matches!(&second.attempts[..], [Attempt::Sent { status: 200, .. }]),
        "{:?}",
        second.attempts
    );
    assert_eq!(
        second.refreshed.unwrap().access_token.unwrap(),
        scene.renewed
    );
    let stats = sandbox.stats();
    assert_eq!(stats.api_count("salesforce_rest", "invalid_session"), 1);
    assert_eq!(stats.token_total("refresh_token"), 1);
}

#[tokio::test]
async fn a_token_someone_else_stored_meanwhile_is_used_without_refreshing() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Shared", AuthProtocol::AuthorizationCode);
    let first = home.seed(&sandbox, "Shared", later());
    // Another process refreshed after our request failed with `first`.
    let second = home.seed(&sandbox, "Shared", later());
    let live = home
        .service
        .refresh_after(&credential, None, Some(&first.access_token))
        .await
        .unwrap();
    assert!(!live.refreshed);
    assert_eq!(live.tokens.access_token, second.access_token);
    assert_eq!(sandbox.stats().token_total("refresh_token"), 0);
    // Not knowing which token failed, a refresh always goes to the provider.
    let forced = home
        .service
        .refresh_after(&credential, None, None)
        .await
        .unwrap();
    assert!(forced.refreshed);
    assert_ne!(forced.tokens.access_token, second.access_token);
    assert_eq!(sandbox.stats().token_count("refresh_token", "ok"), 1);
}

#[tokio::test]
async fn a_credential_never_authorized_needs_authorization() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Fresh", AuthProtocol::AuthorizationCode);
    let error = home.service.live_token("fresh", None).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "credential \"Fresh\" needs re-authorization: it has not been authorized yet. \
         Authorize it again (`callout authorize Fresh`)"
    );
    // The window names no terminal command; its Authorize button is the remedy.
    assert_eq!(
        callout_core::ErrorReport::from(&error).message,
        "credential \"Fresh\" needs re-authorization: it has not been authorized yet. \
         Authorize it again"
    );
    assert_eq!(sandbox.stats().token_total("refresh_token"), 0);
}

#[tokio::test]
async fn per_user_credentials_keep_a_token_set_per_user() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let mut credential = home.add(&sandbox, "PerUser", AuthProtocol::Password);
    credential.identity_type = callout_core::credential::IdentityType::PerUser;
    home.service.store().update(credential.clone()).unwrap();
    let password = Secret::new(sandbox.config().password.clone());
    let alice = home
        .service
        .authorize_password(&credential, Some("alice"), "sandbox-user", &password)
        .await
        .unwrap();
    assert_eq!(alice.identity, Identity::User("alice".into()));
    let error = home
        .service
        .live_token("PerUser", Some("bob"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NeedsReauthorization);
    let again = home
        .service
        .live_token("PerUser", Some("alice"))
        .await
        .unwrap();
    assert_eq!(again.tokens.access_token, alice.tokens.access_token);
}

#[tokio::test]
async fn removing_a_credential_removes_its_keychain_entries() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Gone", AuthProtocol::ClientCredentials);
    home.seed(&sandbox, "Gone", later());
    let removed = home.service.store().remove("gone").unwrap();
    assert_eq!(removed.name, "Gone");
    let store = home.service.store();
    assert!(store.client_secret("Gone").unwrap().is_none());
    assert!(home.authorization("Gone").tokens.is_none());
    assert!(store.load().unwrap().is_empty());
    assert!(matches!(
        store.get("Gone").unwrap_err(),
        Error::UnknownCredential { .. }
    ));
    // Another home sees nothing of this one's keychain entries.
    let other = TestHome::new();
    assert!(
        other
            .service
            .store()
            .client_secret("Gone")
            .unwrap()
            .is_none()
    );
    assert_ne!(other.home.keychain_service(), home.home.keychain_service());
}

#[tokio::test]
async fn jwt_bearer_authorizes_with_a_signed_assertion_and_mints_again_on_expiry() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Jwt", AuthProtocol::JwtBearer);
    let first = home
        .service
        .authorize_jwt_bearer(&credential, None, "sandbox-user")
        .await
        .unwrap();
    assert!(first.tokens.refresh_token.is_none());
    assert_eq!(sandbox.stats().token_count("jwt_bearer", "ok"), 1);

    let mut stale = home.authorization("Jwt");
    assert_eq!(stale.username.as_deref(), Some("sandbox-user"));
    assert!(stale.password.is_none());
    stale.tokens.as_mut().unwrap().expires_at = Some(expired());
    home.service
        .store()
        .set_authorization("Jwt", &Identity::NamedPrincipal, &stale)
        .unwrap();
    let again = home.service.live_token("Jwt", None).await.unwrap();
    assert!(again.refreshed);
    assert_ne!(again.tokens.access_token, first.tokens.access_token);
    assert_eq!(sandbox.stats().token_count("jwt_bearer", "ok"), 2);
}

#[tokio::test]
async fn the_device_flow_shows_a_code_and_polls_until_it_is_approved() {
    let sandbox = Sandbox::start(SandboxConfig {
        device_poll_interval: Duration::ZERO,
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut home = TestHome::new();
    let mut credential = home.add(&sandbox, "Device", AuthProtocol::DeviceCode);
    credential.auth_url = Some(sandbox.device_authorization_url());
    home.service.store().update(credential.clone()).unwrap();
    for (decision, outcome) in [("deny", Err("denied")), ("allow", Ok(()))] {
        let verification = format!("{}/device", sandbox.base_url());
        let stand_ins = StandIns::new();
        let result = callout_core::oauth::authorize_device(
            &home.service,
            &credential,
            None,
            |prompt| {
                assert_eq!(prompt.verification_uri, verification);
                let user_code = prompt.user_code.clone();
                // The person types the code at the verification page.
                stand_ins.spawn(move || {
                    let page = reqwest::blocking::Client::builder()
                        .timeout(common::STAND_IN_WAIT)
                        .build()
                        .unwrap()
                        .post(verification)
                        .form(&[("user_code", user_code.as_str()), ("decision", decision)])
                        .send()
                        .unwrap();
                    assert_eq!(page.status().as_u16(), 200);
                });
            },
            &stand_ins.cancel(),
        )
        .await;
        stand_ins.finish();
        match (result, outcome) {
            (Ok(live), Ok(())) => assert!(live.tokens.refresh_token.is_some()),
            (Err(error), Err(said)) => {
                assert_eq!(error.kind(), ErrorKind::Authorization);
                assert!(error.to_string().contains(said), "{error}");
            }
            (result, _) => panic!("{decision}: unexpected {result:?}"),
        }
    }
    assert_eq!(sandbox.stats().token_count("device_code", "ok"), 1);
    assert!(matches!(
        home.service.status(&credential, None).unwrap(),
        CredentialStatus::Valid { .. }
    ));
}

#[tokio::test]
async fn without_expires_in_the_expiry_comes_from_introspection() {
    let sandbox = Sandbox::start(SandboxConfig {
        omit_expires_in: true,
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut home = TestHome::new();
    let mut with_issuer = home.add(&sandbox, "Introspected", AuthProtocol::ClientCredentials);
    with_issuer.issuer = Some(sandbox.base_url());
    home.service.store().update(with_issuer.clone()).unwrap();
    let without_issuer = home.add(&sandbox, "Unknown", AuthProtocol::ClientCredentials);

    let live = home
        .service
        .authorize_client_credentials(&with_issuer, None)
        .await
        .unwrap();
    assert_eq!(live.tokens.expiry_source, ExpirySource::Introspection);
    let lifetime = live
        .tokens
        .expires_at
        .unwrap()
        .duration_since(SystemTime::now());
    assert!(lifetime.unwrap() <= Duration::from_secs(60));
    assert_eq!(
        home.authorization("Introspected")
            .tokens
            .unwrap()
            .expiry_source,
        ExpirySource::Introspection
    );

    let unknown = home
        .service
        .authorize_client_credentials(&without_issuer, None)
        .await
        .unwrap();
    assert_eq!(unknown.tokens.expiry_source, ExpirySource::Unknown);
    assert_eq!(
        home.service
            .status(&without_issuer, None)
            .unwrap()
            .describe(),
        "lifetime unknown (the provider sent no expiry)"
    );
}

#[tokio::test]
async fn a_lifetime_no_clock_can_hold_is_unknown_and_the_rotated_refresh_token_is_kept() {
    let sandbox = Sandbox::start(SandboxConfig {
        rotate_refresh_tokens: true,
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Endless", AuthProtocol::AuthorizationCode);
    let seeded = home.seed(&sandbox, "Endless", expired());
    sandbox.inject_fault(TokenFault::HugeExpiresIn, 1);

    // expires_in 9223372036854775807: the refresh goes through, the expiry is unknown.
    let live = home.service.live_token("Endless", None).await.unwrap();
    assert!(live.refreshed);
    assert_eq!(live.tokens.expiry_source, ExpirySource::Unknown);
    assert_eq!(
        sandbox
            .stats()
            .token_count("refresh_token", "fault_huge_expires_in"),
        1
    );
    // The rotated refresh token is in the keychain.
    let stored = home.authorization("Endless").tokens.unwrap();
    let rotated = stored.refresh_token.clone().unwrap();
    assert_ne!(Some(&rotated), seeded.refresh_token.as_ref());
    assert_eq!(stored.refresh_token, live.tokens.refresh_token);
    assert_eq!(
        (stored.expires_at, stored.expiry_source),
        (None, ExpirySource::Unknown)
    );
    assert_eq!(
        home.service.status(&credential, None).unwrap(),
        CredentialStatus::ExpiryUnknown
    );

    // And the next refresh works with it.
    let next = home
        .service
        .refresh_after(&credential, None, None)
        .await
        .unwrap();
    assert!(next.refreshed);
    assert_ne!(next.tokens.refresh_token.as_ref(), Some(&rotated));
    assert_eq!(sandbox.stats().token_count("refresh_token", "ok"), 1);
}

#[tokio::test]
async fn a_zero_lifetime_does_not_make_every_send_and_keeper_run_refresh() {
    let sandbox = Sandbox::start(SandboxConfig {
        rotate_refresh_tokens: true,
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Instant", AuthProtocol::AuthorizationCode);
    let seeded = home.seed(&sandbox, "Instant", expired());
    sandbox.inject_fault(TokenFault::ZeroExpiresIn, 1);
    let draft = Draft::new(
        "GET",
        "callout:Instant/services/data/v59.0/query?q=SELECT+Id+FROM+Account",
    );
    let sender = Sender::new(Timeouts::default()).unwrap();
    let keeper = callout_core::keeper::Keeper::new(
        Arc::clone(&home.service),
        callout_core::keeper::KeeperConfig::default(),
    );

    // The first send renews the expired token, with expires_in 0.
    for _ in 0..3 {
        let outcome = callout_core::actions::send::send(&sender, &home.service, &draft, None)
            .await
            .unwrap();
        assert_eq!(outcome.response.status, 200, "{:?}", outcome.attempts);
        let decisions = keeper.run_once(SystemTime::now()).await.unwrap();
        assert_ne!(
            decisions[0].action,
            callout_core::timeline::KeeperAction::Refresh,
            "{}",
            decisions[0].line()
        );
    }
    assert_eq!(
        sandbox.stats().token_total("refresh_token"),
        1,
        "one refresh, not one per send and keeper run"
    );
    let stored = home.authorization("Instant").tokens.unwrap();
    assert_eq!(stored.expiry_source, ExpirySource::Unknown);
    assert_ne!(stored.refresh_token, seeded.refresh_token);
    let (status, _) = refresh_outcome(&sandbox, stored.refresh_token.unwrap().expose()).await;
    assert_eq!(status, 200, "the stored, rotated refresh token works");
}

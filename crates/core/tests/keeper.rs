//! The keeper and the timeline over the sandbox on a real socket, with
//! secrets in the real Secret Service keychain and the timeline in a real
//! SQLite file. The sandbox's clock is moved by hand and the keeper is told
//! "now", so short lifetimes pass without waiting.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use callout_core::credential::{AuthProtocol, Credential, CredentialSet};
use callout_core::credential_store::Identity;
use callout_core::keeper::{Keeper, KeeperConfig};
use callout_core::oauth::{ExpirySource, KeychainRefresher, TokenService};
use callout_core::send::{Call, Draft, Sender, Timeouts};
use callout_core::timeline::{
    self, Event, EventDetail, EventKind, KeeperAction, RefreshOutcome, RefreshTrigger,
};
use callout_core::{Error, Secret};
use callout_sandbox::{Clock, ManualClock, Sandbox, SandboxConfig};

use crate::common::TestHome;

/// An authorization-code credential for the sandbox's client, with
/// sandbox-issued tokens issued at `issued_at`, expiring at `expires_at`.
fn add_seeded(
    home: &mut TestHome,
    sandbox: &Sandbox,
    name: &str,
    keep_alive: Option<u32>,
    (issued_at, expires_at): (SystemTime, SystemTime),
) -> Credential {
    let credential = home.add_with(
        sandbox,
        name,
        AuthProtocol::AuthorizationCode,
        |credential| {
            credential.keep_alive_seconds = keep_alive;
        },
    );
    home.seed_at(sandbox, name, issued_at, expires_at);
    credential
}

fn keeper_decisions(events: &[Event]) -> Vec<(KeeperAction, String)> {
    events
        .iter()
        .filter_map(|event| match &event.event {
            EventDetail::KeeperDecision { action, reason, .. } => Some((*action, reason.clone())),
            _ => None,
        })
        .collect()
}

fn refresh_attempts(events: &[Event]) -> Vec<(RefreshTrigger, RefreshOutcome)> {
    events
        .iter()
        .filter_map(|event| match &event.event {
            EventDetail::RefreshAttempt {
                trigger, outcome, ..
            } => Some((trigger.clone(), *outcome)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn keep_alive_outlives_the_refresh_tokens_idle_lifetime_and_idleness_does_not() {
    let clock = Arc::new(ManualClock::new());
    let sandbox = Sandbox::with_clock(
        SandboxConfig {
            access_ttl: Duration::from_secs(3_600),
            refresh_idle_ttl: Some(Duration::from_secs(60)),
            rotate_refresh_tokens: true,
            ..SandboxConfig::default()
        },
        clock.clone(),
    )
    .unwrap();
    let start = clock.now();
    let mut home = TestHome::new();
    let lifetime = |seconds| (start, start + Duration::from_secs(seconds));
    let kept = add_seeded(&mut home, &sandbox, "Kept", Some(20), lifetime(3_600));
    // The same credential, left to itself: its access token runs out at 90 s.
    let idle = add_seeded(&mut home, &sandbox, "Idle", None, lifetime(90));
    let keeper = Keeper::new(
        Arc::clone(&home.service),
        KeeperConfig {
            margin: Duration::from_secs(10),
            ..KeeperConfig::default()
        },
    );

    // Four runs 30 s apart: 120 s, twice the refresh token's idle lifetime.
    let mut runs = Vec::new();
    for step in 1..=4 {
        let by = Duration::from_secs(30);
        clock.advance(by);
        runs.push(keeper.run_once(start + by * step).await.unwrap());
    }
    let actions = |name: &str| -> Vec<KeeperAction> {
        runs.iter()
            .map(|run| run.iter().find(|d| d.credential == name).unwrap().action)
            .collect()
    };
    assert_eq!(actions("Kept"), [KeeperAction::Refresh; 4]);
    assert_eq!(
        actions("Idle"),
        [
            KeeperAction::Wait,
            KeeperAction::Wait,
            KeeperAction::Refresh,
            KeeperAction::Skip
        ]
    );
    assert_eq!(sandbox.stats().token_count("refresh_token", "ok"), 4);

    // Kept is alive past the idle lifetime: one more refresh still works.
    assert!(home.authorization("Kept").needs_reauthorization.is_none());
    let live = home.service.refresh_after(&kept, None, None).await.unwrap();
    assert!(live.refreshed);
    let kept_events = home.events("Kept");
    assert_eq!(
        keeper_decisions(&kept_events)[0],
        (
            KeeperAction::Refresh,
            "keep-alive every 20 s: the refresh token was last used 30 s ago".to_string()
        )
    );
    let attempts = refresh_attempts(&kept_events);
    assert_eq!(
        attempts[..4],
        vec![(RefreshTrigger::KeepAlive, RefreshOutcome::Refreshed); 4]
    );
    assert_eq!(
        attempts[4],
        (RefreshTrigger::Manual, RefreshOutcome::Refreshed)
    );
    let issued: Vec<bool> = kept_events
        .iter()
        .filter_map(|event| match &event.event {
            EventDetail::TokenIssued { rotated, .. } => Some(*rotated),
            _ => None,
        })
        .collect();
    assert_eq!(issued, [true; 5], "each refresh rotated the refresh token");

    // Idle lapsed: needs re-authorization, with the provider's reason.
    let reason = home.authorization("Idle").needs_reauthorization.unwrap();
    assert!(reason.contains("invalid_grant"), "{reason}");
    let error = home.service.refresh_after(&idle, None, None).await;
    assert!(matches!(error, Err(Error::NeedsReauthorization { .. })));
    let idle_events = home.events("Idle");
    assert_eq!(
        refresh_attempts(&idle_events)[0],
        (
            RefreshTrigger::Proactive,
            RefreshOutcome::NeedsReauthorization
        )
    );
    let needs: Vec<&Event> = idle_events
        .iter()
        .filter(|event| event.kind() == EventKind::NeedsReauthorization)
        .collect();
    assert!(
        needs[0]
            .summary
            .starts_with("needs re-authorization: the provider refused"),
        "{}",
        needs[0].summary
    );
    let decisions = keeper_decisions(&idle_events);
    assert_eq!(decisions.len(), 2, "{decisions:?}");
    assert_eq!(decisions[0].0, KeeperAction::Refresh);
    // The 10 s margin, capped at a tenth of the 90 s lifetime.
    assert_eq!(
        decisions[0].1,
        "the access token has expired; refreshing ahead of expiry (margin 9 s)"
    );
    assert_eq!(decisions[1].0, KeeperAction::Skip);
    assert!(decisions[1].1.starts_with("needs re-authorization ("));

    // No secret reached the timeline file.
    let bytes = std::fs::read(home.service.timeline().unwrap().path()).unwrap();
    for token in [live.tokens.access_token, live.tokens.refresh_token.unwrap()] {
        let secret = token.expose().as_bytes();
        assert!(!bytes.windows(secret.len()).any(|window| window == secret));
    }
}

#[tokio::test]
async fn a_keeper_run_records_a_quiet_decision_once() {
    let sandbox = Sandbox::start(SandboxConfig {
        omit_expires_in: true,
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut home = TestHome::new();
    let now = SystemTime::now();
    add_seeded(&mut home, &sandbox, "Salesforce", None, (now, now));
    // Expiry unknown, as Salesforce sends it.
    let mut authorization = home.authorization("Salesforce");
    if let Some(tokens) = authorization.tokens.as_mut() {
        tokens.expires_at = None;
        tokens.expiry_source = ExpirySource::Unknown;
    }
    home.service
        .store()
        .set_authorization("Salesforce", &Identity::NamedPrincipal, &authorization)
        .unwrap();
    let keeper = Keeper::new(Arc::clone(&home.service), KeeperConfig::default());
    for _ in 0..3 {
        let run = keeper.run_once(now).await.unwrap();
        assert_eq!(
            run[0].line(),
            "Salesforce: wait — no expiry known for this token; keep-alive every 6 h instead"
        );
    }
    assert_eq!(
        keeper_decisions(&home.events("Salesforce")),
        [(
            KeeperAction::Wait,
            "no expiry known for this token; keep-alive every 6 h instead".to_string()
        )]
    );
    assert_eq!(sandbox.stats().token_total("refresh_token"), 0);
}

#[tokio::test]
async fn an_unreadable_entry_is_recorded_once_however_often_the_keeper_runs() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let now = SystemTime::now();
    add_seeded(&mut home, &sandbox, "Broken", None, (now, now));
    // Written by a newer version, or by hand.
    home.service
        .store()
        .vault()
        .store("broken/authorization", &Secret::new("not a token set"))
        .unwrap();
    let keeper = Keeper::new(Arc::clone(&home.service), KeeperConfig::default());
    for _ in 0..3 {
        let run = keeper.run_once(now).await.unwrap();
        assert_eq!(run[0].action, KeeperAction::Warn, "{}", run[0].line());
    }
    let events = home.events("Broken");
    let kinds: Vec<EventKind> = events
        .iter()
        .map(|event| event.kind())
        .filter(|kind| matches!(kind, EventKind::KeychainError | EventKind::KeeperDecision))
        .collect();
    assert_eq!(
        kinds,
        [EventKind::KeychainError, EventKind::KeeperDecision],
        "one keychain error and one warning, not one per run"
    );
    let _ = home.service.store().forget_secrets("Broken");
}

#[tokio::test]
async fn a_send_that_refreshes_and_retries_reads_in_order_in_the_timeline() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let now = SystemTime::now();
    let credential = add_seeded(
        &mut home,
        &sandbox,
        "Sandbox",
        None,
        (now, now + Duration::from_secs(3_600)),
    );
    let seeded = home.authorization("Sandbox").tokens.unwrap();
    assert!(sandbox.expire_access_token(seeded.access_token.expose()));

    let refresher = KeychainRefresher::new(Arc::clone(&home.service), None);
    let secrets = refresher.secrets(&credential).await.unwrap();
    let credentials = CredentialSet::new(vec![credential]).unwrap();
    let draft = Draft::new(
        "GET",
        "callout:Sandbox/services/data/v59.0/query?q=SELECT+Id+FROM+Account",
    );
    let started = SystemTime::now();
    let outcome = Sender::new(Timeouts::default())
        .unwrap()
        .send(
            &Call::resolve(&draft, &credentials).unwrap(),
            &secrets,
            Some(&refresher),
        )
        .await
        .unwrap();
    assert_eq!(outcome.response.status, 200);
    home.service.record_send("Sandbox", &outcome, started);

    let kinds: Vec<EventKind> = home.events("Sandbox").iter().map(Event::kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::RequestSent,
            EventKind::Verdict,
            // The new tokens are stored, then the attempt is recorded as done.
            EventKind::TokenIssued,
            EventKind::RefreshAttempt,
            EventKind::Retry,
            EventKind::RequestSent,
            EventKind::Verdict,
        ]
    );
    let events = home.events("Sandbox");
    for sent in [&events[0].event, &events[5].event] {
        let EventDetail::RequestSent {
            status,
            duration_ms,
            ..
        } = sent
        else {
            panic!("{sent:?}");
        };
        assert!(status.is_some(), "{sent:?}");
        assert!(
            duration_ms.is_some(),
            "each request records how long it took: {sent:?}"
        );
    }
    let EventDetail::RefreshAttempt { trigger, .. } = &events[3].event else {
        panic!("{events:?}");
    };
    assert!(
        matches!(trigger, RefreshTrigger::Rule { .. }),
        "{trigger:?}"
    );
    assert!(
        events[1].summary.starts_with("expired ("),
        "{}",
        events[1].summary
    );
    assert!(
        events[6].summary.starts_with("not expired"),
        "{}",
        events[6].summary
    );
}

#[tokio::test]
async fn authorizing_records_the_flow_scopes_and_the_token_without_secrets() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let now = SystemTime::now();
    let mut credential = add_seeded(&mut home, &sandbox, "Login", None, (now, now));
    credential.protocol = AuthProtocol::Password;
    let password = Secret::new(sandbox.config().password.clone());
    let live = home
        .service
        .authorize_password(&credential, None, &sandbox.config().username, &password)
        .await
        .unwrap();
    let events = home.events("Login");
    let kinds: Vec<EventKind> = events.iter().map(Event::kind).collect();
    assert_eq!(kinds, [EventKind::Authorized, EventKind::TokenIssued]);
    assert_eq!(
        events[0].event,
        EventDetail::Authorized {
            flow: "password".into(),
            scopes: live.tokens.scopes.clone(),
        }
    );
    let fingerprint = timeline::fingerprint(&live.tokens.access_token);
    assert!(
        events[1].summary.starts_with(&format!(
            "token {fingerprint} issued: opaque, valid for 1 min"
        )),
        "{}",
        events[1].summary
    );
    assert!(
        !events[1]
            .summary
            .contains(live.tokens.access_token.expose())
    );
}

#[tokio::test]
async fn the_keeper_warns_once_before_an_unused_refresh_token_lapses_then_says_it_lapsed() {
    let clock = Arc::new(ManualClock::new());
    let sandbox = Sandbox::with_clock(
        SandboxConfig {
            access_ttl: Duration::from_secs(3_600),
            refresh_idle_ttl: Some(Duration::from_secs(60)),
            ..SandboxConfig::default()
        },
        clock.clone(),
    )
    .unwrap();
    // Whole seconds, as the keychain keeps the issue time.
    let start = SystemTime::UNIX_EPOCH
        + Duration::from_secs(
            clock
                .now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        );
    let mut home = TestHome::new();
    home.add_with(
        &sandbox,
        "Wso2",
        AuthProtocol::AuthorizationCode,
        |credential| credential.refresh_idle_seconds = Some(60),
    );
    home.seed_at(&sandbox, "Wso2", start, start + Duration::from_secs(3_600));
    let keeper = Keeper::new(Arc::clone(&home.service), KeeperConfig::default());

    let mut lines = Vec::new();
    for seconds in [10, 35, 50, 70, 80] {
        let run = keeper
            .run_once(start + Duration::from_secs(seconds))
            .await
            .unwrap();
        lines.push(run[0].line());
        assert_eq!(
            run[0].lapses_in_seconds,
            (seconds >= 30).then(|| 60u64.saturating_sub(seconds))
        );
    }
    assert_eq!(
        lines[..3],
        [
            "Wso2: wait — valid for 59 min 50 s; refresh in 58 min 50 s",
            "Wso2: WARNING — the refresh token dies after 1 min unused and nothing keeps it \
             alive; send a request through this credential or set a keep-alive interval below \
             1 min (lapses in 25 s)",
            "Wso2: WARNING — the refresh token dies after 1 min unused and nothing keeps it \
             alive; send a request through this credential or set a keep-alive interval below \
             1 min (lapses in 10 s)",
        ]
    );
    // One warning before, one after: the timeline does not hear each tick.
    let decisions = keeper_decisions(&home.events("Wso2"));
    assert_eq!(
        decisions
            .iter()
            .map(|(action, _)| *action)
            .collect::<Vec<_>>(),
        [KeeperAction::Warn, KeeperAction::Warn],
        "{decisions:?}"
    );
    assert!(
        decisions[1].1.contains("has probably lapsed"),
        "{decisions:?}"
    );

    // And the provider agrees: the refresh token died of idleness.
    clock.advance(Duration::from_secs(70));
    let credential = home.service.store().get("Wso2").unwrap();
    let error = home.service.refresh_after(&credential, None, None).await;
    assert!(
        matches!(error, Err(Error::NeedsReauthorization { .. })),
        "{error:?}"
    );
}

/// A sandbox whose access tokens live an hour and whose refresh tokens
/// rotate, with `name` seeded with an hour's token that has `left` to go
/// at the returned "now" (inside the keeper's 60 s margin).
fn rotating_near_expiry(home: &mut TestHome, name: &str, left: Duration) -> (Sandbox, SystemTime) {
    let hour = Duration::from_secs(3_600);
    let sandbox = Sandbox::start(SandboxConfig {
        access_ttl: hour,
        rotate_refresh_tokens: true,
        ..SandboxConfig::default()
    })
    .unwrap();
    let now = SystemTime::now();
    add_seeded(home, &sandbox, name, None, (now + left - hour, now + left));
    (sandbox, now)
}

#[tokio::test]
async fn two_keepers_over_one_home_rotate_once_per_expiry() {
    let mut home = TestHome::new();
    let (sandbox, now) = rotating_near_expiry(&mut home, "Shared", Duration::from_secs(30));
    // The app's keeper and `callout keep`: two token services (two
    // processes' worth of state) over one home, one keychain, one lock dir.
    let other = Arc::new(TokenService::for_home(&home.home).unwrap());
    let app = Keeper::new(Arc::clone(&home.service), KeeperConfig::default());
    let cli = Keeper::new(other, KeeperConfig::default());

    // Both read the stored tokens before either has refreshed.
    let (first, second) = tokio::join!(app.run_once(now), cli.run_once(now));
    let mut results: Vec<String> = [first.unwrap(), second.unwrap()]
        .iter()
        .map(|decisions| {
            assert_eq!(decisions[0].action, KeeperAction::Refresh);
            decisions[0].result.clone().unwrap()
        })
        .collect();
    results.sort();
    assert!(
        results[0].starts_with("already refreshed elsewhere: token "),
        "{results:?}"
    );
    assert!(results[1].starts_with("refreshed: token "), "{results:?}");
    assert_eq!(
        sandbox.stats().token_total("refresh_token"),
        1,
        "one rotation for one expiry"
    );
    // The token the keychain holds is the one the provider still honours.
    let stored = home.authorization("Shared").tokens.unwrap();
    let api = reqwest::Client::new()
        .get(format!(
            "{}/services/data/v59.0/query?q=SELECT+Id+FROM+Account",
            sandbox.base_url()
        ))
        .bearer_auth(stored.access_token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(api.status().as_u16(), 200);
}

#[tokio::test]
async fn a_keeper_run_beside_a_token_command_rotates_once() {
    let mut home = TestHome::new();
    let (sandbox, now) = rotating_near_expiry(&mut home, "Scripted", Duration::from_secs(20));
    let keeper = Keeper::new(Arc::clone(&home.service), KeeperConfig::default());
    // A script's `callout token` (another process) at the same moment.
    let script = TokenService::for_home(&home.home).unwrap();
    // The script asks first; the keeper reads what is stored before the
    // script's refresh is in.
    let (handed, decisions) =
        tokio::join!(script.live_token("Scripted", None), keeper.run_once(now));
    let (decisions, handed) = (decisions.unwrap(), handed.unwrap());
    assert_eq!(decisions[0].action, KeeperAction::Refresh);
    assert_eq!(
        sandbox.stats().token_total("refresh_token"),
        1,
        "one rotation: {}",
        decisions[0].line()
    );
    assert_eq!(
        home.authorization("Scripted").tokens.unwrap().access_token,
        handed.tokens.access_token,
        "the script's token is the stored one"
    );
}

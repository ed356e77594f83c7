//! The app and the CLI at once, for minutes: the app's engine (its token
//! service, keeper and send path — the code its commands call — in this
//! process) and `callout` processes started one after another from several
//! threads all send, refresh and append to the timeline of one home, against
//! a sandbox whose access tokens live two seconds and whose refresh tokens
//! rotate. Afterwards nothing is lost (every request the sandbox served is in
//! the timeline once, every refresh with it), no refresh token was spent
//! twice, and every file is whole.
//!
//! `CALLOUT_LOAD_SECONDS` sets how long the load runs (default 120).

#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use callout_core::home::Home;
use callout_core::keeper::{Keeper, KeeperConfig};
use callout_core::oauth::TokenService;
use callout_core::sandbox::{Sandbox, SandboxConfig};
use callout_core::send::{Draft, Header, Sender, Timeouts, send_with_keychain};
use callout_core::timeline::{EventDetail, EventKind, Query, RefreshOutcome, Timeline};

mod common;

use common::{TestHome, assert_ok, stderr, stdout};

const DEFAULT_SECONDS: u64 = 120;
const CLI_THREADS: usize = 3;
const APP_SENDERS: usize = 3;

fn load_duration() -> Duration {
    let seconds = std::env::var("CALLOUT_LOAD_SECONDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(DEFAULT_SECONDS);
    Duration::from_secs(seconds)
}

const SOAP_URL: &str = "callout:Load/services/Soap/u/59.0";
const REST_URL: &str = "callout:Load/services/data/v59.0/query?q=SELECT+Id+FROM+Account";

fn soap_draft() -> Draft {
    Draft {
        method: "POST".into(),
        url: SOAP_URL.into(),
        headers: vec![
            Header::new("Content-Type", "text/xml"),
            Header::new("SOAPAction", "\"\""),
        ],
        body: Some(callout_core::requests::soap_query_envelope(
            "SELECT Id FROM Account",
        )),
    }
}

/// What the load did, counted by those who did it.
#[derive(Default)]
struct Counts {
    app_sends: AtomicU64,
    keeper_runs: AtomicU64,
    cli_sends: AtomicU64,
    cli_tokens: AtomicU64,
}

/// The app's side: senders through the product's send path and the keeper
/// (every half second rather than every 15 s, for more contention).
fn run_app(home: &Home, until: Instant, counts: &Counts) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let service = Arc::new(TokenService::for_home(home).unwrap());
        let sender = Sender::new(Timeouts::default()).unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..APP_SENDERS {
            let (service, sender) = (Arc::clone(&service), sender.clone());
            let draft = soap_draft();
            tasks.spawn(async move {
                let mut sent = 0u64;
                while Instant::now() < until {
                    let outcome = send_with_keychain(&sender, &service, &draft, None)
                        .await
                        .expect("the app's send worked");
                    assert_eq!(outcome.response.status, 200, "{:?}", outcome.attempts);
                    sent += 1;
                }
                sent
            });
        }
        let keeper_service = Arc::clone(&service);
        let keeper = tokio::spawn(async move {
            let keeper = Keeper::new(
                keeper_service,
                KeeperConfig {
                    margin: Duration::from_secs(1),
                    ..KeeperConfig::default()
                },
            );
            let mut runs = 0u64;
            while Instant::now() < until {
                keeper
                    .run_once(SystemTime::now())
                    .await
                    .expect("the keeper ran");
                runs += 1;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            runs
        });
        while let Some(sent) = tasks.join_next().await {
            counts.app_sends.fetch_add(sent.unwrap(), Ordering::Relaxed);
        }
        counts
            .keeper_runs
            .fetch_add(keeper.await.unwrap(), Ordering::Relaxed);
    });
}

/// One CLI thread: `callout send` (REST, then SOAP) and `callout token`,
/// one process after another.
fn run_cli(home: &TestHome, until: Instant, counts: &Counts) {
    let soap = callout_core::requests::soap_query_envelope("SELECT Id FROM Account");
    let mut round = 0u64;
    while Instant::now() < until {
        let output = match round % 3 {
            0 => home.run(&["send", REST_URL, "--json"]),
            1 => home.send_soap(SOAP_URL, &soap),
            _ => home.run(&["token", "Load"]),
        };
        assert_ok(&output);
        if round % 3 == 2 {
            assert!(!stdout(&output).trim().is_empty());
            counts.cli_tokens.fetch_add(1, Ordering::Relaxed);
        } else {
            let json: serde_json::Value = serde_json::from_slice(&output.stdout)
                .unwrap_or_else(|error| panic!("{error}: {}", stderr(&output)));
            assert_eq!(json["status"], 200, "{json:#}");
            counts.cli_sends.fetch_add(1, Ordering::Relaxed);
        }
        round += 1;
    }
}

fn count_kind(events: &[callout_core::timeline::Event], kind: EventKind) -> u64 {
    events.iter().filter(|event| event.kind() == kind).count() as u64
}

#[test]
fn the_app_and_cli_processes_send_refresh_and_record_at_once_and_nothing_is_lost() {
    let sandbox = Sandbox::start(SandboxConfig {
        access_ttl: Duration::from_secs(2),
        rotate_refresh_tokens: true,
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Load", "auth-code", &[]);
    assert_ok(&home.authorize_in_browser("Load"));
    // Sends use the stored token until a response says it expired, so most
    // refreshes start from an expiry fault several processes meet at once;
    // `callout token` still renews a stale token before handing it out.
    let store = home.store();
    let mut credential = store.get("Load").unwrap();
    credential.proactive_refresh = false;
    store.update(credential).unwrap();
    let definitions = std::fs::read(home.path().join("credentials.toml")).unwrap();
    let app_home = Home::at(home.path()).unwrap();

    let started = Instant::now();
    let until = started + load_duration();
    let counts = Counts::default();
    std::thread::scope(|scope| {
        scope.spawn(|| run_app(&app_home, until, &counts));
        for _ in 0..CLI_THREADS {
            scope.spawn(|| run_cli(&home, until, &counts));
        }
    });
    let elapsed = started.elapsed();

    // Afterwards the credential still works, from a new process.
    assert_ok(&home.run(&["send", REST_URL, "--json"]));

    let stats = sandbox.stats();
    let served: u64 = stats
        .api_calls
        .values()
        .flat_map(|outcomes| outcomes.values())
        .sum();
    let refreshed = stats.token_count("refresh_token", "ok");
    let app_sends = counts.app_sends.load(Ordering::Relaxed);
    let cli_sends = counts.cli_sends.load(Ordering::Relaxed) + 1;
    let cli_tokens = counts.cli_tokens.load(Ordering::Relaxed);
    let keeper_runs = counts.keeper_runs.load(Ordering::Relaxed);

    // No refresh token spent twice: with rotation the second use of one
    // answers invalid_grant, and every refresh the provider saw succeeded.
    assert_eq!(
        stats.token_total("refresh_token"),
        refreshed,
        "every refresh succeeded: {:?}",
        stats.token_requests
    );
    assert!(
        refreshed >= 2,
        "tokens were refreshed during the load ({refreshed})"
    );

    // Nothing lost: every request the sandbox served, every refresh and
    // every issued token is in the timeline, once.
    let timeline = Timeline::for_home(&app_home).unwrap();
    let events = timeline.query(&Query::credential("Load")).unwrap();
    assert_eq!(
        timeline.count().unwrap(),
        events.len() as u64,
        "every row reads back"
    );
    assert_eq!(
        count_kind(&events, EventKind::RequestSent),
        served,
        "one RequestSent per request the sandbox served"
    );
    assert!(
        served >= app_sends + cli_sends,
        "{served} < {app_sends} + {cli_sends}"
    );
    let faults = served
        - stats.api_count("salesforce_soap", "ok")
        - stats.api_count("salesforce_rest", "ok");
    assert!(faults >= 1, "some sends met an expired token ({faults})");
    let refreshes = events
        .iter()
        .filter(|event| {
            matches!(
                &event.event,
                EventDetail::RefreshAttempt {
                    outcome: RefreshOutcome::Refreshed,
                    ..
                }
            )
        })
        .count() as u64;
    assert_eq!(refreshes, refreshed, "one refresh event per refresh");
    assert_eq!(
        count_kind(&events, EventKind::TokenIssued),
        refreshed + 1,
        "the authorization's tokens and one issue per refresh"
    );
    let failed = events
        .iter()
        .filter(|event| {
            matches!(
                &event.event,
                EventDetail::RefreshAttempt {
                    outcome: RefreshOutcome::Failed | RefreshOutcome::NeedsReauthorization,
                    ..
                }
            ) || matches!(event.kind(), EventKind::KeychainError)
        })
        .count();
    assert_eq!(failed, 0, "no refresh failed and the keychain never did");

    // No corrupt file.
    let connection = rusqlite::Connection::open(timeline.path()).unwrap();
    let integrity: String = connection
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    assert_eq!(
        std::fs::read(home.path().join("credentials.toml")).unwrap(),
        definitions
    );
    common::assert_no_secret_in_files(home.path(), &[sandbox.client_secret()]);

    common::report_figures(
        "load",
        &format!(
            "load: {:.0} s; 1 app process ({APP_SENDERS} senders, {keeper_runs} keeper runs) and \
         {} callout processes from {CLI_THREADS} threads; {} sends ({app_sends} app, \
         {cli_sends} CLI), {cli_tokens} token reads, {served} requests served ({faults} met an \
         expired token), {refreshed} refreshes, {} timeline events; lost 0, refresh tokens spent twice 0, files corrupt 0",
            elapsed.as_secs_f64(),
            cli_sends + cli_tokens,
            app_sends + cli_sends,
            events.len(),
        ),
    );
}

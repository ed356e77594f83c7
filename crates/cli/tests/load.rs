//! The app and the CLI at once, for minutes: the app's engine (its token
//! service, keeper and send path — the code its commands call — in this
//! process) and `callout` processes started one after another from several
//! threads all send, refresh and append to the timeline of one home, against
//! a sandbox whose refresh tokens rotate. Tokens end both ways: by the clock
//! (they live six seconds, so `callout token` and the keeper renew them ahead
//! of time) and at the provider, which this test makes end every access
//! token once it is five seconds old, over and over — each time waiting
//! until a call has met the dead token or a refresh has replaced it — and
//! once more after the load, before a last send that must meet it. Afterwards nothing is lost: every
//! request the sandbox served is in the timeline, matched one to one by the
//! id each call carries; every token the provider issued is recorded; no
//! refresh token was spent twice; every file is whole.
//!
//! `CALLOUT_LOAD_SECONDS` sets how long the load runs (default 120).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use callout_core::actions::send::send as send_with_keychain;
use callout_core::home::Home;
use callout_core::keeper::{Keeper, KeeperConfig};
use callout_core::oauth::TokenService;
use callout_core::send::{Draft, Header, Sender, Timeouts};
use callout_core::timeline::{
    EventDetail, EventKind, Query, RefreshOutcome, Timeline, fingerprint,
};
use callout_sandbox::{RequestLog, Sandbox, SandboxConfig, SandboxStats};

use crate::common::{self, TestHome, assert_ok, stderr, stdout};

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

/// Every call carries its own id twice: in the URL (which the timeline
/// records) and as `X-Request-Id` (which the sandbox's request log records),
/// so the two sides can be matched call by call.
const ID_PARAMETER: &str = "load=";

fn soap_url(id: &str) -> String {
    format!("{SOAP_URL}?{ID_PARAMETER}{id}")
}

fn rest_url(id: &str) -> String {
    format!("{REST_URL}&{ID_PARAMETER}{id}")
}

fn soap_draft(id: &str) -> Draft {
    Draft {
        method: "POST".into(),
        url: soap_url(id),
        headers: vec![
            Header::new("Content-Type", "text/xml"),
            Header::new("SOAPAction", "\"\""),
            Header::new("X-Request-Id", id),
        ],
        body: Some(callout_core::requests::soap_query_envelope(
            "SELECT Id FROM Account",
        )),
    }
}

/// The id a timeline `RequestSent` event's URL carries.
fn id_in_url(url: &str) -> Option<String> {
    let (_, rest) = url.split_once(ID_PARAMETER)?;
    Some(rest.split('&').next().unwrap_or_default().to_string())
}

/// What the load did, counted by those who did it.
#[derive(Default)]
struct Counts {
    app_sends: AtomicU64,
    keeper_runs: AtomicU64,
    cli_sends: AtomicU64,
    cli_tokens: AtomicU64,
    expiries_forced: AtomicU64,
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
        for task in 0..APP_SENDERS {
            let (service, sender) = (Arc::clone(&service), sender.clone());
            tasks.spawn(async move {
                let mut sent = 0u64;
                while Instant::now() < until {
                    let draft = soap_draft(&format!("app-{task}-{sent}"));
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
fn run_cli(home: &TestHome, thread: usize, until: Instant, counts: &Counts) {
    let mut round = 0u64;
    while Instant::now() < until {
        let id = format!("cli-{thread}-{round}");
        let output = match round % 3 {
            0 => send_rest(home, &id),
            1 => send_soap(home, &id),
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

fn send_rest(home: &TestHome, id: &str) -> std::process::Output {
    let request_id = format!("X-Request-Id: {id}");
    home.run(&["send", &rest_url(id), "-H", &request_id, "--json"])
}

fn send_soap(home: &TestHome, id: &str) -> std::process::Output {
    let soap = callout_core::requests::soap_query_envelope("SELECT Id FROM Account");
    let request_id = format!("X-Request-Id: {id}");
    home.run(&[
        "send",
        &soap_url(id),
        "-H",
        "Content-Type: text/xml",
        "-H",
        "SOAPAction: \"\"",
        "-H",
        &request_id,
        "-d",
        &soap,
        "--json",
    ])
}

/// Calls the sandbox refused because their token had expired.
fn refused(stats: &SandboxStats) -> u64 {
    stats
        .api_calls
        .values()
        .flat_map(|outcomes| outcomes.iter())
        .filter(|(outcome, _)| *outcome != "ok")
        .map(|(_, count)| count)
        .sum()
}

/// How old an access token must be before the provider ends it. Tokens
/// younger than this live on, so a retry that carries a token just renewed
/// is never met by the next forced expiry.
const SESSION_TIMEOUT: Duration = Duration::from_secs(5);

/// The provider's side of expiry: every access token older than
/// [`SESSION_TIMEOUT`] dies, then this waits until the death was noticed —
/// a call was refused, or a refresh replaced the token (the keeper or
/// `callout token` renewing by the clock) — before the next. Each forced
/// expiry is therefore met or overtaken, never lost in a gap between two.
fn force_expiries(sandbox: &Sandbox, until: Instant, counts: &Counts) {
    while Instant::now() < until {
        let before = sandbox.stats();
        let (refused_before, refreshed_before) =
            (refused(&before), before.token_total("refresh_token"));
        if sandbox.expire_access_tokens_older_than(SESSION_TIMEOUT) == 0 {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        }
        counts.expiries_forced.fetch_add(1, Ordering::Relaxed);
        while Instant::now() < until {
            let now = sandbox.stats();
            if refused(&now) > refused_before || now.token_total("refresh_token") > refreshed_before
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// What `left` holds more often than `right` (multisets, both sorted); the
/// first twenty.
fn difference(left: &[String], right: &[String]) -> Vec<String> {
    let mut extra = Vec::new();
    let mut right = right.iter().peekable();
    for item in left {
        while right.next_if(|other| *other < item).is_some() {}
        if right.next_if(|other| *other == item).is_none() {
            extra.push(item.clone());
        }
    }
    extra.truncate(20);
    extra
}

#[test]
fn the_app_and_cli_processes_send_refresh_and_record_at_once_and_nothing_is_lost() {
    let served_ids = Arc::new(Mutex::new(Vec::<String>::new()));
    let log_ids = Arc::clone(&served_ids);
    let sandbox = Sandbox::start(SandboxConfig {
        access_ttl: Duration::from_secs(6),
        rotate_refresh_tokens: true,
        log: Some(RequestLog::new(move |line| {
            if line.path.starts_with("/services/") {
                let id = line.request_id.clone().unwrap_or_default();
                log_ids.lock().unwrap().push(id);
            }
        })),
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
        for thread in 0..CLI_THREADS {
            let (home, counts) = (&home, &counts);
            scope.spawn(move || run_cli(home, thread, until, counts));
        }
        scope.spawn(|| force_expiries(&sandbox, until, &counts));
    });
    let elapsed = started.elapsed();

    // Afterwards the credential still works, from a new process, and that
    // process meets an expired token for certain: the provider ends the
    // session now, and nothing else is running to renew it first.
    sandbox.expire_all_access_tokens();
    let last = send_rest(&home, "last");
    assert_ok(&last);
    let last: serde_json::Value = serde_json::from_slice(&last.stdout).unwrap();
    let steps = common::attempt_steps(&last);
    assert_eq!(steps, ["sent", "refreshed", "sent"], "{last:#}");
    assert_eq!(last["status"], 200, "{last:#}");

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
    let faults = refused(&stats);
    assert!(faults >= 1, "the last send met the expired token");
    assert!(refreshed >= 1, "its refresh reached the provider");

    // Nothing lost, nothing twice: the calls the sandbox served and the
    // RequestSent events of the timeline are the same calls, matched by id
    // (a call that met an expired token is there twice on both sides: the
    // refused attempt and the retry).
    let timeline = Timeline::for_home(&app_home).unwrap();
    let events = timeline.query(&Query::credential("Load")).unwrap();
    assert_eq!(
        timeline.count().unwrap(),
        events.len() as u64,
        "every row reads back"
    );
    let mut recorded: Vec<String> = events
        .iter()
        .filter_map(|event| match &event.event {
            EventDetail::RequestSent { url, .. } => {
                Some(id_in_url(url).unwrap_or_else(|| format!("(no id in {url})")))
            }
            _ => None,
        })
        .collect();
    let mut served_ids = served_ids.lock().unwrap().clone();
    recorded.sort();
    served_ids.sort();
    assert_eq!(served_ids.len() as u64, served, "the log saw every call");
    assert!(
        recorded == served_ids,
        "the timeline's requests are the sandbox's: {} recorded, {} served; only recorded: {:?}; \
         only served: {:?}",
        recorded.len(),
        served_ids.len(),
        difference(&recorded, &served_ids),
        difference(&served_ids, &recorded),
    );
    assert!(
        served >= app_sends + cli_sends,
        "{served} < {app_sends} + {cli_sends}"
    );
    // Every access token the provider issued was recorded as issued, by its
    // fingerprint, and nothing else was.
    let issued: BTreeSet<String> = sandbox
        .issued_tokens()
        .iter()
        .filter(|token| sandbox.is_access_token(token.expose()))
        .map(fingerprint)
        .collect();
    let recorded_issued: Vec<String> = events
        .iter()
        .filter_map(|event| match &event.event {
            EventDetail::TokenIssued { token, .. } => Some(token.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        recorded_issued.iter().cloned().collect::<BTreeSet<_>>(),
        issued,
        "the timeline's issued tokens are the provider's"
    );
    assert_eq!(
        recorded_issued.len(),
        issued.len(),
        "each issued token recorded once"
    );
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
        issued.len() as u64,
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

    let expiries_forced = counts.expiries_forced.load(Ordering::Relaxed) + 1;
    common::report_figures(
        "load",
        &format!(
            "load: {:.0} s; 1 app process ({APP_SENDERS} senders, {keeper_runs} keeper runs) and \
         {} callout processes from {CLI_THREADS} threads; {} sends ({app_sends} app, \
         {cli_sends} CLI), {cli_tokens} token reads, {expiries_forced} expiries forced at the \
         provider, {served} requests served ({faults} met an expired token), {refreshed} \
         refreshes, {} timeline events; lost 0, duplicated 0, refresh tokens spent twice 0, \
         files corrupt 0",
            elapsed.as_secs_f64(),
            cli_sends + cli_tokens,
            app_sends + cli_sends,
            events.len(),
        ),
    );
}

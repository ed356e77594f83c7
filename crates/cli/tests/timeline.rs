//! `callout timeline` and `callout keep` as a person runs them: real
//! processes, a `--home` of their own, the timeline a real SQLite file, and
//! for `keep` the sandbox on a real socket and the real keychain.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, SystemTime};

use callout_core::credential_store::{Authorization, Identity};
use callout_core::home::Home;
use callout_core::oauth::{ExpirySource, TokenSet};
use callout_core::timeline::{
    EventDetail, KeeperAction, Query, RefreshOutcome, RefreshTrigger, Timeline,
};
use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::{self, TestHome, assert_ok, stderr, stdout};

/// The commands' local time: UTC+05:45, as a POSIX rule so no time zone
/// database is needed. An offset of neither zero nor whole hours shows
/// UTC printed as local time, and an offset cut to whole hours.
const LOCAL_ZONE: &str = "NPT-05:45";

fn local_offset() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(5 * 3600 + 45 * 60).unwrap()
}

/// `callout ARGS` in `home`, its local time [`LOCAL_ZONE`].
fn callout(home: &TestHome, args: &[&str]) -> Output {
    home.command(args).env("TZ", LOCAL_ZONE).output().unwrap()
}

/// A table line with each run of spaces made one.
fn squash(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn timeline(home: &Path) -> Timeline {
    Timeline::for_home(&Home::at(home).unwrap()).unwrap()
}

/// Two hours of a credential's life: an old refresh, a recent one, and a
/// failure; plus another credential's event.
fn seed(home: &Path, now: SystemTime) {
    let timeline = timeline(home);
    let minutes_ago = |minutes: u64| now - Duration::from_secs(60 * minutes);
    let attempt = |outcome, error: Option<&str>| EventDetail::RefreshAttempt {
        trigger: RefreshTrigger::KeepAlive,
        outcome,
        error: error.map(str::to_string),
        duration_ms: 120,
    };
    timeline
        .append(
            "Sandbox",
            &attempt(RefreshOutcome::Refreshed, None),
            minutes_ago(120),
        )
        .unwrap();
    timeline
        .append(
            "Sandbox",
            &attempt(RefreshOutcome::Refreshed, None),
            minutes_ago(30),
        )
        .unwrap();
    timeline
        .append(
            "Sandbox",
            &EventDetail::NeedsReauthorization {
                reason: "the provider refused the refresh token: invalid_grant".into(),
            },
            minutes_ago(10),
        )
        .unwrap();
    timeline
        .append("Other", &EventDetail::Retry { attempt: 2 }, minutes_ago(5))
        .unwrap();
}

#[test]
fn the_table_shows_local_times_durations_and_reasons() {
    let home = TestHome::new();
    let now = SystemTime::now();
    seed(home.path(), now);
    let output = callout(&home, &["timeline", "sandbox", "--since", "1h"]);
    assert_ok(&output);
    let table = stdout(&output);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(lines[0].starts_with("TIME (LOCAL)"), "{table}");
    let thirty_ago = chrono::DateTime::<chrono::Utc>::from(now - Duration::from_secs(1_800))
        .with_timezone(&local_offset());
    assert!(
        lines[1].starts_with(&thirty_ago.format("%Y-%m-%d %H:%M").to_string()),
        "{table}"
    );
    assert!(
        squash(lines[1]).ends_with("refreshAttempt 120 ms refresh by keep-alive refreshed"),
        "{table}"
    );
    assert!(
        squash(lines[2]).ends_with(
            "needsReauthorization - needs re-authorization: the provider refused the \
             refresh token: invalid_grant"
        ),
        "{table}"
    );

    let everything = stdout(&callout(&home, &["timeline", "Sandbox"]));
    assert_eq!(everything.lines().count(), 4, "{everything}");
    let kinds = stdout(&callout(
        &home,
        &["timeline", "Sandbox", "--kind", "needs-reauthorization"],
    ));
    assert_eq!(kinds.lines().count(), 2, "{kinds}");
}

#[test]
fn json_lines_carry_the_events_for_scripts() {
    let home = TestHome::new();
    seed(home.path(), SystemTime::now());
    let output = callout(
        &home,
        &["timeline", "Sandbox", "--json", "--kind", "refreshAttempt"],
    );
    assert_ok(&output);
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["credential"], "Sandbox");
    assert_eq!(lines[0]["event"]["kind"], "refreshAttempt");
    assert_eq!(lines[0]["event"]["trigger"]["type"], "keepAlive");
    assert_eq!(lines[0]["event"]["outcome"], "refreshed");
    assert!(lines[0]["atMs"].as_i64().unwrap() < lines[1]["atMs"].as_i64().unwrap());
}

#[test]
fn bad_input_is_refused_with_what_would_work() {
    let home = TestHome::new();
    seed(home.path(), SystemTime::now());
    let kind = callout(&home, &["timeline", "Sandbox", "--kind", "bogus"]);
    assert_eq!(kind.status.code(), Some(2));
    assert!(
        stderr(&kind).contains("unknown event kind \"bogus\"; known kinds: authorized,"),
        "{}",
        stderr(&kind)
    );
    let since = callout(&home, &["timeline", "Sandbox", "--since", "soon"]);
    assert_eq!(since.status.code(), Some(2));
    assert!(
        stderr(&since).contains("invalid duration \"soon\""),
        "{}",
        stderr(&since)
    );
    let unknown = callout(&home, &["timeline", "Nobody"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", stderr(&unknown));
    assert!(
        stderr(&unknown).contains("unknown credential \"Nobody\""),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn keep_once_refreshes_what_is_due_and_the_timeline_says_why() {
    let sandbox = Sandbox::start(SandboxConfig {
        access_ttl: Duration::from_secs(3_600),
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Kept", "auth-code", &["--keep-alive", "600"]);
    let store = home.store();
    let issued = sandbox.issue_tokens("api refresh_token");
    let now = SystemTime::now();
    let tokens = TokenSet {
        access_token: issued.access_token,
        token_type: "Bearer".into(),
        refresh_token: issued.refresh_token,
        id_token: None,
        scopes: vec!["api".into()],
        // Last used 20 minutes ago; valid for another hour.
        issued_at: now - Duration::from_secs(1_200),
        expires_at: Some(now + Duration::from_secs(3_600)),
        expiry_source: ExpirySource::ExpiresIn,
        is_jwt: false,
        instance_url: None,
    };
    let authorization = Authorization {
        tokens: Some(tokens),
        ..Authorization::default()
    };
    store
        .set_authorization("Kept", &Identity::NamedPrincipal, &authorization)
        .unwrap();

    let output = callout(&home, &["keep", "--once"]);
    assert_ok(&output);
    let printed = stdout(&output);
    // "20 min", or "20 min 1 s" when the clock ticked since the seed.
    let line = printed
        .lines()
        .find(|line| {
            line.contains(
                "Kept: refresh — keep-alive every 10 min: the refresh token was last used 20 min",
            )
        })
        .unwrap_or_else(|| panic!("{printed}"));
    assert!(line.contains(" → refreshed: token "), "{line}");
    assert_eq!(sandbox.stats().token_count("refresh_token", "ok"), 1);

    let events = timeline(home.path())
        .query(&Query::credential("Kept"))
        .unwrap();
    assert!(events.iter().any(|event| matches!(
        &event.event,
        EventDetail::KeeperDecision { action: KeeperAction::Refresh, result: Some(result), .. }
            if result.starts_with("refreshed: token ")
    )));
    let table = stdout(&callout(&home, &["timeline", "Kept"]));
    assert!(table.contains("refresh by keep-alive refreshed"), "{table}");
    assert!(table.contains("refresh token rotated to "), "{table}");

    // Right after, nothing is due: a quiet wait, not another refresh.
    let again = stdout(&callout(&home, &["keep", "--once"]));
    assert!(
        again.contains("Kept: wait — keep-alive every 10 min; next in "),
        "{again}"
    );
    assert_eq!(sandbox.stats().token_count("refresh_token", "ok"), 1);
}

#[test]
fn authorize_then_a_send_that_refreshes_reads_as_a_story() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Story", "client-credentials", &[]);
    assert_ok(&home.run(&["authorize", "Story"]));
    let token = stdout(&home.run(&["token", "Story"])).trim().to_string();
    assert!(sandbox.expire_access_token(&token));
    let sent = home.run(&[
        "send",
        "callout:Story/services/data/v59.0/query?q=SELECT+Id+FROM+Account",
    ]);
    assert_ok(&sent);

    let output = callout(&home, &["timeline", "Story"]);
    assert_ok(&output);
    let table = stdout(&output);
    let kinds: Vec<String> = table
        .lines()
        .skip(1)
        .map(|line| squash(line).split(' ').nth(2).unwrap().to_string())
        .collect();
    assert_eq!(
        kinds,
        [
            "authorized",
            "tokenIssued",
            "requestSent",
            "verdict",
            "tokenIssued",
            "refreshAttempt",
            "retry",
            "requestSent",
            "verdict",
        ],
        "{table}"
    );
    assert!(
        table.contains("authorized with the clientCredentials flow"),
        "{table}"
    );
    assert!(table.contains("answered HTTP 401"), "{table}");
    assert!(table.contains("refresh by rule "), "{table}");
    assert!(table.contains("answered HTTP 200"), "{table}");
    common::assert_no_secret_in_files(home.path(), &[&token]);
}

/// The ways a timeline file can be unusable.
#[derive(Debug, Clone, Copy)]
enum Broken {
    /// Bytes that are no SQLite database.
    Garbage,
    /// A timeline cut off halfway.
    Truncated,
    /// A sound timeline of a newer schema.
    Newer,
    /// A directory where the file should be.
    Directory,
}

/// Replaces the timeline of `home` with a broken one; returns its path.
fn plant(home: &Path, broken: Broken) -> std::path::PathBuf {
    let path = home.join(callout_core::timeline::FILE_NAME);
    for companion in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{companion}", path.display()));
    }
    match broken {
        Broken::Garbage => std::fs::write(&path, "not a database\n".repeat(600)).unwrap(),
        Broken::Truncated => {
            let retry = EventDetail::Retry { attempt: 2 };
            let events: Vec<_> = (0..5_000)
                .map(|_| ("Other".to_string(), retry.clone(), SystemTime::now()))
                .collect();
            timeline(home).append_all(&events).unwrap();
            let length = std::fs::metadata(&path).unwrap().len();
            std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .unwrap()
                .set_len(length / 2)
                .unwrap();
        }
        Broken::Newer => rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap(),
        Broken::Directory => std::fs::create_dir(&path).unwrap(),
    }
    path
}

#[test]
fn a_broken_timeline_stops_no_token_nor_send_says_so_once_and_moves_aside() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let query = "callout:Story/services/data/v59.0/query?q=SELECT+Id+FROM+Account";
    for broken in [
        Broken::Garbage,
        Broken::Truncated,
        Broken::Newer,
        Broken::Directory,
    ] {
        let mut home = TestHome::new();
        home.add(&sandbox, "Story", "client-credentials", &[]);
        let path = plant(home.path(), broken);
        let warning = format!(
            "callout: warning: the timeline {} cannot be used",
            path.display()
        );
        let said_once = |output: &Output| {
            let said = stderr(output);
            assert_eq!(said.matches(&warning).count(), 1, "{broken:?}: {said}");
            assert!(said.contains("`callout timeline --move-aside`"), "{said}");
        };

        let authorized = home.run(&["authorize", "Story"]);
        assert_ok(&authorized);
        said_once(&authorized);
        let token = home.run(&["token", "Story"]);
        assert_ok(&token);
        assert!(!stdout(&token).trim().is_empty(), "{broken:?}");
        said_once(&token);
        let sent = home.run(&["send", query]);
        assert_ok(&sent);
        said_once(&sent);
        assert!(
            stdout(&sent).starts_with("HTTP 200"),
            "{broken:?}: {}",
            stdout(&sent)
        );

        // Reading it is refused, naming the file and the way out.
        let listed = callout(&home, &["timeline", "Story"]);
        assert_eq!(listed.status.code(), Some(1), "{broken:?}");
        let refused = stderr(&listed);
        assert!(refused.contains(&path.display().to_string()), "{refused}");
        assert!(
            refused.contains("`callout timeline --move-aside`"),
            "{refused}"
        );

        let moved = callout(&home, &["timeline", "--move-aside"]);
        assert_ok(&moved);
        let label = if matches!(broken, Broken::Newer) {
            "newer"
        } else {
            "broken"
        };
        assert!(
            stdout(&moved).starts_with(&format!(
                "Moved the timeline aside to {}.{label}-",
                path.display()
            )),
            "{broken:?}: {}",
            stdout(&moved)
        );
        let again = callout(&home, &["timeline", "--move-aside"]);
        assert!(
            stdout(&again).contains("is sound; nothing was moved"),
            "{}",
            stdout(&again)
        );

        // Recorded again, and quiet about it.
        let sent = home.run(&["send", query]);
        assert_ok(&sent);
        assert_eq!(stderr(&sent), "", "{broken:?}");
        let table = stdout(&callout(&home, &["timeline", "Story"]));
        assert!(table.contains("answered HTTP 200"), "{broken:?}: {table}");
    }
}

#[test]
fn command_line_use_alone_prunes_events_older_than_the_retention() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Pruned", "client-credentials", &[]);
    let now = SystemTime::now();
    let old = EventDetail::Retry { attempt: 2 };
    let events: Vec<_> = [100, 91, 89]
        .into_iter()
        .map(|days| {
            let at = now - Duration::from_secs(86_400 * days);
            ("Pruned".to_string(), old.clone(), at)
        })
        .collect();
    timeline(home.path()).append_all(&events).unwrap();

    assert_ok(&home.run(&["authorize", "Pruned"]));
    let left = timeline(home.path())
        .query(&Query::credential("Pruned"))
        .unwrap();
    let oldest = left.first().unwrap().at();
    let age = now.duration_since(oldest).unwrap();
    assert!(
        age > Duration::from_secs(86_400 * 88) && age < Duration::from_secs(86_400 * 90),
        "{left:?}"
    );
    assert!(
        left.iter()
            .any(|event| event.kind() == callout_core::timeline::EventKind::Authorized)
    );
}

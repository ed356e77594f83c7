#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

//! The timeline as real SQLite files in temp dirs: several writers at once
//! (threads with connections of their own, and another process) lose
//! nothing, and a credential's last hour among 100 000 events is read
//! through the index.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, SystemTime};

use callout_core::timeline::{EventDetail, EventKind, FILE_NAME, Query, Timeline};

/// Set in the child process this file spawns: where to append, and as whom.
const CHILD_PATH: &str = "CALLOUT_TIMELINE_TEST_CHILD_PATH";
const CHILD_NAME: &str = "CALLOUT_TIMELINE_TEST_CHILD_NAME";
const PER_WRITER: u32 = 200;

fn retry(attempt: u32) -> EventDetail {
    EventDetail::Retry { attempt }
}

/// Appends `PER_WRITER` events one at a time, as separate transactions.
fn append_many(timeline: &Timeline, writer: &str) {
    for attempt in 0..PER_WRITER {
        timeline
            .append(writer, &retry(attempt), SystemTime::now())
            .unwrap();
    }
}

/// The child half of `two_processes_and_threads_appending_at_once_lose_nothing`:
/// opens the timeline, says "ready", waits for a line on stdin, appends.
/// Does nothing when run as an ordinary test.
#[test]
fn child_appender() {
    if let (Ok(path), Ok(name)) = (std::env::var(CHILD_PATH), std::env::var(CHILD_NAME)) {
        let timeline = Timeline::open(&PathBuf::from(path)).unwrap();
        println!("ready");
        std::io::stdout().flush().unwrap();
        let mut go = String::new();
        std::io::stdin().read_line(&mut go).unwrap();
        append_many(&timeline, &name);
    }
}

#[test]
fn two_processes_and_threads_appending_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    // Created (and migrated) by nobody in particular: every writer opens it.
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "child_appender",
            "--exact",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(CHILD_PATH, &path)
        .env(CHILD_NAME, "process")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Everyone opens the file first, then all start appending together.
    let mut child_says = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // libtest may print "test child_appender ... " on the same line.
    while !line.trim_end().ends_with("ready") {
        line.clear();
        assert_ne!(
            child_says.read_line(&mut line).unwrap(),
            0,
            "the child ended"
        );
    }
    let writers = 3;
    let start = Arc::new(Barrier::new(writers + 1));
    let threads: Vec<_> = (0..writers)
        .map(|index| {
            let (path, start) = (path.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                let timeline = Timeline::open(&path).unwrap();
                start.wait();
                append_many(&timeline, &format!("thread-{index}"));
            })
        })
        .collect();
    start.wait();
    writeln!(child.stdin.take().unwrap(), "go").unwrap();
    for thread in threads {
        thread.join().unwrap();
    }
    let status = child.wait_with_output().unwrap();
    assert!(status.status.success(), "{status:?}");

    let timeline = Timeline::open(&path).unwrap();
    let events = timeline.query(&Query::default()).unwrap();
    assert_eq!(events.len() as u32, PER_WRITER * (writers as u32 + 1));
    let ids: HashSet<i64> = events.iter().map(|event| event.id).collect();
    assert_eq!(ids.len(), events.len(), "every event has its own id");
    for writer in ["process", "thread-0", "thread-1", "thread-2"] {
        let mine: Vec<u32> = timeline
            .query(&Query::credential(writer))
            .unwrap()
            .into_iter()
            .map(|event| match event.event {
                EventDetail::Retry { attempt } => attempt,
                other => panic!("unexpected event {other:?}"),
            })
            .collect();
        let mut sorted = mine.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..PER_WRITER).collect::<Vec<_>>(), "{writer}");
    }
}

#[test]
fn a_credentials_last_hour_among_100_000_events_uses_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let timeline = Timeline::open(&dir.path().join(FILE_NAME)).unwrap();
    let now = SystemTime::now();
    // 100 credentials, one event a minute each, going back ~2.3 days.
    let events: Vec<_> = (0..100_000u32)
        .map(|index| {
            let at = now - Duration::from_secs(60 * u64::from(index / 100));
            (format!("credential-{}", index % 100), retry(index), at)
        })
        .collect();
    timeline.append_all(&events).unwrap();
    assert_eq!(timeline.count().unwrap(), 100_000);

    let last_hour = Query {
        since: Some(now - Duration::from_secs(3_600)),
        kinds: vec![EventKind::Retry],
        ..Query::credential("Credential-7")
    };
    let plan = timeline.explain(&last_hour).unwrap().join("\n");
    assert!(
        plan.contains("USING INDEX events_by_credential_time"),
        "the last-hour query scans instead of using the index:\n{plan}"
    );
    assert!(!plan.contains("SCAN events"), "{plan}");
    // Minutes 0..=60 back: 61 events, oldest first.
    let found = timeline.query(&last_hour).unwrap();
    assert_eq!(found.len(), 61);
    assert!(found.windows(2).all(|pair| pair[0].at_ms <= pair[1].at_ms));
    assert!(found.iter().all(|event| event.credential == "credential-7"));
}

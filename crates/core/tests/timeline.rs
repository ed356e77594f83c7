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

use crate::common::test_name;

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

/// The other process of the test below is this test binary again, running
/// only that test with [`CHILD_PATH`] set: it opens the timeline, says
/// "ready", waits for a line on stdin and appends, then returns at once.
fn as_child_process() -> bool {
    let (Ok(path), Ok(name)) = (std::env::var(CHILD_PATH), std::env::var(CHILD_NAME)) else {
        return false;
    };
    let timeline = Timeline::open(&PathBuf::from(path)).unwrap();
    println!("ready");
    std::io::stdout().flush().unwrap();
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).unwrap();
    append_many(&timeline, &name);
    true
}

#[test]
fn two_processes_and_threads_appending_at_once_lose_nothing() {
    if as_child_process() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    // Created (and migrated) by nobody in particular: every writer opens it.
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            test_name!(two_processes_and_threads_appending_at_once_lose_nothing),
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
    // libtest may print "test timeline::two_processes_... ... " on the same line.
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

const BROKEN: [Broken; 4] = [
    Broken::Garbage,
    Broken::Truncated,
    Broken::Newer,
    Broken::Directory,
];

/// Puts a broken timeline at `path`.
fn plant(path: &std::path::Path, broken: Broken) {
    match broken {
        Broken::Garbage => std::fs::write(path, "not a database\n".repeat(600)).unwrap(),
        Broken::Truncated => {
            let events: Vec<_> = (0..5_000)
                .map(|index| ("a".to_string(), retry(index), SystemTime::now()))
                .collect();
            Timeline::open(path).unwrap().append_all(&events).unwrap();
            let length = std::fs::metadata(path).unwrap().len();
            std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .unwrap()
                .set_len(length / 2)
                .unwrap();
        }
        Broken::Newer => {
            let connection = rusqlite::Connection::open(path).unwrap();
            connection
                .execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
                .unwrap();
        }
        Broken::Directory => std::fs::create_dir(path).unwrap(),
    }
}

/// The file at `path` and its companions, name and bytes (empty for a
/// directory), to tell whether anything touched them.
fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap_or_default();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                bytes,
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_broken_file_leaves_the_timeline_in_memory_saying_why_and_untouched() {
    for broken in BROKEN {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        plant(&path, broken);
        let before = snapshot(dir.path());

        let timeline = Timeline::open_or_in_memory(&path).unwrap();
        let trouble = timeline
            .trouble()
            .unwrap_or_else(|| panic!("{broken:?}: no trouble reported"));
        assert_eq!(trouble.path, path.display().to_string(), "{broken:?}");
        assert_eq!(trouble.newer, matches!(broken, Broken::Newer), "{broken:?}");
        let said = trouble.to_string();
        assert!(said.contains(&path.display().to_string()), "{said}");
        assert!(said.contains("callout timeline --move-aside"), "{said}");
        // Recording goes on, in memory; the file is left exactly as it was.
        timeline
            .append("a", &retry(1), SystemTime::now())
            .unwrap_or_else(|error| panic!("{broken:?}: {error}"));
        assert_eq!(timeline.query(&Query::default()).unwrap().len(), 1);
        assert_eq!(
            snapshot(dir.path()),
            before,
            "{broken:?}: the file was touched"
        );
        // The strict open still refuses it.
        assert!(Timeline::open(&path).is_err(), "{broken:?}");
    }
}

#[test]
fn moving_a_broken_file_aside_keeps_it_and_records_in_a_fresh_one() {
    for broken in BROKEN {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        plant(&path, broken);
        let planted = snapshot(dir.path());
        let timeline = Timeline::open_or_in_memory(&path).unwrap();
        timeline.append("a", &retry(1), SystemTime::now()).unwrap();

        let now = SystemTime::now();
        let moved = timeline.move_aside(now).unwrap().unwrap();
        let label = if matches!(broken, Broken::Newer) {
            "newer"
        } else {
            "broken"
        };
        assert!(
            moved
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{FILE_NAME}.{label}-")),
            "{broken:?}: {}",
            moved.display()
        );
        // The old file, bytes and all, under its new name.
        let kept: Vec<_> = snapshot(dir.path())
            .into_iter()
            .filter(|(name, _)| name.contains(&format!(".{label}-")))
            .map(|(name, bytes)| {
                (
                    name.replace(
                        &moved.file_name().unwrap().to_string_lossy().into_owned(),
                        FILE_NAME,
                    ),
                    bytes,
                )
            })
            .collect();
        assert_eq!(kept, planted, "{broken:?}");
        assert_eq!(timeline.trouble(), None, "{broken:?}");

        // What was kept in memory, and the next event, are in the fresh file.
        timeline.append("a", &retry(2), SystemTime::now()).unwrap();
        let fresh = Timeline::open(&path).unwrap();
        assert_eq!(
            fresh
                .query(&Query::default())
                .unwrap()
                .into_iter()
                .map(|event| event.event)
                .collect::<Vec<_>>(),
            [retry(1), retry(2)],
            "{broken:?}"
        );
        // A sound timeline is not moved.
        assert!(timeline.move_aside(now).is_err());
    }
}

#[test]
fn writers_prune_by_the_standard_retention_so_a_timeline_shrinks_without_the_keeper() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let now = SystemTime::now();
    let day = Duration::from_secs(86_400);
    let old: Vec<_> = (0..50)
        .map(|index| ("a".to_string(), retry(index), now - day * 100))
        .collect();
    Timeline::open(&path).unwrap().append_all(&old).unwrap();
    Timeline::open(&path)
        .unwrap()
        .append("a", &retry(99), now - day * 89)
        .unwrap();

    // Another process (a `callout` run) appends once, now.
    let writer = Timeline::open(&path).unwrap();
    writer.append("a", &retry(100), now).unwrap();
    let left: Vec<_> = writer
        .query(&Query::default())
        .unwrap()
        .into_iter()
        .map(|event| event.event)
        .collect();
    assert_eq!(left, [retry(99), retry(100)]);
}

#[test]
fn pages_go_back_by_cursor_and_lose_nothing_at_equal_times() {
    let dir = tempfile::tempdir().unwrap();
    let timeline = Timeline::open(&dir.path().join(FILE_NAME)).unwrap();
    let now = SystemTime::now();
    // 25 events, three to a millisecond.
    let events: Vec<_> = (0..25u32)
        .map(|index| {
            let at = now - Duration::from_millis(u64::from(25 - index) / 3);
            ("a".to_string(), retry(index), at)
        })
        .collect();
    timeline.append_all(&events).unwrap();
    let mut read = Vec::new();
    let mut before = None;
    // Three pages and the empty one after; more means the cursor did not move.
    for _ in 0..4 {
        let page = timeline
            .query(&Query {
                limit: Some(10),
                before,
                ..Query::default()
            })
            .unwrap();
        assert!(page.len() <= 10);
        let Some(first) = page.first() else {
            break;
        };
        before = Some(callout_core::timeline::Cursor::of(first));
        read.splice(0..0, page.into_iter().map(|event| event.event));
    }
    assert_eq!(read, (0..25).map(retry).collect::<Vec<_>>());
}

#[test]
fn a_file_another_process_moved_aside_is_used_not_moved_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    plant(&path, Broken::Garbage);
    let app = Timeline::open_or_in_memory(&path).unwrap();
    let cli = Timeline::open_or_in_memory(&path).unwrap();
    // One instant for every event, so the order asserted below is the order
    // the events reach the file, never which millisecond each call met.
    let now = SystemTime::now();
    app.append("a", &retry(1), now).unwrap();
    cli.append("a", &retry(2), now).unwrap();

    assert!(cli.move_aside(now).unwrap().is_some());
    // The app's trouble is stale now: the file there is the fresh one.
    assert_eq!(app.move_aside(now).unwrap(), None);
    let moved_aside = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|entry| {
            let name = entry.as_ref().unwrap().file_name();
            name.to_string_lossy().contains(".broken-")
        })
        .count();
    assert_eq!(moved_aside, 1);
    app.append("a", &retry(3), now).unwrap();
    let attempts: Vec<_> = Timeline::open(&path)
        .unwrap()
        .query(&Query::default())
        .unwrap()
        .into_iter()
        .map(|event| event.event)
        .collect();
    assert_eq!(attempts, [retry(2), retry(1), retry(3)]);
}

#[test]
fn damage_inside_the_file_is_found_by_a_full_check_and_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let events: Vec<_> = (0..5_000)
        .map(|index| ("a".to_string(), retry(index), SystemTime::now()))
        .collect();
    Timeline::open(&path).unwrap().append_all(&events).unwrap();
    // Garbage over pages in the middle; both ends of the file stay as they were.
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2 / 4096 * 4096;
    bytes[middle..middle + 8 * 4096].fill(0xA5);
    std::fs::write(&path, &bytes).unwrap();

    let timeline = Timeline::open_or_in_memory(&path).unwrap();
    let trouble = timeline.check().expect("the damage is found");
    assert!(!trouble.newer);
    let moved = timeline.move_aside(SystemTime::now()).unwrap().unwrap();
    assert_eq!(std::fs::read(&moved).unwrap(), bytes);
    timeline.append("a", &retry(1), SystemTime::now()).unwrap();
    assert_eq!(Timeline::open(&path).unwrap().count().unwrap(), 1);
}

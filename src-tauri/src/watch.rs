//! The one place the window and the tray learn that something changed,
//! whoever changed it: this app, a `callout` in a terminal, a `callout keep`
//! beside it. Every 500 ms ([`INTERVAL`]) the watcher looks at the home:
//!
//! - the timeline: the newest event's id, through the app's own timeline
//!   (an in-memory one included, and the fresh file after a move aside);
//!   when it grew, only the events after the last one seen are read, by
//!   credential and kind;
//! - `credentials.toml`: its size and modification time;
//! - `workbench.json` (which collections are open): its size and
//!   modification time;
//! - the open collections' directories: not looked at; the OS tells a
//!   change below them (inotify, FSEvents, ReadDirectoryChangesW, through
//!   `notify`) and the look reads the flag it set. Changes inside `.git`
//!   are not told.
//!
//! A file whose modification time is within [`RECENT`] of the look is also
//! hashed, so two writes too close together for the file system's clock to
//! tell apart are still told apart.
//!
//! What it tells, each in one go per look:
//! - `credentials-changed` (and the tray menu brought up to date) when the
//!   credentials file changed or an event that follows a keychain change
//!   was appended ([`EventKind::follows_keychain_change`]: every writer of
//!   tokens records one after writing them, see `oauth::refresh`, and
//!   removing a credential rewrites the file);
//! - `timeline-appended` once for each credential with new events;
//! - `collections-changed` when the open collections or a file in one
//!   changed (the app's own save, a `git pull`, another editor).
//!
//! Cost while nothing changes: per look, two `stat`s and one read of the
//! end of the timeline's id index; no file is read. After a change, a
//! small file is hashed on the looks within [`RECENT`] of it, and the
//! credentials' status is read (the keychain) once per look that saw one.
//!
//! Guaranteed: a change committed before a look is told by that look (at
//! most [`INTERVAL`] and the look's own time after it), once; these three
//! events go out from this module only. A command that changed something
//! calls [`check_now`] before it answers, so the window hears of its own
//! changes at once. Not seen: a keychain entry changed by something other
//! than Callout Lab (nothing is recorded then; the tray's countdown reads
//! the status again every 5 s), and, while the timeline file cannot be used
//! and the app keeps its events in memory, other processes' events (the app
//! cannot show those either).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use callout_core::timeline::{Appended, EventKind};
use tauri::{AppHandle, Manager, Runtime};

use crate::events;
use crate::state::AppState;

/// How often the watcher looks.
pub const INTERVAL: Duration = Duration::from_millis(500);

/// How close to a look a modification time must be for the file's content
/// to be hashed as well (some file systems keep times to 2 s).
pub const RECENT: Duration = Duration::from_secs(3);

/// What the last look saw (managed state).
pub struct Watcher {
    seen: Mutex<Seen>,
}

struct Seen {
    credentials_file: PathBuf,
    workbench_file: PathBuf,
    /// The newest timeline event's id.
    timeline: i64,
    credentials: Stamp,
    workbench: Stamp,
    collections: CollectionWatch,
    /// The last problem logged, so a lasting one is logged once.
    problem: Option<String>,
}

/// What changed between two looks.
#[derive(Debug, Default, PartialEq, Eq)]
struct Changes {
    credentials: bool,
    timelines: Vec<String>,
    collections: bool,
}

/// The OS's watch on the open collections' directories.
struct CollectionWatch {
    watcher: Option<notify::RecommendedWatcher>,
    roots: Vec<PathBuf>,
    /// Set by the OS's notice of a change; cleared by the look that tells it.
    changed: Arc<AtomicBool>,
}

impl CollectionWatch {
    fn new() -> Self {
        let changed = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&changed);
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let Ok(event) = event else {
                flag.store(true, Ordering::SeqCst);
                return;
            };
            let in_git = |path: &PathBuf| path.components().any(|part| part.as_os_str() == ".git");
            if !event.kind.is_access() && !event.paths.iter().all(in_git) {
                flag.store(true, Ordering::SeqCst);
            }
        })
        .map_err(|error| eprintln!("callout-lab: collections are not watched: {error}"))
        .ok();
        Self {
            watcher,
            roots: Vec::new(),
            changed,
        }
    }

    /// Watches exactly `roots` (the open collections).
    fn follow(&mut self, roots: Vec<PathBuf>) {
        use notify::Watcher as _;
        let Some(watcher) = self.watcher.as_mut() else {
            return;
        };
        for gone in self.roots.iter().filter(|root| !roots.contains(root)) {
            let _ = watcher.unwatch(gone);
        }
        for new in roots.iter().filter(|root| !self.roots.contains(root)) {
            if let Err(error) = watcher.watch(new, notify::RecursiveMode::Recursive) {
                eprintln!("callout-lab: {} is not watched: {error}", new.display());
            }
        }
        self.roots = roots;
    }

    /// Whether a change was told since the last call.
    fn take(&self) -> bool {
        self.changed.swap(false, Ordering::SeqCst)
    }
}

/// A file as a look saw it, without reading it (unless it was just written).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    /// Size and modification time; `None` when there is no file.
    meta: Option<(u64, SystemTime)>,
    /// The content's hash, while the modification time was recent.
    hash: Option<u64>,
}

impl Stamp {
    fn of(path: &Path, now: SystemTime) -> Self {
        let Ok(meta) = std::fs::metadata(path) else {
            return Self {
                meta: None,
                hash: None,
            };
        };
        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        // A time in the future counts as recent too.
        let recent = now
            .duration_since(modified)
            .map_or(true, |age| age < RECENT);
        let hash = recent
            .then(|| std::fs::read(path).ok())
            .flatten()
            .map(|bytes| {
                let mut hasher = DefaultHasher::new();
                bytes.hash(&mut hasher);
                hasher.finish()
            });
        Self {
            meta: Some((meta.len(), modified)),
            hash,
        }
    }

    /// Whether the file changed from `earlier` to this. A hash is compared
    /// only when both looks took one: it stops being taken once the file's
    /// time is old, and that alone is no change.
    fn differs_from(&self, earlier: &Stamp) -> bool {
        self.meta != earlier.meta
            || matches!((self.hash, earlier.hash), (Some(now), Some(then)) if now != then)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Seen {
    /// What the home looks like now: nothing before it is told.
    fn now(state: &AppState) -> Self {
        let now = SystemTime::now();
        let credentials_file = state.home.credentials_file();
        let workbench_file = state.workbench.path().to_path_buf();
        let mut collections = CollectionWatch::new();
        // Read first: a first run writes the list, which is no change to tell.
        follow_collections(&mut collections, state);
        let mut seen = Self {
            credentials: Stamp::of(&credentials_file, now),
            workbench: Stamp::of(&workbench_file, SystemTime::now()),
            collections,
            credentials_file,
            workbench_file,
            timeline: 0,
            problem: None,
        };
        if let Some(timeline) = state.service.timeline() {
            let newest = timeline.newest_id();
            seen.timeline = seen.unless_failed(newest).unwrap_or(0);
        }
        seen
    }

    fn appended(&mut self, state: &AppState) -> Option<Appended> {
        let appended = state.service.timeline()?.appended_after(self.timeline);
        self.unless_failed(appended)
    }

    /// The value of a look at the timeline; a failure is logged once for
    /// as long as it lasts.
    fn unless_failed<T>(&mut self, result: callout_core::Result<T>) -> Option<T> {
        match result {
            Ok(value) => {
                self.problem = None;
                Some(value)
            }
            Err(error) => {
                let problem = format!("the timeline could not be watched: {error}");
                if self.problem.as_ref() != Some(&problem) {
                    eprintln!("callout-lab: {problem}");
                    self.problem = Some(problem);
                }
                None
            }
        }
    }

    /// Looks again; what changed since the last look.
    fn look(&mut self, state: &AppState) -> Changes {
        let now = SystemTime::now();
        let mut changes = Changes::default();
        if let Some(appended) = self.appended(state) {
            self.timeline = appended.newest;
            changes.credentials = appended
                .kinds
                .iter()
                .any(|kind| EventKind::follows_keychain_change(*kind));
            changes.timelines = appended.credentials;
        }
        let credentials = Stamp::of(&self.credentials_file, now);
        changes.credentials |= credentials.differs_from(&self.credentials);
        self.credentials = credentials;
        let workbench = Stamp::of(&self.workbench_file, now);
        if workbench.differs_from(&self.workbench) {
            self.workbench = workbench;
            follow_collections(&mut self.collections, state);
            changes.collections = true;
        }
        changes.collections |= self.collections.take();
        changes
    }
}

/// Watches the collections open now.
fn follow_collections(watch: &mut CollectionWatch, state: &AppState) {
    match state.workbench.list() {
        Ok(open) => watch.follow(
            open.into_iter()
                .map(|open| PathBuf::from(open.root))
                .collect(),
        ),
        Err(error) => eprintln!("callout-lab: the open collections are unknown: {error}"),
    }
}

/// Starts watching the home of the app's state: the first look is now, and
/// what it sees is the starting point.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let seen = Seen::now(&app.state::<AppState>());
    app.manage(Watcher {
        seen: Mutex::new(seen),
    });
    let app = app.clone();
    crate::every(INTERVAL, "a look for changes", move || {
        let app = app.clone();
        // A look may read the keychain: off the async threads.
        tauri::async_runtime::spawn_blocking(move || check_now(&app))
    });
}

/// Looks for changes now and tells the window and the tray of them. The
/// commands call it after changing something, so the change is told
/// before they answer; otherwise the watcher looks every [`INTERVAL`].
/// Does nothing before [`start`].
pub fn check_now<R: Runtime>(app: &AppHandle<R>) {
    let Some(watcher) = app.try_state::<Watcher>() else {
        return;
    };
    // Held while telling: two looks tell in the order they saw.
    let mut seen = lock(&watcher.seen);
    let changes = seen.look(&app.state::<AppState>());
    if changes.credentials {
        events::credentials_changed(app);
    }
    for credential in &changes.timelines {
        events::timeline_appended(app, credential);
    }
    if changes.collections {
        events::collections_changed(app);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_changes_with_its_size_time_or_recent_content_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials.toml");
        let now = SystemTime::now();
        let missing = Stamp::of(&path, now);
        assert_eq!(missing.meta, None);
        std::fs::write(&path, "a = 1\n").unwrap();
        let written = Stamp::of(&path, SystemTime::now());
        assert!(written.differs_from(&missing));
        assert!(written.hash.is_some(), "just written: hashed");
        assert!(!Stamp::of(&path, SystemTime::now()).differs_from(&written));

        // Same size, same time (a coarse clock), other content.
        let mut same_time = written.clone();
        same_time.hash = Some(written.hash.unwrap() ^ 1);
        assert!(same_time.differs_from(&written));

        // Looked at later, the hash is no longer taken: no change by that.
        let later = Stamp::of(&path, SystemTime::now() + RECENT * 2);
        assert_eq!(later.hash, None);
        assert!(!later.differs_from(&written));
        assert!(!written.differs_from(&later));
    }
}

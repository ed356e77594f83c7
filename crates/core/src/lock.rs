//! One refresh in flight per credential, across threads, tasks and processes.
//!
//! Two layers: an in-process async gate (a tokio mutex per credential), so a
//! thousand concurrent requests wait as tasks rather than parking a thousand
//! threads; then an OS file lock (`flock` on Unix, `LockFileEx` on Windows) on
//! a lock file per credential in the data directory, so the tray app's keeper
//! and a `callout token` in a terminal never both spend the same rotating
//! refresh token. The OS drops a file lock when its process dies, so a crash
//! never leaves a credential locked.
//!
//! `File::lock` is in std since Rust 1.89, the workspace's minimum.

use std::collections::HashMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::sync::OwnedMutexGuard;

use crate::{Error, Result};

/// An exclusive OS lock on a file, released on drop.
#[derive(Debug)]
pub struct FileLock {
    file: File,
}

impl FileLock {
    /// Waits until the lock on `path` (created if missing) is ours.
    pub fn exclusive(path: &Path) -> Result<FileLock> {
        let file = open_lock_file(path)?;
        file.lock().map_err(|error| lock_error(path, &error))?;
        Ok(FileLock { file })
    }

    /// Takes the lock on `path` if nobody holds it; `Ok(None)` if someone does.
    pub fn try_exclusive(path: &Path) -> Result<Option<FileLock>> {
        let file = open_lock_file(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(FileLock { file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(error)) => Err(lock_error(path, &error)),
        }
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        // Closing the file releases the lock as well; unlocking first makes
        // the release independent of other handles on the same file.
        let _ = self.file.unlock();
    }
}

fn open_lock_file(path: &Path) -> Result<File> {
    if let Some(parent) = path.parent() {
        crate::home::create_dir(parent)?;
    }
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|error| Error::Storage {
            action: "open the lock file",
            path: path.display().to_string(),
            detail: error.to_string(),
        })
}

fn lock_error(path: &Path, error: &std::io::Error) -> Error {
    Error::Storage {
        action: "lock",
        path: path.display().to_string(),
        detail: error.to_string(),
    }
}

/// Held while one credential is refreshed (or its tokens written): the
/// in-process gate and the cross-process file lock.
#[derive(Debug)]
pub struct RefreshGuard {
    _file: FileLock,
    _gate: OwnedMutexGuard<()>,
}

/// The per-credential refresh locks of one home.
#[derive(Debug)]
pub struct RefreshLocks {
    dir: PathBuf,
    gates: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl RefreshLocks {
    /// Locks whose files live in `dir` (one `NAME.lock` per credential).
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            gates: Mutex::new(HashMap::new()),
        }
    }

    /// The lock file of credential `name`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{}.lock", lock_key(name)))
    }

    /// Waits for this process's turn (as a task), then for the file lock (on
    /// a blocking thread: at most one per credential waits there).
    pub async fn acquire(&self, name: &str) -> Result<RefreshGuard> {
        self.turn(name).await.lock_file(self).await
    }

    /// Waits for this process's turn only: what the holder may decide
    /// without other processes (reuse a renewal this process just made)
    /// needs no file lock.
    pub async fn turn(&self, name: &str) -> Turn {
        Turn {
            name: name.to_string(),
            gate: self.gate(name).lock_owned().await,
        }
    }

    fn gate(&self, name: &str) -> Arc<tokio::sync::Mutex<()>> {
        Arc::clone(
            crate::locked(&self.gates)
                .entry(lock_key(name))
                .or_default(),
        )
    }
}

/// This process's turn at one credential, without the file lock yet.
#[derive(Debug)]
pub struct Turn {
    name: String,
    gate: OwnedMutexGuard<()>,
}

impl Turn {
    /// Waits for the file lock too.
    pub async fn lock_file(self, locks: &RefreshLocks) -> Result<RefreshGuard> {
        let path = locks.path(&self.name);
        let waited_for = path.clone();
        let file = tokio::task::spawn_blocking(move || FileLock::exclusive(&path))
            .await
            .map_err(|error| Error::Storage {
                action: "wait for the refresh lock of",
                path: waited_for.display().to_string(),
                detail: error.to_string(),
            })??;
        Ok(RefreshGuard {
            _file: file,
            _gate: self.gate,
        })
    }
}

/// Credential names are matched ignoring case, so their locks are too. Names
/// are validated (letters, digits, underscores); anything else is replaced
/// so a name can never point outside the locks directory.
fn lock_key(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_excludes_another_handle_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("locks/a.lock");
        let held = FileLock::exclusive(&path).unwrap();
        assert!(FileLock::try_exclusive(&path).unwrap().is_none());
        drop(held);
        assert!(FileLock::try_exclusive(&path).unwrap().is_some());
    }

    #[test]
    fn keys_ignore_case_and_cannot_escape_the_directory() {
        let locks = RefreshLocks::new(PathBuf::from("/locks"));
        assert_eq!(
            locks.path("Sales_API"),
            PathBuf::from("/locks/sales_api.lock")
        );
        assert_eq!(locks.path("../x"), PathBuf::from("/locks/---x.lock"));
    }

    /// How long a second `acquire` is given to get in wrongly. On a
    /// multi-thread runtime a waiter that nothing excludes takes the lock on
    /// another worker at once, so a broken lock fails well inside this.
    const EXCLUSION_WINDOW: std::time::Duration = std::time::Duration::from_secs(1);
    /// How long a released lock may take to reach its waiter before the
    /// test fails instead of hanging.
    const HANDOVER_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

    /// With `held` holding credential `name`, an `acquire` through `locks`
    /// started on another worker must not get in until `held` is dropped,
    /// and must get in after.
    async fn assert_excluded_until_dropped(
        held: RefreshGuard,
        locks: Arc<RefreshLocks>,
        name: &'static str,
    ) {
        let (started_tx, started) = tokio::sync::oneshot::channel();
        let (acquired_tx, mut acquired) = tokio::sync::oneshot::channel();
        let waiter = tokio::spawn(async move {
            started_tx.send(()).unwrap();
            let guard = locks.acquire(name).await?;
            acquired_tx.send(()).unwrap();
            drop(guard);
            Ok::<(), Error>(())
        });
        started.await.unwrap();
        assert!(
            tokio::time::timeout(EXCLUSION_WINDOW, &mut acquired)
                .await
                .is_err(),
            "a second acquire of {name} got the lock while the first holder still held it"
        );
        drop(held);
        tokio::time::timeout(HANDOVER_LIMIT, acquired)
            .await
            .expect("the waiter never got the lock after its holder dropped it")
            .unwrap();
        waiter.await.unwrap().unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_held_refresh_lock_keeps_a_second_task_out_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let locks = Arc::new(RefreshLocks::new(dir.path().to_path_buf()));
        let guard = locks.acquire("Sales_API").await.unwrap();
        assert!(
            FileLock::try_exclusive(&locks.path("sales_api"))
                .unwrap()
                .is_none(),
            "the holder of the gate holds the file lock too"
        );
        assert_excluded_until_dropped(guard, Arc::clone(&locks), "SALES_API").await;
        assert!(
            FileLock::try_exclusive(&locks.path("sales_api"))
                .unwrap()
                .is_some(),
            "the file lock is free once every guard is dropped"
        );
    }

    /// Two `RefreshLocks` on one directory share no in-process gate, as the
    /// tray app and a `callout token` in a terminal do not: the file lock
    /// alone must keep the second out.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_file_lock_excludes_a_holder_with_another_gate() {
        let dir = tempfile::tempdir().unwrap();
        let app = RefreshLocks::new(dir.path().to_path_buf());
        let terminal = Arc::new(RefreshLocks::new(dir.path().to_path_buf()));
        let guard = app.acquire("Sales_API").await.unwrap();
        assert_excluded_until_dropped(guard, terminal, "sales_api").await;
    }
}

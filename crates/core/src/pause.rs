//! Pause points, for tests that kill a process at an exact step: when
//! `CALLOUT_PAUSE_AT` names a point, the process that reaches it creates the
//! file named by `CALLOUT_PAUSE_FILE` and stops there until it is killed.
//! Without those variables — every normal run — a pause point does nothing.

use std::time::Duration;

/// The variable naming the point to stop at.
pub const PAUSE_AT: &str = "CALLOUT_PAUSE_AT";
/// The variable naming the file created on arrival.
pub const PAUSE_FILE: &str = "CALLOUT_PAUSE_FILE";

/// Stops here, for good, if a test asked for this point.
pub fn point(name: &str) {
    if std::env::var(PAUSE_AT).ok().as_deref() != Some(name) {
        return;
    }
    if let Some(file) = std::env::var_os(PAUSE_FILE) {
        // The test waits for this file; if it cannot be written the test times out.
        let _ = std::fs::write(file, name);
    }
    loop {
        std::thread::sleep(Duration::from_secs(3_600));
    }
}

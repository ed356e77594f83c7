//! Pause points, for tests that kill a process at an exact step: when
//! `CALLOUT_PAUSE_AT` names a point, the process that reaches it creates the
//! file named by `CALLOUT_PAUSE_FILE` and stops there until it is killed.
//!
//! They exist only with the `test-pause-points` feature, which the CLI's
//! tests turn on (callout-cli's dev-dependency on this crate) for the
//! `callout` they run. Every other build — the released CLI, the app, the
//! benchmarks — gets an empty [`point`] and never reads the variables;
//! `scripts/test.sh` checks the binaries of a plain build for their names.

/// The variable naming the point to stop at.
#[cfg(feature = "test-pause-points")]
pub const PAUSE_AT: &str = "CALLOUT_PAUSE_AT";
/// The variable naming the file created on arrival.
#[cfg(feature = "test-pause-points")]
pub const PAUSE_FILE: &str = "CALLOUT_PAUSE_FILE";

/// Stops here, for good, if a test asked for this point.
#[cfg(feature = "test-pause-points")]
pub(crate) fn point(name: &str) {
    if std::env::var(PAUSE_AT).ok().as_deref() != Some(name) {
        return;
    }
    if let Some(file) = std::env::var_os(PAUSE_FILE) {
        // The test waits for this file; if it cannot be written the test times out.
        let _ = std::fs::write(file, name);
    }
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3_600));
    }
}

/// Without the `test-pause-points` feature: nothing.
#[cfg(not(feature = "test-pause-points"))]
#[inline(always)]
pub(crate) fn point(_name: &str) {}

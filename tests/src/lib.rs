//! Helpers for the end-to-end tests: where the built binaries are, and a
//! WebDriver session on the real desktop app through tauri-driver.
//!
//! This is test support code: a step that fails must fail the test loudly,
//! so panicking on errors is the intended behaviour here.
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod app;
pub mod tray_menu;
pub mod x11;

use std::path::PathBuf;

/// The workspace root (this crate lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}

/// The directory cargo put this build's binaries in (`target/debug`), found
/// from the running test executable (`target/debug/deps/...`).
pub fn target_profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.parent()
        .and_then(|deps| deps.parent())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug"))
}

/// A binary of this workspace, built by `cargo build --workspace --bins`
/// (`make test` does that before the tests run).
pub fn workspace_binary(name: &str) -> PathBuf {
    let path = target_profile_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing: build it first with `cargo build --workspace --bins` (make test does)",
        path.display()
    );
    path
}

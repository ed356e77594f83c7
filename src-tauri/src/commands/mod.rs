//! The commands the UI calls, one module per concept. Each parses its
//! input, calls `callout-core` and returns a serialisable result; every
//! failure reaches the UI as an [`ErrorReport`] (`{kind, message, location?,
//! at?}`).
//!
//! The functions the tray menu calls (copy the live token, refresh now,
//! authorize) are the same ones the commands call, so testing the commands
//! tests the tray.

pub mod app;
pub mod credentials;
pub mod interop;
pub mod requests;
pub mod settings;
pub mod timeline;
pub mod tokens;

use callout_core::{Error, ErrorReport};

/// What a command answers: its value, or an error the UI can act on.
pub type Reply<T> = Result<T, ErrorReport>;

/// An engine error as the UI receives it.
pub fn report(error: Error) -> ErrorReport {
    ErrorReport::from(&error)
}

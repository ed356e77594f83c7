//! `callout-core`: every piece of Callout Lab's domain logic.
//!
//! The desktop shell (`src-tauri`) and the `callout` CLI are thin layers over
//! this crate: they parse input, call into it and present the result.

pub mod about;
pub mod actions;
pub mod credential;
pub mod credential_store;
pub mod detect;
pub mod endpoint;
pub mod error;
pub mod home;
pub mod http;
pub mod interop;
pub mod keeper;
pub mod lock;
pub mod merge;
pub mod oauth;
pub mod pause;
pub mod requests;
pub mod secret;
pub mod send;
pub mod settings;
pub mod source;
pub mod timeline;
pub mod token;
pub mod vault;

pub use error::{Error, ErrorKind, ErrorReport, Result};
pub use secret::Secret;

/// The guard of `mutex`, even if a thread panicked while holding it: what
/// this crate guards is changed in one step (an insert, an assignment), so
/// it is never left half made.
pub(crate) fn locked<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

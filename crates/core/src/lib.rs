//! `callout-core`: every piece of Callout Lab's domain logic.
//!
//! The desktop shell (`src-tauri`) and the `callout` CLI are thin layers over
//! this crate: they parse input, call one of its [`actions`] and present the
//! result.
//!
//! The public API, all of it:
//! - at the root, the plain types every layer speaks ([`Draft`], [`Header`],
//!   [`Received`], [`Secret`], [`Error`], [`Location`], [`TokenSet`]) and the
//!   few items of private modules others need ([`Vault`], [`FileLock`]);
//! - one public module per concept a user names (`credential`, `merge`,
//!   `send`, `oauth`, `timeline`, ...), each listing what it offers;
//! - [`actions`], one function per user action.
//!
//! Everything else is private. Inside the private modules (the plain types,
//! `lock`, `vault`, `pause`, the parts of `oauth`, `detect` and `interop`)
//! an item is offered only through a `pub use` here or in its parent; the
//! `unreachable_pub` lint (an error in `make test`'s clippy) flags a `pub`
//! that no path reaches.

#![warn(unreachable_pub)]

// Core in three layers; imports only point down (tests/layers.rs checks it,
// docs/ARCHITECTURE.md draws it).

// 1. Plain types, imported by everything, importing nothing above them. Their
//    items are the crate's own (re-exported below), the modules private.
mod error;
mod http;
mod secret;
mod source;

// 2. Domain modules, one per concept.
pub mod about;
pub mod assertion;
pub mod ci;
pub mod collection;
pub mod credential;
pub mod credential_store;
pub mod detect;
pub mod endpoint;
mod entry_copies;
pub mod history;
pub mod home;
pub mod interop;
pub mod keeper;
mod lock;
mod markup;
pub mod merge;
pub mod network;
pub mod oauth;
mod pause;
pub mod requests;
pub mod rules;
pub mod run;
pub mod send;
pub mod settings;
pub mod timeline;
mod token;
pub mod variables;
mod vault;
pub mod workbench;
mod xpath;

// 3. The actions the app and the CLI share.
pub mod actions;

pub use error::{Error, ErrorKind, ErrorReport, Result};
pub use http::{Draft, Header, MAX_RESPONSE_BYTES, Received, ResponseBody, header_value};
pub use secret::Secret;
pub use source::{Location, Part, Position};
pub use token::{ExpirySource, TokenResponseError, TokenSet, jwt_claims, parse_token_response};

// From domain modules that are otherwise the crate's own.
pub use lock::{FileLock, RefreshLocks};
#[cfg(feature = "test-pause-points")]
pub use pause::{PAUSE_AT, PAUSE_FILE};
pub use vault::Vault;

/// The guard of `mutex`, even if a thread panicked while holding it: what
/// this crate guards is changed in one step (an insert, an assignment), so
/// it is never left half made.
pub(crate) fn locked<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

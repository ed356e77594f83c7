//! The one error type of `callout-core`.

use serde::Serialize;
use ts_rs::TS;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the engine, in terms a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The OS keychain could not be used at all (no Secret Service, locked,
    /// access denied). Nothing is written anywhere else as a fallback.
    #[error(
        "the OS keychain is unavailable while trying to {action} \"{account}\": {detail}. \
         {hint}"
    )]
    KeychainUnavailable {
        action: &'static str,
        account: String,
        detail: String,
        hint: &'static str,
    },

    /// The keychain answered, but refused or failed the operation.
    #[error("the OS keychain could not {action} \"{account}\": {detail}")]
    Keychain {
        action: &'static str,
        account: String,
        detail: String,
    },
}

/// A stable, machine-readable category for an [`Error`], so a UI can offer the
/// right next step (retry, re-authorize, fix input).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ErrorKind {
    KeychainUnavailable,
    Keychain,
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::KeychainUnavailable { .. } => ErrorKind::KeychainUnavailable,
            Error::Keychain { .. } => ErrorKind::Keychain,
        }
    }
}

/// An error as it crosses to the UI: `{kind, message}`.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ErrorReport {
    pub kind: ErrorKind,
    pub message: String,
}

impl From<&Error> for ErrorReport {
    fn from(error: &Error) -> Self {
        Self {
            kind: error.kind(),
            message: error.to_string(),
        }
    }
}

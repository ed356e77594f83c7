//! The top layer of core: one function per user action, shared by the app
//! and the `callout` CLI. Add, edit, rename, remove (with revocation) and
//! repair a credential; authorize it (the one place a flow is picked);
//! send a request (check the draft → live token → send → detect → refresh →
//! retry → record); get a live token; import work from elsewhere and
//! export a credential as Salesforce metadata.
//!
//! An action never prints, never opens a window and never reads a
//! terminal: it talks to whoever runs it through a [`Host`]: open a URL,
//! report progress, tell something worth knowing, read a secret. The app
//! and the CLI differ only in their host and in how they show the result.
//!
//! Nothing below this layer imports it (see `tests/layers.rs`).

pub mod authorize;
pub mod credential;
pub mod export;
pub mod import;
pub mod rules;
pub mod run;
pub mod send;
pub mod token;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::credential::AuthProtocol;
use crate::{Result, Secret};

/// What an action asks of the app or the CLI that runs it.
pub trait Host: Send + Sync {
    /// Sends the user to `url` (a sign-in page). The app opens the system
    /// browser; the CLI prints the URL and opens `$BROWSER` or the system
    /// browser unless told not to.
    fn open_url(&self, url: &str) -> Result<()>;

    /// How a long action is going (an authorization's stages).
    fn progress(&self, progress: &AuthorizeProgress);

    /// Something the user should know that is not a failure: a warning
    /// while removing, leftovers cleaned up.
    fn notice(&self, message: &str);

    /// A secret the action needs and was not given, such as the password
    /// of the password flow. `None`: this host cannot ask for it.
    fn read_secret(&self, request: &SecretRequest) -> Result<Option<Secret>>;

    /// How a login (username and password, or a JWT subject) is given to
    /// this host for `flow`, said when a first authorization lacks one
    /// ("give --username NAME"). `None`: nothing to add.
    fn login_hint(&self, flow: AuthProtocol) -> Option<String>;
}

/// A secret an action asks its host for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRequest {
    /// The password of `username`, to sign in to `credential` with the
    /// password flow.
    Password {
        credential: String,
        username: String,
    },
}

/// Where an authorization is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum AuthorizeStage {
    Opening,
    WaitingForBrowser,
    Exchanging,
    Authorized,
    Failed,
    Cancelled,
}

/// A step of an authorization while it runs: the app shows it beside the
/// credential, the CLI prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AuthorizeProgress {
    pub credential: String,
    pub stage: AuthorizeStage,
    pub message: String,
    /// The sign-in URL, once the browser was sent there.
    pub url: Option<String>,
}

impl AuthorizeProgress {
    pub fn new(credential: &str, stage: AuthorizeStage, message: impl Into<String>) -> Self {
        Self {
            credential: credential.to_string(),
            stage,
            message: message.into(),
            url: None,
        }
    }
}

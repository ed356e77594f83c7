//! The OS keychain (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows): the only place secrets are kept.
//!
//! The `keyring` crate is built with explicit platform backends; it never falls
//! back to its in-memory mock store, so a secret "stored" here is really stored.

use crate::{Error, Result, Secret};

/// The keychain service name every Callout Lab entry is filed under.
pub const SERVICE: &str = "callout-lab";

const UNAVAILABLE_HINT: &str = "Start and unlock your desktop keyring (GNOME Keyring, KWallet \
     or another Secret Service provider) and try again; Callout Lab never keeps secrets \
     outside the keychain";

/// A handle on the keychain entries of one service name.
#[derive(Debug, Clone)]
pub struct Vault {
    service: String,
}

impl Default for Vault {
    fn default() -> Self {
        Self::new(SERVICE)
    }
}

impl Vault {
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    /// Stores (or replaces) the secret under `account`.
    pub fn store(&self, account: &str, secret: &Secret) -> Result<()> {
        self.entry(account, "store")?
            .set_password(secret.expose())
            .map_err(|error| keychain_error("store", account, error))
    }

    /// Reads the secret under `account`; `Ok(None)` when there is none.
    pub fn read(&self, account: &str) -> Result<Option<Secret>> {
        match self.entry(account, "read")?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(keychain_error("read", account, error)),
        }
    }

    /// Deletes the secret under `account`; `Ok(false)` when there was none.
    pub fn delete(&self, account: &str) -> Result<bool> {
        match self.entry(account, "delete")?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(error) => Err(keychain_error("delete", account, error)),
        }
    }

    fn entry(&self, account: &str, action: &'static str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, account)
            .map_err(|error| keychain_error(action, account, error))
    }
}

/// The name of the keychain backend this build talks to.
pub fn backend_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else if cfg!(target_os = "windows") {
        "Windows Credential Manager"
    } else {
        "Secret Service"
    }
}

fn keychain_error(action: &'static str, account: &str, error: keyring::Error) -> Error {
    let account = account.to_string();
    match error {
        keyring::Error::NoStorageAccess(cause) | keyring::Error::PlatformFailure(cause) => {
            Error::KeychainUnavailable {
                action,
                account,
                detail: cause.to_string(),
                hint: UNAVAILABLE_HINT,
            }
        }
        other => Error::Keychain {
            action,
            account,
            detail: other.to_string(),
        },
    }
}

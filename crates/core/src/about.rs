//! What a user sees in "About" and in `callout --version`: the product, its
//! version, and a live check of the keychain the secrets depend on.

use serde::Serialize;
use ts_rs::TS;

use crate::requests::SALESFORCE_API_VERSION;
use crate::vault::{self, Vault};
use crate::{ErrorReport, Secret};

pub(crate) const PRODUCT_NAME: &str = "Callout Lab";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppInfo {
    pub product: String,
    pub version: String,
    pub keychain_backend: String,
    /// The Salesforce API version of the sample requests: the one example
    /// URLs show, so the UI never writes a version of its own.
    pub salesforce_api_version: String,
}

pub fn app_info() -> AppInfo {
    AppInfo {
        product: PRODUCT_NAME.to_string(),
        version: VERSION.to_string(),
        keychain_backend: vault::backend_name().to_string(),
        salesforce_api_version: SALESFORCE_API_VERSION.to_string(),
    }
}

/// The outcome of a keychain self-check: a real store, read back and delete
/// of a throw-away entry.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct KeychainCheck {
    pub backend: String,
    pub available: bool,
    /// One sentence for the user: what worked, or what failed and what to do.
    pub summary: String,
    pub error: Option<ErrorReport>,
}

/// Round-trips a throw-away secret through the keychain and reports whether
/// every step worked.
pub fn check_keychain(vault: &Vault) -> KeychainCheck {
    let backend = vault::backend_name().to_string();
    let account = format!("self-check-{}", uuid::Uuid::new_v4());
    let probe = Secret::new(format!("probe-{}", uuid::Uuid::new_v4()));
    let outcome = vault
        .store(&account, &probe)
        .and_then(|()| vault.read(&account))
        .and_then(|read_back| {
            let deleted = vault.delete(&account)?;
            Ok((read_back, deleted))
        });
    match outcome {
        Ok((Some(read_back), true)) if read_back == probe => KeychainCheck {
            summary: format!(
                "{backend} is available: a test secret was stored, read back and deleted."
            ),
            backend,
            available: true,
            error: None,
        },
        Ok((read_back, deleted)) => KeychainCheck {
            summary: format!(
                "{backend} answered but did not keep the test secret (read back: {}, deleted: {deleted}).",
                if read_back.is_some() {
                    "a different value"
                } else {
                    "nothing"
                }
            ),
            backend,
            available: false,
            error: None,
        },
        Err(error) => KeychainCheck {
            summary: error.to_string(),
            backend,
            available: false,
            error: Some(ErrorReport::from(&error)),
        },
    }
}

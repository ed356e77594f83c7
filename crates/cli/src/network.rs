//! Trust and proxies for this run: the home's settings (`extraCaFile`,
//! `proxyUrl`, `noProxy`), the environment's proxies where the settings give
//! none, and `--ca-file` over the settings' CA file.

use std::path::PathBuf;
use std::sync::OnceLock;

use callout_core::Error;
use callout_core::home::Home;
use callout_core::network::Network;
use callout_core::settings::SettingsStore;

/// `--ca-file`, set once when the arguments are parsed.
static CA_FILE: OnceLock<PathBuf> = OnceLock::new();

/// Remembers `--ca-file` (or `CALLOUT_CA_FILE`) for every client of this run.
pub(crate) fn set_ca_file(file: Option<PathBuf>) {
    if let Some(file) = file {
        let _ = CA_FILE.set(file);
    }
}

/// The network the clients of this run use.
pub(crate) fn for_home(home: &Home) -> Result<Network, Error> {
    Ok(SettingsStore::new(home)
        .network()?
        .with_extra_ca_file(CA_FILE.get().cloned()))
}

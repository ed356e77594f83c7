//! Where Callout Lab keeps things: the config directory (the credentials
//! file), the data directory (refresh locks) and the keychain service name
//! its secrets are filed under.
//!
//! By default these are the platform's directories (`~/.config/callout-lab`
//! and `~/.local/share/callout-lab` on Linux) and the service `callout-lab`.
//! An explicit home (`--home DIR` or `CALLOUT_HOME`) puts config and data in
//! `DIR` and scopes the keychain entries to it: the service becomes
//! `callout-lab-` plus a short hash of the canonical `DIR`, so two homes never
//! see each other's secrets.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::vault::{self, Vault};
use crate::{Error, Result};

/// The environment variable that selects an explicit home.
pub(crate) const HOME_ENV: &str = "CALLOUT_HOME";

/// The credentials file's name inside the config directory.
pub(crate) const CREDENTIALS_FILE: &str = "credentials.toml";

/// A resolved home: directories and keychain service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    config_dir: PathBuf,
    data_dir: PathBuf,
    service: String,
    explicit: bool,
}

impl Home {
    /// The home `explicit` names, else the one `CALLOUT_HOME` names, else the
    /// platform's.
    pub fn resolve(explicit: Option<&Path>) -> Result<Home> {
        match explicit {
            Some(dir) => Home::at(dir),
            None => match std::env::var_os(HOME_ENV).filter(|value| !value.is_empty()) {
                Some(dir) => Home::at(Path::new(&dir)),
                None => Home::platform(),
            },
        }
    }

    /// A home in `dir` (created if missing), with keychain entries scoped to it.
    pub fn at(dir: &Path) -> Result<Home> {
        create_dir(dir)?;
        let canonical = dir.canonicalize().map_err(|error| Error::Storage {
            action: "resolve the home directory",
            path: dir.display().to_string(),
            detail: error.to_string(),
        })?;
        let service = scoped_service(&canonical);
        Ok(Home {
            config_dir: canonical.clone(),
            data_dir: canonical,
            service,
            explicit: true,
        })
    }

    /// The platform's config and data directories and the shared service name.
    pub fn platform() -> Result<Home> {
        Home::of_platform_dirs(directories::ProjectDirs::from(
            "dev",
            "Callout Lab",
            "callout-lab",
        ))
    }

    /// The platform home from the directories the platform reported, if it
    /// reported any.
    fn of_platform_dirs(dirs: Option<directories::ProjectDirs>) -> Result<Home> {
        let dirs = dirs.ok_or_else(|| Error::Storage {
            action: "find",
            path: "the home directory".into(),
            detail: "the platform reports no home directory for this user; \
                         pass --home DIR or set CALLOUT_HOME"
                .into(),
        })?;
        Ok(Home {
            config_dir: dirs.config_dir().to_path_buf(),
            data_dir: dirs.data_dir().to_path_buf(),
            service: vault::SERVICE.to_string(),
            explicit: false,
        })
    }

    pub fn config_dir(&self) -> &Path {
        &self.config_dir
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Whether this home was chosen with `--home` / `CALLOUT_HOME`.
    pub fn is_explicit(&self) -> bool {
        self.explicit
    }

    /// `credentials.toml` in the config directory.
    pub fn credentials_file(&self) -> PathBuf {
        self.config_dir.join(CREDENTIALS_FILE)
    }

    /// The directory of the per-credential refresh lock files.
    pub fn locks_dir(&self) -> PathBuf {
        self.data_dir.join("locks")
    }

    /// The keychain service name this home's secrets are filed under.
    pub fn keychain_service(&self) -> &str {
        &self.service
    }

    /// The keychain, scoped to this home.
    pub fn vault(&self) -> Vault {
        Vault::new(self.service.clone())
    }
}

/// Creates `dir` and its parents; names the directory when that fails.
pub fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|error| Error::Storage {
        action: "create the directory",
        path: dir.display().to_string(),
        detail: error.to_string(),
    })
}

/// `callout-lab-` and the first 12 hex digits of the SHA-256 of the path.
fn scoped_service(canonical: &Path) -> String {
    let digest = Sha256::digest(canonical.as_os_str().as_encoded_bytes());
    let hex: String = digest
        .iter()
        .take(6)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("{}-{hex}", vault::SERVICE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_home_holds_config_and_data_and_scopes_the_keychain() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(&dir.path().join("nested/home")).unwrap();
        assert!(home.is_explicit());
        assert!(home.config_dir().is_dir());
        assert_eq!(home.config_dir(), home.data_dir());
        assert_eq!(
            home.credentials_file(),
            home.config_dir().join("credentials.toml")
        );
        let service = home.keychain_service();
        assert!(service.starts_with("callout-lab-"), "{service}");
        assert_eq!(service.len(), "callout-lab-".len() + 12);
    }

    #[test]
    fn the_same_directory_gives_the_same_service_and_another_a_different_one() {
        let dir = tempfile::tempdir().unwrap();
        let a = Home::at(&dir.path().join("a")).unwrap();
        let a_again = Home::at(&dir.path().join("b/../a")).unwrap();
        let b = Home::at(&dir.path().join("b")).unwrap();
        assert_eq!(a.keychain_service(), a_again.keychain_service());
        assert_ne!(a.keychain_service(), b.keychain_service());
    }

    #[test]
    fn the_platform_home_uses_the_shared_service() {
        let home = Home::platform().expect("the test machine's user has a home directory");
        assert_eq!(home.keychain_service(), "callout-lab");
        assert!(!home.is_explicit());
        for dir in [home.config_dir(), home.data_dir()] {
            assert!(dir.is_absolute(), "{home:?}");
            assert!(dir.to_string_lossy().contains("callout-lab"), "{home:?}");
        }
    }

    #[test]
    fn without_a_platform_home_the_error_says_how_to_choose_one() {
        let message = Home::of_platform_dirs(None).unwrap_err().to_string();
        assert!(
            message.contains("pass --home DIR or set CALLOUT_HOME"),
            "{message}"
        );
    }
}

//! The app's settings, in a human-readable `settings.json` in the config
//! directory: how long a copied token stays on the clipboard, the default
//! keep-alive interval, how far ahead of expiry the keeper refreshes, and the
//! theme. Missing fields take their defaults; a broken file is reported and
//! left alone.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::credential_store::write_atomically;
use crate::home::Home;
use crate::network::{self, Network, ProxyRules};
use crate::{Error, Result};

/// The settings file's name inside the config directory.
pub(crate) const SETTINGS_FILE: &str = "settings.json";

/// The longest a copied token may stay on the clipboard (one hour).
pub(crate) const MAX_CLIPBOARD_CLEAR_SECONDS: u32 = 3_600;
/// The keeper margin may be at most a day.
pub(crate) const MAX_KEEPER_MARGIN_SECONDS: u32 = 86_400;
/// The history keeps at most a million sends, for at most ten years.
pub(crate) const MAX_HISTORY_KEEP_COUNT: u32 = 1_000_000;
pub(crate) const MAX_HISTORY_KEEP_DAYS: u32 = 3_650;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct Settings {
    /// A copied token is cleared from the clipboard after this many seconds
    /// (unless something else was copied meanwhile).
    pub clipboard_clear_seconds: u32,
    /// The keep-alive interval new credentials start with; none when `null`.
    pub keep_alive_default_seconds: Option<u32>,
    /// The keeper refreshes this long before an access token expires.
    pub keeper_margin_seconds: u32,
    pub theme: Theme,
    /// A PEM file of CA certificates trusted besides the OS trust store
    /// (a company's own root CA), if any.
    pub extra_ca_file: Option<String>,
    /// The HTTP(S) proxy every request goes through (loopback excepted), in
    /// place of the environment's `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`.
    pub proxy_url: Option<String>,
    /// Hosts reached without the proxy, in place of the environment's
    /// `NO_PROXY`: names (with their subdomains), addresses, CIDR blocks.
    pub no_proxy: Vec<String>,
    /// The history keeps at most this many sends...
    pub history_keep_count: u32,
    /// ...of at most this many days.
    pub history_keep_days: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            clipboard_clear_seconds: 30,
            keep_alive_default_seconds: None,
            keeper_margin_seconds: 60,
            theme: Theme::System,
            extra_ca_file: None,
            proxy_url: None,
            no_proxy: Vec::new(),
            history_keep_count: crate::history::DEFAULT_KEEP.count,
            history_keep_days: (crate::history::DEFAULT_KEEP.age.as_secs() / 86_400) as u32,
        }
    }
}

impl Settings {
    /// Names the first value that is out of range.
    pub fn validate(&self) -> Result<()> {
        let invalid = |field: &str, reason: String| Error::Storage {
            action: "save the setting",
            path: field.to_string(),
            detail: reason,
        };
        // Each whole number's field, value, range and unit.
        let ranges = [
            (
                "clipboardClearSeconds",
                self.clipboard_clear_seconds,
                1..=MAX_CLIPBOARD_CLEAR_SECONDS,
                "seconds",
            ),
            (
                "keeperMarginSeconds",
                self.keeper_margin_seconds,
                0..=MAX_KEEPER_MARGIN_SECONDS,
                "seconds",
            ),
            (
                "historyKeepCount",
                self.history_keep_count,
                1..=MAX_HISTORY_KEEP_COUNT,
                "sends",
            ),
            (
                "historyKeepDays",
                self.history_keep_days,
                1..=MAX_HISTORY_KEEP_DAYS,
                "days",
            ),
        ];
        for (field, value, range, unit) in ranges {
            if !range.contains(&value) {
                return Err(invalid(
                    field,
                    format!(
                        "it must be between {} and {} {unit}, not {value}",
                        range.start(),
                        range.end()
                    ),
                ));
            }
        }
        if self.keep_alive_default_seconds == Some(0) {
            return Err(invalid(
                "keepAliveDefaultSeconds",
                "it must be at least 1 second (leave it empty for no keep-alive)".into(),
            ));
        }
        if let Some(proxy) = &self.proxy_url
            && url::Url::parse(proxy.trim()).is_ok_and(|url| url.password().is_some())
        {
            // Secrets live in the keychain or the environment, never in a file.
            return Err(invalid(
                "proxyUrl",
                "it carries a password, which the settings file would keep in clear: leave the \
                 login out here, and give the proxy with its login in the environment instead \
                 (HTTPS_PROXY), which is never written to disk"
                    .into(),
            ));
        }
        ProxyRules::default().with_overrides(self.proxy_url.as_deref(), &self.no_proxy)?;
        Ok(())
    }

    /// Whom TLS trusts and which proxy is used, as these settings say (the
    /// environment's proxies where they give none).
    pub fn network(&self) -> Result<Network> {
        Network::configured(
            self.extra_ca_file.as_deref(),
            self.proxy_url.as_deref(),
            &self.no_proxy,
        )
    }

    /// How much history is kept.
    pub fn history_retention(&self) -> crate::history::Retention {
        crate::history::Retention {
            count: self.history_keep_count,
            age: Duration::from_secs(u64::from(self.history_keep_days) * 86_400),
        }
    }

    pub fn clipboard_clear(&self) -> Duration {
        Duration::from_secs(u64::from(self.clipboard_clear_seconds))
    }

    pub fn keeper_margin(&self) -> Duration {
        Duration::from_secs(u64::from(self.keeper_margin_seconds))
    }
}

/// Where one home's settings are kept.
#[derive(Debug, Clone)]
pub struct SettingsStore {
    path: PathBuf,
}

impl SettingsStore {
    pub fn new(home: &Home) -> Self {
        Self {
            path: home.config_dir().join(SETTINGS_FILE),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The network the saved settings describe.
    pub fn network(&self) -> Result<Network> {
        self.load()?.network()
    }

    /// The saved settings; the defaults when there is no file yet.
    pub fn load(&self) -> Result<Settings> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Settings::default());
            }
            Err(error) => {
                return Err(Error::Storage {
                    action: "read",
                    path: self.path.display().to_string(),
                    detail: error.to_string(),
                });
            }
        };
        let settings: Settings = serde_json::from_str(&text).map_err(|error| Error::Storage {
            action: "read the settings in",
            path: self.path.display().to_string(),
            detail: format!(
                "the file is broken at line {}, column {}: {error}. Fix the file by hand (or \
                 move it away to start over); Callout Lab does not overwrite a file it cannot \
                 read",
                error.line(),
                error.column()
            ),
        })?;
        settings.validate().map_err(|error| Error::Storage {
            action: "use the settings in",
            path: self.path.display().to_string(),
            detail: error.to_string(),
        })?;
        Ok(settings)
    }

    /// Validates and writes `settings` (atomically). A broken file is not
    /// overwritten.
    pub fn save(&self, settings: &Settings) -> Result<Settings> {
        settings.validate()?;
        if let Some(file) = &settings.extra_ca_file {
            network::read_ca_file(Path::new(file))?;
        }
        self.load()?;
        let mut text = serde_json::to_string_pretty(settings).map_err(|error| Error::Storage {
            action: "encode the settings for",
            path: self.path.display().to_string(),
            detail: error.to_string(),
        })?;
        text.push('\n');
        write_atomically(&self.path, text.as_bytes())?;
        Ok(settings.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, SettingsStore) {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path()).unwrap();
        (dir, SettingsStore::new(&home))
    }

    #[test]
    fn defaults_until_saved_then_what_was_saved() {
        let (_dir, store) = store();
        assert_eq!(store.load().unwrap(), Settings::default());
        let mine = Settings {
            clipboard_clear_seconds: 10,
            keep_alive_default_seconds: Some(3_600),
            keeper_margin_seconds: 5,
            theme: Theme::Dark,
            proxy_url: Some("http://proxy.corp:3128".into()),
            no_proxy: vec![".corp.example".into()],
            ..Settings::default()
        };
        store.save(&mine).unwrap();
        assert_eq!(store.load().unwrap(), mine);
        let text = std::fs::read_to_string(store.path()).unwrap();
        assert!(text.contains("\"theme\": \"dark\""), "{text}");
        assert!(
            text.contains("\"proxyUrl\": \"http://proxy.corp:3128\""),
            "{text}"
        );
        assert!(text.contains("\"noProxy\""), "{text}");
    }

    #[test]
    fn missing_fields_take_their_defaults() {
        let (_dir, store) = store();
        std::fs::write(store.path(), "{\"theme\":\"light\"}").unwrap();
        let settings = store.load().unwrap();
        assert_eq!(settings.theme, Theme::Light);
        assert_eq!(settings.clipboard_clear_seconds, 30);
    }

    #[test]
    fn out_of_range_values_are_named() {
        let (_dir, store) = store();
        let zero = Settings {
            clipboard_clear_seconds: 0,
            ..Settings::default()
        };
        let message = store.save(&zero).unwrap_err().to_string();
        assert!(message.contains("clipboardClearSeconds"), "{message}");
        let keep_alive = Settings {
            keep_alive_default_seconds: Some(0),
            ..Settings::default()
        };
        let message = store.save(&keep_alive).unwrap_err().to_string();
        assert!(message.contains("keepAliveDefaultSeconds"), "{message}");
        let proxy = Settings {
            proxy_url: Some("ftp://proxy:21".into()),
            ..Settings::default()
        };
        let message = store.save(&proxy).unwrap_err().to_string();
        assert!(message.contains("Proxy URL"), "{message}");
        let with_login = Settings {
            proxy_url: Some("http://ann:s3cret@proxy.corp:3128".into()),
            ..Settings::default()
        };
        for (count, days, field) in [(0, 30, "historyKeepCount"), (10, 0, "historyKeepDays")] {
            let history = Settings {
                history_keep_count: count,
                history_keep_days: days,
                ..Settings::default()
            };
            let message = store.save(&history).unwrap_err().to_string();
            assert!(message.contains(field), "{message}");
        }
        let message = store.save(&with_login).unwrap_err().to_string();
        assert!(message.contains("carries a password"), "{message}");
        assert!(!message.contains("s3cret"), "{message}");
        let ca = Settings {
            extra_ca_file: Some("/nowhere/company-root.pem".into()),
            ..Settings::default()
        };
        let message = store.save(&ca).unwrap_err().to_string();
        assert!(message.contains("company-root.pem"), "{message}");
        assert!(!store.path().exists());
    }

    #[test]
    fn a_broken_file_is_reported_and_left_alone() {
        let (_dir, store) = store();
        std::fs::write(store.path(), "{\"theme\": purple}").unwrap();
        let message = store.load().unwrap_err().to_string();
        assert!(message.contains("settings.json"), "{message}");
        assert!(message.contains("line 1, column"), "{message}");
        assert!(store.save(&Settings::default()).is_err());
        assert_eq!(
            std::fs::read_to_string(store.path()).unwrap(),
            "{\"theme\": purple}"
        );
    }
}

//! What the commands, the tray and the keeper share: one home, one token
//! service (its refresh gates and timeline), one sender, the saved requests
//! and settings, the embedded sandbox, and the browser authorizations in
//! flight.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use callout_core::home::Home;
use callout_core::network::Network;
use callout_core::oauth::TokenService;
use callout_core::oauth::{self, Cancel, Opener};
use callout_core::send::{Sender, Timeouts};
use callout_core::settings::{Settings, SettingsStore};
use callout_core::workbench::Workbench;
use callout_core::{Error, ErrorReport, Result};
use callout_sandbox::Sandbox;
use callout_sandbox::embedded;

/// How the app is started: where its home is, and which background parts
/// run (the mock-runtime tests start neither tray nor keeper).
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// An explicit home directory; `None` resolves `CALLOUT_HOME`, else the
    /// platform's directories.
    pub home: Option<PathBuf>,
    pub tray: bool,
    pub keeper: bool,
}

impl Launch {
    /// The desktop app: the resolved home, the tray and the keeper.
    pub fn desktop() -> Self {
        Self {
            home: None,
            tray: true,
            keeper: true,
        }
    }

    /// Only the commands, over the home in `dir`.
    pub fn headless(dir: impl Into<PathBuf>) -> Self {
        Self {
            home: Some(dir.into()),
            tray: false,
            keeper: false,
        }
    }
}

/// The app's shared state (managed by Tauri).
pub struct AppState {
    pub home: Home,
    pub service: Arc<TokenService>,
    pub sender: Sender,
    /// The open collections.
    pub workbench: Workbench,
    pub settings_store: SettingsStore,
    settings: Mutex<Settings>,
    /// The embedded sandbox; `None` when it could not start (then the
    /// reason is in `startup_problems`).
    pub sandbox: Option<Sandbox>,
    /// Browser authorizations in flight, by lower-cased credential name.
    authorizing: Mutex<HashMap<String, Cancel>>,
    /// Where sign-in URLs go: the system browser (`$BROWSER` when set).
    opener: Mutex<Opener>,
    /// What went wrong while starting, for the log.
    pub startup_problems: Vec<String>,
}

/// A browser authorization in flight ([`AppState::begin_authorize`]):
/// unregistered when dropped.
pub struct Authorizing<'a> {
    state: &'a AppState,
    key: String,
    pub cancel: Cancel,
}

impl Drop for Authorizing<'_> {
    fn drop(&mut self) {
        lock(&self.state.authorizing).remove(&self.key);
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("home", &self.home)
            .field("sandbox", &self.sandbox)
            .finish_non_exhaustive()
    }
}

/// The token service and the sender, trusting and proxying as the settings
/// say (read when the app starts). Settings that cannot be used are
/// reported, and the OS trust store and the environment's proxies used.
fn engine(home: &Home, problems: &mut Vec<String>) -> Result<(TokenService, Sender)> {
    let build = |network: Network| -> Result<(TokenService, Sender)> {
        let service = TokenService::new(home, oauth::token_client_for(&network)?)
            .with_network(network.clone());
        Ok((service, Sender::with_network(Timeouts::default(), network)?))
    };
    match SettingsStore::new(home).network().and_then(build) {
        Ok(engine) => Ok(engine),
        Err(error) => {
            problems.push(format!(
                "{error}; using the OS trust store and the environment's proxies"
            ));
            build(Network::from_env().unwrap_or_default())
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl AppState {
    /// Opens the home, starts the embedded sandbox and keeps the "Sandbox"
    /// credential pointed at it. Only a home that cannot be opened stops
    /// the app; the sandbox and the keychain may fail and are reported.
    pub fn start(launch: &Launch) -> Result<Self> {
        let home = Home::resolve(launch.home.as_deref())?;
        let mut startup_problems = Vec::new();
        let (service, sender) = engine(&home, &mut startup_problems)?;
        let service = Arc::new(service.with_home_timeline()?);
        if let Some(trouble) = service.timeline().and_then(|timeline| timeline.trouble()) {
            startup_problems.push(trouble.to_string());
        }
        let sandbox = match embedded::start() {
            Ok(sandbox) => {
                if let Err(error) = embedded::provision(
                    service.store(),
                    &sandbox,
                    service.timeline().map(|timeline| timeline.as_ref()),
                ) {
                    startup_problems.push(format!(
                        "the \"{}\" credential could not be set up: {error}",
                        embedded::CREDENTIAL_NAME
                    ));
                }
                Some(sandbox)
            }
            Err(error) => {
                startup_problems.push(error.to_string());
                None
            }
        };
        let settings_store = SettingsStore::new(&home);
        let settings = settings_store.load().unwrap_or_else(|error| {
            startup_problems.push(format!("{error}; using the default settings"));
            Settings::default()
        });
        Ok(Self {
            workbench: Workbench::new(&home),
            home,
            service,
            sender,
            settings_store,
            settings: Mutex::new(settings),
            sandbox,
            authorizing: Mutex::new(HashMap::new()),
            opener: Mutex::new(Arc::new(oauth::open_in_browser)),
            startup_problems,
        })
    }

    /// The settings in force.
    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// Validates, stores and puts `settings` in force.
    pub fn save_settings(&self, settings: &Settings) -> Result<Settings> {
        let saved = self.settings_store.save(settings)?;
        *lock(&self.settings) = saved.clone();
        Ok(saved)
    }

    /// The name of the credential kept for the embedded sandbox, when it runs.
    pub fn sandbox_credential(&self) -> Option<&'static str> {
        self.sandbox.as_ref().map(|_| embedded::CREDENTIAL_NAME)
    }

    /// Where sign-in URLs go.
    pub fn opener(&self) -> Opener {
        Arc::clone(&lock(&self.opener))
    }

    /// Sends sign-in URLs somewhere else (tests stand in for the person).
    pub fn set_opener(&self, opener: Opener) {
        *lock(&self.opener) = opener;
    }

    /// Registers a browser authorization of `name`; refused while one runs.
    /// It stays registered until the returned guard is dropped — however the
    /// flow ends, a panic included.
    pub fn begin_authorize(&self, name: &str) -> Result<Authorizing<'_>, ErrorReport> {
        let mut running = lock(&self.authorizing);
        let key = name.to_ascii_lowercase();
        if running.contains_key(&key) {
            return Err(ErrorReport::from(&Error::Authorization {
                credential: name.to_string(),
                detail: "an authorization of this credential is already waiting for the \
                         browser; finish or cancel it first"
                    .into(),
            }));
        }
        let cancel = Cancel::new();
        running.insert(key.clone(), cancel.clone());
        Ok(Authorizing {
            state: self,
            key,
            cancel,
        })
    }

    /// Cancels the authorization of `name` in flight; false when none is.
    pub fn cancel_authorize(&self, name: &str) -> bool {
        match lock(&self.authorizing).get(&name.to_ascii_lowercase()) {
            Some(cancel) => {
                cancel.cancel();
                true
            }
            None => false,
        }
    }
}

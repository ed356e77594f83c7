//! What the commands, the tray and the keeper share: one home, one token
//! service (its refresh gates and timeline), one sender, the saved requests
//! and settings, the embedded sandbox, and the browser authorizations in
//! flight.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use callout_core::actions::run::StopSignal;
use callout_core::home::Home;
use callout_core::network::Network;
use callout_core::oauth::TokenService;
use callout_core::oauth::{self, Cancel, Opener};
use callout_core::rules::RuleStore;
use callout_core::run::{RunState, StepResult};
use callout_core::send::Report;
use callout_core::send::{Sender, Timeouts};
use callout_core::settings::{Settings, SettingsStore};
use callout_core::workbench::Workbench;
use callout_core::{Error, ErrorKind, ErrorReport, Result};
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
    /// The collection run going on, and the last run's results.
    pub runs: Runs,
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

/// Puts the user's expiry rules in force in `sender`; what keeps them from
/// being read, for the start-up log (then none of them are used).
fn load_rules(home: &Home, sender: &Sender) -> Option<String> {
    match RuleStore::new(home).load() {
        Ok(rules) => {
            sender.set_user_rules(rules);
            None
        }
        Err(error) => Some(format!(
            "{error}; your expiry rules are not used until the file is fixed or removed"
        )),
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
        if let Some(problem) = load_rules(&home, &sender) {
            startup_problems.push(problem);
        }
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
            runs: Runs::default(),
        })
    }

    /// Puts the user's expiry rules (the home's `rules/` folder) in force
    /// from the next send on. A file that cannot be read leaves the rules
    /// in force as they were, and says why.
    pub fn reload_rules(&self) -> Result<()> {
        let rules = RuleStore::new(&self.home).load()?;
        self.sender.set_user_rules(rules);
        Ok(())
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

/// How a run was asked for: what [`Runs::failures`] runs again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRequest {
    /// The collection's directory.
    pub root: String,
    /// "" for the whole collection, a folder or a request.
    pub target: String,
    pub iterations: Option<u32>,
    pub parallel: Option<u32>,
}

/// The collection runs: one at a time, stopped by its id; the last run's
/// results (with each step's whole send) kept until the next run starts,
/// so the window can open any step of it.
#[derive(Debug, Default)]
pub struct Runs(Mutex<RunBook>);

#[derive(Debug, Default)]
struct RunBook {
    /// The id the last run was given.
    last_id: u32,
    /// The run going on and how to stop it.
    running: Option<(u32, StopSignal)>,
    /// The last run: how it was asked for, and each step's result so far.
    last: Option<(u32, RunRequest, Vec<Option<StepResult>>)>,
}

/// The run `id` is going on until this is dropped (however its task ends).
#[derive(Debug)]
pub struct Running<'a> {
    runs: &'a Runs,
    id: u32,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let mut book = lock(&self.runs.0);
        if book.running.as_ref().is_some_and(|(id, _)| *id == self.id) {
            book.running = None;
        }
    }
}

/// An error about runs, as the window shows it.
pub fn run_error(message: impl Into<String>) -> ErrorReport {
    ErrorReport {
        kind: ErrorKind::InvalidRequest,
        message: message.into(),
        location: None,
        at: None,
    }
}

fn still_running(id: u32) -> ErrorReport {
    run_error(format!(
        "another run (run {id}) is still going on: wait for it to finish, or stop it first"
    ))
}

impl Runs {
    /// A new run of `request`: its id and its stop signal; refused while
    /// another run goes on. The last run's results are dropped.
    pub fn begin(&self, request: RunRequest) -> Result<(u32, StopSignal), ErrorReport> {
        let mut book = lock(&self.0);
        if let Some((id, _)) = &book.running {
            return Err(still_running(*id));
        }
        book.last_id += 1;
        let id = book.last_id;
        let stop = StopSignal::default();
        book.running = Some((id, stop.clone()));
        book.last = Some((id, request, Vec::new()));
        Ok((id, stop))
    }

    /// Holds the run `id` as going on until dropped.
    pub fn running(&self, id: u32) -> Running<'_> {
        Running { runs: self, id }
    }

    /// Refused while a run goes on.
    pub fn refuse_while_running(&self) -> Result<(), ErrorReport> {
        match &lock(&self.0).running {
            Some((id, _)) => Err(still_running(*id)),
            None => Ok(()),
        }
    }

    /// Keeps `result` (with its send) as a step of run `id`.
    pub fn record(&self, id: u32, result: StepResult) {
        let mut book = lock(&self.0);
        if let Some((last, _, results)) = &mut book.last
            && *last == id
        {
            let index = result.step.index;
            if results.len() <= index {
                results.resize(index + 1, None);
            }
            results[index] = Some(result);
        }
    }

    /// Stops run `id`: the sends in flight finish, the others are skipped.
    /// False when it is not going on (it finished meanwhile).
    pub fn stop(&self, id: u32) -> bool {
        match &lock(&self.0).running {
            Some((running, stop)) if *running == id => {
                stop.stop();
                true
            }
            _ => false,
        }
    }

    /// The whole send of step `index` of run `id`.
    pub fn report(&self, id: u32, index: usize) -> Result<Report, ErrorReport> {
        let book = lock(&self.0);
        let Some((_, _, results)) = book.last.as_ref().filter(|(last, _, _)| *last == id) else {
            return Err(run_error(format!(
                "the results of run {id} are no longer kept: only the last run's are"
            )));
        };
        let result = results.get(index).and_then(Option::as_ref).ok_or_else(|| {
            run_error(format!(
                "step {} of run {id} has not finished yet",
                index + 1
            ))
        })?;
        result.report.clone().ok_or_else(|| {
            run_error(match &result.error {
                Some(error) => format!("this request was not sent: {}", error.message),
                None => "this request was not sent".to_string(),
            })
        })
    }

    /// How run `id` was asked for, and the file paths of its requests
    /// that failed, errored or need their credential authorized again.
    pub fn failures(&self, id: u32) -> Result<(RunRequest, Vec<String>), ErrorReport> {
        let book = lock(&self.0);
        let Some((_, request, results)) = book.last.as_ref().filter(|(last, _, _)| *last == id)
        else {
            return Err(run_error(format!(
                "the results of run {id} are no longer kept: only the last run's are"
            )));
        };
        let mut paths: Vec<String> = Vec::new();
        for result in results.iter().flatten() {
            let failed = matches!(
                result.state,
                RunState::Failed | RunState::Errored | RunState::NeedsReauthorization
            );
            if failed && !paths.contains(&result.step.path) {
                paths.push(result.step.path.clone());
            }
        }
        Ok((request.clone(), paths))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // test code: fail loudly

    use super::*;

    fn request(target: &str) -> RunRequest {
        RunRequest {
            root: "/tmp/acme".into(),
            target: target.into(),
            iterations: None,
            parallel: None,
        }
    }

    #[test]
    fn a_rule_file_that_does_not_read_is_a_start_up_problem_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::resolve(Some(dir.path())).unwrap();
        let sender = Sender::with_network(Timeouts::default(), Network::default()).unwrap();
        assert_eq!(load_rules(&home, &sender), None, "no rules folder yet");
        let rules = dir.path().join("rules");
        std::fs::create_dir_all(&rules).unwrap();
        std::fs::write(
            rules.join("billing.toml"),
            "service = \"Billing\"\n[[rule]\n",
        )
        .unwrap();
        let problem = load_rules(&home, &sender).expect("a problem");
        assert!(problem.contains("billing.toml"), "{problem}");
        assert!(problem.contains("line 2"), "{problem}");
        assert!(
            problem.ends_with("not used until the file is fixed or removed"),
            "{problem}"
        );
    }

    #[test]
    fn one_run_at_a_time_and_its_end_frees_the_next_however_its_task_ends() {
        let runs = Runs::default();
        let (first, stop) = runs.begin(request("Accounts")).unwrap();
        let running = runs.running(first);
        let refused = runs.begin(request("")).unwrap_err();
        assert!(
            refused.message.contains("still going on"),
            "{}",
            refused.message
        );
        assert!(runs.refuse_while_running().is_err());
        assert!(runs.stop(first));
        assert!(stop.stopped());
        assert!(!runs.stop(first + 1), "only the run going on stops");
        drop(running);
        assert!(!runs.stop(first), "over");
        let (second, _) = runs.begin(request("")).unwrap();
        assert_ne!(first, second);
        // The first run's results gave way.
        let gone = runs.failures(first).unwrap_err();
        assert!(gone.message.contains("no longer kept"), "{}", gone.message);
        let (asked, failed) = runs.failures(second).unwrap();
        assert_eq!(asked, request(""));
        assert!(failed.is_empty());
        let unfinished = runs.report(second, 0).unwrap_err();
        assert!(
            unfinished.message.contains("step 1"),
            "{}",
            unfinished.message
        );
    }
}

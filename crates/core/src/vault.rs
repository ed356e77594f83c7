//! The OS keychain (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows): the only place secrets are kept.
//!
//! On Linux the Secret Service is spoken to directly over D-Bus, through one
//! encrypted session per process: opening a session costs a Diffie-Hellman
//! key exchange, and a refresh touches the keychain several times, so a new
//! session per operation made the keychain most of a refresh's cost. On
//! macOS and Windows the `keyring` crate's native backends are used. Neither
//! path ever falls back to an in-memory store, so a secret "stored" here is
//! really stored.
//!
//! The one exception is chosen, never fallen into: CI mode
//! ([`Vault::keep_in_process_memory`], `callout --ci`), for a CI machine
//! that has no keychain. Every vault of the process then keeps its secrets
//! in this process's memory only: they come from the environment or stdin,
//! are never written to a file, and are gone when the process ends.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use crate::{Error, Result, Secret};

/// CI mode's secrets, by service and account; unset outside CI mode.
static PROCESS_MEMORY: OnceLock<Mutex<BTreeMap<(String, String), Secret>>> = OnceLock::new();

/// The keychain service name every Callout Lab entry is filed under.
pub(crate) const SERVICE: &str = "callout-lab";

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

    /// CI mode: from now on every vault of this process keeps its secrets
    /// in the process's memory, never in the OS keychain nor in a file
    /// (see the module's documentation). It cannot be undone.
    pub fn keep_in_process_memory() {
        let _ = PROCESS_MEMORY.set(Mutex::new(BTreeMap::new()));
    }

    /// Whether secrets are kept in the process's memory (CI mode).
    pub fn in_process_memory() -> bool {
        PROCESS_MEMORY.get().is_some()
    }

    /// Stores (or replaces) the secret under `account`.
    pub fn store(&self, account: &str, secret: &Secret) -> Result<()> {
        if let Some(memory) = PROCESS_MEMORY.get() {
            crate::locked(memory).insert(self.key(account), secret.clone());
            return Ok(());
        }
        off_the_runtime(|| platform::store(&self.service, account, secret))
            .map_err(|failure| failure.into_error("store", account))
    }

    /// Reads the secret under `account`; `Ok(None)` when there is none.
    pub fn read(&self, account: &str) -> Result<Option<Secret>> {
        if let Some(memory) = PROCESS_MEMORY.get() {
            return Ok(crate::locked(memory).get(&self.key(account)).cloned());
        }
        off_the_runtime(|| platform::read(&self.service, account))
            .map_err(|failure| failure.into_error("read", account))
    }

    /// Deletes the secret under `account`; `Ok(false)` when there was none.
    pub fn delete(&self, account: &str) -> Result<bool> {
        if let Some(memory) = PROCESS_MEMORY.get() {
            return Ok(crate::locked(memory).remove(&self.key(account)).is_some());
        }
        off_the_runtime(|| platform::delete(&self.service, account))
            .map_err(|failure| failure.into_error("delete", account))
    }

    fn key(&self, account: &str) -> (String, String) {
        (self.service.clone(), account.to_string())
    }

    /// Deletes every item filed under `account`, duplicates included (where
    /// [`read`](Self::read) and [`delete`](Self::delete) refuse to choose
    /// one); returns how many there were.
    pub fn delete_all(&self, account: &str) -> Result<usize> {
        if PROCESS_MEMORY.get().is_some() {
            return self.delete(account).map(usize::from);
        }
        platform::delete_all(&self.service, account)
            .map_err(|failure| failure.into_error("delete", account))
    }

    /// The accounts of this service that start with `prefix`, each once, in
    /// order. Where the keychain can be searched (Secret Service) that is
    /// every such entry, also kinds this version does not know; elsewhere
    /// the `known` accounts that hold something.
    pub fn accounts(&self, prefix: &str, known: &[String]) -> Result<Vec<String>> {
        if let Some(memory) = PROCESS_MEMORY.get() {
            return Ok(crate::locked(memory)
                .keys()
                .filter(|(service, account)| {
                    *service == self.service && account.starts_with(prefix)
                })
                .map(|(_, account)| account.clone())
                .collect());
        }
        platform::accounts(&self.service, prefix, known)
            .map_err(|failure| failure.into_error("list", &format!("{prefix}*")))
    }
}

/// Runs a keychain call, which blocks (an unlock prompt waits for the
/// person, up to minutes), without taking a worker from the async runtime it
/// is called on: on a multi-threaded tokio runtime the worker hands its other
/// tasks to a new thread first ([`tokio::task::block_in_place`]), so the
/// tray, the keeper and other sends go on. Every keychain call goes through
/// here, so no async caller can forget it. A current-thread runtime has no
/// other worker to hand over to: there (the CLI's one-command runtimes) the
/// call simply blocks, as it does outside any runtime.
fn off_the_runtime<T>(call: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(call)
        }
        _ => call(),
    }
}

/// The name of the keychain backend this build talks to.
pub(crate) fn backend_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else if cfg!(target_os = "windows") {
        "Windows Credential Manager"
    } else {
        "Secret Service"
    }
}

/// Why a keychain operation failed, before it is named in an [`Error`].
#[derive(Debug)]
enum Failure {
    /// No keychain to talk to, or it is locked: the user can fix that.
    Unavailable(String),
    /// The keychain answered, but not with what we asked for.
    Refused(String),
}

impl Failure {
    fn into_error(self, action: &'static str, account: &str) -> Error {
        let account = account.to_string();
        match self {
            Failure::Unavailable(detail) => Error::KeychainUnavailable {
                action,
                account,
                detail,
                hint: UNAVAILABLE_HINT,
            },
            Failure::Refused(detail) => Error::Keychain {
                action,
                account,
                detail,
            },
        }
    }
}

#[cfg(target_os = "linux")]
mod platform {
    //! The Secret Service API over D-Bus, one session per process.
    //!
    //! Items carry the attributes the `keyring` crate gives its items
    //! (service, username, target "default", application "rust-keyring"), so
    //! entries written by earlier versions are found and replaced in place.

    use std::collections::HashMap;
    use std::sync::Mutex;

    use dbus_secret_service::{EncryptionType, Error as SsError, Item, SecretService};

    use super::Failure;
    use crate::Secret;

    /// The process's open session, made on first use. `None` until then, and
    /// again after the connection broke (the keyring daemon restarted).
    static SESSION: Mutex<Option<SecretService>> = Mutex::new(None);

    /// How long an unlock prompt may wait for the user before it is
    /// dismissed and the operation fails (a locked keyring with nobody at
    /// the screen must not hang a refresh forever).
    const PROMPT_TIMEOUT_SECONDS: u64 = 120;

    /// Overrides [`PROMPT_TIMEOUT_SECONDS`]; `0` fails at once on a locked
    /// keyring instead of asking (for scripts and CI, where nobody answers).
    pub(super) const PROMPT_TIMEOUT_VARIABLE: &str = "CALLOUT_KEYCHAIN_PROMPT_SECONDS";

    fn prompt_timeout_seconds() -> u64 {
        std::env::var(PROMPT_TIMEOUT_VARIABLE)
            .ok()
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or(PROMPT_TIMEOUT_SECONDS)
    }

    const COLLECTION: &str = "default";
    const APPLICATION: &str = "rust-keyring";

    /// The pauses before each new try after a D-Bus failure. A keyring
    /// daemon that died is started again on demand, but for a moment its name
    /// may still belong to the dying one, or the new one may not answer yet
    /// (seen under load: several processes failed the single immediate
    /// retry). About 1.3 s in all before the keychain is called unavailable.
    const RETRY_PAUSES: [std::time::Duration; 3] = [
        std::time::Duration::from_millis(50),
        std::time::Duration::from_millis(250),
        std::time::Duration::from_secs(1),
    ];

    /// Runs `operation` on the process's session. A D-Bus error may mean the
    /// daemon went away mid-call or was replaced since the session was opened
    /// (it is started again on demand): the operation runs again on a new
    /// session after each of [`RETRY_PAUSES`] (every operation here is safe
    /// to repeat). That holds for a session opened just now too — a
    /// `callout` process has no other — and for opening one.
    fn with_session<T>(
        operation: impl Fn(&SecretService) -> Result<T, SsError>,
    ) -> Result<T, Failure> {
        let mut cached = crate::locked(&SESSION);
        let mut pauses = RETRY_PAUSES.iter();
        loop {
            let session = match cached.take() {
                Some(session) => session,
                None => match SecretService::connect_with_max_prompt_timeout(
                    EncryptionType::Dh,
                    prompt_timeout_seconds(),
                ) {
                    Ok(session) => session,
                    Err(error) => match pauses.next() {
                        Some(pause) if !is_locked_error(&error) => {
                            std::thread::sleep(*pause);
                            continue;
                        }
                        _ => return Err(Failure::Unavailable(error.to_string())),
                    },
                },
            };
            match operation(&session) {
                Err(error @ SsError::Dbus(_)) if !is_locked_error(&error) => match pauses.next() {
                    Some(pause) => std::thread::sleep(*pause),
                    None => return Err(failure(error)),
                },
                result => {
                    *cached = Some(session);
                    return result.map_err(failure);
                }
            }
        }
    }

    /// The Secret Service's "that is locked" answer to a call.
    fn is_locked_error(error: &SsError) -> bool {
        matches!(error, SsError::Dbus(cause)
            if cause.name() == Some("org.freedesktop.Secret.Error.IsLocked"))
    }

    fn failure(error: SsError) -> Failure {
        match error {
            SsError::Locked | SsError::Prompt => Failure::Unavailable(format!(
                "the keyring is locked and was not unlocked ({error})"
            )),
            ref locked if is_locked_error(locked) => Failure::Unavailable(format!(
                "the keyring is locked and was not unlocked ({error})"
            )),
            SsError::Unavailable | SsError::Dbus(_) | SsError::NoResult => {
                Failure::Unavailable(error.to_string())
            }
            other => Failure::Refused(other.to_string()),
        }
    }

    fn search_attributes<'a>(service: &'a str, account: &'a str) -> HashMap<&'a str, &'a str> {
        HashMap::from([
            ("target", COLLECTION),
            ("service", service),
            ("username", account),
        ])
    }

    /// The one item filed under `service`/`account`, unlocked; `None` when
    /// there is none.
    fn find<'s>(
        session: &'s SecretService,
        service: &str,
        account: &str,
    ) -> Result<Found<'s>, SsError> {
        let search = session.search_items(search_attributes(service, account))?;
        let count = search.unlocked.len() + search.locked.len();
        if count > 1 {
            return Ok(Found::Several(count));
        }
        if let Some(item) = search.unlocked.into_iter().next() {
            return Ok(Found::One(item));
        }
        match search.locked.into_iter().next() {
            Some(item) => {
                item.unlock()?;
                Ok(Found::One(item))
            }
            None => Ok(Found::Nothing),
        }
    }

    enum Found<'s> {
        Nothing,
        One(Item<'s>),
        Several(usize),
    }

    fn ambiguous(count: usize, service: &str, account: &str) -> Failure {
        Failure::Refused(format!(
            "{count} keychain items are filed under service \"{service}\" and account \
             \"{account}\"; remove all but one (for example with Seahorse)"
        ))
    }

    pub(super) fn store(service: &str, account: &str, secret: &Secret) -> Result<(), Failure> {
        let mut attributes = search_attributes(service, account);
        attributes.insert("application", APPLICATION);
        let label = format!("{account}@{service}:{COLLECTION}");
        with_session(|session| {
            let collection = session.get_default_collection()?;
            // `replace`: an item with the same attributes gets the new secret.
            let create = || {
                collection.create_item(
                    &label,
                    attributes.clone(),
                    secret.expose().as_bytes(),
                    true,
                    "text/plain",
                )
            };
            match create() {
                Err(error) if is_locked_error(&error) => {
                    // Ask for the keyring's password, then try again.
                    collection.unlock()?;
                    create()?;
                }
                other => {
                    other?;
                }
            }
            Ok(())
        })
    }

    pub(super) fn read(service: &str, account: &str) -> Result<Option<Secret>, Failure> {
        let bytes = with_session(|session| match find(session, service, account)? {
            Found::Nothing => Ok(Ok(None)),
            Found::One(item) => Ok(Ok(Some(item.get_secret()?))),
            Found::Several(count) => Ok(Err(ambiguous(count, service, account))),
        })??;
        bytes
            .map(|bytes| {
                String::from_utf8(bytes).map(Secret::new).map_err(|_| {
                    Failure::Refused("the stored secret is not UTF-8 text".to_string())
                })
            })
            .transpose()
    }

    pub(super) fn delete(service: &str, account: &str) -> Result<bool, Failure> {
        with_session(|session| match find(session, service, account)? {
            Found::Nothing => Ok(Ok(false)),
            Found::One(item) => {
                item.delete()?;
                Ok(Ok(true))
            }
            Found::Several(count) => Ok(Err(ambiguous(count, service, account))),
        })?
    }

    pub(super) fn delete_all(service: &str, account: &str) -> Result<usize, Failure> {
        with_session(|session| {
            let search = session.search_items(search_attributes(service, account))?;
            let mut deleted = 0;
            for item in search.unlocked {
                item.delete()?;
                deleted += 1;
            }
            for item in search.locked {
                item.unlock()?;
                item.delete()?;
                deleted += 1;
            }
            Ok(deleted)
        })
    }

    pub(super) fn accounts(
        service: &str,
        prefix: &str,
        _known: &[String],
    ) -> Result<Vec<String>, Failure> {
        with_session(|session| {
            let search = session.search_items(HashMap::from([
                ("target", COLLECTION),
                ("service", service),
            ]))?;
            let mut accounts = Vec::new();
            for item in search.unlocked.iter().chain(&search.locked) {
                if let Some(account) = item.get_attributes()?.remove("username")
                    && account.starts_with(prefix)
                {
                    accounts.push(account);
                }
            }
            accounts.sort();
            accounts.dedup();
            Ok(accounts)
        })
    }
}

#[cfg(not(target_os = "linux"))]
mod platform {
    //! The `keyring` crate's native backends (macOS Keychain, Windows
    //! Credential Manager).

    use super::Failure;
    use crate::Secret;

    fn entry(service: &str, account: &str) -> Result<keyring::Entry, Failure> {
        keyring::Entry::new(service, account).map_err(failure)
    }

    fn failure(error: keyring::Error) -> Failure {
        match error {
            keyring::Error::NoStorageAccess(cause) | keyring::Error::PlatformFailure(cause) => {
                Failure::Unavailable(cause.to_string())
            }
            other => Failure::Refused(other.to_string()),
        }
    }

    pub(super) fn store(service: &str, account: &str, secret: &Secret) -> Result<(), Failure> {
        entry(service, account)?
            .set_password(secret.expose())
            .map_err(failure)
    }

    pub(super) fn read(service: &str, account: &str) -> Result<Option<Secret>, Failure> {
        match entry(service, account)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(failure(error)),
        }
    }

    pub(super) fn delete(service: &str, account: &str) -> Result<bool, Failure> {
        match entry(service, account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(error) => Err(failure(error)),
        }
    }

    /// One item per account here: the native keychains keep no duplicates.
    pub(super) fn delete_all(service: &str, account: &str) -> Result<usize, Failure> {
        delete(service, account).map(usize::from)
    }

    /// The native keychains are not searched: the known accounts that hold
    /// something (readable or not).
    pub(super) fn accounts(
        service: &str,
        prefix: &str,
        known: &[String],
    ) -> Result<Vec<String>, Failure> {
        let mut accounts = Vec::new();
        for account in known.iter().filter(|account| account.starts_with(prefix)) {
            match entry(service, account)?.get_secret() {
                Err(keyring::Error::NoEntry) => {}
                Ok(_) | Err(keyring::Error::BadEncoding(_)) => accounts.push(account.clone()),
                Err(error) => return Err(failure(error)),
            }
        }
        accounts.sort();
        accounts.dedup();
        Ok(accounts)
    }
}

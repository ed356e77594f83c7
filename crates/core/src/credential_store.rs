//! Where credentials are kept: definitions in `credentials.toml` (readable,
//! no secrets), secrets in the OS keychain only.
//!
//! # The file
//! `[[credentials]]` tables in the config directory. Writes are atomic: the
//! new text goes to a temporary file in the same directory, is flushed to
//! disk, and is renamed over the old file, so a crash leaves either the old
//! file or the new one. A file someone broke by hand is reported with its
//! line and column and never overwritten.
//!
//! # The keychain
//! Under the home's service name, per credential (names lower-cased, as
//! names match ignoring case):
//!
//! | account | holds |
//! | --- | --- |
//! | `NAME/client-secret` | the client secret |
//! | `NAME/private-key` | the PEM private key a JWT bearer credential signs with |
//! | `NAME/authorization` | JSON: per identity (the named principal, or each user label of a per-user credential) the token set (access, refresh, type, scopes, issued-at, expiry and its source), the password-flow login, and the "needs re-authorization" reason |
//!
//! The access and refresh tokens of an identity sit in one entry, so a
//! rotated refresh token and its access token are replaced together in a
//! single keychain write: there is no moment where one is new and the other
//! old. Writers hold the credential's refresh lock (see [`crate::lock`]).
//!
//! # Adding, renaming, removing
//! Each holds the refresh lock of every name it touches (a rename: both, in
//! name order), then the file's lock, for its whole run: no refresh writes
//! tokens in between, and no other process defines the same name, so undoing
//! a failed step only ever removes what this process stored. Entries found
//! under a name no credential has (a block deleted from the file by hand, a
//! removal whose keychain delete failed) are removed before a credential of
//! that name is added, and the answer says so. An entry that cannot be read
//! (not text, duplicated, or a format this version does not know) makes the
//! credential "broken" rather than failing every list; [`CredentialStore::repair`]
//! removes it, and authorizing again replaces it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::credential::{Credential, CredentialFile, CredentialSet, IdentityType};
use crate::endpoint::Target;
use crate::entry_copies::EntryCopies;
use crate::home::{self, Home};
use crate::lock::{FileLock, RefreshLocks};
use crate::source::line_and_column;
use crate::token::{ExpirySource, TokenSet};
use crate::vault::Vault;
use crate::{Error, Result, Secret};

const FILE_HEADER: &str = "# Callout Lab credentials: definitions only. Client secrets and tokens \
     live in the OS keychain, never here.\n# Edit with `callout credential` or by hand.\n\n";

/// Credential definitions and their secrets, for one [`Home`].
#[derive(Debug, Clone)]
pub struct CredentialStore {
    home: Home,
    vault: Vault,
    /// What this process last read or wrote of each entry (see
    /// [`crate::entry_copies`]); every keychain call of the store goes
    /// through it, so every write is stamped.
    copies: EntryCopies,
}

/// Which token set of a credential: the named principal's, or one user's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Identity {
    NamedPrincipal,
    User(String),
}

impl Identity {
    /// The identity a credential uses for `user`: its named principal, or
    /// (per-user) the given label, else the login name of this OS user.
    pub fn for_credential(credential: &Credential, user: Option<&str>) -> Identity {
        match credential.identity_type {
            IdentityType::PerUser => Identity::User(
                user.map(str::to_string)
                    .or_else(|| std::env::var("USER").ok())
                    .or_else(|| std::env::var("USERNAME").ok())
                    .unwrap_or_else(|| "default".to_string()),
            ),
            IdentityType::NamedPrincipal | IdentityType::Anonymous => Identity::NamedPrincipal,
        }
    }

    /// The identity as a stable string key (how its tokens are filed).
    pub(crate) fn key(&self) -> String {
        match self {
            Identity::NamedPrincipal => "named".to_string(),
            Identity::User(label) => format!("user:{label}"),
        }
    }

    /// The identity filed under `key` (see [`key`](Self::key)).
    fn from_key(key: &str) -> Identity {
        match key.strip_prefix("user:") {
            Some(label) => Identity::User(label.to_string()),
            None => Identity::NamedPrincipal,
        }
    }
}

/// The authorization state of one identity of a credential.
#[derive(Debug, Clone, Default)]
pub struct Authorization {
    pub tokens: Option<TokenSet>,
    /// The login of a password-flow credential, to mint new tokens with.
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// Why only a new authorization helps (set on `invalid_grant`).
    pub needs_reauthorization: Option<String>,
}

impl CredentialStore {
    pub fn new(home: Home) -> Self {
        let vault = home.vault();
        let copies = EntryCopies::new(home.locks_dir());
        Self {
            home,
            vault,
            copies,
        }
    }

    pub fn home(&self) -> &Home {
        &self.home
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// Every credential in the file (none when there is no file yet).
    pub fn load(&self) -> Result<CredentialSet> {
        CredentialSet::new(read_definitions(&self.home.credentials_file())?)
    }

    /// The credentials a send to `target` needs: the file's when the URL
    /// names a credential, none for a plain URL (which then sends even
    /// beside a definitions file that does not read).
    pub fn load_for(&self, target: &Target<'_>) -> Result<CredentialSet> {
        match target.credential {
            Some(_) => self.load(),
            None => Ok(CredentialSet::default()),
        }
    }

    /// The credential called `name` (ignoring case).
    pub fn get(&self, name: &str) -> Result<Credential> {
        self.load()?.get(name).cloned()
    }

    /// Adds a definition; a credential of that name must not exist yet.
    /// Keychain entries left under its name (by a definition deleted from
    /// the file by hand, or a removal whose keychain delete failed) are
    /// removed first, so the new credential never inherits an old client
    /// secret or old tokens; the answer says what was found.
    pub fn add(&self, credential: Credential) -> Result<Leftovers> {
        self.add_with_secrets(credential, &NewSecrets::default())
    }

    /// [`add`](Self::add), storing `secrets` in the keychain before the
    /// definition is written. Everything happens under the credential's
    /// refresh lock and the file's lock: while they are held no other
    /// process can define this name, so undoing a failed add only ever
    /// removes what this call stored.
    pub fn add_with_secrets(
        &self,
        credential: Credential,
        secrets: &NewSecrets,
    ) -> Result<Leftovers> {
        let _refresh = self.refresh_lock(&credential.name)?;
        let _file = self.file_lock()?;
        let path = self.home.credentials_file();
        let mut credentials = read_definitions(&path)?;
        if let Some(existing) = credentials.iter().find(|c| c.is_named(&credential.name)) {
            return Err(already_exists(&credential.name, &existing.name));
        }
        credentials.push(credential.clone());
        let set = CredentialSet::new(credentials)?;
        let leftovers = self.clear_leftovers(&credential.name)?;
        let written = self
            .store_new_secrets(&credential.name, secrets)
            .and_then(|()| write_set(&path, &set));
        if let Err(error) = written {
            let _ = self.forget_secrets(&credential.name);
            return Err(error);
        }
        Ok(leftovers)
    }

    fn store_new_secrets(&self, name: &str, secrets: &NewSecrets) -> Result<()> {
        if let Some(secret) = &secrets.client_secret {
            self.set_client_secret(name, secret)?;
        }
        if let Some(pem) = &secrets.private_key {
            self.set_private_key(name, pem)?;
        }
        if let Some(pem) = &secrets.client_key {
            self.set_client_key(name, pem)?;
        }
        Ok(())
    }

    /// Replaces the definition of the credential of the same name.
    pub fn update(&self, credential: Credential) -> Result<()> {
        self.edit(|credentials| {
            let index = index_of(credentials, &credential.name)?;
            credentials[index] = credential;
            Ok(())
        })
    }

    /// Renames credential `previous` to `credential.name`, with
    /// `credential`'s definition. Every keychain entry moves as it is
    /// stored (client secret, private key, and the authorization of every
    /// identity: the named principal and each user of a per-user
    /// credential), under the refresh locks of both names (taken in name
    /// order) and the file's lock, so no refresh can rotate a token between
    /// the copy and the removal. Entries left under the new name are
    /// removed first, as by [`add`](Self::add). A name that only changes
    /// case is an update: entries are filed ignoring case.
    pub fn rename(&self, previous: &str, credential: Credential) -> Result<Leftovers> {
        if credential.is_named(previous) {
            self.update(credential.clone())?;
            return Ok(Leftovers::none(&credential.name));
        }
        let mut names = [
            previous.to_ascii_lowercase(),
            credential.name.to_ascii_lowercase(),
        ];
        names.sort();
        let _first = self.refresh_lock(&names[0])?;
        let _second = self.refresh_lock(&names[1])?;
        let _file = self.file_lock()?;
        let path = self.home.credentials_file();
        let mut credentials = read_definitions(&path)?;
        let index = index_of(&credentials, previous)?;
        if let Some(existing) = credentials.iter().find(|c| c.is_named(&credential.name)) {
            return Err(already_exists(&credential.name, &existing.name));
        }
        let old_name = std::mem::replace(&mut credentials[index], credential.clone()).name;
        let set = CredentialSet::new(credentials)?;
        let leftovers = self.clear_leftovers(&credential.name)?;
        let moved = self.accounts_of(&old_name)?;
        let copied = moved
            .iter()
            .try_for_each(|from| self.copy_entry(from, &old_name, &credential.name))
            .and_then(|()| write_set(&path, &set));
        if let Err(error) = copied {
            // Nobody else can define the new name while the locks are held.
            let _ = self.forget_secrets(&credential.name);
            return Err(error);
        }
        for from in &moved {
            self.copies.write(&self.vault, from, None)?;
        }
        Ok(leftovers)
    }

    /// Copies the keychain entry `from` of credential `old` to the same
    /// kind of entry of `new`, unchanged.
    fn copy_entry(&self, from: &str, old: &str, new: &str) -> Result<()> {
        let kind = from.strip_prefix(&prefix(old)).unwrap_or(from).to_string();
        match self.copies.read_fresh(&self.vault, from)? {
            Some(secret) => self
                .copies
                .write(&self.vault, &account(new, &kind), Some(&secret)),
            None => Ok(()),
        }
    }

    /// Removes a definition and every keychain entry of it, under the
    /// credential's refresh lock (a refresh in flight finishes first, and
    /// none can write its tokens back afterwards). The keychain goes first:
    /// when an entry cannot be removed, the definition stays, for another
    /// try, instead of leaving entries nobody knows about.
    pub fn remove(&self, name: &str) -> Result<Credential> {
        let _refresh = self.refresh_lock(name)?;
        let _file = self.file_lock()?;
        let path = self.home.credentials_file();
        let mut credentials = read_definitions(&path)?;
        let index = index_of(&credentials, name)?;
        self.forget_secrets(&credentials[index].name)?;
        let removed = credentials.remove(index);
        write_set(&path, &CredentialSet::new(credentials)?)?;
        Ok(removed)
    }

    /// Deletes every keychain entry of credential `name` (duplicates and
    /// kinds this version does not know included).
    pub fn forget_secrets(&self, name: &str) -> Result<()> {
        for account in self.accounts_of(name)? {
            self.copies.write(&self.vault, &account, None)?;
        }
        Ok(())
    }

    /// Removes the keychain entries of credential `name` that cannot be
    /// read: not text, several items filed under one account, or an
    /// authorization this version cannot decode (written by a newer one,
    /// or edited by hand). Readable entries stay. Returns the accounts
    /// removed; afterwards the credential can be authorized again (and a
    /// removed client secret or private key entered again).
    pub fn repair(&self, name: &str) -> Result<Vec<String>> {
        let credential = self.get(name)?;
        let _refresh = self.refresh_lock(&credential.name)?;
        let authorization = account(&credential.name, AUTHORIZATION);
        let mut removed = Vec::new();
        for account in self.accounts_of(&credential.name)? {
            let unreadable = match self.copies.read_fresh(&self.vault, &account) {
                Err(Error::Keychain { .. }) => true,
                Err(other) => return Err(other),
                Ok(Some(secret)) if account == authorization => {
                    decode_entry(&credential.name, &secret).is_err()
                }
                Ok(_) => false,
            };
            if unreadable {
                self.copies.write(&self.vault, &account, None)?;
                removed.push(account);
            }
        }
        Ok(removed)
    }

    /// The identities credential `name` holds an authorization for.
    pub fn identities(&self, name: &str) -> Result<Vec<Identity>> {
        Ok(self
            .read_entry(name, Read::Keychain)?
            .identities
            .keys()
            .map(|key| Identity::from_key(key))
            .collect())
    }

    /// Every keychain account of credential `name`.
    fn accounts_of(&self, name: &str) -> Result<Vec<String>> {
        let known: Vec<String> = KINDS.iter().map(|kind| account(name, kind)).collect();
        self.vault.accounts(&prefix(name), &known)
    }

    /// Removes what the keychain holds under `name` (which no credential
    /// has): call with the name's refresh lock and the file's lock held.
    fn clear_leftovers(&self, name: &str) -> Result<Leftovers> {
        let accounts = self.accounts_of(name)?;
        for account in &accounts {
            self.copies.write(&self.vault, account, None)?;
        }
        Ok(Leftovers {
            name: name.to_string(),
            accounts,
        })
    }

    /// The cross-process refresh lock of credential `name` (the file lock
    /// every writer of its tokens holds, see [`crate::lock`]).
    fn refresh_lock(&self, name: &str) -> Result<FileLock> {
        FileLock::exclusive(&RefreshLocks::new(self.home.locks_dir()).path(name))
    }

    /// The lock every change of the credentials file is made under.
    fn file_lock(&self) -> Result<FileLock> {
        FileLock::exclusive(&self.home.locks_dir().join("credentials-file.lock"))
    }

    /// Read, change and write the file under its lock; a file that cannot be
    /// read is reported and left alone.
    fn edit(&self, change: impl FnOnce(&mut Vec<Credential>) -> Result<()>) -> Result<()> {
        let path = self.home.credentials_file();
        let _lock = self.file_lock()?;
        let mut credentials = read_definitions(&path)?;
        change(&mut credentials)?;
        write_set(&path, &CredentialSet::new(credentials)?)
    }

    pub fn set_client_secret(&self, name: &str, secret: &Secret) -> Result<()> {
        self.store_secret(name, CLIENT_SECRET, Some(secret))
    }

    pub fn client_secret(&self, name: &str) -> Result<Option<Secret>> {
        self.copies
            .read_fresh(&self.vault, &account(name, CLIENT_SECRET))
    }

    /// [`client_secret`](Self::client_secret) as this process last read or
    /// wrote it, when nobody has changed it since (see
    /// [`crate::entry_copies`]): no keychain call then.
    pub fn known_client_secret(&self, name: &str) -> Result<Option<Secret>> {
        self.copies.read(&self.vault, &account(name, CLIENT_SECRET))
    }

    /// Stores the private key (PEM) a JWT bearer credential signs with.
    pub fn set_private_key(&self, name: &str, pem: &Secret) -> Result<()> {
        self.store_secret(name, PRIVATE_KEY, Some(pem))
    }

    pub fn private_key(&self, name: &str) -> Result<Option<Secret>> {
        self.copies
            .read_fresh(&self.vault, &account(name, PRIVATE_KEY))
    }

    /// Stores the private key (PEM) of the credential's client certificate.
    pub fn set_client_key(&self, name: &str, pem: &Secret) -> Result<()> {
        self.store_secret(name, CLIENT_KEY, Some(pem))
    }

    pub fn client_key(&self, name: &str) -> Result<Option<Secret>> {
        self.copies
            .read_fresh(&self.vault, &account(name, CLIENT_KEY))
    }

    /// Deletes the client certificate's private key, if one is stored.
    pub fn forget_client_key(&self, name: &str) -> Result<()> {
        self.store_secret(name, CLIENT_KEY, None)
    }

    fn store_secret(&self, name: &str, kind: &str, secret: Option<&Secret>) -> Result<()> {
        self.copies.write(&self.vault, &account(name, kind), secret)
    }

    /// The authorization state of one identity (empty when never authorized).
    pub fn authorization(&self, name: &str, identity: &Identity) -> Result<Authorization> {
        Ok(identity_in(
            &self.read_entry(name, Read::Keychain)?,
            identity,
        ))
    }

    /// [`authorization`](Self::authorization) as this process last read or
    /// wrote it, when nobody has changed it since (see
    /// [`crate::entry_copies`]): no keychain call then.
    pub fn known_authorization(&self, name: &str, identity: &Identity) -> Result<Authorization> {
        Ok(identity_in(&self.read_entry(name, Read::Known)?, identity))
    }

    /// Replaces the authorization state of one identity in one keychain
    /// write. Call with the credential's refresh lock held.
    pub fn set_authorization(
        &self,
        name: &str,
        identity: &Identity,
        authorization: &Authorization,
    ) -> Result<()> {
        // The other identities' tokens are kept as they are: the entry as
        // last seen, unless someone has written it since.
        let mut entry = self.read_entry(name, Read::Known)?;
        entry
            .identities
            .insert(identity.key(), IdentityRecord::from(authorization));
        self.write_entry(name, &entry)
    }

    /// Changes one identity's authorization after a person authorized it
    /// again, and returns it. An entry that cannot be read (see
    /// [`repair`](Self::repair)) is replaced by one holding only this
    /// identity: its tokens could not be used anyway, and re-authorizing is
    /// how a person repairs it. Call with the credential's refresh lock held.
    pub fn reauthorize(
        &self,
        name: &str,
        identity: &Identity,
        change: impl FnOnce(&mut Authorization),
    ) -> Result<Authorization> {
        let mut entry = match self.read_entry(name, Read::Keychain) {
            Ok(entry) => entry,
            Err(Error::Keychain { .. }) => {
                self.store_secret(name, AUTHORIZATION, None)?;
                AuthorizationEntry::default()
            }
            Err(other) => return Err(other),
        };
        let mut authorization = entry
            .identities
            .get(&identity.key())
            .map(Authorization::from)
            .unwrap_or_default();
        change(&mut authorization);
        entry
            .identities
            .insert(identity.key(), IdentityRecord::from(&authorization));
        self.write_entry(name, &entry)?;
        Ok(authorization)
    }

    fn write_entry(&self, name: &str, entry: &AuthorizationEntry) -> Result<()> {
        let json = serde_json::to_string(entry).map_err(|error| Error::Keychain {
            action: "store",
            account: account(name, AUTHORIZATION),
            detail: format!("the token set could not be encoded: {error}"),
        })?;
        self.store_secret(name, AUTHORIZATION, Some(&Secret::new(json)))
    }

    fn read_entry(&self, name: &str, read: Read) -> Result<AuthorizationEntry> {
        let account = account(name, AUTHORIZATION);
        let stored = match read {
            Read::Keychain => self.copies.read_fresh(&self.vault, &account)?,
            Read::Known => self.copies.read(&self.vault, &account)?,
        };
        match stored {
            None => Ok(AuthorizationEntry::default()),
            Some(json) => decode_entry(name, &json),
        }
    }
}

/// Where an entry is read from.
#[derive(Debug, Clone, Copy)]
enum Read {
    /// The keychain itself.
    Keychain,
    /// This process's copy when nobody has written the entry since, else
    /// the keychain.
    Known,
}

/// One identity's authorization in a credential's entry (empty when it has none).
fn identity_in(entry: &AuthorizationEntry, identity: &Identity) -> Authorization {
    entry
        .identities
        .get(&identity.key())
        .map(Authorization::from)
        .unwrap_or_default()
}

/// The `NAME/authorization` entry of credential `name`, decoded.
fn decode_entry(name: &str, json: &Secret) -> Result<AuthorizationEntry> {
    serde_json::from_str(json.expose()).map_err(|error| Error::Keychain {
        action: "read",
        account: account(name, AUTHORIZATION),
        detail: format!(
            "the stored token set is not readable ({}); authorize it again, or repair the \
             credential to remove the entry (`callout credential repair {name}`)",
            error.classify_name()
        ),
    })
}

/// What the keychain held under a name no credential had, found and removed
/// when a credential of that name was added (or renamed to it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Leftovers {
    /// The name as the new credential spells it.
    pub name: String,
    /// The accounts removed (`name/client-secret`, ...).
    pub accounts: Vec<String>,
}

impl Leftovers {
    fn none(name: &str) -> Self {
        Self {
            name: name.to_string(),
            accounts: Vec::new(),
        }
    }

    /// "Keychain entries from an earlier credential named X were found and
    /// removed (client secret, authorization)"; `None` when there were none.
    pub fn describe(&self) -> Option<String> {
        if self.accounts.is_empty() {
            return None;
        }
        let kinds: Vec<&str> = self
            .accounts
            .iter()
            .map(|account| {
                account
                    .split_once('/')
                    .map_or(account.as_str(), |(_, kind)| kind)
            })
            .map(|kind| match kind {
                CLIENT_SECRET => "client secret",
                PRIVATE_KEY => "private key",
                AUTHORIZATION => "tokens",
                other => other,
            })
            .collect();
        let (entries, were) = if self.accounts.len() == 1 {
            ("a keychain entry", "was")
        } else {
            ("keychain entries", "were")
        };
        Some(format!(
            "{entries} from an earlier credential named {} ({}) {were} found and removed; \
             the new credential does not use them",
            self.name,
            kinds.join(", ")
        ))
    }
}

/// The secrets a credential is added with, stored in the keychain only.
#[derive(Debug, Default)]
pub struct NewSecrets {
    pub client_secret: Option<Secret>,
    /// The PEM private key of a JWT bearer credential.
    pub private_key: Option<Secret>,
    /// The PEM private key of the credential's client certificate.
    pub client_key: Option<Secret>,
}

/// Where credential `name` is in `credentials` (ignoring case), or an
/// unknown-credential error listing the names there are.
fn index_of(credentials: &[Credential], name: &str) -> Result<usize> {
    credentials
        .iter()
        .position(|c| c.is_named(name))
        .ok_or_else(|| Error::UnknownCredential {
            name: name.to_string(),
            known: credentials.iter().map(|c| c.name.clone()).collect(),
        })
}

fn already_exists(name: &str, existing: &str) -> Error {
    Error::InvalidCredential {
        name: name.to_string(),
        reason: format!("a credential named \"{existing}\" already exists; remove it first"),
    }
}

fn write_set(path: &Path, set: &CredentialSet) -> Result<()> {
    write_definitions(path, &set.iter().cloned().collect::<Vec<_>>())
}

const CLIENT_SECRET: &str = "client-secret";
const AUTHORIZATION: &str = "authorization";
const PRIVATE_KEY: &str = "private-key";
const CLIENT_KEY: &str = "client-key";

/// Every kind of keychain entry a credential may have.
const KINDS: [&str; 4] = [CLIENT_SECRET, PRIVATE_KEY, AUTHORIZATION, CLIENT_KEY];

fn account(name: &str, what: &str) -> String {
    format!("{}{what}", prefix(name))
}

/// What every account of credential `name` starts with (names hold no `/`).
fn prefix(name: &str) -> String {
    format!("{}/", name.to_ascii_lowercase())
}

/// serde_json's error category, without the text (which may quote a secret).
trait Classify {
    fn classify_name(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "broken JSON",
            serde_json::error::Category::Data => "unexpected fields",
            serde_json::error::Category::Eof => "truncated JSON",
        }
    }
}

/// The keychain entry `NAME/authorization`. No `Debug`: it holds raw tokens.
#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthorizationEntry {
    #[serde(default)]
    identities: BTreeMap<String, IdentityRecord>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdentityRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tokens: Option<TokenRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    needs_reauthorization: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenRecord {
    access_token: String,
    token_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    /// Seconds since the Unix epoch.
    issued_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<u64>,
    expiry_source: StoredExpirySource,
    #[serde(default)]
    is_jwt: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    instance_url: Option<String>,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum StoredExpirySource {
    ExpiresIn,
    JwtExp,
    Introspection,
    Unknown,
}

impl From<ExpirySource> for StoredExpirySource {
    fn from(source: ExpirySource) -> Self {
        match source {
            ExpirySource::ExpiresIn => Self::ExpiresIn,
            ExpirySource::JwtExp => Self::JwtExp,
            ExpirySource::Introspection => Self::Introspection,
            ExpirySource::Unknown => Self::Unknown,
        }
    }
}

impl From<StoredExpirySource> for ExpirySource {
    fn from(source: StoredExpirySource) -> Self {
        match source {
            StoredExpirySource::ExpiresIn => Self::ExpiresIn,
            StoredExpirySource::JwtExp => Self::JwtExp,
            StoredExpirySource::Introspection => Self::Introspection,
            StoredExpirySource::Unknown => Self::Unknown,
        }
    }
}

fn unix(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// `None` for a time beyond what the clock can hold (an entry written by
/// something else, or damaged): read as an unknown expiry, never a panic.
fn from_unix(seconds: u64) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

impl From<&TokenSet> for TokenRecord {
    fn from(tokens: &TokenSet) -> Self {
        Self {
            access_token: tokens.access_token.expose().to_string(),
            token_type: tokens.token_type.clone(),
            refresh_token: tokens
                .refresh_token
                .as_ref()
                .map(|t| t.expose().to_string()),
            id_token: tokens.id_token.as_ref().map(|t| t.expose().to_string()),
            scopes: tokens.scopes.clone(),
            issued_at: unix(tokens.issued_at),
            expires_at: tokens.expires_at.map(unix),
            expiry_source: tokens.expiry_source.into(),
            is_jwt: tokens.is_jwt,
            instance_url: tokens.instance_url.clone(),
        }
    }
}

impl From<&TokenRecord> for TokenSet {
    fn from(record: &TokenRecord) -> Self {
        Self {
            access_token: Secret::new(record.access_token.clone()),
            token_type: record.token_type.clone(),
            refresh_token: record.refresh_token.clone().map(Secret::new),
            id_token: record.id_token.clone().map(Secret::new),
            scopes: record.scopes.clone(),
            issued_at: from_unix(record.issued_at).unwrap_or(UNIX_EPOCH),
            expires_at: record.expires_at.and_then(from_unix),
            expiry_source: match record.expires_at.and_then(from_unix) {
                Some(_) => record.expiry_source.into(),
                None => ExpirySource::Unknown,
            },
            is_jwt: record.is_jwt,
            instance_url: record.instance_url.clone(),
        }
    }
}

impl From<&IdentityRecord> for Authorization {
    fn from(record: &IdentityRecord) -> Self {
        Self {
            tokens: record.tokens.as_ref().map(TokenSet::from),
            username: record.username.clone(),
            password: record.password.clone().map(Secret::new),
            needs_reauthorization: record.needs_reauthorization.clone(),
        }
    }
}

impl From<&Authorization> for IdentityRecord {
    fn from(authorization: &Authorization) -> Self {
        Self {
            tokens: authorization.tokens.as_ref().map(TokenRecord::from),
            username: authorization.username.clone(),
            password: authorization
                .password
                .as_ref()
                .map(|p| p.expose().to_string()),
            needs_reauthorization: authorization.needs_reauthorization.clone(),
        }
    }
}

/// The definitions in `path`; none when the file does not exist.
pub fn read_definitions(path: &Path) -> Result<Vec<Credential>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(Error::Storage {
                action: "read",
                path: path.display().to_string(),
                detail: error.to_string(),
            });
        }
    };
    parse_definitions(path, &text)
}

/// Parses the text of a credentials file; errors carry line and column.
pub fn parse_definitions(path: &Path, text: &str) -> Result<Vec<Credential>> {
    match toml::from_str::<CredentialFile>(text) {
        Ok(file) => Ok(file.credentials),
        Err(error) => {
            let (line, column) = error
                .span()
                .map_or((1, 1), |span| line_and_column(text, span.start));
            Err(Error::CredentialsFile {
                path: path.display().to_string(),
                line,
                column,
                message: error.message().trim().to_string(),
            })
        }
    }
}

/// Writes the definitions atomically.
pub fn write_definitions(path: &Path, credentials: &[Credential]) -> Result<()> {
    let file = CredentialFile {
        credentials: credentials.to_vec(),
    };
    let text = toml::to_string(&file).map_err(|error| Error::Storage {
        action: "write",
        path: path.display().to_string(),
        detail: format!("the definitions could not be written as TOML: {error}"),
    })?;
    write_atomically(path, format!("{FILE_HEADER}{text}").as_bytes())
}

/// Replaces `path` with `bytes` so that a reader (or a crash) sees either
/// the old content or the new one: write a temporary file in the same
/// directory, flush it to disk, rename it over `path`, flush the directory.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically_with(path, bytes, |file, bytes| file.write_all(bytes))
}

/// [`write_atomically`] with the temporary file's content written by
/// `write` (the tests make it fail midway).
fn write_atomically_with(
    path: &Path,
    bytes: &[u8],
    write: impl FnOnce(&mut std::fs::File, &[u8]) -> std::io::Result<()>,
) -> Result<()> {
    let storage = |action: &'static str, error: std::io::Error| Error::Storage {
        action,
        path: path.display().to_string(),
        detail: error.to_string(),
    };
    let dir = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    home::create_dir(dir)?;
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let temp = dir.join(format!(
        ".{file_name}.{}.{}.tmp",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        write(&mut file, bytes)?;
        file.sync_all()
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(storage("write", error));
    }
    if let Err(error) = std::fs::rename(&temp, path) {
        let _ = std::fs::remove_file(&temp);
        return Err(storage("replace", error));
    }
    sync_dir(dir);
    Ok(())
}

/// Flushes a directory entry change to disk where the platform allows it.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{AuthProtocol, ClientAuth};

    fn sample() -> Credential {
        let mut credential = Credential::new("Sales_API", "https://example.my.salesforce.com");
        credential.protocol = AuthProtocol::ClientCredentials;
        credential.client_id = Some("client-1".into());
        credential.client_auth = ClientAuth::Body;
        credential.scopes = vec!["api".into(), "refresh_token".into()];
        credential.token_url = Some("https://login.example/token".into());
        credential.salesforce.additional_refresh_status_codes = vec![403];
        credential
    }

    #[test]
    fn definitions_round_trip_through_a_readable_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials.toml");
        write_definitions(&path, &[sample()]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# Callout Lab credentials"), "{text}");
        assert!(text.contains("[[credentials]]"), "{text}");
        assert!(text.contains("name = \"Sales_API\""), "{text}");
        assert!(text.contains("clientAuth = \"body\""), "{text}");
        assert_eq!(read_definitions(&path).unwrap(), vec![sample()]);
    }

    #[test]
    fn a_missing_file_is_an_empty_list() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            read_definitions(&dir.path().join("none.toml"))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_broken_file_is_reported_with_line_and_column() {
        let text = "[[credentials]]\nname = \"A\"\nendpoint = https://a.example\n";
        let error = parse_definitions(Path::new("/home/x/credentials.toml"), text).unwrap_err();
        match &error {
            Error::CredentialsFile { line, column, .. } => {
                assert_eq!((*line, *column), (3, 12), "{error}");
            }
            other => panic!("unexpected error {other:?}"),
        }
        let message = error.to_string();
        assert!(
            message.starts_with(
                "credentials file /home/x/credentials.toml is broken at line 3, column 12: "
            ),
            "{message}"
        );
        assert!(message.contains("does not overwrite"), "{message}");
    }

    #[test]
    fn a_wrong_type_is_reported_where_it_is() {
        let text = "[[credentials]]\nname = \"A\"\nendpoint = \"https://a.example\"\nkeepAliveSeconds = \"often\"\n";
        let error = parse_definitions(Path::new("c.toml"), text).unwrap_err();
        assert!(
            matches!(error, Error::CredentialsFile { line: 4, .. }),
            "{error}"
        );
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_and_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_and_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_and_column("é\nx", 1), (1, 1));
        assert_eq!(line_and_column("ab", 99), (1, 3));
    }

    #[test]
    fn an_atomic_write_replaces_the_whole_file_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/file.toml");
        write_atomically(&path, b"first version, rather long\n").unwrap();
        write_atomically(&path, b"second\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second\n");
        let names: Vec<String> = std::fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["file.toml"]);
    }

    /// The names in `dir`, sorted.
    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn an_atomic_write_that_fails_midway_keeps_the_old_file_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file.toml");
        write_atomically(&path, b"old\n").unwrap();
        // The disk fills up after the first bytes of the new content.
        let error = write_atomically_with(&path, b"new, and longer\n", |file, bytes| {
            file.write_all(&bytes[..4])?;
            Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "no space left on device",
            ))
        })
        .unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("could not write"), "{message}");
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("no space left"), "{message}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old\n");
        assert_eq!(names_in(dir.path()), ["file.toml"]);
    }

    #[test]
    fn an_atomic_write_whose_rename_fails_leaves_the_target_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be cannot be replaced by a rename.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir_all(blocked.join("inner")).unwrap();
        let error = write_atomically(&blocked, b"new\n").unwrap_err();
        assert!(
            error.to_string().starts_with("could not replace"),
            "{error}"
        );
        assert!(blocked.join("inner").is_dir());
        assert_eq!(names_in(dir.path()), ["blocked"]);
    }

    #[test]
    fn a_broken_file_is_never_overwritten_by_an_edit() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path()).unwrap();
        let broken = "[[credentials]\nname = \"A\"\n";
        std::fs::write(home.credentials_file(), broken).unwrap();
        let store = CredentialStore::new(home.clone());
        let error = store.add(sample()).unwrap_err();
        assert!(
            matches!(error, Error::CredentialsFile { line: 1, .. }),
            "{error}"
        );
        assert_eq!(
            std::fs::read_to_string(home.credentials_file()).unwrap(),
            broken
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_reports_a_position_inside_it(text in "\\PC{0,200}") {
            match parse_definitions(Path::new("c.toml"), &text) {
                Ok(_) => {}
                Err(Error::CredentialsFile { line, column, .. }) => {
                    proptest::prop_assert!(line >= 1 && line <= text.lines().count().max(1) + 1);
                    proptest::prop_assert!(column >= 1);
                }
                Err(other) => proptest::prop_assert!(false, "unexpected error {other:?}"),
            }
        }

        #[test]
        fn line_and_column_never_panic(text in "\\PC{0,50}", offset in 0usize..80) {
            let (line, column) = line_and_column(&text, offset);
            proptest::prop_assert!(line >= 1 && column >= 1);
        }
    }

    #[test]
    fn token_records_keep_every_field() {
        let tokens = TokenSet {
            access_token: Secret::new("at"),
            token_type: "Bearer".into(),
            refresh_token: Some(Secret::new("rt")),
            id_token: None,
            scopes: vec!["api".into()],
            issued_at: UNIX_EPOCH + Duration::from_secs(1_000),
            expires_at: from_unix(4_600),
            expiry_source: ExpirySource::ExpiresIn,
            is_jwt: false,
            instance_url: Some("https://acme.my.salesforce.com".into()),
        };
        let record = TokenRecord::from(&tokens);
        let json = serde_json::to_string(&record).unwrap();
        let back = TokenSet::from(&serde_json::from_str::<TokenRecord>(&json).unwrap());
        assert_eq!(back.access_token, tokens.access_token);
        assert_eq!(back.refresh_token, tokens.refresh_token);
        assert_eq!(back.scopes, tokens.scopes);
        assert_eq!(back.issued_at, tokens.issued_at);
        assert_eq!(back.expires_at, tokens.expires_at);
        assert_eq!(back.expiry_source, ExpirySource::ExpiresIn);
        assert_eq!(back.instance_url, tokens.instance_url);
    }

    #[test]
    fn a_stored_time_beyond_the_clock_reads_as_an_unknown_expiry() {
        let json = format!(
            r#"{{"accessToken":"at","tokenType":"Bearer","issuedAt":{max},"expiresAt":{max},
                "expirySource":"expiresIn"}}"#,
            max = u64::MAX
        );
        let back = TokenSet::from(&serde_json::from_str::<TokenRecord>(&json).unwrap());
        assert_eq!(back.expires_at, None);
        assert_eq!(back.expiry_source, ExpirySource::Unknown);
        assert_eq!(back.issued_at, UNIX_EPOCH);
    }
}

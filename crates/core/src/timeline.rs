//! The refresh timeline: a durable, append-only log of what happened to each
//! credential — authorized, token issued, request sent, verdict, refresh
//! attempt and its outcome, retry, needs re-authorization, keeper decisions,
//! keychain errors — so a person can answer "why did (or didn't) my token
//! refresh?".
//!
//! One SQLite file per home (`<data dir>/timeline.sqlite3`) in WAL mode with a
//! busy timeout, so the app and any number of `callout` processes append at
//! once without losing an event. The schema is versioned with
//! `PRAGMA user_version` and migrated on open.
//!
//! Recording is best effort: a file that is not a timeline, is damaged, was
//! written by a newer Callout Lab or cannot be opened never stops a send or
//! a token. [`Timeline::for_home`] then keeps the events in memory and says
//! why ([`Timeline::trouble`]); [`Timeline::move_aside`] renames the file
//! (never overwriting or migrating it) and starts a fresh one.
//!
//! Every writer prunes by [`Retention::STANDARD`], at most once an hour per
//! process, so a timeline used only from the command line shrinks too.
//!
//! Secrets never reach it: a token appears only as its [`fingerprint`] (the
//! first 8 hex digits of its SHA-256), enough to tell two tokens apart.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::home::Home;
use crate::token::TokenSet;
use crate::{Error, Result, Secret};

/// The timeline file's name in the data directory.
pub const FILE_NAME: &str = "timeline.sqlite3";

/// How long a writer waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How often one process prunes while appending.
const PRUNE_EVERY: Duration = Duration::from_secs(3_600);

/// Schema migrations, in order; `PRAGMA user_version` is how many have run.
const MIGRATIONS: &[&str] = &["CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms INTEGER NOT NULL,
        credential TEXT NOT NULL,
        credential_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX events_by_credential_time ON events (credential_key, at_ms);
    CREATE INDEX events_by_time ON events (at_ms);"];

/// A short, stable stand-in for a token: the first 8 hex digits of its
/// SHA-256. Tells tokens apart without revealing them.
pub fn fingerprint(secret: &Secret) -> String {
    let digest = Sha256::digest(secret.expose().as_bytes());
    digest
        .iter()
        .take(4)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The kinds of event, for filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum EventKind {
    Authorized,
    TokenIssued,
    RequestSent,
    Verdict,
    RefreshAttempt,
    Retry,
    NeedsReauthorization,
    KeeperDecision,
    KeychainError,
}

impl EventKind {
    pub const ALL: [EventKind; 9] = [
        EventKind::Authorized,
        EventKind::TokenIssued,
        EventKind::RequestSent,
        EventKind::Verdict,
        EventKind::RefreshAttempt,
        EventKind::Retry,
        EventKind::NeedsReauthorization,
        EventKind::KeeperDecision,
        EventKind::KeychainError,
    ];

    /// The name stored and accepted on the command line (`refreshAttempt`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Authorized => "authorized",
            EventKind::TokenIssued => "tokenIssued",
            EventKind::RequestSent => "requestSent",
            EventKind::Verdict => "verdict",
            EventKind::RefreshAttempt => "refreshAttempt",
            EventKind::Retry => "retry",
            EventKind::NeedsReauthorization => "needsReauthorization",
            EventKind::KeeperDecision => "keeperDecision",
            EventKind::KeychainError => "keychainError",
        }
    }

    /// Whether an event of this kind is written when a credential's keychain
    /// entries were written or removed (tokens issued, refreshed, marked as
    /// needing re-authorization, held or repaired), so its status may have
    /// changed. Requests, verdicts, retries and keeper decisions change
    /// nothing stored: a refresh they lead to writes events of its own.
    pub fn follows_keychain_change(self) -> bool {
        matches!(
            self,
            EventKind::Authorized
                | EventKind::TokenIssued
                | EventKind::RefreshAttempt
                | EventKind::NeedsReauthorization
                | EventKind::KeychainError
        )
    }

    /// Reads a kind name, ignoring case and `-`/`_` (`refresh-attempt`).
    pub fn parse(name: &str) -> Option<EventKind> {
        let wanted: String = name
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .collect::<String>()
            .to_ascii_lowercase();
        EventKind::ALL
            .into_iter()
            .find(|kind| kind.as_str().to_ascii_lowercase() == wanted)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What started a refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export)]
pub enum RefreshTrigger {
    /// The token was expired or about to expire by the clock.
    Proactive,
    /// A response was judged "expired" by this rule.
    Rule { id: String },
    /// A person asked (Refresh now, or a renewal with no known cause).
    Manual,
    /// The keeper used the refresh token so it would not lapse idle.
    KeepAlive,
}

impl fmt::Display for RefreshTrigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefreshTrigger::Proactive => f.write_str("the clock (expired or about to)"),
            RefreshTrigger::Rule { id } => write!(f, "rule {id}"),
            RefreshTrigger::Manual => f.write_str("a manual request"),
            RefreshTrigger::KeepAlive => f.write_str("keep-alive"),
        }
    }
}

/// How a refresh attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum RefreshOutcome {
    /// New tokens from the provider.
    Refreshed,
    /// Another task or process had refreshed meanwhile; its token was used.
    AlreadyRefreshed,
    /// The provider refused; only a new authorization helps.
    NeedsReauthorization,
    /// Something else failed; the stored tokens were left as they were.
    Failed,
}

/// What a keeper run decided for a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum KeeperAction {
    /// Refresh now.
    Refresh,
    /// Nothing to do yet.
    Wait,
    /// Nothing the keeper can do (not authorized, needs re-authorization).
    Skip,
    /// The refresh token may lapse: a person should look.
    Warn,
}

/// One event's content; `kind` tags it in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[ts(export)]
pub enum EventDetail {
    /// A flow produced the identity's first (or new) tokens.
    #[serde(rename_all = "camelCase")]
    Authorized { flow: String, scopes: Vec<String> },
    /// New tokens were stored.
    #[serde(rename_all = "camelCase")]
    TokenIssued {
        /// The access token's fingerprint.
        token: String,
        /// Seconds; `None` when the provider said nothing (Salesforce).
        #[ts(type = "number | null")]
        lifetime_seconds: Option<u64>,
        /// Where the expiry came from: expiresIn, jwtExp, introspection, unknown.
        expiry_source: String,
        jwt: bool,
        /// The refresh token's fingerprint, when there is one.
        refresh_token: Option<String>,
        /// Whether the refresh token differs from the one it replaces.
        rotated: bool,
        scopes: Vec<String>,
    },
    /// A request went out and a response came back.
    #[serde(rename_all = "camelCase")]
    RequestSent {
        method: String,
        /// As displayed: secrets masked.
        url: String,
        status: Option<u16>,
        #[ts(type = "number | null")]
        duration_ms: Option<u64>,
        /// Why no response came back, when none did.
        error: Option<String>,
    },
    /// The expiry verdict on a response.
    #[serde(rename_all = "camelCase")]
    Verdict {
        expired: bool,
        rule: Option<String>,
        reason: String,
        salesforce_would_refresh: bool,
        salesforce_reason: String,
    },
    /// A refresh was tried.
    #[serde(rename_all = "camelCase")]
    RefreshAttempt {
        trigger: RefreshTrigger,
        outcome: RefreshOutcome,
        /// What the provider (or the keychain) said, when it failed.
        error: Option<String>,
        #[ts(type = "number")]
        duration_ms: u64,
    },
    /// The request was sent again after a refresh.
    #[serde(rename_all = "camelCase")]
    Retry { attempt: u32 },
    /// Only a new authorization can help now.
    #[serde(rename_all = "camelCase")]
    NeedsReauthorization { reason: String },
    /// What a keeper run decided, and why.
    #[serde(rename_all = "camelCase")]
    KeeperDecision {
        action: KeeperAction,
        reason: String,
        /// What running it did (refreshed, failed: ...), when it ran anything.
        result: Option<String>,
    },
    /// The keychain failed while storing or reading the credential's secrets.
    #[serde(rename_all = "camelCase")]
    KeychainError { message: String },
}

impl EventDetail {
    pub fn kind(&self) -> EventKind {
        match self {
            EventDetail::Authorized { .. } => EventKind::Authorized,
            EventDetail::TokenIssued { .. } => EventKind::TokenIssued,
            EventDetail::RequestSent { .. } => EventKind::RequestSent,
            EventDetail::Verdict { .. } => EventKind::Verdict,
            EventDetail::RefreshAttempt { .. } => EventKind::RefreshAttempt,
            EventDetail::Retry { .. } => EventKind::Retry,
            EventDetail::NeedsReauthorization { .. } => EventKind::NeedsReauthorization,
            EventDetail::KeeperDecision { .. } => EventKind::KeeperDecision,
            EventDetail::KeychainError { .. } => EventKind::KeychainError,
        }
    }

    /// The event as one sentence for a person.
    pub fn describe(&self) -> String {
        match self {
            EventDetail::Authorized { flow, scopes } => {
                format!("authorized with the {flow} flow; scopes: {}", list(scopes))
            }
            EventDetail::TokenIssued {
                token,
                lifetime_seconds,
                expiry_source,
                jwt,
                refresh_token,
                rotated,
                ..
            } => {
                let lifetime = match lifetime_seconds {
                    Some(seconds) => format!(
                        "valid for {} (from {expiry_source})",
                        human_duration(Duration::from_secs(*seconds))
                    ),
                    None => "lifetime unknown".to_string(),
                };
                let shape = if *jwt { "JWT" } else { "opaque" };
                let refresh = match (refresh_token, rotated) {
                    (None, _) => "no refresh token".to_string(),
                    (Some(fp), true) => format!("refresh token rotated to {fp}"),
                    (Some(fp), false) => format!("refresh token {fp} kept"),
                };
                format!("token {token} issued: {shape}, {lifetime}; {refresh}")
            }
            EventDetail::RequestSent {
                method,
                url,
                status,
                error,
                ..
            } => match (status, error) {
                (Some(status), _) => format!("{method} {url} answered HTTP {status}"),
                (None, Some(error)) => format!("{method} {url} got no response: {error}"),
                (None, None) => format!("{method} {url} sent"),
            },
            EventDetail::Verdict {
                expired,
                rule,
                reason,
                salesforce_reason,
                ..
            } => {
                let head = match (expired, rule) {
                    (true, Some(rule)) => format!("expired ({rule})"),
                    (true, None) => "expired".to_string(),
                    (false, _) => "not expired".to_string(),
                };
                format!("{head}: {reason} Salesforce: {salesforce_reason}")
            }
            EventDetail::RefreshAttempt {
                trigger,
                outcome,
                error,
                ..
            } => {
                let how = match outcome {
                    RefreshOutcome::Refreshed => "refreshed".to_string(),
                    RefreshOutcome::AlreadyRefreshed => {
                        "not needed: another task or process had just refreshed".to_string()
                    }
                    RefreshOutcome::NeedsReauthorization => {
                        "refused: needs re-authorization".to_string()
                    }
                    RefreshOutcome::Failed => "failed".to_string(),
                };
                match error {
                    Some(error) => format!("refresh by {trigger} {how}: {error}"),
                    None => format!("refresh by {trigger} {how}"),
                }
            }
            EventDetail::Retry { attempt } => format!("retried the request (attempt {attempt})"),
            EventDetail::NeedsReauthorization { reason } => {
                format!("needs re-authorization: {reason}")
            }
            EventDetail::KeeperDecision {
                action,
                reason,
                result,
            } => {
                let verb = match action {
                    KeeperAction::Refresh => "keeper refresh",
                    KeeperAction::Wait => "keeper waits",
                    KeeperAction::Skip => "keeper skips",
                    KeeperAction::Warn => "keeper warning",
                };
                match result {
                    Some(result) => format!("{verb}: {reason} → {result}"),
                    None => format!("{verb}: {reason}"),
                }
            }
            EventDetail::KeychainError { message } => format!("keychain error: {message}"),
        }
    }

    /// How long the step took, when it says.
    pub fn duration(&self) -> Option<Duration> {
        match self {
            EventDetail::RequestSent { duration_ms, .. } => duration_ms.map(Duration::from_millis),
            EventDetail::RefreshAttempt { duration_ms, .. } => {
                Some(Duration::from_millis(*duration_ms))
            }
            _ => None,
        }
    }

    /// A token-issued event for `tokens`, which replace a refresh token
    /// with fingerprint `previous_refresh` (if any).
    pub fn token_issued(tokens: &TokenSet, previous_refresh: Option<&Secret>) -> EventDetail {
        let refresh_token = tokens.refresh_token.as_ref().map(fingerprint);
        let rotated = match (&tokens.refresh_token, previous_refresh) {
            (Some(new), Some(old)) => new != old,
            _ => false,
        };
        let expiry_source = serde_json::to_value(tokens.expiry_source)
            .ok()
            .and_then(|value| value.as_str().map(str::to_string))
            .unwrap_or_else(|| "unknown".to_string());
        EventDetail::TokenIssued {
            token: fingerprint(&tokens.access_token),
            lifetime_seconds: tokens.lifetime().map(|lifetime| lifetime.as_secs()),
            expiry_source,
            jwt: tokens.is_jwt,
            refresh_token,
            rotated,
            scopes: tokens.scopes.clone(),
        }
    }
}

/// One stored event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Event {
    /// Increases with every append (across processes).
    #[ts(type = "number")]
    pub id: i64,
    /// Milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub at_ms: i64,
    pub credential: String,
    pub event: EventDetail,
    /// [`EventDetail::describe`], for readers of the JSON.
    pub summary: String,
}

impl Event {
    pub fn at(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(u64::try_from(self.at_ms).unwrap_or(0))
    }

    pub fn kind(&self) -> EventKind {
        self.event.kind()
    }
}

/// Which events a query returns; everything by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// One credential (ignoring case); all when `None`.
    pub credential: Option<String>,
    /// At or after.
    pub since: Option<SystemTime>,
    /// Before.
    pub until: Option<SystemTime>,
    /// Any of these kinds; all when empty.
    pub kinds: Vec<EventKind>,
    /// The newest this many (still returned oldest first).
    pub limit: Option<u32>,
    /// Only events older than this one: the next page back (see [`Cursor::of`]).
    pub before: Option<Cursor>,
}

/// Where a page of events ends: the oldest event of the page before, by
/// time and id (the order events are read in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, rename = "TimelineCursor")]
pub struct Cursor {
    #[ts(type = "number")]
    pub at_ms: i64,
    #[ts(type = "number")]
    pub id: i64,
}

impl Cursor {
    /// The cursor of `event`: a query with it as `before` reads what precedes it.
    pub fn of(event: &Event) -> Cursor {
        Cursor {
            at_ms: event.at_ms,
            id: event.id,
        }
    }
}

impl Query {
    /// Everything about `credential`.
    pub fn credential(name: &str) -> Query {
        Query {
            credential: Some(name.to_string()),
            ..Query::default()
        }
    }

    fn sql(&self) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let mut clauses = Vec::new();
        let mut values = Vec::new();
        if let Some(name) = &self.credential {
            clauses.push("credential_key = ?".to_string());
            values.push(Value::Text(name.to_ascii_lowercase()));
        }
        if let Some(since) = self.since {
            clauses.push("at_ms >= ?".to_string());
            values.push(Value::Integer(millis(since)));
        }
        if let Some(until) = self.until {
            clauses.push("at_ms < ?".to_string());
            values.push(Value::Integer(millis(until)));
        }
        if let Some(before) = self.before {
            clauses.push("(at_ms < ? OR (at_ms = ? AND id < ?))".to_string());
            values.push(Value::Integer(before.at_ms));
            values.push(Value::Integer(before.at_ms));
            values.push(Value::Integer(before.id));
        }
        if !self.kinds.is_empty() {
            let marks = vec!["?"; self.kinds.len()].join(", ");
            clauses.push(format!("kind IN ({marks})"));
            values.extend(
                self.kinds
                    .iter()
                    .map(|kind| Value::Text(kind.as_str().to_string())),
            );
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        let inner = format!(
            "SELECT id, at_ms, credential, detail FROM events{filter} ORDER BY at_ms DESC, id DESC"
        );
        let sql = match self.limit {
            Some(limit) => format!("SELECT * FROM ({inner} LIMIT {limit}) ORDER BY at_ms, id"),
            None => format!("SELECT * FROM ({inner}) ORDER BY at_ms, id"),
        };
        (sql, values)
    }
}

/// What was appended after a given event ([`Timeline::appended_after`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Appended {
    /// The newest event's id now (0 when there is none): where the next
    /// look starts.
    pub newest: i64,
    /// The credentials with new events, each once (ignoring case), as one
    /// of those events names it.
    pub credentials: Vec<String>,
    /// The kinds of the new events, each once.
    pub kinds: Vec<EventKind>,
}

/// What to keep when pruning; nothing is pruned for a `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    /// Drop events older than this.
    pub max_age: Option<Duration>,
    /// Keep only the newest this many events.
    pub max_events: Option<u64>,
}

impl Retention {
    /// What every writer keeps, the keeper included: 90 days.
    pub const STANDARD: Retention = Retention {
        max_age: Some(Duration::from_secs(90 * 86_400)),
        max_events: None,
    };
}

/// Why the timeline file is not in use. Sends and tokens go on; events are
/// kept in memory until the file is moved aside ([`Timeline::move_aside`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TimelineTrouble {
    /// The file.
    pub path: String,
    /// What is wrong with it, as SQLite or the file system said.
    pub reason: String,
    /// Written by a newer Callout Lab: updating is the other way out, and
    /// moving it aside keeps it as it is.
    pub newer: bool,
}

impl TimelineTrouble {
    fn new(path: &Path, reason: impl fmt::Display) -> Self {
        Self {
            path: path.display().to_string(),
            reason: reason.to_string(),
            newer: false,
        }
    }

    fn into_error(self) -> Error {
        Error::Storage {
            action: "use",
            path: self.path,
            detail: self.reason,
        }
    }
}

impl fmt::Display for TimelineTrouble {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the timeline {} cannot be used ({}); sends and tokens work as usual, but events \
             are not kept after this run. ",
            self.path, self.reason
        )?;
        if self.newer {
            f.write_str(
                "Update Callout Lab to use it, or move it aside: it is kept, renamed, and a \
                 fresh timeline starts (`callout timeline --move-aside`)",
            )
        } else {
            f.write_str(
                "Move it aside: it is kept, renamed, and a fresh timeline starts \
                 (`callout timeline --move-aside`)",
            )
        }
    }
}

/// The timeline of one home. Share one per process; any number of processes
/// may open the same file.
pub struct Timeline {
    path: PathBuf,
    /// The file's connection, or an in-memory one while `trouble` says why
    /// the file is not in use.
    connection: Mutex<Connection>,
    trouble: Mutex<Option<TimelineTrouble>>,
    /// When this process last pruned (as of an append's `now`).
    pruned_at: Mutex<Option<SystemTime>>,
}

impl fmt::Debug for Timeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeline")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The columns of one event as stored.
struct Row {
    at_ms: i64,
    credential: String,
    kind: &'static str,
    json: String,
}

const INSERT: &str = "INSERT INTO events (at_ms, credential, credential_key, kind, detail) \
                      VALUES (?1, ?2, ?3, ?4, ?5)";

fn insert(connection: &Connection, row: &Row) -> rusqlite::Result<i64> {
    connection.prepare_cached(INSERT)?.execute(params![
        row.at_ms,
        row.credential,
        row.credential.to_ascii_lowercase(),
        row.kind,
        row.json
    ])?;
    Ok(connection.last_insert_rowid())
}

fn newest_id(connection: &Connection) -> rusqlite::Result<i64> {
    connection.query_row("SELECT COALESCE(MAX(id), 0) FROM events", [], |row| {
        row.get(0)
    })
}

fn insert_all(connection: &mut Connection, rows: &[Row]) -> rusqlite::Result<()> {
    let transaction = connection.transaction()?;
    for row in rows {
        insert(&transaction, row)?;
    }
    transaction.commit()
}

impl Timeline {
    /// The timeline of `home` (created and migrated if needed), best effort:
    /// when its file cannot be used, one in memory that says why
    /// ([`trouble`](Self::trouble)). Fails only when not even that works.
    pub fn for_home(home: &Home) -> Result<Timeline> {
        Timeline::open_or_in_memory(&home.data_dir().join(FILE_NAME))
    }

    /// Opens (creating and migrating) the timeline file at `path`; an error
    /// when it cannot be used.
    pub fn open(path: &Path) -> Result<Timeline> {
        let connection = open_file(path).map_err(TimelineTrouble::into_error)?;
        Ok(Timeline::with(path, connection, None))
    }

    /// The file at `path`, or, when it cannot be used, a timeline in memory
    /// whose [`trouble`](Self::trouble) says why. The file is not touched then.
    pub fn open_or_in_memory(path: &Path) -> Result<Timeline> {
        match open_file(path) {
            Ok(connection) => Ok(Timeline::with(path, connection, None)),
            Err(trouble) => Ok(Timeline::with(path, in_memory(path)?, Some(trouble))),
        }
    }

    fn with(path: &Path, connection: Connection, trouble: Option<TimelineTrouble>) -> Timeline {
        Timeline {
            path: path.to_path_buf(),
            connection: Mutex::new(connection),
            trouble: Mutex::new(trouble),
            pruned_at: Mutex::new(None),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Why the file is not in use (events are kept in memory meanwhile);
    /// `None` while it is.
    pub fn trouble(&self) -> Option<TimelineTrouble> {
        crate::locked(&self.trouble).clone()
    }

    fn connection(&self) -> std::sync::MutexGuard<'_, Connection> {
        crate::locked(&self.connection)
    }

    /// The error of `action`; when SQLite found the file damaged, the
    /// timeline goes on in memory from now on and says why. Answers whether
    /// it switched just now.
    fn failed(
        &self,
        connection: &mut Connection,
        action: &'static str,
        error: rusqlite::Error,
    ) -> (Error, bool) {
        let damaged = matches!(
            error.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
        );
        let mut trouble = crate::locked(&self.trouble);
        let switched = damaged
            && trouble.is_none()
            && match in_memory(&self.path) {
                Ok(memory) => {
                    *connection = memory;
                    *trouble = Some(TimelineTrouble::new(&self.path, &error));
                    true
                }
                Err(_) => false,
            };
        (storage(action, &self.path, error), switched)
    }

    /// Runs `write`; when it found the file damaged, again in memory.
    fn write<T>(&self, mut write: impl FnMut(&mut Connection) -> rusqlite::Result<T>) -> Result<T> {
        let mut connection = self.connection();
        match write(&mut connection) {
            Ok(value) => Ok(value),
            Err(error) => match self.failed(&mut connection, "append to", error) {
                (_, true) => {
                    write(&mut connection).map_err(|error| storage("append to", &self.path, error))
                }
                (error, false) => Err(error),
            },
        }
    }

    fn row(&self, credential: &str, detail: &EventDetail, at: SystemTime) -> Result<Row> {
        let json = serde_json::to_string(detail).map_err(|error| Error::Storage {
            action: "encode an event for",
            path: self.path.display().to_string(),
            detail: error.to_string(),
        })?;
        Ok(Row {
            at_ms: millis(at),
            credential: credential.to_string(),
            kind: detail.kind().as_str(),
            json,
        })
    }

    /// Appends one event for `credential` at `now`; returns its id.
    pub fn append(&self, credential: &str, detail: &EventDetail, now: SystemTime) -> Result<i64> {
        let row = self.row(credential, detail, now)?;
        let id = self.write(|connection| insert(connection, &row))?;
        self.prune_if_due(now);
        Ok(id)
    }

    /// Appends many events in one transaction (all or none).
    pub fn append_all(&self, events: &[(String, EventDetail, SystemTime)]) -> Result<()> {
        let rows = events
            .iter()
            .map(|(credential, detail, at)| self.row(credential, detail, *at))
            .collect::<Result<Vec<_>>>()?;
        self.write(|connection| insert_all(connection, &rows))?;
        if let Some(newest) = events.iter().map(|(_, _, at)| *at).max() {
            self.prune_if_due(newest);
        }
        Ok(())
    }

    /// Prunes by [`Retention::STANDARD`] as of `now`, unless this process
    /// did within the last hour. Best effort: an append never fails for it.
    fn prune_if_due(&self, now: SystemTime) {
        {
            let mut pruned_at = crate::locked(&self.pruned_at);
            let due = pruned_at.is_none_or(|last| {
                now.duration_since(last)
                    .map_or(true, |since| since >= PRUNE_EVERY)
            });
            if !due {
                return;
            }
            *pruned_at = Some(now);
        }
        let _ = self.prune(Retention::STANDARD, now);
    }

    /// The events `query` selects, oldest first. An event whose stored form
    /// this version cannot read is reported, not skipped silently.
    pub fn query(&self, query: &Query) -> Result<Vec<Event>> {
        let mut events = Vec::new();
        self.for_each(query, &mut |event| {
            events.push(event);
            Ok(())
        })?;
        Ok(events)
    }

    /// Hands each event `query` selects to `each`, oldest first, as it is
    /// read (nothing is collected); returns how many there were. `each`
    /// runs while the timeline is held: it must not use this timeline.
    pub fn for_each(
        &self,
        query: &Query,
        each: &mut dyn FnMut(Event) -> Result<()>,
    ) -> Result<usize> {
        let (sql, values) = query.sql();
        let mut connection = self.connection();
        let read = (|| -> rusqlite::Result<Result<usize>> {
            let mut statement = connection.prepare(&sql)?;
            let mut rows = statement.query(params_from_iter(values))?;
            let mut count = 0;
            while let Some(row) = rows.next()? {
                let (id, at_ms, credential, detail): (i64, i64, String, String) =
                    (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
                let event: EventDetail = match serde_json::from_str(&detail) {
                    Ok(event) => event,
                    Err(error) => {
                        return Ok(Err(Error::Storage {
                            action: "decode",
                            path: format!("event {id} in {}", self.path.display()),
                            detail: error.to_string(),
                        }));
                    }
                };
                let event = Event {
                    id,
                    at_ms,
                    credential,
                    summary: event.describe(),
                    event,
                };
                if let Err(error) = each(event) {
                    return Ok(Err(error));
                }
                count += 1;
            }
            Ok(Ok(count))
        })();
        match read {
            Ok(result) => result,
            Err(error) => Err(self.failed(&mut connection, "read", error).0),
        }
    }

    /// The newest event of `kind` for `credential`.
    pub fn last(&self, credential: &str, kind: EventKind) -> Result<Option<Event>> {
        let query = Query {
            credential: Some(credential.to_string()),
            kinds: vec![kind],
            limit: Some(1),
            ..Query::default()
        };
        Ok(self.query(&query)?.pop())
    }

    /// How many events are stored.
    pub fn count(&self) -> Result<u64> {
        let mut connection = self.connection();
        match connection.query_row("SELECT COUNT(*) FROM events", [], |row| {
            row.get::<_, i64>(0)
        }) {
            Ok(count) => Ok(u64::try_from(count).unwrap_or(0)),
            Err(error) => Err(self.failed(&mut connection, "count the events of", error).0),
        }
    }

    /// The newest event's id (0 when there is none): one look at the end
    /// of the table.
    pub fn newest_id(&self) -> Result<i64> {
        let mut connection = self.connection();
        newest_id(&connection).map_err(|error| {
            self.failed(&mut connection, "read the newest event of", error)
                .0
        })
    }

    /// What was appended since the newest event was `after` (an id
    /// [`Appended::newest`] answered before; 0 for everything). Cheap when
    /// nothing was: one look at the end of the table. Ids only grow, across
    /// processes; a newest id below `after` means the file was moved aside
    /// (a fresh one starts at 1), and everything in it counts as new.
    pub fn appended_after(&self, after: i64) -> Result<Appended> {
        let mut connection = self.connection();
        let read = (|| -> rusqlite::Result<Appended> {
            let newest = newest_id(&connection)?;
            let mut appended = Appended {
                newest,
                ..Appended::default()
            };
            if newest == after {
                return Ok(appended);
            }
            let after = if newest < after { 0 } else { after };
            let mut statement = connection.prepare_cached(
                "SELECT credential, kind FROM events WHERE id > ?1 AND id <= ?2 \
                 GROUP BY credential_key, kind ORDER BY MIN(id)",
            )?;
            let mut rows = statement.query(params![after, newest])?;
            while let Some(row) = rows.next()? {
                let (credential, kind): (String, String) = (row.get(0)?, row.get(1)?);
                if !appended
                    .credentials
                    .iter()
                    .any(|known| known.eq_ignore_ascii_case(&credential))
                {
                    appended.credentials.push(credential);
                }
                if let Some(kind) = EventKind::parse(&kind)
                    && !appended.kinds.contains(&kind)
                {
                    appended.kinds.push(kind);
                }
            }
            Ok(appended)
        })();
        read.map_err(|error| {
            self.failed(&mut connection, "read the newest events of", error)
                .0
        })
    }

    /// Reads every page of the file (`PRAGMA quick_check`): damage found
    /// there is [`trouble`](Self::trouble) from now on. Slow on a big
    /// file; for when a person asks.
    pub fn check(&self) -> Option<TimelineTrouble> {
        if let Some(trouble) = self.trouble() {
            return Some(trouble);
        }
        let mut connection = self.connection();
        let verdict =
            connection.query_row("PRAGMA quick_check(1)", [], |row| row.get::<_, String>(0));
        match verdict {
            Ok(verdict) if verdict == "ok" => {}
            Ok(verdict) => {
                if let Ok(memory) = in_memory(&self.path) {
                    *connection = memory;
                    *crate::locked(&self.trouble) = Some(TimelineTrouble::new(
                        &self.path,
                        format!("the file is damaged: {verdict}"),
                    ));
                }
            }
            Err(error) => {
                self.failed(&mut connection, "check", error);
            }
        }
        drop(connection);
        self.trouble()
    }

    /// Renames the file that is not in use (see [`trouble`](Self::trouble))
    /// to `timeline.sqlite3.broken-<ms>` (`.newer-<ms>` for a newer
    /// Callout Lab's) beside it, never overwriting anything, and starts a
    /// fresh one that holds what was kept in memory meanwhile. Returns where
    /// the old file went; `None` when the file there is sound by now
    /// (another process moved it aside): then it is used as it is. A
    /// timeline in use is left alone (an error).
    pub fn move_aside(&self, now: SystemTime) -> Result<Option<PathBuf>> {
        let Some(trouble) = self.trouble() else {
            return Err(Error::Storage {
                action: "move aside",
                path: self.path.display().to_string(),
                detail: "the timeline is in use and sound; nothing was moved".into(),
            });
        };
        let mut connection = self.connection();
        let (fresh, moved) = match open_file(&self.path).ok().filter(sound) {
            Some(sound) => (sound, None),
            None => {
                let label = if trouble.newer { "newer" } else { "broken" };
                let moved = move_aside(&self.path, label, now)?;
                let fresh = open_file(&self.path).map_err(TimelineTrouble::into_error)?;
                (fresh, Some(moved))
            }
        };
        // What was kept in memory meanwhile goes into the fresh file.
        let copied = connection.execute_batch(&format!(
            "ATTACH DATABASE {} AS fresh; \
             INSERT INTO fresh.events (at_ms, credential, credential_key, kind, detail) \
             SELECT at_ms, credential, credential_key, kind, detail FROM main.events ORDER BY id; \
             DETACH DATABASE fresh;",
            sql_text(&self.path.display().to_string())
        ));
        if let Err(error) = copied {
            let _ = connection.execute_batch("DETACH DATABASE fresh");
            return Err(storage(
                "copy the events kept in memory to",
                &self.path,
                error,
            ));
        }
        *connection = fresh;
        *crate::locked(&self.trouble) = None;
        Ok(moved)
    }

    /// Drops what `retention` does not keep, as of `now`; returns how many
    /// events were dropped.
    pub fn prune(&self, retention: Retention, now: SystemTime) -> Result<u64> {
        let connection = self.connection();
        let fail = |error| storage("prune", &self.path, error);
        let mut dropped = 0;
        if let Some(max_age) = retention.max_age {
            let cutoff = now.checked_sub(max_age).unwrap_or(UNIX_EPOCH);
            dropped += connection
                .execute("DELETE FROM events WHERE at_ms < ?1", [millis(cutoff)])
                .map_err(fail)?;
        }
        if let Some(max_events) = retention.max_events {
            let keep = i64::try_from(max_events).unwrap_or(i64::MAX);
            let threshold: Option<i64> = connection
                .query_row(
                    "SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?1",
                    [keep],
                    |row| row.get(0),
                )
                .optional()
                .map_err(fail)?;
            if let Some(threshold) = threshold {
                dropped += connection
                    .execute("DELETE FROM events WHERE id <= ?1", [threshold])
                    .map_err(fail)?;
            }
        }
        Ok(dropped as u64)
    }

    /// Writes the events `query` selects as JSON lines (one [`Event`] each),
    /// each as it is read.
    pub fn export(&self, query: &Query, out: &mut dyn std::io::Write) -> Result<usize> {
        self.for_each(query, &mut |event| {
            let line = serde_json::to_string(&event).map_err(|error| Error::Storage {
                action: "encode",
                path: format!("event {}", event.id),
                detail: error.to_string(),
            })?;
            writeln!(out, "{line}").map_err(|error| Error::Storage {
                action: "write the export of",
                path: self.path.display().to_string(),
                detail: error.to_string(),
            })
        })
    }

    /// SQLite's plan for `query` (`EXPLAIN QUERY PLAN`), one step a line.
    pub fn explain(&self, query: &Query) -> Result<Vec<String>> {
        let (sql, values) = query.sql();
        let connection = self.connection();
        let fail = |error| storage("explain a query on", &self.path, error);
        let mut statement = connection
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .map_err(fail)?;
        let rows = statement
            .query_map(params_from_iter(values), |row| row.get::<_, String>(3))
            .map_err(fail)?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(fail)
    }
}

/// "1 h 5 min", "42 s", "850 ms".
pub fn human_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds == 0 {
        return format!("{} ms", duration.as_millis());
    }
    let (hours, minutes, secs) = (seconds / 3_600, seconds / 60 % 60, seconds % 60);
    match (hours, minutes, secs) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none listed".to_string()
    } else {
        items.join(" ")
    }
}

fn millis(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(elapsed) => i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

fn storage(action: &'static str, path: &Path, error: impl fmt::Display) -> Error {
    Error::Storage {
        action,
        path: path.display().to_string(),
        detail: error.to_string(),
    }
}

/// Opens the timeline file at `path`, creating and migrating it; what is
/// wrong with it otherwise. A file of a newer schema is read, never written.
fn open_file(path: &Path) -> std::result::Result<Connection, TimelineTrouble> {
    let trouble = |action: &str, error: &dyn fmt::Display| {
        TimelineTrouble::new(path, format!("cannot {action}: {error}"))
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|error| trouble("create its directory", &error))?;
    }
    let connection = Connection::open(path).map_err(|error| trouble("open it", &error))?;
    connection
        .busy_timeout(BUSY_TIMEOUT)
        .map_err(|error| trouble("set the busy timeout", &error))?;
    // Before anything writes to it: a newer Callout Lab's file stays as it is.
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|error| trouble("read its schema version", &error))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(TimelineTrouble {
            newer: true,
            ..TimelineTrouble::new(
                path,
                format!(
                    "it was written by a newer Callout Lab (schema {version}, this version \
                     knows up to {known})"
                ),
            )
        });
    }
    connection
        .pragma_update(None, "journal_mode", "WAL")
        .map_err(|error| trouble("switch to WAL mode", &error))?;
    connection
        .pragma_update(None, "synchronous", "NORMAL")
        .map_err(|error| trouble("configure it", &error))?;
    migrate(&connection, path).map_err(|error| TimelineTrouble::new(path, error))?;
    // Touch both ends of the table and of the time index: a file cut short
    // or damaged there says so now rather than at the first append.
    connection
        .query_row(
            "SELECT (SELECT MAX(id) FROM events), (SELECT MIN(at_ms) FROM events), \
             (SELECT MAX(at_ms) FROM events)",
            [],
            |_| Ok(()),
        )
        .map_err(|error| trouble("read it", &error))?;
    Ok(connection)
}

/// Whether every page of the file behind `connection` reads (`PRAGMA
/// quick_check`); slow on a big file.
fn sound(connection: &Connection) -> bool {
    connection
        .query_row("PRAGMA quick_check(1)", [], |row| row.get::<_, String>(0))
        .is_ok_and(|verdict| verdict == "ok")
}

/// A timeline in memory, for while the file at `path` cannot be used.
fn in_memory(path: &Path) -> Result<Connection> {
    let connection = Connection::open_in_memory()
        .map_err(|error| storage("open an in-memory timeline for", path, error))?;
    migrate(&connection, path)?;
    Ok(connection)
}

/// Renames the timeline file at `path` (a directory in its place too) and
/// its `-wal` and `-shm` companions to `<name>.<label>-<ms since epoch>`
/// beside it; returns the new path of the file. Never overwrites: an
/// error when that name is taken.
pub fn move_aside(path: &Path, label: &str, now: SystemTime) -> Result<PathBuf> {
    let with_suffix = |path: &Path, suffix: &str| {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        PathBuf::from(name)
    };
    let target = with_suffix(path, &format!(".{label}-{}", millis(now)));
    for companion in ["", "-wal", "-shm"] {
        let from = with_suffix(path, companion);
        if std::fs::symlink_metadata(&from).is_err() && !companion.is_empty() {
            continue;
        }
        let to = with_suffix(&target, companion);
        if std::fs::symlink_metadata(&to).is_ok() {
            return Err(Error::Storage {
                action: "move aside",
                path: from.display().to_string(),
                detail: format!("{} already exists; nothing was overwritten", to.display()),
            });
        }
        std::fs::rename(&from, &to).map_err(|error| Error::Storage {
            action: "move aside",
            path: from.display().to_string(),
            detail: format!("cannot rename it to {}: {error}", to.display()),
        })?;
    }
    Ok(target)
}

/// `text` as an SQL string literal.
fn sql_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Runs the migrations `path` has not had yet, each in its own transaction.
fn migrate(connection: &Connection, path: &Path) -> Result<()> {
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|error| storage("read the schema version of", path, error))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(Error::Storage {
            action: "use",
            path: path.display().to_string(),
            detail: format!(
                "the timeline was written by a newer Callout Lab (schema {version}, this \
                 version knows up to {known}); update Callout Lab"
            ),
        });
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let next = index as i64 + 1;
        // BEGIN IMMEDIATE: two processes opening a new file migrate one at a time.
        let script = format!("BEGIN IMMEDIATE; {migration}; PRAGMA user_version = {next}; COMMIT;");
        let current: i64 = connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|error| storage("read the schema version of", path, error))?;
        if current >= next {
            continue;
        }
        if let Err(error) = connection.execute_batch(&script) {
            let _ = connection.execute_batch("ROLLBACK");
            // Another process may have migrated between our check and our write.
            let now: i64 = connection
                .pragma_query_value(None, "user_version", |row| row.get(0))
                .map_err(|error| storage("read the schema version of", path, error))?;
            if now < next {
                return Err(storage("migrate the schema of", path, error));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn note(reason: &str) -> EventDetail {
        EventDetail::NeedsReauthorization {
            reason: reason.into(),
        }
    }

    fn temp() -> (tempfile::TempDir, Timeline) {
        let dir = tempfile::tempdir().unwrap();
        let timeline = Timeline::open(&dir.path().join(FILE_NAME)).unwrap();
        (dir, timeline)
    }

    #[test]
    fn queries_by_credential_time_and_kind() {
        let (_dir, timeline) = temp();
        timeline.append("Sandbox", &note("one"), at(100)).unwrap();
        timeline.append("other", &note("two"), at(200)).unwrap();
        timeline
            .append("sandbox", &EventDetail::Retry { attempt: 2 }, at(300))
            .unwrap();
        timeline.append("SANDBOX", &note("three"), at(400)).unwrap();

        let all = timeline.query(&Query::credential("sandbox")).unwrap();
        assert_eq!(
            all.iter().map(|e| e.summary.as_str()).collect::<Vec<_>>(),
            [
                "needs re-authorization: one",
                "retried the request (attempt 2)",
                "needs re-authorization: three"
            ]
        );
        let recent = Query {
            since: Some(at(300)),
            until: Some(at(400)),
            ..Query::credential("Sandbox")
        };
        assert_eq!(timeline.query(&recent).unwrap().len(), 1);
        let kinds = Query {
            kinds: vec![EventKind::NeedsReauthorization],
            ..Query::credential("sandbox")
        };
        assert_eq!(timeline.query(&kinds).unwrap().len(), 2);
        let last = timeline
            .last("sandbox", EventKind::NeedsReauthorization)
            .unwrap()
            .unwrap();
        assert_eq!(last.event, note("three"));
        assert_eq!(last.credential, "SANDBOX");
        assert_eq!(last.at(), at(400));
    }

    #[test]
    fn retention_keeps_days_and_counts() {
        let (_dir, timeline) = temp();
        for second in 0..10 {
            timeline
                .append("a", &note("x"), at(second * 86_400))
                .unwrap();
        }
        let dropped = timeline
            .prune(
                Retention {
                    max_age: Some(Duration::from_secs(3 * 86_400)),
                    max_events: None,
                },
                at(9 * 86_400),
            )
            .unwrap();
        assert_eq!(dropped, 6);
        assert_eq!(timeline.count().unwrap(), 4);
        let dropped = timeline
            .prune(
                Retention {
                    max_age: None,
                    max_events: Some(1),
                },
                at(9 * 86_400),
            )
            .unwrap();
        assert_eq!(dropped, 3);
        let left = timeline.query(&Query::default()).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].at(), at(9 * 86_400));
    }

    #[test]
    fn export_writes_one_json_object_a_line() {
        let (_dir, timeline) = temp();
        let attempt = EventDetail::RefreshAttempt {
            trigger: RefreshTrigger::Rule {
                id: "http.401".into(),
            },
            outcome: RefreshOutcome::Refreshed,
            error: None,
            duration_ms: 12,
        };
        timeline.append("a", &attempt, at(5)).unwrap();
        timeline.append("a", &note("gone"), at(6)).unwrap();
        let mut out = Vec::new();
        assert_eq!(
            timeline.export(&Query::credential("a"), &mut out).unwrap(),
            2
        );
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines[0]["atMs"], 5_000);
        assert_eq!(lines[0]["event"]["kind"], "refreshAttempt");
        assert_eq!(lines[0]["event"]["trigger"]["type"], "rule");
        assert_eq!(lines[0]["event"]["durationMs"], 12);
        assert_eq!(lines[0]["summary"], "refresh by rule http.401 refreshed");
        assert_eq!(lines[1]["event"]["reason"], "gone");
    }

    #[test]
    fn reopening_keeps_events_and_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join(FILE_NAME);
        Timeline::open(&path)
            .unwrap()
            .append("a", &note("kept"), at(1))
            .unwrap();
        let again = Timeline::open(&path).unwrap();
        assert_eq!(again.count().unwrap(), 1);
        let version: i64 = Connection::open(&path)
            .unwrap()
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
    }

    #[test]
    fn a_newer_schema_is_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let error = Timeline::open(&path).unwrap_err().to_string();
        assert!(error.contains("newer Callout Lab (schema 99"), "{error}");
    }

    #[test]
    fn fingerprints_tell_tokens_apart_without_showing_them() {
        let one = fingerprint(&Secret::new("token-one"));
        assert_eq!(one.len(), 8);
        assert_ne!(one, fingerprint(&Secret::new("token-two")));
        assert!(!one.contains("token"));
    }

    #[test]
    fn what_another_handle_appended_is_read_by_credential_and_kind() {
        let (dir, timeline) = temp();
        assert_eq!(timeline.appended_after(0).unwrap(), Appended::default());
        timeline.append("Sandbox", &note("one"), at(100)).unwrap();
        let seen = timeline.newest_id().unwrap();
        assert_eq!(timeline.appended_after(0).unwrap().newest, seen);

        // Another process's handle on the same file.
        let other = Timeline::open(&dir.path().join(FILE_NAME)).unwrap();
        other
            .append("Acme", &EventDetail::Retry { attempt: 2 }, at(200))
            .unwrap();
        other.append("acme", &note("two"), at(300)).unwrap();
        other
            .append("Acme", &EventDetail::Retry { attempt: 3 }, at(400))
            .unwrap();
        let appended = timeline.appended_after(seen).unwrap();
        assert_eq!(appended.newest, seen + 3);
        assert_eq!(appended.credentials, ["Acme"]);
        assert_eq!(
            appended.kinds,
            [EventKind::Retry, EventKind::NeedsReauthorization]
        );
        assert_eq!(
            timeline.appended_after(appended.newest).unwrap(),
            Appended {
                newest: appended.newest,
                ..Appended::default()
            }
        );
        assert!(appended.kinds[1].follows_keychain_change());
        assert!(!appended.kinds[0].follows_keychain_change());

        // A fresh file (the old one moved aside) starts its ids again:
        // everything in it is new.
        let fresh_dir = tempfile::tempdir().unwrap();
        let fresh = Timeline::open(&fresh_dir.path().join(FILE_NAME)).unwrap();
        fresh.append("Sandbox", &note("again"), at(500)).unwrap();
        let appended = fresh.appended_after(seen + 3).unwrap();
        assert_eq!(
            (appended.newest, appended.credentials),
            (1, vec!["Sandbox".to_string()])
        );
    }

    #[test]
    fn kinds_parse_from_the_command_line() {
        assert_eq!(
            EventKind::parse("refresh-attempt"),
            Some(EventKind::RefreshAttempt)
        );
        assert_eq!(EventKind::parse("Verdict"), Some(EventKind::Verdict));
        assert_eq!(EventKind::parse("nonsense"), None);
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn durations_read_like_a_person_wrote_them() {
        assert_eq!(human_duration(Duration::from_millis(850)), "850 ms");
        assert_eq!(human_duration(Duration::from_secs(42)), "42 s");
        assert_eq!(human_duration(Duration::from_secs(3_900)), "1 h 5 min");
        assert_eq!(human_duration(Duration::from_secs(21_600)), "6 h");
    }
}

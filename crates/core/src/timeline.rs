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
use crate::oauth::TokenSet;
use crate::send::{Attempt, Outcome};
use crate::{Error, Result, Secret};

/// The timeline file's name in the data directory.
pub const FILE_NAME: &str = "timeline.sqlite3";

/// How long a writer waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

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

/// What to keep when pruning; nothing is pruned for a `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    /// Drop events older than this.
    pub max_age: Option<Duration>,
    /// Keep only the newest this many events.
    pub max_events: Option<u64>,
}

/// The timeline of one home. Share one per process; any number of processes
/// may open the same file.
pub struct Timeline {
    path: PathBuf,
    connection: Mutex<Connection>,
}

impl fmt::Debug for Timeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeline")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Timeline {
    /// The timeline of `home` (created and migrated if needed).
    pub fn for_home(home: &Home) -> Result<Timeline> {
        Timeline::open(&home.data_dir().join(FILE_NAME))
    }

    /// Opens (creating and migrating) the timeline file at `path`.
    pub fn open(path: &Path) -> Result<Timeline> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|error| storage("create the directory of", parent, error))?;
        }
        let connection =
            Connection::open(path).map_err(|error| storage("open the timeline", path, error))?;
        connection
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|error| storage("set the busy timeout of", path, error))?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|error| storage("switch to WAL mode", path, error))?;
        connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|error| storage("configure", path, error))?;
        migrate(&connection, path)?;
        Ok(Timeline {
            path: path.to_path_buf(),
            connection: Mutex::new(connection),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn connection(&self) -> std::sync::MutexGuard<'_, Connection> {
        crate::lock(&self.connection)
    }

    /// Appends one event for `credential` at `now`; returns its id.
    pub fn append(&self, credential: &str, detail: &EventDetail, now: SystemTime) -> Result<i64> {
        let json = serde_json::to_string(detail).map_err(|error| Error::Storage {
            action: "encode an event for",
            path: self.path.display().to_string(),
            detail: error.to_string(),
        })?;
        let connection = self.connection();
        connection
            .execute(
                "INSERT INTO events (at_ms, credential, credential_key, kind, detail) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    millis(now),
                    credential,
                    credential.to_ascii_lowercase(),
                    detail.kind().as_str(),
                    json
                ],
            )
            .map_err(|error| storage("append to", &self.path, error))?;
        Ok(connection.last_insert_rowid())
    }

    /// Appends many events in one transaction (all or none).
    pub fn append_all(&self, events: &[(String, EventDetail, SystemTime)]) -> Result<()> {
        let mut connection = self.connection();
        let fail = |error| storage("append to", &self.path, error);
        let transaction = connection.transaction().map_err(fail)?;
        {
            let mut statement = transaction
                .prepare_cached(
                    "INSERT INTO events (at_ms, credential, credential_key, kind, detail) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(fail)?;
            for (credential, detail, at) in events {
                let json = serde_json::to_string(detail).map_err(|error| Error::Storage {
                    action: "encode an event for",
                    path: self.path.display().to_string(),
                    detail: error.to_string(),
                })?;
                statement
                    .execute(params![
                        millis(*at),
                        credential,
                        credential.to_ascii_lowercase(),
                        detail.kind().as_str(),
                        json
                    ])
                    .map_err(fail)?;
            }
        }
        transaction.commit().map_err(fail)
    }

    /// The events `query` selects, oldest first. An event whose stored form
    /// this version cannot read is reported, not skipped silently.
    pub fn query(&self, query: &Query) -> Result<Vec<Event>> {
        let (sql, values) = query.sql();
        let connection = self.connection();
        let fail = |error| storage("read", &self.path, error);
        let mut statement = connection.prepare(&sql).map_err(fail)?;
        let rows = statement
            .query_map(params_from_iter(values), |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })
            .map_err(fail)?;
        let mut events = Vec::new();
        for row in rows {
            let (id, at_ms, credential, detail) = row.map_err(fail)?;
            let event: EventDetail =
                serde_json::from_str(&detail).map_err(|error| Error::Storage {
                    action: "decode",
                    path: format!("event {id} in {}", self.path.display()),
                    detail: error.to_string(),
                })?;
            events.push(Event {
                id,
                at_ms,
                credential,
                summary: event.describe(),
                event,
            });
        }
        Ok(events)
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
        let connection = self.connection();
        connection
            .query_row("SELECT COUNT(*) FROM events", [], |row| {
                row.get::<_, i64>(0)
            })
            .map(|count| u64::try_from(count).unwrap_or(0))
            .map_err(|error| storage("count the events of", &self.path, error))
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

    /// Writes the events `query` selects as JSON lines (one [`Event`] each).
    pub fn export(&self, query: &Query, out: &mut dyn std::io::Write) -> Result<usize> {
        let events = self.query(query)?;
        for event in &events {
            let line = serde_json::to_string(event).map_err(|error| Error::Storage {
                action: "encode",
                path: format!("event {}", event.id),
                detail: error.to_string(),
            })?;
            writeln!(out, "{line}").map_err(|error| Error::Storage {
                action: "write the export of",
                path: self.path.display().to_string(),
                detail: error.to_string(),
            })?;
        }
        Ok(events.len())
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

/// Where a send's event falls: before its refresh (the first request and
/// its verdict), or after it (the retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendPhase {
    BeforeRefresh,
    AfterRefresh,
}

/// The events of a send's attempts: each request and its verdict, the
/// retry, a refresh that could not even be tried. (Refresh attempts are
/// recorded by the token service that runs them.)
pub fn send_events(outcome: &Outcome) -> Vec<(SendPhase, EventDetail)> {
    let mut events = Vec::new();
    let mut phase = SendPhase::BeforeRefresh;
    for attempt in &outcome.attempts {
        let (number, request) = match attempt {
            Attempt::Sent {
                number, request, ..
            }
            | Attempt::Failed {
                number, request, ..
            } => (*number, request),
            Attempt::Refreshed { .. } | Attempt::RefreshFailed { .. } => {
                phase = SendPhase::AfterRefresh;
                continue;
            }
            Attempt::RefreshSkipped { reason } => {
                events.push((
                    phase,
                    EventDetail::KeeperDecision {
                        action: KeeperAction::Skip,
                        reason: format!("expired, but nothing could be refreshed: {reason}"),
                        result: None,
                    },
                ));
                phase = SendPhase::AfterRefresh;
                continue;
            }
        };
        if number > 1 {
            events.push((phase, EventDetail::Retry { attempt: number }));
        }
        let (status, duration_ms, error) = match attempt {
            Attempt::Sent {
                status,
                duration_ms,
                ..
            } => (Some(*status), Some(*duration_ms), None),
            Attempt::Failed { error, .. } => (None, None, Some(error.message.clone())),
            _ => (None, None, None),
        };
        events.push((
            phase,
            EventDetail::RequestSent {
                method: request.method.clone(),
                url: request.url.clone(),
                status,
                duration_ms,
                error,
            },
        ));
        if let Attempt::Sent { verdict, .. } = attempt {
            events.push((
                phase,
                EventDetail::Verdict {
                    expired: verdict.expired,
                    rule: verdict.rule.clone(),
                    reason: verdict.reason.clone(),
                    salesforce_would_refresh: verdict.salesforce.would_refresh,
                    salesforce_reason: verdict.salesforce.reason.clone(),
                },
            ));
        }
    }
    events
}

/// Records a send's events for `credential`: what came before its refresh
/// at `started`, the retry at `finished`, so they read in order around the
/// refresh the token service recorded meanwhile.
pub fn record_send(
    timeline: &Timeline,
    credential: &str,
    outcome: &Outcome,
    started: SystemTime,
    finished: SystemTime,
) -> Result<()> {
    let events: Vec<_> = send_events(outcome)
        .into_iter()
        .map(|(phase, detail)| {
            let at = match phase {
                SendPhase::BeforeRefresh => started,
                SendPhase::AfterRefresh => finished,
            };
            (credential.to_string(), detail, at)
        })
        .collect();
    timeline.append_all(&events)
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

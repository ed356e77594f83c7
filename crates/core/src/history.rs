//! History: every send kept, to look back at what went out and what came
//! back. One SQLite file per home (`<data dir>/history.sqlite3`, beside the
//! timeline), one row per send: when, which saved request and environment
//! (when known), the request as shown (secrets masked, as in the report),
//! the status, how long it took, and the whole report — response, verdict,
//! every attempt — with each body cut at [`MAX_BODY`] (and marked so).
//! Oldest rows beyond the retention (count and age) are removed as new
//! ones come.
//!
//! Nothing secret is kept: a credential written out in a request's
//! credential header is withheld, and the value of every secret variable
//! the request was filled in with ([`History::scrubbing`]) is replaced by
//! `[secret NAME]` wherever it appears — the request, the URL, the
//! response, every attempt — before anything is written (values shorter
//! than [`MIN_SCRUBBED`](crate::variables::MIN_SCRUBBED) characters
//! excepted). Such a send cannot be sent again from the history; its saved
//! request can.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::home::Home;
use crate::http::Draft;
use crate::send::Report;
use crate::variables::SecretValues;
use crate::{Error, Result};

/// The history's file name inside the data directory.
pub const FILE_NAME: &str = "history.sqlite3";
/// The most bytes of a body kept per response.
pub const MAX_BODY: usize = 256 * 1024;
/// Sends kept at most, and for at most this long, unless told otherwise.
pub const DEFAULT_KEEP: Retention = Retention {
    count: 5_000,
    age: Duration::from_secs(30 * 24 * 3_600),
};

/// How much history is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub count: u32,
    pub age: Duration,
}

/// What is known of a send besides its report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Label {
    /// The saved request it came from ("Accounts/Query accounts").
    pub request: Option<String>,
    /// The environment its variables came from.
    pub environment: Option<String>,
}

/// One kept send, in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Sent {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub at_ms: u64,
    pub request: Option<String>,
    pub environment: Option<String>,
    pub method: String,
    /// As shown: secrets masked.
    pub url: String,
    pub status: u16,
    #[ts(type = "number")]
    pub duration_ms: u64,
}

/// One kept send, whole.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Kept {
    #[serde(flatten)]
    pub sent: Sent,
    /// The report as the app shows it (bodies cut at [`MAX_BODY`]).
    #[ts(type = "import(\"./SendReport\").SendReport")]
    pub report: Value,
}

/// The history of one home.
pub struct History {
    connection: Connection,
    path: PathBuf,
}

impl History {
    /// Opens (making it when missing) the history of `home`.
    pub fn open(home: &Home) -> Result<Self> {
        Self::open_at(&home.data_dir().join(FILE_NAME))
    }

    /// The history of `home`, opened once per process and shared: every
    /// send keeps itself through it, so the file is not opened (nor its
    /// tables checked) again on the send path. A failed open is tried again
    /// next time.
    pub fn shared(home: &Home) -> Result<Arc<Mutex<History>>> {
        static OPEN: OnceLock<Mutex<HashMap<PathBuf, Arc<Mutex<History>>>>> = OnceLock::new();
        let path = home.data_dir().join(FILE_NAME);
        let mut open = crate::locked(OPEN.get_or_init(Default::default));
        if let Some(history) = open.get(&path) {
            return Ok(Arc::clone(history));
        }
        let history = Arc::new(Mutex::new(Self::open_at(&path)?));
        open.insert(path, Arc::clone(&history));
        Ok(history)
    }

    pub fn open_at(path: &Path) -> Result<Self> {
        let trouble = |error: rusqlite::Error| Error::Storage {
            action: "open the history",
            path: path.display().to_string(),
            detail: error.to_string(),
        };
        let connection = Connection::open(path).map_err(trouble)?;
        connection
            .busy_timeout(Duration::from_secs(5))
            .map_err(trouble)?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(trouble)?;
        // With WAL, NORMAL syncs at checkpoints, not at every send: a crash of
        // the machine may lose the newest sends, never the file.
        connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(trouble)?;
        connection
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS sends (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at_ms INTEGER NOT NULL,
                    request TEXT,
                    environment TEXT,
                    method TEXT NOT NULL,
                    url TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    duration_ms INTEGER NOT NULL,
                    report TEXT NOT NULL,
                    draft TEXT
                 );
                 CREATE INDEX IF NOT EXISTS sends_by_request ON sends (request, id);
                 CREATE INDEX IF NOT EXISTS sends_by_time ON sends (at_ms);",
            )
            .map_err(trouble)?;
        Ok(Self {
            connection,
            path: path.to_path_buf(),
        })
    }

    fn trouble(&self, action: &'static str) -> impl Fn(rusqlite::Error) -> Error + '_ {
        move |error| Error::Storage {
            action,
            path: self.path.display().to_string(),
            detail: error.to_string(),
        }
    }

    /// Keeps a send of `draft` (as written: merge fields unreplaced, no
    /// secret) made at `at` that took `duration`, then drops what the
    /// retention no longer keeps. Returns the new row's id.
    pub fn record(
        &self,
        draft: &Draft,
        report: &Report,
        label: &Label,
        at: SystemTime,
        duration: Duration,
        keep: Retention,
    ) -> Result<i64> {
        self.scrubbing(&SecretValues::default())
            .record(draft, report, label, at, duration, keep)
    }

    /// This history, keeping sends with the values of the secret variables
    /// `secrets` replaced by `[secret NAME]` everywhere.
    pub fn scrubbing<'a>(&'a self, secrets: &'a SecretValues) -> Scrubbing<'a> {
        Scrubbing {
            history: self,
            secrets,
        }
    }

    /// The newest sends first, at most `limit`; of one saved request when
    /// `request` names it.
    pub fn list(&self, request: Option<&str>, limit: u32) -> Result<Vec<Sent>> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT id, at_ms, request, environment, method, url, status, duration_ms
                 FROM sends WHERE ?1 IS NULL OR request = ?1 ORDER BY id DESC LIMIT ?2",
            )
            .map_err(self.trouble("read the history"))?;
        let rows = statement
            .query_map(params![request, limit], sent_of)
            .map_err(self.trouble("read the history"))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.trouble("read the history"))
    }

    /// The request of send `id` as it was written, to send it again, and
    /// what is known of it.
    pub fn draft(&self, id: i64) -> Result<(Draft, Label)> {
        let kept = self.get(id)?;
        let draft: Option<String> = self
            .connection
            .query_row(
                "SELECT draft FROM sends WHERE id = ?1",
                params![id],
                |row| row.get(0),
            )
            .map_err(self.trouble("read the history"))?;
        let refuse = |detail: String| Error::Storage {
            action: "send again a request of the history",
            path: self.path.display().to_string(),
            detail,
        };
        let kept_draft: KeptDraft = draft
            .and_then(|text| serde_json::from_str(&text).ok())
            .ok_or_else(|| refuse(format!("send {id} kept no request to send again")))?;
        if !kept_draft.secrets.is_empty() {
            return Err(refuse(format!(
                "send {id} used the secret {} {}, whose value the history does not keep; \
                 send its saved request again{}",
                if kept_draft.secrets.len() == 1 {
                    "variable"
                } else {
                    "variables"
                },
                kept_draft.secrets.join(" and "),
                kept.sent
                    .request
                    .as_deref()
                    .map_or_else(String::new, |request| format!(
                        " (`callout send --saved \"{request}\"`)"
                    ))
            )));
        }
        if !kept_draft.withheld.is_empty() {
            return Err(refuse(format!(
                "send {id} carried a credential written out in its {} header, which the history \
                 does not keep; send it again from where it came, or let a credential give it \
                 (callout:NAME/...)",
                kept_draft.withheld.join(" and ")
            )));
        }
        Ok((
            kept_draft.draft,
            Label {
                request: kept.sent.request,
                environment: kept.sent.environment,
            },
        ))
    }

    /// What changed from send `before` to send `after`: the status, the
    /// headers and the body, as a unified diff (`-` before, `+` after).
    pub fn diff(&self, before: i64, after: i64) -> Result<String> {
        let text = |id: i64| -> Result<String> {
            let kept = self.get(id)?;
            let response = &kept.report["response"];
            let mut text = format!("HTTP {}\n", kept.sent.status);
            for header in response["headers"].as_array().into_iter().flatten() {
                text.push_str(&format!(
                    "{}: {}\n",
                    header["name"].as_str().unwrap_or_default(),
                    header["value"].as_str().unwrap_or_default()
                ));
            }
            text.push('\n');
            text.push_str(response["body"].as_str().unwrap_or_default());
            if !text.ends_with('\n') {
                text.push('\n');
            }
            Ok(text)
        };
        let (old, new) = (text(before)?, text(after)?);
        if old == new {
            return Ok(format!(
                "send {before} and send {after} were answered alike: same status, headers and body\n"
            ));
        }
        Ok(similar::TextDiff::from_lines(&old, &new)
            .unified_diff()
            .context_radius(3)
            .header(&format!("send {before}"), &format!("send {after}"))
            .to_string())
    }

    /// The send kept as `id`, whole.
    pub fn get(&self, id: i64) -> Result<Kept> {
        let found = self
            .connection
            .query_row(
                "SELECT id, at_ms, request, environment, method, url, status, duration_ms, report
                 FROM sends WHERE id = ?1",
                params![id],
                |row| Ok((sent_of(row)?, row.get::<_, String>(8)?)),
            )
            .optional()
            .map_err(self.trouble("read the history"))?;
        let Some((sent, report)) = found else {
            return Err(Error::Storage {
                action: "read the history",
                path: self.path.display().to_string(),
                detail: format!(
                    "it keeps no send {id} (`callout history` lists the ones it keeps)"
                ),
            });
        };
        let report = serde_json::from_str(&report).map_err(|error| Error::Storage {
            action: "read the history",
            path: self.path.display().to_string(),
            detail: format!("send {id} is unreadable: {error}"),
        })?;
        Ok(Kept { sent, report })
    }
}

/// A [`History`] that keeps sends without the values of some secret
/// variables ([`History::scrubbing`]).
pub struct Scrubbing<'a> {
    history: &'a History,
    secrets: &'a SecretValues,
}

impl Scrubbing<'_> {
    /// [`History::record`], of a send `draft` holds the secrets of (filled
    /// in with them): none of their values is kept.
    pub fn record(
        &self,
        draft: &Draft,
        report: &Report,
        label: &Label,
        at: SystemTime,
        duration: Duration,
        keep: Retention,
    ) -> Result<i64> {
        let history = self.history;
        let mut value = serde_json::to_value(report).map_err(|error| Error::Storage {
            action: "keep the send in the history",
            path: history.path.display().to_string(),
            detail: error.to_string(),
        })?;
        cut_bodies(&mut value);
        withhold_in_report(&mut value);
        scrub_strings(&mut value, self.secrets);
        let kept_draft = KeptDraft::of(draft, self.secrets);
        let url = self.secrets.scrub(&report.request.url);
        let at_ms = millis(at);
        history.connection
            .execute(
                "INSERT INTO sends (at_ms, request, environment, method, url, status, duration_ms, report, draft)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    at_ms as i64,
                    label.request,
                    label.environment,
                    report.request.method,
                    url,
                    report.response.status,
                    duration.as_millis().min(i64::MAX as u128) as i64,
                    value.to_string(),
                    serde_json::to_string(&kept_draft).unwrap_or_default(),
                ],
            )
            .map_err(history.trouble("keep the send in the history"))?;
        let id = history.connection.last_insert_rowid();
        let oldest_kept = at_ms.saturating_sub(keep.age.as_millis().min(u64::MAX as u128) as u64);
        // Two statements, each a range on an index (the time; the id): one
        // with OR between them, or an OFFSET walk to find the count's
        // boundary, reads thousands of rows per send. Rows only ever leave
        // from the oldest end, so the kept ids are one run ending at `id`:
        // the newest `count` are those above `id - count`.
        history
            .connection
            .execute(
                "DELETE FROM sends WHERE at_ms < ?1",
                params![oldest_kept as i64],
            )
            .map_err(history.trouble("trim the history"))?;
        history
            .connection
            .execute(
                "DELETE FROM sends WHERE id <= ?1",
                params![id - i64::from(keep.count)],
            )
            .map_err(history.trouble("trim the history"))?;
        Ok(id)
    }
}

/// Headers that carry a credential: their written-out values are never kept.
const CREDENTIAL_HEADERS: [&str; 7] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "api-key",
    "x-auth-token",
    "x-access-token",
];

/// What the history keeps of a written value that may be a credential.
pub(crate) const WITHHELD: &str = "[not kept: a credential written out]";

fn is_credential_header(name: &str) -> bool {
    CREDENTIAL_HEADERS
        .iter()
        .any(|known| name.trim().eq_ignore_ascii_case(known))
}

/// A draft as the history keeps it: credential headers whose value is
/// written out (no merge field gives it) withheld and named, and secret
/// variables' values scrubbed (their names kept).
#[derive(Serialize, serde::Deserialize)]
struct KeptDraft {
    draft: Draft,
    withheld: Vec<String>,
    #[serde(default)]
    secrets: Vec<String>,
}

impl KeptDraft {
    fn of(draft: &Draft, secrets: &SecretValues) -> Self {
        let mut kept = draft.clone();
        let mut withheld = Vec::new();
        for header in &mut kept.headers {
            if is_credential_header(&header.name) && !header.value.contains("{!") {
                withheld.push(header.name.clone());
                header.value = WITHHELD.into();
            }
        }
        kept.url = secrets.scrub(&kept.url);
        for header in &mut kept.headers {
            header.name = secrets.scrub(&header.name);
            header.value = secrets.scrub(&header.value);
        }
        kept.body = kept.body.as_deref().map(|body| secrets.scrub(body));
        Self {
            draft: kept,
            withheld,
            secrets: secrets.names(),
        }
    }
}

/// Every string in `value` (the report's URLs, headers, bodies, messages)
/// with the secret values scrubbed.
fn scrub_strings(value: &mut Value, secrets: &SecretValues) {
    if secrets.is_empty() {
        return;
    }
    match value {
        Value::String(text) => {
            let scrubbed = secrets.scrub(text);
            if scrubbed != *text {
                *text = scrubbed;
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| scrub_strings(item, secrets)),
        Value::Object(object) => object
            .iter_mut()
            .for_each(|(_, item)| scrub_strings(item, secrets)),
        _ => {}
    }
}

/// Every credential header of the report's requests (the last one and each
/// attempt's) withheld: what a merge field gave is masked already, what was
/// written out is not, and the report cannot tell them apart.
fn withhold_in_report(value: &mut Value) {
    each_object(value, &mut |object| {
        let Some(Value::Array(headers)) = object.get_mut("headers") else {
            return;
        };
        for header in headers {
            let is_credential = header
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(is_credential_header);
            if is_credential && let Some(slot) = header.get_mut("value") {
                *slot = Value::String(WITHHELD.into());
            }
        }
    });
}

fn sent_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Sent> {
    Ok(Sent {
        id: row.get(0)?,
        at_ms: row.get::<_, i64>(1)?.max(0) as u64,
        request: row.get(2)?,
        environment: row.get(3)?,
        method: row.get(4)?,
        url: row.get(5)?,
        status: row.get::<_, i64>(6)?.clamp(0, i64::from(u16::MAX)) as u16,
        duration_ms: row.get::<_, i64>(7)?.max(0) as u64,
    })
}

/// Cuts every `body` string of the report (the response's, each attempt's)
/// at [`MAX_BODY`] bytes, marking it `bodyCutInHistory`.
fn cut_bodies(value: &mut Value) {
    each_object(value, &mut |object| {
        let Some(Value::String(body)) = object.get_mut("body") else {
            return;
        };
        if body.len() <= MAX_BODY {
            return;
        }
        let mut end = MAX_BODY;
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        body.truncate(end);
        object.insert("bodyCutInHistory".into(), Value::Bool(true));
    });
}

/// Calls `visit` on every JSON object in `value`, outer ones first.
fn each_object(value: &mut Value, visit: &mut impl FnMut(&mut serde_json::Map<String, Value>)) {
    match value {
        Value::Object(object) => {
            visit(object);
            for (_, inner) in object.iter_mut() {
                each_object(inner, visit);
            }
        }
        Value::Array(items) => {
            for item in items {
                each_object(item, visit);
            }
        }
        _ => {}
    }
}

fn millis(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis().min(u64::MAX as u128) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft::new("GET", "https://api.example/x")
    }

    fn report(status: u16, body: &str) -> Report {
        let detector = crate::detect::Detector::for_credential(
            &crate::credential::Credential::new("Api", "https://api.example"),
        )
        .unwrap();
        let response = crate::http::Received {
            status,
            headers: Vec::new(),
            body: crate::http::ResponseBody(body.as_bytes().to_vec()),
            truncated: false,
            elapsed_ms: 5,
        };
        Report {
            request: crate::merge::DisplayRequest {
                method: "GET".into(),
                url: "https://api.example/x".into(),
                headers: Vec::new(),
                body: None,
            },
            lint: Vec::new(),
            verdict: detector.verdict(status, &[], body.as_bytes()),
            response,
            attempts: Vec::new(),
        }
    }

    #[test]
    fn sends_are_kept_newest_first_per_request_and_trimmed_by_count_and_age() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open_at(&dir.path().join(FILE_NAME)).unwrap();
        let keep = Retention {
            count: 3,
            age: Duration::from_secs(3_600),
        };
        let now = SystemTime::now();
        let labelled = |request: &str| Label {
            request: Some(request.into()),
            environment: Some("Dev".into()),
        };
        let old = now - Duration::from_secs(7_200);
        history
            .record(
                &draft(),
                &report(200, "old"),
                &labelled("A"),
                old,
                Duration::ZERO,
                DEFAULT_KEEP,
            )
            .unwrap();
        for (index, request) in ["A", "B", "A"].into_iter().enumerate() {
            history
                .record(
                    &draft(),
                    &report(200 + index as u16, "{}"),
                    &labelled(request),
                    now,
                    Duration::from_millis(7),
                    keep,
                )
                .unwrap();
        }
        let all = history.list(None, 10).unwrap();
        let statuses: Vec<u16> = all.iter().map(|sent| sent.status).collect();
        assert_eq!(statuses, [202, 201, 200], "the two-hour-old send is gone");
        let of_a: Vec<u16> = history
            .list(Some("A"), 10)
            .unwrap()
            .iter()
            .map(|sent| sent.status)
            .collect();
        assert_eq!(of_a, [202, 200]);
        history
            .record(
                &draft(),
                &report(500, "{}"),
                &labelled("B"),
                now,
                Duration::ZERO,
                keep,
            )
            .unwrap();
        assert_eq!(
            history.list(None, 10).unwrap().len(),
            3,
            "three kept at most"
        );
        let newest = &history.list(None, 1).unwrap()[0];
        let kept = history.get(newest.id).unwrap();
        assert_eq!(kept.sent.status, 500);
        assert_eq!(kept.report["response"]["status"], 500);
        assert!(history.get(newest.id + 100).is_err());
        let (again, label) = history.draft(newest.id).unwrap();
        assert_eq!(again, draft());
        assert_eq!(label.request.as_deref(), Some("B"));
    }

    #[test]
    fn two_kept_responses_are_compared_line_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open_at(&dir.path().join(FILE_NAME)).unwrap();
        let now = SystemTime::now();
        let keep = |status, body| {
            history
                .record(
                    &draft(),
                    &report(status, body),
                    &Label::default(),
                    now,
                    Duration::ZERO,
                    DEFAULT_KEEP,
                )
                .unwrap()
        };
        let before = keep(200, "{\n  \"name\": \"Acme\",\n  \"city\": \"Paris\"\n}");
        let after = keep(200, "{\n  \"name\": \"Acme\",\n  \"city\": \"Lyon\"\n}");
        let diff = history.diff(before, after).unwrap();
        assert!(diff.contains("-  \"city\": \"Paris\""), "{diff}");
        assert!(diff.contains("+  \"city\": \"Lyon\""), "{diff}");
        assert!(!diff.contains("-  \"name\""), "{diff}");
        assert!(
            history
                .diff(before, before)
                .unwrap()
                .lines()
                .all(|line| !line.starts_with('-'))
        );
    }

    #[test]
    fn a_credential_written_out_in_a_header_never_reaches_the_history() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let history = History::open_at(&path).unwrap();
        let written = Draft::new("GET", "https://api.example/x")
            .header("Authorization", "Bearer literal-s3cret-token")
            .header("X-Api-Key", "k3y-s3cret");
        let mut shown = report(200, "{}");
        shown.request.headers = written.headers.clone();
        let id = history
            .record(
                &written,
                &shown,
                &Label::default(),
                SystemTime::now(),
                Duration::ZERO,
                DEFAULT_KEEP,
            )
            .unwrap();
        let merged = Draft::new("GET", "callout:Acme/x")
            .header("Authorization", "Bearer {!$Credential.OAuthToken}");
        let merged_id = history
            .record(
                &merged,
                &report(200, "{}"),
                &Label::default(),
                SystemTime::now(),
                Duration::ZERO,
                DEFAULT_KEEP,
            )
            .unwrap();
        drop(history);
        for file in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(file.unwrap().path()).unwrap();
            for secret in ["literal-s3cret-token", "k3y-s3cret"] {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{secret}"
                );
            }
        }
        let history = History::open_at(&path).unwrap();
        let refused = history.draft(id).unwrap_err().to_string();
        assert!(
            refused.contains("written out in its Authorization and X-Api-Key header"),
            "{refused}"
        );
        assert_eq!(
            history.draft(merged_id).unwrap().0,
            merged,
            "a merge field is no secret"
        );
        assert_eq!(
            history.get(id).unwrap().report["request"]["headers"][0]["value"],
            WITHHELD
        );
    }

    #[test]
    fn a_secret_variable_sent_in_a_header_the_url_and_the_body_is_in_no_byte_of_the_history() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let history = History::open_at(&path).unwrap();
        let password = "s3cret-variable-value";
        let key = "k3y-of-the-collection";
        let sent = Draft::new("POST", format!("https://api.example/login?key={key}"))
            .header("X-Password", password)
            .body(format!("{{\"password\": \"{password}\"}}"));
        let mut shown = report(200, &format!("{{\"echo\": \"{password}\"}}"));
        shown.request.url = sent.url.clone();
        shown.request.headers = sent.headers.clone();
        shown.request.body = sent.body.clone();
        let mut secrets = SecretValues::default();
        secrets.insert("password", crate::Secret::new(password));
        secrets.insert("api_key", crate::Secret::new(key));
        let label = Label {
            request: Some("Acme/Login".into()),
            environment: Some("Dev".into()),
        };
        let id = history
            .scrubbing(&secrets)
            .record(
                &sent,
                &shown,
                &label,
                SystemTime::now(),
                Duration::ZERO,
                DEFAULT_KEEP,
            )
            .unwrap();
        drop(history);
        let mut files = 0;
        for file in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(file.unwrap().path()).unwrap();
            files += 1;
            for secret in [password, key] {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{secret}"
                );
            }
        }
        assert!(files >= 1);

        let history = History::open_at(&path).unwrap();
        let kept = history.get(id).unwrap();
        assert_eq!(
            kept.sent.url,
            "https://api.example/login?key=[secret api_key]"
        );
        assert_eq!(
            kept.report["request"]["headers"][0]["value"],
            "[secret password]"
        );
        assert_eq!(
            kept.report["request"]["body"],
            "{\"password\": \"[secret password]\"}"
        );
        assert_eq!(
            kept.report["response"]["body"],
            "{\"echo\": \"[secret password]\"}"
        );
        let refused = history.draft(id).unwrap_err().to_string();
        assert!(
            refused.contains("used the secret variables api_key and password"),
            "{refused}"
        );
        assert!(
            refused.contains("(`callout send --saved \"Acme/Login\"`)"),
            "{refused}"
        );
    }

    #[test]
    fn long_bodies_are_cut_and_marked() {
        let mut value = serde_json::json!({
            "response": {"body": "x".repeat(MAX_BODY + 10)},
            "attempts": [{"response": {"body": "short"}}]
        });
        cut_bodies(&mut value);
        assert_eq!(value["response"]["body"].as_str().unwrap().len(), MAX_BODY);
        assert_eq!(value["response"]["bodyCutInHistory"], true);
        assert!(
            value["attempts"][0]["response"]
                .get("bodyCutInHistory")
                .is_none()
        );
    }
}

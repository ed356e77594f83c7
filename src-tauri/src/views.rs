//! What the desktop app shows of the engine's state, in the shapes its UI
//! receives: a credential with its status line, a token without its value
//! (masked, fingerprint, claims), the problems of a credential form field by
//! field, authorization progress, a timeline filter. Built from the engine's
//! own answers ([`status`], [`Credential::problems`], [`fingerprint`],
//! [`jwt_claims`]); nothing here decides anything on its own.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use callout_core::assertion::{Assertion, AssertionResult, Extraction};
use callout_core::collection::{Collection, Item, RequestFile};
use callout_core::credential::{AuthProtocol, Credential};
use callout_core::credential_store::{Authorization, CredentialStore, Identity};
use callout_core::detect::Verdict;
use callout_core::detect::catalog::{Means, Rule, Sample, SampleCheck};
use callout_core::detect::teach::Proposal;
use callout_core::oauth::{CredentialStatus, status};
use callout_core::oauth::{ExpirySource, TokenSet, jwt_claims};
use callout_core::requests::{Preview, SavedRequest};
use callout_core::rules::Added;
use callout_core::run::{RunSummary, Step, StepResult, Totals};
use callout_core::send::{Header, Report};
use callout_core::timeline::{self, EventDetail, EventKind, Timeline, fingerprint, human_duration};
use callout_core::variables::Resolved;
use callout_core::workbench::Opened;
use callout_core::{Error, ErrorReport, Result};

/// A credential as the list and the tray show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CredentialView {
    pub credential: Credential,
    /// Its protocol as a short label ([`AuthProtocol::label`]).
    pub protocol_label: String,
    pub status: StatusView,
    /// The credential the app keeps for its embedded sandbox.
    pub sandbox: bool,
    pub has_client_secret: bool,
    /// What saving it did besides (keychain entries an earlier credential
    /// of its name left behind were removed); null in lists.
    pub notice: Option<String>,
}

/// Where a credential stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum StatusState {
    NoAuthentication,
    /// Basic authentication: the login goes with every call, no token.
    Basic,
    NotAuthorized,
    Valid,
    Expired,
    UnknownExpiry,
    NeedsReauthorization,
    /// Its keychain entry cannot be read (written by a newer version,
    /// edited by hand, or duplicated): Repair removes it, as does
    /// authorizing again.
    Broken,
}

/// A credential's status, with the line the tray and the list show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StatusView {
    pub state: StatusState,
    /// "valid for 4 min", "expired 2 min ago", "needs re-authorization", ...
    pub line: String,
    #[ts(type = "number | null")]
    pub expires_at_ms: Option<u64>,
    /// Why it needs re-authorization, when it does.
    pub reason: Option<String>,
}

impl StatusView {
    /// The status of `authorization` at `now`, as
    /// [`oauth::status`](status) decides it.
    pub fn of(credential: &Credential, authorization: &Authorization, now: SystemTime) -> Self {
        let expires_at = authorization.tokens.as_ref().and_then(|t| t.expires_at);
        let view = |state, line: String, reason| StatusView {
            state,
            line,
            expires_at_ms: expires_at.map(millis),
            reason,
        };
        match credential.protocol {
            AuthProtocol::NoAuthentication => {
                return view(
                    StatusState::NoAuthentication,
                    "no authentication".into(),
                    None,
                );
            }
            AuthProtocol::Basic => {
                return view(
                    StatusState::Basic,
                    "Basic: sends its username and password".into(),
                    None,
                );
            }
            _ => {}
        }
        match status(authorization, now) {
            CredentialStatus::NotAuthorized => view(
                StatusState::NotAuthorized,
                "not authorized yet".into(),
                None,
            ),
            valid @ CredentialStatus::Valid { .. } => {
                view(StatusState::Valid, valid.describe(), None)
            }
            CredentialStatus::ExpiryUnknown => {
                view(StatusState::UnknownExpiry, "lifetime unknown".into(), None)
            }
            CredentialStatus::Expired => {
                let ago = expires_at
                    .and_then(|at| now.duration_since(at).ok())
                    .map(|ago| format!("expired {} ago", rounded(ago)))
                    .unwrap_or_else(|| "expired".into());
                view(StatusState::Expired, ago, None)
            }
            CredentialStatus::NeedsReauthorization { reason } => view(
                StatusState::NeedsReauthorization,
                "needs re-authorization".into(),
                Some(reason),
            ),
        }
    }
}

impl StatusView {
    /// A credential whose keychain entry cannot be read, for `error`.
    pub fn broken(error: &Error) -> Self {
        StatusView {
            state: StatusState::Broken,
            line: "broken: its keychain entry cannot be read".into(),
            expires_at_ms: None,
            reason: Some(error.to_string()),
        }
    }
}

/// "40 s", "2 min", "3 h": whole minutes once past one.
fn rounded(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds < 60 {
        format!("{seconds} s")
    } else {
        human_duration(Duration::from_secs(seconds - seconds % 60))
    }
}

/// Milliseconds since the Unix epoch.
pub fn millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |elapsed| {
        u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
    })
}

fn from_millis(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

/// Every credential of `store` with its status at `now`; `sandbox` names
/// the one the app keeps for its embedded sandbox.
pub fn credential_views(
    store: &CredentialStore,
    sandbox: Option<&str>,
    now: SystemTime,
) -> Result<Vec<CredentialView>> {
    store
        .load()?
        .iter()
        .map(|credential| credential_view(store, credential, sandbox, now))
        .collect()
}

/// One credential with its status at `now`. A keychain entry of it that
/// cannot be read makes it [`StatusState::Broken`], with the reason, rather
/// than an error: one broken credential never hides the others.
pub fn credential_view(
    store: &CredentialStore,
    credential: &Credential,
    sandbox: Option<&str>,
    now: SystemTime,
) -> Result<CredentialView> {
    let identity = Identity::for_credential(credential, None);
    // Each entry is read on its own: an unreadable authorization does not
    // make a stored client secret look missing.
    let client_secret = match store.client_secret(&credential.name) {
        Ok(secret) => Ok(secret.is_some()),
        Err(error @ Error::Keychain { .. }) => Err(error),
        Err(other) => return Err(other),
    };
    let status = match (
        store.authorization(&credential.name, &identity),
        &client_secret,
    ) {
        (Err(error @ Error::Keychain { .. }), _) => StatusView::broken(&error),
        (Err(other), _) => return Err(other),
        (Ok(_), Err(error)) => StatusView::broken(error),
        (Ok(authorization), Ok(_)) => StatusView::of(credential, &authorization, now),
    };
    let has_client_secret = client_secret.unwrap_or(false);
    Ok(CredentialView {
        protocol_label: credential.protocol.label().to_string(),
        status,
        sandbox: sandbox.is_some_and(|name| credential.is_named(name)),
        has_client_secret,
        credential: credential.clone(),
        notice: None,
    })
}

/// Whether a refresh token is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum RefreshTokenState {
    None,
    Present,
}

/// A token as a person may see it: never its value.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TokenView {
    pub credential: String,
    /// The first 4 and last 4 characters: "eyJh…k2Qx".
    pub masked: String,
    /// The timeline's fingerprint of the token.
    pub fingerprint: String,
    #[ts(type = "number")]
    pub issued_at_ms: u64,
    #[ts(type = "number | null")]
    pub expires_at_ms: Option<u64>,
    pub expiry_source: ExpirySource,
    pub jwt: bool,
    /// The decoded JWT payload (signature not checked; display only).
    #[ts(type = "Record<string, unknown> | null")]
    pub claims: Option<Map<String, Value>>,
    pub scopes: Vec<String>,
    pub refresh_token: RefreshTokenState,
    /// Whether the last refresh rotated the refresh token; `null` when unknown.
    pub refresh_rotated: Option<bool>,
}

impl TokenView {
    /// The view of `tokens`; the timeline (when given) tells whether the
    /// refresh token was rotated when these tokens were issued.
    pub fn of(credential: &str, tokens: &TokenSet, timeline: Option<&Timeline>) -> Self {
        let access = tokens.access_token.expose();
        let fingerprint = fingerprint(&tokens.access_token);
        let refresh_rotated =
            timeline.and_then(|timeline| rotated(timeline, credential, &fingerprint));
        TokenView {
            credential: credential.to_string(),
            masked: masked(access),
            fingerprint,
            issued_at_ms: millis(tokens.issued_at),
            expires_at_ms: tokens.expires_at.map(millis),
            expiry_source: tokens.expiry_source,
            jwt: tokens.is_jwt,
            claims: if tokens.is_jwt {
                jwt_claims(access)
            } else {
                None
            },
            scopes: tokens.scopes.clone(),
            refresh_token: if tokens.refresh_token.is_some() {
                RefreshTokenState::Present
            } else {
                RefreshTokenState::None
            },
            refresh_rotated,
        }
    }
}

/// Whether the token-issued event of the token with `fingerprint` says
/// its refresh token was rotated.
fn rotated(timeline: &Timeline, credential: &str, fingerprint: &str) -> Option<bool> {
    let query = timeline::Query {
        kinds: vec![EventKind::TokenIssued],
        limit: Some(20),
        ..timeline::Query::credential(credential)
    };
    timeline
        .query(&query)
        .ok()?
        .into_iter()
        .rev()
        .find_map(|event| match event.event {
            EventDetail::TokenIssued {
                token,
                rotated,
                refresh_token,
                ..
            } if token == fingerprint => refresh_token.map(|_| rotated),
            _ => None,
        })
}

/// The first 4 and the last 4 characters with an ellipsis between; only
/// "…" for values too short to show any of.
pub fn masked(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 12 {
        return "…".to_string();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// A token put on the clipboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CopyResult {
    pub fingerprint: String,
    pub clear_after_seconds: u32,
}

/// A timeline filter as the UI sends it; see [`timeline::Query`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct TimelineQuery {
    pub credential: Option<String>,
    #[ts(type = "number | null")]
    pub since_ms: Option<u64>,
    #[ts(type = "number | null")]
    pub until_ms: Option<u64>,
    pub kinds: Vec<EventKind>,
    /// The newest this many; a page holds at most [`TIMELINE_PAGE_MAX`].
    pub limit: Option<u32>,
    /// Only events older than this: the next page back.
    #[ts(optional = nullable)]
    pub before: Option<timeline::Cursor>,
}

/// The most events one page of the app's timeline holds.
pub const TIMELINE_PAGE_MAX: u32 = 1_000;

/// One page of what `query` selects, oldest first: its newest `limit`
/// events (at most [`TIMELINE_PAGE_MAX`]) before its cursor. A page that
/// is full may have more before it: ask again with its first event's
/// [`Cursor`](timeline::Cursor) as `before`.
pub fn timeline_page(timeline: &Timeline, query: &TimelineQuery) -> Result<Vec<timeline::Event>> {
    let limit = query
        .limit
        .unwrap_or(TIMELINE_PAGE_MAX)
        .min(TIMELINE_PAGE_MAX);
    timeline.query(&timeline::Query {
        limit: Some(limit),
        ..timeline::Query::from(query)
    })
}

impl From<&TimelineQuery> for timeline::Query {
    fn from(query: &TimelineQuery) -> Self {
        timeline::Query {
            credential: query
                .credential
                .clone()
                .filter(|name| !name.trim().is_empty()),
            since: query.since_ms.map(from_millis),
            until: query.until_ms.map(from_millis),
            kinds: query.kinds.clone(),
            limit: query.limit,
            before: query.before,
        }
    }
}

/// Writes the events `query` selects as JSON lines to a new file in `dir`
/// (`timeline-<ms since epoch>.jsonl`); returns its path.
pub fn export_timeline(
    timeline: &Timeline,
    query: &TimelineQuery,
    dir: &std::path::Path,
) -> Result<std::path::PathBuf> {
    callout_core::home::create_dir(dir)?;
    let path = dir.join(format!("timeline-{}.jsonl", millis(SystemTime::now())));
    let mut file = std::fs::File::create(&path).map_err(|error| Error::Storage {
        action: "create",
        path: path.display().to_string(),
        detail: error.to_string(),
    })?;
    timeline.export(&timeline::Query::from(query), &mut file)?;
    Ok(path)
}

/// The views of the app's window, for a `navigate` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum View {
    Credentials,
    Editor,
    Timeline,
    Settings,
}

/// The payload of the `navigate` event: show `view`, on `credential`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Navigate {
    pub view: View,
    pub credential: Option<String>,
}

/// The payload of the `timeline-appended` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TimelineAppended {
    pub credential: String,
}

/// The payload of the `clipboard-checked` event: a copied token's time on
/// the clipboard is up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ClipboardChecked {
    /// The copied token's fingerprint.
    pub fingerprint: String,
    /// Whether the clipboard still held it and was cleared; false when
    /// something else had been copied meanwhile (left alone).
    pub cleared: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use callout_core::Secret;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_000_000 + seconds)
    }

    fn authorized(expires: Option<u64>) -> Authorization {
        let tokens = TokenSet {
            access_token: Secret::new("eyJhbGciOiJIUzI1NiJ9.payload.k2Qx"),
            token_type: "Bearer".into(),
            refresh_token: None,
            id_token: None,
            scopes: Vec::new(),
            issued_at: at(0),
            expires_at: expires.map(at),
            expiry_source: if expires.is_some() {
                ExpirySource::ExpiresIn
            } else {
                ExpirySource::Unknown
            },
            is_jwt: false,
            instance_url: None,
        };
        Authorization {
            tokens: Some(tokens),
            ..Authorization::default()
        }
    }

    fn credential() -> Credential {
        let mut credential = Credential::new("Sandbox", "http://127.0.0.1:1");
        credential.client_id = Some("client".into());
        credential.token_url = Some("http://127.0.0.1:1/token".into());
        credential.auth_url = Some("http://127.0.0.1:1/authorize".into());
        credential
    }

    #[test]
    fn status_lines_read_like_the_tray() {
        let credential = credential();
        let line = |authorization: &Authorization, now| {
            StatusView::of(&credential, authorization, now).line
        };
        assert_eq!(line(&Authorization::default(), at(0)), "not authorized yet");
        assert_eq!(line(&authorized(Some(300)), at(60)), "valid for 4 min");
        assert_eq!(line(&authorized(Some(300)), at(280)), "valid for 20 s");
        assert_eq!(
            line(&authorized(Some(300)), at(300 + 150)),
            "expired 2 min ago"
        );
        assert_eq!(line(&authorized(None), at(60)), "lifetime unknown");
        let mut dead = authorized(Some(300));
        dead.needs_reauthorization = Some("invalid_grant".into());
        let view = StatusView::of(&credential, &dead, at(0));
        assert_eq!(
            (view.state, view.line.as_str(), view.reason.as_deref()),
            (
                StatusState::NeedsReauthorization,
                "needs re-authorization",
                Some("invalid_grant")
            )
        );
        assert_eq!(
            StatusView::of(&credential, &authorized(Some(300)), at(0)).expires_at_ms,
            Some(millis(at(300)))
        );
    }

    #[test]
    fn tokens_show_only_their_ends() {
        let tokens = authorized(Some(300)).tokens.unwrap();
        let view = TokenView::of("Sandbox", &tokens, None);
        assert_eq!(view.masked, "eyJh…k2Qx");
        assert_eq!(view.fingerprint, fingerprint(&tokens.access_token));
        assert_eq!(view.refresh_token, RefreshTokenState::None);
        let json = serde_json::to_string(&view).unwrap();
        assert!(!json.contains("payload"), "{json}");
        assert_eq!(masked("short"), "…");
    }

    #[test]
    fn a_timeline_query_maps_field_by_field() {
        let query = TimelineQuery {
            credential: Some("Sandbox".into()),
            since_ms: Some(1_000),
            until_ms: None,
            kinds: vec![EventKind::Retry],
            limit: Some(5),
            before: Some(timeline::Cursor { at_ms: 9, id: 3 }),
        };
        let mapped = timeline::Query::from(&query);
        assert_eq!(mapped.since, Some(UNIX_EPOCH + Duration::from_secs(1)));
        assert_eq!(mapped.kinds, [EventKind::Retry]);
        assert_eq!(mapped.limit, Some(5));
        assert_eq!(mapped.before, Some(timeline::Cursor { at_ms: 9, id: 3 }));
        let blank = TimelineQuery {
            credential: Some(" ".into()),
            ..TimelineQuery::default()
        };
        assert_eq!(timeline::Query::from(&blank).credential, None);
    }
}

/// An open collection as the sidebar shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CollectionView {
    /// Its directory: the collection's id in every command.
    pub root: String,
    pub name: String,
    /// Its environments, and the one its requests are sent with.
    pub environments: Vec<String>,
    pub environment: Option<String>,
    /// Every variable a request of it can use (for completion).
    pub variables: Vec<String>,
    pub items: Vec<TreeNode>,
    /// Why it cannot be read (moved, deleted, a broken collection.toml).
    pub problem: Option<ErrorReport>,
}

/// A folder, a request, or a request file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[ts(export)]
pub enum TreeNode {
    #[serde(rename_all = "camelCase")]
    Folder {
        name: String,
        path: String,
        items: Vec<TreeNode>,
    },
    #[serde(rename_all = "camelCase")]
    Request {
        name: String,
        path: String,
        method: String,
        url: String,
        /// What the file held when listed ([`SavedFile::stamp`]).
        stamp: String,
    },
    #[serde(rename_all = "camelCase")]
    Unreadable { path: String, problem: String },
}

impl CollectionView {
    /// The collection `opened` names, read now; one that cannot be read
    /// says why.
    pub fn of(opened: &Opened, globals: &std::collections::BTreeMap<String, String>) -> Self {
        let name_of_dir = || {
            Path::new(&opened.root)
                .file_name()
                .map_or_else(|| opened.root.clone(), |n| n.to_string_lossy().into_owned())
        };
        let read = Collection::open(Path::new(&opened.root)).and_then(|collection| {
            let environments = collection.environments()?;
            let mut variables: BTreeSet<String> = collection.variables.keys().cloned().collect();
            variables.extend(globals.keys().cloned());
            variables.extend(collection.secrets.iter().cloned());
            for environment in &environments {
                variables.extend(
                    collection
                        .environment(environment)
                        .unwrap_or_default()
                        .into_keys(),
                );
                variables.extend(collection.secrets(Some(environment)).unwrap_or_default());
            }
            Ok((collection, environments, variables))
        });
        match read {
            Ok((collection, environments, mut variables)) => {
                collect_variables(&collection.items, &mut variables);
                Self {
                    root: opened.root.clone(),
                    name: collection.name,
                    environment: opened
                        .environment
                        .clone()
                        .filter(|name| environments.contains(name)),
                    environments,
                    variables: variables.into_iter().collect(),
                    items: tree(&collection.items),
                    problem: None,
                }
            }
            Err(error) => Self {
                root: opened.root.clone(),
                name: name_of_dir(),
                environments: Vec::new(),
                environment: None,
                variables: Vec::new(),
                items: Vec::new(),
                problem: Some(ErrorReport::from(&error)),
            },
        }
    }
}

fn tree(items: &[Item]) -> Vec<TreeNode> {
    items
        .iter()
        .map(|item| match item {
            Item::Folder(folder) => TreeNode::Folder {
                name: folder.name.clone(),
                path: folder.path.clone(),
                items: tree(&folder.items),
            },
            Item::Request(file) => TreeNode::Request {
                name: file.request.name.clone(),
                path: file.path.clone(),
                method: file.request.method.clone(),
                url: file.request.url.clone(),
                stamp: file.stamp.to_hex(),
            },
            Item::Unreadable(file) => TreeNode::Unreadable {
                path: file.path.clone(),
                problem: file.problem.clone(),
            },
        })
        .collect()
}

fn collect_variables(items: &[Item], into: &mut BTreeSet<String>) {
    for item in items {
        match item {
            Item::Folder(folder) => {
                into.extend(folder.variables.keys().cloned());
                collect_variables(&folder.items, into);
            }
            Item::Request(file) => into.extend(file.variables.keys().cloned()),
            Item::Unreadable(_) => {}
        }
    }
}

/// A saved request as the editor opens it: `request.id` is its path, and
/// `stamp` what its file held, which a save must still find there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SavedFile {
    pub root: String,
    pub path: String,
    pub request: SavedRequest,
    pub stamp: String,
}

impl SavedFile {
    pub fn of(root: &str, file: &RequestFile) -> Self {
        Self {
            root: root.to_string(),
            path: file.path.clone(),
            request: file.request.clone(),
            stamp: file.stamp.to_hex(),
        }
    }
}

/// What a variable resolved to, and from which scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct VariableView {
    pub name: String,
    /// "environment Dev", "collection", "folder Accounts", ...
    pub scope: String,
    /// What it resolved to; a secret's is always `[secret NAME]`.
    pub value: String,
    /// A secret variable: its value is in the keychain, never shown.
    pub secret: bool,
}

impl From<Resolved> for VariableView {
    fn from(resolved: Resolved) -> Self {
        Self {
            name: resolved.name,
            scope: resolved.scope,
            value: resolved.value,
            secret: resolved.secret,
        }
    }
}

/// A saved request's preview: the request as it would be sent, and its
/// variables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SavedPreview {
    pub preview: Preview,
    pub variables: Vec<VariableView>,
}

/// What a Postman import into a collection made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PostmanCollectionImport {
    pub collection: CollectionView,
    /// The environments written, by name.
    pub environments: Vec<String>,
    /// The credentials its OAuth 2 settings added (authorize them next).
    pub credentials_added: Vec<String>,
    /// The variables that carry a token (their values left out): to bind
    /// to a credential (`bind_variables`).
    pub token_variables: Vec<String>,
    /// The variables that start request URLs: to bind to `callout:NAME`.
    pub endpoint_variables: Vec<String>,
    /// What was left out or needs doing (a token to bind, ...).
    pub notes: Vec<String>,
}

/// The payload of `run-planned`: a run's steps, before the first is sent,
/// and what runs (the collection, the folder or request, the environment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunPlanned {
    pub id: u32,
    /// The collection's directory.
    pub root: String,
    /// The collection's name.
    pub collection: String,
    /// What runs: "" for the whole collection, else a folder or a request.
    pub target: String,
    pub environment: Option<String>,
    pub steps: Vec<Step>,
}

/// The payload of `run-step-started`: the step of run `id` at `index` is
/// being sent.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunStepStarted {
    pub id: u32,
    #[ts(type = "number")]
    pub index: usize,
}

/// The payload of `run-step`: one step's result, as soon as it is known.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunStepFinished {
    pub id: u32,
    pub result: StepResult,
}

/// The payload of `run-finished`: the whole run (each step's full send is
/// not in it: `run_step_report` opens one) and its counts.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunFinished {
    pub id: u32,
    pub summary: RunSummary,
    pub totals: Totals,
}

/// What a send from the editor of a saved request produced: the send, and
/// each of the request's assertions evaluated on it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SavedSend {
    #[serde(flatten)]
    pub report: Report,
    pub assertions: Vec<AssertionResult>,
}

/// What keeps each assertion and each extraction of a request from being
/// evaluated (core's words), in their order; `null` for a sound one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AssertionProblems {
    pub assertions: Vec<Option<String>>,
    pub extract: Vec<Option<String>>,
}

impl AssertionProblems {
    pub fn of(assertions: &[Assertion], extract: &[Extraction]) -> Self {
        Self {
            assertions: assertions.iter().map(Assertion::problem).collect(),
            extract: extract.iter().map(Extraction::problem).collect(),
        }
    }
}

/// What an expiry rule concludes, as the Rules view says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum RuleMeaning {
    /// The token expired: refresh and retry.
    Expired,
    /// A failure a refresh cannot cure.
    NotExpiry,
}

impl From<Means> for RuleMeaning {
    fn from(means: Means) -> Self {
        match means {
            Means::Expired => RuleMeaning::Expired,
            Means::NotExpiry => RuleMeaning::NotExpiry,
        }
    }
}

/// An example or counter-example of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RuleSampleView {
    pub status: u16,
    pub body: String,
    /// For a counter-example: what it is instead.
    pub why: Option<String>,
}

impl From<&Sample> for RuleSampleView {
    fn from(sample: &Sample) -> Self {
        Self {
            status: sample.status,
            body: sample.body.clone(),
            why: sample.why.clone(),
        }
    }
}

/// One expiry rule, the user's or the built-in catalog's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RuleView {
    pub id: String,
    pub service: String,
    pub means: RuleMeaning,
    /// Empty: every status from 400 up.
    pub statuses: Vec<u16>,
    /// `*` is any host; a host covers its subdomains.
    pub hosts: Vec<String>,
    /// The credentials whose sends it applies to; empty: any send.
    pub credentials: Vec<String>,
    /// Its conditions as written, one line each.
    pub conditions: Vec<String>,
    pub says: String,
    pub source: String,
    pub fix: Option<String>,
    /// The file it came from.
    pub file: String,
    pub built_in: bool,
    pub examples: Vec<RuleSampleView>,
    pub not_examples: Vec<RuleSampleView>,
}

impl From<&Rule> for RuleView {
    fn from(rule: &Rule) -> Self {
        Self {
            id: rule.id.clone(),
            service: rule.service.clone(),
            means: rule.means.into(),
            statuses: rule.statuses.clone(),
            hosts: rule.hosts.clone(),
            credentials: rule.credentials.clone(),
            conditions: rule.conditions_shown.clone(),
            says: rule.says.clone(),
            source: rule.source.clone(),
            fix: rule.fix.clone(),
            file: rule.file.clone(),
            built_in: rule.built_in,
            examples: rule.examples.iter().map(RuleSampleView::from).collect(),
            not_examples: rule
                .counter_examples
                .iter()
                .map(RuleSampleView::from)
                .collect(),
        }
    }
}

/// How one example or counter-example of a rule file fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SampleCheckView {
    pub rule: String,
    /// "example 1", "not 2".
    pub sample: String,
    pub passed: bool,
    pub message: String,
}

impl From<SampleCheck> for SampleCheckView {
    fn from(check: SampleCheck) -> Self {
        Self {
            rule: check.rule,
            sample: check.sample,
            passed: check.passed,
            message: check.message,
        }
    }
}

/// A response a rule file being written is checked against (the editor's
/// last): its status, headers and body, and the URL it came from (a
/// `callout:NAME/...` URL names its credential).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ResponseToCheck {
    pub status: u16,
    pub headers: Vec<Header>,
    pub body: String,
    pub url: Option<String>,
}

/// What a rule file being written makes of a response (the editor's last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ResponseCheck {
    /// The rule of the file that decided, if one did.
    pub rule: Option<String>,
    /// What that rule concludes.
    pub means: Option<RuleMeaning>,
    /// The whole verdict, the file's rules tried before the built-in catalog.
    pub verdict: Verdict,
    /// Why a rule of the file that fits the response does not decide (it is
    /// for other credentials), when that is so.
    pub note: Option<String>,
}

/// A rule file as it is being written: whether it reads (core's message
/// when not), its rules, their examples' results, and what it makes of a
/// response when one is given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RuleFileCheck {
    pub error: Option<String>,
    pub rules: Vec<RuleView>,
    pub samples: Vec<SampleCheckView>,
    pub response: Option<ResponseCheck>,
}

/// The rule proposed from a kept send, before it is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProposalView {
    /// The rule file, ready to save (or to edit first).
    pub text: String,
    pub rule_id: String,
    pub means: RuleMeaning,
    /// Its conditions, one line each.
    pub conditions: Vec<String>,
    /// How many fine answers of the same host it was checked against.
    pub successes: u32,
}

impl From<&Proposal> for ProposalView {
    fn from(proposal: &Proposal) -> Self {
        Self {
            text: proposal.text.clone(),
            rule_id: proposal.rule.id.clone(),
            means: proposal.rule.means.into(),
            conditions: proposal.rule.conditions_shown.clone(),
            successes: u32::try_from(proposal.successes).unwrap_or(u32::MAX),
        }
    }
}

/// A rule file added to the user's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RuleFileAdded {
    /// Where it is kept.
    pub path: String,
    /// The ids of its rules.
    pub ids: Vec<String>,
}

impl From<Added> for RuleFileAdded {
    fn from(added: Added) -> Self {
        Self {
            path: added.path,
            ids: added.ids,
        }
    }
}

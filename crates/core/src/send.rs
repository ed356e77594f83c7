//! Sending a request, the whole pipeline in reading order:
//!
//! draft → [`render`](merge::render) (merge fields, `callout:`) → [`transmit`]
//! → [`judge`] (verdict) → on expiry: [`refresh`] through the credential's
//! [`Refresher`] → re-render → retry once.
//!
//! Every step is returned as an [`Attempt`], so a timeline can record it.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize, Serializer};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use ts_rs::TS;

use crate::credential::{Credential, CredentialSecrets, CredentialSet};
use crate::detect::{Detector, Verdict};
use crate::endpoint;
use crate::merge::{self, DisplayRequest, Lint, Rendered};
use crate::oauth::{KeychainRefresher, TokenService};
use crate::{Error, ErrorReport, Result};

/// One HTTP header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Header {
    pub name: String,
    pub value: String,
}

impl Header {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }

    /// Parses `Name: value`, as curl's `-H` takes it.
    pub fn parse(line: &str) -> Result<Self> {
        let Some((name, value)) = line.split_once(':') else {
            return Err(Error::InvalidHeader {
                name: line.trim().to_string(),
                reason: "write it as \"Name: value\"".into(),
            });
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::InvalidHeader {
                name: line.trim().to_string(),
                reason: "the header name is empty".into(),
            });
        }
        Ok(Self::new(name, value.trim()))
    }
}

/// The first value of header `name` (ASCII case-insensitive).
pub fn header_value<'a>(headers: &'a [Header], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|header| header.name.eq_ignore_ascii_case(name))
        .map(|header| header.value.as_str())
}

/// A request as the user wrote it: merge fields unreplaced, the URL possibly
/// `callout:NAME/...`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Draft {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<Header>,
    #[serde(default)]
    pub body: Option<String>,
}

impl Draft {
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            method: method.into(),
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push(Header::new(name, value));
        self
    }

    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }
}

/// The most response bytes kept; the rest is dropped and `truncated` is set.
pub const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// A response as it came back (body already decompressed by the client).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Received {
    pub status: u16,
    pub headers: Vec<Header>,
    #[ts(type = "string")]
    pub body: ResponseBody,
    /// The body was longer than [`MAX_RESPONSE_BYTES`] and was cut there.
    pub truncated: bool,
    /// From sending the request until the whole body had arrived.
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

/// Response body bytes; serialized as text (invalid UTF-8 replaced).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseBody(pub Vec<u8>);

impl ResponseBody {
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

impl Serialize for ResponseBody {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&String::from_utf8_lossy(&self.0))
    }
}

/// One step of a send, for the timeline.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "step", rename_all = "camelCase")]
#[ts(export)]
pub enum Attempt {
    /// A request went out and a response came back.
    Sent {
        number: u32,
        request: DisplayRequest,
        status: u16,
        /// From sending until the whole response had arrived.
        #[serde(rename = "durationMs")]
        #[ts(type = "number")]
        duration_ms: u64,
        verdict: Verdict,
    },
    /// No response came back (only recorded for the retry; a failed first
    /// send is an error).
    Failed {
        number: u32,
        request: DisplayRequest,
        error: ErrorReport,
    },
    /// The credential's token was refreshed after an expiry verdict.
    Refreshed {
        credential: String,
        trigger: Option<String>,
    },
    /// Refreshing failed; the request is not retried.
    RefreshFailed {
        credential: String,
        trigger: Option<String>,
        error: ErrorReport,
    },
    /// The response said "expired" but nothing could be refreshed.
    RefreshSkipped { reason: String },
}

/// Everything a send produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The last request sent, secrets masked.
    pub request: DisplayRequest,
    /// Where Salesforce would treat the request differently.
    pub lint: Vec<Lint>,
    /// The last response.
    pub response: Received,
    /// The verdict on the last response.
    pub verdict: Verdict,
    pub attempts: Vec<Attempt>,
    /// The secrets a refresh produced (this call's, or another's whose
    /// renewed token this call went out with), for the caller to keep.
    pub refreshed: Option<CredentialSecrets>,
}

impl Outcome {
    /// What a person is shown of this outcome: everything but the secrets.
    pub fn report(&self) -> Report {
        Report {
            request: self.request.clone(),
            lint: self.lint.clone(),
            response: self.response.clone(),
            verdict: self.verdict.clone(),
            attempts: self.attempts.clone(),
        }
    }
}

/// An [`Outcome`] without its secrets, as it crosses to the UI.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, rename = "SendReport")]
pub struct Report {
    /// The last request sent, secrets masked.
    pub request: DisplayRequest,
    pub lint: Vec<Lint>,
    pub response: Received,
    pub verdict: Verdict,
    pub attempts: Vec<Attempt>,
}

/// The future a [`Refresher`] returns.
pub type RefreshFuture<'a> = Pin<Box<dyn Future<Output = Result<CredentialSecrets>> + Send + 'a>>;

/// The future of [`Refresher::replacement`].
pub type ReplacementFuture<'a> =
    Pin<Box<dyn Future<Output = Option<CredentialSecrets>> + Send + 'a>>;

/// Obtains fresh secrets for a credential whose token expired. The real OAuth
/// refresher stores a rotated refresh token before returning.
pub trait Refresher: Send + Sync {
    /// `used` are the secrets the refused request carried: the token to
    /// replace (not whatever was handed out last — another call may have
    /// renewed it meanwhile).
    fn refresh<'a>(
        &'a self,
        credential: &'a Credential,
        verdict: &'a Verdict,
        used: &'a CredentialSecrets,
    ) -> RefreshFuture<'a>;

    /// What to send with instead of `secrets` when a response has already
    /// refused their token (another call met its expiry): the renewed
    /// secrets, once a refresh still running has finished. `None`, the
    /// default, sends `secrets` as they are. Never asks the provider itself:
    /// a call that goes out with a dead token refreshes the usual way.
    fn replacement<'a>(
        &'a self,
        _credential: &'a Credential,
        _secrets: &'a CredentialSecrets,
    ) -> ReplacementFuture<'a> {
        Box::pin(async { None })
    }
}

/// Client timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    /// For the whole exchange, body included.
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            total: Duration::from_secs(60),
        }
    }
}

/// Requests one [`Sender`] has in flight to one origin at a time; more wait
/// their turn. A burst (a thousand calls at once) then reaches the server in
/// waves, so once the first wave meets an expired token the calls behind it
/// go out with the renewed one instead of being refused too.
pub const MAX_IN_FLIGHT_PER_ORIGIN: usize = 32;

/// `scheme://host:port` of a URL (as written: a rendered URL has been
/// checked), without any `user:password@`.
fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    format!("{scheme}://{host}")
}

/// Sends requests through one shared HTTP client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Sender {
    client: reqwest::Client,
    in_flight: Arc<InFlight>,
}

/// A gate per origin (`scheme://host:port`) admitting
/// [`MAX_IN_FLIGHT_PER_ORIGIN`] requests at a time.
#[derive(Debug, Default)]
struct InFlight {
    gates: std::sync::Mutex<HashMap<String, Arc<Semaphore>>>,
    /// Calls waiting at any gate for their turn right now.
    waiting: AtomicUsize,
}

/// Counts a call as waiting for as long as it lives (dropped on admission,
/// or with the call if it is abandoned while it waits).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn count(waiting: &'a AtomicUsize) -> Self {
        waiting.fetch_add(1, Ordering::SeqCst);
        Self(waiting)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl InFlight {
    /// Waits until a request to `url`'s origin may go out; it may until the
    /// permit is dropped.
    async fn admit(&self, url: &str) -> Option<OwnedSemaphorePermit> {
        let origin = origin_of(url).to_ascii_lowercase();
        let gate = Arc::clone(
            crate::lock(&self.gates)
                .entry(origin)
                .or_insert_with(|| Arc::new(Semaphore::new(MAX_IN_FLIGHT_PER_ORIGIN))),
        );
        let _waiting = Waiting::count(&self.waiting);
        // The gate is never closed, so this only waits.
        gate.acquire_owned().await.ok()
    }
}

impl Sender {
    /// Builds the shared client: timeouts, no redirects followed (a callout
    /// shows the redirect it got), gzip/deflate decoded.
    pub fn new(timeouts: Timeouts) -> Result<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.total)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("CalloutLab/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| Error::Transport {
                url: String::new(),
                detail: format!("the HTTP client could not be set up: {}", chain(&error)),
            })?;
        Ok(Self {
            client,
            in_flight: Arc::default(),
        })
    }

    /// The shared client, for other callers (the OAuth token endpoint) to reuse.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Calls held back right now at an origin's gate, waiting for one of its
    /// [`MAX_IN_FLIGHT_PER_ORIGIN`] turns: with the requests a server holds,
    /// how a test knows that every call is accounted for.
    pub fn calls_waiting_for_a_turn(&self) -> usize {
        self.in_flight.waiting.load(Ordering::SeqCst)
    }

    /// Runs the whole pipeline for `draft`. `secrets` are those of the
    /// credential the URL names. Fails only when the draft cannot be rendered
    /// or the first request gets no response; everything after that is an
    /// [`Attempt`].
    pub async fn send(
        &self,
        draft: &Draft,
        credentials: &CredentialSet,
        secrets: &CredentialSecrets,
        refresher: Option<&dyn Refresher>,
    ) -> Result<Outcome> {
        let credential = endpoint::split(&draft.url)?
            .credential
            .map(|name| credentials.get(name))
            .transpose()?;
        // Rendered once admitted: waiting may have taken long enough for
        // another call to find the token dead and renew it.
        let origin = credential.map_or(draft.url.trim(), |credential| &credential.endpoint);
        let admitted = self.in_flight.admit(origin).await;
        let renewed = match (credential, refresher) {
            (Some(credential), Some(refresher)) => refresher.replacement(credential, secrets).await,
            _ => None,
        };
        let used = renewed.as_ref().unwrap_or(secrets);
        let rendered = merge::render(draft, credentials, used)?;
        let detector = match credential {
            Some(credential) => Detector::for_credential(credential)?,
            None => Detector::default(),
        };
        let response = transmit(&self.client, &rendered).await?;
        drop(admitted);
        let verdict = judge(&detector, &response);
        let shown = rendered.display();
        let mut outcome = Outcome {
            request: shown.clone(),
            lint: rendered.lint.clone(),
            attempts: vec![Attempt::Sent {
                number: 1,
                request: shown,
                status: response.status,
                duration_ms: response.elapsed_ms,
                verdict: verdict.clone(),
            }],
            response,
            verdict,
            refreshed: renewed.clone(),
        };
        if !outcome.verdict.expired {
            return Ok(outcome);
        }
        let Some(fresh) = refresh(credential, refresher, used, &mut outcome).await else {
            return Ok(outcome);
        };
        let retried = self
            .retry(draft, credentials, &fresh, &detector, origin, &mut outcome)
            .await;
        if retried {
            outcome.refreshed = Some(fresh);
        }
        Ok(outcome)
    }

    /// Re-renders with the fresh secrets and sends once more, through the
    /// gate of `origin` like the first attempt. Returns whether a response
    /// came back; the outcome then describes the retry.
    async fn retry(
        &self,
        draft: &Draft,
        credentials: &CredentialSet,
        fresh: &CredentialSecrets,
        detector: &Detector,
        origin: &str,
        outcome: &mut Outcome,
    ) -> bool {
        let rendered = match merge::render(draft, credentials, fresh) {
            Ok(rendered) => rendered,
            Err(error) => {
                outcome.attempts.push(Attempt::Failed {
                    number: 2,
                    request: outcome.request.clone(),
                    error: ErrorReport::from(&error),
                });
                return false;
            }
        };
        let admitted = self.in_flight.admit(origin).await;
        let transmitted = transmit(&self.client, &rendered).await;
        drop(admitted);
        match transmitted {
            Ok(response) => {
                let verdict = judge(detector, &response);
                let shown = rendered.display();
                outcome.attempts.push(Attempt::Sent {
                    number: 2,
                    request: shown.clone(),
                    status: response.status,
                    duration_ms: response.elapsed_ms,
                    verdict: verdict.clone(),
                });
                outcome.request = shown;
                outcome.response = response;
                outcome.verdict = verdict;
                true
            }
            Err(error) => {
                outcome.attempts.push(Attempt::Failed {
                    number: 2,
                    request: rendered.display(),
                    error: ErrorReport::from(&error),
                });
                false
            }
        }
    }
}

/// Sends `draft` the way the product does: a plain URL as written, a
/// `callout:NAME` URL with the credential's live token from the keychain and
/// a refresher that renews it when a response says it expired, every step
/// recorded in the service's timeline.
pub async fn send_with_keychain(
    sender: &Sender,
    service: &Arc<TokenService>,
    draft: &Draft,
    user: Option<&str>,
) -> Result<Outcome> {
    let Some(name) = endpoint::split(&draft.url)?.credential else {
        // A plain URL: no credential behind it.
        let nothing = CredentialSet::default();
        return sender
            .send(draft, &nothing, &CredentialSecrets::default(), None)
            .await;
    };
    let credentials = service.store().load()?;
    let credential = credentials.get(name)?;
    let refresher = KeychainRefresher::new(Arc::clone(service), user.map(str::to_string));
    let secrets = refresher.secrets(credential).await?;
    let started = std::time::SystemTime::now();
    let outcome = sender
        .send(draft, &credentials, &secrets, Some(&refresher))
        .await?;
    service.record_send(&credential.name, &outcome, started);
    Ok(outcome)
}

/// Sends a rendered request and reads the response (bounded).
pub async fn transmit(client: &reqwest::Client, rendered: &Rendered) -> Result<Received> {
    let method = reqwest::Method::from_bytes(rendered.method.as_bytes()).map_err(|_| {
        Error::InvalidMethod {
            method: rendered.method.clone(),
        }
    })?;
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in rendered.expose_headers() {
        let header_name =
            reqwest::header::HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
                Error::InvalidHeader {
                    name: name.clone(),
                    reason: "it is not a valid header name".into(),
                }
            })?;
        let header_value =
            reqwest::header::HeaderValue::from_str(&value).map_err(|_| Error::InvalidHeader {
                name: name.clone(),
                reason: "its value has characters a header cannot carry (such as a line break)"
                    .into(),
            })?;
        headers.append(header_name, header_value);
    }
    let mut request = client
        .request(method, rendered.expose_url())
        .headers(headers);
    if let Some(body) = rendered.expose_body() {
        request = request.body(body);
    }
    let transport = |error: reqwest::Error| Error::Transport {
        url: rendered.display_url(),
        detail: describe(&error),
    };
    let started = Instant::now();
    let mut response = request.send().await.map_err(transport)?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            Header::new(
                name.as_str(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut body = Vec::new();
    let mut truncated = false;
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        let room = MAX_RESPONSE_BYTES - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            truncated = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Received {
        status,
        headers,
        body: ResponseBody(body),
        truncated,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

/// The verdict on a response.
pub fn judge(detector: &Detector, response: &Received) -> Verdict {
    detector.verdict(response.status, &response.headers, response.body.bytes())
}

/// Refreshes the credential after an expiry verdict, recording the step.
/// `None` when there is nothing to retry with.
pub async fn refresh(
    credential: Option<&Credential>,
    refresher: Option<&dyn Refresher>,
    used: &CredentialSecrets,
    outcome: &mut Outcome,
) -> Option<CredentialSecrets> {
    let Some(credential) = credential else {
        outcome.attempts.push(Attempt::RefreshSkipped {
            reason: "the URL names no credential (use callout:NAME/...), so there is no token \
                     to refresh"
                .into(),
        });
        return None;
    };
    let Some(refresher) = refresher else {
        outcome.attempts.push(Attempt::RefreshSkipped {
            reason: format!(
                "no refresher is available for credential \"{}\"",
                credential.name
            ),
        });
        return None;
    };
    let trigger = outcome.verdict.rule.clone();
    match refresher.refresh(credential, &outcome.verdict, used).await {
        Ok(fresh) => {
            outcome.attempts.push(Attempt::Refreshed {
                credential: credential.name.clone(),
                trigger,
            });
            Some(fresh)
        }
        Err(error) => {
            outcome.attempts.push(Attempt::RefreshFailed {
                credential: credential.name.clone(),
                trigger,
                error: ErrorReport::from(&error),
            });
            None
        }
    }
}

/// A transport error in words, without the URL (it may carry a secret).
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "no response before the timeout".into();
    }
    let what = if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the response body could not be read"
    } else {
        "the request failed"
    };
    format!("{what}: {}", chain(error))
}

/// The messages of an error's sources, outermost first. reqwest's own
/// message is left out: it names the URL, which may carry a secret.
pub(crate) fn causes(error: &reqwest::Error) -> Vec<String> {
    let mut parts = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    parts
}

/// An error and its sources, joined with ": ", URL removed.
fn chain(error: &reqwest::Error) -> String {
    let mut parts = causes(error);
    if parts.is_empty() {
        // reqwest's own message names the URL, which may carry a secret.
        parts.push("no further detail".to_string());
    }
    parts.dedup();
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_share_a_gate_by_scheme_host_and_port_only() {
        assert_eq!(
            origin_of("http://127.0.0.1:8080/services/Soap/u/59.0?q=1"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            origin_of("https://user:secret@Example.com?x#y"),
            "https://Example.com"
        );
        assert_eq!(origin_of("https://example.com"), "https://example.com");
    }

    #[test]
    fn headers_parse_like_curl() {
        assert_eq!(
            Header::parse("Content-Type:  text/xml ").unwrap(),
            Header::new("Content-Type", "text/xml")
        );
        assert_eq!(
            Header::parse("X-Empty:").unwrap(),
            Header::new("X-Empty", "")
        );
        assert_eq!(
            Header::parse("no colon").unwrap_err().to_string(),
            "invalid header \"no colon\": write it as \"Name: value\""
        );
    }

    #[test]
    fn header_lookup_ignores_case() {
        let headers = [Header::new("WWW-Authenticate", "Bearer")];
        assert_eq!(header_value(&headers, "www-authenticate"), Some("Bearer"));
        assert_eq!(header_value(&headers, "x"), None);
    }
}

//! Sending a request, the whole pipeline in reading order:
//!
//! A draft resolved once into a [`Call`] (its URL split, the credential it
//! names looked up) → [`check`] → [`render`](merge::render) (merge fields)
//! → [`transmit`] → [`judge`] (verdict) → on expiry: [`refresh`] through the
//! credential's [`Refresher`] → re-render → retry once → [`record_send`]
//! (the timeline).
//!
//! Every step is returned as an [`Attempt`], so a timeline can record it.
//! The send action (`actions::send`) runs this with the keychain's live
//! token and the token service as refresher.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use ts_rs::TS;

use crate::credential::{Credential, CredentialSecrets};
use crate::detect::catalog::Catalog;
use crate::detect::{Detector, Verdict};
pub use crate::endpoint::Call;
use crate::http;
pub use crate::http::{Draft, Header, MAX_RESPONSE_BYTES, Received, ResponseBody, header_value};
use crate::merge::{self, DisplayRequest, Lint, Rendered};
use crate::network::{ClientIdentity, IdentityClients, Network};
use crate::timeline::{EventDetail, KeeperAction, Timeline};
use crate::{Error, ErrorKind, ErrorReport, Result, Secret};

/// One step of a send, for the timeline.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "step", rename_all = "camelCase")]
#[ts(export)]
pub enum Attempt {
    /// A request went out and a response came back.
    Sent {
        number: u32,
        request: DisplayRequest,
        /// The response's status, for a list of attempts.
        status: u16,
        /// From sending until the whole response had arrived.
        #[serde(rename = "durationMs")]
        #[ts(type = "number")]
        duration_ms: u64,
        verdict: Verdict,
        /// The whole response, so any attempt (the refused first one too)
        /// can be opened.
        response: Received,
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
        /// Another call had renewed the refused token already: this one
        /// took the new token and the provider was not asked again.
        #[serde(
            rename = "alreadyRefreshed",
            default,
            skip_serializing_if = "std::ops::Not::not"
        )]
        #[ts(as = "Option<bool>", optional)]
        already_refreshed: bool,
        /// Why the keychain did not take the new tokens, when it did not:
        /// they are kept in memory, used from there, and stored as soon as
        /// it takes them.
        #[serde(rename = "notStored", default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        not_stored: Option<String>,
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
    /// The stored token was stale by the clock and this send renewed it at
    /// the provider before sending (a proactive refresh: no attempt of its
    /// own, the response never saw the old token).
    pub refreshed_before_sending: bool,
}

impl Outcome {
    /// Notes on the refresh that the keychain did not take its tokens.
    fn note_not_stored(&mut self, problem: String) {
        let refreshed = self
            .attempts
            .iter_mut()
            .rev()
            .find_map(|attempt| match attempt {
                Attempt::Refreshed { not_stored, .. } => Some(not_stored),
                _ => None,
            });
        if let Some(not_stored) = refreshed {
            *not_stored = Some(problem);
        }
    }

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
pub type RefreshFuture<'a> = Pin<Box<dyn Future<Output = Result<Refreshed>> + Send + 'a>>;

/// What a [`Refresher`] hands back.
pub struct Refreshed {
    /// What to retry with.
    pub secrets: CredentialSecrets,
    /// The new tokens' keychain write, when it is still running: the retry
    /// goes out alongside it, and the send is not done until it has landed.
    pub storing: Option<Storing>,
}

impl From<CredentialSecrets> for Refreshed {
    /// Secrets that need no storing (or were stored already).
    fn from(secrets: CredentialSecrets) -> Self {
        Self {
            secrets,
            storing: None,
        }
    }
}

/// A keychain write still running. It resolves to why the keychain did not
/// take the tokens (they are then kept in memory and stored when it does),
/// or `None` once they are stored.
pub type Storing = Pin<Box<dyn Future<Output = Option<String>> + Send>>;

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
    /// Trust and proxies the client was built with, to explain failures.
    network: Arc<Network>,
    /// Clients presenting a credential's client certificate, one per
    /// certificate; calls without one use `client`.
    identities: Arc<IdentityClients>,
    /// The user's expiry rules, tried before the built-in catalog; shared
    /// by every clone, replaced when the user changes them.
    user_rules: Arc<std::sync::RwLock<Arc<Catalog>>>,
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
            crate::locked(&self.gates)
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
    /// shows the redirect it got), gzip, deflate and brotli decoded; the OS
    /// trust store and the environment's proxies.
    pub fn new(timeouts: Timeouts) -> Result<Self> {
        Self::with_network(timeouts, Network::from_env()?)
    }

    /// As [`new`](Self::new), trusting and proxying as `network` says
    /// (build it from the settings with `SettingsStore::network`).
    pub fn with_network(timeouts: Timeouts, network: Network) -> Result<Self> {
        let build = {
            let network = network.clone();
            move |identity: Option<reqwest::Identity>| -> Result<reqwest::Client> {
                let mut builder = network
                    .client_builder()?
                    .connect_timeout(timeouts.connect)
                    .timeout(timeouts.total)
                    .redirect(reqwest::redirect::Policy::none())
                    .user_agent(concat!("CalloutLab/", env!("CARGO_PKG_VERSION")));
                if let Some(identity) = identity {
                    builder = builder.identity(identity);
                }
                builder.build().map_err(|error| Error::Transport {
                    url: String::new(),
                    detail: format!(
                        "the HTTP client could not be set up: {}",
                        http::chain(&error)
                    ),
                })
            }
        };
        let identities = IdentityClients::new(build);
        Ok(Self {
            client: identities.plain()?,
            in_flight: Arc::default(),
            network: Arc::new(network),
            identities: Arc::new(identities),
            user_rules: Arc::default(),
        })
    }

    /// Uses `rules` (the user's, [`crate::rules::RuleStore::load`]) before
    /// the built-in catalog from the next send on, in every clone.
    pub fn set_user_rules(&self, rules: Catalog) {
        let mut held = self
            .user_rules
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *held = Arc::new(rules);
    }

    fn user_rules(&self) -> Arc<Catalog> {
        Arc::clone(
            &self
                .user_rules
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// The client a call as `credential` goes out with: one presenting its
    /// client certificate (the key from `secrets`), or the shared one.
    fn client_for(
        &self,
        credential: Option<&Credential>,
        secrets: &CredentialSecrets,
    ) -> Result<reqwest::Client> {
        let identity = match credential {
            Some(credential) => ClientIdentity::of(credential, secrets.client_key.as_ref())?,
            None => None,
        };
        match identity {
            Some(identity) => self.identities.client(&identity),
            None => Ok(self.client.clone()),
        }
    }

    /// Sends `rendered` through the shared client; a failure names the
    /// proxy it went through, if any.
    async fn transmit(&self, client: &reqwest::Client, rendered: &Rendered) -> Result<Received> {
        transmit(client, rendered)
            .await
            .map_err(|error| match error {
                Error::Transport { url, detail } => Error::Transport {
                    detail: self.network.explain(&rendered.display_url(), detail),
                    url,
                },
                other => other,
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

    /// Runs the whole pipeline for `call`. `secrets` are those of the
    /// credential its URL names. Fails only when the call cannot be rendered
    /// or the first request gets no response; everything after that is an
    /// [`Attempt`].
    pub async fn send(
        &self,
        call: &Call<'_>,
        secrets: &CredentialSecrets,
        refresher: Option<&dyn Refresher>,
    ) -> Result<Outcome> {
        let credential = call.credential;
        let client = self.client_for(credential, secrets)?;
        // Rendered once admitted: waiting may have taken long enough for
        // another call to find the token dead and renew it.
        let admitted = self.in_flight.admit(call.destination()).await;
        let renewed = match (credential, refresher) {
            (Some(credential), Some(refresher)) => refresher.replacement(credential, secrets).await,
            _ => None,
        };
        let used = renewed.as_ref().unwrap_or(secrets);
        let rendered = merge::render(call, used)?;
        let detector = match credential {
            Some(credential) => Detector::for_credential(credential)?,
            None => Detector::default(),
        }
        .for_url(&rendered.display_url())
        .with_rules(self.user_rules());
        let response = self.transmit(&client, &rendered).await?;
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
                response: response.clone(),
            }],
            response,
            verdict,
            refreshed: renewed.clone(),
            refreshed_before_sending: false,
        };
        if !outcome.verdict.expired {
            return Ok(outcome);
        }
        let Some(fresh) = refresh(credential, refresher, used, &mut outcome).await else {
            return Ok(outcome);
        };
        let retry = self.retry(call, &client, &fresh.secrets, &detector, &mut outcome);
        let (retried, not_stored) = match fresh.storing {
            Some(storing) => tokio::join!(retry, storing),
            None => (retry.await, None),
        };
        if let Some(problem) = not_stored {
            outcome.note_not_stored(problem);
        }
        if retried {
            outcome.refreshed = Some(fresh.secrets);
        }
        Ok(outcome)
    }

    /// Re-renders with the fresh secrets and sends once more, through the
    /// same gate as the first attempt. Returns whether a response came back;
    /// the outcome then describes the retry.
    async fn retry(
        &self,
        call: &Call<'_>,
        client: &reqwest::Client,
        fresh: &CredentialSecrets,
        detector: &Detector,
        outcome: &mut Outcome,
    ) -> bool {
        let rendered = match merge::render(call, fresh) {
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
        let admitted = self.in_flight.admit(call.destination()).await;
        let transmitted = self.transmit(client, &rendered).await;
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
                    response: response.clone(),
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

/// The first step: the call renders (URL well formed, every merge field
/// known and allowed where it is) with stand-in values, so a draft that can
/// never be sent is refused before anything starts, not even a token
/// refresh. A value only the keychain can supply is not checked here.
pub fn check(call: &Call<'_>) -> Result<()> {
    let stand_in = Secret::new("stand-in");
    let secrets = CredentialSecrets {
        access_token: Some(stand_in.clone()),
        username: Some("stand-in".into()),
        password: Some(stand_in),
        ..CredentialSecrets::default()
    };
    match merge::render(call, &secrets) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == ErrorKind::MissingCredentialValue => Ok(()),
        Err(error) => Err(error),
    }
}

/// Sends a rendered request and reads the response (bounded).
pub(crate) async fn transmit(client: &reqwest::Client, rendered: &Rendered) -> Result<Received> {
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
        detail: http::describe_transport_error(&error),
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
pub(crate) fn judge(detector: &Detector, response: &Received) -> Verdict {
    detector.verdict(response.status, &response.headers, response.body.bytes())
}

/// Refreshes the credential after an expiry verdict, recording the step.
/// `None` when there is nothing to retry with.
pub async fn refresh(
    credential: Option<&Credential>,
    refresher: Option<&dyn Refresher>,
    used: &CredentialSecrets,
    outcome: &mut Outcome,
) -> Option<Refreshed> {
    let Some(credential) = credential else {
        outcome.attempts.push(Attempt::RefreshSkipped {
            reason: "the URL names no credential (use callout:NAME/...), so there is no token \
                     to refresh"
                .into(),
        });
        return None;
    };
    if !credential.protocol.uses_tokens() {
        outcome.attempts.push(Attempt::RefreshSkipped {
            reason: format!(
                "credential \"{}\" uses {}: it has no token to refresh (a refusal means \
                 the service did not accept what it sends)",
                credential.name,
                credential.protocol.words()
            ),
        });
        return None;
    }
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
                already_refreshed: fresh.secrets.already_refreshed,
                not_stored: None,
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

/// Where a send's event falls: before its refresh (the first request and
/// its verdict), or after it (the retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SendPhase {
    BeforeRefresh,
    AfterRefresh,
}

/// The events of a send's attempts: each request and its verdict, the
/// retry, a refresh that could not even be tried. (Refresh attempts are
/// recorded by the token service that runs them.)
pub(crate) fn send_events(outcome: &Outcome) -> Vec<(SendPhase, EventDetail)> {
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
}

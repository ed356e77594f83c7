//! Run a collection, a folder or a request: every step of a [`Plan`] sent
//! the way a send from the editor is (variables filled in, the live token,
//! refresh once on expiry and retry, kept in the history), its assertions
//! evaluated and its extracted values handed to the requests after it.
//!
//! Up to `parallel` sends are in flight at once, all on the caller's task.
//! Whatever `parallel` is, a credential is refreshed once per expiry: sends
//! that meet the expired token while its refresh runs go again with the
//! renewed one (the refresher's `replacement`), they do not refresh again.
//! A request that uses a variable an earlier request of its iteration
//! extracts waits for that request; the others do not wait for anything.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use futures_util::stream::{FuturesUnordered, StreamExt};
use tokio::sync::{Semaphore, watch};

use crate::assertion;
use crate::collection::SecretSource;
use crate::endpoint;
use crate::history::Label;
use crate::oauth::TokenService;
use crate::run::{
    CredentialRun, Extracted, Plan, RunState, RunSummary, Step, StepResult, needs_reauthorization,
    uses,
};
use crate::send::{Attempt, Outcome, Sender};
use crate::vault::Vault;

/// How a run goes.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The environment whose variables the requests use.
    pub environment: Option<String>,
    /// `--var NAME=VALUE`: before every other scope.
    pub variables: BTreeMap<String, String>,
    /// Sends in flight at once (at least 1).
    pub parallel: usize,
    /// Waited between the start of one send and the next.
    pub delay: Duration,
    /// Stop at the first request that does not pass.
    pub bail: bool,
    /// The user label of per-user credentials.
    pub user: Option<String>,
    /// What the run is called in reports: "" for the whole collection.
    pub target: String,
}

/// Stops a run from outside (the app's Stop button): the sends in flight
/// finish, the steps not started are skipped.
#[derive(Debug, Clone, Default)]
pub struct StopSignal(Arc<AtomicBool>);

impl StopSignal {
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Hears a run as it goes.
pub trait RunObserver: Send + Sync {
    /// Every step, before the first is sent.
    fn planned(&self, _steps: &[Step]) {}
    /// A step started.
    fn started(&self, _step: &Step) {}
    /// A step's result, as soon as it is known (skipped ones too).
    fn finished(&self, _result: &StepResult) {}
}

/// An observer that hears nothing.
impl RunObserver for () {}

/// Runs `plan`: see the module's documentation.
pub async fn run(
    sender: &Sender,
    service: &Arc<TokenService>,
    vault: &Vault,
    plan: &Plan,
    options: &RunOptions,
    stop: &StopSignal,
    observer: &dyn RunObserver,
) -> RunSummary {
    let started_at = SystemTime::now();
    let clock = Instant::now();
    let steps = plan.steps();
    observer.planned(&steps);
    let per_iteration = plan.requests.len();
    // The values extracted in each iteration, for the requests after.
    let extracted: Vec<Mutex<BTreeMap<String, String>>> = plan
        .iterations
        .iter()
        .map(|_| Mutex::new(BTreeMap::new()))
        .collect();
    let (done_senders, done): (Vec<_>, Vec<_>) =
        steps.iter().map(|_| watch::channel(false)).unzip();
    let lanes = Semaphore::new(options.parallel.max(1));
    let pacing = tokio::sync::Mutex::new(None::<tokio::time::Instant>);
    let bailed = StopSignal::default();

    let mut pending: FuturesUnordered<_> = steps
        .iter()
        .map(|step| {
            let position = step.index % per_iteration.max(1);
            let file = &plan.requests[position];
            let needed = uses(file);
            // The earlier requests of the iteration whose values this uses.
            let waits_for: Vec<watch::Receiver<bool>> = plan.requests[..position]
                .iter()
                .enumerate()
                .filter(|(_, earlier)| {
                    earlier
                        .request
                        .extract
                        .iter()
                        .any(|extraction| needed.contains(&extraction.variable))
                })
                .map(|(earlier, _)| done[step.index - position + earlier].clone())
                .collect();
            let done_sender = &done_senders[step.index];
            let extracted = &extracted[(step.iteration - 1) as usize];
            let row = &plan.iterations[(step.iteration - 1) as usize];
            let (lanes, pacing, bailed) = (&lanes, &pacing, &bailed);
            async move {
                for mut signal in waits_for {
                    let _ = signal.wait_for(|finished| *finished).await;
                }
                let Ok(_lane) = lanes.acquire().await else {
                    return StepResult::skipped(step.clone());
                };
                if stop.stopped() || bailed.stopped() {
                    let _ = done_sender.send(true);
                    return StepResult::skipped(step.clone());
                }
                pace(pacing, options.delay).await;
                observer.started(step);
                let mut overrides = row.clone();
                overrides.extend(crate::locked(extracted).clone());
                overrides.extend(options.variables.clone());
                let result =
                    run_step(sender, service, vault, plan, options, step, file, overrides).await;
                for (name, value) in result.1 {
                    crate::locked(extracted).insert(name, value);
                }
                let _ = done_sender.send(true);
                result.0
            }
        })
        .collect();

    let mut results: Vec<Option<StepResult>> = vec![None; steps.len()];
    while let Some(result) = pending.next().await {
        if options.bail && !matches!(result.state, RunState::Passed | RunState::Skipped) {
            bailed.stop();
        }
        observer.finished(&result);
        let index = result.step.index;
        results[index] = Some(result);
    }
    drop(pending);
    let results: Vec<StepResult> = results
        .into_iter()
        .zip(&steps)
        .map(|(result, step)| result.unwrap_or_else(|| StepResult::skipped(step.clone())))
        .collect();
    RunSummary {
        collection: plan.collection.name.clone(),
        target: options.target.clone(),
        environment: options.environment.clone(),
        started_at_ms: started_at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |since| since.as_millis() as u64),
        duration_ms: clock.elapsed().as_millis() as u64,
        credentials: credentials(&results),
        stopped: stop.stopped() || bailed.stopped(),
        results,
    }
}

/// Waits until `delay` has passed since the last send started.
async fn pace(last: &tokio::sync::Mutex<Option<tokio::time::Instant>>, delay: Duration) {
    if delay.is_zero() {
        return;
    }
    let mut last = last.lock().await;
    if let Some(at) = *last {
        tokio::time::sleep_until(at + delay).await;
    }
    *last = Some(tokio::time::Instant::now());
}

/// Runs one step: fill in, send, evaluate, extract. Returns its result and
/// the values it extracted.
#[allow(clippy::too_many_arguments)]
async fn run_step(
    sender: &Sender,
    service: &Arc<TokenService>,
    vault: &Vault,
    plan: &Plan,
    options: &RunOptions,
    step: &Step,
    file: &crate::collection::RequestFile,
    overrides: BTreeMap<String, String>,
) -> (StepResult, Vec<(String, String)>) {
    let clock = Instant::now();
    let collection = &plan.collection;
    let filled = match collection.fill(
        file,
        &file.request.draft(),
        options.environment.as_deref(),
        overrides,
        SecretSource::Keychain(vault),
    ) {
        Ok(filled) => filled,
        Err(error) => {
            let elapsed = clock.elapsed().as_millis() as u64;
            return (
                StepResult::errored(step.clone(), &error, elapsed),
                Vec::new(),
            );
        }
    };
    let credential = endpoint::split(&filled.draft.url)
        .ok()
        .and_then(|target| target.credential.map(str::to_string));
    let label = Label {
        request: Some(format!("{}/{}", collection.name, step.name)),
        environment: options.environment.clone(),
    };
    let sent = super::send::send_with_secrets(
        sender,
        service,
        &filled.draft,
        options.user.as_deref(),
        &label,
        &filled.secrets,
    )
    .await;
    let duration_ms = clock.elapsed().as_millis() as u64;
    let outcome = match sent {
        Ok(outcome) => outcome,
        Err(error) => {
            let mut result = StepResult::errored(step.clone(), &error, duration_ms);
            result.credential = credential;
            return (result, Vec::new());
        }
    };
    let assertions = assertion::evaluate_all(&file.request.assertions, &outcome, &filled.secrets);
    let mut values = Vec::new();
    let extracted = file
        .request
        .extract
        .iter()
        .map(
            |extraction| match assertion::extract(extraction, &outcome.response) {
                Ok(value) => {
                    values.push((extraction.variable.clone(), value));
                    Extracted {
                        variable: extraction.variable.clone(),
                        problem: None,
                    }
                }
                Err(problem) => Extracted {
                    variable: extraction.variable.clone(),
                    problem: Some(problem),
                },
            },
        )
        .collect::<Vec<_>>();
    let state = state_of(&outcome, &assertions, &extracted);
    let error = refresh_error(&outcome.attempts);
    let result = StepResult {
        step: step.clone(),
        state,
        status: Some(outcome.response.status),
        verdicts: outcome
            .attempts
            .iter()
            .filter_map(|attempt| match attempt {
                Attempt::Sent { verdict, .. } => Some(verdict.clone()),
                _ => None,
            })
            .collect(),
        attempts: outcome
            .attempts
            .iter()
            .filter(|attempt| matches!(attempt, Attempt::Sent { .. } | Attempt::Failed { .. }))
            .count() as u32,
        refreshes: outcome
            .attempts
            .iter()
            .filter(|attempt| {
                matches!(
                    attempt,
                    Attempt::Refreshed {
                        already_refreshed: false,
                        ..
                    }
                )
            })
            .count() as u32
            + u32::from(outcome.refreshed_before_sending),
        duration_ms,
        error,
        credential,
        assertions,
        extracted,
        report: Some(outcome.report()),
    };
    (result, values)
}

/// Passed, failed (an assertion or an extraction), or the credential needs
/// authorizing again / the refresh failed (the request's answer is the
/// refused one: not what the request is about).
fn state_of(
    outcome: &Outcome,
    assertions: &[assertion::AssertionResult],
    extracted: &[Extracted],
) -> RunState {
    if needs_reauthorization(&outcome.attempts) {
        RunState::NeedsReauthorization
    } else if refresh_error(&outcome.attempts).is_some() {
        RunState::Errored
    } else if assertions.iter().any(|result| !result.passed)
        || extracted.iter().any(|value| value.problem.is_some())
    {
        RunState::Failed
    } else {
        RunState::Passed
    }
}

/// The error of a refresh that failed, if one did.
fn refresh_error(attempts: &[Attempt]) -> Option<crate::ErrorReport> {
    attempts.iter().find_map(|attempt| match attempt {
        Attempt::RefreshFailed { error, .. } => Some(error.clone()),
        _ => None,
    })
}

/// Each credential's expiries and refreshes over the run, by name.
fn credentials(results: &[StepResult]) -> Vec<CredentialRun> {
    let mut by_name: BTreeMap<String, CredentialRun> = BTreeMap::new();
    for result in results {
        let Some(name) = &result.credential else {
            continue;
        };
        let entry = by_name
            .entry(name.clone())
            .or_insert_with(|| CredentialRun {
                credential: name.clone(),
                ..CredentialRun::default()
            });
        entry.requests += 1;
        if result
            .verdicts
            .first()
            .is_some_and(|verdict| verdict.expired)
        {
            entry.expiries += 1;
        }
        entry.refreshes += result.refreshes;
        if let Some(report) = &result.report {
            entry.refresh_failures += report
                .attempts
                .iter()
                .filter(|attempt| matches!(attempt, Attempt::RefreshFailed { .. }))
                .count() as u32;
        }
    }
    by_name.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn with_a_delay_sends_start_that_far_apart_and_without_one_at_once() {
        let last = tokio::sync::Mutex::new(None);
        let start = tokio::time::Instant::now();
        let mut starts = Vec::new();
        for _ in 0..3 {
            pace(&last, Duration::from_millis(200)).await;
            starts.push(start.elapsed());
        }
        assert_eq!(
            starts,
            [0, 200, 400].map(Duration::from_millis),
            "on the paused clock, exactly the delay apart"
        );
        let unpaced = tokio::sync::Mutex::new(None);
        let before = tokio::time::Instant::now();
        pace(&unpaced, Duration::ZERO).await;
        pace(&unpaced, Duration::ZERO).await;
        assert_eq!(before.elapsed(), Duration::ZERO);
    }
}

//! Running a collection, a folder or a request from the window: the run
//! goes on in the background (`actions::run::run`, the same run as
//! `callout run`) and tells the window as it goes (`run-planned`,
//! `run-step`, `run-finished`); one run at a time. The last run's results
//! are kept whole, so a step's send opens (`run_step_report`) and its
//! failures run again (`rerun_failures`). And the rules of assertions, for
//! the editor to show as they are typed.

use callout_core::actions::run::{self, RunObserver, RunOptions, StopSignal};
use callout_core::assertion::{Assertion, Extraction};
use callout_core::run::{Plan, Step, StepResult};
use callout_core::send::Report;
use tauri::{AppHandle, Manager, Runtime, State};

use super::{Reply, report};
use crate::events;
use crate::state::{AppState, RunRequest, run_error};
use crate::views::{AssertionProblems, RunFinished, RunPlanned, RunStepFinished, RunStepStarted};
use crate::watch;

/// Starts running `target` of the collection at `root` ("" for all of
/// it, a folder's path, or a request's path) with the environment the
/// collection sends with, `iterations` times (1 by default), `parallel`
/// sends at once (1 by default). Answers the run's id at once; the run
/// tells its progress in events. Refused while another run goes on.
#[tauri::command(async)]
pub fn run_collection<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    root: String,
    target: String,
    iterations: Option<u32>,
    parallel: Option<u32>,
) -> Reply<u32> {
    let request = RunRequest {
        root,
        target,
        iterations,
        parallel,
    };
    start(&app, &state, request, None)
}

/// Stops the run `id`: the sends in flight finish, the rest are skipped.
/// False when it is no longer going on.
#[tauri::command]
pub fn stop_run(state: State<'_, AppState>, id: u32) -> bool {
    state.runs.stop(id)
}

/// The whole send of the step at `index` of the run `id` (the last run):
/// the request as sent, the responses and every attempt.
#[tauri::command]
pub fn run_step_report(state: State<'_, AppState>, id: u32, index: u32) -> Reply<Report> {
    state.runs.report(id, index as usize)
}

/// Runs again, as a new run, only the requests of the run `id` that
/// failed, errored or need their credential authorized again.
#[tauri::command(async)]
pub fn rerun_failures<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: u32,
) -> Reply<u32> {
    let (request, paths) = state.runs.failures(id)?;
    if paths.is_empty() {
        return Err(run_error(format!(
            "no request of run {id} failed: there is nothing to run again"
        )));
    }
    start(&app, &state, request, Some(paths))
}

/// What keeps each of `assertions` and `extract` from being evaluated, in
/// core's words (none for a sound one): the editor shows them as typed.
#[tauri::command]
pub fn assertion_problems(
    assertions: Vec<Assertion>,
    extract: Vec<Extraction>,
) -> AssertionProblems {
    AssertionProblems::of(&assertions, &extract)
}

/// Plans `request` (only the requests at `only`, when given) and runs it
/// in the background; the run's id.
fn start<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    request: RunRequest,
    only: Option<Vec<String>>,
) -> Reply<u32> {
    // Said before the collection is read; `begin` makes sure.
    state.runs.refuse_while_running()?;
    let (opened, collection) = state.workbench.collection(&request.root).map_err(report)?;
    let mut plan =
        Plan::new(collection, &request.target, Vec::new(), request.iterations).map_err(report)?;
    if let Some(paths) = &only {
        plan = plan.only(paths);
    }
    let options = RunOptions {
        environment: opened.environment.clone(),
        parallel: request.parallel.unwrap_or(1).max(1) as usize,
        target: request.target.trim_matches('/').to_string(),
        ..RunOptions::default()
    };
    let (id, stop) = state.runs.begin(request.clone())?;
    let observer = Observer {
        app: app.clone(),
        planned: RunPlanned {
            id,
            root: request.root,
            collection: plan.collection.name.clone(),
            target: options.target.clone(),
            environment: options.environment.clone(),
            steps: Vec::new(),
        },
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let running = state.runs.running(id);
        let summary = execute(&state, &plan, &options, &stop, &observer).await;
        drop(running);
        // The sends are in the history and the timeline now.
        watch::check_now(&app);
        let totals = summary.totals();
        events::run_finished(
            &app,
            &RunFinished {
                id,
                summary,
                totals,
            },
        );
    });
    Ok(id)
}

/// The run itself, with the app's sender, token service and keychain.
async fn execute(
    state: &AppState,
    plan: &Plan,
    options: &RunOptions,
    stop: &StopSignal,
    observer: &dyn RunObserver,
) -> callout_core::run::RunSummary {
    let vault = state.service.store().home().vault();
    let mut summary = run::run(
        &state.sender,
        &state.service,
        &vault,
        plan,
        options,
        stop,
        observer,
    )
    .await;
    // Each step's send is kept in the app's state (`run_step_report`).
    for result in &mut summary.results {
        result.report = None;
    }
    summary
}

/// Tells the window how a run goes, and keeps each step's result.
struct Observer<R: Runtime> {
    app: AppHandle<R>,
    /// What runs; the steps come with `planned`.
    planned: RunPlanned,
}

impl<R: Runtime> RunObserver for Observer<R> {
    fn planned(&self, steps: &[Step]) {
        let planned = RunPlanned {
            steps: steps.to_vec(),
            ..self.planned.clone()
        };
        events::run_planned(&self.app, &planned);
    }

    fn started(&self, step: &Step) {
        events::run_step_started(
            &self.app,
            &RunStepStarted {
                id: self.planned.id,
                index: step.index,
            },
        );
    }

    fn finished(&self, result: &StepResult) {
        let id = self.planned.id;
        let state = self.app.state::<AppState>();
        state.runs.record(id, result.clone());
        let shown = StepResult {
            report: None,
            ..result.clone()
        };
        events::run_step(&self.app, &RunStepFinished { id, result: shown });
    }
}

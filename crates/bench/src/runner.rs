//! The collection runner's figures: what a run adds to sending the same
//! requests one after another (`run_overhead`, `run_added_us`), and what
//! running them 8 at a time gains over one at a time (`parallel_speedup`).
//!
//! Both sides go through the product's send (`actions::send`): the live
//! token read from the real keychain, the send kept in the history. What a
//! run adds is the rest of a step: filling in variables, evaluating the
//! assertions, the step's result, the run's scheduling.

use std::sync::Arc;
use std::time::{Duration, Instant};

use callout_core::actions::run::{RunOptions, StopSignal, run};
use callout_core::actions::send::send_labelled;
use callout_core::collection::Collection;
use callout_core::history::Label;
use callout_core::oauth::TokenService;
use callout_core::requests::SALESFORCE_API_VERSION;
use callout_core::run::{Plan, RunSummary};
use callout_core::send::{Draft, Sender, Timeouts};
use callout_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;

use crate::fixtures::{self, BenchHome};
use crate::report::{Figure, Pair, median};
use crate::{BenchError, Result};

/// Requests in the benchmark's collection.
const REQUESTS: usize = 50;
/// Assertions in each of them: a status, a JSONPath, a header.
const ASSERTIONS: usize = 3;
/// Sends in flight for `parallel_speedup`'s candidate.
const PARALLEL: usize = 8;

/// How long one side took: wall time, and the CPU time of this process
/// (every thread: the run's sends are spread over the runtime's workers).
#[derive(Debug, Clone, Copy, Default)]
struct Timed {
    wall_ms: f64,
    cpu_ms: f64,
}

struct Started {
    wall: Instant,
    cpu_ms: f64,
}

impl Started {
    fn now() -> Started {
        Started {
            wall: Instant::now(),
            cpu_ms: process_cpu_ms(),
        }
    }

    fn elapsed(&self) -> Timed {
        Timed {
            wall_ms: self.wall.elapsed().as_secs_f64() * 1e3,
            cpu_ms: process_cpu_ms() - self.cpu_ms,
        }
    }
}

fn process_cpu_ms() -> f64 {
    let time = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    time.tv_sec as f64 * 1e3 + time.tv_nsec as f64 / 1e6
}

/// A request file: a Salesforce REST query through credential `credential`
/// with its three assertions, as a person writes it.
fn request_file(n: usize, credential: &str) -> String {
    format!(
        "name = \"Query accounts {n:02}\"\nmethod = \"GET\"\n\
         url = \"callout:{credential}/services/data/v{SALESFORCE_API_VERSION}/query?q=SELECT+Id,Name+FROM+Account+LIMIT+2\"\n\
         seq = {n}\n\n\
         [[header]]\nname = \"Accept\"\nvalue = \"application/json\"\n\n\
         [[assert]]\nstatus = 200\n\n\
         [[assert]]\njson = \"$.totalSize\"\nequals = \"2\"\n\n\
         [[assert]]\nheader = \"Content-Type\"\ncontains = \"json\"\n"
    )
}

/// Writes the collection of [`REQUESTS`] requests at `root` and opens it.
fn bench_collection(root: &std::path::Path, credential: &str) -> Result<Collection> {
    let io = |what: String| move |source| BenchError::Io { what, source };
    std::fs::create_dir_all(root).map_err(io(format!("make {}", root.display())))?;
    let file = root.join("collection.toml");
    std::fs::write(&file, "name = \"Bench run\"\n")
        .map_err(io(format!("write {}", file.display())))?;
    for n in 1..=REQUESTS {
        let file = root.join(format!("query-{n:02}.toml"));
        std::fs::write(&file, request_file(n, credential))
            .map_err(io(format!("write {}", file.display())))?;
    }
    let collection =
        Collection::open(root).map_err(BenchError::engine("open the bench collection"))?;
    let requests = collection.requests();
    if requests.len() != REQUESTS
        || requests
            .iter()
            .any(|file| file.request.assertions.len() != ASSERTIONS)
    {
        return Err(BenchError::Check {
            what: format!(
                "run: the collection read {} requests, not {REQUESTS} with {ASSERTIONS} \
                 assertions each",
                requests.len()
            ),
        });
    }
    Ok(collection)
}

/// One run of `plan` with `parallel` sends in flight; its wall time and
/// this process's CPU time, in ms. Every request must have passed every
/// assertion.
async fn timed_run(
    sender: &Sender,
    service: &Arc<TokenService>,
    plan: &Plan,
    parallel: usize,
) -> Result<Timed> {
    let options = RunOptions {
        parallel,
        ..RunOptions::default()
    };
    let started = Started::now();
    let summary = run(
        sender,
        service,
        service.store().vault(),
        plan,
        &options,
        &StopSignal::default(),
        &(),
    )
    .await;
    let timed = started.elapsed();
    check_passed(&summary, parallel)?;
    Ok(timed)
}

fn check_passed(summary: &RunSummary, parallel: usize) -> Result<()> {
    let totals = summary.totals();
    if totals.passed as usize == REQUESTS
        && totals.assertions as usize == REQUESTS * ASSERTIONS
        && totals.assertions_failed == 0
    {
        return Ok(());
    }
    let why = summary
        .results
        .iter()
        .find_map(|result| result.why())
        .unwrap_or_default();
    Err(BenchError::Check {
        what: format!(
            "run (parallel {parallel}): {} of {REQUESTS} passed, {} of {} assertions failed: {why}",
            totals.passed, totals.assertions_failed, totals.assertions
        ),
    })
}

/// The baseline: the same drafts sent one after another through
/// `actions::send::send_labelled`, labelled as the run labels them; the wall
/// and CPU times in ms.
async fn timed_sends(
    sender: &Sender,
    service: &Arc<TokenService>,
    drafts: &[(Draft, Label)],
) -> Result<Timed> {
    let started = Started::now();
    for (draft, label) in drafts {
        let outcome = send_labelled(sender, service, draft, None, label)
            .await
            .map_err(BenchError::engine("send through actions::send"))?;
        if outcome.response.status != 200 {
            return Err(BenchError::Check {
                what: format!("run baseline: HTTP {}", outcome.response.status),
            });
        }
    }
    Ok(started.elapsed())
}

/// `run_overhead`, `run_added_us` and `parallel_speedup`: a run of 50
/// requests (3 assertions each) with parallel 1 against the same 50 drafts
/// sent one after another, and the same run with parallel 8 against
/// parallel 1. `rounds` rounds of the three, interleaved (the order turned
/// each round), after one warm-up round.
pub async fn run_figures(rounds: usize) -> Result<Vec<Figure>> {
    // Tokens that outlive the step: no refresh may fall inside one side.
    let sandbox = Sandbox::start(SandboxConfig {
        access_ttl: Duration::from_secs(3_600),
        ..SandboxConfig::default()
    })
    .map_err(BenchError::engine("start the sandbox"))?;
    let sender = Sender::new(Timeouts::default())
        .map_err(BenchError::engine("build the engine's HTTP client"))?;
    let credential = fixtures::sandbox_credential(&sandbox, "Bench");

    let dir = tempfile::tempdir().map_err(|source| BenchError::Io {
        what: "make a temporary directory".into(),
        source,
    })?;
    let collection = bench_collection(&dir.path().join("bench-run"), "Bench")?;
    let plan =
        Plan::new(collection, "", Vec::new(), None).map_err(BenchError::engine("plan the run"))?;
    let drafts: Vec<(Draft, Label)> = plan
        .requests
        .iter()
        .map(|file| {
            let label = Label {
                request: Some(format!("{}/{}", plan.collection.name, file.named_path())),
                environment: None,
            };
            (file.request.draft(), label)
        })
        .collect();

    let (mut overhead, mut speedup) = (Pair::new("ms"), Pair::new("ms"));
    // This process's CPU time on both sides of run_overhead (the embedded
    // sandbox's threads included: the same work on both sides): what the
    // run's own work costs, whatever else the machine is doing.
    let mut cpu = Pair::new("ms");
    let warmup = 1;
    for round in 0..rounds + warmup {
        // A fresh home each round (its credential in the keychain, an empty
        // history and timeline): the history's trim scans the whole table
        // on every kept send, so in one home every send of a round would
        // cost more than the round before's, whichever side it belongs to.
        let mut home = BenchHome::new()?;
        home.add(&sandbox, &credential)?;
        home.seed(&sandbox, "Bench")?;
        let service = Arc::clone(&home.service);
        let (mut serial, mut sends, mut parallel) = Default::default();
        for turn in 0..3 {
            match (round + turn) % 3 {
                0 => serial = timed_run(&sender, &service, &plan, 1).await?,
                1 => sends = timed_sends(&sender, &service, &drafts).await?,
                _ => parallel = timed_run(&sender, &service, &plan, PARALLEL).await?,
            }
        }
        if round >= warmup {
            overhead.candidate.push(serial.wall_ms);
            overhead.baseline.push(sends.wall_ms);
            speedup.candidate.push(parallel.wall_ms);
            speedup.baseline.push(serial.wall_ms);
            cpu.candidate.push(serial.cpu_ms);
            cpu.baseline.push(sends.cpu_ms);
        }
    }

    // The sandbox's counters as the witness: every request of every side
    // reached it with a live token, and no refresh was made.
    let stats = sandbox.stats();
    let expected = ((rounds + warmup) * 3 * REQUESTS) as u64;
    let answered = stats.api_count("salesforce_rest", "ok");
    let refreshes = stats.token_total("refresh_token");
    if answered != expected || refreshes != 0 {
        return Err(BenchError::Check {
            what: format!(
                "run: the sandbox answered {answered} queries (expected {expected}) and saw \
                 {refreshes} refreshes (expected none)"
            ),
        });
    }

    // Evidence for parallel_speedup: every send reads its token from the
    // keychain, a blocking call the run's one task waits for.
    let mut home = BenchHome::new()?;
    home.add(&sandbox, &credential)?;
    home.seed(&sandbox, "Bench")?;
    let keychain = crate::engine::keychain_costs(&home, "Bench")?;

    let (run_ms, sends_ms) = (median(&overhead.candidate), median(&overhead.baseline));
    let added_us = (run_ms - sends_ms) * 1e3 / REQUESTS as f64;
    let mut run_overhead = Figure::ratio(
        "run_overhead",
        &overhead,
        f64::INFINITY,
        "actions::run::run of a collection of 50 requests (3 assertions each: status, JSONPath, \
         header), parallel 1, against the embedded sandbox (keychain-backed credential)",
        "the same 50 drafts sent one after another with actions::send::send_labelled",
    );
    // Reported, like history_overhead: what a run adds per request, in
    // microseconds, is the figure to set against a real API's round trip.
    run_overhead.target = None;
    run_overhead.met = None;
    if let Some(extra) = run_overhead.extra.as_object_mut() {
        extra.insert("requests".into(), json!(REQUESTS));
        extra.insert("assertions".into(), json!(REQUESTS * ASSERTIONS));
        extra.insert("addedPerRequestUs".into(), json!(added_us));
        extra.insert(
            "sendMedianUs".into(),
            json!(sends_ms * 1e3 / REQUESTS as f64),
        );
        let (run_cpu, sends_cpu) = (median(&cpu.candidate), median(&cpu.baseline));
        extra.insert("cpuRunMs".into(), json!(cpu.candidate));
        extra.insert("cpuSendsMs".into(), json!(cpu.baseline));
        extra.insert("cpuRatio".into(), json!(run_cpu / sends_cpu));
        extra.insert(
            "cpuAddedPerRequestUs".into(),
            json!((run_cpu - sends_cpu) * 1e3 / REQUESTS as f64),
        );
    }
    let run_added = Figure::report(
        "run_added_us",
        added_us,
        "us",
        "what a run (parallel 1) adds per request to sending it with send_labelled: \
         (median run - median sends) / 50",
    );

    let (parallel_ms, serial_ms) = (median(&speedup.candidate), median(&speedup.baseline));
    let pairwise: Vec<f64> = speedup
        .candidate
        .iter()
        .zip(&speedup.baseline)
        .filter(|(parallel, _)| **parallel > 0.0)
        .map(|(parallel, serial)| serial / parallel)
        .collect();
    let mut parallel_speedup = Figure::ratio(
        "parallel_speedup",
        &speedup,
        f64::INFINITY,
        "speedup of the 50-request run with parallel 8 over parallel 1 (parallel 1 wall time / \
         parallel 8 wall time; above 1 is faster)",
        "the same run with parallel 1",
    );
    parallel_speedup.value = serial_ms / parallel_ms;
    parallel_speedup.target = None;
    parallel_speedup.met = None;
    parallel_speedup.extra = json!({
        "parallel8MedianMs": parallel_ms,
        "parallel1MedianMs": serial_ms,
        "medianOfPairwiseSpeedups": median(&pairwise),
        "iterations": speedup.candidate.len(),
        "keychainMedianUs": keychain,
        "cpus": std::thread::available_parallelism().map_or(1, usize::from),
    });
    Ok(vec![run_overhead, run_added, parallel_speedup])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_collection_holds_50_requests_with_3_sound_assertions_each() {
        let dir = tempfile::tempdir().unwrap();
        let collection = bench_collection(&dir.path().join("c"), "Bench").unwrap();
        let plan = Plan::new(collection, "", Vec::new(), None).unwrap();
        assert_eq!(plan.steps().len(), REQUESTS);
        let first = &plan.requests[0].request;
        assert_eq!(first.name, "Query accounts 01");
        assert!(first.url.starts_with("callout:Bench/services/data/v"));
        for file in &plan.requests {
            let problems: Vec<String> = file
                .request
                .assertions
                .iter()
                .filter_map(|assertion| assertion.problem())
                .collect();
            assert!(problems.is_empty(), "{}: {problems:?}", file.path);
        }
    }
}

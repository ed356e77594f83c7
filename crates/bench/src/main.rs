//! `callout-bench`: the figures behind `make bench` (GitHub issue 8).
//!
//! Every comparison is a ratio against a baseline measured in the same
//! process, on loopback, interleaved with it (candidate, baseline, candidate,
//! ...), as a ratio of medians, so machine noise cancels. The raw
//! per-iteration figures of both sides go to `summary.json`. Round trips are
//! timed by the wall clock; the CPU-bound figures (`detect_*`, `render_ratio`)
//! by the thread's CPU time, so a busy machine inflates neither side.
//!
//! | Figure | Candidate | Baseline | Target |
//! |---|---|---|---|
//! | `send_overhead` | a `callout:` SOAP call (10 KB envelope, merge fields, verdict) through `send::Sender::send` against the embedded sandbox | the same rendered request sent by a bare `reqwest::Client` to the same sandbox | ≤ 1.05 |
//! | `recovery` | a call that meets an expired token: fault → refresh through `oauth::KeychainRefresher` over a `TokenService` (real keychain, real timeline) → retry | three bare round trips: the failed call, the token request, the call | ≤ 1.10 |
//! | `recovery_floor_ratio` | that call (the same measurements as `recovery`) | the floor, measured interleaved with both: the same three bare round trips and one bare Secret Service write (`Vault::store`) of a secret as long as the credential's `NAME/authorization` entry, timed together (its extra: the write's µs, the engine's `Sent` durations) | ≤ 1.10 |
//! | `storm_refreshes` | token requests the sandbox saw while 1000 concurrent calls met one expired token (the most over the rounds) | — | 1 |
//! | `storm_ratio` | wall time of those 1000 calls (its extra: the calls the sandbox refused per run, and the two-exchange floor: the same calls made twice by bare clients, dead token then live) | the same 1000 calls with a fresh token | ≤ 1.20 |
//! | `detect_mb_s` | `detect::Detector::verdict` throughput on a 16 MB SOAP 500 with the fault at its end | — | reported |
//! | `detect_ratio` | that verdict | a bare `quick_xml::Reader` event scan of the same bytes | ≤ 1.5 |
//! | `catalog_ratio` | that verdict with the built-in expiry catalog (47 services' rules, tried by host and status) | the same verdict without the catalog | ≤ 1.10 |
//! | `catalog_small_ratio` | verdicts on 5 small responses of shapes the catalog knows (Dropbox 401, Slack 200, Salesforce SOAP 500, Meta 400, a plain 200), each from its host | the same verdicts without the catalog | reported |
//! | `render_ratio` | `merge::render` of a 10 KB envelope with 20 merge fields, request materialized | `str::replace` of the same fields | ≤ 2.0 |
//! | `history_overhead` | a `callout:` SOAP call through `Sender::send`, then kept in the history (one SQLite row in WAL mode, bodies cut, credential headers withheld, retention trimmed) | the same call, not kept | reported (with the microseconds it adds) |
//! | `collection_open` | `collection::Collection::open` of 1000 request files (10 KB envelopes) in 20 folders: parsed, ordered, stamped | reading the same files' bytes | ≤ 20 |
//! | `run_overhead` | `actions::run::run` of a collection of 50 request files (Salesforce REST queries, 3 assertions each: status, JSONPath, header), parallel 1, against the embedded sandbox with a keychain-backed credential | the same 50 drafts sent one after another with `actions::send::send_labelled` (a run's step minus filling variables and evaluating assertions) | reported |
//! | `run_added_us` | what that run adds per request: (median run − median sends) / 50 | — | reported |
//! | `parallel_speedup` | that run with parallel 8 (value: parallel-1 wall time / parallel-8 wall time) | the same run with parallel 1 | reported |
//! | `timeline_query_ms` | `timeline::Timeline::query`, last hour of one credential among 100 000 events (SQLite file in a temp dir) | — | reported |
//! | `app_start_ms` | release `callout-lab`: exec to the first non-blank capture of its window (`xdotool search`, then X `GetImage` captures, under Xvfb), median of launches | — | ≤ 1500 ms |
//! | `app_rss_mb` | resident memory of the app and its WebKit processes 3 s after painting | — | reported |
//! | `tray_rss_mb` | resident memory (`VmRSS`, summed) of the app's process tree after its window was closed as a user does (`WM_DELETE_WINDOW`), its `WebKitWebProcess` gone, and 3 s idle in the tray, median of launches (its extra: per process `VmRSS` and its split `RssAnon` / `RssFile` / `RssShmem`) | — | ≤ 60 MB |
//! | `reopen_ms` | a second launch in the same environment while the app is in the tray (it hands over to the running app and exits): its exec to the first non-blank capture of the rebuilt window, median of launches | — | ≤ 1000 ms |
//! | `binary_mb` | release binary size of `callout-lab` | — | ≤ 20 MB |
//! | `cli_binary_mb` | release binary size of `callout` | — | ≤ 8 MB |
//!
//! Run it through `make bench` (`scripts/bench.sh`): it needs release
//! builds, an X display, a D-Bus session and an unlocked Secret Service
//! keychain (`scripts/desktop-session.sh`). It ends with one
//! `bench NAME VALUE UNIT` line per figure and writes the same figures to
//! `--out` (JSON), after one `target NAME <= X: met|MISSED (why)` line per
//! target: a miss names its cause from the measurements (the largest
//! processes and their file-backed/heap split, the medians compared, the
//! bytes), as the figure's `why` in the JSON. Exit status 1 when a step
//! failed (its figure is missing); a missed target is reported, not a
//! failure.
//!
//! Options: `--app PATH` `--cli PATH` (release binaries), `--out PATH`,
//! `--only NAME[,NAME...]` (steps: app, size, send, recovery, storm, detect,
//! render, timeline, history, collection, run; `app` measures `app_start_ms`,
//! `app_rss_mb`, `tray_rss_mb` and `reopen_ms`, `size` the binaries),
//! `--quick` (fewer iterations, for trying it out).

mod app;
mod cpu;
mod engine;
mod fixtures;
mod report;
mod runner;
mod workbench;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use report::{Figure, Host, Summary};

/// Why a benchmark step could not produce its figure.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{what}: {source}")]
    Engine {
        what: String,
        source: callout_core::Error,
    },
    #[error("{what}: {detail}")]
    Http { what: String, detail: String },
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("{what}")]
    Check { what: String },
}

impl BenchError {
    /// Wraps an engine error with the step it broke.
    pub fn engine(what: &str) -> impl FnOnce(callout_core::Error) -> BenchError + '_ {
        move |source| BenchError::Engine {
            what: what.to_string(),
            source,
        }
    }

    /// Wraps a reqwest error without its URL (which may carry a token).
    pub fn http(what: &str) -> impl FnOnce(reqwest::Error) -> BenchError + '_ {
        move |error| {
            let mut detail = Vec::new();
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                detail.push(cause.to_string());
                source = cause.source();
            }
            if detail.is_empty() {
                detail.push(
                    if error.is_timeout() {
                        "timed out"
                    } else {
                        "failed"
                    }
                    .into(),
                );
            }
            BenchError::Http {
                what: what.to_string(),
                detail: detail.join(": "),
            }
        }
    }
}

pub type Result<T, E = BenchError> = std::result::Result<T, E>;

const STEPS: [&str; 11] = [
    "app",
    "size",
    "send",
    "recovery",
    "storm",
    "detect",
    "render",
    "timeline",
    "history",
    "collection",
    "run",
];

struct Options {
    app: PathBuf,
    cli: PathBuf,
    out: PathBuf,
    only: Vec<String>,
    quick: bool,
}

fn parse_options() -> Result<Options, String> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    let mut options = Options {
        app: target.join("release").join("callout-lab"),
        cli: target.join("release").join("callout"),
        out: target.join("bench").join("summary.json"),
        only: STEPS.iter().map(|step| step.to_string()).collect(),
        quick: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--app" => options.app = PathBuf::from(value()?),
            "--cli" => options.cli = PathBuf::from(value()?),
            "--out" => options.out = PathBuf::from(value()?),
            "--only" => {
                options.only = value()?.split(',').map(str::to_string).collect();
                if let Some(unknown) = options.only.iter().find(|s| !STEPS.contains(&s.as_str())) {
                    return Err(format!(
                        "unknown step {unknown:?}; steps: {}",
                        STEPS.join(", ")
                    ));
                }
            }
            "--quick" => options.quick = true,
            "--help" | "-h" => {
                return Err(format!(
                    "usage: callout-bench [--app PATH] [--cli PATH] [--out PATH] \
                     [--only STEP,...] [--quick]\nsteps: {}\n(app: app_start_ms, \
                     app_rss_mb, tray_rss_mb, reopen_ms; size: binary_mb, cli_binary_mb; \
                     recovery: recovery, recovery_floor_ratio)",
                    STEPS.join(", ")
                ));
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("callout-bench: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("callout-bench: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let q = |full: usize, quick: usize| if options.quick { quick } else { full };
    let mut figures: Vec<Figure> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    for step in STEPS
        .iter()
        .filter(|step| options.only.iter().any(|s| s == *step))
    {
        eprintln!("==> {step}");
        let started = Instant::now();
        let result = match *step {
            "app" => app::launches(&options.app, q(5, 2)),
            "size" => app::binary_sizes(&options.app, &options.cli),
            "send" => runtime
                .block_on(engine::send_overhead(q(400, 50)))
                .map(|f| vec![f]),
            "recovery" => runtime.block_on(engine::recovery(q(25, 5))),
            // A round (candidate, baseline, floor) takes about a second:
            // enough of them for a steady median.
            "storm" => runtime.block_on(engine::storm(
                1000,
                q(15, 1),
                std::time::Duration::from_secs(if options.quick { 10 } else { 60 }),
            )),
            "detect" => cpu::detect(q(15, 3)),
            "render" => cpu::render(q(401, 41), 5).map(|f| vec![f]),
            "timeline" => cpu::timeline(100_000, q(51, 11)).map(|f| vec![f]),
            "history" => runtime
                .block_on(workbench::history_overhead(q(400, 50)))
                .map(|f| vec![f]),
            "collection" => workbench::collection_open(q(21, 5)).map(|f| vec![f]),
            // A round (a run, the same sends, a run 8 at a time: 150
            // requests, a fresh home) takes about 0.3 s here; fewer rounds
            // left medians moving by several per cent between runs.
            "run" => runtime.block_on(runner::run_figures(q(41, 3))),
            _ => Ok(Vec::new()),
        };
        match result {
            Ok(new) => {
                for figure in &new {
                    eprintln!(
                        "    {} ({:.1} s)",
                        figure.line(),
                        started.elapsed().as_secs_f64()
                    );
                }
                figures.extend(new);
            }
            Err(error) => {
                eprintln!("    FAILED: {error}");
                failures.push(format!("{step}: {error}"));
            }
        }
    }
    let summary = Summary {
        figures,
        failures,
        host: Host::here(),
    };
    let written = report::write_summary(&options.out, &summary);
    eprintln!();
    for figure in summary.figures.iter().filter(|figure| figure.met.is_some()) {
        let met = if figure.met == Some(true) {
            "met"
        } else {
            "MISSED"
        };
        let why = figure
            .why
            .as_deref()
            .map(|why| format!(" ({why})"))
            .unwrap_or_default();
        eprintln!(
            "target {} {}: {met}{why}",
            figure.name,
            figure.target.as_deref().unwrap_or_default()
        );
    }
    for figure in &summary.figures {
        println!("{}", figure.line());
    }
    for failure in &summary.failures {
        eprintln!("FAILED STEP: {failure}");
    }
    match written {
        Ok(()) => eprintln!("summary: {}", options.out.display()),
        Err(error) => {
            eprintln!("callout-bench: {error}");
            return ExitCode::FAILURE;
        }
    }
    if summary.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

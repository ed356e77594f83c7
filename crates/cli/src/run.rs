//! `callout run`: run a collection, a folder or a request — environments,
//! data files, iterations, parallel sends with one refresh per expiry,
//! assertions — with live progress, a summary, JSON lines and JUnit/HTML
//! reports, and an exit status a CI job reads (0 passed, 1 an assertion
//! failed, 2 a request could not be sent, 3 a credential needs authorizing
//! again).

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use callout_core::actions::run::{RunObserver, RunOptions, StopSignal};
use callout_core::collection::{COLLECTION_FILE, Collection};
use callout_core::home::Home;
use callout_core::oauth::TokenService;
use callout_core::run::{self, Plan, RunState, Step, StepResult, report};
use callout_core::send::{Sender, Timeouts};
use callout_core::workbench::Workbench;
use callout_core::{Error, actions};
use clap::Args;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// What to run: a collection's directory, a folder's directory or a
    /// request's file inside one; or by name, "Collection", "Collection/Folder"
    /// or "Collection/Folder/Request" of a collection open in the app (with
    /// --collection, or in a directory with a collection.toml: "Folder",
    /// "Folder/Request")
    #[arg(value_name = "TARGET")]
    pub target: String,
    /// The collection TARGET names a part of [default: the current directory
    /// when it has a collection.toml, else the collections open in the app]
    #[arg(long, value_name = "DIR")]
    pub collection: Option<PathBuf>,
    /// The environment whose {{variables}} the requests use [default: the
    /// one chosen in the app for an open collection; else none]
    #[arg(long = "env", value_name = "NAME")]
    pub environment: Option<String>,
    /// A variable for every request, before every other scope; repeat for more
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub variables: Vec<String>,
    /// A CSV (first line: the variables' names) or JSON (array of objects)
    /// file: one iteration per row
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// How many times to run the requests [default: one per data row, else 1]
    #[arg(short = 'n', long, value_name = "N")]
    pub iterations: Option<u32>,
    /// Wait this many milliseconds between the start of one send and the next
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub delay: u64,
    /// Sends in flight at once; a credential is still refreshed once per expiry
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub parallel: usize,
    /// Stop at the first request that fails or cannot be sent
    #[arg(long)]
    pub bail: bool,
    /// Give up on a request when no complete response arrived within this
    /// many seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
    /// Run part K of N (e.g. 2/4): a stable split of the requests across N
    /// CI jobs, keeping a request with those whose values it uses
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Print one JSON object per request as it finishes, then one with the totals
    #[arg(long)]
    pub json: bool,
    /// Also write a report: junit:FILE (JUnit XML for CI) or html:FILE (a
    /// page to open); repeat for more
    #[arg(long = "reporter", value_name = "KIND:FILE")]
    pub reporters: Vec<String>,
    /// The user label of per-user credentials [default: the OS user name]
    #[arg(long, value_name = "LABEL")]
    pub user: Option<String>,
}

/// A report to write when the run ends.
enum Reporter {
    Junit(PathBuf),
    Html(PathBuf),
}

pub fn run(home: Option<&Path>, args: RunArgs) -> ExitCode {
    match run_collection(home, &args) {
        Ok(status) => ExitCode::from(status),
        Err(message) => {
            eprintln!("callout run: {message}");
            ExitCode::from(run::EXIT_NOT_SENT)
        }
    }
}

fn run_collection(home: Option<&Path>, args: &RunArgs) -> Result<u8, String> {
    let text = |error: Error| error.to_string();
    let home = Home::resolve(home).map_err(text)?;
    let reporters = args
        .reporters
        .iter()
        .map(|given| parse_reporter(given))
        .collect::<Result<Vec<_>, _>>()?;
    let mut variables = BTreeMap::new();
    for pair in &args.variables {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(format!("--var {pair}: give NAME=VALUE"));
        };
        variables.insert(name.trim().to_string(), value.to_string());
    }
    let (collection, target, chosen_environment) =
        resolve_target(&home, &args.target, args.collection.as_deref()).map_err(text)?;
    let rows = match &args.data {
        Some(file) => run::rows(file).map_err(text)?,
        None => Vec::new(),
    };
    let mut plan = Plan::new(collection, &target, rows, args.iterations).map_err(text)?;
    if let Some(shard) = &args.shard {
        let (part, of) = parse_shard(shard)?;
        plan = plan.shard(part, of).map_err(text)?;
    }
    if plan.requests.is_empty() {
        eprintln!(
            "callout run: nothing to run in {}",
            describe_target(&plan, &target)
        );
        return Ok(run::EXIT_PASSED);
    }
    let options = RunOptions {
        environment: args.environment.clone().or(chosen_environment),
        variables,
        parallel: args.parallel.max(1),
        delay: Duration::from_millis(args.delay),
        bail: args.bail,
        user: args.user.clone(),
        target: target.clone(),
    };
    let network = crate::network::for_home(&home).map_err(text)?;
    let sender = Sender::with_network(
        Timeouts {
            connect: Duration::from_secs(args.timeout.clamp(1, 30)),
            total: Duration::from_secs(args.timeout.max(1)),
        },
        network.clone(),
    )
    .map_err(text)?;
    crate::rules::load_into(&home, &sender).map_err(text)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the async runtime: {error}"))?;
    let progress = Progress::new(args.json);
    let summary = runtime.block_on(async {
        let service = Arc::new(
            TokenService::new(&home, sender.client().clone())
                .with_network(network)
                .with_home_timeline()?,
        );
        crate::timeline::warn_if_troubled(service.timeline());
        let stop = StopSignal::default();
        let summary = actions::run::run(
            &sender,
            &service,
            &home.vault(),
            &plan,
            &options,
            &stop,
            &progress,
        )
        .await;
        crate::timeline::warn_if_troubled(service.timeline());
        Ok::<_, Error>(summary)
    });
    let summary = summary.map_err(text)?;
    progress.clear();
    if args.json {
        println!("{}", report::json_summary(&summary));
    } else {
        print!("{}", report::summary_table(&summary));
    }
    for reporter in reporters {
        let (file, contents) = match &reporter {
            Reporter::Junit(file) => (file, report::junit(&summary)),
            Reporter::Html(file) => (file, report::html(&summary)),
        };
        if let Some(parent) = file
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)
                .map_err(|error| format!("cannot make {}: {error}", parent.display()))?;
        }
        std::fs::write(file, contents)
            .map_err(|error| format!("cannot write the report {}: {error}", file.display()))?;
        eprintln!("report: {}", file.display());
    }
    Ok(summary.exit_status())
}

fn describe_target(plan: &Plan, target: &str) -> String {
    if target.is_empty() {
        format!("collection \"{}\"", plan.collection.name)
    } else {
        format!("\"{}/{target}\"", plan.collection.name)
    }
}

fn parse_reporter(given: &str) -> Result<Reporter, String> {
    match given.split_once(':') {
        Some(("junit", file)) if !file.is_empty() => Ok(Reporter::Junit(file.into())),
        Some(("html", file)) if !file.is_empty() => Ok(Reporter::Html(file.into())),
        _ => Err(format!(
            "--reporter {given}: give junit:FILE or html:FILE (--json prints JSON lines)"
        )),
    }
}

fn parse_shard(given: &str) -> Result<(u32, u32), String> {
    let parsed = given
        .split_once('/')
        .and_then(|(part, of)| Some((part.trim().parse().ok()?, of.trim().parse().ok()?)));
    parsed.ok_or_else(|| format!("--shard {given}: give K/N, e.g. 2/4 for the second of four jobs"))
}

/// The collection TARGET is in, the part of it TARGET names ("" for all of
/// it) and the environment the workbench chose for it.
fn resolve_target(
    home: &Home,
    target: &str,
    dir: Option<&Path>,
) -> callout_core::Result<(Collection, String, Option<String>)> {
    let globals = || Workbench::new(home).globals();
    let on_disk = Path::new(target);
    if dir.is_none() && on_disk.exists() {
        let absolute = std::path::absolute(on_disk).unwrap_or_else(|_| on_disk.to_path_buf());
        let start = if absolute.is_dir() {
            absolute.clone()
        } else {
            absolute.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let root = start
            .ancestors()
            .find(|ancestor| ancestor.join(COLLECTION_FILE).is_file())
            .ok_or_else(|| Error::Storage {
                action: "run",
                path: absolute.display().to_string(),
                detail: "it is not inside a collection (no collection.toml in it or above it)"
                    .into(),
            })?
            .to_path_buf();
        let within = absolute
            .strip_prefix(&root)
            .map(|rest| rest.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let collection = Collection::open(&root)?.with_globals(globals()?);
        let environment = chosen_environment(home, &root);
        return Ok((collection, within, environment));
    }
    if let Some(dir) = crate::saved::local_dir(dir) {
        let collection = Collection::open(dir)?.with_globals(globals()?);
        let within = target
            .trim_matches('/')
            .strip_prefix(collection.name.as_str())
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            .unwrap_or(target)
            .trim_matches('/')
            .to_string();
        let environment = chosen_environment(home, dir);
        return Ok((collection, within, environment));
    }
    let workbench = Workbench::new(home);
    let mut names = Vec::new();
    // The longest collection name that starts TARGET wins ("Acme" and "Acme/EU").
    let mut best: Option<(Collection, String, Option<String>)> = None;
    for opened in workbench.list()? {
        let Ok(collection) = Collection::open(Path::new(&opened.root)) else {
            continue;
        };
        let trimmed = target.trim_matches('/');
        let rest = trimmed
            .strip_prefix(collection.name.as_str())
            .filter(|rest| rest.is_empty() || rest.starts_with('/'));
        match rest {
            Some(rest)
                if best
                    .as_ref()
                    .is_none_or(|(known, _, _)| known.name.len() < collection.name.len()) =>
            {
                let within = rest.trim_matches('/').to_string();
                best = Some((collection, within, opened.environment));
            }
            _ => names.push(collection.name),
        }
    }
    if let Some((collection, within, environment)) = best {
        return Ok((collection.with_globals(globals()?), within, environment));
    }
    Err(Error::Storage {
        action: "run",
        path: target.to_string(),
        detail: format!(
            "it is neither a directory or file of a collection nor \"Collection/...\" of one open \
             in the app; open: {} (or give --collection DIR)",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        ),
    })
}

/// The environment the workbench chose for the collection at `root`, when
/// it is open.
fn chosen_environment(home: &Home, root: &Path) -> Option<String> {
    let root = std::path::absolute(root).ok()?.display().to_string();
    Workbench::new(home)
        .list()
        .ok()?
        .into_iter()
        .find(|opened| opened.root == root)
        .and_then(|opened| opened.environment)
}

/// Progress on stderr: one line rewritten in place on a terminal, a plain
/// line per request otherwise; with --json, each result as a JSON line on
/// stdout.
struct Progress {
    terminal: bool,
    json: bool,
    state: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    total: usize,
    done: usize,
    failed: usize,
    line_shown: bool,
}

impl Progress {
    fn new(json: bool) -> Self {
        Self {
            terminal: std::io::stderr().is_terminal(),
            json,
            state: Mutex::new(Counts::default()),
        }
    }

    fn clear(&self) {
        let mut counts = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if self.terminal && counts.line_shown {
            eprint!("\r\x1b[2K");
            counts.line_shown = false;
        }
    }
}

fn mark(state: RunState) -> &'static str {
    match state {
        RunState::Passed => "ok  ",
        RunState::Failed => "FAIL",
        RunState::Errored => "ERR ",
        RunState::NeedsReauthorization => "AUTH",
        RunState::Skipped => "skip",
    }
}

impl RunObserver for Progress {
    fn planned(&self, steps: &[Step]) {
        let mut counts = self.state.lock().unwrap_or_else(|e| e.into_inner());
        counts.total = steps.len();
    }

    fn finished(&self, result: &StepResult) {
        let mut counts = self.state.lock().unwrap_or_else(|e| e.into_inner());
        counts.done += 1;
        if !matches!(result.state, RunState::Passed | RunState::Skipped) {
            counts.failed += 1;
        }
        if self.json {
            println!("{}", report::json_line(result));
            let _ = std::io::stdout().flush();
        }
        let status = result
            .status
            .map_or_else(|| "---".to_string(), |status| status.to_string());
        let line = format!(
            "{} {} [{}] {status} {} ms",
            mark(result.state),
            result.step.name,
            result.step.iteration,
            result.duration_ms
        );
        if self.terminal {
            // Failures stay on screen; the rest share one line.
            eprint!("\r\x1b[2K");
            if !matches!(result.state, RunState::Passed | RunState::Skipped) {
                eprintln!("{line}");
                if let Some(why) = result.why() {
                    eprintln!("     {why}");
                }
            }
            eprint!(
                "[{}/{}] {} failed · {}",
                counts.done, counts.total, counts.failed, result.step.name
            );
            counts.line_shown = true;
        } else if !self.json {
            eprintln!("[{}/{}] {line}", counts.done, counts.total);
            if let (
                RunState::Failed | RunState::Errored | RunState::NeedsReauthorization,
                Some(why),
            ) = (result.state, result.why())
            {
                eprintln!("     {why}");
            }
        }
        let _ = std::io::stderr().flush();
    }
}

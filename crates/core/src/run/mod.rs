//! Running a collection: which requests run, in which iterations, with
//! which variables, and what each run produced.
//!
//! A run's [`Plan`] is made before anything is sent: the requests of the
//! target (a collection, a folder or one request) in the collection's order,
//! once per iteration, each iteration with its data row (a CSV or JSON file,
//! [`rows`]). [`Plan::shard`] keeps the part one CI job runs: the split is
//! stable (a request's shard depends on its file's path, never on the
//! machine or on the order of the files) and a request stays with the
//! requests whose extracted values it uses, so a chain of requests (a POST
//! whose id the next GET needs) is never cut.
//!
//! The run itself is `actions::run::run`; its reports (JSON lines, JUnit
//! XML, an HTML page) are in [`report`].

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

use crate::assertion::AssertionResult;
use crate::collection::{Collection, Item, RequestFile};
use crate::detect::Verdict;
use crate::send::{Attempt, Report};
use crate::variables;
use crate::{Error, ErrorKind, ErrorReport, Result};

mod data;
pub mod report;
pub use data::rows;

/// One request of a plan, in one iteration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, rename = "RunStep")]
pub struct Step {
    /// Its place in the plan, from 0.
    pub index: usize,
    /// The iteration, from 1.
    pub iteration: u32,
    /// The request's file path below the collection's root.
    pub path: String,
    /// "Folder/Request", as a person names it.
    pub name: String,
}

/// What a run sends, in order.
#[derive(Debug, Clone)]
pub struct Plan {
    pub collection: Collection,
    /// The requests of the target, in the collection's order.
    pub requests: Vec<RequestFile>,
    /// One data row per iteration (empty maps without a data file).
    pub iterations: Vec<BTreeMap<String, String>>,
}

/// How a request's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum RunState {
    /// Sent, and every assertion held.
    Passed,
    /// Sent, and an assertion failed (or a value could not be extracted).
    Failed,
    /// It could not be sent (a variable unknown, the host unreachable, ...).
    Errored,
    /// Its credential needs authorizing again: the provider refused the
    /// refresh (`invalid_grant`) or there is no token.
    NeedsReauthorization,
    /// Not run: `--bail` stopped the run first, or it was stopped.
    Skipped,
}

/// A value a request's response gave a variable (the value itself is
/// never shown: it may be a session id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Extracted {
    pub variable: String,
    /// Why no value was found; none when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub problem: Option<String>,
}

/// What running one request (in one iteration) produced.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, rename = "RunResult")]
pub struct StepResult {
    pub step: Step,
    pub state: RunState,
    /// The last response's status.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub status: Option<u16>,
    pub assertions: Vec<AssertionResult>,
    pub extracted: Vec<Extracted>,
    /// The verdict on each response (the first one and the retry's).
    pub verdicts: Vec<Verdict>,
    /// Requests sent (2 when a refresh was followed by a retry).
    pub attempts: u32,
    /// Refreshes this request's send made.
    pub refreshes: u32,
    /// From the first byte sent until the last response had arrived.
    #[ts(type = "number")]
    pub duration_ms: u64,
    /// Why it could not be sent, or why its credential needs authorizing.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<ErrorReport>,
    /// The credential the request went out with.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub credential: Option<String>,
    /// The whole send (request as sent, masked; responses; attempts), to
    /// open it.
    #[serde(skip)]
    #[ts(skip)]
    pub report: Option<Report>,
}

impl StepResult {
    /// A result of a request that did not run.
    pub fn skipped(step: Step) -> Self {
        Self {
            step,
            state: RunState::Skipped,
            status: None,
            assertions: Vec::new(),
            extracted: Vec::new(),
            verdicts: Vec::new(),
            attempts: 0,
            refreshes: 0,
            duration_ms: 0,
            error: None,
            credential: None,
            report: None,
        }
    }

    /// A result of a request that could not be sent for `error`.
    pub fn errored(step: Step, error: &Error, duration_ms: u64) -> Self {
        let state = if error.kind() == ErrorKind::NeedsReauthorization {
            RunState::NeedsReauthorization
        } else {
            RunState::Errored
        };
        Self {
            state,
            error: Some(ErrorReport::from(error)),
            duration_ms,
            ..Self::skipped(step)
        }
    }

    /// Why it did not pass, one line (none when it passed).
    pub fn why(&self) -> Option<String> {
        match self.state {
            RunState::Passed => None,
            RunState::Skipped => Some("not run".to_string()),
            RunState::Errored | RunState::NeedsReauthorization => Some(
                self.error
                    .as_ref()
                    .map_or_else(|| "it could not be sent".to_string(), |e| e.message.clone()),
            ),
            RunState::Failed => {
                let mut reasons: Vec<String> = self
                    .assertions
                    .iter()
                    .filter(|result| !result.passed)
                    .map(|result| result.message.clone())
                    .collect();
                reasons.extend(
                    self.extracted
                        .iter()
                        .filter_map(|extracted| extracted.problem.clone()),
                );
                Some(reasons.join("; "))
            }
        }
    }
}

/// A credential's story over a run: how often its token met an expiry and
/// how often it was refreshed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CredentialRun {
    pub credential: String,
    /// Requests whose response said the token expired.
    pub expiries: u32,
    /// Refreshes the run's sends made.
    pub refreshes: u32,
    /// Refreshes the provider refused.
    pub refresh_failures: u32,
    /// Requests sent with it.
    pub requests: u32,
}

/// What a whole run produced.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunSummary {
    pub collection: String,
    /// What ran: "" for the whole collection, else the folder or request.
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub environment: Option<String>,
    /// When it started, in milliseconds since 1970.
    #[ts(type = "number")]
    pub started_at_ms: u64,
    #[ts(type = "number")]
    pub duration_ms: u64,
    /// Every step's result, in the plan's order.
    pub results: Vec<StepResult>,
    pub credentials: Vec<CredentialRun>,
    /// It was stopped (`--bail`, or by the user) before every step ran.
    pub stopped: bool,
}

/// Counts of a run's results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Totals {
    pub passed: u32,
    pub failed: u32,
    pub errored: u32,
    pub needs_reauthorization: u32,
    pub skipped: u32,
    pub assertions: u32,
    pub assertions_failed: u32,
}

/// The exit status of a run, as `callout run` (and `callout send`) return
/// it: 0 all passed, 1 an assertion failed, 2 a request could not be sent,
/// 3 a credential needs authorizing again (the most serious wins).
pub const EXIT_PASSED: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_NOT_SENT: u8 = 2;
pub const EXIT_NEEDS_REAUTHORIZATION: u8 = 3;

impl RunSummary {
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for result in &self.results {
            match result.state {
                RunState::Passed => totals.passed += 1,
                RunState::Failed => totals.failed += 1,
                RunState::Errored => totals.errored += 1,
                RunState::NeedsReauthorization => totals.needs_reauthorization += 1,
                RunState::Skipped => totals.skipped += 1,
            }
            totals.assertions += result.assertions.len() as u32;
            totals.assertions_failed +=
                result.assertions.iter().filter(|a| !a.passed).count() as u32;
        }
        totals
    }

    /// The exit status this run ends `callout run` with.
    pub fn exit_status(&self) -> u8 {
        let totals = self.totals();
        if totals.needs_reauthorization > 0 {
            EXIT_NEEDS_REAUTHORIZATION
        } else if totals.errored > 0 {
            EXIT_NOT_SENT
        } else if totals.failed > 0 {
            EXIT_FAILED
        } else {
            EXIT_PASSED
        }
    }
}

/// Whether `attempts` hold a refresh the provider refused because the
/// credential needs authorizing again.
pub fn needs_reauthorization(attempts: &[Attempt]) -> bool {
    attempts.iter().any(|attempt| {
        matches!(attempt, Attempt::RefreshFailed { error, .. }
            if error.kind == ErrorKind::NeedsReauthorization)
    })
}

impl Plan {
    /// The plan for `target` in `collection`: "" (or "/") for all of it, a
    /// folder ("Accounts", "Accounts/Archive") or a request (its name path
    /// "Accounts/Query accounts" or file path "Accounts/query.toml"), with
    /// `iterations` iterations over `data` (each iteration takes the next
    /// row, round again when there are fewer rows); without a data file
    /// (`data` empty) and `iterations` none, one iteration; with one and
    /// `iterations` none, one per row.
    pub fn new(
        collection: Collection,
        target: &str,
        data: Vec<BTreeMap<String, String>>,
        iterations: Option<u32>,
    ) -> Result<Self> {
        let requests = select(&collection, target)?;
        let count = iterations.unwrap_or(data.len().max(1) as u32).max(1) as usize;
        let iterations = (0..count)
            .map(|index| {
                if data.is_empty() {
                    BTreeMap::new()
                } else {
                    data[index % data.len()].clone()
                }
            })
            .collect();
        Ok(Self {
            collection,
            requests,
            iterations,
        })
    }

    /// Keeps only the requests at the file paths `paths` (re-running the
    /// ones that failed), in the plan's order.
    pub fn only(mut self, paths: &[String]) -> Self {
        self.requests.retain(|file| paths.contains(&file.path));
        self
    }

    /// Every step: each request in each iteration, iteration by iteration.
    pub fn steps(&self) -> Vec<Step> {
        let mut steps = Vec::new();
        for iteration in 1..=self.iterations.len() as u32 {
            for request in &self.requests {
                steps.push(Step {
                    index: steps.len(),
                    iteration,
                    path: request.path.clone(),
                    name: request.named_path(),
                });
            }
        }
        steps
    }

    /// Keeps shard `shard` of `of` (from 1): the requests whose group's
    /// first file path hashes there, a group being requests linked by the
    /// values one extracts and another uses.
    pub fn shard(mut self, shard: u32, of: u32) -> Result<Self> {
        if of == 0 || shard == 0 || shard > of {
            return Err(Error::InvalidUrl {
                url: format!("{shard}/{of}"),
                reason: "--shard is K/N with 1 ≤ K ≤ N, e.g. 2/4 for the second of four jobs"
                    .into(),
            });
        }
        let groups = groups(&self.requests);
        self.requests = self
            .requests
            .into_iter()
            .zip(groups)
            .filter(|(_, group)| stable_hash(group) % u64::from(of) == u64::from(shard - 1))
            .map(|(request, _)| request)
            .collect();
        Ok(self)
    }
}

/// The requests of `target` in `collection` (see [`Plan::new`]).
pub fn select(collection: &Collection, target: &str) -> Result<Vec<RequestFile>> {
    let target = target.trim_matches('/');
    let all = collection.requests();
    if target.is_empty() {
        return Ok(all.into_iter().cloned().collect());
    }
    if let Some(file) = collection.find(target) {
        return Ok(vec![file.clone()]);
    }
    if let Some(folder) = find_folder(&collection.items, target) {
        let prefix = format!("{}/", folder);
        return Ok(all
            .into_iter()
            .filter(|file| file.path.starts_with(&prefix))
            .cloned()
            .collect());
    }
    // Names it neither request nor folder: the error lists the requests.
    collection.request(target).map(|file| vec![file.clone()])
}

/// The path of the folder `target` names (its directory path).
fn find_folder(items: &[Item], target: &str) -> Option<String> {
    items.iter().find_map(|item| match item {
        Item::Folder(folder) if folder.path == target => Some(folder.path.clone()),
        Item::Folder(folder) => find_folder(&folder.items, target),
        _ => None,
    })
}

/// For each request, the first file path of its group: requests are in a
/// group when one uses a variable another extracts.
fn groups(requests: &[RequestFile]) -> Vec<String> {
    let mut parent: Vec<usize> = (0..requests.len()).collect();
    fn root(parent: &mut [usize], mut index: usize) -> usize {
        while parent[index] != index {
            parent[index] = parent[parent[index]];
            index = parent[index];
        }
        index
    }
    let mut extractor: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, file) in requests.iter().enumerate() {
        for extraction in &file.request.extract {
            extractor
                .entry(extraction.variable.as_str())
                .or_insert(index);
        }
    }
    for (index, file) in requests.iter().enumerate() {
        for name in uses(file) {
            if let Some(&source) = extractor.get(name.as_str()) {
                let (a, b) = (root(&mut parent, index), root(&mut parent, source));
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    (0..requests.len())
        .map(|index| requests[root(&mut parent, index)].path.clone())
        .collect()
}

/// The variables a request's text uses.
pub fn uses(file: &RequestFile) -> Vec<String> {
    let request = &file.request;
    let mut text = request.url.clone();
    for header in &request.headers {
        text.push('\n');
        text.push_str(&header.name);
        text.push('\n');
        text.push_str(&header.value);
    }
    if let Some(body) = &request.body {
        text.push('\n');
        text.push_str(body);
    }
    variables::references(&text)
}

/// FNV-1a: the same on every machine and every build.
fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A collection on disk: `files` are (path, TOML) pairs.
    fn collection(files: &[(&str, &str)]) -> (tempfile::TempDir, Collection) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("collection.toml"), "name = \"Acme\"\n").unwrap();
        for (path, text) in files {
            let file = dir.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        let collection = Collection::open(dir.path()).unwrap();
        (dir, collection)
    }

    fn get(name: &str, seq: i64, url: &str) -> String {
        format!("name = \"{name}\"\nmethod = \"GET\"\nurl = \"{url}\"\nseq = {seq}\n")
    }

    fn paths(plan: &Plan) -> Vec<String> {
        plan.requests.iter().map(|file| file.path.clone()).collect()
    }

    #[test]
    fn a_target_is_the_whole_collection_a_folder_or_one_request() {
        let (_dir, acme) = collection(&[
            ("ping.toml", &get("Ping", 1, "https://x.example/ping")),
            (
                "Accounts/query.toml",
                &get("Query", 1, "https://x.example/q"),
            ),
            (
                "Accounts/Archive/old.toml",
                &get("Old", 1, "https://x.example/o"),
            ),
            ("Contacts/list.toml", &get("List", 1, "https://x.example/c")),
        ]);
        let plan = |target: &str| Plan::new(acme.clone(), target, Vec::new(), None).unwrap();
        assert_eq!(paths(&plan("")).len(), 4);
        assert_eq!(
            paths(&plan("Accounts")),
            ["Accounts/Archive/old.toml", "Accounts/query.toml"]
        );
        assert_eq!(
            paths(&plan("/Accounts/Archive/")),
            ["Accounts/Archive/old.toml"]
        );
        assert_eq!(paths(&plan("Accounts/Query")), ["Accounts/query.toml"]);
        assert_eq!(paths(&plan("Contacts/list.toml")), ["Contacts/list.toml"]);
        let unknown = Plan::new(acme.clone(), "Acounts", Vec::new(), None)
            .unwrap_err()
            .to_string();
        assert!(
            unknown.contains("no such request") && unknown.contains("Accounts/Query"),
            "{unknown}"
        );
    }

    #[test]
    fn iterations_take_the_data_rows_in_turn_and_default_to_one_per_row() {
        let (_dir, acme) = collection(&[("a.toml", &get("A", 1, "https://x.example/{{id}}"))]);
        let row = |id: &str| BTreeMap::from([("id".to_string(), id.to_string())]);
        let rows = vec![row("1"), row("2")];
        let per_row = Plan::new(acme.clone(), "", rows.clone(), None).unwrap();
        assert_eq!(per_row.iterations, rows);
        let five = Plan::new(acme.clone(), "", rows.clone(), Some(5)).unwrap();
        let ids: Vec<&str> = five
            .iterations
            .iter()
            .map(|row| row["id"].as_str())
            .collect();
        assert_eq!(ids, ["1", "2", "1", "2", "1"]);
        let steps = five.steps();
        assert_eq!(steps.len(), 5);
        assert_eq!((steps[4].index, steps[4].iteration), (4, 5));
        let none = Plan::new(acme, "", Vec::new(), None).unwrap();
        assert_eq!(none.iterations.len(), 1);
    }

    #[test]
    fn shards_split_every_request_once_stably_and_keep_a_chain_together() {
        let mut files: Vec<(String, String)> = (0..30)
            .map(|n| {
                (
                    format!("r{n:02}.toml"),
                    get(&format!("R{n}"), n, "https://x.example/"),
                )
            })
            .collect();
        // z-create extracts an id that z-read uses: they go together.
        files.push((
            "z-create.toml".into(),
            format!(
                "{}\n[[extract]]\nvariable = \"id\"\njson = \"$.id\"\n",
                get("Create", 30, "https://x.example/new")
            ),
        ));
        files.push((
            "z-read.toml".into(),
            get("Read", 31, "https://x.example/{{id}}"),
        ));
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str()))
            .collect();
        let (_dir, acme) = collection(&borrowed);
        // On their own the two would land in different shards.
        assert_ne!(
            stable_hash("z-create.toml") % 3,
            stable_hash("z-read.toml") % 3
        );
        let all = Plan::new(acme.clone(), "", Vec::new(), None).unwrap();
        let mut seen = Vec::new();
        for shard in 1..=3 {
            let part = all.clone().shard(shard, 3).unwrap();
            assert!(!part.requests.is_empty(), "shard {shard} got nothing");
            let again = all.clone().shard(shard, 3).unwrap();
            assert_eq!(paths(&part), paths(&again), "the split is stable");
            let has = |path: &str| paths(&part).iter().any(|known| known == path);
            assert_eq!(
                has("z-create.toml"),
                has("z-read.toml"),
                "the chain stays together"
            );
            seen.extend(paths(&part));
        }
        seen.sort();
        assert_eq!(seen, {
            let mut every = paths(&all);
            every.sort();
            every
        });
        for bad in [(0, 3), (4, 3), (1, 0)] {
            let error = all.clone().shard(bad.0, bad.1).unwrap_err().to_string();
            assert!(error.contains("K/N"), "{error}");
        }
    }

    #[test]
    fn the_most_serious_outcome_sets_the_exit_status() {
        let step = Step {
            index: 0,
            iteration: 1,
            path: "a.toml".into(),
            name: "A".into(),
        };
        let with = |states: &[RunState]| RunSummary {
            collection: "Acme".into(),
            target: String::new(),
            environment: None,
            started_at_ms: 0,
            duration_ms: 0,
            results: states
                .iter()
                .map(|state| StepResult {
                    state: *state,
                    ..StepResult::skipped(step.clone())
                })
                .collect(),
            credentials: Vec::new(),
            stopped: false,
        };
        use RunState::*;
        assert_eq!(with(&[Passed, Skipped]).exit_status(), EXIT_PASSED);
        assert_eq!(with(&[Passed, Failed]).exit_status(), EXIT_FAILED);
        assert_eq!(with(&[Failed, Errored]).exit_status(), EXIT_NOT_SENT);
        assert_eq!(
            with(&[Errored, NeedsReauthorization, Failed]).exit_status(),
            EXIT_NEEDS_REAUTHORIZATION
        );
    }
}

//! `actions::run` in process, against the sandbox: the observer hears the
//! plan, each start and each result as it comes; a stop asked for between
//! two steps skips the rest; a request waits for the earlier one whose
//! value it uses, even with many in flight. Needs the keychain.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use callout_core::actions::run::{RunObserver, RunOptions, StopSignal, run};
use callout_core::collection::Collection;
use callout_core::credential::AuthProtocol;
use callout_core::run::{Plan, RunState, Step, StepResult};
use callout_core::send::{Sender, Timeouts};
use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::TestHome;

/// What the observer heard, in order: "planned N", "start NAME", "done NAME STATE".
#[derive(Default)]
struct Heard {
    lines: Mutex<Vec<String>>,
    /// Stop the run when this many results have come.
    stop_after: Option<(usize, StopSignal)>,
}

impl RunObserver for Heard {
    fn planned(&self, steps: &[Step]) {
        self.lines
            .lock()
            .unwrap()
            .push(format!("planned {}", steps.len()));
    }

    fn started(&self, step: &Step) {
        self.lines
            .lock()
            .unwrap()
            .push(format!("start {}", step.name));
    }

    fn finished(&self, result: &StepResult) {
        let mut lines = self.lines.lock().unwrap();
        lines.push(format!("done {} {:?}", result.step.name, result.state));
        let done = lines.iter().filter(|line| line.starts_with("done")).count();
        if let Some((after, stop)) = &self.stop_after
            && done == *after
        {
            stop.stop();
        }
    }
}

fn collection(dir: &std::path::Path, files: &[(&str, String)]) -> Collection {
    std::fs::write(dir.join("collection.toml"), "name = \"Flow\"\n").unwrap();
    for (path, text) in files {
        std::fs::write(dir.join(path), text).unwrap();
    }
    Collection::open(dir).unwrap()
}

fn get(name: &str, seq: u32, url: &str, tables: &str) -> String {
    format!("name = \"{name}\"\nmethod = \"GET\"\nurl = \"{url}\"\nseq = {seq}\n{tables}")
}

async fn setup() -> (Sandbox, TestHome, Sender) {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Sandbox", AuthProtocol::AuthorizationCode);
    home.seed(
        &sandbox,
        "Sandbox",
        SystemTime::now() + Duration::from_secs(3_600),
    );
    let sender = Sender::new(Timeouts::default()).unwrap();
    (sandbox, home, sender)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_observer_hears_each_step_and_a_stop_skips_the_steps_not_started() {
    let (_sandbox, home, sender) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let flow = collection(
        dir.path(),
        &[
            (
                "a.toml",
                get(
                    "A",
                    1,
                    "callout:Sandbox/wso2/accounts",
                    "\n[[assert]]\nstatus = 200\n",
                ),
            ),
            ("b.toml", get("B", 2, "callout:Sandbox/wso2/accounts", "")),
            ("c.toml", get("C", 3, "callout:Sandbox/wso2/accounts", "")),
        ],
    );
    let plan = Plan::new(flow, "", Vec::new(), None).unwrap();
    let stop = StopSignal::default();
    let heard = Heard {
        stop_after: Some((1, stop.clone())),
        ..Heard::default()
    };
    let options = RunOptions {
        parallel: 1,
        ..RunOptions::default()
    };
    let summary = run(
        &sender,
        &home.service,
        &home.home.vault(),
        &plan,
        &options,
        &stop,
        &heard,
    )
    .await;

    let states: Vec<RunState> = summary.results.iter().map(|result| result.state).collect();
    assert_eq!(
        states,
        [RunState::Passed, RunState::Skipped, RunState::Skipped]
    );
    assert!(summary.stopped);
    assert_eq!(
        *heard.lines.lock().unwrap(),
        [
            "planned 3",
            "start A",
            "done A Passed",
            "done B Skipped",
            "done C Skipped"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_waits_for_the_one_whose_value_it_uses_even_with_many_in_flight() {
    let (_sandbox, home, sender) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![(
        "a-find.toml",
        get(
            "Find",
            1,
            "callout:Sandbox/services/data/v59.0/query?q=SELECT+Id+FROM+Account",
            "\n[[extract]]\nvariable = \"account\"\njson = \"$.records[1].Id\"\n",
        ),
    )];
    files.push((
        "b-use.toml",
        get(
            "Use",
            2,
            "callout:Sandbox/wso2/accounts?id={{account}}",
            "\n[[assert]]\nstatus = 200\n",
        ),
    ));
    let flow = collection(dir.path(), &files);
    let plan = Plan::new(flow, "", Vec::new(), Some(4)).unwrap();
    let heard = Heard::default();
    let options = RunOptions {
        parallel: 8,
        ..RunOptions::default()
    };
    let summary = run(
        &sender,
        &home.service,
        &home.home.vault(),
        &plan,
        &options,
        &StopSignal::default(),
        &heard,
    )
    .await;
    assert!(
        summary
            .results
            .iter()
            .all(|result| result.state == RunState::Passed),
        "{:#?}",
        summary
            .results
            .iter()
            .map(|r| (&r.step.name, r.state, r.why()))
            .collect::<Vec<_>>()
    );
    // In each iteration "Use" starts only after "Find" is done.
    let lines = heard.lines.lock().unwrap();
    let finds_done = lines
        .iter()
        .position(|line| line == "done Find Passed")
        .unwrap();
    let first_use = lines.iter().position(|line| line == "start Use").unwrap();
    assert!(finds_done < first_use, "{lines:#?}");
    // And it went out with the value: the history keeps its URL.
    let sent = callout_core::history::History::open(&home.home)
        .unwrap()
        .list(Some("Flow/Use"), 10)
        .unwrap();
    assert_eq!(sent.len(), 4);
    assert!(
        sent.iter()
            .all(|kept| kept.url.ends_with("id=001SB00000A1b2dAAA")),
        "{sent:#?}"
    );
}

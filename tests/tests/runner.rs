#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

//! The collection runner in the real window: a folder of a collection on
//! disk run from the tree against the embedded sandbox, its steps marked as
//! their results arrive, the totals, a failed step opened with its
//! assertion's message and its response, and its failure run again.

use std::path::{Path, PathBuf};

use callout_tests::app::{AppSession, authorize_sandbox, click_shown, fresh_home, hover};
use fantoccini::key::Key;
use serde_json::{Value, json};

const TREE: &str = r#"[data-testid="collection-tree"]"#;
const RUNNER: &str = r#"[data-testid="runner"]"#;
const STEPS: &str = r#"[data-testid="runner"] [data-testid="run-step"]"#;
const TOTALS: &str = r#"[data-testid="run-totals"]"#;
const PROGRESS: &str = r#"[data-testid="run-progress"]"#;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap_or_else(|error| panic!("write {}: {error}", path.display()));
}

/// A GET of `{{endpoint}}/rfc6750/{path}` called `name`, with `asserts`.
fn request_toml(name: &str, path: &str, asserts: &str) -> String {
    format!(
        "name = \"{name}\"\nmethod = \"GET\"\nurl = \"{{{{endpoint}}}}/rfc6750/{path}\"\n\n{asserts}"
    )
}

/// The collection "Acme" on disk: a folder `Accounts` of three requests to
/// the sandbox, one ("Expects created") asserting a status it does not get,
/// and a request outside the folder. Returns its root, absolute.
fn acme_collection(name: &str) -> PathBuf {
    let root = fresh_home(name).join("acme-api");
    write(&root.join("collection.toml"), "name = \"Acme\"\n");
    write(
        &root.join("environments/Sandbox.toml"),
        "[variables]\nendpoint = \"callout:Sandbox\"\n",
    );
    write(
        &root.join("Accounts/list.toml"),
        &request_toml(
            "List accounts",
            "accounts",
            "[[assert]]\nstatus = 200\n\n[[assert]]\njson = \"$.count\"\nexists = true\n",
        ),
    );
    write(
        &root.join("Accounts/one.toml"),
        &request_toml(
            "One account",
            "accounts/1",
            "[[assert]]\nheader = \"Content-Type\"\ncontains = \"json\"\n",
        ),
    );
    write(
        &root.join("Accounts/create.toml"),
        &request_toml(
            "Expects created",
            "accounts/2",
            "[[assert]]\nstatus = 201\n",
        ),
    );
    write(
        &root.join("outside.toml"),
        &request_toml("Outside", "outside", "[[assert]]\nstatus = 200\n"),
    );
    root.canonicalize().unwrap()
}

/// `workbench.json` of `home`: the collection at `root`, sent with `Sandbox`.
fn open_in_workbench(home: &Path, root: &Path) {
    let workbench = json!({
        "collections": [{ "root": root.display().to_string(), "environment": "Sandbox" }]
    });
    write(
        &home.join("workbench.json"),
        &serde_json::to_string_pretty(&workbench).unwrap(),
    );
}

/// The runner's rows, top to bottom: (name, state, mark).
async fn step_rows(session: &AppSession) -> Vec<(String, String, String)> {
    let rows = session
        .client
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0]), (row) => \
             [row.dataset.name, row.dataset.state, \
              row.querySelector('[data-testid=\"run-mark\"]').textContent]);",
            vec![json!(STEPS)],
        )
        .await
        .expect("read the runner's rows");
    serde_json::from_value(rows).expect("the runner's rows")
}

/// The element focused now, as its `data-name`.
async fn focused_step(session: &AppSession) -> Value {
    session
        .client
        .execute(
            "return document.activeElement?.dataset?.name ?? null;",
            vec![],
        )
        .await
        .expect("read the focus")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_runs_from_the_tree_and_its_failed_step_says_why() {
    let home = fresh_home("runner");
    let root = acme_collection("runner-repo");
    open_in_workbench(&home, &root);
    let session = AppSession::start_with(&home, &[]).await;
    authorize_sandbox(&home);
    session.click(r#"[data-testid="nav-editor"]"#).await;

    // The folder's ▶ (shown when the pointer is over its row) runs it.
    let folder = format!(r#"{TREE} [data-testid="tree-folder"][data-name="Accounts"]"#);
    hover(&session, &folder).await;
    click_shown(
        &session,
        &format!(r#"{folder} + .tree-tools [data-testid="tree-run"]"#),
    )
    .await;
    session
        .wait_for_text(
            r#"[data-testid="run-title"]"#,
            "the runner's title",
            |text| text == "Run: Acme / Accounts",
        )
        .await;

    // Every step done: the totals, the progress, a mark per row.
    let totals = session
        .wait_for_text(TOTALS, "the run's totals", |text| text.contains("passed"))
        .await;
    assert!(
        totals.contains("2 passed") && totals.contains("1 failed"),
        "{totals}"
    );
    assert!(totals.contains("Assertions: 1 of 4 failed"), "{totals}");
    assert!(
        totals.contains("Sandbox: 3 requests, 0 token expiries, 0 refreshes"),
        "{totals}"
    );
    session
        .wait_for_text(PROGRESS, "3 of 3 steps done", |text| text == "3 / 3")
        .await;
    let rows = step_rows(&session).await;
    assert_eq!(
        rows,
        [
            ("Accounts/Expects created", "failed", "✗"),
            ("Accounts/List accounts", "passed", "✓"),
            ("Accounts/One account", "passed", "✓"),
        ]
        .map(|(name, state, mark)| (name.to_string(), state.to_string(), mark.to_string())),
        "the runner's rows: {rows:?}"
    );
    // The request outside the folder did not run.
    assert!(!rows.iter().any(|(name, _, _)| name.contains("Outside")));
    let rerun = session
        .element(r#"[data-testid="run-rerun-failures"]"#)
        .await;
    assert!(
        rerun.is_displayed().await.unwrap(),
        "Re-run failures is offered"
    );
    session.screenshot("runner-finished").await;

    // The failed row opens: its assertion, failed, says why; its response is there.
    session
        .click(&format!(r#"{STEPS}[data-state="failed"]"#))
        .await;
    let failed = session
        .wait_for_text(
            r#"[data-testid="run-detail"] [data-testid="step-assertion"][data-passed="false"]"#,
            "the failed assertion's message",
            |text| text.contains("201"),
        )
        .await;
    assert!(failed.contains("status equals 201"), "{failed}");
    assert!(
        failed.contains("200"),
        "the message names what came: {failed}"
    );
    session
        .wait_for_text(
            r#"[data-testid="run-detail"] [data-testid="response-status"]"#,
            "the step's response",
            |text| text == "HTTP 200",
        )
        .await;
    session.screenshot("runner-failed-step").await;

    // From the keyboard: Down moves to the next row, Enter opens it.
    session
        .element(&format!(r#"{STEPS}[data-state="failed"]"#))
        .await
        .send_keys(&char::from(Key::Down).to_string())
        .await
        .expect("press Down on the row");
    session
        .wait_for("the next row focused", || async {
            (focused_step(&session).await == json!("Accounts/List accounts")).then_some(())
        })
        .await;
    session
        .element(&format!(r#"{STEPS}[data-name="Accounts/List accounts"]"#))
        .await
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .expect("press Enter on the row");
    session
        .wait_for_text(
            r#"[data-testid="run-detail-title"]"#,
            "the second step opened",
            |text| text.contains("Accounts/List accounts"),
        )
        .await;
    let passed = session
        .texts(r#"[data-testid="run-detail"] [data-testid="step-assertion"][data-passed="true"]"#)
        .await;
    assert_eq!(passed.len(), 2, "{passed:?}");

    // Re-run failures: a new run of the one request that failed.
    rerun.click().await.expect("click Re-run failures");
    session
        .wait_for_text(PROGRESS, "the re-run done", |text| text == "1 / 1")
        .await;
    let totals = session
        .wait_for_text(TOTALS, "the re-run's totals", |text| {
            text.contains("failed")
        })
        .await;
    assert!(
        totals.contains("0 passed") && totals.contains("1 failed"),
        "{totals}"
    );
    assert_eq!(
        step_rows(&session).await,
        [(
            "Accounts/Expects created".to_string(),
            "failed".to_string(),
            "✗".to_string()
        )]
    );

    // Back to the editor: the runner gives way to the request and its response.
    session.click(r#"[data-testid="run-close"]"#).await;
    session
        .wait_for("the runner hidden", || async {
            let runner = session
                .client
                .find(fantoccini::Locator::Css(RUNNER))
                .await
                .ok()?;
            (!runner.is_displayed().await.ok()?).then_some(())
        })
        .await;
    session.element(r#"[data-testid="url"]"#).await;
    session.close().await;
}

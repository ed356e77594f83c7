#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

//! The request editor's workbench in the real window: the collection tree
//! (requests as files on disk, changed from the window and from outside),
//! the environment switch, and each request's history.
//!
//! Not driven here: dragging a request onto a folder. HTML5 drag and drop
//! through WebDriver's pointer actions is unreliable in WebKitGTK; moving
//! is left to the tests of `collection::move_to` and the shell's commands.

use std::path::{Path, PathBuf};

use callout_tests::app::{AppSession, authorize_sandbox, click_shown, fresh_home, hover};
use fantoccini::key::Key;
use serde_json::{Value, json};

const TREE: &str = r#"[data-testid="collection-tree"]"#;
const MODAL_INPUT: &str = r#"[data-testid="modal"] input"#;
const URL: &str = r#"[data-testid="url"]"#;
const ENVIRONMENT: &str = r#"[data-testid="environment"]"#;
const RESPONSE_STATUS: &str = r#"[data-testid="response-status"]"#;
const RESPONSE_BODY: &str = r#"[data-testid="response-body"]"#;
const HISTORY_ROWS: &str = r#"[data-testid="history"] [data-testid="history-item"]"#;

/// The request called `name` in the tree (not the templates' list).
fn request_row(name: &str) -> String {
    format!(r#"{TREE} [data-testid="request-item"][data-name="{name}"]"#)
}

/// The tool `testid` (rename, duplicate, delete) beside the tree row `row`.
fn tool_of(row: &str, testid: &str) -> String {
    format!(r#"{row} + .tree-tools [data-testid="{testid}"]"#)
}

/// Writes `text` to `path`, making its directories.
fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap_or_else(|error| panic!("write {}: {error}", path.display()));
}

/// A request file's TOML.
fn request_toml(name: &str, url: &str) -> String {
    format!(
        "name = \"{name}\"\nmethod = \"GET\"\nurl = \"{url}\"\n\n\
         [[header]]\nname = \"Accept\"\nvalue = \"application/json\"\n"
    )
}

/// The collection "Acme", as it could lie in a git checkout: a folder
/// `Accounts` with "List accounts" (GET `{{endpoint}}/rfc6750/accounts`),
/// and the environments `Sandbox` (the built-in sandbox) and `Broken` (a
/// credential nobody has). Returns its root, absolute.
fn acme_collection(name: &str) -> PathBuf {
    let root = fresh_home(name).join("acme-api");
    write(&root.join("collection.toml"), "name = \"Acme\"\n");
    write(
        &root.join("Accounts/list-accounts.toml"),
        &request_toml("List accounts", "{{endpoint}}/rfc6750/accounts"),
    );
    write(
        &root.join("environments/Sandbox.toml"),
        "[variables]\nendpoint = \"callout:Sandbox\"\n",
    );
    write(
        &root.join("environments/Broken.toml"),
        "[variables]\nendpoint = \"callout:Nope\"\n",
    );
    root.canonicalize().unwrap()
}

/// `workbench.json` of `home`, opening the collection at `root` with `environment`.
fn open_in_workbench(home: &Path, root: &Path, environment: Option<&str>) {
    let workbench = json!({
        "collections": [{ "root": root.display().to_string(), "environment": environment }]
    });
    write(
        &home.join("workbench.json"),
        &serde_json::to_string_pretty(&workbench).unwrap(),
    );
}

/// Clicks the tool `tool` of the tree row `row`: the pointer goes over the
/// row first, which shows its tools.
async fn click_tool(session: &AppSession, row: &str, tool: &str) {
    hover(session, row).await;
    click_shown(session, &tool_of(row, tool)).await;
}

/// Answers the open text dialog with `text`: once its proposed text is
/// selected (typing then replaces it), types `text` and Enter.
async fn answer_dialog(session: &AppSession, text: &str) {
    let input = session.element(MODAL_INPUT).await;
    session
        .wait_for("the dialog's text selected", || async {
            let selected = session
                .client
                .execute(
                    "const input = document.querySelector(arguments[0]); \
                     return input !== null && document.activeElement === input \
                       && input.selectionStart === 0 && input.selectionEnd === input.value.length;",
                    vec![json!(MODAL_INPUT)],
                )
                .await
                .ok()?;
            (selected == Value::Bool(true)).then_some(())
        })
        .await;
    input
        .send_keys(&format!("{text}{}", char::from(Key::Enter)))
        .await
        .expect("type into the dialog");
    session
        .wait_for("the dialog closed", || async {
            session.texts(MODAL_INPUT).await.is_empty().then_some(())
        })
        .await;
}

/// Waits until the tree has no request called `name`.
async fn wait_gone(session: &AppSession, name: &str) {
    let css = request_row(name);
    session
        .wait_for(&format!("{name} gone from the tree"), || async {
            session.texts(&css).await.is_empty().then_some(())
        })
        .await;
}

/// The tree's rows, top to bottom: (testid, data-name, data-path).
async fn tree_rows(session: &AppSession) -> Vec<(String, String, String)> {
    let rows = session
        .client
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0] + ' .tree-row'), \
             (row) => [row.dataset.testid ?? '', row.dataset.name ?? '', row.dataset.path ?? '']);",
            vec![json!(TREE)],
        )
        .await
        .expect("read the tree");
    serde_json::from_value(rows).expect("the tree's rows")
}

/// The value of the form field matching `css`.
async fn value_of(session: &AppSession, css: &str) -> String {
    session
        .element(css)
        .await
        .prop("value")
        .await
        .expect("read the field")
        .unwrap_or_default()
}

/// Waits until the form field matching `css` holds `expected`.
async fn wait_value(session: &AppSession, css: &str, expected: &str) {
    session
        .wait_for(&format!("{css} to hold {expected:?}"), || async {
            (value_of(session, css).await == expected).then_some(())
        })
        .await;
}

/// Waits until the tree shows the request `name` as the open one, and the editor shows it.
async fn open_request_shown(session: &AppSession, name: &str) {
    let open = format!(r#"{}[aria-current="true"]"#, request_row(name));
    session
        .wait_for(&format!("{name} open"), || async {
            (session.texts(&open).await.len() == 1).then_some(())
        })
        .await;
    wait_value(session, "input.request-name", name).await;
}

/// Opens the request `name` from the tree, and waits until the editor shows it.
async fn open_request(session: &AppSession, name: &str) {
    let row = request_row(name);
    // At its method tag: focused, the row shows its tools, which take the
    // right part of its width (the name shrinks under the pointer).
    session.click(&format!("{row} .method-tag")).await;
    open_request_shown(session, name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tree_shows_the_collection_on_disk_and_changes_it_without_ever_overwriting_an_outside_change()
 {
    let home = fresh_home("workbench-tree");
    let root = acme_collection("workbench-tree-repo");
    open_in_workbench(&home, &root, None);
    let session = AppSession::start_with(&home, &[]).await;
    session.click(r#"[data-testid="nav-editor"]"#).await;

    // Acme > Accounts > List accounts, as the files lie.
    session.element(&request_row("List accounts")).await;
    let rows = tree_rows(&session).await;
    assert_eq!(
        rows,
        [
            ("tree-collection", "Acme", ""),
            ("tree-folder", "Accounts", "Accounts"),
            (
                "request-item",
                "List accounts",
                "Accounts/list-accounts.toml"
            ),
        ]
        .map(|(kind, name, path)| (kind.to_string(), name.to_string(), path.to_string())),
        "the tree: {rows:?}"
    );
    let shown_root = session
        .element(&request_row("List accounts"))
        .await
        .attr("data-root")
        .await
        .unwrap();
    assert_eq!(shown_root.as_deref(), Some(root.to_str().unwrap()));

    // A new request in Acme: named in the dialog, written as a file, opened.
    let acme = format!(r#"{TREE} [data-testid="tree-collection"][data-name="Acme"]"#);
    hover(&session, &acme).await;
    click_shown(
        &session,
        &format!(r#"{TREE} [data-testid="tree-new-request"][aria-label="New request in Acme"]"#),
    )
    .await;
    answer_dialog(&session, "Get limits").await;
    open_request_shown(&session, "Get limits").await;
    let created = root.join("get-limits.toml");
    let text = std::fs::read_to_string(&created).expect("the new request's file");
    assert!(text.contains("name = \"Get limits\""), "{text}");

    // F2 on the focused row renames it: the file takes the new name.
    session
        .element(&request_row("Get limits"))
        .await
        .send_keys(&char::from(Key::F2).to_string())
        .await
        .expect("press F2 on the row");
    answer_dialog(&session, "Org limits").await;
    session.element(&request_row("Org limits")).await;
    wait_gone(&session, "Get limits").await;
    let renamed = root.join("org-limits.toml");
    assert!(!created.exists(), "the old file is gone after the rename");
    let text = std::fs::read_to_string(&renamed).expect("the renamed file");
    assert!(text.contains("name = \"Org limits\""), "{text}");

    // Delete (the row's tool) moves it away; Undo in the toast brings it back.
    click_tool(&session, &request_row("Org limits"), "tree-delete").await;
    wait_gone(&session, "Org limits").await;
    assert!(!renamed.exists(), "the deleted request's file is gone");
    session
        .wait_for_text(r#"[data-testid="toast"]"#, "the deletion's toast", |text| {
            text.contains("Deleted “Org limits”")
        })
        .await;
    session
        .click(r#"[data-testid="toast"] [data-testid="toast-action"]"#)
        .await;
    session.element(&request_row("Org limits")).await;
    let text = std::fs::read_to_string(&renamed).expect("the file is back after Undo");
    assert!(text.contains("name = \"Org limits\""), "{text}");

    // A file written from outside (another editor, a git pull) shows up live.
    write(
        &root.join("Accounts/from-outside.toml"),
        &request_toml("From outside", "callout:Sandbox/rfc6750/outside"),
    );
    let outside = session.element(&request_row("From outside")).await;
    assert_eq!(
        outside.attr("data-path").await.unwrap().as_deref(),
        Some("Accounts/from-outside.toml")
    );

    // An edit here and a change on disk: Save never overwrites the change.
    open_request(&session, "List accounts").await;
    wait_value(&session, URL, "{{endpoint}}/rfc6750/accounts").await;
    session
        .element(URL)
        .await
        .send_keys("?mine=1")
        .await
        .expect("edit the URL");
    let file = root.join("Accounts/list-accounts.toml");
    let theirs = request_toml("List accounts", "{{endpoint}}/rfc6750/theirs");
    write(&file, &theirs);
    let save = session.element(r#"[data-testid="save-request"]"#).await;
    save.click().await.expect("click Save");
    // Save marks its button busy at once and clears it when done.
    session
        .wait_for("Save to finish", || async {
            let class = save.attr("class").await.ok()??;
            (!class.contains("is-busy")).then_some(())
        })
        .await;
    let note = session
        .wait_for_text(
            r#"[data-testid="changed-on-disk"]"#,
            "the changed-on-disk note",
            |text| text.contains("changed on disk"),
        )
        .await;
    assert!(note.contains("Reload from disk"), "{note}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        theirs,
        "the outside change is still on disk"
    );
    assert_eq!(
        value_of(&session, URL).await,
        "{{endpoint}}/rfc6750/accounts?mine=1",
        "the edit is still in the window"
    );
    session.screenshot("workbench-changed-on-disk").await;

    // Reload from disk: the window takes the outside change.
    session.click(r#"[data-testid="reload-from-disk"]"#).await;
    wait_value(&session, URL, "{{endpoint}}/rfc6750/theirs").await;
    session.screenshot("workbench-tree").await;
    session.close().await;
}

/// The environment `workbench.json` of `home` records for its one collection.
fn recorded_environment(home: &Path) -> Value {
    let text = std::fs::read_to_string(home.join("workbench.json")).unwrap();
    let workbench: Value = serde_json::from_str(&text).unwrap();
    workbench["collections"][0]["environment"].clone()
}

/// Picks `name` in the environment switch and waits until the tree's badge says so.
async fn choose_environment(session: &AppSession, name: &str) {
    session
        .element(ENVIRONMENT)
        .await
        .select_by_value(name)
        .await
        .unwrap_or_else(|error| panic!("choose the environment {name}: {error}"));
    session
        .wait_for_text(
            &format!(r#"{TREE} [data-testid="tree-environment"]"#),
            &format!("the tree's badge to say {name}"),
            |text| text == name,
        )
        .await;
    // The badge is drawn from the collections as read after the switch; the
    // switch must then still show what was chosen, not the choice before
    // (which the tree's previous drawing still holds).
    let shown = value_of(session, ENVIRONMENT).await;
    assert_eq!(
        shown, name,
        "the environment switch shows {shown:?} while the collection is sent with {name}"
    );
}

/// The `{{endpoint}}` line of the preview's variables, once it satisfies `accept`.
async fn endpoint_variable(session: &AppSession, what: &str, accept: impl Fn(&str) -> bool) {
    session
        .wait_for_text(
            r#"[data-testid="variables"] li[data-variable="endpoint"]"#,
            what,
            accept,
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_switch_fills_the_variables_sends_and_is_remembered() {
    let home = fresh_home("workbench-environment");
    let root = acme_collection("workbench-environment-repo");
    open_in_workbench(&home, &root, None);
    let session = AppSession::start_with(&home, &[]).await;
    authorize_sandbox(&home);
    session.click(r#"[data-testid="nav-editor"]"#).await;
    open_request(&session, "List accounts").await;
    assert_eq!(
        value_of(&session, ENVIRONMENT).await,
        "",
        "no environment yet"
    );

    // Sandbox: {{endpoint}} comes from it, and the request is answered.
    choose_environment(&session, "Sandbox").await;
    endpoint_variable(&session, "endpoint from the Sandbox environment", |text| {
        text.contains("callout:Sandbox") && text.contains("environment Sandbox")
    })
    .await;
    assert_eq!(recorded_environment(&home), json!("Sandbox"));
    session.click(r#"[data-testid="send"]"#).await;
    session
        .wait_for_text(RESPONSE_STATUS, "the sandbox's answer", |text| {
            text == "HTTP 200"
        })
        .await;

    // Broken: the preview names the credential nobody has.
    choose_environment(&session, "Broken").await;
    endpoint_variable(&session, "endpoint from the Broken environment", |text| {
        text.contains("callout:Nope") && text.contains("environment Broken")
    })
    .await;
    let error = session
        .wait_for_text(
            r#"[data-testid="editor-error"]"#,
            "the unknown credential named",
            |text| text.contains("\"Nope\""),
        )
        .await;
    assert!(error.contains("unknown credential"), "{error}");
    assert_eq!(recorded_environment(&home), json!("Broken"));
    session.screenshot("workbench-environment-broken").await;

    // And back: the error goes, the choice is kept.
    choose_environment(&session, "Sandbox").await;
    endpoint_variable(&session, "endpoint from Sandbox again", |text| {
        text.contains("callout:Sandbox") && text.contains("environment Sandbox")
    })
    .await;
    session
        .wait_for_text(
            r#"[data-testid="editor-error"]"#,
            "the error gone",
            |text| !text.contains("Nope"),
        )
        .await;
    assert_eq!(recorded_environment(&home), json!("Sandbox"));
    session.screenshot("workbench-environment").await;
    session.close().await;
}

/// One row of the History panel.
#[derive(Debug)]
struct HistoryRow {
    id: String,
    url: String,
    status: String,
}

/// The History panel's rows, newest first.
async fn history_rows(session: &AppSession) -> Vec<HistoryRow> {
    let rows = session
        .client
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0]), (row) => [ \
               row.dataset.id, \
               row.querySelector('[data-testid=\"history-url\"]').textContent, \
               row.querySelector('[data-testid=\"history-status-code\"]').textContent]);",
            vec![json!(HISTORY_ROWS)],
        )
        .await
        .expect("read the history");
    let rows: Vec<[String; 3]> = serde_json::from_value(rows).expect("the history's rows");
    rows.into_iter()
        .map(|[id, url, status]| HistoryRow { id, url, status })
        .collect()
}

/// Waits until the History panel lists `count` rows, and returns them.
async fn wait_history(session: &AppSession, count: usize) -> Vec<HistoryRow> {
    session
        .wait_for(&format!("{count} sends in the history"), || async {
            let rows = history_rows(session).await;
            (rows.len() == count).then_some(rows)
        })
        .await
}

/// The response body shown, once it satisfies `accept`.
async fn wait_body(session: &AppSession, what: &str, accept: impl Fn(&str) -> bool) -> String {
    session
        .wait_for(what, || async {
            let body = session.texts(RESPONSE_BODY).await.join("\n");
            accept(&body).then_some(body)
        })
        .await
}

/// The history row with `id`.
fn history_row(id: &str) -> String {
    format!(r#"{HISTORY_ROWS}[data-id="{id}"]"#)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_lists_a_requests_sends_opens_sends_again_and_compares() {
    let home = fresh_home("workbench-history");
    let root = acme_collection("workbench-history-repo");
    open_in_workbench(&home, &root, Some("Sandbox"));
    let session = AppSession::start_with(&home, &[]).await;
    authorize_sandbox(&home);
    session.click(r#"[data-testid="nav-editor"]"#).await;
    open_request(&session, "List accounts").await;
    session
        .wait_for_text(
            r#"[data-testid="history-empty"]"#,
            "an empty history",
            |text| text.contains("No sends of this request yet"),
        )
        .await;

    // Two sends: the request as saved, then with another path.
    session.click(r#"[data-testid="send"]"#).await;
    let rows = wait_history(&session, 1).await;
    assert_eq!(rows[0].status, "200", "{rows:?}");
    wait_body(&session, "the accounts", |body| {
        body.contains("\"accounts\"")
    })
    .await;
    // "accounts" at the end of the URL becomes "things".
    let backspaces = char::from(Key::Backspace)
        .to_string()
        .repeat("accounts".len());
    session
        .element(URL)
        .await
        .send_keys(&format!("{backspaces}things"))
        .await
        .expect("type another path");
    wait_value(&session, URL, "{{endpoint}}/rfc6750/things").await;
    session.click(r#"[data-testid="send"]"#).await;
    let rows = wait_history(&session, 2).await;
    wait_body(&session, "the second answer", |body| {
        body.contains("/rfc6750/things")
    })
    .await;
    let (newer, older) = (rows[0].id.clone(), rows[1].id.clone());
    assert!(rows[0].url.contains("/rfc6750/things"), "{rows:?}");
    assert!(rows[1].url.contains("/rfc6750/accounts"), "{rows:?}");
    assert!(rows.iter().all(|row| row.status == "200"), "{rows:?}");

    // The older row opens its own response.
    session
        .click(&format!(
            r#"{} [data-testid="history-open"]"#,
            history_row(&older)
        ))
        .await;
    session
        .element(&format!(r#"{}.open"#, history_row(&older)))
        .await;
    let body = wait_body(&session, "the older send's response", |body| {
        body.contains("\"accounts\"")
    })
    .await;
    assert!(!body.contains("/rfc6750/things"), "{body}");
    assert_eq!(
        session.element(RESPONSE_STATUS).await.text().await.unwrap(),
        "HTTP 200"
    );

    // Send again: a third row, the older request sent as it was written.
    session
        .click(&format!(
            r#"{} [data-testid="history-send-again"]"#,
            history_row(&older)
        ))
        .await;
    let rows = wait_history(&session, 3).await;
    assert!(
        rows[0].url.contains("/rfc6750/accounts") && rows[0].status == "200",
        "{rows:?}"
    );

    // Two ticked and compared: what changed from the older to the newer.
    for id in [&older, &newer] {
        session
            .click(&format!(
                r#"{} [data-testid="history-compare"]"#,
                history_row(id)
            ))
            .await;
    }
    session
        .click(r#"[data-testid="history-compare-button"]"#)
        .await;
    let diff = session
        .wait_for("the comparison", || async {
            let text = session.texts(r#"[data-testid="history-diff"]"#).await;
            text.into_iter().next().filter(|text| !text.is_empty())
        })
        .await;
    let added = session.texts(".history-diff .diff-add").await;
    let removed = session.texts(".history-diff .diff-del").await;
    assert!(
        added.iter().any(|line| line.contains("/rfc6750/things")),
        "{diff}"
    );
    assert!(
        removed.iter().any(|line| line.contains("\"accounts\"")),
        "{diff}"
    );
    session.screenshot("workbench-history").await;
    session.close().await;
}

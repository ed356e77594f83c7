#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

//! The Import menu in the real app window: every kind listed, a curl
//! command imported from it, an OpenAPI document given by its path
//! previewed (the files it would write, nothing written), imported, and its
//! collection shown in the tree with its requests; a broken document
//! refused in the dialog with core's words for where, nothing added. And
//! out to Salesforce: a credential written as metadata into a project
//! folder (again: the files marked replaced), a kept send as an Apex mock.

use std::path::Path;

use callout_tests::app::{AppSession, authorize_sandbox, click_shown, fresh_home, hover};

const ORDERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../crates/core/tests/fixtures/openapi/orders.openapi31.yaml"
);

/// The directories in the home's collections folder.
fn collections(home: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(home.join("collections"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.path().is_dir())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Opens the Import menu and the dialog of `choice` (its item's test id
/// is `import-CHOICE`), and types `path` into its path field.
async fn open_dialog_with_path(session: &AppSession, choice: &str, path: &str) {
    session.click(r#"[data-testid="import-menu"]"#).await;
    session
        .click(&format!(r#"[data-testid="import-{choice}"]"#))
        .await;
    let field = session
        .element(r#"[data-testid="import-dialog"] [data-testid="import-path"]"#)
        .await;
    field.send_keys(path).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_openapi_document_is_previewed_imported_and_shown_in_the_tree_and_a_broken_one_refused()
{
    let home = fresh_home("import-menu");
    let session = AppSession::start_with(&home, &[]).await;
    session.click(r#"[data-testid="nav-editor"]"#).await;
    session.element(r#"[data-testid="tree-collection"]"#).await;

    // The menu lists every kind.
    session.click(r#"[data-testid="import-menu"]"#).await;
    let kinds = session.texts(r#"[role="menu"] [role="menuitem"]"#).await;
    assert_eq!(
        kinds,
        [
            "curl command",
            "Postman collection",
            "OpenAPI / Swagger",
            "WSDL",
            "Insomnia",
            "Bruno collection",
            "HAR",
            "Salesforce metadata (SFDX)"
        ]
    );
    let item = session.element(r#"[data-testid="import-openapi"]"#).await;
    assert!(item.is_displayed().await.unwrap(), "the menu is open");
    session.screenshot("import-menu").await;
    // curl from the menu is interop_ui's; close the menu.
    session.click(r#"[data-testid="import-menu"]"#).await;

    // A broken document: the dialog says where, and nothing is added.
    let broken = home.join("broken.openapi.yaml");
    std::fs::write(&broken, "openapi: 3.0.3\ninfo:\n  title: [unclosed\n").unwrap();
    let before = collections(&home);
    let trees_before = session.texts(r#"[data-testid="tree-collection"]"#).await;
    open_dialog_with_path(&session, "openapi", broken.to_str().unwrap()).await;
    session.click(r#"[data-testid="import-submit"]"#).await;
    let problem = session
        .wait_for_text(
            r#"[data-testid="import-problem"]"#,
            "the broken document's problem",
            |text| text.starts_with("Not imported:"),
        )
        .await;
    assert!(problem.contains("OpenAPI"), "{problem}");
    assert!(problem.contains("line"), "the place is named: {problem}");
    session.screenshot("import-broken").await;
    assert_eq!(collections(&home), before, "nothing written");
    let reports = session
        .texts(r#"[data-testid="import-dialog"] [data-testid="import-done-report"]"#)
        .await;
    assert!(reports.is_empty(), "{reports:?}");
    session.click(r#"[data-testid="import-close"]"#).await;
    assert_eq!(
        session.texts(r#"[data-testid="tree-collection"]"#).await,
        trees_before,
        "no collection added to the tree"
    );

    // The Acme Orders API by its path: Preview lists what it would make.
    open_dialog_with_path(&session, "openapi", ORDERS).await;
    session.click(r#"[data-testid="import-preview"]"#).await;
    let files = session
        .wait_for_text(
            r#"[data-testid="import-preview-report"] [data-testid="import-report-files"]"#,
            "the files the preview lists",
            |text| text.contains("Orders/list-orders.toml"),
        )
        .await;
    assert!(files.contains("Orders/create-an-order.toml"), "{files}");
    let headline = session
        .element(r#"[data-testid="import-preview-report"] [data-testid="import-headline"]"#)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        headline.starts_with("Would make “Acme Orders API”: 6 requests"),
        "{headline}"
    );
    let credentials = session
        .element(
            r#"[data-testid="import-preview-report"] [data-testid="import-report-credentials"]"#,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(credentials.contains("new, would be added"), "{credentials}");
    let shot = session.screenshot("import-openapi-preview").await;
    eprintln!("the preview: {}", shot.display());
    assert_eq!(collections(&home), before, "a preview writes nothing");

    // Import: the report, and the collection in the tree with its requests.
    session.click(r#"[data-testid="import-submit"]"#).await;
    session
        .wait_for_text(
            r#"[data-testid="import-done-report"] [data-testid="import-headline"]"#,
            "the import's report",
            |text| text.starts_with("Imported “Acme Orders API”: 6 requests"),
        )
        .await;
    let shot = session.screenshot("import-openapi-done").await;
    eprintln!("the report: {}", shot.display());
    assert_eq!(
        collections(&home).len(),
        before.len() + 1,
        "one collection written"
    );
    session.click(r#"[data-testid="import-close"]"#).await;
    session
        .element(r#"[data-testid="tree-collection"][data-name="Acme Orders API"]"#)
        .await;
    session
        .element(r#"[data-testid="tree-folder"][data-name="Orders"]"#)
        .await;
    session
        .element(r#"[data-testid="request-item"][data-name="List orders"]"#)
        .await;
    session
        .element(r#"[data-testid="request-item"][data-name="Create an order"]"#)
        .await;
    session.screenshot("import-openapi-tree").await;
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_goes_out_as_salesforce_metadata_and_a_send_as_an_apex_mock() {
    let home = fresh_home("export-salesforce");
    let session = AppSession::start_with(&home, &[]).await;
    authorize_sandbox(&home);

    // The Sandbox credential into an SFDX project folder, twice.
    let project = home.join("sfdx-project");
    session.click(r#"[data-testid="nav-credentials"]"#).await;
    session
        .click(r#"[data-testid="credential-row"][data-name="Sandbox"]"#)
        .await;
    for round in ["written", "replaced"] {
        session.click(r#"[data-testid="export-metadata"]"#).await;
        session
            .element(r#"[data-testid="metadata-out"]"#)
            .await
            .send_keys(project.to_str().unwrap())
            .await
            .unwrap();
        session.click(r#"[data-testid="metadata-export"]"#).await;
        let files = session
            .wait_for_text(
                r#"[data-testid="metadata-files"]"#,
                "the files written",
                |text| text.contains("Sandbox.namedCredential-meta.xml"),
            )
            .await;
        assert_eq!(
            files.contains("(replaced)"),
            round == "replaced",
            "{round}: {files}"
        );
        if round == "replaced" {
            session.screenshot("export-metadata").await;
        }
        session
            .click(r#"[data-testid="metadata-dialog"] button.ghost"#)
            .await;
    }
    let named = std::fs::read_dir(project.join("force-app/main/default/namedCredentials"))
        .unwrap()
        .count();
    assert_eq!(named, 1, "one Named Credential file");

    // A send of the SOAP sample, kept, as an Apex HttpCalloutMock.
    session.click(r#"[data-testid="nav-editor"]"#).await;
    session
        .click(r#"[data-testid="request-item"][data-name="Salesforce SOAP query"]"#)
        .await;
    session.click(r#"[data-testid="send"]"#).await;
    session
        .wait_for_text(
            r#"[data-testid="response-status"]"#,
            "the response",
            |text| text.contains("200"),
        )
        .await;
    // The panel reads the history again when another request is opened.
    session
        .click(r#"[data-testid="request-item"][data-name="Salesforce REST query"]"#)
        .await;
    let row = r#"[data-testid="history"] [data-testid="history-item"]"#;
    session.element(row).await;
    session
        .client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'});",
            vec![serde_json::json!(row)],
        )
        .await
        .unwrap();
    hover(&session, row).await;
    click_shown(
        &session,
        &format!(r#"{row} [data-testid="history-apex-mock"]"#),
    )
    .await;
    let apex = session
        .wait_for("the Apex mock", || async {
            let area = session.element(r#"[data-testid="apex-mock-text"]"#).await;
            area.prop("value")
                .await
                .ok()?
                .filter(|text| !text.is_empty())
        })
        .await;
    assert!(
        apex.contains("RecordedCalloutMock implements HttpCalloutMock"),
        "{apex}"
    );
    session
        .element(r#"[data-testid="apex-mock-class"]"#)
        .await
        .clear()
        .await
        .unwrap();
    session
        .element(r#"[data-testid="apex-mock-class"]"#)
        .await
        .send_keys("AccountsQueryMock")
        .await
        .unwrap();
    session
        .wait_for("the renamed class", || async {
            let area = session.element(r#"[data-testid="apex-mock-text"]"#).await;
            let text = area.prop("value").await.ok()??;
            text.contains("AccountsQueryMock implements HttpCalloutMock")
                .then_some(())
        })
        .await;
    session.screenshot("apex-mock").await;
    session.close().await;
}

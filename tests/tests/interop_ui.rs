#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

//! Requests in and out of the real app window: a curl command imported into
//! the editor, the request exported as Apex and as curl (no token in it),
//! and a Postman collection file imported into the saved requests.

use callout_tests::app::{AppSession, fresh_home};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_in_apex_and_curl_out_and_a_postman_collection_in() {
    let session = AppSession::start_with(&fresh_home("interop"), &[]).await;
    session.click(r#"[data-testid="nav-editor"]"#).await;

    // curl in: the editor opens it as a new request.
    session.click(r#"[data-testid="import-menu"]"#).await;
    session.click(r#"[data-testid="import-curl"]"#).await;
    let text = session.element(r#"[data-testid="import-curl-text"]"#).await;
    text.send_keys(
        "curl -X PUT 'callout:Sandbox/services/data/v59.0/sobjects/Account/001' \
         -H 'Content-Type: application/json' --data-raw '{\"Name\":\"Globex\"}'",
    )
    .await
    .unwrap();
    session
        .click(r#"[data-testid="import-curl-text-submit"]"#)
        .await;
    session
        .wait_for("the imported URL in the editor", || async {
            let url = session.element(r#"[data-testid="url"]"#).await;
            let value = url.prop("value").await.ok()??;
            (value == "callout:Sandbox/services/data/v59.0/sobjects/Account/001").then_some(())
        })
        .await;
    let method = session.element(r#"[data-testid="method"]"#).await;
    assert_eq!(method.prop("value").await.unwrap().as_deref(), Some("PUT"));

    // Apex out: the callout: endpoint and the settings it needs.
    session.click(r#"[data-testid="export-apex"]"#).await;
    let apex = session
        .wait_for("the Apex snippet", || async {
            let area = session.element(r#"[data-testid="export-text"]"#).await;
            area.prop("value").await.ok()?.filter(|v| !v.is_empty())
        })
        .await;
    assert!(
        apex.contains(
            "req.setEndpoint('callout:Sandbox/services/data/v59.0/sobjects/Account/001');"
        ),
        "{apex}"
    );
    assert!(apex.contains("Generate Authorization Header: on"), "{apex}");
    session.screenshot("export-apex").await;
    session.click(r#"[data-testid="modal"] button.ghost"#).await;

    // curl out: the token is a variable filled by `callout token`.
    session.click(r#"[data-testid="export-curl"]"#).await;
    let curl = session
        .wait_for("the curl command", || async {
            let area = session.element(r#"[data-testid="export-text"]"#).await;
            area.prop("value").await.ok()?.filter(|v| !v.is_empty())
        })
        .await;
    assert!(
        curl.starts_with("CALLOUT_TOKEN=\"$(callout token Sandbox)\"\n"),
        "{curl}"
    );
    session.click(r#"[data-testid="modal"] button.ghost"#).await;

    // A Postman collection file in: it becomes a collection, folders kept.
    let collection = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/core/tests/fixtures/postman/acme_crm.postman_collection.json"
    );
    let input = session
        .client
        .find(fantoccini::Locator::Css(
            r#"[data-testid="import-postman-file"]"#,
        ))
        .await
        .unwrap();
    input.send_keys(collection).await.unwrap();
    session
        .element(r#"[data-testid="tree-folder"][data-name="Accounts"]"#)
        .await;
    session
        .element(r#"[data-testid="request-item"][data-name="List accounts"]"#)
        .await;
    session
        .wait_for_text(r#"[data-testid="toast"]"#, "the import's summary", |text| {
            text.contains("Imported “Acme CRM API”")
        })
        .await;
    session.close().await;
}

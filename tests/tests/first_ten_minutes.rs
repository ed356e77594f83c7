#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

//! What a new user does in the app's first ten minutes, in the real window:
//! add a credential of their own without a terminal, and read what the
//! form says before and after they type.

use callout_tests::app::{AppSession, fresh_home};
use fantoccini::key::Key;

const PROBLEMS: &str = r#"[data-testid="credential-form"] [data-testid="field-problem"]"#;

/// The status cell of the credential row called `name`.
fn status_of(name: &str) -> String {
    format!(
        r#"[data-testid="credential-row"][data-name="{name}"] [data-testid="credential-status"]"#
    )
}

/// Types `text` into the form field `field` (its input is `#cred-<field>`).
async fn type_into(session: &AppSession, field: &str, text: &str) {
    let input = session.element(&format!("#cred-{field}")).await;
    input.clear().await.expect("clear the field");
    input.send_keys(text).await.expect("type into the field");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_credentials_credential_for_the_sandbox_is_added_and_authorized_from_the_form_alone()
 {
    let home = fresh_home("first-ten-minutes-form");
    let session = AppSession::start_with(&home, &[]).await;
    session.click(r#"[data-testid="nav-credentials"]"#).await;
    session.click(r#"[data-testid="add-credential"]"#).await;
    session.element(r#"[data-testid="credential-form"]"#).await;

    // A new form is not red before anything is typed.
    assert!(
        session.texts(PROBLEMS).await.is_empty(),
        "problems before typing: {:?}",
        session.texts(PROBLEMS).await
    );

    // A name in use is named under the name field as it is typed.
    type_into(&session, "name", "Sandbox").await;
    let taken = session
        .wait_for("the name in use named under its field", || async {
            let problems = session.texts("#cred-name-problems").await;
            problems.into_iter().find(|text| text.contains("taken"))
        })
        .await;
    assert!(taken.contains("\"Sandbox\""), "{taken}");

    type_into(&session, "name", "My_CC").await;
    session
        .element("#cred-protocol")
        .await
        .select_by_value("clientCredentials")
        .await
        .expect("choose the client credentials flow");

    // The sandbox's endpoint, token URL and test client, filled in by one click.
    session.click(r#"[data-testid="use-sandbox"]"#).await;
    session
        .wait_for_text(
            r#"[data-testid="sandbox-note"]"#,
            "the sandbox filled in",
            |text| text.contains("built-in sandbox"),
        )
        .await;
    let token_url = session
        .element("#cred-tokenUrl")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(token_url.ends_with("/token"), "{token_url}");
    session.screenshot("credential-form-sandbox").await;

    session.click(r#"[data-testid="save-credential"]"#).await;
    session
        .wait_for_text(
            &status_of("My_CC"),
            "the saved credential in the list",
            |text| text.contains("not authorized"),
        )
        .await;

    // Authorize: the client secret the form stored is enough, no terminal.
    session
        .click(r#"[data-testid="credential-row"][data-name="My_CC"]"#)
        .await;
    session.click(r#"[data-testid="authorize"]"#).await;
    session
        .wait_for_text(&status_of("My_CC"), "the credential authorized", |text| {
            text.starts_with("valid")
        })
        .await;
    let toasts = session.texts(r#"[data-testid="toast"]"#).await;
    assert!(
        !toasts.iter().any(|text| text.contains("--")),
        "the window names no command-line flag: {toasts:?}"
    );
    session.screenshot("credential-added-from-the-form").await;
    session.close().await;
}

const SOAP_SAMPLE: &str = r#"[data-testid="request-item"][data-name="Salesforce SOAP query"]"#;
const DIRTY: &str = r#"[data-testid="dirty-mark"]"#;

/// Whether the "Unsaved changes" mark is shown, waited for until it is `shown`.
async fn wait_dirty(session: &AppSession, shown: bool, what: &str) {
    session
        .wait_for(what, || async {
            let hidden = session
                .element(DIRTY)
                .await
                .attr("hidden")
                .await
                .ok()?
                .is_some();
            (hidden != shown).then_some(())
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unsaved_changes_mark_clears_on_save_and_save_as_and_stays_off_untouched_requests() {
    let home = fresh_home("first-ten-minutes-saving");
    let session = AppSession::start_with(&home, &[]).await;
    session.click(r#"[data-testid="nav-editor"]"#).await;
    session.click(SOAP_SAMPLE).await;
    wait_dirty(
        &session,
        false,
        "an untouched sample shows no unsaved changes",
    )
    .await;

    // An edit shows the mark; Ctrl+S saves and clears it.
    let url = session.element(r#"[data-testid="url"]"#).await;
    url.send_keys("?edited=1").await.expect("edit the URL");
    wait_dirty(&session, true, "the edit marked unsaved").await;
    url.send_keys(&format!("{}s", char::from(Key::Control)))
        .await
        .expect("press Ctrl+S");
    // A template stays as it is: Ctrl+S saves the edit as a copy of it.
    let copy = session.element(r#"[data-testid="modal"] input"#).await;
    copy.send_keys(&char::from(Key::Enter).to_string())
        .await
        .expect("accept the copy's proposed name");
    session
        .element(r#"[data-testid="request-item"][data-name="Salesforce SOAP query (copy)"]"#)
        .await;
    wait_dirty(&session, false, "Ctrl+S cleared the mark").await;

    // Ctrl+S on a saved request saves it in place and clears the mark.
    let url = session.element(r#"[data-testid="url"]"#).await;
    url.send_keys("&again=1")
        .await
        .expect("edit the saved copy");
    wait_dirty(&session, true, "the saved copy's edit marked unsaved").await;
    url.send_keys(&format!("{}s", char::from(Key::Control)))
        .await
        .expect("press Ctrl+S again");
    wait_dirty(
        &session,
        false,
        "Ctrl+S on a saved request cleared the mark",
    )
    .await;

    // Save as…: the copy is saved under its new name, and not marked.
    url.send_keys("&copy=1").await.expect("edit again");
    wait_dirty(&session, true, "the second edit marked unsaved").await;
    session.click(r#"[data-testid="save-request-as"]"#).await;
    let name = session.element(r#"[data-testid="modal"] input"#).await;
    name.clear().await.expect("clear the proposed name");
    name.send_keys(&format!("My copy{}", char::from(Key::Enter)))
        .await
        .expect("name the copy");
    session
        .element(r#"[data-testid="request-item"][data-name="My copy"]"#)
        .await;
    wait_dirty(&session, false, "Save as… cleared the mark").await;

    // Another sample, never touched, is not marked either.
    session
        .click(r#"[data-testid="request-item"][data-name="RFC 6750 API call"]"#)
        .await;
    wait_dirty(
        &session,
        false,
        "an untouched template shows no unsaved changes",
    )
    .await;
    session.screenshot("saved-requests").await;
    session.close().await;
}

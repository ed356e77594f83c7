#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

//! What a new user does in the app's first ten minutes, in the real window:
//! add a credential of their own without a terminal, and read what the
//! form says before and after they type.

use callout_tests::app::{AppSession, fresh_home};

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

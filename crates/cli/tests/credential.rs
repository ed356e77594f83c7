//! `callout credential` over keychain entries it did not expect: entries an
//! earlier credential of the same name left behind, an entry this version
//! cannot read, and a rename. Real processes, the sandbox on a real socket,
//! the real Secret Service keychain (entries planted with the vault and with
//! `secret-tool`), a `--home` of their own per test.

use std::process::Command;

use callout_core::Secret;
use callout_core::credential_store::{Authorization, Identity};
use callout_core::home::Home;
use callout_core::oauth::{ExpirySource, TokenSet};
use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::{TestHome, assert_ok, free_port, stderr, stdout};

fn keychain_service(home: &TestHome) -> String {
    Home::at(home.path())
        .unwrap()
        .keychain_service()
        .to_string()
}

/// Tokens the sandbox issued, stored for `name` as if authorized.
fn plant_tokens(home: &TestHome, sandbox: &Sandbox, name: &str) -> TokenSet {
    let issued = sandbox.issue_tokens("api");
    let tokens = TokenSet {
        access_token: issued.access_token,
        token_type: "Bearer".into(),
        refresh_token: issued.refresh_token,
        id_token: None,
        scopes: vec!["api".into()],
        issued_at: std::time::SystemTime::now(),
        expires_at: Some(std::time::SystemTime::now() + std::time::Duration::from_secs(3_600)),
        expiry_source: ExpirySource::ExpiresIn,
        is_jwt: false,
        instance_url: None,
    };
    home.store()
        .set_authorization(
            name,
            &Identity::NamedPrincipal,
            &Authorization {
                tokens: Some(tokens.clone()),
                ..Authorization::default()
            },
        )
        .unwrap();
    tokens
}

/// Files `secret` under `account` with `secret-tool`, as another program
/// (or a person) would; `copy` tells duplicates apart.
fn secret_tool_store(service: &str, account: &str, copy: &str, secret: &str) {
    let mut child = Command::new("secret-tool")
        .args([
            "store", "--label", "planted", "service", service, "username", account, "target",
            "default", "copy", copy,
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(secret.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "secret-tool store failed");
}

#[test]
fn adding_a_name_that_once_existed_removes_its_old_keychain_entries_and_says_so() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    // "Reused" once existed; its block was deleted from credentials.toml by
    // hand, so its client secret and tokens are still in the keychain.
    home.forget_on_drop("Reused");
    home.store()
        .set_client_secret("Reused", &Secret::new("secret-of-the-old-provider"))
        .unwrap();
    plant_tokens(&home, &sandbox, "Reused");

    let output = home.run(&[
        "credential",
        "add",
        "Reused",
        "--flow",
        "auth-code",
        "--endpoint",
        &sandbox.base_url(),
        "--token-url",
        &sandbox.token_url(),
        "--auth-url",
        &sandbox.authorize_url(),
        "--client-id",
        "a-new-client",
    ]);
    assert_ok(&output);
    let text = stdout(&output);
    assert!(
        text.contains(
            "keychain entries from an earlier credential named Reused (tokens, client secret) \
             were found and removed"
        ),
        "{text}"
    );
    assert!(home.store().client_secret("Reused").unwrap().is_none());
    let list = home.run(&["credential", "list", "--json"]);
    assert_ok(&list);
    let entries: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(entries[0]["status"]["state"], "notAuthorized", "{entries}");
}

#[test]
fn one_unreadable_entry_is_listed_as_broken_and_repair_lets_it_authorize_again() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Healthy", "client-credentials", &[]);
    home.add(&sandbox, "Garbled", "client-credentials", &[]);
    assert_ok(&home.run(&["authorize", "Healthy"]));
    // Written by a newer version, or edited by hand.
    secret_tool_store(
        &keychain_service(&home),
        "garbled/authorization",
        "1",
        "{\"identities\": {\"named\": {\"tokens\": \"v9\"}}}",
    );

    let list = home.run(&["credential", "list"]);
    assert_ok(&list);
    let text = stdout(&list);
    let line = |name: &str| {
        text.lines()
            .find(|line| line.starts_with(name))
            .unwrap_or_else(|| panic!("{name} is not listed:\n{text}"))
            .to_string()
    };
    assert!(line("Healthy").contains("valid for"), "{text}");
    assert!(
        line("Garbled").contains("broken: ")
            && line("Garbled").contains("callout credential repair Garbled"),
        "{text}"
    );
    let json = home.run(&["credential", "list", "--json"]);
    let entries: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(entries[0]["status"]["state"], "valid", "{entries}");
    assert_eq!(entries[1]["status"]["state"], "broken", "{entries}");
    assert!(
        entries[1]["status"]["reason"]
            .as_str()
            .unwrap()
            .contains("garbled/authorization"),
        "{entries}"
    );

    let repair = home.run(&["credential", "repair", "Garbled"]);
    assert_ok(&repair);
    assert!(
        stdout(&repair).contains("removed the unreadable keychain entries garbled/authorization"),
        "{}",
        stdout(&repair)
    );
    // The timeline says so: an open app learns from it that the status changed.
    let timeline = home.run(&["timeline", "Garbled", "--kind", "keychainError"]);
    assert_ok(&timeline);
    assert!(
        stdout(&timeline).contains("garbled/authorization were removed (repair)"),
        "{}",
        stdout(&timeline)
    );
    let authorize = home.run(&["authorize", "Garbled"]);
    assert_ok(&authorize);
    let list = home.run(&["credential", "list"]);
    assert!(!stdout(&list).contains("broken"), "{}", stdout(&list));
}

#[test]
fn authorizing_again_alone_replaces_an_unreadable_entry() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Garbled", "client-credentials", &[]);
    home.store()
        .vault()
        .store("garbled/authorization", &Secret::new("not json at all"))
        .unwrap();

    let authorize = home.run(&["authorize", "Garbled"]);
    assert_ok(&authorize);
    let token = home.run(&["token", "Garbled"]);
    assert_ok(&token);
    assert!(!stdout(&token).trim().is_empty(), "{}", stderr(&token));
}

#[test]
fn duplicated_entries_are_listed_as_broken_and_repair_removes_every_copy() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Twice", "client-credentials", &[]);
    home.add(&sandbox, "Once", "client-credentials", &[]);
    let service = keychain_service(&home);
    secret_tool_store(&service, "twice/authorization", "1", "{}");
    secret_tool_store(&service, "twice/authorization", "2", "{}");

    let list = home.run(&["credential", "list"]);
    assert_ok(&list);
    let text = stdout(&list);
    assert!(text.contains("keychain items are filed under"), "{text}");
    assert!(
        text.lines()
            .any(|line| line.starts_with("Once") && line.contains("not authorized")),
        "{text}"
    );

    assert_ok(&home.run(&["credential", "repair", "Twice"]));
    assert_ok(&home.run(&["authorize", "Twice"]));
    assert!(!stdout(&home.run(&["credential", "list"])).contains("broken"));
}

#[test]
fn rename_moves_the_secret_and_the_tokens_to_the_new_name() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Before", "client-credentials", &[]);
    home.forget_on_drop("After");
    assert_ok(&home.run(&["authorize", "Before"]));
    let token = stdout(&home.run(&["token", "Before"]));

    let rename = home.run(&["credential", "rename", "Before", "After"]);
    assert_ok(&rename);
    assert!(
        stdout(&rename).contains("renamed credential Before to After"),
        "{}",
        stdout(&rename)
    );
    let moved = home.run(&["token", "After"]);
    assert_ok(&moved);
    assert_eq!(stdout(&moved), token, "the same token, not a new one");
    let gone = home.run(&["token", "Before"]);
    assert!(!gone.status.success());
    assert!(home.store().client_secret("Before").unwrap().is_none());
    assert!(home.store().client_secret("After").unwrap().is_some());
}

#[test]
fn edit_changes_what_it_is_given_and_replaces_the_secret_only_from_stdin() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.forget_on_drop("Machine");
    let base = sandbox.base_url();
    let token_url = sandbox.token_url();
    let add = home.run_with_stdin(
        &[
            "credential",
            "add",
            "Machine",
            "--flow",
            "client-credentials",
            "--endpoint",
            &base,
            "--token-url",
            &token_url,
            "--client-id",
            sandbox.client_id(),
            "--client-secret-stdin",
        ],
        "not-the-secret\n",
    );
    assert_ok(&add);
    let refused = home.run(&["authorize", "Machine"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));

    let edit = home.run_with_stdin(
        &["credential", "edit", "machine", "--client-secret-stdin"],
        &format!("{}\n", sandbox.client_secret()),
    );
    assert_ok(&edit);
    assert!(
        stdout(&edit).contains("updated credential Machine; client secret replaced"),
        "{}",
        stdout(&edit)
    );
    assert_ok(&home.run(&["authorize", "Machine"]));

    let edit = home.run(&[
        "credential",
        "edit",
        "Machine",
        "--scope",
        "read",
        "--keep-alive",
        "600",
        "--allow-merge-fields-in-body",
    ]);
    assert_ok(&edit);
    let credential = home.store().get("Machine").unwrap();
    assert_eq!(credential.scopes, ["read"]);
    assert_eq!(credential.keep_alive_seconds, Some(600));
    assert!(credential.salesforce.allow_merge_fields_in_body);
    assert_eq!(credential.token_url.as_deref(), Some(token_url.as_str()));
    assert_eq!(
        home.store()
            .client_secret("Machine")
            .unwrap()
            .unwrap()
            .expose(),
        sandbox.client_secret(),
        "no --client-secret-stdin: the secret is kept"
    );
    assert_ok(&home.run(&["credential", "edit", "Machine", "--keep-alive", "0"]));
    assert_eq!(
        home.store().get("Machine").unwrap().keep_alive_seconds,
        None
    );

    let bad = home.run(&["credential", "edit", "Machine", "--endpoint", "ftp://x"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("endpoint \"ftp://x\""),
        "{}",
        stderr(&bad)
    );
    assert_eq!(home.store().get("Machine").unwrap().endpoint, base, "kept");

    let unknown = home.run(&["credential", "edit", "Nope", "--scope", "x"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("unknown credential \"Nope\""));
}

#[test]
fn a_fixed_redirect_uri_authorizes_against_a_provider_that_matches_it_exactly() {
    let port = free_port();
    let callback = format!("http://localhost:{port}/OauthRedirect");
    // Like a Salesforce app: this one callback, port and path included.
    let sandbox = Sandbox::start(SandboxConfig {
        redirect_uris: vec![callback.clone()],
        exact_redirect_uris: true,
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Org", "auth-code", &["--redirect-uri", &callback]);
    let shown = home.run(&["credential", "show", "Org"]);
    assert!(
        stdout(&shown).contains(&format!("redirect uri:    {callback}")),
        "{}",
        stdout(&shown)
    );
    assert_ok(&home.authorize_in_browser("Org"));
    assert_eq!(sandbox.stats().token_count("authorization_code", "ok"), 1);

    // A redirect URI a browser could not come back to is refused, the
    // credential left as it was.
    let refused = home.run(&[
        "credential",
        "edit",
        "Org",
        "--redirect-uri",
        "http://login.example.com:8080/callback",
    ]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("must name this computer (localhost, 127.0.0.1 or [::1])"),
        "{}",
        stderr(&refused)
    );
    assert!(stdout(&home.run(&["credential", "show", "Org"])).contains(&callback));
}

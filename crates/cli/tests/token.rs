//! `callout credential`, `callout authorize` and `callout token` as a person
//! or a script runs them: real processes, the sandbox on a real socket, the
//! real Secret Service keychain, a `--home` of their own per test.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime};

use callout_core::credential_store::{Authorization, Identity};
use callout_core::oauth::{ExpirySource, TokenSet};
use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::{TestHome, assert_no_secret_in_files, assert_ok, stderr, stdout};

#[test]
fn credential_add_list_show_remove_keep_the_secret_in_the_keychain() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(
        &sandbox,
        "Sales_API",
        "client-credentials",
        &[
            "--allow-merge-fields-in-body",
            "--refresh-status",
            "403",
            "--identity",
            "named",
        ],
    );
    let file = std::fs::read_to_string(home.path().join("credentials.toml")).unwrap();
    assert!(file.contains("name = \"Sales_API\""), "{file}");
    assert!(file.contains("protocol = \"clientCredentials\""), "{file}");
    assert!(file.contains("allowMergeFieldsInBody = true"), "{file}");
    assert!(
        file.contains("additionalRefreshStatusCodes = [403]"),
        "{file}"
    );

    let list = home.run(&["credential", "list"]);
    assert_ok(&list);
    let text = stdout(&list);
    assert!(text.contains("Sales_API"), "{text}");
    assert!(text.contains("not authorized"), "{text}");

    let authorize = home.run(&["authorize", "sales_api"]);
    assert_ok(&authorize);
    assert!(stdout(&authorize).starts_with("authorized Sales_API: access token ••••"));
    let list = home.run(&["credential", "list", "--json"]);
    let entries: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(entries[0]["status"]["state"], "valid");
    assert!(
        entries[0]["summary"]
            .as_str()
            .unwrap()
            .starts_with("valid for")
    );

    let show = home.run(&["credential", "show", "Sales_API"]);
    assert_ok(&show);
    let text = stdout(&show);
    let token = home.run(&["token", "Sales_API"]);
    let token = stdout(&token).trim().to_string();
    assert!(!token.is_empty());
    assert!(!text.contains(sandbox.client_secret()), "{text}");
    assert!(!text.contains(&token), "{text}");
    assert!(text.contains("client secret:   ••••"), "{text}");
    assert!(text.contains("access token:    ••••"), "{text}");

    assert_no_secret_in_files(home.path(), &[sandbox.client_secret(), &token]);

    let remove = home.run(&["credential", "remove", "SALES_API"]);
    assert_ok(&remove);
    let list = home.run(&["credential", "list"]);
    assert!(stdout(&list).contains("no credentials yet"));
    assert!(home.store().client_secret("Sales_API").unwrap().is_none());
}

#[test]
fn a_broken_credentials_file_is_reported_with_line_and_column_and_kept() {
    let home = TestHome::new();
    let broken = "[[credentials]]\nname = \"A\"\nendpoint = https://a.example\n";
    let path = home.path().join("credentials.toml");
    std::fs::write(&path, broken).unwrap();
    let list = home.run(&["credential", "list"]);
    assert_eq!(list.status.code(), Some(2));
    let message = stderr(&list);
    assert!(
        message.contains("credentials.toml is broken at line 3, column 12"),
        "{message}"
    );
    let add = home.run(&[
        "credential",
        "add",
        "B",
        "--flow",
        "client-credentials",
        "--endpoint",
        "https://b.example",
        "--token-url",
        "https://b.example/token",
        "--client-id",
        "b",
    ]);
    assert_eq!(add.status.code(), Some(2), "{}", stderr(&add));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
}

#[test]
fn credential_add_discovers_endpoints_from_an_issuer() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    assert_ok(&home.add_by_issuer(&sandbox, "Discovered", "auth-code"));
    let credential = home.store().get("Discovered").unwrap();
    assert_eq!(credential.token_url, Some(sandbox.token_url()));
    assert_eq!(credential.auth_url, Some(sandbox.authorize_url()));
}

#[test]
fn removing_a_credential_revokes_its_refresh_token_at_the_provider() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    assert_ok(&home.add_by_issuer(&sandbox, "Revoked", "password"));
    let authorize = home.run_with_stdin(
        &[
            "authorize",
            "Revoked",
            "--username",
            "sandbox-user",
            "--password-stdin",
        ],
        "sandbox-password",
    );
    assert_ok(&authorize);
    let refresh = home
        .store()
        .authorization("Revoked", &Identity::NamedPrincipal)
        .unwrap()
        .tokens
        .unwrap()
        .refresh_token
        .unwrap();
    let remove = home.run(&["credential", "remove", "Revoked"]);
    assert_ok(&remove);
    assert!(stdout(&remove).contains("revoked Revoked's tokens at the provider"));
    let answer = refresh_with_curl(&sandbox, refresh.expose());
    assert!(answer.contains("invalid_grant"), "{answer}");
}

#[test]
fn removing_a_per_user_credential_revokes_every_users_tokens() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.forget_on_drop("Team");
    let base = sandbox.base_url();
    let add = home.run_with_stdin(
        &[
            "credential",
            "add",
            "Team",
            "--flow",
            "auth-code",
            "--endpoint",
            &base,
            "--issuer",
            &base,
            "--client-id",
            sandbox.client_id(),
            "--client-secret-stdin",
            "--identity",
            "per-user",
        ],
        sandbox.client_secret(),
    );
    assert_ok(&add);
    let mut refresh_tokens = Vec::new();
    for user in ["alice", "bob"] {
        let issued = sandbox.issue_tokens("api");
        refresh_tokens.push(issued.refresh_token.clone().unwrap());
        let tokens = TokenSet {
            access_token: issued.access_token,
            token_type: "Bearer".into(),
            refresh_token: issued.refresh_token,
            id_token: None,
            scopes: vec!["api".into()],
            issued_at: SystemTime::now(),
            expires_at: Some(SystemTime::now() + Duration::from_secs(3_600)),
            expiry_source: ExpirySource::ExpiresIn,
            is_jwt: false,
            instance_url: None,
        };
        home.store()
            .set_authorization(
                "Team",
                &Identity::User(user.into()),
                &Authorization {
                    tokens: Some(tokens),
                    ..Authorization::default()
                },
            )
            .unwrap();
    }

    let remove = home.run(&["credential", "remove", "Team"]);
    assert_ok(&remove);
    let text = stdout(&remove);
    assert!(text.contains("revoked Team (alice)'s tokens"), "{text}");
    assert!(text.contains("revoked Team (bob)'s tokens"), "{text}");
    for refresh in &refresh_tokens {
        let answer = refresh_with_curl(&sandbox, refresh.expose());
        assert!(answer.contains("invalid_grant"), "{answer}");
    }
}

/// A refresh_token request with curl (the CLI tests need no HTTP client).
fn refresh_with_curl(sandbox: &Sandbox, refresh_token: &str) -> String {
    let output = Command::new("curl")
        .args(["-sS", "--data-urlencode", "grant_type=refresh_token"])
        .arg("--data-urlencode")
        .arg(format!("refresh_token={refresh_token}"))
        .arg("--data-urlencode")
        .arg(format!("client_id={}", sandbox.client_id()))
        .arg(sandbox.token_url())
        .output()
        .unwrap();
    stdout(&output)
}

#[test]
fn token_needs_reauthorization_exits_3_and_says_what_to_do() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Browser", "auth-code", &[]);
    let token = home.run(&["token", "Browser"]);
    assert_eq!(token.status.code(), Some(3));
    assert_eq!(
        stderr(&token).trim(),
        "callout token: credential \"Browser\" needs re-authorization: it has not been \
         authorized yet. Authorize it again (`callout authorize Browser`)"
    );
    let unknown = home.run(&["token", "Nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    let help = home.run(&["token", "--help"]);
    assert!(stdout(&help).contains("3 the credential needs re-authorization"));
}

#[test]
fn password_flow_authorizes_from_stdin_and_token_json_tells_the_expiry() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Pw", "password", &["--client-auth", "body"]);
    let missing = home.run(&["authorize", "Pw"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("--username"),
        "{}",
        stderr(&missing)
    );
    let authorize = home.authorize_sandbox_user("Pw");
    assert_ok(&authorize);
    assert!(stdout(&authorize).contains("refresh token stored in the keychain"));
    let token = home.run(&["token", "Pw", "--json"]);
    assert_ok(&token);
    let json: serde_json::Value = serde_json::from_slice(&token.stdout).unwrap();
    assert_eq!(json["credential"], "Pw");
    assert_eq!(json["expirySource"], "expiresIn");
    assert_eq!(json["refreshed"], false);
    assert!(json["expiresInSeconds"].as_u64().unwrap() <= 60);
    assert_eq!(sandbox.stats().token_count("password", "ok"), 1);
    let access = json["accessToken"].as_str().unwrap();
    assert_no_secret_in_files(
        home.path(),
        &[access, "sandbox-password", sandbox.client_secret()],
    );
}

#[test]
fn twenty_token_processes_on_an_expired_rotating_token_share_one_refresh() {
    let sandbox = Sandbox::start(SandboxConfig {
        rotate_refresh_tokens: true,
        ..SandboxConfig::default()
    })
    .unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Rotating", "auth-code", &[]);
    let issued = sandbox.issue_tokens("api");
    let seeded = TokenSet {
        access_token: issued.access_token.clone(),
        token_type: "Bearer".into(),
        refresh_token: issued.refresh_token.clone(),
        id_token: None,
        scopes: vec!["api".into()],
        issued_at: SystemTime::now() - Duration::from_secs(120),
        expires_at: Some(SystemTime::now() - Duration::from_secs(60)),
        expiry_source: ExpirySource::ExpiresIn,
        is_jwt: false,
        instance_url: None,
    };
    home.store()
        .set_authorization(
            "Rotating",
            &Identity::NamedPrincipal,
            &Authorization {
                tokens: Some(seeded),
                ..Authorization::default()
            },
        )
        .unwrap();

    let children: Vec<_> = (0..20)
        .map(|_| {
            home.command(&["token", "Rotating"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|child| child.wait_with_output().unwrap())
        .collect();
    for output in &outputs {
        assert_ok(output);
    }
    let tokens: Vec<String> = outputs
        .iter()
        .map(|output| stdout(output).trim().to_string())
        .collect();
    assert!(tokens.iter().all(|token| token == &tokens[0]), "{tokens:?}");
    assert_ne!(tokens[0], issued.access_token.expose());
    let stats = sandbox.stats();
    assert_eq!(stats.token_total("refresh_token"), 1, "{stats:?}");
    assert_eq!(stats.token_count("refresh_token", "ok"), 1);

    let stored = home
        .store()
        .authorization("Rotating", &Identity::NamedPrincipal)
        .unwrap()
        .tokens
        .unwrap();
    assert_eq!(stored.access_token.expose(), tokens[0]);
    let new_refresh = stored.refresh_token.unwrap();
    assert_no_secret_in_files(
        home.path(),
        &[
            &tokens[0],
            issued.access_token.expose(),
            issued.refresh_token.as_ref().unwrap().expose(),
            new_refresh.expose(),
            sandbox.client_secret(),
        ],
    );
}

#[test]
fn authorize_runs_the_browser_flow_through_browser() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Browser", "auth-code", &[]);
    let authorize = home.authorize_in_browser("Browser");
    assert_ok(&authorize);
    assert!(stderr(&authorize).contains("sign in at: "));
    assert!(stdout(&authorize).starts_with("authorized Browser: access token ••••"));
    assert_eq!(sandbox.stats().token_count("authorization_code", "ok"), 1);
    let token = home.run(&["token", "Browser"]);
    assert_ok(&token);
    assert_no_secret_in_files(
        home.path(),
        &[stdout(&token).trim(), sandbox.client_secret()],
    );
}

#[test]
fn callout_home_in_the_environment_is_the_same_home_as_the_option() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Env_Home", "client-credentials", &[]);
    let list = Command::new(env!("CARGO_BIN_EXE_callout"))
        .args(["credential", "list"])
        .env("CALLOUT_HOME", home.path())
        .output()
        .unwrap();
    assert_ok(&list);
    assert!(stdout(&list).contains("Env_Home"), "{}", stdout(&list));
}

#[test]
fn a_browser_sign_in_that_never_comes_back_times_out_with_a_message() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Waiting", "auth-code", &[]);
    let authorize = home.run(&["authorize", "Waiting", "--no-browser", "--timeout", "0"]);
    assert_eq!(authorize.status.code(), Some(1));
    let message = stderr(&authorize);
    assert!(
        message.contains("sign in at: http://127.0.0.1:"),
        "{message}"
    );
    assert!(message.contains("code_challenge_method=S256"), "{message}");
    assert!(
        message.contains("no answer from the browser within 0 s"),
        "{message}"
    );
    assert_eq!(sandbox.stats().token_total("authorization_code"), 0);
}

#[test]
fn jwt_bearer_authorizes_as_a_subject_and_a_broken_private_key_is_refused() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Jwt", "jwt-bearer", &[]);
    let missing = home.run(&["authorize", "Jwt"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("--username"),
        "{}",
        stderr(&missing)
    );
    let authorize = home.run(&["authorize", "Jwt", "--username", "sandbox-user"]);
    assert_ok(&authorize);
    assert_eq!(sandbox.stats().token_count("jwt_bearer", "ok"), 1);
    let show = home.run(&["credential", "show", "Jwt"]);
    assert!(stdout(&show).contains("assertions signed with the client secret, HS256"));

    home.forget_on_drop("Keyed");
    let base = sandbox.base_url();
    let token_url = sandbox.token_url();
    let broken = home.run_with_stdin(
        &[
            "credential",
            "add",
            "Keyed",
            "--flow",
            "jwt-bearer",
            "--endpoint",
            &base,
            "--token-url",
            &token_url,
            "--client-id",
            sandbox.client_id(),
            "--private-key-stdin",
        ],
        "not a key\n",
    );
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        stderr(&broken).contains("private key is not"),
        "{}",
        stderr(&broken)
    );
    assert!(home.store().private_key("Keyed").unwrap().is_none());
    assert!(home.store().get("Keyed").is_err());
}

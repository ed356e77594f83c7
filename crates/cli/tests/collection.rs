//! A collection kept in a folder (as in a git repository): made with
//! `callout collection new`, a request written by hand, listed, and sent with
//! `callout send --saved`, the expired SOAP session refreshed and retried.

use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::{self, TestHome, assert_ok, stderr, stdout};

const SOAP_REQUEST: &str = r#"# The partner API's query, as an org answers it.
name = "SOAP query"
method = "POST"
url = "{{endpoint}}/services/Soap/u/{{ version }}"

[[header]]
name = "Content-Type"
value = "text/xml"

[[header]]
name = "SOAPAction"
value = '""'

[body]
kind = "xml"
text = '''
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">
  <soapenv:Header><urn:SessionHeader><urn:sessionId>{{token}}</urn:sessionId></urn:SessionHeader></soapenv:Header>
  <soapenv:Body><urn:query><urn:queryString>SELECT Id, Name FROM Account</urn:queryString></urn:query></soapenv:Body>
</soapenv:Envelope>
'''
"#;

/// A sandbox and a home with its client-credentials credential "Sandbox"
/// (with `flags`), authorized.
fn authorized_sandbox(flags: &[&str]) -> (Sandbox, TestHome) {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Sandbox", "client-credentials", flags);
    assert_ok(&home.run(&["authorize", "Sandbox"]));
    (sandbox, home)
}

#[test]
fn a_request_file_in_a_collection_is_sent_by_its_name_and_recovers_from_the_soap_fault() {
    let (sandbox, home) = authorized_sandbox(&["--allow-merge-fields-in-body"]);
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path().join("callouts");
    let dir_text = dir.to_str().unwrap();
    let created = home.run(&["collection", "new", dir_text]);
    assert_ok(&created);
    assert!(
        stdout(&created).contains("created collection \"callouts\""),
        "{}",
        stdout(&created)
    );
    // A global says the API version; the Dev environment binds the
    // endpoint and the token to the credential.
    let env = |args: &[&str]| {
        let mut all = vec!["env", "--collection", dir_text];
        all.extend_from_slice(args);
        let output = home.run(&all);
        assert_ok(&output);
        stdout(&output)
    };
    // The API version for every collection: a global variable.
    let global = home.run(&["env", "set", "--global", "version=59.0"]);
    assert_ok(&global);
    assert_eq!(
        stdout(&home.run(&["env", "show", "--global"])),
        "version = 59.0\n"
    );
    let refused = home.run(&["env", "set", "--global", "x=1", "--env", "Dev"]);
    assert!(!refused.status.success(), "a global has no environment");
    env(&["set", "endpoint=callout:Sandbox", "--env", "Dev"]);
    env(&["set", "token={!$Credential.OAuthToken}", "--env", "Dev"]);
    env(&["set", "stale=1", "--env", "Dev"]);
    assert!(env(&["unset", "stale", "--env", "Dev"]).starts_with("removed stale"));
    assert_eq!(env(&["list"]), "Dev\n");
    assert_eq!(
        env(&["show", "Dev"]),
        "endpoint = callout:Sandbox\ntoken = {!$Credential.OAuthToken}\n"
    );
    assert_eq!(env(&["show"]), "", "the collection's own variables: none");
    assert!(
        std::fs::read_to_string(dir.join("collection.toml"))
            .unwrap()
            .starts_with("name = \"callouts\"\n"),
        "the collection keeps its name"
    );
    std::fs::create_dir(dir.join("Salesforce")).unwrap();
    std::fs::write(dir.join("Salesforce/soap-query.toml"), SOAP_REQUEST).unwrap();

    let listed = home.run(&["collection", "list", dir_text]);
    assert_ok(&listed);
    assert!(
        stdout(&listed)
            .contains("  Salesforce/\n    POST SOAP query  (Salesforce/soap-query.toml)"),
        "{}",
        stdout(&listed)
    );

    let token = stdout(&home.run(&["token", "Sandbox"])).trim().to_string();
    assert!(sandbox.expire_access_token(&token));
    let send_saved = |path: &str, extra: &[&str]| {
        let mut args = vec!["send", "--saved", path, "--collection", dir_text];
        args.extend_from_slice(extra);
        home.run(&args)
    };
    let sent = send_saved("Salesforce/SOAP query", &["--env", "Dev", "--json"]);
    assert_ok(&sent);
    let json: serde_json::Value = serde_json::from_slice(&sent.stdout).unwrap();
    assert_eq!(json["status"], 200, "{json:#}");
    assert_eq!(common::attempt_steps(&json), ["sent", "refreshed", "sent"]);
    assert_eq!(
        json["attempts"][0]["verdict"]["rule"],
        "soap.invalid_session"
    );

    // The send is kept in the history under the collection's name, as the
    // app keeps it, the token masked there too.
    let listed = home.run(&[
        "history",
        "--request",
        "callouts/Salesforce/SOAP query",
        "--json",
    ]);
    assert_ok(&listed);
    let sends: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(sends.as_array().unwrap().len(), 1, "{sends:#}");
    assert_eq!(sends[0]["status"], 200);
    assert_eq!(sends[0]["environment"], "Dev");
    let id = sends[0]["id"].as_i64().unwrap().to_string();
    let kept = home.run(&["history", "show", &id, "--json"]);
    assert_ok(&kept);
    let kept: serde_json::Value = serde_json::from_slice(&kept.stdout).unwrap();
    assert!(
        kept["report"]["response"]["body"]
            .as_str()
            .unwrap()
            .contains("<queryResponse>"),
        "{kept:#}"
    );
    assert_eq!(
        common::attempt_steps(&kept["report"]),
        ["sent", "refreshed", "sent"]
    );
    let shown = home.run(&["history", "show", &id]);
    assert!(
        stdout(&shown).contains("saved request: callouts/Salesforce/SOAP query"),
        "{}",
        stdout(&shown)
    );
    let fresh = stdout(&home.run(&["token", "Sandbox"])).trim().to_string();
    common::assert_no_secret_in_files(home.path(), &[&token, &fresh]);
    let missing = home.run(&["history", "show", "999999"]);
    assert!(
        stderr(&missing).contains("it keeps no send 999999"),
        "{}",
        stderr(&missing)
    );

    // Without the environment, the endpoint is unknown: named at its place,
    // nothing sent.
    let unbound = send_saved("Salesforce/SOAP query", &[]);
    assert_eq!(unbound.status.code(), Some(2));
    assert!(
        stderr(&unbound).contains("unknown variable {{endpoint}} in the URL at line 1, column 1"),
        "{}",
        stderr(&unbound)
    );
    let no_env = send_saved("Salesforce/SOAP query", &["--env", "Prod"]);
    for expected in ["no environment \"Prod\"", "it has: Dev"] {
        assert!(stderr(&no_env).contains(expected), "{}", stderr(&no_env));
    }

    let unknown = send_saved("Salesforce/Nope", &[]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("has no such request; it has: Salesforce/SOAP query"),
        "{}",
        stderr(&unknown)
    );

    std::fs::write(
        dir.join("Salesforce/broken.toml"),
        "method = \"GET\"\nurl = 'x\n",
    )
    .unwrap();
    // A broken file is listed with what is wrong, the rest as it is; sending
    // it names the place.
    let broken = home.run(&["collection", "list", dir_text]);
    assert_ok(&broken);
    assert!(
        stdout(&broken).contains("    ! Salesforce/broken.toml: ")
            && stdout(&broken).contains("broken.toml is broken at line 2, column"),
        "{}",
        stdout(&broken)
    );
    assert!(stdout(&broken).contains("    POST SOAP query  (Salesforce/soap-query.toml)"));
    let unreadable = send_saved("Salesforce/broken.toml", &[]);
    assert_eq!(unreadable.status.code(), Some(2));
    assert!(
        stderr(&unreadable).contains("broken.toml is broken at line 2, column"),
        "{}",
        stderr(&unreadable)
    );
    assert!(
        std::fs::read_to_string(dir.join("Salesforce/soap-query.toml")).unwrap() == SOAP_REQUEST,
        "a send never rewrites the request file"
    );
}

#[test]
fn a_salesforce_postman_collection_and_its_environment_come_in_as_files_and_run_once_bound() {
    let (sandbox, home) = authorized_sandbox(&[
        "--allow-merge-fields-in-header",
        "--allow-merge-fields-in-body",
    ]);
    let fixtures = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/fixtures/postman"
    );
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path().join("salesforce");
    let dir_text = dir.to_str().unwrap();
    let imported = home.run(&[
        "import",
        "postman",
        &format!("{fixtures}/salesforce_apis.postman_collection.json"),
        "--into",
        dir_text,
        "--environment",
        &format!("{fixtures}/salesforce_org.postman_environment.json"),
    ]);
    assert_ok(&imported);
    let out = stdout(&imported);
    for expected in [
        "Salesforce Platform APIs: 2 requests in",
        "; environments: My Org",
        "note: {{_accessToken}} of environment \"My Org\" carries a token; its value was left out",
        "note: {{clientSecret}} of environment \"My Org\" is secret and was left out",
        "note: {{_endpoint}} starts request URLs",
    ] {
        assert!(out.contains(expected), "{expected:?} in\n{out}");
    }
    // The folder tree as folders, the SOAP envelope verbatim, no secret copied.
    let soap = std::fs::read_to_string(dir.join("SOAP/Partner/query.toml")).unwrap();
    assert!(
        soap.contains("text = '''\n<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""),
        "{soap}"
    );
    assert!(
        soap.contains("<urn:sessionId>{{_accessToken}}</urn:sessionId>"),
        "{soap}"
    );
    assert!(dir.join("REST/query.toml").exists());
    let environment = std::fs::read_to_string(dir.join("environments/My Org.toml")).unwrap();
    assert!(
        environment.contains("_endpoint = \"https://acme.my.salesforce.com\""),
        "{environment}"
    );
    common::assert_no_secret_in_files(
        repo.path(),
        &["00Dxx0000000000!AQ4AQFAKEFAKEFAKE", "do-not-copy-me"],
    );

    // Bound to the Sandbox credential in one step, as the import says.
    assert!(
        out.contains("bind them to a credential: callout env bind CREDENTIAL --env NAME --token _accessToken --endpoint _endpoint"),
        "{out}"
    );
    let unknown = home.run(&[
        "env",
        "bind",
        "Nope",
        "--env",
        "Sandbox",
        "--token",
        "_accessToken",
        "--collection",
        dir_text,
    ]);
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("Nope"),
        "{unknown:?}"
    );
    let bound = home.run(&[
        "env",
        "bind",
        "Sandbox",
        "--env",
        "Sandbox",
        "--token",
        "_accessToken",
        "--endpoint",
        "_endpoint",
        "--collection",
        dir_text,
    ]);
    assert_ok(&bound);
    let environment = std::fs::read_to_string(dir.join("environments/Sandbox.toml")).unwrap();
    assert!(
        environment.contains("_accessToken = \"{!$Credential.OAuthToken}\"")
            && environment.contains("_endpoint = \"callout:Sandbox\""),
        "{environment}"
    );
    let send_saved = |path: &str| {
        home.run(&[
            "send",
            "--saved",
            path,
            "--collection",
            dir_text,
            "--env",
            "Sandbox",
            "--json",
        ])
    };
    let rest = send_saved("REST/Query");
    assert_ok(&rest);
    let json: serde_json::Value = serde_json::from_slice(&rest.stdout).unwrap();
    assert_eq!(json["status"], 200, "{json:#}");

    let token = stdout(&home.run(&["token", "Sandbox"])).trim().to_string();
    assert!(sandbox.expire_access_token(&token));
    let soap = send_saved("SOAP/Partner/Query");
    assert_ok(&soap);
    let json: serde_json::Value = serde_json::from_slice(&soap.stdout).unwrap();
    assert_eq!(json["status"], 200, "{json:#}");
    assert_eq!(common::attempt_steps(&json), ["sent", "refreshed", "sent"]);
    let stats = sandbox.stats();
    assert_eq!(stats.api_count("salesforce_rest", "ok"), 1, "{stats:?}");
    assert_eq!(stats.api_count("salesforce_soap", "ok"), 1, "{stats:?}");
}

#[test]
fn the_history_keeps_as_many_sends_as_the_settings_say_newest_first() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let home = TestHome::new();
    std::fs::write(
        home.path().join("settings.json"),
        "{\"historyKeepCount\": 2}\n",
    )
    .unwrap();
    for path in ["one", "two", "three"] {
        let url = format!("{}/rfc6750/{path}", sandbox.base_url());
        let sent = home.run(&["send", &url, "--json"]);
        assert_ok(&sent);
    }
    let listed = home.run(&["history", "--json"]);
    assert_ok(&listed);
    let sends: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let urls: Vec<&str> = sends
        .as_array()
        .unwrap()
        .iter()
        .map(|sent| sent["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            format!("{}/rfc6750/three", sandbox.base_url()),
            format!("{}/rfc6750/two", sandbox.base_url())
        ]
    );
    assert_eq!(sends[0]["status"], 401);
    let text = stdout(&home.run(&["history"]));
    assert!(
        text.contains("GET ") && text.contains("/rfc6750/three -> 401"),
        "{text}"
    );

    // A kept send goes out again as it was written, and two kept responses
    // are compared.
    let newest = |home: &TestHome| -> serde_json::Value {
        let listed = home.run(&["history", "--limit", "1", "--json"]);
        serde_json::from_slice::<serde_json::Value>(&listed.stdout).unwrap()[0].clone()
    };
    let again = home.run(&["send", "--again", &sends[0]["id"].to_string(), "--json"]);
    assert_ok(&again);
    let resent = newest(&home);
    assert_ne!(resent["id"], sends[0]["id"]);
    assert_eq!(resent["url"], sends[0]["url"]);
    assert_eq!(resent["status"], 401);
    let stats = format!("{}/_sandbox/stats", sandbox.base_url());
    assert_ok(&home.run(&["send", &stats]));
    let answered = newest(&home);
    assert_eq!(answered["status"], 200);
    let diff = home.run(&[
        "history",
        "diff",
        &resent["id"].to_string(),
        &answered["id"].to_string(),
    ]);
    assert_ok(&diff);
    let diff = stdout(&diff);
    assert!(
        diff.contains("-HTTP 401") && diff.contains("+HTTP 200"),
        "{diff}"
    );
    let gone = home.run(&["send", "--again", "999999"]);
    assert!(
        stderr(&gone).contains("it keeps no send 999999"),
        "{}",
        stderr(&gone)
    );
}

/// `callout` in `dir` (a directory that is no collection), the test's home.
fn run_in(home: &TestHome, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    home.command(args).current_dir(dir).output().unwrap()
}

/// The sends the history keeps of the saved request `label`.
fn sends_of(home: &TestHome, label: &str) -> Vec<serde_json::Value> {
    let listed = home.run(&["history", "--request", label, "--json"]);
    assert_ok(&listed);
    serde_json::from_slice::<serde_json::Value>(&listed.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn an_open_collections_request_is_sent_by_its_collections_name_with_the_environment_chosen_for_it()
{
    let (sandbox, home) = authorized_sandbox(&[]);
    let repo = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let dir = repo.path().join("api");
    let dir_text = dir.to_str().unwrap();
    assert_ok(&home.run(&["collection", "new", dir_text, "--name", "Acme"]));
    std::fs::create_dir(dir.join("Accounts")).unwrap();
    std::fs::write(
        dir.join("Accounts/query.toml"),
        "name = \"Query accounts\"\nmethod = \"GET\"\nurl = \"{{endpoint}}/wso2/accounts\"\n",
    )
    .unwrap();
    // Dev goes through the credential; Prod (here) straight to the API,
    // without a token.
    let base = sandbox.base_url();
    for (environment, endpoint) in [("Dev", "callout:Sandbox"), ("Prod", base.as_str())] {
        let assignment = format!("endpoint={endpoint}");
        let set = &[
            "env",
            "--collection",
            dir_text,
            "set",
            &assignment,
            "--env",
            environment,
        ];
        assert_ok(&home.run(set));
    }

    // Opened for the app, from a terminal; Dev chosen by the collection's name.
    let opened = run_in(&home, elsewhere.path(), &["collection", "open", dir_text]);
    assert_ok(&opened);
    assert!(
        stdout(&opened).starts_with("opened \"Acme\""),
        "{}",
        stdout(&opened)
    );
    let chosen = run_in(
        &home,
        elsewhere.path(),
        &["env", "use", "Dev", "--collection", "Acme"],
    );
    assert_ok(&chosen);
    let workbench = std::fs::read_to_string(home.path().join("workbench.json")).unwrap();
    assert!(
        workbench.contains("\"environment\": \"Dev\""),
        "{workbench}"
    );
    let listed = run_in(&home, elsewhere.path(), &["collection", "list"]);
    assert_ok(&listed);
    let out = stdout(&listed);
    for expected in [
        "My requests (",
        &format!(
            "Acme ({dir_text}), environment: Dev\n  Accounts/\n    GET Query accounts  (Accounts/query.toml)\n"
        ),
    ] {
        assert!(out.contains(expected), "{expected:?} in\n{out}");
    }

    // From anywhere, by the collection's name (its file path works too):
    // sent with Dev, kept under the name the app uses.
    let sent = run_in(
        &home,
        elsewhere.path(),
        &["send", "--saved", "Acme/Accounts/query.toml", "--json"],
    );
    assert_ok(&sent);
    let json: serde_json::Value = serde_json::from_slice(&sent.stdout).unwrap();
    assert_eq!(json["status"], 200, "{json:#}");
    assert_eq!(sandbox.stats().api_count("wso2", "ok"), 1);
    let sends = sends_of(&home, "Acme/Accounts/Query accounts");
    assert_eq!(sends.len(), 1, "{sends:#?}");
    assert_eq!(sends[0]["request"], "Acme/Accounts/Query accounts");
    assert_eq!(sends[0]["environment"], "Dev");
    // The history reads a request's file path as send --saved does.
    assert_eq!(sends_of(&home, "Acme/Accounts/query.toml"), sends);

    // --env wins over the chosen one.
    let prod = run_in(
        &home,
        elsewhere.path(),
        &[
            "send",
            "--saved",
            "Acme/Accounts/Query accounts",
            "--env",
            "Prod",
            "--json",
        ],
    );
    assert_ok(&prod);
    let json: serde_json::Value = serde_json::from_slice(&prod.stdout).unwrap();
    assert_eq!(json["status"], 401, "{json:#}");
    assert_eq!(
        sends_of(&home, "Acme/Accounts/Query accounts")[0]["environment"],
        "Prod"
    );

    // Through --collection, or in the collection's directory, the same label.
    let direct = home.run(&[
        "send",
        "--saved",
        "Accounts/query.toml",
        "--collection",
        dir_text,
        "--env",
        "Dev",
        "--json",
    ]);
    assert_ok(&direct);
    let here = run_in(
        &home,
        &dir,
        &[
            "send",
            "--saved",
            "Accounts/Query accounts",
            "--env",
            "Prod",
            "--json",
        ],
    );
    assert_ok(&here);
    let sends = sends_of(&home, "Acme/Accounts/Query accounts");
    assert_eq!(sends.len(), 4, "{sends:#?}");
    assert_eq!(sends[0]["environment"], "Prod");
    assert_eq!(sends[1]["environment"], "Dev");
    // In the directory, as with --collection, only --env chooses: without it,
    // {{endpoint}} is unknown.
    let no_env = run_in(&home, &dir, &["send", "--saved", "Accounts/Query accounts"]);
    assert_eq!(no_env.status.code(), Some(2), "{}", stderr(&no_env));

    // No environment chosen: {{endpoint}} is unknown, nothing sent.
    assert_ok(&run_in(
        &home,
        elsewhere.path(),
        &["env", "use", "--none", "--collection", dir_text],
    ));
    let unbound = run_in(
        &home,
        elsewhere.path(),
        &["send", "--saved", "Acme/Accounts/Query accounts"],
    );
    assert_eq!(unbound.status.code(), Some(2), "{}", stderr(&unbound));
    assert!(
        stderr(&unbound).contains("unknown variable {{endpoint}}"),
        "{}",
        stderr(&unbound)
    );
    let unknown = run_in(
        &home,
        elsewhere.path(),
        &["send", "--saved", "Nope/Accounts/Query accounts"],
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("with one of My requests, Acme"),
        "{}",
        stderr(&unknown)
    );

    // Closed: no longer found, its files kept.
    assert_ok(&run_in(
        &home,
        elsewhere.path(),
        &["collection", "close", "Acme"],
    ));
    let closed = run_in(
        &home,
        elsewhere.path(),
        &["send", "--saved", "Acme/Accounts/Query accounts"],
    );
    assert_eq!(closed.status.code(), Some(2));
    assert!(dir.join("Accounts/query.toml").exists());
}

#[test]
fn a_postman_collection_imported_without_a_directory_is_opened_in_the_app_and_sends() {
    let (sandbox, home) = authorized_sandbox(&[
        "--allow-merge-fields-in-header",
        "--allow-merge-fields-in-body",
    ]);
    let elsewhere = tempfile::tempdir().unwrap();
    let fixtures = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/fixtures/postman"
    );
    let imported = run_in(
        &home,
        elsewhere.path(),
        &[
            "import",
            "postman",
            &format!("{fixtures}/salesforce_apis.postman_collection.json"),
            "--environment",
            &format!("{fixtures}/salesforce_org.postman_environment.json"),
        ],
    );
    assert_ok(&imported);
    let root = home.path().join("collections/Salesforce Platform APIs");
    let out = stdout(&imported);
    for expected in [
        format!(
            "Salesforce Platform APIs: 2 requests in {}; environments: My Org\n",
            root.display()
        ),
        "note: {{clientSecret}} of environment \"My Org\" is secret and was left out".into(),
        "callout send --saved \"Salesforce Platform APIs/FOLDER/REQUEST\" --env \"My Org\"".into(),
    ] {
        assert!(out.contains(&expected), "{expected:?} in\n{out}");
    }
    assert!(root.join("SOAP/Partner/query.toml").exists());
    assert!(!home.path().join("requests.json").exists());

    // The app's list of open collections has it.
    let listed = run_in(&home, elsewhere.path(), &["collection", "list"]);
    assert_ok(&listed);
    let out = stdout(&listed);
    assert!(
        out.contains(&format!(
            "Salesforce Platform APIs ({}), environment: none\n  REST/\n    GET Query  (REST/query.toml)\n  SOAP/\n    Partner/\n      POST Query  (SOAP/Partner/query.toml)\n",
            root.display()
        )),
        "{out}"
    );

    // Bound to the Sandbox credential and chosen: sent by its name.
    std::fs::write(
        root.join("environments/Sandbox.toml"),
        "[variables]\n_endpoint = \"callout:Sandbox\"\n_accessToken = \"{!$Credential.OAuthToken}\"\n",
    )
    .unwrap();
    assert_ok(&run_in(
        &home,
        elsewhere.path(),
        &[
            "env",
            "use",
            "Sandbox",
            "--collection",
            "Salesforce Platform APIs",
        ],
    ));
    let sent = run_in(
        &home,
        elsewhere.path(),
        &[
            "send",
            "--saved",
            "Salesforce Platform APIs/SOAP/Partner/Query",
            "--json",
        ],
    );
    assert_ok(&sent);
    let json: serde_json::Value = serde_json::from_slice(&sent.stdout).unwrap();
    assert_eq!(json["status"], 200, "{json:#}");
    assert_eq!(sandbox.stats().api_count("salesforce_soap", "ok"), 1);
    let sends = sends_of(&home, "Salesforce Platform APIs/SOAP/Partner/Query");
    assert_eq!(sends.len(), 1, "{sends:#?}");
    assert_eq!(
        sends[0]["request"],
        "Salesforce Platform APIs/SOAP/Partner/Query"
    );
    assert_eq!(sends[0]["environment"], "Sandbox");

    // A second import of the same collection goes beside the first.
    assert_ok(&run_in(
        &home,
        elsewhere.path(),
        &[
            "import",
            "postman",
            &format!("{fixtures}/salesforce_apis.postman_collection.json"),
        ],
    ));
    let listed = stdout(&run_in(&home, elsewhere.path(), &["collection", "list"]));
    assert!(
        listed.contains("Salesforce Platform APIs 2), environment: none"),
        "{listed}"
    );
}

/// `sandbox-user:sandbox-password` in base64: the Basic login the sandbox's
/// `/basic` API lets in.
const SANDBOX_BASIC: &str = "c2FuZGJveC11c2VyOnNhbmRib3gtcGFzc3dvcmQ=";
/// A Basic login with the wrong password.
const WRONG_BASIC: &str = "c2FuZGJveC11c2VyOndyb25nLXBhc3N3b3Jk";

#[test]
fn a_secret_variable_comes_from_stdin_lives_in_the_keychain_and_is_masked_where_kept_or_shown() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let home = TestHome::new();
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path().join("api");
    let dir_text = dir.to_str().unwrap();
    assert_ok(&home.run(&["collection", "new", dir_text]));
    let env_with_stdin = |args: &[&str], stdin: &str| {
        let mut all = vec!["env", "--collection", dir_text];
        all.extend_from_slice(args);
        home.run_with_stdin(&all, stdin)
    };
    let env = |args: &[&str]| {
        let output = env_with_stdin(args, "");
        assert_ok(&output);
        stdout(&output)
    };
    env(&["set", &format!("base={}", sandbox.base_url())]);
    env(&["set", "user=sandbox-user", "--env", "Dev"]);
    let set = env_with_stdin(
        &["set", "login", "--secret", "--env", "Dev"],
        &format!("{SANDBOX_BASIC}\n"),
    );
    assert_ok(&set);
    assert!(
        stdout(&set).starts_with("login = [secret, in the keychain], named in "),
        "{}",
        stdout(&set)
    );
    let file = std::fs::read_to_string(dir.join("environments/Dev.toml")).unwrap();
    assert!(file.starts_with("secrets = [\"login\"]\n"), "{file}");
    assert_eq!(
        env(&["show", "Dev"]),
        "login = [secret, in the keychain]\nuser = sandbox-user\n"
    );
    // An empty value, a value on the command line or in the file: refused.
    let empty = env_with_stdin(&["set", "other", "--secret", "--env", "Dev"], "\n");
    assert!(!empty.status.success());
    assert!(
        stderr(&empty).contains("standard input was empty"),
        "{}",
        stderr(&empty)
    );
    let inline = env_with_stdin(&["set", "other=x", "--secret", "--env", "Dev"], "x");
    assert!(
        stderr(&inline).contains("give only its name with --secret"),
        "{}",
        stderr(&inline)
    );
    let plain = env_with_stdin(&["set", "login=plain", "--env", "Dev"], "");
    assert!(
        stderr(&plain).contains("\"login\" is a secret variable there"),
        "{}",
        stderr(&plain)
    );

    std::fs::write(
        dir.join("echo.toml"),
        "name = \"Echo\"\nmethod = \"POST\"\nurl = \"{{base}}/basic/echo\"\n\n\
         [[header]]\nname = \"Authorization\"\nvalue = \"Basic {{login}}\"\n\n\
         [[header]]\nname = \"X-Trace\"\nvalue = \"{{user}} {{login}}\"\n\n\
         [body]\ntext = \"login={{login}}\"\n",
    )
    .unwrap();
    let send = || {
        home.run(&[
            "send",
            "--saved",
            "Echo",
            "--collection",
            dir_text,
            "--env",
            "Dev",
            "--json",
        ])
    };
    let sent = send();
    assert_ok(&sent);
    let json: serde_json::Value = serde_json::from_slice(&sent.stdout).unwrap();
    assert_eq!(json["status"], 200, "the secret let it in: {json:#}");
    assert_eq!(sandbox.stats().api_count("basic", "ok"), 1);
    let shown = String::from_utf8_lossy(&sent.stdout);
    assert!(!shown.contains(SANDBOX_BASIC), "{shown}");
    assert_eq!(
        json["attempts"][0]["request"]["headers"][1]["value"],
        "sandbox-user [secret login]"
    );

    // Another value in the keychain, another login: the wrong one is refused.
    assert_ok(&env_with_stdin(
        &["set", "login", "--secret", "--env", "Dev"],
        WRONG_BASIC,
    ));
    let refused = send();
    assert_ok(&refused);
    let json: serde_json::Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(json["status"], 401, "{json:#}");
    assert_eq!(sandbox.stats().api_count("basic", "wrong_login"), 1);

    // The history keeps the sends, the secret in none of its bytes.
    let listed = home.run(&["history", "--request", "api/Echo", "--json"]);
    assert_ok(&listed);
    let sends: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(sends.as_array().unwrap().len(), 2, "{sends:#}");
    let id = sends[1]["id"].as_i64().unwrap().to_string();
    let kept = home.run(&["history", "show", &id, "--json"]);
    assert_ok(&kept);
    let kept: serde_json::Value = serde_json::from_slice(&kept.stdout).unwrap();
    assert_eq!(
        kept["report"]["request"]["body"], "login=[secret login]",
        "{kept:#}"
    );
    let again = home.run(&["send", "--again", &id]);
    assert!(
        stderr(&again).contains("used the secret variable login"),
        "{}",
        stderr(&again)
    );
    common::assert_no_secret_in_files(home.path(), &[SANDBOX_BASIC, WRONG_BASIC]);
    common::assert_no_secret_in_files(repo.path(), &[SANDBOX_BASIC, WRONG_BASIC]);

    // Unset: gone from the keychain and the file; declared again by hand
    // (as a clone from git would be), a send says how to set it.
    assert!(env(&["unset", "login", "--env", "Dev"]).starts_with("removed secret login from "),);
    assert_eq!(env(&["show", "Dev"]), "user = sandbox-user\n");
    std::fs::write(
        dir.join("environments/Dev.toml"),
        "secrets = [\"login\"]\n[variables]\nuser = \"sandbox-user\"\n",
    )
    .unwrap();
    let missing = send();
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains(
            "secret variable {{login}} of environment Dev of collection \"api\" has no value in \
             the keychain"
        ) && stderr(&missing).contains("(`callout env set login --secret --env Dev`)"),
        "{}",
        stderr(&missing)
    );
    assert_eq!(sandbox.stats().api_count("basic", "ok"), 1, "nothing sent");
}

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
    // The collection says the API version; the Dev environment binds the
    // endpoint and the token to the credential.
    let env = |args: &[&str]| {
        let mut all = vec!["env", "--collection", dir_text];
        all.extend_from_slice(args);
        let output = home.run(&all);
        assert_ok(&output);
        stdout(&output)
    };
    env(&["set", "version=59.0"]);
    env(&["set", "endpoint=callout:Sandbox", "--env", "Dev"]);
    env(&["set", "token={!$Credential.OAuthToken}", "--env", "Dev"]);
    env(&["set", "stale=1", "--env", "Dev"]);
    assert!(env(&["unset", "stale", "--env", "Dev"]).starts_with("removed stale"));
    assert_eq!(env(&["list"]), "Dev\n");
    assert_eq!(
        env(&["show", "Dev"]),
        "endpoint = callout:Sandbox\ntoken = {!$Credential.OAuthToken}\n"
    );
    assert_eq!(env(&["show"]), "version = 59.0\n");
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

    // The send is kept in the history, the token masked there too.
    let listed = home.run(&["history", "--request", "Salesforce/SOAP query", "--json"]);
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
        stdout(&shown).contains("saved request: Salesforce/SOAP query"),
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
    let broken = home.run(&["collection", "list", dir_text]);
    assert!(!broken.status.success());
    assert!(
        stderr(&broken).contains("broken.toml is broken at line 2, column"),
        "{}",
        stderr(&broken)
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

    // Bound to the Sandbox credential, as a person would write it.
    std::fs::write(
        dir.join("environments/Sandbox.toml"),
        "[variables]\n_endpoint = \"callout:Sandbox\"\n_accessToken = \"{!$Credential.OAuthToken}\"\n",
    )
    .unwrap();
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

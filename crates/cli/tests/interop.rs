//! `callout import`, `callout export` and `callout send --curl` as a user
//! runs them: requests saved in the app's collections, an exported curl
//! command that really runs against the sandbox, a Postman collection whose
//! secrets stay out of every file.

use std::path::Path;
use std::process::Command;

use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::{TestHome, assert_no_secret_in_files, assert_ok, stderr, stdout};

#[test]
fn a_curl_command_is_imported_saved_and_exported_back() {
    let home = TestHome::new();
    let command = "curl -X PUT https://api.example.com/v1/items/7 -H 'Content-Type: application/json' \
                   --data-raw '{\"name\":\"it'\\''s\"}'";
    let import = home.run(&["import", "curl", command, "--name", "Rename item"]);
    assert_ok(&import);
    let out = stdout(&import);
    assert!(
        out.contains(
            "Rename item: PUT https://api.example.com/v1/items/7 (1 headers, body 15 bytes)"
        ),
        "{out}"
    );
    // In the app's first collection, as a request file: the app shows it.
    let file = home.path().join("collections/My requests/rename-item.toml");
    assert!(
        out.contains(&format!(
            "saved as \"My requests/Rename item\" in {}",
            file.display()
        )),
        "{out}"
    );
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains("name = \"Rename item\""), "{saved}");
    assert!(!home.path().join("requests.json").exists());

    let export = home.run(&["export", "My requests/Rename item"]);
    assert_ok(&export);
    assert_eq!(
        stdout(&export),
        "curl -X PUT https://api.example.com/v1/items/7 \\\n  -H 'Content-Type: application/json' \
         \\\n  --data-raw '{\"name\":\"it'\\''s\"}'\n"
    );
}

#[test]
fn what_curl_import_does_not_understand_is_named_and_nothing_is_saved() {
    let home = TestHome::new();
    let import = home.run(&["import", "curl", "curl -F photo=@me.png https://x.test/up"]);
    assert_eq!(import.status.code(), Some(2));
    assert_eq!(
        stderr(&import).lines().next().unwrap(),
        "callout import: cannot import the curl command: option -F (at character 6) is not \
         understood; Callout Lab imports -X, -H, -d, --data-raw, --data-binary, \
         --data-urlencode, --json, -u, -G, -I, -A, -e, -b, --url, and output/transport flags \
         such as -s, -L, --compressed"
    );
    assert!(!home.path().join("requests.json").exists());
    assert!(!home.path().join("collections").exists());
}

#[test]
fn an_exported_curl_command_fills_the_token_from_callout_token_and_runs() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Api", "client-credentials", &[]);
    assert_ok(&home.run(&["authorize", "Api"]));
    let export = home.run(&[
        "export",
        "--curl",
        "curl callout:Api/wso2/accounts -H 'Accept: application/json'",
    ]);
    assert_ok(&export);
    let script = stdout(&export);
    assert!(
        script.starts_with("CALLOUT_TOKEN=\"$(callout token Api)\"\n"),
        "{script}"
    );
    let token = stdout(&home.run(&["token", "Api"])).trim().to_string();
    assert!(!script.contains(&token), "the token must not be inlined");

    // A terminal runs it: `callout` on the PATH, the same home.
    let bin = Path::new(env!("CARGO_BIN_EXE_callout")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let run = Command::new("sh")
        .args([
            "-c",
            &format!("{} -sS -w '\\nHTTP %{{http_code}}'", script.trim_end()),
        ])
        .env("PATH", path)
        .env("CALLOUT_HOME", home.path())
        .output()
        .unwrap();
    let out = stdout(&run);
    assert!(out.ends_with("HTTP 200"), "{out}\n{}", stderr(&run));
    assert_eq!(sandbox.stats().api_count("wso2", "ok"), 1);
}

#[test]
fn the_soap_sample_exports_to_apex_with_its_settings_and_the_refresh_workaround() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Sandbox", "auth-code", &[]);
    let apex = home.run(&["export", "Salesforce SOAP query", "--format", "apex"]);
    assert_ok(&apex);
    let snippet = stdout(&apex);
    for expected in [
        "req.setEndpoint('callout:Sandbox/services/Soap/u/59.0');",
        "//   Allow Merge Fields in HTTP Body: on (the body uses merge fields)",
        "+ '      <urn:sessionId>{!$Credential.OAuthToken}</urn:sessionId>\\n'",
        "ping.setEndpoint('callout:Sandbox/services/data/v59.0/limits');",
    ] {
        assert!(
            snippet.contains(expected),
            "missing {expected:?} in\n{snippet}"
        );
    }
    let unknown = home.run(&["export", "No such request"]);
    assert_eq!(unknown.status.code(), Some(2));
    for expected in [
        "no open collection is called so",
        "the built-in samples: \"Salesforce SOAP query\"",
    ] {
        assert!(
            stderr(&unknown).contains(expected),
            "{expected:?} in {}",
            stderr(&unknown)
        );
    }
}

#[test]
fn send_takes_a_curl_command() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(&sandbox, "Api", "client-credentials", &[]);
    assert_ok(&home.run(&["authorize", "Api"]));
    let send = home.run(&[
        "send",
        "--json",
        "--curl",
        "curl -sS callout:Api/wso2/accounts -H 'Accept: application/json'",
    ]);
    assert_ok(&send);
    let json: serde_json::Value = serde_json::from_str(&stdout(&send)).unwrap();
    assert_eq!(json["status"], 200);
    assert_eq!(sandbox.stats().api_count("wso2", "ok"), 1);
}

#[test]
fn a_postman_collection_is_imported_without_a_single_secret_on_disk() {
    let home = TestHome::new();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/fixtures/postman/acme_crm.postman_collection.json"
    );
    let dry = home.run(&["import", "postman", fixture, "--dry-run"]);
    assert_ok(&dry);
    assert!(stdout(&dry).starts_with("Acme CRM API: 14 requests, 2 credentials\n"));
    assert!(!home.path().join("credentials.toml").exists());
    assert!(!home.path().join("collections").exists());

    let import = home.run(&["import", "postman", fixture]);
    assert_ok(&import);
    let out = stdout(&import);
    assert!(
        out.starts_with(&format!(
            "Acme CRM API: 14 requests in {}\n",
            home.path().join("collections/Acme CRM API").display()
        )),
        "{out}"
    );
    assert!(
        out.contains("credential Acme_CRM_API (new): definition only, no secrets"),
        "{out}"
    );
    assert!(out.contains("note: credential Acme_CRM_API: the client secret was not imported"));
    let list = home.run(&["credential", "list"]);
    assert_ok(&list);
    assert!(
        stdout(&list).contains("Acme_CRM_API_2"),
        "{}",
        stdout(&list)
    );
    let apex = home.run(&[
        "export",
        "Acme CRM API/Orders (legacy SOAP)/Get order",
        "--format",
        "apex",
    ]);
    assert_ok(&apex);
    assert!(stdout(&apex).contains("req.setEndpoint('callout:Acme_CRM_API_2/soap/orders');"));

    assert_no_secret_in_files(
        home.path(),
        &[
            "pm-client-secret-DO-NOT-LEAK",
            "pm-saved-access-token-DO-NOT-LEAK",
            "orders-secret-DO-NOT-LEAK",
            "partner-bearer-DO-NOT-LEAK",
            "ops-pass-DO-NOT-LEAK",
        ],
    );
}

#[test]
fn a_hand_saved_hostile_request_exports_to_a_curl_command_that_sends_it_and_nothing_else() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let home = TestHome::new();
    let marker = home.path().join("pwned");
    let touch = format!("touch {}", marker.display());
    // The same without a space (curl refuses one in a URL) nor any
    // character a server refuses in a request line.
    let create = format!("touch$IFS{}", marker.display());
    // As someone could save it by hand: every way out of a quote and a line.
    let request = serde_json::json!({
        "id": "hostile",
        "name": "Hostile",
        "method": "POST",
        "url": format!("{}/wso2/accounts?q='$({create})'&r=$({create});{create};", sandbox.base_url()),
        "headers": [
            { "name": "Accept", "value": format!("application/json'; {touch}; '") },
            { "name": "X-Trace", "value": format!("a\n{touch}\n\u{1b}[201~\r$({touch})") },
        ],
        "body": format!("{{\"a\": \"it's\"}}\n'; {touch}; '\u{2028}\u{3}\n$({touch})\n"),
    });
    std::fs::write(
        home.path().join("requests.json"),
        serde_json::json!({ "requests": [request] }).to_string(),
    )
    .unwrap();
    // The first look at the app's collections moves requests.json into "My
    // requests".
    let export = home.run(&["export", "My requests/Hostile"]);
    assert_ok(&export);
    let script = stdout(&export);

    let run = Command::new("sh")
        .args([
            "-c",
            &format!("{} -sS -w '\\nHTTP %{{http_code}}'", script.trim_end()),
        ])
        .current_dir(home.path())
        .output()
        .unwrap();
    let out = stdout(&run);
    assert!(
        out.ends_with("\nHTTP 401"),
        "{script}\n{out}\n{}",
        stderr(&run)
    );
    let calls: u64 = sandbox
        .stats()
        .api_calls
        .values()
        .flat_map(|o| o.values())
        .sum();
    assert_eq!(calls, 1, "{script}");
    assert!(
        !marker.exists(),
        "the exported command ran more than curl:\n{script}"
    );
}

//! `callout import sfdx|wsdl|openapi|insomnia|bruno|har`, `callout
//! credential export` and `callout history mock` as a user runs them: a WSDL
//! fetched over HTTP becomes a collection whose `query` recovers from the
//! session fault against the sandbox, and that send becomes an Apex mock;
//! Salesforce metadata comes in as credentials and goes back out as files;
//! a broken file is named with its place and nothing is written.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::{TestHome, assert_ok, stderr, stdout};

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures")
        .join(relative)
}

/// A loopback server answering every request with one document (or a 404
/// for any path but `path`).
struct Served {
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl Served {
    fn start(path: &'static str, document: String) -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let thread = {
            let server = Arc::clone(&server);
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    let response = if request.url() == path {
                        tiny_http::Response::from_string(document.clone())
                    } else {
                        tiny_http::Response::from_string("not here").with_status_code(404)
                    };
                    let _ = request.respond(response);
                }
            })
        };
        Self {
            server,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!(
            "http://{}{path}",
            self.server.server_addr().to_ip().unwrap()
        )
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The collections directory's entries (hidden ones too).
fn collections(home: &TestHome) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(home.path().join("collections"))
        .map(|entries| {
            entries
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_wsdl_from_a_url_is_sent_through_a_credential_recovers_and_becomes_an_apex_mock() {
    let wsdl = std::fs::read_to_string(fixture("wsdl/partner.wsdl")).unwrap();
    let served = Served::start("/partner.wsdl", wsdl);
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();

    let dry = home.run(&["import", "wsdl", &served.url("/partner.wsdl"), "--dry-run"]);
    assert_ok(&dry);
    let out = stdout(&dry);
    assert!(out.contains("SforceService Soap/query.toml"), "{out}");
    assert!(out.ends_with("(dry run: nothing written)\n"), "{out}");
    assert!(
        !collections(&home)
            .iter()
            .any(|name| name == "SforceService"),
        "a dry run writes nothing"
    );

    let import = home.run(&["import", "wsdl", &served.url("/partner.wsdl")]);
    assert_ok(&import);
    let out = stdout(&import);
    assert!(
        out.contains("opened in the app; send one with: callout send --saved \"SforceService/"),
        "{out}"
    );
    // The app's open collections list it.
    let listed = stdout(&home.run(&["collection", "list"]));
    assert!(listed.contains("SforceService"), "{listed}");

    // What a user does next: a credential of the org, the collection's
    // endpoint pointed at it as the import's note says, the query written.
    home.add(
        &sandbox,
        "Sandbox",
        "password",
        &["--allow-merge-fields-in-body"],
    );
    assert_ok(&home.authorize_sandbox_user("Sandbox"));
    assert_ok(&home.run(&[
        "env",
        "set",
        "endpoint=callout:Sandbox",
        "--collection",
        "SforceService",
    ]));
    let query = home
        .path()
        .join("collections/SforceService/SforceService Soap/query.toml");
    let saved = std::fs::read_to_string(&query).unwrap();
    let written = saved.replace(
        "<urn:queryString>?</urn:queryString>",
        "<urn:queryString>SELECT Id, Name FROM Account</urn:queryString>",
    );
    assert_ne!(written, saved, "the skeleton has the query string to fill");
    std::fs::write(&query, written).unwrap();

    // The session dies at the provider; the send recovers from the fault.
    let token = stdout(&home.run(&["token", "Sandbox"])).trim().to_string();
    assert!(sandbox.expire_access_token(&token));
    let send = home.run(&[
        "send",
        "--saved",
        "SforceService/SforceService Soap/query",
        "--json",
    ]);
    assert_ok(&send);
    let json: serde_json::Value = serde_json::from_slice(&send.stdout).unwrap();
    assert_eq!(json["status"], 200, "{json:#}");
    assert_eq!(
        crate::common::attempt_steps(&json),
        ["sent", "refreshed", "sent"]
    );
    assert_eq!(
        json["attempts"][0]["verdict"]["rule"],
        "soap.invalid_session"
    );

    // That send, kept in the history, as an Apex mock of both answers.
    let history: serde_json::Value =
        serde_json::from_slice(&home.run(&["history", "--json"]).stdout).unwrap();
    let id = history[0]["id"].as_i64().expect("the send was kept");
    let mock = home.run(&[
        "history",
        "mock",
        &id.to_string(),
        "--class",
        "PartnerQueryMock",
    ]);
    assert_ok(&mock);
    let apex = stdout(&mock);
    assert!(
        apex.contains("public class PartnerQueryMock implements HttpCalloutMock"),
        "{apex}"
    );
    let fault = apex
        .find("INVALID_SESSION_ID")
        .expect("the fault is answered");
    let answer = apex.find("queryResponse").expect("then the answer");
    assert!(fault < answer, "the fault comes first");
    assert!(apex.contains("setStatusCode(500)"), "{apex}");
    assert!(apex.contains("setStatusCode(200)"), "{apex}");
    let fresh = stdout(&home.run(&["token", "Sandbox"])).trim().to_string();
    assert!(
        !apex.contains(&fresh) && !apex.contains(&token),
        "no token in the mock"
    );

    // Only the final answer, as static resources in a project.
    let project = home.path().join("project");
    let resources = home.run(&[
        "history",
        "mock",
        &id.to_string(),
        "--final-only",
        "--class",
        "PartnerQuery",
        "--static-resources",
        project.to_str().unwrap(),
    ]);
    assert_ok(&resources);
    let body = std::fs::read_to_string(
        project.join("force-app/main/default/staticresources/PartnerQuery_1.resource"),
    )
    .unwrap();
    assert!(body.contains("queryResponse"), "{body}");
    assert!(
        stdout(&resources).contains("StaticResourceCalloutMock"),
        "{}",
        stdout(&resources)
    );
}

#[test]
fn a_url_that_does_not_answer_a_document_is_named_with_its_status() {
    let served = Served::start("/partner.wsdl", String::new());
    let home = TestHome::new();
    let missing = served.url("/nope.wsdl");
    let import = home.run(&["import", "wsdl", &missing]);
    assert_eq!(import.status.code(), Some(2));
    assert_eq!(
        stderr(&import).trim(),
        format!(
            "callout import: cannot import the WSDL: cannot fetch {missing}: the server \
             answered HTTP 404"
        )
    );
}

#[test]
fn salesforce_metadata_comes_in_as_credentials_and_goes_back_out_as_files() {
    let home = TestHome::new();
    let project = fixture("sfdx/acme-project");
    let dry = home.run(&["import", "sfdx", project.to_str().unwrap(), "--dry-run"]);
    assert_ok(&dry);
    assert!(
        stdout(&dry).contains("credential Acme_ERP (would be added)"),
        "{}",
        stdout(&dry)
    );
    assert!(home.store().load().unwrap().get("Acme_ERP").is_err());

    let import = home.run(&["import", "sfdx", project.to_str().unwrap()]);
    assert_ok(&import);
    let out = stdout(&import);
    assert!(out.contains("credential Acme_ERP (added)"), "{out}");
    assert!(
        out.contains(
            "to supply: consumer secret of Auth Provider Acme_Login: `callout credential edit \
             Acme_ERP --client-secret-stdin`"
        ),
        "{out}"
    );
    // Again: the credentials exist and are kept as they are.
    let again = stdout(&home.run(&["import", "sfdx", project.to_str().unwrap()]));
    assert!(
        again.contains("credential Acme_ERP (exists, kept as it is)"),
        "{again}"
    );

    let out_dir = home.path().join("deploy");
    let export = home.run(&[
        "credential",
        "export",
        "Acme_ERP",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_ok(&export);
    let named = "force-app/main/default/namedCredentials/Acme_ERP.namedCredential-meta.xml";
    assert!(stdout(&export).contains(named), "{}", stdout(&export));
    let written = std::fs::read_to_string(out_dir.join(named)).unwrap();
    let original = std::fs::read_to_string(project.join(named)).unwrap();
    // Field for field (the Auth Provider is named after the credential: a
    // name Salesforce only uses as a reference).
    for field in [
        "<endpoint>",
        "<principalType>",
        "<protocol>",
        "<generateAuthorizationHeader>",
        "<oauthScope>",
    ] {
        let line = |text: &str| {
            text.lines()
                .find(|line| line.contains(field))
                .map(str::trim)
                .map(String::from)
        };
        assert_eq!(line(&written), line(&original), "{field}");
    }
    // Exported again: the same files, said to be replaced.
    let again = stdout(&home.run(&[
        "credential",
        "export",
        "Acme_ERP",
        "--out",
        out_dir.to_str().unwrap(),
    ]));
    assert!(again.contains(&format!("{named} (replaced)")), "{again}");
}

#[test]
fn each_document_kind_is_imported_into_a_directory_of_its_own() {
    let home = TestHome::new();
    for (kind, file, request) in [
        (
            "openapi",
            "openapi/orders.openapi31.yaml",
            "Orders/list-orders.toml",
        ),
        ("insomnia", "insomnia/acme-v4.json", ""),
        ("bruno", "bruno", "Accounts/create-account.toml"),
        ("har", "har/shop.chrome.har", ""),
    ] {
        let into = home.path().join(format!("into-{kind}"));
        let import = home.run(&[
            "import",
            kind,
            fixture(file).to_str().unwrap(),
            "--into",
            into.to_str().unwrap(),
        ]);
        assert_ok(&import);
        assert!(into.join("collection.toml").exists(), "{kind}");
        if !request.is_empty() {
            assert!(into.join(request).exists(), "{kind}: {}", stdout(&import));
        }
        assert!(
            stdout(&import).contains(&format!("--collection {}", into.display())),
            "{kind}: {}",
            stdout(&import)
        );
    }
}

#[test]
fn a_broken_file_is_named_with_its_place_and_nothing_is_written() {
    let home = TestHome::new();
    let broken = home.path().join("broken.yaml");
    std::fs::write(&broken, "openapi: 3.0.3\ninfo:\n  title: [unclosed\n").unwrap();
    let before = collections(&home);
    let import = home.run(&["import", "openapi", broken.to_str().unwrap()]);
    assert_eq!(import.status.code(), Some(2), "{}", stdout(&import));
    let error = stderr(&import);
    assert!(
        error.starts_with("callout import: cannot import the OpenAPI document:"),
        "{error}"
    );
    assert!(error.contains("line"), "the place is named: {error}");
    assert_eq!(collections(&home), before, "nothing is written");

    let into = home.path().join("kept-out");
    let import = home.run(&[
        "import",
        "har",
        broken.to_str().unwrap(),
        "--into",
        into.to_str().unwrap(),
    ]);
    assert_eq!(import.status.code(), Some(2));
    assert!(!into.exists(), "nothing is written");
}

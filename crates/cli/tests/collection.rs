//! A collection kept in a folder (as in a git repository): made with
//! `callout collection new`, a request written by hand, listed, and sent with
//! `callout send --saved`, the expired SOAP session refreshed and retried.

use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::{self, TestHome, assert_ok, stderr, stdout};

const SOAP_REQUEST: &str = r#"# The partner API's query, as an org answers it.
name = "SOAP query"
method = "POST"
url = "callout:Sandbox/services/Soap/u/59.0"

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
  <soapenv:Header><urn:SessionHeader><urn:sessionId>{!$Credential.OAuthToken}</urn:sessionId></urn:SessionHeader></soapenv:Header>
  <soapenv:Body><urn:query><urn:queryString>SELECT Id, Name FROM Account</urn:queryString></urn:query></soapenv:Body>
</soapenv:Envelope>
'''
"#;

#[test]
fn a_request_file_in_a_collection_is_sent_by_its_name_and_recovers_from_the_soap_fault() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    home.add(
        &sandbox,
        "Sandbox",
        "client-credentials",
        &["--allow-merge-fields-in-body"],
    );
    assert_ok(&home.run(&["authorize", "Sandbox"]));
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
    let sent = home.run(&[
        "send",
        "--saved",
        "Salesforce/SOAP query",
        "--collection",
        dir_text,
        "--json",
    ]);
    assert_ok(&sent);
    let json: serde_json::Value = serde_json::from_slice(&sent.stdout).unwrap();
    assert_eq!(json["status"], 200, "{json:#}");
    assert_eq!(common::attempt_steps(&json), ["sent", "refreshed", "sent"]);
    assert_eq!(
        json["attempts"][0]["verdict"]["rule"],
        "soap.invalid_session"
    );

    let unknown = home.run(&[
        "send",
        "--saved",
        "Salesforce/Nope",
        "--collection",
        dir_text,
    ]);
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

//! A Salesforce org as a first-class provider: `--salesforce` fills in the
//! org's OAuth endpoints and callback, calls go to the org's instance as
//! the token response's `instance_url` names it, and the lifetime Salesforce
//! leaves out is learned by introspection.

use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::{self, TestHome, assert_ok, free_port, stderr, stdout};
use crate::send::SOAP_QUERY;

#[test]
fn salesforce_production_fills_in_the_org_endpoints_scopes_and_callback() {
    let mut home = TestHome::new();
    home.forget_on_drop("Prod");
    assert_ok(&home.run(&[
        "credential",
        "add",
        "Prod",
        "--salesforce",
        "production",
        "--client-id",
        "3MVG9-consumer-key",
    ]));
    let shown = stdout(&home.run(&["credential", "show", "Prod"]));
    for line in [
        "flow:            auth-code",
        "endpoint:        https://login.salesforce.com",
        "salesforce org:  production; calls go to the org's instance once authorized",
        "token url:       https://login.salesforce.com/services/oauth2/token",
        "auth url:        https://login.salesforce.com/services/oauth2/authorize",
        "issuer:          https://login.salesforce.com",
        "redirect uri:    http://localhost:1717/OauthRedirect",
        "scopes:          api refresh_token",
    ] {
        assert!(shown.contains(line), "{line:?} in\n{shown}");
    }
    let sandbox_org = home.run(&[
        "credential",
        "add",
        "Test_Org",
        "--salesforce",
        "sandbox",
        "--client-id",
        "key",
    ]);
    assert_ok(&sandbox_org);
    home.forget_on_drop("Test_Org");
    assert!(
        stdout(&home.run(&["credential", "show", "Test_Org"]))
            .contains("token url:       https://test.salesforce.com/services/oauth2/token")
    );
    let wrong = home.run(&[
        "credential",
        "add",
        "Nope",
        "--salesforce",
        "acme.my.salesforce.com",
        "--client-id",
        "key",
    ]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        stderr(&wrong).contains(
            "Salesforce org \"acme.my.salesforce.com\" is neither production, sandbox nor a \
             login URL"
        ),
        "{}",
        stderr(&wrong)
    );
}

#[test]
fn a_salesforce_org_credential_calls_the_instance_learns_its_lifetime_and_recovers_from_the_soap_fault()
 {
    let callback = format!("http://localhost:{}/OauthRedirect", free_port());
    let sandbox = Sandbox::start(SandboxConfig {
        redirect_uris: vec![callback.clone()],
        ..SandboxConfig::salesforce()
    })
    .unwrap();
    assert_ne!(sandbox.instance_url(), sandbox.base_url());
    let mut home = TestHome::new();
    home.forget_on_drop("Org");
    assert_ok(&home.run_with_stdin(
        &[
            "credential",
            "add",
            "Org",
            "--salesforce",
            &sandbox.base_url(),
            "--client-id",
            sandbox.client_id(),
            "--client-secret-stdin",
            "--redirect-uri",
            &callback,
            "--allow-merge-fields-in-body",
        ],
        &format!("{}\n", sandbox.client_secret()),
    ));
    assert_ok(&home.authorize_in_browser("Org"));
    let shown = stdout(&home.run(&["credential", "show", "Org"]));
    assert!(
        shown.contains(&format!(
            "calls go to its instance {}",
            sandbox.instance_url()
        )),
        "{shown}"
    );

    // Salesforce sends no expires_in: the lifetime comes from introspection.
    let token = home.run(&["token", "Org", "--json"]);
    assert_ok(&token);
    let json: serde_json::Value = serde_json::from_slice(&token.stdout).unwrap();
    assert_eq!(json["expirySource"], "introspection", "{json:#}");
    let access = json["accessToken"].as_str().unwrap().to_string();

    let rest = home.run(&[
        "send",
        "callout:Org/services/data/v59.0/query?q=SELECT+Id,Name+FROM+Account",
        "--json",
    ]);
    assert_ok(&rest);
    let json: serde_json::Value = serde_json::from_slice(&rest.stdout).unwrap();
    assert_eq!(json["status"], 200, "{json:#}");
    assert!(
        json["attempts"][0]["request"]["url"]
            .as_str()
            .unwrap()
            .starts_with(&sandbox.instance_url()),
        "{json:#}"
    );

    assert!(sandbox.expire_access_token(&access));
    let soap = home.send_soap("callout:Org/services/Soap/u/59.0", SOAP_QUERY);
    assert_ok(&soap);
    let json: serde_json::Value = serde_json::from_slice(&soap.stdout).unwrap();
    assert_eq!(json["status"], 200, "{json:#}");
    assert_eq!(common::attempt_steps(&json), ["sent", "refreshed", "sent"]);
    assert_eq!(json["attempts"][0]["status"], 500);
    assert_eq!(
        json["attempts"][0]["verdict"]["rule"],
        "soap.invalid_session"
    );

    let stats = sandbox.stats();
    assert_eq!(stats.api_count("salesforce_rest", "ok"), 1, "{stats:?}");
    assert_eq!(stats.api_count("salesforce_soap", "ok"), 1, "{stats:?}");
    assert_eq!(stats.token_count("refresh_token", "ok"), 1, "{stats:?}");
    assert!(
        !format!("{stats:?}").contains("login_host"),
        "nothing went to the login host: {stats:?}"
    );
}

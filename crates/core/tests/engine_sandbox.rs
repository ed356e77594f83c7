//! The engine against the embedded sandbox: a SOAP callout whose session was
//! expired is detected (HTTP 500 `INVALID_SESSION_ID`), refreshed by the
//! keychain-backed refresher the app and the CLI use, over the sandbox's real
//! token endpoint, and retried to a 200; Salesforce's verdict on the same 500
//! says it would not have refreshed. Needs the keychain (the desktop session).

use callout_core::credential::{Credential, CredentialSecrets, CredentialSet};
use callout_core::send::{Attempt, Call, Draft, Sender, Timeouts};
use callout_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

use crate::common::DeadSession;

/// Calls the sandbox's token endpoint (RFC 6749 §5.1 JSON) with a form body.
async fn token_request(
    client: &reqwest::Client,
    sandbox: &Sandbox,
    fields: &[(&str, &str)],
) -> Result<Value, String> {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .extend_pairs([
            ("client_id", sandbox.client_id()),
            ("client_secret", sandbox.client_secret()),
        ])
        .finish();
    let response = client
        .post(sandbox.token_url())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|error| error.to_string())?;
    let status = response.status();
    let json: Value = response.json().await.map_err(|error| error.to_string())?;
    if status.is_success() {
        Ok(json)
    } else {
        Err(format!("token endpoint answered {status}: {json}"))
    }
}

fn soap_query() -> Draft {
    Draft::new("POST", "callout:Sandbox/services/Soap/u/59.0")
        .header("Content-Type", "text/xml; charset=UTF-8")
        .header("SOAPAction", "query")
        .body(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">
  <soapenv:Header>
    <urn:SessionHeader><urn:sessionId>{!$Credential.OAuthToken}</urn:sessionId></urn:SessionHeader>
  </soapenv:Header>
  <soapenv:Body>
    <urn:query><urn:queryString>SELECT Id, Name FROM Account LIMIT 2</urn:queryString></urn:query>
  </soapenv:Body>
</soapenv:Envelope>"#,
        )
}

#[tokio::test]
async fn an_expired_soap_session_is_refreshed_and_retried_against_the_sandbox() {
    // Authorized (tokens in the keychain), then the session dies at the
    // provider while the clock still calls it valid.
    let session = DeadSession::start(SandboxConfig {
        rotate_refresh_tokens: true,
        ..SandboxConfig::default()
    })
    .await;
    assert_eq!(
        session.secrets.access_token.as_ref(),
        Some(&session.seeded.access_token)
    );

    let outcome = session.send(&soap_query()).await;
    let first = session.refreshed_and_retried(&outcome);
    assert!(
        first
            .reason
            .starts_with("HTTP 500 carries a SOAP 1.1 fault with fault code "),
        "{}",
        first.reason
    );
    assert!(
        !first.salesforce.would_refresh,
        "Salesforce never refreshes on a 500"
    );
    assert!(
        first.salesforce.reason.contains("never on 5xx"),
        "{}",
        first.salesforce.reason
    );

    // The new token is different and stored; the rotated refresh token was
    // kept in the keychain, and it is the one the provider now honours.
    let fresh = outcome.refreshed.unwrap().access_token.unwrap();
    let stored = session.home.authorization("Sandbox").tokens.unwrap();
    assert_eq!(
        stored.access_token, fresh,
        "the keychain holds the new token"
    );
    let kept = stored.refresh_token.unwrap();
    assert_ne!(
        Some(&kept),
        session.seeded.refresh_token.as_ref(),
        "the keychain holds the rotated refresh token, not the one spent"
    );
    token_request(
        session.sender.client(),
        &session.sandbox,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", kept.expose()),
        ],
    )
    .await
    .expect("the kept refresh token is the live one");
}

#[tokio::test]
async fn a_rest_401_is_one_salesforce_would_refresh_too() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let sender = Sender::new(Timeouts::default()).unwrap();
    let tokens = token_request(
        sender.client(),
        &sandbox,
        &[("grant_type", "client_credentials")],
    )
    .await
    .unwrap();
    let access = tokens["access_token"].as_str().unwrap().to_string();
    assert!(sandbox.expire_access_token(&access));

    let credentials =
        CredentialSet::new(vec![Credential::new("Sandbox", sandbox.base_url())]).unwrap();
    let draft = Draft::new(
        "GET",
        "callout:Sandbox/services/data/v59.0/query?q=SELECT+Id+FROM+Account",
    );
    let outcome = sender
        .send(
            &Call::resolve(&draft, &credentials).unwrap(),
            &CredentialSecrets::with_token(access),
            None,
        )
        .await
        .unwrap();
    assert_eq!(outcome.response.status, 401);
    assert!(outcome.verdict.expired);
    assert_eq!(
        outcome.verdict.rule.as_deref(),
        Some("salesforce.rest.invalid_session")
    );
    assert!(outcome.verdict.salesforce.would_refresh);
    assert!(matches!(
        outcome.attempts.last(),
        Some(Attempt::RefreshSkipped { .. })
    ));
}

//! The engine against the embedded sandbox: a SOAP callout whose session was
//! expired is detected (HTTP 500 `INVALID_SESSION_ID`), refreshed through a
//! sandbox-backed refresher over the real token endpoint, and retried to a
//! 200; Salesforce's verdict on the same 500 says it would not have refreshed.

#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

use std::sync::Mutex;

use callout_core::credential::{Credential, CredentialSecrets, CredentialSet};
use callout_core::detect::Verdict;
use callout_core::sandbox::{Sandbox, SandboxConfig};
use callout_core::send::{Attempt, Draft, RefreshFuture, Refresher, Sender, Timeouts};
use callout_core::{Error, Secret};
use serde_json::Value;

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

/// A refresher that uses the sandbox's refresh_token grant and keeps the
/// rotated refresh token, as the real OAuth refresher will.
struct SandboxRefresher<'s> {
    sandbox: &'s Sandbox,
    client: reqwest::Client,
    refresh_token: Mutex<Secret>,
}

impl Refresher for SandboxRefresher<'_> {
    fn refresh<'a>(
        &'a self,
        credential: &'a Credential,
        _: &'a Verdict,
        _: &'a CredentialSecrets,
    ) -> RefreshFuture<'a> {
        Box::pin(async move {
            let current = self.refresh_token.lock().unwrap().clone();
            let json = token_request(
                &self.client,
                self.sandbox,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", current.expose()),
                ],
            )
            .await
            .map_err(|detail| Error::Refresh {
                credential: credential.name.clone(),
                detail,
            })?;
            if let Some(rotated) = json["refresh_token"].as_str() {
                *self.refresh_token.lock().unwrap() = Secret::new(rotated);
            }
            let access = json["access_token"]
                .as_str()
                .ok_or_else(|| Error::Refresh {
                    credential: credential.name.clone(),
                    detail: "the token response has no access_token".into(),
                })?;
            Ok(CredentialSecrets::with_token(access))
        })
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
    let sandbox = Sandbox::start(SandboxConfig {
        port: 0,
        rotate_refresh_tokens: true,
        ..SandboxConfig::default()
    })
    .unwrap();
    let sender = Sender::new(Timeouts::default()).unwrap();

    // Authorize with the password grant over HTTP, then let the session die.
    let username = sandbox.config().username.clone();
    let password = sandbox.config().password.clone();
    let tokens = token_request(
        sender.client(),
        &sandbox,
        &[
            ("grant_type", "password"),
            ("username", &username),
            ("password", &password),
        ],
    )
    .await
    .unwrap();
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();
    assert!(sandbox.expire_access_token(&access));

    let mut credential = Credential::new("Sandbox", sandbox.base_url());
    credential.client_id = Some(sandbox.client_id().to_string());
    credential.token_url = Some(sandbox.token_url());
    credential.salesforce.allow_merge_fields_in_body = true;
    let credentials = CredentialSet::new(vec![credential]).unwrap();
    let refresher = SandboxRefresher {
        sandbox: &sandbox,
        client: sender.client().clone(),
        refresh_token: Mutex::new(Secret::new(refresh.clone())),
    };

    let outcome = sender
        .send(
            &soap_query(),
            &credentials,
            &CredentialSecrets::with_token(access.clone()),
            Some(&refresher),
        )
        .await
        .unwrap();

    match &outcome.attempts[..] {
        [
            Attempt::Sent {
                number: 1,
                status: 500,
                verdict: first,
                ..
            },
            Attempt::Refreshed { trigger, .. },
            Attempt::Sent {
                number: 2,
                status: 200,
                verdict: second,
                ..
            },
        ] => {
            assert!(first.expired);
            assert_eq!(first.rule.as_deref(), Some("soap.invalid_session"));
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
            assert_eq!(trigger.as_deref(), Some("soap.invalid_session"));
            assert!(!second.expired, "{second:#?}");
        }
        other => panic!("unexpected attempts: {other:#?}"),
    }
    assert_eq!(outcome.response.status, 200);
    assert!(outcome.response.body.text().contains("queryResponse"));

    // The new token is live and different; the rotated refresh token was kept.
    let fresh = outcome.refreshed.unwrap().access_token.unwrap();
    assert_ne!(fresh.expose(), access);
    assert_ne!(refresher.refresh_token.lock().unwrap().expose(), refresh);
    let stats = sandbox.stats();
    assert_eq!(stats.token_count("refresh_token", "ok"), 1);
    assert_eq!(stats.api_count("salesforce_soap", "invalid_session"), 1);
    assert_eq!(stats.api_count("salesforce_soap", "ok"), 1);
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
            &draft,
            &credentials,
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

//! A request imported from a WSDL, sent as it came in: the partner WSDL's
//! `query`, its `SessionHeader` holding `{!$Credential.OAuthToken}`, sent
//! through a credential (the collection's `endpoint = "callout:Sandbox"`)
//! to the embedded sandbox after the session died there: the SOAP 500
//! `INVALID_SESSION_ID` is detected, the token refreshed, and the retry
//! answers 200. Needs the keychain (the desktop session).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use callout_core::credential::{AuthProtocol, CredentialSet};
use callout_core::interop::wsdl;
use callout_core::oauth::KeychainRefresher;
use callout_core::send::{Attempt, Call, Sender, Timeouts};
use callout_core::variables::{Scope, Variables};
use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::TestHome;

#[tokio::test]
async fn the_partner_wsdls_query_is_refreshed_and_retried_against_the_sandbox() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/wsdl/partner.wsdl"
    );
    let incoming = wsdl::import(&std::fs::read_to_string(path).unwrap(), "partner.wsdl").unwrap();
    let mut query = incoming
        .requests
        .iter()
        .find(|incoming| incoming.request.name == "query")
        .expect("the partner WSDL's query operation")
        .request
        .clone();
    let skeleton = query.body.take().unwrap();
    let written = skeleton.replace(
        "<urn:queryString>?</urn:queryString>",
        "<urn:queryString>SELECT Id, Name FROM Account</urn:queryString>",
    );
    assert_ne!(
        written, skeleton,
        "the skeleton has the query string to fill in"
    );
    query.body = Some(written);

    // The collection's variables, its endpoint pointed at the credential
    // as the import's note says.
    let mut values = incoming.variables.clone();
    assert_eq!(values["endpoint"], "https://login.salesforce.com");
    values.insert("endpoint".into(), "callout:Sandbox".into());
    let (draft, _) = Variables::new(vec![Scope::new("collection", values)])
        .apply(&query.draft())
        .unwrap();
    assert_eq!(draft.url, "callout:Sandbox/services/Soap/u/59.0");

    let sandbox = Sandbox::start(SandboxConfig {
        port: 0,
        ..SandboxConfig::default()
    })
    .unwrap();
    let sender = Sender::new(Timeouts::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add_with(
        &sandbox,
        "Sandbox",
        AuthProtocol::AuthorizationCode,
        |credential| credential.salesforce.allow_merge_fields_in_body = true,
    );
    // Authorized, then the session dies at the provider while the clock
    // still calls it valid.
    let seeded = home.seed(
        &sandbox,
        "Sandbox",
        SystemTime::now() + Duration::from_secs(3_600),
    );
    assert!(sandbox.expire_access_token(seeded.access_token.expose()));

    let refresher = KeychainRefresher::new(Arc::clone(&home.service), None);
    let secrets = refresher.secrets(&credential).await.unwrap();
    let credentials = CredentialSet::new(vec![credential]).unwrap();
    let outcome = sender
        .send(
            &Call::resolve(&draft, &credentials).unwrap(),
            &secrets,
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
            assert!(first.expired, "{first:#?}");
            assert_eq!(first.rule.as_deref(), Some("soap.invalid_session"));
            assert_eq!(trigger.as_deref(), Some("soap.invalid_session"));
            assert!(!second.expired, "{second:#?}");
        }
        other => panic!("unexpected attempts: {other:#?}"),
    }
    assert_eq!(outcome.response.status, 200);
    let answer = outcome.response.body.text();
    assert!(answer.contains("queryResponse"), "{answer}");
    let fresh = outcome.refreshed.unwrap().access_token.unwrap();
    assert_ne!(fresh, seeded.access_token);
    // The sandbox saw the session header's token twice: the dead one, then
    // the fresh one.
    let stats = sandbox.stats();
    assert_eq!(stats.api_count("salesforce_soap", "invalid_session"), 1);
    assert_eq!(stats.api_count("salesforce_soap", "ok"), 1);
    assert_eq!(stats.token_count("refresh_token", "ok"), 1);
}

//! A request imported from a WSDL, sent as it came in: the partner WSDL's
//! `query`, its `SessionHeader` holding `{!$Credential.OAuthToken}`, sent
//! through a credential (the collection's `endpoint = "callout:Sandbox"`)
//! to the embedded sandbox after the session died there: the SOAP 500
//! `INVALID_SESSION_ID` is detected, the token refreshed, and the retry
//! answers 200. Needs the keychain (the desktop session).

use callout_core::interop::wsdl;
use callout_core::variables::{Scope, Variables};
use callout_sandbox::SandboxConfig;

use crate::common::DeadSession;

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

    // Authorized, then the session dies at the provider while the clock
    // still calls it valid: the sandbox sees the session header's dead
    // token, then the fresh one.
    let session = DeadSession::start(SandboxConfig::default()).await;
    let outcome = session.send(&draft).await;
    session.refreshed_and_retried(&outcome);
}

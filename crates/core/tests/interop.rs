#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

//! Requests out as curl and Apex (snapshots of the sample requests, as
//! people read them) and curl in and out again.

use callout_core::credential::{AuthProtocol, ClientAuth, Credential, CredentialSet};
use callout_core::interop::{apex, curl, postman};
use callout_core::requests::{BodyKind, samples};
use callout_core::send::Draft;

fn sandbox_credentials() -> CredentialSet {
    let mut sandbox = Credential::new("Sandbox", "http://127.0.0.1:7777");
    sandbox.client_id = Some("callout-lab-sandbox".into());
    CredentialSet::new(vec![sandbox]).unwrap()
}

fn slug(name: &str) -> String {
    name.to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

#[test]
fn sample_requests_as_apex() {
    let credentials = sandbox_credentials();
    for sample in samples("Sandbox") {
        let snippet = apex::export(&sample.draft(), &credentials).unwrap();
        insta::assert_snapshot!(format!("apex_{}", slug(&sample.name)), snippet);
    }
}

#[test]
fn sample_requests_as_curl() {
    let credentials = sandbox_credentials();
    for sample in samples("Sandbox") {
        let command = curl::export(&sample.draft(), &credentials).unwrap();
        insta::assert_snapshot!(format!("curl_{}", slug(&sample.name)), command);
    }
}

#[test]
fn only_the_soap_sample_gets_the_refresh_workaround() {
    let credentials = sandbox_credentials();
    for sample in samples("Sandbox") {
        let snippet = apex::export(&sample.draft(), &credentials).unwrap();
        assert_eq!(
            snippet.contains("Salesforce will NOT refresh this token"),
            sample.name.contains("SOAP"),
            "{}",
            sample.name
        );
    }
}

#[test]
fn an_exported_curl_never_holds_the_token_and_reads_back_as_the_resolved_request() {
    let credentials = sandbox_credentials();
    let soap = samples("Sandbox").remove(0);
    let command = curl::export(&soap.draft(), &credentials).unwrap();
    assert!(command.starts_with("CALLOUT_TOKEN=\"$(callout token Sandbox)\"\n"));
    // Everything after the first line is the curl command itself.
    let (_, curl_command) = command.split_once('\n').unwrap();
    let back = curl::import(curl_command, &|_| unreachable!("no files"))
        .unwrap()
        .draft;
    assert_eq!(back.url, "http://127.0.0.1:7777/services/Soap/u/59.0");
    assert_eq!(back.method, "POST");
    let body = back.body.unwrap();
    assert!(
        body.contains("<urn:sessionId>$CALLOUT_TOKEN</urn:sessionId>"),
        "{body}"
    );
    assert_eq!(
        back.headers
            .last()
            .map(|h| (h.name.as_str(), h.value.as_str())),
        Some(("Authorization", "Bearer $CALLOUT_TOKEN"))
    );
}

#[test]
fn curl_goes_round_trip_through_a_request() {
    let commands = [
        "curl https://api.example.com/v1/accounts",
        "curl -X DELETE https://api.example.com/v1/accounts/42 \\\n  -H 'If-Match: \"abc\"'",
        "curl https://api.example.com/soap \\\n  -H 'Content-Type: text/xml' \\\n  --data-raw \
         '<a>\n  <b>it'\\''s</b>\n</a>'",
    ];
    for command in commands {
        let draft: Draft = curl::import(command, &|_| unreachable!("no files"))
            .unwrap()
            .draft;
        let exported = curl::export(&draft, &CredentialSet::default()).unwrap();
        assert_eq!(exported.trim_end(), command, "{draft:?}");
    }
}

#[test]
fn a_postman_collection_comes_in_with_folders_bodies_and_credential_drafts_but_no_secrets() {
    let json = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/postman/acme_crm.postman_collection.json"
    ))
    .unwrap();
    let collection = postman::import(&json).unwrap();
    assert_eq!(collection.name, "Acme CRM API");
    let listed: Vec<(String, String, String)> = collection
        .requests
        .iter()
        .map(|r| (r.name.clone(), r.method.clone(), r.url.clone()))
        .collect();
    let expect = |name: &str, method: &str, url: &str| {
        (name.to_string(), method.to_string(), url.to_string())
    };
    assert_eq!(
        listed,
        [
            expect(
                "Accounts / List accounts",
                "GET",
                "callout:Acme_CRM_API/v2/accounts?limit=50&offset=0"
            ),
            expect(
                "Accounts / Get account",
                "GET",
                "callout:Acme_CRM_API/v2/accounts/{{accountId}}"
            ),
            expect(
                "Accounts / Create account",
                "POST",
                "callout:Acme_CRM_API/v2/accounts"
            ),
            expect(
                "Accounts / Update account",
                "PATCH",
                "callout:Acme_CRM_API/v2/accounts/42"
            ),
            expect(
                "Accounts / Delete account",
                "DELETE",
                "callout:Acme_CRM_API/v2/accounts/42"
            ),
            expect(
                "Contacts / Search / By email",
                "GET",
                "callout:Acme_CRM_API/v2/contacts?email=jane%40globex.example"
            ),
            expect(
                "Contacts / Search / GraphQL search",
                "POST",
                "callout:Acme_CRM_API/graphql"
            ),
            expect(
                "Contacts / Import contacts (form)",
                "POST",
                "callout:Acme_CRM_API/v2/contacts/import"
            ),
            expect(
                "Contacts / Upload photo",
                "POST",
                "callout:Acme_CRM_API/v2/contacts/7/photo"
            ),
            expect(
                "Orders (legacy SOAP) / Get order",
                "POST",
                "callout:Acme_CRM_API_2/soap/orders"
            ),
            expect(
                "Orders (legacy SOAP) / Cancel order",
                "POST",
                "callout:Acme_CRM_API_2/soap/orders"
            ),
            expect("Health", "GET", "https://api.acme.example/health"),
            expect(
                "Partner webhook",
                "POST",
                "https://hooks.partner.example/acme"
            ),
            expect(
                "Metrics (basic auth)",
                "GET",
                "https://metrics.acme.example/v1/summary"
            ),
        ]
    );
    let by_name = |name: &str| {
        collection
            .requests
            .iter()
            .find(|r| r.name.ends_with(name))
            .unwrap()
    };
    // Disabled headers stay out; bodies keep their kind.
    assert_eq!(by_name("List accounts").headers.len(), 1);
    assert_eq!(by_name("Create account").body_kind, BodyKind::Json);
    assert_eq!(by_name("Get order").body_kind, BodyKind::Xml);
    assert_eq!(
        by_name("Import contacts (form)").body.as_deref(),
        Some("source=trade+fair&tags=a%26b")
    );
    assert_eq!(
        by_name("GraphQL search").body.as_deref(),
        Some(
            r#"{"query":"query($q: String!) { contacts(q: $q) { id name } }","variables":{"q":"jane"}}"#
        )
    );
    assert_eq!(by_name("Upload photo").body, None);
    assert_eq!(
        by_name("Partner webhook").headers.last().unwrap().value,
        "Bearer {!$Credential.OAuthToken}"
    );

    // Two OAuth 2 configurations, two drafts; each valid, none with a secret.
    assert_eq!(collection.credentials.len(), 2);
    let acme = &collection.credentials[0];
    assert_eq!(acme.name, "Acme_CRM_API");
    assert_eq!(acme.endpoint, "https://api.acme.example");
    assert_eq!(acme.protocol, AuthProtocol::AuthorizationCode);
    assert_eq!(
        acme.token_url.as_deref(),
        Some("https://login.acme.example/oauth2/token")
    );
    assert_eq!(
        acme.scopes,
        ["accounts.read", "accounts.write", "offline_access"]
    );
    let legacy = &collection.credentials[1];
    assert_eq!(legacy.name, "Acme_CRM_API_2");
    assert_eq!(legacy.protocol, AuthProtocol::ClientCredentials);
    assert_eq!(legacy.client_auth, ClientAuth::Body);
    for credential in &collection.credentials {
        credential.validate().unwrap();
    }

    // What was left out is said.
    let notes = collection.notes.join("\n");
    for expected in [
        "credential Acme_CRM_API: the client secret was not imported",
        "credential Acme_CRM_API: the collection's saved access token was not imported",
        "credential Acme_CRM_API_2: the client secret was not imported",
        "\"Contacts / Upload photo\": its formdata body was not imported",
        "\"Partner webhook\": its bearer token was not imported",
        "\"Metrics (basic auth)\": basic authentication was not imported",
        "{{accountId}} has no value",
    ] {
        assert!(
            notes.contains(expected),
            "missing note {expected:?} in:\n{notes}"
        );
    }

    // No secret of the collection made it into what would be saved.
    let saved = format!(
        "{}{}",
        serde_json::to_string(&collection.requests).unwrap(),
        serde_json::to_string(&collection.credentials).unwrap()
    );
    assert_eq!(saved.matches("DO-NOT-LEAK").count(), 0, "{saved}");
}

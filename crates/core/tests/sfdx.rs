//! Salesforce metadata in, then used: the fixture SFDX project's
//! credentials imported, pointed at the embedded sandbox (its hosts stand in
//! for the provider's; everything else stays as imported), given the secret
//! the import says to supply, authorized and sent with. Needs the keychain
//! (the desktop session).

use std::path::PathBuf;

use callout_core::Secret;
use callout_core::credential::{AuthProtocol, ClientAuth, Credential, IdentityType};
use callout_core::credential_store::NewSecrets;
use callout_core::interop::sfdx::{self, SfdxImport};
use callout_core::send::{Draft, Sender, Timeouts};
use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::{self, TestHome};

fn fixture_project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sfdx/acme-project")
}

fn imported(imported: &SfdxImport, name: &str) -> Credential {
    imported
        .credentials
        .iter()
        .find(|credential| credential.name == name)
        .cloned()
        .unwrap_or_else(|| panic!("{name} was not imported: {:#?}", imported.notes))
}

/// Stores `credential` with `client_secret` in the keychain, as
/// `callout credential add` does; its keychain entries go when the test ends.
struct Stored<'a> {
    home: &'a TestHome,
    name: String,
}

impl<'a> Stored<'a> {
    fn new(home: &'a TestHome, credential: &Credential, client_secret: &str) -> Self {
        let secrets = NewSecrets {
            client_secret: Some(Secret::new(client_secret)),
            private_key: None,
            client_key: None,
        };
        home.service
            .store()
            .add_with_secrets(credential.clone(), &secrets)
            .unwrap();
        Self {
            home,
            name: credential.name.clone(),
        }
    }
}

impl Drop for Stored<'_> {
    fn drop(&mut self) {
        let _ = self.home.service.store().forget_secrets(&self.name);
    }
}

/// A REST query through `callout:NAME`: the status it answered.
async fn query(home: &TestHome, name: &str) -> u16 {
    let draft = Draft::new(
        "GET",
        format!("callout:{name}/services/data/v59.0/query?q=SELECT+Id+FROM+Account"),
    );
    let sender = Sender::new(Timeouts::default()).unwrap();
    let outcome = callout_core::actions::send::send(&sender, &home.service, &draft, None)
        .await
        .unwrap();
    outcome.response.status
}

#[tokio::test]
async fn an_imported_legacy_oauth_credential_signs_in_and_calls_the_sandbox() {
    let project = sfdx::import(&fixture_project()).unwrap();
    let mut credential = imported(&project, "Acme_ERP");
    // The legacy Named Credential and its Auth Provider, as imported.
    assert_eq!(credential.protocol, AuthProtocol::AuthorizationCode);
    assert_eq!(credential.client_auth, ClientAuth::Body);
    assert_eq!(credential.identity_type, IdentityType::NamedPrincipal);
    assert_eq!(credential.scopes, ["api", "refresh_token"]);
    assert!(credential.salesforce.allow_merge_fields_in_header);
    assert!(
        project.to_supply.contains(
            &"consumer secret of Auth Provider Acme_Login: `callout credential edit Acme_ERP \
              --client-secret-stdin`"
                .to_string()
        ),
        "{:#?}",
        project.to_supply
    );

    // The sandbox registers the Auth Provider's consumer key; its hosts
    // stand in for the org's provider and API.
    let client_id = credential.client_id.clone().unwrap();
    assert_eq!(client_id, "acme-erp-connected-app");
    let sandbox = Sandbox::start(SandboxConfig {
        client_id,
        ..SandboxConfig::default()
    })
    .unwrap();
    credential.endpoint = sandbox.base_url();
    credential.auth_url = Some(sandbox.authorize_url());
    credential.token_url = Some(sandbox.token_url());

    // The consumer secret the import asked for, supplied.
    let home = TestHome::new();
    let _stored = Stored::new(&home, &credential, sandbox.client_secret());
    let live = common::sign_in_in_browser(&home, &credential, "allow")
        .await
        .unwrap();
    assert!(live.tokens.refresh_token.is_some());
    assert_eq!(live.tokens.scopes, ["api", "refresh_token"]);
    assert_eq!(sandbox.stats().token_count("authorization_code", "ok"), 1);

    // A callout with it answers.
    assert_eq!(query(&home, "Acme_ERP").await, 200);
}

#[tokio::test]
async fn an_imported_client_credentials_external_credential_mints_at_the_sandbox() {
    let project = sfdx::import(&fixture_project()).unwrap();
    let mut credential = imported(&project, "Metrics_API");
    assert_eq!(credential.protocol, AuthProtocol::ClientCredentials);
    assert_eq!(
        credential.external_credential.as_deref(),
        Some("Metrics_Auth")
    );
    assert_eq!(
        credential.salesforce.additional_refresh_status_codes,
        [403, 409]
    );
    // The client id is the principal's, not in metadata: to supply.
    assert_eq!(credential.client_id, None);
    assert!(
        project.to_supply.iter().any(|line| line.starts_with(
            "client id and client secret of External Credential \
                                          Metrics_Auth's principal Metrics_Service"
        )),
        "{:#?}",
        project.to_supply
    );

    let sandbox = Sandbox::start(SandboxConfig {
        scopes: vec!["metrics.read".into()],
        ..SandboxConfig::default()
    })
    .unwrap();
    credential.client_id = Some(sandbox.client_id().to_string());
    credential.endpoint = sandbox.base_url();
    credential.token_url = Some(sandbox.token_url());
    let home = TestHome::new();
    let _stored = Stored::new(&home, &credential, sandbox.client_secret());
    let minted = home
        .service
        .authorize_client_credentials(&credential, None)
        .await
        .unwrap();
    assert!(minted.refreshed);
    assert_eq!(minted.tokens.scopes, ["metrics.read"]);
    assert_eq!(sandbox.stats().token_count("client_credentials", "ok"), 1);
    assert_eq!(query(&home, "Metrics_API").await, 200);
}

//! What the benchmarks send and store: SOAP envelopes with merge fields, a
//! 16 MB fault response, and a home in a temp dir whose secrets live in the
//! real keychain (forgotten again on drop).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use callout_core::Secret;
use callout_core::credential::{AuthProtocol, Credential, CredentialSecrets};
use callout_core::credential_store::{Authorization, Identity, NewSecrets};
use callout_core::home::Home;
use callout_core::oauth::{ExpirySource, TokenService, TokenSet};
use callout_core::send::Draft;
use callout_sandbox::Sandbox;

use crate::{BenchError, Result};

/// The size the request envelopes are padded to.
pub const ENVELOPE_BYTES: usize = 10 * 1024;

const SOAP_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">
  <soapenv:Header>
    <urn:SessionHeader><urn:sessionId>{!$Credential.OAuthToken}</urn:sessionId></urn:SessionHeader>
"#;

const SOAP_TAIL: &str = r#"  </soapenv:Header>
  <soapenv:Body>
    <urn:query><urn:queryString>SELECT Id, Name FROM Account LIMIT 2</urn:queryString></urn:query>
  </soapenv:Body>
</soapenv:Envelope>
"#;

/// A partner-API `query` envelope of about [`ENVELOPE_BYTES`]: the session
/// in its `SessionHeader` and `fields` (merge-field expressions) spread over
/// header elements, padded with debugging headers. Holds `1 + fields.len()`
/// merge fields.
pub fn envelope(fields: &[&str]) -> String {
    let mut xml = String::with_capacity(ENVELOPE_BYTES + 512);
    xml.push_str(SOAP_HEAD);
    let padding_block = "    <urn:DebuggingHeader><urn:categories><urn:category>Apex_code</urn:category>\
                         <urn:level>FINEST</urn:level></urn:categories></urn:DebuggingHeader>\n";
    let mut fields = fields.iter().peekable();
    let mut block = 0;
    while xml.len() + SOAP_TAIL.len() + padding_block.len() < ENVELOPE_BYTES
        || fields.peek().is_some()
    {
        match fields.next() {
            Some(field) if block % 2 == 0 => xml.push_str(&format!(
                "    <urn:CallOptions><urn:client>{field}</urn:client></urn:CallOptions>\n"
            )),
            Some(field) => {
                xml.push_str(&format!(
                    "    <urn:AssignmentRuleHeader><urn:assignmentRuleId>{field}</urn:assignmentRuleId></urn:AssignmentRuleHeader>\n"
                ));
            }
            None => xml.push_str(padding_block),
        }
        block += 1;
    }
    xml.push_str(SOAP_TAIL);
    xml
}

/// The merge fields of the send and recovery envelopes besides the session:
/// values every authorized credential has.
pub const SEND_FIELDS: [&str; 4] = [
    "{!$Credential.OAuthConsumerKey}",
    "{!$Credential.AuthorizationMethod}",
    "{!$Credential.OAuthConsumerKey}",
    "{!$Credential.AuthorizationMethod}",
];

/// The 19 fields that, with the session, make the render benchmark's 20:
/// the five kinds of credential field, in turn.
pub fn render_fields() -> Vec<&'static str> {
    const KINDS: [&str; 5] = [
        "{!$Credential.Username}",
        "{!$Credential.Password}",
        "{!$Credential.OAuthConsumerKey}",
        "{!$Credential.AuthorizationMethod}",
        "{!$Credential.OAuthToken}",
    ];
    KINDS.iter().copied().cycle().take(19).collect()
}

/// A SOAP call through credential `name`: `callout:NAME/services/Soap/u/59.0`.
pub fn soap_draft(name: &str, body: String) -> Draft {
    Draft::new("POST", format!("callout:{name}/services/Soap/u/59.0"))
        .header("Content-Type", "text/xml; charset=UTF-8")
        .header("SOAPAction", "query")
        .body(body)
}

/// A credential for the sandbox's client that allows merge fields in bodies.
pub fn sandbox_credential(sandbox: &Sandbox, name: &str) -> Credential {
    let mut credential = Credential::new(name, sandbox.base_url());
    credential.protocol = AuthProtocol::AuthorizationCode;
    credential.client_id = Some(sandbox.client_id().to_string());
    credential.token_url = Some(sandbox.token_url());
    credential.auth_url = Some(sandbox.authorize_url());
    credential.scopes = vec!["api".into(), "refresh_token".into()];
    credential.salesforce.allow_merge_fields_in_body = true;
    credential
}

/// Secrets with a token, a username and a password (for the render benchmark).
pub fn full_secrets(token: &str) -> CredentialSecrets {
    CredentialSecrets {
        access_token: Some(Secret::new(token)),
        username: Some("bench.user@example.com".into()),
        password: Some(Secret::new("bench-password")),
        ..CredentialSecrets::default()
    }
}

/// A 500 response of `bytes` bytes: a SOAP 1.1 envelope whose body holds
/// query records and ends with the `INVALID_SESSION_ID` fault.
pub fn fault_response(bytes: usize) -> Vec<u8> {
    let head = r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="urn:partner.soap.sforce.com"><soapenv:Body>"#;
    let tail = r#"<soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session. Session not found, missing session hash</faultstring><detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode><sf:exceptionMessage>Invalid Session ID found in SessionHeader</sf:exceptionMessage></sf:UnexpectedErrorFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;
    let mut xml = String::with_capacity(bytes + 256);
    xml.push_str(head);
    let mut n: u64 = 0;
    loop {
        let record = format!(
            "<records xsi:type=\"sf:sObject\"><sf:type>Account</sf:type><sf:Id>001{n:015}</sf:Id>\
             <sf:Name>Account {n} &amp; Sons</sf:Name><sf:Industry>Energy</sf:Industry></records>\n"
        );
        if xml.len() + record.len() + tail.len() > bytes {
            break;
        }
        xml.push_str(&record);
        n += 1;
    }
    // Pad with spaces to the exact size (whitespace between elements).
    while xml.len() + tail.len() < bytes {
        xml.push(' ');
    }
    xml.push_str(tail);
    xml.into_bytes()
}

/// A home in a temp dir with its token service (the product's: real
/// keychain, the home's timeline). Forgets its keychain entries on drop.
pub struct BenchHome {
    _dir: tempfile::TempDir,
    pub service: Arc<TokenService>,
    names: Vec<String>,
}

impl BenchHome {
    pub fn new() -> Result<BenchHome> {
        let dir = tempfile::tempdir().map_err(|error| BenchError::Io {
            what: "create a temp dir for the bench home".into(),
            source: error,
        })?;
        let home = Home::at(dir.path()).map_err(BenchError::engine("open the bench home"))?;
        let service = Arc::new(
            TokenService::for_home(&home).map_err(BenchError::engine("start the token service"))?,
        );
        Ok(BenchHome {
            _dir: dir,
            service,
            names: Vec::new(),
        })
    }

    /// Stores `credential` and the sandbox client's secret (in the keychain).
    pub fn add(&mut self, sandbox: &Sandbox, credential: &Credential) -> Result<()> {
        self.names.push(credential.name.clone());
        let secrets = NewSecrets {
            client_secret: Some(Secret::new(sandbox.client_secret())),
            private_key: None,
            client_key: None,
        };
        self.service
            .store()
            .add_with_secrets(credential.clone(), &secrets)
            .map(|_| ())
            .map_err(BenchError::engine(
                "store the credential and its client secret",
            ))
    }

    /// Stores tokens minted by the sandbox, valid for an hour by the clock,
    /// as if the user had authorized a minute ago.
    pub fn seed(&self, sandbox: &Sandbox, name: &str) -> Result<TokenSet> {
        let issued = sandbox.issue_tokens("api refresh_token");
        let now = SystemTime::now();
        let tokens = TokenSet {
            access_token: issued.access_token,
            token_type: "Bearer".into(),
            refresh_token: issued.refresh_token,
            id_token: None,
            scopes: vec!["api".into(), "refresh_token".into()],
            issued_at: now - Duration::from_secs(60),
            expires_at: Some(now + Duration::from_secs(3_600)),
            expiry_source: ExpirySource::ExpiresIn,
            is_jwt: false,
            instance_url: None,
        };
        let authorization = Authorization {
            tokens: Some(tokens.clone()),
            ..Authorization::default()
        };
        self.service
            .store()
            .set_authorization(name, &Identity::NamedPrincipal, &authorization)
            .map_err(BenchError::engine(
                "store the seeded tokens in the keychain",
            ))?;
        Ok(tokens)
    }
}

impl Drop for BenchHome {
    fn drop(&mut self) {
        for name in &self.names {
            let _ = self.service.store().forget_secrets(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_have_their_size_and_fields() {
        let xml = envelope(&render_fields());
        assert!(
            (ENVELOPE_BYTES - 200..=ENVELOPE_BYTES + 200).contains(&xml.len()),
            "{}",
            xml.len()
        );
        assert_eq!(xml.matches("{!").count(), 20);
        let fault = fault_response(1 << 20);
        assert_eq!(fault.len(), 1 << 20);
        assert!(
            String::from_utf8(fault)
                .unwrap()
                .ends_with("</soapenv:Envelope>")
        );
    }
}

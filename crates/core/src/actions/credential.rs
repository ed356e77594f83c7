//! Credentials: add, edit, rename, remove (revoking its tokens at the
//! provider first) and repair. The app's form and the CLI's `credential`
//! commands both end here, so both check a definition the same way
//! ([`Credential::check`]) and both revoke on removal.

use crate::credential::{AuthProtocol, Credential, FieldProblem};
use crate::credential_store::{CredentialStore, Identity, NewSecrets};
use crate::network::ClientIdentity;
use crate::oauth::TokenService;
use crate::oauth::{assertion, flows};
use crate::{Error, Result, Secret};

use super::Host;

/// A credential to add, or the new state of one being edited.
#[derive(Debug, Clone)]
pub struct CredentialInput {
    pub credential: Credential,
    /// Goes to the keychain; `None` keeps what is stored (edit) or stores
    /// none (add).
    pub client_secret: Option<Secret>,
    /// The PEM key that signs JWT bearer assertions; checked, then kept in
    /// the keychain only.
    pub private_key: Option<Secret>,
    /// The PEM private key of `credential.client_certificate`; checked
    /// against it, then kept in the keychain only.
    pub client_key: Option<Secret>,
}

impl CredentialInput {
    pub fn new(credential: Credential) -> Self {
        Self {
            credential,
            client_secret: None,
            private_key: None,
            client_key: None,
        }
    }
}

/// Which secrets come with a credential being saved (not their values):
/// what [`problems`] needs to know.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SecretsGiven {
    pub client_secret: bool,
    pub private_key: bool,
    pub client_key: bool,
}

impl CredentialInput {
    pub fn secrets_given(&self) -> SecretsGiven {
        SecretsGiven {
            client_secret: self.client_secret.is_some(),
            private_key: self.private_key.is_some(),
            client_key: self.client_key.is_some(),
        }
    }
}

/// What was saved, and what the user should know about it.
#[derive(Debug, Clone)]
pub struct Saved {
    pub credential: Credential,
    /// Keychain entries an earlier credential of this name left behind and
    /// that were removed.
    pub notice: Option<String>,
}

/// Everything that keeps `credential` from being saved, field by field:
/// the definition's own problems ([`Credential::problems`]), a name another
/// credential has, and a secret the flow cannot start without that is
/// neither `given` nor stored. `previous` names the credential being edited
/// (`None`: a new one). Empty: it can be saved. The app's form shows these
/// as the user types; [`add`] and [`edit`] refuse with all of them.
pub fn problems(
    service: &TokenService,
    credential: &Credential,
    given: SecretsGiven,
    previous: Option<&str>,
) -> Vec<FieldProblem> {
    let mut problems = credential.problems();
    let store = service.store();
    let is_previous =
        |name: &str| previous.is_some_and(|previous| previous.eq_ignore_ascii_case(name));
    if !is_previous(&credential.name)
        && let Ok(taken) = store.get(&credential.name)
    {
        problems.push(FieldProblem::new(
            "name",
            format!(
                "the name \"{}\" is taken by another credential; choose another name (or edit \"{}\")",
                credential.name, taken.name
            ),
        ));
    }
    // What an edited credential has stored counts; a new one has nothing.
    let stored = |read: fn(&CredentialStore, &str) -> Result<Option<Secret>>| {
        previous.is_some_and(|previous| read(store, previous).is_ok_and(|found| found.is_some()))
    };
    if credential.protocol == AuthProtocol::Basic
        && !given.client_secret
        && !stored(CredentialStore::client_secret)
    {
        problems.push(FieldProblem::new(
            "clientSecret",
            "Basic authentication needs the password it sends (--password-stdin)".into(),
        ));
    }
    if credential.protocol.needs_client_secret() && !given.client_secret {
        let has_key = given.private_key || stored(CredentialStore::private_key);
        let needed = match credential.protocol {
            AuthProtocol::JwtBearer if has_key => None,
            AuthProtocol::JwtBearer => Some(
                "the JWT bearer flow signs its assertion with a private key or the client secret; \
                 give one of them (--private-key-stdin or --client-secret-stdin)",
            ),
            _ => Some(
                "the client credentials flow needs the client secret the provider issued \
                 (--client-secret-stdin)",
            ),
        };
        if let Some(reason) = needed.filter(|_| !stored(CredentialStore::client_secret)) {
            problems.push(FieldProblem::new("clientSecret", reason.to_string()));
        }
    }
    if credential.client_certificate.is_some()
        && !given.client_key
        && !previous.is_some_and(|previous| {
            store
                .client_key(previous)
                .is_ok_and(|found| found.is_some())
        })
    {
        problems.push(FieldProblem::new(
            "clientKey",
            "a client certificate needs its private key (--client-key)".to_string(),
        ));
    }
    problems
}

/// [`problems`] as one error naming them all, or nothing.
fn check_input(
    service: &TokenService,
    input: &CredentialInput,
    previous: Option<&str>,
) -> Result<()> {
    let problems = problems(service, &input.credential, input.secrets_given(), previous);
    input.credential.refuse(&problems)
}

/// Adds a credential. Endpoints missing from the definition are read from
/// its issuer's metadata first; then every problem is named at once
/// ([`problems`]): a name in use, a secret the flow needs, ...
pub async fn add(service: &TokenService, mut input: CredentialInput) -> Result<Saved> {
    discover_missing_endpoints(service, &mut input.credential).await?;
    check_input(service, &input, None)?;
    let credential = input.credential;
    check_private_key(&credential, input.private_key.as_ref())?;
    check_client_certificate(&credential, input.client_key.as_ref())?;
    let secrets = NewSecrets {
        client_secret: input.client_secret,
        private_key: input.private_key,
        client_key: input.client_key,
    };
    let leftovers = service
        .store()
        .add_with_secrets(credential.clone(), &secrets)?;
    Ok(Saved {
        credential,
        notice: leftovers.describe(),
    })
}

/// Replaces the definition of credential `name` with `input.credential`;
/// a different name renames it, every keychain entry moving along (see
/// [`rename`]). A client secret or private key given replaces the stored
/// one; none keeps it.
pub async fn edit(service: &TokenService, name: &str, input: CredentialInput) -> Result<Saved> {
    let store = service.store();
    let existing = store.get(name)?;
    let mut input = input;
    discover_missing_endpoints(service, &mut input.credential).await?;
    check_input(service, &input, Some(&existing.name))?;
    let credential = input.credential;
    check_private_key(&credential, input.private_key.as_ref())?;
    let stored_key = match (&input.client_key, &credential.client_certificate) {
        (None, Some(_)) => store.client_key(&existing.name)?,
        _ => None,
    };
    check_client_certificate(
        &credential,
        input.client_key.as_ref().or(stored_key.as_ref()),
    )?;
    let leftovers = store.rename(&existing.name, credential.clone())?;
    if let Some(secret) = &input.client_secret {
        store.set_client_secret(&credential.name, secret)?;
    }
    if let Some(pem) = &input.private_key {
        store.set_private_key(&credential.name, pem)?;
    }
    match (&credential.client_certificate, &input.client_key) {
        (Some(_), Some(pem)) => store.set_client_key(&credential.name, pem)?,
        (None, _) => store.forget_client_key(&credential.name)?,
        (Some(_), None) => {}
    }
    Ok(Saved {
        credential,
        notice: leftovers.describe(),
    })
}

/// Renames credential `old` to `new`, keeping its definition otherwise;
/// the client secret and the tokens of every identity move along.
pub fn rename(service: &TokenService, old: &str, new: &str) -> Result<Saved> {
    let store = service.store();
    let mut credential = store.get(old)?;
    let previous = std::mem::replace(&mut credential.name, new.to_string());
    credential.validate()?;
    let leftovers = store.rename(&previous, credential.clone())?;
    Ok(Saved {
        credential,
        notice: leftovers.describe(),
    })
}

/// What a removal did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    pub credential: Credential,
    /// Whose tokens were revoked at the provider ("Name", "Name (user)").
    pub revoked: Vec<String>,
}

/// Removes a credential and every keychain entry of it. Its tokens are
/// revoked at the provider first, for every identity, when its issuer's
/// metadata names a revocation endpoint: a removed credential should leave
/// no live refresh token behind. Revocation is best effort: a failure is
/// told to the host and the removal goes on.
pub async fn remove(service: &TokenService, host: &dyn Host, name: &str) -> Result<Removed> {
    let credential = service.store().get(name)?;
    let identities = match service.store().identities(&credential.name) {
        Ok(identities) => identities,
        Err(error) => {
            host.notice(&format!("warning: {error}; removing it anyway"));
            Vec::new()
        }
    };
    let mut revoked = Vec::new();
    for identity in identities {
        let (user, whose) = match &identity {
            Identity::NamedPrincipal => (None, credential.name.clone()),
            Identity::User(label) => (
                Some(label.as_str()),
                format!("{} ({label})", credential.name),
            ),
        };
        match service.revoke(&credential, user).await {
            Ok(true) => revoked.push(whose),
            Ok(false) => {}
            Err(error) => host.notice(&format!("warning: {error}; removing it anyway")),
        }
    }
    let credential = service.store().remove(&credential.name)?;
    Ok(Removed {
        credential,
        revoked,
    })
}

/// Removes the keychain entries of credential `name` that cannot be read
/// (duplicated, edited by hand, written by a newer version), so it can be
/// authorized again; the timeline says so. Answers the entries removed.
pub fn repair(service: &TokenService, name: &str) -> Result<Vec<String>> {
    service.repair(name)
}

/// Fills the token and authorization URLs from the issuer's metadata
/// (OIDC / RFC 8414) when the definition names an issuer and lacks them.
async fn discover_missing_endpoints(
    service: &TokenService,
    credential: &mut Credential,
) -> Result<()> {
    let Some(issuer) = credential.issuer.clone() else {
        return Ok(());
    };
    let wants_auth_url =
        credential.protocol.auth_url_names().is_some() && credential.auth_url.is_none();
    if credential.token_url.is_some() && !wants_auth_url {
        return Ok(());
    }
    let metadata = flows::discover(service.http(), issuer.trim()).await?;
    if credential.token_url.is_none() {
        credential.token_url = Some(metadata.token_endpoint);
    }
    if wants_auth_url {
        credential.auth_url = if credential.protocol == AuthProtocol::DeviceCode {
            metadata.device_authorization_endpoint
        } else {
            metadata.authorization_endpoint
        };
    }
    Ok(())
}

fn check_private_key(credential: &Credential, pem: Option<&Secret>) -> Result<()> {
    let Some(pem) = pem else {
        return Ok(());
    };
    assertion::rsa_key_pair(pem).map_err(|reason| Error::InvalidCredential {
        name: credential.name.clone(),
        reason,
    })?;
    Ok(())
}

/// Checks that the client certificate and `key` belong together.
fn check_client_certificate(credential: &Credential, key: Option<&Secret>) -> Result<()> {
    match (&credential.client_certificate, key) {
        (Some(certificate), Some(key)) => {
            ClientIdentity::new(&credential.name, certificate, key).map(|_| ())
        }
        _ => Ok(()),
    }
}

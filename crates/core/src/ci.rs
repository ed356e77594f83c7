//! CI mode: a CI machine (a GitHub Actions runner) has no keychain, and its
//! secrets are handed to a job as environment variables. In CI mode
//! (`callout --ci`) the vault keeps secrets in the process's memory only
//! ([`crate::Vault::keep_in_process_memory`]) and [`seed`] fills it, for
//! every credential the home defines, from variables named after it:
//!
//! | variable | what |
//! | --- | --- |
//! | `CALLOUT_<NAME>_CLIENT_SECRET` | the client secret (a Basic credential's password) |
//! | `CALLOUT_<NAME>_REFRESH_TOKEN` | a refresh token; the first send refreshes with it |
//! | `CALLOUT_<NAME>_ACCESS_TOKEN` | an access token to start with (optional) |
//! | `CALLOUT_<NAME>_USERNAME`, `CALLOUT_<NAME>_PASSWORD` | a password-flow credential's login |
//! | `CALLOUT_<NAME>_PRIVATE_KEY` | a JWT bearer credential's signing key (PEM) |
//! | `CALLOUT_<NAME>_CLIENT_KEY` | a client certificate's private key (PEM) |
//!
//! where `<NAME>` is the credential's name in capitals, every character
//! that is not a letter or a digit written `_` ("Acme EU" → `ACME_EU`).
//! The same `NAME=VALUE` lines may come on stdin instead (`--secrets-stdin`).
//! Nothing is read from a file, nothing is written to one, and what a
//! refresh renews lives as long as the process.

use std::time::SystemTime;

use crate::credential::AuthProtocol;
use crate::credential_store::{Authorization, CredentialStore, Identity};
use crate::token::{ExpirySource, TokenSet};
use crate::{Error, Result, Secret};

/// The prefix of a credential's variables: `CALLOUT_ACME_EU_`.
pub fn variable_prefix(credential: &str) -> String {
    let name: String = credential
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("CALLOUT_{name}_")
}

/// What [`seed`] found for one credential: the variables' names it took,
/// never their values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeded {
    pub credential: String,
    pub variables: Vec<String>,
}

/// Fills the process's vault (CI mode only) with the secrets `lookup` has
/// for each credential of `store` (see the module's table); `user` is the
/// label of per-user credentials. Returns, per credential, what was found.
pub fn seed(
    store: &CredentialStore,
    user: Option<&str>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Seeded>> {
    if !crate::Vault::in_process_memory() {
        return Err(Error::Storage {
            action: "take secrets from the environment",
            path: "CALLOUT_*".into(),
            detail: "only in CI mode (--ci), where no keychain is used".into(),
        });
    }
    let mut seeded = Vec::new();
    for credential in store.load()?.iter() {
        let prefix = variable_prefix(&credential.name);
        let mut taken = Vec::new();
        let mut take = |part: &str| {
            let name = format!("{prefix}{part}");
            let value = lookup(&name).filter(|value| !value.is_empty());
            if value.is_some() {
                taken.push(name);
            }
            value.map(Secret::new)
        };
        let client_secret = take("CLIENT_SECRET");
        let password = take("PASSWORD");
        let username = take("USERNAME");
        let refresh_token = take("REFRESH_TOKEN");
        let access_token = take("ACCESS_TOKEN");
        let private_key = take("PRIVATE_KEY");
        let client_key = take("CLIENT_KEY");
        let basic = credential.protocol == AuthProtocol::Basic;
        if let Some(secret) = client_secret
            .as_ref()
            .or(password.as_ref().filter(|_| basic))
        {
            store.set_client_secret(&credential.name, secret)?;
        }
        if let Some(pem) = &private_key {
            store.set_private_key(&credential.name, pem)?;
        }
        if let Some(pem) = &client_key {
            store.set_client_key(&credential.name, pem)?;
        }
        let login = !basic && (password.is_some() || username.is_some());
        if refresh_token.is_some() || access_token.is_some() || login {
            let now = SystemTime::now();
            let tokens = (refresh_token.is_some() || access_token.is_some()).then(|| TokenSet {
                // Without one, the empty token is never sent: the first
                // send renews it with the refresh token.
                access_token: access_token.clone().unwrap_or_else(|| Secret::new("")),
                token_type: "Bearer".into(),
                refresh_token: refresh_token.clone(),
                id_token: None,
                scopes: Vec::new(),
                issued_at: now,
                expires_at: None,
                expiry_source: ExpirySource::Unknown,
                is_jwt: false,
                instance_url: None,
            });
            let identity = Identity::for_credential(credential, user);
            store.set_authorization(
                &credential.name,
                &identity,
                &Authorization {
                    tokens,
                    username: username.map(|name| name.expose().to_string()),
                    password: password.filter(|_| !basic),
                    needs_reauthorization: None,
                },
            )?;
        }
        seeded.push(Seeded {
            credential: credential.name.clone(),
            variables: taken,
        });
    }
    Ok(seeded)
}

/// The `NAME=VALUE` lines of `text` (stdin in CI mode), blank lines and
/// `#` comments left out; a line without `=` is named.
pub fn parse_lines(text: &str) -> Result<Vec<(String, String)>> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .map(|(index, line)| {
            line.split_once('=')
                .map(|(name, value)| (name.trim().to_string(), value.to_string()))
                .ok_or_else(|| Error::Storage {
                    action: "read the secrets on stdin",
                    path: "stdin".into(),
                    detail: format!(
                        "line {} is not NAME=VALUE (its text is not shown: it may be a secret)",
                        index + 1
                    ),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credentials_variables_are_named_after_it_in_capitals() {
        assert_eq!(variable_prefix("Acme EU"), "CALLOUT_ACME_EU_");
        assert_eq!(variable_prefix("sf-prod.v2"), "CALLOUT_SF_PROD_V2_");
    }

    #[test]
    fn stdin_lines_are_name_value_pairs_and_a_broken_line_is_named_not_shown() {
        let pairs = parse_lines("# from the vault\nCALLOUT_A_CLIENT_SECRET=s=1\n\n").unwrap();
        assert_eq!(
            pairs,
            vec![("CALLOUT_A_CLIENT_SECRET".into(), "s=1".into())]
        );
        let error = parse_lines("A=1\nhunter2\n").unwrap_err().to_string();
        assert!(
            error.contains("line 2") && !error.contains("hunter2"),
            "{error}"
        );
    }
}

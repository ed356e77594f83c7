//! Client authentication (RFC 6749 §2.3: `client_secret_basic` or
//! `client_secret_post`), scopes, and the RFC 6749 §5.2 error answer shared by
//! every endpoint a client calls directly.

use serde_json::json;

use crate::http::{Incoming, Params, Reply};
use crate::provider::Provider;

/// An RFC 6749 §5.2 error: `{"error": ..., "error_description": ...}`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct OAuthError {
    pub status: u16,
    pub code: &'static str,
    pub description: String,
    /// Whether to challenge with `WWW-Authenticate: Basic` (a failed Basic login).
    pub basic_challenge: bool,
}

impl OAuthError {
    fn new(status: u16, code: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            code,
            description: description.into(),
            basic_challenge: false,
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(400, "invalid_request", description)
    }

    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(401, "invalid_client", description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(400, "invalid_grant", description)
    }

    pub fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new(400, "invalid_scope", description)
    }

    pub fn unsupported_grant_type(description: impl Into<String>) -> Self {
        Self::new(400, "unsupported_grant_type", description)
    }

    /// RFC 8628 §3.5 answers to a device-code poll.
    pub fn device(code: &'static str, description: impl Into<String>) -> Self {
        Self::new(400, code, description)
    }

    pub fn reply(&self) -> Reply {
        let reply = Reply::json(
            self.status,
            &json!({"error": self.code, "error_description": self.description}),
        )
        .no_store()
        .with_outcome(self.code);
        if self.basic_challenge {
            reply.with_header("WWW-Authenticate", "Basic realm=\"callout-sandbox\"")
        } else {
            reply
        }
    }
}

/// The client behind a request, and whether it proved its identity.
pub(crate) struct Client {
    pub id: String,
    pub authenticated: bool,
}

/// Finds the calling client from a Basic header or `client_id`/`client_secret`
/// in the body. `Ok(None)` when the request names no client at all.
pub(crate) fn identify_client(
    provider: &Provider,
    request: &Incoming,
    form: &Params,
) -> Result<Option<Client>, OAuthError> {
    let body_id = form.get("client_id");
    let body_secret = form.get("client_secret");
    match request.basic_credentials() {
        Some(None) => Err(with_challenge(OAuthError::invalid_client(
            "the Authorization: Basic header could not be decoded",
        ))),
        Some(Some((id, secret))) => {
            if body_secret.is_some() {
                return Err(OAuthError::invalid_request(
                    "use one client authentication method: Basic header or client_secret, not both",
                ));
            }
            if body_id.is_some_and(|body_id| body_id != id) {
                return Err(OAuthError::invalid_request(
                    "client_id in the body differs from the Basic header",
                ));
            }
            check_secret(provider, &id, &secret)
                .map(Some)
                .map_err(with_challenge)
        }
        None => match (body_id, body_secret) {
            (Some(id), Some(secret)) => check_secret(provider, id, secret).map(Some),
            (Some(id), None) if id == provider.config.client_id => Ok(Some(Client {
                id: id.to_string(),
                authenticated: false,
            })),
            (Some(id), None) => Err(OAuthError::invalid_client(format!(
                "unknown client_id \"{id}\""
            ))),
            (None, Some(_)) => Err(OAuthError::invalid_request(
                "client_secret was sent without client_id",
            )),
            (None, None) => Ok(None),
        },
    }
}

/// Like [`identify_client`], but the client must be named (a public client may
/// leave out its secret).
pub(crate) fn require_client(
    provider: &Provider,
    request: &Incoming,
    form: &Params,
) -> Result<Client, OAuthError> {
    identify_client(provider, request, form)?
        .ok_or_else(|| OAuthError::invalid_client("client_id is required"))
}

/// Like [`require_client`], but the client must also have proved its secret.
pub(crate) fn require_authenticated_client(
    provider: &Provider,
    request: &Incoming,
    form: &Params,
) -> Result<Client, OAuthError> {
    let client = require_client(provider, request, form)?;
    if client.authenticated {
        Ok(client)
    } else {
        Err(OAuthError::invalid_client(
            "client authentication required: send the client secret (Basic header or client_secret)",
        ))
    }
}

fn check_secret(provider: &Provider, id: &str, secret: &str) -> Result<Client, OAuthError> {
    if id == provider.config.client_id && secret == provider.config.client_secret {
        Ok(Client {
            id: id.to_string(),
            authenticated: true,
        })
    } else {
        Err(OAuthError::invalid_client("client authentication failed"))
    }
}

fn with_challenge(mut error: OAuthError) -> OAuthError {
    error.basic_challenge = true;
    error
}

/// The scope a request gets: the requested one if every part is supported,
/// else the configured default when none was asked for.
pub(crate) fn resolve_scope(
    provider: &Provider,
    requested: Option<&str>,
) -> Result<String, OAuthError> {
    let supported = provider.config.scopes.join(" ");
    within(requested, &supported, &provider.config.default_scope).map_err(|unknown| {
        OAuthError::invalid_scope(format!(
            "unsupported scope: {unknown}; supported: {supported}"
        ))
    })
}

/// On refresh, a client may narrow its scope but never widen it (RFC 6749 §6).
pub(crate) fn narrow_scope(granted: &str, requested: Option<&str>) -> Result<String, OAuthError> {
    within(requested, granted, granted).map_err(|wider| {
        OAuthError::invalid_scope(format!("scope beyond the original grant: {wider}"))
    })
}

/// The requested scope, normalized, if every part of it is in `allowed`
/// (`fallback` if nothing was requested); else the parts that are not.
fn within(requested: Option<&str>, allowed: &str, fallback: &str) -> Result<String, String> {
    let Some(requested) = requested else {
        return Ok(fallback.to_string());
    };
    let (inside, outside): (Vec<&str>, Vec<&str>) = requested
        .split_whitespace()
        .partition(|scope| allowed.split_whitespace().any(|known| known == *scope));
    if outside.is_empty() {
        Ok(inside.join(" "))
    } else {
        Err(outside.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SandboxConfig;
    use crate::http::incoming;
    use crate::provider::test_provider;
    use base64::Engine as _;

    fn provider() -> Provider {
        test_provider(SandboxConfig::default())
    }

    fn basic(id: &str, secret: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
        )
    }

    #[test]
    fn basic_and_body_authentication_both_work() {
        let provider = provider();
        let config = &provider.config;
        let header = basic(&config.client_id, &config.client_secret);
        let by_header = incoming("POST", "/token", &[("Authorization", &header)], "");
        let client =
            require_authenticated_client(&provider, &by_header, &by_header.form()).unwrap();
        assert_eq!(client.id, config.client_id);

        let body = format!(
            "client_id={}&client_secret={}",
            config.client_id, config.client_secret
        );
        let by_body = incoming("POST", "/token", &[], &body);
        assert!(require_authenticated_client(&provider, &by_body, &by_body.form()).is_ok());
    }

    #[test]
    fn wrong_secrets_and_mixed_methods_are_refused() {
        let provider = provider();
        let header = basic(&provider.config.client_id, "wrong");
        let wrong = incoming("POST", "/token", &[("Authorization", &header)], "");
        let error = require_client(&provider, &wrong, &wrong.form())
            .err()
            .unwrap();
        assert_eq!((error.status, error.code), (401, "invalid_client"));
        assert_eq!(
            error.reply().header("WWW-Authenticate"),
            Some("Basic realm=\"callout-sandbox\"")
        );

        let header = basic(&provider.config.client_id, &provider.config.client_secret);
        let both = incoming(
            "POST",
            "/token",
            &[("Authorization", &header)],
            "client_secret=x",
        );
        let error = require_client(&provider, &both, &both.form())
            .err()
            .unwrap();
        assert_eq!(error.code, "invalid_request");

        let public = incoming("POST", "/token", &[], "client_id=callout-lab-sandbox");
        let error = require_authenticated_client(&provider, &public, &public.form()).err();
        assert_eq!(error.map(|error| error.code), Some("invalid_client"));
    }

    #[test]
    fn scopes_are_checked_and_only_narrowed() {
        let provider = provider();
        assert_eq!(
            resolve_scope(&provider, None).unwrap(),
            provider.config.default_scope
        );
        assert_eq!(
            resolve_scope(&provider, Some("read  api")).unwrap(),
            "read api"
        );
        assert_eq!(
            resolve_scope(&provider, Some("admin")).unwrap_err().code,
            "invalid_scope"
        );
        assert_eq!(narrow_scope("api read", Some("read")).unwrap(), "read");
        assert_eq!(
            narrow_scope("read", Some("read write")).unwrap_err().code,
            "invalid_scope"
        );
    }
}

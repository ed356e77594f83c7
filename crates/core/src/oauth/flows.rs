//! Token endpoint requests for every grant, and discovery of a provider's
//! endpoints from its issuer.
//!
//! The requests are built here and read with [`parse_token_response`]
//! rather than through the `oauth2` crate's `exchange_*` calls: its strict
//! response types reject answers real providers send (`expires_in` as a
//! string, Salesforce's responses without `expires_in`, error bodies that are
//! HTML pages) and lose what the provider actually said, which is exactly
//! what a person needs to see when a token call fails.

use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use crate::credential::{ClientAuth, Credential};
use crate::http::describe_transport_error;
use crate::network::Network;
use crate::token::{TokenResponseError, TokenSet, parse_token_response};
use crate::{Error, Result, Secret};

/// The JWT bearer grant type (RFC 7523).
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// The device code grant type (RFC 8628).
pub(crate) const DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The most bytes of a token endpoint answer read.
const MAX_TOKEN_RESPONSE: usize = 1024 * 1024;

/// An HTTP client for token endpoints: it never follows redirects (a token
/// request must not be replayed somewhere else with its secrets).
pub fn token_client() -> Result<reqwest::Client> {
    token_client_for(&Network::from_env()?)
}

/// A token endpoint client trusting and proxying as `network` says.
pub fn token_client_for(network: &Network) -> Result<reqwest::Client> {
    token_client_with(network, None)
}

/// [`token_client_for`], presenting `identity`'s client certificate when
/// given (mutual TLS at the token endpoint, RFC 8705).
pub(crate) fn token_client_with(
    network: &Network,
    identity: Option<reqwest::Identity>,
) -> Result<reqwest::Client> {
    let builder = network
        .client_builder()?
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(30))
        .user_agent(concat!("CalloutLab/", env!("CARGO_PKG_VERSION")));
    match identity {
        Some(identity) => builder.identity(identity),
        None => builder,
    }
    .build()
    .map_err(|error| Error::Transport {
        url: String::new(),
        detail: format!(
            "the HTTP client could not be set up: {}",
            describe_transport_error(&error)
        ),
    })
}

/// What one grant sends besides the client's authentication.
pub(crate) enum Grant<'a> {
    RefreshToken(&'a Secret),
    ClientCredentials,
    Password {
        username: &'a str,
        password: &'a Secret,
    },
    AuthorizationCode {
        code: &'a str,
        verifier: &'a str,
        redirect_uri: &'a str,
    },
    JwtBearer {
        assertion: &'a Secret,
    },
    DeviceCode {
        device_code: &'a str,
    },
}

impl Grant<'_> {
    /// The grant's name in messages.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Grant::RefreshToken(_) => "refresh_token",
            Grant::ClientCredentials => "client_credentials",
            Grant::Password { .. } => "password",
            Grant::AuthorizationCode { .. } => "authorization_code",
            Grant::JwtBearer { .. } => "jwt_bearer",
            Grant::DeviceCode { .. } => "device_code",
        }
    }

    fn form(&self, scopes: &[String]) -> Vec<(&'static str, String)> {
        let scope = || (!scopes.is_empty()).then(|| ("scope", scopes.join(" ")));
        let mut form = Vec::new();
        match self {
            Grant::RefreshToken(token) => {
                form.push(("grant_type", "refresh_token".to_string()));
                form.push(("refresh_token", token.expose().to_string()));
            }
            Grant::ClientCredentials => {
                form.push(("grant_type", "client_credentials".to_string()));
                form.extend(scope());
            }
            Grant::Password { username, password } => {
                form.push(("grant_type", "password".to_string()));
                form.push(("username", username.to_string()));
                form.push(("password", password.expose().to_string()));
                form.extend(scope());
            }
            Grant::AuthorizationCode {
                code,
                verifier,
                redirect_uri,
            } => {
                form.push(("grant_type", "authorization_code".to_string()));
                form.push(("code", code.to_string()));
                form.push(("code_verifier", verifier.to_string()));
                form.push(("redirect_uri", redirect_uri.to_string()));
            }
            Grant::JwtBearer { assertion } => {
                form.push(("grant_type", JWT_BEARER.to_string()));
                form.push(("assertion", assertion.expose().to_string()));
                form.extend(scope());
            }
            Grant::DeviceCode { device_code } => {
                form.push(("grant_type", DEVICE_CODE.to_string()));
                form.push(("device_code", device_code.to_string()));
            }
        }
        form
    }
}

/// Why a token request gave no tokens.
#[derive(Debug)]
pub(crate) enum TokenCallError {
    /// Not sent, or no answer (connection refused, timeout, no signing key).
    NotSent(Error),
    /// An answer that is not a token set; says what the provider said.
    Response(TokenResponseError),
}

impl TokenCallError {
    /// `invalid_grant`: only a new authorization helps.
    pub(crate) fn needs_reauthorization(&self) -> bool {
        matches!(self, TokenCallError::Response(error) if error.needs_reauthorization())
    }
}

impl std::fmt::Display for TokenCallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenCallError::NotSent(error) => error.fmt(f),
            TokenCallError::Response(error) => error.fmt(f),
        }
    }
}

/// Calls the token endpoint with `grant`, authenticating the client as the
/// credential says (Basic header or body; only `client_id` without a secret).
pub(crate) async fn request_tokens(
    http: &reqwest::Client,
    credential: &Credential,
    token_url: &str,
    client_secret: Option<&Secret>,
    grant: &Grant<'_>,
) -> std::result::Result<TokenSet, TokenCallError> {
    let form = grant.form(&credential.scopes);
    let (status, content_type, body) =
        post_form(http, credential, token_url, client_secret, form).await?;
    parse_token_response(status, content_type.as_deref(), &body, SystemTime::now())
        .map_err(|error| TokenCallError::Response(redacted(error)))
}

/// The error with any token value in its excerpt masked: a broken or
/// truncated response may still carry (part of) a token, and error messages
/// must never show one.
fn redacted(error: TokenResponseError) -> TokenResponseError {
    let mask = |excerpt: String| match regex::Regex::new(
        r#"("(?:access_token|refresh_token|id_token|assertion|client_secret)"\s*:\s*")[^"]*"?"#,
    ) {
        Ok(pattern) => pattern
            .replace_all(&excerpt, "${1}[redacted]\"")
            .into_owned(),
        Err(_) => "(body hidden)".to_string(),
    };
    match error {
        TokenResponseError::MalformedJson {
            status,
            detail,
            excerpt,
        } => TokenResponseError::MalformedJson {
            status,
            detail,
            excerpt: mask(excerpt),
        },
        TokenResponseError::Failed { status, excerpt } => TokenResponseError::Failed {
            status,
            excerpt: mask(excerpt),
        },
        other => other,
    }
}

/// POSTs `form` to one of the provider's endpoints as the credential's
/// client; returns status, content type and (bounded) body.
pub(crate) async fn post_form(
    http: &reqwest::Client,
    credential: &Credential,
    url: &str,
    client_secret: Option<&Secret>,
    mut form: Vec<(&'static str, String)>,
) -> std::result::Result<(u16, Option<String>, Vec<u8>), TokenCallError> {
    let mut request = http
        .post(url)
        .header(reqwest::header::ACCEPT, "application/json");
    let client_id = credential.client_id.clone().unwrap_or_default();
    match (client_secret, credential.client_auth) {
        (Some(secret), ClientAuth::Basic) => {
            // RFC 6749 §2.3.1: both parts form-encoded before base64.
            let pair = format!(
                "{}:{}",
                form_encode(&client_id),
                form_encode(secret.expose())
            );
            request = request.header(
                reqwest::header::AUTHORIZATION,
                format!("Basic {}", STANDARD.encode(pair)),
            );
        }
        (Some(secret), ClientAuth::Body) => {
            form.push(("client_id", client_id));
            form.push(("client_secret", secret.expose().to_string()));
        }
        (None, _) => form.push(("client_id", client_id)),
    }
    let transport = |error: reqwest::Error| {
        TokenCallError::NotSent(Error::Transport {
            url: url.to_string(),
            detail: describe_transport_error(&error),
        })
    };
    let mut response = request.form(&form).send().await.map_err(transport)?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_TOKEN_RESPONSE {
            body.truncate(MAX_TOKEN_RESPONSE);
            break;
        }
    }
    Ok((status, content_type, body))
}

fn form_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A provider's endpoints (RFC 8414 / OpenID Connect discovery). Read from
/// the provider's snake_case JSON; shown to the UI in camelCase.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize, ts_rs::TS)]
#[serde(rename_all(serialize = "camelCase"))]
#[ts(export, rename_all = "camelCase")]
pub struct ProviderMetadata {
    #[serde(default)]
    pub issuer: Option<String>,
    pub token_endpoint: String,
    #[serde(default)]
    pub authorization_endpoint: Option<String>,
    #[serde(default)]
    pub device_authorization_endpoint: Option<String>,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub introspection_endpoint: Option<String>,
}

/// The most bytes of a provider's metadata document read: real ones are a
/// few KiB, and an issuer may be hostile (an endless body must not fill the
/// memory).
const MAX_METADATA: usize = 512 * 1024;

/// Reads the provider's metadata from `issuer`: OpenID Connect's
/// `/.well-known/openid-configuration` first, then RFC 8414's
/// `/.well-known/oauth-authorization-server`.
pub async fn discover(http: &reqwest::Client, issuer: &str) -> Result<ProviderMetadata> {
    let base = issuer.trim_end_matches('/');
    let mut problems = Vec::new();
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let url = format!("{base}{path}");
        match fetch_metadata(http, &url).await {
            Ok(metadata) => return Ok(metadata),
            Err(problem) => problems.push(format!("{url}: {problem}")),
        }
    }
    Err(Error::InvalidUrl {
        url: issuer.to_string(),
        reason: format!(
            "no provider metadata found at the issuer ({}); give the authorization and token URLs \
             instead (--auth-url, --token-url)",
            problems.join("; ")
        ),
    })
}

async fn fetch_metadata(
    http: &reqwest::Client,
    url: &str,
) -> std::result::Result<ProviderMetadata, String> {
    let mut response = http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|error| describe_transport_error(&error))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("HTTP {}", status.as_u16()));
    }
    let too_large = || {
        format!(
            "the metadata document is larger than {} KiB, the most read; not provider metadata",
            MAX_METADATA / 1024
        )
    };
    if response
        .content_length()
        .is_some_and(|length| length > MAX_METADATA as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| describe_transport_error(&error))?
    {
        if chunk.len() > MAX_METADATA - body.len() {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|error| format!("not provider metadata ({error})"))
}

/// The token URL of a credential: its own, else discovered from its issuer.
pub(crate) async fn token_url(http: &reqwest::Client, credential: &Credential) -> Result<String> {
    if let Some(url) = &credential.token_url {
        return Ok(url.clone());
    }
    match &credential.issuer {
        Some(issuer) => Ok(discover(http, issuer).await?.token_endpoint),
        None => Err(Error::InvalidCredential {
            name: credential.name.clone(),
            reason: "it has neither a token URL nor an issuer to discover one from".into(),
        }),
    }
}

/// Fills in an unknown expiry from the provider's introspection endpoint
/// (RFC 7662) when the credential's issuer names one: Salesforce sends no
/// `expires_in`, but its introspection answers `exp`. Best effort: when
/// anything fails, or `exp` is no usable expiry (beyond the clock, or not
/// after the token's issue), the expiry stays unknown (and says so).
/// Returns whether it learned one.
pub(crate) async fn learn_expiry(
    http: &reqwest::Client,
    credential: &Credential,
    client_secret: Option<&Secret>,
    tokens: &mut TokenSet,
) -> bool {
    if tokens.expires_at.is_some() {
        return false;
    }
    let Some(issuer) = &credential.issuer else {
        return false;
    };
    let Some(endpoint) = discover(http, issuer)
        .await
        .ok()
        .and_then(|metadata| metadata.introspection_endpoint)
    else {
        return false;
    };
    let form = vec![
        ("token", tokens.access_token.expose().to_string()),
        ("token_type_hint", "access_token".to_string()),
    ];
    let Ok((200, _, body)) = post_form(http, credential, &endpoint, client_secret, form).await
    else {
        return false;
    };
    let Ok(answer) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return false;
    };
    match introspected_expiry(&answer, tokens.issued_at) {
        Some(exp) => {
            tokens.expires_at = Some(exp);
            tokens.expiry_source = crate::token::ExpirySource::Introspection;
            true
        }
        None => false,
    }
}

/// The `exp` of an active token in an introspection answer, when it is an
/// expiry the clock can hold that comes after `issued`.
fn introspected_expiry(answer: &serde_json::Value, issued: SystemTime) -> Option<SystemTime> {
    if answer.get("active") != Some(&serde_json::Value::Bool(true)) {
        return None;
    }
    let exp = crate::token::unix_time(answer.get("exp")?)?;
    crate::token::usable_expiry(issued, exp)
}

/// Where a person-facing flow starts: the credential's `auth_url`, else the
/// endpoint `pick` takes from its issuer's metadata. `what` names it in errors.
pub(crate) async fn start_url(
    http: &reqwest::Client,
    credential: &Credential,
    what: &str,
    pick: impl FnOnce(ProviderMetadata) -> Option<String>,
) -> Result<String> {
    let failed = |detail: String| Error::Authorization {
        credential: credential.name.clone(),
        detail,
    };
    if let Some(url) = &credential.auth_url {
        return Ok(url.clone());
    }
    let Some(issuer) = &credential.issuer else {
        return Err(failed(format!(
            "it has no {what} URL (--auth-url) and no issuer to discover one from"
        )));
    };
    pick(discover(http, issuer).await?)
        .ok_or_else(|| failed(format!("the provider's metadata names no {what} endpoint")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_carry_exactly_what_each_grant_needs() {
        let scopes = vec!["api".to_string(), "read".to_string()];
        let refresh = Secret::new("rt-1");
        assert_eq!(
            Grant::RefreshToken(&refresh).form(&scopes),
            [
                ("grant_type", "refresh_token".to_string()),
                ("refresh_token", "rt-1".to_string())
            ]
        );
        assert_eq!(
            Grant::ClientCredentials.form(&scopes),
            [
                ("grant_type", "client_credentials".to_string()),
                ("scope", "api read".to_string())
            ]
        );
        assert_eq!(
            Grant::ClientCredentials.form(&[]),
            [("grant_type", "client_credentials".to_string())]
        );
    }

    #[test]
    fn tokens_in_a_broken_answer_are_masked() {
        let error = parse_token_response(
            200,
            Some("application/json"),
            br#"{"access_token":"00DSB0000000001!AQ","refresh_token":"rt-9","expires_in":"#,
            SystemTime::now(),
        )
        .unwrap_err();
        let message = redacted(error).to_string();
        assert!(!message.contains("00DSB"), "{message}");
        assert!(!message.contains("rt-9"), "{message}");
        assert!(
            message.contains(r#""access_token":"[redacted]""#),
            "{message}"
        );
    }

    #[test]
    fn an_introspected_exp_beyond_the_clock_or_in_the_past_is_no_expiry() {
        let issued = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000);
        let exp = |body: &str| introspected_expiry(&serde_json::from_str(body).unwrap(), issued);
        assert_eq!(
            exp(r#"{"active":true,"exp":1060}"#),
            Some(issued + std::time::Duration::from_secs(60))
        );
        assert_eq!(exp(r#"{"active":true,"exp":18446744073709551615}"#), None);
        assert_eq!(exp(r#"{"active":true,"exp":1e300}"#), None);
        assert_eq!(exp(r#"{"active":true,"exp":1000}"#), None);
        assert_eq!(exp(r#"{"active":false,"exp":1060}"#), None);
    }

    #[test]
    fn basic_credentials_are_form_encoded() {
        assert_eq!(form_encode("my client:1"), "my+client%3A1");
    }
}

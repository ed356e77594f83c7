//! Device authorization (RFC 8628): ask the provider for a user code, show it
//! with the verification URL, poll the token endpoint until the person has
//! approved (`authorization_pending`; `slow_down` adds 5 s to the interval).
//!
//! The device authorization answer is read with the `oauth2` crate's
//! [`StandardDeviceAuthorizationResponse`]; the polling goes through
//! [`flows::request_tokens`] so a refusal keeps the provider's own words.

use std::time::{Duration, Instant};

use oauth2::StandardDeviceAuthorizationResponse;

use super::browser::Cancel;
use super::flows::{self, Grant, TokenCallError};
use super::refresh::{LiveToken, TokenService};
use crate::credential::Credential;
use crate::{Error, Result};

/// The shortest wait between polls, whatever the provider asks.
const MIN_INTERVAL: Duration = Duration::from_millis(50);

/// What to show the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicePrompt {
    pub user_code: String,
    pub verification_uri: String,
    /// The URL with the code filled in, when the provider gives one.
    pub verification_uri_complete: Option<String>,
    pub expires_in: Duration,
}

/// Runs the device flow for `credential` and stores the tokens. `show` is
/// called once with the code to display.
pub async fn authorize_device(
    service: &TokenService,
    credential: &Credential,
    user: Option<&str>,
    show: impl FnOnce(&DevicePrompt),
    cancel: &Cancel,
) -> Result<LiveToken> {
    let failed = |detail: String| Error::Authorization {
        credential: credential.name.clone(),
        detail,
    };
    let endpoint = flows::start_url(
        service.http(),
        credential,
        "device authorization",
        |metadata| metadata.device_authorization_endpoint,
    )
    .await?;
    let secret = service.store().client_secret(&credential.name)?;
    let mut form = Vec::new();
    if !credential.scopes.is_empty() {
        form.push(("scope", credential.scopes.join(" ")));
    }
    let (status, _, body) =
        flows::post_form(service.http(), credential, &endpoint, secret.as_ref(), form)
            .await
            .map_err(|error| failed(format!("device authorization: {error}")))?;
    let answer: StandardDeviceAuthorizationResponse = match serde_json::from_slice(&body) {
        Ok(answer) if (200..300).contains(&status) => answer,
        _ => {
            return Err(failed(format!(
                "device authorization at {endpoint} answered HTTP {status}: {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(160)
                    .collect::<String>()
            )));
        }
    };
    show(&DevicePrompt {
        user_code: answer.user_code().secret().clone(),
        verification_uri: answer.verification_uri().to_string(),
        verification_uri_complete: answer
            .verification_uri_complete()
            .map(|uri| uri.secret().clone()),
        expires_in: answer.expires_in(),
    });
    let token_url = flows::token_url(service.http(), credential).await?;
    let deadline = Instant::now() + answer.expires_in();
    let mut interval = answer.interval().max(MIN_INTERVAL);
    let device_code = answer.device_code().secret().clone();
    loop {
        if cancel.is_cancelled() {
            return Err(failed("cancelled before the device was approved".into()));
        }
        if Instant::now() >= deadline {
            return Err(failed(
                "the code expired before it was approved; run the command again".into(),
            ));
        }
        // RFC 8628 §3.5: wait the interval between polls.
        tokio::time::sleep(interval).await;
        let grant = Grant::DeviceCode {
            device_code: &device_code,
        };
        match flows::request_tokens(
            service.http(),
            credential,
            &token_url,
            secret.as_ref(),
            &grant,
        )
        .await
        {
            Ok(tokens) => {
                return service
                    .keep_authorization(credential, user, tokens, None)
                    .await;
            }
            Err(TokenCallError::Response(error)) => match error.oauth_error() {
                Some("authorization_pending") => {}
                Some("slow_down") => interval += Duration::from_secs(5),
                Some("access_denied") => {
                    return Err(failed("the person denied the device's request".into()));
                }
                Some("expired_token") => {
                    return Err(failed(
                        "the code expired before it was approved; run the command again".into(),
                    ));
                }
                _ => return Err(failed(format!("device_code grant: {error}"))),
            },
            Err(TokenCallError::NotSent(error)) => return Err(error),
        }
    }
}

//! Device authorization (RFC 8628): ask the provider for a user code, show it
//! with the verification URL, poll the token endpoint until the person has
//! approved (`authorization_pending`; `slow_down` adds 5 s to the interval).
//!
//! The provider's `expires_in` and `interval` are taken as given, whatever
//! their size: a lifetime too long for the clock means the code has no known
//! end (the provider's `expired_token` still ends the polling), a wait never
//! runs past the code's end, and a cancel is heard during any wait.
//!
//! The device authorization answer is read with the `oauth2` crate's
//! [`StandardDeviceAuthorizationResponse`]; the polling goes through
//! [`flows::request_tokens`] so a refusal keeps the provider's own words.

use std::time::{Duration, Instant};

use oauth2::StandardDeviceAuthorizationResponse;

use super::browser::Cancel;
use super::flows::{self, Grant, TokenCallError};
use super::service::{LiveToken, TokenService};
use crate::credential::Credential;
use crate::{Error, Result};

/// The shortest wait between polls, whatever the provider asks.
const MIN_INTERVAL: Duration = Duration::from_millis(50);
/// What `slow_down` adds to the interval (RFC 8628 §3.5).
const SLOW_DOWN: Duration = Duration::from_secs(5);
/// The longest a wait between polls goes without looking for a cancel.
const CANCEL_CHECK: Duration = Duration::from_millis(250);

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
    let (status, _, body) = flows::post_form(
        &service.http_for(credential)?,
        credential,
        &endpoint,
        secret.as_ref(),
        form,
    )
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
    let deadline = Instant::now().checked_add(answer.expires_in());
    let mut interval = answer.interval().max(MIN_INTERVAL);
    let device_code = answer.device_code().secret().clone();
    loop {
        if cancel.is_cancelled() {
            return Err(failed("cancelled before the device was approved".into()));
        }
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            return Err(failed(
                "the code expired before it was approved; run the command again".into(),
            ));
        }
        // RFC 8628 §3.5: wait the interval between polls.
        wait(interval, deadline, cancel).await;
        if cancel.is_cancelled() {
            continue;
        }
        let grant = Grant::DeviceCode {
            device_code: &device_code,
        };
        match flows::request_tokens(
            &service.http_for(credential)?,
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
                Some("slow_down") => interval = interval.saturating_add(SLOW_DOWN),
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

/// Waits `interval`, but never past `deadline`, and ends early once
/// cancelled. Any `interval`, however long, is safe.
async fn wait(interval: Duration, deadline: Option<Instant>, cancel: &Cancel) {
    let until = match (Instant::now().checked_add(interval), deadline) {
        (Some(end), Some(deadline)) => Some(end.min(deadline)),
        (end, None) => end,
        (None, deadline) => deadline,
    };
    while !cancel.is_cancelled() {
        let left = until.map_or(CANCEL_CHECK, |until| {
            until.saturating_duration_since(Instant::now())
        });
        if left.is_zero() {
            return;
        }
        tokio::time::sleep(left.min(CANCEL_CHECK)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wait_longer_than_the_clock_ends_at_the_codes_end_or_on_cancel() {
        let cancel = Cancel::new();
        // The code's end comes first: the wait ends there.
        wait(Duration::MAX, Some(Instant::now()), &cancel).await;
        // No end known, and an endless interval: a cancel ends it.
        let waiting = tokio::spawn({
            let cancel = cancel.clone();
            async move { wait(Duration::MAX, None, &cancel).await }
        });
        cancel.cancel();
        waiting.await.unwrap();
    }
}

//! `POST /token` (RFC 6749 §3.2): every grant the product uses, with the
//! answers and errors real providers give, and the injected faults.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::clients::{
    Client, OAuthError, identify_client, narrow_scope, require_authenticated_client,
    require_client, resolve_scope,
};
use crate::clock::unix_seconds;
use crate::faults::TokenFault;
use crate::http::{Incoming, Params, Reply};
use crate::jwt;
use crate::provider::{Provider, RefreshPlan};
use crate::store::{DeviceStatus, Grant, IssuedTo, RefreshStatus};

pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
pub(crate) const DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Handles one token request and counts it under its grant type and outcome.
pub(crate) fn token_endpoint(provider: &Provider, request: &Incoming) -> Reply {
    let form = request.form();
    let grant_type = form.get("grant_type");
    // Take the fault in its own statement: the queue must not stay locked
    // while a hang holds this request.
    let fault = provider.faults().take();
    let answer = || grant(provider, request, &form, grant_type).map_err(|error| error.reply());
    let reply = match fault {
        Some(fault) => faulted(provider, fault, answer),
        None => match answer() {
            Ok(body) => Reply::json(200, &body).no_store(),
            Err(refusal) => refusal,
        },
    };
    provider.record_token(grant_label(grant_type), &reply.outcome);
    reply
}

/// The short name a grant type is counted under in the stats.
fn grant_label(grant_type: Option<&str>) -> &'static str {
    match grant_type {
        None => "missing",
        Some("authorization_code") => "authorization_code",
        Some("refresh_token") => "refresh_token",
        Some("client_credentials") => "client_credentials",
        Some("password") => "password",
        Some(JWT_BEARER) => "jwt_bearer",
        Some(DEVICE_CODE) => "device_code",
        Some(_) => "unsupported",
    }
}

fn faulted(
    provider: &Provider,
    fault: TokenFault,
    grant: impl FnOnce() -> Result<Value, Reply>,
) -> Reply {
    if fault == TokenFault::Hang {
        provider.shutdown.wait(provider.config.hang_for);
    }
    fault.reply(grant)
}

fn grant(
    provider: &Provider,
    request: &Incoming,
    form: &Params,
    grant_type: Option<&str>,
) -> Result<Value, OAuthError> {
    match grant_type {
        Some("authorization_code") => authorization_code(provider, request, form),
        Some("refresh_token") => refresh_token(provider, request, form),
        Some("client_credentials") => client_credentials(provider, request, form),
        Some("password") => password(provider, request, form),
        Some(JWT_BEARER) => jwt_bearer(provider, request, form),
        Some(DEVICE_CODE) => device_code(provider, request, form),
        Some(other) => Err(OAuthError::unsupported_grant_type(format!(
            "grant_type \"{other}\" is not supported"
        ))),
        None => Err(OAuthError::invalid_request("grant_type is required")),
    }
}

/// Finds what a client presented (a code, a refresh token, a device code);
/// unknown values and values issued to another client are `invalid_grant`.
fn presented<'a, T: IssuedTo>(
    records: &'a mut HashMap<String, T>,
    value: &str,
    what: &str,
    client: &Client,
) -> Result<&'a mut T, OAuthError> {
    let record = records
        .get_mut(value)
        .ok_or_else(|| OAuthError::invalid_grant(format!("unknown {what}")))?;
    if record.client_id() != client.id {
        return Err(OAuthError::invalid_grant(format!(
            "{what} was issued to another client"
        )));
    }
    Ok(record)
}

fn required<'a>(form: &'a Params, name: &str) -> Result<&'a str, OAuthError> {
    form.get(name)
        .ok_or_else(|| OAuthError::invalid_request(format!("{name} is required")))
}

fn authorization_code(
    provider: &Provider,
    request: &Incoming,
    form: &Params,
) -> Result<Value, OAuthError> {
    let client = require_client(provider, request, form)?;
    let code = required(form, "code")?;
    let redirect_uri = required(form, "redirect_uri")?;
    let verifier = form.get("code_verifier").ok_or_else(|| {
        OAuthError::invalid_request("code_verifier is required: this provider enforces PKCE")
    })?;
    if !is_valid_verifier(verifier) {
        return Err(OAuthError::invalid_request(
            "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~",
        ));
    }
    let now = provider.now();
    let mut store = provider.store();
    let record = presented(&mut store.codes, code, "authorization code", &client)?;
    if record.used {
        return Err(OAuthError::invalid_grant(
            "authorization code was already used",
        ));
    }
    if now >= record.expires_at {
        return Err(OAuthError::invalid_grant("authorization code expired"));
    }
    if record.redirect_uri != redirect_uri {
        return Err(OAuthError::invalid_grant(
            "redirect_uri does not match the one in the authorization request",
        ));
    }
    if s256(verifier) != record.code_challenge {
        return Err(OAuthError::invalid_grant(
            "code_verifier does not match the code_challenge",
        ));
    }
    record.used = true;
    let grant = record.grant.clone();
    let issued = provider.issue(&mut store, grant, RefreshPlan::NewFamily);
    Ok(provider.token_response(&issued))
}

/// RFC 7636 §4.1: 43–128 characters from the unreserved set.
fn is_valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte))
}

/// The S256 code challenge of a verifier (RFC 7636 §4.2).
pub(crate) fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn refresh_token(
    provider: &Provider,
    request: &Incoming,
    form: &Params,
) -> Result<Value, OAuthError> {
    let client = require_client(provider, request, form)?;
    let refresh_token = required(form, "refresh_token")?;
    let now = provider.now();
    let policy = provider.refresh_policy();
    let rotate = provider.config.rotate_refresh_tokens;
    let mut store = provider.store();
    let record = presented(&mut store.refresh, refresh_token, "refresh token", &client)?;
    record
        .usable_at(now, policy)
        .map_err(OAuthError::invalid_grant)?;
    let scope = narrow_scope(&record.grant.scope, form.get("scope"))?;
    let plan = if rotate {
        record.status = RefreshStatus::RotatedAway;
        RefreshPlan::Continue {
            family_started: record.family_started,
        }
    } else {
        record.last_used = now;
        RefreshPlan::None
    };
    let grant = Grant {
        scope,
        ..record.grant.clone()
    };
    let issued = provider.issue(&mut store, grant, plan);
    Ok(provider.token_response(&issued))
}

fn client_credentials(
    provider: &Provider,
    request: &Incoming,
    form: &Params,
) -> Result<Value, OAuthError> {
    let client = require_authenticated_client(provider, request, form)?;
    let grant = Grant {
        client_id: client.id,
        subject: None,
        scope: resolve_scope(provider, form.get("scope"))?,
    };
    let issued = provider.issue(&mut provider.store(), grant, RefreshPlan::None);
    Ok(provider.token_response(&issued))
}

fn password(provider: &Provider, request: &Incoming, form: &Params) -> Result<Value, OAuthError> {
    let client = require_authenticated_client(provider, request, form)?;
    let username = required(form, "username")?;
    let password = required(form, "password")?;
    if username != provider.config.username || password != provider.config.password {
        return Err(OAuthError::invalid_grant(
            "authentication failure: wrong username or password",
        ));
    }
    let grant = Grant {
        client_id: client.id,
        subject: Some(username.to_string()),
        scope: resolve_scope(provider, form.get("scope"))?,
    };
    let issued = provider.issue(&mut provider.store(), grant, RefreshPlan::NewFamily);
    Ok(provider.token_response(&issued))
}

/// RFC 7523 §2.1: the assertion is an HS256 JWT signed with the client secret,
/// `iss` the client id, `sub` the user, `aud` the issuer or token URL, `exp` ahead.
fn jwt_bearer(provider: &Provider, request: &Incoming, form: &Params) -> Result<Value, OAuthError> {
    identify_client(provider, request, form)?;
    let assertion = required(form, "assertion")?;
    let claims = jwt::unverified_claims(assertion)
        .map_err(|error| OAuthError::invalid_grant(error.to_string()))?;
    let issuer = claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if issuer != provider.config.client_id {
        return Err(OAuthError::invalid_grant(format!(
            "assertion iss \"{issuer}\" is not a registered client id"
        )));
    }
    let claims = jwt::verify_hs256(assertion, provider.config.client_secret.as_bytes())
        .map_err(|error| OAuthError::invalid_grant(error.to_string()))?;
    let subject = assertion_subject(&claims)?;
    check_audience(provider, &claims)?;
    check_assertion_times(provider, &claims)?;
    let grant = Grant {
        client_id: issuer.to_string(),
        subject: Some(subject),
        scope: resolve_scope(provider, form.get("scope"))?,
    };
    let issued = provider.issue(&mut provider.store(), grant, RefreshPlan::None);
    Ok(provider.token_response(&issued))
}

fn assertion_subject(claims: &Value) -> Result<String, OAuthError> {
    claims
        .get("sub")
        .and_then(Value::as_str)
        .filter(|subject| !subject.is_empty())
        .map(str::to_string)
        .ok_or_else(|| OAuthError::invalid_grant("assertion has no sub"))
}

fn check_audience(provider: &Provider, claims: &Value) -> Result<(), OAuthError> {
    let accepted = [provider.base_url.clone(), provider.url("/token")];
    let matches = |value: &Value| {
        value
            .as_str()
            .is_some_and(|aud| accepted.iter().any(|a| a == aud))
    };
    let ok = match claims.get("aud") {
        Some(Value::Array(audiences)) => audiences.iter().any(matches),
        Some(audience) => matches(audience),
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(OAuthError::invalid_grant(format!(
            "assertion aud must be {} or {}",
            accepted[0], accepted[1]
        )))
    }
}

fn check_assertion_times(provider: &Provider, claims: &Value) -> Result<(), OAuthError> {
    let now = unix_seconds(provider.now());
    let exp = claims
        .get("exp")
        .and_then(Value::as_u64)
        .ok_or_else(|| OAuthError::invalid_grant("assertion has no numeric exp"))?;
    if exp <= now {
        return Err(OAuthError::invalid_grant("assertion expired"));
    }
    if claims
        .get("nbf")
        .and_then(Value::as_u64)
        .is_some_and(|nbf| nbf > now)
    {
        return Err(OAuthError::invalid_grant(
            "assertion is not valid yet (nbf)",
        ));
    }
    Ok(())
}

/// RFC 8628 §3.4–3.5: poll until the user approves at the verification page.
fn device_code(
    provider: &Provider,
    request: &Incoming,
    form: &Params,
) -> Result<Value, OAuthError> {
    let client = require_client(provider, request, form)?;
    let device_code = required(form, "device_code")?;
    let now = provider.now();
    let interval = provider.config.device_poll_interval;
    let mut store = provider.store();
    let device = presented(&mut store.devices, device_code, "device_code", &client)?;
    if now >= device.expires_at {
        return Err(OAuthError::device(
            "expired_token",
            "the device code expired",
        ));
    }
    match device.status {
        DeviceStatus::Denied => Err(OAuthError::device(
            "access_denied",
            "the user denied the request",
        )),
        DeviceStatus::Redeemed => Err(OAuthError::invalid_grant("device_code was already used")),
        DeviceStatus::Pending => {
            let too_soon = now < device.next_poll_at;
            device.next_poll_at = now + interval;
            if too_soon {
                Err(OAuthError::device(
                    "slow_down",
                    "polling too fast: add 5 seconds to the interval",
                ))
            } else {
                Err(OAuthError::device(
                    "authorization_pending",
                    "the user has not approved yet",
                ))
            }
        }
        DeviceStatus::Approved => {
            device.status = DeviceStatus::Redeemed;
            let grant = Grant {
                client_id: device.client_id.clone(),
                subject: device.subject.clone(),
                scope: device.scope.clone(),
            };
            let issued = provider.issue(&mut store, grant, RefreshPlan::NewFamily);
            Ok(provider.token_response(&issued))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc_7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_checked_for_length_and_alphabet() {
        assert!(is_valid_verifier(&"a".repeat(43)));
        assert!(!is_valid_verifier(&"a".repeat(42)));
        assert!(!is_valid_verifier(&"a".repeat(129)));
        assert!(!is_valid_verifier(&format!("{}+", "a".repeat(43))));
    }

    #[test]
    fn grant_types_are_counted_under_short_names() {
        assert_eq!(grant_label(Some(JWT_BEARER)), "jwt_bearer");
        assert_eq!(grant_label(Some(DEVICE_CODE)), "device_code");
        assert_eq!(grant_label(Some("implicit")), "unsupported");
        assert_eq!(grant_label(None), "missing");
    }
}

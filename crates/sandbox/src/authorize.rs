//! `GET|POST /authorize` (RFC 6749 §4.1 with RFC 7636 PKCE): the sign-in page a
//! person clicks through, and the redirect back with `code` and `state`.
//!
//! Only S256 challenges are accepted. Redirect URIs must be registered; for a
//! loopback one (`http://127.0.0.1/...`, `[::1]`, `localhost`) any port matches,
//! as RFC 8252 §7.3 asks, so a native app can listen on whatever port it gets —
//! unless the sandbox matches exactly (`exact_redirect_uris`), as Salesforce
//! does: then only the very string registered is taken.

use url::Url;

use crate::clients::resolve_scope;
use crate::http::{Incoming, Params, Reply};
use crate::pages;
use crate::provider::{Provider, random_value};
use crate::store::{CodeRecord, Grant};

/// A validated authorization request, echoed into the sign-in form.
pub(crate) struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub code_challenge: String,
}

/// Why an authorization request cannot go on.
enum Refusal {
    /// The client or redirect URI cannot be trusted: tell the person, never redirect.
    Page(String),
    /// Tell the client through its redirect URI (RFC 6749 §4.1.2.1).
    Redirect(Box<Url>, &'static str, String),
}

pub(crate) fn authorize_endpoint(provider: &Provider, request: &Incoming) -> Reply {
    let params = if request.method == "POST" {
        request.form()
    } else {
        request.query_params()
    };
    let authorization = match validate(provider, &params) {
        Ok(authorization) => authorization,
        Err(Refusal::Page(message)) => {
            return Reply::html(400, pages::error_page("Authorization refused", &message))
                .with_outcome("invalid_request");
        }
        Err(Refusal::Redirect(target, error, description)) => {
            return redirect_with(
                *target,
                &[("error", error), ("error_description", &description)],
                &params,
            )
            .with_outcome(error);
        }
    };
    if request.method != "POST" {
        return Reply::html(200, pages::sign_in(provider, &authorization, None))
            .with_outcome("sign_in_page");
    }
    decide(provider, &authorization, &params)
}

fn decide(provider: &Provider, authorization: &AuthorizationRequest, params: &Params) -> Reply {
    let target = parse_redirect(&authorization.redirect_uri);
    match (params.get("decision"), target) {
        (_, None) => Reply::html(
            400,
            pages::error_page("Authorization refused", "bad redirect_uri"),
        )
        .with_outcome("invalid_request"),
        (Some("deny"), Some(target)) => redirect_with(
            target,
            &[
                ("error", "access_denied"),
                ("error_description", "the user denied access"),
            ],
            params,
        )
        .with_outcome("access_denied"),
        (Some("allow"), Some(target)) => {
            let signed_in = params.get("username") == Some(provider.config.username.as_str())
                && params.get("password") == Some(provider.config.password.as_str());
            if !signed_in {
                let message = "Wrong username or password.";
                return Reply::html(401, pages::sign_in(provider, authorization, Some(message)))
                    .with_outcome("wrong_password");
            }
            let code = issue_code(provider, authorization);
            redirect_with(target, &[("code", &code)], params).with_outcome("code_issued")
        }
        (_, Some(_)) => Reply::html(
            400,
            pages::error_page("Authorization refused", "decision must be allow or deny"),
        )
        .with_outcome("invalid_request"),
    }
}

fn validate(provider: &Provider, params: &Params) -> Result<AuthorizationRequest, Refusal> {
    let client_id = params.get("client_id").unwrap_or_default();
    if client_id != provider.config.client_id {
        return Err(Refusal::Page(format!("Unknown client_id \"{client_id}\".")));
    }
    let redirect_uri = params
        .get("redirect_uri")
        .ok_or_else(|| Refusal::Page("redirect_uri is required.".into()))?;
    let registered = if provider.config.exact_redirect_uris {
        provider
            .config
            .redirect_uris
            .iter()
            .any(|allowed| allowed == redirect_uri)
    } else {
        is_registered_redirect(&provider.config.redirect_uris, redirect_uri)
    };
    if !registered {
        return Err(Refusal::Page(format!(
            "redirect_uri_mismatch: redirect_uri \"{redirect_uri}\" is not registered for this \
             client. Registered: {}",
            provider.config.redirect_uris.join(", ")
        )));
    }
    let target = parse_redirect(redirect_uri)
        .ok_or_else(|| Refusal::Page("redirect_uri is not a valid URL.".into()))?;
    let refuse = |error: &'static str, description: &str| {
        Refusal::Redirect(Box::new(target.clone()), error, description.to_string())
    };
    if params.get("response_type") != Some("code") {
        return Err(refuse(
            "unsupported_response_type",
            "response_type must be code",
        ));
    }
    let code_challenge = params
        .get("code_challenge")
        .ok_or_else(|| refuse("invalid_request", "code_challenge is required (PKCE)"))?;
    if params.get("code_challenge_method") != Some("S256") {
        return Err(refuse(
            "invalid_request",
            "code_challenge_method must be S256; plain is not accepted",
        ));
    }
    let scope = resolve_scope(provider, params.get("scope"))
        .map_err(|error| refuse(error.code, &error.description))?;
    Ok(AuthorizationRequest {
        client_id: client_id.to_string(),
        redirect_uri: redirect_uri.to_string(),
        scope,
        state: params.get("state").map(str::to_string),
        code_challenge: code_challenge.to_string(),
    })
}

fn issue_code(provider: &Provider, authorization: &AuthorizationRequest) -> String {
    let code = format!("aPrx{}", random_value());
    let record = CodeRecord {
        grant: Grant {
            client_id: authorization.client_id.clone(),
            subject: Some(provider.config.username.clone()),
            scope: authorization.scope.clone(),
        },
        redirect_uri: authorization.redirect_uri.clone(),
        code_challenge: authorization.code_challenge.clone(),
        expires_at: provider.now() + provider.config.code_ttl,
        used: false,
    };
    provider.store().codes.insert(code.clone(), record);
    code
}

fn parse_redirect(uri: &str) -> Option<Url> {
    Url::parse(uri).ok().filter(|url| url.fragment().is_none())
}

/// Redirects to `target` with `pairs` and the request's `state` added to its query.
fn redirect_with(mut target: Url, pairs: &[(&str, &str)], params: &Params) -> Reply {
    {
        let mut query = target.query_pairs_mut();
        for (name, value) in pairs {
            query.append_pair(name, value);
        }
        if let Some(state) = params.get("state") {
            query.append_pair("state", state);
        }
    }
    Reply::redirect(target.as_str())
}

/// Exact match, or for loopback `http` URIs a match of everything but the port.
pub(crate) fn is_registered_redirect(registered: &[String], candidate: &str) -> bool {
    let Some(candidate_url) = parse_redirect(candidate) else {
        return false;
    };
    registered.iter().any(|allowed| {
        allowed == candidate
            || Url::parse(allowed)
                .is_ok_and(|allowed| same_loopback_target(&allowed, &candidate_url))
    })
}

fn same_loopback_target(allowed: &Url, candidate: &Url) -> bool {
    let loopback = |url: &Url| {
        url.scheme() == "http"
            && matches!(url.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"))
    };
    loopback(allowed)
        && loopback(candidate)
        && allowed.host_str() == candidate.host_str()
        && allowed.path() == candidate.path()
        && allowed.query() == candidate.query()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registered() -> Vec<String> {
        vec![
            "http://127.0.0.1/callback".to_string(),
            "https://app.example/cb".to_string(),
        ]
    }

    #[test]
    fn loopback_redirects_match_on_any_port_only() {
        let registered = registered();
        assert!(is_registered_redirect(
            &registered,
            "http://127.0.0.1:53117/callback"
        ));
        assert!(is_registered_redirect(
            &registered,
            "http://127.0.0.1/callback"
        ));
        assert!(!is_registered_redirect(
            &registered,
            "http://127.0.0.1:53117/other"
        ));
        assert!(!is_registered_redirect(
            &registered,
            "http://localhost:53117/callback"
        ));
        assert!(!is_registered_redirect(
            &registered,
            "http://evil.example:53117/callback"
        ));
        assert!(!is_registered_redirect(
            &registered,
            "http://127.0.0.1:1/callback#x"
        ));
    }

    #[test]
    fn other_redirects_must_match_exactly() {
        let registered = registered();
        assert!(is_registered_redirect(
            &registered,
            "https://app.example/cb"
        ));
        assert!(!is_registered_redirect(
            &registered,
            "https://app.example:444/cb"
        ));
        assert!(!is_registered_redirect(&registered, "not a url"));
    }
}

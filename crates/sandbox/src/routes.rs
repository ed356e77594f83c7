//! Which handler answers which method and path, plus the small endpoints that
//! need no module of their own: discovery, the home page and the
//! `/_sandbox/...` controls.

use serde_json::{Value, json};

use crate::apis;
use crate::authorize::authorize_endpoint;
use crate::device::{device_authorization, verification_page};
use crate::faults::FaultCommand;
use crate::http::{Incoming, Reply};
use crate::introspect::{introspect, revoke};
use crate::pages;
use crate::provider::Provider;
use crate::soap::soap_endpoint;
use crate::token::{DEVICE_CODE, JWT_BEARER, token_endpoint};

pub(crate) fn route(provider: &Provider, request: &Incoming) -> Reply {
    let method = request.method.as_str();
    let only = |allowed: &[&str], handler: fn(&Provider, &Incoming) -> Reply| {
        if allowed.contains(&method) {
            handler(provider, request)
        } else {
            Reply::method_not_allowed(&allowed.join(", "))
        }
    };
    // Salesforce's paths for the same endpoints.
    let path = request.path.as_str();
    let path = match path.strip_prefix("/services/oauth2") {
        Some(endpoint @ ("/authorize" | "/token" | "/revoke" | "/introspect")) => endpoint,
        _ => path,
    };
    match path {
        "/" => only(&["GET"], home),
        "/.well-known/openid-configuration" | "/.well-known/oauth-authorization-server" => {
            only(&["GET"], discovery)
        }
        "/authorize" => only(&["GET", "POST"], authorize_endpoint),
        "/token" => only(&["POST"], token_endpoint),
        "/device/code" => only(&["POST"], device_authorization),
        "/device" => only(&["GET", "POST"], verification_page),
        "/revoke" => only(&["POST"], revoke),
        "/introspect" => only(&["POST"], introspect),
        "/_sandbox/faults" => only(&["GET", "POST", "DELETE"], faults_control),
        "/_sandbox/stats" => only(&["GET"], stats),
        path => api_route(provider, request, path),
    }
}

fn api_route(provider: &Provider, request: &Incoming, path: &str) -> Reply {
    if !provider.at_instance(request) {
        return salesforce_login_host(provider, path);
    }
    if let Some(version) = path.strip_prefix("/services/Soap/u/") {
        if version.is_empty() || version.contains('/') {
            return Reply::not_found(path);
        }
        if request.method != "POST" {
            return Reply::method_not_allowed("POST");
        }
        return soap_endpoint(provider, request);
    }
    if let Some((version, rest)) = path
        .strip_prefix("/services/data/")
        .and_then(|tail| tail.split_once('/'))
    {
        return apis::salesforce_rest(provider, request, version, rest);
    }
    if let Some(rest) = under(path, "/wso2") {
        return apis::wso2(provider, request, rest);
    }
    if let Some(rest) = under(path, "/rfc6750") {
        return apis::rfc6750(provider, request, rest);
    }
    if let Some(rest) = under(path, "/inhouse") {
        return apis::inhouse(provider, request, rest);
    }
    if let Some(rest) = under(path, "/basic") {
        return apis::basic(provider, request, rest);
    }
    Reply::not_found(path)
}

/// An API called at a Salesforce login host instead of the org's instance:
/// 404 with Salesforce's error array, naming where the APIs are.
fn salesforce_login_host(provider: &Provider, path: &str) -> Reply {
    let body = serde_json::json!([{
        "message": format!(
            "{path} is not served at the login host; call the org's instance ({}), as the \
             token response's instance_url says",
            provider.instance_url
        ),
        "errorCode": "NOT_FOUND",
    }]);
    Reply::json(404, &body).with_outcome("login_host")
}

/// The part of `path` below `prefix` (`/wso2` and `/wso2/` give "").
fn under<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(prefix)?;
    if rest.is_empty() {
        Some(rest)
    } else {
        rest.strip_prefix('/')
    }
}

fn home(provider: &Provider, _request: &Incoming) -> Reply {
    Reply::html(200, pages::home(provider))
}

/// RFC 8414 metadata; the OpenID Connect discovery path serves the same.
fn discovery(provider: &Provider, _request: &Incoming) -> Reply {
    Reply::json(200, &metadata(provider))
}

pub(crate) fn metadata(provider: &Provider) -> Value {
    json!({
        "issuer": provider.base_url,
        "authorization_endpoint": provider.oauth_url("/authorize"),
        "token_endpoint": provider.oauth_url("/token"),
        "device_authorization_endpoint": provider.url("/device/code"),
        "revocation_endpoint": provider.oauth_url("/revoke"),
        "introspection_endpoint": provider.oauth_url("/introspect"),
        "response_types_supported": ["code"],
        "grant_types_supported": [
            "authorization_code", "refresh_token", "client_credentials", "password",
            JWT_BEARER, DEVICE_CODE
        ],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "token_endpoint_auth_signing_alg_values_supported": ["HS256"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": provider.config.scopes,
        "subject_types_supported": ["public"],
    })
}

/// `GET` lists pending faults, `POST` adds one (see [`FaultCommand`]),
/// `DELETE` clears them.
fn faults_control(provider: &Provider, request: &Incoming) -> Reply {
    let command = match request.method.as_str() {
        "GET" => None,
        "DELETE" => Some(FaultCommand::Clear),
        _ => match FaultCommand::parse(&request.body) {
            Ok(command) => Some(command),
            Err(message) => {
                return Reply::json(
                    400,
                    &json!({"error": "invalid_request", "error_description": message}),
                )
                .with_outcome("invalid_request");
            }
        },
    };
    let mut body = json!({});
    match command {
        None => {}
        Some(FaultCommand::Token { fault, count }) => provider.faults().push(fault, count),
        Some(FaultCommand::Clear) => provider.faults().clear(),
        Some(FaultCommand::RevokeRefreshTokens) => provider.store().revoke_all_refresh_tokens(),
        Some(FaultCommand::ExpireToken(token)) => {
            let now = provider.now();
            body["expired"] = json!(provider.store().expire_now(&token, now));
        }
    }
    body["pending"] = json!(provider.faults().pending());
    Reply::json(200, &body)
}

fn stats(provider: &Provider, _request: &Incoming) -> Reply {
    let stats = provider.stats().clone();
    Reply::json(200, &json!(stats))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SandboxConfig;
    use crate::http::incoming;
    use crate::provider::test_provider;

    fn provider() -> Provider {
        test_provider(SandboxConfig::default())
    }

    #[test]
    fn unknown_paths_and_wrong_methods_get_clear_answers() {
        let provider = provider();
        let reply = route(&provider, &incoming("GET", "/nowhere", &[], ""));
        assert_eq!(reply.status, 404);
        let reply = route(&provider, &incoming("GET", "/token", &[], ""));
        assert_eq!((reply.status, reply.header("Allow")), (405, Some("POST")));
        let reply = route(
            &provider,
            &incoming("GET", "/services/Soap/u/59.0", &[], ""),
        );
        assert_eq!(reply.status, 405);
        let reply = route(&provider, &incoming("POST", "/services/Soap/u/", &[], ""));
        assert_eq!(reply.status, 404);
    }

    #[test]
    fn prefixes_match_whole_segments() {
        assert_eq!(under("/wso2/accounts", "/wso2"), Some("accounts"));
        assert_eq!(under("/wso2", "/wso2"), Some(""));
        assert_eq!(under("/wso2x", "/wso2"), None);
    }

    #[test]
    fn malformed_fault_commands_are_400() {
        let provider = provider();
        let reply = route(
            &provider,
            &incoming("POST", "/_sandbox/faults", &[], "{\"fault\":"),
        );
        assert_eq!(reply.status, 400);
        let reply = route(
            &provider,
            &incoming("POST", "/_sandbox/faults", &[], "{\"fault\":\"nap\"}"),
        );
        assert_eq!(reply.status, 400);
    }
}

//! `POST /revoke` (RFC 7009) and `POST /introspect` (RFC 7662).

use serde_json::{Value, json};

use crate::clients::{require_authenticated_client, require_client};
use crate::clock::unix_seconds;
use crate::http::{Incoming, Reply};
use crate::provider::Provider;
use crate::store::{AccessState, Store};

/// Revokes the token if this client owns it. Unknown tokens also get 200, as
/// RFC 7009 §2.2 requires, so a client cannot probe for valid tokens.
pub(crate) fn revoke(provider: &Provider, request: &Incoming) -> Reply {
    let form = request.form();
    let client = match require_client(provider, request, &form) {
        Ok(client) => client,
        Err(error) => return error.reply(),
    };
    let Some(token) = form.get("token") else {
        return crate::clients::OAuthError::invalid_request("token is required").reply();
    };
    let mut store = provider.store();
    let revoked = owner(&store, token) == Some(client.id.as_str()) && store.revoke(token);
    let outcome = if revoked { "revoked" } else { "unknown_token" };
    Reply::new(200, "text/plain;charset=UTF-8", "").with_outcome(outcome)
}

fn owner<'a>(store: &'a Store, token: &str) -> Option<&'a str> {
    store
        .access
        .get(token)
        .map(|record| record.grant.client_id.as_str())
        .or_else(|| {
            store
                .refresh
                .get(token)
                .map(|record| record.grant.client_id.as_str())
        })
}

/// Reports whether a token is active; the caller must authenticate.
pub(crate) fn introspect(provider: &Provider, request: &Incoming) -> Reply {
    let form = request.form();
    if let Err(error) = require_authenticated_client(provider, request, &form) {
        return error.reply();
    }
    let Some(token) = form.get("token") else {
        return crate::clients::OAuthError::invalid_request("token is required").reply();
    };
    let body = describe(provider, token);
    let outcome = if body["active"] == true {
        "active"
    } else {
        "inactive"
    };
    Reply::json(200, &body).no_store().with_outcome(outcome)
}

fn describe(provider: &Provider, token: &str) -> Value {
    let now = provider.now();
    let store = provider.store();
    if let AccessState::Live(record) = store.access_state(token, now) {
        let grant = &record.grant;
        return json!({
            "active": true,
            "token_type": "Bearer",
            "scope": grant.scope,
            "client_id": grant.client_id,
            "username": grant.subject,
            "sub": grant.subject.as_deref().unwrap_or(&grant.client_id),
            "iat": unix_seconds(record.issued_at),
            "exp": unix_seconds(record.expires_at),
            "iss": provider.base_url,
        });
    }
    match store.refresh.get(token) {
        Some(record) if record.usable_at(now, provider.refresh_policy()).is_ok() => {
            let mut body = json!({
                "active": true,
                "token_type": "refresh_token",
                "scope": record.grant.scope,
                "client_id": record.grant.client_id,
                "username": record.grant.subject,
                "iat": unix_seconds(record.family_started),
                "iss": provider.base_url,
            });
            if let Some(absolute) = provider.config.refresh_absolute_ttl {
                body["exp"] = json!(unix_seconds(record.family_started + absolute));
            }
            body
        }
        _ => json!({"active": false}),
    }
}

//! The few HTML pages a person sees: the sign-in page of `/authorize`, the
//! device verification page, error pages and the sandbox's home page.

use callout_core::requests::SALESFORCE_API_VERSION;

use crate::authorize::AuthorizationRequest;
use crate::http::escape_markup as esc;
use crate::provider::Provider;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;\
padding:0 1rem;color:#1d2330}h1{font-size:1.4rem}label{display:block;margin:.6rem 0}\
input[type=text],input[type=password]{width:100%;padding:.4rem}button{margin:.8rem .4rem 0 0;\
padding:.5rem 1.2rem}.error{color:#a4262c}.note{color:#5c6370;font-size:.9rem}code{background:#f1f3f5}";

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} · Callout Lab \
         sandbox</title><style>{STYLE}</style></head><body>{body}</body></html>\n",
        esc(title)
    )
}

fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        esc(name),
        esc(value)
    )
}

fn error_line(error: Option<&str>) -> String {
    error
        .map(|message| format!("<p class=\"error\">{}</p>", esc(message)))
        .unwrap_or_default()
}

/// The sign-in and consent page; submitting it POSTs back to `/authorize`.
pub(crate) fn sign_in(
    provider: &Provider,
    authorization: &AuthorizationRequest,
    error: Option<&str>,
) -> String {
    let config = &provider.config;
    let fields = [
        hidden("response_type", "code"),
        hidden("client_id", &authorization.client_id),
        hidden("redirect_uri", &authorization.redirect_uri),
        hidden("scope", &authorization.scope),
        hidden("state", authorization.state.as_deref().unwrap_or_default()),
        hidden("code_challenge", &authorization.code_challenge),
        hidden("code_challenge_method", "S256"),
    ]
    .concat();
    let body = format!(
        "<h1>Sign in to the sandbox</h1>{error}\
         <p><strong>{client}</strong> asks for: <code>{scope}</code></p>\
         <form method=\"post\" action=\"/authorize\">{fields}\
         <label>Username <input type=\"text\" name=\"username\" value=\"{user}\"></label>\
         <label>Password <input type=\"password\" name=\"password\" value=\"{password}\"></label>\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>\
         <p class=\"note\">This is a local test provider. The sandbox user is filled in for you.</p>",
        error = error_line(error),
        client = esc(&authorization.client_id),
        scope = esc(&authorization.scope),
        user = esc(&config.username),
        password = esc(&config.password),
    );
    layout("Sign in", &body)
}

pub(crate) fn error_page(title: &str, message: &str) -> String {
    layout(
        title,
        &format!(
            "<h1>{}</h1><p class=\"error\">{}</p>",
            esc(title),
            esc(message)
        ),
    )
}

/// Where a person enters the code their device shows.
pub(crate) fn device_entry(user_code: &str, error: Option<&str>) -> String {
    let body = format!(
        "<h1>Connect a device</h1>{}<form method=\"post\" action=\"/device\">\
         <label>Code shown on your device <input type=\"text\" name=\"user_code\" value=\"{}\" \
         autocomplete=\"off\"></label>\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Approve</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>",
        error_line(error),
        esc(user_code)
    );
    layout("Connect a device", &body)
}

pub(crate) fn device_done(approved: bool) -> String {
    let message = if approved {
        "Device approved. You can return to your device."
    } else {
        "Request denied. The device will not get access."
    };
    layout("Connect a device", &format!("<h1>{}</h1>", esc(message)))
}

/// `GET /`: what this server is and where its endpoints are.
pub(crate) fn home(provider: &Provider) -> String {
    let config = &provider.config;
    let endpoints = [
        "/.well-known/openid-configuration".to_string(),
        "/authorize".into(),
        "/token".into(),
        "/device/code".into(),
        "/device".into(),
        "/revoke".into(),
        "/introspect".into(),
        format!("/services/Soap/u/{SALESFORCE_API_VERSION}"),
        format!("/services/data/v{SALESFORCE_API_VERSION}/query?q=SELECT+Id,Name+FROM+Account"),
        "/wso2/accounts".into(),
        "/rfc6750/accounts".into(),
        "/_sandbox/faults".into(),
        "/_sandbox/stats".into(),
    ]
    .iter()
    .map(|path| format!("<li><code>{}</code></li>", esc(&provider.url(path))))
    .collect::<String>();
    let body = format!(
        "<h1>Callout Lab sandbox</h1><p>A local OAuth provider and APIs that fail the way real \
         ones do.</p><p>Client id <code>{}</code>, client secret <code>{}</code>, user \
         <code>{}</code> / <code>{}</code>.</p><ul>{endpoints}</ul>",
        esc(&config.client_id),
        esc(&config.client_secret),
        esc(&config.username),
        esc(&config.password)
    );
    layout("Sandbox", &body)
}

//! The bearer-token APIs, each answering a dead token the way its original does:
//!
//! - Salesforce REST `/services/data/{version}/query?q=...`: 401 with
//!   `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`.
//! - WSO2 API Manager `/wso2/...`: 401 with WSO2's JSON body and no
//!   `WWW-Authenticate` header.
//! - RFC 6750 `/rfc6750/...`: 401 with `WWW-Authenticate: Bearer
//!   error="invalid_token"`; a live token lacking the scope gets 403
//!   `insufficient_scope` (`read` for GET/HEAD, `write` otherwise).
//! - An in-house API `/inhouse/...` that answers every error on HTTP 200, as
//!   many older and internal APIs do: a dead token gets `{"success":false,
//!   "error":{"code":"E_SESSION_EXPIRED",...}}` with status 200, which no
//!   generic rule can call an expiry — the shape a user teaches a rule for.
//! - Basic authentication `/basic/...`: the sandbox user's username and
//!   password (RFC 7617), else 401 with `WWW-Authenticate: Basic`. It has no
//!   token: a Bearer header is refused like a wrong password.

use serde_json::{Map, Value, json};

use crate::http::{Bearer, Incoming, Reply};
use crate::provider::Provider;
use crate::soql::{self, QueryResult};
use crate::store::Grant;

pub(crate) const SALESFORCE_REST: &str = "salesforce_rest";
pub(crate) const WSO2: &str = "wso2";
pub(crate) const RFC6750: &str = "rfc6750";
pub(crate) const BASIC: &str = "basic";
pub(crate) const INHOUSE: &str = "inhouse";
const REALM: &str = "callout-sandbox";
/// WSO2 API Manager's answer to an expired or unknown token, byte for byte.
const WSO2_EXPIRED: &str = r#"{"message":"unauthorized request, please refresh your access token","statusCode":401,"error":"Unauthorized"}"#;

/// Who called, as far as the bearer token tells.
enum Caller {
    Live(Grant),
    Dead(&'static str),
    Missing,
    Malformed,
}

fn caller(provider: &Provider, request: &Incoming) -> Caller {
    match request.bearer() {
        Bearer::Missing => Caller::Missing,
        Bearer::Malformed => Caller::Malformed,
        Bearer::Token(token) => match provider.check_access(&token) {
            Ok(grant) => Caller::Live(grant),
            Err(reason) => Caller::Dead(reason),
        },
    }
}

/// Runs `answer` and counts the call under `endpoint` and the reply's outcome.
fn counted(provider: &Provider, endpoint: &str, answer: impl FnOnce() -> Reply) -> Reply {
    let reply = answer();
    provider.record_api(endpoint, &reply.outcome);
    reply
}

/// `GET /services/data/{version}/{rest}` — only `query` is served.
pub(crate) fn salesforce_rest(
    provider: &Provider,
    request: &Incoming,
    version: &str,
    rest: &str,
) -> Reply {
    counted(provider, SALESFORCE_REST, || {
        if !matches!(caller(provider, request), Caller::Live(_)) {
            return salesforce_errors(401, "INVALID_SESSION_ID", "Session expired or invalid")
                .with_outcome("invalid_session");
        }
        if rest.trim_end_matches('/') != "query" {
            return salesforce_errors(404, "NOT_FOUND", "The requested resource does not exist")
                .with_outcome("not_found");
        }
        if request.method != "GET" {
            return salesforce_errors(
                405,
                "METHOD_NOT_ALLOWED",
                "HTTP Method not allowed; use GET",
            )
            .with_header("Allow", "GET")
            .with_outcome("bad_request");
        }
        let Some(soql) = request.query_params().get("q").map(str::to_string) else {
            return salesforce_errors(400, "MALFORMED_QUERY", "A query string has to be specified")
                .with_outcome("bad_request");
        };
        match soql::run(&soql) {
            Ok(result) => Reply::json(200, &rest_records(&result, version)),
            Err(error) => {
                salesforce_errors(400, error.code, &error.message).with_outcome("query_error")
            }
        }
    })
}

/// Salesforce's error array, keys in Salesforce's order (`message`, then `errorCode`).
fn salesforce_errors(status: u16, code: &str, message: &str) -> Reply {
    let body = format!(
        r#"[{{"message":{},"errorCode":{}}}]"#,
        json!(message),
        json!(code)
    );
    Reply::new(status, "application/json;charset=UTF-8", body)
}

fn rest_records(result: &QueryResult, version: &str) -> Value {
    let records: Vec<Value> = result
        .rows
        .iter()
        .map(|row| {
            let mut record = Map::new();
            record.insert(
                "attributes".into(),
                json!({
                    "type": result.table.name,
                    "url": format!("/services/data/{version}/sobjects/{}/{}", result.table.name, row[0]),
                }),
            );
            for (name, value) in result.fields(row) {
                record.insert(name.into(), json!(value));
            }
            Value::Object(record)
        })
        .collect();
    json!({"totalSize": records.len(), "done": true, "records": records})
}

/// Any method on `/wso2/{rest}`, guarded the way WSO2 API Manager's gateway does.
pub(crate) fn wso2(provider: &Provider, request: &Incoming, rest: &str) -> Reply {
    counted(provider, WSO2, || {
        match caller(provider, request) {
        Caller::Live(_) => resource(request, rest),
        Caller::Missing => Reply::json(
            401,
            &json!({
                "code": "900902",
                "message": "Missing Credentials",
                "description": "Invalid Credentials. Make sure your API invocation call has a header: 'Authorization : Bearer ***'"
            }),
        )
        .with_outcome("missing_token"),
        Caller::Dead(_) | Caller::Malformed => {
            Reply::new(401, "application/json;charset=UTF-8", WSO2_EXPIRED).with_outcome("invalid_token")
        }
    }
    })
}

/// Any method on `/inhouse/{rest}`: errors on HTTP 200, in the API's own
/// words.
pub(crate) fn inhouse(provider: &Provider, request: &Incoming, rest: &str) -> Reply {
    counted(provider, INHOUSE, || match caller(provider, request) {
        Caller::Live(_) => resource(request, rest),
        Caller::Missing | Caller::Malformed => Reply::json(
            200,
            &json!({
                "success": false,
                "error": {"code": "E_NO_SESSION", "message": "Sign in first."}
            }),
        )
        .with_outcome("missing_token"),
        Caller::Dead(_) => Reply::json(
            200,
            &json!({
                "success": false,
                "error": {
                    "code": "E_SESSION_EXPIRED",
                    "message": "Your session has timed out. Please sign in again."
                }
            }),
        )
        .with_outcome("invalid_token"),
    })
}

/// Any method on `/rfc6750/{rest}`, answering with RFC 6750 §3 challenges.
pub(crate) fn rfc6750(provider: &Provider, request: &Incoming, rest: &str) -> Reply {
    counted(provider, RFC6750, || match caller(provider, request) {
        Caller::Missing => Reply::new(401, "text/plain;charset=UTF-8", "")
            .with_header("WWW-Authenticate", format!("Bearer realm=\"{REALM}\""))
            .with_outcome("missing_token"),
        Caller::Malformed => bearer_error(
            400,
            "invalid_request",
            "The Authorization header is not Bearer <token>",
            None,
        ),
        Caller::Dead(reason) => bearer_error(401, "invalid_token", reason, None),
        Caller::Live(grant) => {
            let needed = if matches!(request.method.as_str(), "GET" | "HEAD") {
                "read"
            } else {
                "write"
            };
            if grant.has_scope(needed) {
                resource(request, rest)
            } else {
                let description = format!("The request requires the \"{needed}\" scope");
                bearer_error(403, "insufficient_scope", &description, Some(needed))
            }
        }
    })
}

/// Any method on `/basic/{rest}`: the sandbox user's login as HTTP Basic.
pub(crate) fn basic(provider: &Provider, request: &Incoming, rest: &str) -> Reply {
    counted(provider, BASIC, || {
        let config = &provider.config;
        let login = request.basic_login();
        if login.as_ref().is_some_and(|(user, password)| {
            *user == config.username && *password == config.password
        }) {
            return resource(request, rest);
        }
        let (outcome, message) = match login {
            Some(_) => ("wrong_login", "The username or password is wrong"),
            None => ("missing_login", "This API needs HTTP Basic authentication"),
        };
        Reply::json(401, &json!({"error": outcome, "message": message}))
            .with_header(
                "WWW-Authenticate",
                format!("Basic realm=\"{REALM}\", charset=\"UTF-8\""),
            )
            .with_outcome(outcome)
    })
}

fn bearer_error(status: u16, code: &'static str, description: &str, scope: Option<&str>) -> Reply {
    let mut challenge =
        format!("Bearer realm=\"{REALM}\", error=\"{code}\", error_description=\"{description}\"");
    if let Some(scope) = scope {
        challenge.push_str(&format!(", scope=\"{scope}\""));
    }
    Reply::json(
        status,
        &json!({"error": code, "error_description": description}),
    )
    .with_header("WWW-Authenticate", challenge)
    .with_outcome(code)
}

/// What a live token gets: the accounts at `accounts`, an echo elsewhere.
fn resource(request: &Incoming, rest: &str) -> Reply {
    if rest.trim_end_matches('/') == "accounts"
        && request.method == "GET"
        && let Ok(result) = soql::run("SELECT Id, Name, Industry, BillingCity FROM Account")
    {
        let accounts: Vec<Value> = result
            .rows
            .iter()
            .map(|row| {
                Value::Object(
                    result
                        .fields(row)
                        .map(|(k, v)| (k.to_string(), json!(v)))
                        .collect(),
                )
            })
            .collect();
        return Reply::json(200, &json!({"count": accounts.len(), "accounts": accounts}));
    }
    Reply::json(
        200,
        &json!({"ok": true, "method": request.method, "path": request.path, "bodyBytes": request.body.len()}),
    )
}

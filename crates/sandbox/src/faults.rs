//! Injected token-endpoint failures: the ways real token endpoints break
//! (a 500, a proxy's HTML page, truncated JSON, a success without a token, a
//! refusal, a hang, a lifetime no clock can hold), queued for the next N
//! token requests.

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::http::Reply;

/// How the next token request(s) should fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenFault {
    /// HTTP 500 with `{"error":"server_error",...}`.
    ServerError,
    /// HTTP 503 with an HTML page, as a proxy or load balancer sends.
    HtmlErrorPage,
    /// HTTP 200, `Content-Type: application/json`, a body cut off mid-object.
    MalformedJson,
    /// HTTP 200 with a well-formed token response that lacks `access_token`.
    MissingAccessToken,
    /// HTTP 400 `invalid_grant`, whatever was presented.
    InvalidGrant,
    /// No answer until the sandbox's `hang_for` has passed (or it shuts down),
    /// then HTTP 504: longer than any sensible client timeout.
    Hang,
    /// HTTP 302 to another address, as a misconfigured proxy or an SSO
    /// front door answers; a token client must not follow it.
    Redirect,
    /// The grant is answered for real (tokens issued, a refresh token
    /// rotated) but with `expires_in` 9223372036854775807: more seconds than
    /// any clock can add.
    HugeExpiresIn,
    /// The grant is answered for real, with `expires_in` 0.
    ZeroExpiresIn,
}

impl TokenFault {
    pub const ALL: [TokenFault; 9] = [
        TokenFault::ServerError,
        TokenFault::HtmlErrorPage,
        TokenFault::MalformedJson,
        TokenFault::MissingAccessToken,
        TokenFault::InvalidGrant,
        TokenFault::Hang,
        TokenFault::Redirect,
        TokenFault::HugeExpiresIn,
        TokenFault::ZeroExpiresIn,
    ];

    /// The name used over HTTP and in the stats (`server_error`, `hang`, ...).
    pub fn name(self) -> &'static str {
        match self {
            TokenFault::ServerError => "server_error",
            TokenFault::HtmlErrorPage => "html_error_page",
            TokenFault::MalformedJson => "malformed_json",
            TokenFault::MissingAccessToken => "missing_access_token",
            TokenFault::InvalidGrant => "invalid_grant",
            TokenFault::Hang => "hang",
            TokenFault::Redirect => "redirect",
            TokenFault::HugeExpiresIn => "huge_expires_in",
            TokenFault::ZeroExpiresIn => "zero_expires_in",
        }
    }

    /// For a fault that answers the grant for real: the `expires_in` its
    /// answer carries instead of the configured one.
    fn expires_in(self) -> Option<u64> {
        match self {
            TokenFault::HugeExpiresIn => Some(i64::MAX as u64),
            TokenFault::ZeroExpiresIn => Some(0),
            _ => None,
        }
    }

    /// The answer this fault gives (for [`TokenFault::Hang`], once the hang
    /// is over). `grant` runs the grant for real: the lifetime faults pass
    /// its token response on with their `expires_in`, and its refusal as it is.
    pub(crate) fn reply(self, grant: impl FnOnce() -> Result<Value, Reply>) -> Reply {
        if let Some(expires_in) = self.expires_in() {
            let mut body = match grant() {
                Ok(body) => body,
                Err(refusal) => return refusal,
            };
            body["expires_in"] = json!(expires_in);
            return Reply::json(200, &body)
                .no_store()
                .with_outcome(format!("fault_{}", self.name()));
        }
        let reply = match self {
            TokenFault::ServerError => Reply::json(
                500,
                &json!({"error": "server_error", "error_description": "injected fault: internal error"}),
            ),
            TokenFault::HtmlErrorPage => Reply::html(503, HTML_ERROR_PAGE.to_string()),
            TokenFault::MalformedJson => Reply::new(
                200,
                "application/json;charset=UTF-8",
                r#"{"access_token":"00DSB0000000001!AQ","token_type":"Bearer","expires_in":"#,
            ),
            TokenFault::MissingAccessToken => Reply::json(
                200,
                &json!({"token_type": "Bearer", "expires_in": 60, "scope": "api"}),
            ),
            TokenFault::InvalidGrant => Reply::json(
                400,
                &json!({"error": "invalid_grant", "error_description": "injected fault: grant refused"}),
            ),
            TokenFault::Hang => Reply::new(504, "text/plain;charset=UTF-8", "gateway timeout"),
            TokenFault::Redirect => Reply::html(
                302,
                "<p>Moved to the <a href=\"https://sso.example.invalid/login\">sign-in page</a></p>"
                    .to_string(),
            )
            .with_header("Location", "https://sso.example.invalid/login"),
            TokenFault::HugeExpiresIn | TokenFault::ZeroExpiresIn => {
                Reply::json(500, &json!({"error": "server_error"}))
            }
        };
        reply
            .no_store()
            .with_outcome(format!("fault_{}", self.name()))
    }
}

impl fmt::Display for TokenFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TokenFault {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        TokenFault::ALL
            .into_iter()
            .find(|fault| fault.name() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = TokenFault::ALL.iter().map(|fault| fault.name()).collect();
                format!("unknown fault \"{name}\"; known: {}", known.join(", "))
            })
    }
}

const HTML_ERROR_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>503 Service Temporarily \
Unavailable</title></head>\n<body><center><h1>503 Service Temporarily Unavailable</h1></center>\
\n<hr><center>nginx</center></body></html>\n";

/// Faults waiting for token requests, in the order they were injected.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    pending: VecDeque<(TokenFault, u32)>,
}

impl FaultQueue {
    pub fn push(&mut self, fault: TokenFault, count: u32) {
        if count > 0 {
            self.pending.push_back((fault, count));
        }
    }

    /// The fault for the next token request, if any is left.
    pub fn take(&mut self) -> Option<TokenFault> {
        let (fault, remaining) = self.pending.front_mut()?;
        let fault = *fault;
        *remaining -= 1;
        if *remaining == 0 {
            self.pending.pop_front();
        }
        Some(fault)
    }

    pub fn clear(&mut self) {
        self.pending.clear();
    }

    pub fn pending(&self) -> Vec<PendingFault> {
        self.pending
            .iter()
            .map(|&(fault, count)| PendingFault { fault, count })
            .collect()
    }
}

/// A queued fault and how many more token requests it will answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingFault {
    pub fault: TokenFault,
    pub count: u32,
}

/// A command sent to `POST /_sandbox/faults`, e.g. `{"fault":"server_error","count":2}`,
/// `{"fault":"expire_token","token":"..."}` or `{"fault":"revoke_refresh_tokens"}`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FaultCommand {
    Token { fault: TokenFault, count: u32 },
    ExpireToken(String),
    RevokeRefreshTokens,
    Clear,
}

#[derive(Deserialize)]
struct RawCommand {
    fault: String,
    count: Option<u32>,
    token: Option<String>,
}

impl FaultCommand {
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        let raw: RawCommand = serde_json::from_slice(body).map_err(|error| {
            format!("expected JSON like {{\"fault\":\"server_error\",\"count\":1}}: {error}")
        })?;
        match raw.fault.as_str() {
            "expire_token" => raw
                .token
                .filter(|token| !token.is_empty())
                .map(FaultCommand::ExpireToken)
                .ok_or_else(|| "\"expire_token\" needs a \"token\"".to_string()),
            "revoke_refresh_tokens" => Ok(FaultCommand::RevokeRefreshTokens),
            "clear" => Ok(FaultCommand::Clear),
            name => Ok(FaultCommand::Token {
                fault: name.parse()?,
                count: raw.count.unwrap_or(1),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_answer_in_order_and_run_out() {
        let mut queue = FaultQueue::default();
        queue.push(TokenFault::ServerError, 2);
        queue.push(TokenFault::Hang, 0);
        queue.push(TokenFault::InvalidGrant, 1);
        assert_eq!(queue.take(), Some(TokenFault::ServerError));
        assert_eq!(
            queue.pending(),
            vec![
                PendingFault {
                    fault: TokenFault::ServerError,
                    count: 1
                },
                PendingFault {
                    fault: TokenFault::InvalidGrant,
                    count: 1
                }
            ]
        );
        assert_eq!(queue.take(), Some(TokenFault::ServerError));
        assert_eq!(queue.take(), Some(TokenFault::InvalidGrant));
        assert_eq!(queue.take(), None);
    }

    #[test]
    fn a_lifetime_fault_answers_the_grant_with_its_expires_in() {
        let grant = || Ok(json!({"access_token": "at", "expires_in": 60}));
        for (fault, expires_in) in [
            (
                TokenFault::HugeExpiresIn,
                json!(9_223_372_036_854_775_807_u64),
            ),
            (TokenFault::ZeroExpiresIn, json!(0)),
        ] {
            let reply = fault.reply(grant);
            let body: Value = serde_json::from_slice(&reply.body).unwrap();
            assert_eq!((reply.status, &body["expires_in"]), (200, &expires_in));
            assert_eq!(body["access_token"], "at");
            assert_eq!(reply.outcome, format!("fault_{}", fault.name()));
        }
    }

    #[test]
    fn names_round_trip() {
        for fault in TokenFault::ALL {
            assert_eq!(fault.name().parse::<TokenFault>(), Ok(fault));
            assert_eq!(serde_json::to_value(fault).unwrap(), fault.name());
        }
        assert!(
            "teapot"
                .parse::<TokenFault>()
                .unwrap_err()
                .contains("known: server_error")
        );
    }

    #[test]
    fn commands_parse_from_json() {
        assert_eq!(
            FaultCommand::parse(br#"{"fault":"malformed_json","count":3}"#),
            Ok(FaultCommand::Token {
                fault: TokenFault::MalformedJson,
                count: 3
            })
        );
        assert_eq!(
            FaultCommand::parse(br#"{"fault":"hang"}"#),
            Ok(FaultCommand::Token {
                fault: TokenFault::Hang,
                count: 1
            })
        );
        assert_eq!(
            FaultCommand::parse(br#"{"fault":"expire_token","token":"abc"}"#),
            Ok(FaultCommand::ExpireToken("abc".into()))
        );
        assert!(FaultCommand::parse(br#"{"fault":"expire_token"}"#).is_err());
        assert!(FaultCommand::parse(b"fault=hang").is_err());
    }

    #[test]
    fn every_fault_reply_is_not_a_usable_token_response() {
        for fault in TokenFault::ALL {
            if fault.expires_in().is_some() {
                continue;
            }
            let reply = fault.reply(|| Err(Reply::json(400, &json!({"error": "invalid_grant"}))));
            let usable = reply.status == 200
                && serde_json::from_slice::<serde_json::Value>(&reply.body)
                    .is_ok_and(|body| body.get("access_token").is_some());
            assert!(!usable, "{fault} produced a usable token response");
        }
    }
}

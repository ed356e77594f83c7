//! Authorization code with PKCE (S256) in the system browser (RFC 6749 §4.1,
//! RFC 7636, RFC 8252): a one-shot loopback listener on `127.0.0.1` and a
//! free port, the person signs in at the provider, the provider redirects
//! back with `code` and `state`, the code is exchanged for tokens.
//!
//! The `oauth2` crate builds the authorization URL, the PKCE pair and the
//! CSRF `state`; the code exchange goes through [`flows::request_tokens`]
//! like every other grant (see there why).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use oauth2::basic::BasicClient;
use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};

use super::flows::{self, Grant};
use super::refresh::{LiveToken, TokenService};
use crate::credential::Credential;
use crate::{Error, Result};

/// How long the listener waits for the browser by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// How often a waiting listener checks for cancellation.
const POLL: Duration = Duration::from_millis(100);

/// Stops a running browser authorization from another task or thread.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Opens a URL for the person: the system browser, or a stand-in.
pub type Opener = Arc<dyn Fn(&str) -> Result<()> + Send + Sync>;

/// Options of a browser authorization.
#[derive(Clone)]
pub struct BrowserOptions {
    pub timeout: Duration,
    pub cancel: Cancel,
    /// Where the authorization URL goes; [`open_in_browser`] by default.
    pub open: Opener,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            cancel: Cancel::new(),
            open: Arc::new(open_in_browser),
        }
    }
}

impl std::fmt::Debug for BrowserOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserOptions")
            .field("timeout", &self.timeout)
            .field("cancelled", &self.cancel.is_cancelled())
            .finish_non_exhaustive()
    }
}

/// Opens `url` with `$BROWSER` when set (as `gh` and other CLIs do: a
/// command, `%s` replaced by the URL or the URL appended), else the
/// platform's opener (`xdg-open`, `open`, `start`).
pub fn open_in_browser(url: &str) -> Result<()> {
    let browser = std::env::var("BROWSER")
        .ok()
        .filter(|value| !value.trim().is_empty());
    let mut words: Vec<String> = match &browser {
        Some(command) => command.split_whitespace().map(str::to_string).collect(),
        None if cfg!(target_os = "macos") => vec!["open".into()],
        None if cfg!(windows) => vec!["cmd".into(), "/C".into(), "start".into(), "".into()],
        None => vec!["xdg-open".into()],
    };
    if words.iter().any(|word| word.contains("%s")) {
        for word in &mut words {
            *word = word.replace("%s", url);
        }
    } else {
        words.push(url.to_string());
    }
    let program = words.remove(0);
    let mut child = std::process::Command::new(&program)
        .args(&words)
        .stdin(std::process::Stdio::null())
        .spawn()
        .map_err(|error| Error::Authorization {
            credential: String::new(),
            detail: format!(
                "could not start the browser \"{program}\" ({error}); set $BROWSER, or open \
                 the URL yourself"
            ),
        })?;
    // Reap the opener when it exits; never wait for it here.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

/// Runs the flow for `credential` and stores the tokens.
pub async fn authorize_in_browser(
    service: &TokenService,
    credential: &Credential,
    user: Option<&str>,
    options: BrowserOptions,
) -> Result<LiveToken> {
    let failed = |detail: String| Error::Authorization {
        credential: credential.name.clone(),
        detail,
    };
    let auth_url = flows::start_url(service.http(), credential, "authorization", |metadata| {
        metadata.authorization_endpoint
    })
    .await?;
    let server = tiny_http::Server::http("127.0.0.1:0")
        .map_err(|error| failed(format!("could not listen on 127.0.0.1: {error}")))?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|address| address.port())
        .ok_or_else(|| failed("the loopback listener has no port".into()))?;
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let client = BasicClient::new(ClientId::new(
        credential.client_id.clone().unwrap_or_default(),
    ))
    .set_auth_uri(AuthUrl::new(auth_url.clone()).map_err(|error| {
        failed(format!(
            "authorization URL \"{auth_url}\" is invalid: {error}"
        ))
    })?)
    .set_redirect_uri(
        RedirectUrl::new(redirect_uri.clone())
            .map_err(|error| failed(format!("redirect URI is invalid: {error}")))?,
    );
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(credential.scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(challenge)
        .url();
    (options.open)(url.as_str()).map_err(|error| match error {
        Error::Authorization { detail, .. } => failed(format!("{detail}: {url}")),
        other => other,
    })?;
    let expected_state = state.secret().clone();
    let (timeout, cancel) = (options.timeout, options.cancel.clone());
    let code = tokio::task::spawn_blocking(move || {
        wait_for_redirect(&server, &expected_state, timeout, &cancel)
    })
    .await
    .map_err(|error| failed(format!("the loopback listener stopped: {error}")))?
    .map_err(failed)?;
    let secret = service.store().client_secret(&credential.name)?;
    let grant = Grant::AuthorizationCode {
        code: &code,
        verifier: verifier.secret(),
        redirect_uri: &redirect_uri,
    };
    service
        .authorize_with(credential, user, secret.as_ref(), &grant, None)
        .await
}

/// Serves the one redirect: checks `state`, answers the browser with a small
/// page, returns the code (or why there is none).
fn wait_for_redirect(
    server: &tiny_http::Server,
    expected_state: &str,
    timeout: Duration,
    cancel: &Cancel,
) -> std::result::Result<String, String> {
    let deadline = Instant::now() + timeout;
    loop {
        if cancel.is_cancelled() {
            return Err("cancelled before the browser came back".into());
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!(
                "no answer from the browser within {} s; run the command again and finish \
                 signing in in the browser",
                timeout.as_secs()
            ));
        }
        let request = match server.recv_timeout(left.min(POLL)) {
            Ok(Some(request)) => request,
            Ok(None) => continue,
            Err(error) => return Err(format!("the loopback listener failed: {error}")),
        };
        let Some(query) = callback_query(request.url()) else {
            respond(
                request,
                404,
                "Not found",
                "This address only takes the sign-in redirect.",
            );
            continue;
        };
        let param = |name: &str| {
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
        };
        if param("state").as_deref() != Some(expected_state) {
            respond(
                request,
                400,
                "Sign-in not accepted",
                "The answer did not carry the state this sign-in started with, so it was \
                 ignored. Start the sign-in again.",
            );
            return Err(
                "the redirect's state did not match (possible forgery); nothing was \
                        stored"
                    .into(),
            );
        }
        if let Some(error) = param("error") {
            let description = param("error_description").unwrap_or_default();
            let told = if description.is_empty() {
                error.clone()
            } else {
                format!("{error}: {description}")
            };
            respond(
                request,
                400,
                "Sign-in refused",
                &format!("The provider answered {told}."),
            );
            return Err(format!("the provider answered {told}"));
        }
        return match param("code") {
            Some(code) => {
                respond(
                    request,
                    200,
                    "Signed in",
                    "Callout Lab has the authorization. You can close this tab.",
                );
                Ok(code)
            }
            None => {
                respond(
                    request,
                    400,
                    "Sign-in incomplete",
                    "The answer carried no code.",
                );
                Err("the redirect carried neither a code nor an error".into())
            }
        };
    }
}

/// The query of a `/callback` request, else `None`.
fn callback_query(url: &str) -> Option<String> {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    (path == "/callback").then(|| query.to_string())
}

fn respond(request: tiny_http::Request, status: u16, title: &str, message: &str) {
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · \
         Callout Lab</title></head><body style=\"font-family:system-ui,sans-serif;\
         max-width:32rem;margin:3rem auto\"><h1>{title}</h1><p>{}</p></body></html>",
        escape(message)
    );
    let header = tiny_http::Header::from_bytes("Content-Type", "text/html; charset=utf-8");
    let mut response = tiny_http::Response::from_string(page).with_status_code(status);
    if let Ok(header) = header {
        response = response.with_header(header);
    }
    let _ = request.respond(response);
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_callback_path_is_taken() {
        assert_eq!(
            callback_query("/callback?code=a&state=b").as_deref(),
            Some("code=a&state=b")
        );
        assert_eq!(callback_query("/callback").as_deref(), Some(""));
        assert_eq!(callback_query("/favicon.ico"), None);
    }

    #[test]
    fn a_cancelled_wait_ends_with_a_message() {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let cancel = Cancel::new();
        cancel.cancel();
        let error = wait_for_redirect(&server, "s", DEFAULT_TIMEOUT, &cancel).unwrap_err();
        assert_eq!(error, "cancelled before the browser came back");
    }

    #[test]
    fn a_zero_timeout_ends_with_a_message() {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let error = wait_for_redirect(&server, "s", Duration::ZERO, &Cancel::new()).unwrap_err();
        assert!(
            error.starts_with("no answer from the browser within 0 s"),
            "{error}"
        );
    }
}

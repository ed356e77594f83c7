//! Authorization code with PKCE (S256) in the system browser (RFC 6749 §4.1,
//! RFC 7636, RFC 8252): a one-shot loopback listener on `127.0.0.1` and a
//! free port, the person signs in at the provider, the provider redirects
//! back with `code` and `state`, the code is exchanged for tokens.
//!
//! The `oauth2` crate builds the authorization URL, the PKCE pair and the
//! CSRF `state`; the code exchange goes through [`flows::request_tokens`]
//! like every other grant (see there why).
//!
//! Any local program or web page can reach the listener, so an answer
//! without this sign-in's `state` is refused and ignored (the wait goes on
//! for the real one), and what the listener reads is bounded (see the
//! `loopback` module). The URL is opened without a shell on every
//! platform, and only when it is an `http(s)` address.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use oauth2::basic::BasicClient;
use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};

use super::flows::{self, Grant};
use super::loopback::Listener;
use super::service::{LiveToken, TokenService};
use crate::credential::{Credential, RedirectUri};
use crate::{Error, Result};

/// How long the listener waits for the browser by default.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

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
    /// Told of each callback ignored for carrying the wrong `state`.
    pub on_ignored: Option<Notice>,
}

/// Tells the person (or a log) of something that happened along the way.
pub(crate) type Notice = Arc<dyn Fn(&str) + Send + Sync>;

impl Default for BrowserOptions {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            cancel: Cancel::new(),
            open: Arc::new(open_in_browser),
            on_ignored: None,
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
/// platform's opener (`xdg-open`, `open`, Windows' URL protocol handler).
/// No shell is involved on any platform (see [`launch_command`]).
pub fn open_in_browser(url: &str) -> Result<()> {
    let browser = std::env::var("BROWSER").ok();
    let launch = launch_command(Platform::current(), browser.as_deref(), url)?;
    let mut child = std::process::Command::new(&launch.program)
        .args(&launch.args)
        .stdin(std::process::Stdio::null())
        .spawn()
        .map_err(|error| Error::Authorization {
            credential: String::new(),
            detail: format!(
                "could not start the browser \"{}\" ({error}); set $BROWSER, or open the URL \
                 yourself",
                launch.program
            ),
        })?;
    // Reap the opener when it exits; never wait for it here.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

/// The platforms whose URL openers differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Platform {
    /// Linux and the BSDs: `xdg-open`.
    Unix,
    MacOs,
    Windows,
}

impl Platform {
    /// The platform this build runs on.
    pub(crate) fn current() -> Self {
        if cfg!(target_os = "macos") {
            Platform::MacOs
        } else if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Unix
        }
    }
}

/// A program and its arguments, started directly (never through a shell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Launch {
    pub program: String,
    pub args: Vec<String>,
}

/// How `url` is opened on `platform` with `$BROWSER` set to `browser`. The
/// URL is always exactly one argument, byte for byte: no shell, no `cmd`
/// (where `&`, `|` and `^` in a query would run commands). Only `http` and
/// `https` URLs are opened: a provider's metadata names the URL, and a
/// handler of another scheme (`file:`, `ms-msdt:`, ...) would run local
/// programs instead of showing a page.
pub(crate) fn launch_command(
    platform: Platform,
    browser: Option<&str>,
    url: &str,
) -> Result<Launch> {
    if !is_web_address(url) {
        return Err(Error::Authorization {
            credential: String::new(),
            detail: not_a_web_address(url),
        });
    }
    let mut words: Vec<String> = match browser.filter(|value| !value.trim().is_empty()) {
        // Split on whitespace, as `gh` does; never given to a shell.
        Some(command) => command.split_whitespace().map(str::to_string).collect(),
        None => match platform {
            Platform::MacOs => vec!["open".into()],
            // The URL protocol handler, the way `start` reaches it but
            // without `cmd`'s parsing of the command line.
            Platform::Windows => vec!["rundll32".into(), "url.dll,FileProtocolHandler".into()],
            Platform::Unix => vec!["xdg-open".into()],
        },
    };
    if words.iter().any(|word| word.contains("%s")) {
        for word in &mut words {
            *word = word.replace("%s", url);
        }
    } else {
        words.push(url.to_string());
    }
    let program = words.remove(0);
    Ok(Launch {
        program,
        args: words,
    })
}

/// Whether `url` is an `http` or `https` address (the only kind opened).
fn is_web_address(url: &str) -> bool {
    url.split_once(':').is_some_and(|(scheme, _)| {
        scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
    })
}

fn not_a_web_address(url: &str) -> String {
    format!(
        "only http and https addresses are opened in the browser, not \"{}\"",
        url.chars().take(80).collect::<String>()
    )
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
    let (server, redirect_uri, callback_path) = listen_for_redirect(credential).map_err(failed)?;
    let callback = Callback {
        uri: redirect_uri.clone(),
        path: callback_path,
        credential: credential.name.clone(),
    };
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
    if !is_web_address(url.as_str()) {
        return Err(failed(not_a_web_address(url.as_str())));
    }
    (options.open)(url.as_str()).map_err(|error| match error {
        Error::Authorization { detail, .. } => failed(format!("{detail}: {url}")),
        other => other,
    })?;
    let expected_state = state.secret().clone();
    let (timeout, cancel, on_ignored) = (options.timeout, options.cancel, options.on_ignored);
    let code = tokio::task::spawn_blocking(move || {
        wait_for_redirect(
            &server,
            &callback,
            &expected_state,
            timeout,
            &cancel,
            on_ignored.as_ref(),
        )
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

/// The listener the browser comes back to, the redirect URI to send and the
/// path the callback arrives on: the credential's fixed redirect URI, or
/// `http://127.0.0.1:<free port>/callback`.
fn listen_for_redirect(
    credential: &Credential,
) -> std::result::Result<(Listener, String, String), String> {
    let Some(written) = &credential.redirect_uri else {
        let server =
            Listener::bind().map_err(|error| format!("could not listen on 127.0.0.1: {error}"))?;
        let port = server
            .port()
            .map_err(|error| format!("the loopback listener has no port: {error}"))?;
        let uri = format!("http://127.0.0.1:{port}/callback");
        return Ok((server, uri, "/callback".into()));
    };
    let fixed = RedirectUri::parse(written)
        .map_err(|reason| format!("redirect URI \"{written}\" {reason}"))?;
    let server = Listener::bind_at(&fixed.host, fixed.port).map_err(|error| {
        if error.kind() == std::io::ErrorKind::AddrInUse {
            format!(
                "port {} of the redirect URI {} is in use by another program (another \
                 sign-in, or a tool such as the Salesforce CLI that listens there); close it \
                 and authorize again, or register another redirect URI with the provider and \
                 give it here",
                fixed.port, fixed.uri
            )
        } else {
            format!("could not listen for {}: {error}", fixed.uri)
        }
    })?;
    Ok((server, fixed.uri, fixed.path))
}

/// Where the browser comes back to, and for whom: what a redirect URI
/// mismatch is explained with.
struct Callback {
    /// The redirect URI sent to the provider, exactly.
    uri: String,
    /// The path the callback arrives on.
    path: String,
    credential: String,
}

impl Callback {
    /// What to do when the provider does not take this redirect URI.
    fn how_to_register(&self) -> String {
        format!(
            "the sign-in sent the redirect URI {}: register exactly that as a callback URL of \
             the app at the provider, or give the one registered there as the credential's \
             redirect URI (`callout credential edit {} --redirect-uri URL`)",
            self.uri, self.credential
        )
    }
}

/// What is said of a callback that did not carry this sign-in's `state`.
pub const IGNORED_CALLBACK: &str =
    "a sign-in answer without this sign-in's state (forged or stale) was ignored";

/// Serves the one redirect: checks `state`, answers the browser with a small
/// page, returns the code (or why there is none). An answer with another
/// (or no) `state` is refused with a 400 page and told to `on_ignored`; the
/// wait goes on.
fn wait_for_redirect(
    server: &Listener,
    callback: &Callback,
    expected_state: &str,
    timeout: Duration,
    cancel: &Cancel,
    on_ignored: Option<&Notice>,
) -> std::result::Result<String, String> {
    let deadline = Instant::now() + timeout;
    let mut ignored = 0_usize;
    let and_ignored = |ignored: usize| match ignored {
        0 => String::new(),
        1 => format!(" ({IGNORED_CALLBACK}, once)"),
        n => format!(" ({IGNORED_CALLBACK}, {n} times)"),
    };
    loop {
        if cancel.is_cancelled() {
            return Err(format!(
                "cancelled before the browser came back{}",
                and_ignored(ignored)
            ));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!(
                "no answer from the browser within {} s{}; run the command again and finish \
                 signing in in the browser. If the provider's page said the redirect URI does \
                 not match, {}",
                timeout.as_secs(),
                and_ignored(ignored),
                callback.how_to_register()
            ));
        }
        let request = match server.recv_timeout(left.min(POLL)) {
            Ok(Some(request)) => request,
            Ok(None) => continue,
            Err(error) => return Err(format!("the loopback listener failed: {error}")),
        };
        let Some(query) = callback_query(request.url(), &callback.path) else {
            request.respond(
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
            // Not the answer to this sign-in: any local page or program can
            // send one, so it is refused and the wait goes on for the real
            // one (which still comes, with its state).
            ignored += 1;
            request.respond(
                400,
                "Sign-in not accepted",
                "The answer did not carry the state this sign-in started with, so it was \
                 ignored. If you are signing in, finish in the window the sign-in opened.",
            );
            if let Some(notice) = on_ignored {
                notice(IGNORED_CALLBACK);
            }
            continue;
        }
        if let Some(error) = param("error") {
            let description = param("error_description").unwrap_or_default();
            let told = if description.is_empty() {
                error.clone()
            } else {
                format!("{error}: {description}")
            };
            let mismatch = error == "redirect_uri_mismatch"
                || description.to_ascii_lowercase().contains("redirect_uri");
            let remedy = if mismatch {
                format!("; {}", callback.how_to_register())
            } else {
                String::new()
            };
            request.respond(
                400,
                "Sign-in refused",
                &crate::error::for_window(&format!("The provider answered {told}{remedy}.")),
            );
            return Err(format!("the provider answered {told}{remedy}"));
        }
        return match param("code") {
            Some(code) => {
                request.respond(
                    200,
                    "Signed in",
                    "Callout Lab has the authorization. You can close this tab.",
                );
                Ok(code)
            }
            None => {
                request.respond(400, "Sign-in incomplete", "The answer carried no code.");
                Err("the redirect carried neither a code nor an error".into())
            }
        };
    }
}

/// The query of a request to `callback_path`, else `None`.
fn callback_query(url: &str, callback_path: &str) -> Option<String> {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    (path == callback_path).then(|| query.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_callback_path_is_taken() {
        assert_eq!(
            callback_query("/callback?code=a&state=b", "/callback").as_deref(),
            Some("code=a&state=b")
        );
        assert_eq!(
            callback_query("/callback", "/callback").as_deref(),
            Some("")
        );
        assert_eq!(callback_query("/favicon.ico", "/callback"), None);
        // A fixed redirect URI's own path, exactly.
        assert_eq!(
            callback_query("/OauthRedirect?code=c", "/OauthRedirect").as_deref(),
            Some("code=c")
        );
        assert_eq!(callback_query("/callback?code=c", "/OauthRedirect"), None);
    }

    #[test]
    fn a_fixed_redirect_uri_is_listened_on_and_a_taken_port_is_named() {
        let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = holder.local_addr().unwrap().port();
        let mut credential = Credential::new("Org", "https://org.example");
        credential.redirect_uri = Some(format!("http://localhost:{port}/OauthRedirect"));
        let error = listen_for_redirect(&credential).err().unwrap();
        assert!(
            error.starts_with(&format!(
                "port {port} of the redirect URI http://localhost:{port}/OauthRedirect is in use"
            )),
            "{error}"
        );
        drop(holder);
        let (server, uri, path) = listen_for_redirect(&credential).unwrap();
        assert_eq!(uri, format!("http://localhost:{port}/OauthRedirect"));
        assert_eq!(path, "/OauthRedirect");
        assert_eq!(server.port().unwrap(), port);
    }

    /// An authorization URL whose query holds every character a shell or
    /// `cmd` would act on.
    const HOSTILE: &str = "https://idp.example/authorize?a=1&calc.exe|more^x=\"%PATH%\"&b=%s";

    #[test]
    fn every_platform_opens_the_url_as_one_argument_without_a_shell() {
        for (platform, program, before) in [
            (Platform::Unix, "xdg-open", vec![]),
            (Platform::MacOs, "open", vec![]),
            (
                Platform::Windows,
                "rundll32",
                vec!["url.dll,FileProtocolHandler".to_string()],
            ),
        ] {
            let launch = launch_command(platform, None, HOSTILE).unwrap();
            let mut args = before;
            args.push(HOSTILE.to_string());
            assert_eq!(
                launch,
                Launch {
                    program: program.to_string(),
                    args
                },
                "{platform:?}"
            );
        }
    }

    #[test]
    fn browser_variable_is_split_into_words_and_never_given_to_a_shell() {
        for platform in [Platform::Unix, Platform::MacOs, Platform::Windows] {
            let appended = launch_command(platform, Some("firefox --new-window"), HOSTILE);
            assert_eq!(
                appended.unwrap(),
                Launch {
                    program: "firefox".into(),
                    args: vec!["--new-window".into(), HOSTILE.into()]
                }
            );
            let placed = launch_command(platform, Some("  chromium --app=%s  "), HOSTILE);
            assert_eq!(
                placed.unwrap(),
                Launch {
                    program: "chromium".into(),
                    args: vec![format!("--app={HOSTILE}")]
                }
            );
            // Blank is unset.
            assert_ne!(
                launch_command(platform, Some("  "), HOSTILE)
                    .unwrap()
                    .program,
                ""
            );
        }
    }

    #[test]
    fn only_web_addresses_are_opened() {
        for url in [
            "file:///etc/passwd",
            "ms-msdt:/id PCWDiagnostic",
            "javascript:alert(1)",
            "/callback",
        ] {
            let error = launch_command(Platform::Windows, None, url).unwrap_err();
            assert!(
                error.to_string().contains("only http and https addresses"),
                "{error}"
            );
        }
        assert!(launch_command(Platform::Unix, None, "HTTP://idp.example/").is_ok());
    }

    fn callback() -> Callback {
        Callback {
            uri: "http://localhost:1717/OauthRedirect".into(),
            path: "/callback".into(),
            credential: "Org".into(),
        }
    }

    #[test]
    fn a_redirect_uri_mismatch_names_the_uri_sent_and_where_to_register_it() {
        let server = Listener::bind().unwrap();
        let port = server.port().unwrap();
        let browser = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            stream
                .write_all(
                    b"GET /callback?state=s&error=redirect_uri_mismatch&error_description=\
                      redirect_uri%20must%20match%20configuration HTTP/1.1\r\nHost: x\r\n\r\n",
                )
                .unwrap();
            let mut page = String::new();
            stream.read_to_string(&mut page).unwrap();
            page
        });
        let error = wait_for_redirect(
            &server,
            &callback(),
            "s",
            DEFAULT_TIMEOUT,
            &Cancel::new(),
            None,
        )
        .unwrap_err();
        assert_eq!(
            error,
            "the provider answered redirect_uri_mismatch: redirect_uri must match configuration; \
             the sign-in sent the redirect URI http://localhost:1717/OauthRedirect: register \
             exactly that as a callback URL of the app at the provider, or give the one \
             registered there as the credential's redirect URI (`callout credential edit Org \
             --redirect-uri URL`)"
        );
        let page = browser.join().unwrap();
        assert!(
            page.contains("http://localhost:1717/OauthRedirect") && !page.contains("callout "),
            "the browser's page says it too, in words: {page}"
        );
    }

    #[test]
    fn a_cancelled_wait_ends_with_a_message() {
        let server = Listener::bind().unwrap();
        let cancel = Cancel::new();
        cancel.cancel();
        let error = wait_for_redirect(&server, &callback(), "s", DEFAULT_TIMEOUT, &cancel, None)
            .unwrap_err();
        assert_eq!(error, "cancelled before the browser came back");
    }

    #[test]
    fn a_zero_timeout_ends_with_a_message() {
        let server = Listener::bind().unwrap();
        let error = wait_for_redirect(
            &server,
            &callback(),
            "s",
            Duration::ZERO,
            &Cancel::new(),
            None,
        )
        .unwrap_err();
        assert!(
            error.starts_with("no answer from the browser within 0 s"),
            "{error}"
        );
    }
}

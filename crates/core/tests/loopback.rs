#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

//! The one-shot loopback listener of the browser sign-in (RFC 8252) against
//! hostile or careless local clients: other paths get 404, a forged
//! callback (wrong or missing `state`) is refused with a 400 page and
//! ignored — the sign-in goes on waiting for the real answer, so a local
//! page cannot abort it — and no forged code is ever exchanged,
//! a silent connection cannot hold the sign-in open past cancel or timeout,
//! it listens on 127.0.0.1 only, and it closes after one authorization.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use callout_core::credential::AuthProtocol;
use callout_core::oauth::browser::{self, BrowserOptions, Cancel};
use callout_core::sandbox::{Sandbox, SandboxConfig};

mod common;

use common::TestHome;

/// The loopback address the sign-in URL redirects to.
fn redirect_address(url: &str) -> SocketAddr {
    let url = url::Url::parse(url).unwrap();
    let redirect = url
        .query_pairs()
        .find(|(key, _)| key == "redirect_uri")
        .map(|(_, value)| value.into_owned())
        .unwrap();
    let redirect = url::Url::parse(&redirect).unwrap();
    assert_eq!(redirect.host_str(), Some("127.0.0.1"));
    format!("127.0.0.1:{}", redirect.port().unwrap())
        .parse()
        .unwrap()
}

/// One raw HTTP/1.0 GET; the status code of the answer.
fn get(address: SocketAddr, path: &str) -> u16 {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap()
}

#[tokio::test]
async fn forged_callbacks_are_ignored_and_the_sign_in_waits_for_the_real_one() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Forged", AuthProtocol::AuthorizationCode);
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let notices = Arc::new(Mutex::new(Vec::new()));
    let (seen, told) = (Arc::clone(&statuses), Arc::clone(&notices));
    let person = common::person_at_the_browser("allow");
    let live = browser::authorize_in_browser(
        &home.service,
        &credential,
        None,
        BrowserOptions {
            // Another local program (or any web page) first, then the
            // person's browser with the real answer.
            open: Arc::new(move |url: &str| {
                let address = redirect_address(url);
                let (seen, person, url) = (Arc::clone(&seen), Arc::clone(&person), url.to_string());
                std::thread::spawn(move || {
                    {
                        let mut seen = seen.lock().unwrap();
                        seen.push(get(address, "/favicon.ico"));
                        seen.push(get(address, "/callback/../admin?code=stolen"));
                        seen.push(get(address, "/callback?code=stolen&state=guessed"));
                        seen.push(get(address, "/callback?code=stolen"));
                        seen.push(get(address, "/callback?error=access_denied&state=guessed"));
                    }
                    person(&url).unwrap();
                });
                Ok(())
            }),
            on_ignored: Some(Arc::new(move |notice: &str| {
                told.lock().unwrap().push(notice.to_string());
            })),
            ..BrowserOptions::default()
        },
    )
    .await
    .unwrap();
    assert!(!live.tokens.access_token.expose().is_empty());
    assert_eq!(*statuses.lock().unwrap(), [404, 404, 400, 400, 400]);
    assert_eq!(
        *notices.lock().unwrap(),
        [browser::IGNORED_CALLBACK; 3],
        "each forged callback is told of"
    );
    // Only the real code was exchanged, once.
    assert_eq!(sandbox.stats().token_total("authorization_code"), 1);
    assert!(home.authorization("Forged").tokens.is_some());
}

#[tokio::test]
async fn a_refusal_carrying_the_right_state_still_ends_the_sign_in() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Refused", AuthProtocol::AuthorizationCode);
    let error = browser::authorize_in_browser(
        &home.service,
        &credential,
        None,
        BrowserOptions {
            open: common::person_at_the_browser("deny"),
            ..BrowserOptions::default()
        },
    )
    .await
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the provider answered access_denied"),
        "{error}"
    );
    assert_eq!(sandbox.stats().token_total("authorization_code"), 0);
    assert!(home.authorization("Refused").tokens.is_none());
}

#[tokio::test]
async fn a_sign_in_that_only_saw_forged_callbacks_says_so_when_it_times_out() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Stateless", AuthProtocol::AuthorizationCode);
    let cancel = Cancel::new();
    let on_open = cancel.clone();
    let error = browser::authorize_in_browser(
        &home.service,
        &credential,
        None,
        BrowserOptions {
            cancel: cancel.clone(),
            open: Arc::new(move |url: &str| {
                let (address, cancel) = (redirect_address(url), on_open.clone());
                std::thread::spawn(move || {
                    assert_eq!(get(address, "/callback?code=x"), 400);
                    assert_eq!(get(address, "/callback?code=x&state=y"), 400);
                    cancel.cancel();
                });
                Ok(())
            }),
            ..BrowserOptions::default()
        },
    )
    .await
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains(&format!("{}, 2 times", browser::IGNORED_CALLBACK)),
        "{error}"
    );
    assert_eq!(sandbox.stats().token_total("authorization_code"), 0);
}

#[tokio::test]
async fn an_endless_request_head_is_cut_off_and_the_real_sign_in_still_completes() {
    /// What the hostile client sends at most: far more than any bound.
    const FLOOD: usize = 64 * 1024 * 1024;
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Flooded", AuthProtocol::AuthorizationCode);
    let taken = Arc::new(Mutex::new(None));
    let noted = Arc::clone(&taken);
    let person = common::person_at_the_browser("allow");
    browser::authorize_in_browser(
        &home.service,
        &credential,
        None,
        BrowserOptions {
            open: Arc::new(move |url: &str| {
                let (address, noted) = (redirect_address(url), Arc::clone(&noted));
                let (person, url) = (Arc::clone(&person), url.to_string());
                std::thread::spawn(move || {
                    // A request line that never ends.
                    let mut flood = TcpStream::connect(address).unwrap();
                    let mut sent = 0;
                    if flood.write_all(b"GET /callback?state=").is_ok() {
                        let piece = [b'a'; 64 * 1024];
                        while sent < FLOOD && flood.write_all(&piece).is_ok() {
                            sent += piece.len();
                        }
                    }
                    *noted.lock().unwrap() = Some(sent);
                    person(&url).unwrap();
                });
                Ok(())
            }),
            ..BrowserOptions::default()
        },
    )
    .await
    .unwrap();
    let sent = taken.lock().unwrap().unwrap();
    assert!(
        sent < FLOOD,
        "the listener took all {sent} bytes of a request head"
    );
    assert_eq!(sandbox.stats().token_total("authorization_code"), 1);
}

#[tokio::test]
async fn a_silent_connection_cannot_keep_the_sign_in_from_being_cancelled_or_timing_out() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Silent", AuthProtocol::AuthorizationCode);
    let held: Arc<Mutex<Vec<TcpStream>>> = Arc::default();

    // Cancelled while a client holds a connection open and says nothing.
    let cancel = Cancel::new();
    let (on_open, holder) = (cancel.clone(), Arc::clone(&held));
    let error = browser::authorize_in_browser(
        &home.service,
        &credential,
        None,
        BrowserOptions {
            cancel: cancel.clone(),
            open: Arc::new(move |url: &str| {
                let mut silent = TcpStream::connect(redirect_address(url)).unwrap();
                silent.write_all(b"GET /call").ok();
                holder.lock().unwrap().push(silent);
                on_open.cancel();
                Ok(())
            }),
            ..BrowserOptions::default()
        },
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("cancelled"), "{error}");

    // Timing out the same way.
    let holder = Arc::clone(&held);
    let error = browser::authorize_in_browser(
        &home.service,
        &credential,
        None,
        BrowserOptions {
            timeout: Duration::from_secs(1),
            open: Arc::new(move |url: &str| {
                holder
                    .lock()
                    .unwrap()
                    .push(TcpStream::connect(redirect_address(url)).unwrap());
                Ok(())
            }),
            ..BrowserOptions::default()
        },
    )
    .await
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("no answer from the browser within 1 s"),
        "{error}"
    );
}

#[tokio::test]
async fn the_listener_is_on_127_0_0_1_only_and_closes_after_one_authorization() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Once", AuthProtocol::AuthorizationCode);
    let address = Arc::new(Mutex::new(None));
    let noted = Arc::clone(&address);
    let person = common::person_at_the_browser("allow");
    browser::authorize_in_browser(
        &home.service,
        &credential,
        None,
        BrowserOptions {
            open: Arc::new(move |url: &str| {
                let listening = redirect_address(url);
                // Not on any other interface: the same port on the machine's
                // other addresses refuses (or is someone else's).
                for other in local_addresses() {
                    let elsewhere = SocketAddr::new(other, listening.port());
                    assert!(
                        TcpStream::connect_timeout(&elsewhere, Duration::from_secs(1)).is_err(),
                        "the listener answers on {elsewhere}"
                    );
                }
                *noted.lock().unwrap() = Some(listening);
                person(url)
            }),
            ..BrowserOptions::default()
        },
    )
    .await
    .unwrap();
    let listening = address.lock().unwrap().unwrap();
    assert!(
        TcpStream::connect(listening).is_err(),
        "the listener is still open after the authorization"
    );
}

/// This machine's non-loopback IPv4 addresses (from `hostname -I`), if any.
fn local_addresses() -> Vec<std::net::IpAddr> {
    let output = std::process::Command::new("hostname").arg("-I").output();
    let Ok(output) = output else {
        return Vec::new();
    };
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .filter_map(|address| address.parse().ok())
        .filter(|address: &std::net::IpAddr| address.is_ipv4() && !address.is_loopback())
        .collect()
}

#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

//! The one-shot loopback listener of the browser sign-in (RFC 8252) against
//! hostile or careless local clients: other paths get 404, a forged
//! callback (wrong or missing `state`) is refused and no code is exchanged,
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
async fn other_paths_get_404_and_a_forged_callback_is_refused_without_exchanging_a_code() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Forged", AuthProtocol::AuthorizationCode);
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&statuses);
    let error = browser::authorize_in_browser(
        &home.service,
        &credential,
        None,
        BrowserOptions {
            // Another local program, not the person's browser.
            open: Arc::new(move |url: &str| {
                let address = redirect_address(url);
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || {
                    let mut seen = seen.lock().unwrap();
                    seen.push(get(address, "/favicon.ico"));
                    seen.push(get(address, "/callback/../admin?code=stolen"));
                    seen.push(get(address, "/callback?code=stolen&state=guessed"));
                });
                Ok(())
            }),
            ..BrowserOptions::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(*statuses.lock().unwrap(), [404, 404, 400]);
    assert!(
        error
            .to_string()
            .contains("the redirect's state did not match"),
        "{error}"
    );
    assert_eq!(sandbox.stats().token_total("authorization_code"), 0);
    assert!(home.authorization("Forged").tokens.is_none());
}

#[tokio::test]
async fn a_callback_without_state_is_refused_too() {
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Stateless", AuthProtocol::AuthorizationCode);
    let error = browser::authorize_in_browser(
        &home.service,
        &credential,
        None,
        BrowserOptions {
            open: Arc::new(|url: &str| {
                let address = redirect_address(url);
                std::thread::spawn(move || assert_eq!(get(address, "/callback?code=x"), 400));
                Ok(())
            }),
            ..BrowserOptions::default()
        },
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("state did not match"), "{error}");
    assert_eq!(sandbox.stats().token_total("authorization_code"), 0);
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

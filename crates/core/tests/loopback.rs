//! The one-shot loopback listener of the browser sign-in (RFC 8252) against
//! hostile or careless local clients: other paths get 404, a forged
//! callback (wrong or missing `state`) is refused with a 400 page and
//! ignored — the sign-in goes on waiting for the real answer, so a local
//! page cannot abort it — and no forged code is ever exchanged,
//! a silent connection cannot hold the sign-in open past cancel or timeout,
//! it listens on 127.0.0.1 only, and it closes after one authorization.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use callout_core::credential::AuthProtocol;
use callout_core::oauth::{self, BrowserOptions};
use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::{self, STAND_IN_WAIT, StandIns, TestHome};

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
    let mut stream = TcpStream::connect_timeout(&address, STAND_IN_WAIT).unwrap();
    stream.set_read_timeout(Some(STAND_IN_WAIT)).unwrap();
    stream.set_write_timeout(Some(STAND_IN_WAIT)).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .unwrap_or_else(|error| panic!("no answer to GET {path}: {error}"));
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
    let notices = Arc::new(Mutex::new(Vec::new()));
    let told = Arc::clone(&notices);
    let stand_ins = StandIns::new();
    // Another local program (or any web page) first, then the person's
    // browser with the real answer.
    let open = stand_ins.opener(|url: &str| {
        let address = redirect_address(url);
        let statuses = [
            get(address, "/favicon.ico"),
            get(address, "/callback/../admin?code=stolen"),
            get(address, "/callback?code=stolen&state=guessed"),
            get(address, "/callback?code=stolen"),
            get(address, "/callback?error=access_denied&state=guessed"),
        ];
        assert_eq!(statuses, [404, 404, 400, 400, 400]);
        common::person_at_the_browser(url, "allow");
    });
    let live = oauth::authorize_in_browser(
        &home.service,
        &credential,
        None,
        BrowserOptions {
            on_ignored: Some(Arc::new(move |notice: &str| {
                told.lock().unwrap().push(notice.to_string());
            })),
            ..stand_ins.options(open)
        },
    )
    .await;
    stand_ins.finish();
    let live = live.unwrap();
    assert!(!live.tokens.access_token.expose().is_empty());
    assert_eq!(
        *notices.lock().unwrap(),
        [oauth::IGNORED_CALLBACK; 3],
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
    let error = common::sign_in_in_browser(&home, &credential, "deny")
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
    let stand_ins = StandIns::new();
    let cancel = stand_ins.cancel();
    let open = stand_ins.opener(move |url: &str| {
        let address = redirect_address(url);
        assert_eq!(get(address, "/callback?code=x"), 400);
        assert_eq!(get(address, "/callback?code=x&state=y"), 400);
        cancel.cancel();
    });
    let error =
        oauth::authorize_in_browser(&home.service, &credential, None, stand_ins.options(open))
            .await;
    stand_ins.finish();
    let error = error.unwrap_err();
    assert!(
        error
            .to_string()
            .contains(&format!("{}, 2 times", oauth::IGNORED_CALLBACK)),
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
    let stand_ins = StandIns::new();
    let open = stand_ins.opener(move |url: &str| {
        // A request line that never ends.
        let mut flood = TcpStream::connect_timeout(&redirect_address(url), STAND_IN_WAIT).unwrap();
        flood.set_write_timeout(Some(STAND_IN_WAIT)).unwrap();
        let mut sent = 0;
        let piece = [b'a'; 64 * 1024];
        let mut written = flood.write_all(b"GET /callback?state=");
        while written.is_ok() && sent < FLOOD {
            written = flood.write_all(&piece);
            sent += piece.len();
        }
        if let Err(error) = written {
            // Cut off, not merely left unread.
            assert!(
                !matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
                "the listener stopped reading after {sent} bytes but kept the connection"
            );
        }
        *noted.lock().unwrap() = Some(sent);
        common::person_at_the_browser(url, "allow");
    });
    let live =
        oauth::authorize_in_browser(&home.service, &credential, None, stand_ins.options(open))
            .await;
    stand_ins.finish();
    live.unwrap();
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
    let cancel = oauth::Cancel::new();
    let (on_open, holder) = (cancel.clone(), Arc::clone(&held));
    let error = oauth::authorize_in_browser(
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
    let error = oauth::authorize_in_browser(
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
    let probes = probes_reaching_a_wildcard_socket();
    assert!(
        !probes.is_empty(),
        "no address besides 127.0.0.1 reaches a socket bound to every interface here, so \
         nothing could tell a listener on 127.0.0.1 from one on all of them"
    );
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let mut home = TestHome::new();
    let credential = home.add(&sandbox, "Once", AuthProtocol::AuthorizationCode);
    let address = Arc::new(Mutex::new(None));
    let noted = Arc::clone(&address);
    let stand_ins = StandIns::new();
    let open = stand_ins.opener(move |url: &str| {
        let listening = redirect_address(url);
        // The addresses that reach a socket on every interface refuse here.
        for &other in &probes {
            let elsewhere = SocketAddr::new(other, listening.port());
            assert!(
                TcpStream::connect_timeout(&elsewhere, Duration::from_secs(1)).is_err(),
                "the listener answers on {elsewhere}"
            );
        }
        *noted.lock().unwrap() = Some(listening);
        common::person_at_the_browser(url, "allow");
    });
    let live =
        oauth::authorize_in_browser(&home.service, &credential, None, stand_ins.options(open))
            .await;
    stand_ins.finish();
    live.unwrap();
    let listening = address.lock().unwrap().unwrap();
    assert!(
        TcpStream::connect(listening).is_err(),
        "the listener is still open after the authorization"
    );
}

/// Addresses of this machine other than 127.0.0.1 (another loopback
/// address, `::1`, and every interface's own), kept where they reach a
/// socket bound to every interface: there a socket bound to 127.0.0.1 alone
/// must refuse. Another loopback address always reaches on Linux, so the
/// check never rests on the machine having a network.
fn probes_reaching_a_wildcard_socket() -> Vec<IpAddr> {
    let mut candidates = vec![
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)),
        IpAddr::V6(Ipv6Addr::LOCALHOST),
    ];
    candidates.extend(interface_addresses());
    candidates.retain(|address| *address != IpAddr::V4(Ipv4Addr::LOCALHOST));
    candidates.sort();
    candidates.dedup();
    let wildcard = |unspecified: IpAddr| TcpListener::bind(SocketAddr::new(unspecified, 0)).ok();
    let (v4, v6) = (
        wildcard(Ipv4Addr::UNSPECIFIED.into()),
        wildcard(Ipv6Addr::UNSPECIFIED.into()),
    );
    candidates
        .into_iter()
        .filter(|address| {
            let socket = if address.is_ipv4() { &v4 } else { &v6 };
            socket.as_ref().is_some_and(|socket| {
                let port = socket.local_addr().unwrap().port();
                TcpStream::connect_timeout(&SocketAddr::new(*address, port), Duration::from_secs(1))
                    .is_ok()
            })
        })
        .collect()
}

/// The addresses of this machine's interfaces, as the kernel lists them
/// (IPv4: the `LOCAL` host entries of /proc/net/fib_trie; IPv6:
/// /proc/net/if_inet6). Empty where there is no /proc.
fn interface_addresses() -> Vec<IpAddr> {
    let mut found = Vec::new();
    let fib = std::fs::read_to_string("/proc/net/fib_trie").unwrap_or_default();
    let mut last = None;
    for line in fib.lines() {
        let line = line.trim();
        if let Some(address) = line.strip_prefix("|-- ") {
            last = address.parse::<Ipv4Addr>().ok();
        } else if line == "/32 host LOCAL" {
            found.extend(last.map(IpAddr::V4));
        }
    }
    let inet6 = std::fs::read_to_string("/proc/net/if_inet6").unwrap_or_default();
    for line in inet6.lines() {
        let hex = line.split_whitespace().next().unwrap_or_default();
        if let Ok(bits) = u128::from_str_radix(hex, 16) {
            let address = Ipv6Addr::from(bits);
            // Link-local addresses need a scope to be reached.
            if address.segments()[0] & 0xffc0 != 0xfe80 {
                found.push(IpAddr::V6(address));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

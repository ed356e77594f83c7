//! The keychain goes away just after the provider rotated a refresh token:
//! the new tokens are kept in memory, the user is told, the next send in the
//! same process goes out with them, and they are stored once the keychain is
//! back.
//!
//! The keychain is a GNOME Keyring on a D-Bus session of this test's own (a
//! process talks to the bus it was started with, so the test runs itself
//! again inside `dbus-run-session`). The keyring is stopped while the token
//! endpoint's answer is on its way — a relay in front of the sandbox stops
//! it after the sandbox answered and before the answer is passed on — and
//! started again later.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use callout_core::actions::send::send as send_with_keychain;
use callout_core::credential::AuthProtocol;
use callout_core::credential_store::Identity;
use callout_core::keeper::{Keeper, KeeperConfig};
use callout_core::send::{Attempt, Draft, Sender, Timeouts};
use callout_core::timeline::{EventDetail, KeeperAction};
use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::{TestHome, test_name};

/// Set in the run inside the private session.
const INSIDE: &str = "CALLOUT_TEST_PRIVATE_KEYRING";
const PASSWORD: &str = "outage-test";

#[test]
fn rotated_tokens_outlive_a_keychain_outage() {
    if std::env::var_os(INSIDE).is_some() {
        return tokio::runtime::Runtime::new().unwrap().block_on(outage());
    }
    let dir = tempfile::tempdir().unwrap();
    let (data, runtime) = (dir.path().join("data"), dir.path().join("runtime"));
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&runtime).unwrap();
    let output = Command::new("dbus-run-session")
        .arg("--")
        .arg(std::env::current_exe().unwrap())
        .args([
            test_name!(rotated_tokens_outlive_a_keychain_outage),
            "--exact",
            "--nocapture",
        ])
        .env(INSIDE, "1")
        .env("XDG_DATA_HOME", &data)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("CALLOUT_KEYCHAIN_PROMPT_SECONDS", "0")
        .stdin(Stdio::null())
        .output()
        .expect("dbus-run-session is installed by scripts/setup.sh");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the run in the private session failed:\n{said}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        said.contains("1 passed"),
        "the private session ran no test:\n{said}"
    );
}

/// Starts (or takes over from whatever runs) the keyring, unlocked.
fn start_keyring() {
    let status = Command::new("sh")
        .args([
            "-c",
            &format!(
                "printf %s {PASSWORD} | gnome-keyring-daemon --replace --unlock \
                 --components=secrets >/dev/null"
            ),
        ])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Asks the session bus `method` about the Secret Service's name.
fn ask_bus(method: &str) -> String {
    let reply = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            &format!("org.freedesktop.DBus.{method}"),
            "string:org.freedesktop.secrets",
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&reply.stdout).to_string()
}

/// Stops the keyring daemon that owns the Secret Service name on this bus.
fn stop_keyring() {
    let reply = ask_bus("GetConnectionUnixProcessID");
    let pid = reply
        .split_whitespace()
        .skip_while(|word| *word != "uint32")
        .nth(1)
        .unwrap_or_else(|| panic!("no keyring on the bus: {reply}"))
        .to_string();
    assert!(Command::new("kill").arg(&pid).status().unwrap().success());
    wait_for("the keyring to leave the bus", || {
        ask_bus("NameHasOwner").contains("boolean false")
    });
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A token endpoint in front of the sandbox's; once `outage` is set, the
/// next answer is passed on only after the keyring has been stopped.
fn relay(token_url: String, outage: Arc<AtomicBool>) -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let address = format!("http://{}/token", server.server_addr().to_ip().unwrap());
    std::thread::spawn(move || {
        let client = reqwest::blocking::Client::new();
        for mut request in server.incoming_requests() {
            let mut body = Vec::new();
            request.as_reader().read_to_end(&mut body).unwrap();
            let mut forward = client.post(&token_url).body(body);
            for header in request.headers() {
                let name = header.field.as_str().as_str().to_ascii_lowercase();
                if ["content-type", "authorization", "accept"].contains(&name.as_str()) {
                    forward = forward.header(name, header.value.as_str());
                }
            }
            let answer = forward.send().unwrap();
            let status = answer.status().as_u16();
            let content_type = answer.headers()["content-type"].as_bytes().to_vec();
            let bytes = answer.bytes().unwrap().to_vec();
            if outage.swap(false, Ordering::SeqCst) {
                stop_keyring();
            }
            let header = tiny_http::Header::from_bytes(&b"Content-Type"[..], content_type).unwrap();
            let _ = request.respond(
                tiny_http::Response::from_data(bytes)
                    .with_status_code(status)
                    .with_header(header),
            );
        }
    });
    address
}

async fn outage() {
    start_keyring();
    let sandbox = Sandbox::start(SandboxConfig {
        access_ttl: Duration::from_secs(3_600),
        rotate_refresh_tokens: true,
        ..SandboxConfig::default()
    })
    .unwrap();
    let outage = Arc::new(AtomicBool::new(false));
    let relayed = relay(sandbox.token_url(), Arc::clone(&outage));
    let mut home = TestHome::new();
    let credential = home.add_with(
        &sandbox,
        "Rotating",
        AuthProtocol::AuthorizationCode,
        |credential| credential.token_url = Some(relayed),
    );
    let seeded = home.seed(
        &sandbox,
        "Rotating",
        SystemTime::now() - Duration::from_secs(60),
    );
    let draft = Draft::new(
        "GET",
        "callout:Rotating/services/data/v59.0/query?q=SELECT+Id+FROM+Account",
    );
    let sender = Sender::new(Timeouts::default()).unwrap();

    // The expired token is renewed; the keyring goes away before the
    // rotated set can be stored. The send still goes out with the new token.
    outage.store(true, Ordering::SeqCst);
    let first = send_with_keychain(&sender, &home.service, &draft, None)
        .await
        .unwrap();
    assert_eq!(first.response.status, 200, "{:?}", first.attempts);
    assert!(!outage.load(Ordering::SeqCst), "the keyring was stopped");
    assert_eq!(sandbox.stats().token_count("refresh_token", "ok"), 1);
    let told = home.events("Rotating").into_iter().any(|event| {
        matches!(&event.event, EventDetail::KeychainError { message }
            if message.contains("kept in memory"))
    });
    assert!(told, "the timeline says the tokens are only in memory");
    let held = home
        .service
        .authorization("Rotating", &Identity::NamedPrincipal)
        .unwrap()
        .tokens
        .unwrap();
    assert_ne!(held.refresh_token, seeded.refresh_token);

    // The next send in this process uses them: no second refresh (the old
    // refresh token is dead at the provider anyway).
    let second = send_with_keychain(&sender, &home.service, &draft, None)
        .await
        .unwrap();
    assert_eq!(second.response.status, 200, "{:?}", second.attempts);
    assert_eq!(sandbox.stats().token_total("refresh_token"), 1);
    // The keeper tells the person (the app turns this into a notification).
    let keeper = Keeper::new(Arc::clone(&home.service), KeeperConfig::default());
    let decisions = keeper.run_once(SystemTime::now()).await.unwrap();
    assert_eq!(
        decisions[0].action,
        KeeperAction::Warn,
        "{}",
        decisions[0].line()
    );
    assert!(
        decisions[0]
            .reason
            .contains("could not be stored in the keychain"),
        "{}",
        decisions[0].reason
    );

    // The keyring is back: the kept set is stored without anyone asking.
    start_keyring();
    let service = Arc::clone(&home.service);
    tokio::task::spawn_blocking(move || {
        wait_for("the kept tokens to reach the keychain", || {
            service
                .unstored("Rotating", &Identity::NamedPrincipal)
                .is_none()
        });
    })
    .await
    .unwrap();
    let stored = home.authorization("Rotating").tokens.unwrap();
    assert_eq!(stored.refresh_token, held.refresh_token);
    assert_eq!(stored.access_token, held.access_token);
    let events = home.events("Rotating");
    assert!(
        matches!(
            events.last().map(|event| &event.event),
            Some(EventDetail::TokenIssued { rotated: true, .. })
        ),
        "the timeline says the tokens are stored now: {:?}",
        events.last().map(|event| &event.summary)
    );

    // And the rotated refresh token works.
    let renewed = home
        .service
        .refresh_after(&credential, None, None)
        .await
        .unwrap();
    assert!(renewed.refreshed);
    assert_ne!(renewed.tokens.refresh_token, stored.refresh_token);
    assert_eq!(sandbox.stats().token_count("refresh_token", "ok"), 2);

    // A response says the token expired; its refresh is stored alongside
    // the retry, and the keyring goes away before that store: the send
    // still succeeds, and its outcome says the tokens are only in memory.
    assert!(sandbox.expire_access_token(renewed.tokens.access_token.expose()));
    outage.store(true, Ordering::SeqCst);
    let third = send_with_keychain(&sender, &home.service, &draft, None)
        .await
        .unwrap();
    assert_eq!(third.response.status, 200, "{:?}", third.attempts);
    assert_eq!(sandbox.stats().token_count("refresh_token", "ok"), 3);
    let not_stored = third.attempts.iter().find_map(|attempt| match attempt {
        Attempt::Refreshed { not_stored, .. } => Some(not_stored.clone()),
        _ => None,
    });
    let problem = not_stored
        .expect("the outcome has the refresh")
        .expect("the outcome says the keychain did not take the tokens");
    assert!(
        problem.contains("keychain") || problem.contains("keyring"),
        "{problem}"
    );
    assert!(
        home.service
            .unstored("Rotating", &Identity::NamedPrincipal)
            .is_some(),
        "the new tokens are held in memory"
    );
}

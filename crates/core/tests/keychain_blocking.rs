//! A keychain call that blocks (an unlock prompt waiting for the person, a
//! keyring daemon that does not answer) must not take the async runtime's
//! worker with it: on a runtime with ONE worker thread, a send to the
//! sandbox still completes while the keychain call is stuck.
//!
//! The keyring is a private GNOME Keyring on a D-Bus session of this test's
//! own, whose daemon is stopped (SIGSTOP) to make every call to it wait, so
//! the keyring the other tests use is never disturbed. The keychain's D-Bus
//! session is per process, so the test runs itself again as a child process
//! pointed at the private bus.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use callout_core::Secret;
use callout_core::Vault;
use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::test_name;

/// Set in the child process: the private bus is the session bus there.
const CHILD: &str = "CALLOUT_TEST_KEYCHAIN_BLOCKING_CHILD";

/// A GNOME Keyring, unlocked, on a session bus of its own.
struct PrivateKeyring {
    session: Child,
    bus: String,
    _dir: tempfile::TempDir,
}

impl PrivateKeyring {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (data, runtime) = (dir.path().join("data"), dir.path().join("runtime"));
        std::fs::create_dir_all(&data).unwrap();
        std::fs::create_dir_all(&runtime).unwrap();
        let script = "printf %s blocking-test | gnome-keyring-daemon --unlock \
                      --components=secrets >/dev/null && echo \"$DBUS_SESSION_BUS_ADDRESS\" \
                      && exec sleep 600";
        let mut session = Command::new("dbus-run-session")
            .args(["--", "sh", "-c", script])
            .env("XDG_DATA_HOME", &data)
            .env("XDG_RUNTIME_DIR", &runtime)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("dbus-run-session and gnome-keyring-daemon are installed by scripts/setup.sh");
        let mut line = String::new();
        BufReader::new(session.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let bus = line.trim().to_string();
        assert!(
            bus.starts_with("unix:"),
            "the private session printed {line:?}"
        );
        PrivateKeyring {
            session,
            bus,
            _dir: dir,
        }
    }
}

impl Drop for PrivateKeyring {
    fn drop(&mut self) {
        // The whole group: dbus-run-session, its bus and the keyring daemon.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.session.id())])
            .status();
        let _ = self.session.wait();
    }
}

/// The process id of the keyring daemon on the session bus.
fn keyring_daemon_pid() -> u32 {
    let output = Command::new("dbus-send")
        .args([
            "--session",
            "--dest=org.freedesktop.DBus",
            "--print-reply",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.GetConnectionUnixProcessID",
            "string:org.freedesktop.secrets",
        ])
        .output()
        .unwrap();
    let reply = String::from_utf8_lossy(&output.stdout);
    reply
        .split_whitespace()
        .skip_while(|word| *word != "uint32")
        .nth(1)
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("no keyring daemon on the bus: {reply}"))
}

fn signal(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill {signal} {pid}");
}

#[test]
fn a_blocked_keychain_call_leaves_the_one_worker_free_for_a_send() {
    if std::env::var_os(CHILD).is_none() {
        let keyring = PrivateKeyring::start();
        let output = Command::new(std::env::current_exe().unwrap())
            .args([
                test_name!(a_blocked_keychain_call_leaves_the_one_worker_free_for_a_send),
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .env("DBUS_SESSION_BUS_ADDRESS", &keyring.bus)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "the test in the child process failed:\n{said}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(said.contains("1 passed"), "the child ran no test:\n{said}");
        return;
    }

    // In the child: the private keyring is this process's keychain.
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let vault = Vault::new("callout-test-keychain-blocking");
    vault
        .store("api/client-secret", &Secret::new("s3cret"))
        .unwrap();
    let daemon = keyring_daemon_pid();
    // From here on every call to the keyring waits for an answer.
    signal(daemon, "-STOP");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let returned = Arc::new(AtomicBool::new(false));
        let (started, in_keychain) = tokio::sync::oneshot::channel();
        let keychain = tokio::spawn({
            let returned = Arc::clone(&returned);
            async move {
                started.send(()).unwrap();
                // Blocks (no await point) until the daemon answers or the
                // call times out.
                let read = vault.read("api/client-secret");
                returned.store(true, Ordering::SeqCst);
                read.map(|secret| secret.is_some())
            }
        });
        in_keychain.await.unwrap();
        // A task of the same runtime that needs no keychain.
        let url = format!("{}/.well-known/openid-configuration", sandbox.base_url());
        let send = tokio::spawn(async move { reqwest::get(url).await.map(|r| r.status()) });
        let status = send.await.unwrap().unwrap();
        let keychain_returned = returned.load(Ordering::SeqCst);
        signal(daemon, "-CONT");
        assert_eq!(status, 200);
        assert!(
            !keychain_returned,
            "the send waited for the blocked keychain call to end"
        );
        keychain.await.unwrap().ok();
    });
}

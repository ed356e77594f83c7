//! A locked keyring: commands that need a secret say the keyring is locked
//! and what to do, exit 1, and write nothing — not the token they could not
//! store, not a credential whose secret could not be kept.
//!
//! The keyring is a private GNOME Keyring on a D-Bus session of this test's
//! own, so locking it cannot disturb tests that run beside this one.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Output, Stdio};

use callout_sandbox::{Sandbox, SandboxConfig};

use crate::common::{self, KEYCHAIN_ADVICE, TestHome, assert_ok, stderr, stdout};

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
        let script = "printf %s locked-test | gnome-keyring-daemon --unlock --components=secrets \
                      >/dev/null && echo \"$DBUS_SESSION_BUS_ADDRESS\" && exec sleep 600";
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

    /// `callout ARGS` talking to this keyring, failing at once when it
    /// would have to ask for the keyring's password.
    fn callout(&self, home: &TestHome, args: &[&str], stdin: Option<&str>) -> Output {
        let mut command = home.command(args);
        command
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("CALLOUT_KEYCHAIN_PROMPT_SECONDS", "0");
        match stdin {
            None => command.output().unwrap(),
            Some(text) => common::output_with_stdin(command, text),
        }
    }

    /// Locks the default collection, as the desktop does on screen lock.
    fn lock(&self) {
        let output = Command::new("dbus-send")
            .args([
                "--session",
                "--dest=org.freedesktop.secrets",
                "--print-reply",
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.Lock",
                "array:objpath:/org/freedesktop/secrets/aliases/default",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        let locked = Command::new("dbus-send")
            .args([
                "--session",
                "--dest=org.freedesktop.secrets",
                "--print-reply",
                "/org/freedesktop/secrets/aliases/default",
                "org.freedesktop.DBus.Properties.Get",
                "string:org.freedesktop.Secret.Collection",
                "string:Locked",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .output()
            .unwrap();
        assert!(
            stdout(&locked).contains("boolean true"),
            "the collection is locked: {}",
            stdout(&locked)
        );
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

#[test]
fn a_locked_keyring_is_named_with_what_to_do_and_nothing_is_written() {
    let keyring = PrivateKeyring::start();
    let sandbox = Sandbox::start(SandboxConfig::default()).unwrap();
    let home = TestHome::new();
    let token_url = sandbox.token_url();
    let endpoint = sandbox.base_url();
    let add = |name: &str| {
        keyring.callout(
            &home,
            &[
                "credential",
                "add",
                name,
                "--flow",
                "client-credentials",
                "--endpoint",
                &endpoint,
                "--token-url",
                &token_url,
                "--client-id",
                sandbox.client_id(),
                "--client-secret-stdin",
            ],
            Some(&format!("{}\n", sandbox.client_secret())),
        )
    };

    // Unlocked: the credential is added and gets a token.
    assert_ok(&add("Api"));
    let first = keyring.callout(&home, &["token", "Api"], None);
    assert_ok(&first);
    let issued = stdout(&first).trim().to_string();
    assert!(!issued.is_empty());
    let definitions = std::fs::read(home.path().join("credentials.toml")).unwrap();

    keyring.lock();

    // A refresh cannot read the stored tokens: said so, exit 1.
    let refresh = keyring.callout(&home, &["token", "Api", "--refresh"], None);
    assert_eq!(refresh.status.code(), Some(1), "{}", stderr(&refresh));
    let message = stderr(&refresh);
    assert!(message.contains("the keyring is locked"), "{message}");
    assert!(message.contains(KEYCHAIN_ADVICE), "{message}");
    assert_eq!(
        sandbox.stats().token_total("client_credentials"),
        1,
        "no token was requested that could not be kept"
    );

    // A new credential whose secret cannot be kept is not added.
    let second = add("Other");
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("the keyring is locked"),
        "{}",
        stderr(&second)
    );
    assert_eq!(
        std::fs::read(home.path().join("credentials.toml")).unwrap(),
        definitions,
        "the credential definitions are as they were"
    );

    common::assert_no_secret_in_files(home.path(), &[sandbox.client_secret(), &issued]);
}

//! What the CLI tests share: a `--home` of their own per test (its keychain
//! entries removed on drop), running `callout` in it, and output checks.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use callout_core::credential_store::CredentialStore;
use callout_core::home::Home;
use callout_sandbox::Sandbox;

/// A temp home; forgets the keychain entries of its credentials on drop.
pub struct TestHome {
    dir: tempfile::TempDir,
    names: Vec<String>,
}

impl TestHome {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            names: Vec::new(),
        }
    }

    /// Remove this credential's keychain entries when the test ends.
    pub fn forget_on_drop(&mut self, name: &str) {
        self.names.push(name.to_string());
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn store(&self) -> CredentialStore {
        CredentialStore::new(Home::at(self.path()).unwrap())
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_callout"));
        command
            .arg("--home")
            .arg(self.path())
            .args(args)
            .env_remove("CALLOUT_HOME")
            .stdin(Stdio::null());
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        output_with_stdin(self.command(args), stdin)
    }

    /// `callout authorize NAME` with the sandbox user's login (the password
    /// flow), the password on standard input.
    pub fn authorize_sandbox_user(&self, name: &str) -> Output {
        self.run_with_stdin(
            &[
                "authorize",
                name,
                "--username",
                "sandbox-user",
                "--password-stdin",
            ],
            "sandbox-password\n",
        )
    }

    /// `callout credential add NAME --flow FLOW` for the sandbox's client.
    pub fn add(&mut self, sandbox: &Sandbox, name: &str, flow: &str, extra: &[&str]) {
        self.add_for_endpoint(sandbox, name, flow, &sandbox.base_url(), extra);
    }

    /// The same, for an API at `endpoint` whose tokens the sandbox issues.
    pub fn add_for_endpoint(
        &mut self,
        sandbox: &Sandbox,
        name: &str,
        flow: &str,
        endpoint: &str,
        extra: &[&str],
    ) {
        self.names.push(name.to_string());
        let (token_url, auth_url, base) = (
            sandbox.token_url(),
            sandbox.authorize_url(),
            endpoint.to_string(),
        );
        let mut args = vec![
            "credential",
            "add",
            name,
            "--flow",
            flow,
            "--endpoint",
            &base,
            "--token-url",
            &token_url,
            "--auth-url",
            &auth_url,
            "--client-id",
            sandbox.client_id(),
            "--client-secret-stdin",
            "--scope",
            "api",
        ];
        args.extend_from_slice(extra);
        let output = self.run_with_stdin(&args, &format!("{}\n", sandbox.client_secret()));
        assert_ok(&output);
    }
}

impl TestHome {
    /// `callout authorize NAME` through the browser flow, with the person at
    /// the browser stood in for by a `$BROWSER` script: it submits the sign-in
    /// form's fields (those of the authorization request plus the sandbox
    /// user and "Allow") and follows the redirect back to the loopback
    /// listener, which must answer with its page. When that fails (or takes
    /// longer than 20 s) the script notes why and ends `callout` (its parent),
    /// so a broken stand-in fails the test at once, with curl's message.
    pub fn authorize_in_browser(&self, name: &str) -> Output {
        let script = self.path().join("browser.sh");
        let failed = self.path().join("browser-failed.txt");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nurl=\"$1\"\n\
                 if ! curl -sS -L -f --max-time 20 -o /dev/null \
                 --data \"${{url#*\\?}}&username=sandbox-user&password=sandbox-password&decision=allow\" \
                 \"${{url%%\\?*}}\" 2>\"{failed}.part\"; then\n\
                 mv \"{failed}.part\" \"{failed}\"\n\
                 kill \"$PPID\"\n\
                 fi\n",
                failed = failed.display()
            ),
        )
        .unwrap();
        let output = self
            .command(&["authorize", name, "--timeout", "60"])
            .env("BROWSER", format!("sh {}", script.display()))
            .output()
            .unwrap();
        if let Ok(why) = std::fs::read_to_string(&failed) {
            panic!(
                "the browser stand-in failed: {why}\ncallout said: {}",
                stderr(&output)
            );
        }
        output
    }

    /// `callout credential add` with endpoints discovered from the sandbox.
    pub fn add_by_issuer(&mut self, sandbox: &Sandbox, name: &str, flow: &str) -> Output {
        self.names.push(name.to_string());
        let base = sandbox.base_url();
        self.run_with_stdin(
            &[
                "credential",
                "add",
                name,
                "--flow",
                flow,
                "--endpoint",
                &base,
                "--issuer",
                &base,
                "--client-id",
                sandbox.client_id(),
                "--client-secret-stdin",
            ],
            sandbox.client_secret(),
        )
    }
}

impl Drop for TestHome {
    fn drop(&mut self) {
        if let Ok(home) = Home::at(self.dir.path()) {
            let store = CredentialStore::new(home);
            for name in &self.names {
                let _ = store.forget_secrets(name);
            }
        }
    }
}

/// Runs `command` with `stdin` as its standard input.
pub fn output_with_stdin(mut command: Command, stdin: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn assert_ok(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        stdout(output),
        stderr(output)
    );
}

/// No file under `dir` holds any of `secrets`.
pub fn assert_no_secret_in_files(dir: &Path, secrets: &[&str]) {
    let mut pending = vec![dir.to_path_buf()];
    let mut seen = 0;
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                pending.push(entry.unwrap().path());
            }
            continue;
        }
        seen += 1;
        let bytes = std::fs::read(&path).unwrap();
        for secret in secrets {
            assert!(
                !bytes
                    .windows(secret.len())
                    .any(|window| window == secret.as_bytes()),
                "{} contains a secret",
                path.display()
            );
        }
    }
    assert!(seen > 0, "the home has files to scan");
}

/// What a command says to do when the keychain cannot be used.
pub const KEYCHAIN_ADVICE: &str = "Start and unlock your desktop keyring (GNOME Keyring, KWallet \
                                   or another Secret Service provider) and try again; Callout \
                                   Lab never keeps secrets outside the keychain";

impl TestHome {
    /// `callout send URL` with a SOAP envelope, JSON output.
    pub fn send_soap(&self, url: &str, envelope: &str) -> Output {
        self.run(&[
            "send",
            url,
            "-H",
            "Content-Type: text/xml",
            "-H",
            "SOAPAction: \"\"",
            "-d",
            envelope,
            "--json",
        ])
    }
}

/// A port nobody listens on right now, for a fixed redirect URI.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Prints a test's figures and keeps them for `make test`'s summary
/// (`target/tmp/figures/NAME.txt`).
pub fn report_figures(name: &str, line: &str) {
    println!("{line}");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("figures");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{name}.txt")), format!("{line}\n"));
}

/// The steps of a `callout send --json` answer's attempts, in order
/// (`sent`, `refreshed`, ...).
pub fn attempt_steps(json: &serde_json::Value) -> Vec<String> {
    json["attempts"]
        .as_array()
        .unwrap_or_else(|| panic!("no attempts in {json:#}"))
        .iter()
        .map(|attempt| attempt["step"].as_str().unwrap_or_default().to_string())
        .collect()
}

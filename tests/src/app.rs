//! The real Callout Lab window under WebDriver: tauri-driver in front of
//! WebKitWebDriver, which starts the app binary itself.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::{workspace_binary, workspace_root};

const NATIVE_DRIVER: &str = "/usr/bin/WebKitWebDriver";
/// How long to wait for something the app should do promptly. Generous: a
/// cold WebKit start on a loaded 2-core machine can take a while.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// A running app with a WebDriver session on its main window. Ends the
/// session (which closes the app) and tauri-driver when dropped or closed.
pub struct AppSession {
    pub client: Client,
    driver: Driver,
    /// Held while the app runs: it is single-instance, so the tests of one
    /// test binary (which run in parallel) take turns.
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

/// One app at a time in this process.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// tauri-driver's process, ended when dropped, also when starting the
/// session fails halfway; and the app of `home`, should it outlive the
/// session (a test that failed before closing it): left running, it would
/// answer the next test's launch as the single instance.
struct Driver {
    process: Child,
    home: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Ok(None) = self.process.try_wait() {
            let _ = self.process.kill();
            let _ = self.process.wait();
        }
        end_apps_of(&self.home);
    }
}

/// The D-Bus name of the running instance (the app's identifier +
/// `.SingleInstance`): a launch while it has an owner hands over to it.
const SINGLE_INSTANCE_NAME: &str = "io.calloutlab.desktop.SingleInstance";

/// Waits until no app holds the single-instance name on the session bus: a
/// previous test's app may still be on its way out (a launch then forwards
/// to it, it leaves without answering, and the launch fails).
fn wait_for_no_running_instance() {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let owned = Command::new("dbus-send")
            .args([
                "--session",
                "--dest=org.freedesktop.DBus",
                "--print-reply",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &format!("string:{SINGLE_INSTANCE_NAME}"),
            ])
            .output()
            .map(|output| String::from_utf8_lossy(&output.stdout).contains("boolean true"))
            .unwrap_or(false);
        if !owned {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "another Callout Lab still runs on this session bus"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits a few seconds for the app running with `CALLOUT_HOME=home` to end
/// (a closed session ends it), then kills what is left.
fn end_apps_of(home: &Path) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let running = apps_of(home);
        if running.is_empty() {
            return;
        }
        if Instant::now() >= deadline {
            for pid in running {
                let _ = Command::new("kill").args(["-KILL", &pid]).status();
            }
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The process ids of the running `callout-lab` apps whose `CALLOUT_HOME`
/// is `home`.
pub fn app_pids(home: &Path) -> Vec<u32> {
    apps_of(home)
        .iter()
        .filter_map(|pid| pid.parse().ok())
        .collect()
}

/// The process ids of `callout-lab` processes whose `CALLOUT_HOME` is `home`.
fn apps_of(home: &Path) -> Vec<String> {
    let wanted = format!("CALLOUT_HOME={}", home.display());
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|pid| pid.bytes().all(|byte| byte.is_ascii_digit()))
        .filter(|pid| {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            comm.trim() == "callout-lab"
                && environ
                    .split(|&byte| byte == 0)
                    .any(|variable| variable == wanted.as_bytes())
        })
        .collect()
}

impl AppSession {
    /// The app with a home of its own (a fresh `CALLOUT_HOME`), as on a first run.
    pub async fn start() -> Self {
        Self::start_with(&fresh_home("app"), &[]).await
    }

    /// The app with `home` as its `CALLOUT_HOME` and `env` added to its
    /// environment (tauri-driver's children inherit it).
    pub async fn start_with(home: &Path, env: &[(&str, String)]) -> Self {
        let turn = TURN.lock().await;
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no X display: run the end-to-end tests through `make test` \
             (scripts/desktop-session.sh provides Xvfb, D-Bus and a keyring)"
        );
        wait_for_no_running_instance();
        let app = workspace_binary("callout-lab");
        let port = free_port();
        let native_port = free_port();
        let driver = Driver {
            home: home.to_path_buf(),
            process: Command::new(tauri_driver())
                .args(["--port", &port.to_string()])
                .args(["--native-port", &native_port.to_string()])
                .args(["--native-driver", NATIVE_DRIVER])
                .env("CALLOUT_HOME", home)
                // The webview's storage too (drafts kept across restarts):
                // each session starts as a first run.
                .env("XDG_DATA_HOME", home.join("xdg-data"))
                .env("XDG_CACHE_HOME", home.join("xdg-cache"))
                .env("XDG_CONFIG_HOME", home.join("xdg-config"))
                .envs(env.iter().map(|(name, value)| (name, value)))
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("start tauri-driver"),
        };
        let url = format!("http://127.0.0.1:{port}");
        let client = connect(&url, &app).await;
        Self {
            client,
            driver,
            _turn: turn,
        }
    }

    /// Waits until the element matching `css` is displayed, and returns it.
    pub async fn element(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("element {css} never appeared: {error}"))
    }

    /// Clicks the element matching `css` once it is displayed.
    pub async fn click(&self, css: &str) {
        self.element(css)
            .await
            .click()
            .await
            .unwrap_or_else(|error| panic!("could not click {css}: {error}"));
    }

    /// Waits until the text of the element matching `css` satisfies
    /// `accept`, and returns that text.
    pub async fn wait_for_text(
        &self,
        css: &str,
        what: &str,
        accept: impl Fn(&str) -> bool,
    ) -> String {
        let mut last = String::new();
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = element.text().await
            {
                if accept(&text) {
                    return text;
                }
                last = text;
            }
            if Instant::now() >= deadline {
                let shot = self.screenshot("timed-out").await;
                panic!(
                    "timed out waiting for {what} in {css}; it last said: {last:?} (the window \
                     then: {})",
                    shot.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `read` returns `Some`, polling the page.
    pub async fn wait_for<T, F, Fut>(&self, what: &str, mut read: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(value) = read().await {
                return value;
            }
            if Instant::now() >= deadline {
                let shot = self.screenshot("timed-out").await;
                panic!(
                    "timed out waiting for {what} (the window then: {})",
                    shot.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The text (`textContent`) of every element matching `css`, read from
    /// the page: WebKitWebDriver reports no text for absolutely placed
    /// elements (the timeline's rows). Empty when the page cannot be read.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let read = self
            .client
            .execute(
                "return Array.from(document.querySelectorAll(arguments[0]), \
                 (element) => element.textContent);",
                vec![json!(css)],
            )
            .await;
        read.ok()
            .and_then(|texts| serde_json::from_value(texts).ok())
            .unwrap_or_default()
    }

    /// The steps (`sent`, `refreshed`, ...) of the response shown, once it
    /// has `len` of them.
    pub async fn attempt_steps(&self, len: usize) -> Vec<String> {
        self.wait_for(&format!("{len} attempt step(s)"), || async {
            let attempts = self
                .client
                .find_all(fantoccini::Locator::Css(r#"[data-testid="attempt"]"#))
                .await
                .ok()?;
            let mut steps = Vec::new();
            for attempt in attempts {
                steps.push(attempt.attr("data-step").await.ok()??);
            }
            (steps.len() == len).then_some(steps)
        })
        .await
    }

    /// Saves a screenshot of the window for people to look at after a run.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        // WebKitWebDriver can return the frame before the last DOM change;
        // this is for people to look at, so let the paint catch up.
        tokio::time::sleep(Duration::from_millis(600)).await;
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = crate::target_profile_dir().join("e2e-screenshots");
        std::fs::create_dir_all(&dir).expect("create screenshot dir");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Ends the WebDriver session (which closes the app); tauri-driver ends
    /// when the session is dropped.
    pub async fn close(self) {
        let client = self.client.clone();
        if let Err(error) = client.close().await {
            eprintln!("closing the WebDriver session: {error}");
        }
        drop(self.driver);
    }
}

async fn connect(url: &str, app: &Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), json!("wry"));
    capabilities.insert("tauri:options".into(), json!({ "application": app }));
    let deadline = Instant::now() + PATIENCE;
    loop {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(url)
            .await
        {
            Ok(client) => return client,
            Err(error) if Instant::now() < deadline => {
                // tauri-driver may not be listening yet.
                let _ = error;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => panic!("no WebDriver session with the app at {url}: {error}"),
        }
    }
}

/// tauri-driver: `$TAURI_DRIVER`, else the one `make` installs into
/// `.tools/bin`, else whatever is on `PATH`.
fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    let local = workspace_root().join(".tools/bin/tauri-driver");
    if local.is_file() {
        return local;
    }
    PathBuf::from("tauri-driver")
}

/// Puts the pointer over the element matching `css`, as a person does
/// before reaching for a row's tools (shown on hover).
pub async fn hover(session: &AppSession, css: &str) {
    let element = session.element(css).await;
    let mouse = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
        element,
        duration: None,
        x: 0.0,
        y: 0.0,
    });
    session
        .client
        .perform_actions(mouse)
        .await
        .unwrap_or_else(|error| panic!("could not move the pointer over {css}: {error}"));
}

/// Clicks the element matching `css` once it is shown (a tree row's tools
/// are there but hidden until the pointer is over the row or it has focus).
/// The tree is drawn again when the collection changes on disk: a button
/// found just before may be gone when the click comes, so it is found again.
pub async fn click_shown(session: &AppSession, css: &str) {
    session
        .wait_for(&format!("{css} shown and clicked"), || async {
            let button = session
                .client
                .find(fantoccini::Locator::Css(css))
                .await
                .ok()?;
            if !button.is_displayed().await.ok()? {
                return None;
            }
            button.click().await.ok()
        })
        .await;
}

/// Runs the real `callout` binary in `home` with `env` added, as a terminal
/// user would; fails the test when it fails.
pub fn callout(home: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let output = Command::new(workspace_binary("callout"))
        .args(args)
        .env("CALLOUT_HOME", home)
        .envs(env.iter().copied())
        .output()
        .expect("run callout");
    assert!(
        output.status.success(),
        "callout {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Authorizes the embedded Sandbox credential of the running app of
/// `home` with `callout authorize`, the browser signing in and allowing.
pub fn authorize_sandbox(home: &Path) {
    let browser = browser_script(home);
    callout(home, &[("BROWSER", &browser)], &["authorize", "Sandbox"]);
}

/// A `$BROWSER` (for the app or `callout authorize`) that signs in as the
/// sandbox user, allows, and follows the redirect back to the loopback
/// listener; the script is written into `home`.
pub fn browser_script(home: &Path) -> String {
    let script = home.join("browser.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nurl=\"$1\"\n\
         exec curl -sS -L -o /dev/null \
         --data \"${url#*\\?}&username=sandbox-user&password=sandbox-password&decision=allow\" \
         \"${url%%\\?*}\"\n",
    )
    .expect("write the browser script");
    format!("sh {}", script.display())
}

/// A new, empty directory for one app's `CALLOUT_HOME`, under the build's
/// target directory (so a failed run leaves it there to look at).
pub fn fresh_home(name: &str) -> PathBuf {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or_default();
    let dir = crate::target_profile_dir()
        .join("e2e-homes")
        .join(format!("{name}-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the app's home");
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

//! Closed to the tray, the app is its Rust process alone: the window is
//! destroyed and WebKit's web process ends with it, while the app, its
//! embedded sandbox and its token service go on. Its tray menu, driven over
//! D-Bus as a desktop's tray host drives it, refreshes the token and copies
//! the live one to the clipboard with no web process coming back. Opened
//! again (a second launch hands over to it), the window is built anew and
//! shows the view, the request and the unsaved draft the user left,
//! scrolled where it was.

use std::process::Command;
use std::time::{Duration, Instant};

use callout_core::Secret;
use callout_core::timeline::fingerprint;
use callout_tests::app::{AppSession, PATIENCE, app_pids, authorize_sandbox, callout, fresh_home};
use callout_tests::tray_menu::TrayMenu;
use callout_tests::workspace_binary;
use callout_tests::x11::Display;
use fantoccini::Locator;
use serde_json::{Value, json};

const URL: &str = r#"[data-testid="url"]"#;
const TYPED: &str = "/left-unsaved";

/// `/proc/<pid>/status`'s line `key:`, its value trimmed.
fn status_field(pid: u32, key: &str) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .map(|value| value.trim().to_string())
}

/// Every process below `pid` (children, their children, ...) with its
/// `comm` (the kernel's 15-byte name: `WebKitWebProces`, `WebKitNetworkP`).
fn descendants(pid: u32) -> Vec<(u32, String)> {
    let mut parents = std::collections::HashMap::<u32, Vec<u32>>::new();
    for entry in std::fs::read_dir("/proc").unwrap().filter_map(Result::ok) {
        let Some(child) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some(parent) = status_field(child, "PPid").and_then(|p| p.parse().ok()) {
            parents.entry(parent).or_default().push(child);
        }
    }
    let mut found = Vec::new();
    let mut pending = vec![pid];
    while let Some(next) = pending.pop() {
        for &child in parents.get(&next).into_iter().flatten() {
            let comm = std::fs::read_to_string(format!("/proc/{child}/comm")).unwrap_or_default();
            found.push((child, comm.trim().to_string()));
            pending.push(child);
        }
    }
    found
}

/// The processes below the app whose name (`comm`, cut to 15 characters)
/// starts with `name`.
fn processes_named(app: u32, name: &str) -> Vec<u32> {
    descendants(app)
        .into_iter()
        .filter(|(_, comm)| comm.starts_with(name))
        .map(|(pid, _)| pid)
        .collect()
}

/// The app's WebKit web content processes (`WebKitWebProcess`).
fn web_processes(app: u32) -> Vec<u32> {
    processes_named(app, "WebKitWebProces")
}

/// The app's WebKit network processes (`WebKitNetworkProcess`).
fn network_processes(app: u32) -> Vec<u32> {
    processes_named(app, "WebKitNetworkP")
}

/// The resident memory of the app and every process below it, in KiB.
fn rss_kib(app: u32) -> u64 {
    std::iter::once(app)
        .chain(descendants(app).into_iter().map(|(pid, _)| pid))
        .filter_map(|pid| status_field(pid, "VmRSS"))
        .filter_map(|value| value.trim_end_matches("kB").trim().parse::<u64>().ok())
        .sum()
}

/// Waits (polling, up to [`PATIENCE`]) until `done` holds.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits (polling, up to [`PATIENCE`]) until `attempt` succeeds, and
/// returns its value; on time out, fails with its last error.
async fn until_ok<T>(what: &str, mut attempt: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match attempt() {
            Ok(value) => return value,
            Err(error) if Instant::now() >= deadline => {
                panic!("timed out waiting for {what}: {error}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// The tokens the Sandbox's manual refreshes (Refresh now) got, oldest
/// first, as fingerprints: read from its timeline (`callout timeline`,
/// which refreshes nothing itself).
fn manual_refreshes(home: &std::path::Path) -> Vec<String> {
    let output = callout(home, &[], &["timeline", "Sandbox", "--json"]);
    let events: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a timeline event as JSON"))
        .collect();
    let mut issued = None;
    let mut refreshes = Vec::new();
    for event in &events {
        let event = &event["event"];
        match event["kind"].as_str() {
            Some("tokenIssued") => issued = event["token"].as_str().map(str::to_string),
            Some("refreshAttempt")
                if event["trigger"]["type"] == "manual" && event["outcome"] == "refreshed" =>
            {
                refreshes.extend(issued.take());
            }
            _ => {}
        }
    }
    refreshes
}

/// The live access token of the Sandbox as `callout token Sandbox` prints
/// it (refreshed only if stale: normally the stored one).
fn cli_token(home: &std::path::Path) -> String {
    let output = callout(home, &[], &["token", "Sandbox"]);
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// What the shell keeps of the window (`ui_session`), asked from the page.
async fn kept_session(session: &AppSession) -> Value {
    session
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             window.__TAURI_INTERNALS__.invoke('ui_session', {}).then(done, () => done(null));",
            vec![],
        )
        .await
        .expect("ask the shell for the kept session")
}

/// The shown editor view's scroll position.
async fn editor_scroll(session: &AppSession) -> f64 {
    session
        .client
        .execute(
            "return document.querySelector('.view-editor').scrollTop;",
            vec![],
        )
        .await
        .expect("read the editor's scroll position")
        .as_f64()
        .expect("a number")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_to_the_tray_only_the_core_runs_and_the_window_reopens_where_it_was() {
    let home = fresh_home("tray-resident");
    let session = AppSession::start_with(&home, &[]).await;
    let app = *app_pids(&home).first().expect("the app runs");

    // In the editor, an unsaved change to the open request, scrolled down.
    session.click(r#"[data-testid="nav-editor"]"#).await;
    let url = session.element(URL).await;
    session
        .wait_for("the editor to open a request", || {
            let url = url.clone();
            async move {
                let value = url.prop("value").await.ok()??;
                value.starts_with("callout:").then_some(())
            }
        })
        .await;
    url.send_keys(TYPED).await.expect("type into the URL");
    let typed = url.prop("value").await.unwrap().unwrap();
    assert!(typed.ends_with(TYPED), "{typed}");
    let scrolled = session
        .client
        .execute(
            "const view = document.querySelector('.view-editor'); \
             view.scrollTop = Math.min(160, view.scrollHeight - view.clientHeight); \
             return view.scrollTop;",
            vec![],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(
        scrolled >= 40.0,
        "the editor view cannot scroll ({scrolled})"
    );
    let kept = session
        .wait_for("the shell to keep the draft and the scroll", || async {
            let kept = kept_session(&session).await;
            (kept["editor"]["draft"]["url"] == json!(typed)
                && kept["scrollTop"].as_f64() == Some(scrolled.round()))
            .then_some(kept)
        })
        .await;
    assert_eq!(kept["view"], "editor", "{kept}");

    // The Sandbox authorized while the window is open, for the token below.
    authorize_sandbox(&home);

    let open_rss = rss_kib(app);
    let open_web = web_processes(app);
    let open_network = network_processes(app);
    assert!(
        !open_web.is_empty(),
        "no WebKitWebProcess below the app {app}"
    );

    // Closing the window (the title bar's ×) destroys it.
    let display = Display::open();
    let window = *display
        .windows_titled("Callout Lab")
        .iter()
        .find(|&&window| display.is_shown(window))
        .expect("the app window on the X display");
    display.request_close(window);
    until("the window to be gone from the display", || {
        display
            .windows_titled("Callout Lab")
            .iter()
            .all(|&window| !display.is_shown(window))
    })
    .await;
    until("the app's WebKit web processes to end", || {
        web_processes(app).is_empty()
    })
    .await;
    // Let what is left settle before measuring.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let closed_rss = rss_kib(app);
    let closed_network = network_processes(app);
    let own_rss = status_field(app, "VmRSS").unwrap_or_default();
    eprintln!(
        "RSS of the app and its children: window open {} MiB ({} web, {} network process(es)); \
         closed to the tray {} MiB ({} web, {} network process(es); the app itself {own_rss})",
        open_rss / 1024,
        open_web.len(),
        open_network.len(),
        closed_rss / 1024,
        web_processes(app).len(),
        closed_network.len(),
    );

    // The app lives on, and its tray, token service and embedded sandbox
    // answer: the tray menu, driven over D-Bus as a desktop's tray host
    // drives it, refreshes the Sandbox's token, then copies the live one.
    assert_eq!(app_pids(&home), [app], "the app ended with its window");
    assert!(closed_rss < open_rss, "{closed_rss} KiB ≥ {open_rss} KiB");
    let tray = until_ok("the app's tray menu on the session bus", || {
        TrayMenu::of_pid(app)
    })
    .await;
    eprintln!(
        "tray menu at {}: {:?}",
        tray.address(),
        tray.labels().unwrap_or_default()
    );
    let refreshes_before = manual_refreshes(&home).len();
    until_ok("the tray's Refresh now for the Sandbox", || {
        tray.click_under("Sandbox", "Refresh now")
    })
    .await;
    let refreshed = until_ok("the app to refresh the token at its sandbox", || {
        let refreshes = manual_refreshes(&home);
        refreshes
            .get(refreshes_before..)
            .and_then(<[String]>::last)
            .cloned()
            .ok_or_else(|| format!("the timeline's manual refreshes: {refreshes:?}"))
    })
    .await;
    let pasted_before = display.clipboard_text().expect("read the clipboard");
    tray.click_under("Sandbox", "Copy live token")
        .expect("click the tray's Copy live token");
    let copied = until_ok("the tray to put a token on the clipboard", || match display
        .clipboard_text()?
    {
        Some(text) if !text.is_empty() && Some(&text) != pasted_before.as_ref() => Ok(text),
        other => Err(format!("the clipboard holds {other:?}")),
    })
    .await;
    assert_eq!(
        copied,
        cli_token(&home),
        "the clipboard does not hold the live token `callout token Sandbox` prints"
    );
    assert_eq!(
        fingerprint(&Secret::new(copied.clone())),
        refreshed,
        "the tray copied another token than the one its Refresh now got"
    );
    assert_eq!(
        web_processes(app),
        Vec::<u32>::new(),
        "the tray's work brought a WebKit web process back"
    );
    assert_eq!(app_pids(&home), [app]);

    // A second launch hands over to the running app (single instance) and
    // exits at once; the running app builds its window again.
    let mut second = Command::new(workspace_binary("callout-lab"))
        .env("CALLOUT_HOME", &home)
        .spawn()
        .expect("launch a second instance");
    let deadline = std::time::Instant::now() + callout_tests::app::PATIENCE;
    let status = loop {
        if let Some(status) = second.try_wait().expect("poll the second instance") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = second.kill();
            panic!("the second launch did not exit: single instance is not working");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(status.success(), "the second launch failed: {status}");
    until("the window to be back on the display", || {
        display
            .windows_titled("Callout Lab")
            .iter()
            .any(|&window| display.is_shown(window))
    })
    .await;
    until("a web process for the new window", || {
        !web_processes(app).is_empty()
    })
    .await;
    assert_eq!(app_pids(&home), [app]);

    // WebDriver follows the new window; it shows the editor with the draft, scrolled.
    let handle = session
        .wait_for("WebDriver to see the new window", || async {
            session.client.windows().await.ok()?.into_iter().next()
        })
        .await;
    session
        .client
        .switch_to_window(handle)
        .await
        .expect("switch to the new window");
    let editor_nav = session.element(r#"[data-testid="nav-editor"]"#).await;
    assert_eq!(
        editor_nav.attr("aria-current").await.unwrap().as_deref(),
        Some("page")
    );
    let url = session.element(URL).await;
    session
        .wait_for("the unsaved draft back in the URL", || {
            let url = url.clone();
            let typed = typed.clone();
            async move { (url.prop("value").await.ok()?? == typed).then_some(()) }
        })
        .await;
    session
        .client
        .find(Locator::Css(r#"[data-testid="dirty-mark"]"#))
        .await
        .expect("the unsaved-changes mark")
        .is_displayed()
        .await
        .map(|shown| assert!(shown, "the draft is not marked unsaved"))
        .unwrap();
    session
        .wait_for("the editor scrolled where it was", || async {
            let now = editor_scroll(&session).await;
            ((now - scrolled).abs() <= 1.0).then_some(())
        })
        .await;
    session.screenshot("tray-resident-reopened").await;

    session.close().await;
}

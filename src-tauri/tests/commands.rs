//! The shell's commands through Tauri's IPC on the mock runtime: the same
//! registration the app uses, over the real embedded sandbox and the real
//! keychain, each test in a home of its own (so keychain entries of its
//! own, forgotten when it ends). Run inside `scripts/desktop-session.sh`.

#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use callout_lab::{AppState, Launch, MAIN_WINDOW, configure};
use heck::ToLowerCamelCase;
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};
use tauri::webview::InvokeRequest;
use tauri::{App, Listener, Manager, WebviewWindow, WebviewWindowBuilder};

/// The app on the mock runtime with its main window, over a home in a
/// temp dir; forgets the home's keychain entries on drop.
struct TestApp {
    app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    fn new() -> Self {
        Self::over(tempfile::tempdir().unwrap())
    }

    /// The app over the home in `dir`, as a test prepared it.
    fn over(dir: tempfile::TempDir) -> Self {
        let launch = Launch::headless(dir.path());
        let app = configure(mock_builder(), launch.clone())
            .build(mock_context(noop_assets()))
            .expect("build the app on the mock runtime");
        callout_lab::start(&app, &launch).expect("open the home and start the sandbox");
        let window = WebviewWindowBuilder::new(&app, MAIN_WINDOW, Default::default())
            .build()
            .expect("open the main window");
        Self {
            app,
            window,
            _dir: dir,
        }
    }

    fn state(&self) -> tauri::State<'_, AppState> {
        self.app.state::<AppState>()
    }

    fn sandbox(&self) -> &callout_sandbox::Sandbox {
        self.state()
            .inner()
            .sandbox
            .as_ref()
            .expect("the sandbox runs")
    }

    fn invoke(&self, command: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.window,
            InvokeRequest {
                cmd: command.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().expect("url"),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().expect("a JSON answer"))
    }

    fn ok(&self, command: &str, args: Value) -> Value {
        self.invoke(command, args)
            .unwrap_or_else(|error| panic!("{command} failed: {error}"))
    }

    /// Everything emitted as `event` from now on.
    fn record(&self, event: &str) -> Arc<Mutex<Vec<Value>>> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        self.app.listen_any(event, move |emitted| {
            sink.lock()
                .unwrap()
                .push(serde_json::from_str(emitted.payload()).unwrap());
        });
        seen
    }

    /// Authorizes "Sandbox" through the browser flow, the person at the
    /// browser pressing Allow.
    fn authorize_sandbox(&self) -> Value {
        self.state().set_opener(person_at_the_browser("allow"));
        self.ok("authorize", json!({"name": "Sandbox"}))
    }

    fn sample(&self, name: &str) -> Value {
        let requests = self.ok("list_templates", json!({}));
        let sample = requests
            .as_array()
            .unwrap()
            .iter()
            .find(|request| request["name"] == name)
            .unwrap_or_else(|| panic!("no sample {name} in {requests}"))
            .clone();
        json!({
            "method": sample["method"],
            "url": sample["url"],
            "headers": sample["headers"],
            "body": sample["body"],
        })
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let store = self.state().inner().service.store().clone();
        if let Ok(credentials) = store.load() {
            for name in credentials.names() {
                let _ = store.forget_secrets(&name);
            }
        }
    }
}

/// Stands in for the person: loads the sign-in page the URL shows (the
/// sandbox fills in its user), presses Allow or Deny, and lets the browser
/// follow the redirect to the loopback listener.
fn person_at_the_browser(decision: &'static str) -> callout_core::oauth::Opener {
    Arc::new(move |url: &str| {
        let url = url.to_string();
        std::thread::spawn(move || {
            let client = reqwest::blocking::Client::new();
            let page = client.get(&url).send().unwrap().text().unwrap();
            let input =
                regex::Regex::new(r#"<input type="[a-z]+" name="([^"]+)" value="([^"]*)">"#)
                    .unwrap();
            let mut form: Vec<(String, String)> = input
                .captures_iter(&page)
                .map(|c| {
                    (
                        c[1].to_string(),
                        c[2].replace("&quot;", "\"").replace("&amp;", "&"),
                    )
                })
                .collect();
            form.push(("decision".into(), decision.into()));
            let action = url.split('?').next().unwrap().to_string();
            client.post(action).form(&form).send().unwrap();
        });
        Ok(())
    })
}

/// Waits until `condition` holds, failing after `limit`.
fn wait_until(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn app_info_names_the_product_version_and_keychain() {
    let app = TestApp::new();
    let info = app.ok("app_info", json!({}));
    assert_eq!(info["product"], "Callout Lab");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["keychainBackend"], "Secret Service");
    assert_eq!(
        info["salesforceApiVersion"],
        callout_core::requests::SALESFORCE_API_VERSION
    );
}

#[test]
fn check_keychain_round_trips_through_the_real_keychain() {
    let app = TestApp::new();
    let check = app.ok("check_keychain", json!({}));
    assert_eq!(check["available"], true, "keychain check failed: {check}");
    assert_eq!(check["error"], Value::Null);
}

#[test]
fn an_unknown_command_is_refused() {
    let app = TestApp::new();
    let error = app
        .invoke("drop_all_tokens", json!({}))
        .expect_err("no such command");
    assert!(error.to_string().contains("drop_all_tokens"), "{error}");
}

/// Each argument of each command in the list reaches Tauri under the name
/// ui/src/bindings/commands.ts gives it (camelCase): with the arguments
/// before it valid and it of a type no argument takes, Tauri names it in
/// its refusal, and the command does not run.
#[test]
fn every_argument_is_read_under_the_name_the_ui_bindings_give_it() {
    let app = TestApp::new();
    let credentials = app.ok("list_credentials", json!({}));
    let sandbox = credentials[0]["credential"].clone();
    let valid = |ty: &str| -> Value {
        match ty.split_whitespace().collect::<String>().as_str() {
            "Credential" => sandbox.clone(),
            "Option<String>" => Value::Null,
            "String" => json!("Sandbox"),
            "bool" => json!(true),
            "u32" => json!(1),
            "Option<u32>" => Value::Null,
            "Vec<Assertion>" | "Vec<Extraction>" => json!([]),
            "Option<Vec<Assertion>>" => Value::Null,
            "Vec<String>" | "Vec<u32>" => json!([]),
            "ImportKind" => json!("har"),
            "ImportInput" => json!({"from": "text", "name": "x.har", "text": "{}"}),
            "SavedRequest" => saved_request("Mine", "callout:Sandbox/wso2/accounts"),
            "Draft" => app.sample("RFC 6750 API call"),
            other => panic!("this test has no valid {other} to put before a later argument"),
        }
    };
    let mut checked = Vec::new();
    for command in callout_lab::commands::COMMANDS {
        for (k, (name, _)) in command.args.iter().enumerate() {
            let mut args = serde_json::Map::new();
            for (j, (other, ty)) in command.args.iter().enumerate() {
                let value = if j < k { valid(ty) } else { json!(1.5) };
                args.insert(other.to_lower_camel_case(), value);
            }
            let error = app
                .invoke(command.name, Value::Object(args))
                .expect_err("a number where no argument takes one")
                .to_string();
            let key = name.to_lower_camel_case();
            assert!(
                error.contains(&format!(
                    "invalid args `{key}` for command `{}`",
                    command.name
                )),
                "{}: {error}",
                command.name
            );
            checked.push(key);
        }
    }
    for key in [
        "credential",
        "clientSecret",
        "previousName",
        "clientSecretGiven",
        "draft",
        "format",
        "query",
    ] {
        assert!(
            checked.iter().any(|checked| checked == key),
            "{key} in {checked:?}"
        );
    }
}

#[test]
fn a_first_run_has_the_sandbox_credential_and_the_sample_requests() {
    let app = TestApp::new();
    let credentials = app.ok("list_credentials", json!({}));
    let list = credentials.as_array().unwrap();
    assert_eq!(list.len(), 1, "{credentials}");
    let sandbox = &list[0];
    assert_eq!(sandbox["credential"]["name"], "Sandbox");
    assert_eq!(sandbox["credential"]["protocol"], "authorizationCode");
    assert_eq!(sandbox["sandbox"], true);
    assert_eq!(sandbox["hasClientSecret"], true);
    assert_eq!(sandbox["status"]["state"], "notAuthorized");
    assert_eq!(sandbox["status"]["line"], "not authorized yet");

    let info = app.ok("sandbox_info", json!({}));
    assert_eq!(info["url"], sandbox["credential"]["endpoint"]);
    assert_eq!(info["clientId"], "callout-lab-sandbox");
    assert_eq!(info["accessTtlSeconds"], 20);
    assert_eq!(info["refreshIdleTtlSeconds"], 600);

    let collections = app.ok("list_collections", json!({}));
    assert_eq!(collections.as_array().unwrap().len(), 1, "{collections}");
    assert_eq!(collections[0]["name"], "My requests");
    assert_eq!(collections[0]["items"], json!([]));
    assert_eq!(collections[0]["problem"], Value::Null);
    let requests = app.ok("list_templates", json!({}));
    let names: Vec<&str> = requests
        .as_array()
        .unwrap()
        .iter()
        .map(|request| request["name"].as_str().unwrap())
        .collect();
    let samples = callout_core::requests::samples("Sandbox");
    assert_eq!(
        names,
        samples.iter().map(|s| s.name.as_str()).collect::<Vec<_>>()
    );
    assert_eq!(samples[0].name, "Salesforce SOAP query");
    assert_eq!(app.ok("token", json!({"name": "Sandbox"})), Value::Null);
}

#[test]
fn authorize_runs_the_browser_flow_with_progress_and_shows_the_token_masked() {
    let app = TestApp::new();
    let progress = app.record("authorize-progress");
    let changed = app.record("credentials-changed");
    let token = app.authorize_sandbox();
    assert_eq!(token["credential"], "Sandbox");
    assert_eq!(token["refreshToken"], "present");
    assert_eq!(token["expirySource"], "expiresIn");
    let raw = app.ok("reveal_token", json!({"name": "Sandbox"}));
    let raw = raw.as_str().unwrap();
    let masked = token["masked"].as_str().unwrap();
    assert!(masked.starts_with(&raw[..4]) && masked.ends_with(&raw[raw.len() - 4..]));
    assert!(
        !token.to_string().contains(raw),
        "the raw token crossed: {token}"
    );

    let stages: Vec<Value> = progress
        .lock()
        .unwrap()
        .iter()
        .map(|event| event["stage"].clone())
        .collect();
    assert_eq!(
        stages,
        [
            json!("opening"),
            json!("waitingForBrowser"),
            json!("authorized")
        ]
    );
    let waiting = &progress.lock().unwrap()[1];
    assert!(
        waiting["url"].as_str().unwrap().contains("/authorize?"),
        "{waiting}"
    );
    let last = changed
        .lock()
        .unwrap()
        .last()
        .cloned()
        .expect("credentials-changed");
    assert_eq!(last[0]["status"]["state"], "valid", "{last}");

    let shown = app.ok("token", json!({"name": "sandbox"}));
    assert_eq!(shown["fingerprint"], token["fingerprint"]);
    let listed = app.ok("list_credentials", json!({}));
    assert!(
        listed[0]["status"]["line"]
            .as_str()
            .unwrap()
            .starts_with("valid for"),
        "{listed}"
    );
}

#[test]
fn a_cancelled_authorization_says_so_and_stores_nothing() {
    let app = TestApp::new();
    let progress = app.record("authorize-progress");
    let handle = app.app.handle().clone();
    // The person does not sign in; the UI's Cancel button is pressed instead.
    app.state().set_opener(Arc::new(move |_url: &str| {
        let handle = handle.clone();
        std::thread::spawn(move || {
            handle.state::<AppState>().cancel_authorize("Sandbox");
        });
        Ok(())
    }));
    let error = app
        .invoke("authorize", json!({"name": "Sandbox"}))
        .expect_err("cancelled");
    assert_eq!(error["kind"], "authorization", "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("cancelled"),
        "{error}"
    );
    let last = progress.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last["stage"], "cancelled");
    assert_eq!(app.ok("token", json!({"name": "Sandbox"})), Value::Null);
    // Nothing is left running to cancel.
    assert!(
        app.invoke("cancel_authorize", json!({"name": "Sandbox"}))
            .is_err()
    );
}

#[test]
fn a_flow_that_panics_leaves_nothing_waiting_for_the_browser() {
    let app = TestApp::new();
    app.state().set_opener(Arc::new(|_url: &str| {
        panic!("the browser stand-in crashed");
    }));
    let handle = app.app.handle().clone();
    let ended = tauri::async_runtime::block_on(tauri::async_runtime::spawn(async move {
        callout_lab::commands::tokens::authorize_credential(&handle, "Sandbox", None).await
    }));
    assert!(ended.is_err(), "the flow panicked");
    // Not "already waiting for the browser": a new authorization may start.
    assert!(app.state().begin_authorize("Sandbox").is_ok());
    assert!(!app.state().cancel_authorize("Sandbox"));
}

#[test]
fn preview_renders_with_the_token_masked_and_sends_nothing() {
    let app = TestApp::new();
    app.authorize_sandbox();
    let before = app.sandbox().stats();
    let draft = app.sample("Salesforce SOAP query");
    let preview = app.ok("preview_request", json!({"draft": draft}));
    assert_eq!(preview["error"], Value::Null, "{preview}");
    let body = preview["request"]["body"].as_str().unwrap();
    assert!(body.contains("<urn:sessionId>••••"), "{body}");
    let raw = app.ok("reveal_token", json!({"name": "Sandbox"}));
    assert!(!preview.to_string().contains(raw.as_str().unwrap()));
    let lint_ids: Vec<&str> = preview["lint"]
        .as_array()
        .unwrap()
        .iter()
        .map(|lint| lint["id"].as_str().unwrap())
        .collect();
    assert!(
        lint_ids.contains(&"salesforce.soap_token_not_refreshed"),
        "{lint_ids:?}"
    );
    assert_eq!(
        app.sandbox().stats(),
        before,
        "a preview reached the sandbox (an API call or a token request)"
    );
}

#[test]
fn an_unknown_merge_field_is_rejected_with_its_place_and_nothing_is_sent() {
    let app = TestApp::new();
    app.authorize_sandbox();
    let before = app.sandbox().stats();
    let mut draft = app.sample("Salesforce SOAP query");
    draft["body"] = json!("<a>\n  <b>{!$Credential.Nope}</b>\n</a>");
    let error = app
        .invoke("send_request", json!({"draft": draft}))
        .expect_err("an unknown merge field");
    assert_eq!(error["kind"], "mergeField", "{error}");
    assert_eq!(error["location"]["part"], "body", "{error}");
    assert_eq!(error["at"], json!({"line": 2, "column": 6}), "{error}");
    assert_eq!(
        app.sandbox().stats(),
        before,
        "something reached the sandbox"
    );
}

#[test]
fn a_send_that_meets_the_expired_session_refreshes_and_retries() {
    let app = TestApp::new();
    app.authorize_sandbox();
    let draft = app.sample("Salesforce SOAP query");
    let report = app.ok("send_request", json!({"draft": draft}));
    assert_eq!(report["response"]["status"], 200, "{report}");
    assert_eq!(report["verdict"]["expired"], false);

    // The session dies at the provider before the clock says so.
    let raw = app.ok("reveal_token", json!({"name": "Sandbox"}));
    assert!(app.sandbox().expire_access_token(raw.as_str().unwrap()));
    let timeline_events = app.record("timeline-appended");
    let report = app.ok("send_request", json!({"draft": draft}));
    let steps: Vec<&str> = report["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|attempt| attempt["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["sent", "refreshed", "sent"], "{report}");
    assert_eq!(report["attempts"][0]["status"], 500);
    assert_eq!(report["attempts"][0]["verdict"]["expired"], true);
    assert_eq!(report["response"]["status"], 200);
    assert!(
        report["response"]["body"]
            .as_str()
            .unwrap()
            .contains("queryResponse"),
        "{report}"
    );
    let stats = app.sandbox().stats();
    assert_eq!(stats.token_count("refresh_token", "ok"), 1);
    assert_eq!(stats.api_count("salesforce_soap", "invalid_session"), 1);
    assert_eq!(
        timeline_events.lock().unwrap().last().cloned(),
        Some(json!({"credential": "Sandbox"}))
    );
    let events = app.ok(
        "timeline",
        json!({"query": {"credential": "Sandbox", "kinds": ["retry"]}}),
    );
    assert_eq!(events.as_array().unwrap().len(), 1, "{events}");
    let path = app.ok(
        "export_timeline",
        json!({"query": {"credential": "Sandbox"}}),
    );
    let exported = std::fs::read_to_string(path.as_str().unwrap()).unwrap();
    assert!(exported.lines().count() >= 5, "{exported}");
    assert!(
        !exported.contains(raw.as_str().unwrap()),
        "a token in the export"
    );
}

#[test]
fn after_the_token_lifetime_the_sandbox_sends_the_stored_token_and_the_401_renews_it() {
    let app = TestApp::new();
    app.authorize_sandbox();
    // Tokens live 20 s. The Sandbox has proactive refresh off (as a Named
    // Credential: nothing refreshes by the clock), so wait for the clock to
    // pass the expiry, as a person would.
    // Two seconds past it: the provider counts the lifetime from its own
    // issue time, in whole seconds.
    wait_until("the token has expired", Duration::from_secs(45), || {
        let listed = app.ok("list_credentials", json!({}));
        let expires = listed[0]["status"]["expiresAtMs"].as_u64().unwrap();
        let now = callout_lab::views::millis(std::time::SystemTime::now());
        listed[0]["status"]["state"] == "expired" && now >= expires + 2_000
    });
    let report = app.ok(
        "send_request",
        json!({"draft": app.sample("RFC 6750 API call")}),
    );
    assert_eq!(report["response"]["status"], 200, "{report}");
    let steps: Vec<&str> = report["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|attempt| attempt["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["sent", "refreshed", "sent"], "{report}");
    assert_eq!(app.sandbox().stats().token_count("refresh_token", "ok"), 1);
    assert_eq!(
        app.sandbox().stats().api_count("rfc6750", "invalid_token"),
        1
    );
}

#[test]
fn curl_comes_in_requests_go_out_as_curl_and_apex_and_a_postman_collection_is_saved() {
    let app = TestApp::new();
    let imported = app.ok(
        "import_curl",
        json!({"command": "curl -X PUT 'https://api.example.com/v1/items/7' -H 'Content-Type: application/json' --data-raw '{\"a\":1}' -k"}),
    );
    assert_eq!(imported["request"]["method"], "PUT");
    assert_eq!(
        imported["request"]["url"],
        "https://api.example.com/v1/items/7"
    );
    assert_eq!(imported["request"]["name"], "PUT /v1/items/7");
    assert_eq!(imported["request"]["bodyKind"], "json");
    assert!(imported["notes"][0].as_str().unwrap().starts_with("-k"));
    let refused = app
        .invoke(
            "import_curl",
            json!({"command": "curl -d @body.json https://x.test"}),
        )
        .unwrap_err();
    assert_eq!(refused["kind"], "import");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("paste the body of body.json with --data-raw instead"),
        "{refused}"
    );

    let soap = app.sample("Salesforce SOAP query");
    let apex = app.ok("export_request", json!({"draft": soap, "format": "apex"}));
    let apex = apex.as_str().unwrap();
    assert!(apex.contains("req.setEndpoint('callout:Sandbox/services/Soap/u/59.0');"));
    assert!(apex.contains("Salesforce will NOT refresh this token"));
    let curl = app.ok("export_request", json!({"draft": soap, "format": "curl"}));
    assert!(
        curl.as_str()
            .unwrap()
            .starts_with("CALLOUT_TOKEN=\"$(callout token Sandbox)\"\n")
    );

    let changed = app.record("credentials-changed");
    let collection = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/core/tests/fixtures/postman/acme_crm.postman_collection.json"
    ))
    .unwrap();
    let saved = app.ok(
        "import_postman_collection",
        json!({"json": collection, "environments": []}),
    );
    assert_eq!(
        saved["credentialsAdded"],
        json!(["Acme_CRM_API", "Acme_CRM_API_2"])
    );
    let tree = &saved["collection"];
    assert_eq!(tree["name"], "Acme CRM API");
    assert!(
        tree["root"]
            .as_str()
            .unwrap()
            .ends_with("/collections/Acme CRM API"),
        "{tree}"
    );
    let accounts = tree["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["kind"] == "folder" && item["name"] == "Accounts")
        .unwrap_or_else(|| panic!("no Accounts folder in {tree}"));
    assert!(
        accounts["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|item| item["kind"] == "request" && item["name"] == "List accounts"),
        "{accounts}"
    );
    let open = app.ok("list_collections", json!({}));
    assert_eq!(open.as_array().unwrap().len(), 2, "opened: {open}");
    let credentials = app.ok("list_credentials", json!({}));
    assert!(
        credentials
            .as_array()
            .unwrap()
            .iter()
            .any(|view| view["credential"]["name"] == "Acme_CRM_API_2")
    );
    assert!(!changed.lock().unwrap().is_empty());
}

/// Clicks the tray menu item of `name`'s entry whose label is `label`: the
/// item's id goes through the tray's own handler, as a click does.
fn click_tray_item(app: &TestApp, name: &str, label: &str) {
    let (id, _) = callout_lab::tray::credential_items(name)
        .into_iter()
        .find(|(_, shown)| shown.trim() == label)
        .unwrap_or_else(|| panic!("no tray item {label:?} for {name}"));
    callout_lab::tray::on_menu(app.app.handle(), &id);
}

#[test]
fn the_tray_menu_refreshes_now_and_copies_the_live_token_for_a_while() {
    let app = TestApp::new();
    let first = app.authorize_sandbox();
    let handle = app.app.handle().clone();
    let checked = app.record("clipboard-checked");

    click_tray_item(&app, "Sandbox", "Refresh now");
    // Waits for what the user sees, the stored token replaced, not for the
    // provider's answer: the app writes the new token to the keychain after
    // the provider has counted the refresh.
    wait_until(
        "the tray's Refresh now stored a new token",
        Duration::from_secs(30),
        || app.ok("token", json!({"name": "Sandbox"}))["fingerprint"] != first["fingerprint"],
    );
    let refreshed = app.ok("token", json!({"name": "Sandbox"}));
    assert_eq!(
        app.sandbox().stats().token_count("refresh_token", "ok"),
        1,
        "one refresh, by the tray"
    );

    app.ok(
        "save_settings",
        json!({"settings": {"clipboardClearSeconds": 1, "keepAliveDefaultSeconds": null,
                            "keeperMarginSeconds": 60, "theme": "system"}}),
    );
    use tauri_plugin_clipboard_manager::ClipboardExt;
    let clipboard = handle.clipboard();
    let raw = app.ok("reveal_token", json!({"name": "Sandbox"}));
    let raw = raw.as_str().unwrap();
    let next_check = || {
        wait_until(
            "the copied token's time was up",
            Duration::from_secs(60),
            || !checked.lock().unwrap().is_empty(),
        );
        checked.lock().unwrap().remove(0)
    };
    click_tray_item(&app, "Sandbox", "Copy live token");
    // Cleared: the clipboard held exactly the live token when its time was up.
    assert_eq!(
        next_check(),
        json!({"fingerprint": refreshed["fingerprint"], "cleared": true})
    );
    assert_eq!(clipboard.read_text().unwrap_or_default(), "");
    assert_eq!(
        app.sandbox().stats().token_count("refresh_token", "ok"),
        1,
        "a live token is copied as it is"
    );

    // Something else copied meanwhile stays. The person's text must land
    // while the token is on the clipboard: should the check come first on a
    // slow machine, the scenario is played again with more time.
    let mut kept = false;
    for seconds in [2, 5, 15] {
        app.ok(
            "save_settings",
            json!({"settings": {"clipboardClearSeconds": seconds,
                                "keepAliveDefaultSeconds": null,
                                "keeperMarginSeconds": 60, "theme": "system"}}),
        );
        click_tray_item(&app, "Sandbox", "Copy live token");
        wait_until("the token was copied", Duration::from_secs(30), || {
            clipboard.read_text().is_ok_and(|text| text == raw)
                || !checked.lock().unwrap().is_empty()
        });
        if checked.lock().unwrap().is_empty() {
            clipboard.write_text("the person's own text").unwrap();
        }
        let check = next_check();
        if check["cleared"] == true {
            continue; // the check found the token: it came before the person's text
        }
        assert_eq!(
            check,
            json!({"fingerprint": refreshed["fingerprint"], "cleared": false})
        );
        assert_eq!(clipboard.read_text().unwrap(), "the person's own text");
        kept = true;
        break;
    }
    assert!(
        kept,
        "the person's text was never there when the time was up"
    );
}

#[test]
fn credentials_are_validated_saved_renamed_and_removed() {
    let app = TestApp::new();
    let problems = |credential: Value, secret_given: bool, previous: Option<&str>| {
        let problems = app.ok(
            "validate_credential",
            json!({"credential": credential, "clientSecretGiven": secret_given,
                   "previousName": previous}),
        );
        problems
            .as_array()
            .unwrap()
            .iter()
            .map(|problem| problem["field"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    // The client credentials flow cannot start without its secret: the form
    // says so under the field instead of a later "add it from a terminal".
    assert_eq!(
        problems(
            json!({"name": "9x", "endpoint": "ftp://x", "protocol": "clientCredentials"}),
            false,
            None
        ),
        ["name", "endpoint", "clientId", "tokenUrl", "clientSecret"]
    );

    let sandbox = app.sandbox().base_url();
    let credential = json!({
        "name": "Machine", "endpoint": sandbox, "protocol": "clientCredentials",
        "clientId": "callout-lab-sandbox", "tokenUrl": format!("{sandbox}/token"),
        "scopes": ["api", "read"]
    });
    let saved = app.ok(
        "save_credential",
        json!({"credential": credential, "clientSecret": app.sandbox().client_secret(), "previousName": null}),
    );
    assert_eq!(saved["hasClientSecret"], true);
    assert_eq!(saved["sandbox"], false);
    // A second credential of that name is refused under its name field; the
    // saved one edited keeps its stored secret.
    assert_eq!(problems(credential.clone(), true, None), ["name"]);
    assert!(problems(credential.clone(), false, Some("Machine")).is_empty());
    let token = app.ok("authorize", json!({"name": "Machine"}));
    assert_eq!(token["refreshToken"], "none");

    let mut renamed = credential.clone();
    renamed["name"] = json!("Machine_2");
    let saved = app.ok(
        "save_credential",
        json!({"credential": renamed, "clientSecret": null, "previousName": "Machine"}),
    );
    assert_eq!(saved["hasClientSecret"], true, "the secret moved along");
    assert_eq!(saved["status"]["state"], "valid", "the tokens moved along");
    let error = app
        .invoke("token", json!({"name": "Machine"}))
        .expect_err("renamed away");
    assert_eq!(error["kind"], "unknownCredential");

    app.ok("remove_credential", json!({"name": "Machine_2"}));
    let listed = app.ok("list_credentials", json!({}));
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let discovered = app.ok("discover", json!({"issuer": sandbox}));
    assert_eq!(discovered["tokenEndpoint"], format!("{sandbox}/token"));
}

#[test]
fn the_window_authorizes_a_password_grant_with_the_login_it_asked_for_and_calls_a_bearer_api() {
    let app = TestApp::new();
    let sandbox = app.sandbox().base_url();
    let credential = json!({
        "name": "Grant", "endpoint": format!("{sandbox}/rfc6750"), "protocol": "password",
        "clientId": "callout-lab-sandbox", "tokenUrl": format!("{sandbox}/token"),
        "scopes": ["read"]
    });
    app.ok(
        "save_credential",
        json!({"credential": credential, "clientSecret": app.sandbox().client_secret(), "previousName": null}),
    );
    let without = app
        .invoke("authorize", json!({"name": "Grant", "login": null}))
        .expect_err("no login kept yet");
    assert!(
        without["message"]
            .as_str()
            .unwrap()
            .contains("needs a username and password the first time"),
        "{without}"
    );
    let config = app.sandbox().config().clone();
    let wrong = app
        .invoke(
            "authorize",
            json!({"name": "Grant", "login": {"username": config.username, "password": "nope"}}),
        )
        .expect_err("a wrong password");
    assert!(
        wrong["message"].as_str().unwrap().contains("invalid_grant"),
        "{wrong}"
    );
    app.ok(
        "authorize",
        json!({"name": "Grant", "login": {"username": config.username, "password": config.password}}),
    );
    let draft =
        json!({"method": "GET", "url": "callout:Grant/accounts", "headers": [], "body": null});
    let report = app.ok("send_request", json!({"draft": draft}));
    assert_eq!(report["response"]["status"], 200, "{report}");
    // The kept login mints again without asking.
    app.ok("authorize", json!({"name": "Grant", "login": null}));
}

#[test]
fn settings_round_trip() {
    let app = TestApp::new();
    let settings = app.ok("get_settings", json!({}));
    assert_eq!(
        settings,
        json!({"clipboardClearSeconds": 30, "keepAliveDefaultSeconds": null,
               "keeperMarginSeconds": 60, "theme": "system", "extraCaFile": null,
               "proxyUrl": null, "noProxy": [], "historyKeepCount": 5000,
               "historyKeepDays": 30})
    );
    let error = app
        .invoke(
            "save_settings",
            json!({"settings": {"clipboardClearSeconds": 0}}),
        )
        .expect_err("out of range");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("clipboardClearSeconds"),
        "{error}"
    );
}

/// The request as the commands take it.
fn saved_request(name: &str, url: &str) -> Value {
    json!({"id": "", "name": name, "method": "GET", "url": url, "headers": [],
           "body": null, "bodyKind": "none", "sample": false})
}

#[test]
fn a_collection_tree_is_changed_in_place_and_a_change_on_disk_is_never_overwritten() {
    let app = TestApp::new();
    let root = app.ok("list_collections", json!({}))[0]["root"]
        .as_str()
        .unwrap()
        .to_string();
    let folder = app.ok(
        "new_folder",
        json!({"root": root, "parent": "", "name": "Accounts"}),
    );
    assert_eq!(folder, "Accounts");
    let file = app.ok(
        "new_saved",
        json!({"root": root, "folder": "Accounts",
               "request": saved_request("Query", "callout:Sandbox/wso2/accounts")}),
    );
    assert_eq!(file["path"], "Accounts/query.toml");
    let stamp = file["stamp"].as_str().unwrap().to_string();

    // Another editor changes the file: the app's save is refused and says so.
    let on_disk = std::path::Path::new(&root).join("Accounts/query.toml");
    let text = std::fs::read_to_string(&on_disk).unwrap();
    std::fs::write(&on_disk, format!("# edited elsewhere\n{text}")).unwrap();
    let mut edited = file["request"].clone();
    edited["url"] = json!("callout:Sandbox/wso2/accounts?limit=5");
    let refused = app
        .invoke(
            "save_saved",
            json!({"root": root, "path": "Accounts/query.toml", "request": edited, "stamp": stamp}),
        )
        .unwrap_err();
    assert_eq!(refused["kind"], "changedOnDisk", "{refused}");
    assert!(
        std::fs::read_to_string(&on_disk)
            .unwrap()
            .starts_with("# edited elsewhere"),
        "the other change is kept"
    );
    // Read again, the save goes through and keeps the comment.
    let fresh = app.ok(
        "read_saved",
        json!({"root": root, "path": "Accounts/query.toml"}),
    );
    let saved = app.ok(
        "save_saved",
        json!({"root": root, "path": "Accounts/query.toml", "request": edited,
               "stamp": fresh["stamp"]}),
    );
    assert_eq!(
        saved["request"]["url"],
        "callout:Sandbox/wso2/accounts?limit=5"
    );
    let text = std::fs::read_to_string(&on_disk).unwrap();
    assert!(text.starts_with("# edited elsewhere\n"), "{text}");

    let renamed = app.ok(
        "rename_item",
        json!({"root": root, "path": "Accounts/query.toml", "name": "List accounts"}),
    );
    assert_eq!(renamed, "Accounts/list-accounts.toml");
    let copy = app.ok("duplicate_item", json!({"root": root, "path": renamed}));
    assert_eq!(copy, "Accounts/list-accounts-copy.toml");
    let moved = app.ok(
        "move_item",
        json!({"root": root, "path": copy, "folder": ""}),
    );
    assert_eq!(moved, "list-accounts-copy.toml");
    let deleted = app.ok("delete_item", json!({"root": root, "path": "Accounts"}));
    let tree = app.ok("list_collections", json!({}))[0]["items"].clone();
    assert_eq!(tree.as_array().unwrap().len(), 1, "{tree}");
    assert_eq!(tree[0]["name"], "List accounts copy");
    assert_eq!(
        app.ok("restore_item", json!({"deleted": deleted})),
        "Accounts"
    );
    let tree = app.ok("list_collections", json!({}))[0]["items"].clone();
    assert_eq!(tree[0]["kind"], "folder", "{tree}");
    assert_eq!(tree[0]["items"][0]["name"], "List accounts");

    // A broken file shows as broken; the rest of the collection stays usable.
    std::fs::write(std::path::Path::new(&root).join("broken.toml"), "url = [\n").unwrap();
    let tree = app.ok("list_collections", json!({}))[0]["items"].clone();
    let broken = tree
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["kind"] == "unreadable")
        .unwrap_or_else(|| panic!("{tree}"));
    assert!(
        broken["problem"]
            .as_str()
            .unwrap()
            .contains("is broken at line 2"),
        "{broken}"
    );
    assert_eq!(tree.as_array().unwrap().len(), 3, "{tree}");
}

#[test]
fn a_saved_request_sends_with_its_environment_and_its_sends_are_kept_and_sent_again() {
    let app = TestApp::new();
    app.authorize_sandbox();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("salesforce");
    let created = app.ok(
        "new_collection",
        json!({"root": root.display().to_string(), "name": "Salesforce"}),
    );
    let root = created["root"].as_str().unwrap().to_string();
    let environments = std::path::Path::new(&root).join("environments");
    std::fs::create_dir_all(&environments).unwrap();
    std::fs::write(
        environments.join("Sandbox.toml"),
        "[variables]\nendpoint = \"callout:Sandbox\"\naccess_token = \"{!$Credential.OAuthToken}\"\n",
    )
    .unwrap();
    let soap = app.sample("Salesforce SOAP query");
    let body = soap["body"]
        .as_str()
        .unwrap()
        .replace("{!$Credential.OAuthToken}", "{{access_token}}");
    assert!(body.contains("{{access_token}}"), "{body}");
    let url = soap["url"]
        .as_str()
        .unwrap()
        .replace("callout:Sandbox", "{{endpoint}}");
    let mut request = saved_request("SOAP query", &url);
    request["method"] = soap["method"].clone();
    request["headers"] = soap["headers"].clone();
    request["body"] = json!(body);
    request["bodyKind"] = json!("xml");
    let file = app.ok(
        "new_saved",
        json!({"root": root, "folder": "", "request": request}),
    );
    let path = file["path"].as_str().unwrap().to_string();
    let draft = json!({"method": request["method"], "url": url,
                       "headers": request["headers"], "body": body});

    // No environment chosen: the variable is unknown, named where it is.
    let preview = app.ok(
        "preview_saved",
        json!({"root": root, "path": path, "draft": draft}),
    );
    assert_eq!(preview["preview"]["error"]["kind"], "variable", "{preview}");
    assert!(
        preview["preview"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("endpoint"),
        "{preview}"
    );
    app.ok(
        "set_environment",
        json!({"root": root, "environment": "Sandbox"}),
    );
    let preview = app.ok(
        "preview_saved",
        json!({"root": root, "path": path, "draft": draft}),
    );
    assert_eq!(preview["preview"]["error"], Value::Null, "{preview}");
    assert_eq!(
        preview["variables"],
        json!([
            {"name": "access_token", "scope": "environment Sandbox", "value": "{!$Credential.OAuthToken}", "secret": false},
            {"name": "endpoint", "scope": "environment Sandbox", "value": "callout:Sandbox", "secret": false},
        ])
    );

    let report = app.ok(
        "send_saved",
        json!({"root": root, "path": path, "draft": draft}),
    );
    assert_eq!(report["response"]["status"], 200, "{report}");
    let history = app.ok(
        "history",
        json!({"request": "Salesforce/SOAP query", "limit": 10}),
    );
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    assert_eq!(history[0]["environment"], "Sandbox");
    let first = history[0]["id"].as_i64().unwrap();
    let kept = app.ok("history_entry", json!({"id": first}));
    assert_eq!(kept["report"]["response"]["status"], 200, "{kept}");

    let again = app.ok("send_again", json!({"id": first}));
    assert_eq!(again["response"]["status"], 200, "{again}");
    let history = app.ok(
        "history",
        json!({"request": "Salesforce/SOAP query", "limit": 10}),
    );
    assert_eq!(history.as_array().unwrap().len(), 2, "{history}");
    let second = history[0]["id"].as_i64().unwrap();
    let diff = app.ok("history_diff", json!({"before": first, "after": second}));
    assert!(
        diff.as_str()
            .unwrap()
            .starts_with(&format!("send {first} and send {second}")),
        "{diff}"
    );
}

#[test]
fn the_keeper_leaves_the_sandbox_token_to_expire_and_reports_its_run() {
    let app = TestApp::new();
    app.authorize_sandbox();
    let ran = app.record("keeper-ran");
    let decisions = tauri::async_runtime::block_on(callout_lab::keeper::run_once(app.app.handle()));
    let sandbox = decisions
        .iter()
        .find(|decision| decision.credential == "Sandbox")
        .expect("a decision for Sandbox");
    // Proactive refresh is off for the Sandbox: the person should see it expire.
    assert_eq!(
        sandbox.action,
        callout_core::timeline::KeeperAction::Wait,
        "{sandbox:?}"
    );
    assert_eq!(app.sandbox().stats().token_total("refresh_token"), 0);
    let reported = ran.lock().unwrap().last().cloned().expect("keeper-ran");
    assert_eq!(reported[0]["credential"], "Sandbox");
    assert_eq!(reported[0]["action"], "wait");
}

fn sandbox_definition(app: &TestApp, name: &str, identity: &str) -> Value {
    let sandbox = app.sandbox().base_url();
    json!({
        "name": name, "endpoint": sandbox, "protocol": "clientCredentials",
        "clientId": "callout-lab-sandbox", "tokenUrl": format!("{sandbox}/token"),
        "scopes": ["api"], "identityType": identity
    })
}

fn tokens_for(access: &str, refresh: &str) -> callout_core::credential_store::Authorization {
    use callout_core::oauth::{ExpirySource, TokenSet};
    callout_core::credential_store::Authorization {
        tokens: Some(TokenSet {
            access_token: callout_core::Secret::new(access),
            token_type: "Bearer".into(),
            refresh_token: Some(callout_core::Secret::new(refresh)),
            id_token: None,
            scopes: vec!["api".into()],
            issued_at: std::time::SystemTime::now(),
            expires_at: Some(std::time::SystemTime::now() + Duration::from_secs(3_600)),
            expiry_source: ExpirySource::ExpiresIn,
            is_jwt: false,
            instance_url: None,
        }),
        ..Default::default()
    }
}

#[test]
fn a_client_certificate_is_saved_with_its_key_in_the_keychain_only() {
    let app = TestApp::new();
    let ca = callout_sandbox::tls::TestCa::new("Callout Test Client Root").unwrap();
    let issued = ca.issue(&["partner-client"]).unwrap();
    let mut definition = sandbox_definition(&app, "Partner", "namedPrincipal");
    definition["clientCertificate"] = json!(issued.certificate_pem);

    let problems = app.ok(
        "validate_credential",
        json!({"credential": definition, "clientSecretGiven": true, "previousName": null}),
    );
    assert!(
        problems.to_string().contains("clientKey"),
        "a certificate without its key: {problems}"
    );
    let problems = app.ok(
        "validate_credential",
        json!({"credential": definition, "clientSecretGiven": true, "previousName": null,
               "clientKeyGiven": true}),
    );
    assert_eq!(problems, json!([]));

    app.ok(
        "save_credential",
        json!({"credential": definition, "clientSecret": app.sandbox().client_secret(),
               "previousName": null, "clientKey": issued.key_pem}),
    );
    let store = app.state().inner().service.store().clone();
    let key = store
        .client_key("Partner")
        .unwrap()
        .expect("the key is in the keychain");
    assert_eq!(key.expose(), issued.key_pem);
    let file = std::fs::read_to_string(store.home().credentials_file()).unwrap();
    assert!(file.contains("BEGIN CERTIFICATE") && !file.contains("PRIVATE KEY"));

    // Saved again without a key: the stored one stays.
    app.ok(
        "save_credential",
        json!({"credential": definition, "clientSecret": null, "previousName": "Partner"}),
    );
    assert!(store.client_key("Partner").unwrap().is_some());
}

#[test]
fn renaming_a_per_user_credential_keeps_every_users_tokens() {
    use callout_core::credential_store::Identity;
    let app = TestApp::new();
    app.ok(
        "save_credential",
        json!({"credential": sandbox_definition(&app, "Team", "perUser"),
               "clientSecret": app.sandbox().client_secret(), "previousName": null}),
    );
    let store = app.state().inner().service.store().clone();
    let users = [Identity::User("alice".into()), Identity::User("bob".into())];
    for (user, refresh) in users.iter().zip(["rt-alice", "rt-bob"]) {
        store
            .set_authorization("Team", user, &tokens_for("at", refresh))
            .unwrap();
    }

    app.ok(
        "save_credential",
        json!({"credential": sandbox_definition(&app, "Team_2", "perUser"),
               "clientSecret": null, "previousName": "Team"}),
    );

    for (user, refresh) in users.iter().zip(["rt-alice", "rt-bob"]) {
        let kept = store
            .authorization("Team_2", user)
            .unwrap()
            .tokens
            .and_then(|tokens| tokens.refresh_token)
            .map(|token| token.expose().to_string());
        assert_eq!(
            kept.as_deref(),
            Some(refresh),
            "{user:?}'s tokens were lost"
        );
    }
    assert_eq!(
        store.home().vault().read("team/authorization").unwrap(),
        None
    );
}

#[test]
fn one_unreadable_keychain_entry_is_shown_broken_and_repair_makes_it_authorizable() {
    let app = TestApp::new();
    app.ok(
        "save_credential",
        json!({"credential": sandbox_definition(&app, "Garbled", "namedPrincipal"),
               "clientSecret": app.sandbox().client_secret(), "previousName": null}),
    );
    let store = app.state().inner().service.store().clone();
    store
        .vault()
        .store(
            "garbled/authorization",
            &callout_core::Secret::new("{\"identities\": []}"),
        )
        .unwrap();

    let listed = app.ok("list_credentials", json!({}));
    let state_of = |listed: &Value, name: &str| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|view| view["credential"]["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not listed: {listed}"))["status"]
            .clone()
    };
    assert_eq!(state_of(&listed, "Sandbox")["state"], "notAuthorized");
    let broken = state_of(&listed, "Garbled");
    assert_eq!(broken["state"], "broken", "{broken}");
    assert!(
        broken["reason"]
            .as_str()
            .unwrap()
            .contains("garbled/authorization"),
        "{broken}"
    );

    // What the tray is built from: the credentials-changed payload.
    let changed = app.record("credentials-changed");
    let repaired = app.ok("repair_credential", json!({"name": "Garbled"}));
    assert_eq!(repaired["status"]["state"], "notAuthorized", "{repaired}");
    let payload = changed.lock().unwrap().last().cloned().expect("an event");
    assert_eq!(payload.as_array().unwrap().len(), 2, "{payload}");
    assert_eq!(state_of(&payload, "Garbled")["state"], "notAuthorized");

    app.ok("authorize", json!({"name": "Garbled"}));
    let listed = app.ok("list_credentials", json!({}));
    assert_eq!(state_of(&listed, "Garbled")["state"], "valid");
}

#[test]
fn the_tray_lists_every_credential_when_one_keychain_entry_is_unreadable() {
    let app = TestApp::new();
    app.ok(
        "save_credential",
        json!({"credential": sandbox_definition(&app, "Garbled", "namedPrincipal"),
               "clientSecret": app.sandbox().client_secret(), "previousName": null}),
    );
    app.state()
        .inner()
        .service
        .store()
        .vault()
        .store(
            "garbled/authorization",
            &callout_core::Secret::new("garbage"),
        )
        .unwrap();
    let views = callout_lab::events::current_views(app.app.handle());
    let names: Vec<&str> = views
        .iter()
        .map(|view| view.credential.name.as_str())
        .collect();
    assert_eq!(names, ["Sandbox", "Garbled"]);
    let state = |view: &callout_lab::views::CredentialView| {
        serde_json::to_value(view.status.state).unwrap()
    };
    assert_eq!(state(&views[1]), "broken");
    // Authorizing again alone repairs it too.
    app.ok("authorize", json!({"name": "Garbled"}));
    let views = callout_lab::events::current_views(app.app.handle());
    assert_eq!(state(&views[1]), "valid");
}

#[test]
fn saving_a_credential_over_leftover_keychain_entries_removes_them_and_says_so() {
    let app = TestApp::new();
    let store = app.state().inner().service.store().clone();
    store
        .set_client_secret("Again", &callout_core::Secret::new("old-secret"))
        .unwrap();
    store
        .set_authorization(
            "Again",
            &callout_core::credential_store::Identity::NamedPrincipal,
            &tokens_for("at-old", "rt-old"),
        )
        .unwrap();
    let saved = app.ok(
        "save_credential",
        json!({"credential": sandbox_definition(&app, "Again", "namedPrincipal"),
               "clientSecret": app.sandbox().client_secret(), "previousName": null}),
    );
    assert_eq!(saved["status"]["state"], "notAuthorized", "{saved}");
    // The secret stored is the one given now, never the leftover.
    assert_eq!(
        store.client_secret("Again").unwrap().unwrap().expose(),
        app.sandbox().client_secret(),
        "{saved}"
    );
    assert!(
        saved["notice"]
            .as_str()
            .unwrap_or_default()
            .contains("from an earlier credential named Again"),
        "{saved}"
    );
}

#[test]
fn a_broken_timeline_file_keeps_the_app_working_says_so_and_moves_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(callout_core::timeline::FILE_NAME);
    std::fs::write(&path, "not a database\n".repeat(600)).unwrap();
    let app = TestApp::over(dir);
    assert!(
        app.state()
            .startup_problems
            .iter()
            .any(|problem| problem.contains(&path.display().to_string())),
        "{:?}",
        app.state().startup_problems
    );
    let trouble = app.ok("timeline_trouble", json!({}));
    assert_eq!(trouble["path"], path.display().to_string(), "{trouble}");
    assert_eq!(trouble["newer"], false);
    assert!(
        trouble["reason"]
            .as_str()
            .unwrap()
            .contains("not a database"),
        "{trouble}"
    );

    // Tokens and sends go on; the events of this run are kept in memory.
    app.authorize_sandbox();
    let draft = app.sample("Salesforce SOAP query");
    let report = app.ok("send_request", json!({"draft": draft}));
    assert_eq!(report["response"]["status"], 200, "{report}");
    let held = app.ok("timeline", json!({"query": {"credential": "Sandbox"}}));
    let held = held.as_array().unwrap().len();
    assert!(held >= 3, "{held}");

    let moved = app.ok("move_timeline_aside", json!({}));
    let moved = moved.as_str().unwrap();
    assert!(
        moved.starts_with(&format!("{}.broken-", path.display())),
        "{moved}"
    );
    assert_eq!(
        std::fs::read_to_string(moved).unwrap(),
        "not a database\n".repeat(600)
    );
    assert_eq!(app.ok("timeline_trouble", json!({})), Value::Null);
    app.ok("send_request", json!({"draft": draft}));
    // The fresh file holds what was kept in memory and what came since.
    let stored = callout_core::timeline::Timeline::open(&path)
        .unwrap()
        .query(&callout_core::timeline::Query::credential("Sandbox"))
        .unwrap();
    assert!(stored.len() > held, "{} of {held}", stored.len());
}

#[test]
fn the_timeline_answers_a_page_at_a_time_and_the_next_page_by_cursor() {
    let app = TestApp::new();
    let timeline = app.state().inner().service.timeline().unwrap().clone();
    let now = std::time::SystemTime::now();
    let events: Vec<_> = (0..1_500u32)
        .map(|attempt| {
            let at = now - Duration::from_millis(u64::from(1_500 - attempt));
            let detail = callout_core::timeline::EventDetail::Retry { attempt };
            ("Paged".to_string(), detail, at)
        })
        .collect();
    timeline.append_all(&events).unwrap();
    let attempts = |page: &Value| -> Vec<u64> {
        page.as_array()
            .unwrap()
            .iter()
            .map(|event| event["event"]["attempt"].as_u64().unwrap())
            .collect()
    };

    // Without a limit: the newest page only, not all 90 days in one reply.
    let first = app.ok("timeline", json!({"query": {"credential": "Paged"}}));
    assert_eq!(attempts(&first), (500..1_500).collect::<Vec<_>>());
    let before = json!({"atMs": first[0]["atMs"], "id": first[0]["id"]});
    let second = app.ok(
        "timeline",
        json!({"query": {"credential": "Paged", "limit": 5_000, "before": before}}),
    );
    assert_eq!(attempts(&second), (0..500).collect::<Vec<_>>());
}

#[test]
fn removing_a_credential_in_the_app_revokes_its_tokens_at_the_provider() {
    let app = TestApp::new();
    app.authorize_sandbox();
    let refresh = app
        .state()
        .service
        .store()
        .authorization(
            "Sandbox",
            &callout_core::credential_store::Identity::NamedPrincipal,
        )
        .unwrap()
        .tokens
        .unwrap()
        .refresh_token
        .expect("the browser flow gave a refresh token");
    let refresh_at_the_provider = || {
        reqwest::blocking::Client::new()
            .post(app.sandbox().token_url())
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.expose()),
                ("client_id", app.sandbox().client_id()),
            ])
            .send()
            .unwrap()
            .text()
            .unwrap()
    };

    app.ok("remove_credential", json!({"name": "Sandbox"}));
    let answer = refresh_at_the_provider();
    assert!(answer.contains("invalid_grant"), "{answer}");
    let listed = app.ok("list_credentials", json!({}));
    assert_eq!(listed, json!([]));
}

/// Whether `seen` holds a `credentials-changed` payload in which credential
/// `name` has status `state`.
fn lists_with_state(seen: &Mutex<Vec<Value>>, name: &str, state: &str) -> bool {
    seen.lock().unwrap().iter().any(|views| {
        views.as_array().is_some_and(|views| {
            views
                .iter()
                .any(|view| view["credential"]["name"] == name && view["status"]["state"] == state)
        })
    })
}

#[test]
fn what_another_process_writes_to_the_home_reaches_the_window_unasked() {
    use callout_core::credential_store::{CredentialStore, NewSecrets};
    use callout_core::oauth::TokenService;
    use callout_core::requests::SavedRequest;
    use callout_core::send::Draft;
    use callout_core::timeline::{EventDetail, Timeline};

    let app = TestApp::new();
    let appended = app.record("timeline-appended");
    let changed = app.record("credentials-changed");
    let requests = app.record("collections-changed");
    // Another process's own handles on the app's home, as `callout` opens them.
    let home = app.state().home.clone();
    let limit = Duration::from_secs(15);

    // `callout send` records its request: that credential's timeline grew.
    Timeline::for_home(&home)
        .unwrap()
        .append(
            "Elsewhere",
            &EventDetail::Retry { attempt: 2 },
            std::time::SystemTime::now(),
        )
        .unwrap();
    wait_until("the timeline of Elsewhere is told", limit, || {
        appended
            .lock()
            .unwrap()
            .contains(&json!({"credential": "Elsewhere"}))
    });
    // Told in the same look: a retry changes no token, so no credential changed.
    assert!(changed.lock().unwrap().is_empty(), "{:?}", changed.lock());

    // `callout credential add`: the new credential is in the list the UI
    // and the tray are given.
    let store = CredentialStore::new(home.clone());
    let credential: callout_core::credential::Credential =
        serde_json::from_value(sandbox_definition(&app, "Elsewhere", "namedPrincipal")).unwrap();
    let secrets = NewSecrets {
        client_secret: Some(callout_core::Secret::new(app.sandbox().client_secret())),
        private_key: None,
        client_key: None,
    };
    store
        .add_with_secrets(credential.clone(), &secrets)
        .unwrap();
    wait_until("the added credential is told", limit, || {
        lists_with_state(&changed, "Elsewhere", "notAuthorized")
    });

    // `callout authorize Elsewhere`: only the keychain and the timeline
    // change, and the status the window shows follows.
    let service = TokenService::for_home(&home).unwrap();
    tauri::async_runtime::block_on(service.authorize_client_credentials(&credential, None))
        .unwrap();
    wait_until("the authorized credential is told", limit, || {
        lists_with_state(&changed, "Elsewhere", "valid")
    });

    // An editor or a `git pull` adds a request file to an open collection.
    assert!(requests.lock().unwrap().is_empty());
    let root = app.ok("list_collections", json!({}))[0]["root"]
        .as_str()
        .unwrap()
        .to_string();
    callout_core::collection::save_new_request(
        std::path::Path::new(&root),
        "from-a-terminal.toml",
        &SavedRequest::from_draft(
            "",
            "From a terminal",
            Draft::new("GET", "callout:Elsewhere/accounts"),
        ),
        1,
    )
    .unwrap();
    wait_until("the collection's change is told", limit, || {
        !requests.lock().unwrap().is_empty()
    });
    let listed = app.ok("list_collections", json!({}));
    assert_eq!(listed[0]["items"][0]["name"], "From a terminal", "{listed}");
}

#[test]
fn salesforces_postman_collection_imports_with_its_environment_and_runs_bound_in_the_window() {
    let app = TestApp::new();
    app.authorize_sandbox();
    let fixtures = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/core/tests/fixtures/postman"
    );
    let read = |name: &str| std::fs::read_to_string(format!("{fixtures}/{name}")).unwrap();
    let imported = app.ok(
        "import_postman_collection",
        json!({"json": read("salesforce_apis.postman_collection.json"),
               "environments": [read("salesforce_org.postman_environment.json")]}),
    );
    assert_eq!(imported["environments"], json!(["My Org"]), "{imported}");
    let notes = imported["notes"].to_string();
    assert!(notes.contains("{{_accessToken}}"), "{notes}");
    let collection = &imported["collection"];
    assert_eq!(collection["environments"], json!(["My Org"]));
    let root = collection["root"].as_str().unwrap().to_string();

    // The import names what to bind; bound to the Sandbox credential, the
    // collection sends with the environment that keeps the binding.
    assert_eq!(imported["tokenVariables"], json!(["_accessToken"]));
    assert_eq!(imported["endpointVariables"], json!(["_endpoint"]));
    let unknown = app
        .invoke(
            "bind_variables",
            json!({"root": root, "environment": "Nope", "credential": "Nope",
                   "tokens": imported["tokenVariables"], "endpoints": imported["endpointVariables"]}),
        )
        .unwrap_err();
    assert!(
        unknown["message"].as_str().unwrap().contains("Nope"),
        "{unknown}"
    );
    app.ok(
        "bind_variables",
        json!({"root": root, "environment": "Sandbox", "credential": "Sandbox",
               "tokens": imported["tokenVariables"], "endpoints": imported["endpointVariables"]}),
    );
    let bound =
        std::fs::read_to_string(std::path::Path::new(&root).join("environments/Sandbox.toml"))
            .unwrap();
    assert!(
        bound.contains("_accessToken = \"{!$Credential.OAuthToken}\""),
        "{bound}"
    );
    assert_eq!(
        app.ok("list_collections", json!({}))
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["root"] == root.as_str())
            .unwrap()["environment"],
        "Sandbox"
    );
    let send = |path: &str| {
        let file = app.ok("read_saved", json!({"root": root, "path": path}));
        let request = &file["request"];
        let draft = json!({"method": request["method"], "url": request["url"],
                           "headers": request["headers"], "body": request["body"]});
        app.ok(
            "send_saved",
            json!({"root": root, "path": path, "draft": draft}),
        )
    };
    let rest = send("REST/query.toml");
    assert_eq!(rest["response"]["status"], 200, "{rest}");

    // The session dies at the provider: the SOAP fault is recognised,
    // refreshed and retried.
    let raw = app.ok("reveal_token", json!({"name": "Sandbox"}));
    assert!(app.sandbox().expire_access_token(raw.as_str().unwrap()));
    let soap = send("SOAP/Partner/query.toml");
    let steps: Vec<&str> = soap["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|attempt| attempt["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["sent", "refreshed", "sent"], "{soap}");
    assert_eq!(soap["response"]["status"], 200);
    let stats = app.sandbox().stats();
    assert_eq!(stats.api_count("salesforce_soap", "invalid_session"), 1);

    let name = collection["name"].as_str().unwrap();
    let kept = app.ok(
        "history",
        json!({"request": format!("{name}/SOAP/Partner/Query"), "limit": 5}),
    );
    assert_eq!(kept.as_array().unwrap().len(), 1, "{kept}");
    assert_eq!(kept[0]["environment"], "Sandbox");
}

#[test]
fn a_secret_variable_is_masked_in_the_preview_and_sent_from_the_keychain_never_kept() {
    use callout_core::collection::{self, Collection};
    // `sandbox-user:sandbox-password` in base64: the sandbox's Basic login.
    const LOGIN: &str = "c2FuZGJveC11c2VyOnNhbmRib3gtcGFzc3dvcmQ=";
    let app = TestApp::new();
    let dir = tempfile::tempdir().unwrap();
    let created = app.ok(
        "new_collection",
        json!({"root": dir.path().join("api").display().to_string(), "name": "Api"}),
    );
    let root = created["root"].as_str().unwrap().to_string();
    // As `callout env set login --secret --env Dev` keeps it.
    let collection = Collection::open(std::path::Path::new(&root)).unwrap();
    let vault = app.state().inner().service.store().home().vault();
    collection
        .set_secret(
            &vault,
            Some("Dev"),
            "login",
            &callout_core::Secret::new(LOGIN),
        )
        .unwrap();
    let base = format!("base={}", app.sandbox().base_url());
    let (name, value) = base.split_once('=').unwrap();
    collection::set_variable(
        &collection.environment_file("Dev").unwrap(),
        name,
        Some(value),
    )
    .unwrap();
    let mut request = saved_request("Echo", "{{base}}/basic/echo");
    request["method"] = json!("POST");
    request["headers"] = json!([
        {"name": "Authorization", "value": "Basic {{login}}"},
        {"name": "X-Trace", "value": "{{login}}"},
    ]);
    request["body"] = json!("login={{login}}");
    request["bodyKind"] = json!("text");
    let file = app.ok(
        "new_saved",
        json!({"root": root, "folder": "", "request": request}),
    );
    app.ok(
        "set_environment",
        json!({"root": root, "environment": "Dev"}),
    );
    let draft = json!({"method": "POST", "url": request["url"], "headers": request["headers"],
                       "body": request["body"]});
    let args = json!({"root": root, "path": file["path"], "draft": draft});

    let preview = app.ok("preview_saved", args.clone());
    assert_eq!(preview["preview"]["error"], Value::Null, "{preview}");
    let login = preview["variables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|variable| variable["name"] == "login")
        .unwrap_or_else(|| panic!("{preview}"));
    assert_eq!(
        login,
        &json!({"name": "login", "scope": "environment Dev", "value": "[secret login]",
                "secret": true})
    );
    let shown = &preview["preview"]["request"];
    assert_eq!(shown["headers"][1]["value"], "[secret login]", "{shown}");
    assert_eq!(shown["body"], "login=[secret login]", "{shown}");
    assert!(!preview.to_string().contains(LOGIN), "{preview}");

    let report = app.ok("send_saved", args);
    assert_eq!(
        report["response"]["status"], 200,
        "the secret let it in: {report}"
    );
    assert_eq!(app.sandbox().stats().api_count("basic", "ok"), 1);
    assert_eq!(report["request"]["headers"][1]["value"], "[secret login]");
    assert!(!report.to_string().contains(LOGIN), "{report}");
    let history = app.ok("history", json!({"request": "Api/Echo", "limit": 10}));
    let kept = app.ok("history_entry", json!({"id": history[0]["id"]}));
    assert_eq!(kept["report"]["request"]["body"], "login=[secret login]");
    for file in std::fs::read_dir(app.state().inner().service.store().home().data_dir()).unwrap() {
        let path = file.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes
                    .windows(LOGIN.len())
                    .any(|window| window == LOGIN.as_bytes()),
                "{} holds the secret",
                path.display()
            );
        }
    }
    assert!(
        collection
            .unset_secret(&vault, Some("Dev"), "login")
            .unwrap()
    );
}

/// Writes `text` to `path`, making its directories.
fn write_file(path: &std::path::Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A collection "Acme" in a temp dir, opened in the app and sent with the
/// environment "Sandbox": a folder "Accounts" of three requests to the
/// sandbox, the last with an assertion that fails (it expects 201), and a
/// request outside the folder.
fn acme_with_accounts(app: &TestApp, dir: &std::path::Path) -> String {
    let root = dir.join("acme");
    write_file(&root.join("collection.toml"), "name = \"Acme\"\n");
    write_file(
        &root.join("environments/Sandbox.toml"),
        "[variables]\nendpoint = \"callout:Sandbox\"\n",
    );
    let request = |name: &str, path: &str, asserts: &str| {
        format!(
            "name = \"{name}\"\nmethod = \"GET\"\nurl = \"{{{{endpoint}}}}/rfc6750/{path}\"\n\n{asserts}"
        )
    };
    write_file(
        &root.join("Accounts/1-list.toml"),
        &request(
            "List accounts",
            "accounts",
            "[[assert]]\nstatus = 200\n\n[[assert]]\njson = \"$.count\"\nexists = true\n",
        ),
    );
    write_file(
        &root.join("Accounts/2-one.toml"),
        &request(
            "One account",
            "accounts/1",
            "[[assert]]\nheader = \"Content-Type\"\ncontains = \"json\"\n",
        ),
    );
    write_file(
        &root.join("Accounts/3-create.toml"),
        &request(
            "Expects created",
            "accounts/2",
            "[[assert]]\nstatus = 201\n",
        ),
    );
    write_file(
        &root.join("outside.toml"),
        &request("Outside", "outside", "[[assert]]\nstatus = 200\n"),
    );
    let opened = app.ok(
        "open_collection",
        json!({"root": root.display().to_string()}),
    );
    let root = opened["root"].as_str().unwrap().to_string();
    app.ok(
        "set_environment",
        json!({"root": root, "environment": "Sandbox"}),
    );
    root
}

/// The `run-finished` event of run `id`, once it came.
fn finished_run(seen: &Mutex<Vec<Value>>, id: &Value) -> Value {
    wait_until("the run finishes", Duration::from_secs(60), || {
        seen.lock().unwrap().iter().any(|event| &event["id"] == id)
    });
    seen.lock()
        .unwrap()
        .iter()
        .find(|event| &event["id"] == id)
        .cloned()
        .unwrap()
}

#[test]
fn a_folder_runs_in_the_background_step_by_step_and_its_failures_run_again() {
    let app = TestApp::new();
    app.authorize_sandbox();
    let dir = tempfile::tempdir().unwrap();
    let root = acme_with_accounts(&app, dir.path());
    let planned = app.record("run-planned");
    let steps = app.record("run-step");
    let finished = app.record("run-finished");
    let before = app.sandbox().stats().api_count("rfc6750", "ok");

    let id = app.ok(
        "run_collection",
        json!({"root": root, "target": "Accounts", "iterations": null, "parallel": null}),
    );
    let done = finished_run(&finished, &id);

    // Planned first, in the collection's order (by name), only the folder's.
    let plan = planned.lock().unwrap()[0].clone();
    assert_eq!(plan["id"], id);
    assert_eq!(plan["collection"], "Acme");
    assert_eq!(plan["target"], "Accounts");
    assert_eq!(plan["environment"], "Sandbox");
    let names: Vec<&str> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| step["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Accounts/Expects created",
            "Accounts/List accounts",
            "Accounts/One account",
        ]
    );
    // One event per step as it finished, with its assertions' results.
    let heard = steps.lock().unwrap().clone();
    assert_eq!(heard.len(), 3, "{heard:?}");
    let by_index = |index: u64| {
        heard
            .iter()
            .find(|event| event["result"]["step"]["index"] == index)
            .unwrap_or_else(|| panic!("no step {index} in {heard:?}"))["result"]
            .clone()
    };
    let failed = by_index(0);
    assert_eq!(failed["state"], "failed", "{failed}");
    assert_eq!(failed["status"], 200);
    assert_eq!(failed["assertions"][0]["passed"], false);
    let message = failed["assertions"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("201") && message.contains("200"),
        "{message}"
    );
    assert_eq!(by_index(1)["state"], "passed", "{}", by_index(1));
    assert_eq!(by_index(1)["assertions"].as_array().unwrap().len(), 2);
    assert_eq!(by_index(2)["state"], "passed", "{}", by_index(2));

    // The summary and its totals; the sandbox saw the three sends, no more.
    assert_eq!(
        done["totals"],
        json!({"passed": 2, "failed": 1, "errored": 0, "needsReauthorization": 0,
               "skipped": 0, "assertions": 4, "assertionsFailed": 1})
    );
    assert_eq!(done["summary"]["stopped"], false);
    assert_eq!(done["summary"]["results"].as_array().unwrap().len(), 3);
    assert_eq!(app.sandbox().stats().api_count("rfc6750", "ok") - before, 3);

    // A step's whole send opens: the request as sent, the response.
    let report = app.ok("run_step_report", json!({"id": id, "index": 0}));
    assert_eq!(report["response"]["status"], 200, "{report}");
    assert!(
        report["request"]["url"]
            .as_str()
            .unwrap()
            .ends_with("/rfc6750/accounts/2"),
        "{report}"
    );
    let refused = app
        .invoke("run_step_report", json!({"id": id, "index": 7}))
        .unwrap_err();
    assert!(
        refused["message"].as_str().unwrap().contains("step 8"),
        "{refused}"
    );

    // Re-run failures: a new run of the one request that failed.
    let again = app.ok("rerun_failures", json!({"id": id}));
    assert_ne!(again, id);
    let done = finished_run(&finished, &again);
    let plan = planned.lock().unwrap().last().cloned().unwrap();
    assert_eq!(plan["id"], again);
    assert_eq!(plan["steps"].as_array().unwrap().len(), 1, "{plan}");
    assert_eq!(plan["steps"][0]["path"], "Accounts/3-create.toml");
    assert_eq!(done["totals"]["failed"], 1);
    // The first run's results gave way to the new run's.
    let gone = app
        .invoke("run_step_report", json!({"id": id, "index": 0}))
        .unwrap_err();
    assert!(
        gone["message"].as_str().unwrap().contains("no longer kept"),
        "{gone}"
    );
}

#[test]
fn one_run_at_a_time_and_stop_skips_the_steps_not_started() {
    let app = TestApp::new();
    app.authorize_sandbox();
    let dir = tempfile::tempdir().unwrap();
    let root = acme_with_accounts(&app, dir.path());
    let finished = app.record("run-finished");
    let steps = app.record("run-step");

    // Many iterations one at a time: the run is still going on below.
    let id = app.ok(
        "run_collection",
        json!({"root": root, "target": "", "iterations": 300, "parallel": 1}),
    );
    let refused = app
        .invoke(
            "run_collection",
            json!({"root": root, "target": "Accounts", "iterations": null, "parallel": null}),
        )
        .unwrap_err();
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("still going on"),
        "{refused}"
    );
    wait_until("a few steps ran", Duration::from_secs(30), || {
        steps.lock().unwrap().len() >= 2
    });
    assert_eq!(app.ok("stop_run", json!({"id": id})), true);
    let done = finished_run(&finished, &id);
    assert_eq!(done["summary"]["stopped"], true);
    let totals = &done["totals"];
    assert!(totals["skipped"].as_u64().unwrap() > 0, "{totals}");
    assert_eq!(
        done["summary"]["results"].as_array().unwrap().len(),
        300 * 4,
        "every step has a result, skipped or not"
    );
    // Over: stopping again says so, and a new run may start.
    assert_eq!(app.ok("stop_run", json!({"id": id})), false);
    let next = app.ok(
        "run_collection",
        json!({"root": root, "target": "outside.toml", "iterations": null, "parallel": null}),
    );
    assert_eq!(finished_run(&finished, &next)["totals"]["passed"], 1);
}

#[test]
fn an_unknown_target_is_refused_and_starts_nothing() {
    let app = TestApp::new();
    let dir = tempfile::tempdir().unwrap();
    let root = acme_with_accounts(&app, dir.path());
    let error = app
        .invoke(
            "run_collection",
            json!({"root": root, "target": "Nowhere", "iterations": null, "parallel": null}),
        )
        .unwrap_err();
    assert!(
        error["message"].as_str().unwrap().contains("Nowhere"),
        "{error}"
    );
    // Nothing is left running.
    let id = app.ok(
        "run_collection",
        json!({"root": root, "target": "outside.toml", "iterations": null, "parallel": null}),
    );
    assert!(id.as_u64().is_some());
}

#[test]
fn a_saved_requests_send_from_the_editor_evaluates_its_assertions_and_problems_are_named() {
    let app = TestApp::new();
    app.authorize_sandbox();
    let dir = tempfile::tempdir().unwrap();
    let root = acme_with_accounts(&app, dir.path());
    let draft = json!({"method": "GET", "url": "{{endpoint}}/rfc6750/accounts/2",
                       "headers": [], "body": null});
    // The file's assertions.
    let sent = app.ok(
        "send_saved",
        json!({"root": root, "path": "Accounts/3-create.toml", "draft": draft, "assertions": null}),
    );
    assert_eq!(sent["response"]["status"], 200, "{sent}");
    assert_eq!(sent["assertions"].as_array().unwrap().len(), 1, "{sent}");
    assert_eq!(sent["assertions"][0]["passed"], false, "{sent}");
    // The assertions as edited, not saved yet.
    let edited = json!([
        {"subject": "status", "path": "", "check": "equals", "value": "2xx"},
        {"subject": "json", "path": "$.ok", "check": "equals", "value": "true"},
    ]);
    let sent = app.ok(
        "send_saved",
        json!({"root": root, "path": "Accounts/3-create.toml", "draft": draft, "assertions": edited}),
    );
    let passed: Vec<&Value> = sent["assertions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| &result["passed"])
        .collect();
    assert_eq!(passed, [&json!(true), &json!(true)], "{sent}");

    let problems = app.ok(
        "assertion_problems",
        json!({
            "assertions": [
                {"subject": "status", "path": "", "check": "equals", "value": "200"},
                {"subject": "json", "path": "", "check": "equals", "value": "x"},
                {"subject": "time", "path": "", "check": "contains", "value": "5"},
            ],
            "extract": [
                {"variable": "id", "from": "json", "path": "$.id"},
                {"variable": "1bad", "from": "header", "path": "X"},
            ],
        }),
    );
    assert_eq!(problems["assertions"][0], Value::Null);
    assert!(
        problems["assertions"][1]
            .as_str()
            .unwrap()
            .contains("JSONPath"),
        "{problems}"
    );
    assert!(
        problems["assertions"][2]
            .as_str()
            .unwrap()
            .contains("cannot check"),
        "{problems}"
    );
    assert_eq!(problems["extract"][0], Value::Null);
    assert!(
        problems["extract"][1]
            .as_str()
            .unwrap()
            .contains("cannot name a variable"),
        "{problems}"
    );
}

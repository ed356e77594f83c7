//! The shell's commands through Tauri's IPC on the mock runtime: the same
//! registration the app uses, no window system needed.

#![allow(clippy::expect_used, clippy::unwrap_used)] // test code: fail loudly

use callout_lab::{MAIN_WINDOW, configure};
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

fn app_with_window() -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = configure(mock_builder())
        .build(mock_context(noop_assets()))
        .expect("build the app on the mock runtime");
    let window = WebviewWindowBuilder::new(&app, MAIN_WINDOW, Default::default())
        .build()
        .expect("open the main window");
    (app, window)
}

fn invoke(window: &WebviewWindow<MockRuntime>, command: &str) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: command.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::default(),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("a JSON answer"))
}

#[test]
fn app_info_names_the_product_version_and_keychain() {
    let (_app, window) = app_with_window();
    let info = invoke(&window, "app_info").expect("app_info answers");
    assert_eq!(info["product"], "Callout Lab");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["keychainBackend"], "Secret Service");
}

#[test]
fn check_keychain_round_trips_through_the_real_keychain() {
    let (_app, window) = app_with_window();
    let check = invoke(&window, "check_keychain").expect("check_keychain answers");
    assert_eq!(check["available"], true, "keychain check failed: {check}");
    assert_eq!(check["error"], Value::Null);
}

#[test]
fn an_unknown_command_is_refused() {
    let (_app, window) = app_with_window();
    let error = invoke(&window, "drop_all_tokens").expect_err("no such command");
    assert!(error.to_string().contains("drop_all_tokens"), "{error}");
}

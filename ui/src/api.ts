// The only door to the desktop shell: typed wrappers over its commands.
// The types come from Rust (ts-rs), generated into ./bindings by `cargo test`.
import { invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "./bindings/AppInfo";
import type { KeychainCheck } from "./bindings/KeychainCheck";

export const appInfo = (): Promise<AppInfo> => invoke<AppInfo>("app_info");

export const checkKeychain = (): Promise<KeychainCheck> => invoke<KeychainCheck>("check_keychain");

// The only door to the desktop shell's commands. Their names, arguments and
// results come from Rust: ./bindings/commands.ts is generated from the command
// list (src-tauri/src/commands/mod.rs) by `cargo test`, so a command or argument
// renamed there fails the type check here. Shell events are in ./shellEvents.
import { invoke } from "@tauri-apps/api/core";
import type { CommandName, Commands } from "./bindings/commands";
import type { Credential } from "./bindings/Credential";
import type { Draft } from "./bindings/Draft";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { Login } from "./bindings/Login";
import type { SavedRequest, Settings, TimelineQuery } from "./pending-types";

/** Runs command `name` with `args` (camelCase, as Tauri reads them); rejects with an `ErrorReport`. */
export function call<K extends CommandName>(name: K, args: Commands[K]["args"]): Promise<Commands[K]["result"]> {
  return invoke<Commands[K]["result"]>(name, args);
}

export const appInfo = () => call("app_info", {});
export const checkKeychain = () => call("check_keychain", {});
export const sandboxInfo = () => call("sandbox_info", {});

export const listCredentials = () => call("list_credentials", {});
export const validateCredential = (credential: Credential, clientSecretGiven: boolean, previousName: string | null, clientKeyGiven = false) =>
  call("validate_credential", { credential, clientSecretGiven, previousName, clientKeyGiven });
/** `clientKey`: the PEM private key of `credential.clientCertificate`, for the keychain; null keeps the stored one. */
export const saveCredential = (credential: Credential, clientSecret: string | null, previousName: string | null, clientKey: string | null = null) =>
  call("save_credential", { credential, clientSecret, previousName, clientKey });
export const removeCredential = (name: string) => call("remove_credential", { name });
export const repairCredential = (name: string) => call("repair_credential", { name });
export const discover = (issuer: string) => call("discover", { issuer });
export const salesforceCredential = (credential: Credential, org: string) => call("salesforce_credential", { credential, org });
export const authorize = (name: string, login: Login | null = null) => call("authorize", { name, login });
export const cancelAuthorize = (name: string) => call("cancel_authorize", { name });
export const token = (name: string) => call("token", { name });
export const revealToken = (name: string) => call("reveal_token", { name });
export const copyToken = (name: string) => call("copy_token", { name });
export const refreshNow = (name: string) => call("refresh_now", { name });

export const listRequests = () => call("list_requests", {});
export const saveRequest = (request: SavedRequest) => call("save_request", { request });
export const deleteRequest = (id: string) => call("delete_request", { id });
export const previewRequest = (draft: Draft) => call("preview_request", { draft });
export const sendRequest = (draft: Draft) => call("send_request", { draft });
export const importCurl = (command: string) => call("import_curl", { command });
export const importPostman = (json: string) => call("import_postman", { json });
export const exportRequest = (draft: Draft, format: ExportFormat) => call("export_request", { draft, format });

/** One page (at most 1000 events) of what `query` selects; see logic/timelinePages. */
export const timeline = (query: TimelineQuery) => call("timeline", { query });
export const timelineTrouble = () => call("timeline_trouble", {});
/** Where the unusable timeline file went; null when it was sound again. */
export const moveTimelineAside = () => call("move_timeline_aside", {});
export const exportTimeline = (query: TimelineQuery) => call("export_timeline", { query });

export const getSettings = () => call("get_settings", {});
export const saveSettings = (settings: Settings) => call("save_settings", { settings });

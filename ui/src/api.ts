// The only door to the desktop shell's commands. Their names, arguments and
// results come from Rust: ./bindings/commands.ts is generated from the command
// list (src-tauri/src/commands/mod.rs) by `cargo test`, so a command or argument
// renamed there fails the type check here. Shell events are in ./shellEvents.
import { invoke } from "@tauri-apps/api/core";
import type { CommandName, Commands } from "./bindings/commands";
import type { Assertion } from "./bindings/Assertion";
import type { Credential } from "./bindings/Credential";
import type { Draft } from "./bindings/Draft";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { Extraction } from "./bindings/Extraction";
import type { ImportInput } from "./bindings/ImportInput";
import type { ImportKind } from "./bindings/ImportKind";
import type { Deleted } from "./bindings/Deleted";
import type { Login } from "./bindings/Login";
import type { ResponseToCheck } from "./bindings/ResponseToCheck";
import type { UiSession } from "./bindings/UiSession";
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
/** Writes credential `name` as Salesforce metadata (SFDX source layout) into the project folder `out`. */
export const exportCredentialMetadata = (name: string, out: string) => call("export_credential_metadata", { name, out });
export const authorize = (name: string, login: Login | null = null) => call("authorize", { name, login });
export const cancelAuthorize = (name: string) => call("cancel_authorize", { name });
export const token = (name: string) => call("token", { name });
export const revealToken = (name: string) => call("reveal_token", { name });
export const copyToken = (name: string) => call("copy_token", { name });
export const refreshNow = (name: string) => call("refresh_now", { name });

export const listTemplates = () => call("list_templates", {});
export const previewRequest = (draft: Draft) => call("preview_request", { draft });
export const sendRequest = (draft: Draft) => call("send_request", { draft });
export const importCurl = (command: string) => call("import_curl", { command });

/** Collections: `root` (the collection's directory) and `path` (below it) name a request or folder. */
export const listCollections = () => call("list_collections", {});
export const openCollection = (root: string) => call("open_collection", { root });
export const newCollection = (root: string | null, name: string) => call("new_collection", { root, name });
export const closeCollection = (root: string) => call("close_collection", { root });
export const setEnvironment = (root: string, environment: string | null) => call("set_environment", { root, environment });
export const readSaved = (root: string, path: string) => call("read_saved", { root, path });
/** Refused (kind "changedOnDisk") when the file no longer holds what `stamp` says. */
export const saveSaved = (root: string, path: string, request: SavedRequest, stamp: string) => call("save_saved", { root, path, request, stamp });
export const newSaved = (root: string, folder: string, request: SavedRequest) => call("new_saved", { root, folder, request });
export const newFolder = (root: string, parent: string, name: string) => call("new_folder", { root, parent, name });
export const renameItem = (root: string, path: string, name: string) => call("rename_item", { root, path, name });
export const moveItem = (root: string, path: string, folder: string) => call("move_item", { root, path, folder });
export const duplicateItem = (root: string, path: string) => call("duplicate_item", { root, path });
export const deleteItem = (root: string, path: string) => call("delete_item", { root, path });
export const restoreItem = (deleted: Deleted) => call("restore_item", { deleted });
export const previewSaved = (root: string, path: string, draft: Draft) => call("preview_saved", { root, path, draft });
/** Sends and evaluates `assertions` (as edited; null: the file's) on the outcome. */
export const sendSaved = (root: string, path: string, draft: Draft, assertions: Assertion[] | null = null) => call("send_saved", { root, path, draft, assertions });
export const importPostmanCollection = (json: string, environments: string[]) => call("import_postman_collection", { json, environments });
/** Imports `input` as `kind` into a new collection (opened) with its credential drafts; `dryRun` only reports what it would make. */
export const importWork = (kind: ImportKind, input: ImportInput, dryRun: boolean) => call("import_work", { kind, input, dryRun });
/** Binds token variables to `{!$Credential.OAuthToken}` and endpoint variables to `callout:CREDENTIAL` in `environment`, and sends with it. */
export const bindVariables = (root: string, environment: string, credential: string, tokens: string[], endpoints: string[]) =>
  call("bind_variables", { root, environment, credential, tokens, endpoints });

/**
 * Runs `target` of the collection at `root` ("" all of it, a folder's or a request's path) in the
 * background; its id. Progress comes as `run-planned`, `run-step` and `run-finished` events.
 */
export const runCollection = (root: string, target: string, iterations: number | null = null, parallel: number | null = null) =>
  call("run_collection", { root, target, iterations, parallel });
/** False when the run is over already. */
export const stopRun = (id: number) => call("stop_run", { id });
/** The whole send of step `index` of run `id` (the last run). */
export const runStepReport = (id: number, index: number) => call("run_step_report", { id, index });
/** A new run of the requests of run `id` that did not pass; its id. */
export const rerunFailures = (id: number) => call("rerun_failures", { id });
/** Core's words for what is wrong with each assertion and extraction (null: nothing). */
export const assertionProblems = (assertions: Assertion[], extract: Extraction[]) => call("assertion_problems", { assertions, extract });

/** The newest kept sends first; of one saved request ("Collection/Folder/Request") when `request` is given. */
export const history = (request: string | null, limit = 100) => call("history", { request, limit });
export const historyEntry = (id: number) => call("history_entry", { id });
/** A unified diff of two kept sends' responses (`-` before, `+` after). */
export const historyDiff = (before: number, after: number) => call("history_diff", { before, after });
export const sendAgain = (id: number) => call("send_again", { id });
/** An Apex HttpCalloutMock answering with the responses of the kept sends `ids`, in turn (every attempt, or each send's final one). */
export const apexMock = (ids: number[], className: string, finalOnly: boolean) => call("apex_mock", { ids, className, finalOnly });
export const exportRequest = (draft: Draft, format: ExportFormat) => call("export_request", { draft, format });

/** One page (at most 1000 events) of what `query` selects; see logic/timelinePages. */
export const timeline = (query: TimelineQuery) => call("timeline", { query });
export const timelineTrouble = () => call("timeline_trouble", {});
/** Where the unusable timeline file went; null when it was sound again. */
export const moveTimelineAside = () => call("move_timeline_aside", {});
export const exportTimeline = (query: TimelineQuery) => call("export_timeline", { query });

/** Every expiry rule: yours first (tried first), then the built-in catalog's. */
export const listRules = () => call("list_rules", {});
/**
 * Checks a rule file as it is written: why it does not read, its examples' results, and (given a
 * response: its status, headers and body, from a URL that may be a `callout:` URL) which of its
 * rules matches it and the verdict.
 */
export const checkRuleFile = (text: string, response: ResponseToCheck | null = null) => call("check_rule_file", { text, response });
/** Adds a rule file to your rules as `name`: refused when it does not read, an example fails, or an id is taken. */
export const addRuleFile = (text: string, name: string) => call("add_rule_file", { text, name });
export const removeRuleFile = (name: string) => call("remove_rule_file", { name });
/** The rule kept send `send` needed: its response means the token `expired`, or is no expiry (`fix` says what will fix it). */
export const proposeRule = (send: number, expired: boolean, fix: string | null = null, service: string | null = null) => call("propose_rule", { send, expired, fix, service });
/** Saves a proposed rule file (as proposed, or edited) among your rules as `name`. */
export const saveProposedRule = (text: string, name: string) => call("save_proposed_rule", { text, name });

export const getSettings = () => call("get_settings", {});
export const saveSettings = (settings: Settings) => call("save_settings", { settings });

/** Keeps where the window is (view, selection, open draft, scroll) in the shell's memory, for a window built after this one closes. */
export const rememberUiSession = (session: UiSession) => call("remember_ui_session", { session });
/** Where the last window was, if one said so since the app started. */
export const uiSession = () => call("ui_session", {});

// The only door to the desktop shell: typed wrappers over its commands and events.
// The types come from Rust (ts-rs), generated into ./bindings by `cargo test`;
// those not generated yet are in ./pending-types.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AppInfo } from "./bindings/AppInfo";
import type { ClipboardChecked } from "./bindings/ClipboardChecked";
import type { CollectionImport } from "./bindings/CollectionImport";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { ImportedRequest } from "./bindings/ImportedRequest";
import type { Credential } from "./bindings/Credential";
import type { Draft } from "./bindings/Draft";
import type { Event } from "./bindings/Event";
import type { KeeperDecision } from "./bindings/KeeperDecision";
import type { KeychainCheck } from "./bindings/KeychainCheck";
import type { TimelineTrouble } from "./bindings/TimelineTrouble";
import type {
  AuthorizeProgress,
  CopyResult,
  CredentialView,
  FieldProblem,
  NavigatePayload,
  Preview,
  ProviderMetadata,
  SandboxInfo,
  SavedRequest,
  SendReport,
  Settings,
  TimelineAppended,
  TimelineQuery,
  TokenView,
} from "./pending-types";

export const appInfo = (): Promise<AppInfo> => invoke<AppInfo>("app_info");
export const checkKeychain = (): Promise<KeychainCheck> => invoke<KeychainCheck>("check_keychain");
export const sandboxInfo = (): Promise<SandboxInfo> => invoke("sandbox_info");

export const listCredentials = (): Promise<CredentialView[]> => invoke("list_credentials");
export const validateCredential = (credential: Credential): Promise<FieldProblem[]> =>
  invoke("validate_credential", { credential });
export const saveCredential = (
  credential: Credential,
  clientSecret: string | null,
  previousName: string | null,
): Promise<CredentialView> => invoke("save_credential", { credential, clientSecret, previousName });
export const removeCredential = (name: string): Promise<null> => invoke("remove_credential", { name });
export const repairCredential = (name: string): Promise<CredentialView> => invoke("repair_credential", { name });
export const discover = (issuer: string): Promise<ProviderMetadata> => invoke("discover", { issuer });
export const authorize = (name: string): Promise<TokenView> => invoke("authorize", { name });
export const cancelAuthorize = (name: string): Promise<null> => invoke("cancel_authorize", { name });
export const token = (name: string): Promise<TokenView | null> => invoke("token", { name });
export const revealToken = (name: string): Promise<string> => invoke("reveal_token", { name });
export const copyToken = (name: string): Promise<CopyResult> => invoke("copy_token", { name });
export const refreshNow = (name: string): Promise<TokenView> => invoke("refresh_now", { name });

export const listRequests = (): Promise<SavedRequest[]> => invoke("list_requests");
export const saveRequest = (request: SavedRequest): Promise<SavedRequest> =>
  invoke("save_request", { request });
export const deleteRequest = (id: string): Promise<null> => invoke("delete_request", { id });
export const previewRequest = (draft: Draft): Promise<Preview> => invoke("preview_request", { draft });
export const sendRequest = (draft: Draft): Promise<SendReport> => invoke("send_request", { draft });
export const importCurl = (command: string): Promise<ImportedRequest> => invoke("import_curl", { command });
export const importPostman = (json: string): Promise<CollectionImport> => invoke("import_postman", { json });
export const exportRequest = (draft: Draft, format: ExportFormat): Promise<string> =>
  invoke("export_request", { draft, format });

/** One page (at most 1000 events) of what `query` selects; see logic/timelinePages. */
export const timeline = (query: TimelineQuery): Promise<Event[]> => invoke("timeline", { query });
export const timelineTrouble = (): Promise<TimelineTrouble | null> => invoke("timeline_trouble");
/** Where the unusable timeline file went; null when it was sound again. */
export const moveTimelineAside = (): Promise<string | null> => invoke("move_timeline_aside");
export const exportTimeline = (query: TimelineQuery): Promise<string> =>
  invoke("export_timeline", { query });

export const getSettings = (): Promise<Settings> => invoke("get_settings");
export const saveSettings = (settings: Settings): Promise<Settings> =>
  invoke("save_settings", { settings });

/** Events the shell emits, by name, with their payloads. */
export interface ShellEvents {
  "credentials-changed": CredentialView[];
  "authorize-progress": AuthorizeProgress;
  "keeper-ran": KeeperDecision[];
  "timeline-appended": TimelineAppended;
  navigate: NavigatePayload;
  "clipboard-checked": ClipboardChecked;
  /** The saved requests changed, by this app or another process. */
  "requests-changed": null;
}

export function on<K extends keyof ShellEvents>(
  name: K,
  handler: (payload: ShellEvents[K]) => void,
): Promise<UnlistenFn> {
  return listen<ShellEvents[K]>(name, (event) => handler(event.payload)).catch(() => () => undefined);
}

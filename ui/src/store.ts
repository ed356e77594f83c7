// App-wide state shared by the views, with change notifications. Holds no secrets:
// a revealed token lives only in the token panel's DOM until the view changes.
import * as api from "./api";
import type { EditorSession } from "./bindings/EditorSession";
import type { UiSession } from "./bindings/UiSession";
import type { CredentialView, SendReport, Settings } from "./pending-types";
import { DEFAULT_SETTINGS } from "./logic/theme";

type Listener = () => void;

export class Signal<T> {
  private listeners = new Set<Listener>();
  constructor(public value: T) {}
  set(value: T): void {
    this.value = value;
    for (const listener of this.listeners) listener();
  }
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const credentials = new Signal<CredentialView[]>([]);
export const credentialsLoaded = new Signal<boolean>(false);
export const settings = new Signal<Settings>(DEFAULT_SETTINGS);
/** The view shown: an id from views/registry.ts. */
export const view = new Signal<string>("credentials");
/** The credential selected in the Credentials view. */
export const selectedCredential = new Signal<string | null>(null);
/** The Salesforce API version of the engine's sample requests (from `app_info`). */
export const salesforceApiVersion = new Signal<string | null>(null);
/** Lets views move to another view: e.g. the guide opening the SOAP sample in the editor. */
export const editorRequests = new Signal<{ openName: string | null; send: boolean }>({ openName: null, send: false });

/** The `{{variables}}` the open request can use (its collection's), for highlighting and completion. */
export const variableNames = new Signal<string[]>([]);

/** The last response the editor got, and the URL as written (a `callout:` URL names its credential): what a rule file being written is checked against. */
export const lastResponse = new Signal<{ report: SendReport; url: string } | null>(null);
/** Bumped when the user's expiry rules change (added, removed, taught). */
export const rulesChanged = new Signal<number>(0);

/**
 * Where the window was when the shell last heard (`ui_session`): read once
 * before the views mount, so a window built again after a close to the tray
 * opens there. Kept in the shell's memory only, never on disk.
 */
export let restoredSession: UiSession | null = null;
export function restoreSession(session: UiSession | null): void {
  restoredSession = session;
}
/** The request open in the editor with its draft as typed, for the shell's session. */
export const openRequest = new Signal<EditorSession | null>(null);

export async function reloadCredentials(): Promise<CredentialView[]> {
  const list = await api.listCredentials();
  credentials.set(list);
  credentialsLoaded.set(true);
  return list;
}

export const credentialNames = (): string[] => credentials.value.map((c) => c.credential.name);
export const findCredential = (name: string | null): CredentialView | undefined =>
  credentials.value.find((c) => c.credential.name === name);

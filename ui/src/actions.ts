// Actions more than one view offers: authorize (with progress), refresh, copy.
import * as api from "./api";
import { applyProgress } from "./logic/authorizeProgress";
import type { AuthorizeProgress, TokenView } from "./pending-types";
import { findCredential, reloadCredentials } from "./store";
import { askLogin } from "./ui/modal";
import type { Login } from "./bindings/Login";
import { toReport, toastText } from "./logic/errors";
import { toast, toastError, type ToastAction } from "./ui/toast";

type Listener = () => void;
const listeners = new Set<Listener>();
/** Authorizations in flight, by credential, with their latest progress. */
export const authorizing = new Map<string, AuthorizeProgress>();

export function onAuthorizing(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
const notify = (): void => listeners.forEach((l) => l());

/** The latest authorization of a credential that failed, with why, until the next one starts or succeeds. */
export const authorizeFailures = new Map<string, string>();

/** Authorizations this window started (it awaits their result itself). */
const startedHere = new Set<string>();

/** An `authorize-progress` event; the tray's "Authorize…" shows its progress here too. */
export function progressFromEvent(progress: AuthorizeProgress): void {
  const update = applyProgress(progress, startedHere.has(progress.credential));
  if (update.show) authorizing.set(progress.credential, update.show);
  else if (!startedHere.has(progress.credential)) authorizing.delete(progress.credential);
  if (!startedHere.has(progress.credential)) {
    if (progress.stage === "failed") authorizeFailures.set(progress.credential, progress.message);
    else if (progress.stage === "opening" || progress.stage === "authorized") authorizeFailures.delete(progress.credential);
  }
  notify();
  // Started from the tray, not from a view: the notice stays whatever view is shown.
  if (update.notice) toast(update.notice.text, update.notice.tone, undefined, { scope: "app" });
  if (update.reload) void reloadCredentials().catch(() => undefined);
}

/**
 * How to ask the user for the login a flow signs in with: the password
 * grant's username and password, a JWT bearer credential's subject; null
 * when the flow needs none (it starts at once). The question resolves null
 * when the user cancels.
 */
function loginQuestion(name: string): (() => Promise<Login | null>) | null {
  const credential = findCredential(name)?.credential;
  if (credential?.protocol === "password") {
    return () =>
      askLogin(
        `Authorize ${name}`,
        "The password grant trades this login for tokens at the token endpoint. Both stay in the OS keychain, to get new tokens when these expire.",
        "Username",
        true,
      );
  }
  if (credential?.protocol === "jwtBearer") {
    return () => askLogin(`Authorize ${name}`, "Who the signed assertion names as its subject (sub).", "Subject (username)", false);
  }
  return null;
}

/** Runs the authorization for `name` (asking for a login first when its flow needs one); resolves with the token, or null when it failed or was cancelled. */
export async function authorizeCredential(name: string): Promise<TokenView | null> {
  if (authorizing.has(name)) return null;
  const question = loginQuestion(name);
  const login = question ? await question() : null;
  if (question && login === null) return null;
  if (authorizing.has(name)) return null;
  startedHere.add(name);
  authorizeFailures.delete(name);
  authorizing.set(name, { credential: name, stage: "opening", message: "Starting the authorization…", url: null });
  notify();
  try {
    const token = await api.authorize(name, login);
    toast(`${name} is authorized.`, "ok");
    return token;
  } catch (error) {
    const last = authorizing.get(name);
    if (last?.stage !== "cancelled") {
      // Kept beside the credential as well: a provider's reason is often too long to catch in a toast.
      authorizeFailures.set(name, toReport(error).message);
      toastError(`Could not authorize ${name}`, error);
    }
    return null;
  } finally {
    startedHere.delete(name);
    authorizing.delete(name);
    notify();
    void reloadCredentials().catch(() => undefined);
  }
}

export async function cancelAuthorization(name: string): Promise<void> {
  const current = authorizing.get(name);
  if (current) {
    authorizing.set(name, { ...current, stage: "cancelled", message: "Cancelling…" });
    notify();
  }
  try {
    await api.cancelAuthorize(name);
  } catch (error) {
    toastError(`Could not cancel authorizing ${name}`, error);
  }
}

/** The toast remedy for an error that needs re-authorization. */
export const reauthorizeRemedy = (name: string): ToastAction => ({
  label: `Re-authorize ${name}`,
  run: () => void authorizeCredential(name),
});

/** Where an action's failure is shown: a toast unless the caller has a place for it. */
export type ShowFailure = (text: string, remedy?: ToastAction) => void;
const inToast: ShowFailure = (text, remedy) => void toast(text, "error", remedy);

/** "Could not …: <message>", with Re-authorize when that is the way out. */
function failure(name: string, action: string, error: unknown, show: ShowFailure): void {
  const kind = (error as { kind?: string })?.kind;
  show(toastText(action, error), kind === "needsReauthorization" ? reauthorizeRemedy(name) : undefined);
}

export async function refreshCredential(name: string, showFailure: ShowFailure = inToast): Promise<TokenView | null> {
  try {
    const token = await api.refreshNow(name);
    toast(`Refreshed ${name}'s token.`, "ok");
    return token;
  } catch (error) {
    failure(name, `Could not refresh ${name}`, error, showFailure);
    return null;
  } finally {
    void reloadCredentials().catch(() => undefined);
  }
}

export async function copyCredentialToken(name: string, showFailure: ShowFailure = inToast): Promise<boolean> {
  try {
    const result = await api.copyToken(name);
    const clear = result.clearAfterSeconds > 0 ? ` It is cleared from the clipboard in ${result.clearAfterSeconds} s.` : "";
    toast(`Copied ${name}'s live token (${result.fingerprint}).${clear}`, "ok");
    return true;
  } catch (error) {
    failure(name, `Could not copy ${name}'s token`, error, showFailure);
    return false;
  }
}

import type { KeychainCheck } from "./bindings/KeychainCheck";

export type Tone = "idle" | "busy" | "ok" | "error";

export interface StatusView {
  tone: Tone;
  text: string;
}

export const checkingView: StatusView = {
  tone: "busy",
  text: "Checking the keychain… (your desktop may ask you to unlock it)",
};

/** What the keychain card shows for a finished check. */
export function keychainView(check: KeychainCheck): StatusView {
  if (check.available) {
    return { tone: "ok", text: check.summary };
  }
  const prefix = check.error?.kind === "keychainUnavailable" ? "Keychain unavailable: " : "Keychain problem: ";
  return { tone: "error", text: prefix + check.summary };
}

/** What the card shows when the shell could not run the check at all. */
export function failureView(error: unknown): StatusView {
  const message = error instanceof Error ? error.message : String(error);
  return { tone: "error", text: `The keychain check could not run: ${message}` };
}

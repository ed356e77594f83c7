// What an `authorize-progress` event does to the authorizations the UI shows,
// and what the progress says while it waits for the browser: the address to
// open by hand and, after a while, what to check ("Still waiting?").
import type { AuthProtocol } from "../bindings/AuthProtocol";
import type { AuthorizeProgress } from "../pending-types";
import type { Timers } from "../ui/timers";

export interface ProgressUpdate {
  /** The progress to show for the credential; null to stop showing any. */
  show: AuthorizeProgress | null;
  /** A notice for an authorization the window did not start itself (the tray's). */
  notice: { text: string; tone: "ok" | "error" } | null;
  /** Whether the credential list should be reloaded. */
  reload: boolean;
}

const isLast = (p: AuthorizeProgress): boolean => p.stage === "authorized" || p.stage === "failed" || p.stage === "cancelled";

/**
 * `startedHere`: the window started this authorization and awaits its result
 * (which reports success or failure itself), so only intermediate stages matter.
 */
export function applyProgress(progress: AuthorizeProgress, startedHere: boolean): ProgressUpdate {
  if (!isLast(progress)) return { show: progress, notice: null, reload: false };
  if (startedHere) {
    // Keep showing "cancelled" until the command returns; authorized/failed end with it.
    return { show: progress.stage === "cancelled" ? progress : null, notice: null, reload: false };
  }
  const name = progress.credential;
  return {
    show: null,
    notice:
      progress.stage === "authorized"
        ? { text: `${name} is authorized.`, tone: "ok" }
        : progress.stage === "failed"
          ? { text: `Could not authorize ${name}: ${progress.message}`, tone: "error" }
          : null,
    reload: true,
  };
}

/** The progress line the UI shows for a stage. */
export function progressHeadline(progress: AuthorizeProgress): string {
  switch (progress.stage) {
    case "waitingForBrowser":
      return "Waiting for the browser…";
    case "exchanging":
      return "Exchanging the code for tokens…";
    case "cancelled":
      return "Cancelling…";
    default:
      return progress.message;
  }
}

/** How long an authorization waits for the browser before the UI asks "Still waiting?". */
export const STILL_WAITING_MS = 10_000;

/** The loopback address the provider must send the browser back to: the sign-in URL's `redirect_uri`. */
export function redirectUriOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).searchParams.get("redirect_uri");
  } catch {
    return null;
  }
}

/** One thing to check, as text with code parts (addresses). */
export type Check = Array<string | { code: string }>;

/**
 * What to check when an authorization has waited a while: for the browser
 * flow, that a browser opened, that its page shows no error, that the
 * provider knows the exact redirect URL, and that Cancel then Authorize
 * again starts over; for the device flow, the page and the code instead.
 */
export function stillWaitingChecks(protocol: AuthProtocol, progress: AuthorizeProgress): Check[] {
  if (protocol === "deviceCode") {
    return [
      ["The device page is open (on this or another device)", progress.url ? [": ", { code: progress.url }] : "", "."].flat(),
      ["The code shown above was entered there and the request approved; the page shows no error."],
      ["Cancel, then Authorize again, starts over with a new code."],
    ];
  }
  const redirect = redirectUriOf(progress.url);
  return [
    ["A browser window or tab opened — perhaps on another desktop, or behind this window. If none did, copy the address above into a browser."],
    ["The sign-in page shows no error (such as an invalid redirect_uri or an unknown client)."],
    redirect
      ? [
          "The redirect (callback) URL registered at the provider is exactly ",
          { code: redirect },
          ` — http, 127.0.0.1 (not localhost), the path ${pathOf(redirect)}. The port changes with each attempt, so the provider must accept any port on 127.0.0.1.`,
        ]
      : ["The redirect (callback) URL registered at the provider is exactly the loopback address in the sign-in URL (its redirect_uri), on 127.0.0.1."],
    ["Cancel, then Authorize again, starts over with a fresh sign-in."],
  ];
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "/";
  }
}

/**
 * Which authorizations have waited for the browser long enough to ask
 * "Still waiting?". `sync` with the authorizations in flight after each
 * change; `onDue` runs when one becomes due (to show the hint). Time comes
 * from `timers`, so tests use a fake clock.
 */
export class WaitWatch {
  private since = new Map<string, { at: number; timer: unknown }>();

  constructor(
    private timers: Timers,
    private onDue: (credential: string) => void,
    private afterMs = STILL_WAITING_MS,
  ) {}

  /** Starts watching authorizations that now wait for the browser, and stops watching the rest. */
  sync(inFlight: ReadonlyMap<string, AuthorizeProgress>): void {
    for (const [name, progress] of inFlight) {
      if (progress.stage !== "waitingForBrowser" || this.since.has(name)) continue;
      const timer = this.timers.setTimeout(() => this.onDue(name), this.afterMs);
      this.since.set(name, { at: this.timers.now(), timer });
    }
    for (const [name, entry] of this.since) {
      if (inFlight.get(name)?.stage === "waitingForBrowser") continue;
      this.timers.clearTimeout(entry.timer);
      this.since.delete(name);
    }
  }

  /** Whether `credential`'s authorization has waited for the browser long enough. */
  due(credential: string): boolean {
    const entry = this.since.get(credential);
    return entry !== undefined && this.timers.now() - entry.at >= this.afterMs;
  }
}

// What an `authorize-progress` event does to the authorizations the UI shows.
import type { AuthorizeProgress } from "../pending-types";

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

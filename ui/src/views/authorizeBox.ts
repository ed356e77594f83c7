// An authorization in progress beside its credential (data-testid="authorize-progress"):
// the stage, the sign-in address with Copy for when no browser opened, Cancel,
// and after a while "Still waiting?" with what to check.
import type { AuthProtocol } from "../bindings/AuthProtocol";
import { progressHeadline, stillWaitingChecks } from "../logic/authorizeProgress";
import type { AuthorizeProgress } from "../pending-types";
import { h } from "../ui/dom";
import { windowTimers, type Timers } from "../ui/timers";

/** How long Copy says "Copied" before it reads Copy again. */
export const COPIED_MS = 2000;

export interface AuthorizeBoxOptions {
  protocol: AuthProtocol;
  /** The authorization has waited for the browser long enough to offer what to check. */
  stillWaiting: boolean;
  cancel(): void;
  timers?: Timers;
}

export function authorizeBox(progress: AuthorizeProgress, options: AuthorizeBoxOptions): HTMLElement {
  const waiting = progress.stage === "waitingForBrowser";
  const cancel = h("button", { type: "button", class: "ghost", testid: "cancel-authorize" }, "Cancel");
  cancel.addEventListener("click", () => options.cancel());
  return h(
    "div",
    { class: `progress-box stage-${progress.stage}`, testid: "authorize-progress", role: "status", "aria-live": "polite" },
    h("span", { class: "spinner", "aria-hidden": "true" }),
    h(
      "div",
      null,
      h("strong", null, progressHeadline(progress)),
      waiting && h("div", { class: "muted small" }, progress.message),
      progress.url && urlLine(progress.url, options.timers ?? windowTimers),
      options.stillWaiting && stillWaiting(options.protocol, progress),
    ),
    cancel,
  );
}

/** "If no browser opened, visit: <url> [Copy]". */
function urlLine(url: string, timers: Timers): HTMLElement {
  const address = h("code", { testid: "authorize-url" }, url);
  const copy = h("button", { type: "button", class: "secondary small", testid: "authorize-url-copy", title: "Copy the sign-in address" }, "Copy");
  let reset: unknown = null;
  const say = (label: string): void => {
    copy.textContent = label;
    if (reset !== null) timers.clearTimeout(reset);
    reset = timers.setTimeout(() => {
      reset = null;
      copy.textContent = "Copy";
    }, COPIED_MS);
  };
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(url);
      say("Copied");
    } catch {
      // No clipboard access: select the address so Ctrl+C copies it.
      const range = document.createRange();
      range.selectNodeContents(address);
      document.getSelection()?.removeAllRanges();
      document.getSelection()?.addRange(range);
      say("Selected: press Ctrl+C");
    }
  });
  return h("div", { class: "muted small url-line" }, "If no browser opened, visit: ", address, " ", copy);
}

function stillWaiting(protocol: AuthProtocol, progress: AuthorizeProgress): HTMLElement {
  return h(
    "div",
    { class: "still-waiting", testid: "authorize-still-waiting" },
    h("strong", null, "Still waiting? "),
    "Check that:",
    h(
      "ul",
      null,
      stillWaitingChecks(protocol, progress).map((check) =>
        h("li", null, check.map((part) => (typeof part === "string" ? part : h("code", null, part.code)))),
      ),
    ),
  );
}

// The first-run guide (data-testid="getting-started"): four steps that tick
// themselves off from the Sandbox credential's real status and timeline.
import * as api from "../api";
import { authorizeCredential, authorizing, cancelAuthorization, onAuthorizing } from "../actions";
import type { Event } from "../bindings/Event";
import { progressHeadline } from "../logic/authorizeProgress";
import { soapExample } from "../logic/examples";
import { guideComplete, guideSteps, type GuideStep } from "../logic/guide";
import type { AuthorizeProgress } from "../pending-types";
import { subscribe } from "../shellEvents";
import * as store from "../store";
import { debounce, h, replace } from "../ui/dom";

const HIDDEN_KEY = "callout-lab.guide.hidden";
const SANDBOX = "Sandbox";
const STARTED_AT = Date.now();

export class Guide {
  readonly element = h("section", { class: "guide", testid: "getting-started", "aria-label": "Getting started", hidden: true });
  private events: Event[] = [];
  private lastKey = "";
  /** Why the step's button could not do its work (the SOAP sample is missing). */
  private problem: string | null = null;
  private reload = debounce(() => void this.load(), 300);

  constructor() {
    store.credentials.subscribe(() => {
      this.reload();
      this.render();
    });
    subscribe("timeline-appended", () => this.reload());
    onAuthorizing(() => this.render(true));
  }

  static dismissed(): boolean {
    return localStorage.getItem(HIDDEN_KEY) === "1";
  }

  static showAgain(): void {
    localStorage.removeItem(HIDDEN_KEY);
  }

  private sandbox() {
    return store.credentials.value.find((c) => c.credential.name === SANDBOX && c.sandbox) ?? store.findCredential(SANDBOX);
  }

  async load(): Promise<void> {
    if (!this.sandbox()) return;
    try {
      // The sandbox starts fresh with each launch: only this session's events count.
      this.events = await api.timeline({ credential: SANDBOX, sinceMs: STARTED_AT - 60_000, untilMs: null, kinds: [], limit: null });
    } catch {
      this.events = [];
    }
    this.render(true);
  }

  /** Whether the guide should show at all (the Sandbox exists and it was not dismissed). */
  available(): boolean {
    return Boolean(this.sandbox()) && !Guide.dismissed();
  }

  tick(): void {
    this.render();
  }

  private render(force = false): void {
    const sandbox = this.sandbox();
    if (!sandbox || Guide.dismissed()) {
      this.element.hidden = true;
      return;
    }
    this.element.hidden = false;
    const steps = guideSteps(sandbox, this.events, Date.now());
    const progress = authorizing.get(SANDBOX);
    const key = JSON.stringify(steps) + (progress ? `${progress.stage}${progress.message}` : "");
    if (!force && key === this.lastKey) return;
    this.lastKey = key;
    const complete = guideComplete(steps);

    const hide = h("button", { type: "button", class: "ghost small", "aria-label": "Hide the guide" }, complete ? "Done — hide" : "Hide");
    hide.addEventListener("click", () => {
      localStorage.setItem(HIDDEN_KEY, "1");
      this.element.hidden = true;
      this.element.dispatchEvent(new CustomEvent("guide-hidden", { bubbles: true }));
    });

    replace(
      this.element,
      h(
        "div",
        { class: "guide-head" },
        h("h2", null, complete ? "You saw it: expiry detected, refreshed, retried" : "Getting started: see a SOAP session expire and recover"),
        h("span", { class: "muted small" }, `${steps.filter((s) => s.done).length} of ${steps.length}`),
        hide,
      ),
      complete && h("p", { class: "guide-summary" }, steps[steps.length - 1].detail),
      h("ol", { class: `guide-steps${complete ? " compact" : ""}` }, steps.map((step, i) => this.step(step, i + 1, progress))),
    );
  }

  /** Opens the SOAP sample request in the editor, and sends it when `send`; says so in the step when it is missing. */
  private async openSoapSample(send: boolean): Promise<void> {
    const requests = await api.listTemplates().catch(() => []);
    const sample = requests.find((r) => r.sample && /soap/i.test(r.name));
    if (!sample) {
      this.problem = `The SOAP sample request is missing; add a request to ${soapExample(store.salesforceApiVersion.value)}.`;
      this.render(true);
      return;
    }
    this.problem = null;
    store.view.set("editor");
    store.editorRequests.set({ openName: sample.name, send });
  }

  private step(step: GuideStep, n: number, progress?: AuthorizeProgress): HTMLElement {
    const stage = progress?.stage;
    let action: HTMLElement | null = null;
    if (step.current && step.id === "authorize") {
      if (stage) {
        const cancel = h("button", { type: "button", class: "ghost small" }, "Cancel");
        cancel.addEventListener("click", () => void cancelAuthorization(SANDBOX));
        // The sign-in address, Copy and what to check are in the Sandbox's detail.
        const noBrowser = stage === "waitingForBrowser" && h("button", { type: "button", class: "ghost small", testid: "guide-no-browser" }, "No browser?");
        if (noBrowser) noBrowser.addEventListener("click", () => showSignInHelp());
        action = h(
          "div",
          { class: "guide-progress" },
          h("span", { class: "spinner small", "aria-hidden": "true" }),
          h("span", null, progress ? progressHeadline(progress) : ""),
          noBrowser,
          cancel,
        );
      } else {
        action = h("button", { type: "button", class: "primary small" }, "Authorize Sandbox");
        action.addEventListener("click", () => void authorizeCredential(SANDBOX));
      }
    } else if (step.current && (step.id === "send" || step.id === "again")) {
      action = h("button", { type: "button", class: "primary small" }, step.id === "send" ? "Open & send the SOAP sample" : "Send again");
      action.addEventListener("click", () => void this.openSoapSample(true));
    }
    const problem = step.current && (step.id === "send" || step.id === "again") && this.problem;
    return h(
      "li",
      { class: `guide-step${step.done ? " done" : ""}${step.current ? " current" : ""}`, "data-step": step.id, "aria-current": step.current ? "step" : undefined },
      h("span", { class: "step-mark", "aria-hidden": "true" }, step.done ? "✓" : String(n)),
      h(
        "div",
        { class: "step-body" },
        h("div", { class: "step-title" }, step.title),
        h("div", { class: "step-detail" }, detailParts(step)),
        action,
        problem && h("div", { class: "field-problem", testid: "guide-problem", role: "alert" }, problem),
      ),
    );
  }
}

/** Shows the Sandbox's authorization progress in the Credentials view, where the sign-in address and its Copy are. */
function showSignInHelp(): void {
  store.view.set("credentials");
  store.selectedCredential.set(SANDBOX);
  const box = document.querySelector<HTMLElement>('[data-testid="authorize-progress"]');
  box?.scrollIntoView({ block: "center", behavior: "smooth" });
  box?.querySelector<HTMLElement>('[data-testid="authorize-url-copy"]')?.focus({ preventScroll: true });
}

/** A step's detail, its countdown kept on one line ("17 s" never splits into "17" and "s"). */
export function detailParts(step: Pick<GuideStep, "detail" | "countdown">): (string | HTMLElement)[] {
  const at = step.countdown ? step.detail.indexOf(step.countdown) : -1;
  if (!step.countdown || at < 0) return [step.detail];
  return [
    step.detail.slice(0, at),
    h("span", { class: "countdown", testid: "guide-countdown" }, step.countdown),
    step.detail.slice(at + step.countdown.length),
  ];
}

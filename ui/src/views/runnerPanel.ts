// The runner: a collection, a folder or a request run in the background by the
// shell (`run_collection`), shown as it goes. A header says what runs, how far
// it is ("12 / 60") with Stop; then the totals (passed, failed, not sent, needing
// re-authorization; assertions failed; each credential's expiries and refreshes)
// and "Re-run failures". One row per step, filled in as its result arrives (✓ ✗ !
// ⟳); a row opens (click, Enter) that step's response and attempts in the usual
// response view, with its assertions' results above. Arrow keys move between rows.
import * as api from "../api";
import type { AssertionResult } from "../bindings/AssertionResult";
import type { RunFinished } from "../bindings/RunFinished";
import type { RunPlanned } from "../bindings/RunPlanned";
import type { RunResult } from "../bindings/RunResult";
import type { RunStep } from "../bindings/RunStep";
import type { RunStepFinished } from "../bindings/RunStepFinished";
import type { RunStepStarted } from "../bindings/RunStepStarted";
import { counted, describeAssertion, stateMark } from "../logic/assertions";
import { toReport } from "../logic/errors";
import { formatMs } from "../logic/format";
import { subscribe, type Subscription } from "../shellEvents";
import { busy, h, replace } from "../ui/dom";
import { ResponsePanel } from "./response";

export interface RunnerOptions {
  /** The runner came into view (a run started, here or by Re-run). */
  shown(): void;
  /** Leaves the runner, back to the editor. */
  close(): void;
  /** Authorizes a credential again (a step that needs it offers this). */
  reauthorize?: (credential: string) => Promise<unknown>;
}

interface Row {
  step: RunStep;
  result: RunResult | null;
  /** Its request is on its way (no result yet). */
  sending?: boolean;
  element: HTMLElement;
}

/** "Acme", "Acme / Accounts": what a run runs. */
export function runLabel(collection: string, target: string): string {
  return target ? `${collection} / ${target.replace(/\.toml$/, "")}` : collection;
}

export class RunnerPanel {
  readonly element = h("section", { class: "runner", testid: "runner", "aria-labelledby": "runner-title", hidden: true });
  private title = h("h2", { id: "runner-title", class: "runner-title", testid: "run-title" });
  private subtitle = h("div", { class: "muted small runner-subtitle" });
  private progressText = h("span", { class: "run-progress", testid: "run-progress" });
  private progressBar = h("progress", { class: "run-bar", max: "1", value: "0", "aria-label": "Steps done" });
  private status = h("div", { class: "sr-only", role: "status", "aria-live": "polite", testid: "run-status" });
  private stopButton = h("button", { type: "button", class: "secondary small", testid: "run-stop" }, "Stop");
  private rerunButton = h("button", { type: "button", class: "primary small", testid: "run-rerun-failures", hidden: true }, "Re-run failures");
  private againButton = h("button", { type: "button", class: "ghost small", testid: "run-again", hidden: true }, "Run again");
  private totalsBox = h("div", { class: "run-totals", testid: "run-totals", hidden: true });
  private problem = h("div", { class: "callout callout-error", role: "alert", testid: "run-problem", hidden: true });
  private list = h("ol", { class: "run-steps", role: "listbox", "aria-label": "Steps of the run", testid: "run-steps" });
  private detail = h("div", { class: "run-detail", testid: "run-detail" });
  private response: ResponsePanel;
  private rows: Row[] = [];
  /** The run shown: its id once known, what it runs. */
  private runId: number | null = null;
  private starting = false;
  private running = false;
  private root = "";
  private target = "";
  private opened: number | null = null;
  private subscriptions: Subscription[] = [];

  constructor(private readonly options: RunnerOptions) {
    this.response = new ResponsePanel({ reauthorize: options.reauthorize });
    const close = h("button", { type: "button", class: "ghost small", testid: "run-close", title: "Back to the request editor (the run goes on)" }, "Back to the editor");
    close.addEventListener("click", () => this.hide());
    this.stopButton.addEventListener("click", () => void this.stop());
    this.rerunButton.addEventListener("click", () => void busy(this.rerunButton, "Starting…", () => this.rerunFailures()));
    this.againButton.addEventListener("click", () => void this.start(this.root, this.target));
    this.list.addEventListener("keydown", (event) => this.keys(event));
    this.element.append(
      h(
        "div",
        { class: "runner-head" },
        h("div", { class: "runner-heading" }, this.title, this.subtitle),
        h("div", { class: "spacer" }),
        close,
      ),
      h("div", { class: "runner-actions" }, h("div", { class: "runner-progress" }, this.progressText, this.progressBar), this.stopButton, this.rerunButton, this.againButton),
      this.status,
      this.problem,
      this.totalsBox,
      h("div", { class: "runner-body" }, h("div", { class: "run-steps-box" }, this.list), this.detail),
    );
    this.showDetailHint();
    this.subscriptions = [
      subscribe("run-planned", (planned) => this.planned(planned)),
      subscribe("run-step-started", (started) => this.started(started)),
      subscribe("run-step", (step) => this.step(step)),
      subscribe("run-finished", (finished) => this.finished(finished)),
    ];
  }

  /** Resolves once the shell delivers the run's events here. */
  get ready(): Promise<void> {
    return Promise.all(this.subscriptions.map((s) => s.ready)).then(() => undefined);
  }

  /** Stops listening (the view is gone). */
  dispose(): void {
    for (const stop of this.subscriptions) stop();
    this.subscriptions = [];
  }

  /** Whether a run shown here goes on. */
  get busy(): boolean {
    return this.running || this.starting;
  }

  /** Starts running `target` ("" all, a folder or a request path) of the collection at `root`, and shows it. */
  async start(root: string, target: string, label = runLabel(root.split("/").pop() ?? root, target)): Promise<void> {
    this.show();
    this.root = root;
    this.target = target;
    this.starting = true;
    this.showProblem(null);
    if (!this.running) this.reset(label, "Starting…");
    try {
      const id = await api.runCollection(root, target);
      this.adopt(id);
    } catch (error) {
      this.starting = false;
      this.showProblem(`Not run: ${toReport(error).message}`);
      this.updateButtons();
    }
  }

  /** Brings the runner into view (it stays until "Back to the editor"). */
  show(): void {
    if (!this.element.hidden) return;
    this.element.hidden = false;
    this.options.shown();
  }

  /** Gives the place back to the editor (a run going on goes on). */
  hide(): void {
    if (this.element.hidden) return;
    this.element.hidden = true;
    this.options.close();
  }

  /** Runs again the requests of the shown run that did not pass. */
  private async rerunFailures(): Promise<void> {
    if (this.runId === null) return;
    this.showProblem(null);
    this.starting = true;
    try {
      this.adopt(await api.rerunFailures(this.runId));
    } catch (error) {
      this.starting = false;
      this.showProblem(`Not run again: ${toReport(error).message}`);
    }
  }

  private async stop(): Promise<void> {
    if (this.runId === null) return;
    this.stopButton.disabled = true;
    this.stopButton.textContent = "Stopping…";
    try {
      await api.stopRun(this.runId);
    } catch (error) {
      this.showProblem(`Could not stop the run: ${toReport(error).message}`);
    }
  }

  /** The shell answered with the run's id (its plan may have come first). */
  private adopt(id: number): void {
    this.starting = false;
    if (this.runId === null || id > this.runId) {
      this.runId = id;
      this.running = true;
    }
    this.updateButtons();
  }

  // --- events ----------------------------------------------------------------

  /** A run's plan: every step as a waiting row. A newer run takes the panel over. */
  planned(planned: RunPlanned): void {
    if (this.runId !== null && planned.id < this.runId) return;
    this.show();
    this.runId = planned.id;
    this.starting = false;
    this.running = true;
    this.root = planned.root;
    this.target = planned.target;
    this.reset(runLabel(planned.collection, planned.target), planned.environment ? `Environment ${planned.environment}` : "No environment");
    this.rows = planned.steps.map((step) => ({ step, result: null, element: this.rowElement(step) }));
    const iterations = new Set(planned.steps.map((s) => s.iteration)).size;
    this.list.classList.toggle("one-iteration", iterations <= 1);
    replace(this.list, this.rows.length ? this.rows.map((row) => row.element) : h("li", { class: "muted small run-empty" }, "Nothing to run here: no requests."));
    this.rows.forEach((row) => this.fill(row));
    if (this.rows[0]) this.rows[0].element.tabIndex = 0;
    this.updateProgress();
    this.say(`Running ${this.rows.length} ${this.rows.length === 1 ? "request" : "requests"}.`);
  }

  /** A step went out: its row shows it is being sent. */
  started({ id, index }: RunStepStarted): void {
    if (id !== this.runId) return;
    const row = this.rows[index];
    if (!row || row.result) return;
    row.sending = true;
    this.fill(row);
  }

  /** A step's result: its row filled in. */
  step({ id, result }: RunStepFinished): void {
    if (id !== this.runId) return;
    const row = this.rows[result.step.index];
    if (!row) return;
    row.result = result;
    this.fill(row);
    this.updateProgress();
    if (this.opened === result.step.index) void this.open(result.step.index);
  }

  /** The run ended: the totals, and what can be done next. */
  finished({ id, summary, totals }: RunFinished): void {
    if (id !== this.runId) return;
    this.running = false;
    for (const result of summary.results) {
      const row = this.rows[result.step.index];
      if (row && !row.result) {
        row.result = result;
        this.fill(row);
      }
    }
    this.updateProgress();
    const parts: [number, string, string][] = [
      [totals.passed, "passed", "ok"],
      [totals.failed, "failed", "error"],
      [totals.errored, "not sent", "warn"],
      [totals.needsReauthorization, "need re-authorization", "warn"],
      [totals.skipped, "skipped", "muted"],
    ];
    const credentials = summary.credentials.map((c) =>
      h(
        "li",
        { class: "run-credential", "data-credential": c.credential },
        h("strong", null, c.credential),
        `: ${counted(c.requests, "request")}, ${counted(c.expiries, "token expiry", "token expiries")}, ${counted(c.refreshes, "refresh", "refreshes")}`,
        c.refreshFailures > 0 && h("span", { class: "tone-error" }, `, ${counted(c.refreshFailures, "refused refresh", "refused refreshes")}`),
      ),
    );
    replace(
      this.totalsBox,
      h(
        "div",
        { class: "run-counts" },
        summary.stopped && h("span", { class: "badge badge-warn", testid: "run-stopped" }, "Stopped"),
        parts
          .filter(([count], i) => count > 0 || i < 2)
          .map(([count, words, tone]) => h("span", { class: `run-count tone-${count > 0 ? tone : "muted"}`, "data-count": words }, h("strong", null, String(count)), ` ${words}`)),
        h("span", { class: "muted" }, `in ${formatMs(summary.durationMs)}`),
      ),
      h(
        "div",
        { class: "run-assertions", testid: "run-assertion-totals" },
        totals.assertions === 0 ? "No assertions." : `Assertions: ${totals.assertionsFailed} of ${totals.assertions} failed.`,
      ),
      credentials.length > 0 && h("ul", { class: "run-credentials", "aria-label": "Credentials" }, credentials),
    );
    this.totalsBox.hidden = false;
    this.updateButtons();
    const failures = totals.failed + totals.errored + totals.needsReauthorization;
    this.say(`Run finished: ${totals.passed} passed, ${failures} did not pass${summary.stopped ? ", stopped" : ""}.`);
  }

  // --- rows -------------------------------------------------------------------

  private rowElement(step: RunStep): HTMLElement {
    const row = h("li", { class: "run-step", role: "option", tabindex: "-1", "aria-selected": "false", testid: "run-step", "data-index": String(step.index), "data-name": step.name });
    row.addEventListener("click", () => void this.open(step.index));
    return row;
  }

  /** Brings a row up to date with its result (none yet: waiting). */
  private fill(row: Row): void {
    const { step, result } = row;
    const mark = stateMark(result?.state ?? (row.sending ? "sending" : null));
    const status = result?.status !== undefined ? `HTTP ${result.status}` : result?.state === "skipped" ? "not run" : result ? "no response" : "";
    const time = result && result.state !== "skipped" ? formatMs(result.durationMs) : "";
    row.element.dataset.state = result?.state ?? (row.sending ? "sending" : "waiting");
    row.element.classList.toggle("open", this.opened === step.index);
    replace(
      row.element,
      h("span", { class: `run-mark tone-${mark.tone}`, testid: "run-mark", "aria-hidden": "true" }, mark.mark),
      h("span", { class: "run-name" }, step.name),
      h("span", { class: "run-iteration muted small", title: "Iteration" }, `#${step.iteration}`),
      h("span", { class: `run-status small${result?.status !== undefined && result.status >= 400 ? " tone-error" : ""}`, testid: "run-status-code" }, status),
      h("span", { class: "run-time muted small" }, time),
    );
    const failedAssertions = result?.assertions.filter((a) => !a.passed).length ?? 0;
    row.element.setAttribute(
      "aria-label",
      [step.name, `iteration ${step.iteration}`, mark.words, status, time, failedAssertions ? counted(failedAssertions, "assertion failed", "assertions failed") : ""].filter(Boolean).join(", "),
    );
  }

  private keys(event: KeyboardEvent): void {
    const row = (event.target as HTMLElement).closest<HTMLElement>(".run-step");
    if (!row) return;
    const at = Number(row.dataset.index);
    const go = (index: number): void => {
      const target = this.rows[Math.max(0, Math.min(this.rows.length - 1, index))];
      if (!target) return;
      for (const r of this.rows) r.element.tabIndex = -1;
      target.element.tabIndex = 0;
      target.element.focus();
    };
    if (event.key === "ArrowDown") go(at + 1);
    else if (event.key === "ArrowUp") go(at - 1);
    else if (event.key === "Home") go(0);
    else if (event.key === "End") go(this.rows.length - 1);
    else if (event.key === "Enter" || event.key === " ") void this.open(at);
    else return;
    event.preventDefault();
  }

  // --- a step opened ----------------------------------------------------------

  /** Opens step `index`: its assertions' results and its send (the response, the attempts). */
  async open(index: number): Promise<void> {
    const row = this.rows[index];
    if (!row || this.runId === null) return;
    this.opened = index;
    for (const r of this.rows) {
      const open = r.step.index === index;
      r.element.classList.toggle("open", open);
      r.element.setAttribute("aria-selected", String(open));
      r.element.tabIndex = open ? 0 : -1;
    }
    const { step, result } = row;
    const mark = stateMark(result?.state ?? null);
    const head = h(
      "div",
      { class: "run-detail-head" },
      h("h3", { testid: "run-detail-title" }, h("span", { class: `run-mark tone-${mark.tone}`, "aria-hidden": "true" }, mark.mark), " ", step.name),
      h("span", { class: "muted small" }, `iteration ${step.iteration} · ${mark.words}`),
    );
    if (!result) {
      replace(this.detail, head, h("p", { class: "muted" }, "Not finished yet: it opens here once its response is in."));
      return;
    }
    const parts: (HTMLElement | false)[] = [head, this.assertionList(result.assertions)];
    if (result.extracted.length) {
      parts.push(
        h(
          "ul",
          { class: "run-extracted small", "aria-label": "Values extracted" },
          result.extracted.map((e) => h("li", { class: e.problem ? "tone-error" : "muted" }, e.problem ? `✗ {{${e.variable}}}: ${e.problem}` : `✓ {{${e.variable}}} set (its value is not shown)`)),
        ),
      );
    }
    if (result.state === "skipped") {
      replace(this.detail, ...parts, h("p", { class: "muted" }, "Not run: the run was stopped before it."));
      return;
    }
    if (result.status === undefined) {
      // Never sent (a variable unknown, the host unreachable, the credential needing authorization).
      const message = result.error?.message ?? "It could not be sent.";
      this.response.failed(message, result.state === "needsReauthorization" ? (result.credential ?? null) : null);
      replace(this.detail, ...parts, this.response.element);
      return;
    }
    replace(this.detail, ...parts, h("p", { class: "muted small" }, "Loading the response…"));
    try {
      const report = await api.runStepReport(this.runId, index);
      if (this.opened !== index) return;
      this.response.show(report);
      replace(this.detail, ...parts, this.response.element);
    } catch (error) {
      if (this.opened !== index) return;
      replace(this.detail, ...parts, h("div", { class: "callout callout-error", role: "alert" }, `Its response cannot be opened: ${toReport(error).message}`));
    }
  }

  private assertionList(results: AssertionResult[]): HTMLElement {
    if (!results.length) return h("p", { class: "muted small run-no-assertions" }, "No assertions: the request passes when it gets a response.");
    return h(
      "ul",
      { class: "run-assertion-results", testid: "step-assertions", "aria-label": "Assertions" },
      results.map((r) =>
        h(
          "li",
          { class: `assertion-result ${r.passed ? "passed" : "failed"}`, testid: "step-assertion", "data-passed": String(r.passed) },
          h("span", { class: `run-mark tone-${r.passed ? "ok" : "error"}`, role: "img", "aria-label": r.passed ? "passed" : "failed" }, r.passed ? "✓" : "✗"),
          h("code", { class: "assertion-description" }, describeAssertion(r.assertion)),
          h("span", { class: "assertion-message small" }, r.message),
        ),
      ),
    );
  }

  // --- the header ---------------------------------------------------------------

  private reset(label: string, subtitle: string): void {
    this.title.textContent = `Run: ${label}`;
    this.subtitle.textContent = subtitle;
    this.rows = [];
    this.opened = null;
    replace(this.list);
    this.totalsBox.hidden = true;
    replace(this.totalsBox);
    this.showDetailHint();
    this.updateProgress();
    this.updateButtons();
  }

  private showDetailHint(): void {
    replace(this.detail, h("p", { class: "muted run-detail-hint" }, "Open a step (click it, or Enter) to see its assertions, its response and what happened on the way."));
  }

  private updateProgress(): void {
    const done = this.rows.filter((r) => r.result).length;
    this.progressText.textContent = this.rows.length ? `${done} / ${this.rows.length}` : "";
    this.progressBar.max = Math.max(1, this.rows.length);
    this.progressBar.value = done;
    this.progressBar.hidden = this.rows.length === 0;
  }

  private updateButtons(): void {
    this.stopButton.hidden = !this.running;
    this.stopButton.disabled = false;
    this.stopButton.textContent = "Stop";
    const failures = this.rows.some((r) => r.result && ["failed", "errored", "needsReauthorization"].includes(r.result.state));
    this.rerunButton.hidden = this.running || this.starting || !failures;
    this.againButton.hidden = this.running || this.starting || !this.root;
  }

  private showProblem(text: string | null): void {
    this.problem.hidden = text === null;
    this.problem.textContent = text ?? "";
  }

  private say(text: string): void {
    this.status.textContent = text;
  }
}

// The response: status, time, size, headers, pretty body, and the verdict panel —
// our verdict and the Salesforce verdict side by side, and the attempts as steps.
// Any attempt that sent a request opens (click, Enter or Space): its request as
// sent and its whole response take the final response's place until it is closed.
// A send that got no response says why here, with Re-authorize when that is the way out.
import * as api from "../api";
import { BodyEditor } from "../editor/bodyEditor";
import type { Header } from "../bindings/Header";
import type { Received } from "../bindings/Received";
import { formatBytes, formatMs, utf8Length } from "../logic/format";
import { headerValue, prettyBody } from "../logic/pretty";
import { attemptDetail, headlineVerdict, stepViews, verdictSides, verdictsDisagree, type AttemptDetail, type VerdictSide } from "../logic/verdict";
import { findSendId } from "../logic/rules";
import type { SendReport } from "../pending-types";
import { busy, h, replace } from "../ui/dom";
import { teach, type Taught } from "./teach";

/** What the panel shows; the editor keeps one per request to show it again. */
export type ResponseState =
  | { kind: "idle" }
  | { kind: "sending"; url: string }
  | { kind: "failed"; message: string; reauthorize: string | null }
  | { kind: "report"; report: SendReport; opened: number | null; sendId?: number | null };

const DETAIL_ID = "response-attempt-detail";

function side(testid: string, view: VerdictSide, tone: string): HTMLElement {
  return h(
    "div",
    { class: `verdict-side verdict-${tone}`, testid },
    h("div", { class: "verdict-title" }, view.title),
    h("div", { class: "badges" }, view.badges.map((b) => h("span", { class: `badge badge-${b.tone}` }, b.text))),
    h("p", { class: "verdict-sentence" }, view.sentence),
  );
}

const statusTone = (status: number): string => (status < 300 ? "ok" : status < 500 ? "warn" : "error");

/** "HTTP 500 · 12 ms · 1.2 KB · text/xml", the status carrying `statusTestid`. */
function statusLine(received: Received, statusTestid: string): HTMLElement {
  const contentType = headerValue(received.headers, "content-type");
  return h(
    "div",
    { class: "response-line" },
    h("span", { class: `status-code tone-${statusTone(received.status)}`, testid: statusTestid }, `HTTP ${received.status}`),
    h("span", { class: "muted" }, formatMs(Number(received.elapsedMs))),
    h("span", { class: "muted" }, formatBytes(utf8Length(received.body)) + (received.truncated ? " (truncated)" : "")),
    contentType && h("span", { class: "muted small" }, contentType),
  );
}

function headerTable(headers: Header[]): HTMLElement {
  return h("table", { class: "kv" }, headers.map((hd) => h("tr", null, h("th", null, hd.name), h("td", null, hd.value))));
}

export interface ResponsePanelOptions {
  /** Authorizes the credential again: the remedy a failed send offers when its token cannot be renewed. */
  reauthorize?: (credential: string) => Promise<unknown>;
  /** The kept send a report is (its history id); by default the newest kept send of its method, URL and status. */
  findSend?: (report: SendReport) => Promise<number | null>;
  /** Teaches the detector from the kept send (the teaching dialogs by default). */
  teach?: (expired: boolean, sendId: () => Promise<number | null>) => Promise<Taught>;
}

async function newestKeptSend(report: SendReport): Promise<number | null> {
  return findSendId(await api.history(null, 50), report);
}

export class ResponsePanel {
  readonly element = h("section", { class: "response", "aria-label": "Response" });
  private editors: BodyEditor[] = [];
  private shown: ResponseState = { kind: "idle" };
  /** Where the final response's headers and body, or an opened attempt, are shown. */
  private viewer: HTMLElement | null = null;
  private rows: HTMLElement[] = [];

  constructor(private options: ResponsePanelOptions = {}) {
    this.idle();
  }

  /** What is shown now, to show again later with `restore`. */
  get state(): ResponseState {
    return this.shown;
  }

  restore(state: ResponseState): void {
    if (state.kind === "idle") this.idle();
    else if (state.kind === "sending") this.sending(state.url);
    else if (state.kind === "failed") this.failed(state.message, state.reauthorize);
    else this.show(state.report, state.opened, state.sendId ?? null);
  }

  /** Drops the read-only editors of what was shown before showing something else. */
  private dropEditors(): void {
    for (const editor of this.editors) editor.destroy();
    this.editors = [];
  }

  private reset(state: ResponseState): void {
    this.dropEditors();
    this.viewer = null;
    this.rows = [];
    this.shown = state;
  }

  idle(): void {
    this.reset({ kind: "idle" });
    replace(
      this.element,
      h("div", { class: "response-empty muted" }, "Send the request (Ctrl+Enter) to see the response and the verdict: was the token expired, and would Salesforce have refreshed it?"),
    );
  }

  sending(url: string): void {
    this.reset({ kind: "sending", url });
    replace(
      this.element,
      h(
        "div",
        { class: "progress-box", role: "status", "aria-live": "polite" },
        h("span", { class: "spinner", "aria-hidden": "true" }),
        h("div", null, h("strong", null, "Sending…"), h("div", { class: "muted small" }, `${url} — if the token turns out to be expired, Callout Lab refreshes it once and retries.`)),
      ),
    );
  }

  /** A send that got no response, and why; with Re-authorize when `reauthorize` names a credential that needs it. */
  failed(message: string, reauthorize: string | null = null): void {
    this.reset({ kind: "failed", message, reauthorize });
    const run = this.options.reauthorize;
    let remedy: HTMLButtonElement | null = null;
    if (reauthorize && run) {
      const button = h("button", { type: "button", class: "secondary small", testid: "send-error-reauthorize" }, `Re-authorize ${reauthorize}`);
      button.addEventListener("click", () => void busy(button, "Authorizing…", () => run(reauthorize)));
      remedy = button;
    }
    replace(
      this.element,
      h(
        "div",
        { class: "callout callout-error send-error", testid: "send-error", role: "alert" },
        h("div", null, h("strong", null, "No response. "), message),
        remedy && h("div", { class: "callout-actions" }, remedy),
      ),
    );
  }

  /** Shows `report`, with the attempt at `opened` open (null: the final response); `sendId`: its history id, when known. */
  show(report: SendReport, opened: number | null = null, sendId: number | null = null): void {
    this.reset({ kind: "report", report, opened: null, sendId });
    const { response } = report;
    const { verdict, caption } = headlineVerdict(report.attempts, report.verdict, response.status);
    const sides = verdictSides(verdict);
    const steps = stepViews(report.attempts);
    this.viewer = h("div", { class: "response-viewer" });
    this.rows = steps.map((step, index) => {
      const row = h(
        "li",
        { class: `attempt tone-${step.tone}${step.openable ? " openable" : ""}`, testid: "attempt", "data-step": step.step },
        h("div", { class: "attempt-title" }, step.title, step.openable && h("span", { class: "attempt-toggle", "aria-hidden": "true" })),
        h("div", { class: "attempt-sub muted small" }, step.detail),
      );
      if (step.openable) {
        row.setAttribute("role", "button");
        row.tabIndex = 0;
        row.setAttribute("aria-controls", DETAIL_ID);
        row.addEventListener("click", () => this.toggle(index));
        row.addEventListener("keydown", (event) => {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            event.stopPropagation();
            this.toggle(index);
          }
        });
      }
      return row;
    });
    const openable = steps.some((step) => step.openable);

    replace(
      this.element,
      statusLine(response, "response-status"),
      h("div", { class: "verdict-caption muted small" }, caption),
      h(
        "div",
        { class: `verdict-panel${verdictsDisagree(verdict) ? " disagree" : ""}` },
        side("verdict-ours", sides.ours, verdict.expired ? "expired" : "fine"),
        side("verdict-salesforce", sides.salesforce, verdict.salesforce.wouldRefresh ? "expired" : verdict.expired ? "missed" : "fine"),
      ),
      this.teachRow(report, sendId),
      steps.length > 0 && h("ol", { class: "attempts", testid: "attempts", "aria-label": "What happened" }, this.rows),
      openable && h("p", { class: "attempts-hint muted small" }, "Open an attempt (click, or Enter) to see the request as it went out and the whole response it got."),
      this.viewer,
    );
    this.open(opened);
  }

  /** "Judged wrong?": the two ways to teach the detector from this send's first response. */
  private teachRow(report: SendReport, known: number | null): HTMLElement {
    let cached: number | null = known;
    const sendId = async (): Promise<number | null> => {
      if (cached === null) cached = await (this.options.findSend ?? newestKeptSend)(report);
      const state = this.shown;
      if (state.kind === "report" && state.report === report) this.shown = { ...state, sendId: cached };
      return cached;
    };
    const run = this.options.teach ?? teach;
    const action = (expired: boolean, label: string, testid: string): HTMLButtonElement => {
      const button = h("button", { type: "button", class: "ghost small", testid }, label);
      button.addEventListener("click", () => void busy(button, "Proposing…", () => run(expired, sendId)));
      return button;
    };
    const first = report.attempts.find((a) => a.step === "sent");
    const judged = first && first.step === "sent" ? first.verdict : report.verdict;
    return h(
      "div",
      { class: "teach-row small", testid: "teach-row" },
      h("span", { class: "muted" }, judged.expired ? "Verdict wrong? " : "Was it really fine? "),
      action(true, "This means the token expired", "teach-expired"),
      action(false, "This is not an expiry", "teach-not-expiry"),
    );
  }

  /** Opens the attempt at `index`, or closes it when it is the open one. */
  private toggle(index: number): void {
    const state = this.shown;
    if (state.kind !== "report") return;
    this.open(state.opened === index ? null : index);
  }

  /** Shows the attempt at `index` in the viewer, or the final response for null (or an attempt that sent nothing). */
  open(index: number | null): void {
    const state = this.shown;
    if (state.kind !== "report" || !this.viewer) return;
    const detail = index === null ? null : attemptDetail(state.report.attempts, index);
    const opened = detail ? index : null;
    this.shown = { ...state, opened };
    this.dropEditors();
    this.rows.forEach((row, i) => {
      if (!row.classList.contains("openable")) return;
      row.setAttribute("aria-expanded", String(i === opened));
      row.classList.toggle("open", i === opened);
      const toggle = row.querySelector(".attempt-toggle");
      if (toggle) toggle.textContent = i === opened ? "Hide" : "Open";
    });
    if (detail && opened !== null) replace(this.viewer, this.attemptView(detail, opened));
    else replace(this.viewer, ...this.finalView(state.report.response));
  }

  private finalView(response: Received): HTMLElement[] {
    return [
      h("details", { class: "response-headers" }, h("summary", null, `Headers (${response.headers.length})`), headerTable(response.headers)),
      this.bodyBox(response, "response-body", "Response body"),
    ];
  }

  private attemptView(detail: AttemptDetail, index: number): HTMLElement {
    const close = h("button", { type: "button", class: "ghost small", testid: "attempt-detail-close" }, "Back to the final response");
    const closeAndReturn = (): void => {
      this.open(null);
      this.rows[index]?.focus();
    };
    close.addEventListener("click", closeAndReturn);
    const request = detail.request;
    const requestText = [`${request.method} ${request.url}`, ...request.headers.map((hd) => `${hd.name}: ${hd.value}`), ...(request.body ? ["", request.body] : [])].join("\n");
    const response = detail.response;
    const view = h(
      "div",
      { class: `attempt-view tone-border-${detail.tone}`, testid: "attempt-detail", id: DETAIL_ID, role: "region", "aria-label": detail.title },
      h("div", { class: "attempt-view-head" }, h("h3", null, detail.title), h("div", { class: "spacer" }), close),
      h(
        "section",
        { class: "attempt-part" },
        h("h4", null, "Request as sent ", h("span", { class: "muted small" }, "(secrets masked)")),
        h("pre", { class: "sent-request", testid: "attempt-detail-request" }, requestText),
      ),
      h(
        "section",
        { class: "attempt-part" },
        h("h4", null, "Response"),
        response
          ? statusLine(response, "attempt-detail-status")
          : h("div", { class: "response-line" }, h("span", { class: "status-code tone-error", testid: "attempt-detail-status" }, detail.status)),
        detail.error && h("div", { class: "callout callout-error" }, detail.error),
        detail.verdict && h("p", { class: "attempt-verdict small" }, h("strong", null, detail.verdict.expired ? "Expired: " : "Not expired: "), detail.verdict.reason),
        response && h("details", { class: "response-headers" }, h("summary", null, `Headers (${response.headers.length})`), headerTable(response.headers)),
        response && this.bodyBox(response, "attempt-detail-body", `Response body, ${detail.title}`),
      ),
    );
    view.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        closeAndReturn();
      }
    });
    return view;
  }

  /** The body pretty-printed in a read-only editor, or "(empty body)". */
  private bodyBox(received: Received, testid: string, label: string): HTMLElement {
    const host = h("div", { class: "response-body", testid });
    const pretty = prettyBody(headerValue(received.headers, "content-type"), received.body);
    if (pretty.text === "") {
      host.append(h("p", { class: "muted empty-body" }, "(empty body)"));
      return host;
    }
    this.editors.push(new BodyEditor({ parent: host, doc: pretty.text, kind: pretty.kind, onChange: () => undefined, onSend: () => undefined, readOnly: true, label }));
    return host;
  }
}

// The response: status, time, size, headers, pretty body, and the verdict panel —
// our verdict and the Salesforce verdict side by side, and the attempts as steps.
import { BodyEditor } from "../editor/bodyEditor";
import { formatBytes, formatMs, utf8Length } from "../logic/format";
import { headerValue, prettyBody } from "../logic/pretty";
import { headlineVerdict, stepViews, verdictSides, verdictsDisagree, type VerdictSide } from "../logic/verdict";
import type { SendReport } from "../pending-types";
import { h, replace } from "../ui/dom";

function side(testid: string, view: VerdictSide, tone: string): HTMLElement {
  return h(
    "div",
    { class: `verdict-side verdict-${tone}`, testid },
    h("div", { class: "verdict-title" }, view.title),
    h("div", { class: "badges" }, view.badges.map((b) => h("span", { class: `badge badge-${b.tone}` }, b.text))),
    h("p", { class: "verdict-sentence" }, view.sentence),
  );
}

export class ResponsePanel {
  readonly element = h("section", { class: "response", "aria-label": "Response" });
  private body: BodyEditor | null = null;

  /** Drops the previous response's read-only editor before showing something else. */
  private reset(): void {
    this.body?.destroy();
    this.body = null;
  }

  constructor() {
    this.idle();
  }

  idle(): void {
    this.reset();
    replace(
      this.element,
      h("div", { class: "response-empty muted" }, "Send the request (Ctrl+Enter) to see the response and the verdict: was the token expired, and would Salesforce have refreshed it?"),
    );
  }

  sending(url: string): void {
    this.reset();
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

  failed(message: string): void {
    this.reset();
    replace(this.element, h("div", { class: "callout callout-error", role: "alert" }, h("strong", null, "No response. "), message));
  }

  show(report: SendReport): void {
    this.reset();
    const { response } = report;
    const { verdict, caption } = headlineVerdict(report.attempts, report.verdict, response.status);
    const sides = verdictSides(verdict);
    const steps = stepViews(report.attempts);
    const tone = response.status < 300 ? "ok" : response.status < 500 ? "warn" : "error";
    const contentType = headerValue(response.headers, "content-type");
    const pretty = prettyBody(contentType, response.body);
    const bodyHost = h("div", { class: "response-body", testid: "response-body" });

    replace(
      this.element,
      h(
        "div",
        { class: "response-line" },
        h("span", { class: `status-code tone-${tone}`, testid: "response-status" }, `HTTP ${response.status}`),
        h("span", { class: "muted" }, formatMs(Number(response.elapsedMs))),
        h("span", { class: "muted" }, formatBytes(utf8Length(response.body)) + (response.truncated ? " (truncated)" : "")),
        contentType && h("span", { class: "muted small" }, contentType),
      ),
      h("div", { class: "verdict-caption muted small" }, caption),
      h(
        "div",
        { class: `verdict-panel${verdictsDisagree(verdict) ? " disagree" : ""}` },
        side("verdict-ours", sides.ours, verdict.expired ? "expired" : "fine"),
        side("verdict-salesforce", sides.salesforce, verdict.salesforce.wouldRefresh ? "expired" : verdict.expired ? "missed" : "fine"),
      ),
      steps.length > 0 &&
        h(
          "ol",
          { class: "attempts", testid: "attempts", "aria-label": "What happened" },
          steps.map((step) =>
            h(
              "li",
              { class: `attempt tone-${step.tone}`, testid: "attempt", "data-step": step.step },
              h("div", { class: "attempt-title" }, step.title),
              h("div", { class: "attempt-detail muted small" }, step.detail),
            ),
          ),
        ),
      h(
        "details",
        { class: "response-headers" },
        h("summary", null, `Headers (${response.headers.length})`),
        h("table", { class: "kv" }, response.headers.map((hd) => h("tr", null, h("th", null, hd.name), h("td", null, hd.value)))),
      ),
      bodyHost,
    );
    if (pretty.text === "") {
      bodyHost.append(h("p", { class: "muted" }, "(empty body)"));
      return;
    }
    this.body = new BodyEditor({ parent: bodyHost, doc: pretty.text, kind: pretty.kind, onChange: () => undefined, onSend: () => undefined, readOnly: true });
  }
}

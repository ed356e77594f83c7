// The editor's History panel: the sends the app kept (newest first), of the open
// saved request or of all requests. A row opens its kept report in the response
// pane (click, Enter; arrow keys move between rows), sends its request again,
// makes its responses an Apex HttpCalloutMock, or is ticked to compare: with two ticked, Compare shows what changed from the
// older response to the newer one as a coloured unified diff in the panel.
// Loading and what went wrong stay in the panel; the list holds at most `limit`
// rows, with Show more when it is full.
import * as api from "../api";
import type { Sent } from "../bindings/Sent";
import { messageText, toReport } from "../logic/errors";
import { dateTime, formatMs, shortTime } from "../logic/format";
import type { SendReport } from "../pending-types";
import { busy, h, replace } from "../ui/dom";
import { apexMockDialog } from "./salesforceExport";

export interface HistoryPanelOptions {
  /** Show a past (or re-sent) report in the editor's response pane; `id`: the kept send it is, when known. */
  showReport(report: SendReport, label: string, id?: number): void;
}

/** How many sends a page of the list holds; Show more asks for this many more. */
export const HISTORY_PAGE = 100;
/** The most the shell lists at once. */
const HISTORY_MAX = 1000;

export type HistoryScope = "this" | "all";

/** "just now", "40 s ago", "2 min ago", "3 h ago", "2 d ago", then the date ("Nov 21 14:03:07"). */
export function relativeTime(atMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.floor((nowMs - atMs) / 1000));
  if (seconds < 10) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days < 7) return `${days} d ago`;
  return shortTime(atMs, new Date(nowMs).toDateString());
}

/** The badge tone of a status: 2xx ok, 3xx info, 4xx and 5xx error, anything else (no status) warn. */
export function statusBadgeTone(status: number): "ok" | "info" | "error" | "warn" {
  if (status >= 200 && status < 300) return "ok";
  if (status >= 300 && status < 400) return "info";
  if (status >= 400 && status < 600) return "error";
  return "warn";
}

export type DiffLineKind = "file" | "hunk" | "add" | "del" | "context" | "note";

/** A unified diff's lines with what each is: the `---`/`+++` header, a hunk header, added, removed, context, or a note. */
export function diffLines(diff: string): { kind: DiffLineKind; text: string }[] {
  const lines = diff.replace(/\n$/, "").split("\n");
  let inHunk = false;
  return lines.map((text) => {
    if (text.startsWith("@@")) {
      inHunk = true;
      return { kind: "hunk", text };
    }
    if (!inHunk && (text.startsWith("--- ") || text.startsWith("+++ "))) return { kind: "file", text };
    if (inHunk && text.startsWith("+")) return { kind: "add", text };
    if (inHunk && text.startsWith("-")) return { kind: "del", text };
    if (inHunk && text.startsWith(" ")) return { kind: "context", text };
    return { kind: "note", text };
  });
}

const problemText = (error: unknown): string => messageText(toReport(error));

export class HistoryPanel {
  readonly element: HTMLElement;
  private request: string | null = null;
  /** The scope the user picked; "all" is used anyway while no saved request is open. */
  private preferred: HistoryScope = "this";
  private limit = HISTORY_PAGE;
  private sends: Sent[] = [];
  /** Sends ticked to compare, by id. */
  private ticked = new Set<number>();
  /** The send last opened in the response pane. */
  private opened: number | null = null;
  private loaded = false;
  private loadSeq = 0;

  private thisButton = h("button", { type: "button", class: "seg", testid: "history-scope-this", "aria-pressed": "false" }, "This request");
  private allButton = h("button", { type: "button", class: "seg", testid: "history-scope-all", "aria-pressed": "false" }, "All sends");
  private status = h("div", { class: "history-status muted small", testid: "history-status", role: "status", hidden: true });
  private problem = h("div", { class: "callout callout-error callout-dismissable history-problem", testid: "history-problem", role: "alert", hidden: true });
  private compareBar = h("div", { class: "history-compare-bar", hidden: true });
  private diffBox = h("div", { class: "history-diff-box", testid: "history-diff-box", hidden: true });
  private list = h("ul", { class: "history-list", "aria-label": "Sends" });
  private empty = h("p", { class: "history-empty muted small", testid: "history-empty", hidden: true });
  private more = h("button", { type: "button", class: "ghost small history-more", testid: "history-more", hidden: true }, "Show more");

  constructor(private options: HistoryPanelOptions) {
    this.thisButton.addEventListener("click", () => void this.setScope("this"));
    this.allButton.addEventListener("click", () => void this.setScope("all"));
    this.more.addEventListener("click", () => void this.showMore());
    this.list.addEventListener("keydown", (event) => this.onKey(event));
    this.element = h(
      "section",
      { class: "history-panel", testid: "history", "aria-label": "History" },
      h(
        "div",
        { class: "history-head" },
        h("h3", { class: "history-title" }, "History"),
        h("div", { class: "segmented history-scope", role: "group", "aria-label": "Which sends" }, this.thisButton, this.allButton),
      ),
      this.problem,
      this.status,
      this.diffBox,
      this.compareBar,
      this.list,
      this.empty,
      this.more,
    );
    // Relative times ("2 min ago") are brought up to date when the panel is looked at.
    this.element.addEventListener("pointerenter", () => this.refreshTimes());
    this.element.addEventListener("focusin", () => this.refreshTimes());
    this.renderScope();
  }

  /** The scope the list shows now. */
  get scope(): HistoryScope {
    return this.request === null ? "all" : this.preferred;
  }

  /** Follow the open request: its label ("Collection/Folder/Request"), or null when the open draft is not a saved request. Reloads the list. */
  async follow(request: string | null): Promise<void> {
    if (request !== this.request) {
      this.request = request;
      this.limit = HISTORY_PAGE;
      this.ticked.clear();
      this.opened = null;
      this.closeDiff();
      this.clearList();
    }
    this.renderScope();
    await this.reload();
  }

  /** Reload the list (after a send). */
  async reload(): Promise<void> {
    const seq = ++this.loadSeq;
    const asked = this.scope === "this" ? this.request : null;
    const limit = this.limit;
    this.setStatus(this.loaded ? null : "Loading…");
    this.list.setAttribute("aria-busy", "true");
    try {
      const sends = await api.history(asked, limit);
      if (seq !== this.loadSeq) return;
      this.sends = sends;
      this.loaded = true;
      this.setStatus(null);
      this.clearProblem("load");
      this.render();
    } catch (error) {
      if (seq !== this.loadSeq) return;
      this.setStatus(null);
      this.showProblem("load", `Could not read the history: ${problemText(error)}`, { label: "Retry", run: () => void this.reload() });
    } finally {
      if (seq === this.loadSeq) this.list.removeAttribute("aria-busy");
    }
  }

  private async setScope(scope: HistoryScope): Promise<void> {
    if (scope === "this" && this.request === null) return;
    if (scope === this.scope) return;
    this.preferred = scope;
    this.limit = HISTORY_PAGE;
    this.clearList();
    this.renderScope();
    await this.reload();
  }

  /** Drops the rows of another request or scope, so they are not taken for the new one while it loads. */
  private clearList(): void {
    this.sends = [];
    this.loaded = false;
    this.list.replaceChildren();
    this.empty.hidden = true;
    this.more.hidden = true;
    this.renderCompare();
  }

  private async showMore(): Promise<void> {
    this.limit = Math.min(HISTORY_MAX, this.limit + HISTORY_PAGE);
    await busy(this.more, "Loading…", () => this.reload());
  }

  private renderScope(): void {
    const scope = this.scope;
    this.thisButton.disabled = this.request === null;
    this.thisButton.title = this.request === null ? "Save the request to keep its own history" : `Sends of ${this.request}`;
    this.thisButton.setAttribute("aria-pressed", String(scope === "this"));
    this.allButton.setAttribute("aria-pressed", String(scope === "all"));
  }

  private setStatus(text: string | null): void {
    this.status.hidden = text === null;
    this.status.textContent = text ?? "";
  }

  /** What the problem line is about: the list ("load", cleared by a good reload) or an action. */
  private problemOf: "load" | "action" | null = null;

  private showProblem(of: "load" | "action", text: string, remedy?: { label: string; run: () => void }): void {
    this.problemOf = of;
    this.problem.hidden = false;
    const dismiss = h("button", { type: "button", class: "ghost small", "aria-label": "Dismiss" }, "Dismiss");
    dismiss.addEventListener("click", () => this.clearProblem());
    const again = remedy && h("button", { type: "button", class: "secondary small", testid: "history-retry" }, remedy.label);
    again?.addEventListener("click", () => {
      this.clearProblem();
      remedy!.run();
    });
    replace(this.problem, h("div", { testid: "history-problem-text" }, text), h("div", { class: "callout-actions" }, again, dismiss));
  }

  private clearProblem(of?: "load" | "action"): void {
    if (of && this.problemOf !== of) return;
    this.problemOf = null;
    this.problem.hidden = true;
    this.problem.replaceChildren();
  }

  /** A failed action: said in the panel, where it stays until dismissed (as the token panel does; no toast that would vanish). */
  private actionFailed(action: string, error: unknown): void {
    this.showProblem("action", `${action}: ${problemText(error)}`);
  }

  private render(): void {
    const present = new Set(this.sends.map((s) => s.id));
    for (const id of [...this.ticked]) if (!present.has(id)) this.ticked.delete(id);
    const now = Date.now();
    replace(this.list, this.sends.map((sent) => this.row(sent, now)));
    this.empty.hidden = this.sends.length > 0;
    this.empty.textContent =
      this.scope === "this" ? "No sends of this request yet — Send keeps each one here." : "No sends yet — Send keeps each one here.";
    this.more.hidden = this.sends.length < this.limit || this.limit >= HISTORY_MAX;
    this.renderCompare();
  }

  private row(sent: Sent, now: number): HTMLElement {
    const tone = statusBadgeTone(sent.status);
    const when = h("span", { class: "history-when", title: dateTime(sent.atMs), "data-at": sent.atMs }, relativeTime(sent.atMs, now));
    const open = h(
      "button",
      {
        type: "button",
        class: "history-open",
        testid: "history-open",
        title: `${sent.method} ${sent.url}\nSent ${dateTime(sent.atMs)}${sent.environment ? ` · ${sent.environment}` : ""}${sent.request && this.scope === "all" ? `\n${sent.request}` : ""}\nOpen in the response pane`,
      },
      when,
      h("span", { class: `badge badge-${tone} history-status-badge`, testid: "history-status-code" }, sent.status > 0 ? String(sent.status) : "—"),
      h("span", { class: `method-tag m-${sent.method.toLowerCase()} history-method` }, sent.method),
      h("span", { class: "history-url", testid: "history-url" }, sent.url),
      sent.environment && h("span", { class: "chip history-env", testid: "history-env" }, sent.environment),
      h("span", { class: "history-duration muted" }, formatMs(sent.durationMs)),
    );
    const tick = h("input", {
      type: "checkbox",
      class: "history-tick",
      testid: "history-compare",
      checked: this.ticked.has(sent.id),
      "aria-label": `Compare the send of ${dateTime(sent.atMs)}`,
    });
    tick.addEventListener("change", () => {
      if (tick.checked) this.ticked.add(sent.id);
      else this.ticked.delete(sent.id);
      this.renderCompare();
    });
    const again = h("button", { type: "button", class: "ghost small history-again", testid: "history-send-again", title: "Send this request again" }, "Send again");
    again.addEventListener("click", () => void this.sendAgain(sent, again));
    const mock = h("button", { type: "button", class: "ghost small history-mock", testid: "history-apex-mock", title: "Its responses as an Apex HttpCalloutMock for a test" }, "Apex mock…");
    mock.addEventListener("click", () => void apexMockDialog([sent.id], `Apex mock of ${sent.method} ${sent.url}`));
    const item = h(
      "li",
      { class: `history-row${this.opened === sent.id ? " open" : ""}`, testid: "history-item", "data-id": sent.id },
      tick,
      open,
      again,
      mock,
    );
    if (this.opened === sent.id) open.setAttribute("aria-current", "true");
    // The whole row opens the send, except its checkbox, Send again and Apex mock.
    item.addEventListener("click", (event) => {
      const target = event.target as HTMLElement;
      if (target.closest("input, .history-again, .history-mock")) return;
      void this.open(sent, item);
    });
    return item;
  }

  private async open(sent: Sent, item: HTMLElement): Promise<void> {
    item.classList.add("is-loading");
    try {
      const kept = await api.historyEntry(sent.id);
      this.opened = sent.id;
      // By id: the list may have been reloaded while the send was read.
      for (const row of this.rows()) {
        const here = row.dataset.id === String(sent.id);
        row.classList.toggle("open", here);
        const button = row.querySelector(".history-open");
        if (here) button?.setAttribute("aria-current", "true");
        else button?.removeAttribute("aria-current");
      }
      this.clearProblem("action");
      this.options.showReport(kept.report, `Sent ${shortTime(kept.atMs, new Date().toDateString())}`, kept.id);
    } catch (error) {
      this.actionFailed("Could not open the send", error);
    } finally {
      item.classList.remove("is-loading");
    }
  }

  private async sendAgain(sent: Sent, button: HTMLButtonElement): Promise<void> {
    let report: SendReport;
    try {
      report = await busy(button, "Sending…", () => api.sendAgain(sent.id));
    } catch (error) {
      this.actionFailed("Could not send again", error);
      return;
    }
    this.clearProblem("action");
    this.opened = null;
    this.options.showReport(report, "Sent again");
    await this.reload();
  }

  private renderCompare(): void {
    const count = this.ticked.size;
    this.compareBar.hidden = count === 0;
    if (count === 0) {
      this.compareBar.replaceChildren();
      return;
    }
    const clear = h("button", { type: "button", class: "ghost small", testid: "history-compare-clear" }, "Clear");
    clear.addEventListener("click", () => {
      this.ticked.clear();
      for (const box of this.list.querySelectorAll<HTMLInputElement>(".history-tick")) box.checked = false;
      this.renderCompare();
    });
    let compare: HTMLButtonElement | null = null;
    if (count === 2) {
      compare = h("button", { type: "button", class: "secondary small", testid: "history-compare-button" }, "Compare");
      const button = compare;
      button.addEventListener("click", () => void this.compare(button));
    }
    const note = count === 1 ? "Tick one more send to compare." : count === 2 ? "Two sends ticked." : `${count} ticked — compare takes two.`;
    replace(this.compareBar, h("span", { class: "muted small", testid: "history-compare-note" }, note), h("span", { class: "spacer" }), compare, clear);
  }

  private async compare(button: HTMLButtonElement): Promise<void> {
    const [older, newer] = [...this.ticked].sort((a, b) => a - b);
    const at = (id: number): string => {
      const sent = this.sends.find((s) => s.id === id);
      return sent ? shortTime(sent.atMs, new Date().toDateString()) : `send ${id}`;
    };
    let diff: string;
    try {
      diff = await busy(button, "Comparing…", () => api.historyDiff(older, newer));
    } catch (error) {
      this.actionFailed("Could not compare the sends", error);
      return;
    }
    this.clearProblem("action");
    this.showDiff(`${at(older)} → ${at(newer)}`, diff);
  }

  private showDiff(title: string, diff: string): void {
    const close = h("button", { type: "button", class: "ghost small", testid: "history-diff-close", "aria-label": "Close the comparison" }, "Close");
    close.addEventListener("click", () => this.closeDiff());
    const pre = h(
      "pre",
      { class: "history-diff", testid: "history-diff", tabindex: 0, "aria-label": `Changes from ${title}` },
      diffLines(diff).map((line) => h("span", { class: `diff-line diff-${line.kind}` }, line.text, "\n")),
    );
    replace(
      this.diffBox,
      h(
        "div",
        { class: "history-diff-head" },
        h("span", { class: "history-diff-title" }, "Compare ", h("span", { class: "muted" }, title)),
        h("span", { class: "history-diff-legend small" }, h("span", { class: "diff-del" }, "− older"), " ", h("span", { class: "diff-add" }, "+ newer")),
        close,
      ),
      pre,
    );
    this.diffBox.hidden = false;
    pre.focus();
  }

  private closeDiff(): void {
    this.diffBox.hidden = true;
    this.diffBox.replaceChildren();
  }

  private rows(): HTMLElement[] {
    return [...this.list.querySelectorAll<HTMLElement>('[data-testid="history-item"]')];
  }

  /** Up and Down (Home, End) move between the rows' open buttons. */
  private onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (!target.classList.contains("history-open")) return;
    const buttons = this.rows().map((row) => row.querySelector<HTMLElement>(".history-open")!);
    const at = buttons.indexOf(target);
    let next = -1;
    if (event.key === "ArrowDown") next = Math.min(buttons.length - 1, at + 1);
    else if (event.key === "ArrowUp") next = Math.max(0, at - 1);
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = buttons.length - 1;
    else return;
    event.preventDefault();
    buttons[next]?.focus();
  }

  private refreshTimes(): void {
    const now = Date.now();
    for (const when of this.list.querySelectorAll<HTMLElement>(".history-when")) {
      when.textContent = relativeTime(Number(when.dataset.at), now);
    }
  }
}

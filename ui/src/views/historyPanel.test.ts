// @vitest-environment happy-dom
// The History panel as a person uses it: the sends kept for the open request
// (or all of them), opened in the response pane, sent again, and two of them
// compared; loading trouble and failed actions are said in the panel.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Kept } from "../bindings/Kept";
import type { Sent } from "../bindings/Sent";
import type { SendReport } from "../pending-types";
import { HISTORY_PAGE, HistoryPanel, diffLines, relativeTime, statusBadgeTone } from "./historyPanel";

const NOW = Date.now();
const LABEL = "Pizza/Orders/List orders";

const send = (id: number, more: Partial<Sent> = {}): Sent => ({
  id,
  atMs: NOW - (10 - id) * 60_000,
  request: LABEL,
  environment: null,
  method: "GET",
  url: `https://pizza.example.com/orders?page=${id}`,
  status: 200,
  durationMs: 42,
  ...more,
});

const report = (status: number, body: string): SendReport => ({
  request: { method: "GET", url: "https://pizza.example.com/orders", headers: [], body: "" },
  lint: [],
  response: { status, headers: [{ name: "Content-Type", value: "application/json" }], body, truncated: false, elapsedMs: 42 },
  verdict: { expired: false, rule: null, reason: `HTTP ${status}`, salesforce: { wouldRefresh: false, reason: "-" } },
  attempts: [],
});

const DIFF = [
  "--- send 7",
  "+++ send 9",
  "@@ -1,4 +1,4 @@",
  "-HTTP 200",
  "+HTTP 404",
  " Content-Type: application/json",
  " ",
  '-{"orders": 3}',
  '+{"error": "gone"}',
  "",
].join("\n");

type Calls = { cmd: string; args: Record<string, unknown> }[];
let calls: Calls;
let sends: Sent[];
let failing: Record<string, unknown>;

function shell(): void {
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
    if (cmd in failing) throw failing[cmd];
    const a = args as Record<string, unknown>;
    switch (cmd) {
      case "history": {
        const of = sends.filter((s) => a.request === null || s.request === a.request);
        return of.slice(0, a.limit as number);
      }
      case "history_entry": {
        const sent = sends.find((s) => s.id === a.id)!;
        const kept: Kept = { ...sent, report: report(sent.status, `{"kept": ${sent.id}}`) };
        return kept;
      }
      case "history_diff":
        return DIFF;
      case "apex_mock":
        return `public class ${a.className as string} implements HttpCalloutMock {}`;
      case "send_again": {
        const next = send(sends[0].id + 1, { atMs: Date.now() });
        sends = [next, ...sends];
        return report(201, '{"again": true}');
      }
      default:
        return null;
    }
  });
}

let shown: { report: SendReport; label: string }[];
let panel: HistoryPanel;

beforeEach(() => {
  calls = [];
  failing = {};
  shown = [];
  // Newest first, as the shell lists them.
  sends = [
    send(9, { status: 404, environment: "Staging", method: "POST", durationMs: 1500 }),
    send(8, { status: 500, request: "Pizza/Other" }),
    send(7),
  ];
  shell();
  panel = new HistoryPanel({ showReport: (r, label) => shown.push({ report: r, label }) });
  document.body.append(panel.element);
});

afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

const q = <T extends HTMLElement = HTMLElement>(testid: string, root: ParentNode = panel.element): T | null => root.querySelector<T>(`[data-testid="${testid}"]`);
const rows = (): HTMLElement[] => [...panel.element.querySelectorAll<HTMLElement>('[data-testid="history-item"]')];
const row = (id: number): HTMLElement => rows().find((r) => r.dataset.id === String(id))!;
const historyCalls = (): unknown[] => calls.filter((c) => c.cmd === "history").map((c) => c.args.request);
const text = (el: Element | null): string => (el?.textContent ?? "").replace(/\s+/g, " ").trim();

describe("the list of sends", () => {
  it("shows the open request's sends, newest first, with time, status, method, URL, environment and duration", async () => {
    await panel.follow(LABEL);
    expect(document.querySelector('[data-testid="history"]')).toBe(panel.element);
    expect(text(panel.element.querySelector("h3"))).toBe("History");
    expect(rows().map((r) => r.dataset.id)).toEqual(["9", "7"]);

    const newest = row(9);
    expect(text(newest.querySelector(".history-when"))).toBe("1 min ago");
    expect(newest.querySelector(".history-when")!.getAttribute("title")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const status = q("history-status-code", newest)!;
    expect(status.textContent).toBe("404");
    expect(status.classList.contains("badge-error")).toBe(true);
    expect(q("history-status-code", row(7))!.classList.contains("badge-ok")).toBe(true);
    expect(text(newest.querySelector(".history-method"))).toBe("POST");
    expect(q("history-url", newest)!.textContent).toBe("https://pizza.example.com/orders?page=9");
    expect(q("history-env", newest)!.textContent).toBe("Staging");
    expect(q("history-env", row(7))).toBeNull();
    expect(text(newest.querySelector(".history-duration"))).toBe("1.50 s");
  });

  it("says so when nothing was sent yet", async () => {
    sends = [];
    await panel.follow(null);
    expect(rows()).toEqual([]);
    expect(q("history-empty")!.hidden).toBe(false);
    expect(q("history-empty")!.textContent).toBe("No sends yet — Send keeps each one here.");
  });

  it("asks for the followed request's sends, or all sends with the toggle, and for all when no saved request is open", async () => {
    await panel.follow(LABEL);
    expect(historyCalls()).toEqual([LABEL]);
    expect(q("history-scope-this")!.getAttribute("aria-pressed")).toBe("true");

    q<HTMLButtonElement>("history-scope-all")!.click();
    await vi.waitFor(() => expect(rows().map((r) => r.dataset.id)).toEqual(["9", "8", "7"]));
    expect(historyCalls()).toEqual([LABEL, null]);
    expect(q("history-scope-all")!.getAttribute("aria-pressed")).toBe("true");

    q<HTMLButtonElement>("history-scope-this")!.click();
    await vi.waitFor(() => expect(rows().map((r) => r.dataset.id)).toEqual(["9", "7"]));
    expect(historyCalls()).toEqual([LABEL, null, LABEL]);

    await panel.follow(null);
    expect(historyCalls()).toEqual([LABEL, null, LABEL, null]);
    expect(q<HTMLButtonElement>("history-scope-this")!.disabled).toBe(true);
    expect(q("history-scope-all")!.getAttribute("aria-pressed")).toBe("true");
  });

  it("holds at most a page of rows, and Show more asks for more", async () => {
    sends = Array.from({ length: HISTORY_PAGE + 5 }, (_, i) => send(1000 - i));
    await panel.follow(LABEL);
    expect(rows()).toHaveLength(HISTORY_PAGE);
    const more = q<HTMLButtonElement>("history-more")!;
    expect(more.hidden).toBe(false);
    more.click();
    await vi.waitFor(() => expect(rows()).toHaveLength(HISTORY_PAGE + 5));
    expect(calls.filter((c) => c.cmd === "history").map((c) => c.args.limit)).toEqual([HISTORY_PAGE, 2 * HISTORY_PAGE]);
    expect(more.hidden).toBe(true);
  });

  it("says in the panel when the history cannot be read, and Retry reads it again", async () => {
    failing.history = { kind: "storage", message: "the history file is locked" };
    await panel.follow(LABEL);
    expect(q("history-problem")!.hidden).toBe(false);
    expect(q("history-problem-text")!.textContent).toBe("Could not read the history: the history file is locked");
    delete failing.history;
    q<HTMLButtonElement>("history-retry")!.click();
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    expect(q("history-problem")!.hidden).toBe(true);
  });
});

describe("a row", () => {
  it("opens its kept report in the response pane on a click", async () => {
    await panel.follow(LABEL);
    row(7).click();
    await vi.waitFor(() => expect(shown).toHaveLength(1));
    expect(calls.filter((c) => c.cmd === "history_entry").map((c) => c.args.id)).toEqual([7]);
    expect(shown[0].report.response.body).toBe('{"kept": 7}');
    expect(shown[0].label).toMatch(/^Sent \d\d:\d\d:\d\d$/);
    expect(row(7).classList.contains("open")).toBe(true);
  });

  it("is a button: Enter on it opens it, arrow keys move to the next and previous rows", async () => {
    await panel.follow(null);
    const open = (id: number): HTMLButtonElement => q<HTMLButtonElement>("history-open", row(id))!;
    expect(open(9).tagName).toBe("BUTTON");
    open(9).focus();
    open(9).dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true, cancelable: true }));
    expect(document.activeElement).toBe(open(8));
    open(8).dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true, cancelable: true }));
    expect(document.activeElement).toBe(open(7));
    open(7).dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowUp", bubbles: true, cancelable: true }));
    expect(document.activeElement).toBe(open(8));
    // Enter on a button clicks it.
    open(8).click();
    await vi.waitFor(() => expect(shown.map((s) => s.report.response.body)).toEqual(['{"kept": 8}']));
  });

  it("says in the panel when the send cannot be opened", async () => {
    failing.history_entry = { kind: "storage", message: "no such send" };
    await panel.follow(LABEL);
    row(9).click();
    await vi.waitFor(() => expect(q("history-problem")!.hidden).toBe(false));
    expect(q("history-problem-text")!.textContent).toBe("Could not open the send: no such send");
    expect(shown).toEqual([]);
  });

  it("sends again: the new report is shown and the list reloaded with the new send on top", async () => {
    await panel.follow(LABEL);
    q<HTMLButtonElement>("history-send-again", row(7))!.click();
    await vi.waitFor(() => expect(rows().map((r) => r.dataset.id)).toEqual(["10", "9", "7"]));
    expect(calls.filter((c) => c.cmd === "send_again").map((c) => c.args.id)).toEqual([7]);
    expect(calls.some((c) => c.cmd === "history_entry")).toBe(false);
    expect(shown).toHaveLength(1);
    expect(shown[0].label).toBe("Sent again");
    expect(shown[0].report.response.status).toBe(201);
    expect(historyCalls()).toEqual([LABEL, LABEL]);
  });
});

describe("comparing two sends", () => {
  const tick = (id: number): void => {
    const box = q<HTMLInputElement>("history-compare", row(id))!;
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
  };

  it("offers Compare with exactly two ticked, and shows the older-to-newer diff with its lines marked", async () => {
    await panel.follow(null);
    expect(q("history-compare-button")).toBeNull();
    tick(9);
    expect(q("history-compare-button")).toBeNull();
    tick(7);
    tick(8);
    expect(q("history-compare-button")).toBeNull();
    tick(8);
    q<HTMLButtonElement>("history-compare-button")!.click();
    await vi.waitFor(() => expect(q("history-diff")).not.toBeNull());
    // Ticking the newer first still compares older → newer.
    expect(calls.filter((c) => c.cmd === "history_diff").map((c) => c.args)).toEqual([{ before: 7, after: 9 }]);
    // Ticking a box does not open the send.
    expect(shown).toEqual([]);

    const diff = q("history-diff")!;
    expect(diff.tagName).toBe("PRE");
    expect(diff.textContent).toBe(DIFF);
    const kind = (line: string): string =>
      [...diff.querySelectorAll(".diff-line")].find((l) => l.textContent === `${line}\n`)!.className.replace("diff-line ", "");
    expect(kind("--- send 7")).toBe("diff-file");
    expect(kind("+++ send 9")).toBe("diff-file");
    expect(kind("@@ -1,4 +1,4 @@")).toBe("diff-hunk");
    expect(kind("-HTTP 200")).toBe("diff-del");
    expect(kind("+HTTP 404")).toBe("diff-add");
    expect(kind(" Content-Type: application/json")).toBe("diff-context");

    q<HTMLButtonElement>("history-diff-close")!.click();
    expect(q("history-diff")).toBeNull();
    expect(q("history-diff-box")!.hidden).toBe(true);
  });

  it("says in the panel when the sends cannot be compared", async () => {
    failing.history_diff = { kind: "storage", message: "send 7 is no longer kept" };
    await panel.follow(null);
    tick(7);
    tick(8);
    q<HTMLButtonElement>("history-compare-button")!.click();
    await vi.waitFor(() => expect(q("history-problem")!.hidden).toBe(false));
    expect(q("history-problem-text")!.textContent).toBe("Could not compare the sends: send 7 is no longer kept");
    expect(q("history-diff")).toBeNull();
  });
});

describe("the helpers", () => {
  it("say how long ago a send was", () => {
    expect(relativeTime(NOW - 3_000, NOW)).toBe("just now");
    expect(relativeTime(NOW - 40_000, NOW)).toBe("40 s ago");
    expect(relativeTime(NOW - 2 * 60_000 - 5_000, NOW)).toBe("2 min ago");
    expect(relativeTime(NOW - 3 * 3_600_000, NOW)).toBe("3 h ago");
    expect(relativeTime(NOW - 2 * 86_400_000, NOW)).toBe("2 d ago");
    expect(relativeTime(NOW - 30 * 86_400_000, NOW)).toMatch(/^[A-Z][a-z]{2} \d{1,2} \d\d:\d\d:\d\d$/);
  });

  it("colour statuses by class", () => {
    expect([200, 204, 301, 404, 500, 0].map(statusBadgeTone)).toEqual(["ok", "ok", "info", "error", "error", "warn"]);
  });

  it("tell a diff's header lines from removed and added ones", () => {
    expect(diffLines("send 1 and send 2 were answered alike: same status, headers and body\n")).toEqual([
      { kind: "note", text: "send 1 and send 2 were answered alike: same status, headers and body" },
    ]);
  });
});

describe("an Apex mock of a send", () => {
  it("opens from the row with that send's responses, without opening the send", async () => {
    await panel.follow(LABEL);
    q<HTMLButtonElement>("history-apex-mock", row(9))!.click();
    const area = await vi.waitFor(() => {
      const found = document.querySelector<HTMLTextAreaElement>('[data-testid="apex-mock-dialog"] [data-testid="apex-mock-text"]');
      expect(found?.value).toBe("public class RecordedCalloutMock implements HttpCalloutMock {}");
      return found!;
    });
    expect(area.readOnly).toBe(true);
    expect(calls.filter((c) => c.cmd === "apex_mock").map((c) => c.args)).toEqual([{ ids: [9], className: "RecordedCalloutMock", finalOnly: false }]);
    expect(calls.some((c) => c.cmd === "history_entry")).toBe(false);
    expect(shown).toEqual([]);
  });
});

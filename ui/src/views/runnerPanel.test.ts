// @vitest-environment happy-dom
// The runner as a person uses it: a folder run from the tree, its rows filled
// in as the shell's events arrive, Stop, the totals, a step opened (mouse or
// keyboard) with its assertions and its response, and Re-run failures. The
// shell's commands and events are played by Tauri's test mocks.
import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AssertionResult } from "../bindings/AssertionResult";
import type { RunPlanned } from "../bindings/RunPlanned";
import type { RunResult } from "../bindings/RunResult";
import type { RunStep } from "../bindings/RunStep";
import type { RunSummary } from "../bindings/RunSummary";
import type { Totals } from "../bindings/Totals";
import type { SendReport } from "../pending-types";
import { RunnerPanel, runLabel } from "./runnerPanel";

const ROOT = "/home/you/acme-api";
const steps: RunStep[] = [
  { index: 0, iteration: 1, path: "Accounts/create.toml", name: "Accounts/Expects created" },
  { index: 1, iteration: 1, path: "Accounts/list.toml", name: "Accounts/List accounts" },
  { index: 2, iteration: 1, path: "Accounts/one.toml", name: "Accounts/One account" },
];
const planned = (id: number, list = steps): RunPlanned => ({ id, root: ROOT, collection: "Acme", target: "Accounts", environment: "Sandbox", steps: list });

const statusIs = (value: string, passed: boolean, message: string): AssertionResult => ({
  assertion: { subject: "status", path: "", check: "equals", value },
  passed,
  actual: "200",
  message,
});

const result = (step: RunStep, more: Partial<RunResult> = {}): RunResult => ({
  step,
  state: "passed",
  status: 200,
  assertions: [statusIs("200", true, "status 200, as expected")],
  extracted: [],
  verdicts: [],
  attempts: 1,
  refreshes: 0,
  durationMs: 12,
  credential: "Sandbox",
  ...more,
});
const failed = result(steps[0], { state: "failed", assertions: [statusIs("201", false, "expected status 201, got 200")] });

const totals = (more: Partial<Totals> = {}): Totals => ({ passed: 2, failed: 1, errored: 0, needsReauthorization: 0, skipped: 0, assertions: 4, assertionsFailed: 1, ...more });
const summary = (results: RunResult[], stopped = false): RunSummary => ({
  collection: "Acme",
  target: "Accounts",
  environment: "Sandbox",
  startedAtMs: 0,
  durationMs: 43,
  results,
  credentials: [{ credential: "Sandbox", expiries: 1, refreshes: 1, refreshFailures: 0, requests: 3 }],
  stopped,
});

const report: SendReport = {
  request: { method: "GET", url: "http://127.0.0.1:8787/rfc6750/accounts/2", headers: [], body: "" },
  lint: [],
  response: { status: 200, headers: [{ name: "Content-Type", value: "application/json" }], body: '{"ok":true}', truncated: false, elapsedMs: 12 },
  verdict: { expired: false, rule: null, reason: "HTTP 200", salesforce: { wouldRefresh: false, reason: "-" } },
  attempts: [],
};

type Call = { cmd: string; args: Record<string, unknown> };
let calls: Call[];
let refuse: Record<string, unknown>;
let nextId: number;
let panel: RunnerPanel;
let shown: number;
let closed: number;

beforeEach(async () => {
  calls = [];
  refuse = {};
  nextId = 7;
  shown = 0;
  closed = 0;
  mockIPC(
    (cmd, args) => {
      calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
      if (cmd in refuse) throw refuse[cmd];
      switch (cmd) {
        case "run_collection":
        case "rerun_failures":
          return nextId++;
        case "stop_run":
          return true;
        case "run_step_report":
          return report;
        default:
          return null;
      }
    },
    { shouldMockEvents: true },
  );
  document.body.replaceChildren();
  panel = new RunnerPanel({ shown: () => shown++, close: () => closed++ });
  document.body.append(panel.element);
  await panel.ready;
});

afterEach(() => {
  panel.dispose();
  clearMocks();
});

const q = (css: string): HTMLElement | null => panel.element.querySelector<HTMLElement>(css);
const text = (el: Element | null): string => (el?.textContent ?? "").replace(/\s+/g, " ").trim();
const rows = (): HTMLElement[] => [...panel.element.querySelectorAll<HTMLElement>('[data-testid="run-step"]')];
const marks = (): string[] => rows().map((row) => `${text(row.querySelector('[data-testid="run-mark"]'))} ${row.dataset.name} ${row.dataset.state}`);
const press = (el: HTMLElement, key: string): void => {
  el.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
};
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
const commands = (): string[] => calls.map((c) => c.cmd);

async function runFolder(): Promise<void> {
  await panel.start(ROOT, "Accounts", runLabel("Acme", "Accounts"));
  await emit("run-planned", planned(7));
}

describe("a run", () => {
  it("starts in the shell and shows every step waiting, then each result as it arrives", async () => {
    expect(panel.element.hidden).toBe(true);
    await runFolder();
    expect(calls[0]).toEqual({ cmd: "run_collection", args: { root: ROOT, target: "Accounts", iterations: null, parallel: null } });
    expect(panel.element.hidden).toBe(false);
    expect(shown).toBe(1);
    expect(text(q('[data-testid="run-title"]'))).toBe("Run: Acme / Accounts");
    expect(text(q('[data-testid="run-progress"]'))).toBe("0 / 3");
    expect(marks()).toEqual(["· Accounts/Expects created waiting", "· Accounts/List accounts waiting", "· Accounts/One account waiting"]);

    // A request on its way is marked as such until its result comes.
    await emit("run-step-started", { id: 7, index: 1 });
    expect(marks()[1]).toBe("… Accounts/List accounts sending");
    expect(rows()[1].dataset.state).toBe("sending");
    await emit("run-step", { id: 7, result: result(steps[1]) });
    await emit("run-step", { id: 7, result: failed });
    expect(text(q('[data-testid="run-progress"]'))).toBe("2 / 3");
    expect(marks()).toEqual(["✗ Accounts/Expects created failed", "✓ Accounts/List accounts passed", "· Accounts/One account waiting"]);
    expect(rows()[0].getAttribute("aria-label")).toBe("Accounts/Expects created, iteration 1, failed, HTTP 200, 12 ms, 1 assertion failed");
    expect(text(rows()[1])).toContain("HTTP 200");
    // While it goes on: Stop, and no totals yet.
    expect(q('[data-testid="run-stop"]')!.hidden).toBe(false);
    expect(q('[data-testid="run-totals"]')!.hidden).toBe(true);
    expect(q('[data-testid="run-rerun-failures"]')!.hidden).toBe(true);
  });

  it("ends with the totals, the credentials' story and Re-run failures, which starts a run of the failures", async () => {
    await runFolder();
    const results = [failed, result(steps[1]), result(steps[2])];
    for (const r of results) await emit("run-step", { id: 7, result: r });
    await emit("run-finished", { id: 7, summary: summary(results), totals: totals() });

    const shownTotals = text(q('[data-testid="run-totals"]'));
    expect(shownTotals).toContain("2 passed");
    expect(shownTotals).toContain("1 failed");
    expect(shownTotals).not.toContain("skipped");
    expect(shownTotals).toContain("Assertions: 1 of 4 failed.");
    expect(shownTotals).toContain("Sandbox: 3 requests, 1 token expiry, 1 refresh");
    expect(q('[data-testid="run-stop"]')!.hidden).toBe(true);
    expect(text(q('[data-testid="run-status"]'))).toBe("Run finished: 2 passed, 1 did not pass.");

    const rerun = q('[data-testid="run-rerun-failures"]') as HTMLButtonElement;
    expect(rerun.hidden).toBe(false);
    rerun.click();
    await settle();
    expect(calls.at(-1)).toEqual({ cmd: "rerun_failures", args: { id: 7 } });
    await emit("run-planned", planned(8, [steps[0]]));
    expect(marks()).toEqual(["· Accounts/Expects created waiting"]);
    expect(text(q('[data-testid="run-progress"]'))).toBe("0 / 1");
    expect(q('[data-testid="run-totals"]')!.hidden).toBe(true);
    // The old run's late events change nothing.
    await emit("run-step", { id: 7, result: result(steps[0]) });
    expect(marks()).toEqual(["· Accounts/Expects created waiting"]);
  });

  it("offers no Re-run failures when everything passed", async () => {
    await runFolder();
    const results = steps.map((s) => result(s));
    await emit("run-finished", { id: 7, summary: summary(results), totals: totals({ passed: 3, failed: 0, assertionsFailed: 0 }) });
    expect(marks().every((m) => m.startsWith("✓"))).toBe(true);
    expect(q('[data-testid="run-rerun-failures"]')!.hidden).toBe(true);
    expect(q('[data-testid="run-again"]')!.hidden).toBe(false);
  });

  it("stops: the shell is asked, the steps not started end skipped", async () => {
    await runFolder();
    await emit("run-step", { id: 7, result: result(steps[0]) });
    (q('[data-testid="run-stop"]') as HTMLButtonElement).click();
    await settle();
    expect(calls.at(-1)).toEqual({ cmd: "stop_run", args: { id: 7 } });
    const skipped = (s: RunStep): RunResult => result(s, { state: "skipped", status: undefined, assertions: [], durationMs: 0 });
    const results = [result(steps[0]), skipped(steps[1]), skipped(steps[2])];
    await emit("run-finished", { id: 7, summary: summary(results, true), totals: totals({ passed: 1, failed: 0, skipped: 2, assertions: 1, assertionsFailed: 0 }) });
    expect(marks()).toEqual(["✓ Accounts/Expects created passed", "– Accounts/List accounts skipped", "– Accounts/One account skipped"]);
    expect(text(q('[data-testid="run-totals"]'))).toContain("Stopped");
    expect(text(q('[data-testid="run-totals"]'))).toContain("2 skipped");
    expect(text(rows()[1])).toContain("not run");
  });

  it("says why it did not start when the shell refuses", async () => {
    refuse.run_collection = { kind: "invalidRequest", message: "another run (run 3) is still going on: wait for it to finish, or stop it first" };
    await panel.start(ROOT, "Accounts");
    expect(text(q('[data-testid="run-problem"]'))).toBe("Not run: another run (run 3) is still going on: wait for it to finish, or stop it first");
    expect(q('[data-testid="run-stop"]')!.hidden).toBe(true);
  });

  it("goes back to the editor, leaving the run going", async () => {
    await runFolder();
    (q('[data-testid="run-close"]') as HTMLButtonElement).click();
    expect(closed).toBe(1);
    expect(panel.element.hidden).toBe(true);
    expect(commands()).not.toContain("stop_run");
    // Its next run brings it back.
    await emit("run-planned", planned(8));
    expect(panel.element.hidden).toBe(false);
  });
});

describe("a step opened", () => {
  beforeEach(async () => {
    await runFolder();
    for (const r of [failed, result(steps[1]), result(steps[2])]) await emit("run-step", { id: 7, result: r });
  });

  it("shows its assertions' results and its response, from the run's kept send", async () => {
    rows()[0].click();
    await vi.waitFor(() => expect(q('[data-testid="run-detail"] [data-testid="response-status"]')).not.toBeNull());
    expect(calls.at(-1)).toEqual({ cmd: "run_step_report", args: { id: 7, index: 0 } });
    const assertion = q('[data-testid="step-assertion"]')!;
    expect(assertion.dataset.passed).toBe("false");
    expect([...assertion.children].map(text)).toEqual(["✗", "status equals 201", "expected status 201, got 200"]);
    expect(assertion.querySelector('[role="img"]')!.getAttribute("aria-label")).toBe("failed");
    expect(text(q('[data-testid="run-detail-title"]'))).toBe("✗ Accounts/Expects created");
    expect(text(q('[data-testid="response-status"]'))).toBe("HTTP 200");
    expect(rows()[0].getAttribute("aria-selected")).toBe("true");
  });

  it("is reached with the keyboard: arrows move between rows, Enter opens", async () => {
    const list = q('[role="listbox"]')!;
    expect(list.getAttribute("aria-label")).toBe("Steps of the run");
    expect(rows().map((r) => [r.getAttribute("role"), r.tabIndex])).toEqual([
      ["option", 0],
      ["option", -1],
      ["option", -1],
    ]);
    rows()[0].focus();
    press(rows()[0], "ArrowDown");
    expect(document.activeElement).toBe(rows()[1]);
    press(rows()[1], "ArrowDown");
    press(rows()[2], "ArrowDown");
    expect(document.activeElement).toBe(rows()[2]);
    press(rows()[2], "Home");
    expect(document.activeElement).toBe(rows()[0]);
    press(rows()[0], "End");
    press(rows()[2], "ArrowUp");
    press(rows()[1], "Enter");
    await vi.waitFor(() => expect(text(q('[data-testid="run-detail-title"]'))).toBe("✓ Accounts/List accounts"));
    expect(calls.at(-1)).toEqual({ cmd: "run_step_report", args: { id: 7, index: 1 } });
    expect(rows().map((r) => r.tabIndex)).toEqual([-1, 0, -1]);
  });

  it("that was never sent says why, with Re-authorize when its credential needs it", async () => {
    const reauthorize = vi.fn(() => Promise.resolve());
    panel.dispose();
    panel = new RunnerPanel({ shown: () => undefined, close: () => undefined, reauthorize });
    document.body.replaceChildren(panel.element);
    await panel.ready;
    nextId = 7;
    await panel.start(ROOT, "Accounts");
    await emit("run-planned", planned(7));
    const needs = result(steps[2], {
      state: "needsReauthorization",
      status: undefined,
      assertions: [],
      error: { kind: "needsReauthorization", message: "Sandbox needs authorizing again: the provider refused the refresh (invalid_grant)" },
    });
    await emit("run-step", { id: 7, result: needs });
    expect(marks()[2]).toBe("⟳ Accounts/One account needsReauthorization");
    const before = calls.length;
    rows()[2].click();
    await settle();
    expect(calls.length).toBe(before);
    expect(text(q('[data-testid="send-error"]'))).toContain("the provider refused the refresh");
    (q('[data-testid="send-error-reauthorize"]') as HTMLButtonElement).click();
    expect(reauthorize).toHaveBeenCalledWith("Sandbox");
  });
});

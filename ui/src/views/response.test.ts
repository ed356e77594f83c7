// @vitest-environment happy-dom
// The response panel after a send that met an expired session: the refused
// first attempt (HTTP 500, the SOAP fault), the refresh, and the retry. Every
// attempt that sent a request opens, by mouse or keyboard.
import { beforeEach, describe, expect, it } from "vitest";
import type { Attempt } from "../bindings/Attempt";
import type { DisplayRequest } from "../bindings/DisplayRequest";
import type { Received } from "../bindings/Received";
import type { Verdict } from "../bindings/Verdict";
import type { SendReport } from "../pending-types";
import { ResponsePanel } from "./response";

const FAULT = '<?xml version="1.0"?><soapenv:Envelope><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode></soapenv:Fault></soapenv:Body></soapenv:Envelope>';
const OK = '<?xml version="1.0"?><soapenv:Envelope><soapenv:Body><queryResponse><size>2</size></queryResponse></soapenv:Body></soapenv:Envelope>';

const expired: Verdict = {
  expired: true,
  rule: "soap.invalid_session",
  reason: "HTTP 500 with a SOAP fault whose faultcode is sf:INVALID_SESSION_ID: the session expired.",
  salesforce: { wouldRefresh: false, reason: "A Named Credential refreshes only on HTTP 401; this was HTTP 500." },
};
const fine: Verdict = { expired: false, rule: null, reason: "HTTP 200: no sign of an expired token.", salesforce: { wouldRefresh: false, reason: "HTTP 200 is not 401." } };

const sent = (token: string): DisplayRequest => ({
  method: "POST",
  url: "http://127.0.0.1:8787/services/Soap/u/59.0",
  headers: [{ name: "Content-Type", value: "text/xml" }],
  body: `<sessionId>${token}</sessionId>`,
});
const fault: Received = { status: 500, headers: [{ name: "Content-Type", value: "text/xml" }, { name: "X-Attempt", value: "1" }], body: FAULT, truncated: false, elapsedMs: 12 };
const ok: Received = { status: 200, headers: [{ name: "Content-Type", value: "text/xml" }], body: OK, truncated: false, elapsedMs: 9 };

const attempts: Attempt[] = [
  { step: "sent", number: 1, request: sent("••••k2Q1"), status: 500, durationMs: 12, verdict: expired, response: fault },
  { step: "refreshed", credential: "Sandbox", trigger: "soap.invalid_session" },
  { step: "sent", number: 2, request: sent("••••k2Q2"), status: 200, durationMs: 9, verdict: fine, response: ok },
];
const report: SendReport = { request: sent("••••k2Q2"), lint: [], response: ok, verdict: fine, attempts };

let panel: ResponsePanel;
beforeEach(() => {
  document.body.replaceChildren();
  panel = new ResponsePanel();
  document.body.append(panel.element);
  panel.show(report);
});

const q = (css: string): HTMLElement | null => panel.element.querySelector<HTMLElement>(css);
const rows = (): HTMLElement[] => [...panel.element.querySelectorAll<HTMLElement>('[data-testid="attempt"]')];
const detail = (): HTMLElement | null => q('[data-testid="attempt-detail"]');
const text = (el: Element | null): string => (el?.textContent ?? "").replace(/\s+/g, " ");
const press = (el: HTMLElement, key: string): void => {
  el.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
};

describe("the attempts of a send", () => {
  it("are rows a person can reach with Tab, except the refresh, which sent nothing", () => {
    expect(rows().map((r) => r.dataset.step)).toEqual(["sent", "refreshed", "sent"]);
    expect(rows().map((r) => [r.getAttribute("role"), r.tabIndex, r.getAttribute("aria-expanded")])).toEqual([
      ["button", 0, "false"],
      [null, -1, null],
      ["button", 0, "false"],
    ]);
    // Closed, the final response is what is shown.
    expect(detail()).toBeNull();
    expect(q('[data-testid="response-status"]')!.textContent).toBe("HTTP 200");
    expect(q('[data-testid="response-body"]')).not.toBeNull();
  });

  it("open the refused first attempt on a click: its request as sent and the HTTP 500 fault, pretty-printed", () => {
    rows()[0].click();

    expect(rows()[0].getAttribute("aria-expanded")).toBe("true");
    expect(rows()[2].getAttribute("aria-expanded")).toBe("false");
    const open = detail()!;
    expect(open.id).toBe(rows()[0].getAttribute("aria-controls"));
    expect(text(open.querySelector("h3"))).toBe("Attempt 1 of 2: the first send");
    expect(text(open.querySelector('[data-testid="attempt-detail-request"]'))).toBe(
      "POST http://127.0.0.1:8787/services/Soap/u/59.0 Content-Type: text/xml <sessionId>••••k2Q1</sessionId>",
    );
    expect(open.querySelector('[data-testid="attempt-detail-status"]')!.textContent).toBe("HTTP 500");
    const body = open.querySelector('[data-testid="attempt-detail-body"] .cm-content')!;
    expect(body.textContent).toContain("<faultcode>sf:INVALID_SESSION_ID</faultcode>");
    // Pretty-printed like the main response: one element a line.
    expect([...body.querySelectorAll(".cm-line")].map((l) => l.textContent!.trim())).toContain("<faultcode>sf:INVALID_SESSION_ID</faultcode>");
    expect(text(open)).toContain("X-Attempt");
    expect(text(open)).toContain(expired.reason);
    // The final response's own headers and body give way to the attempt.
    expect(q('[data-testid="response-body"]')).toBeNull();
  });

  it("switch to another attempt, and close back to the final response", () => {
    rows()[0].click();
    rows()[2].click();

    expect(rows().map((r) => r.getAttribute("aria-expanded"))).toEqual(["false", null, "true"]);
    expect(detail()!.querySelector('[data-testid="attempt-detail-status"]')!.textContent).toBe("HTTP 200");
    expect(text(detail()!.querySelector("h3"))).toBe("Attempt 2 of 2: the retry with the refreshed token");
    expect(text(detail()!.querySelector('[data-testid="attempt-detail-request"]'))).toContain("••••k2Q2");

    rows()[2].click();
    expect(detail()).toBeNull();
    expect(rows().map((r) => r.getAttribute("aria-expanded"))).toEqual(["false", null, "false"]);
    expect(q('[data-testid="response-body"] .cm-content')!.textContent).toContain("<size>2</size>");
  });

  it("open and close from the keyboard: Enter or Space on a row, Escape or the close button inside", () => {
    const first = rows()[0];
    first.focus();
    press(first, "Enter");
    expect(detail()).not.toBeNull();
    press(first, " ");
    expect(detail()).toBeNull();

    press(first, " ");
    press(detail()!.querySelector<HTMLElement>('[data-testid="attempt-detail-close"]')!, "Escape");
    expect(detail()).toBeNull();
    expect(document.activeElement).toBe(first);

    press(rows()[2], "Enter");
    detail()!.querySelector<HTMLElement>('[data-testid="attempt-detail-close"]')!.click();
    expect(detail()).toBeNull();
    expect(document.activeElement).toBe(rows()[2]);
  });

  it("keep which attempt is open in the state the editor stores, and show it again", () => {
    rows()[0].click();
    const state = panel.state;
    expect(state).toMatchObject({ kind: "report", opened: 0 });

    panel.idle();
    expect(rows()).toEqual([]);
    panel.restore(state);
    expect(rows()[0].getAttribute("aria-expanded")).toBe("true");
    expect(detail()!.querySelector('[data-testid="attempt-detail-status"]')!.textContent).toBe("HTTP 500");
  });

  it("show an attempt that failed on the way with its request and why no response came", () => {
    const failed: SendReport = {
      ...report,
      attempts: [{ step: "failed", number: 1, request: sent("••••k2Q1"), error: { kind: "transport", message: "connection refused" } }],
    };
    panel.show(failed);
    rows()[0].click();
    expect(detail()!.querySelector('[data-testid="attempt-detail-status"]')!.textContent).toBe("No response");
    expect(text(detail())).toContain("connection refused");
    expect(detail()!.querySelector('[data-testid="attempt-detail-body"]')).toBeNull();
  });
});

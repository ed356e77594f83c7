import { describe, expect, it } from "vitest";
import type { Attempt } from "../bindings/Attempt";
import type { Received } from "../bindings/Received";
import type { Verdict } from "../bindings/Verdict";
import { attemptDetail, headlineVerdict, stepViews, verdictSides, verdictsDisagree } from "./verdict";

const received = (status: number): Received => ({ status, headers: [], body: "", truncated: false, elapsedMs: 5 });

const soapExpired: Verdict = {
  expired: true,
  rule: "soap.invalid_session",
  reason: "The SOAP fault's faultcode is sf:INVALID_SESSION_ID: the session expired.",
  salesforce: {
    wouldRefresh: false,
    reason: "A Named Credential refreshes only on HTTP 401; this was HTTP 500, so it would not refresh.",
  },
};
const ok: Verdict = {
  expired: false,
  rule: null,
  reason: "HTTP 200: no sign of an expired token.",
  salesforce: { wouldRefresh: false, reason: "HTTP 200 is not 401: no refresh." },
};
const request = { method: "POST", url: "http://127.0.0.1:1/services/Soap/u/60.0", headers: [], body: null };

describe("verdictSides", () => {
  it("puts both sentences side by side with expired / would-not-refresh badges", () => {
    const { ours, salesforce } = verdictSides(soapExpired);
    expect(ours.sentence).toBe(soapExpired.reason);
    expect(ours.badges.map((b) => b.text)).toEqual(["expired", "would refresh", "rule soap.invalid_session"]);
    expect(salesforce.sentence).toContain("only on HTTP 401");
    expect(salesforce.badges).toEqual([{ text: "would not refresh", tone: "error" }]);
  });
  it("shows a healthy response as not expired on both sides", () => {
    const { ours, salesforce } = verdictSides(ok);
    expect(ours.badges).toEqual([{ text: "not expired", tone: "ok" }]);
    expect(salesforce.badges).toEqual([{ text: "no refresh", tone: "ok" }]);
  });
  it("knows when the verdicts disagree", () => {
    expect(verdictsDisagree(soapExpired)).toBe(true);
    expect(verdictsDisagree(ok)).toBe(false);
  });
});

describe("stepViews", () => {
  it("reads sent → expired → refreshed → retried", () => {
    const attempts: Attempt[] = [
      { step: "sent", number: 1, request, status: 500, durationMs: 12, verdict: soapExpired, response: received(500) },
      { step: "refreshed", credential: "Sandbox", trigger: "soap.invalid_session" },
      { step: "sent", number: 2, request, status: 200, durationMs: 9, verdict: ok, response: received(200) },
    ];
    const steps = stepViews(attempts);
    expect(steps.map((s) => s.title)).toEqual([
      "Sent: POST → HTTP 500 — token expired",
      "Refreshed Sandbox's token (trigger: soap.invalid_session)",
      "Retried: POST → HTTP 200",
    ]);
    expect(steps.map((s) => s.tone)).toEqual(["warn", "ok", "ok"]);
    expect(steps[0].detail).toBe(`12 ms · ${soapExpired.reason}`);
  });
  it("shows failures with the error message", () => {
    const steps = stepViews([
      { step: "refreshFailed", credential: "Sandbox", trigger: null, error: { kind: "needsReauthorization", message: "invalid_grant" } },
      { step: "refreshSkipped", reason: "The credential has no refresh token." },
    ]);
    expect(steps[0]).toMatchObject({ tone: "error", detail: "invalid_grant", title: "Refreshing Sandbox failed" });
    expect(steps[1].detail).toBe("The credential has no refresh token.");
  });
  it("warns when the keychain did not take the refreshed tokens", () => {
    const [step] = stepViews([
      { step: "refreshed", credential: "Sandbox", trigger: null, notStored: "the keychain is locked" },
    ]);
    expect(step.tone).toBe("warn");
    expect(step.detail).toContain("the keychain did not take the new tokens (the keychain is locked)");
    expect(step.detail).toContain("kept in memory");
  });
});

describe("headlineVerdict", () => {
  it("headlines the expired first response when a refresh and retry followed", () => {
    const attempts: Attempt[] = [
      { step: "sent", number: 1, request, status: 500, durationMs: 12, verdict: soapExpired, response: received(500) },
      { step: "refreshed", credential: "Sandbox", trigger: "soap.invalid_session" },
      { step: "sent", number: 2, request, status: 200, durationMs: 9, verdict: ok, response: received(200) },
    ];
    const headline = headlineVerdict(attempts, ok, 200);
    expect(headline.verdict).toBe(soapExpired);
    expect(headline.caption).toBe("Verdict on the first response (HTTP 500); after the refresh the retry got HTTP 200.");
  });
  it("uses the final verdict when nothing expired", () => {
    const attempts: Attempt[] = [{ step: "sent", number: 1, request, status: 200, durationMs: 5, verdict: ok, response: received(200) }];
    expect(headlineVerdict(attempts, ok, 200)).toEqual({ verdict: ok, caption: "Verdict on the response (HTTP 200)." });
  });
  it("headlines an expiry that could not be refreshed", () => {
    const attempts: Attempt[] = [{ step: "sent", number: 1, request, status: 500, durationMs: 5, verdict: soapExpired, response: received(500) }];
    expect(headlineVerdict(attempts, soapExpired, 500).verdict.expired).toBe(true);
  });
});

describe("attemptDetail", () => {
  const attempts: Attempt[] = [
    { step: "sent", number: 1, request, status: 500, durationMs: 12, verdict: soapExpired, response: { ...received(500), body: "<fault/>" } },
    { step: "refreshed", credential: "Sandbox", trigger: "soap.invalid_session" },
    { step: "sent", number: 2, request, status: 200, durationMs: 9, verdict: ok, response: received(200) },
  ];
  it("opens the refused first attempt with its own response and verdict", () => {
    expect(attemptDetail(attempts, 0)).toEqual({
      title: "Attempt 1 of 2: the first send",
      status: "HTTP 500",
      tone: "error",
      request,
      response: { ...received(500), body: "<fault/>" },
      verdict: soapExpired,
      error: null,
    });
  });
  it("names the retry after a refresh", () => {
    expect(attemptDetail(attempts, 2)).toMatchObject({ title: "Attempt 2 of 2: the retry with the refreshed token", status: "HTTP 200", tone: "ok" });
  });
  it("has nothing to open for a refresh step or an index past the end", () => {
    expect(attemptDetail(attempts, 1)).toBeNull();
    expect(attemptDetail(attempts, 3)).toBeNull();
    expect(stepViews(attempts).map((s) => s.openable)).toEqual([true, false, true]);
  });
  it("opens a failed attempt with why no response came", () => {
    const failed: Attempt[] = [{ step: "failed", number: 1, request, error: { kind: "transport", message: "connection refused" } }];
    expect(attemptDetail(failed, 0)).toMatchObject({ status: "No response", response: null, verdict: null, error: "connection refused" });
  });
});

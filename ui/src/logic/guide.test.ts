import { describe, expect, it } from "vitest";
import type { Event } from "../bindings/Event";
import type { CredentialView, StatusView } from "../pending-types";
import { guideComplete, guideSteps } from "./guide";
import { ev, refreshAttempt, requestSent, retry, tokenIssued, verdict } from "./timelineFixtures";

const sandbox = (status: StatusView): CredentialView => ({
  protocolLabel: "Auth code + PKCE",
  credential: {
    name: "Sandbox",
    endpoint: "http://127.0.0.1:8787",
    protocol: "authorizationCode",
    clientAuth: "body",
    identityType: "namedPrincipal",
    salesforce: {
      generateAuthorizationHeader: true,
      allowMergeFieldsInHeader: false,
      allowMergeFieldsInBody: true,
      additionalRefreshStatusCodes: [],
    },
  },
  status,
  sandbox: true,
  hasClientSecret: true,
  notice: null,
});

const notAuthorized: StatusView = { state: "notAuthorized", line: "not authorized yet", expiresAtMs: null, reason: null };
const valid = (expiresAtMs: number): StatusView => ({ state: "valid", line: "valid", expiresAtMs, reason: null });

const done = (steps: ReturnType<typeof guideSteps>): string[] => steps.filter((s) => s.done).map((s) => s.id);

describe("guideSteps", () => {
  it("starts at Authorize", () => {
    const steps = guideSteps(sandbox(notAuthorized), [], 0);
    expect(done(steps)).toEqual([]);
    expect(steps.find((s) => s.current)?.id).toBe("authorize");
  });

  it("ticks Authorize once the Sandbox has a token", () => {
    const steps = guideSteps(sandbox(valid(20_000)), [ev(0, "Sandbox", tokenIssued(20))], 1000);
    expect(done(steps)).toEqual(["authorize"]);
    expect(steps.find((s) => s.current)?.id).toBe("send");
  });

  it("counts down to expiry after the first SOAP send", () => {
    const events = [ev(0, "Sandbox", tokenIssued(20)), ev(2000, "Sandbox", requestSent(200))];
    const steps = guideSteps(sandbox(valid(20_000)), events, 8_000);
    expect(done(steps)).toEqual(["authorize", "send"]);
    const wait = steps.find((s) => s.id === "wait");
    expect(wait?.current).toBe(true);
    expect(wait?.detail).toBe("The token expires in 12 s…");
    expect(wait?.countdown).toBe("12 s");
    expect(steps.filter((s) => s.countdown !== null).map((s) => s.id)).toEqual(["wait"]);
  });

  it("ticks the wait from the clock, without a new event", () => {
    const events = [ev(0, "Sandbox", tokenIssued(20)), ev(2000, "Sandbox", requestSent(200))];
    const steps = guideSteps(sandbox(valid(20_000)), events, 21_000);
    expect(done(steps)).toEqual(["authorize", "send", "wait"]);
    expect(steps.find((s) => s.current)?.id).toBe("again");
  });

  it("does not count a REST send as the SOAP step", () => {
    const rest: Event = ev(2000, "Sandbox", { ...requestSent(200), url: "http://127.0.0.1:1/services/data/v60.0/query" } as never);
    const steps = guideSteps(sandbox(valid(20_000)), [ev(0, "Sandbox", tokenIssued(20)), rest], 3000);
    expect(done(steps)).toEqual(["authorize"]);
  });

  it("finishes when the expiry was detected, refreshed and retried, quoting Salesforce's verdict", () => {
    const events = [
      ev(0, "Sandbox", tokenIssued(20)),
      ev(2000, "Sandbox", requestSent(200)),
      ev(25_000, "Sandbox", requestSent(500)),
      ev(25_001, "Sandbox", verdict(true)),
      ev(25_010, "Sandbox", refreshAttempt("refreshed")),
      ev(25_011, "Sandbox", tokenIssued(20)),
      ev(25_012, "Sandbox", retry()),
    ];
    const steps = guideSteps(sandbox(valid(45_011)), events, 26_000);
    expect(guideComplete(steps)).toBe(true);
    expect(steps[3].detail).toContain("only on 401");
    expect(steps.some((s) => s.current)).toBe(false);
  });

  it("does not finish when the refresh failed", () => {
    const events = [
      ev(0, "Sandbox", tokenIssued(20)),
      ev(2000, "Sandbox", requestSent(200)),
      ev(25_000, "Sandbox", requestSent(500)),
      ev(25_001, "Sandbox", verdict(true)),
      ev(25_010, "Sandbox", refreshAttempt("failed")),
    ];
    const steps = guideSteps(sandbox(valid(20_000)), events, 26_000);
    expect(done(steps)).toEqual(["authorize", "send", "wait"]);
  });

  it("ignores sends from before the latest authorization", () => {
    const authorized: Event = ev(10_000, "Sandbox", { kind: "authorized", flow: "authorizationCode", scopes: [] });
    const events = [ev(0, "Sandbox", tokenIssued(20)), ev(2000, "Sandbox", requestSent(200)), authorized, ev(10_001, "Sandbox", tokenIssued(20))];
    expect(done(guideSteps(sandbox(valid(30_001)), events, 11_000))).toEqual(["authorize"]);
  });

  it("asks to authorize again when the Sandbox needs re-authorization", () => {
    const reauth: StatusView = { state: "needsReauthorization", line: "needs re-authorization", expiresAtMs: null, reason: "x" };
    const steps = guideSteps(sandbox(reauth), [ev(0, "Sandbox", tokenIssued(20))], 1);
    expect(steps[0].done).toBe(false);
  });
});

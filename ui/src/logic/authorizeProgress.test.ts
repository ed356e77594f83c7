import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AuthorizeProgress } from "../pending-types";
import { windowTimers } from "../ui/timers";
import { applyProgress, progressHeadline, redirectUriOf, STILL_WAITING_MS, stillWaitingChecks, WaitWatch, type Check } from "./authorizeProgress";

const at = (stage: AuthorizeProgress["stage"], message = ""): AuthorizeProgress => ({
  credential: "Sandbox",
  stage,
  message,
  url: stage === "waitingForBrowser" ? "http://127.0.0.1:1/authorize?x" : null,
});

describe("applyProgress", () => {
  it("shows intermediate stages, whoever started the authorization", () => {
    expect(applyProgress(at("waitingForBrowser"), true)).toEqual({ show: at("waitingForBrowser"), notice: null, reload: false });
    expect(applyProgress(at("opening"), false).show?.stage).toBe("opening");
  });
  it("leaves the end of the window's own authorization to the command's result", () => {
    expect(applyProgress(at("authorized"), true)).toEqual({ show: null, notice: null, reload: false });
    expect(applyProgress(at("cancelled"), true).show?.stage).toBe("cancelled");
  });
  it("ends a tray-started authorization with a notice and a reload", () => {
    expect(applyProgress(at("authorized"), false)).toEqual({
      show: null,
      notice: { text: "Sandbox is authorized.", tone: "ok" },
      reload: true,
    });
    expect(applyProgress(at("failed", "access_denied: the user said no"), false).notice).toEqual({
      text: "Could not authorize Sandbox: access_denied: the user said no",
      tone: "error",
    });
    expect(applyProgress(at("cancelled"), false)).toEqual({ show: null, notice: null, reload: true });
  });
});

describe("progressHeadline", () => {
  it("says what the app waits for", () => {
    expect(progressHeadline(at("waitingForBrowser", "listening on 127.0.0.1:5"))).toBe("Waiting for the browser…");
    expect(progressHeadline(at("opening", "Opening the browser…"))).toBe("Opening the browser…");
  });
});

const SIGN_IN =
  "http://127.0.0.1:8787/oauth/authorize?response_type=code&client_id=callout-lab-sandbox&state=s1&code_challenge=c&code_challenge_method=S256&redirect_uri=http%3A%2F%2F127.0.0.1%3A53121%2Fcallback";
const waitingAt = (url: string | null = SIGN_IN, credential = "Sandbox"): AuthorizeProgress => ({
  credential,
  stage: "waitingForBrowser",
  message: "Sign in in the browser; waiting up to 300 s for it to come back",
  url,
});
const text = (check: Check): string => check.map((part) => (typeof part === "string" ? part : `<${part.code}>`)).join("");

describe("redirectUriOf", () => {
  it("reads the loopback redirect from the sign-in URL", () => {
    expect(redirectUriOf(SIGN_IN)).toBe("http://127.0.0.1:53121/callback");
    expect(redirectUriOf("http://127.0.0.1:8787/device")).toBeNull();
    expect(redirectUriOf("not a url")).toBeNull();
    expect(redirectUriOf(null)).toBeNull();
  });
});

describe("stillWaitingChecks", () => {
  it("names the browser, the page's errors, the exact redirect URL and starting over", () => {
    const checks = stillWaitingChecks("authorizationCode", waitingAt()).map(text);
    expect(checks).toHaveLength(4);
    expect(checks[0]).toContain("A browser window or tab opened — perhaps on another desktop");
    expect(checks[1]).toContain("The sign-in page shows no error");
    expect(checks[2]).toContain("registered at the provider is exactly <http://127.0.0.1:53121/callback>");
    expect(checks[2]).toContain("the path /callback");
    expect(checks[3]).toBe("Cancel, then Authorize again, starts over with a fresh sign-in.");
  });

  it("still asks for the redirect URL when the sign-in URL does not carry it", () => {
    expect(text(stillWaitingChecks("authorizationCode", waitingAt("http://idp.example.com/authorize"))[2])).toContain("its redirect_uri");
  });

  it("asks about the device page and the code for the device flow", () => {
    const checks = stillWaitingChecks("deviceCode", waitingAt("https://idp.example.com/device?user_code=ABCD")).map(text);
    expect(checks[0]).toContain("<https://idp.example.com/device?user_code=ABCD>");
    expect(checks.join(" ")).not.toContain("redirect");
    expect(checks[2]).toContain("starts over with a new code");
  });
});

describe("WaitWatch", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("is due once an authorization has waited for the browser a while, and starts over with the next one", () => {
    const due: string[] = [];
    const watch = new WaitWatch(windowTimers, (name) => due.push(name));
    const inFlight = new Map<string, AuthorizeProgress>([["Sandbox", at("opening")]]);
    watch.sync(inFlight);
    vi.advanceTimersByTime(STILL_WAITING_MS);
    expect(watch.due("Sandbox")).toBe(false);

    inFlight.set("Sandbox", waitingAt());
    watch.sync(inFlight);
    vi.advanceTimersByTime(STILL_WAITING_MS - 1);
    expect([watch.due("Sandbox"), due]).toEqual([false, []]);
    // Another progress event of the same wait does not restart the count.
    watch.sync(new Map(inFlight));
    vi.advanceTimersByTime(1);
    expect([watch.due("Sandbox"), due]).toEqual([true, ["Sandbox"]]);

    // Cancelled, then authorized again: a new wait, a new count.
    inFlight.set("Sandbox", at("cancelled"));
    watch.sync(inFlight);
    expect(watch.due("Sandbox")).toBe(false);
    inFlight.delete("Sandbox");
    watch.sync(inFlight);
    inFlight.set("Sandbox", waitingAt());
    watch.sync(inFlight);
    vi.advanceTimersByTime(STILL_WAITING_MS - 1);
    expect(watch.due("Sandbox")).toBe(false);
    vi.advanceTimersByTime(1);
    expect([watch.due("Sandbox"), due]).toEqual([true, ["Sandbox", "Sandbox"]]);
  });

  it("does not fire for an authorization that ended before it was due", () => {
    const due: string[] = [];
    const watch = new WaitWatch(windowTimers, (name) => due.push(name));
    watch.sync(new Map([["Pizza", waitingAt(SIGN_IN, "Pizza")]]));
    vi.advanceTimersByTime(STILL_WAITING_MS / 2);
    watch.sync(new Map());
    vi.advanceTimersByTime(STILL_WAITING_MS * 2);
    expect(due).toEqual([]);
    expect(watch.due("Pizza")).toBe(false);
  });
});

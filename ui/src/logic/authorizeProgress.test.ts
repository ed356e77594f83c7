import { describe, expect, it } from "vitest";
import type { AuthorizeProgress } from "../pending-types";
import { applyProgress, progressHeadline } from "./authorizeProgress";

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

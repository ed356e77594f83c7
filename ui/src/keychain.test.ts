import { describe, expect, it } from "vitest";
import { failureView, keychainView } from "./keychain";

describe("keychain card", () => {
  it("shows a working keychain as ok with the check's own summary", () => {
    const view = keychainView({
      backend: "Secret Service",
      available: true,
      summary: "Secret Service is available: a test secret was stored, read back and deleted.",
      error: null,
    });
    expect(view).toEqual({
      tone: "ok",
      text: "Secret Service is available: a test secret was stored, read back and deleted.",
    });
  });

  it("says the keychain is unavailable when the Secret Service is not running", () => {
    const view = keychainView({
      backend: "Secret Service",
      available: false,
      summary: "the OS keychain is unavailable while trying to store ...",
      error: { kind: "keychainUnavailable", message: "the OS keychain is unavailable ..." },
    });
    expect(view.tone).toBe("error");
    expect(view.text.startsWith("Keychain unavailable: ")).toBe(true);
  });

  it("calls other keychain failures a problem, not unavailability", () => {
    const view = keychainView({
      backend: "Secret Service",
      available: false,
      summary: "Secret Service answered but did not keep the test secret",
      error: null,
    });
    expect(view.text.startsWith("Keychain problem: ")).toBe(true);
  });

  it("reports a failed command with its message", () => {
    expect(failureView(new Error("command check_keychain not found"))).toEqual({
      tone: "error",
      text: "The keychain check could not run: command check_keychain not found",
    });
    expect(failureView("plain string").text).toContain("plain string");
  });
});

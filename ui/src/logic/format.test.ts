import { describe, expect, it } from "vitest";
import type { AuthProtocol } from "../bindings/AuthProtocol";
import {
  authorizeLabel,
  claimValue,
  countdownText,
  formatBytes,
  formatDuration,
  formatMs,
  hasTokenToShow,
  liveStatus,
  needsAction,
  offersRepair,
  refreshTokenLine,
  renewsWithoutUser,
  shortTime,
  utf8Length,
} from "./format";

describe("formatDuration", () => {
  it("shows seconds below a minute", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(19_999)).toBe("19 s");
  });
  it("shows minutes and zero-padded seconds", () => {
    expect(formatDuration(4 * 60_000 + 3_000)).toBe("4 min 03 s");
  });
  it("shows hours and minutes, then days and hours", () => {
    expect(formatDuration(2 * 3600_000 + 5 * 60_000)).toBe("2 h 05 min");
    expect(formatDuration(3 * 86400_000 + 4 * 3600_000)).toBe("3 d 4 h");
  });
  it("never shows a negative duration", () => {
    expect(formatDuration(-5000)).toBe("0 s");
  });
});

describe("countdownText", () => {
  it("counts down to expiry, rounding up so 0.2 s left is not 'in 0 s'", () => {
    expect(countdownText(10_200, 10_000)).toBe("expires in 1 s");
    expect(countdownText(30_000, 10_000)).toBe("expires in 20 s");
  });
  it("counts up after expiry", () => {
    expect(countdownText(10_000, 13_500)).toBe("expired 3 s ago");
  });
  it("says when no expiry is known", () => {
    expect(countdownText(null, 1)).toBe("expiry unknown");
  });
});

describe("liveStatus", () => {
  const status = { state: "valid" as const, line: "valid for 20 s", expiresAtMs: 50_000, reason: null };
  it("ticks the countdown locally while valid", () => {
    expect(liveStatus(status, 40_000)).toEqual({ state: "valid", line: "valid for 10 s", tone: "ok" });
  });
  it("turns into expired when the clock passes expiry, without waiting for the shell", () => {
    expect(liveStatus(status, 52_000)).toEqual({ state: "expired", line: "expired 2 s ago", tone: "warn" });
  });
  it("keeps the shell's line for states without a clock", () => {
    const reauth = { state: "needsReauthorization" as const, line: "needs re-authorization", expiresAtMs: null, reason: "invalid_grant" };
    expect(liveStatus(reauth, 1)).toEqual({ state: "needsReauthorization", line: "needs re-authorization", tone: "error" });
    const unknown = { state: "unknownExpiry" as const, line: "lifetime unknown", expiresAtMs: null, reason: null };
    expect(liveStatus(unknown, 1).line).toBe("lifetime unknown");
  });
});

describe("authorizeLabel", () => {
  it("offers Authorize before the first authorization and Re-authorize after", () => {
    expect(authorizeLabel("notAuthorized")).toBe("Authorize");
    expect(authorizeLabel("needsReauthorization")).toBe("Re-authorize");
    expect(authorizeLabel("expired")).toBe("Re-authorize");
    expect(authorizeLabel("noAuthentication")).toBeNull();
  });
});

describe("sizes and times", () => {
  it("formats bytes", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(2048)).toBe("2.0 KB");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3.0 MB");
  });
  it("counts UTF-8 bytes, not UTF-16 units", () => {
    expect(utf8Length("abc")).toBe(3);
    expect(utf8Length("é")).toBe(2);
    expect(utf8Length("€")).toBe(3);
    expect(utf8Length("😀")).toBe(4);
  });
  it("formats request durations", () => {
    expect(formatMs(87)).toBe("87 ms");
    expect(formatMs(1234)).toBe("1.23 s");
    expect(formatMs(12_345)).toBe("12.3 s");
  });
  it("shows time claims as dates too", () => {
    expect(claimValue("exp", 0)).toMatch(/^0 \(19(70|69)-/);
    expect(claimValue("exp", 9223372036854775807)).toBe("9223372036854776000 (beyond any calendar date)");
    expect(claimValue("sub", "user")).toBe("user");
    expect(claimValue("scp", ["a", "b"])).toBe('["a","b"]');
  });
});

describe("shortTime", () => {
  it("shows only the clock for today and the date for other days", () => {
    const at = new Date(2026, 10, 22, 9, 5, 7).getTime();
    expect(shortTime(at, new Date(2026, 10, 22, 23).toDateString())).toBe("09:05:07");
    expect(shortTime(at, new Date(2026, 10, 23).toDateString())).toBe("Nov 22 09:05:07");
  });
});

describe("a broken credential", () => {
  const broken = { state: "broken", line: "broken: its keychain entry cannot be read", expiresAtMs: null, reason: "x" } as const;
  it("reads as an error that needs a person", () => {
    expect(liveStatus(broken, 0)).toEqual({ state: "broken", line: broken.line, tone: "error" });
    expect(needsAction("broken")).toBe(true);
  });
  it("offers Repair and Re-authorize, and no stored token", () => {
    expect(offersRepair("broken")).toBe(true);
    expect(authorizeLabel("broken")).toBe("Re-authorize");
    expect(hasTokenToShow("broken")).toBe(false);
  });
  it("is the only state that offers Repair", () => {
    for (const state of ["valid", "expired", "unknownExpiry", "notAuthorized", "needsReauthorization", "noAuthentication"] as const) {
      expect(offersRepair(state)).toBe(false);
    }
    expect(needsAction("valid")).toBe(false);
    expect(hasTokenToShow("valid")).toBe(true);
  });
});

describe("a token without a refresh token", () => {
  const none = { refreshToken: "none", refreshRotated: null } as const;
  const of = (protocol: AuthProtocol, more: { tokenUrl?: string; issuer?: string } = {}) => ({ protocol, ...more });

  it("is renewed without the user for client credentials, JWT bearer, and password with a token endpoint", () => {
    expect(renewsWithoutUser(of("clientCredentials"))).toBe(true);
    expect(renewsWithoutUser(of("jwtBearer"))).toBe(true);
    expect(renewsWithoutUser(of("password", { tokenUrl: "https://idp.example.com/token" }))).toBe(true);
    expect(renewsWithoutUser(of("password", { issuer: "https://idp.example.com" }))).toBe(true);
    expect(renewsWithoutUser(of("password"))).toBe(false);
    expect(renewsWithoutUser(of("authorizationCode"))).toBe(false);
    expect(renewsWithoutUser(of("deviceCode"))).toBe(false);
  });

  it("says new tokens come automatically where they do, and that the user must sign in again where they must", () => {
    expect(refreshTokenLine(none, of("clientCredentials"))).toBe("not used: new tokens are obtained automatically with the client secret when needed");
    expect(refreshTokenLine(none, of("jwtBearer"))).toBe("not used: new tokens are obtained automatically with a newly signed assertion when needed");
    expect(refreshTokenLine(none, of("password", { tokenUrl: "https://idp.example.com/token" }))).toBe(
      "not used: new tokens are obtained automatically with the stored login when needed",
    );
    expect(refreshTokenLine(none, of("authorizationCode"))).toBe("none (a new authorization is needed when the token expires)");
    expect(refreshTokenLine(none, of("deviceCode"))).toBe("none (a new authorization is needed when the token expires)");
    expect(refreshTokenLine(none, undefined)).toBe("none");
  });

  it("is not what a held refresh token says", () => {
    expect(refreshTokenLine({ refreshToken: "present", refreshRotated: true }, of("authorizationCode"))).toBe("present · rotated on the last refresh");
    expect(refreshTokenLine({ refreshToken: "present", refreshRotated: false }, of("clientCredentials"))).toBe("present · not rotated");
    expect(refreshTokenLine({ refreshToken: "present", refreshRotated: null }, of("deviceCode"))).toBe("present");
  });
});

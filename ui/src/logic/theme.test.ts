import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, parseSettings, resolveTheme } from "./theme";

describe("resolveTheme", () => {
  it("follows the OS unless overridden", () => {
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("system", false)).toBe("light");
    expect(resolveTheme("light", true)).toBe("light");
    expect(resolveTheme("dark", false)).toBe("dark");
  });
});

describe("parseSettings", () => {
  it("reads valid numbers and an empty keep-alive as none", () => {
    expect(
      parseSettings({ clipboardClearSeconds: "45", keepAliveDefaultSeconds: "", keeperMarginSeconds: "60", theme: "dark" }),
    ).toEqual({
      settings: { ...DEFAULT_SETTINGS, clipboardClearSeconds: 45, keepAliveDefaultSeconds: null, keeperMarginSeconds: 60, theme: "dark" },
      problems: {},
    });
  });
  it("names each invalid field", () => {
    const { problems } = parseSettings({
      clipboardClearSeconds: "-1",
      keepAliveDefaultSeconds: "0",
      keeperMarginSeconds: "1.5",
      theme: "neon",
    });
    expect(Object.keys(problems).sort()).toEqual(["clipboardClearSeconds", "keepAliveDefaultSeconds", "keeperMarginSeconds", "theme"]);
    expect(problems.keepAliveDefaultSeconds).toContain("at least 1");
    expect(problems.theme).toBe("Choose Follow the system, Light or Dark.");
  });
  // The backend's Settings::validate (crates/core/src/settings.rs) refuses these.
  const valid = { clipboardClearSeconds: "30", keepAliveDefaultSeconds: "", keeperMarginSeconds: "60", theme: "system" };
  it("takes the clipboard time between 1 s and an hour, as the backend does", () => {
    for (const refused of ["0", "3601"]) {
      expect(parseSettings({ ...valid, clipboardClearSeconds: refused }).problems).toEqual({
        clipboardClearSeconds: "Enter a whole number of seconds between 1 and 3600.",
      });
    }
    for (const accepted of ["1", "3600"]) {
      expect(parseSettings({ ...valid, clipboardClearSeconds: accepted })).toEqual({
        settings: { ...DEFAULT_SETTINGS, clipboardClearSeconds: Number(accepted) },
        problems: {},
      });
    }
  });
  it("takes a keeper margin of at most a day, as the backend does", () => {
    expect(parseSettings({ ...valid, keeperMarginSeconds: "86401" }).problems).toEqual({
      keeperMarginSeconds: "Enter a whole number of seconds between 0 and 86400.",
    });
    expect(parseSettings({ ...valid, keeperMarginSeconds: "0" }).problems).toEqual({});
    expect(parseSettings({ ...valid, keeperMarginSeconds: "86400" }).settings.keeperMarginSeconds).toBe(86_400);
  });
  it("reads the history's retention in sends and days, within the backend's ranges", () => {
    const valid = { clipboardClearSeconds: "30", keepAliveDefaultSeconds: "", keeperMarginSeconds: "60", theme: "system" };
    expect(parseSettings({ ...valid, historyKeepCount: "200", historyKeepDays: "7" }).settings).toMatchObject({ historyKeepCount: 200, historyKeepDays: 7 });
    expect(parseSettings({ ...valid, historyKeepCount: "0", historyKeepDays: "3651" }).problems).toEqual({
      historyKeepCount: "Enter a whole number of sends between 1 and 1000000.",
      historyKeepDays: "Enter a whole number of days between 1 and 3650.",
    });
  });
});

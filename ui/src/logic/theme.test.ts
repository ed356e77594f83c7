import { describe, expect, it } from "vitest";
import { parseSettings, resolveTheme } from "./theme";

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
      settings: { clipboardClearSeconds: 45, keepAliveDefaultSeconds: null, keeperMarginSeconds: 60, theme: "dark" },
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
    expect(Object.keys(problems).sort()).toEqual(["clipboardClearSeconds", "keepAliveDefaultSeconds", "keeperMarginSeconds"]);
    expect(problems.keepAliveDefaultSeconds).toContain("at least 1");
  });
});

import { describe, expect, it } from "vitest";
import { locationName, offersReauthorize, placeText, toReport, toastText } from "./errors";

describe("toReport", () => {
  it("keeps the shell's ErrorReport with its place", () => {
    const report = {
      kind: "mergeField",
      message: "unknown merge field {!$Credential.Nope} in the body at line 3, column 5",
      location: { part: "body" },
      at: { line: 3, column: 5 },
    };
    expect(toReport(report)).toEqual(report);
  });
  it("turns an Error or a string into a UI error with its message", () => {
    expect(toReport(new Error("boom"))).toEqual({ kind: "ui", message: "boom" });
    expect(toReport("Command list_credentials not found")).toEqual({
      kind: "ui",
      message: "Command list_credentials not found",
    });
  });
});

describe("placeText", () => {
  it("names the part and the line and column", () => {
    expect(placeText({ location: { part: "body" }, at: { line: 3, column: 17 } })).toBe(
      "in the body, line 3, column 17",
    );
  });
  it("names a header by its name", () => {
    expect(placeText({ location: { part: "header", header: "Authorization" }, at: { line: 1, column: 8 } })).toBe(
      'in header "Authorization", line 1, column 8',
    );
    expect(locationName({ part: "url" })).toBe("the URL");
  });
  it("is empty without a place", () => {
    expect(placeText({})).toBe("");
  });
});

describe("toasts", () => {
  it("say what was being done and what went wrong", () => {
    expect(toastText("Could not refresh Sandbox", { kind: "refresh", message: "invalid_grant: token expired" })).toBe(
      "Could not refresh Sandbox: invalid_grant: token expired",
    );
  });
  it("offer Re-authorize only for needsReauthorization", () => {
    expect(offersReauthorize({ kind: "needsReauthorization", message: "x" })).toBe(true);
    expect(offersReauthorize({ kind: "refresh", message: "x" })).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { errorHeadline, locationName, messageText, offersReauthorize, placeText, toReport, toastText, whereText } from "./errors";

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
  it("names a header by its name and gives only the column in a one-line part", () => {
    expect(placeText({ location: { part: "header", header: "Authorization" }, at: { line: 1, column: 8 } })).toBe(
      'in header "Authorization", column 8',
    );
    expect(placeText({ location: { part: "url" }, at: { line: 1, column: 12 } })).toBe("in the URL, column 12");
    expect(whereText({ location: { part: "header", header: "X-Token" }, at: { line: 1, column: 1 } })).toBe('header "X-Token", column 1');
    expect(locationName({ part: "url" })).toBe("the URL");
  });
  it("is empty without a place", () => {
    expect(placeText({})).toBe("");
  });
});

describe("messageText", () => {
  it("drops the line number the engine gives for a header or the URL", () => {
    const message = 'unknown merge field {!$Credential.Nope} in the header "Authorization" at line 1, column 8; known fields: …';
    expect(messageText({ message, location: { part: "header", header: "Authorization" } })).toBe(
      'unknown merge field {!$Credential.Nope} in the header "Authorization" at column 8; known fields: …',
    );
  });
  it("keeps lines in the body", () => {
    const message = "unknown merge field {!$Credential.Nope} in the body at line 1, column 8";
    expect(messageText({ message, location: { part: "body" } })).toBe(message);
  });
});

describe("errorHeadline", () => {
  it("does not say a draft was not sent before Send was pressed", () => {
    expect(errorHeadline({ kind: "mergeField" }, "draft")).toBe("Fix this merge field before sending.");
    expect(errorHeadline({ kind: "invalidRequest" }, "draft")).toBe("This request cannot be sent yet.");
    expect(errorHeadline({ kind: "unknownCredential" }, "draft")).not.toMatch(/not sent|nothing/i);
  });
  it("says a refused Send sent nothing, and refreshed nothing", () => {
    expect(errorHeadline({ kind: "mergeField" }, "refused")).toBe("Not sent — nothing went out and no token was refreshed.");
    expect(errorHeadline({ kind: "unknownCredential" }, "refused")).toBe("Not sent — nothing went out.");
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

import { describe, expect, it } from "vitest";
import { errorRange, offsetOf, positionOf } from "./position";

describe("offsetOf", () => {
  const text = "<a>\n  <b>{!$Credential.Nope}</b>\n</a>";
  it("maps line 1 column 1 to the start", () => {
    expect(offsetOf(text, { line: 1, column: 1 })).toBe(0);
  });
  it("maps a position on a later line", () => {
    const offset = offsetOf(text, { line: 2, column: 6 });
    expect(text.slice(offset, offset + 2)).toBe("{!");
  });
  it("counts columns in characters, so an emoji before the field is one column", () => {
    const emoji = "😀 {!$Credential.X}";
    const offset = offsetOf(emoji, { line: 1, column: 3 });
    expect(emoji.slice(offset, offset + 2)).toBe("{!");
    expect(offset).toBe(3);
  });
  it("clamps past the end of a line or the text", () => {
    expect(offsetOf("ab\ncd", { line: 1, column: 99 })).toBe(2);
    expect(offsetOf("ab\ncd", { line: 9, column: 1 })).toBe(5);
  });
  it("round-trips with positionOf", () => {
    for (const offset of [0, 3, 4, 9, 20, text.length]) {
      expect(offsetOf(text, positionOf(text, offset))).toBe(offset);
    }
  });
});

describe("errorRange", () => {
  it("covers the whole merge field including the closing brace", () => {
    const text = "x {!$Credential.Nope} y";
    expect(errorRange(text, 2)).toEqual({ from: 2, to: 21 });
    expect(text.slice(2, 21)).toBe("{!$Credential.Nope}");
  });
  it("runs to the end of the line for an unclosed field", () => {
    const text = "a {!$Credential.OAuthToken\nnext }";
    const range = errorRange(text, 2);
    expect(text.slice(range.from, range.to)).toBe("{!$Credential.OAuthToken");
  });
  it("marks one character elsewhere", () => {
    expect(errorRange("abc", 1)).toEqual({ from: 1, to: 2 });
  });
});

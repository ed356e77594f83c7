// @vitest-environment happy-dom
// Merge fields and variables in a header's value: marked behind the text,
// completed from the keyboard like in the body editor, the input staying a plain <input>.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MERGE_COMPLETIONS } from "../logic/mergeFields";
import * as store from "../store";
import { applyCompletion, fieldEnd, markRuns, MergeInput, variableCompletion } from "./mergeInput";

const token = MERGE_COMPLETIONS.find((c) => c.label === "$Credential.OAuthToken")!;
const encode = MERGE_COMPLETIONS.find((c) => c.label.startsWith("HTMLENCODE"))!;

describe("markRuns", () => {
  it("cuts a value into text and merge fields, each of its kind", () => {
    expect(markRuns("Bearer {!$Credential.OAuthToken} x {!$Credential.Nope}", [])).toEqual([
      { text: "Bearer ", kind: null },
      { text: "{!$Credential.OAuthToken}", kind: "field" },
      { text: " x ", kind: null },
      { text: "{!$Credential.Nope}", kind: "unknown" },
    ]);
    expect(markRuns("plain", [])).toEqual([{ text: "plain", kind: null }]);
    expect(markRuns("", [])).toEqual([]);
  });
  it("cuts out variables too, known by the names given", () => {
    expect(markRuns("{{auth}}, {!$Credential.Username} {{ nope }} {{tok", ["auth"])).toEqual([
      { text: "{{auth}}", kind: "variable" },
      { text: ", ", kind: null },
      { text: "{!$Credential.Username}", kind: "field" },
      { text: " ", kind: null },
      { text: "{{ nope }}", kind: "unknown-variable" },
      { text: " ", kind: null },
      { text: "{{tok", kind: "unclosed-variable" },
    ]);
  });
});

describe("applyCompletion", () => {
  it("completes what was typed after {! and closes the field", () => {
    expect(applyCompletion("Bearer {!OAu", 9, 12, token)).toEqual({ value: "Bearer {!$Credential.OAuthToken}", selection: [32, 32] });
  });
  it("does not double a } already there, and replaces the rest of a name the caret is in", () => {
    const value = "Bearer {!$Cred.Old}";
    expect(fieldEnd(value, 14)).toBe(18);
    expect(applyCompletion(value, 9, fieldEnd(value, 14), token)).toEqual({ value: "Bearer {!$Credential.OAuthToken}", selection: [32, 32] });
  });
  it("selects the field inside HTMLENCODE( ) to be changed", () => {
    const { value, selection } = applyCompletion("{!", 2, 2, encode);
    expect(value).toBe("{!HTMLENCODE($Credential.OAuthToken)}");
    expect(value.slice(...selection)).toBe("$Credential.OAuthToken");
  });
  it("completes a variable with }}, not doubling the }} already there", () => {
    const version = variableCompletion("api-version");
    expect(applyCompletion("{{api", 2, 5, version)).toEqual({ value: "{{api-version}}", selection: [15, 15] });
    expect(applyCompletion("{{api}}/x", 2, 5, version)).toEqual({ value: "{{api-version}}/x", selection: [15, 15] });
    expect(applyCompletion("{{ api }}", 3, 6, version)).toEqual({ value: "{{ api-version }}", selection: [17, 17] });
    expect(applyCompletion("{{api}", 2, 5, version)).toEqual({ value: "{{api-version}}", selection: [15, 15] });
  });
  it("replaces the rest of a variable's name the caret is in, dashes and dots included", () => {
    const value = "{{api-ver.x}}";
    expect(fieldEnd(value, 4)).toBe(11);
    expect(applyCompletion(value, 2, fieldEnd(value, 4), variableCompletion("api-version")).value).toBe("{{api-version}}");
  });
  it("selects nothing for a variable named like HTMLENCODE", () => {
    expect(applyCompletion("{{HT", 2, 4, variableCompletion("HTMLBody")).selection).toEqual([12, 12]);
  });
});

describe("a header value with merge fields and variables", () => {
  afterEach(() => store.variableNames.set([]));

  let input: HTMLInputElement;
  let merge: MergeInput;
  let seen: string[];
  beforeEach(() => {
    document.body.replaceChildren();
    store.variableNames.set(["instance_url", "access_token", "api-version"]);
    input = document.createElement("input");
    seen = [];
    input.addEventListener("input", () => seen.push(input.value));
    merge = new MergeInput(input);
    document.body.append(merge.element);
    input.focus();
  });

  const typeText = (text: string): void => {
    const at = input.selectionStart ?? input.value.length;
    input.value = input.value.slice(0, at) + text + input.value.slice(input.selectionEnd ?? at);
    input.setSelectionRange(at + text.length, at + text.length);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const press = (key: string, init: KeyboardEventInit = {}): void => {
    input.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init }));
  };
  const list = (): HTMLElement => merge.element.querySelector<HTMLElement>('[role="listbox"]')!;
  const options = (): string[] => [...list().querySelectorAll(".merge-option")].map((o) => o.textContent!);
  const marks = (): string[][] => [...merge.element.querySelectorAll(".merge-backdrop mark")].map((m) => [m.textContent!, m.className]);

  it("marks the merge fields behind the text", () => {
    input.value = "Bearer {!$Credential.OAuthToken}";
    merge.draw();
    const marks = [...merge.element.querySelectorAll(".merge-backdrop mark")];
    expect(marks.map((m) => [m.textContent, m.className])).toEqual([["{!$Credential.OAuthToken}", "merge-mark"]]);
    typeText(" {!$Credential.Nope}");
    expect(merge.element.querySelector(".merge-backdrop mark.merge-unknown")!.textContent).toBe("{!$Credential.Nope}");
  });

  it("offers the fields after {!, narrows them as one types, and completes with Enter", () => {
    typeText("Bearer {!");
    expect(list().hidden).toBe(false);
    expect(input.getAttribute("aria-expanded")).toBe("true");
    expect(options()).toEqual(MERGE_COMPLETIONS.map((c) => c.label));

    typeText("OAuth");
    expect(options()).toEqual(["$Credential.OAuthToken", "$Credential.OAuthConsumerKey"]);
    press("ArrowDown");
    expect(input.getAttribute("aria-activedescendant")).toBe(list().querySelectorAll("li")[1].id);
    press("ArrowUp");
    press("Enter");

    expect(input.value).toBe("Bearer {!$Credential.OAuthToken}");
    expect(input.selectionStart).toBe(input.value.length);
    expect(list().hidden).toBe(true);
    expect(seen.at(-1)).toBe("Bearer {!$Credential.OAuthToken}");
  });

  it("closes on Escape without changing the value, and completes with Tab", () => {
    typeText("{!");
    press("Escape");
    expect(list().hidden).toBe(true);
    expect(input.value).toBe("{!");
    typeText("User");
    press("Tab");
    expect(input.value).toBe("{!$Credential.Username}");
  });

  it("opens every field on Ctrl+Space outside a field and types the {! too", () => {
    typeText("Basic ");
    expect(list().hidden).toBe(true);
    press(" ", { ctrlKey: true });
    expect(options()).toHaveLength(MERGE_COMPLETIONS.length);
    press("ArrowDown");
    press("ArrowDown");
    press("ArrowDown");
    press("ArrowDown");
    press("Enter");
    expect(input.value).toBe("Basic {!$Credential.AuthorizationHeaderValue}");
  });

  it("marks variables behind the text, known or not, and again when the names change", () => {
    typeText("{{access_token}} {{ api-version }} {{nope}} {{inst");
    expect(marks()).toEqual([
      ["{{access_token}}", "var-mark"],
      ["{{ api-version }}", "var-mark"],
      ["{{nope}}", "var-mark var-unknown"],
      ["{{inst", "var-mark var-unknown"],
    ]);
    store.variableNames.set(["nope"]);
    expect(marks().map(([, className]) => className)).toEqual(["var-mark var-unknown", "var-mark var-unknown", "var-mark", "var-mark var-unknown"]);
  });

  it("offers the variables after {{, narrows them as one types, and completes with Enter", () => {
    typeText("Bearer {{");
    expect(list().hidden).toBe(false);
    expect(list().getAttribute("aria-label")).toBe("Variables");
    expect(options()).toEqual(["instance_url", "access_token", "api-version"]);

    typeText("A");
    expect(options()).toEqual(["access_token", "api-version", "instance_url"]);
    press("ArrowDown");
    press("ArrowDown");
    press("ArrowUp");
    expect(input.getAttribute("aria-activedescendant")).toBe(list().querySelectorAll("li")[1].id);
    press("Enter");

    expect(input.value).toBe("Bearer {{api-version}}");
    expect(input.selectionStart).toBe(input.value.length);
    expect(list().hidden).toBe(true);
    expect(seen.at(-1)).toBe("Bearer {{api-version}}");
    expect(marks()).toEqual([["{{api-version}}", "var-mark"]]);
  });

  it("completes a variable with Tab before a }} already there, and closes on Escape", () => {
    input.value = "x {{ac}} y";
    input.setSelectionRange(6, 6);
    typeText("c");
    expect(options()).toEqual(["access_token"]);
    press("Tab");
    expect(input.value).toBe("x {{access_token}} y");
    expect(input.selectionStart).toBe("x {{access_token}}".length);

    typeText(" {{");
    press("Escape");
    expect(list().hidden).toBe(true);
    expect(input.value).toBe("x {{access_token}} {{ y");
  });

  it("offers no variables when the request has none, nor after what is no name", () => {
    store.variableNames.set([]);
    typeText("{{");
    expect(list().hidden).toBe(true);
    store.variableNames.set(["url"]);
    typeText("1");
    expect(list().hidden).toBe(true);
  });

  it("leaves Ctrl+Enter (Send) to the editor and lets Enter through when no list is open", () => {
    typeText("{!");
    const send = new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true, bubbles: true, cancelable: true });
    input.dispatchEvent(send);
    expect(send.defaultPrevented).toBe(false);
    press("Escape");
    const enter = new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true });
    input.dispatchEvent(enter);
    expect(enter.defaultPrevented).toBe(false);
  });
});

// @vitest-environment happy-dom
// The body editor's tooltips (completions, lint messages) are placed on the page,
// not inside the editor's box, whose edges cut them off; `{{variables}}` are
// marked and completed from the names the open request can use.
import { acceptCompletion, currentCompletions, startCompletion } from "@codemirror/autocomplete";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as store from "../store";
import { BodyEditor } from "./bodyEditor";

let editor: BodyEditor | null = null;
afterEach(() => {
  editor?.destroy();
  editor = null;
  document.body.replaceChildren();
  store.variableNames.set([]);
});

function open(doc: string): BodyEditor {
  const host = document.createElement("div");
  host.className = "body-editor";
  document.body.append(host);
  editor = new BodyEditor({ parent: host, doc, kind: "xml", onChange: () => undefined, onSend: () => undefined });
  return editor;
}

/** The marked texts and their classes. */
function marks(body: BodyEditor): string[][] {
  return [...body.view.contentDOM.querySelectorAll(".cm-merge-field, .cm-var-mark")].map((m) => [m.textContent!, m.className]);
}

/** Accepts the completion chosen, once the list takes keys (it waits a moment after opening). */
async function accept(body: BodyEditor): Promise<void> {
  await vi.waitFor(() => expect(acceptCompletion(body.view)).toBe(true));
}

/** The completions offered at `caret`, once the list is open. */
async function completions(body: BodyEditor, caret: number): Promise<string[]> {
  body.view.dispatch({ selection: { anchor: caret } });
  startCompletion(body.view);
  return vi.waitFor(() => {
    const labels = currentCompletions(body.view.state).map((c) => c.label);
    expect(labels.length).toBeGreaterThan(0);
    return labels;
  });
}

describe("the body editor's tooltips", () => {
  it("open on the page, outside the editor's box", async () => {
    const host = document.createElement("div");
    host.className = "body-editor";
    document.body.append(host);
    editor = new BodyEditor({ parent: host, doc: "<a>{!</a>", kind: "xml", onChange: () => undefined, onSend: () => undefined });
    editor.view.dispatch({ selection: { anchor: 5 } });
    startCompletion(editor.view);

    const tooltip = await vi.waitFor(() => {
      const found = document.querySelector(".cm-tooltip-autocomplete");
      expect(found).not.toBeNull();
      return found!;
    });
    expect(host.contains(tooltip)).toBe(false);
    expect(tooltip.textContent).toContain("$Credential.OAuthToken");
  });
});

describe("variables in the body", () => {
  it("are marked known or unknown, next to merge fields, and again when the names change", () => {
    store.variableNames.set(["session", "org"]);
    const body = open("<a>{{session}}</a><b>{!$Credential.Username}</b><c>{{ nope }}</c><d>{{org");
    expect(marks(body)).toEqual([
      ["{{session}}", "cm-var-mark"],
      ["{!$Credential.Username}", "cm-merge-field"],
      ["{{ nope }}", "cm-var-mark cm-var-unknown"],
      ["{{org", "cm-var-mark cm-var-unknown"],
    ]);
    expect(body.view.contentDOM.querySelector(".cm-var-unknown")!.getAttribute("title")).toBe("not a variable this request's collection has");

    store.variableNames.set(["nope"]);
    expect(marks(body).map(([text, className]) => [text, className])).toEqual([
      ["{{session}}", "cm-var-mark cm-var-unknown"],
      ["{!$Credential.Username}", "cm-merge-field"],
      ["{{ nope }}", "cm-var-mark"],
      ["{{org", "cm-var-mark cm-var-unknown"],
    ]);
  });

  it("stop following the names once the editor is gone", () => {
    const body = open("{{a}}");
    const dispatch = vi.spyOn(body.view, "dispatch");
    store.variableNames.set(["a"]);
    expect(dispatch).toHaveBeenCalledTimes(1);
    body.destroy();
    editor = null;
    store.variableNames.set(["b"]);
    expect(dispatch).toHaveBeenCalledTimes(1);
  });

  it("are completed after {{, prefix matches first, writing the closing }}", async () => {
    store.variableNames.set(["instance_url", "url", "access_token"]);
    const body = open("<a>{{</a>");
    expect(await completions(body, 5)).toEqual(["instance_url", "url", "access_token"]);
    body.view.dispatch({ changes: { from: 5, insert: "ur" }, selection: { anchor: 7 } });
    expect(await completions(body, 7)).toEqual(["url", "instance_url"]);
    await accept(body);
    expect(body.text).toBe("<a>{{url}}</a>");
    expect(body.view.state.selection.main.head).toBe("<a>{{url}}".length);
  });

  it("do not double a }} already there", async () => {
    store.variableNames.set(["access_token"]);
    const body = open("<a>{{acc}}</a>");
    expect(await completions(body, 8)).toEqual(["access_token"]);
    await accept(body);
    expect(body.text).toBe("<a>{{access_token}}</a>");
    expect(body.view.state.selection.main.head).toBe("<a>{{access_token}}".length);
  });
});

describe("merge fields in the body", () => {
  it("are completed without doubling a } already there", async () => {
    const body = open("<a>{!OAuthT}</a>");
    expect((await completions(body, 11))[0]).toBe("$Credential.OAuthToken");
    await accept(body);
    expect(body.text).toBe("<a>{!$Credential.OAuthToken}</a>");
    expect(body.view.state.selection.main.head).toBe("<a>{!$Credential.OAuthToken}".length);
  });
});

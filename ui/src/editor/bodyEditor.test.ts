// @vitest-environment happy-dom
// The body editor's tooltips (completions, lint messages) are placed on the page,
// not inside the editor's box, whose edges cut them off.
import { startCompletion } from "@codemirror/autocomplete";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BodyEditor } from "./bodyEditor";

let editor: BodyEditor | null = null;
afterEach(() => {
  editor?.destroy();
  editor = null;
  document.body.replaceChildren();
});

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

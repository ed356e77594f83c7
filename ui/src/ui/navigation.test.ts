// @vitest-environment happy-dom
// The navigation built from view entries: nav buttons, Ctrl shortcuts, the
// `navigate` event (through Tauri's event code, its IPC played by Tauri's mocks).
import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Navigate } from "../bindings/Navigate";
import { Signal } from "../store";
import { VIEWS } from "../views/registry";
import { checkEntries, installNavigation, shortcutsLine, type Navigation, type ViewEntry } from "./navigation";

/** A view entry whose view is a section with a heading, recording what the shell did to it. */
function entry(id: string, shortcut: string, hooks: { withGuide?: boolean; key?: (event: KeyboardEvent) => boolean } = {}) {
  const calls: string[] = [];
  const navigated: Navigate[] = [];
  const view: ViewEntry = {
    id,
    label: `The ${id} view`,
    icon: "M3 12h18",
    shortcut,
    withGuide: hooks.withGuide,
    mount: () => {
      calls.push("mount");
      const element = document.createElement("section");
      const heading = document.createElement("h1");
      heading.textContent = id;
      element.append(heading);
      return {
        element,
        tick: (now) => calls.push(`tick ${now}`),
        shown: () => calls.push("shown"),
        navigated: (payload) => navigated.push(payload),
        key: hooks.key,
        badge: (show) => show(id === "history" ? 2 : 0, `${id} badge`),
      };
    },
  };
  return { view, calls, navigated };
}

function press(key: string, init: KeyboardEventInit = { ctrlKey: true }): KeyboardEvent {
  const event = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init });
  document.body.dispatchEvent(event);
  return event;
}

let navigation: Navigation | null = null;
let targets: { nav: HTMLElement; main: HTMLElement; foot: HTMLElement; guide: HTMLElement };

beforeEach(() => {
  mockIPC(() => null, { shouldMockEvents: true });
  document.body.innerHTML = '<nav id="nav"></nav><p id="foot"></p><main id="main"></main>';
  targets = {
    nav: document.getElementById("nav")!,
    main: document.getElementById("main")!,
    foot: document.getElementById("foot")!,
    guide: document.createElement("section"),
  };
});
afterEach(() => {
  navigation?.dispose();
  navigation = null;
  clearMocks();
});

describe("installNavigation", () => {
  it("puts a view added in one entry in the nav, with its shortcut, and shows it on Ctrl+its key", () => {
    const views = [entry("credentials", "1", { withGuide: true }), entry("editor", "2"), entry("timeline", "3"), entry("settings", "4"), entry("history", "5")];
    const current = new Signal("credentials");
    navigation = installNavigation(views.map((v) => v.view), targets, current);

    const button = targets.nav.querySelector<HTMLButtonElement>('[data-testid="nav-history"]')!;
    expect(button.textContent).toContain("The history view");
    expect(button.title).toBe("The history view (Ctrl+5)");
    expect(button.getAttribute("aria-keyshortcuts")).toBe("Control+5");
    expect(button.querySelector(".nav-badge")!.textContent).toBe("2");
    expect(targets.foot.textContent).toBe("Ctrl+1–5 switch views");
    const history = navigation.views.get("history")!.element;
    expect(history.parentElement).toBe(targets.main);
    expect(history.hidden).toBe(true);
    expect(targets.guide.classList.contains("guide-off")).toBe(false);

    const event = press("5");
    expect(event.defaultPrevented).toBe(true);
    expect(current.value).toBe("history");
    expect(history.hidden).toBe(false);
    expect(navigation.views.get("credentials")!.element.hidden).toBe(true);
    expect(button.classList.contains("active")).toBe(true);
    expect(button.getAttribute("aria-current")).toBe("page");
    expect(document.activeElement).toBe(history.querySelector("h1"));
    expect(targets.guide.classList.contains("guide-off")).toBe(true);
    expect(targets.main.dataset.view).toBe("history");
    expect(views[4].calls).toEqual(["mount", "shown"]);

    targets.nav.querySelector<HTMLButtonElement>('[data-testid="nav-editor"]')!.click();
    expect(current.value).toBe("editor");
    expect(history.hidden).toBe(true);
  });

  it("leaves keys without Ctrl, with Shift or Alt, and unknown shortcuts alone", () => {
    const current = new Signal("one");
    navigation = installNavigation([entry("one", "1").view, entry("two", "2").view], targets, current);
    for (const event of [press("2", {}), press("2", { ctrlKey: true, shiftKey: true }), press("2", { ctrlKey: true, altKey: true }), press("9")]) {
      expect(event.defaultPrevented).toBe(false);
    }
    expect(current.value).toBe("one");
    press("2", { metaKey: true });
    expect(current.value).toBe("two");
  });

  it("lets the view shown take a key first", () => {
    const sent: string[] = [];
    const editor = entry("editor", "2", {
      key: (event) => {
        if (event.key !== "Enter") return false;
        sent.push("send");
        return true;
      },
    });
    const current = new Signal("editor");
    navigation = installNavigation([entry("credentials", "1").view, editor.view], targets, current);
    press("Enter");
    press("1");
    expect(sent).toEqual(["send"]);
    expect(current.value).toBe("credentials");
    press("Enter");
    expect(sent).toEqual(["send"]);
  });

  it("follows the shell's navigate event to a view in the registry, and ignores one that is not", async () => {
    const credentials = entry("credentials", "1");
    const current = new Signal("timeline");
    navigation = installNavigation([credentials.view, entry("timeline", "3").view], targets, current);
    // Let `listen` register before emitting.
    await new Promise((resolve) => setTimeout(resolve, 0));

    await emit("navigate", { view: "credentials", credential: "Sandbox" });
    expect(current.value).toBe("credentials");
    expect(credentials.navigated).toEqual([{ view: "credentials", credential: "Sandbox" }]);

    current.set("timeline");
    await emit("navigate", { view: "settings", credential: null });
    expect(current.value).toBe("timeline");
  });

  it("ticks every view", () => {
    const views = [entry("one", "1"), entry("two", "2")];
    navigation = installNavigation(views.map((v) => v.view), targets, new Signal("one"));
    navigation.tick(42);
    expect(views.map((v) => v.calls.filter((c) => c.startsWith("tick")))).toEqual([["tick 42"], ["tick 42"]]);
  });

  it("refuses two views with one id or one shortcut", () => {
    expect(() => checkEntries([entry("one", "1").view, entry("two", "1").view])).toThrow('views one and two have the same shortcut "1"');
    expect(() => checkEntries([entry("one", "1").view, entry("one", "2").view])).toThrow('views one and one have the same id "one"');
  });
});

describe("the app's registry", () => {
  it("has the shell's five views on Ctrl+1–5, in nav order", () => {
    expect(VIEWS.map((view) => [view.id, view.shortcut])).toEqual([
      ["credentials", "1"],
      ["editor", "2"],
      ["timeline", "3"],
      ["settings", "4"],
      ["rules", "5"],
    ]);
    expect(() => checkEntries(VIEWS)).not.toThrow();
    expect(shortcutsLine(VIEWS)).toBe("Ctrl+1–5 switch views");
    expect(VIEWS.filter((view) => "withGuide" in view && view.withGuide).map((view) => view.id)).toEqual(["credentials", "editor"]);
  });

  it("names shortcuts that are not a run of digits one by one", () => {
    expect(shortcutsLine([{ shortcut: "1" }, { shortcut: "3" }])).toBe("Ctrl+1, Ctrl+3 switch views");
  });
});

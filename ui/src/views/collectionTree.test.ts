// @vitest-environment happy-dom
// The collection tree as a person uses it: folders and requests as on disk,
// moved through with the keyboard, renamed (F2), deleted with Undo, and a request
// dropped onto a folder moved there — each change asked of the shell.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CollectionView } from "../bindings/CollectionView";
import { toaster } from "../ui/toast";
import { CollectionTree, namedPath, refOf, savedKey, type SavedRef } from "./collectionTree";

const ROOT = "/repo/api";
const ACME: CollectionView = {
  root: ROOT,
  name: "Acme",
  environments: ["Dev"],
  environment: "Dev",
  variables: [],
  problem: null,
  items: [
    {
      kind: "folder",
      name: "Accounts",
      path: "Accounts",
      items: [{ kind: "request", name: "List accounts", path: "Accounts/list.toml", method: "GET", url: "{{endpoint}}/accounts", stamp: "a" }],
    },
    { kind: "request", name: "Limits", path: "limits.toml", method: "GET", url: "{{endpoint}}/limits", stamp: "b" },
    { kind: "unreadable", path: "broken.toml", problem: "broken.toml is broken at line 2, column 1: invalid array" },
  ],
};

let calls: { cmd: string; args: Record<string, unknown> }[];
let opened: SavedRef[];
let moved: [SavedRef, SavedRef][];

function mount(): CollectionTree {
  const tree = new CollectionTree({ open: (ref) => opened.push(ref), moved: (from, to) => moved.push([from, to]) });
  document.body.append(tree.element);
  tree.render([ACME], null, new Set());
  return tree;
}

const row = (tree: CollectionTree, name: string): HTMLElement => tree.element.querySelector<HTMLElement>(`.tree-row[data-name="${name}"]`)!;
const key = (target: HTMLElement, k: string): void => void target.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));

async function answerDialog(text: string): Promise<void> {
  const input = await vi.waitFor(() => {
    const found = document.querySelector<HTMLInputElement>('[data-testid="modal"] input');
    if (!found) throw new Error("no dialog yet");
    return found;
  });
  input.value = text;
  document.querySelector('[data-testid="modal"]')!.dispatchEvent(new Event("submit", { cancelable: true }));
}

beforeEach(() => {
  localStorage.clear();
  document.body.replaceChildren();
  toaster().dispose();
  calls = [];
  opened = [];
  moved = [];
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    switch (cmd) {
      case "rename_item":
        return "Accounts/key-accounts.toml";
      case "move_item":
        return `${String(a.folder)}/limits.toml`;
      case "delete_item":
        return { root: ROOT, path: a.path, keptAt: "/trash/1/limits.toml" };
      case "restore_item":
        return "limits.toml";
      default:
        return null;
    }
  });
});
afterEach(() => clearMocks());

describe("the collection tree", () => {
  it("shows the folders and requests as they lie on disk, with the environment and an unreadable file's reason", () => {
    const tree = mount();
    const names = [...tree.element.querySelectorAll<HTMLElement>(".tree-row")].map((r) => r.dataset.name ?? r.textContent);
    expect(names).toEqual(["Acme", "Accounts", "List accounts", "Limits", expect.stringContaining("broken.toml")]);
    expect(tree.element.querySelector('[data-testid="tree-environment"]')!.textContent).toBe("Dev");
    expect(tree.element.querySelector('[data-testid="tree-unreadable"]')!.getAttribute("title")).toContain("line 2, column 1");
  });

  it("moves with the arrows, folds a folder with ArrowLeft and opens a request on a click", () => {
    const tree = mount();
    row(tree, "Acme").focus();
    key(row(tree, "Acme"), "ArrowDown");
    expect(document.activeElement).toBe(row(tree, "Accounts"));
    key(row(tree, "Accounts"), "ArrowLeft");
    expect(row(tree, "Accounts").getAttribute("aria-expanded")).toBe("false");
    expect(row(tree, "List accounts")).toBeNull();
    key(row(tree, "Accounts"), "ArrowRight");
    row(tree, "List accounts").click();
    expect(opened).toEqual([{ root: ROOT, path: "Accounts/list.toml" }]);
    // New requests go where the last one opened lives.
    expect(tree.saveTarget()).toEqual({ root: ROOT, folder: "Accounts" });
  });

  it("renames with F2 and tells where the request went", async () => {
    const tree = mount();
    const target = row(tree, "List accounts");
    target.focus();
    key(target, "F2");
    await answerDialog("Key accounts");
    await vi.waitFor(() => expect(moved).toHaveLength(1));
    expect(calls.find((c) => c.cmd === "rename_item")!.args).toEqual({ root: ROOT, path: "Accounts/list.toml", name: "Key accounts" });
    expect(moved[0]).toEqual([
      { root: ROOT, path: "Accounts/list.toml" },
      { root: ROOT, path: "Accounts/key-accounts.toml" },
    ]);
  });

  it("deletes with the Delete key and brings the request back with Undo", async () => {
    const tree = mount();
    key(row(tree, "Limits"), "Delete");
    const undo = await vi.waitFor(() => {
      const found = document.querySelector<HTMLButtonElement>('[data-testid="toast-action"]');
      if (!found) throw new Error("no Undo yet");
      return found;
    });
    expect(undo.textContent).toBe("Undo");
    undo.click();
    await vi.waitFor(() => expect(calls.some((c) => c.cmd === "restore_item")).toBe(true));
    expect(calls.find((c) => c.cmd === "restore_item")!.args).toEqual({ deleted: { root: ROOT, path: "limits.toml", keptAt: "/trash/1/limits.toml" } });
  });

  it("moves a request dropped onto a folder into it", async () => {
    const tree = mount();
    const data = new Map<string, string>();
    const transfer = { types: [] as string[], setData: (t: string, v: string) => (data.set(t, v), transfer.types.push(t)), getData: (t: string) => data.get(t) ?? "", effectAllowed: "" };
    const drag = (target: HTMLElement, type: string): void => {
      const event = new Event(type, { bubbles: true, cancelable: true });
      Object.defineProperty(event, "dataTransfer", { value: transfer });
      target.dispatchEvent(event);
    };
    drag(row(tree, "Limits"), "dragstart");
    drag(row(tree, "Accounts"), "dragover");
    expect(row(tree, "Accounts").classList.contains("drop-here")).toBe(true);
    drag(row(tree, "Accounts"), "drop");
    await vi.waitFor(() => expect(moved).toHaveLength(1));
    expect(calls.find((c) => c.cmd === "move_item")!.args).toEqual({ root: ROOT, path: "limits.toml", folder: "Accounts" });
  });
});

describe("the keys of saved requests", () => {
  it("name a collection's request by its root and path, and nothing else", () => {
    const ref = { root: ROOT, path: "Accounts/list.toml" };
    expect(refOf(savedKey(ref))).toEqual(ref);
    expect(refOf("sample-soap")).toBeNull();
    expect(refOf(null)).toBeNull();
    expect(namedPath("Accounts/list.toml", "List accounts")).toBe("Accounts/List accounts");
    expect(namedPath("limits.toml", "Limits")).toBe("Limits");
  });
});

describe("running", () => {
  function mountRunnable(): { tree: CollectionTree; runs: string[] } {
    const runs: string[] = [];
    const tree = new CollectionTree({ open: () => undefined, moved: () => undefined, run: (root, target, label) => runs.push(`${root}|${target}|${label}`) });
    document.body.append(tree.element);
    tree.render([ACME], null, new Set());
    return { tree, runs };
  }

  it("is offered by a collection's and a folder's ▶, not a request's, and runs what it is on", () => {
    const { tree, runs } = mountRunnable();
    const tools = [...tree.element.querySelectorAll<HTMLButtonElement>('[data-testid="tree-run"]')];
    expect(tools.map((t) => t.getAttribute("aria-label"))).toEqual(["Run Acme (Ctrl+R)", "Run Accounts (Ctrl+R)"]);
    tools[1].click();
    tools[0].click();
    expect(runs).toEqual([`${ROOT}|Accounts|Acme / Accounts`, `${ROOT}||Acme`]);
    expect(calls).toEqual([]);
  });

  it("is Ctrl+R on a collection's or a folder's row; on a request's it does nothing", () => {
    const { tree, runs } = mountRunnable();
    const ctrlR = (target: HTMLElement): boolean => target.dispatchEvent(new KeyboardEvent("keydown", { key: "r", ctrlKey: true, bubbles: true, cancelable: true }));
    expect(ctrlR(row(tree, "Accounts"))).toBe(false);
    ctrlR(row(tree, "List accounts"));
    ctrlR(row(tree, "Acme"));
    expect(runs).toEqual([`${ROOT}|Accounts|Acme / Accounts`, `${ROOT}||Acme`]);
  });

  it("is not offered where nothing runs it (no runner)", () => {
    const tree = mount();
    expect(tree.element.querySelector('[data-testid="tree-run"]')).toBeNull();
  });
});

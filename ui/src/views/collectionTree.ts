// The sidebar tree of the open collections: folders and requests as their files
// lie on disk. Keyboard first (arrows move and fold, Enter opens, F2 renames,
// Delete deletes with undo, Ctrl+D duplicates, Ctrl+R runs a collection or a
// folder, as its ▶ does); a request or folder dragged onto
// a folder or a collection's name moves there. Every change goes to the shell,
// which changes the files; the tree is drawn again from what the disk then holds.
import * as api from "../api";
import type { CollectionView } from "../bindings/CollectionView";
import type { TreeNode } from "../bindings/TreeNode";
import { toReport } from "../logic/errors";
import { h, replace } from "../ui/dom";
import { askConfirm, askText } from "../ui/modal";
import { toast, toastError } from "../ui/toast";

/** A request of a collection, as the editor keys its draft. */
export interface SavedRef {
  root: string;
  path: string;
}

/** The editor's key of a collection's request. */
export function savedKey(ref: SavedRef): string {
  return `file:${ref.root}\n${ref.path}`;
}

/** The request a key names; null for a template or an unsaved draft. */
export function refOf(key: string | null): SavedRef | null {
  if (!key?.startsWith("file:")) return null;
  const [root, path] = key.slice("file:".length).split("\n");
  return path === undefined ? null : { root, path };
}

/** "Folder/Request": a request's folders and its name, as history and `callout send --saved` name it. */
export function namedPath(path: string, name: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? name : `${path.slice(0, slash)}/${name}`;
}

export interface TreeOptions {
  /** Opens the request in the editor. */
  open(ref: SavedRef): void;
  /** A request's file moved (renamed, moved): drafts keyed by the old path follow. */
  moved(from: SavedRef, to: SavedRef): void;
  /** Runs a collection ("") or a folder (its path), named `label` ("Collection / Folder"). */
  run?(root: string, target: string, label: string): void;
}

const FOLDED_KEY = "callout-lab.tree.folded";

/** The run tool's triangle (a text ▶ is drawn as a large emoji by some fonts). */
const RUN_ICON = ((): SVGSVGElement => {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 10 10");
  svg.setAttribute("class", "tree-run-icon");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M2 1l7 4-7 4z");
  svg.append(path);
  return svg;
})();

export class CollectionTree {
  readonly element = h("div", { class: "collection-tree", role: "tree", "aria-label": "Collections", testid: "collection-tree" });
  private collections: CollectionView[] = [];
  private active: string | null = null;
  private dirty = new Set<string>();
  /** Folded folders and collections ("root\npath"), kept across restarts. */
  private folded = new Set<string>(JSON.parse(localStorage.getItem(FOLDED_KEY) ?? "[]") as string[]);
  /** Where a new request goes: the folder last chosen (or the folder of the request last opened). */
  private target: { root: string; folder: string } | null = null;

  constructor(private readonly options: TreeOptions) {
    this.element.addEventListener("keydown", (event) => this.keys(event));
  }

  /** Draws the tree; `active` is the open draft's key, `dirty` the keys with unsaved edits. */
  render(collections: CollectionView[], active: string | null, dirty: Set<string>): void {
    this.collections = collections;
    this.active = active;
    this.dirty = dirty;
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.key;
    replace(this.element, collections.length ? collections.map((c) => this.collection(c)) : h("p", { class: "muted small" }, "No collection is open."));
    if (focused) this.row(focused)?.focus();
  }

  /** The collection a request belongs to. */
  collectionOf(root: string): CollectionView | undefined {
    return this.collections.find((c) => c.root === root);
  }

  /** Where "Save" puts a new request: the folder chosen in the tree, else the first collection's top. */
  saveTarget(): { root: string; folder: string } | null {
    if (this.target && this.collectionOf(this.target.root)) return this.target;
    const first = this.collections.find((c) => !c.problem);
    return first ? { root: first.root, folder: "" } : null;
  }

  /** The request at `ref`, if the tree has it. */
  find(ref: SavedRef): Extract<TreeNode, { kind: "request" }> | undefined {
    const walk = (items: TreeNode[]): Extract<TreeNode, { kind: "request" }> | undefined => {
      for (const item of items) {
        if (item.kind === "request" && item.path === ref.path) return item;
        if (item.kind === "folder") {
          const found = walk(item.items);
          if (found) return found;
        }
      }
      return undefined;
    };
    const collection = this.collectionOf(ref.root);
    return collection ? walk(collection.items) : undefined;
  }

  private collection(c: CollectionView): HTMLElement {
    const foldKey = `${c.root}\n`;
    const open = !this.folded.has(foldKey);
    const head = h(
      "button",
      {
        type: "button",
        class: "tree-row tree-collection",
        role: "treeitem",
        "aria-expanded": String(open),
        "data-key": foldKey,
        "data-root": c.root,
        "data-folder": "",
        testid: "tree-collection",
        "data-name": c.name,
        title: c.root,
      },
      h("span", { class: "tree-caret" }, open ? "▾" : "▸"),
      h("span", { class: "tree-name" }, c.name),
      c.environment && h("span", { class: "badge tree-env", testid: "tree-environment" }, c.environment),
    );
    head.addEventListener("click", () => this.toggle(foldKey));
    this.dropTarget(head, c.root, "");
    const addRequest = this.tool("+", `New request in ${c.name}`, "tree-new-request", () => void this.newRequest(c.root, ""));
    const addFolder = this.tool("+▸", `New folder in ${c.name}`, "tree-new-folder", () => void this.newFolder(c.root, ""));
    const close = this.tool("×", `Close ${c.name} (its files stay)`, "tree-close", () => void this.close(c));
    // Over the end of the head when the pointer is on it (as a row's tools), not beside the others.
    const run = this.options.run && !c.problem && h("span", { class: "tree-tools" }, this.tool(RUN_ICON, `Run ${c.name} (Ctrl+R)`, "tree-run", () => this.run(c.root, "")));
    return h(
      "div",
      { class: "tree-group", role: "group" },
      h("div", { class: "tree-line" }, h("span", { class: "tree-head" }, head, run), addRequest, addFolder, close),
      c.problem && h("p", { class: "callout callout-error small", role: "alert" }, `Cannot be read: ${c.problem.message}`),
      open && h("div", { class: "tree-children" }, this.items(c.root, c.items, 1)),
    );
  }

  private items(root: string, items: TreeNode[], depth: number): HTMLElement[] {
    return items.map((item) => {
      if (item.kind === "folder") return this.folder(root, item, depth);
      if (item.kind === "request") return this.request(root, item, depth);
      return h(
        "div",
        { class: "tree-row tree-unreadable", role: "treeitem", tabindex: "-1", style: `--depth:${depth}`, title: item.problem, testid: "tree-unreadable" },
        h("span", { class: "tree-caret" }, "!"),
        h("span", { class: "tree-name" }, item.path),
        h("span", { class: "muted small tree-problem" }, item.problem),
      );
    });
  }

  private folder(root: string, folder: Extract<TreeNode, { kind: "folder" }>, depth: number): HTMLElement {
    const key = `${root}\n${folder.path}`;
    const open = !this.folded.has(key);
    const row = h(
      "button",
      { type: "button", class: "tree-row tree-folder", role: "treeitem", "aria-expanded": String(open), style: `--depth:${depth}`, "data-key": key, "data-root": root, "data-path": folder.path, "data-folder": folder.path, draggable: "true", testid: "tree-folder", "data-name": folder.name },
      h("span", { class: "tree-caret" }, open ? "▾" : "▸"),
      h("span", { class: "tree-name" }, folder.name),
    );
    row.addEventListener("click", () => {
      this.target = { root, folder: folder.path };
      this.toggle(key);
    });
    this.dragSource(row, root, folder.path);
    this.dropTarget(row, root, folder.path);
    return h(
      "div",
      { class: "tree-group", role: "group" },
      h("div", { class: "tree-line" }, row, this.rowTools(root, folder.path, folder.name, true)),
      open && this.items(root, folder.items, depth + 1),
    );
  }

  private request(root: string, request: Extract<TreeNode, { kind: "request" }>, depth: number): HTMLElement {
    const key = savedKey({ root, path: request.path });
    const active = key === this.active;
    const row = h(
      "button",
      {
        type: "button",
        class: `tree-row tree-request request-item${active ? " active" : ""}${this.dirty.has(key) ? " dirty" : ""}`,
        role: "treeitem",
        style: `--depth:${depth}`,
        "data-key": key,
        "data-root": root,
        "data-path": request.path,
        draggable: "true",
        testid: "request-item",
        "data-name": request.name,
        "aria-current": active ? "true" : undefined,
        title: request.url,
      },
      h("span", { class: `method-tag m-${request.method.toLowerCase()}` }, request.method.toUpperCase()),
      h("span", { class: "request-item-name" }, request.name),
    );
    row.addEventListener("click", () => this.openRequest(root, request.path));
    this.dragSource(row, root, request.path);
    return h("div", { class: "tree-line" }, row, this.rowTools(root, request.path, request.name));
  }

  private openRequest(root: string, path: string): void {
    const slash = path.lastIndexOf("/");
    this.target = { root, folder: slash < 0 ? "" : path.slice(0, slash) };
    this.options.open({ root, path });
  }

  private rowTools(root: string, path: string, name: string, runnable = false): HTMLElement {
    return h(
      "span",
      { class: "tree-tools" },
      runnable && this.options.run && this.tool(RUN_ICON, `Run ${name} (Ctrl+R)`, "tree-run", () => this.run(root, path)),
      this.tool("✎", `Rename ${name} (F2)`, "tree-rename", () => void this.rename(root, path, name)),
      this.tool("⎘", `Duplicate ${name} (Ctrl+D)`, "tree-duplicate", () => void this.duplicate(root, path)),
      this.tool("⌫", `Delete ${name} (Delete)`, "tree-delete", () => void this.remove(root, path, name)),
    );
  }

  private tool(label: string | Node, title: string, testid: string, run: () => void): HTMLElement {
    const button = h("button", { type: "button", class: "ghost icon tree-tool", title, "aria-label": title, testid, tabindex: "-1" }, typeof label === "string" ? label : label.cloneNode(true));
    button.addEventListener("click", (event) => {
      event.stopPropagation();
      run();
    });
    return button;
  }

  /** Runs the collection at `root` ("" for all of it) or its folder `folder`. */
  private run(root: string, folder: string): void {
    const collection = this.collectionOf(root);
    const label = [collection?.name ?? root, ...(folder ? [folder] : [])].join(" / ");
    this.options.run?.(root, folder, label);
  }

  private toggle(key: string): void {
    if (this.folded.has(key)) this.folded.delete(key);
    else this.folded.add(key);
    localStorage.setItem(FOLDED_KEY, JSON.stringify([...this.folded]));
    this.render(this.collections, this.active, this.dirty);
    this.row(key)?.focus();
  }

  private row(key: string): HTMLElement | null {
    return [...this.element.querySelectorAll<HTMLElement>(".tree-row")].find((row) => row.dataset.key === key) ?? null;
  }

  // --- changes -------------------------------------------------------------

  private async newRequest(root: string, folder: string): Promise<void> {
    const name = await askText("New request", "Name", "New request", "Create");
    if (name === null) return;
    try {
      const file = await api.newSaved(root, folder, { id: "", name, method: "GET", url: "callout:Sandbox/", headers: [], body: null, bodyKind: "none", sample: false, assertions: [], extract: [] });
      this.options.open({ root, path: file.path });
    } catch (error) {
      toastError(`Could not create “${name}”`, error);
    }
  }

  private async newFolder(root: string, parent: string): Promise<void> {
    const name = await askText("New folder", "Name", "New folder", "Create");
    if (name === null) return;
    try {
      const path = await api.newFolder(root, parent, name);
      this.target = { root, folder: path };
    } catch (error) {
      toastError(`Could not create the folder “${name}”`, error);
    }
  }

  private async rename(root: string, path: string, name: string): Promise<void> {
    const answer = await askText(`Rename “${name}”`, "Name", name, "Rename");
    if (answer === null || answer.trim() === name) return;
    try {
      const to = await api.renameItem(root, path, answer);
      if (to !== path) this.options.moved({ root, path }, { root, path: to });
    } catch (error) {
      toastError(`Could not rename “${name}”`, error);
    }
  }

  private async duplicate(root: string, path: string): Promise<void> {
    try {
      await api.duplicateItem(root, path);
    } catch (error) {
      toastError("Could not duplicate it", error);
    }
  }

  private async remove(root: string, path: string, name: string): Promise<void> {
    try {
      const deleted = await api.deleteItem(root, path);
      toast(`Deleted “${name}”.`, "ok", {
        label: "Undo",
        run: () =>
          void api.restoreItem(deleted).then(
            () => toast(`“${name}” is back.`, "ok"),
            (error) => toastError(`Could not bring “${name}” back`, error),
          ),
      });
    } catch (error) {
      toastError(`Could not delete “${name}”`, error);
    }
  }

  private async close(c: CollectionView): Promise<void> {
    if (!(await askConfirm(`Close “${c.name}”?`, `Its files stay in ${c.root}; open it again any time.`, "Close"))) return;
    try {
      await api.closeCollection(c.root);
    } catch (error) {
      toastError(`Could not close “${c.name}”`, error);
    }
  }

  private async move(root: string, path: string, folder: string): Promise<void> {
    try {
      const to = await api.moveItem(root, path, folder);
      if (to !== path) this.options.moved({ root, path }, { root, path: to });
    } catch (error) {
      toast(`Not moved: ${toReport(error).message}`, "error");
    }
  }

  // --- drag and keys -------------------------------------------------------

  private dragSource(row: HTMLElement, root: string, path: string): void {
    row.addEventListener("dragstart", (event) => {
      event.dataTransfer?.setData("application/x-callout-item", JSON.stringify({ root, path }));
      if (event.dataTransfer) event.dataTransfer.effectAllowed = "move";
    });
  }

  private dropTarget(row: HTMLElement, root: string, folder: string): void {
    row.addEventListener("dragover", (event) => {
      if (!event.dataTransfer?.types.includes("application/x-callout-item")) return;
      event.preventDefault();
      row.classList.add("drop-here");
    });
    row.addEventListener("dragleave", () => row.classList.remove("drop-here"));
    row.addEventListener("drop", (event) => {
      row.classList.remove("drop-here");
      const data = event.dataTransfer?.getData("application/x-callout-item");
      if (!data) return;
      event.preventDefault();
      const item = JSON.parse(data) as SavedRef;
      if (item.root !== root) {
        toast("Moving between collections is not supported: duplicate the request there instead.", "info");
        return;
      }
      void this.move(root, item.path, folder);
    });
  }

  private keys(event: KeyboardEvent): void {
    const rows = [...this.element.querySelectorAll<HTMLElement>(".tree-row")];
    const row = (event.target as HTMLElement).closest<HTMLElement>(".tree-row");
    if (!row) return;
    const at = rows.indexOf(row);
    const { root, path, key } = row.dataset;
    const name = row.dataset.name ?? path ?? "";
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      rows[Math.min(rows.length - 1, Math.max(0, at + (event.key === "ArrowDown" ? 1 : -1)))]?.focus();
    } else if ((event.key === "ArrowRight" || event.key === "ArrowLeft") && key && row.hasAttribute("aria-expanded")) {
      event.preventDefault();
      const open = row.getAttribute("aria-expanded") === "true";
      if (open !== (event.key === "ArrowRight")) this.toggle(key);
    } else if (event.key === "F2" && root && path) {
      event.preventDefault();
      void this.rename(root, path, name);
    } else if (event.key === "Delete" && root && path) {
      event.preventDefault();
      void this.remove(root, path, name);
    } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "d" && root && path) {
      event.preventDefault();
      void this.duplicate(root, path);
    } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "r" && root !== undefined && row.dataset.folder !== undefined) {
      // A collection's or folder's row: run it (not a reload of the window).
      event.preventDefault();
      this.run(root, row.dataset.folder);
    }
  }
}

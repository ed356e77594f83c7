// The request editor: the open collections' tree (requests as files on disk),
// templates, method, URL with callout: completion, headers, the CodeMirror body,
// live preview with the Salesforce lint and the {{variables}} resolved,
// merge-field and variable errors pointed at, the environment switch, Send
// (Ctrl/Cmd+Enter), Save / Save as, and each request's history.
// What goes wrong is said where it happened: a send without a response in the
// response pane, a missing URL under the URL, an import or export under the
// buttons (the curl and Import dialogs' in the dialog). One Import menu offers
// curl, Postman and every kind core imports (views/importDialog).
import type { Diagnostic } from "@codemirror/lint";
import * as api from "../api";
import { authorizeCredential } from "../actions";
import type { ImportKind } from "../bindings/ImportKind";
import type { Lint } from "../bindings/Lint";
import { BodyEditor } from "../editor/bodyEditor";
import { MergeInput } from "../editor/mergeInput";
import {
  bodyKindForContentType,
  fromSaved,
  hasUnsavedChanges,
  isDirty,
  isPristineNew,
  loadEditorState,
  METHODS,
  newDraft,
  parseDraft,
  saveEditorState,
  showsBody,
  toDraft,
  toSaved,
  type EditorDraft,
  type EditorState,
} from "../logic/drafts";
import { errorHeadline, messageText, offersReauthorize, placeText, toReport, whereText, type ErrorSituation, type UiError } from "../logic/errors";
import { restQueryExample } from "../logic/examples";
import { calloutCompletions, calloutName, closeCompletion, variableCompletions } from "../logic/mergeFields";
import { errorRange, offsetOf } from "../logic/position";
import { resolvedLines, type ResolvedLine } from "../logic/resolved";
import type { BodyKind, Preview, SavedRequest, SendReport } from "../pending-types";
import { subscribe } from "../shellEvents";
import * as store from "../store";
import { busy, debounce, h, replace } from "../ui/dom";
import { askBinding, askLongText, askText, showText } from "../ui/modal";
import { toast, toastError } from "../ui/toast";
import type { CollectionView } from "../bindings/CollectionView";
import type { VariableView } from "../bindings/VariableView";
import { CollectionTree, namedPath, refOf, savedKey, type SavedRef } from "./collectionTree";
import type { AssertionResult } from "../bindings/AssertionResult";
import { AssertionsEditor } from "./assertionsEditor";
import { HistoryPanel } from "./historyPanel";
import { importMenu, openImportDialog } from "./importDialog";
import { ResponsePanel, type ResponseState } from "./response";
import { RunnerPanel } from "./runnerPanel";

const BODY_KINDS: { value: BodyKind; label: string }[] = [
  { value: "none", label: "No body" },
  { value: "xml", label: "XML / SOAP" },
  { value: "json", label: "JSON" },
  { value: "text", label: "Text" },
];

export class EditorView {
  readonly element = h("section", { class: "view view-editor", "aria-labelledby": "editor-title" });
  private saved: SavedRequest[] = [];
  /** Whether the saved requests have been read once (before, no draft can be compared with its request). */
  private listed = false;
  private state: EditorState = loadEditorState(localStorage);
  private newCounter = 0;
  private requestList = h("nav", { class: "request-list", "aria-label": "Saved requests" });
  private unsavedList = h("div");
  private templateList = h("div");
  private tree = new CollectionTree({
    open: (ref) => void this.openRef(ref),
    moved: (from, to) => void this.follow(from, to),
    run: (root, target, label) => void this.runner.start(root, target, label),
  });
  /** A collection or folder run, in place of the request and the response while it is shown. */
  private runner = new RunnerPanel({
    shown: () => this.element.classList.add("is-running"),
    close: () => this.element.classList.remove("is-running"),
    reauthorize: (name) => authorizeCredential(name),
  });
  /** The open request's assertions and extractions. */
  private checks = new AssertionsEditor({ changed: () => this.changed() });
  /** The assertions' results of each draft's last send (by draft key); in memory only. */
  private assertionResults = new Map<string, AssertionResult[]>();
  private collections: CollectionView[] = [];
  /** What each opened request's file held when read (by key): a save must find it still so. */
  private stamps = new Map<string, string>();
  /** The environment of the open request's collection. */
  private environment = h("select", { class: "environment-select", testid: "environment", "aria-label": "Environment", hidden: true });
  /** What the open request's {{variables}} resolved to. */
  private variablesBox = h("ul", { class: "variables", testid: "variables", "aria-label": "Variables" });
  /** The open request's file changed on disk while it has edits here. */
  private conflictBox = h("div", { class: "callout callout-warn", testid: "changed-on-disk", role: "alert", hidden: true });
  private history = new HistoryPanel({ showReport: (report, label, id) => this.showPastReport(report, label, id) });
  private nameInput = h("input", { type: "text", class: "request-name", "aria-label": "Request name", spellcheck: "false" });
  private method = h("select", { testid: "method", "aria-label": "Method" }, METHODS.map((m) => h("option", { value: m }, m)));
  private url = h("input", { type: "text", class: "url-input", testid: "url", "aria-label": "URL", spellcheck: "false", autocomplete: "off", placeholder: restQueryExample(store.salesforceApiVersion.value) });
  private suggestions = h("ul", { class: "suggestions", role: "listbox", hidden: true });
  /** Under the URL: why Send did nothing (no URL), or why a curl command pasted there was not imported. */
  private urlProblem = h("div", { class: "url-problem", id: "url-problem", hidden: true });
  /** Under the buttons: why a Postman import or an export did not happen. */
  private actionProblem = h("div", { class: "callout callout-error callout-dismissable action-problem", role: "alert", hidden: true });
  private headersBox = h("div", { class: "headers", testid: "headers" });
  private bodyKind = h("select", { "aria-label": "Body type" }, BODY_KINDS.map((k) => h("option", { value: k.value }, k.label)));
  private bodyHost = h("div", { class: "body-editor", testid: "body-editor" });
  private bodySection = h("div", { class: "body-section", id: "request-body-section" });
  private addBody = h("button", { type: "button", class: "ghost small add-body", testid: "add-body", "aria-controls": "request-body-section", "aria-expanded": "false" }, "+ Add body");
  private addBodyNote = h("span", { class: "muted small" });
  private addBodyLine = h("div", { class: "add-body-line" }, h("span", { class: "section-label" }, "Body"), this.addBody, this.addBodyNote);
  /** Drafts (by key) whose empty body the user opened with "Add body"; in memory only. */
  private bodyOpened = new Set<string>();
  private body!: BodyEditor;
  private errorBox = h("div", { class: "editor-error", testid: "editor-error", role: "alert", hidden: true });
  private lintBox = h("ul", { class: "lint", testid: "lint", "aria-label": "Salesforce compatibility" });
  private resolved = h("pre", { class: "resolved", testid: "resolved-request" });
  private previewNote = h("span", { class: "muted small" });
  private sendButton = h("button", { type: "button", class: "primary send", testid: "send", title: "Send (Ctrl+Enter)" }, "Send");
  private dirtyMark = h("span", { class: "dirty-mark", testid: "dirty-mark", title: "Unsaved changes", "aria-label": "Unsaved changes", role: "img", hidden: true }, "●");
  private response = new ResponsePanel({ reauthorize: (name) => authorizeCredential(name) });
  /** The last response of each draft (by draft key), shown again when it is opened again; in memory only. */
  private responses = new Map<string, ResponseState>();
  private previewSeq = 0;
  private sending = false;
  private lastError: UiError | null = null;
  private lastLint: Lint[] = [];
  /** Opened where the last window was (store.restoredSession): its open request stays open. */
  private reopened = false;
  private persist = debounce(() => this.persistNow(), 300);
  private preview = debounce(() => void this.runPreview(), 350);

  constructor() {
    store.salesforceApiVersion.subscribe(() => (this.url.placeholder = restQueryExample(store.salesforceApiVersion.value)));
    const newButton = h("button", { type: "button", class: "secondary small" }, "+ New");
    newButton.addEventListener("click", () => this.openNew());
    const openCollection = h("button", { type: "button", class: "ghost small", testid: "open-collection", title: "Open a collection folder (one with a collection.toml), e.g. in a git checkout" }, "Open…");
    openCollection.addEventListener("click", () => void this.askOpenCollection());
    const newCollection = h("button", { type: "button", class: "ghost small", testid: "new-collection", title: "A new collection in Callout Lab's collections folder" }, "+ Collection");
    newCollection.addEventListener("click", () => void this.askNewCollection());
    this.environment.addEventListener("change", () => void this.switchEnvironment());
    const save = h("button", { type: "button", class: "secondary", testid: "save-request", title: "Save (Ctrl+S)" }, "Save");
    save.addEventListener("click", () => void busy(save, "Saving…", () => this.save()));
    const saveAs = h("button", { type: "button", class: "ghost", testid: "save-request-as" }, "Save as…");
    saveAs.addEventListener("click", () => void this.save(true));
    const revert = h("button", { type: "button", class: "ghost", title: "Discard your edits to this request" }, "Revert");
    const postmanFile = h("input", { type: "file", accept: ".json,application/json", multiple: true, testid: "import-postman-file", hidden: true, "aria-label": "Postman collection file and its environment files" });
    postmanFile.addEventListener("change", () => void this.importPostman(postmanFile));
    const importMenuButton = importMenu({
      choose: (choice) => {
        if (choice === "curl") void this.askCurl();
        else if (choice === "postman") postmanFile.click();
        else void this.importWork(choice);
      },
    });
    const exportCurl = h("button", { type: "button", class: "ghost", testid: "export-curl", title: "This request as a curl command; the token comes from `callout token`" }, "curl");
    exportCurl.addEventListener("click", () => void this.exportAs("curl"));
    const exportApex = h("button", { type: "button", class: "ghost", testid: "export-apex", title: "This request as an Apex HttpRequest for Salesforce" }, "Apex");
    exportApex.addEventListener("click", () => void this.exportAs("apex"));
    revert.addEventListener("click", () => this.revert());
    this.sendButton.addEventListener("click", () => void this.send());

    const addHeader = h("button", { type: "button", class: "ghost small" }, "+ Add header");
    addHeader.addEventListener("click", () => {
      this.current().headers.push({ name: "", value: "" });
      this.renderHeaders(true);
      this.changed();
    });

    const urlWrap = h("div", { class: "url-wrap" }, this.url, this.suggestions);
    this.element.append(
      h(
        "aside",
        { class: "requests-side" },
        h("div", { class: "view-head" }, h("h1", { id: "editor-title" }, "Requests"), newButton),
        h("div", { class: "collection-actions" }, openCollection, newCollection),
        this.requestList,
      ),
      h(
        "div",
        { class: "editor-main" },
        this.runner.element,
        h(
          "div",
          { class: "request-pane" },
          h("div", { class: "name-line" }, this.nameInput, this.dirtyMark, h("div", { class: "spacer" }), importMenuButton, postmanFile, h("span", { class: "muted small" }, "Export:"), exportCurl, exportApex, revert, saveAs, save),
          this.actionProblem,
          this.conflictBox,
          h("div", { class: "request-line" }, this.method, urlWrap, this.environment, this.sendButton),
          this.urlProblem,
          h("details", { class: "headers-section", open: true }, h("summary", null, "Headers"), this.headersBox, addHeader),
          this.addBodyLine,
          this.bodySection,
          this.checks.element,
          this.errorBox,
          h(
            "details",
            { class: "preview-section", open: true },
            h("summary", null, "Resolved request ", h("span", { class: "muted small" }, "(secrets masked)"), " ", this.previewNote),
            this.lintBox,
            this.variablesBox,
            this.resolved,
          ),
        ),
        h("div", { class: "response-pane" }, h("h2", { class: "section-title" }, "Response"), this.response.element, this.history.element),
      ),
    );

    this.bodySection.append(
      h("div", { class: "body-head" }, h("span", { class: "section-label" }, "Body"), this.bodyKind, h("span", { class: "muted small" }, "Type {! for merge fields, {{ for variables · Ctrl+Space completes · Ctrl+Enter sends")),
      this.bodyHost,
    );
    this.addBody.addEventListener("click", () => {
      if (this.state.current) this.bodyOpened.add(this.state.current);
      this.showBody();
      this.body.focus();
    });
    this.body = new BodyEditor({
      parent: this.bodyHost,
      doc: "",
      kind: "none",
      onChange: (text) => {
        this.current().body = text;
        if (text !== "" && this.current().bodyKind === "none") {
          this.current().bodyKind = text.trimStart().startsWith("<") ? "xml" : text.trimStart().startsWith("{") || text.trimStart().startsWith("[") ? "json" : "text";
          this.bodyKind.value = this.current().bodyKind;
          this.body.setKind(this.current().bodyKind);
        }
        this.changed();
      },
      onSend: () => void this.send(),
    });

    this.nameInput.addEventListener("input", () => {
      this.current().name = this.nameInput.value;
      this.changed();
    });
    this.method.addEventListener("change", () => {
      this.current().method = this.method.value;
      this.showBody();
      this.changed();
    });
    this.url.addEventListener("input", () => {
      this.showUrlProblem(null);
      this.current().url = this.url.value;
      this.suggest();
      this.changed();
    });
    this.url.addEventListener("keydown", (event) => this.urlKeys(event));
    this.url.addEventListener("paste", (event) => {
      const text = event.clipboardData?.getData("text/plain") ?? "";
      if (/^\s*curl\s/.test(text)) {
        event.preventDefault();
        void this.importCurlText(text);
      }
    });
    this.url.addEventListener("blur", () => setTimeout(() => (this.suggestions.hidden = true), 150));
    this.bodyKind.addEventListener("change", () => {
      this.current().bodyKind = this.bodyKind.value as BodyKind;
      this.body.setKind(this.current().bodyKind);
      this.changed();
    });
    this.element.addEventListener("keydown", (event) => {
      const mod = event.ctrlKey || event.metaKey;
      if (mod && event.key === "Enter") {
        event.preventDefault();
        void this.send();
      } else if (mod && event.key.toLowerCase() === "s") {
        event.preventDefault();
        void this.save(event.shiftKey);
      }
    });
    this.errorBox.addEventListener("click", () => this.revealError());
    window.addEventListener("beforeunload", () => this.persist.flush());
    subscribe("collections-changed", () => void this.reloadSaved());
    this.requestList.append(this.unsavedList, h("div", { class: "request-group" }, h("h3", null, "Collections"), this.tree.element), this.templateList);
    store.editorRequests.subscribe(() => {
      const { openName, send } = store.editorRequests.value;
      if (!openName) return;
      const found = this.saved.find((r) => r.name === openName);
      if (found) this.open(found);
      if (send) void this.send();
    });

    // A window built again after a close to the tray: the request that was open, as it was typed.
    const open = store.restoredSession?.editor;
    const openDraft = open ? parseDraft(open.draft) : null;
    if (open && openDraft) {
      this.state.drafts[open.key] = openDraft;
      this.state.current = open.key;
      this.reopened = true;
    }
    const restored = this.state.current ? this.state.drafts[this.state.current] : undefined;
    this.load(restored ?? newDraft(), this.state.current ?? this.newKey());
  }

  /** Loads the saved requests (and samples) from the shell. */
  async refresh(): Promise<void> {
    await this.loadSaved();
    // Edits kept from the last session are compared with their files as they are now.
    await Promise.all(
      Object.keys(this.state.drafts).map(async (key) => {
        const ref = refOf(key);
        if (!ref) return;
        try {
          const file = await api.readSaved(ref.root, ref.path);
          this.remember(key, { ...file.request, id: key }, file.stamp);
        } catch {
          // Gone since: the draft stays, to be saved as a new request.
        }
      }),
    );
    const current = this.state.current ? this.state.drafts[this.state.current] : undefined;
    if (!this.reopened && (!current || isPristineNew(current))) {
      const first = this.saved.find((r) => r.sample && /soap/i.test(r.name)) ?? this.saved[0];
      if (first) this.open(first);
    }
    this.renderList();
    this.updateDirty();
  }

  /**
   * The collections again, as whoever changed them left them (this app, another
   * editor, a `git pull`). An open request whose file changed is read again: with
   * no edits here it shows the new content; with edits, a note says so and Save
   * will not overwrite the change.
   */
  private async reloadSaved(): Promise<void> {
    await this.loadSaved();
    for (const [key, stamp] of [...this.stamps]) {
      const ref = refOf(key);
      const node = ref && this.tree.find(ref);
      if (!ref || !node || node.stamp === stamp) continue;
      const draft = this.state.drafts[key];
      const before = this.saved.find((r) => r.id === key);
      const edited = draft !== undefined && isDirty(draft, before);
      try {
        const file = await api.readSaved(ref.root, ref.path);
        const fresh = { ...file.request, id: key };
        if (edited) {
          this.showConflict(key);
          continue;
        }
        this.remember(key, fresh, file.stamp);
        if (this.state.current === key) this.load(fromSaved(fresh), key);
        else delete this.state.drafts[key];
      } catch {
        // Gone or unreadable: the tree says so.
      }
    }
    this.renderList();
    this.updateDirty();
  }

  private async loadSaved(): Promise<void> {
    try {
      const [templates, collections] = await Promise.all([api.listTemplates(), api.listCollections()]);
      this.collections = collections;
      const files = this.saved.filter((r) => refOf(r.id) !== null);
      this.saved = [...templates, ...files];
      this.listed = true;
      this.followCollection();
    } catch (error) {
      toastError("Could not load the collections", error);
    }
  }

  /** Keeps what a request's file held: the request and its stamp. */
  private remember(key: string, request: SavedRequest, stamp: string): void {
    this.saved = [...this.saved.filter((r) => r.id !== key), request];
    this.stamps.set(key, stamp);
  }

  /** Opens a collection's request: its file is read (and remembered) first. */
  private async openRef(ref: SavedRef): Promise<void> {
    const key = savedKey(ref);
    try {
      const file = await api.readSaved(ref.root, ref.path);
      if (!this.state.drafts[key] || !this.stamps.has(key)) this.remember(key, { ...file.request, id: key }, file.stamp);
      this.open(this.saved.find((r) => r.id === key)!);
    } catch (error) {
      toastError(`Could not open ${ref.path}`, error);
    }
  }

  /**
   * A request or folder moved on disk (renamed, moved into a folder): the drafts,
   * responses and stamps of the requests in it follow, each read again from its
   * new file. A draft with edits keeps them (its name follows a rename it did not
   * change); one without takes the file as it is now.
   */
  private async follow(from: SavedRef, to: SavedRef): Promise<void> {
    const folder = !from.path.endsWith(".toml");
    const keys = new Set([...Object.keys(this.state.drafts), ...this.stamps.keys(), ...this.saved.map((r) => r.id)]);
    const moves: [string, string][] = [];
    for (const key of keys) {
      const ref = refOf(key);
      if (!ref || ref.root !== from.root) continue;
      if (ref.path === from.path) moves.push([key, savedKey(to)]);
      else if (folder && ref.path.startsWith(`${from.path}/`)) moves.push([key, savedKey({ root: to.root, path: to.path + ref.path.slice(from.path.length) })]);
    }
    for (const [old, key] of moves) {
      const before = this.saved.find((r) => r.id === old);
      const draft = this.state.drafts[old];
      delete this.state.drafts[old];
      this.saved = this.saved.filter((r) => r.id !== old);
      this.stamps.delete(old);
      const response = this.responses.get(old);
      if (response) this.responses.set(key, response);
      this.responses.delete(old);
      const ref = refOf(key)!;
      try {
        const file = await api.readSaved(ref.root, ref.path);
        const fresh = { ...file.request, id: key };
        this.remember(key, fresh, file.stamp);
        if (draft && isDirty(draft, before)) {
          const name = before && draft.name === before.name ? fresh.name : draft.name;
          this.state.drafts[key] = { ...draft, savedId: key, name };
        }
      } catch {
        if (draft) this.state.drafts[key] = { ...draft, savedId: key };
      }
      if (this.state.current === old) {
        const saved = this.saved.find((r) => r.id === key);
        this.load(this.state.drafts[key] ?? (saved ? fromSaved(saved) : newDraft()), key);
      }
    }
    this.renderList();
    this.persistNow();
  }

  /** The environment switch, the variables offered and the history follow the open request's collection. */
  private followCollection(): void {
    const ref = refOf(this.state.current);
    // From the list just read: the tree may not be drawn from it yet.
    const collection = ref ? this.collections.find((c) => c.root === ref.root) : undefined;
    this.environment.hidden = !collection;
    if (collection) {
      replace(
        this.environment,
        h("option", { value: "" }, "No environment"),
        collection.environments.map((name) => h("option", { value: name }, name)),
      );
      this.environment.value = collection.environment ?? "";
      this.environment.title = `The environment ${collection.name}'s requests are sent with`;
    }
    store.variableNames.set(collection?.variables ?? []);
    void this.history.follow(this.historyLabel());
  }

  /** "Collection/Folder/Request" of the open request, as the history keeps it; null for other drafts. */
  private historyLabel(): string | null {
    const ref = refOf(this.state.current);
    const collection = ref ? this.collections.find((c) => c.root === ref.root) : undefined;
    const saved = this.saved.find((r) => r.id === this.state.current);
    return ref && collection && saved ? `${collection.name}/${namedPath(ref.path, saved.name)}` : null;
  }

  private async switchEnvironment(): Promise<void> {
    const ref = refOf(this.state.current);
    if (!ref) return;
    const chosen = this.environment.value || null;
    try {
      await api.setEnvironment(ref.root, chosen);
      this.collections = await api.listCollections();
      this.tree.render(this.collections, this.state.current, this.dirtyKeys());
      this.preview();
    } catch (error) {
      toastError("Could not switch the environment", error);
    }
  }

  private async askOpenCollection(): Promise<void> {
    const root = await askText("Open a collection", "Its folder (the one with collection.toml)", "~/", "Open");
    if (root === null) return;
    try {
      const opened = await api.openCollection(root);
      await this.reloadSaved();
      toast(`Opened “${opened.name}”.`, "ok");
    } catch (error) {
      toastError("Could not open the collection", error);
    }
  }

  private async askNewCollection(): Promise<void> {
    const name = await askText("New collection", "Name", "New collection", "Create");
    if (name === null) return;
    try {
      const made = await api.newCollection(null, name);
      await this.reloadSaved();
      toast(`Made “${made.name}” in ${made.root}.`, "ok");
    } catch (error) {
      toastError("Could not make the collection", error);
    }
  }

  /** The note that the open request's file changed on disk while it has edits here. */
  private showConflict(key: string): void {
    if (this.state.current !== key) return;
    const reload = h("button", { type: "button", class: "secondary small", testid: "reload-from-disk" }, "Reload from disk");
    reload.addEventListener("click", () => void this.reloadFromDisk(key));
    const overwrite = h("button", { type: "button", class: "ghost small", testid: "overwrite-disk" }, "Save mine over it");
    overwrite.addEventListener("click", () => void this.overwrite(key));
    replace(this.conflictBox, h("span", null, "This request's file changed on disk (another editor, a git pull) while you edited it here. "), reload, overwrite);
    this.conflictBox.hidden = false;
  }

  private hideConflict(): void {
    this.conflictBox.hidden = true;
    replace(this.conflictBox);
  }

  private async reloadFromDisk(key: string): Promise<void> {
    const ref = refOf(key);
    if (!ref) return;
    try {
      const file = await api.readSaved(ref.root, ref.path);
      const fresh = { ...file.request, id: key };
      this.remember(key, fresh, file.stamp);
      this.hideConflict();
      this.load(fromSaved(fresh), key);
      this.persistNow();
    } catch (error) {
      toastError("Could not read the file again", error);
    }
  }

  /** Saves the edits over a file changed on disk, deliberately: its stamp is read first. */
  private async overwrite(key: string): Promise<void> {
    const ref = refOf(key);
    if (!ref) return;
    try {
      const file = await api.readSaved(ref.root, ref.path);
      this.stamps.set(key, file.stamp);
      this.hideConflict();
      await this.save();
    } catch (error) {
      toastError("Could not save over the file", error);
    }
  }

  /** A past send's report in the response pane (from the history). */
  private showPastReport(report: SendReport, label: string, id: number | null = null): void {
    const state: ResponseState = { kind: "report", report, opened: null, sendId: id };
    this.responses.set(this.state.current ?? "", state);
    this.response.restore(state);
    this.previewNote.textContent = "";
    toast(`${label}: HTTP ${report.response.status}.`, "info");
  }

  private dirtyKeys(): Set<string> {
    const keys = new Set<string>();
    for (const [key, draft] of Object.entries(this.state.drafts)) {
      if (refOf(key) && isDirty(draft, this.saved.find((r) => r.id === key))) keys.add(key);
    }
    return keys;
  }

  /** The guide and the shell can ask for a request by name. */
  openByName(name: string): boolean {
    const found = this.saved.find((r) => r.name === name);
    if (found) this.open(found);
    return Boolean(found);
  }

  get requests(): SavedRequest[] {
    return this.saved;
  }

  focusUrl(): void {
    this.url.focus();
  }

  // --- drafts ------------------------------------------------------------

  private newKey(): string {
    return `new:${Date.now().toString(36)}${this.newCounter++}`;
  }

  private current(): EditorDraft {
    const key = this.state.current ?? "";
    let draft = this.state.drafts[key];
    if (!draft) {
      draft = newDraft();
      this.state.drafts[key] = draft;
    }
    return draft;
  }

  private open(saved: SavedRequest): void {
    const existing = this.state.drafts[saved.id];
    this.load(existing ?? fromSaved(saved), saved.id);
  }

  private openNew(): void {
    this.load(newDraft(), this.newKey());
    this.url.focus();
    this.url.select();
  }

  private revert(): void {
    const d = this.current();
    const saved = this.saved.find((r) => r.id === d.savedId);
    if (saved) this.load(fromSaved(saved), saved.id);
    else this.load(newDraft(), this.state.current ?? this.newKey());
    this.persistNow();
  }

  private load(draft: EditorDraft, key: string): void {
    this.persist.flush();
    const leaving = this.state.current;
    const switching = leaving !== key;
    if (leaving && switching) this.responses.set(leaving, this.response.state);
    // A blank new request nobody typed into is not worth keeping around.
    if (leaving && switching && this.state.drafts[leaving] && isPristineNew(this.state.drafts[leaving])) {
      delete this.state.drafts[leaving];
      this.responses.delete(leaving);
    }
    this.state.drafts[key] = draft;
    this.state.current = key;
    if (switching) this.hideConflict();
    if (switching) this.followCollection();
    // A request opened (from the tree, the guide) is shown, not left behind the runner.
    if (switching) this.runner.hide();
    this.nameInput.value = draft.name;
    this.showMethod(draft.method);
    this.url.value = draft.url;
    this.bodyKind.value = draft.bodyKind;
    this.body.setKind(draft.bodyKind);
    this.body.setText(draft.body);
    this.showBody();
    this.renderHeaders();
    this.checks.load(draft.assertions, draft.extract, this.assertionResults.get(key) ?? null);
    this.clearError();
    this.showUrlProblem(null);
    if (switching) this.showActionProblem(null);
    // Back on a request: its last response again (a revert or a save keeps what is shown).
    if (switching) this.response.restore(this.responses.get(key) ?? { kind: "idle" });
    this.renderList();
    this.updateDirty();
    this.persist();
    this.preview();
  }

  /** The body editor, or the one "Add body" line for an empty body of a method without one. */
  private showBody(): void {
    const open = showsBody(this.current()) || this.bodyOpened.has(this.state.current ?? "");
    const was = !this.bodySection.hidden;
    this.bodySection.hidden = !open;
    this.addBodyLine.hidden = open;
    this.addBody.setAttribute("aria-expanded", String(open));
    this.addBodyNote.textContent = `None: a ${this.current().method} request rarely carries one.`;
    // Shown again after being folded away: let the editor measure itself.
    if (open && !was) this.body.view.requestMeasure();
  }

  /** Shows `method` in the select, adding it as a choice when it is not a common one (so it is not shown as GET). */
  private showMethod(method: string): void {
    if (![...this.method.options].some((o) => o.value === method)) this.method.append(h("option", { value: method }, method));
    this.method.value = method;
  }

  private changed(): void {
    this.clearError();
    this.updateDirty();
    this.persist();
    this.preview();
  }

  /** The "Unsaved changes" mark, from the open draft and what is saved; after every edit and every load. */
  private updateDirty(): void {
    const d = this.current();
    const saved = this.saved.find((r) => r.id === d.savedId);
    const dirty = (this.listed || d.savedId === null) && hasUnsavedChanges(d, saved);
    this.dirtyMark.hidden = !dirty;
    const item = this.requestList.querySelector<HTMLElement>(".request-item.active");
    item?.classList.toggle("dirty", dirty);
    if (!dirty) this.hideConflict();
  }

  private persistNow(): void {
    // Keep only drafts that differ from what is saved, plus the open one.
    for (const [key, draft] of Object.entries(this.state.drafts)) {
      if (key === this.state.current) continue;
      const saved = this.saved.find((r) => r.id === draft.savedId);
      if (saved && !isDirty(draft, saved)) delete this.state.drafts[key];
    }
    saveEditorState(localStorage, this.state);
    const key = this.state.current;
    store.openRequest.set(key ? { key, draft: structuredClone(this.current()) } : null);
  }

  // --- rendering ---------------------------------------------------------

  private renderList(): void {
    const current = this.state.current;
    const item = (r: SavedRequest): HTMLElement => {
      const draft = this.state.drafts[r.id];
      const dirty = draft ? isDirty(draft, r) : false;
      const button = h(
        "button",
        {
          type: "button",
          class: `request-item${r.id === current ? " active" : ""}${dirty ? " dirty" : ""}`,
          testid: "request-item",
          "data-name": r.name,
          "aria-current": r.id === current ? "true" : undefined,
        },
        h("span", { class: `method-tag m-${r.method.toLowerCase()}` }, r.method),
        h("span", { class: "request-item-name" }, r.name),
      );
      button.addEventListener("click", () => this.open(r));
      return h("li", null, button);
    };
    const samples = this.saved.filter((r) => r.sample);
    const unsaved = Object.entries(this.state.drafts).filter(([, d]) => d.savedId === null);
    replace(
      this.unsavedList,
      unsaved.length > 0 &&
        h(
          "div",
          { class: "request-group" },
          h("h3", null, "Unsaved"),
          h(
            "ul",
            null,
            unsaved.map(([key, d]) => {
              const button = h(
                "button",
                { type: "button", class: `request-item${hasUnsavedChanges(d, undefined) ? " dirty" : ""}${key === current ? " active" : ""}`, "data-name": d.name, "aria-current": key === current ? "true" : undefined },
                h("span", { class: `method-tag m-${d.method.toLowerCase()}` }, d.method),
                h("span", { class: "request-item-name" }, d.name),
              );
              button.addEventListener("click", () => this.load(d, key));
              return h("li", null, button);
            }),
          ),
        ),
    );
    this.tree.render(this.collections, current, this.dirtyKeys());
    replace(this.templateList, samples.length > 0 && h("div", { class: "request-group" }, h("h3", null, "Templates"), h("ul", null, samples.map(item))));
  }

  private renderHeaders(focusLast = false): void {
    const d = this.current();
    const rows = d.headers.map((header, index) => {
      const name = h("input", { type: "text", value: header.name, placeholder: "Header", "aria-label": `Header ${index + 1} name`, spellcheck: "false", class: "header-name" });
      const value = h("input", { type: "text", value: header.value, placeholder: "Value ({! for merge fields)", "aria-label": `Header ${index + 1} value`, spellcheck: "false", autocomplete: "off", class: "header-value" });
      const merge = new MergeInput(value);
      name.addEventListener("input", () => {
        header.name = name.value;
        if (header.name.toLowerCase() === "content-type") this.syncBodyKind(header.value);
        this.changed();
      });
      value.addEventListener("input", () => {
        header.value = value.value;
        if (header.name.toLowerCase() === "content-type") this.syncBodyKind(header.value);
        this.changed();
      });
      const remove = h("button", { type: "button", class: "ghost icon", "aria-label": `Remove header ${header.name || index + 1}`, title: "Remove header" }, "×");
      remove.addEventListener("click", () => {
        d.headers.splice(index, 1);
        this.renderHeaders();
        this.changed();
      });
      return h("div", { class: "header-row", "data-header": header.name }, name, merge.element, remove);
    });
    replace(this.headersBox, rows.length ? rows : h("p", { class: "muted small" }, "No headers. The credential adds Authorization unless you set one."));
    if (focusLast) this.headersBox.querySelector<HTMLInputElement>(".header-row:last-child .header-name")?.focus();
  }

  private syncBodyKind(contentType: string): void {
    const kind = bodyKindForContentType(contentType);
    const d = this.current();
    if (kind && d.bodyKind !== "none" && kind !== d.bodyKind) {
      d.bodyKind = kind;
      this.bodyKind.value = kind;
      this.body.setKind(kind);
    }
  }

  // --- URL completion ----------------------------------------------------

  private suggest(): void {
    const before = this.url.value.slice(0, this.url.selectionStart ?? this.url.value.length);
    const variables = variableCompletions(before, store.variableNames.value);
    if (variables) {
      this.suggestVariables(variables);
      return;
    }
    const found = calloutCompletions(before, store.credentialNames());
    if (!found || !found.options.length || (found.options.length === 1 && before.endsWith(found.options[0]))) {
      this.suggestions.hidden = true;
      return;
    }
    this.suggestions.dataset.kind = "credential";
    replace(
      this.suggestions,
      found.options.map((name, i) => {
        const li = h("li", { role: "option", class: i === 0 ? "active" : "", "data-value": name }, `callout:${name}/`);
        li.addEventListener("mousedown", (event) => {
          event.preventDefault();
          this.acceptSuggestion(name);
        });
        return li;
      }),
    );
    this.suggestions.hidden = false;
  }

  /** The {{variables}} of the open request's collection, after `{{` in the URL. */
  private suggestVariables(found: { from: number; options: string[] }): void {
    if (!found.options.length) {
      this.suggestions.hidden = true;
      return;
    }
    replace(
      this.suggestions,
      found.options.map((name, i) => {
        const li = h("li", { role: "option", class: i === 0 ? "active" : "", "data-value": name, "data-variable": name }, `{{${name}}}`);
        li.addEventListener("mousedown", (event) => {
          event.preventDefault();
          this.acceptVariable(name, found.from);
        });
        return li;
      }),
    );
    this.suggestions.dataset.kind = "variable";
    this.suggestions.dataset.from = String(found.from);
    this.suggestions.hidden = false;
  }

  /** Writes `name}}` in place of the name typed after `{{` (a `}}` already there is not doubled). */
  private acceptVariable(name: string, from: number): void {
    const value = this.url.value;
    const caret = this.url.selectionStart ?? value.length;
    let end = caret;
    while (end < value.length && /[A-Za-z0-9_.-]/.test(value[end])) end++;
    const { text, skip } = closeCompletion(`${name}}}`, value.slice(end));
    this.url.value = value.slice(0, from) + text + value.slice(end);
    const at = from + text.length + skip;
    this.url.setSelectionRange(at, at);
    this.suggestions.hidden = true;
    this.current().url = this.url.value;
    this.changed();
  }

  private acceptSuggestion(name: string): void {
    const rest = this.url.value.slice(this.url.selectionStart ?? this.url.value.length);
    const value = `callout:${name}/${rest.replace(/^[^/?#]*\/?/, "")}`;
    this.url.value = value;
    const at = `callout:${name}/`.length;
    this.url.setSelectionRange(at, at);
    this.suggestions.hidden = true;
    this.current().url = value;
    this.changed();
  }

  private urlKeys(event: KeyboardEvent): void {
    if (event.key === "Enter" && !(event.ctrlKey || event.metaKey) && this.suggestions.hidden) {
      event.preventDefault();
      void this.send();
      return;
    }
    if (this.suggestions.hidden) return;
    const items = [...this.suggestions.querySelectorAll<HTMLElement>("li")];
    const active = items.findIndex((li) => li.classList.contains("active"));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = (active + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items.forEach((li, i) => li.classList.toggle("active", i === next));
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      const chosen = items[Math.max(0, active)]?.dataset.value;
      if (chosen && this.suggestions.dataset.kind === "variable") this.acceptVariable(chosen, Number(this.suggestions.dataset.from));
      else if (chosen) this.acceptSuggestion(chosen);
    } else if (event.key === "Escape") {
      this.suggestions.hidden = true;
    }
  }

  // --- preview, errors, lint ----------------------------------------------

  private async runPreview(): Promise<void> {
    const seq = ++this.previewSeq;
    const draft = toDraft(this.current());
    if (!draft.url) {
      this.resolved.textContent = "";
      replace(this.lintBox);
      this.previewNote.textContent = "";
      return;
    }
    this.previewNote.textContent = "updating…";
    let preview: Preview;
    let variables: VariableView[] = [];
    const ref = refOf(this.state.current);
    try {
      if (ref) {
        const saved = await api.previewSaved(ref.root, ref.path, draft);
        preview = saved.preview;
        variables = saved.variables;
      } else {
        preview = await api.previewRequest(draft);
      }
    } catch (error) {
      if (seq !== this.previewSeq) return;
      this.previewNote.textContent = `preview unavailable: ${toReport(error).message}`;
      return;
    }
    if (seq !== this.previewSeq) return;
    this.previewNote.textContent = "";
    this.showVariables(variables);
    if (preview.request) this.showResolved(resolvedLines(preview.request, draft, preview.lint));
    else this.resolved.textContent = preview.error ? `Not rendered: ${messageText(preview.error)}` : "";
    this.showLint(preview.lint);
    if (preview.error) this.showError(preview.error, "draft", false);
    else if (!this.sending) this.clearError();
  }

  /** What each {{variable}} of the request resolved to, and from which scope (environment, collection, ...). */
  private showVariables(variables: VariableView[]): void {
    replace(
      this.variablesBox,
      variables.map((v) =>
        h(
          "li",
          { class: "variable", "data-variable": v.name },
          h("code", { class: "var-name" }, `{{${v.name}}}`),
          " = ",
          v.secret ? h("span", { class: "badge var-secret", title: "A secret variable: its value is in the keychain, never shown" }, "secret, in the keychain") : h("code", { class: "var-value" }, v.value),
          h("span", { class: "muted small" }, ` — ${v.scope}`),
        ),
      ),
    );
  }

  /** The resolved request, a line each; a part Salesforce would send as written shows both values, each labelled. */
  private showResolved(lines: ResolvedLine[]): void {
    replace(
      this.resolved,
      lines.map((line) =>
        line.sender
          ? h(
              "span",
              { class: `resolved-line resolved-${line.sender}`, testid: `resolved-${line.sender}` },
              h("span", { class: "resolved-tag" }, line.sender === "callout" ? "Callout Lab sends" : `Salesforce would send — ${line.reason}`),
              line.text,
            )
          : h("span", { class: "resolved-line" }, line.text),
      ),
    );
  }

  private showLint(lint: Lint[]): void {
    replace(
      this.lintBox,
      lint.map((item) =>
        h(
          "li",
          { class: "lint-item", "data-lint": item.id },
          h("span", { class: "badge badge-warn" }, "Salesforce"),
          " ",
          messageText(item),
          h("span", { class: "muted small" }, ` — ${whereText(item)}`),
        ),
      ),
    );
    this.lastLint = lint;
    this.applyMarks();
  }

  /** Marks lint (warnings) and the current error at their places in the body, headers and URL. */
  private applyMarks(): void {
    const lint = this.lastLint;
    const text = this.current().body;
    const diagnostics: Diagnostic[] = [];
    for (const item of lint) {
      if (item.location.part === "body" && item.at) {
        const range = errorRange(text, offsetOf(text, item.at));
        diagnostics.push({ ...range, severity: "warning", message: `Salesforce: ${item.message}`, source: item.id });
      }
    }
    const error = this.lastError;
    if (error?.location?.part === "body" && error.at) {
      const range = errorRange(text, offsetOf(text, error.at));
      diagnostics.push({ ...range, severity: "error", message: error.message });
    }
    this.body.setDiagnostics(diagnostics);
    this.headersBox.querySelectorAll(".header-row").forEach((row) => row.classList.remove("has-error", "has-lint"));
    this.url.classList.remove("has-error", "has-lint");
    for (const item of lint) this.markField(item.location.part, item.location.header, "has-lint");
    if (error?.location) this.markField(error.location.part, error.location.header, "has-error");
  }

  private markField(part: string, header: string | undefined, cls: string): void {
    if (part === "url") this.url.classList.add(cls);
    if (part === "header") {
      for (const row of this.headersBox.querySelectorAll<HTMLElement>(".header-row")) {
        if (!header || (row.querySelector<HTMLInputElement>(".header-name")?.value ?? "").toLowerCase() === header.toLowerCase()) {
          row.classList.add(cls);
        }
      }
    }
  }

  /** The error box: what the situation means (a draft not ready, a Send refused), the engine's sentence, and the place. */
  private showError(error: UiError, situation: ErrorSituation, reveal: boolean): void {
    this.lastError = error;
    const place = placeText(error);
    replace(
      this.errorBox,
      h("strong", null, errorHeadline(error, situation), " "),
      messageText(error),
      place && h("div", { class: "error-place" }, place[0].toUpperCase() + place.slice(1), " ", h("span", { class: "link" }, "Show me")),
    );
    this.errorBox.dataset.situation = situation;
    this.errorBox.hidden = false;
    this.applyMarks();
    if (reveal) this.revealError();
  }

  private clearError(): void {
    if (!this.lastError) return;
    this.lastError = null;
    this.errorBox.hidden = true;
    replace(this.errorBox);
    this.applyMarks();
  }

  /**
   * The line under the URL field (`testid` names what it says), or none. `invalid`:
   * the URL itself is what is wrong (empty), and the field is marked so.
   */
  private showUrlProblem(text: string | null, testid = "url-problem", invalid = false): void {
    this.urlProblem.hidden = text === null;
    if (text === null) {
      replace(this.urlProblem);
      this.url.removeAttribute("aria-invalid");
      this.url.removeAttribute("aria-describedby");
      return;
    }
    replace(this.urlProblem, h("div", { class: "field-problem", testid, role: "alert" }, text));
    if (invalid) this.url.setAttribute("aria-invalid", "true");
    else this.url.removeAttribute("aria-invalid");
    this.url.setAttribute("aria-describedby", "url-problem");
  }

  /** Why an import or an export did not happen, under the buttons that started it (`testid` names which), or none. */
  private showActionProblem(text: string | null, testid = "action-problem"): void {
    this.actionProblem.hidden = text === null;
    if (text === null) {
      replace(this.actionProblem);
      delete this.actionProblem.dataset.testid;
      return;
    }
    const dismiss = h("button", { type: "button", class: "ghost small", "aria-label": "Dismiss" }, "Dismiss");
    dismiss.addEventListener("click", () => this.showActionProblem(null));
    this.actionProblem.dataset.testid = testid;
    replace(this.actionProblem, h("div", null, text), dismiss);
  }

  private revealError(): void {
    const error = this.lastError;
    if (!error?.location) return;
    if (error.location.part === "body") {
      const text = this.current().body;
      this.body.reveal(error.at ? offsetOf(text, error.at) : 0);
      this.body.focus();
    } else if (error.location.part === "url") {
      this.url.focus();
      if (error.at) {
        const at = offsetOf(this.url.value, { line: 1, column: error.at.column });
        this.url.setSelectionRange(at, at);
      }
    } else {
      const row = [...this.headersBox.querySelectorAll<HTMLElement>(".header-row")].find(
        (r) => (r.querySelector<HTMLInputElement>(".header-name")?.value ?? "").toLowerCase() === (error.location?.header ?? "").toLowerCase(),
      );
      const value = row?.querySelector<HTMLInputElement>(".header-value");
      value?.focus();
      if (value && error.at) {
        const at = offsetOf(value.value, { line: 1, column: error.at.column });
        value.setSelectionRange(at, at);
      }
    }
  }

  // --- send / save -------------------------------------------------------

  async send(): Promise<void> {
    if (this.sending) return;
    this.runner.hide();
    this.persist.flush();
    const d = this.current();
    const draft = toDraft(d);
    if (!draft.url) {
      this.showUrlProblem(`Enter a URL first, e.g. ${restQueryExample(store.salesforceApiVersion.value, "SELECT+Id+FROM+Account")}`, "url-problem", true);
      this.url.focus();
      return;
    }
    this.showUrlProblem(null);
    // The response belongs to the draft sent, even if another one is open when it arrives.
    const key = this.state.current ?? "";
    const before = this.response.state;
    const here = (): boolean => this.state.current === key;
    const settle = (state: ResponseState): void => {
      this.responses.set(key, state);
      if (here()) this.response.restore(state);
    };
    this.sending = true;
    this.clearError();
    this.response.sending(draft.url);
    const credential = calloutName(draft.url);
    try {
      await busy(this.sendButton, "Sending…", async () => {
        try {
          const ref = refOf(key);
          // A collection's request: its assertions, as edited, are checked on the outcome.
          const sent = ref ? await api.sendSaved(ref.root, ref.path, draft, d.assertions.map((a) => ({ ...a }))) : null;
          const report: SendReport = sent ?? (await api.sendRequest(draft));
          if (ref) void this.history.reload();
          store.lastResponse.set({ report, url: draft.url });
          settle({ kind: "report", report, opened: null });
          if (sent) {
            this.assertionResults.set(key, sent.assertions);
            if (here()) this.checks.showResults(sent.assertions);
          }
          if (here()) {
            this.response.element.scrollIntoView({ block: "start", behavior: "smooth" });
            this.showLint(report.lint);
          } else {
            toast(`“${d.name}” got its response: HTTP ${report.response.status}. Open it to see the verdict.`, "info");
          }
        } catch (error) {
          const report = toReport(error);
          if (report.location) {
            // Refused before anything went out: the last response still stands.
            settle(before.kind === "sending" ? { kind: "idle" } : before);
            if (here()) this.showError(report, "refused", true);
            else toastError(`Did not send “${d.name}”`, error);
          } else {
            // Said once, in the response pane, with Re-authorize there when that is the way out.
            settle({ kind: "failed", message: report.message, reauthorize: offersReauthorize(error) ? credential : null });
            if (!here()) toast(`“${d.name}” got no response. Open it to see why.`, "info");
          }
        }
      });
    } finally {
      this.sending = false;
    }
  }

  // --- import / export -----------------------------------------------------

  /** The curl dialog: a command that cannot be imported is said there, and the dialog stays open to fix it. */
  private async askCurl(): Promise<void> {
    this.showActionProblem(null);
    await askLongText(
      "Import a curl command",
      "curl command",
      "curl -X POST https://api.example.com/v1/items -H 'Content-Type: application/json' -d '{\"a\":1}'",
      "Import",
      "import-curl-text",
      {
        busyLabel: "Importing…",
        problemTestid: "import-curl-error",
        run: async (command) => {
          const why = await this.importCurl(command);
          return why === null ? null : `Not imported: ${why}`;
        },
      },
    );
  }

  /** Opens a curl command pasted into the URL field as a new, unsaved request; if it cannot be, says why under the field. */
  async importCurlText(command: string): Promise<void> {
    const problem = await this.importCurl(command);
    if (problem) this.showUrlProblem(`Could not import the curl command: ${problem}`, "import-curl-error");
  }

  /** Opens a curl command as a new, unsaved request; the shell's reason when it cannot, else null. */
  private async importCurl(command: string): Promise<string | null> {
    try {
      const imported = await api.importCurl(command);
      this.load({ ...fromSaved(imported.request), savedId: null }, this.newKey());
      this.persistNow();
      const notes = imported.notes.length ? ` (${imported.notes.join("; ")})` : "";
      toast(`Imported “${imported.request.name}” from curl; save it to keep it${notes}.`, "info");
      return null;
    } catch (error) {
      return toReport(error).message;
    }
  }

  /**
   * A Postman collection and its environments (selected together) become a new
   * collection, folders kept; tokens are left out with a note on binding them.
   */
  private async importPostman(input: HTMLInputElement): Promise<void> {
    const files = [...(input.files ?? [])];
    input.value = "";
    if (!files.length) return;
    this.showActionProblem(null);
    const names = files.map((f) => f.name).join(", ");
    try {
      const texts = await Promise.all(files.map((f) => f.text()));
      // An environment export has "values"; the collection has "item".
      const isEnvironment = (text: string): boolean => {
        try {
          const json = JSON.parse(text) as { values?: unknown; item?: unknown };
          return Array.isArray(json.values) && json.item === undefined;
        } catch {
          return false;
        }
      };
      const collections = texts.filter((text) => !isEnvironment(text));
      if (collections.length !== 1) {
        this.showActionProblem(`Could not import ${names}: select one Postman collection (and its environment files), not ${collections.length}.`, "import-postman-error");
        return;
      }
      const imported = await api.importPostmanCollection(collections[0], texts.filter(isEnvironment));
      await this.reloadSaved();
      const credentials = imported.credentialsAdded.length
        ? ` Credentials added (authorize them, and add client secrets in Credentials): ${imported.credentialsAdded.join(", ")}.`
        : "";
      const environments = imported.environments.length ? ` Environments: ${imported.environments.join(", ")}.` : "";
      const notes = imported.notes.length ? ` Notes: ${imported.notes.join(" ")}` : "";
      toast(`Imported “${imported.collection.name}” into ${imported.collection.root}.${environments}${credentials}${notes}`, "info");
      await this.offerBinding(imported.collection.root, imported.collection.name, imported.tokenVariables, imported.endpointVariables);
    } catch (error) {
      this.showActionProblem(`Could not import ${names}: ${toReport(error).message}`, "import-postman-error");
    }
  }

  /** The Import dialog of `kind` (OpenAPI, WSDL, ...): the collection it makes is opened, so the tree shows it. */
  private async importWork(kind: ImportKind): Promise<void> {
    this.showActionProblem(null);
    await openImportDialog(kind, {
      imported: () => this.reloadSaved(),
    });
  }

  /**
   * Offers to bind an imported collection's token variables ({{access_token}}, a
   * SessionHeader's) and endpoint variables ({{endpoint}}) to a credential, in an
   * environment it then sends with: its requests run with expiry detection and
   * refresh instead of a pasted token.
   */
  private async offerBinding(root: string, name: string, tokens: string[], endpoints: string[]): Promise<void> {
    if (!tokens.length && !endpoints.length) return;
    const credentials = store.credentialNames();
    if (!credentials.length) return;
    const variables = [...tokens.map((t) => `{{${t}}} → the credential's token`), ...endpoints.map((e) => `{{${e}}} → callout:CREDENTIAL`)].join("; ");
    const preferred = credentials.find((c) => !store.credentials.value.find((v) => v.credential.name === c)?.sandbox) ?? credentials[0];
    const answer = await askBinding(`Bind “${name}” to a credential`, `Its requests carry ${variables}.`, credentials, preferred);
    if (!answer) return;
    try {
      await api.bindVariables(root, answer.environment, answer.credential, tokens, endpoints);
      await this.reloadSaved();
      toast(`Bound to ${answer.credential} in the environment “${answer.environment}”, which “${name}” now sends with.`, "ok");
    } catch (error) {
      toastError("Could not bind the variables", error);
    }
  }

  private async exportAs(format: "curl" | "apex"): Promise<void> {
    const draft = toDraft(this.current());
    this.showActionProblem(null);
    try {
      const text = await api.exportRequest(draft, format);
      await showText(format === "curl" ? "As a curl command" : "As Apex", text, "export-text");
    } catch (error) {
      this.showActionProblem(`Could not export as ${format === "curl" ? "curl" : "Apex"}: ${toReport(error).message}`, "export-error");
    }
  }

  /**
   * Save: a collection's request is written over its file, which must still hold
   * what was read (a change on disk is never overwritten: a note offers to reload
   * or to save over it). Save as, a template or a new request: a new file in the
   * folder chosen in the tree (or the first collection).
   */
  private async save(asNew = false): Promise<void> {
    const d = this.current();
    const key = this.state.current;
    const ref = refOf(key);
    if (ref && key && !asNew) {
      try {
        const file = await api.saveSaved(ref.root, ref.path, toSaved(d), this.stamps.get(key) ?? "");
        this.remember(key, { ...file.request, id: key }, file.stamp);
        this.collections = await api.listCollections();
        this.hideConflict();
        this.load(fromSaved({ ...file.request, id: key }), key);
        this.persistNow();
        toast(`Saved “${file.request.name}”.`, "ok");
      } catch (error) {
        if (toReport(error).kind === "changedOnDisk") this.showConflict(key);
        else toastError(`Could not save “${d.name}”`, error);
      }
      return;
    }
    const target = this.tree.saveTarget();
    if (!target) {
      toast("Open or make a collection first: requests are saved as files in one.", "error");
      return;
    }
    const suggested = d.sample ? `${d.name} (copy)` : asNew ? `${d.name} copy` : d.name;
    const where = this.tree.collectionOf(target.root)?.name ?? target.root;
    const answer = await askText(d.sample ? "Save a copy of the template" : "Save as", `Name (saved in ${where}${target.folder ? `/${target.folder}` : ""})`, suggested);
    if (answer === null) return;
    try {
      const file = await api.newSaved(target.root, target.folder, toSaved(d, answer));
      const newKey = savedKey({ root: file.root, path: file.path });
      const oldKey = key;
      if (oldKey !== null) {
        // The edits now live in the saved file; a template goes back to how it came.
        delete this.state.drafts[oldKey];
        this.responses.set(newKey, this.response.state);
        if (d.savedId === null) this.responses.delete(oldKey);
      }
      const saved = { ...file.request, id: newKey };
      this.remember(newKey, saved, file.stamp);
      this.collections = await api.listCollections();
      this.load(fromSaved(saved), newKey);
      this.persistNow();
      toast(`Saved “${saved.name}” in ${where}.`, "ok");
    } catch (error) {
      toastError(`Could not save “${answer}”`, error);
    }
  }
}

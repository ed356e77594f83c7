// The one Import menu and the dialog of each kind it offers. curl and Postman
// keep their own ways in (the editor's curl dialog, a Postman file picker);
// every other kind goes through core's one import action (`import_work`): a
// file read here, a folder's files (Bruno), or a path or URL the shell reads.
// Preview is a dry run that lists what would be made; Import makes the
// collection (core opens it, so it appears in the tree) and its credential
// drafts. What goes wrong is said in the dialog, in core's words.
import * as api from "../api";
import type { ImportInput } from "../bindings/ImportInput";
import type { ImportKind } from "../bindings/ImportKind";
import type { ImportReport } from "../bindings/ImportReport";
import { messageText, toReport } from "../logic/errors";
import { h, replace } from "../ui/dom";
import { openModal } from "../ui/modal";

/** What the Import menu offers: curl and Postman (the editor's own), then core's kinds. */
export type ImportChoice = "curl" | "postman" | ImportKind;

export interface ImportChoiceInfo {
  choice: ImportChoice;
  label: string;
  /** The menu item's tooltip. */
  hint: string;
}

export const IMPORT_CHOICES: readonly ImportChoiceInfo[] = [
  { choice: "curl", label: "curl command", hint: "Paste a curl command: it opens as a new request (pasting one into the URL field does too)" },
  { choice: "postman", label: "Postman collection", hint: "A Postman collection (v2.1 JSON) with its environment files (select them together)" },
  { choice: "openapi", label: "OpenAPI / Swagger", hint: "An OpenAPI 3.x or Swagger 2.0 document (JSON or YAML): one request per operation" },
  { choice: "wsdl", label: "WSDL", hint: "A WSDL 1.1: one SOAP request per operation, with a skeleton envelope" },
  { choice: "insomnia", label: "Insomnia", hint: "An Insomnia export (v4 JSON or v5 YAML)" },
  { choice: "bruno", label: "Bruno collection", hint: "A Bruno collection's folder (its .bru files)" },
  { choice: "har", label: "HAR", hint: "A browser's network log (HAR): one request per entry" },
  { choice: "sfdx", label: "Salesforce metadata (SFDX)", hint: "An SFDX project's Named Credentials, External Credentials and Auth Providers become credentials" },
];

/** The label of a kind, as the menu says it. */
export function kindLabel(kind: ImportKind): string {
  return IMPORT_CHOICES.find((c) => c.choice === kind)?.label ?? kind;
}

/** The files a file picker offers for a kind (the user may still pick another). */
const ACCEPT: Partial<Record<ImportKind, string>> = {
  openapi: ".json,.yaml,.yml",
  wsdl: ".wsdl,.xml",
  insomnia: ".json,.yaml,.yml",
  har: ".har,.json",
};

/** How a kind is given: one file (or a path or URL), a folder (or its path), or a path only. */
export type SourceShape = "file" | "folder" | "path";

export function sourceShape(kind: ImportKind): SourceShape {
  return kind === "sfdx" ? "path" : kind === "bruno" ? "folder" : "file";
}

/** A folder picker's path ("collection/folder/a.bru") below the folder picked ("folder/a.bru"). */
export function belowTopFolder(relativePath: string): string {
  const slash = relativePath.indexOf("/");
  return slash < 0 ? relativePath : relativePath.slice(slash + 1);
}

/** The files of a Bruno folder worth reading: its .bru files, bruno.json and YAML, not node_modules or .git. */
export function isCollectionFile(path: string): boolean {
  if (/(^|\/)(node_modules|\.git)\//.test(path)) return false;
  return /\.(bru|json|ya?ml)$/i.test(path);
}

/** A file the user picked: its name and, for a folder, its path inside the folder picked. */
export interface PickedFile {
  name: string;
  relativePath: string;
  text(): Promise<string>;
}

/** What the dialog holds when Preview or Import is pressed. */
export interface DialogSource {
  path: string;
  files: PickedFile[];
}

/**
 * What to hand to core for `kind`: a typed path or URL wins over a picked file
 * (typing one clears the pick); a folder's files with the top folder's name;
 * else why not.
 */
export async function importInput(kind: ImportKind, source: DialogSource): Promise<ImportInput | string> {
  const path = source.path.trim();
  const shape = sourceShape(kind);
  if (path) return { from: "path", path };
  if (shape === "path") return "Give the path of the project's folder on this machine.";
  if (!source.files.length) return shape === "folder" ? "Choose the collection's folder, or give its path." : "Choose a file, or give a path or URL.";
  if (shape === "file") {
    const file = source.files[0];
    return { from: "text", name: file.name, text: await file.text() };
  }
  const top = source.files[0].relativePath.split("/")[0] || "collection";
  const wanted = source.files.filter((file) => isCollectionFile(belowTopFolder(file.relativePath)));
  if (!wanted.length) return `${top} has no .bru files: choose the Bruno collection's folder (the one with bruno.json).`;
  const files = await Promise.all(wanted.map(async (file): Promise<[string, string]> => [belowTopFolder(file.relativePath), await file.text()]));
  return { from: "files", name: top, files };
}

/** A part of a report as the dialog lists it. */
export interface ReportSection {
  testid: string;
  title: string;
  items: string[];
}

/** The report's first line: what was (or would be) made, and where. */
export function reportHeadline(report: ImportReport): string {
  const c = report.collection;
  if (c) {
    const requests = `${c.files.length} request${c.files.length === 1 ? "" : "s"}`;
    return report.dryRun ? `Would make “${c.name}”: ${requests} in ${c.root}` : `Imported “${c.name}”: ${requests} in ${c.root}${report.opened ? " (opened in the tree)" : ""}`;
  }
  const count = report.credentialsAdded.length;
  if (count === 0 && report.credentialsKept.length === 0) return `No credential found in ${report.source}`;
  const credentials = `${count} credential${count === 1 ? "" : "s"}`;
  return report.dryRun ? `Would add ${credentials} from ${report.source}` : `Added ${credentials} from ${report.source}`;
}

/** The report's lists, the empty ones left out. */
export function reportSections(report: ImportReport): ReportSection[] {
  const would = report.dryRun ? "would be added" : "added";
  const sections: ReportSection[] = [
    { testid: "import-report-files", title: report.dryRun ? "Files it would write" : "Files written", items: report.collection?.files ?? [] },
    { testid: "import-report-environments", title: "Environments", items: report.collection?.environments ?? [] },
    {
      testid: "import-report-credentials",
      title: "Credentials",
      items: [
        ...report.credentialsAdded.map((name) => `${name} — new, ${would} (definition only, no secrets)`),
        ...report.credentialsKept.map((name) => `${name} — exists already, kept as it is`),
      ],
    },
    { testid: "import-report-supply", title: "To supply", items: report.toSupply },
    { testid: "import-report-notes", title: "Notes", items: report.notes },
  ];
  return sections.filter((section) => section.items.length > 0);
}

function reportView(report: ImportReport): HTMLElement {
  return h(
    "div",
    { class: `import-report${report.dryRun ? " is-preview" : ""}`, testid: report.dryRun ? "import-preview-report" : "import-done-report", role: "status" },
    h("p", { class: "import-headline", testid: "import-headline" }, reportHeadline(report)),
    reportSections(report).map((section) =>
      h(
        "div",
        { class: "import-section", testid: section.testid },
        h("h3", null, section.title),
        h("ul", null, section.items.map((item) => h("li", null, item))),
      ),
    ),
    report.dryRun && h("p", { class: "muted small" }, "A preview: nothing was written. Import makes it."),
  );
}

export interface ImportDialogOptions {
  /** After a real import: the tree reloads (core opened the collection). */
  imported(report: ImportReport): void | Promise<void>;
  /** Runs the import; the shell's `import_work` unless a test gives another. */
  run?: (kind: ImportKind, input: ImportInput, dryRun: boolean) => Promise<ImportReport>;
}

/** The dialog that imports `kind`: a file, folder, path or URL; Preview, then Import; resolves when it closes. */
export function openImportDialog(kind: ImportKind, options: ImportDialogOptions): Promise<void> {
  const run = options.run ?? api.importWork;
  return openModal<void>((close) => {
    const shape = sourceShape(kind);
    const label = kindLabel(kind);
    const picker =
      shape === "path"
        ? null
        : h("input", {
            type: "file",
            testid: shape === "folder" ? "import-folder" : "import-file",
            accept: ACCEPT[kind],
            "aria-label": shape === "folder" ? "The collection's folder" : `The ${label} file`,
          });
    if (picker && shape === "folder") {
      picker.setAttribute("webkitdirectory", "");
      picker.setAttribute("directory", "");
    }
    const pathLabel = shape === "path" ? "The project's folder on this machine" : shape === "folder" ? "or the folder's path on this machine" : "or a path or URL";
    const path = h("input", {
      type: "text",
      testid: "import-path",
      spellcheck: "false",
      "aria-label": pathLabel,
      placeholder: shape === "path" ? "/home/you/projects/my-sfdx-app" : shape === "folder" ? "/home/you/collections/orders" : "/home/you/api/openapi.yaml or https://…",
    });
    const problem = h("div", { class: "field-problem", testid: "import-problem", role: "alert", hidden: true });
    const status = h("div", { class: "import-status muted small", testid: "import-status", role: "status", "aria-live": "polite" });
    const result = h("div", { class: "import-result", testid: "import-result" });
    const preview = h("button", { type: "button", class: "secondary", testid: "import-preview" }, "Preview");
    const submit = h("button", { type: "button", class: "primary", testid: "import-submit" }, "Import");
    const cancel = h("button", { type: "button", class: "ghost", testid: "import-close", onclick: () => close() }, "Cancel");
    let pending = false;
    let done = false;

    const files = (): PickedFile[] =>
      [...(picker?.files ?? [])].map((file) => ({ name: file.name, relativePath: file.webkitRelativePath || file.name, text: () => file.text() }));
    const showProblem = (text: string | null): void => {
      problem.hidden = text === null;
      problem.textContent = text ?? "";
    };
    const changed = (): void => {
      showProblem(null);
      if (!done) result.replaceChildren();
    };
    path.addEventListener("input", () => {
      if (picker && path.value.trim()) picker.value = "";
      changed();
    });
    picker?.addEventListener("change", () => {
      if (picker.files?.length) path.value = "";
      changed();
    });

    const go = async (dryRun: boolean): Promise<void> => {
      if (pending || done) return;
      showProblem(null);
      pending = true;
      preview.disabled = true;
      submit.disabled = true;
      status.textContent = dryRun ? "Reading…" : "Importing…";
      try {
        const input = await importInput(kind, { path: path.value, files: files() });
        if (typeof input === "string") {
          showProblem(input);
          return;
        }
        const report = await run(kind, input, dryRun);
        replace(result, reportView(report));
        if (!dryRun) {
          done = true;
          cancel.textContent = "Close";
          preview.hidden = true;
          submit.hidden = true;
          await options.imported(report);
        }
      } catch (error) {
        result.replaceChildren();
        showProblem(`Not imported: ${messageText(toReport(error))}`);
      } finally {
        pending = false;
        status.textContent = "";
        preview.disabled = false;
        submit.disabled = false;
      }
    };
    preview.addEventListener("click", () => void go(true));
    submit.addEventListener("click", () => void go(false));
    path.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        void go(true);
      }
    });

    const intro =
      shape === "path"
        ? "Its Named Credentials, External Credentials and Auth Providers become credentials here: definitions only, each secret they need is named. Give the SFDX project's folder on this machine (or a retrieved force-app/main/default)."
        : "It becomes a new collection in Callout Lab's collections folder, opened in the tree; the credentials it describes are added as definitions only, never their secrets.";
    setTimeout(() => path.focus(), 0);
    return h(
      "div",
      { class: "modal modal-wide import-dialog", role: "dialog", "aria-modal": "true", "aria-label": `Import ${label}`, testid: "import-dialog", "data-kind": kind },
      h("h2", null, `Import ${label}`),
      h("p", { class: "muted small" }, intro),
      picker && h("label", { class: "modal-label" }, shape === "folder" ? "Folder" : "File", picker),
      h("label", { class: "modal-label" }, pathLabel, path),
      problem,
      result,
      h("div", { class: "form-actions" }, status, h("span", { class: "spacer" }), cancel, preview, submit),
    );
  }, undefined);
}

export interface ImportMenuOptions {
  choose(choice: ImportChoice): void;
}

/** The "Import…" button and its menu of every kind; Escape or a click elsewhere closes it. */
export function importMenu(options: ImportMenuOptions): HTMLElement {
  const button = h(
    "button",
    { type: "button", class: "ghost", testid: "import-menu", "aria-haspopup": "menu", "aria-expanded": "false", title: "Import requests or credentials from another tool" },
    "Import…",
  );
  const items = IMPORT_CHOICES.map((info) =>
    h("button", { type: "button", role: "menuitem", class: "menu-item", testid: `import-${info.choice}`, title: info.hint, "data-choice": info.choice }, info.label),
  );
  const list = h("div", { class: "menu-list", role: "menu", "aria-label": "Import", hidden: true }, items);
  const wrap = h("div", { class: "menu-wrap" }, button, list);
  const onOutside = (event: MouseEvent): void => {
    if (!wrap.contains(event.target as Node)) show(false);
  };
  const show = (open: boolean): void => {
    list.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) {
      document.addEventListener("mousedown", onOutside);
      items[0]?.focus();
    } else {
      document.removeEventListener("mousedown", onOutside);
    }
  };
  button.addEventListener("click", () => show(list.hidden));
  for (const item of items) {
    item.addEventListener("click", () => {
      show(false);
      options.choose(item.dataset.choice as ImportChoice);
    });
  }
  list.addEventListener("keydown", (event) => {
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      show(false);
      button.focus();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = (at + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      items[next]?.focus();
    }
  });
  return wrap;
}

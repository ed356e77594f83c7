// @vitest-environment happy-dom
// The Import menu and its dialog as a person uses them: every kind listed,
// curl and Postman handed back to the editor, a path or a picked file sent
// to the shell, Preview listing what would be made, Import showing the
// report and refreshing the tree, and core's message when it is refused.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ImportReport } from "../bindings/ImportReport";
import { IMPORT_CHOICES, belowTopFolder, importInput, importMenu, isCollectionFile, openImportDialog, reportHeadline, reportSections, type ImportChoice, type PickedFile } from "./importDialog";

const report = (dryRun: boolean, more: Partial<ImportReport> = {}): ImportReport => ({
  kind: "openapi",
  source: "/work/orders.yaml",
  collection: {
    name: "Acme Orders API",
    root: "/home/you/collections/Acme Orders API",
    files: ["Orders/list-orders.toml", "Orders/create-an-order.toml"],
    environments: ["Sandbox"],
    credentials: ["Acme_OAuth"],
    notes: [],
    dryRun,
  },
  opened: !dryRun,
  credentialsAdded: ["Acme_OAuth"],
  credentialsKept: ["Sandbox"],
  toSupply: ["Acme_OAuth: its client secret"],
  notes: ["1 optional query parameter was left out of the URLs"],
  dryRun,
  ...more,
});

const file = (relativePath: string, text: string): PickedFile => ({ name: relativePath.split("/").pop()!, relativePath, text: async () => text });

const q = <T extends HTMLElement = HTMLElement>(testid: string, root: ParentNode = document.body): T => {
  const found = root.querySelector<T>(`[data-testid="${testid}"]`);
  if (!found) throw new Error(`no ${testid}`);
  return found;
};
const text = (el: Element | null): string => (el?.textContent ?? "").replace(/\s+/g, " ").trim();
const type = (input: HTMLInputElement, value: string): void => {
  input.value = value;
  input.dispatchEvent(new Event("input"));
};

type Call = { cmd: string; args: Record<string, unknown> };
let calls: Call[];
let answer: (args: Record<string, unknown>) => unknown;

beforeEach(() => {
  calls = [];
  answer = (args) => report(Boolean(args.dryRun));
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    if (cmd === "import_work") return answer(a);
    return null;
  });
});

afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

describe("the Import menu", () => {
  it("lists curl, Postman and every kind core imports, and hands the choice back", () => {
    const chosen: ImportChoice[] = [];
    const menu = importMenu({ choose: (choice) => chosen.push(choice) });
    document.body.append(menu);
    const list = menu.querySelector<HTMLElement>('[role="menu"]')!;
    expect(list.hidden).toBe(true);
    q("import-menu").click();
    expect(list.hidden).toBe(false);
    expect(q("import-menu").getAttribute("aria-expanded")).toBe("true");
    expect([...list.querySelectorAll("[role=menuitem]")].map((item) => item.textContent)).toEqual([
      "curl command",
      "Postman collection",
      "OpenAPI / Swagger",
      "WSDL",
      "Insomnia",
      "Bruno collection",
      "HAR",
      "Salesforce metadata (SFDX)",
    ]);
    q("import-curl").click();
    expect(list.hidden).toBe(true);
    q("import-menu").click();
    q("import-openapi").click();
    expect(chosen).toEqual(["curl", "openapi"]);
    expect(IMPORT_CHOICES.length).toBe(8);
  });

  it("closes on Escape and on a click elsewhere", () => {
    const menu = importMenu({ choose: () => undefined });
    document.body.append(menu, document.createElement("main"));
    const list = menu.querySelector<HTMLElement>('[role="menu"]')!;
    q("import-menu").click();
    list.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(list.hidden).toBe(true);
    q("import-menu").click();
    document.querySelector("main")!.dispatchEvent(new MouseEvent("mousedown", { bubbles: true }));
    expect(list.hidden).toBe(true);
  });
});

describe("what is handed to core", () => {
  it("is a typed path or URL before a picked file", async () => {
    expect(await importInput("openapi", { path: " https://acme.example/openapi.yaml ", files: [file("a.yaml", "x")] })).toEqual({ from: "path", path: "https://acme.example/openapi.yaml" });
    expect(await importInput("wsdl", { path: "", files: [file("svc.wsdl", "<definitions/>")] })).toEqual({ from: "text", name: "svc.wsdl", text: "<definitions/>" });
  });

  it("is a Bruno folder's collection files below the folder picked, named by it", async () => {
    const input = await importInput("bruno", {
      path: "",
      files: [file("orders/bruno.json", "{}"), file("orders/Accounts/list.bru", "meta {}"), file("orders/node_modules/x/package.json", "{}"), file("orders/logo.png", "PNG")],
    });
    expect(input).toEqual({ from: "files", name: "orders", files: [["bruno.json", "{}"], ["Accounts/list.bru", "meta {}"]] });
    expect(belowTopFolder("orders/a/b.bru")).toBe("a/b.bru");
    expect(isCollectionFile(".git/config.json")).toBe(false);
  });

  it("says what is missing instead", async () => {
    expect(await importInput("sfdx", { path: " ", files: [] })).toBe("Give the path of the project's folder on this machine.");
    expect(await importInput("har", { path: "", files: [] })).toBe("Choose a file, or give a path or URL.");
    expect(await importInput("bruno", { path: "", files: [] })).toBe("Choose the collection's folder, or give its path.");
  });
});

describe("the report", () => {
  it("says what a preview would make and what an import made", () => {
    expect(reportHeadline(report(true))).toBe("Would make “Acme Orders API”: 2 requests in /home/you/collections/Acme Orders API");
    expect(reportHeadline(report(false))).toBe("Imported “Acme Orders API”: 2 requests in /home/you/collections/Acme Orders API (opened in the tree)");
    const metadata = report(false, { kind: "sfdx", collection: null, credentialsKept: [] });
    expect(reportHeadline(metadata)).toBe("Added 1 credential from /work/orders.yaml");
    expect(reportHeadline({ ...metadata, credentialsAdded: [] })).toBe("No credential found in /work/orders.yaml");
  });

  it("lists files, environments, credentials new and existing, what to supply and notes", () => {
    expect(reportSections(report(true))).toEqual([
      { testid: "import-report-files", title: "Files it would write", items: ["Orders/list-orders.toml", "Orders/create-an-order.toml"] },
      { testid: "import-report-environments", title: "Environments", items: ["Sandbox"] },
      { testid: "import-report-credentials", title: "Credentials", items: ["Acme_OAuth — new, would be added (definition only, no secrets)", "Sandbox — exists already, kept as it is"] },
      { testid: "import-report-supply", title: "To supply", items: ["Acme_OAuth: its client secret"] },
      { testid: "import-report-notes", title: "Notes", items: ["1 optional query parameter was left out of the URLs"] },
    ]);
    expect(reportSections(report(false, { toSupply: [], notes: [] })).map((s) => s.testid)).toEqual(["import-report-files", "import-report-environments", "import-report-credentials"]);
  });
});

describe("the dialog", () => {
  it("previews a path, then imports it, shows the report and refreshes the tree", async () => {
    const imported = vi.fn();
    const closed = openImportDialog("openapi", { imported });
    expect(text(q("import-dialog").querySelector("h2"))).toBe("Import OpenAPI / Swagger");
    type(q<HTMLInputElement>("import-path"), "/work/orders.yaml");
    q("import-preview").click();
    await vi.waitFor(() => q("import-preview-report"));
    expect(calls).toEqual([{ cmd: "import_work", args: { kind: "openapi", input: { from: "path", path: "/work/orders.yaml" }, dryRun: true } }]);
    expect(text(q("import-report-files"))).toContain("Orders/list-orders.toml");
    expect(imported).not.toHaveBeenCalled();

    q("import-submit").click();
    await vi.waitFor(() => q("import-done-report"));
    expect(calls[1].args.dryRun).toBe(false);
    expect(text(q("import-headline"))).toMatch(/^Imported “Acme Orders API”: 2 requests/);
    expect(imported).toHaveBeenCalledWith(report(false));
    expect(q("import-submit").hidden).toBe(true);
    expect(q("import-close").textContent).toBe("Close");
    q("import-close").click();
    await closed;
    expect(document.querySelector('[data-testid="import-dialog"]')).toBeNull();
  });

  it("disables its buttons and says Importing… while the shell works", async () => {
    let finish: (value: ImportReport) => void = () => undefined;
    answer = () => new Promise<ImportReport>((resolve) => (finish = resolve));
    void openImportDialog("wsdl", { imported: () => undefined });
    type(q<HTMLInputElement>("import-path"), "https://acme.example/svc?wsdl");
    q("import-submit").click();
    await vi.waitFor(() => expect(q("import-status").textContent).toBe("Importing…"));
    expect(q<HTMLButtonElement>("import-submit").disabled).toBe(true);
    expect(q<HTMLButtonElement>("import-preview").disabled).toBe(true);
    finish(report(false, { kind: "wsdl" }));
    await vi.waitFor(() => q("import-done-report"));
    expect(q("import-status").textContent).toBe("");
  });

  it("shows core's message when the document is refused, and nothing is reported made", async () => {
    answer = () => {
      throw { kind: "import", message: "cannot import the OpenAPI document: /work/broken.yaml is not valid YAML (line 4, column 1: did not find expected ',' or ']')" };
    };
    const imported = vi.fn();
    void openImportDialog("openapi", { imported });
    type(q<HTMLInputElement>("import-path"), "/work/broken.yaml");
    q("import-submit").click();
    const problem = await vi.waitFor(() => {
      const shown = q("import-problem");
      expect(shown.hidden).toBe(false);
      return shown;
    });
    expect(problem.textContent).toBe("Not imported: cannot import the OpenAPI document: /work/broken.yaml is not valid YAML (line 4, column 1: did not find expected ',' or ']')");
    expect(document.querySelector('[data-testid="import-done-report"]')).toBeNull();
    expect(imported).not.toHaveBeenCalled();
    expect(q<HTMLButtonElement>("import-submit").disabled).toBe(false);
  });

  it("asks for a path without calling the shell when none is given; SFDX has no file picker", async () => {
    void openImportDialog("sfdx", { imported: () => undefined });
    expect(document.querySelector('[data-testid="import-file"]')).toBeNull();
    expect(text(q("import-dialog"))).toContain("The project's folder on this machine");
    q("import-preview").click();
    await vi.waitFor(() => expect(q("import-problem").hidden).toBe(false));
    expect(q("import-problem").textContent).toBe("Give the path of the project's folder on this machine.");
    expect(calls).toEqual([]);
  });

  it("offers a folder picker for Bruno", () => {
    void openImportDialog("bruno", { imported: () => undefined });
    const picker = q<HTMLInputElement>("import-folder");
    expect(picker.type).toBe("file");
    expect(picker.hasAttribute("webkitdirectory")).toBe(true);
  });
});

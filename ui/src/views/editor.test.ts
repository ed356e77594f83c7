// @vitest-environment happy-dom
// The request editor as a person uses it, against a shell played by Tauri's
// mocks that keeps saved requests the way the real one does (an empty id gets
// a new one, a known id is replaced in place).
import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { Assertion } from "../bindings/Assertion";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Draft } from "../bindings/Draft";
import type { Attempt } from "../bindings/Attempt";
import type { Received } from "../bindings/Received";
import type { Verdict } from "../bindings/Verdict";
import type { Preview, SavedRequest, SendReport } from "../pending-types";
import { fromSaved, saveEditorState } from "../logic/drafts";
import type { ImportedRequest } from "../bindings/ImportedRequest";
import { toaster } from "../ui/toast";
import * as store from "../store";
import type { CredentialView } from "../pending-types";
import { EditorView } from "./editor";

const SOAP: SavedRequest = {
  id: "sample-soap-query",
  name: "Salesforce SOAP query",
  method: "POST",
  url: "callout:Sandbox/services/Soap/u/59.0",
  headers: [
    { name: "Content-Type", value: "text/xml; charset=UTF-8" },
    { name: "SOAPAction", value: '""' },
  ],
  body: '<?xml version="1.0"?>\n<soapenv:Envelope>\n  <sessionId>{!$Credential.OAuthToken}</sessionId>\n</soapenv:Envelope>\n',
  bodyKind: "xml",
  sample: true,
  assertions: [],
  extract: [],
};
const REST: SavedRequest = {
  id: "sample-rest-query",
  name: "Salesforce REST query",
  method: "GET",
  url: "callout:Sandbox/services/data/v59.0/query?q=SELECT+Id+FROM+Account",
  headers: [{ name: "Accept", value: "application/json" }],
  body: null,
  bodyKind: "none",
  sample: true,
  assertions: [],
  extract: [],
};
const MINE: SavedRequest = { ...REST, id: "accounts.toml", name: "Accounts", sample: false };

/** The collection the shell has open: the saved requests are its files (`id`: the path). */
const ROOT = "/home/you/collections/My requests";
let held: SavedRequest[];
const stampOf = (r: SavedRequest): string => JSON.stringify(r);
const savedFile = (r: SavedRequest) => ({ root: ROOT, path: r.id, request: structuredClone(r), stamp: stampOf(r) });
let nextId: number;
let preview: (draft: Draft) => Preview;
let send: (draft: Draft) => SendReport | Promise<SendReport>;
/** The shell's import and export commands, and the credentials authorized; a test sets what they answer. */
let importCurl: (command: string) => ImportedRequest;
let importPostman: (json: string) => unknown;
let exportRequest: (draft: Draft, format: string) => string;
let authorized: string[];
/** The collections `import_work` made. */
let importedCollections: string[];
/** What `bind_variables` was asked. */
let bound: Record<string, unknown>[];
/** What the last `send_saved` was asked. */
let sentWith: Record<string, unknown> | null;

beforeAll(() =>
  mockIPC(
    (cmd, args) => {
      const a = args as Record<string, unknown>;
      switch (cmd) {
        case "list_templates":
          return structuredClone(held.filter((r) => r.sample));
        case "list_collections":
          return [
            {
              root: ROOT,
              name: "My requests",
              environments: [],
              environment: null,
              variables: ["endpoint", "version"],
              items: held.filter((r) => !r.sample).map((r) => ({ kind: "request", name: r.name, path: r.id, method: r.method, url: r.url, stamp: stampOf(r) })),
              problem: null,
            },
            ...importedCollections.map((name) => ({
              root: `/home/you/collections/${name}`,
              name,
              environments: [],
              environment: null,
              variables: [],
              items: [{ kind: "request", name: "List orders", path: "list-orders.toml", method: "GET", url: "{{baseUrl}}/orders", stamp: "1" }],
              problem: null,
            })),
          ];
        case "import_work": {
          if (!a.dryRun) importedCollections.push("Acme Orders API");
          const collection = { name: "Acme Orders API", root: "/home/you/collections/Acme Orders API", files: ["list-orders.toml"], environments: [], credentials: [], notes: [], dryRun: a.dryRun };
          return { kind: a.kind, source: "/work/orders.yaml", collection, opened: !a.dryRun, credentialsAdded: [], credentialsKept: [], toSupply: [], notes: [], dryRun: a.dryRun };
        }
        case "read_saved": {
          const found = held.find((r) => r.id === a.path);
          if (!found) throw { kind: "storage", message: `no ${String(a.path)}` };
          return savedFile(found);
        }
        case "save_saved": {
          const found = held.find((r) => r.id === a.path);
          if (!found || stampOf(found) !== a.stamp) throw { kind: "changedOnDisk", message: `${String(a.path)} changed on disk` };
          const request = { ...(a.request as SavedRequest), id: a.path as string };
          held = held.map((r) => (r.id === request.id ? request : r));
          return savedFile(request);
        }
        case "new_saved": {
          const request = { ...(a.request as SavedRequest), id: `saved-${nextId++}.toml` };
          held = [...held, request];
          return savedFile(request);
        }
        case "preview_saved":
          return { preview: preview(a.draft as Draft), variables: [] };
        case "send_saved": {
          sentWith = structuredClone(a);
          // Each assertion judged as core would on an HTTP 200.
          const judged = ((a.assertions ?? []) as Assertion[]).map((x) => ({
            assertion: x,
            passed: x.value === "200",
            actual: "200",
            message: x.value === "200" ? "status 200, as expected" : `expected status ${x.value}, got 200`,
          }));
          return Promise.resolve(send(a.draft as Draft)).then((report) => ({ ...report, assertions: judged }));
        }
        case "assertion_problems":
          return { assertions: (a.assertions as Assertion[]).map(() => null), extract: (a.extract as unknown[]).map(() => null) };
        case "history":
          return [];
        case "preview_request":
          return preview(a.draft as Draft);
        case "send_request":
          return send(a.draft as Draft);
        case "import_curl":
          return importCurl(a.command as string);
        case "import_postman_collection":
          return importPostman(a.json as string);
        case "rename_item": {
          const to = `${String(a.name).toLowerCase().replace(/\W+/g, "-")}.toml`;
          held = held.map((r) => (r.id === a.path ? { ...r, id: to, name: a.name as string } : r));
          return to;
        }
        case "bind_variables":
          bound.push(structuredClone(a));
          return null;
        case "export_request":
          return exportRequest(a.draft as Draft, a.format as string);
        case "authorize":
          authorized.push(a.name as string);
          return null;
        case "list_credentials":
          return [];
        default:
          return null;
      }
    },
    { shouldMockEvents: true },
  ),
);
afterAll(() => clearMocks());
beforeEach(() => {
  localStorage.clear();
  document.body.replaceChildren();
  held = [MINE, SOAP, REST];
  nextId = 1;
  preview = (draft) => ({ request: { ...draft, body: draft.body }, lint: [], error: null });
  send = () => {
    throw new Error("no send expected in this test");
  };
  const unexpected = (): never => {
    throw new Error("not expected in this test");
  };
  importCurl = unexpected;
  importPostman = unexpected;
  exportRequest = unexpected;
  authorized = [];
  importedCollections = [];
  bound = [];
  sentWith = null;
  toaster().dispose();
});

async function mount(): Promise<EditorView> {
  const view = new EditorView();
  document.body.append(view.element);
  await view.refresh();
  return view;
}

const $ = <T extends HTMLElement = HTMLElement>(root: ParentNode, css: string): T => {
  const found = root.querySelector<T>(css);
  if (!found) throw new Error(`nothing matches ${css}`);
  return found;
};
const item = (view: EditorView, name: string): HTMLElement => $(view.element, `[data-testid="request-item"][data-name="${name}"]`);
/** Opens the request `name` from the sidebar; a collection's request is read from its file first. */
async function openItem(view: EditorView, name: string): Promise<void> {
  item(view, name).click();
  await vi.waitFor(() => expect(nameInput(view).value).toBe(name));
}
const dirtyMark = (view: EditorView): HTMLElement => $(view.element, '[data-testid="dirty-mark"]');
const nameInput = (view: EditorView): HTMLInputElement => $<HTMLInputElement>(view.element, ".request-name");

function type(input: HTMLInputElement, text: string): void {
  input.focus();
  input.value += text;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

/** Answers the open Save as dialog with `name`. */
async function answerDialog(name: string): Promise<void> {
  const input = await vi.waitFor(() => $<HTMLInputElement>(document.body, '[data-testid="modal"] input'));
  input.value = name;
  $(document.body, '[data-testid="modal"]').dispatchEvent(new Event("submit", { cancelable: true }));
}

const ctrlS = (target: HTMLElement, shift = false): void => {
  target.dispatchEvent(new KeyboardEvent("keydown", { key: shift ? "S" : "s", ctrlKey: true, shiftKey: shift, bubbles: true, cancelable: true }));
};

describe("the unsaved-changes mark", () => {
  it("is off on an untouched template, on after an edit, and off again on the next untouched one", async () => {
    const view = await mount();
    expect(nameInput(view).value).toBe("Salesforce SOAP query");
    expect(dirtyMark(view).hidden).toBe(true);

    type(nameInput(view), " edited");
    expect(dirtyMark(view).hidden).toBe(false);

    await openItem(view, "Salesforce REST query");
    expect(nameInput(view).value).toBe("Salesforce REST query");
    expect(dirtyMark(view).hidden).toBe(true);

    // Back to the edited one: its edit is still there, and so is the mark.
    item(view, "Salesforce SOAP query").click();
    expect(nameInput(view).value).toBe("Salesforce SOAP query edited");
    expect(dirtyMark(view).hidden).toBe(false);
  });

  it("clears when Save stores the edit", async () => {
    const view = await mount();
    await openItem(view, "Accounts");
    const url = $<HTMLInputElement>(view.element, '[data-testid="url"]');
    type(url, "&limit=5");
    expect(dirtyMark(view).hidden).toBe(false);

    $(view.element, '[data-testid="save-request"]').click();

    await vi.waitFor(() => expect(held.find((r) => r.id === "accounts.toml")!.url).toMatch(/&limit=5$/));
    await vi.waitFor(() => expect(dirtyMark(view).hidden).toBe(true));
    expect(item(view, "Accounts").classList.contains("dirty")).toBe(false);
  });

  it("clears when Ctrl+S stores the edit", async () => {
    const view = await mount();
    await openItem(view, "Accounts");
    type(nameInput(view), " (all)");

    ctrlS(nameInput(view));

    await vi.waitFor(() => expect(held.find((r) => r.id === "accounts.toml")!.name).toBe("Accounts (all)"));
    await vi.waitFor(() => expect(dirtyMark(view).hidden).toBe(true));
  });

  it("clears after Save as, on the new copy, and leaves the original as it was saved", async () => {
    const view = await mount();
    await openItem(view, "Accounts");
    type($<HTMLInputElement>(view.element, '[data-testid="url"]'), "&limit=5");

    $(view.element, '[data-testid="save-request-as"]').click();
    await answerDialog("Five accounts");

    await vi.waitFor(() => expect(nameInput(view).value).toBe("Five accounts"));
    expect(dirtyMark(view).hidden).toBe(true);
    expect(item(view, "Five accounts").getAttribute("aria-current")).toBe("true");
    expect(item(view, "Accounts").classList.contains("dirty")).toBe(false);

    await openItem(view, "Accounts");
    expect($<HTMLInputElement>(view.element, '[data-testid="url"]').value).toBe(MINE.url);
    expect(dirtyMark(view).hidden).toBe(true);
  });

  it("clears after saving an edited template as a copy, and the template stays untouched", async () => {
    const view = await mount();
    type(nameInput(view), " for Acme");

    ctrlS(nameInput(view));
    await answerDialog("Acme SOAP query");

    await vi.waitFor(() => expect(nameInput(view).value).toBe("Acme SOAP query"));
    expect(dirtyMark(view).hidden).toBe(true);

    await openItem(view, "Salesforce SOAP query");
    expect(nameInput(view).value).toBe("Salesforce SOAP query");
    expect(dirtyMark(view).hidden).toBe(true);
    expect(item(view, "Salesforce SOAP query").classList.contains("dirty")).toBe(false);
  });

  it("marks an edit kept from the last session once the saved requests are read", async () => {
    const key = `file:${ROOT}\naccounts.toml`;
    const kept = { ...fromSaved({ ...MINE, id: key }), url: `${MINE.url}&limit=5` };
    saveEditorState(localStorage, { drafts: { [key]: kept }, current: key });
    const view = await mount();
    expect($<HTMLInputElement>(view.element, '[data-testid="url"]').value).toBe(kept.url);
    expect(dirtyMark(view).hidden).toBe(false);
    expect(item(view, "Accounts").classList.contains("dirty")).toBe(true);
  });

  it("is off on a blank new request, which has nothing to lose", async () => {
    const view = await mount();
    type(nameInput(view), "x");
    view.element.querySelector<HTMLButtonElement>(".requests-side .view-head button")!.click();
    expect(nameInput(view).value).toBe("New request");
    expect(dirtyMark(view).hidden).toBe(true);
  });
});

describe("a window built again after a close to the tray", () => {
  it("opens the request that was open, with its unsaved draft, from the shell's session", async () => {
    const key = `file:${ROOT}\naccounts.toml`;
    const typed = { ...fromSaved({ ...MINE, id: key }), url: `${MINE.url}&limit=7`, headers: [{ name: "X-Typed", value: "not saved" }] };
    store.restoreSession({ view: "editor", selectedCredential: null, editor: { key, draft: typed }, scrollTop: 0 });
    try {
      const view = await mount();
      expect($<HTMLInputElement>(view.element, '[data-testid="url"]').value).toBe(typed.url);
      expect(nameInput(view).value).toBe("Accounts");
      const headerInputs = [...view.element.querySelectorAll<HTMLInputElement>('[data-testid="headers"] input')].map((input) => input.value);
      expect(headerInputs).toContain("X-Typed");
      expect(dirtyMark(view).hidden).toBe(false);
    } finally {
      store.restoreSession(null);
    }
  });

  it("has the open request and its draft as typed to hand to the shell", async () => {
    const view = await mount();
    await openItem(view, "Accounts");
    type($<HTMLInputElement>(view.element, '[data-testid="url"]'), "&limit=9");
    await vi.waitFor(() => expect(store.openRequest.value?.draft.url).toBe(`${MINE.url}&limit=9`));
    expect(store.openRequest.value?.key).toMatch(/accounts\.toml$/);
    expect(store.openRequest.value?.draft.savedId).toBe(store.openRequest.value?.key);
  });
});

const fine: Verdict = { expired: false, rule: null, reason: "HTTP 200: no sign of an expired token.", salesforce: { wouldRefresh: false, reason: "HTTP 200 is not 401." } };
function reportFor(draft: Draft, status: number, body: string): SendReport {
  const request = { ...draft, url: draft.url.replace("callout:Sandbox", "http://127.0.0.1:8787") };
  const response: Received = { status, headers: [{ name: "Content-Type", value: "application/json" }], body, truncated: false, elapsedMs: 7 };
  const attempts: Attempt[] = [{ step: "sent", number: 1, request, status, durationMs: 7, verdict: fine, response }];
  return { request, lint: [], response, verdict: fine, attempts };
}
const status = (view: EditorView): string | null => view.element.querySelector('[data-testid="response-status"]')?.textContent ?? null;

describe("the last response of each request", () => {
  it("stays when another request is opened and shown again on coming back, the opened attempt too", async () => {
    send = (draft) => reportFor(draft, draft.url.includes("query") ? 200 : 404, '{"records":[]}');
    const view = await mount();
    await openItem(view, "Salesforce REST query");
    await view.send();
    expect(status(view)).toBe("HTTP 200");
    $(view.element, '[data-testid="attempt"]').click();

    await openItem(view, "Salesforce SOAP query");
    expect(status(view)).toBeNull();
    expect(view.element.querySelector(".response-empty")).not.toBeNull();

    await openItem(view, "Salesforce REST query");
    expect(status(view)).toBe("HTTP 200");
    expect($(view.element, '[data-testid="attempt"]').getAttribute("aria-expanded")).toBe("true");
    expect($(view.element, '[data-testid="attempt-detail-status"]').textContent).toBe("HTTP 200");
  });

  it("goes to the request that was sent when another one is open by the time it arrives", async () => {
    let arrive!: () => void;
    send = (draft) => new Promise((resolve) => (arrive = () => resolve(reportFor(draft, 200, "{}"))));
    const view = await mount();
    await openItem(view, "Salesforce REST query");
    const sending = view.send();
    await vi.waitFor(() => expect(arrive).toBeTypeOf("function"));

    await openItem(view, "Salesforce SOAP query");
    arrive();
    await sending;
    expect(status(view)).toBeNull();

    await openItem(view, "Salesforce REST query");
    expect(status(view)).toBe("HTTP 200");
  });

  it("stays with the request after it is saved under a new name", async () => {
    send = (draft) => reportFor(draft, 200, "{}");
    const view = await mount();
    await openItem(view, "Salesforce REST query");
    await view.send();

    ctrlS(nameInput(view));
    await answerDialog("My REST query");
    await vi.waitFor(() => expect(nameInput(view).value).toBe("My REST query"));
    expect(status(view)).toBe("HTTP 200");
  });

  it("is kept when a Send is refused before anything went out", async () => {
    let refuse = false;
    send = (draft) => {
      if (refuse) throw { kind: "mergeField", message: "unknown merge field {!$Credential.Nope} in the header \"Authorization\" at line 1, column 8", location: { part: "header", header: "Authorization" }, at: { line: 1, column: 8 } };
      return reportFor(draft, 200, "{}");
    };
    const view = await mount();
    await openItem(view, "Accounts");
    await view.send();
    refuse = true;
    await view.send();
    expect(status(view)).toBe("HTTP 200");
    const error = $(view.element, '[data-testid="editor-error"]');
    expect(error.hidden).toBe(false);
    expect(error.textContent).toContain("Not sent — nothing went out and no token was refreshed.");
    expect(error.textContent).toContain('In header "Authorization", column 8');
    expect(error.textContent).not.toContain("line 1");
  });
});

describe("the assertions of a collection's request", () => {
  it("go with its send as edited, each shows ✓ or ✗ with why, and they are saved with it", async () => {
    send = (draft) => reportFor(draft, 200, '{"records":[]}');
    const view = await mount();
    await openItem(view, "Accounts");
    const section = $<HTMLDetailsElement>(view.element, '[data-testid="assertions-section"]');
    expect(section.open).toBe(false);
    section.open = true;
    $(view.element, '[data-testid="add-assertion"]').click();
    $(view.element, '[data-testid="add-assertion"]').click();
    const values = [...view.element.querySelectorAll<HTMLInputElement>('[data-testid="assertion-value"]')];
    values[0].value = "200";
    values[0].dispatchEvent(new Event("input", { bubbles: true }));
    values[1].value = "201";
    values[1].dispatchEvent(new Event("input", { bubbles: true }));
    expect(dirtyMark(view).hidden).toBe(false);

    await view.send();
    expect(sentWith?.assertions).toEqual([
      { subject: "status", path: "", check: "equals", value: "200" },
      { subject: "status", path: "", check: "equals", value: "201" },
    ]);
    const marks = [...view.element.querySelectorAll('[data-testid="assertion-mark"]')].map((m) => m.textContent);
    expect(marks).toEqual(["✓", "✗"]);
    const notes = [...view.element.querySelectorAll('[data-testid="assertion-note"]')].map((n) => n.textContent);
    expect(notes).toEqual(["status 200, as expected", "expected status 201, got 200"]);
    expect($(view.element, '[data-testid="assertions-count"]').textContent).toBe("1 of 2 failed");

    $(view.element, '[data-testid="save-request"]').click();
    await vi.waitFor(() => expect(dirtyMark(view).hidden).toBe(true));
    expect(held.find((r) => r.id === "accounts.toml")!.assertions.map((x) => x.value)).toEqual(["200", "201"]);
    // Opened again later: the results of its last send are still beside them.
    await openItem(view, "Salesforce REST query");
    expect(view.element.querySelectorAll('[data-testid="assertion-row"]').length).toBe(0);
    await openItem(view, "Accounts");
    expect([...view.element.querySelectorAll('[data-testid="assertion-mark"]')].map((m) => m.textContent)).toEqual(["✓", "✗"]);
  });
});

describe("the runner", () => {
  it("takes the request's place while a run is shown, and gives it back when a request is opened", async () => {
    const view = await mount();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await emit("run-planned", { id: 1, root: ROOT, collection: "My requests", target: "", environment: null, steps: [{ index: 0, iteration: 1, path: "accounts.toml", name: "Accounts" }] });
    const runner = $(view.element, '[data-testid="runner"]');
    expect(runner.hidden).toBe(false);
    expect(view.element.classList.contains("is-running")).toBe(true);
    await openItem(view, "Accounts");
    expect(runner.hidden).toBe(true);
    expect(view.element.classList.contains("is-running")).toBe(false);
  });
});

describe("the error box", () => {
  it("says a draft cannot be sent yet, not that nothing was sent, before Send is pressed", async () => {
    preview = () => ({
      request: null,
      lint: [],
      error: { kind: "mergeField", message: "unknown merge field {!$Credential.Nope} in the body at line 2, column 3", location: { part: "body" }, at: { line: 2, column: 3 } },
    });
    const view = await mount();
    const error = $(view.element, '[data-testid="editor-error"]');
    await vi.waitFor(() => expect(error.hidden).toBe(false), { timeout: 2000 });
    expect(error.textContent).toContain("Fix this merge field before sending.");
    expect(error.textContent).not.toMatch(/nothing was sent|not sent/i);
    expect(error.textContent).toContain("In the body, line 2, column 3");
  });
});

describe("header values", () => {
  it("stay inputs that reach the draft, with merge-field completion", async () => {
    const previewed: Draft[] = [];
    preview = (draft) => {
      previewed.push(draft);
      return { request: { ...draft }, lint: [], error: null };
    };
    const view = await mount();
    await openItem(view, "Accounts");
    const value = $<HTMLInputElement>(view.element, '[data-testid="headers"] input.header-value');
    expect(value.value).toBe("application/json");

    value.value = "";
    type(value, "Bearer {!OAuthT");
    const list = $(view.element, '[data-testid="headers"] [role="listbox"]');
    expect(list.hidden).toBe(false);
    value.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));

    expect(value.value).toBe("Bearer {!$Credential.OAuthToken}");
    expect(list.hidden).toBe(true);
    expect(dirtyMark(view).hidden).toBe(false);
    await vi.waitFor(() => expect(previewed.at(-1)?.headers).toEqual([{ name: "Accept", value: "Bearer {!$Credential.OAuthToken}" }]), { timeout: 2000 });
  });
});

describe("the resolved request", () => {
  it("shows both values of a header Salesforce would send as written, each labelled, with the reason", async () => {
    const wso2: SavedRequest = { ...REST, id: "sample-wso2", name: "WSO2-style API call", url: "callout:Sandbox/wso2/pizzas", headers: [{ name: "Authorization", value: "Bearer {!$Credential.OAuthToken}" }] };
    held = [...held, wso2];
    preview = (draft) => ({
      request: { ...draft, url: "http://127.0.0.1:8787/wso2/pizzas", headers: [{ name: "Authorization", value: "Bearer ••••k2Q1" }] },
      lint: [
        {
          id: "salesforce.header_merge_disabled",
          location: { part: "header", header: "Authorization" },
          at: { line: 1, column: 8 },
          message: 'The header "Authorization" uses {!$Credential.OAuthToken} at line 1, column 8, but "Allow Merge Fields in HTTP Header" is off for Sandbox: Salesforce would send the text as written.',
        },
      ],
      error: null,
    });
    const view = await mount();
    await openItem(view, "WSO2-style API call");

    const ours = await vi.waitFor(() => $(view.element, '[data-testid="resolved-request"] [data-testid="resolved-callout"]'), { timeout: 2000 });
    const theirs = $(view.element, '[data-testid="resolved-request"] [data-testid="resolved-salesforce"]');
    expect(ours.textContent).toBe("Callout Lab sendsAuthorization: Bearer ••••k2Q1");
    expect(theirs.textContent).toContain("Salesforce would send — “Allow Merge Fields in HTTP Header” is off for Sandbox");
    expect(theirs.textContent).toMatch(/Authorization: Bearer \{!\$Credential\.OAuthToken\}$/);
    // The lint line says where, by the header's name and column.
    expect($(view.element, '[data-testid="lint"]').textContent).toContain('— header "Authorization", column 8');
    expect($(view.element, '[data-testid="lint"]').textContent).toContain("at column 8, but");
  });
});

describe("the body of a request", () => {
  const bodySection = (view: EditorView): HTMLElement => $(view.element, ".body-section");
  const addBody = (view: EditorView): HTMLElement => $(view.element, '[data-testid="add-body"]');

  it("is one Add body line for an empty GET, opened on a click, and open for a POST or any text", async () => {
    const view = await mount();
    expect(bodySection(view).hidden).toBe(false);
    expect(addBody(view).closest<HTMLElement>(".add-body-line")!.hidden).toBe(true);

    await openItem(view, "Salesforce REST query");
    expect(bodySection(view).hidden).toBe(true);
    expect(addBody(view).closest<HTMLElement>(".add-body-line")!.hidden).toBe(false);
    expect(addBody(view).getAttribute("aria-expanded")).toBe("false");

    addBody(view).click();
    expect(bodySection(view).hidden).toBe(false);
    expect(addBody(view).getAttribute("aria-expanded")).toBe("true");

    // Opened for this request only, and kept open while it is edited.
    await openItem(view, "Accounts");
    expect(bodySection(view).hidden).toBe(true);
    const method = $<HTMLSelectElement>(view.element, '[data-testid="method"]');
    method.value = "POST";
    method.dispatchEvent(new Event("change", { bubbles: true }));
    expect(bodySection(view).hidden).toBe(false);
    method.value = "DELETE";
    method.dispatchEvent(new Event("change", { bubbles: true }));
    expect(bodySection(view).hidden).toBe(true);

    await openItem(view, "Salesforce REST query");
    expect(bodySection(view).hidden).toBe(false);
  });

  it("is open for a GET that has a body", async () => {
    held = [{ ...MINE, body: '{"q":1}', bodyKind: "json" }, SOAP, REST];
    const view = await mount();
    await openItem(view, "Accounts");
    expect(bodySection(view).hidden).toBe(false);
  });
});

const toasts = (): string[] => [...document.querySelectorAll('[data-testid="toast"]')].map((t) => t.querySelector(".toast-text")?.textContent ?? "");
/** The element once it is shown (not hidden), wherever in the page. */
const shownAt = (css: string): Promise<HTMLElement> =>
  vi.waitFor(() => {
    const found = document.querySelector<HTMLElement>(css);
    if (!found || found.closest("[hidden]")) throw new Error(`${css} is not shown`);
    return found;
  });

describe("a send that got no response", () => {
  it("is said once, in the response pane, with Re-authorize there when the credential needs it", async () => {
    send = () => {
      throw { kind: "needsReauthorization", message: "Sandbox needs re-authorization: the refresh token was revoked (invalid_grant)" };
    };
    const view = await mount();
    await openItem(view, "Salesforce REST query");
    await view.send();

    const error = $(view.element, '.response-pane [data-testid="send-error"]');
    expect(error.textContent).toContain("No response. Sandbox needs re-authorization: the refresh token was revoked (invalid_grant)");
    expect(toasts()).toEqual([]);
    // Still there on coming back to the request, remedy and all.
    await openItem(view, "Accounts");
    expect(view.element.querySelector('[data-testid="send-error"]')).toBeNull();
    await openItem(view, "Salesforce REST query");
    const remedy = $<HTMLButtonElement>(view.element, '[data-testid="send-error"] [data-testid="send-error-reauthorize"]');
    expect(remedy.textContent).toBe("Re-authorize Sandbox");

    remedy.click();
    await vi.waitFor(() => expect(authorized).toEqual(["Sandbox"]));
  });

  it("offers no Re-authorize when that is not the way out", async () => {
    send = () => {
      throw { kind: "transport", message: "error sending request: connection refused" };
    };
    const view = await mount();
    await openItem(view, "Salesforce REST query");
    await view.send();
    const error = $(view.element, '.response-pane [data-testid="send-error"]');
    expect(error.textContent).toContain("connection refused");
    expect(error.querySelector("button")).toBeNull();
    expect(toasts()).toEqual([]);
  });
});

describe("Send without a URL", () => {
  it("says under the URL field, not in a toast, that a URL is needed, marks the field and focuses it", async () => {
    const view = await mount();
    await openItem(view, "Accounts");
    const url = $<HTMLInputElement>(view.element, '[data-testid="url"]');
    url.value = "";
    url.dispatchEvent(new Event("input", { bubbles: true }));

    $(view.element, '[data-testid="send"]').click();
    const problem = $(view.element, '[data-testid="url-problem"]');
    expect(problem.textContent).toMatch(/^Enter a URL first, e\.g\. callout:Sandbox\/services\//);
    expect(url.closest(".request-line")!.nextElementSibling).toBe(problem.parentElement);
    expect(url.getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById(url.getAttribute("aria-describedby")!)!.contains(problem)).toBe(true);
    expect(document.activeElement).toBe(url);
    expect(toasts()).toEqual([]);

    type(url, "callout:Sandbox/services/data");
    expect(view.element.querySelector('[data-testid="url-problem"]')).toBeNull();
    expect(url.hasAttribute("aria-invalid")).toBe(false);
  });
});

describe("importing and exporting", () => {
  const imported: ImportedRequest = { request: { ...REST, id: "", name: "GET items", url: "https://api.example.com/v1/items", sample: false }, notes: [] };

  it("says in the curl dialog, not in a toast, why a command was not imported; the dialog stays open to fix it", async () => {
    importCurl = () => {
      throw { kind: "import", message: "not a curl command: unbalanced quote at column 6" };
    };
    const view = await mount();
    $(view.element, '[data-testid="import-menu"]').click();
    $(view.element, '[data-testid="import-curl"]').click();
    const area = await vi.waitFor(() => $<HTMLTextAreaElement>(document.body, '[data-testid="modal"] [data-testid="import-curl-text"]'));
    area.value = "curl 'https://api.example.com/v1/items";
    $(document.body, '[data-testid="modal"]').dispatchEvent(new Event("submit", { cancelable: true }));

    const problem = await shownAt('[data-testid="modal"] [data-testid="import-curl-error"]');
    expect(problem.textContent).toBe("Not imported: not a curl command: unbalanced quote at column 6");
    expect(area.getAttribute("aria-invalid")).toBe("true");
    expect(toasts()).toEqual([]);

    importCurl = () => imported;
    area.value = "curl https://api.example.com/v1/items";
    area.dispatchEvent(new Event("input", { bubbles: true }));
    expect(problem.hidden).toBe(true);
    $(document.body, '[data-testid="modal"]').dispatchEvent(new Event("submit", { cancelable: true }));
    await vi.waitFor(() => expect(document.querySelector('[data-testid="modal"]')).toBeNull());
    expect(nameInput(view).value).toBe("GET items");
  });

  it("says under the URL field why a curl command pasted there was not imported", async () => {
    importCurl = () => {
      throw { kind: "import", message: "not a curl command: unbalanced quote at column 6" };
    };
    const view = await mount();
    const url = $<HTMLInputElement>(view.element, '[data-testid="url"]');
    const paste = new Event("paste", { bubbles: true, cancelable: true });
    Object.defineProperty(paste, "clipboardData", { value: { getData: () => "curl 'https://api.example.com" } });
    url.dispatchEvent(paste);

    const problem = await shownAt('[data-testid="import-curl-error"]');
    expect(problem.textContent).toBe("Could not import the curl command: not a curl command: unbalanced quote at column 6");
    expect(url.closest(".request-line")!.nextElementSibling).toBe(problem.parentElement);
    // The URL itself is fine: it is not marked.
    expect(url.hasAttribute("aria-invalid")).toBe(false);
    expect(toasts()).toEqual([]);
  });

  it("imports an OpenAPI document from the Import menu, and its collection appears in the tree", async () => {
    const view = await mount();
    $(view.element, '[data-testid="import-menu"]').click();
    $(view.element, '[data-testid="import-openapi"]').click();
    const path = await vi.waitFor(() => $<HTMLInputElement>(document.body, '[data-testid="import-dialog"] [data-testid="import-path"]'));
    path.value = "/work/orders.yaml";
    path.dispatchEvent(new Event("input"));
    $(document.body, '[data-testid="import-submit"]').click();
    await vi.waitFor(() => $(document.body, '[data-testid="import-done-report"]'));
    const tree = await vi.waitFor(() => $(view.element, '[data-testid="tree-collection"][data-name="Acme Orders API"]'));
    expect(tree.textContent).toContain("Acme Orders API");
    expect($(view.element, '[data-testid="request-item"][data-name="List orders"]')).toBeTruthy();
  });

  it("says under the buttons, not in a toast, why a Postman collection was not imported", async () => {
    importPostman = () => {
      throw { kind: "import", message: "not a Postman collection v2.1: missing info.schema" };
    };
    const view = await mount();
    const input = $<HTMLInputElement>(view.element, '[data-testid="import-postman-file"]');
    Object.defineProperty(input, "files", { value: [new File(["{}"], "acme.json", { type: "application/json" })], configurable: true });
    input.dispatchEvent(new Event("change"));

    const problem = await shownAt('[data-testid="import-postman-error"]');
    expect(problem.textContent).toContain("Could not import acme.json: not a Postman collection v2.1: missing info.schema");
    expect(problem.previousElementSibling).toBe(input.closest(".name-line"));
    expect(toasts()).toEqual([]);

    problem.querySelector<HTMLButtonElement>('button[aria-label="Dismiss"]')!.click();
    expect(problem.hidden).toBe(true);
  });

  it("says under the buttons, not in a toast or a dialog, why a request could not be exported", async () => {
    exportRequest = () => {
      throw { kind: "mergeField", message: "unknown merge field {!$Credential.Nope} in the body at line 2, column 3" };
    };
    const view = await mount();
    $(view.element, '[data-testid="export-apex"]').click();

    const problem = await shownAt('[data-testid="export-error"]');
    expect(problem.textContent).toContain("Could not export as Apex: unknown merge field {!$Credential.Nope}");
    expect(problem.previousElementSibling).toBe($(view.element, '[data-testid="export-apex"]').closest(".name-line"));
    expect(document.querySelector('[data-testid="modal"]')).toBeNull();
    expect(toasts()).toEqual([]);
  });
});

describe("the URL field", () => {
  it("completes the open collection's {{variables}} after {{, without doubling the closing braces", async () => {
    const view = await mount();
    await openItem(view, "Accounts");
    const url = $<HTMLInputElement>(view.element, '[data-testid="url"]');
    url.focus();
    url.value = "{{ver}}/services";
    url.setSelectionRange(5, 5);
    url.dispatchEvent(new Event("input", { bubbles: true }));
    const options = [...view.element.querySelectorAll<HTMLElement>(".suggestions li")].map((li) => li.textContent);
    expect(options).toEqual(["{{version}}"]);
    url.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(url.value).toBe("{{version}}/services");
    expect(url.selectionStart).toBe("{{version}}".length);
  });

  it("offers no variables for a template, which belongs to no collection", async () => {
    const view = await mount();
    const url = $<HTMLInputElement>(view.element, '[data-testid="url"]');
    url.focus();
    url.value = "{{";
    url.setSelectionRange(2, 2);
    url.dispatchEvent(new Event("input", { bubbles: true }));
    expect($(view.element, ".suggestions").hidden).toBe(true);
  });
});

describe("a Postman import", () => {
  it("offers to bind the variables that carry a token and start URLs to a credential", async () => {
    store.credentials.set([{ credential: { name: "Acme" }, sandbox: false } as unknown as CredentialView]);
    importPostman = () => ({
      collection: { root: "/c/Salesforce", name: "Salesforce", environments: ["My Org"], environment: null, variables: [], items: [], problem: null },
      environments: ["My Org"],
      credentialsAdded: [],
      notes: [],
      tokenVariables: ["_accessToken"],
      endpointVariables: ["_endpoint"],
    });
    const view = await mount();
    const input = $<HTMLInputElement>(view.element, '[data-testid="import-postman-file"]');
    const collection = JSON.stringify({ info: { name: "Salesforce" }, item: [] });
    const environment = JSON.stringify({ name: "My Org", values: [] });
    Object.defineProperty(input, "files", { value: [new File([collection], "c.json"), new File([environment], "e.json")], configurable: true });
    input.dispatchEvent(new Event("change"));

    const dialog = await vi.waitFor(() => $(document.body, '[data-testid="modal"]'));
    expect(dialog.textContent).toContain("{{_accessToken}} → the credential's token");
    expect($<HTMLSelectElement>(dialog, '[data-testid="bind-credential"]').value).toBe("Acme");
    expect($<HTMLInputElement>(dialog, '[data-testid="bind-environment"]').value).toBe("Acme");
    dialog.dispatchEvent(new Event("submit", { cancelable: true }));
    await vi.waitFor(() => expect(bound).toHaveLength(1));
    expect(bound[0]).toEqual({ root: "/c/Salesforce", environment: "Acme", credential: "Acme", tokens: ["_accessToken"], endpoints: ["_endpoint"] });
    store.credentials.set([]);
  });
});

describe("renaming the open request in the tree", () => {
  it("shows the new name in the editor, unmarked, and saves to the new file", async () => {
    const view = await mount();
    await openItem(view, "Accounts");
    const row = item(view, "Accounts").closest(".tree-line")!;
    $(row, '[data-testid="tree-rename"]').click();
    await answerDialog("Key accounts");
    await vi.waitFor(() => expect(nameInput(view).value).toBe("Key accounts"));
    expect(dirtyMark(view).hidden).toBe(true);

    type($<HTMLInputElement>(view.element, '[data-testid="url"]'), "&limit=5");
    $(view.element, '[data-testid="save-request"]').click();
    await vi.waitFor(() => expect(held.find((r) => r.id === "key-accounts.toml")!.url).toMatch(/&limit=5$/));
    expect(held.find((r) => r.id === "key-accounts.toml")!.name).toBe("Key accounts");
  });
});

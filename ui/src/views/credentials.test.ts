// @vitest-environment happy-dom
// The Credentials view as credentials change under it (`credentials-changed`
// from the shell lands in the store): rows and the detail that did not change
// keep their elements, and with them focus and selection.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { authorizeCredential, authorizeFailures, authorizing, progressFromEvent } from "../actions";
import type { StatusView } from "../bindings/StatusView";
import { credentialView, selectText, validStatus } from "../fixtures";
import { STILL_WAITING_MS } from "../logic/authorizeProgress";
import type { AuthorizeProgress } from "../pending-types";
import * as store from "../store";
import { COPIED_MS } from "./authorizeBox";
import { CredentialsView } from "./credentials";

const broken: StatusView = { state: "needsReauthorization", line: "needs re-authorization", expiresAtMs: null, reason: "invalid_grant" };

const row = (view: CredentialsView, name: string): HTMLElement => view.element.querySelector<HTMLElement>(`[data-testid="credential-row"][data-name="${name}"]`)!;
const statusOf = (view: CredentialsView, name: string): string => row(view, name).querySelector('[data-testid="credential-status"]')!.textContent!;

beforeAll(() => mockIPC((cmd) => (cmd === "token" ? null : undefined)));
afterAll(() => clearMocks());
beforeEach(() => {
  document.body.replaceChildren();
  store.credentialsLoaded.set(true);
  store.selectedCredential.set("Sandbox");
  store.credentials.set([credentialView("Sandbox", validStatus(), true), credentialView("Pizza", validStatus()), credentialView("Billing", validStatus())]);
});

describe("the Credentials view", () => {
  it("updates the row that changed in place and keeps the others, with the focus", () => {
    const view = new CredentialsView();
    document.body.append(view.element);
    const [sandbox, pizza, billing] = ["Sandbox", "Pizza", "Billing"].map((name) => row(view, name));
    pizza.focus();

    const [s, p, b] = store.credentials.value;
    store.credentials.set([s, { ...p, status: broken }, b]);

    expect(row(view, "Sandbox")).toBe(sandbox);
    expect(row(view, "Pizza")).toBe(pizza);
    expect(row(view, "Billing")).toBe(billing);
    expect(statusOf(view, "Pizza")).toBe("needs re-authorization");
    expect(pizza.querySelector("button")!.hidden).toBe(false);
    expect(pizza.querySelector("button")!.textContent).toBe("Re-authorize");
    expect(billing.querySelector("button")!.hidden).toBe(true);
    expect(document.activeElement).toBe(pizza);
  });

  it("offers to export the selected credential as Salesforce metadata", () => {
    const view = new CredentialsView();
    document.body.append(view.element);
    const exportButton = view.element.querySelector<HTMLButtonElement>('[data-testid="export-metadata"]')!;
    expect(exportButton.textContent).toBe("Export as Salesforce metadata…");
    exportButton.click();
    const dialog = document.querySelector<HTMLElement>('[data-testid="metadata-dialog"]')!;
    expect(dialog.querySelector("h2")!.textContent).toBe("Export Sandbox as Salesforce metadata");
    expect(dialog.querySelector('[data-testid="metadata-out"]')).not.toBeNull();
  });

  it("moves the selection with the arrow keys on the same rows", () => {
    const view = new CredentialsView();
    document.body.append(view.element);
    const sandbox = row(view, "Sandbox");
    const pizza = row(view, "Pizza");
    sandbox.focus();

    sandbox.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true, cancelable: true }));

    expect(store.selectedCredential.value).toBe("Pizza");
    expect(row(view, "Pizza")).toBe(pizza);
    expect(row(view, "Sandbox")).toBe(sandbox);
    expect(document.activeElement).toBe(pizza);
    expect([sandbox, pizza].map((r) => [r.getAttribute("aria-selected"), r.tabIndex, r.classList.contains("selected")])).toEqual([
      ["false", -1, false],
      ["true", 0, true],
    ]);
  });

  it("keeps the detail of the selected credential, and a text selection in it, when another one changes", () => {
    const view = new CredentialsView();
    document.body.append(view.element);
    const card = view.element.querySelector(".detail-card")!;
    const endpoint = card.querySelector("dd code")!.firstChild!;
    selectText(endpoint, 0, 8);

    const [s, p, b] = store.credentials.value;
    store.credentials.set([s, { ...p, status: broken }, b]);
    expect(view.element.querySelector(".detail-card")).toBe(card);
    expect(document.getSelection()!.toString()).toBe("https://");

    store.credentials.set([{ ...s, status: broken }, p, b]);
    const rebuilt = view.element.querySelector(".detail-card")!;
    expect(rebuilt).not.toBe(card);
    expect(rebuilt.textContent).toContain("Needs re-authorization.");
  });

  it("says so when there is no credential, and builds the rows again after", () => {
    const view = new CredentialsView();
    document.body.append(view.element);
    const before = row(view, "Pizza");
    store.credentials.set([]);
    expect(view.element.querySelector(".credential-list")!.textContent).toBe("No credentials yet. Add one to get started.");
    store.credentials.set([credentialView("Pizza", validStatus())]);
    expect(row(view, "Pizza")).not.toBe(before);
    expect(view.element.querySelectorAll('[data-testid="credential-row"]')).toHaveLength(1);
  });
});

describe("an authorization waiting for the browser", () => {
  const SIGN_IN = "http://127.0.0.1:8787/oauth/authorize?client_id=app&state=s&redirect_uri=http%3A%2F%2F127.0.0.1%3A40213%2Fcallback";
  const waiting = (): AuthorizeProgress => ({
    credential: "Sandbox",
    stage: "waitingForBrowser",
    message: "Sign in in the browser; waiting up to 300 s for it to come back",
    url: SIGN_IN,
  });
  const find = (view: CredentialsView, id: string): HTMLElement | null => view.element.querySelector<HTMLElement>(`[data-testid="${id}"]`);

  beforeEach(() => {
    vi.useFakeTimers();
    const sandbox = credentialView("Sandbox", { state: "notAuthorized", line: "not authorized yet", expiresAtMs: null, reason: null }, true);
    store.credentials.set([{ ...sandbox, credential: { ...sandbox.credential, protocol: "authorizationCode" } }]);
  });
  afterEach(() => {
    authorizing.clear();
    vi.useRealTimers();
  });

  it("offers the sign-in address with Copy, which copies it and says so", async () => {
    const writeText = vi.fn(async (_text: string) => undefined);
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
    const view = new CredentialsView();
    document.body.append(view.element);
    progressFromEvent(waiting());

    expect(find(view, "authorize-progress")!.textContent).toContain("If no browser opened, visit: " + SIGN_IN);
    const copy = find(view, "authorize-url-copy") as HTMLButtonElement;
    expect(copy.textContent).toBe("Copy");
    copy.click();
    await vi.waitFor(() => expect(copy.textContent).toBe("Copied"));
    expect(writeText).toHaveBeenCalledWith(SIGN_IN);
    vi.advanceTimersByTime(COPIED_MS);
    expect(copy.textContent).toBe("Copy");
  });

  it("selects the address for Ctrl+C when the clipboard refuses", async () => {
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText: async () => Promise.reject(new Error("denied")) } });
    const view = new CredentialsView();
    document.body.append(view.element);
    progressFromEvent(waiting());
    const copy = find(view, "authorize-url-copy") as HTMLButtonElement;
    copy.click();
    await vi.waitFor(() => expect(copy.textContent).toBe("Selected: press Ctrl+C"));
    expect(document.getSelection()!.toString()).toBe(SIGN_IN);
  });

  it("asks \"Still waiting?\" after a while, naming the exact redirect URL, until the browser comes back", () => {
    const view = new CredentialsView();
    document.body.append(view.element);
    progressFromEvent(waiting());
    vi.advanceTimersByTime(STILL_WAITING_MS - 1);
    expect(find(view, "authorize-still-waiting")).toBeNull();

    vi.advanceTimersByTime(1);
    const hint = find(view, "authorize-still-waiting")!;
    expect(hint.textContent).toContain("Still waiting?");
    expect(hint.textContent).toContain("perhaps on another desktop");
    expect(hint.textContent).toContain("registered at the provider is exactly http://127.0.0.1:40213/callback");
    expect(hint.textContent).toContain("Cancel, then Authorize again, starts over");
    expect(hint.closest('[data-testid="authorize-progress"]')).not.toBeNull();

    progressFromEvent({ ...waiting(), stage: "exchanging", message: "Exchanging the code for tokens…", url: null });
    expect(find(view, "authorize-still-waiting")).toBeNull();
    expect(find(view, "authorize-progress")!.textContent).toContain("Exchanging the code for tokens…");
  });
});

describe("what went wrong, in the credential's detail", () => {
  const base = (cmd: string): unknown => (cmd === "token" ? null : cmd === "list_credentials" ? store.credentials.value : undefined);
  const find = (view: CredentialsView, id: string): HTMLElement | null => view.element.querySelector<HTMLElement>(`[data-testid="${id}"]`);

  afterEach(() => {
    authorizeFailures.clear();
    mockIPC(base);
  });

  it("keeps a failed authorization's reason beside the credential until the next attempt", async () => {
    let answer: () => unknown = () => {
      throw { kind: "authorization", message: "Sandbox: the provider answered access_denied (the user said no)" };
    };
    mockIPC((cmd) => (cmd === "authorize" ? answer() : base(cmd)));
    const view = new CredentialsView();
    document.body.append(view.element);

    await authorizeCredential("Sandbox");
    const failed = find(view, "authorize-failed")!;
    expect(failed.textContent).toContain("The last authorization failed: Sandbox: the provider answered access_denied (the user said no)");
    expect(failed.closest(".detail-card")).not.toBeNull();

    // Another credential's detail does not show it; back on Sandbox it is still there.
    store.selectedCredential.set("Pizza");
    expect(find(view, "authorize-failed")).toBeNull();
    store.selectedCredential.set("Sandbox");
    expect(find(view, "authorize-failed")).not.toBeNull();

    let finish: (value: unknown) => void = () => undefined;
    answer = () => new Promise((resolve) => (finish = resolve));
    const again = authorizeCredential("Sandbox");
    expect(find(view, "authorize-failed")).toBeNull();
    expect(find(view, "authorize-progress")).not.toBeNull();
    finish(null);
    await again;
    expect(find(view, "authorize-failed")).toBeNull();
  });

  it("says in the detail why Remove failed", async () => {
    mockIPC((cmd) => {
      if (cmd === "remove_credential") throw { kind: "keychain", message: "the keychain is locked" };
      return base(cmd);
    });
    const view = new CredentialsView();
    document.body.append(view.element);
    const remove = [...view.element.querySelectorAll<HTMLButtonElement>(".detail-actions button")].find((b) => b.textContent === "Remove")!;
    remove.click();
    await expect.poll(() => document.querySelector('[data-testid="modal"]')).not.toBeNull();
    document.querySelector<HTMLButtonElement>('[data-testid="modal"] button.danger')!.click();

    await expect.poll(() => find(view, "detail-problem")?.textContent ?? "").toContain("Could not remove Sandbox: the keychain is locked");
    expect(store.selectedCredential.value).toBe("Sandbox");
    expect([...document.querySelectorAll('[data-testid="toast"]')].map((t) => t.textContent)).toEqual([]);

    store.selectedCredential.set("Pizza");
    store.selectedCredential.set("Sandbox");
    expect(find(view, "detail-problem")).toBeNull();
  });
});

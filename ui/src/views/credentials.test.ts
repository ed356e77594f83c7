// @vitest-environment happy-dom
// The Credentials view as credentials change under it (`credentials-changed`
// from the shell lands in the store): rows and the detail that did not change
// keep their elements, and with them focus and selection.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { StatusView } from "../bindings/StatusView";
import { credentialView, selectText, validStatus } from "../fixtures";
import * as store from "../store";
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

// @vitest-environment happy-dom
// The guide's step 3 countdown is one piece of text ("17 s" never splits
// into "17" and "s" at a line end), inside the step's sentence; a step whose
// button cannot do its work says so in the step.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import { authorizing, progressFromEvent } from "../actions";
import { credentialView } from "../fixtures";
import { ev, tokenIssued } from "../logic/timelineFixtures";
import * as store from "../store";
import { h } from "../ui/dom";
import { detailParts, Guide } from "./guide";

const render = (step: { detail: string; countdown: string | null }): HTMLElement => h("div", null, detailParts(step));

describe("a guide step's detail", () => {
  it("keeps its countdown in one element, in the sentence", () => {
    const detail = render({ detail: "The token expires in 4 min 03 s…", countdown: "4 min 03 s" });
    expect(detail.textContent).toBe("The token expires in 4 min 03 s…");
    const countdown = detail.querySelector('[data-testid="guide-countdown"]')!;
    expect(countdown.textContent).toBe("4 min 03 s");
    expect(countdown.classList.contains("countdown")).toBe(true);
  });

  it("is plain text without a countdown", () => {
    const detail = render({ detail: "The Sandbox's access tokens live 20 seconds.", countdown: null });
    expect(detail.textContent).toBe("The Sandbox's access tokens live 20 seconds.");
    expect(detail.querySelector('[data-testid="guide-countdown"]')).toBeNull();
  });
});

describe("the guide's buttons", () => {
  afterEach(() => {
    clearMocks();
    authorizing.clear();
    document.body.replaceChildren();
  });

  async function guideWithSandbox(requests: unknown[]): Promise<Guide> {
    localStorage.clear();
    mockIPC(
      (cmd) => {
        if (cmd === "timeline") return [ev(Date.now() - 1000, "Sandbox", tokenIssued(20))];
        if (cmd === "list_templates") return requests;
        return null;
      },
      { shouldMockEvents: true },
    );
    const sandbox = credentialView("Sandbox", { state: "valid", line: "valid", expiresAtMs: Date.now() + 20_000, reason: null }, true);
    store.credentials.set([{ ...sandbox, credential: { ...sandbox.credential, protocol: "authorizationCode" } }]);
    store.view.set("credentials");
    const guide = new Guide();
    document.body.append(guide.element);
    await guide.load();
    return guide;
  }
  const button = (guide: Guide, text: string): HTMLButtonElement =>
    [...guide.element.querySelectorAll<HTMLButtonElement>("button")].find((b) => b.textContent === text)!;

  it("says in the step, and stays, when the SOAP sample to open is missing", async () => {
    const guide = await guideWithSandbox([]);
    button(guide, "Open & send the SOAP sample").click();
    await expect.poll(() => guide.element.querySelector('[data-testid="guide-problem"]')?.textContent ?? "").toContain("The SOAP sample request is missing");
    expect(guide.element.querySelector('[data-testid="guide-problem"]')!.closest('[data-step="send"]')).not.toBeNull();
    expect(store.view.value).toBe("credentials");
    expect(document.querySelectorAll('[data-testid="toast"]')).toHaveLength(0);
  });

  it("opens the sample in the editor when it is there", async () => {
    const guide = await guideWithSandbox([{ id: "s", name: "Salesforce SOAP query", sample: true }]);
    button(guide, "Open & send the SOAP sample").click();
    await expect.poll(() => store.view.value).toBe("editor");
    expect(store.editorRequests.value).toEqual({ openName: "Salesforce SOAP query", send: true });
    expect(guide.element.querySelector('[data-testid="guide-problem"]')).toBeNull();
  });

  it("leads from a sign-in that opened no browser to the Sandbox's sign-in address", async () => {
    const guide = await guideWithSandbox([]);
    store.credentials.set([{ ...store.credentials.value[0], status: { state: "notAuthorized", line: "not authorized yet", expiresAtMs: null, reason: null } }]);
    store.view.set("editor");
    store.selectedCredential.set("Pizza");
    progressFromEvent({ credential: "Sandbox", stage: "waitingForBrowser", message: "Sign in in the browser", url: "http://127.0.0.1:8787/authorize" });
    guide.element.querySelector<HTMLButtonElement>('[data-testid="guide-no-browser"]')!.click();
    expect([store.view.value, store.selectedCredential.value]).toEqual(["credentials", "Sandbox"]);
  });
});

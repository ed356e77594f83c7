// @vitest-environment happy-dom
// The token panel as a person reads it: what it says about renewing a token
// that came without a refresh token depends on the credential's flow, and
// what went wrong with Reveal, Copy or Refresh now is said in the panel.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import type { AuthProtocol } from "../bindings/AuthProtocol";
import { credentialView } from "../fixtures";
import type { TokenView } from "../pending-types";
import * as store from "../store";
import { TokenPanel } from "./tokenPanel";

const token: TokenView = {
  credential: "Pizza",
  masked: "eyJh…k2Qx",
  fingerprint: "sha256:ab12",
  issuedAtMs: Date.now(),
  expiresAtMs: Date.now() + 3_600_000,
  expirySource: "expiresIn",
  jwt: false,
  claims: null,
  scopes: [],
  refreshToken: "none",
  refreshRotated: null,
};

async function panelFor(protocol: AuthProtocol, more: { tokenUrl?: string | null } = {}): Promise<string> {
  const view = credentialView("Pizza");
  store.credentials.set([{ ...view, credential: { ...view.credential, protocol, tokenUrl: null, ...more } }]);
  mockIPC((cmd) => (cmd === "token" ? token : null));
  const panel = new TokenPanel();
  await panel.load("Pizza");
  return panel.element.querySelector('[data-testid="token-refresh-token"]')!.textContent!;
}

afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

describe("the token panel's refresh token line", () => {
  it("tells a client-credentials user that new tokens come by themselves", async () => {
    const line = await panelFor("clientCredentials", { tokenUrl: "https://pizza.example.com/oauth2/token" });
    expect(line).toContain("new tokens are obtained automatically");
    expect(line).not.toContain("authorization is needed");
  });

  it("says so for JWT bearer, and for password with a token URL", async () => {
    expect(await panelFor("jwtBearer", { tokenUrl: "https://pizza.example.com/token" })).toContain("obtained automatically");
    expect(await panelFor("password", { tokenUrl: "https://pizza.example.com/token" })).toContain("obtained automatically");
  });

  it("tells an authorization-code or device-code user that signing in again will be needed", async () => {
    expect(await panelFor("authorizationCode")).toBe("none (a new authorization is needed when the token expires)");
    expect(await panelFor("deviceCode")).toBe("none (a new authorization is needed when the token expires)");
  });
});

describe("a failed action in the token panel", () => {
  const toasts = (): string[] => [...document.querySelectorAll('[data-testid="toast"]')].map((t) => t.textContent ?? "");

  async function mounted(failing: Record<string, unknown>): Promise<TokenPanel> {
    store.credentials.set([credentialView("Pizza")]);
    mockIPC((cmd) => {
      if (cmd in failing) throw failing[cmd];
      if (cmd === "token") return token;
      if (cmd === "list_credentials") return store.credentials.value;
      return null;
    });
    const panel = new TokenPanel();
    document.body.append(panel.element);
    await panel.load("Pizza");
    return panel;
  }
  const problem = (panel: TokenPanel): HTMLElement => panel.element.querySelector<HTMLElement>('[data-testid="token-problem"]')!;

  it("says in the panel why Reveal failed", async () => {
    const panel = await mounted({ reveal_token: { kind: "keychain", message: "the keychain is locked" } });
    expect(problem(panel).hidden).toBe(true);
    panel.element.querySelector<HTMLButtonElement>('[data-testid="token-reveal"]')!.click();
    await expect.poll(() => problem(panel).hidden).toBe(false);
    expect(problem(panel).textContent).toContain("Could not reveal Pizza's token: the keychain is locked");
    expect(panel.element.querySelector('[data-testid="token-masked"]')!.textContent).toBe("eyJh…k2Qx");
    expect(toasts()).toEqual([]);

    problem(panel).querySelector<HTMLButtonElement>('[aria-label="Dismiss"]')!.click();
    expect(problem(panel).hidden).toBe(true);
  });

  it("offers Re-authorize in the panel when Refresh now finds the credential needs it", async () => {
    const panel = await mounted({ refresh_now: { kind: "needsReauthorization", message: "Pizza needs re-authorization: invalid_grant" } });
    panel.element.querySelector<HTMLButtonElement>('[data-testid="refresh-now"]')!.click();
    await expect.poll(() => problem(panel).hidden).toBe(false);
    expect(problem(panel).textContent).toContain("Could not refresh Pizza: Pizza needs re-authorization: invalid_grant");
    expect(problem(panel).querySelector('[data-testid="token-problem-remedy"]')!.textContent).toBe("Re-authorize Pizza");
    expect(toasts()).toEqual([]);
  });

  it("says in the panel why Copy failed", async () => {
    const panel = await mounted({ copy_token: { kind: "clipboard", message: "no clipboard on this display" } });
    panel.element.querySelector<HTMLButtonElement>('[data-testid="token-copy"]')!.click();
    await expect.poll(() => problem(panel).textContent).toContain("Could not copy Pizza's token: no clipboard on this display");
    expect(problem(panel).querySelector('[data-testid="token-problem-remedy"]')).toBeNull();
    expect(toasts()).toEqual([]);
  });
});

// @vitest-environment happy-dom
// The token panel as a person reads it: what it says about renewing a token
// that came without a refresh token depends on the credential's flow.
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

afterEach(() => clearMocks());

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

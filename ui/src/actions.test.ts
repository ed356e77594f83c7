// @vitest-environment happy-dom
// Authorizing from the window: a flow that signs in with a login asks for it
// first, and sends the shell exactly what was typed; cancelling sends nothing.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { authorizeCredential } from "./actions";
import { blankCredential } from "./logic/credentialForm";
import type { CredentialView } from "./pending-types";
import { credentials } from "./store";

let calls: { cmd: string; args: unknown }[] = [];

function view(name: string, protocol: CredentialView["credential"]["protocol"]): CredentialView {
  return {
    credential: { ...blankCredential(), name, protocol },
    status: { state: "notAuthorized", line: "not authorized yet", expiresAtMs: null, reason: null },
    sandbox: false,
    hasClientSecret: true,
    notice: null,
  } as CredentialView;
}

beforeEach(() => {
  document.body.replaceChildren();
  calls = [];
  credentials.set([view("Grant", "password"), view("Signer", "jwtBearer"), view("Machine", "clientCredentials")]);
  mockIPC((cmd, args) => {
    calls.push({ cmd, args });
    if (cmd === "authorize") return { credential: (args as { name: string }).name };
    if (cmd === "list_credentials") return credentials.value;
    return undefined;
  });
});
afterEach(() => clearMocks());

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const authorizeCalls = () => calls.filter((c) => c.cmd === "authorize").map((c) => c.args);

function fill(testid: string, value: string): void {
  const input = document.querySelector<HTMLInputElement>(`[data-testid="${testid}"]`)!;
  input.value = value;
}

describe("authorizing from the window", () => {
  it("asks the password grant for its login and hands it to the shell", async () => {
    const done = authorizeCredential("Grant");
    await settle();
    expect(document.querySelector('[data-testid="modal"] h2')!.textContent).toBe("Authorize Grant");
    fill("login-username", " sandbox-user ");
    fill("login-password", "sandbox-password");
    document.querySelector<HTMLFormElement>('[data-testid="modal"]')!.requestSubmit();
    await done;
    expect(authorizeCalls()).toEqual([{ name: "Grant", login: { username: "sandbox-user", password: "sandbox-password" } }]);
  });

  it("asks a JWT bearer credential for its subject only", async () => {
    const done = authorizeCredential("Signer");
    await settle();
    expect(document.querySelector('[data-testid="login-password"]')).toBeNull();
    fill("login-username", "integration@example.com");
    document.querySelector<HTMLFormElement>('[data-testid="modal"]')!.requestSubmit();
    await done;
    expect(authorizeCalls()).toEqual([{ name: "Signer", login: { username: "integration@example.com", password: null } }]);
  });

  it("sends nothing when the login is cancelled, and asks nothing of a flow without one", async () => {
    const cancelled = authorizeCredential("Grant");
    await settle();
    document.querySelector<HTMLButtonElement>('[data-testid="modal"] button.ghost')!.click();
    expect(await cancelled).toBeNull();
    expect(authorizeCalls()).toEqual([]);

    await authorizeCredential("Machine");
    expect(document.querySelector('[data-testid="modal"]')).toBeNull();
    expect(authorizeCalls()).toEqual([{ name: "Machine", login: null }]);
  });
});

// @vitest-environment happy-dom
// The credential form: nothing red before typing, and what the shell says
// about a field (validation, Discover) or a save shown in the form, in place.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FieldProblem } from "../bindings/FieldProblem";
import { CredentialForm } from "./credentialForm";

/** Problems the mocked shell answers `validate_credential` with. */
let problems: FieldProblem[] = [];
let saves = 0;

beforeEach(() => {
  vi.useFakeTimers();
  document.body.replaceChildren();
  localStorage.clear();
  problems = [];
  saves = 0;
  mockIPC((cmd, args) => {
    if (cmd === "validate_credential") return problems;
    if (cmd === "salesforce_credential") {
      const { credential, org } = args as { credential: Record<string, unknown>; org: string };
      if (org !== "sandbox") throw { kind: "invalidCredential", message: `credential "" is invalid: Salesforce org "${org}" is neither production, sandbox nor a login URL` };
      return { ...credential, salesforceOrg: org, issuer: "https://test.salesforce.com", tokenUrl: "https://test.salesforce.com/services/oauth2/token", redirectUri: "http://localhost:1717/OauthRedirect", scopes: ["api", "refresh_token"] };
    }
    if (cmd === "discover") throw { kind: "invalidUrl", message: 'invalid URL "https://nowhere.example": no provider metadata found at the issuer' };
    if (cmd === "save_credential") {
      saves += 1;
      throw { kind: "keychain", message: "the OS keychain could not store \"My_API\": access denied" };
    }
    return undefined;
  });
});
afterEach(() => {
  clearMocks();
  vi.useRealTimers();
});

function openForm(): CredentialForm {
  const form = new CredentialForm(
    () => undefined,
    () => undefined,
  );
  document.body.append(form.element);
  form.open(null);
  return form;
}

const texts = (form: CredentialForm, css: string): string[] => [...form.element.querySelectorAll(css)].map((element) => element.textContent ?? "");

/** Lets debounced validation and the mocked shell's answers land. */
async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(300);
}

function type(form: CredentialForm, field: string, text: string): void {
  const input = form.element.querySelector<HTMLInputElement>(`#cred-${field}`)!;
  input.value = text;
  input.dispatchEvent(new Event("input"));
}

describe("the credential form", () => {
  it("opens without red fields, and shows a field's problem once it is typed in", async () => {
    problems = [
      { field: "name", message: "Its name must start with a letter." },
      { field: "tokenUrl", message: "The client credentials flow needs a token URL." },
    ];
    const form = openForm();
    await settle();
    expect(texts(form, '[data-testid="field-problem"]')).toEqual([]);

    type(form, "name", "9lives");
    await settle();
    expect(texts(form, '[data-testid="field-problem"]')).toEqual(["Its name must start with a letter."]);
  });

  it("says in the form, not in a toast, why a save did not happen", async () => {
    problems = [{ field: "tokenUrl", message: "The client credentials flow needs a token URL." }];
    const form = openForm();
    await settle();
    form.element.dispatchEvent(new Event("submit"));
    await settle();
    expect(texts(form, '[data-testid="form-message"]')).toEqual(["Not saved: fix the marked field first."]);
    expect(texts(form, '[data-testid="field-problem"]')).toContain("The client credentials flow needs a token URL.");
    expect(saves).toBe(0);
    expect(document.querySelectorAll('[data-testid="toast"]')).toHaveLength(0);

    problems = [];
    form.element.dispatchEvent(new Event("submit"));
    await settle();
    expect(saves).toBe(1);
    expect(texts(form, '[data-testid="form-message"]')).toEqual(['Could not save the credential: the OS keychain could not store "My_API": access denied']);
  });

  it("puts Discover's answer under the issuer", async () => {
    const form = openForm();
    form.element.querySelector<HTMLButtonElement>("#cred-issuer + button")!.click();
    await settle();
    expect(texts(form, '[data-testid="issuer-note"]')).toEqual(["Enter the issuer URL first, then Discover."]);

    type(form, "issuer", "https://nowhere.example");
    form.element.querySelector<HTMLButtonElement>("#cred-issuer + button")!.click();
    await settle();
    expect(texts(form, '[data-testid="issuer-note"]')[0]).toMatch(/^Could not discover https:\/\/nowhere\.example: invalid URL/);
    expect(document.querySelectorAll('[data-testid="toast"]')).toHaveLength(0);
  });
});

describe("the Salesforce org", () => {
  it("fills the form in for the org the shell describes, and names a wrong org in place", async () => {
    const form = openForm();
    const fill = form.element.querySelector<HTMLButtonElement>('[data-testid="fill-salesforce"]')!;
    fill.click();
    await settle();
    expect(texts(form, '[data-testid="salesforceOrg-note"]')).toEqual(["Enter production, sandbox or your org's My Domain URL first."]);

    type(form, "salesforceOrg", "staging");
    form.element.querySelector<HTMLButtonElement>('[data-testid="fill-salesforce"]')!.click();
    await settle();
    expect(texts(form, '[data-testid="salesforceOrg-note"]')[0]).toMatch(/Salesforce org "staging" is neither production, sandbox nor a login URL/);

    type(form, "salesforceOrg", "sandbox");
    form.element.querySelector<HTMLButtonElement>('[data-testid="fill-salesforce"]')!.click();
    await settle();
    expect(form.element.querySelector<HTMLInputElement>("#cred-tokenUrl")!.value).toBe("https://test.salesforce.com/services/oauth2/token");
    expect(form.element.querySelector<HTMLInputElement>("#cred-redirectUri")!.value).toBe("http://localhost:1717/OauthRedirect");
    expect(texts(form, '[data-testid="salesforceOrg-note"]')[0]).toMatch(/callback http:\/\/localhost:1717\/OauthRedirect, which your External Client App/);
  });
});

describe("Basic authentication", () => {
  it("asks for the username and a password instead of a client", () => {
    const form = openForm();
    const protocol = form.element.querySelector<HTMLSelectElement>("#cred-protocol")!;
    protocol.value = "basic";
    protocol.dispatchEvent(new Event("change"));
    expect(form.element.querySelector("#cred-username")).not.toBeNull();
    expect(form.element.querySelector('label[for="cred-clientSecret"]')!.textContent).toBe("Password");
    expect(form.element.querySelector("#cred-clientId")).toBeNull();
    expect(form.element.querySelector("#cred-tokenUrl")).toBeNull();
  });
});

describe("the redirect URI", () => {
  it("is asked for by the browser flow only, and Copy puts it on the clipboard to register", async () => {
    const form = openForm();
    expect(form.element.querySelector("#cred-redirectUri")).not.toBeNull();
    type(form, "redirectUri", "http://localhost:1717/OauthRedirect");
    form.element.querySelector<HTMLButtonElement>('[data-testid="copy-redirect-uri"]')!.click();
    await settle();
    expect(await navigator.clipboard.readText()).toBe("http://localhost:1717/OauthRedirect");
    expect(texts(form, '[data-testid="redirectUri-note"]')[0]).toMatch(/^Copied http:\/\/localhost:1717\/OauthRedirect: register it/);

    const protocol = form.element.querySelector<HTMLSelectElement>("#cred-protocol")!;
    protocol.value = "clientCredentials";
    protocol.dispatchEvent(new Event("change"));
    expect(form.element.querySelector("#cred-redirectUri")).toBeNull();
  });
});

describe("the client certificate part", () => {
  const certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
  const key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----";

  async function attach(form: CredentialForm, field: string, name: string, text: string): Promise<void> {
    const input = form.element.querySelector<HTMLInputElement>(`#cred-${field}`)!;
    Object.defineProperty(input, "files", { value: [new File([text], name)], configurable: true });
    input.dispatchEvent(new Event("change"));
    await settle();
  }

  it("puts the certificate in the definition and sends its key to be stored, never into the saved form", async () => {
    const calls: { cmd: string; args: Record<string, unknown> }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> });
      if (cmd === "validate_credential") return [];
      if (cmd === "save_credential") throw { kind: "keychain", message: "stop here" };
      return undefined;
    });
    const form = openForm();
    await settle();
    expect(form.element.querySelector("#cred-clientKey")).toBeNull();

    await attach(form, "clientCertificate", "client.pem", `${certificate}\n`);
    expect(texts(form, ".hint").join(" ")).toContain("A certificate (PEM) is set.");
    await attach(form, "clientKey", "client.key", key);
    expect(localStorage.getItem("callout-lab.credential-form") ?? "").not.toContain("PRIVATE KEY");
    expect(JSON.stringify(localStorage)).not.toContain("PRIVATE KEY");

    form.element.dispatchEvent(new Event("submit"));
    await settle();
    const validated = calls.filter((c) => c.cmd === "validate_credential").at(-1)!;
    expect(validated.args.clientKeyGiven).toBe(true);
    const saved = calls.find((c) => c.cmd === "save_credential")!;
    expect((saved.args.credential as { clientCertificate: string }).clientCertificate).toBe(certificate);
    expect(saved.args.clientKey).toBe(key);
  });

  it("says when a file is not PEM, and Remove takes the certificate away", async () => {
    const form = openForm();
    await settle();
    await attach(form, "clientCertificate", "client.der", "0\u0082binary");
    expect(form.element.textContent).toContain("client.der: This file holds no PEM certificate");
    expect(form.element.querySelector("#cred-clientKey")).toBeNull();

    await attach(form, "clientCertificate", "client.pem", certificate);
    expect(form.element.querySelector("#cred-clientKey")).not.toBeNull();
    form.element.querySelector<HTMLButtonElement>('[data-testid="remove-client-certificate"]')!.click();
    await settle();
    expect(form.element.querySelector("#cred-clientKey")).toBeNull();
    expect(texts(form, ".hint").join(" ")).toContain("None: calls present no client certificate.");
  });
});

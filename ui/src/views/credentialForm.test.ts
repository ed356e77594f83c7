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

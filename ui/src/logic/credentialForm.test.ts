import { describe, expect, it } from "vitest";
import type { ProviderMetadata } from "../pending-types";
import type { SandboxInfo } from "../bindings/SandboxInfo";
import {
  applyMetadata,
  applySandbox,
  blankCredential,
  fieldsFor,
  optionalSeconds,
  optionalText,
  parseScopes,
  parseStatusCodes,
  problemsByField,
  sandboxSecret,
  visibleProblems,
} from "./credentialForm";

describe("credential form fields", () => {
  it("splits scopes on spaces and commas", () => {
    expect(parseScopes(" api  refresh_token,openid ")).toEqual(["api", "refresh_token", "openid"]);
    expect(parseScopes("")).toEqual([]);
  });
  it("reads status codes and drops words", () => {
    expect(parseStatusCodes("403, 419 x 1.5")).toEqual([403, 419]);
  });
  it("treats empty optional fields as null", () => {
    expect(optionalText("  ")).toBeNull();
    expect(optionalText(" https://x ")).toBe("https://x");
    expect(optionalSeconds("")).toBeNull();
    expect(optionalSeconds("3600")).toBe(3600);
    expect(optionalSeconds("soon")).toBeNaN();
  });
  it("starts like a Salesforce Named Credential: generated header on, merge fields off", () => {
    expect(blankCredential().salesforce).toEqual({
      generateAuthorizationHeader: true,
      allowMergeFieldsInHeader: false,
      allowMergeFieldsInBody: false,
      additionalRefreshStatusCodes: [],
    });
  });
});

const none: Omit<ProviderMetadata, "tokenEndpoint"> = {
  issuer: null,
  authorizationEndpoint: null,
  deviceAuthorizationEndpoint: null,
  revocationEndpoint: null,
  introspectionEndpoint: null,
};

describe("applyMetadata", () => {
  it("fills the token and authorization URLs from discovery", () => {
    const filled = applyMetadata(blankCredential(), "https://idp.example", {
      ...none,
      issuer: "https://idp.example/",
      tokenEndpoint: "https://idp.example/token",
      authorizationEndpoint: "https://idp.example/authorize",
    });
    expect(filled).toMatchObject({
      issuer: "https://idp.example/",
      tokenUrl: "https://idp.example/token",
      authUrl: "https://idp.example/authorize",
    });
  });
  it("keeps the typed issuer when the metadata names none", () => {
    expect(applyMetadata(blankCredential(), "https://i", { ...none, tokenEndpoint: "https://i/t" }).issuer).toBe("https://i");
  });
});

describe("problemsByField", () => {
  it("groups messages per field", () => {
    const map = problemsByField([
      { field: "name", message: "a name is required" },
      { field: "endpoint", message: "not a URL" },
      { field: "name", message: "only letters, digits and _" },
    ]);
    expect(map.get("name")).toEqual(["a name is required", "only letters, digits and _"]);
    expect(map.get("endpoint")).toEqual(["not a URL"]);
    expect(map.get("clientId")).toBeUndefined();
  });
  it("shows the Salesforce status-code problem next to its field", () => {
    const map = problemsByField([{ field: "salesforce", message: "additional refresh status code 500: 5xx is not allowed" }]);
    expect(map.get("additionalRefreshStatusCodes")).toEqual(["additional refresh status code 500: 5xx is not allowed"]);
  });
});

describe("fieldsFor", () => {
  it("shows the authorization URL only for the browser flow", () => {
    expect(fieldsFor("authorizationCode").has("authUrl")).toBe(true);
    expect(fieldsFor("clientCredentials").has("authUrl")).toBe(false);
    // The device authorization endpoint, which the backend requires (or an issuer).
    expect(fieldsFor("deviceCode").has("authUrl")).toBe(true);
    expect(fieldsFor("noAuthentication").has("clientId")).toBe(false);
    expect(fieldsFor("noAuthentication").has("proactiveRefresh")).toBe(false);
    expect(fieldsFor("clientCredentials").has("proactiveRefresh")).toBe(true);
  });
});

describe("fieldsFor without authentication", () => {
  it("offers neither an identity nor the Authorization header a token would fill", () => {
    expect(fieldsFor("noAuthentication").has("identityType")).toBe(false);
    expect(fieldsFor("noAuthentication").has("generateAuthorizationHeader")).toBe(false);
    expect(fieldsFor("password").has("identityType")).toBe(true);
  });
});

const sandbox: SandboxInfo = {
  url: "http://127.0.0.1:4100",
  tokenUrl: "http://127.0.0.1:4100/token",
  authorizeUrl: "http://127.0.0.1:4100/authorize",
  deviceAuthorizationUrl: "http://127.0.0.1:4100/device/code",
  clientId: "callout-lab-sandbox",
  clientSecret: "sandbox-secret-not-for-production",
  username: "sandbox-user",
  password: "sandbox-password",
  accessTtlSeconds: 20,
  refreshIdleTtlSeconds: 600,
};

describe("applySandbox", () => {
  it("fills a client-credentials credential with the sandbox's API, token endpoint and client, keeping the name", () => {
    const filled = applySandbox({ ...blankCredential(), name: "My_CC", protocol: "clientCredentials", scopes: [] }, sandbox);
    expect(filled).toMatchObject({
      name: "My_CC",
      endpoint: sandbox.url,
      tokenUrl: sandbox.tokenUrl,
      authUrl: null,
      clientId: sandbox.clientId,
      scopes: ["api"],
    });
    expect(sandboxSecret("clientCredentials", sandbox)).toBe(sandbox.clientSecret);
  });
  it("gives each flow its own authorization URL", () => {
    expect(applySandbox({ ...blankCredential(), protocol: "authorizationCode" }, sandbox).authUrl).toBe(sandbox.authorizeUrl);
    expect(applySandbox({ ...blankCredential(), protocol: "deviceCode" }, sandbox).authUrl).toBe(sandbox.deviceAuthorizationUrl);
  });
  it("fills only the endpoint of a credential without authentication", () => {
    const filled = applySandbox({ ...blankCredential(), protocol: "noAuthentication", clientId: null }, sandbox);
    expect(filled).toMatchObject({ endpoint: sandbox.url, tokenUrl: null, authUrl: null, clientId: null });
    expect(sandboxSecret("noAuthentication", sandbox)).toBe(null);
  });
  it("fills Basic authentication with the sandbox's Basic API and its user's login", () => {
    const filled = applySandbox({ ...blankCredential(), protocol: "basic", clientId: null }, sandbox);
    expect(filled).toMatchObject({ endpoint: `${sandbox.url}/basic`, username: sandbox.username, tokenUrl: null, clientId: null });
    expect(sandboxSecret("basic", sandbox)).toBe(sandbox.password);
  });
  it("gives the password grant the sandbox's token endpoint and client", () => {
    const filled = applySandbox({ ...blankCredential(), protocol: "password" }, sandbox);
    expect(filled).toMatchObject({ endpoint: sandbox.url, tokenUrl: sandbox.tokenUrl, clientId: sandbox.clientId });
    expect(sandboxSecret("password", sandbox)).toBe(sandbox.clientSecret);
  });
  it("keeps scopes the user chose", () => {
    expect(applySandbox({ ...blankCredential(), protocol: "clientCredentials", scopes: ["read"] }, sandbox).scopes).toEqual(["read"]);
  });
});

describe("visibleProblems", () => {
  const problems = new Map([
    ["name", ["A name is required."]],
    ["tokenUrl", ["The client credentials flow needs a token URL."]],
  ]);
  it("shows nothing on a new form until a field is changed", () => {
    expect([...visibleProblems(problems, new Set(), false).keys()]).toEqual([]);
    expect([...visibleProblems(problems, new Set(["name"]), false).keys()]).toEqual(["name"]);
  });
  it("shows every problem once a save was tried", () => {
    expect([...visibleProblems(problems, new Set(), true).keys()]).toEqual(["name", "tokenUrl"]);
  });
});

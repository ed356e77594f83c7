import { describe, expect, it } from "vitest";
import type { ProviderMetadata } from "../pending-types";
import {
  applyMetadata,
  blankCredential,
  fieldsFor,
  optionalSeconds,
  optionalText,
  parseScopes,
  parseStatusCodes,
  problemsByField,
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

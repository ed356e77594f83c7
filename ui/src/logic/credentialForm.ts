// The credential form: a blank credential, text fields ↔ Credential, discovered
// metadata applied, problems grouped per field.
import type { AuthProtocol } from "../bindings/AuthProtocol";
import { PROTOCOLS } from "../bindings/protocols";
import type { Credential } from "../bindings/Credential";
import type { SandboxInfo } from "../bindings/SandboxInfo";
import type { FieldProblem, ProviderMetadata } from "../pending-types";

// The protocols, their labels and the fields each asks for come from the
// engine (generated into bindings/protocols.ts); the form keeps no copy.
export { PROTOCOLS } from "../bindings/protocols";

export function blankCredential(): Credential {
  return {
    name: "",
    endpoint: "https://",
    protocol: "authorizationCode",
    clientId: "",
    clientAuth: "body",
    scopes: [],
    tokenUrl: null,
    authUrl: null,
    issuer: null,
    identityType: "namedPrincipal",
    expiryRules: [],
    keepAliveSeconds: null,
    refreshIdleSeconds: null,
    proactiveRefresh: true,
    salesforce: {
      generateAuthorizationHeader: true,
      allowMergeFieldsInHeader: false,
      allowMergeFieldsInBody: false,
      additionalRefreshStatusCodes: [],
    },
  };
}

/** "api refresh_token, openid" → ["api", "refresh_token", "openid"]. */
export function parseScopes(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** "401, 403 419" → [401, 403, 419]; anything not a whole number is dropped. */
export function parseStatusCodes(text: string): number[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number)
    .filter((n) => Number.isInteger(n));
}

/** An optional text field: empty means null. */
export const optionalText = (text: string): string | null => (text.trim() === "" ? null : text.trim());

/** An optional whole number of seconds: empty means null; invalid text is NaN (the shell reports it). */
export function optionalSeconds(text: string): number | null {
  if (text.trim() === "") return null;
  return Number(text.trim());
}

/** The discovered endpoints filled into the credential (the issuer kept as given). */
export function applyMetadata(credential: Credential, issuer: string, metadata: ProviderMetadata): Credential {
  return {
    ...credential,
    issuer: metadata.issuer ?? issuer,
    tokenUrl: metadata.tokenEndpoint,
    authUrl: metadata.authorizationEndpoint ?? credential.authUrl ?? null,
  };
}

/**
 * The credential filled in for the built-in sandbox with `protocol`: its API
 * as the endpoint, its token endpoint, the authorization URL the flow uses,
 * its test client. What the user named and chose stays.
 */
export function applySandbox(credential: Credential, sandbox: SandboxInfo): Credential {
  const fields = fieldsFor(credential.protocol);
  const authUrl =
    credential.protocol === "deviceCode" ? sandbox.deviceAuthorizationUrl : credential.protocol === "authorizationCode" ? sandbox.authorizeUrl : null;
  return {
    ...credential,
    endpoint: credential.protocol === "basic" ? `${sandbox.url}/basic` : sandbox.url,
    issuer: null,
    username: fields.has("username") ? sandbox.username : credential.username,
    tokenUrl: fields.has("tokenUrl") ? sandbox.tokenUrl : null,
    authUrl: fields.has("authUrl") ? authUrl : null,
    clientId: fields.has("clientId") ? sandbox.clientId : credential.clientId,
    scopes: fields.has("scopes") && (credential.scopes ?? []).length === 0 ? ["api"] : credential.scopes,
  };
}

/** What the form's secret field takes from the sandbox for `protocol`: its client secret, or the password of its Basic API; null when the flow has no such field. */
export function sandboxSecret(protocol: AuthProtocol, sandbox: Pick<SandboxInfo, "clientSecret" | "password">): string | null {
  const fields = fieldsFor(protocol);
  if (!fields.has("clientSecret")) return null;
  return fields.has("username") ? sandbox.password : sandbox.clientSecret;
}

/**
 * Which fields show their problems: every field once the user tried to save
 * (or when editing a saved credential), otherwise only those the user has
 * changed, so a new form does not open with every required field in red.
 */
export function visibleProblems(problems: Map<string, string[]>, touched: ReadonlySet<string>, showAll: boolean): Map<string, string[]> {
  if (showAll) return problems;
  return new Map([...problems].filter(([field]) => touched.has(field)));
}

/** Where the form shows a problem the shell files under a broader field name. */
const FIELD_ALIASES: Record<string, string> = {
  salesforce: "additionalRefreshStatusCodes",
  "salesforce.additionalRefreshStatusCodes": "additionalRefreshStatusCodes",
};

/** Problems grouped by the form field that shows them, in the order the shell listed them. */
export function problemsByField(problems: FieldProblem[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const problem of problems) {
    const field = FIELD_ALIASES[problem.field] ?? problem.field;
    const list = map.get(field) ?? [];
    list.push(problem.message);
    map.set(field, list);
  }
  return map;
}

/** Which fields the form shows for a protocol. */
export function fieldsFor(protocol: AuthProtocol): Set<string> {
  return new Set(PROTOCOLS.find((choice) => choice.value === protocol)?.fields ?? []);
}

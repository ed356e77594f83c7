// A fake desktop shell for `npm run dev` in a plain browser (layout checks only;
// never bundled into the app: main.ts imports it only in dev without Tauri).
// `?events=100000` seeds that many timeline events; `?story=1` the last hour of
// two credentials: the keeper's routine runs, a send whose fault was refreshed
// and retried within milliseconds, a failed keep-alive and its warning.
import type { CommandName, Commands } from "../bindings/commands";
import type { DisplayRequest } from "../bindings/DisplayRequest";
import type { Draft } from "../bindings/Draft";
import type { ErrorReport } from "../bindings/ErrorReport";
import type { Event } from "../bindings/Event";
import type { EventDetail } from "../bindings/EventDetail";
import type { Lint } from "../bindings/Lint";
import type { Location } from "../bindings/Location";
import type { RuleView } from "../bindings/RuleView";
import type { UiSession } from "../bindings/UiSession";
import type { Verdict } from "../bindings/Verdict";
import type { ShellEvent, ShellEvents } from "../shellEvents";
import type { CredentialView, SavedRequest, Settings, TokenView } from "../pending-types";
import { tokenize } from "../logic/mergeFields";
import { positionOf } from "../logic/position";

type Callback = (payload: unknown) => void;
const callbacks = new Map<number, Callback>();
const listeners = new Map<string, number[]>();
let nextCallback = 1;

function emit<K extends ShellEvent>(event: K, payload: ShellEvents[K]): void {
  for (const id of listeners.get(event) ?? []) callbacks.get(id)?.({ event, id: 0, payload });
}

const now = (): number => Date.now();
let uiSession: UiSession | null = null;
let tokenIssuedAt = 0;
let authorized = false;
let tokenCounter = 0;
const events: Event[] = [];
let eventId = 1;
function record(credential: string, event: EventDetail, summary: string, atMs = now()): void {
  events.push({ id: eventId++, atMs, credential, event, summary });
  emit("timeline-appended", { credential });
}

const params = new URLSearchParams(location.search);
let timelineTrouble: { path: string; reason: string; newer: boolean } | null = params.has("timelineTrouble")
  ? { path: "/home/dev/.local/share/callout-lab/timeline.sqlite3", reason: "cannot read its schema version: file is not a database", newer: false }
  : null;
const seed = Number(params.get("events") ?? 0);
if (seed > 0) {
  const start = now() - 24 * 3600_000;
  for (let i = 0; i < seed; i++) {
    const at = start + (i / seed) * 24 * 3600_000;
    const credential = i % 3 === 0 ? "WSO2_Pizza" : "Sandbox";
    const k = i % 10;
    if (k === 0) events.push({ id: eventId++, atMs: at, credential, event: { kind: "tokenIssued", token: "fp:" + i, lifetimeSeconds: credential === "Sandbox" ? 20 : null, expirySource: "expiresIn", jwt: false, refreshToken: "fp:r", rotated: true, scopes: ["api"] }, summary: `token issued: lives ${credential === "Sandbox" ? "20 s" : "unknown"}` });
    else if (k === 5) events.push({ id: eventId++, atMs: at, credential, event: { kind: "verdict", expired: true, rule: "soap.invalid_session", reason: "SOAP fault INVALID_SESSION_ID", salesforceWouldRefresh: false, salesforceReason: "HTTP 500: a Named Credential would not refresh" }, summary: "expired: the SOAP fault's faultcode is sf:INVALID_SESSION_ID" });
    else if (k === 6) events.push({ id: eventId++, atMs: at, credential, event: { kind: "refreshAttempt", trigger: { type: "rule", id: "soap.invalid_session" }, outcome: i % 70 === 6 ? "failed" : "refreshed", error: null, durationMs: 12 }, summary: i % 70 === 6 ? "refresh failed: invalid_grant" : "refreshed after soap.invalid_session" });
    else events.push({ id: eventId++, atMs: at, credential, event: { kind: "requestSent", method: "POST", url: "http://127.0.0.1:8787/services/Soap/u/59.0", status: k === 4 ? 500 : 200, durationMs: 8, error: null }, summary: `POST /services/Soap/u/59.0 → ${k === 4 ? 500 : 200} #${i}` });
  }
}

if (params.has("story")) {
  const at = (minutesAgo: number): number => now() - minutesAgo * 60_000;
  const push = (atMs: number, credential: string, event: EventDetail, summary: string): void => {
    events.push({ id: eventId++, atMs, credential, event, summary });
  };
  const token = (atMs: number, credential: string, lifetimeSeconds: number | null): void =>
    push(atMs, credential, { kind: "tokenIssued", token: `fp:${eventId}`, lifetimeSeconds, expirySource: lifetimeSeconds ? "expiresIn" : "unknown", jwt: false, refreshToken: "fp:rt", rotated: true, scopes: ["api"] }, `token issued: ${lifetimeSeconds ? `expires in ${lifetimeSeconds / 60} min (expires_in)` : "expiry unknown"}; refresh token rotated`);
  const renewal = (atMs: number, credential: string, trigger: "proactive" | "keepAlive"): void => {
    token(atMs, credential, credential === "Sandbox" ? 600 : null);
    push(atMs + 1, credential, { kind: "refreshAttempt", trigger: { type: trigger }, outcome: "refreshed", error: null, durationMs: 38 }, `refresh by ${trigger === "proactive" ? "the clock (expired or about to)" : "keep-alive"} refreshed`);
    const reason = trigger === "proactive" ? "the access token expires in 55 s; refreshing ahead of expiry (margin 1 min)" : "keep-alive every 15 min: the refresh token was last used 15 min ago";
    push(atMs + 2, credential, { kind: "keeperDecision", action: "refresh", reason, result: "refreshed: token fp:9f2c valid for 10 min" }, `keeper refresh: ${reason} → refreshed: token fp:9f2c valid for 10 min`);
  };
  push(at(62), "Sandbox", { kind: "authorized", flow: "authorizationCode", scopes: ["api", "refresh_token"] }, "authorized with the authorization code flow (PKCE)");
  token(at(62), "Sandbox", 600);
  push(at(61), "WSO2_Pizza", { kind: "authorized", flow: "clientCredentials", scopes: ["default"] }, "authorized with the client credentials flow");
  token(at(61), "WSO2_Pizza", null);
  for (let m = 52; m > 0; m -= 9) renewal(at(m), "Sandbox", "proactive");
  for (let m = 46; m > 0; m -= 15) renewal(at(m), "WSO2_Pizza", "keepAlive");
  push(at(45.5), "WSO2_Pizza", { kind: "keeperDecision", action: "wait", reason: "no expiry known for this token; keep-alive every 15 min instead", result: null }, "keeper waits: no expiry known for this token; keep-alive every 15 min instead");
  // The report's blob: the fault, its expiry, the refresh, the new token, the retry, a millisecond apart.
  const fault = at(3.2);
  const url = "http://127.0.0.1:8787/services/Soap/u/59.0/00Dxx0000001gPL/very/long/path/that/does/not/fit/in/the/column?with=query&and=more#fragment";
  push(fault, "Sandbox", { kind: "requestSent", method: "POST", url, status: 500, durationMs: 12, error: null }, `POST ${url} → 500 (SOAP fault sf:INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session. Session not found, missing session hash)`);
  push(fault + 1, "Sandbox", { kind: "verdict", expired: true, rule: "soap.invalid_session", reason: "HTTP 500 with a SOAP fault whose faultcode is sf:INVALID_SESSION_ID", salesforceWouldRefresh: false, salesforceReason: "only on 401" }, "expired (soap.invalid_session): HTTP 500 with a SOAP fault whose faultcode is sf:INVALID_SESSION_ID: the session (access token) expired. Salesforce: a Named Credential refreshes only on HTTP 401 (and configured 4xx codes); this was HTTP 500, so it would not have refreshed");
  push(fault + 2, "Sandbox", { kind: "refreshAttempt", trigger: { type: "rule", id: "soap.invalid_session" }, outcome: "refreshed", error: null, durationMs: 9 }, "refresh by rule soap.invalid_session refreshed");
  token(fault + 2, "Sandbox", 600);
  push(fault + 3, "Sandbox", { kind: "retry", attempt: 2 }, "retried the request (attempt 2)");
  push(fault + 3, "Sandbox", { kind: "requestSent", method: "POST", url, status: 200, durationMs: 10, error: null }, `POST ${url} → 200`);
  push(at(1.5), "WSO2_Pizza", { kind: "refreshAttempt", trigger: { type: "keepAlive" }, outcome: "failed", error: "error sending request: connection refused", durationMs: 3 }, "refresh by keep-alive failed: error sending request: connection refused");
  push(at(1.5) + 1, "WSO2_Pizza", { kind: "keeperDecision", action: "warn", reason: "keep-alive every 15 min: the refresh token was last used 15 min ago; the keep-alive refresh failed, and the refresh token lapses if it stays unused", result: "failed: error sending request: connection refused" }, "keeper warning: the keep-alive refresh failed, and the refresh token lapses if it stays unused → failed: connection refused");
  events.sort((a, b) => a.atMs - b.atMs || a.id - b.id);
}

const sandboxBase = "http://127.0.0.1:8787";
const credentials: CredentialView[] = [
  {
    protocolLabel: "Auth code + PKCE",
    credential: {
      name: "Sandbox",
      endpoint: sandboxBase,
      protocol: "authorizationCode",
      clientId: "callout-lab-sandbox",
      clientAuth: "body",
      scopes: ["api", "refresh_token"],
      issuer: sandboxBase,
      identityType: "namedPrincipal",
      salesforce: { generateAuthorizationHeader: true, allowMergeFieldsInHeader: false, allowMergeFieldsInBody: true, additionalRefreshStatusCodes: [] },
    },
    status: { state: "notAuthorized", line: "not authorized yet", expiresAtMs: null, reason: null },
    sandbox: true,
    hasClientSecret: true,
    notice: null,
  },
  {
    protocolLabel: "Client credentials",
    credential: {
      name: "WSO2_Pizza",
      endpoint: "https://gw.example.com/pizzashack/1.0",
      protocol: "clientCredentials",
      clientId: "pizza-app",
      clientAuth: "basic",
      scopes: [],
      tokenUrl: "https://gw.example.com/oauth2/token",
      identityType: "namedPrincipal",
      salesforce: { generateAuthorizationHeader: true, allowMergeFieldsInHeader: false, allowMergeFieldsInBody: false, additionalRefreshStatusCodes: [] },
    },
    status: { state: "needsReauthorization", line: "needs re-authorization", expiresAtMs: null, reason: "The refresh token was rejected: invalid_grant (refresh token idle for more than 24 h)." },
    sandbox: false,
    hasClientSecret: true,
    notice: null,
  },
];

function sandboxStatus(): void {
  const view = credentials[0];
  if (!authorized) return;
  const expires = tokenIssuedAt + 20_000;
  view.status = expires > now()
    ? { state: "valid", line: `valid for ${Math.ceil((expires - now()) / 1000)} s`, expiresAtMs: expires, reason: null }
    : { state: "expired", line: "expired", expiresAtMs: expires, reason: null };
}

function tokenView(): TokenView {
  return {
    credential: "Sandbox",
    masked: `eyJh…k2Q${tokenCounter}`,
    fingerprint: `sha256:ab12${tokenCounter}`,
    issuedAtMs: tokenIssuedAt,
    expiresAtMs: tokenIssuedAt + 20_000,
    expirySource: "expiresIn",
    jwt: true,
    claims: { iss: sandboxBase, sub: "sandbox-user", aud: "callout-lab-sandbox", exp: Math.floor((tokenIssuedAt + 20_000) / 1000), iat: Math.floor(tokenIssuedAt / 1000), scope: "api refresh_token" },
    scopes: ["api", "refresh_token"],
    refreshToken: "present",
    refreshRotated: tokenCounter > 1,
  };
}

function issue(): void {
  tokenIssuedAt = now();
  tokenCounter++;
  record("Sandbox", { kind: "tokenIssued", token: `fp:ab12${tokenCounter}`, lifetimeSeconds: 20, expirySource: "expiresIn", jwt: true, refreshToken: "fp:rt", rotated: tokenCounter > 1, scopes: ["api"] }, "token issued: expires in 20 s (expires_in); refresh token rotated");
}

const SOAP_BODY = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">
  <soapenv:Header>
    <urn:SessionHeader>
      <urn:sessionId>{!$Credential.OAuthToken}</urn:sessionId>
    </urn:SessionHeader>
  </soapenv:Header>
  <soapenv:Body>
    <urn:query>
      <urn:queryString>SELECT Id, Name FROM Account LIMIT 5</urn:queryString>
    </urn:query>
  </soapenv:Body>
</soapenv:Envelope>`;

const requests: SavedRequest[] = [
  { id: "sample-soap", name: "Salesforce SOAP query", method: "POST", url: "callout:Sandbox/services/Soap/u/59.0", headers: [{ name: "Content-Type", value: "text/xml; charset=UTF-8" }, { name: "SOAPAction", value: '""' }], body: SOAP_BODY, bodyKind: "xml", sample: true, assertions: [], extract: [] },
  { id: "sample-rest", name: "Salesforce REST query", method: "GET", url: "callout:Sandbox/services/data/v59.0/query?q=SELECT+Id+FROM+Account", headers: [], body: null, bodyKind: "none", sample: true, assertions: [], extract: [] },
  { id: "sample-wso2", name: "WSO2-style API call", method: "GET", url: "callout:Sandbox/wso2/pizzas", headers: [{ name: "Authorization", value: "Bearer {!$Credential.OAuthToken}" }], body: null, bodyKind: "none", sample: true, assertions: [], extract: [] },
];
let settings: Settings = { clipboardClearSeconds: 30, keepAliveDefaultSeconds: null, keeperMarginSeconds: 60, theme: "system", extraCaFile: null, proxyUrl: null, noProxy: [], historyKeepCount: 5000, historyKeepDays: 30 };

function render(draft: Draft): { request: DisplayRequest; lint: Lint[] } {
  const parts: { text: string; location: Location }[] = [{ text: draft.body ?? "", location: { part: "body" } }, ...draft.headers.map((hd) => ({ text: hd.value, location: { part: "header" as const, header: hd.name } }))];
  for (const part of parts) {
    for (const token of tokenize(part.text)) {
      if (token.kind === "unknown" || token.kind === "unclosed") {
        const at = positionOf(part.text, token.from);
        // Worded as the engine's Error (crates/core/src/error.rs), which names a header.
        const where = part.location.part === "header" ? `header "${part.location.header}"` : part.location.part;
        throw {
          kind: "mergeField",
          message: token.kind === "unclosed"
            ? `unclosed merge field: the {! in the ${where} at line ${at.line}, column ${at.column} has no closing }`
            : `unknown merge field {!${token.expression}} in the ${where} at line ${at.line}, column ${at.column}`,
          location: part.location,
          at,
        };
      }
    }
  }
  const url = draft.url.replace(/^callout:Sandbox/, sandboxBase);
  const mask = (t: string): string => t.replace(/\{!\s*\$Credential\.OAuthToken\s*\}/gi, `••••k2Q${tokenCounter}`);
  const lint: Lint[] = draft.headers.some((hd) => hd.value.includes("{!"))
    ? [{ id: "salesforce.header_merge_disabled", location: { part: "header", header: draft.headers.find((hd) => hd.value.includes("{!"))!.name }, message: "Salesforce leaves merge fields in headers as literal text unless \"Allow Merge Fields in HTTP Header\" is on." }]
    : [];
  const bodyToken = tokenize(draft.body ?? "").find((t) => /oauthtoken/i.test(t.expression));
  if (draft.url.includes("/Soap/") && bodyToken) {
    const at = positionOf(draft.body ?? "", bodyToken.from);
    lint.push({ id: "salesforce.soap_token_not_refreshed", location: { part: "body" }, at, message: `The SOAP body carries the token through {!${bodyToken.expression}} at line ${at.line}, column ${at.column}: Salesforce does not refresh OAuth tokens used this way, and an expired session answers HTTP 500, which it never refreshes on.` });
  }
  return {
    // As the engine: "Generate Authorization header" adds one unless the request sets its own.
    request: {
      method: draft.method,
      url,
      headers: [
        ...draft.headers.map((hd) => ({ name: hd.name, value: mask(hd.value) })),
        ...(draft.headers.some((hd) => hd.name.trim().toLowerCase() === "authorization") ? [] : [{ name: "Authorization", value: `Bearer ••••k2Q${tokenCounter}` }]),
      ],
      body: draft.body ? mask(draft.body) : null,
    },
    lint,
  };
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every command of the shell (bindings/commands.ts): a command missing here, or answering the wrong type, fails the type check. */
/** A command the mock shell leaves to the app. */
function unavailable(what: string): () => never {
  return () => {
    throw { kind: "invalidRequest", message: `mock shell: ${what} in the app` };
  };
}

type Handlers = { [K in CommandName]: (args: Commands[K]["args"]) => Commands[K]["result"] | Promise<Commands[K]["result"]> };

const SOAP_OK_BODY =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><queryResponse><result><done>true</done><size>2</size><records><Id>001000000000001</Id><Name>Acme</Name></records><records><Id>001000000000002</Id><Name>Globex</Name></records></result></queryResponse></soapenv:Body></soapenv:Envelope>';
const SOAP_FAULT_BODY =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>';
const REST_OK_BODY = '{"totalSize":2,"done":true,"records":[{"Id":"001000000000001"},{"Id":"001000000000002"}]}';

const BUILT_IN_RULES: RuleView[] = [
  {
    id: "slack.token_expired",
    service: "Slack Web API",
    means: "expired",
    statuses: [200],
    hosts: ["slack.com"],
    credentials: [],
    conditions: ["$.ok equals false", '$.error in ["token_expired", "invalid_auth"]'],
    says: "Slack answers an expired token on HTTP 200 with ok false and error token_expired",
    source: "https://api.slack.com/authentication/rotation",
    fix: null,
    file: "slack.toml",
    builtIn: true,
    examples: [{ status: 200, body: '{"ok":false,"error":"token_expired"}', why: null }],
    notExamples: [{ status: 429, body: '{"ok":false,"error":"ratelimited"}', why: "a rate limit" }],
  },
  {
    id: "github.bad_credentials",
    service: "GitHub REST API",
    means: "expired",
    statuses: [401],
    hosts: ["api.github.com"],
    credentials: [],
    conditions: ['$.message equals "Bad credentials"'],
    says: "GitHub answers an expired or revoked token with 401 Bad credentials",
    source: "https://docs.github.com/rest/overview/troubleshooting",
    fix: null,
    file: "github.toml",
    builtIn: true,
    examples: [{ status: 401, body: '{"message":"Bad credentials"}', why: null }],
    notExamples: [],
  },
  {
    id: "google.consent_revoked",
    service: "Google APIs",
    means: "notExpiry",
    statuses: [400],
    hosts: ["googleapis.com"],
    credentials: [],
    conditions: ['$.error equals "invalid_grant"'],
    says: "the user revoked the app's access",
    source: "https://developers.google.com/identity/protocols/oauth2",
    fix: "authorize again",
    file: "google.toml",
    builtIn: true,
    examples: [{ status: 400, body: '{"error":"invalid_grant"}', why: null }],
    notExamples: [],
  },
];
let userRules: RuleView[] = [];

const commands: Handlers = {
  app_info: () => ({ product: "Callout Lab", version: "0.1.0", keychainBackend: "Secret Service", salesforceApiVersion: "59.0" }),
  check_keychain: async () => {
    await delay(400);
    return { backend: "Secret Service", available: true, summary: "Secret Service is available: a test secret was stored, read back and deleted.", error: null };
  },
  sandbox_info: () => ({
    url: sandboxBase,
    tokenUrl: `${sandboxBase}/token`,
    authorizeUrl: `${sandboxBase}/authorize`,
    deviceAuthorizationUrl: `${sandboxBase}/device/code`,
    clientId: "callout-lab-sandbox",
    clientSecret: "sandbox-secret-not-for-production",
    username: "sandbox-user",
    password: "sandbox-password",
    accessTtlSeconds: 20,
    refreshIdleTtlSeconds: 600,
  }),
  list_credentials: () => structuredClone(credentials),
  validate_credential: ({ credential: c }) => {
    const problems = [];
    if (!c.name) problems.push({ field: "name", message: "A name is required." });
    else if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(c.name)) problems.push({ field: "name", message: "Use letters, digits and _ only, starting with a letter (as in Salesforce)." });
    if (!/^https?:\/\/[^/]+/.test(c.endpoint)) problems.push({ field: "endpoint", message: "Enter an absolute http(s) URL." });
    return problems;
  },
  save_credential: ({ credential }) => ({ ...credentials[0], credential }),
  remove_credential: () => null,
  repair_credential: ({ name }) => {
    const view = credentials.find((v) => v.credential.name === name);
    if (!view) throw { kind: "invalidCredential", message: `no credential named ${name}` };
    return structuredClone(view);
  },
  discover: async ({ issuer }) => {
    await delay(300);
    return { issuer, tokenEndpoint: `${issuer}/oauth/token`, authorizationEndpoint: `${issuer}/oauth/authorize`, deviceAuthorizationEndpoint: null, revocationEndpoint: null, introspectionEndpoint: null };
  },
  export_credential_metadata: async ({ name, out }) => {
    await delay(200);
    const root = out.replace(/\/+$/, "");
    const files = [
      `force-app/main/default/namedCredentials/${name}.namedCredential-meta.xml`,
      `force-app/main/default/externalCredentials/${name}.externalCredential-meta.xml`,
      `force-app/main/default/authproviders/${name}.authprovider-meta.xml`,
    ];
    return { root, files, replaced: files.slice(0, 1), notes: ["The client secret is not written: enter it in Setup → Auth. Providers after deploying."] };
  },
  salesforce_credential: async ({ credential, org }) => {
    await delay(100);
    const login = org === "production" ? "https://login.salesforce.com" : org === "sandbox" ? "https://test.salesforce.com" : org.replace(/\/+$/, "");
    return {
      ...credential,
      endpoint: login,
      protocol: "authorizationCode",
      clientAuth: "body",
      issuer: login,
      authUrl: `${login}/services/oauth2/authorize`,
      tokenUrl: `${login}/services/oauth2/token`,
      scopes: ["api", "refresh_token"],
      redirectUri: "http://localhost:1717/OauthRedirect",
      salesforceOrg: org,
    };
  },
  authorize: async ({ name }) => {
    emit("authorize-progress", { credential: name, stage: "opening", message: "Opening the browser…", url: null });
    await delay(500);
    emit("authorize-progress", {
      credential: name,
      stage: "waitingForBrowser",
      message: "Sign in in the browser; waiting up to 300 s for it to come back",
      url: `${sandboxBase}/oauth/authorize?response_type=code&client_id=callout-lab-sandbox&state=xyz&redirect_uri=${encodeURIComponent("http://127.0.0.1:53121/callback")}`,
    });
    // `?slowSignIn=1` waits long enough to see "Still waiting?".
    await delay(params.has("slowSignIn") ? 60_000 : 2500);
    emit("authorize-progress", { credential: name, stage: "exchanging", message: "Exchanging the code for tokens…", url: null });
    await delay(300);
    authorized = true;
    record(name, { kind: "authorized", flow: "authorizationCode", scopes: ["api"] }, "authorized with authorization code + PKCE");
    issue();
    sandboxStatus();
    emit("credentials-changed", structuredClone(credentials));
    return tokenView();
  },
  cancel_authorize: () => null,
  token: ({ name }) => (authorized && name === "Sandbox" ? tokenView() : null),
  reveal_token: () => `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzYW5kYm94In0.fake${tokenCounter}`,
  copy_token: () => ({ fingerprint: `sha256:ab12${tokenCounter}`, clearAfterSeconds: settings.clipboardClearSeconds }),
  refresh_now: ({ name }) => {
    if (name !== "Sandbox") throw { kind: "needsReauthorization", message: "WSO2_Pizza needs re-authorization: the token endpoint answered invalid_grant" };
    issue();
    sandboxStatus();
    emit("credentials-changed", structuredClone(credentials));
    return tokenView();
  },
  list_templates: () => structuredClone(requests),
  list_collections: () => [{ root: "/home/you/.local/share/callout-lab/collections/My requests", name: "My requests", environments: [], environment: null, variables: [], items: [], problem: null }],
  open_collection: unavailable("open a collection"),
  new_collection: unavailable("make a collection"),
  close_collection: unavailable("close a collection"),
  set_environment: unavailable("switch environments"),
  read_saved: unavailable("open a saved request"),
  save_saved: unavailable("save a request"),
  new_saved: unavailable("save a request"),
  new_folder: unavailable("make a folder"),
  rename_item: unavailable("rename"),
  move_item: unavailable("move"),
  duplicate_item: unavailable("duplicate"),
  delete_item: unavailable("delete"),
  restore_item: unavailable("bring back"),
  preview_saved: unavailable("preview a saved request"),
  send_saved: unavailable("send a saved request"),
  import_postman_collection: unavailable("import a Postman collection"),
  import_work: async ({ kind, input, dryRun }) => {
    await delay(600);
    const source = input.from === "path" ? input.path : input.name;
    if (/broken/i.test(source)) throw { kind: "import", message: `${source}, line 3, column 1: did not find expected key (the OpenAPI document is not valid YAML)` };
    if (kind === "sfdx") {
      return { kind, source, collection: null, opened: false, credentialsAdded: ["Acme_API"], credentialsKept: [], toSupply: ["Acme_API: its client secret (Credentials → Edit)"], notes: [], dryRun };
    }
    const name = "Acme Orders API";
    const files = ["Orders/List orders.toml", "Orders/Create an order.toml", "Orders/Get an order.toml"];
    return {
      kind,
      source,
      collection: { name, root: `/home/you/.local/share/callout-lab/collections/${name}`, files, environments: ["production"], credentials: ["Acme_OAuth"], notes: [], dryRun },
      opened: !dryRun,
      credentialsAdded: ["Acme_OAuth"],
      credentialsKept: [],
      toSupply: ["Acme_OAuth: its client secret"],
      notes: ["The server URL's variables became {{variables}} of the environment \"production\"."],
      dryRun,
    };
  },
  bind_variables: unavailable("bind variables to a credential"),
  run_collection: unavailable("run a collection"),
  stop_run: () => false,
  run_step_report: unavailable("open a run's step"),
  rerun_failures: unavailable("run failures again"),
  assertion_problems: ({ assertions, extract }) => ({
    assertions: assertions.map((a) => (["header", "json", "xpath"].includes(a.subject) && !a.path.trim() ? `a ${a.subject} assertion needs a path` : null)),
    extract: extract.map((e) => (e.path.trim() ? null : `the extraction into "${e.variable}" needs a path`)),
  }),
  history: () => [],
  history_entry: unavailable("open a past send"),
  history_diff: unavailable("compare sends"),
  send_again: unavailable("send again"),
  apex_mock: ({ ids, className, finalOnly }) =>
    [
      "@IsTest",
      `public class ${className} implements HttpCalloutMock {`,
      `    // ${ids.length} kept send(s), ${finalOnly ? "final responses only" : "every attempt"}`,
      "    private Integer next = 0;",
      "    public HttpResponse respond(HttpRequest request) {",
      "        HttpResponse response = new HttpResponse();",
      "        response.setStatusCode(200);",
      "        response.setBody('{\"totalSize\":2}');",
      "        next++;",
      "        return response;",
      "    }",
      "}",
      "",
    ].join("\n"),
  preview_request: ({ draft }) => {
    try {
      return { ...render(draft), error: null };
    } catch (error) {
      return { request: null, lint: [], error: error as ErrorReport };
    }
  },
  send_request: async ({ draft }) => {
    const rendered = render(draft);
    await delay(350);
    if (!authorized) throw { kind: "authorization", message: "Sandbox is not authorized yet: click Authorize" };
    const expired = tokenIssuedAt + 20_000 < now();
    const soap = draft.url.includes("/Soap/");
    const okBody = soap ? SOAP_OK_BODY : REST_OK_BODY;
    const fine: Verdict = { expired: false, rule: null, reason: "HTTP 200: no sign of an expired token.", salesforce: { wouldRefresh: false, reason: "HTTP 200 is not 401: a Named Credential would not refresh." } };
    record("Sandbox", { kind: "requestSent", method: draft.method, url: rendered.request.url, status: expired && soap ? 500 : 200, durationMs: 12, error: null }, `${draft.method} ${rendered.request.url} → ${expired && soap ? 500 : 200}`);
    if (!expired) {
      record("Sandbox", { kind: "verdict", expired: false, rule: null, reason: fine.reason, salesforceWouldRefresh: false, salesforceReason: fine.salesforce.reason }, "not expired: HTTP 200");
      const response = { status: 200, headers: [{ name: "Content-Type", value: soap ? "text/xml" : "application/json" }], body: okBody, truncated: false, elapsedMs: 12 };
      return { request: rendered.request, lint: rendered.lint, response, verdict: fine, attempts: [{ step: "sent", number: 1, request: rendered.request, status: 200, durationMs: 12, verdict: fine, response }] };
    }
    const expiredVerdict: Verdict = {
      expired: true,
      rule: "soap.invalid_session",
      reason: "HTTP 500 with a SOAP fault whose faultcode is sf:INVALID_SESSION_ID: the session (access token) expired.",
      salesforce: { wouldRefresh: false, reason: "A Salesforce Named Credential refreshes only on HTTP 401 (and configured 4xx codes); this was HTTP 500, so it would not have refreshed — the callout would fail with INVALID_SESSION_ID." },
    };
    record("Sandbox", { kind: "verdict", expired: true, rule: "soap.invalid_session", reason: expiredVerdict.reason, salesforceWouldRefresh: false, salesforceReason: expiredVerdict.salesforce.reason }, `expired: ${expiredVerdict.reason}`);
    record("Sandbox", { kind: "refreshAttempt", trigger: { type: "rule", id: "soap.invalid_session" }, outcome: "refreshed", error: null, durationMs: 9 }, "refreshed: triggered by soap.invalid_session");
    issue();
    record("Sandbox", { kind: "retry", attempt: 2 }, "retried the request once with the new token");
    record("Sandbox", { kind: "requestSent", method: draft.method, url: rendered.request.url, status: 200, durationMs: 10, error: null }, `${draft.method} ${rendered.request.url} → 200`);
    sandboxStatus();
    emit("credentials-changed", structuredClone(credentials));
    const fault = { status: 500, headers: [{ name: "Content-Type", value: "text/xml" }, { name: "Connection", value: "close" }], body: SOAP_FAULT_BODY, truncated: false, elapsedMs: 12 };
    const response = { status: 200, headers: [{ name: "Content-Type", value: "text/xml" }], body: okBody, truncated: false, elapsedMs: 10 };
    // The retry goes out with the refreshed token.
    const retried = render(draft).request;
    return {
      request: retried,
      lint: rendered.lint,
      response,
      verdict: fine,
      attempts: [
        { step: "sent", number: 1, request: rendered.request, status: 500, durationMs: 12, verdict: expiredVerdict, response: fault },
        { step: "refreshed", credential: "Sandbox", trigger: "soap.invalid_session" },
        { step: "sent", number: 2, request: retried, status: 200, durationMs: 10, verdict: fine, response },
      ],
    };
  },
  import_curl: () => {
    throw { kind: "invalidRequest", message: "mock shell: import a cURL command in the app" };
  },
  export_request: () => {
    throw { kind: "invalidRequest", message: "mock shell: export a request in the app" };
  },
  timeline: ({ query: q }) => {
    // As the shell answers: the newest `limit` (at most 1000) before the cursor, oldest first.
    const before = q.before;
    const selected = events.filter(
      (e) =>
        (!q.credential || e.credential === q.credential) &&
        (q.sinceMs === null || e.atMs >= q.sinceMs) &&
        (!before || e.atMs < before.atMs || (e.atMs === before.atMs && e.id < before.id)),
    );
    const limit = Math.min(q.limit ?? 1000, 1000);
    return selected.slice(Math.max(0, selected.length - limit));
  },
  // `?timelineTrouble=1` shows the banner of a file that cannot be used.
  timeline_trouble: () => timelineTrouble,
  move_timeline_aside: () => {
    timelineTrouble = null;
    return "/home/dev/.local/share/callout-lab/timeline.sqlite3.broken-1796400000000";
  },
  export_timeline: () => "/home/dev/.local/share/callout-lab/exports/timeline-2026-11-22T02-40-00.jsonl",
  list_rules: () => structuredClone([...userRules, ...BUILT_IN_RULES]),
  check_rule_file: ({ text, response }) => {
    const status = response?.status ?? null;
    const body = response?.body ?? "";
    const service = /^service\s*=\s*"([^"]*)"/m.exec(text)?.[1];
    if (!service) return { error: "the file: `service = \"NAME\"` is missing", rules: [], samples: [], response: null };
    const id = /^id\s*=\s*"([^"]*)"/m.exec(text)?.[1];
    if (!id) return { error: "the file: the file has no [[rule]]", rules: [], samples: [], response: null };
    const rule: RuleView = { ...BUILT_IN_RULES[0], id, service, file: "the file", builtIn: false, examples: [], notExamples: [] };
    const code = /"([A-Z_]{4,})"/.exec(text)?.[1] ?? "";
    const matched = status !== null && code !== "" && body.includes(code);
    return {
      error: null,
      rules: [rule],
      samples: [
        { rule: id, sample: "example 1", passed: true, message: "HTTP 200 from 127.0.0.1 matches" },
        { rule: id, sample: "not 1", passed: true, message: "it does not match a validation error" },
      ],
      response:
        status === null
          ? null
          : {
              rule: matched ? id : null,
              means: matched ? "expired" : null,
              verdict: matched
                ? { expired: true, rule: id, reason: `HTTP ${status} is how ${service} says the access token expired.`, salesforce: { wouldRefresh: false, reason: "HTTP 200 is not 401." } }
                : { expired: false, rule: null, reason: `HTTP ${status}: no sign of an expired token.`, salesforce: { wouldRefresh: false, reason: "HTTP 200 is not 401." } },
              note: null,
            },
    };
  },
  add_rule_file: ({ text, name }) => {
    const id = /^id\s*=\s*"([^"]*)"/m.exec(text)?.[1];
    if (!id) throw { kind: "import", message: `${name}.toml: the file has no [[rule]]` };
    if ([...userRules, ...BUILT_IN_RULES].some((r) => r.id === id)) throw { kind: "import", message: `${name}.toml: rule ${id} is an id the built-in catalog uses already; give it another` };
    const service = /^service\s*=\s*"([^"]*)"/m.exec(text)?.[1] ?? "My API";
    userRules.push({ ...BUILT_IN_RULES[0], id, service, file: `${name.replace(/\.toml$/, "")}.toml`, builtIn: false });
    return { path: `/home/you/.config/callout-lab/rules/${name}.toml`, ids: [id] };
  },
  remove_rule_file: ({ name }) => {
    const file = name.endsWith(".toml") ? name : `${name}.toml`;
    const before = userRules.length;
    userRules = userRules.filter((r) => r.file !== file);
    if (userRules.length === before) throw { kind: "storage", message: `cannot remove ${file}: there is no such rule file` };
    return null;
  },
  propose_rule: ({ send, expired, fix }) => ({
    text: `service = "127.0.0.1"\nhosts = ["127.0.0.1"]\ncredentials = ["Sandbox"]\n\n[[rule]]\nid = "taught.127_0_0_1.${send}"\nmeans = "${expired ? "expired" : "not_expiry"}"\nstatus = [200]\nwhen = [\n  { json = "$.error.code", equals = "E_SESSION_EXPIRED" },\n]\nsays = "HTTP 200 with $.error.code E_SESSION_EXPIRED"\nsource = "history #${send}"\n${fix ? `fix = ${JSON.stringify(fix)}\n` : ""}`,
    ruleId: `taught.127_0_0_1.${send}`,
    means: expired ? "expired" : "notExpiry",
    conditions: ['$.error.code equals "E_SESSION_EXPIRED"'],
    successes: 1,
  }),
  save_proposed_rule: ({ text, name }) => commands.add_rule_file({ text, name }),
  get_settings: () => settings,
  save_settings: ({ settings: saved }) => {
    settings = saved;
    return settings;
  },
  remember_ui_session: ({ session }) => {
    uiSession = session;
    return null;
  },
  ui_session: () => uiSession,
};

async function handle(cmd: string, args: Record<string, unknown>): Promise<unknown> {
  sandboxStatus();
  if (cmd === "plugin:event|listen") {
    const list = listeners.get(args.event as string) ?? [];
    list.push(args.handler as number);
    listeners.set(args.event as string, list);
    return list.length;
  }
  if (cmd === "plugin:event|unlisten") return null;
  if (cmd in commands) return (commands[cmd as CommandName] as (args: unknown) => unknown)(args);
  throw { kind: "invalidRequest", message: `mock shell: no command ${cmd}` };
}

(window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {
  invoke: (cmd: string, args: Record<string, unknown>) => handle(cmd, args ?? {}),
  transformCallback: (callback: Callback) => {
    const id = nextCallback++;
    callbacks.set(id, callback);
    return id;
  },
  unregisterCallback: (id: number) => callbacks.delete(id),
  convertFileSrc: (path: string) => path,
};
(window as unknown as Record<string, unknown>).__TAURI_EVENT_PLUGIN_INTERNALS__ = { unregisterListener: () => undefined };

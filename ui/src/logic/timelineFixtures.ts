// Test fixtures: timeline events as the shell sends them.
import type { Event } from "../bindings/Event";
import type { EventDetail } from "../bindings/EventDetail";

let nextId = 1;

export function ev(atMs: number, credential: string, event: EventDetail, summary = ""): Event {
  return { id: nextId++, atMs, credential, event, summary: summary || `${event.kind} at ${atMs}` };
}

export const tokenIssued = (lifetimeSeconds: number | null): EventDetail => ({
  kind: "tokenIssued",
  token: "fp:ab12",
  lifetimeSeconds,
  expirySource: lifetimeSeconds === null ? "unknown" : "expiresIn",
  jwt: false,
  refreshToken: "fp:cd34",
  rotated: true,
  scopes: ["api"],
});

export const requestSent = (status = 200): EventDetail => ({
  kind: "requestSent",
  method: "POST",
  url: "http://127.0.0.1:1/services/Soap/u/59.0",
  status,
  durationMs: 5,
  error: null,
});

export const verdict = (expired: boolean, rule: string | null = expired ? "soap.invalid_session" : null): EventDetail => ({
  kind: "verdict",
  expired,
  rule,
  reason: expired ? "INVALID_SESSION_ID in the SOAP fault" : "no sign of expiry",
  salesforceWouldRefresh: false,
  salesforceReason: "only on 401",
});

export const refreshAttempt = (outcome: "refreshed" | "failed" | "needsReauthorization"): EventDetail => ({
  kind: "refreshAttempt",
  trigger: { type: "rule", id: "soap.invalid_session" },
  outcome,
  error: outcome === "refreshed" ? null : "invalid_grant",
  durationMs: 3,
});

export const retry = (): EventDetail => ({ kind: "retry", attempt: 2 });

export const keeperDecision = (
  action: "refresh" | "wait" | "skip" | "warn",
  result: string | null = action === "refresh" ? "refreshed: token fp:ee01 valid for 59 min" : null,
  reason = action === "refresh" ? "the access token expires in 58 s; refreshing ahead of expiry (margin 1 min)" : "valid for 40 min; refresh in 39 min",
): EventDetail => ({ kind: "keeperDecision", action, reason, result });

export const keeperRefresh = (trigger: "proactive" | "keepAlive" = "proactive", outcome: "refreshed" | "alreadyRefreshed" | "failed" = "refreshed"): EventDetail => ({
  kind: "refreshAttempt",
  trigger: { type: trigger },
  outcome,
  error: outcome === "failed" ? "connection refused" : null,
  durationMs: 40,
});

/** One routine renewal by the keeper, as a run records it: the token, the refresh, the decision. */
export const keeperRenewal = (atMs: number, credential: string): Event[] => [
  ev(atMs, credential, tokenIssued(3600)),
  ev(atMs, credential, keeperRefresh()),
  ev(atMs + 1, credential, keeperDecision("refresh")),
];

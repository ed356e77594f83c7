// The first-run guide (`getting-started`): four steps, each ticked off from real
// state — the Sandbox credential's status and its timeline events.
import type { Event } from "../bindings/Event";
import type { CredentialView } from "../pending-types";
import { formatDuration } from "./format";

export type GuideStepId = "authorize" | "send" | "wait" | "again";

export interface GuideStep {
  id: GuideStepId;
  title: string;
  detail: string;
  /** The live countdown inside `detail` ("12 s"), shown so it never breaks across lines. */
  countdown: string | null;
  done: boolean;
  /** The first step not done yet. */
  current: boolean;
}

export const SOAP_PATH = "/services/Soap/";

const isSoapSend = (event: Event): boolean =>
  event.event.kind === "requestSent" && event.event.url.includes(SOAP_PATH) && event.event.status !== null;

/**
 * The guide's steps for the Sandbox credential. `events` are the Sandbox's
 * timeline events, oldest first; `nowMs` drives the step 3 countdown.
 */
export function guideSteps(sandbox: CredentialView | undefined, allEvents: Event[], nowMs: number): GuideStep[] {
  // Only what happened since the latest authorization counts (the sandbox starts fresh each launch).
  let lastAuthorized = -1;
  allEvents.forEach((e, i) => {
    if (e.event.kind === "authorized") lastAuthorized = i;
  });
  const events = lastAuthorized > 0 ? allEvents.slice(lastAuthorized) : allEvents;
  const status = sandbox?.status;
  const authorizedByEvents = events.some((e) => e.event.kind === "tokenIssued" || e.event.kind === "authorized");
  const authorized =
    status !== undefined &&
    (status.state === "valid" || status.state === "expired" || status.state === "unknownExpiry" || (authorizedByEvents && status.state !== "notAuthorized" && status.state !== "needsReauthorization"));

  const firstSoap = events.findIndex(isSoapSend);
  const sent = firstSoap >= 0;

  // Step 4: after the first SOAP send, an expired verdict followed by a successful refresh and a retry.
  let recovered = false;
  let salesforceSentence: string | null = null;
  if (sent) {
    let expiredAt = -1;
    let refreshedAt = -1;
    for (let i = firstSoap + 1; i < events.length; i++) {
      const d = events[i].event;
      if (d.kind === "verdict" && d.expired && expiredAt < 0) {
        expiredAt = i;
        salesforceSentence = d.salesforceReason;
      } else if (expiredAt >= 0 && d.kind === "refreshAttempt" && (d.outcome === "refreshed" || d.outcome === "alreadyRefreshed")) {
        refreshedAt = i;
      } else if (refreshedAt >= 0 && (d.kind === "retry" || (d.kind === "requestSent" && isSoapSend(events[i])))) {
        recovered = true;
        break;
      }
    }
  }

  const expiresAt = status?.expiresAtMs ?? null;
  const expiredByClock = expiresAt !== null && expiresAt <= nowMs;
  const waited = sent && (expiredByClock || status?.state === "expired" || recovered);

  let waitDetail = "The Sandbox's access tokens live 20 seconds.";
  let countdown: string | null = null;
  if (sent && !waited) {
    countdown = expiresAt !== null ? formatDuration(expiresAt - nowMs + 999) : null;
    waitDetail = countdown !== null ? `The token expires in ${countdown}…` : "Waiting for the token to expire…";
  } else if (waited && !recovered) {
    waitDetail = "The token has expired. Callout Lab has not refreshed it: the next request will find out.";
  }

  const steps: Omit<GuideStep, "current" | "countdown">[] = [
    {
      id: "authorize",
      title: "Authorize Sandbox",
      detail: authorized
        ? "Authorized: the tokens are in your OS keychain."
        : "Sign in to the built-in sandbox provider in your browser (no account needed).",
      done: authorized,
    },
    {
      id: "send",
      title: "Send the SOAP query sample",
      detail: sent
        ? "Sent: the token went into the SOAP SessionHeader."
        : "Open “Salesforce SOAP query” and press Send (Ctrl+Enter).",
      done: authorized && sent,
    },
    { id: "wait", title: "Wait for the token to expire", detail: waitDetail, done: authorized && waited },
    {
      id: "again",
      title: "Send again",
      detail: recovered
        ? `The SOAP 500 INVALID_SESSION_ID fault was detected, the token refreshed and the request retried. ${salesforceSentence ?? "A Salesforce Named Credential would not have refreshed."}`
        : "The expired session comes back as HTTP 500 with a SOAP fault; watch it get detected, refreshed and retried.",
      done: authorized && recovered,
    },
  ];
  const currentIndex = steps.findIndex((s) => !s.done);
  return steps.map((step, i) => ({ ...step, countdown: step.id === "wait" ? countdown : null, current: i === currentIndex }));
}

export const guideComplete = (steps: GuideStep[]): boolean => steps.every((s) => s.done);

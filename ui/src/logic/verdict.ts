// The verdict panel's content: our verdict and Salesforce's side by side, the
// attempts as a step list (sent → expired → refreshed → retried), and what an
// opened attempt shows: its request as sent and its whole response.
import type { Attempt } from "../bindings/Attempt";
import type { DisplayRequest } from "../bindings/DisplayRequest";
import type { Received } from "../bindings/Received";
import type { Verdict } from "../bindings/Verdict";
import { formatMs } from "./format";

export interface Badge {
  text: string;
  tone: "ok" | "warn" | "error" | "info";
}

export interface VerdictSide {
  title: string;
  sentence: string;
  badges: Badge[];
}

export function verdictSides(verdict: Verdict): { ours: VerdictSide; salesforce: VerdictSide } {
  const ours: VerdictSide = {
    title: "Callout Lab",
    sentence: verdict.reason,
    badges: verdict.expired
      ? [
          { text: "expired", tone: "warn" },
          { text: "would refresh", tone: "info" },
        ]
      : [{ text: "not expired", tone: "ok" }],
  };
  if (verdict.rule) ours.badges.push({ text: `rule ${verdict.rule}`, tone: "info" });
  const sf = verdict.salesforce;
  const salesforce: VerdictSide = {
    title: "Salesforce Named Credential",
    sentence: sf.reason,
    badges: sf.wouldRefresh
      ? [{ text: "would refresh", tone: "info" }]
      : [{ text: verdict.expired ? "would not refresh" : "no refresh", tone: verdict.expired ? "error" : "ok" }],
  };
  return { ours, salesforce };
}

/** Whether the two verdicts disagree on refreshing (the case worth a callout). */
export function verdictsDisagree(verdict: Verdict): boolean {
  return verdict.expired !== verdict.salesforce.wouldRefresh;
}

export interface StepView {
  step: Attempt["step"];
  title: string;
  detail: string;
  tone: "ok" | "warn" | "error" | "info";
  /** Whether the step can be opened: a request went out (a refresh step has nothing of its own to show). */
  openable: boolean;
}

const triggerText = (trigger: string | null): string => (trigger ? ` (trigger: ${trigger})` : "");

/** One line per attempt; a sent attempt whose verdict says expired reads "… → expired". */
export function stepViews(attempts: Attempt[]): StepView[] {
  return attempts.map((attempt) => {
    switch (attempt.step) {
      case "sent": {
        const retry = attempt.number > 1;
        const expired = attempt.verdict.expired;
        return {
          step: "sent",
          title: `${retry ? "Retried" : "Sent"}: ${attempt.request.method} → HTTP ${attempt.status}${expired ? " — token expired" : ""}`,
          detail: `${formatMs(Number(attempt.durationMs))} · ${attempt.verdict.reason}`,
          tone: expired ? "warn" : attempt.status < 400 ? "ok" : "error",
          openable: true,
        };
      }
      case "failed":
        return {
          step: "failed",
          title: `Attempt ${attempt.number} failed: ${attempt.request.method} ${attempt.request.url}`,
          detail: attempt.error.message,
          tone: "error",
          openable: true,
        };
      case "refreshed":
        return {
          step: "refreshed",
          title: `Refreshed ${attempt.credential}'s token${triggerText(attempt.trigger)}`,
          detail: attempt.notStored
            ? `A new access token was issued and the request sent once more, but the keychain did not take the new tokens (${attempt.notStored}): they are kept in memory until it does.`
            : "A new access token was issued; the request is sent once more.",
          tone: attempt.notStored ? "warn" : "ok",
          openable: false,
        };
      case "refreshFailed":
        return {
          step: "refreshFailed",
          title: `Refreshing ${attempt.credential} failed${triggerText(attempt.trigger)}`,
          detail: attempt.error.message,
          tone: "error",
          openable: false,
        };
      case "refreshSkipped":
        return { step: "refreshSkipped", title: "No refresh", detail: attempt.reason, tone: "info", openable: false };
    }
  });
}

/**
 * The verdict worth headlining: the one that found the token expired (the first
 * response, before refresh and retry), else the final one. `caption` says which.
 */
export function headlineVerdict(attempts: Attempt[], final: Verdict, finalStatus: number): { verdict: Verdict; caption: string } {
  const sent = attempts.filter((a): a is Extract<Attempt, { step: "sent" }> => a.step === "sent");
  const expired = sent.find((a) => a.verdict.expired);
  if (expired && sent.length > 1) {
    return {
      verdict: expired.verdict,
      caption: `Verdict on the first response (HTTP ${expired.status}); after the refresh the retry got HTTP ${finalStatus}.`,
    };
  }
  if (expired) return { verdict: expired.verdict, caption: `Verdict on the response (HTTP ${expired.status}).` };
  return { verdict: final, caption: `Verdict on the response (HTTP ${finalStatus}).` };
}

/** An attempt that sent a request, so it can be opened. */
export type SentAttempt = Extract<Attempt, { step: "sent" | "failed" }>;

export interface AttemptDetail {
  /** "Attempt 1 of 2: the first send", "Attempt 2 of 2: the retry with the refreshed token". */
  title: string;
  /** "HTTP 500", or "No response" for an attempt that failed on the way. */
  status: string;
  tone: "ok" | "warn" | "error";
  /** The request as it went out, secrets masked. */
  request: DisplayRequest;
  /** The whole response; null when none came back. */
  response: Received | null;
  /** This response's verdict; null when there was no response. */
  verdict: Verdict | null;
  /** Why no response came back. */
  error: string | null;
}

/** What opening the attempt at `index` of `attempts` shows; null for a step that sent nothing. */
export function attemptDetail(attempts: Attempt[], index: number): AttemptDetail | null {
  const attempt = attempts[index];
  if (!attempt || (attempt.step !== "sent" && attempt.step !== "failed")) return null;
  const total = attempts.filter((a) => a.step === "sent" || a.step === "failed").length;
  const refreshedBefore = attempts.slice(0, index).some((a) => a.step === "refreshed");
  const role = attempt.number === 1 ? "the first send" : refreshedBefore ? "the retry with the refreshed token" : "the retry";
  const title = `Attempt ${attempt.number} of ${total}: ${role}`;
  if (attempt.step === "failed") {
    return { title, status: "No response", tone: "error", request: attempt.request, response: null, verdict: null, error: attempt.error.message };
  }
  const status = attempt.response.status;
  return {
    title,
    status: `HTTP ${status}`,
    tone: status < 300 ? "ok" : status < 500 ? "warn" : "error",
    request: attempt.request,
    response: attempt.response,
    verdict: attempt.verdict,
    error: null,
  };
}

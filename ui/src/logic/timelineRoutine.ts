// The keeper's housekeeping: the events of its routine runs, which the list
// folds and the picture draws faintly so sends, expiries, refreshes after an
// expiry and failures stay readable. Routine is:
// - a renewal the keeper made ahead of expiry (or to keep a refresh token
//   alive) that succeeded: its decision, its refresh attempt and the token that
//   refresh issued (a run records them token, attempt, decision, per credential);
// - a decision to wait or to skip, unless its reason asks a person to act (the
//   credential needs authorizing again, an expired token nothing could renew).
// A warning, a failed renewal, a refresh a send made (the same "proactive"
// trigger, but no keeper decision follows it) and every other event are not.
import type { Event } from "../bindings/Event";
import type { EventDetail } from "../bindings/EventDetail";

type Decision = Extract<EventDetail, { kind: "keeperDecision" }>;
type Attempt = Extract<EventDetail, { kind: "refreshAttempt" }>;

/**
 * What a decision's reason or result says when a person must act: authorize
 * again ("needs re-authorization (invalid_grant); nothing can be refreshed
 * until someone authorizes again"), or a send's expired token that nothing
 * could renew ("expired, but nothing could be refreshed: the URL names no credential").
 */
const ASKS_TO_ACT = /needs re-?authori[sz]ation|authori[sz]es? again|nothing could be refreshed/i;

/** Whether a keeper decision asks a person to act (by its reason, or what running it did). */
export function asksToAct(detail: Pick<Decision, "reason" | "result">): boolean {
  return ASKS_TO_ACT.test(detail.reason) || (detail.result !== null && ASKS_TO_ACT.test(detail.result));
}

/** A keeper decision that is housekeeping: a wait or skip that asks nothing of anyone, or a renewal that worked. */
export function isRoutineDecision(detail: Decision): boolean {
  if (detail.action === "wait" || detail.action === "skip") return !asksToAct(detail);
  if (detail.action !== "refresh" || detail.result === null) return false;
  return /^(refreshed|already refreshed)\b/i.test(detail.result);
}

/** A refresh the keeper may have made (by the clock or to keep alive) that worked. */
function isKeeperLikeRefresh(detail: Attempt): boolean {
  const ok = detail.outcome === "refreshed" || detail.outcome === "alreadyRefreshed";
  return ok && (detail.trigger.type === "proactive" || detail.trigger.type === "keepAlive");
}

/** The ids of the routine events among `events` (oldest first, as the shell returns them). */
export function routineEventIds(events: Event[]): Set<number> {
  const routine = new Set<number>();
  // Per credential: the token issued just before (by its own events), and a
  // refresh that becomes routine once the keeper's decision says it ran it.
  const lastToken = new Map<string, number>();
  const pending = new Map<string, number[]>();
  for (const event of events) {
    const detail = event.event;
    const credential = event.credential;
    switch (detail.kind) {
      case "tokenIssued":
        lastToken.set(credential, event.id);
        pending.delete(credential);
        continue;
      case "refreshAttempt":
        if (isKeeperLikeRefresh(detail)) {
          const token = lastToken.get(credential);
          const ids = token === undefined ? [event.id] : [token, event.id];
          // Only the keeper refreshes to keep alive: routine at once.
          if (detail.trigger.type === "keepAlive") for (const id of ids) routine.add(id);
          pending.set(credential, ids);
        } else {
          pending.delete(credential);
        }
        lastToken.delete(credential);
        continue;
      case "keeperDecision":
        if (isRoutineDecision(detail)) {
          routine.add(event.id);
          if (detail.action === "refresh") for (const id of pending.get(credential) ?? []) routine.add(id);
        }
        break;
    }
    pending.delete(credential);
    lastToken.delete(credential);
  }
  return routine;
}

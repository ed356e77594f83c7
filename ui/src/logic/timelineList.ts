// The event list under the picture: labels, filtering, and the window of rows a
// virtualized list renders.
import type { Event } from "../bindings/Event";
import type { EventKind } from "../bindings/EventKind";

export const EVENT_KINDS: EventKind[] = [
  "authorized",
  "tokenIssued",
  "requestSent",
  "verdict",
  "refreshAttempt",
  "retry",
  "needsReauthorization",
  "keeperDecision",
  "keychainError",
];

export const KIND_LABELS: Record<EventKind, string> = {
  authorized: "authorized",
  tokenIssued: "token issued",
  requestSent: "request",
  verdict: "verdict",
  refreshAttempt: "refresh",
  retry: "retry",
  needsReauthorization: "re-authorization",
  keeperDecision: "keeper",
  keychainError: "keychain error",
};

export type RowTone = "ok" | "warn" | "error" | "info" | "muted";

/** The short label and tone of one event row: an expired verdict reads "expiry detected". */
export function eventLabel(event: Event): { label: string; tone: RowTone } {
  const d = event.event;
  switch (d.kind) {
    case "authorized":
      return { label: "authorized", tone: "ok" };
    case "tokenIssued":
      return { label: d.rotated ? "token issued (refresh token rotated)" : "token issued", tone: "ok" };
    case "requestSent":
      if (d.status === null) return { label: "request failed", tone: "error" };
      return { label: `request → ${d.status}`, tone: d.status < 400 ? "info" : "warn" };
    case "verdict":
      return d.expired ? { label: "expiry detected", tone: "warn" } : { label: "not expired", tone: "muted" };
    case "refreshAttempt":
      if (d.outcome === "refreshed") return { label: "refreshed", tone: "ok" };
      if (d.outcome === "alreadyRefreshed") return { label: "already refreshed", tone: "ok" };
      if (d.outcome === "needsReauthorization") return { label: "refresh: needs re-authorization", tone: "error" };
      return { label: "refresh failed", tone: "error" };
    case "retry":
      return { label: retryLabel(d.attempt), tone: "info" };
    case "needsReauthorization":
      return { label: "needs re-authorization", tone: "error" };
    case "keeperDecision":
      return { label: `keeper: ${d.action}`, tone: d.action === "warn" ? "warn" : "muted" };
    case "keychainError":
      return { label: "keychain error", tone: "error" };
  }
}

const TIMES = ["", "once", "twice"];

/**
 * A retry's label. `attempt` numbers the sends (1 is the first send, so 2 is
 * the first retry): "retried once (attempt 2)", never "retry #2", which reads
 * as the second retry.
 */
export function retryLabel(attempt: number): string {
  const retries = attempt - 1;
  if (retries < 1) return `sent again (attempt ${attempt})`;
  return `retried ${TIMES[retries] ?? `${retries} times`} (attempt ${attempt})`;
}

export interface EventFilter {
  credential: string | null;
  /** Empty = every kind. */
  kinds: Set<EventKind>;
  text: string;
}

const haystacks = new WeakMap<Event, string>();
function haystack(event: Event): string {
  let text = haystacks.get(event);
  if (text === undefined) {
    text = `${event.credential}\n${event.summary}\n${eventLabel(event).label}`.toLowerCase();
    haystacks.set(event, text);
  }
  return text;
}

/** The events that pass the filter, in order. Every word of the text must appear. */
export function filterEvents(events: Event[], filter: EventFilter): Event[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  const everyKind = filter.kinds.size === 0;
  if (!filter.credential && everyKind && words.length === 0) return events;
  return events.filter(
    (event) =>
      (!filter.credential || event.credential === filter.credential) &&
      (everyKind || filter.kinds.has(event.event.kind)) &&
      words.every((word) => haystack(event).includes(word)),
  );
}

export interface VirtualWindow {
  /** First row to render. */
  start: number;
  /** One past the last row to render. */
  end: number;
  /** Where the first rendered row sits (px from the top of the scroll content). */
  offsetY: number;
  totalHeight: number;
}

/** The rows a virtualized list renders for a scroll position, with `overscan` spare rows each side. */
export function virtualWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 6,
): VirtualWindow {
  const totalHeight = count * rowHeight;
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const start = Math.max(0, Math.min(count, first - overscan));
  const visible = Math.ceil(viewportHeight / rowHeight) + 1;
  const end = Math.min(count, first + visible + overscan);
  return { start, end: Math.max(start, end), offsetY: start * rowHeight, totalHeight };
}

/** The index of the event closest in time to `ms` (events sorted by time), for "jump to" from the picture. */
export function indexNearest(events: Event[], ms: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid].atMs < ms) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && (lo === events.length || ms - events[lo - 1].atMs <= events[lo].atMs - ms)) return lo - 1;
  return Math.min(lo, events.length - 1);
}

/**
 * `fresh` (events since the newest one already held, as the shell returns them,
 * oldest first) appended to `held` without duplicates. Returns `held` itself when
 * nothing is new, so callers can skip a rebuild.
 */
export function mergeNewEvents(held: Event[], fresh: Event[]): Event[] {
  if (!held.length) return fresh;
  const lastId = held.reduce((max, e) => Math.max(max, e.id), -Infinity);
  const added = fresh.filter((e) => e.id > lastId);
  return added.length ? held.concat(added) : held;
}

// The event list under the picture: labels, filtering, the keeper's routine
// folded into one row per run, and the window of rows a virtualized list renders.
import type { Event } from "../bindings/Event";
import type { EventKind } from "../bindings/EventKind";
import { formatDuration } from "./format";
import { asksToAct } from "./timelineRoutine";

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
      return { label: `keeper: ${d.action}`, tone: d.action === "warn" || asksToAct(d) ? "warn" : "muted" };
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

/** A run of consecutive routine keeper events, shown as one row (timelineRoutine.ts says which are routine). */
export interface Fold {
  /** "fold:<id of its oldest event>": new events join a fold at its newest end, so it keeps its key. */
  key: string;
  /** Newest first, as the list shows them. */
  events: Event[];
  open: boolean;
}

/** One row of the list: an event, or a fold standing for a run of routine ones. */
export type ListEntry =
  | { type: "event"; key: string; event: Event; routine: boolean; inFold: string | null }
  | { type: "fold"; key: string; fold: Fold };

export interface FoldOptions {
  /** Fold routine runs (the "show the keeper's housekeeping" toggle is off). */
  fold: boolean;
  /** The keys of the folds opened by hand. */
  open: ReadonlySet<string>;
}

/** A run shorter than this stays as its rows: one row folded into one row hides without saving room. */
export const MIN_FOLD = 2;

/**
 * The rows of the list, newest first: `events` (oldest first), with each run of
 * at least MIN_FOLD consecutive routine events as one fold row, followed by its
 * events when it is open. Failures and warnings are never routine, so never folded.
 */
export function listEntries(events: Event[], routine: ReadonlySet<number>, options: FoldOptions): ListEntry[] {
  const entries: ListEntry[] = [];
  let run: Event[] = [];
  const single = (event: Event, inFold: string | null): ListEntry => ({
    type: "event",
    key: `event:${event.id}`,
    event,
    routine: routine.has(event.id),
    inFold,
  });
  const close = (): void => {
    if (run.length >= MIN_FOLD && options.fold) {
      const key = `fold:${run[run.length - 1].id}`;
      const open = options.open.has(key);
      entries.push({ type: "fold", key, fold: { key, events: run, open } });
      if (open) for (const event of run) entries.push(single(event, key));
    } else {
      for (const event of run) entries.push(single(event, null));
    }
    run = [];
  };
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (routine.has(event.id)) {
      run.push(event);
      continue;
    }
    close();
    entries.push(single(event, null));
  }
  close();
  return entries;
}

const plural = (n: number, one: string, many: string): string => `${n.toLocaleString()} ${n === 1 ? one : many}`;

function joinAnd(parts: string[]): string {
  if (parts.length <= 1) return parts.join("");
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

/** What a fold row says: "4 routine renewals by the keeper", with the credentials and the time it spans. */
export function foldLabel(fold: Fold): { label: string; credentials: string; detail: string } {
  let decidedRenewals = 0;
  let attempts = 0;
  let waits = 0;
  let skips = 0;
  const credentials = new Set<string>();
  for (const event of fold.events) {
    credentials.add(event.credential);
    const d = event.event;
    if (d.kind === "refreshAttempt") attempts++;
    else if (d.kind === "keeperDecision") {
      if (d.action === "refresh") decidedRenewals++;
      else if (d.action === "wait") waits++;
      else if (d.action === "skip") skips++;
    }
  }
  // A renewal is a decision and its refresh; a filter may have left only one of the two.
  const renewals = Math.max(decidedRenewals, attempts);
  const parts = [
    renewals && plural(renewals, "routine renewal", "routine renewals"),
    waits && plural(waits, "decision to wait", "decisions to wait"),
    skips && plural(skips, "decision to skip", "decisions to skip"),
  ].filter((part): part is string => Boolean(part));
  const label = parts.length ? `${joinAnd(parts)} by the keeper` : `${plural(fold.events.length, "routine event", "routine events")} of the keeper`;
  const names = [...credentials].sort();
  const newest = fold.events[0].atMs;
  const oldest = fold.events[fold.events.length - 1].atMs;
  const over = newest - oldest >= 1000 ? ` over ${formatDuration(newest - oldest)}` : "";
  return {
    label,
    credentials: names.length === 1 ? names[0] : `${names.length} credentials`,
    detail: `${plural(fold.events.length, "event", "events")} of ${joinAnd(names)}${over}`,
  };
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

/** One row taller than the others (the selected row, its whole text shown): `extra` px taller. */
export interface GrownRow {
  index: number;
  extra: number;
}

/** Where row `index` sits (px from the top of the scroll content). */
export function rowTop(index: number, rowHeight: number, grown?: GrownRow | null): number {
  return index * rowHeight + (grown && index > grown.index ? grown.extra : 0);
}

/** The row at `y` px from the top of the scroll content. */
export function rowAt(y: number, rowHeight: number, grown?: GrownRow | null): number {
  const y0 = Math.max(0, y);
  if (!grown || y0 < (grown.index + 1) * rowHeight) return Math.floor(y0 / rowHeight);
  const below = y0 - (grown.index + 1) * rowHeight - grown.extra;
  return below < 0 ? grown.index : grown.index + 1 + Math.floor(below / rowHeight);
}

/** The rows a virtualized list renders for a scroll position, with `overscan` spare rows each side. */
export function virtualWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 6,
  grown?: GrownRow | null,
): VirtualWindow {
  const inside = grown && grown.index < count ? grown : null;
  const totalHeight = count * rowHeight + (inside ? inside.extra : 0);
  const first = rowAt(scrollTop, rowHeight, inside);
  const start = Math.max(0, Math.min(count, first - overscan));
  const visible = Math.ceil(viewportHeight / rowHeight) + 1;
  const end = Math.min(count, first + visible + overscan);
  return { start, end: Math.max(start, end), offsetY: rowTop(start, rowHeight, inside), totalHeight };
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

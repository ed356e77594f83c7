// The timeline picture's geometry, free of the DOM: token lifetimes as bars,
// events as marks (a keeper's renewal, its refresh and its decision, as one),
// marks that would be drawn closer than a mark's width as one
// group (so no two drawn marks overlap at any zoom, and 100 000 events draw as
// at most rows × width / SLOT shapes), an open group's members spread apart,
// axis ticks, zoom (anchored where the pointer is) and pan.
import type { Event } from "../bindings/Event";
import { routineEventIds } from "./timelineRoutine";

export interface Range {
  startMs: number;
  endMs: number;
}

export type MarkKind = "request" | "expiry" | "refreshOk" | "refreshFailed" | "keepAlive" | "reauth";
export const MARK_KINDS: MarkKind[] = ["request", "expiry", "refreshOk", "refreshFailed", "keepAlive", "reauth"];

export const MARK_LABELS: Record<MarkKind, string> = {
  request: "request sent",
  expiry: "expiry detected",
  refreshOk: "refreshed",
  refreshFailed: "refresh failed",
  keepAlive: "keep-alive",
  reauth: "needs re-authorization",
};

export interface Bar {
  row: number;
  startMs: number;
  /** When the token expires; null when its lifetime is unknown (drawn open-ended, dashed). */
  endMs: number | null;
  /** When the next token of the same credential was issued (an open bar stops there). */
  supersededAtMs: number | null;
  event: Event;
}

export interface Mark {
  atMs: number;
  row: number;
  kind: MarkKind;
  event: Event;
  /** The keeper's housekeeping (timelineRoutine.ts): drawn faintly while it is folded. */
  routine: boolean;
  /**
   * The keeper's decision this refresh was run for (it follows the refresh in
   * the credential's events): one renewal, so one mark, which stands for both
   * rows of the list.
   */
  decision: Event | null;
}

export interface TimelineModel {
  rows: string[];
  bars: Bar[];
  /** Sorted by time. */
  marks: Mark[];
  firstMs: number | null;
  lastMs: number | null;
  /** The ids of the keeper's routine events (timelineRoutine.ts). */
  routine: Set<number>;
}

/** Which mark an event draws as, if any. */
export function markKind(event: Event): MarkKind | null {
  const detail = event.event;
  switch (detail.kind) {
    case "requestSent":
      return "request";
    case "verdict":
      return detail.expired ? "expiry" : null;
    case "refreshAttempt": {
      const ok = detail.outcome === "refreshed" || detail.outcome === "alreadyRefreshed";
      if (!ok) return "refreshFailed";
      return detail.trigger.type === "keepAlive" ? "keepAlive" : "refreshOk";
    }
    case "keeperDecision":
      return detail.action === "refresh" && detail.reason.toLowerCase().includes("keep") ? "keepAlive" : null;
    case "needsReauthorization":
      return "reauth";
    default:
      return null;
  }
}

/** A refresh the keeper may have run (by the clock, or to keep alive): its decision may follow. */
function keeperLikeRefresh(event: Event): boolean {
  const detail = event.event;
  return detail.kind === "refreshAttempt" && (detail.trigger.type === "proactive" || detail.trigger.type === "keepAlive");
}

/** Builds bars and marks from events (oldest first, as the shell returns them). */
export function buildModel(events: Event[]): TimelineModel {
  const routine = routineEventIds(events);
  const rowOf = new Map<string, number>();
  const rows: string[] = [];
  const row = (credential: string): number => {
    let index = rowOf.get(credential);
    if (index === undefined) {
      index = rows.length;
      rowOf.set(credential, index);
      rows.push(credential);
    }
    return index;
  };
  const bars: Bar[] = [];
  const lastBar = new Map<number, Bar>();
  const marks: Mark[] = [];
  // Per row: the mark of a refresh the keeper may have run, until the credential's next event.
  const refreshMark = new Map<number, Mark>();
  let sorted = true;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (i > 0 && event.atMs < events[i - 1].atMs) sorted = false;
    const detail = event.event;
    const r = row(event.credential);
    if (detail.kind === "tokenIssued") {
      const previous = lastBar.get(r);
      if (previous) previous.supersededAtMs = event.atMs;
      const lifetime = detail.lifetimeSeconds === null ? null : Number(detail.lifetimeSeconds);
      const bar: Bar = {
        row: r,
        startMs: event.atMs,
        endMs: lifetime === null ? null : event.atMs + lifetime * 1000,
        supersededAtMs: null,
        event,
      };
      bars.push(bar);
      lastBar.set(r, bar);
    }
    // A keeper's decision to refresh right after that refresh: the refresh's mark stands for it.
    const refresh = refreshMark.get(r);
    refreshMark.delete(r);
    if (refresh && detail.kind === "keeperDecision" && detail.action === "refresh") {
      refresh.decision = event;
      refresh.routine = refresh.routine && routine.has(event.id);
      continue;
    }
    const kind = markKind(event);
    if (!kind) continue;
    const mark: Mark = { atMs: event.atMs, row: r, kind, event, routine: routine.has(event.id), decision: null };
    marks.push(mark);
    if (keeperLikeRefresh(event)) refreshMark.set(r, mark);
  }
  if (!sorted) marks.sort((a, b) => a.atMs - b.atMs);
  let firstMs: number | null = null;
  let lastMs: number | null = null;
  for (const event of events) {
    if (firstMs === null || event.atMs < firstMs) firstMs = event.atMs;
    if (lastMs === null || event.atMs > lastMs) lastMs = event.atMs;
  }
  return { rows, bars, marks, firstMs, lastMs, routine };
}

/** Where an open bar is drawn to: the next token, else now. A closed bar ends at its expiry. */
export function barDrawEnd(bar: Bar, nowMs: number): number {
  if (bar.endMs !== null) return bar.endMs;
  return bar.supersededAtMs ?? Math.max(nowMs, bar.startMs);
}

export const timeToX = (range: Range, width: number, ms: number): number =>
  ((ms - range.startMs) / (range.endMs - range.startMs)) * width;

export const xToTime = (range: Range, width: number, x: number): number =>
  range.startMs + (x / width) * (range.endMs - range.startMs);

/** First index with marks[i].atMs >= ms. */
export function lowerBound(marks: Mark[], ms: number): number {
  let lo = 0;
  let hi = marks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (marks[mid].atMs < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A drawn mark's size (px); marks whose centres are closer than SLOT are one group. */
export const MARK_SIZE = 18;
export const MARK_GAP = 3;
export const SLOT = MARK_SIZE + MARK_GAP;

/** Which kind a group shows when its members differ: the one a reader must not miss. */
export const TELLING: MarkKind[] = ["refreshFailed", "reauth", "expiry", "refreshOk", "keepAlive", "request"];

/** One drawn mark: a single event, or a group of events too close together to tell apart. */
export interface MarkGroup {
  /** Stable while the group keeps its first member (its event id). */
  key: string;
  row: number;
  /** By time; one for a single mark. */
  members: Mark[];
  /** Where the first and the last member are (px from the plot's left). */
  x1: number;
  x2: number;
  /** The drawn box: from half a mark before the first member to half a mark after the last. */
  left: number;
  width: number;
  /** The most telling kind among the members (a failure before a refresh before a request). */
  kind: MarkKind;
  /** Every member is the keeper's housekeeping. */
  routine: boolean;
}

/**
 * The marks of `range` as drawn on a plot `width` px wide: in each row, a mark
 * less than `size + gap` px after the previous one joins its group, so the
 * boxes of two drawn marks (a group spans its members) are at least `gap` apart.
 * Marks within half a mark of the edges are included, so none pops in or out
 * whole. Only marks inside are touched (binary search to the start). Sorted by
 * the time of their first member.
 */
export function groupMarks(marks: Mark[], range: Range, width: number, size = MARK_SIZE, gap = MARK_GAP): MarkGroup[] {
  const span = range.endMs - range.startMs;
  if (span <= 0 || width <= 0) return [];
  const msPerPx = span / width;
  const from = range.startMs - (size / 2) * msPerPx;
  const to = range.endMs + (size / 2) * msPerPx;
  const open = new Map<number, MarkGroup>();
  const groups: MarkGroup[] = [];
  for (let i = lowerBound(marks, from); i < marks.length; i++) {
    const mark = marks[i];
    if (mark.atMs > to) break;
    const x = (mark.atMs - range.startMs) / msPerPx;
    const group = open.get(mark.row);
    if (group && x - group.x2 < size + gap) {
      group.members.push(mark);
      group.x2 = x;
      continue;
    }
    const next: MarkGroup = { key: String(mark.event.id), row: mark.row, members: [mark], x1: x, x2: x, left: 0, width: 0, kind: mark.kind, routine: true };
    open.set(mark.row, next);
    groups.push(next);
  }
  for (const group of groups) {
    group.left = group.x1 - size / 2;
    group.width = group.x2 - group.x1 + size;
    let telling = TELLING.length;
    for (const member of group.members) {
      telling = Math.min(telling, TELLING.indexOf(member.kind));
      if (!member.routine) group.routine = false;
    }
    group.kind = TELLING[telling];
  }
  return groups;
}

/**
 * Centres for items that wish to sit at `desired` (ascending), at least `slot`
 * apart and within [min, max], each as near its wish as the others allow:
 * items that would overlap form a block centred on their wishes. The caller
 * passes no more items than fit ((n - 1) × slot ≤ max - min).
 */
export function spread(desired: number[], slot: number, min: number, max: number): number[] {
  // A block: items first..first+count-1 side by side; `sum` is the sum of where
  // each would put the block's first item, so the block starts at sum / count.
  const blocks: { first: number; count: number; sum: number }[] = [];
  for (let i = 0; i < desired.length; i++) {
    let block = { first: i, count: 1, sum: desired[i] };
    for (;;) {
      const previous = blocks[blocks.length - 1];
      if (!previous || previous.sum / previous.count + previous.count * slot <= block.sum / block.count) break;
      blocks.pop();
      block = {
        first: previous.first,
        count: previous.count + block.count,
        sum: previous.sum + block.sum - block.count * previous.count * slot,
      };
    }
    blocks.push(block);
  }
  const at: number[] = [];
  for (const block of blocks) for (let k = 0; k < block.count; k++) at.push(block.sum / block.count + k * slot);
  for (let k = 0; k < at.length; k++) at[k] = Math.max(at[k], min + k * slot);
  for (let k = at.length - 1; k >= 0; k--) at[k] = Math.min(at[k], max - (at.length - 1 - k) * slot);
  return at;
}

/** An open group's members, spread in a lane of their own under the row. */
export interface Fan {
  /** The members shown, by time, with where each is drawn (px from the plot's left). */
  items: { mark: Mark; x: number }[];
  /** Members left out (more than the plot's width holds): a "+n" item stands for them. */
  hidden: number;
  /** Where the "+n" item is drawn, when there is one. */
  moreX: number | null;
}

/**
 * Where an open group's members are drawn: each as near its own time as the
 * others allow, `slot` apart, inside the plot. When more members than fit, those
 * around member `around` (the selected one, else the first) and a "+n" item.
 */
export function fanLayout(group: MarkGroup, range: Range, width: number, around = 0, size = MARK_SIZE, gap = MARK_GAP): Fan {
  const slot = size + gap;
  const fits = Math.max(1, Math.floor((width - size) / slot) + 1);
  let shown = group.members;
  let hidden = 0;
  if (shown.length > fits) {
    const count = Math.max(1, fits - 1);
    const first = Math.min(Math.max(0, around - Math.floor(count / 2)), shown.length - count);
    shown = shown.slice(first, first + count);
    hidden = group.members.length - count;
  }
  const desired = shown.map((mark) => timeToX(range, width, mark.atMs));
  if (hidden) desired.push(desired[desired.length - 1] + slot);
  const at = spread(desired, slot, size / 2, Math.max(size / 2, width - size / 2));
  return {
    items: shown.map((mark, i) => ({ mark, x: at[i] })),
    hidden,
    moreX: hidden ? at[at.length - 1] : null,
  };
}

/** The bars that overlap `range`. */
export function visibleBars(bars: Bar[], range: Range, nowMs: number): Bar[] {
  return bars.filter((bar) => bar.startMs <= range.endMs && barDrawEnd(bar, nowMs) >= range.startMs);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 30 * DAY,
];

/** Axis ticks at a round step, at least `minPx` apart, aligned in local time. */
export function ticks(
  range: Range,
  width: number,
  minPx = 90,
  timezoneOffsetMs = new Date(range.startMs).getTimezoneOffset() * -MINUTE,
): { step: number; ticks: number[] } {
  const span = range.endMs - range.startMs;
  const wanted = (span / Math.max(1, width)) * minPx;
  const step = STEPS.find((s) => s >= wanted) ?? Math.ceil(wanted / DAY) * DAY;
  const first = Math.ceil((range.startMs + timezoneOffsetMs) / step) * step - timezoneOffsetMs;
  const out: number[] = [];
  for (let t = first; t <= range.endMs && out.length < 1000; t += step) out.push(t);
  return { step, ticks: out };
}

/** A tick's label: seconds shown when the step is below a minute, milliseconds below a second, the date from a day up. */
export function tickLabel(ms: number, step: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, "0");
  if (step >= DAY) return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  const hm = `${p(d.getHours())}:${p(d.getMinutes())}`;
  if (step >= MINUTE) return hm;
  const hms = `${hm}:${p(d.getSeconds())}`;
  return step < SECOND ? `${hms}.${String(d.getMilliseconds()).padStart(3, "0")}` : hms;
}

/** As far in as the picture zooms: events a millisecond apart are marks of their own there. */
export const MIN_SPAN_MS = 20;
export const MAX_SPAN_MS = 365 * DAY;

/**
 * Zooms by `factor` (<1 in, >1 out) around the instant `anchorFraction` of the
 * way across (the pointer's place): that instant stays at the same x. The span
 * stays within [MIN_SPAN_MS, MAX_SPAN_MS], the anchor in place even then.
 */
export function zoomAt(range: Range, anchorFraction: number, factor: number): Range {
  const span = range.endMs - range.startMs;
  const next = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, span * factor));
  const anchorMs = range.startMs + anchorFraction * span;
  const startMs = anchorMs - anchorFraction * next;
  return { startMs, endMs: startMs + next };
}

/** Zooms by `factor` keeping the instant `anchorMs` at the same place on screen. */
export function zoom(range: Range, factor: number, anchorMs: number): Range {
  const span = range.endMs - range.startMs;
  return zoomAt(range, span > 0 ? (anchorMs - range.startMs) / span : 0.5, factor);
}

/**
 * The zoom factor of one wheel event: proportional to how far the wheel (or a
 * trackpad) moved, so a trackpad's many small steps zoom smoothly and a mouse
 * notch (100 px) by about a fifth; never more than twice per event.
 * `deltaMode`: 0 pixels, 1 lines, 2 pages (WheelEvent).
 */
export function wheelZoomFactor(deltaY: number, deltaMode = 0): number {
  const px = deltaY * (deltaMode === 1 ? 16 : deltaMode === 2 ? 400 : 1);
  return Math.exp(Math.max(-Math.LN2, Math.min(Math.LN2, px * 0.002)));
}

export type WheelAxis = "zoom" | "pan";

/**
 * What a wheel event does: Ctrl (a trackpad's pinch) zooms, Shift pans, else
 * the larger delta decides, unless a gesture already under way decided (`locked`):
 * the slight sideways drift of a vertical scroll must not pan mid-zoom.
 */
export function wheelAxis(deltaX: number, deltaY: number, shiftKey: boolean, ctrlKey: boolean, locked: WheelAxis | null): WheelAxis {
  if (ctrlKey) return "zoom";
  if (shiftKey) return "pan";
  if (locked) return locked;
  return Math.abs(deltaX) > Math.abs(deltaY) ? "pan" : "zoom";
}

export function pan(range: Range, deltaMs: number): Range {
  return { startMs: range.startMs + deltaMs, endMs: range.endMs + deltaMs };
}

export type Preset = "5m" | "15m" | "1h" | "1d" | "all";

/** A preset range ending a little after now (so a live countdown has room), or all events. */
export function presetRange(preset: Preset, nowMs: number, model?: Pick<TimelineModel, "firstMs" | "lastMs">): Range {
  const spans: Record<Exclude<Preset, "all">, number> = { "5m": 5 * MINUTE, "15m": 15 * MINUTE, "1h": HOUR, "1d": DAY };
  if (preset === "all") {
    const first = model?.firstMs ?? nowMs - 15 * MINUTE;
    const last = Math.max(model?.lastMs ?? nowMs, nowMs);
    const span = Math.max(10 * SECOND, last - first);
    return { startMs: first - span * 0.03, endMs: last + span * 0.05 };
  }
  const span = spans[preset];
  return { startMs: nowMs - span * 0.95, endMs: nowMs + span * 0.05 };
}

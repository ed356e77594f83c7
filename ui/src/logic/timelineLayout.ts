// The timeline picture's geometry, free of the canvas: token lifetimes as bars,
// events as marks, marks bucketed per pixel column so 100 000 events draw as at
// most (rows × kinds × width) shapes, axis ticks, zoom and pan.
import type { Event } from "../bindings/Event";

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
}

export interface TimelineModel {
  rows: string[];
  bars: Bar[];
  /** Sorted by time. */
  marks: Mark[];
  firstMs: number | null;
  lastMs: number | null;
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

/** Builds bars and marks from events (oldest first, as the shell returns them). */
export function buildModel(events: Event[]): TimelineModel {
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
    const kind = markKind(event);
    if (kind) marks.push({ atMs: event.atMs, row: r, kind, event });
  }
  if (!sorted) marks.sort((a, b) => a.atMs - b.atMs);
  let firstMs: number | null = null;
  let lastMs: number | null = null;
  for (const event of events) {
    if (firstMs === null || event.atMs < firstMs) firstMs = event.atMs;
    if (lastMs === null || event.atMs > lastMs) lastMs = event.atMs;
  }
  return { rows, bars, marks, firstMs, lastMs };
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

export interface Bucket {
  column: number;
  row: number;
  kind: MarkKind;
  count: number;
  /** The first mark in the bucket, for its tooltip. */
  first: Mark;
}

/**
 * The visible marks grouped per (row, kind, pixel column). Only marks inside
 * `range` are touched (binary search to the start), so the cost is the number
 * of visible marks, and the output never exceeds rows × kinds × width.
 */
export function bucketMarks(marks: Mark[], range: Range, width: number): Bucket[] {
  const buckets = new Map<number, Bucket>();
  const span = range.endMs - range.startMs;
  if (span <= 0 || width <= 0) return [];
  const columns = Math.ceil(width);
  const kindIndex = new Map(MARK_KINDS.map((k, i) => [k, i]));
  for (let i = lowerBound(marks, range.startMs); i < marks.length; i++) {
    const mark = marks[i];
    if (mark.atMs > range.endMs) break;
    const column = Math.min(columns - 1, Math.floor(((mark.atMs - range.startMs) / span) * width));
    const key = (mark.row * MARK_KINDS.length + (kindIndex.get(mark.kind) ?? 0)) * columns + column;
    const bucket = buckets.get(key);
    if (bucket) bucket.count++;
    else buckets.set(key, { column, row: mark.row, kind: mark.kind, count: 1, first: mark });
  }
  return [...buckets.values()];
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

/** A tick's label: seconds shown when the step is below a minute, the date from a day up. */
export function tickLabel(ms: number, step: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, "0");
  if (step >= DAY) return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  const hm = `${p(d.getHours())}:${p(d.getMinutes())}`;
  return step < MINUTE ? `${hm}:${p(d.getSeconds())}` : hm;
}

export const MIN_SPAN_MS = 2 * SECOND;
export const MAX_SPAN_MS = 365 * DAY;

/** Zooms by `factor` (<1 in, >1 out) keeping `anchorMs` at the same place on screen. */
export function zoom(range: Range, factor: number, anchorMs: number): Range {
  const span = range.endMs - range.startMs;
  const next = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, span * factor));
  const fraction = span > 0 ? (anchorMs - range.startMs) / span : 0.5;
  const startMs = anchorMs - fraction * next;
  return { startMs, endMs: startMs + next };
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
    const span = Math.max(MIN_SPAN_MS * 5, last - first);
    return { startMs: first - span * 0.03, endMs: last + span * 0.05 };
  }
  const span = spans[preset];
  return { startMs: nowMs - span * 0.95, endMs: nowMs + span * 0.05 };
}

/** The bucket under the pointer: the nearest within `radius` px on the hovered row. */
export function hitTest(buckets: Bucket[], row: number, x: number, radius = 5): Bucket | null {
  let best: Bucket | null = null;
  let bestDistance = radius + 1;
  for (const bucket of buckets) {
    if (bucket.row !== row) continue;
    const distance = Math.abs(bucket.column + 0.5 - x);
    if (distance < bestDistance || (distance === bestDistance && best && bucket.count > best.count)) {
      best = bucket;
      bestDistance = distance;
    }
  }
  return best;
}

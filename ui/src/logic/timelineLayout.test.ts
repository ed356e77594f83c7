import { describe, expect, it } from "vitest";
import type { Event } from "../bindings/Event";
import { ev, refreshAttempt, requestSent, tokenIssued, verdict } from "./timelineFixtures";
import {
  barDrawEnd,
  bucketMarks,
  buildModel,
  hitTest,
  lowerBound,
  markKind,
  pan,
  presetRange,
  tickLabel,
  ticks,
  timeToX,
  visibleBars,
  xToTime,
  zoom,
} from "./timelineLayout";

describe("markKind", () => {
  it("draws expired verdicts as expiry detected and skips healthy ones", () => {
    expect(markKind(ev(1, "A", verdict(true)))).toBe("expiry");
    expect(markKind(ev(1, "A", verdict(false)))).toBeNull();
  });
  it("tells refresh outcomes apart", () => {
    expect(markKind(ev(1, "A", refreshAttempt("refreshed")))).toBe("refreshOk");
    expect(markKind(ev(1, "A", refreshAttempt("failed")))).toBe("refreshFailed");
    expect(markKind(ev(1, "A", { kind: "needsReauthorization", reason: "invalid_grant" }))).toBe("reauth");
  });
  it("draws a keep-alive refresh as keep-alive, and a failed one as failed", () => {
    const keepAlive = { kind: "refreshAttempt" as const, trigger: { type: "keepAlive" as const }, outcome: "refreshed" as const, error: null, durationMs: 4 };
    expect(markKind(ev(1, "A", keepAlive))).toBe("keepAlive");
    expect(markKind(ev(1, "A", { ...keepAlive, outcome: "failed" }))).toBe("refreshFailed");
  });
  it("marks keeper keep-alive refreshes but not waits", () => {
    const keepAlive = ev(1, "A", {
      kind: "keeperDecision",
      action: "refresh",
      reason: "keep-alive: refresh token idles out in 10 min",
      result: "refreshed",
    });
    const wait = ev(1, "A", { kind: "keeperDecision", action: "wait", reason: "valid for 40 min", result: null });
    expect(markKind(keepAlive)).toBe("keepAlive");
    expect(markKind(wait)).toBeNull();
  });
});

describe("buildModel", () => {
  const events: Event[] = [
    ev(0, "Sandbox", tokenIssued(20)),
    ev(5_000, "Sandbox", requestSent()),
    ev(30_000, "Sandbox", requestSent(500)),
    ev(30_001, "Sandbox", verdict(true)),
    ev(30_050, "Sandbox", refreshAttempt("refreshed")),
    ev(30_060, "Sandbox", tokenIssued(20)),
    ev(40_000, "Salesforce", tokenIssued(null)),
    ev(90_000, "Salesforce", tokenIssued(null)),
  ];
  const model = buildModel(events);

  it("gives each credential a row in order of appearance", () => {
    expect(model.rows).toEqual(["Sandbox", "Salesforce"]);
  });
  it("makes one bar per issued token, its length the token's lifetime", () => {
    expect(model.bars.map((b) => [b.row, b.startMs, b.endMs])).toEqual([
      [0, 0, 20_000],
      [0, 30_060, 50_060],
      [1, 40_000, null],
      [1, 90_000, null],
    ]);
  });
  it("draws an unknown lifetime up to the next token, the last one up to now", () => {
    expect(barDrawEnd(model.bars[2], 200_000)).toBe(90_000);
    expect(barDrawEnd(model.bars[3], 200_000)).toBe(200_000);
    expect(barDrawEnd(model.bars[0], 200_000)).toBe(20_000);
  });
  it("keeps marks sorted by time with their kinds", () => {
    expect(model.marks.map((m) => m.kind)).toEqual(["request", "request", "expiry", "refreshOk"]);
    expect(model.firstMs).toBe(0);
    expect(model.lastMs).toBe(90_000);
  });
  it("sorts marks even when events arrive out of order", () => {
    const shuffled = buildModel([ev(50, "A", requestSent()), ev(10, "A", requestSent())]);
    expect(shuffled.marks.map((m) => m.atMs)).toEqual([10, 50]);
    expect(shuffled.firstMs).toBe(10);
  });
  it("finds bars overlapping the visible range only", () => {
    expect(visibleBars(model.bars, { startMs: 21_000, endMs: 29_000 }, 100_000)).toEqual([]);
    expect(visibleBars(model.bars, { startMs: 45_000, endMs: 46_000 }, 100_000).map((b) => b.startMs)).toEqual([
      30_060, 40_000,
    ]);
  });
});

describe("bucketMarks", () => {
  it("collapses 100 000 marks into at most one shape per pixel column and kind", () => {
    const events: Event[] = [];
    for (let i = 0; i < 100_000; i++) events.push(ev(i * 10, "A", requestSent()));
    const model = buildModel(events);
    const range = { startMs: 0, endMs: 1_000_000 };
    const buckets = bucketMarks(model.marks, range, 800);
    expect(buckets.length).toBe(800);
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(100_000);
  });
  it("touches only marks inside the range", () => {
    const model = buildModel([ev(10, "A", requestSent()), ev(500, "A", requestSent()), ev(900, "A", requestSent())]);
    const buckets = bucketMarks(model.marks, { startMs: 400, endMs: 600 }, 100);
    expect(buckets).toHaveLength(1);
    expect(buckets[0].column).toBe(50);
  });
  it("keeps kinds and rows apart in the same column", () => {
    const model = buildModel([ev(100, "A", requestSent()), ev(100, "A", verdict(true)), ev(100, "B", requestSent())]);
    const buckets = bucketMarks(model.marks, { startMs: 0, endMs: 200 }, 10);
    expect(buckets.map((b) => `${b.row}:${b.kind}`).sort()).toEqual(["0:expiry", "0:request", "1:request"]);
  });
  it("puts a mark exactly at the end of the range in the last column", () => {
    const model = buildModel([ev(200, "A", requestSent())]);
    expect(bucketMarks(model.marks, { startMs: 0, endMs: 200 }, 10)[0].column).toBe(9);
  });
  it("returns nothing for an empty range or width", () => {
    const model = buildModel([ev(1, "A", requestSent())]);
    expect(bucketMarks(model.marks, { startMs: 5, endMs: 5 }, 10)).toEqual([]);
    expect(bucketMarks(model.marks, { startMs: 0, endMs: 5 }, 0)).toEqual([]);
  });
});

describe("hitTest", () => {
  const model = buildModel([ev(100, "A", requestSent()), ev(105, "A", requestSent()), ev(600, "B", requestSent())]);
  const buckets = bucketMarks(model.marks, { startMs: 0, endMs: 1000 }, 100);
  it("finds the nearest bucket on the hovered row within the radius", () => {
    expect(hitTest(buckets, 0, 10.8)?.first.atMs).toBe(100);
    expect(hitTest(buckets, 1, 60)?.first.atMs).toBe(600);
  });
  it("finds nothing far away or on another row", () => {
    expect(hitTest(buckets, 0, 40)).toBeNull();
    expect(hitTest(buckets, 1, 10)).toBeNull();
  });
});

describe("axis, zoom, pan", () => {
  const range = { startMs: 1_000_000, endMs: 2_000_000 };
  it("maps time to x and back", () => {
    expect(timeToX(range, 500, 1_500_000)).toBe(250);
    expect(xToTime(range, 500, 250)).toBe(1_500_000);
  });
  it("zooms in around the anchor, keeping it in place", () => {
    const zoomed = zoom(range, 0.5, 1_250_000);
    expect(zoomed).toEqual({ startMs: 1_125_000, endMs: 1_625_000 });
    expect(timeToX(zoomed, 500, 1_250_000)).toBeCloseTo(timeToX(range, 500, 1_250_000));
  });
  it("does not zoom in below two seconds", () => {
    const tiny = zoom({ startMs: 0, endMs: 3000 }, 0.01, 0);
    expect(tiny.endMs - tiny.startMs).toBe(2000);
  });
  it("pans by a time delta", () => {
    expect(pan(range, -100)).toEqual({ startMs: 999_900, endMs: 1_999_900 });
  });
  it("picks round ticks at least minPx apart, aligned to the step", () => {
    const { step, ticks: at } = ticks({ startMs: 0, endMs: 15 * 60_000 }, 900, 90, 0);
    expect(step).toBe(2 * 60_000);
    expect(at[0]).toBe(0);
    expect(at.every((t) => t % step === 0)).toBe(true);
    expect(at).toHaveLength(8);
  });
  it("labels ticks with seconds only for sub-minute steps", () => {
    const at = new Date(2026, 10, 22, 14, 3, 7).getTime();
    expect(tickLabel(at, 5000)).toBe("14:03:07");
    expect(tickLabel(at, 60_000)).toBe("14:03");
    expect(tickLabel(at, 86_400_000)).toBe("2026-11-22");
  });
  it("presets end just after now; 'all' spans every event", () => {
    const now = 10_000_000;
    const hour = presetRange("1h", now);
    expect(hour.endMs - hour.startMs).toBe(3_600_000);
    expect(hour.endMs).toBeGreaterThan(now);
    const all = presetRange("all", now, { firstMs: 1_000_000, lastMs: 5_000_000 });
    expect(all.startMs).toBeLessThan(1_000_000);
    expect(all.endMs).toBeGreaterThan(now);
  });
  it("binary-searches the first visible mark", () => {
    const model = buildModel([ev(1, "A", requestSent()), ev(5, "A", requestSent()), ev(9, "A", requestSent())]);
    expect(lowerBound(model.marks, 5)).toBe(1);
    expect(lowerBound(model.marks, 10)).toBe(3);
  });
});

import { describe, expect, it } from "vitest";
import type { Event } from "../bindings/Event";
import { ev, keeperDecision, keeperRefresh, keeperRenewal, refreshAttempt, requestSent, tokenIssued, verdict } from "./timelineFixtures";
import {
  barDrawEnd,
  buildModel,
  fanLayout,
  groupMarks,
  lowerBound,
  MARK_GAP,
  MARK_SIZE,
  markKind,
  MIN_SPAN_MS,
  pan,
  presetRange,
  spread,
  tickLabel,
  ticks,
  timeToX,
  visibleBars,
  wheelAxis,
  wheelZoomFactor,
  xToTime,
  zoom,
  zoomAt,
  type Mark,
  type MarkGroup,
  type Range,
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

/** Every two drawn boxes of a row at least MARK_GAP apart (boxes as [left, right]). */
function overlapsIn(boxes: { row: number; left: number; right: number }[]): string[] {
  const found: string[] = [];
  const byRow = new Map<number, { left: number; right: number }[]>();
  for (const box of boxes) byRow.set(box.row, [...(byRow.get(box.row) ?? []), box]);
  for (const [row, list] of byRow) {
    list.sort((a, b) => a.left - b.left);
    for (let i = 1; i < list.length; i++) {
      if (list[i].left < list[i - 1].right + MARK_GAP - 1e-9) found.push(`row ${row}: [${list[i - 1].left}, ${list[i - 1].right}] and [${list[i].left}, ${list[i].right}]`);
    }
  }
  return found;
}
const boxesOf = (groups: MarkGroup[]): { row: number; left: number; right: number }[] =>
  groups.map((g) => ({ row: g.row, left: g.left, right: g.left + g.width }));

/** A small deterministic generator (tests must not depend on luck). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe("groupMarks", () => {
  const now = 1_800_000_000_000;
  // expired → refresh → retried request, a millisecond apart (the report's blob).
  const blob = buildModel([
    ev(now - 60_000, "Sandbox", requestSent(500)),
    ev(now - 60_000 + 1, "Sandbox", verdict(true)),
    ev(now - 60_000 + 2, "Sandbox", refreshAttempt("refreshed")),
  ]);

  it("draws three events 1 ms apart at the default range as one group of 3", () => {
    const groups = groupMarks(blob.marks, presetRange("5m", now), 900);
    expect(groups).toHaveLength(1);
    expect(groups[0].members.map((m) => m.kind)).toEqual(["request", "expiry", "refreshOk"]);
    expect(groups[0].width).toBeCloseTo(MARK_SIZE, 1);
  });
  it("draws them as three marks where they are far apart, as at full zoom", () => {
    const full = zoomAt(presetRange("5m", now), 0.5, 0);
    expect(full.endMs - full.startMs).toBe(MIN_SPAN_MS);
    const around = pan(full, now - 60_000 + 1 - (full.startMs + full.endMs) / 2);
    const groups = groupMarks(blob.marks, around, 900);
    expect(groups.map((g) => g.members.length)).toEqual([1, 1, 1]);
    expect(overlapsIn(boxesOf(groups))).toEqual([]);
  });
  it("shows a group as its most telling kind: a failure before an expiry before a request", () => {
    const model = buildModel([ev(100, "A", requestSent()), ev(101, "A", refreshAttempt("failed")), ev(102, "A", verdict(true))]);
    expect(groupMarks(model.marks, { startMs: 0, endMs: 10_000 }, 500)[0].kind).toBe("refreshFailed");
  });
  it("keeps rows apart: marks at the same instant on two rows are two marks", () => {
    const model = buildModel([ev(100, "A", requestSent()), ev(100, "B", requestSent())]);
    expect(groupMarks(model.marks, { startMs: 0, endMs: 10_000 }, 500).map((g) => g.row)).toEqual([0, 1]);
  });
  it("groups marks closer than a mark and its gap, and no further ones", () => {
    // 1 ms = 1 px: marks at 100, 100 + SLOT - 1 and 100 + 2 SLOT - 1 chain into one group; one a whole SLOT after stands alone.
    const slot = MARK_SIZE + MARK_GAP;
    const model = buildModel([100, 100 + slot - 1, 100 + 2 * slot - 2, 100 + 3 * slot - 2].map((at) => ev(at, "A", requestSent())));
    const groups = groupMarks(model.marks, { startMs: 0, endMs: 1000 }, 1000);
    expect(groups.map((g) => g.members.length)).toEqual([3, 1]);
    expect(groups[0].left).toBeCloseTo(100 - MARK_SIZE / 2);
    expect(groups[0].width).toBeCloseTo(2 * slot - 2 + MARK_SIZE);
  });
  it("never draws two marks of a row closer than the gap, at any zoom", () => {
    const next = random(7);
    const events = [];
    for (let i = 0; i < 3000; i++) {
      const at = Math.floor(next() * 3_600_000);
      const detail = [requestSent(), verdict(true), refreshAttempt("refreshed"), refreshAttempt("failed")][i % 4];
      events.push(ev(at, ["A", "B", "C"][i % 3], detail));
    }
    events.sort((a, b) => a.atMs - b.atMs);
    const model = buildModel(events);
    let range: Range = { startMs: 0, endMs: 3_600_000 };
    for (let step = 0; step < 40; step++) {
      const groups = groupMarks(model.marks, range, 1000);
      expect(overlapsIn(boxesOf(groups))).toEqual([]);
      const inside = model.marks.filter((m) => m.atMs >= range.startMs && m.atMs <= range.endMs).length;
      expect(groups.reduce((n, g) => n + g.members.length, 0)).toBeGreaterThanOrEqual(inside);
      range = zoomAt(range, next(), 0.7);
    }
  });
  it("draws 100 000 marks as at most one mark a slot per row", () => {
    const events: Event[] = [];
    for (let i = 0; i < 100_000; i++) events.push(ev(i * 10, "A", requestSent()));
    const model = buildModel(events);
    const groups = groupMarks(model.marks, { startMs: 0, endMs: 1_000_000 }, 800);
    expect(groups.length).toBeLessThanOrEqual(800 / (MARK_SIZE + MARK_GAP) + 1);
    expect(groups.reduce((n, g) => n + g.members.length, 0)).toBe(100_000);
  });
  it("touches only marks inside the range, and those half a mark outside its edges", () => {
    const model = buildModel([ev(10, "A", requestSent()), ev(395, "A", requestSent()), ev(500, "A", requestSent()), ev(900, "A", requestSent())]);
    // 2 ms a px: half a mark is 18 ms, so the mark at 395 is drawn, cut by the edge.
    const groups = groupMarks(model.marks, { startMs: 400, endMs: 600 }, 100);
    expect(groups.map((g) => g.members[0].atMs)).toEqual([395, 500]);
    expect(groups[1].x1).toBe(50);
  });
  it("keeps a group's key while it keeps its first member", () => {
    const model = buildModel([ev(100, "A", requestSent()), ev(101, "A", verdict(true))]);
    const before = groupMarks(model.marks, { startMs: 0, endMs: 10_000 }, 500);
    const after = groupMarks(model.marks, { startMs: 50, endMs: 10_050 }, 500);
    expect(after[0].key).toBe(before[0].key);
    expect(before[0].key).toBe(String(model.marks[0].event.id));
  });
  it("calls a group routine only when every member is the keeper's housekeeping", () => {
    const keepAlive = { kind: "refreshAttempt" as const, trigger: { type: "keepAlive" as const }, outcome: "refreshed" as const, error: null, durationMs: 4 };
    const model = buildModel([ev(100, "A", keepAlive), ev(101, "A", keepAlive), ev(5000, "A", keepAlive), ev(5001, "A", requestSent())]);
    expect(groupMarks(model.marks, { startMs: 0, endMs: 10_000 }, 500).map((g) => g.routine)).toEqual([true, false]);
  });
  it("returns nothing for an empty range or width", () => {
    const model = buildModel([ev(1, "A", requestSent())]);
    expect(groupMarks(model.marks, { startMs: 5, endMs: 5 }, 10)).toEqual([]);
    expect(groupMarks(model.marks, { startMs: 0, endMs: 5 }, 0)).toEqual([]);
  });
});

describe("a keeper's renewal in the picture", () => {
  const KEEP_ALIVE = "keep-alive every 15 min: the refresh token was last used 15 min ago";
  const keepAliveRenewal = (atMs: number, credential: string): Event[] => [
    ev(atMs, credential, tokenIssued(null), "token"),
    ev(atMs, credential, keeperRefresh("keepAlive"), "keep-alive refresh"),
    ev(atMs + 1, credential, keeperDecision("refresh", "refreshed: token fp:9f2c valid for 10 min", KEEP_ALIVE), "keep-alive decision"),
  ];
  const range = { startMs: 0, endMs: 300_000 };

  it("is one mark for a keep-alive: its refresh's, standing for the keeper's decision too", () => {
    const events = keepAliveRenewal(1000, "A");
    const model = buildModel(events);
    expect(model.marks.map((m) => [m.kind, m.event.summary, m.decision?.summary, m.routine])).toEqual([["keepAlive", "keep-alive refresh", "keep-alive decision", true]]);
    const groups = groupMarks(model.marks, range, 900);
    expect(groups.map((g) => g.members.length)).toEqual([1]);
  });
  it("is one mark for a renewal ahead of expiry, and one for a renewal that failed", () => {
    const failed = [
      ev(5000, "A", keeperRefresh("keepAlive", "failed"), "failed refresh"),
      ev(5001, "A", keeperDecision("refresh", "failed: connection refused", KEEP_ALIVE), "failed decision"),
    ];
    const model = buildModel([...keeperRenewal(1000, "A"), ...failed]);
    expect(model.marks.map((m) => [m.kind, m.decision !== null, m.routine])).toEqual([
      ["refreshOk", true, true],
      ["refreshFailed", true, false],
    ]);
  });
  it("is not faint when the decision it stands for is not routine", () => {
    const events = [ev(1000, "A", keeperRefresh("keepAlive"), "refresh"), ev(1001, "A", keeperDecision("refresh", "failed: the keychain is locked", KEEP_ALIVE), "decision")];
    expect(buildModel(events).marks.map((m) => [m.decision?.summary, m.routine])).toEqual([["decision", false]]);
  });
  it("pairs each credential's refresh with its own decision when a run renews several", () => {
    const events = [
      ev(1000, "A", keeperRefresh("keepAlive"), "A refresh"),
      ev(1000, "B", keeperRefresh("keepAlive"), "B refresh"),
      ev(1001, "A", keeperDecision("refresh", "refreshed", KEEP_ALIVE), "A decision"),
      ev(1001, "B", keeperDecision("refresh", "refreshed", KEEP_ALIVE), "B decision"),
    ];
    expect(buildModel(events).marks.map((m) => `${m.event.summary} + ${m.decision?.summary}`)).toEqual(["A refresh + A decision", "B refresh + B decision"]);
  });
  it("leaves a keep-alive decision its own mark when no refresh of the keeper's came just before it", () => {
    const events = [
      ev(1000, "A", keeperRefresh("keepAlive"), "keep-alive refresh"),
      ev(1500, "A", requestSent(), "a send"),
      ev(2000, "A", keeperDecision("refresh", "refreshed", KEEP_ALIVE), "lone decision"),
      ev(3000, "B", keeperDecision("refresh", "refreshed", KEEP_ALIVE), "decision without a refresh"),
    ];
    expect(buildModel(events).marks.map((m) => [m.kind, m.event.summary, m.decision])).toEqual([
      ["keepAlive", "keep-alive refresh", null],
      ["request", "a send", null],
      ["keepAlive", "lone decision", null],
      ["keepAlive", "decision without a refresh", null],
    ]);
  });
  it("does not pair a refresh after an expiry with a decision", () => {
    const events = [ev(1000, "A", refreshAttempt("refreshed"), "refresh after expiry"), ev(1001, "A", keeperDecision("refresh", "refreshed", KEEP_ALIVE), "decision")];
    expect(buildModel(events).marks.map((m) => [m.event.summary, m.decision])).toEqual([
      ["refresh after expiry", null],
      ["decision", null],
    ]);
  });
});

describe("spread", () => {
  it("leaves items that do not overlap where they wish to be", () => {
    expect(spread([10, 50, 90], 20, 0, 100)).toEqual([10, 50, 90]);
  });
  it("centres items wishing for one place on it, a slot apart", () => {
    expect(spread([50, 50, 50], 20, 0, 100)).toEqual([30, 50, 70]);
  });
  it("pushes neighbours apart only as far as needed, keeping their order", () => {
    const at = spread([10, 20, 80], 20, 0, 100);
    expect(at).toEqual([5, 25, 80]);
  });
  it("keeps every item inside the bounds", () => {
    expect(spread([0, 0, 0], 20, 10, 200)).toEqual([10, 30, 50]);
    expect(spread([200, 200], 20, 0, 190)).toEqual([170, 190]);
  });
});

describe("fanLayout", () => {
  const range = { startMs: 0, endMs: 300_000 };
  const eventsAt = (count: number): Mark[] =>
    buildModel(Array.from({ length: count }, (_, i) => ev(150_000 + i, "A", i % 2 ? verdict(true) : requestSent()))).marks;

  it("spreads an open group's members a slot apart around their time, in time order", () => {
    const [group] = groupMarks(eventsAt(3), range, 900);
    const fan = fanLayout(group, range, 900);
    expect(fan.items.map((i) => i.mark.atMs)).toEqual([150_000, 150_001, 150_002]);
    const slot = MARK_SIZE + MARK_GAP;
    expect(fan.items[1].x - fan.items[0].x).toBeCloseTo(slot);
    expect(fan.items[2].x - fan.items[1].x).toBeCloseTo(slot);
    expect(fan.items[1].x).toBeCloseTo(450, 0);
    expect(fan.hidden).toBe(0);
    expect(overlapsIn(fan.items.map((i) => ({ row: 0, left: i.x - MARK_SIZE / 2, right: i.x + MARK_SIZE / 2 })))).toEqual([]);
  });
  it("shows as many members as the width holds and a '+n' for the rest, around the selected one", () => {
    const [group] = groupMarks(eventsAt(50), range, 200);
    const fan = fanLayout(group, range, 200, 30);
    const slot = MARK_SIZE + MARK_GAP;
    const fits = Math.floor((200 - MARK_SIZE) / slot) + 1;
    expect(fan.items).toHaveLength(fits - 1);
    expect(fan.hidden).toBe(50 - (fits - 1));
    expect(fan.items.map((i) => i.mark)).toContain(group.members[30]);
    expect(fan.moreX).toBeCloseTo(fan.items[fan.items.length - 1].x + slot);
    expect(fan.moreX!).toBeLessThanOrEqual(200 - MARK_SIZE / 2);
    expect(fan.items[0].x).toBeGreaterThanOrEqual(MARK_SIZE / 2);
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
  it("does not zoom in below MIN_SPAN_MS (where events 1 ms apart stand apart)", () => {
    const tiny = zoom({ startMs: 0, endMs: 3000 }, 0.0001, 0);
    expect(tiny.endMs - tiny.startMs).toBe(MIN_SPAN_MS);
  });
  it("zooms at the pointer: the instant under it stays at the same x", () => {
    for (const fraction of [0, 0.13, 0.5, 0.9, 1]) {
      for (const factor of [0.5, 0.8, 1.25, 3]) {
        const zoomed = zoomAt(range, fraction, factor);
        expect(xToTime(zoomed, 800, fraction * 800)).toBeCloseTo(xToTime(range, 800, fraction * 800), 3);
        expect(zoomed.endMs - zoomed.startMs).toBeCloseTo((range.endMs - range.startMs) * factor);
      }
    }
  });
  it("keeps the instant under the pointer through a whole gesture, clamped at full zoom too", () => {
    // A trackpad's gesture: many small steps in to the limit and back out.
    let zoomed: Range = { startMs: 1_800_000_000_000, endMs: 1_800_000_300_000 };
    const under = xToTime(zoomed, 900, 0.37 * 900);
    for (let i = 0; i < 200; i++) zoomed = zoomAt(zoomed, 0.37, wheelZoomFactor(-40));
    expect(zoomed.endMs - zoomed.startMs).toBe(MIN_SPAN_MS);
    for (let i = 0; i < 100; i++) zoomed = zoomAt(zoomed, 0.37, wheelZoomFactor(25));
    expect(Math.abs(xToTime(zoomed, 900, 0.37 * 900) - under)).toBeLessThan(0.01);
  });
  it("zooms by how far the wheel moved, symmetric in and out, at most twice per event", () => {
    expect(wheelZoomFactor(100)).toBeCloseTo(1.2214, 3);
    expect(wheelZoomFactor(-100) * wheelZoomFactor(100)).toBeCloseTo(1);
    expect(wheelZoomFactor(3, 1)).toBeCloseTo(wheelZoomFactor(48));
    expect(wheelZoomFactor(5000)).toBe(2);
    expect(wheelZoomFactor(-5000)).toBe(0.5);
  });
  it("keeps a wheel gesture on the axis it started on", () => {
    expect(wheelAxis(1, 10, false, false, null)).toBe("zoom");
    expect(wheelAxis(12, 3, false, false, null)).toBe("pan");
    expect(wheelAxis(3, 1, false, false, "zoom")).toBe("zoom");
    expect(wheelAxis(0, 10, true, false, "zoom")).toBe("pan");
    expect(wheelAxis(30, 1, false, true, "pan")).toBe("zoom");
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
  it("picks millisecond ticks at full zoom", () => {
    const { step } = ticks({ startMs: 0, endMs: MIN_SPAN_MS }, 900, 90, 0);
    expect(step).toBe(2);
  });
  it("labels ticks with seconds only for sub-minute steps, milliseconds for sub-second ones", () => {
    const at = new Date(2026, 10, 22, 14, 3, 7).getTime();
    expect(tickLabel(at, 5000)).toBe("14:03:07");
    expect(tickLabel(at, 60_000)).toBe("14:03");
    expect(tickLabel(at, 86_400_000)).toBe("2026-11-22");
    expect(tickLabel(at + 250, 50)).toBe("14:03:07.250");
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

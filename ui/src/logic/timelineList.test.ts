import { describe, expect, it } from "vitest";
import type { Event } from "../bindings/Event";
import { ev, keeperDecision, keeperRefresh, keeperRenewal, refreshAttempt, requestSent, retry, tokenIssued, verdict } from "./timelineFixtures";
import {
  eventLabel,
  filterEvents,
  foldLabel,
  indexNearest,
  listEntries,
  mergeNewEvents,
  rowAt,
  rowTop,
  virtualWindow,
  type ListEntry,
} from "./timelineList";
import { routineEventIds } from "./timelineRoutine";

describe("eventLabel", () => {
  it("calls an expired verdict 'expiry detected'", () => {
    expect(eventLabel(ev(1, "A", verdict(true)))).toEqual({ label: "expiry detected", tone: "warn" });
    expect(eventLabel(ev(1, "A", verdict(false))).label).toBe("not expired");
  });
  it("shows a request's status and refresh outcomes", () => {
    expect(eventLabel(ev(1, "A", requestSent(500)))).toEqual({ label: "request → 500", tone: "warn" });
    expect(eventLabel(ev(1, "A", refreshAttempt("failed"))).tone).toBe("error");
    expect(eventLabel(ev(1, "A", tokenIssued(20))).label).toBe("token issued (refresh token rotated)");
  });
  it("says a keeper decision that asks a person to act in the warning tone, a routine one muted", () => {
    expect(eventLabel(ev(1, "A", keeperDecision("skip", null, "needs re-authorization (invalid_grant); nothing can be refreshed until someone authorizes again")))).toEqual({ label: "keeper: skip", tone: "warn" });
    expect(eventLabel(ev(1, "A", keeperDecision("wait"))).tone).toBe("muted");
  });
  it("calls the first retry (the second send) 'retried once', with its attempt number", () => {
    expect(eventLabel(ev(1, "A", retry()))).toEqual({ label: "retried once (attempt 2)", tone: "info" });
    expect(eventLabel(ev(1, "A", { kind: "retry", attempt: 3 })).label).toBe("retried twice (attempt 3)");
    expect(eventLabel(ev(1, "A", { kind: "retry", attempt: 5 })).label).toBe("retried 4 times (attempt 5)");
  });
});

describe("filterEvents", () => {
  const events: Event[] = [
    ev(1, "Sandbox", requestSent(), "POST callout:Sandbox/services/Soap → 500"),
    ev(2, "Sandbox", verdict(true), "expired: INVALID_SESSION_ID in the SOAP fault"),
    ev(3, "WSO2", requestSent(), "GET /pizzas → 200"),
    ev(4, "WSO2", refreshAttempt("failed"), "refresh failed: invalid_grant"),
  ];
  const none = { credential: null, kinds: new Set<never>(), text: "" };
  it("returns the same array when nothing filters", () => {
    expect(filterEvents(events, none)).toBe(events);
  });
  it("filters by credential", () => {
    expect(filterEvents(events, { ...none, credential: "WSO2" }).map((e) => e.atMs)).toEqual([3, 4]);
  });
  it("filters by kind chips", () => {
    expect(filterEvents(events, { ...none, kinds: new Set(["verdict", "refreshAttempt"] as const) }).map((e) => e.atMs)).toEqual([2, 4]);
  });
  it("needs every word of the text, ignoring case, in summary, credential or label", () => {
    expect(filterEvents(events, { ...none, text: "invalid_session soap" }).map((e) => e.atMs)).toEqual([2]);
    expect(filterEvents(events, { ...none, text: "wso2 INVALID_GRANT" }).map((e) => e.atMs)).toEqual([4]);
    expect(filterEvents(events, { ...none, text: "expiry detected" }).map((e) => e.atMs)).toEqual([2]);
    expect(filterEvents(events, { ...none, text: "nothing-matches" })).toEqual([]);
  });
  // Correctness at the size the timeline view is built for. How fast this
  // runs is a benchmark's question (a `timelineList.bench.ts` beside this
  // file, run by `vitest bench`), not a pass/fail test's.
  it("filters 100 000 events without losing, reordering or mixing in any", () => {
    const many: Event[] = [];
    for (let i = 0; i < 100_000; i++) {
      const detail = i % 10 === 0 ? verdict(true) : requestSent(i % 3 ? 200 : 500);
      many.push(ev(i, i % 2 ? "A" : "B", detail, `request ${i}`));
    }
    const found = filterEvents(many, { credential: "A", kinds: new Set(), text: "99999" });
    expect(found.map((e) => e.atMs)).toEqual([99_999]);

    const ofA = filterEvents(many, { credential: "A", kinds: new Set(), text: "" });
    expect(ofA).toHaveLength(50_000);
    expect(ofA.every((e, n) => e.credential === "A" && e.atMs === 2 * n + 1)).toBe(true);

    // Every word must match: "request 1234" is events 1234, 11234, 21234, ... of B only.
    const words = filterEvents(many, { credential: "B", kinds: new Set(), text: "REQUEST 1234" });
    expect(words.map((e) => e.atMs)).toEqual(many.filter((e) => e.atMs % 2 === 0 && String(e.atMs).includes("1234")).map((e) => e.atMs));
    expect(words.length).toBeGreaterThan(1);

    // Kind chips with a label word: expired verdicts of B (every tenth event is one, all even).
    const expired = filterEvents(many, { credential: "B", kinds: new Set(["verdict"] as const), text: "expiry detected" });
    expect(expired).toHaveLength(10_000);
    expect(expired.every((e, n) => e.atMs === 10 * n && e.event.kind === "verdict")).toBe(true);
  });
});

describe("virtualWindow", () => {
  it("renders only the rows in view plus overscan", () => {
    const w = virtualWindow(2800, 300, 28, 100_000, 5);
    expect(w.start).toBe(95);
    expect(w.end).toBe(100 + 12 + 5);
    expect(w.offsetY).toBe(95 * 28);
    expect(w.totalHeight).toBe(2_800_000);
  });
  it("clamps at the top and the bottom", () => {
    expect(virtualWindow(0, 300, 28, 3)).toMatchObject({ start: 0, end: 3 });
    expect(virtualWindow(99_999 * 28, 300, 28, 100_000)).toMatchObject({ end: 100_000 });
    expect(virtualWindow(-50, 300, 28, 0)).toEqual({ start: 0, end: 0, offsetY: 0, totalHeight: 0 });
  });
});

describe("virtualWindow with the selected row grown to its whole text", () => {
  const grown = { index: 10, extra: 50 };
  it("places the rows after the grown one lower by its extra height", () => {
    expect(rowTop(10, 30, grown)).toBe(300);
    expect(rowTop(11, 30, grown)).toBe(380);
    expect(rowTop(9, 30, null)).toBe(270);
  });
  it("finds the row at a height, the grown row over its whole height", () => {
    expect(rowAt(299, 30, grown)).toBe(9);
    expect(rowAt(300, 30, grown)).toBe(10);
    expect(rowAt(379, 30, grown)).toBe(10);
    expect(rowAt(380, 30, grown)).toBe(11);
    expect(rowAt(410, 30, grown)).toBe(12);
  });
  it("renders from the row at the scroll position, and counts the extra height in the total", () => {
    // Row 18 starts at 18 × 30 + 50 = 590.
    const w = virtualWindow(600, 300, 30, 100, 2, grown);
    expect(w.start).toBe(18 - 2);
    expect(w.offsetY).toBe(16 * 30 + 50);
    expect(w.totalHeight).toBe(100 * 30 + 50);
    expect(virtualWindow(0, 300, 30, 5, 2, grown).totalHeight).toBe(150);
  });
});

describe("listEntries: the keeper's routine folded", () => {
  const shape = (entries: ListEntry[]): string[] =>
    entries.map((e) => (e.type === "fold" ? `fold(${e.fold.events.length}${e.fold.open ? ", open" : ""})` : e.event.summary));
  // Oldest first: a sign-in, four routine renewals, a wait, then the story: a fault, its expiry, the refresh, the retry.
  const events: Event[] = [
    ev(0, "Sandbox", tokenIssued(3600), "sign-in token"),
    ...keeperRenewal(1000, "Sandbox"),
    ...keeperRenewal(2000, "Sandbox"),
    ...keeperRenewal(3000, "WSO2"),
    ...keeperRenewal(4000, "Sandbox"),
    ev(5000, "WSO2", keeperDecision("wait"), "wait"),
    ev(6000, "Sandbox", requestSent(500), "fault"),
    ev(6001, "Sandbox", verdict(true), "expired"),
    ev(6002, "Sandbox", refreshAttempt("refreshed"), "refreshed after expiry"),
    ev(6003, "Sandbox", retry(), "retry"),
    ev(7000, "Sandbox", keeperDecision("warn", null, "the refresh token dies after 1 h unused"), "warning"),
    ev(8000, "Sandbox", keeperDecision("wait"), "lone wait"),
  ];
  const routine = routineEventIds(events);
  const closed = { fold: true, open: new Set<string>() };

  it("folds a run of routine events into one row, newest first, and leaves the story and the warnings as they are", () => {
    expect(shape(listEntries(events, routine, closed))).toEqual([
      "lone wait",
      "warning",
      "retry",
      "refreshed after expiry",
      "expired",
      "fault",
      "fold(13)",
      "sign-in token",
    ]);
  });
  it("says what the fold holds: 4 routine renewals and a wait, of which credentials, over how long", () => {
    const fold = listEntries(events, routine, closed).find((e) => e.type === "fold");
    expect(fold?.type === "fold" && foldLabel(fold.fold)).toEqual({
      label: "4 routine renewals and 1 decision to wait by the keeper",
      credentials: "2 credentials",
      detail: "13 events of Sandbox and WSO2 over 4 s",
    });
  });
  it("shows an open fold's events under it, marked as inside it", () => {
    const key = (listEntries(events, routine, closed)[6] as { key: string }).key;
    const entries = listEntries(events, routine, { fold: true, open: new Set([key]) });
    expect(shape(entries).slice(6, 9)).toEqual(["fold(13, open)", "wait", events[12].summary]);
    expect(entries.slice(7, 20).every((e) => e.type === "event" && e.inFold === key && e.routine)).toBe(true);
    expect(shape(entries).slice(-1)).toEqual(["sign-in token"]);
  });
  it("keeps a fold's key when newer routine events join it", () => {
    const before = listEntries(events.slice(0, 14), routine, closed).find((e) => e.type === "fold");
    const after = listEntries(events, routine, closed).find((e) => e.type === "fold");
    expect(before?.key).toBe(after?.key);
  });
  it("folds nothing when the housekeeping is shown", () => {
    const entries = listEntries(events, routine, { fold: false, open: new Set() });
    expect(entries.map((e) => e.type === "event" && e.event.summary)).toEqual([...events].reverse().map((e) => e.summary));
  });
  it("never folds a failed renewal or a warning, even between routine runs", () => {
    const failing = [
      ...keeperRenewal(1000, "A"),
      ev(2000, "A", keeperRefresh("proactive", "failed"), "failed refresh"),
      ev(2001, "A", keeperDecision("refresh", "failed: connection refused"), "failed decision"),
      ...keeperRenewal(3000, "A"),
    ];
    expect(shape(listEntries(failing, routineEventIds(failing), closed))).toEqual(["fold(3)", "failed decision", "failed refresh", "fold(3)"]);
  });
  it("never folds a skip because the credential needs re-authorization, between routine runs", () => {
    const stuck = [
      ...keeperRenewal(1000, "A"),
      ev(2000, "A", keeperDecision("skip", null, "needs re-authorization (invalid_grant); nothing can be refreshed until someone authorizes again"), "skip: needs re-authorization"),
      ev(3000, "B", keeperDecision("wait"), "wait"),
      ...keeperRenewal(4000, "B"),
    ];
    expect(shape(listEntries(stuck, routineEventIds(stuck), closed))).toEqual(["fold(4)", "skip: needs re-authorization", "fold(3)"]);
  });
  it("names the events folded when the filter left no decision to count", () => {
    const tokens = [ev(1, "A", tokenIssued(60)), ev(2, "A", tokenIssued(60))];
    expect(foldLabel({ key: "fold:1", events: tokens, open: false }).label).toBe("2 routine events of the keeper");
    const refreshes = [ev(1, "A", keeperRefresh()), ev(2, "A", keeperRefresh())];
    expect(foldLabel({ key: "fold:1", events: refreshes, open: false }).label).toBe("2 routine renewals by the keeper");
  });
});

describe("indexNearest", () => {
  const events = [ev(10, "A", requestSent()), ev(20, "A", requestSent()), ev(40, "A", requestSent())];
  it("finds the event closest in time", () => {
    expect(indexNearest(events, 0)).toBe(0);
    expect(indexNearest(events, 14)).toBe(0);
    expect(indexNearest(events, 31)).toBe(2);
    expect(indexNearest(events, 99)).toBe(2);
  });
});

describe("mergeNewEvents", () => {
  const a = ev(10, "A", requestSent());
  const b = ev(20, "A", requestSent());
  const c = ev(20, "A", verdict(false));
  it("appends only events newer than the newest held (the since-query repeats the boundary)", () => {
    const merged = mergeNewEvents([a, b], [b, c]);
    expect(merged.map((e) => e.id)).toEqual([a.id, b.id, c.id]);
  });
  it("returns the held array itself when nothing is new", () => {
    const held = [a, b];
    expect(mergeNewEvents(held, [b])).toBe(held);
  });
  it("takes everything when nothing is held", () => {
    expect(mergeNewEvents([], [a])).toEqual([a]);
  });
});

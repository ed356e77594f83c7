import { describe, expect, it } from "vitest";
import type { Event } from "../bindings/Event";
import { ev, refreshAttempt, requestSent, retry, tokenIssued, verdict } from "./timelineFixtures";
import { eventLabel, filterEvents, indexNearest, mergeNewEvents, virtualWindow } from "./timelineList";

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

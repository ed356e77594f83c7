import { describe, expect, it } from "vitest";
import type { Event } from "../bindings/Event";
import type { TimelineQuery } from "../bindings/TimelineQuery";
import { ev, requestSent } from "./timelineFixtures";
import { fetchPages, troubleText } from "./timelinePages";

/** The shell's `timeline` command over `stored`: the newest `limit` (at most `max`) before the cursor, oldest first. */
function shell(stored: Event[], max: number) {
  const asked: TimelineQuery[] = [];
  const fetchPage = async (query: TimelineQuery): Promise<Event[]> => {
    asked.push(query);
    const before = query.before;
    const older = stored
      .filter((e) => query.sinceMs === null || e.atMs >= query.sinceMs)
      .filter((e) => !before || e.atMs < before.atMs || (e.atMs === before.atMs && e.id < before.id))
      .sort((a, b) => a.atMs - b.atMs || a.id - b.id);
    const limit = Math.min(query.limit ?? max, max);
    return older.slice(Math.max(0, older.length - limit));
  };
  return { fetchPage, asked };
}

const query: TimelineQuery = { credential: null, sinceMs: null, untilMs: null, kinds: [], limit: null, before: null };

describe("fetchPages", () => {
  // 25 events, several sharing a millisecond across page boundaries.
  const stored = Array.from({ length: 25 }, (_, i) => ev(1000 + Math.floor(i / 3), "A", requestSent()));

  it("reads everything a page at a time, newest page first, never more than a page per call", async () => {
    const { fetchPage, asked } = shell(stored, 10);
    const seen: number[] = [];
    const all = await fetchPages(fetchPage, query, { pageSize: 10, onPage: (events) => seen.push(events.length) });
    expect(all?.map((e) => e.id)).toEqual(stored.map((e) => e.id));
    expect(asked.map((q) => q.limit)).toEqual([10, 10, 10]);
    expect(asked[0].before).toBeNull();
    expect(asked[1].before).toEqual({ atMs: stored[15].atMs, id: stored[15].id });
    expect(seen).toEqual([10, 20, 25]);
  });

  it("stops after one call when the first page is short, and reads only what is since", async () => {
    const { fetchPage, asked } = shell(stored, 10);
    const fresh = await fetchPages(fetchPage, { ...query, sinceMs: stored[22].atMs }, { pageSize: 10 });
    expect(fresh?.map((e) => e.id)).toEqual(stored.slice(21).map((e) => e.id));
    expect(asked).toHaveLength(1);
  });

  it("stops when an exact multiple of the page size ends in an empty page", async () => {
    const { fetchPage, asked } = shell(stored.slice(0, 20), 10);
    const all = await fetchPages(fetchPage, query, { pageSize: 10 });
    expect(all).toHaveLength(20);
    expect(asked).toHaveLength(3);
  });

  it("gives up when a newer load has begun", async () => {
    const { fetchPage, asked } = shell(stored, 10);
    let current = true;
    const all = await fetchPages(fetchPage, query, {
      pageSize: 10,
      current: () => current,
      onPage: () => (current = false),
    });
    expect(all).toBeNull();
    expect(asked).toHaveLength(2);
  });
});

describe("troubleText", () => {
  it("names the file and the reason, and offers to move it aside", () => {
    const text = troubleText({ path: "/h/timeline.sqlite3", reason: "cannot read its schema version: file is not a database", newer: false });
    expect(text.title).toBe("The timeline file cannot be used");
    expect(text.detail).toContain("/h/timeline.sqlite3: cannot read its schema version: file is not a database.");
    expect(text.action).toBe("Move aside");
  });
  it("tells a newer version's file apart: update, or move aside", () => {
    const text = troubleText({ path: "/h/timeline.sqlite3", reason: "newer", newer: true });
    expect(text.title).toContain("newer Callout Lab");
    expect(text.detail).toContain("Update Callout Lab");
  });
});

// @vitest-environment happy-dom
// The Timeline view's event list as events arrive: the shell's
// `timeline-appended` event (Tauri's event code, its IPC played by Tauri's
// mocks) brings the new events in without rebuilding the rows on screen.
import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Event } from "../bindings/Event";
import type { TimelineQuery } from "../bindings/TimelineQuery";
import { selectText } from "../fixtures";
import { ev, requestSent } from "../logic/timelineFixtures";
import * as store from "../store";
import { TimelineView } from "./timeline";

const ROW = 30;
let held: Event[];

/** The shell's `timeline` command over `held`: the newest `limit` before the cursor, oldest first. */
function timeline(query: TimelineQuery): Event[] {
  const selected = held.filter(
    (e) =>
      (query.sinceMs === null || e.atMs >= query.sinceMs) &&
      (!query.before || e.atMs < query.before.atMs || (e.atMs === query.before.atMs && e.id < query.before.id)),
  );
  return selected.slice(Math.max(0, selected.length - (query.limit ?? 1000)));
}

const rowsOnScreen = (view: TimelineView): HTMLElement[] => [...view.element.querySelectorAll<HTMLElement>('[data-testid="timeline-event"]')];
const rowOf = (view: TimelineView, summary: string): HTMLElement =>
  rowsOnScreen(view).find((row) => row.querySelector(".ev-summary")!.textContent === summary)!;
const offset = (row: HTMLElement): number => Number(/translateY\((\d+)px\)/.exec(row.style.transform)![1]);

// One shell for the file: views subscribe to its events for good.
beforeAll(() =>
  mockIPC(
    (cmd, args) => {
      if (cmd === "timeline") return timeline((args as { query: TimelineQuery }).query);
      if (cmd === "timeline_trouble") return null;
      throw new Error(`no command ${cmd} here`);
    },
    { shouldMockEvents: true },
  ),
);
afterAll(() => clearMocks());
beforeEach(() => {
  const start = Date.now() - 3_600_000;
  held = Array.from({ length: 200 }, (_, i) => ev(start + i * 1000, "Sandbox", requestSent(), `request #${i}`));
  store.view.set("timeline");
  document.body.replaceChildren();
});

describe("the timeline's event list", () => {
  it("keeps the rows on screen, their place, the scroll, focus and a text selection when events are appended", async () => {
    const view = new TimelineView();
    document.body.append(view.element);
    await view.load();
    const list = view.element.querySelector<HTMLElement>(".event-list")!;
    // Scrolled down to request #180 (newest first: row 19) to read it.
    list.scrollTop = 19 * ROW;
    list.dispatchEvent(new Event("scroll"));
    const reading = rowOf(view, "request #180");
    const placeBefore = offset(reading) - list.scrollTop;
    const others = rowsOnScreen(view);
    list.focus();
    const summary = reading.querySelector(".ev-summary")!.firstChild!;
    selectText(summary, 0, 7);

    const now = Date.now();
    held.push(ev(now, "Sandbox", requestSent(500), "request #200"), ev(now + 1, "Sandbox", requestSent(), "request #201"));
    await emit("timeline-appended", { credential: "Sandbox" });
    await vi.waitFor(() => expect(view.element.querySelector(".filter-bar .muted.small")!.textContent).toBe("202 events"), { timeout: 3000 });

    expect(rowOf(view, "request #180")).toBe(reading);
    expect(offset(reading) - list.scrollTop).toBe(placeBefore);
    expect(list.scrollTop).toBe(21 * ROW);
    const kept = others.filter((row) => row.isConnected);
    expect(kept.length).toBeGreaterThan(others.length - 3);
    for (const row of kept) expect(rowsOnScreen(view)).toContain(row);
    expect(document.activeElement).toBe(list);
    expect(document.getSelection()!.toString()).toBe("request");
    expect(document.getSelection()!.anchorNode).toBe(summary);
  });

  it("shows new events at the top when the list is at the top", async () => {
    const view = new TimelineView();
    document.body.append(view.element);
    await view.load();
    const newest = rowOf(view, "request #199");
    expect(offset(newest)).toBe(0);

    held.push(ev(Date.now(), "Sandbox", requestSent(), "request #200"));
    await emit("timeline-appended", { credential: "Sandbox" });
    await vi.waitFor(() => expect(rowOf(view, "request #200")).toBeDefined(), { timeout: 3000 });

    expect(offset(rowOf(view, "request #200"))).toBe(0);
    expect(rowOf(view, "request #199")).toBe(newest);
    expect(offset(newest)).toBe(ROW);
  });

  it("says an empty timeline has no events once it is read, not that it is loading", async () => {
    held = [];
    const view = new TimelineView();
    document.body.append(view.element);
    await view.load();
    expect(view.element.querySelector(".filter-bar .muted.small")!.textContent).toBe("0 events");
    expect(view.element.querySelector(".event-empty")!.textContent).toContain("No events yet.");
  });
});

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
import { ev, keeperDecision, keeperRefresh, keeperRenewal, refreshAttempt, requestSent, tokenIssued, verdict } from "../logic/timelineFixtures";
import * as store from "../store";
import { toaster } from "../ui/toast";
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

/** The shell's commands, by name; a test replaces one to make it fail. */
let commands: Record<string, (args: Record<string, unknown>) => unknown>;

// One shell for the file: views subscribe to its events for good.
beforeAll(() =>
  mockIPC(
    (cmd, args) => {
      const command = commands[cmd];
      if (!command) throw new Error(`no command ${cmd} here`);
      return command(args as Record<string, unknown>);
    },
    { shouldMockEvents: true },
  ),
);
afterAll(() => clearMocks());
beforeEach(() => {
  const start = Date.now() - 3_600_000;
  held = Array.from({ length: 200 }, (_, i) => ev(start + i * 1000, "Sandbox", requestSent(), `request #${i}`));
  commands = { timeline: (args) => timeline(args.query as TimelineQuery), timeline_trouble: () => null };
  store.view.set("timeline");
  toaster().dispose();
  document.body.replaceChildren();
});

const toasts = (): string[] => [...document.querySelectorAll('[data-testid="toast"]')].map((t) => t.querySelector(".toast-text")?.textContent ?? "");

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

/** The view on the page, its picture given a width (happy-dom lays nothing out): a 900 px plot. */
async function shownView(): Promise<{ view: TimelineView; picture: HTMLElement }> {
  const view = new TimelineView();
  document.body.append(view.element);
  const picture = view.element.querySelector<HTMLElement>('[data-testid="timeline-picture"]')!;
  Object.defineProperty(picture, "clientWidth", { value: 1020, configurable: true });
  await view.load();
  return { view, picture };
}

/** The element once the picture draws it (at the next animation frame). */
const drawn = <T extends HTMLElement>(within: HTMLElement, selector: string): Promise<T> =>
  vi.waitFor(() => {
    const element = within.querySelector<T>(selector);
    if (!element) throw new Error(`nothing drawn as ${selector}`);
    return element;
  });

/** A wheel event at `clientX` (happy-dom's WheelEvent takes no clientX of its own). */
function wheelAt(clientX: number, deltaY: number): WheelEvent {
  const wheel = new WheelEvent("wheel", { deltaY, bubbles: true, cancelable: true });
  Object.defineProperty(wheel, "clientX", { value: clientX });
  return wheel;
}

const centreOf = (element: HTMLElement): number => parseFloat(element.style.left) + (parseFloat(element.style.width) || 18) / 2;

describe("the timeline's picture", () => {
  const blob = (at: number): Event[] => [
    ev(at, "Sandbox", requestSent(500), "the fault"),
    ev(at + 1, "Sandbox", verdict(true), "the expiry"),
    ev(at + 2, "Sandbox", refreshAttempt("refreshed"), "the refresh"),
  ];

  it("draws three events 1 ms apart as one group of 3 that spreads them when clicked; a member selects its row", async () => {
    held = blob(Date.now() - 60_000);
    const { view, picture } = await shownView();
    const group = await drawn<HTMLButtonElement>(picture, '[data-testid="timeline-group"]');
    expect(group.dataset.count).toBe("3");
    expect(group.getAttribute("aria-expanded")).toBe("false");
    expect(group.textContent).toBe("3");
    expect(picture.querySelectorAll('[data-testid="timeline-mark"]')).toHaveLength(0);

    group.click();
    const members = [...picture.querySelectorAll<HTMLElement>('[data-testid="timeline-mark"]')];
    expect(members.map((m) => m.dataset.kind)).toEqual(["request", "expiry", "refreshOk"]);
    expect(group.getAttribute("aria-expanded")).toBe("true");
    const lefts = members.map((m) => parseFloat(m.style.left));
    expect(lefts[1] - lefts[0]).toBeGreaterThanOrEqual(18);
    expect(lefts[2] - lefts[1]).toBeGreaterThanOrEqual(18);

    members[1].click();
    const selected = view.element.querySelector<HTMLElement>('[data-testid="timeline-event"][aria-selected="true"]')!;
    expect(selected.querySelector(".ev-summary")!.textContent).toBe("the expiry");
    expect(selected.classList.contains("selected")).toBe(true);
    expect(picture.querySelector('[aria-current="true"]')).toBe(members[1]);

    group.click();
    expect(picture.querySelectorAll('[data-testid="timeline-mark"]')).toHaveLength(0);
    expect(group.getAttribute("aria-expanded")).toBe("false");
  });

  it("keeps what is pointed at in place when the wheel zooms: a group under the pointer, else the instant under it", async () => {
    const now = Date.now();
    held = [ev(now - 120_000, "Sandbox", requestSent(), "a lone request"), ...blob(now - 60_000)];
    const { picture } = await shownView();
    const group = await drawn(picture, '[data-testid="timeline-group"]');
    const lone = picture.querySelector<HTMLElement>('[data-testid="timeline-mark"]')!;
    const groupAt = centreOf(group);
    const loneAt = centreOf(lone);

    group.dispatchEvent(new WheelEvent("wheel", { deltaY: -300, bubbles: true, cancelable: true }));
    await vi.waitFor(() => expect(centreOf(lone)).not.toBeCloseTo(loneAt, 0));
    expect(centreOf(group)).toBeCloseTo(groupAt, 1);

    // Over the empty picture at the lone mark's x (the plot starts 120 px in): the lone mark stays.
    const before = centreOf(lone);
    const groupBefore = centreOf(group);
    picture.dispatchEvent(wheelAt(120 + before, -200));
    await vi.waitFor(() => expect(centreOf(group)).not.toBeCloseTo(groupBefore, 0));
    expect(centreOf(lone)).toBeCloseTo(before, 1);
  });
});

describe("the timeline's picture from the keyboard", () => {
  it("has one tab stop among its marks; arrows walk into an open group, Escape folds it back onto the group", async () => {
    const now = Date.now();
    held = [
      ev(now - 120_000, "Sandbox", requestSent(), "a lone request"),
      ev(now - 60_000, "Sandbox", requestSent(500), "the fault"),
      ev(now - 60_000 + 1, "Sandbox", verdict(true), "the expiry"),
    ];
    const { picture } = await shownView();
    const group = await drawn<HTMLButtonElement>(picture, '[data-testid="timeline-group"]');
    const key = (target: HTMLElement, name: string): void => {
      target.dispatchEvent(new KeyboardEvent("keydown", { key: name, bubbles: true, cancelable: true }));
    };
    expect([...picture.querySelectorAll('button[tabindex="0"]')]).toHaveLength(1);

    group.focus();
    group.click();
    key(group, "ArrowRight");
    const first = document.activeElement as HTMLElement;
    expect(first.dataset.testid).toBe("timeline-mark");
    expect(first.getAttribute("aria-label")).toMatch(/^request → 500, Sandbox, /);
    key(first, "ArrowRight");
    expect((document.activeElement as HTMLElement).dataset.kind).toBe("expiry");
    key(document.activeElement as HTMLElement, "Home");
    expect((document.activeElement as HTMLElement).getAttribute("aria-label")).toMatch(/^request → 200, Sandbox, /);

    key(document.activeElement as HTMLElement, "ArrowRight");
    key(document.activeElement as HTMLElement, "Escape");
    expect(document.activeElement).toBe(group);
    expect(group.getAttribute("aria-expanded")).toBe("false");
    expect(picture.querySelectorAll(".tl-member")).toHaveLength(0);
    expect([...picture.querySelectorAll('button[tabindex="0"]')]).toEqual([group]);
  });
});

describe("the keeper's routine in the list", () => {
  it("folds a run into one row that opens in place, and shows every event with the toggle", async () => {
    const start = Date.now() - 600_000;
    held = [
      ...keeperRenewal(start, "Sandbox"),
      ...keeperRenewal(start + 60_000, "Sandbox"),
      ...keeperRenewal(start + 120_000, "Sandbox"),
      ...keeperRenewal(start + 180_000, "Sandbox"),
      ev(start + 240_000, "Sandbox", requestSent(), "a send"),
    ];
    const { view } = await shownView();
    const folded = (): HTMLElement[] => [...view.element.querySelectorAll<HTMLElement>('[data-testid="timeline-folded"]')];
    expect(folded()).toHaveLength(1);
    expect(folded()[0].dataset.count).toBe("12");
    expect(folded()[0].textContent).toContain("4 routine renewals by the keeper");
    expect(folded()[0].getAttribute("aria-expanded")).toBe("false");
    expect(rowsOnScreen(view).map((row) => row.querySelector(".ev-summary")!.textContent)).toEqual(["a send"]);

    folded()[0].click();
    expect(folded()[0].getAttribute("aria-expanded")).toBe("true");
    expect(rowsOnScreen(view)).toHaveLength(13);

    const toggle = view.element.querySelector<HTMLButtonElement>('[data-testid="timeline-show-routine"]')!;
    expect(toggle.textContent).toContain("(12)");
    toggle.click();
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    expect(folded()).toHaveLength(0);
    expect(rowsOnScreen(view)).toHaveLength(13);
  });
});

describe("the list's selection", () => {
  it("moves with the arrow keys, and the selected row shows its whole text, with no native tooltip", async () => {
    const { view } = await shownView();
    const list = view.element.querySelector<HTMLElement>('[data-testid="timeline-picture"] ~ .event-list')!;
    list.focus();
    list.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    list.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    const selected = view.element.querySelector<HTMLElement>('.event-row[aria-selected="true"]')!;
    expect(selected.querySelector(".ev-summary")!.textContent).toBe("request #198");
    expect(list.getAttribute("aria-activedescendant")).toBe(selected.id);
    expect(selected.classList.contains("selected")).toBe(true);
    // Its time to the millisecond, with the date.
    expect(selected.querySelector(".when-full")!.textContent).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    expect(view.element.querySelectorAll(".event-list [title]")).toHaveLength(0);
  });
});

describe("the keeper's keep-alive in the picture", () => {
  it("is one mark for its refresh and its decision, and the list keeps both rows", async () => {
    const at = Date.now() - 60_000;
    held = [
      ev(at, "Sandbox", tokenIssued(null), "token"),
      ev(at, "Sandbox", keeperRefresh("keepAlive"), "keep-alive refresh"),
      ev(at + 1, "Sandbox", keeperDecision("refresh", "refreshed: token fp:9f2c valid for 10 min", "keep-alive every 15 min: the refresh token was last used 15 min ago"), "keep-alive decision"),
    ];
    const { view, picture } = await shownView();
    const mark = await drawn<HTMLButtonElement>(picture, '[data-testid="timeline-mark"]');
    expect(picture.querySelectorAll('[data-testid="timeline-mark"]')).toHaveLength(1);
    expect(picture.querySelector('[data-testid="timeline-group"]')).toBeNull();
    expect(mark.dataset.kind).toBe("keepAlive");
    expect(mark.classList.contains("routine")).toBe(true);
    expect(mark.getAttribute("aria-label")).toMatch(/^refreshed by the keeper, Sandbox, .*, keeper housekeeping$/);

    view.element.querySelector<HTMLButtonElement>('[data-testid="timeline-show-routine"]')!.click();
    expect(rowsOnScreen(view).map((row) => row.querySelector(".ev-summary")!.textContent)).toEqual(["keep-alive decision", "keep-alive refresh", "token"]);
    // The decision's row selected: the mark that stands for it is the one selected in the picture.
    rowOf(view, "keep-alive decision").click();
    await vi.waitFor(() => expect(mark.getAttribute("aria-current")).toBe("true"));
  });
});

describe("what goes wrong, said where it happened", () => {
  it("says over the event list, not in a toast, that the timeline could not be loaded; Try again loads it", async () => {
    commands.timeline = () => {
      throw { kind: "timeline", message: "database is locked" };
    };
    const view = new TimelineView();
    document.body.append(view.element);
    await view.load();
    const problem = view.element.querySelector<HTMLElement>('[data-testid="timeline-load-error"]')!;
    expect(problem.hidden).toBe(false);
    expect(problem.textContent).toContain("Could not load the timeline: database is locked");
    expect(problem.nextElementSibling).toBe(view.element.querySelector(".event-list"));
    // Not read: the list does not claim there are no events.
    expect(view.element.querySelector(".event-empty")).toBeNull();
    expect(toasts()).toEqual([]);

    commands.timeline = (args) => timeline(args.query as TimelineQuery);
    problem.querySelector<HTMLButtonElement>('[data-testid="timeline-load-retry"]')!.click();
    await vi.waitFor(() => expect(problem.hidden).toBe(true));
    expect(rowOf(view, "request #199")).toBeDefined();
  });

  it("says in the banner, not in a toast, that the timeline file could not be moved aside", async () => {
    commands.timeline_trouble = () => ({ path: "/home/ada/.local/share/callout-lab/timeline.db", reason: "file is not a database", newer: false });
    commands.move_timeline_aside = () => {
      throw { kind: "timeline", message: "could not rename timeline.db: permission denied" };
    };
    const view = new TimelineView();
    document.body.append(view.element);
    await view.load();
    const banner = view.element.querySelector<HTMLElement>('[data-testid="timeline-trouble"]')!;
    await vi.waitFor(() => expect(banner.hidden).toBe(false));

    banner.querySelector<HTMLButtonElement>('[data-testid="timeline-move-aside"]')!.click();
    const problem = await vi.waitFor(() => {
      const found = banner.querySelector<HTMLElement>('[data-testid="timeline-move-aside-error"]:not([hidden])');
      if (!found) throw new Error("no problem said in the banner");
      return found;
    });
    expect(problem.textContent).toBe("Could not move the timeline aside: could not rename timeline.db: permission denied");
    expect(banner.hidden).toBe(false);
    expect(toasts()).toEqual([]);
  });

  it("says beside Export where the events went, and not in a toast why an export failed", async () => {
    commands.export_timeline = () => "/home/ada/timeline.jsonl";
    const view = new TimelineView();
    document.body.append(view.element);
    await view.load();
    const button = view.element.querySelector<HTMLButtonElement>('[data-testid="timeline-export"]')!;
    const problem = view.element.querySelector<HTMLElement>('[data-testid="timeline-export-error"]')!;
    const path = view.element.querySelector<HTMLElement>(".export-path")!;

    button.click();
    await vi.waitFor(() => expect(path.textContent).toBe("Exported to /home/ada/timeline.jsonl"));
    // The path is shown beside the button: the toast does not say it again.
    expect(toasts()).toEqual(["Timeline exported."]);

    commands.export_timeline = () => {
      throw { kind: "io", message: "could not write /home/ada/timeline.jsonl: no space left on device" };
    };
    button.click();
    await vi.waitFor(() => expect(problem.hidden).toBe(false));
    expect(problem.textContent).toBe("Could not export the timeline: could not write /home/ada/timeline.jsonl: no space left on device");
    expect(problem.nextElementSibling).toBe(button);
    // The earlier export's path would read as this one's.
    expect(path.textContent).toBe("");
    expect(toasts()).toEqual(["Timeline exported."]);

    commands.export_timeline = () => "/home/ada/timeline-2.jsonl";
    button.click();
    await vi.waitFor(() => expect(path.textContent).toBe("Exported to /home/ada/timeline-2.jsonl"));
    expect(problem.hidden).toBe(true);
  });
});

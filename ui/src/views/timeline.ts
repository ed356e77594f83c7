// The refresh timeline: a picture (token lifetimes as bars on a canvas, events as
// marks laid over it; marks too close to tell apart are one numbered group that
// spreads its members in a lane of their own when opened) with zoom at the
// pointer, pan and presets, over a filterable, virtualized event list where the
// keeper's routine is folded and the selected row shows its whole text.
import * as api from "../api";
import type { Event } from "../bindings/Event";
import type { EventKind } from "../bindings/EventKind";
import { toReport } from "../logic/errors";
import { clockTime, dateTime, shortTime } from "../logic/format";
import {
  barDrawEnd,
  buildModel,
  fanLayout,
  groupMarks,
  MARK_KINDS,
  MARK_LABELS,
  MARK_SIZE,
  pan,
  presetRange,
  TELLING,
  tickLabel,
  ticks,
  timeToX,
  visibleBars,
  wheelAxis,
  wheelZoomFactor,
  zoom,
  zoomAt,
  type Mark,
  type MarkGroup,
  type MarkKind,
  type Preset,
  type Range,
  type TimelineModel,
  type WheelAxis,
} from "../logic/timelineLayout";
import {
  EVENT_KINDS,
  eventLabel,
  filterEvents,
  foldLabel,
  indexNearest,
  KIND_LABELS,
  listEntries,
  mergeNewEvents,
  rowTop,
  virtualWindow,
  type Fold,
  type GrownRow,
  type ListEntry,
} from "../logic/timelineList";
import { fetchPages, troubleText } from "../logic/timelinePages";
import type { TimelineQuery } from "../pending-types";
import { subscribe } from "../shellEvents";
import * as store from "../store";
import { busy, debounce, h, replace } from "../ui/dom";
import { KeyedList } from "../ui/keyed";
import { onThemeApplied } from "../ui/theme";
import { toast } from "../ui/toast";

const GUTTER = 120;
const AXIS = 24;
const ROW = 36;
/** The lane under a row where an open group's members are spread. */
const LANE = 30;
const LIST_ROW = 30;
/** A pointer that moves less than this (px) between press and release clicks; further, it drags. */
const DRAG_PX = 3;
/** Wheel events less than this apart (ms) are one gesture, kept on the axis it started on. */
const GESTURE_MS = 250;
/** How many members a group's label and tooltip name before "and n more". */
const NAMED = 6;

/** A group at least this wide (px) shows where its members are, drawn inside it. */
const LONG_GROUP = 2 * MARK_SIZE;

interface Colors {
  ink: string;
  muted: string;
  line: string;
  panel: string;
  bar: string;
  now: string;
  marks: Record<MarkKind, string>;
}

function readColors(element: HTMLElement): Colors {
  const css = getComputedStyle(element);
  const v = (name: string): string => css.getPropertyValue(name).trim() || "#888";
  return {
    ink: v("--ink"),
    muted: v("--muted"),
    line: v("--line"),
    panel: v("--panel"),
    bar: v("--tl-bar"),
    now: v("--tl-now"),
    marks: {
      request: v("--tl-request"),
      expiry: v("--tl-expiry"),
      refreshOk: v("--tl-refresh"),
      refreshFailed: v("--tl-failed"),
      keepAlive: v("--tl-keepalive"),
      reauth: v("--tl-reauth"),
    },
  };
}

/** "14:03:07.120" (today) or "2026-11-21 14:03:07.120": marks a millisecond apart read apart. */
function preciseTime(ms: number, today: string): string {
  const millis = String(new Date(ms).getMilliseconds()).padStart(3, "0");
  return `${new Date(ms).toDateString() === today ? clockTime(ms) : dateTime(ms)}.${millis}`;
}

/** "1 ms", "240 ms", "3.2 s": how far apart a group's members are. */
function spanText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** One thing drawn over the picture: a mark or group in its row, an open group's member, or its "+n". */
type PictureItem =
  | { type: "lane"; key: string; group: MarkGroup; rowIndex: number; left: number; top: number; width: number }
  | { type: "member"; key: string; mark: Mark; group: MarkGroup; rowIndex: number; left: number; top: number; width: number }
  | { type: "more"; key: string; group: MarkGroup; hidden: number; rowIndex: number; left: number; top: number; width: number };

/** Where the picture's rows are: each shown row's top (px below the axis) and height. */
interface RowPlaces {
  rows: number[];
  tops: number[];
  heights: number[];
}

export class TimelineView {
  readonly element = h("section", { class: "view view-timeline", "aria-labelledby": "timeline-title" });
  private events: Event[] = [];
  private model: TimelineModel = buildModel([]);
  private filtered: Event[] = [];
  private entries: ListEntry[] = [];
  /** Each entry's index by key, the fold each folded event is in, and each entry's place in the tree. */
  private entryIndex = new Map<string, number>();
  private foldOfEvent = new Map<number, string>();
  private treePlaces: { level: number; position: number; size: number }[] = [];
  private range: Range = presetRange("5m", Date.now());
  private follow = true;
  private canvas = h("canvas", { class: "timeline-canvas", "aria-hidden": "true" });
  private markLayer = h("div", { class: "tl-marks", role: "group", "aria-label": "Events in the picture" });
  private pictureWrap = h(
    "div",
    { class: "picture-wrap", testid: "timeline-picture", tabindex: 0, role: "group", "aria-label": "Token lifetimes and events over time", "aria-describedby": "timeline-help" },
    this.canvas,
    this.markLayer,
  );
  private tooltip = h("div", { class: "tl-tooltip", hidden: true, role: "tooltip", id: "timeline-tooltip" });
  private credentialSelect = h("select", { testid: "timeline-credential", "aria-label": "Credential" });
  private textFilter = h("input", { type: "search", placeholder: "Filter events (e.g. INVALID_SESSION_ID, refresh failed)", "aria-label": "Filter events", class: "text-filter" });
  private chips = h("div", { class: "chips", role: "group", "aria-label": "Event kinds" });
  private kinds = new Set<EventKind>();
  private routineToggle = h("button", { type: "button", class: "chip-toggle routine-toggle", testid: "timeline-show-routine", "aria-pressed": "false" });
  private listScroll = h("div", { class: "event-list", tabindex: 0, role: "tree", "aria-label": "Events" });
  private listInner = h("div", { class: "event-list-inner" });
  private countLabel = h("span", { class: "muted small" });
  private exportPath = h("span", { class: "muted small export-path" });
  /** Beside Export: why the last export did not happen. */
  private exportError = h("span", { class: "field-problem export-error", testid: "timeline-export-error", role: "alert", hidden: true });
  /** Over the event list: why the events could not be read, with Try again. */
  private loadError = h("div", { class: "callout callout-error callout-dismissable timeline-load-error", testid: "timeline-load-error", role: "alert", hidden: true });
  private troubleBanner = h("div", { class: "timeline-trouble", testid: "timeline-trouble", role: "alert", hidden: true });
  /** Bumped by every full load: pages of an older one are dropped. */
  private generation = 0;
  private presets = new Map<Preset, HTMLButtonElement>();
  private colors: Colors | null = null;
  private dirty = true;
  private stale = true;
  private loading = false;
  /** The selected row (an event's or a fold's entry key); an event's is selected in the picture too. */
  private selectedKey: string | null = null;
  /** The selected row grown to its whole text, once measured. */
  private grown: GrownRow | null = null;
  /** The keeper's routine is shown row by row (the toggle), instead of folded. */
  private showRoutine = false;
  private openFolds = new Set<string>();
  /** The open group: its row and one of its events (it stays open while a group there holds that event). */
  private openGroup: { row: number; eventId: number } | null = null;
  private items = new Map<string, PictureItem>();
  private itemList: PictureItem[] = [];
  private places: RowPlaces = { rows: [], tops: [], heights: [] };
  /** The item the tooltip tells of: it follows the item as the picture moves, and goes with it. */
  private tooltipKey: string | null = null;
  /** The mark that holds the picture's one tab stop, and its event (to find it again after a regroup). */
  private focusKey: string | null = null;
  private focusEventId: number | null = null;
  private wheelLock: { axis: WheelAxis; at: number } | null = null;
  private credentialNames: string | null = null;
  private today = new Date().toDateString();
  /** The rows on screen, by entry key: one that stays on screen keeps its element. */
  private rows = new KeyedList<{ entry: ListEntry; index: number }>(
    this.listInner,
    // The day is in the key: after midnight, rows show yesterday's events with their date.
    ({ entry }) => `${entry.key}@${this.today}`,
    ({ entry }) => (entry.type === "fold" ? this.createFoldRow(entry.fold) : this.createRow(entry.event)),
    (row, { entry, index }) => this.updateRow(row, entry, index),
  );
  private marks = new KeyedList<PictureItem>(
    this.markLayer,
    (item) => item.key,
    (item) => h("button", { type: "button", "data-key": item.key, tabindex: -1 }),
    (element, item) => this.updateMark(element as HTMLButtonElement, item),
  );
  private refilter = debounce(() => this.applyFilter(), 120);
  private reload = debounce(() => void this.load(), 400);

  constructor() {
    const exportButton = h("button", { type: "button", class: "secondary", testid: "timeline-export" }, "Export…");
    exportButton.addEventListener("click", () => void busy(exportButton, "Exporting…", () => this.export()));
    const presetBar = h("div", { class: "segmented", role: "group", "aria-label": "Time range" });
    for (const [preset, label] of [["5m", "5 min"], ["15m", "15 min"], ["1h", "1 hour"], ["1d", "1 day"], ["all", "All"]] as [Preset, string][]) {
      const button = h("button", { type: "button", class: "seg", "aria-pressed": "false" }, label);
      button.addEventListener("click", () => this.setPreset(preset));
      this.presets.set(preset, button);
      presetBar.append(button);
    }
    const zoomIn = h("button", { type: "button", class: "ghost icon", title: "Zoom in (+)", "aria-label": "Zoom in" }, "+");
    const zoomOut = h("button", { type: "button", class: "ghost icon", title: "Zoom out (−)", "aria-label": "Zoom out" }, "−");
    zoomIn.addEventListener("click", () => this.zoomBy(0.5));
    zoomOut.addEventListener("click", () => this.zoomBy(2));

    const legend = h(
      "div",
      { class: "legend" },
      h("span", { class: "legend-item" }, h("span", { class: "swatch bar" }), "token lifetime"),
      h("span", { class: "legend-item" }, h("span", { class: "swatch bar open" }), "lifetime unknown"),
      MARK_KINDS.map((k) => h("span", { class: "legend-item" }, h("span", { class: `swatch mark-${k}` }), MARK_LABELS[k])),
      h("span", { class: "legend-item" }, h("span", { class: "swatch group" }, "3"), "events too close to tell apart"),
      h("span", { class: "legend-item" }, h("span", { class: "swatch mark-refreshOk faint" }), "keeper housekeeping"),
    );

    for (const kind of EVENT_KINDS) {
      const chip = h("button", { type: "button", class: "chip-toggle", "aria-pressed": "false", "data-kind": kind }, KIND_LABELS[kind]);
      chip.addEventListener("click", () => {
        if (this.kinds.has(kind)) this.kinds.delete(kind);
        else this.kinds.add(kind);
        chip.setAttribute("aria-pressed", String(this.kinds.has(kind)));
        this.applyFilter();
      });
      this.chips.append(chip);
    }
    this.routineToggle.addEventListener("click", () => {
      this.showRoutine = !this.showRoutine;
      this.routineToggle.setAttribute("aria-pressed", String(this.showRoutine));
      this.applyFilter();
      this.dirty = true;
    });
    this.credentialSelect.addEventListener("change", () => {
      this.applyFilter();
      this.dirty = true;
    });
    this.textFilter.addEventListener("input", () => this.refilter());

    this.listScroll.append(this.listInner);
    this.listScroll.addEventListener("scroll", () => this.renderRows(), { passive: true });
    this.listScroll.addEventListener("keydown", (event) => this.listKeys(event));

    this.element.append(
      h(
        "div",
        { class: "view-head timeline-head" },
        h("h1", { id: "timeline-title" }, "Timeline"),
        presetBar,
        zoomIn,
        zoomOut,
        h("div", { class: "spacer" }),
        this.exportPath,
        this.exportError,
        exportButton,
      ),
      this.troubleBanner,
      h(
        "p",
        { class: "muted small help", id: "timeline-help" },
        "Why did (or didn't) a token refresh? Scroll to zoom at the pointer, drag to pan, hover a mark for its reason, click it to find it in the list. A numbered mark holds events too close to tell apart: click it to spread them out.",
      ),
      this.pictureWrap,
      legend,
      h("div", { class: "filter-bar" }, this.credentialSelect, this.chips, this.routineToggle, this.textFilter, this.countLabel),
      this.loadError,
      this.listScroll,
    );
    this.pictureWrap.append(this.tooltip);
    this.bindPicture();
    subscribe("timeline-appended", () => {
      this.stale = true;
      if (store.view.value === "timeline") this.reload();
    });
    onThemeApplied(() => this.themeChanged());
    store.credentials.subscribe(() => this.fillCredentials());
    new ResizeObserver(() => {
      this.dirty = true;
      this.renderRows();
    }).observe(this.pictureWrap);
    new ResizeObserver(() => this.renderRows()).observe(this.listScroll);
    const frame = (): void => {
      if (this.dirty && !this.element.hidden && this.element.isConnected) this.draw();
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    this.markPreset("5m");
    this.updateRoutineToggle(0);
  }

  /** Called when the view is shown. */
  shown(): void {
    this.colors = null;
    this.dirty = true;
    if (this.stale) void this.load();
    this.renderRows();
  }

  /** Called every second: keeps "now" and open bars moving while following. */
  tick(now: number): void {
    if (store.view.value !== "timeline") return;
    if (this.follow && now > this.range.endMs - (this.range.endMs - this.range.startMs) * 0.02) {
      const span = this.range.endMs - this.range.startMs;
      this.range = { startMs: now - span * 0.95, endMs: now + span * 0.05 };
    }
    this.dirty = true;
  }

  private themeChanged(): void {
    this.colors = null;
    this.dirty = true;
  }

  private query(): TimelineQuery {
    return { credential: null, sinceMs: null, untilMs: null, kinds: [], limit: null, before: null };
  }

  async load(): Promise<void> {
    if (this.loading) {
      this.reload();
      return;
    }
    this.loading = true;
    this.stale = false;
    if (!this.events.length) this.countLabel.textContent = "Loading…";
    void this.showTrouble();
    try {
      if (this.events.length) {
        // Only what was appended since the newest event held, a page at a time.
        const newest = this.events[this.events.length - 1].atMs;
        const fresh = await fetchPages(api.timeline, { ...this.query(), sinceMs: newest });
        const merged = mergeNewEvents(this.events, fresh ?? []);
        if (merged !== this.events) {
          const listed = this.entries.length;
          const top = this.listScroll.scrollTop;
          this.show(merged);
          // Scrolled down to read: the rows read stay where they were on screen,
          // the new events come in above them.
          if (top > 0) {
            this.listScroll.scrollTop = top + (this.entries.length - listed) * LIST_ROW;
            this.renderRows();
          }
        }
      } else {
        // Newest page first, drawn as it comes; older pages are put in front.
        const generation = ++this.generation;
        await fetchPages(api.timeline, this.query(), {
          current: () => generation === this.generation,
          onPage: (events) => this.show(events),
        });
        // An empty timeline has no page to show: say so instead of "Loading…".
        if (generation === this.generation && !this.events.length) this.show([]);
      }
      this.showLoadError(null);
    } catch (error) {
      if (!this.events.length) this.countLabel.textContent = "";
      this.showLoadError(`${this.events.length ? "Could not load the newest events" : "Could not load the timeline"}: ${toReport(error).message}`);
    } finally {
      this.loading = false;
    }
  }

  /** Says over the list why the events could not be read (with Try again), or nothing. */
  private showLoadError(text: string | null): void {
    const was = !this.loadError.hidden;
    this.loadError.hidden = text === null;
    if (text === null) {
      replace(this.loadError);
    } else {
      const retry = h("button", { type: "button", class: "secondary small", testid: "timeline-load-retry" }, "Try again");
      retry.addEventListener("click", () => void busy(retry, "Loading…", () => this.load()));
      replace(this.loadError, h("div", null, text), h("div", { class: "callout-actions" }, retry));
    }
    // An empty list says "No events yet" only when the timeline was read.
    if (was !== (text !== null) && !this.events.length) this.renderRows();
  }

  private show(events: Event[]): void {
    this.events = events;
    this.model = buildModel(this.events);
    this.fillCredentials();
    this.applyFilter();
    this.dirty = true;
  }

  /** The banner that says the timeline file cannot be used, with Move aside. */
  private async showTrouble(): Promise<void> {
    let trouble;
    try {
      trouble = await api.timelineTrouble();
    } catch {
      trouble = null;
    }
    if (!trouble) {
      this.troubleBanner.hidden = true;
      return;
    }
    const text = troubleText(trouble);
    const move = h("button", { type: "button", class: "secondary", testid: "timeline-move-aside" }, text.action);
    move.addEventListener("click", () =>
      void busy(move, "Moving…", async () => {
        showMoveProblem(null);
        try {
          const moved = await api.moveTimelineAside();
          toast(moved ? `The old timeline was moved to ${moved}; a fresh one records from now on.` : "The timeline file is sound again; recording there from now on.", "ok");
          this.troubleBanner.hidden = true;
          this.generation++;
          this.events = [];
          await this.load();
        } catch (error) {
          showMoveProblem(`Could not move the timeline aside: ${toReport(error).message}`);
        }
      }),
    );
    const moveProblem = h("p", { class: "field-problem", testid: "timeline-move-aside-error", hidden: true });
    const showMoveProblem = (why: string | null): void => {
      moveProblem.hidden = why === null;
      moveProblem.textContent = why ?? "";
    };
    replace(this.troubleBanner, h("strong", null, text.title), h("p", { class: "small" }, text.detail), move, moveProblem);
    this.troubleBanner.hidden = false;
  }

  private fillCredentials(): void {
    const current = this.credentialSelect.value;
    const names = [...new Set<string>([...store.credentialNames(), ...this.model.rows])].sort();
    // The same names: the select keeps its options (and stays open if it is).
    const key = names.join("\n");
    if (key === this.credentialNames) return;
    this.credentialNames = key;
    replace(
      this.credentialSelect,
      h("option", { value: "" }, "All credentials"),
      names.map((name) => h("option", { value: name, selected: name === current }, name)),
    );
  }

  // --- the list ------------------------------------------------------------

  private applyFilter(): void {
    this.filtered = filterEvents(this.events, {
      credential: this.credentialSelect.value || null,
      kinds: this.kinds,
      text: this.textFilter.value,
    });
    const total = this.events.length;
    this.countLabel.textContent =
      this.filtered.length === total ? `${total.toLocaleString()} events` : `${this.filtered.length.toLocaleString()} of ${total.toLocaleString()} events`;
    this.rebuildEntries();
    let routine = 0;
    for (const event of this.filtered) if (this.model.routine.has(event.id)) routine++;
    this.updateRoutineToggle(routine);
  }

  private updateRoutineToggle(count: number): void {
    replace(this.routineToggle, "Show keeper housekeeping", count > 0 && h("span", { class: "count" }, ` (${count.toLocaleString()})`));
  }

  /** The rows from the filtered events, folds and all; then drawn. */
  private rebuildEntries(): void {
    this.entries = listEntries(this.filtered, this.model.routine, { fold: !this.showRoutine, open: this.openFolds });
    this.entryIndex.clear();
    this.foldOfEvent.clear();
    this.treePlaces = [];
    let topLevel = 0;
    for (const entry of this.entries) if (entry.type === "fold" || !entry.inFold) topLevel++;
    let position = 0;
    let inFold = 0;
    this.entries.forEach((entry, index) => {
      this.entryIndex.set(entry.key, index);
      if (entry.type === "fold") {
        for (const event of entry.fold.events) this.foldOfEvent.set(event.id, entry.key);
        inFold = 0;
      }
      if (entry.type === "event" && entry.inFold) {
        const fold = this.entries[this.entryIndex.get(entry.inFold) ?? 0];
        const size = fold.type === "fold" ? fold.fold.events.length : 1;
        this.treePlaces.push({ level: 2, position: ++inFold, size });
      } else {
        this.treePlaces.push({ level: 1, position: ++position, size: topLevel });
      }
    });
    if (this.selectedKey && !this.entryIndex.has(this.selectedKey)) this.selectedKey = null;
    this.grown = null;
    this.listInner.style.height = `${this.entries.length * LIST_ROW}px`;
    this.renderRows();
  }

  private selectedIndex(): number {
    return this.selectedKey === null ? -1 : (this.entryIndex.get(this.selectedKey) ?? -1);
  }

  /** The event the list has selected, if the selection is an event's row. */
  private selectedEvent(): Event | null {
    const entry = this.entries[this.selectedIndex()];
    return entry?.type === "event" ? entry.event : null;
  }

  private renderRows(): void {
    const viewport = this.listScroll.clientHeight || 300;
    const selected = this.selectedIndex();
    const grown = selected >= 0 && this.grown?.index === selected ? this.grown : null;
    this.grown = grown;
    const win = virtualWindow(this.listScroll.scrollTop, viewport, LIST_ROW, this.entries.length, 6, grown);
    this.listInner.style.height = `${win.totalHeight}px`;
    if (!this.entries.length) {
      this.listScroll.removeAttribute("aria-activedescendant");
      this.rows.clear();
      // Not read (the reason is over the list): nothing to say about what it holds.
      if (!this.events.length && !this.loadError.hidden) replace(this.listInner);
      else replace(this.listInner, h("div", { class: "event-empty muted" }, this.events.length ? "No event matches the filter." : "No events yet. Authorize a credential or send a request, and every decision lands here."));
      return;
    }
    this.today = new Date().toDateString();
    const shown: { entry: ListEntry; index: number }[] = [];
    for (let i = win.start; i < win.end; i++) shown.push({ entry: this.entries[i], index: i });
    this.rows.render(shown);
    const element = selected >= 0 ? this.rows.element(`${this.entries[selected].key}@${this.today}`) : undefined;
    // The tree's active row, while it is on screen (rows far off are not in the page).
    if (element) this.listScroll.setAttribute("aria-activedescendant", element.id);
    else this.listScroll.removeAttribute("aria-activedescendant");
    // The selected row shows its whole text: the rows below it move down by as much as it grew.
    if (element) {
      const extra = Math.max(0, (element?.offsetHeight ?? LIST_ROW) - LIST_ROW);
      if (extra !== (grown?.extra ?? 0)) {
        this.grown = { index: selected, extra };
        this.renderRows();
      }
    }
  }

  private updateRow(row: HTMLElement, entry: ListEntry, index: number): void {
    row.style.transform = `translateY(${rowTop(index, LIST_ROW, this.grown)}px)`;
    const selected = entry.key === this.selectedKey;
    row.classList.toggle("selected", selected);
    row.setAttribute("aria-selected", String(selected));
    const place = this.treePlaces[index];
    if (place) {
      row.setAttribute("aria-level", String(place.level));
      row.setAttribute("aria-posinset", String(place.position));
      row.setAttribute("aria-setsize", String(place.size));
    }
    if (entry.type === "fold") {
      row.setAttribute("aria-expanded", String(entry.fold.open));
      // A fold grows as the keeper goes on: its text follows.
      if (row.dataset.count !== String(entry.fold.events.length)) this.fillFoldRow(row, entry.fold);
    } else {
      row.classList.toggle("in-fold", entry.inFold !== null);
      row.classList.toggle("routine", entry.routine);
    }
  }

  /** An event's row: its texts never change (events are never edited). */
  private createRow(event: Event): HTMLElement {
    const { label, tone } = eventLabel(event);
    const row = h(
      "div",
      { class: "event-row", testid: "timeline-event", "data-kind": event.event.kind, "data-event-id": event.id, role: "treeitem", id: rowId(`event:${event.id}`) },
      h(
        "span",
        { class: "ev-time" },
        h("span", { class: "when-short" }, shortTime(event.atMs, this.today)),
        h("span", { class: "when-full" }, preciseTime(event.atMs, "")),
      ),
      h("span", { class: "ev-cred" }, event.credential),
      h("span", { class: `ev-kind tone-${tone}` }, label),
      h("span", { class: "ev-summary" }, event.summary),
    );
    row.addEventListener("click", () => this.select(`event:${event.id}`, "nearest"));
    return row;
  }

  private createFoldRow(fold: Fold): HTMLElement {
    const row = h("div", { class: "event-row fold-row", testid: "timeline-folded", role: "treeitem", id: rowId(fold.key) });
    row.addEventListener("click", () => {
      this.select(fold.key, "none");
      this.toggleFold(fold.key);
    });
    return row;
  }

  private fillFoldRow(row: HTMLElement, fold: Fold): void {
    const { label, credentials, detail } = foldLabel(fold);
    row.dataset.count = String(fold.events.length);
    replace(
      row,
      h(
        "span",
        { class: "ev-time" },
        h("span", { class: "when-short" }, shortTime(fold.events[0].atMs, this.today)),
        h("span", { class: "when-full" }, preciseTime(fold.events[0].atMs, "")),
      ),
      h("span", { class: "ev-cred" }, credentials),
      h("span", { class: "fold-text" }, h("span", { class: "fold-chevron", "aria-hidden": "true" }), h("strong", null, label), h("span", { class: "muted" }, ` · ${detail}`)),
    );
  }

  private toggleFold(key: string, open = !this.openFolds.has(key)): void {
    if (open) this.openFolds.add(key);
    else this.openFolds.delete(key);
    this.rebuildEntries();
  }

  /**
   * Selects a row: the list shows it (`scroll`: just into view, centred, or
   * not moved) and grows it to its whole text; an event's row is selected in the
   * picture too, brought into the range when outside.
   */
  private select(key: string, scroll: "nearest" | "centre" | "none"): void {
    this.selectedKey = key;
    this.grown = null;
    const event = this.selectedEvent();
    if (event && (event.atMs < this.range.startMs || event.atMs > this.range.endMs)) {
      const span = this.range.endMs - this.range.startMs;
      this.range = { startMs: event.atMs - span / 2, endMs: event.atMs + span / 2 };
      this.follow = false;
      this.markPreset(null);
    }
    this.dirty = true;
    this.renderRows();
    if (scroll !== "none") this.scrollToSelected(scroll);
  }

  private scrollToSelected(how: "nearest" | "centre"): void {
    const index = this.selectedIndex();
    if (index < 0) return;
    const top = rowTop(index, LIST_ROW, this.grown);
    const height = LIST_ROW + (this.grown?.index === index ? this.grown.extra : 0);
    const viewport = this.listScroll.clientHeight || 300;
    const scrollTop = this.listScroll.scrollTop;
    if (top >= scrollTop && top + height <= scrollTop + viewport) return;
    this.listScroll.scrollTop =
      how === "centre" ? Math.max(0, top - viewport / 2 + height / 2) : top < scrollTop ? top : top + height - viewport;
    this.renderRows();
  }

  /** The list's keys: arrows move the selection, → and ← open and close a fold, Enter or Space toggles it. */
  private listKeys(event: KeyboardEvent): void {
    const count = this.entries.length;
    if (!count) return;
    const index = this.selectedIndex();
    const entry = this.entries[index];
    const page = Math.max(1, Math.floor((this.listScroll.clientHeight || 300) / LIST_ROW) - 1);
    const from = index < 0 ? Math.min(count - 1, Math.floor(this.listScroll.scrollTop / LIST_ROW)) : index;
    let next: number | null = null;
    switch (event.key) {
      case "ArrowDown":
        next = index < 0 ? from : from + 1;
        break;
      case "ArrowUp":
        next = index < 0 ? from : from - 1;
        break;
      case "PageDown":
        next = from + page;
        break;
      case "PageUp":
        next = from - page;
        break;
      case "Home":
        next = 0;
        break;
      case "End":
        next = count - 1;
        break;
      case "ArrowRight":
        if (entry?.type === "fold" && !entry.fold.open) this.toggleFold(entry.key, true);
        else if (entry?.type === "fold") next = index + 1;
        break;
      case "ArrowLeft":
        if (entry?.type === "fold" && entry.fold.open) this.toggleFold(entry.key, false);
        else if (entry?.type === "event" && entry.inFold) next = this.entryIndex.get(entry.inFold) ?? null;
        break;
      case "Enter":
      case " ":
        if (entry?.type === "fold") this.toggleFold(entry.key);
        break;
      default:
        return;
    }
    event.preventDefault();
    if (next !== null) this.select(this.entries[Math.max(0, Math.min(count - 1, next))].key, "nearest");
  }

  /**
   * Selects an event picked in the picture: its row (its fold opened if it is
   * folded), or the nearest row in time when the filter hides it.
   */
  private selectFromPicture(event: Event): void {
    let key = `event:${event.id}`;
    if (!this.entryIndex.has(key)) {
      const fold = this.foldOfEvent.get(event.id);
      if (fold) this.toggleFold(fold, true);
    }
    if (!this.entryIndex.has(key)) {
      if (!this.filtered.length) return;
      const nearest = this.filtered[indexNearest(this.filtered, event.atMs)];
      key = `event:${nearest.id}`;
      if (!this.entryIndex.has(key)) key = this.foldOfEvent.get(nearest.id) ?? key;
    }
    if (this.entryIndex.has(key)) this.select(key, "centre");
  }

  // --- range ---------------------------------------------------------------

  private setPreset(preset: Preset): void {
    this.range = presetRange(preset, Date.now(), this.model);
    this.follow = preset !== "all";
    this.markPreset(preset);
    this.dirty = true;
  }

  private markPreset(preset: Preset | null): void {
    for (const [p, button] of this.presets) button.setAttribute("aria-pressed", String(p === preset));
  }

  /**
   * Zooms by `factor` around `anchorMs`; without one, around the selected event
   * when it is in view, else now while following (so it keeps following), else the centre.
   */
  private zoomBy(factor: number, anchorMs?: number): void {
    const { startMs, endMs } = this.range;
    const selected = this.selectedEvent();
    const inView = selected && selected.atMs >= startMs && selected.atMs <= endMs ? selected.atMs : null;
    const anchor = anchorMs ?? inView ?? (this.follow ? Math.min(Date.now(), endMs) : (startMs + endMs) / 2);
    if (anchorMs !== undefined || inView !== null) this.follow = false;
    this.range = zoom(this.range, factor, anchor);
    this.markPreset(null);
    this.dirty = true;
  }

  /** Exports the events the filter shows; where they went, or why not, is said beside the button. */
  private async export(): Promise<void> {
    this.exportError.hidden = true;
    this.exportError.textContent = "";
    try {
      const query: TimelineQuery = { ...this.query(), credential: this.credentialSelect.value || null, kinds: [...this.kinds] };
      const path = await api.exportTimeline(query);
      this.exportPath.textContent = `Exported to ${path}`;
      this.exportPath.title = path;
      toast("Timeline exported.", "ok");
    } catch (error) {
      // The path of an earlier export would read as this one's.
      this.exportPath.textContent = "";
      this.exportPath.removeAttribute("title");
      this.exportError.textContent = `Could not export the timeline: ${toReport(error).message}`;
      this.exportError.hidden = false;
    }
  }

  // --- the picture ---------------------------------------------------------

  private rowsShown(): number[] {
    const credential = this.credentialSelect.value;
    return this.model.rows.map((_, i) => i).filter((i) => !credential || this.model.rows[i] === credential);
  }

  private plotWidth(): number {
    return Math.max(1, this.pictureWrap.clientWidth - GUTTER);
  }

  private bindPicture(): void {
    const wrap = this.pictureWrap;
    let press: { x: number; range: Range; pointerId: number; dragging: boolean } | null = null;
    let swallowClick = false;
    wrap.addEventListener("wheel", (event) => this.wheel(event), { passive: false });
    wrap.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      press = { x: event.clientX, range: this.range, pointerId: event.pointerId, dragging: false };
    });
    wrap.addEventListener("pointermove", (event) => {
      if (press && event.buttons & 1) {
        const dx = event.clientX - press.x;
        if (!press.dragging && Math.abs(dx) > DRAG_PX) {
          // Captured only once it drags: a press and release on a mark stays a click on it.
          press.dragging = true;
          wrap.setPointerCapture(press.pointerId);
          wrap.classList.add("dragging");
          this.hideTooltip();
        }
        if (press.dragging) {
          this.range = pan(press.range, (-dx / this.plotWidth()) * (press.range.endMs - press.range.startMs));
          this.follow = false;
          this.markPreset(null);
          this.dirty = true;
        }
      }
    });
    const release = (): void => {
      if (press?.dragging) swallowClick = true;
      press = null;
      wrap.classList.remove("dragging");
    };
    wrap.addEventListener("pointerup", release);
    wrap.addEventListener("pointercancel", release);
    // The click that ends a drag selects nothing.
    wrap.addEventListener(
      "click",
      (event) => {
        if (!swallowClick) return;
        swallowClick = false;
        event.stopPropagation();
        event.preventDefault();
      },
      true,
    );
    wrap.addEventListener("keydown", (event) => this.pictureKeys(event));

    const layer = this.markLayer;
    layer.addEventListener("click", (event) => {
      const item = this.itemOf(event.target);
      if (item) this.activate(item);
    });
    layer.addEventListener("pointerover", (event) => {
      const item = this.itemOf(event.target);
      if (item && !press?.dragging) this.showTooltip(item);
    });
    // Off the marks, the tooltip tells of the mark the keyboard is on, if any.
    layer.addEventListener("pointerout", (event) => {
      if (this.itemOf(event.relatedTarget)) return;
      const focused = keyboardFocused(document.activeElement) ? this.itemOf(document.activeElement) : undefined;
      if (focused) this.showTooltip(focused);
      else this.hideTooltip();
    });
    layer.addEventListener("focusin", (event) => {
      const item = this.itemOf(event.target);
      if (!item) return;
      this.focusKey = item.key;
      this.focusEventId = itemEvent(item).id;
      if (keyboardFocused(event.target)) this.showTooltip(item);
    });
    layer.addEventListener("focusout", (event) => {
      if (!this.itemOf(event.relatedTarget)) this.hideTooltip();
    });
  }

  /** Wheel: zoom keeping the instant under the pointer where it is, or pan (sideways, or with Shift). */
  private wheel(event: WheelEvent): void {
    event.preventDefault();
    const now = performance.now();
    const locked = this.wheelLock && now - this.wheelLock.at < GESTURE_MS ? this.wheelLock.axis : null;
    const axis = wheelAxis(event.deltaX, event.deltaY, event.shiftKey, event.ctrlKey, locked);
    this.wheelLock = { axis, at: now };
    const width = this.plotWidth();
    if (axis === "pan") {
      const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? width : 1;
      const delta = (event.shiftKey && !event.deltaX ? event.deltaY : event.deltaX) * unit;
      this.range = pan(this.range, (delta / width) * (this.range.endMs - this.range.startMs));
    } else {
      const factor = wheelZoomFactor(event.deltaY, event.deltaMode);
      const item = this.itemOf(event.target);
      if (item && item.type !== "more") {
        // Over a mark, the instant pointed at is the mark's: it stays where it is (under the
        // pointer), though the pointer may be a few pixels, so seconds, off its centre.
        this.range = zoom(this.range, factor, itemTime(item));
      } else {
        // From the pointer's place on the page, whatever element is under it.
        const x = event.clientX - this.pictureWrap.getBoundingClientRect().left - this.pictureWrap.clientLeft - GUTTER;
        const fraction = Number.isFinite(x) ? Math.min(1, Math.max(0, x / width)) : 0.5;
        this.range = zoomAt(this.range, fraction, factor);
      }
    }
    this.follow = false;
    this.markPreset(null);
    this.dirty = true;
  }

  /**
   * Keys on the picture: ← → pan, + − zoom (around the selection, else the
   * centre). On a mark: ← → the previous and next mark of its row, ↑ ↓ the
   * nearest in the row above or below, Home End the row's first and last,
   * + − zoom around it; Escape folds an open group back.
   */
  private pictureKeys(event: KeyboardEvent): void {
    const item = this.itemOf(event.target);
    const key = event.key;
    if (!item) {
      if (event.target !== this.pictureWrap) return;
      if (key === "Escape" && this.openGroup) {
        event.preventDefault();
        this.openGroup = null;
        this.draw();
        return;
      }
      const span = this.range.endMs - this.range.startMs;
      if (key === "+" || key === "=" || key === "-") {
        event.preventDefault();
        this.zoomBy(key === "-" ? 2 : 0.5);
        return;
      }
      if (key !== "ArrowLeft" && key !== "ArrowRight") return;
      event.preventDefault();
      this.range = pan(this.range, (key === "ArrowLeft" ? -span : span) * 0.1);
      this.follow = false;
      this.markPreset(null);
      this.dirty = true;
      return;
    }
    let target: PictureItem | undefined;
    if (key === "ArrowLeft" || key === "ArrowRight" || key === "Home" || key === "End") {
      const row = this.itemList.filter((i) => i.rowIndex === item.rowIndex);
      const at = row.indexOf(item);
      target = key === "Home" ? row[0] : key === "End" ? row[row.length - 1] : row[at + (key === "ArrowRight" ? 1 : -1)];
    } else if (key === "ArrowUp" || key === "ArrowDown") {
      const rowIndex = item.rowIndex + (key === "ArrowDown" ? 1 : -1);
      const centre = item.left + item.width / 2;
      let best = Infinity;
      for (const other of this.itemList) {
        const distance = Math.abs(other.left + other.width / 2 - centre);
        if (other.rowIndex === rowIndex && distance < best) {
          best = distance;
          target = other;
        }
      }
    } else if (key === "+" || key === "=" || key === "-") {
      event.preventDefault();
      event.stopPropagation();
      this.zoomBy(key === "-" ? 2 : 0.5, itemTime(item));
      this.draw();
      return;
    } else if (key === "Escape" && this.openGroup) {
      event.preventDefault();
      const group = item.group;
      this.openGroup = null;
      this.focusKey = `lane:${group.key}`;
      this.draw();
      this.markElement(this.focusKey)?.focus();
      return;
    } else {
      return;
    }
    event.preventDefault();
    if (target) this.markElement(target.key)?.focus();
  }

  private itemOf(target: EventTarget | null): PictureItem | undefined {
    if (!(target instanceof Element)) return undefined;
    const element = target.closest<HTMLElement>("[data-key]");
    return element && this.markLayer.contains(element) ? this.items.get(element.dataset.key ?? "") : undefined;
  }

  private markElement(key: string): HTMLElement | undefined {
    return this.marks.element(key);
  }

  /** A click (or Enter, Space) on a mark: select its event; on a group: open or fold it; on "+n": zoom into the group. */
  private activate(item: PictureItem): void {
    if (item.type === "more") {
      // Closer in around the members shown (the group stays open): they spread, the rest come apart.
      const shown = this.itemList.filter((i): i is Extract<PictureItem, { type: "member" }> => i.type === "member");
      const middle = shown.length ? (shown[0].mark.atMs + shown[shown.length - 1].mark.atMs) / 2 : itemTime(item);
      this.range = zoom(this.range, 0.25, middle);
      this.follow = false;
      this.markPreset(null);
      this.draw();
      return;
    }
    if (item.type === "member") {
      this.selectFromPicture(item.mark.event);
    } else if (item.group.members.length === 1) {
      this.selectFromPicture(item.group.members[0].event);
    } else {
      const open = this.openGroup && item.group.row === this.openGroup.row && item.group.members.some((m) => m.event.id === this.openGroup?.eventId);
      this.openGroup = open ? null : { row: item.group.row, eventId: item.group.members[0].event.id };
    }
    this.focusKey = item.key;
    this.draw();
  }

  private showTooltip(item: PictureItem): void {
    this.tooltipKey = item.key;
    const today = new Date().toDateString();
    if (item.type === "more") {
      replace(this.tooltip, h("div", null, `${item.hidden.toLocaleString()} more events here: click to zoom in on the group`));
    } else if (item.type === "member" || item.group.members.length === 1) {
      const mark = item.type === "member" ? item.mark : item.group.members[0];
      const event = mark.event;
      replace(
        this.tooltip,
        h("div", { class: "tt-head" }, h("strong", null, markLabel(mark)), " · ", event.credential, " · ", preciseTime(event.atMs, today)),
        h("div", null, event.summary),
        mark.decision && h("div", null, mark.decision.summary),
        mark.routine && h("div", { class: "muted small" }, "the keeper's routine housekeeping"),
      );
    } else {
      const { members } = item.group;
      const first = members[0];
      const span = members[members.length - 1].atMs - first.atMs;
      const open = item.key === this.openLaneKey();
      replace(
        this.tooltip,
        h(
          "div",
          { class: "tt-head" },
          h("strong", null, `${members.length.toLocaleString()} events`),
          span > 0 ? ` within ${spanText(span)}` : " at the same instant",
          " · ",
          first.event.credential,
          " · ",
          preciseTime(first.atMs, today),
        ),
        h(
          "ul",
          { class: "tt-members" },
          // Within a second, how far after the first; else each one's clock time.
          members.slice(0, NAMED).map((m) => h("li", null, h("span", { class: "muted" }, span < 1000 ? `+${m.atMs - first.atMs} ms ` : `${clockTime(m.atMs)} `), markLabel(m))),
        ),
        members.length > NAMED && h("div", { class: "muted small" }, `and ${(members.length - NAMED).toLocaleString()} more`),
        h("div", { class: "muted small" }, open ? "Click or press Escape to fold them back." : "Click or press Enter to spread them out."),
      );
    }
    this.tooltip.hidden = false;
    const width = this.pictureWrap.clientWidth;
    this.tooltip.style.left = `${Math.max(0, Math.min(GUTTER + item.left + item.width / 2 - 20, width - 340))}px`;
    // Under a row's mark: below the whole row, so an open group's lane stays in sight.
    const below = item.type === "lane" ? (this.places.tops[item.rowIndex] ?? 0) + (this.places.heights[item.rowIndex] ?? ROW) : item.top + MARK_SIZE;
    this.tooltip.style.top = `${AXIS + below + 4}px`;
  }

  private hideTooltip(): void {
    this.tooltipKey = null;
    this.tooltip.hidden = true;
  }

  private openLaneKey(): string | null {
    const open = this.itemList.find((i) => i.type === "member");
    return open ? `lane:${open.group.key}` : null;
  }

  /** The rows' places, with a lane under the row of the open group. */
  private rowPlaces(openRow: number | null): RowPlaces {
    const rows = this.rowsShown();
    const tops: number[] = [];
    const heights: number[] = [];
    let y = 0;
    for (const row of rows) {
      tops.push(y);
      const height = ROW + (row === openRow ? LANE : 0);
      heights.push(height);
      y += height;
    }
    return { rows, tops, heights };
  }

  /** Lays out the marks over the picture: each row's marks and groups, and the open group's members under it. */
  private layoutMarks(width: number): { places: RowPlaces; items: PictureItem[]; open: { group: MarkGroup; rowIndex: number } | null } {
    const groups = groupMarks(this.model.marks, this.range, width);
    const shown = new Set(this.rowsShown());
    const wanted = this.openGroup;
    const openGroup = wanted
      ? groups.find((g) => g.row === wanted.row && g.members.length > 1 && g.members.some((m) => m.event.id === wanted.eventId))
      : undefined;
    const places = this.rowPlaces(openGroup && shown.has(openGroup.row) ? openGroup.row : null);
    const rowIndex = new Map(places.rows.map((row, i) => [row, i]));
    const items: PictureItem[] = [];
    let open: { group: MarkGroup; rowIndex: number } | null = null;
    const markTop = (ROW - MARK_SIZE) / 2;
    const byRow = places.rows.map(() => [] as PictureItem[]);
    for (const group of groups) {
      const index = rowIndex.get(group.row);
      if (index === undefined) continue;
      const lane: PictureItem = { type: "lane", key: `lane:${group.key}`, group, rowIndex: index, left: group.left, top: places.tops[index] + markTop, width: group.width };
      byRow[index].push(lane);
      if (group !== openGroup) continue;
      open = { group, rowIndex: index };
      const selected = this.selectedEvent();
      const around = Math.max(0, group.members.findIndex((m) => standsFor(m, selected?.id)));
      const fan = fanLayout(group, this.range, width, around);
      const top = places.tops[index] + ROW + (LANE - MARK_SIZE) / 2;
      for (const { mark, x } of fan.items) {
        byRow[index].push({ type: "member", key: `member:${mark.event.id}`, mark, group, rowIndex: index, left: x - MARK_SIZE / 2, top, width: MARK_SIZE });
      }
      if (fan.moreX !== null) {
        byRow[index].push({ type: "more", key: "more", group, hidden: fan.hidden, rowIndex: index, left: fan.moreX - MARK_SIZE / 2, top, width: MARK_SIZE });
      }
    }
    // Keyboard order: row by row, each row's marks by time, an open group's members right after it.
    for (const row of byRow) items.push(...row);
    return { places, items, open };
  }

  /** Shows the marks (buttons over the canvas), keeping the picture's one tab stop and the focus on a mark across a regroup. */
  private renderMarks(items: PictureItem[]): void {
    const hadFocus = this.markLayer.contains(document.activeElement);
    this.itemList = items;
    this.items = new Map(items.map((item) => [item.key, item]));
    const selected = this.selectedEvent();
    let stop = this.focusKey !== null ? this.items.get(this.focusKey) : undefined;
    if (!stop && this.focusEventId !== null) stop = this.itemHolding(this.focusEventId);
    if (!stop && selected) stop = this.itemHolding(selected.id);
    stop ??= items[0];
    this.focusKey = stop?.key ?? null;
    this.marks.render(items);
    for (const item of items) this.markElement(item.key)?.setAttribute("tabindex", item === stop ? "0" : "-1");
    if (hadFocus && stop && !this.markLayer.contains(document.activeElement)) this.markElement(stop.key)?.focus();
    if (this.tooltipKey !== null) {
      const shown = this.items.get(this.tooltipKey);
      if (shown) this.showTooltip(shown);
      else this.hideTooltip();
    }
  }

  /** The item that shows event `id`: its own mark, an open group's member, or the group holding it. */
  private itemHolding(id: number): PictureItem | undefined {
    let holder: PictureItem | undefined;
    for (const item of this.itemList) {
      if (item.type === "member" && standsFor(item.mark, id)) return item;
      if (item.type === "lane" && !holder && item.group.members.some((m) => standsFor(m, id))) holder = item;
    }
    return holder;
  }

  private updateMark(element: HTMLButtonElement, item: PictureItem): void {
    element.style.left = `${item.left}px`;
    element.style.top = `${item.top}px`;
    const selectedId = this.selectedEvent()?.id;
    const today = this.today;
    if (item.type === "more") {
      element.className = "tl-more";
      element.dataset.testid = "timeline-group-more";
      element.textContent = `+${item.hidden > 99 ? "99+" : item.hidden}`;
      element.setAttribute("aria-label", `${item.hidden.toLocaleString()} more events of the group: zoom in on them`);
      element.style.width = `${item.width}px`;
      return;
    }
    const group = item.group;
    const single = item.type === "member" ? item.mark : group.members.length === 1 ? group.members[0] : null;
    const faint = !this.showRoutine && (single ? single.routine : group.routine);
    if (single) {
      const selected = standsFor(single, selectedId);
      element.className = `tl-mark mark-${single.kind}${item.type === "member" ? " tl-member" : ""}${faint ? " routine" : ""}${selected ? " selected" : ""}`;
      element.dataset.testid = "timeline-mark";
      element.dataset.kind = single.kind;
      element.dataset.eventId = String(single.event.id);
      delete element.dataset.count;
      element.removeAttribute("aria-expanded");
      element.textContent = "";
      element.style.width = "";
      if (selected) element.setAttribute("aria-current", "true");
      else element.removeAttribute("aria-current");
      element.setAttribute("aria-label", `${markLabel(single)}, ${single.event.credential}, ${preciseTime(single.atMs, today)}${single.routine ? ", keeper housekeeping" : ""}`);
      return;
    }
    const members = group.members;
    const open = item.key === this.openLaneKey();
    const holdsSelection = members.some((m) => standsFor(m, selectedId));
    const long = item.width >= LONG_GROUP;
    element.className = `tl-group mark-${group.kind}${long ? " long" : ""}${faint ? " routine" : ""}${holdsSelection ? " holds-selected" : ""}`;
    element.dataset.testid = "timeline-group";
    element.dataset.kind = group.kind;
    element.dataset.count = String(members.length);
    delete element.dataset.eventId;
    element.removeAttribute("aria-current");
    element.setAttribute("aria-expanded", String(open));
    element.style.width = `${item.width}px`;
    element.replaceChildren(h("span", { class: "tl-count" }, members.length > 99 ? "99+" : String(members.length)));
    const named = members.slice(0, NAMED).map(markLabel);
    const more = members.length > NAMED ? `, and ${(members.length - NAMED).toLocaleString()} more` : "";
    element.setAttribute(
      "aria-label",
      `${members.length.toLocaleString()} events, ${members[0].event.credential}, from ${preciseTime(members[0].atMs, today)}: ${named.join(", ")}${more}`,
    );
  }

  private draw(): void {
    this.dirty = false;
    const canvas = this.canvas;
    const cssWidth = this.pictureWrap.clientWidth;
    const width = Math.max(1, cssWidth - GUTTER);
    const range = this.range;
    this.today = new Date().toDateString();
    const { places, items, open } = this.layoutMarks(width);
    this.places = places;
    const plotHeight = places.heights.reduce((sum, height) => sum + height, 0);
    const cssHeight = AXIS + Math.max(ROW, plotHeight) + 8;
    this.markLayer.style.height = `${plotHeight}px`;
    this.renderMarks(cssWidth > 0 ? items : []);

    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(cssWidth * dpr) || canvas.height !== Math.round(cssHeight * dpr)) {
      canvas.width = Math.round(cssWidth * dpr);
      canvas.height = Math.round(cssHeight * dpr);
      canvas.style.height = `${cssHeight}px`;
    }
    const ctx = canvas.getContext("2d");
    if (!ctx || cssWidth === 0) return;
    const colors = (this.colors ??= readColors(this.element));
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    const now = Date.now();
    const x = (ms: number): number => GUTTER + timeToX(range, width, ms);

    // Axis and grid.
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    const axis = ticks(range, width);
    for (const t of axis.ticks) {
      const tx = Math.round(x(t)) + 0.5;
      ctx.strokeStyle = colors.line;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(tx, AXIS - 4);
      ctx.lineTo(tx, cssHeight);
      ctx.stroke();
      ctx.fillStyle = colors.muted;
      ctx.fillText(tickLabel(t, axis.step), tx + 3, AXIS / 2);
    }

    // Row labels and separators; the open group's lane tinted.
    places.rows.forEach((row, i) => {
      const y = AXIS + places.tops[i];
      const bottom = y + places.heights[i];
      if (open?.rowIndex === i) {
        ctx.fillStyle = colors.line;
        ctx.globalAlpha = 0.35;
        ctx.fillRect(GUTTER, y + ROW, width, LANE);
        ctx.globalAlpha = 1;
      }
      ctx.fillStyle = colors.ink;
      ctx.font = "600 12px system-ui, sans-serif";
      const name = this.model.rows[row];
      ctx.fillText(name.length > 16 ? `${name.slice(0, 15)}…` : name, 8, y + ROW / 2);
      ctx.strokeStyle = colors.line;
      ctx.beginPath();
      ctx.moveTo(0, bottom + 0.5);
      ctx.lineTo(cssWidth, bottom + 0.5);
      ctx.stroke();
    });
    if (!places.rows.length) {
      ctx.fillStyle = colors.muted;
      ctx.font = "13px system-ui, sans-serif";
      ctx.fillText("Nothing to draw yet: token lifetimes appear here once a credential is authorized.", GUTTER, AXIS + ROW / 2);
    }
    const rowY = new Map(places.rows.map((row, i) => [row, AXIS + places.tops[i]]));

    ctx.save();
    ctx.beginPath();
    ctx.rect(GUTTER, 0, width, cssHeight);
    ctx.clip();

    // Token lifetimes.
    for (const bar of visibleBars(this.model.bars, range, now)) {
      const top = rowY.get(bar.row);
      if (top === undefined) continue;
      const x1 = Math.max(GUTTER - 2, x(bar.startMs));
      const x2 = Math.min(cssWidth + 2, x(barDrawEnd(bar, now)));
      const y = top + ROW / 2 - 6;
      const w = Math.max(2, x2 - x1);
      ctx.globalAlpha = bar.endMs === null ? 0.18 : 0.35;
      ctx.fillStyle = colors.bar;
      ctx.fillRect(x1, y, w, 12);
      ctx.globalAlpha = 1;
      ctx.strokeStyle = colors.bar;
      ctx.lineWidth = 1.5;
      if (bar.endMs === null) ctx.setLineDash([5, 4]);
      ctx.strokeRect(x1 + 0.5, y + 0.5, w - 1, 11);
      ctx.setLineDash([]);
      ctx.fillStyle = colors.bar;
      ctx.fillRect(x1, y - 2, 2, 16);
    }

    // Inside a long group, where its members are: one tick per pixel column, in the most telling kind's colour.
    for (const item of items) {
      if (item.type !== "lane" || item.width < LONG_GROUP) continue;
      const columns = new Map<number, number>();
      for (const member of item.group.members) {
        const column = Math.floor(x(member.atMs));
        const telling = TELLING.indexOf(member.kind);
        columns.set(column, Math.min(columns.get(column) ?? telling, telling));
      }
      const mid = AXIS + item.top + MARK_SIZE / 2;
      ctx.globalAlpha = !this.showRoutine && item.group.routine ? 0.35 : 1;
      for (const [column, telling] of columns) {
        const kind = TELLING[telling];
        ctx.fillStyle = colors.marks[kind];
        const tall = kind === "request" ? 3 : 5;
        ctx.fillRect(column, mid - tall, 1, tall * 2);
      }
      ctx.globalAlpha = 1;
    }

    // The open group's members, each tied to its own instant on the row.
    if (open) {
      const from = AXIS + places.tops[open.rowIndex] + ROW / 2 + MARK_SIZE / 2;
      ctx.strokeStyle = colors.muted;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (const item of items) {
        if (item.type !== "member") continue;
        ctx.moveTo(x(item.mark.atMs), from);
        ctx.lineTo(GUTTER + item.left + MARK_SIZE / 2, AXIS + item.top);
      }
      ctx.stroke();
    }

    // Now.
    if (now >= range.startMs && now <= range.endMs) {
      const nx = Math.round(x(now)) + 0.5;
      ctx.strokeStyle = colors.now;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(nx, AXIS - 6);
      ctx.lineTo(nx, cssHeight);
      ctx.stroke();
      ctx.fillStyle = colors.now;
      const label = ctx.measureText("now").width;
      ctx.fillText("now", nx + 3 + label > cssWidth ? nx - 3 - label : nx + 3, AXIS - 4);
    }
    ctx.restore();
  }
}

/** A list row's element id, for aria-activedescendant. */
const rowId = (key: string): string => `timeline-row-${key.replace(":", "-")}`;

/** Focus the keyboard brought (a click's focus shows no tooltip that would stay after the pointer left). */
function keyboardFocused(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  try {
    return target.matches(":focus-visible");
  } catch {
    return true;
  }
}

/** The event a picture item stands for (a group: its first). */
function itemEvent(item: PictureItem): Event {
  return item.type === "member" ? item.mark.event : item.group.members[0].event;
}

/** The instant a picture item stands at: a group's middle, a member's own time. */
function itemTime(item: PictureItem): number {
  if (item.type === "member") return item.mark.atMs;
  if (item.type === "more") return item.group.members[0].atMs;
  const { members } = item.group;
  return (members[0].atMs + members[members.length - 1].atMs) / 2;
}

/** Whether a mark stands for event `id`: its own, or the keeper's decision it was run for. */
function standsFor(mark: Mark, id: number | undefined): boolean {
  return id !== undefined && (mark.event.id === id || mark.decision?.id === id);
}

/** A mark's label: its event's, "by the keeper" when it stands for the keeper's renewal. */
function markLabel(mark: Mark): string {
  return `${eventLabel(mark.event).label}${mark.decision ? " by the keeper" : ""}`;
}

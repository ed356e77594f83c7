// The refresh timeline: a canvas picture (token lifetimes as bars, events as
// marks, zoom/pan, presets) over a filterable, virtualized event list.
import * as api from "../api";
import type { Event } from "../bindings/Event";
import type { EventKind } from "../bindings/EventKind";
import { dateTime, shortTime } from "../logic/format";
import {
  barDrawEnd,
  bucketMarks,
  buildModel,
  hitTest,
  MARK_KINDS,
  MARK_LABELS,
  pan,
  presetRange,
  tickLabel,
  ticks,
  timeToX,
  visibleBars,
  xToTime,
  zoom,
  type Bucket,
  type MarkKind,
  type Preset,
  type Range,
  type TimelineModel,
} from "../logic/timelineLayout";
import { EVENT_KINDS, eventLabel, filterEvents, indexNearest, KIND_LABELS, mergeNewEvents, virtualWindow } from "../logic/timelineList";
import { fetchPages, troubleText } from "../logic/timelinePages";
import type { TimelineQuery } from "../pending-types";
import { subscribe } from "../shellEvents";
import * as store from "../store";
import { busy, debounce, h, replace } from "../ui/dom";
import { KeyedList } from "../ui/keyed";
import { onThemeApplied } from "../ui/theme";
import { toast, toastError } from "../ui/toast";

const GUTTER = 120;
const AXIS = 24;
const ROW = 36;
const LIST_ROW = 30;

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

export class TimelineView {
  readonly element = h("section", { class: "view view-timeline", "aria-labelledby": "timeline-title" });
  private events: Event[] = [];
  private model: TimelineModel = buildModel([]);
  private filtered: Event[] = [];
  private range: Range = presetRange("5m", Date.now());
  private follow = true;
  private canvas = h("canvas", { class: "timeline-canvas", testid: "timeline-picture", tabindex: 0, role: "img", "aria-label": "Token lifetimes and events over time" });
  private pictureWrap = h("div", { class: "picture-wrap" }, this.canvas);
  private tooltip = h("div", { class: "tl-tooltip", hidden: true, role: "tooltip" });
  private credentialSelect = h("select", { testid: "timeline-credential", "aria-label": "Credential" });
  private textFilter = h("input", { type: "search", placeholder: "Filter events (e.g. INVALID_SESSION_ID, refresh failed)", "aria-label": "Filter events", class: "text-filter" });
  private chips = h("div", { class: "chips", role: "group", "aria-label": "Event kinds" });
  private kinds = new Set<EventKind>();
  private listScroll = h("div", { class: "event-list", tabindex: 0, role: "list", "aria-label": "Events" });
  private listInner = h("div", { class: "event-list-inner" });
  private countLabel = h("span", { class: "muted small" });
  private exportPath = h("span", { class: "muted small export-path" });
  private troubleBanner = h("div", { class: "timeline-trouble", testid: "timeline-trouble", role: "alert", hidden: true });
  /** Bumped by every full load: pages of an older one are dropped. */
  private generation = 0;
  private presets = new Map<Preset, HTMLButtonElement>();
  private buckets: Bucket[] = [];
  private colors: Colors | null = null;
  private dirty = true;
  private stale = true;
  private loading = false;
  private highlightId: number | null = null;
  private credentialNames: string | null = null;
  private today = new Date().toDateString();
  /** The rows on screen, by event id: one that stays on screen keeps its element. */
  private rows = new KeyedList<{ event: Event; index: number }>(
    this.listInner,
    // The day is in the key: after midnight, rows show yesterday's events with their date.
    ({ event }) => `${event.id}@${this.today}`,
    ({ event }) => this.createRow(event),
    (row, { event, index }) => {
      row.style.transform = `translateY(${index * LIST_ROW}px)`;
      row.classList.toggle("highlight", event.id === this.highlightId);
    },
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
    this.credentialSelect.addEventListener("change", () => {
      this.applyFilter();
      this.dirty = true;
    });
    this.textFilter.addEventListener("input", () => this.refilter());

    this.listScroll.append(this.listInner);
    this.listScroll.addEventListener("scroll", () => this.renderRows(), { passive: true });
    this.listScroll.addEventListener("keydown", (event) => {
      const page = this.listScroll.clientHeight - LIST_ROW;
      const moves: Record<string, number> = { ArrowDown: LIST_ROW, ArrowUp: -LIST_ROW, PageDown: page, PageUp: -page };
      if (event.key in moves) {
        event.preventDefault();
        this.listScroll.scrollTop += moves[event.key];
      } else if (event.key === "Home") this.listScroll.scrollTop = 0;
      else if (event.key === "End") this.listScroll.scrollTop = this.listScroll.scrollHeight;
    });

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
        exportButton,
      ),
      this.troubleBanner,
      h("p", { class: "muted small help" }, "Why did (or didn't) a token refresh? Scroll to zoom, drag to pan, hover a mark for its reason, click it to find it in the list."),
      this.pictureWrap,
      legend,
      h("div", { class: "filter-bar" }, this.credentialSelect, this.chips, this.textFilter, this.countLabel),
      this.listScroll,
    );
    this.pictureWrap.append(this.tooltip);
    this.bindCanvas();
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
        if (merged === this.events) return;
        const listed = this.filtered.length;
        const top = this.listScroll.scrollTop;
        this.show(merged);
        // Scrolled down to read: the rows read stay where they were on screen,
        // the new events come in above them.
        if (top > 0) {
          this.listScroll.scrollTop = top + (this.filtered.length - listed) * LIST_ROW;
          this.renderRows();
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
    } catch (error) {
      this.countLabel.textContent = "";
      toastError("Could not load the timeline", error);
    } finally {
      this.loading = false;
    }
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
        try {
          const moved = await api.moveTimelineAside();
          toast(moved ? `The old timeline was moved to ${moved}; a fresh one records from now on.` : "The timeline file is sound again; recording there from now on.", "ok");
          this.troubleBanner.hidden = true;
          this.generation++;
          this.events = [];
          await this.load();
        } catch (error) {
          toastError("Could not move the timeline aside", error);
        }
      }),
    );
    replace(this.troubleBanner, h("strong", null, text.title), h("p", { class: "small" }, text.detail), move);
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

  private applyFilter(): void {
    this.filtered = filterEvents(this.events, {
      credential: this.credentialSelect.value || null,
      kinds: this.kinds,
      text: this.textFilter.value,
    });
    const total = this.events.length;
    this.countLabel.textContent =
      this.filtered.length === total ? `${total.toLocaleString()} events` : `${this.filtered.length.toLocaleString()} of ${total.toLocaleString()} events`;
    this.listInner.style.height = `${this.filtered.length * LIST_ROW}px`;
    this.renderRows();
  }

  private renderRows(): void {
    const viewport = this.listScroll.clientHeight || 300;
    const win = virtualWindow(this.listScroll.scrollTop, viewport, LIST_ROW, this.filtered.length);
    this.listInner.style.height = `${win.totalHeight}px`;
    if (!this.filtered.length) {
      this.rows.clear();
      replace(this.listInner, h("div", { class: "event-empty muted" }, this.events.length ? "No event matches the filter." : "No events yet. Authorize a credential or send a request, and every decision lands here."));
      return;
    }
    // Newest first: row i shows filtered[length - 1 - i].
    const last = this.filtered.length - 1;
    this.today = new Date().toDateString();
    const shown: { event: Event; index: number }[] = [];
    for (let i = win.start; i < win.end; i++) shown.push({ event: this.filtered[last - i], index: i });
    this.rows.render(shown);
  }

  /** An event's row: its texts never change (events are never edited). */
  private createRow(event: Event): HTMLElement {
    const { label, tone } = eventLabel(event);
    const row = h(
      "div",
      { class: "event-row", testid: "timeline-event", "data-kind": event.event.kind, role: "listitem", title: event.summary },
      h("span", { class: "ev-time", title: dateTime(event.atMs) }, shortTime(event.atMs, this.today)),
      h("span", { class: "ev-cred" }, event.credential),
      h("span", { class: `ev-kind tone-${tone}` }, label),
      h("span", { class: "ev-summary" }, event.summary),
    );
    row.addEventListener("click", () => this.focusTime(event.atMs, event.id));
    return row;
  }

  private focusTime(atMs: number, id: number): void {
    this.highlightId = id;
    const span = this.range.endMs - this.range.startMs;
    if (atMs < this.range.startMs || atMs > this.range.endMs) {
      this.range = { startMs: atMs - span / 2, endMs: atMs + span / 2 };
      this.follow = false;
      this.markPreset(null);
    }
    this.dirty = true;
    this.renderRows();
  }

  private scrollListTo(atMs: number): void {
    if (!this.filtered.length) return;
    const index = indexNearest(this.filtered, atMs);
    this.highlightId = this.filtered[index].id;
    const row = this.filtered.length - 1 - index;
    this.listScroll.scrollTop = Math.max(0, row * LIST_ROW - this.listScroll.clientHeight / 2);
    this.renderRows();
  }

  private setPreset(preset: Preset): void {
    this.range = presetRange(preset, Date.now(), this.model);
    this.follow = preset !== "all";
    this.markPreset(preset);
    this.dirty = true;
  }

  private markPreset(preset: Preset | null): void {
    for (const [p, button] of this.presets) button.setAttribute("aria-pressed", String(p === preset));
  }

  private zoomBy(factor: number, anchorMs?: number): void {
    const anchor = anchorMs ?? (this.follow ? Math.min(Date.now(), this.range.endMs) : (this.range.startMs + this.range.endMs) / 2);
    this.range = zoom(this.range, factor, anchor);
    this.markPreset(null);
    this.dirty = true;
  }

  private async export(): Promise<void> {
    try {
      const query: TimelineQuery = { ...this.query(), credential: this.credentialSelect.value || null, kinds: [...this.kinds] };
      const path = await api.exportTimeline(query);
      this.exportPath.textContent = `Exported to ${path}`;
      this.exportPath.title = path;
      toast(`Timeline exported to ${path}`, "ok");
    } catch (error) {
      toastError("Could not export the timeline", error);
    }
  }

  // --- the picture ---------------------------------------------------------

  private rowsShown(): number[] {
    const credential = this.credentialSelect.value;
    return this.model.rows.map((_, i) => i).filter((i) => !credential || this.model.rows[i] === credential);
  }

  private bindCanvas(): void {
    let drag: { x: number; range: Range } | null = null;
    const plotWidth = (): number => Math.max(1, this.canvas.clientWidth - GUTTER);
    this.canvas.addEventListener("wheel", (event) => {
      event.preventDefault();
      const x = event.offsetX - GUTTER;
      if (Math.abs(event.deltaX) > Math.abs(event.deltaY) || event.shiftKey) {
        const delta = (event.shiftKey ? event.deltaY : event.deltaX) / plotWidth();
        this.range = pan(this.range, delta * (this.range.endMs - this.range.startMs));
        this.follow = false;
      } else {
        this.zoomBy(event.deltaY > 0 ? 1.25 : 0.8, xToTime(this.range, plotWidth(), Math.max(0, x)));
        this.follow = false;
      }
      this.markPreset(null);
      this.dirty = true;
    }, { passive: false });
    this.canvas.addEventListener("pointerdown", (event) => {
      drag = { x: event.clientX, range: this.range };
      this.canvas.setPointerCapture(event.pointerId);
    });
    this.canvas.addEventListener("pointermove", (event) => {
      if (drag && (event.buttons & 1)) {
        const dx = event.clientX - drag.x;
        if (Math.abs(dx) > 2) {
          this.range = pan(drag.range, (-dx / plotWidth()) * (drag.range.endMs - drag.range.startMs));
          this.follow = false;
          this.markPreset(null);
          this.dirty = true;
          this.tooltip.hidden = true;
          return;
        }
      }
      this.hover(event.offsetX, event.offsetY);
    });
    this.canvas.addEventListener("pointerup", (event) => {
      const moved = drag ? Math.abs(event.clientX - drag.x) > 2 : false;
      drag = null;
      if (!moved) {
        const bucket = this.bucketAt(event.offsetX, event.offsetY);
        if (bucket) this.scrollListTo(bucket.first.atMs);
      }
    });
    this.canvas.addEventListener("pointerleave", () => (this.tooltip.hidden = true));
    this.canvas.addEventListener("keydown", (event) => {
      const span = this.range.endMs - this.range.startMs;
      if (event.key === "ArrowLeft") this.range = pan(this.range, -span * 0.1);
      else if (event.key === "ArrowRight") this.range = pan(this.range, span * 0.1);
      else if (event.key === "+" || event.key === "=") return this.zoomBy(0.5);
      else if (event.key === "-") return this.zoomBy(2);
      else return;
      event.preventDefault();
      this.follow = false;
      this.markPreset(null);
      this.dirty = true;
    });
  }

  private bucketAt(offsetX: number, offsetY: number): Bucket | null {
    const rows = this.rowsShown();
    const index = Math.floor((offsetY - AXIS) / ROW);
    if (index < 0 || index >= rows.length || offsetX < GUTTER) return null;
    return hitTest(this.buckets, rows[index], offsetX - GUTTER);
  }

  private hover(offsetX: number, offsetY: number): void {
    const bucket = this.bucketAt(offsetX, offsetY);
    if (!bucket) {
      this.tooltip.hidden = true;
      this.canvas.style.cursor = "grab";
      return;
    }
    this.canvas.style.cursor = "pointer";
    const event = bucket.first.event;
    replace(
      this.tooltip,
      h("div", { class: "tt-head" }, h("strong", null, MARK_LABELS[bucket.kind]), " · ", event.credential, " · ", dateTime(event.atMs)),
      h("div", null, event.summary),
      bucket.count > 1 && h("div", { class: "muted small" }, `+${(bucket.count - 1).toLocaleString()} more at this point — zoom in to separate them`),
    );
    this.tooltip.hidden = false;
    const width = this.pictureWrap.clientWidth;
    this.tooltip.style.left = `${Math.min(offsetX + 12, width - 340)}px`;
    this.tooltip.style.top = `${offsetY + 14}px`;
  }

  private draw(): void {
    this.dirty = false;
    const canvas = this.canvas;
    const rows = this.rowsShown();
    const cssWidth = this.pictureWrap.clientWidth;
    const cssHeight = AXIS + Math.max(1, rows.length) * ROW + 8;
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
    const width = cssWidth - GUTTER;
    const range = this.range;
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

    // Row labels and separators.
    rows.forEach((row, i) => {
      const y = AXIS + i * ROW;
      ctx.fillStyle = colors.ink;
      ctx.font = "600 12px system-ui, sans-serif";
      const name = this.model.rows[row];
      ctx.fillText(name.length > 16 ? `${name.slice(0, 15)}…` : name, 8, y + ROW / 2);
      ctx.strokeStyle = colors.line;
      ctx.beginPath();
      ctx.moveTo(0, y + ROW + 0.5);
      ctx.lineTo(cssWidth, y + ROW + 0.5);
      ctx.stroke();
    });
    if (!rows.length) {
      ctx.fillStyle = colors.muted;
      ctx.font = "13px system-ui, sans-serif";
      ctx.fillText("Nothing to draw yet: token lifetimes appear here once a credential is authorized.", GUTTER, AXIS + ROW / 2);
    }
    const rowY = new Map(rows.map((row, i) => [row, AXIS + i * ROW]));

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

    // Marks, one shape per (row, kind, pixel column).
    this.buckets = bucketMarks(this.model.marks, range, width).filter((b) => rowY.has(b.row));
    for (const bucket of this.buckets) {
      const top = rowY.get(bucket.row) ?? 0;
      const cx = GUTTER + bucket.column + 0.5;
      const size = Math.min(7, 3.5 + Math.log10(bucket.count) * 1.5);
      ctx.fillStyle = colors.marks[bucket.kind];
      ctx.strokeStyle = colors.marks[bucket.kind];
      const mid = top + ROW / 2;
      switch (bucket.kind) {
        case "request":
          ctx.fillRect(cx - 0.75, top + 4, 1.5, 8);
          break;
        case "expiry":
          ctx.beginPath();
          ctx.moveTo(cx, mid + 1);
          ctx.lineTo(cx - size, mid - size * 1.6);
          ctx.lineTo(cx + size, mid - size * 1.6);
          ctx.closePath();
          ctx.fill();
          break;
        case "refreshOk":
          ctx.beginPath();
          ctx.arc(cx, mid, size * 0.8, 0, Math.PI * 2);
          ctx.fill();
          break;
        case "refreshFailed":
          ctx.lineWidth = 2;
          ctx.beginPath();
          ctx.moveTo(cx - size * 0.8, mid - size * 0.8);
          ctx.lineTo(cx + size * 0.8, mid + size * 0.8);
          ctx.moveTo(cx + size * 0.8, mid - size * 0.8);
          ctx.lineTo(cx - size * 0.8, mid + size * 0.8);
          ctx.stroke();
          break;
        case "keepAlive":
          ctx.beginPath();
          ctx.moveTo(cx, mid + 4);
          ctx.lineTo(cx + size * 0.8, mid + 4 + size * 0.8);
          ctx.lineTo(cx, mid + 4 + size * 1.6);
          ctx.lineTo(cx - size * 0.8, mid + 4 + size * 0.8);
          ctx.closePath();
          ctx.fill();
          break;
        case "reauth":
          ctx.fillRect(cx - size * 0.8, top + ROW - 2 - size * 1.6, size * 1.6, size * 1.6);
          break;
      }
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

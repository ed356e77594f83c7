// The window's views as the shell sees them: what one view entry declares, and
// the navigation built from a list of entries (the app's list is
// views/registry.ts): the left nav with its buttons and badges, the Ctrl+key
// shortcuts, showing one view at a time, the once-a-second tick, and the
// shell's `navigate` event (the tray bringing the window up on a view).
import type { Navigate } from "../bindings/Navigate";
import { subscribe } from "../shellEvents";
import { h } from "./dom";

/** What a mounted view gives the shell. */
export interface ViewParts {
  element: HTMLElement;
  /** Every second while the window is open (countdowns, "now"). */
  tick?(now: number): void;
  /** Each time the view is shown. */
  shown?(): void;
  /** A key pressed anywhere while the view is shown, before the shell's shortcuts; true when handled. */
  key?(event: KeyboardEvent): boolean;
  /** The shell brought the window up on this view (`navigate` event), perhaps on a credential. */
  navigated?(payload: Navigate): void;
  /** Keeps the view's nav badge up to date: call `show` with a count (0 hides it) now and on every change. */
  badge?(show: (count: number, title: string) => void): void;
}

/** One view of the window. Adding a view is adding one of these to the registry. */
export interface ViewEntry {
  /** The view's name in the shell (`navigate` events, `data-testid="nav-<id>"`). */
  id: string;
  /** Its name in the left nav. */
  label: string;
  /** The SVG path of its nav icon (24×24 viewBox). */
  icon: string;
  /** The key that shows it with Ctrl (⌘ on macOS). */
  shortcut: string;
  /** The getting-started guide shows above it. */
  withGuide?: boolean;
  /** Builds the view; called once, at start, in registry order. */
  mount(): ViewParts;
}

/** The current view's id, with change notifications (store.view in the app). */
export interface ViewSignal {
  readonly value: string;
  set(value: string): void;
  subscribe(listener: () => void): () => void;
}

export interface NavigationTargets {
  /** Where the nav buttons go. */
  nav: HTMLElement;
  /** Where the views go. */
  main: HTMLElement;
  /** The line under the nav that names the shortcuts. */
  foot?: HTMLElement | null;
  /** The guide, before the views; shown only on views `withGuide`. */
  guide?: HTMLElement | null;
}

export interface Navigation {
  /** The mounted views, by id. */
  readonly views: ReadonlyMap<string, ViewParts>;
  /** Shows view `id` (ignored when there is none). */
  show(id: string): void;
  /** The once-a-second tick, to every view. */
  tick(now: number): void;
  /** Stops listening to keys and `navigate`. */
  dispose(): void;
}

function icon(path: string): SVGSVGElement {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.classList.add("nav-icon");
  const p = document.createElementNS("http://www.w3.org/2000/svg", "path");
  p.setAttribute("d", path);
  svg.append(p);
  return svg;
}

/** "Ctrl+1–4 switch views" for consecutive digits, else each shortcut named. */
export function shortcutsLine(entries: readonly Pick<ViewEntry, "shortcut">[]): string {
  const keys = entries.map((entry) => entry.shortcut);
  const digits = keys.map(Number);
  const consecutive = keys.length > 1 && keys.every((key, i) => /^\d$/.test(key) && (i === 0 || digits[i] === digits[i - 1] + 1));
  const named = consecutive ? `Ctrl+${keys[0]}–${keys[keys.length - 1]}` : keys.map((key) => `Ctrl+${key}`).join(", ");
  return `${named} switch views`;
}

/** Checks the entries before anything is built: ids and shortcuts are each used once. */
export function checkEntries(entries: readonly ViewEntry[]): void {
  const seen = new Map<string, string>();
  for (const entry of entries) {
    for (const [what, value] of [["id", entry.id], ["shortcut", entry.shortcut.toLowerCase()]]) {
      const other = seen.get(`${what}:${value}`);
      if (other) throw new Error(`views ${other} and ${entry.id} have the same ${what} "${value}"`);
      seen.set(`${what}:${value}`, entry.id);
    }
  }
}

/** Mounts every entry into `targets` and wires navigation to `current`. */
export function installNavigation(entries: readonly ViewEntry[], targets: NavigationTargets, current: ViewSignal): Navigation {
  checkEntries(entries);
  const views = new Map<string, ViewParts>();
  const buttons = new Map<string, HTMLButtonElement>();
  if (targets.guide) targets.main.append(targets.guide);
  for (const entry of entries) {
    const parts = entry.mount();
    views.set(entry.id, parts);
    targets.main.append(parts.element);

    const badge = h("span", { class: "nav-badge", hidden: true });
    const button = h(
      "button",
      { type: "button", class: "nav-item", testid: `nav-${entry.id}`, title: `${entry.label} (Ctrl+${entry.shortcut})`, "aria-keyshortcuts": `Control+${entry.shortcut}` },
      icon(entry.icon),
      h("span", { class: "nav-label" }, entry.label),
      badge,
    );
    button.addEventListener("click", () => current.set(entry.id));
    buttons.set(entry.id, button);
    targets.nav.append(button);
    parts.badge?.((count, title) => {
      badge.hidden = count === 0;
      badge.textContent = String(count);
      badge.title = title;
    });
  }
  if (targets.foot) targets.foot.textContent = shortcutsLine(entries);

  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const render = (): void => {
    const id = current.value;
    for (const [view, parts] of views) parts.element.hidden = view !== id;
    for (const [view, button] of buttons) {
      button.classList.toggle("active", view === id);
      if (view === id) button.setAttribute("aria-current", "page");
      else button.removeAttribute("aria-current");
    }
    targets.guide?.classList.toggle("guide-off", !byId.get(id)?.withGuide);
    targets.main.dataset.view = id;
    views.get(id)?.shown?.();
  };
  const unsubscribeView = current.subscribe(render);
  render();

  const show = (id: string): void => {
    if (views.has(id)) current.set(id);
  };

  const onKey = (event: KeyboardEvent): void => {
    if (!event.defaultPrevented && views.get(current.value)?.key?.(event)) return;
    if (!(event.ctrlKey || event.metaKey) || event.shiftKey || event.altKey) return;
    const entry = entries.find((e) => e.shortcut.toLowerCase() === event.key.toLowerCase());
    if (!entry) return;
    event.preventDefault();
    show(entry.id);
    // Keyboard users land in the view they switched to.
    const heading = views.get(entry.id)?.element.querySelector<HTMLElement>("h1");
    heading?.setAttribute("tabindex", "-1");
    heading?.focus();
  };
  document.addEventListener("keydown", onKey);

  const stopNavigate = subscribe("navigate", (payload) => {
    if (!views.has(payload.view)) return;
    show(payload.view);
    views.get(payload.view)?.navigated?.(payload);
  });

  return {
    views,
    show,
    tick: (now) => {
      for (const parts of views.values()) parts.tick?.(now);
    },
    dispose: () => {
      document.removeEventListener("keydown", onKey);
      unsubscribeView();
      stopNavigate();
    },
  };
}

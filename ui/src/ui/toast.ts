// Toasts (each `data-testid="toast"`): short notices at the bottom of the window.
// - They dismiss themselves: info and success after a few seconds, errors later;
//   longer texts stay longer. Hovering or focusing a toast pauses its timer, and
//   so does the window being hidden (to the tray): nothing expires unseen.
// - The same notice (tone and text) raised again while it is shown is counted
//   ("×2") and its timer restarted instead of stacking a copy.
// - A toast belongs to the view it was raised in and leaves when the user goes
//   to another view; notices about the whole app (`scope: "app"`) stay.
// - Every toast has a close button; errors may carry a remedy (Re-authorize).
// Time comes from injectable timers, so tests drive it with fake timers.
import { toastText } from "../logic/errors";
import { h } from "./dom";
import { windowTimers, type Timers } from "./timers";

export type ToastTone = "error" | "ok" | "info";

export interface ToastAction {
  label: string;
  run: () => void;
}

export interface ToastOptions {
  /** "view" (the default): leaves when the user goes to another view; "app": about the whole app, stays. */
  scope?: "view" | "app";
}

/** What a shown toast lets its caller do. */
export interface ToastHandle {
  dismiss(): void;
}

/** How long a toast stays, by tone, before reading time for a long text is added. */
export const TOAST_MS: Record<ToastTone, number> = { info: 5000, ok: 5000, error: 12000 };
/** Reading time per character beyond the base, and the most a toast of each kind stays. */
const READ_MS_PER_CHAR = 60;
const MAX_MS: Record<ToastTone, number> = { info: 15000, ok: 15000, error: 30000 };
/** After a pause, a toast stays at least this long, so it does not vanish the moment the pointer leaves. */
export const AFTER_PAUSE_MS = 2000;
/** The fade-out before a dismissed toast is removed. */
export const LEAVE_MS = 180;
/** The most toasts shown at once: a further one removes the oldest. */
export const MAX_SHOWN = 4;

/** How long a toast with this tone and text stays on screen, unpaused. */
export function toastDuration(tone: ToastTone, message: string): number {
  return Math.min(MAX_MS[tone], Math.max(TOAST_MS[tone], 1500 + message.length * READ_MS_PER_CHAR));
}

/** The current view's id with change notifications (store.view in the app). */
export interface ViewSource {
  readonly value: string;
  subscribe(listener: () => void): () => void;
}

type PauseReason = "hover" | "focus" | "hidden";

class Shown implements ToastHandle {
  readonly element: HTMLElement;
  count = 1;
  view: string | null;
  scope: "view" | "app";
  leaving = false;
  private text: HTMLElement;
  private countBadge: HTMLElement;
  private actionSlot: HTMLElement;
  private timer: unknown = null;
  private deadline = 0;
  private remaining: number;
  private paused = new Set<PauseReason>();

  constructor(
    private owner: Toaster,
    readonly key: string,
    readonly tone: ToastTone,
    readonly message: string,
    view: string | null,
    scope: "view" | "app",
  ) {
    this.view = view;
    this.scope = scope;
    this.remaining = toastDuration(tone, message);
    this.text = h("span", { class: "toast-text" }, message);
    this.countBadge = h("span", { class: "toast-count", testid: "toast-count", hidden: true });
    this.actionSlot = h("div", { class: "toast-action-slot" });
    const close = h("button", { type: "button", class: "toast-close", testid: "toast-close", "aria-label": "Dismiss", title: "Dismiss" }, "×");
    close.addEventListener("click", () => this.dismiss());
    this.element = h(
      "div",
      { class: `toast toast-${tone}`, testid: "toast", role: tone === "error" ? "alert" : "status", "data-tone": tone },
      h("div", { class: "toast-body" }, this.text, this.actionSlot),
      this.countBadge,
      close,
    );
    this.element.addEventListener("mouseenter", () => this.pause("hover"));
    this.element.addEventListener("mouseleave", () => this.resume("hover"));
    this.element.addEventListener("focusin", () => this.pause("focus"));
    this.element.addEventListener("focusout", (event) => {
      if (!this.element.contains(event.relatedTarget as Node | null)) this.resume("focus");
    });
    this.element.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.dismiss();
      }
    });
  }

  setAction(action: ToastAction | undefined): void {
    this.actionSlot.replaceChildren();
    if (!action) return;
    const button = h("button", { type: "button", class: "toast-action", testid: "toast-action" }, action.label);
    button.addEventListener("click", () => {
      action.run();
      this.dismiss();
    });
    this.actionSlot.append(button);
  }

  /** Raised again: one more, and a full time on screen from now. */
  again(view: string | null, scope: "view" | "app"): void {
    this.count += 1;
    this.countBadge.hidden = false;
    this.countBadge.textContent = `×${this.count}`;
    this.countBadge.setAttribute("aria-label", `${this.count} times`);
    this.view = view;
    this.scope = scope;
    this.remaining = toastDuration(this.tone, this.message);
    if (!this.paused.size) this.start();
  }

  start(): void {
    const timers = this.owner.timers;
    if (this.timer !== null) timers.clearTimeout(this.timer);
    this.deadline = timers.now() + this.remaining;
    this.timer = timers.setTimeout(() => {
      this.timer = null;
      this.dismiss();
    }, this.remaining);
  }

  pause(reason: PauseReason): void {
    if (this.leaving) return;
    if (!this.paused.size && this.timer !== null) {
      this.owner.timers.clearTimeout(this.timer);
      this.timer = null;
      this.remaining = Math.max(0, this.deadline - this.owner.timers.now());
    }
    this.paused.add(reason);
  }

  resume(reason: PauseReason): void {
    if (!this.paused.delete(reason) || this.paused.size || this.leaving) return;
    this.remaining = Math.max(this.remaining, AFTER_PAUSE_MS);
    this.start();
  }

  /** Fades out, then leaves the page. */
  dismiss(): void {
    if (this.leaving) return;
    this.leaving = true;
    if (this.timer !== null) this.owner.timers.clearTimeout(this.timer);
    this.timer = null;
    this.element.classList.add("leaving");
    this.owner.forget(this);
    this.owner.timers.setTimeout(() => this.element.remove(), LEAVE_MS);
  }

  /** Leaves at once (the user went to another view). */
  remove(): void {
    this.leaving = true;
    if (this.timer !== null) this.owner.timers.clearTimeout(this.timer);
    this.timer = null;
    this.owner.forget(this);
    this.element.remove();
  }
}

/** The toast area of one document. */
export class Toaster {
  private area: HTMLElement | null = null;
  private shown: Shown[] = [];
  private view: ViewSource | null = null;
  private stopFollowing: (() => void) | null = null;
  private onVisibility = (): void => {
    for (const toast of this.shown) {
      if (document.hidden) toast.pause("hidden");
      else toast.resume("hidden");
    }
  };

  constructor(
    readonly timers: Timers = windowTimers,
    private host: () => HTMLElement = () => document.body,
  ) {
    document.addEventListener("visibilitychange", this.onVisibility);
  }

  /** Ties toasts to views: a toast raised in one view leaves when `view` changes to another. */
  followView(view: ViewSource): void {
    this.stopFollowing?.();
    this.view = view;
    this.stopFollowing = view.subscribe(() => {
      for (const toast of [...this.shown]) {
        if (toast.scope === "view" && toast.view !== null && toast.view !== view.value) toast.remove();
      }
    });
  }

  show(message: string, tone: ToastTone = "info", action?: ToastAction, options: ToastOptions = {}): ToastHandle {
    const scope = options.scope ?? "view";
    const view = this.view?.value ?? null;
    const key = `${tone}\n${message}`;
    const same = this.shown.find((toast) => toast.key === key);
    if (same) {
      same.setAction(action);
      same.again(view, scope);
      return same;
    }
    const toast = new Shown(this, key, tone, message, view, scope);
    toast.setAction(action);
    this.shown.push(toast);
    this.container().append(toast.element);
    if (document.hidden) toast.pause("hidden");
    else toast.start();
    while (this.shown.length > MAX_SHOWN) this.shown[0].dismiss();
    return toast;
  }

  /** A toast that is leaving: no longer counted, matched or moved with views. */
  forget(toast: Shown): void {
    this.shown = this.shown.filter((t) => t !== toast);
  }

  /** Removes every toast and stops listening (tests). */
  dispose(): void {
    for (const toast of [...this.shown]) toast.remove();
    this.area?.remove();
    this.area = null;
    this.stopFollowing?.();
    document.removeEventListener("visibilitychange", this.onVisibility);
  }

  private container(): HTMLElement {
    if (!this.area || !this.area.isConnected) {
      this.area = h("div", { class: "toasts", role: "region", "aria-label": "Notifications", "aria-live": "polite" });
      this.host().append(this.area);
    }
    return this.area;
  }
}

let windowToaster: Toaster | null = null;

/** The window's toaster. */
export function toaster(): Toaster {
  windowToaster ??= new Toaster();
  return windowToaster;
}

/** Shows a notice; an error may offer a remedy (Re-authorize, Retry). */
export function toast(message: string, tone: ToastTone = "info", action?: ToastAction, options?: ToastOptions): ToastHandle {
  return toaster().show(message, tone, action, options);
}

/** Shows a command's failure: "<what we tried>: <the shell's message>". */
export function toastError(action: string, error: unknown, remedy?: ToastAction, options?: ToastOptions): ToastHandle {
  return toast(toastText(action, error), "error", remedy, options);
}

// @vitest-environment happy-dom
// Toasts on a fake clock: they leave by themselves, wait while pointed at or
// focused, count repeats instead of stacking, and leave with their view.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Signal } from "../store";
import { windowTimers } from "./timers";
import { AFTER_PAUSE_MS, LEAVE_MS, MAX_SHOWN, TOAST_MS, Toaster, toastDuration } from "./toast";

let toaster: Toaster;
let view: Signal<string>;

const shown = (): HTMLElement[] => [...document.querySelectorAll<HTMLElement>('[data-testid="toast"]')];
const texts = (): string[] => shown().map((t) => t.querySelector(".toast-text")!.textContent!);
const countOf = (toast: HTMLElement): string | null => {
  const badge = toast.querySelector<HTMLElement>('[data-testid="toast-count"]')!;
  return badge.hidden ? null : badge.textContent;
};

beforeEach(() => {
  vi.useFakeTimers();
  document.body.replaceChildren();
  view = new Signal("credentials");
  toaster = new Toaster(windowTimers);
  toaster.followView(view);
});
afterEach(() => {
  toaster.dispose();
  vi.useRealTimers();
});

describe("a toast", () => {
  it("leaves by itself a few seconds after it appeared", () => {
    toaster.show("Saved “Accounts”.", "ok");
    vi.advanceTimersByTime(TOAST_MS.ok - 1);
    expect(texts()).toEqual(["Saved “Accounts”."]);
    expect(shown()[0].classList.contains("leaving")).toBe(false);
    vi.advanceTimersByTime(1);
    expect(shown()[0].classList.contains("leaving")).toBe(true);
    vi.advanceTimersByTime(LEAVE_MS);
    expect(shown()).toEqual([]);
  });

  it("stays longer when it is an error, and can be closed at once", () => {
    toaster.show("Could not save: the disk is full", "error");
    vi.advanceTimersByTime(TOAST_MS.info + 1000);
    expect(texts()).toEqual(["Could not save: the disk is full"]);
    expect(shown()[0].getAttribute("role")).toBe("alert");
    shown()[0].querySelector<HTMLButtonElement>('[data-testid="toast-close"]')!.click();
    vi.advanceTimersByTime(LEAVE_MS);
    expect(shown()).toEqual([]);

    toaster.show("Could not save: the disk is full", "error");
    vi.advanceTimersByTime(TOAST_MS.error - 1);
    expect(shown()).toHaveLength(1);
    vi.advanceTimersByTime(1 + LEAVE_MS);
    expect(shown()).toEqual([]);
  });

  it("gives a long text time to be read", () => {
    const long = "Imported 14 requests from “Acme CRM”. Credentials added (authorize them, and add client secrets in Credentials): Acme_OAuth, Acme_Service.";
    expect(toastDuration("info", long)).toBeGreaterThan(TOAST_MS.info);
    expect(toastDuration("info", "Saved.")).toBe(TOAST_MS.info);
    expect(toastDuration("error", long.repeat(20))).toBe(30000);
  });

  it("waits while the pointer is on it, and goes on when it leaves", () => {
    toaster.show("Refreshed Sandbox's token.", "ok");
    vi.advanceTimersByTime(4000);
    shown()[0].dispatchEvent(new MouseEvent("mouseenter"));
    vi.advanceTimersByTime(60_000);
    expect(texts()).toEqual(["Refreshed Sandbox's token."]);
    shown()[0].dispatchEvent(new MouseEvent("mouseleave"));
    // 1 s was left; it still stays long enough to be seen after the pointer leaves.
    vi.advanceTimersByTime(AFTER_PAUSE_MS - 1);
    expect(shown()[0].classList.contains("leaving")).toBe(false);
    vi.advanceTimersByTime(1 + LEAVE_MS);
    expect(shown()).toEqual([]);
  });

  it("waits while focus is inside it (keyboard users reading it or reaching its button)", () => {
    const remedy = vi.fn();
    toaster.show("Could not refresh WSO2_Pizza: invalid_grant", "error", { label: "Re-authorize WSO2_Pizza", run: remedy });
    const action = shown()[0].querySelector<HTMLButtonElement>('[data-testid="toast-action"]')!;
    vi.advanceTimersByTime(TOAST_MS.error - 500);
    action.dispatchEvent(new FocusEvent("focusin", { bubbles: true }));
    vi.advanceTimersByTime(TOAST_MS.error * 3);
    expect(shown()).toHaveLength(1);
    action.dispatchEvent(new FocusEvent("focusout", { bubbles: true, relatedTarget: null }));
    vi.advanceTimersByTime(AFTER_PAUSE_MS - 1);
    expect(shown()[0].classList.contains("leaving")).toBe(false);
    vi.advanceTimersByTime(1 + LEAVE_MS);
    expect(shown()).toEqual([]);
  });

  it("runs its remedy and leaves when its button is pressed", () => {
    const remedy = vi.fn();
    toaster.show("Could not send: needs re-authorization", "error", { label: "Re-authorize Sandbox", run: remedy });
    shown()[0].querySelector<HTMLButtonElement>('[data-testid="toast-action"]')!.click();
    expect(remedy).toHaveBeenCalledOnce();
    vi.advanceTimersByTime(LEAVE_MS);
    expect(shown()).toEqual([]);
  });

  it("waits while the window is hidden to the tray", () => {
    let hidden = false;
    Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
    try {
      toaster.show("Sandbox is authorized.", "ok");
      hidden = true;
      document.dispatchEvent(new Event("visibilitychange"));
      vi.advanceTimersByTime(10 * 60_000);
      expect(shown()).toHaveLength(1);
      hidden = false;
      document.dispatchEvent(new Event("visibilitychange"));
      vi.advanceTimersByTime(TOAST_MS.ok + LEAVE_MS);
      expect(shown()).toEqual([]);
    } finally {
      delete (document as unknown as Record<string, unknown>).hidden;
    }
  });
});

describe("the same toast again", () => {
  it("is counted on the one shown, not stacked, and its time starts over", () => {
    toaster.show("Could not reach the token endpoint", "error");
    vi.advanceTimersByTime(TOAST_MS.error - 1000);
    toaster.show("Could not reach the token endpoint", "error");
    expect(shown()).toHaveLength(1);
    expect(countOf(shown()[0])).toBe("×2");
    toaster.show("Could not reach the token endpoint", "error");
    expect(countOf(shown()[0])).toBe("×3");

    vi.advanceTimersByTime(TOAST_MS.error - 1);
    expect(shown()).toHaveLength(1);
    expect(shown()[0].classList.contains("leaving")).toBe(false);
    vi.advanceTimersByTime(1 + LEAVE_MS);
    expect(shown()).toEqual([]);
  });

  it("is a new toast when its tone differs, or once the first has gone", () => {
    toaster.show("Sandbox", "ok");
    toaster.show("Sandbox", "error");
    expect(shown()).toHaveLength(2);
    expect(shown().map(countOf)).toEqual([null, null]);

    vi.advanceTimersByTime(TOAST_MS.error + LEAVE_MS);
    toaster.show("Sandbox", "ok");
    expect(shown()).toHaveLength(1);
    expect(countOf(shown()[0])).toBeNull();
  });

  it("shows the latest remedy", () => {
    const first = vi.fn();
    const second = vi.fn();
    toaster.show("Could not send", "error", { label: "Re-authorize A", run: first });
    toaster.show("Could not send", "error", { label: "Re-authorize A", run: second });
    const actions = shown()[0].querySelectorAll<HTMLButtonElement>('[data-testid="toast-action"]');
    expect(actions).toHaveLength(1);
    actions[0].click();
    expect([first.mock.calls.length, second.mock.calls.length]).toEqual([0, 1]);
  });
});

describe("toasts and views", () => {
  it("removes a view's toasts when the user goes to another view, and keeps the app's", () => {
    toaster.show("Removed Pizza.", "ok");
    toaster.show("Could not load the credentials: the file is not valid TOML", "error", undefined, { scope: "app" });
    view.set("credentials");
    expect(shown()).toHaveLength(2);

    view.set("editor");
    expect(texts()).toEqual(["Could not load the credentials: the file is not valid TOML"]);

    toaster.show("Saved “Accounts”.", "ok");
    view.set("timeline");
    expect(texts()).toEqual(["Could not load the credentials: the file is not valid TOML"]);
  });

  it("moves a repeated toast to the view it was raised in last", () => {
    toaster.show("Copied Sandbox's live token.", "ok");
    view.set("editor");
    toaster.show("Copied Sandbox's live token.", "ok");
    expect(shown()).toHaveLength(1);
    view.set("settings");
    expect(shown()).toEqual([]);
  });
});

it("shows a few toasts at most, dropping the oldest", () => {
  for (let i = 1; i <= MAX_SHOWN + 2; i++) toaster.show(`Notice ${i}`, "info");
  vi.advanceTimersByTime(LEAVE_MS);
  expect(texts()).toEqual(Array.from({ length: MAX_SHOWN }, (_, i) => `Notice ${i + 3}`));
});

// One global toast area (data-testid="toast"): errors name what went wrong, with
// an optional action (Re-authorize, Retry).
import { toastText } from "../logic/errors";
import { h } from "./dom";

export type ToastTone = "error" | "ok" | "info";

let area: HTMLElement | null = null;

function container(): HTMLElement {
  if (!area) {
    area = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
    document.body.appendChild(area);
  }
  return area;
}

export function toast(
  message: string,
  tone: ToastTone = "info",
  action?: { label: string; run: () => void },
): void {
  const close = (): void => {
    element.classList.add("leaving");
    setTimeout(() => element.remove(), 180);
  };
  const element = h(
    "div",
    { class: `toast toast-${tone}`, testid: "toast", role: tone === "error" ? "alert" : "status" },
    h("span", { class: "toast-text" }, message),
    action &&
      h("button", { type: "button", class: "toast-action", onclick: () => (action.run(), close()) }, action.label),
    h("button", { type: "button", class: "toast-close", "aria-label": "Dismiss", onclick: close }, "×"),
  );
  container().appendChild(element);
  if (tone !== "error") setTimeout(close, 4500);
  else setTimeout(close, 12000);
}

/** Shows a command's failure: "<what we tried>: <the shell's message>". */
export function toastError(action: string, error: unknown, remedy?: { label: string; run: () => void }): void {
  toast(toastText(action, error), "error", remedy);
}

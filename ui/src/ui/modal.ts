// Small in-app dialogs (a name to save as, a yes/no), instead of window.prompt /
// confirm, which a desktop webview may not show.
import { h } from "./dom";

function open<T>(build: (close: (value: T) => void) => HTMLElement, cancelled: T): Promise<T> {
  return new Promise((resolve) => {
    const previous = document.activeElement as HTMLElement | null;
    const backdrop = h("div", { class: "modal-backdrop" });
    const close = (value: T): void => {
      backdrop.remove();
      previous?.focus?.();
      resolve(value);
    };
    const box = build(close);
    backdrop.append(box);
    backdrop.addEventListener("mousedown", (event) => {
      if (event.target === backdrop) close(cancelled);
    });
    backdrop.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        close(cancelled);
      }
    });
    document.body.append(backdrop);
    box.querySelector<HTMLElement>("input, button.primary, button.danger")?.focus();
  });
}

/** Asks for a text (e.g. a name); resolves null when cancelled. */
export function askText(title: string, label: string, initial: string, confirm = "Save"): Promise<string | null> {
  return open<string | null>((close) => {
    const input = h("input", { type: "text", value: initial, "aria-label": label, spellcheck: "false" });
    const form = h(
      "form",
      { class: "modal", role: "dialog", "aria-modal": "true", "aria-label": title, testid: "modal" },
      h("h2", null, title),
      h("label", { class: "modal-label" }, label, input),
      h(
        "div",
        { class: "form-actions" },
        h("button", { type: "button", class: "ghost", onclick: () => close(null) }, "Cancel"),
        h("button", { type: "submit", class: "primary" }, confirm),
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      close(input.value.trim() || null);
    });
    setTimeout(() => input.select(), 0);
    return form;
  }, null);
}

/** Asks yes or no; resolves true for yes. */
export function askConfirm(title: string, message: string, confirm: string): Promise<boolean> {
  return open<boolean>(
    (close) =>
      h(
        "div",
        { class: "modal", role: "alertdialog", "aria-modal": "true", "aria-label": title, testid: "modal" },
        h("h2", null, title),
        h("p", null, message),
        h(
          "div",
          { class: "form-actions" },
          h("button", { type: "button", class: "ghost", onclick: () => close(false) }, "Cancel"),
          h("button", { type: "button", class: "danger", onclick: () => close(true) }, confirm),
        ),
      ),
    false,
  );
}

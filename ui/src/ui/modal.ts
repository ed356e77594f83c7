// Small in-app dialogs (a name to save as, a yes/no), instead of window.prompt /
// confirm, which a desktop webview may not show.
import { busy, h } from "./dom";

/**
 * Shows the dialog `build` makes over the window; resolves with what it closes
 * with, or `cancelled` (Escape, a click beside it).
 */
export function openModal<T>(build: (close: (value: T) => void) => HTMLElement, cancelled: T): Promise<T> {
  return new Promise((resolve) => {
    const previous = document.activeElement as HTMLElement | null;
    const backdrop = h("div", { class: "modal-backdrop" });
    let closed = false;
    const close = (value: T): void => {
      if (closed) return;
      closed = true;
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
  return openModal<string | null>((close) => {
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

/** A login asked for: a username, and a password when one was asked. */
export interface AskedLogin {
  username: string;
  password: string | null;
}

/** Asks for a username (and, with `withPassword`, a password, never shown); resolves null when cancelled. */
export function askLogin(title: string, message: string, usernameLabel: string, withPassword: boolean): Promise<AskedLogin | null> {
  return openModal<AskedLogin | null>((close) => {
    const username = h("input", { type: "text", "aria-label": usernameLabel, spellcheck: "false", autocomplete: "username", testid: "login-username" });
    const password = withPassword ? h("input", { type: "password", "aria-label": "Password", autocomplete: "current-password", testid: "login-password" }) : null;
    const form = h(
      "form",
      { class: "modal", role: "dialog", "aria-modal": "true", "aria-label": title, testid: "modal" },
      h("h2", null, title),
      h("p", null, message),
      h("label", { class: "modal-label" }, usernameLabel, username),
      password && h("label", { class: "modal-label" }, "Password", password),
      h(
        "div",
        { class: "form-actions" },
        h("button", { type: "button", class: "ghost", onclick: () => close(null) }, "Cancel"),
        h("button", { type: "submit", class: "primary" }, "Authorize"),
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const name = username.value.trim();
      if (!name) {
        username.focus();
        return;
      }
      close({ username: name, password: password ? password.value : null });
    });
    return form;
  }, null);
}

/** A binding asked for: which credential, in which environment. */
export interface AskedBinding {
  credential: string;
  environment: string;
}

/**
 * Asks which credential a collection's token and endpoint variables are bound to
 * (the variables are named in `message`), and the environment that keeps the
 * binding; resolves null when the user leaves them unbound.
 */
export function askBinding(title: string, message: string, credentials: string[], preferred: string | null): Promise<AskedBinding | null> {
  return openModal<AskedBinding | null>((close) => {
    const credential = h(
      "select",
      { "aria-label": "Credential", testid: "bind-credential" },
      credentials.map((name) => h("option", { value: name, selected: name === preferred ? true : undefined }, name)),
    );
    const environment = h("input", { type: "text", "aria-label": "Environment", spellcheck: "false", testid: "bind-environment", value: preferred ?? credentials[0] ?? "" });
    let named = false;
    environment.addEventListener("input", () => (named = true));
    credential.addEventListener("change", () => {
      if (!named) environment.value = credential.value;
    });
    const form = h(
      "form",
      { class: "modal", role: "dialog", "aria-modal": "true", "aria-label": title, testid: "modal" },
      h("h2", null, title),
      h("p", null, message),
      h("label", { class: "modal-label" }, "Credential", credential),
      h("label", { class: "modal-label" }, "Environment that keeps the binding", environment),
      h(
        "div",
        { class: "form-actions" },
        h("button", { type: "button", class: "ghost", onclick: () => close(null) }, "Not now"),
        h("button", { type: "submit", class: "primary", testid: "bind-confirm" }, "Bind"),
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const name = environment.value.trim();
      if (!name || !credential.value) {
        environment.focus();
        return;
      }
      close({ credential: credential.value, environment: name });
    });
    return form;
  }, null);
}

/** Asks yes or no; resolves true for yes. */
export function askConfirm(title: string, message: string, confirm: string): Promise<boolean> {
  return openModal<boolean>(
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

/** What the dialog does with the text itself, before it closes. */
export interface LongTextAccept {
  /** Uses the text: null when done (the dialog closes), else why not (said in the dialog, which stays open). */
  run: (text: string) => Promise<string | null>;
  /** The confirm button's label while `run` runs. */
  busyLabel: string;
  /** The test id of the line that says why not. */
  problemTestid: string;
}

/**
 * Asks for a longer text (a pasted command); resolves null when cancelled.
 * With `accept`, the dialog uses the text itself and closes only once that
 * worked; a problem is said under the text, which stays to be fixed.
 */
export function askLongText(title: string, label: string, placeholder: string, confirm: string, testid: string, accept?: LongTextAccept): Promise<string | null> {
  return openModal<string | null>((close) => {
    const problemId = `${testid}-problem`;
    const area = h("textarea", { rows: 8, "aria-label": label, spellcheck: "false", placeholder, testid, class: "modal-text" });
    const problem = h("div", { class: "field-problem", id: problemId, testid: accept?.problemTestid, role: "alert", hidden: true });
    const submit = h("button", { type: "submit", class: "primary", testid: `${testid}-submit` }, confirm);
    const form = h(
      "form",
      { class: "modal modal-wide", role: "dialog", "aria-modal": "true", "aria-label": title, testid: "modal" },
      h("h2", null, title),
      h("label", { class: "modal-label" }, label, area),
      problem,
      h(
        "div",
        { class: "form-actions" },
        h("button", { type: "button", class: "ghost", onclick: () => close(null) }, "Cancel"),
        submit,
      ),
    );
    const showProblem = (text: string | null): void => {
      problem.hidden = text === null;
      problem.textContent = text ?? "";
      if (text === null) {
        area.removeAttribute("aria-invalid");
        area.removeAttribute("aria-describedby");
      } else {
        area.setAttribute("aria-invalid", "true");
        area.setAttribute("aria-describedby", problemId);
      }
    };
    area.addEventListener("input", () => showProblem(null));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = area.value.trim();
      if (!text || !accept) {
        close(text || null);
        return;
      }
      if (submit.disabled) return;
      void busy(submit, accept.busyLabel, () => accept.run(text)).then((why) => {
        if (why === null) {
          close(text);
          return;
        }
        showProblem(why);
        area.focus();
      });
    });
    setTimeout(() => area.focus(), 0);
    return form;
  }, null);
}

/** Shows a text to copy (an exported request), with Copy and Close. */
export function showText(title: string, text: string, testid: string): Promise<void> {
  return openModal<void>((close) => {
    const area = h("textarea", { rows: 16, readonly: true, spellcheck: "false", testid, class: "modal-text" });
    area.value = text;
    const copy = h("button", { type: "button", class: "primary" }, "Copy");
    copy.addEventListener("click", () => {
      area.select();
      const copied = navigator.clipboard ? navigator.clipboard.writeText(text).then(() => true, () => false) : Promise.resolve(false);
      void copied.then((ok) => {
        copy.textContent = ok ? "Copied" : "Selected: press Ctrl+C";
      });
    });
    setTimeout(() => area.select(), 0);
    return h(
      "div",
      { class: "modal modal-wide", role: "dialog", "aria-modal": "true", "aria-label": title, testid: "modal" },
      h("h2", null, title),
      area,
      h("div", { class: "form-actions" }, h("button", { type: "button", class: "ghost", onclick: () => close() }, "Close"), copy),
    );
  }, undefined);
}

// Settings: clipboard auto-clear, keep-alive default, keeper margin, theme,
// and the company network (extra CA file, proxy, hosts without the proxy).
import * as api from "../api";
import { MAX_CLIPBOARD_CLEAR_SECONDS, MAX_HISTORY_KEEP_COUNT, MAX_HISTORY_KEEP_DAYS, parseSettings } from "../logic/theme";
import type { Settings } from "../pending-types";
import * as store from "../store";
import { busy, h, replace } from "../ui/dom";
import { applyTheme } from "../ui/theme";
import { toastText } from "../logic/errors";
import { toast } from "../ui/toast";
import { Guide } from "./guide";

export class SettingsView {
  readonly element = h("section", { class: "view view-settings", "aria-labelledby": "settings-title" });
  private form = h("form", { class: "card settings-form", testid: "settings-form", novalidate: true });
  private about = h("p", { class: "muted small" });
  /** Why the last Save did not save, under the Save button. */
  private problem = h("div", { class: "form-general", testid: "settings-problem", role: "alert" });

  constructor() {
    this.element.append(h("div", { class: "view-head" }, h("h1", { id: "settings-title" }, "Settings")), this.form, this.about);
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const button = this.form.querySelector<HTMLButtonElement>('[data-testid="save-settings"]');
      if (button) void busy(button, "Saving…", () => this.save());
    });
    store.settings.subscribe(() => this.render());
    this.render();
    void api
      .appInfo()
      .then((info) => (this.about.textContent = `${info.product} v${info.version} · secrets in ${info.keychainBackend}`))
      .catch(() => undefined);
  }

  private input(name: keyof Settings, label: string, value: string, hint: string, placeholder = "", inputmode = "numeric"): HTMLElement {
    const input = h("input", { type: "text", inputmode, name, id: `set-${name}`, value, placeholder, "data-field": name, spellcheck: "false" });
    return h(
      "div",
      { class: "field" },
      h("label", { for: input.id }, label),
      input,
      h("div", { class: "hint" }, hint),
      h("div", { class: "problems", "data-problems": name }),
    );
  }

  private render(): void {
    const s = store.settings.value;
    const theme = h(
      "select",
      { name: "theme", id: "set-theme", "data-field": "theme" },
      [
        ["system", "Follow the system"],
        ["light", "Light"],
        ["dark", "Dark"],
      ].map(([value, label]) => h("option", { value, selected: s.theme === value }, label)),
    );
    theme.addEventListener("change", () => applyTheme(theme.value as Settings["theme"]));
    const guide = h("button", { type: "button", class: "ghost" }, "Show the getting-started guide again");
    guide.addEventListener("click", () => {
      Guide.showAgain();
      store.credentials.set(store.credentials.value);
      toast("The guide is back on the Credentials and Requests views.", "ok");
    });
    replace(
      this.form,
      this.input("clipboardClearSeconds", "Clear a copied token after (seconds)", String(s.clipboardClearSeconds), `Between 1 and ${MAX_CLIPBOARD_CLEAR_SECONDS}. The clipboard is left alone if you copied something else meanwhile.`),
      this.input("keepAliveDefaultSeconds", "Default keep-alive for new credentials (seconds)", s.keepAliveDefaultSeconds?.toString() ?? "", "Empty = off. Refreshes idle credentials so refresh tokens with an idle lifetime stay alive.", "off"),
      this.input("keeperMarginSeconds", "Refresh ahead of expiry by (seconds)", String(s.keeperMarginSeconds), "The keeper refreshes a token this long before it expires."),
      h("div", { class: "field" }, h("label", { for: "set-theme" }, "Theme"), theme, h("div", { class: "problems", "data-problems": "theme" })),
      h("h2", { class: "settings-section" }, "History"),
      this.input("historyKeepCount", "Keep at most (sends)", String(s.historyKeepCount), `Every send is kept in the history (callout history). Between 1 and ${MAX_HISTORY_KEEP_COUNT}.`),
      this.input("historyKeepDays", "For at most (days)", String(s.historyKeepDays), `Older sends are removed as new ones come. Between 1 and ${MAX_HISTORY_KEEP_DAYS}.`),
      h("h2", { class: "settings-section" }, "Company network"),
      this.input("extraCaFile", "Extra CA file", s.extraCaFile ?? "", "A PEM file of your company's root CA certificates, trusted besides the OS trust store. Used from the next start.", "/path/to/company-root.pem", "text"),
      this.input("proxyUrl", "Proxy URL", s.proxyUrl ?? "", "Empty = the HTTPS_PROXY / HTTP_PROXY environment variables (a proxy that needs a login: give it there, never here). Loopback (localhost, 127.0.0.1) never goes through a proxy. Used from the next start.", "http://proxy.example.com:3128", "url"),
      this.input("noProxy", "No proxy for", s.noProxy.join(", "), "Hosts reached directly, comma-separated: names (with their subdomains), addresses, blocks such as 10.0.0.0/8. Empty = NO_PROXY.", ".corp.example, 10.0.0.0/8", "text"),
      h("div", { class: "form-actions" }, guide, h("div", { class: "spacer" }), h("button", { type: "submit", class: "primary", testid: "save-settings" }, "Save settings")),
      this.problem,
    );
  }

  private showProblem(text: string | null): void {
    replace(this.problem, text && h("div", { class: "field-problem" }, text));
  }

  private async save(): Promise<void> {
    const value = (name: string): string => this.form.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${name}"]`)?.value ?? "";
    const { settings, problems } = parseSettings({
      clipboardClearSeconds: value("clipboardClearSeconds"),
      keepAliveDefaultSeconds: value("keepAliveDefaultSeconds"),
      keeperMarginSeconds: value("keeperMarginSeconds"),
      theme: value("theme"),
      extraCaFile: value("extraCaFile"),
      proxyUrl: value("proxyUrl"),
      noProxy: value("noProxy"),
      historyKeepCount: value("historyKeepCount"),
      historyKeepDays: value("historyKeepDays"),
    });
    for (const slot of this.form.querySelectorAll<HTMLElement>("[data-problems]")) {
      const field = slot.dataset.problems ?? "";
      const message = problems[field];
      replace(slot, message && h("div", { class: "field-problem", testid: "field-problem", id: `set-${field}-problem` }, message));
      const input = this.form.querySelector<HTMLElement>(`[name="${field}"]`);
      if (message) {
        input?.setAttribute("aria-invalid", "true");
        input?.setAttribute("aria-describedby", `set-${field}-problem`);
      } else {
        input?.removeAttribute("aria-invalid");
        input?.removeAttribute("aria-describedby");
      }
    }
    const invalid = Object.keys(problems).length;
    if (invalid) {
      // Each problem is under its field; the first one gets the focus.
      this.showProblem(`Not saved: fix the ${invalid === 1 ? "marked field" : `${invalid} marked fields`} first.`);
      this.form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    this.showProblem(null);
    try {
      store.settings.set(await api.saveSettings(settings));
      toast("Settings saved.", "ok");
    } catch (error) {
      this.showProblem(toastText("Could not save the settings", error));
    }
  }
}

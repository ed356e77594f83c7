// Expiry rules: how APIs say "your token expired" (and the failures a refresh
// cannot cure), yours first — tried first — then the built-in catalog, grouped by
// service with a filter. A rule opens its details; yours can be removed. "New rule
// file…" writes one in the catalog's TOML format with a live check: whether it
// reads, its examples and counter-examples, and what it makes of the editor's last
// response.
import * as api from "../api";
import type { RuleFileCheck } from "../bindings/RuleFileCheck";
import type { RuleView } from "../bindings/RuleView";
import type { RuleSampleView } from "../bindings/RuleSampleView";
import { toReport } from "../logic/errors";
import { checkLines, checkPasses, groupRules, hostsText, meaningText, ruleFileName, ruleTemplate, statusesText } from "../logic/rules";
import * as store from "../store";
import { busy, debounce, h, replace } from "../ui/dom";
import { askConfirm, openModal } from "../ui/modal";
import { toast, toastError } from "../ui/toast";

/** How long the rule file editor waits after the last key before checking. */
export const CHECK_DELAY_MS = 300;

/** The host of `url`, when it has one. */
function hostOf(url: string): string | null {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]+)/i.exec(url.trim());
  return match ? match[1].replace(/^\[|\]$/g, "").toLowerCase() : null;
}

function sample(view: RuleSampleView, testid: string): HTMLElement {
  return h(
    "li",
    { class: "rule-sample", testid },
    h("div", { class: "small" }, h("strong", null, `HTTP ${view.status}`), view.why && h("span", { class: "muted" }, ` — ${view.why}`)),
    view.body && h("pre", { class: "rule-body" }, view.body),
  );
}

export class RulesView {
  readonly element = h("section", { class: "view view-rules", "aria-labelledby": "rules-title" });
  private filter = h("input", { type: "search", class: "rules-filter", testid: "rules-filter", placeholder: "Filter: service, id, host…", "aria-label": "Filter the rules", spellcheck: "false" });
  private list = h("div", { class: "rules-list", testid: "rules-list", role: "list" });
  private detail = h("div", { class: "rules-detail card", testid: "rule-detail", "aria-live": "polite" });
  private count = h("span", { class: "muted small", testid: "rules-count" });
  private rules: RuleView[] = [];
  private selected: string | null = null;
  private loaded = false;

  constructor() {
    const create = h("button", { type: "button", class: "primary", testid: "new-rule-file" }, "New rule file…");
    create.addEventListener("click", () => void this.newFile());
    for (const type of ["input", "change", "search"]) this.filter.addEventListener(type, () => this.renderList());
    this.element.append(
      h("div", { class: "view-head" }, h("h1", { id: "rules-title" }, "Expiry rules"), this.count, h("div", { class: "spacer" }), create),
      h("p", { class: "muted small rules-intro" }, "How APIs say a token expired — and the failures a refresh cannot cure. Your rules are tried first, then the built-in catalog. Teach one from a response the verdict got wrong, or write a file."),
      h("div", { class: "rules-body" }, h("div", { class: "rules-side" }, this.filter, this.list), this.detail),
    );
    store.rulesChanged.subscribe(() => void this.load());
    this.renderDetail();
  }

  /** Loads the rules the first time the view is shown (and after every change). */
  shown(): void {
    if (!this.loaded) void this.load();
  }

  async load(): Promise<void> {
    try {
      this.rules = await api.listRules();
      this.loaded = true;
    } catch (error) {
      replace(this.list, h("div", { class: "callout callout-error", role: "alert", testid: "rules-problem" }, `Could not read the rules: ${toReport(error).message}`));
      return;
    }
    if (this.selected && !this.rules.some((r) => r.id === this.selected)) this.selected = null;
    this.renderList();
    this.renderDetail();
  }

  private renderList(): void {
    const groups = groupRules(this.rules, this.filter.value);
    const shown = groups.reduce((n, g) => n + g.rules.length, 0);
    const yours = this.rules.filter((r) => !r.builtIn).length;
    this.count.textContent = `${shown} of ${this.rules.length} rules · ${yours} yours`;
    if (groups.length === 0) {
      replace(this.list, h("p", { class: "muted small" }, this.rules.length ? "No rule fits the filter." : "No rules."));
      return;
    }
    replace(
      this.list,
      groups.map((group) =>
        h(
          "section",
          { class: "rules-group", testid: "rules-group", "data-service": group.service, role: "listitem" },
          h("h3", { class: "rules-service" }, group.service),
          h("ul", { class: "rules-rows" }, group.rules.map((rule) => this.row(rule))),
        ),
      ),
    );
  }

  private row(rule: RuleView): HTMLElement {
    const open = h(
      "button",
      { type: "button", class: `rule-row${rule.id === this.selected ? " selected" : ""}`, testid: "rule-row", "data-id": rule.id, "aria-pressed": String(rule.id === this.selected) },
      h("span", { class: "rule-id" }, rule.id),
      h("span", { class: `badge badge-${rule.means === "expired" ? "warn" : "muted"}` }, meaningText(rule.means)),
      h("span", { class: "muted small" }, statusesText(rule.statuses)),
      !rule.builtIn && h("span", { class: "badge badge-ok", testid: "rule-yours" }, "yours"),
    );
    open.addEventListener("click", () => {
      this.selected = rule.id;
      this.renderList();
      this.renderDetail();
    });
    let remove: HTMLButtonElement | null = null;
    if (!rule.builtIn) {
      const button = h("button", { type: "button", class: "ghost small danger-text", testid: "remove-rule", "aria-label": `Remove the rule file ${rule.file}` }, "Remove");
      button.addEventListener("click", () => void this.remove(rule, button));
      remove = button;
    }
    return h("li", { class: "rule-line" }, open, remove);
  }

  private renderDetail(): void {
    const rule = this.rules.find((r) => r.id === this.selected);
    if (!rule) {
      replace(this.detail, h("p", { class: "muted" }, "Open a rule to see when it applies, what it says, its source and its examples."));
      return;
    }
    const field = (label: string, ...value: (HTMLElement | string | null)[]): HTMLElement => h("div", { class: "rule-field" }, h("dt", null, label), h("dd", null, ...value));
    replace(
      this.detail,
      h("h2", { class: "rule-title", testid: "rule-detail-id" }, rule.id),
      h("p", { class: "muted small" }, `${rule.builtIn ? "Built-in catalog" : "Yours"} · ${rule.file}`),
      h(
        "dl",
        { class: "rule-fields" },
        field("Service", rule.service),
        field("Means", h("span", { class: `badge badge-${rule.means === "expired" ? "warn" : "muted"}`, testid: "rule-detail-means" }, meaningText(rule.means))),
        field("Status", statusesText(rule.statuses)),
        field("Hosts", hostsText(rule.hosts)),
        rule.credentials.length ? field("Only for", rule.credentials.join(", ")) : null,
        field("When", h("ul", { class: "rule-conditions", testid: "rule-detail-conditions" }, rule.conditions.map((c) => h("li", null, h("code", null, c))))),
        field("Says", h("span", { testid: "rule-detail-says" }, rule.says)),
        rule.fix ? field("Fix", rule.fix) : null,
        field("Source", h("span", { class: "rule-source", testid: "rule-detail-source" }, rule.source)),
      ),
      rule.examples.length > 0 && h("h3", null, "Matches"),
      rule.examples.length > 0 && h("ul", { class: "rule-samples" }, rule.examples.map((s) => sample(s, "rule-example"))),
      rule.notExamples.length > 0 && h("h3", null, "Does not match"),
      rule.notExamples.length > 0 && h("ul", { class: "rule-samples" }, rule.notExamples.map((s) => sample(s, "rule-not-example"))),
    );
  }

  private async remove(rule: RuleView, button: HTMLButtonElement): Promise<void> {
    const others = this.rules.filter((r) => !r.builtIn && r.file === rule.file && r.id !== rule.id).map((r) => r.id);
    const also = others.length ? ` It holds ${others.join(", ")} too.` : "";
    if (!(await askConfirm("Remove the rule file?", `${rule.file} goes from your rules; sends from now on are judged without it.${also}`, "Remove"))) return;
    await busy(button, "Removing…", async () => {
      try {
        await api.removeRuleFile(rule.file);
        toast(`Removed ${rule.file}.`, "ok");
        store.rulesChanged.set(store.rulesChanged.value + 1);
      } catch (error) {
        toastError(`Could not remove ${rule.file}`, error);
      }
    });
  }

  /** The rule file editor; resolves with the added rules' ids, or null when left. */
  newFile(): Promise<string[] | null> {
    return openRuleFileEditor();
  }
}

/** The editor of a new rule file, with its live check; adds the file on Save. */
export function openRuleFileEditor(initial: string | null = null): Promise<string[] | null> {
  const last = store.lastResponse.value;
  const response = last && { status: last.report.response.status, headers: last.report.response.headers, body: last.report.response.body, url: last.url };
  return openModal<string[] | null>((close) => {
    const text = h("textarea", { class: "modal-text rule-text", rows: 20, spellcheck: "false", "aria-label": "The rule file (TOML)", testid: "rule-file-text" });
    text.value = initial ?? ruleTemplate(hostOf(last?.report.request.url ?? "") ?? undefined);
    const name = h("input", { type: "text", "aria-label": "File name", placeholder: "(the first rule's id)", spellcheck: "false", testid: "rule-file-name" });
    const status = h("ul", { class: "rule-check", testid: "rule-check", "aria-live": "polite" });
    const problem = h("div", { class: "field-problem", testid: "rule-file-problem", role: "alert", hidden: true });
    const save = h("button", { type: "submit", class: "primary", testid: "rule-file-save" }, "Add to my rules");
    let latest: RuleFileCheck | null = null;
    let asked = 0;
    const check = debounce(async () => {
      const mine = ++asked;
      try {
        const result = await api.checkRuleFile(text.value, response);
        if (mine !== asked) return;
        latest = result;
        replace(status, checkLines(result).map((line) => h("li", { class: `check-${line.tone}` }, line.text)));
        text.setAttribute("aria-invalid", String(!checkPasses(result)));
      } catch (error) {
        if (mine === asked) replace(status, h("li", { class: "check-error" }, toReport(error).message));
      }
    }, CHECK_DELAY_MS);
    text.addEventListener("input", () => check());
    const form = h(
      "form",
      { class: "modal modal-wide", role: "dialog", "aria-modal": "true", "aria-label": "New rule file", testid: "rule-file-editor" },
      h("h2", null, "New rule file"),
      h(
        "p",
        { class: "muted small" },
        response ? `Checked as you type: whether it reads, its examples, and what it makes of the editor's last response (HTTP ${response.status}).` : "Checked as you type: whether it reads, and its examples and counter-examples. Send a request first to check it against a response too.",
      ),
      text,
      status,
      h("label", { class: "modal-label" }, "File name", name),
      problem,
      h("div", { class: "form-actions" }, h("button", { type: "button", class: "ghost", onclick: () => close(null) }, "Cancel"), save),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void busy(save, "Adding…", async () => {
        check.flush();
        try {
          const added = await api.addRuleFile(text.value, ruleFileName(name.value, latest) || "rules");
          store.rulesChanged.set(store.rulesChanged.value + 1);
          toast(`Added ${added.ids.join(", ")}: it applies from the next send on.`, "ok");
          close(added.ids);
        } catch (error) {
          problem.hidden = false;
          problem.textContent = `Not added: ${toReport(error).message}`;
        }
      });
    });
    check();
    setTimeout(() => {
      text.focus();
      text.setSelectionRange(0, 0);
      text.scrollTop = 0;
    }, 0);
    return form;
  }, null);
}

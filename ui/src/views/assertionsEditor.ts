// The request editor's Assertions and Extract sections, folded like Headers.
// An assertion is a row: [subject][path, for a header, JSONPath or XPath]
// [check, those the subject has][value]; an extraction: [variable][from][path].
// What is wrong with a row is core's to say (`assertion_problems`), under it as
// it is typed; after a send, each assertion shows ✓ or ✗ and why.
import * as api from "../api";
import type { Assertion } from "../bindings/Assertion";
import type { AssertionResult } from "../bindings/AssertionResult";
import type { Check } from "../bindings/Check";
import type { ExtractFrom } from "../bindings/ExtractFrom";
import type { Extraction } from "../bindings/Extraction";
import type { Subject } from "../bindings/Subject";
import {
  CHECK_LABELS,
  checksFor,
  EXTRACT_FROM,
  newAssertion,
  pathPlaceholder,
  SUBJECTS,
  takesPath,
  takesValue,
  valuePlaceholder,
  withSubject,
} from "../logic/assertions";
import { debounce, h, replace } from "../ui/dom";

export interface AssertionsEditorOptions {
  /** The assertions or extractions changed (the draft holds them). */
  changed(): void;
}

interface AssertionRow {
  mark: HTMLElement;
  note: HTMLElement;
  value: HTMLInputElement;
}

const same = (a: Assertion, b: Assertion): boolean => a.subject === b.subject && a.path === b.path && a.check === b.check && a.value === b.value;

export class AssertionsEditor {
  /** Both sections, to place under the headers. */
  readonly element: HTMLElement;
  private assertionsBox = h("div", { class: "assertion-rows", testid: "assertions" });
  private extractBox = h("div", { class: "extract-rows", testid: "extractions" });
  private assertionsSection: HTMLDetailsElement;
  private extractSection: HTMLDetailsElement;
  private assertionsCount = h("span", { class: "section-count", testid: "assertions-count" });
  private extractCount = h("span", { class: "section-count" });
  private assertions: Assertion[] = [];
  private extract: Extraction[] = [];
  private rows: AssertionRow[] = [];
  private extractNotes: HTMLElement[] = [];
  private problems: (string | null)[] = [];
  private extractProblems: (string | null)[] = [];
  private results: AssertionResult[] | null = null;
  private checkSeq = 0;
  private check = debounce(() => void this.checkNow(), 250);

  constructor(private readonly options: AssertionsEditorOptions) {
    const addAssertion = h("button", { type: "button", class: "ghost small", testid: "add-assertion" }, "+ Add assertion");
    addAssertion.addEventListener("click", () => {
      this.assertions.push(newAssertion());
      this.render(true);
      this.edited();
    });
    const addExtraction = h("button", { type: "button", class: "ghost small", testid: "add-extraction" }, "+ Add extraction");
    addExtraction.addEventListener("click", () => {
      this.extract.push({ variable: "", from: "json", path: "" });
      this.renderExtract(true);
      this.edited();
    });
    this.assertionsSection = h(
      "details",
      { class: "assertions-section", testid: "assertions-section" },
      h("summary", null, "Assertions ", this.assertionsCount),
      h("p", { class: "muted small section-hint" }, "Checked after every send and in every run of the collection (saved with the request)."),
      this.assertionsBox,
      addAssertion,
    );
    this.extractSection = h(
      "details",
      { class: "extract-section", testid: "extract-section" },
      h("summary", null, "Extract ", this.extractCount),
      h("p", { class: "muted small section-hint" }, "Values taken from the response into {{variables}} for the requests run after it."),
      this.extractBox,
      addExtraction,
    );
    this.element = h("div", { class: "checks-sections" }, this.assertionsSection, this.extractSection);
  }

  /** Edits `assertions` and `extract` (a draft's own arrays, changed in place); `results` from its last send. */
  load(assertions: Assertion[], extract: Extraction[], results: AssertionResult[] | null = null): void {
    const switching = assertions !== this.assertions;
    this.assertions = assertions;
    this.extract = extract;
    this.results = results;
    this.problems = [];
    this.extractProblems = [];
    // Open when there is something in it; an empty one stays as it was left for the same request.
    if (assertions.length > 0 || switching) this.assertionsSection.open = assertions.length > 0;
    if (extract.length > 0 || switching) this.extractSection.open = extract.length > 0;
    this.render();
    this.renderExtract();
    this.check();
    this.check.flush();
  }

  /** The results of a send, shown beside the assertions they belong to. */
  showResults(results: AssertionResult[] | null): void {
    this.results = results;
    if (results?.length) this.assertionsSection.open = true;
    this.rows.forEach((_, i) => this.showNote(i));
    this.updateCounts();
  }

  private edited(): void {
    this.check();
    this.updateCounts();
    this.options.changed();
  }

  /** Asks core what is wrong with each row; the last answer wins. */
  private async checkNow(): Promise<void> {
    const seq = ++this.checkSeq;
    if (!this.assertions.length && !this.extract.length) {
      this.problems = [];
      this.extractProblems = [];
      return;
    }
    try {
      const found = await api.assertionProblems(this.assertions, this.extract);
      if (seq !== this.checkSeq) return;
      this.problems = found.assertions;
      this.extractProblems = found.extract;
    } catch {
      return;
    }
    this.rows.forEach((_, i) => this.showNote(i));
    this.extractNotes.forEach((note, i) => {
      const problem = this.extractProblems[i] ?? null;
      note.hidden = problem === null;
      note.textContent = problem ?? "";
      note.previousElementSibling?.querySelector("input")?.setAttribute("aria-invalid", String(problem !== null));
    });
    this.updateCounts();
  }

  private render(focusLast = false): void {
    this.rows = [];
    const rows = this.assertions.map((a, index) => this.assertionRow(a, index));
    replace(this.assertionsBox, rows.length ? rows : h("p", { class: "muted small" }, "No assertions: a send passes when it gets a response."));
    this.rows.forEach((_, i) => this.showNote(i));
    this.updateCounts();
    if (focusLast) this.assertionsBox.querySelector<HTMLElement>(".assertion-row:last-of-type .assertion-subject")?.focus();
  }

  private assertionRow(a: Assertion, index: number): HTMLElement {
    const n = index + 1;
    const noteId = `assertion-note-${n}`;
    const subject = h(
      "select",
      { class: "assertion-subject", "aria-label": `Assertion ${n}: what it checks`, testid: "assertion-subject" },
      SUBJECTS.map((s) => h("option", { value: s.value, selected: s.value === a.subject }, s.label)),
    );
    const path = h("input", { type: "text", class: "assertion-path", value: a.path, placeholder: pathPlaceholder(a.subject), "aria-label": `Assertion ${n}: ${a.subject === "header" ? "header name" : a.subject === "json" ? "JSONPath" : "XPath"}`, spellcheck: "false", testid: "assertion-path", hidden: !takesPath(a.subject), "aria-describedby": noteId });
    const check = h(
      "select",
      { class: "assertion-check", "aria-label": `Assertion ${n}: how it compares`, testid: "assertion-check" },
      checksFor(a.subject).map((c) => h("option", { value: c, selected: c === a.check }, CHECK_LABELS[c])),
    );
    const value = h("input", { type: "text", class: "assertion-value", value: a.value, placeholder: takesValue(a.check) ? valuePlaceholder(a.subject) : "—", "aria-label": `Assertion ${n}: value`, spellcheck: "false", testid: "assertion-value", disabled: !takesValue(a.check), "aria-describedby": noteId });
    const remove = h("button", { type: "button", class: "ghost icon", "aria-label": `Remove assertion ${n}`, title: "Remove assertion", testid: "remove-assertion" }, "×");
    const mark = h("span", { class: "assertion-mark", role: "img", testid: "assertion-mark" });
    const note = h("div", { class: "assertion-note small", id: noteId, testid: "assertion-note", hidden: true });

    subject.addEventListener("change", () => {
      this.assertions[index] = withSubject(this.assertions[index], subject.value as Subject);
      this.render();
      this.assertionsBox.querySelectorAll<HTMLSelectElement>(".assertion-subject")[index]?.focus();
      this.edited();
    });
    check.addEventListener("change", () => {
      const c = check.value as Check;
      this.assertions[index] = { ...this.assertions[index], check: c, value: takesValue(c) ? this.assertions[index].value : "" };
      value.disabled = !takesValue(c);
      value.value = this.assertions[index].value;
      value.placeholder = takesValue(c) ? valuePlaceholder(this.assertions[index].subject) : "—";
      this.showNote(index);
      this.edited();
    });
    path.addEventListener("input", () => {
      this.assertions[index].path = path.value;
      this.showNote(index);
      this.edited();
    });
    value.addEventListener("input", () => {
      this.assertions[index].value = value.value;
      this.showNote(index);
      this.edited();
    });
    remove.addEventListener("click", () => {
      this.assertions.splice(index, 1);
      this.problems.splice(index, 1);
      if (this.results) this.results = this.results.filter((r) => this.assertions.some((x) => same(x, r.assertion)));
      this.render();
      this.edited();
    });
    this.rows.push({ mark, note, value });
    return h("div", { class: "assertion-row", testid: "assertion-row", "data-subject": a.subject }, mark, subject, path, check, value, remove, note);
  }

  /** Under row `index`: core's problem with it, else its last result (✓/✗ and why), else nothing. */
  private showNote(index: number): void {
    const row = this.rows[index];
    const a = this.assertions[index];
    if (!row || !a) return;
    const problem = this.problems[index] ?? null;
    const result = this.results?.find((r, i) => (i === index || this.results!.length !== this.assertions.length) && same(r.assertion, a)) ?? null;
    row.value.setAttribute("aria-invalid", String(problem !== null));
    row.note.classList.remove("tone-error", "tone-ok", "muted");
    delete row.note.dataset.passed;
    if (problem !== null) {
      row.mark.textContent = "!";
      row.mark.className = "assertion-mark tone-warn";
      row.mark.setAttribute("aria-label", "cannot be checked");
      row.note.textContent = problem;
      row.note.classList.add("tone-error");
      row.note.dataset.kind = "problem";
      row.note.hidden = false;
    } else if (result) {
      row.mark.textContent = result.passed ? "✓" : "✗";
      row.mark.className = `assertion-mark tone-${result.passed ? "ok" : "error"}`;
      row.mark.setAttribute("aria-label", result.passed ? "passed on the last send" : "failed on the last send");
      row.note.textContent = result.message;
      row.note.classList.add(result.passed ? "tone-ok" : "tone-error");
      row.note.dataset.kind = "result";
      row.note.dataset.passed = String(result.passed);
      row.note.hidden = false;
    } else {
      row.mark.textContent = "";
      row.mark.className = "assertion-mark";
      row.mark.setAttribute("aria-label", "not sent yet");
      row.note.textContent = "";
      row.note.hidden = true;
    }
  }

  private renderExtract(focusLast = false): void {
    this.extractNotes = [];
    const rows = this.extract.map((e, index) => {
      const n = index + 1;
      const variable = h("input", { type: "text", class: "extract-variable", value: e.variable, placeholder: "variable_name", "aria-label": `Extraction ${n}: variable`, spellcheck: "false", testid: "extract-variable" });
      const from = h(
        "select",
        { class: "extract-from", "aria-label": `Extraction ${n}: taken from`, testid: "extract-from" },
        EXTRACT_FROM.map((f) => h("option", { value: f.value, selected: f.value === e.from }, f.label)),
      );
      const path = h("input", { type: "text", class: "extract-path", value: e.path, placeholder: EXTRACT_FROM.find((f) => f.value === e.from)?.placeholder ?? "", "aria-label": `Extraction ${n}: path`, spellcheck: "false", testid: "extract-path" });
      const remove = h("button", { type: "button", class: "ghost icon", "aria-label": `Remove extraction ${n}`, title: "Remove extraction" }, "×");
      const note = h("div", { class: "extract-note small", role: "alert", hidden: true });
      variable.addEventListener("input", () => {
        this.extract[index].variable = variable.value;
        this.edited();
      });
      from.addEventListener("change", () => {
        this.extract[index].from = from.value as ExtractFrom;
        path.placeholder = EXTRACT_FROM.find((f) => f.value === from.value)?.placeholder ?? "";
        this.edited();
      });
      path.addEventListener("input", () => {
        this.extract[index].path = path.value;
        this.edited();
      });
      remove.addEventListener("click", () => {
        this.extract.splice(index, 1);
        this.extractProblems.splice(index, 1);
        this.renderExtract();
        this.edited();
      });
      this.extractNotes.push(note);
      return h("div", { class: "extract-group" }, h("div", { class: "extract-row", testid: "extract-row" }, variable, from, path, remove), note);
    });
    replace(this.extractBox, rows.length ? rows : h("p", { class: "muted small" }, "Nothing extracted."));
    this.updateCounts();
    if (focusLast) this.extractBox.querySelector<HTMLElement>(".extract-group:last-child .extract-variable")?.focus();
  }

  /** "(3)", or "2 of 3 failed" after a send. */
  private updateCounts(): void {
    const total = this.assertions.length;
    const shown = this.results?.filter((r) => this.assertions.some((a) => same(a, r.assertion))) ?? [];
    const failed = shown.filter((r) => !r.passed).length;
    this.assertionsCount.className = "section-count";
    if (total === 0) this.assertionsCount.textContent = "";
    else if (shown.length) {
      this.assertionsCount.textContent = failed ? `${failed} of ${total} failed` : `all ${total} passed`;
      this.assertionsCount.classList.add(failed ? "tone-error" : "tone-ok");
    } else this.assertionsCount.textContent = `(${total})`;
    this.extractCount.textContent = this.extract.length ? `(${this.extract.length})` : "";
  }
}

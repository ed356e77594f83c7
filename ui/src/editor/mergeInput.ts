// Merge fields and `{{variables}}` in a one-line input (a header's value): marked
// behind the text as in the body editor, and completed after `{!` (or Ctrl+Space)
// and `{{` from a list driven by the keyboard. The input stays a plain <input>:
// typing, undo, selection and its value behave as in any other field.
import {
  closeCompletion,
  MERGE_COMPLETIONS,
  markTokens,
  matchMergeCompletions,
  mergeCompletionStart,
  variableCompletions,
  type MarkKind,
  type MergeCompletion,
} from "../logic/mergeFields";
import * as store from "../store";
import { h, replace } from "../ui/dom";

const MARK_CLASS: Record<MarkKind, string> = {
  field: "merge-mark",
  encoded: "merge-mark merge-encoded",
  external: "merge-mark merge-external",
  unknown: "merge-mark merge-unknown",
  unclosed: "merge-mark merge-unknown",
  variable: "var-mark",
  "unknown-variable": "var-mark var-unknown",
  "unclosed-variable": "var-mark var-unknown",
};

/** The text cut into plain runs, merge fields and variables (known from `names`), for the marks drawn behind an input. */
export function markRuns(text: string, names: readonly string[]): { text: string; kind: MarkKind | null }[] {
  const runs: { text: string; kind: MarkKind | null }[] = [];
  let at = 0;
  for (const token of markTokens(text, names)) {
    if (token.from > at) runs.push({ text: text.slice(at, token.from), kind: null });
    runs.push({ text: text.slice(token.from, token.to), kind: token.kind });
    at = token.to;
  }
  if (at < text.length) runs.push({ text: text.slice(at), kind: null });
  return runs;
}

/** Where the field or variable name the caret is in ends: past the rest of the name after the caret. */
export function fieldEnd(value: string, caret: number): number {
  let to = caret;
  while (to < value.length && /[A-Za-z0-9_$.-]/.test(value[to])) to++;
  return to;
}

/**
 * `value` with `completion` put in place of `from` (just after `{!` or `{{`) to
 * `to`; a `}` or `}}` already there is not doubled. Returns the new value and the
 * selection: after the field, or on the field inside HTMLENCODE( ).
 */
export function applyCompletion(value: string, from: number, to: number, completion: MergeCompletion): { value: string; selection: [number, number] } {
  const { text, skip } = closeCompletion(completion.apply, value.slice(to));
  const next = value.slice(0, from) + text + value.slice(to);
  if (completion.apply.startsWith("HTMLENCODE(")) {
    const start = from + "HTMLENCODE(".length;
    return { value: next, selection: [start, start + "$Credential.OAuthToken".length] };
  }
  const end = from + text.length + skip;
  return { value: next, selection: [end, end] };
}

/** A variable offered in the list: accepting it writes the name and closes it. */
export function variableCompletion(name: string): MergeCompletion {
  return { label: name, detail: "variable", apply: `${name}}}` };
}

/** Draws `input` again whenever the variables change, holding it weakly: the store must not keep a removed header row alive. */
function redrawOnVariables(input: MergeInput): void {
  const ref = new WeakRef(input);
  const stop = store.variableNames.subscribe(() => {
    const live = ref.deref();
    if (live) live.draw();
    else stop();
  });
}

let lists = 0;

export class MergeInput {
  readonly element: HTMLElement;
  private backdrop = h("div", { class: "merge-backdrop", "aria-hidden": "true" });
  private list: HTMLUListElement;
  private options: MergeCompletion[] = [];
  private active = 0;
  private from = 0;
  /** Whether the list was asked for (Ctrl+Space) outside a field, so accepting also types the `{!`. */
  private opening = false;

  constructor(readonly input: HTMLInputElement) {
    const id = `merge-completions-${++lists}`;
    this.list = h("ul", { class: "suggestions merge-suggestions", role: "listbox", id, "aria-label": "Merge fields", hidden: true });
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    this.element = h("div", { class: "merge-input" }, this.backdrop, input, this.list);
    input.addEventListener("input", () => {
      this.draw();
      this.suggest(false);
    });
    input.addEventListener("scroll", () => this.follow());
    input.addEventListener("keydown", (event) => this.keys(event));
    input.addEventListener("keyup", (event) => {
      if (event.key === "ArrowLeft" || event.key === "ArrowRight" || event.key === "Home" || event.key === "End") this.suggest(false);
      this.follow();
    });
    input.addEventListener("click", () => this.follow());
    input.addEventListener("blur", () => this.close());
    this.draw();
    redrawOnVariables(this);
  }

  /** Draws the marks again (after the value or the variables changed). */
  draw(): void {
    replace(
      this.backdrop,
      markRuns(this.input.value, store.variableNames.value).map((run) => (run.kind ? h("mark", { class: MARK_CLASS[run.kind] }, run.text) : run.text)),
      // A trailing space keeps the last run's width when the value ends in spaces.
      " ",
    );
    this.follow();
  }

  /** Keeps the marks under the text when the input scrolls sideways. */
  private follow(): void {
    this.backdrop.scrollLeft = this.input.scrollLeft;
  }

  /**
   * Opens the list for what was typed after an unclosed `{{` or `{!` (or every
   * field when `all`), else closes it.
   */
  private suggest(all: boolean): void {
    const caret = this.input.selectionStart ?? this.input.value.length;
    const before = this.input.value.slice(0, caret);
    const variables = variableCompletions(before, store.variableNames.value);
    if (variables) return this.show("Variables", variables.from, variables.options.map(variableCompletion));
    const start = mergeCompletionStart(before);
    if (start === null && !all) return this.close();
    this.show("Merge fields", start ?? caret, start === null ? MERGE_COMPLETIONS : matchMergeCompletions(before.slice(start)), start === null);
  }

  /** Shows `options` (completing from `from`) under the list's name `label`; closes the list when there are none. */
  private show(label: string, from: number, options: MergeCompletion[], opening = false): void {
    this.from = from;
    this.options = options;
    this.opening = opening;
    if (!options.length) return this.close();
    this.list.setAttribute("aria-label", label);
    this.active = 0;
    this.renderList();
  }

  private renderList(): void {
    const listId = this.list.id;
    replace(
      this.list,
      this.options.map((option, i) => {
        const li = h(
          "li",
          { role: "option", id: `${listId}-${i}`, class: i === this.active ? "active" : "", "aria-selected": String(i === this.active) },
          h("span", { class: "merge-option" }, option.label),
          h("span", { class: "merge-option-detail" }, option.detail),
        );
        li.addEventListener("mousedown", (event) => {
          event.preventDefault();
          this.accept(i);
        });
        return li;
      }),
    );
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.input.setAttribute("aria-activedescendant", `${listId}-${this.active}`);
  }

  private close(): void {
    if (this.list.hidden) return;
    this.list.hidden = true;
    this.options = [];
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  private accept(index: number): void {
    const option = this.options[index];
    if (!option) return;
    let text = this.input.value;
    let from = this.from;
    let caret = this.input.selectionStart ?? text.length;
    if (this.opening) {
      text = `${text.slice(0, from)}{!${text.slice(from)}`;
      from += 2;
      caret += 2;
    }
    const { value, selection } = applyCompletion(text, from, this.opening ? caret : fieldEnd(text, caret), option);
    this.close();
    this.input.value = value;
    this.input.setSelectionRange(...selection);
    this.input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  private keys(event: KeyboardEvent): void {
    if (event.key === " " && event.ctrlKey) {
      event.preventDefault();
      this.suggest(true);
      return;
    }
    if (this.list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : this.options.length - 1;
      this.active = (this.active + step) % this.options.length;
      this.renderList();
    } else if ((event.key === "Enter" && !(event.ctrlKey || event.metaKey)) || event.key === "Tab") {
      event.preventDefault();
      event.stopPropagation();
      this.accept(this.active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      this.close();
    }
  }
}

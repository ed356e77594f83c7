// The request body editor: CodeMirror 6 with XML/JSON highlighting, merge fields
// and `{{variables}}` marked and completed, Ctrl/Cmd+Enter to send, and
// diagnostics at exact spots.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, type Completion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { json } from "@codemirror/lang-json";
import { xml } from "@codemirror/lang-xml";
import { bracketMatching, foldGutter, HighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { Compartment, EditorState, Prec, RangeSetBuilder, StateEffect, StateField, type Extension } from "@codemirror/state";
import {
  Decoration,
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  placeholder,
  tooltips,
  ViewPlugin,
  type DecorationSet,
  type ViewUpdate,
} from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { closeCompletion, MERGE_COMPLETIONS, markTokens, mergeCompletionStart, variableCompletions, type MarkKind } from "../logic/mergeFields";
import type { BodyKind } from "../pending-types";
import * as store from "../store";

const highlight = HighlightStyle.define([
  { tag: [tags.tagName, tags.angleBracket], color: "var(--syn-tag)" },
  { tag: tags.attributeName, color: "var(--syn-attr)" },
  { tag: [tags.attributeValue, tags.string], color: "var(--syn-string)" },
  { tag: tags.propertyName, color: "var(--syn-prop)" },
  { tag: [tags.number, tags.bool, tags.null], color: "var(--syn-number)" },
  { tag: [tags.comment, tags.processingInstruction, tags.documentMeta], color: "var(--syn-comment)", fontStyle: "italic" },
  { tag: tags.keyword, color: "var(--syn-keyword)" },
  { tag: tags.invalid, color: "var(--err)" },
]);

const MARK_CLASS: Record<MarkKind, string> = {
  field: "cm-merge-field",
  encoded: "cm-merge-field cm-merge-encoded",
  external: "cm-merge-field cm-merge-external",
  unknown: "cm-merge-field cm-merge-unknown",
  unclosed: "cm-merge-field cm-merge-unknown",
  variable: "cm-var-mark",
  "unknown-variable": "cm-var-mark cm-var-unknown",
  "unclosed-variable": "cm-var-mark cm-var-unknown",
};
const TITLES: Record<MarkKind, string> = {
  field: "merge field",
  encoded: "merge field, HTML-encoded",
  external: "external credential parameter",
  unknown: "not a merge field Callout Lab knows",
  unclosed: "unclosed merge field: add }",
  variable: "variable",
  "unknown-variable": "not a variable this request's collection has",
  "unclosed-variable": "unclosed variable: add }}",
};

/** Sets the names of the variables the open request can use (store.variableNames). */
const setVariableNames = StateEffect.define<readonly string[]>();
const variableNames = StateField.define<readonly string[]>({
  create: () => store.variableNames.value,
  update: (names, tr) => tr.effects.reduce((value, effect) => (effect.is(setVariableNames) ? effect.value : value), names),
});

function markDecorations(view: EditorView): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  const names = view.state.field(variableNames);
  for (const { from, to } of view.visibleRanges) {
    // Tokenize a little around the visible range so fields crossing its edge are found.
    const start = Math.max(0, from - 200);
    const text = view.state.sliceDoc(start, Math.min(view.state.doc.length, to + 200));
    for (const token of markTokens(text, names)) {
      const a = start + token.from;
      const b = start + token.to;
      if (b < from || a > to || a === b) continue;
      builder.add(a, b, Decoration.mark({ class: MARK_CLASS[token.kind], attributes: { title: TITLES[token.kind] } }));
    }
  }
  return builder.finish();
}

/** Marks merge fields and variables; again when the variables' names change. */
const markHighlighter = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = markDecorations(view);
    }
    update(update: ViewUpdate): void {
      const renamed = update.startState.field(variableNames) !== update.state.field(variableNames);
      if (update.docChanged || update.viewportChanged || renamed) this.decorations = markDecorations(update.view);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

/** What follows `pos` on its line: where a closing `}` or `}}` may already be. */
function restOfLine(view: EditorView, pos: number): string {
  const line = view.state.doc.lineAt(pos);
  return line.text.slice(pos - line.from);
}

function mergeCompletionSource(context: CompletionContext): CompletionResult | null {
  const line = context.state.doc.lineAt(context.pos);
  const before = line.text.slice(0, context.pos - line.from);
  const start = mergeCompletionStart(before);
  if (start === null) return null;
  const options: Completion[] = MERGE_COMPLETIONS.map((c) => ({
    label: c.label,
    detail: c.detail,
    type: c.label.startsWith("HTML") ? "function" : "variable",
    apply: (view, _completion, from, to) => {
      const { text, skip } = closeCompletion(c.apply, restOfLine(view, to));
      const cursor = c.label.startsWith("HTML") ? from + "HTMLENCODE(".length : from + text.length + skip;
      view.dispatch({
        changes: { from, to, insert: text },
        selection: c.label.startsWith("HTML")
          ? { anchor: cursor, head: cursor + "$Credential.OAuthToken".length }
          : { anchor: cursor },
      });
    },
  }));
  return { from: line.from + start, options, validFor: /^[A-Za-z0-9_$.]*$/ };
}

/** Completes a name after `{{` from the variables, in variableCompletions' order. */
function variableCompletionSource(context: CompletionContext): CompletionResult | null {
  const line = context.state.doc.lineAt(context.pos);
  const found = variableCompletions(line.text.slice(0, context.pos - line.from), context.state.field(variableNames));
  if (!found?.options.length) return null;
  const options: Completion[] = found.options.map((name) => ({
    label: name,
    detail: "variable",
    type: "variable",
    apply: (view, _completion, from, to) => {
      const { text, skip } = closeCompletion(`${name}}}`, restOfLine(view, to));
      view.dispatch({ changes: { from, to, insert: text }, selection: { anchor: from + text.length + skip } });
    },
  }));
  // Already matched and ordered (prefix first): asked again as the name is typed.
  return { from: line.from + found.from, options, filter: false };
}

export interface BodyEditorOptions {
  parent: HTMLElement;
  doc: string;
  kind: BodyKind;
  onChange: (text: string) => void;
  onSend: () => void;
  readOnly?: boolean;
  /** The editor's accessible name; "Request body" by default. */
  label?: string;
}

function language(kind: BodyKind): Extension {
  if (kind === "xml") return xml();
  if (kind === "json") return json();
  return [];
}

export class BodyEditor {
  readonly view: EditorView;
  private languageSlot = new Compartment();
  private suppress = false;
  private stopNames: () => void;

  constructor(options: BodyEditorOptions) {
    const { onChange, onSend } = options;
    const extensions: Extension[] = [
      lineNumbers(),
      foldGutter(),
      lintGutter(),
      highlightActiveLineGutter(),
      history(),
      drawSelection(),
      indentOnInput(),
      bracketMatching(),
      closeBrackets(),
      highlightActiveLine(),
      syntaxHighlighting(highlight),
      this.languageSlot.of(language(options.kind)),
      variableNames,
      markHighlighter,
      autocompletion({ override: [mergeCompletionSource, variableCompletionSource], activateOnTyping: true, icons: false }),
      Prec.highest(
        keymap.of([
          {
            key: "Mod-Enter",
            run: () => {
              onSend();
              return true;
            },
          },
        ]),
      ),
      keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
      placeholder("Request body — type {! for merge fields such as {!$Credential.OAuthToken}"),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ "aria-label": options.label ?? "Request body" }),
      // Tooltips (lint messages, completions) live on the page, placed within the
      // window: inside the editor's box they were cut at its edges.
      tooltips({ parent: document.body, position: "fixed" }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged && !this.suppress) onChange(update.state.doc.toString());
      }),
    ];
    if (options.readOnly) extensions.push(EditorState.readOnly.of(true), EditorView.editable.of(false));
    this.view = new EditorView({ parent: options.parent, state: EditorState.create({ doc: options.doc, extensions }) });
    this.stopNames = store.variableNames.subscribe(() => this.view.dispatch({ effects: setVariableNames.of(store.variableNames.value) }));
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  /** Replaces the whole text (a different request was opened) without reporting a change. */
  setText(text: string): void {
    if (text === this.text) return;
    this.suppress = true;
    try {
      this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text }, selection: { anchor: 0 } });
    } finally {
      this.suppress = false;
    }
  }

  setKind(kind: BodyKind): void {
    this.view.dispatch({ effects: this.languageSlot.reconfigure(language(kind)) });
  }

  setDiagnostics(diagnostics: Diagnostic[]): void {
    const length = this.view.state.doc.length;
    const clamped = diagnostics.map((d) => ({ ...d, from: Math.min(d.from, length), to: Math.min(Math.max(d.to, d.from), length) }));
    this.view.dispatch(setDiagnostics(this.view.state, clamped));
  }

  /** Puts the cursor on `offset` and scrolls it into view. */
  reveal(offset: number): void {
    const at = Math.min(offset, this.view.state.doc.length);
    this.view.dispatch({ selection: { anchor: at }, effects: EditorView.scrollIntoView(at, { y: "center" }) });
  }

  focus(): void {
    this.view.focus();
  }

  destroy(): void {
    this.stopNames();
    this.view.destroy();
  }
}

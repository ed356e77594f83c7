// The request body editor: CodeMirror 6 with XML/JSON highlighting, merge fields
// marked and completed, Ctrl/Cmd+Enter to send, and diagnostics at exact spots.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, type Completion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { json } from "@codemirror/lang-json";
import { xml } from "@codemirror/lang-xml";
import { bracketMatching, foldGutter, HighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { Compartment, EditorState, Prec, RangeSetBuilder, type Extension } from "@codemirror/state";
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
import { MERGE_COMPLETIONS, mergeCompletionStart, tokenize, type MergeTokenKind } from "../logic/mergeFields";
import type { BodyKind } from "../pending-types";

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

const MARK_CLASS: Record<MergeTokenKind, string> = {
  field: "cm-merge-field",
  encoded: "cm-merge-field cm-merge-encoded",
  external: "cm-merge-field cm-merge-external",
  unknown: "cm-merge-field cm-merge-unknown",
  unclosed: "cm-merge-field cm-merge-unknown",
};
const TITLES: Record<MergeTokenKind, string> = {
  field: "merge field",
  encoded: "merge field, HTML-encoded",
  external: "external credential parameter",
  unknown: "not a merge field Callout Lab knows",
  unclosed: "unclosed merge field: add }",
};

function mergeDecorations(view: EditorView): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  for (const { from, to } of view.visibleRanges) {
    // Tokenize a little around the visible range so fields crossing its edge are found.
    const start = Math.max(0, from - 200);
    const text = view.state.sliceDoc(start, Math.min(view.state.doc.length, to + 200));
    for (const token of tokenize(text)) {
      const a = start + token.from;
      const b = start + token.to;
      if (b < from || a > to || a === b) continue;
      builder.add(a, b, Decoration.mark({ class: MARK_CLASS[token.kind], attributes: { title: TITLES[token.kind] } }));
    }
  }
  return builder.finish();
}

const mergeHighlighter = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = mergeDecorations(view);
    }
    update(update: ViewUpdate): void {
      if (update.docChanged || update.viewportChanged) this.decorations = mergeDecorations(update.view);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

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
      const closed = view.state.sliceDoc(to, to + 1) === "}";
      const text = closed ? c.apply.slice(0, -1) : c.apply;
      const cursor = c.label.startsWith("HTML") ? from + "HTMLENCODE(".length : from + text.length + (closed ? 1 : 0);
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
      mergeHighlighter,
      autocompletion({ override: [mergeCompletionSource], activateOnTyping: true, icons: false }),
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
    this.view.destroy();
  }
}

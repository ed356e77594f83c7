// Merge fields and `{{variables}}` as the editor sees them: tokens to highlight,
// completions to offer. The engine (crates/core/src/merge.rs, variables.rs) is the
// judge; this mirrors its grammar closely enough to colour text and flag obvious
// mistakes while typing.

export const LEGACY_FIELDS = [
  "OAuthToken",
  "Username",
  "Password",
  "AuthorizationMethod",
  "AuthorizationHeaderValue",
  "OAuthConsumerKey",
] as const;

export type MergeTokenKind = "field" | "encoded" | "external" | "unknown" | "unclosed";

export interface MergeToken {
  from: number;
  to: number;
  kind: MergeTokenKind;
  /** The expression between `{!` and `}`, trimmed. */
  expression: string;
}

const SECRET_FIELDS = new Set(["oauthtoken", "password", "authorizationheadervalue"]);

/** Every `{!...}` in `text`, classified. Every `{!` starts a field, as in the engine. */
export function tokenize(text: string): MergeToken[] {
  const tokens: MergeToken[] = [];
  let pos = 0;
  for (;;) {
    const start = text.indexOf("{!", pos);
    if (start < 0) break;
    const close = text.indexOf("}", start + 2);
    const reopen = text.indexOf("{!", start + 2);
    if (close < 0 || (reopen >= 0 && reopen < close)) {
      const lineEnd = text.indexOf("\n", start);
      const to = reopen >= 0 ? Math.min(reopen, lineEnd < 0 ? reopen : lineEnd) : lineEnd < 0 ? text.length : lineEnd;
      tokens.push({ from: start, to, kind: "unclosed", expression: text.slice(start + 2, to).trim() });
      pos = Math.max(to, start + 2);
      continue;
    }
    const expression = text.slice(start + 2, close).trim();
    tokens.push({ from: start, to: close + 1, kind: classify(expression), expression });
    pos = close + 1;
  }
  return tokens;
}

/** What kind of merge expression `expression` (without braces) is. */
export function classify(expression: string): Exclude<MergeTokenKind, "unclosed"> {
  const call = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(.*?)\s*\)$/s.exec(expression);
  if (call) {
    if (call[1].toUpperCase() !== "HTMLENCODE") return "unknown";
    const inner = classify(call[2]);
    return inner === "field" || inner === "external" ? "encoded" : "unknown";
  }
  const parts = expression.split(".");
  if (parts[0].toLowerCase() !== "$credential") return "unknown";
  if (parts.length === 2) {
    return LEGACY_FIELDS.some((field) => field.toLowerCase() === parts[1].toLowerCase()) ? "field" : "unknown";
  }
  if (parts.length === 3 && parts.every((part) => /^[A-Za-z_$][A-Za-z0-9_]*$/.test(part))) return "external";
  return "unknown";
}

/** Whether the field's value is a secret (so the preview shows it masked). */
export function isSecretField(expression: string): boolean {
  const field = expression.replace(/^HTMLENCODE\s*\(\s*|\s*\)$/gi, "").split(".").pop() ?? "";
  return SECRET_FIELDS.has(field.toLowerCase());
}

export type VariableTokenKind = "variable" | "unknown-variable" | "unclosed-variable";

export interface VariableToken {
  from: number;
  to: number;
  kind: VariableTokenKind;
  /** The name between `{{` and `}}`, trimmed; what was typed of it when unclosed. */
  name: string;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Every `{{name}}` in `text`, known when `names` has it (exactly: the engine looks
 * names up case-sensitively). As in the engine, `{{` closed by `}}` around anything
 * but a name is plain text; a `{{` that no `}}` closes before its line ends or the
 * next `{{` is marked unclosed, with the name typed after it.
 */
export function tokenizeVariables(text: string, names: readonly string[]): VariableToken[] {
  const tokens: VariableToken[] = [];
  let pos = 0;
  for (;;) {
    const start = text.indexOf("{{", pos);
    if (start < 0) break;
    const close = text.indexOf("}}", start + 2);
    const name = close < 0 ? "" : text.slice(start + 2, close).trim();
    if (VARIABLE_NAME.test(name)) {
      tokens.push({ from: start, to: close + 2, kind: names.includes(name) ? "variable" : "unknown-variable", name });
      pos = close + 2;
    } else if (closesOnItsLine(text, start, close)) {
      pos = start + 2;
    } else {
      const typed = /^[ \t]*([A-Za-z_][A-Za-z0-9_.-]*)?/.exec(text.slice(start + 2))!;
      tokens.push({ from: start, to: start + 2 + typed[0].length, kind: "unclosed-variable", name: typed[1] ?? "" });
      pos = start + 2 + typed[0].length;
    }
  }
  return tokens;
}

/** Whether the `}}` at `close` ends the `{{` at `start`: on the same line, no other `{{` between. */
function closesOnItsLine(text: string, start: number, close: number): boolean {
  if (close < 0) return false;
  const lineEnd = text.indexOf("\n", start);
  const reopen = text.indexOf("{{", start + 2);
  return (lineEnd < 0 || close < lineEnd) && (reopen < 0 || close < reopen);
}

export type MarkKind = MergeTokenKind | VariableTokenKind;

/**
 * The merge fields and variables of `text` to mark, in order and not overlapping:
 * a merge field around a variable gives way to it, as the engine fills variables
 * in first (`{!$Credential.{{ext}}.ApiKey}` is a field once `ext` is).
 */
export function markTokens(text: string, names: readonly string[]): { from: number; to: number; kind: MarkKind }[] {
  const variables = tokenizeVariables(text, names);
  const fields = tokenize(text).filter((field) => !variables.some((v) => v.from < field.to && field.from < v.to));
  return [...fields, ...variables].sort((a, b) => a.from - b.from);
}

export interface MergeCompletion {
  label: string;
  detail: string;
  /** Text inserted in place of what was typed since `{!`. */
  apply: string;
}

const FIELD_DETAIL: Record<(typeof LEGACY_FIELDS)[number], string> = {
  OAuthToken: "the access token (refreshed on expiry)",
  Username: "the credential's username",
  Password: "the credential's password",
  AuthorizationMethod: "Bearer, Basic or empty",
  AuthorizationHeaderValue: "the token, or base64 user:pass",
  OAuthConsumerKey: "the OAuth client id",
};

export const MERGE_COMPLETIONS: MergeCompletion[] = [
  ...LEGACY_FIELDS.map((field) => ({
    label: `$Credential.${field}`,
    detail: FIELD_DETAIL[field],
    apply: `$Credential.${field}}`,
  })),
  {
    label: "HTMLENCODE($Credential.…)",
    detail: "XML-escape a field (bodies only in Salesforce)",
    apply: "HTMLENCODE($Credential.OAuthToken)}",
  },
];

/**
 * Where a merge-field completion applies: after an unclosed `{!` on the same line,
 * with only field-ish characters typed since. Returns the offset just after `{!`.
 */
export function mergeCompletionStart(textBefore: string): number | null {
  const open = textBefore.lastIndexOf("{!");
  if (open < 0) return null;
  const typed = textBefore.slice(open + 2);
  if (!/^[A-Za-z0-9_$.(]*$/.test(typed)) return null;
  return open + 2;
}

/** The completions matching what was typed after `{!` (case-insensitive, by prefix or word). */
export function matchMergeCompletions(typed: string): MergeCompletion[] {
  const needle = typed.toLowerCase();
  return MERGE_COMPLETIONS.filter((c) => {
    const label = c.label.toLowerCase();
    return label.startsWith(needle) || label.includes(`.${needle}`) || (needle.length > 0 && label.includes(needle));
  });
}

/**
 * Variable completions for the text before the caret: after an unclosed `{{` with
 * part of a name typed (spaces before it allowed, as in `{{ name }}`), where that
 * part starts and the names that fit it: those it begins first, then those that
 * contain it, ignoring case.
 */
export function variableCompletions(textBefore: string, names: readonly string[]): { from: number; options: string[] } | null {
  const open = textBefore.lastIndexOf("{{");
  if (open < 0) return null;
  const typed = /^[ \t]*([A-Za-z_][A-Za-z0-9_.-]*)?$/.exec(textBefore.slice(open + 2));
  if (!typed) return null;
  const part = typed[1] ?? "";
  const needle = part.toLowerCase();
  const starts = names.filter((name) => name.toLowerCase().startsWith(needle));
  const contains = names.filter((name) => !starts.includes(name) && name.toLowerCase().includes(needle));
  return { from: textBefore.length - part.length, options: [...starts, ...contains] };
}

/**
 * How a completion's `apply` (ending in its closing `}` or `}}`) is written before
 * `after`, the text following what it replaces: the closing is not written again
 * when it is there (after spaces too, as in `{{ name }}`), nor the `}` of a `}}`
 * begun. `text` is what to write; the caret goes `skip` past it, after the closing.
 */
export function closeCompletion(apply: string, after: string): { text: string; skip: number } {
  const closing = /\}*$/.exec(apply)![0].length;
  const [, spaces, braces] = /^([ \t]*)(\}*)/.exec(after)!;
  const typed = braces.length >= closing ? closing : spaces ? 0 : braces.length;
  return { text: apply.slice(0, apply.length - typed), skip: typed ? spaces.length + typed : 0 };
}

/**
 * `callout:` completions for a URL being typed: when the text before the cursor is
 * `callout:` plus part of a name, the credential names that fit.
 */
export function calloutCompletions(
  textBefore: string,
  names: string[],
): { from: number; options: string[] } | null {
  const match = /^\s*callout:([A-Za-z0-9_-]*)$/i.exec(textBefore);
  if (!match) return null;
  const typed = match[1].toLowerCase();
  const from = textBefore.length - match[1].length;
  return { from, options: names.filter((name) => name.toLowerCase().startsWith(typed)) };
}

/** The credential a `callout:NAME/...` URL names, if any. */
export function calloutName(url: string): string | null {
  const match = /^\s*callout:([^/?#\s]+)/i.exec(url);
  return match ? match[1] : null;
}

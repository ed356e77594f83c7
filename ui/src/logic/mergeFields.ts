// Merge fields as the editor sees them: tokens to highlight, completions to offer.
// The engine (crates/core/src/merge.rs) is the judge; this mirrors its grammar
// closely enough to colour text and flag obvious mistakes while typing.

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

// Pretty-printing of response bodies (JSON, XML), without changing their content.
import type { Header } from "../bindings/Header";
import type { BodyKind } from "../pending-types";

export function headerValue(headers: Header[], name: string): string | null {
  const found = headers.find((h) => h.name.toLowerCase() === name.toLowerCase());
  return found ? found.value : null;
}

/** What a body is, from its Content-Type, else from its first character. */
export function detectKind(contentType: string | null, body: string): BodyKind {
  const type = (contentType ?? "").toLowerCase();
  if (/[/+]json\b/.test(type)) return "json";
  if (/[/+]xml\b/.test(type)) return "xml";
  const start = body.trimStart();
  if (start === "") return "none";
  if (start.startsWith("{") || start.startsWith("[")) return "json";
  if (start.startsWith("<")) return "xml";
  return "text";
}

export function prettyJson(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}

/**
 * Indents XML by element depth. Text-only elements stay on one line; comments,
 * CDATA, processing instructions and declarations are kept as they are.
 * Returns null when the text does not look like well-nested XML.
 */
export function prettyXml(text: string, indent = "  "): string | null {
  const tokens = text.match(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<[^>]+>|[^<]+/g);
  if (!tokens) return null;
  const lines: string[] = [];
  let depth = 0;
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i];
    if (!token.startsWith("<")) {
      if (token.trim() !== "") lines.push(indent.repeat(depth) + token.trim());
      i++;
      continue;
    }
    if (token.startsWith("</")) {
      depth--;
      if (depth < 0) return null;
      lines.push(indent.repeat(depth) + token);
      i++;
      continue;
    }
    const selfContained = /^<[?!]/.test(token) || token.endsWith("/>");
    if (selfContained) {
      lines.push(indent.repeat(depth) + token);
      i++;
      continue;
    }
    // <a>text</a> on one line.
    const text1 = tokens[i + 1];
    const close = tokens[i + 2];
    if (text1 !== undefined && !text1.startsWith("<") && close?.startsWith("</")) {
      lines.push(indent.repeat(depth) + token + text1.trim() + close);
      i += 3;
      continue;
    }
    if (text1?.startsWith("</")) {
      lines.push(indent.repeat(depth) + token + text1);
      i += 2;
      continue;
    }
    lines.push(indent.repeat(depth) + token);
    depth++;
    i++;
  }
  if (depth !== 0) return null;
  return lines.join("\n");
}

/** The body as it is best read: pretty when it parses, as received otherwise. */
export function prettyBody(contentType: string | null, body: string): { kind: BodyKind; text: string } {
  const kind = detectKind(contentType, body);
  if (kind === "json") return { kind, text: prettyJson(body) ?? body };
  if (kind === "xml") return { kind, text: prettyXml(body) ?? body };
  return { kind, text: body };
}

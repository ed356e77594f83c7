// Line/column positions from the engine (counted from 1, columns in characters,
// i.e. Unicode scalar values, lines split at "\n") mapped to JavaScript string
// offsets (UTF-16 code units) and back.
import type { Position } from "../bindings/Position";

/** The UTF-16 offset of `at` in `text`, clamped to the end of its line / the text. */
export function offsetOf(text: string, at: Position): number {
  let offset = 0;
  for (let line = 1; line < at.line; line++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  for (let column = 1; column < at.column; column++) {
    if (offset >= text.length || text[offset] === "\n") break;
    offset += isHighSurrogate(text.charCodeAt(offset)) ? 2 : 1;
  }
  return offset;
}

/** The engine's position of a UTF-16 offset. */
export function positionOf(text: string, offset: number): Position {
  let line = 1;
  let column = 1;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    if (text[i] === "\n") {
      line++;
      column = 1;
    } else {
      if (isHighSurrogate(text.charCodeAt(i))) i++;
      column++;
    }
  }
  return { line, column };
}

/**
 * The range to mark for an error at `offset`: the merge field starting there up to
 * and including its "}", or to the end of the line when it has none.
 */
export function errorRange(text: string, offset: number): { from: number; to: number } {
  const lineEnd = text.indexOf("\n", offset);
  const end = lineEnd < 0 ? text.length : lineEnd;
  if (text.startsWith("{!", offset)) {
    const close = text.indexOf("}", offset);
    if (close >= 0 && close < end) return { from: offset, to: close + 1 };
    return { from: offset, to: Math.max(end, offset + 2) };
  }
  return { from: offset, to: Math.min(offset + 1, text.length) };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

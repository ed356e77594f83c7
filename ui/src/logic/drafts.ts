// The request editor's drafts: what the user typed, per request, kept across view
// switches and (via localStorage) app restarts, so nothing typed is lost.
import type { Assertion } from "../bindings/Assertion";
import type { Check } from "../bindings/Check";
import type { Draft } from "../bindings/Draft";
import type { ExtractFrom } from "../bindings/ExtractFrom";
import type { Extraction } from "../bindings/Extraction";
import type { Subject } from "../bindings/Subject";
import type { Header } from "../bindings/Header";
import type { BodyKind, SavedRequest } from "../pending-types";

export interface EditorDraft {
  /** The saved request this draft edits; null for a new, unsaved one. */
  savedId: string | null;
  name: string;
  method: string;
  url: string;
  headers: Header[];
  body: string;
  bodyKind: BodyKind;
  sample: boolean;
  /** What the response is checked for, a row each (saved with the request). */
  assertions: Assertion[];
  /** Values taken from the response into variables for the requests run after it. */
  extract: Extraction[];
}

export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/** The methods whose requests carry a body as a rule. */
export const BODY_METHODS = ["POST", "PUT", "PATCH"];

/**
 * Whether the editor shows the body open: it has text, or the method carries a
 * body as a rule. Otherwise it is one "Add body" line until asked for.
 */
export function showsBody(d: Pick<EditorDraft, "method" | "body">): boolean {
  return d.body !== "" || BODY_METHODS.includes(d.method.trim().toUpperCase());
}

export function newDraft(): EditorDraft {
  return {
    savedId: null,
    name: "New request",
    method: "GET",
    url: "callout:Sandbox/",
    headers: [],
    body: "",
    bodyKind: "none",
    sample: false,
    assertions: [],
    extract: [],
  };
}

export function fromSaved(saved: SavedRequest): EditorDraft {
  return {
    savedId: saved.id,
    name: saved.name,
    // HTTP methods are upper case; a file edited by hand may say "post".
    method: saved.method.trim().toUpperCase(),
    url: saved.url,
    headers: saved.headers.map((h) => ({ ...h })),
    body: saved.body ?? "",
    bodyKind: saved.bodyKind,
    sample: saved.sample,
    assertions: (saved.assertions ?? []).map((a) => ({ ...a })),
    extract: (saved.extract ?? []).map((e) => ({ ...e })),
  };
}

/** The draft the engine renders and sends: blank header rows dropped, no body when there is none. */
export function toDraft(d: EditorDraft): Draft {
  return {
    method: d.method,
    url: d.url.trim(),
    headers: d.headers.filter((h) => h.name.trim() !== "").map((h) => ({ name: h.name.trim(), value: h.value })),
    body: d.bodyKind === "none" || d.body === "" ? null : d.body,
  };
}

/**
 * The request to store. Save updates the request in place; Save as (a new name)
 * and saving a sample make a new one, so the samples stay as they came.
 */
export function toSaved(d: EditorDraft, saveAsName?: string): SavedRequest {
  const asNew = saveAsName !== undefined || d.sample || d.savedId === null;
  const draft = toDraft(d);
  return {
    id: asNew ? "" : (d.savedId ?? ""),
    name: (saveAsName ?? d.name).trim() || "Untitled request",
    method: draft.method,
    url: draft.url,
    headers: draft.headers,
    body: draft.body,
    bodyKind: d.bodyKind,
    sample: false,
    assertions: d.assertions.map((a) => ({ ...a })),
    extract: d.extract.map((e) => ({ ...e })),
  };
}

/** Line ends as the body editor keeps them ("\n"), so a body read back from it compares equal. */
const lines = (text: string | null): string | null => (text === null ? null : text.replace(/\r\n?/g, "\n"));

/**
 * Whether the draft differs from what is saved (so switching away keeps it marked
 * as edited). Compares what would be stored: blank header rows and a body the kind
 * "No body" leaves out do not count, nor line ends the body editor rewrites.
 */
export function isDirty(d: EditorDraft, saved: SavedRequest | undefined): boolean {
  if (!saved) return true;
  const a = toDraft(d);
  const b = toDraft(fromSaved(saved));
  return (
    d.name !== saved.name ||
    d.bodyKind !== saved.bodyKind ||
    a.method !== b.method ||
    a.url !== b.url ||
    lines(a.body) !== lines(b.body) ||
    JSON.stringify(a.headers) !== JSON.stringify(b.headers) ||
    JSON.stringify(d.assertions) !== JSON.stringify(saved.assertions ?? []) ||
    JSON.stringify(d.extract) !== JSON.stringify(saved.extract ?? [])
  );
}

/** A new request nobody typed into. */
export function isPristineNew(d: EditorDraft): boolean {
  const blank = newDraft();
  return (
    d.savedId === null &&
    d.name === blank.name &&
    d.method === blank.method &&
    d.url === blank.url &&
    d.body === "" &&
    d.headers.every((h) => !h.name && !h.value) &&
    d.assertions.length === 0 &&
    d.extract.length === 0
  );
}

/**
 * Whether the editor marks the draft "Unsaved changes": a saved request (or
 * template) edited since it was stored, or a new request someone typed into.
 */
export function hasUnsavedChanges(d: EditorDraft, saved: SavedRequest | undefined): boolean {
  return d.savedId === null ? !isPristineNew(d) : isDirty(d, saved);
}

/** The body kind a Content-Type header implies, when it implies one. */
export function bodyKindForContentType(contentType: string): BodyKind | null {
  const type = contentType.toLowerCase();
  if (type.includes("json")) return "json";
  if (type.includes("xml")) return "xml";
  if (type.startsWith("text/")) return "text";
  return null;
}

// --- persistence -----------------------------------------------------------

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const STORAGE_KEY = "callout-lab.editor.v1";

export interface EditorState {
  /** Drafts by key: the saved id, or "new:<n>" for unsaved ones. */
  drafts: Record<string, EditorDraft>;
  current: string | null;
}

export const draftKey = (d: Pick<EditorDraft, "savedId">, fallback: string): string => d.savedId ?? fallback;

const isString = (v: unknown): v is string => typeof v === "string";
const BODY_KINDS: BodyKind[] = ["none", "xml", "json", "text"];
const SUBJECTS: Subject[] = ["status", "header", "json", "xpath", "body", "time", "expiry", "salesforce"];
const CHECKS: Check[] = ["equals", "contains", "matches", "exists", "absent", "lessThan"];
const FROM: ExtractFrom[] = ["json", "xpath", "header"];

const asRecord = (v: unknown): Record<string, unknown> | null => (typeof v === "object" && v !== null ? (v as Record<string, unknown>) : null);

/** The assertions of a stored draft, those that are not one left out. */
function parseAssertions(value: unknown): Assertion[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const a = asRecord(item);
    if (!a || !SUBJECTS.includes(a.subject as Subject) || !CHECKS.includes(a.check as Check)) return [];
    return [{ subject: a.subject as Subject, check: a.check as Check, path: isString(a.path) ? a.path : "", value: isString(a.value) ? a.value : "" }];
  });
}

/** The extractions of a stored draft, those that are not one left out. */
function parseExtract(value: unknown): Extraction[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const e = asRecord(item);
    if (!e || !isString(e.variable) || !isString(e.path) || !FROM.includes(e.from as ExtractFrom)) return [];
    return [{ variable: e.variable, from: e.from as ExtractFrom, path: e.path }];
  });
}

/** A draft read back from storage, or null when it is not one (storage edited by hand, an older version). */
export function parseDraft(value: unknown): EditorDraft | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (!isString(v.name) || !isString(v.method) || !isString(v.url) || !isString(v.body)) return null;
  if (!(v.savedId === null || isString(v.savedId))) return null;
  if (!Array.isArray(v.headers)) return null;
  const headers = v.headers.filter(
    (h): h is Header => typeof h === "object" && h !== null && isString((h as Header).name) && isString((h as Header).value),
  );
  const bodyKind = BODY_KINDS.includes(v.bodyKind as BodyKind) ? (v.bodyKind as BodyKind) : "text";
  return {
    savedId: v.savedId as string | null,
    name: v.name,
    method: v.method,
    url: v.url,
    headers: headers.map((h) => ({ name: h.name, value: h.value })),
    body: v.body,
    bodyKind,
    sample: v.sample === true,
    assertions: parseAssertions(v.assertions),
    extract: parseExtract(v.extract),
  };
}

export function loadEditorState(storage: KeyValueStorage): EditorState {
  const empty: EditorState = { drafts: {}, current: null };
  let raw: string | null;
  try {
    raw = storage.getItem(STORAGE_KEY);
  } catch {
    return empty;
  }
  if (!raw) return empty;
  try {
    const parsed = JSON.parse(raw) as { drafts?: unknown; current?: unknown };
    const drafts: Record<string, EditorDraft> = {};
    if (typeof parsed.drafts === "object" && parsed.drafts !== null) {
      for (const [key, value] of Object.entries(parsed.drafts)) {
        const draft = parseDraft(value);
        if (draft) drafts[key] = draft;
      }
    }
    const current = isString(parsed.current) && parsed.current in drafts ? parsed.current : null;
    return { drafts, current };
  } catch {
    return empty;
  }
}

export function saveEditorState(storage: KeyValueStorage, state: EditorState): void {
  try {
    storage.setItem(STORAGE_KEY, JSON.stringify(state));
  } catch {
    // A full or unavailable storage must never cost the user the draft in memory.
  }
}

import { describe, expect, it } from "vitest";
import type { SavedRequest } from "../pending-types";
import {
  bodyKindForContentType,
  fromSaved,
  hasUnsavedChanges,
  isDirty,
  isPristineNew,
  showsBody,
  loadEditorState,
  newDraft,
  saveEditorState,
  STORAGE_KEY,
  toDraft,
  toSaved,
  type KeyValueStorage,
} from "./drafts";

const soap: SavedRequest = {
  id: "sample-soap",
  name: "Salesforce SOAP query",
  method: "POST",
  url: "callout:Sandbox/services/Soap/u/60.0",
  headers: [
    { name: "Content-Type", value: "text/xml" },
    { name: "SOAPAction", value: '""' },
  ],
  body: "<x>{!$Credential.OAuthToken}</x>",
  bodyKind: "xml",
  sample: true,
  assertions: [],
  extract: [],
};

class MemoryStorage implements KeyValueStorage {
  map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
}

describe("toDraft", () => {
  it("drops blank header rows and trims names", () => {
    const d = { ...newDraft(), headers: [{ name: " Accept ", value: "application/json" }, { name: "", value: "" }] };
    expect(toDraft(d).headers).toEqual([{ name: "Accept", value: "application/json" }]);
  });
  it("sends no body when the kind is none or the body is empty", () => {
    expect(toDraft({ ...newDraft(), body: "x", bodyKind: "none" }).body).toBeNull();
    expect(toDraft({ ...newDraft(), body: "", bodyKind: "json" }).body).toBeNull();
    expect(toDraft({ ...newDraft(), body: "{}", bodyKind: "json" }).body).toBe("{}");
  });
});

describe("toSaved", () => {
  it("saves an edited request in place", () => {
    const d = { ...fromSaved({ ...soap, id: "r1", sample: false }), url: "callout:Sandbox/x" };
    expect(toSaved(d)).toMatchObject({ id: "r1", url: "callout:Sandbox/x", sample: false });
  });
  it("makes a new request for Save as and never overwrites a sample", () => {
    expect(toSaved(fromSaved(soap)).id).toBe("");
    expect(toSaved(fromSaved({ ...soap, sample: false }), "My copy")).toMatchObject({ id: "", name: "My copy" });
  });
  it("names an unnamed request", () => {
    expect(toSaved({ ...newDraft(), name: "  " }).name).toBe("Untitled request");
  });
});

describe("isDirty", () => {
  it("is clean right after opening and dirty after a change", () => {
    const d = fromSaved(soap);
    expect(isDirty(d, soap)).toBe(false);
    expect(isDirty({ ...d, body: d.body + " " }, soap)).toBe(true);
    expect(isDirty({ ...d, headers: [...d.headers, { name: "", value: "" }] }, soap)).toBe(false);
  });
  it("treats a draft without a saved request as dirty", () => {
    expect(isDirty(newDraft(), undefined)).toBe(true);
  });
  it("is clean right after a save, whatever the draft's blank rows and left-out body were", () => {
    const edited = { ...fromSaved({ ...soap, sample: false }), headers: [...soap.headers, { name: " ", value: "" }] };
    const stored = { ...toSaved(edited), id: "r1" };
    expect(isDirty(edited, stored)).toBe(false);
    expect(isDirty(fromSaved(stored), stored)).toBe(false);
    const noBody = { ...newDraft(), savedId: "r2", body: "typed, then No body chosen", bodyKind: "none" as const };
    expect(isDirty(noBody, { ...toSaved(noBody), id: "r2" })).toBe(false);
  });
  it("does not count line ends the body editor rewrites", () => {
    const crlf = { ...soap, body: "<a>\r\n  <b/>\r\n</a>" };
    expect(isDirty({ ...fromSaved(crlf), body: "<a>\n  <b/>\n</a>" }, crlf)).toBe(false);
  });
  it("reads a hand-written lower-case method as the same method", () => {
    const lower = { ...soap, method: "post" };
    expect(fromSaved(lower).method).toBe("POST");
    expect(isDirty(fromSaved(lower), lower)).toBe(false);
  });
});

describe("hasUnsavedChanges", () => {
  it("is false for an untouched template and a blank new request, true once either is edited", () => {
    expect(hasUnsavedChanges(fromSaved(soap), soap)).toBe(false);
    expect(hasUnsavedChanges({ ...fromSaved(soap), url: "callout:Sandbox/x" }, soap)).toBe(true);
    expect(hasUnsavedChanges(newDraft(), undefined)).toBe(false);
    expect(isPristineNew(newDraft())).toBe(true);
    expect(hasUnsavedChanges({ ...newDraft(), method: "POST" }, undefined)).toBe(true);
    expect(hasUnsavedChanges({ ...newDraft(), headers: [{ name: "Accept", value: "" }] }, undefined)).toBe(true);
  });
  it("is true for a draft whose saved request is gone", () => {
    expect(hasUnsavedChanges(fromSaved({ ...soap, sample: false }), undefined)).toBe(true);
  });
});

describe("persistence", () => {
  it("round-trips drafts through storage", () => {
    const storage = new MemoryStorage();
    const state = { drafts: { "sample-soap": { ...fromSaved(soap), body: "edited" } }, current: "sample-soap" };
    saveEditorState(storage, state);
    expect(loadEditorState(storage)).toEqual(state);
  });
  it("survives garbage in storage", () => {
    const storage = new MemoryStorage();
    storage.setItem(STORAGE_KEY, "{not json");
    expect(loadEditorState(storage)).toEqual({ drafts: {}, current: null });
    storage.setItem(STORAGE_KEY, JSON.stringify({ drafts: { a: { name: 1 }, b: fromSaved(soap) }, current: "a" }));
    const state = loadEditorState(storage);
    expect(Object.keys(state.drafts)).toEqual(["b"]);
    expect(state.current).toBeNull();
  });
  it("keeps working when storage throws", () => {
    const broken: KeyValueStorage = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("quota");
      },
    };
    expect(loadEditorState(broken)).toEqual({ drafts: {}, current: null });
    expect(() => saveEditorState(broken, { drafts: {}, current: null })).not.toThrow();
  });
});

describe("bodyKindForContentType", () => {
  it("maps content types to editor languages", () => {
    expect(bodyKindForContentType("text/xml; charset=utf-8")).toBe("xml");
    expect(bodyKindForContentType("application/json")).toBe("json");
    expect(bodyKindForContentType("text/plain")).toBe("text");
    expect(bodyKindForContentType("application/octet-stream")).toBeNull();
  });
});

describe("showsBody", () => {
  it("folds an empty body away for methods without one, and never hides text", () => {
    expect(showsBody({ method: "GET", body: "" })).toBe(false);
    expect(showsBody({ method: "DELETE", body: "" })).toBe(false);
    expect(showsBody({ method: "GET", body: "{}" })).toBe(true);
    for (const method of ["POST", "PUT", "PATCH", "post"]) expect(showsBody({ method, body: "" })).toBe(true);
  });
});

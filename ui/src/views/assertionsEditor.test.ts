// @vitest-environment happy-dom
// The request editor's Assertions and Extract sections: rows added, changed
// and removed in the draft's own lists; each row offers only what its subject
// allows; core's words for what is wrong show under the row as it is typed;
// after a send, each row shows ✓ or ✗ and why, until it is edited.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Assertion } from "../bindings/Assertion";
import type { Extraction } from "../bindings/Extraction";
import { describeAssertion } from "../logic/assertions";
import { AssertionsEditor } from "./assertionsEditor";

let asked: { assertions: Assertion[]; extract: Extraction[] }[];
let editor: AssertionsEditor;
let changes: number;
let assertions: Assertion[];
let extract: Extraction[];

beforeEach(() => {
  asked = [];
  changes = 0;
  // Core's rules, as far as these tests need them.
  mockIPC((cmd, args) => {
    if (cmd !== "assertion_problems") return null;
    const a = structuredClone(args) as { assertions: Assertion[]; extract: Extraction[] };
    asked.push(a);
    return {
      assertions: a.assertions.map((x) =>
        x.subject === "json" && !x.path.trim() ? "a json assertion needs a JSONPath such as $.records[0].Id" : x.subject === "time" && !/^\d+$/.test(x.value) ? `the time limit "${x.value}" is not a whole number of milliseconds` : null,
      ),
      extract: a.extract.map((e) => (/^[A-Za-z_]/.test(e.variable) ? null : `"${e.variable}" cannot name a variable`)),
    };
  });
  document.body.replaceChildren();
  editor = new AssertionsEditor({ changed: () => changes++ });
  document.body.append(editor.element);
  assertions = [];
  extract = [];
  editor.load(assertions, extract);
});
afterEach(() => clearMocks());

const q = <T extends HTMLElement = HTMLElement>(css: string, root: ParentNode = editor.element): T => {
  const found = root.querySelector<T>(css);
  if (!found) throw new Error(`nothing matches ${css}`);
  return found;
};
const rows = (): HTMLElement[] => [...editor.element.querySelectorAll<HTMLElement>('[data-testid="assertion-row"]')];
const field = <T extends HTMLElement>(row: HTMLElement, testid: string): T => q<T>(`[data-testid="${testid}"]`, row);
const options = (select: HTMLSelectElement): string[] => [...select.options].map((o) => o.value);
const note = (row: HTMLElement): HTMLElement => field(row, "assertion-note");
function type(input: HTMLInputElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}
function choose(select: HTMLSelectElement, value: string): void {
  select.value = value;
  select.dispatchEvent(new Event("change", { bubbles: true }));
}

describe("an assertion row", () => {
  it("is added as 'status equals 2xx', into the draft's own list, without a path", () => {
    q('[data-testid="add-assertion"]').click();
    expect(assertions).toEqual([{ subject: "status", path: "", check: "equals", value: "2xx" }]);
    expect(changes).toBe(1);
    const [row] = rows();
    expect(field<HTMLInputElement>(row, "assertion-path").hidden).toBe(true);
    expect(options(field(row, "assertion-check"))).toEqual(["equals"]);
    expect(field<HTMLInputElement>(row, "assertion-value").value).toBe("2xx");
    expect(field<HTMLSelectElement>(row, "assertion-subject").getAttribute("aria-label")).toBe("Assertion 1: what it checks");
  });

  it("offers the path and the checks its subject has, and no value to compare with for exists", () => {
    q('[data-testid="add-assertion"]').click();
    choose(field(rows()[0], "assertion-subject"), "json");
    const row = rows()[0];
    expect(field<HTMLInputElement>(row, "assertion-path").hidden).toBe(false);
    expect(field<HTMLInputElement>(row, "assertion-path").placeholder).toBe("$.records[0].Id");
    expect(options(field(row, "assertion-check"))).toEqual(["equals", "contains", "matches", "exists", "absent"]);
    type(field(row, "assertion-path"), "$.id");
    choose(field(row, "assertion-check"), "exists");
    expect(field<HTMLInputElement>(row, "assertion-value").disabled).toBe(true);
    expect(assertions).toEqual([{ subject: "json", path: "$.id", check: "exists", value: "" }]);
    expect(describeAssertion(assertions[0])).toBe("json $.id exists");

    choose(field(rows()[0], "assertion-subject"), "time");
    expect(options(field(rows()[0], "assertion-check"))).toEqual(["lessThan"]);
    expect(assertions[0]).toEqual({ subject: "time", path: "", check: "lessThan", value: "1000" });
    expect(describeAssertion(assertions[0])).toBe("time under 1000 ms");
  });

  it("says under itself what core finds wrong, as it is typed, and is removed with ×", async () => {
    q('[data-testid="add-assertion"]').click();
    q('[data-testid="add-assertion"]').click();
    choose(field(rows()[1], "assertion-subject"), "json");
    await vi.waitFor(() => expect(note(rows()[1]).hidden).toBe(false));
    expect(note(rows()[1]).textContent).toBe("a json assertion needs a JSONPath such as $.records[0].Id");
    expect(field(rows()[1], "assertion-mark").textContent).toBe("!");
    expect(note(rows()[0]).hidden).toBe(true);
    expect(asked.at(-1)!.assertions.map((a) => a.subject)).toEqual(["status", "json"]);

    type(field(rows()[1], "assertion-path"), "$.records[0].Id");
    await vi.waitFor(() => expect(note(rows()[1]).hidden).toBe(true));

    field(rows()[0], "remove-assertion").click();
    expect(rows().length).toBe(1);
    expect(assertions.map((a) => a.subject)).toEqual(["json"]);
  });
});

describe("after a send", () => {
  it("each assertion shows ✓ or ✗ and why, the count says how many failed, and an edited row loses its result", () => {
    assertions.push({ subject: "status", path: "", check: "equals", value: "200" }, { subject: "header", path: "Content-Type", check: "contains", value: "xml" });
    editor.load(assertions, extract);
    expect(q('[data-testid="assertions-section"]').hasAttribute("open")).toBe(true);
    expect(q('[data-testid="assertions-count"]').textContent).toBe("(2)");
    editor.showResults([
      { assertion: { ...assertions[0] }, passed: true, actual: "200", message: "status 200, as expected" },
      { assertion: { ...assertions[1] }, passed: false, actual: "application/json", message: 'Content-Type is "application/json", which does not contain "xml"' },
    ]);
    const [first, second] = rows();
    expect(field(first, "assertion-mark").textContent).toBe("✓");
    expect(field(first, "assertion-mark").getAttribute("aria-label")).toBe("passed on the last send");
    expect(note(first).textContent).toBe("status 200, as expected");
    expect(field(second, "assertion-mark").textContent).toBe("✗");
    expect(note(second).dataset.passed).toBe("false");
    expect(note(second).textContent).toContain("does not contain");
    expect(q('[data-testid="assertions-count"]').textContent).toBe("1 of 2 failed");

    type(field(second, "assertion-value"), "json");
    expect(field(second, "assertion-mark").textContent).toBe("");
    expect(note(second).hidden).toBe(true);
    expect(field(first, "assertion-mark").textContent).toBe("✓");
    expect(q('[data-testid="assertions-count"]').textContent).toBe("all 2 passed");
  });
});

describe("an extraction", () => {
  it("is a variable, where from and a path, in the draft's own list, with core's word on a bad name", async () => {
    q('[data-testid="add-extraction"]').click();
    const row = q('[data-testid="extract-row"]');
    type(field(row, "extract-variable"), "1id");
    choose(field(row, "extract-from"), "header");
    type(field(row, "extract-path"), "Location");
    expect(extract).toEqual([{ variable: "1id", from: "header", path: "Location" }]);
    await vi.waitFor(() => expect(q(".extract-note").hidden).toBe(false));
    expect(q(".extract-note").textContent).toBe('"1id" cannot name a variable');
    type(field(row, "extract-variable"), "account_id");
    await vi.waitFor(() => expect(q(".extract-note").hidden).toBe(true));
  });
});

// Assertions and run results as the window shows them: the choices an
// assertion row offers (which checks a subject has, whether it takes a path
// or a value), one line per assertion, and the mark of a run's step. Whether
// an assertion is sound is core's to say (`assertion_problems`); the choices
// here only keep the form from offering what core would refuse.
import type { Assertion } from "../bindings/Assertion";
import type { Check } from "../bindings/Check";
import type { ExtractFrom } from "../bindings/ExtractFrom";
import type { RunState } from "../bindings/RunState";
import type { Subject } from "../bindings/Subject";

export const SUBJECTS: { value: Subject; label: string }[] = [
  { value: "status", label: "Status" },
  { value: "header", label: "Header" },
  { value: "json", label: "JSON" },
  { value: "xpath", label: "XPath" },
  { value: "body", label: "Body" },
  { value: "time", label: "Time (ms)" },
  { value: "expiry", label: "Token expiry" },
  { value: "salesforce", label: "Salesforce refreshes" },
];

export const CHECK_LABELS: Record<Check, string> = {
  equals: "equals",
  contains: "contains",
  matches: "matches",
  exists: "exists",
  absent: "is absent",
  lessThan: "under",
};

/** The checks each subject allows (as core's `Assertion::problem` does). */
export function checksFor(subject: Subject): Check[] {
  switch (subject) {
    case "status":
    case "expiry":
    case "salesforce":
      return ["equals"];
    case "time":
      return ["lessThan"];
    case "body":
      return ["equals", "contains", "matches"];
    default:
      return ["equals", "contains", "matches", "exists", "absent"];
  }
}

/** Whether the subject is found at a path (a header's name, a JSONPath, an XPath). */
export const takesPath = (subject: Subject): boolean => subject === "header" || subject === "json" || subject === "xpath";

/** Whether the check compares with a value. */
export const takesValue = (check: Check): boolean => check !== "exists" && check !== "absent";

/** What the path field asks for. */
export function pathPlaceholder(subject: Subject): string {
  return subject === "header" ? "Header name" : subject === "json" ? "$.records[0].Id" : "//records/sf:Name";
}

/** What the value field asks for. */
export function valuePlaceholder(subject: Subject): string {
  switch (subject) {
    case "status":
      return "200, 2xx or 200, 201";
    case "time":
      return "800";
    case "expiry":
      return "none or recovered";
    case "salesforce":
      return "true or false";
    default:
      return "Value";
  }
}

/** A new assertion row: the status is 2xx. */
export const newAssertion = (): Assertion => ({ subject: "status", path: "", check: "equals", value: "2xx" });

/** `a` with its subject changed: a check the subject has not becomes its first, and the value a sensible start. */
export function withSubject(a: Assertion, subject: Subject): Assertion {
  const checks = checksFor(subject);
  const check = checks.includes(a.check) ? a.check : checks[0];
  const value = subject === a.subject ? a.value : subject === "status" ? "2xx" : subject === "expiry" ? "none" : subject === "salesforce" ? "false" : subject === "time" ? "1000" : "";
  return { subject, path: takesPath(subject) ? a.path : "", check, value: takesValue(check) ? value : "" };
}

export const EXTRACT_FROM: { value: ExtractFrom; label: string; placeholder: string }[] = [
  { value: "json", label: "JSON", placeholder: "$.id" },
  { value: "xpath", label: "XPath", placeholder: "//sf:id" },
  { value: "header", label: "Header", placeholder: "Location" },
];

/** One line a person reads: "status equals 2xx", "json $.id exists" (core's `Assertion::describe`). */
export function describeAssertion(a: Assertion): string {
  const subject = takesPath(a.subject) ? `${a.subject} ${a.path}` : a.subject === "salesforce" ? "salesforce refreshes" : a.subject;
  if (a.check === "exists" || a.check === "absent") return `${subject} ${a.check}`;
  if (a.check === "lessThan") return `${subject} under ${a.value} ms`;
  return `${subject} ${a.check} ${a.value}`;
}

/** The mark of a step's state, and what it says in words (for its label). */
export function stateMark(state: RunState | "sending" | null): { mark: string; words: string; tone: string } {
  switch (state) {
    case "sending":
      return { mark: "…", words: "sending", tone: "info" };
    case "passed":
      return { mark: "✓", words: "passed", tone: "ok" };
    case "failed":
      return { mark: "✗", words: "failed", tone: "error" };
    case "errored":
      return { mark: "!", words: "not sent", tone: "warn" };
    case "needsReauthorization":
      return { mark: "⟳", words: "needs re-authorization", tone: "warn" };
    case "skipped":
      return { mark: "–", words: "skipped", tone: "muted" };
    default:
      return { mark: "·", words: "waiting", tone: "muted" };
  }
}

/** "1 expiry", "2 refreshes": a count and its noun. */
export function counted(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

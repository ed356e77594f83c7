// Errors as users read them: whatever a command rejected with, as an ErrorReport,
// and where in the request a merge-field error is.
import type { Location } from "../bindings/Location";
import type { ErrorReport } from "../pending-types";

export type UiError = Omit<ErrorReport, "kind"> & { kind: ErrorReport["kind"] | "ui" };

/** A command's rejection as a report: the shell sends `{kind, message}`; anything else is a UI error. */
export function toReport(error: unknown): UiError {
  if (typeof error === "object" && error !== null && "message" in error) {
    const record = error as Record<string, unknown>;
    const message = String(record.message);
    if (typeof record.kind === "string") return { ...(record as unknown as ErrorReport) };
    return { kind: "ui", message };
  }
  return { kind: "ui", message: String(error) };
}

/** "the body", "header "Authorization"", "the URL". */
export function locationName(location: Location): string {
  switch (location.part) {
    case "url":
      return "the URL";
    case "body":
      return "the body";
    case "header":
      return location.header ? `header "${location.header}"` : "a header";
  }
}

/** "in the body at line 3, column 17" — the place part of an editor error. */
export function placeText(report: Pick<ErrorReport, "location" | "at">): string {
  const parts: string[] = [];
  if (report.location) parts.push(`in ${locationName(report.location)}`);
  if (report.at) parts.push(`line ${report.at.line}, column ${report.at.column}`);
  return parts.join(", ");
}

/** A toast's text: what was being done, then the shell's own message. */
export function toastText(action: string, error: unknown): string {
  return `${action}: ${toReport(error).message}`;
}

/** Whether the error's remedy is a Re-authorize button. */
export function offersReauthorize(error: unknown): boolean {
  return toReport(error).kind === "needsReauthorization";
}

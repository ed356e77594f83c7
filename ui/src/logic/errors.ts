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

/** Whether a part is one line (the URL, a header's value), where a line number says nothing. */
const oneLine = (location: Location | undefined): boolean => location !== undefined && location.part !== "body";

/** "the body, line 3, column 17", "header "Authorization", column 8": where a report points. */
export function whereText(report: Pick<ErrorReport, "location" | "at">): string {
  const parts: string[] = [];
  if (report.location) parts.push(locationName(report.location));
  if (report.at) parts.push(oneLine(report.location) ? `column ${report.at.column}` : `line ${report.at.line}, column ${report.at.column}`);
  return parts.join(", ");
}

/** "in the body, line 3, column 17", "in header "Authorization", column 8" — the place part of an editor error. */
export function placeText(report: Pick<ErrorReport, "location" | "at">): string {
  const where = whereText(report);
  return where && report.location ? `in ${where}` : where;
}

/** The engine's sentence, with "at line 1, column 8" read as "at column 8" for a one-line part. */
export function messageText(report: Pick<ErrorReport, "message" | "location">): string {
  return oneLine(report.location) ? report.message.replace(/\bat line 1, column (\d+)/g, "at column $1") : report.message;
}

/** Why the editor shows an error: found in the draft while typing, or a Send that was refused. */
export type ErrorSituation = "draft" | "refused";

/** The error box's first words, by situation: nothing was sent in either, but only a refused Send tried. */
export function errorHeadline(report: Pick<UiError, "kind">, situation: ErrorSituation): string {
  const mergeField = report.kind === "mergeField";
  if (situation === "draft") return mergeField ? "Fix this merge field before sending." : "This request cannot be sent yet.";
  return mergeField ? "Not sent — nothing went out and no token was refreshed." : "Not sent — nothing went out.";
}

/** A toast's text: what was being done, then the shell's own message. */
export function toastText(action: string, error: unknown): string {
  return `${action}: ${toReport(error).message}`;
}

/** Whether the error's remedy is a Re-authorize button. */
export function offersReauthorize(error: unknown): boolean {
  return toReport(error).kind === "needsReauthorization";
}

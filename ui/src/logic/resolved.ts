// The resolved request as the editor previews it: what Callout Lab sends, line by
// line, and — where the Salesforce lint says a Named Credential would send the
// text as written (merge fields left in a header, in the URL) — that line twice:
// what Callout Lab sends and what Salesforce would send, with the reason.
import type { DisplayRequest } from "../bindings/DisplayRequest";
import type { Draft } from "../bindings/Draft";
import type { Lint } from "../bindings/Lint";
import { calloutName } from "./mergeFields";

export interface ResolvedLine {
  text: string;
  /** Set on the two lines of a part the two would send differently. */
  sender?: "callout" | "salesforce";
  /** For Salesforce's line: why it differs. */
  reason?: string;
}

const forCredential = (credential: string | null): string => (credential ? ` for ${credential}` : "");

/** The lints after which Salesforce sends the part as written, and why, in a few words. */
function asWrittenReason(lint: Lint, credential: string | null): string | null {
  switch (lint.id) {
    case "salesforce.header_merge_disabled":
      return `“Allow Merge Fields in HTTP Header” is off${forCredential(credential)}, so the merge field goes out as written`;
    case "salesforce.merge_in_url":
      return "Salesforce does not replace merge fields in the URL";
    case "salesforce.body_merge_disabled":
      return `“Allow Merge Fields in HTTP Body” is off${forCredential(credential)}, so the body's merge fields go out as written`;
    default:
      return null;
  }
}

const sameName = (a: string, b: string | undefined): boolean => a.trim().toLowerCase() === (b ?? "").trim().toLowerCase();

/** The preview's lines for `request` (rendered from `draft`), given the lint of the same preview. */
export function resolvedLines(request: DisplayRequest, draft: Draft, lint: Lint[]): ResolvedLine[] {
  const credential = calloutName(draft.url);
  const reasonFor = (part: Lint["location"]["part"], header?: string): string | null => {
    for (const item of lint) {
      if (item.location.part !== part || (part === "header" && !sameName(item.location.header ?? "", header))) continue;
      const reason = asWrittenReason(item, credential);
      if (reason) return reason;
    }
    return null;
  };
  const twice = (ours: string, theirs: string, reason: string): ResolvedLine[] => [
    { text: ours, sender: "callout" },
    { text: theirs, sender: "salesforce", reason },
  ];

  const lines: ResolvedLine[] = [];
  const requestLine = `${request.method} ${request.url}`;
  const urlReason = reasonFor("url");
  if (urlReason) lines.push(...twice(requestLine, `${request.method} ${draft.url}`, urlReason));
  else lines.push({ text: requestLine });

  const seen = new Map<string, number>();
  for (const header of request.headers) {
    const line = `${header.name}: ${header.value}`;
    const reason = reasonFor("header", header.name);
    // The n-th header of a name was written as the n-th of that name in the draft.
    const key = header.name.trim().toLowerCase();
    const nth = seen.get(key) ?? 0;
    seen.set(key, nth + 1);
    const written = draft.headers.filter((hd) => sameName(hd.name, header.name))[nth];
    if (reason && written && written.value !== header.value) lines.push(...twice(line, `${header.name}: ${written.value}`, reason));
    else lines.push({ text: line });
  }

  const body = request.body ?? "";
  if (body !== "") {
    lines.push({ text: "" });
    const reason = reasonFor("body");
    if (reason && draft.body !== null && draft.body !== body) lines.push(...twice(body, draft.body, reason));
    else lines.push({ text: body });
  }
  return lines;
}

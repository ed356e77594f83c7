import { describe, expect, it } from "vitest";
import type { DisplayRequest } from "../bindings/DisplayRequest";
import type { Draft } from "../bindings/Draft";
import type { Lint } from "../bindings/Lint";
import { resolvedLines } from "./resolved";

const draft: Draft = {
  method: "GET",
  url: "callout:Sandbox/wso2/pizzas",
  headers: [
    { name: "Authorization", value: "Bearer {!$Credential.OAuthToken}" },
    { name: "Accept", value: "application/json" },
  ],
  body: null,
};
const rendered: DisplayRequest = {
  method: "GET",
  url: "http://127.0.0.1:8787/wso2/pizzas",
  headers: [
    { name: "Authorization", value: "Bearer ••••k2Q1" },
    { name: "Accept", value: "application/json" },
  ],
  body: null,
};
const headerLint: Lint = {
  id: "salesforce.header_merge_disabled",
  location: { part: "header", header: "Authorization" },
  at: { line: 1, column: 8 },
  message: 'The header "Authorization" uses {!$Credential.OAuthToken} at line 1, column 8, but "Allow Merge Fields in HTTP Header" is off for Sandbox: Salesforce would send the text as written.',
};

describe("resolvedLines", () => {
  it("is the request as Callout Lab sends it when Salesforce would send the same", () => {
    expect(resolvedLines(rendered, draft, [])).toEqual([
      { text: "GET http://127.0.0.1:8787/wso2/pizzas" },
      { text: "Authorization: Bearer ••••k2Q1" },
      { text: "Accept: application/json" },
    ]);
  });

  it("shows both values of a header whose merge field Salesforce would send as written, and why", () => {
    const lines = resolvedLines(rendered, draft, [headerLint]);
    expect(lines).toEqual([
      { text: "GET http://127.0.0.1:8787/wso2/pizzas" },
      { text: "Authorization: Bearer ••••k2Q1", sender: "callout" },
      {
        text: "Authorization: Bearer {!$Credential.OAuthToken}",
        sender: "salesforce",
        reason: "“Allow Merge Fields in HTTP Header” is off for Sandbox, so the merge field goes out as written",
      },
      { text: "Accept: application/json" },
    ]);
  });

  it("matches the header by name whatever its case, and leaves other lint alone", () => {
    const lower = { ...headerLint, location: { part: "header" as const, header: "authorization" } };
    const conflict: Lint = { id: "salesforce.authorization_header_conflict", location: { part: "header", header: "Accept" }, message: "…" };
    const lines = resolvedLines(rendered, draft, [lower, conflict]);
    expect(lines.filter((l) => l.sender).map((l) => l.sender)).toEqual(["callout", "salesforce"]);
    expect(lines.at(-1)).toEqual({ text: "Accept: application/json" });
  });

  it("pairs headers of the same name in order, and leaves a header the engine added alone", () => {
    const two: Draft = { ...draft, headers: [{ name: "X-A", value: "1" }, { name: "X-A", value: "{!$Credential.Username}" }] };
    const out: DisplayRequest = { ...rendered, headers: [{ name: "X-A", value: "1" }, { name: "X-A", value: "ann" }, { name: "Authorization", value: "Bearer ••••k2Q1" }] };
    const lint: Lint[] = [{ ...headerLint, location: { part: "header", header: "X-A" } }];
    expect(resolvedLines(out, two, lint).slice(1)).toEqual([
      { text: "X-A: 1" },
      { text: "X-A: ann", sender: "callout" },
      { text: "X-A: {!$Credential.Username}", sender: "salesforce", reason: "“Allow Merge Fields in HTTP Header” is off for Sandbox, so the merge field goes out as written" },
      { text: "Authorization: Bearer ••••k2Q1" },
    ]);
  });

  it("shows the URL twice for a merge field in it, and the body twice when body merge fields are off", () => {
    const withBody: Draft = { method: "POST", url: "callout:Sandbox/x?t={!$Credential.OAuthToken}", headers: [], body: "<t>{!$Credential.OAuthToken}</t>" };
    const out: DisplayRequest = { method: "POST", url: "http://127.0.0.1:8787/x?t=••••k2Q1", headers: [], body: "<t>••••k2Q1</t>" };
    const lint: Lint[] = [
      { id: "salesforce.merge_in_url", location: { part: "url" }, at: { line: 1, column: 20 }, message: "…" },
      { id: "salesforce.body_merge_disabled", location: { part: "body" }, at: { line: 1, column: 4 }, message: "…" },
    ];
    expect(resolvedLines(out, withBody, lint)).toEqual([
      { text: "POST http://127.0.0.1:8787/x?t=••••k2Q1", sender: "callout" },
      { text: "POST callout:Sandbox/x?t={!$Credential.OAuthToken}", sender: "salesforce", reason: "Salesforce does not replace merge fields in the URL" },
      { text: "" },
      { text: "<t>••••k2Q1</t>", sender: "callout" },
      { text: "<t>{!$Credential.OAuthToken}</t>", sender: "salesforce", reason: "“Allow Merge Fields in HTTP Body” is off for Sandbox, so the body's merge fields go out as written" },
    ]);
  });
});

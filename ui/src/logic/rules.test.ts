import { describe, expect, it } from "vitest";
import type { RuleFileCheck } from "../bindings/RuleFileCheck";
import type { RuleView } from "../bindings/RuleView";
import type { Sent } from "../bindings/Sent";
import type { SendReport } from "../pending-types";
import { checkLines, checkPasses, findSendId, groupRules, hostsText, ruleFileName, ruleTemplate, statusesText } from "./rules";

function rule(id: string, service: string, extra: Partial<RuleView> = {}): RuleView {
  return {
    id,
    service,
    means: "expired",
    statuses: [401],
    hosts: ["api.example.com"],
    credentials: [],
    conditions: ['$.error equals "expired"'],
    says: `${service} says so`,
    source: "https://example.com/docs",
    fix: null,
    file: `${service.toLowerCase()}.toml`,
    builtIn: true,
    examples: [],
    notExamples: [],
    ...extra,
  };
}

describe("grouping the rules", () => {
  const rules = [
    rule("slack.token_expired", "Slack Web API", { hosts: ["slack.com"] }),
    rule("github.bad_credentials", "GitHub REST API"),
    rule("github.revoked", "GitHub REST API", { means: "notExpiry" }),
    rule("billing.session_expired", "Billing (in-house)", { builtIn: false, file: "billing.toml" }),
  ];

  it("puts the services with your rules first, then the others by name, each with its rules in order", () => {
    expect(groupRules(rules).map((g) => [g.service, g.yours, g.rules.map((r) => r.id)])).toEqual([
      ["Billing (in-house)", true, ["billing.session_expired"]],
      ["GitHub REST API", false, ["github.bad_credentials", "github.revoked"]],
      ["Slack Web API", false, ["slack.token_expired"]],
    ]);
  });

  it("filters on every word, by id, service, host or whose the rule is", () => {
    expect(groupRules(rules, "slack.com").map((g) => g.service)).toEqual(["Slack Web API"]);
    expect(groupRules(rules, "github revoked").flatMap((g) => g.rules.map((r) => r.id))).toEqual(["github.revoked"]);
    expect(groupRules(rules, "yours").flatMap((g) => g.rules.map((r) => r.id))).toEqual(["billing.session_expired"]);
    expect(groupRules(rules, "  ")).toHaveLength(3);
    expect(groupRules(rules, "nothing-like-this")).toEqual([]);
  });
});

describe("words for a rule", () => {
  it("says statuses and hosts as a person reads them", () => {
    expect(statusesText([401, 403])).toBe("HTTP 401, 403");
    expect(statusesText([])).toBe("HTTP 4xx/5xx");
    expect(hostsText(["*"])).toBe("any host");
    expect(hostsText(["slack.com"])).toBe("slack.com (and subdomains)");
  });

  it("names a file after what was typed, else the first rule", () => {
    const check: RuleFileCheck = { error: null, rules: [rule("acme.expired", "Acme")], samples: [], response: null };
    expect(ruleFileName(" billing ", check)).toBe("billing");
    expect(ruleFileName("", check)).toBe("acme.expired");
    expect(ruleFileName("", null)).toBe("");
  });

  it("starts a new file on the host of the last response", () => {
    expect(ruleTemplate("127.0.0.1")).toContain('hosts = ["127.0.0.1"]');
    expect(ruleTemplate()).toContain("[[rule.example]]");
  });
});

describe("the live check", () => {
  it("shows the parse error alone", () => {
    const check: RuleFileCheck = { error: "the file at line 3, column 1: invalid table header", rules: [], samples: [], response: null };
    expect(checkLines(check)).toEqual([{ tone: "error", text: "the file at line 3, column 1: invalid table header" }]);
    expect(checkPasses(check)).toBe(false);
  });

  it("lists each sample and says which rule the last response matches", () => {
    const check: RuleFileCheck = {
      error: null,
      rules: [rule("billing.session_expired", "Billing")],
      samples: [
        { rule: "billing.session_expired", sample: "example 1", passed: true, message: "HTTP 200 from 127.0.0.1 matches" },
        { rule: "billing.session_expired", sample: "not 1", passed: false, message: "it matches a validation error, which it must not" },
      ],
      response: { rule: "billing.session_expired", means: "expired", verdict: { expired: true, rule: "billing.session_expired", reason: "r", salesforce: { wouldRefresh: false, reason: "s" } }, note: null },
    };
    expect(checkLines(check).map((l) => `${l.tone} ${l.text}`)).toEqual([
      "ok ✓ billing.session_expired example 1: HTTP 200 from 127.0.0.1 matches",
      "error ✗ billing.session_expired not 1: it matches a validation error, which it must not",
      "info The last response matches rule billing.session_expired → expired",
    ]);
    expect(checkPasses(check)).toBe(false);
    expect(checkPasses({ ...check, samples: [check.samples[0]] })).toBe(true);
  });

  it("says why no rule decided", () => {
    const check: RuleFileCheck = {
      error: null,
      rules: [rule("x", "X")],
      samples: [],
      response: { rule: null, means: null, verdict: { expired: false, rule: null, reason: "r", salesforce: { wouldRefresh: false, reason: "s" } }, note: "rule x fits this response but is only for sends through Acme" },
    };
    expect(checkLines(check).at(-1)!.text).toBe("The last response matches no rule of this file: rule x fits this response but is only for sends through Acme");
  });
});

describe("finding the kept send of a response", () => {
  const sent = (id: number, url: string, status: number, method = "GET"): Sent => ({ id, atMs: id, request: null, environment: null, method, url, status, durationMs: 1 });
  const report = { request: { method: "GET", url: "http://127.0.0.1:9/inhouse/accounts", headers: [], body: null }, response: { status: 200 } } as unknown as SendReport;

  it("is the newest of the same method, URL and status", () => {
    const list = [sent(9, "http://127.0.0.1:9/other", 200), sent(8, "http://127.0.0.1:9/inhouse/accounts", 200, "POST"), sent(7, "http://127.0.0.1:9/inhouse/accounts", 200), sent(6, "http://127.0.0.1:9/inhouse/accounts", 200)];
    expect(findSendId(list, report)).toBe(7);
    expect(findSendId([sent(5, "http://127.0.0.1:9/inhouse/accounts", 401)], report)).toBeNull();
  });
});

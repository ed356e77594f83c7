// @vitest-environment happy-dom
// The Rules view: yours first, grouped by service, filtered; a rule's details;
// removing yours; a new rule file checked as it is written and added. And
// teaching from a response: the kept send found, the rule proposed, edited and
// saved — refusals said in the dialog.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProposalView } from "../bindings/ProposalView";
import type { RuleFileCheck } from "../bindings/RuleFileCheck";
import type { RuleView } from "../bindings/RuleView";
import type { SendReport } from "../pending-types";
import * as store from "../store";
import { ResponsePanel } from "./response";
import { RulesView } from "./rules";
import { teach } from "./teach";

function rule(id: string, service: string, extra: Partial<RuleView> = {}): RuleView {
  return {
    id,
    service,
    means: "expired",
    statuses: [200],
    hosts: ["127.0.0.1"],
    credentials: [],
    conditions: ['$.error.code equals "E_SESSION_EXPIRED"'],
    says: "the session is over",
    source: "https://wiki.example.com/errors",
    fix: null,
    file: `${id}.toml`,
    builtIn: true,
    examples: [{ status: 200, body: '{"error":{"code":"E_SESSION_EXPIRED"}}', why: null }],
    notExamples: [{ status: 200, body: '{"error":{"code":"E_AMOUNT"}}', why: "a validation error" }],
    ...extra,
  };
}

let rules: RuleView[] = [];
let calls: { cmd: string; args: Record<string, unknown> }[] = [];
let answers: Record<string, (args: Record<string, unknown>) => unknown> = {};

beforeEach(() => {
  document.body.replaceChildren();
  store.lastResponse.set(null);
  rules = [rule("slack.token_expired", "Slack Web API", { hosts: ["slack.com"] }), rule("billing.session_expired", "Billing", { builtIn: false, file: "billing.toml" })];
  calls = [];
  answers = {};
  mockIPC((cmd, args) => {
    const given = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: given });
    if (answers[cmd]) return answers[cmd](given);
    if (cmd === "list_rules") return structuredClone(rules);
    return null;
  });
});
afterEach(() => clearMocks());

const q = (css: string): HTMLElement | null => document.querySelector<HTMLElement>(css);
const texts = (css: string): string[] => [...document.querySelectorAll(css)].map((e) => e.textContent ?? "");
const called = (cmd: string) => calls.filter((c) => c.cmd === cmd);

async function mounted(): Promise<RulesView> {
  const view = new RulesView();
  document.body.append(view.element);
  view.shown();
  await expect.poll(() => texts('[data-testid="rule-row"]').length).toBe(2);
  return view;
}

describe("the rules list", () => {
  it("shows yours first, marked, and only yours removable", async () => {
    await mounted();
    expect(texts('[data-testid="rules-group"] h3')).toEqual(["Billing", "Slack Web API"]);
    const billing = q('[data-id="billing.session_expired"]')!;
    expect(billing.textContent).toContain("yours");
    expect(q('[data-id="slack.token_expired"]')!.textContent).not.toContain("yours");
    expect(document.querySelectorAll('[data-testid="remove-rule"]')).toHaveLength(1);
    expect(q('[data-testid="rules-count"]')!.textContent).toBe("2 of 2 rules · 1 yours");
  });

  it("filters as you type", async () => {
    await mounted();
    const filter = q('[data-testid="rules-filter"]') as HTMLInputElement;
    filter.value = "slack";
    filter.dispatchEvent(new Event("input"));
    expect(texts('[data-testid="rule-row"] .rule-id')).toEqual(["slack.token_expired"]);
    filter.value = "no such rule";
    filter.dispatchEvent(new Event("input"));
    expect(q('[data-testid="rules-list"]')!.textContent).toBe("No rule fits the filter.");
  });

  it("opens a rule's conditions, words, source, fix and examples", async () => {
    rules[0] = rule("slack.revoked", "Slack Web API", { means: "notExpiry", fix: "authorize again", conditions: ["$.ok equals false", '$.error equals "token_revoked"'] });
    await mounted();
    q('[data-id="slack.revoked"]')!.click();
    expect(q('[data-testid="rule-detail-id"]')!.textContent).toBe("slack.revoked");
    expect(q('[data-testid="rule-detail-means"]')!.textContent).toBe("not an expiry");
    expect(texts('[data-testid="rule-detail-conditions"] li')).toEqual(["$.ok equals false", '$.error equals "token_revoked"']);
    expect(q('[data-testid="rule-detail"]')!.textContent).toContain("authorize again");
    expect(q('[data-testid="rule-detail-source"]')!.textContent).toBe("https://wiki.example.com/errors");
    expect(texts('[data-testid="rule-not-example"]')[0]).toContain("a validation error");
  });

  it("removes your rule file after asking, and lists the rules again", async () => {
    await mounted();
    q('[data-testid="remove-rule"]')!.click();
    await expect.poll(() => q('[data-testid="modal"]')).not.toBeNull();
    rules = rules.filter((r) => r.builtIn);
    q('[data-testid="modal"] button.danger')!.click();
    await expect.poll(() => texts('[data-testid="rule-row"]').length).toBe(1);
    expect(called("remove_rule_file").map((c) => c.args)).toEqual([{ name: "billing.toml" }]);
  });
});

describe("a new rule file", () => {
  const passing: RuleFileCheck = {
    error: null,
    rules: [rule("acme.expired", "Acme")],
    samples: [{ rule: "acme.expired", sample: "example 1", passed: true, message: "HTTP 200 from 127.0.0.1 matches" }],
    response: { rule: "acme.expired", means: "expired", verdict: { expired: true, rule: "acme.expired", reason: "r", salesforce: { wouldRefresh: false, reason: "s" } }, note: null },
  };

  it("is checked as it is written, against the editor's last response", async () => {
    const report = { request: { method: "GET", url: "http://127.0.0.1:9/inhouse/accounts", headers: [], body: null }, response: { status: 200, headers: [{ name: "Content-Type", value: "application/json" }], body: '{"error":{"code":"E_SESSION_EXPIRED"}}' } } as unknown as SendReport;
    store.lastResponse.set({ report, url: "callout:Sandbox/inhouse/accounts" });
    answers.check_rule_file = (args) => (String(args.text).includes("[[rule") ? passing : { error: "the file: the file has no [[rule]]", rules: [], samples: [], response: null });
    const view = await mounted();
    void view.newFile();
    const text = (await expect.poll(() => q('[data-testid="rule-file-text"]')).not.toBeNull(), q('[data-testid="rule-file-text"]') as HTMLTextAreaElement);
    expect(text.value).toContain('hosts = ["127.0.0.1"]');
    await expect.poll(() => texts('[data-testid="rule-check"] li')).toEqual(["✓ acme.expired example 1: HTTP 200 from 127.0.0.1 matches", "The last response matches rule acme.expired → expired"]);
    expect(called("check_rule_file")[0].args.response).toEqual({ status: 200, headers: [{ name: "Content-Type", value: "application/json" }], url: "callout:Sandbox/inhouse/accounts", body: '{"error":{"code":"E_SESSION_EXPIRED"}}' });

    text.value = 'service = "Acme"';
    text.dispatchEvent(new Event("input"));
    await expect.poll(() => texts('[data-testid="rule-check"] li')).toEqual(["the file: the file has no [[rule]]"]);
    expect(text.getAttribute("aria-invalid")).toBe("true");
  });

  it("is added under the first rule's id, and a refusal is said in the dialog", async () => {
    answers.check_rule_file = () => passing;
    let refuse = true;
    answers.add_rule_file = () => {
      if (refuse) throw { kind: "import", message: "acme.expired.toml: rule acme.expired is an id the built-in catalog uses already; give it another" };
      return { path: "/home/you/rules/acme.expired.toml", ids: ["acme.expired"] };
    };
    const view = await mounted();
    const added = view.newFile();
    await expect.poll(() => texts('[data-testid="rule-check"] li').length).toBe(2);
    (q('[data-testid="rule-file-editor"]') as HTMLFormElement).dispatchEvent(new Event("submit", { cancelable: true }));
    await expect.poll(() => q('[data-testid="rule-file-problem"]')?.textContent).toBe("Not added: acme.expired.toml: rule acme.expired is an id the built-in catalog uses already; give it another");
    refuse = false;
    (q('[data-testid="rule-file-editor"]') as HTMLFormElement).dispatchEvent(new Event("submit", { cancelable: true }));
    expect(await added).toEqual(["acme.expired"]);
    expect(called("add_rule_file").at(-1)!.args.name).toBe("acme.expired");
    expect(q('[data-testid="rule-file-editor"]')).toBeNull();
  });
});

describe("teaching from a response", () => {
  const proposal: ProposalView = {
    text: 'service = "127.0.0.1"\n[[rule]]\nid = "taught.127_0_0_1.2"\n',
    ruleId: "taught.127_0_0_1.2",
    means: "expired",
    conditions: ['$.error.code equals "E_SESSION_EXPIRED"', "$.success equals false"],
    successes: 1,
  };
  const fine = { expired: false, rule: null, reason: "HTTP 200: no sign of an expired token.", salesforce: { wouldRefresh: false, reason: "no" } };
  const received = { status: 200, headers: [], body: '{"success":false,"error":{"code":"E_SESSION_EXPIRED"}}', truncated: false, elapsedMs: 3 };
  const request = { method: "GET", url: "http://127.0.0.1:9/inhouse/accounts", headers: [], body: null };
  const report: SendReport = { request, lint: [], response: received, verdict: fine, attempts: [{ step: "sent", number: 1, request, status: 200, durationMs: 3, verdict: fine, response: received }] };

  it("finds the kept send, proposes its rule, and saves it as edited", async () => {
    answers.history = () => [
      { id: 3, atMs: 3, request: null, environment: null, method: "GET", url: "http://127.0.0.1:9/other", status: 200, durationMs: 1 },
      { id: 2, atMs: 2, request: null, environment: null, method: "GET", url: request.url, status: 200, durationMs: 1 },
    ];
    answers.propose_rule = () => proposal;
    answers.save_proposed_rule = () => ({ path: "/home/you/rules/taught.toml", ids: ["taught.127_0_0_1.2"] });
    const panel = new ResponsePanel();
    document.body.append(panel.element);
    panel.show(report);
    expect(q('[data-testid="teach-row"]')!.textContent).toContain("Was it really fine?");
    q('[data-testid="teach-expired"]')!.click();
    await expect.poll(() => q('[data-testid="proposal"]')).not.toBeNull();
    expect(called("propose_rule")[0].args).toEqual({ send: 2, expired: true, fix: null, service: null });
    expect(texts('[data-testid="proposal-conditions"] li')).toEqual(proposal.conditions);
    const text = q('[data-testid="proposal-text"]') as HTMLTextAreaElement;
    expect(text.value).toBe(proposal.text);
    text.value = `${proposal.text}# edited\n`;
    (q('[data-testid="proposal"]') as HTMLFormElement).dispatchEvent(new Event("submit", { cancelable: true }));
    await expect.poll(() => q('[data-testid="proposal"]')).toBeNull();
    expect(called("save_proposed_rule")[0].args).toEqual({ text: `${proposal.text}# edited\n`, name: "taught.127_0_0_1.2" });
    expect(panel.state).toMatchObject({ kind: "report", sendId: 2 });
  });

  it("asks for the fix of a response that is not an expiry, and says a refusal in the dialog", async () => {
    answers.propose_rule = () => ({ ...proposal, means: "notExpiry" });
    answers.save_proposed_rule = () => {
      throw { kind: "import", message: "taught.toml: rule taught.127_0_0_1.2 example 1: HTTP 200 from 127.0.0.1 does not match" };
    };
    const taught = teach(false, async () => 7);
    await expect.poll(() => q('[data-testid="modal"] input')).not.toBeNull();
    (q('[data-testid="modal"] input') as HTMLInputElement).value = "give a new API key";
    (q('[data-testid="modal"]') as HTMLFormElement).dispatchEvent(new Event("submit", { cancelable: true }));
    await expect.poll(() => q('[data-testid="proposal"]')).not.toBeNull();
    expect(called("propose_rule")[0].args).toEqual({ send: 7, expired: false, fix: "give a new API key", service: null });
    expect(q('[data-testid="proposal"]')!.textContent).toContain("taken as not an expiry");
    (q('[data-testid="proposal"]') as HTMLFormElement).dispatchEvent(new Event("submit", { cancelable: true }));
    await expect.poll(() => q('[data-testid="proposal-problem"]')?.textContent).toBe("Not saved: taught.toml: rule taught.127_0_0_1.2 example 1: HTTP 200 from 127.0.0.1 does not match");
    q('[data-testid="proposal"] button.ghost')!.click();
    expect(await taught).toBeNull();
  });

  it("says so when the response is not in the history", async () => {
    answers.history = () => [];
    expect(await teach(true, async () => null)).toBeNull();
    expect(called("propose_rule")).toEqual([]);
    expect(texts('[data-testid="toast"]').join(" ")).toContain("not in the history");
  });
});

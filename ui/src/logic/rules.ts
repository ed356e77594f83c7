// The expiry rules as the Rules view shows them: grouped by service (yours first),
// filtered, described in words; the template a new rule file starts from; what a
// live check of a file being written says; and which kept send a response is.
import type { RuleFileCheck } from "../bindings/RuleFileCheck";
import type { RuleMeaning } from "../bindings/RuleMeaning";
import type { RuleView } from "../bindings/RuleView";
import type { Sent } from "../bindings/Sent";
import type { SendReport } from "../pending-types";

/** The rules of one service, in the list. */
export interface RuleGroup {
  service: string;
  /** Some of its rules are the user's. */
  yours: boolean;
  rules: RuleView[];
}

/** Whether `rule` fits the filter text: its id, service, hosts, file or what it says. */
export function ruleFits(rule: RuleView, filter: string): boolean {
  const words = filter.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [rule.id, rule.service, rule.file, rule.says, ...rule.hosts, ...rule.credentials, rule.builtIn ? "built-in" : "yours"].join("\n").toLowerCase();
  return words.every((word) => haystack.includes(word));
}

/** The rules that fit `filter`, by service: the services with rules of yours first (they are tried first), then by name. */
export function groupRules(rules: RuleView[], filter = ""): RuleGroup[] {
  const groups = new Map<string, RuleGroup>();
  for (const rule of rules) {
    if (!ruleFits(rule, filter)) continue;
    let group = groups.get(rule.service);
    if (!group) {
      group = { service: rule.service, yours: false, rules: [] };
      groups.set(rule.service, group);
    }
    group.rules.push(rule);
    group.yours ||= !rule.builtIn;
  }
  return [...groups.values()].sort((a, b) => Number(b.yours) - Number(a.yours) || a.service.localeCompare(b.service));
}

/** "expired", "not an expiry". */
export const meaningText = (means: RuleMeaning): string => (means === "expired" ? "expired" : "not an expiry");

/** "HTTP 401, 403", or "HTTP 4xx/5xx" for a rule of every error status. */
export const statusesText = (statuses: number[]): string => (statuses.length ? `HTTP ${statuses.join(", ")}` : "HTTP 4xx/5xx");

/** "api.slack.com and its subdomains", "any host". */
export function hostsText(hosts: string[]): string {
  if (hosts.length === 0 || hosts.includes("*")) return "any host";
  return `${hosts.join(", ")} (and subdomains)`;
}

/** The file name a rule file is saved as: the name typed, else the first rule's id. */
export function ruleFileName(typed: string, check: RuleFileCheck | null): string {
  const name = typed.trim();
  if (name) return name;
  return check?.rules[0]?.id ?? "";
}

/** What a new rule file starts from: one rule, one example, one counter-example, to fill in. */
export function ruleTemplate(host = "api.example.com"): string {
  return `# Your API's way of saying "the token expired". Every condition must hold.
service = "My API"
hosts = ["${host}"]              # a host and its subdomains; "*" is any host

[[rule]]
id = "my_api.session_expired"
means = "expired"                  # or "not_expiry" (then say the fix)
status = [200]                     # the statuses it applies to
when = [
  { json = "$.success", equals = false },
  { json = "$.error.code", equals = "E_SESSION_EXPIRED" },
]
says = "my API answers a dead session with success false and error E_SESSION_EXPIRED"
source = "https://wiki.example.com/my-api/errors"

[[rule.example]]                   # a response it must match
status = 200
headers = ["Content-Type: application/json"]
body = '{"success":false,"error":{"code":"E_SESSION_EXPIRED"}}'

[[rule.not]]                       # a neighbouring response it must not match
why = "a validation error"
status = 200
headers = ["Content-Type: application/json"]
body = '{"success":false,"error":{"code":"E_AMOUNT"}}'
`;
}

/** One line of the live check, with its tone. */
export interface CheckLine {
  tone: "ok" | "error" | "info";
  text: string;
}

/** The live check in lines: the parse error, else each sample's result, then what the file makes of the response. */
export function checkLines(check: RuleFileCheck): CheckLine[] {
  if (check.error) return [{ tone: "error", text: check.error }];
  const lines: CheckLine[] = check.samples.map((s) => ({ tone: s.passed ? "ok" : "error", text: `${s.passed ? "✓" : "✗"} ${s.rule} ${s.sample}: ${s.message}` }));
  const response = check.response;
  if (response) {
    if (response.rule && response.means) {
      lines.push({ tone: "info", text: `The last response matches rule ${response.rule} → ${meaningText(response.means)}` });
    } else {
      lines.push({ tone: "info", text: `The last response matches no rule of this file${response.note ? `: ${response.note}` : ""}` });
    }
  }
  return lines;
}

/** Whether the file reads and every example and counter-example passes: Save can add it. */
export const checkPasses = (check: RuleFileCheck): boolean => !check.error && check.rules.length > 0 && check.samples.every((s) => s.passed);

/**
 * The kept send that `report` is, among `sent` (newest first): the newest of the
 * same method, URL and final status. Null when the history does not have it.
 */
export function findSendId(sent: Sent[], report: SendReport): number | null {
  const match = sent.find((s) => s.method === report.request.method && s.url === report.request.url && s.status === report.response.status);
  return match ? match.id : null;
}

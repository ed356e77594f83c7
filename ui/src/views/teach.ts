// Teaching the detector from a response it judged wrong: "This means the token
// expired" / "This is not an expiry" (with the fix) → the rule the kept send
// needed, proposed by the engine, shown with its conditions in a dialog where it
// can be edited, and saved among your rules (the same checks as any rule file).
import * as api from "../api";
import type { ProposalView } from "../bindings/ProposalView";
import { toReport } from "../logic/errors";
import { meaningText } from "../logic/rules";
import * as store from "../store";
import { busy, h } from "../ui/dom";
import { askText, openModal } from "../ui/modal";
import { toast, toastError } from "../ui/toast";

/** What the dialog closed with: the saved rule's ids, or null when it was left. */
export type Taught = string[] | null;

/** Shows `proposal` for editing; saves it (as edited) with `save`. Resolves with what was saved. */
export function showProposal(proposal: ProposalView, save: (text: string, name: string) => Promise<string[]> = defaultSave): Promise<Taught> {
  return openModal<Taught>((close) => {
    const text = h("textarea", { class: "modal-text rule-text", rows: 16, spellcheck: "false", "aria-label": "The proposed rule file", testid: "proposal-text" });
    text.value = proposal.text;
    const problem = h("div", { class: "field-problem", testid: "proposal-problem", role: "alert", hidden: true });
    const saveButton = h("button", { type: "submit", class: "primary", testid: "proposal-save" }, "Save rule");
    const form = h(
      "form",
      { class: "modal modal-wide", role: "dialog", "aria-modal": "true", "aria-label": "Proposed rule", testid: "proposal" },
      h("h2", null, `Proposed rule: ${proposal.ruleId}`),
      h(
        "p",
        { class: "muted small" },
        `A response that meets every condition below will be taken as ${meaningText(proposal.means)}. `,
        proposal.successes === 0
          ? "The history has no fine answer of this host yet to check it against: look at the conditions closely."
          : `None of the ${proposal.successes} fine answer${proposal.successes === 1 ? "" : "s"} of this host in the history meets them.`,
      ),
      h("ul", { class: "rule-conditions", testid: "proposal-conditions" }, proposal.conditions.map((c) => h("li", null, h("code", null, c)))),
      h("label", { class: "modal-label" }, "The rule file (edit it before saving if you like)", text),
      problem,
      h(
        "div",
        { class: "form-actions" },
        h("button", { type: "button", class: "ghost", onclick: () => close(null) }, "Cancel"),
        saveButton,
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void busy(saveButton, "Saving…", async () => {
        try {
          const ids = await save(text.value, proposal.ruleId);
          close(ids);
        } catch (error) {
          problem.hidden = false;
          problem.textContent = `Not saved: ${toReport(error).message}`;
        }
      });
    });
    return form;
  }, null);
}

async function defaultSave(text: string, name: string): Promise<string[]> {
  const added = await api.saveProposedRule(text, name);
  store.rulesChanged.set(store.rulesChanged.value + 1);
  return added.ids;
}

/**
 * The whole teaching: asks for the fix (not an expiry), finds the kept send, asks the
 * engine for the rule, shows it; says what happened in a toast.
 */
export async function teach(expired: boolean, sendId: () => Promise<number | null>): Promise<Taught> {
  let fix: string | null = null;
  if (!expired) {
    fix = await askText("This is not an expiry", "What will fix it? (the verdict will say so)", "", "Propose a rule");
    if (fix === null) return null;
  }
  let id: number | null;
  try {
    id = await sendId();
  } catch (error) {
    toastError("Could not read the history", error);
    return null;
  }
  if (id === null) {
    toast("This response is not in the history (it keeps every send, up to the limit in Settings), so no rule can be proposed from it.", "error");
    return null;
  }
  let proposal: ProposalView;
  try {
    proposal = await api.proposeRule(id, expired, fix);
  } catch (error) {
    toastError("No rule could be proposed", error);
    return null;
  }
  const saved = await showProposal(proposal);
  if (saved) toast(`Saved ${saved.join(", ")} among your rules: it applies from the next send on.`, "ok");
  return saved;
}

// Taking work out to Salesforce: a credential as metadata files in an SFDX
// project (Named Credential, External Credential, Auth Provider; never a
// secret), and kept sends as an Apex HttpCalloutMock for tests. Both dialogs
// say what went wrong in core's words and stay open to try again.
import * as api from "../api";
import type { MetadataExport } from "../bindings/MetadataExport";
import { messageText, toReport } from "../logic/errors";
import { busy, debounce, h, replace } from "../ui/dom";
import { openModal } from "../ui/modal";

/** The class name an Apex mock gets unless another is typed. */
export const DEFAULT_MOCK_CLASS = "RecordedCalloutMock";

/** Each written file, marked when it replaced one that was there. */
export function writtenLines(exported: Pick<MetadataExport, "files" | "replaced">): string[] {
  const replaced = new Set(exported.replaced);
  return exported.files.map((file) => (replaced.has(file) ? `${file} (replaced)` : file));
}

/** Asks for the SFDX project's folder and writes credential `name` there as metadata; resolves when the dialog closes. */
export function exportMetadataDialog(name: string): Promise<void> {
  return openModal<void>((close) => {
    const out = h("input", { type: "text", testid: "metadata-out", spellcheck: "false", "aria-label": "The project's folder on this machine", placeholder: "/home/you/projects/my-sfdx-app" });
    const problem = h("div", { class: "field-problem", testid: "metadata-problem", role: "alert", hidden: true });
    const result = h("div", { class: "import-result", testid: "metadata-result" });
    const submit = h("button", { type: "submit", class: "primary", testid: "metadata-export" }, "Export");
    const cancel = h("button", { type: "button", class: "ghost", onclick: () => close() }, "Cancel");
    const form = h(
      "form",
      { class: "modal modal-wide", role: "dialog", "aria-modal": "true", "aria-label": `Export ${name} as Salesforce metadata`, testid: "metadata-dialog" },
      h("h2", null, `Export ${name} as Salesforce metadata`),
      h(
        "p",
        { class: "muted small" },
        "Writes its Named Credential (with the External Credential and Auth Provider it needs) in the SFDX source layout, force-app/main/default, ready to deploy. No secret is written: you enter them in Setup after deploying.",
      ),
      h("label", { class: "modal-label" }, "The project's folder on this machine (made if missing)", out),
      problem,
      result,
      h("div", { class: "form-actions" }, cancel, submit),
    );
    out.addEventListener("input", () => (problem.hidden = true));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (submit.disabled) return;
      const folder = out.value.trim();
      if (!folder) {
        problem.hidden = false;
        problem.textContent = "Give the project's folder.";
        out.focus();
        return;
      }
      problem.hidden = true;
      void busy(submit, "Exporting…", async () => {
        try {
          const exported = await api.exportCredentialMetadata(name, folder);
          cancel.textContent = "Close";
          replace(
            result,
            h(
              "div",
              { class: "import-report", role: "status" },
              h("p", { class: "import-headline" }, `Written in ${exported.root}:`),
              h("ul", { testid: "metadata-files" }, writtenLines(exported).map((line) => h("li", null, line))),
              exported.notes.length > 0 && h("div", { class: "import-section", testid: "metadata-notes" }, h("h3", null, "Notes"), h("ul", null, exported.notes.map((note) => h("li", null, note)))),
            ),
          );
        } catch (error) {
          result.replaceChildren();
          problem.hidden = false;
          problem.textContent = `Not exported: ${messageText(toReport(error))}`;
        }
      });
    });
    setTimeout(() => out.focus(), 0);
    return form;
  }, undefined);
}

/** Copies `text` to the clipboard; false when the webview may not (the text is then selected for Ctrl+C). */
async function copyText(text: string): Promise<boolean> {
  if (!navigator.clipboard) return false;
  return navigator.clipboard.writeText(text).then(
    () => true,
    () => false,
  );
}

/**
 * The Apex HttpCalloutMock of the kept sends `ids` (every attempt, or with "final
 * response only" each send's last), with its class name to change and Copy.
 */
export function apexMockDialog(ids: number[], title: string): Promise<void> {
  return openModal<void>((close) => {
    const className = h("input", { type: "text", testid: "apex-mock-class", spellcheck: "false", value: DEFAULT_MOCK_CLASS, "aria-label": "Class name" });
    const finalOnly = h("input", { type: "checkbox", testid: "apex-mock-final" });
    const area = h("textarea", { rows: 16, readonly: true, spellcheck: "false", testid: "apex-mock-text", class: "modal-text", "aria-label": "The mock class" });
    const problem = h("div", { class: "field-problem", testid: "apex-mock-problem", role: "alert", hidden: true });
    const copy = h("button", { type: "button", class: "primary", testid: "apex-mock-copy", disabled: true }, "Copy");
    let seq = 0;
    const load = async (): Promise<void> => {
      const mine = ++seq;
      copy.disabled = true;
      area.setAttribute("aria-busy", "true");
      try {
        const text = await api.apexMock(ids, className.value.trim() || DEFAULT_MOCK_CLASS, finalOnly.checked);
        if (mine !== seq) return;
        area.value = text;
        problem.hidden = true;
        copy.disabled = false;
        copy.textContent = "Copy";
      } catch (error) {
        if (mine !== seq) return;
        area.value = "";
        problem.hidden = false;
        problem.textContent = `No mock: ${messageText(toReport(error))}`;
      } finally {
        if (mine === seq) area.removeAttribute("aria-busy");
      }
    };
    const reload = debounce(() => void load(), 250);
    className.addEventListener("input", () => reload());
    finalOnly.addEventListener("change", () => void load());
    copy.addEventListener("click", () => {
      area.select();
      void copyText(area.value).then((ok) => (copy.textContent = ok ? "Copied" : "Selected: press Ctrl+C"));
    });
    void load();
    return h(
      "div",
      { class: "modal modal-wide", role: "dialog", "aria-modal": "true", "aria-label": title, testid: "apex-mock-dialog" },
      h("h2", null, title),
      h("p", { class: "muted small" }, "An HttpCalloutMock for an Apex test: it answers each callout with the next recorded response, in order."),
      h(
        "div",
        { class: "apex-mock-options" },
        h("label", { class: "modal-label" }, "Class name", className),
        h("label", { class: "check-label" }, finalOnly, " Final response only (not the attempts a refresh retried)"),
      ),
      problem,
      area,
      h("div", { class: "form-actions" }, h("button", { type: "button", class: "ghost", onclick: () => close() }, "Close"), copy),
    );
  }, undefined);
}

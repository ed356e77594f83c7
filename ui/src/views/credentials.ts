// Credentials: the list with live status, the selected credential's actions
// (export as Salesforce metadata among them), authorize progress, token panel,
// add/edit form, and the keychain check.
import * as api from "../api";
import { authorizeCredential, authorizeFailures, authorizing, cancelAuthorization, onAuthorizing } from "../actions";
import { checkingView, failureView, keychainView, type StatusView as KeychainStatus } from "../keychain";
import { WaitWatch } from "../logic/authorizeProgress";
import { toastText } from "../logic/errors";
import { authorizeLabel, hasTokenToShow, liveStatus, needsAction, offersRepair, renewsWithoutUser } from "../logic/format";
import type { CredentialView } from "../pending-types";
import * as store from "../store";
import { busy, h, replace } from "../ui/dom";
import { KeyedList } from "../ui/keyed";
import { askConfirm } from "../ui/modal";
import { windowTimers, type Timers } from "../ui/timers";
import { toast } from "../ui/toast";
import { authorizeBox } from "./authorizeBox";
import { CredentialForm } from "./credentialForm";
import { exportMetadataDialog } from "./salesforceExport";
import { TokenPanel } from "./tokenPanel";

export class CredentialsView {
  readonly element = h("section", { class: "view view-credentials", "aria-labelledby": "credentials-title" });
  private list = h("ul", { class: "credential-list", role: "listbox", "aria-label": "Credentials" });
  private detail = h("div", { class: "credential-detail" });
  private tokenPanel = new TokenPanel();
  private form = new CredentialForm(
    (saved) => {
      this.mode = "detail";
      store.selectedCredential.set(saved.credential.name);
      void store.reloadCredentials().catch(() => undefined);
    },
    () => {
      this.mode = "detail";
      this.renderDetail();
    },
  );
  private mode: "detail" | "form" = "detail";
  private rows = new KeyedList<CredentialView>(
    this.list,
    (view) => view.credential.name,
    (view) => this.createRow(view),
    (row, view) => this.updateRow(row, view),
  );
  private detailStatus: HTMLElement | null = null;
  /** What went wrong with the last Repair or Remove, shown in the detail of its credential. */
  private problem: { name: string; text: string } | null = null;
  /** What the detail shows now: it is rebuilt only when this changes. */
  private detailKey = "";
  private tokenKey = "";
  private timers: Timers;
  /** Authorizations waiting for the browser, to ask "Still waiting?" after a while. */
  private waits: WaitWatch;

  constructor(options: { timers?: Timers } = {}) {
    this.timers = options.timers ?? windowTimers;
    this.waits = new WaitWatch(this.timers, (name) => {
      if (this.mode === "detail" && name === store.selectedCredential.value) this.renderDetail();
    });
    const add = h("button", { type: "button", class: "secondary", testid: "add-credential" }, "+ Add credential");
    add.addEventListener("click", () => this.openForm(null));
    this.element.append(
      h(
        "div",
        { class: "credentials-side" },
        h("div", { class: "view-head" }, h("h1", { id: "credentials-title" }, "Credentials"), add),
        this.list,
        this.keychainCard(),
      ),
      this.detail,
    );
    this.list.addEventListener("keydown", (event) => this.listKeys(event));
    store.credentials.subscribe(() => {
      this.renderList();
      if (this.mode === "detail") this.renderDetail();
    });
    store.selectedCredential.subscribe(() => {
      if (this.problem?.name !== store.selectedCredential.value) this.problem = null;
      this.renderList();
      if (this.mode === "detail") this.renderDetail();
    });
    onAuthorizing(() => {
      this.waits.sync(authorizing);
      this.renderList();
      if (this.mode === "detail") this.renderDetail();
    });
    store.view.subscribe(() => this.tokenPanel.conceal());
    // Hidden to the tray: a revealed token does not stay on screen.
    document.addEventListener("visibilitychange", () => {
      if (document.hidden) this.tokenPanel.conceal();
    });
    this.waits.sync(authorizing);
    this.renderList();
    this.renderDetail();
    const restored = CredentialForm.restore();
    if (restored) {
      this.mode = "form";
      this.detailKey = "";
      replace(this.detail, this.form.element);
      this.form.open(store.findCredential(restored.previousName) ?? null, restored);
    }
  }

  /** Called every second: countdowns in the list, the detail and the token panel. */
  tick(now: number): void {
    for (const view of store.credentials.value) {
      const cell = this.rows.element(view.credential.name)?.querySelector<HTMLElement>('[data-testid="credential-status"]');
      if (!cell) continue;
      const live = liveStatus(view.status, now);
      cell.textContent = live.line;
      cell.className = `credential-status tone-${live.tone}`;
    }
    if (this.detailStatus) {
      const view = store.findCredential(store.selectedCredential.value);
      if (view) {
        const live = liveStatus(view.status, now);
        this.detailStatus.textContent = live.line;
        this.detailStatus.className = `status-pill tone-${live.tone}`;
      }
    }
    this.tokenPanel.tick(now);
    // A token that expired meanwhile changes the detail's buttons.
    if (this.mode === "detail") this.renderDetail();
  }

  openForm(view: CredentialView | null): void {
    this.mode = "form";
    this.detailKey = "";
    replace(this.detail, this.form.element);
    this.form.open(view);
  }

  private listKeys(event: KeyboardEvent): void {
    const names = store.credentialNames();
    if (!names.length) return;
    const index = names.indexOf(store.selectedCredential.value ?? "");
    let next = index;
    if (event.key === "ArrowDown") next = Math.min(names.length - 1, index + 1);
    else if (event.key === "ArrowUp") next = Math.max(0, index - 1);
    else return;
    event.preventDefault();
    store.selectedCredential.set(names[next]);
    this.list.querySelector<HTMLElement>(`[data-name="${CSS.escape(names[next])}"]`)?.focus();
  }

  private renderList(): void {
    const views = store.credentials.value;
    if (!store.credentialsLoaded.value || !views.length) {
      this.rows.clear();
      const text = store.credentialsLoaded.value ? "No credentials yet. Add one to get started." : "Loading credentials…";
      replace(this.list, h("li", { class: "muted empty" }, text));
      return;
    }
    this.rows.render(views);
  }

  /** A row's parts that never change: its name is its key. */
  private createRow(view: CredentialView): HTMLElement {
    const name = view.credential.name;
    const quick = h("button", { type: "button", tabindex: -1, "data-part": "quick" });
    quick.addEventListener("click", (event) => {
      event.stopPropagation();
      store.selectedCredential.set(name);
      void authorizeCredential(name);
    });
    const row = h(
      "li",
      { class: "credential-row", testid: "credential-row", "data-name": name, role: "option" },
      h(
        "div",
        { class: "row-main" },
        h("span", { class: "credential-name" }, name),
        h("span", { class: "credential-status", testid: "credential-status" }),
      ),
      quick,
    );
    row.addEventListener("click", () => store.selectedCredential.set(name));
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter") store.selectedCredential.set(name);
    });
    return row;
  }

  /** Brings a row up to date: selection, status, the quick Authorize button. */
  private updateRow(row: HTMLElement, view: CredentialView): void {
    const name = view.credential.name;
    const selected = store.selectedCredential.value;
    const isSelected = name === selected;
    const first = store.credentials.value[0] === view;
    row.classList.toggle("selected", isSelected);
    row.setAttribute("aria-selected", String(isSelected));
    row.tabIndex = isSelected || (!selected && first) ? 0 : -1;
    const badge = row.querySelector(".credential-name .badge");
    if (view.sandbox && !badge) row.querySelector(".credential-name")!.append(h("span", { class: "badge" }, "sandbox"));
    if (!view.sandbox) badge?.remove();
    const live = liveStatus(view.status, Date.now());
    const status = row.querySelector<HTMLElement>('[data-testid="credential-status"]')!;
    status.textContent = live.line;
    status.className = `credential-status tone-${live.tone}`;
    const label = authorizeLabel(live.state);
    const inFlight = authorizing.has(name);
    const quick = row.querySelector<HTMLButtonElement>('[data-part="quick"]')!;
    quick.hidden = !(needsAction(live.state) && label);
    quick.className = live.tone === "error" ? "danger small" : "primary small";
    quick.disabled = inFlight;
    quick.textContent = inFlight ? "Waiting…" : label;
  }

  private renderDetail(): void {
    const name = store.selectedCredential.value;
    const view = store.findCredential(name);
    // Unchanged (a change elsewhere, another credential's status): the detail
    // keeps its elements, and with them focus and selection.
    const shownKey = JSON.stringify([
      name,
      view ?? null,
      view ? liveStatus(view.status, Date.now()).state : null,
      authorizing.get(name ?? "") ?? null,
      this.waits.due(name ?? ""),
      authorizeFailures.get(name ?? "") ?? null,
      this.problem?.name === name ? this.problem.text : null,
    ]);
    if (shownKey === this.detailKey) return;
    this.detailKey = shownKey;
    this.detailStatus = null;
    if (!view) {
      replace(
        this.detail,
        h(
          "div",
          { class: "empty-state" },
          h("h2", null, "Select a credential"),
          h("p", { class: "muted" }, "Pick one on the left to see its token and status, or add a new one."),
        ),
      );
      this.tokenKey = "";
      void this.tokenPanel.load(null);
      return;
    }
    const c = view.credential;
    const live = liveStatus(view.status, Date.now());
    this.detailStatus = h("span", { class: `status-pill tone-${live.tone}` }, live.line);
    const label = authorizeLabel(live.state);
    const progress = authorizing.get(c.name);

    const actions = h("div", { class: "detail-actions" });
    if (label) {
      const authorize = h(
        "button",
        {
          type: "button",
          class: live.tone === "error" ? "danger" : live.state === "notAuthorized" ? "primary" : "secondary",
          testid: "authorize",
          disabled: Boolean(progress),
        },
        label,
      );
      authorize.addEventListener("click", () => void authorizeCredential(c.name));
      actions.append(authorize);
    }
    if (offersRepair(live.state)) {
      const repair = h("button", { type: "button", class: "secondary", testid: "repair" }, "Repair");
      repair.addEventListener("click", () =>
        void busy(repair, "Repairing…", async () => {
          this.showProblem(null);
          try {
            await api.repairCredential(c.name);
            toast(`Removed ${c.name}'s unreadable keychain entry; authorize it again.`, "ok");
            await store.reloadCredentials();
          } catch (error) {
            this.showProblem({ name: c.name, text: toastText(`Could not repair ${c.name}`, error) });
          }
        }),
      );
      actions.append(repair);
    }
    const edit = h("button", { type: "button", class: "secondary" }, "Edit");
    edit.addEventListener("click", () => this.openForm(view));
    const remove = h("button", { type: "button", class: "ghost danger-text" }, "Remove");
    remove.addEventListener("click", () =>
      void busy(remove, "Removing…", async () => {
        if (!(await askConfirm(`Remove ${c.name}?`, `Its definition is removed and its client secret and tokens are deleted from the OS keychain.`, "Remove"))) return;
        this.showProblem(null);
        try {
          await api.removeCredential(c.name);
          toast(`Removed ${c.name}.`, "ok");
          store.selectedCredential.set(null);
          await store.reloadCredentials();
        } catch (error) {
          this.showProblem({ name: c.name, text: toastText(`Could not remove ${c.name}`, error) });
        }
      }),
    );
    const exportMetadata = h(
      "button",
      { type: "button", class: "ghost", testid: "export-metadata", title: "Write it as a Named Credential, External Credential and Auth Provider into an SFDX project" },
      "Export as Salesforce metadata…",
    );
    exportMetadata.addEventListener("click", () => void exportMetadataDialog(c.name));
    actions.append(edit, exportMetadata, remove);

    const progressBox = progress
      ? authorizeBox(progress, {
          protocol: c.protocol,
          stillWaiting: this.waits.due(c.name),
          cancel: () => void cancelAuthorization(c.name),
          timers: this.timers,
        })
      : null;
    const failed = authorizeFailures.get(c.name);
    const failure =
      !progress && failed !== undefined
        ? problemCallout("authorize-failed", "The last authorization failed: ", failed, () => {
            authorizeFailures.delete(c.name);
            this.renderDetail();
          })
        : null;
    const problem = this.problem?.name === c.name ? problemCallout("detail-problem", "", this.problem.text, () => this.showProblem(null)) : null;

    const reason =
      live.state === "broken"
        ? h(
            "div",
            { class: "callout callout-error", testid: "broken-reason" },
            h("strong", null, "Its keychain entry cannot be read. "),
            "Repair removes the unreadable entry; authorizing again replaces it. ",
            view.status.reason,
          )
        : live.state === "needsReauthorization"
        ? h(
            "div",
            { class: "callout callout-error" },
            h("strong", null, "Needs re-authorization. "),
            view.status.reason ??
              (renewsWithoutUser(c)
                ? "New tokens could not be obtained automatically; check the credential, then authorize it again."
                : "The refresh token no longer works; sign in again to continue."),
          )
        : view.status.reason
          ? h("p", { class: "muted small" }, view.status.reason)
          : null;

    replace(
      this.detail,
      h(
        "div",
        { class: "card detail-card" },
        h(
          "div",
          { class: "detail-head" },
          h("div", null, h("h2", null, c.name, view.sandbox && h("span", { class: "badge" }, "sandbox")), this.detailStatus),
          actions,
        ),
        problem,
        reason,
        progressBox,
        failure,
        h(
          "dl",
          { class: "facts" },
          h("dt", null, "Endpoint"),
          h("dd", null, h("code", null, c.endpoint)),
          h("dt", null, "Flow"),
          h("dd", null, view.protocolLabel),
          c.clientId ? [h("dt", null, "Client ID"), h("dd", null, h("code", null, c.clientId))] : null,
          h("dt", null, "Client secret"),
          h("dd", null, view.hasClientSecret ? "in the OS keychain" : "none stored"),
          h("dt", null, "Use it as"),
          h("dd", null, h("code", null, `callout:${c.name}/…`)),
        ),
      ),
      this.tokenPanel.element,
    );
    // Re-read the token only when something about it changed (each read may ask the keychain).
    const wanted = hasTokenToShow(live.state) ? c.name : null;
    // The protocol and token endpoint decide how the panel words a missing refresh token.
    const key = JSON.stringify([wanted, view.status.state, view.status.expiresAtMs, c.protocol, c.tokenUrl ?? null, c.issuer ?? null]);
    if (key !== this.tokenKey) {
      this.tokenKey = key;
      void this.tokenPanel.load(wanted);
    }
  }

  private showProblem(problem: { name: string; text: string } | null): void {
    if (problem === null && this.problem === null) return;
    this.problem = problem;
    if (this.mode === "detail") this.renderDetail();
  }

  private keychainCard(): HTMLElement {
    const result = h(
      "div",
      { id: "keychain-result", class: "status status-idle", testid: "keychain-result", role: "status", "aria-live": "polite" },
      "Not checked yet. The check stores, reads back and deletes a throw-away secret.",
    );
    const show = (view: KeychainStatus): void => {
      result.className = `status status-${view.tone}`;
      result.textContent = view.text;
    };
    const button = h("button", { id: "check-keychain", type: "button", class: "secondary small" }, "Check keychain");
    button.addEventListener("click", async () => {
      button.disabled = true;
      show(checkingView);
      try {
        show(keychainView(await api.checkKeychain()));
      } catch (error) {
        show(failureView(error));
      } finally {
        button.disabled = false;
      }
    });
    return h(
      "section",
      { class: "keychain-card", "aria-labelledby": "keychain-title" },
      h(
        "div",
        { class: "keychain-head" },
        h("div", null, h("h2", { id: "keychain-title" }, "OS keychain"), h("p", { class: "muted small" }, "Secrets live only in ", h("span", { testid: "keychain-backend" }, "…"), ".")),
        button,
      ),
      result,
    );
  }
}

/** An error shown where it happened (role alert), with Dismiss. */
function problemCallout(testid: string, title: string, text: string, dismiss: () => void): HTMLElement {
  const close = h("button", { type: "button", class: "ghost small", "aria-label": "Dismiss" }, "Dismiss");
  close.addEventListener("click", dismiss);
  return h(
    "div",
    { class: "callout callout-error callout-dismissable", testid, role: "alert" },
    h("div", null, title && h("strong", null, title), text),
    close,
  );
}

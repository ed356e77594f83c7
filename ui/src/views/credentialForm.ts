// Add / edit a credential, validated as you type (validate_credential → a
// field-problem under each field), with "Discover from issuer".
import * as api from "../api";
import type { AuthProtocol } from "../bindings/AuthProtocol";
import type { Credential } from "../bindings/Credential";
import {
  applyMetadata,
  applySandbox,
  blankCredential,
  fieldsFor,
  optionalSeconds,
  optionalText,
  parseScopes,
  parseStatusCodes,
  PROTOCOLS,
  problemsByField,
  sandboxSecret,
  visibleProblems,
} from "../logic/credentialForm";
import type { CredentialView, FieldProblem } from "../pending-types";
import * as store from "../store";
import { busy, debounce, h, replace } from "../ui/dom";
import { toast } from "../ui/toast";
import { toReport } from "../logic/errors";
import { certificateSummary, pemProblem } from "../logic/clientCertificate";

const FORM_KEY = "callout-lab.credential-form.v1";

interface Persisted {
  previousName: string | null;
  credential: Credential;
}

export class CredentialForm {
  readonly element = h("form", { class: "card credential-form", testid: "credential-form", novalidate: true });
  private credential: Credential = blankCredential();
  private previousName: string | null = null;
  private problems = new Map<string, string[]>();
  /** Fields the user has changed; only theirs show problems until a save is tried. */
  private touched = new Set<string>();
  private showAllProblems = false;
  /**
   * What the form says beside a field (Discover's answer under the issuer),
   * under the sandbox choice ("sandbox": what it filled in) or for the whole
   * form ("form": a save that did not happen), in place
   * rather than in a toast. A field's note goes when the field changes.
   */
  private notes = new Map<string, { text: string; tone: "ok" | "info" | "error" }>();
  private inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  private problemSlots = new Map<string, HTMLElement>();
  private secret: HTMLInputElement | null = null;
  /** The client certificate's private key (PEM) read from a file, until saved; never persisted. */
  private clientKey: string | null = null;
  private view: CredentialView | null = null;
  private validate = debounce(() => void this.runValidation(), 250);

  constructor(
    private readonly onSaved: (view: CredentialView) => void,
    private readonly onClose: () => void,
  ) {
    this.element.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.save();
    });
    this.element.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.close();
    });
  }

  /** The unsaved form from before a restart, if any (never the secret). */
  static restore(): Persisted | null {
    try {
      const raw = localStorage.getItem(FORM_KEY);
      if (!raw) return null;
      const parsed = JSON.parse(raw) as Persisted;
      return typeof parsed?.credential?.name === "string" ? parsed : null;
    } catch {
      return null;
    }
  }

  open(view: CredentialView | null, restored?: Persisted): void {
    this.view = view;
    this.previousName = restored ? restored.previousName : (view?.credential.name ?? null);
    this.credential = restored ? restored.credential : structuredClone(view?.credential ?? blankCredential());
    if (!view && !restored) this.credential.keepAliveSeconds = store.settings.value.keepAliveDefaultSeconds;
    this.problems.clear();
    this.touched.clear();
    this.notes.clear();
    this.clientKey = null;
    // A saved credential's problems are shown at once; a new form starts clean.
    this.showAllProblems = this.previousName !== null;
    this.render();
    this.persist();
    this.validate();
    this.inputs.get("name")?.focus();
  }

  close(): void {
    localStorage.removeItem(FORM_KEY);
    this.onClose();
  }

  private persist(): void {
    try {
      localStorage.setItem(FORM_KEY, JSON.stringify({ previousName: this.previousName, credential: this.credential }));
    } catch {
      // Storage full or unavailable: the form in memory is still there.
    }
  }

  private changed(field?: string): void {
    if (field) this.touched.add(field);
    if (field) this.notes.delete(field);
    this.notes.delete("form");
    this.persist();
    this.validate();
  }

  private async runValidation(): Promise<FieldProblem[]> {
    let problems: FieldProblem[] = [];
    try {
      problems = await api.validateCredential(this.credential, Boolean(this.secret?.value), this.previousName, this.clientKey !== null);
    } catch {
      // The command never fails by contract; an older shell without it shows no problems.
    }
    this.problems = problemsByField(problems);
    this.showProblems();
    return problems;
  }

  private showProblems(): void {
    const shown = visibleProblems(this.problems, this.touched, this.showAllProblems);
    for (const [field, slot] of this.problemSlots) {
      const messages = shown.get(field) ?? [];
      const note = this.notes.get(field);
      replace(
        slot,
        messages.map((m) => h("div", { class: "field-problem", testid: "field-problem", role: "alert" }, m)),
        note ? h("div", { class: `field-note tone-${note.tone}`, testid: `${field}-note`, role: note.tone === "error" ? "alert" : "status" }, note.text) : null,
      );
      this.inputs.get(field)?.setAttribute("aria-invalid", messages.length ? "true" : "false");
    }
    const known = new Set(this.problemSlots.keys());
    const other = [...shown.entries()].filter(([f]) => !known.has(f));
    const sandbox = this.notes.get("sandbox");
    const sandboxNote = this.element.querySelector('[data-testid="sandbox-note"]');
    if (sandboxNote && sandbox) sandboxNote.textContent = sandbox.text;
    const general = this.element.querySelector(".form-general");
    if (general) {
      const note = this.notes.get("form");
      replace(
        general,
        other.flatMap(([field, messages]) =>
          messages.map((m) => h("div", { class: "field-problem", testid: "field-problem" }, field === "credential" ? m : `${field}: ${m}`)),
        ),
        note ? h("div", { class: `field-problem`, testid: "form-message", role: "alert" }, note.text) : null,
      );
    }
  }

  private field(
    field: string,
    label: string,
    control: HTMLInputElement | HTMLSelectElement,
    hint?: string,
    extra?: Node,
    wide = false,
  ): HTMLElement {
    control.dataset.field = field;
    control.id = `cred-${field}`;
    this.inputs.set(field, control);
    const slot = h("div", { class: "problems", id: `cred-${field}-problems` });
    control.setAttribute("aria-describedby", `cred-${field}-problems`);
    this.problemSlots.set(field, slot);
    return h(
      "div",
      { class: wide ? "field wide" : "field" },
      h("label", { for: control.id }, label),
      extra ? h("div", { class: "field-with-action" }, control, extra) : control,
      hint && h("div", { class: "hint" }, hint),
      slot,
    );
  }

  private text(value: string | null | undefined, set: (text: string) => void, attrs: Record<string, unknown> = {}): HTMLInputElement {
    const input = h("input", { type: "text", value: value ?? "", spellcheck: "false", autocomplete: "off", ...attrs });
    input.addEventListener("input", () => {
      set(input.value);
      this.changed(input.dataset.field);
    });
    return input;
  }

  /** Mutual TLS: the certificate (in the definition) and its key (to the keychain), each from a PEM file. */
  private certificateFields(c: Credential): HTMLElement[] {
    const pemFile = (kind: "certificate" | "key", field: string, take: (text: string) => void): HTMLInputElement => {
      const input = h("input", { type: "file", accept: ".pem,.crt,.cer,.key" });
      input.addEventListener("change", () => {
        const file = input.files?.[0];
        if (!file) return;
        void file.text().then((text) => {
          const problem = pemProblem(text, kind);
          if (problem) {
            this.notes.set(field, { text: `${file.name}: ${problem}`, tone: "error" });
            this.showProblems();
            return;
          }
          take(text.trim());
          this.render();
          this.changed(field);
          this.notes.set(field, { text: kind === "key" ? `Read ${file.name}; it goes to the OS keychain only when you save.` : `Read ${file.name}.`, tone: "ok" });
          this.showProblems();
        });
      });
      return input;
    };
    const fields = [
      this.field(
        "clientCertificate",
        "Client certificate (mutual TLS)",
        pemFile("certificate", "clientCertificate", (text) => (c.clientCertificate = text)),
        `${certificateSummary(c.clientCertificate)} Presented to the API and the token endpoint.`,
        c.clientCertificate ? this.removeCertificateButton(c) : undefined,
        true,
      ),
    ];
    if (c.clientCertificate) {
      const kept = this.previousName !== null && this.clientKey === null ? " Leave it to keep the stored key." : "";
      fields.push(
        this.field(
          "clientKey",
          "Client certificate's private key",
          pemFile("key", "clientKey", (text) => (this.clientKey = text)),
          `PEM (PKCS#8, RSA or EC), kept in the OS keychain only.${kept}`,
          undefined,
          true,
        ),
      );
    }
    return fields;
  }

  private removeCertificateButton(c: Credential): HTMLElement {
    const remove = h("button", { type: "button", class: "ghost", testid: "remove-client-certificate" }, "Remove");
    remove.addEventListener("click", () => {
      c.clientCertificate = null;
      this.clientKey = null;
      this.render();
      this.changed("clientCertificate");
    });
    return remove;
  }

  private select<T extends string>(value: T, options: readonly { value: T; label: string }[], set: (value: T) => void): HTMLSelectElement {
    const select = h(
      "select",
      null,
      options.map((o) => h("option", { value: o.value, selected: o.value === value }, o.label)),
    );
    select.addEventListener("change", () => {
      set(select.value as T);
      this.changed(select.dataset.field);
    });
    return select;
  }

  private checkbox(field: string, label: string, checked: boolean, set: (on: boolean) => void, hint: string): HTMLElement {
    const input = h("input", { type: "checkbox", checked, id: `cred-${field}` });
    input.dataset.field = field;
    this.inputs.set(field, input);
    input.addEventListener("change", () => {
      set(input.checked);
      this.changed(field);
    });
    const slot = h("div", { class: "problems" });
    this.problemSlots.set(field, slot);
    return h("div", { class: "field check" }, h("label", { for: input.id }, input, " ", label), h("div", { class: "hint" }, hint), slot);
  }

  private render(): void {
    const c = this.credential;
    this.inputs.clear();
    this.problemSlots.clear();
    const shown = fieldsFor(c.protocol);
    const editing = this.previousName !== null;

    const issuer = this.text(c.issuer, (v) => (c.issuer = optionalText(v)), { placeholder: "https://login.example.com" });
    const discover = h("button", { type: "button", class: "secondary" }, "Discover from issuer");
    discover.addEventListener("click", () =>
      void busy(discover, "Discovering…", async () => {
        const url = (c.issuer ?? "").trim();
        if (!url) {
          this.notes.set("issuer", { text: "Enter the issuer URL first, then Discover.", tone: "info" });
          this.showProblems();
          this.inputs.get("issuer")?.focus();
          return;
        }
        try {
          const metadata = await api.discover(url);
          this.credential = applyMetadata(c, url, metadata);
          for (const field of ["tokenUrl", "authUrl"]) this.touched.add(field);
          this.render();
          this.changed();
          this.notes.set("issuer", { text: `Found the provider's endpoints at ${url}: the token and authorization URLs are filled in.`, tone: "ok" });
          this.showProblems();
        } catch (error) {
          this.notes.set("issuer", { text: `Could not discover ${url}: ${toReport(error).message}`, tone: "error" });
          this.showProblems();
        }
      }),
    );

    const typedSecret = this.secret?.value ?? "";
    const secret = h("input", {
      value: typedSecret,
      type: "password",
      autocomplete: "new-password",
      placeholder: this.view?.hasClientSecret ? "stored in the keychain — leave empty to keep it" : "stored only in the OS keychain",
    });
    secret.addEventListener("input", () => this.changed("clientSecret"));
    this.secret = secret;

    const useSandbox = h("button", { type: "button", class: "secondary", testid: "use-sandbox" }, "Use the built-in sandbox");
    useSandbox.addEventListener("click", () =>
      void busy(useSandbox, "Filling in…", async () => {
        try {
          const sandbox = await api.sandboxInfo();
          this.credential = applySandbox(this.credential, sandbox);
          const filledSecret = sandboxSecret(this.credential.protocol, sandbox);
          this.render();
          if (filledSecret !== null && this.secret) this.secret.value = filledSecret;
          for (const field of ["endpoint", "tokenUrl", "authUrl", "clientId", "username", "clientSecret"]) this.touched.add(field);
          this.changed();
          this.notes.set("sandbox", {
            text: `Filled in the built-in sandbox (${sandbox.url}): ${this.credential.protocol === "basic" ? "its Basic API and test user with the password" : `its API, token endpoint and test client${filledSecret !== null ? " with its secret" : ""}`}${filledSecret !== null ? ", which protects nothing outside this app" : ""}.`,
            tone: "ok",
          });
          this.showProblems();
        } catch (error) {
          this.notes.set("sandbox", { text: `The built-in sandbox is not running, so nothing was filled in: ${toReport(error).message}`, tone: "error" });
          this.showProblems();
        }
      }),
    );

    const protocol = this.select<AuthProtocol>(c.protocol, PROTOCOLS, (v) => {
      c.protocol = v;
      this.render();
    });

    const rows: (HTMLElement | false)[] = [
      this.field("name", "Name", this.text(c.name, (v) => (c.name = v), { placeholder: "My_API" }), "Used in callout:NAME/… URLs."),
      this.field("endpoint", "Endpoint base URL", this.text(c.endpoint, (v) => (c.endpoint = v))),
      this.field("protocol", "Authentication", protocol),
      h(
        "div",
        { class: "field sandbox-choice" },
        useSandbox,
        h("div", { class: "hint sandbox-note", testid: "sandbox-note", "aria-live": "polite" }, "Or try it first against the sandbox that comes with the app."),
      ),
      shown.has("salesforceOrg") && this.salesforceField(c),
      shown.has("issuer") && this.field("issuer", "Issuer", issuer, "OpenID Connect / RFC 8414 discovery fills in the URLs below.", discover, true),
      shown.has("authUrl") && this.field("authUrl", "Authorization URL", this.text(c.authUrl, (v) => (c.authUrl = optionalText(v)))),
      shown.has("tokenUrl") && this.field("tokenUrl", "Token URL", this.text(c.tokenUrl, (v) => (c.tokenUrl = optionalText(v)))),
      shown.has("redirectUri") && this.redirectField(c),
      shown.has("clientId") && this.field("clientId", "Client ID", this.text(c.clientId, (v) => (c.clientId = optionalText(v)))),
      shown.has("username") &&
        this.field("username", "Username", this.text(c.username, (v) => (c.username = optionalText(v)), { autocomplete: "username" }), "Sent with the password on every call, as HTTP Basic."),
      shown.has("clientSecret") && this.field("clientSecret", c.protocol === "basic" ? "Password" : "Client secret", this.secret),
      shown.has("clientAuth") &&
        this.field(
          "clientAuth",
          "Send the client secret",
          this.select(c.clientAuth, [
            { value: "body", label: "in the request body" },
            { value: "basic", label: "as HTTP Basic" },
          ], (v) => (c.clientAuth = v)),
        ),
      shown.has("scopes") && this.field("scopes", "Scopes", this.text((c.scopes ?? []).join(" "), (v) => (c.scopes = parseScopes(v))), "Space-separated."),
      shown.has("identityType") &&
        this.field(
        "identityType",
        "Identity",
        this.select(c.identityType, [
          { value: "namedPrincipal", label: "Named principal" },
          { value: "perUser", label: "Per user" },
          { value: "anonymous", label: "Anonymous" },
        ], (v) => (c.identityType = v)),
      ),
      shown.has("keepAliveSeconds") &&
        this.field(
          "keepAliveSeconds",
          "Keep-alive every (seconds)",
          this.text(c.keepAliveSeconds?.toString() ?? "", (v) => (c.keepAliveSeconds = optionalSeconds(v)), { inputmode: "numeric", placeholder: "off" }),
          "Refresh this often even when idle, for refresh tokens that expire when unused.",
        ),
      shown.has("refreshIdleSeconds") &&
        this.field(
          "refreshIdleSeconds",
          "Refresh token idle lifetime (seconds)",
          this.text(c.refreshIdleSeconds?.toString() ?? "", (v) => (c.refreshIdleSeconds = optionalSeconds(v)), { inputmode: "numeric", placeholder: "unknown" }),
          "When the provider's refresh tokens die unused (WSO2: 86400), the keeper warns before that.",
        ),
      ...this.certificateFields(c),
      shown.has("proactiveRefresh") &&
        this.checkbox(
          "proactiveRefresh",
          "Refresh ahead of expiry (keeper)",
          c.proactiveRefresh !== false,
          (on) => (c.proactiveRefresh = on),
          "Off for the Sandbox, so you see the expiry being detected in a response.",
        ),
    ];

    const sf = c.salesforce;
    const salesforce = shown.has("generateAuthorizationHeader") && h(
      "fieldset",
      { class: "salesforce" },
      h("legend", null, "Salesforce Named Credential emulation"),
      this.checkbox("generateAuthorizationHeader", "Generate Authorization header", sf.generateAuthorizationHeader, (on) => (sf.generateAuthorizationHeader = on), "Adds Authorization: Bearer <token> unless the request sets one."),
      this.checkbox("allowMergeFieldsInHeader", "Allow merge fields in HTTP header", sf.allowMergeFieldsInHeader, (on) => (sf.allowMergeFieldsInHeader = on), "Off in Salesforce by default: header merge fields stay literal there."),
      this.checkbox("allowMergeFieldsInBody", "Allow merge fields in HTTP body", sf.allowMergeFieldsInBody, (on) => (sf.allowMergeFieldsInBody = on), "Needed for {!$Credential.OAuthToken} in a SOAP SessionHeader."),
      this.field(
        "additionalRefreshStatusCodes",
        "Additional status codes for token refresh",
        this.text(sf.additionalRefreshStatusCodes.join(", "), (v) => (sf.additionalRefreshStatusCodes = parseStatusCodes(v)), { placeholder: "e.g. 403" }),
        "Salesforce accepts 4xx and 600–999, never 5xx.",
      ),
    );

    const cancel = h("button", { type: "button", class: "ghost" }, "Cancel");
    cancel.addEventListener("click", () => this.close());
    replace(
      this.element,
      h("div", { class: "card-head" }, h("h3", null, editing ? `Edit ${this.previousName}` : "Add a credential")),
      h("div", { class: "form-grid" }, rows),
      salesforce,
      h("div", { class: "form-general" }),
      h(
        "div",
        { class: "form-actions" },
        cancel,
        h("button", { type: "submit", class: "primary", testid: "save-credential" }, editing ? "Save changes" : "Add credential"),
      ),
    );
    this.showProblems();
  }

  /** The callback the provider must have registered, with a Copy button. */
  /** The Salesforce org: production, sandbox or a My Domain URL, and a button that fills the credential in for it. */
  private salesforceField(c: Credential): HTMLElement {
    const input = this.text(c.salesforceOrg, (v) => (c.salesforceOrg = optionalText(v)), {
      placeholder: "production, sandbox or https://acme.my.salesforce.com",
      list: "salesforce-orgs",
    });
    const choices = h("datalist", { id: "salesforce-orgs" }, h("option", { value: "production" }), h("option", { value: "sandbox" }));
    const fill = h("button", { type: "button", class: "secondary", testid: "fill-salesforce" }, "Fill in for Salesforce");
    fill.addEventListener("click", () =>
      void busy(fill, "Filling in…", async () => {
        const org = (this.credential.salesforceOrg ?? "").trim();
        if (!org) {
          this.notes.set("salesforceOrg", { text: "Enter production, sandbox or your org's My Domain URL first.", tone: "info" });
          this.showProblems();
          input.focus();
          return;
        }
        try {
          this.credential = await api.salesforceCredential(this.credential, org);
          for (const field of ["endpoint", "tokenUrl", "authUrl", "issuer", "scopes", "redirectUri", "salesforceOrg"]) this.touched.add(field);
          this.render();
          this.changed();
          this.notes.set("salesforceOrg", {
            text: `Filled in ${this.credential.issuer}: its OAuth endpoints, the scopes api and refresh_token, and the callback ${this.credential.redirectUri}, which your External Client App or Connected App must list. Calls go to the org's instance once authorized.`,
            tone: "ok",
          });
          this.showProblems();
        } catch (error) {
          this.notes.set("salesforceOrg", { text: toReport(error).message, tone: "error" });
          this.showProblems();
        }
      }),
    );
    const field = this.field("salesforceOrg", "Salesforce org", input, "A Salesforce org signs in here: its endpoints, scopes and callback are filled in for you.", fill, true);
    field.append(choices);
    return field;
  }

  private redirectField(c: Credential): HTMLElement {
    const input = this.text(c.redirectUri, (v) => (c.redirectUri = optionalText(v)), { placeholder: "http://127.0.0.1:<any port>/callback" });
    const copy = h("button", { type: "button", class: "secondary", testid: "copy-redirect-uri" }, "Copy");
    copy.addEventListener("click", () => {
      const uri = input.value.trim() || "http://127.0.0.1/callback";
      void navigator.clipboard
        .writeText(uri)
        .then(() => {
          this.notes.set("redirectUri", { text: `Copied ${uri}: register it with the provider as the app's callback.`, tone: "ok" });
          this.showProblems();
        })
        .catch(() => {
          input.select();
          this.notes.set("redirectUri", { text: "Selected: press Ctrl+C.", tone: "info" });
          this.showProblems();
        });
    });
    return this.field(
      "redirectUri",
      "Redirect URI",
      input,
      "Register this callback with your provider. Leave it empty for one that takes any port of 127.0.0.1 (RFC 8252); give the exact one for providers that match it, such as Salesforce's http://localhost:1717/OauthRedirect.",
      copy,
      true,
    );
  }

  private async save(): Promise<void> {
    const button = this.element.querySelector<HTMLButtonElement>('[data-testid="save-credential"]');
    this.showAllProblems = true;
    const problems = await this.runValidation();
    if (problems.length) {
      const first = problems[0];
      const [firstField] = problemsByField([first]).keys();
      this.inputs.get(firstField)?.focus();
      this.notes.set("form", { text: `Not saved: fix ${problems.length === 1 ? "the marked field" : `the ${problems.length} marked fields`} first.`, tone: "error" });
      this.showProblems();
      return;
    }
    const run = async (): Promise<void> => {
      try {
        const secret = this.secret?.value ? this.secret.value : null;
        const saved = await api.saveCredential(this.credential, secret, this.previousName, this.clientKey);
        if (this.secret) this.secret.value = "";
        this.clientKey = null;
        localStorage.removeItem(FORM_KEY);
        toast(saved.notice ? `Saved ${saved.credential.name}. ${saved.notice}` : `Saved ${saved.credential.name}.`, "ok");
        this.onSaved(saved);
      } catch (error) {
        // A problem of the form (one that appeared since the last check, such
        // as a name another window took) shows under its field.
        const problems = toReport(error).kind === "invalidCredential" ? await this.runValidation() : [];
        if (problems.length === 0) {
          this.notes.set("form", { text: `Could not save ${this.credential.name || "the credential"}: ${toReport(error).message}`, tone: "error" });
          this.showProblems();
        }
      }
    };
    if (button) await busy(button, "Saving…", run);
    else await run();
  }
}

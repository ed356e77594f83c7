// The token panel: masked token with Reveal and Copy, live expiry countdown,
// decoded JWT claims, scopes, refresh token present/rotated, Refresh now.
// The raw token is fetched only on an explicit Reveal click and is dropped again
// whenever the panel is re-rendered (another credential, another view).
import * as api from "../api";
import { copyCredentialToken, refreshCredential } from "../actions";
import { claimValue, countdownText, dateTime, refreshTokenLine } from "../logic/format";
import type { TokenView } from "../pending-types";
import * as store from "../store";
import { busy, h, replace } from "../ui/dom";
import { toastText } from "../logic/errors";
import type { ToastAction } from "../ui/toast";

const SOURCE_TEXT: Record<TokenView["expirySource"], string> = {
  expiresIn: "from expires_in",
  jwtExp: "from the JWT's exp claim",
  introspection: "from token introspection",
  unknown: "the provider did not say",
};

export class TokenPanel {
  readonly element = h("section", { class: "card token-panel", testid: "token-panel", "aria-label": "Access token" });
  private token: TokenView | null = null;
  private name: string | null = null;
  private expiry: HTMLElement | null = null;
  private loadSeq = 0;
  /** What went wrong with Reveal, Copy or Refresh now, under the token. */
  private problem = h("div", { class: "callout callout-error callout-dismissable", testid: "token-problem", role: "alert", hidden: true });

  /** Shows `name`'s token (re-fetched), hiding any revealed value. */
  async load(name: string | null): Promise<void> {
    if (name !== this.name) this.showProblem(null);
    this.name = name;
    const seq = ++this.loadSeq;
    if (!name) {
      this.token = null;
      this.render();
      return;
    }
    try {
      const token = await api.token(name);
      if (seq !== this.loadSeq) return;
      this.token = token;
    } catch (error) {
      if (seq !== this.loadSeq) return;
      this.token = null;
      this.render(`Could not read the token: ${(error as { message?: string })?.message ?? String(error)}`);
      return;
    }
    this.render();
  }

  /** Hides a revealed token (called on navigation). */
  conceal(): void {
    const masked = this.element.querySelector<HTMLElement>('[data-testid="token-masked"]');
    if (masked && this.token) {
      masked.textContent = this.token.masked;
      masked.classList.remove("revealed");
      const reveal = this.element.querySelector<HTMLButtonElement>('[data-testid="token-reveal"]');
      if (reveal) reveal.textContent = "Reveal";
    }
  }

  tick(now: number): void {
    if (this.expiry && this.token) {
      this.expiry.textContent = countdownText(this.token.expiresAtMs, now);
      const expired = this.token.expiresAtMs !== null && this.token.expiresAtMs <= now;
      this.expiry.classList.toggle("is-expired", expired);
    }
  }

  /** Shows what went wrong in the panel (with a remedy such as Re-authorize), or hides it. */
  private showProblem(text: string | null, remedy?: ToastAction): void {
    this.problem.hidden = text === null;
    if (text === null) {
      this.problem.replaceChildren();
      return;
    }
    const dismiss = h("button", { type: "button", class: "ghost small", "aria-label": "Dismiss" }, "Dismiss");
    dismiss.addEventListener("click", () => this.showProblem(null));
    const fix = remedy && h("button", { type: "button", class: "secondary small", testid: "token-problem-remedy" }, remedy.label);
    fix?.addEventListener("click", () => {
      this.showProblem(null);
      remedy!.run();
    });
    replace(this.problem, h("div", null, text), h("div", { class: "callout-actions" }, fix, dismiss));
  }

  private render(problem?: string): void {
    this.expiry = null;
    const token = this.token;
    const name = this.name;
    if (!name) {
      replace(this.element);
      this.element.hidden = true;
      return;
    }
    this.element.hidden = false;
    if (!token) {
      replace(
        this.element,
        h("h3", null, "Access token"),
        h("p", { class: "muted" }, problem ?? `${name} has no token yet. Authorize it to get one.`),
      );
      return;
    }
    const masked = h("code", { class: "token-value", testid: "token-masked" }, token.masked);
    const reveal = h("button", { type: "button", class: "ghost", testid: "token-reveal" }, "Reveal");
    reveal.addEventListener("click", async () => {
      if (masked.classList.contains("revealed")) {
        this.conceal();
        return;
      }
      this.showProblem(null);
      try {
        const raw = await api.revealToken(name);
        masked.textContent = raw;
        masked.classList.add("revealed");
        reveal.textContent = "Hide";
      } catch (error) {
        this.showProblem(toastText(`Could not reveal ${name}'s token`, error));
      }
    });
    const copy = h("button", { type: "button", class: "ghost", testid: "token-copy" }, "Copy");
    copy.addEventListener("click", () => {
      this.showProblem(null);
      void busy(copy, "Copying…", () => copyCredentialToken(name, (text, remedy) => this.showProblem(text, remedy)));
    });
    const refresh = h("button", { type: "button", class: "secondary", testid: "refresh-now" }, "Refresh now");
    refresh.addEventListener("click", () =>
      void busy(refresh, "Refreshing…", async () => {
        this.showProblem(null);
        const fresh = await refreshCredential(name, (text, remedy) => this.showProblem(text, remedy));
        if (fresh && this.name === name) {
          this.token = fresh;
          this.render();
        }
      }),
    );
    this.expiry = h("span", { class: "token-expiry", testid: "token-expiry" });

    const claims = token.jwt && token.claims
      ? h(
          "details",
          { class: "claims", testid: "token-claims", open: true },
          h("summary", null, "JWT claims (decoded, signature not checked)"),
          h(
            "table",
            null,
            Object.entries(token.claims).map(([key, value]) =>
              h("tr", null, h("th", null, key), h("td", null, claimValue(key, value))),
            ),
          ),
        )
      : h("p", { class: "muted small", testid: "token-claims" }, "Opaque token (not a JWT): no claims to decode.");

    replace(
      this.element,
      h("div", { class: "card-head" }, h("h3", null, "Access token"), refresh),
      h("div", { class: "token-row" }, masked, reveal, copy),
      this.problem,
      h(
        "dl",
        { class: "facts" },
        h("dt", null, "Expiry"),
        h("dd", null, this.expiry, h("span", { class: "muted small" }, ` · ${SOURCE_TEXT[token.expirySource]}`)),
        h("dt", null, "Issued"),
        h("dd", null, dateTime(token.issuedAtMs)),
        h("dt", null, "Fingerprint"),
        h("dd", null, h("code", null, token.fingerprint)),
        h("dt", null, "Scopes"),
        h("dd", null, token.scopes.length ? token.scopes.map((s) => h("span", { class: "chip" }, s)) : h("span", { class: "muted" }, "none granted")),
        h("dt", null, "Refresh token"),
        h("dd", { testid: "token-refresh-token" }, refreshTokenLine(token, store.findCredential(name)?.credential)),
      ),
      claims,
    );
    this.tick(Date.now());
  }
}

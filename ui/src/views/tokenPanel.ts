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
import { toastError } from "../ui/toast";

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

  /** Shows `name`'s token (re-fetched), hiding any revealed value. */
  async load(name: string | null): Promise<void> {
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
      try {
        const raw = await api.revealToken(name);
        masked.textContent = raw;
        masked.classList.add("revealed");
        reveal.textContent = "Hide";
      } catch (error) {
        toastError(`Could not reveal ${name}'s token`, error);
      }
    });
    const copy = h("button", { type: "button", class: "ghost", testid: "token-copy" }, "Copy");
    copy.addEventListener("click", () => void busy(copy, "Copying…", () => copyCredentialToken(name)));
    const refresh = h("button", { type: "button", class: "secondary", testid: "refresh-now" }, "Refresh now");
    refresh.addEventListener("click", () =>
      void busy(refresh, "Refreshing…", async () => {
        const fresh = await refreshCredential(name);
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

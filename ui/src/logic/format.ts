// Formatting for people: durations, countdowns, sizes, clock times.
import type { Credential } from "../bindings/Credential";
import type { StatusState, StatusView, TokenView } from "../pending-types";

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** A duration in the largest two units that matter: "20 s", "4 min 03 s", "2 h 05 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes} min ${pad2(total % 60)} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${pad2(minutes % 60)} min`;
  const days = Math.floor(hours / 24);
  return `${days} d ${hours % 24} h`;
}

/** "expires in 17 s" / "expired 3 s ago" / "expiry unknown". */
export function countdownText(expiresAtMs: number | null, nowMs: number): string {
  if (expiresAtMs === null) return "expiry unknown";
  const left = expiresAtMs - nowMs;
  if (left > 0) return `expires in ${formatDuration(left + 999)}`;
  return `expired ${formatDuration(-left)} ago`;
}

export type Tone = "ok" | "warn" | "error" | "muted";

/** The status a credential has *now*: the shell's line, with a live countdown while it is valid. */
export function liveStatus(status: StatusView, nowMs: number): { state: StatusState; line: string; tone: Tone } {
  let state = status.state;
  let line = status.line;
  if ((state === "valid" || state === "expired") && status.expiresAtMs !== null) {
    const left = status.expiresAtMs - nowMs;
    if (left > 0) {
      state = "valid";
      line = `valid for ${formatDuration(left + 999)}`;
    } else {
      state = "expired";
      line = `expired ${formatDuration(-left)} ago`;
    }
  }
  return { state, line, tone: toneOf(state) };
}

export function toneOf(state: StatusState): Tone {
  switch (state) {
    case "valid":
    case "noAuthentication":
    case "basic":
      return "ok";
    case "unknownExpiry":
    case "expired":
      return "warn";
    case "needsReauthorization":
    case "broken":
      return "error";
    case "notAuthorized":
      return "muted";
  }
}

/** Whether the list should offer (Re-)authorize for a credential in this state. */
export function authorizeLabel(state: StatusState): "Authorize" | "Re-authorize" | null {
  if (state === "noAuthentication" || state === "basic") return null;
  if (state === "notAuthorized") return "Authorize";
  return "Re-authorize";
}

/** Whether a credential in this state needs a person: it cannot be used until authorized (again) or repaired. */
export function needsAction(state: StatusState): boolean {
  return state === "needsReauthorization" || state === "notAuthorized" || state === "broken";
}

/** Whether the list should offer Repair: the credential's keychain entry cannot be read. */
export function offersRepair(state: StatusState): boolean {
  return state === "broken";
}

/** Whether there is a stored token worth asking the shell for. */
export function hasTokenToShow(state: StatusState): boolean {
  return state !== "noAuthentication" && state !== "basic" && state !== "notAuthorized" && state !== "broken";
}

/**
 * Whether new tokens for `credential` can be had without the user, as the
 * keeper does when they expire: client credentials (the client secret), JWT
 * bearer (a newly signed assertion), and password when there is a token
 * endpoint to trade the login at (a token URL, or an issuer to discover one
 * from). Authorization code and device code need the user to sign in again.
 */
export function renewsWithoutUser(credential: Pick<Credential, "protocol" | "tokenUrl" | "issuer">): boolean {
  switch (credential.protocol) {
    case "clientCredentials":
    case "jwtBearer":
      return true;
    case "password":
      return Boolean(credential.tokenUrl || credential.issuer);
    default:
      return false;
  }
}

const MINTED_WITH: Partial<Record<Credential["protocol"], string>> = {
  clientCredentials: "with the client secret",
  jwtBearer: "with a newly signed assertion",
  password: "with the stored login",
};

/** The token panel's "Refresh token" line: whether one is held, and what happens without one. */
export function refreshTokenLine(
  token: Pick<TokenView, "refreshToken" | "refreshRotated">,
  credential: Pick<Credential, "protocol" | "tokenUrl" | "issuer"> | undefined,
): string {
  if (token.refreshToken === "present") {
    const rotated = token.refreshRotated === true ? " · rotated on the last refresh" : token.refreshRotated === false ? " · not rotated" : "";
    return `present${rotated}`;
  }
  if (credential && renewsWithoutUser(credential)) {
    return `not used: new tokens are obtained automatically ${MINTED_WITH[credential.protocol]} when needed`;
  }
  if (credential?.protocol === "authorizationCode" || credential?.protocol === "deviceCode") {
    return "none (a new authorization is needed when the token expires)";
  }
  return "none";
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** UTF-8 length of a string, as a response size. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** 24-hour clock time with seconds, in the local zone: "14:03:07". */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Local date and time: "2026-11-22 14:03:07". */
export function dateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${clockTime(ms)}`;
}

/** A JWT claim value for display: times (exp, iat, nbf, auth_time) as dates as well, when
 *  they are dates a calendar can show (a provider may send 9223372036854775807). */
export function claimValue(name: string, value: unknown): string {
  if (typeof value === "number" && ["exp", "iat", "nbf", "auth_time"].includes(name)) {
    const shown = Number.isFinite(new Date(value * 1000).getTime());
    return shown ? `${value} (${dateTime(value * 1000)})` : `${value} (beyond any calendar date)`;
  }
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Clock time for today's events, "Nov 21 14:03:07" for other days. `today` is `new Date().toDateString()`. */
export function shortTime(ms: number, today: string): string {
  const d = new Date(ms);
  if (d.toDateString() === today) return clockTime(ms);
  return `${MONTHS[d.getMonth()]} ${d.getDate()} ${clockTime(ms)}`;
}

// A credential's client certificate (mutual TLS) as the form shows it. The
// backend checks the certificate and its key belong together when saving
// (crates/core/src/network.rs, ClientIdentity); this only reads the files.

const BEGIN_CERTIFICATE = "-----BEGIN CERTIFICATE-----";

/** How many PEM certificates `pem` holds. */
export function certificateCount(pem: string | null | undefined): number {
  return pem ? pem.split(BEGIN_CERTIFICATE).length - 1 : 0;
}

/** What the form says about the certificate in the definition. */
export function certificateSummary(pem: string | null | undefined): string {
  const count = certificateCount(pem);
  if (count === 0) return "None: calls present no client certificate.";
  return count === 1 ? "A certificate (PEM) is set." : `A certificate with ${count - 1} more in its chain (PEM) is set.`;
}

/** Why a file's text cannot be the certificate or its key, or null when it can. */
export function pemProblem(text: string, kind: "certificate" | "key"): string | null {
  if (kind === "certificate") {
    return text.includes(BEGIN_CERTIFICATE) ? null : "This file holds no PEM certificate (-----BEGIN CERTIFICATE-----).";
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text)) return "This key is encrypted; save it without a passphrase first (openssl pkcs8 -nocrypt).";
  return /-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(text) ? null : "This file holds no PEM private key (-----BEGIN PRIVATE KEY-----).";
}

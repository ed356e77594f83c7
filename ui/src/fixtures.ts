// Shared by the UI's tests: credentials as the shell sends them, and a text
// selection made as a person would drag one.
import type { CredentialView } from "./bindings/CredentialView";
import type { StatusView } from "./bindings/StatusView";

export const validStatus = (): StatusView => ({ state: "valid", line: "valid", expiresAtMs: Date.now() + 600_000, reason: null });

/** A client-credentials credential named `name`, as the shell lists it. */
export function credentialView(name: string, status: StatusView = validStatus(), sandbox = false): CredentialView {
  return {
    protocolLabel: "Client credentials",
    credential: {
      name,
      endpoint: `https://${name.toLowerCase()}.example.com`,
      protocol: "clientCredentials",
      clientId: "app",
      clientAuth: "basic",
      scopes: [],
      identityType: "namedPrincipal",
      salesforce: { generateAuthorizationHeader: true, allowMergeFieldsInHeader: false, allowMergeFieldsInBody: false, additionalRefreshStatusCodes: [] },
    } as CredentialView["credential"],
    status,
    sandbox,
    hasClientSecret: true,
    notice: null,
  };
}

/** Selects characters `from` to `to` of the text node `text`, replacing any selection. */
export function selectText(text: Node, from: number, to: number): void {
  const range = document.createRange();
  range.setStart(text, from);
  range.setEnd(text, to);
  document.getSelection()!.removeAllRanges();
  document.getSelection()!.addRange(range);
}

// Example `callout:` URLs for hints. Their Salesforce API version is the one of the
// engine's sample requests (`app_info`'s `salesforceApiVersion`); the UI writes none of
// its own (a test in src-tauri fails if one appears in ui/src).

/** `callout:Sandbox/services/` and `path`, or an ellipsis until the version is known. */
const example = (version: string | null, path: (version: string) => string): string =>
  `callout:Sandbox/services/${version ? path(version) : "…"}`;

/** The REST query URL at `version`, with `query` as its `q`. */
export const restQueryExample = (version: string | null, query = "…"): string =>
  example(version, (v) => `data/v${v}/query?q=${query}`);

/** The partner SOAP URL at `version`. */
export const soapExample = (version: string | null): string => example(version, (v) => `Soap/u/${v}`);

// Company networks in Settings: an extra CA file, a proxy, hosts reached
// without it. The backend checks the same (crates/core/src/network.rs) and
// reads the CA file when saving; this only catches what is plainly wrong.

export interface NetworkSettings {
  extraCaFile: string | null;
  proxyUrl: string | null;
  noProxy: string[];
}

/** A comma- or space-separated host list, as NO_PROXY has it. */
export function splitHostList(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

/** The network settings from the form's texts, with a message per field that is plainly wrong. */
export function parseNetwork(form: { extraCaFile?: string; proxyUrl?: string; noProxy?: string }): {
  network: NetworkSettings;
  problems: Record<string, string>;
} {
  const problems: Record<string, string> = {};
  const caFile = (form.extraCaFile ?? "").trim();
  const proxy = (form.proxyUrl ?? "").trim();
  if (proxy !== "") {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(proxy)?.[1]?.toLowerCase();
    if (scheme !== undefined && scheme !== "http" && scheme !== "https") {
      problems.proxyUrl = "Only HTTP proxies are supported: write it as http://host:port.";
    } else if (/\s/.test(proxy) || proxy.replace(/^[a-z]+:\/\//i, "").replace(/^[^@]*@/, "") === "") {
      problems.proxyUrl = "Write the proxy as http://host:port.";
    }
  }
  return {
    network: { extraCaFile: caFile === "" ? null : caFile, proxyUrl: proxy === "" ? null : proxy, noProxy: splitHostList(form.noProxy ?? "") },
    problems,
  };
}

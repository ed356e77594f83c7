import { describe, expect, it } from "vitest";
import { parseNetwork, splitHostList } from "./network";

describe("parseNetwork", () => {
  it("leaves empty fields unset and splits the no-proxy list", () => {
    expect(parseNetwork({ extraCaFile: " ", proxyUrl: "", noProxy: " .corp.example, 10.0.0.0/8  intranet " })).toEqual({
      network: { extraCaFile: null, proxyUrl: null, noProxy: [".corp.example", "10.0.0.0/8", "intranet"] },
      problems: {},
    });
  });
  it("keeps a CA file path and a proxy as written", () => {
    expect(parseNetwork({ extraCaFile: "/etc/company/root.pem", proxyUrl: "http://user:pw@proxy.corp:3128" }).network).toEqual({
      extraCaFile: "/etc/company/root.pem",
      proxyUrl: "http://user:pw@proxy.corp:3128",
      noProxy: [],
    });
    expect(parseNetwork({ proxyUrl: "proxy.corp:3128" }).problems).toEqual({});
  });
  it("names a proxy that is not an HTTP proxy", () => {
    expect(parseNetwork({ proxyUrl: "socks5://proxy:1080" }).problems.proxyUrl).toContain("Only HTTP proxies");
    expect(parseNetwork({ proxyUrl: "http://" }).problems.proxyUrl).toBe("Write the proxy as http://host:port.");
    expect(parseNetwork({ proxyUrl: "http://proxy corp" }).problems.proxyUrl).toBe("Write the proxy as http://host:port.");
  });
  it("splits host lists on commas and spaces", () => {
    expect(splitHostList("a,b c,,  d")).toEqual(["a", "b", "c", "d"]);
  });
});

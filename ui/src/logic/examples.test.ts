import { describe, expect, it } from "vitest";
import { restQueryExample, soapExample } from "./examples";

describe("example URLs", () => {
  it("carry the version the engine gave", () => {
    expect(restQueryExample("59.0")).toBe("callout:Sandbox/services/data/v59.0/query?q=…");
    expect(restQueryExample("61.0", "SELECT+Id+FROM+Account")).toBe("callout:Sandbox/services/data/v61.0/query?q=SELECT+Id+FROM+Account");
    expect(soapExample("59.0")).toBe("callout:Sandbox/services/Soap/u/59.0");
  });

  it("show no version before the engine answered", () => {
    expect(restQueryExample(null)).toBe("callout:Sandbox/services/…");
    expect(soapExample(null)).toBe("callout:Sandbox/services/…");
  });
});

import { describe, expect, it } from "vitest";
import { certificateCount, certificateSummary, pemProblem } from "./clientCertificate";

const cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("client certificates in the form", () => {
  it("counts the certificates of a chain", () => {
    expect(certificateCount(null)).toBe(0);
    expect(certificateCount(cert + cert)).toBe(2);
    expect(certificateSummary(undefined)).toBe("None: calls present no client certificate.");
    expect(certificateSummary(cert)).toBe("A certificate (PEM) is set.");
    expect(certificateSummary(cert + cert + cert)).toBe("A certificate with 2 more in its chain (PEM) is set.");
  });
  it("names a file that is not what the field needs", () => {
    expect(pemProblem(cert, "certificate")).toBeNull();
    expect(pemProblem("binary", "certificate")).toContain("no PEM certificate");
    expect(pemProblem("-----BEGIN PRIVATE KEY-----\n", "key")).toBeNull();
    expect(pemProblem("-----BEGIN EC PRIVATE KEY-----\n", "key")).toBeNull();
    expect(pemProblem("-----BEGIN ENCRYPTED PRIVATE KEY-----\n", "key")).toContain("encrypted");
    expect(pemProblem(cert, "key")).toContain("no PEM private key");
  });
});

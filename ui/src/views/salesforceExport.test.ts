// @vitest-environment happy-dom
// Out to Salesforce: a credential's metadata written into a project folder
// (the files, replaced ones marked, the notes, or core's reason), and a kept
// send's responses as an Apex HttpCalloutMock with its class name and "final
// response only" passed to the shell, copied, or core's reason.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MetadataExport } from "../bindings/MetadataExport";
import { DEFAULT_MOCK_CLASS, apexMockDialog, exportMetadataDialog, writtenLines } from "./salesforceExport";

type Call = { cmd: string; args: Record<string, unknown> };
let calls: Call[];
let failing: Record<string, unknown>;

const EXPORTED: MetadataExport = {
  root: "/home/you/app",
  files: ["force-app/main/default/namedCredentials/Acme.namedCredential-meta.xml", "force-app/main/default/authproviders/Acme.authprovider-meta.xml"],
  replaced: ["force-app/main/default/authproviders/Acme.authprovider-meta.xml"],
  notes: ["The client secret is not written: enter it in Setup."],
};

beforeEach(() => {
  calls = [];
  failing = {};
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    if (cmd in failing) throw failing[cmd];
    if (cmd === "export_credential_metadata") return EXPORTED;
    if (cmd === "apex_mock") return `public class ${a.className as string} implements HttpCalloutMock { /* ${a.finalOnly ? "final" : "all"} */ }`;
    return null;
  });
});

afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

const q = <T extends HTMLElement = HTMLElement>(testid: string): T => {
  const found = document.querySelector<T>(`[data-testid="${testid}"]`);
  if (!found) throw new Error(`no ${testid}`);
  return found;
};

describe("a credential as Salesforce metadata", () => {
  it("marks the files that were replaced", () => {
    expect(writtenLines(EXPORTED)).toEqual([
      "force-app/main/default/namedCredentials/Acme.namedCredential-meta.xml",
      "force-app/main/default/authproviders/Acme.authprovider-meta.xml (replaced)",
    ]);
  });

  it("writes into the folder given and lists the files and notes", async () => {
    void exportMetadataDialog("Acme");
    const out = q<HTMLInputElement>("metadata-out");
    out.value = " /home/you/app ";
    q("metadata-export").click();
    await vi.waitFor(() => q("metadata-files"));
    expect(calls).toEqual([{ cmd: "export_credential_metadata", args: { name: "Acme", out: "/home/you/app" } }]);
    expect([...q("metadata-files").querySelectorAll("li")].map((li) => li.textContent)).toEqual(writtenLines(EXPORTED));
    expect(q("metadata-notes").textContent).toContain("The client secret is not written");
  });

  it("asks for the folder first, and says core's reason when it cannot write", async () => {
    void exportMetadataDialog("Acme");
    q("metadata-export").click();
    expect(q("metadata-problem").textContent).toBe("Give the project's folder.");
    expect(calls).toEqual([]);
    failing.export_credential_metadata = { kind: "storage", message: "cannot create /root/x: permission denied" };
    q<HTMLInputElement>("metadata-out").value = "/root/x";
    q("metadata-export").click();
    await vi.waitFor(() => expect(q("metadata-problem").textContent).toBe("Not exported: cannot create /root/x: permission denied"));
    expect(document.querySelector('[data-testid="metadata-files"]')).toBeNull();
  });
});

describe("an Apex mock of kept sends", () => {
  it("is every attempt under the default class name, then final only or renamed as asked", async () => {
    void apexMockDialog([7], "Apex mock");
    const area = q<HTMLTextAreaElement>("apex-mock-text");
    await vi.waitFor(() => expect(area.value).toContain(`class ${DEFAULT_MOCK_CLASS} implements`));
    expect(calls[0]).toEqual({ cmd: "apex_mock", args: { ids: [7], className: "RecordedCalloutMock", finalOnly: false } });
    expect(area.value).toContain("/* all */");

    const finalOnly = q<HTMLInputElement>("apex-mock-final");
    finalOnly.checked = true;
    finalOnly.dispatchEvent(new Event("change"));
    await vi.waitFor(() => expect(area.value).toContain("/* final */"));

    const name = q<HTMLInputElement>("apex-mock-class");
    name.value = "OrdersMock";
    name.dispatchEvent(new Event("input"));
    await vi.waitFor(() => expect(area.value).toContain("class OrdersMock implements"));
    expect(calls.at(-1)!.args).toEqual({ ids: [7], className: "OrdersMock", finalOnly: true });
  });

  it("copies the class", async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    void apexMockDialog([3], "Apex mock");
    const copy = q<HTMLButtonElement>("apex-mock-copy");
    await vi.waitFor(() => expect(copy.disabled).toBe(false));
    copy.click();
    await vi.waitFor(() => expect(copy.textContent).toBe("Copied"));
    expect(writeText).toHaveBeenCalledWith(q<HTMLTextAreaElement>("apex-mock-text").value);
  });

  it("says core's reason when there is nothing to mock", async () => {
    failing.apex_mock = { kind: "import", message: "cannot export the request as an Apex test mock: send 9 got no response" };
    void apexMockDialog([9], "Apex mock");
    await vi.waitFor(() => expect(q("apex-mock-problem").hidden).toBe(false));
    expect(q("apex-mock-problem").textContent).toBe("No mock: cannot export the request as an Apex test mock: send 9 got no response");
    expect(q<HTMLButtonElement>("apex-mock-copy").disabled).toBe(true);
  });
});

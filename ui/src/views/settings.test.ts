// @vitest-environment happy-dom
// Settings that cannot be saved say why in the form, beside what is wrong,
// not in a toast that leaves.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as store from "../store";
import { SettingsView } from "./settings";

const toasts = (): string[] => [...document.querySelectorAll('[data-testid="toast"]')].map((t) => t.textContent ?? "");
let saved: unknown[] = [];

function mount(saveSettings: (settings: unknown) => unknown): SettingsView {
  saved = [];
  mockIPC((cmd, args) => {
    if (cmd === "save_settings") {
      saved.push((args as { settings: unknown }).settings);
      return saveSettings((args as { settings: unknown }).settings);
    }
    if (cmd === "app_info") return { product: "Callout Lab", version: "0.1.0", keychainBackend: "Secret Service", salesforceApiVersion: "59.0" };
    return null;
  });
  const view = new SettingsView();
  document.body.append(view.element);
  return view;
}

function submit(view: SettingsView, values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) view.element.querySelector<HTMLInputElement>(`[name="${name}"]`)!.value = value;
  view.element.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
}

beforeEach(() => {
  document.body.replaceChildren();
  store.settings.set({ clipboardClearSeconds: 30, keepAliveDefaultSeconds: null, keeperMarginSeconds: 60, theme: "system", extraCaFile: null, proxyUrl: null, noProxy: [], historyKeepCount: 5000, historyKeepDays: 30 });
});
afterEach(() => clearMocks());

describe("saving settings", () => {
  it("marks a field that is not valid, focuses it, and says under Save why nothing was saved", async () => {
    const view = mount((s) => s);
    submit(view, { clipboardClearSeconds: "soon" });
    const input = view.element.querySelector<HTMLInputElement>('[name="clipboardClearSeconds"]')!;
    await expect.poll(() => input.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(input);
    expect(view.element.querySelector('[data-problems="clipboardClearSeconds"]')!.textContent).toContain("Enter a whole number of seconds");
    expect(view.element.querySelector('[data-testid="settings-problem"]')!.textContent).toBe("Not saved: fix the marked field first.");
    expect(saved).toEqual([]);
    expect(toasts()).toEqual([]);
  });

  it("says in the form when the shell refuses, and clears it once saved", async () => {
    let refuse = true;
    const view = mount((s) => {
      if (refuse) throw { kind: "io", message: "settings.json is read-only" };
      return s;
    });
    submit(view, {});
    const problem = (): string => view.element.querySelector('[data-testid="settings-problem"]')!.textContent!;
    await expect.poll(problem).toBe("Could not save the settings: settings.json is read-only");
    expect(toasts().filter((t) => t.includes("Could not save"))).toEqual([]);

    refuse = false;
    submit(view, {});
    await expect.poll(() => saved.length).toBe(2);
    await expect.poll(problem).toBe("");
  });

  it("saves the company network fields: the CA file, the proxy and the no-proxy list", async () => {
    const view = mount((s) => s);
    submit(view, { extraCaFile: " /etc/company/root.pem ", proxyUrl: "http://proxy.corp:3128", noProxy: ".corp.example, 10.0.0.0/8" });
    await expect.poll(() => saved.length).toBe(1);
    expect(saved[0]).toMatchObject({ extraCaFile: "/etc/company/root.pem", proxyUrl: "http://proxy.corp:3128", noProxy: [".corp.example", "10.0.0.0/8"] });
    expect(view.element.querySelector<HTMLInputElement>('[name="noProxy"]')!.value).toBe(".corp.example, 10.0.0.0/8");
  });

  it("marks a proxy that is not an HTTP proxy and saves nothing", async () => {
    const view = mount((s) => s);
    submit(view, { proxyUrl: "socks5://proxy:1080" });
    const input = view.element.querySelector<HTMLInputElement>('[name="proxyUrl"]')!;
    await expect.poll(() => input.getAttribute("aria-invalid")).toBe("true");
    expect(view.element.querySelector('[data-problems="proxyUrl"]')!.textContent).toContain("Only HTTP proxies");
    expect(saved).toEqual([]);
  });
});

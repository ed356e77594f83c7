// @vitest-environment happy-dom
// The subscription module over Tauri's own event code (`listen`, `emit`), with
// the IPC underneath played by Tauri's test mocks.
import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CredentialView } from "./bindings/CredentialView";
import { credentialView } from "./fixtures";
import { listenedEvents, subscribe, type ShellEvents } from "./shellEvents";

/** The shell's listeners registered with Tauri now. */
const tauriListeners = (): number => (window as unknown as { __TAURI_INTERNALS__: { callbacks: Map<number, unknown> } }).__TAURI_INTERNALS__.callbacks.size;

beforeEach(() => mockIPC(() => null, { shouldMockEvents: true }));
afterEach(() => clearMocks());

describe("subscribe", () => {
  it("hands each subscriber the payload of its own event, typed", async () => {
    const lists: CredentialView[][] = [];
    const appended: ShellEvents["timeline-appended"][] = [];
    const stops = [
      subscribe("credentials-changed", (list) => lists.push(list)),
      subscribe("timeline-appended", (payload) => appended.push(payload)),
    ];
    await Promise.all(stops.map((stop) => stop.ready));

    await emit("credentials-changed", [credentialView("Sandbox")]);
    await emit("timeline-appended", { credential: "Sandbox" });
    await emit("keeper-ran", []);

    expect(lists.map((list) => list.map((c) => c.credential.name))).toEqual([["Sandbox"]]);
    expect(appended).toEqual([{ credential: "Sandbox" }]);
    stops.forEach((stop) => stop());
  });

  it("listens once per event however many subscribe, and stops when the last one leaves", async () => {
    const seen: string[] = [];
    const first = subscribe("timeline-appended", ({ credential }) => seen.push(`first ${credential}`));
    const second = subscribe("timeline-appended", ({ credential }) => seen.push(`second ${credential}`));
    await Promise.all([first.ready, second.ready]);
    expect(tauriListeners()).toBe(1);
    expect(listenedEvents()).toEqual(["timeline-appended"]);

    await emit("timeline-appended", { credential: "A" });
    first();
    await emit("timeline-appended", { credential: "B" });
    expect(seen).toEqual(["first A", "second A", "second B"]);

    second();
    await second.ready;
    await Promise.resolve();
    expect(listenedEvents()).toEqual([]);
    expect(tauriListeners()).toBe(0);
    await emit("timeline-appended", { credential: "C" });
    expect(seen).toHaveLength(3);
  });

  it("keeps delivering to the others when one subscriber throws", async () => {
    const reported: unknown[] = [];
    const onError = (event: ErrorEvent): void => {
      event.preventDefault();
      reported.push(event.error);
    };
    window.addEventListener("error", onError);
    const seen: string[] = [];
    const failing = subscribe("navigate", () => {
      throw new Error("a broken view");
    });
    const working = subscribe("navigate", ({ view }) => seen.push(view));
    await Promise.all([failing.ready, working.ready]);

    await emit("navigate", { view: "timeline", credential: null });

    expect(seen).toEqual(["timeline"]);
    expect(String(reported[0])).toContain("a broken view");
    window.removeEventListener("error", onError);
    failing();
    working();
  });

  it("subscribes again after everyone left", async () => {
    const stop = subscribe("clipboard-checked", () => undefined);
    await stop.ready;
    stop();
    const seen: boolean[] = [];
    const again = subscribe("clipboard-checked", ({ cleared }) => seen.push(cleared));
    await again.ready;
    await emit("clipboard-checked", { fingerprint: "sha256:ab", cleared: true });
    expect(seen).toEqual([true]);
    again();
  });
});

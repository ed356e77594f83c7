// The app shell: the views (views/registry.ts) behind the left nav, the theme,
// the shell events that feed the app-wide state, the one-second clock.
import * as api from "./api";
import { progressFromEvent } from "./actions";
import { subscribe } from "./shellEvents";
import * as store from "./store";
import type { UiSession } from "./bindings/UiSession";
import { debounce } from "./ui/dom";
import { installNavigation, type Navigation } from "./ui/navigation";
import { followTheme } from "./ui/theme";
import { toast, toastError, toaster } from "./ui/toast";
import { Guide } from "./views/guide";
import { VIEWS } from "./views/registry";

async function start(): Promise<void> {
  if (import.meta.env.DEV && !("__TAURI_INTERNALS__" in window)) {
    await import("./dev/mockShell");
  }
  followTheme();
  // A toast belongs to the view it was raised in (app-wide ones say so).
  toaster().followView(store.view);
  // Closed to the tray, the window was destroyed: this one opens where it was.
  const session = await api.uiSession().catch(() => null);
  store.restoreSession(session);
  if (session && VIEWS.some((entry) => entry.id === session.view)) store.view.set(session.view);
  if (session?.selectedCredential) store.selectedCredential.set(session.selectedCredential);

  const guide = new Guide();
  const navigation = installNavigation(
    VIEWS,
    {
      nav: document.getElementById("nav-items")!,
      main: document.getElementById("main")!,
      foot: document.getElementById("sidebar-foot"),
      guide: guide.element,
    },
    store.view,
  );

  keepSession(navigation, document.getElementById("main")!, session?.scrollTop ?? 0);

  // Shell events that change app-wide state; views subscribe to the rest themselves.
  subscribe("credentials-changed", (list) => {
    store.credentials.set(list);
    store.credentialsLoaded.set(true);
  });
  subscribe("authorize-progress", progressFromEvent);
  const warned = new Set<string>();
  subscribe("keeper-ran", (decisions) => {
    for (const d of decisions) {
      const key = `${d.credential}\n${d.reason}`;
      if (d.action === "warn" && !warned.has(key)) {
        warned.add(key);
        toast(`${d.credential}: ${d.reason}`, "info", undefined, { scope: "app" });
      }
    }
  });

  // One clock for every countdown.
  setInterval(() => {
    navigation.tick(Date.now());
    guide.tick();
  }, 1000);

  // Initial data.
  void api
    .appInfo()
    .then((info) => {
      document.querySelector('[data-testid="app-version"]')!.textContent = `v${info.version}`;
      document.querySelector('[data-testid="keychain-backend"]')!.textContent = info.keychainBackend;
      store.salesforceApiVersion.set(info.salesforceApiVersion);
    })
    .catch((error) => toastError("Could not read the app's version", error, undefined, { scope: "app" }));
  void api
    .getSettings()
    .then((s) => store.settings.set(s))
    .catch(() => undefined);
  try {
    const list = await store.reloadCredentials();
    if (!store.selectedCredential.value && list.length) {
      store.selectedCredential.set((list.find((c) => c.sandbox) ?? list[0]).credential.name);
    }
  } catch (error) {
    store.credentialsLoaded.set(true);
    toastError("Could not load the credentials", error, undefined, { scope: "app" });
  }
  void guide.load();
}

/**
 * Tells the shell where the window is (view, selected credential, open draft,
 * scroll) a moment after each change and as the page goes, so a window built
 * after this one is closed to the tray opens there; scrolls the shown view back
 * to `scrollTop` once its content is tall enough (or the user scrolls first).
 */
function keepSession(navigation: Navigation, main: HTMLElement, scrollTop: number): void {
  const shown = (): HTMLElement | undefined => navigation.views.get(store.view.value)?.element;
  let restoring: number | null = scrollTop > 0 ? scrollTop : null;
  const save = debounce(() => {
    const session: UiSession = {
      view: store.view.value,
      selectedCredential: store.selectedCredential.value,
      editor: store.openRequest.value,
      scrollTop: Math.max(0, Math.round(restoring ?? shown()?.scrollTop ?? 0)),
    };
    api.rememberUiSession(session).catch(() => undefined);
  }, 250);
  for (const signal of [store.view, store.selectedCredential, store.openRequest]) signal.subscribe(save);
  store.view.subscribe(() => (restoring = null));
  main.addEventListener("scroll", save, { capture: true, passive: true });
  window.addEventListener("pagehide", () => save.flush());
  window.addEventListener("beforeunload", () => save.flush());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save.flush();
  });
  if (restoring === null) return;
  const stop = (): void => {
    restoring = null;
  };
  for (const kind of ["wheel", "keydown", "pointerdown", "touchstart"]) window.addEventListener(kind, stop, { once: true, capture: true, passive: true });
  const deadline = Date.now() + 5000;
  setTimeout(stop, 5000);
  const step = (): void => {
    const element = shown();
    if (restoring === null || !element) return;
    element.scrollTop = restoring;
    if (Math.abs(element.scrollTop - restoring) <= 1 || Date.now() > deadline) {
      restoring = null;
      save();
      return;
    }
    requestAnimationFrame(step);
  };
  step();
}

// About the whole window: these stay when the user changes views.
const app = { scope: "app" } as const;
window.addEventListener("error", (event) => toast(`Something went wrong in the window: ${event.message}`, "error", undefined, app));
window.addEventListener("unhandledrejection", (event) => toastError("Something went wrong in the window", event.reason, undefined, app));
start().catch((error) => toastError("Callout Lab could not start its window", error, undefined, app));

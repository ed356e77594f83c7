// The app shell: left nav, views, theme, shell events, the one-second clock.
import * as api from "./api";
import { progressFromEvent } from "./actions";
import { resolveTheme } from "./logic/theme";
import { subscribe } from "./shellEvents";
import type { Theme, View } from "./pending-types";
import * as store from "./store";
import { h } from "./ui/dom";
import { toast, toastError } from "./ui/toast";
import { CredentialsView } from "./views/credentials";
import { EditorView } from "./views/editor";
import { Guide } from "./views/guide";
import { SettingsView } from "./views/settings";
import { TimelineView } from "./views/timeline";

const NAV: { view: View; label: string; icon: string }[] = [
  { view: "credentials", label: "Credentials", icon: "M7 11V7a5 5 0 0 1 10 0v4M5 11h14v10H5z" },
  { view: "editor", label: "Request editor", icon: "M4 6h16M4 12h10M4 18h13M18 15l3 3-3 3" },
  { view: "timeline", label: "Timeline", icon: "M3 12h18M7 8v8M12 5v14M17 9v6" },
  { view: "settings", label: "Settings", icon: "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM12 2v3M12 19v3M2 12h3M19 12h3M5 5l2 2M17 17l2 2M5 19l2-2M17 7l2-2" },
];

function icon(path: string): SVGSVGElement {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.classList.add("nav-icon");
  const p = document.createElementNS("http://www.w3.org/2000/svg", "path");
  p.setAttribute("d", path);
  svg.append(p);
  return svg;
}

const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");
let timelineView: TimelineView | null = null;
function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = resolveTheme(theme, darkQuery.matches);
  timelineView?.themeChanged();
}

async function start(): Promise<void> {
  if (import.meta.env.DEV && !("__TAURI_INTERNALS__" in window)) {
    await import("./dev/mockShell");
  }
  applyTheme("system");
  darkQuery.addEventListener("change", () => applyTheme(store.settings.value.theme));

  const main = document.getElementById("main")!;
  const navItems = document.getElementById("nav-items")!;

  const credentials = new CredentialsView();
  const editor = new EditorView();
  const timeline = (timelineView = new TimelineView());
  const settings = new SettingsView((theme) => applyTheme(theme));
  const openSoapSample = (send: boolean): void => {
    store.view.set("editor");
    const sample = editor.requests.find((r) => r.sample && /soap/i.test(r.name));
    if (!sample) {
      toast("The SOAP sample request is missing; add a request to callout:Sandbox/services/Soap/u/60.0.", "error");
      return;
    }
    store.editorRequests.set({ openName: sample.name, send });
  };
  const guide = new Guide(openSoapSample);
  const views: Record<View, HTMLElement> = {
    credentials: credentials.element,
    editor: editor.element,
    timeline: timeline.element,
    settings: settings.element,
  };
  main.append(guide.element, ...Object.values(views));

  const badges = new Map<View, HTMLElement>();
  const buttons = new Map<View, HTMLButtonElement>();
  NAV.forEach((item, i) => {
    const badge = h("span", { class: "nav-badge", hidden: true });
    badges.set(item.view, badge);
    const button = h(
      "button",
      { type: "button", class: "nav-item", testid: `nav-${item.view}`, title: `${item.label} (Ctrl+${i + 1})` },
      icon(item.icon),
      h("span", { class: "nav-label" }, item.label),
      badge,
    );
    button.addEventListener("click", () => store.view.set(item.view));
    buttons.set(item.view, button);
    navItems.append(button);
  });

  const showView = (): void => {
    const current = store.view.value;
    for (const [view, element] of Object.entries(views) as [View, HTMLElement][]) element.hidden = view !== current;
    for (const [view, button] of buttons) {
      button.classList.toggle("active", view === current);
      if (view === current) button.setAttribute("aria-current", "page");
      else button.removeAttribute("aria-current");
    }
    guide.element.classList.toggle("guide-off", !(current === "credentials" || current === "editor"));
    main.dataset.view = current;
    if (current === "timeline") timeline.shown();
  };
  store.view.subscribe(showView);
  showView();

  const updateBadge = (): void => {
    const broken = store.credentials.value.filter((c) => c.status.state === "needsReauthorization").length;
    const badge = badges.get("credentials")!;
    badge.hidden = broken === 0;
    badge.textContent = String(broken);
    badge.title = `${broken} credential${broken === 1 ? "" : "s"} need${broken === 1 ? "s" : ""} re-authorization`;
  };
  store.credentials.subscribe(updateBadge);
  store.settings.subscribe(() => applyTheme(store.settings.value.theme));

  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && store.view.value === "editor" && !event.defaultPrevented) {
      event.preventDefault();
      void editor.send();
      return;
    }
    if ((event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && /^[1-4]$/.test(event.key)) {
      event.preventDefault();
      store.view.set(NAV[Number(event.key) - 1].view);
      // Keyboard users land in the view they switched to.
      const heading = views[store.view.value].querySelector<HTMLElement>("h1");
      heading?.setAttribute("tabindex", "-1");
      heading?.focus();
    }
  });

  // Shell events.
  subscribe("credentials-changed", (list) => {
    store.credentials.set(list);
    store.credentialsLoaded.set(true);
  });
  subscribe("authorize-progress", progressFromEvent);
  subscribe("timeline-appended", () => store.timelineVersion.set(store.timelineVersion.value + 1));
  const warned = new Set<string>();
  subscribe("keeper-ran", (decisions) => {
    for (const d of decisions) {
      const key = `${d.credential}\n${d.reason}`;
      if (d.action === "warn" && !warned.has(key)) {
        warned.add(key);
        toast(`${d.credential}: ${d.reason}`, "info");
      }
    }
  });
  subscribe("navigate", ({ view, credential }) => {
    store.view.set(view);
    if (credential) store.selectedCredential.set(credential);
  });

  // One clock for every countdown.
  setInterval(() => {
    const now = Date.now();
    credentials.tick(now);
    guide.tick();
    timeline.tick(now);
  }, 1000);

  // Initial data.
  void api
    .appInfo()
    .then((info) => {
      document.querySelector('[data-testid="app-version"]')!.textContent = `v${info.version}`;
      document.querySelector('[data-testid="keychain-backend"]')!.textContent = info.keychainBackend;
      settings.setAbout(`${info.product} v${info.version} · secrets in ${info.keychainBackend}`);
    })
    .catch((error) => toastError("Could not read the app's version", error));
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
    toastError("Could not load the credentials", error);
  }
  void editor.refresh();
  void guide.load();
}

window.addEventListener("error", (event) => toast(`Something went wrong in the window: ${event.message}`, "error"));
window.addEventListener("unhandledrejection", (event) => toastError("Something went wrong in the window", event.reason));
start().catch((error) => toastError("Callout Lab could not start its window", error));

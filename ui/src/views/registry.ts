// The views of the window, in nav order: adding a view is adding an entry here
// (its id, nav label and icon, Ctrl shortcut, and how it mounts with its
// hooks); the nav, the shortcuts and the shell's `navigate` event read this
// list (ui/navigation.ts).
import type { View } from "../bindings/View";
import * as store from "../store";
import type { ViewEntry } from "../ui/navigation";
import { CredentialsView } from "./credentials";
import { EditorView } from "./editor";
import { RulesView } from "./rules";
import { SettingsView } from "./settings";
import { TimelineView } from "./timeline";

export const VIEWS = [
  {
    id: "credentials",
    label: "Credentials",
    icon: "M7 11V7a5 5 0 0 1 10 0v4M5 11h14v10H5z",
    shortcut: "1",
    withGuide: true,
    mount: () => {
      const view = new CredentialsView();
      return {
        element: view.element,
        tick: (now: number) => view.tick(now),
        navigated: ({ credential }) => {
          if (credential) store.selectedCredential.set(credential);
        },
        badge: (show) => {
          const update = (): void => {
            const broken = store.credentials.value.filter((c) => c.status.state === "needsReauthorization").length;
            show(broken, `${broken} credential${broken === 1 ? "" : "s"} need${broken === 1 ? "s" : ""} re-authorization`);
          };
          store.credentials.subscribe(update);
          update();
        },
      };
    },
  },
  {
    id: "editor",
    label: "Request editor",
    icon: "M4 6h16M4 12h10M4 18h13M18 15l3 3-3 3",
    shortcut: "2",
    withGuide: true,
    mount: () => {
      const view = new EditorView();
      void view.refresh();
      return {
        element: view.element,
        key: (event: KeyboardEvent) => {
          // Ctrl+Enter sends from anywhere in the window, not only from inside the editor.
          if (!((event.ctrlKey || event.metaKey) && event.key === "Enter")) return false;
          event.preventDefault();
          void view.send();
          return true;
        },
      };
    },
  },
  {
    id: "timeline",
    label: "Timeline",
    icon: "M3 12h18M7 8v8M12 5v14M17 9v6",
    shortcut: "3",
    mount: () => {
      const view = new TimelineView();
      return { element: view.element, tick: (now: number) => view.tick(now), shown: () => view.shown() };
    },
  },
  {
    id: "settings",
    label: "Settings",
    icon: "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM12 2v3M12 19v3M2 12h3M19 12h3M5 5l2 2M17 17l2 2M5 19l2-2M17 7l2-2",
    shortcut: "4",
    mount: () => ({ element: new SettingsView().element }),
  },
  {
    id: "rules",
    label: "Expiry rules",
    icon: "M9 11l3 3 8-8M20 12v7a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h9",
    shortcut: "5",
    mount: () => {
      const view = new RulesView();
      return { element: view.element, shown: () => view.shown() };
    },
  },
] as const satisfies readonly ViewEntry[];

/** The ids of the registry's views. */
export type ViewId = (typeof VIEWS)[number]["id"];

type Unlisted = Exclude<View, ViewId>;
/** Compiles only while every view the shell can navigate to (Rust's `View`) has an entry. */
export const EVERY_SHELL_VIEW_LISTED: [Unlisted] extends [never] ? true : Unlisted = true;

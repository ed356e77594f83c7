// The theme on the page: Settings' choice, or the OS preference when it says
// "system"; views that paint with the theme's colours (the timeline's canvas)
// hear when it changes.
import { resolveTheme } from "../logic/theme";
import type { Theme } from "../pending-types";
import * as store from "../store";

const listeners = new Set<() => void>();
const darkQuery = (): MediaQueryList => window.matchMedia("(prefers-color-scheme: dark)");

/** Shows `theme` (a preview from Settings, or the saved one). */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = resolveTheme(theme, darkQuery().matches);
  for (const listener of listeners) listener();
}

/** Calls `listener` after every theme change. */
export function onThemeApplied(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Applies the saved theme now and whenever Settings or the OS preference changes. */
export function followTheme(): void {
  const apply = (): void => applyTheme(store.settings.value.theme);
  darkQuery().addEventListener("change", apply);
  store.settings.subscribe(apply);
  apply();
}

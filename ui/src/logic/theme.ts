// Theme: the OS preference unless Settings overrides it.
import type { Settings, Theme } from "../pending-types";
import { parseNetwork } from "./network";

export function resolveTheme(setting: Theme, prefersDark: boolean): "light" | "dark" {
  if (setting === "system") return prefersDark ? "dark" : "light";
  return setting;
}

export const DEFAULT_SETTINGS: Settings = {
  clipboardClearSeconds: 30,
  keepAliveDefaultSeconds: null,
  keeperMarginSeconds: 60,
  theme: "system",
  extraCaFile: null,
  proxyUrl: null,
  noProxy: [],
};

/**
 * The ranges the backend accepts (`Settings::validate` in
 * crates/core/src/settings.rs): a copied token is cleared after 1 s to an
 * hour, a keep-alive is at least 1 s, the keeper margin at most a day.
 */
export const MAX_CLIPBOARD_CLEAR_SECONDS = 3_600;
export const MAX_KEEPER_MARGIN_SECONDS = 86_400;

const THEMES: readonly Theme[] = ["system", "light", "dark"];

/** Settings from the form's texts, with a message per field the backend would refuse. */
export function parseSettings(form: {
  clipboardClearSeconds: string;
  keepAliveDefaultSeconds: string;
  keeperMarginSeconds: string;
  theme: string;
  extraCaFile?: string;
  proxyUrl?: string;
  noProxy?: string;
}): { settings: Settings; problems: Record<string, string> } {
  const { network, problems } = parseNetwork(form);
  const whole = (field: string, text: string, min: number, max = Infinity): number => {
    const n = Number(text.trim());
    if (text.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
      const range = max < Infinity ? ` between ${min} and ${max}` : min > 0 ? ` (at least ${min})` : "";
      problems[field] = `Enter a whole number of seconds${range}.`;
      return NaN;
    }
    return n;
  };
  const keepAlive = form.keepAliveDefaultSeconds.trim() === "" ? null : whole("keepAliveDefaultSeconds", form.keepAliveDefaultSeconds, 1);
  const theme = THEMES.find((known) => known === form.theme);
  if (theme === undefined) problems.theme = "Choose Follow the system, Light or Dark.";
  return {
    settings: {
      clipboardClearSeconds: whole("clipboardClearSeconds", form.clipboardClearSeconds, 1, MAX_CLIPBOARD_CLEAR_SECONDS),
      keepAliveDefaultSeconds: keepAlive,
      keeperMarginSeconds: whole("keeperMarginSeconds", form.keeperMarginSeconds, 0, MAX_KEEPER_MARGIN_SECONDS),
      theme: theme ?? "system",
      ...network,
    },
    problems,
  };
}

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
  historyKeepCount: 5_000,
  historyKeepDays: 30,
};

/**
 * The ranges the backend accepts (`Settings::validate` in
 * crates/core/src/settings.rs): a copied token is cleared after 1 s to an
 * hour, a keep-alive is at least 1 s, the keeper margin at most a day.
 */
export const MAX_CLIPBOARD_CLEAR_SECONDS = 3_600;
export const MAX_KEEPER_MARGIN_SECONDS = 86_400;
/** The history keeps 1 to a million sends, of 1 to 3650 days. */
export const MAX_HISTORY_KEEP_COUNT = 1_000_000;
export const MAX_HISTORY_KEEP_DAYS = 3_650;

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
  historyKeepCount?: string;
  historyKeepDays?: string;
}): { settings: Settings; problems: Record<string, string> } {
  const { network, problems } = parseNetwork(form);
  const whole = (field: string, text: string, min: number, max = Infinity, unit = "seconds"): number => {
    const n = Number(text.trim());
    if (text.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
      const range = max < Infinity ? ` between ${min} and ${max}` : min > 0 ? ` (at least ${min})` : "";
      problems[field] = `Enter a whole number of ${unit}${range}.`;
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
      historyKeepCount:
        form.historyKeepCount === undefined
          ? DEFAULT_SETTINGS.historyKeepCount
          : whole("historyKeepCount", form.historyKeepCount, 1, MAX_HISTORY_KEEP_COUNT, "sends"),
      historyKeepDays:
        form.historyKeepDays === undefined
          ? DEFAULT_SETTINGS.historyKeepDays
          : whole("historyKeepDays", form.historyKeepDays, 1, MAX_HISTORY_KEEP_DAYS, "days"),
    },
    problems,
  };
}

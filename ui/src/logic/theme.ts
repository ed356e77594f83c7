// Theme: the OS preference unless Settings overrides it.
import type { Settings, Theme } from "../pending-types";

export function resolveTheme(setting: Theme, prefersDark: boolean): "light" | "dark" {
  if (setting === "system") return prefersDark ? "dark" : "light";
  return setting;
}

export const DEFAULT_SETTINGS: Settings = {
  clipboardClearSeconds: 30,
  keepAliveDefaultSeconds: null,
  keeperMarginSeconds: 60,
  theme: "system",
};

/** Settings from the form's texts, with a message per field that is not a valid number. */
export function parseSettings(form: {
  clipboardClearSeconds: string;
  keepAliveDefaultSeconds: string;
  keeperMarginSeconds: string;
  theme: string;
}): { settings: Settings; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const whole = (field: string, text: string, min: number): number => {
    const n = Number(text.trim());
    if (text.trim() === "" || !Number.isInteger(n) || n < min) {
      problems[field] = `Enter a whole number of seconds${min > 0 ? ` (at least ${min})` : ""}.`;
      return NaN;
    }
    return n;
  };
  const keepAlive = form.keepAliveDefaultSeconds.trim() === "" ? null : whole("keepAliveDefaultSeconds", form.keepAliveDefaultSeconds, 1);
  const theme: Theme = form.theme === "light" || form.theme === "dark" ? form.theme : "system";
  return {
    settings: {
      clipboardClearSeconds: whole("clipboardClearSeconds", form.clipboardClearSeconds, 0),
      keepAliveDefaultSeconds: keepAlive,
      keeperMarginSeconds: whole("keeperMarginSeconds", form.keeperMarginSeconds, 0),
      theme,
    },
    problems,
  };
}

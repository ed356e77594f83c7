// The clock and timers that timed UI runs on: the window's, or a test's.
// Toasts and the sign-in progress take a `Timers` instead of calling
// setTimeout themselves, so their timing is tested on a fake clock.

export interface Timers {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The window's timers, looked up at each call (so Vitest's fake timers take over). */
export const windowTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

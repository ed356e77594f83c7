// The one way the UI hears about changes in the desktop shell: typed
// subscriptions to the events src-tauri/src/events.rs emits, by the names and
// payload types generated from its list (./bindings/events.ts). Views subscribe
// here; nothing else calls Tauri's `listen`. Each event is listened to once,
// however many subscribers it has, and stops being listened to when the last
// one leaves.
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { ShellEvents } from "./bindings/events";

export type { ShellEvents };
export type ShellEvent = keyof ShellEvents;
export type Handler<K extends ShellEvent> = (payload: ShellEvents[K]) => void;

/** Ends a subscription; `ready` settles once the shell delivers the event to it. */
export type Subscription = (() => void) & { ready: Promise<void> };

interface Channel {
  handlers: Set<(payload: unknown) => void>;
  /** The shell's listener; null when there is no shell to listen to (a plain browser, a test). */
  listening: Promise<UnlistenFn | null>;
}

const channels = new Map<ShellEvent, Channel>();

function open(name: ShellEvent): Channel {
  const handlers = new Set<(payload: unknown) => void>();
  const listening = listen<unknown>(name, (event) => {
    // A copy: a handler may unsubscribe (itself or another) while it runs.
    for (const handler of [...handlers]) {
      try {
        handler(event.payload);
      } catch (error) {
        // One failing view does not keep the event from the others; the
        // window's error handler still hears of it.
        window.dispatchEvent(new ErrorEvent("error", { error, message: error instanceof Error ? error.message : String(error) }));
      }
    }
  }).catch(() => null);
  return { handlers, listening };
}

/** Calls `handler` with the payload of every `name` event until the returned function is called. */
export function subscribe<K extends ShellEvent>(name: K, handler: Handler<K>): Subscription {
  let channel = channels.get(name);
  if (!channel) {
    channel = open(name);
    channels.set(name, channel);
  }
  const own = channel;
  const entry = handler as (payload: unknown) => void;
  own.handlers.add(entry);
  const stop = (): void => {
    own.handlers.delete(entry);
    if (own.handlers.size === 0 && channels.get(name) === own) {
      channels.delete(name);
      // Nothing to undo when the shell is gone (the window closing).
      void own.listening.then((unlisten) => unlisten?.()).catch(() => undefined);
    }
  };
  return Object.assign(stop, { ready: own.listening.then(() => undefined) });
}

/** How many events are listened to now (for tests: none is left behind). */
export const listenedEvents = (): ShellEvent[] => [...channels.keys()];

// Reading the timeline a page at a time (the shell answers at most a page per
// call), and what to say when its file cannot be used.
import type { Event } from "../bindings/Event";
import type { TimelineQuery } from "../bindings/TimelineQuery";
import type { TimelineTrouble } from "../bindings/TimelineTrouble";

/** Events per call: the shell's most (`TIMELINE_PAGE_MAX`). */
export const PAGE_SIZE = 1000;

export interface PageOptions {
  pageSize?: number;
  /** Called after each page with everything read so far, oldest first. */
  onPage?: (events: Event[]) => void;
  /** Checked before each further page: false stops reading (a newer load began). */
  current?: () => boolean;
}

/**
 * Everything `query` selects, oldest first, read newest page first: each call asks
 * for the `pageSize` events before the oldest one read so far, until a page comes
 * back short. Returns null when `current` said stop.
 */
export async function fetchPages(
  fetchPage: (query: TimelineQuery) => Promise<Event[]>,
  query: TimelineQuery,
  options: PageOptions = {},
): Promise<Event[] | null> {
  const pageSize = options.pageSize ?? PAGE_SIZE;
  let events: Event[] = [];
  let before = query.before ?? null;
  for (;;) {
    const page = await fetchPage({ ...query, limit: pageSize, before });
    if (options.current && !options.current()) return null;
    events = page.concat(events);
    if (page.length) options.onPage?.(events);
    if (page.length < pageSize) return events;
    const oldest = page[0];
    if (before && oldest.atMs === before.atMs && oldest.id === before.id) return events;
    before = { atMs: oldest.atMs, id: oldest.id };
  }
}

/** What the Timeline view says when the timeline file cannot be used. */
export function troubleText(trouble: TimelineTrouble): { title: string; detail: string; action: string } {
  const kept = "Sends and tokens work as usual; new events are kept only until the app quits.";
  return trouble.newer
    ? {
        title: "This timeline was written by a newer Callout Lab",
        detail: `${trouble.path}: ${trouble.reason}. ${kept} Update Callout Lab to use it, or move it aside: it is kept, renamed, and a fresh timeline starts.`,
        action: "Move aside",
      }
    : {
        title: "The timeline file cannot be used",
        detail: `${trouble.path}: ${trouble.reason}. ${kept} Move it aside: it is kept, renamed, and a fresh timeline starts.`,
        action: "Move aside",
      };
}

/**
 * Types only: the runtime's events on `document` and its global, declared for the page's own code when it imports
 * bigpipe-js/client, so `document.addEventListener('bigpipe:error', (e) => e.detail.url)` type-checks.
 */
import type { BigPipeGlobal, EVENTS, EventDetail } from '../protocol';

/** The `detail` of each event (PROTOCOL.md §3, item 7), by its name in EVENTS. */
export interface BigPipeEventDetails {
  /** a valid payload arrived: `target` is its target */
  arrive: EventDetail & { target: string };
  /** its HTML is in the document */
  display: EventDetail & { target: string };
  /** `target` as the payload gave it (a bad payload may have none, or not a string), `url` and `error` where they apply */
  error: EventDetail;
  /** once, when the JS phase has finished */
  done: EventDetail;
}

/** Event name to event, for every name in EVENTS (a name added there without a detail here does not compile). */
export type BigPipeEventMap = {
  [K in keyof typeof EVENTS as (typeof EVENTS)[K]]: CustomEvent<BigPipeEventDetails[K]>;
};

declare global {
  interface DocumentEventMap extends BigPipeEventMap {}
  /** The runtime's global (`window.BigPipe`), installed by bigpipe-js/client or the script, or the async stub. */
  var BigPipe: BigPipeGlobal;
}

/**
 * What the render keeps per pagelet (Slot), per timeout (TimeoutGroup), per queued payload (Emitted), what a render
 * function receives (RenderContext), and the one abort listener per shared options.signal.
 */
import type { PageletContent } from './types';
import type { PageletPlan } from './validate';

export type Timer = ReturnType<typeof setTimeout>;

/** Pagelets sharing a timeout share one timer, started with the renders; it stops once none of them waits. */
export interface TimeoutGroup {
  ms: number;
  /** how many of its pagelets still wait for their result (or first item) */
  waiting: number;
  timer?: Timer;
}

/** One pagelet during a render. */
export class Slot {
  /** payloads (no-JS mode: pieces) produced so far */
  sent = 0;
  /** nothing more comes from it: finished or failed */
  done = false;
  /** its result had unknown fields, reported once */
  warned = false;
  /** it failed by its timeout */
  timedOut = false;
  /** a streamed pagelet whose last item is not read yet: its next item is asked for once it is (backpressure) */
  parked = false;
  /** set while waiting for its result or first item under a timeout */
  group: TimeoutGroup | undefined = undefined;
  /** a streamed pagelet's own timer, for each item after the first */
  timer: Timer | undefined = undefined;
  /** a streamed pagelet's iterator while it is being read */
  iterator: AsyncIterator<unknown> | undefined = undefined;
  /** no-JS mode: pieces not read yet */
  queue: Emitted[] | undefined = undefined;
  // The signal is created when render reads it: most renders never do, and an AbortController is ~0.75 KB of heap.
  controller: AbortController | undefined = undefined;
  signal: AbortSignal | undefined = undefined;
  aborted = false;
  reason: unknown = undefined;
  constructor(readonly plan: PageletPlan) {}
}

/** A payload (no-JS mode: a piece) waiting to be read; serialized only then, so a stalled reader holds no copy. */
export interface Emitted {
  slot: Slot;
  content: PageletContent;
  /** its place among the pagelet's payloads: after the first, an append */
  index: number;
  /** it is the pagelet's fallback */
  fallback: boolean;
}

const SLOT = Symbol('slot');

/** What render receives: `signal` is made on first access, already aborted if the pagelet was aborted before. */
export class RenderContext {
  readonly [SLOT]: Slot;
  constructor(slot: Slot) {
    this[SLOT] = slot;
  }
  get signal(): AbortSignal {
    const slot = this[SLOT];
    return (slot.signal ??= slot.aborted
      ? AbortSignal.abort(slot.reason)
      : (slot.controller = new AbortController()).signal);
  }
}

/**
 * One 'abort' listener per options.signal, however many pages share it (a server-wide shutdown signal would
 * otherwise collect one listener per open response, and Node warns past ten).
 */
export const watchers = new WeakMap<AbortSignal, Set<{ handleEvent(): void }>>();
export const watch = (signal: AbortSignal, render: { handleEvent(): void }) => {
  let renders = watchers.get(signal);
  if (!renders) {
    const set = (renders = new Set());
    watchers.set(signal, set);
    signal.addEventListener('abort', () => [...set].forEach((r) => r.handleEvent()), { once: true });
  }
  renders.add(render);
};

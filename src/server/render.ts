/**
 * The render state machine: a page and its pagelets in, string chunks out, in the order they must be written.
 * Pure: no I/O and no Node imports; web.ts and node.ts adapt it to a ReadableStream and a ServerResponse,
 * chunks.ts to an async iterator.
 */
import { FIELDS, type Payload } from '../protocol';
import { END, inlineMarkup, runtimeTags, shellStart } from './markup';
import { nonceAttribute, payloadProblem, payloadScript, placeholder } from './serialize';
import { DEFAULT_PAGELET_TIMEOUT, type Page, type Pagelet, type PageletContent, type RenderOptions } from './types';
import { validate } from './validate';

// setTimeout fires at once for delays above this; longer timeouts mean "no timer".
const MAX_DELAY = 2 ** 31 - 1;
const CONTENT_FIELDS = Object.keys(FIELDS).filter((f) => f !== 'target' && f !== 'total') as (keyof PageletContent)[];

const defaultOnError = (error: unknown, id: string) => console.error(`pagelet "${id}":`, error);
const ignore = () => {};
const isAsyncGeneratorFunction = (f: unknown) => Object.prototype.toString.call(f) === '[object AsyncGeneratorFunction]';
const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';

type Timer = ReturnType<typeof setTimeout>;

/** Pagelets sharing a timeout share one timer, started with the renders; it stops once none of them waits. */
interface TimeoutGroup {
  ms: number;
  /** how many of its pagelets still wait for their result (or first item) */
  waiting: number;
  timer?: Timer;
}

/** One pagelet during a render. */
class Slot {
  /** payloads (inline mode: pieces) produced so far */
  sent = 0;
  /** nothing more comes from it: finished or failed */
  done = false;
  /** set while waiting for its result or first item under a timeout */
  group: TimeoutGroup | undefined = undefined;
  /** a streamed pagelet's own timer, for each item after the first */
  timer: Timer | undefined = undefined;
  /** a streamed pagelet's iterator while it is being read */
  iterator: AsyncIterator<unknown> | undefined = undefined;
  /** inline mode: pieces not read yet */
  queue: string[] | undefined = undefined;
  // The signal is created when render reads it: most renders never do, and an AbortController is ~0.75 KB of heap.
  controller: AbortController | undefined = undefined;
  signal: AbortSignal | undefined = undefined;
  aborted = false;
  reason: unknown = undefined;
  constructor(
    readonly pagelet: Pagelet,
    readonly ms: number,
    readonly streams: boolean,
  ) {}
}

const SLOT = Symbol('slot');

/** What render receives: `signal` is made on first access, already aborted if the pagelet was aborted before. */
class RenderContext {
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
 * A page being rendered, read chunk by chunk: what renderToChunks and the adapters are built on. Pull-based and
 * synchronous where it can be, so an adapter writes every chunk already there without a promise per chunk.
 * @internal not part of the package's API (index.ts does not export it)
 */
export interface PageStream {
  /**
   * The next chunk, `undefined` while none is ready (wait for changed()), `null` once the page is over (finished or
   * cancelled). Throws options.signal's reason once when it aborts the page, then returns null.
   */
  read(): string | null | undefined;
  /** Resolves at the next change: a chunk ready, the end, a cancel. */
  changed(): Promise<void>;
  /** Stops the page: aborts every pending render; a no-op once it is over. */
  cancel(): void;
}

/**
 * Starts rendering a page: validates it (throwing before anything starts), then calls every render at once.
 * One object per page rather than a closure per callback: it is what an open stream costs in memory.
 * @internal see PageStream
 */
export function startRender(page: Page, options: RenderOptions = {}): PageStream {
  return new Render(page, options);
}

class Render implements PageStream {
  private readonly slots: Slot[];
  private readonly inline: boolean;
  private readonly nonce: string;
  private readonly total: number | undefined;
  private readonly onError: NonNullable<RenderOptions['onError']>;
  private readonly signal: AbortSignal | undefined;
  private readonly groups: TimeoutGroup[] = [];
  /** pipeline mode: the chunks ready, read from `head` on */
  private readonly out: string[] = [];
  private head = 0;
  /** inline mode: the document in order, strings and pagelet indexes standing for their pieces */
  private readonly parts: (string | number)[] = [];
  private cursor = 0;
  /** pagelets not done */
  private pending: number;
  private stopped = false;
  private failure: { reason: unknown } | undefined = undefined;
  private waiting: Promise<void> | undefined = undefined;
  private wake: (() => void) | undefined = undefined;

  constructor(page: Page, options: RenderOptions) {
    validate(page, options);
    const { pagelets, body } = page;
    const inline = (this.inline = options.mode === 'inline');
    const nonce = (this.nonce = nonceAttribute(options.nonce));
    this.onError = options.onError ?? defaultOnError;
    this.signal = options.signal;
    this.pending = pagelets.length;

    let streamed = false;
    this.slots = pagelets.map((pagelet) => {
      const streams = pagelet.stream ?? isAsyncGeneratorFunction(pagelet.render);
      streamed ||= streams;
      const ms = pagelet.timeout ?? options.timeout ?? DEFAULT_PAGELET_TIMEOUT;
      const slot = new Slot(pagelet, ms, streams);
      if (ms < MAX_DELAY) {
        let group = this.groups.find((g) => g.ms === ms);
        if (!group) this.groups.push((group = { ms, waiting: 0 }));
        group.waiting++;
        slot.group = group;
      }
      if (inline) slot.queue = [];
      return slot;
    });
    // A streamed pagelet sends an unknown number of payloads: then no payload can say how many the page sends.
    this.total = streamed ? undefined : pagelets.length;

    const head = shellStart + (inline ? '' : runtimeTags(options.runtime, nonce)) + (page.head ?? '') + '</head><body>';
    if (inline) {
      // Each placeholder is split after its opening tag: shell up to there, then the pagelet, then the rest.
      const found = pagelets
        .map((p, i) => {
          const markup = placeholder(p.id);
          const at = body.indexOf(markup);
          return { i, at, end: at + markup.length - '</div>'.length };
        })
        .filter((f) => f.at >= 0)
        .sort((a, b) => a.at - b.at);
      let from = 0;
      let text = head;
      for (const { i, end } of found) {
        this.parts.push(text + body.slice(from, end), i);
        from = end;
        text = '';
      }
      this.parts.push(text + body.slice(from));
      const placed = new Set(found.map((f) => f.i));
      pagelets.forEach((_, i) => placed.has(i) || this.parts.push(i));
      this.parts.push(END);
    } else {
      this.out.push(head + body);
      if (!pagelets.length) this.out.push(END);
    }

    if (this.signal?.aborted) this.handleEvent();
    else this.signal?.addEventListener('abort', this);

    for (const slot of this.slots) {
      if (this.stopped) break;
      let result: unknown;
      try {
        result = slot.pagelet.render(new RenderContext(slot));
      } catch (error) {
        // reported like a rejection: after this returns, never during it
        result = Promise.reject(error);
      }
      // Handlers are attached at once, so a late or post-cancel rejection is never unhandled.
      if (isThenable(result))
        Promise.resolve(result).then(
          (value) => this.accept(slot, value),
          (error) => this.fail(slot, error),
        );
      else this.accept(slot, result);
    }
    for (const group of this.groups)
      if (group.waiting && !this.stopped) group.timer = setTimeout(() => this.expire(group), group.ms);
  }

  read(): string | null | undefined {
    for (;;) {
      if (this.failure) {
        const { reason } = this.failure;
        this.failure = undefined; // thrown once, then over, like a generator
        throw reason;
      }
      if (this.stopped) return null;
      let chunk: string | undefined;
      if (!this.inline) {
        const { out } = this;
        if (this.head === out.length) {
          if (this.pending) return undefined;
          this.stop(undefined);
          return null;
        }
        chunk = out[this.head++]!;
        // Emptied whenever the reader catches up, so written chunks are not kept.
        if (this.head === out.length) out.length = this.head = 0;
      } else {
        const part = this.parts[this.cursor];
        if (part === undefined) {
          this.stop(undefined);
          return null;
        }
        if (typeof part === 'string') {
          this.cursor++;
          chunk = part;
        } else {
          const slot = this.slots[part]!;
          if (slot.queue!.length) chunk = slot.queue!.shift();
          else if (slot.done) this.cursor++;
          else return undefined;
        }
      }
      if (chunk) return chunk; // empty pieces are skipped
    }
  }

  changed(): Promise<void> {
    return (this.waiting ??= new Promise<void>((resolve) => (this.wake = resolve)));
  }

  cancel(): void {
    if (!this.stopped) this.stop(new DOMException('The page was cancelled', 'AbortError'));
  }

  /** options.signal aborted (the render is its listener: no closure needed) */
  handleEvent(): void {
    const { reason } = this.signal!;
    this.failure = { reason };
    this.stop(reason);
  }

  private notify() {
    const wake = this.wake;
    if (wake) {
      this.wake = this.waiting = undefined;
      wake();
    }
  }

  private stop(reason: unknown) {
    if (this.stopped) return;
    this.stopped = true;
    this.signal?.removeEventListener('abort', this);
    for (const group of this.groups) clearTimeout(group.timer);
    for (const slot of this.slots) {
      if (slot.done) continue;
      clearTimeout(slot.timer);
      this.abort(slot, reason);
      this.close(slot);
    }
    this.notify();
  }

  /** A render's result: its content, or the iterable of a streamed pagelet. */
  private accept(slot: Slot, value: unknown) {
    if (this.stopped || slot.done) return;
    if (isAsyncIterable(value)) {
      if (!slot.streams)
        return this.fail(
          slot,
          new TypeError(
            `pagelet ${JSON.stringify(slot.pagelet.id)} returned an async iterable: declare it with stream: true`,
          ),
        );
      try {
        slot.iterator = value[Symbol.asyncIterator]();
      } catch (error) {
        return this.fail(slot, error);
      }
      return this.pull(slot);
    }
    const problem = payloadProblem(value, true);
    if (problem)
      return this.fail(
        slot,
        new TypeError(`pagelet ${JSON.stringify(slot.pagelet.id)} rendered an invalid result: ${problem}`),
      );
    this.emit(slot, value as PageletContent);
    this.finish(slot);
  }

  /** Asks a streamed pagelet's iterator for its next item. */
  private pull(slot: Slot) {
    let next: unknown;
    try {
      next = slot.iterator!.next();
    } catch (error) {
      return this.fail(slot, error);
    }
    Promise.resolve(next).then(
      (result) => this.item(slot, result),
      (error) => this.fail(slot, error),
    );
  }

  private item(slot: Slot, result: unknown) {
    if (this.stopped || slot.done) return;
    const name = () => JSON.stringify(slot.pagelet.id);
    if (typeof result !== 'object' || result === null)
      return this.fail(slot, new TypeError(`pagelet ${name()}: its iterator returned a non-object`));
    const { done, value } = result as IteratorResult<unknown>;
    if (done) {
      slot.iterator = undefined; // finished by itself: no return() to call
      return this.finish(slot);
    }
    const problem = payloadProblem(value, true);
    if (problem) return this.fail(slot, new TypeError(`pagelet ${name()} yielded an invalid item: ${problem}`));
    this.emit(slot, value as PageletContent);
    if (slot.ms < MAX_DELAY) {
      clearTimeout(slot.timer);
      slot.timer = setTimeout(() => this.timeout(slot, ` waiting for item ${slot.sent + 1}`), slot.ms);
    }
    this.pull(slot);
  }

  /** One payload (inline mode: one piece) for the pagelet; after a first one, an append. */
  private emit(slot: Slot, content: PageletContent) {
    this.leave(slot);
    if (this.inline) slot.queue!.push(inlineMarkup(content, this.nonce));
    else {
      // Only the known content fields, so a result cannot override `target` or `total`.
      const payload: Record<string, unknown> = { target: slot.pagelet.id };
      for (const field of CONTENT_FIELDS) {
        const value = field === 'append' && slot.sent ? true : content[field];
        if (value !== undefined) payload[field] = value;
      }
      if (this.total !== undefined) payload.total = this.total;
      this.out.push(payloadScript(payload as unknown as Payload, this.nonce));
    }
    slot.sent++;
    this.notify();
  }

  private fail(slot: Slot, error: unknown) {
    if (this.stopped || slot.done) return;
    this.abort(slot, error);
    this.close(slot);
    try {
      this.onError(error, slot.pagelet.id);
    } catch {
      // a throwing onError must not break the response
    }
    if (this.stopped) return; // onError cancelled the page
    if (!slot.sent) {
      const fallback = slot.pagelet.fallback;
      this.emit(slot, typeof fallback === 'string' ? { html: fallback } : (fallback ?? { html: '' }));
    }
    this.finish(slot);
  }

  private finish(slot: Slot) {
    slot.done = true;
    clearTimeout(slot.timer);
    this.leave(slot);
    if (--this.pending === 0 && !this.inline) this.out.push(END);
    this.notify();
  }

  /** The pagelet no longer waits under its group's timer. */
  private leave(slot: Slot) {
    const group = slot.group;
    if (!group) return;
    slot.group = undefined;
    if (--group.waiting === 0) clearTimeout(group.timer);
  }

  private expire(group: TimeoutGroup) {
    for (const slot of this.slots) if (slot.group === group) this.timeout(slot, '');
  }

  private timeout(slot: Slot, waitingFor: string) {
    const message = `pagelet ${JSON.stringify(slot.pagelet.id)} timed out after ${slot.ms} ms${waitingFor}`;
    this.fail(slot, Object.assign(new Error(message), { name: 'TimeoutError' }));
  }

  private abort(slot: Slot, reason: unknown) {
    if (slot.controller) slot.controller.abort(reason);
    else if (!slot.signal) {
      slot.aborted = true;
      slot.reason = reason;
    }
  }

  /** Stops a streamed pagelet's iteration, as a for-await loop does when it exits early. */
  private close(slot: Slot) {
    const iterator = slot.iterator;
    if (!iterator) return;
    slot.iterator = undefined;
    try {
      Promise.resolve(iterator.return?.()).then(undefined, ignore);
    } catch {
      // an iterator whose return() throws is closed all the same
    }
  }
}

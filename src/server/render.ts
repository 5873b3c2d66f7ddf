/**
 * The render state machine: a page and its pagelets in, string chunks out, in the order they must be written.
 * Pure: no I/O and no Node imports; web.ts and node.ts adapt it to a ReadableStream and a ServerResponse,
 * chunks.ts to an async iterator. Every callback that runs user code is guarded: whatever a render, a result's
 * getter, an iterator or onError throws is that pagelet's failure, never an unhandled rejection.
 */
import { FIELDS, type Payload } from '../protocol';
import { findPlaceholders, inPlaceMarkup, runtimeScripts } from './markup';
import { checkPayload, payloadScript, quoted } from './serialize';
import type { Page, PageletContent, RenderOptions } from './types';
import { RenderContext, Slot, watch, watchers, type Emitted, type TimeoutGroup } from './slot';
import { validate, type PagePlan } from './validate';

// setTimeout fires at once for delays above this; longer timeouts mean "no timer".
export const MAX_DELAY = 2 ** 31 - 1;
const CONTENT_FIELDS = Object.keys(FIELDS).filter((f) => f !== 'target' && f !== 'total') as (keyof PageletContent)[];
const EMPTY: PageletContent = { html: '' };

const defaultOnError = (error: unknown, id: string) => console.error(`pagelet "${id}":`, error);
const ignore = () => {};
const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';

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
  /** the page's writeTimeout, in ms, for the adapter (Infinity: none) */
  readonly writeTimeout: number;
}

/** A checked page whose renders have not started: `start()` starts them and returns the stream. */
export interface PreparedRender {
  start(): PageStream;
  readonly writeTimeout: number;
}

/**
 * Checks a page (throwing before anything starts) without starting its renders, so an adapter can still decide
 * not to (a client already gone, a HEAD request).
 * @internal see PageStream
 */
export function prepareRender(page: Page, options: RenderOptions = {}): PreparedRender {
  const plan = validate(page, options);
  return { start: () => new Render(plan, options), writeTimeout: plan.writeTimeout };
}

/**
 * Starts rendering a page: validates it (throwing before anything starts), then calls every render at once.
 * One object per page rather than a closure per callback: it is what an open stream costs in memory.
 * @internal see PageStream
 */
export function startRender(page: Page, options: RenderOptions = {}): PageStream {
  return new Render(validate(page, options), options);
}

class Render implements PageStream {
  readonly writeTimeout: number;
  /** what follows the last payload: `</body></html>`, or the rest of a page's document */
  private readonly documentEnd: string;
  private readonly slots: Slot[];
  /** the no-JS mode (`mode: 'inline'`): every pagelet rendered in place, in document order */
  private readonly inPlace: boolean;
  private readonly nonce: string;
  private readonly total: number | undefined;
  /** a page with a streamed pagelet: pagelets whose first payload is not written yet (PROTOCOL.md §4.5, live pages) */
  private firstRound: number;
  /** payloads written so far */
  private written = 0;
  private readonly onError: NonNullable<RenderOptions['onError']>;
  private readonly options: RenderOptions;
  private readonly startedAt = performance.now();
  /** chunks handed over so far (the first is the shell) */
  private chunks = 0;
  private readonly signal: AbortSignal | undefined;
  private readonly groups: TimeoutGroup[] = [];
  /** pipeline mode: the chunks ready, read from `head` on */
  private readonly out: (string | Emitted | undefined)[] = [];
  private head = 0;
  /** no-JS mode: the document in order, strings and pagelet indexes standing for their pieces */
  private readonly parts: (string | number)[] = [];
  private cursor = 0;
  /** no-JS mode: a high surrogate that ended the last chunk, sent with the next so a split pair stays whole */
  private carry = '';
  /** pagelets not done */
  private pending: number;
  private stopped = false;
  private failure: { reason: unknown } | undefined = undefined;
  private waiting: Promise<void> | undefined = undefined;
  private wake: (() => void) | undefined = undefined;

  constructor(plan: PagePlan, options: RenderOptions) {
    const { pagelets, body } = plan;
    this.writeTimeout = plan.writeTimeout;
    this.documentEnd = plan.end;
    const inPlace = (this.inPlace = options.mode === 'inline');
    const nonce = (this.nonce = plan.nonce);
    this.onError = options.onError ?? defaultOnError;
    this.options = options;
    this.signal = options.signal;
    this.pending = pagelets.length;

    let streamed = false;
    this.slots = pagelets.map((pagelet) => {
      streamed ||= pagelet.streams;
      const slot = new Slot(pagelet);
      const ms = pagelet.timeout;
      if (ms < MAX_DELAY) {
        let group = this.groups.find((g) => g.ms === ms);
        if (!group) this.groups.push((group = { ms, waiting: 0 }));
        group.waiting++;
        slot.group = group;
      }
      if (inPlace) slot.queue = [];
      return slot;
    });
    // A streamed pagelet sends an unknown number of payloads: then no payload can say how many the page sends.
    this.total = streamed ? undefined : pagelets.length;
    // ...but the payload that completes the first round can say how many have been written: the runtime's JS phase
    // then starts without waiting for the end of a document that may never end
    this.firstRound = streamed && !inPlace ? pagelets.length : 0;

    const head = plan.start + (inPlace ? '' : runtimeScripts(options.runtime, nonce));
    if (inPlace) {
      // Each placeholder is split after its start tag: shell up to there, then the pagelet, then the rest.
      const found = findPlaceholders(body, new Map(pagelets.map((p, i) => [p.id, i])));
      let from = 0;
      let text = head;
      for (const [start, end, i] of found) {
        // the placeholder's own content (a "Loading…" text) gives way to the pagelet's, as in pipeline mode
        this.parts.push(text + body.slice(from, start), i);
        from = end;
        text = '';
      }
      this.parts.push(text + body.slice(from));
      const placed = new Set(found.map(([, , i]) => i));
      pagelets.forEach((_, i) => placed.has(i) || this.parts.push(i));
      this.parts.push(this.documentEnd);
    } else {
      this.out.push(head + body);
      if (!pagelets.length) this.out.push(this.documentEnd);
    }

    if (this.signal?.aborted) this.handleEvent();
    else if (this.signal) watch(this.signal, this);

    for (const slot of this.slots) {
      if (this.stopped) break;
      try {
        const result = slot.plan.render(new RenderContext(slot));
        // Handlers are attached at once, so a late or post-cancel rejection is never unhandled; neither can throw.
        if (isThenable(result))
          Promise.resolve(result).then(
            (value) => this.guard(slot, this.accept, value),
            (error) => this.guard(slot, this.fail, error),
          );
        else this.accept(slot, result);
      } catch (error) {
        // reported like a rejection: after this returns, never during it
        Promise.resolve().then(() => this.guard(slot, this.fail, error));
      }
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
      let chunk = this.next();
      if (chunk === undefined) return undefined;
      if (chunk === null) {
        chunk = this.carry; // a lone high surrogate at the very end stays what it is
        this.carry = '';
        if (chunk) return chunk;
        this.stop(undefined);
        this.hook('onAllReady');
        return null;
      }
      if (!chunk) continue; // empty pieces are skipped
      // Inline mode writes content as it came, piece after piece: a pair split between two pieces is made whole.
      // (In pipeline mode JSON escapes every surrogate, and the markup between payloads is ours.)
      if (this.inPlace) {
        if (this.carry) {
          chunk = this.carry + chunk;
          this.carry = '';
        }
        const last = chunk.charCodeAt(chunk.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          this.carry = chunk[chunk.length - 1]!;
          chunk = chunk.slice(0, -1);
          if (!chunk) continue;
        }
      }
      if (!this.chunks++) queueMicrotask(() => this.hook('onShellReady'));
      return chunk;
    }
  }

  /** A lifecycle hook of the options, if given; what it throws is ignored. */
  private hook<K extends 'onShellReady' | 'onAllReady' | 'onPagelet'>(
    name: K,
    ...args: Parameters<NonNullable<RenderOptions[K]>>
  ) {
    try {
      (this.options[name] as ((...a: unknown[]) => void) | undefined)?.(...args);
    } catch {
      // a throwing hook must not break the response
    }
  }

  changed(): Promise<void> {
    return (this.waiting ??= new Promise<void>((resolve) => (this.wake = resolve)));
  }

  cancel(): void {
    if (!this.stopped) this.stop(new DOMException('The page was cancelled', 'AbortError'));
  }

  /** options.signal aborted */
  handleEvent(): void {
    if (this.stopped) return;
    const { reason } = this.signal!;
    this.failure = { reason };
    this.stop(reason);
  }

  /** The next piece of the document, '' for an empty one, undefined while none is ready, null at the end. */
  private next(): string | null | undefined {
    if (!this.inPlace) {
      const { out } = this;
      if (this.head === out.length) return this.pending ? undefined : null;
      const entry = out[this.head]!;
      out[this.head++] = undefined;
      // Emptied whenever the reader catches up, so written chunks are not kept.
      if (this.head === out.length) out.length = this.head = 0;
      return typeof entry === 'string' ? entry : this.serialize(entry);
    }
    const part = this.parts[this.cursor];
    if (part === undefined) return null;
    if (typeof part === 'string') {
      this.cursor++;
      return part;
    }
    const slot = this.slots[part]!;
    if (slot.queue!.length) return this.serialize(slot.queue!.shift()!);
    if (!slot.done) return undefined;
    this.cursor++;
    return '';
  }

  /** An emitted payload as markup, now that the reader takes it; then a parked stream may go on. */
  private serialize(entry: Emitted): string {
    const { slot } = entry;
    let chunk: string;
    try {
      chunk = this.markup(entry.content, entry);
    } catch (error) {
      // Too large to serialize (V8's string limit), or a field that cannot be: the pagelet's failure, here. Its
      // first payload is replaced by the fallback (by empty html when the fallback is what failed); after a first
      // payload a streamed pagelet sends nothing more.
      this.report(slot, error);
      if (!slot.done) this.end(slot, error);
      if (entry.index) return '';
      try {
        chunk = this.markup(entry.fallback ? EMPTY : slot.plan.fallback, entry);
      } catch {
        chunk = this.markup(EMPTY, entry);
      }
    }
    if (slot.parked) {
      slot.parked = false;
      if (!slot.done && !this.stopped) this.pull(slot);
    }
    return chunk;
  }

  private markup(content: PageletContent, { slot, index }: Emitted): string {
    if (this.inPlace) return inPlaceMarkup(content, this.nonce);
    const first = !index && this.firstRound > 0;
    // Only the known content fields, so a result cannot override `target` or `total`; one shape for every payload,
    // in the protocol's order (JSON.stringify leaves out the undefined ones, and is fastest on one shape).
    const payload: Payload = {
      target: slot.plan.id,
      html: content.html,
      append: index ? true : content.append,
      css: content.css,
      css_links: content.css_links,
      js_links: content.js_links,
      js: content.js,
      // Once, on the first payload written (any payload may carry it, §2: 13 B fewer on every other one); or late, on
      // the payload that completes the first round of a page with streamed pagelets.
      total:
        this.total === undefined
          ? first && this.firstRound === 1
            ? this.written + 1
            : undefined
          : this.written
            ? undefined
            : this.total,
    };
    const script = payloadScript(payload, this.nonce);
    // counted once it is sure to be written (serializing can throw, and is then retried with the fallback)
    this.written++;
    if (first) this.firstRound--;
    return script;
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
    if (this.signal) watchers.get(this.signal)?.delete(this);
    for (const group of this.groups) clearTimeout(group.timer);
    for (const slot of this.slots) {
      if (slot.queue) slot.queue.length = 0;
      if (slot.done) continue;
      clearTimeout(slot.timer);
      this.abort(slot, reason);
      this.close(slot);
    }
    // What is still queued is never read: let it go.
    this.out.length = this.head = 0;
    this.notify();
  }

  /** Runs one step for a pagelet from a promise callback; what it throws fails the pagelet, never the process. */
  private guard<T>(slot: Slot, step: (slot: Slot, value: T) => void, value: T) {
    try {
      step.call(this, slot, value);
    } catch (error) {
      try {
        this.fail(slot, error);
      } catch (reason) {
        // fail() runs no user code that can throw out of it; should it all the same, the page ends with it
        this.failure ??= { reason };
        this.stop(reason);
      }
    }
  }

  /** A render's result: its content, or the iterable of a streamed pagelet. */
  private accept(slot: Slot, value: unknown) {
    if (this.stopped || slot.done) return;
    const id = JSON.stringify(slot.plan.id);
    if (isAsyncIterable(value)) {
      if (!slot.plan.streams)
        return this.fail(slot, new TypeError(`pagelet ${id} returned an async iterable: declare it with stream: true`));
      slot.iterator = value[Symbol.asyncIterator]();
      return this.pull(slot);
    }
    const content = this.check(slot, value, `pagelet ${id} rendered an invalid result`);
    if (!content) return;
    this.emit(slot, content);
    this.finish(slot);
  }

  /** A result or item checked and copied, or undefined once the pagelet has failed for it. */
  private check(slot: Slot, value: unknown, what: string): PageletContent | undefined {
    const checked = checkPayload(value, true);
    if (checked.problem !== undefined) {
      this.fail(slot, new TypeError(`${what}: ${checked.problem}`));
      return undefined;
    }
    if (checked.unknown.length && !slot.warned) {
      slot.warned = true;
      const names = checked.unknown.map(quoted).join(', ');
      this.report(
        slot,
        new TypeError(
          `pagelet ${JSON.stringify(slot.plan.id)}: unknown fields ${names} ignored (known: ${CONTENT_FIELDS.join(', ')})`,
        ),
      );
    }
    return checked.fields as PageletContent;
  }

  /** Asks a streamed pagelet's iterator for its next item; the wait for an item after the first is timed. */
  private pull(slot: Slot) {
    const ms = slot.plan.timeout;
    if (slot.sent && ms < MAX_DELAY) {
      clearTimeout(slot.timer);
      slot.timer = setTimeout(() => this.timeout(slot, ` waiting for item ${slot.sent + 1}`), ms);
    }
    let next: unknown;
    try {
      next = slot.iterator!.next();
    } catch (error) {
      return this.fail(slot, error);
    }
    Promise.resolve(next).then(
      (result) => this.guard(slot, this.item, result),
      (error) => this.guard(slot, this.fail, error),
    );
  }

  private item(slot: Slot, result: unknown) {
    if (this.stopped || slot.done) return;
    const id = JSON.stringify(slot.plan.id);
    if (typeof result !== 'object' || result === null)
      return this.fail(slot, new TypeError(`pagelet ${id}: its iterator returned a non-object`));
    const { done, value } = result as IteratorResult<unknown>;
    if (done) {
      slot.iterator = undefined; // finished by itself: no return() to call
      return this.finish(slot);
    }
    clearTimeout(slot.timer); // the next wait is timed from the next pull
    const content = this.check(slot, value, `pagelet ${id} yielded an invalid item`);
    if (!content) return;
    this.emit(slot, content);
    // The next item is asked for once the reader has taken this one: a reader that stalls stalls the stream too.
    slot.parked = true;
  }

  /** One payload (no-JS mode: one piece) for the pagelet, queued for the reader. */
  private emit(slot: Slot, content: PageletContent, fallback = false) {
    this.leave(slot);
    const entry: Emitted = { slot, content, index: slot.sent++, fallback };
    if (this.inPlace) slot.queue!.push(entry);
    else this.out.push(entry);
    this.notify();
  }

  /** onError, whose throw is ignored: it must not break the response. */
  private report(slot: Slot, error: unknown) {
    try {
      this.onError(error, slot.plan.id);
    } catch {
      // ignored, as documented
    }
  }

  private fail(slot: Slot, error: unknown) {
    if (this.stopped || slot.done) return;
    this.abort(slot, error);
    this.close(slot);
    this.report(slot, error);
    if (this.stopped) return; // onError cancelled the page
    if (!slot.sent) this.emit(slot, slot.plan.fallback, true);
    this.finish(slot, (error as Error | null)?.name === 'TimeoutError' && slot.timedOut ? 'timeout' : 'error');
  }

  /** A pagelet that failed after its payload was queued: stopped, with nothing more to send. */
  private end(slot: Slot, error: unknown) {
    this.abort(slot, error);
    this.close(slot);
    this.finish(slot, 'error');
  }

  private finish(slot: Slot, status: 'ok' | 'error' | 'timeout' = 'ok') {
    // A stream that ended without an item still takes its turn in the first round, with a payload that shows
    // nothing (no html: its placeholder keeps its content) and can carry the late total.
    if (this.firstRound && !slot.sent) this.emit(slot, {});
    if (this.options.onPagelet)
      this.hook('onPagelet', slot.plan.id, { ms: performance.now() - this.startedAt, status });
    slot.done = true;
    clearTimeout(slot.timer);
    this.leave(slot);
    if (--this.pending === 0 && !this.inPlace) this.out.push(this.documentEnd);
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
    slot.timedOut = true;
    const message = `pagelet ${JSON.stringify(slot.plan.id)} timed out after ${slot.plan.timeout} ms${waitingFor}`;
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

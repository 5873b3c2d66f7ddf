import type { Pagelet, PageletContent } from '../../src/server';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** A pagelet whose render waits for the test: resolve or reject `result`; `signal` is what render received. */
export function heldPagelet(id: string, extra: Partial<Pagelet> = {}) {
  const result = deferred<PageletContent>();
  const held = {
    result,
    signal: undefined as AbortSignal | undefined,
    calls: 0,
    pagelet: {
      id,
      render({ signal }: { signal: AbortSignal }) {
        held.calls++;
        held.signal = signal;
        return result.promise;
      },
      ...extra,
    } satisfies Pagelet,
  };
  return held;
}

export async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

/** Resolves once the signal has aborted. */
export const aborted = (signal: AbortSignal) =>
  signal.aborted
    ? Promise.resolve()
    : new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));

/**
 * A streamed pagelet whose items the test hands out: push() an item, end() or fail() the iteration. Its iterator
 * counts return() calls in `returned`; `signal` is what render received.
 */
export function heldStream(id: string, extra: Partial<Pagelet> = {}) {
  const results = [deferred<IteratorResult<PageletContent>>()];
  let given = 0;
  let read = 0;
  const iterator: AsyncIterableIterator<PageletContent> = {
    next: () => results[read++]!.promise,
    async return() {
      held.returned++;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  const held = {
    returned: 0,
    signal: undefined as AbortSignal | undefined,
    push(value: PageletContent) {
      results.push(deferred());
      results[given++]!.resolve({ done: false, value });
    },
    end() {
      results[given]!.resolve({ done: true, value: undefined });
    },
    fail(error: unknown) {
      results[given]!.reject(error);
    },
    pagelet: {
      id,
      stream: true,
      render({ signal }: { signal: AbortSignal }) {
        held.signal = signal;
        return iterator;
      },
      ...extra,
    } satisfies Pagelet,
  };
  return held;
}

/**
 * Type-level tests of bigpipe-js/client (dist/client.d.ts): its exports, and the events and global it declares for
 * the page's code. Compiled by `tsc --noEmit -p .` in `npm test`; never run.
 */
import {
  BigPipe,
  type BigPipeEventDetails,
  type BigPipeEventMap,
  type BigPipeGlobal,
  type EventDetail,
  type Payload,
} from 'bigpipe-js/client';
import { expectTypeOf } from 'vitest';

expectTypeOf(BigPipe).toEqualTypeOf<BigPipeGlobal>();
expectTypeOf(BigPipe.onPageletArrive).toEqualTypeOf<(payload: unknown) => void>();
expectTypeOf(BigPipe.timeout).toEqualTypeOf<number | undefined>();
expectTypeOf<Payload['target']>().toEqualTypeOf<string>();

// The global, as the page's own scripts see it.
expectTypeOf(window.BigPipe).toEqualTypeOf<BigPipeGlobal>();
expectTypeOf(globalThis.BigPipe).toEqualTypeOf<BigPipeGlobal>();
window.BigPipe.timeout = 5000;

// The README's listener, word for word.
declare function report(...values: unknown[]): void;
document.addEventListener('bigpipe:error', (e) => report(e.detail.target, e.detail.url, e.detail.error));

// Each event with its detail.
document.addEventListener('bigpipe:arrive', (e) => {
  expectTypeOf(e).toEqualTypeOf<CustomEvent<EventDetail & { target: string }>>();
  expectTypeOf(e.detail.target).toEqualTypeOf<string>();
});
document.addEventListener('bigpipe:display', (e) => expectTypeOf(e.detail.target).toEqualTypeOf<string>());
document.addEventListener('bigpipe:error', (e) => {
  expectTypeOf(e.detail).toEqualTypeOf<EventDetail>();
  expectTypeOf(e.detail.url).toEqualTypeOf<string | undefined>();
  expectTypeOf(e.detail.error).toEqualTypeOf<string | undefined>();
  expectTypeOf(e.detail.target).toEqualTypeOf<unknown>();
});
document.addEventListener('bigpipe:done', (e) => expectTypeOf(e).toEqualTypeOf<CustomEvent<EventDetail>>());
expectTypeOf<keyof BigPipeEventMap>().toEqualTypeOf<
  'bigpipe:arrive' | 'bigpipe:display' | 'bigpipe:error' | 'bigpipe:done'
>();
expectTypeOf<keyof BigPipeEventDetails>().toEqualTypeOf<'arrive' | 'display' | 'error' | 'done'>();
// Other events keep their own types.
document.addEventListener('keydown', (e) => expectTypeOf(e).toEqualTypeOf<KeyboardEvent>());
// @ts-expect-error a bigpipe event's detail has no such field
document.addEventListener('bigpipe:error', (e) => e.detail.message);

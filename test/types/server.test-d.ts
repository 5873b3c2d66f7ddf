/**
 * Type-level tests of bigpipe-js/server's public types, as the published declarations (dist/server.d.ts) give them.
 * Compiled by `tsc --noEmit -p .` in `npm test`; never run. A line with @ts-expect-error must fail to compile.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Readable } from 'node:stream';
import {
  type DEFAULT_PAGELET_TIMEOUT,
  type DEFAULT_WRITE_TIMEOUT,
  escapeHtml,
  escapeJson,
  inlineRuntime,
  noscriptRedirect,
  pickMode,
  placeholder,
  renderToChunks,
  renderToNodeResponse,
  renderToNodeStream,
  renderToReadableStream,
  renderToResponse,
  runtimeTags,
  serializePagelet,
  type Chunks,
  type InlineRuntime,
  type Page,
  type PageDocument,
  type PageParts,
  type Pagelet,
  type PageletContent,
  type Payload,
  type PlaceholderOptions,
  type RenderOptions,
  type RequestLike,
} from 'bigpipe-js/server';
import { expectTypeOf } from 'vitest';

declare const page: Page;
declare const res: ServerResponse;
declare const res2: Http2ServerResponse;

// Payload: the wire fields; PageletContent: what a render returns (no target, no total).
expectTypeOf<Payload>().toEqualTypeOf<{
  target: string;
  html?: string;
  append?: boolean;
  css?: string;
  css_links?: string[];
  js_links?: string[];
  js?: string;
  total?: number;
}>();
expectTypeOf<PageletContent>().toEqualTypeOf<Omit<Payload, 'target' | 'total'>>();
// @ts-expect-error the server sets target
expectTypeOf<PageletContent>().toHaveProperty('target');

// Pagelet: render returns content, a promise of it, or (streamed) an async iterable of contents.
expectTypeOf<Pagelet['render']>().parameter(0).toEqualTypeOf<{ signal: AbortSignal }>();
const plain: Pagelet = { id: 'a', render: () => ({ html: 'A' }) };
const promised: Pagelet = {
  id: 'b',
  render: async ({ signal }) => ({ html: String(signal.aborted), css_links: ['/b.css'] }),
};
const streamed: Pagelet = {
  id: 'c',
  async *render() {
    yield { html: 'first' };
    yield { html: 'more', append: true };
  },
};
const withFallback: Pagelet = {
  id: 'd',
  timeout: 500,
  fallback: { html: 'sorry', css: 'p{}' },
  stream: false,
  render: () => ({}),
};
// @ts-expect-error a render must return content
const notContent: Pagelet = { id: 'e', render: () => 'html' };
// @ts-expect-error `content` is no payload field (the runtime would ignore it)
const typo: Pagelet = { id: 'f', render: () => ({ content: 'x' }) };
void [plain, promised, streamed, withFallback, notContent, typo];

// Page: head + body, or a whole document; never both.
expectTypeOf<Page>().toEqualTypeOf<PageParts | PageDocument>();
const parts: Page = { head: '<title>t</title>', body: placeholder('a'), pagelets: [plain] };
const document: Page = { document: '<!DOCTYPE html><html><head></head><body></body></html>', pagelets: [] };
// @ts-expect-error a document comes alone
const both: Page = { document: '<html>', body: '', pagelets: [] };
// @ts-expect-error pagelets are required
const noPagelets: Page = { body: '' };
void [parts, document, both, noPagelets];

// RenderOptions: each runtime form, hooks with their arguments.
expectTypeOf<RenderOptions['runtime']>().toEqualTypeOf<
  | 'inline'
  | 'inline-trusted-types'
  | InlineRuntime
  | { src: string; async?: boolean; module?: boolean; integrity?: string }
  | undefined
>();
expectTypeOf(inlineRuntime).toEqualTypeOf<InlineRuntime>();
expectTypeOf<InlineRuntime>().toEqualTypeOf<{ readonly inline: string }>();
const options: RenderOptions = {
  runtime: { src: '/bigpipe.min.js', async: true, integrity: 'sha384-x' },
  nonce: 'abc',
  timeout: 1000,
  writeTimeout: Infinity,
  mode: 'inline',
  signal: new AbortController().signal,
  onError(error, pageletId) {
    expectTypeOf(error).toEqualTypeOf<unknown>();
    expectTypeOf(pageletId).toEqualTypeOf<string>();
  },
  onShellReady: () => {},
  onAllReady: () => {},
  onPagelet(pageletId, timing) {
    expectTypeOf(pageletId).toEqualTypeOf<string>();
    expectTypeOf(timing).toEqualTypeOf<{ ms: number; status: 'ok' | 'error' | 'timeout' }>();
  },
};
// @ts-expect-error an unknown runtime name
const badRuntime: RenderOptions = { runtime: 'cdn' };
// @ts-expect-error an unknown mode
const badMode: RenderOptions = { mode: 'stream' };
void [options, badRuntime, badMode];

// The adapters.
expectTypeOf(renderToChunks(page)).toEqualTypeOf<Chunks>();
expectTypeOf<Chunks>().toMatchTypeOf<AsyncIterableIterator<string>>();
expectTypeOf(renderToReadableStream(page, options)).toEqualTypeOf<ReadableStream<Uint8Array>>();
expectTypeOf(
  renderToResponse(page, options, { status: 404, headers: { vary: 'User-Agent' } }),
).toEqualTypeOf<Response>();
expectTypeOf(renderToNodeResponse(page, res, options)).toEqualTypeOf<Promise<void>>();
// node:http2's compatibility response works at run time (test/server/node.test.ts), so it is accepted.
expectTypeOf(renderToNodeResponse(page, res2)).toEqualTypeOf<Promise<void>>();
expectTypeOf(renderToNodeStream(page)).toEqualTypeOf<Readable>();
// @ts-expect-error a Web Response is no Node response
void renderToNodeResponse(page, new Response());

// The helpers.
declare const incoming: IncomingMessage;
declare const incoming2: Http2ServerRequest;
declare const hono: { header(name: string): string | undefined; raw: Request };
expectTypeOf(pickMode).returns.toEqualTypeOf<'pipeline' | 'inline'>();
pickMode(incoming);
pickMode(incoming2);
pickMode(new Request('http://127.0.0.1/'));
pickMode(hono);
expectTypeOf<Request>().toMatchTypeOf<RequestLike>();
expectTypeOf(noscriptRedirect('/x?y')).toEqualTypeOf<string>();
expectTypeOf(
  placeholder('a', { tag: 'section', content: 'Loading…', attributes: { class: 'card' } } satisfies PlaceholderOptions),
).toEqualTypeOf<string>();
expectTypeOf(escapeHtml).toEqualTypeOf<(text: unknown) => string>();
expectTypeOf(escapeJson).toEqualTypeOf<(value: unknown) => string>();
expectTypeOf(serializePagelet({ target: 'a', html: 'A' }, { nonce: 'n' })).toEqualTypeOf<string>();
// @ts-expect-error a payload needs its target
serializePagelet({ html: 'A' });
expectTypeOf(runtimeTags({ runtime: inlineRuntime, nonce: 'n' })).toEqualTypeOf<string>();
expectTypeOf<typeof DEFAULT_PAGELET_TIMEOUT>().toEqualTypeOf<3000>();
expectTypeOf<typeof DEFAULT_WRITE_TIMEOUT>().toEqualTypeOf<30000>();

import { describe, expect, it } from 'vitest';
import { renderToChunks } from '../../src/server/chunks';
import type { Page } from '../../src/server/types';
import { renderToReadableStream, renderToResponse } from '../../src/server/web';
import { aborted, collect, heldPagelet } from './helpers';
import { payloadsOf } from '../support/parse.mjs';

const quiet = { onError: () => {} };
const decoder = new TextDecoder();
const read = async (reader: ReadableStreamDefaultReader<Uint8Array>) => {
  const { done, value } = await reader.read();
  return done ? undefined : decoder.decode(value);
};

describe('renderToReadableStream', () => {
  it('streams the shell as the first chunk, before any pagelet resolves', async () => {
    const a = heldPagelet('a');
    const page: Page = { body: '<div id="a"></div>', pagelets: [a.pagelet] };
    const reader = renderToReadableStream(page, quiet).getReader();
    expect(await read(reader)).toBe((await renderToChunks({ ...page, pagelets: [] }).next()).value);
    a.result.resolve({ html: 'A' });
    // what is ready together goes out together: the last payload and the end
    const rest = (await read(reader))!;
    expect(payloadsOf(rest)).toEqual([{ target: 'a', html: 'A', total: 1 }]);
    expect(rest.endsWith('</script></body></html>')).toBe(true);
    expect(await read(reader)).toBeUndefined();
  });

  it('sends each payload on its own when it is ready on its own', async () => {
    const [a, b] = ['a', 'b'].map((id) => heldPagelet(id));
    const reader = renderToReadableStream({ body: '', pagelets: [a!.pagelet, b!.pagelet] }, quiet).getReader();
    await read(reader);
    b!.result.resolve({ html: 'B' });
    expect(payloadsOf((await read(reader))!)).toEqual([{ target: 'b', html: 'B', total: 2 }]);
    a!.result.resolve({ html: 'A' });
    expect(payloadsOf((await read(reader))!)).toEqual([{ target: 'a', html: 'A' }]);
  });

  it('encodes the same text as the core, as UTF-8', async () => {
    const pagelets = [{ id: 'a', render: () => ({ html: '\u2028😀' }) }];
    const page = (): Page => ({ head: '<title>é ✓ 😀</title>', body: '', pagelets });
    const reader = renderToReadableStream(page(), quiet).getReader();
    const chunks = [];
    for (let chunk; (chunk = await read(reader)) !== undefined; ) chunks.push(chunk);
    expect(chunks.join('')).toEqual((await collect(renderToChunks(page(), quiet))).join(''));
  });

  it('aborts the pending renders when the stream is cancelled', async () => {
    const [a, b] = ['a', 'b'].map((id) => heldPagelet(id));
    const reader = renderToReadableStream({ body: '', pagelets: [a!.pagelet, b!.pagelet] }, quiet).getReader();
    await reader.read();
    a!.result.resolve({ html: 'A' });
    await reader.read();
    await reader.cancel();
    await aborted(b!.signal!);
    expect([a!.signal!.aborted, b!.signal!.aborted]).toEqual([false, true]);
  });

  it('errors the stream with the reason when options.signal aborts', async () => {
    const a = heldPagelet('a');
    const controller = new AbortController();
    const stream = renderToReadableStream({ body: '', pagelets: [a.pagelet] }, { ...quiet, signal: controller.signal });
    const reader = stream.getReader();
    await reader.read();
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(reader.read()).rejects.toBe(reason);
    expect(a.signal!.aborted).toBe(true);
  });

  it('throws validation errors synchronously', () => {
    const render = () => ({});
    expect(() =>
      renderToReadableStream({
        body: '',
        pagelets: [
          { id: 'a', render },
          { id: 'a', render },
        ],
      }),
    ).toThrow(/duplicate id/);
  });
});

describe('renderToReadableStream and a consumer that stops reading', () => {
  it('errors the stream after writeTimeout and aborts the pending renders', async () => {
    const a = heldPagelet('a');
    const b = heldPagelet('b');
    const stream = renderToReadableStream(
      { body: '<div id="a"></div><div id="b"></div>', pagelets: [a.pagelet, b.pagelet] },
      { onError: () => {}, writeTimeout: 50 },
    );
    const reader = stream.getReader();
    await reader.read(); // the shell; the consumer then stops reading
    a.result.resolve({ html: 'A' });
    await aborted(b.signal!);
    const rest = await reader.read().then(
      () => reader.read(),
      (error) => error,
    );
    expect(String(rest)).toMatch(/TimeoutError|no chunk taken/);
  });
});

describe('renderToResponse', () => {
  it('is a 200 Response with the protocol headers and the streamed page', async () => {
    const response = renderToResponse({
      body: '<div id="a"></div>',
      pagelets: [{ id: 'a', render: () => ({ html: 'A' }) }],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(payloadsOf(await response.text())).toEqual([{ target: 'a', html: 'A', total: 1 }]);
  });

  it('keeps the status and headers it is given', () => {
    const response = renderToResponse(
      { body: '', pagelets: [] },
      {},
      { status: 404, headers: { 'Cache-Control': 'private' } },
    );
    expect(response.status).toBe(404);
    expect(response.headers.get('cache-control')).toBe('private');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('is what a Hono route returns', async () => {
    const { Hono } = await import('hono');
    const app = new Hono();
    app.get('/', () =>
      renderToResponse({ body: '<div id="a"></div>', pagelets: [{ id: 'a', render: () => ({ html: 'A' }) }] }),
    );
    const response = await app.request('/');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain('"target":"a","html":"A"');
  });
});

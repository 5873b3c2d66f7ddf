import compression from 'compression';
import express from 'express';
import { EventEmitter } from 'node:events';
import { createServer, get, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { renderToChunks } from '../../src/server/chunks';
import type { Page } from '../../src/server/types';
import { renderToNodeResponse } from '../../src/server/node';
import { aborted, deferred, heldPagelet, heldStream } from './helpers';
import { listen } from '../support/loopback.mjs';
import { payloadsOf } from '../support/parse.mjs';

const quiet = { onError: () => {} };
const BODY = '<div id="a"></div><div id="b"></div>';
const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((close) => close()));

/** A loopback server; resolves to its URL. */
async function serve(handler: RequestListener) {
  const server = await listen(createServer(handler));
  closers.push(server.close);
  return `${server.base}/`;
}

/** GETs the URL; resolves with the response once its headers are in. */
function request(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ response: IncomingMessage; abort: () => void }>((resolve, reject) => {
    const req = get(url, { headers }, (response) => resolve({ response, abort: () => req.destroy() }));
    req.on('error', reject);
  });
}

/** The text a stream has produced so far; `until` resolves once it satisfies the test (never on a timer). */
function textOf(stream: Readable) {
  let text = '';
  let changed = () => {};
  stream.setEncoding('utf8');
  stream.on('data', (data: string) => {
    text += data;
    changed();
  });
  return {
    get text() {
      return text;
    },
    async until(test: (text: string) => boolean) {
      while (!test(text)) await new Promise<void>((resolve) => (changed = resolve));
      return text;
    },
  };
}

/** A ServerResponse stand-in that records what the adapter does to it. */
class FakeResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  headers = new Map<string, unknown>();
  writes: string[] = [];
  ended = false;
  destroyed = false;
  /** what write() returns */
  writeResult = true;
  private written = deferred<void>();
  /** writes already returned by nextWrite() */
  private seen = 0;
  setHeader(name: string, value: unknown) {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }
  hasHeader(name: string) {
    return this.headers.has(name.toLowerCase());
  }
  flushHeaders() {
    this.headersSent = true;
  }
  write(chunk: string) {
    this.headersSent = true; // as a real response's first write sends them
    this.writes.push(chunk);
    this.written.resolve();
    this.written = deferred<void>();
    return this.writeResult;
  }
  /** resolves at the next write() not yet awaited this way (the shell is written synchronously) */
  async nextWrite() {
    while (this.writes.length <= this.seen) await this.written.promise;
    this.seen++;
  }
  end() {
    this.ended = true;
    this.emit('finish');
    this.emit('close');
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
  get response() {
    return this as unknown as ServerResponse;
  }
}

/** Lets every promise callback already queued run (not a wait for any event). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('renderToNodeResponse over HTTP', () => {
  it('sends status 200 and the streaming headers', async () => {
    const url = await serve((_, res) => void renderToNodeResponse({ body: '', pagelets: [] }, res));
    const response = await fetch(url);
    await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  it('keeps a status and headers already set', async () => {
    const url = await serve((_, res) => {
      res.statusCode = 404;
      res.setHeader('Cache-Control', 'private');
      void renderToNodeResponse({ body: '', pagelets: [] }, res);
    });
    const response = await fetch(url);
    await response.text();
    expect(response.status).toBe(404);
    expect(response.headers.get('cache-control')).toBe('private');
  });

  it('writes the shell before the first pagelet resolves, then each pagelet as it resolves', async () => {
    const [a, b] = ['a', 'b'].map((id) => heldPagelet(id));
    const url = await serve(
      (_, res) => void renderToNodeResponse({ body: BODY, pagelets: [a!.pagelet, b!.pagelet] }, res, quiet),
    );
    const { response } = await request(url);
    const body = textOf(response);
    expect(payloadsOf(await body.until((t) => t.endsWith(BODY)))).toEqual([]);
    b!.result.resolve({ html: 'B' });
    expect(payloadsOf(await body.until((t) => t.includes('"target":"b"')))).toEqual([
      { target: 'b', html: 'B', total: 2 },
    ]);
    a!.result.resolve({ html: 'A' });
    expect(payloadsOf(await body.until((t) => t.endsWith('</body></html>'))).map((p) => p.target)).toEqual(['b', 'a']);
  });

  it('aborts the pending renders when the client disconnects, and resolves', async () => {
    const a = heldPagelet('a');
    let done: Promise<void> | undefined;
    const url = await serve(
      (_, res) => (done = renderToNodeResponse({ body: BODY, pagelets: [a.pagelet] }, res, quiet)),
    );
    const { response, abort } = await request(url);
    await textOf(response).until((t) => t.endsWith(BODY));
    abort();
    await aborted(a.signal!);
    await expect(done).resolves.toBeUndefined();
  });

  it('delivers pagelets separately through express and compression', async () => {
    const [a, b] = ['a', 'b'].map((id) => heldPagelet(id));
    const app = express();
    app.use(compression());
    app.get('/', (_, res) => void renderToNodeResponse({ body: BODY, pagelets: [a!.pagelet, b!.pagelet] }, res, quiet));
    const url = await serve(app);
    const { response } = await request(url, { 'Accept-Encoding': 'gzip' });
    expect(response.headers['content-encoding']).toBe('gzip');
    const body = textOf(response.pipe(createGunzip()));
    expect(payloadsOf(await body.until((t) => t.endsWith(BODY)))).toEqual([]);
    a!.result.resolve({ html: 'A' });
    expect(payloadsOf(await body.until((t) => t.includes('"target":"a"')))).toHaveLength(1);
    b!.result.resolve({ html: 'B' });
    expect(payloadsOf(await body.until((t) => t.endsWith('</body></html>'))).map((p) => p.target)).toEqual(['a', 'b']);
  });
});

describe('renderToNodeResponse on a response object', () => {
  const page = (...pagelets: Page['pagelets']): Page => ({ body: BODY, pagelets });

  it('sends the headers at once', async () => {
    const res = new FakeResponse();
    const a = heldPagelet('a');
    const done = renderToNodeResponse(page(a.pagelet), res.response, quiet);
    expect(res.headersSent).toBe(true);
    a.result.resolve({});
    await done;
  });

  it('sends the headers with the shell, in its write, before returning', async () => {
    const res = new FakeResponse();
    let flushed = false;
    res.flushHeaders = () => void (flushed = true);
    const a = heldPagelet('a');
    const done = renderToNodeResponse(page(a.pagelet), res.response, quiet);
    expect(res.writes).toEqual([(await renderToChunks({ body: BODY, pagelets: [] }).next()).value]);
    expect([res.headersSent, flushed]).toEqual([true, false]);
    a.result.resolve({});
    await done;
  });

  it('writes every chunk already ready at once, in one go', () => {
    const res = new FakeResponse();
    void renderToNodeResponse(
      page({ id: 'a', render: () => ({ html: 'A' }) }, { id: 'b', render: () => ({ html: 'B' }) }),
      res.response,
      quiet,
    );
    expect(res.writes).toHaveLength(4);
    expect(res.ended).toBe(true);
  });

  it('writes each item of a streamed pagelet as it is yielded', async () => {
    const res = new FakeResponse();
    const feed = heldStream('a');
    const done = renderToNodeResponse(page(feed.pagelet), res.response, quiet);
    await res.nextWrite();
    feed.push({ html: '1' });
    await res.nextWrite();
    expect(payloadsOf(res.writes[1]!)).toEqual([{ target: 'a', html: '1', total: 1 }]);
    feed.push({ html: '2' });
    await res.nextWrite();
    expect(payloadsOf(res.writes[2]!)).toEqual([{ target: 'a', html: '2', append: true }]);
    feed.end();
    await done;
    expect(res.writes.at(-1)).toBe('</body></html>');
  });

  it('stops a streamed pagelet when the client disconnects', async () => {
    const res = new FakeResponse();
    const feed = heldStream('a');
    const done = renderToNodeResponse(page(feed.pagelet), res.response, quiet);
    feed.push({ html: '1' });
    await res.nextWrite();
    await res.nextWrite();
    res.emit('close');
    await done;
    expect([feed.returned, feed.signal!.aborted, res.ended]).toEqual([1, true, false]);
  });

  it('waits for drain before writing the next chunk', async () => {
    const res = new FakeResponse();
    res.writeResult = false;
    const a = heldPagelet('a');
    const done = renderToNodeResponse(page(a.pagelet), res.response, quiet);
    await res.nextWrite();
    a.result.resolve({ html: 'A' });
    await settle();
    expect(res.writes).toHaveLength(1);
    res.emit('drain');
    await res.nextWrite();
    expect(payloadsOf(res.writes[1]!)).toEqual([{ target: 'a', html: 'A', total: 1 }]);
    res.writeResult = true;
    res.emit('drain');
    await done;
    expect(res.writes).toHaveLength(3);
  });

  it('calls res.flush() after every chunk', async () => {
    const res = new FakeResponse();
    const flushedAfter: number[] = [];
    Object.assign(res, { flush: () => flushedAfter.push(res.writes.length) });
    await renderToNodeResponse(page({ id: 'a', render: () => ({ html: 'A' }) }), res.response, quiet);
    expect(flushedAfter).toEqual([1, 2, 3]);
  });

  it('writes nothing more after the client disconnects', async () => {
    const res = new FakeResponse();
    const a = heldPagelet('a');
    const done = renderToNodeResponse(page(a.pagelet), res.response, quiet);
    await res.nextWrite();
    res.emit('close');
    await done;
    a.result.resolve({ html: 'A' });
    await settle();
    expect(res.writes).toHaveLength(1);
    expect(res.ended).toBe(false);
    expect(a.signal!.aborted).toBe(true);
  });

  it('starts no render and writes nothing for a client that is already gone', async () => {
    const res = new FakeResponse();
    res.destroyed = true;
    const a = heldPagelet('a');
    await renderToNodeResponse(page(a.pagelet), res.response, quiet);
    expect([res.headersSent, res.writes.length, a.calls]).toEqual([false, 0, 0]);
  });

  it('aborts the pending renders when writing throws', async () => {
    const res = new FakeResponse();
    const a = heldPagelet('a');
    res.write = () => {
      throw new Error('write after end');
    };
    await renderToNodeResponse(page(a.pagelet), res.response, quiet);
    expect([res.destroyed, a.signal!.aborted]).toEqual([true, true]);
  });

  it('destroys the response when options.signal aborts, and resolves', async () => {
    const res = new FakeResponse();
    const a = heldPagelet('a');
    const controller = new AbortController();
    const done = renderToNodeResponse(page(a.pagelet), res.response, { ...quiet, signal: controller.signal });
    await res.nextWrite();
    controller.abort();
    await done;
    expect(res.destroyed).toBe(true);
    expect(res.writes).toHaveLength(1);
    expect(a.signal!.aborted).toBe(true);
  });

  it('rejects an invalid page after answering 500, with no page written', async () => {
    const res = new FakeResponse();
    const render = () => ({ html: '' });
    await expect(renderToNodeResponse(page({ id: 'a', render }, { id: 'a', render }), res.response)).rejects.toThrow(
      /duplicate id/,
    );
    expect([res.statusCode, res.ended, res.writes.length]).toEqual([500, true, 0]);
  });
});

describe('renderToNodeResponse off the happy path', () => {
  it('rejects and renders nothing on a response that has already ended', async () => {
    const a = heldPagelet('a');
    const settledWith = deferred<unknown>();
    const url = await serve((_, res) => {
      res.end('answered by a middleware');
      renderToNodeResponse({ body: BODY, pagelets: [a.pagelet] }, res, quiet).then(
        settledWith.resolve,
        settledWith.resolve,
      );
    });
    expect(await (await fetch(url)).text()).toBe('answered by a middleware');
    expect(String(await settledWith.promise)).toMatch(/already ended/);
    expect(a.calls).toBe(0);
  });

  it('answers 500 for an invalid page, and rejects', async () => {
    const rejected = deferred<unknown>();
    const url = await serve((_, res) => {
      renderToNodeResponse({ body: '', pagelets: [{ id: 'not an id', render: () => ({ html: '' }) }] }, res).catch(
        rejected.resolve,
      );
    });
    const response = await fetch(url);
    expect(response.status).toBe(500);
    await response.text();
    expect(String(await rejected.promise)).toMatch(/id must not contain whitespace/);
  });

  it('sends the headers at once for HEAD and renders nothing', async () => {
    const a = heldPagelet('a');
    const url = await serve((_, res) => void renderToNodeResponse({ body: BODY, pagelets: [a.pagelet] }, res, quiet));
    const response = await fetch(url, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(a.calls).toBe(0);
  });

  it('ends the response of a client that stops reading, after writeTimeout, and aborts the renders', async () => {
    const a = heldPagelet('a');
    const done = deferred<void>();
    // more than the socket buffers hold, so write() returns false and 'drain' never comes
    const big = 'x'.repeat(8 << 20);
    const url = await serve((_, res) => {
      renderToNodeResponse({ body: big + BODY, pagelets: [a.pagelet] }, res, { ...quiet, writeTimeout: 100 }).then(
        done.resolve,
      );
    });
    const { response } = await request(url);
    response.pause(); // reads nothing more, and stays connected
    await done.promise;
    expect(a.signal!.aborted).toBe(true);
  });

  it('never settles late or leaks renders on an HTTP/2 stream reset before the call', async () => {
    const http2 = await import('node:http2');
    const held = Array.from({ length: 20 }, (_, i) => heldPagelet(`p${i}`));
    let settled = 0;
    const all = deferred<void>();
    const server = http2.createServer((req, res) => {
      // the client resets the stream before the (slow) handler gets to render
      req.stream.once('close', () => {
        const h = held[Number(req.url.slice(1))]!;
        renderToNodeResponse(
          { body: `<div id="${h.pagelet.id}"></div>`, pagelets: [h.pagelet] },
          res as never,
          quiet,
        ).then(() => {
          if (++settled === held.length) all.resolve();
        });
      });
    });
    const { base, close } = await listen(server);
    const client = http2.connect(base);
    closers.push(() => {
      client.destroy();
      void close();
    });
    held.forEach((_, i) => {
      const stream = client.request({ ':path': `/${i}` });
      stream.on('error', () => {});
      stream.on('ready', () => stream.close(http2.constants.NGHTTP2_CANCEL));
    });
    await all.promise;
    expect(held.every((h) => h.calls === 0 || h.signal!.aborted)).toBe(true);
  });

  it('aborts every render when an HTTP/2 client resets the stream mid-page', async () => {
    const http2 = await import('node:http2');
    const a = heldPagelet('a');
    const done = deferred<void>();
    const server = http2.createServer((_, res) => {
      void renderToNodeResponse({ body: BODY, pagelets: [a.pagelet] }, res as never, quiet).then(done.resolve);
    });
    const { base, close } = await listen(server);
    const client = http2.connect(base);
    closers.push(() => {
      client.destroy();
      void close();
    });
    const stream = client.request({ ':path': '/' });
    stream.on('error', () => {});
    stream.once('data', () => stream.close(http2.constants.NGHTTP2_CANCEL));
    await done.promise;
    expect(a.signal!.aborted).toBe(true);
  });
});

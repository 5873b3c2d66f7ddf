import Koa from 'koa';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { renderToNodeStream } from '../../src/server/node-stream';
import { aborted, heldPagelet } from './helpers';
import { listen } from '../support/loopback.mjs';
import { payloadsOf } from '../support/parse.mjs';

const BODY = '<div id="a"></div><div id="b"></div>';
const quiet = { onError: () => {} };
const closers: (() => Promise<void>)[] = [];
afterEach(() => Promise.all(closers.splice(0).map((close) => close())));

const open = async (server: Server) => {
  const listening = await listen(server);
  closers.push(listening.close);
  return `${listening.base}/`;
};
const request = (url: string) =>
  new Promise<IncomingMessage>((resolve, reject) => get(url, resolve).on('error', reject));
/** Reads the response until `test` holds for the text so far (never on a timer). */
const until = (response: IncomingMessage, test: (text: string) => boolean) =>
  new Promise<string>((resolve) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (d: string) => {
      text += d;
      if (test(text)) resolve(text);
    });
  });

describe('renderToNodeStream', () => {
  it('is a Koa body: status 200 without ctx.status, the protocol headers, the shell before the pagelets', async () => {
    const [a, b] = [heldPagelet('a'), heldPagelet('b')];
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = renderToNodeStream({ body: BODY, pagelets: [a.pagelet, b.pagelet] }, quiet);
    });
    const response = await request(await open(createServer(app.callback())));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['x-accel-buffering']).toBe('no');
    const shell = until(response, (t) => t.includes(BODY));
    expect(payloadsOf(await shell)).toEqual([]);
    const rest = until(response, (t) => t.endsWith('</html>'));
    b.result.resolve({ html: 'B' });
    a.result.resolve({ html: 'A' });
    expect(payloadsOf(await rest).map((p) => p.target)).toEqual(['b', 'a']);
  });

  it('keeps a content type the app set', async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.type = 'application/xhtml+xml; charset=utf-8';
      ctx.body = renderToNodeStream({ body: '', pagelets: [] });
    });
    const response = await request(await open(createServer(app.callback())));
    expect(response.headers['content-type']).toBe('application/xhtml+xml; charset=utf-8');
    response.resume();
  });

  it('aborts the pending renders when the client disconnects', async () => {
    const a = heldPagelet('a');
    const app = new Koa();
    app.silent = true; // Koa reports the disconnect as 'Premature close'
    app.use((ctx) => {
      ctx.body = renderToNodeStream({ body: BODY, pagelets: [a.pagelet] }, quiet);
    });
    const response = await request(await open(createServer(app.callback())));
    await until(response, (t) => t.includes(BODY));
    response.destroy();
    await aborted(a.signal!);
  });

  it('pipes into a plain ServerResponse with the headers set', async () => {
    const url = await open(
      createServer((_, res) =>
        renderToNodeStream({ body: BODY, pagelets: [{ id: 'a', render: () => ({ html: 'A' }) }] }).pipe(res),
      ),
    );
    const response = await request(url);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(payloadsOf(await until(response, (t) => t.endsWith('</html>')))).toEqual([
      { target: 'a', html: 'A', total: 1 },
    ]);
  });

  it('ends a consumer that stops reading after writeTimeout, aborting the renders', async () => {
    const a = heldPagelet('a');
    const stream = renderToNodeStream(
      { body: 'x'.repeat(1 << 20) + BODY, pagelets: [a.pagelet] },
      { ...quiet, writeTimeout: 50 },
    );
    const errored = new Promise<Error>((resolve) => stream.once('error', resolve));
    stream.read(0); // starts it; nothing is consumed after
    expect((await errored).name).toBe('TimeoutError');
    expect(a.signal!.aborted).toBe(true);
  });
});

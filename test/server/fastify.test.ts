/** bigpipe-js/fastify (the built dist/fastify.js) on a real Fastify, on 127.0.0.1. */
import Fastify, { type FastifyInstance } from 'fastify';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import bigpipe, { bigpipe as named } from 'bigpipe-js/fastify';
import { placeholder, type Page } from 'bigpipe-js/server';
import { get } from '../check/helpers';
import { payloadsOf as payloads } from '../support/parse.mjs';
import { aborted, deferred, heldPagelet } from './helpers';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

interface LogLine {
  level: number;
  msg: string;
  pagelet?: string;
  err?: { message: string };
}

/** A Fastify with the plugin registered and its log lines collected; `routes` adds the routes. */
async function start(routes: (app: FastifyInstance) => void, defaults = {}) {
  const logs: LogLine[] = [];
  const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => logs.push(JSON.parse(line)) } } });
  apps.push(app);
  await app.register(bigpipe, defaults);
  routes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`, logs, app };
}

const page = (...pagelets: Page['pagelets']): Page => ({
  body: pagelets.map((p) => placeholder(p.id)).join(''),
  pagelets,
});

describe('bigpipe-js/fastify', () => {
  it('is a plugin in fastify-plugin form, the default export and `bigpipe`', () => {
    expect(named).toBe(bigpipe);
    const symbols = bigpipe as unknown as Record<symbol, unknown>;
    expect(symbols[Symbol.for('skip-override')]).toBe(true);
    expect(symbols[Symbol.for('fastify.display-name')]).toBe('bigpipe-js');
    expect(symbols[Symbol.for('plugin-meta')]).toEqual({ name: 'bigpipe-js', fastify: '4.x || 5.x' });
  });

  it('streams the page: the shell first, with the status and headers set on the reply, then each payload', async () => {
    const slow = heldPagelet('slow');
    const { url } = await start((app) =>
      app.get('/', async (_, reply) => reply.code(203).header('x-page', 'home').bigpipe(page(slow.pagelet))),
    );
    const body = await get(url);
    expect(body.response.status).toBe(203);
    expect(body.response.headers.get('x-page')).toBe('home');
    expect(body.response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(body.response.headers.get('x-accel-buffering')).toBe('no');
    const shell = await body.until((text) => text.includes('<div id="slow"></div>'), 'the shell');
    expect(payloads(shell)).toEqual([]);
    slow.result.resolve({ html: 'late' });
    expect(payloads(await body.end())).toEqual([{ target: 'slow', html: 'late', total: 1 }]);
  });

  it('also works from a handler that is not async', async () => {
    const { url } = await start((app) =>
      app.get('/', (_, reply) => {
        reply.bigpipe(page({ id: 'a', render: () => ({ html: 'A' }) }));
      }),
    );
    expect(payloads(await (await get(url)).end())).toEqual([{ target: 'a', html: 'A', total: 1 }]);
  });

  it("sends an invalid page to Fastify's error handler, before anything renders", async () => {
    const held = heldPagelet('ok');
    const handled: unknown[] = [];
    const { url } = await start((app) => {
      app.setErrorHandler((error, _, reply) => {
        handled.push(error);
        reply.code(418).send('handled: ' + (error as Error).message);
      });
      app.get('/', async (_, reply) =>
        reply.bigpipe({ ...page(held.pagelet), pagelets: [held.pagelet, { id: 'ok' } as never] }),
      );
    });
    const response = await fetch(url);
    expect(response.status).toBe(418);
    expect(await response.text()).toBe('handled: pagelet "ok": duplicate id');
    expect(handled).toHaveLength(1);
    expect(held.calls).toBe(0);
  });

  it('answers an invalid page with a 500 through the default error handler, and logs it', async () => {
    const { url, logs } = await start((app) => app.get('/', async (_, reply) => reply.bigpipe({ body: 1 } as never)));
    const response = await fetch(url);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({
      statusCode: 500,
      message: 'page.body must be a string (or give page.document)',
    });
    expect(logs.some((l) => l.err?.message === 'page.body must be a string (or give page.document)')).toBe(true);
  });

  it("logs a pagelet that fails after the shell with the request's logger, and sends its fallback", async () => {
    const { url, logs } = await start((app) =>
      app.get('/', async (_, reply) =>
        reply.bigpipe(
          page({
            id: 'broken',
            fallback: 'sorry',
            render: () => {
              throw new Error('backend down');
            },
          }),
        ),
      ),
    );
    expect(payloads(await (await get(url)).end())).toEqual([{ target: 'broken', html: 'sorry', total: 1 }]);
    const line = logs.find((l) => l.msg === 'bigpipe-js: pagelet failed');
    expect(line).toMatchObject({ level: 50, pagelet: 'broken', err: { message: 'backend down' } });
    expect(line).toHaveProperty('reqId');
  });

  it("uses the page's own onError when it has one", async () => {
    const errors: string[] = [];
    const { url, logs } = await start((app) =>
      app.get('/', async (_, reply) =>
        reply.bigpipe(page({ id: 'a', render: () => Promise.reject(new Error('no')) }), {
          onError: (error, id) => errors.push(`${id}: ${(error as Error).message}`),
        }),
      ),
    );
    await (await get(url)).end();
    expect(errors).toEqual(['a: no']);
    expect(logs.filter((l) => l.msg === 'bigpipe-js: pagelet failed')).toEqual([]);
  });

  it('aborts the pending renders when the client disconnects', async () => {
    const held = heldPagelet('slow');
    const shellSent = deferred<void>();
    const { url } = await start((app) =>
      app.get('/', async (_, reply) => reply.bigpipe(page(held.pagelet), { onShellReady: shellSent.resolve })),
    );
    const client = httpRequest(url).end();
    const response = await new Promise<{ statusCode?: number }>((resolve) => client.once('response', resolve));
    await shellSent.promise;
    expect(response.statusCode).toBe(200);
    client.destroy();
    await aborted(held.signal!);
    expect(held.signal!.aborted).toBe(true);
  });

  it('answers HEAD with the headers only, and renders nothing', async () => {
    const held = heldPagelet('a');
    const { url } = await start((app) => app.get('/', async (_, reply) => reply.bigpipe(page(held.pagelet))));
    const response = await fetch(url, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toBe('');
    expect(held.calls).toBe(0);
  });

  it("takes every page's default options from register, which a page's own override", async () => {
    const { url } = await start(
      (app) => {
        app.get('/', async (_, reply) => reply.bigpipe(page({ id: 'a', render: () => ({ html: 'A' }) })));
        app.get('/inline', async (_, reply) =>
          reply.bigpipe(page({ id: 'a', render: () => ({ html: 'A' }) }), { mode: 'inline' }),
        );
      },
      { runtime: { src: '/bigpipe.min.js' } },
    );
    expect(await (await get(url)).end()).toContain('<script src="/bigpipe.min.js"></script>');
    const inline = await (await get(url + 'inline')).end();
    expect(inline).toContain('<div id="a">A</div>');
    expect(inline).not.toContain('<script');
  });

  it('gives routes of encapsulated plugins the decorator too (no encapsulation)', async () => {
    const { url } = await start((app) =>
      app.register(async (child) =>
        child.get('/child', async (_, reply) => reply.bigpipe(page({ id: 'a', render: () => ({ html: 'A' }) }))),
      ),
    );
    expect(payloads(await (await get(url + 'child')).end())).toEqual([{ target: 'a', html: 'A', total: 1 }]);
  });

  it('logs a reply that was sent before bigpipe, and writes nothing more', async () => {
    const held = heldPagelet('a');
    const done = deferred<void>();
    const { url, logs } = await start((app) =>
      app.get('/', (_, reply) => {
        reply.raw.end('already');
        reply.bigpipe(page(held.pagelet));
        setImmediate(done.resolve);
      }),
    );
    // node:http, not fetch: the body Fastify never sent a content-length for is read as it is
    const text = await new Promise<string>((resolve, reject) =>
      httpRequest(url, (res) => {
        let data = '';
        res
          .setEncoding('utf8')
          .on('data', (d) => (data += d))
          .on('end', () => resolve(data));
      })
        .on('error', reject)
        .end(),
    );
    await done.promise;
    expect(text).toBe('already');
    expect(held.calls).toBe(0);
    expect(logs.find((l) => l.msg === 'bigpipe-js: the page could not be sent')?.err?.message).toMatch(/already ended/);
  });
});

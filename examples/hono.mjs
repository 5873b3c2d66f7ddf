// bigpipe-js on Hono, served by @hono/node-server. Run `node examples/hono.mjs`, open http://localhost:3000
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { renderToReadableStream } from 'bigpipe-js/server';
import { isMain, printUrl, tinyPage } from './page.mjs';

/** Starts the server; resolves once it listens (port 0: any free port). `page()` makes the page per request. */
export function start({ port = Number(process.env.PORT ?? 3000), host, page = tinyPage } = {}) {
  const app = new Hono();
  // A Web stream, so the same route runs on Deno, Bun and workers. A client that goes away cancels it, which
  // aborts the pagelets still rendering.
  app.get('/', (c) =>
    c.body(renderToReadableStream(page()), 200, {
      'Content-Type': 'text/html; charset=utf-8',
      'X-Accel-Buffering': 'no',
      'Cache-Control': 'no-cache',
    }),
  );
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(server)).once('error', reject);
  });
}

if (isMain(import.meta.url)) start().then(printUrl);

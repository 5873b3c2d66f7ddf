// bigpipe-js on Hono, served by @hono/node-server. Run `node examples/hono.mjs`, open http://localhost:3000
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { renderToResponse } from 'bigpipe-js/server';
import { isMain, printUrl, tinyPage } from './page.mjs';

/** Starts the server; resolves once it listens (port 0: any free port). `page()` makes the page per request. */
export function start({ port = Number(process.env.PORT ?? 3000), host, page = tinyPage } = {}) {
  const app = new Hono();
  // A Web Response with the protocol's headers, so the same route runs on Deno, Bun and workers. A client that
  // goes away cancels its stream, which aborts the pagelets still rendering. A page that cannot render throws
  // here, and Hono's error handling answers 500.
  app.get('/', () => renderToResponse(page()));
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(server)).once('error', reject);
  });
}

if (isMain(import.meta.url)) start().then(printUrl);

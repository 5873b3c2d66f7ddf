// bigpipe-js under Hono on Bun: `bun examples/deploy/bun-hono.mjs`, open http://localhost:3000
import { Hono } from 'hono';
import { pickMode, renderToResponse } from 'bigpipe-js/server';
import { dashboard } from './page.mjs';

/** The Hono app: the route returns the Response as it is, so the same app runs on Deno and Workers too. */
export function app(page = dashboard) {
  const hono = new Hono();
  // pickMode reads Hono's c.req as it is. A page that cannot render throws here, and Hono answers 500.
  hono.get('/', (c) => renderToResponse(page(c.req.raw), { mode: pickMode(c.req) }));
  return hono;
}

/** Serves the app on Bun; port 0: any free port. Returns Bun's server (its `port` says where). */
export function start({ port = 3000, hostname, page = dashboard } = {}) {
  // idleTimeout above the largest pagelet timeout: see bun.mjs.
  return Bun.serve({ port, hostname, idleTimeout: 30, fetch: app(page).fetch });
}

if (import.meta.main) {
  const server = start({ port: Number(process.env.PORT ?? 3000), hostname: process.env.HOST });
  console.log(`listening on http://${server.hostname}:${server.port}`);
}

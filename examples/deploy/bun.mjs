// bigpipe-js on Bun: `bun examples/deploy/bun.mjs`, open http://localhost:3000 (this repository has Bun's binary in
// node_modules/@oven/bun-linux-x64/bin/bun)
import { pickMode, renderToResponse } from 'bigpipe-js/server';
import { dashboard } from './page.mjs';

/** Serves the page on every path; port 0: any free port. Returns Bun's server (its `port` says where). */
export function start({ port = 3000, hostname, page = dashboard } = {}) {
  return Bun.serve({
    port,
    hostname,
    // Bun ends a response that sends nothing for idleTimeout seconds (10 by default): keep it above the largest
    // pagelet timeout, or a slow pagelet's response is cut off before its payload (or its fallback) goes out.
    idleTimeout: 30,
    // A client that goes away cancels the Response's body at once, which aborts every pagelet still rendering.
    // A page that cannot render throws here, and Bun answers 500.
    fetch: (request) => renderToResponse(page(request), { mode: pickMode(request) }),
  });
}

if (import.meta.main) {
  const server = start({ port: Number(process.env.PORT ?? 3000), hostname: process.env.HOST });
  console.log(`listening on http://${server.hostname}:${server.port}`);
}

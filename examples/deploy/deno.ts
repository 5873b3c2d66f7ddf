// bigpipe-js on Deno: `deno run --allow-net --allow-env=PORT,HOST examples/deploy/deno.ts` (here: `npx deno run …`),
// open http://localhost:3000
// (The reference gives the Deno namespace's types where a tsconfig.json for Node's compiler sets the libs.)
/// <reference lib="deno.ns" />
import { pickMode, renderToResponse, type Page } from 'bigpipe-js/server';
import { dashboard } from './page.mjs';

interface Options {
  port?: number;
  hostname?: string;
  /** makes the page for a request */
  page?: (request: Request) => Page;
}

/** Serves the page on every path; port 0: any free port. Returns Deno's server (its `addr` says where). */
export function start({ port = 3000, hostname, page = dashboard }: Options = {}): Deno.HttpServer<Deno.NetAddr> {
  // A client that goes away cancels the Response's body at once, which aborts every pagelet still rendering: no need
  // to pass request.signal (on Deno it also aborts after a complete response, and Deno warns about that).
  // A page that cannot render throws here, and Deno answers 500.
  return Deno.serve({ port, hostname }, (request) => renderToResponse(page(request), { mode: pickMode(request) }));
}

if (import.meta.main) start({ port: Number(Deno.env.get('PORT') ?? 3000), hostname: Deno.env.get('HOST') });

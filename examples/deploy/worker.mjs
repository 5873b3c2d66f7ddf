// bigpipe-js on Cloudflare Workers (and workerd). Bundle, then serve with workerd (worker.capnp) or deploy with
// wrangler (its config needs the same compatibility flag, enable_request_signal):
//   npx esbuild examples/deploy/worker.mjs --bundle --format=esm --platform=neutral \
//     --conditions=workerd,worker,browser --outfile=examples/deploy/build/worker.js
//   workerd serve examples/deploy/worker.capnp     # http://localhost:8080
// (npm's `workerd` package has the command; this repository has the binary alone, from the platform package:
// node_modules/@cloudflare/workerd-linux-64/bin/workerd.)
// bigpipe-js/web: the Web half of the server module, typed without @types/node; it inlines the runtime only when
// given inlineRuntime (or use runtime: { src } and serve dist/bigpipe.min.js), so a bundle carries only what it uses.
import { inlineRuntime, pickMode, renderToResponse } from 'bigpipe-js/web';
import { dashboard } from './page.mjs';

/** The Worker for a page; `page(request)` makes it. */
export const worker = (page = dashboard) => ({
  // A client that goes away is noticed at the stream's next write: then the body is cancelled and request.signal
  // (compatibility flag enable_request_signal) aborts, and with them every pagelet still rendering.
  fetch: (request) =>
    renderToResponse(page(request), { runtime: inlineRuntime, mode: pickMode(request), signal: request.signal }),
});

export default worker();

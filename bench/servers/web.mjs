// The Web handler every runtime serves in bench/runtimes.mjs: /bigpipe streams the benchmark page (10 pagelets, all
// resolved at once) with renderToResponse; /floor sends the same bytes, rendered once, as a constant body with the
// same headers: the cheapest way that runtime has to answer with this page. /chunks (a diagnostic) streams the same
// bytes pre-rendered in bigpipe-js's chunks, one chunk per pull: what streaming costs without any rendering; /prebuilt
// (a diagnostic) is bigpipe-js with each pagelet's result built once: the library's work without the page's templates.
import { placeholder, renderToChunks, renderToResponse } from 'bigpipe-js/server';
import { HEAD, ids, intro, render } from './page.mjs';

export const page = () => ({
  head: HEAD,
  body: intro + ids.map(placeholder).join(''),
  pagelets: ids.map((id, i) => ({ id, render: async () => render(i) })),
});

const results = ids.map((_, i) => render(i));
export const prebuiltPage = () => ({
  head: HEAD,
  body: intro + ids.map(placeholder).join(''),
  pagelets: ids.map((id, i) => ({ id, render: async () => results[i] })),
});

const HEADERS = { 'Content-Type': 'text/html; charset=utf-8', 'X-Accel-Buffering': 'no', 'Cache-Control': 'no-cache' };
// Made at the first request: a Worker may not start timers (the pagelet timeouts) at global scope.
let floor;
let chunks;

/** The page's chunks as bigpipe-js writes them, encoded. */
export async function pageChunks() {
  const encoder = new TextEncoder();
  const out = [];
  for await (const chunk of renderToChunks(page())) out.push(encoder.encode(chunk));
  return out;
}

const chunkStream = (list) => {
  let next = 0;
  return new ReadableStream({
    pull(controller) {
      if (next < list.length) controller.enqueue(list[next++]);
      else controller.close();
    },
  });
};

export async function handle(request) {
  const { pathname } = new URL(request.url);
  if (pathname === '/bigpipe') return renderToResponse(page());
  if (pathname === '/prebuilt') return renderToResponse(prebuiltPage());
  if (pathname === '/floor')
    return new Response(await (floor ??= renderToResponse(page()).arrayBuffer()), { headers: HEADERS });
  if (pathname === '/chunks') return new Response(chunkStream(await (chunks ??= pageChunks())), { headers: HEADERS });
  return new Response('not found', { status: 404 });
}

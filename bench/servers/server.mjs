// A benchmark server in its own process: `node bench/servers/server.mjs <variant> [--pending]`.
//   bigpipe            renderToNodeResponse (bigpipe-js/server)
//   handwritten        the same bytes from a hand-written res.write loop
//   handwritten-flush  the same, with the headers flushed in their own write first, as renderToNodeResponse does
//   react              React's renderToPipeableStream, one Suspense boundary per pagelet, content as elements
//   react-html         the same with each pagelet's HTML string through dangerouslySetInnerHTML (least React work)
//   bare               (--pending only) the shell written, the response left open: what any streaming server pays
// With --pending no pagelet ever resolves (for memory per open stream). Prints `listening <port>`; over IPC it
// answers 'memory' (after GC; run with --expose-gc), 'open' (responses still open), 'cpu' (process.cpuUsage())
// and 'abort-controller' (heap bytes of one AbortController with its signal).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { setImmediate as tick } from 'node:timers/promises';
import { createElement as h, Suspense, use } from 'react';
import { renderToPipeableStream } from 'react-dom/server';
import { placeholder, renderToNodeResponse, renderToReadableStream } from 'bigpipe-js/server';
import { COUNT, data, HEAD, ids, intro, render, STYLESHEET } from './page.mjs';

const variant = process.argv[2];
const pending = process.argv.includes('--pending');

// Every variant starts all renders at once; "immediately" means an already-resolved promise.
const never = new Promise(() => {});
const renders = ids.map((_, i) => (pending ? () => never : async () => render(i)));
const loads = ids.map((_, i) => (pending ? () => never : async () => data(i)));

const HEADERS = { 'Content-Type': 'text/html; charset=utf-8', 'X-Accel-Buffering': 'no', 'Cache-Control': 'no-cache' };
// The hand-written server inlines dist/bigpipe.min.js. If the server module inlines another build (its generated
// copy is stale until `npm run build`), take the server's, so the comparison is about the write loop; say so.
let RUNTIME = readFileSync(new URL('../../dist/bigpipe.min.js', import.meta.url), 'utf8').trim();
const inlined = /<script>(.*?)<\/script>/s.exec(
  await new Response(renderToReadableStream({ body: '', pagelets: [] })).text(),
)[1];
if (inlined !== RUNTIME) {
  console.log('warning: dist/server.js inlines a different runtime than dist/bigpipe.min.js (run `npm run build`)');
  RUNTIME = inlined;
}
const END = '</body></html>';

const page = {
  head: HEAD,
  body: intro + ids.map(placeholder).join(''),
  pagelets: ids.map((id, i) => ({ id, render: renders[i] })),
};
// Pending pagelets must stay pending: no timeout.
const options = pending ? { timeout: Infinity } : {};

// The hand-written server: one template string, then one escaped payload script per pagelet (PROTOCOL.md §3).
const SHELL = `<!DOCTYPE html><html><head><meta charset="utf-8"><script>${RUNTIME}</script>${HEAD}</head><body>${intro}${ids
  .map((id) => `<div id="${id}"></div>`)
  .join('')}`;
// The fastest form we know (three constant replaces), so this stays the limit to compare against.
const escapeText = (json) =>
  json
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
const payloadScript = (payload) => `<script>BigPipe.onPageletArrive(${escapeText(JSON.stringify(payload))})</script>`;

// React: the same markup, and the stylesheet as a React 19 <link precedence>, so the boundary is revealed only
// once it has loaded, as bigpipe-js does with css_links. `react` renders elements from the data (idiomatic);
// `react-html` gets bigpipe-js's HTML string through dangerouslySetInnerHTML (the least work React can do).
const stylesheet = h('link', { key: 'css', rel: 'stylesheet', href: STYLESHEET, precedence: 'default' });
function Pagelet({ data }) {
  const { title, items } = use(data);
  return [
    stylesheet,
    h(
      'section',
      { key: 'html', className: 'box' },
      h('h2', null, title),
      h(
        'ul',
        null,
        items.map((it) =>
          h('li', { key: it.href }, h('a', { href: it.href }, it.label), ' ', h('small', null, it.comments)),
        ),
      ),
    ),
  ];
}
function PageletHtml({ data }) {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: the diagnostic variant gives React the same HTML strings as ours
  return [stylesheet, h('div', { key: 'html', dangerouslySetInnerHTML: { __html: use(data).html } })];
}
const App = ({ data, Component }) =>
  h(
    'html',
    null,
    h('head', null, h('meta', { charSet: 'utf-8' }), h('title', null, 'bench')),
    h(
      'body',
      null,
      h('header', null, h('h1', null, 'Benchmark page'), h('p', null, 'Ten pagelets follow.')),
      data.map((d, i) => h(Suspense, { key: ids[i], fallback: h('div', { id: ids[i] }) }, h(Component, { data: d }))),
    ),
  );

const handlers = {
  bigpipe: (_, res) => renderToNodeResponse(page, res, options),
  handwritten: (_, res) => handwritten(res, false),
  'handwritten-flush': (_, res) => handwritten(res, true),
  react: (_, res) => react(res, Pagelet, loads),
  'react-html': (_, res) => react(res, PageletHtml, renders),
  bare(_, res) {
    res.writeHead(200, HEADERS);
    res.write(SHELL);
  },
};

async function handwritten(res, flushHeaders) {
  res.writeHead(200, HEADERS);
  if (flushHeaders) res.flushHeaders();
  res.write(SHELL);
  const results = renders.map((render) => render());
  // total on the first payload only, as bigpipe-js writes it
  for (let i = 0; i < COUNT; i++)
    res.write(payloadScript({ target: ids[i], ...(await results[i]), total: i ? undefined : COUNT }));
  res.end(END);
}

function react(res, Component, sources) {
  const data = sources.map((load) => load());
  let closed = false;
  const stream = renderToPipeableStream(h(App, { data, Component }), {
    onShellReady() {
      res.writeHead(200, HEADERS);
      stream.pipe(res);
    },
    onShellError() {
      res.writeHead(500).end();
    },
    // Aborting the pending boundaries of a closed connection is expected; anything else is a real error.
    onError(error) {
      if (!closed) console.error(error);
    },
  });
  res.on('close', () => {
    closed = true;
    stream.abort();
  });
}

const handle = handlers[variant];
if (!handle) throw new Error(`unknown variant ${variant}`);

let open = 0;
const server = createServer((req, res) => {
  open++;
  res.on('close', () => open--);
  handle(req, res);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () =>
  console.log(`listening ${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`),
);

process.on('message', async (message) => {
  if (message === 'open') process.send(open);
  if (message === 'cpu') process.send(process.cpuUsage());
  if (message === 'abort-controller') {
    // Heap of one AbortController with its signal, as the library creates one per pagelet.
    const count = 5000;
    globalThis.gc();
    const before = process.memoryUsage().heapUsed;
    const kept = Array.from({ length: count }, () => {
      const controller = new AbortController();
      void controller.signal;
      return controller;
    });
    globalThis.gc();
    process.send((process.memoryUsage().heapUsed - before) / count);
    kept.length = 0;
  }
  if (message === 'memory') {
    for (let i = 0; i < 4; i++) {
      globalThis.gc?.();
      await tick();
    }
    process.send({ ...process.memoryUsage(), gc: typeof globalThis.gc === 'function' });
  }
});
process.on('disconnect', () => process.exit(0));

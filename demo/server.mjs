// The bigpipe-js demo: one page in three modes, and the two side by side with a live timeline.
//   npm start                 then open the URL it prints (PORT=8080 npm start for another port)
//   /                          BigPipe: the shell at once, each pagelet streamed the moment it is ready
//   /traditional               the server waits for every pagelet and sends one complete page
//   /?bigpipe=inline           no-JS mode: streamed in document order, readable without JavaScript
//   /compare                   BigPipe and traditional side by side, same latencies, with a timeline
// Every latency can be set from the query string, e.g. /compare?feed=400&recs=2500 (see demo/page.mjs).
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { noscriptRedirect, pickMode, renderToNodeResponse, renderToReadableStream } from '../dist/server.js';
import { demoPage, LATENCIES, latencyQuery, readLatencies } from './page.mjs';

const PUBLIC = new URL('./public/', import.meta.url);
const FILES = new Map(readdirSync(PUBLIC).map((name) => [name, readFileSync(new URL(name, PUBLIC))]));
const TYPES = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8' };
const MODES = { pipeline: 'BigPipe', traditional: 'Traditional', inline: 'No-JS (streamed)' };

const escapeText = (text) => String(text).replace(/[&"'<>]/g, (c) => `&#${c.charCodeAt(0)};`);

// Every page load gets its own asset URLs, so each one fetches its stylesheets and scripts as on a first visit
// (and the two frames of /compare share nothing). Within one page a URL is still requested once.
let loads = 0;
let verbose = false; // set when run as a program: log each pagelet that falls back

/** The demo's bar above the page: the modes, a live summary from the timeline probe, and the latency form. */
function bar(current, path, latencies) {
  const query = latencyQuery(latencies);
  const links = {
    pipeline: '/' + query,
    traditional: '/traditional' + query,
    inline: '/' + latencyQuery(latencies, { bigpipe: 'inline' }),
    compare: '/compare' + query,
  };
  const link = (mode, label) =>
    `<a href="${escapeText(links[mode])}"${mode === current ? ' aria-current="page"' : ''}>${label}</a>`;
  const inputs = Object.entries(LATENCIES)
    .map(
      ([name, [fallback, what]]) =>
        `<label><input type="number" name="${name}" value="${latencies[name]}" min="0" max="10000" step="10"> ` +
        `<code>${name}</code> <small>${escapeText(what)} (default ${fallback})</small></label>`,
    )
    .join('');
  return `<div class="demo-bar"><b>bigpipe-js demo</b>
<span class="modes">This page: ${link('pipeline', MODES.pipeline)} · ${link('traditional', MODES.traditional)} · ${link('inline', MODES.inline)} · ${link('compare', 'Side by side')}</span>
<span class="stats" id="demo-stats"></span>
<details><summary>Backend latencies in ms, set from the query string (e.g. <code>?feed=400&amp;recs=2500</code>): try your own</summary>
<form class="latencies" method="get" action="${path}">${current === 'inline' ? '<input type="hidden" name="bigpipe" value="inline">' : ''}${inputs}
<span><button>Reload with these</button> <a href="${path}${current === 'inline' ? '?bigpipe=inline' : ''}">defaults</a></span></form></details></div>`;
}

/** The page in one of three modes: pipeline and inline stream, traditional is rendered whole and sent once. */
async function sendPage(req, res, url, mode) {
  const latencies = readLatencies(url.searchParams);
  const version = (++loads).toString(36);
  const asset = (name) => {
    const delay = latencies[name.endsWith('.css') ? 'css' : 'js'];
    return `/static/${name}?v=${version}` + (delay ? `&delay=${delay}` : '');
  };
  const page = demoPage({
    latencies,
    asset,
    bar: url.searchParams.has('embed') ? '' : bar(mode, url.pathname, latencies),
  });
  const ids = page.pagelets.map((p) => p.id).join(' ');
  page.head =
    `<title>${MODES[mode]} · bigpipe-js demo</title><style>${FILES.get('site.css')}</style>` +
    `<script data-mode="${mode}" data-pagelets="${escapeText(ids)}">${FILES.get('timeline.js')}</script>` +
    (mode === 'pipeline' ? noscriptRedirect(req.url) : '');
  const onError = (error, id) =>
    verbose && console.log(`  ${url.pathname}: pagelet ${id} shows its fallback (${error.message})`);

  if (mode !== 'traditional') return renderToNodeResponse(page, res, { mode, onError });

  // Traditional: the same page in document order (inline mode), buffered until the slowest pagelet is done.
  const cancel = new AbortController();
  res.on('close', () => res.writableFinished || cancel.abort());
  const html = await new Response(
    renderToReadableStream(page, { mode: 'inline', onError, signal: cancel.signal }),
  ).text();
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-cache',
  });
  res.end(html);
}

/** BigPipe in one frame, traditional (or no-JS) in the other, with a timeline drawn from both frames' probes. */
function sendCompare(res, url) {
  const latencies = readLatencies(url.searchParams);
  const other = url.searchParams.get('against') === 'inline' ? 'inline' : 'traditional';
  const frame = (mode) =>
    mode === 'traditional'
      ? '/traditional' + latencyQuery(latencies, { embed: 1 })
      : '/' + latencyQuery(latencies, mode === 'inline' ? { bigpipe: 'inline', embed: 1 } : { embed: 1 });
  const figure = (mode) =>
    `<figure data-mode="${mode}"><figcaption><b>${MODES[mode]}</b> <span class="summary"></span></figcaption>` +
    `<div class="frame"><iframe src="${escapeText(frame(mode))}" title="${MODES[mode]}"></iframe></div></figure>`;
  const switchTo = other === 'inline' ? 'traditional' : 'inline';
  const ids = demoPage({ latencies, asset: (name) => name }).pagelets.map((p) => p.id);
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>BigPipe vs ${MODES[other]} · bigpipe-js demo</title><style>${FILES.get('site.css')}${FILES.get('compare.css')}</style>
<script src="/static/compare.js"></script></head><body class="compare">
${bar('compare', '/compare', latencies)}
<div class="intro"><p>The same page, the same backend latencies, loaded at the same moment. <b>Left</b>, BigPipe streams the
shell at once and shows each pagelet as soon as it is ready; <b>right</b>, ${
    other === 'traditional'
      ? 'the server waits for the slowest pagelet and sends one complete page'
      : 'no-JS mode streams each pagelet in place, in document order, so a slow pagelet holds back everything below it'
  }. <button type="button" id="replay">Load both again</button> <a href="/compare${escapeText(latencyQuery(latencies, switchTo === 'inline' ? { against: 'inline' } : {}))}">compare with ${MODES[switchTo]} instead</a></p></div>
<div class="frames">${figure('pipeline')}${figure(other)}</div>
<section class="chart" aria-label="Timeline per pagelet"><div id="chart" data-pagelets="${escapeText(ids.join(' '))}"></div>
<p class="legend"><span class="k wait"></span> waiting for the server <span class="k css"></span> arrived, loading its stylesheets
<span class="k shown"></span> displayed <span class="k js"></span> until its JS ran. <i>Whole page</i>: first paint (grey tick) and JS done
(green tick). BigPipe runs pagelet JS only once every pagelet is displayed; there "JS done" is <code>bigpipe:done</code>. Without the runtime a pagelet counts as displayed once its markup is in the
document and the stylesheets inside it have loaded. Times are from each frame's navigation start.</p></section>
</body></html>`;
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' }).end(html);
}

/** Files of demo/public, each delayed by its ?delay= (ms, at most 10 s) to play a slow CDN. */
function sendStatic(_req, res, url) {
  const name = url.pathname.slice('/static/'.length);
  const body = FILES.get(name);
  const type = TYPES[name.split('.').pop()];
  if (!body || !type) return res.writeHead(404).end();
  const delay = Math.min(Math.max(Number(url.searchParams.get('delay')) || 0, 0), 10_000);
  const timer = setTimeout(() => {
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': body.length,
      // Versioned URLs (one version per page load) may be cached; the rest is revalidated.
      'Cache-Control': url.searchParams.has('v') ? 'max-age=3600' : 'no-cache',
    });
    res.end(body);
  }, delay);
  res.on('close', () => clearTimeout(timer));
}

async function handle(req, res) {
  // A request line need not be a URL (`GET //[ HTTP/1.1` passes Node's parser): answer it, never throw on it.
  const url = URL.canParse(req.url, 'http://localhost') ? new URL(req.url, 'http://localhost') : undefined;
  try {
    if (!url) res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Bad request\n');
    else if (req.method !== 'GET' && req.method !== 'HEAD') res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    else if (url.pathname === '/') await sendPage(req, res, url, pickMode(req));
    else if (url.pathname === '/traditional') await sendPage(req, res, url, 'traditional');
    else if (url.pathname === '/compare') sendCompare(res, url);
    else if (url.pathname.startsWith('/static/')) sendStatic(req, res, url);
    else if (url.pathname === '/favicon.ico') res.writeHead(204).end();
    else res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found. Try / or /compare\n');
  } catch (error) {
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Internal error\n');
    else res.destroy();
    if (error?.name !== 'AbortError') console.error(error); // an aborted traditional render: the client left
  }
}

/** Starts the demo server on `port` (0: any free port) and returns it; it is listening once 'listening' fires. */
export function start(port = Number(process.env.PORT ?? 3000), host = process.env.HOST ?? '127.0.0.1') {
  const server = createServer(handle);
  server.listen(port, host);
  return server;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  verbose = true;
  const server = start();
  server.on('listening', () => {
    const { address, port } = server.address();
    const origin = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
    console.log(`bigpipe-js demo: ${origin}/  (side by side: ${origin}/compare)`);
  });
}

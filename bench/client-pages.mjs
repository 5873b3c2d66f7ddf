// Pages for the client benchmarks (bench/client-cpu.mjs): a loopback server that streams a shell, holds the rest of
// the response until the benchmark releases it, then sends every pagelet at once, as a server whose data all came
// back together would. Three ways to fill the same 1,000 placeholders: our runtime (dist/bigpipe.min.js with
// `BigPipe.onPageletArrive` payloads, written by our own serializer), a raw `getElementById(id).innerHTML = html`
// script per pagelet, and React 19's streaming reveal runtime (react-dom/server, one Suspense boundary per pagelet).
import { createServer } from 'node:http';
import { once } from 'node:events';
import { createElement as h, Suspense, use } from 'react';
import { renderToPipeableStream } from 'react-dom/server';
import { serializePagelet } from '../dist/server.js';

/** The content of pagelet i: tiny (about 45 bytes), the same markup in every variant. */
export const item = (i, sheet) =>
  `<p class="c${sheet ? ' s' + sheet.k : ''}" data-i="${i}">Item ${i} · <b>user${i % 97}</b></p>`;
const ReactItem = ({ i, sheet, ready }) => {
  use(ready);
  // The same DOM as item(i); a stylesheet rendered inside the boundary, so React's $RR waits for it before revealing.
  return [
    sheet && h('link', { key: 's', rel: 'stylesheet', href: sheet.url, precedence: 'default' }),
    h(
      'p',
      { key: 'p', className: sheet ? 'c s' + sheet.k : 'c', 'data-i': String(i) },
      `Item ${i} · `,
      h('b', null, `user${i % 97}`),
    ),
  ];
};

// A performance mark at the start of the released part: the trace's window starts there (bench/client-trace.mjs).
const MARK = '<script>performance.mark("release")</script>';
const HEAD = (extra = '') =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>client bench</title>${extra}</head><body>`;

/**
 * A page plan: `n` pagelets, `sheets[i]` the stylesheet of pagelet i ({ k, url }, or none), `probe` an in-page recorder script
 * for the head (the display-latency runs; the CPU runs have none), `nested`: payload i waits on a placeholder that
 * payload i+1 brings (a chain; the last one's placeholder is in the shell); `flat`: the same markup (an empty div each)
 * with every placeholder in the shell.
 */
export function ours({ n, runtimeUrl, sheets = [], probe = '', nested = false, flat = false }) {
  const id = (i) => (nested ? 'n' : 'p') + i;
  const placeholders = nested
    ? `<div id="n${n - 1}"></div>`
    : Array.from({ length: n }, (_, i) => `<div id="p${i}"></div>`).join('');
  const html = (i) =>
    item(i, sheets[i]) + (nested ? (i ? `<div id="n${i - 1}"></div>` : '') : flat ? `<div id="x${i}"></div>` : '');
  // total on the first payload only, as our server writes it
  const payload = (i) => ({
    target: id(i),
    html: html(i),
    ...(sheets[i] && { css_links: [sheets[i].url] }),
    ...(!i && { total: n }),
  });
  return {
    shell: HEAD(probe + `<script src="${runtimeUrl}"></script>`) + placeholders + '<div id="shell-end"></div>',
    burst: MARK + Array.from({ length: n }, (_, i) => serializePagelet(payload(i))).join('') + '</body></html>',
  };
}

/** The floor: what the runtime's display step does, and nothing else. Same escaping as a payload. */
export function raw({ n }) {
  const set = (i) =>
    `<script>document.getElementById(${JSON.stringify('p' + i)}).innerHTML=${JSON.stringify(item(i)).replace(/</g, '\\u003c')}</script>`;
  return {
    shell:
      HEAD() + Array.from({ length: n }, (_, i) => `<div id="p${i}"></div>`).join('') + '<div id="shell-end"></div>',
    burst: MARK + Array.from({ length: n }, (_, i) => set(i)).join('') + '</body></html>',
  };
}

/**
 * React 19: `n` Suspense boundaries (each in a div, as our placeholders) suspended on one promise; the release resolves
 * it and React streams every completed boundary as `<div hidden id="S:i">…</div><script>$RC("B:i","S:i")</script>`
 * (`$RR` with the stylesheets it waits for). Returns a function that renders into a response.
 */
export function react({ n, sheets = [], probe = '' }) {
  return (res, released) => {
    let release;
    const ready = new Promise((resolve) => (release = resolve));
    const boundaries = Array.from({ length: n }, (_, i) =>
      h('div', { key: i }, h(Suspense, { fallback: null }, h(ReactItem, { i, sheet: sheets[i], ready }))),
    );
    const app = h(
      'html',
      null,
      h(
        'head',
        null,
        h('meta', { charSet: 'utf-8' }),
        h('title', null, 'client bench'),
        // biome-ignore lint/security/noDangerouslySetInnerHtml: the bench's own recorder script, a constant
        probe && h('script', { dangerouslySetInnerHTML: { __html: probe.replace(/^<script>|<\/script>$/g, '') } }),
      ),
      h('body', null, ...boundaries, h('div', { id: 'shell-end' })),
    );
    const stream = renderToPipeableStream(app, {
      onShellReady() {
        stream.pipe(res);
        released.then(() => (res.write(MARK), release()));
      },
      onShellError: (error) => res.destroy(error),
    });
  };
}

/**
 * The in-page recorder of the display-timing runs (not in the CPU runs), a MutationObserver. Per pagelet it notes when
 * its payload arrived (ours: the parser inserted its payload <script>; React: its hidden <div id="S:…">), when its
 * content first was in the document outside a `hidden` element (React parses content into a hidden div, then moves
 * it), and, for a pagelet with a stylesheet, whether that sheet applied by then (each sheet sets --sheet). Records
 * arrive at the end of the task or script that made them, before any frame can paint it.
 */
export const PROBE = `<script>
window.arrived = new Map();
window.shown = new Map();
let partial = []; // payloads the parser inserted before all their text was there (a network chunk ended there)
new MutationObserver((records) => {
  const now = performance.now();
  const payload = (node) => {
    // React names segments in hex, in its own order: the pagelet is the one whose content the segment holds.
    const id = node.tagName == 'SCRIPT' ? /^BigPipe.+"target":"p(\\d+)".*\\)$/s.exec(node.text) : /^S:/.test(node.id) && [, node.querySelector('p.c')?.dataset.i];
    if (id && id[1]) arrived.has(+id[1]) || arrived.set(+id[1], now);
    else return node.tagName == 'SCRIPT' ? !node.text.includes('performance.mark') : id; // wait for the rest
  };
  partial = partial.filter(payload);
  for (const r of records) for (const node of r.addedNodes) {
    if (node.nodeType != 1) continue;
    if (payload(node)) partial.push(node);
    for (const p of node.matches('p.c') ? [node] : node.querySelectorAll('p.c')) {
      const i = +p.dataset.i;
      if (shown.has(i) || p.closest('[hidden]')) continue;
      shown.set(i, { at: now, styled: p.classList.length > 1 ? getComputedStyle(p).getPropertyValue('--sheet').trim() : '' });
    }
  }
}).observe(document, { childList: true, subtree: true });
</script>`;

/** A loopback server for these pages: `serve(plan)` returns a URL; `release(url)` lets its burst go. */
export async function pageServer({ runtime }) {
  const plans = new Map(); // path -> plan
  const gates = new Map(); // path -> release()
  let next = 0;
  const server = createServer(async (req, res) => {
    const path = req.url.split('?')[0];
    if (path.startsWith('/rt/')) {
      return res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(runtime[path.slice(4, -3)]);
    }
    const sheet = /^\/s\/(\d+)\.css$/.exec(path);
    if (sheet) {
      // Sheet k sets --sheet: k, so the page can see that it applied; it arrives after its delay.
      const delay = Number(new URL(req.url, 'http://x').searchParams.get('delay') ?? 0);
      setTimeout(
        () => res.writeHead(200, { 'Content-Type': 'text/css' }).end(`.s${sheet[1]} { --sheet: ${sheet[1]} }`),
        delay,
      );
      return;
    }
    const plan = plans.get(path);
    if (!plan) return res.writeHead(404).end();
    plans.delete(path);
    const released = new Promise((resolve) => gates.set(path, resolve));
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    if (typeof plan === 'function') return plan(res, released);
    res.write(plan.shell);
    await released;
    res.end(plan.burst);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
  return {
    base,
    serve: (plan) => {
      const path = `/page/${next++}`;
      plans.set(path, plan);
      return base + path;
    },
    release: (url) => gates.get(new URL(url).pathname)?.(),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// After the document's load event: long enough for React's reveal throttle (300 ms after its last reveal or first
// paint) and the frame that paints the last pagelet. Idle time costs no thread time; the trace covers it all.
const SETTLE_MS = 600;

/**
 * One load of a streamed page in `tab`: waits for the shell to be parsed and painted, calls `before()` (start a trace
 * or a profile), releases the pagelets, waits for the load event and SETTLE_MS more, calls `after()` and returns how
 * many pagelets' content is in the document outside a hidden element.
 * @param {import('playwright-core').Page} tab
 * @param {{ serve: (plan: any) => string, release: (url: string) => void }} server
 * @param {any} plan
 * @param {{ before?: (url: string) => unknown, after?: (url: string) => any }} [hooks]
 */
export async function streamedLoad(tab, server, plan, { before, after } = {}) {
  const url = server.serve(plan);
  await tab.goto(url, { waitUntil: 'commit' });
  await tab.waitForFunction(() => document.getElementById('shell-end'));
  await tab.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 20))));
  await before?.(url);
  server.release(url);
  await tab.waitForLoadState('load');
  await tab.evaluate((ms) => new Promise((resolve) => setTimeout(resolve, ms)), SETTLE_MS);
  const result = await after?.(url);
  const shown = await tab.evaluate(
    () => [...document.querySelectorAll('p.c')].filter((p) => !p.closest('[hidden]')).length,
  );
  return { url, shown, result };
}

/** Hooks for streamedLoad that count the runtime's events in the page: `after` resolves with { display, done, error }. */
export const countEvents = (tab) => ({
  before: () =>
    tab.evaluate(() => {
      const page = /** @type {any} */ (window);
      const counts = (page.counts = { display: 0, done: 0, error: 0 });
      for (const type of Object.keys(counts)) document.addEventListener('bigpipe:' + type, () => counts[type]++);
    }),
  after: () => tab.evaluate(() => /** @type {any} */ (window).counts),
});

// Pages streamed by the server module itself (renderToNodeResponse), in every engine: pipeline mode
// displays every pagelet, with the runtime inline, loaded async behind the stub, and as an ES module
// (dist/client.js) under a nonce-only CSP; inline mode is complete and in place when read with
// JavaScript off.
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEngine } from './engine';
import { placeholder, renderToNodeResponse, type Page, type RenderOptions } from 'bigpipe-js/server';
import { ENGINES, until, type Tab } from '../support/drivers';
import { runtime } from './fixture';
import { serve, type Listening } from '../support/loopback.mjs';
import { TOKEN_RECORDER } from '../support/recorder.mjs';

// Realism only: pagelets finish out of document order. No outcome depends on these delays.
const later = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms));

// A page's own scripts carry the response's nonce under a nonce-only CSP; the server puts it on its own tags.
const NONCE = 'cmVuZGVyLXRlc3Q';
const CSP = `script-src 'nonce-${NONCE}'; style-src 'nonce-${NONCE}'`;

// Runs after the runtime (the server puts the page's head after it), before any payload.
const RECORDER = `<script nonce="${NONCE}">
${TOKEN_RECORDER}
</script>`;

const IDS = ['nav', 'feed', 'ads', 'footer'];
const FILLER = `<p>${'A page streamed by renderToNodeResponse: the skeleton first, then every pagelet as it is ready. '.repeat(4)}</p>`;

const page = (): Page => ({
  head: `<title>render</title>${RECORDER}`,
  body: `${FILLER}${IDS.map(placeholder).join('')}<p id="end">end</p>`,
  pagelets: [
    { id: 'nav', render: () => later(40, { html: '<a href="/">home</a>', css_links: ['/nav.css'] }) },
    {
      id: 'feed',
      render: () =>
        later(5, {
          html: '<ul><li>one</li><li>two</li></ul>',
          js_links: ['/feed.js'],
          js: "document.getElementById('feed').dataset.js = window.feedLib",
        }),
    },
    { id: 'ads', render: () => ({ html: '<p>ad</p>', css: '#ads p { color: rgb(9, 9, 9) }' }) },
    { id: 'footer', render: () => later(20, { html: '<small>footer</small>' }) },
  ],
});

const CONTENT: Record<string, string> = {
  nav: '<a href="/">home</a>',
  feed: '<ul><li>one</li><li>two</li></ul>',
  ads: '<p>ad</p>',
  footer: '<small>footer</small>',
};

const routes: Record<string, (res: http.ServerResponse) => void> = {
  '/nav.css': (res) => res.writeHead(200, { 'Content-Type': 'text/css' }).end('#nav a { color: rgb(0, 0, 128) }'),
  '/feed.js': (res) => res.writeHead(200, { 'Content-Type': 'text/javascript' }).end("window.feedLib = 'loaded'"),
  '/bigpipe.min.js': (res) => res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(runtime()),
  // The ESM build as a bundle would ship it: it imports nothing.
  '/client.js': (res) =>
    res
      .writeHead(200, { 'Content-Type': 'text/javascript' })
      .end(readFileSync(new URL('../../dist/client.js', import.meta.url))),
  '/favicon.ico': (res) => res.writeHead(204).end(),
};
const pages: Record<string, RenderOptions> = {
  '/pipeline-inline-runtime': {},
  '/pipeline-async-runtime': { runtime: { src: '/bigpipe.min.js', async: true } },
  '/pipeline-module-runtime-csp': { runtime: { src: '/client.js', module: true }, nonce: NONCE },
  '/inline-mode': { mode: 'inline' },
};

let server: Listening;
let base = '';

beforeAll(async () => {
  server = await serve((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    if (pages[path]) {
      if (pages[path].nonce) res.setHeader('Content-Security-Policy', CSP);
      return void renderToNodeResponse(page(), res, pages[path]);
    }
    (routes[path] ?? ((r) => r.writeHead(404).end()))(res);
  });
  base = server.base;
});

afterAll(() => server.close());

describe.each(ENGINES)('%s', (name) => {
  const engine = useEngine(name, 'renderToNodeResponse pages');

  const displaysEveryPagelet = async (path: string) => {
    const tab = await engine().open(`${base}${path}`);
    try {
      const { events, html, feedJs, color } = await tab.eval<{
        events: string[];
        html: Record<string, string>;
        feedJs: string;
        color: string;
      }>(
        `window.__done.then(() => ({
          events: __events,
          html: Object.fromEntries(${JSON.stringify(IDS)}.map((id) => [id, document.getElementById(id).innerHTML])),
          feedJs: document.getElementById('feed').dataset.js,
          color: getComputedStyle(document.querySelector('#nav a')).color,
        }))`,
      );
      expect(html).toEqual(CONTENT);
      expect([...events].sort()).toEqual([...IDS.flatMap((id) => [`arrive:${id}`, `display:${id}`]), 'done'].sort());
      expect(feedJs, 'the feed pagelet ran its inline js after its script').toBe('loaded');
      expect(color, 'the nav stylesheet applies').toBe('rgb(0, 0, 128)');
      expect(await tab.errors()).toEqual([]);
    } finally {
      await tab.close();
    }
  };

  it('displays every pagelet of a page streamed with the runtime inline', () =>
    displaysEveryPagelet('/pipeline-inline-runtime'));

  it('displays every pagelet of a page streamed with the runtime async behind the stub', () =>
    displaysEveryPagelet('/pipeline-async-runtime'));

  it('displays every pagelet with the ES module runtime under a nonce-only CSP (no currentScript in a module)', () =>
    displaysEveryPagelet('/pipeline-module-runtime-csp'));

  it('shows every pagelet in place in inline mode with JavaScript off', async () => {
    let tab: Tab;
    try {
      tab = await engine().open(`${base}/inline-mode`, { javaScript: false });
    } catch (e) {
      // The driver's way of saying this engine cannot turn JavaScript off.
      if (!/unsupported/i.test(String(e))) throw e;
      expect(String(e)).toContain(`[${name}]`);
      console.warn(`[${name}] JavaScript cannot be disabled: inline mode not checked`);
      return;
    }
    try {
      await until('#end', async () => (await tab.html('#end')) !== null, 15_000);
      expect(await tab.html('#nav')).toBe(`<div id="nav"><link rel="stylesheet" href="/nav.css">${CONTENT.nav}</div>`);
      expect(await tab.html('#feed')).toBe(
        `<div id="feed">${CONTENT.feed}<script src="/feed.js"></script><script>document.getElementById('feed').dataset.js = window.feedLib</script></div>`,
      );
      expect(await tab.html('#ads')).toBe(
        `<div id="ads"><style>#ads p { color: rgb(9, 9, 9) }</style>${CONTENT.ads}</div>`,
      );
      expect(await tab.html('#footer')).toBe(`<div id="footer">${CONTENT.footer}</div>`);
      // No runtime in inline mode, and with JavaScript off no pagelet script ran.
      expect(await tab.eval('[typeof window.BigPipe, document.getElementById("feed").dataset.js]')).toEqual([
        'undefined',
        null,
      ]);
    } finally {
      await tab.close();
    }
  });
});

// Every documented way to load the runtime streams, in every engine: a fast pagelet is displayed while the server
// still holds the slow one. The slow pagelet is released only when the page reports the fast one shown, so a
// runtime that runs only once the document is parsed to its end (a deferred one) never gets there: the test fails.
// The controls show why: a `defer` script, and a module script without `async`, run only after the parse.
// The async and module ways go through the loader (PROTOCOL.md §5), also under a strict nonce CSP with Trusted Types
// enforced and with subresource integrity.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STUB } from '../../src/protocol';
import {
  placeholder,
  renderToNodeResponse,
  serializePagelet,
  type Page,
  type RenderOptions,
} from '../../src/server/index';
import { ENGINES } from './drivers';
import { useEngine } from './engine';
import { runtime } from './fixture';

const FAST = '<p>fast pagelet</p>';
const SLOW = '<p>slow pagelet</p>';
const LOADING = 'Loading…';
// WebKit paints nothing of a tiny streamed document, and WPE commits nothing before 512 bytes (PROTOCOL.md §8).
const FILLER = `<p>${'A page whose pagelets stream in as they are ready, however the runtime is loaded. '.repeat(5)}</p>`;

/** What the page reports when the fast pagelet is displayed. */
interface Shown {
  readyState: string;
  fast: string;
  slow: string;
}

/**
 * Runs right after the runtime or the stub, before any payload: reports the fast pagelet's display to the server
 * (XMLHttpRequest: Firefox may hold fetch() back while the page loads) and keeps the order of displays.
 */
const recorder = (run: string, nonce = '') => `<script${nonce && ` nonce="${nonce}"`}>
window.__displays = [];
window.__done = new Promise((resolve) => document.addEventListener('bigpipe:done', () => resolve(__displays)));
document.addEventListener('bigpipe:display', (e) => {
  __displays.push(e.detail.target);
  if (e.detail.target !== 'fast') return;
  const x = new XMLHttpRequest();
  x.open('POST', '/shown?run=${run}');
  x.send(JSON.stringify({ readyState: document.readyState, fast: document.getElementById('fast').innerHTML, slow: document.getElementById('slow').innerHTML }));
});
</script>`;

const body = `${FILLER}${placeholder('fast', { content: LOADING })}${placeholder('slow', { content: LOADING })}`;

const scripts: Record<string, string> = {
  '/bigpipe.min.js': runtime(),
  '/client.js': readFileSync(new URL('../../dist/client.js', import.meta.url), 'utf8'),
};
const sri = (path: string) => `sha384-${createHash('sha384').update(scripts[path]!).digest('base64')}`;

const NONCE = 'bG9hZGluZy1tb2Rlcw';
/** A strict nonce CSP with Trusted Types enforced (in the engines that have them: not WPE 2.38). */
const CSP = `script-src 'nonce-${NONCE}'; require-trusted-types-for 'script'; trusted-types bigpipe`;

/** Pages the server module renders, one per documented loading mode; `run` goes in the runtime's URL, to count fetches. */
const MODES: Record<string, (run: string) => RenderOptions> = {
  inline: () => ({}),
  'script tag': (run) => ({ runtime: { src: `/bigpipe.min.js?run=${run}` } }),
  'async + stub': (run) => ({ runtime: { src: `/bigpipe.min.js?run=${run}`, async: true } }),
  // The ESM build, as a bundle that imports bigpipe-js/client would ship it.
  module: (run) => ({ runtime: { src: `/client.js?run=${run}`, module: true } }),
  // The loader's markup carries the nonce (preload, tag, loader) and the integrity (preload, tag).
  'async + stub, nonce CSP, Trusted Types, integrity': (run) => ({
    runtime: { src: `/bigpipe.min.js?run=${run}`, async: true, integrity: sri('/bigpipe.min.js') },
    nonce: NONCE,
  }),
  'module, nonce CSP, Trusted Types, integrity': (run) => ({
    runtime: { src: `/client.js?run=${run}`, module: true, integrity: sri('/client.js') },
    nonce: NONCE,
  }),
};

/** Hand-written heads whose runtime runs only after the parse (what PROTOCOL.md §5 warns of). */
const DEFERRED: Record<string, string> = {
  defer: `<script>${STUB}</script><script defer src="/bigpipe.min.js"></script>`,
  'module without async': `<script>${STUB}</script><script type="module" src="/client.js"></script>`,
};

interface Run {
  shown: Promise<Shown>;
  report(shown: Shown): void;
  /** lets the slow pagelet go (at the report, or when the test gives up) */
  release(): void;
  released: Promise<void>;
  /** requests for the runtime's URL */
  fetches: number;
}

const runs = new Map<string, Run>();
let nextRun = 0;
const newRun = (): [string, Run] => {
  let report!: (s: Shown) => void;
  let release!: () => void;
  const shown = new Promise<Shown>((r) => (report = r));
  const released = new Promise<void>((r) => (release = r));
  const id = String(++nextRun);
  const run = { shown, report, release, released, fetches: 0 };
  runs.set(id, run);
  return [id, run];
};

let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const run = runs.get(url.searchParams.get('run') ?? '');
    if (req.method === 'POST' && url.pathname === '/shown' && run) {
      let text = '';
      req
        .setEncoding('utf8')
        .on('data', (c) => (text += c))
        .on('end', () => {
          res.writeHead(204).end();
          run.report(JSON.parse(text));
          run.release();
        });
      return;
    }
    const id = url.searchParams.get('run')!;
    const mode = url.searchParams.get('mode') ?? '';
    if (url.pathname === '/page' && run && MODES[mode]) {
      const options = MODES[mode](id);
      if (options.nonce) res.setHeader('Content-Security-Policy', CSP);
      const page: Page = {
        head: `<title>${mode}</title>${recorder(id, options.nonce)}`,
        body,
        pagelets: [
          { id: 'fast', render: () => ({ html: FAST }) },
          { id: 'slow', render: () => run.released.then(() => ({ html: SLOW })) },
        ],
      };
      // No pagelet timeout: only the page's report lets the slow pagelet go.
      return void renderToNodeResponse(page, res, { ...options, timeout: Infinity }).catch(() => {});
    }
    if (url.pathname === '/broken') {
      // A runtime URL that answers 404 (a wrong path, a CDN outage), loaded through the loader.
      const page: Page = {
        head: '<title>runtime missing</title>',
        body,
        pagelets: [
          { id: 'fast', render: () => ({ html: FAST }) },
          { id: 'slow', render: () => ({ html: SLOW }) },
        ],
      };
      return void renderToNodeResponse(page, res, { runtime: { src: '/missing.js', async: true } }).catch(() => {});
    }
    if (url.pathname === '/deferred' && run && DEFERRED[mode] !== undefined) {
      // Both payloads at once, then the end: the point is when the runtime runs, not how long the server takes.
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(
        `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${mode}</title>${DEFERRED[mode]}${recorder(id)}</head>` +
          `<body>${body}${serializePagelet({ target: 'fast', html: FAST })}${serializePagelet({ target: 'slow', html: SLOW })}</body></html>`,
      );
      return;
    }
    const script = scripts[url.pathname];
    if (script !== undefined && run) run.fetches++;
    if (script !== undefined) return void res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
    res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const run of runs.values()) run.release();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Bound on waiting for the page's report: past it the test fails (it is no measure of speed). */
const REPORT_TIMEOUT = 20_000;

const reported = (run: Run, what: string) =>
  new Promise<Shown>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what}: the fast pagelet was never reported displayed`)),
      REPORT_TIMEOUT,
    );
    run.shown.then((s) => (clearTimeout(timer), resolve(s)));
  });

describe.each(ENGINES)('%s', (name) => {
  const engine = useEngine(name, 'loading modes');

  it.each(Object.keys(MODES))('shows the fast pagelet while the slow one is held, runtime loaded %s', async (mode) => {
    const [id, run] = newRun();
    const tab = await engine().open(`${base}/page?mode=${encodeURIComponent(mode)}&run=${id}`);
    try {
      const shown = await reported(run, `${name}, ${mode}`);
      // The document is still loading: the server has not sent the slow pagelet, nor the end.
      expect(shown).toEqual({ readyState: 'loading', fast: FAST, slow: LOADING });
      // Released at the report: the slow pagelet follows, and the page completes.
      const displays = await tab.eval<string[]>('window.__done');
      expect(displays).toEqual(['fast', 'slow']);
      expect(await tab.html('#slow')).toBe(`<div id="slow">${SLOW}</div>`);
      expect(await tab.errors()).toEqual([]);
      // One request for a runtime from a URL: the loader's preload and the inserted script share it.
      expect(run.fetches).toBe(mode === 'inline' ? 0 : 1);
    } finally {
      run.release();
      await tab.close();
    }
  });

  it('keeps each placeholder as it is and throws nothing when the runtime cannot load (loader, 404)', async () => {
    const tab = await engine().open(`${base}/broken`);
    try {
      // The inserted script delays the load event until its request has failed.
      const state = await tab.eval(`new Promise((resolve) => {
        const done = () => resolve({
          queued: BigPipe.q.length,
          fast: document.getElementById('fast').textContent,
          slow: document.getElementById('slow').textContent,
        });
        document.readyState == 'complete' ? done() : addEventListener('load', done);
      })`);
      // The payloads wait in the stub's queue; the page keeps its 'Loading…' and stays usable.
      expect(state).toEqual({ queued: 2, fast: LOADING, slow: LOADING });
      // Only the failed request itself may be reported (as a resource error); no script throws.
      expect((await tab.errors()).filter((e) => !/missing\.js|404|Failed to load/i.test(e))).toEqual([]);
    } finally {
      await tab.close();
    }
  });

  it.each(Object.keys(DEFERRED))(
    'control: a runtime loaded with %s shows nothing before the parse has ended',
    async (mode) => {
      const [id, run] = newRun();
      const tab = await engine().open(`${base}/deferred?mode=${encodeURIComponent(mode)}&run=${id}`);
      try {
        const shown = await reported(run, `${name}, ${mode}`);
        // Deferred scripts run once the parser is done ('interactive'): on a streamed page, after the last pagelet.
        expect(shown).toEqual({ readyState: 'interactive', fast: FAST, slow: LOADING });
        expect(await tab.eval<string[]>('window.__done')).toEqual(['fast', 'slow']);
      } finally {
        run.release();
        await tab.close();
      }
    },
  );
});

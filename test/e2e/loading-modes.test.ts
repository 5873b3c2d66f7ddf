// Every documented way to load the runtime streams, in every engine: a fast pagelet is displayed while the server
// still holds the slow one. The slow pagelet is released only when the page reports the fast one shown, so a
// runtime that runs only once the document is parsed to its end (a deferred one) never gets there: the test fails.
// The controls show why: a `defer` script, and a module script without `async`, run only after the parse.
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
const recorder = (run: string) => `<script>
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

/** Pages the server module renders, one per documented loading mode. */
const MODES: Record<string, RenderOptions> = {
  inline: {},
  'script tag': { runtime: { src: '/bigpipe.min.js' } },
  'async + stub': { runtime: { src: '/bigpipe.min.js', async: true } },
  // The ESM build, as a bundle that imports bigpipe-js/client would ship it.
  module: { runtime: { src: '/client.js', module: true } },
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
}

const runs = new Map<string, Run>();
let nextRun = 0;
const newRun = (): [string, Run] => {
  let report!: (s: Shown) => void;
  let release!: () => void;
  const shown = new Promise<Shown>((r) => (report = r));
  const released = new Promise<void>((r) => (release = r));
  const id = String(++nextRun);
  const run = { shown, report, release, released };
  runs.set(id, run);
  return [id, run];
};

const scripts: Record<string, string> = {
  '/bigpipe.min.js': runtime(),
  '/client.js': readFileSync(new URL('../../dist/client.js', import.meta.url), 'utf8'),
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
      const page: Page = {
        head: `<title>${mode}</title>${recorder(id)}`,
        body,
        pagelets: [
          { id: 'fast', render: () => ({ html: FAST }) },
          { id: 'slow', render: () => run.released.then(() => ({ html: SLOW })) },
        ],
      };
      // No pagelet timeout: only the page's report lets the slow pagelet go.
      return void renderToNodeResponse(page, res, { ...MODES[mode], timeout: Infinity }).catch(() => {});
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

  // WebKit (WPE 2.38, WebKitGTK 2.50) runs a script that has the async attribute, while the document is parsing, only
  // once the page has painted, and these headless WebKits sometimes did not paint for 20 s (a script inserted by a
  // script was not held: measured in WPE with the same page). So there the async modes are checked to display every pagelet,
  // not to stream; PROTOCOL.md §5 says so.
  const paintGated = (mode: string) =>
    (name === 'webkit' || name === 'webkitgtk') && (mode === 'async + stub' || mode === 'module');
  const streamed = Object.keys(MODES).filter((mode) => !paintGated(mode));
  const gated = Object.keys(MODES).filter(paintGated);

  it.each(streamed)('shows the fast pagelet while the slow one is held, runtime loaded %s', async (mode) => {
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
    } finally {
      run.release();
      await tab.close();
    }
  });

  it.each(gated)('shows every pagelet, runtime loaded %s (held to the first paint in WebKit)', async (mode) => {
    const [id, run] = newRun();
    run.release(); // the slow pagelet is not held: the runtime may wait for a paint that headless WebKit delays
    const tab = await engine().open(`${base}/page?mode=${encodeURIComponent(mode)}&run=${id}`);
    try {
      expect(await tab.eval<string[]>('window.__done')).toEqual(['fast', 'slow']);
      expect(await tab.html('#slow')).toBe(`<div id="slow">${SLOW}</div>`);
      expect(await tab.errors()).toEqual([]);
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

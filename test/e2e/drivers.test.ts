// Proves the driver layer does what the e2e suite relies on, in every engine: observing a page
// while its response is still streaming, waiting on page-side promises, reading the DOM with
// JavaScript off, and collecting console/page/CSP errors.
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEngine } from './engine';
import { ENGINES, until } from '../support/drivers';
import { serve, type Listening } from '../support/loopback.mjs';

const HTML = { 'Content-Type': 'text/html; charset=utf-8' };
const TEXT = 'BigPipe flushes the page skeleton first and streams each pagelet as it becomes ready. '.repeat(5);

/** The first chunk of every page: ~430 visible characters. WPE WebKit (libsoup's content sniffer)
 *  does not commit a navigation before 512 bytes of body have arrived, charset and nosniff or not. */
const FIRST_CHUNK = `<!doctype html><html><head><meta charset="utf-8"><title>e2e</title></head><body>\n<p id="first">${TEXT}</p>\n`;
if (Buffer.byteLength(FIRST_CHUNK) < 512) throw new Error('FIRST_CHUNK must be at least 512 bytes');

// One loopback server for all engines. A route either answers at once or hands its response to
// the test, which decides when to write more and when to end it.
const routes = new Map<string, (res: http.ServerResponse) => void>();
const open = new Set<http.ServerResponse>();
let server: Listening;
let base = '';

beforeAll(async () => {
  server = await serve((req, res) => {
    const route = routes.get(req.url ?? '');
    if (!route) return void res.writeHead(404).end();
    open.add(res);
    res.once('close', () => open.delete(res));
    route(res);
  });
  base = server.base;
});

afterAll(async () => {
  for (const res of open) res.end();
  await server.close();
});

/** Registers a route that writes the first chunk and holds the response open. */
function held(path: string, headers: http.OutgoingHttpHeaders = HTML): Promise<http.ServerResponse> {
  return new Promise((resolve) => {
    routes.set(path, (res) => {
      res.writeHead(200, headers);
      res.write(FIRST_CHUNK);
      resolve(res);
    });
  });
}

const loaded = `new Promise(r => document.readyState === 'complete' ? r(1) : addEventListener('load', () => r(1)))`;

describe.each(ENGINES)('%s', (name) => {
  const engine = useEngine(name, 'driver tests');

  it('observes a streamed page while it is still loading', async () => {
    const response = held(`/${name}/stream`);
    const tab = await engine().open(`${base}/${name}/stream`);
    try {
      const res = await response;
      expect(await tab.eval('document.readyState')).toBe('loading');
      expect(await tab.html('#first')).toContain('BigPipe flushes');
      expect(await tab.html('#last')).toBeNull();

      const load = tab.eval<number>(loaded);
      res.end('<p id="last">done</p></body></html>');
      expect(await load).toBe(1);
      expect(await tab.html('#last')).toBe('<p id="last">done</p>');
    } finally {
      await tab.close();
    }
  });

  it('waits on a page promise', async () => {
    const response = held(`/${name}/slow`);
    const tab = await engine().open(`${base}/${name}/slow`);
    try {
      const res = await response;
      let settled = false;
      const late = tab
        .eval<string>(`new Promise(resolve => {
        const found = () => { const el = document.getElementById('late'); if (el) resolve(el.textContent); return !!el; };
        if (!found()) new MutationObserver((_, o) => { if (found()) o.disconnect(); })
          .observe(document, { childList: true, subtree: true });
      })`)
        .finally(() => {
          settled = true;
        });
      // The delay is the scenario (a slow pagelet), not a stand-in for an event: it shows a page
      // promise can stay pending for seconds and still resolve through the driver.
      await new Promise((r) => setTimeout(r, 3000));
      expect(settled).toBe(false);
      res.write('<p id="late">late pagelet</p>\n');
      expect(await late).toBe('late pagelet');

      // Results travel as JSON; rejections and timeouts name the engine; the tab stays usable.
      expect(await tab.eval('({ a: [1, "x", null], b: undefined })')).toEqual({ a: [1, 'x', null] });
      expect(await tab.eval('undefined')).toBeUndefined();
      await expect(tab.eval('Promise.reject(new TypeError("nope"))')).rejects.toThrow(
        new RegExp(`^\\[${name}\\] .*TypeError: nope`),
      );
      await expect(tab.eval('new Promise(() => {})', { timeout: 1500 })).rejects.toThrow(
        new RegExp(`^\\[${name}\\] .*timed out after 1500 ms`),
      );
      expect(await tab.eval('1 + 1')).toBe(2);
      res.end('</body></html>');
    } finally {
      await tab.close();
    }
  });

  it('reads the DOM with JavaScript disabled', async () => {
    routes.set(`/${name}/nojs`, (res) => {
      res.writeHead(200, HTML);
      res.end(`${FIRST_CHUNK}<p id="p">static</p>
<script>document.getElementById('p').textContent = 'JS RAN'</script>
<noscript><b id="ns">no script</b></noscript><p id="end">end</p></body></html>`);
    });
    const off = await engine().open(`${base}/${name}/nojs`, { javaScript: false });
    try {
      // No page events without JavaScript: poll the DOM through the driver.
      await until('#end', async () => (await off.html('#end')) !== null);
      expect(await off.html('#p')).toBe('<p id="p">static</p>');
      // With scripting off, <noscript> content is parsed as markup.
      expect(await off.html('#ns')).toBe('<b id="ns">no script</b>');
      expect(await off.html('#missing')).toBeNull();
      expect(await off.eval('document.querySelectorAll("p").length')).toBe(3);
    } finally {
      await off.close();
    }

    // Control: the same page with JavaScript on runs its script.
    const on = await engine().open(`${base}/${name}/nojs`);
    try {
      await on.eval(loaded);
      expect(await on.html('#p')).toBe('<p id="p">JS RAN</p>');
      expect(await on.html('#ns')).toBeNull();
    } finally {
      await on.close();
    }
  });

  it('reports console errors, page errors and CSP violations', async () => {
    const response = held(`/${name}/csp`, { ...HTML, 'Content-Security-Policy': "script-src 'nonce-e2e'" });
    const tab = await engine().open(`${base}/${name}/csp`);
    try {
      const res = await response;
      // Written after open() returns: webkit's recorder only sees errors from then on.
      res.end(`<script nonce="e2e">console.error('e2e-console')</script>
<script nonce="e2e">throw new Error('e2e-uncaught')</script>
<script>window.inlineRan = true</script>
<p id="end">end</p></body></html>`);
      await tab.eval(loaded);
      expect(await tab.eval('typeof window.inlineRan')).toBe('undefined');
      const has = (errors: string[]) =>
        errors.some((e) => e.includes('e2e-console')) &&
        errors.some((e) => e.includes('e2e-uncaught')) &&
        errors.some((e) => /Content.Security.Policy/i.test(e));
      // Console and error events reach node asynchronously (protocol events).
      await until('console, page and CSP errors', async () => has(await tab.errors()));
    } finally {
      await tab.close();
    }
  });
});

// dist/bigpipe.compat.min.js in real browsers: pages streamed as the ASP.NET MVC tutorial's server and Facebook's
// 2010 BigPipe wrote them, with the runtime and the compat script in place of those servers' own scripts.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './drivers';
import { useEngine } from './engine';
import { runtime } from './fixture';

const COMPAT = readFileSync(new URL('../../dist/bigpipe.compat.min.js', import.meta.url), 'utf8');
const FILLER = `<p>${'A page from an older BigPipe server, unchanged, on the bigpipe-js runtime. '.repeat(5)}</p>`;

const RECORDER = `<script>
window.__events = [];
for (const type of ['arrive', 'display', 'error', 'done'])
  document.addEventListener('bigpipe:' + type, (e) => __events.push(type + (e.detail.target === undefined ? '' : ':' + e.detail.target) + (e.detail.error ? ' ' + e.detail.error : '')));
window.__done = new Promise((resolve) => document.addEventListener('bigpipe:done', resolve));
</script>`;

const head = (title: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title>${RECORDER}` +
  '<script src="/bigpipe.min.js"></script><script src="/bigpipe.compat.min.js"></script></head>' +
  `<body>${FILLER}<div id="pagelet1"></div><div id="pagelet2"></div>`;

/** Each page: its shell and its payload scripts, as those servers wrote them. */
const PAGES: Record<string, string[]> = {
  // JavaScriptSerializer: "<" as \u003c, null for an absent list; the pagelet count first.
  '/aspnet': [
    head('ASP.NET MVC tutorial') + '<script> var bigpipe = new BigPipe(2);</script>',
    '<script>bigpipe.onPageletArrive({"Id":"pagelet1","Content":"\\u003cp\\u003eone\\u003c/p\\u003e","Css":["/p1.css"],"Js":["/p1.js"]});</script>',
    '<script>bigpipe.onPageletArrive({"Id":"pagelet2","Content":"\\u003cp\\u003etwo\\u003c/p\\u003e","Css":null,"Js":null});</script>',
  ],
  // An object literal, not JSON; the last payload says so.
  '/facebook-2010': [
    head("Facebook's 2010 BigPipe"),
    '<script>big_pipe.onPageletArrive({id: "pagelet1", content: "<p>one<\\/p>", css: ["/p1.css"], js: ["/p1.js"]})</script>',
    '<script>big_pipe.onPageletArrive({id: "pagelet2", content: "<p>two<\\/p>", css: [], js: [], is_last: true})</script>',
  ],
};

const FILES: Record<string, [string, string]> = {
  '/bigpipe.min.js': ['text/javascript', runtime()],
  '/bigpipe.compat.min.js': ['text/javascript', COMPAT],
  '/p1.css': ['text/css', '#pagelet1 p { color: rgb(0, 0, 128) }'],
  '/p1.js': ['text/javascript', "document.getElementById('pagelet1').dataset.js = 'ran'"],
};

let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    const page = PAGES[path];
    if (page) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      for (const part of page) res.write(part);
      return void res.end('</body></html>');
    }
    const file = FILES[path];
    if (file) return void res.writeHead(200, { 'Content-Type': file[0], 'Cache-Control': 'no-store' }).end(file[1]);
    res.writeHead(path === '/favicon.ico' ? 204 : 404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe.each(ENGINES)('%s', (name) => {
  const engine = useEngine(name, 'compat pages');

  it.each(Object.keys(PAGES))('shows every pagelet of %s, applies its stylesheet and runs its script', async (path) => {
    const tab = await engine().open(base + path);
    try {
      const result = await tab.eval<{ events: string[]; html: string[]; color: string; js: string }>(
        `window.__done.then(() => ({
          events: __events,
          html: ['pagelet1', 'pagelet2'].map((id) => document.getElementById(id).innerHTML),
          color: getComputedStyle(document.querySelector('#pagelet1 p')).color,
          js: document.getElementById('pagelet1').dataset.js,
        }))`,
      );
      expect(result.html).toEqual(['<p>one</p>', '<p>two</p>']);
      expect([...result.events].sort()).toEqual([
        'arrive:pagelet1',
        'arrive:pagelet2',
        'display:pagelet1',
        'display:pagelet2',
        'done',
      ]);
      expect(result.color).toBe('rgb(0, 0, 128)');
      expect(result.js).toBe('ran');
      expect(await tab.errors()).toEqual([]);
    } finally {
      await tab.close();
    }
  });
});

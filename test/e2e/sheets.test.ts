// A pagelet's stylesheet in real browsers: the runtime requests it as a preload and switches the link to a
// stylesheet once it has loaded. The switched link has its sheet at once, so the pagelet shows in the same task as the
// preload's load event, styled, not a task later at the stylesheet's own load (a task that waits behind the parser
// while a burst of payloads is parsed: bench/client-display.mjs measures that lag).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './drivers';
import { useEngine } from './engine';
import { runtime } from './fixture';
import { HTML, serve, type Listening } from '../support/loopback.mjs';

const FILLER = `<p>${'A page whose pagelet waits for its stylesheet, and shows styled. '.repeat(6)}</p>`;

// Capture listeners on document see each load of the link before the runtime's own listener on it does.
const RECORDER = `<script>
window.__log = [];
let switched;
window.__switched = new Promise((resolve) => (switched = resolve));
document.addEventListener('load', (e) => {
  if (e.target.localName != 'link') return;
  __log.push('load ' + e.target.rel);
  if (e.target.rel == 'stylesheet') switched();
}, true);
document.addEventListener('bigpipe:display', (e) =>
  __log.push('display ' + getComputedStyle(document.querySelector('#a p')).color));
window.__done = new Promise((resolve) => document.addEventListener('bigpipe:done', resolve));
</script>`;

const PAGE =
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>sheets</title>${RECORDER}` +
  `<script src="/bigpipe.min.js"></script></head><body>${FILLER}<div id="a"></div>` +
  '<script>BigPipe.onPageletArrive({"target":"a","html":"\\u003cp>styled\\u003c/p>","css_links":["/a.css"],"total":1})</script>' +
  '</body></html>';

let server: Listening;

beforeAll(async () => {
  server = await serve({
    '/': (_, res) => res.writeHead(200, { 'Content-Type': HTML }).end(PAGE),
    '/bigpipe.min.js': (_, res) => res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(runtime()),
    // not cacheable: the switch to a stylesheet must take it from the preload, not from the HTTP cache
    '/a.css': (_, res) =>
      res
        .writeHead(200, { 'Content-Type': 'text/css', 'Cache-Control': 'no-store' })
        .end('#a p { color: rgb(0, 0, 128) }'),
  });
});

afterAll(() => server.close());

describe.each(ENGINES)('%s', (name) => {
  const engine = useEngine(name, 'stylesheet switch');

  it("shows a pagelet at its stylesheet preload's load, styled, before the switched link's own load", async () => {
    const tab = await engine().open(server.base + '/');
    try {
      // the second load of the link may come after bigpipe:done: wait for both
      const log = await tab.eval<string[]>('Promise.all([__done, __switched]).then(() => __log)');
      expect(log).toEqual(['load preload', 'display rgb(0, 0, 128)', 'load stylesheet']);
      expect(await tab.errors()).toEqual([]);
    } finally {
      await tab.close();
    }
  });
});

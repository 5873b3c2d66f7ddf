import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start } from '../../demo/server.mjs';

// pickMode() sends crawlers (and Node's own fetch, by its User-Agent) the no-JS page: ask as a browser.
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
// Short latencies keep the test fast; recs stays slow enough that the shell provably comes first. Weather still
// exceeds its 700 ms budget and birthdays still fails, so both fallbacks show.
const LATENCIES = 'header=0&nav=0&feed=10&trending=0&birthdays=0&weather=2000&recs=300&chat=0&css=0&js=0';
const PAGELETS = ['header', 'nav', 'feed', 'trending', 'birthdays', 'weather', 'recs', 'chat'];
const RECS = 'People you may know';
const BIRTHDAYS_FALLBACK = 'Birthdays are unavailable right now.';
const WEATHER_FALLBACK = 'The weather service is taking too long.';

let server: ReturnType<typeof start>;
let origin: string;

beforeAll(async () => {
  server = start(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** The response, its first chunk as received, and the whole body. */
async function load(path: string, userAgent = BROWSER) {
  const res = await fetch(origin + path, { headers: { 'user-agent': userAgent } });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let first = '';
  let html = '';
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    const text = decoder.decode(chunk.value, { stream: true });
    first ||= text;
    html += text;
  }
  return { res, first, html: html + decoder.decode() };
}

/** The content of a pagelet's placeholder in an inline-mode page, up to the next placeholder or the layout's end. */
const filled = (html: string, id: string) => new RegExp(`<div id="${id}">(?!</div>)`).test(html);

describe('BigPipe mode', () => {
  it('sends the shell with every placeholder before the slow pagelet', async () => {
    const { res, first } = await load('/?' + LATENCIES);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(first).toContain('<header class="top">');
    for (const id of PAGELETS) expect(first).toContain(`<div id="${id}"></div>`);
    expect(first).not.toContain(RECS);
  });

  it('streams one payload per pagelet, fallbacks included', async () => {
    const { html } = await load('/?' + LATENCIES);
    for (const id of PAGELETS) expect(html).toContain(`BigPipe.onPageletArrive({"target":"${id}"`);
    expect(html).toContain(RECS);
    expect(html).toContain(BIRTHDAYS_FALLBACK);
    expect(html).toContain(WEATHER_FALLBACK);
    expect(html.endsWith('</body></html>')).toBe(true);
  });
});

describe('no-JS mode', () => {
  it('streams the page in document order without the runtime', async () => {
    const { res, first, html } = await load('/?bigpipe=inline&' + LATENCIES);
    expect(res.status).toBe(200);
    expect(first).toContain('<header class="top">');
    expect(first).not.toContain(RECS);
    expect(html).not.toContain('onPageletArrive(');
    for (const id of PAGELETS) expect(filled(html, id)).toBe(true);
    expect(html).toContain(BIRTHDAYS_FALLBACK);
    expect(html).toContain(WEATHER_FALLBACK);
  });

  it('is what a crawler gets', async () => {
    const { html } = await load(
      '/?' + LATENCIES,
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    );
    expect(html).not.toContain('onPageletArrive(');
    expect(html).toContain(RECS);
  });
});

describe('traditional mode', () => {
  it('sends one complete page once every pagelet is done', async () => {
    const { res, first, html } = await load('/traditional?' + LATENCIES);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(html));
    expect(first).toContain(RECS);
    expect(html).not.toContain('onPageletArrive(');
    for (const id of PAGELETS) expect(filled(html, id)).toBe(true);
    expect(html).toContain(BIRTHDAYS_FALLBACK);
    expect(html).toContain(WEATHER_FALLBACK);
  });
});

describe('side by side', () => {
  it('frames BigPipe and traditional with the same latencies', async () => {
    const { res, html } = await load('/compare?recs=900&feed=40');
    expect(res.status).toBe(200);
    const frames = [...html.matchAll(/<iframe src="([^"]+)"/g)].map(
      (m) => new URL(m[1]!.replaceAll('&#38;', '&'), origin),
    );
    expect(frames.map((url) => url.pathname)).toEqual(['/', '/traditional']);
    for (const url of frames)
      expect(Object.fromEntries(url.searchParams)).toEqual({ embed: '1', feed: '40', recs: '900' });
  });

  it('serves the pagelets’ stylesheets and scripts', async () => {
    for (const file of ['widgets.css', 'feed.css', 'recs.css', 'chat.css', 'ui.js', 'feed.js', 'recs.js', 'chat.js']) {
      const res = await fetch(`${origin}/static/${file}?v=1`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(file.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
    }
  });
});

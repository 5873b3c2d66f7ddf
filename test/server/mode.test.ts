import { describe, expect, it } from 'vitest';
import { noscriptRedirect, pickMode } from '../../src/server/mode';
import { attr, elements, parseDocument } from '../support/parse.mjs';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

describe('pickMode', () => {
  it('picks pipeline for a browser', () => {
    expect(pickMode({ url: '/', headers: { 'user-agent': CHROME } })).toBe('pipeline');
  });

  it('picks inline for a crawler', () => {
    expect(pickMode({ url: '/', headers: { 'user-agent': GOOGLEBOT } })).toBe('inline');
  });

  it('picks inline for ?bigpipe=inline', () => {
    expect(pickMode({ url: '/news?x=1&bigpipe=inline', headers: { 'user-agent': CHROME } })).toBe('inline');
  });

  it('picks inline for the cookie bigpipe=inline', () => {
    expect(pickMode({ headers: { 'user-agent': CHROME, cookie: 'a=1; bigpipe=inline; b=2' } })).toBe('inline');
  });

  it('ignores a cookie that only ends with bigpipe=inline', () => {
    expect(pickMode({ headers: { 'user-agent': CHROME, cookie: 'nobigpipe=inline' } })).toBe('pipeline');
  });

  it('reads a Web Request', () => {
    const request = new Request('https://example.test/?bigpipe=inline', { headers: { 'user-agent': CHROME } });
    expect(pickMode(request)).toBe('inline');
    expect(pickMode(new Request('https://example.test/', { headers: { 'user-agent': GOOGLEBOT } }))).toBe('inline');
    expect(pickMode(new Request('https://example.test/', { headers: { 'user-agent': CHROME } }))).toBe('pipeline');
  });

  it('picks pipeline when there is no user agent', () => {
    expect(pickMode({ headers: {} })).toBe('pipeline');
  });

  it.each(['//[', '//%zz/', '/?bigpipe=%zz', '/%', 'http://[::1', '?', '#?bigpipe=inline'])(
    'never throws on the request target %j',
    (url) => {
      expect(pickMode({ url, headers: { 'user-agent': CHROME } })).toBe('pipeline');
    },
  );

  it('still reads the query of a target that is no valid URL', () => {
    expect(pickMode({ url: '//[?bigpipe=inline', headers: { 'user-agent': CHROME } })).toBe('inline');
  });

  it('never throws on a request it cannot read', () => {
    const throwing = {
      get: () => {
        throw new Error('boom');
      },
    };
    expect(pickMode({ url: '/' } as never)).toBe('pipeline');
    expect(pickMode({ url: 42, headers: throwing } as never)).toBe('pipeline');
    expect(pickMode(null as never)).toBe('pipeline');
    expect(pickMode({ headers: { cookie: ['a=1', 'bigpipe=inline'], 'user-agent': CHROME } })).toBe('inline');
  });

  it("reads Hono's request object", async () => {
    const { Hono } = await import('hono');
    const app = new Hono();
    app.get('*', (c) => c.text(pickMode(c.req)));
    const ask = async (path: string, ua: string) => (await app.request(path, { headers: { 'user-agent': ua } })).text();
    expect(await ask('/', CHROME)).toBe('pipeline');
    expect(await ask('/?bigpipe=inline', CHROME)).toBe('inline');
    expect(await ask('/', GOOGLEBOT)).toBe('inline');
  });
});

describe('noscriptRedirect', () => {
  it('reloads the same path with ?bigpipe=inline by default', () => {
    expect(noscriptRedirect()).toBe('<noscript><meta http-equiv="refresh" content="0;url=?bigpipe=inline"></noscript>');
  });

  it('keeps the query and hash of the given URL', () => {
    const head = `<!DOCTYPE html><html><head>${noscriptRedirect('/news?q="a"&p=2#top')}</head></html>`;
    const [noscript] = elements(parseDocument(head, false), 'noscript');
    // the URL parser percent-encodes the quotes: the same query to any server
    expect(attr(elements(noscript!, 'meta')[0]!, 'content')).toBe('0;url=/news?q=%22a%22&p=2&bigpipe=inline#top');
  });

  /** Where a browser on `page` goes: the refresh's URL resolved as the browser resolves it. */
  const destination = (html: string, page = 'https://site.example/shop/item') => {
    const content = /content="0;url=([^"]*)"/
      .exec(html)![1]!
      .replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"');
    return new URL(content, page);
  };

  it.each([
    '//evil.example/',
    '//evil.example/?a=1',
    '/\\evil.example/',
    '\\\\evil.example/',
    '\\/evil.example/',
    'http://evil.example/',
    'HTTPS://evil.example/x',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '/\t/evil.example/',
    '/\n/evil.example/',
    ' //evil.example/',
    '\u0000//evil.example/',
    '///evil.example/',
    '/a/../..//evil.example/',
    '//[',
    '//%zz/',
    '"><script>alert(1)</script>',
  ])('never leaves the page origin for %j', (url) => {
    const to = destination(noscriptRedirect(url));
    expect(to.origin).toBe('https://site.example');
    expect(to.searchParams.get('bigpipe')).toBe('inline');
  });

  it('keeps a same-origin path whose first segment is empty as one slash', () => {
    expect(destination(noscriptRedirect('//evil.example/x')).pathname).toBe('/');
    expect(destination(noscriptRedirect('/a/..//b')).href).toBe('https://site.example/b?bigpipe=inline');
  });

  it('writes no markup of its own from the URL', () => {
    const html = noscriptRedirect('/"><script>alert(1)</script>');
    expect(elements(parseDocument(`<!DOCTYPE html><html><head>${html}</head></html>`, false), 'script')).toHaveLength(
      0,
    );
  });
});

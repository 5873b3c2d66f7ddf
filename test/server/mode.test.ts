import { describe, expect, it } from 'vitest';
import { noscriptRedirect, pickMode } from '../../src/server/mode';
import { attr, elements, parseDocument } from './parse';

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
});

describe('noscriptRedirect', () => {
  it('reloads the same path with ?bigpipe=inline by default', () => {
    expect(noscriptRedirect()).toBe('<noscript><meta http-equiv="refresh" content="0;url=?bigpipe=inline"></noscript>');
  });

  it('keeps the query and hash of the given URL', () => {
    const head = `<!DOCTYPE html><html><head>${noscriptRedirect('/news?q="a"&p=2#top')}</head></html>`;
    const [noscript] = elements(parseDocument(head, false), 'noscript');
    expect(attr(elements(noscript!, 'meta')[0]!, 'content')).toBe('0;url=/news?q="a"&p=2&bigpipe=inline#top');
  });
});

// Live pages: a server that keeps streaming (a ticker, a chat, an endless feed) never ends its document. It sends
// `total` late, on the payload that completes the first round; later payloads run their JS right after they display.
import { describe, expect, it } from 'vitest';
import { createPage } from './harness';

const body = '<div id="ticker"></div><ul id="chat"></ul>';

describe('live pages', () => {
  it('starts the JS phase once the first round is in, though the document never ends', () => {
    const page = createPage({ body });
    page.window.ran = [];
    page.arrive({ target: 'ticker', html: '1', js: 'ran.push("ticker 1")' });
    page.arrive({ target: 'chat', html: '<li>hi</li>', append: true, js: 'ran.push("chat 1")', total: 2 });
    expect(page.window.ran).toEqual(['ticker 1', 'chat 1']);
    expect(page.events().at(-1)).toEqual({ type: 'bigpipe:done', target: undefined });
  });

  it('runs the JS of every later update right after it displays', () => {
    const page = createPage({ body });
    page.window.ran = [];
    page.arrive({ target: 'ticker', html: '1', total: 1 });
    for (let i = 2; i <= 5; i++) {
      page.arrive({ target: 'ticker', html: String(i), js: `ran.push(${i})` });
      expect(page.window.ran.at(-1)).toBe(i);
    }
    expect(page.html('ticker')).toBe('5');
  });

  it('does not pile up <style> elements for repeated identical inline css', () => {
    const page = createPage({ body });
    page.arrive({ target: 'ticker', html: '0', css: '#ticker{color:red}', total: 1 });
    for (let i = 1; i <= 50; i++) page.arrive({ target: 'ticker', html: String(i), css: '#ticker{color:red}' });
    expect(page.document.querySelectorAll('style').length).toBe(1);
  });

  it('keeps the latest inline css last when a target alternates between two', () => {
    const page = createPage({ body });
    const up = '#ticker{color:green}';
    const down = '#ticker{color:red}';
    page.arrive({ target: 'ticker', html: '+', css: up, total: 1 });
    for (let i = 0; i < 20; i++) {
      page.arrive({ target: 'ticker', html: '-', css: down });
      page.arrive({ target: 'ticker', html: '+', css: up });
    }
    const styles = [...page.document.querySelectorAll('style')].map((s) => s.textContent);
    expect(styles).toEqual([down, up]);
  });

  it('does not pile up <script> elements for the inline js of endless updates', () => {
    const page = createPage({ body });
    page.window.count = 0;
    page.arrive({ target: 'ticker', html: '0', js: 'count++', total: 1 });
    const scripts = page.document.querySelectorAll('script').length;
    for (let i = 1; i <= 50; i++) page.arrive({ target: 'ticker', html: String(i), js: 'count++' });
    expect(page.window.count).toBe(51);
    expect(page.document.querySelectorAll('script').length).toBe(scripts);
  });
});

import fc from 'fast-check';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { renderToChunks } from '../../src/server/chunks';
import type { Pagelet, PageletContent } from '../../src/server/types';
import { placeholder } from '../../src/server/serialize';
import { collect, heldPagelet, heldStream } from './helpers';
import { byId, elements, parseDocument, text } from '../support/parse.mjs';

const body = `<header>${placeholder('nav')}</header><main>${placeholder('feed')}<p>between</p>${placeholder('side')}</main>`;
const inline = { mode: 'inline', onError: () => {} } as const;
const render = (id: string, content: PageletContent): Pagelet => ({ id, render: () => content });
const html = async (pagelets: Pagelet[], pageBody = body, nonce?: string) =>
  (await collect(renderToChunks({ head: '<title>T</title>', body: pageBody, pagelets }, { ...inline, nonce }))).join(
    '',
  );

describe('inline mode', () => {
  it('renders each pagelet inside its placeholder', async () => {
    const pagelets = [
      render('side', { html: '<b>S</b>' }),
      render('nav', { html: 'N' }),
      render('feed', { html: '<i>F</i>' }),
    ];
    const doc = parseDocument(await html(pagelets));
    expect(text(byId(doc, 'nav')!)).toBe('N');
    expect(text(byId(doc, 'feed')!)).toBe('F');
    expect(text(byId(doc, 'side')!)).toBe('S');
    expect(text(doc)).toBe('TNFbetweenS');
  });

  it('writes no runtime script', async () => {
    const out = await html([
      render('nav', { html: 'N' }),
      render('feed', { html: 'F' }),
      render('side', { html: 'S' }),
    ]);
    expect(elements(parseDocument(out), 'script')).toEqual([]);
  });

  it('writes the shell up to the first placeholder before any pagelet resolves', async () => {
    const nav = heldPagelet('nav');
    const chunks = renderToChunks({ body, pagelets: [nav.pagelet] }, inline);
    expect((await chunks.next()).value).toBe(
      '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><header><div id="nav">',
    );
    await chunks.return();
  });

  it('starts every render at once', () => {
    const held = ['nav', 'feed', 'side'].map((id) => heldPagelet(id));
    const chunks = renderToChunks({ body, pagelets: held.map((h) => h.pagelet) }, inline);
    expect(held.map((h) => h.calls)).toEqual([1, 1, 1]);
    void chunks.return();
  });

  it('writes in document order even when a later pagelet finishes first', async () => {
    const [nav, feed] = ['nav', 'feed'].map((id) => heldPagelet(id));
    const chunks = renderToChunks({ body, pagelets: [feed!.pagelet, nav!.pagelet] }, inline);
    await chunks.next();
    feed!.result.resolve({ html: 'F' });
    const next = chunks.next();
    nav!.result.resolve({ html: 'N' });
    expect((await next).value).toBe('N');
    expect((await chunks.next()).value).toBe('</div></header><main><div id="feed">');
    expect((await chunks.next()).value).toBe('F');
    await chunks.return();
  });

  it('writes a pagelet without a placeholder at the end of the body', async () => {
    const out = await html([render('nav', { html: 'N' }), render('elsewhere', { html: '<p id="x">X</p>' })]);
    expect(out.endsWith('<p id="x">X</p></body></html>')).toBe(true);
  });

  it('writes links, style, html, script tags and script in that order, each with the nonce', async () => {
    const content = { css_links: ['/a.css?x=1&y=2'], css: 'p{}', html: '<p>F</p>', js_links: ['/a.js'], js: 'f()' };
    const out = await html([render('feed', content)], placeholder('feed'), 'N0nce');
    expect(out).toContain(
      '<div id="feed"><link nonce="N0nce" rel="stylesheet" href="/a.css?x=1&amp;y=2"><style nonce="N0nce">p{}</style><p>F</p>' +
        '<script nonce="N0nce" src="/a.js"></script><script nonce="N0nce">f()</script></div>',
    );
  });

  it('sends the fallback of a failed pagelet in its place', async () => {
    const failing = { id: 'feed', render: () => Promise.reject(new Error('boom')), fallback: 'sorry' };
    expect(text(byId(parseDocument(await html([failing])), 'feed')!)).toBe('sorry');
  });
});

describe('inline mode, streamed pagelets', () => {
  it("writes every item's content in its placeholder, in order", async () => {
    async function* render() {
      yield { html: '<li>1</li>' };
      yield { html: '<li>2</li>', css: 'li{}' };
      yield { html: '<li>3</li>', append: false };
    }
    const out = await html([{ id: 'feed', render }], placeholder('feed') + '<p id="after">after</p>');
    expect(out).toContain('<div id="feed"><li>1</li><style>li{}</style><li>2</li><li>3</li></div><p id="after">');
  });

  it('writes each item as it comes and what follows the placeholder once the stream ends', async () => {
    const feed = heldStream('nav');
    const chunks = renderToChunks({ body, pagelets: [feed.pagelet] }, inline);
    await chunks.next();
    feed.push({ html: '1' });
    expect((await chunks.next()).value).toBe('1');
    feed.push({ html: '2' });
    expect((await chunks.next()).value).toBe('2');
    const next = chunks.next();
    feed.end();
    expect((await next).value).toMatch(/^<\/div><\/header><main>/);
    await chunks.return();
  });

  it('keeps what a stream wrote before failing, without its fallback', async () => {
    const feed = heldStream('feed', { fallback: 'F' });
    const out = html([feed.pagelet], placeholder('feed'));
    feed.push({ html: '1' });
    feed.fail(new Error('boom'));
    expect(await out).toContain('<div id="feed">1</div>');
  });
});

// Sequences that end or confuse script and style data, mixed with arbitrary code points.
const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      '</script>',
      '</SCRIPT ',
      '</script/',
      '<!--',
      '-->',
      '<script>',
      '</style>',
      '</STYLE ',
      '</',
      '<',
    ),
    fc.constantFrom('\\', '\u2028', '\0'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
});

describe('inline js and css', () => {
  it('keeps inline js inside its script, with string literals unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (s) => {
        const doc = parseDocument(await renderInline({ js: `v = ${JSON.stringify(s)}` }));
        const scripts = elements(doc, 'script');
        expect(scripts).toHaveLength(1);
        expect(text(byId(doc, 'after')!)).toBe('after');
        const context: { v?: string } = {};
        runInNewContext(text(scripts[0]!), context);
        expect(context.v).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps regular expression and template literals working', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the page's JavaScript, a template literal inside a string
    const js = 'v = [/<\\/script>|<!--/u.test("</script>"), `</script>${"<!--"}`, String.raw`a`]';
    const doc = parseDocument(await renderInline({ js }));
    const context: { v?: unknown } = {};
    runInNewContext(text(elements(doc, 'script')[0]!), context);
    expect(context.v).toEqual([true, '</script><!--', 'a']);
  });

  it('keeps inline css inside its style', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (s) => {
        const css = `p::after{content:${JSON.stringify(s)}}`;
        const doc = parseDocument(await renderInline({ css }));
        const styles = elements(doc, 'style');
        expect(styles).toHaveLength(1);
        expect(text(byId(doc, 'after')!)).toBe('after');
        expect(text(styles[0]!).replace(/<\\\/(style)/gi, '</$1')).toBe(css);
      }),
      { numRuns: 300 },
    );
  });
});

/** The page with one pagelet of this content, followed by a marker element that must survive. */
const renderInline = (content: PageletContent) =>
  html([render('p', content)], placeholder('p') + '<i id="after">after</i>');

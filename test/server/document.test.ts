/** Pages given as a complete HTML document (any template engine's output), placeholder() options, runtimeTags(). */
import { describe, expect, it } from 'vitest';
import { renderToChunks } from '../../src/server/chunks';
import { RUNTIME } from '../../src/server/runtime.generated';
import { placeholder } from '../../src/server/serialize';
import { runtimeTags } from '../../src/server/validate';
import { startRender } from '../../src/server/render';
import { collect, heldPagelet } from './helpers';
import { byId, parseDocument, payloadsOf, text } from '../support/parse.mjs';

const layout = (main: string) =>
  `<!DOCTYPE html>\n<html lang="fr">\n<head>\n  <meta charset="utf-8">\n  <title>Tableau</title>\n</head>\n<body class="dark">\n<main>${main}</main>\n</body>\n</html>\n`;
const quiet = { onError: () => {} };

describe('a page given as a document', () => {
  it('puts the runtime after the meta charset, flushes up to </body>, then the payloads, then the rest', async () => {
    const news = heldPagelet('news');
    const document = layout(placeholder('news'));
    const chunks = renderToChunks({ document, pagelets: [news.pagelet] }, quiet);
    const shell = (await chunks.next()).value as string;
    expect(shell).toBe(
      document
        .slice(0, document.indexOf('</body>'))
        .replace('<meta charset="utf-8">', `<meta charset="utf-8"><script>${RUNTIME}</script>`),
    );
    news.result.resolve({ html: 'Nouvelles' });
    expect(payloadsOf((await chunks.next()).value as string)).toEqual([
      { target: 'news', html: 'Nouvelles', total: 1 },
    ]);
    expect((await chunks.next()).value).toBe('</body>\n</html>\n');
    expect((await chunks.next()).done).toBe(true);
  });

  it('keeps the document its own: lang, body class, one doctype', async () => {
    const out = (
      await collect(
        renderToChunks({ document: layout(placeholder('a')), pagelets: [{ id: 'a', render: () => ({ html: 'A' }) }] }),
      )
    ).join('');
    expect(out.match(/<!DOCTYPE/gi)).toHaveLength(1);
    expect(out).toContain('<html lang="fr">');
    expect(out).toContain('<body class="dark">');
  });

  it('puts the runtime at the start of the head when no meta charset comes first', async () => {
    const document = '<html><HEAD data-x="1"><title>T</title></HEAD><body><div id="a"></div></BODY ></html>';
    const out = (
      await collect(
        renderToChunks(
          { document, pagelets: [{ id: 'a', render: () => ({ html: 'A' }) }] },
          { runtime: { src: '/bp.js', async: true } },
        ),
      )
    ).join('');
    expect(
      out.startsWith(`<html><HEAD data-x="1">${runtimeTags({ runtime: { src: '/bp.js', async: true } })}<title>`),
    ).toBe(true);
    expect(out.endsWith('</BODY ></html>')).toBe(true);
  });

  it('ignores a <head> in a comment and a </body> in the middle', async () => {
    const document =
      '<!-- <head> --><html><head></head><body><script>"</body>"</script><div id="a"></div></body></html>';
    const out = (
      await collect(renderToChunks({ document, pagelets: [{ id: 'a', render: () => ({ html: 'A' }) }] }))
    ).join('');
    expect(out.indexOf('<script>' + RUNTIME)).toBe(document.indexOf('<head></head>') + '<head>'.length);
    expect(payloadsOf(out)).toHaveLength(1);
    expect(out.indexOf('BigPipe.onPageletArrive')).toBeGreaterThan(out.indexOf('<div id="a">'));
  });

  it('renders in place in inline mode', async () => {
    const document = layout(placeholder('a') + '<p>après</p>' + placeholder('b'));
    const pagelets = [
      { id: 'b', render: () => ({ html: 'B' }) },
      { id: 'a', render: () => ({ html: 'A' }) },
    ];
    const out = (await collect(renderToChunks({ document, pagelets }, { mode: 'inline' }))).join('');
    const doc = parseDocument(out);
    expect(text(byId(doc, 'a')!)).toBe('A');
    expect(text(byId(doc, 'b')!)).toBe('B');
    expect(out).not.toContain('BigPipe');
    expect(out.endsWith('</body>\n</html>\n')).toBe(true);
  });

  it.each([
    ['<html><body></body></html>', /no <head> start tag/],
    ['<html><head></head><body>', /no <\/body> end tag/],
    [42, /page.document must be a string/],
  ])('refuses %j with a clear error', (document, message) => {
    expect(() => startRender({ document, pagelets: [] } as never)).toThrow(message);
  });

  it('refuses a document given with a head or body', () => {
    expect(() => startRender({ document: layout(''), body: '', pagelets: [] } as never)).toThrow(/comes alone/);
  });
});

describe('placeholder options', () => {
  it('writes another tag, escaped attributes and content to show meanwhile', () => {
    expect(
      placeholder('feed', {
        tag: 'section',
        attributes: { class: 'skeleton "x"', 'aria-busy': 'true' },
        content: '<p>Loading…</p>',
      }),
    ).toBe('<section id="feed" class="skeleton &quot;x&quot;" aria-busy="true"><p>Loading…</p></section>');
  });

  it('still maps over ids', () => {
    expect(['a', 'b'].map(placeholder).join('')).toBe('<div id="a"></div><div id="b"></div>');
  });

  it.each([
    [{ tag: 'img' }, /tag/],
    [{ tag: 'di v' }, /tag/],
    [{ attributes: { id: 'x' } }, /attribute name "id"/],
    [{ attributes: { 'on"x': 'y' } }, /attribute name/],
  ])('refuses %j', (options, message) => {
    expect(() => placeholder('a', options)).toThrow(message);
  });
});

describe('runtimeTags', () => {
  it('is the markup the render puts in the head', async () => {
    const options = { runtime: { src: '/bp.js', module: true }, nonce: 'abc' } as const;
    const shell = (await renderToChunks({ body: '', pagelets: [] }, options).next()).value as string;
    expect(shell).toContain(runtimeTags(options));
    expect(runtimeTags()).toBe(`<script>${RUNTIME}</script>`);
  });

  it('throws for invalid options', () => {
    expect(() => runtimeTags({ nonce: 'a b' })).toThrow(/base64/);
    expect(() => runtimeTags({ runtime: { src: '' } })).toThrow(/options.runtime/);
  });
});

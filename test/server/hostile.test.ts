/**
 * The render core against hostile or careless renders: every failure is the pagelet's (fallback, onError once, the
 * page completes), nothing becomes an unhandled rejection, and what the wire carries is what the render produced.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderToChunks } from '../../src/server/chunks';
import { startRender } from '../../src/server/render';
import { placeholder } from '../../src/server/serialize';
import type { Page, Pagelet, PageletContent, RenderOptions } from '../../src/server/types';
import { collect } from './helpers';
import { byId, parseDocument, payloadsOf, text } from '../support/parse.mjs';

const unhandled: unknown[] = [];
const record = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', record);
});
afterEach(() => {
  process.off('unhandledRejection', record);
});
/** Lets every pending promise callback run, so a rejection left unhandled would have been reported. */
/** The payloads without `total`, which only the first one written carries (render.test.ts tests that). */
const contentOf = (out: string) => payloadsOf(out).map(({ total: _, ...payload }) => payload);
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

const body = `${placeholder('a')}${placeholder('b')}`;
const page = (...pagelets: Pagelet[]): Page => ({ body, pagelets });

/** Renders the page with an onError recorder; resolves to the joined output and the errors by pagelet. */
async function render(p: Page, options: RenderOptions = {}) {
  const errors: [string, string][] = [];
  const out = (
    await collect(
      renderToChunks(p, { ...options, onError: (e, id) => errors.push([id, String((e as Error)?.message ?? e)]) }),
    )
  ).join('');
  await settled();
  return { out, errors };
}

describe('a result whose reading throws', () => {
  const throwing = () => ({
    get html(): string {
      throw new Error('getter boom');
    },
  });

  it.each([
    ['sync', (): Pagelet => ({ id: 'a', render: throwing, fallback: 'F' })],
    ['async', (): Pagelet => ({ id: 'a', render: async () => throwing(), fallback: 'F' })],
  ])('fails the pagelet (%s): fallback, onError once, no unhandled rejection', async (_, make) => {
    const { out, errors } = await render(page(make(), { id: 'b', render: () => ({ html: 'B' }) }));
    expect(contentOf(out).sort((x, y) => (x.target < y.target ? -1 : 1))).toEqual([
      { target: 'a', html: 'F' },
      { target: 'b', html: 'B' },
    ]);
    expect(payloadsOf(out).map((p) => p.total)).toEqual([2, undefined]);
    expect(errors).toEqual([['a', 'getter boom']]);
    expect(unhandled).toEqual([]);
  });

  it('fails a streamed item the same way', async () => {
    async function* feed() {
      yield { html: 'one' };
      yield throwing();
    }
    const { out, errors } = await render(page({ id: 'a', render: feed }, { id: 'b', render: () => ({ html: 'B' }) }));
    expect(
      payloadsOf(out)
        .filter((p) => p.target === 'a')
        .map((p) => p.html),
    ).toEqual(['one']);
    expect(errors).toEqual([['a', 'getter boom']]);
    expect(unhandled).toEqual([]);
  });

  it('fails a render whose result has a throwing then getter', async () => {
    const result = Object.defineProperty({}, 'then', {
      get: () => {
        throw new Error('then boom');
      },
    });
    const { out, errors } = await render(
      page({ id: 'a', render: () => result as never, fallback: 'F' }, { id: 'b', render: () => ({ html: 'B' }) }),
    );
    expect(contentOf(out).find((p) => p.target === 'a')).toEqual({ target: 'a', html: 'F' });
    expect(errors).toEqual([['a', 'then boom']]);
    expect(unhandled).toEqual([]);
  });

  it('reads each field once, so what was checked is what is sent', async () => {
    let reads = 0;
    const result = {
      get html() {
        return reads++ ? (42 as unknown as string) : 'once';
      },
    };
    const { out } = await render(page({ id: 'a', render: () => result }, { id: 'b', render: () => ({ html: 'B' }) }));
    expect(payloadsOf(out).find((p) => p.target === 'a')!.html).toBe('once');
    expect(reads).toBe(1);
  });
});

describe('a result too large to serialize', () => {
  // a few characters short of V8's longest string: with the payload around it, it cannot be one string
  const longest = 'x'.repeat(2 ** 29 - 30);
  const huge = () => ({ html: longest, css: 'p{}' });

  it('sends the fallback in its place and completes the page', async () => {
    const { out, errors } = await render(
      page({ id: 'a', render: huge, fallback: 'too big' }, { id: 'b', render: () => ({ html: 'B' }) }),
    );
    expect(
      payloadsOf(out)
        .map((p) => [p.target, p.html])
        .sort(),
    ).toEqual([
      ['a', 'too big'],
      ['b', 'B'],
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]![0]).toBe('a');
    expect(out.endsWith('</body></html>')).toBe(true);
    expect(unhandled).toEqual([]);
  }, 60_000); // half a gigabyte of string: slow on a loaded machine

  it('in inline mode too', async () => {
    const { out, errors } = await render(
      page({ id: 'a', render: huge, fallback: 'too big' }, { id: 'b', render: () => ({ html: 'B' }) }),
      { mode: 'inline' },
    );
    expect(text(byId(parseDocument(out), 'a')!)).toBe('too big');
    expect(errors.map(([id]) => id)).toEqual(['a']);
  }, 60_000);
});

describe('invalid results', () => {
  it.each([
    // biome-ignore lint/suspicious/noSparseArray: a sparse array is the hostile input
    ['a sparse css_links', { css_links: [, '/a.css'] }, /css_links: expected string\[\]/],
    [
      'a sync generator',
      (function* () {
        yield { html: 'x' };
      })(),
      /synchronous iterable.*async function\*/,
    ],
    ['an object without content', {}, /expected at least one of html, append, css, css_links, js_links, js/],
    ['a class instance without content', new Map(), /synchronous iterable/],
  ])('rejects %s, naming what was expected', async (_, result, message) => {
    const { out, errors } = await render(
      page({ id: 'a', render: () => result as never, fallback: 'F' }, { id: 'b', render: () => ({ html: 'B' }) }),
    );
    expect(contentOf(out).find((p) => p.target === 'a')).toEqual({ target: 'a', html: 'F' });
    expect(errors).toHaveLength(1);
    expect(errors[0]![1]).toMatch(message);
  });

  it('rejects a sync generator function as render', async () => {
    const { errors } = await render(
      page(
        {
          id: 'a',
          *render() {
            yield { html: 'x' };
          },
        } as never,
        { id: 'b', render: () => ({ html: 'B' }) },
      ),
    );
    expect(errors[0]![1]).toMatch(/synchronous iterable/);
  });

  it('reports unknown fields once and still sends the known ones', async () => {
    async function* feed() {
      yield { html: 'one', content: 'typo' };
      yield { html: 'two', css_link: ['/a.css'] };
    }
    const { out, errors } = await render(
      page(
        { id: 'a', render: () => ({ html: 'A', content: 'x', css_link: [] }) as never },
        { id: 'b', render: feed as never },
      ),
    );
    expect(payloadsOf(out).map((p) => p.html)).toEqual(expect.arrayContaining(['A', 'one', 'two']));
    expect(errors.map(([id]) => id).sort()).toEqual(['a', 'b']);
    expect(errors.find(([id]) => id === 'a')![1]).toMatch(/unknown fields "content", "css_link" ignored/);
  });

  it('never lets a __proto__ key reach the wire', async () => {
    const result = JSON.parse('{"html":"x","__proto__":{"total":1,"html":"y"}}');
    const { out, errors } = await render(
      page({ id: 'a', render: () => result }, { id: 'b', render: () => ({ html: 'B' }) }),
    );
    expect(out).not.toContain('__proto__');
    expect(contentOf(out).find((p) => p.target === 'a')).toEqual({ target: 'a', html: 'x' });
    expect(errors[0]![1]).toMatch(/unknown fields "__proto__"/);
  });

  it('refuses a fallback without content or with unknown fields before anything starts', () => {
    expect(() => startRender(page({ id: 'a', render: () => ({ html: 'A' }), fallback: {} }))).toThrow(
      /fallback expected at least one/,
    );
    expect(() =>
      startRender(page({ id: 'a', render: () => ({ html: 'A' }), fallback: { htm: 'x' } as never })),
    ).toThrow(/fallback/);
  });
});

describe('inline mode placeholders', () => {
  it('finds any element with the id, whatever its tag, attributes and quoting', async () => {
    const body = `<section class="x" ID=a data-x='<div id="b">'>Loading…</section><p title="a>b" id = 'b'></p>`;
    const { out } = await render(
      {
        body,
        pagelets: [
          { id: 'a', render: () => ({ html: 'A' }) },
          { id: 'b', render: () => ({ html: 'B' }) },
        ],
      },
      { mode: 'inline' },
    );
    const doc = parseDocument(out);
    expect(text(byId(doc, 'a')!)).toBe('A');
    expect(text(byId(doc, 'b')!)).toBe('B');
  });

  it("replaces the placeholder's own content, nested elements of its name included, as pipeline mode does", async () => {
    const body = `${placeholder('a', { content: '<div class="skeleton"><div></div></div>Loading…' })}<p>after</p>`;
    const { out } = await render({ body, pagelets: [{ id: 'a', render: () => ({ html: 'A' }) }] }, { mode: 'inline' });
    expect(out).toContain('<body><div id="a">A</div><p>after</p></body>');
  });

  it('keeps the content of a placeholder that never ends, and writes the pagelet at its start', async () => {
    const { out } = await render(
      { body: '<div id="a">Loading…', pagelets: [{ id: 'a', render: () => ({ html: 'A' }) }] },
      { mode: 'inline' },
    );
    expect(out).toContain('<div id="a">ALoading…</body>');
  });

  it('skips ids inside scripts, comments, raw text and templates', async () => {
    const body = `<script>document.write('<div id="a"></div>')</script><!-- <div id="a"></div> --><textarea><div id="a"></div></textarea><template><div id="a"></div></template><div id="a"></div>`;
    const { out } = await render({ body, pagelets: [{ id: 'a', render: () => ({ html: 'A' }) }] }, { mode: 'inline' });
    expect(out).toContain('</template><div id="a">A</div></body>');
  });

  it('decodes character references in the id', async () => {
    const { out } = await render(
      { body: placeholder('a&"b'), pagelets: [{ id: 'a&"b', render: () => ({ html: 'A' }) }] },
      { mode: 'inline' },
    );
    expect(out).toContain(`${placeholder('a&"b').slice(0, -'</div>'.length)}A</div>`);
  });

  it('stays linear: 20,000 placeholders and an unterminated attribute', async () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `p${i}`);
    const pagelets = ids.map((id) => ({ id, render: () => ({ html: id }) }));
    const body = ids.map((id) => placeholder(id)).join('') + '<div title="' + 'x'.repeat(200_000);
    const { out } = await render({ body, pagelets }, { mode: 'inline' });
    expect(out).toContain('<div id="p19999">p19999</div>');
  });
});

describe('surrogate pairs split across items', () => {
  it('are written whole in inline mode', async () => {
    async function* feed() {
      yield { html: 'a\ud83d' };
      yield { html: '\ude00b' };
    }
    const chunks = await collect(
      renderToChunks({ body: placeholder('a'), pagelets: [{ id: 'a', render: feed }] }, { mode: 'inline' }),
    );
    const bytes = Buffer.concat(chunks.map((c) => Buffer.from(c, 'utf8')));
    expect(bytes.toString('utf8')).toContain('a😀b');
    expect(chunks.every((c) => !/[\ud800-\udbff]$/.test(c))).toBe(true);
  });
});

describe('backpressure', () => {
  it('asks a streamed pagelet for its next item only once the reader has taken the last one', async () => {
    let asked = 0;
    const iterator = {
      next: () =>
        Promise.resolve(
          ++asked > 1000 ? { done: true, value: undefined } : { done: false, value: { html: String(asked) } },
        ),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    const render = startRender({
      body: placeholder('a'),
      pagelets: [{ id: 'a', stream: true, render: () => iterator as AsyncIterable<PageletContent> }],
    });
    render.read(); // the shell
    await settled();
    expect(asked).toBe(1); // item 1 is ready and unread: the iterator is not asked again
    expect(render.read()).toContain('"html":"1"');
    expect(asked).toBe(2);
    await settled();
    expect(render.read()).toContain('"html":"2"');
    expect(render.read()).toBeUndefined();
    render.cancel();
  });
});

describe('a shared options.signal', () => {
  it('takes one abort listener, however many pages use it', async () => {
    const controller = new AbortController();
    const added: unknown[] = [];
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    signal.addEventListener = ((type: string, listener: never, options: never) => {
      added.push(type);
      add(type, listener, options);
    }) as typeof signal.addEventListener;
    const renders = Array.from({ length: 50 }, () =>
      startRender(page({ id: 'a', render: () => new Promise(() => {}) }), { signal, onError: () => {} }),
    );
    expect(added).toEqual(['abort']);
    controller.abort(new Error('shutdown'));
    for (const r of renders) expect(() => r.read()).toThrow('shutdown');
  });
});

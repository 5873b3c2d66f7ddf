import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOADER, STUB } from '../../src/protocol';
import { renderToChunks } from '../../src/server/chunks';
import { DEFAULT_PAGELET_TIMEOUT, type Page, type Pagelet, type RenderOptions } from '../../src/server/types';
import { RUNTIME, RUNTIME_TRUSTED_TYPES } from '../../src/server/runtime.generated';
import { aborted, collect, deferred, heldPagelet, heldStream } from './helpers';
import { attr, elements, parseDocument, payloadsOf } from '../support/parse.mjs';

const SHELL_START = '<!DOCTYPE html><html><head><meta charset="utf-8">';
const body = '<div id="a"></div><div id="b"></div><div id="c"></div>';
const page = (pagelets: Pagelet[]): Page => ({ head: '<title>T</title>', body, pagelets });
const quiet: RenderOptions = { onError: () => {} };

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('pipeline mode', () => {
  it('writes the shell before any pagelet resolves', async () => {
    const a = heldPagelet('a');
    const chunks = renderToChunks(page([a.pagelet]), quiet);
    expect((await chunks.next()).value).toBe(
      `${SHELL_START}<script>${RUNTIME}</script><title>T</title></head><body>${body}`,
    );
    await chunks.return();
  });

  it('starts every render at once', () => {
    const held = ['a', 'b', 'c'].map((id) => heldPagelet(id));
    const chunks = renderToChunks(page(held.map((h) => h.pagelet)), quiet);
    expect(held.map((h) => h.calls)).toEqual([1, 1, 1]);
    void chunks.return();
  });

  it('writes each payload in completion order', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((id) => heldPagelet(id));
    const chunks = renderToChunks(page([a!.pagelet, b!.pagelet, c!.pagelet]), quiet);
    await chunks.next();
    b!.result.resolve({ html: 'B' });
    expect(payloadsOf((await chunks.next()).value)).toEqual([{ target: 'b', html: 'B', total: 3 }]);
    c!.result.resolve({ html: 'C' });
    expect(payloadsOf((await chunks.next()).value)).toEqual([{ target: 'c', html: 'C' }]);
    a!.result.resolve({ html: 'A' });
    expect(payloadsOf((await chunks.next()).value)).toEqual([{ target: 'a', html: 'A' }]);
  });

  it('writes one payload script per chunk, the first carrying the total', async () => {
    const pagelets = ['a', 'b', 'c'].map((id) => ({ id, render: () => ({ html: id }) }));
    const chunks = await collect(renderToChunks(page(pagelets), quiet));
    expect(chunks.slice(1, -1).map((chunk) => payloadsOf(chunk).map((p) => p.total))).toEqual([
      [3],
      [undefined],
      [undefined],
    ]);
  });

  it('ends with </body></html> after the last payload', async () => {
    const chunks = await collect(renderToChunks(page([{ id: 'a', render: () => ({ html: 'A' }) }]), quiet));
    expect(chunks).toHaveLength(3);
    expect(chunks[2]).toBe('</body></html>');
  });

  it('ends right after the shell when there are no pagelets', async () => {
    expect(await collect(renderToChunks({ body: 'x', pagelets: [] }))).toEqual([
      `${SHELL_START}<script>${RUNTIME}</script></head><body>x`,
      '</body></html>',
    ]);
  });

  it('sends every content field and ignores target and total in a render result', async () => {
    const content = { html: 'h', append: true, css: 'c', css_links: ['/a.css'], js_links: ['/a.js'], js: 'j' };
    const result = { ...content, target: 'other', total: 9, extra: 1 };
    const html = (await collect(renderToChunks(page([{ id: 'a', render: () => result }]), quiet))).join('');
    expect(payloadsOf(html)).toEqual([{ target: 'a', ...content, total: 1 }]);
  });

  it('accepts a render that returns its content synchronously', async () => {
    const html = (await collect(renderToChunks(page([{ id: 'a', render: () => ({ html: 'A' }) }]), quiet))).join('');
    expect(payloadsOf(html)).toEqual([{ target: 'a', html: 'A', total: 1 }]);
  });
});

describe('runtime inclusion', () => {
  const shell = async (options: RenderOptions) =>
    (await renderToChunks({ body: '', pagelets: [] }, options).next()).value as string;

  it('inlines the built runtime by default', async () => {
    expect(await shell({})).toBe(`${SHELL_START}<script>${RUNTIME}</script></head><body>`);
    expect(RUNTIME).toBe(readFileSync(new URL('../../dist/bigpipe.min.js', import.meta.url), 'utf8').trim());
  });

  it("inlines the Trusted Types build for 'inline-trusted-types'", async () => {
    expect(await shell({ runtime: 'inline-trusted-types' })).toBe(
      `${SHELL_START}<script>${RUNTIME_TRUSTED_TYPES}</script></head><body>`,
    );
    expect(RUNTIME_TRUSTED_TYPES).toBe(
      readFileSync(new URL('../../dist/bigpipe.tt.min.js', import.meta.url), 'utf8').trim(),
    );
  });

  it('writes a script tag with integrity and crossorigin for { src, integrity }', async () => {
    expect(await shell({ runtime: { src: '/bigpipe.min.js?a=1&b="2"', integrity: 'sha384-abc' } })).toBe(
      `${SHELL_START}<script src="/bigpipe.min.js?a=1&amp;b=&quot;2&quot;" integrity="sha384-abc" ` +
        'crossorigin="anonymous"></script></head><body>',
    );
  });

  it('writes no crossorigin without integrity', async () => {
    expect(await shell({ runtime: { src: '/b.js' } })).toBe(`${SHELL_START}<script src="/b.js"></script></head><body>`);
  });

  it('writes a preload, the tag in a <template> without async, and the stub + loader for { src, async }', async () => {
    expect(await shell({ runtime: { src: '/b.js', async: true } })).toBe(
      `${SHELL_START}<link rel="preload" as="script" href="/b.js"><template><script src="/b.js"></script></template>` +
        `<script>${LOADER}</script></head><body>`,
    );
  });

  it('loads a module the same way, with a modulepreload, for { src, module } (never a parser-inserted module)', async () => {
    expect(await shell({ runtime: { src: '/app.js', module: true } })).toBe(
      `${SHELL_START}<link rel="modulepreload" href="/app.js"><template><script type="module" src="/app.js"></script>` +
        `</template><script>${LOADER}</script></head><body>`,
    );
  });

  it('gives the preload and the held tag the same escaped src, integrity and crossorigin, and every element the nonce', async () => {
    const runtime = { src: '/b.js?a=1&b="</script>"', async: true, integrity: 'sha384-a"b' };
    const src = '/b.js?a=1&amp;b=&quot;&lt;/script&gt;&quot;';
    const fetch = ` integrity="sha384-a&quot;b" crossorigin="anonymous"`;
    expect(await shell({ runtime, nonce: 'N0nce' })).toBe(
      `${SHELL_START}<link nonce="N0nce" rel="preload" as="script" href="${src}"${fetch}><template>` +
        `<script nonce="N0nce" src="${src}"${fetch}></script></template><script nonce="N0nce">${LOADER}</script>` +
        '</head><body>',
    );
  });

  it('writes a loader that starts with the stub, cannot close its script and sets no async attribute', () => {
    expect(LOADER.startsWith(`${STUB};`)).toBe(true);
    expect(LOADER).not.toMatch(/[<>"'&]|async/);
  });

  it.each<RenderOptions['runtime']>([
    'inline',
    'inline-trusted-types',
    { src: '/b.js', module: true },
    { src: '/b.js' },
    { src: '/b.js', async: true, integrity: 'sha384-x' },
  ])('puts the nonce on every script tag (runtime %j)', async (runtime) => {
    const pagelets = [{ id: 'a', render: () => ({ html: '<p>A</p>' }) }];
    const html = (await collect(renderToChunks(page(pagelets), { runtime, nonce: 'N0nce' }))).join('');
    const scripts = elements(parseDocument(html), 'script');
    expect(scripts.length).toBeGreaterThan(1);
    expect(scripts.map((s) => attr(s, 'nonce'))).toEqual(scripts.map(() => 'N0nce'));
  });
});

describe('timeouts and failures', () => {
  it(`times out after ${DEFAULT_PAGELET_TIMEOUT} ms by default`, async () => {
    vi.useFakeTimers();
    const a = heldPagelet('a');
    const errors: unknown[] = [];
    const chunks = renderToChunks(page([a.pagelet]), { onError: (e) => errors.push(e) });
    await chunks.next();
    await vi.advanceTimersByTimeAsync(DEFAULT_PAGELET_TIMEOUT - 1);
    expect(errors).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(errors).toHaveLength(1);
    await chunks.return();
  });

  it('sends the string fallback as html when a render times out', async () => {
    vi.useFakeTimers();
    const a = heldPagelet('a', { timeout: 50, fallback: '<p>later</p>' });
    const chunks = renderToChunks(page([a.pagelet]), quiet);
    await chunks.next();
    await vi.advanceTimersByTimeAsync(50);
    expect(payloadsOf((await chunks.next()).value)).toEqual([{ target: 'a', html: '<p>later</p>', total: 1 }]);
  });

  it('calls onError once with an error naming the pagelet and the ms', async () => {
    vi.useFakeTimers();
    const a = heldPagelet('a', { timeout: 50 });
    const onError = vi.fn();
    const chunks = renderToChunks(page([a.pagelet]), { onError });
    await chunks.next();
    await vi.advanceTimersByTimeAsync(1000);
    a.result.resolve({ html: 'late' });
    await collect(chunks);
    expect(onError).toHaveBeenCalledOnce();
    const [error, id] = onError.mock.calls[0]!;
    expect(id).toBe('a');
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('pagelet "a" timed out after 50 ms');
  });

  it('aborts the signal of a timed-out render', async () => {
    vi.useFakeTimers();
    const a = heldPagelet('a', { timeout: 50 });
    const chunks = renderToChunks(page([a.pagelet]), quiet);
    await chunks.next();
    await vi.advanceTimersByTimeAsync(50);
    expect(a.signal!.aborted).toBe(true);
    expect((a.signal!.reason as Error).name).toBe('TimeoutError');
  });

  it('ignores a render that resolves after its timeout', async () => {
    vi.useFakeTimers();
    const a = heldPagelet('a', { timeout: 50 });
    const chunks = renderToChunks(page([a.pagelet]), quiet);
    await chunks.next();
    await vi.advanceTimersByTimeAsync(50);
    a.result.resolve({ html: 'late' });
    const html = (await collect(chunks)).join('');
    expect(payloadsOf(html)).toEqual([{ target: 'a', html: '', total: 1 }]);
  });

  it('uses options.timeout, and a pagelet timeout over it', async () => {
    vi.useFakeTimers();
    const a = heldPagelet('a');
    const b = heldPagelet('b', { timeout: 10 });
    const failed: string[] = [];
    const chunks = renderToChunks(page([a.pagelet, b.pagelet]), { timeout: 100, onError: (_, id) => failed.push(id) });
    await chunks.next();
    await vi.advanceTimersByTimeAsync(10);
    expect(failed).toEqual(['b']);
    await vi.advanceTimersByTimeAsync(90);
    expect(failed).toEqual(['b', 'a']);
    await chunks.return();
  });

  it('sets no timer for an Infinity timeout', async () => {
    vi.useFakeTimers();
    const a = heldPagelet('a', { timeout: Infinity });
    const chunks = renderToChunks(page([a.pagelet]), quiet);
    expect(vi.getTimerCount()).toBe(0);
    await chunks.return();
  });

  it('sends the fallback when a render throws', async () => {
    const pagelet = {
      id: 'a',
      render: () => {
        throw new Error('boom');
      },
      fallback: { html: 'F', css: 'p{}' },
    };
    const html = (await collect(renderToChunks(page([pagelet]), quiet))).join('');
    expect(payloadsOf(html)).toEqual([{ target: 'a', html: 'F', css: 'p{}', total: 1 }]);
  });

  it('sends empty html when a render rejects and there is no fallback', async () => {
    const pagelet = { id: 'a', render: () => Promise.reject(new Error('boom')) };
    const html = (await collect(renderToChunks(page([pagelet]), quiet))).join('');
    expect(payloadsOf(html)).toEqual([{ target: 'a', html: '', total: 1 }]);
  });

  it('reports the thrown error with the pagelet id and aborts its signal', async () => {
    const boom = new Error('boom');
    const a = heldPagelet('a');
    const onError = vi.fn();
    const chunks = collect(renderToChunks(page([a.pagelet]), { onError }));
    a.result.reject(boom);
    await chunks;
    expect(onError.mock.calls).toEqual([[boom, 'a']]);
    expect(a.signal!.reason).toBe(boom);
  });

  it('treats an invalid render result like a failure', async () => {
    const onError = vi.fn();
    const pagelet = { id: 'a', render: () => ({ html: 42 }) as never, fallback: 'F' };
    const html = (await collect(renderToChunks(page([pagelet]), { onError }))).join('');
    expect(payloadsOf(html)).toEqual([{ target: 'a', html: 'F', total: 1 }]);
    expect(String(onError.mock.calls[0]![0])).toContain('html: expected string');
  });

  it('keeps streaming when onError throws', async () => {
    const pagelets = [
      { id: 'a', render: () => Promise.reject(new Error('boom')) },
      { id: 'b', render: () => ({ html: 'B' }) },
    ];
    const onError = () => {
      throw new Error('onError broke');
    };
    const chunks = await collect(renderToChunks(page(pagelets), { onError }));
    expect(chunks.at(-1)).toBe('</body></html>');
    expect(
      payloadsOf(chunks.join(''))
        .map((p) => p.target)
        .sort(),
    ).toEqual(['a', 'b']);
  });

  it('reports to console.error when there is no onError', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    await collect(renderToChunks(page([{ id: 'a', render: () => Promise.reject(new Error('boom')) }])));
    expect(log).toHaveBeenCalledOnce();
    log.mockRestore();
  });
});

describe('signals and timers', () => {
  /** Counts the AbortControllers made while it is installed. */
  const countControllers = () => {
    const made = { count: 0 };
    vi.stubGlobal(
      'AbortController',
      class extends AbortController {
        constructor() {
          super();
          made.count++;
        }
      },
    );
    return made;
  };

  it('creates no AbortController for a pagelet that never reads its signal', async () => {
    const made = countControllers();
    const pagelets = ['a', 'b', 'c'].map((id) => ({ id, render: async () => ({ html: id }) }));
    await collect(renderToChunks(page(pagelets), quiet));
    expect(made.count).toBe(0);
  });

  it('gives a render that reads its signal late an aborted one when it timed out meanwhile', async () => {
    vi.useFakeTimers();
    const made = countControllers();
    let ctx: { signal: AbortSignal } | undefined;
    const chunks = renderToChunks(
      page([{ id: 'a', timeout: 50, render: (c) => ((ctx = c), new Promise(() => {})) }]),
      quiet,
    );
    await chunks.next();
    await vi.advanceTimersByTimeAsync(50);
    expect(made.count).toBe(0);
    expect(ctx!.signal.aborted).toBe(true);
    expect((ctx!.signal.reason as Error).message).toBe('pagelet "a" timed out after 50 ms');
    expect(ctx!.signal).toBe(ctx!.signal);
  });

  it('gives a render that reads its signal late an aborted one when the page was cancelled', async () => {
    let ctx: { signal: AbortSignal } | undefined;
    const chunks = renderToChunks(page([{ id: 'a', render: (c) => ((ctx = c), new Promise(() => {})) }]), quiet);
    await chunks.return();
    expect(ctx!.signal.aborted).toBe(true);
    expect((ctx!.signal.reason as DOMException).name).toBe('AbortError');
  });

  it('gives a render that finished a signal that stays unaborted', async () => {
    let ctx: { signal: AbortSignal } | undefined;
    await collect(renderToChunks(page([{ id: 'a', render: (c) => ((ctx = c), { html: 'A' }) }]), quiet));
    expect(ctx!.signal.aborted).toBe(false);
  });

  it('aborts a signal read early through the same object render read', async () => {
    const a = heldPagelet('a');
    const chunks = renderToChunks(page([a.pagelet]), quiet);
    const signal = a.signal!;
    await chunks.return();
    expect(signal.aborted).toBe(true);
  });

  it('sets one timer for the pagelets that share a timeout', async () => {
    vi.useFakeTimers();
    const held = [heldPagelet('a'), heldPagelet('b'), heldPagelet('c', { timeout: 10 })];
    const chunks = renderToChunks(page(held.map((h) => h.pagelet)), quiet);
    expect(vi.getTimerCount()).toBe(2);
    await chunks.return();
  });

  it('times out only the pagelets still pending when the shared timer fires', async () => {
    vi.useFakeTimers();
    const [a, b] = [heldPagelet('a', { timeout: 50 }), heldPagelet('b', { timeout: 50 })];
    const failed: string[] = [];
    const chunks = renderToChunks(page([a.pagelet, b.pagelet]), { onError: (_, id) => failed.push(id) });
    await chunks.next();
    a.result.resolve({ html: 'A' });
    await vi.advanceTimersByTimeAsync(50);
    expect(failed).toEqual(['b']);
    expect(payloadsOf((await collect(chunks)).join(''))).toEqual([
      { target: 'a', html: 'A', total: 2 },
      { target: 'b', html: '' },
    ]);
  });

  it('clears a shared timer once none of its pagelets is pending', async () => {
    vi.useFakeTimers();
    const [a, b] = [heldPagelet('a'), heldPagelet('b', { timeout: Infinity })];
    const chunks = renderToChunks(page([a.pagelet, b.pagelet]), quiet);
    a.result.resolve({ html: 'A' });
    await chunks.next();
    await chunks.next();
    expect(vi.getTimerCount()).toBe(0);
    await chunks.return();
  });
});

describe('streamed pagelets', () => {
  it('sends each item as a payload of its own as soon as it is yielded', async () => {
    const feed = heldStream('a');
    const chunks = renderToChunks(page([feed.pagelet]), quiet);
    await chunks.next();
    feed.push({ html: '1' });
    // the only pagelet's first payload completes the first round: it carries the late total
    expect(payloadsOf((await chunks.next()).value)).toEqual([{ target: 'a', html: '1', total: 1 }]);
    feed.push({ html: '2', css: 'p{}' });
    expect(payloadsOf((await chunks.next()).value)).toEqual([{ target: 'a', html: '2', append: true, css: 'p{}' }]);
    feed.end();
    expect(await collect(chunks)).toEqual(['</body></html>']);
  });

  it("keeps the first item's append and sends every later item with append: true", async () => {
    async function* render() {
      yield { html: '1', append: true };
      yield { html: '2', append: false };
      yield { html: '3' };
    }
    const html = (await collect(renderToChunks(page([{ id: 'a', render }]), quiet))).join('');
    expect(payloadsOf(html).map((p) => [p.html, p.append])).toEqual([
      ['1', true],
      ['2', true],
      ['3', true],
    ]);
  });

  it('sends total late on a page with a streamed pagelet: on the payload that completes the first round', async () => {
    async function* feed() {
      yield { html: '1' };
      yield { html: '2' };
    }
    const pagelets = [
      { id: 'a', render: () => ({ html: 'A' }) },
      { id: 'b', render: feed },
    ];
    const html = (await collect(renderToChunks(page(pagelets), quiet))).join('');
    expect(payloadsOf(html)).toEqual([
      { target: 'a', html: 'A' },
      { target: 'b', html: '1', total: 2 },
      { target: 'b', html: '2', append: true },
    ]);
  });

  it('counts every payload written before the round completes, appends included', async () => {
    const feed = heldStream('b');
    const slow = heldPagelet('a');
    const chunks = renderToChunks(page([slow.pagelet, feed.pagelet]), quiet);
    await chunks.next();
    feed.push({ html: '1' });
    expect(payloadsOf((await chunks.next()).value)).toEqual([{ target: 'b', html: '1' }]);
    feed.push({ html: '2' });
    expect(payloadsOf((await chunks.next()).value)).toEqual([{ target: 'b', html: '2', append: true }]);
    slow.result.resolve({ html: 'A' });
    expect(payloadsOf((await chunks.next()).value)).toEqual([{ target: 'a', html: 'A', total: 3 }]);
    await chunks.return();
  });

  it('gives a stream that ends without an item a payload that shows nothing, to carry the total', async () => {
    async function* nothing() {}
    const html = (
      await collect(
        renderToChunks(
          page([
            { id: 'a', render: () => ({ html: 'A' }) },
            { id: 'b', render: nothing },
          ]),
          quiet,
        ),
      )
    ).join('');
    expect(payloadsOf(html)).toEqual([
      { target: 'a', html: 'A' },
      { target: 'b', total: 2 },
    ]);
  });

  it('streams a render that resolves to an async iterable when declared with stream: true', async () => {
    async function* items() {
      yield { html: '1' };
      yield { html: '2' };
    }
    const pagelet = { id: 'a', stream: true, render: async () => items() };
    const html = (await collect(renderToChunks(page([pagelet]), quiet))).join('');
    expect(payloadsOf(html).map((p) => p.html)).toEqual(['1', '2']);
  });

  it('writes the items of several streams in the order they are yielded', async () => {
    const [a, b] = [heldStream('a'), heldStream('b')];
    const chunks = renderToChunks(page([a.pagelet, b.pagelet]), quiet);
    await chunks.next();
    const order = [
      () => a.push({ html: 'a1' }),
      () => b.push({ html: 'b1' }),
      () => a.push({ html: 'a2' }),
      () => b.push({ html: 'b2' }),
    ];
    const written = [];
    for (const give of order) {
      give();
      written.push(...payloadsOf((await chunks.next()).value).map((p) => p.html));
    }
    expect(written).toEqual(['a1', 'b1', 'a2', 'b2']);
    await chunks.return();
  });

  it('sends a payload without content for a stream that ends without an item', async () => {
    const feed = heldStream('a');
    const chunks = renderToChunks(page([feed.pagelet, { id: 'b', render: () => ({ html: 'B' }) }]), quiet);
    feed.end();
    expect(payloadsOf((await collect(chunks)).join(''))).toEqual([
      { target: 'b', html: 'B' },
      { target: 'a', total: 2 },
    ]);
  });

  it('fails a render that returns an async iterable without stream: true', async () => {
    async function* items() {
      yield { html: '1' };
    }
    const onError = vi.fn();
    const pagelet = { id: 'a', render: async () => items(), fallback: 'F' };
    const html = (await collect(renderToChunks(page([pagelet]), { onError }))).join('');
    expect(payloadsOf(html)).toEqual([{ target: 'a', html: 'F', total: 1 }]);
    expect(String(onError.mock.calls[0]![0])).toMatch(/returned an async iterable: declare it with stream: true/);
  });

  it('sends the fallback when a stream fails before its first item', async () => {
    const feed = heldStream('a', { fallback: 'F' });
    const onError = vi.fn();
    const chunks = collect(renderToChunks(page([feed.pagelet]), { onError }));
    const boom = new Error('boom');
    feed.fail(boom);
    expect(payloadsOf((await chunks).join(''))).toEqual([{ target: 'a', html: 'F', total: 1 }]);
    expect(onError.mock.calls).toEqual([[boom, 'a']]);
  });

  it('stops at an error midway: reports it once, aborts the signal, sends nothing more', async () => {
    const feed = heldStream('a', { fallback: 'F' });
    const onError = vi.fn();
    const chunks = renderToChunks(page([feed.pagelet]), { onError });
    await chunks.next();
    feed.push({ html: '1' });
    await chunks.next();
    const boom = new Error('boom');
    feed.fail(boom);
    expect(await collect(chunks)).toEqual(['</body></html>']);
    expect(onError.mock.calls).toEqual([[boom, 'a']]);
    expect(feed.signal!.reason).toBe(boom);
  });

  it('treats an invalid item as a failure and stops the iteration', async () => {
    const feed = heldStream('a');
    const onError = vi.fn();
    const chunks = renderToChunks(page([feed.pagelet]), { onError });
    feed.push({ html: '1' });
    feed.push({ html: 2 } as never);
    expect(payloadsOf((await collect(chunks)).join('')).map((p) => p.html)).toEqual(['1']);
    expect(String(onError.mock.calls[0]![0])).toContain('pagelet "a" yielded an invalid item: html: expected string');
    expect(feed.returned).toBe(1);
  });

  it('times out waiting for the first item: fallback, onError, iteration stopped', async () => {
    vi.useFakeTimers();
    const feed = heldStream('a', { timeout: 50, fallback: 'F' });
    const onError = vi.fn();
    const chunks = renderToChunks(page([feed.pagelet]), { onError });
    await chunks.next();
    await vi.advanceTimersByTimeAsync(50);
    expect(payloadsOf((await chunks.next()).value)).toEqual([{ target: 'a', html: 'F', total: 1 }]);
    expect((onError.mock.calls[0]![0] as Error).message).toBe('pagelet "a" timed out after 50 ms');
    expect([feed.returned, feed.signal!.aborted]).toEqual([1, true]);
  });

  it('times out waiting for a later item, then sends nothing more', async () => {
    vi.useFakeTimers();
    const feed = heldStream('a', { timeout: 50, fallback: 'F' });
    const onError = vi.fn();
    const chunks = renderToChunks(page([feed.pagelet]), { onError });
    await chunks.next();
    feed.push({ html: '1' });
    await chunks.next();
    await vi.advanceTimersByTimeAsync(50);
    feed.push({ html: 'late' });
    expect(await collect(chunks)).toEqual(['</body></html>']);
    expect(onError).toHaveBeenCalledOnce();
    expect((onError.mock.calls[0]![0] as Error).message).toBe('pagelet "a" timed out after 50 ms waiting for item 2');
    expect(feed.returned).toBe(1);
  });

  it('bounds each wait for an item, not the whole stream', async () => {
    vi.useFakeTimers();
    const feed = heldStream('a', { timeout: 50 });
    const onError = vi.fn();
    const chunks = renderToChunks(page([feed.pagelet]), { onError });
    await chunks.next();
    for (const html of ['1', '2', '3']) {
      await vi.advanceTimersByTimeAsync(40);
      feed.push({ html });
    }
    await vi.advanceTimersByTimeAsync(40);
    feed.end();
    expect(payloadsOf((await collect(chunks)).join('')).map((p) => p.html)).toEqual(['1', '2', '3']);
    expect(onError).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops the iteration and aborts the signal on return()', async () => {
    const feed = heldStream('a');
    const chunks = renderToChunks(page([feed.pagelet]), quiet);
    feed.push({ html: '1' });
    await chunks.next();
    await chunks.return();
    expect([feed.returned, feed.signal!.aborted]).toEqual([1, true]);
  });

  it('stops the iteration when options.signal aborts', async () => {
    const feed = heldStream('a');
    const controller = new AbortController();
    const chunks = renderToChunks(page([feed.pagelet]), { ...quiet, signal: controller.signal });
    await chunks.next();
    controller.abort();
    await expect(chunks.next()).rejects.toHaveProperty('name', 'AbortError');
    expect(feed.returned).toBe(1);
  });

  it('does not call return() on an iteration that ended by itself', async () => {
    const feed = heldStream('a');
    const chunks = collect(renderToChunks(page([feed.pagelet]), quiet));
    feed.push({ html: '1' });
    feed.end();
    await chunks;
    expect(feed.returned).toBe(0);
  });

  it('lets a cancelled async generator run its finally block', async () => {
    const closed = deferred<string[]>();
    const pagelet = {
      id: 'a',
      async *render({ signal }: { signal: AbortSignal }) {
        const log: string[] = [];
        try {
          yield { html: '1' };
          await aborted(signal);
          log.push('aborted');
        } finally {
          closed.resolve(log);
        }
      },
    };
    const chunks = renderToChunks(page([pagelet]), quiet);
    await chunks.next();
    await chunks.next();
    await chunks.return();
    expect(await closed.promise).toEqual(['aborted']);
  });
});

describe('cancellation', () => {
  it('aborts every pending render when options.signal aborts', async () => {
    const held = ['a', 'b'].map((id) => heldPagelet(id));
    const controller = new AbortController();
    const chunks = renderToChunks(page(held.map((h) => h.pagelet)), { ...quiet, signal: controller.signal });
    await chunks.next();
    held[0]!.result.resolve({ html: 'A' });
    await chunks.next();
    controller.abort();
    expect(held.map((h) => h.signal!.aborted)).toEqual([false, true]);
  });

  it('rejects the pending read with the reason when options.signal aborts, then ends', async () => {
    const a = heldPagelet('a');
    const controller = new AbortController();
    const chunks = renderToChunks(page([a.pagelet]), { ...quiet, signal: controller.signal });
    await chunks.next();
    const reading = chunks.next();
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(reading).rejects.toBe(reason);
    expect(await chunks.next()).toEqual({ done: true, value: undefined });
  });

  it('renders nothing when options.signal is already aborted', async () => {
    const a = heldPagelet('a');
    const chunks = renderToChunks(page([a.pagelet]), { ...quiet, signal: AbortSignal.abort() });
    expect(a.calls).toBe(0);
    await expect(chunks.next()).rejects.toHaveProperty('name', 'AbortError');
  });

  it('aborts every pending render and ends the output on return()', async () => {
    const held = ['a', 'b'].map((id) => heldPagelet(id));
    const chunks = renderToChunks(page(held.map((h) => h.pagelet)), quiet);
    await chunks.next();
    const reading = chunks.next();
    await chunks.return();
    expect(await reading).toEqual({ done: true, value: undefined });
    expect(held.map((h) => h.signal!.aborted)).toEqual([true, true]);
  });

  it('clears every timer on cancel', async () => {
    vi.useFakeTimers();
    const held = [heldPagelet('a'), heldPagelet('b', { timeout: 10 })];
    const chunks = renderToChunks(page(held.map((h) => h.pagelet)), quiet);
    expect(vi.getTimerCount()).toBe(2);
    await chunks.return();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('neither reports nor writes a render that settles after cancel', async () => {
    const a = heldPagelet('a');
    const onError = vi.fn();
    const chunks = renderToChunks(page([a.pagelet]), { onError });
    await chunks.next();
    await chunks.return();
    a.result.reject(new Error('aborted late'));
    await aborted(a.signal!);
    await a.result.promise.catch(() => {});
    expect(onError).not.toHaveBeenCalled();
    expect(await chunks.next()).toEqual({ done: true, value: undefined });
  });

  it('stops when a for-await loop breaks', async () => {
    const a = heldPagelet('a');
    for await (const chunk of renderToChunks(page([a.pagelet]), quiet)) {
      expect(chunk).toContain('<!DOCTYPE html>');
      break;
    }
    expect(a.signal!.aborted).toBe(true);
  });
});

describe('validation', () => {
  const render = () => ({ html: '' });
  it.each<[string, Page, RegExp]>([
    [
      'duplicate ids',
      {
        body: '',
        pagelets: [
          { id: 'a', render },
          { id: 'a', render },
        ],
      },
      /pagelet "a": duplicate id/,
    ],
    ['an empty id', { body: '', pagelets: [{ id: '', render }] }, /pagelet "": id must not be empty/],
    [
      'an id with whitespace',
      { body: '', pagelets: [{ id: 'a b', render }] },
      /pagelet "a b": id must not contain whitespace/,
    ],
    [
      'an id that is not a string',
      { body: '', pagelets: [{ id: 1 as never, render }] },
      /pagelet #0: id must be a string/,
    ],
    ['a missing render', { body: '', pagelets: [{ id: 'a' } as never] }, /pagelet "a": render must be a function/],
    ['a negative timeout', { body: '', pagelets: [{ id: 'a', render, timeout: -1 }] }, /pagelet "a": timeout/],
    [
      'an invalid fallback',
      { body: '', pagelets: [{ id: 'a', render, fallback: { html: 1 } as never }] },
      /pagelet "a": fallback html/,
    ],
    ['a body that is not a string', { pagelets: [] } as never, /page.body/],
    ['pagelets that are not an array', { body: '' } as never, /page.pagelets/],
    [
      'a stream flag that is not a boolean',
      { body: '', pagelets: [{ id: 'a', render, stream: 1 as never }] },
      /pagelet "a": stream must be a boolean/,
    ],
  ])('throws for %s before rendering anything', (_, bad, message) => {
    expect(() => renderToChunks(bad)).toThrow(message);
  });

  it.each<[string, RenderOptions, RegExp | ErrorConstructor]>([
    ['a bad nonce', { nonce: '"x' }, TypeError],
    ['a bad mode', { mode: 'fast' as never }, /options.mode/],
    ['a bad runtime', { runtime: { src: '' } }, /options.runtime/],
    [
      'an unknown inline runtime',
      { runtime: 'inline-tt' as never },
      /options.runtime must be 'inline', 'inline-trusted-types' or/,
    ],
    ['a bad timeout', { timeout: NaN }, /options: timeout/],
  ])('throws for %s in options', (_, options, error) => {
    expect(() => renderToChunks({ body: '', pagelets: [] }, options)).toThrow(error);
  });

  it('calls no render when the page is invalid', () => {
    const a = heldPagelet('a');
    expect(() => renderToChunks({ body: '', pagelets: [a.pagelet, { id: 'a', render }] })).toThrow();
    expect(a.calls).toBe(0);
  });
});

describe('lifecycle hooks', () => {
  it('tell when the shell and when every pagelet was handed over, and time each pagelet', async () => {
    const events: string[] = [];
    const a = heldPagelet('a');
    const b = heldPagelet('b', { timeout: 20, fallback: 'late' });
    const c = heldPagelet('c');
    const chunks = renderToChunks(page([a.pagelet, b.pagelet, c.pagelet]), {
      ...quiet,
      onShellReady: () => events.push('shell'),
      onAllReady: () => events.push('all'),
      onPagelet: (id, { ms, status }) => events.push(`${id} ${status} ${typeof ms === 'number' && ms >= 0}`),
    });
    await chunks.next();
    await Promise.resolve();
    expect(events).toEqual(['shell']);
    a.result.resolve({ html: 'A' });
    await chunks.next();
    await chunks.next(); // b times out meanwhile, or c fails: whichever first
    c.result.reject(new Error('down'));
    await collect(chunks);
    expect(events[0]).toBe('shell');
    expect(events.slice(1, -1).sort()).toEqual(['a ok true', 'b timeout true', 'c error true']);
    expect(events.at(-1)).toBe('all');
  });

  it('ignores what a hook throws', async () => {
    const boom = () => {
      throw new Error('hook');
    };
    const out = await collect(
      renderToChunks(page([{ id: 'a', render: () => ({ html: 'A' }) }]), {
        onShellReady: boom,
        onAllReady: boom,
        onPagelet: boom,
      }),
    );
    expect(payloadsOf(out.join(''))).toEqual([{ target: 'a', html: 'A', total: 1 }]);
  });

  it('calls no pagelet hook for a cancelled page', async () => {
    const events: string[] = [];
    const chunks = renderToChunks(page([heldPagelet('a').pagelet]), {
      onPagelet: (id) => events.push(id),
      onAllReady: () => events.push('all'),
    });
    await chunks.next();
    await chunks.return();
    expect(events).toEqual([]);
  });
});

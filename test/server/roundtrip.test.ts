/**
 * The server's output run by the shipped runtime: a page rendered with renderToReadableStream (runtime inlined from
 * src/server/runtime.generated.ts, which the build makes from dist/bigpipe.min.js), joined and loaded in jsdom.
 */
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { placeholder, renderToReadableStream, type Page, type RenderOptions } from '../../src/server';
import { RUNTIME } from '../../src/server/runtime.generated';

const hostile = '<p>1</p></script><script>window.pwned=1</script>\u2028\u2029<!--<script>x';

async function load(page: Page, options?: RenderOptions) {
  const html = await new Response(renderToReadableStream(page, { onError: () => {}, ...options })).text();
  const dom = new JSDOM(html, { runScripts: 'dangerously' });
  const document = dom.window.document;
  // what the same markup becomes when a browser sets it as innerHTML directly
  const expected = (markup: string) => Object.assign(document.createElement('div'), { innerHTML: markup }).innerHTML;
  return { window: dom.window as unknown as Record<string, unknown>, document, expected, html };
}

// Records the runtime's events from the head, before any payload arrives.
const recorder = `<script>window.events=[];for(const t of ['display','error','done'])
  document.addEventListener('bigpipe:'+t,e=>events.push(t+':'+(e.detail.target??'')))</script>`;

describe('round trip through the runtime in jsdom', () => {
  it('inlines the built runtime', () => {
    expect(RUNTIME).toContain('onPageletArrive');
  });

  const page = (): Page => ({
    head: recorder,
    body: ['a', 'b', 'c'].map(placeholder).join(''),
    pagelets: [
      { id: 'a', render: async () => ({ html: '<em>A</em>', js: 'window.ran=(window.ran||[]).concat("a")' }) },
      { id: 'b', render: () => ({ html: hostile, css: '#b{color:red}' }) },
      { id: 'c', render: () => Promise.reject(new Error('down')), fallback: '<i>C later</i>' },
    ],
  });

  it('fills every placeholder with its html', async () => {
    const { document, expected } = await load(page());
    expect(['a', 'b', 'c'].map((id) => document.getElementById(id)!.innerHTML)).toEqual(
      ['<em>A</em>', hostile, '<i>C later</i>'].map(expected),
    );
  });

  it('runs no script smuggled in a payload string', async () => {
    const { window } = await load(page());
    expect(window.pwned).toBeUndefined();
  });

  it('displays every pagelet, runs its js and finishes', async () => {
    const { window } = await load(page());
    expect(window.ran).toEqual(['a']);
    const events = window.events as string[];
    expect(events.filter((e) => e.startsWith('display')).sort()).toEqual(['display:a', 'display:b', 'display:c']);
    expect(events.at(-1)).toBe('done:');
  });

  it('adds inline css with the nonce of the page', async () => {
    const { document } = await load(page(), { nonce: 'N0nce' });
    const style = [...document.querySelectorAll('style')].find((s) => s.textContent === '#b{color:red}')!;
    expect(style.nonce || style.getAttribute('nonce')).toBe('N0nce');
  });

  it('appends the items of a streamed pagelet; the payload completing the first round carries the total', async () => {
    async function* feed() {
      yield { html: '<p>1</p>' };
      yield { html: '<p>2</p>', js: 'window.ran=(window.ran||[]).concat("feed")' };
      yield { html: '<p>3</p>' };
    }
    const { document, window, html } = await load({
      head: recorder,
      body: placeholder('feed') + placeholder('b'),
      pagelets: [
        { id: 'feed', render: feed },
        { id: 'b', render: () => ({ html: 'B', js: 'window.ran=(window.ran||[]).concat("b")' }) },
      ],
    });
    expect(html.match(/"total":2/g)).toHaveLength(1);
    expect(document.getElementById('feed')!.innerHTML).toBe('<p>1</p><p>2</p><p>3</p>');
    expect((window.ran as string[]).sort()).toEqual(['b', 'feed']);
    // done once the first round is in; the feed's later items then display (and run their js) after it
    const events = window.events as string[];
    expect(events.filter((e) => e === 'done:')).toHaveLength(1);
    expect(events.slice(events.indexOf('done:'))).toEqual(['done:', 'display:feed', 'display:feed']);
  });
});

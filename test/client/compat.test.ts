// dist/bigpipe.compat.min.js on pages in the formats of older BigPipe servers, as those servers write them, in jsdom
// (the shipped bytes). Real browsers: test/e2e/compat.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPage } from './harness';

const COMPAT = readFileSync(new URL('../../dist/bigpipe.compat.min.js', import.meta.url), 'utf8');
const body = '<div id="pagelet1"></div><div id="pagelet2"></div>';

/** A page with the runtime, then the compat script, as the README says to load them. */
const compatPage = (options: Parameters<typeof createPage>[0] = {}) => {
  const page = createPage({ body, ...options });
  page.run(COMPAT);
  return page;
};

describe('the ASP.NET MVC tutorial format', () => {
  it('shows each pagelet, its stylesheets first, and runs the scripts once new BigPipe(n) pagelets are shown', async () => {
    const page = compatPage();
    // What its server writes, as JavaScriptSerializer writes it (null for an absent list, "<" as \u003c).
    page.run('var bigpipe = new BigPipe(2);');
    page.run(
      'bigpipe.onPageletArrive({"Id":"pagelet1","Content":"\\u003cp\\u003eone\\u003c/p\\u003e","Css":["/p1.css"],"Js":["/p1.js"]});',
    );
    page.run(
      'bigpipe.onPageletArrive({"Id":"pagelet2","Content":"\\u003cp\\u003etwo\\u003c/p\\u003e","Css":null,"Js":null});',
    );
    expect(page.html('pagelet2')).toBe('<p>two</p>');
    await page.whenRequested('/p1.css');
    expect(page.html('pagelet1')).toBe('');
    await page.respond('/p1.css', 'p{color:red}');
    await page.whenRequested('/p1.js');
    expect(page.html('pagelet1')).toBe('<p>one</p>');
    // The JS phase began at the count, while the document is still loading: the count is the total.
    expect(page.document.readyState).toBe('loading');
    const done = page.next('bigpipe:done');
    await page.respond('/p1.js', 'window.ran = 1');
    await done;
    expect(page.window.ran).toBe(1);
    expect(page.events().filter((e) => e.type === 'bigpipe:error')).toEqual([]);
    expect(page.pageErrors).toEqual([]);
  });
});

describe("Facebook's 2010 format", () => {
  it('shows each pagelet and starts the JS phase at the is_last payload', async () => {
    const page = compatPage();
    page.run('big_pipe.onPageletArrive({id: "pagelet1", content: "<p>one</p>", css: [], js: ["/one.js"]})');
    page.run(
      'big_pipe.onPageletArrive({id: "pagelet2", content: "<p>two</p>", css: ["/two.css"], js: [], is_last: true})',
    );
    expect(page.html('pagelet1')).toBe('<p>one</p>');
    await page.whenRequested('/two.css');
    expect(page.html('pagelet2')).toBe('');
    const shown = page.next('bigpipe:display');
    await page.respond('/two.css');
    await shown;
    expect(page.html('pagelet2')).toBe('<p>two</p>');
    await page.whenRequested('/one.js');
    expect(page.document.readyState).toBe('loading');
    const done = page.next('bigpipe:done');
    await page.respond('/one.js');
    await done;
    expect(page.events()).toEqual([
      { type: 'bigpipe:arrive', target: 'pagelet1' },
      { type: 'bigpipe:display', target: 'pagelet1' },
      { type: 'bigpipe:arrive', target: 'pagelet2' },
      { type: 'bigpipe:display', target: 'pagelet2' },
      { type: 'bigpipe:done' },
    ]);
  });

  it('takes a page that makes its own big_pipe with new BigPipe({...})', () => {
    const page = compatPage();
    page.run('var big_pipe = new BigPipe({ lid: 0 }); big_pipe.onPageletArrive({id: "pagelet1", content: "one"})');
    expect(page.html('pagelet1')).toBe('one');
  });
});

describe('the global, with the compat script', () => {
  it('passes protocol payloads through unchanged: string css and js are inline code, not lists', () => {
    const page = compatPage();
    page.arrive({ target: 'pagelet1', html: '<p>A</p>', css: '#pagelet1 p { color: red }', total: 1 });
    expect(page.html('pagelet1')).toBe('<p>A</p>');
    expect(page.document.querySelector('style')!.textContent).toBe('#pagelet1 p { color: red }');
    expect(page.log.at(-1)).toEqual({ type: 'bigpipe:done' });
  });

  it("adapts a legacy payload sent to BigPipe.onPageletArrive, and leaves the protocol's field when both are there", () => {
    const page = compatPage();
    page.arrive({ Id: 'pagelet1', Content: 'asp' });
    page.arrive({ target: 'pagelet2', id: 'pagelet1', html: 'ours', content: 'theirs' });
    expect([page.html('pagelet1'), page.html('pagelet2')]).toEqual(['asp', 'ours']);
  });

  it("forwards BigPipe.timeout to the runtime's object", async () => {
    const page = compatPage();
    page.window.BigPipe.timeout = 1;
    page.arrive({ target: 'pagelet1', html: 'A', css_links: ['/never.css'] });
    expect(await page.next('bigpipe:error')).toEqual({
      type: 'bigpipe:error',
      target: 'pagelet1',
      url: '/never.css',
      error: 'timeout',
    });
    expect(page.window.BigPipe.timeout).toBe(1);
  });

  it('reports a payload the runtime cannot read, as the runtime does', () => {
    const page = compatPage();
    page.run('big_pipe.onPageletArrive({content: "no id"}); big_pipe.onPageletArrive(null)');
    expect(page.events().map((e) => [e.type, e.error])).toEqual([
      ['bigpipe:error', 'target: expected string'],
      ['bigpipe:error', 'target: expected string'],
    ]);
  });

  it('keeps renderPagelet, and a second runtime still finds the first one installed', () => {
    const page = compatPage();
    page.run('renderPagelet({"target":"pagelet1","html":"R"})');
    page.loadRuntime();
    page.arrive({ Id: 'pagelet2', Content: 'still adapted' });
    expect([page.html('pagelet1'), page.html('pagelet2')]).toEqual(['R', 'still adapted']);
  });

  it('says it must come after the runtime when loaded before it, and changes nothing', () => {
    const errors: string[] = [];
    const page = createPage({
      body,
      deferRuntime: true,
      queued: [],
      before: (window) => (window.console.error = (m: string) => errors.push(m)),
    });
    page.run(COMPAT);
    expect(errors).toEqual([
      'bigpipe.compat.min.js: load it after the bigpipe-js runtime (inline, or a script tag without async or defer)',
    ]);
    page.loadRuntime();
    page.arrive({ target: 'pagelet1', html: 'A' });
    expect(page.html('pagelet1')).toBe('A');
    expect(typeof page.window.big_pipe).toBe('undefined');
  });
});

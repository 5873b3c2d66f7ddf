// The runtime's edge cases (issue #14, "Runtime v2"): each of these failed with the v1 runtime.
import { describe, expect, it } from 'vitest';
import { createPage } from './harness';

const two = '<div id="a"></div><div id="b"></div>';

/** Counts the runtime's placeholder lookups: the work per payload, measured without a clock. */
const countLookups = (window: any) => {
  const document = window.document;
  const byId = document.getElementById.bind(document);
  window.lookups = 0;
  document.getElementById = (id: string) => (window.lookups++, byId(id));
};

/** Resolves when the page calls `name()`: jsdom runs an inline script inserted while external ones load later than browsers do. */
const called = (page: ReturnType<typeof createPage>, name: string) =>
  new Promise((resolve) => (page.window[name] = resolve));

describe('nested pagelets at scale', () => {
  const N = 2000;

  it('shows 2,000 children waiting for the parent that brings their placeholders with a linear number of lookups', () => {
    const page = createPage({ body: '<div id="parent"></div>', before: countLookups });
    for (let i = 0; i < N; i++) page.arrive({ target: 'c' + i, html: 'child ' + i });
    const placeholders = Array.from({ length: N }, (_, i) => `<div id="c${i}"></div>`).join('');
    page.arrive({ target: 'parent', html: placeholders, total: N + 1 });
    expect(page.events().filter((e) => e.type === 'bigpipe:display').length).toBe(N + 1);
    expect(page.html('c1999')).toBe('child 1999');
    expect(page.events().at(-1)).toEqual({ type: 'bigpipe:done', target: undefined });
    expect(page.window.lookups).toBeLessThanOrEqual(3 * N);
  });

  it('shows a chain of 2,000 pagelets, each placeholder brought by the next one, with a linear number of lookups', () => {
    const page = createPage({ body: '<div id="c0"></div>', before: countLookups });
    // Arrival order: c1999 first, c0 (whose placeholder is in the shell) last; each brings the placeholder of the one before.
    for (let i = N - 1; i >= 0; i--) page.arrive({ target: 'c' + i, html: `<div id="c${i + 1}"></div>` });
    expect(
      page
        .events()
        .filter((e) => e.type === 'bigpipe:display')
        .map((e) => e.target)
        .slice(0, 3),
    ).toEqual(['c0', 'c1', 'c2']);
    expect(page.document.getElementById('c2000')).not.toBe(null);
    expect(page.window.lookups).toBeLessThanOrEqual(3 * N);
  });

  it('does not look placeholders up again for every arrival while pagelets wait for theirs', () => {
    const page = createPage({ body: '<div id="parent"></div>', before: countLookups });
    for (let i = 0; i < N; i++) page.arrive({ target: 'orphan' + i, html: 'x' });
    expect(page.window.lookups).toBeLessThanOrEqual(2 * N);
    page.end();
    expect(page.events().filter((e) => e.type === 'bigpipe:error').length).toBe(N);
    expect(page.window.lookups).toBeLessThanOrEqual(3 * N);
  });
});

describe('bigpipe:done exactly once', () => {
  it('fires once when a bigpipe:done listener sends a payload synchronously, and that payload still runs its JS', () => {
    const page = createPage({ body: two });
    page.window.ran = [];
    page.document.addEventListener('bigpipe:done', () => page.arrive({ target: 'b', html: 'B', js: 'ran.push("b")' }), {
      once: true,
    });
    page.arrive({ target: 'a', html: 'A', total: 1 });
    expect(page.events()).toEqual([
      { type: 'bigpipe:arrive', target: 'a' },
      { type: 'bigpipe:display', target: 'a' },
      { type: 'bigpipe:done', target: undefined },
      { type: 'bigpipe:arrive', target: 'b' },
      { type: 'bigpipe:display', target: 'b' },
    ]);
    expect(page.window.ran).toEqual(['b']);
  });

  it('is harmless to install the runtime twice: the first keeps its state, each payload is handled once', () => {
    const page = createPage({ body: '<ul id="feed"></ul>' });
    const first = page.window.BigPipe.onPageletArrive;
    page.arrive({ target: 'feed', html: '<li>1</li>', append: true, total: 2 });
    page.loadRuntime();
    expect(page.window.BigPipe.onPageletArrive).toBe(first);
    page.arrive({ target: 'feed', html: '<li>2</li>', append: true, total: 2 });
    page.end();
    expect(page.html('feed')).toBe('<li>1</li><li>2</li>');
    expect(page.events().map((e) => e.type)).toEqual([
      'bigpipe:arrive',
      'bigpipe:display',
      'bigpipe:arrive',
      'bigpipe:display',
      'bigpipe:done',
    ]);
  });

  it('is harmless to install the runtime twice behind the async stub', () => {
    const page = createPage({ body: two, queued: [{ target: 'a', html: 'A' }], deferRuntime: true });
    page.loadRuntime();
    page.loadRuntime();
    page.arrive({ target: 'b', html: 'B' });
    page.end();
    expect(page.events().map((e) => e.type + ':' + (e.target ?? ''))).toEqual([
      'bigpipe:arrive:a',
      'bigpipe:display:a',
      'bigpipe:arrive:b',
      'bigpipe:display:b',
      'bigpipe:done:',
    ]);
  });

  it('creates its Trusted Types policy once when installed twice', () => {
    const policies: string[] = [];
    const identity = (s: string) => s;
    const api = {
      createPolicy: (name: string) => (
        policies.push(name), { createHTML: identity, createScript: identity, createScriptURL: identity }
      ),
    };
    const page = createPage({ body: two, before: (window) => (window.trustedTypes = api) });
    page.loadRuntime();
    page.arrive({ target: 'a', html: 'A', total: 1 });
    expect(policies).toEqual(['bigpipe']);
    expect(page.pageErrors).toEqual([]);
  });
});

describe('BigPipe.timeout', () => {
  /** Records the delays of the timers the page arms. */
  const recordTimers = (window: any) => {
    const setTimeout = window.setTimeout.bind(window);
    window.delays = [];
    window.setTimeout = (f: () => void, ms: number, ...args: unknown[]) => (
      window.delays.push(ms), setTimeout(f, ms, ...args)
    );
  };

  it.each([Infinity, 2 ** 31, 1e12])(
    'means no timeout when it is %s: no timer, the sheet is waited for',
    async (timeout) => {
      const page = createPage({ body: two, before: recordTimers });
      page.window.BigPipe.timeout = timeout;
      page.arrive({ target: 'a', html: 'A', css_links: ['/slow.css'], js_links: ['/slow.js'], total: 1 });
      await page.whenRequested('/slow.css');
      expect(page.window.delays).toEqual([]);
      const shown = page.next('bigpipe:display');
      await page.respond('/slow.css');
      await shown;
      await page.whenRequested('/slow.js');
      expect(page.window.delays).toEqual([]);
      const done = page.next('bigpipe:done');
      await page.respond('/slow.js');
      await done;
      expect(page.events().filter((e) => e.type === 'bigpipe:error')).toEqual([]);
    },
  );

  it('still arms the largest timer a browser can hold', async () => {
    const page = createPage({ body: two, before: recordTimers });
    page.window.BigPipe.timeout = 2 ** 31 - 1;
    page.arrive({ target: 'a', html: 'A', css_links: ['/a.css'] });
    await page.whenRequested('/a.css');
    expect(page.window.delays).toEqual([2 ** 31 - 1]);
  });
});

describe('script deduplication', () => {
  it('loads a script whose <script src> is only inside pagelet html (inert, never run)', async () => {
    const page = createPage({ body: two });
    page.window.ran = [];
    page.arrive({ target: 'a', html: '<script src="/lib.js"></script><p>A</p>' });
    const inline = called(page, 'inlineRan');
    page.arrive({ target: 'b', html: 'B', js_links: ['/lib.js'], js: 'ran.push("b"); inlineRan()' });
    page.end();
    await page.whenRequested('/lib.js');
    await page.respond('/lib.js', 'ran.push("lib")');
    await inline;
    expect(page.window.ran).toEqual(['lib', 'b']);
    expect(page.requested('/lib.js')).toBe(1);
  });

  it("loads a script the page has but has not run yet, and runs the pagelet's js after it", async () => {
    const page = createPage({ body: two });
    page.window.ran = [];
    const own = page.document.createElement('script');
    own.src = '/page.js';
    page.document.body.append(own); // still loading when the pagelet needs it
    await page.whenRequested('/page.js');
    const inline = called(page, 'inlineRan');
    page.arrive({ target: 'a', html: 'A', js_links: ['/page.js'], js: 'ran.push("a"); inlineRan()' });
    page.end();
    expect(page.requested('/page.js')).toBe(2);
    await page.respond('/page.js', 'ran.push("page")');
    await inline;
    expect(page.window.ran.at(-1)).toBe('a');
    expect(page.window.ran).toContain('page');
  });

  it('does not load again a script the page ran before the runtime was installed', async () => {
    const page = createPage({ body: two, head: '<script src="/before.js"></script>', deferRuntime: true });
    page.window.ran = [];
    const ran = new Promise((r) => page.document.querySelector('script')!.addEventListener('load', r));
    await page.whenRequested('/before.js');
    await page.respond('/before.js', 'ran.push("before")');
    await ran;
    page.evalRuntime();
    const inline = called(page, 'inlineRan');
    page.arrive({ target: 'a', html: 'A', js_links: ['/before.js'], js: 'ran.push("a"); inlineRan()', total: 1 });
    await inline;
    expect(page.window.ran).toEqual(['before', 'a']);
    expect(page.requested('/before.js')).toBe(1);
  });
});

describe('one URL as stylesheet and as script', () => {
  it('requests it once as each: they are different resources', async () => {
    const page = createPage({ body: two });
    page.window.ran = [];
    const inline = called(page, 'inlineRan');
    page.arrive({
      target: 'a',
      html: 'A',
      css_links: ['/dual'],
      js_links: ['/dual'],
      js: 'ran.push("a"); inlineRan()',
      total: 1,
    });
    await page.whenRequested('/dual');
    const shown = page.next('bigpipe:display');
    await page.respond('/dual', 'ran.push("dual")');
    await shown;
    await new Promise<void>((resolve) => {
      const check = () => (page.requested('/dual') === 2 ? resolve() : setTimeout(check));
      check();
    });
    await page.respond('/dual', 'ran.push("dual")');
    await inline;
    expect(page.window.ran).toEqual(['dual', 'a']);
    expect(page.document.querySelectorAll('link[href="/dual"], script[src="/dual"]').length).toBe(2);
  });
});

describe('empty URLs', () => {
  it('reports an empty stylesheet URL at once and shows the pagelet without waiting', () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'a', html: 'A', css_links: [''] });
    expect(page.events()).toEqual([
      { type: 'bigpipe:arrive', target: 'a' },
      { type: 'bigpipe:error', target: 'a', url: '', error: 'empty URL' },
      { type: 'bigpipe:display', target: 'a' },
    ]);
    expect(page.requests).toEqual([]);
  });

  it("reports an empty script URL at once in the JS phase and skips the pagelet's js", () => {
    const page = createPage({ body: two });
    page.window.ran = [];
    page.arrive({ target: 'a', html: 'A', js_links: [''], js: 'ran.push("a")' });
    page.arrive({ target: 'b', html: 'B', js: 'ran.push("b")', total: 2 });
    expect(page.events().filter((e) => e.type === 'bigpipe:error')).toEqual([
      { type: 'bigpipe:error', target: 'a', url: '', error: 'empty URL' },
    ]);
    expect(page.window.ran).toEqual(['b']);
    expect(page.events().at(-1)).toEqual({ type: 'bigpipe:done', target: undefined });
    expect(page.requests).toEqual([]);
  });
});

describe('null means absent', () => {
  it('accepts null for every field but target, as if the field were missing', () => {
    const page = createPage({ body: '<div id="a">kept</div>' });
    const fields = { html: null, append: null, css: null, css_links: null, js_links: null, js: null, total: null };
    page.arrive({ target: 'a', ...fields });
    expect(page.events()).toEqual([
      { type: 'bigpipe:arrive', target: 'a' },
      { type: 'bigpipe:display', target: 'a' },
    ]);
    expect(page.html('a')).toBe('kept');
    page.end();
    expect(page.events().at(-1)).toEqual({ type: 'bigpipe:done', target: undefined });
  });

  it('shows the html of a payload whose scripts are null', () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'a', html: '<p>A</p>', js: null, js_links: null, total: 1 });
    expect(page.html('a')).toBe('<p>A</p>');
    expect(page.events().at(-1)).toEqual({ type: 'bigpipe:done', target: undefined });
  });

  it('still rejects a null target', () => {
    const page = createPage({ body: two });
    page.arrive({ target: null, html: 'A' });
    expect(page.events()).toEqual([{ type: 'bigpipe:error', target: null, error: 'target: expected string' }]);
  });
});

describe('own keys only', () => {
  it('ignores the fields of a __proto__ key in a payload written as a script literal', () => {
    const page = createPage({ body: two });
    page.window.ran = [];
    page.run(
      'BigPipe.onPageletArrive({"target":"a","html":"A","__proto__":{"total":1,"js":"ran.push(1)","html":"evil"}})',
    );
    expect(page.html('a')).toBe('A');
    expect(page.events().map((e) => e.type)).toEqual(['bigpipe:arrive', 'bigpipe:display']);
    page.end();
    expect(page.window.ran).toEqual([]);
  });

  it('ignores a __proto__ key of a payload from JSON.parse', () => {
    const page = createPage({ body: two });
    page.window.ran = [];
    page.arrive(page.window.JSON.parse('{"target":"a","html":"A","__proto__":{"total":1,"js":"ran.push(1)"}}'));
    expect(page.events().map((e) => e.type)).toEqual(['bigpipe:arrive', 'bigpipe:display']);
    page.end();
    expect(page.window.ran).toEqual([]);
  });

  it('handles a target that is also a name on Object.prototype', () => {
    const page = createPage({ body: '<div id="__proto__"></div><div id="constructor"></div>' });
    page.arrive({ target: '__proto__', html: 'P' });
    page.arrive({ target: 'constructor', html: 'C' });
    expect([page.html('__proto__'), page.html('constructor')]).toEqual(['P', 'C']);
    expect(page.events().filter((e) => e.type === 'bigpipe:error')).toEqual([]);
  });
});

describe('renderPagelet (the entry point of bigpipe-response pages)', () => {
  it('is the same entry point as BigPipe.onPageletArrive', () => {
    const page = createPage({ body: two });
    expect(page.window.renderPagelet).toBe(page.window.BigPipe.onPageletArrive);
  });

  it('shows a bigpipe-response payload with its stylesheets and runs its scripts', async () => {
    const page = createPage({ body: two });
    page.window.ran = [];
    const inline = called(page, 'inlineRan');
    page.run(
      'renderPagelet({"target":"a","html":"<p>A</p>","css":"p{}","js":"ran.push(\'a\'); inlineRan()","css_links":["/a.css"],"js_links":["/a.js"]})',
    );
    await page.whenRequested('/a.css');
    await page.respond('/a.css');
    await page.next('bigpipe:display');
    page.end();
    await page.whenRequested('/a.js');
    await page.respond('/a.js', 'ran.push("a.js")');
    await inline;
    expect(page.html('a')).toBe('<p>A</p>');
    expect(page.window.ran).toEqual(['a.js', 'a']);
  });
});

describe('a step that throws', () => {
  /** A page that requires Trusted Types but whose CSP refuses the runtime's policy: innerHTML throws for a plain string. */
  const refusedPolicy = (window: any) => {
    window.trustedTypes = {
      createPolicy: () => {
        throw new TypeError('Policy "bigpipe" disallowed.');
      },
    };
    const inner = Object.getOwnPropertyDescriptor(window.Element.prototype, 'innerHTML')!;
    Object.defineProperty(window.Element.prototype, 'innerHTML', {
      ...inner,
      set(value: unknown) {
        if (typeof value === 'string') throw new window.TypeError("This document requires 'TrustedHTML' assignment.");
        inner.set!.call(this, value);
      },
    });
  };

  it('is reported as an uncaught error, never thrown out of onPageletArrive, and the later payloads still go through', async () => {
    const page = createPage({ body: '<div id="a"></div><ul id="feed"></ul>', before: refusedPolicy });
    const reported = new Promise<any>((resolve) => page.window.addEventListener('error', resolve, { once: true }));
    expect(() => page.arrive({ target: 'a', html: '<b>A</b>' })).not.toThrow();
    expect((await reported).message).toContain('TrustedHTML');
    page.arrive({ target: 'feed', html: '<li>1</li>', append: true });
    page.end();
    expect(page.html('feed')).toBe('<li>1</li>');
    expect(page.events().map((e) => e.type + ':' + (e.target ?? ''))).toEqual([
      'bigpipe:arrive:a',
      'bigpipe:arrive:feed',
      'bigpipe:display:feed',
      'bigpipe:done:',
    ]);
  });
});

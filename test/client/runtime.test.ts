import { describe, expect, it } from 'vitest';
import { BUILDS, createPage, ORIGIN } from './harness';

const two = '<div id="a"></div><div id="b"></div>';

describe('stylesheets', () => {
  it('shows a pagelet without stylesheets at once', () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'a', html: '<p>A</p>' });
    expect(page.html('a')).toBe('<p>A</p>');
    expect(page.events()).toEqual([
      { type: 'bigpipe:arrive', target: 'a' },
      { type: 'bigpipe:display', target: 'a' },
    ]);
  });

  it('waits for the stylesheet before showing the pagelet', async () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'a', html: '<p>A</p>', css_links: ['/a.css'] });
    await page.whenRequested('/a.css');
    expect(page.html('a')).toBe('');
    const shown = page.next('bigpipe:display');
    await page.respond('/a.css', 'p{color:red}');
    expect(await shown).toEqual({ type: 'bigpipe:display', target: 'a' });
    expect(page.html('a')).toBe('<p>A</p>');
  });

  it('applies the stylesheet before the HTML shows', async () => {
    const page = createPage({ body: two });
    const rules: number[] = [];
    page.document.addEventListener('bigpipe:display', () =>
      rules.push(page.document.querySelector<HTMLLinkElement>('link[href$="a.css"]')!.sheet!.cssRules.length),
    );
    page.arrive({ target: 'a', html: '<p>A</p>', css_links: ['/a.css'] });
    await page.whenRequested('/a.css');
    const shown = page.next('bigpipe:display');
    await page.respond('/a.css', 'p{color:red}');
    await shown;
    expect(rules).toEqual([1]);
  });

  it("requests all of a pagelet's stylesheets at once", async () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'a', html: 'A', css_links: ['/1.css', '/2.css', '/3.css'] });
    await Promise.all(['/1.css', '/2.css', '/3.css'].map(page.whenRequested));
    const shown = page.next('bigpipe:display');
    await page.respond('/3.css');
    await page.respond('/1.css');
    expect(page.html('a')).toBe('');
    await page.respond('/2.css');
    await shown;
    expect(page.html('a')).toBe('A');
  });

  it('shows a pagelet without CSS ahead of one waiting for a slow sheet', async () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'a', html: 'A', css_links: ['/slow.css'] });
    page.arrive({ target: 'b', html: 'B' });
    expect(page.html('b')).toBe('B');
    await page.whenRequested('/slow.css');
    const shown = page.next('bigpipe:display');
    await page.respond('/slow.css');
    await shown;
    expect(page.events().filter((e) => e.type === 'bigpipe:display')).toEqual([
      { type: 'bigpipe:display', target: 'b' },
      { type: 'bigpipe:display', target: 'a' },
    ]);
  });

  it('shows the pagelet anyway and reports the URL when a stylesheet fails', async () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'a', html: 'A', css_links: ['/missing.css'] });
    await page.whenRequested('/missing.css');
    const error = page.next('bigpipe:error');
    const shown = page.next('bigpipe:display');
    await page.respond('/missing.css', 'not found', 404);
    expect(await error).toEqual({
      type: 'bigpipe:error',
      target: 'a',
      url: '/missing.css',
      error: 'load error',
    });
    await shown;
    expect(page.html('a')).toBe('A');
  });

  it('shows the pagelet anyway and reports the URL when a stylesheet times out', async () => {
    const page = createPage({ body: two });
    page.window.BigPipe.timeout = 30;
    page.arrive({ target: 'a', html: 'A', css_links: ['/stalled.css'] });
    expect(await page.next('bigpipe:error')).toEqual({
      type: 'bigpipe:error',
      target: 'a',
      url: '/stalled.css',
      error: 'timeout',
    });
    expect(page.html('a')).toBe('A');
  });

  it('requests a stylesheet shared by two pagelets once, and both wait on the same load', async () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'a', html: 'A', css_links: ['/shared.css'] });
    page.arrive({ target: 'b', html: 'B', css_links: [ORIGIN + '/shared.css'] });
    await page.whenRequested('/shared.css');
    expect(page.html('b')).toBe('');
    await page.respond('/shared.css');
    await page.next('bigpipe:display');
    expect([page.html('a'), page.html('b')]).toEqual(['A', 'B']);
    expect(page.requested('/shared.css')).toBe(1);
  });

  it('does not request a stylesheet again once it has loaded', async () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'a', html: 'A', css_links: ['/x.css'] });
    await page.whenRequested('/x.css');
    await page.respond('/x.css');
    await page.next('bigpipe:display');
    page.arrive({ target: 'b', html: 'B', css_links: ['x.css'] });
    expect(page.html('b')).toBe('B');
    expect(page.requested('/x.css')).toBe(1);
  });

  it('does not request a stylesheet the page already links', async () => {
    const page = createPage({ body: two, head: '<link rel="stylesheet" href="/page.css">' });
    page.arrive({ target: 'a', html: 'A', css_links: ['/page.css'] });
    await page.whenRequested('/page.css');
    expect(page.html('a')).toBe('');
    const shown = page.next('bigpipe:display');
    await page.respond('/page.css');
    await shown;
    expect(page.html('a')).toBe('A');
    expect(page.requested('/page.css')).toBe(1);
    expect(page.document.querySelectorAll('link').length).toBe(1);
  });

  it('loads a stylesheet as a preload and makes it a stylesheet once loaded, without a second request', async () => {
    const page = createPage({ body: two });
    const rels: string[] = [];
    page.document.addEventListener('bigpipe:display', () =>
      rels.push(page.document.querySelector<HTMLLinkElement>('link')!.rel),
    );
    page.arrive({ target: 'a', html: 'A', css_links: ['/p.css'] });
    await page.whenRequested('/p.css');
    const link = page.document.querySelector<HTMLLinkElement>('link')!;
    expect([link.rel, link.as, link.parentNode]).toEqual(['preload', 'style', page.document.head]);
    const shown = page.next('bigpipe:display');
    await page.respond('/p.css', 'p{color:red}');
    await shown;
    expect(rels).toEqual(['stylesheet']);
    expect(link.sheet!.cssRules.length).toBe(1);
    expect(page.requested('/p.css')).toBe(1);
  });

  it("keeps the pagelets' stylesheets in request order in the document, whatever order they load in", async () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'a', html: 'A', css_links: ['/1.css', '/2.css'] });
    page.arrive({ target: 'b', html: 'B', css_links: ['/3.css'] });
    await Promise.all(['/1.css', '/2.css', '/3.css'].map(page.whenRequested));
    await page.respond('/3.css');
    await page.next('bigpipe:display');
    await page.respond('/2.css');
    await page.respond('/1.css');
    await page.next('bigpipe:display');
    expect(
      [...page.document.querySelectorAll<HTMLLinkElement>('link')].map((l) => [l.getAttribute('href'), l.rel]),
    ).toEqual([
      ['/1.css', 'stylesheet'],
      ['/2.css', 'stylesheet'],
      ['/3.css', 'stylesheet'],
    ]);
  });

  it('shows at once a pagelet whose stylesheet the page has already loaded', async () => {
    const page = createPage({ body: two, head: '<link rel="stylesheet" href="/page.css">' });
    const loaded = new Promise((r) => page.document.querySelector('link')!.addEventListener('load', r, { once: true }));
    await page.whenRequested('/page.css');
    await page.respond('/page.css', 'p{}');
    await loaded;
    page.arrive({ target: 'a', html: 'A', css_links: ['/page.css'] });
    expect(page.html('a')).toBe('A');
    expect(page.requested('/page.css')).toBe(1);
  });

  it("does not take the page's own preload of a URL for a stylesheet", async () => {
    const page = createPage({ body: two, head: '<link rel="preload" as="style" href="/pre.css">' });
    page.arrive({ target: 'a', html: 'A', css_links: ['/pre.css'] });
    await page.whenRequested('/pre.css');
    const shown = page.next('bigpipe:display');
    await page.respond('/pre.css', 'p{}');
    await shown;
    expect([...page.document.querySelectorAll<HTMLLinkElement>('link')].map((l) => l.rel)).toEqual([
      'preload',
      'stylesheet',
    ]);
  });

  it("adds the pagelet's inline CSS before its HTML", () => {
    const page = createPage({ body: two });
    let styled = '';
    page.document.addEventListener(
      'bigpipe:display',
      () => (styled = page.document.querySelector('style')!.textContent!),
    );
    page.arrive({ target: 'a', html: 'A', css: '#a{color:red}' });
    expect(styled).toBe('#a{color:red}');
  });
});

describe('HTML injection', () => {
  it('replaces the placeholder content', () => {
    const page = createPage({ body: '<div id="a"><i>loading</i></div>' });
    page.arrive({ target: 'a', html: '<b>A</b>' });
    expect(page.html('a')).toBe('<b>A</b>');
  });

  it('appends when append is true', () => {
    const page = createPage({ body: '<ul id="feed"><li>1</li></ul>' });
    page.arrive({ target: 'feed', html: '<li>2</li>', append: true });
    page.arrive({ target: 'feed', html: '<li>3</li>', append: true });
    expect(page.html('feed')).toBe('<li>1</li><li>2</li><li>3</li>');
  });

  it('keeps payloads for one target in arrival order when the first waits for CSS', async () => {
    const page = createPage({ body: '<ul id="feed"></ul>' });
    page.arrive({ target: 'feed', html: '<li>1</li>', append: true, css_links: ['/feed.css'] });
    page.arrive({ target: 'feed', html: '<li>2</li>', append: true });
    expect(page.html('feed')).toBe('');
    await page.whenRequested('/feed.css');
    await page.respond('/feed.css');
    await page.next('bigpipe:display');
    expect(page.html('feed')).toBe('<li>1</li><li>2</li>');
  });

  it('leaves the placeholder content when a payload has no html', () => {
    const page = createPage({ body: '<div id="a">kept</div>' });
    page.arrive({ target: 'a', css: 'p{}' });
    expect(page.html('a')).toBe('kept');
  });

  it('waits for a nested placeholder until its parent pagelet shows', async () => {
    const page = createPage({ body: '<div id="outer"></div>' });
    page.arrive({ target: 'inner', html: 'inside' });
    page.arrive({ target: 'outer', html: '<div id="inner"></div>', css_links: ['/outer.css'] });
    page.end();
    await page.whenRequested('/outer.css');
    expect(page.events().some((e) => e.type === 'bigpipe:error')).toBe(false);
    const done = page.next('bigpipe:done');
    await page.respond('/outer.css');
    await done;
    expect(page.html('outer')).toBe('<div id="inner">inside</div>');
    expect(
      page
        .events()
        .filter((e) => e.type === 'bigpipe:display')
        .map((e) => e.target),
    ).toEqual(['outer', 'inner']);
  });

  it('shows a pagelet whose placeholder the parser adds later', () => {
    const page = createPage({ body: '' });
    page.arrive({ target: 'late', html: 'L' });
    page.document.body.innerHTML = '<div id="late"></div>';
    page.end();
    expect(page.html('late')).toBe('L');
  });

  it('reports a missing placeholder once the document has ended and counts the pagelet', () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'nowhere', html: 'X' });
    page.arrive({ target: 'a', html: 'A' });
    expect(page.events().filter((e) => e.type === 'bigpipe:error')).toEqual([]);
    page.end();
    expect(page.events().slice(-2)).toEqual([
      { type: 'bigpipe:error', target: 'nowhere', error: 'no element #nowhere' },
      { type: 'bigpipe:done', target: undefined },
    ]);
  });
});

describe('counting and the JS phase', () => {
  it('loads no script before every pagelet is displayed', async () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'a', html: 'A', js_links: ['/a.js'], total: 2 });
    expect(page.document.querySelector('script[src]')).toBe(null);
    page.arrive({ target: 'b', html: 'B' });
    await page.whenRequested('/a.js');
    expect(page.requested('/a.js')).toBe(1);
  });

  it('starts the JS phase at the end of the document when total never comes', async () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'a', html: 'A', js_links: ['/a.js'] });
    expect(page.requests).toEqual([]);
    page.end();
    await page.whenRequested('/a.js');
  });

  it('starts the JS phase at the end of the document when total is never reached', async () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'a', html: 'A', js_links: ['/a.js'], total: 5 });
    page.end();
    await page.whenRequested('/a.js');
    const done = page.next('bigpipe:done');
    await page.respond('/a.js');
    await done;
  });

  it('waits for pagelets still loading CSS before the JS phase', async () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'a', html: 'A', js_links: ['/a.js'] });
    page.arrive({ target: 'b', html: 'B', css_links: ['/b.css'] });
    page.end();
    await page.whenRequested('/b.css');
    expect(page.requested('/a.js')).toBe(0);
    await page.respond('/b.css');
    await page.whenRequested('/a.js');
  });

  it('requests every script at once and runs them in list order, pagelets in display order', async () => {
    const page = createPage({ body: two });
    const ran: unknown[] = (page.window.ran = []);
    page.arrive({ target: 'a', html: 'A', js_links: ['/1.js', '/2.js'] });
    page.arrive({ target: 'b', html: 'B', js_links: ['/3.js'] });
    page.end();
    await Promise.all(['/1.js', '/2.js', '/3.js'].map(page.whenRequested));
    const done = page.next('bigpipe:done');
    await page.respond('/3.js', 'ran.push(3)');
    await page.respond('/2.js', 'ran.push(2)');
    await page.respond('/1.js', 'ran.push(1)');
    await done;
    expect(ran).toEqual([1, 2, 3]);
  });

  it("runs a pagelet's inline JS after its scripts", async () => {
    const page = createPage({ body: two });
    const ran: unknown[] = (page.window.ran = []);
    const inline = new Promise((resolve) => (page.window.inlineRan = resolve));
    page.arrive({ target: 'a', html: 'A', js_links: ['/lib.js'], js: 'ran.push("inline"); inlineRan()' });
    page.end();
    await page.whenRequested('/lib.js');
    expect(ran).toEqual([]);
    await page.respond('/lib.js', 'ran.push("lib")');
    await inline;
    expect(ran).toEqual(['lib', 'inline']);
  });

  it('requests a script shared by pagelets or already on the page once', async () => {
    const page = createPage({ body: two });
    const own = page.document.body.appendChild(page.document.createElement('script'));
    own.src = '/page.js';
    await page.whenRequested('/page.js');
    await page.respond('/page.js', '');
    await new Promise((loaded) => own.addEventListener('load', loaded));
    page.arrive({ target: 'a', html: 'A', js_links: ['/shared.js', '/page.js'] });
    page.arrive({ target: 'b', html: 'B', js_links: ['shared.js'] });
    page.end();
    await page.whenRequested('/shared.js');
    const done = page.next('bigpipe:done');
    await page.respond('/shared.js', '');
    await done;
    expect([page.requested('/shared.js'), page.requested('/page.js')]).toEqual([1, 1]);
  });

  it("skips the inline JS of a pagelet whose script fails and runs the others'", async () => {
    const page = createPage({ body: two });
    const ran: unknown[] = (page.window.ran = []);
    const inline = new Promise((resolve) => (page.window.inlineRan = resolve));
    page.arrive({ target: 'a', html: 'A', js_links: ['/broken.js'], js: 'ran.push("a")' });
    page.arrive({ target: 'b', html: 'B', js: 'ran.push("b"); inlineRan()' });
    page.end();
    await page.whenRequested('/broken.js');
    const error = page.next('bigpipe:error');
    await page.respond('/broken.js', '', 404);
    expect(await error).toEqual({
      type: 'bigpipe:error',
      target: 'a',
      url: '/broken.js',
      error: 'load error',
    });
    await inline;
    expect(ran).toEqual(['b']);
  });

  it('runs the next inline JS when one throws, and the page sees the error', () => {
    const page = createPage({ body: two });
    page.window.ran = [];
    page.arrive({ target: 'a', html: 'A', js: 'throw new Error("boom")' });
    page.arrive({ target: 'b', html: 'B', js: 'ran.push("b")' });
    page.end();
    expect(page.window.ran).toEqual(['b']);
    expect(page.pageErrors).toEqual([expect.stringContaining('boom')]);
    expect(page.events().at(-1)).toEqual({ type: 'bigpipe:done', target: undefined });
  });

  it('runs the JS of a payload arriving after the JS phase right after it shows', () => {
    const page = createPage({ body: two });
    page.window.ran = [];
    page.arrive({ target: 'a', html: 'A', total: 1 });
    expect(page.events().at(-1)).toEqual({ type: 'bigpipe:done', target: undefined });
    page.arrive({ target: 'b', html: 'B', js: 'ran.push("late")' });
    expect(page.window.ran).toEqual(['late']);
  });

  it('fires bigpipe:done exactly once, after the JS phase', async () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'a', html: 'A', js_links: ['/a.js'], total: 1 });
    await page.whenRequested('/a.js');
    expect(page.events().some((e) => e.type === 'bigpipe:done')).toBe(false);
    const done = page.next('bigpipe:done');
    await page.respond('/a.js', '');
    await done;
    page.arrive({ target: 'b', html: 'B' });
    page.end();
    expect(page.events().filter((e) => e.type === 'bigpipe:done').length).toBe(1);
  });

  it('fires bigpipe:done on a page without pagelets once the document ends', () => {
    const page = createPage({ body: two });
    page.end();
    expect(page.events()).toEqual([{ type: 'bigpipe:done', target: undefined }]);
  });
});

describe('bad input', () => {
  it.each([
    [null, 'target: expected string'],
    ['text', 'target: expected string'],
    [[], 'target: expected string'],
    [{}, 'target: expected string'],
    [{ target: 3 }, 'target: expected string'],
    [{ target: 'a', html: 1 }, 'html: expected string'],
    [{ target: 'a', append: 'yes' }, 'append: expected boolean'],
    [{ target: 'a', css_links: '/a.css' }, 'css_links: expected string[]'],
    [{ target: 'a', js_links: [1] }, 'js_links: expected string[]'],
    [{ target: 'a', total: '2' }, 'total: expected number'],
    [{ target: null }, 'target: expected string'],
    [{ target: 'a', css_links: [null] }, 'css_links: expected string[]'],
  ])('reports %j as %s without throwing', (payload, message) => {
    const page = createPage({ body: two });
    expect(() => page.arrive(payload)).not.toThrow();
    const target = (payload as any)?.target;
    expect(page.events()).toEqual([{ type: 'bigpipe:error', error: message, ...(target !== undefined && { target }) }]);
  });

  it('counts a bad payload, so the good ones still complete the page', () => {
    const page = createPage({ body: two });
    page.arrive({ target: 'a', html: 'A', total: 2 });
    page.arrive({ target: 'b', html: 42 });
    expect(page.events().at(-1)).toEqual({ type: 'bigpipe:done', target: undefined });
    expect(page.html('a')).toBe('A');
  });
});

describe('CSP nonce', () => {
  it('puts its own nonce on every style, link and script it creates', async () => {
    const page = createPage({ body: two, nonce: 'r4nd0m' });
    page.arrive({ target: 'a', html: 'A', css: 'p{}', css_links: ['/a.css'], js_links: ['/a.js'], js: '1', total: 1 });
    await page.whenRequested('/a.css');
    await page.respond('/a.css');
    await page.whenRequested('/a.js');
    const created = [...page.document.querySelectorAll('style, link, script')].slice(1);
    expect(created.map((e) => e.localName).sort()).toEqual(['link', 'script', 'style']);
    expect(created.map((e) => (e as HTMLElement).nonce)).toEqual(['r4nd0m', 'r4nd0m', 'r4nd0m']);
  });
});

describe('async loading', () => {
  it('takes over the stub and processes its queue first, in arrival order', () => {
    const page = createPage({
      body: '<ul id="feed"></ul>',
      queued: [
        { target: 'feed', html: '<li>1</li>', append: true },
        { target: 'feed', html: '<li>2</li>', append: true },
      ],
      deferRuntime: true,
    });
    expect(page.html('feed')).toBe('');
    page.loadRuntime();
    page.arrive({ target: 'feed', html: '<li>3</li>', append: true });
    expect(page.html('feed')).toBe('<li>1</li><li>2</li><li>3</li>');
    expect(page.window.BigPipe.q).toBe(undefined);
  });

  it('keeps a timeout set on the stub', async () => {
    const page = createPage({ body: two, queued: [], deferRuntime: true });
    page.window.BigPipe.timeout = 25;
    page.loadRuntime();
    page.arrive({ target: 'a', html: 'A', css_links: ['/stalled.css'] });
    expect((await page.next('bigpipe:error')).error).toBe('timeout');
  });

  it('shows a queued nested pagelet whose parent is later in the queue, after the document ended', () => {
    const page = createPage({
      body: '<div id="outer"></div>',
      queued: [
        { target: 'inner', html: 'in' },
        { target: 'outer', html: '<div id="inner"></div>' },
      ],
      deferRuntime: true,
    });
    page.end();
    page.loadRuntime();
    expect(page.html('outer')).toBe('<div id="inner">in</div>');
    expect(page.events().map((e) => e.type)).not.toContain('bigpipe:error');
  });
});

describe('Trusted Types', () => {
  /** A stand-in for window.trustedTypes: records the policies made and every value turned into a trusted one. */
  const fakeTrustedTypes = () => {
    const policies: string[] = [];
    const trusted: [string, string][] = [];
    const used: string[] = [];
    const wrap = (kind: string, value: string) => {
      trusted.push([kind, value]);
      return { toString: () => (used.push(kind), value) };
    };
    const api = {
      createPolicy(name: string, rules: Record<string, (s: string) => string>) {
        policies.push(name);
        return {
          createHTML: (s: string) => wrap('html', rules.createHTML(s)),
          createScript: (s: string) => wrap('script', rules.createScript(s)),
          createScriptURL: (s: string) => wrap('scriptURL', rules.createScriptURL(s)),
        };
      },
    };
    return { api, policies, trusted, used };
  };

  it("creates one policy named 'bigpipe' and feeds the HTML, inline script and script URL through it", async () => {
    const tt = fakeTrustedTypes();
    const page = createPage({ body: two, build: 'tt', before: (window) => (window.trustedTypes = tt.api) });
    page.window.ran = [];
    const inline = new Promise((resolve) => (page.window.inlineRan = resolve));
    page.arrive({
      target: 'a',
      html: '<b>A</b>',
      js_links: ['/a.js'],
      js: 'ran.push("inline"); inlineRan()',
      total: 2,
    });
    page.arrive({ target: 'b', html: '<i>B</i>', append: true, total: 2 });
    await page.whenRequested('/a.js');
    await page.respond('/a.js', 'ran.push("a.js")');
    await inline;
    expect(tt.policies).toEqual(['bigpipe']);
    expect(tt.trusted).toEqual([
      ['html', '<b>A</b>'],
      ['html', '<i>B</i>'],
      ['scriptURL', '/a.js'],
      ['script', 'ran.push("inline"); inlineRan()'],
    ]);
    // What the sinks got were the trusted values, not the strings.
    expect([...new Set(tt.used)].sort()).toEqual(['html', 'script', 'scriptURL']);
    expect([page.html('a'), page.html('b')]).toEqual(['<b>A</b>', '<i>B</i>']);
    expect(page.window.ran).toEqual(['a.js', 'inline']);
  });

  it('is the same file as dist/bigpipe.min.js: one build, Trusted Types included', () => {
    expect(BUILDS.tt).toBe(BUILDS.default);
  });

  it("falls back to plain strings when the page's CSP forbids the policy", () => {
    const api = {
      createPolicy: () => {
        throw new TypeError('Policy "bigpipe" disallowed.');
      },
    };
    const page = createPage({ body: two, before: (window) => (window.trustedTypes = api) });
    page.window.ran = [];
    page.arrive({ target: 'a', html: '<b>A</b>', js: 'ran.push("inline")', total: 1 });
    expect(page.html('a')).toBe('<b>A</b>');
    expect(page.window.ran).toEqual(['inline']);
    expect(page.pageErrors).toEqual([]);
  });

  it('works with plain strings where the API is absent', () => {
    const page = createPage({ body: two, build: 'tt' });
    expect(page.window.trustedTypes).toBe(undefined);
    page.window.ran = [];
    page.arrive({ target: 'a', html: '<b>A</b>', js: 'ran.push("inline")', total: 1 });
    expect(page.html('a')).toBe('<b>A</b>');
    expect(page.window.ran).toEqual(['inline']);
  });
});

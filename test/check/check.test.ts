import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStream, checkUrl, main, type Arrival } from '../../src/check';
import { STUB } from '../../src/protocol';
import { placeholder, renderToNodeResponse, runtimeTags, serializePagelet, type Page } from 'bigpipe-js/server';
import { get, messages } from './helpers';
import { serve, type Listening } from '../support/loopback.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const HEADERS = { 'Content-Type': 'text/html; charset=utf-8', 'X-Accel-Buffering': 'no' };
// Over the 512 bytes WPE WebKit waits for before it paints (PROTOCOL.md §8).
// The runtime loads through the loader (PROTOCOL.md §5), as the server writes it for `runtime: { src, async: true }`.
const SHELL =
  `<!DOCTYPE html><html><head><meta charset="utf-8">${runtimeTags({ runtime: { src: '/bigpipe.min.js', async: true } })}` +
  `</head><body><p>${'The page, streamed. '.repeat(24)}</p>${placeholder('a')}${placeholder('b')}`;
// The same with the plain stub and a parser-written async tag: conforming, but held in WebKit (a warning).
const STUB_SHELL =
  `<!DOCTYPE html><html><head><meta charset="utf-8"><script>${STUB}</script>` +
  `<script async src="/bigpipe.min.js"></script></head><body><p>${'The page, streamed. '.repeat(24)}</p>` +
  `${placeholder('a')}${placeholder('b')}`;
const END = '</body></html>';
const script = (json: string) => `<script>BigPipe.onPageletArrive(${json})</script>`;
const good = (target: string, total = 2) => serializePagelet({ target, html: `<p>${target}</p>`, total });

const page = (): Page => ({
  head: '<title>good</title>',
  body: placeholder('a') + placeholder('b') + placeholder('c'),
  pagelets: [
    { id: 'a', render: () => ({ html: '<p>A</p>' }) },
    { id: 'b', render: () => sleep(30).then(() => ({ html: '<p>B</p>', css_links: ['/b.css'] })) },
    { id: 'c', render: () => sleep(80).then(() => ({ html: '<p>C</p>', js: 'console.log("</script>")' })) },
  ],
});

/** Pieces of a body as if they arrived 10 ms apart. */
const at = (...parts: string[]): Arrival[] => parts.map((data, i) => ({ at: i * 10, data }));
const check = (...parts: string[]) => messages(checkStream(at(...parts)));

/** Writes the shell, then each part 10 ms apart, like a streaming server. */
async function stream(res: ServerResponse, parts: string[], headers: Record<string, string> = HEADERS) {
  res.writeHead(200, headers);
  res.write(SHELL);
  for (const part of parts) {
    await sleep(10);
    res.write(part);
  }
  res.end();
}

/** A page of `n` pagelets that render at once, from our own server. */
const many = (n: number): Page => {
  const ids = Array.from({ length: n }, (_, i) => `p${i}`);
  return { body: ids.map(placeholder).join(''), pagelets: ids.map((id) => ({ id, render: () => ({ html: id }) })) };
};

const ROUTES: Record<string, (res: ServerResponse) => unknown> = {
  '/good': (res) => renderToNodeResponse(page(), res),
  '/many': (res) => renderToNodeResponse(many(40_000), res),
  // A streamed pagelet: its payloads cannot say how many the page sends, so none carries total (PROTOCOL.md §4.5).
  '/streamed': (res) =>
    renderToNodeResponse(
      {
        body: placeholder('feed') + placeholder('side'),
        pagelets: [
          {
            id: 'feed',
            async *render() {
              yield { html: '<li>1</li>' };
              yield { html: '<li>2</li>' };
            },
          },
          { id: 'side', render: () => ({ html: 'side' }) },
        ],
      },
      res,
    ),
  '/no-charset': (res) => stream(res, [good('a'), good('b'), END], { 'Content-Type': 'text/html' }),
  '/unescaped': (res) => stream(res, [good('a'), script('{"target":"b","html":"<b>B</b>","total":2}'), END]),
  '/wrong-total': (res) => stream(res, [good('a', 3), good('b', 3), END]),
  '/unclosed': (res) => stream(res, [good('a'), good('b')]),
  '/bad-json': (res) => stream(res, [good('a'), script("{target:'b',total:2}"), END]),
  '/no-accel': (res) => stream(res, [good('a'), good('b'), END], { 'Content-Type': HEADERS['Content-Type'] }),
};

let base = '';
let server: Listening;
beforeAll(async () => {
  server = await serve((req, res) => void ROUTES[req.url!]!(res));
  base = server.base;
});
afterAll(() => server.close());

/**
 * A clock that moves 1 ms each time it is read: arrival times that do not depend on the machine's load, so the
 * buffering heuristic (LONG_MS, END_WINDOW_MS) never fires on a page that streamed. checkStream's tests cover it.
 */
const ticking = () => {
  let now = 0;
  return () => now++;
};

/** Runs the command line in-process: exit code and output. */
async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (line: string) => out.push(line), err: (line: string) => err.push(line) };
  const code = await main(args, io, { clock: ticking() });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('bigpipe-js check <url>', () => {
  it('passes a page from renderToNodeResponse, with a line per chunk', async () => {
    const { code, out } = await run('check', `${base}/good`);
    expect(code).toBe(0);
    // How TCP splits the body into chunks depends on the machine's load: the test asserts one line per chunk, each
    // payload on exactly one of them, not where the splits fall.
    const chunks = Number(
      /^ok: follows the bigpipe-js protocol v1 \(3 payloads in (\d+) chunks, \d+ ms\)$/m.exec(out)?.[1],
    );
    const rows = out.split('\n').filter((line) => /^\s+\d+\s+\d+\s+\d+\s+\S/.test(line));
    expect(rows.map((row) => Number(row.trim().split(/\s+/)[0]))).toEqual(
      Array.from({ length: chunks }, (_, i) => i + 1),
    );
    expect(rows[0]).toMatch(/^\s+1\s+\d+\s+\d+\s+shell \(doctype, meta charset, runtime inline, ids: a b c\)/);
    for (const payload of ['payload "a" (html, total 3)', 'payload "b" (html, css_links)', 'payload "c" (html, js)'])
      expect(
        rows.filter((row) => row.includes(payload)),
        payload,
      ).toHaveLength(1);
    expect(rows.at(-1)).toMatch(/<\/html>$/);
    expect(out).not.toMatch(/error|warning/);
  });

  it('fails a page without charset=utf-8 in its Content-Type', async () => {
    const { code, out } = await run('check', `${base}/no-charset`);
    expect(code).toBe(1);
    expect(out).toMatch(/^error: Content-Type "text\/html" has no charset=utf-8/m);
  });

  it('fails a payload with a raw "<" in its JSON', async () => {
    const { code, out } = await run('check', `${base}/unescaped`);
    expect(code).toBe(1);
    expect(out).toMatch(
      /^\s+\d+ .*payload "b".*\n {24}error: payload #2 "b": raw "<" in the JSON at .*: write every "<" as \\u003c/m,
    );
  });

  it('fails a total that is not the number of payloads', async () => {
    const { code, out } = await run('check', `${base}/wrong-total`);
    expect(code).toBe(1);
    expect(out).toContain('"total" is 3 but the page sent 2 payloads');
  });

  it('fails a page that never closes </html>', async () => {
    const { code, out } = await run('check', `${base}/unclosed`);
    expect(code).toBe(1);
    expect(out).toContain('the document is not closed: no </html> at the end');
  });

  it('fails a payload whose argument is not JSON', async () => {
    const { code, out } = await run('check', `${base}/bad-json`);
    expect(code).toBe(1);
    expect(out).toMatch(/payload #2: the argument is not valid JSON \(.+\)/);
  });

  it('passes a page with warnings, and fails it with --strict, saying why', async () => {
    const { code, out } = await run('check', `${base}/no-accel`);
    expect(code).toBe(0);
    expect(out).toMatch(/^warning: no "X-Accel-Buffering: no"/m);
    expect(out).toMatch(/^ok: follows the bigpipe-js protocol v1 \(2 payloads in \d+ chunks, \d+ ms, 1 warning\)$/m);
    const strict = await run('check', `${base}/no-accel`, '--strict');
    expect(strict.code).toBe(1);
    expect(strict.out).toMatch(/^FAIL \(--strict\): 1 warning, no errors \(2 payloads in \d+ chunks, \d+ ms\)$/m);
    expect(strict.out).not.toContain('ok: follows');
  });

  it('passes a 40,000-pagelet page from renderToNodeResponse, reading it in linear time', async () => {
    const report = await checkUrl(`${base}/many`);
    expect(messages(report)).toEqual([]);
    expect(report.payloads).toBe(40_000);
  });

  it('passes a page with a streamed pagelet, whose total comes late, on the payload completing the first round', async () => {
    const report = await checkUrl(`${base}/streamed`);
    expect(messages(report)).toEqual([]);
    expect(report.payloads).toBe(3);
  });

  it('fails a late total that does not count the payloads before it', () => {
    const late = (n: number) => script(`{"target":"b","html":"x","total":${n}}`);
    const report = checkStream(
      at(SHELL, script('{"target":"a","html":"1"}'), late(3), script('{"target":"a","html":"2","append":true}'), END),
    );
    expect(messages(report)).toEqual(['error: "total" arrives late on payload #2, so it must be 2, not 3 (§4.5)']);
    expect(
      messages(
        checkStream(
          at(
            SHELL,
            script('{"target":"a","html":"1"}'),
            late(2),
            script('{"target":"a","html":"2","append":true}'),
            END,
          ),
        ),
      ),
    ).toEqual([]);
  });

  it('exits 1 with the reason when nothing can be fetched', async () => {
    const { code, err } = await run('check', 'http://127.0.0.1:1/');
    expect(code).toBe(1);
    expect(err).toMatch(/^bigpipe-js: cannot fetch http:\/\/127\.0\.0\.1:1\/: /);
  });

  it('exits 2 with the usage for a wrong command line', async () => {
    expect((await run()).code).toBe(2);
    expect((await run('check')).err).toContain('usage: bigpipe-js check <url>');
    expect((await run('check', base, '--timeout', 'soon')).code).toBe(2);
  });

  it('prints the usage and exits 0 for --help, after check too', async () => {
    for (const args of [['--help'], ['check', '--help'], ['check', '-h'], ['check', base, '--help']]) {
      const { code, out } = await run(...args);
      expect([code, out.split('\n')[0]]).toEqual([0, expect.stringMatching(/^usage: bigpipe-js check <url>/)]);
    }
  });

  it('rejects a timeout or byte cap that is not a number > 0, saying which', async () => {
    for (const [option, value] of [
      ['--timeout', 'NaN'],
      ['--timeout', '-5'],
      ['--timeout', '0'],
      ['--timeout', ''],
      ['--max-bytes', '1.5'],
      ['--max-bytes', 'Infinity'],
    ]) {
      const { code, err } = await run('check', `${base}/good`, option!, value!);
      expect([code, err.split('\n')[0]]).toEqual([
        2,
        expect.stringMatching(new RegExp(`^bigpipe-js: ${option} must be .*, got "${value}"$`)),
      ]);
    }
  });

  it('waits as long as it takes with --timeout Infinity (no timer fires at once)', async () => {
    const { code, out } = await run('check', `${base}/good`, '--timeout', 'Infinity');
    expect(out).not.toContain('no end after');
    expect(code).toBe(0);
  });

  describe('as the installed bin', () => {
    const bin = (...args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile('node', ['bin/bigpipe-js.mjs', ...args], { cwd: ROOT }, (error, stdout) =>
          resolve({ code: error ? Number(error.code) : 0, stdout }),
        );
      });

    beforeAll(() => {
      if (!existsSync(`${ROOT}dist/check.js`))
        throw new Error('dist/check.js is missing: `npm run build` builds it (rollup.config.mjs, src/check/index.ts)');
    });

    it('exits 0 for a page that follows the protocol', async () => {
      const { code, stdout } = await bin('check', `${base}/good`);
      expect(code).toBe(0);
      expect(stdout).toContain('ok: follows the bigpipe-js protocol v1');
    });

    it('exits 1 for one that does not', async () => {
      const { code, stdout } = await bin('check', `${base}/wrong-total`);
      expect(code).toBe(1);
      expect(stdout).toMatch(/^FAIL: 1 error/m);
    });
  });
});

describe('checkStream', () => {
  it('finds nothing wrong in a protocol page, whatever the chunk boundaries', () => {
    const html = SHELL + good('a') + good('b') + END;
    expect(check(html)).toEqual([]);
    expect(check(...html.match(/[\s\S]{1,7}/g)!)).toEqual([]);
    const nonce = { nonce: 'R4nd0m' };
    const csp = serializePagelet({ target: 'a', total: 2 }, nonce) + serializePagelet({ target: 'b', total: 2 }, nonce);
    expect(check(SHELL.replaceAll('<script', '<script nonce="R4nd0m"') + csp + END)).toEqual([]);
  });

  it('tells which chunk completed what, and when it arrived', () => {
    const report = checkStream(at(SHELL, good('a'), good('b') + END));
    expect(report.chunks.map((c) => [c.index, c.at, c.contents])).toEqual([
      [1, 0, ['shell (doctype, meta charset, loader, runtime /bigpipe.min.js, ids: a b)']],
      [2, 10, ['payload "a" (html, total 2)']],
      [3, 20, ['payload "b" (html, total 2)', '</html>']],
    ]);
  });

  it('reports a payload closed early by a raw </script> in its JSON', () => {
    expect(check(SHELL, good('a'), script('{"target":"b","html":"</script>","total":2}'), END)).toContain(
      'error: payload #2: the script ends before the call\'s ")": a raw "</script" inside the JSON closed it early: write every "<" as \\u003c (PROTOCOL.md §3)',
    );
  });

  it('reports a raw U+2028 in the JSON', () => {
    expect(check(SHELL, good('a'), script('{"target":"b","html":"\u2028","total":2}'), END)).toEqual([
      'error: payload #2 "b": raw U+2028/U+2029 in the JSON: write them as \\u2028/\\u2029 (PROTOCOL.md §3)',
    ]);
  });

  it('reports each field of the wrong type, and a missing target', () => {
    const payload = { target: 'a', html: 1, append: 'yes', css_links: 'a.css', js_links: [1], total: '2' };
    expect(check(SHELL, script(JSON.stringify(payload)), script('{"html":"x","total":2}'), END)).toEqual([
      'error: payload #1 "a": "html" is number, must be string',
      'error: payload #1 "a": "append" is string, must be boolean',
      'error: payload #1 "a": "css_links" is string, must be string[]',
      'error: payload #1 "a": "js_links" is array, must be string[]',
      'error: payload #1 "a": "total" is string, must be number',
      'error: payload #2: no "target" (the id of its placeholder)',
    ]);
  });

  it('reports a target without a placeholder, but not one whose placeholder another pagelet brings', () => {
    const nested = serializePagelet({ target: 'b', html: placeholder('inner'), total: 3 });
    const inner = serializePagelet({ target: 'inner', html: 'x', total: 3 });
    const lost = serializePagelet({ target: 'nowhere', html: 'x', total: 3 });
    expect(check(SHELL, nested, inner, lost, END)).toEqual([
      'error: payload #3 "nowhere": no element with id="nowhere" in the page (or in another pagelet\'s html): the runtime reports bigpipe:error and the pagelet never shows (PROTOCOL.md §4.4)',
    ]);
  });

  it('finds a placeholder later in the markup, and one in a tag with ">" in a quoted attribute', () => {
    const later = `<div title="a>b" id="c"></div>`;
    const three = (target: string) => serializePagelet({ target, html: target, total: 3 });
    expect(
      check(SHELL.replace(placeholder('b'), later), three('a'), three('c'), placeholder('b'), three('b'), END),
    ).toEqual([]);
  });

  it('does not blame a placeholder that is in a payload it could not read', () => {
    // The raw "</script>" closes payload #2 early; its html, with the placeholder "inner", follows as page text.
    const closed = script('{"target":"b","html":"</script><div id=\\"inner\\"></div>","total":3}');
    const inner = serializePagelet({ target: 'inner', html: 'x', total: 3 });
    expect(check(SHELL, good('a', 3), closed, inner, END)).toEqual([
      'error: payload #2: the script ends before the call\'s ")": a raw "</script" inside the JSON closed it early: write every "<" as \\u003c (PROTOCOL.md §3)',
    ]);
    const invalid = script('{"target":"b","html":"\\u003cdiv id=\\"inner\\">\\u003c/div>",total:3}');
    expect(check(SHELL, good('a', 3), invalid, inner, END)).toEqual([
      expect.stringMatching(/^error: payload #2: the argument is not valid JSON/),
    ]);
  });

  it('reports payloads that disagree on total', () => {
    expect(check(SHELL, good('a', 2), good('b', 3), END)).toEqual([
      'error: the payloads disagree on "total": 2 (#1), 3 (#2)',
    ]);
  });

  it('warns of a parser-written async runtime after the stub, which WebKit holds until the first paint', () => {
    expect(check(STUB_SHELL, good('a'), good('b'), END)).toEqual([
      "warning: the runtime /bigpipe.min.js is a parser-written async script: WebKit holds such a script until the page first paints, so there pagelets may wait for it (load it with the loader of PROTOCOL.md §5, which inserts the runtime's tag: an inserted script runs as soon as it is fetched)",
    ]);
  });

  it('reports an async runtime without the stub before it', () => {
    const shell = STUB_SHELL.replace(`<script>${STUB}</script>`, '');
    expect(check(shell, good('a'), good('b'), END)).toEqual([
      'error: the runtime /bigpipe.min.js loads with async but the stub is not before it: payloads that arrive first throw (put the stub of PROTOCOL.md §5 before it)',
    ]);
  });

  it('takes an async module runtime after the stub (held in WebKit: a warning), an error without it', () => {
    const module = STUB_SHELL.replace(
      '<script async src="/bigpipe.min.js">',
      '<script type="module" async src="/bigpipe-app.js">',
    );
    expect(checkStream(at(module, good('a'), good('b') + END)).chunks[0].contents).toEqual([
      'shell (doctype, meta charset, stub, runtime /bigpipe-app.js (module, async), ids: a b)',
    ]);
    expect(check(module, good('a'), good('b'), END)).toEqual([
      expect.stringMatching(/^warning: the runtime \/bigpipe-app\.js is a parser-written async script: WebKit holds/),
    ]);
    expect(check(module.replace(`<script>${STUB}</script>`, ''), good('a'), good('b'), END)).toEqual([
      'error: the runtime /bigpipe-app.js loads with async but the stub is not before it: payloads that arrive first throw (put the stub of PROTOCOL.md §5 before it)',
    ]);
  });

  it('reports a payload after </body>', () => {
    expect(check(SHELL, good('a'), '</body>', good('b'), '</html>')).toEqual([
      'error: payload #2 "b": it comes after </body>',
    ]);
  });

  it('reports a shell without doctype, meta charset or runtime', () => {
    const shell = `<html><body><p>${'x'.repeat(600)}</p>${placeholder('a')}`;
    expect(check(shell, serializePagelet({ target: 'a', total: 1 }), END)).toEqual([
      'error: the page does not start with <!DOCTYPE html> (browsers render it in quirks mode)',
      'error: no <meta charset="utf-8"> in the shell (PROTOCOL.md §1)',
      'error: no runtime or stub before the first payload: BigPipe is not defined when it arrives (PROTOCOL.md §5)',
    ]);
  });

  it('warns about a shell under the 512 bytes WPE WebKit waits for before it paints', () => {
    const small = SHELL.replace(/<p>.*<\/p>/, '');
    expect(check(small, good('a'), good('b'), END)).toEqual([
      `warning: the shell is ${new TextEncoder().encode(small).length} bytes: WPE WebKit paints nothing of a streamed document before 512 bytes have arrived, so the page stays blank until the payloads come; make the first chunk at least 512 bytes (PROTOCOL.md §8)`,
    ]);
    expect(
      check(SHELL.replace(/<p>.*<\/p>/, `<p>${'x'.repeat(512 - small.length)}</p>`), good('a'), good('b'), END),
    ).toEqual([]);
  });

  it('reports a meta charset beyond the first 1024 bytes', () => {
    const shell = SHELL.replace('<meta charset="utf-8">', `<title>${'x'.repeat(1100)}</title><meta charset="utf-8">`);
    expect(check(shell, good('a'), good('b'), END)).toEqual([
      'error: <meta charset="utf-8"> starts at byte 1142: browsers only look in the first 1024 bytes',
    ]);
  });

  it('reports bytes that are not UTF-8, in the chunk that holds them', () => {
    const report = checkStream([
      { at: 0, data: SHELL },
      { at: 5, data: new Uint8Array([0xff]) },
      { at: 9, data: good('a') + good('b') + END },
    ]);
    expect(report.findings).toEqual([{ level: 'error', message: 'the body is not valid UTF-8 here', chunk: 2 }]);
  });

  it('warns about unknown fields, and passes it', () => {
    const report = checkStream(at(SHELL, script('{"target":"a","cssLinks":[],"total":2}'), good('b'), END));
    expect(messages(report)).toEqual(['warning: payload #1 "a": unknown field "cssLinks" (a v1 runtime ignores it)']);
    expect(report.ok).toBe(true);
  });

  it('warns about null fields, which the runtime treats as absent, and passes it', () => {
    const report = checkStream(
      at(SHELL, script('{"target":"a","js":null,"css_links":null,"total":2}'), good('b'), END),
    );
    expect(messages(report)).toEqual([
      'warning: payload #1 "a": "css_links" is null: the runtime treats it as absent; leave the field out',
      'warning: payload #1 "a": "js" is null: the runtime treats it as absent; leave the field out',
    ]);
    expect(report.ok).toBe(true);
  });

  it('fails a __proto__ key, and warns about keys named like Object.prototype members', () => {
    const report = checkStream(
      at(SHELL, script('{"target":"a","__proto__":{"total":1},"constructor":1,"total":2}'), good('b'), END),
    );
    expect(messages(report)).toEqual([
      'error: payload #1 "a": a "__proto__" key: in the page\'s object literal it sets the payload\'s prototype',
      'warning: payload #1 "a": unknown field "constructor" (a v1 runtime ignores it)',
    ]);
    expect(report.ok).toBe(false);
  });

  it('finds nothing wrong in payloads without total (PROTOCOL.md §4.5), and says where the JS phase starts', () => {
    const report = checkStream(at(SHELL, script('{"target":"a"}'), script('{"target":"b"}'), END));
    expect(messages(report)).toEqual([]);
    expect(report.chunks.at(-1)!.contents).toEqual(['</html> (no "total": the JS phase starts here, §4.5)']);
  });

  it('warns when there are no payloads at all, as in inline mode', () => {
    expect(check(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><div id="a">A</div>`, END)).toEqual([
      'warning: no payloads: nothing was pipelined. An inline-mode (no-JS) page? pickMode() serves it to crawlers and to ?bigpipe=inline; check --user-agent',
    ]);
  });

  it('warns when the whole body arrives at once, long after the headers', () => {
    const arrivals = [
      { at: 600, data: SHELL + good('a') },
      { at: 610, data: good('b') + END },
    ];
    const info = { status: 200, headers: new Headers(HEADERS), at: 5 };
    expect(messages(checkStream(arrivals, info))).toEqual([
      'warning: the whole body arrived at once, 605 ms after the headers: something buffered the stream: compression without a flush per chunk, or a proxy without "X-Accel-Buffering: no" (PROTOCOL.md §8)',
    ]);
  });

  it('does not warn when the body arrives at once soon after the headers', () => {
    const info = { status: 200, headers: new Headers(HEADERS), at: 5 };
    expect(messages(checkStream([{ at: 200, data: SHELL + good('a') + good('b') + END }], info))).toEqual([]);
  });

  it('warns when every payload arrives at the end, long after the shell', () => {
    const arrivals = [
      { at: 1, data: SHELL },
      { at: 900, data: good('a') },
      { at: 905, data: good('b') + END },
    ];
    expect(messages(checkStream(arrivals))).toEqual([
      `warning: all 2 payloads arrived in the last 25 ms, 904 ms after the shell: if the pagelets finish at different times, something buffers them: compression without a flush per chunk, or a proxy without "X-Accel-Buffering: no" (PROTOCOL.md §8)`,
    ]);
  });

  it('does not warn about timing when the payloads arrive over time', () => {
    const arrivals = [
      { at: 1, data: SHELL },
      { at: 400, data: good('a') },
      { at: 900, data: good('b') + END },
    ];
    expect(messages(checkStream(arrivals))).toEqual([]);
  });

  it('ignores markup-looking text in comments and scripts of the shell', () => {
    const scripts = `<script>var s = '<div id="x"></body>'</script>`;
    const shell = SHELL.replace('</head>', `<!-- ${script('{}')} -->${scripts}</head>`);
    const report = checkStream(at(shell, good('a'), good('b'), END));
    expect(messages(report)).toEqual([]);
    expect(report.chunks[0]!.contents[0]).toContain('ids: a b)');
  });
});

// Sizes at which the regex-based checker took seconds to minutes (backtracking, rescans): the test timeout is the bound.
describe('checkStream on hostile input, in one pass', () => {
  const call = (arg: string) => `<script>BigPipe.onPageletArrive(${arg}</script>`;

  it('reads a payload with 100 KB of spaces after its ")"', () => {
    const spaces = ' '.repeat(100_000);
    expect(check(SHELL, call(`{"target":"a","total":2})${spaces}x`), good('b'), END)).toEqual([
      'error: payload #1: the script ends before the call\'s ")"',
    ]);
    expect(check(SHELL, call(`{"target":"a","total":2})${spaces};${spaces}`), good('b'), END)).toEqual([]);
  });

  it('reads a 240 KB tag that never ends, whatever it holds', () => {
    for (const tag of ['<div ' + '<a'.repeat(120_000), '<meta '.repeat(40_000), '<script '.repeat(30_000)])
      expect(check(SHELL, tag)).toContain(
        'error: the document is not closed: no </html> at the end (did the server stop mid-page?)',
      );
  });

  it('reads 40,000 payloads, each in a chunk of its own', () => {
    const n = 40_000;
    const ids = Array.from({ length: n }, (_, i) => `p${i}`);
    const shell = SHELL.replace(placeholder('a') + placeholder('b'), ids.map(placeholder).join(''));
    const report = checkStream(at(shell, ...ids.map((id) => serializePagelet({ target: id, total: n })), END));
    expect(messages(report)).toEqual([]);
    expect([report.payloads, report.chunks.length]).toEqual([n, n + 2]);
  });

  it('finds the same, whatever the chunk boundaries', () => {
    const html =
      SHELL.replace('</head>', '<!-- <div id="x"> --><style>p::after{content:"</div>"}</style></head>') +
      `<div title='>' id="c"></div>` +
      good('a') +
      script('{"target":"b","html":"<b>B</b>","total":2}') +
      END;
    const whole = messages(checkStream(at(html)));
    expect(whole).toEqual([expect.stringMatching(/^error: payload #2 "b": raw "<" in the JSON/)]);
    for (const size of [1, 2, 3, 5, 8])
      expect(messages(checkStream(at(...html.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!)))).toEqual(whole);
  });
});

describe('checkStream on a response', () => {
  const headers = (record: Record<string, string>) => new Headers(record);
  const body = [{ at: 1, data: SHELL + good('a') + good('b') + END }];

  it('warns about a missing X-Accel-Buffering, a Content-Length and a 2xx status other than 200', () => {
    const info = {
      status: 203,
      headers: headers({ 'content-type': 'text/html;charset=UTF-8', 'content-length': '10' }),
    };
    expect(messages(checkStream(body, info))).toEqual([
      'warning: the status is 203, not 200',
      'warning: no "X-Accel-Buffering: no": an nginx-style proxy in front may buffer the stream (PROTOCOL.md §8)',
      'warning: Content-Length is set: the server knew the whole body before sending it, so nothing was streamed',
    ]);
  });

  it('reports a body that was cut off', () => {
    const info = { status: 200, headers: headers({ ...HEADERS }), cut: 'no end after 100 ms' };
    expect(messages(checkStream([{ at: 1, data: SHELL }], info))).toContain(
      'error: the body did not end: no end after 100 ms',
    );
  });

  it('reports a status that is not 2xx as an error', () => {
    const info = { status: 500, headers: headers({ ...HEADERS }) };
    expect(messages(checkStream(body, info))).toEqual([
      'error: the status is 500, not 2xx: an error, not a page (decide redirects and errors before the shell, PROTOCOL.md §8)',
    ]);
  });

  it('reads the body of a real response chunk by chunk', async () => {
    const response = await get(`${base}/good`);
    await response.end();
    // the chunks as they came, at times of our choosing: the timing rules have tests of their own
    const arrivals = response.arrivals.map(({ data }, i) => ({ at: 10 + i, data }));
    const report = checkStream(arrivals, { ...response.info, at: 1 });
    expect(messages(report)).toEqual([]);
    expect(report.payloads).toBe(3);
  });
});

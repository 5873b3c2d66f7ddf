// The checker on pages of other BigPipe servers, written as those servers write them: it recognises each format and
// says, once per format, what to rename (or that dist/bigpipe.compat.min.js adapts it).
import { describe, expect, it } from 'vitest';
import { checkStream, type Arrival } from '../../src/check';
import { readCall } from '../../src/check/literal';
import { STUB } from '../../src/protocol';
import { runtimeTags } from '../../src/server';
import { messages } from './helpers';

const FILLER = `<p>${'A page from another BigPipe server. '.repeat(16)}</p>`;
const shell = (head = runtimeTags(), body = '') =>
  `<!DOCTYPE html><html><head><meta charset="utf-8">${head}</head><body>${FILLER}<div id="pagelet1"></div><div id="pagelet2"></div>${body}`;
const END = '</body></html>';
const at = (...parts: string[]): Arrival[] => parts.map((data, i) => ({ at: i * 10, data }));
const check = (...parts: string[]) => messages(checkStream(at(...parts)));
const table = (...parts: string[]) => checkStream(at(...parts)).chunks.flatMap((c) => c.contents);
const COMPAT = '<script src="/bigpipe.compat.min.js"></script>';

// As the ASP.NET MVC tutorial's server writes them (JavaScriptSerializer: "<" as \u003c, null for no list).
const ASPNET_PIPE = '<script> var bigpipe = new BigPipe(2);</script>';
const aspnet = (id: string, css = 'null') =>
  `<script>bigpipe.onPageletArrive({"Id":"${id}","Content":"\\u003cp\\u003e${id}\\u003c/p\\u003e","Css":${css},"Js":null});</script>`;
// Facebook's 2010 format: an object literal.
const facebook = (id: string, last = false) =>
  `<script>big_pipe.onPageletArrive({id: "${id}", content: "<p>${id}<\\/p>", css: [], js: ["/${id}.js"]${last ? ', is_last: true' : ''}})</script>`;

const ASPNET_FIELDS =
  'rename the fields Id → target, Content → html, Css → css_links, Js → js_links, put "total": 2 on the payloads instead of new BigPipe(2)';
const FACEBOOK_FIELDS =
  'rename the fields id → target, content → html, css (a list) → css_links, js (a list) → js_links, replace "is_last": true by "total": the number of payloads';
const HINT =
  'or, where the server cannot change, load dist/bigpipe.compat.min.js right after the runtime (PROTOCOL.md §9)';

describe('payloads of other BigPipe servers', () => {
  it("says what to rename for the ASP.NET tutorial's payloads, once for the page", () => {
    expect(
      check(shell(runtimeTags(), ASPNET_PIPE), aspnet('pagelet1', '["/p1.css"]'), aspnet('pagelet2'), END),
    ).toEqual([
      'error: 2 payloads in the format of the ASP.NET MVC BigPipe tutorial ({"Id","Content","Css","Js"}): the runtime does not read them, ' +
        `and new BigPipe(…) throws (its BigPipe is no constructor). To migrate, ${ASPNET_FIELDS}, and call BigPipe.onPageletArrive(…) ` +
        `instead of bigpipe.onPageletArrive(…); ${HINT}`,
    ]);
  });

  it('takes them as adapted where the compat script is loaded, and reads them as payloads', () => {
    const parts = [
      shell(runtimeTags({ runtime: { src: '/bigpipe.min.js' } }) + COMPAT, ASPNET_PIPE),
      aspnet('pagelet1'),
      aspnet('pagelet2'),
      END,
    ];
    expect(check(...parts)).toEqual([
      `warning: 2 payloads in the format of the ASP.NET MVC BigPipe tutorial ({"Id","Content","Css","Js"}), adapted by bigpipe.compat.min.js; to drop it, ${ASPNET_FIELDS}, and call BigPipe.onPageletArrive(…) instead of bigpipe.onPageletArrive(…)`,
    ]);
    expect(table(...parts).slice(1, 3)).toEqual([
      'payload "pagelet1" [aspnet] (html, css_links, js_links, total 2)',
      'payload "pagelet2" [aspnet] (html, css_links, js_links, total 2)',
    ]);
  });

  it('does not take the compat script for the runtime', () => {
    const [shellRow] = table(
      shell('<script src="/app.js"></script>' + COMPAT, ASPNET_PIPE),
      aspnet('pagelet1'),
      aspnet('pagelet2'),
      END,
    );
    expect(shellRow).not.toContain('runtime /bigpipe.compat.min.js');
    expect(
      check(
        shell('<script src="/app.js"></script>' + COMPAT, ASPNET_PIPE),
        aspnet('pagelet1'),
        aspnet('pagelet2'),
        END,
      )[0],
    ).toBe(
      'warning: no bigpipe-js runtime recognized before the first payload (inline, <script src="…bigpipe…">, or the stub of PROTOCOL.md §5); if it is bundled into /app.js, /bigpipe.compat.min.js, ignore this',
    );
  });

  it("checks their placeholders in the protocol's fields", () => {
    expect(check(shell(runtimeTags(), ASPNET_PIPE), aspnet('pagelet1'), aspnet('nowhere'), END)).toContain(
      'error: payload #2 "nowhere": no element with id="nowhere" in the page (or in another pagelet\'s html): the runtime reports bigpipe:error and the pagelet never shows (PROTOCOL.md §4.4)',
    );
  });

  it("says what to rename for Facebook's 2010 payloads, the argument as JSON included", () => {
    expect(check(shell(), facebook('pagelet1'), facebook('pagelet2', true), END)).toEqual([
      `error: 2 payloads in the format of Facebook's 2010 BigPipe ({id, content, css, js, is_last}): the runtime does not read them. To migrate, ${FACEBOOK_FIELDS}, ` +
        `and call BigPipe.onPageletArrive(…) instead of big_pipe.onPageletArrive(…), with the argument as JSON (PROTOCOL.md §3); ${HINT}`,
    ]);
  });

  it('reads is_last as the total, so the count of payloads is checked', () => {
    expect(table(shell() + COMPAT, facebook('pagelet1'), facebook('pagelet2', true), END).slice(1, 3)).toEqual([
      'payload "pagelet1" [facebook-2010] (html, css_links, js_links)',
      'payload "pagelet2" [facebook-2010] (is_last, html, css_links, js_links, total 2)',
    ]);
  });

  it("names bigpipe-response's renderPagelet, which the runtime answers, and checks its escaping", () => {
    // As bigpipe-response writes it: json.dumps, newlines around the call, "<" raw.
    const script = (target: string) =>
      `\n<script>\nrenderPagelet({"target": "${target}", "css": ".x{color:red}", "html": "<b>${target}</b>", "i18n": {"k": "v"}})\n</script>\n`;
    expect(check(shell(), script('pagelet1'), script('pagelet2'), END)).toEqual([
      'error: payload #1 "pagelet1": raw "<" in the JSON at "…lor:red}\\", \\"html\\": \\"<b>pagelet1</b>\\", \\"i…": write every "<" as \\u003c (PROTOCOL.md §3)',
      'warning: payload #1 "pagelet1": unknown field "i18n" (a v1 runtime ignores it)',
      'error: payload #2 "pagelet2": raw "<" in the JSON at "…lor:red}\\", \\"html\\": \\"<b>pagelet2</b>\\", \\"i…": write every "<" as \\u003c (PROTOCOL.md §3)',
      'warning: payload #2 "pagelet2": unknown field "i18n" (a v1 runtime ignores it)',
      "warning: 2 payloads call renderPagelet(…), the entry point of bigpipe-response: the runtime answers it like BigPipe.onPageletArrive (PROTOCOL.md §4.8), but the protocol's call is BigPipe.onPageletArrive(…): rename the call",
    ]);
  });

  it('says what a positional call should be', () => {
    const call = (id: string) => `<script>renderInDom('<p>${id}</p>', '${id}');</script>`;
    expect(check(shell(), call('pagelet1'), call('pagelet2'), END)).toEqual([
      'error: 2 payloads as positional calls like renderInDom(html, "pagelet1"): the runtime takes one object per payload: write BigPipe.onPageletArrive({"target": "pagelet1", "html": …}) (PROTOCOL.md §2)',
    ]);
  });

  it('says which global to call for protocol payloads sent to another object', () => {
    const call = (id: string) => `<script>bigpipe.onPageletArrive({"target":"${id}","html":"x","total":2})</script>`;
    expect(check(shell(), call('pagelet1'), call('pagelet2'), END)).toEqual([
      "error: 2 payloads call bigpipe.onPageletArrive(…): the runtime's global is BigPipe: call BigPipe.onPageletArrive(…)",
    ]);
  });

  it("names the format of another server's fields sent to BigPipe.onPageletArrive, instead of each field", () => {
    const call = (id: string) => `<script>BigPipe.onPageletArrive({"Id":"${id}","Content":"x"})</script>`;
    expect(
      check(shell(runtimeTags(), ASPNET_PIPE.replace('bigpipe', 'pipe')), call('pagelet1'), call('pagelet2'), END),
    ).toEqual([
      'error: 2 payloads in the format of the ASP.NET MVC BigPipe tutorial ({"Id","Content","Css","Js"}): the runtime does not read them, ' +
        `and new BigPipe(…) throws (its BigPipe is no constructor). To migrate, ${ASPNET_FIELDS}, and call BigPipe.onPageletArrive(…); ${HINT}`,
    ]);
  });

  it('leaves scripts that are no payload alone', () => {
    const scripts = `<script>${STUB}</script><script>gtag('config', 'G-1')</script><script>init("pagelet1")</script><script>if (x) f("a", "pagelet1")</script>`;
    expect(check(shell(runtimeTags(), scripts), END)).toEqual([
      'warning: no payloads: nothing was pipelined. An inline-mode (no-JS) page? pickMode() serves it to crawlers and to ?bigpipe=inline; check --user-agent',
    ]);
  });
});

describe('readCall', () => {
  it('reads JSON and object-literal arguments, and says which', () => {
    expect(readCall(' a.b ( {"x": [1, "\\u003c"]} ) ; ')).toEqual({
      callee: 'a.b',
      args: [{ x: [1, '<'] }],
      json: true,
    });
    expect(readCall("f({x: 'y', 'z': [1,], n: null, u: undefined}, -2.5e3)")).toEqual({
      callee: 'f',
      args: [{ x: 'y', z: [1], n: null, u: undefined }, -2500],
      json: false,
    });
  });

  it('keeps a __proto__ key as a plain field', () => {
    const value = readCall('f({"__proto__": {"polluted": 1}})')!.args[0] as object;
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(({} as any).polluted).toBeUndefined();
  });

  it('is no call for code, a second statement or a cut string', () => {
    for (const code of [
      'f(x)',
      'f(1); g(2)',
      'f("a',
      'var f = 1',
      'f(1 + 2)',
      '(function(){})()',
      'f("\\u{110000}")',
      'f("\\u{41")',
    ])
      expect(readCall(code), code).toBeUndefined();
  });

  it('gives up on nesting no server writes, without a deep recursion', () => {
    expect(readCall(`f(${'['.repeat(100_000)})`)).toBeUndefined();
    expect(readCall(`f(${'['.repeat(60)}${']'.repeat(60)})`)?.json).toBe(true);
  });

  it('reads a long argument in one pass', () => {
    const long = 'x'.repeat(1_000_000);
    expect(readCall(`f("${long}")`)!.args[0]).toBe(long);
    expect(readCall(`f("${'\\u{'.repeat(200_000)}")`)).toBeUndefined();
  });
});

// Campaign 1, serialization fuzz: generated payloads with every field hostile go through serializePagelet and come
// back out of an HTML parser (parse5) and a real browser unchanged; hostile nonces are refused, valid ones appear
// once per tag; hostile placeholder ids are refused or escaped.
//   node stress/fuzz.mjs [runs]       (default 100000)
import { isDeepStrictEqual } from 'node:util';
import vm from 'node:vm';
import fc from 'fast-check';
import { placeholder, renderToChunks, renderToNodeResponse, serializePagelet } from 'bigpipe-js/server';
import { HTML, serve } from '../test/support/loopback.mjs';
import { machineLine } from '../test/support/machine.mjs';
import { attrs, elements, parseDocument, text } from '../test/support/parse.mjs';
import { AFTER_HEAD, RECORDER } from '../test/support/recorder.mjs';
import { isMain, kb, loadDrivers, goal, prng, report, withEngine } from './lib.mjs';
import { hostilePayload, hostileString, onWire } from './generators.mjs';

const CALL = 'BigPipe.onPageletArrive(';
const shorten = (value) => {
  const s = JSON.stringify(value);
  return s.length > 300 ? s.slice(0, 300) + `... (${s.length} chars)` : s;
};

/**
 * Checks one payload's script chunk the way a browser parses it: `breakout` when the chunk does not make exactly one
 * script element (followed by the markup after it), `changed` when the script's argument is not the payload.
 */
export const checkSerialized = (payload, options = {}) => {
  const chunk = serializePagelet(payload, options);
  const doc = parseDocument(`<!DOCTYPE html><html><head></head><body>${chunk}<p id="after">after</p></body></html>`);
  const body = elements(doc, 'body')[0];
  const inBody = elements(body).map((e) => e.tagName);
  if (inBody.join() !== 'body,script,p' || elements(doc, 'script').length !== 1) return 'breakout';
  const code = text(elements(doc, 'script')[0]);
  if (!code.startsWith(CALL) || !code.endsWith(')')) return 'breakout';
  // Stronger than the parser check: no `<` and no raw U+2028/9 survive in the JSON at all.
  const json = code.slice(CALL.length, -1);
  if (/[<\u2028\u2029]/.test(json)) return 'unescaped';
  let parsed;
  try {
    parsed = JSON.parse(json);
  } catch {
    return 'changed';
  }
  return isDeepStrictEqual(parsed, onWire(payload)) ? 'ok' : 'changed';
};

/** Runs `runs` generated payloads (in batches of 1,000, seed `seed + batch`) through checkSerialized. */
/** @param {{ runs?: number, seed?: number, huge?: { every: number, bytes: number }, jsEvery?: number }} [options] */
export const fuzzSerialization = ({ runs = 2000, seed = 20250601, huge = undefined, jsEvery = 25 } = {}) => {
  const started = performance.now();
  const figures = {
    payloads: 0,
    breakouts: 0,
    unescaped: 0,
    changed: 0,
    evaluatedAsJs: 0,
    jsMismatch: 0,
    hugePayloads: 0,
    largestField: 0,
    bytes: 0,
    failures: [],
  };
  const arbitrary = hostilePayload({ huge });
  for (let batch = 0; figures.payloads < runs; batch++) {
    const samples = fc.sample(arbitrary, { numRuns: Math.min(1000, runs - figures.payloads), seed: seed + batch });
    for (const payload of samples) {
      const n = figures.payloads++;
      const longest = Math.max(...Object.values(payload).map((v) => (typeof v === 'string' ? v.length : 0)));
      figures.largestField = Math.max(figures.largestField, longest);
      if (huge && longest >= huge.bytes) figures.hugePayloads++;
      let outcome;
      try {
        outcome = checkSerialized(payload);
      } catch (error) {
        outcome = `threw: ${error.message}`;
      }
      figures.bytes += serializePagelet(payload).length;
      if (outcome !== 'ok') {
        const key = outcome === 'breakout' || outcome === 'unescaped' ? outcome : 'changed';
        figures[key]++;
        if (figures.failures.length < 5) figures.failures.push({ outcome, payload: shorten(payload) });
        continue;
      }
      // Now and then also as JavaScript, which is what the browser runs (JSON is a subset of ES2019).
      if (n % jsEvery === 0) {
        const received = [];
        const code = serializePagelet(payload).slice('<script>'.length, -'</script>'.length);
        vm.runInNewContext(code, { BigPipe: { onPageletArrive: (p) => received.push(p) } });
        figures.evaluatedAsJs++;
        // JSON.stringify shows own fields only: the prototype is checked too (a "__proto__" key in the object
        // literal would set it, and the runtime would see its fields as the payload's)
        const plain = Object.getPrototypeOf(Object.getPrototypeOf(received[0])) === null;
        if (
          !plain ||
          !isDeepStrictEqual(JSON.parse(JSON.stringify(received[0])), JSON.parse(JSON.stringify(onWire(payload))))
        )
          figures.jsMismatch++;
      }
    }
  }
  figures.seconds = +((performance.now() - started) / 1000).toFixed(1);
  return figures;
};

/**
 * Numbers JSON cannot carry. serializePagelet accepts them (typeof 'number'), and JSON.stringify writes NaN and
 * ±Infinity as null, which the runtime rejects as "total: expected number". Reported, not asserted.
 */
export const nonFiniteTotals = () =>
  Object.fromEntries(
    [NaN, Infinity, -Infinity, -0].map((total) => {
      let written;
      try {
        written = serializePagelet({ target: 'a', total }).match(/"total":([^,}]*)/)?.[1];
      } catch (error) {
        written = `throws ${error.name}`;
      }
      return [Object.is(total, -0) ? '-0' : String(total), written];
    }),
  );

const BASE64 = /^[A-Za-z0-9+/_=-]+$/;

/** Hostile nonces (strings with a character outside base64, or not strings) must throw; valid ones appear once per tag. */
export const fuzzNonces = async ({ runs = 1000, seed = 7 } = {}) => {
  const figures = {
    hostile: 0,
    hostileAccepted: 0,
    valid: 0,
    validRejected: 0,
    tagsChecked: 0,
    tagsWrong: 0,
    failures: [],
  };
  const hostile = fc.oneof(
    hostileString().filter((s) => !BASE64.test(s)),
    fc
      .tuple(fc.stringMatching(BASE64), hostileString(3), fc.stringMatching(BASE64))
      .map((p) => p.join(''))
      .filter((s) => !BASE64.test(s)),
    fc.constantFrom(
      '',
      ' ',
      'abc def',
      'a"b',
      '"><script>alert(1)</script>',
      "a'",
      'a\n',
      'é',
      'a>b',
      'a&b',
      'abc\0',
      '\ud800',
    ),
    fc.constantFrom(0, 1, null, true, {}, [], ['abc'], { toString: () => 'abc' }),
  );
  for (const nonce of fc.sample(hostile, { numRuns: runs, seed })) {
    figures.hostile++;
    const threw = (fn) => {
      try {
        fn();
        return false;
      } catch (error) {
        return error instanceof Error;
      }
    };
    const refused =
      threw(() => serializePagelet({ target: 'a' }, { nonce })) &&
      threw(() => renderToChunks({ body: '', pagelets: [] }, { nonce }));
    if (!refused) {
      figures.hostileAccepted++;
      if (figures.failures.length < 5) figures.failures.push({ accepted: shorten(nonce) });
    }
  }
  const page = {
    head: '<style>h1{}</style>',
    body: placeholder('a') + placeholder('b'),
    pagelets: [
      {
        id: 'a',
        render: () => ({ html: '<b>a</b>', css: 'b{}', js: 'a()', js_links: ['/a.js'], css_links: ['/a.css'] }),
      },
      { id: 'b', render: () => ({ html: 'b' }) },
    ],
  };
  for (const nonce of fc.sample(fc.stringMatching(BASE64), { numRuns: runs, seed: seed + 1 })) {
    figures.valid++;
    let pages;
    try {
      pages = [serializePagelet({ target: 'a' }, { nonce })];
      /** @type {import('bigpipe-js/server').RenderOptions[]} */
      const modes = [{}, { runtime: { src: '/bigpipe.min.js', async: true } }, { mode: 'inline' }];
      for (const options of modes) {
        let html = '';
        for await (const chunk of renderToChunks(page, { ...options, nonce })) html += chunk;
        pages.push(html);
      }
    } catch (error) {
      figures.validRejected++;
      if (figures.failures.length < 5) figures.failures.push({ rejected: nonce, error: error.message });
      continue;
    }
    for (const html of pages) {
      // every script, style and stylesheet link the server wrote carries the nonce exactly once (the page's own
      // <style> in `head` is the page's business and is skipped)
      const doc = parseDocument(html);
      const tags = [
        ...elements(doc, 'script'),
        ...elements(doc, 'style').filter((s) => text(s) !== 'h1{}'),
        ...elements(doc, 'link'),
      ];
      for (const tag of tags) {
        figures.tagsChecked++;
        const values = attrs(tag, 'nonce');
        if (values.length !== 1 || values[0] !== nonce) {
          figures.tagsWrong++;
          if (figures.failures.length < 5) figures.failures.push({ nonce, tag: tag.tagName, values });
        }
      }
      // and nowhere else: as many `nonce="` in the text as tags
      if (html.split(`nonce="${nonce}"`).length - 1 !== tags.length) figures.tagsWrong++;
    }
  }
  return figures;
};

/** Why an id is refused (mirrors the documented rule), or undefined. */
const refusal = (id) =>
  !id ? 'empty' : /[\t\n\f\r ]/.test(id) ? 'whitespace' : /\0|\p{Cs}/u.test(id) ? 'NUL or lone surrogate' : undefined;

/** Hostile placeholder ids: each is refused with a TypeError (for a documented reason) or escaped so that parse5 finds exactly one element with exactly that id. */
export const fuzzPlaceholders = ({ runs = 1000, seed = 11 } = {}) => {
  const figures = { ids: 0, refused: {}, escaped: 0, breakouts: 0, wrongId: 0, wrongRefusal: 0, failures: [] };
  const ids = fc.oneof(
    hostileString(),
    fc.constantFrom(
      '"><script>alert(1)</script>',
      'a" onmouseover="x',
      "a'b",
      '</div><div id=x>',
      '&amp;',
      '&#0;',
      '&lt;',
      '<!--',
      'a\u000bb',
      '\u00a0',
      '\ufeff',
      'x"',
      'é',
      'a/b',
      '#a',
      'a\\b',
    ),
  );
  for (const id of fc.sample(ids, { numRuns: runs, seed })) {
    figures.ids++;
    let markup;
    try {
      markup = placeholder(id);
    } catch (error) {
      const why = refusal(id);
      if (!(error instanceof TypeError) || !why) {
        figures.wrongRefusal++;
        if (figures.failures.length < 5) figures.failures.push({ id: shorten(id), refused: error.message });
      } else figures.refused[why] = (figures.refused[why] ?? 0) + 1;
      continue;
    }
    if (refusal(id)) figures.wrongRefusal++; // accepted although the rule says no
    figures.escaped++;
    const doc = parseDocument(`<!DOCTYPE html><html><head></head><body>${markup}<p id="after"></p></body></html>`);
    const inBody = elements(elements(doc, 'body')[0]);
    if (inBody.map((e) => e.tagName).join() !== 'body,div,p') {
      figures.breakouts++;
      if (figures.failures.length < 5) figures.failures.push({ id: shorten(id), markup: shorten(markup) });
      continue;
    }
    const withId = elements(doc).filter((e) => attrs(e, 'id').includes(id));
    if (withId.length !== 1 || attrs(inBody[1], 'id').length !== 1 || attrs(inBody[1], 'id')[0] !== id) {
      figures.wrongId++;
      if (figures.failures.length < 5) figures.failures.push({ id: shorten(id), markup: shorten(markup) });
    }
  }
  return figures;
};

// ------------------------------------------------------------------------------------------------ in a browser

const NONCE = 'c3RyZXNzLWZ1enotbm9uY2U';
// Everything the page may load or connect to is on 127.0.0.1: even a generated string that happened to be a
// tag with an external URL could not leave the machine.
const CSP = `default-src 'self'; script-src 'nonce-${NONCE}'; style-src 'self' 'nonce-${NONCE}'`;

/** The in-page check after DOMContentLoaded for the recording stub page. */
const STUB_CHECK = `(async () => {
  if (document.readyState === 'loading') await new Promise((r) => addEventListener('DOMContentLoaded', r));
  const expected = await (await fetch('/expected.json')).json();
  const changed = [];
  expected.forEach((e, i) => JSON.stringify(e) === JSON.stringify(window.got[i]) || changed.push(i));
  const kids = [...document.body.children].map((e) => e.tagName);
  return {
    received: window.got.length,
    changed,
    bodyScripts: kids.filter((t) => t === 'SCRIPT').length,
    bodyOther: kids.filter((t) => t !== 'SCRIPT'),
    pwned: !!window.pwned,
  };
})()`;

/** The in-page check once bigpipe:done has fired, for the page that runs the real runtime. */
const RUNTIME_CHECK = `(async () => {
  ${AFTER_HEAD}
  await window.__done;
  const expected = await (await fetch('/expected-runtime.json')).json();
  // what the same markup becomes when parsed into a <div>, in an inert document (nothing loads)
  const inert = document.implementation.createHTMLDocument('');
  const parsed = (html) => Object.assign(inert.createElement('div'), { innerHTML: html }).innerHTML;
  const htmlChanged = [];
  expected.forEach((e, i) => document.getElementById('p' + i).innerHTML === parsed(e.html) || htmlChanged.push(i));
  // the runtime's <style> elements are the nonce'd ones after the runtime's own script
  const styles = [...document.head.querySelectorAll('style')].map((s) => s.textContent).sort();
  // identical css is one <style> (PROTOCOL.md §4.4)
  const css = [...new Set(expected.map((e) => e.css).filter(Boolean))].sort();
  const count = (type) => window.__rec.events.filter((e) => e.type === type).length;
  return {
    displayed: count('display'), arrived: count('arrive'), errors: window.__rec.events.filter((e) => e.type === 'error'),
    done: count('done'), htmlChanged, cssSame: JSON.stringify(styles) === JSON.stringify(css), cssCount: css.length,
    payloadScripts: [...document.body.children].filter((e) => e.tagName === 'SCRIPT' && e.text.startsWith('${CALL}')).length,
    pageErrors: window.__rec.errors, pwned: !!window.pwned,
  };
})()`;

/**
 * In a real browser: `count` hostile payloads to a recording stub (each must arrive unchanged, nothing may break
 * out), and `count / 2` pagelets with hostile html and css through renderToNodeResponse and the real runtime (each
 * placeholder must hold what the browser makes of that html, each style that css).
 */
export const browserSample = async (engine, { count = 300, seed = 99 } = {}) => {
  const payloads = fc.sample(hostilePayload(), { numRuns: count, seed });
  const contents = fc.sample(fc.record({ html: hostileString(20), css: hostileString(8) }), {
    numRuns: Math.ceil(count / 2),
    seed: seed + 1,
  });
  const random = prng(seed);
  const head = (res) => res.writeHead(200, { 'Content-Type': HTML, 'Content-Security-Policy': CSP });
  const server = await serve({
    '/stub': async (_req, res) => {
      head(res);
      res.write(
        `<!DOCTYPE html><html><head><meta charset="utf-8"><script nonce="${NONCE}">window.got=[];BigPipe={onPageletArrive(p){got.push(p)}}</script></head><body>`,
      );
      // streamed in a few chunks, as a server would
      for (let i = 0; i < payloads.length; i += 50) {
        res.write(
          payloads
            .slice(i, i + 50)
            .map((p) => serializePagelet(p, { nonce: NONCE }))
            .join(''),
        );
        await new Promise((r) => setTimeout(r, 5));
      }
      res.end('<p id="end">end</p></body></html>');
    },
    '/expected.json': (_req, res) =>
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(payloads.map(onWire))),
    '/runtime': (_req, res) => {
      res.setHeader('Content-Security-Policy', CSP);
      void renderToNodeResponse(
        {
          head: `<script nonce="${NONCE}">${RECORDER}</script>`,
          body: '<h1>hostile pagelets</h1>' + contents.map((_, i) => placeholder('p' + i)).join(''),
          pagelets: contents.map((content, i) => ({
            id: 'p' + i,
            render: () => new Promise((r) => setTimeout(() => r(content), random() * 20)),
          })),
        },
        res,
        { nonce: NONCE },
      );
    },
    '/expected-runtime.json': (_req, res) =>
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(contents)),
  });
  try {
    const stubTab = await engine.open(server.base + '/stub');
    const stub = await stubTab.eval(STUB_CHECK);
    const stubConsole = await stubTab.errors();
    await stubTab.close();
    const runtimeTab = await engine.open(server.base + '/runtime');
    const runtime = await runtimeTab.eval(RUNTIME_CHECK);
    const runtimeConsole = await runtimeTab.errors();
    await runtimeTab.close();
    return {
      engine: `${engine.name} ${engine.version}`,
      stubSent: payloads.length,
      stubReceived: stub.received,
      stubChanged: stub.changed.length,
      stubChangedExamples: stub.changed.slice(0, 3).map((i) => shorten(payloads[i])),
      stubBreakouts:
        (stub.bodyScripts !== payloads.length ? 1 : 0) + (stub.bodyOther.join() !== 'P' ? 1 : 0) + (stub.pwned ? 1 : 0),
      stubConsoleErrors: stubConsole,
      runtimePagelets: contents.length,
      runtimeArrived: runtime.arrived,
      runtimeDisplayed: runtime.displayed,
      runtimeHtmlChanged: runtime.htmlChanged.length,
      runtimeHtmlChangedExamples: runtime.htmlChanged.slice(0, 3).map((i) => shorten(contents[i].html)),
      runtimeCssUnchanged: runtime.cssSame,
      runtimeCssCount: runtime.cssCount,
      runtimeErrors: runtime.errors,
      runtimeDone: runtime.done,
      runtimeBreakouts: (runtime.payloadScripts !== contents.length ? 1 : 0) + (runtime.pwned ? 1 : 0),
      // A generated html may hold a <style> element: CSP blocks it (no nonce), which is the page's CSP working.
      runtimeBlockedHtmlStyles: runtime.pageErrors.filter((e) => /^error event on STYLE in #p\d+$/.test(e)).length,
      runtimePageErrors: runtime.pageErrors.filter((e) => !/^error event on STYLE in #p\d+$/.test(e)),
      runtimeCspStyleMessages: runtimeConsole.filter((e) => /^console\.error: Applying inline style violates/.test(e))
        .length,
      runtimeConsoleErrors: runtimeConsole.filter((e) => !/^console\.error: Applying inline style violates/.test(e)),
    };
  } finally {
    await server.close();
  }
};

if (isMain(import.meta)) {
  const runs = Number(process.argv[2] ?? 100_000);
  console.log(machineLine());
  const serialization = fuzzSerialization({ runs, huge: { every: 2000, bytes: 1 << 20 } });
  report(`serialization fuzz: ${runs} payloads, every field hostile, parsed with parse5`, {
    ...serialization,
    bytes: kb(serialization.bytes),
    largestField: `${serialization.largestField} chars`,
  });
  goal(
    '0 breakouts, 0 changed payloads',
    serialization.breakouts + serialization.unescaped + serialization.changed + serialization.jsMismatch === 0,
  );
  report('non-finite numbers in total (serializePagelet output; JSON has no NaN or Infinity)', nonFiniteTotals());
  const nonces = await fuzzNonces({ runs: Math.max(200, runs / 50) });
  report('nonces', nonces);
  goal(
    'hostile nonces throw, valid ones appear once per tag',
    nonces.hostileAccepted + nonces.validRejected + nonces.tagsWrong === 0,
  );
  const ids = fuzzPlaceholders({ runs: Math.max(1000, runs / 20) });
  report('placeholder ids', ids);
  goal(
    'hostile ids throw or are escaped into exactly one element with that id',
    ids.breakouts + ids.wrongId + ids.wrongRefusal === 0,
  );
  const drivers = await loadDrivers();
  const b = await withEngine(drivers, 'chromium', (engine) => browserSample(engine, { count: 400 }));
  report('browser sample (Chromium, page from 127.0.0.1)', b);
  goal(
    'in the browser: every payload arrives unchanged, 0 breakouts',
    b.stubReceived === b.stubSent && b.stubChanged + b.stubBreakouts === 0 && !b.stubConsoleErrors.length,
  );
  goal(
    'in the browser through the runtime: html and css as sent, no error, done once',
    b.runtimeDisplayed === b.runtimePagelets &&
      b.runtimeHtmlChanged + b.runtimeBreakouts === 0 &&
      b.runtimeCssUnchanged &&
      !b.runtimeErrors.length &&
      b.runtimeDone === 1 &&
      !b.runtimePageErrors.length &&
      !b.runtimeConsoleErrors.length,
  );
}

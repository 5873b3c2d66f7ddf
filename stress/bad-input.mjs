// Campaign 4, bad input to the runtime in real browsers: generated malformed payloads and hostile sequences
// (non-objects, wrong field types, duplicate targets, lying totals, payloads after the document ended and after
// bigpipe:done, several MB of html, placeholders removed by page code) streamed from 127.0.0.1 to the shipped
// runtime (dist/bigpipe.min.js, inlined). The runtime must never throw, report each problem exactly once as
// bigpipe:error, display every good pagelet, and fire bigpipe:done exactly once.
//   node stress/bad-input.mjs [malformed] [engines]     (default 300 chromium,firefox,webkit,webkitgtk)
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { escapeJson } from 'bigpipe-js/server';
import { FIELDS, REQUIRED_FIELD, hasFieldType } from '../test/support/protocol.mjs';
import { HTML, serve } from '../test/support/loopback.mjs';
import { machineLine } from '../test/support/machine.mjs';
import { AFTER_HEAD, RECORDER } from '../test/support/recorder.mjs';
import { goal, isMain, loadDrivers, prng, report, withEngine } from './lib.mjs';

const NONCE = 'YmFkLWlucHV0LW5vbmNl';
const CSP = `default-src 'self'; script-src 'self' 'nonce-${NONCE}'; style-src 'self' 'nonce-${NONCE}'`;

/** The fields of `p` (as the page sees it) whose value has the wrong type; ['payload'] for a non-object. */
const wrongFields = (p) => {
  if (Object(p) !== p || Array.isArray(p)) return ['payload'];
  return Object.entries(FIELDS)
    .filter(([field, type]) => (p[field] == null ? field === REQUIRED_FIELD : !hasFieldType(p[field], type))) // null means absent (PROTOCOL.md §2)
    .map(([field]) => field);
};

/** detail.target as the page's recorder writes it. */
const targetKey = (p) => {
  const t = Object(p) === p && !Array.isArray(p) ? p.target : undefined;
  return t === undefined ? 'undefined' : (JSON.stringify(t) ?? String(t));
};

// ------------------------------------------------------------------------------------------------ generated bad payloads

const anyJson = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)));
const nonObject = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.array(anyJson, { maxLength: 3 }),
);
const wrongValue = {
  string: fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
    fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }),
  ),
  boolean: fc.oneof(fc.constantFrom('true', 'false', '', 0, 1), fc.array(fc.boolean(), { maxLength: 2 })),
  number: fc.oneof(
    fc.constantFrom('3', '', '1e3', true, false),
    fc.array(fc.integer(), { maxLength: 2 }),
    fc.constant({ valueOf: 3 }),
  ),
  'string[]': fc.oneof(
    fc.constantFrom('/a.css', '', 0, true, {}),
    // an array with at least one element that is not a string (the strings in it would be valid URLs)
    fc
      .tuple(
        fc.array(fc.constant('/never-loaded.css'), { maxLength: 2 }),
        fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 1 }), fc.constant({})),
      )
      .map(([ok, bad]) => [...ok, bad]),
  ),
};
// null means absent for every field but target (PROTOCOL.md §2): only a target can be wrong by being null
const wrongTarget = fc.oneof(wrongValue.string, fc.constant(null));
const validValue = {
  string: fc.string({ maxLength: 8 }),
  boolean: fc.boolean(),
  number: fc.integer({ min: 0, max: 50 }),
  'string[]': fc.constant([]),
};
/** An object payload with one or more fields of the wrong type (target included, or missing). */
const wrongTypes = fc
  .tuple(fc.subarray(Object.keys(FIELDS), { minLength: 1 }), fc.subarray(Object.keys(FIELDS)), fc.boolean())
  .chain(([wrong, valid, omitTarget]) =>
    fc
      .record(
        Object.fromEntries(
          Object.keys(FIELDS)
            .filter((f) => wrong.includes(f) || valid.includes(f))
            .map((f) => [
              f,
              wrong.includes(f)
                ? f === 'target'
                  ? wrongTarget
                  : wrongValue[FIELDS[f]]
                : f === 'target' || FIELDS[f] === 'string[]'
                  ? fc.constant(undefined)
                  : validValue[FIELDS[f]],
            ]),
        ),
      )
      .map((p) => ({ p, omitTarget: omitTarget && wrong.includes('target') })),
  );

/**
 * `count` malformed payloads as the page will see them (JSON round trip: JSON has no NaN, undefined or functions).
 * Those whose target is a valid string get a unique one, `bad-N`, so each error can be told apart.
 */
export const malformedPayloads = (/** @type {number} */ count, /** @type {number} */ seed) =>
  fc
    .sample(
      fc.oneof(
        nonObject.map((p) => ({ p })),
        wrongTypes,
        wrongTypes,
      ),
      { numRuns: count, seed },
    )
    .map((/** @type {{ p: any, omitTarget?: boolean }} */ { p, omitTarget }, n) => {
      if (Object(p) === p && !Array.isArray(p)) {
        p = JSON.parse(JSON.stringify(p, (_, v) => (v === undefined ? undefined : v)));
        if (omitTarget) delete p.target;
        else if (p.target === undefined || typeof p.target === 'string') p.target = `bad-${n}`;
      } else p = JSON.parse(JSON.stringify(p) ?? 'null');
      if (!wrongFields(p).length) throw new Error(`generated a valid payload: ${JSON.stringify(p)}`);
      return p;
    });

// ------------------------------------------------------------------------------------------------ pages

const FIRST_TEXT = `<p>${'A page streamed pagelet by pagelet, fed malformed payloads on purpose. '.repeat(5)}</p>`;
const script = (code) => `<script nonce="${NONCE}">${code}</script>`;
const payloadScript = (p) => script(`BigPipe.onPageletArrive(${escapeJson(p)})`);

/**
 * Page code, before the runtime: `__call(p)` calls the runtime and records a throw; `__ranOne()` counts inline JS
 * runs; `__end` resolves once bigpipe:done has fired, the load event has passed, `expectRan` inline JS have run and
 * (when `late`) the payloads sent after bigpipe:done are through.
 */
const pageCode = ({ expectRan, late }) => `
window.ran = []; window.__throws = [];
window.__call = (p) => { try { BigPipe.onPageletArrive(p); } catch (e) { __throws.push(String(e && e.stack || e)); } };
let ranAll; const ranAllP = new Promise((r) => (ranAll = r));
window.__ranOne = (t) => { ran.push(t); if (ran.length >= ${expectRan}) ranAll(); };
if (${expectRan} === 0) ranAll();
const loaded = new Promise((r) => addEventListener('load', r));
let lateDone; const lateP = new Promise((r) => (lateDone = r));
window.__lateDone = lateDone;
if (!${late}) lateDone();
window.__end = Promise.all([window.__done, loaded, ranAllP, lateP]);
${
  late
    ? `
// Registered before the runtime's own listener: these arrive while the document is 'interactive'.
document.addEventListener('DOMContentLoaded', () => {
  __call({ target: 'late-dcl', html: 'late <b>dcl</b>', js: '__ranOne("late-dcl")' });
  __call({ target: 'late-missing', html: 'never shown' });
  __call('late garbage');
});
// Its placeholder goes away while its stylesheet is still loading.
document.addEventListener('bigpipe:arrive', (e) => { if (e.detail.target === 'gone-css') document.getElementById('gone-css').remove(); });
document.addEventListener('bigpipe:done', () => setTimeout(() => {
  __call({ target: 'late-done', html: 'late <i>done</i>', js: '__ranOne("late-done"); __lateDone()' });
  __call(42);
  __call({ target: 'late-done-missing', html: 'never shown' });
}), { once: true });`
    : ''
}`;

const shell = (code, placeholders, runtime) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>bad input</title>` +
  script(RECORDER) +
  script(code) +
  script(runtime) +
  `</head><body>${FIRST_TEXT}` +
  placeholders.map((id) => `<div id="${id}"></div>`).join('');

/**
 * The main scenario: `count` generated malformed payloads shuffled among good ones, duplicates, a payload with
 * several MB of html, odd but valid objects passed by page code, removed placeholders, and payloads after the
 * document ended and after bigpipe:done.
 */
const mainScenario = (count, seed, hugeBytes, runtime) => {
  const random = prng(seed);
  const bad = malformedPayloads(count, seed);
  const good = Array.from({ length: 12 }, (_, i) => {
    const p = { target: `g${i}`, html: `<p class="g">good ${i} &amp; <b>fine</b></p>` };
    if (i % 3 === 0) p.css = `#g${i} .g{color:rgb(0, ${i}, 0)}`;
    if (i % 4 === 1) p.css_links = ['/a.css'];
    if (i % 4 === 2) p.js_links = ['/a.js'];
    if (i % 2 === 0) p.js = `__ranOne("g${i}")`;
    return p;
  });
  // few elements, much text: 117,000 tiny elements would measure WebKit's layout (seconds here), not the runtime
  const huge = ('<p>' + '0123456789'.repeat(100) + '</p>').repeat(Math.ceil(hugeBytes / 1007));
  /** @type {{ p: any, bad?: boolean, gone?: boolean }[]} */
  const sequence = [
    ...good.map((p) => ({ p })),
    ...bad.map((p) => ({ p, bad: true })),
    { p: { target: 'dup', html: 'A' } },
    { p: { target: 'dup', html: 'B', append: true } },
    { p: { target: 'dup2', html: 'X' } },
    { p: { target: 'dup2', html: 'Y' } },
    { p: { target: 'huge', html: huge } },
    { p: { target: 'bad-huge', html: huge, total: 'many' }, bad: true },
    // edges a loose type check lets through: an array nested in a URL list (null means absent: PROTOCOL.md §2)
    { p: { target: 'bad-nested-links', html: 'nested', css_links: [['/nested.css']] }, bad: true },
    { p: { target: 'bad-empty-nested', html: 'nested', js_links: [[]] }, bad: true },
    { p: { target: 'gone', html: 'removed before its payload' }, gone: true },
    // a js that throws is the page's error (window's error event), not the runtime's, and stops nobody
    { p: { target: 'throwing-js', html: 'its js throws', js: 'throw new Error("boom from a pagelet js")' } },
    { p: { target: 'gone-css', html: 'removed while its stylesheet loads', css_links: ['/slow.css'] }, gone: true },
  ];
  for (let i = sequence.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [sequence[i], sequence[j]] = [sequence[j], sequence[i]];
  }
  const weird = 'we"ird <id> &amp; \u2028';
  const oddButValid = `
__call(Object.assign(Object.create(null), { target: 'nullproto', html: 'null prototype', js: '__ranOne("nullproto")' }));
__call(Object.freeze({ target: 'frozen', html: 'frozen', css_links: Object.freeze(['/a.css']) }));
const detached = BigPipe.onPageletArrive; detached({ target: 'detached', html: 'called without this' });
__call({ target: 'extra', html: 'unknown fields', version: 2, future: { deep: [1, 2] }, total: undefined });
// in JS source a "__proto__" key sets the prototype: its fields are not the payload's own
BigPipe.onPageletArrive({"target":"protokey","__proto__":{"js":"window.protoRan=1"},"html":"own html"});
__call({ target: ${JSON.stringify(weird)}, html: 'weird id' });`;
  const placeholders = [
    ...good.map((p) => p.target),
    'dup',
    'dup2',
    'huge',
    'gone',
    'gone-css',
    'throwing-js',
    'late-dcl',
    'late-done',
    'nullproto',
    'frozen',
    'detached',
    'extra',
    'protokey',
  ];
  const chunks = [
    shell(pageCode({ expectRan: good.filter((p) => p.js).length + 3, late: true }), placeholders, runtime) +
      script(
        `document.getElementById('gone').remove(); const w = document.createElement('div'); w.id = ${JSON.stringify(weird)}; document.body.append(w);`,
      ),
  ];
  for (let i = 0; i < sequence.length; i += 8)
    chunks.push(
      sequence
        .slice(i, i + 8)
        .map(({ p }) => payloadScript(p))
        .join(''),
    );
  chunks.splice(2, 0, script(oddButValid));
  chunks.push('<p>end of the document</p></body></html>');

  // payloads for one target are displayed in arrival order: replace, or append
  /** @type {Record<string, string>} */
  const html = {};
  for (const { p, bad: isBad, gone } of sequence)
    if (!isBad && !gone) html[p.target] = (p.append ? (html[p.target] ?? '') : '') + p.html;
  Object.assign(html, {
    'late-dcl': 'late <b>dcl</b>',
    'late-done': 'late <i>done</i>',
    nullproto: 'null prototype',
    frozen: 'frozen',
    detached: 'called without this',
    extra: 'unknown fields',
    protokey: 'own html',
    [weird]: 'weird id',
  });
  const displays = Object.fromEntries(Object.keys(html).map((t) => [t, t === 'dup' || t === 'dup2' ? 2 : 1]));
  const errors = [
    ...sequence.filter((s) => s.bad).map(({ p }) => ({ target: targetKey(p), fields: wrongFields(p) })),
    ...['gone', 'gone-css', 'late-missing', 'late-done-missing'].map((t) => ({
      target: JSON.stringify(t),
      missing: true,
    })),
    { target: 'undefined', fields: ['payload'] }, // 'late garbage'
    { target: 'undefined', fields: ['payload'] }, // 42
  ];
  return {
    chunks,
    html,
    displays,
    errors,
    ran: [...good.filter((p) => p.js).map((p) => p.target), 'late-dcl', 'late-done', 'nullproto'],
    malformed: sequence.filter((x) => x.bad).length + 2,
    extraChecks: '({ protoRan: window.protoRan })',
    pageErrors: 1,
  };
};

/** Pages whose payloads lie about `total`: every good pagelet must still be displayed and run its JS once. */
const totalScenario = (runtime, name, totals, viaJs) => {
  const good = totals.map((total, i) => ({
    target: `t${i}`,
    html: `<p>pagelet ${i}</p>`,
    js: `__ranOne("t${i}")`,
    ...(i % 3 === 1 ? { css_links: ['/slow.css'] } : {}),
    ...(i % 3 === 2 ? { js_links: ['/a.js'] } : {}),
    total,
  }));
  // null means absent (PROTOCOL.md §2): such payloads are valid, without total
  const invalid = totals.every((t) => typeof t !== 'number' && t !== null);
  const chunks = [
    shell(
      pageCode({ expectRan: invalid ? 0 : good.length, late: false }),
      good.map((p) => p.target),
      runtime,
    ),
  ];
  for (const p of good)
    chunks.push(
      viaJs
        ? script(`__call(${JSON.stringify({ ...p, total: 0 }).replace('"total":0', `"total":${viaJs(p.total)}`)})`)
        : payloadScript(p),
    );
  chunks.push('</body></html>');
  return {
    name,
    chunks,
    html: invalid ? {} : Object.fromEntries(good.map((p) => [p.target, p.html])),
    displays: invalid ? {} : Object.fromEntries(good.map((p) => [p.target, 1])),
    errors: invalid ? good.map((p) => ({ target: JSON.stringify(p.target), fields: ['total'] })) : [],
    ran: invalid ? [] : good.map((p) => p.target),
    malformed: invalid ? good.length : 0,
  };
};

/**
 * @typedef {object} Scenario a page of payloads and what the runtime must make of it
 * @property {string} [name]
 * @property {string[]} chunks
 * @property {Record<string, string>} html
 * @property {Record<string, number>} displays
 * @property {{ target: string, fields?: string[], missing?: boolean }[]} errors
 * @property {string[]} ran
 * @property {number} malformed
 * @property {string} [extraChecks]
 * @property {number} [pageErrors]
 */

/**
 * @typedef {object} ScenarioRow one scenario's figures
 * @property {string} scenario
 * @property {number} malformedSent
 * @property {number} problemsExpected
 * @property {number} errorEvents
 * @property {string[]} missingErrors
 * @property {string[]} extraErrors
 * @property {string[]} badMessages
 * @property {number} goodPagelets
 * @property {string[]} notDisplayed
 * @property {string[]} extraDisplays
 * @property {string[]} wrongHtml
 * @property {string[]} notRan
 * @property {string[]} ranTwice
 * @property {number} done
 * @property {string[]} runtimeThrows
 * @property {string[]} consoleErrors
 * @property {string[]} cspViolations
 * @property {{ protoRan?: unknown } | null} extra what a scenario reads besides (`extraChecks`)
 * @property {number} pageletJsErrorsSeen
 * @property {number} pageletJsErrorsExpected
 */

/** @returns {Scenario[]} */
export const scenarios = (
  /** @type {number} */ malformed,
  /** @type {number} */ seed,
  /** @type {number} */ hugeBytes,
  /** @type {string} */ runtime,
) => [
  { name: 'malformed', ...mainScenario(malformed, seed, hugeBytes, runtime) },
  totalScenario(runtime, 'total too small (1)', [1, 1, 1, 1, 1, 1]),
  totalScenario(runtime, 'total too large (99)', [99, 99, 99, 99, 99, 99]),
  totalScenario(runtime, 'total negative (-1)', [-1, -1, -1, -1, -1, -1]),
  totalScenario(runtime, 'total changing (2, 9, 0, 4, 1, 6)', [2, 9, 0, 4, 1, 6]),
  totalScenario(runtime, 'total NaN (page code)', [0, 0, 0, 0, 0, 0], () => 'NaN'),
  totalScenario(runtime, 'total Infinity (page code)', [0, 0, 0, 0, 0, 0], () => 'Infinity'),
  totalScenario(runtime, 'total null (what JSON makes of NaN)', [null, null, null, null, null, null]),
];

// ------------------------------------------------------------------------------------------------ running

/** In the page, once the scenario is over: what happened. */
const CHECK = (i, extra = 'null') => `(async () => {
  ${AFTER_HEAD}
  await window.__end;
  // A second bigpipe:done, or a late error, would come right after: give it 100 ms to show.
  await new Promise((r) => setTimeout(r, 100));
  const expected = await (await fetch('/expected/${i}')).json();
  const wrongHtml = [];
  const inert = document.implementation.createHTMLDocument('');
  for (const [target, html] of Object.entries(expected)) {
    const el = document.getElementById(target);
    const want = Object.assign(inert.createElement('div'), { innerHTML: html }).innerHTML;
    if (!el || el.innerHTML !== want) wrongHtml.push(target + ': ' + (el ? el.innerHTML.slice(0, 80) : 'no element'));
  }
  return { events: __rec.events, errors: __rec.errors, console: __rec.console, violations: __rec.violations, throws: __throws, ran, wrongHtml, extra: ${extra} };
})()`;

/** Multiset difference of two lists of strings: [only in a, only in b]. */
const diff = (a, b) => {
  const left = [...a];
  const right = [];
  for (const x of b) {
    const i = left.indexOf(x);
    if (i >= 0) left.splice(i, 1);
    else right.push(x);
  }
  return [left, right];
};

/**
 * Runs every scenario in `engine`; returns one row of figures per scenario.
 * @param {import('../test/support/drivers').Engine} engine
 * @param {{ malformed?: number, seed?: number, hugeBytes?: number, only?: number[], build?: string }} [options]
 * @returns {Promise<ScenarioRow[]>}
 */
export const badInput = async (
  engine,
  { malformed = 60, seed = 4242, hugeBytes = 4_250_000, only = undefined, build = 'bigpipe.min.js' } = {},
) => {
  const runtime = readFileSync(new URL(`../dist/${build}`, import.meta.url), 'utf8');
  const list = scenarios(malformed, seed, hugeBytes, runtime).filter((_, i) => !only || only.includes(i));
  const routes = {
    '/a.css': (_req, res) => res.writeHead(200, { 'Content-Type': 'text/css' }).end('.g{font-weight:bold}'),
    '/slow.css': (_req, res) =>
      setTimeout(() => res.writeHead(200, { 'Content-Type': 'text/css' }).end('p{margin:1px}'), 150),
    '/a.js': (_req, res) =>
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end('window.linked = (window.linked || 0) + 1;'),
  };
  list.forEach((s, i) => {
    routes[`/scenario/${i}`] = async (_req, res) => {
      res.writeHead(200, { 'Content-Type': HTML, 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store' });
      for (const chunk of s.chunks) {
        res.write(chunk);
        await new Promise((r) => setTimeout(r, 3));
      }
      res.end();
    };
    routes[`/expected/${i}`] = (_req, res) =>
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(s.html));
  });
  const server = await serve(routes);
  const rows = [];
  try {
    for (const [i, s] of list.entries()) {
      const tab = await engine.open(`${server.base}/scenario/${i}`);
      /** @type {any} what the page reported */
      let seen;
      try {
        seen = await tab.eval(CHECK(i, s.extraChecks), { timeout: 30_000 });
        seen.driverErrors = await tab.errors();
      } finally {
        await tab.close();
      }
      const of = (type) => seen.events.filter((e) => e.type === type);
      // every problem exactly once: the error events' targets against the expected ones, as multisets
      const [missingErrors, extraErrors] = diff(
        s.errors.map((e) => e.target),
        of('error').map((e) => e.target),
      );
      // and each message names a problem: the missing element, or one of the wrong fields
      const badMessages = of('error').filter((e) => {
        const candidates = s.errors.filter((x) => x.target === e.target);
        // the target's own text taken out first: 'no element #bad-null-total' does not name the field total
        const message = (e.error ?? '').split(e.target === 'undefined' ? '\0' : String(JSON.parse(e.target))).join('');
        return !candidates.some((x) =>
          x.missing ? /element/.test(message) : x.fields.some((f) => message.includes(f === 'payload' ? 'object' : f)),
        );
      });
      const [notDisplayed, extraDisplays] = diff(
        Object.entries(s.displays).flatMap(([t, n]) => Array(n).fill(JSON.stringify(t))),
        of('display').map((e) => e.target),
      );
      const [notRan, ranTwice] = diff(s.ran, seen.ran);
      // the one page error a scenario may expect: its own pagelet js throwing (in the page, and as the driver saw it)
      const pagelets = (e) => /boom from a pagelet js/.test(e);
      rows.push({
        scenario: s.name,
        malformedSent: s.malformed,
        problemsExpected: s.errors.length,
        errorEvents: of('error').length,
        missingErrors,
        extraErrors,
        badMessages: badMessages.map((e) => `${e.target}: ${e.error}`),
        goodPagelets: Object.keys(s.html).length,
        notDisplayed,
        extraDisplays,
        wrongHtml: seen.wrongHtml,
        notRan,
        ranTwice,
        done: of('done').length,
        runtimeThrows: [...seen.throws, ...seen.errors.filter((e) => !pagelets(e))],
        consoleErrors: [...seen.console, ...seen.driverErrors].filter((e) => !pagelets(e)),
        pageletJsErrorsSeen: seen.errors.filter(pagelets).length,
        pageletJsErrorsExpected: s.pageErrors ?? 0,
        cspViolations: seen.violations,
        extra: seen.extra,
      });
    }
  } finally {
    await server.close();
  }
  return rows;
};

/** The rows that show a problem, with only their non-empty problem fields. */
export const problems = (/** @type {ScenarioRow[]} */ rows) =>
  rows
    .map((r) => {
      const bad = {};
      for (const k of [
        'missingErrors',
        'extraErrors',
        'badMessages',
        'notDisplayed',
        'extraDisplays',
        'wrongHtml',
        'notRan',
        'ranTwice',
        'runtimeThrows',
        'consoleErrors',
        'cspViolations',
      ])
        if (r[k].length) bad[k] = r[k];
      if (r.done !== 1) bad.done = r.done;
      if (r.pageletJsErrorsSeen !== r.pageletJsErrorsExpected)
        bad.pageletJsErrors = `${r.pageletJsErrorsSeen} seen, ${r.pageletJsErrorsExpected} expected`;
      if (r.extra?.protoRan) bad.protoRan = r.extra.protoRan;
      return Object.keys(bad).length ? { scenario: r.scenario, ...bad } : undefined;
    })
    .filter(Boolean);

if (isMain(import.meta)) {
  const malformed = Number(process.argv[2] ?? 300);
  const engines = (process.argv[3] ?? 'chromium,firefox,webkit,webkitgtk').split(',');
  console.log(machineLine());
  const drivers = await loadDrivers();
  for (const name of engines) {
    // the default build everywhere; in Chromium the Trusted Types build too
    const builds = name === 'chromium' ? ['bigpipe.min.js', 'bigpipe.tt.min.js'] : ['bigpipe.min.js'];
    const runs = await withEngine(drivers, name, async (engine) => {
      console.log(`\n${name} ${engine.version}`);
      const out = [];
      for (const build of builds) out.push([build, await badInput(engine, { malformed, build })]);
      return out;
    });
    for (const [build, rows] of runs) {
      report(
        `client bad input, ${name}, dist/${build}: ${rows.length} pages, ${rows.reduce((n, r) => n + r.malformedSent, 0)} malformed payloads`,
        {
          'problems expected / bigpipe:error events': `${rows.reduce((n, r) => n + r.problemsExpected, 0)} / ${rows.reduce((n, r) => n + r.errorEvents, 0)}`,
          'good pagelets displayed': `${rows.reduce((n, r) => n + r.goodPagelets - new Set(r.notDisplayed).size, 0)} of ${rows.reduce((n, r) => n + r.goodPagelets, 0)}`,
          'bigpipe:done per page': rows.map((r) => r.done).join(' '),
          'runtime throws / console errors': `${rows.reduce((n, r) => n + r.runtimeThrows.length, 0)} / ${rows.reduce((n, r) => n + r.consoleErrors.length, 0)}`,
          problems: problems(rows).length ? problems(rows) : 'none',
        },
      );
      goal(
        `${name}, ${build}: never throws, each problem reported once, every good pagelet displayed, bigpipe:done once`,
        !problems(rows).length,
      );
    }
  }
}

// 1. Size of the shipped runtime, beside the figures our issue tracker gives for the alternatives.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { bytes, table, textTable } from './lib.mjs';

const FILE = 'dist/bigpipe.min.js';

// Figures as given in our issue tracker, not re-measured here (we do not vendor other projects' code).
export const ALTERNATIVES = [
  {
    name: "React's streaming runtime with stylesheet support",
    gzip: 1100,
    brotli: 970,
    source:
      "React DOM's Fizz instructions with stylesheet support, as inlined into streamed pages: facebook/react " +
      'packages/react-dom-bindings/src/server/fizz-instruction-set/ReactDOMFizzInstructionSetInlineCodeStrings.js, ' +
      'written by packages/react-dom-bindings/src/server/ReactFizzConfigDOM.js (external form: ReactDOMServerExternalRuntime.js)',
  },
  {
    name: 'ASP.NET MVC BigPipe tutorial runtime',
    gzip: 780,
    brotli: 590,
    source: "the tutorial's client script (BigPipe for ASP.NET MVC)",
  },
  {
    name: 'bigpipe-response (npm)',
    gzip: 600,
    brotli: null,
    source: 'bigpipe-response client script on npm; shows HTML before its CSS has loaded',
  },
];

/** @param {{ runtime?: { file?: Buffer } }} [options] */
export async function run({ runtime = undefined } = {}) {
  const source = runtime?.file ?? readFileSync(FILE); // the file as shipped, byte for byte
  // Check before measuring: the file is the working runtime (in jsdom it shows a payload) and can be inlined.
  const { window } = new JSDOM('<!DOCTYPE html><div id="a"></div>', { runScripts: 'outside-only' });
  window.eval(source.toString('utf8'));
  window.BigPipe.onPageletArrive({ target: 'a', html: '<b>ok</b>' });
  if (window.document.getElementById('a').innerHTML !== '<b>ok</b>')
    throw new Error(`${FILE} did not display a payload`);
  window.close();
  if (/<\/script|<!--/i.test(source.toString('utf8'))) throw new Error(`${FILE} cannot be inlined in <script>`);

  const ours = {
    min: source.length,
    gzip: gzipSync(source, { level: 9 }).length,
    // The same settings as scripts/inline-runtime.mjs and size-limit's brotli: quality 11.
    brotli: brotliCompressSync(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
  // The project's own budget for this file (.size-limit.json, enforced by `npm test`).
  const budget = JSON.parse(readFileSync('.size-limit.json', 'utf8')).find((e) => e.path === FILE)?.limit;
  const limit = budget ? Number(/^(\d+)\s*B$/.exec(budget)?.[1]) : NaN;
  const rows = [
    [`**bigpipe-js** \`${FILE}\` (measured)`, bytes(ours.min), bytes(ours.gzip), bytes(ours.brotli), 'this run'],
    ...ALTERNATIVES.map((a) => [
      a.name + ' (given)',
      '–',
      '~' + bytes(a.gzip),
      a.brotli ? '~' + bytes(a.brotli) : '–',
      a.source,
    ]),
  ];
  const head = ['runtime', 'minified', 'gzip -9', 'brotli q11', 'source'];
  const markdown = [
    table(head, rows, 'lrrrl'),
    '',
    'Our row is measured in this run (zlib gzip level 9, brotli quality 11). The other rows are the figures given in ' +
      "our issue tracker, **not re-measured here**; we do not vendor their code. React's figure is for the " +
      'instructions React DOM inlines into a streamed page once boundaries carry stylesheets (source files named in the row).',
  ].join('\n');
  const text = textTable(
    head.slice(0, 4),
    rows.map((r) => r.slice(0, 4).map((c) => c.replace(/\*\*|`/g, ''))),
  );
  const goals = Number.isFinite(limit)
    ? [
        {
          name: `runtime ≤ ${bytes(limit)} brotli (budget in .size-limit.json)`,
          met: ours.brotli <= limit,
          value: bytes(ours.brotli),
        },
      ]
    : [];
  const verdict = goals.length
    ? goals[0].met
      ? `Within the project's budget of ${bytes(limit)} brotli.`
      : `**Over the project's budget** of ${bytes(limit)} brotli by ${bytes(ours.brotli - limit)}.`
    : '';
  return {
    key: 'size',
    title: '1. Runtime size',
    result: { file: FILE, ...ours, budget_brotli: limit, alternatives: ALTERNATIVES },
    markdown: markdown + (verdict && '\n\n' + verdict),
    text: text + (verdict && '\n' + verdict.replace(/\*\*/g, '')),
    goals,
  };
}

// 5. Display timing in Chromium, ours vs React 19: 1,000 pagelets released at once, 180 of them sharing six delayed
// stylesheets. When the first pagelet shows, how many show before their stylesheet applied (FOUC), and how long a
// pagelet waits after its sheet has arrived. `node bench/client-display.mjs [--quick]` runs it alone.
import { pathToFileURL } from 'node:url';
import { median, ms, table, textTable } from './lib.mjs';
import { PROBE, ours, pageServer, react, streamedLoad } from './client-pages.mjs';
import { runtimeFiles } from './client-cpu.mjs';
import { standalone, versionLine } from './client-run.mjs';

const N = 1000;
const SHEETS = 6;
const FRAME_MS = 1000 / 60;
// 9 of every 50 pagelets need a stylesheet (180 in all), sheet i % 6; sheet k arrives after 150 + 80·k ms.
const sheetOf = (i) =>
  i % 50 < 9 ? { k: i % SHEETS, url: `/s/${i % SHEETS}.css?delay=${150 + 80 * (i % SHEETS)}` } : undefined;

/**
 * One load with the probe. Per pagelet: its display lag, from its arrival (or from its stylesheet's arrival, when that
 * came later) to its content in the document; whether it showed before its sheet applied.
 */
async function measure(tab, server, plan, sheets) {
  const { shown, result } = await streamedLoad(tab, server, plan, {
    after: () =>
      tab.evaluate(() => ({
        arrived: Object.fromEntries(/** @type {any} */ (window).arrived),
        shown: [.../** @type {any} */ (window).shown].map(([i, s]) => [i, s.at, s.styled]),
        // When each stylesheet's response had fully arrived (the earliest any engine could apply it).
        sheets: Object.fromEntries(
          /** @type {PerformanceResourceTiming[]} */ (performance.getEntriesByType('resource'))
            .filter((e) => e.name.includes('/s/'))
            .map((e) => [new URL(e.name).pathname + new URL(e.name).search, e.responseEnd]),
        ),
      })),
  });
  if (shown !== N || result.shown.length !== N || Object.keys(result.arrived).length !== N)
    throw new Error(
      `${shown} of ${N} pagelets shown (${result.shown.length} recorded, ${Object.keys(result.arrived).length} arrivals)`,
    );
  let fouc = 0;
  const sheetLags = [];
  const plainLags = [];
  for (const [i, at, styled] of result.shown) {
    const sheet = sheets[i];
    if (!sheet) plainLags.push(at - result.arrived[i]);
    else if (styled !== String(sheet.k)) fouc++;
    else sheetLags.push(at - Math.max(result.arrived[i], result.sheets[sheet.url]));
  }
  const [sheetLag, plainLag] = [sheetLags, plainLags].map((lags) => Math.max(0, ...lags));
  const sheetLagMedian = median(sheetLags);
  // The pagelet shown first, from its own arrival (the first to arrive may wait for its sheet).
  const [first, at] = result.shown.reduce((a, b) => (b[1] < a[1] ? b : a));
  return {
    first: at - result.arrived[first],
    fouc,
    sheetLag,
    sheetLagMedian,
    plainLag,
    plainLagMedian: median(plainLags),
  };
}

export async function run({ quick, browser, runtime }) {
  const runs = quick ? 1 : 3;
  const files = runtimeFiles(runtime);
  const server = await pageServer({ runtime: files });
  const sheets = Array.from({ length: N }, (_, i) => sheetOf(i));
  const sheeted = sheets.filter(Boolean).length;
  const samples = { ours: [], react: [] };
  try {
    for (let i = 0; i < runs; i++) {
      for (const name of i % 2 ? ['react', 'ours'] : ['ours', 'react']) {
        // A fresh context per load: nothing cached, every sheet fetched with its delay.
        const context = await browser.newContext();
        try {
          const tab = await context.newPage();
          const plan =
            name === 'ours'
              ? ours({ n: N, runtimeUrl: '/rt/min.js', sheets, probe: PROBE })
              : react({ n: N, sheets, probe: PROBE });
          samples[name].push(await measure(tab, server, plan, sheets));
        } finally {
          await context.close();
        }
      }
    }
  } finally {
    await server.close();
  }
  const m = (name, key) => median(samples[name].map((s) => s[key]));
  const fouc = (name) => `${m(name, 'fouc')} of ${sheeted}`;
  const head = [
    `1,000 pagelets, ${sheeted} sharing ${SHEETS} delayed sheets (median of ${runs})`,
    'ours',
    'React 19.2',
    'goal (ours)',
  ];
  const rows = [
    [
      'first pagelet shown, after its arrival',
      ms(m('ours', 'first')),
      ms(m('react', 'first')),
      `≤ 1 frame (${ms(FRAME_MS)})`,
    ],
    ['pagelets shown before their stylesheet applied (FOUC)', fouc('ours'), fouc('react'), '0'],
    [
      'worst display lag after its sheet arrived (pagelets with a sheet)',
      ms(m('ours', 'sheetLag')),
      ms(m('react', 'sheetLag')),
      `≤ 1 frame (${ms(FRAME_MS)})`,
    ],
    [
      'median display lag after its sheet arrived',
      ms(m('ours', 'sheetLagMedian')),
      ms(m('react', 'sheetLagMedian')),
      '–',
    ],
    [
      'worst display lag after its arrival (pagelets without a sheet)',
      ms(m('ours', 'plainLag')),
      ms(m('react', 'plainLag')),
      '–',
    ],
    [
      'median display lag after its arrival (pagelets without a sheet)',
      ms(m('ours', 'plainLagMedian')),
      ms(m('react', 'plainLagMedian')),
      '–',
    ],
  ];
  const goals = [
    {
      name: 'first pagelet shown ≤ 1 frame after its arrival',
      met: m('ours', 'first') <= FRAME_MS,
      value: ms(m('ours', 'first')),
    },
    { name: `no FOUC (${sheeted} pagelets on delayed sheets)`, met: m('ours', 'fouc') === 0, value: fouc('ours') },
    {
      name: 'display lag after sheets ≤ 1 frame',
      met: m('ours', 'sheetLag') <= FRAME_MS,
      value: ms(m('ours', 'sheetLag')),
    },
  ];
  const versions = versionLine(browser);
  const markdown = [
    versions,
    table(head, rows),
    `The pages of the client CPU benchmark, with a recorder in the head: a MutationObserver notes when each payload ` +
      `arrived (ours: the parser inserted its \`<script>\`; React: its hidden \`<div id="S:…">\`), when its content ` +
      `first is in the document outside a hidden element (React parses content into hidden divs, then moves it) and ` +
      `whether its stylesheet applied by then (each sheet sets a custom property the recorder reads). Lag after a ` +
      `sheet is from the later of the payload's arrival and the sheet's arrival. ` +
      `Stylesheet k (of ${SHEETS}) arrives ${150}+80·k ms after it is requested; "after the sheet arrived" is from ` +
      `its resource timing \`responseEnd\`. ${runs} run(s), each load in a fresh browser context (cold cache). ` +
      `Ours: \`css_links\` in the payloads; React: \`<link rel=stylesheet precedence>\` inside each boundary (\`$RR\`).`,
  ].join('\n\n');
  return {
    key: 'client_display',
    title: '5. Display timing: ours vs React 19, 1,000 pagelets with shared delayed stylesheets',
    result: { runs, pagelets: N, sheeted, versions, samples },
    markdown,
    text: [versions, textTable(head, rows)].join('\n'),
    goals,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await standalone(run);

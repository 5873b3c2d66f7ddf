// 7. Where one payload's script time goes, in Chromium: the runtime's whole handling of a payload against raw
// `innerHTML`, and each platform call it makes, timed alone in one page, in interleaved rounds. It answers what the
// page-level figures (4.) cannot: how much of our extra time is the two events, the Trusted Types call, and the
// runtime's own JS (validation, bookkeeping), and whether another kind of event would be cheaper.
// `node bench/client-steps.mjs [--quick] [--runtime=DIR]` runs it alone.
import { pathToFileURL } from 'node:url';
import { median, plainCells, ratio, table, textTable } from './lib.mjs';
import { item, pageServer } from './client-pages.mjs';
import { runtimeFiles } from './client-cpu.mjs';
import { standalone, versionLine } from './client-run.mjs';

const BATCH = 500; // payloads per round and step

/**
 * Runs in the page. Each step is timed over BATCH fresh items per round (new placeholders, new targets: no same-target
 * chain), every step once per round in rotating order; returns µs per item for each round.
 */
function inPage({ rounds, batch, htmls }) {
  const doc = document;
  const html = (i) => htmls[i];
  const policy = /** @type {any} */ (window).trustedTypes?.createPolicy('bench', { createHTML: (s) => s });
  const reused = new CustomEvent('bigpipe:x');
  let serial = 0;
  let missing = 0;
  /** A step, timed: item i, its fresh placeholder's id. */
  const steps = {
    raw: (i, id) => {
      doc.getElementById(id).innerHTML = html(i);
    },
    ours: (i, id) => /** @type {any} */ (window).BigPipe.onPageletArrive({ target: id, html: html(i) }),
    customEvent: (_, id) =>
      doc.dispatchEvent(new CustomEvent('bigpipe:x', { detail: { target: id, url: undefined, error: undefined } })),
    createHTML: (i) => policy?.createHTML(html(i)),
    plainEvent: () => doc.dispatchEvent(new Event('bigpipe:x')),
    reusedEvent: (_, id) => (
      reused.initCustomEvent('bigpipe:x', false, false, { target: id }), doc.dispatchEvent(reused)
    ),
  };
  const names = Object.keys(steps);
  const out = Object.fromEntries(names.map((n) => [n, []]));
  const box = doc.body.appendChild(doc.createElement('div'));
  for (let r = 0; r < rounds; r++)
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + r) % names.length];
      const ids = Array.from({ length: batch }, () => 's' + serial++);
      box.innerHTML = ids.map((id) => `<div id="${id}"></div>`).join('');
      const step = steps[name];
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) step(i, ids[i]);
      out[name].push(((performance.now() - t0) / batch) * 1000);
      // untimed: every placeholder got its content (ours shows synchronously when nothing is waited for)
      if (name === 'ours' || name === 'raw') missing += batch - box.querySelectorAll('p.c').length;
    }
  return { out, missing, trustedTypes: !!policy };
}

export async function run({ quick, browser, runtime }) {
  const rounds = quick ? 11 : 41;
  const files = runtimeFiles(runtime);
  const server = await pageServer({ runtime: files });
  const context = await browser.newContext();
  let result;
  try {
    const tab = await context.newPage();
    const url = server.serve({
      shell: `<!DOCTYPE html><html><head><meta charset="utf-8"><script src="/rt/min.js"></script></head><body>`,
      burst: '</body></html>',
    });
    await tab.goto(url, { waitUntil: 'commit' });
    server.release(url);
    await tab.waitForLoadState('load');
    const htmls = Array.from({ length: BATCH }, (_, i) => item(i));
    result = await tab.evaluate(inPage, { rounds, batch: BATCH, htmls });
  } finally {
    await context.close();
    await server.close();
  }
  if (result.missing) throw new Error(`${result.missing} placeholders left without their content`);
  const us = Object.fromEntries(Object.entries(result.out).map(([k, v]) => [k, median(v)]));
  // Each round's ratio, then the median: the load of a shared machine moves every step of a round together.
  const perRound = (name) => median(result.out[name].map((v, r) => v / result.out.raw[r]));
  const f = (v) => `${v.toFixed(2)} µs`;
  const own = us.ours - 2 * us.customEvent - (result.trustedTypes ? us.createHTML : 0) - us.raw;
  const head = [`one payload, timed alone (median of ${rounds} rounds of ${BATCH})`, 'per payload', '× raw'];
  const rows = [
    ['raw: `getElementById(id).innerHTML = html`', f(us.raw), '1.00×'],
    ['**ours: `BigPipe.onPageletArrive({ target, html })`**', f(us.ours), `**${ratio(perRound('ours'))}**`],
    [
      '… of which two `CustomEvent`s with `detail`, dispatched on document (`bigpipe:arrive`, `bigpipe:display`)',
      f(2 * us.customEvent),
      ratio(2 * perRound('customEvent')),
    ],
    [
      '… the Trusted Types `createHTML` call (identity policy)',
      result.trustedTypes ? f(us.createHTML) : 'no API',
      result.trustedTypes ? ratio(perRound('createHTML')) : '–',
    ],
    [
      '… everything else, validation and bookkeeping (ours − raw − the two rows above, each timed alone)',
      f(own),
      ratio(own / us.raw),
    ],
    ['not used: a plain `Event` (no `detail`), dispatched', f(us.plainEvent), ratio(perRound('plainEvent'))],
    [
      'not used: one `CustomEvent` re-initialized (`initCustomEvent`) and dispatched again',
      f(us.reusedEvent),
      ratio(perRound('reusedEvent')),
    ],
  ];
  const versions = versionLine(browser);
  const markdown = [
    versions,
    table(head, rows),
    `In one page after its load, each step runs over ${BATCH} fresh placeholders per round, the steps in rotating order, ` +
      `${rounds} rounds; × raw is the median of per-round ratios. The html is the client CPU benchmark's pagelet (about ` +
      `45 bytes). Ours is the whole runtime (\`dist/bigpipe.min.js\`); every round checks that each placeholder got its ` +
      `content. No step has a listener (one listener that reads \`detail\` makes an event dearer). Not used: a plain \`Event\` has no \`detail\`, which ` +
      `the contract's events carry; a re-dispatched event object would change under a listener that keeps it.`,
  ].join('\n\n');
  return {
    key: 'client_steps',
    title: "7. One payload's script time, step by step, in Chromium",
    result: { rounds, batch: BATCH, versions, us, ours_vs_raw: perRound('ours'), trusted_types: result.trustedTypes },
    markdown,
    text: [versions, textTable(head, plainCells(rows))].join('\n'),
    goals: [],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await standalone(run);

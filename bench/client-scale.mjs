// 6. Ours at scale in Chromium: 2,000 nested payloads (each waiting on a placeholder the next one brings) against 2,000
// flat ones, main-thread time from a trace; and a live page (its document never ends, `total` comes late) updated
// 100,000 times, its JS heap after GC. `node bench/client-scale.mjs [--quick]` runs it alone.
import { pathToFileURL } from 'node:url';
import { median, ms, plainCells, ratio, table, textTable } from './lib.mjs';
import { countEvents, ours, pageServer, streamedLoad } from './client-pages.mjs';
import { TRACE_CATEGORIES, mainThreadTime } from './client-trace.mjs';
import { runtimeFiles } from './client-cpu.mjs';
import { standalone, versionLine } from './client-run.mjs';

const NESTED = 2000;
const GOAL_NESTED = 3;
const UPDATES = 100_000;
const FIRST_ROUND = 500; // ticker updates before the second pagelet completes the first round with `total`
const GOAL_HEAP_MB = 1;

/**
 * A live page: a ticker updated forever (1 KB of html, the same inline css, a js each) and a clock. Nothing sends
 * `total` until the clock's first payload completes the first round, after FIRST_ROUND ticker updates; the
 * document stays open throughout (the server holds the response), as a live page's does.
 */
const LIVE = `<div id="ticker"></div><div id="clock"></div><div id="shell-end"></div>
<script>
window.count = 0;
window.done = 0;
document.addEventListener('bigpipe:done', () => done++);
const filler = 'x'.repeat(1000);
let n = 0;
const tick = () => BigPipe.onPageletArrive({ target: 'ticker', html: '<p>' + n + filler + '</p>', css: '#ticker p{color:#333}', js: 'count++' });
tick();
/** @type {any} */ (window).updates = (k) => {
  for (const end = n + k; n < end; ) {
    n++;
    tick();
    if (n == ${FIRST_ROUND}) BigPipe.onPageletArrive({ target: 'clock', html: '12:00', total: ${FIRST_ROUND + 2} });
  }
  return { n, count, done, loading: document.readyState, styles: document.querySelectorAll('style').length, scripts: document.scripts.length };
};
</script>`;

async function live(context, server) {
  const tab = await context.newPage();
  const url = server.serve({
    shell: `<!DOCTYPE html><html><head><meta charset="utf-8"><script src="/rt/min.js"></script></head><body>${LIVE}`,
    burst: '</body></html>',
  });
  await tab.goto(url, { waitUntil: 'commit' });
  await tab.waitForFunction(() => /** @type {any} */ (window).updates);
  const cdp = await context.newCDPSession(tab);
  const measure = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const usage = await cdp.send('Runtime.getHeapUsage');
    // The DOM lives in Blink's own garbage-collected heap (Oilpan), beside V8's: elements the runtime leaves count there.
    const heap = usage.usedSize + usage.embedderHeapUsedSize + usage.backingStorageSize;
    return {
      heap,
      js: usage.usedSize,
      dom: usage.embedderHeapUsedSize,
      nodes: (await cdp.send('Memory.getDOMCounters')).nodes,
    };
  };
  const first = await tab.evaluate(() => /** @type {any} */ (window).updates(1000));
  const at1k = await measure();
  let last;
  for (let k = 1000; k < UPDATES; k += 1000) last = await tab.evaluate(() => /** @type {any} */ (window).updates(1000));
  const at100k = await measure();
  server.release(url);
  // Every ticker payload's js ran once (those of the first round when the JS phase began), bigpipe:done once.
  if (last.n !== UPDATES || last.count !== UPDATES + 1 || last.done !== 1 || last.loading !== 'loading')
    throw new Error(`live page: ${last.n} updates, ${last.count} js runs, ${last.done} done, document ${last.loading}`);
  return {
    at1k,
    at100k,
    growth: at100k.heap - at1k.heap,
    styles: [first.styles, last.styles],
    scripts: [first.scripts, last.scripts],
  };
}

export async function run({ quick, browser, runtime }) {
  const runs = quick ? 3 : 9;
  const server = await pageServer({ runtime: runtimeFiles(runtime) });
  const context = await browser.newContext();
  const plans = {
    nested: () => ours({ n: NESTED, runtimeUrl: '/rt/min.js', nested: true }),
    flat: () => ours({ n: NESTED, runtimeUrl: '/rt/min.js', flat: true }),
  };
  const samples = { nested: [], flat: [] };
  let heap;
  try {
    const tab = await context.newPage();
    for (const [name, plan] of Object.entries(plans)) {
      const { shown, result } = await streamedLoad(tab, server, plan(), countEvents(tab));
      if (shown !== NESTED || result.display !== NESTED || result.done !== 1 || result.error)
        throw new Error(
          `${name}: ${shown} shown, ${result.display} bigpipe:display, ${result.done} done, ${result.error} errors`,
        );
    }
    for (let i = 0; i < runs; i++) {
      for (const name of i % 2 ? ['flat', 'nested'] : ['nested', 'flat']) {
        let trace;
        const { shown } = await streamedLoad(tab, server, plans[name](), {
          before: () => browser.startTracing(tab, { categories: TRACE_CATEGORIES }),
          after: async () => (trace = await browser.stopTracing()),
        });
        if (shown !== NESTED) throw new Error(`${name}: ${shown} of ${NESTED} shown in a timed load`);
        samples[name].push(mainThreadTime(trace));
      }
    }
    await tab.close();
    heap = await live(context, server);
  } finally {
    await context.close();
    await server.close();
  }
  const med = (name, kind) => median(samples[name].map((s) => s[kind]));
  const perRun = (kind) => median(samples.nested.map((s, i) => s[kind] / samples.flat[i][kind]));
  const nestedRatio = perRun('total');
  const mb = (b) => (b / 2 ** 20).toFixed(2) + ' MB';
  const n = NESTED.toLocaleString('en-US');
  const head = [`${n} pagelets, main thread (median ms)`, 'script', 'total'];
  const rows = [
    [
      `nested: payload i waits on a placeholder payload i+1 brings (a chain ${n} deep)`,
      ms(med('nested', 'script')),
      ms(med('nested', 'total')),
    ],
    ['flat: the same payloads, every placeholder in the shell', ms(med('flat', 'script')), ms(med('flat', 'total'))],
    [
      `**nested / flat**, median of ${runs} per-run ratios (goal ≤ ${GOAL_NESTED}×)`,
      ratio(perRun('script')),
      `**${ratio(nestedRatio)}** ${nestedRatio <= GOAL_NESTED ? '✓' : '✗'}`,
    ],
  ];
  const head2 = [
    `live page, ${UPDATES.toLocaleString('en-US')} updates of 1 KB`,
    'after 1,000',
    `after ${UPDATES.toLocaleString('en-US')}`,
  ];
  const rows2 = [
    ['V8 heap (after `HeapProfiler.collectGarbage`)', mb(heap.at1k.js), mb(heap.at100k.js)],
    ["Blink's heap (DOM, after GC)", mb(heap.at1k.dom), mb(heap.at100k.dom)],
    ['DOM nodes', String(heap.at1k.nodes), String(heap.at100k.nodes)],
    [
      '`<style>` / `<script>` elements',
      `${heap.styles[0]} / ${heap.scripts[0]}`,
      `${heap.styles[1]} / ${heap.scripts[1]}`,
    ],
    [
      `**heap growth**, V8 + Blink + backing stores (goal ≤ ${GOAL_HEAP_MB} MB: flat)`,
      '',
      `**${mb(heap.growth)}** ${heap.growth <= GOAL_HEAP_MB * 2 ** 20 ? '✓' : '✗'}`,
    ],
  ];
  const versions = versionLine(browser);
  const markdown = [
    versions,
    table(head, rows),
    `Streamed as in the client CPU benchmark (shell, then every payload in one write) and measured the same way ` +
      `(trace thread time of the renderer's main thread from the release). Nested: only the last payload's ` +
      `placeholder is in the shell, so all ${n} wait until it comes, then show as each brings the next one's ` +
      `placeholder. Flat: each payload's html holds the same empty div, with another id.`,
    table(head2, rows2),
    `The live page's document never ends during the run (the server holds the response open), and no payload ` +
      `carries \`total\` until the second pagelet's first one completes the first round, after ${FIRST_ROUND} ticker ` +
      `updates. Every update carries 1 KB of html, the same inline css and a js; all ${(UPDATES + 1).toLocaleString('en-US')} ` +
      `js ran and \`bigpipe:done\` fired once (checked). Heap from \`Runtime.getHeapUsage\` (\`usedSize\` + ` +
      `\`embedderHeapUsedSize\` + \`backingStorageSize\`), DOM nodes from \`Memory.getDOMCounters\`, both after ` +
      `\`HeapProfiler.collectGarbage\`.`,
  ].join('\n\n');
  return {
    key: 'client_scale',
    title: '6. Client at scale: nested pagelets and a live page in Chromium',
    result: {
      runs,
      pagelets: NESTED,
      versions,
      samples,
      nested_ratio: nestedRatio,
      nested_script_ratio: perRun('script'),
      live: heap,
    },
    markdown,
    text: [versions, textTable(head, plainCells(rows)), textTable(head2, plainCells(rows2))].join('\n'),
    goals: [
      {
        name: `nested ${n} ≤ ${GOAL_NESTED}× flat ${n} (main thread)`,
        met: nestedRatio <= GOAL_NESTED,
        value: ratio(nestedRatio),
      },
      {
        name: `live-page heap growth ≤ ${GOAL_HEAP_MB} MB (update 1,000 → ${UPDATES.toLocaleString('en-US')})`,
        met: heap.growth <= GOAL_HEAP_MB * 2 ** 20,
        value: mb(heap.growth),
      },
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await standalone(run);

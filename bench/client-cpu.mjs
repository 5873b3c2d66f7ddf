// 4. Client CPU in Chromium: 1,000 pagelets through the runtime vs a raw innerHTML loop on the same markup.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { median, ms, ratio, table, textTable } from './lib.mjs';

const N = 1000;
const PROFILED = 3;
const GOAL = 1.3;

// One realistic card per pagelet (~230 bytes), the same string for both variants.
const card = (i) =>
  `<article class="card"><h3><a href="/item/${i}">Item ${i}</a></h3><p>Posted by <b>user${i % 97}</b> · ${i % 59} min ago</p>` +
  `<p class="text">Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p><button type="button">Like</button></article>`;

/**
 * The page times itself while the document is still loading (its script sits before </body>), as a streamed page
 * would: for the runtime every payload is displayed and, at the last one (`total`), the JS phase runs and
 * `bigpipe:done` fires — all inside the timed loop. Payload objects are built before the clock starts for both.
 */
const page = (runtime) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>client cpu</title>
<script>${runtime}</script></head><body>
${Array.from({ length: N }, (_, i) => `<div id="p${i}"></div>`).join('')}
<script>
(() => {
  const query = new URLSearchParams(location.search);
  const variant = query.get('variant');
  const kind = variant;
  const cards = ${JSON.stringify(Array.from({ length: N }, (_, i) => card(i)))};
  const payloads = cards.map((html, i) => ({ target: 'p' + i, html, total: ${N} }));
  const run = (list) => {
    if (kind == 'runtime') for (const p of list) BigPipe.onPageletArrive(p);
    else if (kind == 'events')
      // What two runtime events per pagelet cost alone (a diagnostic row, not part of the ratio).
      for (const p of list) {
        document.dispatchEvent(new CustomEvent('bigpipe:arrive', { detail: { target: p.target } }));
        document.dispatchEvent(new CustomEvent('bigpipe:display', { detail: { target: p.target } }));
      }
    else for (const p of list) document.getElementById(p.target).innerHTML = p.html;
  };
  let displayed = 0, done = 0, errors = 0;
  // Listeners only in the checking load: timed loads dispatch to no listener, as a page without a timeline would.
  if (query.has('check')) {
    document.addEventListener('bigpipe:display', () => displayed++);
    document.addEventListener('bigpipe:done', () => done++);
    document.addEventListener('bigpipe:error', () => errors++);
  }
  const t0 = performance.now();
  run(payloads);
  const t1 = performance.now();
  void document.body.offsetHeight; // style + layout of what was inserted
  const t2 = performance.now();
  window.result = { variant, script: t1 - t0, withLayout: t2 - t0, displayed, done, errors,
    filled: payloads.filter((p) => document.getElementById(p.target).innerHTML == p.html).length,
    isolated: crossOriginIsolated };
})();
</script></body></html>`;

/**
 * Self time per function of the runtime in a V8 CPU profile, in ms: frames of the page's inline scripts above
 * `harnessLine` (0-based), where the benchmark's own script starts; that one counts as '(page script)'.
 */
const selfTimes = (profile, url, harnessLine) => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const times = {};
  profile.samples.forEach((id, i) => {
    const { callFrame } = byId.get(id);
    const name =
      callFrame.url === url
        ? callFrame.lineNumber >= harnessLine ? '(page script)' : callFrame.functionName || '(runtime, top level)'
        : callFrame.functionName === '(garbage collector)' ? '(garbage collector)' : null;
    if (name) times[name] = (times[name] ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000;
  });
  return times;
};

// ---------------------------------------------------------------- nested at scale, live-page heap

const NESTED = 2000;
/**
 * 2,000 child pagelets and one parent whose html holds 2,000 placeholders. Nested: the children arrive first and wait
 * for the parent to bring their placeholders. Flat: the same payloads, the children's placeholders already in the
 * shell (the parent brings 2,000 other empty divs: the same DOM work). Timed in the page, as the 1,000-pagelet loop.
 */
const nestedPage = (runtime) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>nested</title>
<script>${runtime}</script></head><body><div id="parent"></div><div id="flat"></div>
<script>
(() => {
  const nested = new URLSearchParams(location.search).has('nested');
  const cards = ${JSON.stringify(Array.from({ length: NESTED }, (_, i) => card(i)))};
  const children = cards.map((html, i) => ({ target: 'c' + i, html, total: ${NESTED + 1} }));
  const slots = cards.map((_, i) => '<div id="' + (nested ? 'c' : 'x') + i + '"></div>').join('');
  if (!nested) document.getElementById('flat').innerHTML = cards.map((_, i) => '<div id="c' + i + '"></div>').join('');
  let done = 0;
  document.addEventListener('bigpipe:done', () => done++);
  const t0 = performance.now();
  for (const p of children) BigPipe.onPageletArrive(p);
  BigPipe.onPageletArrive({ target: 'parent', html: slots, total: ${NESTED + 1} });
  const t1 = performance.now();
  window.result = { script: t1 - t0, done, filled: children.filter((p) => document.getElementById(p.target).innerHTML == p.html).length };
})();
</script></body></html>`;

/** A live page: one pagelet updated forever (1 KB of html, the same css, a js each time); `total` on the first payload. */
const livePage = (runtime) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>live</title>
<script>${runtime}</script></head><body><div id="ticker"></div>
<script>
window.count = 0;
const filler = 'x'.repeat(1000);
let n = 0;
BigPipe.onPageletArrive({ target: 'ticker', html: '<p>0</p>', css: '#ticker p{color:#333}', js: 'count++', total: 1 });
window.updates = (k) => {
  for (const end = n + k; n < end; ) BigPipe.onPageletArrive({ target: 'ticker', html: '<p>' + ++n + filler + '</p>', css: '#ticker p{color:#333}', js: 'count++' });
  return { n, count: window.count, styles: document.querySelectorAll('style').length, scripts: document.scripts.length };
};
</script></body></html>`;

/** The nested/flat ratio (median of per-round ratios) and the heap growth of a live page between update 1,000 and 100,000. */
async function nestedAndLive(browser, min, rounds) {
  const pages = { nested: nestedPage(min), live: livePage(min) };
  const server = createServer((req, res) =>
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(pages[req.url.startsWith('/live') ? 'live' : 'nested']),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${server.address().port}/`;
  try {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const load = async (nested) => {
      await tab.goto(base + (nested ? '?nested' : ''), { waitUntil: 'load' });
      const r = await tab.evaluate(() => window.result);
      if (r.filled != NESTED || r.done != 1) throw new Error(`nested=${nested}: ${r.filled} of ${NESTED} filled, ${r.done} done`);
      return r.script;
    };
    const nested = [], flat = [];
    for (let i = 0; i < rounds; i++) for (const v of i % 2 ? [true, false] : [false, true]) (v ? nested : flat).push(await load(v));
    await tab.goto(base + 'live', { waitUntil: 'load' });
    const cdp = await context.newCDPSession(tab);
    const heap = async () => (await cdp.send('HeapProfiler.collectGarbage'), (await cdp.send('Runtime.getHeapUsage')).usedSize);
    const first = await tab.evaluate(() => window.updates(1000));
    const at1k = await heap();
    let last;
    for (let k = 0; k < 99; k++) last = await tab.evaluate(() => window.updates(1000));
    const at100k = await heap();
    if (last.n != 100000 || last.count != 100001) throw new Error(`live page: ${last.n} updates, ${last.count} js runs`);
    await context.close();
    return {
      nested_ms: median(nested), flat_ms: median(flat), nested_ratio: median(nested.map((t, i) => t / flat[i])),
      heap_at_1k: at1k, heap_at_100k: at100k, heap_growth: at100k - at1k,
      live_dom: { styles: [first.styles, last.styles], scripts: [first.scripts, last.scripts] },
    };
  } finally {
    server.close();
  }
}

export async function run({ quick, browser, runtime }) {
  const rounds = quick ? 6 : 25;
  const html = page(runtime?.min ?? readFileSync('dist/bigpipe.min.js', 'utf8').trim());
  // For the CPU profile only: the same runtime unminified, so functions keep their names.
  const readable = page(runtime?.readable ?? readFileSync('dist/bigpipe.js', 'utf8').trim());
  const harnessLine = readable.slice(0, readable.indexOf('<script>\n(() => {')).split('\n').length - 1;
  // Cross-origin isolation gives performance.now() 5 µs resolution in Chromium instead of 100 µs.
  const server = createServer((req, res) =>
    res
      .writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      })
      .end(req.url.includes('readable') ? readable : html),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${server.address().port}/`;
  const VARIANTS = ['runtime', 'innerHTML', 'events'];
  const samples = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  const withLayout = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  let isolated = false;
  const profiled = {}; // function -> self ms per load
  try {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const load = async (variant, check = false) => {
      await tab.goto(base + '?variant=' + variant + (check ? '&check' : ''), { waitUntil: 'load' });
      return tab.evaluate(() => window.result);
    };
    // Check before timing: both variants fill every placeholder with the same markup; the runtime also finishes.
    for (const variant of ['runtime', 'innerHTML']) {
      const r = await load(variant, true);
      if (r.filled != N) throw new Error(`${variant}: ${r.filled} of ${N} placeholders hold the expected markup`);
      if (variant == 'runtime' && (r.displayed != N || r.done != 1 || r.errors))
        throw new Error(`runtime: ${r.displayed} displayed, ${r.done} done, ${r.errors} errors`);
    }
    // Rounds alternate which variant goes first; every round is a fresh page (cold, like a real page load).
    for (let i = 0; i < rounds; i++) {
      for (const variant of i % 2 ? [...VARIANTS].reverse() : VARIANTS) {
        const r = await load(variant);
        samples[variant].push(r.script);
        withLayout[variant].push(r.withLayout);
        isolated = r.isolated;
      }
    }
    // Where the runtime's time goes: V8 CPU profiles of a few runtime loads (unminified build, same source).
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
    for (let i = 0; i < PROFILED; i++) {
      await cdp.send('Profiler.start');
      const url = base + '?variant=runtime&readable';
      await tab.goto(url, { waitUntil: 'load' });
      const { profile } = await cdp.send('Profiler.stop');
      for (const [name, t] of Object.entries(selfTimes(profile, url, harnessLine))) profiled[name] = (profiled[name] ?? 0) + t / PROFILED;
    }
    await context.close();
  } finally {
    server.close();
  }
  const m = {
    ...Object.fromEntries(VARIANTS.map((v) => [v, median(samples[v])])),
    runtimeLayout: median(withLayout.runtime),
    innerHTMLLayout: median(withLayout.innerHTML),
  };
  // Ratios per round (the two loads of a round ran back to back), then their median: robust to a machine whose load
  // drifts during the run.
  const r1 = median(samples.runtime.map((t, i) => t / samples.innerHTML[i]));
  const r2 = median(withLayout.runtime.map((t, i) => t / withLayout.innerHTML[i]));
  const quartiles = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `${sorted[Math.floor(sorted.length / 4)].toFixed(1)}–${sorted[Math.floor((sorted.length * 3) / 4)].toFixed(1)}`;
  };
  const met = r1 <= GOAL;
  const head = ['1,000 pagelets', 'script (median)', 'middle half of rounds', 'script + layout (median)'];
  const rows = [
    ['runtime: `BigPipe.onPageletArrive` ×1000 (incl. JS phase + `bigpipe:done`)', ms(m.runtime), quartiles(samples.runtime) + ' ms', ms(m.runtimeLayout)],
    ['raw loop: `getElementById(id).innerHTML = html` ×1000', ms(m.innerHTML), quartiles(samples.innerHTML) + ' ms', ms(m.innerHTMLLayout)],
    [`**ratio**, median of per-round ratios (goal ≤ ${GOAL}×)`, `**${ratio(r1)}** ${met ? '✓' : '✗'}`, '', ratio(r2)],
    ['diagnostic: 2,000 `CustomEvent`s dispatched on `document` alone', ms(m.events), quartiles(samples.events) + ' ms', '–'],
  ];
  const overhead = median(samples.runtime.map((t, i) => t - samples.innerHTML[i]));
  const verdict = met
    ? `Goal met: the runtime costs ${ratio(r1)} the raw loop (${ms(overhead)} more for 1,000 pagelets).`
    : `**Goal not met** (${ratio(r1)} > ${GOAL}×): the runtime adds ${ms(overhead)} for 1,000 pagelets ` +
      `(${(overhead).toFixed(1)} µs each). What limits it: the runtime's own JavaScript per payload. The CPU profile ` +
      `shows where its time goes: \`flush\` (showing each pagelet, which includes the HTML parsing the raw loop pays ` +
      `too), \`arrive\` (checking each payload's fields), \`emit\` (the two events per pagelet the protocol requires; ` +
      `${ms(m.events)} dispatched alone). Once style and layout of the inserted HTML are counted, as the browser must ` +
      `before painting, the ratio is ${ratio(r2)}.`;
  // The benchmark's own script (payload setup, the loop, the forced layout) is left out: the runtime's functions only.
  const hot = Object.entries(profiled).filter(([name]) => name !== '(page script)').sort((a, b) => b[1] - a[1]).slice(0, 6);
  const head2 = ['runtime functions by self time (CPU profile)', 'ms per load'];
  const rows2 = hot.map(([name, t]) => [name === '(garbage collector)' ? `${name}, whole page` : name.startsWith('(') ? name : `\`${name}\``, ms(t)]);
  let markdown = [
    table(head, rows),
    '',
    table(head2, rows2),
    '',
    `The profile: ${PROFILED} loads of the runtime variant with the unminified \`dist/bigpipe.js\` (same source), ` +
      `V8 sampling every 50 µs, self time of the runtime's functions. Native work counts to the function that called ` +
      `it: \`flush\` includes parsing the HTML into the placeholders, which the raw loop pays too (its whole time above).`,
    '',
    `${rounds} rounds per variant, alternating, each a fresh page load in Chromium; in-page \`performance.now()\` ` +
      `(cross-origin isolated: ${isolated ? '5 µs' : '100 µs'} resolution). The loop runs while the document is still ` +
      `loading, as payloads do in a streamed page; payload objects are built before the clock starts; each card is ` +
      `~230 bytes of HTML. "script + layout" adds a forced style and layout after the loop.`,
    '',
    verdict,
  ].join('\n');
  const extra = await nestedAndLive(browser, runtime?.min ?? readFileSync('dist/bigpipe.min.js', 'utf8').trim(), quick ? 3 : 9);
  const mb = (b) => (b / 2 ** 20).toFixed(2) + ' MB';
  const head3 = ['at scale and on a live page', 'figure'];
  const rows3 = [
    [`${NESTED.toLocaleString('en-US')} nested children (placeholders brought by a later parent), script`, ms(extra.nested_ms)],
    [`the same ${NESTED.toLocaleString('en-US')} pagelets flat (placeholders in the shell), script`, ms(extra.flat_ms)],
    ['**nested / flat**, median of per-round ratios', `**${ratio(extra.nested_ratio)}**`],
    ['live page: JS heap after 1,000 updates of 1 KB (after GC)', mb(extra.heap_at_1k)],
    ['live page: JS heap after 100,000 updates (after GC)', mb(extra.heap_at_100k)],
    ['**heap growth** between update 1,000 and 100,000', `**${mb(extra.heap_growth)}**`],
    ['`<style>` / `<script>` elements after 1,000 and 100,000 updates', `${extra.live_dom.styles.join(' → ')} / ${extra.live_dom.scripts.join(' → ')}`],
  ];
  markdown += '\n\n' + table(head3, rows3) + '\n\nThe live page: one pagelet, `total` on its first payload, then updates of 1 KB of html with the same inline css and a js each (the JS phase has begun: each runs right after it displays); heap from `Runtime.getHeapUsage` after `HeapProfiler.collectGarbage`.';
  const text = textTable(head, rows.map((r) => r.map((c) => c.replace(/\*\*|`/g, ''))));
  return {
    key: 'client_cpu',
    title: '4. Client CPU: 1,000 pagelets in Chromium',
    result: { rounds, pagelets: N, median_ms: m, ratio: r1, ratio_with_layout: r2, samples, profile_self_ms: profiled, goal: GOAL, met, ...extra },
    markdown,
    text: [text, textTable(head2, rows2.map((r) => r.map((c) => c.replace(/`/g, '')))), textTable(head3, rows3.map((r) => r.map((c) => c.replace(/\*\*|`/g, '')))), verdict.replace(/\*\*/g, '')].join('\n'),
    goals: [{ name: `client CPU ≤ ${GOAL}× raw innerHTML`, met, value: ratio(r1) }],
  };
}

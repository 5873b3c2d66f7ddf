// 4. Client CPU in Chromium: 1,000 tiny pagelets released at once, main-thread time from a trace, for our runtime,
// a raw innerHTML script per pagelet and React 19's streaming reveal runtime; then a CPU profile of ours.
// `node bench/client-cpu.mjs [--quick]` runs it alone (after `npm run build`); `npm run bench` runs it with the rest.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { median, ms, plainCells, ratio, table, textTable } from './lib.mjs';
import { countEvents, ours, pageServer, raw, react, streamedLoad } from './client-pages.mjs';
import { KINDS, TRACE_CATEGORIES, mainThreadTime, selfTimes } from './client-trace.mjs';
import { standalone, versionLine } from './client-run.mjs';

const N = 1000;
const GOAL_RAW = 1.05;
const GOAL_REACT = 1.3;
const SAMPLING_US = 100;
const LABEL = {
  script: 'script',
  style: 'style + layout',
  paint: 'paint',
  parse: 'HTML parser',
  other: 'other',
  total: '**total**',
  paints: 'frames painted',
};

/** Our runtime's files as the benchmark serves them: one snapshot for the whole run (run.mjs passes it). */
export const runtimeFiles = (runtime) => ({
  min: runtime?.min ?? readFileSync('dist/bigpipe.min.js', 'utf8').trim(),
  readable: runtime?.readable ?? readFileSync('dist/bigpipe.js', 'utf8').trim(),
});

export async function run({ quick, browser, runtime }) {
  const runs = quick ? 3 : 9;
  const profiled = quick ? 1 : 3;
  const files = runtimeFiles(runtime);
  const server = await pageServer({ runtime: files });
  const context = await browser.newContext();
  const tab = await context.newPage();
  const errors = [];
  tab.on('pageerror', (e) => errors.push(e.message));
  const VARIANTS = {
    ours: () => ours({ n: N, runtimeUrl: '/rt/min.js' }),
    raw: () => raw({ n: N }),
    react: () => react({ n: N }),
  };
  const samples = { ours: [], raw: [], react: [] };
  const functions = {};
  const lines = {};
  const groups = {};
  const rawGroups = {};
  try {
    // Checked before timing: every variant shows all 1,000; ours also fires 1,000 displays, one done, no error.
    for (const [name, plan] of Object.entries(VARIANTS)) {
      const { shown, result } = await streamedLoad(tab, server, plan(), countEvents(tab));
      if (shown !== N) throw new Error(`${name}: ${shown} of ${N} pagelets shown`);
      if (name === 'ours' && (result.display !== N || result.done !== 1 || result.error))
        throw new Error(
          `ours: ${result.display} bigpipe:display, ${result.done} bigpipe:done, ${result.error} bigpipe:error`,
        );
    }
    // Runs rotate which variant goes first; each load is a fresh page. One trace per load, from the release mark.
    for (let i = 0; i < runs; i++) {
      const order = Object.keys(VARIANTS);
      for (let k = 0; k < i % 3; k++) order.push(order.shift());
      for (const name of order) {
        let trace;
        const { shown } = await streamedLoad(tab, server, VARIANTS[name](), {
          before: () => browser.startTracing(tab, { categories: TRACE_CATEGORIES }),
          after: async () => (trace = await browser.stopTracing()),
        });
        if (shown !== N) throw new Error(`${name}: ${shown} of ${N} pagelets shown in a timed load`);
        samples[name].push(mainThreadTime(trace));
      }
    }
    // Where ours spends its script time: V8 CPU profiles of the readable build (dist/bigpipe.js, same source).
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: SAMPLING_US });
    for (let i = 0; i < profiled; i++) {
      // The raw page profiled too, interleaved: what the same page costs in GC and native work without a runtime.
      for (const name of ['ours', 'raw']) {
        let profile;
        const plan = name === 'ours' ? ours({ n: N, runtimeUrl: '/rt/readable.js' }) : raw({ n: N });
        const { url, shown } = await streamedLoad(tab, server, plan, {
          before: () => cdp.send('Profiler.start'),
          after: async () => ({ profile } = await cdp.send('Profiler.stop')),
        });
        if (shown !== N) throw new Error(`${name} (profiled): ${shown} of ${N} pagelets shown`);
        const self = selfTimes(profile, server.base + '/rt/readable.js', url, SAMPLING_US);
        const sums =
          name === 'ours'
            ? [
                [functions, self.functions],
                [lines, self.lines],
                [groups, self.groups],
              ]
            : [[rawGroups, self.groups]];
        for (const [into, from] of sums)
          for (const [key, t] of Object.entries(from)) into[key] = (into[key] ?? 0) + t / profiled;
      }
    }
  } finally {
    await context.close();
    await server.close();
  }
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);

  const kinds = [...KINDS, 'total'];
  const med = (name, kind) => median(samples[name].map((s) => s[kind]));
  const perRun = (a, b, kind) => median(samples[a].map((s, i) => s[kind] / samples[b][i][kind]));
  const vsRaw = Object.fromEntries(kinds.map((k) => [k, perRun('ours', 'raw', k)]));
  const vsReact = Object.fromEntries(kinds.map((k) => [k, perRun('ours', 'react', k)]));
  const metRaw = vsRaw.total <= GOAL_RAW;
  const metReact = vsReact.total <= GOAL_REACT;
  const head = ['main thread, 1,000 pagelets (median ms)', ...kinds.map((k) => LABEL[k]), LABEL.paints];
  const frames = (name) => String(med(name, 'paints'));
  const rows = [
    ['ours: `BigPipe.onPageletArrive` payload scripts', ...kinds.map((k) => ms(med('ours', k))), frames('ours')],
    ['raw: `getElementById(id).innerHTML = html` scripts', ...kinds.map((k) => ms(med('raw', k))), frames('raw')],
    ['React 19.2: Suspense boundaries, `$RC` reveal', ...kinds.map((k) => ms(med('react', k))), frames('react')],
    [
      `**ours / raw**, median of ${runs} per-run ratios (goal ≤ ${GOAL_RAW}×)`,
      ...kinds.map((k) => (k === 'total' ? `**${ratio(vsRaw[k])}** ${metRaw ? '✓' : '✗'}` : ratio(vsRaw[k]))),
      '',
    ],
    [
      `**ours / React** (goal ≤ ${GOAL_REACT}×)`,
      ...kinds.map((k) => (k === 'total' ? `**${ratio(vsReact[k])}** ${metReact ? '✓' : '✗'}` : ratio(vsReact[k]))),
      '',
    ],
  ];

  // The same traces by event name: what each kind of work is made of (thread time, so robust to a busy machine).
  const eventMs = (name, event) => median(samples[name].map((t) => t.byName[event] ?? 0));
  const events = [...new Set(Object.values(samples).flatMap((list) => list.flatMap((t) => Object.keys(t.byName))))];
  const spread = (event) => Math.max(...Object.keys(samples).map((name) => eventMs(name, event)));
  const head5 = ['main thread by trace event (self thread time, median ms)', 'ours', 'raw', 'React'];
  const rows5 = events
    .sort((a, b) => spread(b) - spread(a))
    .slice(0, 10)
    .map((event) => [`\`${event}\``, ...Object.keys(samples).map((name) => ms(eventMs(name, event)))]);

  // The profile, by function and by line of dist/bigpipe.js (its source text beside it).
  const source = files.readable.split('\n');
  const profileTotal = Object.values(functions).reduce((a, b) => a + b, 0);
  const top = (o, n) =>
    Object.entries(o)
      .sort((a, b) => b[1] - a[1])
      .slice(0, n);
  // Shares, not ms: on a busy machine the sampler falls behind (fewer samples than the interval promises) and the
  // wall time between samples is not the page's CPU time either; within one profile the proportions hold.
  const pct = (t, of) => (of ? ((100 * t) / of).toFixed(of === profileTotal ? 0 : 1) + ' %' : '–');
  const busy = (g) =>
    Object.entries(g)
      .filter(([name]) => name !== '(idle)')
      .reduce((sum, [, t]) => sum + t, 0);
  const oursBusy = profileTotal + busy(groups);
  const rawBusy = busy(rawGroups);
  const head2 = ['ours, by function (self time, dist/bigpipe.js)', "share of the runtime's", "share of the page's"];
  const rows2 = top(functions, 10).map(([name, t]) => [`\`${name}\``, pct(t, profileTotal), pct(t, oursBusy)]);
  const head3 = [
    'ours, by line of dist/bigpipe.js (self time, native calls included)',
    "share of the runtime's",
    "share of the page's",
  ];
  const code = (line) => (source[line - 1] ?? '').trim().replace(/\|/g, '\\|').slice(0, 90);
  const rows3 = top(lines, 10).map(([line, t]) => [
    `${line}: \`${code(+line)}\``,
    pct(t, profileTotal),
    pct(t, oursBusy),
  ]);
  const head4 = ['the whole page in the same profiles (share of its busy samples)', 'ours', 'raw'];
  const names = [...new Set([...Object.keys(groups), ...Object.keys(rawGroups)])].filter((g) => g !== '(idle)');
  names.sort((a, b) => (groups[b] ?? 0) + (rawGroups[b] ?? 0) - (groups[a] ?? 0) - (rawGroups[a] ?? 0));
  const rows4 = [
    ["the runtime's functions (dist/bigpipe.js, above)", pct(profileTotal, oursBusy), '–'],
    ...names.slice(0, 5).map((g) => [g, pct(groups[g] ?? 0, oursBusy), pct(rawGroups[g] ?? 0, rawBusy)]),
  ];
  const versions = versionLine(browser);
  const markdown = [
    versions,
    table(head, rows),
    `Each load streams a shell with 1,000 empty placeholders, then releases every pagelet in one write ` +
      `(\`performance.mark("release")\` first); each pagelet is ~45 bytes of HTML. Main-thread time is the thread ` +
      `time (CPU time) of the renderer's main thread in a Chromium trace (${TRACE_CATEGORIES.join(', ')}), from the ` +
      `task that ran the mark to 600 ms after the load event (React reveals in batches, throttled to 300 ms), split ` +
      `by trace event as DevTools splits it; "HTML parser" is the parser's own time (React's content is parsed into ` +
      `hidden divs by it; ours and raw parse theirs inside \`innerHTML\`, which is script). The parser yields to ` +
      `rendering as it goes: a page that parses longer renders more frames (each restyles and paints what changed). ` +
      `${runs} runs, each loading ` +
      `the three pages in rotating order.`,
    table(head5, rows5),
    table(head2, rows2),
    table(head3, rows3),
    table(head4, rows4),
    `The profiles: ${profiled} load(s) each of ours with \`dist/bigpipe.js\` (readable, same source) and of raw, ` +
      `V8 sampling every ${SAMPLING_US} µs from the release to the end, shares of samples (on a busy machine the sampler falls behind and the wall time between samples is no CPU time: proportions hold, milliseconds would not). A native call (innerHTML, dispatchEvent, ` +
      `getElementById) counts to the line that made it; "(payload scripts)" is the top level of each page's ` +
      `\`<script>\`s (raw: its whole work, innerHTML included); "(program)" is native work no script called (the ` +
      `HTML parser, style, layout, paint).`,
  ].join('\n\n');
  return {
    key: 'client_cpu',
    title: '4. Client CPU: 1,000 pagelets in Chromium (ours, raw innerHTML, React 19)',
    result: {
      runs,
      pagelets: N,
      versions,
      samples,
      median_ms: Object.fromEntries(
        Object.keys(samples).map((name) => [name, Object.fromEntries(kinds.map((k) => [k, med(name, k)]))]),
      ),
      ratio_vs_raw: vsRaw,
      ratio_vs_react: vsReact,
      profile: {
        functions,
        lines,
        groups,
        raw_groups: rawGroups,
        runtime_sampled_ms: profileTotal,
        sampling_us: SAMPLING_US,
      },
    },
    markdown,
    text: [
      versions,
      ...[
        [head, rows],
        [head5, rows5],
        [head2, rows2],
        [head3, rows3],
        [head4, rows4],
      ].map(([h, r]) => textTable(plainCells([h])[0], plainCells(r))),
    ].join('\n'),
    goals: [
      {
        name: `client main thread ≤ ${GOAL_RAW}× raw innerHTML (1,000 pagelets)`,
        met: metRaw,
        value: ratio(vsRaw.total),
      },
      {
        name: `client main thread ≤ ${GOAL_REACT}× React 19 (1,000 pagelets)`,
        met: metReact,
        value: ratio(vsReact.total),
      },
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await standalone(run);

// 3b. Memory per open stream: N connections whose pagelets never resolve, heap and RSS growth after GC, ÷ N.
import { request } from 'node:http';
import { median, startChild, table, textTable } from './lib.mjs';
import { ids } from './servers/page.mjs';

const GOAL_KB = 20;
const VARIANTS = [
  ['bigpipe', 'bigpipe-js `renderToNodeResponse`, 10 pending pagelets'],
  ['bare', 'floor: a response with the shell written, left open (no library)'],
  ['react', 'React `renderToPipeableStream`, 10 pending `<Suspense>` (for context)'],
];

/** Opens a request and resolves with it once its first body chunk (the shell) has arrived. */
const openStream = (port) =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let shell = '';
      res.setEncoding('utf8');
      res.on('data', function first(text) {
        shell += text;
        // The shell holds every placeholder (bigpipe-js) or fallback (React): the stream is open and waiting.
        if (shell.includes(`id="${ids.at(-1)}"`)) {
          res.off('data', first);
          res.resume();
          resolve({ req, shell });
        }
      });
      res.on('end', () => reject(new Error('the response ended: pagelets were meant to stay pending')));
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('no shell within 30 s')));
    req.end();
  });

async function measure(variant, n) {
  const server = await startChild('bench/servers/server.mjs', {
    args: [variant, '--pending'],
    nodeArgs: ['--expose-gc'],
    env: { NODE_ENV: 'production' },
  });
  const streams = [];
  try {
    // Warm up (code loaded and compiled, pools allocated), then the baseline.
    const warm = await Promise.all(Array.from({ length: 20 }, () => openStream(server.port)));
    warm.forEach((s) => s.req.destroy());
    while ((await server.ask('open')) > 0) await new Promise((r) => setTimeout(r, 20));
    const before = await server.ask('memory');
    if (!before.gc) throw new Error('the server was started without --expose-gc');
    // Opened in batches of 100 so the accept queue never overflows.
    for (let i = 0; i < n; i += 100)
      streams.push(...(await Promise.all(Array.from({ length: Math.min(100, n - i) }, () => openStream(server.port)))));
    const open = await server.ask('open');
    if (open !== n) throw new Error(`${variant}: ${open} responses open on the server, expected ${n}`);
    const after = await server.ask('memory');
    const abortController = variant === 'bigpipe' ? await server.ask('abort-controller') : NaN;
    return {
      abortController,
      heap: (after.heapUsed - before.heapUsed) / n,
      rss: (after.rss - before.rss) / n,
      external: (after.external + after.arrayBuffers - before.external - before.arrayBuffers) / n,
    };
  } finally {
    streams.forEach((s) => s.req.destroy());
    await server.stop();
  }
}

export async function run({ quick }) {
  const n = quick ? 200 : 1000;
  const rounds = quick ? 2 : 3;
  const samples = Object.fromEntries(VARIANTS.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++)
    for (const [name] of VARIANTS) samples[name].push(await measure(name, n));
  const m = Object.fromEntries(
    VARIANTS.map(([name]) => [
      name,
      Object.fromEntries(
        ['heap', 'rss', 'external', 'abortController'].map((k) => [k, median(samples[name].map((s) => s[k]))]),
      ),
    ]),
  );
  const kb = (b) => (b / 1024).toFixed(1) + ' KB';
  const own = m.bigpipe.heap - m.bare.heap;
  const met = m.bigpipe.heap / 1024 <= GOAL_KB;
  const head = ['open stream, pagelets pending', 'heap / stream', 'RSS / stream', 'external / stream'];
  const rows = VARIANTS.map(([name, label]) => [
    label,
    name === 'bigpipe' ? `**${kb(m[name].heap)}** ${met ? '✓' : '✗'} (goal ≤ ${GOAL_KB} KB)` : kb(m[name].heap),
    kb(m[name].rss),
    kb(m[name].external),
  ]);
  const verdict = met
    ? `Goal met: ${kb(m.bigpipe.heap)} of heap per open stream, of which ${kb(own)} is bigpipe-js's own (the rest is Node's socket, request and response, which any streaming server pays).`
    : `**Goal not met** (${kb(m.bigpipe.heap)} > ${GOAL_KB} KB). What limits it: Node's own socket, request and response objects ` +
      `cost ${kb(m.bare.heap)} per open response (the floor row); bigpipe-js adds ${kb(own)}: its render state and ` +
      `pending promises, and an AbortController per pagelet, which alone takes ${(m.bigpipe.abortController / 1024).toFixed(2)} KB ` +
      `of heap each in this Node (${kb(10 * m.bigpipe.abortController)} for the 10 pagelets, measured in the same process).`;
  const markdown = [
    table(head, rows),
    '',
    `${n} connections held open at once, each having received its shell, all pagelets pending; growth of the server ` +
      `process's \`heapUsed\`, RSS and external memory after forced GC (\`--expose-gc\`), divided by ${n}; median of ${rounds} ` +
      `rounds, a fresh server process each. The goal is judged on heap.`,
    '',
    verdict,
  ].join('\n');
  return {
    key: 'memory',
    title: '3b. Memory per open stream',
    result: { connections: n, rounds, bytes_per_stream: m, samples, goal_kb: GOAL_KB, met },
    markdown,
    text:
      textTable(
        head,
        rows.map((r) => r.map((c) => c.replace(/\*\*|`/g, ''))),
      ) +
      '\n' +
      verdict.replace(/\*\*/g, ''),
    goals: [{ name: `memory ≤ ${GOAL_KB} KB per open stream`, met, value: kb(m.bigpipe.heap) }],
  };
}

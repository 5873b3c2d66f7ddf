// Server throughput per runtime: `node bench/runtimes.mjs` (about 2 minutes; --quick: about 30 s). Needs `npm run build`.
// Node, Deno, Bun and workerd each serve the benchmark page (10 pagelets, all resolved at once) two ways, side by
// side in one run: streamed by bigpipe-js (/bigpipe) and as the same bytes pre-rendered into a constant (/floor, that
// runtime's own floor). autocannon loads each on 127.0.0.1; the figure is requests per second of the server process's
// CPU time (user + system, all threads, from /proc), so the load generator sharing the machine does not skew it.
// Goal: bigpipe-js at ≥ 0.8× of each runtime's floor.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { serializePagelet } from 'bigpipe-js/server';
import { render } from './servers/page.mjs';
import { binary, bundleWorker, freePort, scriptCommand, startProcess, versions } from '../test/support/runtimes.mjs';
import { int, machine, median, ratio, textTable } from './lib.mjs';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 3;
const DURATION = quick ? 1.5 : 3;
const WARMUP = quick ? 0.5 : 1;
const CONNECTIONS = 10;
const GOAL = 0.8;
const LABELS = {
  floor: 'floor: the bytes as a constant',
  chunks: 'diagnostic: the same 12 chunks, pre-rendered',
  prebuilt: 'diagnostic: bigpipe-js, pagelet results built once',
  bigpipe: 'bigpipe-js (templates per request)',
};
const VARIANTS = ['floor', 'chunks', 'prebuilt', 'bigpipe'];

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
/** CPU seconds the process has used so far, all its threads (fields 14 and 15 of /proc/<pid>/stat). */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** µs of CPU to serialize the benchmark page's 10 payloads (median of 7 rounds, after a warm-up), in this process. */
function serializeMicros() {
  // total on the first only, as the server writes it
  const payloads = Array.from({ length: 10 }, (_, i) => ({ target: `p${i}`, ...render(i), total: i ? undefined : 10 }));
  const once = () => payloads.reduce((n, p) => n + serializePagelet(p).length, 0);
  for (let i = 0; i < 2000; i++) once();
  const rounds = [];
  for (let r = 0; r < 7; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < 2000; i++) once();
    const used = process.cpuUsage(start);
    rounds.push((used.user + used.system) / 2000);
  }
  return median(rounds);
}

const temp = mkdtempSync(join(tmpdir(), 'bigpipe-bench-runtimes-'));

async function startWorkerd() {
  await bundleWorker('bench/servers/web-worker.mjs', join(temp, 'worker.js'));
  const port = await freePort();
  writeFileSync(
    join(temp, 'bench.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const bench :Workerd.Config = (
  services = [(name = "main", worker = (modules = [(name = "worker.js", esModule = embed "worker.js")], compatibilityDate = "2025-09-01", compatibilityFlags = ["enable_request_signal"]))],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
`,
  );
  return startProcess(binary('workerd'), ['serve', join(temp, 'bench.capnp')], { port, name: 'workerd' });
}

const script = (runtime) => {
  const [command, args, env] = scriptCommand(runtime, 'bench/servers/web-serve.mjs');
  return startProcess(command, args, { env, name: runtime });
};

const RUNTIMES = {
  node: () =>
    startProcess(process.execPath, ['bench/servers/node-floor.mjs'], { env: { NODE_ENV: 'production' }, name: 'node' }),
  deno: () => script('deno'),
  bun: () => script('bun'),
  workerd: startWorkerd,
};

const cannon = (url, duration) =>
  new Promise((resolve, reject) =>
    autocannon({ url, connections: CONNECTIONS, pipelining: 1, duration }, (error, result) =>
      error ? reject(error) : resolve(result),
    ),
  );

const servers = {};
try {
  const info = machine();
  const names = versions();
  console.log(
    `machine: ${info.cpu}, ${info.cores} cores, ${info.memory_gb} GB, ${info.os}, load ${info.load.join(' ')}`,
  );
  console.log(
    `runtimes: ${Object.values(names).join(', ')}; autocannon ${CONNECTIONS} connections, ${ROUNDS} round(s) × ${DURATION} s per server and variant`,
  );
  for (const [name, start] of Object.entries(RUNTIMES)) servers[name] = await start();

  // Check before timing: every runtime sends the same bytes both ways, all ten pagelets and the end of the document.
  let reference;
  for (const [name, server] of Object.entries(servers))
    for (const variant of VARIANTS) {
      const response = await fetch(`${server.url}${variant}`);
      const body = Buffer.from(await response.arrayBuffer());
      if (response.status !== 200) throw new Error(`${name} /${variant}: status ${response.status}`);
      const text = body.toString('utf8');
      if ((text.match(/BigPipe\.onPageletArrive\(/g) ?? []).length !== 10 || !text.endsWith('</body></html>'))
        throw new Error(`${name} /${variant}: not the whole page`);
      reference ??= body;
      if (!body.equals(reference)) throw new Error(`${name} /${variant} differs from node /floor`);
    }

  for (const server of Object.values(servers))
    for (const variant of VARIANTS) await cannon(`${server.url}${variant}`, WARMUP);
  const samples = {};
  for (let round = 0; round < ROUNDS; round++)
    // The variants take turns going first, so drift on a shared machine hits them all.
    for (const [name, server] of Object.entries(servers))
      for (const variant of VARIANTS.map((_, k) => VARIANTS[(k + round) % VARIANTS.length])) {
        const before = cpuSeconds(server.pid);
        const result = await cannon(`${server.url}${variant}`, DURATION);
        const cpu = cpuSeconds(server.pid) - before;
        if (result.errors || result.timeouts || result.non2xx)
          throw new Error(
            `${name} /${variant}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`,
          );
        (samples[`${name} ${variant}`] ??= []).push({
          rps: result.requests.total / DURATION,
          perCpu: result.requests.total / cpu,
          cpu: cpu / DURATION,
        });
      }

  const rows = [];
  const verdicts = [];
  for (const name of Object.keys(servers)) {
    const m = Object.fromEntries(
      VARIANTS.map((variant) => {
        const s = samples[`${name} ${variant}`];
        return [
          variant,
          {
            rps: median(s.map((x) => x.rps)),
            perCpu: median(s.map((x) => x.perCpu)),
            cpu: median(s.map((x) => x.cpu)),
          },
        ];
      }),
    );
    const vsFloor = m.bigpipe.perCpu / m.floor.perCpu;
    verdicts.push(
      `${name}: ${ratio(vsFloor)} of its floor by server CPU, ${ratio(m.bigpipe.rps / m.floor.rps)} by req/s: goal ≥ ${GOAL}× ${vsFloor >= GOAL ? 'met' : 'NOT met'}`,
    );
    for (const variant of VARIANTS)
      rows.push([
        `${name}, ${LABELS[variant]}`,
        int(m[variant].perCpu),
        int(m[variant].rps),
        `${Math.round(m[variant].cpu * 100)}%`,
        variant === 'floor' ? '–' : ratio(m[variant].perCpu / m.floor.perCpu),
      ]);
  }
  console.log();
  console.log(
    textTable(['server', 'req per server CPU-second', 'req/s measured', 'server CPU used', 'vs floor (by CPU)'], rows),
  );
  console.log();
  verdicts.forEach((v) => console.log(v));
  const serializing = serializeMicros();
  const nodeFloor = 1e6 / median(samples['node floor'].map((x) => x.perCpu));
  console.log(
    `\nwhat bounds it: writing the page's 10 payloads as script-safe JSON (PROTOCOL.md §3: JSON.stringify, then every < ` +
      `escaped) takes ${serializing.toFixed(0)} µs of CPU per page in this Node process, while Node's floor spends ` +
      `${nodeFloor.toFixed(0)} µs on its whole request: no server that escapes its payloads can come closer than ` +
      `${ratio(nodeFloor / (nodeFloor + serializing))} of a floor that escapes nothing.`,
  );
} finally {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
  rmSync(temp, { recursive: true, force: true });
}

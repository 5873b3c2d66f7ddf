// bigpipe-js benchmarks: `npm run bench` (about 4 minutes), `npm run bench -- --quick` (about 1.5 minutes).
// Prints a table per benchmark and writes bench/results/latest.{json,md} (--quick: quick.{json,md}).
//   --quick         fewer rounds, shorter runs
//   --only=a,b      run some: size, bundle, latency, throughput, memory, cpu, display, scale, steps
//                   (cpu, display, scale, steps: the client in Chromium, bench/client-*.mjs; each also runs alone:
//                   `node bench/client-cpu.mjs [--quick] [--runtime=DIR]`)
// Needs `npm run build` first (dist/bigpipe.min.js and dist/server.js) and Debian's chromium.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, machine, table } from './lib.mjs';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(
    readFileSync(new URL(import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('//'))
      .join('\n'),
  );
  process.exit(0);
}
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
/** @type {[name: string, file: string, needsBrowser: boolean][]} */
const BENCHES = [
  // Run order: the browser benchmarks last, so no idle browser shares the CPU with the servers.
  ['size', './size.mjs', false],
  ['bundle', './bundle-size.mjs', false],
  ['throughput', './throughput.mjs', false],
  ['memory', './memory.mjs', false],
  ['latency', './latency.mjs', true],
  ['cpu', './client-cpu.mjs', true],
  ['display', './client-display.mjs', true],
  ['scale', './client-scale.mjs', true],
  ['steps', './client-steps.mjs', true],
];
for (const name of only ?? [])
  if (!BENCHES.some(([n]) => n === name)) throw new Error(`--only: unknown benchmark ${name}`);
for (const file of ['dist/bigpipe.min.js', 'dist/server.js'])
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);

// One snapshot of the runtime for the whole run (size and client CPU), even if it is rebuilt meanwhile.
const file = readFileSync('dist/bigpipe.min.js');
const runtime = { file, min: file.toString('utf8').trim(), readable: readFileSync('dist/bigpipe.js', 'utf8').trim() };
const runtimeHash = createHash('sha256').update(file).digest('hex').slice(0, 12);

// The server module inlines its own copy of the runtime (src/server/runtime.generated.ts); when that copy is stale
// the page benchmarks run another runtime than the one measured for size and client CPU. Say so loudly.
const { renderToReadableStream } = await import('../dist/server.js');
const shell = await new Response(renderToReadableStream({ body: '', pagelets: [] })).text();
const staleRuntime =
  /<script>(.*?)<\/script>/s.exec(shell)?.[1] !== runtime.min
    ? 'dist/server.js inlines a different runtime than dist/bigpipe.min.js (its generated copy is stale): run `npm run build` for consistent figures'
    : '';
if (staleRuntime) console.log(`WARNING: ${staleRuntime}`);

const git = (...a) => {
  try {
    return execFileSync('git', a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
};
const started = Date.now();
const host = machine();
const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
const commit = git('rev-parse', '--short', 'HEAD');
const dirty = git('status', '--porcelain', '--', 'src', 'scripts', 'rollup.config.mjs', 'package.json') !== '';
const command = quick ? 'npm run bench -- --quick' : 'npm run bench';

let browser;
let browserVersion = 'no browser';
const sections = [];
console.log(`bigpipe-js ${version} benchmarks${quick ? ' (quick)' : ''}`);
console.log(
  `machine: ${host.cpu}, ${host.cores} cores, ${host.memory_gb} GB RAM, ${host.os}; Node ${host.node}; load average ${host.load.join(' ')}`,
);
try {
  for (const [name, file, needsBrowser] of BENCHES) {
    if (only && !only.includes(name)) continue;
    if (needsBrowser && !browser) {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      browserVersion = `Chromium ${browser.version()}`;
      console.log(`browser: ${browserVersion}`);
    }
    const t0 = Date.now();
    const section = await (await import(file)).run({ quick, browser, runtime });
    section.seconds = Math.round((Date.now() - t0) / 100) / 10;
    sections.push(section);
    console.log(`\n${section.title}  (${section.seconds} s)\n${section.text}`);
  }
} finally {
  await browser?.close();
}

// The README copies its figures from this file: it names the machine, the command and every method.
const order = [
  'size',
  'bundle_size',
  'latency',
  'throughput',
  'memory',
  'client_cpu',
  'client_display',
  'client_scale',
  'client_steps',
];
sections.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
const goals = sections.flatMap((s) => s.goals);
const seconds = Math.round((Date.now() - started) / 1000);
const when = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const loadEnd = machine().load;
const machineLine =
  `${host.cpu}, ${host.cores} cores, ${host.memory_gb} GB RAM, ${host.os} · Node ${host.node} · ${browserVersion} · ` +
  `load average (1 min) ${host.load[0]} at start, ${loadEnd[0]} at end`;
const markdown = `# bigpipe-js benchmarks

\`${command}\` · ${when} · ${quick ? 'quick run' : 'full run'} in ${seconds} s · bigpipe-js ${version}${commit ? ` (git ${commit}${dirty ? ', uncommitted changes' : ''})` : ''}

**Machine:** ${machineLine}

**Runtime measured:** \`dist/bigpipe.min.js\`, ${file.length.toLocaleString('en-US')} B, sha256 ${runtimeHash}… (read once at the start of the run)
${staleRuntime ? `\n**Warning:** ${staleRuntime}.\n` : ''}
Every benchmark checks its output before timing it, runs several rounds and reports medians; compared
variants run interleaved in the same run. Loopback (127.0.0.1) only.

## Goals

${table(
  ['goal', 'result', 'met'],
  goals.map((g) => [g.name, g.value, g.met ? '✓ yes' : '✗ **no**']),
  'lrl',
)}

${sections.map((s) => `## ${s.title}\n\n${s.markdown}\n`).join('\n')}`;

mkdirSync('bench/results', { recursive: true });
const base = `bench/results/${quick ? 'quick' : 'latest'}`;
const json = {
  command,
  date: new Date().toISOString(),
  quick,
  seconds,
  version,
  commit,
  dirty,
  machine: { ...host, load_end: loadEnd, browser: browserVersion },
  runtime_sha256: runtimeHash,
  warnings: staleRuntime ? [staleRuntime] : [],
  goals,
  results: Object.fromEntries(sections.map((s) => [s.key, s.result])),
};
// Written whole or not at all (*.tmp is git-ignored).
for (const [file, text] of [
  [`${base}.json`, JSON.stringify(json, null, 2) + '\n'],
  [`${base}.md`, markdown],
]) {
  writeFileSync(file + '.tmp', text);
  renameSync(file + '.tmp', file);
}
console.log(`\nGoals: ${goals.map((g) => `${g.met ? '✓' : '✗'} ${g.name} (${g.value})`).join('; ')}`);
console.log(`Wrote ${base}.json and ${base}.md in ${seconds} s.`);

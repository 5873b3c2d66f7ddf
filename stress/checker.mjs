// Campaign: the protocol checker (`npx bigpipe-js check`, dist/check.js) against hostile servers on 127.0.0.1: a body
// without end, a gzip bomb, a 40,000-pagelet page from our own renderToNodeResponse, 100 KB of spaces after a payload's
// ")", a 240 KB tag that never ends, HTTP 500, a redirect to another origin. For each: what the checker reported, the
// peak RSS growth while it ran (sampled every 5 ms) and the wall time, judged against generous bounds (the checker is
// linear and bounded: the old one took 18 s to minutes and gigabytes on these). Each item runs in a process of its
// own, so that one item's memory (RSS seldom shrinks) does not hide the next one's.
//   node stress/checker.mjs [--quick]
import { execFile } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { placeholder, renderToNodeResponse, serializePagelet } from 'bigpipe-js/server';
import { STUB } from '../test/support/protocol.mjs';
import { HTML, listen } from '../test/support/loopback.mjs';
import { machineLine } from '../test/support/machine.mjs';
import { getGc, goal, isMain } from './lib.mjs';

// dist/check.js ships no declarations (the bin runs it): typed by its source, imported by a URL the compiler does not follow.
/** @type {typeof import('../src/check/index')} */
const { checkUrl } = await import(String(new URL('../dist/check.js', import.meta.url)));

const MiB = 1024 * 1024;
/** Bounds for every item: far above what a linear, capped checker needs, far below what the old one took. */
export const LIMITS = { rssGrowth: 200e6, seconds: 10 };

const SHELL =
  `<!DOCTYPE html><html><head><meta charset="utf-8"><script>${STUB}</script>` +
  `<script async src="/bigpipe.min.js"></script></head><body><p>${'A hostile page. '.repeat(32)}</p>${placeholder('a')}`;
const END = '</body></html>';

/** Resolves when `res` closes: true when it had written its end, false when the client went away first. */
const closed = (res) => new Promise((resolve) => res.once('close', () => resolve(res.writableFinished)));

/** Writes `chunk` for as long as the client reads, minding backpressure. */
async function forever(res, chunk) {
  const gone = closed(res);
  while (!res.destroyed) if (!res.write(chunk)) await Promise.race([new Promise((r) => res.once('drain', r)), gone]);
}

/** Runs `fn`, sampling RSS every 5 ms: its result, the peak RSS growth over the start and the wall time. */
async function measure(fn) {
  const gc = getGc();
  gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const sampler = setInterval(sample, 5);
  const started = performance.now();
  try {
    const result = await fn();
    sample();
    return { result, growth: peak - before, seconds: (performance.now() - started) / 1000 };
  } finally {
    clearInterval(sampler);
  }
}

const mb = (bytes) => `${Math.round(bytes / 1e6)} MB`;
const mib = (bytes) => `${Math.round(bytes / MiB)} MiB`;
const has = (report, pattern) => report.findings.some((f) => pattern.test(f.message));

/**
 * Each hostile server, what to check against it, and what the report must say. `size` scales the scans (1 in the
 * quick version; the long one also runs them 10 times bigger, to show the time grows with the size, not its square).
 */
/**
 * @typedef {object} Item one hostile page and what the checker must report about it
 * @property {string} item
 * @property {(res: import('node:http').ServerResponse, context: any) => unknown} route
 * @property {(report: any, ended: unknown, context: any) => boolean} expect
 * @property {(report: any, context: any) => string} figure
 * @property {() => object} [setup]
 * @property {object} [options]
 */

/** @returns {Item[]} */
const items = (/** @type {number} */ size) => [
  {
    item: 'checker: endless body',
    route: (res) => {
      res.writeHead(200, { 'Content-Type': HTML }).write(SHELL);
      return forever(res, `<p>${'endless '.repeat(8000)}</p>`);
    },
    expect: (r, serverSaw) =>
      has(r, /^the check stopped reading the body: it is larger than 32 MiB/) && serverSaw === false,
    figure: (r) => `stopped at ${mib(r.chunks.reduce((sum, c) => sum + c.bytes, 0))}, body cancelled`,
  },
  // streaming: memory does not grow with what was read (the long version reads 16 times the default cap)
  ...(size > 1
    ? [
        {
          item: 'checker: endless body, --max-bytes 512 MiB',
          options: { maxBytes: 512 * MiB },
          route: (res) => {
            res.writeHead(200, { 'Content-Type': HTML }).write(SHELL);
            return forever(res, `<p>${'endless '.repeat(8000)}</p>`);
          },
          expect: (r, serverSaw) =>
            has(r, /^the check stopped reading the body: it is larger than 512 MiB/) && serverSaw === false,
          figure: (r) => `stopped at ${mib(r.chunks.reduce((sum, c) => sum + c.bytes, 0))}, body cancelled`,
        },
      ]
    : []),
  {
    item: 'checker: gzip bomb',
    // 64 MiB of spaces in one gzip member (about 64 KB), sent again and again: gigabytes decoded from megabytes
    setup: () => ({ bomb: gzipSync(Buffer.alloc(64 * MiB, ' '), { level: 9 }) }),
    route: (res, { bomb }) => {
      res.writeHead(200, { 'Content-Type': HTML, 'Content-Encoding': 'gzip' }).write(gzipSync(SHELL));
      return forever(res, bomb);
    },
    expect: (r, serverSaw) =>
      has(r, /^the check stopped reading the body: it is larger than 32 MiB/) && serverSaw === false,
    figure: (r) => `stopped at ${mib(r.chunks.reduce((sum, c) => sum + c.bytes, 0))} decoded, body cancelled`,
  },
  {
    item: 'checker: 40,000-pagelet page (renderToNodeResponse)',
    route: (res) => {
      const ids = Array.from({ length: 40_000 }, (_, i) => `p${i}`);
      const page = {
        body: ids.map(placeholder).join(''),
        pagelets: ids.map((id) => ({ id, render: () => ({ html: id }) })),
      };
      return renderToNodeResponse(page, res);
    },
    // errors only: under load the buffering heuristic may warn about a page that took long
    expect: (r) => r.ok && r.payloads === 40_000,
    figure: (r) => `${r.payloads} payloads in ${r.chunks.length} chunks, ${r.ok ? 'ok' : 'FAIL'}`,
  },
  ...[1, ...(size > 1 ? [size] : [])].flatMap((k) => [
    {
      item: `checker: ${100 * k} KB of spaces after a payload's ")"`,
      route: (res) => {
        const payload = `<script>BigPipe.onPageletArrive({"target":"a","total":1})${' '.repeat(k * 100_000)}x</script>`;
        res.writeHead(200, { 'Content-Type': HTML }).end(SHELL + payload + END);
      },
      expect: (r) => has(r, /^payload #1: the script ends before the call's "\)"$/),
      figure: () => 'payload reported as not ending with ")"',
    },
    {
      item: `checker: ${240 * k} KB tag that never ends`,
      route: (res) => {
        res.writeHead(200, { 'Content-Type': HTML }).end(SHELL + '<div ' + '<a'.repeat(k * 120_000));
      },
      expect: (r) => has(r, /^the document is not closed/),
      figure: () => 'reported as not closed',
    },
  ]),
  {
    item: 'checker: HTTP 500',
    route: (res) =>
      res.writeHead(500, { 'Content-Type': HTML }).end(SHELL + serializePagelet({ target: 'a', total: 1 }) + END),
    expect: (r) => !r.ok && has(r, /^the status is 500, not 2xx/),
    figure: () => 'reported as an error',
  },
  {
    item: 'checker: redirect to another origin',
    route: (res, { elsewhere }) => res.writeHead(302, { location: `${elsewhere.base}/page` }).end(),
    expect: (r, _, { elsewhere }) =>
      !r.ok && has(r, /^the page redirects \(302\) to another origin/) && elsewhere.hits === 0,
    figure: (_, { elsewhere }) => `reported as an error, not followed (${elsewhere.hits} requests there)`,
  },
];

/** Runs item `index` in this process: its line. */
async function runItem(index, quick) {
  const spec = items(quick ? 1 : 10)[index];
  const elsewhere = { hits: 0, base: '' };
  const other = await listen(
    http.createServer((_, res) => (elsewhere.hits++, res.writeHead(200, { 'Content-Type': HTML }).end(SHELL + END))),
  );
  elsewhere.base = other.base;
  const context = { elsewhere, ...spec.setup?.() };
  let ended;
  const server = await listen(
    http.createServer((_, res) => {
      ended = closed(res);
      spec.route(res, context);
    }),
  );
  try {
    const {
      result: report,
      growth,
      seconds,
    } = await measure(() => checkUrl(`${server.base}/`, { timeout: 60_000, ...spec.options }));
    const right = spec.expect(report, await ended, context);
    const ok = right && growth < LIMITS.rssGrowth && seconds < LIMITS.seconds;
    const what = `${spec.figure(report, context)}${right ? '' : ' (NOT what it should report)'}`;
    return { item: spec.item, figure: `${what}, peak RSS +${mb(growth)}, ${seconds.toFixed(2)} s`, ok };
  } finally {
    await Promise.all([server.close(), other.close()]);
  }
}

const FILE = fileURLToPath(import.meta.url);

/**
 * Runs the checker against each hostile server, each in a child process; resolves with one line per item: what it
 * measured and whether it is within bounds (the right finding, RSS growth < LIMITS.rssGrowth, time < LIMITS.seconds).
 */
export async function checkerCampaign({ quick = false } = {}) {
  const lines = [];
  for (let index = 0; index < items(quick ? 1 : 10).length; index++) {
    const args = [FILE, '--item', String(index), ...(quick ? ['--quick'] : [])];
    const line = await new Promise((resolve) =>
      execFile(process.execPath, args, { timeout: 120_000 }, (error, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout));
        } catch {
          const why = error ? `exit ${error.code ?? error.signal}` : 'no result';
          resolve({
            item: `checker: item ${index}`,
            figure: `${why}: ${stderr.trim().split('\n').at(-1) ?? ''}`,
            ok: false,
          });
        }
      }),
    );
    lines.push(line);
  }
  return lines;
}

if (isMain(import.meta)) {
  const quick = process.argv.includes('--quick');
  const item = process.argv.indexOf('--item');
  if (item > 0) console.log(JSON.stringify(await runItem(Number(process.argv[item + 1]), quick)));
  else {
    console.log(`bigpipe-js checker campaign${quick ? ' (quick)' : ''}\n${machineLine()}`);
    console.log(`bounds: RSS growth < ${mb(LIMITS.rssGrowth)}, < ${LIMITS.seconds} s per item`);
    for (const { item, figure, ok } of await checkerCampaign({ quick })) {
      console.log(`  ${item}: ${figure}`);
      goal(item, ok);
    }
  }
}

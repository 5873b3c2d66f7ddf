// Shared helpers of the reliability and security campaigns (stress/*.mjs). Plain Node ESM: the campaigns run
// with `node stress/<name>.mjs` on the built package (dist/), and their short versions run inside vitest.
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { importTs } from '../test/support/ts.mjs';

/** True when `meta` (import.meta) is the script node was started with. */
export const isMain = (meta) => process.argv[1] !== undefined && meta.url === pathToFileURL(process.argv[1]).href;

/** A small seeded PRNG (mulberry32), so every campaign is reproducible from its seed. */
export const prng = (seed) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

export const percentile = (values, p) => {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

export const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
export const ms = (x) => `${x.toFixed(1)} ms`;

/** `--expose-gc` without the flag: the gc function, or undefined when V8 refuses. */
export const getGc = () => {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc');
  } catch {
    return undefined;
  }
};

/** A full collection (twice: finalizers of the first may free more), then the heap in use. */
export const heapAfterGc = (gc) => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};

/** process.getActiveResourcesInfo() as counts per kind. */
export const resources = () => {
  /** @type {Record<string, number>} */
  const counts = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
};

/** The resources in `after` beyond those in `before`, e.g. { Timeout: 2 }. */
export const extraResources = (
  /** @type {Record<string, number>} */ before,
  /** @type {Record<string, number>} */ after,
) => {
  /** @type {Record<string, number>} */
  const extra = {};
  for (const [kind, n] of Object.entries(after)) if (n > (before[kind] ?? 0)) extra[kind] = n - (before[kind] ?? 0);
  return extra;
};

/**
 * Waits (bounded, polling every 20 ms) until no resource beyond `before` is active: closing sockets and servers
 * finish on later ticks. Returns what is still extra after `limit` ms ({} when nothing).
 */
export const settleResources = async (before, limit = 3000) => {
  const deadline = Date.now() + limit;
  for (;;) {
    const extra = extraResources(before, resources());
    if (!Object.keys(extra).length || Date.now() > deadline) return extra;
    await new Promise((r) => setTimeout(r, 20));
  }
};

// ------------------------------------------------------------------------------------------------ browsers

/**
 * The real-browser driver layer (test/support/drivers.ts). Under vitest it is imported as TypeScript directly; from
 * plain Node, a module hook (ts-hooks.mjs) strips its types first.
 */
export const loadDrivers = () => importTs(new URL('../test/support/drivers.ts', import.meta.url));

/** Runs `fn(engine)` with a launched engine and always closes it. */
export const withEngine = async (drivers, name, fn) => {
  const engine = await drivers.launch(name);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
};

/** Prints a title and `key: value` lines. */
export const report = (title, figures) => {
  console.log(`\n== ${title}`);
  for (const [key, value] of Object.entries(figures))
    console.log(`  ${key}: ${typeof value === 'object' ? JSON.stringify(value) : value}`);
};

/** Prints whether a goal is met; a missed goal makes the script exit with 1. */
export const goal = (name, met) => {
  console.log(`  goal ${met ? 'met   ' : 'MISSED'}: ${name}`);
  if (!met) process.exitCode = 1;
};

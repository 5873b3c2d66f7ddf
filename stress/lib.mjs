// Shared helpers of the reliability and security campaigns (stress/*.mjs). Plain Node ESM: the campaigns run
// with `node stress/<name>.mjs` on the built package (dist/), and their short versions run inside vitest.
import http from 'node:http';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parse } from 'parse5';
import { importTs } from '../test/support/ts.mjs';

/** One line naming the machine the figures come from. */
export const machine = () =>
  `machine: ${os.cpus()[0]?.model.trim() ?? 'unknown cpu'}, ${os.availableParallelism()} cores, ` +
  `Node ${process.version}, ${os.platform()} ${os.arch()}`;

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
  const counts = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
};

/** The resources in `after` beyond those in `before`, e.g. { Timeout: 2 }. */
export const extraResources = (before, after) => {
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

/** Listens on 127.0.0.1 (loopback only) on a free port; returns the base URL and a close() that ends everything. */
export const listen = async (server, backlog = 511) => {
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, backlog }, resolve);
  });
  const { port } = server.address();
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
};

/** A node:http server on 127.0.0.1 from a table of routes: path -> (req, res) handler. */
export const serve = (routes) =>
  listen(
    http.createServer((req, res) => {
      const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
      if (route) return route(req, res);
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }),
  );

export const HTML = 'text/html; charset=utf-8';

// ------------------------------------------------------------------------------------------------ parse5 helpers

/** parse5's default tree of a whole document, as a browser with scripting builds it. */
export const parseDocument = (html) => parse(html, { scriptingEnabled: true });

/** Every element named `tag`, in document order. */
export const elements = (node, tag, out = []) => {
  if (node.tagName === tag) out.push(node);
  for (const child of node.childNodes ?? []) elements(child, tag, out);
  if (node.content) elements(node.content, tag, out); // <template> contents
  return out;
};

/** Every element, in document order. */
export const allElements = (node, out = []) => {
  if (node.tagName) out.push(node);
  for (const child of node.childNodes ?? []) allElements(child, out);
  if (node.content) allElements(node.content, out);
  return out;
};

export const text = (node) => (node.childNodes ?? []).map((c) => (c.nodeName === '#text' ? c.value : text(c))).join('');
export const attrs = (node, name) => (node.attrs ?? []).filter((a) => a.name === name).map((a) => a.value);

const CALL = /^BigPipe\.onPageletArrive\(([^]*)\)$/;

/** The payloads of a pipeline-mode page, read the way a browser's parser splits it: one per payload script. */
export const payloadsOf = (html) =>
  elements(parseDocument(html), 'script')
    .map((s) => CALL.exec(text(s)))
    .filter(Boolean)
    .map((m) => JSON.parse(m[1]));

// ------------------------------------------------------------------------------------------------ browsers

/**
 * The real-browser driver layer (test/e2e/drivers.ts). Under vitest it is imported as TypeScript directly; from
 * plain Node, a module hook (ts-hooks.mjs) strips its types first.
 */
export const loadDrivers = () => importTs(new URL('../test/e2e/drivers.ts', import.meta.url));

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
  for (const [key, value] of Object.entries(figures)) console.log(`  ${key}: ${typeof value === 'object' ? JSON.stringify(value) : value}`);
};

/**
 * Page-side statement for the start of an async check: the driver may evaluate as soon as the response commits,
 * before the head's scripts (the recorder among them) have run; after DOMContentLoaded they all have.
 */
export const AFTER_HEAD = `if (document.readyState === 'loading') await new Promise((r) => document.addEventListener('DOMContentLoaded', r));`;

/**
 * Page-side recorder, for the head of a test page (before the runtime): every bigpipe event in order (detail.target
 * as JSON, so non-string targets stay distinguishable), window error events, unhandled rejections, CSP / Trusted
 * Types violations and console.error calls. `window.__done` resolves at the first bigpipe:done.
 */
export const RECORDER = `(() => {
  const rec = window.__rec = { events: [], errors: [], violations: [], console: [] };
  const json = (v) => { try { return v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v); } catch { return String(v); } };
  let done;
  window.__done = new Promise((r) => (done = r));
  for (const type of ['arrive', 'display', 'error', 'done'])
    document.addEventListener('bigpipe:' + type, (e) => {
      const d = e.detail || {};
      rec.events.push({ type, target: json(d.target), error: d.error, url: d.url });
      if (type === 'done') done();
    });
  // capturing: also failed loads of elements (which do not bubble), named with where the element sits
  // (message and stack: WebKit's stack does not repeat the message)
  addEventListener('error', (e) => rec.errors.push(e.message ? e.message + (e.error && e.error.stack ? '\\n' + e.error.stack : '') :
    'error event on ' + (e.target && e.target.tagName) + (e.target && e.target.closest && e.target.closest('[id]') ? ' in #' + e.target.closest('[id]').id : '')), true);
  addEventListener('unhandledrejection', (e) => rec.errors.push('unhandled rejection: ' + json(String(e.reason))));
  addEventListener('securitypolicyviolation', (e) => rec.violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sample || '')));
  const error = console.error;
  console.error = function (...a) { rec.console.push(a.map(String).join(' ')); return error.apply(this, a); };
})();`;

/** Prints whether a goal is met; a missed goal makes the script exit with 1. */
export const goal = (name, met) => {
  console.log(`  goal ${met ? 'met   ' : 'MISSED'}: ${name}`);
  if (!met) process.exitCode = 1;
};

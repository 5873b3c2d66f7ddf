// Campaign 2, load with aborts: renderToNodeResponse on 127.0.0.1 under many concurrent requests, each page with
// pagelets of random latency, some throwing, some rejecting late, some timing out, and a share of clients that
// disconnect mid-stream. Counts what must never happen: lost pagelets, renders not aborted, unhandled rejections,
// handles left open, heap that does not come back.
//   node stress/load.mjs [requests] [concurrency]      (default 5000 1000)
import http from 'node:http';
import { renderToNodeResponse, placeholder } from 'bigpipe-js/server';
import { listen } from '../test/support/loopback.mjs';
import { machineLine } from '../test/support/machine.mjs';
import { payloadsOf } from '../test/support/parse.mjs';
import {
  extraResources,
  getGc,
  goal,
  heapAfterGc,
  isMain,
  kb,
  ms,
  percentile,
  prng,
  report,
  resources,
  settleResources,
} from './lib.mjs';

const FALLBACK = '<p>fallback</p>';
const WARMUP = 1e9; // request numbers from here on are the warm-up's

/** What request `i` does, the same on the server and the client side (both derive it from `i`). */
const planOf = (i, o) => {
  const random = prng(o.seed * 100_003 + i);
  const pagelets = Array.from({ length: o.pagelets }, (_, j) => {
    const r = random();
    // throw: synchronously; reject: after its latency; ignore: does not listen to its signal and rejects late
    const kind =
      r < o.throwRate / 2 ? 'throw' : r < o.throwRate ? 'reject' : r < o.throwRate + o.ignoreRate ? 'ignore' : 'ok';
    return { id: `p${j}`, kind, latency: random() * o.maxLatency };
  });
  return { pagelets, disconnect: random() < o.disconnectRate, disconnectAfter: random() * o.maxLatency * 0.5 };
};

/**
 * Runs `requests` requests, `concurrency` at a time, against a fresh server; resolves with the figures. With `heap`,
 * a warm-up run comes first and heap use after GC is compared before and after.
 */
/**
 * @typedef {object} LoadOptions
 * @property {number} [requests]
 * @property {number} [concurrency]
 * @property {number} [pagelets]
 * @property {number} [maxLatency]
 * @property {number} [timeout]
 * @property {number} [throwRate]
 * @property {number} [ignoreRate]
 * @property {number} [disconnectRate]
 * @property {number} [seed]
 * @property {number} [deadline]
 * @property {boolean} [heap]
 * @property {number} [warmup]
 */
/**
 * @typedef {object} LoadFigures
 * @property {number} requests
 * @property {number} completed
 * @property {number} cut
 * @property {number} unexpectedCuts
 * @property {number} clientErrors
 * @property {number} clientTimeouts
 * @property {number} disconnectsPlanned
 * @property {number} disconnectsDone
 * @property {number} finishedBeforeDisconnect
 * @property {number} serverAborted
 * @property {number} rendersPendingAtDisconnect
 * @property {number} rendersAbortedAtDisconnect
 * @property {number} renders
 * @property {number} renderErrors
 * @property {number} responsesResolved
 * @property {number} responsesRejected
 * @property {number} lostPagelets
 * @property {number} duplicatedPagelets
 * @property {number} strangeTargets
 * @property {number} wrongContent
 * @property {number} unfinishedBodies
 * @property {number} pendingRendersLeft
 * @property {number} unhandledRejections
 * @property {Record<string, number>} extraResources
 * @property {Record<string, number>} extraResourcesRaw
 * @property {number} seconds
 * @property {number} requestsPerSecond
 * @property {{ p50: number, p99: number, max: number }} ttfb
 * @property {{ gcAvailable: boolean, before: number, after: number, change: number }} [heap]
 */

/**
 * @param {LoadOptions} [options]
 * @returns {Promise<LoadFigures>}
 */
export const loadWithAborts = async (options = {}) => {
  const o = {
    requests: 100,
    concurrency: 100,
    pagelets: 10,
    maxLatency: 500,
    timeout: 300,
    throwRate: 0.1,
    ignoreRate: 0.1,
    disconnectRate: 0.2,
    seed: 1,
    deadline: 120_000,
    heap: false,
    warmup: 2000,
    ...options,
  };
  const stats = {
    requests: 0,
    completed: 0,
    cut: 0,
    unexpectedCuts: 0,
    clientErrors: 0,
    clientTimeouts: 0,
    disconnectsPlanned: 0,
    disconnectsDone: 0,
    finishedBeforeDisconnect: 0,
    serverAborted: 0,
    rendersPendingAtDisconnect: 0,
    rendersAbortedAtDisconnect: 0,
    renders: 0,
    renderErrors: 0,
    responsesResolved: 0,
    responsesRejected: 0,
    lostPagelets: 0,
    duplicatedPagelets: 0,
    strangeTargets: 0,
    wrongContent: 0,
    unfinishedBodies: 0,
  };
  let unhandled = 0;
  const onUnhandled = () => unhandled++;
  process.on('unhandledRejection', onUnhandled);
  let live = 0; // renders whose own work has not finished (a timer of theirs is pending)
  const gc = o.heap ? getGc() : undefined;
  const resourcesBefore = resources();

  const server = http.createServer((req, res) => {
    const i = Number(new URL(req.url, 'http://x').searchParams.get('i'));
    const plan = planOf(i, o);
    const record = i < WARMUP; // warm-up requests are not counted
    const renders = [];
    // Registered before renderToNodeResponse's own listener, so it sees the renders as they were at the disconnect.
    res.once('close', () => {
      if (res.writableFinished || !record) return;
      stats.serverAborted++;
      const pending = renders.filter((r) => !r.finished && !r.signal.aborted);
      stats.rendersPendingAtDisconnect += pending.length;
      setImmediate(
        () => (stats.rendersAbortedAtDisconnect += pending.filter((r) => r.signal.aborted && r.sawAbort).length),
      );
    });
    const pagelets = plan.pagelets.map(({ id, kind, latency }) => ({
      id,
      fallback: FALLBACK,
      render({ signal }) {
        if (record) stats.renders++;
        const render = { signal, finished: false, sawAbort: false };
        renders.push(render);
        signal.addEventListener('abort', () => (render.sawAbort = true), { once: true });
        if (kind === 'throw') {
          render.finished = true;
          throw new Error('render failed');
        }
        live++;
        const finish = () => {
          if (!render.finished) (render.finished = true), live--;
        };
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            finish();
            if (kind === 'ok') resolve({ html: `<p>${id} ok</p>`, css: `#${id}{color:green}` });
            else reject(new Error(kind === 'ignore' ? 'late failure' : 'backend down'));
          }, latency);
          if (kind !== 'ignore')
            signal.addEventListener(
              'abort',
              () => {
                clearTimeout(timer);
                finish();
                reject(signal.reason);
              },
              { once: true },
            );
        });
      },
    }));
    renderToNodeResponse(
      {
        head: '<title>load</title>',
        body: '<h1>load</h1>' + pagelets.map((p) => placeholder(p.id)).join(''),
        pagelets,
      },
      res,
      { timeout: o.timeout, onError: () => record && stats.renderErrors++ },
    ).then(
      () => record && stats.responsesResolved++,
      () => record && stats.responsesRejected++,
    );
  });
  const { port, close } = await listen(server, Math.max(511, o.concurrency * 2));
  const agent = new http.Agent({ keepAlive: false, maxSockets: o.concurrency + 16 });

  const ttfb = [];
  const bodies = [];
  const started = Date.now();
  const one = (i, record) =>
    new Promise((resolve) => {
      const plan = planOf(i, o);
      const start = performance.now();
      let killer;
      let settled = false;
      const finish = (outcome, body) => {
        if (settled) return;
        settled = true;
        clearTimeout(killer);
        clearTimeout(guard);
        if (outcome === 'complete') bodies.push(body);
        if (record) {
          if (outcome === 'complete') {
            if (plan.disconnect) stats.finishedBeforeDisconnect++;
            else stats.completed++;
          } else if (outcome === 'cut') plan.disconnect ? stats.cut++ : stats.unexpectedCuts++;
          else if (outcome === 'timeout') stats.clientTimeouts++;
          else stats.clientErrors++;
        }
        resolve();
      };
      const req = http.get({ host: '127.0.0.1', port, path: `/?i=${i}`, agent }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => {
          if (!chunks.length) {
            if (record) ttfb.push(performance.now() - start);
            // after the shell: destroy the socket a little later, mid-stream
            if (plan.disconnect)
              killer = setTimeout(() => {
                if (record) stats.disconnectsDone++;
                req.destroy();
              }, plan.disconnectAfter);
          }
          chunks.push(chunk);
        });
        res.on('end', () => finish('complete', Buffer.concat(chunks).toString()));
        res.on('close', () => finish(res.complete ? 'complete' : 'cut'));
        res.on('error', () => {});
      });
      req.on('error', () => finish('error'));
      const guard = setTimeout(() => {
        req.destroy();
        finish('timeout');
      }, 20_000);
      if (record) {
        stats.requests++;
        if (plan.disconnect) stats.disconnectsPlanned++;
      }
    });
  const pool = async (count, concurrency, offset, record) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, async () => {
        while (next < count && Date.now() - started < o.deadline) await one(offset + next++, record);
      }),
    );
  };

  // Every complete body, parsed as a browser would: each pagelet exactly once, with its content or its fallback.
  const verify = (into) => {
    const ids = Array.from({ length: o.pagelets }, (_, j) => `p${j}`);
    for (const body of bodies.splice(0)) {
      if (!body.endsWith('</body></html>')) into.unfinishedBodies++;
      const payloads = payloadsOf(body);
      for (const id of ids) {
        const n = payloads.filter((p) => p.target === id).length;
        if (n === 0) into.lostPagelets++;
        if (n > 1) into.duplicatedPagelets++;
      }
      payloads.forEach((p, i) => {
        if (!ids.includes(p.target)) into.strangeTargets++;
        else if (p.html !== `<p>${p.target} ok</p>` && p.html !== FALLBACK) into.wrongContent++;
        // the total on the first payload only
        else if (p.total !== (i ? undefined : o.pagelets)) into.wrongContent++;
      });
    }
  };

  // Renders that ignore their signal finish on their own timers, sockets close on later ticks: wait for both
  // (bounded), so the heap is compared in the same state each time (server listening, nothing in flight).
  const connections = () => new Promise((r) => server.getConnections((_, n) => r(n ?? 0)));
  const quiesce = async () => {
    const until = Date.now() + 2 * o.maxLatency + 3000;
    while ((live > 0 || (await connections()) > 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  };

  let heapBefore;
  if (o.heap) {
    // At full concurrency and long enough for the JIT to settle, so what Node keeps for reuse up to its peak (e.g.
    // up to 1,000 free HTTP parsers) and the optimized code are there before the baseline; bodies parsed too.
    await pool(Math.max(o.warmup, o.concurrency), o.concurrency, WARMUP, false);
    verify({});
    await quiesce();
    heapBefore = heapAfterGc(gc);
  }
  const runStarted = performance.now();
  await pool(o.requests, o.concurrency, 0, true);
  const seconds = (performance.now() - runStarted) / 1000;

  verify(stats);

  await quiesce();
  const heapAfter = o.heap ? heapAfterGc(gc) : undefined;
  agent.destroy();
  await close();
  const extra = await settleResources(resourcesBefore);
  await new Promise((r) => setImmediate(r)); // a rejection left unhandled is reported after the microtasks of a tick
  process.off('unhandledRejection', onUnhandled);

  return {
    ...stats,
    pendingRendersLeft: live,
    unhandledRejections: unhandled,
    extraResources: extra,
    extraResourcesRaw: extraResources(resourcesBefore, resources()),
    seconds: +seconds.toFixed(2),
    requestsPerSecond: Math.round(stats.requests / seconds),
    ttfb: { p50: percentile(ttfb, 50), p99: percentile(ttfb, 99), max: percentile(ttfb, 100) },
    heap: o.heap
      ? { gcAvailable: !!gc, before: heapBefore, after: heapAfter, change: heapAfter / heapBefore - 1 }
      : undefined,
  };
};

if (isMain(import.meta)) {
  const requests = Number(process.argv[2] ?? 5000);
  const concurrency = Number(process.argv[3] ?? 1000);
  console.log(machineLine());
  const f = await loadWithAborts({ requests, concurrency, heap: true });
  const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');
  report(
    `load with aborts: ${requests} requests, ${concurrency} concurrent, 10 pagelets each (0-500 ms, 10% throw/reject, 10% ignore their signal and reject late, timeout 300 ms), 20% of clients disconnect after the shell`,
    {
      'requests sent': f.requests,
      'completed (full body)': f.completed,
      'cut by their own client (planned disconnects done)': `${f.cut} (${f.disconnectsDone} of ${f.disconnectsPlanned} planned; ${f.finishedBeforeDisconnect} finished first)`,
      'client errors / timeouts / cut without a disconnect': `${f.clientErrors} / ${f.clientTimeouts} / ${f.unexpectedCuts}`,
      'pagelets lost in completed responses': `${f.lostPagelets} (duplicated ${f.duplicatedPagelets}, unknown targets ${f.strangeTargets}, wrong content ${f.wrongContent}, unfinished bodies ${f.unfinishedBodies})`,
      renders: `${f.renders} (${f.renderErrors} reported to onError: thrown, rejected, timed out)`,
      'responses the server saw disconnected': f.serverAborted,
      'renders pending at a disconnect whose signal fired': `${f.rendersAbortedAtDisconnect} of ${f.rendersPendingAtDisconnect} (${pct(f.rendersAbortedAtDisconnect, f.rendersPendingAtDisconnect)})`,
      'renderToNodeResponse resolved / rejected': `${f.responsesResolved} / ${f.responsesRejected}`,
      'unhandled rejections': f.unhandledRejections,
      'extra active resources after the run': JSON.stringify(f.extraResources),
      'heap after GC, before -> after': `${kb(f.heap.before)} -> ${kb(f.heap.after)} (${(f.heap.change * 100).toFixed(1)}%${f.heap.gcAvailable ? '' : ', no gc available'})`,
      'TTFB under load (client and server in one process)': `p50 ${ms(f.ttfb.p50)}, p99 ${ms(f.ttfb.p99)}, max ${ms(f.ttfb.max)}`,
      'wall time': `${f.seconds} s (${f.requestsPerSecond} requests/s)`,
    },
  );
  goal(
    '0 pagelets lost in completed responses',
    f.lostPagelets + f.duplicatedPagelets + f.strangeTargets + f.wrongContent + f.unfinishedBodies === 0,
  );
  goal(
    '100% of renders pending at a disconnect saw their signal abort',
    f.rendersAbortedAtDisconnect === f.rendersPendingAtDisconnect,
  );
  goal('0 unhandled rejections', f.unhandledRejections === 0);
  goal('0 extra open handles or timers', !Object.keys(f.extraResources).length);
  goal('heap after GC within 10% of before', Math.abs(f.heap.change) <= 0.1);
}

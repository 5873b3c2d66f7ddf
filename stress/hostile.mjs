// Campaign: hostile requests, renders, clients and pages against the built server module (and the demo and
// examples that use it), and hostile servers against the checker (checker.mjs). One line per item of the hardening
// issue, each with its figure; every server on 127.0.0.1.
//   node stress/hostile.mjs            (npm run stress runs it too; test/stress/hostile.test.ts runs it with quick)
import fc from 'fast-check';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import {
  noscriptRedirect,
  pickMode,
  placeholder,
  renderToChunks,
  renderToNodeResponse,
  renderToReadableStream,
  serializePagelet,
} from 'bigpipe-js/server';
import { start as startDemo } from '../demo/server.mjs';
import { start as startExample } from '../examples/node-http.mjs';
import { checkerCampaign } from './checker.mjs';
import { listen } from '../test/support/loopback.mjs';
import { machineLine } from '../test/support/machine.mjs';
import { attrs, elements, parseDocument } from '../test/support/parse.mjs';
import { getGc, isMain } from './lib.mjs';

const MB = 1024 * 1024;
const quiet = { onError: () => {} };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const collect = async (chunks) => {
  let out = '';
  for await (const chunk of chunks) out += chunk;
  return out;
};

/** What escaped to the process while the campaign ran: it must stay zero. */
const escaped = { uncaught: 0, unhandled: 0, warnings: 0, first: undefined };
const onUncaught = (error) => (escaped.uncaught++, (escaped.first ??= error));
const onUnhandled = (reason) => (escaped.unhandled++, (escaped.first ??= reason));
const onWarning = (warning) => warning.name === 'MaxListenersExceededWarning' && escaped.warnings++;

/** Sends one raw request line and resolves to the status code (0: the connection closed without one). */
const rawRequest = (port, target) =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () =>
      socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    );
    let head = '';
    socket.setEncoding('latin1');
    socket.on('data', (data) => (head += data));
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)));
    socket.on('error', () => {});
    socket.setTimeout(5000, () => socket.destroy());
  });

const TARGETS = [
  '//[',
  '//%zz/',
  '/%',
  '//evil.example/',
  '/\\evil',
  'http://[::1',
  '/?bigpipe=%zz',
  '*',
  '/a/../../..',
];

/** 1. Request lines that are no URL, against pickMode, the demo and the node:http example. */
async function requestLines({ quick }) {
  const fuzzed = fc.sample(fc.string({ unit: 'binary-ascii', maxLength: 30 }), {
    numRuns: quick ? 2000 : 50_000,
    seed: 15,
  });
  let threw = 0;
  for (const url of [...TARGETS, ...fuzzed.map((s) => '/' + s), ...fuzzed])
    try {
      pickMode({ url, headers: { cookie: url, 'user-agent': url } });
    } catch {
      threw++;
    }
  const demo = startDemo(0);
  await new Promise((resolve) => demo.once('listening', resolve));
  const example = await startExample({ port: 0, host: '127.0.0.1' });
  let answered = 0;
  let sent = 0;
  for (const server of [demo, example])
    for (const target of TARGETS) {
      sent++;
      if ((await rawRequest(server.address().port, target)) >= 200) answered++;
    }
  const stillUp = (await fetch(`http://127.0.0.1:${example.address().port}/`)).status === 200;
  for (const server of [demo, example]) {
    server.closeAllConnections();
    server.close();
  }
  return {
    item: '1 request lines that are no URL',
    figure: `pickMode threw ${threw} of ${TARGETS.length + 2 * fuzzed.length}; demo + example answered ${answered} of ${sent}, still up: ${stillUp}`,
    ok: threw === 0 && answered === sent && stillUp,
  };
}

/** 2. noscriptRedirect never leads off the page's origin. */
function redirects({ quick }) {
  const pieces = fc.constantFrom(
    '/',
    '\\',
    '//',
    '\\\\',
    'http:',
    'https://evil.example',
    'javascript:',
    '\t',
    '\n',
    ' ',
    '%2f',
    '.',
    '..',
    '?',
    '#',
    '@',
    'evil.example',
    ':',
    '\0',
  );
  const samples = fc.sample(
    fc.array(pieces, { maxLength: 8 }).map((p) => p.join('')),
    { numRuns: quick ? 3000 : 100_000, seed: 2 },
  );
  let left = 0;
  for (const url of samples) {
    const content = /content="0;url=([^"]*)"/
      .exec(noscriptRedirect(url))[1]
      .replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'");
    // a target the browser cannot resolve counts as off the origin too: nothing may be left to chance
    if (
      !URL.canParse(content, 'https://site.example/shop/item') ||
      new URL(content, 'https://site.example/shop/item').origin !== 'https://site.example'
    )
      left++;
  }
  return { item: '2 noscriptRedirect targets off the origin', figure: `${left} of ${samples.length}`, ok: left === 0 };
}

/** 3, 7, 8, 9. Renders that throw from getters, are too large, sparse, prototype-setting or no content at all. */
async function badRenders({ quick }) {
  const longest = quick ? undefined : 'x'.repeat(2 ** 29 - 30);
  const throwing = {
    get html() {
      throw new Error('getter');
    },
  };
  const cases = {
    'getter throws': () => throwing,
    'async getter throws': async () => throwing,
    'then getter throws': () =>
      Object.defineProperty({}, 'then', {
        get: () => {
          throw new Error('then');
        },
      }),
    // biome-ignore lint/suspicious/noSparseArray: a sparse array is the hostile input
    'sparse css_links': () => ({ css_links: [, '/a.css'] }),
    'sync generator': function* () {
      yield { html: 'x' };
    },
    'no content': () => ({}),
    ...(longest ? { 'beyond V8 string limit': () => ({ html: longest, css: 'p{}' }) } : {}),
  };
  let lost = 0;
  let pages = 0;
  let reports = 0;
  for (const mode of ['pipeline', 'inline'])
    for (const [id, render] of Object.entries(cases)) {
      const errors = [];
      /** @type {import('bigpipe-js/server').Pagelet[]} */
      const pagelets = [
        { id: 'bad', render: /** @type {any} deliberately broken */ (render), fallback: 'F' },
        { id: 'good', render: () => ({ html: 'G' }) },
      ];
      const out = await collect(
        renderToChunks(
          { body: placeholder('bad') + placeholder('good'), pagelets },
          { mode: /** @type {'pipeline' | 'inline'} */ (mode), onError: (_, pid) => errors.push(pid) },
        ),
      );
      pages++;
      const shown =
        mode === 'inline' ? out.includes('<div id="bad">F</div>') : out.includes('"target":"bad","html":"F"');
      if (!shown || !out.endsWith('</body></html>') || errors.join() !== 'bad') lost++;
      reports += errors.length;
      void id;
    }
  // __proto__ from JSON.parse: never on the wire
  const proto = serializePagelet(JSON.parse('{"target":"a","__proto__":{"total":1}}'));
  const protoOut = await collect(
    renderToChunks(
      {
        body: placeholder('a'),
        pagelets: [{ id: 'a', render: () => JSON.parse('{"html":"x","__proto__":{"total":1}}') }],
      },
      quiet,
    ),
  );
  await sleep(0);
  const protoWritten = +proto.includes('__proto__') + +protoOut.includes('__proto__');
  return [
    {
      item: '3, 7, 9 renders that throw, overflow, are sparse or have no content',
      figure: `${lost} of ${pages} pages lost a pagelet (each: fallback, onError once, page complete; ${reports} reports)`,
      ok: lost === 0,
    },
    { item: '8 __proto__ keys written', figure: `${protoWritten} of 2`, ok: protoWritten === 0 },
  ];
}

/** 4, 6, 14. Responses already ended, invalid pages, HEAD requests. */
async function responses({ quick }) {
  const n = quick ? 20 : 200;
  let renders = 0;
  const counted = { render: () => (renders++, { html: 'x' }) };
  const outcomes = { ended: 0, invalid: 0, head: 0 };
  const server = http.createServer((req, res) => {
    if (req.url === '/ended') {
      res.end('answered first');
      renderToNodeResponse({ body: placeholder('a'), pagelets: [{ id: 'a', ...counted }] }, res, quiet).catch(
        () => outcomes.ended++,
      );
    } else if (req.url === '/invalid') {
      renderToNodeResponse({ body: '', pagelets: [{ id: 'a b', render: () => ({ html: '' }) }] }, res).catch(
        () => outcomes.invalid++,
      );
    } else
      renderToNodeResponse({ body: placeholder('a'), pagelets: [{ id: 'a', ...counted }] }, res, quiet).then(
        () => outcomes.head++,
      );
  });
  const { base, close } = await listen(server);
  const statuses = { ended: 0, invalid: 0, head: 0 };
  for (let i = 0; i < n; i++) {
    if ((await (await fetch(`${base}/ended`)).text()) === 'answered first') statuses.ended++;
    const invalid = await fetch(`${base}/invalid`);
    await invalid.text();
    if (invalid.status === 500) statuses.invalid++;
    if ((await fetch(`${base}/head`, { method: 'HEAD' })).status === 200) statuses.head++;
  }
  await sleep(20);
  await close();
  return [
    {
      item: '4 response already ended',
      figure: `${outcomes.ended} of ${n} rejected, ${renders} renders started`,
      ok: outcomes.ended === n && renders === 0,
    },
    {
      item: '6 invalid page',
      figure: `${statuses.invalid} of ${n} answered 500 and rejected (${outcomes.invalid})`,
      ok: statuses.invalid === n && outcomes.invalid === n,
    },
    {
      item: '14 HEAD',
      figure: `${statuses.head} of ${n} headers only, ${renders} renders started`,
      ok: statuses.head === n && outcomes.head === n && renders === 0,
    },
  ];
}

/** 5. HTTP/2 streams reset before the call, and mid-page. */
async function http2Resets({ quick }) {
  const n = quick ? 50 : 500;
  let settled = 0;
  let started = 0;
  const signals = [];
  const render = ({ signal }) => (started++, signals.push(signal), new Promise(() => {}));
  const server = http2.createServer((req, res) => {
    const page = { body: placeholder('a'), pagelets: [{ id: 'a', render, timeout: Infinity }] };
    // an HTTP/2 compatibility response stands in for a ServerResponse (what the test is about)
    const go = () => renderToNodeResponse(page, /** @type {any} */ (res), quiet).then(() => settled++);
    if (req.url === '/before') req.stream.once('close', go);
    else go();
  });
  const listening = await listen(server);
  // A new session per 50 streams: Node's server ends a session that resets streams faster than that (its guard
  // against rapid-reset floods), which is not what is measured here.
  /** @type {import('node:http2').ClientHttp2Session} */
  let client;
  const session = () => {
    client?.destroy();
    client = http2.connect(listening.base);
  };
  const reset = (path, when) =>
    new Promise((resolve) => {
      const stream = client.request({ ':path': path });
      stream.on('error', () => {});
      stream.once(when, () => stream.close(http2.constants.NGHTTP2_CANCEL));
      stream.once('close', resolve);
    });
  for (const path of ['/before', '/during'])
    for (let i = 0; i < n; i += 50) {
      session();
      await Promise.all(Array.from({ length: 50 }, () => reset(path, path === '/before' ? 'ready' : 'data')));
    }
  for (let i = 0; i < 100 && settled < 2 * n; i++) await sleep(10);
  const pending = signals.filter((s) => !s.aborted).length;
  client.destroy();
  await listening.close();
  return {
    item: '5 HTTP/2 resets (before the call and mid-page)',
    figure: `${2 * n - settled} of ${2 * n} calls pending, ${pending} of ${started} renders not aborted`,
    ok: settled === 2 * n && pending === 0,
  };
}

/** 10. Every element inline mode writes carries the nonce. */
async function inlineNonce() {
  const content = { css_links: ['/a.css'], css: 'p{}', html: '<p>x</p>', js_links: ['/a.js'], js: 'f()' };
  const out = await collect(
    renderToChunks(
      { body: placeholder('a'), pagelets: [{ id: 'a', render: () => content }] },
      { mode: 'inline', nonce: 'N0nce' },
    ),
  );
  const doc = parseDocument(out);
  const written = [...elements(doc, 'link'), ...elements(doc, 'style'), ...elements(doc, 'script')];
  const without = written.filter((e) => attrs(e, 'nonce')[0] !== 'N0nce').length;
  return {
    item: '10 inline-mode elements without the nonce',
    figure: `${without} of ${written.length}`,
    ok: without === 0 && written.length === 4,
  };
}

/** 11. Inline mode with many placeholders: one linear pass, against pipeline mode on the same page. */
async function inlineScale({ quick }) {
  const n = quick ? 10_000 : 50_000;
  const pagelets = Array.from({ length: n }, (_, i) => ({ id: `p${i}`, render: () => ({ html: 'x' }) }));
  const body = '<script>var s = \'<div id="p0"></div>\'</script>' + pagelets.map((p) => placeholder(p.id)).join('');
  const time = async (/** @type {'pipeline' | 'inline'} */ mode) => {
    const started = performance.now();
    const out = await collect(renderToChunks({ body, pagelets }, { mode, ...quiet }));
    return /** @type {const} */ ([performance.now() - started, out]);
  };
  const [pipeline] = await time('pipeline');
  const [inline, out] = await time('inline');
  const inScript = out.includes('\'<div id="p0"></div>\'</script>') && out.includes('<div id="p0">x</div>');
  return {
    item: `11 inline mode, ${n.toLocaleString('en')} pagelets`,
    figure: `${(inline / 1000).toFixed(2)} s vs pipeline ${(pipeline / 1000).toFixed(2)} s (${(inline / pipeline).toFixed(2)}×); script text skipped: ${inScript}`,
    ok: inScript && inline < 10 * pipeline + 1000,
  };
}

/** 12. Surrogate pairs split across streamed items reach the wire whole, in both adapters' encodings. */
async function surrogates({ quick }) {
  const emoji = fc.sample(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }), {
    numRuns: quick ? 300 : 3000,
    seed: 12,
  });
  let broken = 0;
  for (const text of emoji) {
    const units = [...text.split('')];
    async function* feed() {
      for (const unit of units) yield { html: unit };
    }
    const page = { body: placeholder('a'), pagelets: [{ id: 'a', render: feed }] };
    const bytes = new Uint8Array(
      await new Response(renderToReadableStream(page, { mode: 'inline', ...quiet })).arrayBuffer(),
    );
    const decoded = new TextDecoder().decode(bytes);
    if (!decoded.includes(`<div id="a">${text}</div>`) || decoded.includes('\ufffd') !== text.includes('\ufffd'))
      broken++;
  }
  return { item: '12 split surrogate pairs broken', figure: `${broken} of ${emoji.length} texts`, ok: broken === 0 };
}

/** 13. Clients that read the headers and then nothing more: memory per connection, and the write timeout. */
async function stalledClients({ quick }) {
  const gc = getGc();
  const connections = quick ? 4 : 20;
  const pagelets = 14;
  // One megabyte of html per pagelet, the same string for every render (a template cache would do the same).
  const html = '<p>' + 'x'.repeat(MB - 7) + '</p>';
  let rendered = 0;
  let ended = 0;
  const writeTimeout = quick ? 300 : 2000;
  const page = () => ({
    body: Array.from({ length: pagelets }, (_, i) => placeholder(`p${i}`)).join(''),
    pagelets: Array.from({ length: pagelets }, (_, i) => ({ id: `p${i}`, render: () => (rendered++, { html }) })),
  });
  const server = http.createServer((_req, res) =>
    renderToNodeResponse(page(), res, { ...quiet, writeTimeout }).then(() => ended++),
  );
  const { port, close } = await listen(server);
  const memory = () => {
    gc?.();
    gc?.();
    const { heapUsed, external } = process.memoryUsage();
    return heapUsed + external;
  };
  const before = memory();
  const sockets = [];
  for (let i = 0; i < connections; i++) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.pause(); // reads nothing: the kernel buffers fill, then Node's
    sockets.push(socket);
  }
  for (let i = 0; i < 500 && rendered < connections * pagelets; i++) await sleep(10);
  await sleep(50);
  const held = (memory() - before) / connections;
  for (let i = 0; i < 300 && ended < connections; i++) await sleep(20);
  sockets.forEach((s) => s.destroy());
  await close();
  const largestChunk = MB + 100;
  return {
    item: '13 stalled clients (14 MB page of 1 MB pagelets)',
    figure: `${(held / MB).toFixed(2)} MB held per stalled connection (goal ≤ ${((2 * largestChunk) / MB).toFixed(1)} MB); ${ended} of ${connections} ended by writeTimeout ${writeTimeout} ms`,
    ok: held <= 2 * largestChunk && ended === connections,
  };
}

/** 15. One options.signal shared by many concurrent renders. */
async function sharedSignal() {
  const controller = new AbortController();
  const renders = Array.from({ length: 200 }, () =>
    collect(
      renderToChunks(
        { body: placeholder('a'), pagelets: [{ id: 'a', render: () => new Promise(() => {}), timeout: Infinity }] },
        { ...quiet, signal: controller.signal },
      ),
    ).catch((e) => e),
  );
  await sleep(0);
  controller.abort(new Error('shutdown'));
  const results = await Promise.all(renders);
  await sleep(0);
  const rejected = results.filter((r) => r instanceof Error && r.message === 'shutdown').length;
  return {
    item: '15 shared options.signal, 200 pages',
    figure: `${escaped.warnings} MaxListenersExceededWarnings, ${rejected} of 200 pages cancelled`,
    ok: escaped.warnings === 0 && rejected === 200,
  };
}

/** @typedef {{ item: string, figure: string, ok: boolean }} HostileLine one item's outcome */

/**
 * Runs every item and returns its lines; `quick` for the version in npm test.
 * @returns {Promise<HostileLine[]>}
 */
export async function hostileCampaign({ quick = false } = {}) {
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
  process.on('warning', onWarning);
  const lines = [];
  // Each item on its own: one that throws or hangs is a missed line, and the others still run.
  const run = async (name, item) => {
    let timer;
    try {
      const limit = new Promise(
        (_, reject) => (timer = setTimeout(reject, 120_000, new Error('did not finish in 120 s'))),
      );
      lines.push(...[await Promise.race([item({ quick }), limit])].flat());
    } catch (error) {
      lines.push({ item: name, figure: `the item itself failed: ${error?.message ?? error}`, ok: false });
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    await run('1 request lines', requestLines);
    await run('2 redirects', redirects);
    await run('3, 7, 8, 9 bad renders', badRenders);
    await run('4, 6, 14 responses', responses);
    await run('5 HTTP/2 resets', http2Resets);
    await run('10 inline nonce', inlineNonce);
    await run('11 inline scale', inlineScale);
    await run('12 surrogates', surrogates);
    await run('13 stalled clients', stalledClients);
    await run('15 shared signal', sharedSignal);
    // 16-18: the checker against hostile servers (stress/checker.mjs, each item in a process of its own)
    await run('16-18 checker', async () =>
      (await checkerCampaign({ quick })).map((line) => ({
        ...line,
        item: line.item.replace(/^checker: /, '16-18 checker: '),
      })),
    );
    await sleep(20);
    lines.push({
      item: 'whole campaign: crashes and unhandled rejections',
      figure: `${escaped.uncaught} uncaught exceptions, ${escaped.unhandled} unhandled rejections${escaped.first ? ` (first: ${escaped.first})` : ''}`,
      ok: escaped.uncaught + escaped.unhandled === 0,
    });
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUnhandled);
    process.off('warning', onWarning);
  }
  return lines;
}

if (isMain(import.meta)) {
  console.log(`hostile requests, renders, clients and pages\n${machineLine()}`);
  const lines = await hostileCampaign();
  for (const { item, figure, ok } of lines) console.log(`  ${ok ? 'ok    ' : 'MISSED'} ${item}: ${figure}`);
  if (lines.some((l) => !l.ok)) process.exitCode = 1;
}

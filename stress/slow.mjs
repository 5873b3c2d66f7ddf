// Campaign 3, slow readers: clients that read a page of large pagelets a few KB at a time. renderToNodeResponse must
// honour backpressure (what it has handed to the response but the socket has not taken, res.writableLength, stays
// within one chunk of the highWaterMark) and drop nothing (every body complete and parsed). A control server that
// writes every chunk without waiting for 'drain' shows what is at stake.
//   node stress/slow.mjs [readers]      (default 20 per server with 200 KB pagelets, a quarter of that with 1 MB)
import { fork } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { placeholder, renderToChunks, renderToNodeResponse } from 'bigpipe-js/server';
import { listen } from '../test/support/loopback.mjs';
import { machineLine } from '../test/support/machine.mjs';
import { payloadsOf } from '../test/support/parse.mjs';
import { getGc, goal, heapAfterGc, isMain, kb, report } from './lib.mjs';

/** The html of pagelet `j`: a list of about `size` characters, with plenty of `<` for the escaping to expand. */
const htmlOf = (j, size) => {
  const item = (k) => `<li class="row">pagelet ${j} item ${String(k).padStart(6, '0')}: some text</li>`;
  let html = '<ul>';
  for (let k = 0; html.length < size; k++) html += item(k);
  // flat, not the rope of += pieces: V8 flattens a rope when it is first serialized, which would show up as a
  // heap drop in the middle of a measurement
  return Buffer.from(html + '</ul>').toString();
};

/**
 * One HTTP/1.0 GET (no chunked encoding: the body is the bytes until the server closes) read `bytes` at a time
 * every `every` ms. Resolves with the body as a Buffer; `progress.read` counts the bytes taken so far.
 */
const slowGet = (port, path, { bytes, every, deadline }, progress) =>
  new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    socket.write(`GET ${path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n`);
    // Paused mode: nothing is taken from the socket except by read(), so the kernel buffers fill and TCP flow
    // control pushes back on the server, as with a slow client.
    const take = () => {
      const n = Math.min(bytes, socket.readableLength);
      if (n > 0) {
        const chunk = socket.read(n);
        chunks.push(chunk);
        progress.read += chunk.length;
      } else socket.read(0);
    };
    const timer = setInterval(take, every);
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error(`slow reader: no end after ${deadline} ms (${progress.read} bytes read)`));
    }, deadline);
    socket.on('end', () => {
      clearInterval(timer);
      clearTimeout(guard);
      resolve(Buffer.concat(chunks));
    });
    socket.on('error', (error) => {
      clearInterval(timer);
      clearTimeout(guard);
      reject(error);
    });
  });

/** Whether a raw HTTP/1.0 response holds the whole page: every pagelet once, with its html, and the end. */
const complete = (raw, htmls) => {
  const text = raw.toString();
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  const payloads = payloadsOf(body);
  return (
    body.endsWith('</body></html>') &&
    payloads.length === htmls.length &&
    htmls.every((html, j) => payloads.filter((p) => p.target === `p${j}` && p.html === html).length === 1)
  );
};

/** Runs `o.readers` slow readers of `path` at once; resolves with how many bodies were incomplete. */
const readAll = async (port, path, o, progress) => {
  const htmls = Array.from({ length: o.pagelets }, (_, j) => htmlOf(j, o.size));
  const bodies = await Promise.all(progress.map((p) => slowGet(port, path, o, p)));
  return bodies.filter((raw) => !complete(raw, htmls)).length;
};

/**
 * Readers in a child process, so the server's memory figures hold nothing of theirs. Resolves with the incomplete
 * count; `progress` is updated from the child's messages.
 */
const readInChild = (port, path, o, progress) =>
  new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--read', JSON.stringify({ port, path, o })], {
      stdio: 'inherit',
    });
    child.on('message', (/** @type {any} */ m) => {
      if (m.progress) m.progress.forEach((read, i) => (progress[i].read = read));
      if (m.incomplete !== undefined) resolve(m.incomplete);
    });
    child.on('exit', (code) => (code ? reject(new Error(`reader process exited with ${code}`)) : undefined));
  });

/**
 * `readers` slow readers on renderToNodeResponse and, with `naive`, as many on a control server that ignores
 * write()'s return value. Returns per-server figures: the largest res.writableLength seen right after a write (the
 * only moment it grows), how often write() returned false, the largest chunk, and whether every body was complete.
 */
/**
 * @typedef {object} SlowFigures
 * @property {number} streams
 * @property {number} incompleteBodies
 * @property {number} pageBytes
 * @property {number} highWaterMark
 * @property {number} largestChunk
 * @property {number} maxBufferedPerResponse
 * @property {number} writesReturningFalse
 * @property {number} [heapPerStream]
 * @property {number} [buffersPerStream]
 */

/**
 * @param {{ readers?: number, pagelets?: number, size?: number, bytes?: number, every?: number, naive?: boolean, memory?: boolean, deadline?: number }} [options]
 * @returns {Promise<{ bigpipe: SlowFigures, naive?: SlowFigures }>}
 */
export const slowReaders = async (options = {}) => {
  const o = {
    readers: 2,
    pagelets: 10,
    size: 200 * 1024,
    bytes: 16 * 1024,
    every: 2,
    naive: true,
    memory: false,
    deadline: 60_000,
    ...options,
  };
  const htmls = Array.from({ length: o.pagelets }, (_, j) => htmlOf(j, o.size));
  const page = () => ({
    head: '<title>slow readers</title>',
    body: '<h1>large pagelets</h1>' + htmls.map((_, j) => placeholder(`p${j}`)).join(''),
    pagelets: htmls.map((html, j) => ({
      id: `p${j}`,
      // all ready within 50 ms, long before a slow reader has read the first one
      render: () => new Promise((resolve) => setTimeout(resolve, 5 * j, { html })),
    })),
  });
  const responses = [];
  /** Wraps res.write to record what backpressure is about. */
  const watch = (res, variant) => {
    const r = { variant, maxBuffered: 0, falses: 0, maxChunk: 0, bytes: 0, highWaterMark: res.writableHighWaterMark };
    responses.push(r);
    const write = res.write;
    res.write = function (chunk, ...rest) {
      const ok = write.call(this, chunk, ...rest);
      const size = Buffer.byteLength(chunk);
      r.bytes += size;
      r.maxChunk = Math.max(r.maxChunk, size);
      r.maxBuffered = Math.max(r.maxBuffered, this.writableLength);
      if (!ok) r.falses++;
      return ok;
    };
    return res;
  };
  const server = http.createServer(async (req, res) => {
    if (req.url === '/bigpipe') return void renderToNodeResponse(page(), watch(res, 'bigpipe'));
    // control: the same chunks, written as they come, write()'s return value ignored
    watch(res, 'naive');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    for await (const chunk of renderToChunks(page())) res.write(chunk);
    res.end();
  });
  const { port, close } = await listen(server);
  const gc = o.memory ? getGc() : undefined;

  // What the server process holds: JS heap, plus the ArrayBuffers where Node keeps socket writes not yet taken
  // by the kernel (about 3 bytes per character of a string chunk: room for the worst-case UTF-8).
  const memory = () => {
    heapAfterGc(gc);
    const m = process.memoryUsage();
    return { heap: m.heapUsed, buffers: m.arrayBuffers };
  };
  const phase = async (variant) => {
    const progress = Array.from({ length: o.readers }, () => ({ read: 0 }));
    const before = o.memory ? memory() : undefined;
    const reading = (o.memory ? readInChild : readAll)(port, `/${variant}`, o, progress);
    let middle;
    if (o.memory) {
      // halfway through every page: what the server holds per stream
      const half = (o.pagelets * o.size) / 2;
      const until = Date.now() + o.deadline;
      while (progress.some((p) => p.read < half) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      middle = memory();
    }
    const incomplete = await reading;
    const mine = responses.filter((r) => r.variant === variant);
    return {
      streams: o.readers,
      incompleteBodies: incomplete,
      pageBytes: mine[0]?.bytes,
      highWaterMark: mine[0]?.highWaterMark,
      largestChunk: Math.max(...mine.map((r) => r.maxChunk)),
      maxBufferedPerResponse: Math.max(...mine.map((r) => r.maxBuffered)),
      writesReturningFalse: mine.reduce((n, r) => n + r.falses, 0),
      heapPerStream: o.memory ? (middle.heap - before.heap) / o.readers : undefined,
      buffersPerStream: o.memory ? (middle.buffers - before.buffers) / o.readers : undefined,
    };
  };
  try {
    const figures = { bigpipe: await phase('bigpipe') };
    if (o.naive) figures.naive = await phase('naive');
    return figures;
  } finally {
    await close();
  }
};

if (process.argv[2] === '--read') {
  // the child side of readInChild
  const { port, path, o } = JSON.parse(process.argv[3]);
  const progress = Array.from({ length: o.readers }, () => ({ read: 0 }));
  const ticker = setInterval(() => process.send({ progress: progress.map((p) => p.read) }), 20);
  const incomplete = await readAll(port, path, o, progress);
  clearInterval(ticker);
  process.send({ incomplete }, () => process.exit(0));
} else if (isMain(import.meta)) {
  const readers = Number(process.argv[2] ?? 20);
  console.log(machineLine());
  const mb = (bytes) => `${Math.max(0, bytes / 1048576).toFixed(2)} MB`; // a drop below the baseline is noise
  // 10 x 200 KB as asked; 10 x 1 MB too, because on loopback the kernel takes about 4 MB per connection (socket
  // buffers), so a 2.4 MB page never waits in the process at all, with or without backpressure.
  for (const [size, count] of [
    [200 * 1024, readers],
    [1024 * 1024, Math.max(1, readers / 4)],
  ]) {
    const f = await slowReaders({ readers: count, size, bytes: 16 * 1024, every: 5, memory: true });
    for (const [variant, v] of Object.entries(f))
      report(
        `slow readers, ${variant === 'bigpipe' ? 'renderToNodeResponse' : 'control: a server ignoring write() === false'}: ${v.streams} concurrent readers (another process) taking 16 KB every 5 ms, 10 pagelets x ${kb(size)}`,
        {
          'bodies complete and parsed': `${v.streams - v.incompleteBodies} of ${v.streams}`,
          'page on the wire / largest chunk / highWaterMark': `${mb(v.pageBytes)} / ${kb(v.largestChunk)} / ${kb(v.highWaterMark)}`,
          'max res.writableLength per response (bytes waiting in the process)': kb(v.maxBufferedPerResponse),
          'write() returned false (drain waits)': v.writesReturningFalse,
          'server memory per stream, halfway, after GC: JS heap + socket write buffers': `${mb(v.heapPerStream)} + ${mb(v.buffersPerStream)}`,
        },
      );
    goal('every body complete and parsed', f.bigpipe.incompleteBodies + f.naive.incompleteBodies === 0);
    goal(
      'renderToNodeResponse: res.writableLength <= highWaterMark + largest chunk',
      f.bigpipe.maxBufferedPerResponse <= f.bigpipe.highWaterMark + f.bigpipe.largestChunk,
    );
  }
}

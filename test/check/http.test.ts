// checkUrl() against servers that misbehave: bodies without end, gzip bombs, error statuses, redirects.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkUrl, main } from '../../src/check';
import { placeholder, serializePagelet } from 'bigpipe-js/server';
import { messages } from './helpers';
import { listen, type Listening } from '../support/loopback.mjs';

const HEADERS = { 'Content-Type': 'text/html; charset=utf-8', 'X-Accel-Buffering': 'no' };
const PAGE =
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${'x'.repeat(500)}</title>` +
  `<script src="/bigpipe.min.js"></script></head><body>${placeholder('a')}` +
  `${serializePagelet({ target: 'a', html: 'A', total: 1 })}</body></html>`;
const MiB = 1024 * 1024;

/** Resolves when `res` closes; with whether it had written its end (false: the client went away first). */
const closed = (res: ServerResponse) =>
  new Promise<boolean>((resolve) => res.once('close', () => resolve(res.writableFinished)));

/** Writes `chunk` for as long as the client reads, minding backpressure. */
async function forever(res: ServerResponse, chunk: Buffer | string) {
  const gone = closed(res);
  while (!res.destroyed)
    if (!res.write(chunk)) await Promise.race([new Promise((resolve) => res.once('drain', resolve)), gone]);
}

/** 64 MiB of spaces as one gzip member (about 64 KB); members back to back decode as one stream. */
const BOMB = gzipSync(Buffer.alloc(64 * MiB, ' '), { level: 9 });

/** How each hostile response ended, by path: resolved with closed() once the server has seen it end. */
const ends = new Map<string, Promise<boolean>>();
let hits: string[] = [];

const ROUTES: Record<string, (req: IncomingMessage, res: ServerResponse) => unknown> = {
  '/page': (_, res) => res.writeHead(200, HEADERS).end(PAGE),
  '/endless': (_, res) => {
    res.writeHead(200, HEADERS).write(PAGE.slice(0, PAGE.indexOf('<script')));
    return forever(res, `<p>${'endless '.repeat(8000)}</p>`);
  },
  '/bomb': (_, res) => {
    res.writeHead(200, { ...HEADERS, 'Content-Encoding': 'gzip' }).write(gzipSync(PAGE.slice(0, 200)));
    return forever(res, BOMB);
  },
  '/error': (_, res) => res.writeHead(500, HEADERS).end(PAGE),
  '/here': (_, res) => res.writeHead(302, { location: '/page' }).end(),
  '/loop': (_, res) => res.writeHead(307, { location: '/loop' }).end(),
};

let base = '';
let other = '';
const server = createServer((req, res) => {
  hits.push(req.url!);
  ends.set(req.url!, closed(res));
  if (req.url === '/away') return res.writeHead(302, { location: `${other}/page` }).end();
  return void ROUTES[req.url!]!(req, res);
});
// another origin: the same host on another port
const elsewhere = createServer((req, res) => {
  hits.push(`elsewhere ${req.url}`);
  res.writeHead(200, HEADERS).end(PAGE);
});
let servers: Listening[] = [];
beforeAll(async () => {
  servers = await Promise.all([listen(server), listen(elsewhere)]);
  [base, other] = servers.map((s) => s.base);
});
afterAll(() => Promise.all(servers.map((s) => s.close())));

async function run(...args: string[]) {
  const out: string[] = [];
  const code = await main(args, { out: (line) => out.push(line), err: (line) => out.push(line) });
  return { code, out: out.join('\n') };
}

describe('checkUrl on a body without end', () => {
  it('stops at 32 MiB by default, reports it, and closes the connection', async () => {
    const report = await checkUrl(`${base}/endless`);
    expect(messages(report)).toContain(
      'error: the check stopped reading the body: it is larger than 32 MiB (the maxBytes cap, --max-bytes)',
    );
    expect(report.chunks.reduce((sum, c) => sum + c.bytes, 0)).toBe(32 * MiB);
    expect(await ends.get('/endless')).toBe(false);
  });

  it('stops at --max-bytes and exits 1', async () => {
    const { code, out } = await run('check', `${base}/endless`, '--max-bytes', String(MiB));
    expect(code).toBe(1);
    expect(out).toContain('error: the check stopped reading the body: it is larger than 1 MiB');
    expect(await ends.get('/endless')).toBe(false);
  });

  it('caps a gzip bomb on the decompressed bytes', async () => {
    const report = await checkUrl(`${base}/bomb`, { maxBytes: 4 * MiB });
    expect(messages(report)).toContain(
      'error: the check stopped reading the body: it is larger than 4 MiB (the maxBytes cap, --max-bytes)',
    );
    expect(report.chunks.reduce((sum, c) => sum + c.bytes, 0)).toBe(4 * MiB);
    expect(await ends.get('/bomb')).toBe(false);
  });
});

describe('checkUrl on statuses and redirects', () => {
  it('fails a page sent with status 500, and the command exits 1', async () => {
    const report = await checkUrl(`${base}/error`);
    expect(report.ok).toBe(false);
    expect(messages(report)[0]).toMatch(/^error: the status is 500, not 2xx/);
    expect((await run('check', `${base}/error`)).code).toBe(1);
  });

  it('follows a redirect within the origin, and says so', async () => {
    const report = await checkUrl(`${base}/here`);
    expect(messages(report)).toEqual([]);
    expect(report.url).toBe(`${base}/page`);
    expect(report.redirects).toEqual([{ url: `${base}/here`, status: 302, location: `${base}/page` }]);
    const { code, out } = await run('check', `${base}/here`);
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^GET ${base}/here\nHTTP 302 -> ${base}/page\nGET ${base}/page\nHTTP 200$`, 'm'));
  });

  it('reports a redirect to another origin as an error and does not follow it', async () => {
    hits = [];
    const report = await checkUrl(`${base}/away`);
    expect(messages(report)).toEqual([
      `error: the page redirects (302) to another origin, ${other}/page: not followed. The check is of ${base}; check ${other}/page itself if that is the page you meant`,
    ]);
    expect([report.ok, report.status, report.payloads]).toEqual([false, 302, 0]);
    expect(hits).toEqual(['/away']);
    expect((await run('check', `${base}/away`)).code).toBe(1);
  });

  it('stops after 10 redirects', async () => {
    hits = [];
    const report = await checkUrl(`${base}/loop`);
    expect(messages(report)).toEqual([
      `error: more than 10 redirects (the last to ${base}/loop): stopped following them`,
    ]);
    expect(hits).toHaveLength(11);
  });

  it('rejects limits that are not numbers > 0', async () => {
    await expect(checkUrl(`${base}/page`, { timeout: NaN })).rejects.toThrow('timeout must be a number of ms > 0');
    await expect(checkUrl(`${base}/page`, { maxBytes: -1 })).rejects.toThrow('maxBytes must be a whole number');
  });

  it('takes a timeout longer than setTimeout can wait as no timeout at all', async () => {
    for (const timeout of [Infinity, 2 ** 40])
      expect(messages(await checkUrl(`${base}/page`, { timeout }))).toEqual([]);
  });
});

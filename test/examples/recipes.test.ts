/**
 * The recipes in examples/ run as a user would run them (importing 'bigpipe-js/server', i.e. the built dist/), each
 * on 127.0.0.1 and a free port, and their pages go through the protocol checker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkStream } from '../../src/check';
import { get, messages } from '../check/helpers';
import { deferred } from '../server/helpers';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RECIPES = ['node-http', 'express', 'fastify', 'koa', 'hono', 'ejs'];

type Page = unknown;
interface Recipe {
  start(options: { port: number; host: string; page: () => Page }): Promise<Server>;
}
// Imported by name, as plain JavaScript: the recipes are documentation, not typed modules.
const recipe = (name: string): Promise<Recipe> => import(`../../examples/${name}.mjs`);
const pageModule = (name: string): Promise<{ tinyPage(slowHtml?: () => Promise<string>): Page }> =>
  import(`../../examples/${name}.mjs`);

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** Starts a recipe whose slow pagelet waits for `slow`; resolves to its URL. */
async function startRecipe(name: string, slow: Promise<string>) {
  const { tinyPage } = await pageModule('page');
  const server = await (await recipe(name)).start({ port: 0, host: '127.0.0.1', page: () => tinyPage(() => slow) });
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const SHELL_END = '<div id="orders"></div>';

/**
 * The arrivals one millisecond apart: the protocol checks without the timing rules, which would judge this
 * machine's load (each test asserts the streaming itself, on the bytes: shell first, slow pagelet later).
 */
const untimed = (arrivals: { at: number; data: Uint8Array | string }[]) => arrivals.map((a, i) => ({ ...a, at: i }));
const SLOW_PAYLOAD = '"target":"orders"';

describe.each(RECIPES)('the %s recipe', (name) => {
  it('sends the shell before the slow pagelet is ready, then payloads that follow the protocol', async () => {
    const slow = deferred<string>();
    cleanups.push(() => slow.resolve(''));
    const body = await get(await startRecipe(name, slow.promise), { 'accept-encoding': 'identity' });
    expect(body.response.status).toBe(200);
    expect(body.response.headers.get('content-type')).toMatch(/;\s*charset=utf-8/i);
    const shell = await body.until((text) => text.includes(SHELL_END), 'shell before the slow pagelet was released');
    expect(shell).not.toContain(SLOW_PAYLOAD);
    slow.resolve('<p>Shipped</p>');
    const html = await body.end();
    expect(html).toContain(`${SLOW_PAYLOAD},"html":"\\u003cp>Shipped\\u003c/p>"`);
    const report = checkStream(untimed(body.arrivals), body.info);
    expect(messages(report)).toEqual([]);
    expect(report.payloads).toBe(3);
  });
});

/** Sends a raw request line (Node's parser accepts targets that are no URL) and resolves to the status code. */
function rawRequest(url: string, target: string) {
  const { port } = new URL(url);
  return new Promise<number>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () =>
      socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    );
    let head = '';
    socket.setEncoding('latin1');
    socket.on('data', (data) => (head += data));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

describe.each(RECIPES)('the %s recipe off the happy path', (name) => {
  it('answers request lines that are no URL and keeps serving', async () => {
    const url = await startRecipe(name, Promise.resolve('<p>Shipped</p>'));
    for (const target of ['//[', '//%zz/', '/%', '//evil.example/'])
      expect(await rawRequest(url, target)).toBeGreaterThanOrEqual(200);
    expect((await fetch(url)).status).toBe(200);
  });

  it('answers 500 for a page that cannot render, and keeps serving', async () => {
    let bad = true;
    const { tinyPage } = await pageModule('page');
    const server = await (await recipe(name)).start({
      port: 0,
      host: '127.0.0.1',
      page: () =>
        bad
          ? { body: '', pagelets: [{ id: 'not an id', render: () => ({ html: '' }) }] }
          : tinyPage(() => Promise.resolve('ok')),
    });
    cleanups.push(() => {
      server.closeAllConnections();
      server.close();
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const response = await fetch(url);
    expect(response.status).toBe(500);
    await response.text().catch(() => '');
    bad = false;
    expect((await fetch(url)).status).toBe(200);
  });
});

describe('the express recipe with gzip', () => {
  it('still delivers the shell on its own, compressed', async () => {
    const slow = deferred<string>();
    cleanups.push(() => slow.resolve(''));
    const body = await get(await startRecipe('express', slow.promise), { 'accept-encoding': 'gzip' });
    expect(body.response.headers.get('content-encoding')).toBe('gzip');
    const shell = await body.until((text) => text.includes(SHELL_END), 'shell before the slow pagelet was released');
    expect(shell).not.toContain(SLOW_PAYLOAD);
    slow.resolve('<p>Shipped</p>');
    await body.end();
    expect(messages(checkStream(untimed(body.arrivals), body.info))).toEqual([]);
  });
});

describe('the node-http recipe', () => {
  const shipped = Promise.resolve('<p>Shipped</p>');

  it('tells caches that the page depends on the User-Agent and the cookie (pickMode)', async () => {
    const response = await fetch(await startRecipe('node-http', shipped));
    expect(response.headers.get('vary')).toBe('User-Agent, Cookie');
    await response.text();
  });

  it('serves crawlers every pagelet in place, without the runtime', async () => {
    const html = await (await get(await startRecipe('node-http', shipped), { 'user-agent': 'Googlebot/2.1' })).end();
    expect(html).toContain('<div id="orders"><p>Shipped</p></div>');
    expect(html).not.toContain('BigPipe');
  });

  it('sends browsers without JavaScript to the inline page', async () => {
    const url = await startRecipe('node-http', shipped);
    const redirect = '<noscript><meta http-equiv="refresh" content="0;url=/?bigpipe=inline"></noscript>';
    expect(await (await get(url)).end()).toContain(redirect);
    const html = await (await get(`${url}?bigpipe=inline`)).end();
    expect(html).toContain('<div id="orders"><p>Shipped</p></div>');
    expect(html).not.toContain('BigPipe');
  });
});

describe('the Python recipe', () => {
  const SLOW_SECONDS = 0.4;
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill();
    child = undefined;
  });

  /** Starts examples/python/server.py on a free port; resolves to its URL once it prints its "listening" line. */
  function startPython(): Promise<string> {
    return new Promise((resolve, reject) => {
      const args = ['examples/python/server.py', '--port', '0', '--slow', String(SLOW_SECONDS)];
      const python = (child = spawn('python3', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
      let out = '';
      let err = '';
      const silent = () => reject(new Error(`python3 printed no "listening" line within 10 s: ${out}${err}`));
      const timer = setTimeout(silent, 10_000);
      python.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          error.code === 'ENOENT'
            ? new Error('python3 is not installed: the Python recipe (examples/python/server.py) needs it to be tested')
            : error,
        );
      });
      python.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`python3 exited (${code}) before listening: ${err}`));
      });
      python.stderr!.on('data', (data) => (err += data));
      python.stdout!.on('data', (data) => {
        out += data;
        const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
        if (url) {
          clearTimeout(timer);
          resolve(url + '/');
        }
      });
    });
  }

  it('streams the shell long before the slow pagelet, and follows the protocol', async () => {
    const body = await get(await startPython());
    expect(body.response.status).toBe(200);
    expect(body.response.headers.get('content-type')).toMatch(/;\s*charset=utf-8/i);
    const shell = await body.until((text) => text.includes(SHELL_END), 'shell');
    expect(shell).not.toContain(SLOW_PAYLOAD);
    const shellAt = body.arrivals.at(-1)!.at;
    await body.end();
    expect(body.arrivals.at(-1)!.at - shellAt).toBeGreaterThan(SLOW_SECONDS * 1000 * 0.8);
    const report = checkStream(untimed(body.arrivals), body.info);
    expect(messages(report)).toEqual([]);
    expect(report.payloads).toBe(3);
  });
});

describe('the ejs recipe (a template engine renders the document)', () => {
  it("keeps the template's document: one doctype, its <html lang> and <body class>, the runtime after its meta charset", async () => {
    const html = await (await get(await startRecipe('ejs', Promise.resolve('<p>Shipped</p>')))).end();
    expect(html.match(/<!DOCTYPE/gi)).toHaveLength(1);
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8"><script>\(\(\)=>/);
    expect(html).toContain('<body class="dashboard">');
    expect(html).toContain('<div id="greeting"><p>…</p></div>');
    expect(html).toContain('<section id="weather"></section>');
    // The payloads go before the template's </body>, and the rest of the template follows them.
    expect(html.indexOf('<footer>')).toBeLessThan(html.indexOf('BigPipe.onPageletArrive({'));
    expect(html).toMatch(/"target":"orders".*<\/script><\/body>\n<\/html>\n?$/s);
  });
});

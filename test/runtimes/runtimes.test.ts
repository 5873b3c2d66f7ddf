/**
 * The deploy examples (examples/deploy/) on the real Deno, Bun and workerd binaries, on 127.0.0.1, importing the built
 * dist/ as a user's code would. Each serves the fixture page (fixture.mjs), whose pagelets wait for this test's control
 * server, so every step waits on bytes the runtime sent, never on a timer; the same page on Node is the reference.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get as httpGet, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_AGENT, checkStream } from '../../src/check';
import type * as ServerModule from 'bigpipe-js/server';
import { get, messages } from '../check/helpers';
import { deferred, type Deferred } from '../server/helpers';
import { listen, type Listening } from '../support/loopback.mjs';
import {
  binary,
  bundleWorker,
  freePort,
  ROOT,
  scriptCommand,
  startProcess,
  type ServerProcess,
} from '../support/runtimes.mjs';
import { payloadsOf } from '../support/parse.mjs';

type Page = ServerModule.Page;
// Imported at run time from the built package and the plain-JavaScript fixture, as the runtimes import them.
const DIST = '../../dist/server.js';
const FIXTURE = './fixture.mjs';
const { pickMode, renderToNodeResponse } = (await import(DIST)) as typeof ServerModule;
const { fixturePage } = (await import(FIXTURE)) as { fixturePage(request: Request): Page };

const CRAWLER = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const SHELL_END = '<div id="broken"></div></main>';
const A = { html: '<p>A is ready</p>' };
const B = { html: '<p>B is ready</p>', css: '.b{color:teal}' };

/** The test's backend: each held pagelet's render GETs /<run>/<id> and waits until the test answers it. */
class Control {
  readonly server: Server;
  private listening?: Listening;
  private answers = new Map<string, unknown>();
  private held = new Map<string, ServerResponse>();
  private events = new Map<string, Deferred<void>>();
  constructor() {
    this.server = createServer((req, res) => {
      const key = req.url!.slice(1);
      this.event(`asked ${key}`).resolve();
      if (this.answers.has(key)) return void res.end(JSON.stringify(this.answers.get(key)));
      this.held.set(key, res);
      // The render's signal aborted its fetch, so the runtime closed the request before it had an answer.
      res.once('close', () => res.writableEnded || this.event(`cancelled ${key}`).resolve());
    });
  }
  private event(name: string) {
    let event = this.events.get(name);
    if (!event) this.events.set(name, (event = deferred<void>()));
    return event;
  }
  async listen() {
    this.listening = await listen(this.server);
    return this.listening.base;
  }
  /** Answers the pagelet's render now, or at once when it asks later. */
  release(run: string, id: string, content: unknown) {
    const key = `${run}/${id}`;
    const res = this.held.get(key);
    if (res) res.end(JSON.stringify(content));
    else this.answers.set(key, content);
  }
  /** Resolves once the pagelet's render has asked for its content. */
  asked = (run: string, id: string) => this.event(`asked ${run}/${id}`).promise;
  /** Resolves once the pagelet's render has given up its request (its signal aborted the fetch). */
  cancelled = (run: string, id: string) => this.event(`cancelled ${run}/${id}`).promise;
  close() {
    return this.listening?.close();
  }
}

const control = new Control();
let controlUrl = '';
let runs = 0;
const temp = mkdtempSync(join(tmpdir(), 'bigpipe-runtimes-'));
const stops: (() => Promise<void>)[] = [];

/** The fixture page's URL on a server for a new run; `late` is the timeout of the pagelet nobody answers. */
function pageUrl(base: string, { late = 200, report = true } = {}) {
  const run = `r${++runs}`;
  const query = new URLSearchParams({ control: controlUrl, run, late: String(late) });
  if (!report) query.set('quiet', '1');
  return { run, url: `${base}?${query}` };
}

/** The fixture page on Node (renderToNodeResponse of dist/), the reference every runtime's body must equal. */
async function startNode() {
  const server = createServer((req, res) => {
    const request = new Request(new URL(req.url!, 'http://127.0.0.1'), {
      headers: req.headers as Record<string, string>,
    });
    renderToNodeResponse(fixturePage(request), res, { mode: pickMode(req), onError: () => {} }).catch(() => {});
  });
  const { base, close } = await listen(server);
  stops.push(close);
  return `${base}/`;
}

/** Starts an example of examples/deploy/ with the fixture page on Deno or Bun (servers/serve.mjs). */
async function startScript(runtime: 'deno' | 'bun', example: string) {
  const [command, args, env] = scriptCommand(runtime, 'test/runtimes/servers/serve.mjs', [example]);
  const server = await startProcess(command, args, { env, name: `${runtime} (${example})` });
  stops.push(() => server.stop());
  return server;
}

/**
 * workerd serving the Worker of examples/deploy/worker.mjs with the fixture page, from the example's own worker.capnp:
 * a config beside it takes its Worker as it is and adds the sockets, and local network access for the control server.
 */
async function startWorkerd() {
  const dir = join(temp, 'workerd-fixture');
  cpSync(join(ROOT, 'examples/deploy/worker.capnp'), join(dir, 'worker.capnp'));
  await bundleWorker('test/runtimes/servers/worker.mjs', join(dir, 'build/worker.js'));
  const [signal, noSignal] = [await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'test.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
using Example = import "worker.capnp";
const test :Workerd.Config = (
  services = [(name = "main", worker = Example.bigpipe), (name = "internet", network = (allow = ["public", "local"]))],
  sockets = [
    (name = "signal", address = "127.0.0.1:${signal}", http = (), service = "main"),
    (name = "nosignal", address = "127.0.0.1:${noSignal}", http = (), service = (name = "main", entrypoint = "withoutSignal")),
  ],
);
`,
  );
  const server = await startProcess(binary('workerd'), ['serve', join(dir, 'test.capnp')], {
    port: signal,
    name: 'workerd',
  });
  stops.push(() => server.stop());
  return { server, urls: { signal: server.url, noSignal: `http://127.0.0.1:${noSignal}/` } };
}

let workerd: ReturnType<typeof startWorkerd> | undefined;

interface Target {
  name: string;
  /** resolves to the server and the URL of the fixture page */
  start(): Promise<{ server: ServerProcess; url: string }>;
  /** when a client that disconnects aborts the renders: at once, or at the stream's next write */
  aborts: 'at once' | 'at the next write';
}

const TARGETS: Target[] = [
  {
    name: 'Deno, examples/deploy/deno.ts',
    start: async () => withUrl(await startScript('deno', 'deno.ts')),
    aborts: 'at once',
  },
  {
    name: 'Bun, examples/deploy/bun.mjs',
    start: async () => withUrl(await startScript('bun', 'bun.mjs')),
    aborts: 'at once',
  },
  {
    name: 'Bun + Hono, examples/deploy/bun-hono.mjs',
    start: async () => withUrl(await startScript('bun', 'bun-hono.mjs')),
    aborts: 'at once',
  },
  {
    name: 'workerd, examples/deploy/worker.mjs (signal: request.signal)',
    start: async () => {
      const { server, urls } = await (workerd ??= startWorkerd());
      return { server, url: urls.signal };
    },
    aborts: 'at the next write',
  },
  {
    name: 'workerd, the same Worker without request.signal',
    start: async () => {
      const { server, urls } = await (workerd ??= startWorkerd());
      return { server, url: urls.noSignal };
    },
    aborts: 'at the next write',
  },
];
const withUrl = (server: ServerProcess) => ({ server, url: server.url });

/**
 * The pipeline, step by step: the shell while a and b are held, late's fallback at its timeout, then a, then b, each
 * payload once its pagelet was released and before the next one was. Resolves to the body and the checker's findings.
 */
async function pipeline(base: string, server?: ServerProcess) {
  const { run, url } = pageUrl(base, { report: !!server });
  const body = await get(url, { 'accept-encoding': 'identity' });
  expect(body.response.status).toBe(200);
  const targets = () => payloadsOf(body.text()).map((p) => p.target);

  await body.until((text) => text.includes(SHELL_END), 'the shell');
  await Promise.all([control.asked(run, 'a'), control.asked(run, 'b')]);
  expect(targets()).not.toContain('a');
  expect(targets()).not.toContain('b');

  await body.until(() => targets().includes('late'), "late's fallback at its timeout");
  await control.cancelled(run, 'late');
  await server?.output.waitFor(`bigpipe-test aborted ${run} late`);
  expect(targets()).not.toContain('a');

  control.release(run, 'a', A);
  await body.until(() => targets().includes('a'), "a's payload, once a was released");
  expect(targets()).not.toContain('b');

  control.release(run, 'b', B);
  const html = await body.end();
  return { html, findings: messages(checkStream(body.arrivals, body.info)) };
}

/** A crawler's request (pickMode: inline mode), a and b answered at once. Resolves to the body. */
async function inline(base: string, report = true) {
  const { run, url } = pageUrl(base, { report });
  control.release(run, 'a', A);
  control.release(run, 'b', B);
  const response = await fetch(url, { headers: { 'user-agent': CRAWLER } });
  expect(response.status).toBe(200);
  return response.text();
}

/** GETs the URL with node:http (so the test can drop the connection); resolves once the headers are in. */
function request(url: string) {
  return new Promise<{ response: IncomingMessage; abort(): void }>((resolve, reject) => {
    const req = httpGet(url, { headers: { 'user-agent': BROWSER_AGENT } }, (response) =>
      resolve({ response, abort: () => req.destroy() }),
    );
    req.on('error', reject);
  });
}

/** Resolves once the response's body so far includes `text`. */
function bodyIncludes(response: IncomingMessage, text: string) {
  let body = '';
  response.setEncoding('utf8');
  return new Promise<void>((resolve) =>
    response.on('data', (data: string) => {
      body += data;
      if (body.includes(text)) resolve();
    }),
  );
}

let node = '';
let reference: Promise<{ pipeline: string; inline: string }> | undefined;
/** The fixture page's bodies on Node, made once. */
const nodeBodies = () =>
  (reference ??= (async () => ({ pipeline: (await pipeline(node)).html, inline: await inline(node, false) }))());

beforeAll(async () => {
  controlUrl = await control.listen();
  node = await startNode();
});

afterAll(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
  control.close();
  rmSync(temp, { recursive: true, force: true });
});

describe.each(TARGETS.map((target) => [target.name, target] as const))('%s', (_, target) => {
  let server: ServerProcess;
  let url = '';
  beforeAll(async () => {
    ({ server, url } = await target.start());
  });

  it('sends the shell while pagelets are held, then each payload once its pagelet is ready; the body equals Node’s', async () => {
    const { html, findings } = await pipeline(url, server);
    expect(findings).toEqual([]);
    expect(payloadsOf(html).map((p) => p.target)).toEqual(['quick', 'broken', 'late', 'a', 'b']);
    expect(html).toBe((await nodeBodies()).pipeline);
  });

  it('gives a pagelet that times out or throws its fallback', async () => {
    const { html } = await pipeline(url, server);
    const byTarget = Object.fromEntries(payloadsOf(html).map((p) => [p.target, p.html]));
    expect(byTarget.late).toBe('<p>late: fallback</p>');
    expect(byTarget.broken).toBe('<p>broken: fallback</p>');
  });

  it('serves crawlers the inline page (pickMode), equal to Node’s', async () => {
    const html = await inline(url);
    expect(html).toContain(`<div id="a">${A.html}</div>`);
    expect(html).toContain('<div id="late"><p>late: fallback</p></div>');
    expect(html).not.toContain('BigPipe');
    expect(html).toBe((await nodeBodies()).inline);
  });

  it(`aborts the pending renders when the client disconnects, ${target.aborts}`, async () => {
    const { run, url: page } = pageUrl(url, { late: 60_000 });
    const { response, abort } = await request(page);
    await bodyIncludes(response, SHELL_END);
    const pending = ['a', 'b', 'late'];
    await Promise.all(pending.map((id) => control.asked(run, id)));
    abort();
    if (target.aborts === 'at the next write') {
      // Nothing tells the runtime the client has gone until it writes: a pagelet that finishes makes it write.
      control.release(run, 'a', A);
      pending.shift();
    }
    for (const id of pending) {
      await server.output.waitFor(`bigpipe-test aborted ${run} ${id}`, 5000);
      await control.cancelled(run, id);
    }
  });
});

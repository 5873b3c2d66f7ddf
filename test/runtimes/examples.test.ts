/**
 * Each deploy example run as its first comment says (PORT and HOST set for a free port on 127.0.0.1): the demo page
 * streams its shell before the slow pagelet and follows the protocol.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { checkStream } from '../../src/check';
import { get, messages } from '../check/helpers';
import {
  binary,
  bundleWorker,
  freePort,
  ROOT,
  scriptCommand,
  startProcess,
  type ServerProcess,
} from '../support/runtimes.mjs';

const ENV = { PORT: '0', HOST: '127.0.0.1' };
const temp = mkdtempSync(join(tmpdir(), 'bigpipe-deploy-'));
let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const START: Record<string, () => Promise<ServerProcess>> = {
  'deno.ts on Deno': () => {
    const permissions = ['--allow-net=127.0.0.1', '--allow-env=PORT,HOST'];
    const [command, args, env] = scriptCommand('deno', 'examples/deploy/deno.ts', [], { denoPermissions: permissions });
    return startProcess(command, args, { env: { ...env, ...ENV }, name: 'deno' });
  },
  'bun.mjs on Bun': () => {
    const [command, args] = scriptCommand('bun', 'examples/deploy/bun.mjs');
    return startProcess(command, args, { env: ENV, name: 'bun' });
  },
  'bun-hono.mjs on Bun': () => {
    const [command, args] = scriptCommand('bun', 'examples/deploy/bun-hono.mjs');
    return startProcess(command, args, { env: ENV, name: 'bun' });
  },
  'worker.mjs on workerd, with worker.capnp': async () => {
    // The example's config as it is, beside the bundle it names; only its socket is moved to a free port.
    cpSync(join(ROOT, 'examples/deploy/worker.capnp'), join(temp, 'worker.capnp'));
    await bundleWorker('examples/deploy/worker.mjs', join(temp, 'build/worker.js'));
    const port = await freePort();
    const args = ['serve', join(temp, 'worker.capnp'), '--socket-addr', `http=127.0.0.1:${port}`];
    return startProcess(binary('workerd'), args, { port, name: 'workerd' });
  },
};

describe.each(Object.keys(START))('examples/deploy/%s', (name) => {
  it('streams the demo page: the shell before the slow pagelet, then payloads that follow the protocol', async () => {
    server = await START[name]!();
    const body = await get(server.url, { 'accept-encoding': 'identity' });
    expect(body.response.status).toBe(200);
    const shell = await body.until((text) => text.includes('<div id="orders"></div>'), 'the shell');
    expect(shell).not.toContain('"target":"orders"');
    const html = await body.end();
    expect(html).toContain('"target":"orders","html":"\\u003cp>Your order has shipped.\\u003c/p>"');
    const report = checkStream(body.arrivals, body.info);
    expect(messages(report)).toEqual([]);
    expect(report.payloads).toBe(3);
  });
});

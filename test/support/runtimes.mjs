// Other JavaScript runtimes as real processes on 127.0.0.1, for test/runtimes/ and bench/runtimes.mjs. Their binaries
// come from the platform packages in devDependencies (no postinstall needed; `npm ci` is all it takes).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

const PACKAGES = {
  deno: ['@deno/linux-x64-glibc', 'deno'],
  bun: ['@oven/bun-linux-x64', 'bin/bun'],
  workerd: ['@cloudflare/workerd-linux-64', 'bin/workerd'],
};

/** The path of a runtime's binary; throws naming the package when it is not installed. */
/** @typedef {'deno' | 'bun' | 'workerd'} Runtime */

export function binary(/** @type {Runtime} */ runtime) {
  const [name, file] = PACKAGES[runtime];
  try {
    return join(dirname(require.resolve(`${name}/package.json`)), file);
  } catch {
    throw new Error(`${runtime}: ${name} is not installed (a devDependency: run npm ci; Linux x64 only)`);
  }
}

/** `deno 2.9.6`, `bun 1.4.5`, `workerd 2026-11-17`, `node v20.…`: what each runtime says it is. */
export function versions() {
  const first = (/** @type {Runtime} */ runtime) =>
    execFileSync(binary(runtime), ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  return {
    node: `node ${process.version}`,
    deno: first('deno'),
    bun: `bun ${first('bun')}`,
    workerd: first('workerd'),
  };
}

// Deno keeps its caches in the project (node_modules is ignored by git), checks for no update and asks nothing.
const DENO_ENV = { DENO_DIR: join(ROOT, 'node_modules/.cache/deno'), DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' };

/**
 * The command line that runs `script` (relative to the root) with `args` on Deno or Bun.
 * @param {'deno' | 'bun'} runtime
 * @param {string} script
 * @param {string[]} [args]
 * @param {{ denoPermissions?: string[] }} [options]
 * @returns {[command: string, args: string[], env: Record<string, string>]}
 */
export function scriptCommand(runtime, script, args = [], { denoPermissions = ['--allow-net=127.0.0.1'] } = {}) {
  if (runtime === 'deno') {
    mkdirSync(DENO_ENV.DENO_DIR, { recursive: true });
    // --check type-checks the TypeScript it runs (deno.ts against the package's types); --cached-only: no downloads.
    return [
      binary('deno'),
      ['run', '--check', '--cached-only', '--no-lock', ...denoPermissions, script, ...args],
      DENO_ENV,
    ];
  }
  if (runtime === 'bun') return [binary('bun'), ['--no-install', script, ...args], {}];
  throw new Error(`no script runner for ${runtime}`);
}

export { freePort } from './loopback.mjs';

const LISTENING = /listening on http:\/\/[^\s/]+:(\d+)/i;
const children = new Set();
process.once('exit', () => children.forEach((child) => child.kill('SIGKILL')));

/**
 * Starts a server process and resolves once it listens: when its stdout or stderr (Deno's own "Listening on" line)
 * matches `ready` (group 1: the port), or, with
 * `port`, once 127.0.0.1:port accepts a connection. Rejects with the process's own words when it cannot start or
 * exits first. `output.waitFor(pattern)` resolves once stdout matches; `stop()` ends it.
 */
/**
 * @typedef {object} ServerProcess
 * @property {number} pid
 * @property {number} port
 * @property {string} url `http://127.0.0.1:port/`
 * @property {{ readonly stdout: string, readonly stderr: string, waitFor(pattern: string | RegExp, ms?: number, both?: boolean): Promise<string[]> }} output
 *   `waitFor` resolves once stdout (`both`: or stderr) matches; rejects when the process ends first or after `ms`
 * @property {() => Promise<void>} stop
 */

/**
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: Record<string, string>, port?: number, ready?: RegExp, timeout?: number, name?: string }} [options]
 * @returns {Promise<ServerProcess>}
 */
export async function startProcess(
  command,
  args,
  { env = {}, port = undefined, ready = LISTENING, timeout = 20_000, name = command } = {},
) {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  let exited = null;
  const watchers = new Set();
  const notify = () => watchers.forEach((watch) => watch());
  child.stdout.setEncoding('utf8').on('data', (data) => ((stdout += data), notify()));
  child.stderr.setEncoding('utf8').on('data', (data) => ((stderr += data), notify()));
  const failure = (what) => new Error(`${name} ${what}\n${stderr}${stdout}`.trim());
  const ended = new Promise((resolve) =>
    child.once('close', (code, signal) => {
      exited = signal ?? code;
      children.delete(child);
      notify();
      resolve(undefined);
    }),
  );
  const started = new Promise((_, reject) => {
    child.once('error', (error) => reject(failure(`cannot start: ${error.message}`)));
    ended.then(() => reject(failure(`exited (${exited}) before listening:`)));
  });

  /** Resolves once stdout (`both`: or stderr) matches; rejects when the process ends first or after `ms`. */
  const waitFor = (pattern, ms = timeout, both = false) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(() => reject(failure(`printed no ${pattern} within ${ms} ms:`))), ms);
      const done = (settle) => (clearTimeout(timer), watchers.delete(check), settle());
      const check = () => {
        const text = both ? stdout + stderr : stdout;
        const match = typeof pattern === 'string' ? (text.includes(pattern) ? [pattern] : null) : pattern.exec(text);
        if (match) done(() => resolve(match));
        else if (exited !== null) done(() => reject(failure(`exited (${exited}) before printing ${pattern}:`)));
      };
      watchers.add(check);
      check();
    });

  const listening =
    port === undefined
      ? waitFor(ready, timeout, true).then((match) => Number(match[1]))
      : acceptsConnections(port, timeout, () => exited !== null).then(() => port);
  let actualPort;
  try {
    actualPort = await Promise.race([started, listening]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    pid: child.pid,
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}/`,
    output: {
      get stdout() {
        return stdout;
      },
      get stderr() {
        return stderr;
      },
      waitFor,
    },
    async stop() {
      if (exited !== null) return;
      const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
      child.kill('SIGTERM');
      await ended;
      clearTimeout(kill);
    },
  };
}

/** Resolves once 127.0.0.1:port accepts a connection; rejects after `ms` or when `gone()` says the server has exited. */
async function acceptsConnections(port, ms, gone) {
  const deadline = Date.now() + ms;
  for (;;) {
    const accepted = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    if (gone()) throw new Error(`the server on port ${port} exited`);
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25)); // a connection refused: try again shortly
  }
}

/** Bundles a Worker the way examples/deploy/worker.mjs says (esbuild, ESM, the workerd conditions). */
export async function bundleWorker(/** @type {string} */ entry, /** @type {string} */ outfile) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    logLevel: 'silent',
  });
}

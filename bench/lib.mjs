// Shared helpers of the benchmarks: statistics, the machine line, tables, child processes.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

// The browser launch and the machine line are shared with the tests and stress campaigns (test/support/).
export { CHROMIUM, CHROMIUM_ARGS } from '../test/support/chromium.mjs';
export { machine } from '../test/support/machine.mjs';

export const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Rounds for display: ms with one decimal under 100, integers above. */
export const ms = (v) =>
  Number.isFinite(v) ? (Math.abs(v) < 100 ? v.toFixed(1) : Math.round(v).toString()) + ' ms' : '–';
export const bytes = (v) => v.toLocaleString('en-US') + ' B';
export const ratio = (v) => (Number.isFinite(v) ? v.toFixed(2) + '×' : '–');
export const int = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');

/** A markdown table: `rows` are arrays of cells, already formatted; `align` one letter per column, l or r (default: first l). */
export const table = (head, rows, align = 'l' + 'r'.repeat(head.length - 1)) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (align[i] === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

/** Table cells without Markdown's bold and code marks, for the console. */
export const plainCells = (/** @type {string[][]} */ rows) => rows.map((r) => r.map((c) => c.replace(/\*\*|`/g, '')));

/** A plain-text table for the terminal. */
export const textTable = (head, rows) => {
  const all = [head, ...rows].map((r) => r.map(String));
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
};

// Children still running when this process exits (an error, Ctrl-C) are ended with it.
const children = new Set();
process.once('exit', () => children.forEach((child) => child.kill('SIGTERM')));
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

/**
 * Starts `node file` as a child process and resolves with it once its stdout matches `ready` (first group: the
 * port). Lines starting with "warning" are collected in `warnings`; stderr is passed through; `stop()` ends it.
 */
export async function startChild(file, { args = [], nodeArgs = [], env = {}, ready = /listening (\d+)/ } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, file, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let buffered = '';
  const warnings = [];
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start within 20 s`)), 20_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      if (buffered === null) return; // started: keep draining the pipe, remember nothing
      buffered += text;
      const match = ready.exec(buffered);
      if (match) {
        warnings.push(...buffered.split('\n').filter((line) => line.startsWith('warning')));
        buffered = null;
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code} before listening`));
    });
  });
  return {
    child,
    port,
    warnings,
    /** Sends a message over IPC and resolves with the child's answer. */
    ask(message) {
      const answer = once(child, 'message');
      child.send(message);
      return answer.then(([m]) => m);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** Reads a whole HTTP response body from 127.0.0.1 as a Buffer. */
export async function fetchBuffer(url) {
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

// What the client benchmarks share: the line naming the machine and versions beside their figures, and running one
// of them alone (`node bench/client-X.mjs [--quick]`), as `npm run bench` does, with its own Chromium.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, machine } from './lib.mjs';

/** Machine, Node and Chromium, for the line above a benchmark's figures. */
export const versionLine = (browser) => {
  const host = machine();
  return `Measured on ${host.cpu}, ${host.cores} cores · Node ${host.node} · Chromium ${browser.version()} · load average ${host.load[0]}`;
};

/**
 * Runs one client benchmark's `run` in a fresh Chromium and prints its section as run.mjs does. `--runtime=DIR` measures
 * the bigpipe.min.js and bigpipe.js of another build (DIR: its dist/), to compare two runtimes with one command each.
 */
export async function standalone(run) {
  const quick = process.argv.includes('--quick');
  const dir = process.argv.find((a) => a.startsWith('--runtime='))?.slice(10);
  const runtime = dir && {
    min: readFileSync(join(dir, 'bigpipe.min.js'), 'utf8').trim(),
    readable: readFileSync(join(dir, 'bigpipe.js'), 'utf8').trim(),
  };
  if (dir) console.log(`runtime: ${join(dir, 'bigpipe.min.js')}`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const t0 = Date.now();
    const section = await run({ quick, browser, runtime });
    console.log(`${section.title}  (${Math.round((Date.now() - t0) / 100) / 10} s)\n${section.text}`);
    console.log(`\nGoals: ${section.goals.map((g) => `${g.met ? '✓' : '✗'} ${g.name} (${g.value})`).join('; ')}`);
  } finally {
    await browser.close();
  }
}

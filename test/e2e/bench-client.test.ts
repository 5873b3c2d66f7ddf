// The client benchmarks run and print their figures (in Chromium, --quick). What the figures are is not tested
// here: timing belongs in the benchmark, never in a pass/fail test. Each bench checks its pages' output itself
// (every pagelet shown, one bigpipe:done, no error) and exits non-zero when they are wrong.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = async (file: string) =>
  (await promisify(execFile)(process.execPath, [file, '--quick'], { timeout: 150_000 })).stdout;
const figure = /\d+(\.\d+)? (ms|MB)|\d\.\d\d×/;

describe('client benchmarks', () => {
  it('client-cpu prints ours, raw and React by kind of work, both ratios and the profile', async () => {
    const out = await run('bench/client-cpu.mjs');
    expect(out).toMatch(/Chromium \d+\.[\d.]+ · load average/);
    for (const row of [
      'ours: BigPipe.onPageletArrive',
      'raw: getElementById(id).innerHTML',
      'React 19.2',
      'ours / raw',
      'ours / React',
    ])
      expect(out.split('\n').find((line) => line.startsWith(row))).toMatch(figure);
    expect(out).toMatch(/script +style \+ layout +paint +HTML parser +other +total +frames painted/);
    expect(out).toMatch(/ours, by function[^\n]*\n-+[^\n]*\n[^\n]+line \d+\) +\d+ %/);
    expect(out).toMatch(/ours, by line of dist\/bigpipe\.js[^\n]*\n-+[^\n]*\n\d+: /);
    expect(out).toMatch(
      /Goals: [✓✗] client main thread ≤ 1\.05× raw innerHTML[^\n]*[✓✗] client main thread ≤ 1\.3× React 19/,
    );
  }, 160_000);

  it('client-display prints first display, FOUC and lags for ours and React', async () => {
    const out = await run('bench/client-display.mjs');
    expect(out.split('\n').find((line) => line.startsWith('first pagelet shown'))).toMatch(/ms +\d+(\.\d+)? ms/);
    expect(out.split('\n').find((line) => line.startsWith('pagelets shown before'))).toMatch(/\d+ of 180 +\d+ of 180/);
    expect(out).toMatch(/worst display lag after its sheet arrived[^\n]+ms/);
    expect(out).toMatch(/Goals: [✓✗] first pagelet[^\n]*[✓✗] no FOUC[^\n]*[✓✗] display lag after sheets/);
  }, 160_000);

  it('client-scale prints the nested/flat ratio and the live-page heap growth', async () => {
    const out = await run('bench/client-scale.mjs');
    expect(out.split('\n').find((line) => line.startsWith('nested / flat'))).toMatch(/\d\.\d\d× +\d\.\d\d×/);
    expect(out.split('\n').find((line) => line.startsWith('heap growth'))).toMatch(/-?\d+\.\d\d MB/);
    expect(out).toMatch(/Goals: [✓✗] nested 2,000 ≤ 3× flat[^\n]*[✓✗] live-page heap growth/);
  }, 160_000);

  it('client-steps prints ours and raw per payload, and each platform call the runtime makes', async () => {
    const out = await run('bench/client-steps.mjs');
    const row = (start: string) => out.split('\n').find((line) => line.startsWith(start));
    for (const start of [
      'raw: getElementById',
      'ours: BigPipe.onPageletArrive',
      '… of which two CustomEvents',
      '… everything else',
    ])
      expect(row(start)).toMatch(/\d+\.\d\d µs +\d+\.\d\d×/);
    expect(row('… the Trusted Types createHTML call')).toMatch(/\d+\.\d\d µs +\d+\.\d\d×/);
  }, 160_000);
});

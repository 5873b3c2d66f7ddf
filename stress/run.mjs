// Every reliability and security campaign, long versions, one after another, each in its own process (so the load
// campaign's heap and handle figures start clean). Prints each campaign's figures and goals, then a summary;
// exits with 1 when a goal was missed or a campaign failed.
//   node stress/run.mjs            (npm run stress)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machineLine } from '../test/support/machine.mjs';

const CAMPAIGNS = [
  ['built runtime scan', 'dist-scan.mjs'],
  ['serialization fuzz', 'fuzz.mjs'],
  ['load with aborts', 'load.mjs'],
  ['slow readers', 'slow.mjs'],
  ['hostile requests, renders, clients and pages', 'hostile.mjs'],
  ['client bad input', 'bad-input.mjs'],
  ['Trusted Types', 'trusted-types.mjs'],
];

console.log(`bigpipe-js reliability and security campaigns\n${machineLine()}`);
const results = [];
for (const [name, file] of CAMPAIGNS) {
  console.log(`\n################ ${name} (stress/${file})`);
  const started = Date.now();
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(file, import.meta.url))], { stdio: 'inherit' });
    // bounded: no campaign may run for more than 15 minutes
    const limit = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
    child.on('exit', (status, signal) => {
      clearTimeout(limit);
      resolve(status ?? signal);
    });
  });
  results.push([name, code, Math.round((Date.now() - started) / 1000)]);
}
console.log('\n################ summary');
for (const [name, code, seconds] of results)
  console.log(`  ${code === 0 ? 'ok    ' : 'FAILED'} ${name} (${seconds} s${code === 0 ? '' : `, exit ${code}`})`);
if (results.some(([, code]) => code !== 0)) process.exitCode = 1;

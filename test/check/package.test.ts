/** The package as npm would publish it (npm pack of the built dist/): publint, arethetypeswrong, the bin. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKING = 120_000;

/** Runs a command in the package's folder; resolves with its output even when it exits non-zero. */
const run = (command: string, args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(command, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });

interface AttwProblem {
  kind: string;
  entrypoint?: string;
  resolutionKind?: string;
}

interface AttwEntrypoint {
  resolutions: Record<string, { resolution?: { fileName: string }; implementationResolution?: { fileName: string } }>;
}

describe('the published package', () => {
  it(
    'passes publint --strict',
    async () => {
      const { messages, pkg } = await publint({ pkgDir: ROOT, strict: true, pack: 'npm' });
      expect(messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false })}`)).toEqual([]);
    },
    PACKING,
  );

  it(
    'has types for every entry point in every module resolution (arethetypeswrong)',
    async () => {
      // bigpipe.js and bigpipe.min.js are scripts to serve or put in a <script> tag, not modules to import.
      const args = [
        '--pack',
        '.',
        '--format',
        'json',
        '--exclude-entrypoints',
        'bigpipe.min.js',
        'bigpipe.tt.min.js',
        'bigpipe.js',
        'bigpipe.compat.min.js',
      ];
      const { stdout, stderr } = await run(`${ROOT}node_modules/.bin/attw`, args);
      let result: {
        problems?: Record<string, AttwProblem[]>;
        analysis: { entrypoints: Record<string, AttwEntrypoint> };
      };
      try {
        result = JSON.parse(stdout);
      } catch {
        throw new Error(`attw printed no JSON:\n${stdout}\n${stderr}`);
      }
      const problems = Object.values(result.problems ?? {})
        .flat()
        // The browser runtime is ESM only, by design: bundlers import it, and Node's require() has no use for it.
        .filter((p) => !(p.kind === 'CJSResolvesToESM' && p.entrypoint === './client'))
        .map((p) => `${p.kind} ${p.entrypoint ?? ''} ${p.resolutionKind ?? ''}`.trim());
      expect(problems).toEqual([]);
      // Each module entry resolves to its own declarations and code, ESM or CJS as the resolution asks.
      const resolved = (subpath: string) =>
        Object.fromEntries(
          Object.entries(result.analysis.entrypoints[subpath]?.resolutions ?? {}).map(([kind, r]) => [
            kind,
            [r.resolution?.fileName, r.implementationResolution?.fileName].map((f) =>
              f?.replace('/node_modules/bigpipe-js/', ''),
            ),
          ]),
        );
      for (const name of ['server', 'web', 'fastify'])
        expect(resolved(`./${name}`), name).toEqual({
          node10: [`dist/${name}.d.ts`, `dist/${name}.d.ts`],
          'node16-cjs': [`dist/${name}.d.cts`, `dist/${name}.cjs`],
          'node16-esm': [`dist/${name}.d.ts`, `dist/${name}.js`],
          bundler: [`dist/${name}.d.ts`, `dist/${name}.js`],
        });
    },
    PACKING,
  );

  it(
    'ships the checker as the bigpipe-js command',
    async () => {
      const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
      expect(pkg.bin).toEqual({ 'bigpipe-js': 'bin/bigpipe-js.mjs' });
      const { stdout, stderr } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts']);
      const [packed] = JSON.parse(stdout.slice(stdout.indexOf('[')));
      const files: string[] = packed.files.map((f: { path: string }) => f.path);
      expect(files, stderr).toEqual(expect.arrayContaining(['bin/bigpipe-js.mjs', 'dist/check.js']));
    },
    PACKING,
  );
});

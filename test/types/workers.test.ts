/**
 * A Workers-style TypeScript project, without @types/node (only the WebWorker lib), type-checks against the built
 * package's bigpipe-js/web; bigpipe-js/server, whose Node adapters name Node's types, does not (the control).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const COMPILING = 60_000;

// Outside the repository, so no node_modules/@types of ours is found on the way up; the package copied, not
// linked, so its declarations resolve nothing from the repository's node_modules either.
const project = mkdtempSync(join(tmpdir(), 'bigpipe-workers-types-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));
const pkg = join(project, 'node_modules/bigpipe-js');
cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
writeFileSync(
  join(project, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      lib: ['ES2022', 'WebWorker'],
      types: [],
      strict: true,
      noEmit: true,
      // the package's declarations are checked too
      skipLibCheck: false,
    },
    files: ['worker.ts'],
  }),
);

/** A worker as a user writes it, importing `entry`. */
const worker = (entry: string) => `
import { inlineRuntime, pickMode, placeholder, renderToResponse, type Page, type Pagelet } from '${entry}';

const news: Pagelet = {
  id: 'news',
  timeout: 500,
  fallback: '<p>No news</p>',
  async render({ signal }) {
    const response = await fetch('https://example.com/news', { signal });
    return { html: await response.text(), css_links: ['/news.css'] };
  },
};

export default {
  fetch(request: Request): Response {
    const page: Page = { head: '<title>Home</title>', body: placeholder('news'), pagelets: [news] };
    const mode = pickMode(request);
    const runtime = new URL(request.url).searchParams.has('inline') ? inlineRuntime : { src: '/bigpipe.min.js' };
    return renderToResponse(page, { mode, runtime, signal: request.signal }, { headers: { 'Vary': 'User-Agent' } });
  },
};
`;

/** Runs tsc on the project; resolves with its output and exit code. */
const typeCheck = (entry: string) => {
  writeFileSync(join(project, 'worker.ts'), worker(entry));
  return new Promise<{ code: number; output: string }>((resolve) =>
    execFile(process.execPath, [TSC, '-p', project], { cwd: project }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr }),
    ),
  );
};

describe('a Workers TypeScript project without @types/node', () => {
  it(
    'type-checks with bigpipe-js/web',
    async () => {
      expect(await typeCheck('bigpipe-js/web')).toEqual({ code: 0, output: '' });
    },
    COMPILING,
  );

  it(
    "does not with bigpipe-js/server, which names Node's types (so the project really has none)",
    async () => {
      const { code, output } = await typeCheck('bigpipe-js/server');
      expect(code).not.toBe(0);
      expect(output).toContain("error TS2307: Cannot find module 'node:http'");
    },
    COMPILING,
  );
});

/**
 * Projects outside the repository, type-checked against the built package alone: a Workers-style one without
 * @types/node (only the WebWorker lib) with bigpipe-js/web, where bigpipe-js/server, whose Node adapters name Node's
 * types, does not compile (the control); and a browser page's script with bigpipe-js/client's events.
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
const tsconfig = (lib: string[]) =>
  JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      lib,
      types: [],
      strict: true,
      noEmit: true,
      // the package's declarations are checked too
      skipLibCheck: false,
    },
    files: ['index.ts'],
  });

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

/** A page's script as a user writes it, with the README's listener. */
const pageScript = `
import { BigPipe } from 'bigpipe-js/client';

declare function report(...values: unknown[]): void;
document.addEventListener('bigpipe:error', (e) => report(e.detail.target, e.detail.url, e.detail.error));
document.addEventListener('bigpipe:display', (e) => document.getElementById(e.detail.target)?.classList.add('shown'));
window.BigPipe.timeout = 5000;
BigPipe.onPageletArrive({ target: 'a', html: 'A' });
`;

/** Runs tsc on a project of one file, `index.ts`; resolves with its output and exit code. */
const typeCheck = (code: string, lib = ['ES2022', 'WebWorker']) => {
  writeFileSync(join(project, 'tsconfig.json'), tsconfig(lib));
  writeFileSync(join(project, 'index.ts'), code);
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
      expect(await typeCheck(worker('bigpipe-js/web'))).toEqual({ code: 0, output: '' });
    },
    COMPILING,
  );

  it(
    "does not with bigpipe-js/server, which names Node's types (so the project really has none)",
    async () => {
      const { code, output } = await typeCheck(worker('bigpipe-js/server'));
      expect(code).not.toBe(0);
      expect(output).toContain("error TS2307: Cannot find module 'node:http'");
    },
    COMPILING,
  );
});

describe("a browser page's script importing bigpipe-js/client", () => {
  it(
    "type-checks the README's listener with each event's detail, and window.BigPipe",
    async () => {
      expect(await typeCheck(pageScript, ['ES2022', 'DOM'])).toEqual({ code: 0, output: '' });
    },
    COMPILING,
  );

  it(
    'fails on a detail field that no event has',
    async () => {
      const { output } = await typeCheck(
        pageScript + "document.addEventListener('bigpipe:error', (e) => e.detail.message);\n",
        ['ES2022', 'DOM'],
      );
      expect(output).toContain("error TS2339: Property 'message' does not exist on type 'EventDetail'");
    },
    COMPILING,
  );
});

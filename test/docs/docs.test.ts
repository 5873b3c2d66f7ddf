/**
 * The docs are code: every code block of README.md and PROTOCOL.md is taken from the file and either run as written
 * (a program), compared with what the build ships (markup, the stub, the CDN tag), or found line for line in a file
 * that another test runs (an excerpt of examples/). A block that no rule here claims fails the test, so a new sample
 * cannot go untested.
 */
import { execFileSync, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkStream } from '../../src/check';
import { runtimeTags } from '../../src/server/validate';
import { FIELDS, hasFieldType, LOADER, STUB } from '../../src/protocol';
import { createPage } from '../client/harness';
import { get } from '../check/helpers';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json'));

interface Block {
  file: string;
  line: number;
  /** the fence's language; '' for a fence without one, 'indented' for a four-space block */
  lang: string;
  code: string;
}

/** Every fenced and indented code block of a Markdown file, with the line it starts on. */
function codeBlocks(file: string): Block[] {
  const lines = read(file).split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)```(\w*)\s*$/.exec(lines[i]);
    if (fence) {
      const [, indent, lang] = fence;
      const start = i;
      const body: string[] = [];
      while (++i < lines.length && lines[i].trim() !== '```') body.push(lines[i].slice(indent.length));
      blocks.push({ file, line: start + 1, lang, code: body.join('\n') });
    } else if (/^ {4}\S/.test(lines[i]) && lines[i - 1]?.trim() === '') {
      const start = i;
      const body: string[] = [];
      for (; i < lines.length && /^ {4}|^$/.test(lines[i]); i++) body.push(lines[i].slice(4));
      while (body.at(-1) === '') body.pop();
      i--;
      blocks.push({ file, line: start + 1, lang: 'indented', code: body.join('\n') });
    }
  }
  return blocks;
}

const BLOCKS = [...codeBlocks('README.md'), ...codeBlocks('PROTOCOL.md')];
const where = (b: Block) => `${b.file}:${b.line}`;

/** Every file under examples/ (the recipes and deploy examples that test/examples and test/runtimes run). */
const exampleFiles = (dir = 'examples'): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? exampleFiles(`${dir}/${entry.name}`)
      : /\.(m?js|ts)$/.test(entry.name)
        ? [`${dir}/${entry.name}`]
        : [],
  );
const trimmed = (text: string) => text.split('\n').map((l) => l.trim());
/** The example files holding `code`'s lines, in order and contiguous (indentation aside). */
const holding = (code: string) =>
  exampleFiles().filter((file) => {
    const want = trimmed(code);
    const have = trimmed(read(file));
    return have.some((_, i) => want.every((line, j) => have[i + j] === line));
  });

/** What a block is, decided by its content; each kind has its test below. */
function kind(b: Block): string | undefined {
  if (b.lang === '') return 'text'; // a diagram, an HTTP header: no program
  if (b.lang === 'sh' && /^npm (ci|install)\b/m.test(b.code)) return 'commands';
  if (b.lang === 'js' && b.code.includes("from 'bigpipe-js/server'") && b.code.includes('.listen(3000)'))
    return 'server program';
  if (b.lang === 'js' && b.code.startsWith("document.addEventListener('bigpipe:")) return 'page script';
  if (b.lang === 'html' && b.code.includes('cdn.jsdelivr.net')) return 'cdn tag';
  if (b.lang === 'html' && b.code.startsWith('<script>BigPipe={q:')) return 'stub';
  if (b.lang === 'html' && b.code.includes('<template>') && b.code.includes(LOADER)) return 'loader';
  if (b.lang === 'html' && b.code.startsWith('<script>BigPipe.onPageletArrive(')) return 'payload';
  if (b.lang === 'html' && b.code.includes('bigpipe.compat.min.js')) return 'compat tags';
  if (b.lang === 'indented' && b.code.startsWith('npx bigpipe-js check ')) return 'check command';
  if (b.lang === 'indented' && holding(b.code).length) return 'excerpt';
}
const of = (name: string) => BLOCKS.filter((b) => kind(b) === name);

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

describe('the code blocks of README.md and PROTOCOL.md', () => {
  it('are each claimed by a test here (a sample no rule claims is an untested sample)', () => {
    expect(BLOCKS.filter((b) => !kind(b)).map((b) => `${where(b)} (${b.lang}): ${b.code.split('\n')[0]}`)).toEqual([]);
    expect(of('server program').length).toBeGreaterThan(0);
  });

  it('name only npm scripts that exist, and the test command is what CI runs', () => {
    for (const b of of('commands'))
      for (const [, script] of b.code.matchAll(/npm (?:run )?(start|test|[\w:-]+)(?=\s|$)/g))
        if (!['ci', 'install'].includes(script))
          expect(pkg.scripts, `${where(b)}: npm ${script}`).toHaveProperty(script);
    expect(read('.ci/run')).toMatch(/^npm test$/m);
    // The install line names this package.
    const install = of('commands').flatMap((b) => [...b.code.matchAll(/npm install (\S+)/g)].map((m) => m[1]));
    expect(install).toEqual([pkg.name]);
  });

  it('quote examples/ line for line where they are excerpts (those files run in test/examples and test/runtimes)', () => {
    for (const b of of('excerpt')) expect(holding(b.code), where(b)).not.toEqual([]);
    expect(of('excerpt').length).toBeGreaterThan(0);
  });

  it.each(of('server program').map((b) => [where(b), b] as const))(
    'the program at %s runs as written: the shell and the fast pagelet go out before the slow one, the page follows the protocol, the checker command passes it',
    async (_, b) => {
      // Run from stdin in the package's folder, so `bigpipe-js/server` resolves to the built package by name.
      const child = fork('-', [], {
        cwd: ROOT,
        execArgv: ['--input-type=module', '--import', './test/docs/program-host.mjs'],
        stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
      });
      let output = '';
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      cleanups.push(() => child.kill());
      const port = await new Promise<number>((resolve, reject) => {
        child.once('message', (m: any) => resolve(m.port));
        child.once('exit', (code) => reject(new Error(`the program exited (${code}) before listening:\n${output}`)));
        child.stdin!.end(b.code);
      });
      const url = `http://127.0.0.1:${port}/`;

      const body = await get(url, { 'accept-encoding': 'identity' });
      expect(body.response.status).toBe(200);
      const shell = await body.until((t) => t.includes('"target":"news"'), 'the news pagelet');
      expect(shell).not.toContain('"target":"orders"');
      child.send('release');
      const html = await body.end();
      expect(html).toContain('"target":"orders"');
      const arrivals = body.arrivals.map((a, i) => ({ ...a, at: i })); // the timing rules would judge this machine
      expect(checkStream(arrivals, body.info).findings.filter((f) => f.level === 'error')).toEqual([]);
      // The Quick start answers only its own path: its stylesheet URL is the user's static files, not a page.
      expect((await fetch(new URL('/news.css', url))).status).toBe(404);

      for (const command of of('check command')) {
        const args = command.code
          .replace(/^npx bigpipe-js /, '')
          .replace('http://localhost:3000', url)
          .split(' ');
        child.send('release');
        const checked = await new Promise<{ code: number | null; out: string }>((resolve) => {
          const cli = fork(join(ROOT, 'bin/bigpipe-js.mjs'), args, { stdio: 'pipe' });
          let out = '';
          cli.stdout!.on('data', (d) => (out += d));
          cli.stderr!.on('data', (d) => (out += d));
          cli.on('exit', (code) => resolve({ code, out }));
        });
        expect(checked.code, `${where(command)}:\n${checked.out}`).toBe(0);
      }
      expect(output).toBe(''); // nothing logged: no failed page, no warning
    },
    30_000,
  );

  it.each(of('page script').map((b) => [where(b), b] as const))(
    'the page script at %s runs as written in a page with the runtime',
    async (_, b) => {
      const page = createPage({ body: '<div id="news"></div>' });
      const reported: unknown[][] = [];
      page.window.report = (...args: unknown[]) => reported.push(args);
      page.run(b.code);
      page.arrive({ target: 'news', html: 42 });
      page.arrive({ target: 'news', css_links: ['/news.css'], html: '<p>ok</p>' });
      await page.whenRequested('/news.css');
      const shown = page.next('bigpipe:display');
      await page.respond('/news.css', '', 404);
      await shown;
      expect(reported).toEqual([
        ['news', undefined, 'html: expected string'],
        ['news', '/news.css', 'load error'],
      ]);
    },
  );

  it('pin the CDN URL to this version, with the integrity of the file the build made', () => {
    const runtime = readFileSync(join(ROOT, 'dist/bigpipe.min.js'));
    const integrity = 'sha384-' + createHash('sha384').update(runtime).digest('base64');
    const tags = of('cdn tag');
    expect(tags.length).toBeGreaterThan(0);
    for (const b of tags) {
      expect(b.code, where(b)).toContain(`https://cdn.jsdelivr.net/npm/${pkg.name}@${pkg.version}/dist/bigpipe.min.js`);
      expect(b.code, `${where(b)}: run npm run build and put the integrity it prints here`).toContain(
        `integrity="${integrity}"`,
      );
      expect(b.code).toContain('crossorigin="anonymous"');
    }
  });

  it('write the stub exactly as the server sends it, before an async runtime', () => {
    const stubs = of('stub');
    expect(stubs.length).toBeGreaterThan(0); // PROTOCOL §5 (the README shows the loader instead)
    for (const b of stubs) {
      const [stub, runtime] = b.code.split('\n');
      expect(stub, where(b)).toBe(`<script>${STUB}</script>`);
      expect(runtime, where(b)).toMatch(/^<script (async|type="module" async) src="[^"]+"><\/script>$/);
    }
  });

  it('write the loader exactly as the server sends it for an async or a module runtime from that URL', () => {
    const loaders = of('loader');
    expect(loaders.length).toBeGreaterThan(1); // PROTOCOL §5: async, module (and any in README)
    for (const b of loaders) {
      const src = /<script(?: type="module")? src="([^"]+)"><\/script>/.exec(b.code)?.[1];
      const runtime = b.code.includes('type="module"') ? { src: src!, module: true } : { src: src!, async: true };
      expect(b.code.replaceAll('\n', ''), where(b)).toBe(runtimeTags({ runtime }));
    }
  });

  it('load the compat script after the runtime, by a name the package exports', () => {
    expect(of('compat tags').length).toBeGreaterThan(0);
    for (const b of of('compat tags')) {
      const srcs = [...b.code.matchAll(/^<script src="[^"]*\/([\w.]+)"><\/script>$/gm)].map((m) => m[1]);
      expect(srcs, where(b)).toEqual(['bigpipe.min.js', 'bigpipe.compat.min.js']);
      for (const file of srcs) {
        expect(pkg.exports[`./${file}`], `${where(b)}: ${file}`).toBe(`./dist/${file}`);
        expect(existsSync(join(ROOT, 'dist', file)), file).toBe(true);
      }
    }
  });

  it('show payloads whose fields have the types of the contract', () => {
    expect(of('payload').length).toBeGreaterThan(0);
    for (const b of of('payload')) {
      const json = /^<script>BigPipe\.onPageletArrive\((.*)\)<\/script>$/.exec(b.code)?.[1];
      const payload = JSON.parse(json!);
      for (const [field, value] of Object.entries(payload))
        expect(hasFieldType(value, FIELDS[field as keyof typeof FIELDS]), `${where(b)}: ${field}`).toBe(true);
    }
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

describe('the links of README.md and PROTOCOL.md', () => {
  it('work from the npm page: each relative link is a file the package ships, each anchor a heading there', () => {
    const packed = JSON.parse(
      ((s) => s.slice(s.indexOf('[')))(
        execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' }),
      ),
    )[0].files.map((f: { path: string }) => f.path) as string[];
    const broken: string[] = [];
    for (const file of ['README.md', 'PROTOCOL.md'])
      for (const [, link] of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^https:\/\//.test(link)) continue;
        const [path, hash] = link.split('#');
        const target = path || file;
        const shipped = target.endsWith('/') ? packed.some((p) => p.startsWith(target)) : packed.includes(target);
        if (!existsSync(join(ROOT, target)) || !shipped) broken.push(`${file}: ${link} is not in the package`);
        else if (
          hash &&
          !read(target)
            .split('\n')
            .some((line) => /^#+ /.test(line) && anchor(line.replace(/^#+ /, '')) === hash)
        )
          broken.push(`${file}: ${link} names no heading`);
      }
    expect(broken).toEqual([]);
  }, 60_000);
});

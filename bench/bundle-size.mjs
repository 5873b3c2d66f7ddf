// What a server bundle of bigpipe-js weighs per entry and use: each use bundled with esbuild as an edge (workerd,
// wrangler-style) or Node app would bundle it, minified, and checked for what it must and must not carry before it
// is measured. `node bench/bundle-size.mjs` prints the table; `npm run bench` adds it to the results.
// test/check/bundle.test.ts asserts the same bundles.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { bytes, table, textTable } from './lib.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const page = "{ body: '<div id=\"a\"></div>', pagelets: [{ id: 'a', render: () => ({ html: 'A' }) }] }";
// What esbuild does for workerd (TOOLCHAIN.md), and for a Node server.
const EDGE = { platform: 'neutral', conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'] };
const NODE = { platform: 'node', external: ['fastify'] };

/** Each use: its code, how it is bundled, and whether the inline runtime and isbot belong in it. */
export const USES = [
  {
    name: 'bigpipe-js/web: renderToResponse, runtime { src }',
    key: 'web_src',
    code: `import { renderToResponse } from 'bigpipe-js/web';
export default { fetch: () => renderToResponse(${page}, { runtime: { src: '/bigpipe.min.js' } }) };`,
    options: EDGE,
    runtime: false,
    isbot: false,
  },
  {
    name: 'bigpipe-js/web: renderToResponse, inlineRuntime',
    key: 'web_inline',
    code: `import { inlineRuntime, renderToResponse } from 'bigpipe-js/web';
export default { fetch: () => renderToResponse(${page}, { runtime: inlineRuntime }) };`,
    options: EDGE,
    runtime: true,
    isbot: false,
  },
  {
    name: 'bigpipe-js/web: renderToResponse, runtime { src }, pickMode',
    key: 'web_pick_mode',
    code: `import { pickMode, renderToResponse } from 'bigpipe-js/web';
export default { fetch: (request) => renderToResponse(${page}, { runtime: { src: '/bigpipe.min.js' }, mode: pickMode(request) }) };`,
    options: EDGE,
    runtime: false,
    isbot: true,
  },
  {
    name: 'bigpipe-js/server: renderToResponse, runtime { src }',
    key: 'server_src',
    code: `import { renderToResponse } from 'bigpipe-js/server';
export default { fetch: () => renderToResponse(${page}, { runtime: { src: '/bigpipe.min.js' } }) };`,
    options: EDGE,
    // its default is 'inline', chosen per call: the runtime is always in it
    runtime: true,
    isbot: false,
  },
  {
    name: 'bigpipe-js/server: renderToNodeResponse (Node)',
    key: 'node',
    code: `import { createServer } from 'node:http';
import { renderToNodeResponse } from 'bigpipe-js/server';
createServer((req, res) => renderToNodeResponse(${page}, res).catch(() => {})).listen(3000);`,
    options: NODE,
    runtime: true,
    isbot: false,
  },
  {
    name: 'bigpipe-js/fastify: the plugin (Node, fastify external)',
    key: 'fastify',
    code: `import Fastify from 'fastify';
import bigpipe from 'bigpipe-js/fastify';
const app = Fastify();
app.register(bigpipe);
app.get('/', (request, reply) => reply.bigpipe(${page}));
app.listen({ port: 3000 });`,
    options: NODE,
    runtime: true,
    isbot: false,
  },
];

// A stretch of the runtime's own code (dist/bigpipe.min.js), not of the server's: present only where it is inlined.
const RUNTIME_MARK = 'trustedTypes.createPolicy';

/** Bundles one use (from the package's own folder, so `bigpipe-js/...` resolves through its exports to dist/). */
export async function bundle(use) {
  const result = await build({
    stdin: { contents: use.code, resolveDir: ROOT, sourcefile: `${use.key}.mjs`, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    ...use.options,
  });
  const code = result.outputFiles[0].contents;
  const text = Buffer.from(code).toString('utf8');
  // the files that put bytes in the output (tree-shaken ones are listed with none)
  const [output] = Object.values(result.metafile.outputs);
  const inputs = Object.entries(output.inputs).flatMap(([file, { bytesInOutput }]) => (bytesInOutput ? [file] : []));
  return {
    min: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    runtime: text.includes(RUNTIME_MARK),
    isbot: inputs.some((file) => /(^|\/)node_modules\/isbot\//.test(file)),
    inputs,
    text,
  };
}

export async function run() {
  if (!readFileSync(new URL('../dist/bigpipe.min.js', import.meta.url), 'utf8').includes(RUNTIME_MARK))
    throw new Error(`the runtime no longer contains ${RUNTIME_MARK}: choose another mark`);
  const measured = {};
  for (const use of USES) {
    const b = await bundle(use);
    // Checked before it is measured: a bundle with the wrong contents would give a meaningless size.
    if (b.runtime !== use.runtime)
      throw new Error(`${use.name}: the inline runtime is ${b.runtime ? '' : 'not '}in the bundle`);
    if (b.isbot !== use.isbot) throw new Error(`${use.name}: isbot is ${b.isbot ? '' : 'not '}in the bundle`);
    measured[use.key] = { name: use.name, min: b.min, gzip: b.gzip, inline_runtime: b.runtime, isbot: b.isbot };
  }
  const head = ['entry and use', 'minified', 'gzip -9', 'inline runtime', 'isbot'];
  const rows = Object.values(measured).map((m) => [
    m.name,
    bytes(m.min),
    bytes(m.gzip),
    m.inline_runtime ? 'yes' : 'no',
    m.isbot ? 'yes' : 'no',
  ]);
  const saved = measured.server_src.min - measured.web_src.min;
  const note = `A Workers bundle of renderToResponse with a runtime \`src\` is ${bytes(saved)} smaller from bigpipe-js/web than from bigpipe-js/server.`;
  return {
    key: 'bundle_size',
    title: 'Server bundle size per entry (esbuild --minify)',
    result: measured,
    markdown:
      table(head, rows, 'lrrll') +
      '\n\nesbuild ' +
      (await import('esbuild')).version +
      ', `--bundle --minify --format=esm`; edge uses with `--platform=neutral --conditions=workerd,worker,browser`, Node uses ' +
      'with `--platform=node`. ' +
      note,
    text: textTable(head, rows) + '\n' + note.replace(/`/g, ''),
    goals: [],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log((await run()).text);

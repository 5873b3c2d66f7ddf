import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// `rollup -c` builds the browser runtime; `rollup -c --environment TARGET:server` builds the server
// module, which inlines the runtime (scripts/inline-runtime.mjs runs between the two).
const ts = () => typescript({ tsconfig: './tsconfig.build.json' });

/**
 * terser's nth_identifier: one-letter names handed out in a fixed order rather than by character frequency, measured
 * 8 B smaller under brotli on this runtime. Self-contained: the plugin sends its options to a worker as source text.
 */
const names = {
  get(n) {
    const alphabet = 'etnsrioalcdpjhfmgybwvkxuqzETNSRIOALCDPUHFMGYBWVKXJQZ';
    let name = '';
    n++;
    do {
      n--;
      name = alphabet[n % alphabet.length] + name;
      n = Math.floor(n / alphabet.length);
    } while (n > 0);
    return name;
  },
};

const minify = terser({
  ecma: 2021,
  module: true,
  toplevel: true,
  compress: { passes: 3, pure_getters: true, unsafe_arrows: true, unsafe_methods: true },
  // Internal state is written as readable `_`-prefixed names; only those are shortened. Wire names (the global, the
  // payload fields, event names) never start with `_`.
  mangle: { properties: { regex: /^_/ }, nth_identifier: names },
  format: { comments: false },
});

// Imported, not bundled: Node's modules, isbot (a dependency), Fastify (types only, the user's own).
const external = (id) => id.startsWith('node:') || id === 'isbot' || id === 'fastify';

// No newline at the end of the minified file: measured 11 B of brotli on this runtime (the inlined copy is trimmed too).
const trim = {
  name: 'trim',
  generateBundle(_, bundle) {
    for (const chunk of Object.values(bundle)) if (chunk.type === 'chunk') chunk.code = chunk.code.trim();
  },
};

/**
 * Every `const` of the bundled runtime becomes `let` before terser, so terser joins neighbouring declarations into one
 * statement (measured −17 B brotli with the policy made in the install block). Safe: the source type-checks with
 * `const`, so nothing reassigns them; the scope and the temporal dead zone of `let` are the same.
 */
const lets = {
  name: 'lets',
  renderChunk(code) {
    const edits = [];
    const walk = (node) => {
      if (!node || typeof node.type !== 'string') return;
      if (node.type === 'VariableDeclaration' && node.kind === 'const') edits.push(node.start);
      for (const value of Object.values(node))
        for (const child of Array.isArray(value) ? value : [value]) if (child && typeof child === 'object') walk(child);
    };
    walk(this.parse(code));
    for (const at of edits.sort((a, b) => b - a)) {
      if (code.slice(at, at + 5) !== 'const') throw new Error(`lets: no const at ${at}`);
      code = code.slice(0, at) + 'let' + code.slice(at + 5);
    }
    return { code, map: null };
  },
};

// Declarations are bundled into one self-contained file per entry, so the same text serves ESM and CJS.
const types = (input, files) => ({
  input,
  plugins: [dts({ tsconfig: './tsconfig.build.json' })],
  external,
  output: files.map((file) => ({ file, format: 'es' })),
});

// Build flag (declared in src/client/build.d.ts). MODULE: the ESM build finds its nonce without document.currentScript.
const define = (flags) => ({
  name: 'define',
  transform: (code, id) =>
    id.includes('/src/client/')
      ? code.replace(/(?<!declare const )\bMODULE\b(?!_)/g, (name) => String(flags[name]))
      : null,
});

// Trusted Types support is in every build now: dist/bigpipe.tt.min.js stays, as the same bytes under the old name.
const alias = (fileName) => ({
  name: 'alias',
  generateBundle(_, bundle) {
    const chunk = Object.values(bundle).find((c) => c.type === 'chunk');
    this.emitFile({ type: 'asset', fileName, source: chunk.code });
  },
});

const client = [
  {
    input: 'src/client/global.ts',
    plugins: [define({ MODULE: false }), ts()],
    output: [
      { file: 'dist/bigpipe.js', format: 'iife' },
      { file: 'dist/bigpipe.min.js', format: 'iife', plugins: [lets, minify, trim, alias('bigpipe.tt.min.js')] },
    ],
  },
  {
    input: 'src/client/index.ts',
    plugins: [define({ MODULE: true }), ts()],
    output: { file: 'dist/client.js', format: 'es' },
  },
  types('src/client/index.ts', ['dist/client.d.ts']),
];

// The compat script for pages of older BigPipe servers (src/compat/), loaded after the runtime: one minified file.
client.push({
  input: 'src/compat/index.ts',
  plugins: [ts()],
  output: { file: 'dist/bigpipe.compat.min.js', format: 'iife', plugins: [minify] },
});

// bigpipe-js/web is built with an empty table of inline runtimes: `runtime: 'inline'` is then an error that says to
// import inlineRuntime, so an edge bundle of a page that names a runtime `src` carries no runtime.
const noInlineDefaults = {
  name: 'no-inline-defaults',
  resolveId: (source) => (source === './inline-defaults' ? '\0inline-defaults' : null),
  load: (id) => (id === '\0inline-defaults' ? 'export const INLINE_RUNTIMES = {};' : null),
};

// Each entry is self-contained, ESM and CJS, with declarations for both.
const entry = (input, name, plugins = []) => [
  {
    input,
    plugins: [...plugins, ts()],
    external,
    output: [
      { file: `dist/${name}.js`, format: 'es' },
      { file: `dist/${name}.cjs`, format: 'cjs', exports: 'named' },
    ],
  },
  types(input, [`dist/${name}.d.ts`, `dist/${name}.d.cts`]),
];

const server = [
  ...entry('src/server/index.ts', 'server'),
  ...entry('src/web.ts', 'web', [noInlineDefaults]),
  ...entry('src/fastify.ts', 'fastify'),
  // The protocol checker behind bin/bigpipe-js.mjs (`npx bigpipe-js check <url>`); not an export of the package.
  { input: 'src/check/index.ts', plugins: [ts()], output: { file: 'dist/check.js', format: 'es' } },
];

export default process.env.TARGET === 'server' ? server : client;

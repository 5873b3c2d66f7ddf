import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// `rollup -c` builds the browser runtime; `rollup -c --environment TARGET:server` builds the server
// module, which inlines the runtime (scripts/inline-runtime.mjs runs between the two).
const ts = () => typescript({ tsconfig: './tsconfig.build.json' });

const minify = terser({
  ecma: 2021,
  module: true,
  toplevel: true,
  compress: { passes: 3, pure_getters: true, unsafe_arrows: true, unsafe_methods: true },
  // Internal state is written as readable `_`-prefixed names; only those are shortened. Wire names (the global, the
  // payload fields, event names) never start with `_`.
  mangle: { properties: { regex: /^_/ } },
  format: { comments: false },
});

// Declarations are bundled into one self-contained file per entry, so the same text serves ESM and CJS.
const types = (input, files) => ({
  input,
  plugins: [dts({ tsconfig: './tsconfig.build.json' })],
  external: (id) => id.startsWith('node:'),
  output: files.map((file) => ({ file, format: 'es' })),
});

// Build flag (declared in src/client/build.d.ts). MODULE: the ESM build finds its nonce without document.currentScript.
const define = (flags) => ({
  name: 'define',
  transform: (code, id) =>
    id.includes('/src/client/') ? code.replace(/(?<!declare const )\bMODULE\b(?!_)/g, (name) => String(flags[name])) : null,
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
      { file: 'dist/bigpipe.min.js', format: 'iife', plugins: [minify, alias('bigpipe.tt.min.js')] },
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

const server = [
  {
    input: 'src/server/index.ts',
    plugins: [ts()],
    external: (id) => id.startsWith('node:') || id === 'isbot',
    output: [
      { file: 'dist/server.js', format: 'es' },
      { file: 'dist/server.cjs', format: 'cjs' },
    ],
  },
  types('src/server/index.ts', ['dist/server.d.ts', 'dist/server.d.cts']),
  // The protocol checker behind bin/bigpipe-js.mjs (`npx bigpipe-js check <url>`); not an export of the package.
  { input: 'src/check/index.ts', plugins: [ts()], output: { file: 'dist/check.js', format: 'es' } },
];

export default process.env.TARGET === 'server' ? server : client;

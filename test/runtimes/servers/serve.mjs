// Starts an example of examples/deploy/ on Deno or Bun with the fixture page, on 127.0.0.1 and a free port:
//   deno run --allow-net=127.0.0.1 test/runtimes/servers/serve.mjs deno.ts
//   bun test/runtimes/servers/serve.mjs bun.mjs
// Prints `listening on http://127.0.0.1:<port>` once it listens.
import { fixturePage } from '../fixture.mjs';

// Literal specifiers: Deno loads them with the program, without asking for read access at run time.
const EXAMPLES = {
  'deno.ts': () => import('../../../examples/deploy/deno.ts'),
  'bun.mjs': () => import('../../../examples/deploy/bun.mjs'),
  'bun-hono.mjs': () => import('../../../examples/deploy/bun-hono.mjs'),
};

const [example] = globalThis.Deno ? Deno.args : process.argv.slice(2);
if (!EXAMPLES[example]) throw new Error(`no example ${example}: one of ${Object.keys(EXAMPLES).join(', ')}`);
const { start } = await EXAMPLES[example]();
const server = await start({ port: 0, hostname: '127.0.0.1', page: fixturePage });
console.log(`listening on http://127.0.0.1:${server.addr?.port ?? server.port}`);

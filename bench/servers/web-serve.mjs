// bench/servers/web.mjs on Deno or Bun, on 127.0.0.1 and a free port; prints `listening on http://127.0.0.1:<port>`.
import { handle } from './web.mjs';

const listening = (port) => console.log(`listening on http://127.0.0.1:${port}`);
if (globalThis.Deno) Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: ({ port }) => listening(port) }, handle);
else listening(Bun.serve({ port: 0, hostname: '127.0.0.1', idleTimeout: 30, fetch: handle }).port);

// bigpipe-js on Fastify 5 with its plugin. Run `node examples/fastify.mjs`, open http://localhost:3000
import Fastify from 'fastify';
import bigpipe from 'bigpipe-js/fastify';
import { isMain, printUrl, tinyPage } from './page.mjs';

/** Starts the server; resolves once it listens (port 0: any free port). `page()` makes the page per request. */
export async function start({ port = Number(process.env.PORT ?? 3000), host = 'localhost', page = tinyPage } = {}) {
  const app = Fastify();
  // Options given here are every page's defaults (runtime, nonce, timeout, ...); reply.bigpipe's own override them.
  await app.register(bigpipe);
  // A page that cannot render reaches Fastify's error handler (here its default: a 500), before anything is sent.
  // A pagelet that fails later sends its fallback and is logged with request.log.
  app.get('/', (request, reply) => reply.bigpipe(page()));
  await app.listen({ port, host });
  return app.server;
}

if (isMain(import.meta.url)) start().then(printUrl);

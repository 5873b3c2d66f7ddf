// bigpipe-js on Fastify 5. Run `node examples/fastify.mjs`, open http://localhost:3000
import Fastify from 'fastify';
import { renderToNodeResponse } from 'bigpipe-js/server';
import { isMain, printUrl, tinyPage } from './page.mjs';

/** Starts the server; resolves once it listens (port 0: any free port). `page()` makes the page per request. */
export async function start({ port = Number(process.env.PORT ?? 3000), host = 'localhost', page = tinyPage } = {}) {
  const app = Fastify();
  app.get('/', async (request, reply) => {
    // Fastify must not send a reply of its own: the page is written straight to the Node response.
    reply.hijack();
    // After hijack() Fastify no longer answers errors: a page that cannot render gets a 500 from
    // renderToNodeResponse, which rejects; log it with Fastify's logger.
    await renderToNodeResponse(page(), reply.raw).catch((error) => request.log.error(error, 'page failed'));
  });
  await app.listen({ port, host });
  return app.server;
}

if (isMain(import.meta.url)) start().then(printUrl);

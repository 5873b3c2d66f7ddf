// bigpipe-js on Koa 3. Run `node examples/koa.mjs`, open http://localhost:3000
import Koa from 'koa';
import { renderToNodeResponse } from 'bigpipe-js/server';
import { isMain, printUrl, tinyPage } from './page.mjs';

/** Starts the server; resolves once it listens (port 0: any free port). `page()` makes the page per request. */
export function start({ port = Number(process.env.PORT ?? 3000), host, page = tinyPage } = {}) {
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.path !== '/') return;
    // Koa starts every response as a 404, and with `respond = false` it sends no body and leaves ctx.res to us.
    ctx.status = 200;
    ctx.respond = false;
    await renderToNodeResponse(page(), ctx.res);
  });
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server)).once('error', reject);
  });
}

if (isMain(import.meta.url)) start().then(printUrl);

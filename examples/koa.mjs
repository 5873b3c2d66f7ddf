// bigpipe-js on Koa 3. Run `node examples/koa.mjs`, open http://localhost:3000
import Koa from 'koa';
import { renderToNodeStream } from 'bigpipe-js/server';
import { isMain, printUrl, tinyPage } from './page.mjs';

/** Starts the server; resolves once it listens (port 0: any free port). `page()` makes the page per request. */
export function start({ port = Number(process.env.PORT ?? 3000), host, page = tinyPage } = {}) {
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.path !== '/') return;
    // A stream body: Koa sets status 200, the stream sets the protocol's headers as Koa pipes it, and a client
    // that goes away destroys it, which aborts the pagelets still rendering. A page that cannot render throws
    // here, and Koa answers 500.
    ctx.body = renderToNodeStream(page());
  });
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server)).once('error', reject);
  });
}

if (isMain(import.meta.url)) start().then(printUrl);

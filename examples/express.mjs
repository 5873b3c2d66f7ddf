// bigpipe-js on Express 5 with gzip. Run `node examples/express.mjs`, open http://localhost:3000
import compression from 'compression';
import express from 'express';
import { renderToNodeResponse } from 'bigpipe-js/server';
import { isMain, printUrl, tinyPage } from './page.mjs';

/** Starts the server; resolves once it listens (port 0: any free port). `page()` makes the page per request. */
export function start({ port = Number(process.env.PORT ?? 3000), host, page = tinyPage } = {}) {
  const app = express();
  // compression buffers its output, but renderToNodeResponse calls its res.flush() after every chunk.
  app.use(compression());
  // Express 5 passes a rejected promise to its error handling (next(error)).
  app.get('/', (_req, res) => renderToNodeResponse(page(), res));
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error) => (error ? reject(error) : resolve(server)));
  });
}

if (isMain(import.meta.url)) start().then(printUrl);

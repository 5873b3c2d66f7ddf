// bigpipe-js with a template engine (EJS; Nunjucks, Handlebars or Pug work the same way): the engine renders the
// whole document, the library streams the pagelets into it. Run `node examples/ejs.mjs`, open http://localhost:3000
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import { placeholder, renderToNodeResponse } from 'bigpipe-js/server';
import { isMain, printUrl, tinyPage } from './page.mjs';

const layout = fileURLToPath(new URL('views/layout.ejs', import.meta.url));

/** Starts the server; resolves once it listens (port 0: any free port). `page()` makes the page per request. */
export function start({ port = Number(process.env.PORT ?? 3000), host, page = tinyPage } = {}) {
  const server = createServer(async (req, res) => {
    if (req.url.split('?')[0] !== '/') return void res.writeHead(404).end();
    try {
      // The document is the template's: its <html lang>, its <body class>, its footer. The runtime goes at the start
      // of its <head> (after the <meta charset>), everything up to </body> is the shell, the payloads follow.
      const document = await ejs.renderFile(layout, { lang: 'en', title: 'Dashboard', placeholder });
      await renderToNodeResponse({ document, pagelets: page().pagelets }, res);
    } catch (error) {
      // A template that fails, or a page that cannot render (answered 500 by renderToNodeResponse): log it.
      if (!res.headersSent) res.writeHead(500).end();
      console.error('page failed:', error);
    }
  });
  return new Promise((resolve, reject) => server.listen(port, host, () => resolve(server)).once('error', reject));
}

if (isMain(import.meta.url)) start().then(printUrl);

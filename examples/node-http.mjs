// bigpipe-js on plain node:http. Run `node examples/node-http.mjs`, open http://localhost:3000
import { createServer } from 'node:http';
import { noscriptRedirect, pickMode, renderToNodeResponse } from 'bigpipe-js/server';
import { isMain, printUrl, tinyPage } from './page.mjs';

/**
 * Starts the server; resolves once it listens (port 0: any free port). `page()` makes the page per request.
 * @param {{ port?: number, host?: string, page?: typeof tinyPage }} [options]
 */
export function start({ port = Number(process.env.PORT ?? 3000), host, page = tinyPage } = {}) {
  const server = createServer((req, res) => {
    // req.url is whatever the request line said, not always a URL: compare the path, never parse it.
    if (req.url.split('?')[0] !== '/') return void res.writeHead(404).end();
    // Crawlers, and ?bigpipe=inline, get each pagelet in place, in document order, with no JavaScript needed.
    const mode = pickMode(req);
    // The mode depends on the User-Agent and the cookie: a cache (a CDN, a proxy) must keep the two pages apart.
    res.setHeader('Vary', 'User-Agent, Cookie');
    const html = page();
    // A browser without JavaScript reloads the page with ?bigpipe=inline.
    if (mode === 'pipeline') html.head += noscriptRedirect(req.url);
    // A page that cannot render (a bad pagelet id, say) is answered with a 500 and rejects: log it.
    renderToNodeResponse(html, res, { mode }).catch((error) => console.error('page failed:', error));
  });
  return new Promise((resolve, reject) => server.listen(port, host, () => resolve(server)).once('error', reject));
}

if (isMain(import.meta.url)) start().then(printUrl);

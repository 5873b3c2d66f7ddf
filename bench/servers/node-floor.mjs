// The benchmark page on Node for bench/runtimes.mjs: /bigpipe with renderToNodeResponse, /floor the same bytes as a
// constant with res.end(); the diagnostics /chunks, the same bytes in bigpipe-js's chunks, one res.write() each, and
// /prebuilt, renderToNodeResponse with each pagelet's result built once (see web.mjs).
// Prints `listening on http://127.0.0.1:<port>`.
import { createServer } from 'node:http';
import { renderToNodeResponse, renderToReadableStream } from 'bigpipe-js/server';
import { page, pageChunks, prebuiltPage } from './web.mjs';

const HEADERS = { 'Content-Type': 'text/html; charset=utf-8', 'X-Accel-Buffering': 'no', 'Cache-Control': 'no-cache' };
const floor = Buffer.from(await new Response(renderToReadableStream(page())).arrayBuffer());
const chunks = (await pageChunks()).map((chunk) => Buffer.from(chunk));

const server = createServer((req, res) => {
  if (req.url === '/bigpipe') return void renderToNodeResponse(page(), res);
  if (req.url === '/prebuilt') return void renderToNodeResponse(prebuiltPage(), res);
  if (req.url === '/floor') return void res.writeHead(200, HEADERS).end(floor);
  if (req.url === '/chunks') {
    res.writeHead(200, HEADERS);
    for (const chunk of chunks) res.write(chunk);
    return void res.end();
  }
  res.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () =>
  console.log(`listening on http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`),
);

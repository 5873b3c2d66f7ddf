// HTTP servers on 127.0.0.1 only, on free ports, for tests, benchmarks and stress campaigns.
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';

/**
 * @typedef {object} Listening
 * @property {number} port
 * @property {string} base `http://127.0.0.1:PORT`
 * @property {() => Promise<void>} close ends every connection, then the server
 */

/** Listens on 127.0.0.1 on a free port. */
export const listen = async (/** @type {net.Server} */ server, backlog = 511) => {
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, backlog }, () => resolve(undefined));
  });
  const { port } = /** @type {net.AddressInfo} */ (server.address());
  return /** @type {Listening} */ ({
    port,
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        /** @type {Partial<http.Server>} */ (server).closeAllConnections?.();
        server.close(() => resolve());
      }),
  });
};

/** @typedef {(req: http.IncomingMessage, res: http.ServerResponse) => unknown} Handler */

/** A node:http server on 127.0.0.1: a handler, or a table of routes (path → handler; anything else is a 404). */
export const serve = (/** @type {Handler | Record<string, Handler>} */ routes) =>
  listen(
    http.createServer(
      typeof routes === 'function'
        ? routes
        : (req, res) => {
            const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
            if (route) return route(req, res);
            res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
          },
    ),
  );

/** A free TCP port on 127.0.0.1, for processes that cannot listen on port 0 and say where (workerd, WebDriver). */
export async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = /** @type {net.AddressInfo} */ (server.address());
  server.close();
  await once(server, 'close');
  return port;
}

export const HTML = 'text/html; charset=utf-8';

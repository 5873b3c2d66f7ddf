/// <reference types="node" />
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import { HEADERS } from './headers';
import { MAX_DELAY, prepareRender, type PageStream, type PreparedRender } from './render';
import type { Page, RenderOptions } from './types';

/** What the adapter uses of a response: node:http's ServerResponse, and node:http2's compatibility response. */
type NodeResponse = ServerResponse & { stream?: { destroyed?: boolean }; req?: { method?: string } };

/** The client has gone (a reset HTTP/2 stream leaves `res.destroyed` unset, but its stream is destroyed). */
const gone = (res: NodeResponse) => !!(res.destroyed || res.stream?.destroyed);

const setHeaders = (res: NodeResponse) => {
  if (!res.headersSent) for (const [name, value] of HEADERS) if (!res.hasHeader(name)) res.setHeader(name, value);
};

/**
 * Streams the page into a Node ServerResponse (http, express, fastify's reply.raw, http2's compatibility API, ...)
 * and resolves when the response has ended. Headers not already set are set (see headers.ts) and sent at once with
 * the shell, in one write; the status stays as set (Node's default is 200). Each chunk is written as soon as it is
 * ready, waiting for 'drain' when write() returns false, and followed by `res.flush()` when there is one
 * (compression middleware would otherwise hold it back).
 *
 * - An invalid page rejects before anything is written, after answering 500 when nothing was sent yet, so a
 *   dropped promise still leaves no request hanging (but catch it: an unhandled rejection ends a Node process).
 * - A response that has already ended rejects, and nothing renders.
 * - A HEAD request gets the headers at once, and nothing renders.
 * - A client that has gone (also before this is called), a write error, or a client that takes no chunk for
 *   `options.writeTimeout` ms ends the response and aborts every pending render; then it resolves.
 * - Aborting `options.signal` aborts the renders and destroys the response, so the client sees it as incomplete.
 */
export async function renderToNodeResponse(
  page: Page,
  response: ServerResponse | Http2ServerResponse,
  options?: RenderOptions,
): Promise<void> {
  const res = response as NodeResponse;
  let prepared;
  try {
    prepared = prepareRender(page, options);
  } catch (error) {
    if (!res.headersSent && !res.writableEnded && !gone(res)) {
      res.statusCode = 500;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('Internal Server Error\n');
    }
    throw error;
  }
  return sendPage(prepared, res);
}

/**
 * Streams a checked page into a response: renderToNodeResponse after its validation (fastify.ts validates first,
 * so that an invalid page still reaches Fastify's error handler).
 * @internal not part of the package's API
 */
export async function sendPage(
  prepared: PreparedRender,
  response: ServerResponse | Http2ServerResponse,
): Promise<void> {
  const res = response as NodeResponse;
  if (res.writableEnded)
    throw new Error('renderToNodeResponse: the response has already ended (something answered it first)');
  // The client may have gone while an async handler was still working: then there is nothing to stream.
  if (gone(res)) return;
  if (res.req?.method === 'HEAD') {
    setHeaders(res);
    res.end();
    return;
  }
  await stream(prepared.start(), res, prepared.writeTimeout);
}

async function stream(render: PageStream, res: NodeResponse, writeTimeout: number) {
  // Created first so neither event can be missed; 'close' alone means the client went away.
  const ended = new Promise<void>((resolve) => {
    res.once('finish', resolve);
    res.once('close', resolve);
  });
  let closed = false;
  const disconnected = () => {
    closed = true;
    render.cancel();
  };
  res.once('close', disconnected);
  // A failed write is a client gone too (and an 'error' without a listener would end the process).
  res.on('error', disconnected);
  try {
    setHeaders(res);
    // Every chunk already there is written in this loop, without a promise each. The shell always is: its write
    // sends the headers with it, before any pagelet can resolve.
    for (let chunk; (chunk = render.read()) !== null; ) {
      if (chunk === undefined) {
        await render.changed();
        continue;
      }
      const drained = res.write(chunk);
      (res as { flush?: () => void }).flush?.();
      if (!drained && !closed && !(await drain(res, ended, writeTimeout))) {
        disconnected();
        res.destroy();
      }
    }
    if (!closed) res.end();
  } catch {
    res.destroy();
  } finally {
    res.off('close', disconnected);
    res.off('error', disconnected);
    res.on('error', ignore); // a late write error after the end is nobody's business
    render.cancel(); // a no-op once finished; after a throw it aborts the renders still pending
  }
  await ended;
}

const ignore = () => {};

/** Waits for 'drain' (true), the end of the response, or writeTimeout ms without it (false). */
function drain(res: NodeResponse, ended: Promise<void>, writeTimeout: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onDrain!: () => void;
  return Promise.race([
    new Promise<boolean>((resolve) => res.once('drain', (onDrain = () => resolve(true)))),
    ended.then(() => true),
    ...(writeTimeout < MAX_DELAY
      ? [new Promise<boolean>((resolve) => (timer = setTimeout(resolve, writeTimeout, false)))]
      : []),
  ]).finally(() => {
    clearTimeout(timer);
    res.off('drain', onDrain);
  });
}

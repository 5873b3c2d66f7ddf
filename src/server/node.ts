/// <reference types="node" />
import type { ServerResponse } from 'node:http';
import { startRender } from './render';
import type { Page, RenderOptions } from './types';

const HEADERS = Object.entries({
  'Content-Type': 'text/html; charset=utf-8',
  // nginx-style proxies would otherwise buffer the stream
  'X-Accel-Buffering': 'no',
  'Cache-Control': 'no-cache',
});

/**
 * Streams the page into a Node ServerResponse (http, express, fastify's reply.raw, ...) and resolves when the
 * response has ended. Headers not already set are set (the three above) and sent at once with the shell, in one
 * write; the status stays as set (Node's default is 200). Each chunk is written as soon as it is ready, waiting for
 * 'drain' when write() returns false, and followed by `res.flush()` when there is one (compression middleware would
 * otherwise hold it back).
 *
 * A client disconnect (also one before this is called) aborts every pending render and resolves; aborting
 * `options.signal` aborts them too and destroys the response, so the client sees it as incomplete. Validation
 * errors reject before anything is written, so the caller can still send an error page.
 */
export async function renderToNodeResponse(page: Page, res: ServerResponse, options?: RenderOptions): Promise<void> {
  const render = startRender(page, options);
  // The client may have gone while an async handler was still working: then there is nothing to stream.
  if (res.destroyed) return render.cancel();
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
  try {
    if (!res.headersSent) for (const [name, value] of HEADERS) if (!res.hasHeader(name)) res.setHeader(name, value);
    // Every chunk already there is written in this loop, without a promise each. The shell always is: its write
    // sends the headers with it, before any pagelet can resolve.
    for (let chunk; (chunk = render.read()) !== null; ) {
      if (chunk === undefined) {
        await render.changed();
        continue;
      }
      const drained = res.write(chunk);
      (res as { flush?: () => void }).flush?.();
      if (!drained) await Promise.race([new Promise((resolve) => res.once('drain', resolve)), ended]);
    }
    if (!closed) res.end();
  } catch {
    res.destroy();
  } finally {
    res.off('close', disconnected);
    render.cancel(); // a no-op once finished; after a throw it aborts the renders still pending
  }
  await ended;
}

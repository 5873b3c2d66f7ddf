/// <reference types="node" />
import type { ServerResponse } from 'node:http';
import { renderToChunks, type Page, type RenderOptions } from './core';

const HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  // nginx-style proxies would otherwise buffer the stream
  'X-Accel-Buffering': 'no',
  'Cache-Control': 'no-cache',
};

/**
 * Streams the page into a Node ServerResponse (http, express, fastify's reply.raw, ...) and resolves when the
 * response has ended. Headers not already set are set (the three above) and sent at once, the status stays as set
 * (Node's default is 200). Each chunk is written as soon as it is ready, waiting for 'drain' when write() returns
 * false, and followed by `res.flush()` when there is one (compression middleware would otherwise hold it back).
 *
 * A client disconnect (also one before this is called) aborts every pending render and resolves; aborting
 * `options.signal` aborts them too and destroys the response, so the client sees it as incomplete. Validation
 * errors reject before anything is written, so the caller can still send an error page.
 */
export async function renderToNodeResponse(page: Page, res: ServerResponse, options?: RenderOptions): Promise<void> {
  const chunks = renderToChunks(page, options);
  // The client may have gone while an async handler was still working: then there is nothing to stream.
  if (res.destroyed) return void chunks.return();
  // Created first so neither event can be missed; 'close' alone means the client went away.
  const ended = new Promise<void>((resolve) => {
    res.once('finish', resolve);
    res.once('close', resolve);
  });
  let closed = false;
  const disconnected = () => {
    closed = true;
    void chunks.return();
  };
  res.once('close', disconnected);
  try {
    for (const [name, value] of Object.entries(HEADERS))
      if (!res.headersSent && !res.hasHeader(name)) res.setHeader(name, value);
    res.flushHeaders();
    for await (const chunk of chunks) {
      const drained = res.write(chunk);
      (res as { flush?: () => void }).flush?.();
      if (!drained) await Promise.race([new Promise((resolve) => res.once('drain', resolve)), ended]);
    }
    if (!closed) res.end();
  } catch {
    res.destroy();
  } finally {
    res.off('close', disconnected);
    void chunks.return(); // a no-op once finished; after a throw it aborts the renders still pending
  }
  await ended;
}

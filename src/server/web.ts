import { HEADERS } from './headers';
import { MAX_DELAY, startRender } from './render';
import type { Page, RenderOptions } from './types';

/**
 * The page as a Web ReadableStream of UTF-8 bytes (Response bodies, Deno, Bun, workers, Hono). Validation errors
 * throw here, synchronously. `cancel()` aborts every pending render; aborting `options.signal` errors the stream
 * with the signal's reason, so an HTTP layer ends the response as incomplete rather than as a finished page. A
 * consumer that takes no chunk for `options.writeTimeout` ms while one waits errors the stream with a
 * TimeoutError, which aborts every pending render.
 */
export function renderToReadableStream(page: Page, options?: RenderOptions): ReadableStream<Uint8Array> {
  const render = startRender(page, options);
  const encoder = new TextEncoder();
  const { writeTimeout } = render;
  let stalled: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    // Pulled one chunk at a time: nothing is buffered beyond what the reader has asked for.
    async pull(controller) {
      clearTimeout(stalled);
      let chunk;
      while ((chunk = render.read()) === undefined) await render.changed();
      if (chunk === null) return controller.close();
      // Every chunk already there goes in one piece: one enqueue, one write for the runtime's HTTP layer (the end,
      // or a failure, is read again at the next pull)
      for (let more; typeof (more = render.read()) === 'string'; ) chunk += more;
      controller.enqueue(encoder.encode(chunk));
      // Nobody is reading what was just queued: the consumer has this long to come back for it.
      if (controller.desiredSize! <= 0 && writeTimeout < MAX_DELAY)
        stalled = setTimeout(() => {
          render.cancel();
          controller.error(new DOMException(`no chunk taken for ${writeTimeout} ms`, 'TimeoutError'));
        }, writeTimeout);
    },
    cancel() {
      clearTimeout(stalled);
      render.cancel();
    },
  });
}

/**
 * The page as a Web Response (Hono: `return renderToResponse(page)`, workers, Deno, Bun): the stream of
 * renderToReadableStream with the protocol's headers (headers.ts) unless `init` sets them, status 200 unless
 * `init` says otherwise. Validation errors throw here, synchronously, so the framework's error handling answers.
 */
export function renderToResponse(page: Page, options?: RenderOptions, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  for (const [name, value] of HEADERS) if (!headers.has(name)) headers.set(name, value);
  return new Response(renderToReadableStream(page, options), { ...init, headers });
}

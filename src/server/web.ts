import { startRender } from './render';
import type { Page, RenderOptions } from './types';

/**
 * The page as a Web ReadableStream of UTF-8 bytes (Response bodies, Deno, Bun, workers, Hono). Validation errors
 * throw here, synchronously. `cancel()` aborts every pending render; aborting `options.signal` errors the stream
 * with the signal's reason, so an HTTP layer ends the response as incomplete rather than as a finished page.
 */
export function renderToReadableStream(page: Page, options?: RenderOptions): ReadableStream<Uint8Array> {
  const render = startRender(page, options);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    // Pulled one chunk at a time: nothing is buffered beyond what the reader has asked for.
    async pull(controller) {
      let chunk;
      while ((chunk = render.read()) === undefined) await render.changed();
      if (chunk === null) controller.close();
      else controller.enqueue(encoder.encode(chunk));
    },
    cancel() {
      render.cancel();
    },
  });
}

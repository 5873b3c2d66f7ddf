/** renderToChunks: the render as an async iterator of string chunks, for adapters of other servers. */
import { startRender } from './render';
import type { Chunks, Page, RenderOptions } from './types';

/**
 * Renders a page as an async iterator of string chunks, in the order they must be written. Every render starts
 * at once, when this is called. Validation errors throw here, before any chunk.
 *
 * Pipeline mode: the shell (doctype, meta charset, runtime, head, body) first, then one payload script per
 * pagelet in completion order (a streamed pagelet's items each as one, as they are yielded), then `</body></html>`.
 * Each payload carries `total`, unless the page has a streamed pagelet (see Pagelet.stream).
 *
 * Inline mode: no runtime; the shell up to the inside of each pagelet's placeholder, then that pagelet's content
 * (links, style, html, scripts; a streamed pagelet's items one after another), in document order. Placeholders are
 * found by the exact markup of placeholder(id); a pagelet whose placeholder is not in the body has its content
 * written at the end of the body instead.
 *
 * Cancelling: `return()` (or breaking a for-await loop) ends the iteration quietly; aborting `options.signal`
 * makes the pending and next `next()` reject with the signal's reason. Either way every pending render's signal is
 * aborted, every streamed pagelet's iteration stopped (`return()`), every timer cleared and nothing more produced.
 */
export function renderToChunks(page: Page, options: RenderOptions = {}): Chunks {
  const render = startRender(page, options);
  const iterator: Chunks = {
    async next() {
      for (;;) {
        const chunk = render.read();
        if (chunk === null) return { done: true, value: undefined };
        if (chunk !== undefined) return { done: false, value: chunk };
        await render.changed();
      }
    },
    async return() {
      render.cancel();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

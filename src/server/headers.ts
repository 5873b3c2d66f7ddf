/**
 * The HTTP headers of a streamed page (PROTOCOL.md §8), one list for every adapter: a charset (without one Firefox
 * and WebKit paint nothing until later chunks), no proxy buffering, no caching of a page made per request.
 */
export const HEADERS: [string, string][] = Object.entries({
  'Content-Type': 'text/html; charset=utf-8',
  // nginx-style proxies would otherwise buffer the stream
  'X-Accel-Buffering': 'no',
  'Cache-Control': 'no-cache',
});

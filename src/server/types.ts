/** The public types of a page and its pagelets, as the adapters and renderToChunks take them. */
import type { Payload } from '../protocol';

/** What a pagelet renders: a payload without `target` and `total`, which the server sets. */
export type PageletContent = Omit<Payload, 'target' | 'total'>;

/** What `render` returns or resolves to: the content, or for a streamed pagelet an async iterable of contents. */
export type PageletResult = PageletContent | AsyncIterable<PageletContent>;

export interface Pagelet {
  /** id of its placeholder element in the page's body (see placeholder()) */
  id: string;
  /**
   * Starts at once with every other pagelet; `signal` aborts on timeout, failure or cancellation.
   *
   * A streamed pagelet (see `stream`) returns or resolves to an AsyncIterable of contents, such as an async
   * generator: each item is sent as a payload of its own the moment it is yielded. The first item replaces the
   * placeholder's content unless it sets `append`; every later item is sent with `append: true`. An iteration that
   * ends without an item sends a payload without content (its placeholder keeps what it has). Cancelling the page
   * or failing the pagelet stops the iteration (`return()`).
   */
  render(ctx: { signal: AbortSignal }): PageletResult | Promise<PageletResult>;
  /**
   * ms before the render counts as failed; default options.timeout, then DEFAULT_PAGELET_TIMEOUT. For a streamed
   * pagelet it bounds the wait for the first item, then the wait for each next item (and for the end).
   */
  timeout?: number;
  /**
   * sent when the render throws, rejects, times out or returns an invalid result; a string is its html. A streamed
   * pagelet that fails after sending an item sends nothing more instead.
   */
  fallback?: string | PageletContent;
  /**
   * true when `render` returns (or resolves to) an AsyncIterable; implied when `render` is an `async function*`.
   * How many payloads a streamed pagelet sends is not known in advance, so a page with one sends `total` late: on
   * the payload that completes the first round (every pagelet's first payload), counting every payload written so
   * far; the runtime starts its JS phase then, even if the page never ends (PROTOCOL.md §4.5, live pages). An
   * undeclared iterable is a failure.
   */
  stream?: boolean;
}

/** A page given as its head and body: the library writes the document around them. */
export interface PageParts {
  /** markup for the head, after `<meta charset="utf-8">` and the runtime */
  head?: string;
  /** the skeleton, with a placeholder per pagelet */
  body: string;
  pagelets: Pagelet[];
  document?: undefined;
}

/**
 * A page given as a complete HTML document, from any template engine: the runtime goes at the start of its
 * `<head>` (after a `<meta charset>` that comes first), everything up to `</body>` is the shell, the payloads
 * follow it, then the rest of the document. It must have a `<head>` start tag and a `</body>` end tag.
 */
export interface PageDocument {
  document: string;
  pagelets: Pagelet[];
  head?: undefined;
  body?: undefined;
}

export type Page = PageParts | PageDocument;

/**
 * The runtime's code, inlined in the head: `inlineRuntime` (what `'inline'` means in bigpipe-js/server). bigpipe-js/web
 * inlines the runtime only when given this, so a bundle that loads it with `{ src }` does not carry it.
 */
export interface InlineRuntime {
  /** script text; it may not contain `</script` or `<!--` */
  readonly inline: string;
}

export interface RenderOptions {
  /**
   * how the runtime reaches a pipeline-mode page: inlined (default), inlined with Trusted Types support (for pages
   * whose CSP has `require-trusted-types-for 'script'`; allow the policy with `trusted-types bigpipe`), a script
   * tag, or with `async: true` the loader of PROTOCOL.md §5 (the stub, then the script inserted by a script, so it
   * runs as soon as it is fetched, mid-stream, WebKit included); `module: true` for an ES module (a bundle that imports
   * bigpipe-js/client), loaded the same way (a parser-inserted module without `async` would run only after the
   * document's end, holding every pagelet until then).
   * In bigpipe-js/web there is no default: give `{ src }` or `inlineRuntime`.
   */
  runtime?:
    | 'inline'
    | 'inline-trusted-types'
    | InlineRuntime
    | { src: string; async?: boolean; module?: boolean; integrity?: string };
  /** CSP nonce for every script and style tag written; base64 characters only, anything else throws */
  nonce?: string;
  /** default pagelet timeout in ms (DEFAULT_PAGELET_TIMEOUT when absent) */
  timeout?: number;
  /** 'pipeline' (default): payload scripts in completion order; 'inline': content in place, document order, no JS */
  mode?: 'pipeline' | 'inline';
  /** aborting it cancels the page: pending renders are aborted and the output stops (see renderToChunks) */
  signal?: AbortSignal;
  /**
   * ms a ready chunk may wait for the client to take it (DEFAULT_WRITE_TIMEOUT when absent; `Infinity`: forever).
   * A client that stops reading without disconnecting holds the response open; past this the response is ended as
   * incomplete and every pending render aborted. renderToChunks has no client: the option is for the adapters.
   */
  writeTimeout?: number;
  /**
   * Called once per failed pagelet (thrown, rejected, timed out, invalid result or item, a stream failing midway,
   * a payload too large to serialize), never for a cancelled page; and once per pagelet whose result has fields the
   * protocol does not know (a TypeError; they are ignored and the known ones sent), so a typo such as `content`
   * or `css_link` is seen.
   * Default: console.error. What it throws is ignored.
   */
  onError?(error: unknown, pageletId: string): void;
  /** Called once, when the shell has been handed to the response (or the reader). What it throws is ignored. */
  onShellReady?(): void;
  /** Called once, when the last chunk has been handed over: every pagelet is sent. What it throws is ignored. */
  onAllReady?(): void;
  /**
   * Called once per pagelet when it is done, for metrics: `ms` since the renders started, `status` 'ok', 'error'
   * (it threw, rejected or was invalid: its fallback was sent) or 'timeout'. Not called for a cancelled page.
   * What it throws is ignored.
   */
  onPagelet?(pageletId: string, timing: { ms: number; status: 'ok' | 'error' | 'timeout' }): void;
}

/** The chunks of a page; `return()` cancels it. */
export interface Chunks extends AsyncIterableIterator<string> {
  return(): Promise<IteratorResult<string>>;
}

/**
 * Default pagelet timeout, in ms. A pagelet still rendering after this long gets its fallback (or empty html), its
 * signal is aborted and onError is called, so a slow backend cannot hold the response open. Override per page
 * with `options.timeout` or per pagelet with `timeout`; `Infinity` means no timeout.
 */
export const DEFAULT_PAGELET_TIMEOUT = 3000;

/** Default `writeTimeout`, in ms: how long a ready chunk may wait for a client that has stopped reading. */
export const DEFAULT_WRITE_TIMEOUT = 30_000;

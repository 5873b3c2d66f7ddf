/**
 * The rendering core: a page and its pagelets in, string chunks out, in the order they must be written.
 * Pure: no I/O and no Node imports; web.ts and node.ts adapt it to a ReadableStream and a ServerResponse.
 */
import { FIELDS, STUB, type Payload } from '../protocol';
import { RUNTIME } from './runtime.generated';
import {
  escapeAttribute,
  idProblem,
  nonceAttribute,
  payloadProblem,
  placeholder,
  quoted,
  serializePagelet,
} from './serialize';

/** What a pagelet renders: a payload without `target` and `total`, which the server sets. */
export type PageletContent = Omit<Payload, 'target' | 'total'>;

export interface Pagelet {
  /** id of its placeholder element in the page's body (see placeholder()) */
  id: string;
  /** Starts at once with every other pagelet; `signal` aborts on timeout, failure or cancellation. */
  render(ctx: { signal: AbortSignal }): PageletContent | Promise<PageletContent>;
  /** ms before the render counts as failed; default options.timeout, then DEFAULT_PAGELET_TIMEOUT */
  timeout?: number;
  /** sent when the render throws, rejects, times out or returns an invalid result; a string is its html */
  fallback?: string | PageletContent;
}

export interface Page {
  /** markup for the head, after `<meta charset="utf-8">` and the runtime */
  head?: string;
  /** the skeleton, with a placeholder per pagelet */
  body: string;
  pagelets: Pagelet[];
}

export interface RenderOptions {
  /** how the runtime reaches a pipeline-mode page: inlined (default), a script tag, or the stub + an async script */
  runtime?: 'inline' | { src: string; async?: boolean; integrity?: string };
  /** CSP nonce for every script and style tag written; base64 characters only, anything else throws */
  nonce?: string;
  /** default pagelet timeout in ms (DEFAULT_PAGELET_TIMEOUT when absent) */
  timeout?: number;
  /** 'pipeline' (default): payload scripts in completion order; 'inline': content in place, document order, no JS */
  mode?: 'pipeline' | 'inline';
  /** aborting it cancels the page: pending renders are aborted and the output stops (see renderToChunks) */
  signal?: AbortSignal;
  /**
   * Called once per failed pagelet (thrown, rejected, timed out, invalid result), never for a cancelled page.
   * Default: console.error. What it throws is ignored.
   */
  onError?(error: unknown, pageletId: string): void;
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

// setTimeout fires at once for delays above this; longer timeouts mean "no timer".
const MAX_DELAY = 2 ** 31 - 1;
const CONTENT_FIELDS = Object.keys(FIELDS).filter((f) => f !== 'target' && f !== 'total') as (keyof PageletContent)[];

const shellStart = '<!DOCTYPE html><html><head><meta charset="utf-8">';
const END = '</body></html>';

const checkTimeout = (timeout: unknown, name: string) => {
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0))
    throw new Error(`${name}: timeout must be a number of ms >= 0, got ${quoted(timeout)}`);
};

/** Throws an Error naming the pagelet (or option) at the first problem; runs before anything is written. */
const validate = (page: Page, options: RenderOptions) => {
  if (typeof page !== 'object' || page === null) throw new Error('page must be an object');
  if (typeof page.body !== 'string') throw new Error('page.body must be a string');
  if (page.head !== undefined && typeof page.head !== 'string') throw new Error('page.head must be a string');
  if (!Array.isArray(page.pagelets)) throw new Error('page.pagelets must be an array');
  nonceAttribute(options.nonce);
  checkTimeout(options.timeout, 'options');
  if (options.mode !== undefined && options.mode !== 'pipeline' && options.mode !== 'inline')
    throw new Error(`options.mode must be 'pipeline' or 'inline', got ${quoted(options.mode)}`);
  const runtime = options.runtime;
  if (
    runtime !== undefined &&
    runtime !== 'inline' &&
    !(
      typeof runtime?.src === 'string' &&
      runtime.src &&
      (runtime.integrity === undefined || typeof runtime.integrity === 'string')
    )
  )
    throw new Error("options.runtime must be 'inline' or { src: string, async?: boolean, integrity?: string }");
  const seen = new Set<string>();
  page.pagelets.forEach((pagelet, i) => {
    const id = pagelet?.id;
    const name = typeof id === 'string' ? `pagelet ${JSON.stringify(id)}` : `pagelet #${i}`;
    const problem = idProblem(id);
    if (problem) throw new Error(`${name}: id ${problem}`);
    if (seen.has(id)) throw new Error(`${name}: duplicate id`);
    seen.add(id);
    if (typeof pagelet.render !== 'function') throw new Error(`${name}: render must be a function`);
    checkTimeout(pagelet.timeout, name);
    const fallback = pagelet.fallback;
    const bad = fallback === undefined || typeof fallback === 'string' ? undefined : payloadProblem(fallback, true);
    if (bad) throw new Error(`${name}: fallback ${bad}`);
  });
};

/** The runtime's script tags for the head (pipeline mode). */
const runtimeTags = (runtime: RenderOptions['runtime'] = 'inline', nonce: string) => {
  if (runtime === 'inline') return `<script${nonce}>${RUNTIME}</script>`;
  const integrity =
    runtime.integrity === undefined ? '' : ` integrity="${escapeAttribute(runtime.integrity)}" crossorigin="anonymous"`;
  const src = escapeAttribute(runtime.src);
  const tag = `<script${nonce}${runtime.async ? ' async' : ''} src="${src}"${integrity}></script>`;
  // Payloads that arrive before an async runtime wait in the stub's queue.
  return runtime.async ? `<script${nonce}>${STUB}</script>` + tag : tag;
};

/** Only the known content fields, so a render result cannot override `target` or `total`. */
const pick = (content: PageletContent): PageletContent => {
  const out: Record<string, unknown> = {};
  for (const field of CONTENT_FIELDS) if (content[field] !== undefined) out[field] = content[field];
  return out;
};

/**
 * A pagelet's content as markup for inline mode. Inline js and css cannot close their element: in js every `<`
 * before `/` or `!--` becomes `\x3C` (same meaning inside string, template and regex literals); in css `</style`
 * becomes `<\/style` (a CSS escape of `/`, same meaning in strings and url()).
 */
const inlineMarkup = (content: PageletContent, nonce: string) => {
  let out = '';
  for (const href of content.css_links ?? []) out += `<link rel="stylesheet" href="${escapeAttribute(href)}">`;
  if (content.css) out += `<style${nonce}>${content.css.replace(/<\/(style)/gi, '<\\/$1')}</style>`;
  out += content.html ?? '';
  for (const src of content.js_links ?? []) out += `<script${nonce} src="${escapeAttribute(src)}"></script>`;
  if (content.js) out += `<script${nonce}>${content.js.replace(/<(?=\/|!--)/g, '\\x3C')}</script>`;
  return out;
};

/**
 * Renders a page as an async iterator of string chunks, in the order they must be written. Every render starts
 * at once, when this is called. Validation errors throw here, before any chunk.
 *
 * Pipeline mode: the shell (doctype, meta charset, runtime, head, body) first, then one payload script per
 * pagelet in completion order, each with `total`, then `</body></html>`.
 *
 * Inline mode: no runtime; the shell up to the inside of each pagelet's placeholder, then that pagelet's content
 * (links, style, html, scripts), in document order. Placeholders are found by the exact markup of placeholder(id);
 * a pagelet whose placeholder is not in the body has its content written at the end of the body instead.
 *
 * Cancelling: `return()` (or breaking a for-await loop) ends the iteration quietly; aborting `options.signal`
 * makes the pending and next `next()` reject with the signal's reason. Either way every pending render's signal is
 * aborted, every timer cleared and nothing more is produced.
 */
export function renderToChunks(page: Page, options: RenderOptions = {}): Chunks {
  validate(page, options);
  const nonce = nonceAttribute(options.nonce);
  const { pagelets } = page;
  const inline = options.mode === 'inline';
  const onError = options.onError ?? ((error: unknown, id: string) => console.error(`pagelet "${id}":`, error));
  const head = shellStart + (inline ? '' : runtimeTags(options.runtime, nonce)) + (page.head ?? '') + '</head><body>';

  // The output is `order`: strings, and pagelet indexes standing for content[i] once it has settled.
  const content: (string | undefined)[] = [];
  const order: (string | number)[] = [];
  let cursor = 0;
  let final = inline; // pipeline mode appends to `order` as pagelets settle
  let settled = 0;
  let stopped = false;
  let failure: { reason: unknown } | undefined;

  if (inline) {
    // Each placeholder is split after its opening tag: shell up to there, then the pagelet, then the rest.
    const found = pagelets
      .map((p, i) => {
        const markup = placeholder(p.id);
        const at = page.body.indexOf(markup);
        return { i, at, end: at + markup.length - '</div>'.length };
      })
      .filter((f) => f.at >= 0)
      .sort((a, b) => a.at - b.at);
    let from = 0;
    let text = head;
    for (const { i, end } of found) {
      order.push(text + page.body.slice(from, end), i);
      from = end;
      text = '';
    }
    order.push(text + page.body.slice(from));
    const placed = new Set(found.map((f) => f.i));
    pagelets.forEach((_, i) => placed.has(i) || order.push(i));
    order.push(END);
  } else {
    order.push(head + page.body);
    if (!pagelets.length) {
      order.push(END);
      final = true;
    }
  }

  let wake = () => {};
  let changed = new Promise<void>((r) => (wake = r));
  const notify = () => {
    wake();
    changed = new Promise<void>((r) => (wake = r));
  };

  const controllers = pagelets.map(() => new AbortController());
  const timers: ReturnType<typeof setTimeout>[] = [];

  const stop = (reason: unknown) => {
    if (stopped) return;
    stopped = true;
    options.signal?.removeEventListener('abort', abort);
    timers.forEach(clearTimeout);
    controllers.forEach((c, i) => content[i] === undefined && c.abort(reason));
    notify();
  };
  const abort = () => {
    failure = { reason: options.signal!.reason };
    stop(options.signal!.reason);
  };
  if (options.signal?.aborted) abort();
  else options.signal?.addEventListener('abort', abort);

  pagelets.forEach((pagelet, i) => {
    if (stopped) return;
    const { id } = pagelet;
    const done = (result: PageletContent) => {
      if (stopped || content[i] !== undefined) return;
      clearTimeout(timers[i]);
      content[i] = inline
        ? inlineMarkup(result, nonce)
        : serializePagelet({ target: id, ...pick(result), total: pagelets.length }, options);
      if (!inline) order.push(i);
      if (++settled === pagelets.length) {
        if (!inline) order.push(END);
        final = true;
      }
      notify();
    };
    const fail = (error: unknown) => {
      if (stopped || content[i] !== undefined) return;
      controllers[i]!.abort(error);
      try {
        onError(error, id);
      } catch {
        // a throwing onError must not break the response
      }
      const fallback = pagelet.fallback;
      done(typeof fallback === 'string' ? { html: fallback } : (fallback ?? { html: '' }));
    };
    const ms = pagelet.timeout ?? options.timeout ?? DEFAULT_PAGELET_TIMEOUT;
    const timeout = () => new Error(`pagelet ${JSON.stringify(id)} timed out after ${ms} ms`);
    if (ms < MAX_DELAY) timers[i] = setTimeout(() => fail(Object.assign(timeout(), { name: 'TimeoutError' })), ms);
    const signal = controllers[i]!.signal;
    // Handlers are attached at once, so a late or post-cancel rejection is never unhandled.
    new Promise<PageletContent>((resolve) => resolve(pagelet.render({ signal }))).then((result) => {
      const problem = payloadProblem(result, true);
      if (problem) fail(new TypeError(`pagelet ${JSON.stringify(id)} rendered an invalid result: ${problem}`));
      else done(result);
    }, fail);
  });

  const iterator: Chunks = {
    async next() {
      for (;;) {
        if (failure) {
          const { reason } = failure;
          failure = undefined; // thrown once, then done, like a generator
          throw reason;
        }
        if (stopped) return { done: true, value: undefined };
        const part = order[cursor];
        const chunk = typeof part === 'number' ? content[part] : part;
        if (chunk !== undefined) {
          cursor++;
          if (chunk) return { done: false, value: chunk };
        } else if (final && cursor === order.length) stop(undefined);
        else await changed;
      }
    },
    async return() {
      stop(new DOMException('The page was cancelled', 'AbortError'));
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

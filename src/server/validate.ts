/** Checks a page and its options before anything starts: the first problem throws an Error naming it. */
import { INLINE_RUNTIMES } from './inline-defaults';
import { END, runtimeScripts, shellStart } from './markup';
import { checkPayload, idProblem, nonceAttribute, quoted } from './serialize';
import {
  DEFAULT_PAGELET_TIMEOUT,
  DEFAULT_WRITE_TIMEOUT,
  type Page,
  type Pagelet,
  type PageletContent,
  type RenderOptions,
} from './types';

/** A pagelet as checked: each of its fields read once, so what runs is what was checked. */
export interface PageletPlan {
  id: string;
  render: Pagelet['render'];
  /** ms; Infinity: no timeout */
  timeout: number;
  streams: boolean;
  /** what a failure sends: the fallback as content (empty html without one) */
  fallback: PageletContent;
}

/** A page as checked: what the render core works from. */
export interface PagePlan {
  /** the document before the runtime's place */
  start: string;
  /** ` nonce="…"` for every element written, or '' */
  nonce: string;
  /** the document after the runtime's place, up to the body's end: where the placeholders are */
  body: string;
  /** what is written after the last payload */
  end: string;
  pagelets: PageletPlan[];
  writeTimeout: number;
}

/** Throws unless `runtime` is a RenderOptions.runtime, and, when the page needs it, one this build can write. */
export const checkRuntime = (runtime: unknown, needed = true) => {
  const r = runtime as { src?: unknown; integrity?: unknown; inline?: unknown } | null;
  if (typeof r?.inline === 'string') {
    // It goes inside <script>…</script>, where it cannot be escaped: nothing in it may close the element or open a comment.
    if (!r.inline || /<\/script|<!--/i.test(r.inline))
      throw new Error('options.runtime.inline must be the runtime\'s script text, with no "</script" or "<!--" in it');
    return;
  }
  if (
    runtime !== undefined &&
    runtime !== 'inline' &&
    runtime !== 'inline-trusted-types' &&
    !(typeof r?.src === 'string' && r.src && (r.integrity === undefined || typeof r.integrity === 'string'))
  )
    throw new Error(
      "options.runtime must be 'inline', 'inline-trusted-types' or { src: string, async?: boolean, module?: boolean, integrity?: string }, or inlineRuntime",
    );
  if (
    needed &&
    (runtime === undefined || typeof runtime === 'string') &&
    !INLINE_RUNTIMES[(runtime ?? 'inline') as 'inline']
  )
    throw new Error(
      "bigpipe-js/web inlines no runtime unless it is given one: set options.runtime to { src: '/bigpipe.min.js' } " +
        "(a script tag) or to inlineRuntime (import { inlineRuntime } from 'bigpipe-js/web')",
    );
};

const parts = (page: Page) => {
  if (typeof page.body !== 'string') throw new Error('page.body must be a string (or give page.document)');
  if (page.head !== undefined && typeof page.head !== 'string') throw new Error('page.head must be a string');
  return { start: shellStart, body: (page.head ?? '') + '</head><body>' + page.body, end: END };
};

// The head's start tag, skipping comments before it (a `<head>` inside one is not the head).
const HEAD = /<!--[\s\S]*?(?:-->|$)|<head(?=[\s/>])[^>]*>/gi;
const META_CHARSET = /\s*<meta\s[^>]*charset[^>]*>/iy;
const BODY_END = /<\/body[\s/>]/gi;

/** A complete document split around the runtime's place and the end of its body. */
const splitDocument = (document: unknown, page: Page) => {
  if (typeof document !== 'string') throw new Error('page.document must be a string');
  if (page.head !== undefined || page.body !== undefined)
    throw new Error('page.document comes alone: its head and body are in it');
  let at = -1;
  HEAD.lastIndex = 0;
  for (let m; (m = HEAD.exec(document)); )
    if (m[0].startsWith('<h') || m[0].startsWith('<H')) {
      at = HEAD.lastIndex;
      break;
    }
  if (at < 0) throw new Error('page.document has no <head> start tag: the runtime goes at the start of the head');
  META_CHARSET.lastIndex = at;
  if (META_CHARSET.test(document)) at = META_CHARSET.lastIndex;
  let end = -1;
  BODY_END.lastIndex = at;
  for (let m; (m = BODY_END.exec(document)); ) end = m.index; // the last one: the payloads go before it
  if (end < 0) throw new Error('page.document has no </body> end tag: the payloads go before it');
  return { start: document.slice(0, at), body: document.slice(at, end), end: document.slice(end) };
};

/** What a pagelet without a fallback sends when it fails (shared: it is never changed). */
const NO_FALLBACK: PageletContent = Object.freeze({ html: '' });

const HOOKS = ['onError', 'onShellReady', 'onAllReady', 'onPagelet'] as const;

/** A pagelet's name for an error message (built only for an error: validation runs on every request). */
const nameOf = (id: unknown, i: number) => (typeof id === 'string' ? `pagelet ${JSON.stringify(id)}` : `pagelet #${i}`);

const isAsyncGeneratorFunction = (f: unknown) =>
  Object.prototype.toString.call(f) === '[object AsyncGeneratorFunction]';

const checkTimeout = (timeout: unknown, name: string) => {
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0))
    throw new Error(`${name}: timeout must be a number of ms >= 0, got ${quoted(timeout)}`);
};

/** Throws an Error naming the pagelet (or option) at the first problem; runs before anything is written. */
export const validate = (page: Page, options: RenderOptions): PagePlan => {
  if (typeof page !== 'object' || page === null) throw new Error('page must be an object');
  const shell = page.document === undefined ? parts(page) : splitDocument(page.document, page);
  if (!Array.isArray(page.pagelets)) throw new Error('page.pagelets must be an array');
  const nonce = nonceAttribute(options.nonce);
  checkTimeout(options.timeout, 'options');
  checkTimeout(options.writeTimeout, 'options.writeTimeout');
  const signal = options.signal as unknown;
  if (signal !== undefined && typeof (signal as AbortSignal | null)?.addEventListener !== 'function')
    throw new Error('options.signal must be an AbortSignal');
  for (const hook of HOOKS)
    if (options[hook] !== undefined && typeof options[hook] !== 'function')
      throw new Error(`options.${hook} must be a function`);
  if (options.mode !== undefined && options.mode !== 'pipeline' && options.mode !== 'inline')
    throw new Error(`options.mode must be 'pipeline' or 'inline', got ${quoted(options.mode)}`);
  // an inline-mode page writes no runtime
  checkRuntime(options.runtime, options.mode !== 'inline');
  const seen = new Set<string>();
  const pagelets = page.pagelets.map((pagelet: Pagelet, i): PageletPlan => {
    if (typeof pagelet !== 'object' || pagelet === null) throw new Error(`pagelet #${i} must be an object`);
    const { id, render, timeout, stream, fallback } = pagelet;
    const name = () => nameOf(id, i);
    const problem = idProblem(id);
    if (problem) throw new Error(`${name()}: id ${problem}`);
    if (seen.has(id)) throw new Error(`${name()}: duplicate id`);
    seen.add(id);
    if (typeof render !== 'function') throw new Error(`${name()}: render must be a function`);
    if (timeout !== undefined) checkTimeout(timeout, name());
    if (stream !== undefined && typeof stream !== 'boolean')
      throw new Error(`${name()}: stream must be a boolean, got ${quoted(stream)}`);
    let content = NO_FALLBACK;
    if (typeof fallback === 'string') content = { html: fallback };
    else if (fallback !== undefined) {
      const checked = checkPayload(fallback, true);
      if (checked.problem !== undefined) throw new Error(`${name()}: fallback ${checked.problem}`);
      if (checked.unknown.length)
        throw new Error(`${name()}: fallback has unknown fields ${checked.unknown.map(quoted).join(', ')}`);
      content = checked.fields as PageletContent;
    }
    return {
      id,
      render,
      timeout: timeout ?? options.timeout ?? DEFAULT_PAGELET_TIMEOUT,
      streams: stream ?? isAsyncGeneratorFunction(render),
      fallback: content,
    };
  });
  return {
    start: shell.start,
    nonce,
    body: shell.body,
    end: shell.end,
    pagelets,
    writeTimeout: options.writeTimeout ?? DEFAULT_WRITE_TIMEOUT,
  };
};

/**
 * The runtime's markup for the head, for a document assembled by hand: what the render puts at the start of the
 * head in pipeline mode (the inlined runtime, a script tag, or the stub and an async or module script).
 * Throws like the render for an invalid `runtime` or `nonce`.
 */
export const runtimeTags = (options: Pick<RenderOptions, 'runtime' | 'nonce'> = {}): string => {
  checkRuntime(options.runtime);
  return runtimeScripts(options.runtime, nonceAttribute(options.nonce));
};

/** Checks a page and its options before anything starts: the first problem throws an Error naming it. */
import { checkPayload, idProblem, nonceAttribute, quoted } from './serialize';
import { DEFAULT_PAGELET_TIMEOUT, DEFAULT_WRITE_TIMEOUT, type Page, type Pagelet, type PageletContent, type RenderOptions } from './types';

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
  head: string;
  body: string;
  pagelets: PageletPlan[];
  writeTimeout: number;
}

const isAsyncGeneratorFunction = (f: unknown) => Object.prototype.toString.call(f) === '[object AsyncGeneratorFunction]';

const checkTimeout = (timeout: unknown, name: string) => {
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0))
    throw new Error(`${name}: timeout must be a number of ms >= 0, got ${quoted(timeout)}`);
};

/** Throws an Error naming the pagelet (or option) at the first problem; runs before anything is written. */
export const validate = (page: Page, options: RenderOptions): PagePlan => {
  if (typeof page !== 'object' || page === null) throw new Error('page must be an object');
  if (typeof page.body !== 'string') throw new Error('page.body must be a string');
  if (page.head !== undefined && typeof page.head !== 'string') throw new Error('page.head must be a string');
  if (!Array.isArray(page.pagelets)) throw new Error('page.pagelets must be an array');
  nonceAttribute(options.nonce);
  checkTimeout(options.timeout, 'options');
  checkTimeout(options.writeTimeout, 'options.writeTimeout');
  const signal = options.signal as unknown;
  if (signal !== undefined && typeof (signal as AbortSignal | null)?.addEventListener !== 'function')
    throw new Error('options.signal must be an AbortSignal');
  if (options.onError !== undefined && typeof options.onError !== 'function') throw new Error('options.onError must be a function');
  if (options.mode !== undefined && options.mode !== 'pipeline' && options.mode !== 'inline')
    throw new Error(`options.mode must be 'pipeline' or 'inline', got ${quoted(options.mode)}`);
  const runtime = options.runtime;
  if (
    runtime !== undefined &&
    runtime !== 'inline' &&
    runtime !== 'inline-trusted-types' &&
    !(
      typeof runtime?.src === 'string' &&
      runtime.src &&
      (runtime.integrity === undefined || typeof runtime.integrity === 'string')
    )
  )
    throw new Error(
      "options.runtime must be 'inline', 'inline-trusted-types' or { src: string, async?: boolean, module?: boolean, integrity?: string }",
    );
  const seen = new Set<string>();
  const pagelets = page.pagelets.map((pagelet: Pagelet, i): PageletPlan => {
    if (typeof pagelet !== 'object' || pagelet === null) throw new Error(`pagelet #${i} must be an object`);
    const { id, render, timeout, stream, fallback } = pagelet;
    // Built only for an error: this runs on every request.
    const name = () => (typeof id === 'string' ? `pagelet ${JSON.stringify(id)}` : `pagelet #${i}`);
    const problem = idProblem(id);
    if (problem) throw new Error(`${name()}: id ${problem}`);
    if (seen.has(id)) throw new Error(`${name()}: duplicate id`);
    seen.add(id);
    if (typeof render !== 'function') throw new Error(`${name()}: render must be a function`);
    checkTimeout(timeout, name());
    if (stream !== undefined && typeof stream !== 'boolean')
      throw new Error(`${name()}: stream must be a boolean, got ${quoted(stream)}`);
    let content: PageletContent = { html: '' };
    if (typeof fallback === 'string') content = { html: fallback };
    else if (fallback !== undefined) {
      const checked = checkPayload(fallback, true);
      if (checked.problem !== undefined) throw new Error(`${name()}: fallback ${checked.problem}`);
      if (checked.unknown.length) throw new Error(`${name()}: fallback has unknown fields ${checked.unknown.map(quoted).join(', ')}`);
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
    head: page.head ?? '',
    body: page.body,
    pagelets,
    writeTimeout: options.writeTimeout ?? DEFAULT_WRITE_TIMEOUT,
  };
};

/** Checks a page and its options before anything starts: the first problem throws an Error naming it. */
import { nonceAttribute, idProblem, payloadProblem, quoted } from './serialize';
import type { Page, RenderOptions } from './types';

const checkTimeout = (timeout: unknown, name: string) => {
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0))
    throw new Error(`${name}: timeout must be a number of ms >= 0, got ${quoted(timeout)}`);
};

/** Throws an Error naming the pagelet (or option) at the first problem; runs before anything is written. */
export const validate = (page: Page, options: RenderOptions) => {
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
  page.pagelets.forEach((pagelet, i) => {
    const id = pagelet?.id;
    // Built only for an error: this runs on every request.
    const name = () => (typeof id === 'string' ? `pagelet ${JSON.stringify(id)}` : `pagelet #${i}`);
    const problem = idProblem(id);
    if (problem) throw new Error(`${name()}: id ${problem}`);
    if (seen.has(id)) throw new Error(`${name()}: duplicate id`);
    seen.add(id);
    if (typeof pagelet.render !== 'function') throw new Error(`${name()}: render must be a function`);
    if (pagelet.timeout !== undefined) checkTimeout(pagelet.timeout, name());
    if (pagelet.stream !== undefined && typeof pagelet.stream !== 'boolean')
      throw new Error(`${name()}: stream must be a boolean, got ${quoted(pagelet.stream)}`);
    const fallback = pagelet.fallback;
    const bad = fallback === undefined || typeof fallback === 'string' ? undefined : payloadProblem(fallback, true);
    if (bad) throw new Error(`${name()}: fallback ${bad}`);
  });
};

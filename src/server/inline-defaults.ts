/**
 * What `runtime: 'inline'` and `'inline-trusted-types'` put in the head. bigpipe-js/web is built with an empty table
 * instead (rollup.config.mjs), so an edge bundle carries the ~2.5 kB runtime only when it imports `inlineRuntime`.
 */
import { RUNTIME, RUNTIME_TRUSTED_TYPES } from './runtime.generated';

export const INLINE_RUNTIMES: Partial<Record<'inline' | 'inline-trusted-types', string>> = {
  inline: RUNTIME,
  'inline-trusted-types': RUNTIME_TRUSTED_TYPES,
};

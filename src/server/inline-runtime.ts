import { RUNTIME } from './runtime.generated';
import type { InlineRuntime } from './types';

/**
 * The runtime, to inline in the head: `runtime: inlineRuntime` (Trusted Types included). bigpipe-js/web needs it
 * for an inlined runtime; a bundle that does not import it does not carry the runtime's bytes.
 */
export const inlineRuntime: InlineRuntime = /* @__PURE__ */ Object.freeze({ inline: RUNTIME });

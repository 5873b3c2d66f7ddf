import { EVENTS, GLOBAL, TRUSTED_TYPES_POLICY, type BigPipeGlobal, type EventDetail } from '../protocol';

// Aliased once so the minifier can shorten every use to one letter.
export const doc = document;
export const head = doc.head;

/** The runtime's global: the async stub's object when there is one, so its `timeout` and `q` carry over. */
export const B: BigPipeGlobal = ((window as any)[GLOBAL] ||= {});

// The nonce of the runtime's own <script>: every element the runtime creates carries it, so strict CSP pages work.
// A module has no currentScript: the ESM build takes the nonce of the page's first nonce'd script (one per response).
const nonce = ((MODULE ? doc.currentScript || doc.querySelector('script[nonce]') : doc.currentScript) as HTMLScriptElement | null)?.nonce;

/**
 * Trusted Types: on pages with `require-trusted-types-for 'script'`, the HTML, inline JS and script URLs go
 * through one identity policy named 'bigpipe', so the page's CSP must allow it: `trusted-types bigpipe`.
 * Without the API the rules object stands in for the policy: one shape, every sink fed the same way.
 * Typed as strings: the sinks take TrustedHTML/TrustedScript/TrustedScriptURL wherever they take strings.
 */
const rules = { createHTML: (s: string) => s, createScript: (s: string) => s, createScriptURL: (s: string) => s };
export const policy: typeof rules =
  (TRUSTED_TYPES && (window as any).trustedTypes?.createPolicy(TRUSTED_TYPES_POLICY, rules)) || rules;
// Each sink is written `TRUSTED_TYPES ? policy.createX(s) : s`, so the default build keeps the bare string.

export const create = <K extends keyof HTMLElementTagNameMap>(tag: K): HTMLElementTagNameMap[K] => {
  const el = doc.createElement(tag);
  if (nonce) el.nonce = nonce;
  return el;
};

export const emit = (type: (typeof EVENTS)[keyof typeof EVENTS], target?: unknown, error?: string, url?: string) =>
  doc.dispatchEvent(new CustomEvent<EventDetail>(type, { detail: { target, url, error } }));

/** bigpipe:error for `target`: what went wrong, and the URL as the payload gave it when one failed. */
export const fail = emit.bind(0, EVENTS.error);

import { ARRIVE, type EVENTS, GLOBAL, type BigPipeGlobal, type EventDetail } from '../protocol';

// The ESM build may be imported where there is no document (an SSR bundle, a test runner): there it installs
// nothing. The script builds always run in a page (MODULE is false there, and this folds away).
const browser = !MODULE || typeof document == 'object';

// Aliased once so the minifier can shorten every use to one letter.
export const doc: Document = browser ? document : ({} as Document);
export const head = doc.head;

/** The runtime's global: the async stub's object when there is one, so its `timeout` and `q` carry over. */
export const BigPipe: BigPipeGlobal = browser ? ((window as any)[GLOBAL] ||= {}) : ({} as BigPipeGlobal);

/**
 * Whether this copy installs itself: not when another runtime already has (inline runtime plus a bundle import, two
 * script tags). Checked on wire names only, so any two builds recognise each other: a stub always has `q`, an
 * installed runtime has the method and no `q`.
 */
export const installing = browser && (BigPipe.q || !BigPipe[ARRIVE]);

// The nonce of the runtime's own <script>: every element the runtime creates carries it, so strict CSP pages work.
// A module has no currentScript: the ESM build takes the nonce of the page's first nonce'd script (one per response).
const nonce = browser
  ? ((MODULE ? doc.currentScript || doc.querySelector('script[nonce]') : doc.currentScript) as HTMLScriptElement | null)
      ?.nonce
  : undefined;

/** A new element with the runtime's nonce; `text` (a stylesheet's or a script's) is set before it goes in. */
// The nonce is set unconditionally: an element on a page without CSP ignores it.
export const create = (tag: string, text?: unknown, el: any = doc.createElement(tag)): any => (
  (el.nonce = nonce), text && (el.textContent = text), el
);

type EventType = (typeof EVENTS)[keyof typeof EVENTS] extends `bigpipe:${infer T}` ? T : never;

/** Dispatches `bigpipe:<type>` on document; `target`, `error`, `url` go in `detail`. */
export const emit = (type: EventType, target?: unknown, error?: string, url?: string) =>
  doc.dispatchEvent(new CustomEvent<EventDetail>('bigpipe:' + type, { detail: { target, url, error } }));

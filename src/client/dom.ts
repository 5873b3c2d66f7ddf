import { EVENTS, GLOBAL, type BigPipeGlobal, type EventDetail } from '../protocol';

// Aliased once so the minifier can shorten every use to one letter.
export const doc = document;
export const head = doc.head;

/** The runtime's global: the async stub's object when there is one, so its `timeout` and `q` carry over. */
export const B: BigPipeGlobal = ((window as any)[GLOBAL] ||= {});

// The nonce of the runtime's own <script> (or of any nonce'd script, for bundled ESM users):
// every element the runtime creates carries it, so strict CSP pages work.
const nonce = ((doc.currentScript || doc.querySelector('script[nonce]')) as HTMLScriptElement | null)?.nonce;

export const create = <K extends keyof HTMLElementTagNameMap>(tag: K): HTMLElementTagNameMap[K] => {
  const el = doc.createElement(tag);
  if (nonce) el.nonce = nonce;
  return el;
};

export const emit = (type: (typeof EVENTS)[keyof typeof EVENTS], target?: unknown, url?: string, error?: string) =>
  doc.dispatchEvent(new CustomEvent<EventDetail>(type, { detail: { target, url, error } }));

export const fail = (target: unknown, error: string, url?: string) => emit(EVENTS.error, target, url, error);

import { DEFAULT_TIMEOUT } from '../protocol';
import { B, create, doc, head, policy } from './dom';

/** Called once per request of a resource: with no argument when it loaded, with the reason when it did not. */
export type Settled = (error?: string) => void;

/**
 * The callbacks waiting on one stylesheet or script. Once it has settled, `d` is set and `push` calls back at
 * once, so a late waiter is answered like an early one.
 */
type Waiters = Settled[] & { d?: unknown };

type Loading = HTMLLinkElement & HTMLScriptElement;

/** Every URL requested so far (absolute), with its waiters. */
const requested: Record<string, Waiters> = {};

/**
 * Requests a stylesheet (`css`) or a script once per document, compared as absolute URLs, and returns the list
 * to push a callback on: called when it has loaded, failed or timed out. A URL the page already has as
 * <link rel=stylesheet> / <script src> is not requested again.
 */
export const load = (css: unknown, url: string): Waiters => {
  // Built first to resolve the URL against the base; it only goes in when nothing has that URL yet.
  let el = create(css ? 'link' : 'script') as Loading;
  css ? (el.href = url) : (el.src = TRUSTED_TYPES ? policy.createScriptURL(url) : url);
  const href = el.href || el.src; // a script has no href
  let list = requested[href];
  if (!list) {
    list = requested[href] = [];
    const settle: Settled = (error) => list.d || list.map((list.d = list.push = ((f: Settled) => f(error)) as any));
    const existing = [...doc.querySelectorAll<Loading>(css ? 'link[rel=stylesheet]' : 'script[src]')].find(
      (e) => (e.href || e.src) == href,
    );
    // The page's own script has run; the page's own sheet has loaded once it is there (a failed one is there too,
    // empty). Never cssRules: it throws cross-origin.
    if (existing) ((el = existing), css && !el.sheet) || settle();
    else {
      // A stylesheet starts as a preload and becomes a stylesheet once it has loaded: WebKit holds every later
      // parser-inserted script while a stylesheet is loading (later pagelets would wait on it, a stalled one
      // forever), but not while a preload is. The switch takes it from the cache: one request.
      css ? ((el.rel = 'preload'), (el.as = 'style')) : (el.async = false); // scripts: parallel download, run in order
      head.append(el);
    }
    el.addEventListener('load', () => (el.rel == 'preload' ? (el.rel = 'stylesheet') : settle()));
    el.addEventListener('error', () => settle('load error'));
    setTimeout(settle, B.timeout || DEFAULT_TIMEOUT, 'timeout');
  }
  return list;
};

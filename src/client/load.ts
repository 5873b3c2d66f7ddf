import { DEFAULT_TIMEOUT } from '../protocol';
import { B, create, doc, head, policy } from './dom';

/** Called once per request of a resource: with no argument when it loaded, with the reason when it did not. */
export type Settled = (error?: string) => void;

/**
 * The callbacks waiting on one stylesheet or script. Once it has settled, `d` is set and `push` calls back at
 * once, so a late waiter is answered like an early one.
 */
type Waiters = Settled[] & { d?: unknown };

/** A <link>/<script>, ours or the page's, holding the waiters on its URL: the document is the registry. */
type Loading = HTMLLinkElement & HTMLScriptElement & { w?: Waiters };

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
  const existing = [...doc.querySelectorAll<Loading>(css ? 'link[rel=stylesheet]' : 'script[src]')].find(
    (e) => (e.href || e.src) == href,
  );
  let waiters = existing?.w;
  if (!waiters) {
    const list: Waiters = (waiters = []);
    const settle: Settled = (error) => list.d || list.map((list.d = list.push = ((f: Settled) => f(error)) as any));
    if (existing) el = existing;
    else {
      el.rel = 'stylesheet'; // the same two lines for both kinds: the other kind ignores them
      el.async = false; // download in parallel, execute in insertion order
      head.append(el);
    }
    const loaded = () => settle();
    el.w = list;
    el.addEventListener('load', loaded);
    el.addEventListener('error', () => settle('load error'));
    setTimeout(settle, B.timeout || DEFAULT_TIMEOUT, 'timeout');
    // The page's own script has run; a sheet has loaded once it is there. Engines without link load events:
    // watch for the sheet to appear (never cssRules: it throws cross-origin).
    const poll = (): unknown => list.d || ((existing && !css) || el.sheet ? loaded() : 'onload' in el || setTimeout(poll, 50));
    poll();
  }
  return waiters;
};

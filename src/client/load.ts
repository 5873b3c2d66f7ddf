/** The registry of what the runtime keeps by key, the waiters on a stylesheet or script, and the loader. */
import { DEFAULT_TIMEOUT } from '../protocol';
import { B, create, doc, head, policy } from './dom';

/** Called once per request of a resource: with no argument when it loaded, with the reason when it did not. */
export type Settled = (error?: string) => void;

/**
 * The callbacks waiting on one thing. Once it has settled, `_settled` is set and `push` calls back at once, so a late
 * waiter is answered like an early one.
 */
export type Waiters = Settled[] & { _settled?: Settled };

/**
 * Everything the runtime keeps by key, in one object: each key starts with what it is, so no key is a name of
 * Object.prototype and kinds never collide. `link` + URL and `script` + URL: the requests (one URL as stylesheet and
 * as script are two resources); `style` + text: the <style> for that inline css; `#` + target: the last pagelet of
 * that target (pagelets.ts).
 */
export const registry: Record<string, any> = {};

/** Answers every waiter on `list`, and every later one at once. */
export const settle = (list: Waiters, error?: string) =>
  list._settled || list.map((list._settled = list.push = ((f: Settled) => f(error)) as any));

/** Marks a script URL as run: a later request for it is answered at once, nothing is loaded. */
export const ran = (src: string) => settle((registry['script' + src] ||= []));

/**
 * Requests a stylesheet (`css`) or a script once per document, compared as absolute URLs (see registry), and calls
 * `settled` when it has loaded, failed or timed out. Not requested: a stylesheet the page has as
 * <link rel=stylesheet>, a script the page has run (index.ts), an empty URL (it would resolve to the page itself).
 */
export const load = (css: unknown, url: string, settled: Settled, tag = css ? 'link' : 'script', el = create(tag), list?: Waiters, ms?: number) => {
  if (!url) return settled('empty URL');
  // Built first to resolve the URL against the base; it only goes in when nothing has that URL yet.
  css ? (el.href = url) : (el.src = policy.createScriptURL(url));
  // key: the tag and the absolute URL (a script has no href)
  if (!(list = registry[(tag += el.href || el.src)])) {
    list = registry[tag] = [];
    // The page's own sheet has loaded once it is there (a failed one is there too, empty). Never cssRules: it throws
    // cross-origin.
    const existing: any = css && [...doc.querySelectorAll<HTMLLinkElement>('link[rel=stylesheet]')].find((e) => e.href == el.href);
    if (existing) (el = existing).sheet && settle(list);
    else {
      // A stylesheet starts as a preload and becomes a stylesheet once it has loaded: WebKit holds every later
      // parser-inserted script while a stylesheet is loading (later pagelets would wait on it, a stalled one
      // forever), but not while a preload is. The switch takes it from the cache: one request.
      css ? ((el.as = 'style'), (el.rel = 'preload')) : (el.async = false); // scripts: parallel download, run in order
      head.append(el);
    }
    // el.rel < 'q': 'preload' (switch it), not 'stylesheet' and not a script's undefined (it has loaded; the capture
    // listener of index.ts has seen that already)
    el.addEventListener('load', () => (el.rel < 'q' ? (el.rel = 'stylesheet') : settle(list!)));
    el.addEventListener('error', () => settle(list!, 'load error'));
    // Above 2³¹−1 ms a browser fires the timer at once: Infinity (and anything that large) means no timeout.
    (ms = B.timeout || DEFAULT_TIMEOUT) < 2 ** 31 && setTimeout(settle, ms, list, 'timeout');
  }
  list.push(settled);
};

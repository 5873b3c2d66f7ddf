import { DEFAULT_TIMEOUT } from '../protocol';
import { B, create, doc, head } from './dom';

/** Called once per request of a resource: with no argument when it loaded, with the reason when it did not. */
export type Settled = (error?: string) => void;

// Per absolute URL (prefixed 1 for stylesheets, 0 for scripts): the waiters while it loads,
// then the outcome ('' = loaded, else the reason). One request per URL per document.
const resources: Record<string, Settled[] | string> = {};
const resolver = doc.createElement('a');

/**
 * Loads a stylesheet (`css` true) or a script once per document and calls `done` when it has loaded,
 * failed or timed out. A URL the page already has as <link rel=stylesheet> / <script src> is not requested again.
 */
export const load = (css: boolean, url: string, done: Settled) => {
  resolver.href = url;
  const href = resolver.href;
  const key = +css + href;
  const state = resources[key];
  if (state != null) return typeof state == 'string' ? done(state || undefined) : state.push(done);
  const waiters = (resources[key] = [done]);
  const settle: Settled = (error) => {
    if (resources[key] == waiters) {
      resources[key] = error || '';
      waiters.map((f) => f(error));
    }
  };
  let el = [...doc.querySelectorAll<any>(css ? 'link[rel=stylesheet]' : 'script[src]')].find(
    (e) => (css ? e.href : e.src) == href,
  );
  const created = !el;
  // A sheet of ours gets media=print while it loads: a pending sheet that matches would hold back the
  // page's later scripts in WebKit (so one stalled sheet would stall every pagelet); print never does.
  const loaded = () => {
    if (created && css) el.media = 'all';
    settle();
  };
  if (created) {
    el = create(css ? 'link' : 'script');
    if (css) {
      el.rel = 'stylesheet';
      el.media = 'print';
      el.href = href;
    } else {
      el.async = false; // download in parallel, execute in insertion order
      el.src = href;
    }
  }
  if (css ? el.sheet : !created) return loaded();
  el.addEventListener('load', loaded);
  el.addEventListener('error', () => settle('load error'));
  setTimeout(() => settle('timeout'), B.timeout || DEFAULT_TIMEOUT);
  // Engines without link load events: watch for the sheet to appear (never cssRules: it throws cross-origin).
  if (css && !('onload' in el)) {
    const poll = () => resources[key] == waiters && (el.sheet ? loaded() : setTimeout(poll, 50));
    poll();
  }
  if (created) head.appendChild(el);
};

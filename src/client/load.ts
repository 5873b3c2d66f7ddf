import { DEFAULT_TIMEOUT } from '../protocol';
import { B, create, doc, head } from './dom';

/** Called once per request of a resource: with no argument when it loaded, with the reason when it did not. */
export type Settled = (error?: string) => void;

/** The pagelets waiting on one URL; `d` once it has settled, with the reason `e` when it failed. */
type Waiters = Settled[] & { d?: 1; e?: string };

// Keyed by 'true'/'false' (stylesheet or not) + absolute URL: one request per URL per document.
const resources: Record<string, Waiters> = {};
const resolver = doc.createElement('a');

/**
 * Loads a stylesheet (`css` true) or a script once per document and calls `done` when it has loaded,
 * failed or timed out. A URL the page already has as <link rel=stylesheet> / <script src> is not requested again.
 */
export const load = (css: boolean, url: string, done: Settled) => {
  resolver.href = url;
  const href = resolver.href;
  const key = css + href;
  let waiters = resources[key];
  if (!waiters) {
    const list: Waiters = (waiters = resources[key] = []);
    const settle: Settled = (error) => {
      if (!list.d) {
        list.d = 1;
        list.e = error;
        list.map((f) => f(error));
      }
    };
    const attr = css ? 'href' : 'src';
    let el = [...doc.querySelectorAll<any>(css ? 'link[rel=stylesheet]' : 'script[src]')].find((e) => e[attr] == href);
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
      } else el.async = false; // download in parallel, execute in insertion order
      el[attr] = href;
      head.appendChild(el);
    }
    if (css ? el.sheet : !created) loaded();
    else {
      el.addEventListener('load', loaded);
      el.addEventListener('error', () => settle('load error'));
      setTimeout(settle, B.timeout || DEFAULT_TIMEOUT, 'timeout');
      // Engines without link load events: watch for the sheet to appear (never cssRules: it throws cross-origin).
      if (css && !('onload' in el)) {
        const poll = () => list.d || (el.sheet ? loaded() : setTimeout(poll, 50));
        poll();
      }
    }
  }
  waiters.d ? done(waiters.e) : waiters.push(done);
};

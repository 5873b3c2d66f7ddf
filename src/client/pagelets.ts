import { DEFAULT_TIMEOUT, FIELDS } from '../protocol';
import { B, create, doc, emit, head, policy } from './dom';
import { registry, settle, type Settled, type Waiters } from './load';

// Every wait is a waiter list (load.ts): a stylesheet or script loading, the previous pagelet of the same target
// being finished (feeds stay in order), the JS phase having begun (`phase`). A pagelet counts its waits and goes on
// when the last one is over. The JS runs in display order: `line` holds the shown pagelets whose JS has not run.

let arrived = 0; // payloads, valid or not
let unfinished = 0; // valid payloads neither shown nor failed
let cssLoading = 0; // stylesheet waits of pagelets not shown yet
let total: number; // undefined until a payload gives it: `x >= undefined` is false
let done: unknown; // bigpipe:done has fired
const fields = Object.entries(FIELDS); // once, not per payload
/** Settles when the JS phase begins: a pagelet shown before queues its JS steps here, one shown after runs them at once. */
const phase: Waiters = [];
/** The JS steps of shown pagelets whose JS has not run yet, in display order; flush tries the first. */
const line: (() => void)[] = [];
/** Pagelets whose placeholder is not in the document yet, by target: the first in line for it, ready to show. */
const missing = new Map<string, () => void>();
/** Steps to run, the first one running: a work list, not recursion, so no chain (nesting, feeds, JS) is too deep. */
const todo: (() => void)[] = [];
const run = (step: () => void) => {
  // A step queued while the loop runs (from an event listener, or one wait ending another) only joins the list.
  if (todo.push(step) < 2) for (; todo[0]; todo.shift()) todo[0]();
};

/**
 * Once the document has been parsed to its end, while nothing takes over the stub's queue, and no pagelet still
 * loading CSS could bring it ('interactive' and 'complete' sort before 'loading'), a placeholder never comes.
 */
const ended = () => doc.readyState < 'l' && !cssLoading && !B.q;

/**
 * Requests a stylesheet (`css`) or a script once per document, compared as absolute URLs (see registry), and calls
 * `settled` when it has loaded, failed or timed out. Not requested: a stylesheet the page has as
 * <link rel=stylesheet>, a script the page has run (index.ts), an empty URL (it would resolve to the page itself).
 */
const load = (css: unknown, url: string, settled: Settled, tag = css ? 'link' : 'script', el = create(tag), list?: Waiters, ms?: number) => {
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

/** Handles one payload; never throws, so one bad payload cannot break the page or the others. */
export const arrive = (payload: unknown) => {
  // No spare parameters here: a page may pass it to forEach, which adds an index.
  const p = { ...(payload as any) }; // own fields only (a `__proto__` key is data, not a prototype); {...null} is {}
  arrived++;
  // The first field with a wrong type (a payload that is no object has no string target). null means absent, like
  // undefined: fine for every field but target, the first. Only 'string[]' has an 8th character: it wants an array of
  // strings; every other type is a typeof. Nothing is allocated per field.
  const wrong = fields.find(
    ([field, type], i, _, value = p[field]) => // value: a spare parameter, so the callback stays one expression
      value == null ? !i : type[7] ? !Array.isArray(value) || value.some((s: unknown) => typeof s != 'string') : typeof value != type,
  );
  if (wrong) emit('error', p.target, wrong.join(': expected '));
  else {
    // One let for the pagelet's state and steps: fewer bytes than several consts.
    let target: string = p.target,
      previous: Waiters | undefined = registry['#' + target], // '#' + target: the last pagelet of the target
      finished: Waiters = (registry['#' + target] = []),
      js: string = p.js,
      // What it waits for: to show, the setup below (one), the previous pagelet of its target and its stylesheets;
      // then, shown, for its JS: one until its scripts are all requested, plus each script; 1 again once it has run.
      waits = 1,
      ready = () => --waits || run(show),
      // Shows the pagelet, or waits in `missing` until a shown pagelet brings its placeholder or the document has ended.
      show = (el = doc.getElementById(target)) => {
        if (finished._settled) return; // queued twice (brought by a pagelet and found at the end)
        if (el || ended()) {
          missing.delete(target);
          unfinished--;
          settle(finished); // the next pagelet of this target shows after this one: run queues it
          if (el) {
            // Identical css is one <style>, moved last: the same cascade as a new copy, without piling them up.
            if (p.css) head.append((registry['style' + p.css] ||= create('style', p.css)));
            if (p.html != null)
              p.append ? el.insertAdjacentHTML('beforeend', policy.createHTML(p.html)) : (el.innerHTML = policy.createHTML(p.html));
            // Into the JS line before bigpipe:display, whose listeners may send the next payload.
            if (js || p.js_links) (waits = 1), line.push(step), phase.push(start);
            emit('display', target);
            // Placeholders it brought: found by the ids it contains, not by looking up every waiting pagelet (linear).
            missing.size && el.querySelectorAll('[id]').forEach((e) => (e = missing.get(e.id) as any) && run(e as any));
          } else emit('error', target, 'no element #' + target);
        } else missing.set(target, show);
      },
      // The JS: its scripts all requested at once when the phase begins (run in order by the browser), then its js,
      // once first in the line. The js goes in as a nonce'd <script> (not eval: strict CSP allows it), removed once it
      // has run so endless updates leave no trail; what it throws is reported by the browser and stops nobody.
      start = () => {
        p.js_links?.map((url: string) => (waits++, load(0, url, (error) => (error && ((js = ''), emit('error', target, error, url)), waits--, flush()))));
        waits--;
        flush();
      },
      // Shifted only after the js has run: its own payloads see it still in the line, so bigpipe:done waits for it.
      step = () => waits || ((waits = 1), js && head.appendChild(create('script', policy.createScript(js))).remove(), line.shift(), flush());
    total = p.total ?? total;
    unfinished++;
    emit('arrive', target);
    previous && (waits++, previous.push(ready));
    p.css_links?.map((url: string) =>
      (waits++, cssLoading++, load(1, url, (error) => (error && emit('error', target, error, url), cssLoading--, ready(), flush())))); // a failed stylesheet does not skip anything
    ready();
  }
  // While the runtime takes over the stub's queue (B.q still set), the JS phase waits until every queued payload is in.
  B.q || flush();
};

/** Fails or shows what waits for a placeholder once none can come, starts the JS phase, fires bigpipe:done. */
export const flush = () => {
  ended() && missing.forEach(run);
  // Every payload is finished (shown or failed) but the unfinished ones.
  if ((doc.readyState < 'l' && !unfinished) || arrived - unfinished >= total) settle(phase);
  // The first of the line runs once the phase has begun and its scripts are in (it checks); a work-list step, not recursion.
  line[0] && run(line[0]);
  // Set before the event: a listener that sends a payload must not see a second bigpipe:done.
  if (phase._settled && !line[0] && !done) (done = 1), emit('done');
};

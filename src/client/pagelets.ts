import { ARRIVE, COMPAT_ARRIVE, DEFAULT_TIMEOUT, FIELDS, TRUSTED_TYPES_POLICY } from '../protocol';
import { BigPipe, create, doc, emit, head, installing } from './dom';
import { ran as hasRun, registry, settle, type Settled, type Waiters } from './load';

declare const trustedTypes: any; // read bare: where it is missing, the ReferenceError is caught like any refusal

// Every wait is a waiter list (load.ts): a stylesheet or script loading, the previous pagelet of the same target
// being finished (feeds stay in order), the JS phase having begun, the JS of the pagelet shown before having run.
// A pagelet counts its waits and goes on when the last one is over.

let completed = 0; // payloads shown, failed or wrong: what `total` counts
let cssLoading = 0; // stylesheet waits of pagelets not shown yet
let total: number; // undefined until a payload gives it: `x < undefined` is false
let done: unknown; // bigpipe:done has fired
const fields = Object.entries(FIELDS); // once, not per payload
/** Settles when the JS phase begins: a pagelet shown before queues its JS steps here, one shown after runs them at once. */
const phase: Waiters = [];
/** Settles when the JS of the last pagelet shown with JS has run: the next one's JS waits on it (display order). */
let lastJs: Waiters = phase;
/** Pagelets whose placeholder is not in the document yet, by target: the first in line for it, ready to show. */
const missing = new Map<string, () => void>();
/** Steps to run, the first one running: a work list, not recursion, so no chain (nesting, feeds, JS) is too deep. */
const todo: (() => void)[] = [];

/**
 * Runs a step, or queues it when a step is running (from an event listener, or one wait ending another). Every entry
 * into the runtime goes through here; when the list is about to run dry, flush looks at the whole page. A step that
 * throws (a page requiring Trusted Types whose CSP refuses the policy) is reported as an uncaught error and stops
 * nobody: nothing throws out of onPageletArrive, and the list never stalls.
 */
export const run = (step: () => void) => {
  if (todo.push(step) < 2)
    for (; todo[0]; todo.shift()) {
      try {
        todo[0]();
      } catch (e) {
        // rethrown in a task of its own: the page sees it as an uncaught error (reportError is younger than our target)
        setTimeout(() => {
          throw e;
        });
      }
      todo[1] || flush();
    }
};

/**
 * Once the document has been parsed to its end, while nothing takes over the stub's queue, and no pagelet still
 * loading CSS could bring it ('interactive' and 'complete' sort before 'loading'), a placeholder never comes.
 */
const ended = () => doc.readyState < 'l' && !cssLoading && !BigPipe.q;

/** Fails or shows what waits for a placeholder once none can come, starts the JS phase, fires bigpipe:done. */
export const flush = () => {
  // At the end, what waits for a placeholder is tried once more. With none waiting, every pagelet has shown or failed:
  // flush runs once the work list has run dry, and no pagelet loads CSS, so none can wait on anything else.
  if (ended()) missing.size ? missing.forEach(run) : settle(phase);
  completed >= total && settle(phase);
  // The chain of JS starts at the phase: the last JS has run only once the phase has begun. Set before the event: a
  // listener that sends a payload must not see a second bigpipe:done.
  done || !lastJs._settled || ((done = 1), emit('done'));
};

/** Handles one payload; never throws, so one bad payload cannot break the page or the others. */
export const arrive = (payload: unknown) =>
  // No spare parameters here: a page may pass it to forEach, which adds an index.
  run(() => {
    // One let for the pagelet's state and steps (fewer bytes than several consts), its check first. Nothing in it
    // changes the runtime's state: a wrong payload leaves no trace but its error.
    let p = { ...(payload as any) }, // own fields only (a `__proto__` key is data, not a prototype); {...null} is {}
      // The first field with a wrong type (a payload that is no object has no string target). null means absent, like
      // undefined: fine for every field but target, the first. Only 'string[]' has an 8th character: it wants an
      // array of strings; every other type is a typeof. Nothing is allocated per field.
      wrong = fields.find(
        (
          [field, type],
          i,
          _,
          value = p[field], // value: a spare parameter, so the callback stays one expression
        ) =>
          value == null
            ? !i
            : type[7]
              ? !Array.isArray(value) || value.some((s: unknown) => typeof s != 'string')
              : typeof value != type,
      ),
      target: string = p.target,
      previous: Waiters | undefined,
      finished: Waiters = [],
      // Settles once its JS has run; set when it is shown or failed (the waits from then on are the JS's).
      ran: Waiters | undefined,
      // What it waits for: to show, the setup below (one), the previous pagelet of its target and its stylesheets;
      // shown, for its JS: the JS shown before it (one), and each script.
      waits = 1,
      // One wait is over: with none left, it shows, or once shown, runs its js. The js goes in as a nonce'd <script>
      // (not eval: strict CSP allows it), removed once it has run so endless updates leave no trail; what it throws is
      // reported by the browser and stops nobody.
      ready = () =>
        run(
          () =>
            --waits ||
            (ran
              ? (p.js && head.appendChild(create('script', policy.createScript(p.js))).remove(), settle(ran))
              : show()),
        ),
      // Shows the pagelet, or waits in `missing` until a shown pagelet brings its placeholder or the document has ended.
      show = (el = doc.getElementById(target)) => {
        if (ran) return; // queued twice (brought by a pagelet and found at the end)
        if (el || ended()) {
          missing.delete(target);
          completed++;
          // Every shown pagelet joins the chain of JS, its steps empty or not: one path for all.
          ran = [];
          settle(finished); // the next pagelet of this target shows after this one
          if (el) {
            // Identical css is one <style>, moved last: the same cascade as a new copy, without piling them up.
            if (p.css) head.append((registry['style' + p.css] ||= create('style', p.css)));
            if (p.html != null)
              p.append
                ? el.insertAdjacentHTML('beforeend', policy.createHTML(p.html))
                : (el.innerHTML = policy.createHTML(p.html));
            // The JS: its scripts all requested at once when the phase begins (run in order by the browser), then its
            // js once the JS shown before it has run. The chain of JS starts at the phase, which calls its steps at
            // once, so the scripts are counted in `waits` before that one wait can end.
            (waits = 1), phase.push(() => p.js_links?.map(need(0))), lastJs.push(ready), (lastJs = ran);
            emit('display', target);
            // Placeholders it brought: found by the ids it contains, not by looking up every waiting pagelet (linear).
            missing.size && el.querySelectorAll('[id]').forEach((e: any) => (e = missing.get(e.id)) && run(e));
          } else emit('error', target, 'no element #' + target);
        } else missing.set(target, show);
      },
      // One more wait: on a stylesheet (css 1: it counts in cssLoading) or a script (css 0: if it fails, the js is
      // skipped). Requested once per document, compared as absolute URLs (see registry), and answered when it has
      // loaded, failed or timed out. Not requested: a stylesheet the page has as <link rel=stylesheet>, a script the
      // page has run (the install block, at the end), an empty URL (it would resolve to the page itself). The spare parameters after
      // map's three are locals.
      need =
        (css: number) =>
        (
          url: string,
          _i: number,
          _a: unknown,
          // p.js = '': a failed script skips the js (p is the runtime's own copy)
          settled: Settled = (error) => (
            error && (css || (p.js = ''), emit('error', target, error, url)), (cssLoading -= css), ready()
          ),
          tag = css ? 'link' : 'script',
          el = create(tag),
          list?: Waiters,
          ms?: number,
        ) => {
          waits++;
          cssLoading += css;
          if (!url) return settled('empty URL');
          // Built first to resolve the URL against the base; it only goes in when nothing has that URL yet.
          css ? (el.href = url) : (el.src = policy.createScriptURL(url));
          // key: the tag and the absolute URL (a script has no href)
          if (!(list = registry[(tag += el.href || el.src)])) {
            list = registry[tag] = [];
            // The page's own sheet has loaded once it is there (a failed one is there too, empty). Never cssRules: it
            // throws cross-origin.
            // A script's href is undefined: no sheet matches it.
            doc.querySelectorAll<HTMLLinkElement>('link[rel=stylesheet]').forEach((e) => e.href == el.href && (el = e));
            // The page's own sheet (it has a parent; ours has none yet) has loaded once its sheet is there.
            if (el.parentNode) el.sheet && settle(list);
            else {
              // A stylesheet starts as a preload and becomes a stylesheet once it has loaded: WebKit holds every later
              // parser-inserted script while a stylesheet is loading (later pagelets would wait on it, a stalled one
              // forever), but not while a preload is. The switch takes it from the cache: one request.
              css ? ((el.as = 'style'), (el.rel = 'preload')) : (el.async = false); // scripts: parallel download, run in order
              head.append(el);
            }
            // el.rel < 'q': 'preload' (switch it), not 'stylesheet' and not a script's undefined (it has loaded; the
            // capture listener has seen that already). A switched preload has its sheet at once in Chromium, Firefox
            // and WebKit (styles applied: test/e2e), so it settles now, not a task later at its second load; an engine
            // that has no sheet yet settles then. A script's sheet is undefined, not null.
            el.addEventListener(
              'load',
              () => (el.rel < 'q' && (el.rel = 'stylesheet'), el.sheet !== null && settle(list!)),
            );
            el.addEventListener('error', () => settle(list!, 'load error'));
            // Above 2³¹−1 ms a browser fires the timer at once: Infinity (and anything that large) means no timeout.
            (ms = BigPipe.timeout || DEFAULT_TIMEOUT) < 2 ** 31 && setTimeout(settle, ms, list, 'timeout');
          }
          list.push(settled);
        };
    if (wrong) return (completed++, emit('error', target, wrong.join(': expected ')));
    total = p.total ?? total;
    emit('arrive', target);
    // '#' + target: the last pagelet of the target
    (previous = registry['#' + target]) && (waits++, previous.push(ready));
    registry['#' + target] = finished;
    p.css_links?.map(need(1));
    ready();
  });

/**
 * Trusted Types: on pages with `require-trusted-types-for 'script'`, the HTML, inline JS and script URLs go through
 * one identity policy named 'bigpipe' (the page's CSP must allow it: `trusted-types bigpipe`). Without the API, or
 * where the page's CSP forbids the policy, the rules object stands in for it: one shape, every sink fed the same way.
 * Typed as strings: the sinks take TrustedHTML/TrustedScript/TrustedScriptURL wherever they take strings.
 */
const identity = (s: string) => s;
/** Until the policy is made, its rules stand in for it. */
let policy = { createHTML: identity, createScript: identity, createScriptURL: identity };

// Installing: only one copy per page does (dom.ts). Last in the module, so the state above is declared in one statement.
if (installing) {
  // Only the installing copy creates the policy (a second policy of one name is a CSP violation).
  try {
    policy = trustedTypes.createPolicy(TRUSTED_TYPES_POLICY, policy);
  } catch {} // no API (ReferenceError), or the page's CSP does not allow the policy: plain strings
  // A js_links URL is skipped only once that script has run: the page's classic scripts before the runtime have run
  // (async and defer ones may not have; module ones are no classic js_links), and every later one that runs fires load, seen here. A <script src>
  // inside pagelet html never runs and never counts.
  [...doc.scripts].map((s) => s.async || s.defer || hasRun(s.src));
  // e.text != null: a <script> (the one element with `text` that fires load); spelled out, localName == 'script'.
  doc.addEventListener('load', (e: any) => (e = e.target).text != null && hasRun(e.src), true);
  // Installed first, so a payload sent from an event listener during the takeover reaches arrive too. Then the
  // stub's queue, in order: the JS phase waits while BigPipe.q is set. renderPagelet: the entry point of bigpipe-response.
  BigPipe[ARRIVE] = (window as any)[COMPAT_ARRIVE] = arrive;
  BigPipe.q?.map(arrive);
  delete BigPipe.q;
  doc.addEventListener('DOMContentLoaded', () => run(flush));
  run(flush);
}

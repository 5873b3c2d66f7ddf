import { FIELDS } from '../protocol';
import { B, create, doc, emit, head, policy } from './dom';
import { load, registry, settle, type Waiters } from './load';

// Every wait is a waiter list (load.ts): a stylesheet or script loading, the previous pagelet of the same target
// being finished (feeds stay in order), the JS phase having begun, the JS of the pagelet shown before having run.
// A pagelet counts its waits and goes on when the last one is over.

let arrived = 0; // payloads, valid or not
let unfinished = 0; // valid payloads neither shown nor failed
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
 * into the runtime goes through here; when the list is about to run dry, flush looks at the whole page.
 */
export const run = (step: () => void) => {
  if (todo.push(step) < 2) for (; todo[0]; todo.shift()) todo[0](), todo[1] || flush();
};

/**
 * Once the document has been parsed to its end, while nothing takes over the stub's queue, and no pagelet still
 * loading CSS could bring it ('interactive' and 'complete' sort before 'loading'), a placeholder never comes.
 */
const ended = () => doc.readyState < 'l' && !cssLoading && !B.q;

/** Fails or shows what waits for a placeholder once none can come, starts the JS phase, fires bigpipe:done. */
export const flush = () => {
  // Queued from the map and taken out of it, so a pagelet is never queued twice: one still missing goes back in.
  if (ended()) missing.forEach(run), missing.clear(), unfinished || settle(phase);
  // Every payload is finished (shown or failed) but the unfinished ones.
  arrived - unfinished >= total && settle(phase);
  // Set before the event: a listener that sends a payload must not see a second bigpipe:done.
  done || !phase._settled || !lastJs._settled || ((done = 1), emit('done'));
};

/** Handles one payload; never throws, so one bad payload cannot break the page or the others. */
export const arrive = (payload: unknown) =>
  // No spare parameters here: a page may pass it to forEach, which adds an index.
  run(() => {
    const p = { ...(payload as any) }; // own fields only (a `__proto__` key is data, not a prototype); {...null} is {}
    arrived++;
    // The first field with a wrong type (a payload that is no object has no string target). null means absent, like
    // undefined: fine for every field but target, the first. Only 'string[]' has an 8th character: it wants an array of
    // strings; every other type is a typeof. Nothing is allocated per field.
    const wrong = fields.find(
      ([field, type], i, _, value = p[field]) => // value: a spare parameter, so the callback stays one expression
        value == null ? !i : type[7] ? !Array.isArray(value) || value.some((s: unknown) => typeof s != 'string') : typeof value != type,
    );
    if (wrong) return emit('error', p.target, wrong.join(': expected '));
    // One let for the pagelet's state and steps: fewer bytes than several consts.
    let target: string = p.target,
      previous: Waiters | undefined = registry['#' + target], // '#' + target: the last pagelet of the target
      finished: Waiters = (registry['#' + target] = []),
      js: string = p.js,
      // Settles once its JS has run; set when it is shown with JS (the waits from then on are the JS's).
      ran: Waiters | undefined,
      // What it waits for: to show, the setup below (one), the previous pagelet of its target and its stylesheets;
      // shown, for its JS: its scripts requested (one), the JS shown before it (one), and each script.
      waits = 1,
      ready = () => run(() => --waits || (ran ? runJs() : show())),
      // Shows the pagelet, or waits in `missing` until a shown pagelet brings its placeholder or the document has ended.
      show = (el = doc.getElementById(target)) => {
        if (el || ended()) {
          unfinished--;
          settle(finished); // the next pagelet of this target shows after this one
          if (el) {
            // Identical css is one <style>, moved last: the same cascade as a new copy, without piling them up.
            if (p.css) head.append((registry['style' + p.css] ||= create('style', p.css)));
            if (p.html != null)
              p.append ? el.insertAdjacentHTML('beforeend', policy.createHTML(p.html)) : (el.innerHTML = policy.createHTML(p.html));
            if (js || p.js_links) (waits = 2), lastJs.push(ready), (lastJs = ran = []), phase.push(start);
            emit('display', target);
            // Placeholders it brought: found by the ids it contains, not by looking up every waiting pagelet (linear).
            missing.size && el.querySelectorAll('[id]').forEach((e: any) => missing.has((e = e.id)) && run(missing.get(e)!, missing.delete(e) as any));
          } else emit('error', target, 'no element #' + target);
        } else missing.set(target, show);
      },
      // The JS: its scripts all requested at once when the phase begins (run in order by the browser), then its js,
      // once the JS before it has run. The js goes in as a nonce'd <script> (not eval: strict CSP allows it), removed
      // once it has run so endless updates leave no trail; what it throws is reported by the browser and stops nobody.
      start = () => {
        p.js_links?.map((url: string) => (waits++, load(0, url, (error) => (error && ((js = ''), emit('error', target, error, url)), ready()))));
        ready();
      },
      runJs = () => (js && head.appendChild(create('script', policy.createScript(js))).remove(), settle(ran!));
    total = p.total ?? total;
    unfinished++;
    emit('arrive', target);
    previous && (waits++, previous.push(ready));
    p.css_links?.map((url: string) =>
      (waits++, cssLoading++, load(1, url, (error) => (error && emit('error', target, error, url), cssLoading--, ready())))); // a failed stylesheet does not skip anything
    ready();
  });

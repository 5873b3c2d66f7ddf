import { FIELDS, type Payload } from '../protocol';
import { B, create, doc, emit, head, policy } from './dom';
import { load, registry } from './load';

/**
 * A payload on its way, as our own copy: only the payload's own fields (a `__proto__` key of the payload is data, not
 * a prototype) and the runtime's state, which never lands on the caller's object. `_pending` counts its stylesheets
 * (until shown) or scripts (once the JS phase has it) still loading.
 */
interface Pagelet extends Payload {
  _pending: number;
}

let arrived = 0; // payloads, valid or not
let unfinished = 0; // valid payloads neither shown nor failed
let cssLoading = 0; // stylesheet waits of pagelets not shown yet
let total: number; // undefined until a payload gives it: `x >= undefined` is false
let started: unknown; // the JS phase has begun
let done: unknown; // bigpipe:done has fired
const fields = Object.entries(FIELDS); // once, not per payload
const scripted: Pagelet[] = []; // shown, with js or js_links not run yet, in display order
/** Pagelets first in line for their target, stylesheets settled, whose placeholder is not in the document yet. */
const missing = new Set<Pagelet>();

/** The pagelets of a target not shown yet, in arrival order ('#' + target: see registry). */
const line = (target: string): Pagelet[] => (registry['#' + target] ||= []);

/**
 * Once the document has been parsed to its end, while nothing takes over the stub's queue, and no pagelet still
 * loading CSS could bring it ('interactive' and 'complete' sort before 'loading'), a placeholder never comes.
 */
const ended = () => doc.readyState < 'l' && !cssLoading && !B.q;

/**
 * Requests a pagelet's stylesheets (`css`) or scripts, all at once; `_pending` counts those still loading and the
 * last one to settle shows the pagelet (stylesheets) or lets its JS run. With none, the caller goes on by itself.
 */
const request = (pagelet: Pagelet, css?: unknown) => {
  pagelet._pending = 1;
  (css ? pagelet.css_links : pagelet.js_links)?.map((url) => {
    const settled = (error?: string) => {
      if (error) {
        if (!css) pagelet.js = ''; // a failed script skips the inline JS; a failed stylesheet does not
        emit('error', pagelet.target, error, url);
      }
      css && cssLoading--;
      --pagelet._pending || (css && show(pagelet));
      flush();
    };
    pagelet._pending++;
    css && cssLoading++;
    // An empty URL would resolve to the page itself: reported at once instead.
    url ? load(css, url).push(settled) : settled('empty URL');
  });
  pagelet._pending--;
};

/** Pagelets to try to show, first is the one being tried: a work list, not recursion, so nesting has no depth limit. */
const todo: Pagelet[] = [];

/**
 * Shows a pagelet if it can show: first in line for its target (chunks of a feed stay in order), its stylesheets
 * settled, its placeholder there. Without a placeholder it waits in `missing` until a shown pagelet brings it or the
 * document has ended (then it fails). Then it tries the next one in line for that target and those it brought.
 */
const show = (first: Pagelet) => {
  // A call made while the loop below runs (from an event listener, or a placeholder brought) only joins the list.
  if (todo.push(first) > 1) return;
  for (let pagelet; (pagelet = todo[0]); todo.shift()) {
    const { target, html, css } = pagelet;
    const queue = line(target);
    if (queue[0] != pagelet || pagelet._pending) continue;
    const el = doc.getElementById(target);
    if (el || ended()) {
      queue.shift();
      missing.delete(pagelet);
      unfinished--;
      if (el) {
        // Identical css is one <style>, moved last: the same cascade as a new copy, without piling them up.
        if (css) head.append((registry['style' + css] ||= create('style', css)));
        if (html != null)
          pagelet.append ? el.insertAdjacentHTML('beforeend', policy.createHTML(html)) : (el.innerHTML = policy.createHTML(html));
        // In the JS line before bigpipe:display, whose listeners may send the next payload.
        if (pagelet.js || pagelet.js_links) scripted.push(pagelet), started && request(pagelet);
        emit('display', target);
        // Placeholders it brought: found by the ids it contains, not by looking up every waiting pagelet (linear).
        missing.size && el.querySelectorAll('[id]').forEach((e) => (e = registry['#' + e.id]?.[0]) && todo.push(e as any));
      } else emit('error', target, 'no element #' + target);
      queue[0] && todo.push(queue[0]);
    } else missing.add(pagelet);
  }
};

/** Handles one payload; never throws, so one bad payload cannot break the page or the others. */
export const arrive = (payload: unknown) => {
  const pagelet = { ...(payload as Pagelet) }; // own fields only; {...null} is {}
  arrived++;
  // The first field with a wrong type (a payload that is no object has no string target). null means absent, like
  // undefined: fine for every field but target, the first. Only 'string[]' has an 8th character: it wants an array of
  // strings; every other type is a typeof. Nothing is allocated per field.
  const wrong = fields.find(
    ([field, type], i, _, value = (pagelet as any)[field]) => // value: a spare parameter, so the callback stays one expression
      value == null ? !i : type[7] ? !Array.isArray(value) || value.some((s) => typeof s != 'string') : typeof value != type,
  );
  if (wrong) emit('error', pagelet.target, wrong.join(': expected '));
  else {
    total = pagelet.total ?? total;
    unfinished++;
    emit('arrive', pagelet.target);
    line(pagelet.target).push(pagelet);
    request(pagelet, 1);
    show(pagelet);
  }
  // While the runtime takes over the stub's queue (B.q still set), the JS phase waits until every queued payload is in.
  B.q || flush();
};

/** Fails or shows what waits for a placeholder once none can come, then starts or feeds the JS phase. */
export const flush = () => {
  ended() && missing.forEach(show);
  // Every payload is finished (shown or failed) but the unfinished ones. The flag is set before the requests: a script
  // that has run already answers at once, and that flush must not start the phase a second time.
  if (!started && ((doc.readyState < 'l' && !unfinished) || arrived - unfinished >= total))
    (started = 1), scripted.map((p) => request(p));
  if (started) {
    // Inline JS in display order, each after its own scripts, as a nonce'd <script> (not eval: strict CSP allows it),
    // removed once it has run so endless updates leave no trail. What it throws is reported by the browser (window's
    // error event) and stops nobody else.
    while (scripted[0]?._pending === 0) {
      const { js } = scripted.shift()!;
      if (js) {
        const script = create('script', policy.createScript(js));
        head.append(script);
        script.remove();
      }
    }
    // Set before the event: a listener that sends a payload must not see a second bigpipe:done.
    if (!done && !scripted.length) (done = 1), emit('done');
  }
};

import { EVENTS, FIELDS, type Payload } from '../protocol';
import { create, doc, emit, fail, head } from './dom';
import { load } from './load';

/**
 * A payload on its way: `t` its target, `n` stylesheets still loading, then `w` scripts still loading,
 * `f` once one of them failed.
 */
interface Pagelet {
  p: Payload;
  t: string;
  n: number;
  w?: number;
  f?: 1;
}

let arrived = 0;
let finished = 0; // displayed or failed
let total = Infinity;
let phase = 0; // 0 before the JS phase, 1 in it, 2 after bigpipe:done
const waiting: Pagelet[] = []; // not displayed yet, in arrival order
const scripted: Pagelet[] = []; // displayed, JS not run yet, in display order

const ended = () => doc.readyState != 'loading';
const isArray = Array.isArray;

/** What is wrong with a payload, or nothing. */
const check = (p: any) => {
  if (Object(p) !== p || isArray(p)) return 'payload: expected object';
  let field: keyof typeof FIELDS;
  for (field in FIELDS) {
    const v = p[field];
    const type = FIELDS[field];
    if (
      (v !== undefined || field == 'target') &&
      (type == 'string[]' ? !isArray(v) || v.some((s) => typeof s != 'string') : typeof v != type)
    )
      return field + ': expected ' + type;
  }
};

/** Handles one payload; never throws, so one bad payload cannot break the page or the others. */
export const arrive = (p: any) => {
  arrived++;
  const problem = check(p);
  if (problem) {
    finished++;
    fail(p?.target, problem);
  } else {
    const t = p.target;
    const pagelet: Pagelet = { p, t, n: 1 };
    if (p.total != null) total = p.total;
    emit(EVENTS.arrive, t);
    waiting.push(pagelet);
    // Every stylesheet at once; the pagelet shows when the last has loaded, failed or timed out.
    for (const url of p.css_links || []) {
      pagelet.n++;
      load(true, url, (error) => {
        if (error) fail(t, error, url);
        --pagelet.n || flush();
      });
    }
    pagelet.n--;
  }
  flush();
};

// Set while the runtime takes over the stub's queue: nothing is decided before every queued payload is in.
let hold: 0 | 1 = 1;

/** Takes the payloads the stub queued, then follows the document to its end. */
export const start = (queued: unknown[]) => {
  queued.map(arrive);
  hold = 0;
  doc.addEventListener('DOMContentLoaded', flush);
  flush();
};

/** Shows every pagelet that can be shown, then starts or feeds the JS phase. */
const flush = () => {
  if (hold) return;
  for (let i = 0, pagelet; (pagelet = waiting[i]); i++) {
    const el = !pagelet.n && doc.getElementById(pagelet.t);
    // Payloads for one target show in arrival order (appended chunks of a feed stay in order).
    if (el && !waiting.slice(0, i).some((o) => o.t == pagelet.t)) {
      waiting.splice(i, 1);
      i = -1; // it may hold placeholders of pagelets that were waiting: look again from the start
      display(pagelet, el);
    }
  }
  // Once the document has ended and no pagelet still loading CSS could bring it, a placeholder never comes.
  if (ended() && !waiting.some((o) => o.n))
    for (const { t } of waiting.splice(0)) {
      finished++;
      fail(t, 'no element #' + t);
    }
  if (!phase && (finished >= total || (ended() && finished == arrived))) {
    phase = 1;
    scripted.map(scripts);
    run();
  }
};

const display = (pagelet: Pagelet, el: HTMLElement) => {
  const { p, t } = pagelet;
  finished++;
  try {
    if (p.css) head.appendChild(create('style')).textContent = p.css;
    if (p.html != null) p.append ? el.insertAdjacentHTML('beforeend', p.html) : (el.innerHTML = p.html);
  } catch (e) {
    return fail(t, '' + e);
  }
  emit(EVENTS.display, t);
  scripted.push(pagelet);
  if (phase) {
    scripts(pagelet);
    run();
  }
};

/** Requests a displayed pagelet's scripts: they download in parallel and execute in request order. */
const scripts = (pagelet: Pagelet) => {
  pagelet.w = 1;
  for (const url of pagelet.p.js_links || []) {
    pagelet.w++;
    load(false, url, (error) => {
      if (error) {
        pagelet.f = 1;
        fail(pagelet.t, error, url);
      }
      --pagelet.w! || run();
    });
  }
  pagelet.w--;
};

/** Runs inline JS in display order, each after its own scripts; the first time the queue drains, bigpipe:done. */
const run = () => {
  for (let next; (next = scripted[0]) && !next.w; ) {
    const { p, t, f } = scripted.shift()!;
    if (p.js && !f) {
      // A nonce'd <script>, not eval (strict CSP allows it); what it throws reaches window's error event.
      const script = create('script');
      const report = (e: ErrorEvent) => fail(t, e.message);
      script.text = p.js;
      addEventListener('error', report);
      head.appendChild(script);
      removeEventListener('error', report);
    }
  }
  if (!scripted.length && phase < 2) {
    phase = 2;
    emit(EVENTS.done);
  }
};

import { EVENTS, FIELDS, type Payload } from '../protocol';
import { create, doc, emit, head } from './dom';
import { load } from './load';

/** A payload on its way: `n` stylesheets still loading, then `w` scripts still loading; `f` once a script failed. */
interface Pagelet {
  p: Payload;
  n: number;
  w?: number;
  f?: boolean;
}

let arrived = 0;
let finished = 0; // displayed or failed
let total = Infinity;
let phase = 0; // 0 before the JS phase, 1 in it, 2 after bigpipe:done
const waiting: Pagelet[] = []; // not displayed yet, in arrival order
const scripted: Pagelet[] = []; // displayed, JS not run yet, in display order

const ended = () => doc.readyState != 'loading';

/** What is wrong with a payload, or nothing. */
const check = (p: any) => {
  if (!p || typeof p != 'object' || Array.isArray(p)) return 'payload: expected object';
  for (const [field, type] of Object.entries(FIELDS)) {
    const v = p[field];
    if (
      (v !== undefined || field == 'target') &&
      (type == 'string[]' ? !Array.isArray(v) || v.some((s) => typeof s != 'string') : typeof v != type)
    )
      return field + ': expected ' + type;
  }
};

const fail = (target: unknown, error: string, url?: string) => emit(EVENTS.error, target, url, error);

/** Handles one payload; never throws, so one bad payload cannot break the page or the others. */
export const arrive = (p: any, later?: boolean) => {
  arrived++;
  const problem = check(p);
  if (problem) {
    finished++;
    fail(p?.target, problem);
  } else {
    if (p.total != null) total = p.total;
    emit(EVENTS.arrive, p.target);
    const pagelet: Pagelet = { p, n: 1 };
    waiting.push(pagelet);
    // Every stylesheet at once; the pagelet shows when the last has loaded, failed or timed out.
    for (const url of p.css_links || []) {
      pagelet.n++;
      load(true, url, (error) => {
        if (error) fail(p.target, error, url);
        --pagelet.n || flush();
      });
    }
    pagelet.n--;
  }
  later || flush();
};

/** Shows every pagelet that can be shown, then starts or feeds the JS phase. */
export const flush = () => {
  for (let i = 0, pagelet; (pagelet = waiting[i]); i++) {
    const { target } = pagelet.p;
    const el = !pagelet.n && doc.getElementById(target);
    // Payloads for one target show in arrival order (appended chunks of a feed stay in order).
    if (el && !waiting.slice(0, i).some((o) => o.p.target == target)) {
      waiting.splice(i, 1);
      i = -1; // it may hold placeholders of pagelets that were waiting: look again from the start
      display(pagelet, el);
    }
  }
  // Once the document has ended and no pagelet still loading CSS could bring it, a placeholder never comes.
  if (ended() && !waiting.some((o) => o.n))
    for (const { p } of waiting.splice(0)) {
      finished++;
      fail(p.target, 'no element #' + p.target);
    }
  if (!phase && (finished >= total || (ended() && finished == arrived))) {
    phase = 1;
    scripted.map(scripts);
    run();
  }
};

const display = (pagelet: Pagelet, el: HTMLElement) => {
  const { p } = pagelet;
  finished++;
  try {
    if (p.css) head.appendChild(create('style')).textContent = p.css;
    if (p.html != null) p.append ? el.insertAdjacentHTML('beforeend', p.html) : (el.innerHTML = p.html);
    emit(EVENTS.display, p.target);
  } catch (e) {
    return fail(p.target, String(e));
  }
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
        pagelet.f = true;
        fail(pagelet.p.target, error, url);
      }
      --pagelet.w! || run();
    });
  }
  pagelet.w--;
};

/** Runs inline JS in display order, each after its own scripts; the first time the queue drains, bigpipe:done. */
const run = () => {
  while (scripted[0] && !scripted[0].w) {
    const { p, f } = scripted.shift()!;
    if (p.js && !f) inline(p);
  }
  if (!scripted.length && phase < 2) {
    phase = 2;
    emit(EVENTS.done);
  }
};

/** Runs inline JS through a nonce'd <script> (no eval: strict CSP allows it); reports what it throws. */
const inline = (p: Payload) => {
  const script = create('script');
  const report = (e: ErrorEvent) => fail(p.target, String(e.message));
  script.text = p.js!;
  addEventListener('error', report);
  head.appendChild(script);
  removeEventListener('error', report);
};

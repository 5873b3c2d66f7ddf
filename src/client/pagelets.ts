import { EVENTS, FIELDS, type Payload } from '../protocol';
import { B, create, doc, emit, fail, head, policy } from './dom';
import { load } from './load';

/**
 * A payload on its way, as our own copy (state never lands on the caller's object): `t` its target, `n` its
 * stylesheets (while waiting) or scripts (once displayed) still loading, `e` its placeholder once looked up.
 */
interface Pagelet extends Payload {
  t: string;
  n: number;
  e: HTMLElement | null;
}

let arrived = 0;
let total: number; // undefined until a payload gives it: `x >= undefined` is false
let started: unknown; // the JS phase has begun
let done: unknown; // bigpipe:done has fired
const fields = Object.entries(FIELDS); // once, not per payload
const waiting: Pagelet[] = []; // not displayed yet, in arrival order: every other arrived payload is finished
const scripted: Pagelet[] = []; // displayed, JS not run yet, in display order

/**
 * Requests a pagelet's stylesheets (`css`) or scripts, all at once; `n` counts those still loading and the
 * last one to settle flushes. With none, or when all have settled already, the caller goes on by itself.
 */
const request = (pagelet: Pagelet, css?: unknown) => {
  pagelet.n = 1;
  for (const url of pagelet[css ? 'css_links' : 'js_links'] || []) {
    pagelet.n++;
    load(css, url).push((error) => {
      if (error) {
        if (!css) pagelet.js = ''; // a failed script skips the inline JS; a failed stylesheet does not
        fail(pagelet.t, error, url);
      }
      --pagelet.n || flush();
    });
  }
  pagelet.n--;
};

/** Handles one payload; never throws, so one bad payload cannot break the page or the others. */
export const arrive = (p: any) => {
  arrived++;
  // The first field with a wrong type (a payload that is no object has no string target). Only 'string[]' has an
  // 8th character: it wants an array of strings; every other type is a typeof. null is never right (typeof null is
  // 'object'); undefined (absent) is fine for every field but target, the first. Nothing is allocated per field.
  const wrong = fields.find(
    ([field, type], i, v: any) => // v: a spare parameter, so the callback stays one expression
      (v = p?.[field]) === undefined ? !i : type[7] ? !Array.isArray(v) || v.some((s: unknown) => typeof s != 'string') : typeof v != type,
  );
  if (wrong) fail(p?.target, wrong.join(': expected '));
  else {
    const pagelet: Pagelet = { ...p, t: p.target };
    total = p.total ?? total;
    emit(EVENTS.arrive, pagelet.t);
    waiting.push(pagelet);
    request(pagelet, 1);
  }
  // While the runtime takes over the stub's queue (B.q still set), nothing is decided before every queued payload is in.
  B.q || flush();
};

/** Shows every pagelet that can be shown, then starts or feeds the JS phase and runs the inline JS that can run. */
export const flush = () => {
  // The first pagelet that can show: its stylesheets settled, its placeholder there, no earlier payload for its
  // target waiting (appended chunks of a feed stay in order). Showing it may bring placeholders of pagelets that
  // were waiting, so look again from the start. Once the document has ended ('interactive' and 'complete' sort
  // before 'loading') and no pagelet still loading CSS could bring one, a placeholder never comes: the first
  // waiting pagelet fails, then the next.
  for (
    let pagelet;
    (pagelet =
      waiting.find((o) => !o.n && waiting.find((x) => x.t == o.t) == o && (o.e = doc.getElementById(o.t))) ||
      (doc.readyState < 'l' && !waiting.some((o) => o.n) && waiting[0]));

  ) {
    waiting.splice(waiting.indexOf(pagelet), 1);
    const { t, e, html, css } = pagelet;
    if (!e) fail(t, 'no element #' + t);
    else {
      if (css) head.appendChild(create('style')).textContent = css;
      if (html != null)
        pagelet.append ? e.insertAdjacentHTML('beforeend', (TRUSTED_TYPES ? policy.createHTML(html) : html)) : (e.innerHTML = (TRUSTED_TYPES ? policy.createHTML(html) : html));
      emit(EVENTS.display, t);
      scripted.push(pagelet);
      if (started) request(pagelet);
    }
  }
  // Every arrived payload is finished (displayed or failed) but those still waiting.
  if ((started ||= ((doc.readyState < 'l' && !waiting.length) || arrived - waiting.length >= total) && scripted.map((o) => request(o)))) {
    // Inline JS in display order, each after its own scripts, as a nonce'd <script> (not eval: strict CSP allows it).
    while (scripted[0]?.n === 0) {
      const { js } = scripted.shift()!;
      // What it throws is reported by the browser (window's error event) and stops nobody else.
      if (js) {
        const script = create('script');
        script.text = TRUSTED_TYPES ? policy.createScript(js) : js;
        head.append(script);
      }
    }
    done ||= !scripted.length && emit(EVENTS.done);
  }
};

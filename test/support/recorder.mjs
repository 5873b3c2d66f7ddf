// In-page recorders: page-side code (strings, for a <script> or a driver's evaluate) that observes the runtime's
// events, every one of EVENTS in src/protocol.ts, under their wire names.
import { EVENTS } from './protocol.mjs';

/**
 * Page-side statement: calls `handler(type, detail)` for every runtime event, `type` being the short name
 * (`arrive`, `display`, `error`, `done`) and `detail` the event's detail (`{}` when it has none).
 */
export const onRuntimeEvents = (/** @type {string} */ handler) =>
  `for (const [type, name] of Object.entries(${JSON.stringify(EVENTS)})) document.addEventListener(name, (e) => (${handler})(type, e.detail || {}));`;

/** Page-side expression: an event as a token, `type[:target][@url]` (conformance/README.md's tokens). */
export const TOKEN = `(type, d) => type + (d.target === undefined ? '' : ':' + d.target) + (d.url ? '@' + d.url : '')`;

/** Page-side code: `window.__events` lists every runtime event as a token; `window.__done` resolves at bigpipe:done. */
export const TOKEN_RECORDER = `window.__events = [];
window.__done = new Promise((resolve) => document.addEventListener(${JSON.stringify(EVENTS.done)}, resolve));
${onRuntimeEvents(`(type, d) => __events.push((${TOKEN})(type, d))`)}`;

/**
 * Page-side statement for the start of an async check: the driver may evaluate as soon as the response commits,
 * before the head's scripts (the recorder among them) have run; after DOMContentLoaded they all have.
 */
export const AFTER_HEAD = `if (document.readyState === 'loading') await new Promise((r) => document.addEventListener('DOMContentLoaded', r));`;

/**
 * Page-side recorder for the stress campaigns, for the head of a test page (before the runtime): every runtime event
 * in order (detail.target as JSON, so non-string targets stay distinguishable), window error events, unhandled
 * rejections, CSP / Trusted Types violations and console.error calls. `window.__done` resolves at the first
 * bigpipe:done.
 */
export const RECORDER = `(() => {
  const rec = window.__rec = { events: [], errors: [], violations: [], console: [] };
  const json = (v) => { try { return v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v); } catch { return String(v); } };
  let done;
  window.__done = new Promise((r) => (done = r));
  ${onRuntimeEvents(`(type, d) => {
    rec.events.push({ type, target: json(d.target), error: d.error, url: d.url });
    if (type === 'done') done();
  }`)}
  // capturing: also failed loads of elements (which do not bubble), named with where the element sits
  // (message and stack: WebKit's stack does not repeat the message)
  addEventListener('error', (e) => rec.errors.push(e.message ? e.message + (e.error && e.error.stack ? '\\n' + e.error.stack : '') :
    'error event on ' + (e.target && e.target.tagName) + (e.target && e.target.closest && e.target.closest('[id]') ? ' in #' + e.target.closest('[id]').id : '')), true);
  addEventListener('unhandledrejection', (e) => rec.errors.push('unhandled rejection: ' + json(String(e.reason))));
  addEventListener('securitypolicyviolation', (e) => rec.violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sample || '')));
  const error = console.error;
  console.error = function (...a) { rec.console.push(a.map(String).join(' ')); return error.apply(this, a); };
})();`;

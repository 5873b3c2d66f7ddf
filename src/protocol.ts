/**
 * The wire contract of bigpipe-js, protocol v1: what travels between a server and the runtime.
 * Imported by the browser runtime and by the server module; PROTOCOL.md describes the same.
 */

/** The global the runtime installs (and the async stub pre-creates). */
export const GLOBAL = 'BigPipe';

/** The method a page calls once per pagelet: `BigPipe.onPageletArrive(payload)`. */
export const ARRIVE = 'onPageletArrive';

/**
 * A compatibility entry point: the global function the Django library bigpipe-response calls with the same payload
 * fields (`<script>renderPagelet({...})</script>`). The runtime answers it exactly like `BigPipe.onPageletArrive`.
 */
export const COMPAT_ARRIVE = 'renderPagelet';

/** One pagelet, as it travels. Field names are part of the contract: never rename or mangle them. */
export interface Payload {
  /** id of the placeholder element; never empty */
  target: string;
  /** markup for the placeholder; replaces its content */
  html?: string;
  /** when true, `html` is appended instead of replacing */
  append?: boolean;
  /** inline CSS, added as a <style> before the HTML shows */
  css?: string;
  /** stylesheet URLs; the HTML shows only when each has loaded, failed or timed out */
  css_links?: string[];
  /** script URLs, loaded only once every pagelet of the page is displayed */
  js_links?: string[];
  /** inline JS, run after this pagelet's js_links have run */
  js?: string;
  /** how many payloads this page sends (append payloads included) */
  total?: number;
}

/** Every payload field with the type it must have, in the order a server writes them. */
export const FIELDS = {
  target: 'string',
  html: 'string',
  append: 'boolean',
  css: 'string',
  css_links: 'string[]',
  js_links: 'string[]',
  js: 'string',
  total: 'number',
} as const;

/** The one field every payload must have: a non-empty string, since no element has an empty id. */
export const REQUIRED_FIELD = 'target';

/**
 * What each payload field means. PROTOCOL.md §2's field table and the payload of conformance/schema.json are
 * generated from FIELDS, REQUIRED_FIELD and this (`npm run contract`; test/contract.test.ts fails when they are stale).
 */
export const FIELD_MEANINGS: Record<keyof typeof FIELDS, string> = {
  target: 'id of the placeholder element',
  html: 'markup for the placeholder; replaces its content (absent: the content is left as is)',
  append: 'when true, `html` is appended instead (feeds, chunked lists)',
  css: 'inline CSS, added as a `<style>` before the HTML shows',
  css_links: 'stylesheet URLs; the HTML shows only when each has loaded, failed or timed out',
  js_links: 'script URLs, loaded only once every pagelet of the page is displayed',
  js: "inline JS, run after this pagelet's `js_links` have run",
  total:
    'how many payloads this page sends (append payloads included); any payload may carry it, and once is enough (the ' +
    'bigpipe-js server writes it on the first payload only). A page that keeps streaming ' +
    '(a live page, §4.5) sends it late, on the payload that completes the first round; a page that sends none starts its ' +
    'JS phase at the end of the document (§4.5)',
};

/** Whether `value` has a field's type from FIELDS (the server and the checker share this; the runtime has a byte-saving form). */
export const hasFieldType = (value: unknown, type: (typeof FIELDS)[keyof typeof FIELDS]): boolean => {
  if (type !== 'string[]') return typeof value === type;
  if (!Array.isArray(value)) return false;
  // by index, not every(): every() skips the holes of a sparse array, which JSON writes as null
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') return false;
  return true;
};

/** Events the runtime dispatches on `document` (CustomEvent, `detail.target`, and `url`/`error` where they apply). */
export const EVENTS = {
  arrive: 'bigpipe:arrive',
  display: 'bigpipe:display',
  error: 'bigpipe:error',
  done: 'bigpipe:done',
} as const;

export interface EventDetail {
  target?: unknown;
  url?: string;
  error?: string;
}

/** The Trusted Types policy the runtime creates (dist/bigpipe.tt.min.js); a page's CSP must allow it: `trusted-types bigpipe`. */
export const TRUSTED_TYPES_POLICY = 'bigpipe';

/** Default bound, in ms, on every stylesheet and script wait in the runtime (`BigPipe.timeout` overrides it). */
export const DEFAULT_TIMEOUT = 10000;

/**
 * The async stub: a server puts this in the head when the runtime loads with `async`/`defer` or from a CDN.
 * Payloads that arrive before the runtime wait in `BigPipe.q`, in arrival order.
 */
export const STUB = `${GLOBAL}={q:[],${ARRIVE}(p){this.q.push(p)}}`;

/**
 * The loader, for a runtime loaded from a URL (async, or a module bundle): the stub, then the insertion of the
 * runtime's script tag, which the page holds in the `<template>` just before this inline script. The tag has no
 * `async` attribute: WebKit holds a script that has one until the page first paints, while a script inserted by a
 * script without it runs as soon as it is fetched, mid-stream, in every engine (PROTOCOL.md §5). Cloning a tag the
 * parser wrote keeps its nonce, integrity and type, and sets no `src` from script, so no Trusted Types sink is used.
 */
export const LOADER = `${STUB};document.head.append(document.currentScript.previousElementSibling.content.cloneNode(true))`;

/** The runtime's global object, as pages and stubs see it. */
export interface BigPipeGlobal {
  [ARRIVE](payload: unknown): void;
  /** ms before a stylesheet or script counts as failed (default DEFAULT_TIMEOUT) */
  timeout?: number;
  /** payloads queued by the stub before the runtime took over */
  q?: unknown[];
}

/** The markup the render writes around the pagelets: the shell, the runtime's tags, a pagelet in inline mode. */
import { LOADER } from '../protocol';
import { INLINE_RUNTIMES } from './inline-defaults';
import { escapeAttribute, VOID_ELEMENTS } from './serialize';
import type { PageletContent, RenderOptions } from './types';

export const shellStart = '<!DOCTYPE html><html><head><meta charset="utf-8">';
export const END = '</body></html>';

/**
 * The runtime's script tags for the head (pipeline mode), for options already checked. A runtime loaded async (or a
 * module, which without `async` would be deferred: run only once the document is parsed to its end, which the stream
 * reaches after the last pagelet) goes through the loader (protocol LOADER): a preload, so the fetch starts as soon as
 * the head is read, the runtime's tag held in a `<template>` without `async`, and the stub + loader script that
 * inserts it. An inserted script runs as soon as it is fetched, mid-stream, in every engine; WebKit holds a
 * parser-inserted `async` one until the page first paints (test/e2e/loading-modes.test.ts, PROTOCOL.md §5). Payloads
 * that arrive before the runtime wait in the stub's queue. Nothing here writes `defer`.
 */
export const runtimeScripts = (runtime: RenderOptions['runtime'] = 'inline', nonce: string) => {
  if (typeof runtime === 'string') return `<script${nonce}>${INLINE_RUNTIMES[runtime]}</script>`;
  if ('inline' in runtime) return `<script${nonce}>${runtime.inline}</script>`;
  const integrity =
    runtime.integrity === undefined ? '' : ` integrity="${escapeAttribute(runtime.integrity)}" crossorigin="anonymous"`;
  const src = escapeAttribute(runtime.src);
  const type = runtime.module ? ' type="module"' : '';
  const tag = `<script${nonce}${type} src="${src}"${integrity}></script>`;
  if (!runtime.async && !runtime.module) return tag;
  // The preload fetches as the script will (same credentials mode and integrity), so the one response serves both.
  const rel = runtime.module ? 'rel="modulepreload"' : 'rel="preload" as="script"';
  const preload = `<link${nonce} ${rel} href="${src}"${integrity}>`;
  return `${preload}<template>${tag}</template><script${nonce}>${LOADER}</script>`;
};

/**
 * A pagelet's content as markup for the no-JS mode (`mode: 'inline'`: in place, in document order); every element carries the nonce (a `style-src 'nonce-…'` page
 * applies a nonce'd stylesheet link only). Inline js and css cannot close their element: in js every `<`
 * before `/` or `!--` becomes `\x3C` (same meaning inside string, template and regex literals); in css `</style`
 * becomes `<\/style` (a CSS escape of `/`, same meaning in strings and url()).
 */
export const inPlaceMarkup = (content: PageletContent, nonce: string) => {
  let out = '';
  for (const href of content.css_links ?? []) out += `<link${nonce} rel="stylesheet" href="${escapeAttribute(href)}">`;
  if (content.css) out += `<style${nonce}>${content.css.replace(/<\/(style)/gi, '<\\/$1')}</style>`;
  out += content.html ?? '';
  for (const src of content.js_links ?? []) out += `<script${nonce} src="${escapeAttribute(src)}"></script>`;
  if (content.js) out += `<script${nonce}>${content.js.replace(/<(?=\/|!--)/g, '\\x3C')}</script>`;
  return out;
};

// Elements whose content is text, not markup, up to their end tag: nothing inside them is an element.
const RAW_TEXT = ['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes'];
const RAW_END = new Map(RAW_TEXT.map((name) => [name, new RegExp(`</${name}[\\t\\n\\f\\r />]`, 'gi')]));
const COMMENT_END = /--!?>/g;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
const isLetter = (c: number) => (c | 32) >= 97 && (c | 32) <= 122;
const ENTITIES: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };
/** The character references an id may hold as placeholder() writes it, and numeric ones. */
const decode = (value: string) =>
  value.includes('&')
    ? value.replace(/&(?:#(\d{1,7})|#x([\da-f]{1,6})|(amp|quot|apos|lt|gt));/gi, (_, dec, hex, name) =>
        name
          ? ENTITIES[name.toLowerCase()]!
          : String.fromCodePoint(Math.min(parseInt(dec ?? hex, dec ? 10 : 16), 0x10ffff)),
      )
    : value;

/**
 * Where each placeholder's content is: for every id in `ids` (id → pagelet index), the first element in `body` with
 * that id as a browser would find it (any tag, any attributes, quoted or not), as [content start, content end,
 * pagelet index], in document order. Its content (a "Loading…" text, a skeleton) runs to its matching end tag,
 * counting nested elements of the same name; without one it is empty. One pass, linear in the body: comments, raw
 * text (script, style, …) and `<template>` content are skipped, so an id written there is no placeholder; neither
 * is one inside another placeholder's content, which the pagelet replaces.
 */
export const findPlaceholders = (body: string, ids: Map<string, number>): [number, number, number][] => {
  const found: [number, number, number][] = [];
  const seen = new Set<number>();
  const n = body.length;
  let templates = 0;
  /** the placeholder whose end tag is being looked for, with how many elements of its name are open */
  let open: { name: string; depth: number; start: number; index: number } | undefined;
  const finish = () => {
    // no end tag: its content cannot be told from what follows, so nothing is replaced
    if (open) found.push([open.start, open.start, open.index]);
    return found;
  };
  let i = 0;
  while (open || seen.size < ids.size) {
    const lt = body.indexOf('<', i);
    if (lt < 0) break;
    i = lt + 1;
    const c = body.charCodeAt(i);
    if (c === 33 /* ! */ && body.startsWith('!--', i)) {
      // `<!-->` and `<!--->` are whole comments
      if (body.startsWith('>', i + 3) || body.startsWith('->', i + 3)) {
        i = body.indexOf('>', i + 3) + 1;
        continue;
      }
      COMMENT_END.lastIndex = i + 3;
      if (!COMMENT_END.exec(body)) break;
      i = COMMENT_END.lastIndex;
      continue;
    }
    if (c === 33 || c === 63 /* ? */ || (c === 47 /* / */ && !isLetter(body.charCodeAt(i + 1)))) {
      // doctype, CDATA, processing instruction, `</…` with no name: up to the next `>`
      const gt = body.indexOf('>', i);
      if (gt < 0) break;
      i = gt + 1;
      continue;
    }
    const closing = c === 47;
    if (!closing && !isLetter(c)) continue; // a `<` in text
    let at = closing ? i + 1 : i;
    const nameStart = at;
    while (at < n && !isSpace(body.charCodeAt(at)) && body.charCodeAt(at) !== 47 && body.charCodeAt(at) !== 62) at++;
    const name = body.slice(nameStart, at).toLowerCase();
    let id: string | undefined;
    // Attributes up to the tag's `>`. An attribute value whose quote never closes runs to the end of the body.
    for (;;) {
      while (at < n && (isSpace(body.charCodeAt(at)) || body.charCodeAt(at) === 47)) at++;
      if (at >= n) return finish();
      if (body.charCodeAt(at) === 62) break;
      const attrStart = at++; // a first `=` belongs to the name
      while (at < n && !isSpace(body.charCodeAt(at)) && !'/>='.includes(body[at]!)) at++;
      const attr = body.slice(attrStart, at);
      while (at < n && isSpace(body.charCodeAt(at))) at++;
      let value = '';
      if (body.charCodeAt(at) === 61 /* = */) {
        at++;
        while (at < n && isSpace(body.charCodeAt(at))) at++;
        const q = body.charCodeAt(at);
        if (q === 34 || q === 39) {
          const close = body.indexOf(body[at]!, at + 1);
          if (close < 0) return finish();
          value = body.slice(at + 1, close);
          at = close + 1;
        } else {
          const start = at;
          while (at < n && !isSpace(body.charCodeAt(at)) && body.charCodeAt(at) !== 62) at++;
          value = body.slice(start, at);
        }
      }
      // the first of duplicate attributes wins, as in the browser
      if (id === undefined && attr.length === 2 && attr.toLowerCase() === 'id') id = decode(value);
    }
    i = at + 1; // after the `>`
    if (closing) {
      if (name === 'template' && templates) templates--;
      if (open?.name === name && !--open.depth) {
        found.push([open.start, lt, open.index]);
        open = undefined;
      }
      continue;
    }
    if (name === 'template') templates++;
    if (open) {
      if (open.name === name && !VOID_ELEMENTS.has(name)) open.depth++;
    } else {
      const index = id === undefined || templates ? undefined : ids.get(id);
      if (index !== undefined && !seen.has(index)) {
        seen.add(index);
        if (VOID_ELEMENTS.has(name)) found.push([i, i, index]);
        else open = { name, depth: 1, start: i, index };
      }
    }
    if (name === 'plaintext') break;
    const end = RAW_END.get(name);
    if (end) {
      end.lastIndex = i;
      const match = end.exec(body);
      if (!match) break;
      i = match.index; // the end tag is read next, as a tag
    }
  }
  return finish();
};

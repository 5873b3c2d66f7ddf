// What a browser's parser builds from our markup (parse5's default tree), for tests and stress campaigns alike.
// Every walk goes into <template> contents too: markup there is parsed, even though it is inert.
import { parse, parseFragment } from 'parse5';

/**
 * @typedef {object} Node
 * @property {string} nodeName
 * @property {string} [tagName]
 * @property {string} [value]
 * @property {{ name: string, value: string }[]} [attrs]
 * @property {Node[]} [childNodes]
 * @property {Node} [content] a <template>'s contents
 */

/** A whole document; `scripting: false` parses as a browser without JavaScript does (noscript content becomes elements). */
export const parseDocument = (/** @type {string} */ html, scripting = true) =>
  /** @type {Node} */ (/** @type {unknown} */ (parse(html, { scriptingEnabled: scripting })));
export const fragment = (/** @type {string} */ html) =>
  /** @type {Node} */ (/** @type {unknown} */ (parseFragment(html)));

/** The children of a node, then a template's contents. */
const children = (/** @type {Node} */ node) =>
  node.content ? [...(node.childNodes ?? []), node.content] : (node.childNodes ?? []);

/** Every element named `tag` (every element without one), in document order. */
export const elements = (
  /** @type {Node} */ node,
  /** @type {string | undefined} */ tag = undefined,
  /** @type {Node[]} */ out = [],
) => {
  if (node.tagName && (tag === undefined || node.tagName === tag)) out.push(node);
  for (const child of children(node)) elements(child, tag, out);
  return out;
};

/** The text of a node's descendants. */
export const text = (/** @type {Node} */ node) =>
  (node.childNodes ?? []).map((c) => (c.nodeName === '#text' ? (c.value ?? '') : text(c))).join('');

/** The first attribute `name`; `attrs` lists every one (a parser keeps the first, a scanner may read another). */
export const attr = (/** @type {Node} */ node, /** @type {string} */ name) =>
  node.attrs?.find((a) => a.name === name)?.value;
export const attrs = (/** @type {Node} */ node, /** @type {string} */ name) =>
  (node.attrs ?? []).filter((a) => a.name === name).map((a) => a.value);

/** The first element with this id, in document order. */
export const byId = (/** @type {Node} */ node, /** @type {string} */ id) =>
  elements(node).find((e) => attr(e, 'id') === id);

const CALL = /^BigPipe\.onPageletArrive\(([\s\S]*)\)$/;

/** The payloads of a pipeline-mode page, read the way a browser's parser splits it: one per payload script. */
export const payloadsOf = (/** @type {string} */ html) =>
  elements(parseDocument(html), 'script')
    .map((s) => CALL.exec(text(s)))
    .flatMap((m) => (m ? [JSON.parse(m[1])] : []));

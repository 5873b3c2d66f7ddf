import { ARRIVE, FIELDS, GLOBAL, hasFieldType, type Payload } from '../protocol';

/**
 * JSON that is safe inside a `<script>` element (PROTOCOL.md §3): `JSON.stringify` (which already escapes lone
 * surrogates), then every `<` as `\u003c` (no `</script`, `<!--` or `<script` can remain) and U+2028/U+2029 as
 * `\u2028`/`\u2029`. The result is still valid JSON and evaluates to the same value.
 */
export const escapeJson = (value: unknown): string =>
  // Three replaces with a constant replacement run faster than one with a callback (markup is full of `<`).
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

const ATTRIBUTE_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '"': '&quot;',
  "'": '&#39;',
  '<': '&lt;',
  '>': '&gt;',
};

/** Text for a quoted HTML attribute value. */
export const escapeAttribute = (value: string): string => value.replace(/[&"'<>]/g, (c) => ATTRIBUTE_ESCAPES[c]!);

/**
 * Text as HTML: `&`, `<`, `>`, `"` and `'` as character references, so user data can go into a pagelet's `html`
 * (which is raw markup) as text, in element content or a quoted attribute: `` `<p>${escapeHtml(name)}</p>` ``.
 */
export const escapeHtml = (text: unknown): string => escapeAttribute(String(text));

/**
 * ` nonce="N"`, or '' without a nonce. A nonce is never escaped, only accepted or rejected (PROTOCOL.md §6):
 * base64 characters only.
 */
export const nonceAttribute = (nonce?: string): string => {
  if (nonce === undefined) return '';
  if (typeof nonce !== 'string' || !/^[A-Za-z0-9+/_=-]+$/.test(nonce))
    throw new TypeError(`nonce must be one or more base64 characters (A-Z a-z 0-9 + / = - _), got ${quoted(nonce)}`);
  return ` nonce="${nonce}"`;
};

/**
 * Why `id` cannot be an element id, or undefined when it can. HTML ids are non-empty and hold no ASCII
 * whitespace; NUL and lone surrogates are refused too, as they cannot survive the HTML parser or UTF-8.
 */
export const idProblem = (id: unknown): string | undefined => {
  if (typeof id !== 'string') return 'must be a string';
  if (!id) return 'must not be empty';
  if (/[\t\n\f\r ]/.test(id)) return 'must not contain whitespace';
  if (/\0|\p{Cs}/u.test(id)) return 'must not contain NUL or lone surrogates';
};

/** A value for an error message: strings quoted, anything else by type. */
export const quoted = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : typeof value);

const PAYLOAD_TYPES = Object.entries(FIELDS);
const CONTENT_TYPES = PAYLOAD_TYPES.filter(([field]) => field !== 'target' && field !== 'total');
const CONTENT_NAMES = CONTENT_TYPES.map(([field]) => field).join(', ');
const PAYLOAD_KEYS = new Set(Object.keys(FIELDS));
const CONTENT_KEYS = new Set(CONTENT_TYPES.map(([field]) => field));
const NONE: readonly string[] = [];

/** A payload (or a render's content) read once: its fields, copied, or what is wrong with it. */
export type Checked =
  | { fields: Record<string, unknown>; unknown: readonly string[]; problem?: undefined }
  | { problem: string; fields?: undefined; unknown?: undefined };

/**
 * Checks a payload and copies its protocol fields, each read exactly once (a getter cannot change what was checked;
 * an array is copied, so it cannot change after). With `content`, checks a render's result instead: a payload
 * without `target` and `total`, which must have at least one content field. `unknown` lists the other own keys,
 * `__proto__` among them: the caller decides what they mean, and never writes `__proto__`, which a `<script>`'s
 * object literal would take as the prototype. What a getter or proxy throws is thrown.
 */
export const checkPayload = (value: unknown, content = false): Checked => {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      problem: `expected an object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
    };
  const fields: Record<string, unknown> = {};
  let found = 0;
  for (const [field, type] of content ? CONTENT_TYPES : PAYLOAD_TYPES) {
    const v = (value as Record<string, unknown>)[field];
    if (v === undefined && field !== 'target') continue;
    if (!hasFieldType(v, type)) return { problem: `${field}: expected ${type}` };
    // JSON writes NaN and Infinity as null, which the runtime rejects: refuse them here instead.
    if (type === 'number' && !Number.isFinite(v)) return { problem: `${field}: expected a finite number` };
    fields[field] = Array.isArray(v) ? Array.prototype.slice.call(v) : v;
    found++;
  }
  if (content && !found) {
    const iterable = typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function';
    return {
      problem: iterable
        ? `expected content or an AsyncIterable, got a synchronous iterable: a streamed pagelet is an async function* (or returns an AsyncIterable with stream: true)`
        : `expected at least one of ${CONTENT_NAMES}`,
    };
  }
  // A target names an element by id: no element has an empty one (PROTOCOL.md §2).
  if (fields.target === '') return { problem: 'target: must not be empty' };
  const known = content ? CONTENT_KEYS : PAYLOAD_KEYS;
  // no array per payload in the common case, where every key is known (this runs once per pagelet per request)
  let unknown: string[] | undefined;
  for (const key in value) if (!known.has(key) && Object.hasOwn(value, key)) (unknown ??= []).push(key);
  return { fields, unknown: unknown ?? NONE };
};

/** Options of placeholder(): the element, and what it shows until its pagelet arrives. */
export interface PlaceholderOptions {
  /** tag name (default 'div'); not a void element, which could hold no content */
  tag?: string;
  /** markup shown until the pagelet replaces it (a "Loading…" text, a skeleton); raw HTML */
  content?: string;
  /** more attributes, their values escaped; `id` is the placeholder's own */
  attributes?: Record<string, string>;
}

/** HTML's void elements: they hold no content, so no pagelet can go in one. */
export const VOID_ELEMENTS = new Set('area base br col embed hr img input link meta source track wbr'.split(' '));
const NAME = /^[a-zA-Z][a-zA-Z0-9-]*$/;
// what HTML allows in an attribute name, narrowed to what needs no thought
const ATTRIBUTE_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:.-]*$/;

/**
 * The placeholder for a pagelet in the page's skeleton: `<div id="ID"></div>`, or with options another tag,
 * attributes and content to show until the pagelet arrives. Any element with the id is a placeholder; this writes
 * one safely. Throws a TypeError naming the problem (an id that cannot be an element id, a void or invalid tag, an
 * invalid attribute name, `id` among the attributes).
 */
export function placeholder(id: string, options: PlaceholderOptions): string;
// last, so that `ids.map(placeholder)` type-checks (a callback gets the last signature; map's index is ignored)
export function placeholder(id: string): string;
export function placeholder(id: string, options?: PlaceholderOptions | number): string {
  const problem = idProblem(id);
  if (problem) throw new TypeError(`placeholder id ${quoted(id)} ${problem}`);
  // the common call, placeholder(id), in the skeleton of every request
  if (typeof options !== 'object' || options === null) return `<div id="${escapeAttribute(id)}"></div>`;
  const { tag = 'div', content = '', attributes = {} } = options;
  if (typeof tag !== 'string' || !NAME.test(tag) || VOID_ELEMENTS.has(tag.toLowerCase()))
    throw new TypeError(
      `placeholder ${quoted(id)}: tag must be an element name that can hold content, got ${quoted(tag)}`,
    );
  if (typeof content !== 'string') throw new TypeError(`placeholder ${quoted(id)}: content must be a string`);
  let extra = '';
  for (const [name, value] of Object.entries(attributes)) {
    if (!ATTRIBUTE_NAME.test(name) || name.toLowerCase() === 'id')
      throw new TypeError(`placeholder ${quoted(id)}: attribute name ${quoted(name)} is not allowed`);
    extra += ` ${name}="${escapeAttribute(String(value))}"`;
  }
  return `<${tag} id="${escapeAttribute(id)}"${extra}>${content}</${tag}>`;
}

/**
 * One payload as one `<script>` chunk: `<script nonce="N">BigPipe.onPageletArrive(JSON)</script>`, the JSON
 * escaped by escapeJson. Throws a TypeError for an invalid payload or nonce. Fields are written in the protocol's
 * order, then unknown ones; an own key `__proto__` (JSON.parse makes one) is never written.
 */
export const serializePagelet = (payload: Payload, options: { nonce?: string } = {}): string => {
  const checked = checkPayload(payload);
  if (checked.problem !== undefined) throw new TypeError(`invalid payload: ${checked.problem}`);
  // Unknown fields travel (a later protocol version may add some), except `__proto__`: see checkPayload.
  const out = checked.fields;
  for (const key of checked.unknown)
    if (key !== '__proto__') out[key] = (payload as unknown as Record<string, unknown>)[key];
  return payloadScript(out as unknown as Payload, nonceAttribute(options.nonce));
};

/** serializePagelet without its checks, for a payload and nonce attribute already checked (the render core). */
export const payloadScript = (payload: Payload, nonce: string): string =>
  `<script${nonce}>${GLOBAL}.${ARRIVE}(${escapeJson(payload)})</script>`;

/**
 * Reading a script that is one function call with literal arguments (`name.method({...}, "…");`), as servers of other
 * BigPipe libraries write their payloads: JSON, or JavaScript object literals (unquoted keys, single quotes, trailing
 * commas). Never throws; linear in the script; anything else (code, expressions) is no call.
 */

export interface Call {
  /** dotted name: `bigpipe.onPageletArrive`, `renderPagelet` */
  callee: string;
  args: unknown[];
  /** every argument is JSON as written */
  json: boolean;
}

const NAME = /[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*/y;
const KEY = /[A-Za-z_$][\w$]*|\d+/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORDS: Record<string, unknown> = { true: true, false: false, null: null, undefined };
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', 0: '\0' };
/** Nesting deeper than this is no payload a server writes; stopping keeps the reader off deep recursion. */
const MAX_DEPTH = 64;
const FAIL = Symbol('not a literal');

/** The call `code` is, or undefined. */
export function readCall(code: string): Call | undefined {
  let i = 0;
  let json = true;
  const n = code.length;
  const space = () => {
    while (i < n && /\s/.test(code[i]!)) i++;
  };
  const match = (re: RegExp) => {
    re.lastIndex = i;
    const m = re.exec(code);
    if (m) i = re.lastIndex;
    return m?.[0];
  };
  const string = (): string | typeof FAIL => {
    const quote = code[i++];
    if (quote === "'") json = false;
    let out = '';
    while (i < n) {
      const c = code[i++]!;
      if (c === quote) return out;
      if (c === '\n' || c === '\r') return FAIL;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = code[i++];
      if (e === undefined) return FAIL;
      if (e === 'u' || e === 'x') {
        const braced = e === 'u' && code[i] === '{';
        // a code point has at most 6 hex digits: look no further (a run of "\\u{" stays linear)
        const end = braced ? i + code.slice(i, i + 8).indexOf('}') : i + (e === 'u' ? 4 : 2);
        const hex = code.slice(braced ? i + 1 : i, end);
        if ((braced && end < i) || !/^[\da-f]{1,6}$/i.test(hex) || (!braced && hex.length !== end - i)) return FAIL;
        const point = parseInt(hex, 16);
        if (point > 0x10ffff) return FAIL;
        out += String.fromCodePoint(point);
        i = braced ? end + 1 : end;
        if (e === 'x' || braced) json = false;
      } else if (e === '\n')
        json = false; // a line continuation
      else {
        if (!'"\\/bfnrt'.includes(e)) json = false;
        out += ESCAPES[e] ?? e;
      }
    }
    return FAIL;
  };
  const value = (depth: number): unknown => {
    space();
    if (depth > MAX_DEPTH || i >= n) return FAIL;
    const c = code[i]!;
    if (c === '"' || c === "'") return string();
    if (c === '{' || c === '[') {
      const object = c === '{';
      i++;
      const entries: [string, unknown][] = [];
      const items: unknown[] = [];
      for (;;) {
        space();
        if (code[i] === (object ? '}' : ']')) {
          i++;
          return object ? Object.fromEntries(entries) : items; // fromEntries: a "__proto__" key is a plain field
        }
        let key: string | typeof FAIL | undefined;
        if (object) {
          if (code[i] === '"' || code[i] === "'") key = string();
          else if ((key = match(KEY)) !== undefined) json = false;
          if (key === undefined || key === FAIL) return FAIL;
          space();
          if (code[i++] !== ':') return FAIL;
        }
        const v = value(depth + 1);
        if (v === FAIL) return FAIL;
        if (object) entries.push([key as string, v]);
        else items.push(v);
        space();
        if (code[i] === ',') {
          i++;
          space();
          if (code[i] === (object ? '}' : ']')) json = false; // a trailing comma
        } else if (code[i] !== (object ? '}' : ']')) return FAIL;
      }
    }
    const number = match(NUMBER);
    if (number !== undefined) return Number(number);
    const word = match(KEY);
    if (word !== undefined && Object.hasOwn(WORDS, word)) {
      if (word === 'undefined') json = false;
      return WORDS[word];
    }
    return FAIL;
  };

  space();
  const callee = match(NAME);
  if (callee === undefined) return undefined;
  space();
  if (code[i++] !== '(') return undefined;
  const args: unknown[] = [];
  space();
  if (code[i] === ')') i++;
  else
    for (;;) {
      const v = value(0);
      if (v === FAIL) return undefined;
      args.push(v);
      space();
      const c = code[i++];
      if (c === ')') break;
      if (c !== ',') return undefined;
    }
  space();
  if (code[i] === ';') i++;
  space();
  return i === n ? { callee: callee.replace(/\s+/g, ''), args, json } : undefined;
}

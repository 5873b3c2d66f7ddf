/** One payload script on its own: the call around it, its escaping (PROTOCOL.md §3), its JSON and fields (§2). */
import { ARRIVE, FIELDS, GLOBAL, hasFieldType } from '../protocol';
import type { Finding } from './types';

/** What a payload script's code starts with. */
export const PREFIX = `${GLOBAL}.${ARRIVE}(`;
export const ESCAPE_LT = 'write every "<" as \\u003c (PROTOCOL.md §3)';

export const typeOf = (value: unknown) => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

/** Up to 20 characters either side of `at`, quoted. */
const around = (text: string, at: number) => {
  const excerpt = text.slice(Math.max(0, at - 20), at + 20);
  return JSON.stringify((at > 20 ? '…' : '') + excerpt + (at + 20 < text.length ? '…' : ''));
};

export interface PayloadScript {
  /** errors about the call and the escaping, then about the value */
  problems: Finding[];
  /** the script ends before the call's ")" (its content was cut short) */
  cut: boolean;
  /** the parsed argument, when it parsed */
  value?: unknown;
  parsed: boolean;
}

/**
 * Reads a payload script's content (`BigPipe.onPageletArrive(…)`, or another `prefix`: `renderPagelet(`). Linear: the call's end is found by trimming, not
 * by a regex (`/\)\s*;?\s*$/` backtracks quadratically over a long run of spaces that does not end the script).
 */
export function readPayload(content: string, prefix = PREFIX): PayloadScript {
  const problems: Finding[] = [];
  const problem = (message: string) => problems.push({ level: 'error', message });
  const arg = content.slice(prefix.length);
  // ")" then at most one ";", spaces around it: the end of the call
  let call = arg.trimEnd();
  if (call.endsWith(';')) call = call.slice(0, -1).trimEnd();
  const cut = !call.endsWith(')');
  const json = cut ? arg : call.slice(0, -1);
  const lt = arg.indexOf('<');
  if (cut) problem('the script ends before the call\'s ")"');
  else if (lt >= 0) problem(`raw "<" in the JSON at ${around(arg, lt)}: ${ESCAPE_LT}`);
  if (/[\u2028\u2029]/.test(json))
    problem('raw U+2028/U+2029 in the JSON: write them as \\u2028/\\u2029 (PROTOCOL.md §3)');
  if (cut) return { problems, cut, parsed: false };
  try {
    const value: unknown = JSON.parse(json);
    problems.push(...payloadFindings(value));
    return { problems, cut, value, parsed: true };
  } catch (e) {
    problem(`the argument is not valid JSON (${(e as Error).message})`);
    return { problems, cut, parsed: false };
  }
}

/** The markup in a payload's text that could not be parsed, roughly unescaped: for ids that may be in it. */
export const looseMarkup = (text: string) => text.replace(/\\u003c/gi, '<').replace(/\\(["'/\\])/g, '$1');

/** What is wrong with a parsed payload (PROTOCOL.md §2): errors, and warnings for unknown fields. */
export function payloadFindings(value: unknown): Finding[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [{ level: 'error', message: `the payload is ${typeOf(value)}, not an object` }];
  const payload = value as Record<string, unknown>;
  const out: Finding[] = [];
  for (const [field, type] of Object.entries(FIELDS)) {
    const v = payload[field];
    if (v === undefined) {
      if (field === 'target') out.push({ level: 'error', message: 'no "target" (the id of its placeholder)' });
      continue;
    }
    if (v === null && field !== 'target') {
      // what servers of other BigPipe libraries send for "none": accepted, but not the protocol's spelling
      out.push({
        level: 'warning',
        message: `"${field}" is null: the runtime treats it as absent; leave the field out`,
      });
      continue;
    }
    if (!hasFieldType(v, type)) out.push({ level: 'error', message: `"${field}" is ${typeOf(v)}, must be ${type}` });
  }
  if (payload.target === '') out.push({ level: 'error', message: '"target" is empty' });
  for (const field of Object.keys(payload))
    if (field === '__proto__')
      // JSON.parse makes it a plain key, but the page runs the payload as an object literal, where it sets the prototype
      out.push({
        level: 'error',
        message: 'a "__proto__" key: in the page\'s object literal it sets the payload\'s prototype',
      });
    else if (!Object.hasOwn(FIELDS, field))
      out.push({ level: 'warning', message: `unknown field "${field}" (a v1 runtime ignores it)` });
  return out;
}

/** One payload on its own: what is wrong with its parsed value (PROTOCOL.md §2). */
import { FIELDS, hasFieldType } from '../protocol';
import type { Finding } from './types';

export const typeOf = (value: unknown) => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

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
    if (!hasFieldType(v, type)) out.push({ level: 'error', message: `"${field}" is ${typeOf(v)}, must be ${type}` });
  }
  if (payload.target === '') out.push({ level: 'error', message: '"target" is empty' });
  for (const field of Object.keys(payload))
    if (!(field in FIELDS))
      out.push({ level: 'warning', message: `unknown field "${field}" (a v1 runtime ignores it)` });
  return out;
}
